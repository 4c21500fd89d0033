//! An export put in place together with its audit record (decision 113
//! as amended for tester 38's findings 1 and 2): the P1 file or P2 bundle
//! is written whole beside its destination from one read snapshot
//! ([`Store::export_p1_unplaced`], [`Store::export_p2_unplaced`]), then
//! [`Store::place_export`] records it and renames it into place in one
//! write, as a pack is swapped in inside the write that records it
//! (decision 107, the same check: [`Store::write_unchanged_since`]).
//!
//! So the record describes the file that is there: refused, the
//! destination untouched, when another connection committed since the
//! export's snapshot was taken (the file would hold a state the log has
//! already moved past); two exports to one path are recorded in the order
//! their files were put in place; a database too busy to take the record
//! leaves the earlier file where it was.

use std::path::Path;

use crate::atomic::FinishedFile;
use crate::p2::{self, FinishedBundle, SwappedBundle};
use crate::packs::{insert_export_record, ExportWritten};
use crate::{export, BundleReport, EacFilter, ExportReport, Progress, Result, Store, StoreError};

/// An export written whole beside its destination, not yet there: put in
/// place by [`Store::place_export`], removed when dropped.
pub struct UnplacedExport {
    /// What its audit record says (profile, path, SHA-256, count).
    written: ExportWritten,
    /// [`Store::data_version`] before its snapshot was taken.
    since_version: i64,
    output: Output,
}

impl UnplacedExport {
    /// What its audit record will say.
    pub fn written(&self) -> &ExportWritten {
        &self.written
    }
}

/// The hidden file or folder.
enum Output {
    File(FinishedFile),
    Bundle(FinishedBundle),
}

/// An output in place (a bundle with the one it replaced still beside it).
enum Placed {
    File,
    Bundle(SwappedBundle),
}

impl Output {
    fn place(self) -> Result<Placed> {
        match self {
            Output::File(file) => file.place().map(|()| Placed::File),
            Output::Bundle(bundle) => bundle.swap().map(Placed::Bundle),
        }
    }
}

impl Placed {
    /// Removes what it replaced (a bundle's earlier folder).
    fn finish(self) {
        if let Placed::Bundle(bundle) = self {
            bundle.finish();
        }
    }
}

/// Why [`Store::place_export`] failed, and whether the export is in its
/// place all the same.
#[derive(Debug)]
pub struct PlaceFailed {
    pub error: StoreError,
    /// `false`: nothing was replaced (the destination holds what it held,
    /// the hidden file or folder is removed). `true`: the write failed
    /// after the rename (its commit): the export is in place but not in
    /// the audit log.
    pub placed: bool,
}

/// Refuses, before anything is written, a destination `dest` whose folder
/// is not there: it does not exist (a file is never made in a folder that
/// is not, and `makes` says what the writer does make, e.g. "no folder
/// for a P1 listing"), or a part of its path is a file. Said of that
/// folder, with what to do, instead of the system's words about the
/// hidden file written first ("Not a directory", "does not exist (or a
/// folder on its way does not)"). A folder that cannot be looked at
/// (permissions) is left to the write, which names it. Every destination
/// EAC Desk writes is checked so (exports, `ls --xlsx`, packs, copies;
/// decision 436).
pub fn refuse_missing_folder(dest: &Path, makes: &str) -> Result<()> {
    let folder = crate::atomic::folder_of(dest);
    match std::fs::metadata(folder) {
        Ok(meta) if meta.is_dir() => return Ok(()),
        Ok(_) => {}
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) => {}
        Err(_) => return Ok(()),
    }
    // The nearest part of the path that is there: a file where a folder
    // should be is named as such.
    let file = folder
        .ancestors()
        .filter(|a| !a.as_os_str().is_empty())
        .find(|a| std::fs::symlink_metadata(a).is_ok())
        .filter(|a| !a.is_dir());
    Err(StoreError::InvalidInput(match file {
        Some(file) => format!(
            "{} is a file, not a folder, so nothing can be written at {}; nothing was written. \
             Choose a place in a folder.",
            file.display(),
            dest.display()
        ),
        None => format!(
            "The folder {} does not exist, so nothing can be written at {} (EAC Desk makes {makes}): \
             create it first; nothing was written.",
            folder.display(),
            dest.display()
        ),
    }))
}

/// Refuses, before anything is written, a destination that is to be one
/// file (`what`, e.g. "P1 listing", "workbook"; `example` a name for one,
/// e.g. "eacs.json") but cannot be: an empty name, or one ending in `/`
/// (a folder's name) with no folder there (an existing folder is refused
/// by the write's own check, which says "is a folder, not a file"); then
/// a missing folder ([`refuse_missing_folder`]: EAC Desk makes no folder
/// for it). `--out nb1/` said "Not a directory (os error 20)" after the
/// whole listing was written, and `copy --to nb1/` after the whole
/// database was copied.
pub fn refuse_file_path(dest: &Path, what: &str, example: &str) -> Result<()> {
    let text = dest.as_os_str().to_string_lossy();
    if text.is_empty() {
        return Err(StoreError::InvalidInput(format!(
            "The {what} needs a file name (the name given is empty); nothing was written. \
             Name the file to write, e.g. {example}."
        )));
    }
    if text.ends_with(std::path::is_separator) {
        let folder = text.trim_end_matches(std::path::is_separator);
        let folder = if folder.is_empty() {
            &text[..1]
        } else {
            folder
        };
        let ext = Path::new(example)
            .extension()
            .map(|e| format!(".{}", e.to_string_lossy()))
            .unwrap_or_default();
        let (there, then) = match std::fs::symlink_metadata(folder) {
            Ok(m) if m.is_dir() => return Ok(()),
            Ok(_) => (
                format!("{folder} is a file"),
                format!("Name the file without the closing `/` ({folder}) to replace it, or choose another file name"),
            ),
            Err(_) => (
                format!("the folder {folder} does not exist"),
                format!("Name the file to write (e.g. {folder}{ext}), or create the folder {folder} first and name a file in it (e.g. {folder}/{example})"),
            ),
        };
        return Err(StoreError::InvalidInput(format!(
            "{} ends with `/`, so it names a folder, but a {what} is one file, and {there}; \
             nothing was written. {then}.",
            dest.display()
        )));
    }
    refuse_missing_folder(dest, &format!("no folder for a {what}"))
}

