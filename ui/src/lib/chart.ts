// Data for the small values chart. This is the ONLY place where exact decimal
// text becomes a floating-point number, and only for plotting.

import type uPlot from "uplot";
import type { EacValueView, EnergyUnit } from "./types";
import { formatDecimal } from "./decimal";
import { toUnixSeconds } from "./dates";
import { ENERGY_UNITS } from "./labels";

/** Watt-hours per unit, from the units' powers of ten (generated from Rust). */
const UNIT_WH = Object.fromEntries(ENERGY_UNITS.map((u) => [u.value, 10 ** u.whExponent])) as Record<EnergyUnit, number>;

export interface ChartData {
  /** unix seconds of each slice start, ascending */
  x: number[];
  /** quantity of each slice in `unit` (float, for plotting only) */
  y: number[];
  unit: string;
  /** values that are batch slices (no start/end) and so are not plotted */
  batchCount: number;
  /** how many time slices are plotted (`x` may end with the last slice's end) */
  slices: number;
}

/**
 * Time-sliced values as (start time, quantity) points, converted to one unit
 * (the most common one). Returns null when there is nothing to plot.
 */
export function chartData(values: readonly EacValueView[]): ChartData | null {
  const timed = values.filter((v) => v.start !== null);
  const batchCount = values.length - timed.length;
  if (timed.length === 0) return null;

  const freq = new Map<EnergyUnit, number>();
  for (const v of timed) freq.set(v.unit, (freq.get(v.unit) ?? 0) + 1);
  let unit = timed[0].unit;
  for (const [u, n] of freq) if (n > (freq.get(unit) ?? 0)) unit = u;

  const points: [number, number, number | null][] = [];
  for (const v of timed) {
    const t = toUnixSeconds(v.start);
    const end = toUnixSeconds(v.end);
    const q = Number(v.value);
    if (t === null || !Number.isFinite(q)) continue;
    let y = q;
    if (v.unit !== unit) {
      const from = UNIT_WH[v.unit];
      const to = UNIT_WH[unit];
      if (from === undefined || to === undefined) continue;
      y = (q * from) / to;
    }
    points.push([t, y, end]);
  }
  if (points.length === 0) return null;
  points.sort((a, b) => a[0] - b[0]);
  const x = points.map((p) => p[0]);
  const y = points.map((p) => p[1]);
  // Each step is held from its slice's start to the next; the last slice
  // needs its own end as a closing point, or it would draw as a dot.
  const [lastStart, lastY, lastEnd] = points[points.length - 1];
  if (lastEnd !== null && lastEnd > lastStart) {
    x.push(lastEnd);
    y.push(lastY);
  }
  return { x, y, unit, batchCount, slices: points.length };
}

/** "2024-03-01", or "2024-03-01 14:00" when the ticks fall within days (UTC, ISO 8601). */
export function isoTick(seconds: number, withTime: boolean): string {
  const iso = new Date(seconds * 1000).toISOString();
  return withTime ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
}

/** Whether any tick is not at midnight UTC (then the axis shows times too). */
export function ticksNeedTime(ticks: readonly number[]): boolean {
  return ticks.some((t) => t % 86400 !== 0);
}

/** A tick value of the quantity axis as plain decimal text ("1500", "0.25"), never "1e-7". */
export function tickText(v: number): string {
  if (!Number.isFinite(v)) return "";
  if (Number.isInteger(v)) return v.toFixed(0);
  const text = Number(v.toPrecision(12)).toFixed(12);
  return text.replace(/0+$/, "").replace(/\.$/, "");
}

export type ChartMode = "chart" | "single" | "batch" | "none";

/** What the values section shows: a chart needs at least two time slices. */
export function chartMode(values: readonly EacValueView[], data: ChartData | null = chartData(values)): ChartMode {
  if (values.length === 0) return "none";
  if (!data) return "batch";
  return data.slices >= 2 ? "chart" : "single";
}

/** A colour of the current palette (light or dark), for drawing on a canvas. */
export function themeColour(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** The palette the charts draw with. */
export function chartColours(): { text: string; grid: string; accent: string } {
  return {
    text: themeColour("--text-muted", "#56605a"),
    grid: themeColour("--border", "#eceeea"),
    accent: themeColour("--accent", "#1f6f5c"),
  };
}

/** The two axes every chart of the app has: time (UTC, ISO ticks with room
 *  for each) and quantity in `unit` (the app's number format), plus the UTC
 *  clock uPlot needs for them. */
export function timeQuantityAxes(
  U: { tzDate: (d: Date, tz: string) => Date },
  unit: string,
  quantityWidth: number,
  text: string,
  grid: string,
): Pick<uPlot.Options, "axes" | "scales" | "tzDate" | "padding"> {
  return {
    // Room on the right for half of the last time tick, which is centred on
    // the plot's edge ("2024-06-02 00:00" was cut to "2024-06-02 0"); the
    // other sides keep uPlot's own padding.
    padding: [null, 56, null, null],
    scales: { x: { time: true } },
    tzDate: (ts) => U.tzDate(new Date(ts * 1e3), "Etc/UTC"),
    axes: [
      {
        stroke: text,
        grid: { stroke: grid },
        ticks: { stroke: grid },
        // ISO ticks are wide ("2024-06-01 10:00"): room for each one.
        space: 120,
        values: (_u, ticks) => {
          const withTime = ticksNeedTime(ticks);
          return ticks.map((t) => isoTick(t, withTime));
        },
      },
      {
        stroke: text,
        grid: { stroke: grid },
        ticks: { stroke: grid },
        size: quantityWidth,
        label: unit,
        labelSize: 18,
        values: (_u, ticks) => ticks.map((t) => formatDecimal(tickText(t))),
      },
    ],
  };
}
