//! Audited beneficiary edits, and the audit log every mutation appends to.
//! Each change updates the EAC, bumps its `cds_modified` and appends an
//! audit record through the caller's [`Write`], so both commit or neither.

use std::time::Instant;

use eac_model::{check_beneficiaries, BeneficiaryType, Eac, Timestamp};
use rusqlite::types::Value;

use serde::{Deserialize, Serialize};

use crate::db::{Db, DbRow, Kind};
use crate::emissions::EmissionFactors;
use crate::query::{like_escape, Sql};
use crate::rows;
use crate::write::{Reason, Write};
use crate::{
    AuditAction, AuditPage, AuditQuery, AuditRecord, BeneficiaryAssignment, BulkEditReport,
    EacFilter, Progress, Result, StoreError,
};

const ACTION: AuditAction = AuditAction::SetBeneficiaries;
const EMISSIONS_ACTION: AuditAction = AuditAction::SetEmissions;

/// Rules 4 and 17 on the new assignment; before any write.
pub(crate) fn validate(label: &str, to: &BeneficiaryAssignment) -> Result<()> {
    let violations = check_beneficiaries(to.beneficiary_type, &to.beneficiaries);
    if !violations.is_empty() {
        return Err(StoreError::Rules {
            file: label.to_owned(),
            violations,
        });
    }
    Ok(())
}

/// Who the EAC is attributed to; `None` while its beneficiary type is
/// missing (a registry import not completed yet).
pub(crate) fn assignment(eac: &Eac) -> Option<BeneficiaryAssignment> {
    Some(BeneficiaryAssignment {
        beneficiary_type: eac.beneficiary_type?,
        beneficiaries: eac.beneficiaries.clone(),
    })
}

/// An audit record (alias `a`) of a review: a beneficiary or emission
/// edit that gave the EAC what it held (decision 15). It records the
/// person's review and changes no data: the EAC keeps its version and
/// `cds_modified`, an undo of the import before it is not blocked, and a
/// conflict never names it as the change.
pub(crate) const REVIEW: &str =
    r#"(a.action IN ('set_beneficiaries', 'set_emissions') AND a."before" = a."after")"#;

