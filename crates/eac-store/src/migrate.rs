//! The schema: numbered files of `migrations/`, embedded at compile time by
//! `build.rs` and applied in one write transaction at open (the version is
//! kept in `PRAGMA user_version`).
//!
//! The version is read again inside the write transaction, so processes
//! opening a new file at the same moment (the app and the CLI) migrate it
//! once: the others wait for the write lock and find it done.

use std::collections::HashSet;
use std::path::Path;
use std::sync::OnceLock;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use crate::{Result, StoreError};

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// The newest schema version this build knows.
pub(crate) fn supported_version() -> usize {
    MIGRATION_FILES.len()
}

/// `PRAGMA user_version` as stored (a signed 32-bit field).
pub(crate) fn schema_version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "user_version", |row| row.get(0))?)
}

/// The version as a count of applied migrations; refuses a version this
/// build cannot open (newer, or negative: never written by EAC Desk).
pub(crate) fn check_version(conn: &Connection, path: &Path) -> Result<usize> {
    let found = schema_version(conn)?;
    let Ok(applied) = usize::try_from(found) else {
        return Err(StoreError::ForeignSchema {
            path: path.to_owned(),
            found,
        });
    };
    if applied > supported_version() {
        return Err(StoreError::NewerDatabase {
            path: path.to_owned(),
            found: applied,
            supported: supported_version(),
        });
    }
    Ok(applied)
}

/// Brings the database to the newest schema in one write transaction;
/// says whether anything was written. Refuses a schema written by a newer
/// version of EAC Desk (unknown here; touching it could corrupt it).
pub(crate) fn apply(conn: &mut Connection, path: &Path) -> Result<bool> {
    if check_version(conn, path)? == supported_version() {
        return Ok(false);
    }
    apply_files(conn, path, MIGRATION_FILES)
}

/// Every entry of a new database's schema, as `sqlite_schema` holds it
/// once all the migrations are applied (made in memory): (type, name,
/// sql) of each entry that has a definition. What EAC Desk makes again of
/// a database's schema is compared with this ([`crate::schema_guard`]).
pub(crate) fn new_schema() -> Result<Vec<(String, String, String)>> {
    let mut conn = Connection::open_in_memory()?;
    crate::schema_guard::defend(&conn)?;
    crate::fold::register(&conn)?;
    crate::summary::register(&conn)?;
    apply_files(&mut conn, Path::new(":memory:"), MIGRATION_FILES)?;
    let entries = conn
        .prepare("SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY name")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(entries)
}

/// The name, in lower case (SQLite's names ignore ASCII case), of every
/// schema entry some version of EAC Desk's schema holds (each migration
/// applied in turn, in memory; made once per process).
fn names_ever() -> Result<&'static HashSet<String>> {
    static NAMES: OnceLock<std::result::Result<HashSet<String>, String>> = OnceLock::new();
    let made = NAMES.get_or_init(|| {
        let mut conn = Connection::open_in_memory().map_err(|e| e.to_string())?;
        let mut names = HashSet::new();
        let mut made = || -> Result<()> {
            crate::schema_guard::defend(&conn)?;
            crate::fold::register(&conn)?;
            crate::summary::register(&conn)?;
            for version in 1..=MIGRATION_FILES.len() {
                apply_files(
                    &mut conn,
                    Path::new(":memory:"),
                    &MIGRATION_FILES[..version],
                )?;
                let mut stmt = conn.prepare("SELECT lower(name) FROM sqlite_schema")?;
                for name in stmt.query_map([], |r| r.get::<_, String>(0))? {
                    names.insert(name?);
                }
            }
            Ok(())
        };
        made().map_err(|e| e.to_string())?;
        Ok(names)
    });
    match made {
        Ok(names) => Ok(names),
        Err(message) => Err(StoreError::InvalidInput(format!(
            "EAC Desk could not make its own schema to compare a database with: {message}"
        ))),
    }
}

/// Refuses the database of another program ([`StoreError::OtherProgram`])
/// before anything is written to it: an SQLite file that holds tables,
/// views, indexes or triggers (SQLite's own `sqlite_…` entries aside)
/// and is not EAC Desk's. At schema 0 (no EAC Desk schema yet, and
/// migrations never leave a part of one: each upgrade is one transaction)
/// any entry no version of EAC Desk's schema holds makes it another
/// program's; at any other `user_version` (a program may count its own
/// schema there too) only when none of its entries is EAC Desk's. A file
/// that holds nothing (a new or vacuumed SQLite file) may become an EAC
/// Desk database; a real EAC Desk database of any schema, an older one
/// included, passes.
pub(crate) fn refuse_other_program(conn: &Connection, path: &Path) -> Result<()> {
    let entries: Vec<(String, String)> = conn
        .prepare(
            "SELECT type, name FROM sqlite_schema
              WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
              ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'view' THEN 1
                                 WHEN 'index' THEN 2 ELSE 3 END, name",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    if entries.is_empty() {
        return Ok(());
    }
    let version = schema_version(conn)?;
    // Every stored EAC Desk database has held these since schema 1: no
    // need to build the schema's names to know one.
    if version != 0
        && entries
            .iter()
            .any(|(_, n)| n.eq_ignore_ascii_case("eacs") || n.eq_ignore_ascii_case("audit_log"))
    {
        return Ok(());
    }
    let own = names_ever()?;
    let (theirs, ours): (Vec<_>, Vec<_>) = entries
        .into_iter()
        .partition(|(_, name)| !own.contains(&name.to_lowercase()));
    let other = match version {
        0 => !theirs.is_empty(),
        _ => ours.is_empty(),
    };
    if !other {
        return Ok(());
    }
    Err(StoreError::OtherProgram {
        path: path.to_owned(),
        entries: theirs,
    })
}

/// Applies `files` (a prefix of [`MIGRATION_FILES`]) not yet applied.
fn apply_files(conn: &mut Connection, path: &Path, files: &[(&str, &str)]) -> Result<bool> {
    // Some migrations rebuild a table (SQLite cannot drop a NOT NULL):
    // dropping the old table must not cascade to the rows that reference
    // it. Foreign keys are off while migrating (the pragma cannot change
    // inside a transaction) and checked before the commit.
    let enforced: bool = conn.pragma_query_value(None, "foreign_keys", |row| row.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let result = apply_in_transaction(conn, path, files);
    conn.pragma_update(None, "foreign_keys", enforced)?;
    result
}

fn apply_in_transaction(
    conn: &mut Connection,
    path: &Path,
    files: &[(&str, &str)],
) -> Result<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Another process may have migrated while we waited for the lock.
    let applied = check_version(&tx, path)?;
    if applied >= files.len() {
        return Ok(false);
    }
    for (number, (file, sql)) in files.iter().enumerate().skip(applied) {
        let failed = |e: rusqlite::Error| StoreError::Migration {
            file: (*file).to_owned(),
            message: sqlite_message(e),
        };
        tx.execute_batch(sql).map_err(failed)?;
        if *file == "0008_audit_chain.sql" {
            // SQLite has no SHA-256: the records that exist are chained
            // here, then appends-only is restored.
            chain_unchained(&tx)?;
            restore_triggers(&tx, &["audit_log_no_update"])?;
        }
        if let Some((_, edit)) = SCHEMA_EDITS.iter().find(|(name, _)| name == file) {
            edit(&tx).map_err(|message| StoreError::Migration {
                file: (*file).to_owned(),
                message,
            })?;
        }
        let version = i64::try_from(number + 1).expect("few migrations");
        tx.pragma_update(None, "user_version", version)
            .map_err(failed)?;
        let mut broken: Option<String> = None;
        for table in tables_to_check(&tx, sql).map_err(failed)? {
            broken = tx
                .query_row(
                    "SELECT \"table\" FROM pragma_foreign_key_check(?1)",
                    [&table],
                    |row| row.get(0),
                )
                .optional()
                .map_err(failed)?;
            if broken.is_some() {
                break;
            }
        }
        if let Some(table) = broken {
            return Err(StoreError::Migration {
                file: (*file).to_owned(),
                message: format!("rows of table `{table}` refer to rows that do not exist"),
            });
        }
    }
    tx.commit()?;
    Ok(true)
}

