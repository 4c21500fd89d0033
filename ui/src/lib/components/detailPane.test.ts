// @vitest-environment happy-dom
// The detail pane on the desk, mounted in a DOM with the store App gives it:
// what a user typed in one of its forms stays with the EAC it was typed for,
// is asked about before it is thrown away, and a save of one form leaves the
// unsaved edits of another alone. Only the IPC (api) is replaced.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { flushSync } from "svelte";

vi.mock("../api", () => ({
  api: {
    eacDetail: vi.fn(),
    frozenBy: vi.fn(),
    browseSummary: vi.fn(),
    eacSources: vi.fn(),
    setEmissions: vi.fn(),
    setBeneficiaries: vi.fn(),
    setFields: vi.fn(),
    checkBeneficiaries: vi.fn(),
    beneficiaryChoices: vi.fn(),
    verifyEac: vi.fn(),
    auditLog: vi.fn(),
    verifyAuditChain: vi.fn(),
  },
}));

import { api } from "../api";
import type { Desk } from "../desk.svelte";
import type { AuditRecord, EacDetail } from "../types";
import { eacDetail } from "../testRows";
import { $, cleanup, click, press, show, testDesk, type } from "../testMount";
import DetailPane from "./DetailPane.svelte";

let stored: Record<string, EacDetail> = {};

function record(id: string, action: AuditRecord["action"]): AuditRecord {
  return {
    id: 7,
    at: "2025-01-01T00:00:00Z",
    os_user: "me",
    display_name: null,
    cds_eac_id: id,
    action,
    before: null,
    after: null,
    only: null,
    before_emissions: null,
    after_emissions: null,
    changes: null,
    reason: "fix",
    source_file: null,
    import_batch_id: null,
    problem: null,
    held: null,
    reviewed: false,
    removed: false,
  } as unknown as AuditRecord;
}

beforeEach(() => {
  stored = {
    A: eacDetail("A", { emissions_factor_direct: "0.1", emissions_factor_lca: "0.6" }),
    B: eacDetail("B", { emissions_factor_direct: "0.2", emissions_factor_lca: "0.7" }),
  };
  vi.mocked(api.eacDetail).mockReset().mockImplementation(async (id) => structuredClone(stored[id]));
  vi.mocked(api.frozenBy).mockReset().mockResolvedValue([]);
  vi.mocked(api.browseSummary).mockReset().mockResolvedValue({ count: 1, totals: [] } as never);
  vi.mocked(api.eacSources).mockReset().mockResolvedValue([] as never);
  vi.mocked(api.checkBeneficiaries).mockReset().mockResolvedValue([]);
  vi.mocked(api.beneficiaryChoices).mockReset().mockResolvedValue([] as never);
  vi.mocked(api.setEmissions).mockReset();
  vi.mocked(api.setBeneficiaries).mockReset();
  vi.mocked(api.setFields).mockReset();
  vi.mocked(api.auditLog).mockReset().mockResolvedValue([]);
  vi.mocked(api.verifyAuditChain).mockReset().mockReturnValue(new Promise(() => {}));
});

afterEach(cleanup);

/** The pane on a desk showing EAC `id`, as App mounts it. */
async function pane(id: string, onsaved = vi.fn()): Promise<{ desk: Desk; root: HTMLElement }> {
  const desk = testDesk((e) => {
    throw e;
  });
  desk.select(id);
  await vi.waitFor(() => expect(desk.detail?.cds_eac_id).toBe(id));
  const root = show(DetailPane, { onsaved, onbulk: () => {} }, desk);
  await vi.waitFor(() => expect($(root, "detail-cds-eac-id")?.textContent).toBe(id));
  return { desk, root };
}

/** What App does once the user agreed to drop the edits: show the other EAC. */
async function showOther(desk: Desk, root: HTMLElement, id: string) {
  desk.discardEdits();
  desk.select(id);
  await vi.waitFor(() => expect($(root, "detail-cds-eac-id")?.textContent).toBe(id));
  flushSync();
}

