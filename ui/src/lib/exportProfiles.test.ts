import { describe, expect, it } from "vitest";
import {
  EXPORT_PROFILES,
  defaultProfile,
  allExportCount,
  exportBlocker,
  isEnvelopeOnlyViolation,
  isMissingEmissionViolation,
  pathHint,
  profileInfo,
  refusalAdvice,
  incompleteEacIds,
  isIncompleteViolation,
} from "./exportProfiles";
import type { Violation } from "./types";

function violation(rule: number, cds_eac_id: string | null, message: string): Violation {
  return { rule, severity: "error", file: "/x/out.json", line: null, column: null, pointer: "", cds_eac_id, message };
}

describe("export profiles", () => {
  it("offers P1 (a file) and P2 (a folder), P1 first and by default", () => {
    expect(EXPORT_PROFILES.map((p) => p.id)).toEqual(["p1", "p2"]);
    expect(defaultProfile()).toBe("p1");
    expect(profileInfo("p1").target).toBe("file");
    expect(profileInfo("p2").target).toBe("folder");
    expect(profileInfo("p2").label).toBe("P2 · CDS-WG3-01 v1 bundle");
    expect(profileInfo("p2").description).toMatch(/FOLDER/);
    expect(profileInfo("p2").description).toMatch(/eacs\.json/);
    expect(profileInfo("p2").description).toMatch(/server-metadata\.json/);
  });
});

describe("path hints", () => {
  it("warns about .json for a bundle folder and offers the name without it", () => {
    const h = pathHint("p2", "/home/me/eacs-2024-05-01.json", false);
    expect(h?.text).toMatch(/folder/);
    expect(h?.fix).toBe("/home/me/eacs-2024-05-01");
    expect(pathHint("p2", "/home/me/eacs-bundle", true)).toBeNull();
  });
  it("warns about a missing .json for P1 only after a profile switch", () => {
    expect(pathHint("p1", "/home/me/eacs-bundle", false)).toBeNull();
    const h = pathHint("p1", "/home/me/eacs-bundle", true);
    expect(h?.text).toMatch(/\.json/);
    expect(h?.fix).toBe("/home/me/eacs-bundle.json");
    expect(pathHint("p1", "/home/me/eacs.json", true)).toBeNull();
  });
  it("says nothing for an empty path", () => {
    expect(pathHint("p1", "  ", true)).toBeNull();
    expect(pathHint("p2", "", true)).toBeNull();
  });
});

describe("all-EACs count", () => {
  it("adds envelope-only EACs for a bundle only", () => {
    expect(allExportCount("p2", 10, 3)).toBe(13);
    expect(allExportCount("p1", 10, 3)).toBe(10);
    expect(allExportCount("p2", null, 3)).toBeNull();
  });
});

describe("export blocker", () => {
  const ok = { profile: "p1" as const, path: "/x/a.json", scopeCount: 3, baseUrl: "" };
  it("needs a path, named after what is written", () => {
    expect(exportBlocker({ ...ok, path: " " })).toBe("Enter or choose where to save the file.");
    expect(exportBlocker({ ...ok, profile: "p2", path: "" })).toBe("Enter or choose the bundle folder.");
  });
  it("needs EACs", () => {
    expect(exportBlocker({ ...ok, scopeCount: 0 })).toBe("There are no EACs to export.");
    expect(exportBlocker({ ...ok, scopeCount: null })).toBeNull();
  });
  it("blocks a bad base URL for P2 only", () => {
    expect(exportBlocker({ ...ok, profile: "p2", baseUrl: "http://example.org/" })).toMatch(/https/);
    expect(exportBlocker({ ...ok, profile: "p2", baseUrl: "not a url" })).toMatch(/^Fix the “Publish at” address/);
    expect(exportBlocker({ ...ok, profile: "p2", baseUrl: "https://example.org/eacs/" })).toBeNull();
    expect(exportBlocker({ ...ok, profile: "p2", baseUrl: "   " })).toBeNull();
    // hidden for P1: never blocks it
    expect(exportBlocker({ ...ok, profile: "p1", baseUrl: "http://example.org/" })).toBeNull();
  });
  it("blocks P1 of everything while EACs without values exist, and says what to do", () => {
    const b = exportBlocker({ ...ok, scopeAll: true, envelopeOnly: 2 });
    expect(b).toMatch(/^2 EACs in this database have no values/);
    expect(b).toMatch(/bundle, or export only the current filter/);
    expect(exportBlocker({ ...ok, scopeAll: true, envelopeOnly: 1 })).toMatch(/^1 EAC in this database has no values/);
    // a filtered P1 export cannot contain them; a P2 bundle carries them
    expect(exportBlocker({ ...ok, scopeAll: false, envelopeOnly: 2 })).toBeNull();
    expect(exportBlocker({ ...ok, profile: "p2", scopeAll: true, envelopeOnly: 2 })).toBeNull();
    expect(exportBlocker({ ...ok, scopeAll: true, envelopeOnly: 0 })).toBeNull();
  });
  it("allows a path ending in .json for P2 (only a hint)", () => {
    expect(exportBlocker({ ...ok, profile: "p2", path: "/x/a.json" })).toBeNull();
  });
});

