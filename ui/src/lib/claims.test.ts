import { describe, expect, it } from "vitest";
import {
  EMPTY_CLAIM_FORM,
  claimFormProblem,
  claimedElsewhereAdvice,
  coverCounts,
  criteriaSummary,
  criterionColumns,
  factorProblem,
  factorSetNotice,
  factorsCell,
  filterValues,
  formFor,
  heatMap,
  hourCover,
  isZeroText,
  lastDayBefore,
  missingInApp,
  monthLegend,
  monthSeries,
  reportFileName,
  resultFor,
  splitBeneficiary,
  toClaimInput,
} from "./claims";
import type { ClaimCheckView, ConsumptionClaimedView, ConsumptionGroup, FactorSet, IntervalView, ValueCheckView } from "./types";
import { GROUP_SEPARATOR, formatDecimal, setNumberSigns } from "./decimal";

const group: ConsumptionGroup = {
  beneficiary_type: "account",
  beneficiary: "acc 1",
  rows: 3,
  first_start: "2024-01-01T00:00:00Z",
  last_end: "2025-01-01T00:00:00Z",
  total_mwh: "0.01",
  files: ["/data/consumption.csv"],
};

function value(id: string, verdicts: [string, string][]): ValueCheckView {
  return {
    cds_eac_id: id,
    value: 1,
    eac_number: `N-${id}`,
    start: "2024-06-01T10:00:00Z",
    end: "2024-06-01T11:00:00Z",
    quantity: "7",
    unit: "kWh",
    allocated: "0.005",
    retired: true,
    verdict: "pass",
    results: verdicts.map(([criterion, verdict]) => ({
      rule_set: criterion.split(".")[0],
      criterion,
      title: criterion,
      source: "doc",
      section: "§1",
      verdict,
      reason: `${criterion} ${verdict}`,
    })),
  };
}

function interval(start: string, consumption: string, matched: string, shortfall: string): IntervalView {
  return { start, end: start, consumption, matched, shortfall, surplus: "0" };
}

describe("the claim form", () => {
  it("fills the period from a beneficiary's consumption (end exclusive → last day)", () => {
    const f = formFor(EMPTY_CLAIM_FORM, group);
    expect(f.beneficiary).toBe("account acc 1");
    expect(f.from).toBe("2024-01-01");
    expect(f.to).toBe("2024-12-31");
    expect(lastDayBefore("2024-06-01T13:00:00Z")).toBe("2024-06-01");
  });

  it("keeps an id with spaces whole", () => {
    expect(splitBeneficiary("account acc 1")).toEqual({ type: "account", id: "acc 1" });
  });

  it("says what is missing before anything is sent", () => {
    expect(claimFormProblem(EMPTY_CLAIM_FORM)).toMatch(/Pick the beneficiary/);
    const f = formFor(EMPTY_CLAIM_FORM, group);
    expect(claimFormProblem(f)).toBeNull();
    expect(claimFormProblem({ ...f, from: "2024-02-30" })).toMatch(/first day is not a date/);
    expect(claimFormProblem({ ...f, to: "2023-12-31" })).toMatch(/swap/);
    expect(claimFormProblem({ ...f, rules: [] })).toMatch(/rule set/);
  });

  it("sends blank optional fields as null and the beneficiary as type + ids", () => {
    const input = toClaimInput({ ...formFor(EMPTY_CLAIM_FORM, group), market: " NO ", granularity: "monthly" });
    expect(input).toEqual({
      beneficiary_type: "account",
      beneficiaries: ["acc 1"],
      from: "2024-01-01",
      to: "2024-12-31",
      granularity: "monthly",
      market: "NO",
      bidding_zone: null,
      unit: "MWh",
      only_passing: null,
    });
    expect(reportFileName(input)).toBe("claim-account-acc_1-2024-01-01-to-2024-12-31.csv");
  });
});

describe("consumption claimed elsewhere", () => {
  // As Rust sends a clash: its fields and its line in the CLI's words.
  const clash = (claim_id: number, beneficiary = "ACME", rows = 8784): ConsumptionClaimedView => ({
    claim_id,
    claim_name: "FY2024",
    beneficiary_type: "account",
    beneficiary,
    start: "2024-01-01T00:00:00Z",
    end: "2025-01-01T00:00:00Z",
    rows,
    text: `account \`${beneficiary}\` 2024-01-01 – 2024-12-31, ${rows} rows, by recorded claim #${claim_id} (FY2024)`,
  });

  it("says what to do, for a claim given in full and for a recorded one", () => {
    expect(claimedElsewhereAdvice([clash(3), clash(3, "B")], null)).toBe(
      "Recording this claim is refused: delete recorded claim #3 first, or claim other days or beneficiaries.",
    );
    expect(claimedElsewhereAdvice([clash(4), clash(3, "B")], null)).toContain("delete recorded claims #3, #4 first");
    expect(claimedElsewhereAdvice([clash(3)], 5)).toBe(
      "Claim #5 and recorded claim #3 count the same consumption: delete the claim that should not count it.",
    );
  });
});

