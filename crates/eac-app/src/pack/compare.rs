//! What `pack diff` compares besides the EACs' P1 objects (decision 121 as
//! amended): the audit records up to the pack's head, by number, when this
//! database made the pack and its log no longer holds that head; the
//! recorded claims the pack carries (`claims/claim-N.json`); its registry
//! documents (`sources/`); and, for an EAC that changed with no audit
//! record since, what differs between its packed and current P1 object.
//! Each reads its part of the pack a file or a line at a time.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use eac_store::chain::{canonical_json, link, CONTENT_NAMES};
use eac_store::{
    AuditAction, AuditChainRow, AuditRecord, FieldChange, PackRecord, Store, StoreError,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::verify::{next_line, open_in_pack, pass_line, refused_in_pack, InPack, Line};
use super::{AuditLine, AUDIT_FILE, CLAIMS_DIR, SOURCES_DIR};
use crate::AppError;

/// How many audit records that differ a diff names (the others counted).
const AUDIT_NAMED: usize = 50;
/// How many differences of one EAC, record or claim are named (the
/// others counted).
const FIELDS_NAMED: usize = 20;
/// The members that say which record an added or removed one is.
const RECORD_NAMED_BY: [&str; 6] = [
    "at",
    "os_user",
    "display_name",
    "cds_eac_id",
    "action",
    "reason",
];

/// How a part of the pack and the database differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum PackPartChange {
    /// In the database now, not in the pack.
    Added,
    /// In the pack, no longer in the database (a claim: deleted).
    Removed,
    /// In both, and different now.
    Changed,
}

/// One audit record, up to the pack's last, that differs between the
/// pack's `audit.jsonl` and the database's log (compared by number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PackAuditChange {
    /// The record's number.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub change: PackPartChange,
    /// Member by member (`at`, `reason`, `after_state` …): as packed
    /// (`before`) and now (`after`). A changed record lists the members
    /// that differ; an added or removed one the members that say which
    /// record it is. Empty when the pack holds only the record's hashes.
    pub fields: Vec<FieldChange>,
    /// The pack holds only this record's hashes (a record about an EAC
    /// outside the pack): that its content differs is known, not how.
    pub redacted: bool,
}

/// One recorded claim the pack carries, or would carry if made now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PackClaimChange {
    /// The claim's number (`claims/claim-N.json`).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub claim_id: i64,
    /// Its name, when the database or its audit records still know it.
    pub name: Option<String>,
    /// `removed`: deleted since the pack; `changed`: its report (`claims
    /// report --claim N --json`) differs from the pack's; `added`:
    /// recorded since the pack over EACs in it.
    pub change: PackPartChange,
    /// What differs in its report, member by member (`matched`,
    /// `check.values[2].allocated` …): as packed (`before`) and now (`after`).
    pub fields: Vec<FieldChange>,
    /// How many more differences there are than `fields` names.
    pub fields_more: usize,
    /// Its audit records since the pack (`claim_create`, `claim_delete`).
    pub records: Vec<AuditRecord>,
}

/// One registry document in the pack's `sources/` that the database no
/// longer stores as packed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PackSourceChange {
    /// The file in the pack (`sources/…`).
    pub file: String,
    /// Its SHA-256: the document's, as the EACs name it.
    pub sha256: String,
    /// `removed`: no document is stored under it any more; `changed`: the
    /// bytes stored under it are others now.
    pub change: PackPartChange,
    /// `changed`: the SHA-256 of the bytes stored under it now.
    pub stored_sha256: Option<String>,
}

/// Where `packed` and `now` differ, leaf by leaf, each named by its path
/// (`destination_name`, `values[0].value`): `before` as packed, `after`
/// now (`None`: absent there). The first few are named; the second number
/// counts the others.
pub(super) fn json_changes(packed: &Value, now: &Value) -> (Vec<FieldChange>, usize) {
    let mut found = Named::new(FIELDS_NAMED);
    walk(&mut String::new(), Some(packed), Some(now), &mut found);
    (found.kept, found.more)
}

/// The first `limit` things found, and how many more.
struct Named<T> {
    kept: Vec<T>,
    more: usize,
    limit: usize,
}

