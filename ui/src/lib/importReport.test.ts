import { describe, expect, it } from "vitest";
import {
  committedBeforeText,
  importExtras,
  incompleteFilter,
  incompleteText,
  isCsvName,
  missingText,
  overlapText,
  refusal,
  refusedForTechnology,
  registryCounts,
  restatementIsWarning,
  restatementsTitle,
  seenBeforeText,
  stationsText,
} from "./importReport";
import type { FileImportReport, RegistryImportReport } from "./types";

// Only the fields docs/ipc.md lists (an older backend sent no more).
const base = {
  file: "a.json",
  sha256: null,
  outcome: "imported",
  added: 1,
  replaced: 0,
  skipped: 0,
  value_count: 1,
  message: null,
  violations: [],
  warnings: [],
} as unknown as FileImportReport;

describe("importExtras", () => {
  it("defaults when the backend sends only the documented fields", () => {
    expect(importExtras(base)).toEqual({ ignored: 0, warningCount: 0 });
  });
  it("reads ignored and warning_count when present", () => {
    const f = { ...base, ignored: 3, warning_count: 120 } as FileImportReport;
    expect(importExtras(f)).toEqual({ ignored: 3, warningCount: 120 });
  });
  it("never reports fewer warnings than listed", () => {
    const w = { rule: 1, severity: "warning" as const, file: null, line: null, column: null, pointer: "", cds_eac_id: null, message: "m" };
    const f = { ...base, warnings: [w, w], warning_count: "x" } as unknown as FileImportReport;
    expect(importExtras(f).warningCount).toBe(2);
  });
});

describe("refusedForTechnology", () => {
  const v = (rule: number, pointer: string) => ({
    rule,
    severity: "error" as const,
    file: null,
    line: 3,
    column: 20,
    pointer,
    cds_eac_id: "E1",
    message: "m",
  });
  const failed = (violations: ReturnType<typeof v>[]) =>
    ({ files: [{ ...base, outcome: "failed", violations }] }) as unknown as Parameters<typeof refusedForTechnology>[0];

  it("spots a technology refused under rule 3", () => {
    expect(refusedForTechnology(failed([v(8, "/eacs/0/period_end"), v(3, "/eacs/4/technology_type")]))).toBe(true);
  });
  it("ignores other rule 3 fields, other rules and imported files", () => {
    expect(refusedForTechnology(failed([v(3, "/eacs/0/beneficiary_type")]))).toBe(false);
    expect(refusedForTechnology(failed([v(2, "/eacs/0/technology_type")]))).toBe(false);
    expect(refusedForTechnology({ files: [base] } as unknown as Parameters<typeof refusedForTechnology>[0])).toBe(false);
  });
});

