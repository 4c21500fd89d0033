//! Evidence packs as the database remembers them (table `packs`), the
//! database-level audit records of a pack made and an export written
//! (`cds_eac_id` = ''), and the reads a pack is made from: the whole audit
//! chain row by row, the records since a pack's audit head, and the
//! closed reporting periods its EACs fall in.
//!
//! The pack folder itself is written by `eac-app`; this module only
//! records it, in the same write as its `pack` audit record, and refuses
//! to when another program changed the database while the pack was made.

use rusqlite::types::{Value, ValueRef};
use serde::{Deserialize, Serialize};

use crate::db::DbRow;
use crate::query::{self, Sql};
use crate::write::{Reason, Write};
use crate::{
    AuditAction, AuditRecord, EacFilter, FieldChange, RecordedOutput, Result, Store, StoreError,
};

/// One evidence pack made from this database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PackRecord {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    /// When the pack was made (its manifest's `created_at`, RFC 3339 UTC).
    pub created_at: String,
    pub title: Option<String>,
    /// The filter that chose its EACs.
    pub filter: EacFilter,
    /// SHA-256 of its `MANIFEST.json` (hex): how the pack is recognised.
    pub manifest_sha256: String,
    /// The audit chain head when it was made (`None`: no records yet).
    pub audit_head: Option<String>,
    pub audit_records: usize,
    pub eac_count: usize,
    pub key_fingerprint: String,
    /// The folder it was written to.
    pub path: String,
}

/// A pack about to be recorded (see [`Store::record_pack`]).
#[derive(Debug, Clone)]
pub struct NewPack {
    pub created_at: String,
    /// Checked as a [`Reason`] (one line, no control characters): it is
    /// also the reason of the `pack` audit record.
    pub title: Option<String>,
    pub filter: EacFilter,
    pub manifest_sha256: String,
    pub audit_head: Option<String>,
    pub audit_records: usize,
    pub eac_count: usize,
    pub key_fingerprint: String,
    pub path: String,
    /// Files listed in the manifest.
    pub file_count: usize,
}

/// An export that was written, for its database-level `export` audit record.
#[derive(Debug, Clone)]
pub struct ExportWritten {
    /// `P1` or `P2`.
    pub profile: String,
    /// The file or folder written.
    pub path: String,
    /// SHA-256 of the listing written.
    pub sha256: String,
    pub eac_count: usize,
}

/// One audit record as an evidence pack holds it: the chain hashes and the
/// hashed columns as JSON values, in [`crate::chain::CONTENT_NAMES`] order.
#[derive(Debug, Clone)]
pub struct AuditChainRow {
    pub id: i64,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
    /// `''` for database-level records; `None` if another tool stored
    /// something that is not text.
    pub cds_eac_id: Option<String>,
    pub values: Vec<serde_json::Value>,
}

/// A closed reporting period, as a pack's manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ClosedPeriodEntry {
    /// Inclusive dates, `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
    pub closed_at: String,
    pub reason: String,
}

/// The reason of a `pack` record made without a title.
const PACK_REASON: Reason = Reason::fixed("evidence pack made");

/// What a database-level record keeps in its `after` column: an object of
/// text members, in the order given.
fn details_json(pairs: &[(&str, String)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), serde_json::Value::String(v.clone())))
        .collect();
    serde_json::Value::Object(map).to_string()
}

/// The members of a database-level record's `after` object as changes
/// (nothing before).
pub(crate) fn details_of(after: Option<&str>) -> Vec<FieldChange> {
    let Some(map) = after.and_then(|text| {
        serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text).ok()
    }) else {
        return Vec::new();
    };
    map.into_iter()
        .map(|(field, value)| FieldChange {
            field,
            before: None,
            after: Some(match value {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            }),
        })
        .collect()
}

/// Appends a database-level audit record (no EAC) through `w`.
pub(crate) fn insert_database_record(
    w: &Write,
    action: AuditAction,
    details: &[(&str, String)],
    reason: &Reason,
    os_user: &str,
    source_file: &str,
) -> Result<i64> {
    insert_database_record_with_states(
        w,
        action,
        details,
        States::default(),
        reason,
        os_user,
        source_file,
    )
}

