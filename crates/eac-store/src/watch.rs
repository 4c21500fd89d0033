//! Noticing that another connection committed, without touching the file.
//!
//! The desktop app polls the open database once a second to tell the user
//! when the command line changed it. That poll needs `PRAGMA data_version`
//! and nothing else, so its connection is read-only: it never creates the
//! file, never migrates an older schema (the app's own connection does that
//! when it opens the file) and never repairs anything.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::{Result, StoreError, BUSY_TIMEOUT};

/// A read-only connection that can only tell whether another connection
/// committed since the last look.
pub struct StoreWatch {
    conn: Connection,
}

impl StoreWatch {
    /// Opens an existing database read-only (a missing file is an error: the
    /// watcher tries again later). The schema is neither checked nor changed.
    pub fn open(path: &Path) -> Result<StoreWatch> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| StoreError::Io {
            path: path.to_owned(),
            source: std::io::Error::other(e),
        })?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        Ok(StoreWatch { conn })
    }

    /// Changes whenever another connection commits (`PRAGMA data_version`).
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .pragma_query_value(None, "data_version", |row| row.get(0))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sees_other_commits_and_never_migrates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite");
        // A database at schema 0: a store opening it would migrate it.
        let other = Connection::open(&path).unwrap();
        other.execute_batch("CREATE TABLE t(x)").unwrap();
        let watch = StoreWatch::open(&path).unwrap();
        let v0 = watch.data_version().unwrap();
        other.execute("INSERT INTO t VALUES (1)", []).unwrap();
        assert_ne!(watch.data_version().unwrap(), v0);
        let version: i64 = other
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, 0, "the watcher must not migrate");
        let tables: i64 = other
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
            .unwrap();
        assert_eq!(tables, 1);
    }

    #[test]
    fn a_missing_file_is_not_created() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("none.sqlite");
        assert!(StoreWatch::open(&path).is_err());
        assert!(!path.exists());
    }
}
