import { describe, expect, it } from "vitest";
import {
  baseUrlProblem,
  choiceText,
  emissionFactorProblem,
  emissionFormProblems,
  refdataSummary,
  syncedText,
  unknownIdsWarning,
  verifiedMessage,
} from "./refdata";
import baseUrls from "../../../tests/fixtures/base-urls.json";

describe("emission factors are checked as text", () => {
  it("accepts exact decimals and zero", () => {
    for (const ok of ["0", "0.0", "45.106820", "12", "1e-3", " 3.5 "]) {
      expect(emissionFactorProblem("X", ok)).toBeNull();
    }
  });
  it("refuses empty, negative and non-numbers", () => {
    expect(emissionFactorProblem("X", "")).toMatch(/required/);
    expect(emissionFactorProblem("X", "-1")).toMatch(/negative/);
    for (const bad of ["TODO", "1,5", "0x10", "NaN", "Infinity", ".5", "01", "1."]) {
      expect(emissionFactorProblem("X", bad)).toMatch(/number/);
    }
  });
  it("needs both factors and a reason", () => {
    expect(emissionFormProblems("0", "1.5", "registry")).toEqual([]);
    expect(emissionFormProblems("", "x", " ")).toHaveLength(3);
  });
});

describe("P2 base URL", () => {
  it("is optional and must be https without query", () => {
    expect(baseUrlProblem("")).toBeNull();
    expect(baseUrlProblem("https://example.org/eacs/")).toBeNull();
    expect(baseUrlProblem("http://example.org/")).toMatch(/https/);
    expect(baseUrlProblem("example.org")).toMatch(/not a URL/);
    expect(baseUrlProblem("https://example.org/?a=1")).toMatch(/query/);
  });
  it("refuses what the export refuses though the browser would encode it", () => {
    expect(baseUrlProblem("https://example.org/eacs[1]/")).toMatch(/“\[”.*%5B/);
    expect(baseUrlProblem("https://example.org/a|b/")).toMatch(/%7C/);
    expect(baseUrlProblem("https://example.org/a^b/")).toMatch(/%5E/);
    expect(baseUrlProblem("https://example.org/a b/")).toMatch(/space.*%20/);
    expect(baseUrlProblem("https://example.org/café/")).toMatch(/outside ASCII/);
    expect(baseUrlProblem("https://example.org/100%/")).toMatch(/%25/);
    expect(baseUrlProblem("https://example.org/caf%C3%A9%5B1%5D/")).toBeNull();
    expect(baseUrlProblem("https://[2001:db8::1]/eacs/")).toBeNull();
    expect(baseUrlProblem("https://[2001:db8::1]:8443/eacs/")).toBeNull();
  });
});

describe("P2 base URLs judged as the export judges them", () => {
  it("agrees with every shared case (tests/fixtures/base-urls.json)", () => {
    expect(baseUrls.cases.length).toBeGreaterThan(20);
    for (const c of baseUrls.cases) {
      const problem = baseUrlProblem(c.text);
      expect([c.text, problem !== null]).toEqual([c.text, c.refused]);
      if ("says" in c && c.says) expect([c.text, problem]).toEqual([c.text, expect.stringContaining(c.says)]);
      if ("hides" in c && c.hides) expect([c.text, problem]).toEqual([c.text, expect.not.stringContaining(c.hides)]);
    }
  });
  it("names what a rewritten URL would become and what to write", () => {
    expect(baseUrlProblem("https://EXAMPLE.org:443/x")).toBe(
      "The base URL would be published as https://example.org/x/: a URL parser reads it so (dot segments such as .. or %2e%2e removed, the host and scheme in lower case, the default port :443 left out). Write the base URL as it should be published, e.g. https://example.org/x/",
    );
    expect(baseUrlProblem("https:///eacs/2024/")).toMatch(/^The base URL has no host: .*https:\/\/example\.org\/eacs\/\)\.$/);
    expect(baseUrlProblem(" https://example.org/eacs ")).toBeNull();
    expect(baseUrlProblem("https://analyst:S3cret@example.com/eacs/")).toBe(
      "The base URL holds a user name and password (analyst:***@), which every URL in the bundle would publish. Write it without, e.g. https://example.com/eacs/: whoever reads the bundle signs in to the web server with their own name.",
    );
  });
});

describe("unknown beneficiary ids", () => {
  it("warns only when some are unknown", () => {
    expect(unknownIdsWarning([])).toBeNull();
    expect(unknownIdsWarning(["NOPE"])).toMatch(/“NOPE” is not/);
    expect(unknownIdsWarning(["A", "B"])).toMatch(/“A”, “B” are not/);
  });
  it("shows choices as ID · label", () => {
    expect(choiceText({ value: "ACC-1", label: "22222-1 · Acme" })).toBe("ACC-1 · 22222-1 · Acme");
    expect(choiceText({ value: "X", label: "X" })).toBe("X");
  });
  it("summarizes an import per file and type", () => {
    expect(
      refdataSummary([
        {
          file: "/tmp/accounts.json",
          document: "accounts",
          counts: [
            { beneficiary_type: "account", count: 2 },
            { beneficiary_type: "customer", count: 1 },
          ],
          added: 3,
          labels_changed: 0,
        },
      ]),
    ).toEqual(["accounts.json: 1 customer, 2 accounts (3 added, 0 labels changed)"]);
  });
  it("says what an import changed and a paged listing's note", () => {
    expect(
      refdataSummary([
        {
          file: "page1.json",
          document: "accounts",
          counts: [{ beneficiary_type: "account", count: 1 }],
          added: 0,
          labels_changed: 1,
          notes: ["this is one page of a longer listing"],
        },
      ]),
    ).toEqual(["page1.json: 1 account (0 added, 1 label changed); note: this is one page of a longer listing"]);
  });
});

describe("last checked against source", () => {
  it("shows the UTC date and time, or never", () => {
    expect(syncedText("2024-03-01T14:30:00Z")).toBe("2024-03-01 14:30 UTC");
    expect(syncedText("2024-03-01T14:30:05.123Z")).toBe("2024-03-01 14:30:05 UTC");
    expect(syncedText(null)).toBe("never");
    expect(syncedText("")).toBe("never");
  });
  it("confirms a mark-verified in plain words", () => {
    expect(verifiedMessage(1)).toMatch(/^Marked as verified now/);
    expect(verifiedMessage(0)).toMatch(/not found/);
  });
});
