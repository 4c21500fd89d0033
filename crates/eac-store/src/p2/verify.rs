//! The "verified" action: moving `cds_synced` with an audit record.

use std::time::Instant;

use crate::import::PROGRESS_EVERY;
use crate::query::{push_filter, Sql};
use crate::rows::{self};
use crate::write::{Reason, Write};
use crate::{EacFilter, Progress, Result, StoreError};

/// Which EACs "mark verified" applies to.
pub(crate) enum VerifyTarget<'a> {
    /// Every EAC matching the filter; the empty filter takes envelope-only
    /// EACs too (they have none of the filtered fields).
    Filter(&'a EacFilter),
    /// One EAC (full or envelope-only) by exact id.
    Id(&'a str),
}

/// The reason a verification is recorded with: the person's (a
/// [`Reason`], checked where it came in), or a plain default (verifying
/// needs no explanation).
pub(crate) fn verify_reason(reason: Option<&Reason>) -> &Reason {
    reason.unwrap_or(&VERIFY_REASON)
}

static VERIFY_REASON: Reason = Reason::fixed("checked against its source");

/// Sets `cds_synced` of every EAC of `target` to the write's time and
/// records a `verify` audit record for each (before/after `cds_synced`),
/// through `w`; a dry run only counts. More EACs than `confirmed` allows
/// are refused before any is written.
pub(crate) fn mark_verified(
    w: &Write,
    target: &VerifyTarget,
    reason: &Reason,
    os_user: &str,
    dry_run: bool,
    confirmed: crate::Confirmed,
    progress: &dyn Progress,
) -> Result<crate::VerifyReport> {
    let at = w.at();
    let now = at.to_storage();
    // (is envelope, row id, cds_eac_id, cds_synced before, cds_created)
    let mut found: Vec<(bool, i64, String, Option<String>, String)> = Vec::new();
    let db = w.db();
    let mut sql = Sql::on(
        db,
        "SELECT e.id, e.cds_eac_id, e.cds_synced, e.cds_created FROM eacs e",
    );
    let envelopes = match target {
        VerifyTarget::Filter(filter) => {
            push_filter(&mut sql, filter)?;
            **filter == EacFilter::default()
        }
        VerifyTarget::Id(id) => {
            sql.push(" WHERE e.cds_eac_id = ");
            sql.bind(id.to_string());
            true
        }
    };
    // On a server the EACs are locked before their `cds_synced` is read
    // (a desk verifying or deleting one meanwhile is waited for); a dry run
    // locks nothing.
    let lock = !dry_run;
    found.extend(crate::lock::select(w, sql, "e", lock, |r| {
        Ok((false, r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?);
    if envelopes {
        let only = match target {
            VerifyTarget::Id(id) => Some(id.to_string()),
            VerifyTarget::Filter(_) => None,
        };
        let mut sql = Sql::on(
            db,
            "SELECT v.id, v.cds_eac_id, v.cds_synced, v.cds_created FROM eac_envelopes v
              WHERE CAST(?1 AS text) IS NULL OR v.cds_eac_id = ?1",
        );
        sql.params.push(only.into());
        found.extend(crate::lock::select(w, sql, "v", lock, |r| {
            Ok((true, r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?);
    }
    if let VerifyTarget::Id(id) = target {
        if found.is_empty() {
            return Err(StoreError::NotFound(id.to_string()));
        }
    }
    confirmed.check(found.len())?;
    // Synced now, but never before it was created (decision 249; the
    // storage form compares as text in time order).
    let synced_of = |created: &String| {
        if *created > now {
            created.clone()
        } else {
            now.clone()
        }
    };
    let created_later = found.iter().filter(|f| f.4 > now).count();
    let mut synced = found.iter().map(|f| synced_of(&f.4));
    let first = synced.next();
    let one = first.filter(|first| synced.all(|s| s == *first));
    let report = crate::VerifyReport {
        dry_run,
        verified: found.len(),
        at: at.to_string(),
        created_later,
        cds_synced: one.map(|t| rows::timestamp(&t).map(|t| t.to_string()).unwrap_or(t)),
    };
    if dry_run {
        return Ok(report);
    }
    let total = found.len() as u64;
    let mut last_progress = Instant::now();
    let shown = |stored: Option<String>| {
        stored.map(|t| rows::timestamp(&t).map(|t| t.to_string()).unwrap_or(t))
    };
    for (done, (envelope, id, cds_eac_id, before, created)) in found.into_iter().enumerate() {
        if progress.is_cancelled() {
            return Err(StoreError::Cancelled);
        }
        let synced = synced_of(&created);
        let assignment = if envelope {
            db.execute(
                "UPDATE eac_envelopes SET cds_synced = ?2 WHERE id = ?1",
                &[&id, &synced],
            )?;
            let (kind, list): (String, String) = db.query_row(
                "SELECT beneficiary_type, beneficiaries FROM eac_envelopes WHERE id = ?1",
                &[&id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            Some(crate::BeneficiaryAssignment {
                beneficiary_type: eac_model::BeneficiaryType::parse(&kind)
                    .unwrap_or(eac_model::BeneficiaryType::General),
                beneficiaries: serde_json::from_str(&list).unwrap_or_default(),
            })
        } else {
            db.execute(
                "UPDATE eacs SET cds_synced = ?2 WHERE id = ?1",
                &[&id, &synced],
            )?;
            let kind: Option<String> = db.query_row(
                "SELECT beneficiary_type FROM eacs WHERE id = ?1",
                &[&id],
                |r| Ok(r.get(0)?),
            )?;
            // NULL: not assigned yet (an incomplete registry import).
            match kind {
                Some(kind) => Some(crate::BeneficiaryAssignment {
                    beneficiary_type: eac_model::BeneficiaryType::parse(&kind)
                        .unwrap_or(eac_model::BeneficiaryType::General),
                    beneficiaries: rows::beneficiaries(w, id)?,
                }),
                None => None,
            }
        };
        let side = |synced: Option<String>| crate::edit::AuditSide {
            cds_synced: synced,
            ..crate::edit::AuditSide::of(assignment.clone())
        };
        crate::edit::insert(
            w,
            crate::edit::AuditEntry {
                cds_eac_id: &cds_eac_id,
                action: crate::AuditAction::Verify,
                before: Some(side(shown(before).or(Some(String::new())))),
                after: Some(side(shown(Some(synced)))),
                before_state: None,
                after_state: None,
                reason,
                os_user,
                source_file: None,
                import_batch_id: None,
            },
        )?;
        if last_progress.elapsed() >= PROGRESS_EVERY {
            last_progress = Instant::now();
            progress.update(crate::Phase::Verify, done as u64 + 1, Some(total));
        }
    }
    if progress.is_cancelled() {
        return Err(StoreError::Cancelled);
    }
    progress.update(crate::Phase::Verify, total, Some(total));
    Ok(report)
}

/// After an import: every EAC the newest batch stored as its file states
/// it was just checked against its source, so its `cds_synced` becomes
/// that batch's time. An EAC the batch added has it already
/// (`rows::insert`), and one it found the same (`rows::mark_seen`): only
/// the ones it replaced are written. One it left as stored but found
/// stated otherwise (`rows::mark_seen_differing`: an earlier version, or
/// other content with the same `cds_modified`) keeps its time: it is not
/// what the file says. What an EAC it writes gets is [`synced_by_import`]
/// (its audit record says so before it is set).
pub(crate) fn mark_synced_by_latest_batch(w: &Write) -> Result<()> {
    let db = w.db();
    db.execute(
        match db.kind() {
            crate::db::Kind::Sqlite => {
                "UPDATE eacs SET cds_synced = b.imported_at
                   FROM (SELECT id, imported_at FROM import_batches ORDER BY id DESC LIMIT 1) b
                  WHERE eacs.seen_batch_id = b.id AND eacs.import_batch_id = b.id
                    AND eacs.cds_synced IS NOT b.imported_at"
            }
            crate::db::Kind::Postgres => {
                "UPDATE eacs SET cds_synced = b.imported_at
                   FROM (SELECT id, imported_at FROM import_batches ORDER BY id DESC LIMIT 1) b
                  WHERE eacs.seen_batch_id = b.id AND eacs.import_batch_id = b.id
                    AND eacs.cds_synced IS DISTINCT FROM b.imported_at"
            }
        },
        &[],
    )?;
    // An EAC created after this computer's clock said the import happened
    // (a source clock ahead of ours, a record dated ahead) is synced no
    // earlier than it was created, so that P2's rule 9 (`cds_created` ≤
    // `cds_synced`) holds (decision 249). Such a row was modified later
    // still: the `cds_modified` index finds the few, no scan.
    db.execute(
        "UPDATE eacs SET cds_synced = cds_created
          WHERE cds_modified > (SELECT imported_at FROM import_batches ORDER BY id DESC LIMIT 1)
            AND cds_created > cds_synced",
        &[],
    )?;
    db.execute(
        "UPDATE eac_envelopes SET cds_synced = cds_created WHERE cds_created > cds_synced",
        &[],
    )?;
    // Full detail data supersedes an envelope-only EAC of the same id.
    db.execute(
        "DELETE FROM eac_envelopes WHERE cds_eac_id IN (SELECT cds_eac_id FROM eacs)",
        &[],
    )?;
    Ok(())
}

/// The `cds_synced` (storage text) that [`mark_synced_by_latest_batch`]
/// gives `eac` as an import at `at` writes it: the import's time, or its
/// `cds_created` when that is later (decision 249). The audit record of
/// an import replacing an EAC keeps it in its state after, written before
/// the import's end sets it.
pub(crate) fn synced_by_import(at: eac_model::Timestamp, eac: &eac_model::Eac) -> String {
    let at = at.to_storage();
    let created = eac.cds_created.to_storage();
    if eac.cds_modified.to_storage() > at && created > at {
        created
    } else {
        at
    }
}
