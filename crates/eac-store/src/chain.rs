//! The audit log as a hash chain: each record's `hash` is
//! SHA-256(previous hash ‖ "\n" ‖ canonical content), its `prev_hash` the
//! previous record's hash (64 zeros for the first). The canonical content is
//! a JSON array of the record's columns in table order (id first), text as
//! JSON strings, integers as numbers, NULL as null. Any record edited,
//! deleted, inserted or moved with another tool breaks the chain at that
//! record, which [`verify`] names.

use rusqlite::types::{Value, ValueRef};
use rusqlite::{params_from_iter, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Result;

/// The `prev_hash` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hashed columns of `audit_log`, in table order.
pub(crate) const CONTENT_COLUMNS: &str = r#"id, at, os_user, cds_eac_id, action, "before", "after", reason, before_state, after_state, source_file, import_batch_id"#;

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
pub const CONTENT_NAMES: [&str; 12] = [
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
    serde_json::to_string(values).expect("JSON values serialize")
}

/// The canonical content of a record given its column values in
/// [`CONTENT_COLUMNS`] order.
pub(crate) fn canonical<'a>(values: impl IntoIterator<Item = ValueRef<'a>>) -> String {
    let array: Vec<serde_json::Value> = values.into_iter().map(json_of).collect();
    serde_json::to_string(&array).expect("JSON values serialize")
}

/// The hash of a record whose predecessor's hash is `prev`.
pub fn link(prev: &str, canonical: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(canonical.as_bytes());
    hex::encode(h.finalize())
}

/// The id the next audit record gets and the hash it follows.
pub(crate) fn next(conn: &Connection) -> Result<(i64, String)> {
    let (max_id, seq): (Option<i64>, Option<i64>) = conn.query_row(
        "SELECT (SELECT MAX(id) FROM audit_log),
                (SELECT seq FROM sqlite_sequence WHERE name = 'audit_log')",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let id = max_id.unwrap_or(0).max(seq.unwrap_or(0)) + 1;
    let prev: Option<Option<String>> = conn
        .query_row(
            "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok((id, prev.flatten().unwrap_or_else(|| GENESIS.to_owned())))
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
pub(crate) fn verify(conn: &Connection) -> Result<ChainReport> {
    let sql = format!("SELECT {CONTENT_COLUMNS}, prev_hash, hash FROM audit_log ORDER BY id");
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    let mut all = Vec::new();
    while let Some(row) = rows.next()? {
        let content = canonical((0..12).map(|i| row.get_ref(i).expect("12 columns")));
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
        all.push((id, content, text(12), text(13)));
    }
    Ok(verify_rows(all))
}

/// Inserts one audit record with its chain link: `values` are the columns
/// after `id` in [`CONTENT_COLUMNS`] order. Returns the new id.
pub(crate) fn insert(w: &crate::write::Write, values: Vec<Value>) -> Result<i64> {
    let (id, prev) = next(w)?;
    let mut all = Vec::with_capacity(values.len() + 1);
    all.push(Value::Integer(id));
    all.extend(values);
    let content = canonical(all.iter().map(ValueRef::from));
    let hash = link(&prev, &content);
    all.push(Value::Text(prev));
    all.push(Value::Text(hash));
    let placeholders: Vec<String> = (1..=all.len()).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT INTO audit_log ({CONTENT_COLUMNS}, prev_hash, hash) VALUES ({})",
        placeholders.join(", ")
    );
    w.prepare_cached(&sql)?.execute(params_from_iter(all))?;
    Ok(id)
}