/// Optimistic concurrency (issue 17): refuses a change made on version
/// `seen` of the EAC in row `id` when it has a later version now, naming
/// the last change recorded for it (who, when, what), or saying that
/// `seen` was never its version. `None`: no check (a script that did not
/// read the EAC first). `lock`: on a server the row stays locked until the
/// write ends (the change itself); a dry run reads the version without
/// locking, so a role that only reads gets the same refusal.
pub(crate) fn check_seen(
    w: &Write,
    id: i64,
    cds_eac_id: &str,
    seen: Option<i64>,
    lock: bool,
) -> Result<()> {
    let Some(seen) = seen else {
        return Ok(());
    };
    // On a server the row stays locked until the write ends: a second desk
    // saving the same EAC waits here, then sees this write's version.
    let db = w.db();
    let sql = match (db.kind(), lock) {
        (Kind::Postgres, true) => "SELECT version, eac_number FROM eacs WHERE id = ?1 FOR UPDATE",
        _ => "SELECT version, eac_number FROM eacs WHERE id = ?1",
    };
    let (now, number): (i64, Option<String>) =
        db.query_row(sql, &[&id], |row| Ok((row.get(0)?, row.get(1)?)))?;
    if now == seen {
        return Ok(());
    }
    // As the detail pane's header names it: its certificate number when it
    // has one, with the id scripts use.
    let named = match number.filter(|n| !n.is_empty()) {
        Some(number) => format!(
            "{} (id {})",
            eac_model::quote(&number),
            eac_model::quote(cds_eac_id)
        ),
        None => eac_model::quote(cds_eac_id),
    };
    type Last = (String, String, Option<String>, String, Option<String>);
    let last: Option<Last> = db.query_opt(
        &format!(
            "SELECT a.at, a.os_user, a.display_name, a.action, a.server_login FROM audit_log a
              WHERE a.cds_eac_id = ?1 AND a.action <> 'verify' AND NOT {REVIEW}
              ORDER BY a.id DESC LIMIT 1"
        ),
        &[&cds_eac_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
    )?;
    // Versions only grow, and every change after an EAC is stored is
    // audited: a version above its own, or any other while no change is
    // recorded, was never this EAC's.
    let last = match last {
        Some(last) if seen < now => last,
        _ => {
            return Err(StoreError::Conflict {
                message: format!(
                    "Version {seen} was never a version of EAC {named}: it is at version \
                     {now}; nothing was changed. Give the version it has now (`version` in \
                     `eacdesk show {cds_eac_id} --json`)"
                ),
                ids: vec![cds_eac_id.to_owned()],
            });
        }
    };
    let (at, os_user, name, action, login) = last;
    let who = crate::periods::who_logged_in(&os_user, name.as_deref(), login.as_deref());
    // To the second, in UTC, as people read it.
    let when = at.get(..19).unwrap_or(&at).replace('T', " ");
    let change = format!("{} by {who} at {when} UTC", change_words(&action));
    Err(StoreError::ChangedSince(crate::ChangedSince {
        named,
        cds_eac_id: cds_eac_id.to_owned(),
        seen,
        change,
        removed: false,
    }))
}

/// The refusal of an edit made on version `seen` of an EAC that is not
/// stored, when the audit log's last record of it removed it: another desk
/// or window deleted it, undid the import that added it, or had it replaced
/// by the bundles a registry document split it into, after the person saw
/// it. Said as a change since ([`StoreError::ChangedSince`], `removed`),
/// naming who removed it, when and why, never as an id to check or a file
/// to import. `None` (the caller says the id is not found): no version was
/// seen, or no removal is recorded (an id never stored here).
pub(crate) fn removed_since(
    db: &dyn Db,
    cds_eac_id: &str,
    seen: Option<i64>,
) -> Result<Option<StoreError>> {
    let Some(seen) = seen else {
        return Ok(None);
    };
    type Last = (
        String,
        String,
        Option<String>,
        String,
        String,
        Option<String>,
    );
    let last: Option<Last> = db.query_opt(
        &format!(
            "SELECT a.at, a.os_user, a.display_name, a.action, a.reason, a.server_login
               FROM audit_log a
              WHERE a.cds_eac_id = ?1 AND a.action <> 'verify' AND NOT {REVIEW}
              ORDER BY a.id DESC LIMIT 1"
        ),
        &[&cds_eac_id],
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        },
    )?;
    let Some((at, os_user, name, action, reason, login)) = last else {
        return Ok(None);
    };
    let removal = match AuditAction::parse(&action) {
        Some(AuditAction::Delete) => "it was deleted",
        Some(AuditAction::UndoImport) => "the import that had added it was undone",
        Some(AuditAction::ImportReplace) => {
            "an import replaced it by the bundles a registry document split it into"
        }
        _ => return Ok(None),
    };
    let who = crate::periods::who_logged_in(&os_user, name.as_deref(), login.as_deref());
    let when = at.get(..19).unwrap_or(&at).replace('T', " ");
    Ok(Some(StoreError::ChangedSince(crate::ChangedSince {
        named: eac_model::quote(cds_eac_id),
        cds_eac_id: cds_eac_id.to_owned(),
        seen,
        change: format!(
            "{removal} by {who} at {when} UTC: “{}”",
            eac_model::quote(&reason)
        ),
        removed: true,
    })))
}

/// How the refusal of an edit to an EAC changed since the person saw it
/// ([`StoreError::ChangedSince`]) ends in the app's words (its detail pane
/// reloads). The command line, which has no pane to reload, says its own
/// steps after [`crate::ChangedSince::head`] instead.
pub const RELOAD_ADVICE: &str = "Reload it to see the change, then make your edit again";

/// What the refusal of an edit to an EAC changed since the person saw it
/// says happened, in the app's words (the person opened the EAC in its
/// detail pane). The command line, where nothing was opened, says it of
/// the version given with `--if-version` instead.
pub const CHANGED_SINCE_OPENED: &str = "was changed after you opened it";

/// What the refusal of an edit to an EAC removed since the person saw it
/// ([`crate::ChangedSince::removed`]: deleted, or its import undone) says
/// happened, in the app's words; the command line says it of the version
/// given with `--if-version` instead.
pub const REMOVED_SINCE_OPENED: &str = "was removed after you opened it";

/// How the refusal of an edit to an EAC removed since the person saw it
/// ends in the app's words: there is nothing to reload or edit again.
pub const REMOVED_ADVICE: &str =
    "It is no longer in this database (its history stays in the audit log); import it again to edit it";

/// Whether a change of EACs found in its own write (a filter's matches:
/// `beneficiaries set`, `set`, `delete`, `verify`) was confirmed for the
/// number it finds there. Checked under the write lock (on a server, with
/// the EACs locked), on the EACs it would write: the count that decides is
/// the one written, never one taken before, which another program may have
/// made untrue meanwhile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmed {
    /// Confirmed (`--yes`, the app's dialog): any number.
    Yes,
    /// Not confirmed: at most this many EACs; more is refused with
    /// [`StoreError::Unconfirmed`], nothing written.
    AtMost(usize),
}

