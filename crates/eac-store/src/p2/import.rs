//! Importing a P2 listing or bundle folder.

use std::fs::File;
use std::io::{self};
use std::path::Path;

use crate::write::Write;
use eac_model::p2::{read_p2_listing, EacEnvelope, EnvelopeRead, EACDESK_FORMAT_ID};
use eac_model::{CheckOptions, Eac, Flow, ListingError};
use eac_model::{Rule, Violation};

use crate::import::MAX_REPORTED;
use crate::{FileImportReport, ImportOptions, Progress, Result, StoreError};

use super::detail::{locate, read_detail, P2Source};
use super::envelopes::{record_envelope_counts, store_envelopes, EnvelopeCounts};
use super::io_err;

/// Imports a P2 listing (or bundle folder) into the open transaction: every
/// envelope's detail data is read and the full EACs are stored as a P1
/// import would store them.
pub(crate) fn import_p2(
    w: &Write,
    path: &Path,
    opts: ImportOptions,
    progress: &dyn Progress,
) -> Result<FileImportReport> {
    let P2Source {
        listing, details, ..
    } = locate(path, opts.details_from.as_deref())?;
    let label = listing.display().to_string();
    let file = File::open(&listing).map_err(io_err(&listing))?;
    let check = CheckOptions::import().with_extended_technologies(opts.allow_extended_technologies);

    /// What the reading thread found besides the EACs it handed over.
    #[derive(Default)]
    struct Found {
        errors: Vec<Violation>,
        /// The first warnings (the report keeps [`MAX_REPORTED`]) and how many.
        warnings: Vec<Violation>,
        warning_count: usize,
        /// Rule 7 within the listing (digests past the first 65,536 ids).
        ids: eac_model::SeenIds,
        outcome: Option<std::result::Result<eac_model::ListingSummary, ListingError>>,
    }
    impl Found {
        fn warn(&mut self, warnings: impl IntoIterator<Item = Violation>) {
            for w in warnings {
                self.warning_count += 1;
                if self.warnings.len() < MAX_REPORTED {
                    self.warnings.push(w);
                }
            }
        }
    }

    /// What crosses from the reading thread to the writer.
    enum Item {
        Full(Eac),
        /// Detail data not in our format: stored envelope-only.
        Envelope(Box<EacEnvelope>),
    }

    // The listing and its detail files are read on a second thread and the
    // EACs and envelopes cross a bounded channel, so memory stays bounded by
    // a few EACs: the writer stores envelope-only EACs as they come, a few
    // hundred at a time, between the full ones.
    let mut envelope_counts = EnvelopeCounts::default();
    let mut envelope_error: Option<StoreError> = None;
    let (stored, mut found) = std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Item>(32);
        let details = &details;
        let label = label.as_str();
        let reader = scope.spawn(move || {
            let mut f = Found::default();
            let outcome = read_p2_listing(file, check, |index, read| {
                let at = format!("/eacs/{index}");
                match read {
                    EnvelopeRead::Valid {
                        eac: envelope,
                        warnings,
                    } => {
                        f.warn(warnings);
                        if !f.ids.insert(&envelope.cds_eac_id) {
                            f.errors.push(
                                Violation::error(
                                    Rule::UniqueEacId,
                                    format!("{at}/cds_eac_id"),
                                    format!(
                                        "`cds_eac_id` `{}` appears more than once in this file",
                                        eac_model::quote(&envelope.cds_eac_id)
                                    ),
                                )
                                .with_eac(Some(&envelope.cds_eac_id)),
                            );
                        } else if envelope.eac_format != EACDESK_FORMAT_ID {
                            // The writer stopped listening: stop reading.
                            if sender.send(Item::Envelope(envelope)).is_err() {
                                return Flow::Stop;
                            }
                        } else {
                            match read_detail(&envelope, details, label, &at, check) {
                                Ok((eac, w)) => {
                                    f.warn(w);
                                    if sender.send(Item::Full(eac)).is_err() {
                                        return Flow::Stop;
                                    }
                                }
                                Err(v) => {
                                    f.errors.extend(v.into_iter().filter(Violation::is_error))
                                }
                            }
                        }
                    }
                    EnvelopeRead::Ignored { warnings } => f.warn(warnings),
                    EnvelopeRead::Invalid { violations } => f
                        .errors
                        .extend(violations.into_iter().filter(Violation::is_error)),
                }
                if f.errors.len() >= MAX_REPORTED {
                    Flow::Stop
                } else {
                    Flow::Continue
                }
            });
            drop(sender);
            f.outcome = Some(outcome);
            f
        });
        let mut pending: Vec<EacEnvelope> = Vec::new();
        let mut full_eacs = std::iter::from_fn(|| loop {
            match receiver.recv() {
                Ok(Item::Full(eac)) => return Some(eac),
                Ok(Item::Envelope(envelope)) => {
                    pending.push(*envelope);
                    if pending.len() >= ENVELOPES_AT_ONCE {
                        let batch = std::mem::take(&mut pending);
                        if let Err(e) = store_envelopes(w, batch, &mut envelope_counts) {
                            // Ends the import's loop; the error wins below.
                            envelope_error = Some(e);
                            return None;
                        }
                    }
                }
                Err(_) => return None,
            }
        });
        let stored = crate::import::import_eacs_with(w, label, &mut full_eacs, check, progress);
        let stored = match stored {
            Ok(report) if envelope_error.is_none() => {
                store_envelopes(w, std::mem::take(&mut pending), &mut envelope_counts)
                    .map(|()| report)
            }
            other => other,
        };
        // Hang up so a reader still sending stops.
        drop(receiver);
        let found = reader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (stored, found)
    });
    if progress.is_cancelled() {
        return Err(StoreError::Cancelled);
    }
    match found.outcome.take() {
        Some(Ok(summary)) => {
            let (e, w): (Vec<_>, Vec<_>) = summary
                .violations
                .into_iter()
                .partition(Violation::is_error);
            found.errors.extend(e);
            found.warn(w);
        }
        Some(Err(ListingError::Malformed(v))) => found.errors.push(v),
        Some(Err(ListingError::Io(e))) => return Err(io_err(&listing)(e)),
        Some(Err(ListingError::Stopped)) | None => {}
    }
    // Errors in the listing or its detail files win over what the writer
    // made of the EACs that did arrive (all of it is rolled back).
    if !found.errors.is_empty() {
        let mut errors = found.errors;
        errors.truncate(MAX_REPORTED);
        return Err(StoreError::Rules {
            file: label.clone(),
            violations: errors.into_iter().map(|v| in_file(v, &label)).collect(),
        });
    }
    if let Some(e) = envelope_error {
        return Err(e);
    }
    let mut report = stored?;
    report.added += envelope_counts.added;
    report.replaced += envelope_counts.replaced;
    report.skipped += envelope_counts.skipped;
    record_envelope_counts(w, &envelope_counts)?;
    report.warning_count += found.warning_count;
    report
        .warnings
        .extend(found.warnings.into_iter().map(|w| in_file(w, &label)));
    report.warnings.truncate(MAX_REPORTED);
    Ok(report)
}

/// Envelope-only EACs stored in one go by the writer.
const ENVELOPES_AT_ONCE: usize = 256;

/// Locates a finding in `file` unless it is already located elsewhere (in a
/// detail file).
fn in_file(v: Violation, file: &str) -> Violation {
    match v.file {
        Some(_) => v,
        None => v.with_file(file),
    }
}

/// Whether `path` holds P2 data: a folder (a bundle), or a listing whose
/// first EAC carries `eac_data_url`.
pub fn looks_like_p2(path: &Path) -> bool {
    if path.is_dir() {
        return true;
    }
    let Ok(file) = File::open(path) else {
        return false;
    };
    let mut found = false;
    let _ = eac_model::read_listing_elements(io::BufReader::new(file), |_, element| {
        if let eac_model::strict::Element::Object(fields) = element {
            found = fields.iter().any(|(k, _)| k == "eac_data_url");
        }
        Flow::Stop
    });
    found
}