/// The tables whose foreign keys a migration's `sql` may have broken while
/// they were not enforced: the tables it writes (creates, renames, drops,
/// inserts into, updates or deletes from, trigger bodies included) and the
/// tables whose foreign keys refer to one of those. Checking only these
/// keeps an upgrade that adds a column from reading every value of a large
/// database (10 million values: two minutes for the whole-database check).
fn tables_to_check(conn: &Connection, sql: &str) -> rusqlite::Result<Vec<String>> {
    let words: Vec<String> = sql
        .lines()
        .map(|line| line.split_once("--").map_or(line, |(code, _)| code))
        .flat_map(|line| line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')))
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let mut written: Vec<&str> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let after = |skip: &[&str]| {
            words[i + 1..]
                .iter()
                .find(|n| !skip.contains(&n.as_str()))
                .map(String::as_str)
        };
        let name = match w.as_str() {
            "table" if i > 0 && matches!(words[i - 1].as_str(), "create" | "drop") => {
                after(&["if", "not", "exists", "main"])
            }
            "into" if i > 0 && matches!(words[i - 1].as_str(), "insert" | "replace" | "ignore") => {
                after(&["main"])
            }
            "from" if i > 0 && words[i - 1] == "delete" => after(&["main"]),
            "update" => after(&[
                "or", "rollback", "abort", "replace", "fail", "ignore", "main",
            ]),
            "to" if i > 0 && words[i - 1] == "rename" => after(&[]),
            _ => None,
        };
        written.extend(name);
    }
    let mut tables = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
         ORDER BY name",
    )?;
    let names: Vec<String> = stmt
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut parents = conn.prepare("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?1)")?;
    for name in names {
        let lower = name.to_ascii_lowercase();
        let refers = parents
            .query_map([&name], |row| row.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?
            .iter()
            .any(|parent| written.contains(&parent.to_ascii_lowercase().as_str()));
        if written.contains(&lower.as_str()) || refers {
            tables.push(name);
        }
    }
    Ok(tables)
}

/// The `retired_state` CHECK of `eacs` as migrations 0001 and 0007 wrote it,
/// and as 0017 rewrites it: the same rule without an IN list, which SQLite
/// would build into a temporary B-tree at every insert and update.
const RETIRED_STATE_IN_LIST: &str = "CHECK (retired_state IN ('no', 'partly', 'yes'))";
const RETIRED_STATE_COMPARED: &str =
    "CHECK (retired_state = 'no' OR retired_state = 'partly' OR retired_state = 'yes')";

/// Migration 0017: edits the definition of `eacs` in `sqlite_schema`, the
/// procedure SQLite documents for a constraint change that leaves every
/// stored row as it is (the rule is the same): schema editing on, the
/// text replaced, the schema version raised by one so that every
/// connection reads the new definition, schema editing off, all inside
/// the migration's transaction (a failure rolls the text back).
fn check_retired_state_in_place(conn: &Connection) -> std::result::Result<(), String> {
    let sql = eacs_definition(conn)?;
    if sql.matches(RETIRED_STATE_IN_LIST).count() != 1 {
        return Err(
            "the table `eacs` does not hold the CHECK on retired_state that \
                    migration 0007 wrote: the database was changed outside EAC Desk"
                .into(),
        );
    }
    let edited = sql.replacen(RETIRED_STATE_IN_LIST, RETIRED_STATE_COMPARED, 1);
    edit_schema(conn, || set_eacs_definition(conn, &edited))
}

/// The text that defines the table `eacs` in `sqlite_schema`.
fn eacs_definition(conn: &Connection) -> std::result::Result<String, String> {
    conn.query_row(
        "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'eacs'",
        [],
        |row| row.get(0),
    )
    .map_err(sqlite_message)
}

fn set_eacs_definition(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE sqlite_schema SET sql = ?1 WHERE type = 'table' AND name = 'eacs'",
        [sql],
    )
    .map(drop)
}

/// Runs `edit` on `sqlite_schema` with schema editing on, then raises the
/// schema version by one so that every connection reads the new
/// definitions, and turns schema editing off whatever happened; all inside
/// the migration's transaction (a failure rolls the edit back). SQLite's
/// defensive mode, on for every connection of the store
/// ([`crate::schema_guard::defend`]), is lifted for this step only: it
/// ignores `writable_schema` and `schema_version`.
fn edit_schema(
    conn: &Connection,
    edit: impl FnOnce() -> rusqlite::Result<()>,
) -> std::result::Result<(), String> {
    let version: i64 = conn
        .pragma_query_value(None, "schema_version", |row| row.get(0))
        .map_err(sqlite_message)?;
    crate::schema_guard::undefended(conn, || {
        conn.pragma_update(None, "writable_schema", true)?;
        let result = edit().and_then(|()| conn.pragma_update(None, "schema_version", version + 1));
        // Off whatever happened: the setting outlives the transaction.
        let off = conn.pragma_update(None, "writable_schema", false);
        result.and(off)
    })
    .map_err(sqlite_message)
}

/// `eacs.cds_eac_id` as migration 0007 declared it (UNIQUE: an automatic
/// index) and as 0018 leaves it (the same index, named).
const ID_UNIQUE: &str = "cds_eac_id              TEXT    NOT NULL UNIQUE CHECK";
const ID_PLAIN: &str = "cds_eac_id              TEXT    NOT NULL CHECK";
/// The automatic index of that UNIQUE, and the index it becomes.
const ID_AUTO_INDEX: &str = "sqlite_autoindex_eacs_1";
pub(crate) const ID_INDEX: &str = "eacs_by_cds_eac_id";

/// Migration 0018: the index that keeps `eacs.cds_eac_id` unique becomes
/// an index of its own name (`CREATE UNIQUE INDEX eacs_by_cds_eac_id`)
/// instead of the automatic index of a UNIQUE constraint, which SQLite
/// cannot drop, so that a fresh load builds it in one sorted pass after
/// the rows like the other indexes (decision 233). Both are the same
/// b-tree (the id, then the row id, compared as BINARY text), so the
/// stored pages stay as they are: as in 0017, the definitions are edited
/// in `sqlite_schema` (the table's text without UNIQUE, the automatic
/// index's row given the name and the `CREATE UNIQUE INDEX` text) with
/// the schema version raised by one, inside the migration's transaction.
fn name_the_id_index(conn: &Connection) -> std::result::Result<(), String> {
    let changed_outside = |what: &str| {
        format!(
            "the table `eacs` does not hold {what} that migration 0007 wrote: \
             the database was changed outside EAC Desk"
        )
    };
    let sql = eacs_definition(conn)?;
    if sql.matches(ID_UNIQUE).count() != 1 {
        return Err(changed_outside("the UNIQUE `cds_eac_id`"));
    }
    let automatic: Vec<(String, Option<String>)> = conn
        .prepare(
            "SELECT name, sql FROM sqlite_schema
              WHERE type = 'index' AND tbl_name = 'eacs' AND name LIKE 'sqlite_autoindex_%'",
        )
        .and_then(|mut stmt| {
            stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect()
        })
        .map_err(sqlite_message)?;
    if automatic != [(ID_AUTO_INDEX.to_owned(), None)] {
        return Err(changed_outside("one automatic index, for `cds_eac_id`,"));
    }
    let edited = sql.replacen(ID_UNIQUE, ID_PLAIN, 1);
    let index_sql = format!("CREATE UNIQUE INDEX {ID_INDEX} ON eacs (cds_eac_id)");
    edit_schema(conn, || {
        set_eacs_definition(conn, &edited)?;
        conn.execute(
            "UPDATE sqlite_schema SET name = ?1, sql = ?2 WHERE type = 'index' AND name = ?3",
            [ID_INDEX, index_sql.as_str(), ID_AUTO_INDEX],
        )
        .map(drop)
    })
}

/// An edit of `sqlite_schema`; its error in words.
type SchemaEdit = fn(&Connection) -> std::result::Result<(), String>;

/// The migrations whose SQL file is followed by an edit of the table
/// definitions in `sqlite_schema` ([`edit_schema`]): a constraint changed
/// without rewriting the rows.
const SCHEMA_EDITS: [(&str, SchemaEdit); 2] = [
    (
        "0017_retired_state_checked_in_place.sql",
        check_retired_state_in_place,
    ),
    ("0018_eac_id_index_named.sql", name_the_id_index),
];

