import { beforeEach, describe, expect, it, vi } from "vitest";

const invoke = vi.fn();
let inTauri = true;
vi.mock("@tauri-apps/api/core", () => ({
  invoke: (...a: unknown[]) => invoke(...a),
  isTauri: () => inTauri,
}));
vi.mock("@tauri-apps/api/event", () => ({ listen: vi.fn(async () => () => {}) }));
vi.mock("@tauri-apps/api/webview", () => ({ getCurrentWebview: vi.fn() }));

import { api, newOpId } from "./api";
import { COMMANDS } from "./bindings/commands";
import type { ClaimInput, EacFilter, TableView } from "./types";

const filter: EacFilter = {
  search: "x",
  technology: null,
  beneficiary_type: null,
  from: null,
  to: null,
  retired: null,
  source: null,
  destination: null,
  missing_emissions: null,
  incomplete: null,
};

const view: TableView = { filter, sort: { field: "eac_number", descending: false }, ids: null, unit: "MWh" };
const claim: ClaimInput = {
  beneficiary_type: "account",
  beneficiaries: ["acc-1"],
  from: "2024-01-01",
  to: "2024-12-31",
  granularity: "monthly",
  market: "NO",
  bidding_zone: null,
  unit: "MWh",
  only_passing: null,
};

describe("api wrappers use the command names and snake_case keys of docs/ipc.md", () => {
  beforeEach(() => {
    inTauri = true;
    invoke.mockReset();
    invoke.mockResolvedValue("ok");
  });

  const cases: [string, () => Promise<unknown>, string, Record<string, unknown> | undefined][] = [
    ["db_info", () => api.dbInfo(), "db_info", undefined],
    ["open_database", () => api.openDatabase("/db"), "open_database", { path: "/db" }],
    [
      "open_server",
      () => api.openServer("postgres://ann@db/eacs", "pw"),
      "open_server",
      { address: "postgres://ann@db/eacs", password: "pw" },
    ],
    [
      "move_to_server",
      () => api.moveToServer("op-1", "postgres://ann@db/eacs", "pw"),
      "move_to_server",
      { op_id: "op-1", address: "postgres://ann@db/eacs", password: "pw" },
    ],
    [
      "browse_page",
      () => api.browsePage({ filter, sort: { field: "quantity", descending: true }, offset: 200, limit: 200 }),
      "browse_page",
      { query: { filter, sort: { field: "quantity", descending: true }, offset: 200, limit: 200 } },
    ],
    ["browse_summary", () => api.browseSummary(filter), "browse_summary", { filter }],
    ["eac_detail", () => api.eacDetail("E1"), "eac_detail", { cds_eac_id: "E1" }],
    [
      "set_beneficiaries",
      () => api.setBeneficiaries("E1", "customer", ["C1"], "why", 7),
      "set_beneficiaries",
      { cds_eac_id: "E1", beneficiary_type: "customer", beneficiaries: ["C1"], reason: "why", version: 7 },
    ],
    [
      "bulk_set_beneficiaries",
      () => api.bulkSetBeneficiaries("op", filter, "general", [], "why", 4),
      "bulk_set_beneficiaries",
      { op_id: "op", filter, beneficiary_type: "general", beneficiaries: [], reason: "why", confirmed: 4 },
    ],
    ["audit_log", () => api.auditLog("E1"), "audit_log", { cds_eac_id: "E1" }],
    [
      "audit_page",
      () => api.auditPage({ who: "ana", actions: ["delete"], offset: 100, limit: 100 }),
      "audit_page",
      { query: { who: "ana", actions: ["delete"], offset: 100, limit: 100 } },
    ],
    ["settings_get", () => api.settingsGet(), "settings_get", undefined],
    ["path_kind", () => api.pathKind("/a/eacs.json"), "path_kind", { path: "/a/eacs.json" }],
    [
      "settings_update",
      () => api.settingsUpdate({ display_name: "Ana", theme: "dark" }),
      "settings_update",
      { patch: { display_name: "Ana", theme: "dark" } },
    ],
    [
      "stage_view_state",
      () => api.stageViewState({ database: "/a.db", state: { v: 1 } }),
      "stage_view_state",
      { staged: { database: "/a.db", state: { v: 1 } } },
    ],
    [
      "import_files",
      () => api.importFiles("op", ["/a.json"]),
      "import_files",
      {
        op_id: "op",
        paths: ["/a.json"],
        allow_extended_technologies: false,
        format: null,
        mapping: null,
        dry_run: false,
      },
    ],
    [
      "import_files (extended technologies)",
      () => api.importFiles("op", ["/a.json"], { allowExtended: true }),
      "import_files",
      {
        op_id: "op",
        paths: ["/a.json"],
        allow_extended_technologies: true,
        format: null,
        mapping: null,
        dry_run: false,
      },
    ],
    [
      "import_files (mapped CSV, dry run)",
      () => api.importFiles("op", ["/w.csv"], { format: "csv", mapping: "WREGIS", dryRun: true }),
      "import_files",
      {
        op_id: "op",
        paths: ["/w.csv"],
        allow_extended_technologies: false,
        format: "csv",
        mapping: "WREGIS",
        dry_run: true,
      },
    ],
    ["import_formats", () => api.importFormats(), "import_formats", undefined],
    ["csv_mappings", () => api.csvMappings(), "csv_mappings", undefined],
    [
      "save_csv_mapping",
      () => api.saveCsvMapping("WREGIS", "{}"),
      "save_csv_mapping",
      { name: "WREGIS", mapping_json: "{}" },
    ],
    ["delete_csv_mapping", () => api.deleteCsvMapping("WREGIS"), "delete_csv_mapping", { name: "WREGIS" }],
    [
      "preview_csv",
      () => api.previewCsv("/w.csv", "{}", 10),
      "preview_csv",
      { path: "/w.csv", mapping_json: "{}", rows: 10 },
    ],
    [
      "export_file",
      () => api.exportFile("op", "p1", null, "/out.json"),
      "export_file",
      { op_id: "op", profile: "p1", filter: null, path: "/out.json" },
    ],
    ["load_sample", () => api.loadSample("op", 200, 1), "load_sample", { op_id: "op", eacs: 200, seed: 1 }],
    ["cancel_operation", () => api.cancelOperation("op"), "cancel_operation", { op_id: "op" }],
    ["pick_import_files", () => api.pickImportFiles(), "pick_import_files", undefined],
    ["pick_export_path", () => api.pickExportPath("e.json"), "pick_export_path", { default_name: "e.json" }],
    ["pick_database", () => api.pickDatabase(true), "pick_database", { create: true }],
    ["set_unsaved_edits", () => api.setUnsavedEdits(true), "set_unsaved_edits", { unsaved: true }],
    ["close_anyway", () => api.closeAnyway(), "close_anyway", undefined],
    [
      "set_fields",
      () => api.setFields("op", { filter }, [{ field: "emissions_factor_lca", value: "0.020" }], null, true),
      "set_fields",
      { op_id: "op", target: { filter }, values: [{ field: "emissions_factor_lca", value: "0.020" }], reason: null, dry_run: true, version: null, confirmed: null },
    ],
    [
      "set_fields of one EAC as seen",
      () => api.setFields("op", { ids: ["E1"] }, [{ field: "destination_name", value: "Our Utility" }], "why", false, 7, 1),
      "set_fields",
      { op_id: "op", target: { ids: ["E1"] }, values: [{ field: "destination_name", value: "Our Utility" }], reason: "why", dry_run: false, version: 7, confirmed: 1 },
    ],
    [
      "check_double_counting",
      () => api.checkDoubleCounting("op", filter),
      "check_double_counting",
      { op_id: "op", filter },
    ],
    ["eac_sources", () => api.eacSources("E1"), "eac_sources", { cds_eac_id: "E1" }],
    ["pick_source_path", () => api.pickSourcePath("a.pdf"), "pick_source_path", { file_name: "a.pdf" }],
    ["save_eac_source", () => api.saveEacSource("ab12", "/a.pdf"), "save_eac_source", { sha256: "ab12", path: "/a.pdf" }],
    ["close_request_seen", () => api.closeRequestSeen(), "close_request_seen", undefined],
    ["sample_plan", () => api.samplePlan(), "sample_plan", undefined],
    [
      "load_sample_database",
      () => api.loadSampleDatabase("op", 20, 2),
      "load_sample_database",
      { op_id: "op", eacs: 20, seed: 2 },
    ],
    ["import_refdata", () => api.importRefdata("op", ["/r.csv"]), "import_refdata", { op_id: "op", paths: ["/r.csv"] }],
    [
      "remove_refdata",
      () => api.removeRefdata("account", ["ACC-1O"], "typo", false),
      "remove_refdata",
      { beneficiary_type: "account", ids: ["ACC-1O"], reason: "typo", dry_run: false },
    ],
    [
      "beneficiary_choices",
      () => api.beneficiaryChoices("account", "A-", 10),
      "beneficiary_choices",
      { beneficiary_type: "account", prefix: "A-", limit: 10 },
    ],
    [
      "check_beneficiaries",
      () => api.checkBeneficiaries("account", ["A-1"]),
      "check_beneficiaries",
      { beneficiary_type: "account", beneficiaries: ["A-1"] },
    ],
    [
      "set_emissions",
      () => api.setEmissions("E1", "0.1", "0.20", "why", 7),
      "set_emissions",
      { cds_eac_id: "E1", emissions_factor_direct: "0.1", emissions_factor_lca: "0.20", reason: "why", version: 7 },
    ],
    [
      "export_bundle",
      () => api.exportBundle("op", null, "/b", null),
      "export_bundle",
      { op_id: "op", filter: null, path: "/b", base_url: null },
    ],
    [
      "verify_eacs",
      () => api.verifyEacs("op", filter, null, true),
      "verify_eacs",
      { op_id: "op", filter, reason: null, dry_run: true, confirmed: null },
    ],
    ["verify_eac", () => api.verifyEac("E1"), "verify_eac", { cds_eac_id: "E1", reason: null }],
    [
      "delete_eacs",
      () => api.deleteEacs("op", { ids: ["E1"] }, "why", false, 1),
      "delete_eacs",
      { op_id: "op", target: { ids: ["E1"] }, reason: "why", dry_run: false, confirmed: 1 },
    ],
    ["import_batches", () => api.importBatches(), "import_batches", undefined],
    [
      "undo_import",
      () => api.undoImport("op", 3, "why", true),
      "undo_import",
      { op_id: "op", batch_id: 3, reason: "why", dry_run: true, confirmed: null },
    ],
    ["envelope_only", () => api.envelopeOnly(0, 50), "envelope_only", { offset: 0, limit: 50 }],
    ["refdata_counts", () => api.refdataCounts(), "refdata_counts", undefined],
    [
      "list_refdata",
      () => api.listRefdata(null, "x", 0),
      "list_refdata",
      { beneficiary_type: null, search: "x", limit: 0 },
    ],
    ["pick_export_folder", () => api.pickExportFolder("b"), "pick_export_folder", { default_name: "b" }],
    ["pick_refdata_files", () => api.pickRefdataFiles(), "pick_refdata_files", undefined],
    [
      "make_pack",
      () => api.makePack("op", {} as EacFilter, "/tmp/pack", null),
      "make_pack",
      { op_id: "op", filter: {}, path: "/tmp/pack", title: null },
    ],
    [
      "verify_pack",
      () => api.verifyPack("op", "/tmp/pack", "ab12"),
      "verify_pack",
      { op_id: "op", path: "/tmp/pack", expected_fingerprint: "ab12" },
    ],
    ["pack_diff", () => api.packDiff("op", "/tmp/pack"), "pack_diff", { op_id: "op", path: "/tmp/pack" }],
    ["signing_key", () => api.signingKey(), "signing_key", undefined],
    ["about", () => api.about(), "about", undefined],
    ["launch_files", () => api.launchFiles(), "launch_files", undefined],
    ["verify_audit_chain", () => api.verifyAuditChain(), "verify_audit_chain", undefined],
    [
      "close_period",
      () => api.closePeriod("2024-01-01", "2024-12-31", "filed"),
      "close_period",
      { from: "2024-01-01", to: "2024-12-31", reason: "filed" },
    ],
    ["reopen_period", () => api.reopenPeriod(2, "fix"), "reopen_period", { id: 2, reason: "fix" }],
    ["closed_periods", () => api.closedPeriods(), "closed_periods", undefined],
    ["frozen_by", () => api.frozenBy("E1"), "frozen_by", { cds_eac_id: "E1" }],
    ["pick_pack_folder", () => api.pickPackFolder("p"), "pick_pack_folder", { default_name: "p" }],
    ["pick_pack", () => api.pickPack(), "pick_pack", undefined],
    [
      "summary",
      () => api.summary(filter, ["technology", "quarter"], "MWh"),
      "summary",
      { filter, by: ["technology", "quarter"], unit: "MWh" },
    ],
    [
      "export_table",
      () => api.exportTable("op", view, "xlsx", "/t.xlsx"),
      "export_table",
      { op_id: "op", view, format: "xlsx", path: "/t.xlsx" },
    ],
    ["pick_table_path", () => api.pickTablePath("t.csv", "csv"), "pick_table_path", { default_name: "t.csv", format: "csv" }],
    ["import_consumption", () => api.importConsumption("op", "/c.csv"), "import_consumption", { op_id: "op", path: "/c.csv" }],
    ["consumption_groups", () => api.consumptionGroups(), "consumption_groups", undefined],
    [
      "delete_consumption",
      () => api.deleteConsumption("account", "acc-1", "corrected"),
      "delete_consumption",
      { beneficiary_type: "account", beneficiary: "acc-1", reason: "corrected" },
    ],
    ["claim_report", () => api.claimReport(null, 3, []), "claim_report", { input: null, claim_id: 3, rules: [] }],
    [
      "export_claim_report",
      () => api.exportClaimReport(claim, null, [], "/r.csv"),
      "export_claim_report",
      { input: claim, claim_id: null, rules: [], path: "/r.csv" },
    ],
    ["create_claim", () => api.createClaim("", claim, "filed"), "create_claim", { name: "", input: claim, reason: "filed" }],
    ["claims", () => api.claims(), "claims", undefined],
    ["delete_claim", () => api.deleteClaim(3, "wrong"), "delete_claim", { id: 3, reason: "wrong" }],
    [
      "set_factor",
      () => api.setFactor("NO", "grid", 2024, "0.02", "NVE", "2024 report"),
      "set_factor",
      { market: "NO", kind: "grid", year: 2024, tco2e_per_mwh: "0.02", source: "NVE", reason: "2024 report" },
    ],
    ["factors", () => api.factors(), "factors", undefined],
    ["pick_consumption_file", () => api.pickConsumptionFile(), "pick_consumption_file", undefined],
    ["pick_claim_report_path", () => api.pickClaimReportPath("c.csv"), "pick_claim_report_path", { default_name: "c.csv" }],
  ];

  it("covers every command of the backend's list, and only those", () => {
    const tested = new Set([...cases.map(([, , cmd]) => cmd), "distinct_values"]);
    expect([...tested].sort()).toEqual([...COMMANDS].sort());
  });

  for (const [name, run, cmd, args] of cases) {
    it(name, async () => {
      await expect(run()).resolves.toBe("ok");
      expect(invoke).toHaveBeenCalledTimes(1);
      expect(invoke).toHaveBeenCalledWith(cmd, args);
    });
  }
});

