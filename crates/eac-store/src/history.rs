//! What imports did, and taking things out again: the audit of import
//! replacements, deleting EACs, listing import batches and undoing one.
//!
//! Every change that touches more than the beneficiaries keeps the whole EAC
//! before and after as a *state* (JSON text, see [`StateOut`]) in its audit
//! record, and every import batch lists what it added or replaced in
//! `import_changes`, so an undo knows exactly what to remove and what to
//! give back. All of it runs in the caller's [`Write`], at its time.

use std::collections::HashSet;
use std::time::Instant;

use eac_model::{BeneficiaryType, CheckOptions, Eac, EacRead, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::db::Db;
use crate::edit::{self, AuditEntry, AuditSide};
use crate::import::PROGRESS_EVERY;
use crate::periods;
use crate::provenance::{self, Attached, RangeRow, SourceRow};
use crate::query::{push_filter, Sql};
use crate::rows;
use crate::write::{Reason, Write};
use crate::AuditAction;
use crate::{
    BeneficiaryAssignment, DeleteReport, DeleteTarget, EacFilter, ErrorCode, FieldChange,
    ImportBatch, Progress, Result, StoreError, UndoRefusal, UndoReport,
};

/// Ids named in a report or a refusal.
const MAX_NAMED: usize = 50;

pub(crate) const IMPORT_REPLACE: AuditAction = AuditAction::ImportReplace;
const DELETE: AuditAction = AuditAction::Delete;
const UNDO_IMPORT: AuditAction = AuditAction::UndoImport;
pub(crate) const IMPORT_REASON: Reason =
    Reason::fixed("a newer version (later cds_modified) was imported");
/// The reason of a full EAC taking an envelope-only EAC's place: its
/// `cds_modified` need not be later (the detail data arrived).
const FULL_DATA_REASON: Reason =
    Reason::fixed("its full data was imported (it was stored envelope-only)");

/// Which table holds an EAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `eacs` (with values).
    Eac,
    /// `eac_envelopes` (envelope-only).
    Envelope,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Eac => "eac",
            Kind::Envelope => "envelope",
        }
    }

    fn parse(text: &str) -> Option<Kind> {
        match text {
            "eac" => Some(Kind::Eac),
            "envelope" => Some(Kind::Envelope),
            _ => None,
        }
    }
}

/// A stored EAC as its audit state: `{"kind", "batch", "synced", "data"}`,
/// `data` being the EAC in EAC Desk's detail format (decimals as written)
/// or the envelope row's columns.
#[derive(Serialize)]
struct StateOut<'a, T: Serialize> {
    kind: &'a str,
    /// The import batch that wrote this version.
    batch: i64,
    /// Its `cds_synced` (storage text).
    synced: Option<&'a str>,
    data: &'a T,
    /// The registry documents and ranges it had (`provenance`), when the
    /// record keeps them: an import replacing it, a deletion, an undo.
    #[serde(skip_serializing_if = "Option::is_none")]
    sources: Option<&'a [SourceRow]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ranges: Option<&'a [RangeRow]>,
}

#[derive(Deserialize)]
struct StateIn<'a> {
    kind: String,
    batch: i64,
    synced: Option<String>,
    #[serde(borrow)]
    data: &'a RawValue,
    #[serde(default)]
    sources: Option<Vec<SourceRow>>,
    #[serde(default)]
    ranges: Option<Vec<RangeRow>>,
}

impl StateIn<'_> {
    /// The documents and ranges the state keeps, if it keeps them.
    fn attached(&mut self) -> Option<Attached> {
        if self.sources.is_none() && self.ranges.is_none() {
            return None;
        }
        Some(Attached {
            sources: self.sources.take().unwrap_or_default(),
            ranges: self.ranges.take().unwrap_or_default(),
        })
    }
}

/// An `eac_envelopes` row, column for column (storage text).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct EnvelopeRow {
    cds_eac_id: String,
    cds_created: String,
    cds_modified: String,
    cds_synced: String,
    beneficiary_type: String,
    beneficiaries: String,
    eac_numbers: String,
    eac_format: String,
    eac_data_url: String,
    period_start: String,
    period_end: String,
    extensions: Option<String>,
    #[serde(skip)]
    import_batch_id: i64,
}

impl EnvelopeRow {
    fn assignment(&self) -> Option<BeneficiaryAssignment> {
        Some(BeneficiaryAssignment {
            beneficiary_type: BeneficiaryType::parse(&self.beneficiary_type)?,
            beneficiaries: serde_json::from_str(&self.beneficiaries).ok()?,
        })
    }
}

/// An EAC as found in the database now.
enum Current {
    Eac {
        row: i64,
        eac: Box<Eac>,
        batch: i64,
        synced: Option<String>,
        /// Its registry documents and ranges, when read or kept (`None`:
        /// not read, or it has none).
        attached: Option<Attached>,
    },
    Envelope(EnvelopeRow),
}

impl Current {
    fn id(&self) -> &str {
        match self {
            Current::Eac { eac, .. } => &eac.cds_eac_id,
            Current::Envelope(e) => &e.cds_eac_id,
        }
    }

    fn kind(&self) -> Kind {
        match self {
            Current::Eac { .. } => Kind::Eac,
            Current::Envelope(_) => Kind::Envelope,
        }
    }

    fn batch(&self) -> i64 {
        match self {
            Current::Eac { batch, .. } => *batch,
            Current::Envelope(e) => e.import_batch_id,
        }
    }

    fn assignment(&self) -> Option<BeneficiaryAssignment> {
        match self {
            Current::Eac { eac, .. } => edit::assignment(eac),
            Current::Envelope(e) => e.assignment(),
        }
    }

    fn state(&self) -> String {
        let text = match self {
            Current::Eac {
                eac,
                batch,
                synced,
                attached,
                ..
            } => serde_json::to_string(&StateOut {
                kind: Kind::Eac.as_str(),
                batch: *batch,
                synced: synced.as_deref(),
                data: eac.as_ref(),
                sources: attached.as_ref().map(|a| a.sources.as_slice()),
                ranges: attached.as_ref().map(|a| a.ranges.as_slice()),
            }),
            Current::Envelope(e) => serde_json::to_string(&StateOut {
                kind: Kind::Envelope.as_str(),
                batch: e.import_batch_id,
                synced: Some(&e.cds_synced),
                data: e,
                sources: None,
                ranges: None,
            }),
        };
        text.expect("a stored EAC serializes")
    }

    /// Shows it to the closed-period check: a write adding, changing or
    /// removing it is refused when it lies in a closed period.
    fn check_period(&self, w: &Write) -> Result<()> {
        match self {
            Current::Eac { eac, .. } => {
                periods::check(w, &eac.cds_eac_id, &eac.period_start, &eac.period_end)
            }
            Current::Envelope(e) => {
                periods::check_stored(w, &e.cds_eac_id, &e.period_start, &e.period_end)
            }
        }
    }

    /// Takes it out of the database.
    fn remove(&self, w: &Write) -> Result<()> {
        match self {
            Current::Eac { row, .. } => rows::delete(w, *row),
            Current::Envelope(e) => {
                self.check_period(w)?;
                w.db().execute(
                    "DELETE FROM eac_envelopes WHERE cds_eac_id = ?1",
                    &[&e.cds_eac_id],
                )?;
                Ok(())
            }
        }
    }

    /// Puts it (back) into the database.
    fn insert(&self, w: &Write) -> Result<()> {
        match self {
            Current::Eac {
                eac,
                batch,
                synced,
                attached,
                ..
            } => {
                let row = rows::insert(w, eac, *batch)?;
                crate::claimed::check_restored(w, eac)?;
                w.db().execute(
                    "UPDATE eacs SET cds_synced = ?2 WHERE id = ?1",
                    &[&row, synced],
                )?;
                // Its documents and ranges come back with it.
                if let Some(attached) = attached {
                    provenance::restore(w, row, attached)?;
                }
            }
            Current::Envelope(e) => {
                self.check_period(w)?;
                w.db().execute(
                    "INSERT INTO eac_envelopes (cds_eac_id, cds_created, cds_modified, cds_synced,
                        beneficiary_type, beneficiaries, eac_numbers, eac_format, eac_data_url,
                        period_start, period_end, extensions, import_batch_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                    &[
                        &e.cds_eac_id,
                        &e.cds_created,
                        &e.cds_modified,
                        &e.cds_synced,
                        &e.beneficiary_type,
                        &e.beneficiaries,
                        &e.eac_numbers,
                        &e.eac_format,
                        &e.eac_data_url,
                        &e.period_start,
                        &e.period_end,
                        &e.extensions,
                        &e.import_batch_id,
                    ],
                )?;
            }
        }
        Ok(())
    }
}

/// The EAC an audit state keeps (a full EAC's, not an envelope's).
pub(crate) fn eac_of_state(text: &str) -> Option<Eac> {
    match parse_state(text) {
        Ok(Current::Eac { eac, .. }) => Some(*eac),
        _ => None,
    }
}

/// Reads a state written by [`Current::state`] back.
fn parse_state(text: &str) -> std::result::Result<Current, String> {
    let mut state: StateIn =
        serde_json::from_str(text).map_err(|e| format!("the saved state is not readable ({e})"))?;
    match Kind::parse(&state.kind) {
        Some(Kind::Eac) => {
            // Stored EACs may be incomplete (registry imports).
            match eac_model::p2::read_eac_document(state.data.get(), CheckOptions::state()) {
                EacRead::Valid { eac, .. } => Ok(Current::Eac {
                    row: 0,
                    eac,
                    batch: state.batch,
                    attached: state.attached(),
                    synced: state.synced,
                }),
                _ => Err("the saved EAC does not read back as a valid EAC".to_owned()),
            }
        }
        Some(Kind::Envelope) => {
            let mut row: EnvelopeRow = serde_json::from_str(state.data.get())
                .map_err(|e| format!("the saved envelope is not readable ({e})"))?;
            row.import_batch_id = state.batch;
            Ok(Current::Envelope(row))
        }
        None => Err(format!("unknown saved state kind `{}`", state.kind)),
    }
}

