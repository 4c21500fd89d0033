// @vitest-environment happy-dom
// "What changed since?" in the Verify evidence pack dialog: the audit
// records since the pack, shown under the EAC they changed, under the claim
// they recorded or deleted, and on their own for the whole database.
// Only the IPC (api) is replaced.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("../api", () => ({
  newOpId: () => "op-1",
  api: { verifyPack: vi.fn(), packDiff: vi.fn(), pickPack: vi.fn(), signingKey: vi.fn(), cancelOperation: vi.fn() },
}));

import { api } from "../api";
import type { AuditRecord, PackClaimChange, PackDiff, PackEacChange, PackVerdict } from "../types";
import PackVerifyDialog from "./PackVerifyDialog.svelte";
import { $, cleanup, click, show, type } from "../testMount";

const verdict: PackVerdict = { path: "/packs/q1", ok: true, problems: [], manifest: null, file_count: 3, manifest_sha256: null };

function record(id: number, action: AuditRecord["action"], cds_eac_id = ""): AuditRecord {
  return {
    id,
    at: "2025-04-01T09:00:00Z",
    os_user: "me",
    display_name: null,
    server_login: null,
    cds_eac_id,
    action,
    before: null,
    after: null,
    before_emissions: null,
    after_emissions: null,
    changes: [],
    reason: "",
    source_file: null,
    import_batch_id: null,
    problem: null,
    reviewed: false,
    removed: false,
  };
}

const eac = (id: string, records: AuditRecord[]): PackEacChange => ({
  cds_eac_id: id,
  deleted: false,
  records,
  fields: [],
  fields_more: 0,
  unrecorded: false,
});

const claim = (claim_id: number, records: AuditRecord[]): PackClaimChange => ({
  claim_id,
  name: "Q1 claim",
  change: "added",
  fields: [],
  fields_more: 0,
  records,
});

const diff: PackDiff = {
  path: "/packs/q1",
  record: null,
  verdict,
  head_found: true,
  key_recorded: true,
  pack_changed: false,
  history_changed: false,
  audit_changes: [],
  audit_changes_more: 0,
  added: [eac("A", [record(11, "set_beneficiaries", "A"), record(12, "set_emissions", "A")])],
  removed: [],
  edited: [eac("B", [record(13, "set_fields", "B")])],
  unchanged: 5,
  claims: [claim(4, [record(14, "claim_create")])],
  sources: [],
  database_records: [record(15, "export"), record(16, "period_close")],
};

beforeEach(() => {
  vi.mocked(api.verifyPack).mockReset().mockResolvedValue(verdict);
  vi.mocked(api.packDiff).mockReset().mockResolvedValue(diff);
  vi.mocked(api.signingKey).mockReset().mockReturnValue(new Promise(() => {}));
});

afterEach(cleanup);

/** The ids of the audit records (`history-row`) shown inside `el`, in order. */
const recordIds = (el: Element | null) => [...(el?.querySelectorAll<HTMLElement>('[data-testid="history-row"]') ?? [])].map((r) => r.dataset.id);

describe("what changed since a pack", () => {
  it("lists the records since it under their EAC, under their claim, and the whole database's on their own", async () => {
    const root = show(PackVerifyDialog, { onclose: () => {}, onjump: () => {} });
    type(root, "verify-pack-path", "/packs/q1");
    click(root, "verify-pack-run");
    await vi.waitFor(() => expect($(root, "pack-diff-run")).not.toBeNull());
    click(root, "pack-diff-run");
    await vi.waitFor(() => expect($(root, "pack-diff")).not.toBeNull());
    expect(api.packDiff).toHaveBeenCalledWith("op-1", "/packs/q1");

    const eacIn = (id: string) => root.querySelector(`[data-testid="pack-diff-eac"][data-id="${id}"]`);
    expect(recordIds(eacIn("A"))).toEqual(["11", "12"]);
    expect(recordIds(eacIn("B"))).toEqual(["13"]);
    expect(eacIn("A")?.querySelector("ol.records")).not.toBeNull();
    expect($(root, "pack-diff-fields")).toBeNull();

    const claimItem = root.querySelector('[data-testid="pack-diff-claim"][data-id="4"]');
    expect(recordIds(claimItem)).toEqual(["14"]);
    expect(claimItem?.querySelector("ol.records")).not.toBeNull();

    const database = $(root, "pack-diff-database-records");
    expect(database?.tagName).toBe("OL");
    expect(database?.classList.contains("records")).toBe(true);
    expect(recordIds(database)).toEqual(["15", "16"]);
    expect([...database!.querySelectorAll<HTMLElement>('[data-testid="history-row"]')].map((r) => r.dataset.action)).toEqual([
      "export",
      "period_close",
    ]);

    // only the whole database's list is named: the others are found through their EAC or claim
    expect(root.querySelectorAll("ol.records[data-testid]")).toHaveLength(1);
    expect(recordIds(root)).toEqual(["11", "12", "13", "14", "15", "16"]);
  });
});
