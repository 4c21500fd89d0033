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
        ExportProfile::P1 => export_p1_checked(store, filter, dest, progress).map_err(|e| {
            if !e.is_validation() {
                return e;
            }
            let n = e.violations().len();
            let message = format!(
                "Nothing was exported to {}: {}. Fix the EACs listed, as each violation says, and export again.",
                dest.display(),
                plural(n, "rule violation")
            );
            e.with_message(message)
        }),
        ExportProfile::P2 => {
            crate::p2::export_p2(store, filter, dest, None, progress).map(|b| ExportReport {
                path: b.path,
                sha256: b.sha256,
                eac_count: b.eac_count,
                value_count: 0,
            })
        }
    }
}

/// The P1 listing is written to a hidden file beside `dest`, checked there
/// against the shipped JSON Schema and every rule (as `eacdesk validate`
/// would), and only then renamed over `dest`.
fn export_p1_checked(
    store: &Store,
    filter: Option<&EacFilter>,
    dest: &Path,
    progress: &dyn Progress,
) -> Result<ExportReport, AppError> {
    let folder = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let temp = tempfile::Builder::new()
        .prefix(".eacdesk-export-")
        .suffix(".json")
        .tempfile_in(folder)
        .map_err(|e| AppError::io(folder, &e))?;
    // Violations name the destination, not the hidden file.
    let label = dest.display().to_string();
    let mut report = store
        .export_p1(filter, temp.path(), progress)
        .map_err(|e| match e {
            eac_store::StoreError::Rules { violations, .. } => eac_store::StoreError::Rules {
                file: label.clone(),
                violations: violations
                    .into_iter()
                    .map(|mut v| {
                        v.file = Some(label.clone());
                        v
                    })
                    .collect(),
            },
            e => e,
        })?;
    let checked = crate::validate_file(temp.path(), ExportProfile::P1, true)?;
    if !checked.is_valid() {
        let violations: Vec<_> = checked
            .errors
            .into_iter()
            .map(|mut v| {
                v.file = Some(label.clone());
                v
            })
            .collect();
        return Err(AppError::from(eac_store::StoreError::Rules {
            file: label,
            violations,
        }));
    }
    temp.persist(dest)
        .map_err(|e| AppError::io(dest, &e.error))?;
    report.path = dest.display().to_string();
    Ok(report)
}
