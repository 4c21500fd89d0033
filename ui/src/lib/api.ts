// The ONLY place that talks to the Rust backend: typed wrappers around Tauri's
// `invoke` and `listen` (see docs/ipc.md). Every call goes through `call`,
// typed by the command map generated from the backend's command list
// (`./bindings/commands.ts`), so a command name, argument key or result type
// the backend does not have fails to compile. Argument keys are snake_case
// exactly as in the contract. Every rejection is normalised to an AppError.

import { invoke, isTauri } from "@tauri-apps/api/core";
import { timeStartCall } from "./marks";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import type { Commands } from "./bindings/commands";
import { NO_BACKEND, toAppError } from "./errors";
import { toChoices } from "./filters";
import type {
  AppError,
  AuditQuery,
  SettingsPatch,
  StagedViewState,
  EnergyUnit,
  SummaryKey,
  TableFormat,
  TableView,
  BeneficiaryType,
  BrowseQuery,
  Choice,
  ClaimInput,
  CloseBlockers,
  DeleteTarget,
  EacFilter,
  ExportProfile,
  FieldValue,
  ProgressEvent,
} from "./types";

/** The fields `distinct_values` lists (eac-store's ChoiceField). */
export type DistinctField = Commands["distinct_values"]["args"]["field"];

export type CommandName = keyof Commands;
type Args<C extends CommandName> = Commands[C]["args"];
type Reply<C extends CommandName> = Commands[C]["result"];

function backendAvailable(): boolean {
  try {
    return isTauri();
  } catch {
    return false;
  }
}

/** Invokes `cmd`; its arguments object is left out exactly when it takes none. */
async function call<C extends CommandName>(
  cmd: C,
  ...args: Record<string, never> extends Args<C> ? [] : [Args<C>]
): Promise<Reply<C>> {
  if (!backendAvailable()) {
    throw {
      code: NO_BACKEND,
      message: "This page is not running inside the EAC Desk application.",
      details: {},
    };
  }
  const timed = timeStartCall(cmd);
  try {
    return await invoke<Reply<C>>(cmd, args[0]);
  } catch (e) {
    throw toAppError(e);
  } finally {
    timed();
  }
}

/** A fresh id for a long operation, so it can be cancelled and its progress followed. */
export function newOpId(): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c && typeof c.randomUUID === "function") return c.randomUUID();
  return "op-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);
}