/// What the store holds under each of `ids`, in order: a stored EAC or an
/// envelope-only one. The stored EACs are read together (their rows,
/// batches and sync times by one look-up, the EACs by
/// `rows::load_eacs_by_ids`), an envelope-only EAC by its own look-up.
fn find_many(conn: &dyn Db, ids: &[&str]) -> Result<Vec<Option<Current>>> {
    let mut rows_of: Vec<Option<(i64, i64, Option<String>)>> = vec![None; ids.len()];
    rows::each_of(
        conn,
        ids,
        |k| format!("SELECT {k}, id, import_batch_id, cds_synced FROM eacs WHERE cds_eac_id = ?"),
        |id| vec![id as &dyn rusqlite::ToSql],
        &mut |at, r| {
            rows_of[at] = Some((r.get(0)?, r.get(1)?, r.get(2)?));
            Ok(())
        },
    )?;
    let stored: Vec<i64> = rows_of.iter().flatten().map(|(row, _, _)| *row).collect();
    let mut eacs = rows::load_eacs_by_ids(conn, &stored)?.into_iter();
    let mut attached = provenance::read_many(conn, &stored)?.into_iter();
    let mut found = Vec::with_capacity(ids.len());
    for (id, row) in ids.iter().zip(rows_of) {
        found.push(match row {
            Some((row, batch, synced)) => Some(Current::Eac {
                row,
                eac: Box::new(eacs.next().expect("one EAC per stored row")),
                batch,
                synced,
                attached: attached.next().expect("one entry per stored row"),
            }),
            None => find_envelope(conn, id)?.map(Current::Envelope),
        });
    }
    Ok(found)
}

/// EACs an undo or a deletion reads at a time ([`find_many`], [`later_changes`]).
const UNDO_GROUP: usize = 32;

/// Whether each of `ids` was changed after audit record `after` by
/// anything but a verification or an import since undone.
fn later_changes(conn: &dyn Db, ids: &[&str], after: i64) -> Result<Vec<bool>> {
    let mut later = vec![false; ids.len()];
    rows::each_of(
        conn,
        ids,
        |k| {
            format!(
                "SELECT {k} FROM audit_log a WHERE {}",
                later_where("?", "?")
            )
        },
        |id| vec![id as &dyn rusqlite::ToSql, &after],
        &mut |at, _| {
            later[at] = true;
            Ok(())
        },
    )?;
    Ok(later)
}

/// The condition on audit record `a` that it is a later change to the EAC
/// whose id is `id` (an SQL expression) after record `after` (another):
/// anything but a verification, a review (it changed nothing, decision 15)
/// or a record of an import since undone. One text for an undo
/// ([`later_changes`]) and the list of imports ([`batches`]), so that the
/// list says what the undo finds.
fn later_where(id: &str, after: &str) -> String {
    let review = crate::edit::REVIEW;
    format!(
        "a.cds_eac_id = {id} AND a.id > {after} AND a.action <> 'verify'
            AND NOT {review}
            AND NOT EXISTS (SELECT 1 FROM import_batches u
                             WHERE u.id = a.import_batch_id AND u.undone_at IS NOT NULL)"
    )
}

fn find_envelope(conn: &dyn Db, cds_eac_id: &str) -> Result<Option<EnvelopeRow>> {
    conn.query_opt(
        "SELECT cds_eac_id, cds_created, cds_modified, cds_synced, beneficiary_type,
                beneficiaries, eac_numbers, eac_format, eac_data_url, period_start,
                period_end, extensions, import_batch_id
           FROM eac_envelopes WHERE cds_eac_id = ?1",
        &[&cds_eac_id],
        |r| {
            Ok(EnvelopeRow {
                cds_eac_id: r.get(0)?,
                cds_created: r.get(1)?,
                cds_modified: r.get(2)?,
                cds_synced: r.get(3)?,
                beneficiary_type: r.get(4)?,
                beneficiaries: r.get(5)?,
                eac_numbers: r.get(6)?,
                eac_format: r.get(7)?,
                eac_data_url: r.get(8)?,
                period_start: r.get(9)?,
                period_end: r.get(10)?,
                extensions: r.get(11)?,
                import_batch_id: r.get(12)?,
            })
        },
    )
}

/// The state of the stored EAC in row `row`, for an audit record.
fn eac_state(conn: &dyn Db, row: i64) -> Result<Current> {
    state_of(conn, row, rows::load_eac_by_id(conn, row)?)
}

