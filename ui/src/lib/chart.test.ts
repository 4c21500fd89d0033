import { describe, expect, it } from "vitest";
import { chartData, chartMode } from "./chart";
import type { EnergyUnit } from "./types";

const v = (start: string | null, value: string, unit: EnergyUnit = "kWh") => ({
  eac_number: null,
  issued: "2024-01-01",
  retired: null,
  retired_undated: false,
  start,
  end: start ? start.replace("00:00Z", "59:59Z") : null,
  unit,
  value,
});

describe("chartData", () => {
  it("plots time slices sorted by start", () => {
    const d = chartData([v("2024-01-01T01:00:00Z", "2.5"), v("2024-01-01T00:00:00Z", "1.25")])!;
    expect(d.x).toEqual([1704067200, 1704070800]);
    expect(d.y).toEqual([1.25, 2.5]);
    expect(d.unit).toBe("kWh");
    expect(d.batchCount).toBe(0);
  });
  it("returns null for batch-only values", () => {
    expect(chartData([v(null, "10"), v(null, "5")])).toBeNull();
    expect(chartData([])).toBeNull();
  });
  it("counts batch slices next to time slices", () => {
    const d = chartData([v("2024-01-01T00:00:00Z", "1"), v(null, "5")])!;
    expect(d.batchCount).toBe(1);
    expect(d.x).toHaveLength(1);
  });
  it("converts to the most common unit", () => {
    const d = chartData([
      v("2024-01-01T00:00:00Z", "1", "MWh"),
      v("2024-01-01T01:00:00Z", "2", "MWh"),
      v("2024-01-01T02:00:00Z", "500", "kWh"),
    ])!;
    expect(d.unit).toBe("MWh");
    expect(d.y).toEqual([1, 2, 0.5]);
  });
});

describe("chartMode", () => {
  it("draws only with two or more time slices", () => {
    expect(chartMode([])).toBe("none");
    expect(chartMode([v(null, "1")])).toBe("batch");
    expect(chartMode([v("2024-01-01T00:00:00Z", "1")])).toBe("single");
    expect(chartMode([v("2024-01-01T00:00:00Z", "1"), v("2024-01-01T01:00:00Z", "2")])).toBe("chart");
  });
});