describe("refusal advice", () => {
  const envelope = (id: string) =>
    violation(
      16,
      id,
      `EAC \`${id}\` is envelope-only (imported from a P2 listing without its detail data): it has no values and cannot be exported as P1; export as P2 or import its detail data`,
    );
  const missing = (id: string, field: string) =>
    violation(6, id, `\`${field}\` has no number; enter the emission factor before exporting`);

  it("recognises the two kinds of refusal", () => {
    expect(isEnvelopeOnlyViolation(envelope("a"))).toBe(true);
    expect(isEnvelopeOnlyViolation(violation(16, "a", "values must not be empty"))).toBe(false);
    expect(isMissingEmissionViolation(missing("a", "emissions_factor_lca"))).toBe(true);
    expect(isMissingEmissionViolation(violation(5, "a", "emission something"))).toBe(false);
  });

  it("explains envelope-only EACs for P1 and counts each EAC once", () => {
    const advice = refusalAdvice("p1", [envelope("a"), envelope("b")]);
    expect(advice).toHaveLength(1);
    expect(advice[0]).toMatch(/^2 EACs were imported from a P2 listing/);
    expect(advice[0]).toMatch(/CDS-WG3-01 v1 bundle/);
    const single = refusalAdvice("p1", [envelope("a"), envelope("a")])[0];
    expect(single).toMatch(/^1 EAC was imported from a P2 listing without its detail data, so it has no values/);
    expect(single).toMatch(/This EAC is not in the table/);
    expect(advice[0]).toMatch(/These EACs are not in the table/);
    // a bundle export never gets this advice
    expect(refusalAdvice("p2", [envelope("a")])).toEqual([]);
  });

  it("counts EACs, not fields, for missing emission factors", () => {
    const advice = refusalAdvice("p1", [
      missing("a", "emissions_factor_direct"),
      missing("a", "emissions_factor_lca"),
      missing("b", "emissions_factor_lca"),
    ]);
    expect(advice).toEqual([
      "2 EACs have no emission factor. Tick “Missing emission factors” in the filter bar to list them, then enter the factors in the Details tab of each one.",
    ]);
  });

  it("gives both pieces of advice when both happen, and none for other rules", () => {
    expect(refusalAdvice("p1", [envelope("a"), missing("b", "emissions_factor_lca")])).toHaveLength(2);
    expect(refusalAdvice("p1", [violation(3, "a", "bad date")])).toEqual([]);
  });

  it("names the incomplete EACs and their missing fields, once each", () => {
    const gap = (id: string, i: number, field: string) => ({
      ...violation(2, id, `\`${field}\` is missing: the document this EAC came from does not give it; enter it before exporting`),
      pointer: `/eacs/${i}/${field}`,
    });
    const lca = { ...missing("eecs:1..9", "emissions_factor_lca"), pointer: "/eacs/0/emissions_factor_lca" };
    const vs = [
      gap("eecs:1..9", 0, "destination_id"),
      gap("eecs:1..9", 0, "asset_origination"),
      lca,
      gap("ofgem:A..B", 1, "destination_id"),
      gap("ofgem:A..B", 1, "values/0/issued"),
    ];
    expect(isIncompleteViolation(vs[0])).toBe(true);
    expect(isIncompleteViolation(lca)).toBe(false);
    expect(incompleteEacIds(vs)).toEqual(["eecs:1..9", "ofgem:A..B"]);
    // the factor of an incomplete EAC is told with its other fields, not as a second piece of advice
    expect(refusalAdvice("p1", vs)).toEqual([
      "EACs are incomplete (eecs:1..9, ofgem:A..B): the documents they came from do not give Destination id, " +
        "Asset origination, Life-cycle emission factor, Issue date of a value. Click “Show incomplete EACs” to list them all " +
        "in the table, then complete the fields in the Details tab, or for all of them at once with “Complete fields…” above the table.",
    ]);
    const one = refusalAdvice("p1", vs.slice(0, 2))[0];
    expect(one).toBe(
      "An EAC is incomplete (eecs:1..9): the document it came from does not give Destination id, Asset origination. " +
        "Click “Show incomplete EACs” to list it in the table, then complete the fields in the Details tab.",
    );
    const many = ["a", "b", "c", "d", "e"].map((id, i) => gap(id, i, "destination_id"));
    expect(refusalAdvice("p1", many)[0]).toMatch(/^EACs are incomplete \(a, b, c and 2 more listed below\)/);
    expect(refusalAdvice("p2", [...vs, missing("other", "emissions_factor_lca")])).toHaveLength(2);
  });
});
