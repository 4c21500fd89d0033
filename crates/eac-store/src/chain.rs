//! The audit log as a hash chain: each record's `hash` is
//! SHA-256(previous hash ‖ "\n" ‖ canonical content), its `prev_hash` the
//! previous record's hash (64 zeros for the first). The canonical content is
//! a JSON array of the record's columns in table order (id first), text as
//! JSON strings, integers as numbers, NULL as null; the members added later,
//! `display_name` (migration 10) and `server_login` (migration 27), are left
//! out from the end while they are null, so the records written before each
//! keep the content they were hashed with (a record with a server login and
//! no display name keeps a null `display_name` before it). Any record edited,
//! deleted, inserted or moved with another tool breaks the chain at that
//! record, which [`verify`] names.

use rusqlite::types::{Value, ValueRef};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::db::{Db, Kind};
use crate::{Result, StoreError};

/// The `prev_hash` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hashed columns of `audit_log`, in table order.
pub(crate) const CONTENT_COLUMNS: &str = r#"id, at, os_user, cds_eac_id, action, "before", "after", reason, before_state, after_state, source_file, import_batch_id, display_name, server_login"#;

/// The hashed columns before migration 10 (what migration 8 chained).
pub(crate) const LEGACY_CONTENT_COLUMNS: &str = r#"id, at, os_user, cds_eac_id, action, "before", "after", reason, before_state, after_state, source_file, import_batch_id"#;

/// How many columns [`CONTENT_COLUMNS`] names.
pub(crate) const CONTENT_COUNT: usize = CONTENT_NAMES.len();

/// How many members every record's canonical content holds: those after
/// them ([`OPTIONAL_MEMBERS`]) are left out from the end while null.
pub const REQUIRED_COUNT: usize = 12;

/// The members added after the chain began, left out of the canonical
/// content from the end while they are null: `display_name`, then
/// `server_login` (a record written to a file, or before the login was
/// recorded, has none).
pub const OPTIONAL_MEMBERS: [&str; 2] = ["display_name", LOGIN_MEMBER];

/// The member naming the login a server authenticated the writer as: an
/// evidence pack's record leaves it out when it is null.
pub const LOGIN_MEMBER: &str = "server_login";

fn json_of(v: ValueRef) -> serde_json::Value {
    match v {
        ValueRef::Null => serde_json::Value::Null,
        ValueRef::Integer(i) => serde_json::Value::from(i),
        // EAC Desk never stores reals or blobs in the audit log; another
        // tool's value is hashed by its text so it still breaks the chain.
        ValueRef::Real(r) => serde_json::Value::String(format!("real:{r}")),
        ValueRef::Text(t) => serde_json::Value::String(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => serde_json::Value::String(format!("blob:{}", hex::encode(b))),
    }
}

/// The names of the hashed columns, in [`CONTENT_COLUMNS`] order: the
/// members of a record as an evidence pack's `audit.jsonl` holds it.
pub const CONTENT_NAMES: [&str; 14] = [
    "id",
    "at",
    "os_user",
    "cds_eac_id",
    "action",
    "before",
    "after",
    "reason",
    "before_state",
    "after_state",
    "source_file",
    "import_batch_id",
    "display_name",
    "server_login",
];

/// A stored value as the canonical content holds it (text as a string,
/// integers as numbers, NULL as null).
pub(crate) fn json_value(v: ValueRef) -> serde_json::Value {
    json_of(v)
}

/// The canonical content of a record given its values as JSON, in
/// [`CONTENT_NAMES`] order (as read back from an evidence pack): the same
/// text [`canonical`] makes from the database's columns.
pub fn canonical_json(values: &[serde_json::Value]) -> String {
    serde_json::to_string(without_null_tail(values)).expect("JSON values serialize")
}

/// `values` without the null optional members at its end: a record without
/// a server login is hashed as 13 members, and one without a display name
/// either as 12, as they were before those columns existed.
fn without_null_tail(values: &[serde_json::Value]) -> &[serde_json::Value] {
    let mut end = values.len().min(CONTENT_COUNT);
    if end < values.len() {
        // Not a record of this table: hashed as given.
        return values;
    }
    while end > REQUIRED_COUNT && values[end - 1].is_null() {
        end -= 1;
    }
    &values[..end]
}

/// The canonical content of a record given its column values in
/// [`CONTENT_COLUMNS`] order.
pub(crate) fn canonical<'a>(values: impl IntoIterator<Item = ValueRef<'a>>) -> String {
    let array: Vec<serde_json::Value> = values.into_iter().map(json_of).collect();
    canonical_json(&array)
}

