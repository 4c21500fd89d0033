//! Records kept under a key in a scratch SQLite file of their own (in the
//! system's temporary folder, removed when done) instead of in memory, and
//! read back by key (bytes ascending), each key's records in the order
//! they were kept: an evidence pack's claim statement lists its lines by
//! beneficiary and period while its EACs arrive in P1 order, and a pack
//! of a million EACs must need no more memory than one of ten. SQLite
//! keeps a few pages cached and the rest on disk; the index that reads
//! them in order is built once, after the last record.
//!
//! Never the store's database: nothing here is stored data, so the write
//! rules of `write.rs` (one audited transaction) do not apply to it.

use std::io;

use rusqlite::{params, Connection};
use tempfile::TempPath;

use crate::{Result, StoreError};

/// Records (text) under keys (bytes), kept on disk.
pub struct Spill {
    conn: Connection,
    indexed: bool,
    // Removed on drop, after the connection closes (fields drop in order).
    _file: TempPath,
}

impl Spill {
    /// An empty spill in a new scratch file in the temporary folder
    /// (`TMPDIR`); fails as creating the file does.
    pub fn new() -> io::Result<Spill> {
        // A small cache: the records are written once and read once, in
        // order.
        let (conn, file) = scratch_database(
            ".eacdesk-spill-",
            "PRAGMA cache_size = -2048;
             CREATE TABLE records (key BLOB NOT NULL, record TEXT NOT NULL);",
        )
        .map_err(|e| match e {
            StoreError::Io { source, .. } => source,
            StoreError::Sqlite(e) => sqlite_io(e),
            other => io::Error::other(other.to_string()),
        })?;
        Ok(Spill {
            conn,
            indexed: false,
            _file: file,
        })
    }

    /// Where the scratch file is.
    pub fn path(&self) -> &std::path::Path {
        &self._file
    }

    /// Keeps `record` under `key`, after the key's earlier records; fails
    /// as writing the scratch file does (`StorageFull` when its disk is).
    pub fn push(&mut self, key: &[u8], record: &str) -> io::Result<()> {
        debug_assert!(!self.indexed, "records are pushed before they are read");
        self.conn
            .prepare_cached("INSERT INTO records (key, record) VALUES (?1, ?2)")
            .and_then(|mut s| s.execute(params![key, record]))
            .map_err(sqlite_io)?;
        Ok(())
    }

    /// Builds what reads a group in order, after the last record (else the
    /// first [`Spill::each`] does); fails as writing the scratch file does.
    pub fn finish(&mut self) -> io::Result<()> {
        if !self.indexed {
            self.conn
                .execute_batch("CREATE INDEX records_key ON records (key)")
                .map_err(sqlite_io)?;
            self.indexed = true;
        }
        Ok(())
    }

    /// How many different keys the records are under.
    pub fn keys(&mut self) -> io::Result<usize> {
        self.finish()?;
        let n: i64 = self
            .conn
            .query_row("SELECT count(DISTINCT key) FROM records", [], |r| r.get(0))
            .map_err(sqlite_io)?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Hands `each` every record with its key, keys ascending (bytes),
    /// each key's records in the order they were pushed; stops at the first
    /// error `each` returns. A scratch file that cannot be read fails as an
    /// IO error.
    pub fn each(&mut self, each: &mut dyn FnMut(&[u8], &str) -> io::Result<()>) -> io::Result<()> {
        self.finish()?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key, record FROM records ORDER BY key, rowid")
            .map_err(sqlite_io)?;
        let mut rows = stmt.query([]).map_err(sqlite_io)?;
        while let Some(row) = rows.next().map_err(sqlite_io)? {
            let key = row.get_ref(0).map_err(sqlite_io)?;
            let record = row.get_ref(1).map_err(sqlite_io)?;
            each(
                key.as_blob().map_err(io::Error::other)?,
                record.as_str().map_err(io::Error::other)?,
            )?;
        }
        Ok(())
    }
}

/// A new SQLite file in the system's temporary folder (its name starting
/// with `prefix`; removed when the returned path drops, which must be
/// after the connection), set up by `schema` and left inside a
/// transaction. A scratch file: no journal, no syncing, since a crash loses
/// nothing worth keeping.
///
/// Every failure is an `Io` error naming the scratch file (or, when it
/// could not be made, the name it would have started with), a full disk
/// as `StorageFull`: [`scratch_folder`] tells it from the failure of an
/// output, so that it is said as the temporary folder's.
pub(crate) fn scratch_database(prefix: &str, schema: &str) -> Result<(Connection, TempPath)> {
    let folder = std::env::temp_dir();
    remove_stale(&folder, prefix, STALE_AFTER);
    let file = tempfile::Builder::new()
        .prefix(prefix)
        .tempfile()
        .map_err(|e| StoreError::Io {
            path: folder.join(prefix),
            // Without tempfile's "at path …" naming the scratch file,
            // which nobody asked for.
            source: io::Error::new(
                e.kind(),
                e.to_string()
                    .split(" at path ")
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            ),
        })?
        .into_temp_path();
    let set_up = || -> rusqlite::Result<Connection> {
        let conn = Connection::open(&file)?;
        crate::schema_guard::untrusted_schema(&conn)?;
        conn.execute_batch(
            "PRAGMA journal_mode = OFF;
             PRAGMA synchronous = OFF;
             PRAGMA temp_store = FILE;",
        )?;
        conn.execute_batch(schema)?;
        conn.execute_batch("BEGIN")?;
        Ok(conn)
    };
    let conn = set_up().map_err(|e| StoreError::Io {
        path: file.to_path_buf(),
        source: sqlite_io(e),
    })?;
    Ok((conn, file))
}

/// The names EAC Desk's scratch files start with: [`Spill`]'s and a
/// bundle's list of files (`p2::ledger`).
const SCRATCH_PREFIXES: [&str; 2] = [".eacdesk-spill-", ".eacdesk-bundle-files-"];

/// The temporary folder holding `path` when `path` is one of EAC Desk's
/// scratch files ([`scratch_database`]; or the name one would have
/// started with, when it could not be made): the failure of an output
/// that names it (a P2 export's list of files in a full `TMPDIR`) is then
/// said as that folder's, with the output it was for, not as a failure
/// to write the scratch file, which nobody asked for.
pub fn scratch_folder(path: &std::path::Path) -> Option<&std::path::Path> {
    let name = path.file_name()?.to_str()?;
    SCRATCH_PREFIXES
        .iter()
        .any(|prefix| name.starts_with(prefix))
        .then(|| path.parent())
        .flatten()
}

/// How old a scratch file of another run must be before a new one
/// removes it: a run that was killed cannot remove its own (a pack of a
/// million EACs leaves 2.4 GB).
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);

