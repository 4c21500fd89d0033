//! The database file the desktop app opens: what it must be before it is
//! opened at all.

use std::path::Path;

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
}
