//! Exporting stored EACs as a listing file.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use eac_model::{ExportProfile, Violation};
use eac_store::{EacFilter, ExportReport, Progress, RecordedOutput, Store, StoreError};

use crate::AppError;

/// What is at a path the person is about to write to (the export dialogs
/// ask before replacing it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum PathKind {
    /// Nothing yet: it will be created.
    Missing,
    File,
    Folder,
    /// Something else (a device, a socket) or not readable.
    Other,
}

/// Where an output the app's user typed goes: `~` (alone, or `~/…`) is
/// their home folder, as in a file manager; a relative path lies in the
/// folder of the open database `db` (the folder the dialogs start in;
/// for a server database, the Documents folder), never the app's working
/// folder, which a person cannot see. An absolute path stays as it is.
/// The command line takes paths as its shell gave them.
pub fn output_path(typed: &Path, db: &Path) -> PathBuf {
    let dirs = directories::UserDirs::new();
    let home = dirs.as_ref().map(|d| d.home_dir().to_owned());
    let text = typed.to_string_lossy();
    if let Some(home) = &home {
        if text == "~" {
            return home.clone();
        }
        if let Some(rest) = text
            .strip_prefix("~/")
            .or_else(|| text.strip_prefix("~\\").filter(|_| cfg!(windows)))
        {
            return home.join(rest);
        }
    }
    if typed.is_absolute() || typed.as_os_str().is_empty() {
        return typed.to_owned();
    }
    let base = match db
        .parent()
        .filter(|p| !crate::is_server(db) && !p.as_os_str().is_empty())
    {
        Some(folder) => std::path::absolute(folder).unwrap_or_else(|_| folder.to_owned()),
        None => dirs
            .as_ref()
            .and_then(|d| d.document_dir().map(Path::to_owned))
            .or(home)
            .unwrap_or_default(),
    };
    base.join(typed)
}

/// What is at `path` now (symbolic links followed).
pub fn path_kind(path: &Path) -> PathKind {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => PathKind::File,
        Ok(m) if m.is_dir() => PathKind::Folder,
        Ok(_) => PathKind::Other,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => PathKind::Missing,
        Err(_) => PathKind::Other,
    }
}

/// Writes the EACs matching `filter` (all when `None`) to `dest` in the
/// profile's listing order. The file appears complete or not at all: any
/// EAC that breaks a rule of the profile (for example missing emission
/// factors) stops the export with a `validation` error naming it. A
/// technology outside the draft list is written as stored, and the
/// report's `warnings` say that `validate` and `import` accept the file
/// only with the extended technologies allowed.
///
/// A written export is recorded in the audit log (a database-level
/// `export` record: profile, path, SHA-256, count) in the write that puts
/// the file in place (`place`), so the store must be open for writing.
/// A login whose role on a server may not write the audit log (an
/// auditor's, who reads only) exports all the same: that is
/// known before the file is written, the file is written unrecorded and
/// the report's `not_recorded` says why (`docs/team.md`),
/// rather than an error after the file is in place that no retry mends.
pub fn export(
    store: &mut Store,
    profile: ExportProfile,
    filter: Option<&EacFilter>,
    dest: &Path,
    progress: &dyn Progress,
) -> Result<ExportReport, AppError> {
    match profile {
        ExportProfile::P1 => {
            // Every EAC checked against every rule before it is written, by
            // a writer whose output passes the shipped JSON Schema by
            // construction (decision 206); written to a hidden file beside
            // `dest`, then renamed over it (the database's files refused).
            let recorded = store.may_record(RecordedOutput::Export)?;
            let (mut report, unplaced) = store
                .export_p1_unplaced(filter, dest, progress)
                .map_err(|e| nothing_exported(dest, export_error(dest, e)))?;
            place(store, unplaced, recorded, dest)?;
            if !recorded {
                report.not_recorded = Some(not_recorded_reason(store));
            }
            Ok(report)
        }
        ExportProfile::P2 => {
            crate::p2::export_p2(store, filter, dest, None, progress).map(|b| ExportReport {
                path: b.path,
                sha256: b.sha256,
                eac_count: b.eac_count,
                value_count: 0,
                not_recorded: b.not_recorded,
                warnings: b.warnings,
            })
        }
    }
}

