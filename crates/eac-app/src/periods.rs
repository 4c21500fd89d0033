//! Closed reporting periods: closing a filed span of days freezes its EACs
//! (every change to them is refused with `frozen` until it is reopened)
//! and holds the recorded claims and consumption over its days, reopening
//! lifts it; both are audited with the operating-system user
//! and a reason.

use eac_model::{Date, TimeError};
use eac_store::{ClosedPeriod, Reason, Store};

use crate::AppError;

/// A date the person typed, as `--from` / `--to` (`what`), refused in
/// plain words with the calendar's reason when it names one ("`2023-02-29`
/// is not a date: February 2023 has 28 days", as the CLI's filters say it:
/// [`eac_model::TimeError::not_a_day`]); `tail` ends the sentence (" Nothing
/// was changed.", or empty). Claims read their days here too.
pub(crate) fn typed_day(what: &str, text: &str, tail: &str) -> Result<Date, AppError> {
    Date::parse(text.trim()).map_err(|e| {
        AppError::invalid_input(match e {
            // The filters' words, the calendar's reason kept.
            TimeError::NoSuch(..) => format!("{what} {}.{tail}", e.not_a_day("")),
            _ => format!(
                "{what} `{}` is not a date; write it as YYYY-MM-DD (2024-12-31).{tail}",
                eac_model::quote(text)
            ),
        })
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
    let from = typed_day("The first day (--from)", from, " Nothing was changed.")?;
    let to = typed_day("The last day (--to)", to, " Nothing was changed.")?;
    let reason = Reason::new(reason)?;
    Ok(store.close_period(from, to, &reason, &eac_store::os_user())?)
}

/// What a closed period holds besides its EACs (docs/claims.md, "Closed
/// periods"): the recorded claims whose days share one with it and the
/// stored consumption rows sharing an instant with its days. Deleting,
/// recording or importing any of them is refused while it is closed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PeriodHolds {
    /// The recorded claims' numbers, lowest first.
    pub claims: Vec<i64>,
    pub consumption_rows: usize,
}

/// [`PeriodHolds`] of period `p`: said beside its EACs when it is closed,
/// so "0 EACs frozen" never reads as nothing held.
pub fn period_holds(store: &Store, p: &ClosedPeriod) -> Result<PeriodHolds, AppError> {
    let (Ok(from), Ok(to)) = (Date::parse(&p.from), Date::parse(&p.to)) else {
        return Ok(PeriodHolds {
            claims: Vec::new(),
            consumption_rows: 0,
        });
    };
    // Days as `YYYY-MM-DD` compare as text; a claim's are stored so.
    let mut claims: Vec<i64> = store
        .claims()?
        .into_iter()
        .filter(|c| c.from.as_str() <= p.to.as_str() && c.to.as_str() >= p.from.as_str())
        .map(|c| c.id)
        .collect();
    claims.sort_unstable();
    Ok(PeriodHolds {
        claims,
        consumption_rows: store.consumption_rows_over(from, to)?,
    })
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