impl<T> Named<T> {
    fn new(limit: usize) -> Named<T> {
        Named {
            kept: Vec::new(),
            more: 0,
            limit,
        }
    }

    fn note(&mut self, found: T) {
        if self.kept.len() < self.limit {
            self.kept.push(found);
        } else {
            self.more += 1;
        }
    }
}

fn walk(path: &mut String, a: Option<&Value>, b: Option<&Value>, found: &mut Named<FieldChange>) {
    if a == b {
        return;
    }
    let at = path.len();
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            let names = x.keys().chain(y.keys().filter(|k| !x.contains_key(*k)));
            for name in names {
                if at > 0 {
                    path.push('.');
                }
                path.push_str(name);
                walk(path, x.get(name), y.get(name), found);
                path.truncate(at);
            }
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) => {
            for i in 0..x.len().max(y.len()) {
                path.push_str(&format!("[{i}]"));
                walk(path, x.get(i), y.get(i), found);
                path.truncate(at);
            }
        }
        _ => found.note(FieldChange {
            field: if path.is_empty() {
                "(the whole object)".to_owned()
            } else {
                path.clone()
            },
            before: a.map(leaf),
            after: b.map(leaf),
        }),
    }
}

/// A value as a change shows it: text as it is, anything else as JSON.
fn leaf(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

// ---------------------------------------------------------------------------
// The pack as this database recorded it

/// For a pack whose `MANIFEST.json` this database did not record: the
/// pack it recorded at the same moment (`created_at`) from the same audit
/// head, which the pack then claims to be and is not (its manifest, so
/// its content or its signer, differs); and whether the pack's signer
/// signed any pack recorded here. A pack is recorded at most once a
/// moment and head, so one of the same moment and head with another
/// manifest was changed after it was made.
pub(super) fn recorded_like(
    store: &Store,
    manifest: &super::Manifest,
) -> Result<(Option<PackRecord>, bool), AppError> {
    let packs = store.packs()?;
    let key_recorded = packs
        .iter()
        .any(|p| p.key_fingerprint == manifest.key.fingerprint);
    let namesake = packs
        .into_iter()
        .find(|p| p.created_at == manifest.created_at && p.audit_head == manifest.audit.head);
    Ok((namesake, key_recorded))
}

// ---------------------------------------------------------------------------
// The audit records up to the pack's head

/// A pack's `audit.jsonl`, a line at a time; a line that does not read as
/// a record, or is longer than any, is passed over (`pack verify` names
/// it).
struct PackedAudit {
    reader: io::BufReader<fs::File>,
    path: PathBuf,
    line: Vec<u8>,
}

impl PackedAudit {
    fn next(&mut self) -> Result<Option<AuditLine>, StoreError> {
        let failed = |source| StoreError::Io {
            path: self.path.clone(),
            source,
        };
        loop {
            match next_line(&mut self.reader, &mut self.line).map_err(failed)? {
                Line::End => return Ok(None),
                Line::TooLong => {
                    pass_line(&mut self.reader).map_err(failed)?;
                    continue;
                }
                Line::Read => {}
            }
            if let Ok(line) = serde_json::from_slice::<AuditLine>(&self.line) {
                return Ok(Some(line));
            }
        }
    }
}

/// The audit records numbered up to `head` (the pack's last) that differ
/// between the pack in `dir` and the database, by number: changed (its
/// content is not what the pack's hash covers), removed (the pack's, gone
/// now) or added (a number the pack does not have). Read side by side, a
/// record at a time; the first few named, the second number counts the
/// others.
pub(super) fn compare_audit(
    store: &Store,
    dir: &Path,
    head: i64,
) -> Result<(Vec<PackAuditChange>, usize), AppError> {
    let path = dir.join(AUDIT_FILE);
    let file = open_pack_file(dir, AUDIT_FILE)?;
    let mut packed = PackedAudit {
        reader: io::BufReader::new(file),
        path,
        line: Vec::new(),
    };
    let mut found = Named::new(AUDIT_NAMED);
    let mut pending = packed.next()?;
    store.each_audit_row(&mut |row| {
        if row.id > head {
            return Ok(());
        }
        while let Some(gone) = pending.take_if(|p| p.id < row.id) {
            found.note(removed(gone));
            pending = packed.next()?;
        }
        match pending.take_if(|p| p.id == row.id) {
            Some(was) => {
                if let Some(change) = changed(&was, &row) {
                    found.note(change);
                }
                pending = packed.next()?;
            }
            None => found.note(added(&row)),
        }
        Ok(())
    })?;
    while let Some(gone) = pending {
        found.note(removed(gone));
        pending = packed.next()?;
    }
    Ok((found.kept, found.more))
}

/// The packed record's member `name` (`null` when it does not have it).
fn member<'a>(record: &'a serde_json::Map<String, Value>, name: &str) -> &'a Value {
    record.get(name).unwrap_or(&Value::Null)
}