/// Why an export or a pack was written without its record in the
/// database: the `not_recorded` of its report.
pub const READ_ONLY_ROLE: &str = "your role on this server reads only";
/// The same for a database file this process may only read (a read-only
/// folder or disk, `Store::open_read_only`).
pub const READ_ONLY_FILE: &str = "the database is read-only here";

/// Why `store` takes no record of an output ([`READ_ONLY_ROLE`] or
/// [`READ_ONLY_FILE`]), once `Store::may_record` said it does not.
pub(crate) fn not_recorded_reason(store: &Store) -> String {
    match store.is_read_only() {
        true => READ_ONLY_FILE,
        false => READ_ONLY_ROLE,
    }
    .to_owned()
}

/// Puts an export written beside `dest` in place: when `recorded`, in the
/// write that adds its `export` audit record (so the record describes the
/// file that is there, in the order the files were put in place), refused
/// with the destination untouched when the database changed after the
/// export read it or is too busy to take the record; else unrecorded.
/// When the record fails after the rename, the error says the file is
/// there but unrecorded.
pub(crate) fn place(
    store: &mut Store,
    unplaced: eac_store::UnplacedExport,
    recorded: bool,
    dest: &Path,
) -> Result<(), AppError> {
    let path = unplaced.written().path.clone();
    let by = recorded.then(eac_store::os_user);
    store
        .place_export(unplaced, by.as_deref())
        .map_err(|f| match f.placed {
            true => not_recorded(&path, f.error),
            false => not_placed(dest, f.error),
        })
}

/// An export to `dest` that was not put in place because `e` stopped the
/// write that records it (or the rename itself failed): the destination
/// holds what it held. A busy database says which and that the export
/// waits for it; the database changed meanwhile says so in the store's
/// words; anything else as the export's other failures.
fn not_placed(dest: &Path, e: StoreError) -> AppError {
    if let StoreError::Conflict { .. } = e {
        return e.into();
    }
    if !e.is_busy() {
        return nothing_exported(dest, export_error(dest, e));
    }
    let cause = AppError::from(e);
    let database = match &cause.details.path {
        Some(path) => format!("The database {path}"),
        None => "The database".to_owned(),
    };
    let message = format!(
        "{database} is busy: another EAC Desk window or an eacdesk command is still writing to it, and an export is put in place only together with its record in the audit log. Nothing was exported to {}: what was there is left as it was. Wait until it has finished, then export again.",
        dest.display()
    );
    cause.with_message(message)
}

/// The export at `path` was written but its audit record failed with `e`:
/// said with its cause and what to do about that one (a busy database:
/// wait; a full disk: free space), then to export again so that the log
/// holds it. The store's own words for the cause end in "Nothing was
/// changed", which a file just written makes untrue: left out.
fn not_recorded(path: &str, e: StoreError) -> AppError {
    let written = format!(
        "The export was written to {path}, but its record in the audit log could not be written"
    );
    let again = "export again, so that the audit log holds it";
    let (busy, full) = (e.is_busy(), e.is_disk_full());
    let cause = AppError::from(e);
    let message = if busy {
        format!(
            "{written}: the database was busy (another EAC Desk window or an eacdesk command was writing to it). Wait until it has finished, then {again}."
        )
    } else if full {
        format!(
            "{written}: the disk is full (the database's disk, or the temporary folder {} it works in). Free some space there (or set TMPDIR to a folder on a disk with room), then {again}.",
            std::env::temp_dir().display()
        )
    } else {
        format!(
            "{written}. {} Once that is mended, {again}.",
            without_nothing_changed(&cause.message)
        )
    };
    cause.with_message(message)
}

/// `message` without its claim that nothing was changed ("Nothing was
/// changed." / "Nothing was changed; wait …" → "Wait …", "X; nothing was
/// changed." → "X."), ending in a full stop: the words an import's failed
/// file leaves out too ([`crate::error::unchanged_said`]).
pub(crate) fn without_nothing_changed(message: &str) -> String {
    let (out, _) = crate::error::unchanged_said(message, None);
    let out = out.trim_end();
    match out.ends_with(['.', '!', '?']) {
        true => out.to_owned(),
        false => format!("{out}."),
    }
}