impl Confirmed {
    /// Refuses `found` EACs more than it allows, before anything is
    /// written.
    pub(crate) fn check(self, found: usize) -> Result<()> {
        match self {
            Confirmed::AtMost(at_most) if found > at_most => {
                Err(StoreError::Unconfirmed { found, at_most })
            }
            _ => Ok(()),
        }
    }
}

/// The EAC `beneficiaries set` (or its dry run) changes: not found is said
/// of an EAC the store holds only by its P2 envelope as such
/// ([`refuse_envelope_only`]), and of one removed since version `seen` as
/// that removal ([`removed_since`]).
pub(crate) fn load_to_assign(
    db: &dyn Db,
    cds_eac_id: &str,
    seen: Option<i64>,
) -> Result<(i64, Eac)> {
    load_to_edit(
        db,
        cds_eac_id,
        seen,
        "`beneficiaries set`",
        "change its beneficiaries",
    )
}

/// The EAC an edit by `command` made on version `seen` changes: one the
/// store holds only by its P2 envelope is refused as such
/// ([`refuse_envelope_only`]), and one removed since `seen` as a conflict
/// naming the removal ([`removed_since`]), not said to be missing.
pub(crate) fn load_to_edit(
    db: &dyn Db,
    cds_eac_id: &str,
    seen: Option<i64>,
    command: &str,
    to_do: &str,
) -> Result<(i64, Eac)> {
    match crate::rows::load_eac(db, cds_eac_id) {
        Err(StoreError::NotFound(_)) => {
            refuse_envelope_only(db, &[cds_eac_id.to_owned()], command, to_do)?;
            if let Some(removed) = removed_since(db, cds_eac_id, seen)? {
                return Err(removed);
            }
            Err(StoreError::NotFound(cds_eac_id.to_owned()))
        }
        found => found,
    }
}

/// Refuses an edit by `command` of the EACs `ids` the store holds only by
/// their P2 envelope (detail data in another format than ours): an
/// `InvalidInput` naming them and what to do, rather than "there is no EAC
/// with id …" of an EAC a P2 export holds. Other ids pass.
pub(crate) fn refuse_envelope_only(
    db: &dyn Db,
    ids: &[String],
    command: &str,
    to_do: &str,
) -> Result<()> {
    let mut envelopes = Vec::new();
    for id in ids {
        let sql = "SELECT 1 FROM eac_envelopes WHERE cds_eac_id = ?1";
        if db.query_opt(sql, &[id], |_| Ok(()))?.is_some() {
            envelopes.push(format!("`{id}`"));
        }
    }
    if envelopes.is_empty() {
        return Ok(());
    }
    let one = envelopes.len() == 1;
    Err(StoreError::InvalidInput(format!(
        "{} {} known only by {} P2 envelope ({} detail data {} in a format other than EAC Desk's, \
         which is kept as the link the envelope gives, not read), so {command} cannot {to_do}; \
         a P2 export writes {} as imported. Nothing was changed.",
        envelopes.join(", "),
        if one { "is" } else { "are" },
        if one { "its" } else { "their" },
        if one { "its" } else { "their" },
        if one { "is" } else { "are" },
        if one { "it" } else { "them" },
    )))
}

/// An audit action in the words of a conflict message.
fn change_words(action: &str) -> &'static str {
    match AuditAction::parse(action) {
        Some(AuditAction::SetBeneficiaries) => "its beneficiaries were changed",
        Some(AuditAction::SetEmissions) => "its emission factors were set",
        Some(AuditAction::SetFields) => "its fields were set",
        Some(AuditAction::ImportReplace) => "an import replaced it",
        Some(AuditAction::UndoImport) => "an import was undone",
        Some(AuditAction::Delete) => "it was deleted and stored again",
        Some(AuditAction::ImportReadd) => "an import stored it again after its removal",
        _ => "it was changed",
    }
}

/// The `cds_modified` an EAC modified at `current` gets from a change made
/// at `at` (an edit, a bulk edit, a registry restatement): the later of
/// `at` and `current` plus one nanosecond, the smallest step the stored
/// text (nine fractional digits) keeps. It is always later than `current`,
/// also when `current` is in the future (a source dated ahead), so a P2
/// reader that keeps the later `cds_modified` takes the change, and a
/// re-import of the original file never undoes it. Refused when `current`
/// is the last instant RFC 3339 can write.
pub(crate) fn modified_after(current: Timestamp, at: Timestamp) -> Result<Timestamp> {
    let next = current
        .as_utc()
        .checked_add_signed(chrono::TimeDelta::nanoseconds(1))
        .filter(|t| chrono::Datelike::year(t) <= 9999)
        .map(Timestamp::from_utc)
        .ok_or_else(|| {
            StoreError::InvalidInput(format!(
                "EAC's `cds_modified` is {current}, the last instant RFC 3339 can write, so a \
                 change cannot be given a later one; nothing was changed. Import the EAC again \
                 with an earlier `cds_modified`, then make the change"
            ))
        })?;
    Ok(next.max(at))
}

