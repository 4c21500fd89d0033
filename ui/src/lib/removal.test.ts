import { describe, expect, it } from "vitest";
import {
  batchStatus,
  defaultDeleteScope,
  deleteResultText,
  deleteTarget,
  deletedCount,
  deletesEverything,
  undoCount,
  undoText,
  undoWhy,
} from "./removal";
import { emptyFilterState, toEacFilter } from "./filters";

const none = toEacFilter(emptyFilterState());
const wind = toEacFilter({ ...emptyFilterState(), technology: "wind" });

describe("what a delete means", () => {
  it("opens on the selected EAC, else the filter, else everything", () => {
    expect(defaultDeleteScope("E-1", wind)).toBe("selected");
    expect(defaultDeleteScope(null, wind)).toBe("filter");
    expect(defaultDeleteScope(null, none)).toBe("all");
  });
  it("sends exact ids for one EAC and the filter for many", () => {
    expect(deleteTarget("selected", "E-1", wind)).toEqual({ ids: ["E-1"] });
    expect(deleteTarget("filter", "E-1", wind)).toEqual({ filter: wind });
    expect(deleteTarget("all", "E-1", wind)).toEqual({ filter: none });
    expect(deleteTarget("filter", null, none)).toEqual({ filter: none });
  });
  it("knows when every EAC goes", () => {
    expect(deletesEverything("all", wind)).toBe(true);
    expect(deletesEverything("filter", none)).toBe(true);
    expect(deletesEverything("filter", wind)).toBe(false);
    expect(deletesEverything("selected", none)).toBe(false);
  });
  it("counts envelope-only EACs too and says where they went", () => {
    const r = { dry_run: false, deleted: 3, envelopes_deleted: 2, ids: [] };
    expect(deletedCount(r)).toBe(5);
    expect(deleteResultText(r)).toMatch(/^Deleted 5 EACs, 2 of them without values/);
    expect(deleteResultText({ ...r, envelopes_deleted: 0 })).toMatch(/^Deleted 3 EACs\. .*History/);
  });
});

describe("undoing an import", () => {
  const plan = { batch_id: 2, file_name: "/x/march.json", dry_run: true, removed: 4, restored: 1, already_removed: 0, unlinked: 0, ids: [] };
  it("counts removed and restored EACs", () => {
    expect(undoCount(plan)).toBe(5);
    expect(undoCount({ ...plan, unlinked: 10 })).toBe(15);
  });
  it("says what it will do and what it did", () => {
    expect(undoText(plan)).toBe("Undoing it removes 4 EACs it added and gives 1 EAC it replaced its earlier version back.");
    expect(undoText({ ...plan, dry_run: false, restored: 0 })).toBe("The undo removed 4 EACs it added.");
    expect(undoText({ ...plan, removed: 0, restored: 0, already_removed: 2 })).toBe(
      "Undoing it changes no EAC; 2 EACs it added were deleted since.",
    );
    // Tester 37: an import that only named its document as a source of EACs it found unchanged.
    expect(undoText({ ...plan, removed: 0, restored: 0, unlinked: 10 })).toBe(
      "Undoing it unlinks its document from 10 EACs it found unchanged (they stay as they are).",
    );
    expect(undoText({ ...plan, dry_run: false, restored: 0, unlinked: 1 })).toBe(
      "The undo removed 4 EACs it added and unlinked its document from 1 EAC it found unchanged (it stays as it is).",
    );
  });
  it("shows whether an import can still be undone, and why not, as the list says it", () => {
    const changed = { code: "conflict" as const, reason: "1 EAC changed after it (…): `a`. Undo the later imports first, or delete or fix these EACs by hand.", cds_eac_ids: ["a"] };
    const closed = { code: "frozen" as const, reason: "1 EAC it would change lies in a closed reporting period (period 1 (2024-01-01 to 2024-12-31)): `a`. Reopen the period to undo it.", cds_eac_ids: ["a"] };
    const undone = { code: "invalid_input" as const, reason: "It was already undone at 2026-01-02T03:04:05Z.", cds_eac_ids: [] };
    expect(batchStatus({ undone_at: null, undo_refusal: null })).toBe("Can be undone");
    expect(undoWhy({ undone_at: null, undo_refusal: null })).toBeNull();
    expect(batchStatus({ undone_at: null, undo_refusal: changed })).toBe("Cannot be undone");
    expect(undoWhy({ undone_at: null, undo_refusal: changed })).toBe(changed.reason);
    expect(undoWhy({ undone_at: null, undo_refusal: closed })).toBe(
      `${closed.reason} Periods are reopened in Evidence ▾ → Closed periods….`,
    );
    expect(batchStatus({ undone_at: "2026-01-02T03:04:05Z", undo_refusal: undone })).toMatch(/^Undone /);
    // Undone: the state says it; no reason beside it.
    expect(undoWhy({ undone_at: "2026-01-02T03:04:05Z", undo_refusal: undone })).toBeNull();
  });
});
