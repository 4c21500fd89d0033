// @vitest-environment happy-dom
// A bulk change runs bounded by the count the user confirmed: the dialog
// passes that count, and when another program added matching EACs
// meanwhile (the change is refused with how many match now, nothing
// written), it names the new count and asks again. Only the IPC is replaced.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("../api", () => ({
  newOpId: () => "op-1",
  api: {
    browseSummary: vi.fn(),
    bulkSetBeneficiaries: vi.fn(),
    deleteEacs: vi.fn(),
    frozenBy: vi.fn(),
    cancelOperation: vi.fn(),
  },
}));

import { api } from "../api";
import { unconfirmedCount } from "../confirm";
import { emptyFilterState, toEacFilter } from "../filters";
import type { BrowseSummary, BulkEditReport, DeleteReport } from "../types";
import type { BulkTarget } from "../rowSelection";
import { $, cleanup, click, show, type } from "../testMount";
import BulkEditDialog from "./BulkEditDialog.svelte";
import DeleteDialog from "./DeleteDialog.svelte";

afterEach(cleanup);

const filter = { ...toEacFilter(emptyFilterState()), technology: "wind" as const };

/** What the store answers when the change found `found` EACs in its own write, more than confirmed. */
function refused(found: number, confirmed: number) {
  return {
    code: "invalid_input",
    message: `${found} EACs match now, not the ${confirmed} you confirmed: another program or window changed the EACs after they were counted. Nothing was changed; confirm the change for ${found} EACs to make it.`,
    details: { unconfirmed: found },
  };
}

beforeEach(() => {
  vi.mocked(api.browseSummary).mockReset().mockResolvedValue({ count: 2 } as BrowseSummary);
  vi.mocked(api.bulkSetBeneficiaries).mockReset();
  vi.mocked(api.deleteEacs).mockReset();
  vi.mocked(api.frozenBy).mockReset().mockResolvedValue([]);
});

describe("the count a change is confirmed for", () => {
  it("is read from the refusal only when it is one", () => {
    expect(unconfirmedCount(refused(5, 2))).toBe(5);
    expect(unconfirmedCount({ code: "invalid_input", message: "say why", details: {} })).toBeNull();
    expect(unconfirmedCount({ code: "conflict", message: "x", details: { unconfirmed: 5 } })).toBeNull();
  });

  it("bounds a bulk beneficiary change, which names the new count and asks again", async () => {
    const target: BulkTarget = { scope: "filter", filter, ids: null, count: 2, filtered: true, except: 0 };
    const done: BulkEditReport[] = [];
    const root = show(BulkEditDialog, {
      target,
      assignment: { beneficiary_type: "customer" as const, beneficiaries: ["C-9"] },
      initialReason: "sold",
      onclose: () => {},
      ondone: (r: BulkEditReport) => void done.push(r),
    });
    const doc = root.ownerDocument;
    await vi.waitFor(() => expect($(doc, "bulk-count")?.dataset.count).toBe("2"));
    vi.mocked(api.bulkSetBeneficiaries)
      .mockRejectedValueOnce(refused(5, 2))
      .mockResolvedValueOnce({ changed: 5, matching: 5 });

    click(doc, "bulk-confirm");
    await vi.waitFor(() => expect($(doc, "bulk-error")).not.toBeNull());
    expect(vi.mocked(api.bulkSetBeneficiaries).mock.calls[0][5]).toBe(2);
    expect($(doc, "bulk-error")?.textContent).toContain("5 EACs match now, not the 2 you confirmed");
    expect($(doc, "bulk-error")?.textContent).toContain("More EACs match now than you confirmed.");
    expect($(doc, "bulk-count")?.dataset.count).toBe("5");
    expect($(doc, "bulk-confirm")?.textContent).toContain("5");
    expect(done).toEqual([]);

    click(doc, "bulk-confirm");
    await vi.waitFor(() => expect($(doc, "bulk-result")).not.toBeNull());
    expect(vi.mocked(api.bulkSetBeneficiaries).mock.calls[1][5]).toBe(5);
    expect(done).toEqual([{ changed: 5, matching: 5 }]);
  });

  it("bounds a deletion by its dry run's count, and asks again for more", async () => {
    const counted = (deleted: number): DeleteReport => ({ dry_run: true, deleted, envelopes_deleted: 0, ids: [] }) as DeleteReport;
    vi.mocked(api.deleteEacs).mockImplementation(async (_op, _target, _why, dryRun) => {
      if (dryRun) return counted(2);
      throw refused(4, 2);
    });
    const root = show(DeleteDialog, { filter, selectedId: null, onclose: () => {}, ondone: () => {} });
    const doc = root.ownerDocument;
    await vi.waitFor(() => expect($(doc, "delete-run")?.textContent).toContain("2"));
    type(doc, "delete-reason", "wrong file");

    click(doc, "delete-run");
    await vi.waitFor(() => expect($(doc, "delete-error")).not.toBeNull());
    const real = vi.mocked(api.deleteEacs).mock.calls.filter((c) => c[3] === false);
    expect(real.map((c) => c[4])).toEqual([2]);
    expect($(doc, "delete-run")?.textContent).toContain("4");

    vi.mocked(api.deleteEacs).mockResolvedValueOnce({ ...counted(4), dry_run: false });
    click(doc, "delete-run");
    await vi.waitFor(() => expect(vi.mocked(api.deleteEacs).mock.calls.filter((c) => c[3] === false)).toHaveLength(2));
    expect(vi.mocked(api.deleteEacs).mock.calls.filter((c) => c[3] === false)[1][4]).toBe(4);
  });
});
