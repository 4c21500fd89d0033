import { describe, expect, it } from "vitest";
import {
  alteredDocumentText,
  checkFoundProblems,
  checkSummary,
  findingHeadline,
  groupFindings,
  rangeText,
  sideDetails,
} from "./problems";
import type { Finding, FindingKind, FindingSide, Violation } from "./types";

const side = (id: string, over: Partial<FindingSide> = {}): FindingSide => ({
  cds_eac_id: id,
  first: "G01821BWEN0000004000010323310323GEN",
  last: "G01821BWEN0000005999010323310323GEN",
  status: "redeemed",
  retired: true,
  beneficiary: "Another Supplier Ltd",
  ...over,
});

const finding = (kind: FindingKind, shared = "1000"): Finding => ({
  kind,
  registry: "ofgem",
  a: side("ofgem:a"),
  b: side("ofgem:b", { status: "issued", retired: false, beneficiary: null }),
  shared,
  message: "",
});

describe("findings in words", () => {
  it("names both sides with range, status, retirement and beneficiary", () => {
    expect(rangeText(side("x"))).toBe(
      "certificates G01821BWEN0000004000010323310323GEN – G01821BWEN0000005999010323310323GEN",
    );
    expect(rangeText(side("x", { first: "7", last: "7" }))).toBe("certificate 7");
    expect(sideDetails(side("x"))).toBe("status redeemed · retired · for Another Supplier Ltd");
    expect(sideDetails(side("x", { status: null, retired: false, beneficiary: null }))).toBe(
      "not retired · no beneficiary named",
    );
  });
  it("heads each finding with the shared certificates, exactly", () => {
    expect(findingHeadline(finding("overlap"))).toBe("1 000 certificates of ofgem are held by two stored EACs:");
    expect(findingHeadline(finding("claimed_twice", "1"))).toBe(
      "1 certificate of ofgem is claimed for two different beneficiaries:",
    );
    expect(findingHeadline(finding("retired_twice", "123456789012345678901234567890"))).toBe(
      "123 456 789 012 345 678 901 234 567 890 certificates of ofgem are retired twice:",
    );
  });
  it("groups findings by kind, the worst first, leaving out kinds without any", () => {
    const groups = groupFindings([finding("overlap"), finding("claimed_twice"), finding("overlap")]);
    expect(groups.map((g) => [g.kind, g.findings.length])).toEqual([
      ["claimed_twice", 1],
      ["overlap", 2],
    ]);
  });
  it("words a filtered check by the matching EACs' ranges, not the whole database's (decision 419)", () => {
    expect(checkSummary({ ranges: 11, matching_ranges: 0, findings: [], documents: [], violations: [] })).toBe(
      "No double counting found for the matching EACs (0 of the 11 stored ranges are theirs).",
    );
    expect(checkSummary({ ranges: 11, matching_ranges: 1, findings: [finding("overlap")], documents: [], violations: [] })).toBe(
      "1 problem for the matching EACs (1 of the 11 stored ranges is theirs): 1 overlapping certificate ranges.",
    );
  });
  it("says when nothing was found, and among how many ranges", () => {
    expect(checkSummary({ ranges: 11, findings: [], documents: [], violations: [] })).toBe("No double counting found among 11 ranges.");
    expect(checkSummary({ ranges: 12, findings: [finding("overlap"), finding("claimed_twice")], documents: [], violations: [] })).toBe(
      "2 problems among 12 ranges: 1 claimed for two different beneficiaries, 1 overlapping certificate ranges.",
    );
  });
});

describe("stored documents changed by another program", () => {
  const doc = { file_name: "statement.pdf", sha256: "c7df", found: "7ef2", eacs: 2 };
  it("are counted in the summary and named with both hashes", () => {
    expect(checkSummary({ ranges: 3, findings: [], documents: [doc], violations: [] })).toBe(
      "No double counting found among 3 ranges. 1 stored document was changed by another program.",
    );
    expect(checkFoundProblems({ ranges: 3, findings: [], documents: [doc], violations: [] })).toBe(true);
    expect(checkFoundProblems({ ranges: 3, findings: [], documents: [], violations: [] })).toBe(false);
    expect(alteredDocumentText(doc)).toBe("statement.pdf (source of 2 EACs): stored as SHA-256 c7df, its bytes now have 7ef2");
  });
});

describe("stored EACs every export refuses", () => {
  const long: Violation = {
    rule: 2,
    severity: "error",
    file: null,
    line: null,
    column: null,
    pointer: "/source_name",
    cds_eac_id: "e-01",
    message: "`source_name` is text longer than 4096 characters (5000): at most 4096; shorten it",
  };
  it("are a problem of the check, counted in the summary", () => {
    const r = { ranges: 3, findings: [], documents: [], violations: [long] };
    expect(checkFoundProblems(r)).toBe(true);
    expect(checkSummary(r)).toBe("No double counting found among 3 ranges. 1 rule violation in stored EACs stops every export.");
    expect(checkSummary({ ...r, violations: [long, long] })).toBe(
      "No double counting found among 3 ranges. 2 rule violations in stored EACs stop every export.",
    );
  });
});