/// The hash of a record whose predecessor's hash is `prev`.
pub fn link(prev: &str, canonical: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(canonical.as_bytes());
    hex::encode(h.finalize())
}

/// The id the next audit record gets and the hash it follows. On a server
/// every writer's desk appends to the one chain: the record is written
/// under a lock held until the write commits, so two desks never follow
/// the same record (the chain cannot fork) and a record's id is never
/// taken twice.
pub(crate) fn next(conn: &dyn Db) -> Result<(i64, String)> {
    refuse_foreign(conn)?;
    let highest_sql = match conn.kind() {
        Kind::Sqlite => {
            "SELECT (SELECT MAX(id) FROM audit_log),
                    (SELECT seq FROM sqlite_sequence WHERE name = 'audit_log')"
        }
        Kind::Postgres => {
            conn.server_lock(crate::db::ServerLock::Audit)?;
            "SELECT (SELECT MAX(id) FROM audit_log),
                    (SELECT last_value FROM audit_log_id_seq WHERE is_called)"
        }
    };
    let (max_id, seq): (Option<i64>, Option<i64>) =
        conn.query_row(highest_sql, &[], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let id = max_id.unwrap_or(0).max(seq.unwrap_or(0)) + 1;
    let prev: Option<Option<String>> = conn.query_opt(
        "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1",
        &[],
        |r| Ok(r.get(0)?),
    )?;
    Ok((id, prev.flatten().unwrap_or_else(|| GENESIS.to_owned())))
}

/// Refuses an audited change while the chain's tables carry a trigger or
/// rule another tool attached ([`foreign_triggers`]): it could drop or
/// alter the records the change appends, or the closed periods they vouch
/// for (decision 282). Asked before anything is written: at a write's
/// first audit record, and by a change of `closed_periods` before it
/// touches the table (such a trigger swallowed the row, and the close
/// failed with "no rows" instead of naming it).
pub(crate) fn refuse_foreign(conn: &dyn Db) -> Result<()> {
    let foreign = foreign_triggers(conn)?;
    if foreign.is_empty() {
        return Ok(());
    }
    Err(StoreError::Conflict {
        message: format!(
            "The audit log cannot be trusted with this change's record: the database holds {}, \
             which can drop or alter audit records; nothing was changed. Remove it with {} if \
             nobody needs it, then check the log with `eacdesk audit verify`.",
            foreign_text(&foreign),
            drop_hint(conn, &foreign)
        ),
        ids: Vec::new(),
    })
}

/// The newest audit record's id (0 before the first): every change of
/// stored data writes one, so an unchanged mark means nothing was changed
/// since it was read (a claim planned at it is still what the data gives).
pub(crate) fn mark(conn: &dyn Db) -> Result<i64> {
    conn.query_row("SELECT coalesce(MAX(id), 0) FROM audit_log", &[], |r| {
        Ok(r.get(0)?)
    })
}

/// Where the chain breaks first (`records` counts every record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChainBreak {
    /// The audit record's id (what `audit` shows).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    /// Its position in the log, 1 = the oldest.
    pub position: usize,
    /// What does not hold, in plain words.
    pub reason: String,
    /// The evidence pack made from this database whose audit head the log
    /// no longer holds, when that is what breaks (the log was changed and
    /// its chain computed again after the pack was made): `id` is then the
    /// pack's last record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub pack: Option<crate::PackRecord>,
}

impl ChainBreak {
    /// [`ChainBreak::reason`] as the start of a sentence (its first letter
    /// in capitals), as every shell prints it after its own words.
    pub fn reason_sentence(&self) -> String {
        let mut reason = self.reason.clone();
        if let Some(first) = reason.get(..1) {
            reason.replace_range(..1, &first.to_uppercase());
        }
        reason
    }
}

/// The state of the audit chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChainReport {
    pub records: usize,
    /// The last record's hash (the chain head), when there are records.
    pub head: Option<String>,
    /// `None`: intact.
    pub broken: Option<ChainBreak>,
}

