//! Envelope-only EACs: stored, listed, and refused where P1 needs values.

use std::io::{self};
use std::path::Path;

use eac_model::p2::EacEnvelope;
use eac_model::{Rule, Violation};
use rusqlite::ToSql;

use crate::db::{Db, DbRow};
use crate::import::MAX_REPORTED;
use crate::rows::{self};
use crate::write::Write;
use crate::{Result, StoreError};

use super::io_err;

/// The columns of an envelope-only EAC, in the order [`envelope_of`] reads.
const ENVELOPE_SELECT: &str = "SELECT cds_eac_id, cds_created, cds_modified, cds_synced,
        beneficiary_type, beneficiaries, eac_numbers, eac_format, eac_data_url, period_start,
        period_end, extensions
   FROM eac_envelopes";

/// P2 order (newest period first) of stored envelope-only EACs.
const ENVELOPE_ORDER: &str = " ORDER BY period_start DESC, cds_created DESC, cds_eac_id ASC";

/// How many envelope-only EACs a bundle export holds in memory at a time.
const ENVELOPE_CHUNK: i64 = 256;

/// One row of [`ENVELOPE_SELECT`].
fn envelope_of(row: &dyn DbRow) -> rusqlite::Result<EacEnvelope> {
    let list = |row: &dyn DbRow, idx: usize| -> rusqlite::Result<Vec<String>> {
        rows::parsed(row, idx, |t| serde_json::from_str(t).ok())
    };
    Ok(EacEnvelope {
        cds_eac_id: row.get(0)?,
        cds_created: rows::parsed(row, 1, rows::timestamp)?,
        cds_modified: rows::parsed(row, 2, rows::timestamp)?,
        cds_synced: rows::parsed(row, 3, rows::timestamp)?,
        beneficiary_type: rows::parsed(row, 4, eac_model::BeneficiaryType::parse)?,
        beneficiaries: list(row, 5)?,
        eac_numbers: list(row, 6)?,
        eac_format: row.get(7)?,
        eac_data_url: row.get(8)?,
        period_start: rows::parsed(row, 9, rows::timestamp)?,
        period_end: rows::parsed(row, 10, rows::timestamp)?,
        extensions: match row.get::<Option<String>>(11)? {
            None => eac_model::Extensions::default(),
            Some(t) => rows::parsed(row, 11, |_| eac_model::extensions_from_json(&t).ok())?,
        },
    })
}

/// Stored envelope-only EACs in P2 order, read a chunk at a time (keyset
/// pagination on the order's columns), so a bundle export holds at most
/// [`ENVELOPE_CHUNK`] of them whatever the store's size. Run inside the
/// export's read snapshot, every chunk comes from the same state. The
/// order's columns are never NULL and text compares byte by byte on both
/// backends (a server database has the C collation), so the order is the
/// same on a server.
pub(super) struct EnvelopeCursor<'c> {
    conn: &'c dyn Db,
    chunk: std::collections::VecDeque<EacEnvelope>,
    /// The stored `(period_start, cds_created, cds_eac_id)` of the last row
    /// read; `None` before the first chunk.
    after: Option<(String, String, String)>,
    done: bool,
}

impl<'c> EnvelopeCursor<'c> {
    pub(super) fn new(conn: &'c dyn Db) -> Self {
        EnvelopeCursor {
            conn,
            chunk: std::collections::VecDeque::new(),
            after: None,
            done: false,
        }
    }

    /// An empty cursor (a filtered export has no envelope-only EACs).
    pub(super) fn none(conn: &'c dyn Db) -> Self {
        EnvelopeCursor {
            done: true,
            ..EnvelopeCursor::new(conn)
        }
    }

