//! The IPC commands: ONE list, `ipc_commands!` (below), from which everything else
//! follows. Each entry is a one-line adapter: it names the operation in
//! `eac-app` and says where it runs (shared connection, own connection with
//! progress and cancel, or a native dialog). The list expands here into the
//! `#[tauri::command]` functions and the handler `lib.rs` registers; the
//! desk tests expand the same list into the typed command map of the UI
//! (`ui/src/lib/bindings/commands.ts`) and the command table of
//! `docs/ipc.md`, and fail when either file drifts.
//!
//! Adding a command = one entry below (then regenerate:
//! `UPDATE_BINDINGS=1 cargo test -p eac-desk --test desk`).
//! An entry reads `async fn name(desk, arg: Type, ...) -> Result { body }`:
//! `desk` is the app state ([`Desk`]), the arguments arrive with snake_case
//! keys, the body returns `Reply<Result>`, and the doc comment is the
//! command's line in `docs/ipc.md`. `sync fn` runs on the main thread in
//! call order (cheap state changes only). Every type named in an entry must be
//! re-exported by `eac-app` (or be `std::path::PathBuf` or a primitive).

use std::path::PathBuf;

use eac_app::PathKind;
use eac_app::{AboutInfo, LoadedSettings, Settings, SettingsPatch, StagedViewState};
use eac_app::{
    AppError, AuditPage, AuditQuery, AuditRecord, BeneficiaryAssignment, BeneficiaryType,
    BrowseQuery, BrowseSummary, BulkEditReport, BundleReport, Choice, ChoiceField, CsvPreview,
    DbInfo, DeleteReport, DeleteTarget, EacDetail, EacFilter, EacRow, EnvelopeOnlyRow,
    ExportProfile, ExportReport, FormatInfo, ImportBatch, ImportOptions, ImportReport,
    MappingSaved, RefdataCount, RefdataEntry, RefdataRemoval, RefdataReport, SamplePlan,
    SavedMapping, UndoReport, VerifyReport,
};
use eac_app::{ChainReport, ClosedPeriod, PackDiff, PackReport, PackVerdict, SigningKeyInfo};
use eac_app::{CheckReport, FieldValue, Operation, SetFieldsReport, SourceView};
use eac_app::{
    ClaimInput, ClaimRecord, ClaimReportView, ConsumptionDeleted, ConsumptionGroup,
    ConsumptionImported, FactorEntry, FactorSet,
};
use eac_app::{EnergyUnit, SummaryKey, SummaryReport, TableExportReport, TableFormat, TableView};
use tauri::{Runtime, State};

use crate::desk::Desk;
use crate::dialogs;

type Reply<T> = Result<T, AppError>;

/// The contract passes an assignment as two flat arguments.
fn assignment(
    beneficiary_type: BeneficiaryType,
    beneficiaries: Vec<String>,
) -> BeneficiaryAssignment {
    BeneficiaryAssignment {
        beneficiary_type,
        beneficiaries,
    }
}

/// What a dialog's confirmation allows the change it confirms: at most the
/// `count` of EACs the user was shown (the change counts them again in its
/// own write, and more, after another program imported meanwhile, are
/// refused: `invalid_input`, `details.unconfirmed`); `None`, a dry run,
/// any number.
fn confirmed_count(count: Option<usize>) -> eac_app::Confirmed {
    count.map_or(eac_app::Confirmed::Yes, eac_app::Confirmed::AtMost)
}

/// A read-only operation that cannot stop midway still answers `cancelled`
/// when the user cancelled it meanwhile, so the UI shows what it asked for.
fn finished<T>(op: &Operation, result: Result<T, AppError>) -> Result<T, AppError> {
    if eac_app::Progress::is_cancelled(op) {
        return Err(AppError::cancelled());
    }
    result
}

/// How long "Close anyway" waits for cancelled operations to stop writing.
const CLOSE_PATIENCE: std::time::Duration = std::time::Duration::from_secs(30);

