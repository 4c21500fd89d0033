//! Reference data behind beneficiaries and the emission-factor edit: the
//! operations the CLI's `refdata` / `set-emissions` and the app's
//! reference-data dialog, beneficiary editor and detail pane share.

use std::path::PathBuf;

use eac_model::BeneficiaryType;
use eac_store::{
    AuditRecord, BeneficiaryAssignment, Choice, Progress, RefdataEntry, RefdataReport, Store,
};

use crate::AppError;

/// Imports reference documents (accounts / service contracts listings,
/// programs CSV or JSON; detected from their first bytes), each as one
/// transaction. Stops at the first file that fails (a `validation` error
/// naming it and locating each violation); the files before it stay imported.
pub fn import_refdata(
    store: &mut Store,
    files: &[PathBuf],
    progress: &dyn Progress,
) -> Result<Vec<RefdataReport>, AppError> {
    let mut reports = Vec::with_capacity(files.len());
    for file in files {
        let report = store.import_refdata(file, progress).map_err(|e| {
            let e = AppError::from(e);
            if e.is_validation() {
                let message = format!(
                    "{} was not imported: it breaks the reference-data format; nothing from it was written.",
                    file.display()
                );
                e.with_message(message)
            } else {
                e
            }
        })?;
        reports.push(report);
    }
    Ok(reports)
}

/// Reference data of one type (or all) whose id or label contains `search`.
pub fn list_refdata(
    store: &Store,
    kind: Option<BeneficiaryType>,
    search: Option<&str>,
    limit: usize,
) -> Result<Vec<RefdataEntry>, AppError> {
    Ok(store.refdata(kind, search, limit)?)
}

/// All reference data of one type (or all) whose id or label contains
/// `search`, one entry at a time as the database hands them out; `each`
/// returning `ControlFlow::Break` stops early.
pub fn list_refdata_each(
    store: &Store,
    kind: Option<BeneficiaryType>,
    search: Option<&str>,
    each: &mut dyn FnMut(RefdataEntry) -> std::ops::ControlFlow<()>,
) -> Result<(), AppError> {
    match store.refdata_each(kind, search, &mut |e| match each(e) {
        std::ops::ControlFlow::Continue(()) => Ok(()),
        std::ops::ControlFlow::Break(()) => Err(eac_store::StoreError::Cancelled),
    }) {
        Err(eac_store::StoreError::Cancelled) => Ok(()),
        other => Ok(other?),
    }
}

/// How many ids of each beneficiary type the reference data holds.
pub fn refdata_counts(store: &Store) -> Result<Vec<eac_store::RefdataCount>, AppError> {
    Ok(store.refdata_counts()?)
}

/// The ids of an assignment that the imported reference data of its type
/// does not know: a warning, never a refusal. Empty when nothing of that
/// type was imported.
pub fn check_beneficiaries(
    store: &Store,
    to: &BeneficiaryAssignment,
) -> Result<Vec<String>, AppError> {
    Ok(store.unknown_beneficiaries(to.beneficiary_type, &to.beneficiaries)?)
}

/// Suggestions for the beneficiary editor, "ID · label" from reference data
/// first, then ids already used in the store.
pub fn beneficiary_choices(
    store: &Store,
    kind: BeneficiaryType,
    prefix: &str,
    limit: usize,
) -> Result<Vec<Choice>, AppError> {
    Ok(store.beneficiary_choices(kind, prefix, limit)?)
}

/// Enters both emission factors of one EAC (exact decimal text, 0 or more)
/// with a reason; audited as `set_emissions`.
pub fn set_emissions(
    store: &mut Store,
    cds_eac_id: &str,
    direct: &str,
    lca: &str,
    reason: &str,
    seen_version: Option<i64>,
) -> Result<AuditRecord, AppError> {
    let direct = eac_store::parse_emission_factor("The direct emission factor", direct)?;
    let lca = eac_store::parse_emission_factor("The LCA emission factor", lca)?;
    let reason = eac_store::Reason::new(reason)?;
    Ok(store.set_emissions_seen(
        cds_eac_id,
        seen_version,
        &direct,
        &lca,
        &reason,
        &eac_store::os_user(),
    )?)
}