/// What a database-level record keeps of the data it removed or added
/// (JSON text, in its `before_state`/`after_state`): a claim with its
/// allocations, deleted consumption rows. The record's `after` details
/// are the summary the audit view shows; the states are what was there.
#[derive(Debug, Default)]
pub(crate) struct States {
    pub before: Option<String>,
    pub after: Option<String>,
}

/// [`insert_database_record`] keeping `states` with it.
pub(crate) fn insert_database_record_with_states(
    w: &Write,
    action: AuditAction,
    details: &[(&str, String)],
    states: States,
    reason: &Reason,
    os_user: &str,
    source_file: &str,
) -> Result<i64> {
    let text = |s: &str| Value::Text(s.to_owned());
    let state = |s: Option<String>| s.map_or(Value::Null, Value::Text);
    crate::chain::insert(
        w,
        vec![
            text(&w.at().to_storage()),
            text(os_user),
            text(""),
            text(action.as_str()),
            text("null"),
            text(&details_json(details)),
            text(reason.as_str()),
            state(states.before),
            state(states.after),
            text(source_file),
            Value::Null,
        ],
    )
}

/// The database-level `export` audit record of `written` (profile, path,
/// SHA-256, count).
pub(crate) fn insert_export_record(
    w: &Write,
    written: &ExportWritten,
    os_user: &str,
) -> Result<i64> {
    let reason = match written.profile.as_str() {
        "P2" => Reason::fixed("P2 bundle exported"),
        _ => Reason::fixed("P1 listing exported"),
    };
    insert_database_record(
        w,
        AuditAction::Export,
        &[
            ("profile", written.profile.clone()),
            ("path", written.path.clone()),
            ("sha256", written.sha256.clone()),
            ("eacs", written.eac_count.to_string()),
        ],
        &reason,
        os_user,
        &written.path,
    )
}

fn insert_pack(w: &Write, pack: &NewPack) -> Result<i64> {
    let filter = serde_json::to_string(&pack.filter).expect("a filter serializes");
    w.db().query_row(
        "INSERT INTO packs (created_at, title, filter, manifest_sha256, audit_head,
                            audit_records, eac_count, key_fingerprint, path)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
        &[
            &pack.created_at,
            &pack.title,
            &filter,
            &pack.manifest_sha256,
            &pack.audit_head,
            &crate::rows::count(pack.audit_records),
            &crate::rows::count(pack.eac_count),
            &pack.key_fingerprint,
            &pack.path,
        ],
        |row| Ok(row.get(0)?),
    )
}

fn pack_row(row: &dyn DbRow) -> Result<PackRecord> {
    let filter: String = row.get(3)?;
    Ok(PackRecord {
        id: row.get(0)?,
        created_at: row.get(1)?,
        title: row.get(2)?,
        // Checked JSON (migration 9); a filter another tool broke reads as
        // "every EAC" rather than hiding the pack.
        filter: serde_json::from_str(&filter).unwrap_or_default(),
        manifest_sha256: row.get(4)?,
        audit_head: row.get(5)?,
        audit_records: crate::rows::from_count(row.get(6)?),
        eac_count: crate::rows::from_count(row.get(7)?),
        key_fingerprint: row.get(8)?,
        path: row.get(9)?,
    })
}

/// The refusal of a pack whose database changed while it was being made.
fn changed_meanwhile(path: &str) -> StoreError {
    StoreError::Conflict {
        message: format!(
            "Another program or window changed the database while the pack was being made, so the pack would not show one state of it; nothing was written to {path}. Make the pack again."
        ),
        ids: Vec::new(),
    }
}

