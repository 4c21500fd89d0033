import { describe, expect, it } from "vitest";
import type { AuditAction } from "./types";
import {
  auditActionLabel,
  auditSummary,
  fieldChangeText,
  historyCountText,
  savedNote,
  savedText,
  showsAssignments,
} from "./history";

const acct = { beneficiary_type: "account" as const, beneficiaries: ["A-1"] };
const gen = { beneficiary_type: "general" as const, beneficiaries: [] };
const base = { before: acct, after: acct, source_file: null, import_batch_id: null, reviewed: false, removed: false };

describe("history in words", () => {
  it("names every recorded action", () => {
    expect(auditActionLabel("delete")).toBe("Deleted");
    expect(auditActionLabel("undo_import")).toBe("Import undone");
    expect(auditActionLabel("import_replace")).toBe("Replaced by an import");
    expect(auditActionLabel("verify")).toBe("Marked as verified");
    expect(auditActionLabel("unknown")).toBe("Changed by another program");
    expect(auditActionLabel("import_readd")).toBe("Added again by an import");
  });

  it("says an EAC deleted before was stored again by an import (tester 37)", () => {
    const r = { ...base, before: null, action: "import_readd" as AuditAction, source_file: "/data/in/two.json", import_batch_id: 3 };
    expect(auditSummary(r)).toBe(
      "Stored again by the import of two.json after its removal (the record before says why it was removed); this record keeps it as added.",
    );
  });

  it("says which file an import or undo came from", () => {
    const r = { ...base, action: "import_replace" as AuditAction, source_file: "/data/in/march.json", import_batch_id: 4 };
    expect(auditSummary(r)).toBe("A newer version from march.json replaced the stored one.");
    expect(auditSummary({ ...r, action: "undo_import", after: null, removed: true })).toMatch(/^Removed: undoing the import of march.json/);
    expect(auditSummary({ ...r, action: "undo_import" })).toMatch(/^Given back its earlier version/);
    // Tester 37: a registry EAC given back has no beneficiary type either
    // (`after` null); the record's `removed` tells the two apart.
    expect(auditSummary({ ...r, action: "undo_import", after: null })).toMatch(/^Given back its earlier version/);
    // Tester 37: an EAC the undone import had found unchanged only loses the document as a source.
    const sources = { field: "sources", before: "a.csv (line 2); march.json (line 2)", after: "a.csv (line 2)" };
    expect(auditSummary({ ...r, action: "undo_import", changes: [sources] })).toBe(
      "No longer names march.json as a source: undoing the import of march.json, which had found it unchanged; the EAC itself stays as it is.",
    );
    expect(
      auditSummary({ ...r, action: "undo_import", changes: [sources, { field: "cds_modified", before: "a", after: "b" }] }),
    ).toMatch(/^Given back its earlier version/);
    expect(auditSummary({ ...base, action: "import_replace", import_batch_id: 7 })).toMatch(/import 7/);
    expect(auditSummary({ ...base, action: "set_beneficiaries" })).toBeNull();
  });

  it("says a review changed nothing, in the history and after saving (decision 15)", () => {
    const review = { ...base, action: "set_beneficiaries" as AuditAction, reviewed: true };
    expect(auditSummary(review)).toBe(
      "Reviewed: the EAC already had these beneficiaries, so nothing changed; the review is recorded with its reason.",
    );
    expect(auditSummary({ ...review, action: "set_emissions" })).toMatch(/already had these emission factors/);
    const saved = { action: "set_emissions" as AuditAction, cds_eac_id: "E-1", reviewed: true };
    expect(savedText(saved)).toBe("Emission factors of E-1: no change; recorded as reviewed.");
    expect(savedText({ ...saved, reviewed: false })).toBe("Emission factors of E-1 saved.");
    expect(savedText({ ...saved, action: "set_beneficiaries" })).toBe(
      "Beneficiaries of E-1: no change; recorded as reviewed.",
    );
    expect(savedText({ ...saved, action: "set_beneficiaries", reviewed: false })).toBe("Beneficiaries of E-1 saved.");
    expect(savedNote({ reviewed: true })).toBe("No change; recorded as reviewed in History");
    expect(savedNote({ reviewed: false })).toBe("Saved. The change was recorded in History");
  });

  it("shows beneficiaries only where they changed or were edited", () => {
    expect(showsAssignments({ action: "set_beneficiaries", before: acct, after: acct })).toBe(true);
    expect(showsAssignments({ action: "import_replace", before: acct, after: gen })).toBe(true);
    expect(showsAssignments({ action: "import_replace", before: acct, after: acct })).toBe(false);
    expect(showsAssignments({ action: "delete", before: acct, after: null })).toBe(false);
    expect(showsAssignments({ action: "verify", before: null, after: null })).toBe(false);
  });

  it("field changes and counts read as text", () => {
    expect(fieldChangeText({ field: "cds_synced", before: null, after: "2026-01-01T00:00:00Z" })).toBe(
      "cds_synced: (none) → 2026-01-01T00:00:00Z",
    );
    // An import replacement's values, one by one, then those not listed counted.
    expect(fieldChangeText({ field: "value 1", before: "1e3 kWh", after: "2.50 kWh" })).toBe(
      "value 1: 1e3 kWh → 2.50 kWh",
    );
    expect(fieldChangeText({ field: "and 4 more values", before: null, after: null })).toBe("and 4 more values");
    expect(historyCountText(3, 3)).toBe("3 recorded changes");
    expect(historyCountText(1200, 500)).toMatch(/newest 500/);
  });
});