fn removed(was: AuditLine) -> PackAuditChange {
    let fields = match &was.record {
        Some(record) => RECORD_NAMED_BY
            .iter()
            .filter(|name| !member(record, name).is_null())
            .map(|name| FieldChange {
                field: (*name).to_owned(),
                before: Some(leaf(member(record, name))),
                after: None,
            })
            .collect(),
        None => Vec::new(),
    };
    PackAuditChange {
        id: was.id,
        change: PackPartChange::Removed,
        fields,
        redacted: was.record.is_none(),
    }
}

fn added(row: &AuditChainRow) -> PackAuditChange {
    let fields = CONTENT_NAMES
        .iter()
        .zip(&row.values)
        .filter(|(name, value)| RECORD_NAMED_BY.contains(name) && !value.is_null())
        .map(|(name, value)| FieldChange {
            field: (*name).to_owned(),
            before: None,
            after: Some(leaf(value)),
        })
        .collect();
    PackAuditChange {
        id: row.id,
        change: PackPartChange::Added,
        fields,
        redacted: false,
    }
}

/// `None` when the record's content now is what the pack's hash covers:
/// its hash taken from the pack's previous hash, as the chain was then,
/// is the pack's (so a record the pack redacts is compared too).
fn changed(was: &AuditLine, row: &AuditChainRow) -> Option<PackAuditChange> {
    let content = canonical_json(&row.values);
    let same = match (&was.prev_hash, &was.hash) {
        (Some(prev), Some(hash)) => link(prev, &content) == *hash,
        _ => false,
    };
    if same {
        return None;
    }
    let fields = match &was.record {
        Some(record) => CONTENT_NAMES
            .iter()
            .zip(&row.values)
            .filter(|(name, now)| member(record, name) != *now)
            .map(|(name, now)| FieldChange {
                field: (*name).to_owned(),
                before: Some(member(record, name))
                    .filter(|v| !v.is_null())
                    .map(leaf),
                after: Some(now).filter(|v| !v.is_null()).map(leaf),
            })
            .collect(),
        None => Vec::new(),
    };
    Some(PackAuditChange {
        id: row.id,
        change: PackPartChange::Changed,
        fields,
        redacted: was.record.is_none(),
    })
}

/// The entries of one of the pack's folders (`claims/`, `sources/`), in
/// the order the file system gives them; none when the pack has no such
/// folder (a pack makes one only when it has something to put in it).
fn pack_folder(dir: &Path, name: &str) -> Result<Vec<fs::DirEntry>, AppError> {
    let folder = &dir.join(name);
    // A real folder of the pack, not one a link leads to.
    match fs::symlink_metadata(folder) {
        Ok(meta) if !meta.is_dir() => {
            return Err(refused_in_pack(
                dir,
                name,
                super::verify::kind_words(&meta.file_type()),
            ))
        }
        _ => {}
    }
    let entries = match fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(AppError::io(folder, &e)),
    };
    entries
        .map(|entry| entry.map_err(|e| AppError::io(folder, &e)))
        .collect()
}

// ---------------------------------------------------------------------------
// Claims

/// The numbers of the claims the pack in `dir` carries, ascending.
pub(super) fn packed_claims(dir: &Path) -> Result<BTreeSet<i64>, AppError> {
    let mut out = BTreeSet::new();
    for entry in pack_folder(dir, CLAIMS_DIR)? {
        let name = entry.file_name();
        let number = name
            .to_str()
            .and_then(|n| n.strip_prefix("claim-"))
            .and_then(|n| n.strip_suffix(".json"))
            .and_then(|n| n.parse::<i64>().ok());
        out.extend(number);
    }
    Ok(out)
}

