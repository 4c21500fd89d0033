// @vitest-environment happy-dom
// Undoing an import: what the footer says while the undo is counted, and a
// count that arrives for an import the user has left is never shown for
// another. Only the IPC (api) is replaced.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { flushSync } from "svelte";

vi.mock("../api", () => ({
  newOpId: () => "op-1",
  api: { importBatches: vi.fn(), undoImport: vi.fn() },
}));

import { api } from "../api";
import type { ImportBatch, UndoReport } from "../types";
import ImportsDialog from "./ImportsDialog.svelte";
import { $, cleanup, click, clickOn, show } from "../testMount";

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
  vi.mocked(api.undoImport).mockReset();
});

async function dialog(): Promise<HTMLElement> {
  const root = show(ImportsDialog, { onclose: () => {}, ondone: () => {} });
  await vi.waitFor(() => expect(root.querySelectorAll('[data-testid="import-batch"]')).toHaveLength(2));
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
