// Taking EACs out again (issue 9 item 17): which EACs a delete means, and
// what a delete or an undone import did, in words.

import type { DeleteReport, DeleteTarget, EacFilter, ImportBatch, UndoReport } from "./types";
import { emptyFilterState, isEmptyFilter, toEacFilter } from "./filters";
import { formatCount, plural } from "./decimal";
import { formatLocalDateTime } from "./dates";
import { REOPEN_PLACE } from "./errors";


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
 * The state of an import in the list: "Undone …", "Can be undone" or "Cannot
 * be undone" (why stands beside it, `undoWhy`), as the list itself says it:
 * the backend works out every import's answer when the list is read
 * (`undo_refusal`, the refusal its undo would give), so nothing is asked per
 * import.
 */
export function batchStatus(b: Pick<ImportBatch, "undone_at" | "undo_refusal">): string {
  if (b.undone_at) return `Undone ${formatLocalDateTime(b.undone_at)}`;
  return b.undo_refusal ? "Cannot be undone" : "Can be undone";
}

/**
 * Why an import cannot be undone, in the backend's words (`undo_refusal`);
 * a closed period adds where it is reopened. `null` when it can be undone
 * or was undone (the state says it).
 */
export function undoWhy(b: Pick<ImportBatch, "undone_at" | "undo_refusal">): string | null {
  const refusal = b.undo_refusal;
  if (b.undone_at || !refusal) return null;
  if (refusal.code === "frozen") return `${refusal.reason} Periods are reopened in ${REOPEN_PLACE}.`;
  return refusal.reason;
}
