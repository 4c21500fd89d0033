// Rows picked in the table (issue 13 item 3) and what a bulk action then
// acts on. Pure values: every function returns a new selection, so the desk
// keeps one in a $state and the table and the dialogs read it.
//
// A selection is one of
// - "none": the user is browsing (a plain click or arrow key). Only the row
//   shown in the detail pane is marked; bulk actions act on the whole filter,
//   as they did before rows could be picked;
// - "ids": exactly these EACs (Ctrl/Cmd-click, Shift-click, Shift+arrows);
// - "all": every EAC in the filter (Ctrl/Cmd+A) but those in `except`
//   (Ctrl/Cmd-clicked off again) — never a list of every id in memory.
// `anchor` is the row index a Shift range starts from (the last row clicked
// without Shift); indexes belong to the table's current filter and sort.

import type { DeleteTarget, EacFilter } from "./types";
import { emptyFilterState, isEmptyFilter, toEacFilter } from "./filters";
import { formatCount, plural } from "./decimal";

export type RowSelection =
  | { kind: "none"; anchor: number | null }
  | { kind: "ids"; ids: ReadonlySet<string>; anchor: number | null }
  | { kind: "all"; except: ReadonlySet<string>; anchor: number | null };

export const NO_ROWS: RowSelection = { kind: "none", anchor: null };

/**
 * The most rows a Shift range picks one by one (their ids are fetched and
 * kept); a range over the whole filter becomes "all in the filter" instead.
 */
export const MAX_RANGE = 20_000;

/** Rows fetched at once for a range not on screen (the backend's largest page). */
export const RANGE_PAGE = 1000;

/** A plain click or arrow key on the row at `index`: browsing again, ranges start there. */
export function clicked(index: number | null): RowSelection {
  return { kind: "none", anchor: index };
}

/** Whether the row of EAC `id` is marked; `current` is the EAC shown in the detail pane. */
export function isSelected(sel: RowSelection, id: string, current: string | null): boolean {
  switch (sel.kind) {
    case "none":
      return id === current;
    case "ids":
      return sel.ids.has(id);
    case "all":
      return !sel.except.has(id);
  }
}

/** Whether rows were picked (the selection bar and the bulk actions then speak of them). */
export function isPicked(sel: RowSelection): boolean {
  return sel.kind !== "none";
}

/**
 * Ctrl/Cmd-click (or Space) on EAC `id` at `index`: it goes in or out, and
 * ranges start there now. From browsing, the row shown (`current`) stays in.
 */
export function toggled(sel: RowSelection, id: string, index: number, current: string | null): RowSelection {
  if (sel.kind === "all") {
    const except = new Set(sel.except);
    if (except.has(id)) except.delete(id);
    else except.add(id);
    return { kind: "all", except, anchor: index };
  }
  const ids = new Set<string>(sel.kind === "ids" ? sel.ids : current !== null ? [current] : []);
  if (ids.has(id)) ids.delete(id);
  else ids.add(id);
  return ids.size === 0 ? { kind: "none", anchor: index } : { kind: "ids", ids, anchor: index };
}

/**
 * The rows a Shift-click or Shift+arrow to `index` spans, first to last:
 * from the anchor, else from the row shown (`currentIndex`), else just `index`.
 */
export function rangeTo(sel: RowSelection, index: number, currentIndex: number | null): { from: number; to: number; anchor: number } {
  const anchor = sel.anchor ?? currentIndex ?? index;
  return { from: Math.min(anchor, index), to: Math.max(anchor, index), anchor };
}

/** Whether the rows `from`..=`to` are every row of a filter of `count` (the range is then "all in the filter"). */
export function spansAll(from: number, to: number, count: number): boolean {
  return count > 1 && from <= 0 && to >= count - 1;
}

/**
 * The selection after a Shift range over the EACs `ids` (anchored at
 * `anchor`): they replace the picked rows, or with Ctrl/Cmd (`add`) join them.
 */
export function withRange(
  sel: RowSelection,
  ids: readonly string[],
  anchor: number,
  add: boolean,
  current: string | null,
): RowSelection {
  if (add && sel.kind === "all") {
    const except = new Set(sel.except);
    for (const id of ids) except.delete(id);
    return { kind: "all", except, anchor };
  }
  const base: Iterable<string> = !add ? [] : sel.kind === "ids" ? sel.ids : current !== null ? [current] : [];
  const next = new Set<string>(base);
  for (const id of ids) next.add(id);
  return next.size === 0 ? { kind: "none", anchor } : { kind: "ids", ids: next, anchor };
}

/** Ctrl/Cmd+A: every EAC in the filter. */
export function allInFilter(anchor: number | null = null): RowSelection {
  return { kind: "all", except: new Set(), anchor };
}

/** Escape or "Clear": back to browsing (the row shown stays shown). */
export function cleared(sel: RowSelection): RowSelection {
  return { kind: "none", anchor: sel.anchor };
}