/// The failure `e` of an export to `dest`, as the app says it. A scratch
/// file in the temporary folder that failed (a P2 export's list of files
/// in a full `TMPDIR`) is said as that folder's, with `dest`, never as a
/// failure to write a file the person never named (decision 48), in the
/// words every temporary folder's failure has ([`AppError::scratch`]).
pub(crate) fn export_error(dest: &Path, e: StoreError) -> AppError {
    // A read: no change was rolled back; what matters is the file.
    if let Some(client) = e.lost_connection() {
        let message = format!(
            "The connection to the server was lost while exporting, so nothing was exported to \
             {}: what was there is left as it was. Check that the server runs and can be \
             reached, then export again. {client}.",
            dest.display()
        );
        return AppError::from(e).with_message(message);
    }
    // A file of a bundle that could not be made for want of room for
    // files: said of the bundle, which is untouched (the file never was).
    if let StoreError::Io { path, source } = &e {
        // The bundle as the store names it: its folder resolved.
        let resolved = eac_store::atomic::folder_of(dest)
            .canonicalize()
            .ok()
            .zip(dest.file_name())
            .map(|(folder, name)| folder.join(name));
        let inside = |bundle: &Path| path != bundle && path.starts_with(bundle);
        if eac_store::atomic::no_room_words(source).is_some()
            && (inside(dest) || resolved.as_deref().is_some_and(inside))
        {
            return AppError::io(dest, source);
        }
    }
    let unchanged = format!("Nothing was exported to {}", dest.display());
    scratch_error(dest, &e, &unchanged, "export again").unwrap_or_else(|| e.into())
}

/// `e`, when it is the failure of a scratch file in the temporary folder
/// of an output to `dest` (an export, a pack): said as that folder's, with
/// `dest` (`details.path`), `unchanged` and what to do `again`; `None` for
/// any other failure.
pub(crate) fn scratch_error(
    dest: &Path,
    e: &StoreError,
    unchanged: &str,
    again: &str,
) -> Option<AppError> {
    let StoreError::Io { path, source } = e else {
        return None;
    };
    let folder = eac_store::scratch_folder(path)?;
    let mut said = AppError::scratch(
        folder,
        source,
        [&format!("keep a working file for {}", dest.display()), ""],
        unchanged,
        again,
    );
    said.details.path = Some(dest.display().to_string());
    if matches!(
        source.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    ) {
        said.details.reason = Some(crate::error::IoReason::DiskFull);
    }
    Some(said)
}

/// A validation error of an export says that nothing was exported to
/// `dest` (what is there stays), and that the violations that stopped it,
/// and how many, are in stored EACs: the file holds none of them, it was
/// not written (decision 18). Other errors pass unchanged.
pub(crate) fn nothing_exported(dest: &Path, e: AppError) -> AppError {
    if !e.is_validation() {
        return e;
    }
    let message = format!(
        "Nothing was exported to {} (what was there is left as it was): {} in stored EACs \
         stopped it. Fix the EACs listed, as each violation says, and export again.",
        dest.display(),
        crate::error::rule_violations(e.violations().len())
    );
    e.with_message(message)
}

/// The check an export runs on what it wrote, when the check itself fails
/// (the written file cannot be read back): that failure is kept and is
/// what the export returns, as itself (`io`, …), never filed under a rule.
/// The store is still handed an error, so it writes nothing.
#[derive(Default)]
pub(crate) struct CheckFailed(RefCell<Option<AppError>>);

impl CheckFailed {
    /// The errors of a check's report, or a stand-in that stops the
    /// export when the check could not run (see [`CheckFailed::or`]).
    pub(crate) fn errors(
        &self,
        checked: Result<crate::ValidationReport, AppError>,
    ) -> Vec<Violation> {
        match checked {
            Ok(report) => report.errors,
            Err(e) => {
                let stand_in = Violation::unruled(e.message.clone());
                *self.0.borrow_mut() = Some(e);
                vec![stand_in]
            }
        }
    }

    /// The check's own failure if it had one, else the store's error of
    /// the export to `dest` ([`export_error`]).
    pub(crate) fn or(&self, dest: &Path, e: StoreError) -> AppError {
        self.0
            .borrow_mut()
            .take()
            .unwrap_or_else(|| export_error(dest, e))
    }
}

