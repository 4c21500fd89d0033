import { describe, expect, it } from "vitest";
import type { ChainReport, ClosedPeriod, EacFilter, Manifest, PackDiff, PackVerdict } from "./types";
import { formatCount } from "./decimal";
import type { PackPartChange } from "./types";
import {
  auditChangeText,
  auditFieldText,
  chainAdvice,
  chainStateText,
  claimChangeText,
  closePeriodProblems,
  defaultPackName,
  diffOrigin,
  diffSummary,
  diffUnchanged,
  fieldChangeText,
  historyChangedText,
  sourceChangeText,
  fingerprintProblem,
  frozenNotice,
  packBlocker,
  packScopeText,
  periodClosedText,
  periodState,
  problemPlace,
  refusedForIncomplete,
  completeOnlyFilter,
  verdictFacts,
  verdictHeadline,
} from "./evidence";

const FP = "ab12-cd34-ef56-7890-ab12-cd34-ef56-7890";

const manifest: Manifest = {
  format: "eacdesk-pack-v1",
  title: "FY2024 filing",
  created_at: "2026-01-05T10:00:00Z",
  program: { name: "EAC Desk", version: "0.1.0" },
  filter: {} as EacFilter,
  selection: "every EAC in the database",
  counts: { eacs: 8, values: 16, sources: 0, audit_records: 9 },
  totals: [],
  closed_periods: [],
  audit: { head: "f00d", records: 9 },
  key: { algorithm: "ed25519", public_key: "00", fingerprint: FP },
  files: [
    { path: "eacs.json", size: 10, sha256: "aa" },
    { path: "audit.jsonl", size: 10, sha256: "bb" },
  ],
};

function verdict(ok: boolean, problems: PackVerdict["problems"] = []): PackVerdict {
  // as the app sends it: the manifest without its list of files, their count beside it
  return { path: "/p", ok, problems, manifest: { ...manifest, files: [] }, file_count: 2, manifest_sha256: "cafe" };
}

const period: ClosedPeriod = {
  id: 3,
  from: "2024-01-01",
  to: "2024-12-31",
  closed_at: "2025-02-01T09:30:00Z",
  closed_by: "ana",
  reason: "filed with the regulator",
  reopened_at: null,
  reopened_by: null,
  reopen_reason: null,
  eac_count: 12,
};

describe("the audit chain in words", () => {
  it("says intact with the number of records", () => {
    const r: ChainReport = { records: 42, head: "ab", broken: null };
    expect(chainStateText(r)).toEqual({ ok: true, text: "Audit log intact (42 records)" });
    expect(chainStateText({ records: 1, head: "ab", broken: null }).text).toBe("Audit log intact (1 record)");
  });

  it("names the first broken record and why", () => {
    const r: ChainReport = {
      records: 42,
      head: null,
      broken: { id: 17, position: 15, reason: "its content does not match its hash" },
    };
    expect(chainStateText(r)).toEqual({
      ok: false,
      text: "Audit log changed outside EAC Desk: broken at record 17 — its content does not match its hash",
    });
  });

  it("says a history changed after a pack was made, naming the pack", () => {
    const pack = {
      id: 2,
      created_at: "2026-01-05T10:00:00Z",
      title: null,
      filter: {} as EacFilter,
      manifest_sha256: "cafe",
      audit_head: "f00d",
      audit_records: 9,
      eac_count: 8,
      key_fingerprint: FP,
      path: "/p",
    };
    const r: ChainReport = { records: 12, head: null, broken: { id: 9, position: 9, reason: "evidence pack 2 …", pack } };
    expect(chainStateText(r)).toEqual({
      ok: false,
      text: "Audit log changed outside EAC Desk after evidence pack 2 was made: record 9, the pack's last, is no longer what the pack recorded — evidence pack 2 …",
    });
    expect(chainAdvice(r)).toMatch(/What changed since\? on that pack names each record that differs/);
    expect(chainAdvice({ ...r, broken: { ...r.broken!, pack: undefined } })).toMatch(/from this point/);
    expect(chainAdvice({ records: 1, head: "ab", broken: null })).toBeNull();
  });
});

describe("making a pack", () => {
  it("names the folder, the scope and what blocks it", () => {
    expect(defaultPackName("2026-05-01")).toBe("evidence-pack-2026-05-01");
    expect(packScopeText(false, 1200)).toBe(`Every EAC in the database (${formatCount(1200)})`);
    expect(packScopeText(true, 1)).toBe("The 1 EAC in the current filter");
    expect(packScopeText(true, null)).toBe("The … EACs in the current filter");
    expect(packBlocker("", 3)).toBe("Choose the folder for the pack.");
    expect(packBlocker("/tmp/p", 0)).toMatch(/No EAC matches/);
    expect(packBlocker("/tmp/p", 3)).toBeNull();
  });

  it("offers Show incomplete EACs only for a refusal that names them", () => {
    expect(refusedForIncomplete({ code: "validation", message: "", details: { cds_eac_ids: ["a"] } })).toBe(true);
    expect(refusedForIncomplete({ code: "validation", message: "", details: {} })).toBe(false);
    expect(refusedForIncomplete({ code: "invalid_input", message: "", details: { cds_eac_ids: ["a"] } })).toBe(false);
    expect(refusedForIncomplete(null)).toBe(false);
  });

  it("packs the complete EACs only of the same filter, as `eacdesk pack --complete`", () => {
    const f = { search: "wind", incomplete: null, from: "2024-01-01" } as unknown as EacFilter;
    expect(completeOnlyFilter(f)).toEqual({ search: "wind", incomplete: false, from: "2024-01-01" });
    expect(f.incomplete).toBeNull();
  });
});

