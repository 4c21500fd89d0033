import { describe, expect, it } from "vitest";
import type { SummaryReport } from "./types";
import { buildPivot, cellFilter, cellId, periodRange, segmentAt, stackedSeries, summaryKeys } from "./summaryView";

function report(groups: [string | null, string | null, number, string][], total: string): SummaryReport {
  return {
    filter: {
      search: null,
      technology: null,
      beneficiary_type: null,
      from: null,
      to: null,
      retired: null,
      source: null,
      destination: null,
      missing_emissions: null,
      incomplete: null,
    },
    by: ["quarter", "technology"],
    unit: "MWh",
    groups: groups.map(([p, t, count, tot]) => ({
      keys: [p, t],
      labels: [p ?? "(none)", t === null ? "(missing)" : t.toUpperCase()],
      count,
      totals: [{ unit: "MWh", total: tot }],
      total: { unit: "MWh", total: tot, display: tot, decimals: 3 },
    })),
    count: 9,
    totals: [{ unit: "MWh", total }],
    total: { unit: "MWh", total, display: total, decimals: 3 },
  };
}

describe("the summary pivot", () => {
  const r = report(
    [
      ["2024-Q2", "wind", 2, "0.100"],
      ["2024-Q1", "wind", 3, "1.000001"],
      ["2024-Q1", "solar", 1, "2.5"],
      ["2024-Q2", null, 1, "0.000"],
    ],
    "3.600001",
  );

  it("puts periods in order as rows and each column once, missing keys last", () => {
    const p = buildPivot(r);
    expect(p.rows).toEqual(["2024-Q1", "2024-Q2"]);
    expect(p.columns.map((c) => c.key)).toEqual(["solar", "wind", null]);
    expect(p.columns.map((c) => c.label)).toEqual(["SOLAR", "WIND", "(missing)"]);
    expect(p.cells.get(cellId("2024-Q1", "wind"))).toEqual({ count: 3, total: "1.000001", display: "1.000001" });
    expect(p.cells.has(cellId("2024-Q2", "solar"))).toBe(false);
  });

  it("adds rows and columns exactly (no float drift)", () => {
    const p = buildPivot(r);
    expect(p.rowTotals.get("2024-Q1")).toBe("3.500");
    expect(p.rowTotals.get("2024-Q2")).toBe("0.100");
    expect(p.columnTotals.get("wind")).toBe("1.100");
    expect(p.total).toBe("3.600001");
    expect(p.totalDisplay).toBe("3.600");
    // many tiny values: a float sum would drift, the pivot does not
    const many = report(
      Array.from({ length: 1000 }, (_, i) => [`2024-${String((i % 12) + 1).padStart(2, "0")}`, `t${i}`, 1, "0.1"]),
      "100",
    );
    const m = buildPivot(many);
    let n = 0;
    for (const c of m.columns) n += m.columnTotals.get(c.key) === "0.100" ? 1 : 0;
    expect(n).toBe(1000);
    expect([...m.rowTotals.values()].every((v) => v === "8.400" || v === "8.300")).toBe(true);
  });

  it("stacks the columns for the chart and finds the segment under a click", () => {
    const p = buildPivot(r);
    const s = stackedSeries(p);
    expect(s).toEqual([
      [2.5, 0],
      [3.500001, 0.1],
      [3.500001, 0.1],
    ]);
    expect(segmentAt(s, 0, 1)).toBe(0);
    expect(segmentAt(s, 0, 3)).toBe(1);
    expect(segmentAt(s, 0, 9)).toBeNull();
  });
});

describe("a click filters the table to the group", () => {
  it("knows each period's first and last day", () => {
    expect(periodRange("2024")).toEqual({ from: "2024-01-01", to: "2024-12-31" });
    expect(periodRange("2024-Q1")).toEqual({ from: "2024-01-01", to: "2024-03-31" });
    expect(periodRange("2023-Q4")).toEqual({ from: "2023-10-01", to: "2023-12-31" });
    expect(periodRange("2024-02")).toEqual({ from: "2024-02-01", to: "2024-02-29" });
    expect(periodRange("2023-02")).toEqual({ from: "2023-02-01", to: "2023-02-28" });
    expect(periodRange("2024-13")).toBeNull();
    expect(periodRange("wind")).toBeNull();
  });

  it("every month of many years ends on its last day and the next starts the day after", () => {
    for (let y = 1999; y <= 2031; y++) {
      for (let mo = 1; mo <= 12; mo++) {
        const r = periodRange(`${y}-${String(mo).padStart(2, "0")}`)!;
        const next = new Date(`${r.to}T00:00:00Z`);
        next.setUTCDate(next.getUTCDate() + 1);
        expect(next.getUTCDate()).toBe(1);
        expect(r.from.endsWith("-01")).toBe(true);
      }
    }
  });

  it("sets the period and the technology or registry of the cell", () => {
    expect(cellFilter("2024-Q2", "technology", "wind")).toEqual({ from: "2024-04-01", to: "2024-06-30", technology: "wind" });
    expect(cellFilter("2024", "source", "REG-1")).toEqual({ from: "2024-01-01", to: "2024-12-31", source: "REG-1" });
    // retirement is per value: the period only
    expect(cellFilter("2024-01", "retired", "retired")).toEqual({ from: "2024-01-01", to: "2024-01-31" });
    // no exact filter for a missing technology or period
    expect(cellFilter("2024", "technology", null)).toBeNull();
    expect(cellFilter(null, "technology", "wind")).toBeNull();
    expect(summaryKeys("month", "source")).toEqual(["month", "source"]);
  });
});