/// Whether `record` is the `claim_create` or `claim_delete` of claim `id`.
fn of_claim(record: &AuditRecord, id: i64) -> bool {
    matches!(
        record.action,
        AuditAction::ClaimCreate | AuditAction::ClaimDelete
    ) && record
        .changes
        .iter()
        .any(|c| c.field == "claim" && c.after.as_deref() == Some(id.to_string().as_str()))
}

/// The claims the pack in `dir` carries (`packed`) compared with the
/// recorded claims now, and the claims recorded since over its EACs
/// (`added`). Each claim's audit records since the pack are taken out of
/// `since` (the database-level records) into its change.
pub(super) fn compare_claims(
    store: &Store,
    dir: &Path,
    packed: &BTreeSet<i64>,
    added: &BTreeSet<i64>,
    since: &mut Vec<AuditRecord>,
) -> Result<Vec<PackClaimChange>, AppError> {
    let mut out = Vec::new();
    let mut records_of = |id: i64| -> Vec<AuditRecord> {
        let (mine, others) = std::mem::take(since)
            .into_iter()
            .partition(|r| of_claim(r, id));
        *since = others;
        mine
    };
    for &id in packed.iter().chain(added) {
        let change = |change, name, records| PackClaimChange {
            claim_id: id,
            name,
            change,
            fields: Vec::new(),
            fields_more: 0,
            records,
        };
        let claim = match store.claim(id) {
            Ok(claim) => Some(claim),
            Err(StoreError::NoClaim(_) | StoreError::NotFound(_)) => None,
            Err(e) => return Err(e.into()),
        };
        let Some(claim) = claim else {
            // Deleted: its name as its record of deletion gives it.
            let records = records_of(id);
            let name = records
                .iter()
                .flat_map(|r| &r.changes)
                .find(|c| c.field == "name")
                .and_then(|c| c.after.clone());
            out.push(change(PackPartChange::Removed, name, records));
            continue;
        };
        if added.contains(&id) {
            let records = records_of(id);
            out.push(change(PackPartChange::Added, Some(claim.name), records));
            continue;
        }
        let report =
            crate::claims::claim_report(store, crate::claims::ClaimRef::Recorded(id), &[])?;
        let now = serde_json::to_string_pretty(&report).expect("a report serializes") + "\n";
        let name = format!("{CLAIMS_DIR}/claim-{id}.json");
        let path = dir.join(&name);
        let mut was = Vec::new();
        io::Read::read_to_end(&mut open_pack_file(dir, &name)?, &mut was)
            .map_err(|e| AppError::io(&path, &e))?;
        if was == now.as_bytes() {
            continue;
        }
        let was = filed(&serde_json::from_slice(&was).unwrap_or(Value::Null));
        let now = filed(&serde_json::to_value(&report).expect("a report serializes"));
        if was == now {
            // Only words or criteria differ: another EAC Desk version.
            continue;
        }
        let (fields, fields_more) = json_changes(&was, &now);
        let records = records_of(id);
        out.push(PackClaimChange {
            fields,
            fields_more,
            ..change(PackPartChange::Changed, Some(claim.name), records)
        });
    }
    Ok(out)
}

/// The members of a claim report (`claims/claim-N.json`) that are what was
/// filed: the claim's definition, its figures, its recorded factors and
/// by month and interval, and per value what it allocated
/// ([`FILED_ALLOCATION`]).
const FILED: [&str; 20] = [
    "claim_id",
    "beneficiary_type",
    "beneficiaries",
    "from",
    "to",
    "granularity",
    "market",
    "unit",
    "consumption",
    "matched",
    "unmatched",
    "surplus",
    "coverage_percent",
    "market_based_tco2e",
    "location_based_tco2e",
    "residual_mix_factor",
    "grid_factor",
    "hourly",
    "intervals",
    "months",
];

/// The members of each `check.values[]` of a claim report that are the
/// claim's allocation: the EAC, its value, the value's interval and the
/// quantity given to the claim.
const FILED_ALLOCATION: [&str; 5] = ["cds_eac_id", "value", "start", "end", "allocated"];