/// Chains the records that have no hash yet, in id order (the upgrade to
/// schema 8; the caller has lifted the update trigger).
fn chain_unchained(conn: &Connection) -> Result<()> {
    use crate::chain::{canonical, link, GENESIS, LEGACY_CONTENT_COLUMNS};
    let sql = format!("SELECT {LEGACY_CONTENT_COLUMNS}, hash FROM audit_log ORDER BY id");
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS.to_owned();
    let mut updates: Vec<(i64, String, String)> = Vec::new();
    while let Some(row) = rows.next()? {
        let existing: Option<String> = row.get(12)?;
        let hash = match existing {
            Some(h) => h,
            None => {
                let content = canonical((0..12).map(|i| row.get_ref(i).expect("12 columns")));
                let h = link(&prev, &content);
                updates.push((row.get(0)?, prev.clone(), h.clone()));
                h
            }
        };
        prev = hash;
    }
    drop(rows);
    let mut update =
        conn.prepare("UPDATE audit_log SET prev_hash = ?2, hash = ?3 WHERE id = ?1")?;
    for (id, prev, hash) in updates {
        update.execute(rusqlite::params![id, prev, hash])?;
    }
    Ok(())
}

/// SQLite's own words for an error, without the statement text that
/// rusqlite's display appends.
fn sqlite_message(e: rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(f, Some(message)) => format!("{message} ({:?})", f.code),
        rusqlite::Error::SqlInputError { msg, .. } => msg,
        other => other.to_string(),
    }
}

/// The triggers that keep audit records append-only, as the migrations
/// create them: re-created at open when another tool dropped them.
const AUDIT_TRIGGERS: &[(&str, &str)] = &[
    (
        "audit_log_no_update",
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
         BEGIN
             SELECT RAISE(ABORT, 'audit records are never changed');
         END",
    ),
    (
        "audit_log_no_delete",
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
         BEGIN
             SELECT RAISE(ABORT, 'audit records are never deleted');
         END",
    ),
    (
        "audit_log_no_replace",
        "CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
         WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id)
         BEGIN
             SELECT RAISE(ABORT, 'audit records are never replaced');
         END",
    ),
];

/// Names of the audit-log triggers missing from the schema, or there under
/// their name but not as EAC Desk makes them (another tool re-created one
/// with a body that lets an update through or drops inserts): both are
/// re-created at open.
pub(crate) fn missing_triggers(conn: &Connection) -> Result<Vec<&'static str>> {
    let mut stmt = conn.prepare(
        "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?1 AND lower(tbl_name) = 'audit_log'",
    )?;
    let mut missing = Vec::new();
    for (name, _) in AUDIT_TRIGGERS {
        let sql: Option<Option<String>> = stmt.query_row([name], |r| r.get(0)).optional()?;
        if !sql.flatten().is_some_and(|sql| is_own_trigger(name, &sql)) {
            missing.push(*name);
        }
    }
    Ok(missing)
}

/// Whether `name` is one of EAC Desk's audit-log triggers' names.
pub(crate) fn is_own_trigger_name(name: &str) -> bool {
    AUDIT_TRIGGERS.iter().any(|(own, _)| *own == name)
}

/// Whether the trigger `name` on `audit_log`, created by `sql` (as
/// `sqlite_schema` keeps it), is one of EAC Desk's as it makes it (spacing
/// aside: the migrations and the restoration lay it out differently).
pub(crate) fn is_own_trigger(name: &str, sql: &str) -> bool {
    AUDIT_TRIGGERS.iter().any(|(own, own_sql)| {
        *own == name && spacing_aside(own_sql) == spacing_aside(sql).trim_end_matches(';')
    })
}