impl Store {
    /// [`changed_meanwhile`] as said of this database: on a server it was
    /// another desk (TEAM42 finding 7.2: "another program or window" named
    /// no one), and the latest record of its audit log says who and what,
    /// most likely that desk's change. Any other error passes unchanged.
    fn said_changed_meanwhile(&self, e: StoreError, path: &str) -> StoreError {
        let refusal = changed_meanwhile(path);
        let (StoreError::Conflict { message, .. }, StoreError::Conflict { message: ours, .. }) =
            (&e, &refusal)
        else {
            return e;
        };
        if message != ours || !self.is_server() {
            return e;
        }
        type Last = (String, String, Option<String>, String, Option<String>);
        let last: Option<Last> = (self.db())
            .query_opt(
                "SELECT at, os_user, display_name, action, server_login FROM audit_log
                  ORDER BY id DESC LIMIT 1",
                &[],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .ok()
            .flatten();
        let latest = match last {
            Some((at, os_user, name, action, login)) => format!(
                " (the latest record in its audit log: {} by {} at {} UTC)",
                action.replace('_', " "),
                crate::periods::who_logged_in(&os_user, name.as_deref(), login.as_deref()),
                at.get(..19).unwrap_or(&at).replace('T', " ")
            ),
            None => String::new(),
        };
        StoreError::Conflict {
            message: format!(
                "Another desk changed the server database while the pack was being made{latest}, so the pack would not show one state of it; nothing was written to {path}. Make the pack again."
            ),
            ids: Vec::new(),
        }
    }
}

const PACK_COLUMNS: &str = "SELECT id, created_at, title, filter, manifest_sha256, audit_head,
    audit_records, eac_count, key_fingerprint, path FROM packs";

/// The packs this database made after its first audit record (those with
/// an audit head), oldest first: what the audit chain's verification
/// holds the log against.
pub(crate) fn with_heads(conn: &dyn crate::db::Db) -> Result<Vec<PackRecord>> {
    let sql = format!("{PACK_COLUMNS} WHERE audit_head IS NOT NULL ORDER BY id");
    conn.collect(&sql, &[], pack_row)
}

impl Store {
    /// Records a pack made from this database and its `pack` audit record
    /// (manifest SHA-256, file count, folder) in one write, then runs
    /// `place` (which puts the pack folder in place) before committing: if
    /// `place` fails nothing is recorded. The caller removes the pack it
    /// replaced only after this returns: stopped before the commit, the
    /// recorded pack is still whole beside its place, and the pack code
    /// puts it back. Refused (`Conflict`) when another program wrote to
    /// the database since `since_version` (the
    /// [`Store::data_version`] read before the pack was made): the pack
    /// would not show one state of the database. On a server database the
    /// changes counted are those other desks announced (every EAC Desk
    /// write there announces itself), checked just before the write.
    pub fn record_pack(
        &mut self,
        pack: &NewPack,
        os_user: &str,
        since_version: i64,
        place: impl FnOnce() -> Result<()>,
    ) -> Result<PackRecord> {
        let title = pack.title.as_deref().map(Reason::new).transpose()?;
        let changed = || changed_meanwhile(&pack.path);
        // On a server database too (decision 220).
        let recorded = self.write_unchanged_since(since_version, changed, |w| {
            let id = insert_pack(w, pack)?;
            insert_database_record(
                w,
                AuditAction::Pack,
                &[
                    ("manifest_sha256", pack.manifest_sha256.clone()),
                    ("files", pack.file_count.to_string()),
                    ("eacs", pack.eac_count.to_string()),
                    ("path", pack.path.clone()),
                ],
                title.as_ref().unwrap_or(&PACK_REASON),
                os_user,
                &pack.path,
            )?;
            crate::atomic::crash_point("pack-before-swap");
            place()?;
            Ok(PackRecord {
                id,
                created_at: pack.created_at.clone(),
                title: pack.title.clone(),
                filter: pack.filter.clone(),
                manifest_sha256: pack.manifest_sha256.clone(),
                audit_head: pack.audit_head.clone(),
                audit_records: pack.audit_records,
                eac_count: pack.eac_count,
                key_fingerprint: pack.key_fingerprint.clone(),
                path: pack.path.clone(),
            })
        });
        recorded.map_err(|e| self.said_changed_meanwhile(e, &pack.path))
    }

