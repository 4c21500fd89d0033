// @vitest-environment happy-dom
// The reference-data dialog's removal of an id (tester 36, finding 4):
// reference data could be imported and listed but never removed, so a
// typo'd or closed id kept passing the unknown-id check. Only the IPC (api)
// is replaced.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { flushSync } from "svelte";

vi.mock("../api", () => ({
  newOpId: () => "op-1",
  api: {
    refdataCounts: vi.fn(),
    listRefdata: vi.fn(),
    removeRefdata: vi.fn(),
    importRefdata: vi.fn(),
    pickRefdataFiles: vi.fn(),
    cancelOperation: vi.fn(),
  },
}));

import { api } from "../api";
import type { RefdataEntry, RefdataRemoval } from "../types";
import RefdataDialog from "./RefdataDialog.svelte";
import { $, cleanup, click, show, testDesk, type } from "../testMount";

const typo: RefdataEntry = {
  beneficiary_type: "account",
  id: "ACC-1O",
  label: "1",
  source_file: "/data/typo.json",
  imported_at: "2026-12-06T10:00:00Z",
};

function removal(dry_run: boolean): RefdataRemoval {
  return {
    beneficiary_type: "account",
    removed: [typo],
    still_named: [{ id: "ACC-1O", eac_count: 7, cds_eac_ids: ["e-1", "e-2", "e-3", "e-4", "e-5"] }],
    dry_run,
  };
}

/** Lets the mocked calls' promises settle and the view react. */
async function settle() {
  for (let i = 0; i < 5; i++) await Promise.resolve();
  flushSync();
}

afterEach(cleanup);
beforeEach(() => {
  vi.mocked(api.refdataCounts).mockReset().mockResolvedValue([{ beneficiary_type: "account", count: 1 }]);
  vi.mocked(api.listRefdata).mockReset().mockResolvedValue([typo]);
  vi.mocked(api.removeRefdata).mockReset();
});

describe("removing a reference id", () => {
  it("checks first, then removes with a reason, naming the EACs that still name it", async () => {
    const view = show(RefdataDialog, { onclose: () => {}, onimported: () => {} }, testDesk());
    await settle();
    click(view, "refdata-remove");
    expect($(view, "refdata-remove-form")?.textContent).toContain("ACC-1O");
    // No reason: Remove is not offered; Check first is (a dry run).
    expect(($(view, "refdata-remove-run") as HTMLButtonElement).disabled).toBe(true);
    vi.mocked(api.removeRefdata).mockResolvedValueOnce(removal(true));
    click(view, "refdata-remove-check");
    await settle();
    expect(api.removeRefdata).toHaveBeenLastCalledWith("account", ["ACC-1O"], null, true);
    expect($(view, "refdata-remove-result")?.textContent).toContain("Nothing was changed");
    expect($(view, "refdata-remove-warning")?.textContent).toContain(
      "7 EACs name “ACC-1O”: e-1, e-2, e-3, e-4, e-5 and 2 more. They are not changed",
    );
    type(view, "refdata-remove-reason", "typo of ACC-10");
    vi.mocked(api.removeRefdata).mockResolvedValueOnce(removal(false));
    click(view, "refdata-remove-run");
    await settle();
    expect(api.removeRefdata).toHaveBeenLastCalledWith("account", ["ACC-1O"], "typo of ACC-10", false);
    expect($(view, "refdata-remove-result")?.textContent).toContain("Removed 1 id (ACC-1O). The removal is recorded in History.");
    expect($(view, "refdata-remove-form")).toBeNull();
    // The list and counts are read again.
    expect(vi.mocked(api.listRefdata).mock.calls.length).toBeGreaterThan(1);
  });

  it("shows a refusal where the form is, and removes nothing", async () => {
    const view = show(RefdataDialog, { onclose: () => {}, onimported: () => {} }, testDesk());
    await settle();
    click(view, "refdata-remove");
    type(view, "refdata-remove-reason", "closed");
    vi.mocked(api.removeRefdata).mockRejectedValueOnce({
      code: "not_found",
      message: "the account reference data holds no `ACC-1O`: nothing was removed",
      details: {},
    });
    click(view, "refdata-remove-run");
    await settle();
    expect($(view, "refdata-remove-error")?.textContent).toContain("nothing was removed");
    expect($(view, "refdata-remove-form")).not.toBeNull();
  });
});
