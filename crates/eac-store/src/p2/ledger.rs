//! The list of files a bundle being written owns, kept in a scratch SQLite
//! file of its own (in the system's temporary folder, removed when done)
//! instead of in memory, so that writing a bundle of a million EACs needs
//! no more memory than one of ten: SQLite keeps a few pages cached and the
//! rest on disk. It finds two detail files whose names differ only in case
//! (one file on a case-insensitive disk) and lists the files for the
//! bundle's marker in name order.
//!
//! Never the store's database: nothing here is stored data, so the write
//! rules of `write.rs` (one audited transaction) do not apply to it.

use rusqlite::{params, Connection};
use tempfile::TempPath;

use crate::{Result, StoreError};

pub(crate) struct FileLedger {
    conn: Connection,
    /// Whether names differing only in ASCII case are one file (a bundle
    /// being written) or two (the list an earlier bundle's marker holds).
    fold: bool,
    // Removed on drop, after the connection closes (fields drop in order).
    _file: TempPath,
}

impl FileLedger {
    /// A ledger for a bundle being written: names that differ only in
    /// case are one file.
    pub(crate) fn new() -> Result<FileLedger> {
        FileLedger::open(true)
    }

    /// A ledger of names as they are (an earlier bundle's list of files).
    pub(crate) fn exact() -> Result<FileLedger> {
        FileLedger::open(false)
    }

    fn open(fold: bool) -> Result<FileLedger> {
        let (conn, file) = crate::spill::scratch_database(
            ".eacdesk-bundle-files-",
            "CREATE TABLE files (folded TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;",
        )?;
        Ok(FileLedger {
            conn,
            fold,
            _file: file,
        })
    }

    /// Lists `name`; false (and not listed) when a file whose name differs
    /// only in ASCII case is listed already.
    pub(crate) fn add(&self, name: &str) -> Result<bool> {
        let added = self
            .conn
            .prepare_cached(
                "INSERT INTO files (folded, name) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            )
            .and_then(|mut s| s.execute(params![self.key(name), name]))
            .map_err(self.failed())?;
        Ok(added == 1)
    }

    /// Whether `name` itself is listed.
    pub(crate) fn contains(&self, name: &str) -> Result<bool> {
        self.conn
            .prepare_cached("SELECT 1 FROM files WHERE folded = ?1 AND name = ?2")
            .and_then(|mut s| s.exists(params![self.key(name), name]))
            .map_err(self.failed())
    }

    /// A failure of the scratch file as what it is: a full temporary
    /// folder is named as such ([`crate::spill::scratch_folder`]), not as
    /// the store.
    fn failed(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        |e| StoreError::Io {
            path: self._file.to_path_buf(),
            source: crate::spill::sqlite_io(e),
        }
    }

    fn key<'n>(&self, name: &'n str) -> std::borrow::Cow<'n, str> {
        if self.fold {
            name.to_ascii_lowercase().into()
        } else {
            name.into()
        }
    }

    /// Every name listed, in byte order (as `sort` orders Rust strings).
    pub(crate) fn each_sorted(&self, mut each: impl FnMut(&str) -> Result<()>) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT name FROM files ORDER BY name COLLATE BINARY")
            .map_err(self.failed())?;
        let mut rows = stmt.query([]).map_err(self.failed())?;
        while let Some(row) = rows.next().map_err(self.failed())? {
            let name: String = row.get(0).map_err(self.failed())?;
            each(&name)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_differing_only_in_case_are_one_file_and_the_list_is_in_byte_order() {
        let ledger = FileLedger::new().unwrap();
        for name in ["eacs/b.json", "FORMAT.md", "eacs/A.json", "eacs.json", "Z"] {
            assert!(ledger.add(name).unwrap(), "{name}");
        }
        assert!(!ledger.add("eacs/a.json").unwrap());
        assert!(!ledger.add("format.MD").unwrap());
        let mut listed = Vec::new();
        ledger
            .each_sorted(|n| {
                listed.push(n.to_owned());
                Ok(())
            })
            .unwrap();
        let mut sorted = listed.clone();
        sorted.sort();
        assert_eq!(listed, sorted);
        assert_eq!(
            listed,
            ["FORMAT.md", "Z", "eacs.json", "eacs/A.json", "eacs/b.json"]
        );
    }

    #[test]
    fn an_exact_ledger_keeps_names_differing_in_case_apart() {
        let ledger = FileLedger::exact().unwrap();
        assert!(ledger.add("eacs/A.json").unwrap());
        assert!(ledger.add("eacs/a.json").unwrap());
        assert!(!ledger.add("eacs/a.json").unwrap());
        assert!(ledger.contains("eacs/A.json").unwrap());
        assert!(!ledger.contains("eacs/B.json").unwrap());
        let folded = FileLedger::new().unwrap();
        folded.add("eacs/A.json").unwrap();
        assert!(folded.contains("eacs/A.json").unwrap());
        assert!(!folded.contains("eacs/a.json").unwrap());
    }

    #[test]
    fn the_scratch_file_goes_with_the_ledger() {
        let ledger = FileLedger::new().unwrap();
        let path = ledger._file.to_path_buf();
        assert!(path.is_file());
        drop(ledger);
        assert!(!path.exists());
    }
}
