// Printing (Ctrl+P): the table is drawn a screenful at a time, so for paper
// the current view (filter, sort, display unit, the table's columns) is laid out again as one
// plain table of up to PRINT_LIMIT rows; the summary prints as shown. The
// print stylesheet (app.css, @media print) leaves only that on the page.

import type { EacRow, EnergyUnit } from "./types";
import { columnById, type ColumnId } from "./columns";
import { displayTotal } from "./units";
import { formatDecimal } from "./decimal";
import { formatDate, formatDateTimeUtc, formatPeriod } from "./dates";
import { beneficiaryTypeLabel, retiredLabel, technologyLabel } from "./labels";

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
  /** Which columns are ids (monospace, broken anywhere). */
  mono: boolean[];
}

/** "3 of 12,000 EACs are printed: the first 5,000 in this order." when cut. */
export function printCountLine(printed: number, total: number | null): string {
  const all = total ?? printed;
  if (printed < all)
    return `The first ${formatDecimal(String(printed))} of ${formatDecimal(String(all))} EACs in this order (narrow the filter to print the rest).`;
  return `${formatDecimal(String(printed))} ${printed === 1 ? "EAC" : "EACs"}.`;
}

/**
 * The columns printed: the table's shown columns in its order (the user's
 * layout), with the EAC number first when neither it nor the EAC id is
 * shown, so that every printed line names its certificate.
 */
export function printColumns(shown: readonly ColumnId[]): ColumnId[] {
  if (shown.includes("eac_number") || shown.includes("cds_eac_id")) return [...shown];
  return ["eac_number", ...shown];
}

/** A column's text for paper: what its cell shows, on one line, without abbreviation. */
function printCell(id: ColumnId, r: EacRow, unit: EnergyUnit): string {
  switch (id) {
    case "eac_number":
      return r.eac_number ?? r.cds_eac_id;
    case "technology":
      return r.technology_type === null ? "—" : technologyLabel(r.technology_type);
    case "period":
      return formatPeriod(r.period_start, r.period_end);
    case "source":
      return `${r.source_name || r.source_id} → ${r.destination_name ?? r.destination_id ?? "—"}`;
    case "beneficiary": {
      if (r.beneficiary_type === "general") return "Everyone";
      const ids = r.beneficiaries.join(", ");
      if (r.beneficiary_type === null) return ids || "—";
      const type = beneficiaryTypeLabel(r.beneficiary_type);
      return ids ? `${ids} (${type})` : type;
    }
    case "quantity":
      return r.quantities.length === 0 ? "—" : formatDecimal(displayTotal(r.quantities, unit));
    case "retired":
      return retiredLabel(r.retired_state);
    case "asset":
      return r.asset_id ?? "—";
    case "commissioned":
      return r.asset_commissioned ? formatDate(r.asset_commissioned) : "—";
    case "issuance":
      return r.issuance ? formatDate(r.issuance) : "—";
    case "ef_direct":
      return r.emissions_factor_direct === null ? "missing" : formatDecimal(r.emissions_factor_direct);
    case "ef_lca":
      return r.emissions_factor_lca === null ? "missing" : formatDecimal(r.emissions_factor_lca);
    case "value_count":
      return formatDecimal(String(r.value_count));
    case "created":
      return formatDateTimeUtc(r.cds_created);
    case "modified":
      return formatDateTimeUtc(r.cds_modified);
    case "cds_eac_id":
      return r.cds_eac_id;
  }
}

/** The current view as a table for paper, its columns those of the table (`columns`: shown, in order). */
export function printTable(
  rows: readonly EacRow[],
  opts: {
    unit: EnergyUnit;
    filterWords: string;
    sortWords: string;
    total: number | null;
    printedAt: string;
    columns: readonly ColumnId[];
  },
): PrintTable {
  const columns = printColumns(opts.columns);
  return {
    title: "EAC Desk — EACs",
    lines: [
      opts.filterWords,
      `Order: ${opts.sortWords}`,
      printCountLine(rows.length, opts.total),
      `Printed ${opts.printedAt}. Quantities rounded to the display unit; exports keep the exact values.`,
    ],
    head: columns.map((id) => (id === "quantity" ? `Quantity (${opts.unit})` : columnById(id).label)),
    numeric: columns.map((id) => columnById(id).align === "end"),
    mono: columns.map((id) => id === "eac_number" || id === "cds_eac_id" || id === "asset"),
    rows: rows.map((r) => columns.map((id) => printCell(id, r, opts.unit))),
  };
}