describe("the criteria table", () => {
  const check: ClaimCheckView = {
    claim_id: null,
    unit: "MWh",
    rule_sets: [],
    passed: 3,
    failed: 1,
    unknown: 1,
    stale: [],
    claimed_elsewhere: [],
    values: [
      value("a", [
        ["ghg.retired", "pass"],
        ["re100.age", "fail"],
      ]),
      value("b", [
        ["ghg.retired", "pass"],
        ["re100.age", "unknown"],
      ]),
      value("c", [["ghg.retired", "pass"]]),
    ],
  };

  it("has one column per criterion met, and a blank where a value was not checked", () => {
    const cols = criterionColumns(check);
    expect(cols.map((c) => c.key)).toEqual(["ghg/ghg.retired", "re100/re100.age"]);
    expect(resultFor(check.values[2], cols[1])).toBeNull();
    expect(resultFor(check.values[0], cols[1])?.verdict).toBe("fail");
  });

  it("filters to failures only or unknowns only", () => {
    expect(filterValues(check.values, "fail").map((v) => v.cds_eac_id)).toEqual(["a"]);
    expect(filterValues(check.values, "unknown").map((v) => v.cds_eac_id)).toEqual(["b"]);
    expect(filterValues(check.values, "all")).toHaveLength(3);
    expect(criteriaSummary(check.values)).toBe("3 values · 1 with a failed criterion · 1 with an unknown one");
  });
});

describe("figures for drawing", () => {
  it("knows zero text exactly", () => {
    expect(isZeroText("0")).toBe(true);
    expect(isZeroText("0.000")).toBe(true);
    expect(isZeroText("0.0001")).toBe(false);
  });

  it("draws months as steps closed at the last month's end", () => {
    const s = monthSeries([
      { start: "2024-01-01T00:00:00Z", end: "2024-02-01T00:00:00Z", consumption: "10", matched: "8", shortfall: "2", surplus: "0" },
      { start: "2024-02-01T00:00:00Z", end: "2024-03-01T00:00:00Z", consumption: "5", matched: "5", shortfall: "0", surplus: "1" },
    ])!;
    expect(s.x).toEqual([1704067200, 1706745600, 1709251200]);
    expect(s.consumption).toEqual([10, 5, 5]);
    expect(s.matched).toEqual([8, 5, 5]);
    expect(monthSeries([])).toBeNull();
  });

  it("gives the chart's legend each month's exact figures, not the drawn numbers", () => {
    const s = monthSeries([
      { start: "2024-01-01T00:00:00Z", end: "2024-02-01T00:00:00Z", consumption: "1234.5678", matched: "0.00012345", shortfall: "0", surplus: "0" },
      { start: "2024-02-01T00:00:00Z", end: "2024-03-01T00:00:00Z", consumption: "5", matched: "5", shortfall: "0", surplus: "1" },
    ])!;
    expect(monthLegend(s, "month", 0)).toBe("2024-01");
    expect(monthLegend(s, "consumption", 0)).toBe(formatDecimal("1234.5678"));
    expect(monthLegend(s, "consumption", 0)).toContain("5678");
    expect(monthLegend(s, "matched", 0)).toBe(formatDecimal("0.00012345"));
    // the closing point is the last month again
    expect(monthLegend(s, "month", 2)).toBe("2024-02");
    expect(monthLegend(s, "matched", null)).toBe("–");
  });

  it("shows a single month's figures in the legend without the pointer on the chart", () => {
    const s = monthSeries([
      { start: "2024-06-01T00:00:00Z", end: "2024-06-02T00:00:00Z", consumption: "0.01", matched: "0.008", shortfall: "0.002", surplus: "0" },
    ])!;
    expect(monthLegend(s, "month", null)).toBe("2024-06");
    expect(monthLegend(s, "consumption", null)).toBe(formatDecimal("0.01"));
    expect(monthLegend(s, "matched", null)).toBe(formatDecimal("0.008"));
  });

  it("sorts hours into days × 24 with a cover per hour", () => {
    const rows = heatMap(
      [
        interval("2024-06-01T10:00:00Z", "0.005", "0.005", "0"),
        interval("2024-06-01T11:00:00Z", "0.003", "0.001", "0.002"),
        interval("2024-06-01T12:00:00Z", "0.002", "0", "0.002"),
        interval("2024-06-02T01:00:00Z", "0", "0", "0"),
        interval("2024-06-02T02:00:00Z", "4", "2", "2"),
      ],
      "MWh",
    );
    expect(rows.map((r) => r.day)).toEqual(["2024-06-01", "2024-06-02"]);
    expect(rows[0].cells).toHaveLength(24);
    expect(rows[0].cells.slice(10, 13).map((c) => c.cover)).toEqual(["full", "low", "empty"]);
    expect(rows[1].cells[2].cover).toBe("partial");
    expect(rows[0].cells[10].title).toBe("2024-06-01 10:00 UTC: 0.005 consumed, 0.005 matched (MWh)");
    const counts = coverCounts(rows);
    expect(counts.full + counts.low + counts.empty + counts.partial).toBe(4);
    expect(counts.none).toBe(44);
    expect(hourCover({ consumption: "0", matched: "0", shortfall: "0" })).toBe("none");
  });

  it("words an hour's figures in the app's number signs", () => {
    setNumberSigns({ group: ".", decimal: "," });
    try {
      const rows = heatMap([interval("2024-06-01T10:00:00Z", "1234.5", "0.005", "0")], "MWh");
      expect(rows[0].cells[10].title).toBe("2024-06-01 10:00 UTC: 1.234,5 consumed, 0,005 matched (MWh)");
    } finally {
      setNumberSigns({ group: GROUP_SEPARATOR, decimal: "." });
    }
  });
});