    /// Whether this login may record `output` in this database: always
    /// in a file; on a server when its role may add to the audit log (and
    /// to `packs`, for a pack) and use their numbering, which an auditor's
    /// role may not. Asked before the output is written, so a record the
    /// server would refuse is known before the file is in place: the
    /// output is then written unrecorded and says so, rather than failing
    /// after it is there (and failing again on every retry).
    pub fn may_record(&self, output: RecordedOutput) -> Result<bool> {
        if self.server.is_none() {
            // A file opened read-only (`Store::open_read_only`: a read-only
            // folder or disk) takes no record; one opened to write, always.
            return Ok(!self.is_read_only());
        }
        // The audit chain reads its sequence (`chain::next`) and gives the
        // id itself; a pack's row takes the next of its sequence.
        let pack = match output {
            RecordedOutput::Export => "",
            RecordedOutput::Pack => {
                " AND has_table_privilege('packs', 'INSERT')
                  AND has_sequence_privilege(pg_get_serial_sequence('packs', 'id'), 'USAGE')"
            }
        };
        let sql = format!(
            "SELECT CASE WHEN has_table_privilege('audit_log', 'INSERT')
                          AND has_sequence_privilege(pg_get_serial_sequence('audit_log', 'id'),
                                                     'SELECT'){pack}
                         THEN 1 ELSE 0 END"
        );
        self.db()
            .query_row(&sql, &[], |r| Ok(r.get::<i64>(0)? == 1))
    }

    /// Whether this is a database file opened read-only
    /// ([`Store::open_read_only`]): it is read as it stands and takes no
    /// change, not even the record of an export.
    pub fn is_read_only(&self) -> bool {
        self.server.is_none() && self.conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false)
    }

    /// Puts in place a pack this login may not record (see
    /// [`Store::may_record`]): `place` runs unless the database changed
    /// since `since_version`, as [`Store::record_pack`] refuses then;
    /// nothing is written to the database.
    pub fn place_unrecorded_pack(
        &mut self,
        path: &str,
        since_version: i64,
        place: impl FnOnce() -> Result<()>,
    ) -> Result<()> {
        if self.data_version()? != since_version {
            return Err(self.said_changed_meanwhile(changed_meanwhile(path), path));
        }
        crate::atomic::crash_point("pack-before-swap");
        place()
    }

    /// Writes the database-level `export` audit record of an export that
    /// was written (profile, path, SHA-256, count).
    pub fn record_export(&mut self, written: &ExportWritten, os_user: &str) -> Result<i64> {
        // On a server database too (decision 220).
        self.write_either(|w| insert_export_record(w, written, os_user))
    }

    /// Every pack made from this database, newest first.
    pub fn packs(&self) -> Result<Vec<PackRecord>> {
        let sql = format!("{PACK_COLUMNS} ORDER BY id DESC");
        self.db().collect(&sql, &[], pack_row)
    }

    /// The pack whose `MANIFEST.json` has this SHA-256, if it was made here.
    pub fn pack_by_manifest(&self, manifest_sha256: &str) -> Result<Option<PackRecord>> {
        let sql = format!("{PACK_COLUMNS} WHERE manifest_sha256 = ?1");
        self.db().query_opt(&sql, &[&manifest_sha256], pack_row)
    }

    /// Hands every audit record to `each`, oldest first, as a pack holds it.
    pub fn each_audit_row(&self, each: &mut dyn FnMut(AuditChainRow) -> Result<()>) -> Result<()> {
        let sql = format!(
            "SELECT {}, prev_hash, hash FROM audit_log ORDER BY id",
            crate::chain::CONTENT_COLUMNS
        );
        self.db().each(&sql, &[], &mut |row| {
            let values: Vec<serde_json::Value> = (0..crate::chain::CONTENT_COUNT)
                .map(|i| row.get_ref(i).map(crate::chain::json_value))
                .collect::<rusqlite::Result<_>>()?;
            let text = |i: usize| -> rusqlite::Result<Option<String>> {
                Ok(match row.get_ref(i)? {
                    ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
                    _ => None,
                })
            };
            let id = match row.get_ref(0)? {
                ValueRef::Integer(i) => i,
                _ => 0,
            };
            each(AuditChainRow {
                id,
                prev_hash: text(crate::chain::CONTENT_COUNT)?,
                hash: text(crate::chain::CONTENT_COUNT + 1)?,
                cds_eac_id: text(3)?,
                values,
            })
        })
    }