/// Re-computes the chain over `rows` (each: the content columns, then
/// `prev_hash` and `hash`), as read from a database or a pack.
pub fn verify_rows<I>(rows: I) -> ChainReport
where
    I: IntoIterator<Item = (i64, String, Option<String>, Option<String>)>,
{
    let rows: Vec<_> = rows.into_iter().collect();
    let records = rows.len();
    let mut prev = GENESIS.to_owned();
    let mut last_id: Option<i64> = None;
    for (position, (id, content, prev_hash, hash)) in rows.into_iter().enumerate() {
        let broken = |reason: String| ChainReport {
            records,
            head: None,
            broken: Some(ChainBreak {
                id,
                position: position + 1,
                reason,
                pack: None,
            }),
        };
        if last_id.is_some_and(|l| id <= l) {
            return broken(format!("record {id} is out of order"));
        }
        last_id = Some(id);
        let (Some(prev_hash), Some(hash)) = (prev_hash, hash) else {
            return broken(format!(
                "record {id} has no chain hash: it was added by another program"
            ));
        };
        if prev_hash != prev {
            return broken(format!(
                "record {id} does not follow the record before it: a record before it was deleted, inserted or changed"
            ));
        }
        if link(&prev, &content) != hash {
            return broken(format!(
                "record {id} was changed after it was written (its content does not match its hash)"
            ));
        }
        prev = hash;
    }
    ChainReport {
        records,
        head: (records > 0).then_some(prev),
        broken: None,
    }
}

/// Verifies the audit chain of the database.
pub(crate) fn verify(conn: &dyn Db) -> Result<ChainReport> {
    let sql = format!("SELECT {CONTENT_COLUMNS}, prev_hash, hash FROM audit_log ORDER BY id");
    let mut all = Vec::new();
    conn.each(&sql, &[], &mut |row| {
        let content = canonical(
            (0..CONTENT_COUNT)
                .map(|i| row.get_ref(i))
                .collect::<rusqlite::Result<Vec<_>>>()?,
        );
        let id: i64 = match row.get_ref(0)? {
            ValueRef::Integer(i) => i,
            _ => 0,
        };
        let text = |i: usize| -> Option<String> {
            match row.get_ref(i).ok()? {
                ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
                _ => None,
            }
        };
        all.push((id, content, text(CONTENT_COUNT), text(CONTENT_COUNT + 1)));
        Ok(())
    })?;
    // EAC Desk numbers its records itself, one after the other under the
    // write lock (`next`), so a healthy log has no gap in its ids and
    // nothing above its highest id: a gap is a deleted record whose next
    // record was linked to the one before it, and a high mark above the
    // last record (SQLite's `sqlite_sequence`) means the newest records
    // were deleted. Neither shows in the hashes alone.
    let gap = all
        .windows(2)
        .position(|w| w[1].0 != w[0].0 + 1)
        // The 1-based position of the record after the gap.
        .map(|at| (at + 2, all[at].0, all[at + 1].0));
    let high_mark: Option<i64> = match conn.kind() {
        Kind::Sqlite => conn
            .query_opt(
                "SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'",
                &[],
                |r| Ok(r.get(0)?),
            )?
            .flatten(),
        Kind::Postgres => None,
    };
    let last = all.last().map(|r| r.0);
    let records = all.len();
    let ids: Vec<i64> = all.iter().map(|r| r.0).collect();
    // The evidence packs this database made vouch for the log up to their
    // heads (decision 120): a log changed and chained again verifies on
    // its own, but no longer holds the head a pack recorded.
    let packs = crate::packs::with_heads(conn)?;
    let lost = lost_heads(&packs, &all);
    let now_at = |id: i64| -> Option<&str> {
        ids.binary_search(&id)
            .ok()
            .and_then(|at| all[at].3.as_deref())
    };
    let lost = lost.first().map(|&at| {
        (
            packs[at].clone(),
            now_at(head_number(&packs[at])).map(str::to_owned),
            lost.len(),
        )
    });
    let report = verify_rows(all);
    if let Some(broken) = &report.broken {
        // A break before the gap comes first; at the gap, the gap says more.
        if gap.is_none_or(|(at, _, _)| broken.position < at) {
            return Ok(report);
        }
    }
    let missing = |from: i64, to: i64| {
        if from == to {
            format!("record {from} is missing")
        } else {
            format!("records {from} to {to} are missing")
        }
    };
    let broken = |id: i64, position, reason: String| ChainReport {
        records,
        head: None,
        broken: Some(ChainBreak {
            id,
            position,
            reason,
            pack: None,
        }),
    };
    if let Some((at, before, after)) = gap {
        return Ok(broken(
            after,
            at,
            format!(
                "{}: deleted by another program (record {after} follows record {before})",
                missing(before + 1, after - 1)
            ),
        ));
    }
    if let Some(high) = high_mark.filter(|h| *h > last.unwrap_or(0)) {
        let from = last.unwrap_or(0) + 1;
        return Ok(broken(
            from,
            records + 1,
            format!(
                "{}: the newest records were deleted by another program (the log once held record {high})",
                missing(from, high)
            ),
        ));
    }
    if let Some((pack, now, lost)) = lost {
        let number = head_number(&pack);
        let position = ids.binary_search(&number).map_or(records + 1, |at| at + 1);
        let reason = lost_head_words(&pack, now.as_deref(), lost - 1);
        return Ok(ChainReport {
            records,
            head: None,
            broken: Some(ChainBreak {
                id: number,
                position,
                reason,
                pack: Some(pack),
            }),
        });
    }
    // The records are whole; the closed periods must be what they say
    // (decision 283): a period lifted by editing its row is named at the
    // record that closed (or reopened) it (record 0, no record, is never
    // found among the ids).
    if let Some((record, reason)) = crate::periods::against_chain(conn)? {
        let (id, position) = match ids.binary_search(&record) {
            Ok(at) => (record, at + 1),
            Err(_) => (last.unwrap_or(0) + 1, records + 1),
        };
        return Ok(broken(id, position, reason));
    }
    // The records are whole; what vouches for them does not hold when
    // another tool attached something to the log (decision 282).
    let foreign = foreign_triggers(conn)?;
    if !foreign.is_empty() {
        return Ok(broken(
            last.unwrap_or(0) + 1,
            records + 1,
            format!(
                "the database holds {}: it can drop or alter audit records, so a change may \
                 have gone unrecorded; remove it and compare the data with an evidence pack",
                foreign_text(&foreign)
            ),
        ));
    }
    Ok(report)
}

