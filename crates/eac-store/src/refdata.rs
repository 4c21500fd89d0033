//! Reference data behind beneficiaries (digest §e): ids that accounts,
//! service contracts and programs listings name, with labels for people.
//! An import is one transaction: a document with any violation writes
//! nothing. Beneficiary edits are checked against it and only warned about.

use std::io::{BufReader, Read};
use std::path::Path;

use eac_model::refdata::{read_refdata, RefDocument};
use eac_model::BeneficiaryType;

use serde::{Deserialize, Serialize};

use crate::rows;
use crate::write::{Reason, Write};
use crate::{AuditAction, Choice, Progress, Result, Store, StoreError};

/// How many ids of one beneficiary type a reference document held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RefdataCount {
    pub beneficiary_type: BeneficiaryType,
    pub count: usize,
}

/// One imported reference document (one transaction).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RefdataReport {
    pub file: String,
    pub document: eac_model::refdata::RefDocument,
    /// Ids read per beneficiary type, each once (a file giving an entry's
    /// id twice is refused; a customer or rate plan several entries share
    /// is one id); an id already stored counts again.
    pub counts: Vec<RefdataCount>,
    /// Of those, ids the database did not hold before.
    pub added: u64,
    /// Of those, ids it held with another label, now replaced (decision 27).
    pub labels_changed: u64,
    /// What the reader noticed and imported anyway, in words: a listing
    /// that is one page of several (its `next` link).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// One id a beneficiary list may name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RefdataEntry {
    pub beneficiary_type: BeneficiaryType,
    pub id: String,
    /// For people, e.g. `22222-1 · Acme Ltd, 1 Main St`.
    pub label: String,
    pub source_file: String,
    /// UTC, RFC 3339.
    pub imported_at: String,
}

impl Store {
    /// Imports one accounts / service contracts listing or programs list
    /// (detected from its first bytes) as one transaction: any violation
    /// writes nothing. Ids already known get the new label.
    pub fn import_refdata(
        &mut self,
        path: &Path,
        progress: &dyn Progress,
    ) -> Result<RefdataReport> {
        // On a server database too (decision 220).
        self.write_either(|w| import(w, path, progress))
    }

    /// How many ids of each type are stored (types with none are left out).
    pub fn refdata_counts(&self) -> Result<Vec<RefdataCount>> {
        counts(self.db())
    }

    /// Reference data of one type (or all) whose id or label contains
    /// `search` (any case); `limit` 0 means all.
    pub fn refdata(
        &self,
        kind: Option<BeneficiaryType>,
        search: Option<&str>,
        limit: usize,
    ) -> Result<Vec<RefdataEntry>> {
        list(self.db(), kind, search, limit)
    }

    /// [`Store::refdata`] (all of it) one entry at a time as the rows are
    /// read: memory independent of how many ids are stored.
    pub fn refdata_each(
        &self,
        kind: Option<BeneficiaryType>,
        search: Option<&str>,
        each: &mut dyn FnMut(RefdataEntry) -> Result<()>,
    ) -> Result<()> {
        list_each(self.db(), kind, search, 0, each)
    }

    /// The ids of `ids` not named by the reference data of `kind`, in
    /// order. Empty for `general`, and when no reference data of `kind` was
    /// ever imported (nothing to check against).
    pub fn unknown_beneficiaries(
        &self,
        kind: BeneficiaryType,
        ids: &[String],
    ) -> Result<Vec<String>> {
        unknown(self.db(), kind, ids)
    }

    /// Removes the ids `ids` of `kind` from the reference data in one
    /// write, audited (`refdata_remove`, keeping the entries removed);
    /// `dry_run` says what would be removed and writes nothing. Refused
    /// (`not_found`, nothing removed) when any of them is not stored, and
    /// (`invalid_input`) for `general`, none, or an id given twice. EACs
    /// that still name a removed id are counted in the report, never a
    /// refusal (decision 26: their ids are then unknown, and warned of).
    pub fn remove_refdata(
        &mut self,
        kind: BeneficiaryType,
        ids: &[String],
        reason: &Reason,
        os_user: &str,
        dry_run: bool,
    ) -> Result<RefdataRemoval> {
        if dry_run {
            self.dry_run_either(|w| remove(w, kind, ids, reason, os_user, true))
        } else {
            self.write_either(|w| remove(w, kind, ids, reason, os_user, false))
        }
    }

