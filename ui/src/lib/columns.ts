// Columns of the EAC table: what each shows, and the user's layout (order,
// widths in px, hidden ones), which is remembered per database. Layouts read
// back from the settings file are checked here (`normalizeLayout`): unknown
// columns go, new ones come in at their default place, widths stay in range.

import type { EacRow, FieldMatch, MatchField, SortField } from "./types";

export type ColumnId =
  | "eac_number"
  | "technology"
  | "period"
  | "source"
  | "beneficiary"
  | "quantity"
  | "retired"
  | "asset"
  | "commissioned"
  | "issuance"
  | "ef_direct"
  | "ef_lca"
  | "value_count"
  | "created"
  | "modified"
  | "cds_eac_id";

export interface Column {
  id: ColumnId;
  label: string;
  /** what clicking the header sorts by (null: not sortable) */
  sort: SortField | null;
  /** default width, px: whole EAC numbers, periods and quantities with their unit at 1280 px */
  width: number;
  /** narrowest it can be made */
  min: number;
  /** shown unless the user hides it */
  shown: boolean;
  align?: "end";
  title?: string;
}

export const COLUMNS: readonly Column[] = [
  { id: "eac_number", label: "EAC number", sort: "eac_number", width: 190, min: 90, shown: true },
  { id: "technology", label: "Technology", sort: "technology_type", width: 96, min: 60, shown: true },
  { id: "period", label: "Period (UTC)", sort: "period_start", width: 156, min: 80, shown: true, title: "Sort by period start" },
  {
    id: "source",
    label: "Source → destination",
    sort: "source",
    width: 128,
    min: 70,
    shown: true,
    title: "Sort by source (the issuing registry)",
  },
  { id: "beneficiary", label: "Beneficiary", sort: "beneficiary_type", width: 108, min: 70, shown: true },
  { id: "quantity", label: "Quantity", sort: "quantity", width: 120, min: 70, shown: true, align: "end" },
  { id: "retired", label: "Retired", sort: "retired_state", width: 104, min: 60, shown: true },
  { id: "asset", label: "Asset", sort: null, width: 150, min: 60, shown: false, title: "Production device (asset id)" },
  { id: "commissioned", label: "Commissioned", sort: null, width: 110, min: 70, shown: false, title: "Asset commissioning date" },
  { id: "issuance", label: "Issued", sort: "issuance", width: 100, min: 70, shown: false, title: "Sort by the earliest issue date" },
  { id: "ef_direct", label: "EF direct", sort: null, width: 100, min: 60, shown: false, align: "end", title: "Emission factor, direct (gCO₂e/kWh)" },
  { id: "ef_lca", label: "EF life cycle", sort: null, width: 110, min: 60, shown: false, align: "end", title: "Emission factor, life cycle (gCO₂e/kWh)" },
  { id: "value_count", label: "Values", sort: null, width: 70, min: 50, shown: false, align: "end", title: "How many values the EAC holds" },
  { id: "created", label: "Created", sort: null, width: 170, min: 80, shown: false, title: "cds_created (UTC)" },
  { id: "modified", label: "Modified", sort: "cds_modified", width: 170, min: 80, shown: false, title: "Sort by cds_modified (UTC)" },
  { id: "cds_eac_id", label: "EAC id", sort: "cds_eac_id", width: 200, min: 80, shown: false, title: "Sort by cds_eac_id" },
];

export const MAX_WIDTH = 800;
/** keyboard resize steps (Shift: the larger) */
export const WIDTH_STEP = 16;
export const WIDTH_STEP_LARGE = 64;

const BY_ID = new Map<string, Column>(COLUMNS.map((c) => [c.id, c]));

export function columnById(id: ColumnId): Column {
  return BY_ID.get(id)!;
}

export interface ColumnLayout {
  /** every column, in display order */
  order: ColumnId[];
  /** widths the user chose (others: the default) */
  widths: Partial<Record<ColumnId, number>>;
  hidden: ColumnId[];
}

export function defaultLayout(): ColumnLayout {
  return { order: COLUMNS.map((c) => c.id), widths: {}, hidden: COLUMNS.filter((c) => !c.shown).map((c) => c.id) };
}

function clampWidth(c: Column, w: number): number {
  return Math.round(Math.min(MAX_WIDTH, Math.max(c.min, w)));
}

/**
 * A layout as read from the settings file, made valid: anything that is not a
 * layout gives the default; unknown ids and repeats are dropped; columns the
 * stored layout does not know (added in a later version) come in after their
 * default predecessor, hidden unless shown by default; widths are clamped.
 */
export function normalizeLayout(raw: unknown): ColumnLayout {
  const def = defaultLayout();
  if (!raw || typeof raw !== "object") return def;
  const r = raw as Record<string, unknown>;
  const known = (x: unknown): x is ColumnId => typeof x === "string" && BY_ID.has(x);
  const order: ColumnId[] = [];
  if (Array.isArray(r.order)) for (const id of r.order) if (known(id) && !order.includes(id)) order.push(id);
  if (order.length === 0) return def;
  for (const c of COLUMNS) {
    if (order.includes(c.id)) continue;
    const i = def.order.indexOf(c.id);
    const before = def.order.slice(0, i).reverse().find((p) => order.includes(p));
    order.splice(before === undefined ? 0 : order.indexOf(before) + 1, 0, c.id);
  }
  const widths: Partial<Record<ColumnId, number>> = {};
  if (r.widths && typeof r.widths === "object") {
    for (const [id, w] of Object.entries(r.widths as Record<string, unknown>)) {
      if (known(id) && typeof w === "number" && Number.isFinite(w)) widths[id] = clampWidth(columnById(id), w);
    }
  }
  const storedHidden = Array.isArray(r.hidden) ? r.hidden.filter(known) : def.hidden;
  const storedOrder = new Set(Array.isArray(r.order) ? r.order : []);
  // a column the stored layout never knew is hidden if it is by default
  let hidden = COLUMNS.filter((c) => (storedOrder.has(c.id) ? storedHidden.includes(c.id) : !c.shown)).map((c) => c.id);
  if (hidden.length === COLUMNS.length) hidden = def.hidden;
  return { order, widths, hidden };
}