/// The number of a pack's last audit record: EAC Desk numbers its records
/// 1, 2, 3 … without a gap (`next`), so the pack's count of records.
fn head_number(pack: &crate::PackRecord) -> i64 {
    i64::try_from(pack.audit_records).unwrap_or(i64::MAX)
}

/// The positions in `packs` (oldest first) of those whose audit head no
/// record of `rows` (content, `prev_hash`, `hash` by id) has as its hash.
fn lost_heads(
    packs: &[crate::PackRecord],
    rows: &[(i64, String, Option<String>, Option<String>)],
) -> Vec<usize> {
    if packs.is_empty() {
        return Vec::new();
    }
    let wanted: std::collections::HashSet<&str> = packs
        .iter()
        .filter_map(|p| p.audit_head.as_deref())
        .collect();
    let found: std::collections::HashSet<&str> = rows
        .iter()
        .filter_map(|r| r.3.as_deref())
        .filter(|h| wanted.contains(h))
        .collect();
    packs
        .iter()
        .enumerate()
        .filter(|(_, p)| p.audit_head.as_deref().is_some_and(|h| !found.contains(h)))
        .map(|(at, _)| at)
        .collect()
}

/// Why the log no longer holds `pack`'s head, in plain words: `now` is
/// the hash its last record has now (`None`: the log holds no record of
/// that number), `later` how many later packs lost theirs too.
fn lost_head_words(pack: &crate::PackRecord, now: Option<&str>, later: usize) -> String {
    let number = head_number(pack);
    let head = pack.audit_head.as_deref().unwrap_or_default();
    let there = match now {
        Some(now) => format!("record {number} now has the hash {now}"),
        None => format!("the log holds no record {number} any more"),
    };
    let also = match later {
        0 => String::new(),
        1 => " (the head of 1 later pack is gone too)".to_owned(),
        n => format!(" (the heads of {n} later packs are gone too)"),
    };
    // Whole seconds, as `pack ls` shows when a pack was made.
    let made = match pack.created_at.split_once('.') {
        Some((seconds, _)) if pack.created_at.ends_with('Z') => format!("{seconds}Z"),
        _ => pack.created_at.clone(),
    };
    format!(
        "evidence pack {} (made {made}, folder {}) ends at record {number} with the hash {head}, \
         but {there}: the audit log was changed after that pack was made (record {number} or \
         one before it was changed, removed or inserted, and the chain computed again){also}",
        pack.id, pack.path
    )
}

