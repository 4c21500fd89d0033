// @vitest-environment happy-dom
// The Claims view mounted in a DOM with the desk App gives it: what a user
// sees while a write runs, where its result appears, and how the criteria
// table reads. Only the IPC (api) is replaced.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("../api", () => ({
  newOpId: () => "op-1",
  api: {
    consumptionGroups: vi.fn(),
    claims: vi.fn(),
    factors: vi.fn(),
    claimReport: vi.fn(),
    createClaim: vi.fn(),
    deleteClaim: vi.fn(),
    deleteConsumption: vi.fn(),
    setFactor: vi.fn(),
    pickClaimReportPath: vi.fn(),
    exportClaimReport: vi.fn(),
    importConsumption: vi.fn(),
    pickConsumptionFile: vi.fn(),
    cancelOperation: vi.fn(),
  },
}));

import { api } from "../api";
import type { ClaimRecord, ClaimReportView, ConsumptionGroup, ValueCheckView } from "../types";
import ClaimsDialog from "./ClaimsDialog.svelte";
import { GROUP_SEPARATOR, setNumberSigns } from "../decimal";
import { formatAuditTime, setTimeLocale } from "../locale";
import { $, cleanup, click, press, show, submit, testDesk, type, typeOn } from "../testMount";

const group: ConsumptionGroup = {
  beneficiary_type: "account",
  beneficiary: "ACC-1",
  rows: 12,
  first_start: "2024-01-01T00:00:00Z",
  last_end: "2025-01-01T00:00:00Z",
  total_mwh: "1234.5678",
  files: ["meter.csv"],
} as ConsumptionGroup;

function claimRecord(id: number): ClaimRecord {
  return {
    id,
    name: `Claim ${id}`,
    beneficiary_type: "account",
    beneficiaries: ["ACC-1"],
    from: "2024-01-01",
    to: "2024-12-31",
    granularity: "annual",
    market: null,
    bidding_zone: null,
    unit: "MWh",
    only_passing: null,
    created_at: "2025-03-04T05:06:07Z",
    created_by: "me",
    allocation_count: 3,
    factors_recorded: true,
  };
}

function value(i: number, reason = "retired for ACC-1"): ValueCheckView {
  return {
    cds_eac_id: `EAC-${i}`,
    value: 1,
    eac_number: `N-${i}`,
    start: "2024-01-01T00:00:00Z",
    end: "2024-02-01T00:00:00Z",
    quantity: "1",
    unit: "MWh",
    allocated: "1",
    retired: true,
    verdict: "pass",
    results: [
      { rule_set: "ghg-scope2-2015", criterion: "S1", title: "Retired", source: "GHG", section: "7.5", verdict: "pass", reason },
    ],
  };
}

function report(values: ValueCheckView[] = [value(1)], patch: Partial<ClaimReportView> = {}): ClaimReportView {
  return {
    claim_id: null,
    beneficiary_type: "account",
    beneficiaries: ["ACC-1"],
    from: "2024-01-01",
    to: "2024-12-31",
    granularity: "annual",
    market: null,
    unit: "MWh",
    consumption: "10",
    matched: "1",
    unmatched: "9",
    surplus: "0",
    coverage_percent: "10",
    market_based_tco2e: null,
    location_based_tco2e: null,
    residual_mix_factor: null,
    grid_factor: null,
    missing: [],
    not_counted: [],
    hourly: null,
    intervals: [],
    months: [],
    check: {
      claim_id: null,
      unit: "MWh",
      rule_sets: [{ id: "ghg-scope2-2015", name: "GHG Protocol Scope 2", version: "2015", document: "GHG" }],
      values,
      passed: values.length,
      failed: 0,
      unknown: 0,
      stale: [],
      claimed_elsewhere: [],
    },
    ...patch,
  };
}

beforeEach(() => {
  vi.mocked(api.consumptionGroups).mockReset().mockResolvedValue([group]);
  vi.mocked(api.claims).mockReset().mockResolvedValue([]);
  vi.mocked(api.factors).mockReset().mockResolvedValue([]);
  vi.mocked(api.claimReport).mockReset().mockResolvedValue(report());
  for (const f of [api.createClaim, api.deleteClaim, api.deleteConsumption, api.setFactor, api.pickClaimReportPath, api.exportClaimReport])
    vi.mocked(f).mockReset();
});

afterEach(cleanup);

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

async function claimsView(onclose: () => void = () => {}): Promise<HTMLElement> {
  const root = show(ClaimsDialog, { onclose, onjump: () => {} }, testDesk());
  await vi.waitFor(() => expect(($(root, "claims-beneficiary") as HTMLSelectElement).value).toBe("account ACC-1"));
  return root;
}

async function checked(root: HTMLElement) {
  click(root, "claims-check");
  await vi.waitFor(() => expect($(root, "claims-report")).not.toBeNull());
}