/// [`eac_state`] of the EAC in row `row`, read before as `eac`.
fn state_of(conn: &dyn Db, row: i64, eac: Eac) -> Result<Current> {
    let (batch, synced) = conn.query_row(
        "SELECT import_batch_id, cds_synced FROM eacs WHERE id = ?1",
        &[&row],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(Current::Eac {
        row,
        eac: Box::new(eac),
        batch,
        synced,
        attached: None,
    })
}

/// [`state_of`] with the EAC's documents and ranges, as an import
/// replacing it keeps them in its record.
fn state_attached(conn: &dyn Db, row: i64, eac: Option<Eac>) -> Result<Current> {
    let eac = match eac {
        Some(eac) => eac,
        None => rows::load_eac_by_id(conn, row)?,
    };
    let mut state = state_of(conn, row, eac)?;
    if let Current::Eac { attached, .. } = &mut state {
        *attached = provenance::read(conn, row)?;
    }
    Ok(state)
}

/// The batch being imported: the newest one.
fn latest_batch(conn: &dyn Db) -> Result<(i64, String)> {
    conn.query_row(
        "SELECT id, file_name FROM import_batches ORDER BY id DESC LIMIT 1",
        &[],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

fn note_change(
    w: &Write,
    batch: i64,
    cds_eac_id: &str,
    change: &str,
    kind: Kind,
    audit_id: Option<i64>,
) -> Result<()> {
    w.db().execute(
        "INSERT INTO import_changes (batch_id, cds_eac_id, change, kind, audit_id)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (batch_id, cds_eac_id) DO UPDATE
            SET change = excluded.change, kind = excluded.kind, audit_id = excluded.audit_id",
        &[&batch, &cds_eac_id, &change, &kind.as_str(), &audit_id],
    )?;
    Ok(())
}

/// Added EACs noted for an undo by one statement ([`import_added`]).
pub(crate) const ADDED_PER_STATEMENT: usize = 256;

/// An import (batch `batch`) added these EACs: noted for an undo, as
/// [`note_change`] would note each, many rows to one statement (one upsert
/// per EAC was a tenth of an import's writing, issue 16).
pub(crate) fn import_added(w: &Write, batch: i64, ids: &[String]) -> Result<()> {
    let notes: Vec<(&str, Option<i64>)> = ids.iter().map(|id| (id.as_str(), None)).collect();
    note_many(w, batch, "added", &notes)
}

/// [`note_change`] of many full EACs (id, audit record) with one `change`,
/// [`ADDED_PER_STATEMENT`] rows to a statement.
fn note_many(w: &Write, batch: i64, change: &str, notes: &[(&str, Option<i64>)]) -> Result<()> {
    for chunk in notes.chunks(ADDED_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO import_changes (batch_id, cds_eac_id, change, kind, audit_id) VALUES {}
             ON CONFLICT (batch_id, cds_eac_id) DO UPDATE
                SET change = excluded.change, kind = excluded.kind, audit_id = excluded.audit_id",
            rows::value_rows("(?, ?, ?, 'eac', ?)", chunk.len())
        );
        let values: Vec<&dyn rusqlite::ToSql> = chunk
            .iter()
            .flat_map(|(id, audit_id)| {
                [
                    &batch as &dyn rusqlite::ToSql,
                    id as &dyn rusqlite::ToSql,
                    &change as &dyn rusqlite::ToSql,
                    audit_id as &dyn rusqlite::ToSql,
                ]
            })
            .collect();
        w.db().execute(&sql, &values)?;
    }
    Ok(())
}

/// An import is about to replace the stored EAC in row `row` by `newer`:
/// audits the change (whole EAC before and after with its documents and
/// ranges, the file) and notes it for an undo. Call before the row is
/// overwritten. When `newer` states a registry document's facts
/// differently ([`provenance::contradicts`]: a CDS listing or bundle with
/// another source or quantity), the documents and ranges come off the
/// EAC, as its record says (undoing the import puts them back); returns
/// them when they did.
pub(crate) fn import_replacing(
    w: &Write,
    row: i64,
    newer: &Eac,
    batch: i64,
    file: &str,
    reason: &Reason,
) -> Result<Option<Attached>> {
    let before = state_attached(w.db(), row, None)?;
    replacing(w, before, newer, batch, file, reason)
}

/// A stored EAC a registry document restates, read before it is
/// overwritten ([`registry_restating`]); audited once the document's
/// source row and range are written ([`registry_restated`]).
pub(crate) struct Restating {
    before: Current,
    reason: Reason,
}

/// A registry document is about to restate the stored EAC in row `row`
/// (read as `stored`), the reason naming the document: its version
/// before, with its documents and ranges. Call before the row is
/// overwritten; audit it with [`registry_restated`] once the document's
/// row and range are written (its documents and ranges stay, and the
/// document joins them).
pub(crate) fn registry_restating(
    w: &Write,
    row: i64,
    stored: Eac,
    reason: Reason,
) -> Result<Restating> {
    Ok(Restating {
        before: state_attached(w.db(), row, Some(stored))?,
        reason,
    })
}

/// The audit records (and undo notes) of the EACs of `restated`, each
/// written by batch `batch` from document `file` since it was read
/// ([`registry_restating`]): the version before and the EAC as stored
/// now, with its documents (the one just imported among them, so its
/// record's `changes` name `sources` as an undo's do) and ranges (the
/// version after without what each document stated, which the version
/// before keeps). One statement for the records, one for the notes.
pub(crate) fn registry_restated(
    w: &Write,
    restated: Vec<Restating>,
    batch: i64,
    file: &str,
) -> Result<()> {
    if restated.is_empty() {
        return Ok(());
    }
    let rows: Vec<i64> = (restated.iter())
        .map(|r| match &r.before {
            Current::Eac { row, .. } => *row,
            Current::Envelope(_) => unreachable!("a registry document restates a stored EAC"),
        })
        .collect();
    let mut afters = states_of_rows(w.db(), &rows)?;
    for after in &mut afters {
        if let Current::Eac {
            eac,
            synced,
            attached,
            ..
        } = after
        {
            // What the import's end sets it to, as the records of CDS
            // replacements keep it.
            *synced = Some(crate::p2::synced_by_import(w.at(), eac));
            *attached = attached.as_ref().map(Attached::without_statements);
        }
    }
    let entries = (restated.iter().zip(&afters))
        .map(|(r, after)| AuditEntry {
            cds_eac_id: r.before.id(),
            action: IMPORT_REPLACE,
            before: Some(AuditSide::of(r.before.assignment())),
            after: Some(AuditSide::of(after.assignment())),
            before_state: Some(r.before.state()),
            after_state: Some(after.state()),
            reason: &r.reason,
            os_user: import_user(),
            source_file: Some(file),
            import_batch_id: Some(batch),
        })
        .collect();
    let audit_ids = edit::insert_many(w, entries)?;
    let replaced: Vec<(&str, Option<i64>)> = (afters.iter().zip(audit_ids))
        .map(|(after, audit_id)| (after.id(), Some(audit_id)))
        .collect();
    note_many(w, batch, "replaced", &replaced)
}

/// A registry document says the stored EAC in row `row` (read as
/// `stored`) was split into bundles it lists, which hold exactly its
/// certificates: the EAC is removed, audited as an `import_replace` of
/// batch `batch` (file `file`) with nothing after (its record keeps it
/// whole, with its documents and ranges; `reason` names the document and
/// the bundles) and noted as `replaced`, so that undoing the import puts
/// it back ([`removed_by`]). The removal is judged as every removal is
/// (`rows::delete`): inside a closed period, or counted by a recorded
/// claim, the write is refused.
pub(crate) fn registry_split(
    w: &Write,
    row: i64,
    stored: Eac,
    batch: i64,
    file: &str,
    reason: &Reason,
) -> Result<()> {
    let before = state_attached(w.db(), row, Some(stored))?;
    let audit_id = audit(w, IMPORT_REPLACE, &before, None, reason, file, batch)?;
    note_change(w, batch, before.id(), "replaced", Kind::Eac, Some(audit_id))?;
    rows::delete(w, row)
}

/// The version of an EAC the import whose record `audit_id` removed it
/// ([`registry_split`]: an `import_replace` of a full EAC with nothing
/// after) keeps, to put back; `None` when the record is not one such, or
/// the EAC changed since (`later`: stored again, or removed otherwise).
fn removed_by(db: &dyn Db, audit_id: Option<i64>, later: bool) -> Result<Option<Current>> {
    let Some(audit_id) = audit_id.filter(|_| !later) else {
        return Ok(None);
    };
    let state: Option<Option<String>> = db.query_opt(
        "SELECT before_state FROM audit_log
          WHERE id = ?1 AND action = 'import_replace' AND after_state IS NULL",
        &[&audit_id],
        |r| Ok(r.get(0)?),
    )?;
    Ok(match state.flatten().as_deref().map(parse_state) {
        Some(Ok(state @ Current::Eac { .. })) => Some(state),
        _ => None,
    })
}

/// The audit record and undo note of `before` replaced by `newer`; takes
/// the documents and ranges off when `newer` contradicts them, and
/// returns them then.
fn replacing(
    w: &Write,
    before: Current,
    newer: &Eac,
    batch: i64,
    file: &str,
    reason: &Reason,
) -> Result<Option<Attached>> {
    let (row, detached, after_attached) = after_provenance(&before, newer);
    if detached.is_some() {
        provenance::detach(w, row)?;
    }
    let after = Current::Eac {
        row,
        eac: Box::new(newer.clone()),
        batch,
        synced: Some(crate::p2::synced_by_import(w.at(), newer)),
        attached: after_attached,
    };
    let audit_id = audit(
        w,
        IMPORT_REPLACE,
        &before,
        Some(&after),
        reason,
        file,
        batch,
    )?;
    note_change(
        w,
        batch,
        &newer.cds_eac_id,
        "replaced",
        Kind::Eac,
        Some(audit_id),
    )?;
    Ok(detached)
}

/// The row of `before`, the documents and ranges `newer` takes off it
/// (when it contradicts them), and what the record of the version after
/// keeps of them (nothing when it had none; the documents and places
/// without their statements, which the version before keeps).
fn after_provenance(before: &Current, newer: &Eac) -> (i64, Option<Attached>, Option<Attached>) {
    let Current::Eac {
        row, eac, attached, ..
    } = before
    else {
        unreachable!("an import replaces a stored EAC")
    };
    match attached {
        None => (*row, None, None),
        Some(had) if provenance::contradicts(eac, newer) => {
            (*row, Some(had.clone()), Some(Attached::default()))
        }
        Some(kept) => (*row, None, Some(kept.without_statements())),
    }
}

/// [`import_replacing`] of several stored EACs (row, newer version), in
/// order: the rows read together, the audit records appended by one
/// statement ([`edit::insert_many`]) and the undo notes by another (on a
/// server a handful of round trips for the group instead of several an
/// EAC). Call before the rows are overwritten. Returns, of each, the
/// documents and ranges that came off it.
pub(crate) fn import_replacing_many(
    w: &Write,
    items: &[(i64, &Eac)],
    batch: i64,
    file: &str,
) -> Result<Vec<Option<Attached>>> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<i64> = items.iter().map(|(row, _)| *row).collect();
    let befores = states_of_rows(w.db(), &rows)?;
    let mut detached = Vec::with_capacity(items.len());
    let mut afters: Vec<Current> = Vec::with_capacity(items.len());
    for (before, (_, newer)) in befores.iter().zip(items) {
        let (row, off, attached) = after_provenance(before, newer);
        if off.is_some() {
            provenance::detach(w, row)?;
        }
        detached.push(off);
        afters.push(Current::Eac {
            row,
            eac: Box::new((*newer).clone()),
            batch,
            synced: Some(crate::p2::synced_by_import(w.at(), newer)),
            attached,
        });
    }
    let reason = IMPORT_REASON;
    let entries = (befores.iter().zip(&afters))
        .map(|(before, after)| AuditEntry {
            cds_eac_id: before.id(),
            action: IMPORT_REPLACE,
            before: Some(AuditSide::of(before.assignment())),
            after: Some(AuditSide::of(after.assignment())),
            before_state: Some(before.state()),
            after_state: Some(after.state()),
            reason: &reason,
            os_user: import_user(),
            source_file: Some(file),
            import_batch_id: Some(batch),
        })
        .collect();
    let audit_ids = edit::insert_many(w, entries)?;
    let replaced: Vec<(&str, Option<i64>)> = (items.iter().zip(audit_ids))
        .map(|((_, newer), audit_id)| (newer.cds_eac_id.as_str(), Some(audit_id)))
        .collect();
    note_many(w, batch, "replaced", &replaced)?;
    Ok(detached)
}

/// The states of the stored EACs in rows `rows` (each stored), in order,
/// read [`UNDO_GROUP`] at a time ([`state_attached`] of each).
fn states_of_rows(conn: &dyn Db, rows: &[i64]) -> Result<Vec<Current>> {
    let mut states = Vec::with_capacity(rows.len());
    for group in rows.chunks(UNDO_GROUP) {
        let mut kept: Vec<Option<(i64, Option<String>)>> = vec![None; group.len()];
        rows::each_of(
            conn,
            group,
            |k| format!("SELECT {k}, import_batch_id, cds_synced FROM eacs WHERE id = ?"),
            |row| vec![row as &dyn rusqlite::ToSql],
            &mut |at, r| {
                kept[at] = Some((r.get(0)?, r.get(1)?));
                Ok(())
            },
        )?;
        let eacs = rows::load_eacs_by_ids(conn, group)?;
        let attached = provenance::read_many(conn, group)?;
        for (((row, eac), kept), attached) in group.iter().zip(eacs).zip(kept).zip(attached) {
            let (batch, synced) =
                kept.ok_or_else(|| StoreError::NotFound(eac.cds_eac_id.clone()))?;
            states.push(Current::Eac {
                row: *row,
                eac: Box::new(eac),
                batch,
                synced,
                attached,
            });
        }
    }
    Ok(states)
}

/// A person set fields of the stored EAC in row `row` (`eacdesk set`):
/// audited with the whole EAC before and after. Call before the row is
/// overwritten.
pub(crate) fn fields_set(
    w: &Write,
    row: i64,
    newer: &Eac,
    reason: &Reason,
    os_user: &str,
) -> Result<i64> {
    let before = eac_state(w.db(), row)?;
    let Current::Eac { batch, synced, .. } = &before else {
        unreachable!("eac_state reads an EAC row")
    };
    let after = Current::Eac {
        row,
        eac: Box::new(newer.clone()),
        batch: *batch,
        synced: synced.clone(),
        attached: None,
    };
    edit::insert(
        w,
        AuditEntry {
            cds_eac_id: &newer.cds_eac_id,
            action: AuditAction::SetFields,
            before: Some(AuditSide::of(before.assignment())),
            after: Some(AuditSide::of(after.assignment())),
            before_state: Some(before.state()),
            after_state: Some(after.state()),
            reason,
            os_user,
            source_file: None,
            import_batch_id: None,
        },
    )
}

/// A P2 import is about to replace the envelope-only EAC `cds_eac_id` by a
/// newer envelope (written next, by the same batch): audited and noted.
pub(crate) fn envelope_replacing(w: &Write, cds_eac_id: &str, batch: i64) -> Result<()> {
    let Some(before) = find_envelope(w, cds_eac_id)? else {
        return Ok(());
    };
    let (_, file) = latest_batch(w)?;
    let before = Current::Envelope(before);
    // The newer envelope is written after this; its state is in the batch.
    let audit_id = audit(
        w,
        IMPORT_REPLACE,
        &before,
        None,
        &IMPORT_REASON,
        &file,
        batch,
    )?;
    note_change(
        w,
        batch,
        cds_eac_id,
        "replaced",
        Kind::Envelope,
        Some(audit_id),
    )
}

/// Appends an audit record for a change from `before` to `after` (`None`:
/// removed) and returns its id.
fn audit(
    w: &Write,
    action: AuditAction,
    before: &Current,
    after: Option<&Current>,
    reason: &Reason,
    file: &str,
    batch: i64,
) -> Result<i64> {
    edit::insert(
        w,
        AuditEntry {
            cds_eac_id: before.id(),
            action,
            before: Some(AuditSide::of(before.assignment())),
            after: after.map(|a| AuditSide::of(a.assignment())),
            before_state: Some(before.state()),
            after_state: after.map(Current::state),
            reason,
            os_user: import_user(),
            source_file: Some(file),
            import_batch_id: Some(batch),
        },
    )
}

/// Who runs imports in this process (looked up once).
fn import_user() -> &'static str {
    static USER: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    USER.get_or_init(crate::os_user)
}

/// What the end of an import found ([`finish_import`]).
pub(crate) struct Finished {
    /// Full EACs that took the place of envelope-only ones: replaced.
    pub replaced: usize,
    /// EACs it stored again after their removal ([`readded`]), in id
    /// order.
    pub readded: Vec<String>,
}

