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
