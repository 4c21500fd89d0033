//! Importing a P2 listing or bundle folder.

use std::fs::File;
use std::io::{self};
use std::path::Path;

use crate::write::Write;
use eac_model::p2::{read_p2_listing, EacEnvelope, EnvelopeRead, EACDESK_FORMAT_ID};
use eac_model::Violation;
use eac_model::{CheckOptions, Eac, Flow, ListingError};

use crate::import::MAX_REPORTED;
use crate::{FileImportReport, ImportOptions, Progress, Result, StoreError};

use super::detail::{locate, read_detail, P2Source};
use super::envelopes::{record_envelope_counts, store_envelopes, EnvelopeCounts};
use super::io_err;

/// The P2 listing at `listing`, opened as a regular file without waiting
/// on a named pipe (which hung an import); in a bundle folder, a link
/// there is followed only when it stays inside it (as a detail file's,
/// decision 42).
fn open_listing(listing: &Path, bundle: Option<&Path>) -> Result<File> {
    use crate::regular::{Regular, Within};
    match crate::regular::open_listing(listing, bundle).map_err(io_err(listing))? {
        Within::Inside(Regular::File(file)) => Ok(file),
        Within::Inside(Regular::Missing) => Err(io_err(listing)(io::ErrorKind::NotFound.into())),
        Within::Inside(Regular::Not(kind)) => Err(StoreError::InvalidInput(format!(
            "{} is {kind}, not a regular file: EAC Desk reads a P2 listing only from a regular file, and does not open a pipe or device as one; nothing was imported",
            listing.display()
        ))),
        Within::Outside(to) => Err(StoreError::InvalidInput(format!(
            "{} leads outside the bundle folder (to {}): a bundle's files are read only from inside it",
            listing.display(),
            to.display()
        ))),
    }
}

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
        listing,
        details,
        is_folder,
    } = locate(path, opts.details_from.as_deref())?;
    let label = listing.display().to_string();
    let file = open_listing(&listing, is_folder.then_some(path))?;
    let check = CheckOptions::import().with_extended_technologies(opts.allow_extended_technologies);

    /// What the reading thread found besides the EACs it handed over.
    #[derive(Default)]
    struct Found {
        errors: Vec<Violation>,
        /// The first warnings (the report keeps [`MAX_REPORTED`]) and how many.
        warnings: Vec<Violation>,
        warning_count: usize,
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
                        // An id listed twice (rule 7) reads as invalid.
                        f.warn(warnings);
                        if envelope.eac_format != EACDESK_FORMAT_ID {
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
    let mut page = None;
    match found.outcome.take() {
        Some(Ok(summary)) => {
            page = crate::import::page_note(&summary);
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
    report.skipped_differing += envelope_counts.skipped_differing;
    record_envelope_counts(w, &envelope_counts)?;
    report.warning_count += found.warning_count + envelope_counts.warned;
    report.warnings.extend(
        std::mem::take(&mut envelope_counts.warnings)
            .into_iter()
            .map(|w| in_file(w, &label)),
    );
    report
        .warnings
        .extend(found.warnings.into_iter().map(|w| in_file(w, &label)));
    // One page of a longer listing: said first, whatever else is said.
    if let Some(page) = page {
        report.warning_count += 1;
        report.warnings.insert(0, in_file(page, &label));
    }
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

/// The CDS profile a file is read as when no format is given, and why
/// (decision 274, amending decision 23): a folder is a P2 bundle; a
/// listing is P2 when its first EAC is a P2 envelope, which has
/// `eac_data_url` and no `values`; any other listing is P1. `values` is
/// required in P1 and lives in a P2 EAC's detail file, never in its
/// envelope, while extra fields are allowed in both (rule 21): a P1 EAC
/// carrying `eac_data_url` as an extension (EAC Desk's own P1 export of
/// one) stays P1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DetectedProfile {
    /// Read as profile P2 (else P1).
    pub p2: bool,
    /// Why, to follow "read as profile PN: ".
    pub why: &'static str,
    /// Whether the file could well be a listing of the other profile (its
    /// first EAC has `eac_data_url`): a refusal then says how to force it.
    pub other_possible: bool,
    /// Whether the first EAC told (it has `values` or `eac_data_url`), or
    /// the path is a folder: not a guess for want of anything to tell by
    /// (`validate` with the other profile then names this one).
    pub told: bool,
}

/// See [`DetectedProfile`]; only the first EAC of a listing is read.
pub fn detect_profile(path: &Path) -> DetectedProfile {
    if path.is_dir() {
        return DetectedProfile {
            p2: true,
            why: "it is a folder, a P2 bundle",
            other_possible: false,
            told: true,
        };
    }
    // Opened as a regular file (a named pipe is not waited on): what
    // is not one is refused by the reader then.
    let Ok(crate::regular::Regular::File(file)) = crate::regular::open_following(path) else {
        return DetectedProfile {
            p2: false,
            why: "it could not be read to tell",
            other_possible: false,
            told: false,
        };
    };
    // (has `eac_data_url`, has `values`) of the first element that is an
    // object; None when the listing has none.
    let mut first: Option<(bool, bool)> = None;
    let read = eac_model::read_listing_elements(io::BufReader::new(file), |_, element| {
        if let eac_model::strict::Element::Object(fields) = element {
            let has = |key: &str| fields.iter().any(|(k, _)| k == key);
            first = Some((has("eac_data_url"), has("values")));
        }
        Flow::Stop
    });
    let p1 = |why| DetectedProfile {
        p2: false,
        why,
        other_possible: false,
        told: false,
    };
    match first {
        Some((true, false)) => DetectedProfile {
            p2: true,
            why: "its first EAC has `eac_data_url` and no `values`, as a P2 envelope has",
            other_possible: true,
            told: true,
        },
        Some((true, true)) => DetectedProfile {
            other_possible: true,
            told: true,
            ..p1("its first EAC has `values`, as a P1 EAC has (its `eac_data_url` is an extra field)")
        },
        Some((false, true)) => DetectedProfile {
            told: true,
            ..p1("its first EAC has `values`")
        },
        Some((false, false)) => p1("its first EAC has no `eac_data_url`"),
        // The reading stopped inside the first element (it breaks strict
        // JSON: a comment, a key twice): there is an EAC, unread.
        None if matches!(&read, Err(eac_model::ListingError::Malformed(v))
            if v.pointer == "/eacs/0" || v.pointer.starts_with("/eacs/0/")) =>
        {
            p1("its first EAC could not be read to tell by")
        }
        None => p1("it holds no EAC object to tell by"),
    }
}

/// Whether `path` is read as P2 data when no format is given
/// ([`detect_profile`]).
pub fn looks_like_p2(path: &Path) -> bool {
    detect_profile(path).p2
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A named pipe is not waited on to tell which profile it holds (a
    /// plain open blocked until the process was killed): it could not be
    /// read to tell, and the reader then refuses it.
    #[cfg(unix)]
    #[test]
    fn a_named_pipe_is_not_waited_on_to_tell_its_profile() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.json");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        let (sent, got) = std::sync::mpsc::channel();
        std::thread::spawn(move || sent.send(detect_profile(&fifo)));
        let found = got
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("detect_profile waited on the named pipe");
        assert!(!found.p2);
        assert_eq!(found.why, "it could not be read to tell");
    }

    fn detected(text: &str) -> DetectedProfile {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("listing.json");
        std::fs::write(&path, text).unwrap();
        detect_profile(&path)
    }

    /// A P1 EAC with an extra `eac_data_url` (rule 21) is P1: it has
    /// `values`. Before decision 274 any `eac_data_url` made it P2, so EAC
    /// Desk's own P1 export of such an EAC could not be imported again.
    #[test]
    fn the_first_eac_decides_by_values_and_eac_data_url() {
        let p1_with_url =
            r#"{"eacs": [{"cds_eac_id": "a", "values": [], "eac_data_url": "https://x.org/a"}]}"#;
        assert!(!detected(p1_with_url).p2);
        let envelope = r#"{"eacs": [{"cds_eac_id": "a", "eac_data_url": "https://x.org/a"}]}"#;
        assert!(detected(envelope).p2);
        assert!(!detected(r#"{"eacs": [{"cds_eac_id": "a", "values": []}]}"#).p2);
        assert!(!detected(r#"{"eacs": [{"cds_eac_id": "a"}]}"#).p2);
        assert!(!detected(r#"{"eacs": []}"#).p2);
        assert!(!detected("not json").p2);
        let dir = tempfile::tempdir().unwrap();
        assert!(detect_profile(dir.path()).p2);
        assert!(!detect_profile(dir.path()).other_possible);
    }

    /// A listing whose first EAC breaks strict JSON holds an EAC object:
    /// it could not be read, which is what the profile is told by. Before,
    /// the refusal said the file held none.
    #[test]
    fn a_first_eac_that_breaks_strict_json_is_said_to_be_unread() {
        let unread = "its first EAC could not be read to tell by";
        for text in [
            "{\"eacs\": [{\"cds_eac_id\": \"a\", // c\n \"values\": []}]}",
            r#"{"eacs": [{"cds_eac_id": "a", "cds_eac_id": "b", "values": []}]}"#,
            r#"{"eacs": [{"cds_eac_id": "a", "values": [}]}"#,
        ] {
            let found = detected(text);
            assert_eq!((found.p2, found.why), (false, unread), "{text}");
        }
        let none = "it holds no EAC object to tell by";
        for text in [
            r#"{"eacs": []}"#,
            r#"{"eacs": [1]}"#,
            "not json",
            r#"{"x": 1}"#,
        ] {
            assert_eq!(detected(text).why, none, "{text}");
        }
    }
}