describe("the Claims view's writes", () => {
  it("records a claim once however often Record is pressed, and says so beside the form", async () => {
    const root = await claimsView();
    click(root, "claims-record");
    type(root, "claims-record-reason", "2024 Scope 2 filing");
    const call = pending<ClaimRecord>();
    vi.mocked(api.createClaim).mockReturnValue(call.promise);
    click(root, "claims-record-save");
    click(root, "claims-record-save");
    expect($(root, "claims-record-save")?.textContent).toBe("Recording…");
    expect(($(root, "claims-record-save") as HTMLButtonElement).disabled).toBe(true);
    expect(api.createClaim).toHaveBeenCalledOnce();

    call.resolve(claimRecord(4));
    await vi.waitFor(() => expect($(root, "claims-notice")?.textContent).toContain("Recorded claim 4"));
    // beside the claim form, not at the top of the view
    expect($(root, "claims-notice")?.closest("section")?.getAttribute("aria-labelledby")).toBe("claims-form-h");
  });

  it("saves a factor once, with Saving… meanwhile, and shows a refusal beside the factor form", async () => {
    const root = await claimsView();
    await checked(root);
    click(root, "claims-factor-residual");
    type(root, "claims-factor-market", "NO");
    type(root, "claims-factor-value", "0.354");
    type(root, "claims-factor-source", "AIB 2024");
    type(root, "claims-factor-reason", "for the filing");
    const call = pending<never>();
    vi.mocked(api.setFactor).mockReturnValue(call.promise);
    submit(root, "claims-factor-form");
    submit(root, "claims-factor-form");
    expect(api.setFactor).toHaveBeenCalledOnce();
    expect($(root, "claims-factor-save")?.textContent).toBe("Saving…");

    call.reject({ code: "invalid_input", message: "The factor is not a number.", details: {} });
    await vi.waitFor(() => expect($(root, "claims-error")).not.toBeNull());
    expect($(root, "claims-report")?.contains($(root, "claims-error"))).toBe(true);
    expect($(root, "claims-error")?.previousElementSibling?.getAttribute("data-testid")).toBe("claims-factor-form");
    expect($(root, "claims-factor-save")?.textContent).toBe("Save factor");
  });

  it("deletes a recorded claim once, and shows a refusal under the recorded claims", async () => {
    vi.mocked(api.claims).mockResolvedValue([claimRecord(3)]);
    const root = await claimsView();
    await vi.waitFor(() => expect($(root, "claims-recorded-delete")).not.toBeNull());
    click(root, "claims-recorded-delete");
    type(root, "claims-recorded-delete-reason", "recorded twice");
    const call = pending<ClaimRecord>();
    vi.mocked(api.deleteClaim).mockReturnValue(call.promise);
    click(root, "claims-recorded-delete-save");
    click(root, "claims-recorded-delete-save");
    expect(api.deleteClaim).toHaveBeenCalledOnce();
    expect($(root, "claims-recorded-delete-save")?.textContent).toBe("Deleting…");
    call.reject({ code: "frozen", message: "The claim lies in a closed period.", details: {} });
    await vi.waitFor(() => expect($(root, "claims-error")).not.toBeNull());
    expect($(root, "claims-error")?.closest("section")?.getAttribute("aria-labelledby")).toBe("claims-recorded-h");
  });

  it("deletes consumption once", async () => {
    const root = await claimsView();
    click(root, "claims-consumption-delete");
    typeOn($(root, "claims-consumption-delete-confirm")!.querySelector("input")!, "corrected meter file");
    const call = pending<never>();
    vi.mocked(api.deleteConsumption).mockReturnValue(call.promise);
    click(root, "claims-consumption-delete-save");
    click(root, "claims-consumption-delete-save");
    expect(api.deleteConsumption).toHaveBeenCalledOnce();
    expect($(root, "claims-consumption-delete-save")?.textContent).toBe("Deleting…");
  });

  it("exports once: a second click while the file is picked opens no second picker", async () => {
    const root = await claimsView();
    await checked(root);
    const pick = pending<string | null>();
    vi.mocked(api.pickClaimReportPath).mockReturnValue(pick.promise);
    click(root, "claims-export");
    click(root, "claims-export");
    expect(api.pickClaimReportPath).toHaveBeenCalledOnce();
    expect($(root, "claims-export")?.textContent).toBe("Exporting…");
    vi.mocked(api.exportClaimReport).mockResolvedValue({ path: "/tmp/r.csv" } as never);
    pick.resolve("/tmp/r.csv");
    await vi.waitFor(() => expect($(root, "claims-notice")?.textContent).toContain("/tmp/r.csv"));
    expect($(root, "claims-report")?.contains($(root, "claims-notice"))).toBe(true);
  });
});

