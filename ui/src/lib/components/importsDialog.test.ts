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
import { $, cleanup, click, clickOn, hide, show } from "../testMount";

function batch(id: number): ImportBatch {
  return {
    id,
    file_name: `/data/file-${id}.json`,
    sha256: null,
    imported_at: "2025-01-01T00:00:00Z",
    added: 3,
    replaced: 0,
    undone_at: null,
    undoable: true,
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
  // The list asks each import's dry run whether it can be undone: by default it can.
  vi.mocked(api.undoImport)
    .mockReset()
    .mockImplementation(async (_op, id) => counted(id, 3));
  vi.mocked(api.cancelOperation).mockReset().mockResolvedValue(null);
});

const rows = (root: HTMLElement) => [...root.querySelectorAll<HTMLElement>('[data-testid="import-batch"]')];
const row = (root: HTMLElement, id: number) => root.querySelector<HTMLElement>(`[data-testid="import-batch"][data-id="${id}"]`)!;

/** The dialog with its two imports listed, each found undoable by its dry run. */
async function dialog(): Promise<HTMLElement> {
  const root = show(ImportsDialog, { onclose: () => {}, ondone: () => {} });
  await vi.waitFor(() => expect(rows(root).map((r) => r.dataset.check)).toEqual(["undoable", "undoable"]));
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
  it("is said in the list, with why not, without the user trying", async () => {
    vi.mocked(api.importBatches).mockResolvedValue([batch(3), batch(2), batch(1)]);
    vi.mocked(api.undoImport).mockImplementation(async (_op, id) => {
      if (id === 3)
        throw {
          code: "invalid_input",
          message:
            "Import 3 (/data/file-3.json) cannot be undone: every EAC it added (3) has been deleted since, so there is nothing to undo (the audit log keeps each deletion with its reason). Nothing was changed.",
          details: {},
        };
      if (id === 1)
        throw {
          code: "conflict",
          message: "Import 1 (/data/file-1.json) cannot be undone: these EACs changed after it …",
          details: { cds_eac_ids: ["a", "b"] },
        };
      return counted(id, 3);
    });
    const root = show(ImportsDialog, { onclose: () => {}, ondone: () => {} });
    await vi.waitFor(() => expect(rows(root).map((r) => r.dataset.check)).toEqual(["refused", "undoable", "refused"]));
    // Every import was asked about as a dry run, newest first.
    expect(vi.mocked(api.undoImport).mock.calls.map((c) => [c[1], c[3]])).toEqual([
      [3, true],
      [2, true],
      [1, true],
    ]);
    const status = (id: number) => $(row(root, id), "import-batch-status")?.textContent;
    const why = (id: number) => $(row(root, id), "import-batch-why")?.textContent ?? null;
    const undoOff = (id: number) => ($(row(root, id), "import-batch-undo") as HTMLButtonElement).disabled;

    expect(status(1)).toBe("Cannot be undone");
    expect(why(1)).toBe(
      "2 EACs it added or replaced were changed after it (by a later import, an edit or a deletion). Undo the later imports first, or fix them by hand.",
    );
    expect(undoOff(1)).toBe(true);

    expect(status(2)).toBe("Can be undone");
    expect(why(2)).toBeNull();
    expect(undoOff(2)).toBe(false);

    expect(status(3)).toBe("Cannot be undone");
    expect(why(3)).toBe(
      "Import 3 (/data/file-3.json) cannot be undone: every EAC it added (3) has been deleted since, so there is nothing to undo (the audit log keeps each deletion with its reason).",
    );
    expect(undoOff(3)).toBe(true);
  });

  it("says it is still being checked, and a check left running when the dialog closes is cancelled", async () => {
    const check = pending<UndoReport>();
    vi.mocked(api.undoImport).mockReturnValue(check.promise);
    const root = show(ImportsDialog, { onclose: () => {}, ondone: () => {} });
    await vi.waitFor(() => expect(rows(root)).toHaveLength(2));
    expect($(row(root, 1), "import-batch-status")?.textContent).toBe("Checking whether it can be undone…");
    expect(($(row(root, 1), "import-batch-undo") as HTMLButtonElement).disabled).toBe(false);
    hide(root);
    expect(api.cancelOperation).toHaveBeenCalledWith("op-1");
    check.reject({ code: "cancelled", message: "Cancelled.", details: {} });
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
});
