//! The schema: numbered files of `migrations/`, embedded at compile time by
//! `build.rs` and applied with `rusqlite_migration` (which keeps the version
//! in `PRAGMA user_version`) in one transaction at open.

use std::path::Path;

use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

use crate::{Result, StoreError};

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// The newest schema version this build knows.
pub(crate) fn supported_version() -> usize {
    MIGRATION_FILES.len()
}

pub(crate) fn schema_version(conn: &Connection) -> Result<usize> {
    let v: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    // user_version is a signed 32-bit field; a negative one was not written by us.
    Ok(usize::try_from(v).unwrap_or(usize::MAX))
}

/// Brings the database to the newest schema, refusing one written by a newer
/// version of EAC Desk (its schema is unknown here; touching it could corrupt it).
pub(crate) fn apply(conn: &mut Connection, path: &Path) -> Result<()> {
    let supported = supported_version();
    let newer = |found| StoreError::NewerDatabase {
        path: path.to_owned(),
        found,
        supported,
    };
    let found = schema_version(conn)?;
    if found > supported {
        return Err(newer(found));
    }
    if found == supported {
        return Ok(());
    }
    let migrations = Migrations::new(MIGRATION_FILES.iter().map(|(_, sql)| M::up(sql)).collect());
    if let Err(e) = migrations.to_latest(conn) {
        // Another process (the app and the CLI opening a new file together)
        // may have migrated between our version check and our transaction.
        return match schema_version(conn)? {
            v if v == supported => Ok(()),
            v if v > supported => Err(newer(v)),
            _ => Err(StoreError::Migration(e.to_string())),
        };
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

    #[test]
    fn upgrading_from_version_1_keeps_the_search_text() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("v1.db");
        let mut conn = Connection::open(&path).unwrap();
        crate::fold::register(&conn).unwrap();
        Migrations::new(vec![M::up(MIGRATION_FILES[0].1)])
            .to_latest(&mut conn)
            .unwrap();
        conn.execute(
            "INSERT INTO eac_search (rowid, text) VALUES (7, 'EAC-7\nCUST123\nØrsted')",
            [],
        )
        .unwrap();
        apply(&mut conn, &path).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), supported_version());
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
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("v4.db");
        let mut conn = Connection::open(&path).unwrap();
        crate::fold::register(&conn).unwrap();
        Migrations::new(
            MIGRATION_FILES[..4]
                .iter()
                .map(|(_, sql)| M::up(sql))
                .collect(),
        )
        .to_latest(&mut conn)
        .unwrap();
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
    fn migrations_apply_to_an_empty_database() {
        // (`Migrations::validate` cannot be used: its connection lacks `eacdesk_fold`.)
        let mut conn = Connection::open_in_memory().unwrap();
        crate::fold::register(&conn).unwrap();
        let migrations =
            Migrations::new(MIGRATION_FILES.iter().map(|(_, sql)| M::up(sql)).collect());
        migrations.to_latest(&mut conn).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), supported_version());
    }
}
