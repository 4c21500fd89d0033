//! Reference data behind beneficiaries (digest §e): ids that accounts,
//! service contracts and programs listings name, with labels for people.
//! An import is one transaction: a document with any violation writes
//! nothing. Beneficiary edits are checked against it and only warned about.

use std::fs::File;
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
    let mut head = Vec::with_capacity(4096);
    File::open(path)
        .map_err(io_error)?
        .take(4096)
        .read_to_end(&mut head)
        .map_err(io_error)?;
    let document = RefDocument::detect(&head).ok_or_else(|| {
        StoreError::InvalidInput(format!(
            "{}: not a reference-data file (expected a CDS accounts listing {{\"accounts\": […]}}, a service contracts listing {{\"service_contracts\": […]}}, or a programs list as CSV with a `program_number` column or JSON)",
            path.display()
        ))
    })?;
    let file = File::open(path).map_err(io_error)?;
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
    if let Err(violations) = read {
        return Err(StoreError::Rules {
            file: file_label,
            violations,
        });
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
        let more = relabelled - relabelled_named.len() as u64;
        let mut text = relabelled_named.join("; ");
        if more > 0 {
            text.push_str(&format!("; and {more} more"));
        }
        details.push(("changed", text));
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
    let any = conn.query_opt(
        "SELECT 1 FROM refdata WHERE beneficiary_type = ?1 LIMIT 1",
        &[&kind.as_str()],
        |_| Ok(()),
    )?;
    if any.is_none() {
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