export const api = {
  dbInfo: () => call("db_info"),
  openDatabase: (path: string) => call("open_database", { path }),
  openServer: (address: string, password: string) => call("open_server", { address, password }),
  moveToServer: (op_id: string, address: string, password: string) =>
    call("move_to_server", { op_id, address, password }),
  browsePage: (query: BrowseQuery) => call("browse_page", { query }),
  browseSummary: (filter: EacFilter) => call("browse_summary", { filter }),
  eacDetail: (cds_eac_id: string) => call("eac_detail", { cds_eac_id }),
  setBeneficiaries: (
    cds_eac_id: string,
    beneficiary_type: BeneficiaryType,
    beneficiaries: string[],
    reason: string,
    /** The `EacDetail.version` the edit was made on: refused (`conflict`) if it changed since. */
    version: number | null,
  ) => call("set_beneficiaries", { cds_eac_id, beneficiary_type, beneficiaries, reason, version }),
  bulkSetBeneficiaries: (
    op_id: string,
    filter: EacFilter,
    beneficiary_type: BeneficiaryType,
    beneficiaries: string[],
    reason: string,
    /** The count the user confirmed: more matching in the change's own write are refused (`details.unconfirmed`). */
    confirmed: number | null = null,
  ) =>
    call("bulk_set_beneficiaries", {
      op_id,
      filter,
      beneficiary_type,
      beneficiaries,
      reason,
      confirmed,
    }),
  auditLog: (cds_eac_id: string | null) => call("audit_log", { cds_eac_id }),
  auditPage: (query: AuditQuery) => call("audit_page", { query }),
  settingsGet: () => call("settings_get"),
  pathKind: (path: string) => call("path_kind", { path }),
  settingsUpdate: (patch: SettingsPatch) => call("settings_update", { patch }),
  /** The UI state of a database as it stands; the app writes it if the window closes before `settingsUpdate` does. */
  stageViewState: (staged: StagedViewState) => call("stage_view_state", { staged }),
  /** Sources/destinations for the filter selects (`value` is what EacFilter wants). */
  distinctValues: async (field: DistinctField): Promise<Choice[]> =>
    toChoices(await call("distinct_values", { field })),
  /**
   * CDS listings and registry documents, one transaction per file. `allowExtended`: also accept
   * nuclear, marine and storage (outside the draft list, digest §f.5); `format`: an id of
   * `importFormats` (null: detect from the content); `mapping`: a saved CSV mapping's name;
   * `dryRun`: say what importing would do, write nothing.
   */
  importFiles: (
    op_id: string,
    paths: string[],
    opts: { allowExtended?: boolean; format?: string | null; mapping?: string | null; dryRun?: boolean } = {},
  ) =>
    call("import_files", {
      op_id,
      paths,
      allow_extended_technologies: opts.allowExtended ?? false,
      format: opts.format ?? null,
      mapping: opts.mapping ?? null,
      dry_run: opts.dryRun ?? false,
    }),
  /** Every format `importFiles` reads (CDS profiles first), with what each reads. */
  importFormats: () => call("import_formats"),
  /** This build: version, OS, the newest schema it writes, where it keeps its files. */
  about: () => call("about"),
  /** The files the app was started with ("Open with EAC Desk"), once. */
  launchFiles: () => call("launch_files"),
  /** The saved CSV column mappings (each `mapping` is its JSON text). */
  csvMappings: () => call("csv_mappings"),
  /** Checks and saves a mapping as `name`; `invalid_input` lists everything it lacks. */
  saveCsvMapping: (name: string, mapping_json: string) => call("save_csv_mapping", { name, mapping_json }),
  deleteCsvMapping: (name: string) => call("delete_csv_mapping", { name }),
  /** The header and first `rows` rows of a CSV as the mapping's delimiter, skipped lines and header flag split it. */
  previewCsv: (path: string, mapping_json: string, rows: number) =>
    call("preview_csv", { path, mapping_json, rows }),
  exportFile: (op_id: string, profile: ExportProfile, filter: EacFilter | null, path: string) =>
    call("export_file", { op_id, profile, filter, path }),
  loadSample: (op_id: string, eacs: number, seed: number) => call("load_sample", { op_id, eacs, seed }),
  /** Where sample data should go: the open database, or (when it holds EACs) a separate one. */
  samplePlan: () => call("sample_plan"),
  /** Sample data into the open database's separate sample database (then open it). */
  loadSampleDatabase: (op_id: string, eacs: number, seed: number) =>
    call("load_sample_database", { op_id, eacs, seed }),
  cancelOperation: (op_id: string) => call("cancel_operation", { op_id }),
  pickImportFiles: () => call("pick_import_files"),
  pickExportPath: (default_name: string) => call("pick_export_path", { default_name }),
  /** The filter's values grouped by `by`, exact in `unit` (the summary dashboard). */
  summary: (filter: EacFilter, by: SummaryKey[], unit: EnergyUnit) => call("summary", { filter, by, unit }),
  /** The table view (its filter, or exactly `view.ids`) as CSV or .xlsx at `path`. Long, phase `export`. */
  exportTable: (op_id: string, view: TableView, format: TableFormat, path: string) =>
    call("export_table", { op_id, view, format, path }),
  pickTablePath: (default_name: string, format: TableFormat) => call("pick_table_path", { default_name, format }),
  pickDatabase: (create: boolean) => call("pick_database", { create }),
  importRefdata: (op_id: string, paths: string[]) => call("import_refdata", { op_id, paths }),
  /** Removes reference-data ids of one type, audited (`dry_run`: what it would remove, nothing written). */
  removeRefdata: (beneficiary_type: BeneficiaryType, ids: string[], reason: string | null, dry_run: boolean) =>
    call("remove_refdata", { beneficiary_type, ids, reason, dry_run }),
  /** Reference data ("ID · label") first, then ids already used. */
  beneficiaryChoices: (beneficiary_type: BeneficiaryType, prefix: string, limit: number) =>
    call("beneficiary_choices", { beneficiary_type, prefix, limit }),
  /** Ids the imported reference data does not know (a warning, never a refusal). */
  checkBeneficiaries: (beneficiary_type: BeneficiaryType, beneficiaries: string[]) =>
    call("check_beneficiaries", { beneficiary_type, beneficiaries }),
  /** Both factors as exact decimal TEXT, never numbers. */
  setEmissions: (
    cds_eac_id: string,
    emissions_factor_direct: string,
    emissions_factor_lca: string,
    reason: string,
    version: number | null,
  ) => call("set_emissions", { cds_eac_id, emissions_factor_direct, emissions_factor_lca, reason, version }),
  /** A P2 bundle FOLDER at `path`; `base_url` (https) or null for file: URIs. */
  exportBundle: (op_id: string, filter: EacFilter | null, path: string, base_url: string | null) =>
    call("export_bundle", { op_id, filter, path, base_url }),
  /**
   * `cds_synced` = now for the EACs in `filter` (the empty filter: every EAC, envelope-only ones
   * too), one audited "verify" record each; `dry_run` only counts. `reason` null: "checked against its source".
   * `confirmed`: the count the user confirmed; more found in the change's own write are refused (`details.unconfirmed`).
   */
  verifyEacs: (op_id: string, filter: EacFilter, reason: string | null, dry_run: boolean, confirmed: number | null = null) =>
    call("verify_eacs", { op_id, filter, reason, dry_run, confirmed }),
  verifyEac: (cds_eac_id: string, reason: string | null = null) => call("verify_eac", { cds_eac_id, reason }),
  /**
   * Deletes EACs by exact ids or by filter, all or nothing, audited; `dry_run` only counts. `confirmed`: the
   * count the user confirmed; more found in the deletion's own write are refused (`details.unconfirmed`).
   */
  deleteEacs: (op_id: string, target: DeleteTarget, reason: string, dry_run: boolean, confirmed: number | null = null) =>
    call("delete_eacs", { op_id, target, reason, dry_run, confirmed }),
  /** Every import (file or sample load), newest first. */
  importBatches: () => call("import_batches"),
  /**
   * Takes an import out again (its added EACs removed, replaced ones restored); `dry_run` only counts.
   * `confirmed`: the count the user confirmed; more found in the undo's own write are refused (`details.unconfirmed`).
   */
  undoImport: (op_id: string, batch_id: number, reason: string, dry_run: boolean, confirmed: number | null = null) =>
    call("undo_import", { op_id, batch_id, reason, dry_run, confirmed }),
  /** EACs known only by their P2 envelope (no values), P2 order. */
  envelopeOnly: (offset: number, limit: number) => call("envelope_only", { offset, limit }),
  refdataCounts: () => call("refdata_counts"),
  listRefdata: (beneficiary_type: BeneficiaryType | null, search: string | null, limit: number) =>
    call("list_refdata", { beneficiary_type, search, limit }),
  pickExportFolder: (default_name: string) => call("pick_export_folder", { default_name }),
  pickRefdataFiles: () => call("pick_refdata_files"),
  /** Tells the shell whether closing the window would lose beneficiary edits. */
  setUnsavedEdits: (unsaved: boolean) => call("set_unsaved_edits", { unsaved }),
  /** The close question is on screen (else the next close request closes the window). */
  closeRequestSeen: () => call("close_request_seen"),
  /** The user agreed: cancel what runs (it writes nothing) and close the window. */
  closeAnyway: () => call("close_anyway"),
  /**
   * Completes or corrects fields of the EACs `target` names (values as exact TEXT), audited
   * with `reason` (null only for a dry run); `dry_run` only counts.
   */
  setFields: (
    op_id: string,
    target: DeleteTarget,
    values: FieldValue[],
    reason: string | null,
    dry_run: boolean,
    /** For one EAC: the `EacDetail.version` the edit was made on (refused, `conflict`, if it changed since). */
    version: number | null = null,
    /** The count the user confirmed: more found in the change's own write are refused (`details.unconfirmed`). */
    confirmed: number | null = null,
  ) => call("set_fields", { op_id, target, values, reason, dry_run, version, confirmed }),
  /** Double counting among the stored ranges, findings with a side in `filter`. */
  checkDoubleCounting: (op_id: string, filter: EacFilter) => call("check_double_counting", { op_id, filter }),
  /** The documents an EAC came from (registry imports). */
  eacSources: (cds_eac_id: string) => call("eac_sources", { cds_eac_id }),
  /** Native dialog: where a copy of a source document goes (suggesting its file name), or null. */
  pickSourcePath: (file_name: string) => call("pick_source_path", { file_name }),
  /** Writes the stored original bytes of a source document to `path`. */
  saveEacSource: (sha256: string, path: string) => call("save_eac_source", { sha256, path }),
  /** The evidence pack of the EACs in `filter`, written to the folder `path`, signed; long. */
  makePack: (op_id: string, filter: EacFilter, path: string, title: string | null) =>
    call("make_pack", { op_id, filter, path, title }),
  /** Checks a pack folder on its own; `expected_fingerprint` (or null) must be its signer. Long. */
  verifyPack: (op_id: string, path: string, expected_fingerprint: string | null) =>
    call("verify_pack", { op_id, path, expected_fingerprint }),
  /** What changed in the open database since the pack in `path` was made. */
  packDiff: (op_id: string, path: string) => call("pack_diff", { op_id, path }),
  /** This user's pack signing key: public key and fingerprint (created on first use). */
  signingKey: () => call("signing_key"),
  /** The audit log's hash chain: intact, or where it breaks first. */
  verifyAuditChain: () => call("verify_audit_chain"),
  /** Closes the days `from`..=`to` (YYYY-MM-DD, UTC): their EACs are frozen until reopened. */
  closePeriod: (from: string, to: string, reason: string) => call("close_period", { from, to, reason }),
  reopenPeriod: (id: number, reason: string) => call("reopen_period", { id, reason }),
  closedPeriods: () => call("closed_periods"),
  /** The closed periods freezing one EAC (empty: it can be changed). */
  frozenBy: (cds_eac_id: string) => call("frozen_by", { cds_eac_id }),
  /** Native dialog: the parent folder chosen, joined with `default_name`, or null. */
  pickPackFolder: (default_name: string) => call("pick_pack_folder", { default_name }),
  /** Native dialog: an evidence pack folder, or null. */
  pickPack: () => call("pick_pack"),
  // ---- claims (issue 15): every quantity arrives as exact decimal text ----
  /** Imports a consumption CSV, all rows or none (`validation` locates every problem). */
  importConsumption: (op_id: string, path: string) => call("import_consumption", { op_id, path }),
  /** Stored consumption summed per beneficiary (exact MWh text). */
  consumptionGroups: () => call("consumption_groups"),
  /** Deletes one beneficiary's consumption, audited; refused while a recorded claim is for it. */
  deleteConsumption: (beneficiary_type: string, beneficiary: string, reason: string) =>
    call("delete_consumption", { beneficiary_type, beneficiary, reason }),
  /** The Scope 2 report of a claim (given in full: stores nothing; or recorded). */
  claimReport: (input: ClaimInput | null, claim_id: number | null, rules: string[]) =>
    call("claim_report", { input, claim_id, rules }),
  /** The report's CSV at `path`, whole or not at all. */
  exportClaimReport: (input: ClaimInput | null, claim_id: number | null, rules: string[], path: string) =>
    call("export_claim_report", { input, claim_id, rules, path }),
  /** Records a claim (its allocations stored), audited. */
  createClaim: (name: string, input: ClaimInput, reason: string) => call("create_claim", { name, input, reason }),
  claims: () => call("claims"),
  deleteClaim: (id: number, reason: string) => call("delete_claim", { id, reason }),
  /** A market's emission factor (tCO2e/MWh as exact text) for a year, audited. */
  setFactor: (market: string, kind: string, year: number, tco2e_per_mwh: string, source: string, reason: string) =>
    call("set_factor", { market, kind, year, tco2e_per_mwh, source, reason }),
  factors: () => call("factors"),
  /** Native dialog: a consumption CSV, or null. */
  pickConsumptionFile: () => call("pick_consumption_file"),
  /** Native dialog: where the claim report CSV goes, or null. */
  pickClaimReportPath: (default_name: string) => call("pick_claim_report_path", { default_name }),
};