describe("a registry document's report", () => {
  const reg = (over: Partial<RegistryImportReport> = {}): RegistryImportReport => ({
    format: "ofgem-csv",
    format_name: "Ofgem certificates report (CSV)",
    seen_before: null,
    unchanged: 2,
    skipped_rows: [
      { place: "line 7", reason: "RO certificates are subsidy certificates, not attribute certificates" },
      { place: "line 9", reason: "RO row" },
    ],
    notes: [],
    stations: 0,
    commissioned_filled: 0,
    overlaps: [],
    incomplete_eacs: 0,
    missing_fields: [],
    restatements: [],
    restatement_count: 0,
    ...over,
  });
  const file = (over: Partial<FileImportReport> = {}): FileImportReport =>
    ({ ...base, file: "/d/certs.csv", added: 12, replaced: 1, ...over }) as FileImportReport;

  it("counts added, replaced, unchanged and skipped rows", () => {
    expect(registryCounts(file(), reg(), false).map((p) => p.text)).toEqual([
      "12 added",
      "1 replaced",
      "2 already stored unchanged",
      "2 rows skipped",
    ]);
    expect(registryCounts(file({ added: 1234 }), reg({ skipped_rows: [] }), true).map((p) => p.text)).toEqual([
      "1 234 would be added",
      "1 would be replaced",
      "2 already stored unchanged",
      "0 rows skipped",
    ]);
  });

  it("says when the same file was imported before and added nothing", () => {
    const seen = reg({ seen_before: { file_name: "old-name.csv", imported_at: "2024-03-05T14:30:00Z" } });
    const text = seenBeforeText(file({ added: 0, replaced: 0 }), seen);
    expect(text).toMatch(/^Already imported on 2024-03-0[56] \d\d:\d\d as old-name\.csv: nothing added\.$/);
    // Something was added after all (new ranges in a known file): no such claim.
    expect(seenBeforeText(file({ added: 3 }), seen)).toBeNull();
    expect(seenBeforeText(file({ added: 0 }), reg())).toBeNull();
    // Read again it replaced stored EACs: "nothing" is not said of them.
    const again = seenBeforeText(file({ added: 0, replaced: 2 }), seen);
    expect(again).toMatch(
      /as old-name\.csv: nothing added; read again it states 2 stored EACs differently, which were replaced \(audited\)\.$/,
    );
    expect(seenBeforeText(file({ added: 0, replaced: 1 }), seen, true)).toMatch(/1 stored EAC differently, which would be replaced/);
  });

  it("heads what giving stored EACs again did, warning unless every value set in EAC Desk was kept", () => {
    const note = (kind: "claim_reversed" | "claim_kept" | "edit_kept" | "edit_replaced") => ({
      cds_eac_id: "r:1..9",
      place: "line 2",
      kind,
      message: "EAC `r:1..9`: …",
    });
    const kept = reg({ restatements: [note("edit_kept")], restatement_count: 1 });
    expect(restatementsTitle(kept, false)).toBe("This file gives stored EACs again; what was set in EAC Desk is kept:");
    expect(restatementIsWarning(note("edit_kept"))).toBe(false);
    const reversed = reg({ restatements: [note("claim_reversed"), note("edit_kept")], restatement_count: 60 });
    expect(restatementsTitle(reversed, true)).toBe("This file gives stored EACs again and would change what was stored — check:");
    for (const kind of ["claim_reversed", "claim_kept", "edit_replaced"] as const) expect(restatementIsWarning(note(kind))).toBe(true);
  });

  it("names each missing field and how many EACs lack it", () => {
    expect(missingText({ field: "technology_type", eacs: 3 })).toBe("technology: 3 EACs");
    expect(missingText({ field: "issued", eacs: 1 })).toBe("issue date of a value: 1 EAC");
    expect(missingText({ field: "some_new_field", eacs: 2 })).toBe("some new field: 2 EACs");
    expect(incompleteText(reg(), false)).toBeNull();
    expect(incompleteText(reg({ incomplete_eacs: 1 }), false)).toMatch(/^1 EAC from this file lacks fields the CDS requires/);
    expect(incompleteText(reg({ incomplete_eacs: 4 }), false)).toMatch(/^4 EACs from this file lack /);
    expect(incompleteText(reg({ incomplete_eacs: 4 }), true)).toMatch(/^4 EACs from this file would lack /);
  });

  it("names both ranges, both EACs and the shared count of an overlap", () => {
    const text = overlapText({
      registry: "ofgem-rego",
      a: { cds_eac_id: "rego:G0001..G0100", first: "G0001", last: "G0100" },
      b: { cds_eac_id: "rego:G0051..G0200", first: "G0051", last: "G0200" },
      shared: "50",
    });
    expect(text).toBe(
      "Certificates G0001 – G0100 (EAC rego:G0001..G0100) share 50 certificates with G0051 – G0200 already stored " +
        "(EAC rego:G0051..G0200), registry ofgem-rego. Both are kept: check which one is right.",
    );
    expect(
      overlapText({ registry: "r", a: { cds_eac_id: "x", first: "1", last: "1" }, b: { cds_eac_id: "y", first: "1", last: "9" }, shared: "1" }),
    ).toContain("share 1 certificate with");
  });

  it("reports what a stations report filled in", () => {
    expect(stationsText(reg())).toBeNull();
    expect(stationsText(reg({ stations: 12, commissioned_filled: 3 }))).toBe(
      "12 stations read; commissioning date filled in for 3 stored EACs.",
    );
  });

  it("shows incomplete EACs only, every other filter cleared", () => {
    const patch = incompleteFilter();
    expect(patch).toMatchObject({ search: "", technology: "", incomplete: "yes" });
  });
});