/// A schema entry's text with its spacing made one space between words,
/// as two texts of one definition are compared (the migrations and
/// SQLite's own copy lay it out differently): [`is_own_trigger`] and
/// [`crate::schema_guard::own_definition`].
pub(crate) fn spacing_aside(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Creates the named audit-log triggers (in the caller's transaction).
pub(crate) fn restore_triggers(conn: &Connection, names: &[&str]) -> Result<()> {
    for (name, sql) in AUDIT_TRIGGERS {
        if names.contains(name) {
            // A trigger of that name on another table would be in the way.
            conn.execute_batch(&format!("DROP TRIGGER IF EXISTS \"{name}\""))?;
            conn.execute_batch(sql)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_in_the_folder_is_embedded_in_order() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        on_disk.sort();
        let embedded: Vec<&str> = MIGRATION_FILES.iter().map(|(n, _)| *n).collect();
        assert_eq!(on_disk, embedded);
        for (i, name) in embedded.iter().enumerate() {
            assert!(name.starts_with(&format!("{:04}_", i + 1)), "{name}");
        }
    }

    /// A new database file brought to schema `version` (the first
    /// `version` migrations), as an older EAC Desk left it.
    fn at_version(version: usize) -> (tempfile::TempDir, std::path::PathBuf, Connection) {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join(format!("v{version}.db"));
        let mut conn = Connection::open(&path).unwrap();
        // As the store opens it (schema editing refused but for 0017/0018).
        crate::schema_guard::defend(&conn).unwrap();
        crate::fold::register(&conn).unwrap();
        apply_files(&mut conn, &path, &MIGRATION_FILES[..version]).unwrap();
        (dir, path, conn)
    }

    /// Every schema an earlier EAC Desk wrote is EAC Desk's: opened to read
    /// or to write, it is upgraded, never refused as another program's
    /// database ([`refuse_other_program`]).
    #[test]
    fn every_older_schema_opens_and_is_upgraded() {
        for version in 1..supported_version() {
            for write in [false, true] {
                let (_dir, path, conn) = at_version(version);
                drop(conn);
                let store = match write {
                    true => crate::Store::open(&path),
                    false => crate::Store::open_read(&path),
                }
                .unwrap_or_else(|e| panic!("schema {version}: {e}"));
                assert_eq!(
                    check_version(&store.conn, &path).unwrap(),
                    supported_version()
                );
            }
        }
    }

    #[test]
    fn upgrading_from_version_1_keeps_the_search_text() {
        let (_dir, path, mut conn) = at_version(1);
        conn.execute(
            "INSERT INTO eac_search (rowid, text) VALUES (7, 'EAC-7\nCUST123\nØrsted')",
            [],
        )
        .unwrap();
        apply(&mut conn, &path).unwrap();
        assert_eq!(check_version(&conn, &path).unwrap(), supported_version());
        let found = |pattern: &str| -> Option<i64> {
            conn.query_row(
                "SELECT rowid FROM eac_search WHERE text LIKE ?1",
                [pattern],
                |r| r.get(0),
            )
            .ok()
        };
        assert_eq!(found("%cust1%"), Some(7));
        // Migration 5 folded the old text: a lowercase query finds `Ørsted`.
        assert_eq!(found("%ørsted%"), Some(7));
    }

    #[test]
    fn upgrading_from_version_4_folds_reference_data() {
        let (_dir, path, mut conn) = at_version(4);
        conn.execute(
            "INSERT INTO refdata (beneficiary_type, ref_id, label, source_file, imported_at)
             VALUES ('program', 'PRG-ØST', 'Grøn Strøm', 'p.csv', '2026-01-01T00:00:00Z')",
            [],
        )
        .unwrap();
        apply(&mut conn, &path).unwrap();
        let folded: (String, String) = conn
            .query_row("SELECT ref_id_folded, label_folded FROM refdata", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(folded, ("prg-øst".to_owned(), "grøn strøm".to_owned()));
    }

    #[test]
    fn upgrading_from_version_11_sums_the_totals_that_exist() {
        let (_dir, path, mut conn) = at_version(11);
        conn.execute_batch(
            "INSERT INTO import_batches (id, file_name, imported_at) VALUES (1, 'a.json', 't');
             WITH RECURSIVE n(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM n WHERE id < 7)
             INSERT INTO eacs (id, cds_eac_id, cds_created, cds_modified, eac_number, source_id,
                source_name, destination_id, destination_name, beneficiary_type, asset_id,
                asset_origination, asset_destination, technology_type, emissions_factor_direct,
                emissions_factor_lca, period_start, period_end, issuance, retired_state,
                value_count, quantity_sort_key, import_batch_id, seen_batch_id, cds_synced)
             SELECT id, 'E-' || id, 'c', 'm', NULL, 'S', 'Src', 'D', 'Dst', 'general', 'A', 'grid',
                'region', 'solar', '0', '0', 'ps', 'pe', '2024-02-05', 'yes', 1, 'k', 1, 1, NULL
             FROM n;
             INSERT INTO eac_totals (eac_id, unit, total, mantissa, scale) VALUES
                (1, 'MWh', '1.5', 15, 1), (2, 'MWh', '2.25', 225, 2), (3, 'MWh', '0.5', 5, 1),
                (4, 'kWh', '9000000000000000000', 9000000000000000000, 0),
                (5, 'kWh', '9000000000000000000', 9000000000000000000, 0),
                (6, 'Wh', '123456789012345678901234567890', NULL, NULL);",
        )
        .unwrap();
        apply(&mut conn, &path).unwrap();
        let kept = |conn: &Connection| -> Vec<(String, i64, i64, Option<i64>)> {
            conn.prepare(
                "SELECT unit, scale, summed, mantissa FROM eac_totals_kept ORDER BY unit, scale",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
        };
        // kWh overflowed (NULL: summed from the text); the Wh row is not summed here.
        assert_eq!(
            kept(&conn),
            [
                ("MWh".to_owned(), 1, 2, Some(20)),
                ("MWh".to_owned(), 2, 1, Some(225)),
                ("kWh".to_owned(), 0, 2, None),
            ]
        );
        // Kept as rows change; a group back at no rows starts from zero.
        conn.execute_batch(
            "DELETE FROM eac_totals WHERE eac_id IN (1, 4, 5);
             UPDATE eac_totals SET total = '0.7', mantissa = 7 WHERE eac_id = 3;
             INSERT INTO eac_totals (eac_id, unit, total, mantissa, scale) VALUES (7, 'kWh', '2', 2, 0);",
        )
        .unwrap();
        assert_eq!(
            kept(&conn),
            [
                ("MWh".to_owned(), 1, 1, Some(7)),
                ("MWh".to_owned(), 2, 1, Some(225)),
                ("kWh".to_owned(), 0, 1, Some(2)),
            ]
        );
    }

    /// (facet, value, unit, scale, summed, mantissa) of `eac_facets_kept`.
    type FacetRow = (String, String, String, i64, i64, Option<i64>);

    /// The facet counts and sums the stored rows give (decision 217),
    /// recomputed in Rust: (facet, value, unit, scale) → (summed, mantissa).
    fn facets_recomputed(
        conn: &Connection,
    ) -> Vec<(String, String, String, i64, i64, Option<i64>)> {
        use std::collections::BTreeMap;
        type Key = (String, String, String, i64);
        let mut kept: BTreeMap<Key, (i64, Option<i128>)> = BTreeMap::new();
        let mut stmt = conn
            .prepare(
                "SELECT e.technology_type, e.retired_state, e.beneficiary_type, e.source_id,
                        e.destination_id, e.period_start || '/' || e.period_end,
                        t.unit, t.scale, t.mantissa
                 FROM eacs e LEFT JOIN eac_totals t ON t.eac_id = e.id AND t.mantissa IS NOT NULL
                 ORDER BY e.id, t.unit",
            )
            .unwrap();
        let mut rows = stmt.query([]).unwrap();
        let names = [
            "technology_type",
            "retired_state",
            "beneficiary_type",
            "source_id",
            "destination_id",
            "period",
        ];
        while let Some(r) = rows.next().unwrap() {
            let facets: [Option<String>; 6] = std::array::from_fn(|i| r.get(i).unwrap());
            let unit: Option<String> = r.get(6).unwrap();
            if let Some(unit) = unit {
                let scale: i64 = r.get(7).unwrap();
                let mantissa: i64 = r.get(8).unwrap();
                for (name, value) in names.iter().zip(&facets) {
                    if let Some(value) = value {
                        let e = kept
                            .entry(((*name).to_owned(), value.clone(), unit.clone(), scale))
                            .or_insert((0, Some(0)));
                        e.0 += 1;
                        e.1 = e.1.map(|m| m + i128::from(mantissa));
                    }
                }
            }
        }
        drop(rows);
        drop(stmt);
        // One count per EAC (the join gave one row per EAC and unit).
        let mut counts: BTreeMap<(String, String), i64> = BTreeMap::new();
        let mut stmt = conn
            .prepare(
                "SELECT technology_type, retired_state, beneficiary_type, source_id,
                        destination_id, period_start || '/' || period_end FROM eacs",
            )
            .unwrap();
        let mut rows = stmt.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            for (i, name) in names.iter().enumerate() {
                if let Some(value) = r.get::<_, Option<String>>(i).unwrap() {
                    *counts.entry(((*name).to_owned(), value)).or_default() += 1;
                }
            }
        }
        let mut out: Vec<_> = counts
            .into_iter()
            .map(|((f, v), n)| (f, v, String::new(), 0, n, None))
            .collect();
        out.extend(
            kept.into_iter().map(|((f, v, u, s), (n, m))| {
                (f, v, u, s, n, m.and_then(|m| i64::try_from(m).ok()))
            }),
        );
        out.sort();
        out
    }

    fn facets_kept(conn: &Connection) -> Vec<FacetRow> {
        let mut out: Vec<_> = conn
            .prepare(
                "SELECT facet, value, unit, scale, summed, mantissa FROM eac_facets_kept
                 WHERE summed > 0",
            )
            .unwrap()
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        out.sort();
        out
    }

    /// The kept rows are the recomputed ones, except that a sum that once
    /// left 64 bits stays unknown (NULL: summed from the totals) until its
    /// group empties, as in `eac_totals_kept`.
    fn assert_kept_true(conn: &Connection, after: &str) {
        let kept = facets_kept(conn);
        let recomputed = facets_recomputed(conn);
        assert_eq!(
            kept.len(),
            recomputed.len(),
            "after {after}: {kept:?}\n{recomputed:?}"
        );
        for (k, r) in kept.iter().zip(&recomputed) {
            assert_eq!(
                (&k.0, &k.1, &k.2, k.3, k.4),
                (&r.0, &r.1, &r.2, r.3, r.4),
                "after {after}"
            );
            assert!(
                k.5.is_none() || k.5 == r.5,
                "after {after}: {k:?} but {r:?}"
            );
        }
    }

    /// Import batch 1 and EAC rows 1..=`count` of it: `cds_eac_id` and
    /// `retired_state` are SQL expressions of the row number `id`, the other
    /// columns filled in.
    fn insert_eacs(conn: &Connection, count: u32, id_sql: &str, state_sql: &str) {
        conn.execute_batch(&format!(
            "INSERT INTO import_batches (id, file_name, imported_at) VALUES (1, 'a.json', 't');
             WITH RECURSIVE n(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM n WHERE id < {count})
             INSERT INTO eacs (id, cds_eac_id, cds_created, cds_modified, source_id, source_name,
                asset_id, period_start, period_end, retired_state, value_count,
                quantity_sort_key, import_batch_id, seen_batch_id)
             SELECT id, {id_sql}, 'c', 'm', 'S', 'Src', 'A', 'ps', 'pe', {state_sql}, 1, 'k', 1, 1
             FROM n;"
        ))
        .unwrap();
    }

    /// Inserts an EAC row of batch 1 with the given id and retired state
    /// (the other columns filled in).
    fn insert_eac(conn: &Connection, id: &str, state: &str) -> rusqlite::Result<usize> {
        conn.execute(
            "INSERT INTO eacs (cds_eac_id, cds_created, cds_modified, source_id, source_name,
                asset_id, period_start, period_end, retired_state, value_count,
                quantity_sort_key, import_batch_id, seen_batch_id)
             VALUES (?1, 'c', 'm', 'S', 'Src', 'A', 'ps', 'pe', ?2, 1, 'k', 1, 1)",
            [id, state],
        )
    }

    #[test]
    fn upgrading_to_version_17_checks_retired_state_in_place_and_keeps_every_row() {
        let (_dir, path, mut conn) = at_version(16);
        insert_eacs(
            &conn,
            9,
            "'E-' || id",
            "CASE id % 3 WHEN 0 THEN 'no' WHEN 1 THEN 'partly' ELSE 'yes' END",
        );
        let rows = |conn: &Connection| -> Vec<(i64, String, String)> {
            let mut stmt = conn
                .prepare("SELECT id, cds_eac_id, retired_state FROM eacs ORDER BY id")
                .unwrap();
            let found = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap();
            found.map(Result::unwrap).collect()
        };
        let before = rows(&conn);
        let definition = |conn: &Connection| -> String {
            conn.query_row(
                "SELECT sql FROM sqlite_schema WHERE name = 'eacs'",
                [],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert!(definition(&conn).contains(RETIRED_STATE_IN_LIST));
        let other = Connection::open(&path).unwrap();
        assert!(definition(&other).contains(RETIRED_STATE_IN_LIST));

        apply_files(&mut conn, &path, &MIGRATION_FILES[..17]).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), 17);
        assert_eq!(rows(&conn), before);
        let quick: String = conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(quick, "ok");
        let writable: i64 = conn
            .pragma_query_value(None, "writable_schema", |r| r.get(0))
            .unwrap();
        assert_eq!(writable, 0, "schema editing is off again");
        // Both the migrating connection and one opened before see the rule
        // as comparisons: no temporary B-tree in an insert's program.
        for conn in [&conn, &other] {
            let text = definition(conn);
            assert!(text.contains(RETIRED_STATE_COMPARED), "{text}");
            assert!(!text.contains(RETIRED_STATE_IN_LIST), "{text}");
            let mut stmt = conn
                .prepare(
                    "EXPLAIN INSERT INTO eacs (cds_eac_id, cds_created, cds_modified, source_id,
                        source_name, asset_id, period_start, period_end, retired_state,
                        value_count, quantity_sort_key, import_batch_id, seen_batch_id)
                     VALUES ('x', 'c', 'm', 'S', 'Src', 'A', 'ps', 'pe', ?1, 1, 'k', 1, 1)",
                )
                .unwrap();
            let ops: Vec<String> = stmt
                .query_map(["no"], |r| r.get(1))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            assert!(ops.iter().any(|op| op == "Insert"), "{ops:?}");
            assert!(!ops.iter().any(|op| op == "OpenEphemeral"), "{ops:?}");
        }
        // The rule itself is unchanged: the three states pass, others fail.
        let insert = |state: &str, id: &str| insert_eac(&conn, id, state);
        for (i, state) in ["no", "partly", "yes"].iter().enumerate() {
            insert(state, &format!("ok-{i}")).unwrap();
        }
        for (i, state) in ["No", "maybe", "", "yes "].iter().enumerate() {
            let err = insert(state, &format!("bad-{i}")).unwrap_err().to_string();
            assert!(err.contains("CHECK constraint failed"), "{state}: {err}");
        }
        let err = conn
            .execute("UPDATE eacs SET retired_state = 'maybe' WHERE id = 1", [])
            .unwrap_err()
            .to_string();
        assert!(err.contains("CHECK constraint failed"), "{err}");
    }

    #[test]
    fn upgrading_to_version_18_names_the_id_index_and_keeps_it_unique() {
        let (_dir, path, mut conn) = at_version(17);
        // Ids in no particular order, as a file gives them.
        insert_eacs(&conn, 500, "'E-' || ((id * 7919) % 500)", "'no'");
        let ids_in_order = |conn: &Connection, index: &str| -> Vec<(String, i64)> {
            let mut stmt = conn
                .prepare(&format!(
                    "SELECT cds_eac_id, id FROM eacs INDEXED BY {index} ORDER BY cds_eac_id"
                ))
                .unwrap();
            let found = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
            found.map(Result::unwrap).collect()
        };
        let before = ids_in_order(&conn, ID_AUTO_INDEX);
        assert_eq!(before.len(), 500);
        let other = Connection::open(&path).unwrap();

        apply_files(&mut conn, &path, &MIGRATION_FILES[..18]).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), 18);
        let integrity: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(integrity, "ok");
        let writable: i64 = conn
            .pragma_query_value(None, "writable_schema", |r| r.get(0))
            .unwrap();
        assert_eq!(writable, 0, "schema editing is off again");
        for conn in [&conn, &other] {
            let (table, index): (String, String) = conn
                .query_row(
                    "SELECT (SELECT sql FROM sqlite_schema WHERE name = 'eacs'),
                            (SELECT sql FROM sqlite_schema WHERE name = ?1)",
                    [ID_INDEX],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap();
            assert!(
                table.contains(ID_PLAIN) && !table.contains("UNIQUE"),
                "{table}"
            );
            assert_eq!(
                index,
                "CREATE UNIQUE INDEX eacs_by_cds_eac_id ON eacs (cds_eac_id)"
            );
            let automatic: i64 = conn
                .query_row(
                    "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'sqlite_autoindex_eacs%'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(automatic, 0);
            // The same entries, read through the index under its new name.
            assert_eq!(ids_in_order(conn, ID_INDEX), before);
        }
        // Still unique: a second row of a stored id is refused, a new id is not.
        let insert = |id: &str| insert_eac(&conn, id, "no");
        let err = insert("E-7").unwrap_err().to_string();
        assert!(
            err.contains("UNIQUE constraint failed: eacs.cds_eac_id"),
            "{err}"
        );
        insert("E-new").unwrap();
        assert_eq!(
            conn.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))
                .unwrap(),
            "ok"
        );
    }

    #[test]
    fn upgrading_to_version_20_never_gives_a_claim_number_twice() {
        let (_dir, path, mut conn) = at_version(19);
        // Claims 1 and 2 stored with an allocation each; claim 3 was
        // recorded and deleted (only the audit log remembers it).
        insert_eacs(&conn, 2, "'E-' || id", "'no'");
        conn.execute_batch(
            "INSERT INTO claims (id, name, beneficiary_type, beneficiaries, date_from, date_to,
                                 granularity, unit, created_at, created_by)
             VALUES (1, 'Q1', 'customer', '[\"C-1\"]', '2024-01-01', '2024-03-31', 'annual',
                     'MWh', '2024-04-01T00:00:00.000000000Z', 'ana'),
                    (2, 'Q2', 'customer', '[\"C-1\"]', '2024-04-01', '2024-06-30', 'monthly',
                     'MWh', '2024-07-01T00:00:00.000000000Z', 'ana');
             INSERT INTO claim_allocations VALUES
                (1, 'E-1', 0, '2024-01-01T00:00:00.000000000Z', '2024-02-01T00:00:00.000000000Z', '5'),
                (2, 'E-2', 0, '2024-04-01T00:00:00.000000000Z', '2024-05-01T00:00:00.000000000Z', '7');",
        )
        .unwrap();
        let audit = |action: &str, details: &str| {
            conn.execute(
                "INSERT INTO audit_log (at, os_user, cds_eac_id, action, before, after, reason,
                                        prev_hash, hash)
                 VALUES ('2024-08-01T00:00:00.000000000Z', 'ana', '', ?1, 'null', ?2, 'r', '', '')",
                [action, details],
            )
        };
        audit("claim_create", r#"{"claim":"3","name":"Q3"}"#).unwrap();
        audit("claim_delete", r#"{"claim":"3","name":"Q3"}"#).unwrap();

        apply_files(&mut conn, &path, &MIGRATION_FILES[..20]).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), 20);
        let kept: Vec<(i64, String, i64)> = conn
            .prepare(
                "SELECT c.id, c.name, count(a.claim_id) FROM claims c
                   LEFT JOIN claim_allocations a ON a.claim_id = c.id GROUP BY c.id ORDER BY c.id",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(kept, [(1, "Q1".into(), 1), (2, "Q2".into(), 1)]);
        let next = |conn: &Connection| -> i64 {
            conn.query_row(
                "INSERT INTO claims (name, beneficiary_type, beneficiaries, date_from, date_to,
                                     granularity, unit, created_at, created_by)
                 VALUES ('n', 'general', '[]', '2025-01-01', '2025-01-31', 'annual', 'MWh',
                         '2025-02-01T00:00:00.000000000Z', 'ana')
                 RETURNING id",
                [],
                |r| r.get(0),
            )
            .unwrap()
        };
        // Past the deleted claim 3; and the newest, once deleted, is not
        // given again either.
        assert_eq!(next(&conn), 4);
        conn.execute("DELETE FROM claims WHERE id = 4", []).unwrap();
        assert_eq!(next(&conn), 5);
        // Deleting a claim still takes its allocations with it.
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        conn.execute("DELETE FROM claims WHERE id = 1", []).unwrap();
        let left: i64 = conn
            .query_row("SELECT count(*) FROM claim_allocations", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 1);
    }

    #[test]
    fn upgrading_to_version_21_folds_the_final_sigma_of_stored_text() {
        let (_dir, path, mut conn) = at_version(20);
        conn.execute_batch(
            "INSERT INTO eac_search (rowid, text) VALUES (7, 'e-7\nοδυσσεας energy'), (8, 'e-8');
             INSERT INTO refdata (beneficiary_type, ref_id, label, source_file, imported_at,
                                  ref_id_folded, label_folded)
             VALUES ('program', 'ΠΡΑΣΙΝΟΣ', 'Πράσινος', 'p.csv', '2026-01-01T00:00:00Z',
                     'πρασινος', 'πράσινος');",
        )
        .unwrap();
        apply(&mut conn, &path).unwrap();
        let found = |pattern: &str| -> Vec<i64> {
            conn.prepare("SELECT rowid FROM eac_search WHERE text LIKE ?1")
                .unwrap()
                .query_map([pattern], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        // The query folds `ΟΔΥΣ` to `οδυσ` now, and the stored name too.
        assert_eq!(found(&format!("%{}%", crate::fold::fold("ΟΔΥΣ"))), [7]);
        assert_eq!(found(&format!("%{}%", crate::fold::fold("ΟΔΥΣΣΕΑΣ"))), [7]);
        let folded: (String, String) = conn
            .query_row("SELECT ref_id_folded, label_folded FROM refdata", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(folded, ("πρασινοσ".to_owned(), "πράσινοσ".to_owned()));
    }

    #[test]
    fn upgrading_to_version_25_folds_stored_text_to_nfc() {
        let (_dir, path, mut conn) = at_version(24);
        // As older versions folded them: lowercase, accents as stored.
        conn.execute_batch(
            "INSERT INTO eac_search (rowid, text) VALUES
                (7, 'e-7\nénergie café'), (8, 'e-8\ne\u{301}nergie cafe\u{301}'), (9, 'e-9');
             INSERT INTO refdata (beneficiary_type, ref_id, label, source_file, imported_at,
                                  ref_id_folded, label_folded)
             VALUES ('program', 'PRG-A\u{30a}', 'E\u{301}nergie', 'p.csv',
                     '2026-01-01T00:00:00Z', 'prg-a\u{30a}', 'e\u{301}nergie');",
        )
        .unwrap();
        apply_files(&mut conn, &path, &MIGRATION_FILES[..25]).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), 25);
        let found = |pattern: &str| -> Vec<i64> {
            conn.prepare("SELECT rowid FROM eac_search WHERE text LIKE ?1 ORDER BY rowid")
                .unwrap()
                .query_map([pattern], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        // The query folds to NFC, and now so does the text stored before.
        for query in ["café", "cafe\u{301}", "ÉNERGIE"] {
            assert_eq!(
                found(&format!("%{}%", crate::fold::fold(query))),
                [7, 8],
                "{query}"
            );
        }
        let folded: (String, String, String) = conn
            .query_row(
                "SELECT ref_id, ref_id_folded, label_folded FROM refdata",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        // The id is kept as written; its folded copy is NFC.
        assert_eq!(
            folded,
            (
                "PRG-A\u{30a}".to_owned(),
                "prg-\u{e5}".to_owned(),
                "\u{e9}nergie".to_owned()
            )
        );
    }

    /// Step 26: the names a registry statement gave an EAC (its station,
    /// printed beneficiary and holder) join its stored search text, folded,
    /// as a new import writes them; other EACs' text is left as it was.
    #[test]
    fn upgrading_to_version_26_makes_registry_names_searchable() {
        let (_dir, path, mut conn) = at_version(25);
        insert_eacs(&conn, 3, "'E-' || id", "'no'");
        conn.execute_batch(
            r#"UPDATE eacs SET extensions = '{"eacdesk_device_name":"Walney Extension","eacdesk_holder":"ØRSTED Ltd","eacdesk_status":"Retired"}' WHERE id = 1;
               UPDATE eacs SET extensions = '{"eacdesk_beneficiary_name":"FILECOIN","eacdesk_device_name":""}' WHERE id = 2;
               UPDATE eacs SET extensions = '{"x_note":"Walney"}' WHERE id = 3;
               INSERT INTO eac_search (rowid, text) VALUES (1, 'e-1'), (2, 'e-2'), (3, 'e-3');"#,
        )
        .unwrap();
        apply_files(&mut conn, &path, &MIGRATION_FILES[..26]).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), 26);
        let texts: Vec<String> = conn
            .prepare("SELECT text FROM eac_search ORDER BY rowid")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            texts,
            ["e-1\nwalney extension\nørsted ltd", "e-2\nfilecoin", "e-3"]
        );
    }

    /// Step 27: every audit record gains `server_login`, NULL (a file has
    /// no login); the records written before still verify, their canonical
    /// content unchanged, and a login set on one afterwards breaks the
    /// chain there.
    #[test]
    fn upgrading_to_version_27_adds_the_server_login_and_keeps_the_chain() {
        use crate::chain::{canonical, link, GENESIS};
        use rusqlite::types::{Value, ValueRef};
        let (_dir, path, mut conn) = at_version(26);
        let mut prev = GENESIS.to_owned();
        for (id, name) in [(1, Some("Ann Lee")), (2, None)] {
            let text = |t: &str| Value::Text(t.to_owned());
            let values = vec![
                Value::Integer(id),
                text("2026-01-01T00:00:00.000000000Z"),
                text("ann"),
                text(""),
                text("export"),
                text("null"),
                text("null"),
                text("a test"),
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
                name.map_or(Value::Null, text),
            ];
            let hash = link(&prev, &canonical(values.iter().map(ValueRef::from)));
            conn.execute(
                r#"INSERT INTO audit_log (id, at, os_user, cds_eac_id, action, "before", "after",
                       reason, before_state, after_state, source_file, import_batch_id,
                       display_name, prev_hash, hash)
                   VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"#,
                rusqlite::params_from_iter(
                    values
                        .into_iter()
                        .chain([Value::Text(prev.clone()), Value::Text(hash.clone())]),
                ),
            )
            .unwrap();
            prev = hash;
        }
        apply_files(&mut conn, &path, &MIGRATION_FILES[..27]).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), 27);
        let logins: Vec<Option<String>> = conn
            .prepare("SELECT server_login FROM audit_log ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(logins, [None, None]);
        let report = crate::chain::verify(&conn).unwrap();
        assert_eq!((report.records, report.broken), (2, None));
        assert_eq!(report.head.as_deref(), Some(prev.as_str()));
        // The login is hashed: set on a record (with the update trigger
        // lifted, as another tool could), the chain breaks there.
        conn.execute_batch(
            "DROP TRIGGER audit_log_no_update;
             UPDATE audit_log SET server_login = 'bob' WHERE id = 1;",
        )
        .unwrap();
        let broken = crate::chain::verify(&conn).unwrap().broken.unwrap();
        assert_eq!(broken.id, 1);
        assert!(
            broken.reason.contains("changed after it was written"),
            "{}",
            broken.reason
        );
    }

    #[test]
    fn upgrading_to_version_22_keeps_claims_with_no_factors_recorded() {
        let (_dir, path, mut conn) = at_version(21);
        insert_eacs(&conn, 1, "'E-' || id", "'no'");
        conn.execute_batch(
            "INSERT INTO claims (id, name, beneficiary_type, beneficiaries, date_from, date_to,
                                 granularity, market, unit, created_at, created_by)
             VALUES (1, 'FY2024', 'customer', '[\"C-1\"]', '2024-01-01', '2024-12-31', 'annual',
                     'NO', 'MWh', '2025-01-10T00:00:00.000000000Z', 'ana');
             INSERT INTO claim_allocations VALUES
                (1, 'E-1', 0, '2024-01-01T00:00:00.000000000Z', '2025-01-01T00:00:00.000000000Z', '5');
             INSERT INTO emission_factors VALUES
                ('NO', 'residual_mix', 2024, '0.38', 'AIB', '2025-01-01T00:00:00.000000000Z', 'ana');",
        )
        .unwrap();
        apply_files(&mut conn, &path, &MIGRATION_FILES[..22]).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), 22);
        // The claim is there with its allocation, marked as recorded
        // without its factors (its report reads those stored now).
        let kept: (String, i64, i64) = conn
            .query_row(
                "SELECT c.name, c.factors_recorded, count(a.claim_id) FROM claims c
                   JOIN claim_allocations a ON a.claim_id = c.id GROUP BY c.id",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(kept, ("FY2024".to_owned(), 0, 1));
        let recorded: i64 = conn
            .query_row("SELECT count(*) FROM claim_factors", [], |r| r.get(0))
            .unwrap();
        assert_eq!(recorded, 0);
        // A factor recorded with a claim goes with it.
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        conn.execute_batch(
            "INSERT INTO claim_factors VALUES
                (1, 'residual_mix', 'NO', 2024, '0.38', 'AIB', '2025-01-01T00:00:00.000000000Z',
                 'ana');
             DELETE FROM claims WHERE id = 1;",
        )
        .unwrap();
        let left: i64 = conn
            .query_row("SELECT count(*) FROM claim_factors", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 0);
        assert!(conn
            .execute(
                "INSERT INTO claim_factors VALUES (9, 'grid', 'NO', 2024, '1', 's', 't', 'u')",
                [],
            )
            .is_err());
    }

    /// Step 24: the EACs stored before have no digest (compared field by
    /// field when a file gives one again); a change of an EAC's version that
    /// does not set its digest too (an edit) forgets it, other updates keep it.
    #[test]
    fn upgrading_to_version_24_knows_no_digest_and_an_edit_forgets_one() {
        let (_dir, path, mut conn) = at_version(23);
        insert_eacs(&conn, 2, "'E-' || id", "'no'");
        apply_files(&mut conn, &path, &MIGRATION_FILES[..24]).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), 24);
        let digests = |conn: &Connection| -> Vec<Option<String>> {
            conn.prepare("SELECT content_digest FROM eacs ORDER BY id")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        assert_eq!(digests(&conn), [None, None]);
        conn.execute_batch(
            "UPDATE eacs SET content_digest = 'd' || id;
             UPDATE eacs SET seen_batch_id = 1, cds_synced = 's';
             UPDATE eacs SET version = version + 1, content_digest = 'new' WHERE id = 1;",
        )
        .unwrap();
        assert_eq!(
            digests(&conn),
            [Some("new".to_owned()), Some("d2".to_owned())]
        );
        conn.execute(
            "UPDATE eacs SET version = version + 1, beneficiary_type = 'general'",
            [],
        )
        .unwrap();
        assert_eq!(digests(&conn), [None, None]);
    }

    #[test]
    fn upgrading_to_version_23_keeps_every_source_without_a_statement() {
        let (_dir, path, mut conn) = at_version(22);
        insert_eacs(&conn, 2, "'E-' || id", "'no'");
        conn.execute_batch(
            "INSERT INTO documents (id, sha256, size, content, format, file_name, imported_at)
             VALUES (1, printf('%064d', 1), 3, x'616263', 'ofgem-csv', 'stmt.csv', 't');
             INSERT INTO eac_sources VALUES (1, 1, 'stmt.csv', 'line 2', '1 – 9', 't', 1),
                                            (2, 1, 'stmt.csv', 'line 3', NULL, 't', 1);",
        )
        .unwrap();
        apply_files(&mut conn, &path, &MIGRATION_FILES[..23]).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), 23);
        let kept: Vec<(i64, String, Option<String>)> = conn
            .prepare("SELECT eac_id, locator, stated FROM eac_sources ORDER BY eac_id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(
            kept,
            [
                (1, "line 2".to_owned(), None),
                (2, "line 3".to_owned(), None)
            ]
        );
        conn.execute("UPDATE eac_sources SET stated = '{}' WHERE eac_id = 1", [])
            .unwrap();
    }

    #[test]
    fn upgrading_to_versions_15_and_16_keeps_the_facets_of_the_eacs_that_exist() {
        let (_dir, path, mut conn) = at_version(14);
        conn.execute_batch(
            "INSERT INTO import_batches (id, file_name, imported_at) VALUES (1, 'a.json', 't');
             WITH RECURSIVE n(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM n WHERE id < 7)
             INSERT INTO eacs (id, cds_eac_id, cds_created, cds_modified, eac_number, source_id,
                source_name, destination_id, destination_name, beneficiary_type, asset_id,
                asset_origination, asset_destination, technology_type, emissions_factor_direct,
                emissions_factor_lca, period_start, period_end, issuance, retired_state,
                value_count, quantity_sort_key, import_batch_id, seen_batch_id, cds_synced)
             SELECT id, 'E-' || id, 'c', 'm', NULL, 'S' || (id % 2), 'Src', 
                CASE WHEN id < 6 THEN 'D' END, CASE WHEN id < 6 THEN 'Dst' END, 'general', 'A',
                'grid', 'region', CASE id % 3 WHEN 0 THEN 'solar' WHEN 1 THEN 'wind' END, '0', '0',
                'ps', 'pe', '2024-02-05', CASE WHEN id < 4 THEN 'yes' ELSE 'no' END, 1, 'k', 1, 1,
                NULL
             FROM n;
             INSERT INTO eac_totals (eac_id, unit, total, mantissa, scale) VALUES
                (1, 'MWh', '1.5', 15, 1), (2, 'MWh', '2.25', 225, 2), (3, 'MWh', '0.5', 5, 1),
                (3, 'kWh', '7', 7, 0),
                (4, 'kWh', '9000000000000000000', 9000000000000000000, 0),
                (5, 'kWh', '9000000000000000000', 9000000000000000000, 0),
                (6, 'Wh', '123456789012345678901234567890', NULL, NULL);",
        )
        .unwrap();
        apply(&mut conn, &path).unwrap();
        let kept = facets_kept(&conn);
        assert_eq!(kept, facets_recomputed(&conn));
        // Overflowing sums are NULL: the store sums those from the totals.
        assert!(kept.contains(&(
            "retired_state".into(),
            "no".into(),
            "kWh".into(),
            0,
            2,
            None
        )));
        assert!(kept.contains(&("source_id".into(), "S1".into(), String::new(), 0, 4, None)));
        // Every EAC's period, with its totals (0016).
        assert!(kept.contains(&("period".into(), "ps/pe".into(), String::new(), 0, 7, None)));
        assert!(kept.contains(&(
            "period".into(),
            "ps/pe".into(),
            "MWh".into(),
            1,
            2,
            Some(20)
        )));

        // Kept through every kind of change, the foreign keys' cascade included.
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        for sql in [
            "INSERT INTO eac_totals (eac_id, unit, total, mantissa, scale) VALUES (7, 'MWh', '3', 3, 0)",
            "UPDATE eacs SET retired_state = 'yes', technology_type = NULL WHERE id = 2",
            "UPDATE eacs SET source_id = 'S9', destination_id = 'D2' WHERE id IN (1, 6)",
            "UPDATE eac_totals SET total = '0.9', mantissa = 9 WHERE eac_id = 3 AND unit = 'MWh'",
            "DELETE FROM eac_totals WHERE eac_id = 4",
            "DELETE FROM eacs WHERE id = 5",
            "UPDATE eacs SET beneficiary_type = 'customer' WHERE id = 7",
            // The period (migration 0016): one end, then both.
            "UPDATE eacs SET period_end = 'pf' WHERE id IN (2, 3)",
            "UPDATE eacs SET period_start = 'p0', period_end = 'p1' WHERE id = 6",
            "DELETE FROM eac_totals WHERE eac_id = 1; DELETE FROM eacs WHERE id = 1",
        ] {
            conn.execute_batch(sql).unwrap();
            assert_kept_true(&conn, sql);
        }
        // The cascade took EAC 5's totals with it.
        let left: i64 = conn
            .query_row(
                "SELECT count(*) FROM eac_totals WHERE eac_id = 5",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(left, 0);
    }

    #[test]
    fn only_tables_a_migration_writes_and_their_children_are_checked() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE parent (id INTEGER PRIMARY KEY);
             CREATE TABLE child (p INTEGER REFERENCES parent (id));
             CREATE TABLE grandchild (c INTEGER REFERENCES child (rowid));
             CREATE TABLE other (x);
             CREATE TABLE counts (n);",
        )
        .unwrap();
        let check = |sql: &str| tables_to_check(&conn, sql).unwrap();
        // A column added, a trigger that updates a table of its own: only
        // that table (no other table refers to it).
        assert_eq!(
            check(
                "ALTER TABLE parent ADD COLUMN v INTEGER NOT NULL DEFAULT 1;
                 -- UPDATE child SET p = 0 (a comment is not code)
                 CREATE TRIGGER t AFTER INSERT ON parent BEGIN
                     UPDATE counts SET n = n + 1;
                 END;"
            ),
            ["counts"]
        );
        // A parent rebuilt: the parent and the tables that refer to it.
        assert_eq!(
            check(
                "CREATE TABLE \"parent_new\" (id INTEGER PRIMARY KEY);
                 INSERT INTO parent_new SELECT id FROM parent;
                 DROP TABLE parent;
                 ALTER TABLE parent_new RENAME TO parent;"
            ),
            ["child", "parent"]
        );
        assert_eq!(
            check("DELETE FROM child WHERE p = 1"),
            ["child", "grandchild"]
        );
        assert_eq!(check("INSERT OR IGNORE INTO other VALUES (1)"), ["other"]);
    }

    #[test]
    fn a_migration_that_leaves_rows_pointing_nowhere_is_refused() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("fk.db");
        let mut conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE parent (id INTEGER PRIMARY KEY);
             CREATE TABLE child (p INTEGER REFERENCES parent (id));
             INSERT INTO parent VALUES (1);
             INSERT INTO child VALUES (1);",
        )
        .unwrap();
        let files = [("0001_drop_parent_row.sql", "DELETE FROM parent;")];
        let err = apply_files(&mut conn, &path, &files).unwrap_err();
        assert!(
            err.to_string()
                .contains("rows of table `child` refer to rows that do not exist"),
            "{err}"
        );
        let left: i64 = conn
            .query_row("SELECT count(*) FROM parent", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 1, "rolled back");
    }

    #[test]
    fn upgrading_from_version_6_keeps_every_row_and_marks_missing_factors() {
        let (_dir, path, mut conn) = at_version(6);
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        conn.execute_batch(
            "INSERT INTO import_batches (id, file_name, imported_at) VALUES (1, 'a.json', 't');
             INSERT INTO eacs (id, cds_eac_id, cds_created, cds_modified, eac_number, source_id,
                source_name, destination_id, destination_name, beneficiary_type, asset_id,
                asset_origination, asset_destination, technology_type, emissions_factor_direct,
                emissions_factor_lca, period_start, period_end, issuance, retired_state,
                value_count, quantity_sort_key, import_batch_id, seen_batch_id, cds_synced)
             VALUES (7, 'E-7', 'c', 'm', 'N-7', 'S', 'Src', 'D', 'Dst', 'customer', 'A', 'grid',
                'region', 'wind', NULL, '0.011', 'ps', 'pe', '2024-02-05', 'no', 1, 'k', 1, 1, 's'),
                    (8, 'E-8', 'c', 'm', NULL, 'S', 'Src', 'D', 'Dst', 'general', 'A', 'grid',
                'region', 'solar', '0', '0', 'ps', 'pe', '2024-02-05', 'yes', 1, 'k', 1, 1, NULL);
             INSERT INTO eac_values (eac_id, position, issued, retired, unit, value)
             VALUES (7, 0, '2024-02-05', NULL, 'MWh', '1000.0'),
                    (8, 0, '2024-02-05', '2024-03-01', 'kWh', '45.106820');
             INSERT INTO eac_beneficiaries VALUES (7, 0, 'customer', 'CUST123');
             INSERT INTO eac_totals (eac_id, unit, total) VALUES (7, 'MWh', '1000.0');
             INSERT INTO eac_search (rowid, text) VALUES (7, 'e-7');",
        )
        .unwrap();
        apply(&mut conn, &path).unwrap();
        let rows: Vec<(i64, String, Option<String>, String)> = conn
            .prepare(
                "SELECT e.id, e.cds_eac_id, e.missing, v.value FROM eacs e
                   JOIN eac_values v ON v.eac_id = e.id ORDER BY e.id",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(
            rows,
            [
                (
                    7,
                    "E-7".to_owned(),
                    Some(r#"["emissions_factor_direct"]"#.to_owned()),
                    "1000.0".to_owned()
                ),
                (8, "E-8".to_owned(), None, "45.106820".to_owned()),
            ]
        );
        let synced: Option<String> = conn
            .query_row("SELECT cds_synced FROM eacs WHERE id = 7", [], |r| r.get(0))
            .unwrap();
        assert_eq!(synced.as_deref(), Some("s"));
        // Foreign keys still hold and still cascade after the rebuild.
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        conn.execute("DELETE FROM eacs WHERE id = 7", []).unwrap();
        let left: i64 = conn
            .query_row(
                "SELECT (SELECT count(*) FROM eac_values WHERE eac_id = 7)
                      + (SELECT count(*) FROM eac_beneficiaries WHERE eac_id = 7)
                      + (SELECT count(*) FROM eac_totals WHERE eac_id = 7)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(left, 0);
        assert!(missing_triggers(&conn).unwrap().is_empty());
    }

    #[test]
    fn upgrading_from_version_7_chains_the_audit_records_that_exist() {
        let (_dir, path, mut conn) = at_version(7);
        conn.execute_batch(
            r#"INSERT INTO audit_log (at, os_user, cds_eac_id, action, "before", "after", reason)
               VALUES ('t1', 'alice', 'E-1', 'set_beneficiaries', 'null', 'null', 'one'),
                      ('t2', 'bob', 'E-2', 'delete', 'null', 'null', 'two');"#,
        )
        .unwrap();
        apply(&mut conn, &path).unwrap();
        let report = crate::chain::verify(&conn).unwrap();
        assert_eq!(report.records, 2);
        assert!(report.broken.is_none(), "{report:?}");
        // Append-only again: the update trigger is back.
        assert!(missing_triggers(&conn).unwrap().is_empty());
        assert!(conn
            .execute("UPDATE audit_log SET reason = 'x' WHERE id = 1", [])
            .is_err());
    }

    #[test]
    fn records_chained_before_display_names_still_verify_after_version_10() {
        let (_dir, path, mut conn) = at_version(7);
        conn.execute_batch(
            r#"INSERT INTO audit_log (at, os_user, cds_eac_id, action, "before", "after", reason)
               VALUES ('t1', 'alice', 'E-1', 'set_beneficiaries', 'null', 'null', 'one');"#,
        )
        .unwrap();
        // Chained as version 8 did (12 members), then upgraded to the newest.
        apply_files(&mut conn, &path, &MIGRATION_FILES[..9]).unwrap();
        apply(&mut conn, &path).unwrap();
        let report = crate::chain::verify(&conn).unwrap();
        assert_eq!(report.records, 1);
        assert!(report.broken.is_none(), "{report:?}");
        let name: Option<String> = conn
            .query_row("SELECT display_name FROM audit_log WHERE id = 1", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(name, None);
    }

    #[test]
    fn migrations_apply_to_an_empty_database() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::fold::register(&conn).unwrap();
        assert!(apply(&mut conn, Path::new(":memory:")).unwrap());
        assert_eq!(
            check_version(&conn, Path::new(":memory:")).unwrap(),
            supported_version()
        );
        assert!(missing_triggers(&conn).unwrap().is_empty());
        // Applied once: a second run writes nothing.
        assert!(!apply(&mut conn, Path::new(":memory:")).unwrap());
    }

    #[test]
    fn a_failing_migration_names_its_file_and_sqlites_message_only() {
        let mut conn = Connection::open_in_memory().unwrap();
        let files = [(
            "0001_broken.sql",
            "CREATE TABLE a (x);\nCREATE TABLE long_statement_text_here (y) STRICT GARBAGE;",
        )];
        let e = apply_files(&mut conn, Path::new("x.db"), &files).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("0001_broken.sql"), "{text}");
        assert!(
            text.contains("syntax error") || text.contains("GARBAGE"),
            "{text}"
        );
        assert!(!text.contains("long_statement_text_here"), "{text}");
        // Rolled back: nothing of the file stayed.
        assert_eq!(schema_version(&conn).unwrap(), 0);
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
            .unwrap();
        assert_eq!(tables, 0);
    }
}