describe("the emission-factor form", () => {
  it("is asked about before another EAC is shown, and never carries one EAC's factors to the next", async () => {
    const { desk, root } = await pane("A");
    click(root, "ef-edit");
    type(root, "ef-lca", "9.99");
    expect(desk.unsavedParts).toEqual(["emissions"]);
    expect(desk.wouldDiscardEdits("B")).toBe(true);

    await showOther(desk, root, "B");
    // B's stored factors, and no form holding A's 9.99
    expect($(root, "detail-ef-lca")?.textContent).toBe("0.7");
    expect($(root, "ef-form")).toBeNull();
    expect(desk.unsavedEdits).toBe(false);
    click(root, "ef-edit");
    expect(($(root, "ef-lca") as HTMLInputElement).value).toBe("0.7");
    type(root, "ef-reason", "fix");
    ($(root, "ef-form") as HTMLFormElement).requestSubmit();
    expect(api.setEmissions).toHaveBeenCalledWith("B", "0.2", "0.7", "fix", 1);
  });

  it("opened and left as it was is nothing unsaved; Cancel drops what was typed", async () => {
    const { desk, root } = await pane("A");
    click(root, "ef-edit");
    expect(desk.unsavedEdits).toBe(false);
    type(root, "ef-direct", "0.15");
    expect(desk.unsavedEdits).toBe(true);
    click(root, "ef-cancel");
    expect(desk.unsavedEdits).toBe(false);
    click(root, "ef-edit");
    expect(($(root, "ef-direct") as HTMLInputElement).value).toBe("0.1");
  });

  it("saved, leaves unsaved beneficiary edits unsaved", async () => {
    const onsaved = vi.fn();
    const { desk, root } = await pane("A", onsaved);
    desk.setTab("beneficiaries");
    flushSync();
    type(root, "ben-input", "ACC-1");
    click(root, "ben-add");
    await vi.waitFor(() => expect(desk.unsavedParts).toEqual(["beneficiaries"]));

    desk.setTab("details");
    flushSync();
    click(root, "ef-edit");
    type(root, "ef-lca", "0.65");
    type(root, "ef-reason", "registry certificate");
    vi.mocked(api.setEmissions).mockImplementation(async (id) => {
      stored.A = { ...stored.A, emissions_factor_lca: "0.65", version: 2 };
      return record(id, "set_emissions");
    });
    ($(root, "ef-form") as HTMLFormElement).requestSubmit();
    await vi.waitFor(() => expect(onsaved).toHaveBeenCalledOnce());
    desk.changes.changed("eacs", "audit");
    await vi.waitFor(() => expect($(root, "detail-ef-lca")?.textContent).toBe("0.65"));
    // the beneficiary edit is still there, and still protected
    expect(desk.unsavedParts).toEqual(["beneficiaries"]);
    expect(desk.wouldDiscardEdits("B")).toBe(true);
    expect([...root.querySelectorAll<HTMLElement>('[data-testid="ben-id"]')].map((e) => e.dataset.value)).toEqual(["ACC-1"]);
  });

  it("shows a refusal in the app's words with its violations, and says it is saving meanwhile", async () => {
    const { root } = await pane("A");
    click(root, "ef-edit");
    type(root, "ef-lca", "0.65");
    type(root, "ef-reason", "registry certificate");
    let refuse: (e: unknown) => void = () => {};
    vi.mocked(api.setEmissions).mockImplementation(() => new Promise((_, reject) => (refuse = reject)));
    ($(root, "ef-form") as HTMLFormElement).requestSubmit();
    flushSync();
    expect($(root, "ef-save")?.textContent).toBe("Saving…");
    expect(($(root, "ef-save") as HTMLButtonElement).disabled).toBe(true);
    refuse({
      code: "validation",
      message: "The change breaks 1 rule; nothing was written. Fix the problems listed and try again.",
      details: {
        violations: [
          { rule: 12, severity: "error", file: null, line: null, column: null, pointer: "/emissions_factor_lca", cds_eac_id: "A", message: "too large" },
        ],
      },
    });
    await vi.waitFor(() => expect($(root, "ef-error")).not.toBeNull());
    expect($(root, "ef-error")?.textContent).toContain("The data does not follow the rules of the CDS format.");
    expect($(root, "ef-error")?.textContent).toContain("Look at the listed problems");
    expect(root.querySelectorAll('[data-testid="ef-violations"] [data-testid="violation"]')).toHaveLength(1);
    expect($(root, "ef-violations")?.textContent).toContain("too large");
    expect($(root, "ef-save")?.textContent).toBe("Save emission factors");
  });
});

describe("the beneficiary editor left as it is", () => {
  it("records a review with a reason, as `eacdesk beneficiaries set` with the same ids does", async () => {
    const onsaved = vi.fn();
    const { desk, root } = await pane("A", onsaved);
    desk.setTab("beneficiaries");
    flushSync();
    // Nothing changed: Save records a review, once a reason says why.
    const save = () => $(root, "ben-save") as HTMLButtonElement;
    expect(save().textContent).toBe("Record as reviewed");
    expect(save().disabled).toBe(true);
    expect($(root, "ben-save-blocker")?.textContent).toBe(
      "Nothing has changed. To record in History that you reviewed these beneficiaries as they are, write a reason.",
    );
    type(root, "ben-reason", "checked against contract 2024-117");
    expect(save().disabled).toBe(false);
    expect($(root, "ben-save-blocker")).toBeNull();
    expect(desk.unsavedEdits).toBe(false);
    vi.mocked(api.setBeneficiaries).mockResolvedValue({ ...record("A", "set_beneficiaries"), reviewed: true });
    click(root, "ben-save");
    expect(api.setBeneficiaries).toHaveBeenCalledWith("A", "account", [], "checked against contract 2024-117", 1);
    await vi.waitFor(() => expect(onsaved).toHaveBeenCalledOnce());
    expect($(root, "ben-saved")?.dataset.reviewed).toBe("yes");
    expect($(root, "ben-saved")?.textContent).toContain("No change; recorded as reviewed in History");
    // Its reason is spent: a second click records no second review.
    expect(($(root, "ben-reason") as HTMLTextAreaElement).value).toBe("");
    expect(save().disabled).toBe(true);

    // A change is saved as one.
    type(root, "ben-input", "ACC-1");
    click(root, "ben-add");
    expect(save().textContent).toBe("Save");
  });
});

