//! The database file a connection opened, as it was then: whether the file
//! now at the path is still that one decides how the connection may close
//! ([`crate::Store::close`]).
//!
//! SQLite's last connection to a database in write-ahead logging copies
//! its log into the file at the path as it closes, then removes the
//! `-wal` and `-shm` beside it. When another program has emptied the file
//! meanwhile, that copy writes pages into the emptied file; when another
//! file was put there, the `-wal` beside it may be that file's own.

use std::path::Path;

/// What tells one file from another put at the same path, and whether it
/// held anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OpenedFile {
    #[cfg(unix)]
    dev: u64,
    #[cfg(unix)]
    ino: u64,
    #[cfg(not(unix))]
    created: Option<std::time::SystemTime>,
    /// It held bytes when opened (a database EAC Desk opens for writing
    /// always does once its schema is there).
    held_bytes: bool,
}

impl OpenedFile {
    /// The file at `path` now; `None` when nothing can be looked at there.
    pub(crate) fn at(path: &Path) -> Option<OpenedFile> {
        let meta = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let file = {
            use std::os::unix::fs::MetadataExt;
            OpenedFile {
                dev: meta.dev(),
                ino: meta.ino(),
                held_bytes: meta.len() > 0,
            }
        };
        #[cfg(not(unix))]
        let file = OpenedFile {
            created: meta.created().ok(),
            held_bytes: meta.len() > 0,
        };
        Some(file)
    }

    /// Whether the file at `path` is still this one: there, the same file
    /// (device and inode; creation time elsewhere), and not emptied to 0
    /// bytes since it held some.
    pub(crate) fn still_at(&self, path: &Path) -> bool {
        OpenedFile::at(path)
            .is_some_and(|now| now.same_file(self) && (now.held_bytes || !self.held_bytes))
    }

    fn same_file(&self, other: &OpenedFile) -> bool {
        #[cfg(unix)]
        {
            (self.dev, self.ino) == (other.dev, other.ino)
        }
        #[cfg(not(unix))]
        {
            self.created == other.created
        }
    }
}
