import { describe, expect, it } from "vitest";
import { importExtras, refusedForTechnology } from "./importReport";
import type { FileImportReport } from "./types";

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