describe("the Claims view's refusals", () => {
  it("titles a claim rule's refusal as one of claims, not of the CDS format", async () => {
    const root = await claimsView();
    vi.mocked(api.claimReport).mockRejectedValue({
      code: "validation",
      message:
        "consumption row 2 of account `ACC-1` (meter.csv line 3) starts at 18:30 UTC and does not line up with UTC clock hours: give rows of 30 minutes, or choose monthly or annual matching.",
      details: {},
    });
    click(root, "claims-check");
    await vi.waitFor(() => expect($(root, "claims-error")).not.toBeNull());
    const said = $(root, "claims-error")?.textContent ?? "";
    expect(said).toContain("The stored data does not allow this claim.");
    expect(said).toContain("does not line up with UTC clock hours");
    expect(said).not.toContain("CDS");
  });

  it("titles a refused consumption file as one, with its problems listed", async () => {
    const root = await claimsView();
    vi.mocked(api.importConsumption).mockRejectedValue({
      code: "validation",
      message: "meter.csv: 1 problem(s) in the consumption file; nothing was imported. First: …",
      details: { file: "meter.csv", violations: [{ rule: "value", message: "not a number", file: "meter.csv", line: 3, column: 5 }] },
    });
    type(root, "claims-consumption-path", "/data/meter.csv");
    submit(root, "claims-consumption-path");
    await vi.waitFor(() => expect($(root, "claims-consumption-error")).not.toBeNull());
    const said = $(root, "claims-consumption-error")?.textContent ?? "";
    expect(said).toContain("The consumption file does not follow the rules for consumption files.");
    expect(said).not.toContain("CDS");
    expect($(root, "claims-consumption-violations")).not.toBeNull();
  });
});

describe("the criteria table", () => {
  const rows = (root: HTMLElement) => root.querySelectorAll('[data-testid="claims-criteria-row"]').length;

  it("draws a page of values at a time, says how many are hidden, and starts afresh for a filter", async () => {
    const values = Array.from({ length: 450 }, (_, i) => {
      const v = value(i);
      if (i % 3 === 0) v.results = [{ ...v.results[0], verdict: "fail", reason: "not retired" }];
      return v;
    });
    vi.mocked(api.claimReport).mockResolvedValue(report(values));
    const root = await claimsView();
    await checked(root);
    expect(rows(root)).toBe(200);
    expect($(root, "claims-criteria-shown")?.textContent).toBe("Showing 200 of 450 values.");
    click(root, "claims-criteria-more");
    expect(rows(root)).toBe(400);
    expect($(root, "claims-criteria-more")?.textContent).toBe("Show 50 more");
    click(root, "claims-criteria-more");
    expect(rows(root)).toBe(450);
    expect($(root, "claims-criteria-more")).toBeNull();

    // failures only: 150 of them, all on one page
    click(root, "claims-criteria-filter-fail");
    expect(rows(root)).toBe(150);
    expect($(root, "claims-criteria-more")).toBeNull();
    click(root, "claims-criteria-filter-all");
    expect(rows(root)).toBe(200);
  });

  it("says, when no value lies in the period, what would bring some", async () => {
    vi.mocked(api.claimReport).mockResolvedValue(report([]));
    const root = await claimsView();
    await checked(root);
    expect($(root, "claims-criteria-empty")?.textContent).toContain("import the EACs retired for it, or check another period");
  });

  it("spells out a failed or unknown criterion's reason; a pass keeps its reason for hovering, so a row stays short", async () => {
    const passing = value(1, "retired on 2024-07-01 for account ACC-1, within the reporting period widened by 3 months");
    const failing = value(2);
    failing.results = [{ ...failing.results[0], verdict: "fail", reason: "not retired" }];
    const unknown = value(3);
    unknown.results = [{ ...unknown.results[0], verdict: "unknown", reason: "no commissioning date" }];
    vi.mocked(api.claimReport).mockResolvedValue(report([passing, failing, unknown]));
    const root = await claimsView();
    await checked(root);
    const cells = [...root.querySelectorAll<HTMLElement>('[data-testid="claims-criterion"]')];
    expect(cells.map((c) => c.dataset.verdict)).toEqual(["pass", "fail", "unknown"]);
    expect(cells[0].textContent?.trim()).toBe("✓ pass");
    expect(cells[0].title).toContain("within the reporting period widened by 3 months");
    expect(cells[1].querySelector('[data-testid="claims-criterion-reason"]')?.textContent).toBe("not retired");
    expect(cells[2].querySelector('[data-testid="claims-criterion-reason"]')?.textContent).toBe("no commissioning date");
  });
});