describe("a refused file", () => {
  const failed = (file: string, code: FileImportReport["code"], over: Partial<FileImportReport> = {}) =>
    ({ ...base, file, outcome: "failed", added: 0, code, message: "m", ...over }) as FileImportReport;

  it("an imported file needs no advice", () => {
    expect(refusal(base)).toBeNull();
  });

  it("a CSV read as a CDS listing is one EAC Desk does not recognise: map its columns", () => {
    const r = refusal(failed("/d/wregis.csv", "validation"))!;
    expect(r.title).toBe("EAC Desk does not recognise this CSV file.");
    expect(r.hint).toContain("Map its columns");
    expect(r).toMatchObject({ mapColumns: true, readAsJson: true });
  });

  it("an unreadable CSV says so and offers the mapping too", () => {
    const r = refusal(failed("C:\\d\\Export.TXT", "unreadable"))!;
    expect(r.title).toBe("This CSV file could not be read.");
    expect(r).toMatchObject({ mapColumns: true, readAsJson: false });
  });

  it("a PDF or JSON file gets the words of its error code", () => {
    const pdf = refusal(failed("/d/statement.pdf", "unreadable"))!;
    expect(pdf.title).toBe("This file could not be read as a registry statement or report.");
    expect(pdf.mapColumns).toBe(false);
    const json = refusal(failed("/d/listing.json", "validation"))!;
    expect(json.title).toBe("The data does not follow the rules of the CDS format.");
    expect(json.mapColumns).toBe(false);
    // A CSV that could not even be opened is no mapping matter.
    expect(refusal(failed("/d/gone.csv", "io"))!.mapColumns).toBe(false);
  });

  it("says 'nothing imported' nowhere (the view says it once) and no command to type", () => {
    const cases = [
      failed("/d/random.csv", "unreadable", { place: "document" }),
      failed("/d/bad-date.csv", "unreadable", { place: "line 4", format: "ofgem-csv" }),
      failed("/d/statement.pdf", "unreadable", { place: "page 1", format: "irec-pdf" }),
      failed("/d/book.xlsx", "unreadable", { place: "document" }),
      failed("/d/listing.json", "frozen"),
    ];
    for (const f of cases) {
      const r = refusal(f)!;
      expect(`${r.title} ${r.hint}`, f.file).not.toMatch(/nothing (from it )?was imported|eacdesk|--mapping/i);
    }
    // A workbook or a closed period: the message says what to do, no generic hint beside it.
    expect(refusal(cases[3])!.hint).toBe("");
    expect(refusal(cases[4])!.hint).toBe("");
    expect(refusal(cases[0])!.hint).toContain("Map its columns");
  });

  it("never says nothing was changed: files of the same import may have been committed before it", () => {
    for (const code of ["cancelled", "database", "internal", "io", "conflict", "frozen", "validation"] as const) {
      const r = refusal(failed("/d/b.json", code, { committed_before: ["/d/a.json"] }))!;
      expect(`${r.title} ${r.hint}`, code).not.toMatch(/nothing (was|has been) (changed|written)|nothing (from it )?was imported/i);
    }
    expect(refusal(failed("/d/b.json", "cancelled"))!.hint).toBe("You can start it again at any time.");
  });

  it("names the files committed before it, the first three and how many more", () => {
    expect(committedBeforeText(failed("/d/a.json", "database"))).toBeNull();
    expect(committedBeforeText(failed("/d/a.json", "database", { committed_before: [] }))).toBeNull();
    expect(committedBeforeText(failed("/d/b.json", "database", { committed_before: ["/d/a.json"] }))).toBe(
      "The file imported before it (/d/a.json) stays imported.",
    );
    const five = ["1.json", "2.json", "3.json", "4.json", "5.json"];
    expect(committedBeforeText(failed("/d/6.json", "cancelled", { committed_before: five }))).toBe(
      "The 5 files imported before it (1.json, 2.json, 3.json and 2 more) stay imported.",
    );
    expect(committedBeforeText({ ...base, committed_before: ["x.json"] } as FileImportReport)).toBeNull();
  });

  it("tells CSV exports by their names", () => {
    expect(isCsvName("/a/b.CSV")).toBe(true);
    expect(isCsvName("/a/b.tsv ")).toBe(true);
    expect(isCsvName("/a/b.csv.pdf")).toBe(false);
  });
});

