// The summary dashboard (issue 13): the `summary` report as a pivot (rows =
// periods, columns = technology, registry or retirement) with exact totals in
// the display unit, the chart's stacked series, and the filter a click on a
// cell or bar sets so the table shows that group's EACs.

import type { FilterState } from "./filters";
import type { EnergyUnit, SummaryKey, SummaryReport } from "./types";
import { add, displayDecimals, displayText, exactText, parseDec, type Dec } from "./units";

export type PeriodKey = "year" | "quarter" | "month";
export type ColumnKey = "technology" | "source" | "retired";

export const PERIOD_KEYS: readonly { value: PeriodKey; label: string }[] = [
  { value: "year", label: "Year" },
  { value: "quarter", label: "Quarter" },
  { value: "month", label: "Month" },
];
export const COLUMN_KEYS: readonly { value: ColumnKey; label: string }[] = [
  { value: "technology", label: "Technology" },
  { value: "source", label: "Registry" },
  { value: "retired", label: "Retired or not" },
];

/** What the dashboard asks `summary` for: the period first, the column second. */
export function summaryKeys(period: PeriodKey, column: ColumnKey): SummaryKey[] {
  return [period, column];
}

export interface PivotCell {
  count: number;
  /** exact, in the report's unit */
  total: string;
  /** rounded to the unit's decimals, for the column */
  display: string;
}

export interface PivotColumn {
  /** the group key (`wind`, a source id, `retired`), null where EACs lack it */
  key: string | null;
  label: string;
}

export interface Pivot {
  unit: EnergyUnit;
  /** period keys ("2024", "2024-Q1", "2024-01"), ascending; null: values without a period */
  rows: (string | null)[];
  columns: PivotColumn[];
  /** `cellId(row, column key)` → cell; absent: nothing in that group */
  cells: Map<string, PivotCell>;
  /** per row, exact sum over its columns (display text) */
  rowTotals: Map<string | null, string>;
  /** per column key, exact sum over the rows (display text) */
  columnTotals: Map<string | null, string>;
  /** the report's grand total (exact) */
  total: string;
  /** the grand total rounded to the unit's decimals, as the other totals */
  totalDisplay: string;
}

export function cellId(row: string | null, column: string | null): string {
  return JSON.stringify([row, column]);
}

function sortKeys(list: (string | null)[]): (string | null)[] {
  return [...list].sort((a, b) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1));
}

/** The report (grouped by [period, column]) as a pivot with exact row and column totals. */
export function buildPivot(report: SummaryReport): Pivot {
  const decimals = displayDecimals(report.unit);
  const cells = new Map<string, PivotCell>();
  const rowSums = new Map<string | null, Dec>();
  const colSums = new Map<string | null, Dec>();
  const labels = new Map<string | null, string>();
  const zero: Dec = { digits: 0n, scale: 0 };
  for (const g of report.groups) {
    const row = g.keys[0] ?? null;
    const col = g.keys[1] ?? null;
    if (!labels.has(col)) labels.set(col, g.labels[1] ?? "(none)");
    const v = parseDec(g.total.total) ?? zero;
    cells.set(cellId(row, col), { count: g.count, total: g.total.total, display: g.total.display });
    rowSums.set(row, add(rowSums.get(row) ?? zero, v));
    colSums.set(col, add(colSums.get(col) ?? zero, v));
  }
  const columns = sortKeys([...labels.keys()]).map((key) => ({ key, label: labels.get(key)! }));
  const show = (m: Map<string | null, Dec>) =>
    new Map([...m].map(([k, v]) => [k, displayText(v, decimals)] as [string | null, string]));
  return {
    unit: report.unit,
    rows: sortKeys([...rowSums.keys()]),
    columns,
    cells,
    rowTotals: show(rowSums),
    columnTotals: show(colSums),
    total: exactText(parseDec(report.total.total) ?? zero, decimals),
    totalDisplay: displayText(parseDec(report.total.total) ?? zero, decimals),
  };
}

const pad = (n: number) => String(n).padStart(2, "0");

function lastDay(year: number, month: number): number {
  // day 0 of the next month; integer date arithmetic only
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The first and last day (`YYYY-MM-DD`, inclusive) of "2024", "2024-Q2" or "2024-02"; null otherwise. */
export function periodRange(key: string): { from: string; to: string } | null {
  let m = /^(\d{4})$/.exec(key);
  if (m) return { from: `${m[1]}-01-01`, to: `${m[1]}-12-31` };
  m = /^(\d{4})-Q([1-4])$/.exec(key);
  if (m) {
    const y = Number(m[1]);
    const first = (Number(m[2]) - 1) * 3 + 1;
    return { from: `${y}-${pad(first)}-01`, to: `${y}-${pad(first + 2)}-${pad(lastDay(y, first + 2))}` };
  }
  m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(key);
  if (m) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    return { from: `${y}-${pad(mo)}-01`, to: `${y}-${pad(mo)}-${pad(lastDay(y, mo))}` };
  }
  return null;
}

/**
 * The filter fields a click on (period row, column) sets, on top of the
 * current filter: the period's days and the technology or registry. Null
 * when the group cannot be filtered to (no period, a missing technology or
 * registry). Retirement is per value and has no exact EAC filter: a
 * retired/not-retired column sets the period only.
 */
export function cellFilter(row: string | null, column: ColumnKey, key: string | null): Partial<FilterState> | null {
  if (row === null) return null;
  const range = periodRange(row);
  if (!range) return null;
  const patch: Partial<FilterState> = { from: range.from, to: range.to };
  if (column === "technology" || column === "source") {
    if (key === null) return null;
    patch[column] = key;
  }
  return patch;
}

/**
 * The chart's series: per column, the running (stacked) total of each row,
 * as numbers for plotting only (the exact values are in the pivot).
 */
export function stackedSeries(p: Pivot): number[][] {
  const out: number[][] = [];
  let below = p.rows.map(() => 0);
  for (const c of p.columns) {
    const mine = p.rows.map((r, i) => below[i] + Number(p.cells.get(cellId(r, c.key))?.total ?? "0"));
    out.push(mine);
    below = mine;
  }
  return out;
}

/** Which column's segment of a stacked bar holds the value `y` (plot units); null above the bar. */
export function segmentAt(stacks: number[][], rowIndex: number, y: number): number | null {
  for (let c = 0; c < stacks.length; c++) if (y <= stacks[c][rowIndex]) return c;
  return null;
}