describe("what the report leaves out", () => {
  it("says the period is of UTC days and lists what its figures do not count", async () => {
    const outside =
      "consumption: 1 row of account `ACC-1` in year.csv lies outside the period (2024-01-01 – 2024-12-31, UTC days): 1 before it (2023-12-31 23:00 until 2024-01-01 00:00 UTC (end excluded))";
    const across =
      "hourly matching: 1 retired EAC value of account `ACC-1` in the period (5 MWh) crosses the edge of a clock hour (UTC) without covering a whole hour, so it backs no hour and is in neither matched nor surplus: EAC-9 value 1 (2024-12-31 22:30 until 23:30 UTC (end excluded)); the criteria table below lists them (“Failures only”) (energytag.hour fails)";
    vi.mocked(api.claimReport).mockResolvedValue(report([value(1)], { not_counted: [outside, across] }));
    const root = await claimsView();
    await checked(root);
    expect($(root, "claims-report-days")?.textContent).toBe("2024-01-01 to 2024-12-31 (UTC days)");
    const rows = [...root.querySelectorAll<HTMLElement>('[data-testid="claims-not-counted-row"]')];
    expect(rows.map((r) => r.textContent)).toEqual([outside, across]);
    expect($(root, "claims-not-counted")?.textContent).toContain("Not counted in these figures:");
  });

  it("shows no such list when everything was counted", async () => {
    const root = await claimsView();
    await checked(root);
    expect($(root, "claims-not-counted")).toBeNull();
  });
});

describe("the Claims view's numbers and times", () => {
  afterEach(() => {
    setNumberSigns({ group: GROUP_SEPARATOR, decimal: "." });
    setTimeLocale("sv-SE");
  });

  it("shows factors in the app's number signs and a claim's recording time as History does", async () => {
    setNumberSigns({ group: ".", decimal: "," });
    setTimeLocale("de-DE");
    const factor = { market: "NO", kind: "residual_mix", year: 2024, tco2e_per_mwh: "0.354", source: "AIB" };
    vi.mocked(api.claimReport).mockResolvedValue(report([value(1)], { residual_mix_factor: factor }));
    vi.mocked(api.factors).mockResolvedValue([{ ...factor, set_at: "2025-01-01T00:00:00Z", set_by: "me" }]);
    vi.mocked(api.claims).mockResolvedValue([claimRecord(3)]);
    const root = await claimsView();
    await checked(root);
    expect($(root, "claims-factor-residual-value")?.textContent).toBe("0,354");
    expect($(root, "claims-factor-list")?.textContent).toContain("0,354 tCO2e/MWh");
    await vi.waitFor(() => expect($(root, "claims-recorded-when")).not.toBeNull());
    expect($(root, "claims-recorded-when")?.textContent).toContain(formatAuditTime("2025-03-04T05:06:07Z"));
    // in the locale, with its time zone: not the UTC text cut short ("2025-03-04 05:06")
    expect($(root, "claims-recorded-when")?.textContent).not.toContain("2025-03-04 05:06");
    expect($(root, "claims-recorded-when")?.dataset.at).toBe("2025-03-04T05:06:07Z");
  });
});

describe("the Claims view while it works", () => {
  it("stays open while consumption is imported, and the import can be cancelled", async () => {
    const onclose = vi.fn();
    const root = await claimsView(onclose);
    const call = pending<never>();
    vi.mocked(api.importConsumption).mockReturnValue(call.promise);
    vi.mocked(api.cancelOperation).mockResolvedValue(null as never);
    type(root, "claims-consumption-path", "/data/meter.csv");
    submit(root, "claims-consumption-path");
    expect(($(root, "claims-dialog-close") as HTMLButtonElement).disabled).toBe(true);
    press(root, "claims-consumption-path", "Escape");
    expect(onclose).not.toHaveBeenCalled();
    click(root, "claims-consumption-progress-cancel");
    expect(api.cancelOperation).toHaveBeenCalledOnce();
    call.reject({ code: "cancelled", message: "Cancelled.", details: {} });
    await vi.waitFor(() => expect($(root, "claims-consumption-cancelled")?.textContent).toBe("Cancelled. No consumption was imported."));
    expect(($(root, "claims-dialog-close") as HTMLButtonElement).disabled).toBe(false);
  });

  it("closes an inline question on Esc, not the whole view", async () => {
    const onclose = vi.fn();
    vi.mocked(api.claims).mockResolvedValue([claimRecord(3)]);
    const root = await claimsView(onclose);
    await vi.waitFor(() => expect($(root, "claims-recorded-delete")).not.toBeNull());
    click(root, "claims-recorded-delete");
    type(root, "claims-recorded-delete-reason", "recorded twice");
    press(root, "claims-recorded-delete-reason", "Escape");
    expect($(root, "claims-recorded-delete-confirm")).toBeNull();
    expect(onclose).not.toHaveBeenCalled();

    click(root, "claims-record");
    press(root, "claims-record-reason", "Escape");
    expect($(root, "claims-record-confirm")).toBeNull();
    expect(onclose).not.toHaveBeenCalled();
  });
});
