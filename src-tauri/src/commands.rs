//! The IPC commands (docs/ipc.md). Each is a one-line adapter: it names the
//! operation in `eac-app` or `eac-store` and says where it runs (shared
//! connection, own connection with progress and cancel, or a native dialog).
//! Arguments use snake_case keys; errors are `AppError { code, message, details }`.

use std::path::PathBuf;

use eac_app::{AppError, ExportProfile, ImportOptions, SamplePlan, ValidationReport};
use eac_model::BeneficiaryType;
use eac_store::{
    AuditRecord, BeneficiaryAssignment, BrowseQuery, BrowseSummary, BulkEditReport, BundleReport,
    Choice, ChoiceField, DbInfo, DeleteReport, DeleteTarget, EacDetail, EacFilter, EacRow,
    EnvelopeOnlyRow, ExportReport, ImportBatch, ImportReport, RefdataCount, RefdataEntry,
    RefdataReport, UndoReport, VerifyReport,
};
use tauri::State;

use crate::desk::{off_ui_thread, Desk};
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

#[tauri::command(rename_all = "snake_case")]
pub async fn db_info(desk: State<'_, Desk>) -> Reply<DbInfo> {
    desk.read(|store| store.info()).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn open_database(desk: State<'_, Desk>, path: PathBuf) -> Reply<DbInfo> {
    desk.open_database(path).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn browse_page(desk: State<'_, Desk>, query: BrowseQuery) -> Reply<Vec<EacRow>> {
    desk.read(move |store| store.browse(&query)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn browse_summary(desk: State<'_, Desk>, filter: EacFilter) -> Reply<BrowseSummary> {
    desk.read(move |store| store.summary(&filter)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn eac_detail(desk: State<'_, Desk>, cds_eac_id: String) -> Reply<EacDetail> {
    desk.read(move |store| store.detail(&cds_eac_id)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_beneficiaries(
    desk: State<'_, Desk>,
    cds_eac_id: String,
    beneficiary_type: BeneficiaryType,
    beneficiaries: Vec<String>,
    reason: String,
) -> Reply<AuditRecord> {
    let to = assignment(beneficiary_type, beneficiaries);
    desk.edit(move |store| eac_app::set_beneficiaries(store, &cds_eac_id, &to, &reason))
        .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn bulk_set_beneficiaries(
    desk: State<'_, Desk>,
    op_id: String,
    filter: EacFilter,
    beneficiary_type: BeneficiaryType,
    beneficiaries: Vec<String>,
    reason: String,
) -> Reply<BulkEditReport> {
    let to = assignment(beneficiary_type, beneficiaries);
    desk.operation(op_id, move |store, op| {
        eac_app::bulk_set_beneficiaries(store, &filter, &to, &reason, op)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn audit_log(
    desk: State<'_, Desk>,
    cds_eac_id: Option<String>,
) -> Reply<Vec<AuditRecord>> {
    desk.read(move |store| store.audit_log(cds_eac_id.as_deref()))
        .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn beneficiary_suggestions(
    desk: State<'_, Desk>,
    beneficiary_type: BeneficiaryType,
    prefix: String,
    limit: usize,
) -> Reply<Vec<String>> {
    desk.read(move |store| store.beneficiary_suggestions(beneficiary_type, &prefix, limit))
        .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn distinct_values(desk: State<'_, Desk>, field: ChoiceField) -> Reply<Vec<Choice>> {
    desk.read(move |store| store.choices(field)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn import_files(
    desk: State<'_, Desk>,
    op_id: String,
    paths: Vec<PathBuf>,
    allow_extended_technologies: Option<bool>,
) -> Reply<ImportReport> {
    let options = ImportOptions {
        allow_extended_technologies: allow_extended_technologies.unwrap_or(false),
        ..ImportOptions::default()
    };
    desk.operation(op_id, move |store, op| {
        Ok::<_, AppError>(eac_app::import_files(store, &paths, options, op))
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn export_file(
    desk: State<'_, Desk>,
    op_id: String,
    profile: ExportProfile,
    filter: Option<EacFilter>,
    path: PathBuf,
) -> Reply<ExportReport> {
    desk.operation(op_id, move |store, op| {
        eac_app::export(store, profile, filter.as_ref(), &path, op)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn load_sample(
    desk: State<'_, Desk>,
    op_id: String,
    eacs: usize,
    seed: u64,
) -> Reply<ImportReport> {
    desk.operation(op_id, move |store, op| {
        eac_app::load_sample(store, eacs, seed, op)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sample_plan(desk: State<'_, Desk>) -> Reply<SamplePlan> {
    desk.read(eac_app::sample_plan).await
}

/// Into the open database's separate sample database; the UI then opens it.
#[tauri::command(rename_all = "snake_case")]
pub async fn load_sample_database(
    desk: State<'_, Desk>,
    op_id: String,
    eacs: usize,
    seed: u64,
) -> Reply<ImportReport> {
    desk.operation(op_id, move |store, op| {
        eac_app::load_sample_database(store.path(), eacs, seed, op)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn validate_file(profile: ExportProfile, path: PathBuf) -> Reply<ValidationReport> {
    off_ui_thread(move || eac_app::validate_file(&path, profile, false)).await
}

#[tauri::command(rename_all = "snake_case")]
pub fn cancel_operation(desk: State<'_, Desk>, op_id: String) {
    desk.cancel(&op_id)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn pick_import_files() -> Option<Vec<String>> {
    dialogs::import_files().await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn pick_export_path(default_name: String) -> Option<String> {
    dialogs::export_path(default_name).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn pick_database(create: bool) -> Option<String> {
    dialogs::database(create).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn import_refdata(
    desk: State<'_, Desk>,
    op_id: String,
    paths: Vec<PathBuf>,
) -> Reply<Vec<RefdataReport>> {
    desk.operation(op_id, move |store, op| {
        eac_app::import_refdata(store, &paths, op)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn beneficiary_choices(
    desk: State<'_, Desk>,
    beneficiary_type: BeneficiaryType,
    prefix: String,
    limit: usize,
) -> Reply<Vec<Choice>> {
    desk.read(move |store| eac_app::beneficiary_choices(store, beneficiary_type, &prefix, limit))
        .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn check_beneficiaries(
    desk: State<'_, Desk>,
    beneficiary_type: BeneficiaryType,
    beneficiaries: Vec<String>,
) -> Reply<Vec<String>> {
    let to = assignment(beneficiary_type, beneficiaries);
    desk.read(move |store| eac_app::check_beneficiaries(store, &to))
        .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_emissions(
    desk: State<'_, Desk>,
    cds_eac_id: String,
    emissions_factor_direct: String,
    emissions_factor_lca: String,
    reason: String,
) -> Reply<AuditRecord> {
    desk.edit(move |store| {
        eac_app::set_emissions(
            store,
            &cds_eac_id,
            &emissions_factor_direct,
            &emissions_factor_lca,
            &reason,
        )
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn export_bundle(
    desk: State<'_, Desk>,
    op_id: String,
    filter: Option<EacFilter>,
    path: PathBuf,
    base_url: Option<String>,
) -> Reply<BundleReport> {
    desk.operation(op_id, move |store, op| {
        eac_app::export_p2(store, filter.as_ref(), &path, base_url.as_deref(), op)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn verify_eacs(
    desk: State<'_, Desk>,
    op_id: String,
    filter: EacFilter,
    reason: Option<String>,
    dry_run: bool,
) -> Reply<VerifyReport> {
    desk.operation(op_id, move |store, op| {
        eac_app::verify_eacs(store, &filter, reason.as_deref(), dry_run, op)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn verify_eac(
    desk: State<'_, Desk>,
    cds_eac_id: String,
    reason: Option<String>,
) -> Reply<VerifyReport> {
    desk.edit(move |store| eac_app::verify_eac(store, &cds_eac_id, reason.as_deref()))
        .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn delete_eacs(
    desk: State<'_, Desk>,
    op_id: String,
    target: DeleteTarget,
    reason: String,
    dry_run: bool,
) -> Reply<DeleteReport> {
    desk.operation(op_id, move |store, op| {
        eac_app::delete_eacs(store, &target, &reason, dry_run, op)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn import_batches(desk: State<'_, Desk>) -> Reply<Vec<ImportBatch>> {
    desk.read(eac_app::import_batches).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn undo_import(
    desk: State<'_, Desk>,
    op_id: String,
    batch_id: i64,
    reason: String,
    dry_run: bool,
) -> Reply<UndoReport> {
    desk.operation(op_id, move |store, op| {
        eac_app::undo_import(store, batch_id, &reason, dry_run, op)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn envelope_only(
    desk: State<'_, Desk>,
    offset: usize,
    limit: usize,
) -> Reply<Vec<EnvelopeOnlyRow>> {
    desk.read(move |store| eac_app::envelope_only(store, offset, limit))
        .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn refdata_counts(desk: State<'_, Desk>) -> Reply<Vec<RefdataCount>> {
    desk.read(eac_app::refdata_counts).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_refdata(
    desk: State<'_, Desk>,
    beneficiary_type: Option<BeneficiaryType>,
    search: Option<String>,
    limit: usize,
) -> Reply<Vec<RefdataEntry>> {
    desk.read(move |store| eac_app::list_refdata(store, beneficiary_type, search.as_deref(), limit))
        .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn pick_export_folder(default_name: String) -> Option<String> {
    dialogs::export_folder(default_name).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn pick_refdata_files() -> Option<Vec<String>> {
    dialogs::refdata_files().await
}

#[tauri::command(rename_all = "snake_case")]
pub fn set_unsaved_edits(desk: State<'_, Desk>, unsaved: bool) {
    desk.set_unsaved_edits(unsaved)
}

#[tauri::command(rename_all = "snake_case")]
pub fn close_request_seen(desk: State<'_, Desk>) {
    desk.close_request_seen()
}

#[tauri::command(rename_all = "snake_case")]
pub fn close_anyway(desk: State<'_, Desk>) {
    desk.close_anyway(CLOSE_PATIENCE)
}

/// How long "Close anyway" waits for cancelled operations to stop writing.
const CLOSE_PATIENCE: std::time::Duration = std::time::Duration::from_secs(30);