describe("a pack's verdict in words", () => {
  it("an intact pack gives its signer, files, audit records and head", () => {
    const v = verdict(true);
    expect(verdictHeadline(v)).toBe("Intact: the pack is exactly as it was signed.");
    const facts = Object.fromEntries(verdictFacts(v).map((f) => [f.testid, f.value]));
    expect(facts.fingerprint).toBe(FP);
    expect(facts.files).toBe("4"); // two listed + MANIFEST.json + MANIFEST.sig
    expect(facts["audit-records"]).toBe("9");
    expect(facts["audit-head"]).toBe("f00d");
  });

  it("a changed pack counts its problems, each naming its file or record", () => {
    const v = verdict(false, [
      { file: "eacs.json", record: null, message: "its SHA-256 differs" },
      { file: "audit.jsonl", record: 12, message: "hash differs" },
      { file: "", record: null, message: "extra.txt was added" },
    ]);
    expect(verdictHeadline(v)).toBe(
      "Not intact: 3 problems found. Each is listed with the file or audit record concerned.",
    );
    expect(v.problems.map(problemPlace)).toEqual(["eacs.json", "audit.jsonl, record 12", "the pack folder"]);
  });

  it("checks a typed fingerprint only for its shape", () => {
    expect(fingerprintProblem("")).toBeNull();
    expect(fingerprintProblem(FP)).toBeNull();
    expect(fingerprintProblem(FP.replace(/-/g, "").toUpperCase())).toBeNull();
    expect(fingerprintProblem("ab12-cd34")).toMatch(/32 hex digits .* has 8/);
    expect(fingerprintProblem("zz12")).toMatch(/only the digits/);
  });
});

describe("what changed since a pack", () => {
  const base: PackDiff = {
    path: "/p",
    record: null,
    verdict: verdict(true),
    head_found: true,
    key_recorded: true,
    pack_changed: false,
    history_changed: false,
    audit_changes: [],
    audit_changes_more: 0,
    added: [],
    removed: [],
    edited: [],
    unchanged: 8,
    claims: [],
    sources: [],
    database_records: [],
  };
  const change = { cds_eac_id: "x", deleted: false, records: [], fields: [], fields_more: 0, unrecorded: false };

  it("says nothing changed, or what did", () => {
    expect(diffSummary(base)).toBe("Nothing changed since the pack was made: its 8 EACs are as filed.");
    expect(diffSummary({ ...base, edited: [change], added: [change, change], unchanged: 7 })).toBe(
      "Since the pack was made: 2 added, 1 edited; 7 unchanged.",
    );
    expect(diffSummary({ ...base, verdict: verdict(false) })).toMatch(/no basis for comparison/);
  });

  it("says a deleted or changed claim, a changed document and a changed history are changes too", () => {
    const claim = (claim_id: number, change: PackPartChange) => ({
      claim_id,
      name: "Q1",
      change,
      fields: [],
      fields_more: 0,
      records: [],
    });
    const claims = [claim(1, "removed"), claim(2, "changed")];
    const sources = [{ file: "sources/ab-x.csv", sha256: "ab", change: "changed" as const, stored_sha256: "cd" }];
    const d = { ...base, claims, sources, history_changed: true, head_found: false };
    expect(diffUnchanged(base)).toBe(true);
    expect(diffUnchanged({ ...base, claims })).toBe(false);
    expect(diffUnchanged({ ...base, sources })).toBe(false);
    expect(diffUnchanged({ ...base, history_changed: true })).toBe(false);
    expect(diffSummary(d)).toBe(
      "Since the pack was made: no EAC changed (8 as filed); 1 claim deleted; 1 claim changed; 1 source document not stored as packed; the audit log before the pack was changed.",
    );
    expect(claimChangeText(claim(1, "removed"))).toBe(
      "Claim 1 “Q1” was deleted since the pack: the pack's claims/claim-1.json states an allocation that no longer exists.",
    );
    expect(sourceChangeText(sources[0])).toBe(
      "sources/ab-x.csv: the document stored under SHA-256 ab now has the SHA-256 cd (changed in the database outside EAC Desk).",
    );
    expect(historyChangedText({ ...d, verdict: { ...verdict(true), manifest } })).toMatch(
      /^The audit log was changed after this pack was made: .* \(record 9\)\./,
    );
  });

  it("names the audit records and fields that differ, packed → now", () => {
    const f = { field: "reason", before: "fix name", after: "nothing to see" };
    expect(fieldChangeText(f)).toBe("reason: “fix name” → “nothing to see”");
    expect(fieldChangeText({ field: "values[1]", before: "x".repeat(90), after: null })).toBe(
      `values[1]: “${"x".repeat(80)}…” → (absent)`,
    );
    const changed = { id: 1, change: "changed" as const, fields: [f], redacted: false };
    expect(auditChangeText(changed)).toBe("Record 1 changed");
    expect(auditFieldText(changed, f)).toBe("reason: “fix name” → “nothing to see”");
    const removed = { id: 4, change: "removed" as const, fields: [{ field: "reason", before: "gone", after: null }], redacted: false };
    expect(auditChangeText(removed)).toBe("Record 4 removed (in the pack, not in the log)");
    expect(auditFieldText(removed, removed.fields[0])).toBe("reason: “gone”");
    expect(auditChangeText({ ...changed, fields: [], redacted: true })).toMatch(/holds only its hash/);
  });

  it("says where the pack came from", () => {
    expect(diffOrigin(base)).toBe("This database has no record of making this pack.");
    expect(diffOrigin({ ...base, head_found: false })).toMatch(/not made from this database/);
    const record = {
      id: 1,
      created_at: "2026-01-05T10:00:00Z",
      title: null,
      filter: {} as EacFilter,
      manifest_sha256: "cafe",
      audit_head: null,
      audit_records: 0,
      eac_count: 8,
      key_fingerprint: FP,
      path: "/p",
    };
    expect(diffOrigin({ ...base, record })).toBe("Made from this database on 2026-01-05 10:00 UTC.");
    // Signed by a key no recorded pack was: both explanations.
    expect(diffOrigin({ ...base, key_recorded: false })).toMatch(/by someone else .* or it is a pack of this database changed and signed again/);
    // The moment and head of pack 1, another manifest and signer.
    const other = { ...verdict(true), manifest: { ...manifest, key: { ...manifest.key, fingerprint: "ffff" } } };
    const forged = { ...base, verdict: other, not_the_recorded: record };
    expect(diffOrigin(forged)).toBe(
      `This is not the pack this database recorded as pack 1 (made 2026-01-05 10:00 UTC from the same audit log, in /p): its manifest differs and it is signed by the key ffff, not by ${FP}. It was changed and signed again after it was made: do not rely on it.`,
    );
    expect(diffUnchanged(forged)).toBe(false);
  });
});