/// Gives the stored EAC (row `id`, currently `eac`) the assignment `to` and
/// records the change. `cds_modified` moves forward ([`modified_after`]).
/// An EAC that has `to` already is left as it is (its version and
/// `cds_modified` too) and the review is recorded (decision 15, [`REVIEW`]),
/// after the same refusals as a change (a closed period, a recorded claim).
pub(crate) fn apply(
    w: &Write,
    id: i64,
    mut eac: Eac,
    to: &BeneficiaryAssignment,
    reason: &Reason,
    os_user: &str,
) -> Result<AuditRecord> {
    let before = assignment(&eac);
    if is_assigned(&eac, to) {
        // A review (decision 319): the EAC is not written, so the checks
        // its row write would pass are made here.
        crate::periods::check(w, &eac.cds_eac_id, &eac.period_start, &eac.period_end)?;
        crate::claimed::check_replaced(w, id, &eac)?;
    } else {
        eac.beneficiary_type = Some(to.beneficiary_type);
        eac.beneficiaries = to.beneficiaries.clone();
        eac.cds_modified = modified_after(eac.cds_modified, w.at())?;
        rows::update_beneficiaries(w, id, &eac)?;
    }
    record(
        w,
        &eac.cds_eac_id,
        AuditChange::Beneficiaries {
            before,
            after: to.clone(),
        },
        assignment(&eac),
        reason,
        os_user,
    )
}

/// Gives every EAC `filter` matches the assignment `to` (those already
/// holding it are left as they are), audited, in the caller's write; with
/// `dry_run` it only checks and counts, changing nothing: the closed
/// periods and recorded claims are asked about each EAC it would change,
/// as the edit itself asks, and nothing is locked. More matching EACs
/// than `confirmed` allows are refused before any is written.
#[allow(clippy::too_many_arguments)]
pub(crate) fn bulk(
    w: &Write,
    filter: &EacFilter,
    to: &BeneficiaryAssignment,
    reason: &Reason,
    os_user: &str,
    progress: &dyn Progress,
    dry_run: bool,
    confirmed: Confirmed,
) -> Result<BulkEditReport> {
    // The matching ids first (the edit may change what the filter
    // matches), locked before any of them is read.
    let ids = crate::lock::matching(w, filter, !dry_run)?;
    let matching = ids.len();
    confirmed.check(matching)?;
    let total = matching as u64;
    let mut changed = 0;
    let mut last_progress = Instant::now();
    for (done, id) in ids.into_iter().enumerate() {
        if progress.is_cancelled() {
            return Err(StoreError::Cancelled);
        }
        let eac = rows::load_eac_by_id(w, id)?;
        if !is_assigned(&eac, to) {
            if dry_run {
                let mut after = eac;
                after.beneficiary_type = Some(to.beneficiary_type);
                after.beneficiaries = to.beneficiaries.clone();
                crate::periods::check(
                    w,
                    &after.cds_eac_id,
                    &after.period_start,
                    &after.period_end,
                )?;
                crate::claimed::check_replaced(w, id, &after)?;
            } else {
                apply(w, id, eac, to, reason, os_user)?;
            }
            changed += 1;
        }
        if last_progress.elapsed() >= crate::import::PROGRESS_EVERY {
            last_progress = Instant::now();
            progress.update(crate::Phase::BulkEdit, done as u64 + 1, Some(total));
        }
    }
    if progress.is_cancelled() {
        return Err(StoreError::Cancelled);
    }
    progress.update(crate::Phase::BulkEdit, total, Some(total));
    Ok(BulkEditReport { changed, matching })
}

/// What one audit record changed.
pub(crate) enum AuditChange {
    Beneficiaries {
        before: Option<BeneficiaryAssignment>,
        after: BeneficiaryAssignment,
    },
    /// The assignment (unchanged) is recorded too, so every record says who
    /// the EAC was attributed to.
    Emissions {
        before: EmissionFactors,
        after: EmissionFactors,
    },
}

/// One stored side of a change (the `before`/`after` columns): the
/// assignment, plus the emission factors for `set_emissions` and
/// `cds_synced` for `verify` (absent keys in other records). `null` when
/// the EAC did not exist on that side.
#[derive(Serialize, Deserialize)]
pub(crate) struct AuditSide {
    /// Absent while the EAC has no beneficiary type (incomplete).
    #[serde(flatten)]
    pub assignment: Option<BeneficiaryAssignment>,
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub emissions: Option<EmissionFactors>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cds_synced: Option<String>,
    /// `period_close` / `period_reopen`: the closed period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<crate::periods::PeriodSide>,
}

