//! Exporting stored EACs as a listing file.

use std::path::Path;

use eac_model::ExportProfile;
use eac_store::{EacFilter, ExportReport, Progress, Store};

use crate::error::plural;
use crate::AppError;

/// Writes the EACs matching `filter` (all when `None`) to `dest` in the
/// profile's listing order. The file appears complete or not at all: any
/// EAC that breaks a rule of the profile (for example missing emission
/// factors) stops the export with a `validation` error naming it.
pub fn export(
    store: &Store,
    profile: ExportProfile,
    filter: Option<&EacFilter>,
    dest: &Path,
    progress: &dyn Progress,
) -> Result<ExportReport, AppError> {
    match profile {
        ExportProfile::P1 => store.export_p1(filter, dest, progress).map_err(|e| {
            let e = AppError::from(e);
            if !e.is_validation() {
                return e;
            }
            let n = e.violations().len();
            let message = format!(
                "Nothing was exported to {}: {}. Fix the EACs listed (missing emission factors must be entered) and export again.",
                dest.display(),
                plural(n, "rule violation")
            );
            e.with_message(message)
        }),
        ExportProfile::P2 => Err(AppError::invalid_input(
            "Export profile P2 (the CDS-WG3-01 v1 bundle) is not available yet; export with profile P1 for now.",
        )),
    }
}