export interface ShownColumn extends Column {
  /** the width in effect, px */
  px: number;
}

/** The columns shown, in order, with their widths. */
export function shownColumns(layout: ColumnLayout): ShownColumn[] {
  return layout.order
    .filter((id) => !layout.hidden.includes(id))
    .map((id) => {
      const c = columnById(id);
      return { ...c, px: layout.widths[id] ?? c.width };
    });
}

/** The CSS grid tracks: each column's width, then a filler that takes what is left. */
export function gridTemplate(cols: readonly ShownColumn[]): string {
  return [...cols.map((c) => `${c.px}px`), "minmax(0, 1fr)"].join(" ");
}

/** The width of all shown columns (the table scrolls sideways beyond it). */
export function totalWidth(cols: readonly ShownColumn[]): number {
  return cols.reduce((n, c) => n + c.px, 0);
}

export function resized(layout: ColumnLayout, id: ColumnId, width: number): ColumnLayout {
  return { ...layout, widths: { ...layout.widths, [id]: clampWidth(columnById(id), width) } };
}

/** The width after a key on a header's resize handle (null: not a resize key). */
export function keyWidth(key: string, shift: boolean, width: number): number | null {
  const step = shift ? WIDTH_STEP_LARGE : WIDTH_STEP;
  if (key === "ArrowLeft") return width - step;
  if (key === "ArrowRight") return width + step;
  return null;
}

/** Column `id` moved to where shown column `to` is (its index among the shown ones). */
export function movedTo(layout: ColumnLayout, id: ColumnId, to: number): ColumnLayout {
  const shown = shownColumns(layout).map((c) => c.id);
  const from = shown.indexOf(id);
  if (from < 0 || to === from) return layout;
  const target = shown[Math.max(0, Math.min(shown.length - 1, to))];
  const order = layout.order.filter((x) => x !== id);
  const at = order.indexOf(target);
  order.splice(to > from ? at + 1 : at, 0, id);
  return { ...layout, order };
}

/** Column `id` one place left (-1) or right (+1) among the shown columns. */
export function moved(layout: ColumnLayout, id: ColumnId, by: -1 | 1): ColumnLayout {
  const shown = shownColumns(layout).map((c) => c.id);
  const from = shown.indexOf(id);
  if (from < 0) {
    // a hidden column moves among all of them (the chooser lists every column)
    const i = layout.order.indexOf(id);
    const j = i + by;
    if (i < 0 || j < 0 || j >= layout.order.length) return layout;
    const order = [...layout.order];
    [order[i], order[j]] = [order[j], order[i]];
    return { ...layout, order };
  }
  const to = from + by;
  return to < 0 || to >= shown.length ? layout : movedTo(layout, id, to);
}

/** Shows or hides column `id`; the last shown column cannot be hidden. */
export function withShown(layout: ColumnLayout, id: ColumnId, shown: boolean): ColumnLayout {
  const hidden = layout.hidden.filter((x) => x !== id);
  if (!shown) {
    if (shownColumns(layout).length <= 1 && !layout.hidden.includes(id)) return layout;
    hidden.push(id);
  }
  return { ...layout, hidden };
}

/**
 * Where a column dragged to `x` (px from the left edge of the first column)
 * lands: the index of the shown column under it (before the midpoint of a
 * column to its right, after it to its left).
 */
export function dropIndex(widths: readonly number[], from: number, x: number): number {
  let left = 0;
  for (let i = 0; i < widths.length; i++) {
    const mid = left + widths[i] / 2;
    if (x < left + widths[i]) {
      if (i > from) return x >= mid ? i : i - 1;
      if (i < from) return x < mid ? i : i + 1;
      return i;
    }
    left += widths[i];
  }
  return widths.length - 1;
}

// ---- a cell's value: copied, filtered by, excluded -----------------------------------

/** One value a cell filter can keep or exclude, and its words. */
export interface CellValue {
  field: MatchField;
  value: string | null;
  /** "Wind", "ACC-1", "(missing)" */
  words: string;
}

/** What "filter by" / "exclude" offer on a cell of column `id` (none for quantities, periods, times). */
export function cellValues(row: EacRow, id: ColumnId, label: (field: MatchField, value: string) => string): CellValue[] {
  const one = (field: MatchField, value: string | null): CellValue => ({
    field,
    value,
    words: value === null ? "(missing)" : label(field, value),
  });
  switch (id) {
    case "eac_number":
      return [one("eac_number", row.eac_number)];
    case "technology":
      return [one("technology", row.technology_type)];
    case "source":
      return [one("source", row.source_id), one("destination", row.destination_id)];
    case "beneficiary": {
      const ids = row.beneficiaries.slice(0, 3).map((b) => one("beneficiary", b));
      return [one("beneficiary_type", row.beneficiary_type), ...(row.beneficiaries.length === 0 ? [one("beneficiary", null)] : ids)];
    }
    case "retired":
      return [one("retired", row.retired_state)];
    case "asset":
      return [one("asset", row.asset_id)];
    case "commissioned":
      return [one("asset_commissioned", row.asset_commissioned)];
    case "issuance":
      return [one("issuance", row.issuance)];
    default:
      return [];
  }
}

/** The filter term "only / not this value". */
export function cellMatch(v: CellValue, exclude: boolean): FieldMatch {
  return { field: v.field, value: v.value, exclude };
}
