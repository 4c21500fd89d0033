import { describe, expect, it } from "vitest";
import {
  countsInWords,
  failedFileIndex,
  limitRows,
  orderedCounts,
  refdataCountText,
  refdataFailureText,
  refdataQuery,
  REFDATA_TYPES,
} from "./refdataView";
import type { Violation } from "./types";

function violation(file: string | null): Violation {
  return { rule: 1, severity: "error", message: "bad", file, line: null, column: null, pointer: "", cds_eac_id: null };
}

describe("reference data counts in words", () => {
  it("uses singular and plural nouns in plain words", () => {
    expect(refdataCountText("account", 1)).toBe("1 account");
    expect(refdataCountText("account", 2)).toBe("2 accounts");
    expect(refdataCountText("servicecontract", 3)).toBe("3 service contracts");
    expect(refdataCountText("rateplan", 1)).toBe("1 rate plan");
    expect(refdataCountText("customer", 12345)).toBe("12 345 customers");
  });
  it("lists types in a fixed order and leaves out zero counts", () => {
    const counts = [
      { beneficiary_type: "customer" as const, count: 1 },
      { beneficiary_type: "program" as const, count: 0 },
      { beneficiary_type: "account" as const, count: 2 },
    ];
    expect(countsInWords(counts)).toBe("1 customer, 2 accounts");
    expect(orderedCounts(counts).map((c) => c.beneficiary_type)).toEqual(["customer", "account"]);
    expect(countsInWords([])).toBe("");
  });
  it("offers every type but general", () => {
    expect(REFDATA_TYPES).toEqual(["customer", "account", "servicecontract", "rateplan", "program"]);
  });
});

describe("browse query", () => {
  it("maps any and empty search to null", () => {
    expect(refdataQuery("", "  ")).toEqual({ type: null, search: null });
    expect(refdataQuery("account", " Acme ")).toEqual({ type: "account", search: "Acme" });
    expect(refdataQuery("general", "")).toEqual({ type: null, search: null });
  });
  it("shows at most the limit and says whether more exist", () => {
    expect(limitRows([1, 2, 3], 3)).toEqual({ shown: [1, 2, 3], more: false });
    expect(limitRows([1, 2, 3, 4], 3)).toEqual({ shown: [1, 2, 3], more: true });
    expect(limitRows([], 3)).toEqual({ shown: [], more: false });
  });
});

describe("where an import stopped", () => {
  const paths = ["/a/accounts.json", "/a/contracts.json", "/b/programs.csv"];
  it("finds the file named in the message", () => {
    expect(failedFileIndex(paths, "/a/contracts.json was not imported: …", [])).toBe(1);
  });
  it("finds the file named by a violation, by full path or base name", () => {
    expect(failedFileIndex(paths, "", [violation("/b/programs.csv")])).toBe(2);
    expect(failedFileIndex(paths, "", [violation("programs.csv")])).toBe(2);
  });
  it("returns -1 when no file is named", () => {
    expect(failedFileIndex(paths, "something", [violation(null)])).toBe(-1);
  });
  it("says what was kept and what was not tried", () => {
    const t = refdataFailureText(paths, 1);
    expect(t).toContain("Nothing from contracts.json was written.");
    expect(t).toContain("accounts.json was imported and kept.");
    expect(t).toContain("programs.csv was not tried");
    expect(refdataFailureText(paths, 0)).not.toContain("kept");
    expect(refdataFailureText(paths, 2)).toContain("accounts.json and contracts.json were imported and kept.");
    expect(refdataFailureText(["/x.json"], -1)).toBe("Nothing from the file was written.");
    expect(refdataFailureText(paths, -1)).toContain("files before it");
  });
});