impl AuditSide {
    pub fn of(assignment: Option<BeneficiaryAssignment>) -> Self {
        AuditSide {
            assignment,
            emissions: None,
            cds_synced: None,
            period: None,
        }
    }
}

/// One audit record to append.
pub(crate) struct AuditEntry<'a> {
    pub cds_eac_id: &'a str,
    pub action: AuditAction,
    pub before: Option<AuditSide>,
    pub after: Option<AuditSide>,
    /// Whole states ([`crate::history`]'s JSON text), when kept.
    pub before_state: Option<String>,
    pub after_state: Option<String>,
    pub reason: &'a Reason,
    pub os_user: &'a str,
    pub source_file: Option<&'a str>,
    pub import_batch_id: Option<i64>,
}

/// Appends an audit record, at the write's time; returns its id.
pub(crate) fn insert(w: &Write, e: AuditEntry) -> Result<i64> {
    crate::chain::insert(w, values_of(w, e))
}

/// [`insert`] of several records in one statement (one round trip on a
/// server), in the order given; returns their ids. `entries` must not be
/// empty.
pub(crate) fn insert_many(w: &Write, entries: Vec<AuditEntry>) -> Result<Vec<i64>> {
    let records = entries.into_iter().map(|e| values_of(w, e)).collect();
    crate::chain::insert_many(w, records)
}

/// An audit record's stored columns after its id, up to `import_batch_id`.
fn values_of(w: &Write, e: AuditEntry) -> Vec<Value> {
    let side = |s: &Option<AuditSide>| serde_json::to_string(s).expect("an audit side serializes");
    let text = |s: &str| Value::Text(s.to_owned());
    let opt = |s: Option<String>| s.map_or(Value::Null, Value::Text);
    vec![
        text(&w.at().to_storage()),
        text(e.os_user),
        text(e.cds_eac_id),
        text(e.action.as_str()),
        text(&side(&e.before)),
        text(&side(&e.after)),
        text(e.reason.as_str()),
        opt(e.before_state),
        opt(e.after_state),
        opt(e.source_file.map(str::to_owned)),
        e.import_batch_id.map_or(Value::Null, Value::Integer),
    ]
}

/// Appends the audit record of a beneficiary or emission edit made through `w`.
pub(crate) fn record(
    w: &Write,
    cds_eac_id: &str,
    change: AuditChange,
    current: Option<BeneficiaryAssignment>,
    reason: &Reason,
    os_user: &str,
) -> Result<AuditRecord> {
    let (action, before, after) = match change {
        AuditChange::Beneficiaries { before, after } => {
            (ACTION, AuditSide::of(before), AuditSide::of(Some(after)))
        }
        AuditChange::Emissions { before, after } => (
            EMISSIONS_ACTION,
            AuditSide {
                emissions: Some(before),
                ..AuditSide::of(current.clone())
            },
            AuditSide {
                emissions: Some(after),
                ..AuditSide::of(current)
            },
        ),
    };
    let (before_emissions, after_emissions) = (before.emissions.clone(), after.emissions.clone());
    let (before_assignment, after_assignment) =
        (before.assignment.clone(), after.assignment.clone());
    // As [`REVIEW`] finds it: the two sides as stored are the same.
    let reviewed = serde_json::to_string(&before).ok() == serde_json::to_string(&after).ok();
    let id = insert(
        w,
        AuditEntry {
            cds_eac_id,
            action,
            before: Some(before),
            after: Some(after),
            before_state: None,
            after_state: None,
            reason,
            os_user,
            source_file: None,
            import_batch_id: None,
        },
    )?;
    Ok(AuditRecord {
        id,
        at: w.at().to_string(),
        os_user: os_user.to_owned(),
        display_name: w.audit_name().map(str::to_owned),
        server_login: w.server_login()?,
        cds_eac_id: cds_eac_id.to_owned(),
        action,
        before: before_assignment,
        after: after_assignment,
        before_emissions,
        after_emissions,
        changes: Vec::new(),
        reason: reason.to_string(),
        source_file: None,
        import_batch_id: None,
        problem: None,
        reviewed,
        removed: false,
    })
}

/// Audit records, newest first; all of them or those of one EAC.
pub(crate) fn audit_log(conn: &dyn Db, cds_eac_id: Option<&str>) -> Result<Vec<AuditRecord>> {
    let mut records = Vec::new();
    audit_each(conn, cds_eac_id, &mut |r| {
        records.push(r);
        Ok(())
    })?;
    Ok(records)
}

