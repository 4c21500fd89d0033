//! Taking things out again: deleting EACs, the list of imports and undoing
//! one. Each is one transaction, audited (the whole EAC before is kept),
//! attributed to the operating-system user, with a dry run that says what
//! would happen so a shell can ask for confirmation naming the count.

use eac_store::{Confirmed, DeleteReport, DeleteTarget, ImportBatch, Progress, Store, UndoReport};

use crate::AppError;

/// A dry run records nothing, so it needs no reason from the person: asking
/// "how many would this delete?" comes before the reason is typed.
fn reason_for(reason: &str, dry_run: bool) -> Result<eac_store::Reason, AppError> {
    if dry_run && reason.trim().is_empty() {
        return Ok(eac_store::Reason::new("dry run (nothing is recorded)")?);
    }
    Ok(eac_store::Reason::new(reason)?)
}

/// Deletes EACs (full or envelope-only) by exact ids or by filter, all or
/// nothing, each with a `delete` audit record. A dry run only counts and
/// needs no reason. Errors: `invalid_input` (reason), `not_found` (`details.cds_eac_ids`: unknown ids; nothing is
/// deleted), `cancelled`, `database`.
pub fn delete_eacs(
    store: &mut Store,
    target: &DeleteTarget,
    reason: &str,
    dry_run: bool,
    progress: &dyn Progress,
) -> Result<DeleteReport, AppError> {
    let reason = reason_for(reason, dry_run)?;
    Ok(store.delete_eacs(target, &reason, &eac_store::os_user(), dry_run, progress)?)
}

/// [`delete_eacs`], not a dry run, refused (`invalid_input`,
/// `details.unconfirmed`: the count; nothing deleted) when it finds more
/// EACs in its own write than `confirmed` allows.
pub fn delete_eacs_confirmed(
    store: &mut Store,
    target: &DeleteTarget,
    reason: &str,
    confirmed: Confirmed,
    progress: &dyn Progress,
) -> Result<DeleteReport, AppError> {
    let reason = reason_for(reason, false)?;
    let user = eac_store::os_user();
    Ok(store.delete_eacs_confirmed(target, &reason, &user, confirmed, progress)?)
}

/// Every import (file or sample load), newest first, with what it did and
/// whether it can still be undone.
pub fn import_batches(store: &Store) -> Result<Vec<ImportBatch>, AppError> {
    Ok(store.import_batches()?)
}

/// Undoes import `batch_id`, all or nothing: removes the EACs it added and
/// gives the EACs it replaced their earlier version back, each with an
/// `undo_import` audit record. Errors: `not_found` (`details.batch_id`),
/// `conflict` (EACs changed after the import, or EACs a later import's
/// document still states, `details.cds_eac_ids`; nothing is changed),
/// `invalid_input` (reason; already undone; an import made before schema
/// 6), `cancelled`, `database`.
pub fn undo_import(
    store: &mut Store,
    batch_id: i64,
    reason: &str,
    dry_run: bool,
    progress: &dyn Progress,
) -> Result<UndoReport, AppError> {
    let reason = reason_for(reason, dry_run)?;
    Ok(store.undo_import(batch_id, &reason, &eac_store::os_user(), dry_run, progress)?)
}

/// [`undo_import`], not a dry run, refused (`invalid_input`,
/// `details.unconfirmed`: the count; nothing changed) when it finds more
/// EACs to remove, restore or unlink in its own write than `confirmed`
/// allows.
pub fn undo_import_confirmed(
    store: &mut Store,
    batch_id: i64,
    reason: &str,
    confirmed: Confirmed,
    progress: &dyn Progress,
) -> Result<UndoReport, AppError> {
    let reason = reason_for(reason, false)?;
    let user = eac_store::os_user();
    Ok(store.undo_import_confirmed(batch_id, &reason, &user, confirmed, progress)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use eac_store::{EacFilter, NoProgress};

    #[test]
    fn a_dry_run_needs_no_reason_but_a_deletion_does() {
        let dir = tempfile::TempDir::new().unwrap();
        let mut store = Store::open(&dir.path().join("d.sqlite")).unwrap();
        let mut eacs = eac_sample::generate(3, 1, eac_sample::SampleOptions::default());
        store.import_eacs("sample", &mut eacs, &NoProgress).unwrap();
        let every = DeleteTarget::Filter(EacFilter::default());
        let plan = delete_eacs(&mut store, &every, "", true, &NoProgress).unwrap();
        assert_eq!((plan.dry_run, plan.deleted), (true, 3));
        let refused = delete_eacs(&mut store, &every, " ", false, &NoProgress).unwrap_err();
        assert_eq!(refused.code, "invalid_input");
        assert_eq!(store.info().unwrap().eac_count, 3, "nothing was deleted");
    }
}
