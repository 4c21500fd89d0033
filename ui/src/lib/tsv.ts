// Rows of the table as tab-separated text for the clipboard (issue 13):
// pasted into a spreadsheet, each EAC is one row. Quantities are exact: the
// total in the display unit (never rounded) and the per-unit sums as imported.

import type { EacRow, EnergyUnit } from "./types";
import { exactTotal } from "./units";

/** The most rows one copy takes (the rest of a larger filter: Export table…). */
export const COPY_LIMIT = 10_000;

/** A cell: tabs and line breaks inside a value would split it, so they become spaces. */
export function tsvCell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return "";
  return String(v).replace(/[\t\r\n]+/g, " ");
}

export function tsvHeader(unit: EnergyUnit): string[] {
  return [
    "cds_eac_id",
    "eac_number",
    "technology_type",
    "period_start",
    "period_end",
    "source",
    "destination",
    "beneficiary_type",
    "beneficiaries",
    `total_${unit}`,
    "quantities_as_imported",
    "retired_state",
  ];
}

/** Header line then one line per row, joined with CRLF (what spreadsheets paste). */
export function rowsToTsv(rows: readonly EacRow[], unit: EnergyUnit): string {
  const lines = [tsvHeader(unit).join("\t")];
  for (const r of rows) {
    lines.push(
      [
        r.cds_eac_id,
        r.eac_number,
        r.technology_type,
        r.period_start,
        r.period_end,
        r.source_name,
        r.destination_name ?? r.destination_id,
        r.beneficiary_type,
        r.beneficiaries.join("; "),
        exactTotal(r.quantities, unit),
        r.quantities.map((q) => `${q.total} ${q.unit}`).join("; "),
        r.retired_state,
      ]
        .map(tsvCell)
        .join("\t"),
    );
  }
  return lines.join("\r\n") + "\r\n";
}
