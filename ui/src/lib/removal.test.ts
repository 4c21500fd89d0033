import { describe, expect, it } from "vitest";
import {
  batchStatus,
  defaultDeleteScope,
  deleteResultText,
  deleteTarget,
  deletedCount,
  deletesEverything,
  needsUndoCheck,
  undoCount,
  undoRefusal,
  undoText,
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
  it("shows whether an import can still be undone", () => {
    expect(batchStatus({ undone_at: null, undoable: true })).toBe("Can be undone");
    expect(batchStatus({ undone_at: null, undoable: true }, { state: "undoable" })).toBe("Can be undone");
    expect(batchStatus({ undone_at: null, undoable: true }, { state: "checking" })).toBe("Checking whether it can be undone…");
    expect(batchStatus({ undone_at: null, undoable: true }, { state: "refused", why: "x" })).toBe("Cannot be undone");
    expect(batchStatus({ undone_at: null, undoable: false })).toMatch(/cannot be undone/);
    expect(batchStatus({ undone_at: "2026-01-02T03:04:05Z", undoable: false })).toMatch(/^Undone /);
    expect(needsUndoCheck({ undone_at: null, undoable: true })).toBe(true);
    expect(needsUndoCheck({ undone_at: null, undoable: false })).toBe(false);
    expect(needsUndoCheck({ undone_at: "2026-01-02T03:04:05Z", undoable: false })).toBe(false);
  });
  it("says why an import cannot be undone, from its undo's refusal", () => {
    const refused = (code: string, ids: string[] | undefined, message = "m") => ({
      code,
      message,
      details: ids ? { cds_eac_ids: ids } : {},
    });
    expect(undoRefusal(refused("conflict", ["a"]))).toBe(
      "1 EAC it added or replaced was changed after it (by a later import, an edit or a deletion). Undo the later imports first, or fix it by hand.",
    );
    expect(undoRefusal(refused("frozen", ["a", "b", "c"]))).toBe(
      "3 EACs it changed lie in a closed reporting period. Reopen the period first (Evidence ▾ → Closed periods…).",
    );
    expect(undoRefusal(refused("frozen", ["a"]))).toMatch(/^1 EAC it changed lies in a closed reporting period/);
    expect(
      undoRefusal(
        refused(
          "invalid_input",
          undefined,
          "Import 4 (x.json) changed no stored EAC (it added none, replaced none and named its document as the source of none), so there is nothing to undo. Nothing was changed.",
        ),
      ),
    ).toBe(
      "Import 4 (x.json) changed no stored EAC (it added none, replaced none and named its document as the source of none), so there is nothing to undo.",
    );
  });
});