/// Removes the regular files in `dir` whose names start with `prefix`
/// (EAC Desk's scratch files of one kind) and that were last written more
/// than `age` ago; best effort, every failure ignored (another user's
/// file in a shared temporary folder, a file in use on Windows). On Unix
/// a run still using such a file keeps it open and is not disturbed.
pub(crate) fn remove_stale(dir: &std::path::Path, prefix: &str, age: std::time::Duration) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = std::time::SystemTime::now();
    for entry in entries.flatten() {
        let stale = entry.file_name().to_string_lossy().starts_with(prefix)
            && entry.file_type().is_ok_and(|t| t.is_file())
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|at| now.duration_since(at).is_ok_and(|d| d > age));
        if stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// A scratch file's SQLite error as the IO error it is: a full disk as
/// `StorageFull`, anything else as it says.
pub(crate) fn sqlite_io(e: rusqlite::Error) -> io::Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DiskFull) => {
            io::Error::new(io::ErrorKind::StorageFull, "the disk is full")
        }
        _ => io::Error::other(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_come_back_by_key_in_the_order_kept() {
        let mut spill = Spill::new().unwrap();
        let keys: [&[u8]; 3] = [b"b", b"a\x00", b"a"];
        for i in 0..1000 {
            spill.push(keys[i % 3], &format!("r{i}")).unwrap();
        }
        assert_eq!(spill.keys().unwrap(), 3);
        let mut got: Vec<(Vec<u8>, String)> = Vec::new();
        spill
            .each(&mut |k, r| {
                got.push((k.to_vec(), r.to_owned()));
                Ok(())
            })
            .unwrap();
        let mut want: Vec<(Vec<u8>, String)> = Vec::new();
        for k in [b"a".as_slice(), b"a\x00", b"b"] {
            let at = keys.iter().position(|x| *x == k).unwrap();
            want.extend(
                (0..1000)
                    .filter(|i| i % 3 == at)
                    .map(|i| (k.to_vec(), format!("r{i}"))),
            );
        }
        assert_eq!(got, want);
        // Reading stops at the reader's first error.
        let mut read = 0;
        let e = spill.each(&mut |_, _| {
            read += 1;
            Err(io::Error::other("stop"))
        });
        assert!(e.is_err());
        assert_eq!(read, 1);
    }

    #[test]
    fn a_killed_runs_scratch_files_go_after_a_day_and_nothing_else_does() {
        let dir = tempfile::tempdir().unwrap();
        let day = std::time::Duration::from_secs(24 * 60 * 60);
        let old = std::time::SystemTime::now() - 2 * day;
        let make = |name: &str, at: Option<std::time::SystemTime>| {
            let path = dir.path().join(name);
            let f = std::fs::File::create(&path).unwrap();
            if let Some(at) = at {
                f.set_modified(at).unwrap();
            }
            path
        };
        let stale = make(".eacdesk-spill-old", Some(old));
        let fresh = make(".eacdesk-spill-new", None);
        let other_kind = make(".eacdesk-bundle-files-old", Some(old));
        let users = make("report.pdf", Some(old));
        std::fs::create_dir(dir.path().join(".eacdesk-spill-folder")).unwrap();
        remove_stale(dir.path(), ".eacdesk-spill-", day);
        assert!(!stale.exists());
        assert!(fresh.exists() && other_kind.exists() && users.exists());
        assert!(dir.path().join(".eacdesk-spill-folder").is_dir());
        // A folder that cannot be read is no error.
        remove_stale(&dir.path().join("missing"), ".eacdesk-spill-", day);
    }

    #[test]
    fn the_scratch_file_goes_when_the_spill_does() {
        let spill = Spill::new().unwrap();
        let path = spill._file.to_path_buf();
        assert!(path.exists());
        drop(spill);
        assert!(!path.exists());
    }
}
