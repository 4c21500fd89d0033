//! Reference data behind beneficiaries and the emission-factor edit: the
//! operations the CLI's `refdata` / `set-emissions` and the app's
//! reference-data dialog, beneficiary editor and detail pane share.

use std::path::PathBuf;

use eac_model::BeneficiaryType;
use eac_store::{
    AuditRecord, BeneficiaryAssignment, Choice, Progress, RefdataEntry, RefdataRemoval,
    RefdataReport, Store,
};

use crate::error::unchanged_said;
use crate::AppError;

/// Imports reference documents (accounts / service contracts listings,
/// programs CSV or JSON; detected from their first bytes), each as one
/// transaction. Stops at the first file that fails (a `validation` error
/// naming it and locating each violation); the files before it stay
/// imported (the app's dialog says so from the list it sent).
pub fn import_refdata(
    store: &mut Store,
    files: &[PathBuf],
    progress: &dyn Progress,
) -> Result<Vec<RefdataReport>, AppError> {
    let done = import_refdata_files(store, files, progress);
    match done.failed {
        None => Ok(done.imported),
        Some(failed) => Err(failed.error),
    }
}

/// What importing reference documents did, file by file: each file is its
/// own transaction, committed in order, and the first that fails stops
/// the rest (decision 27).
#[derive(Debug, Clone, PartialEq)]
pub struct RefdataImport {
    /// The files imported (committed), in order.
    pub imported: Vec<RefdataReport>,
    /// The file that failed, with why; nothing from it was written.
    pub failed: Option<RefdataFailed>,
    /// The files after the failed one, not read.
    pub not_tried: Vec<String>,
}

/// A reference document that was not imported.
#[derive(Debug, Clone, PartialEq)]
pub struct RefdataFailed {
    pub file: String,
    pub error: AppError,
}

/// [`import_refdata`] file by file: never an error of its own, the
/// failure (if any) is the report's. The failed file's message names it
/// and says nothing from it was imported, never that nothing was changed
/// (the files before it were).
pub fn import_refdata_files(
    store: &mut Store,
    files: &[PathBuf],
    progress: &dyn Progress,
) -> RefdataImport {
    let mut done = RefdataImport {
        imported: Vec::with_capacity(files.len()),
        failed: None,
        not_tried: Vec::new(),
    };
    for file in files {
        if done.failed.is_some() {
            done.not_tried.push(file.display().to_string());
            continue;
        }
        match store.import_refdata(file, progress) {
            Ok(report) => done.imported.push(report),
            Err(e) => {
                let e = AppError::from(e);
                let name = file.display().to_string();
                let e = if e.is_validation() {
                    let message = format!(
                        "{name} was not imported: it breaks the reference-data format; nothing from it was written."
                    );
                    e.with_message(message)
                } else if files.len() > 1 {
                    let nothing_from = format!("nothing from {name} was imported");
                    let message = match unchanged_said(&e.message, Some(&nothing_from)) {
                        (said, true) => said,
                        (said, false) if said.contains(&name) => said,
                        (said, false) => format!("Nothing was imported from {name}: {said}"),
                    };
                    e.with_message(message)
                } else {
                    e
                };
                done.failed = Some(RefdataFailed {
                    file: name,
                    error: e,
                });
            }
        }
    }
    done
}

/// Removes reference-data ids of one type, audited with `reason`
/// (`refdata_remove`); `dry_run` writes nothing. Ids that stored EACs still
/// name are listed in the report (a warning, never a refusal); an id that
/// is not stored refuses the whole removal (`not_found`). The reason may be
/// left out of a dry run only.
pub fn remove_refdata(
    store: &mut Store,
    kind: BeneficiaryType,
    ids: &[String],
    reason: Option<&str>,
    dry_run: bool,
) -> Result<RefdataRemoval, AppError> {
    let reason = match (reason, dry_run) {
        (Some(text), _) => eac_store::Reason::new(text)?,
        (None, true) => eac_store::Reason::new("dry run")?,
        (None, false) => {
            return Err(AppError::invalid_input(
                "a removal of reference data needs a reason (kept in the audit log)",
            ))
        }
    };
    Ok(store.remove_refdata(kind, ids, &reason, &eac_store::os_user(), dry_run)?)
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
