// @vitest-environment happy-dom
// Undoing an import: what the footer says while the undo is counted, and a
// count that arrives for an import the user has left is never shown for
// another. Only the IPC (api) is replaced.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { flushSync } from "svelte";

vi.mock("../api", () => ({
  newOpId: () => "op-1",
  api: { importBatches: vi.fn(), undoImport: vi.fn(), cancelOperation: vi.fn() },
}));

import { api } from "../api";
import type { ImportBatch, UndoReport } from "../types";
import ImportsDialog from "./ImportsDialog.svelte";
import { $, cleanup, click, clickOn, show, type } from "../testMount";

function batch(id: number, undo_refusal: ImportBatch["undo_refusal"] = null): ImportBatch {
  return {
    id,
    file_name: `/data/file-${id}.json`,
    sha256: null,
    imported_at: "2025-01-01T00:00:00Z",
    added: 3,
    replaced: 0,
    undone_at: null,
    undoable: undo_refusal === null,
    undo_refusal,
  } as ImportBatch;
}

function counted(id: number, removed: number): UndoReport {
  return { batch_id: id, file_name: `/data/file-${id}.json`, dry_run: true, removed, restored: 0, already_removed: 0, unlinked: 0, ids: [] };
}

/** A promise the test settles when it wants (a call still running). */
function pending<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve: (v: T) => void = () => {};
  let reject: (e: unknown) => void = () => {};
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

afterEach(cleanup);

beforeEach(() => {
  vi.mocked(api.importBatches).mockReset().mockResolvedValue([batch(1), batch(2)]);
  // Choosing an import asks its undo's dry run for the count.
  vi.mocked(api.undoImport)
    .mockReset()
    .mockImplementation(async (_op, id) => counted(id, 3));
  vi.mocked(api.cancelOperation).mockReset().mockResolvedValue(null);
});

const rows = (root: HTMLElement) => [...root.querySelectorAll<HTMLElement>('[data-testid="import-batch"]')];
const row = (root: HTMLElement, id: number) => root.querySelector<HTMLElement>(`[data-testid="import-batch"][data-id="${id}"]`)!;

/** The dialog with its two imports listed, each undoable. */
async function dialog(): Promise<HTMLElement> {
  const root = show(ImportsDialog, { onclose: () => {}, ondone: () => {} });
  await vi.waitFor(() => expect(rows(root).map((r) => r.dataset.undoable)).toEqual(["true", "true"]));
  return root;
}

function undo(root: HTMLElement, id: number) {
  clickOn(root.querySelector<HTMLElement>(`[data-testid="import-batch"][data-id="${id}"] [data-testid="import-batch-undo"]`)!);
}

describe("the list of imports", () => {
  it("says, when empty, how files come in", async () => {
    vi.mocked(api.importBatches).mockResolvedValue([]);
    const root = show(ImportsDialog, { onclose: () => {}, ondone: () => {} });
    await vi.waitFor(() => expect($(root, "imports-empty")).not.toBeNull());
    expect($(root, "imports-empty")?.textContent).toContain("Import… in the toolbar");
    expect($(root, "imports-empty")?.textContent).toContain("Load sample data");
  });
});

