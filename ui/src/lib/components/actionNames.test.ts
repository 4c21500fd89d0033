// @vitest-environment happy-dom
// One action, one name: the toolbar says "Mark verified…" and the table's
// bulk button, short so the bar keeps one line, says "Verify…" with "Mark …
// as verified" in its title (the Evidence menu's "Verify evidence pack…" is
// another action); every place that sends the user to reopen a closed period
// names it as the error messages do.

import { afterEach, describe, expect, it, vi } from "vitest";

vi.mock("../api", () => ({
  newOpId: () => "op-1",
  api: { frozenBy: vi.fn(), deleteEacs: vi.fn() },
}));

import { api } from "../api";
import { REOPEN_PLACE } from "../errors";
import { emptyFilterState, toEacFilter } from "../filters";
import type { ClosedPeriod, DeleteReport } from "../types";
import { $, cleanup, show, testDesk } from "../testMount";
import TableTools from "./TableTools.svelte";
import DeleteDialog from "./DeleteDialog.svelte";
import TableExportDialog from "./TableExportDialog.svelte";

afterEach(cleanup);

describe("action names", () => {
  it("calls the table's bulk verification what the toolbar calls it", () => {
    const desk = testDesk();
    const none = () => {};
    const root = show(
      TableTools,
      {
        onfields: none,
        onbeneficiaries: none,
        onverify: none,
        onexport: none,
        ondelete: none,
        problemsOpen: false,
        onproblems: none,
        onexporttable: none,
        summaryOpen: false,
        onsummary: none,
        oncolumns: none,
        onviews: none,
      },
      desk,
    );
    // The bar keeps one line at 1280 px with a filter (first-day E2E), so its
    // button is short; its title says the toolbar's action by name.
    expect($(root, "selection-verify")?.textContent).toBe("Verify…");
    expect($(root, "selection-verify")?.title).toMatch(/^Mark .* as verified/);
  });

  it("names the table export's file button as its own field and the other dialogs do: Choose…", () => {
    const root = show(TableExportDialog, { onclose: () => {} }, testDesk());
    const button = $(root, "table-export-browse");
    expect(button?.textContent).toBe("Choose…");
    expect(($(root, "table-export-path") as HTMLInputElement).placeholder).toContain(button?.textContent ?? "?");
  });

  it("sends the user to reopen a closed period where the error messages do", async () => {
    const period = {
      id: 1,
      from: "2024-01-01",
      to: "2024-12-31",
      closed_at: "2025-01-10T00:00:00Z",
      closed_by: "me",
      reason: "FY filed",
      reopened_at: null,
      reopened_by: null,
      reopen_reason: null,
      eac_count: 3,
    } as unknown as ClosedPeriod;
    vi.mocked(api.frozenBy).mockResolvedValue([period]);
    vi.mocked(api.deleteEacs).mockResolvedValue({ deleted: 0, envelopes_deleted: 0, ids: [] } as unknown as DeleteReport);
    const root = show(DeleteDialog, {
      filter: toEacFilter(emptyFilterState()),
      selectedId: "S1-1",
      onclose: () => {},
      ondone: () => {},
    });
    await vi.waitFor(() => expect($(root.ownerDocument, "delete-selected-frozen")).not.toBeNull());
    expect($(root.ownerDocument, "delete-selected-frozen")?.textContent).toContain(`reopen it in ${REOPEN_PLACE}`);
  });
});