const noop: UnlistenFn = () => {};

/** Subscribe to `progress` events. Resolves to an unsubscribe function. */
export async function onProgress(cb: (e: ProgressEvent) => void): Promise<UnlistenFn> {
  if (!backendAvailable()) return noop;
  return listen<ProgressEvent>("progress", (ev) => cb(ev.payload));
}

/** Subscribe to `db-changed` (another process changed the open database). */
export async function onDbChanged(cb: () => void): Promise<UnlistenFn> {
  if (!backendAvailable()) return noop;
  return listen("db-changed", () => cb());
}

/**
 * Subscribe to `db-gone`: the open database's file was deleted, emptied or replaced while the app
 * had it open (the error says which and what to do; every command answers it until another
 * database is opened).
 */
export async function onDbGone(cb: (e: AppError) => void): Promise<UnlistenFn> {
  if (!backendAvailable()) return noop;
  return listen<AppError>("db-gone", (ev) => cb(ev.payload));
}

/** Subscribe to `close-requested`: the window was asked to close while something would be lost. */
export async function onCloseRequested(cb: (e: CloseBlockers) => void): Promise<UnlistenFn> {
  if (!backendAvailable()) return noop;
  return listen<CloseBlockers>("close-requested", (ev) => cb(ev.payload));
}

export type DragDrop =
  | { type: "enter"; paths: string[] }
  | { type: "over" }
  | { type: "drop"; paths: string[] }
  | { type: "leave" };

/** Files dragged onto the window (Tauri gives real paths). */
export async function onDragDrop(cb: (e: DragDrop) => void): Promise<UnlistenFn> {
  if (!backendAvailable()) return noop;
  try {
    return await getCurrentWebview().onDragDropEvent((ev) => {
      const p = ev.payload;
      if (p.type === "enter" || p.type === "drop") cb({ type: p.type, paths: p.paths });
      else cb({ type: p.type });
    });
  } catch {
    return noop;
  }
}