describe("closed periods in words", () => {
  it("the detail pane names the period, who closed it, why, and how to reopen", () => {
    const text = frozenNotice([period]);
    expect(text).toContain("a closed reporting period");
    expect(text).toContain("2024-01-01 to 2024-12-31");
    expect(text).toContain("closed by ana on 2025-02-01 09:30 UTC");
    expect(text).toContain("“filed with the regulator”");
    expect(text).toContain("reopen the period with a reason");
    expect(frozenNotice([period, { ...period, id: 4 }])).toContain("2 closed reporting periods");
    expect(frozenNotice([])).toBe("");
  });

  it("the close form needs two days in order and a reason", () => {
    expect(closePeriodProblems("2024-01-01", "2024-12-31", "filed")).toEqual([]);
    expect(closePeriodProblems("2024-13-01", "", " ")).toEqual([
      "Enter the first day as YYYY-MM-DD.",
      "Enter the last day as YYYY-MM-DD.",
      "Give a reason (it is kept in the History).",
    ]);
    expect(closePeriodProblems("2024-12-31", "2024-01-01", "x")).toEqual(["The last day comes before the first day."]);
  });

  it("a period's state says frozen or who reopened it and why", () => {
    expect(periodState(period)).toBe("Closed: 12 EACs frozen");
    expect(
      periodState({ ...period, reopened_at: "2025-03-01T00:00:00Z", reopened_by: "bo", reopen_reason: "correction" }),
    ).toBe("Reopened by bo on 2025-03-01 00:00 UTC: “correction”");
  });

  it("names who closed and reopened a period beside the login, as the History does", () => {
    const named = {
      ...period,
      closed_by_name: "Ana López",
      reopened_at: "2025-03-01T00:00:00Z",
      reopened_by: "bo",
      reopened_by_name: "Bo Berg",
      reopen_reason: "correction",
    };
    expect(periodClosedText(named)).toBe("Period 3, closed by Ana López (ana) on 2025-02-01 09:30 UTC: “filed with the regulator”");
    expect(periodState(named)).toBe("Reopened by Bo Berg (bo) on 2025-03-01 00:00 UTC: “correction”");
    expect(frozenNotice([{ ...period, closed_by_name: "Ana López" }])).toContain("closed by Ana López (ana) on");
    // no name kept: the login alone
    expect(periodClosedText(period)).toBe("Period 3, closed by ana on 2025-02-01 09:30 UTC: “filed with the regulator”");
  });
});