/// THE command list. `ipc_commands!(callback)` hands every entry to
/// `callback!`: [`define_commands!`] here, the generators in
/// `src-tauri/tests/desk/ipc.rs`.
#[macro_export]
#[doc(hidden)]
macro_rules! ipc_commands {
    ($callback:ident) => {
        $callback! {
            /// Path, counts (`envelope_only_count`: EACs known only by their P2 envelope, not in
            /// `eac_count`), schema version, and `warnings`: what the store noticed or repaired
            /// when it opened the file (the UI shows them once).
            async fn db_info(desk) -> DbInfo {
                desk.read(eac_app::db_info).await
            }
            /// Switches to another database file (created when missing); on failure the current
            /// one stays open. An SQLite file holding another program's tables (views, indexes,
            /// triggers) is refused, `invalid_input` with `path` and `database` `other_program`
            /// (the app's own title), the file left byte-identical; one holding nothing is made an
            /// EAC Desk database. A path that is no regular file (a folder, a named pipe, a device)
            /// is refused before it is opened (a pipe is never waited on), `invalid_input` with
            /// `database` `not_a_file`.
            async fn open_database(desk, path: PathBuf) -> DbInfo {
                desk.open_database(path).await
            }
            /// Switches to the EAC Desk database on a PostgreSQL server (team mode):
            /// `address` is `postgres://USER@HOST/DATABASE`; `password` (empty: none, or
            /// `PGPASSWORD`) is kept in memory for this session only, never written to disk;
            /// the window and the recent databases show the address without it.
            async fn open_server(desk, address: String, password: String) -> DbInfo {
                desk.open_server(address, password).await
            }
            /// "Move this database to a server…": copies the open database file, whole and
            /// verified table by table, into the empty server database at `address` (set up
            /// with `eacdesk server init`; progress in tables), then opens that one. The file
            /// stays as it was; a failure or a cancel (`cancelled`, within a few thousand rows)
            /// changes nothing on the server.
            async fn move_to_server(desk, op_id: String, address: String, password: String) -> DbInfo {
                desk.move_to_server(op_id, address, password).await
            }
            /// One page of EACs (filtered, sorted).
            async fn browse_page(desk, query: BrowseQuery) -> Vec<EacRow> {
                desk.read(move |store| eac_app::browse(store, &query)).await
            }
            /// How many EACs match, with exact totals per unit.
            async fn browse_summary(desk, filter: EacFilter) -> BrowseSummary {
                desk.read(move |store| eac_app::browse_summary(store, &filter)).await
            }
            /// One EAC with its values; `cds_synced` is when it was last checked against its
            /// source (`null` only for EACs stored before schema 3 that no import has seen since).
            /// Envelope-only EACs are not here (see `envelope_only`); `not_found` for an unknown id.
            async fn eac_detail(desk, cds_eac_id: String) -> EacDetail {
                desk.read(move |store| eac_app::eac_detail(store, &cds_eac_id)).await
            }
            /// Replaces one EAC's beneficiaries, with an audit record; the assignment it has
            /// already is a review (`reviewed`: recorded, nothing changed, the EAC keeps its
            /// version). `version`: the `EacDetail.version` the edit was made on; `conflict`
            /// (nothing saved, the message names who changed it since, or says the version was
            /// never the EAC's) when the EAC has changed since.
            async fn set_beneficiaries(
                desk,
                cds_eac_id: String,
                beneficiary_type: BeneficiaryType,
                beneficiaries: Vec<String>,
                reason: String,
                version: Option<i64>,
            ) -> AuditRecord {
                let to = assignment(beneficiary_type, beneficiaries);
                desk.edit(move |store| {
                    eac_app::set_beneficiaries(store, &cds_eac_id, &to, &reason, version)
                })
                .await
            }
            /// The same assignment for every EAC in `filter`; long, progress phase `bulk_edit`.
            /// `confirmed`: the count of EACs the user confirmed; the filter matching more in the
            /// change's own write (another program imported meanwhile) is refused,
            /// `invalid_input` with `details.unconfirmed` (how many match now; nothing changed).
            async fn bulk_set_beneficiaries(
                desk,
                op_id: String,
                filter: EacFilter,
                beneficiary_type: BeneficiaryType,
                beneficiaries: Vec<String>,
                reason: String,
                confirmed: Option<usize>,
            ) -> BulkEditReport {
                let to = assignment(beneficiary_type, beneficiaries);
                let confirmed = confirmed_count(confirmed);
                desk.operation(op_id, move |store, op| {
                    eac_app::bulk_set_beneficiaries_confirmed(store, &filter, &to, &reason, confirmed, op)
                })
                .await
            }
            /// Audit records newest first, of one EAC or (`null`) the whole database. `action` is an
            /// `AuditAction` (the EAC's changes, and database-level records such as `period_close`,
            /// `export`, `claim_create` or `refdata_import`: the binding lists them all);
            /// `before`/`after` are `null` where the EAC did not exist or was removed, and where it
            /// has no beneficiary type (a registry EAC nobody completed); `removed` says the change
            /// took the EAC out (a `delete`, or an `undo_import` of the import that added it),
            /// never a missing `after`; `problem` names a damaged record.
            async fn audit_log(desk, cds_eac_id: Option<String>) -> Vec<AuditRecord> {
                desk.read(move |store| eac_app::audit_log(store, cds_eac_id.as_deref()))
                    .await
            }
            /// One page of the app-wide history, newest first: the records `query` selects
            /// (`who` in the OS login or display name, `from`/`to` instants, `actions`, `eac`: an
            /// id or a stored EAC's number) and their `total`. A time that is not RFC 3339 is
            /// `invalid_input`.
            async fn audit_page(desk, query: AuditQuery) -> AuditPage {
                desk.read(move |store| eac_app::audit_page(store, &query)).await
            }
            /// Sources or destinations for the filter selects (filter by `value`).
            async fn distinct_values(desk, field: ChoiceField) -> Vec<Choice> {
                desk.read(move |store| eac_app::choices(store, field)).await
            }
            /// CDS P1/P2 listings (a P2 bundle is found from its `eacs.json`) and registry
            /// documents (format detected from the content, or `format`, an id of `import_formats`;
            /// `mapping`: a saved CSV mapping's name, found as `delete_csv_mapping` finds it; a
            /// saved mapping holding a key no mapping has is refused), one transaction per file;
            /// `allow_extended_technologies` (default false) also accepts `nuclear`, `marine`,
            /// `storage` (digest §f.5); `dry_run` (default false) writes nothing. Per file: added,
            /// replaced, skipped (`skipped_differing`: of them, EACs stored otherwise than the file
            /// states them, kept as stored and not marked as checked against it, their `cds_synced`
            /// unchanged: a later version is stored, or the same `cds_modified` with other content,
            /// each of those named in a warning; `readded`: of added, EACs whose history ended with
            /// their deletion or an undo's removal, stored again, each recorded as `import_readd`
            /// and named by the first warning), ignored, the first 50 warnings, `warning_count`
            /// and, for a registry document, `registry`; a failed file's `committed_before` names
            /// the files of the same import committed before it (its message never says that
            /// nothing was changed), and `violations_capped: true` says reading stopped at its
            /// first 50 errors (its message then says "the first 50 rule violations (there may be
            /// more)", never a total). Long, progress phase `import` (then `import_indexes` for a
            /// first import; `import_again` while a first import reads a file that repeats an id a
            /// second time, to name each repeat).
            async fn import_files(
                desk,
                op_id: String,
                paths: Vec<PathBuf>,
                allow_extended_technologies: Option<bool>,
                format: Option<String>,
                mapping: Option<String>,
                dry_run: Option<bool>,
            ) -> ImportReport {
                let options = ImportOptions {
                    allow_extended_technologies: allow_extended_technologies.unwrap_or(false),
                    format,
                    mapping,
                    dry_run: dry_run.unwrap_or(false),
                    ..ImportOptions::default()
                };
                desk.operation(op_id, move |store, op| {
                    Ok::<_, AppError>(eac_app::import_files_in_app(store, &paths, options, op))
                })
                .await
            }
            /// Every format `import_files` reads (CDS profiles first): `id` (its `format`),
            /// `name`, `reads` (what it takes from a file), `detected` (found from the content;
            /// false only for the mapped CSV, which needs a mapping).
            async fn import_formats(_desk) -> Vec<FormatInfo> {
                Ok(eac_app::formats())
            }
            /// This build: version, OS, architecture, the newest schema it writes and where it
            /// keeps its files (the About dialog and a problem report).
            async fn about(_desk) -> AboutInfo {
                Ok(eac_app::about())
            }
            /// The files the app was started with ("Open with EAC Desk"), once: later calls get
            /// none. The UI offers them in the Import dialog; nothing is imported unasked.
            sync fn launch_files(desk) -> Vec<PathBuf> {
                Ok(desk.take_launch_files())
            }
            /// The saved CSV column mappings by name; `mapping` is the mapping's JSON text.
            async fn csv_mappings(desk) -> Vec<SavedMapping> {
                desk.read(eac_app::mappings).await
            }
            /// Checks a mapping (JSON text of eac-registry's `Mapping`) and saves it as `name`
            /// (replacing one of that name, also when its accents are written otherwise, NFC or
            /// NFD: under the saved spelling); `invalid_input` listing everything it lacks (`the
            /// mapping is not complete: A; B`, each whole in `details.problems`), naming a key no mapping has (with the nearest known
            /// key) or a key given twice, or when a saved mapping's name differs from `name` only
            /// in case (names are told apart without regard to case: save under the saved spelling
            /// to replace it). Returns the name it is saved under and, when its `registry` key looks
            /// like a built-in reader's but is not it (`eecs-no`), the warning to show: saved all
            /// the same.
            async fn save_csv_mapping(desk, name: String, mapping_json: String) -> MappingSaved {
                desk.edit(move |store| eac_app::save_mapping(store, &name, &mapping_json))
                    .await
            }
            /// Deletes a saved mapping, found by its exact name (its accents written either way),
            /// else by a name differing only in case (`invalid_input` when there is none, or when
            /// several saved before this rule differ only in case and none is exactly `name`).
            async fn delete_csv_mapping(desk, name: String) -> () {
                desk.edit(move |store| eac_app::delete_mapping(store, &name)).await
            }
            /// The header and first `rows` rows of a CSV as `mapping_json` splits it (only its
            /// delimiter, skipped lines and header flag are used: `{}` previews with the defaults;
            /// a key no mapping has is `invalid_input`); `unreadable` with the place when the file
            /// cannot be split.
            async fn preview_csv(
                _desk,
                path: PathBuf,
                mapping_json: String,
                rows: usize,
            ) -> CsvPreview {
                $crate::desk::off_ui_thread(move || eac_app::preview_csv(&path, &mapping_json, rows))
                    .await
            }
            /// A P1 file (`profile` P2: `export_bundle` without a base URL; `value_count` 0),
            /// validated, written beside `path` and renamed into place in the write that records
            /// it in the audit log. Refused before anything is written (`invalid_input`, saying
            /// what to do): an empty `path`, one ending in `/` (a folder's name) where no folder
            /// is, and one whose folder does not exist ("create it first") or is a file. An
            /// unfiltered P1 export with envelope-only EACs is refused
            /// (`validation`, rule 16); `conflict` when another program or window committed while
            /// it was written (nothing written to `path`: export again); a busy database
            /// (`details.busy`) leaves the earlier file at `path` as it was. `warnings`: what the
            /// file holds that `validate` and `import` accept only when asked to (rule 3: a
            /// nuclear, marine or storage technology, at its first EAC; the app says "Also accept
            /// nuclear, marine and storage" is needed). Long, phase `export`.
            async fn export_file(
                desk,
                op_id: String,
                profile: ExportProfile,
                filter: Option<EacFilter>,
                path: PathBuf,
            ) -> ExportReport {
                let path = eac_app::output_path(&path, &desk.path());
                desk.operation(op_id, move |store, op| {
                    eac_app::export(store, profile, filter.as_ref(), &path, op)
                        .inspect(|_| $crate::desk::remember_export_folder(&path))
                })
                .await
            }
            /// Sample EACs into the open database. Long, progress phase `sample`.
            async fn load_sample(desk, op_id: String, eacs: usize, seed: u64) -> ImportReport {
                desk.operation(op_id, move |store, op| {
                    eac_app::load_sample(store, eacs, seed, op)
                })
                .await
            }
            /// Where sample data goes: `separate` is true when the open database holds EACs and
            /// is not itself a sample database; `sample_path` is `<name>-sample.sqlite` beside it.
            async fn sample_plan(desk) -> SamplePlan {
                desk.read(eac_app::sample_plan).await
            }
            /// Sample EACs into `sample_path` (created when missing), never the open database
            /// (`invalid_input` when that is the sample database); the UI then opens it. Long.
            async fn load_sample_database(
                desk,
                op_id: String,
                eacs: usize,
                seed: u64,
            ) -> ImportReport {
                desk.operation(op_id, move |store, op| {
                    eac_app::load_sample_database(store.path(), eacs, seed, op)
                })
                .await
            }
            /// Asks a running operation to stop (it then rejects with `cancelled` and writes
            /// nothing); an unknown or finished `op_id` is fine.
            sync fn cancel_operation(desk, op_id: String) -> () {
                desk.cancel(&op_id);
                Ok(())
            }
            /// Native dialog: files to import (CDS JSON, registry CSV, XML, PDF, EnergyTag JSON;
            /// "All supported files" first), or `null` when cancelled.
            async fn pick_import_files(_desk) -> Option<Vec<String>> {
                Ok(dialogs::import_files().await)
            }
            /// What is at `path` now (`missing`, `file`, `folder`, `other`): the export dialogs
            /// ask before replacing a file or folder that exists.
            async fn path_kind(desk, path: String) -> PathKind {
                let path = eac_app::output_path(std::path::Path::new(&path), &desk.path());
                Ok(eac_app::path_kind(&path))
            }
            /// Native dialog: where a P1 file goes, or `null`.
            async fn pick_export_path(_desk, default_name: String) -> Option<String> {
                Ok(dialogs::export_path(default_name).await)
            }
            /// Native dialog: an existing database, or (`create`) a new file name; or `null`.
            async fn pick_database(_desk, create: bool) -> Option<String> {
                Ok(dialogs::database(create).await)
            }
            /// Accounts, service contracts and programs lists, one report per file; stops at the
            /// first bad file (a file in none of these formats: `unreadable`, `format`
            /// `reference data`). Long.
            async fn import_refdata(
                desk,
                op_id: String,
                paths: Vec<PathBuf>,
            ) -> Vec<RefdataReport> {
                desk.operation(op_id, move |store, op| {
                    eac_app::import_refdata(store, &paths, op)
                })
                .await
            }
            /// Removes reference-data ids of one type, audited with `reason` (`refdata_remove`,
            /// the entries kept in its record); `dry_run` writes nothing (`reason` may then be
            /// `null`). `still_named`: removed ids stored EACs still name (a warning; they are not
            /// changed). An id that is not stored refuses the whole removal (`not_found`).
            async fn remove_refdata(
                desk,
                beneficiary_type: BeneficiaryType,
                ids: Vec<String>,
                reason: Option<String>,
                dry_run: bool,
            ) -> RefdataRemoval {
                desk.edit(move |store| {
                    eac_app::remove_refdata(store, beneficiary_type, &ids, reason.as_deref(), dry_run)
                })
                .await
            }
            /// Reference data ("ID · label") first, then ids already used.
            async fn beneficiary_choices(
                desk,
                beneficiary_type: BeneficiaryType,
                prefix: String,
                limit: usize,
            ) -> Vec<Choice> {
                desk.read(move |store| {
                    eac_app::beneficiary_choices(store, beneficiary_type, &prefix, limit)
                })
                .await
            }
            /// Ids the imported reference data does not know (a warning, never a refusal).
            async fn check_beneficiaries(
                desk,
                beneficiary_type: BeneficiaryType,
                beneficiaries: Vec<String>,
            ) -> Vec<String> {
                let to = assignment(beneficiary_type, beneficiaries);
                desk.read(move |store| eac_app::check_beneficiaries(store, &to)).await
            }
            /// Both emission factors as exact decimal text, never numbers; audited. The factors
            /// it holds, as written, are a review (`reviewed`: recorded, nothing changed).
            async fn set_emissions(
                desk,
                cds_eac_id: String,
                emissions_factor_direct: String,
                emissions_factor_lca: String,
                reason: String,
                version: Option<i64>,
            ) -> AuditRecord {
                desk.edit(move |store| {
                    eac_app::set_emissions(
                        store,
                        &cds_eac_id,
                        &emissions_factor_direct,
                        &emissions_factor_lca,
                        &reason,
                        version,
                    )
                })
                .await
            }
            /// A P2 bundle FOLDER at `path` (new, empty, or an earlier EAC Desk bundle, replaced
            /// only on success, in the write that records it in the audit log; else
            /// `invalid_input`; refused too, before anything is written: an empty `path`, a new
            /// folder whose name ends in `.json` (a bundle is a folder, never one file; an
            /// existing folder so named is taken), and a `path` whose folder does not exist
            /// ("create it first": only the bundle's own folder is made) or is a file); `base_url`
            /// (https, published as typed with only a closing `/`
            /// added: one with an empty host, or one a URL parser would rewrite — dot segments,
            /// `%2e%2e`, an upper-case host, the default port — is `invalid_input` naming what it
            /// would become, one holding a user name or password is `invalid_input` with the
            /// password masked, before anything is written) or `null` for `file:` URIs; `sha256` is of
            /// `eacs.json`. `conflict` when another program or window committed while it was
            /// written, and a busy database (`details.busy`), leave the earlier folder as it was;
            /// `warnings` as `export_file`'s, at the detail file of the first EAC with such a
            /// technology. Long, progress phase `export`.
            async fn export_bundle(
                desk,
                op_id: String,
                filter: Option<EacFilter>,
                path: PathBuf,
                base_url: Option<String>,
            ) -> BundleReport {
                let path = eac_app::output_path(&path, &desk.path());
                desk.operation(op_id, move |store, op| {
                    eac_app::export_p2(store, filter.as_ref(), &path, base_url.as_deref(), op)
                        .inspect(|_| $crate::desk::remember_export_folder(&path))
                })
                .await
            }
            /// `cds_synced` = now for the EACs in `filter` (the empty filter: every EAC,
            /// envelope-only ones too), one audited `verify` record each; `reason` `null`:
            /// "checked against its source"; `dry_run` only counts. `confirmed`: the count of EACs
            /// the user confirmed; more found in the change's own write are refused,
            /// `invalid_input` with `details.unconfirmed` (nothing marked). Long, phase `verify`.
            async fn verify_eacs(
                desk,
                op_id: String,
                filter: EacFilter,
                reason: Option<String>,
                dry_run: bool,
                confirmed: Option<usize>,
            ) -> VerifyReport {
                let confirmed = confirmed_count(confirmed);
                desk.operation(op_id, move |store, op| match dry_run {
                    true => eac_app::verify_eacs(store, &filter, reason.as_deref(), true, op),
                    false => eac_app::verify_eacs_confirmed(store, &filter, reason.as_deref(), confirmed, op),
                })
                .await
            }
            /// "Mark verified" for one EAC (`not_found` for an unknown id).
            async fn verify_eac(
                desk,
                cds_eac_id: String,
                reason: Option<String>,
            ) -> VerifyReport {
                desk.edit(move |store| eac_app::verify_eac(store, &cds_eac_id, reason.as_deref()))
                    .await
            }
            /// Deletes EACs by exact ids or by filter (the empty filter: every EAC), all or
            /// nothing, one audit record each; `not_found` with `details.cds_eac_ids` when an id
            /// is unknown; `dry_run` only counts. `confirmed`: the count of EACs the user confirmed
            /// (the dry run's); more found in the deletion's own write are refused,
            /// `invalid_input` with `details.unconfirmed` (nothing deleted). Long, progress
            /// phase `delete`.
            async fn delete_eacs(
                desk,
                op_id: String,
                target: DeleteTarget,
                reason: String,
                dry_run: bool,
                confirmed: Option<usize>,
            ) -> DeleteReport {
                let confirmed = confirmed_count(confirmed);
                desk.operation(op_id, move |store, op| match dry_run {
                    true => eac_app::delete_eacs(store, &target, &reason, true, op),
                    false => eac_app::delete_eacs_confirmed(store, &target, &reason, confirmed, op),
                })
                .await
            }
            /// Every import (file or sample load), newest first, each with whether its undo would
            /// be refused now and why: `undoable`, and `undo_refusal` (`null`, or `{ code, reason,
            /// cds_eac_ids }`: the code `undo_import` refuses with, `conflict`, `frozen` or
            /// `invalid_input`, and why in plain words). Worked out for every import together by
            /// the undo's own rules (no undo, nor dry run, is run per import), so the list and
            /// `undo_import` agree.
            async fn import_batches(desk) -> Vec<ImportBatch> {
                desk.read(eac_app::import_batches).await
            }
            /// Takes an import out again (added EACs removed, replaced ones restored, and its
            /// registry document no longer named as a source of the EACs it found unchanged:
            /// `unlinked`, each recorded): `conflict` when EACs changed after it, a later import's
            /// document still states EACs it would take out or change (undo that import first), or
            /// a recorded claim counts them (`details.cds_eac_ids`; the dry run too), `frozen` when EACs it would change lie in a closed period, `invalid_input`
            /// when already undone, imported before schema 6, or when undoing it would change
            /// nothing stored (every EAC it added deleted since, or it changed none; the import
            /// stays as it is); `dry_run` only counts. `confirmed`: the count of EACs the user
            /// confirmed (the dry run's removed, restored and unlinked); more found in the undo's own
            /// write are refused, `invalid_input` with `details.unconfirmed` (nothing changed).
            /// Long, progress phase `undo_import`.
            async fn undo_import(
                desk,
                op_id: String,
                batch_id: i64,
                reason: String,
                dry_run: bool,
                confirmed: Option<usize>,
            ) -> UndoReport {
                let confirmed = confirmed_count(confirmed);
                desk.operation(op_id, move |store, op| match dry_run {
                    true => eac_app::undo_import(store, batch_id, &reason, true, op),
                    false => eac_app::undo_import_confirmed(store, batch_id, &reason, confirmed, op),
                })
                .await
            }
            /// EACs known only by their P2 envelope (no values), in P2 order.
            async fn envelope_only(desk, offset: usize, limit: usize) -> Vec<EnvelopeOnlyRow> {
                desk.read(move |store| eac_app::envelope_only(store, offset, limit))
                    .await
            }
            /// Reference ids stored per beneficiary type (types with none left out).
            async fn refdata_counts(desk) -> Vec<RefdataCount> {
                desk.read(eac_app::refdata_counts).await
            }
            /// Reference data entries, optionally of one type and matching `search`; `limit` 0
            /// is all.
            async fn list_refdata(
                desk,
                beneficiary_type: Option<BeneficiaryType>,
                search: Option<String>,
                limit: usize,
            ) -> Vec<RefdataEntry> {
                desk.read(move |store| {
                    eac_app::list_refdata(store, beneficiary_type, search.as_deref(), limit)
                })
                .await
            }
            /// Native dialog: the chosen parent folder joined with `default_name`, or `null`.
            async fn pick_export_folder(_desk, default_name: String) -> Option<String> {
                Ok(dialogs::export_folder(default_name).await)
            }
            /// Native dialog: reference data files, or `null`.
            async fn pick_refdata_files(_desk) -> Option<Vec<String>> {
                Ok(dialogs::refdata_files().await)
            }
            /// The UI state of `database` as it stands now (`DeskViewState`), which the UI
            /// writes with `settings_update` after a pause in a stream of changes; if the window
            /// closes in that pause, the app writes it then.
            sync fn stage_view_state(desk, staged: StagedViewState) -> () {
                desk.stage_view_state(staged);
                Ok(())
            }
            /// Whether the detail pane holds unsaved changes (beneficiaries, typed missing fields or emission factors; asked about on close).
            sync fn set_unsaved_edits(desk, unsaved: bool) -> () {
                desk.set_unsaved_edits(unsaved);
                Ok(())
            }
            /// The UI shows the close question; without it, a second close request more than
            /// 3 s after the first closes the window (a hung webview cannot keep it open).
            sync fn close_request_seen(desk) -> () {
                desk.close_request_seen();
                Ok(())
            }
            /// Cancels running operations (each writes nothing), then closes the window once
            /// they stopped (at most 30 s).
            sync fn close_anyway(desk) -> () {
                desk.close_anyway(CLOSE_PATIENCE);
                Ok(())
            }
            /// Completes or corrects fields of the EACs `target` names (ids, or every EAC a
            /// filter matches), each change audited with `reason` (`null` only for a dry run);
            /// of the `changed` EACs, `now_complete` counts those the change made complete (they
            /// lacked required fields before) and `still_incomplete` those still lacking some
            /// (one complete before and after is in neither);
            /// a value's `issued`/`retired` date is filled only where missing; a value that
            /// breaks a rule refuses the whole change (`validation`, as does an emission factor
            /// that is no amount, as for `set_emissions`; a value that cannot be read as its
            /// field's kind, a date or a listed word, is `invalid_input`); `dry_run` only counts;
            /// `version`: the `EacDetail.version` the edit of one EAC was made on (refused,
            /// `conflict`, if it changed since). `issued_kept` counts EACs that kept another
            /// issue date and `issued_kept_why` says why (shown as given); `retired_kept` counts
            /// EACs of which a value was left without the `retired` date given (not retired, or
            /// retired on another day) and `retired_kept_why` says why (shown as given, so a
            /// date that changed nothing is not "already held"); `warnings`: the rule 22
            /// warnings the change brings. `confirmed`: the count of EACs the user confirmed (the
            /// dry run's `matching`); more found in the change's own write are refused,
            /// `invalid_input` with `details.unconfirmed` (nothing written). Long, progress phase
            /// `bulk_edit`.
            async fn set_fields(
                desk,
                op_id: String,
                target: DeleteTarget,
                values: Vec<FieldValue>,
                reason: Option<String>,
                dry_run: bool,
                version: Option<i64>,
                confirmed: Option<usize>,
            ) -> SetFieldsReport {
                let confirmed = confirmed_count(confirmed);
                desk.operation(op_id, move |store, op| {
                    let user = eac_app::os_user();
                    match dry_run {
                        true => eac_app::set_fields(store, &target, &values, reason.as_deref(), &user, true, op, version),
                        false => eac_app::set_fields_confirmed(store, &target, &values, reason.as_deref(), &user, confirmed, op, version),
                    }
                })
                .await
            }
            /// Double counting among the stored ranges (shared certificates, the same certificates
            /// claimed for two beneficiaries or retired twice), each finding naming both EACs; a
            /// finding counts when either side matches `filter`; then the stored documents whose
            /// bytes no longer match their SHA-256 (every document without a filter, those of the
            /// matching EACs with one); and, as `violations`, what every export refuses in the
            /// stored EACs checked (text longer than 4096 characters, stored before that cap).
            /// `ranges` counts every stored range compared; with a filter, `matching_ranges`
            /// counts those of the EACs it selects (absent for a check of every EAC).
            /// Long, progress phases `check` then `check_documents` (cancel: `cancelled`, at once).
            async fn check_double_counting(desk, op_id: String, filter: EacFilter) -> CheckReport {
                desk.operation(op_id, move |store, op| finished(op, eac_app::check(store, &filter, op)))
                    .await
            }
            /// The documents an EAC came from (registry imports), oldest import first; empty for
            /// EACs imported from CDS files; `not_found` for an unknown id.
            async fn eac_sources(desk, cds_eac_id: String) -> Vec<SourceView> {
                desk.read(move |store| eac_app::sources(store, &cds_eac_id)).await
            }
            /// Native dialog: where a copy of a source document goes (suggested: its original
            /// file name, made safe), or `null`.
            async fn pick_source_path(_desk, file_name: String) -> Option<String> {
                Ok(dialogs::source_path(&file_name).await)
            }
            /// Writes the stored original bytes of the document with this SHA-256 to `path`
            /// (whole or not at all; never over the database); `sha256` is of what was written.
            async fn save_eac_source(desk, sha256: String, path: PathBuf) -> ExportReport {
                let path = eac_app::output_path(&path, &desk.path());
                desk.read(move |store| eac_app::save_source(store, &sha256, &path)).await
            }
            /// Writes the evidence pack of the EACs in `filter` to the folder `path` (new, empty or
            /// an earlier pack; else `invalid_input`), signed with this user's key; `title` `null`:
            /// the selection in words. Refused, writing nothing: no EAC matches (`invalid_input`),
            /// incomplete EACs (`validation`, `details.cds_eac_ids`), a broken audit log
            /// (`conflict`). Long, progress phase `export`.
            async fn make_pack(
                desk,
                op_id: String,
                filter: EacFilter,
                path: PathBuf,
                title: Option<String>,
            ) -> PackReport {
                let path = eac_app::output_path(&path, &desk.path());
                desk.operation(op_id, move |store, op| {
                    eac_app::make_pack(store, &filter, &path, title.as_deref(), op)
                        .inspect(|_| $crate::desk::remember_export_folder(&path))
                })
                .await
            }
            /// Checks the pack folder `path` on its own (no database): signature, every file's
            /// size and SHA-256, no file added or removed, the audit chain inside, the CDS files;
            /// `expected_fingerprint` (or `null`) must then be the signer's. `ok` false lists every
            /// problem with its file or record; the manifest comes without its list of files
            /// (`file_count` counts them). Long: progress `pack_files`, `pack_listing`,
            /// `pack_bundle` (cancel: `cancelled`).
            async fn verify_pack(
                desk,
                op_id: String,
                path: PathBuf,
                expected_fingerprint: Option<String>,
            ) -> PackVerdict {
                desk.task(op_id, move |op| {
                    let verdict =
                        eac_app::verify_pack_with(&path, expected_fingerprint.as_deref(), op);
                    finished(op, verdict)
                })
                .await
            }
            /// What changed in the open database since the pack in `path` was made: EACs added,
            /// removed and edited, each with its audit records since, and the pack's own verdict.
            /// Long, on its own connection: progress as `verify_pack`'s, then `pack` (the pack's
            /// EACs read) and `pack_compare` (cancel: `cancelled`).
            async fn pack_diff(desk, op_id: String, path: PathBuf) -> PackDiff {
                desk.operation(op_id, move |store, op| {
                    finished(op, eac_app::pack_diff_with(store, &path, op))
                })
                .await
            }
            /// The user's settings (display name, theme, recent databases, last export folder,
            /// the UI's state per database); `warning` when the file was unreadable and the
            /// defaults are used.
            async fn settings_get(_desk) -> LoadedSettings {
                $crate::desk::off_ui_thread(eac_app::load_settings).await
            }
            /// Changes the settings `patch` names (the rest stay) and returns them all; a new
            /// display name is on the next audit record.
            async fn settings_update(desk, patch: SettingsPatch) -> Settings {
                desk.update_settings(patch).await
            }
            /// This user's pack signing key (created on first use): public key and fingerprint,
            /// never the secret.
            async fn signing_key(_desk) -> SigningKeyInfo {
                $crate::desk::off_ui_thread(eac_app::signing_key).await
            }
            /// The audit log's hash chain: `broken` `null` when intact, else the first record
            /// that does not hold (changed, removed or reordered outside EAC Desk).
            async fn verify_audit_chain(desk) -> ChainReport {
                desk.read(eac_app::verify_audit_chain).await
            }
            /// Closes the days `from`..=`to` (`YYYY-MM-DD`, inclusive, UTC): EACs whose period lies
            /// inside are frozen (`frozen` for every change) until reopened; audited.
            async fn close_period(desk, from: String, to: String, reason: String) -> ClosedPeriod {
                desk.edit(move |store| eac_app::close_period(store, &from, &to, &reason))
                    .await
            }
            /// Reopens closed period `id` with a reason (audited): its EACs can be changed again.
            async fn reopen_period(desk, id: i64, reason: String) -> ClosedPeriod {
                desk.edit(move |store| eac_app::reopen_period(store, id, &reason)).await
            }
            /// Every closed period, in effect or reopened, by first day.
            async fn closed_periods(desk) -> Vec<ClosedPeriod> {
                desk.read(eac_app::closed_periods).await
            }
            /// The closed periods freezing one EAC (empty: it can be changed); `not_found`.
            async fn frozen_by(desk, cds_eac_id: String) -> Vec<ClosedPeriod> {
                desk.read(move |store| eac_app::frozen_by(store, &cds_eac_id)).await
            }
            /// Native dialog: the chosen parent folder joined with `default_name` (where a new
            /// evidence pack goes), or `null`.
            async fn pick_pack_folder(_desk, default_name: String) -> Option<String> {
                Ok(dialogs::pack_folder(default_name).await)
            }
            /// Native dialog: an existing evidence pack folder to verify, or `null`.
            async fn pick_pack(_desk) -> Option<String> {
                Ok(dialogs::pack().await)
            }
            /// The values of the EACs in `filter` grouped by `by` (in order), each group and the
            /// grand total exact in `unit` (the summary dashboard).
            async fn summary(
                desk,
                filter: EacFilter,
                by: Vec<SummaryKey>,
                unit: EnergyUnit,
            ) -> SummaryReport {
                desk.read(move |store| eac_app::summary(store, &filter, &by, unit)).await
            }
            /// The table view (its filter, or exactly `view.ids`, in its sort) as CSV or .xlsx
            /// at `path`, complete or not at all. `cut_cells`: workbook cells past a cell's 32,767
            /// characters, each cut with a marker and kept whole on the sheet "Long cells" (0 for
            /// CSV, which keeps every cell whole); `inexact_numbers`: workbook numbers past 15
            /// significant digits, each with a note, the exact text beside. Long, progress phase
            /// `export`.
            async fn export_table(
                desk,
                op_id: String,
                view: TableView,
                format: TableFormat,
                path: PathBuf,
            ) -> TableExportReport {
                let path = eac_app::output_path(&path, &desk.path());
                desk.operation(op_id, move |store, op| {
                    eac_app::export_table(store, &view, format, &path, op)
                        .inspect(|_| $crate::desk::remember_export_folder(&path))
                })
                .await
            }
            /// Native dialog: where the table view goes (`.csv` or `.xlsx` after `format`), or
            /// `null`.
            async fn pick_table_path(_desk, default_name: String, format: TableFormat) -> Option<String> {
                Ok(dialogs::table_path(default_name, format).await)
            }
            /// Imports a consumption CSV (header `beneficiary_type,beneficiary,start,end,value,unit`),
            /// all rows or none: `validation` with every problem located (`details.violations`:
            /// file, line, column) and rows overlapping stored consumption refused. Runs on its own
            /// connection under `op_id` (phase-less; cancel before it writes: `cancelled`).
            async fn import_consumption(desk, op_id: String, path: PathBuf) -> ConsumptionImported {
                desk.operation(op_id, move |store, op| {
                    if eac_app::Progress::is_cancelled(op) {
                        return Err(AppError::cancelled());
                    }
                    eac_app::import_consumption(store, &path)
                })
                .await
            }
            /// Stored consumption per beneficiary: rows, first start, last end, files and the exact
            /// total in MWh (text).
            async fn consumption_groups(desk) -> Vec<ConsumptionGroup> {
                desk.read(eac_app::consumption_groups).await
            }
            /// Deletes every consumption row of one beneficiary, audited (`consumption_delete`);
            /// `not_found` when it has none, `conflict` while a recorded claim is for it.
            async fn delete_consumption(
                desk,
                beneficiary_type: String,
                beneficiary: String,
                reason: String,
            ) -> ConsumptionDeleted {
                desk.edit(move |store| {
                    eac_app::delete_consumption(store, &beneficiary_type, &beneficiary, &reason)
                })
                .await
            }
            /// The Scope 2 report of a claim (given in full: allocated now from what recorded
            /// claims left, nothing stored; or recorded: `claim_id`) with its criteria results,
            /// per-interval and per-month figures; every figure exact decimal text.
            async fn claim_report(
                desk,
                input: Option<ClaimInput>,
                claim_id: Option<i64>,
                rules: Vec<String>,
            ) -> ClaimReportView {
                desk.read(move |store| {
                    eac_app::claim_report_view(store, input.as_ref(), claim_id, &rules)
                })
                .await
            }
            /// The report's CSV (`eacdesk claims report --csv`) at `path`, whole or not at all.
            async fn export_claim_report(
                desk,
                input: Option<ClaimInput>,
                claim_id: Option<i64>,
                rules: Vec<String>,
                path: PathBuf,
            ) -> ExportReport {
                let path = eac_app::output_path(&path, &desk.path());
                desk.read(move |store| {
                    eac_app::export_claim_report(store, input.as_ref(), claim_id, &rules, &path)
                        .inspect(|_| $crate::desk::remember_export_folder(&path))
                })
                .await
            }
            /// Records a claim (its allocations stored so no value counts twice), audited
            /// (`claim_create`); `name` empty: beneficiary and period; `conflict` when a value would
            /// be allocated beyond its quantity or a recorded claim covers its stored consumption
            /// already (each hour is claimed once).
            async fn create_claim(
                desk,
                name: String,
                input: ClaimInput,
                reason: String,
            ) -> ClaimRecord {
                desk.edit(move |store| eac_app::create_claim(store, &name, &input, &reason))
                    .await
            }
            /// Every recorded claim, newest first.
            async fn claims(desk) -> Vec<ClaimRecord> {
                desk.read(eac_app::claims).await
            }
            /// Deletes recorded claim `id` (its values are free again), audited.
            async fn delete_claim(desk, id: i64, reason: String) -> ClaimRecord {
                desk.edit(move |store| eac_app::delete_claim(store, id, &reason)).await
            }
            /// Sets a market's emission factor (`kind` `residual_mix` or `grid`, tCO2e/MWh as exact
            /// text) for a year with its source, audited (`factor_set`); names the recorded claims
            /// of that market and year that keep another factor (decision 273).
            async fn set_factor(
                desk,
                market: String,
                kind: String,
                year: i32,
                tco2e_per_mwh: String,
                source: String,
                reason: String,
            ) -> FactorSet {
                desk.edit(move |store| {
                    eac_app::set_factor(store, &market, &kind, year, &tco2e_per_mwh, &source, &reason)
                })
                .await
            }
            /// Every emission factor entered.
            async fn factors(desk) -> Vec<FactorEntry> {
                desk.read(eac_app::factors).await
            }
            /// Native dialog: a consumption CSV, or `null`.
            async fn pick_consumption_file(_desk) -> Option<String> {
                Ok(dialogs::consumption_file().await)
            }
            /// Native dialog: where a claim's report CSV goes, or `null`.
            async fn pick_claim_report_path(_desk, default_name: String) -> Option<String> {
                Ok(dialogs::claim_report_path(default_name).await)
            }
        }
    };
}

