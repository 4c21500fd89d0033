// Columns of the EAC table (order, header text, sort field, width).

import type { SortField } from "./types";

export interface Column {
  field: SortField;
  label: string;
  /** header shown with an arrow to the next column (source → destination) */
  joinNext?: boolean;
  /** CSS grid track */
  width: string;
  align?: "end";
  title?: string;
}

// Source and destination have a header each, but rows show them stacked in
// one cell spanning both columns (saves width next to the detail pane).
export const COLUMNS: readonly Column[] = [
  // At 1280 px with the detail pane every minimum counts: whole periods first, then as much EAC number as fits
  { field: "eac_number", label: "EAC number", width: "minmax(170px, 1.2fr)" },
  { field: "technology_type", label: "Technology", width: "minmax(86px, 0.6fr)" },
  { field: "period_start", label: "Period (UTC)", width: "minmax(158px, 1fr)", title: "Sort by period start" },
  { field: "source", label: "Source", width: "minmax(68px, 0.7fr)", joinNext: true },
  { field: "destination", label: "Destination", width: "minmax(84px, 0.7fr)" },
  { field: "beneficiary_type", label: "Beneficiary", width: "minmax(104px, 1.3fr)" },
  { field: "quantity", label: "Quantity", width: "minmax(136px, 1fr)", align: "end" },
  { field: "retired_state", label: "Retired", width: "108px" },
];

export const GRID_TEMPLATE = COLUMNS.map((c) => c.width).join(" ");