/// What a claim report says was filed, as `pack diff` compares it
/// (decision 337 as amended): [`FILED`] and, under `check.values`,
/// [`FILED_ALLOCATION`]. The rest are words and lists a later EAC Desk
/// may write otherwise with nothing changed in the data: the criteria
/// (their rule sets, results, reasons, verdicts and counts), `missing`'s
/// lines, and how the claim is checked now (`stale`,
/// `claimed_elsewhere`).
fn filed(report: &Value) -> Value {
    let pick = |from: &Value, names: &[&str]| -> serde_json::Map<String, Value> {
        names
            .iter()
            .filter_map(|n| Some(((*n).to_owned(), from.get(*n)?.clone())))
            .collect()
    };
    let mut out = pick(report, &FILED);
    let values: Vec<Value> = report
        .pointer("/check/values")
        .and_then(Value::as_array)
        .map(|values| {
            values
                .iter()
                .map(|v| Value::Object(pick(v, &FILED_ALLOCATION)))
                .collect()
        })
        .unwrap_or_default();
    out.insert("check".to_owned(), serde_json::json!({ "values": values }));
    Value::Object(out)
}

// ---------------------------------------------------------------------------
// Source documents

/// The pack's registry documents (`sources/`) that the database no longer
/// stores as packed: removed, or stored with other bytes. A document is
/// named by the SHA-256 of its file in the pack.
pub(super) fn compare_sources(
    store: &Store,
    dir: &Path,
) -> Result<Vec<PackSourceChange>, AppError> {
    let folder = dir.join(SOURCES_DIR);
    let mut names = Vec::new();
    for entry in pack_folder(dir, SOURCES_DIR)? {
        if entry.file_type().is_ok_and(|t| t.is_file()) {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();
    let mut out = Vec::new();
    for name in names {
        let path = folder.join(&name);
        let file = format!("{SOURCES_DIR}/{name}");
        let (_, sha256) =
            super::hash_open(open_pack_file(dir, &file)?).map_err(|e| AppError::io(&path, &e))?;
        match store.stored_document_sha256(&sha256)? {
            Some(now) if now == sha256 => {}
            Some(now) => out.push(PackSourceChange {
                file,
                sha256,
                change: PackPartChange::Changed,
                stored_sha256: Some(now),
            }),
            None => out.push(PackSourceChange {
                file,
                sha256,
                change: PackPartChange::Removed,
                stored_sha256: None,
            }),
        }
    }
    Ok(out)
}

/// The file `name` of the pack in `dir`, opened as a pack's files are (a
/// regular file, never through a link); `pack diff` refuses the pack
/// when it is something else.
fn open_pack_file(dir: &Path, name: &str) -> Result<fs::File, AppError> {
    let path = dir.join(name);
    match open_in_pack(&path) {
        Ok(InPack::File(file)) => Ok(file),
        Ok(InPack::Missing) => Err(AppError::io(&path, &io::ErrorKind::NotFound.into())),
        Ok(InPack::Not(kind)) => Err(refused_in_pack(dir, name, kind)),
        Err(e) => Err(AppError::io(&path, &e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_changes_name_each_leaf_by_its_path() {
        let packed = json!({"a": "x", "values": [{"value": "5000"}, {"value": "1"}], "gone": 1});
        let now = json!({"a": "y", "values": [{"value": "9999"}], "new": null});
        let (changes, more) = json_changes(&packed, &now);
        let seen: Vec<(&str, Option<&str>, Option<&str>)> = changes
            .iter()
            .map(|c| (c.field.as_str(), c.before.as_deref(), c.after.as_deref()))
            .collect();
        assert_eq!(
            seen,
            [
                ("a", Some("x"), Some("y")),
                ("gone", Some("1"), None),
                ("values[0].value", Some("5000"), Some("9999")),
                ("values[1]", Some("{\"value\":\"1\"}"), None),
                ("new", None, Some("null")),
            ]
        );
        assert_eq!(more, 0);
        let many_was: Vec<u32> = (0..30).collect();
        let many_now: Vec<u32> = (100..130).collect();
        let (changes, more) = json_changes(&json!(many_was), &json!(many_now));
        assert_eq!((changes.len(), more), (FIELDS_NAMED, 30 - FIELDS_NAMED));
    }
}
