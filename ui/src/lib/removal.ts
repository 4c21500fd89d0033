// Taking EACs out again (issue 9 item 17): which EACs a delete means, and
// what a delete or an undone import did, in words.

import type { DeleteReport, DeleteTarget, EacFilter, ImportBatch, UndoReport } from "./types";
import { emptyFilterState, isEmptyFilter, toEacFilter } from "./filters";
import { formatCount, plural } from "./decimal";
import { formatLocalDateTime } from "./dates";
import { REOPEN_PLACE, toAppError } from "./errors";


export type DeleteScope = "selected" | "filter" | "all";

/** The selected EAC when there is one, else the current filter, else everything. */
export function defaultDeleteScope(selectedId: string | null, filter: EacFilter): DeleteScope {
  if (selectedId) return "selected";
  return isEmptyFilter(filter) ? "all" : "filter";
}

/** What `delete_eacs` gets for a scope. "filter" without a filter is everything. */
export function deleteTarget(scope: DeleteScope, selectedId: string | null, filter: EacFilter): DeleteTarget {
  if (scope === "selected" && selectedId) return { ids: [selectedId] };
  if (scope === "filter" && !isEmptyFilter(filter)) return { filter: { ...filter } };
  return { filter: toEacFilter(emptyFilterState()) };
}

/** Whether a scope takes every EAC in the database (the box must then be ticked). */
export function deletesEverything(scope: DeleteScope, filter: EacFilter): boolean {
  return scope === "all" || (scope === "filter" && isEmptyFilter(filter));
}

/** Every EAC a delete report counts: with values and envelope-only. */
export function deletedCount(r: Pick<DeleteReport, "deleted" | "envelopes_deleted">): number {
  return r.deleted + r.envelopes_deleted;
}

/** "Deleted 3 EACs." (+ the envelope-only ones when any) */
export function deleteResultText(r: DeleteReport): string {
  const extra =
    r.envelopes_deleted > 0 ? `, ${formatCount(r.envelopes_deleted)} of them without values (P2 envelope only)` : "";
  return `Deleted ${plural(deletedCount(r), "EAC")}${extra}. Each one is kept in History (toolbar “History…”) with your reason.`;
}

/** Every EAC an undo touches: removed, given back their earlier version, or no longer naming its document. */
export function undoCount(r: Pick<UndoReport, "removed" | "restored" | "unlinked">): number {
  return r.removed + r.restored + r.unlinked;
}

/** What the undo will do (dry run) or did, in a sentence. */
export function undoText(r: UndoReport): string {
  const parts: string[] = [];
  if (r.removed > 0) parts.push(`${r.dry_run ? "removes" : "removed"} ${plural(r.removed, "EAC")} it added`);
  if (r.restored > 0)
    parts.push(`${r.dry_run ? "gives" : "gave"} ${plural(r.restored, "EAC")} it replaced ${r.restored === 1 ? "its" : "their"} earlier version back`);
  // EACs it found unchanged in its registry document: only the document's link goes.
  if (r.unlinked > 0)
    parts.push(
      `${r.dry_run ? "unlinks" : "unlinked"} its document from ${plural(r.unlinked, "EAC")} it found unchanged (${r.unlinked === 1 ? "it stays" : "they stay"} as ${r.unlinked === 1 ? "it is" : "they are"})`,
    );
  let s =
    parts.length === 0
      ? r.dry_run
        ? "Undoing it changes no EAC"
        : "No EAC was changed"
      : `${r.dry_run ? "Undoing it" : "The undo"} ${parts.join(" and ")}`;
  if (r.already_removed > 0)
    s += `; ${plural(r.already_removed, "EAC")} it added ${r.already_removed === 1 ? "was" : "were"} deleted since`;
  return s + ".";
}

/**
 * What the undo's dry run said of an import in the list, asked for each one
 * the list does not already know cannot be undone: still asking, it can be
 * undone, or why not (in words, see `undoRefusal`).
 */
export type UndoCheck = { state: "checking" } | { state: "undoable" } | { state: "refused"; why: string };

/** Whether the list asks the undo's dry run about this import (one not undone, and not made by an older EAC Desk). */
export function needsUndoCheck(b: Pick<ImportBatch, "undone_at" | "undoable">): boolean {
  return !b.undone_at && b.undoable;
}

/**
 * The state of an import in the list: "Undone …", "Can be undone", or that it
 * cannot be undone (why stands beside it, `undoRefusal`), as its undo's dry
 * run said (`check`; while it is asked, "Checking…").
 */
export function batchStatus(b: Pick<ImportBatch, "undone_at" | "undoable">, check?: UndoCheck): string {
  if (b.undone_at) return `Undone ${formatLocalDateTime(b.undone_at)}`;
  if (!b.undoable) return "Imported by an older EAC Desk; cannot be undone";
  if (check?.state === "refused") return "Cannot be undone";
  if (check?.state === "checking") return "Checking whether it can be undone…";
  return "Can be undone";
}

/**
 * Why an import cannot be undone, from its undo's refusal, in the list's
 * words: EACs changed after it and EACs in a closed period are counted from
 * the details; any other refusal (nothing left to undo, …) is the backend's
 * own sentence, without its "Nothing was changed." (nothing was tried).
 */
export function undoRefusal(e: unknown): string {
  const err = toAppError(e);
  const ids = err.details.cds_eac_ids ?? [];
  const n = ids.length;
  if (err.code === "conflict") {
    const them = n === 0 ? "EACs it added or replaced were" : `${plural(n, "EAC")} it added or replaced ${n === 1 ? "was" : "were"}`;
    return `${them} changed after it (by a later import, an edit or a deletion). Undo the later imports first, or fix ${n === 1 ? "it" : "them"} by hand.`;
  }
  if (err.code === "frozen") {
    const them = n === 0 ? "EACs it changed lie" : `${plural(n, "EAC")} it changed ${n === 1 ? "lies" : "lie"}`;
    return `${them} in a closed reporting period. Reopen the period first (${REOPEN_PLACE}).`;
  }
  return err.message.replace(/\s*Nothing was changed\.\s*$/, "").trim() || "Its undo was refused.";
}