describe("distinct_values", () => {
  it("sends the field and normalises the answer to choices", async () => {
    inTauri = true;
    invoke.mockReset();
    invoke.mockResolvedValue([{ value: "S1", label: "Nordic (S1)" }, "S2"]);
    await expect(api.distinctValues("destination")).resolves.toEqual([
      { value: "S1", label: "Nordic (S1)" },
      { value: "S2", label: "S2" },
    ]);
    expect(invoke).toHaveBeenCalledWith("distinct_values", { field: "destination" });
  });
});

describe("errors", () => {
  beforeEach(() => {
    inTauri = true;
    invoke.mockReset();
  });

  it("passes AppError rejections through", async () => {
    invoke.mockRejectedValue({ code: "not_found", message: "gone", details: null });
    await expect(api.eacDetail("E")).rejects.toEqual({ code: "not_found", message: "gone", details: {} });
  });

  it("normalises other rejections", async () => {
    invoke.mockRejectedValue("plain text");
    await expect(api.dbInfo()).rejects.toEqual({ code: "unknown", message: "plain text", details: {} });
  });

  it("rejects with no_backend outside the app, without invoking", async () => {
    inTauri = false;
    await expect(api.dbInfo()).rejects.toMatchObject({ code: "no_backend" });
    expect(invoke).not.toHaveBeenCalled();
  });
});

describe("newOpId", () => {
  it("gives distinct ids", () => {
    const ids = new Set(Array.from({ length: 50 }, () => newOpId()));
    expect(ids.size).toBe(50);
  });
});