/// Makes a write beyond the process's file size limit (`ulimit -f`) fail
/// with "file too large", which every export reports naming its
/// destination and after which it leaves the destination untouched,
/// instead of the system killing the process on the spot (SIGXFSZ).
/// Called once at the start of the CLI and of the desktop app; a no-op
/// where the signal does not exist.
pub fn ignore_file_size_signal() {
    #[cfg(unix)]
    {
        use std::sync::atomic::AtomicBool;
        use std::sync::Arc;
        // The flag is never read: the handler only keeps the default
        // action (termination) from running. Registration fails only for
        // forbidden signals, which SIGXFSZ is not.
        let _ = signal_hook::flag::register(
            signal_hook::consts::SIGXFSZ,
            Arc::new(AtomicBool::new(false)),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_typed_output_path_is_made_whole_for_the_app() {
        use std::path::{Path, PathBuf};
        let db = Path::new("/data/team/eacdesk.sqlite");
        let home = directories::UserDirs::new().unwrap().home_dir().to_owned();
        assert_eq!(
            super::output_path(Path::new("~/eacs.json"), db),
            home.join("eacs.json")
        );
        assert_eq!(super::output_path(Path::new("~"), db), home);
        assert_eq!(
            super::output_path(Path::new("eacs-out.json"), db),
            PathBuf::from("/data/team/eacs-out.json")
        );
        assert_eq!(
            super::output_path(Path::new("out/eacs.json"), db),
            PathBuf::from("/data/team/out/eacs.json")
        );
        assert_eq!(
            super::output_path(Path::new("/tmp/eacs.json"), db),
            PathBuf::from("/tmp/eacs.json")
        );
        // "~name" is a file name, not someone's home.
        assert_eq!(
            super::output_path(Path::new("~draft.json"), db),
            PathBuf::from("/data/team/~draft.json")
        );
    }
    use super::*;

    #[test]
    fn a_check_that_cannot_read_the_file_is_an_io_error_not_a_rule() {
        let failed = CheckFailed::default();
        let unreadable = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let io = AppError::io(Path::new("/out/.eacs.json.tmp"), &unreadable);
        // The store is still stopped…
        assert_eq!(failed.errors(Err(io.clone())).len(), 1);
        let stopped = StoreError::Rules {
            file: "/out/eacs.json".into(),
            violations: vec![],
        };
        // … and the export fails with the check's own error.
        assert_eq!(failed.or(Path::new("/out/eacs.json"), stopped), io);
        // A check that ran passes the store's error through.
        assert!(failed
            .errors(Ok(crate::ValidationReport::default()))
            .is_empty());
        let e = failed.or(Path::new("/out/eacs.json"), StoreError::Cancelled);
        assert_eq!(e.code, crate::ErrorCode::Cancelled);
    }
}

#[cfg(test)]
mod failure_tests {
    use super::*;

    fn sqlite(code: i32) -> StoreError {
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(code),
            None,
        ))
    }

    /// An export written whose audit record failed: the cause's own advice
    /// (a full disk: free space; busy: wait), then to export again; never
    /// the store's "Nothing was changed" inside it, nor ".).".
    #[test]
    fn an_unrecorded_export_says_its_cause_and_what_to_do() {
        let full = not_recorded("/out/x.json", sqlite(13));
        assert_eq!(full.details.reason, Some(crate::error::IoReason::DiskFull));
        let busy = not_recorded("/out/x.json", sqlite(5));
        assert_eq!(busy.details.busy, Some(true));
        let read_only = not_recorded("/out/x.json", sqlite(8));
        for (e, cause, todo) in [
            (&full, ": the disk is full", "Free some space there"),
            (
                &busy,
                ": the database was busy",
                "Wait until it has finished",
            ),
            (
                &read_only,
                ". The database cannot be written",
                "Once that is mended",
            ),
        ] {
            let m = &e.message;
            assert!(
                m.starts_with(&format!(
                    "The export was written to /out/x.json, but its record in the audit log could not be written{cause}"
                )),
                "{m}"
            );
            assert!(m.contains(todo), "{m}");
            assert!(
                m.ends_with("export again, so that the audit log holds it."),
                "{m}"
            );
            assert!(!m.to_lowercase().contains("nothing was changed"), "{m}");
            assert!(!m.contains(".)."), "{m}");
        }
        assert!(!full.message.contains("when the database is free"));
        assert!(
            read_only.message.contains("Ask for write access"),
            "{}",
            read_only.message
        );
    }

    /// TEAM42 finding 7.1: an export whose connection to the server was
    /// lost says what became of its file (left as it was), not that a
    /// change was rolled back; the store's lost-connection words as
    /// `eac_store::server` says them.
    #[test]
    fn a_lost_connection_during_an_export_says_the_file_was_left_as_it_was() {
        let e = export_error(
            Path::new("/out/out.json"),
            StoreError::Server {
                message: "the connection to the server was lost, so nothing was saved (the \
                          server rolls back a change it did not see committed). Check that the \
                          server runs and can be reached, then run it again. The client said: \
                          connection closed"
                    .into(),
            },
        );
        assert_eq!(
            e.message,
            "The connection to the server was lost while exporting, so nothing was exported to \
             /out/out.json: what was there is left as it was. Check that the server runs and can \
             be reached, then export again. The client said: connection closed."
        );
        assert!(!e.message.contains("rolls back"), "{}", e.message);
    }

    /// A P2 export's scratch file in a full temporary folder is said as
    /// that folder's, with the destination and TMPDIR, never the scratch
    /// file's name; any other failure passes as it was.
    #[test]
    fn a_full_temporary_folder_is_said_of_the_export() {
        let scratch = std::env::temp_dir().join(".eacdesk-bundle-files-Ab12Cd");
        let e = export_error(
            Path::new("/roomy/B"),
            StoreError::Io {
                path: scratch.clone(),
                source: std::io::Error::new(std::io::ErrorKind::StorageFull, "the disk is full"),
            },
        );
        let m = &e.message;
        assert!(
            m.contains(&format!(
                "Could not keep a working file for /roomy/B in the temporary folder {}: the disk is full.",
                std::env::temp_dir().display()
            )),
            "{m}"
        );
        assert!(
            m.contains("Nothing was exported to /roomy/B; free some space there (or set TMPDIR"),
            "{m}"
        );
        assert!(!m.contains(".eacdesk-bundle-files"), "{m}");
        assert_eq!(e.details.reason, Some(crate::error::IoReason::DiskFull));
        assert_eq!(e.details.path.as_deref(), Some("/roomy/B"));
        let own = export_error(
            Path::new("/roomy/B"),
            StoreError::Io {
                path: PathBuf::from("/roomy/B/eacs.json"),
                source: std::io::Error::from(std::io::ErrorKind::StorageFull),
            },
        );
        assert!(
            own.message
                .starts_with("Could not write /roomy/B/eacs.json: the disk is full."),
            "{}",
            own.message
        );
    }
}

