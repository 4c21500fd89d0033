//! What a database file can make EAC Desk run. A database may come from
//! someone else (Open database…, `copy`), and its schema is text in the
//! file that another tool can rewrite (`PRAGMA writable_schema`): SQLite
//! reads only the first statement of each entry when it opens the file,
//! so statements appended to an entry go unnoticed until a program runs
//! the entry's text. EAC Desk never does: where it makes a schema entry
//! again (a fresh load's indexes, triggers and search table, `bulk`; the
//! triggers of a copy from a server) it runs the migrations' own text,
//! one statement, and only after finding the stored entry to be that text;
//! an entry that is not refuses the operation, nothing written (tester
//! 36's security finding 3).
//!
//! Every connection also reads the schema as untrusted: functions in it
//! must be innocuous and, on the connections to a database a person
//! names, SQLite's defensive mode is on (no schema editing, no writes into
//! a virtual table's own tables), lifted only around EAC Desk's own steps
//! that need it ([`undefended`]).

use std::sync::OnceLock;

use rusqlite::config::DbConfig;
use rusqlite::Connection;

use crate::{Result, StoreError};

/// Settings of a connection to a database a person names (the store, a
/// read-only or watched file, both sides of a copy): the schema is not
/// trusted (`PRAGMA trusted_schema = OFF`: a function in a trigger, view,
/// index or default must be innocuous, a virtual table in a trigger or
/// view too) and SQLite's defensive mode is on (no `writable_schema`, no
/// `schema_version` set, no `journal_mode = OFF`, no writes into shadow
/// tables or `sqlite_dbpage`).
pub(crate) fn defend(conn: &Connection) -> rusqlite::Result<()> {
    untrusted_schema(conn)?;
    set(conn, DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)
}

/// The schema not trusted, defensive mode left off: EAC Desk's own
/// scratch databases (a fresh load's hidden search database, a spill
/// file), which only ever hold EAC Desk's own definitions, are written
/// without a journal and fill a search table's own tables directly.
pub(crate) fn untrusted_schema(conn: &Connection) -> rusqlite::Result<()> {
    set(conn, DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)
}

fn set(conn: &Connection, config: DbConfig, on: bool) -> rusqlite::Result<()> {
    let now = conn.set_db_config(config, on)?;
    if now != on {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_MISUSE),
            Some(format!("SQLite did not take the setting {config:?} = {on}")),
        ));
    }
    Ok(())
}

/// Runs `step` with defensive mode off, then puts it back as it was
/// whatever happened: EAC Desk's own steps that edit the schema in place
/// (migrations 0017 and 0018) or copy an index into a search table's own
/// tables (a fresh load's search index).
pub(crate) fn undefended<T, E: From<rusqlite::Error>>(
    conn: &Connection,
    step: impl FnOnce() -> std::result::Result<T, E>,
) -> std::result::Result<T, E> {
    let was = conn.db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, false)?;
    let result = step();
    let back = conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, was);
    let value = result?;
    back?;
    Ok(value)
}

/// One entry of `sqlite_schema` as the migrations make it.
struct Entry {
    kind: String,
    name: String,
    sql: String,
}

/// Every entry with a definition of a new database's schema (all the
/// migrations applied), made once per process in memory.
fn own_entries() -> Result<&'static [Entry]> {
    static OWN: OnceLock<std::result::Result<Vec<Entry>, String>> = OnceLock::new();
    let made = OWN.get_or_init(|| {
        crate::migrate::new_schema()
            .map(|entries| {
                entries
                    .into_iter()
                    .map(|(kind, name, sql)| Entry { kind, name, sql })
                    .collect()
            })
            .map_err(|e| e.to_string())
    });
    match made {
        Ok(entries) => Ok(entries),
        Err(message) => Err(StoreError::InvalidInput(format!(
            "EAC Desk could not make its own schema to compare a database with: {message}"
        ))),
    }
}

