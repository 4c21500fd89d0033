import { describe, expect, it } from "vitest";
import { chartData, chartMode, isoTick, tickText, ticksNeedTime } from "./chart";
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
  extensions_json: null,
});

describe("chartData", () => {
  it("plots time slices sorted by start", () => {
    const d = chartData([v("2024-01-01T01:00:00Z", "2.5"), v("2024-01-01T00:00:00Z", "1.25")])!;
    // the last slice is held until its own end (a closing point), not drawn as a dot
    expect(d.x).toEqual([1704067200, 1704070800, 1704070800 + 3599]);
    expect(d.y).toEqual([1.25, 2.5, 2.5]);
    expect(d.slices).toBe(2);
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
    expect(d.slices).toBe(1);
  });
  it("converts to the most common unit", () => {
    const d = chartData([
      v("2024-01-01T00:00:00Z", "1", "MWh"),
      v("2024-01-01T01:00:00Z", "2", "MWh"),
      v("2024-01-01T02:00:00Z", "500", "kWh"),
    ])!;
    expect(d.unit).toBe("MWh");
    expect(d.y).toEqual([1, 2, 0.5, 0.5]);
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

describe("the chart's axes", () => {
  it("label time in ISO dates, with times only when ticks fall within days", () => {
    expect(isoTick(1704067200, false)).toBe("2024-01-01");
    expect(isoTick(1704070800, true)).toBe("2024-01-01 01:00");
    expect(ticksNeedTime([1704067200, 1704153600])).toBe(false);
    expect(ticksNeedTime([1704067200, 1704070800])).toBe(true);
  });

  it("write quantities as plain decimals", () => {
    expect(tickText(1500)).toBe("1500");
    expect(tickText(0.25)).toBe("0.25");
    expect(tickText(0.1 + 0.2)).toBe("0.3");
    expect(tickText(1e-7)).toBe("0.0000001");
    expect(tickText(Number.NaN)).toBe("");
  });
});
