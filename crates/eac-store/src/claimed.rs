//! EACs a recorded claim counts (decision 243): a claim allocates parts of
//! retired EAC values to a beneficiary's consumption, and its report and
//! checks read those values again. A write that would remove such an EAC
//! (a deletion, an undo of the import that added it) or change what the
//! claim counts — its beneficiaries, its period, or any allocated value
//! (quantity, unit, interval, retirement, number) — would leave the claim
//! counting megawatt-hours that are no longer there or no longer the
//! beneficiary's; one that changes what its report and criteria read of
//! the EAC — technology, commissioning date, market, bidding zone — would
//! change its filed figures (the market-based tonnes, RE100's verdicts)
//! without anyone touching the claim. Such a write is refused whole when it ends, naming every
//! EAC and claim, as a closed period refuses one (`periods`); the claim is
//! deleted first (audited), the change made, the claim recorded again.
//! Changes that leave all that as it is (an emission factor, an asset's
//! name, a value that is not allocated) go through.

use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeMap, HashSet};

use eac_model::Eac;

use crate::db::Db;
use crate::rows;
use crate::write::Write;
use crate::{Result, StoreError};

/// EACs named in a refusal; the rest are counted.
const MAX_NAMED: usize = 50;

/// How many `eacdesk claims delete` commands a refusal writes out (the
/// other claims it names by number).
const MAX_COMMANDS: usize = 5;

/// Characters of an id a refusal shows.
const ID_CHARS: usize = 200;

/// What one write found about claimed EACs: the ids of every EAC a
/// recorded claim allocates (read once, at the first EAC it removes or
/// replaces) and every change it would make to one, in order, once each.
#[derive(Debug, Default)]
pub(crate) struct Guard {
    claimed: OnceCell<HashSet<String>>,
    hits: RefCell<Vec<Hit>>,
}

#[derive(Debug)]
struct Hit {
    cds_eac_id: String,
    /// The claims allocating its values (number, name), by number.
    claims: Vec<(i64, String)>,
    /// Removed: the EAC as it was and the positions of its claimed
    /// values, so that putting the same EAC back in the same write (an
    /// undo restoring the version a claim counts) takes the hit back.
    removed: Option<(Eac, Vec<i64>)>,
}

impl Guard {
    fn claimed(&self, db: &dyn Db) -> Result<&HashSet<String>> {
        if let Some(found) = self.claimed.get() {
            return Ok(found);
        }
        let loaded: HashSet<String> = db
            .collect(
                "SELECT DISTINCT cds_eac_id FROM claim_allocations",
                &[],
                |r| Ok(r.get(0)?),
            )?
            .into_iter()
            .collect();
        Ok(self.claimed.get_or_init(|| loaded))
    }

    /// The write's outcome, or the refusal when it would remove or change
    /// what a recorded claim counts (a cancel stays a cancel).
    pub(crate) fn settle<T>(&self, out: Result<T>) -> Result<T> {
        let hits = self.hits.borrow();
        if hits.is_empty() || matches!(out, Err(StoreError::Cancelled)) {
            return out;
        }
        Err(refusal(&hits))
    }

