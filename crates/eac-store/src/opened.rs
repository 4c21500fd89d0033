//! The database file a connection opened, as it was then: whether the file
//! now at the path is still that one decides how the connection may close
//! ([`crate::Store::close`]), and whether the app may go on working on it
//! (`eac_app::OpenedFile`).
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
pub struct OpenedFile {
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

/// What became of an [`OpenedFile`]: what [`OpenedFile::now_at`] finds at
/// its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileNow {
    /// The same file, holding bytes if it held some (written to in place
    /// is still the same file).
    Same,
    /// Nothing there: deleted or moved.
    Missing,
    /// Emptied to 0 bytes since it held some (in place, or another empty
    /// file put there).
    Emptied,
    /// Another file put at the path (device and inode; creation time
    /// elsewhere).
    Replaced,
    /// The path cannot be looked at (other than not found).
    Unknown,
}

impl OpenedFile {
    /// The file at `path` now; `None` when nothing can be looked at there.
    pub fn at(path: &Path) -> Option<OpenedFile> {
        std::fs::metadata(path)
            .ok()
            .map(|meta| OpenedFile::of(&meta))
    }

    fn of(meta: &std::fs::Metadata) -> OpenedFile {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            OpenedFile {
                dev: meta.dev(),
                ino: meta.ino(),
                held_bytes: meta.len() > 0,
            }
        }
        #[cfg(not(unix))]
        {
            OpenedFile {
                created: meta.created().ok(),
                held_bytes: meta.len() > 0,
            }
        }
    }

    /// What is at `path` now, compared with this file as it was.
    pub fn now_at(&self, path: &Path) -> FileNow {
        let now = match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return FileNow::Missing,
            Err(_) => return FileNow::Unknown,
            Ok(meta) => OpenedFile::of(&meta),
        };
        if self.held_bytes && !now.held_bytes {
            FileNow::Emptied
        } else if !now.same_file(self) {
            FileNow::Replaced
        } else {
            FileNow::Same
        }
    }

    /// Whether the file at `path` is still this one: there, the same file,
    /// and not emptied to 0 bytes since it held some.
    pub(crate) fn still_at(&self, path: &Path) -> bool {
        self.now_at(path) == FileNow::Same
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