describe("whether an import can be undone", () => {
  it("is said in the list, with why not, as the list says it: no undo is asked of any import", async () => {
    const nothingLeft =
      "Every EAC it added (3) has been deleted since, so there is nothing to undo (the audit log keeps each deletion with its reason).";
    const changed =
      "These EACs changed after it (a later import, an edit or a deletion): `a`, `b`. Undo the later imports first, or delete or fix these EACs by hand.";
    const closed = "1 EAC it would change lies in a closed reporting period (period 2 (2024-01-01 to 2024-12-31)): `c`. Reopen the period to undo it.";
    vi.mocked(api.importBatches).mockResolvedValue([
      batch(4, { code: "frozen", reason: closed, cds_eac_ids: ["c"] }),
      batch(3, { code: "invalid_input", reason: nothingLeft, cds_eac_ids: [] }),
      batch(2),
      batch(1, { code: "conflict", reason: changed, cds_eac_ids: ["a", "b"] }),
    ]);
    const root = show(ImportsDialog, { onclose: () => {}, ondone: () => {} });
    await vi.waitFor(() => expect(rows(root)).toHaveLength(4));
    // Opening the list runs no undo, not even a dry run (it was one per import, each as costly as the import).
    expect(api.undoImport).not.toHaveBeenCalled();
    const status = (id: number) => $(row(root, id), "import-batch-status")?.textContent;
    const why = (id: number) => $(row(root, id), "import-batch-why")?.textContent ?? null;
    const undoOff = (id: number) => ($(row(root, id), "import-batch-undo") as HTMLButtonElement).disabled;

    expect(status(1)).toBe("Cannot be undone");
    expect(why(1)).toBe(changed);
    expect(undoOff(1)).toBe(true);
    expect(row(root, 1).dataset.refusal).toBe("conflict");

    expect(status(2)).toBe("Can be undone");
    expect(why(2)).toBeNull();
    expect(undoOff(2)).toBe(false);

    expect(status(3)).toBe("Cannot be undone");
    expect(why(3)).toBe(nothingLeft);
    expect(undoOff(3)).toBe(true);

    expect(status(4)).toBe("Cannot be undone");
    expect(why(4)).toBe(`${closed} Periods are reopened in Evidence ▾ → Closed periods….`);
  });
});

describe("undoing an import", () => {
  it("says it is counting, and says why when the import cannot be undone", async () => {
    const root = await dialog();
    const count = pending<UndoReport>();
    vi.mocked(api.undoImport).mockReturnValue(count.promise);
    undo(root, 1);
    expect($(root, "undo-blocker")?.textContent).toBe("Counting what the undo changes…");
    count.reject({ code: "conflict", message: "A later import replaced them.", details: {} });
    await vi.waitFor(() => expect($(root, "undo-plan-error")).not.toBeNull());
    expect($(root, "undo-blocker")?.textContent).toBe("This import cannot be undone (see above).");
  });

  it("never shows the count of an import left meanwhile on another", async () => {
    const root = await dialog();
    const first = pending<UndoReport>();
    const second = pending<UndoReport>();
    vi.mocked(api.undoImport).mockReturnValueOnce(first.promise).mockReturnValueOnce(second.promise);
    undo(root, 1);
    click(root, "undo-back");
    undo(root, 2);
    second.resolve(counted(2, 2));
    await vi.waitFor(() => expect($(root, "undo-run")?.textContent).toBe("Undo import (2 EACs)"));
    // import 1's count comes late: it stays import 2's
    first.resolve(counted(1, 9));
    await new Promise((r) => setTimeout(r, 20));
    flushSync();
    expect($(root, "undo-file")?.textContent).toBe("/data/file-2.json");
    expect($(root, "undo-run")?.textContent).toBe("Undo import (2 EACs)");
    expect($(root, "undo-plan")?.dataset.count).toBe("2");
  });

  it("counts the undo again when it found more EACs than confirmed, and goes ahead for the new count", async () => {
    const root = await dialog();
    undo(root, 1);
    await vi.waitFor(() => expect($(root, "undo-run")?.textContent).toBe("Undo import (3 EACs)"));
    type(root, "undo-reason", "wrong file");
    // Another program changed the import's EACs after the dry run: the undo finds 5, nothing changed.
    vi.mocked(api.undoImport).mockImplementation(async (_op, id, _why, dryRun) => {
      if (dryRun) return counted(id, 5);
      throw { code: "invalid_input", message: "5 EACs match now, not the 3 you confirmed", details: { unconfirmed: 5 } };
    });
    click(root, "undo-run");
    await vi.waitFor(() => expect($(root, "undo-run")?.textContent).toBe("Undo import (5 EACs)"));
    expect($(root, "undo-plan")?.dataset.count).toBe("5");
    expect(($(root, "undo-reason") as HTMLInputElement).value).toBe("wrong file");
    const real = () => vi.mocked(api.undoImport).mock.calls.filter((c) => c[3] === false);
    expect(real().map((c) => c[4])).toEqual([3]);

    vi.mocked(api.undoImport).mockResolvedValueOnce({ ...counted(1, 5), dry_run: false });
    click(root, "undo-run");
    await vi.waitFor(() => expect($(root, "undo-result")).not.toBeNull());
    expect(real().map((c) => c[4])).toEqual([3, 5]);
  });
});