    fn fill(&mut self) -> Result<()> {
        if !self.chunk.is_empty() || self.done {
            return Ok(());
        }
        let first = format!("{ENVELOPE_SELECT}{ENVELOPE_ORDER} LIMIT ?1");
        let next = format!(
            "{ENVELOPE_SELECT}
              WHERE period_start < ?2
                 OR (period_start = ?2 AND (cds_created < ?3
                     OR (cds_created = ?3 AND cds_eac_id > ?4)))
              {ENVELOPE_ORDER} LIMIT ?1"
        );
        let (sql, params): (&str, Vec<&dyn ToSql>) = match &self.after {
            None => (&first, vec![&ENVELOPE_CHUNK]),
            Some((start, created, id)) => (&next, vec![&ENVELOPE_CHUNK, start, created, id]),
        };
        let mut read: i64 = 0;
        let (chunk, mut after) = (&mut self.chunk, None);
        self.conn.each(sql, &params, &mut |row| {
            chunk.push_back(envelope_of(row)?);
            after = Some((row.get(9)?, row.get(1)?, row.get(0)?));
            read += 1;
            Ok(())
        })?;
        if after.is_some() {
            self.after = after;
        }
        self.done = read < ENVELOPE_CHUNK;
        Ok(())
    }

    /// The next envelope without taking it.
    pub(super) fn peek(&mut self) -> Result<Option<&EacEnvelope>> {
        self.fill()?;
        Ok(self.chunk.front())
    }

    /// The next envelope.
    pub(super) fn next_envelope(&mut self) -> Result<Option<EacEnvelope>> {
        self.fill()?;
        Ok(self.chunk.pop_front())
    }
}

/// The formats of stored envelope-only EACs other than `except`, in text
/// order: a bundle declares each in its metadata (rule 18).
pub(super) fn envelope_formats(conn: &dyn Db, except: &str) -> Result<Vec<String>> {
    conn.collect(
        "SELECT DISTINCT eac_format FROM eac_envelopes WHERE eac_format <> ?1 ORDER BY eac_format",
        &[&except],
        |row| Ok(row.get(0)?),
    )
}

/// A P1 export of everything cannot include envelope-only EACs (they have
/// no values, rule 16): refuse, naming them, before anything is written.
/// Each is placed where the listing would hold it (`/eacs/N/values`), as
/// the export's other refusals place theirs.
pub(crate) fn refuse_envelope_only(conn: &dyn crate::db::Db, dest: &Path) -> Result<()> {
    let ids = envelope_only_ids(conn, MAX_REPORTED)?;
    if ids.is_empty() {
        return Ok(());
    }
    let file = dest.display().to_string();
    let positions = listing_positions(conn, &ids)?;
    let violations = (ids.iter().zip(positions))
        .map(|(id, n)| {
            Violation::error(
                Rule::ValueQuantities,
                format!("/eacs/{n}/values"),
                format!(
                    "EAC `{id}` is envelope-only (imported from a P2 listing without its detail \
                     data): it has no values and cannot be exported as P1; export as P2 or \
                     import its detail data"
                ),
            )
            .with_eac(Some(id))
            .with_file(&file)
        })
        .collect();
    Err(StoreError::Rules { file, violations })
}

/// Where a P1 listing of everything would hold each of `ids`, the first
/// envelope-only EACs in id order: P1 order (`query::P1_ORDER`) puts an
/// EAC without an `eac_number` and without an issue date (an envelope has
/// neither) after every EAC with one, then by `cds_eac_id`, among the
/// stored EACs lacking both and the other envelope-only EACs.
fn listing_positions(conn: &dyn crate::db::Db, ids: &[String]) -> Result<Vec<i64>> {
    let dated: i64 = conn.query_row(
        "SELECT COUNT(*) FROM eacs WHERE eac_number IS NOT NULL OR issuance IS NOT NULL",
        &[],
        |row| Ok(row.get(0)?),
    )?;
    (ids.iter().enumerate())
        .map(|(earlier_envelopes, id)| {
            let undated: i64 = conn.query_row(
                "SELECT COUNT(*) FROM eacs
                  WHERE issuance IS NULL AND eac_number IS NULL AND cds_eac_id < ?1",
                &[id],
                |row| Ok(row.get(0)?),
            )?;
            Ok(dated + undated + earlier_envelopes as i64)
        })
        .collect()
}

/// Envelope-only EACs in P2 order, at most `limit` from `offset`.
pub(crate) fn envelope_only_rows(
    conn: &dyn Db,
    offset: usize,
    limit: usize,
) -> Result<Vec<crate::EnvelopeOnlyRow>> {
    // The page is cut in SQL: only the rows shown are read.
    conn.collect(
        &format!("{ENVELOPE_SELECT}{ENVELOPE_ORDER} LIMIT ?1 OFFSET ?2"),
        &[
            &rows::count(crate::page_size(limit)),
            &i64::try_from(offset).unwrap_or(i64::MAX),
        ],
        |row| Ok(envelope_only_row_of(row)?),
    )
}

