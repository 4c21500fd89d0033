//! Records kept by group in a scratch SQLite file of their own (in the
//! system's temporary folder, removed when done) instead of in memory, and
//! read back a group at a time in the order they were kept: an evidence
//! pack's claim statement lists its lines by beneficiary and period while
//! its EACs arrive in P1 order, and a pack of a million EACs must need no
//! more memory than one of ten. SQLite keeps a few pages cached and the
//! rest on disk; the index that reads a group in order is built once,
//! after the last record.
//!
//! Never the store's database: nothing here is stored data, so the write
//! rules of `write.rs` (one audited transaction) do not apply to it.

use std::io;

use rusqlite::{params, Connection};
use tempfile::TempPath;

use crate::{Result, StoreError};

/// Records (text) by group number, kept on disk.
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
             CREATE TABLE records (grp INTEGER NOT NULL, record TEXT NOT NULL);",
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

    /// Keeps `record` in group `group`, after the group's earlier records;
    /// fails as writing the scratch file does (`StorageFull` when its disk
    /// is).
    pub fn push(&mut self, group: usize, record: &str) -> io::Result<()> {
        debug_assert!(!self.indexed, "records are pushed before they are read");
        self.conn
            .prepare_cached("INSERT INTO records (grp, record) VALUES (?1, ?2)")
            .and_then(|mut s| s.execute(params![group_number(group), record]))
            .map_err(sqlite_io)?;
        Ok(())
    }

    /// Builds what reads a group in order, after the last record (else the
    /// first [`Spill::each`] does); fails as writing the scratch file does.
    pub fn finish(&mut self) -> io::Result<()> {
        if !self.indexed {
            self.conn
                .execute_batch("CREATE INDEX records_grp ON records (grp)")
                .map_err(sqlite_io)?;
            self.indexed = true;
        }
        Ok(())
    }

    /// Hands `each` the records of `group` in the order they were pushed;
    /// stops at the first error `each` returns. A scratch file that cannot
    /// be read fails as an IO error.
    pub fn each(
        &mut self,
        group: usize,
        each: &mut dyn FnMut(&str) -> io::Result<()>,
    ) -> io::Result<()> {
        self.finish()?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT record FROM records WHERE grp = ?1 ORDER BY rowid")
            .map_err(sqlite_io)?;
        let mut rows = stmt
            .query(params![group_number(group)])
            .map_err(sqlite_io)?;
        while let Some(row) = rows.next().map_err(sqlite_io)? {
            let record = row.get_ref(0).map_err(sqlite_io)?;
            each(record.as_str().map_err(io::Error::other)?)?;
        }
        Ok(())
    }
}

/// A new SQLite file in the system's temporary folder (its name starting
/// with `prefix`; removed when the returned path drops, which must be
/// after the connection), set up by `schema` and left inside a
/// transaction. A scratch file: no journal, no syncing, since a crash loses
/// nothing worth keeping.
pub(crate) fn scratch_database(prefix: &str, schema: &str) -> Result<(Connection, TempPath)> {
    let file = tempfile::Builder::new()
        .prefix(prefix)
        .tempfile()
        .map_err(|e| StoreError::Io {
            path: std::env::temp_dir(),
            source: e,
        })?
        .into_temp_path();
    let conn = Connection::open(&file)?;
    conn.execute_batch(
        "PRAGMA journal_mode = OFF;
         PRAGMA synchronous = OFF;
         PRAGMA temp_store = FILE;",
    )?;
    conn.execute_batch(schema)?;
    conn.execute_batch("BEGIN")?;
    Ok((conn, file))
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

fn group_number(group: usize) -> i64 {
    i64::try_from(group).expect("fewer groups than 2^63")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_come_back_by_group_in_the_order_kept() {
        let mut spill = Spill::new().unwrap();
        for i in 0..1000 {
            spill.push(i % 3, &format!("r{i}")).unwrap();
        }
        for g in 0..4 {
            let mut got = Vec::new();
            spill
                .each(g, &mut |r| {
                    got.push(r.to_owned());
                    Ok(())
                })
                .unwrap();
            let want: Vec<String> = (0..1000)
                .filter(|i| i % 3 == g)
                .map(|i| format!("r{i}"))
                .collect();
            assert_eq!(got, want);
        }
        // Reading stops at the reader's first error.
        let mut read = 0;
        let e = spill.each(1, &mut |_| {
            read += 1;
            Err(io::Error::other("stop"))
        });
        assert!(e.is_err());
        assert_eq!(read, 1);
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
