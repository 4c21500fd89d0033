// Printing (Ctrl+P): the table is drawn a screenful at a time, so for paper
// the current view (filter, sort, display unit) is laid out again as one
// plain table of up to PRINT_LIMIT rows; the summary prints as shown. The
// print stylesheet (app.css, @media print) leaves only that on the page.

import type { EacRow, EnergyUnit } from "./types";
import { displayTotal } from "./units";
import { formatDecimal } from "./decimal";
import { formatPeriod } from "./dates";
import { retiredLabel, technologyLabel } from "./labels";

/** More rows than this make WebKit's print preview crawl; the heading says when rows were left out. */
export const PRINT_LIMIT = 5000;

export interface PrintTable {
  title: string;
  /** The filter in words, the order, the count. */
  lines: string[];
  head: string[];
  rows: string[][];
  /** Which columns are numbers (right-aligned). */
  numeric: boolean[];
}

/** "3 of 12,000 EACs are printed: the first 5,000 in this order." when cut. */
export function printCountLine(printed: number, total: number | null): string {
  const all = total ?? printed;
  if (printed < all)
    return `The first ${formatDecimal(String(printed))} of ${formatDecimal(String(all))} EACs in this order (narrow the filter to print the rest).`;
  return `${formatDecimal(String(printed))} ${printed === 1 ? "EAC" : "EACs"}.`;
}

/** The current view as a table for paper. */
export function printTable(
  rows: readonly EacRow[],
  opts: { unit: EnergyUnit; filterWords: string; sortWords: string; total: number | null; printedAt: string },
): PrintTable {
  return {
    title: "EAC Desk — EACs",
    lines: [
      opts.filterWords,
      `Order: ${opts.sortWords}`,
      printCountLine(rows.length, opts.total),
      `Printed ${opts.printedAt}. Quantities rounded to the display unit; exports keep the exact values.`,
    ],
    head: ["EAC number", "Technology", "Period (UTC)", "Source", "Beneficiaries", "Retired", `Quantity (${opts.unit})`],
    numeric: [false, false, false, false, false, false, true],
    rows: rows.map((r) => [
      r.eac_number ?? r.cds_eac_id,
      r.technology_type === null ? "—" : technologyLabel(r.technology_type),
      formatPeriod(r.period_start, r.period_end),
      r.source_name || r.source_id,
      r.beneficiaries.join(", ") || "—",
      retiredLabel(r.retired_state),
      formatDecimal(displayTotal(r.quantities, opts.unit)),
    ]),
  };
}