/// [`audit_log`] one record at a time, straight from the query: memory
/// does not grow with the log. `each` failing stops the walk with its error.
pub(crate) fn audit_each(
    conn: &dyn Db,
    cds_eac_id: Option<&str>,
    each: &mut dyn FnMut(AuditRecord) -> Result<()>,
) -> Result<()> {
    audit_rows(conn, cds_eac_id, &mut |row| each(audit_record(row)?))
}

/// [`audit_each`] with each record's saved states as written (JSON text):
/// the whole EAC before and after an import replacement, a deletion, an
/// undo or a `set` (`None` where the record keeps none).
pub(crate) fn audit_each_with_states(
    conn: &dyn Db,
    cds_eac_id: Option<&str>,
    each: &mut dyn FnMut(AuditRecord, crate::AuditStates) -> Result<()>,
) -> Result<()> {
    audit_rows(conn, cds_eac_id, &mut |row| {
        let states = crate::AuditStates {
            before_state: cell(row, 8)?,
            after_state: cell(row, 9)?,
        };
        each(audit_record(row)?, states)
    })
}

/// The audit rows, newest first ([`audit_record`]'s columns).
fn audit_rows(
    conn: &dyn Db,
    cds_eac_id: Option<&str>,
    each: &mut dyn FnMut(&dyn DbRow) -> Result<()>,
) -> Result<()> {
    const COLUMNS: &str = r#"SELECT id, at, os_user, cds_eac_id, action, "before", "after", reason,
        before_state, after_state, source_file, import_batch_id, display_name, server_login FROM audit_log"#;
    let (sql, params): (String, Vec<&dyn rusqlite::ToSql>) = match &cds_eac_id {
        Some(id) => (
            format!("{COLUMNS} WHERE cds_eac_id = ?1 ORDER BY id DESC"),
            vec![id],
        ),
        None => (format!("{COLUMNS} ORDER BY id DESC"), vec![]),
    };
    conn.stream(&sql, &params, each)
}

/// The default and the largest page of [`audit_page`].
const AUDIT_PAGE: u32 = 200;
const AUDIT_PAGE_MAX: u32 = 1000;