    /// The audit records written after the record whose hash is `head`
    /// (every record when `head` is `None`), oldest first; `None` when no
    /// record of this database has that hash. With `number` (the record's
    /// number as the pack's audit file gives it) the record is looked up
    /// by its key, cheap however long the log; the whole log is looked
    /// through only when that record has another hash (a pack of a copy
    /// whose records were numbered otherwise) or no number is known.
    pub fn audit_since(
        &self,
        head: Option<&str>,
        number: Option<i64>,
    ) -> Result<Option<Vec<AuditRecord>>> {
        let db = self.db();
        let after_id: i64 = match head {
            None => 0,
            Some(hash) => {
                let by_number: Option<i64> = match number {
                    Some(id) => db.query_opt(
                        "SELECT id FROM audit_log WHERE id = ?1 AND hash = ?2",
                        &[&id, &hash],
                        |r| Ok(r.get(0)?),
                    )?,
                    None => None,
                };
                let found = match by_number {
                    Some(id) => Some(id),
                    None => {
                        db.query_opt("SELECT id FROM audit_log WHERE hash = ?1", &[&hash], |r| {
                            Ok(r.get(0)?)
                        })?
                    }
                };
                match found {
                    Some(id) => id,
                    None => return Ok(None),
                }
            }
        };
        crate::edit::audit_records_after(db, after_id).map(Some)
    }

    /// The audit records numbered after `id`, oldest first: those written
    /// after a pack whose last record was `id`, when the log no longer
    /// holds that record's hash (the history before it was changed).
    pub fn audit_records_after(&self, id: i64) -> Result<Vec<AuditRecord>> {
        crate::edit::audit_records_after(self.db(), id)
    }

    /// The SHA-256 (hex) of the bytes stored as the document `sha256` now
    /// (`None`: no document is stored under it): `sha256` itself unless
    /// another program changed them in the database.
    pub fn stored_document_sha256(&self, sha256: &str) -> Result<Option<String>> {
        crate::registry::stored_document_sha256(self.db(), sha256)
    }

    /// Whether this database's audit log holds the record whose hash is
    /// `hash` (an evidence pack's audit head: the pack was made from this
    /// database's chain, or a copy of it). With `id`, the record numbered
    /// so is looked at (by its key: cheap however long the log), and only
    /// it; without, the whole log is looked through.
    pub fn has_audit_record(&self, hash: &str, id: Option<i64>) -> Result<bool> {
        let db = self.db();
        let found: Option<i64> = match id {
            Some(id) => db.query_opt(
                "SELECT id FROM audit_log WHERE id = ?1 AND hash = ?2",
                &[&id, &hash],
                |r| Ok(r.get(0)?),
            )?,
            None => db.query_opt(
                "SELECT id FROM audit_log WHERE hash = ?1 LIMIT 1",
                &[&hash],
                |r| Ok(r.get(0)?),
            )?,
        };
        Ok(found.is_some())
    }

    /// The closed reporting periods (not reopened) that the period of at
    /// least one EAC matching `filter` overlaps, oldest first.
    pub fn closed_periods_overlapping(&self, filter: &EacFilter) -> Result<Vec<ClosedPeriodEntry>> {
        let db = self.db();
        let periods = db.collect(
            "SELECT date_from, date_to, closed_at, reason FROM closed_periods
              WHERE reopened_at IS NULL ORDER BY date_from, date_to, id",
            &[],
            |r| {
                Ok(ClosedPeriodEntry {
                    from: r.get(0)?,
                    to: r.get(1)?,
                    closed_at: r.get(2)?,
                    reason: r.get(3)?,
                })
            },
        )?;
        let mut out = Vec::new();
        for period in periods {
            // The same overlap as the filter's dates: whole UTC days.
            let (Some(start), Some(end)) = (
                query::day_bound(&period.from, false),
                query::day_bound(&period.to, true),
            ) else {
                continue;
            };
            let mut sql = Sql::on(db, "SELECT EXISTS (SELECT 1 FROM eacs e");
            let has_where = query::push_filter(&mut sql, filter)?;
            sql.push(if has_where { " AND " } else { " WHERE " });
            sql.push("e.period_end > ").bind(start);
            sql.push(" AND e.period_start < ").bind(end);
            sql.push(")");
            let hit: bool = db.query_row(&sql.text, &sql.args(), |r| Ok(r.get(0)?))?;
            if hit {
                out.push(ClosedPeriodEntry {
                    closed_at: crate::rows::timestamp(&period.closed_at)
                        .map_or(period.closed_at.clone(), |t| t.to_string()),
                    ..period
                });
            }
        }
        Ok(out)
    }
}
