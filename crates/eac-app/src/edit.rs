//! Audited beneficiary edits, attributed to the operating-system user.

use eac_store::{AuditRecord, BeneficiaryAssignment, BulkEditReport, EacFilter, Progress, Store};

use crate::AppError;

fn require_reason(reason: &str) -> Result<(), AppError> {
    if reason.trim().is_empty() {
        return Err(AppError::invalid_input(
            "Give a reason for the change; it is kept in the audit log with your user name.",
        ));
    }
    Ok(())
}

/// Gives one EAC a new beneficiary assignment (rules 4 and 17 checked) and
/// records who, when and why.
pub fn set_beneficiaries(
    store: &mut Store,
    cds_eac_id: &str,
    to: &BeneficiaryAssignment,
    reason: &str,
) -> Result<AuditRecord, AppError> {
    require_reason(reason)?;
    store
        .set_beneficiaries(cds_eac_id, to, reason, &eac_store::os_user())
        .map_err(|e| edit_error(e, to))
}

/// Gives every EAC matching `filter` the assignment, in one transaction,
/// one audit record per EAC that changed.
pub fn bulk_set_beneficiaries(
    store: &mut Store,
    filter: &EacFilter,
    to: &BeneficiaryAssignment,
    reason: &str,
    progress: &dyn Progress,
) -> Result<BulkEditReport, AppError> {
    require_reason(reason)?;
    store
        .bulk_set_beneficiaries(filter, to, reason, &eac_store::os_user(), progress)
        .map_err(|e| edit_error(e, to))
}

fn edit_error(e: eac_store::StoreError, to: &BeneficiaryAssignment) -> AppError {
    let e = AppError::from(e);
    if !e.is_validation() {
        return e;
    }
    let kind = to.beneficiary_type;
    let message = if kind == eac_model::BeneficiaryType::General && !to.beneficiaries.is_empty() {
        "Beneficiary type `general` takes no ids; remove the ids or choose another type. Nothing was changed.".to_owned()
    } else {
        "The beneficiary ids must be unique and not empty; fix the list and try again. Nothing was changed.".to_owned()
    };
    e.with_message(message)
}