/** How many rows are picked (null while the filter is being counted); 0 when browsing. */
export function pickedCount(sel: RowSelection, filterCount: number | null): number | null {
  switch (sel.kind) {
    case "none":
      return 0;
    case "ids":
      return sel.ids.size;
    case "all":
      return filterCount === null ? null : Math.max(0, filterCount - sel.except.size);
  }
}

// ---- what a bulk action acts on ----------------------------------------------------

/**
 * What a bulk action (beneficiaries, fields, verify, delete, export) acts on:
 * - "selected": the rows picked (`filter` names them: their ids, or the table's
 *   filter but the rows picked off);
 * - "filter": every EAC of the table's filter (`filtered` false: of the database).
 */
export interface BulkTarget {
  scope: "selected" | "filter";
  /** what the backend gets */
  filter: EacFilter;
  /** the exact ids picked (scope "selected" without select-all), else null */
  ids: string[] | null;
  /** how many EACs (null while counting) */
  count: number | null;
  /** a filter is in effect in the table */
  filtered: boolean;
  /** rows picked off after select-all */
  except: number;
}

function idsFilter(ids: readonly string[]): EacFilter {
  return { ...toEacFilter(emptyFilterState()), ids: [...ids] };
}

/** The target of a bulk action now: the picked rows, else every EAC of `filter`. */
export function bulkTarget(sel: RowSelection, filter: EacFilter, filterCount: number | null): BulkTarget {
  const filtered = !isEmptyFilter(filter);
  if (sel.kind === "ids") {
    const ids = [...sel.ids].sort();
    return { scope: "selected", filter: idsFilter(ids), ids, count: ids.length, filtered, except: 0 };
  }
  if (sel.kind === "all" && sel.except.size > 0) {
    const except = [...sel.except].sort();
    return {
      scope: "selected",
      filter: { ...filter, exclude_ids: except },
      ids: null,
      count: pickedCount(sel, filterCount),
      filtered,
      except: except.length,
    };
  }
  return { scope: "filter", filter: { ...filter }, ids: null, count: filterCount, filtered, except: 0 };
}

/** What `set_fields` and `delete_eacs` get: exact ids (an EAC gone since refuses), else the filter. */
export function targetOf(t: BulkTarget): DeleteTarget {
  return t.ids !== null ? { ids: [...t.ids] } : { filter: { ...t.filter } };
}

/** Whether the target is every EAC in the database (the box must then be ticked). */
export function isWholeDatabase(t: BulkTarget): boolean {
  return t.scope === "filter" && !t.filtered;
}

function eacs(n: number | null): string {
  return n === null ? "… EACs" : plural(n, "EAC");
}

/**
 * The target in words, with its count: "3 selected EACs", "all 120 EACs in
 * the filter", "all 120 EACs" (no filter), "117 selected EACs (all in the
 * filter but 3)". `count` overrides the target's own (a dry run's count).
 */
export function targetWords(t: BulkTarget, count: number | null = t.count): string {
  if (t.scope === "selected") {
    const n = count === null ? "…" : formatCount(count);
    const what = `${n} selected ${count === 1 ? "EAC" : "EACs"}`;
    if (t.ids !== null) return what;
    const where = t.filtered ? "in the filter" : "";
    return `${what} (all${where ? " " + where : ""} but ${formatCount(t.except)})`;
  }
  if (count === 1) return t.filtered ? "the only EAC in the filter" : "the only EAC";
  return `all ${eacs(count)}${t.filtered ? " in the filter" : ""}`;
}

/**
 * A dialog title or button naming the target and its count: "Change 3
 * selected EACs", "Delete all 120 EACs in the filter", "Mark 3 selected EACs
 * as verified" (`rest` follows).
 */
export function targetAction(verb: string, t: BulkTarget, rest = "", count: number | null = t.count): string {
  const s = `${verb} ${targetWords(t, count)}`;
  return rest === "" ? s : `${s} ${rest}`;
}

/**
 * The button of an action that changes only some of its target (a dry run
 * counted `changed`): "Change 2 of the 3 selected EACs", "Change 5 of all 120
 * EACs in the filter", or as `targetAction` when all of them change.
 */
export function partAction(verb: string, t: BulkTarget, changed: number | null): string {
  if (changed === null || t.count === null || changed === t.count) return targetAction(verb, t);
  const of = t.scope === "selected" ? `the ${targetWords(t)}` : targetWords(t);
  return `${verb} ${formatCount(changed)} of ${of}`;
}

/** The selection bar's words: "3 selected", "All 120 in the filter selected", or null when browsing. */
export function pickedWords(sel: RowSelection, filterCount: number | null, filtered: boolean): string | null {
  if (sel.kind === "none") return null;
  const n = pickedCount(sel, filterCount);
  const count = n === null ? "…" : formatCount(n);
  if (sel.kind === "all" && sel.except.size === 0) {
    return filtered ? `All ${count} in the filter selected` : `All ${count} selected`;
  }
  return `${count} selected`;
}