/// Inserts one audit record with its chain link: `values` are the columns
/// after `id` in [`CONTENT_COLUMNS`] order up to `import_batch_id`; the
/// display name is the write's, the server login its connection's. Returns
/// the new id.
pub(crate) fn insert(w: &crate::write::Write, values: Vec<Value>) -> Result<i64> {
    Ok(insert_many(w, vec![values])?[0])
}

/// [`insert`] of several records in one statement (one round trip on a
/// server), each linked to the one before it, in the order given; returns
/// their ids. `records` must not be empty.
pub(crate) fn insert_many(w: &crate::write::Write, records: Vec<Vec<Value>>) -> Result<Vec<i64>> {
    debug_assert!(!records.is_empty(), "at least one record");
    // After this write's first record, the next follows its last: three
    // statements less per record (a round trip each on a server).
    let tail = w.chain_tail.borrow_mut().take();
    let (mut id, mut prev) = match tail {
        Some((last, hash)) => (last + 1, hash),
        None => next(w.db())?,
    };
    let name = w
        .audit_name()
        .map_or(Value::Null, |n| Value::Text(n.to_owned()));
    // The login the server authenticated this connection as: its trigger
    // refuses a record naming another (server migration 0027). None on a
    // file.
    let login = w.server_login()?.map_or(Value::Null, Value::Text);
    let mut ids = Vec::with_capacity(records.len());
    let mut rows = Vec::with_capacity(records.len());
    let mut all: Vec<Value> = Vec::with_capacity(records.len() * (CONTENT_COUNT + 2));
    for values in records {
        let first = all.len();
        all.push(Value::Integer(id));
        all.extend(values);
        all.push(name.clone());
        all.push(login.clone());
        debug_assert_eq!(all.len() - first, CONTENT_COUNT);
        let hash = link(&prev, &canonical(all[first..].iter().map(ValueRef::from)));
        all.push(Value::Text(std::mem::replace(&mut prev, hash.clone())));
        all.push(Value::Text(hash));
        let placeholders: Vec<String> = (first + 1..=all.len()).map(|i| format!("?{i}")).collect();
        rows.push(format!("({})", placeholders.join(", ")));
        ids.push(id);
        id += 1;
    }
    let sql = format!(
        "INSERT INTO audit_log ({CONTENT_COLUMNS}, prev_hash, hash) VALUES {}",
        rows.join(", ")
    );
    let params: Vec<&dyn rusqlite::ToSql> = all.iter().map(|v| v as &dyn rusqlite::ToSql).collect();
    let stored = w.db().execute(&sql, &params)?;
    if stored != ids.len() {
        return Err(not_taken(
            w.db(),
            &format!(
                "it kept {stored} of {} record{}",
                ids.len(),
                if ids.len() == 1 { "" } else { "s" }
            ),
        ));
    }
    *w.chain_tail.borrow_mut() = Some((id - 1, prev));
    Ok(ids)
}

