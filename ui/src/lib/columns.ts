// Columns of the EAC table (order, header text, sort field, width).

import type { SortField } from "./types";

export interface Column {
  field: SortField;
  label: string;
  /** CSS grid track */
  width: string;
  align?: "end";
  title?: string;
}

export const COLUMNS: readonly Column[] = [
  { field: "eac_number", label: "EAC number", width: "minmax(120px, 1fr)" },
  { field: "technology_type", label: "Technology", width: "112px" },
  { field: "period_start", label: "Period (UTC)", width: "minmax(180px, 1.1fr)", title: "Sort by period start" },
  { field: "source", label: "Source", width: "minmax(120px, 1fr)" },
  { field: "destination", label: "Destination", width: "minmax(120px, 1fr)" },
  { field: "beneficiary_type", label: "Beneficiary", width: "minmax(170px, 1.3fr)" },
  { field: "quantity", label: "Quantity", width: "minmax(140px, 0.9fr)", align: "end" },
  { field: "retired_state", label: "Retired", width: "124px" },
];

export const GRID_TEMPLATE = COLUMNS.map((c) => c.width).join(" ");
