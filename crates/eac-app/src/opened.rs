//! The database file the desktop app opens: what it must be before it is
//! opened at all, and that it is still there, the same file, while the app
//! keeps it open.

use std::path::{Path, PathBuf};

use eac_store::FileNow;

use crate::error::{DatabaseProblem, ErrorDetails};
use crate::AppError;

/// Refuses a `path` that is there but is no regular file (a folder, a
/// named pipe, a device, a socket; a link is followed), looked at without
/// opening it, so a pipe is never waited on: said in plain words,
/// `invalid_input` with `details.database` `not_a_file`. Nothing there yet
/// (a new database), a regular file, a server address, or a path that
/// cannot be looked at (the open then says why) pass.
pub fn refuse_non_regular_database(path: &Path) -> Result<(), AppError> {
    if crate::is_server(path) {
        return Ok(());
    }
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    if meta.is_file() {
        return Ok(());
    }
    let what = eac_store::regular::kind_words(&meta.file_type());
    Err(AppError {
        details: ErrorDetails {
            path: Some(path.display().to_string()),
            database: Some(DatabaseProblem::NotAFile),
            ..ErrorDetails::default()
        },
        ..AppError::invalid_input(format!(
            "{} is {what}, not a database file: EAC Desk keeps a database in a regular file. \
             Nothing was opened or changed. Choose a database file, or a new file name to \
             start a database.",
            path.display()
        ))
    })
}

/// The database file the app has open, as it was when opened: a file
/// deleted, emptied or replaced since is noticed before the next command
/// reads or writes, so the app never makes a new, empty database in its
/// place (an operation opens the path again, and an open makes a missing
/// database) nor goes on with a file no longer there. What tells the file
/// apart is the store's ([`eac_store::OpenedFile`], which also decides how
/// a connection closes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedFile {
    path: PathBuf,
    file: eac_store::OpenedFile,
}

impl OpenedFile {
    /// The file at `path` as it is now, just opened; `None` for a server
    /// database or a file that cannot be looked at.
    pub fn now(path: &Path) -> Option<OpenedFile> {
        if crate::is_server(path) {
            return None;
        }
        Some(OpenedFile {
            path: path.to_owned(),
            file: eac_store::OpenedFile::at(path)?,
        })
    }

    /// `Ok` while the file at the path is the one opened and holds a
    /// database; else what became of it, in plain words with what to do
    /// (`io`, `details.path` and `details.database`: `missing`, `emptied`
    /// or `replaced`). A path that cannot be looked at passes: the command
    /// then says why.
    pub fn check(&self) -> Result<(), AppError> {
        let problem = match self.file.now_at(&self.path) {
            FileNow::Same | FileNow::Unknown => return Ok(()),
            FileNow::Missing => DatabaseProblem::Missing,
            FileNow::Emptied => DatabaseProblem::Emptied,
            FileNow::Replaced => DatabaseProblem::Replaced,
        };
        Err(gone(&self.path, problem))
    }
}

/// The refusal of a command on the database file at `path` that is gone
/// (`problem`: `missing`, `emptied` or `replaced`) since the app opened
/// it, in plain words with what to do: `io`, `details.path` and
/// `details.database`.
pub(crate) fn gone(path: &Path, problem: DatabaseProblem) -> AppError {
    let shown = path.display();
    let message = match problem {
        DatabaseProblem::Missing => format!(
            "The database file {shown} is no longer there: it was deleted or moved while \
             EAC Desk had it open. Nothing was read or written, and EAC Desk did not make \
             a new database in its place. Open the database where it is now, or a backup \
             of it (Open database…); to start a new, empty database there, choose New \
             database… in Open database."
        ),
        DatabaseProblem::Emptied => format!(
            "The database file {shown} is empty now (0 bytes): another program emptied \
             it while EAC Desk had it open. Nothing was read or written, and EAC Desk did \
             not make a new database in it. Restore it from a backup, or open another \
             database (Open database…); to start a new, empty database there, open it \
             again in Open database."
        ),
        _ => format!(
            "The database file {shown} was replaced by another file while EAC Desk had it \
             open (another program saved, moved or restored a file there). Nothing was \
             read or written. To work on the file that is there now, open it again \
             (Open database…), or open another database."
        ),
    };
    AppError {
        details: ErrorDetails {
            path: Some(shown.to_string()),
            database: Some(problem),
            ..ErrorDetails::default()
        },
        ..AppError::new(crate::ErrorCode::Io, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_is_not_a_regular_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("d.sqlite");
        assert!(
            refuse_non_regular_database(&file).is_ok(),
            "nothing there yet"
        );
        std::fs::write(&file, b"").unwrap();
        assert!(refuse_non_regular_database(&file).is_ok());
        let e = refuse_non_regular_database(dir.path()).unwrap_err();
        assert_eq!(e.code, "invalid_input");
        assert_eq!(e.details.database, Some(DatabaseProblem::NotAFile));
        assert!(
            e.message.contains("is a folder, not a database file"),
            "{}",
            e.message
        );
        assert!(refuse_non_regular_database(Path::new("postgres://ann@db/eacs")).is_ok());
    }

    #[test]
    fn a_file_deleted_emptied_or_replaced_since_it_was_opened_is_said_so() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("d.sqlite");
        let problem = |opened: &OpenedFile| opened.check().err().and_then(|e| e.details.database);
        std::fs::write(&file, b"SQLite format 3\0").unwrap();
        let opened = OpenedFile::now(&file).unwrap();
        assert_eq!(problem(&opened), None);
        // Written to in place: the same file.
        std::fs::write(&file, b"SQLite format 3\0 and more").unwrap();
        assert_eq!(problem(&opened), None);
        std::fs::write(&file, b"").unwrap();
        assert_eq!(problem(&opened), Some(DatabaseProblem::Emptied));
        let other = dir.path().join("other.sqlite");
        std::fs::write(&other, b"SQLite format 3\0").unwrap();
        std::fs::rename(&other, &file).unwrap();
        assert_eq!(problem(&opened), Some(DatabaseProblem::Replaced));
        std::fs::remove_file(&file).unwrap();
        let e = opened.check().unwrap_err();
        assert_eq!(e.code, "io");
        assert_eq!(e.details.database, Some(DatabaseProblem::Missing));
        assert_eq!(e.details.path, Some(file.display().to_string()));
        assert!(e.message.contains("is no longer there"), "{}", e.message);
        assert!(!file.exists());
        assert_eq!(OpenedFile::now(Path::new("postgres://ann@db/eacs")), None);
    }
}
