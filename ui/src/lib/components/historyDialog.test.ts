// @vitest-environment happy-dom
// The app-wide History's day fields, mounted as App shows them: typed as
// the filter bar's days (decision 32), not WebKitGTK's date widget, which
// showed an empty field as today's date, greyed and month first.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("../api", () => ({
  api: { auditPage: vi.fn(), verifyAuditChain: vi.fn() },
}));

import { api } from "../api";
import type { AuditPage } from "../types";
import HistoryDialog from "./HistoryDialog.svelte";
import { $, cleanup, click, show, testDesk, type } from "../testMount";

const empty = { records: [], total: 0, offset: 0 } as unknown as AuditPage;

beforeEach(() => {
  vi.mocked(api.auditPage).mockReset().mockResolvedValue(empty);
  vi.mocked(api.verifyAuditChain).mockReset().mockReturnValue(new Promise(() => {}));
});

afterEach(cleanup);

describe("the History's days", () => {
  it("are typed as YYYY-MM-DD: a half-typed day says how to finish it, a whole one narrows the list", async () => {
    const root = show(HistoryDialog, { onclose: () => {} }, testDesk());
    await vi.waitFor(() => expect($(root, "history-dialog-count")).not.toBeNull());
    for (const id of ["history-from", "history-to"]) {
      const field = $(root, id) as HTMLInputElement;
      expect(field.type).toBe("text");
      expect(field.placeholder).toBe("YYYY-MM-DD");
      expect(field.value).toBe("");
    }

    type(root, "history-from", "2026-0");
    expect($(root, "history-form-problem")?.textContent).toContain("write it as YYYY-MM-DD");
    expect(($(root, "history-eac-show") as HTMLButtonElement).disabled).toBe(true);

    type(root, "history-from", "2026-01-15");
    expect($(root, "history-form-problem")).toBeNull();
    expect(($(root, "history-eac-show") as HTMLButtonElement).disabled).toBe(false);
    click(root, "history-eac-show");
    await vi.waitFor(() => expect(api.auditPage).toHaveBeenCalledTimes(2));
    expect(vi.mocked(api.auditPage).mock.calls[1][0].from).toBeDefined();
  });
});
