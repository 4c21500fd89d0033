//! Closed reporting periods: closing a filed span of days freezes its EACs
//! (every change to them is refused with `frozen` until it is reopened),
//! reopening lifts it; both are audited with the operating-system user
//! and a reason.

use eac_model::Date;
use eac_store::{ClosedPeriod, Reason, Store};

use crate::AppError;

/// A date the person typed, as `--from` / `--to` (`what`).
fn day(what: &str, text: &str) -> Result<Date, AppError> {
    Date::parse(text.trim()).map_err(|_| {
        AppError::invalid_input(format!(
            "{what} `{}` is not a date; write it as YYYY-MM-DD (2024-12-31). Nothing was changed.",
            eac_model::quote(text)
        ))
    })
}

/// Closes the days `from`..=`to` (`YYYY-MM-DD`, inclusive, UTC): every EAC
/// whose period lies inside is frozen. Errors: `invalid_input` (a date,
/// `to` before `from`, the reason, the same days already closed),
/// `database`.
pub fn close_period(
    store: &mut Store,
    from: &str,
    to: &str,
    reason: &str,
) -> Result<ClosedPeriod, AppError> {
    let from = day("The first day (--from)", from)?;
    let to = day("The last day (--to)", to)?;
    let reason = Reason::new(reason)?;
    Ok(store.close_period(from, to, &reason, &eac_store::os_user())?)
}

/// Reopens closed period `id`: its EACs can be changed again. Errors:
/// `not_found` (`details.period_ids`), `invalid_input` (the reason; already
/// reopened), `database`.
pub fn reopen_period(store: &mut Store, id: i64, reason: &str) -> Result<ClosedPeriod, AppError> {
    let reason = Reason::new(reason)?;
    Ok(store.reopen_period(id, &reason, &eac_store::os_user())?)
}

/// Every closed period, in effect or reopened (who, when, why), by first day.
pub fn closed_periods(store: &Store) -> Result<Vec<ClosedPeriod>, AppError> {
    Ok(store.closed_periods()?)
}

/// The closed periods freezing one EAC (empty: it can be changed), so a
/// shell can disable its edit controls and say why. Errors: `not_found`.
pub fn frozen_by(store: &Store, cds_eac_id: &str) -> Result<Vec<ClosedPeriod>, AppError> {
    Ok(store.frozen_by(cds_eac_id)?)
}