describe("emission factors", () => {
  const ok = { market: "NO", kind: "residual_mix" as const, year: "2024", factor: "0.354", source: "AIB 2024" };
  it("asks for an exact non-negative number, a year and a source", () => {
    expect(factorProblem(ok)).toBeNull();
    expect(factorProblem({ ...ok, factor: "0,354" })).toMatch(/point/);
    expect(factorProblem({ ...ok, factor: "-1" })).toMatch(/tCO2e/);
    expect(factorProblem({ ...ok, year: "24" })).toMatch(/four digits/);
    expect(factorProblem({ ...ok, source: " " })).toMatch(/comes from/);
  });
  it("says which recorded claims keep another factor in the words Rust sent, as the command line does", () => {
    const done: FactorSet = {
      factor: {
        market: "NO",
        kind: "residual_mix",
        year: 2024,
        tco2e_per_mwh: "0.41",
        source: "AIB 2024 revised",
        set_at: "2025-02-01T09:00:00Z",
        set_by: "ana",
      },
      recorded_claims: [
        {
          claim_id: 3,
          claim_name: "FY2024",
          kind: "residual_mix",
          recorded: true,
          tco2e_per_mwh: "0.38",
          source: "AIB 2024",
          text: "Recorded claim #3 (FY2024) keeps 0.38 tCO2e/MWh (AIB 2024), the residual-mix factor it was recorded with.",
        },
        {
          claim_id: 4,
          claim_name: "Old",
          kind: "residual_mix",
          recorded: false,
          tco2e_per_mwh: null,
          source: null,
          text: "Recorded claim #4 (Old) was recorded by an older version of EAC Desk.",
        },
      ],
    };
    expect(factorSetNotice(done)).toBe(
      "Saved the residual-mix factor of NO for 2024. " +
        "Recorded claim #3 (FY2024) keeps 0.38 tCO2e/MWh (AIB 2024), the residual-mix factor it was recorded with. " +
        "Recorded claim #4 (Old) was recorded by an older version of EAC Desk.",
    );
    expect(factorSetNotice({ factor: { ...done.factor, kind: "grid" }, recorded_claims: [] })).toBe(
      "Saved the grid factor of NO for 2024.",
    );
  });
  it("says in claims ls's words whether a recorded claim kept its factors", () => {
    expect(factorsCell({ factors_recorded: true }).text).toBe("recorded");
    const old = factorsCell({ factors_recorded: false });
    expect(old.text).toBe("stored now");
    expect(old.title).toContain("entering a factor changes it");
  });
  it("points at the Enter… button, not the command line, for a missing factor", () => {
    const line = "market-based emissions: no residual-mix factor for market NO in 2024; enter it with `eacdesk claims factor set`";
    expect(missingInApp(line)).toBe(
      "market-based emissions: no residual-mix factor for market NO in 2024 — enter it with “Enter…” above",
    );
    expect(missingInApp("no market named")).toBe("no market named");
    expect(
      missingInApp(
        "surplus: not part of a recorded claim's statement (what is free of the beneficiary's values changes with other claims and imports); report the claim given in full, without --claim, to see what is free now",
      ),
    ).toBe(
      "surplus: not part of a recorded claim's statement (what is free of the beneficiary's values changes with other claims and imports) — fill in the claim and press Check to see what is free now",
    );
    // as the backend words them for the app
    expect(
      missingInApp(
        "market-based emissions: no residual-mix factor for market NO in 2024; enter it in the Claims report (“Enter…” by the factor)",
      ),
    ).toBe("market-based emissions: no residual-mix factor for market NO in 2024 — enter it with “Enter…” above");
    expect(
      missingInApp(
        "surplus: not part of a recorded claim's statement; report the claim given in full, with “Check” rather than a recorded claim's “Report”, to see what is free now",
      ),
    ).toBe("surplus: not part of a recorded claim's statement — fill in the claim and press Check to see what is free now");
  });
});