/// The envelope-only EAC `cds_eac_id` (exact id), if the store holds one.
pub(crate) fn envelope_only_row(
    conn: &dyn Db,
    cds_eac_id: &str,
) -> Result<Option<crate::EnvelopeOnlyRow>> {
    conn.query_opt(
        &format!("{ENVELOPE_SELECT} WHERE cds_eac_id = ?1"),
        &[&cds_eac_id],
        |row| Ok(envelope_only_row_of(row)?),
    )
}

/// How many envelope-only EACs the store holds.
pub(crate) fn envelope_only_count(conn: &dyn Db) -> Result<usize> {
    let n: i64 = conn.query_row("SELECT COUNT(*) FROM eac_envelopes", &[], |row| {
        Ok(row.get(0)?)
    })?;
    Ok(rows::from_count(n))
}

/// One row of [`ENVELOPE_SELECT`] as the app and the CLI show it.
fn envelope_only_row_of(row: &dyn DbRow) -> rusqlite::Result<crate::EnvelopeOnlyRow> {
    let e = envelope_of(row)?;
    Ok(crate::EnvelopeOnlyRow {
        cds_eac_id: e.cds_eac_id,
        cds_created: e.cds_created.to_string(),
        cds_modified: e.cds_modified.to_string(),
        cds_synced: e.cds_synced.to_string(),
        beneficiary_type: e.beneficiary_type,
        beneficiaries: e.beneficiaries,
        eac_numbers: e.eac_numbers,
        eac_format: e.eac_format,
        eac_data_url: e.eac_data_url,
        period_start: e.period_start.to_string(),
        period_end: e.period_end.to_string(),
    })
}

/// Ids of envelope-only EACs (no values: they cannot be exported as P1).
pub(crate) fn envelope_only_ids(conn: &dyn crate::db::Db, limit: usize) -> Result<Vec<String>> {
    conn.collect(
        "SELECT cds_eac_id FROM eac_envelopes ORDER BY cds_eac_id LIMIT ?1",
        &[&i64::try_from(limit).unwrap_or(i64::MAX)],
        |row| Ok(row.get(0)?),
    )
}

/// Adds, replaces (newer `cds_modified`) or skips envelope-only EACs of the
/// newest import batch; a stored full EAC is never replaced by an envelope.
/// What storing envelope-only EACs did, added into the file's report at
/// the end.
#[derive(Debug, Default)]
pub(super) struct EnvelopeCounts {
    pub added: usize,
    pub replaced: usize,
    pub skipped: usize,
    /// Of `skipped`: stored otherwise than the listing states them (a
    /// later version, or the same `cds_modified` with other content),
    /// left as stored with their `cds_synced`.
    pub skipped_differing: usize,
    /// Warnings made (the first ones in `warnings`): one for each envelope
    /// stated differently with the same `cds_modified`.
    pub warned: usize,
    pub warnings: Vec<Violation>,
}

/// The envelope members in which `file` differs from `kept` (the stored
/// envelope with the same `cds_modified`; `cds_synced` is the store's own).
fn differing_fields(kept: &EacEnvelope, file: &EacEnvelope) -> Vec<&'static str> {
    let mut fields = Vec::new();
    let mut differ = |name: &'static str, same: bool| {
        if !same {
            fields.push(name);
        }
    };
    differ("cds_created", kept.cds_created == file.cds_created);
    differ(
        "beneficiary_type",
        kept.beneficiary_type == file.beneficiary_type,
    );
    differ("beneficiaries", kept.beneficiaries == file.beneficiaries);
    differ("eac_numbers", kept.eac_numbers == file.eac_numbers);
    differ("eac_format", kept.eac_format == file.eac_format);
    differ("eac_data_url", kept.eac_data_url == file.eac_data_url);
    differ("period_start", kept.period_start == file.period_start);
    differ("period_end", kept.period_end == file.period_end);
    differ("extensions", kept.extensions == file.extensions);
    fields
}