/// Expands the list into `#[tauri::command]` functions and [`handler`].
macro_rules! define_commands {
    ($(
        $(#[doc = $doc:literal])*
        $mode:ident fn $name:ident($desk:ident $(, $arg:ident: $ty:ty)* $(,)?) -> $ret:ty $body:block
    )*) => {
        $(define_commands!(@one $mode [$($doc)*] $name($desk $(, $arg: $ty)*) -> $ret $body);)*

        /// Every command, for `Builder::invoke_handler`.
        pub(crate) fn handler<R: Runtime>(
        ) -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }
    };
    (@one async [$($doc:literal)*] $name:ident($desk:ident $(, $arg:ident: $ty:ty)*) -> $ret:ty $body:block) => {
        $(#[doc = $doc])*
        // The IPC contract passes flat arguments (`set_fields` has seven).
        #[allow(clippy::too_many_arguments)]
        #[tauri::command(rename_all = "snake_case")]
        async fn $name($desk: State<'_, Desk> $(, $arg: $ty)*) -> Reply<$ret> $body
    };
    (@one sync [$($doc:literal)*] $name:ident($desk:ident $(, $arg:ident: $ty:ty)*) -> $ret:ty $body:block) => {
        $(#[doc = $doc])*
        #[tauri::command(rename_all = "snake_case")]
        fn $name($desk: State<'_, Desk> $(, $arg: $ty)*) -> Reply<$ret> $body
    };
}

ipc_commands!(define_commands);
