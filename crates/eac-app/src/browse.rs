//! Reading the open database as the shells show it: its summary, pages of
//! EACs with their totals, one EAC in detail, filter choices and the audit
//! log. Thin on purpose: the store does the work; this is the one surface the
//! CLI and the desktop shell call (they never reach into `eac-store`).

use eac_store::{
    AuditPage, AuditQuery, AuditRecord, BrowseQuery, BrowseSummary, Choice, ChoiceField, DbInfo,
    EacDetail, EacFilter, EacRow, Store,
};

use crate::AppError;

/// Path, counts, schema version and what the store noticed when it opened the file.
pub fn db_info(store: &Store) -> Result<DbInfo, AppError> {
    Ok(store.info()?)
}

/// What the store noticed or repaired when it opened the file (shown once).
pub fn open_warnings(store: &Store) -> &[String] {
    store.warnings()
}

/// One page of EACs: filtered, sorted, `offset`/`limit` (at most
/// [`eac_store::MAX_PAGE`] rows).
pub fn browse(store: &Store, query: &BrowseQuery) -> Result<Vec<EacRow>, AppError> {
    Ok(store.browse(query)?)
}

/// How many EACs match `filter`, with exact totals per unit.
pub fn browse_summary(store: &Store, filter: &EacFilter) -> Result<BrowseSummary, AppError> {
    Ok(store.summary(filter)?)
}

/// One EAC with its values (`not_found` for an unknown id).
pub fn eac_detail(store: &Store, cds_eac_id: &str) -> Result<EacDetail, AppError> {
    Ok(store.detail(cds_eac_id)?)
}

/// The values a filter select offers for `field`.
pub fn choices(store: &Store, field: ChoiceField) -> Result<Vec<Choice>, AppError> {
    Ok(store.choices(field)?)
}

/// Audit records, newest first: of one EAC, or (`None`) of the whole database.
pub fn audit_log(store: &Store, cds_eac_id: Option<&str>) -> Result<Vec<AuditRecord>, AppError> {
    Ok(store.audit_log(cds_eac_id)?)
}

/// [`audit_log`] one record at a time as the database hands them out
/// (memory independent of the log's size); `each` returning
/// `ControlFlow::Break` stops the walk early.
pub fn audit_each(
    store: &Store,
    cds_eac_id: Option<&str>,
    each: &mut dyn FnMut(AuditRecord) -> std::ops::ControlFlow<()>,
) -> Result<(), AppError> {
    match store.audit_each(cds_eac_id, &mut |r| match each(r) {
        std::ops::ControlFlow::Continue(()) => Ok(()),
        std::ops::ControlFlow::Break(()) => Err(eac_store::StoreError::Cancelled),
    }) {
        Err(eac_store::StoreError::Cancelled) => Ok(()),
        other => Ok(other?),
    }
}

/// [`audit_each`] with each record's saved states as written (the whole
/// EAC before and after, for `audit --json`).
pub fn audit_each_with_states(
    store: &Store,
    cds_eac_id: Option<&str>,
    each: &mut dyn FnMut(AuditRecord, eac_store::AuditStates) -> std::ops::ControlFlow<()>,
) -> Result<(), AppError> {
    match store.audit_each_with_states(cds_eac_id, &mut |r, states| match each(r, states) {
        std::ops::ControlFlow::Continue(()) => Ok(()),
        std::ops::ControlFlow::Break(()) => Err(eac_store::StoreError::Cancelled),
    }) {
        Err(eac_store::StoreError::Cancelled) => Ok(()),
        other => Ok(other?),
    }
}

/// One page of the app-wide history: the records `query` selects (who,
/// when, action, EAC), newest first, with their count.
pub fn audit_page(store: &Store, query: &AuditQuery) -> Result<AuditPage, AppError> {
    Ok(store.audit_page(query)?)
}

/// The audit log's hash chain: intact (with its head), or the first record
/// where another program changed, removed, inserted or moved something.
pub fn verify_audit_chain(store: &Store) -> Result<eac_store::ChainReport, AppError> {
    Ok(store.verify_audit_chain()?)
}
