// @vitest-environment happy-dom
// The export's question before writing over a file is answered in one place:
// its own Replace and Keep it. The footer's button said "Replace" beside it,
// so the dialog showed two Replace buttons.

import { afterEach, describe, expect, it, vi } from "vitest";

vi.mock("../api", () => ({
  newOpId: () => "op-1",
  api: { pathKind: vi.fn(), exportP1: vi.fn(), exportP2: vi.fn() },
}));

import { api } from "../api";
import { emptyFilterState, toEacFilter } from "../filters";
import { $, cleanup, click, show, testDesk, type } from "../testMount";
import ExportDialog from "./ExportDialog.svelte";

afterEach(cleanup);

const settle = () => new Promise((r) => setTimeout(r, 0));

describe("the export's replace question", () => {
  it("offers one Replace, beside Keep it, and the export button again once kept", async () => {
    vi.mocked(api.pathKind).mockResolvedValue("file");
    const root = show(
      ExportDialog,
      { filter: toEacFilter(emptyFilterState()), filterCount: 3, allCount: 3, onclose: () => {}, onjump: () => {} },
      testDesk(),
    );
    type(root, "export-path", "/tmp/existing.json");
    click(root, "export-run");
    await settle();
    expect($(root, "export-replace-question")?.textContent).toContain("“existing.json” already exists");
    const replaces = [...root.querySelectorAll("button")].filter((b) => b.textContent?.trim() === "Replace");
    expect(replaces).toHaveLength(1);
    expect(replaces[0].dataset.testid).toBe("export-replace-yes");
    expect($(root, "export-run")).toBeNull();
    click(root, "export-replace-no");
    expect($(root, "export-replace")).toBeNull();
    expect($(root, "export-run")?.textContent).not.toBe("Replace");
  });
});