/// An envelope-only EAC the listing states differently from the stored one
/// with the same `cds_modified`: kept as stored (decision 11), said so.
fn envelope_differs(file: &EacEnvelope, fields: &[&str]) -> Violation {
    let mut v = Violation::unruled(format!(
        "EAC `{}` (envelope-only) is stored with the same `cds_modified` ({}) as this listing \
         gives, but the listing states it differently ({}): the stored envelope is kept, since an \
         import replaces an EAC only with a later `cds_modified`. If the listing is right, ask its \
         source for a later `cds_modified`, or delete the stored EAC and import the listing again.",
        file.cds_eac_id,
        file.cds_modified,
        fields.join(", ")
    ))
    .with_eac(Some(&file.cds_eac_id));
    v.severity = eac_model::Severity::Warning;
    v
}

/// Adds what storing envelope-only EACs did to the newest import batch's
/// row (its full EACs' counts were written when they were stored; the
/// envelopes came between them).
pub(super) fn record_envelope_counts(w: &Write, counts: &EnvelopeCounts) -> Result<()> {
    w.db().execute(
        "UPDATE import_batches SET added = added + ?1, replaced = replaced + ?2,
            skipped = skipped + ?3
          WHERE id = (SELECT max(id) FROM import_batches)",
        &[
            &rows::count(counts.added),
            &rows::count(counts.replaced),
            &rows::count(counts.skipped),
        ],
    )?;
    Ok(())
}

pub(super) fn store_envelopes(
    w: &Write,
    envelopes: Vec<EacEnvelope>,
    report: &mut EnvelopeCounts,
) -> Result<()> {
    let db = w.db();
    let (batch, synced): (i64, String) = db.query_row(
        "SELECT id, imported_at FROM import_batches ORDER BY id DESC LIMIT 1",
        &[],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let json = |list: &[String]| {
        serde_json::to_string(list)
            .map_err(io::Error::other)
            .map_err(io_err(Path::new("eac_envelopes")))
    };
    for env in envelopes {
        if rows::find(db, &env.cds_eac_id)?.is_some() {
            report.skipped += 1;
            continue;
        }
        let stored: Option<EacEnvelope> = db.query_opt(
            &format!("{ENVELOPE_SELECT} WHERE cds_eac_id = ?1"),
            &[&env.cds_eac_id],
            |row| Ok(envelope_of(row)?),
        )?;
        let modified = env.cds_modified.to_storage();
        match stored.map(|old| (old.cds_modified.to_storage(), old)) {
            Some((old, kept)) if old >= modified => {
                report.skipped += 1;
                // A later version stored, or the same stamp stated
                // otherwise (warned of): not what the listing says, so not
                // marked checked against it.
                let fields = differing_fields(&kept, &env);
                if old > modified || !fields.is_empty() {
                    report.skipped_differing += 1;
                    if old == modified {
                        report.warned += 1;
                        if report.warnings.len() < MAX_REPORTED {
                            report.warnings.push(envelope_differs(&env, &fields));
                        }
                    }
                    continue;
                }
                db.execute(
                    "UPDATE eac_envelopes SET cds_synced = ?2 WHERE cds_eac_id = ?1",
                    &[&env.cds_eac_id, &synced],
                )?;
                continue;
            }
            Some(_) => {
                crate::periods::check_id(w, &env.cds_eac_id)?;
                crate::history::envelope_replacing(w, &env.cds_eac_id, batch)?;
                db.execute(
                    "DELETE FROM eac_envelopes WHERE cds_eac_id = ?1",
                    &[&env.cds_eac_id],
                )?;
                report.replaced += 1;
            }
            None => report.added += 1,
        }
        crate::periods::check(w, &env.cds_eac_id, &env.period_start, &env.period_end)?;
        db.execute(
            "INSERT INTO eac_envelopes (cds_eac_id, cds_created, cds_modified, cds_synced,
                beneficiary_type, beneficiaries, eac_numbers, eac_format, eac_data_url,
                period_start, period_end, extensions, import_batch_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            &[
                &env.cds_eac_id,
                &env.cds_created.to_storage(),
                &modified,
                &synced,
                &env.beneficiary_type.as_str(),
                &json(&env.beneficiaries)?,
                &json(&env.eac_numbers)?,
                &env.eac_format,
                &env.eac_data_url,
                &env.period_start.to_storage(),
                &env.period_end.to_storage(),
                &eac_model::extensions_to_json(&env.extensions),
                &batch,
            ],
        )?;
    }
    Ok(())
}