/// The end of an import transaction (before `cds_synced` is set and
/// superseded envelopes are dropped): envelope-only EACs that now have full
/// data are audited as replaced, envelopes the batch added are noted, EACs
/// it stored again after their removal are audited ([`readded`]), and the
/// batch records the newest audit id (later records mean later changes)
/// and counts those full EACs as replaced, not added.
pub(crate) fn finish_import(w: &Write) -> Result<Finished> {
    let db = w.db();
    let (batch, file) = latest_batch(db)?;
    let superseded: Vec<(String, i64)> = db.collect(
        "SELECT v.cds_eac_id, e.id FROM eac_envelopes v JOIN eacs e ON e.cds_eac_id = v.cds_eac_id",
        &[],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut replaced = 0;
    for (cds_eac_id, row) in superseded {
        let Some(envelope) = find_envelope(db, &cds_eac_id)? else {
            continue;
        };
        replaced += 1;
        let mut after = eac_state(db, row)?;
        if let Current::Eac { eac, synced, .. } = &mut after {
            // What the import's end sets it to (it was added with the
            // import's time).
            *synced = Some(crate::p2::synced_by_import(w.at(), eac));
        }
        let audit_id = audit(
            w,
            IMPORT_REPLACE,
            &Current::Envelope(envelope),
            Some(&after),
            &FULL_DATA_REASON,
            &file,
            batch,
        )?;
        note_change(w, batch, &cds_eac_id, "replaced", Kind::Eac, Some(audit_id))?;
    }
    db.execute(
        "INSERT INTO import_changes (batch_id, cds_eac_id, change, kind)
         SELECT ?1, cds_eac_id, 'added', 'envelope' FROM eac_envelopes
          WHERE import_batch_id = ?1
            AND cds_eac_id NOT IN (SELECT cds_eac_id FROM import_changes WHERE batch_id = ?1)",
        &[&batch],
    )?;
    let readded = readded(w, batch, &file)?;
    // A full EAC that took the place of an envelope-only one was written
    // as added; it replaced it (audited as such above, undone as such).
    db.execute(
        "UPDATE import_batches SET last_audit_id = (SELECT COALESCE(MAX(id), 0) FROM audit_log),
            added = added - ?2, replaced = replaced + ?2
          WHERE id = ?1",
        &[&batch, &rows::count(replaced)],
    )?;
    Ok(Finished { replaced, readded })
}

/// The import's warning of the EACs it stored again after their removal
/// ([`readded`]), naming the first [`MAX_NAMED`]; `None` for none. In
/// words true of a dry run too.
pub(crate) fn readded_warning(ids: &[String]) -> Option<eac_model::Violation> {
    let n = ids.len();
    if n == 0 {
        return None;
    }
    let (eacs, are, them, they) = match n {
        1 => ("1 EAC".to_owned(), "is", "it", "it"),
        n => (format!("{n} EACs"), "are", "them", "they"),
    };
    let mut v = eac_model::Violation::unruled(format!(
        "{eacs} deleted from this database before (or removed by undoing the import that added \
         {them}) {are} stored again by this file: {}. Importing it records each as added \
         again in its history (`eacdesk audit ID`, History), with the reason it was removed; \
         delete {them} again if {they} must not be stored.",
        named_ids(ids, n)
    ));
    v.severity = eac_model::Severity::Warning;
    Some(v)
}

/// The EACs batch `batch` (file `file`) added whose history ends with
/// their removal: the last audit record of the id is a `delete`, or an
/// `undo_import` that took it out. Each gets an `import_readd` record
/// (nothing before, the EAC as stored after, the reason naming that
/// removal), so that its history does not end at "deleted" while it is
/// stored again; their ids are returned for the import's warning.
///
/// Cheap when nothing can have been removed: one look-up first asks
/// whether the log names any EAC at all (a new database, or one whose
/// log holds only database-level records, answers no, and a fresh load
/// into a database that holds no EAC looks further only when EACs were
/// removed from it); then the batch's added EACs are looked up in the
/// log by one statement, an index look-up each.
fn readded(w: &Write, batch: i64, file: &str) -> Result<Vec<String>> {
    let db = w.db();
    let names_eacs: bool = db.query_row(
        "SELECT EXISTS (SELECT 1 FROM audit_log WHERE cds_eac_id > '')",
        &[],
        |r| Ok(r.get(0)?),
    )?;
    if !names_eacs {
        return Ok(Vec::new());
    }
    let found: Vec<(String, i64, String, String, String, String)> = db.collect(
        r#"SELECT c.cds_eac_id, a.id, a.action, a.at, a.os_user, a.reason
             FROM import_changes c
             JOIN audit_log a
               ON a.id = (SELECT MAX(l.id) FROM audit_log l WHERE l.cds_eac_id = c.cds_eac_id)
            WHERE c.batch_id = ?1 AND c.change = 'added'
              AND (a.action = 'delete'
                   OR (a.action = 'undo_import' AND a.after_state IS NULL
                       AND a."after" = 'null')
                   OR (a.action = 'import_replace' AND a.after_state IS NULL
                       AND EXISTS (SELECT 1 FROM import_changes x
                                    WHERE x.audit_id = a.id AND x.kind = 'eac')))
            ORDER BY c.cds_eac_id"#,
        &[&batch],
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
    for group in found.chunks(UNDO_GROUP) {
        let ids: Vec<&str> = group.iter().map(|f| f.0.as_str()).collect();
        let currents = find_many(db, &ids)?;
        let mut reasons = Vec::with_capacity(group.len());
        for (_, record, action, at, user, why) in group {
            // To the second, as `audit` shows times.
            let at = rows::timestamp(at).map_or_else(|| at.clone(), |t| t.to_string());
            let at = match at.split_once('.') {
                Some((whole, _)) => format!("{whole}Z"),
                None => at,
            };
            let removal = match action.as_str() {
                "delete" => "its deletion".to_owned(),
                "import_replace" => {
                    "its replacement by the bundles a registry document said it was split into"
                        .to_owned()
                }
                _ => "the undo of the import that had added it".to_owned(),
            };
            reasons.push(Reason::generated(&format!(
                "stored again by this import after {removal} (audit record {record}, {at}, by \
                 {user}: \"{why}\")"
            )));
        }
        let mut entries = Vec::with_capacity(group.len());
        for ((id, current), reason) in ids.iter().zip(&currents).zip(&reasons) {
            let Some(current) = current else {
                return Err(StoreError::NotFound((*id).to_owned()));
            };
            entries.push(AuditEntry {
                cds_eac_id: current.id(),
                action: AuditAction::ImportReadd,
                before: None,
                after: Some(AuditSide::of(current.assignment())),
                before_state: None,
                after_state: Some(current.state()),
                reason,
                os_user: import_user(),
                source_file: Some(file),
                import_batch_id: Some(batch),
            });
        }
        edit::insert_many(w, entries)?;
    }
    Ok(found.into_iter().map(|f| f.0).collect())
}

/// Deletes (or, dry run, counts) the EACs of `target`.
pub(crate) fn delete(
    w: &Write,
    target: &DeleteTarget,
    reason: &Reason,
    os_user: &str,
    dry_run: bool,
    confirmed: crate::Confirmed,
    progress: &dyn Progress,
) -> Result<DeleteReport> {
    // (kind, exact id) of every EAC to delete, in id order. On a server
    // they are locked before any is read (a desk changing one meanwhile is
    // waited for; one it deleted is not there); a dry run locks nothing.
    let lock = !dry_run;
    let mut found: Vec<(Kind, String)> = Vec::new();
    match target {
        DeleteTarget::Ids(ids) => {
            let mut ids = ids.clone();
            ids.sort();
            ids.dedup();
            let stored: HashSet<String> = (crate::lock::named(w, &ids, lock)?.into_iter())
                .map(|(_, id)| id)
                .collect();
            let envelopes = crate::lock::envelopes_named(w, &ids, lock)?;
            let mut unknown = Vec::new();
            for id in ids {
                if stored.contains(&id) {
                    found.push((Kind::Eac, id));
                } else if envelopes.contains(&id) {
                    found.push((Kind::Envelope, id));
                } else {
                    unknown.push(id);
                }
            }
            if !unknown.is_empty() {
                return Err(StoreError::UnknownIds(unknown));
            }
        }
        DeleteTarget::Filter(filter) => {
            let db = w.db();
            let mut sql = Sql::on(db, "SELECT e.cds_eac_id FROM eacs e");
            push_filter(&mut sql, filter)?;
            for id in crate::lock::select(w, sql, "e", lock, |r| Ok(r.get::<String>(0)?))? {
                found.push((Kind::Eac, id));
            }
            if *filter == EacFilter::default() {
                let sql = Sql::on(db, "SELECT v.cds_eac_id FROM eac_envelopes v");
                for id in crate::lock::select(w, sql, "v", lock, |r| Ok(r.get::<String>(0)?))? {
                    found.push((Kind::Envelope, id));
                }
            }
            found.sort_by(|a, b| a.1.cmp(&b.1));
        }
    }
    // Envelope-only EACs count as EACs: the count said is of both.
    confirmed.check(found.len())?;
    let mut report = DeleteReport {
        dry_run,
        deleted: found.iter().filter(|(k, _)| *k == Kind::Eac).count(),
        envelopes_deleted: found.iter().filter(|(k, _)| *k == Kind::Envelope).count(),
        ids: found
            .iter()
            .take(MAX_NAMED)
            .map(|(_, id)| id.clone())
            .collect(),
    };
    // Refused whole (the dry run too) when any lies in a closed period.
    for (_, id) in &found {
        periods::check_id(w, id)?;
    }
    // And when a recorded claim counts any.
    let eacs: Vec<&str> = (found.iter())
        .filter(|(kind, _)| *kind == Kind::Eac)
        .map(|(_, id)| id.as_str())
        .collect();
    crate::claimed::check_removed_ids(w, &eacs)?;
    if dry_run {
        return Ok(report);
    }
    let total = found.len() as u64;
    let mut last_progress = Instant::now();
    let mut done = 0;
    // A group at a time: read together, audited in one statement, removed
    // together (a few round trips a group on a server, not several an EAC).
    for group in found.chunks(UNDO_GROUP) {
        let ids: Vec<&str> = group.iter().map(|(_, id)| id.as_str()).collect();
        let mut current = Vec::with_capacity(ids.len());
        for (id, found) in ids.iter().zip(find_many(w.db(), &ids)?) {
            // Asked before each EAC, as when each was deleted on its own.
            if progress.is_cancelled() {
                return Err(StoreError::Cancelled);
            }
            current.push(found.ok_or_else(|| StoreError::NotFound((*id).to_owned()))?);
        }
        delete_many(w, &current, reason, os_user)?;
        done += group.len() as u64;
        if last_progress.elapsed() >= PROGRESS_EVERY {
            last_progress = Instant::now();
            progress.update(crate::Phase::Delete, done, Some(total));
        }
    }
    if progress.is_cancelled() {
        return Err(StoreError::Cancelled);
    }
    progress.update(crate::Phase::Delete, total, Some(total));
    report.dry_run = false;
    Ok(report)
}

/// Deletes these stored EACs, each audited with its whole state: the
/// records in one statement, then the full EACs' rows together and
/// envelope-only EACs one by one.
fn delete_many(w: &Write, current: &[Current], reason: &Reason, os_user: &str) -> Result<()> {
    let entries = current
        .iter()
        .map(|current| AuditEntry {
            cds_eac_id: current.id(),
            action: DELETE,
            before: Some(AuditSide::of(current.assignment())),
            after: None,
            before_state: Some(current.state()),
            after_state: None,
            reason,
            os_user,
            source_file: None,
            import_batch_id: None,
        })
        .collect();
    edit::insert_many(w, entries)?;
    remove_all(w, current.iter())
}

/// Removes these stored EACs: full ones' rows together
/// ([`rows::delete_many`]), envelope-only ones one by one.
fn remove_all<'a>(w: &Write, current: impl Iterator<Item = &'a Current>) -> Result<()> {
    let mut rows = Vec::new();
    for c in current {
        match c {
            Current::Eac { row, .. } => rows.push(*row),
            Current::Envelope(_) => c.remove(w)?,
        }
    }
    rows::delete_many(w, &rows)
}

/// Every import batch, newest first, each with whether undoing it now
/// would go through and, when not, why ([`undo_refusals`]).
pub(crate) fn batches(conn: &dyn Db) -> Result<Vec<ImportBatch>> {
    let time = |text: Option<String>| {
        text.map(|t| rows::timestamp(&t).map(|t| t.to_string()).unwrap_or(t))
    };
    let mut list: Vec<ImportBatch> = conn.collect(
        "SELECT id, file_name, sha256, imported_at, added, replaced, skipped, ignored,
                value_count, undone_at, last_audit_id
           FROM import_batches ORDER BY id DESC",
        &[],
        |r| {
            let undone_at = time(r.get(9)?);
            let last_audit_id: Option<i64> = r.get(10)?;
            let undo_refusal = match (&undone_at, last_audit_id) {
                (Some(at), _) => Some(UndoRefusal {
                    code: ErrorCode::InvalidInput,
                    reason: format!("It was already undone at {at}."),
                    cds_eac_ids: Vec::new(),
                }),
                (None, None) => Some(UndoRefusal {
                    code: ErrorCode::InvalidInput,
                    reason: format!("It {OLDER_VERSION}."),
                    cds_eac_ids: Vec::new(),
                }),
                (None, Some(_)) => None,
            };
            Ok(ImportBatch {
                id: r.get(0)?,
                file_name: r.get(1)?,
                sha256: r.get(2)?,
                imported_at: time(r.get(3)?).unwrap_or_default(),
                added: rows::from_count(r.get(4)?),
                replaced: rows::from_count(r.get(5)?),
                skipped: rows::from_count(r.get(6)?),
                ignored: rows::from_count(r.get(7)?),
                value_count: rows::from_count(r.get(8)?),
                undoable: undo_refusal.is_none(),
                undo_refusal,
                undone_at,
            })
        },
    )?;
    if list.iter().any(|b| b.undoable) {
        let mut refused = undo_refusals(conn)?;
        for b in &mut list {
            if let Some(refusal) = refused.remove(&b.id) {
                b.undoable = false;
                b.undo_refusal = Some(refusal);
            }
        }
    }
    Ok(list)
}

/// Why an import made by a version of EAC Desk that did not keep what an
/// import replaced cannot be undone (after "It" or "Import 3 (f.json)").
const OLDER_VERSION: &str =
    "was made by an earlier version of EAC Desk, which did not keep what an import replaced";

/// The import batches an undo may be asked of (not undone, made by a
/// version that keeps what an import replaced), as `b`.
const OPEN_BATCHES: &str = "b.undone_at IS NULL AND b.last_audit_id IS NOT NULL";

/// Each change `c` of an import batch `b` with the EAC stored under its id
/// now: `e` (with values) or, when there is none, `v` (envelope-only), as
/// [`find_many`] finds it.
const CHANGES_NOW: &str = "FROM import_changes c
      JOIN import_batches b ON b.id = c.batch_id
      LEFT JOIN eacs e ON e.cds_eac_id = c.cds_eac_id
      LEFT JOIN eac_envelopes v ON v.cds_eac_id = c.cds_eac_id AND e.id IS NULL";

/// The condition, over [`CHANGES_NOW`], that undoing batch `b` finds its
/// change `c` in conflict, as [`undo_import`]'s plan does: an EAC it
/// added or replaced is stored now otherwise than the import left it
/// (other kind, written by another batch, changed later: [`later_where`]),
/// or a version it replaced is not known ( no record), or an EAC it
/// removed ([`registry_split`]) cannot be put back ([`removed_by`]).
fn conflict_where() -> String {
    let later = format!(
        "EXISTS (SELECT 1 FROM audit_log a WHERE {})",
        later_where("c.cds_eac_id", "b.last_audit_id")
    );
    format!(
        "(CASE WHEN e.id IS NULL AND v.cds_eac_id IS NULL THEN
            c.change <> 'added' AND NOT (c.kind = 'eac' AND NOT {later}
                AND EXISTS (SELECT 1 FROM audit_log r
                             WHERE r.id = c.audit_id AND r.action = 'import_replace'
                               AND r.after_state IS NULL))
          ELSE (CASE WHEN e.id IS NOT NULL THEN 'eac' ELSE 'envelope' END) <> c.kind
            OR COALESCE(e.import_batch_id, v.import_batch_id) <> c.batch_id
            OR (c.change <> 'added' AND c.audit_id IS NULL)
            OR {later}
          END)"
    )
}