describe("the missing-fields form", () => {
  it("typed into, is an unsaved edit until another EAC is shown, which starts it empty", async () => {
    stored.A = eacDetail("A", { destination_name: null, missing: ["destination_name"] });
    stored.B = eacDetail("B", { destination_name: null, missing: ["destination_name"] });
    const { desk, root } = await pane("A");
    expect(desk.unsavedEdits).toBe(false);
    type(root, "complete-destination_name", "Grid North");
    expect(desk.unsavedEac).toBe("A");
    expect(desk.unsavedWhat).toBe("the missing fields");
    type(root, "complete-destination_name", "");
    expect(desk.unsavedEdits).toBe(false);
    type(root, "complete-reason", "from the registry");
    expect(desk.unsavedEdits).toBe(true);

    await showOther(desk, root, "B");
    expect(desk.unsavedEdits).toBe(false);
    expect(($(root, "complete-reason") as HTMLInputElement).value).toBe("");
  });
});

describe("another tab of the pane", () => {
  it("keeps typed missing fields and emission factors, still asked about before another EAC", async () => {
    stored.A = eacDetail("A", {
      destination_name: null,
      missing: ["destination_name"],
      emissions_factor_direct: "0.1",
      emissions_factor_lca: "0.6",
    });
    const { desk, root } = await pane("A");
    type(root, "complete-destination_name", "Grid North");
    type(root, "complete-reason", "from the registry");
    click(root, "ef-edit");
    type(root, "ef-lca", "0.65");
    const what = "the missing fields and the emission factors";
    expect(desk.unsavedWhat).toBe(what);

    // by the keys, to the Beneficiaries tab; by a click, to History
    press(root, "tab-details", "ArrowRight");
    expect(desk.tab).toBe("beneficiaries");
    expect(document.activeElement).toBe($(root, "tab-beneficiaries"));
    click(root, "tab-history");
    await vi.waitFor(() => expect($(root, "history-empty")).not.toBeNull());
    // the forms are out of sight, their edits still unsaved and still asked about
    expect($(root, "complete-form")).not.toBeNull();
    expect($(root, "complete-form")?.closest("[hidden]")).not.toBeNull();
    expect(desk.unsavedEac).toBe("A");
    expect(desk.unsavedWhat).toBe(what);
    expect(desk.wouldDiscardEdits("B")).toBe(true);

    // back on Details (Home), what was typed is there to be saved
    press(root, "tab-history", "Home");
    expect(desk.tab).toBe("details");
    expect($(root, "complete-form")?.closest("[hidden]")).toBeNull();
    expect(($(root, "complete-destination_name") as HTMLInputElement).value).toBe("Grid North");
    expect(($(root, "complete-reason") as HTMLInputElement).value).toBe("from the registry");
    expect(($(root, "ef-lca") as HTMLInputElement).value).toBe("0.65");
    expect(desk.unsavedWhat).toBe(what);
  });

  it("once the edits are thrown away for another EAC, shows that EAC's Details afresh", async () => {
    stored.A = eacDetail("A", { destination_name: null, missing: ["destination_name"] });
    stored.B = eacDetail("B", { destination_name: null, missing: ["destination_name"] });
    const { desk, root } = await pane("A");
    type(root, "complete-destination_name", "Grid North");
    click(root, "tab-history");
    expect(desk.unsavedWhat).toBe("the missing fields");

    // what App does once the user agreed to drop them (the History tab stays shown)
    desk.discardEdits();
    desk.select("B");
    await vi.waitFor(() => expect($(root, "detail-eac-number")?.dataset.id).toBe("B"));
    expect($(root, "complete-form")).toBeNull();
    expect(desk.unsavedEdits).toBe(false);
    click(root, "tab-details");
    expect(($(root, "complete-destination_name") as HTMLInputElement).value).toBe("");
    expect(desk.unsavedEdits).toBe(false);
  });
});