describe("importConsequences", () => {
  const reg = {
    format: "ofgem-csv",
    format_name: "Ofgem",
    seen_before: null,
    unchanged: 0,
    skipped_rows: [{ place: "line 7", reason: "RO" }],
    notes: [],
    stations: 0,
    commissioned_filled: 0,
    overlaps: [{} as never, {} as never],
    incomplete_eacs: 3,
    missing_fields: [],
    restatements: [],
    restatement_count: 0,
  } as RegistryImportReport;

  it("says up front what is not shown, what blocks exports and what to check", async () => {
    const { importConsequences } = await import("./importReport");
    const said = importConsequences(
      {
        files: [
          { ...base, file: "/d/certs.csv", registry: reg, ignored: 1 } as FileImportReport,
          { ...base, file: "/d/bad.json", outcome: "failed" } as unknown as FileImportReport,
        ],
      } as never,
      false,
    );
    expect(said).toEqual([
      "1 file could not be imported: none of its EACs are in the table.",
      "1 EAC was left out (a beneficiary type the CDS does not know): it is not in the table.",
      "3 EACs lack fields the CDS requires: exports stop at them until they are completed.",
      "2 ranges share certificates with ranges already stored: check them for double counting.",
      "1 row of the documents was skipped: not in the table (listed below).",
    ]);
  });

  it("says when skipped EACs were stored otherwise than the file states them (not marked checked)", async () => {
    const { importConsequences, skippedText } = await import("./importReport");
    const differing = { ...base, skipped: 3, skipped_differing: 1 } as FileImportReport;
    expect(importConsequences({ files: [differing] } as never, false)).toEqual([
      "1 EAC is stored otherwise than the files state it (a later version is stored, or the same cds_modified with other content, listed in the warnings): the stored EAC was kept and not marked as checked against the files.",
    ]);
    expect(importConsequences({ files: [{ ...differing, skipped_differing: 2 }] } as never, true)).toEqual([
      "2 EACs are stored otherwise than the files state them (a later version is stored, or the same cds_modified with other content, listed in the warnings): the stored EACs would be kept and not marked as checked against the files.",
    ]);
    expect(skippedText(differing)).toBe(
      "skipped (1 of them differs from the stored EAC: a later version is stored, or the file states it otherwise with the same cds_modified; the stored one is kept, not marked as checked against this file)",
    );
    expect(skippedText({ ...base, skipped: 3 } as FileImportReport)).toBe("skipped (already present, unchanged)");
  });

  it("says when EACs deleted before are stored again (tester 37)", async () => {
    const { importConsequences } = await import("./importReport");
    const readded = { ...base, added: 2, readded: 1 } as FileImportReport;
    expect(importConsequences({ files: [readded] } as never, false)).toEqual([
      "1 EAC deleted from this database before is stored again (named in the warnings); its history records it as added again, after the reason it was deleted. Delete it again if it must not be here.",
    ]);
    expect(importConsequences({ files: [{ ...readded, readded: 2 }] } as never, true)).toEqual([
      "2 EACs deleted from this database before would be stored again (named in the warnings); each one's history would record it as added again, after the reason it was deleted. Delete them again if they must not be here.",
    ]);
  });

  it("is silent after a clean import, and speaks of a dry run in the conditional", async () => {
    const { importConsequences } = await import("./importReport");
    expect(importConsequences({ files: [base] } as never, false)).toEqual([]);
    const dry = importConsequences({ files: [{ ...base, registry: { ...reg, overlaps: [], skipped_rows: [] } } as FileImportReport] } as never, true);
    expect(dry).toEqual(["3 EACs would lack fields the CDS requires: exports stop at them until they are completed."]);
  });
});
