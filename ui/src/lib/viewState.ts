// What the desk remembers per database (in the settings file, keyed by the
// database path): the filter, sort, column layout, detail pane width and the
// saved views. The settings file is the user's to edit, copy or keep from an
// older version, so what is read back is checked part by part: a part that is
// not valid falls back to its default and the rest is kept.

import type { FieldMatch, MatchField, SortField, SortSpec } from "./types";
import { emptyFilterState, type FilterState } from "./filters";
import { defaultLayout, normalizeLayout, type ColumnLayout } from "./columns";

export const VIEW_STATE_VERSION = 1;
export const MAX_VIEWS = 50;
export const MAX_VIEW_NAME = 60;

/** A named filter + sort + columns the user saved. */
export interface SavedView {
  name: string;
  filter: FilterState;
  matches: FieldMatch[];
  sort: SortSpec;
  columns: ColumnLayout;
}

export interface DeskViewState {
  v: number;
  filter: FilterState;
  matches: FieldMatch[];
  sort: SortSpec;
  columns: ColumnLayout;
  /** the detail pane's width, px (null: the default) */
  pane: number | null;
  views: SavedView[];
}

const SORT_FIELDS: readonly SortField[] = [
  "eac_number",
  "technology_type",
  "period_start",
  "period_end",
  "source",
  "destination",
  "beneficiary_type",
  "quantity",
  "retired_state",
  "issuance",
  "cds_eac_id",
  "cds_modified",
];

export const MATCH_FIELDS: readonly MatchField[] = [
  "eac_number",
  "technology",
  "source",
  "destination",
  "beneficiary_type",
  "beneficiary",
  "retired",
  "asset",
  "asset_commissioned",
  "issuance",
];

export const DEFAULT_SORT: SortSpec = { field: "period_start", descending: true };

export function defaultViewState(): DeskViewState {
  return {
    v: VIEW_STATE_VERSION,
    filter: emptyFilterState(),
    matches: [],
    sort: { ...DEFAULT_SORT },
    columns: defaultLayout(),
    pane: null,
    views: [],
  };
}

function obj(x: unknown): Record<string, unknown> | null {
  return x && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : null;
}

/** The filter bar's fields: strings only, unknown keys dropped. */
export function parseFilterState(raw: unknown): FilterState {
  const out = emptyFilterState();
  const r = obj(raw);
  if (!r) return out;
  for (const k of Object.keys(out) as (keyof FilterState)[]) {
    if (typeof r[k] === "string") out[k] = r[k] as string;
  }
  return out;
}

export function parseSort(raw: unknown): SortSpec {
  const r = obj(raw);
  if (r && SORT_FIELDS.includes(r.field as SortField) && typeof r.descending === "boolean") {
    return { field: r.field as SortField, descending: r.descending };
  }
  return { ...DEFAULT_SORT };
}

export function parseMatches(raw: unknown): FieldMatch[] {
  if (!Array.isArray(raw)) return [];
  const out: FieldMatch[] = [];
  for (const m of raw) {
    const r = obj(m);
    if (!r || !MATCH_FIELDS.includes(r.field as MatchField)) continue;
    if (r.value !== null && typeof r.value !== "string") continue;
    const match: FieldMatch = { field: r.field as MatchField, value: r.value as string | null, exclude: r.exclude === true };
    if (!out.some((o) => sameMatch(o, match))) out.push(match);
  }
  return out;
}

export function sameMatch(a: FieldMatch, b: FieldMatch): boolean {
  return a.field === b.field && a.value === b.value && a.exclude === b.exclude;
}

/** A view name as saved: trimmed, inner runs of spaces made one, at most MAX_VIEW_NAME characters. */
export function cleanViewName(name: string): string {
  return name.trim().replace(/\s+/g, " ").slice(0, MAX_VIEW_NAME);
}

function parseView(raw: unknown): SavedView | null {
  const r = obj(raw);
  if (!r || typeof r.name !== "string") return null;
  const name = cleanViewName(r.name);
  if (name === "") return null;
  return {
    name,
    filter: parseFilterState(r.filter),
    matches: parseMatches(r.matches),
    sort: parseSort(r.sort),
    columns: normalizeLayout(r.columns),
  };
}

function parsePane(raw: unknown): number | null {
  return typeof raw === "number" && Number.isFinite(raw) && raw >= 100 && raw <= 4000 ? Math.round(raw) : null;
}

/** The remembered state of a database as read from the settings file; never throws. */
export function parseViewState(raw: unknown): DeskViewState {
  const r = obj(raw);
  if (!r || typeof r.v !== "number" || r.v > VIEW_STATE_VERSION) return defaultViewState();
  const views: SavedView[] = [];
  if (Array.isArray(r.views)) {
    for (const v of r.views) {
      const view = parseView(v);
      if (view && !views.some((o) => sameName(o.name, view.name)) && views.length < MAX_VIEWS) views.push(view);
    }
  }
  return {
    v: VIEW_STATE_VERSION,
    filter: parseFilterState(r.filter),
    matches: parseMatches(r.matches),
    sort: parseSort(r.sort),
    columns: normalizeLayout(r.columns),
    pane: parsePane(r.pane),
    views,
  };
}

/** View names are told apart regardless of case and of how an accent is typed ("Q1 wind" and "q1 Wind" are one view). */
export function sameName(a: string, b: string): boolean {
  // NFC first: an accent typed as one character or as a letter and a
  // combining mark is one name (as the store compares mapping names).
  return a.normalize("NFC").toLocaleLowerCase() === b.normalize("NFC").toLocaleLowerCase();
}

/** Why `name` cannot be a view's (new) name, or null. `except`: the view being renamed. */
export function viewNameProblem(views: readonly SavedView[], name: string, except: string | null = null): string | null {
  const n = cleanViewName(name);
  if (n === "") return "Give the view a name.";
  if (views.some((v) => sameName(v.name, n) && (except === null || !sameName(v.name, except)))) {
    return `A view named “${n}” exists already: choose another name, or delete that view first.`;
  }
  if (except === null && views.length >= MAX_VIEWS) return `At most ${MAX_VIEWS} views can be saved: delete one first.`;
  return null;
}

/** The views with `view` added, or replacing the one of its name. Sorted by name. */
export function withView(views: readonly SavedView[], view: SavedView): SavedView[] {
  const out = views.filter((v) => !sameName(v.name, view.name));
  out.push(view);
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export function renamedView(views: readonly SavedView[], from: string, to: string): SavedView[] {
  const name = cleanViewName(to);
  return views.map((v) => (sameName(v.name, from) ? { ...v, name } : v)).sort((a, b) => a.name.localeCompare(b.name));
}

export function withoutView(views: readonly SavedView[], name: string): SavedView[] {
  return views.filter((v) => !sameName(v.name, name));
}