    fn hit(&self, db: &dyn Db, cds_eac_id: &str, removed: Option<(Eac, Vec<i64>)>) -> Result<()> {
        let mut hits = self.hits.borrow_mut();
        if hits.iter().any(|h| h.cds_eac_id == cds_eac_id) {
            return Ok(());
        }
        let claims = db.collect(
            "SELECT DISTINCT c.id, c.name FROM claim_allocations a
               JOIN claims c ON c.id = a.claim_id
              WHERE a.cds_eac_id = ?1 ORDER BY c.id",
            &[&cds_eac_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        hits.push(Hit {
            cds_eac_id: cds_eac_id.to_owned(),
            claims,
            removed,
        });
        Ok(())
    }
}

/// The stored EAC in `eacs` row `row` is about to be removed: noted when a
/// recorded claim counts its values.
pub(crate) fn check_removed(w: &Write, row: i64) -> Result<()> {
    check_removed_many(w, &[row])
}

/// [`check_removed`] of several rows (one query on a server).
pub(crate) fn check_removed_many(w: &Write, rows: &[i64]) -> Result<()> {
    let guard = w.claims();
    if rows.is_empty() || guard.claimed(w.db())?.is_empty() {
        return Ok(());
    }

    let sql = format!(
        "SELECT id, cds_eac_id FROM eacs WHERE id IN ({}) ORDER BY cds_eac_id",
        rows::numbered_marks(rows.len())
    );
    let params: Vec<&dyn rusqlite::ToSql> =
        rows.iter().map(|r| r as &dyn rusqlite::ToSql).collect();
    let found: Vec<(i64, String)> = w
        .db()
        .collect(&sql, &params, |r| Ok((r.get(0)?, r.get(1)?)))?;
    for (row, id) in found {
        hit_removed(w, row, &id)?;
    }
    Ok(())
}

/// Notes the removal of the stored EAC `cds_eac_id` (in `eacs` row `row`)
/// when a recorded claim counts it and it is not noted yet, with what the
/// claim counts of it (read only then).
fn hit_removed(w: &Write, row: i64, cds_eac_id: &str) -> Result<()> {
    let guard = w.claims();
    if !guard.claimed(w.db())?.contains(cds_eac_id)
        || guard
            .hits
            .borrow()
            .iter()
            .any(|h| h.cds_eac_id == cds_eac_id)
    {
        return Ok(());
    }
    let stored = rows::load_eac_by_id(w.db(), row)?;
    let positions = claimed_positions(w.db(), cds_eac_id)?;
    guard.hit(w.db(), cds_eac_id, Some((stored, positions)))
}

/// [`check_removed`] of the stored EACs `ids` (by `cds_eac_id`; unknown
/// ones ignored): a dry run of a deletion is refused as the deletion is.
pub(crate) fn check_removed_ids(w: &Write, ids: &[&str]) -> Result<()> {
    let guard = w.claims();
    if guard.claimed(w.db())?.is_empty() {
        return Ok(());
    }
    for id in ids {
        if guard.claimed(w.db())?.contains(*id) {
            if let Some(stored) = rows::find(w, id)? {
                hit_removed(w, stored.id, id)?;
            }
        }
    }
    Ok(())
}

/// An EAC removed earlier in this write is put back as `eac` (an undo
/// restoring an earlier version): when it holds what the claims count as
/// the removed one did, the removal is no longer a change to them.
pub(crate) fn check_restored(w: &Write, eac: &Eac) -> Result<()> {
    let mut hits = w.claims().hits.borrow_mut();
    let at = hits.iter().position(|h| {
        h.cds_eac_id == eac.cds_eac_id
            && h.removed
                .as_ref()
                .is_some_and(|(stored, positions)| !changes_what_is_claimed(stored, eac, positions))
    });
    if let Some(at) = at {
        hits.remove(at);
    }
    Ok(())
}

/// The recorded claims (number, name) an undo would change by taking the
/// stored EAC `cds_eac_id` (in `eacs` row `row`) out and putting `earlier`
/// back in its place (`None`: nothing), as a write's guard finds it
/// ([`check_removed`], then [`check_restored`]); empty when none would
/// change. For a reader that writes nothing (the list of imports).
pub(crate) fn undo_changes(
    db: &dyn Db,
    row: i64,
    cds_eac_id: &str,
    earlier: Option<&Eac>,
) -> Result<Vec<(i64, String)>> {
    let positions = claimed_positions(db, cds_eac_id)?;
    if positions.is_empty() {
        return Ok(Vec::new());
    }
    if let Some(earlier) = earlier {
        let stored = rows::load_eac_by_id(db, row)?;
        if !changes_what_is_claimed(&stored, earlier, &positions) {
            return Ok(Vec::new());
        }
    }
    db.collect(
        "SELECT DISTINCT c.id, c.name FROM claim_allocations a
           JOIN claims c ON c.id = a.claim_id
          WHERE a.cds_eac_id = ?1 ORDER BY c.id",
        &[&cds_eac_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// The positions (from 0) of the values of EAC `cds_eac_id` a recorded
/// claim allocates.
fn claimed_positions(db: &dyn Db, cds_eac_id: &str) -> Result<Vec<i64>> {
    db.collect(
        "SELECT DISTINCT position FROM claim_allocations WHERE cds_eac_id = ?1 ORDER BY position",
        &[&cds_eac_id],
        |r| Ok(r.get(0)?),
    )
}

/// The stored EAC in `eacs` row `row` is about to become `newer` (an
/// import's newer version, fields set, beneficiaries changed, an undo's
/// earlier version): noted when a recorded claim counts its values and
/// the change touches what it counts.
pub(crate) fn check_replaced(w: &Write, row: i64, newer: &Eac) -> Result<()> {
    let guard = w.claims();
    if !guard.claimed(w.db())?.contains(&newer.cds_eac_id) {
        return Ok(());
    }
    let stored = rows::load_eac_by_id(w.db(), row)?;
    let positions = claimed_positions(w.db(), &newer.cds_eac_id)?;
    if changes_what_is_claimed(&stored, newer, &positions) {
        guard.hit(w.db(), &newer.cds_eac_id, None)?;
    }
    Ok(())
}

/// Whether `newer` differs from `stored` in what a claim allocating the
/// values at `positions` (from 0) counts: the beneficiaries, the period
/// (the interval of a value without its own), one of those values in any
/// field (quantity, unit, interval, retirement, number), or a fact the
/// claim's report and criteria read of the EAC — its technology (the
/// market-based figure, `re100.renewable`), the asset's commissioning
/// date (`re100.vintage`), its market and bidding zone, and its number
/// where a claimed value has none of its own.
fn changes_what_is_claimed(stored: &Eac, newer: &Eac, positions: &[i64]) -> bool {
    stored.beneficiary_type != newer.beneficiary_type
        || stored.beneficiaries != newer.beneficiaries
        || stored.period_start != newer.period_start
        || stored.period_end != newer.period_end
        || stored.technology_type != newer.technology_type
        || stored.asset_commissioned != newer.asset_commissioned
        || stored.claim_market() != newer.claim_market()
        || stored.claim_bidding_zone() != newer.claim_bidding_zone()
        || positions.iter().any(|p| {
            let at = usize::try_from(*p).unwrap_or(usize::MAX);
            let (before, after) = (stored.values.get(at), newer.values.get(at));
            before != after
                || (before.is_some_and(|v| v.eac_number.is_none())
                    && stored.eac_number != newer.eac_number)
        })
}

/// What to delete before a change recorded claims `numbers` (not empty)
/// stand in the way of, after "Delete " or "delete ": "the claim first
/// (`eacdesk claims delete 1 --reason …`, or Claims → Delete…)", or for
/// several "all 2 claims first (`eacdesk claims delete 1 --reason … &&
/// eacdesk claims delete 2 --reason …`, or Claims → Delete… for each)":
/// every claim as one line to run (the first few, the others by number).
/// Naming only the first left the change refused again for the next.
pub(crate) fn delete_first(numbers: &[i64]) -> String {
    let run = numbers
        .iter()
        .take(MAX_COMMANDS)
        .map(|id| format!("eacdesk claims delete {id} --reason …"))
        .collect::<Vec<_>>()
        .join(" && ");
    if numbers.len() <= 1 {
        return format!("the claim first (`{run}`, or Claims → Delete…)");
    }
    let rest: Vec<String> = numbers
        .iter()
        .skip(MAX_COMMANDS)
        .map(|id| format!("#{id}"))
        .collect();
    format!(
        "all {} claims first (`{run}`, or Claims → Delete… for each{})",
        numbers.len(),
        if rest.is_empty() {
            String::new()
        } else {
            format!("; then {} the same way", rest.join(", "))
        }
    )
}

/// The refusal naming the EACs and the claims counting them.
fn refusal(hits: &[Hit]) -> StoreError {
    let mut claims: BTreeMap<i64, &str> = BTreeMap::new();
    for (id, name) in hits.iter().flat_map(|h| &h.claims) {
        claims.insert(*id, name);
    }
    let claim_words: Vec<String> = claims
        .iter()
        .map(|(id, name)| format!("#{id} ({})", eac_model::quote(name)))
        .collect();
    let ids: Vec<String> = hits.iter().map(|h| h.cds_eac_id.clone()).collect();
    let named = eac_model::words::first_named(
        ids.iter()
            .map(|id| format!("`{}`", eac_model::cap(id, ID_CHARS))),
        MAX_NAMED,
        ids.len(),
    );
    let what = match (
        hits.iter().all(|h| h.removed.is_some()),
        hits.iter().any(|h| h.removed.is_some()),
    ) {
        (true, _) => "removing",
        (false, true) => "removing or changing",
        (false, false) => "changing",
    };
    let one_claim = claims.len() == 1;
    let by = if one_claim {
        format!("recorded claim {}", claim_words[0])
    } else {
        format!("recorded claims {}", claim_words.join(", "))
    };
    let subject = if ids.len() == 1 {
        format!("EAC {named} is counted by {by}")
    } else {
        format!("{} EACs are counted by {by}: {named}", ids.len())
    };
    let them = if ids.len() == 1 { "it" } else { "them" };
    let numbers: Vec<i64> = claims.keys().copied().collect();
    let (the_claims, count, its_report) = if one_claim {
        ("the claim", "counts", "its report reads")
    } else {
        ("the claims", "count", "their reports read")
    };
    let delete = delete_first(&numbers);
    StoreError::Conflict {
        message: format!(
            "{subject}; {what} {them} would change what {the_claims} {count} (beneficiaries, \
             period or allocated values) or what {its_report} of {them} (technology, \
             commissioning date, market, bidding zone), so nothing was changed. Delete {delete}, \
             make the change, then record {the_claims} again."
        ),
        ids,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_claimed_values_beneficiaries_and_period_matter() {
        let mut sample = eac_sample::generate(30, 4, eac_sample::SampleOptions::default());
        let stored = sample
            .find(|e| e.values.len() > 2 && e.beneficiary_type.is_some())
            .expect("a sample EAC with several values");
        let claimed = [1];
        let same = stored.clone();
        assert!(!changes_what_is_claimed(&stored, &same, &claimed));
        // A value no claim allocates, the asset's name: free.
        let mut other_value = stored.clone();
        other_value.values[0].eac_number = Some("X-1".into());
        other_value.asset_id.push_str(" (renamed)");
        assert!(!changes_what_is_claimed(&stored, &other_value, &claimed));
        // The claimed value, the beneficiaries, the period, a value gone.
        let mut value = stored.clone();
        value.values[1].eac_number = Some("X-2".into());
        assert!(changes_what_is_claimed(&stored, &value, &claimed));
        let mut beneficiaries = stored.clone();
        beneficiaries.beneficiaries = vec!["SOMEONE-ELSE".into()];
        assert!(changes_what_is_claimed(&stored, &beneficiaries, &claimed));
        let mut period = stored.clone();
        period.period_end = period.period_start;
        assert!(changes_what_is_claimed(&stored, &period, &claimed));
        let mut fewer = stored.clone();
        fewer.values.truncate(1);
        assert!(changes_what_is_claimed(&stored, &fewer, &claimed));
    }
}