/// The period of a saved state (`data`'s `period_start`/`period_end`),
/// read without the rest of the EAC.
#[derive(Deserialize)]
struct StatePeriod {
    data: PeriodOf,
}

#[derive(Deserialize)]
struct PeriodOf {
    period_start: String,
    period_end: String,
}

/// Why undoing each import batch that may be undone ([`OPEN_BATCHES`])
/// would be refused now, by batch; a batch that can be undone is not in
/// it. Worked out for every batch together, a few statements in all
/// (never an undo's dry run per batch, which reads every EAC it touched):
/// the rules and the order of [`undo_import`]'s refusals —
///
/// 1. EACs it added or replaced changed after it ([`conflict_where`]):
///    `conflict`, unless an EAC it would change otherwise lies in a closed
///    period (the write's period check wins): `frozen`;
/// 2. a later import's document still states EACs it would take out or
///    change ([`STATED_LATER`]): `conflict`, or `frozen` as in 1;
/// 3. nothing left to undo: `invalid_input`;
/// 4. a recorded claim counts an EAC it would take out, or whose version
///    it would change under the claim ([`crate::claimed`]): `conflict`;
/// 5. an EAC it would take out, change or put back lies in a closed
///    period: `frozen`.
fn undo_refusals(conn: &dyn Db) -> Result<std::collections::HashMap<i64, UndoRefusal>> {
    use std::collections::HashMap;
    let conflict = conflict_where();
    // 1. Changed after it: the first ids of each batch and their count;
    // in the same pass, 2., the batches a later import's document states
    // an EAC of (`stated` = 1), told in full below ([`stated_later`]).
    let mut changed: Changed = HashMap::new();
    let mut stated_batches: Vec<i64> = Vec::new();
    let rows: Vec<(i64, String, i64, i64)> = conn.collect(
        &format!(
            "SELECT batch_id, cds_eac_id, n, stated FROM (
                SELECT batch_id, cds_eac_id, stated,
                       ROW_NUMBER() OVER (PARTITION BY batch_id, stated ORDER BY cds_eac_id) AS k,
                       COUNT(*) OVER (PARTITION BY batch_id, stated) AS n
                  FROM (SELECT c.batch_id, c.cds_eac_id,
                               CASE WHEN {conflict} THEN 0 ELSE 1 END AS stated
                          {CHANGES_NOW}
                         WHERE {OPEN_BATCHES} AND ({conflict} OR {STATED_LATER})) f) t
              WHERE k <= {MAX_NAMED} ORDER BY batch_id, cds_eac_id"
        ),
        &[],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    for (batch, id, n, stated) in rows {
        if stated == 1 {
            if stated_batches.last() != Some(&batch) {
                stated_batches.push(batch);
            }
            continue;
        }
        let entry = changed.entry(batch).or_default();
        entry.0.push(id);
        entry.1 = rows::from_count(n);
    }
    // A batch with EACs changed after it is refused for those (as the
    // undo checks them first).
    let mut stated: Stated = HashMap::new();
    for batch in stated_batches {
        if !changed.contains_key(&batch) {
            if let Some(s) = stated_later(conn, batch)? {
                stated.insert(batch, s);
            }
        }
    }
    // 3. What each would change: EACs it added deleted since, and whether
    // anything is left (an EAC stored, or one it replaced or removed; an
    // EAC it named its document as a source of).
    let left: Vec<(i64, i64, i64)> = conn.collect(
        &format!(
            "SELECT b.id,
                (SELECT COUNT(*) FROM import_changes c
                  WHERE c.batch_id = b.id AND c.change = 'added'
                    AND NOT EXISTS (SELECT 1 FROM eacs e WHERE e.cds_eac_id = c.cds_eac_id)
                    AND NOT EXISTS (SELECT 1 FROM eac_envelopes v
                                     WHERE v.cds_eac_id = c.cds_eac_id)),
                CASE WHEN EXISTS (
                    SELECT 1 FROM import_changes c
                     WHERE c.batch_id = b.id
                       AND (c.change <> 'added'
                            OR EXISTS (SELECT 1 FROM eacs e WHERE e.cds_eac_id = c.cds_eac_id)
                            OR EXISTS (SELECT 1 FROM eac_envelopes v
                                        WHERE v.cds_eac_id = c.cds_eac_id)))
                  OR EXISTS (
                    SELECT 1 FROM eac_sources s JOIN eacs e ON e.id = s.eac_id
                     WHERE s.import_batch_id = b.id
                       AND NOT EXISTS (SELECT 1 FROM import_changes x
                                        WHERE x.batch_id = b.id AND x.cds_eac_id = e.cds_eac_id))
                THEN 1 ELSE 0 END
               FROM import_batches b WHERE {OPEN_BATCHES}"
        ),
        &[],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    // 4. Claimed EACs it would take out or change (only when a claim is
    // recorded).
    let mut claimed: Claimed = HashMap::new();
    let any_claim: i64 = conn.query_row(
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM claim_allocations) THEN 1 ELSE 0 END",
        &[],
        |r| Ok(r.get(0)?),
    )?;
    if any_claim == 1 {
        let found: Vec<(i64, String, i64, Option<String>)> = conn.collect(
            &format!(
                "SELECT c.batch_id, c.cds_eac_id, e.id, r.before_state
                   {CHANGES_NOW}
                   LEFT JOIN audit_log r ON r.id = c.audit_id
                  WHERE {OPEN_BATCHES} AND e.id IS NOT NULL AND NOT {conflict}
                    AND c.cds_eac_id IN (SELECT cds_eac_id FROM claim_allocations)
                  ORDER BY c.batch_id, c.cds_eac_id"
            ),
            &[],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        for (batch, id, row, before) in found {
            let earlier = before.as_deref().and_then(eac_of_state);
            let claims = crate::claimed::undo_changes(conn, row, &id, earlier.as_ref())?;
            if !claims.is_empty() {
                let entry = claimed.entry(batch).or_default();
                entry.0.push(id);
                entry.1.extend(claims);
            }
        }
    }
    // 5. EACs in a closed period it would take out, change or put back
    // (only when a period is closed).
    let mut frozen: HashMap<i64, (Vec<String>, Vec<i64>)> = HashMap::new();
    if let Some(closed) = periods::Closed::load(conn)? {
        let found: Vec<PeriodsNow> = conn.collect(
            &format!(
                "SELECT c.batch_id, c.cds_eac_id,
                            COALESCE(e.period_start, v.period_start),
                            COALESCE(e.period_end, v.period_end), r.before_state
                       {CHANGES_NOW}
                       LEFT JOIN audit_log r ON r.id = c.audit_id
                      WHERE {OPEN_BATCHES} AND NOT {conflict}
                      ORDER BY c.batch_id, c.cds_eac_id"
            ),
            &[],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?;
        for (batch, id, start, end, before) in found {
            let mut periods: Vec<i64> = Vec::new();
            if let (Some(start), Some(end)) = (&start, &end) {
                periods.extend(closed.freezing_stored(start, end).unwrap_or_default());
            }
            if let Some(p) = before.and_then(|t| serde_json::from_str::<StatePeriod>(&t).ok()) {
                let earlier = closed.freezing_stored(&p.data.period_start, &p.data.period_end);
                periods.extend(earlier.unwrap_or_default());
            }
            if !periods.is_empty() {
                let entry = frozen.entry(batch).or_default();
                entry.0.push(id);
                for p in periods {
                    if !entry.1.contains(&p) {
                        entry.1.push(p);
                    }
                }
            }
        }
        // Said as the write's refusal says them: in order.
        for (_, periods) in frozen.values_mut() {
            periods.sort_unstable();
        }
        let frozen_words = |ids: &[String], periods: &[i64]| UndoRefusal {
            code: ErrorCode::Frozen,
            reason: format!(
                "{} in a closed reporting period ({}): {}. Reopen the period to undo it.",
                match ids.len() {
                    1 => "1 EAC it would change lies".to_owned(),
                    n => format!("{n} EACs it would change lie"),
                },
                closed.named(periods),
                named_ids(ids, ids.len())
            ),
            cds_eac_ids: ids.iter().take(MAX_NAMED).cloned().collect(),
        };
        return Ok(decide(&left, changed, stated, claimed, |batch| {
            (frozen.get(&batch)).map(|(ids, periods)| frozen_words(ids, periods))
        }));
    }
    Ok(decide(&left, changed, stated, claimed, |_| None))
}

/// A change of an import (batch, id) with the period of the EAC stored
/// under its id now (storage text) and the state its record kept before.
type PeriodsNow = (i64, String, Option<String>, Option<String>, Option<String>);

/// What [`undo_refusals`] found of the batches: EACs changed after each,
/// by batch (the first ids, how many in all), and the claimed EACs each
/// would take out or change, with the claims.
type Changed = std::collections::HashMap<i64, (Vec<String>, usize)>;
type Claimed =
    std::collections::HashMap<i64, (Vec<String>, std::collections::BTreeMap<i64, String>)>;
/// The EACs a later import's document states, by batch ([`stated_later`]).
type Stated = std::collections::HashMap<i64, StatedLater>;

/// [`undo_refusals`]' choice, batch by batch, among what it found
/// (`frozen`: the closed-period refusal of a batch, if any).
fn decide(
    left: &[(i64, i64, i64)],
    mut changed: Changed,
    mut stated: Stated,
    mut claimed: Claimed,
    frozen: impl Fn(i64) -> Option<UndoRefusal>,
) -> std::collections::HashMap<i64, UndoRefusal> {
    let mut out = std::collections::HashMap::new();
    for &(batch, gone, acts) in left {
        let refusal = if let Some((ids, n)) = changed.remove(&batch) {
            frozen(batch).unwrap_or_else(|| UndoRefusal {
                code: ErrorCode::Conflict,
                reason: eac_model::words::capitalised(&changed_words(&ids, n)),
                cds_eac_ids: ids,
            })
        } else if let Some(s) = stated.remove(&batch) {
            frozen(batch).unwrap_or_else(|| UndoRefusal {
                code: ErrorCode::Conflict,
                reason: eac_model::words::capitalised(&stated_words(&s)),
                cds_eac_ids: s.ids,
            })
        } else if acts == 0 {
            UndoRefusal {
                code: ErrorCode::InvalidInput,
                reason: nothing_words(rows::from_count(gone)),
                cds_eac_ids: Vec::new(),
            }
        } else if let Some((ids, claims)) = claimed.remove(&batch) {
            let words: Vec<String> = (claims.iter())
                .map(|(id, name)| format!("#{id} ({})", eac_model::quote(name)))
                .collect();
            let (by, the, count) = match words.len() {
                1 => (
                    format!("recorded claim {}", words[0]),
                    "the claim",
                    "counts",
                ),
                _ => (
                    format!("recorded claims {}", words.join(", ")),
                    "the claims",
                    "count",
                ),
            };
            UndoRefusal {
                code: ErrorCode::Conflict,
                reason: format!(
                    "{} counted by {by}: {}. Undoing it would change what {the} {count}; \
                     delete {}, undo the import, then record {the} again.",
                    match ids.len() {
                        1 => "1 EAC it would take out or change is".to_owned(),
                        n => format!("{n} EACs it would take out or change are"),
                    },
                    named_ids(&ids, ids.len()),
                    crate::claimed::delete_first(&claims.keys().copied().collect::<Vec<_>>()),
                ),
                cds_eac_ids: ids.into_iter().take(MAX_NAMED).collect(),
            }
        } else if let Some(refusal) = frozen(batch) {
            refusal
        } else {
            continue;
        };
        out.insert(batch, refusal);
    }
    out
}

/// The first [`MAX_NAMED`] of `ids` quoted, and how many more of `total`
/// there are: "`a`, `b` and 3 more".
fn named_ids(ids: &[String], total: usize) -> String {
    let quoted = ids.iter().map(|id| format!("`{id}`"));
    eac_model::words::first_named(quoted, MAX_NAMED, total)
}

/// Why an undo is refused when EACs it would change changed after the
/// import (`ids`: the first of them, `total` in all), after "cannot be
/// undone: ".
fn changed_words(ids: &[String], total: usize) -> String {
    format!(
        "{} changed after it (a later import, an edit or a deletion): {}. Undo the later \
         imports first, or delete or fix these EACs by hand.",
        if total == 1 { "1 EAC" } else { "these EACs" },
        named_ids(ids, total)
    )
}

/// Why there is nothing to undo (`gone`: EACs it added deleted since), as
/// the undo's refusal says it of "Import 3 (f.json)".
fn nothing_words(gone: usize) -> String {
    match gone {
        0 => "It added no EAC and replaced none, and no stored EAC names its document as a \
              source now, so there is nothing to undo."
            .to_owned(),
        n => format!(
            "Every EAC it added ({n}) has been deleted since, so there is nothing to undo (the \
             audit log keeps each deletion with its reason)."
        ),
    }
}

/// The condition, over [`CHANGES_NOW`], that a later import's document
/// still states the EAC stored under the id of batch `b`'s change `c`:
/// it names the EAC among its sources (it found the EAC as stored and
/// linked its document, [`crate::registry`]). Undoing `b` would take out
/// or change an EAC an import that is not undone still states (an undone
/// import's rows are gone). One text for an undo ([`stated_later`]) and
/// the list of imports ([`undo_refusals`]).
const STATED_LATER: &str = "e.id IS NOT NULL AND EXISTS (
        SELECT 1 FROM eac_sources s WHERE s.eac_id = e.id AND s.import_batch_id > b.id)";

/// The EACs an undo of a batch would take out or change that a later
/// import's document still states ([`STATED_LATER`]).
struct StatedLater {
    /// The first [`MAX_NAMED`] of them, in id order.
    ids: Vec<String>,
    /// How many in all, and how many of those the batch added (the others
    /// it replaced).
    total: usize,
    added: usize,
    /// The later imports whose documents state them: number, file name.
    later: Vec<(i64, String)>,
}

/// [`StatedLater`] of batch `batch`, `None` when no later import's
/// document states an EAC it wrote. Asked once there is no other conflict
/// (an EAC written by another batch since is one).
fn stated_later(conn: &dyn Db, batch: i64) -> Result<Option<StatedLater>> {
    let first: Vec<(String, i64, i64)> = conn.collect(
        &format!(
            "SELECT c.cds_eac_id, COUNT(*) OVER (),
                    SUM(CASE WHEN c.change = 'added' THEN 1 ELSE 0 END) OVER ()
               {CHANGES_NOW}
              WHERE c.batch_id = ?1 AND {STATED_LATER}
              ORDER BY c.cds_eac_id LIMIT {MAX_NAMED}"
        ),
        &[&batch],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let Some(&(_, total, added)) = first.first() else {
        return Ok(None);
    };
    let later: Vec<(i64, String)> = conn.collect(
        "SELECT l.id, l.file_name FROM import_batches l
          WHERE l.id > ?1 AND EXISTS (
                SELECT 1 FROM import_changes c
                  JOIN eacs e ON e.cds_eac_id = c.cds_eac_id
                  JOIN eac_sources s ON s.eac_id = e.id
                 WHERE c.batch_id = ?1 AND s.import_batch_id = l.id)
          ORDER BY l.id",
        &[&batch],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(Some(StatedLater {
        ids: first.into_iter().map(|(id, _, _)| id).collect(),
        total: rows::from_count(total),
        added: rows::from_count(added),
        later,
    }))
}

/// Why an undo is refused when a later import's document still states
/// EACs it would take out or change, after "cannot be undone: ": which
/// EACs, which imports, and what to do (undo those first, newest first).
fn stated_words(s: &StatedLater) -> String {
    let what = if s.added == s.total {
        "added"
    } else if s.added == 0 {
        "replaced"
    } else {
        "added or replaced"
    };
    let eacs = match s.total {
        1 => format!("1 EAC it {what} is"),
        n => format!("{n} EACs it {what} are"),
    };
    let imports = || {
        let named = (s.later.iter()).map(|(id, file)| format!("{id} ({file})"));
        eac_model::words::first_named(named, MAX_LATER, s.later.len())
    };
    let undone = if s.added == s.total {
        "take them out"
    } else if s.added == 0 {
        "give them back their earlier version"
    } else {
        "take them out or give them back their earlier version"
    };
    match s.later.as_slice() {
        [(_, file)] => format!(
            "{eacs} also stated by a later import's document, import {}: {}. Undoing it would \
             {undone} while that document still states them: undo import {} first, then this \
             one, and import {file} again if those EACs should stay.",
            imports(),
            named_ids(&s.ids, s.total),
            s.later[0].0,
        ),
        _ => format!(
            "{eacs} also stated by later imports' documents, imports {}: {}. Undoing it would \
             {undone} while those documents still state them: undo imports {} first (newest \
             first), then this one, and import one of those files again if those EACs should \
             stay.",
            imports(),
            named_ids(&s.ids, s.total),
            eac_model::words::first_named(
                s.later.iter().rev().map(|(id, _)| id),
                MAX_LATER,
                s.later.len()
            ),
        ),
    }
}

/// Later imports a refusal names ([`stated_words`]).
const MAX_LATER: usize = 10;

/// Undoes (or, dry run, plans the undo of) import batch `batch_id`. More
/// EACs to remove, restore or unlink than `confirmed` allows are refused
/// before any is written.
pub(crate) fn undo_import(
    w: &Write,
    batch_id: i64,
    reason: &Reason,
    os_user: &str,
    dry_run: bool,
    confirmed: crate::Confirmed,
    progress: &dyn Progress,
) -> Result<UndoReport> {
    let db = w.db();
    if !dry_run && db.kind() == crate::db::Kind::Postgres {
        // On a server the EACs the import added or replaced are locked
        // before anything of it is read (a desk changing one meanwhile is
        // waited for, then its change is seen as a later one; a second undo
        // of it waits, then finds it undone).
        for (table, alias) in [("eacs", "e"), ("eac_envelopes", "v")] {
            let mut sql = Sql::on(
                db,
                &format!(
                    "SELECT {alias}.id FROM {table} {alias} WHERE {alias}.cds_eac_id IN
                       (SELECT cds_eac_id FROM import_changes WHERE batch_id = "
                ),
            );
            sql.bind(batch_id).push(")");
            crate::lock::select(w, sql, alias, true, |_| Ok(()))?;
        }
    }
    let batch: Option<(String, Option<String>, Option<i64>)> = db.query_opt(
        "SELECT file_name, undone_at, last_audit_id FROM import_batches WHERE id = ?1",
        &[&batch_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let Some((file_name, undone_at, last_audit_id)) = batch else {
        return Err(StoreError::NoBatch(batch_id));
    };
    if let Some(at) = undone_at {
        let at = rows::timestamp(&at).map(|t| t.to_string()).unwrap_or(at);
        return Err(StoreError::InvalidInput(format!(
            "Import {batch_id} ({file_name}) was already undone at {at}; nothing was changed."
        )));
    }
    let Some(last_audit_id) = last_audit_id else {
        return Err(StoreError::InvalidInput(format!(
            "Import {batch_id} ({file_name}) {OLDER_VERSION}, so it cannot be undone. Delete the \
             EACs you do not want instead (`eacdesk delete`). Nothing was changed."
        )));
    };
    let changes: Vec<(String, String, String, Option<i64>)> = db.collect(
        "SELECT cds_eac_id, change, kind, audit_id FROM import_changes
          WHERE batch_id = ?1 ORDER BY cds_eac_id",
        &[&batch_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;

    // Plan: what to take out and what to put back; refuse on any conflict.
    // (What is stored now, to take out — none for an EAC the import
    // removed —, and the version to put back.)
    let mut plan: Vec<(Option<Current>, Option<Current>)> = Vec::new();
    let mut conflicts: Vec<String> = Vec::new();
    let mut already_removed = 0;
    let total = changes.len() as u64;
    let mut last_progress = Instant::now();
    let mut done = 0;
    // A group of EACs at a time: their stored states and later changes
    // are asked for together (a round trip each on a server).
    for group in changes.chunks(UNDO_GROUP) {
        let ids: Vec<&str> = group.iter().map(|c| c.0.as_str()).collect();
        let mut currents = find_many(db, &ids)?;
        let later = later_changes(db, &ids, last_audit_id)?;
        for (k, (id, change, kind, audit_id)) in group.iter().enumerate() {
            if progress.is_cancelled() {
                return Err(StoreError::Cancelled);
            }
            if last_progress.elapsed() >= PROGRESS_EVERY {
                last_progress = Instant::now();
                progress.update(crate::Phase::UndoImport, done, Some(total));
            }
            done += 1;
            let (id, audit_id) = (id.clone(), *audit_id);
            let added = change == "added";
            let Some(current) = currents[k].take() else {
                if added {
                    already_removed += 1;
                    continue;
                }
                // An EAC the import removed (a registry document said it
                // was split into the bundles it lists, [`registry_split`])
                // and nothing stored again since: put back.
                match removed_by(db, audit_id, later[k])? {
                    Some(earlier) => {
                        earlier.check_period(w)?;
                        plan.push((None, Some(earlier)));
                    }
                    None => conflicts.push(id),
                }
                continue;
            };
            let unchanged = Kind::parse(kind) == Some(current.kind())
                && current.batch() == batch_id
                && !later[k];
            if !unchanged {
                conflicts.push(id);
                continue;
            }
            let earlier = match audit_id {
                None => None,
                Some(audit_id) => {
                    let state: Option<String> = db.query_row(
                        "SELECT before_state FROM audit_log WHERE id = ?1",
                        &[&audit_id],
                        |r| Ok(r.get(0)?),
                    )?;
                    let parsed = state.as_deref().map(parse_state).transpose();
                    match parsed {
                        Ok(Some(state)) => Some(state),
                        Ok(None) | Err(_) => {
                            return Err(StoreError::InvalidInput(format!(
                                "The version of `{id}` that import {batch_id} replaced cannot be \
                                 read back from audit record {audit_id} (changed outside EAC Desk); \
                                 the import cannot be undone. Nothing was changed."
                            )))
                        }
                    }
                }
            };
            if !added && earlier.is_none() {
                conflicts.push(id);
                continue;
            }
            // Refused whole (the dry run too) when either version lies in a
            // closed period.
            current.check_period(w)?;
            if let Some(earlier) = &earlier {
                earlier.check_period(w)?;
            }
            plan.push((Some(current), earlier));
        }
    }
    if !conflicts.is_empty() {
        return Err(StoreError::Conflict {
            message: format!(
                "Import {batch_id} ({file_name}) cannot be undone: {} Nothing was changed.",
                changed_words(&conflicts, conflicts.len())
            ),
            ids: conflicts,
        });
    }
    // EACs a later import's document still states (it found them as this
    // import left them and named its document): taking them out or
    // changing them would leave that import's document stating EACs that
    // are gone, and its undo with nothing to take off. Refused, the dry
    // run too, naming the later imports to undo first.
    if let Some(stated) = stated_later(db, batch_id)? {
        return Err(StoreError::Conflict {
            message: format!(
                "Import {batch_id} ({file_name}) cannot be undone: {} Nothing was changed.",
                stated_words(&stated)
            ),
            ids: stated.ids,
        });
    }
    // The stored EACs the import found unchanged in its registry document
    // and named it as a source of: they stay as they are, the document's
    // rows come off them, each change recorded (as an undo's `sources`).
    let unlinked: Vec<(i64, String)> = db.collect(
        "SELECT e.id, e.cds_eac_id FROM eacs e
          WHERE EXISTS (SELECT 1 FROM eac_sources s
                         WHERE s.eac_id = e.id AND s.import_batch_id = ?1)
            AND e.cds_eac_id NOT IN (SELECT cds_eac_id FROM import_changes WHERE batch_id = ?1)
          ORDER BY e.cds_eac_id",
        &[&batch_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if plan.is_empty() && unlinked.is_empty() {
        // Nothing stored would change: the batch is left as it is (an
        // undo marked done would be a change no record tells of).
        return Err(StoreError::InvalidInput(match already_removed {
            0 => format!(
                "Import {batch_id} ({file_name}) cannot be undone: it added no EAC and \
                 replaced none, and no stored EAC names its document as a source now, so there \
                 is nothing to undo. Nothing was changed."
            ),
            n => format!(
                "Import {batch_id} ({file_name}) cannot be undone: every EAC it added ({n}) has \
                 been deleted since, so there is nothing to undo (the audit log keeps each \
                 deletion with its reason). Nothing was changed."
            ),
        }));
    }
    // The EACs it would change, as found here under the write lock (not
    // as a dry run counted them before): more than confirmed is refused.
    confirmed.check(plan.len() + unlinked.len())?;
    if dry_run {
        // What the undo's writes ask the claims guard (taking the EACs out,
        // `rows::delete_many`, then putting the earlier versions back,
        // `Current::insert`), asked here, where nothing is written: the dry
        // run is refused as the undo is (it had said an undo the claims
        // refuse would go through).
        let rows: Vec<i64> = (plan.iter())
            .filter_map(|(current, _)| match current {
                Some(Current::Eac { row, .. }) => Some(*row),
                _ => None,
            })
            .collect();
        crate::claimed::check_removed_many(w, &rows)?;
        for earlier in plan.iter().filter_map(|(_, earlier)| earlier.as_ref()) {
            if let Current::Eac { eac, .. } = earlier {
                crate::claimed::check_restored(w, eac)?;
            }
        }
    }
    let mut report = UndoReport {
        batch_id,
        file_name: file_name.clone(),
        dry_run,
        removed: plan.iter().filter(|(_, e)| e.is_none()).count(),
        restored: plan.iter().filter(|(_, e)| e.is_some()).count(),
        already_removed,
        unlinked: unlinked.len(),
        ids: (plan.iter())
            .filter_map(|(c, e)| c.as_ref().or(e.as_ref()).map(Current::id))
            .chain(unlinked.iter().map(|(_, id)| id.as_str()))
            .take(MAX_NAMED)
            .map(str::to_owned)
            .collect(),
    };
    if dry_run {
        return Ok(report);
    }
    let total = (plan.len() + unlinked.len()) as u64;
    // A group at a time, as a deletion: the group's records in one
    // statement, its rows removed together, then the versions it replaced
    // put back.
    let mut done = 0;
    for group in plan.chunks(UNDO_GROUP) {
        let mut entries = Vec::with_capacity(group.len());
        for (current, earlier) in group {
            // Asked before each EAC, as when each was undone on its own.
            if progress.is_cancelled() {
                return Err(StoreError::Cancelled);
            }
            let Some(id) = current.as_ref().or(earlier.as_ref()).map(Current::id) else {
                continue;
            };
            entries.push(AuditEntry {
                cds_eac_id: id,
                action: UNDO_IMPORT,
                before: current.as_ref().map(|c| AuditSide::of(c.assignment())),
                after: earlier.as_ref().map(|e| AuditSide::of(e.assignment())),
                before_state: current.as_ref().map(Current::state),
                after_state: earlier.as_ref().map(Current::state),
                reason,
                os_user,
                source_file: Some(&file_name),
                import_batch_id: Some(batch_id),
            });
        }
        edit::insert_many(w, entries)?;
        remove_all(w, group.iter().filter_map(|(current, _)| current.as_ref()))?;
        for earlier in group.iter().filter_map(|(_, earlier)| earlier.as_ref()) {
            earlier.insert(w)?;
        }
        done += group.len();
        if last_progress.elapsed() >= PROGRESS_EVERY {
            last_progress = Instant::now();
            progress.update(crate::Phase::UndoImport, done as u64, Some(total));
        }
    }
    // The EACs it only named its document as a source of: each recorded
    // with its documents before and after (its rows go below, together).
    for group in unlinked.chunks(UNDO_GROUP) {
        if progress.is_cancelled() {
            return Err(StoreError::Cancelled);
        }
        let rows: Vec<i64> = group.iter().map(|(row, _)| *row).collect();
        let befores = states_of_rows(db, &rows)?;
        let afters: Vec<Current> = befores.iter().map(|b| unlinked_from(b, batch_id)).collect();
        let entries = (befores.iter().zip(&afters))
            .map(|(before, after)| AuditEntry {
                cds_eac_id: before.id(),
                action: UNDO_IMPORT,
                before: Some(AuditSide::of(before.assignment())),
                after: Some(AuditSide::of(after.assignment())),
                before_state: Some(before.state()),
                after_state: Some(after.state()),
                reason,
                os_user,
                source_file: Some(&file_name),
                import_batch_id: Some(batch_id),
            })
            .collect();
        edit::insert_many(w, entries)?;
        done += group.len();
        if last_progress.elapsed() >= PROGRESS_EVERY {
            last_progress = Instant::now();
            progress.update(crate::Phase::UndoImport, done as u64, Some(total));
        }
    }
    if progress.is_cancelled() {
        return Err(StoreError::Cancelled);
    }
    // A registry document the import found EACs unchanged in is no longer
    // where they came from: its rows go (those of EACs it added or
    // replaced went with them, and what was there before came back). A
    // later document's row that refers to one of their statements (it
    // stated the EAC the same, `registry::SAME_AS`) keeps the statement.
    db.execute(
        "UPDATE eac_sources AS s SET stated = (
            SELECT t.stated FROM eac_sources t JOIN documents d ON d.id = t.document_id
             WHERE t.eac_id = s.eac_id AND t.import_batch_id = ?1
               AND '=' || d.sha256 || t.locator = s.stated)
          WHERE s.import_batch_id <> ?1 AND s.stated LIKE '=%'
            AND EXISTS (
            SELECT 1 FROM eac_sources t JOIN documents d ON d.id = t.document_id
             WHERE t.eac_id = s.eac_id AND t.import_batch_id = ?1
               AND '=' || d.sha256 || t.locator = s.stated)",
        &[&batch_id],
    )?;
    db.execute(
        "DELETE FROM eac_sources WHERE import_batch_id = ?1",
        &[&batch_id],
    )?;
    db.execute(
        "UPDATE import_batches SET undone_at = ?2 WHERE id = ?1",
        &[&batch_id, &w.at().to_storage()],
    )?;
    progress.update(crate::Phase::UndoImport, total, Some(total));
    report.dry_run = false;
    Ok(report)
}

/// `before` (a stored EAC with its documents) as it is once the rows of
/// import batch `batch` are taken off it: the record of the version
/// after keeps its documents without what each stated, as an import's.
fn unlinked_from(before: &Current, batch: i64) -> Current {
    let Current::Eac {
        row,
        eac,
        batch: written_by,
        synced,
        attached,
    } = before
    else {
        unreachable!("only a stored EAC names registry documents")
    };
    let mut kept = attached.clone().unwrap_or_default().without_statements();
    kept.sources.retain(|s| s.import_batch_id != Some(batch));
    Current::Eac {
        row: *row,
        eac: eac.clone(),
        batch: *written_by,
        synced: synced.clone(),
        attached: Some(kept),
    }
}

/// How many changed values an audit record lists one by one; the others
/// are counted ("and 4 more values"), the states keep them all.
const VALUES_LISTED: usize = 3;

/// A member of a saved state as the audit shows it: a string's text, else
/// the JSON as written (a number's literal); `None` for null.
fn member_text(raw: &RawValue) -> Option<String> {
    match serde_json::from_str::<Option<String>>(raw.get()) {
        Ok(text) => text,
        Err(_) => Some(raw.get().to_owned()),
    }
}

/// The changes between two states' `values` (JSON arrays as written): the
/// count when it changed, then each value that differs, by its number (the
/// first [`VALUES_LISTED`]: `value 1: 1e3 kWh → 2.50 kWh`, only what
/// differs besides the quantity, `retired (none) → 2024-03-01`), then how
/// many more differ (`and 4 more values`, with no sides).
fn value_changes(before: Option<&str>, after: Option<&str>) -> Vec<FieldChange> {
    type Value = std::collections::BTreeMap<String, Box<RawValue>>;
    let list = |text: Option<&str>| -> Vec<Value> {
        text.and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_default()
    };
    let (before, after) = (list(before), list(after));
    let mut changes = Vec::new();
    let count = |n: usize| match n {
        1 => "1 value".to_owned(),
        n => format!("{n} values"),
    };
    if before.len() != after.len() {
        changes.push(FieldChange {
            field: "values".to_owned(),
            before: Some(count(before.len())),
            after: Some(count(after.len())),
        });
    }
    let text = |v: &Value, key: &str| {
        v.get(key)
            .and_then(|raw| member_text(raw))
            .unwrap_or_else(|| "(none)".to_owned())
    };
    let quantity = |v: &Value| format!("{} {}", text(v, "value"), text(v, "unit"));
    let same = |b: &Value, a: &Value, key: &str| {
        b.get(key).map(|r| r.get()) == a.get(key).map(|r| r.get())
    };
    // The members of a value in the order the spec gives them, then any
    // others (extensions) in name order.
    const MEMBERS: [&str; 5] = ["eac_number", "issued", "retired", "start", "end"];
    let others = |b: Option<&Value>, a: Option<&Value>| -> Vec<String> {
        let mut keys: Vec<String> = (b.into_iter().chain(a))
            .flat_map(|v| v.keys().cloned())
            .filter(|k| !MEMBERS.contains(&k.as_str()) && k != "value" && k != "unit")
            .collect();
        keys.sort();
        keys.dedup();
        keys
    };
    let differing: Vec<usize> = (0..before.len().max(after.len()))
        .filter(|&i| match (before.get(i), after.get(i)) {
            (Some(b), Some(a)) => {
                b.len() != a.len()
                    || b.iter()
                        .any(|(k, raw)| a.get(k).map(|r| r.get()) != Some(raw.get()))
            }
            _ => true,
        })
        .collect();
    for &i in differing.iter().take(VALUES_LISTED) {
        let (b, a) = (before.get(i), after.get(i));
        let (b_text, a_text) = match (b, a) {
            (Some(b), Some(a)) => {
                let (mut bs, mut as_) = (Vec::new(), Vec::new());
                if !same(b, a, "value") || !same(b, a, "unit") {
                    bs.push(quantity(b));
                    as_.push(quantity(a));
                }
                let keys = MEMBERS
                    .iter()
                    .map(|k| (*k).to_owned())
                    .chain(others(Some(b), Some(a)));
                for key in keys.filter(|k| !same(b, a, k)) {
                    bs.push(format!("{key} {}", text(b, &key)));
                    as_.push(format!("{key} {}", text(a, &key)));
                }
                (Some(bs.join(", ")), Some(as_.join(", ")))
            }
            // Added or taken away: what it held.
            (one, other) => {
                let whole = |v: &Value| {
                    let mut parts = vec![quantity(v)];
                    for key in MEMBERS {
                        if let Some(t) = v.get(key).and_then(|raw| member_text(raw)) {
                            parts.push(format!("{key} {t}"));
                        }
                    }
                    parts.join(", ")
                };
                (one.map(whole), other.map(whole))
            }
        };
        changes.push(FieldChange {
            field: format!("value {}", i + 1),
            before: b_text,
            after: a_text,
        });
    }
    if differing.len() > VALUES_LISTED {
        changes.push(FieldChange {
            field: format!("and {} more values", differing.len() - VALUES_LISTED),
            before: None,
            after: None,
        });
    }
    changes
}

/// The fields that differ between two saved states (either may be absent),
/// for the audit view; beneficiaries are left out (the record's
/// `before`/`after` show them). An unreadable state is an `Err` naming it.
pub(crate) fn state_changes(
    before: Option<&str>,
    after: Option<&str>,
) -> std::result::Result<Vec<FieldChange>, String> {
    type Fields = Vec<(String, Option<String>)>;
    type Read = (String, Fields, Option<Attached>);
    let fields = |text: &str| -> std::result::Result<Read, String> {
        let mut state: StateIn = serde_json::from_str(text)
            .map_err(|_| "the saved EAC state is not readable".to_owned())?;
        let attached = state.attached();
        let map: std::collections::BTreeMap<String, Box<RawValue>> =
            serde_json::from_str(state.data.get())
                .map_err(|_| "the saved EAC state is not readable".to_owned())?;
        let mut out: Fields = Vec::new();
        for (key, raw) in map {
            // The values as written: compared, then told value by value.
            let shown = if key == "values" {
                Some(raw.get().to_owned())
            } else {
                member_text(&raw)
            };
            out.push((key, shown));
        }
        Ok((state.kind, out, attached))
    };
    let (Some(before), Some(after)) = (before, after) else {
        // Added or removed whole: the action says so. Still check readability.
        for text in [before, after].into_iter().flatten() {
            fields(text)?;
        }
        return Ok(Vec::new());
    };
    let (before_kind, before, before_attached) = fields(before)?;
    let (after_kind, after, after_attached) = fields(after)?;
    let mut changes = Vec::new();
    if before_kind != after_kind {
        changes.push(FieldChange {
            field: "kind".to_owned(),
            before: Some(before_kind),
            after: Some(after_kind),
        });
    }
    let mut keys: Vec<&String> = before.iter().chain(after.iter()).map(|(k, _)| k).collect();
    keys.sort();
    keys.dedup();
    let get = |list: &Fields, key: &str| {
        list.iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.clone())
    };
    for key in keys {
        if matches!(
            key.as_str(),
            "beneficiaries" | "beneficiary_type" | "cds_eac_id"
        ) {
            continue;
        }
        let (b, a) = (get(&before, key), get(&after, key));
        // The same instant written two ways (an envelope row keeps the
        // storage form `…00.000000000Z`, an EAC's state `…00Z`) is no change.
        let same_instant = match (&b, &a) {
            (Some(b), Some(a)) => matches!(
                (Timestamp::parse(b), Timestamp::parse(a)),
                (Ok(x), Ok(y)) if x == y
            ),
            _ => false,
        };
        if b != a && !same_instant {
            if key == "values" {
                changes.extend(value_changes(b.as_deref(), a.as_deref()));
                continue;
            }
            changes.push(FieldChange {
                field: key.clone(),
                before: b,
                after: a,
            });
        }
    }
    // The registry documents and ranges, when both states keep them (an
    // import replacing an EAC that had some): taken off, or kept.
    if let (Some(b), Some(a)) = (before_attached, after_attached) {
        for (field, b, a) in [
            ("sources", b.sources_text(), a.sources_text()),
            ("ranges", b.ranges_text(), a.ranges_text()),
        ] {
            if b != a {
                changes.push(FieldChange {
                    field: field.to_owned(),
                    before: b,
                    after: a,
                });
            }
        }
    }
    Ok(changes)
}
