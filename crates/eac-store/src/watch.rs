//! Noticing that another connection committed, without touching the file.
//!
//! The desktop app polls the open database once a second to tell the user
//! when the command line changed it. That poll needs `PRAGMA data_version`
//! and nothing else, so its connection is read-only: it never creates the
//! file, never migrates an older schema (the app's own connection does that
//! when it opens the file) and never repairs anything.

use std::cell::{Cell, RefCell};
use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::{Result, StoreError, BUSY_TIMEOUT};

/// The channel a server database's changes are announced on: every write
/// EAC Desk commits there sends one notification in its transaction, so it
/// is heard only when the change committed (decision 221).
pub(crate) const CHANGES_CHANNEL: &str = "eacdesk_changes";

/// A read-only connection that can only tell whether another connection
/// committed since the last look.
pub struct StoreWatch {
    inner: Watched,
}

enum Watched {
    File(Connection),
    /// A server database: a connection listening on [`CHANGES_CHANNEL`],
    /// and the number of notifications heard so far.
    Server {
        client: RefCell<postgres::Client>,
        heard: Cell<i64>,
    },
}

impl StoreWatch {
    /// Opens an existing database read-only (a missing file is an error: the
    /// watcher tries again later). The schema is neither checked nor changed.
    /// A PostgreSQL address (`postgres://…`, or libpq settings) listens to
    /// that server database's announcements of changes instead.
    pub fn open(path: &Path) -> Result<StoreWatch> {
        if let Some(url) = path.to_str().filter(|p| crate::server::names_server(p)) {
            let mut client = crate::server::connect(url)?;
            client
                .batch_execute(&format!("LISTEN {CHANGES_CHANNEL}"))
                .map_err(crate::server::server_error)?;
            return Ok(StoreWatch {
                inner: Watched::Server {
                    client: RefCell::new(client),
                    heard: Cell::new(0),
                },
            });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| StoreError::Io {
            path: path.to_owned(),
            source: std::io::Error::other(e),
        })?;
        crate::schema_guard::defend(&conn)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        Ok(StoreWatch {
            inner: Watched::File(conn),
        })
    }

    /// Changes whenever another connection commits (`PRAGMA data_version`;
    /// on a server: the count of changes announced so far).
    pub fn data_version(&self) -> Result<i64> {
        match &self.inner {
            Watched::File(conn) => {
                Ok(conn.pragma_query_value(None, "data_version", |row| row.get(0))?)
            }
            Watched::Server { client, heard } => {
                let mut client = client.borrow_mut();
                let mut notifications = client.notifications();
                // A short wait lets the client read what the server sent
                // (the non-waiting iterator does not look at the socket).
                let mut pending = notifications.timeout_iter(NOTICE_WAIT);
                let mut n = 0;
                while let Some(note) = fallible_next(&mut pending)? {
                    let _ = note;
                    n += 1;
                }
                heard.set(heard.get() + n);
                Ok(heard.get())
            }
        }
    }
}

/// How long a look at a server's announcements waits for one.
const NOTICE_WAIT: std::time::Duration = std::time::Duration::from_millis(20);

/// The next notification already sent (or within [`NOTICE_WAIT`]).
fn fallible_next(
    pending: &mut impl postgres::fallible_iterator::FallibleIterator<
        Item = postgres::Notification,
        Error = postgres::Error,
    >,
) -> Result<Option<postgres::Notification>> {
    pending.next().map_err(crate::server::server_error)
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