/// Refuses, before anything is written, a destination that is to be a
/// folder EAC Desk makes (`what`, e.g. "bundle", "evidence pack";
/// `example` a name for one) but has no name of its own: empty, or a
/// path ending in `..` or a root. A missing folder above it is refused by
/// [`refuse_missing_folder`] (EAC Desk makes only that folder).
pub fn refuse_folder_name<'a>(
    dest: &'a Path,
    what: &str,
    example: &str,
) -> Result<&'a std::ffi::OsStr> {
    if dest.as_os_str().is_empty() {
        return Err(StoreError::InvalidInput(format!(
            "The {what} needs a folder name (the name given is empty); nothing was written. Name \
             the folder to write the {what} to, e.g. {example}."
        )));
    }
    dest.file_name().ok_or_else(|| {
        StoreError::InvalidInput(format!(
            "{} names no folder of its own for the {what}; nothing was written. Name the folder \
             to write it to, e.g. {}.",
            dest.display(),
            dest.join(example).display()
        ))
    })
}

/// [`refuse_file_path`] for a P1 listing.
fn refuse_p1_path(dest: &Path) -> Result<()> {
    refuse_file_path(dest, "P1 listing", "eacs.json")
}

/// The refusal of an export whose database changed after its snapshot.
fn changed_while_exporting(path: &str) -> StoreError {
    StoreError::Conflict {
        message: format!(
            "The database changed while exporting (another program or window wrote to it), so the export would not match its record in the audit log; nothing was written to {path}. Export again."
        ),
        ids: Vec::new(),
    }
}

impl Store {
    /// [`Store::export_p1`] up to the rename: the listing written whole
    /// beside `dest`, for [`Store::place_export`].
    pub fn export_p1_unplaced(
        &self,
        filter: Option<&EacFilter>,
        dest: &Path,
        progress: &dyn Progress,
    ) -> Result<(ExportReport, UnplacedExport)> {
        refuse_p1_path(dest)?;
        self.refuse_p1_destination(filter, dest)?;
        // Before the snapshot: a commit after it moves the version.
        let since_version = self.data_version()?;
        let (report, file) = export::write_p1(self.db(), filter, dest, progress)?;
        let written = ExportWritten {
            profile: "P1".to_owned(),
            path: report.path.clone(),
            sha256: report.sha256.clone(),
            eac_count: report.eac_count,
        };
        let unplaced = UnplacedExport {
            written,
            since_version,
            output: Output::File(file),
        };
        Ok((report, unplaced))
    }

    /// [`Store::export_p2_checked`] up to the swap: the bundle written
    /// whole and checked beside `dest`, for [`Store::place_export`].
    pub fn export_p2_unplaced(
        &self,
        filter: Option<&EacFilter>,
        dest: &Path,
        base_url: Option<&str>,
        progress: &dyn Progress,
        check: p2::BundleCheck<'_>,
    ) -> Result<(BundleReport, UnplacedExport)> {
        crate::atomic::refuse_database(&self.path, dest)?;
        let since_version = self.data_version()?;
        let (report, bundle) =
            p2::write_p2(self.db(), filter, dest, base_url, None, progress, check)?;
        let written = ExportWritten {
            profile: "P2".to_owned(),
            path: report.path.clone(),
            sha256: report.sha256.clone(),
            eac_count: report.eac_count,
        };
        let unplaced = UnplacedExport {
            written,
            since_version,
            output: Output::Bundle(bundle),
        };
        Ok((report, unplaced))
    }

    /// Puts `export` in place. `os_user`: in the write that adds its
    /// `export` audit record, refused (`Conflict`, nothing replaced) when
    /// another connection committed since its snapshot; the write lock is
    /// waited for as by every write, and a busy database leaves the
    /// destination as it was. `None` (a login or file that takes no
    /// record, [`Store::may_record`]): put in place unrecorded, whatever
    /// was committed meanwhile (its file is one state of the database, and
    /// no record says otherwise).
    pub fn place_export(
        &mut self,
        export: UnplacedExport,
        os_user: Option<&str>,
    ) -> std::result::Result<(), PlaceFailed> {
        let UnplacedExport {
            written,
            since_version,
            output,
        } = export;
        let Some(os_user) = os_user else {
            return output
                .place()
                .map(Placed::finish)
                .map_err(|error| PlaceFailed {
                    error,
                    placed: false,
                });
        };
        let mut placed: Option<Placed> = None;
        // On a server database too (decision 220). Not placed (refused,
        // busy): the hidden file or folder goes with `output`, dropped
        // with the write's closure.
        let recorded = self.write_unchanged_since(
            since_version,
            || changed_while_exporting(&written.path),
            |w| {
                insert_export_record(w, &written, os_user)?;
                crate::atomic::crash_point("export-before-place");
                placed = Some(output.place()?);
                Ok(())
            },
        );
        let was_placed = placed.is_some();
        if let Some(placed) = placed {
            placed.finish();
        }
        recorded.map_err(|error| PlaceFailed {
            error,
            placed: was_placed,
        })
    }
}