#[cfg(test)]
mod path_kind_tests {
    use super::*;

    #[test]
    fn a_disk_with_space_left_and_no_room_for_files_says_so_of_the_bundle() {
        // What the store makes of an ENOSPC on a disk with free space and
        // no free inodes (or a FAT folder's entry limit): said as that,
        // of the bundle (untouched), never as a full disk, nor of a file
        // inside a bundle that does not exist.
        let e = export_error(
            Path::new("/roomy/B"),
            StoreError::Io {
                path: PathBuf::from("/roomy/B/eacs/S1-1.json"),
                source: eac_store::atomic::no_room_for_files(),
            },
        );
        assert_eq!(
            e.message,
            "Could not write /roomy/B: the disk cannot hold more files: it has space left, but has reached the number of files it can hold (or a folder the number of entries it can hold). Nothing was changed there; remove files you no longer need from that disk, or choose another disk, and try again."
        );
        assert_eq!(e.details.reason, Some(crate::error::IoReason::DiskFull));
        assert_eq!(e.details.path.as_deref(), Some("/roomy/B"));
        // In the temporary folder: said of that folder, in the same words.
        let scratch = std::env::temp_dir().join(".eacdesk-bundle-files-Ab12Cd");
        let e = export_error(
            Path::new("/roomy/B"),
            StoreError::Io {
                path: scratch,
                source: eac_store::atomic::no_room_for_files(),
            },
        );
        assert!(
            e.message
                .contains(": the disk cannot hold more files: it has space left"),
            "{}",
            e.message
        );
        assert!(!e.message.contains("the disk is full"), "{}", e.message);
    }

    #[test]
    fn says_what_is_at_a_path() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("eacs.json");
        assert_eq!(path_kind(&file), PathKind::Missing);
        std::fs::write(&file, b"[]").unwrap();
        assert_eq!(path_kind(&file), PathKind::File);
        assert_eq!(path_kind(dir.path()), PathKind::Folder);
        assert_eq!(
            path_kind(&dir.path().join("no/such/file")),
            PathKind::Missing
        );
    }
}