    /// Suggestions for the beneficiary editor: reference data whose id or
    /// label starts with `prefix` (any case) with its label, then ids
    /// already used with `kind` in the store (labelled with themselves).
    pub fn beneficiary_choices(
        &self,
        kind: BeneficiaryType,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<Choice>> {
        choices(self.db(), kind, prefix, limit)
    }
}

/// Reads the reference document at `path` into the `refdata` table
/// through the write `w`, at its time. Existing ids get the new label.
/// Changed labels an import's audit record names (the rest are counted).
const NAMED_CHANGES: usize = 50;

pub(crate) fn import(w: &Write, path: &Path, progress: &dyn Progress) -> Result<RefdataReport> {
    let io_error = |source| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    // Opened once as a regular file (a named pipe there is named, never
    // waited on: a plain open hung until killed), read again from its start.
    let mut file = match crate::regular::open_following(path).map_err(io_error)? {
        crate::regular::Regular::File(file) => file,
        crate::regular::Regular::Missing => {
            return Err(io_error(std::io::ErrorKind::NotFound.into()))
        }
        crate::regular::Regular::Not("a folder") => {
            return Err(StoreError::InvalidInput(format!(
                "{} is a folder: `refdata import` reads files (CDS accounts or service contracts \
                 listings, programs lists as CSV or JSON); name the files in it instead. Nothing \
                 was imported from it.",
                path.display()
            )))
        }
        crate::regular::Regular::Not(kind) => {
            return Err(StoreError::InvalidInput(format!(
                "{} is {kind}, not a regular file: `refdata import` reads reference data only \
                 from a file. Nothing was imported from it.",
                path.display()
            )))
        }
    };
    let mut head = Vec::with_capacity(4096);
    (&file)
        .take(4096)
        .read_to_end(&mut head)
        .map_err(io_error)?;
    std::io::Seek::rewind(&mut file).map_err(io_error)?;
    let document = RefDocument::detect(&head).ok_or_else(|| StoreError::NotReferenceData {
        path: path.to_owned(),
    })?;
    // On a server, imports of reference data take turns (the audit
    // chain's lock): the counts of what each added and relabelled hold.
    crate::lock::chain_first(w)?;
    let file_label = path.display().to_string();
    let at = w.at().to_storage();
    let db = w.db();
    let mut counts: Vec<RefdataCount> = Vec::new();
    let mut failure: Option<StoreError> = None;
    let mut done: u64 = 0;
    // What the import changes, for its audit record: ids new to the
    // database, and known ids whose label it replaces (the first few named).
    let mut added: u64 = 0;
    let mut relabelled: u64 = 0;
    let mut relabelled_named: Vec<String> = Vec::new();
    let read = read_refdata(BufReader::new(file), document, |entry| {
        if failure.is_some() {
            return;
        }
        let known = db.query_opt(
            "SELECT label FROM refdata WHERE beneficiary_type = ?1 AND ref_id = ?2",
            &[&entry.kind.as_str(), &entry.id],
            |r| Ok(r.get::<String>(0)?),
        );
        match known {
            Err(e) => {
                failure = Some(e);
                return;
            }
            Ok(None) => added += 1,
            Ok(Some(old)) if old != entry.label => {
                relabelled += 1;
                if relabelled_named.len() < NAMED_CHANGES {
                    relabelled_named.push(format!(
                        "{} {}: {} → {}",
                        entry.kind.as_str(),
                        entry.id,
                        old,
                        entry.label
                    ));
                }
            }
            Ok(Some(_)) => {}
        }
        if let Err(e) = db.execute(
            "INSERT INTO refdata (beneficiary_type, ref_id, label, source_file, imported_at,
                                  ref_id_folded, label_folded)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (beneficiary_type, ref_id) DO UPDATE SET
                 label = excluded.label, source_file = excluded.source_file,
                 imported_at = excluded.imported_at, label_folded = excluded.label_folded",
            &[
                &entry.kind.as_str(),
                &entry.id,
                &entry.label,
                &file_label,
                &at,
                &crate::fold::fold(&entry.id),
                &crate::fold::fold(&entry.label),
            ],
        ) {
            failure = Some(e);
            return;
        }
        match counts.iter_mut().find(|c| c.beneficiary_type == entry.kind) {
            Some(c) => c.count += 1,
            None => counts.push(RefdataCount {
                beneficiary_type: entry.kind,
                count: 1,
            }),
        }
        done += 1;
        if done.is_multiple_of(1000) {
            progress.update(crate::Phase::Refdata, done, None);
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    let read = match read {
        Ok(read) => read,
        Err(violations) => {
            return Err(StoreError::Rules {
                file: file_label,
                violations,
            })
        }
    };
    // One page of a paged listing: imported, and said.
    let mut notes = Vec::new();
    if let Some(next) = &read.next {
        notes.push(format!(
            "this is one page of a longer listing (its `next` link is {next}): only its ids \
             were imported; import the other pages too, or EACs naming their ids are warned of \
             as unknown"
        ));
    }
    if progress.is_cancelled() {
        return Err(StoreError::Cancelled);
    }
    // Every import is recorded (what it read, what it changed), even one
    // that changed nothing: the record says which file was read when.
    let mut details = vec![
        ("file", file_label.clone()),
        ("entries", done.to_string()),
        ("added", added.to_string()),
        ("labels_changed", relabelled.to_string()),
    ];
    if !relabelled_named.is_empty() {
        let text = eac_model::words::first_named_by_semicolons(
            &relabelled_named,
            NAMED_CHANGES,
            usize::try_from(relabelled).unwrap_or(usize::MAX),
        );
        details.push(("changed", text));
    }
    if let Some(next) = &read.next {
        details.push(("next", next.clone()));
    }
    crate::packs::insert_database_record(
        w,
        AuditAction::RefdataImport,
        &details,
        &Reason::fixed("reference data imported"),
        &crate::os_user(),
        &file_label,
    )?;
    progress.update(crate::Phase::Refdata, done, Some(done));
    Ok(RefdataReport {
        file: file_label,
        document,
        counts,
        added,
        labels_changed: relabelled,
        notes,
    })
}

/// Entries of one type (or all), whose id or label contains `search`
/// (any case), ordered by type and id.
pub(crate) fn list(
    conn: &dyn crate::db::Db,
    kind: Option<BeneficiaryType>,
    search: Option<&str>,
    limit: usize,
) -> Result<Vec<RefdataEntry>> {
    let mut entries = Vec::new();
    list_each(conn, kind, search, limit, &mut |e| {
        entries.push(e);
        Ok(())
    })?;
    Ok(entries)
}

/// [`list`] one entry at a time, straight from the query.
fn list_each(
    conn: &dyn crate::db::Db,
    kind: Option<BeneficiaryType>,
    search: Option<&str>,
    limit: usize,
    each: &mut dyn FnMut(RefdataEntry) -> Result<()>,
) -> Result<()> {
    let pattern = format!(
        "%{}%",
        crate::query::like_escape(&crate::fold::fold(search.unwrap_or_default()))
    );
    let limit: i64 = if limit == 0 {
        i64::MAX
    } else {
        rows::count(limit)
    };
    conn.each(
        r"SELECT beneficiary_type, ref_id, label, source_file, imported_at FROM refdata
          WHERE (CAST(?1 AS text) IS NULL OR beneficiary_type = ?1)
            AND (ref_id_folded LIKE ?2 ESCAPE '\' OR label_folded LIKE ?2 ESCAPE '\')
          ORDER BY beneficiary_type, ref_id
          LIMIT ?3",
        &[&kind.map(|k| k.as_str()), &pattern, &limit],
        &mut |row| {
            each(RefdataEntry {
                beneficiary_type: rows::parsed(row, 0, BeneficiaryType::parse)?,
                id: row.get(1)?,
                label: row.get(2)?,
                source_file: row.get(3)?,
                imported_at: rows::display_time(row, 4)?,
            })
        },
    )
}

/// Stored ids per beneficiary type, in type order.
pub(crate) fn counts(conn: &dyn crate::db::Db) -> Result<Vec<RefdataCount>> {
    conn.collect(
        "SELECT beneficiary_type, COUNT(*) FROM refdata GROUP BY beneficiary_type ORDER BY beneficiary_type",
        &[],
        |row| {
            Ok(RefdataCount {
                beneficiary_type: rows::parsed(row, 0, BeneficiaryType::parse)?,
                count: rows::from_count(row.get(1)?),
            })
        },
    )
}

/// The ids of `ids` that the reference data of `kind` does not name.
/// Empty for `general` and when no reference data of `kind` was imported.
pub(crate) fn unknown(
    conn: &dyn crate::db::Db,
    kind: BeneficiaryType,
    ids: &[String],
) -> Result<Vec<String>> {
    if kind == BeneficiaryType::General || ids.is_empty() {
        return Ok(Vec::new());
    }
    if !holds_any(conn, kind)? {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for id in ids {
        let known = conn
            .query_opt(
                "SELECT 1 FROM refdata WHERE beneficiary_type = ?1 AND ref_id = ?2",
                &[&kind.as_str(), id],
                |_| Ok(()),
            )?
            .is_some();
        if !known && !out.contains(id) {
            out.push(id.clone());
        }
    }
    Ok(out)
}

/// Whether any reference data of `kind` is stored: without it, no id of
/// that type is checked (decision 26).
fn holds_any(conn: &dyn crate::db::Db, kind: BeneficiaryType) -> Result<bool> {
    let any = conn.query_opt(
        "SELECT 1 FROM refdata WHERE beneficiary_type = ?1 LIMIT 1",
        &[&kind.as_str()],
        |_| Ok(()),
    )?;
    Ok(any.is_some())
}

/// The beneficiary ids an import's EACs name, of the types whose
/// reference data is stored, with how many EACs name each (and the first
/// of them): checked against the reference data once the rows are
/// written ([`NamedIds::unknown`]), so an import warns of ids it does not
/// hold (decision 26) without a look-up per EAC. With no reference data
/// stored nothing is noted.
#[derive(Default)]
pub(crate) struct NamedIds {
    /// The types whose reference data is stored (never `general`).
    types: Vec<BeneficiaryType>,
    /// Per (type, id): how many EACs name it, and the first that does.
    named: std::collections::HashMap<(BeneficiaryType, String), (usize, String)>,
}

impl NamedIds {
    /// Ready to note the ids of the types `conn`'s reference data holds.
    pub(crate) fn for_stored_types(conn: &dyn crate::db::Db) -> Result<NamedIds> {
        let mut types = Vec::new();
        for &kind in BeneficiaryType::ALL {
            if kind == BeneficiaryType::General {
                continue;
            }
            if holds_any(conn, kind)? {
                types.push(kind);
            }
        }
        Ok(NamedIds {
            types,
            named: Default::default(),
        })
    }

    /// Notes the ids `eac` names, when reference data of its type is stored.
    pub(crate) fn note(&mut self, eac: &eac_model::Eac) {
        if self.types.is_empty() {
            return;
        }
        let Some(kind) = eac.beneficiary_type else {
            return;
        };
        if !self.types.contains(&kind) {
            return;
        }
        for id in &eac.beneficiaries {
            self.named
                .entry((kind, id.clone()))
                .and_modify(|(n, _)| *n += 1)
                .or_insert_with(|| (1, eac.cds_eac_id.clone()));
        }
    }

    /// One warning per noted id the reference data of its type does not
    /// hold, by type and id, saying how many EACs name it (and which, when
    /// one does); in words true of a dry run too.
    pub(crate) fn unknown(self, conn: &dyn crate::db::Db) -> Result<Vec<eac_model::Violation>> {
        if self.named.is_empty() {
            return Ok(Vec::new());
        }
        let mut keys: Vec<(BeneficiaryType, String)> = self.named.keys().cloned().collect();
        keys.sort();
        let asked: Vec<(&'static str, &str)> = keys
            .iter()
            .map(|(k, id)| (k.as_str(), id.as_str()))
            .collect();
        let mut held = vec![false; keys.len()];
        crate::rows::each_of(
            conn,
            &asked,
            |k| format!("SELECT {k} FROM refdata WHERE beneficiary_type = ? AND ref_id = ?"),
            |(kind, id)| vec![kind as &dyn rusqlite::ToSql, id],
            &mut |at, _| {
                held[at] = true;
                Ok(())
            },
        )?;
        drop(asked);
        Ok(keys
            .into_iter()
            .zip(held)
            .filter(|(_, held)| !held)
            .map(|((kind, id), _)| {
                let (eacs, first) = &self.named[&(kind, id.clone())];
                let who = match eacs {
                    1 => "1 EAC of this file names".to_owned(),
                    n => format!("{n} EACs of this file name"),
                };
                let mut v = eac_model::Violation::unruled(format!(
                    "{who} the {kind} `{}`, which the imported {kind} reference data does not \
                     hold: an unknown id does not stop an import (decision 26); check the id, \
                     or import the reference data that holds it",
                    eac_model::quote(&id),
                    kind = kind.as_str()
                ))
                .with_eac((*eacs == 1).then_some(first.as_str()));
                v.severity = eac_model::Severity::Warning;
                v
            })
            .collect())
    }
}

/// What removing reference data did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RefdataRemoval {
    pub beneficiary_type: BeneficiaryType,
    /// The entries removed, as they were stored, in the order given.
    pub removed: Vec<RefdataEntry>,
    /// Removed ids that stored EACs still name (now unknown ids, warned
    /// of, decision 26), with how many EACs and the first few.
    pub still_named: Vec<StillNamed>,
    pub dry_run: bool,
}

/// A removed reference id that stored EACs of its type still name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StillNamed {
    pub id: String,
    pub eac_count: usize,
    /// The first EACs (by `cds_eac_id`, at most [`STILL_NAMED_SHOWN`]).
    pub cds_eac_ids: Vec<String>,
}

/// How many of the EACs naming a removed id a removal names.
pub const STILL_NAMED_SHOWN: usize = 5;

/// Removed entries an audit record names in its summary (all are kept in
/// its before-state).
const NAMED_REMOVALS: usize = 50;

/// [`Store::remove_refdata`] through the write `w`.
fn remove(
    w: &Write,
    kind: BeneficiaryType,
    ids: &[String],
    reason: &Reason,
    os_user: &str,
    dry_run: bool,
) -> Result<RefdataRemoval> {
    if kind == BeneficiaryType::General {
        return Err(StoreError::InvalidInput(
            "`general` has no reference data: name a type (customer, account, \
             servicecontract, rateplan, program)"
                .to_owned(),
        ));
    }
    if ids.is_empty() {
        return Err(StoreError::InvalidInput(
            "no id to remove was given".to_owned(),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(twice) = ids.iter().find(|id| !seen.insert(id.as_str())) {
        return Err(StoreError::InvalidInput(format!(
            "`{}` is given twice; nothing was removed",
            eac_model::quote(twice)
        )));
    }
    // Imports and removals of reference data take turns (the chain's
    // lock). A dry run locks and writes nothing: it reads what is stored,
    // as `delete --dry-run` does, so it never waits for another writer.
    if !dry_run {
        crate::lock::chain_first(w)?;
    }
    let db = w.db();
    let mut removed = Vec::with_capacity(ids.len());
    let mut missing = Vec::new();
    for id in ids {
        let entry = db.query_opt(
            "SELECT label, source_file, imported_at FROM refdata
              WHERE beneficiary_type = ?1 AND ref_id = ?2",
            &[&kind.as_str(), id],
            |row| {
                Ok(RefdataEntry {
                    beneficiary_type: kind,
                    id: id.clone(),
                    label: row.get(0)?,
                    source_file: row.get(1)?,
                    imported_at: rows::display_time(row, 2)?,
                })
            },
        )?;
        match entry {
            Some(e) => removed.push(e),
            None => missing.push(id.clone()),
        }
    }
    if !missing.is_empty() {
        return Err(StoreError::NoRefdata {
            kind: kind.as_str().to_owned(),
            ids: missing,
        });
    }
    let mut still_named = Vec::new();
    let by_id = match db.kind() {
        // The index of beneficiary ids ignores case: asked so, then exactly.
        crate::db::Kind::Sqlite => {
            "SELECT e.cds_eac_id FROM eac_beneficiaries b JOIN eacs e ON e.id = b.eac_id
              WHERE b.beneficiary_type = ?1 AND b.beneficiary_id = ?2 COLLATE NOCASE
                AND b.beneficiary_id = ?2
              ORDER BY e.cds_eac_id"
        }
        crate::db::Kind::Postgres => {
            "SELECT e.cds_eac_id FROM eac_beneficiaries b JOIN eacs e ON e.id = b.eac_id
              WHERE b.beneficiary_type = ?1 AND b.beneficiary_id = ?2
              ORDER BY e.cds_eac_id"
        }
    };
    for entry in &removed {
        let mut named = StillNamed {
            id: entry.id.clone(),
            eac_count: 0,
            cds_eac_ids: Vec::new(),
        };
        db.each(by_id, &[&kind.as_str(), &entry.id], &mut |row| {
            named.eac_count += 1;
            if named.cds_eac_ids.len() < STILL_NAMED_SHOWN {
                named.cds_eac_ids.push(row.get(0)?);
            }
            Ok(())
        })?;
        if named.eac_count > 0 {
            still_named.push(named);
        }
        if !dry_run {
            db.execute(
                "DELETE FROM refdata WHERE beneficiary_type = ?1 AND ref_id = ?2",
                &[&kind.as_str(), &entry.id],
            )?;
        }
    }
    if dry_run {
        return Ok(RefdataRemoval {
            beneficiary_type: kind,
            removed,
            still_named,
            dry_run,
        });
    }
    // The record names the first entries in its summary and keeps them
    // all, labels included, as its before-state.
    let named = eac_model::words::first_named_by_semicolons(
        removed.iter().map(|e| format!("{}: {}", e.id, e.label)),
        NAMED_REMOVALS,
        removed.len(),
    );
    let mut details = vec![
        ("type", kind.as_str().to_owned()),
        ("removed", removed.len().to_string()),
        ("ids", named),
    ];
    let eacs: usize = still_named.iter().map(|n| n.eac_count).sum();
    if eacs > 0 {
        details.push(("eacs_still_naming", eacs.to_string()));
    }
    let state = serde_json::to_string(&removed).map_err(|e| {
        StoreError::InvalidInput(format!("reference data that cannot be kept: {e}"))
    })?;
    crate::packs::insert_database_record_with_states(
        w,
        AuditAction::RefdataRemove,
        &details,
        crate::packs::States {
            before: Some(state),
            after: None,
        },
        reason,
        os_user,
        "",
    )?;
    Ok(RefdataRemoval {
        beneficiary_type: kind,
        removed,
        still_named,
        dry_run,
    })
}

/// Suggestions for the beneficiary editor: reference data whose id or label
/// starts with `prefix` (any case), then ids already used in the store.
pub(crate) fn choices(
    conn: &dyn crate::db::Db,
    kind: BeneficiaryType,
    prefix: &str,
    limit: usize,
) -> Result<Vec<Choice>> {
    let limit = crate::page_size(limit);
    let pattern = format!("{}%", crate::query::like_escape(&crate::fold::fold(prefix)));
    let sql = match conn.kind() {
        crate::db::Kind::Sqlite => {
            r"SELECT ref_id, label FROM refdata
              WHERE beneficiary_type = ?1
                AND (ref_id_folded LIKE ?2 ESCAPE '\' OR label_folded LIKE ?2 ESCAPE '\')
              ORDER BY ref_id COLLATE NOCASE, ref_id
              LIMIT ?3"
        }
        crate::db::Kind::Postgres => {
            r"SELECT ref_id, label FROM refdata
              WHERE beneficiary_type = ?1
                AND (ref_id_folded LIKE ?2 ESCAPE '\' OR label_folded LIKE ?2 ESCAPE '\')
              ORDER BY lower(ref_id), ref_id
              LIMIT ?3"
        }
    };
    let mut out: Vec<Choice> = conn.collect(
        sql,
        &[&kind.as_str(), &pattern, &rows::count(limit)],
        |row| {
            Ok(Choice {
                value: row.get(0)?,
                label: row.get(1)?,
            })
        },
    )?;
    if out.len() < limit {
        for id in crate::edit::suggestions(conn, kind, prefix, limit)? {
            if out.len() >= limit {
                break;
            }
            if !out.iter().any(|c| c.value == id) {
                out.push(Choice {
                    label: id.clone(),
                    value: id,
                });
            }
        }
    }
    Ok(out)
}