/// Before a write commits: the log ends with the last record it appended,
/// as it hashed it (nothing another tool attached dropped, replaced or
/// added a record behind it). Nothing to check when it appended none.
pub(crate) fn confirm_tail(w: &crate::write::Write) -> Result<()> {
    let Some((id, hash)) = w.chain_tail.borrow().clone() else {
        return Ok(());
    };
    let head: Option<(i64, Option<String>)> = w.db().query_opt(
        "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
        &[],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    match head {
        Some((last, Some(last_hash))) if last == id && last_hash == hash => Ok(()),
        Some((last, _)) if last != id => Err(not_taken(
            w.db(),
            &format!("the log ends with record {last}, not with this change's record {id}"),
        )),
        _ => Err(not_taken(
            w.db(),
            &format!("record {id} is not stored as it was written"),
        )),
    }
}

/// The refusal of a write whose audit records the log did not keep.
fn not_taken(conn: &dyn Db, what: &str) -> StoreError {
    let (cause, remedy) = match foreign_triggers(conn) {
        Ok(found) if !found.is_empty() => (
            format!("the database holds {}", foreign_text(&found)),
            format!(
                "Remove it with {} if nobody needs it, then check",
                drop_hint(conn, &found)
            ),
        ),
        _ => (
            "something another program attached to the database dropped or changed it".to_owned(),
            "Check".to_owned(),
        ),
    };
    StoreError::Conflict {
        message: format!(
            "The audit log did not take the record of this change ({what}): {cause}; nothing was \
             changed. {remedy} the log with `eacdesk audit verify`."
        ),
        ids: Vec::new(),
    }
}

/// The tables whose rows the chain vouches for: its own, and the closed
/// periods its `period_close`/`period_reopen` records hold.
const CHAIN_TABLES: [&str; 2] = ["audit_log", "closed_periods"];

/// EAC Desk's own triggers on a server's `audit_log` (server migrations
/// 0014 and 0027); a file's are `migrate::AUDIT_TRIGGERS`, checked with
/// their body.
const SERVER_AUDIT_TRIGGERS: [&str; 4] = [
    "audit_log_no_update",
    "audit_log_no_delete",
    "audit_log_no_truncate",
    "audit_log_server_login",
];

/// The triggers on the chain's tables ([`CHAIN_TABLES`]) that EAC Desk did
/// not make, as `NAME on TABLE` (on a server also its rewrite rules, as
/// `rule NAME on TABLE`; on a file an audit-log trigger under EAC Desk's
/// name but with another body, as `NAME on audit_log (changed)`). Such a
/// trigger can swallow an insert (`RAISE(IGNORE)`, a function returning
/// NULL, a `DO INSTEAD NOTHING` rule) or change other tables behind an
/// audited change.
pub(crate) fn foreign_triggers(conn: &dyn Db) -> Result<Vec<String>> {
    let mut found = Vec::new();
    match conn.kind() {
        Kind::Sqlite => {
            let tables = CHAIN_TABLES
                .iter()
                .map(|t| format!("'{t}'"))
                .collect::<Vec<_>>()
                .join(", ");
            conn.each(
                &format!(
                    "SELECT name, tbl_name, sql FROM sqlite_schema
                      WHERE type = 'trigger' AND lower(tbl_name) IN ({tables})
                      ORDER BY lower(tbl_name), name"
                ),
                &[],
                &mut |r| {
                    // The table as its CREATE TRIGGER spelled it: SQLite's
                    // names ignore ASCII case.
                    let (name, table): (String, String) = (r.get(0)?, r.get(1)?);
                    let table = table.to_ascii_lowercase();
                    let sql: Option<String> = r.get(2)?;
                    let ours = table == "audit_log"
                        && sql
                            .as_deref()
                            .is_some_and(|sql| crate::migrate::is_own_trigger(&name, sql));
                    if !ours {
                        let changed =
                            table == "audit_log" && crate::migrate::is_own_trigger_name(&name);
                        found.push(format!(
                            "{name} on {table}{}",
                            if changed { " (changed)" } else { "" }
                        ));
                    }
                    Ok(())
                },
            )?;
        }
        Kind::Postgres => {
            let own = SERVER_AUDIT_TRIGGERS
                .iter()
                .map(|n| format!("'{n}'"))
                .collect::<Vec<_>>()
                .join(", ");
            let tables = CHAIN_TABLES
                .iter()
                .map(|t| format!("to_regclass('{t}')"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "SELECT name, tbl FROM (
                    SELECT t.tgname::text AS name, c.relname::text AS tbl
                      FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                     WHERE NOT t.tgisinternal AND c.oid IN ({tables})
                       AND NOT (c.relname = 'audit_log' AND t.tgname IN ({own}))
                    UNION ALL
                    SELECT 'rule ' || r.rulename::text, c.relname::text
                      FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
                     WHERE c.oid IN ({tables})
                 ) f ORDER BY tbl, name"
            );
            conn.each(&sql, &[], &mut |r| {
                let (name, table): (String, String) = (r.get(0)?, r.get(1)?);
                found.push(format!("{name} on {table}"));
                Ok(())
            })?;
        }
    }
    Ok(found)
}

/// "a trigger EAC Desk did not make (NAME on TABLE)", or the plural.
pub(crate) fn foreign_text(found: &[String]) -> String {
    let rules = found.iter().any(|f| f.starts_with("rule "));
    let what = match (found.len(), rules) {
        (1, true) => "a rule",
        (1, false) => "a trigger",
        (_, true) => "triggers or rules",
        (_, false) => "triggers",
    };
    format!("{what} EAC Desk did not make ({})", found.join(", "))
}

/// The statement that removes the first of `found` (SQLite's or a
/// server's spelling), for the refusal's advice.
fn drop_hint(conn: &dyn Db, found: &[String]) -> String {
    let Some((name, table)) = found.first().and_then(|f| f.split_once(" on ")) else {
        return String::new();
    };
    let table = table.trim_end_matches(" (changed)");
    match (conn.kind(), name.strip_prefix("rule ")) {
        (Kind::Sqlite, _) => format!("`DROP TRIGGER \"{name}\";`"),
        (Kind::Postgres, Some(rule)) => format!("`DROP RULE \"{rule}\" ON {table};`"),
        (Kind::Postgres, None) => format!("`DROP TRIGGER \"{name}\" ON {table};`"),
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::types::Value;

    use crate::{Store, StoreError};

    /// The columns after `id` of a database-level record.
    fn record() -> Vec<Value> {
        let text = |t: &str| Value::Text(t.to_owned());
        vec![
            text("2024-01-01T00:00:00.000000000Z"),
            text("alice"),
            text(""),
            text("export"),
            text("null"),
            text("null"),
            text("a test"),
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
        ]
    }

    fn conflict(e: StoreError) -> String {
        match e {
            StoreError::Conflict { message, .. } => message,
            other => panic!("expected a conflict, got {other:?}"),
        }
    }

    /// The optional members are left out from the end while null: a record
    /// without a server login hashes as it did before schema 27 (12
    /// members without a display name, 13 with one); one with a login keeps
    /// a null display name before it.
    #[test]
    fn a_server_login_joins_the_canonical_content_only_when_there_is_one() {
        use super::canonical_json;
        use serde_json::{json, Value as J};
        let mut values: Vec<J> = vec![json!(1)];
        values.extend(record().iter().map(|v| match v {
            Value::Text(t) => json!(t),
            _ => J::Null,
        }));
        let with = |name: J, login: J| {
            let mut all = values.clone();
            all.extend([name, login]);
            canonical_json(&all)
        };
        let twelve = canonical_json(&values);
        assert_eq!(with(J::Null, J::Null), twelve);
        assert_eq!(
            with(json!("Ann"), J::Null),
            format!("{},\"Ann\"]", twelve.trim_end_matches(']'))
        );
        assert_eq!(
            with(J::Null, json!("ann")),
            format!("{},null,\"ann\"]", twelve.trim_end_matches(']'))
        );
        assert_eq!(
            with(json!("Ann"), json!("ann")),
            format!("{},\"Ann\",\"ann\"]", twelve.trim_end_matches(']'))
        );
    }

    // A trigger that appears after a write's first record (the check
    // before it saw none) still cannot drop the next one unnoticed.
    #[test]
    fn an_insert_the_log_did_not_take_refuses_the_write() {
        let dir = tempfile::TempDir::new().unwrap();
        let mut store = Store::open(&dir.path().join("db.sqlite")).unwrap();
        let e = store
            .write(|w| {
                super::insert(w, record())?;
                w.execute_batch(
                    "CREATE TRIGGER zz_swallow BEFORE INSERT ON audit_log
                     BEGIN SELECT RAISE(IGNORE); END",
                )?;
                super::insert(w, record())
            })
            .unwrap_err();
        let m = conflict(e);
        assert!(
            m.starts_with("The audit log did not take the record of this change (it kept 0 of 1 record): the database holds a trigger EAC Desk did not make (zz_swallow on audit_log)"),
            "{m}"
        );
        assert!(m.contains("nothing was changed"), "{m}");
        assert_eq!(store.verify_audit_chain().unwrap().records, 0);
    }

    // A record added behind the write's last one (by a trigger of another
    // tool on some other table, say) is found before the commit.
    #[test]
    fn a_log_not_ending_with_the_writes_last_record_refuses_the_write() {
        let dir = tempfile::TempDir::new().unwrap();
        let mut store = Store::open(&dir.path().join("db.sqlite")).unwrap();
        let e = store
            .write(|w| {
                super::insert(w, record())?;
                w.execute_batch(
                    r#"INSERT INTO audit_log (id, at, os_user, cds_eac_id, action, "before", "after", reason)
                       VALUES (7, 'x', 'x', '', 'export', 'null', 'null', 'x')"#,
                )?;
                Ok(())
            })
            .unwrap_err();
        let m = conflict(e);
        assert!(
            m.contains("(the log ends with record 7, not with this change's record 1)"),
            "{m}"
        );
        assert_eq!(store.verify_audit_chain().unwrap().records, 0);
    }
}