/// The migrations' own text of the schema entry `name` of type `kind`
/// (`index`, `trigger`, `table`), when `stored` (its text in the file) is
/// that text; `None` when it is not, or when the migrations make no such
/// entry. Spacing aside, and a table's name bare or quoted (SQLite quotes
/// it when it renames a table, as a fresh load does its search table).
pub(crate) fn own_definition(kind: &str, name: &str, stored: &str) -> Result<Option<&'static str>> {
    let words = |text: &str| {
        let spaced = crate::migrate::spacing_aside(text);
        match kind {
            "table" => spaced.replacen(&format!("TABLE \"{name}\" "), &format!("TABLE {name} "), 1),
            _ => spaced,
        }
    };
    Ok(own_entries()?
        .iter()
        .find(|own| own.kind == kind && own.name == name && words(&own.sql) == words(stored))
        .map(|own| own.sql.as_str()))
}

/// `kind` `name` as a refusal names it: "index `eacs_by_asset_id`".
pub(crate) fn named(kind: &str, name: &str) -> String {
    let kind = match kind {
        "table" => "table",
        "trigger" => "trigger",
        _ => "index",
    };
    format!("{kind} `{name}`")
}

/// The refusal when schema entries of the database at `path` are not as
/// EAC Desk makes them (`found`, as [`named`] says them): `nothing` says
/// what was not done ("nothing was imported").
pub(crate) fn changed_outside(path: Option<&str>, found: &[String], nothing: &str) -> StoreError {
    let file = match path.filter(|p| !p.is_empty()) {
        Some(path) => format!("{path}: "),
        None => String::new(),
    };
    let what = match found.len() {
        1 => "its definition is",
        _ => "their definitions are",
    };
    StoreError::InvalidInput(format!(
        "{file}this database's schema was changed outside EAC Desk: {} ({what} not the one EAC \
         Desk writes, and EAC Desk does not run it); {nothing}. Open a copy made by EAC Desk, \
         or ask whoever gave you this file",
        found.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_own_schema_has_the_entries_a_fresh_load_makes_again() {
        let index = own_definition(
            "index",
            "eacs_by_asset_id",
            "CREATE INDEX eacs_by_asset_id ON eacs (asset_id)",
        )
        .unwrap();
        assert_eq!(
            index,
            Some("CREATE INDEX eacs_by_asset_id ON eacs (asset_id)")
        );
        // Spacing aside, nothing else.
        assert!(own_definition(
            "index",
            "eacs_by_asset_id",
            "CREATE  INDEX eacs_by_asset_id\n ON eacs (asset_id)"
        )
        .unwrap()
        .is_some());
        for stored in [
            "CREATE INDEX eacs_by_asset_id ON eacs (asset_id); ATTACH 'x' AS p",
            "CREATE INDEX eacs_by_asset_id ON eacs (asset_id, id)",
        ] {
            assert_eq!(
                own_definition("index", "eacs_by_asset_id", stored).unwrap(),
                None
            );
        }
        assert_eq!(
            own_definition("index", "not_ours", "CREATE INDEX not_ours ON eacs (id)").unwrap(),
            None
        );
        let search = own_entries()
            .unwrap()
            .iter()
            .find(|e| e.name == "eac_search")
            .unwrap();
        let quoted = search
            .sql
            .replacen("TABLE eac_search ", "TABLE \"eac_search\" ", 1);
        assert!(own_definition("table", "eac_search", &quoted)
            .unwrap()
            .is_some());
    }

    #[test]
    fn defended_connections_refuse_schema_editing_and_undefended_steps_put_it_back() {
        let conn = Connection::open_in_memory().unwrap();
        defend(&conn).unwrap();
        let trusted: i64 = conn
            .pragma_query_value(None, "trusted_schema", |r| r.get(0))
            .unwrap();
        assert_eq!(trusted, 0);
        conn.execute_batch("CREATE TABLE t (x)").unwrap();
        let edit = |conn: &Connection| {
            conn.execute_batch(
                "PRAGMA writable_schema = ON;
                 UPDATE sqlite_schema SET sql = sql || '; SELECT 1' WHERE name = 't';
                 PRAGMA writable_schema = OFF;",
            )
        };
        edit(&conn).unwrap_err();
        undefended(&conn, || edit(&conn)).unwrap();
        assert!(conn.db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE).unwrap());
    }
}