/// One page of the audit records `query` selects, newest first, with how
/// many it selects in all.
pub(crate) fn audit_page(conn: &dyn Db, query: &AuditQuery) -> Result<AuditPage> {
    let given = |t: &Option<String>| {
        t.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    let instant = |name: &str, t: Option<String>| -> Result<Option<String>> {
        t.map(|t| {
            eac_model::Timestamp::parse(&t)
                .map(|t| t.to_storage())
                .map_err(|_| {
                    StoreError::InvalidInput(format!(
                        "The history's `{name}` time `{t}` is not a date and time (RFC 3339, e.g. 2026-03-01T00:00:00Z)."
                    ))
                })
        })
        .transpose()
    };
    let mut filter = Sql::on(conn, "");
    // PostgreSQL's LIKE minds case; ILIKE is SQLite's LIKE there.
    let like = match conn.kind() {
        Kind::Sqlite => "LIKE",
        Kind::Postgres => "ILIKE",
    };
    let mut first = true;
    let mut and = |sql: &mut Sql| {
        sql.push(if first { " WHERE " } else { " AND " });
        first = false;
    };
    if let Some(who) = given(&query.who) {
        // The text is found as typed (its wildcards escaped), ignoring
        // ASCII case.
        let pattern = format!("%{}%", like_escape(&who));
        and(&mut filter);
        filter
            .push(&format!("(os_user {like} "))
            .bind(pattern.clone())
            .push(&format!(
                r" ESCAPE '\' OR COALESCE(display_name, '') {like} "
            ))
            .bind(pattern)
            .push(r" ESCAPE '\')");
    }
    if let Some(from) = instant("from", given(&query.from))? {
        and(&mut filter);
        filter.push("at >= ").bind(from);
    }
    if let Some(to) = instant("to", given(&query.to))? {
        and(&mut filter);
        filter.push("at < ").bind(to);
    }
    if !query.actions.is_empty() {
        let names: Vec<&str> = query.actions.iter().map(|a| a.as_str()).collect();
        and(&mut filter);
        let names: Vec<String> = names.into_iter().map(str::to_owned).collect();
        filter.push("action IN ");
        crate::query::push_id_list(&mut filter, &names);
    }
    if let Some(eac) = given(&query.eac) {
        and(&mut filter);
        filter
            .push("(cds_eac_id = ")
            .bind(eac.clone())
            .push(" OR cds_eac_id IN (SELECT cds_eac_id FROM eacs WHERE eac_number = ")
            .bind(eac)
            .push("))");
    }
    let total: i64 = conn.query_row(
        &format!("SELECT COUNT(*) FROM audit_log{}", filter.text),
        &filter.args(),
        |r| Ok(r.get(0)?),
    )?;
    let limit = match query.limit {
        0 => AUDIT_PAGE,
        n => n.min(AUDIT_PAGE_MAX),
    };
    let mut page = Sql::on(
        conn,
        r#"SELECT id, at, os_user, cds_eac_id, action, "before", "after", reason,
        before_state, after_state, source_file, import_batch_id, display_name, server_login FROM audit_log"#,
    );
    page.push(&filter.text);
    page.params = filter.params;
    page.push(" ORDER BY id DESC LIMIT ")
        .bind(i64::from(limit))
        .push(" OFFSET ")
        .bind(i64::from(query.offset));
    let records = conn.collect(&page.text, &page.args(), |row| Ok(audit_record(row)?))?;
    Ok(AuditPage {
        records,
        total: u32::try_from(total).unwrap_or(u32::MAX),
        offset: query.offset,
    })
}

/// Audit records with an id above `after_id`, oldest first.
pub(crate) fn audit_records_after(conn: &dyn Db, after_id: i64) -> Result<Vec<AuditRecord>> {
    conn.collect(
        r#"SELECT id, at, os_user, cds_eac_id, action, "before", "after", reason,
        before_state, after_state, source_file, import_batch_id, display_name, server_login FROM audit_log
        WHERE id > ?1 ORDER BY id"#,
        &[&after_id],
        |row| Ok(audit_record(row)?),
    )
}

/// A column as text, whatever SQLite holds there (`None` for NULL).
fn cell(row: &dyn DbRow, idx: usize) -> rusqlite::Result<Option<String>> {
    use rusqlite::types::ValueRef;
    Ok(match row.get_ref(idx)? {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(r) => Some(r.to_string()),
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
    })
}

/// One audit row, as far as it can be read: a row another tool damaged is
/// shown with `problem` set instead of hiding every other record.
fn audit_record(row: &dyn DbRow) -> rusqlite::Result<AuditRecord> {
    let mut problems: Vec<String> = Vec::new();
    let text = |idx: usize, name: &str, problems: &mut Vec<String>| -> rusqlite::Result<String> {
        Ok(cell(row, idx)?.unwrap_or_else(|| {
            problems.push(format!("`{name}` is empty"));
            String::new()
        }))
    };
    let id: i64 = row.get(0)?;
    let at_text = text(1, "at", &mut problems)?;
    let at = match rows::timestamp(&at_text) {
        Some(t) => t.to_string(),
        None => {
            problems.push(format!("the time `{at_text}` is not a valid timestamp"));
            at_text
        }
    };
    let os_user = text(2, "os_user", &mut problems)?;
    let cds_eac_id = text(3, "cds_eac_id", &mut problems)?;
    let stored_action = text(4, "action", &mut problems)?;
    let action = AuditAction::parse(&stored_action).unwrap_or_else(|| {
        problems.push(format!(
            "the action `{stored_action}` is not one EAC Desk writes"
        ));
        AuditAction::Unknown
    });
    let mut side = |idx: usize, name: &str| -> rusqlite::Result<Option<AuditSide>> {
        let Some(json) = cell(row, idx)? else {
            problems.push(format!("`{name}` is empty"));
            return Ok(None);
        };
        // A flattened optional assignment reads as absent when it is
        // broken: a side naming a beneficiary type must read in full.
        let names_type = serde_json::from_str::<serde_json::Value>(&json)
            .is_ok_and(|v| v.get("beneficiary_type").is_some());
        match serde_json::from_str::<Option<AuditSide>>(&json) {
            Ok(Some(side)) if names_type && side.assignment.is_none() => {
                problems.push(format!("`{name}` is not readable"));
                Ok(None)
            }
            Ok(side) => Ok(side),
            Err(_) => {
                problems.push(format!("`{name}` is not readable"));
                Ok(None)
            }
        }
    };
    // A review ([`REVIEW`]): both sides stored alike.
    let same_sides = cell(row, 5)? == cell(row, 6)?;
    // Nothing after the change (the `after` side JSON `null`, no state):
    // the EAC was taken out. An EAC without a beneficiary type has the
    // side `{}`, which reads as no assignment too.
    let nothing_after =
        cell(row, 6)?.is_some_and(|t| t.trim() == "null") && cell(row, 9)?.is_none();
    let mut before = side(5, "before")?;
    let mut after = side(6, "after")?;
    let reason = text(7, "reason", &mut problems)?;
    let before_state = cell(row, 8)?;
    let after_state = cell(row, 9)?;
    let source_file = cell(row, 10)?;
    let import_batch_id = match row.get_ref(11)? {
        rusqlite::types::ValueRef::Integer(i) => Some(i),
        _ => None,
    };
    let display_name = cell(row, 12)?;
    let server_login = cell(row, 13)?;
    // A flattened optional object is always present when read back: only
    // emission edits carry factors.
    if action != EMISSIONS_ACTION {
        for side in [&mut before, &mut after].into_iter().flatten() {
            side.emissions = None;
        }
    }
    let mut changes = Vec::new();
    let synced = |s: &Option<AuditSide>| s.as_ref().and_then(|s| s.cds_synced.clone());
    if synced(&before).is_some() || synced(&after).is_some() {
        changes.push(crate::FieldChange {
            field: "cds_synced".to_owned(),
            before: synced(&before),
            after: synced(&after),
        });
    }
    let period = |s: &Option<AuditSide>| {
        s.as_ref()
            .and_then(|s| s.period.as_ref())
            .map(crate::periods::PeriodSide::text)
    };
    if period(&before).is_some() || period(&after).is_some() {
        changes.push(crate::FieldChange {
            field: "closed_period".to_owned(),
            before: period(&before),
            after: period(&after),
        });
    }
    // A database-level record's states are what it removed or added (a
    // claim with its allocations, consumption rows), not an EAC's: its
    // `after` details are its summary.
    if !cds_eac_id.is_empty() {
        match crate::history::state_changes(before_state.as_deref(), after_state.as_deref()) {
            Ok(found) => changes.extend(found),
            Err(what) => problems.push(what),
        }
    }
    if matches!(
        action,
        AuditAction::Export
            | AuditAction::Pack
            | AuditAction::ConsumptionImport
            | AuditAction::ConsumptionDelete
            | AuditAction::ClaimCreate
            | AuditAction::ClaimDelete
            | AuditAction::FactorSet
            | AuditAction::RefdataImport
            | AuditAction::MappingSave
            | AuditAction::MappingDelete
            | AuditAction::RefdataRemove
    ) {
        // Database-level records keep what was written as the `after` side.
        changes.extend(crate::packs::details_of(cell(row, 6)?.as_deref()));
    }
    let (before_emissions, after_emissions) = (
        before.as_mut().and_then(|s| s.emissions.take()),
        after.as_mut().and_then(|s| s.emissions.take()),
    );
    Ok(AuditRecord {
        id,
        at,
        os_user,
        display_name,
        server_login,
        cds_eac_id,
        action,
        before: before.and_then(|s| s.assignment),
        after: after.and_then(|s| s.assignment),
        before_emissions,
        after_emissions,
        changes,
        reason,
        source_file,
        import_batch_id,
        reviewed: same_sides && matches!(action, ACTION | EMISSIONS_ACTION) && problems.is_empty(),
        removed: match action {
            AuditAction::Delete => true,
            AuditAction::UndoImport => nothing_after,
            _ => false,
        },
        problem: (!problems.is_empty()).then(|| {
            format!(
                "this record was changed outside EAC Desk and cannot be read in full: {}",
                problems.join("; ")
            )
        }),
    })
}

/// Whether an EAC already has exactly this assignment.
pub(crate) fn is_assigned(eac: &Eac, to: &BeneficiaryAssignment) -> bool {
    eac.beneficiary_type == Some(to.beneficiary_type) && eac.beneficiaries == to.beneficiaries
}

/// Beneficiary ids already used with `kind`, starting with `prefix` (any case).
pub(crate) fn suggestions(
    conn: &dyn Db,
    kind: BeneficiaryType,
    prefix: &str,
    limit: usize,
) -> Result<Vec<String>> {
    // Any ASCII case: SQLite's LIKE and NOCASE; on a server ILIKE and
    // lower() (decision 219).
    let sql = match conn.kind() {
        Kind::Sqlite => {
            r"SELECT DISTINCT beneficiary_id FROM eac_beneficiaries
              WHERE beneficiary_type = ?1 AND beneficiary_id LIKE ?2 ESCAPE '\'
              ORDER BY beneficiary_id COLLATE NOCASE, beneficiary_id
              LIMIT ?3"
        }
        Kind::Postgres => {
            r"SELECT beneficiary_id FROM eac_beneficiaries
              WHERE beneficiary_type = ?1 AND beneficiary_id ILIKE ?2 ESCAPE '\'
              GROUP BY beneficiary_id
              ORDER BY lower(beneficiary_id), beneficiary_id
              LIMIT ?3"
        }
    };
    let pattern = format!("{}%", crate::query::like_escape(prefix));
    let limit = rows::count(crate::page_size(limit));
    conn.collect(sql, &[&kind.as_str(), &pattern, &limit], |row| {
        Ok(row.get(0)?)
    })
}
