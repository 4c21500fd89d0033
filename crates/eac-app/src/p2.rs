//! Profile P2 operations: exporting a bundle folder, validating a P2 listing
//! or bundle (JSON Schemas of `schemas/` plus every rule of digest §d), and
//! the "verified" action.
//!
//! The schemas are checked one EAC at a time (each element wrapped in a
//! one-item listing), so memory stays bounded by one EAC as everywhere else.

use std::collections::HashSet;
use std::fs::{self, File};
use std::path::Path;
use std::sync::OnceLock;

use eac_model::frame::BorrowedElement;
use eac_model::p2::{
    read_p2_listing, read_server_metadata, P2ListingChecks, ServerMetadata, EACDESK_FORMAT_ID,
};
use eac_model::{CheckOptions, Flow, ListingError, Rule, Violation};
use eac_store::p2::{check_detail, open_detail, BUNDLE_LISTING, BUNDLE_METADATA};
use eac_store::{BundleReport, EacFilter, Progress, Store};
use jsonschema::{Draft, Registry, Validator};
use serde_json::Value;

use crate::schema_instance::schema_instance;
use crate::validate::ValidationReport;
use crate::AppError;

const EAC_SCHEMA: &str = include_str!("../../../schemas/eac.schema.json");
const P1_LISTING_SCHEMA: &str = include_str!("../../../schemas/p1-listing.schema.json");
const P2_LISTING_SCHEMA: &str = include_str!("../../../schemas/p2-listing.schema.json");
const METADATA_SCHEMA: &str = include_str!("../../../schemas/server-metadata.schema.json");

/// Which shipped schema a document is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaKind {
    P1Listing,
    P2Listing,
    /// One EAC object with its values (a P2 detail file).
    Eac,
    ServerMetadata,
}

struct Schemas {
    p1: Validator,
    p2: Validator,
    eac: Validator,
    metadata: Validator,
}

fn schemas() -> &'static Schemas {
    static SCHEMAS: OnceLock<Schemas> = OnceLock::new();
    SCHEMAS.get_or_init(|| Schemas {
        eac: build_validator(SchemaKind::Eac),
        p1: build_validator(SchemaKind::P1Listing),
        p2: build_validator(SchemaKind::P2Listing),
        metadata: build_validator(SchemaKind::ServerMetadata),
    })
}

/// The shipped schema of `kind` compiled for the representation `F` (the
/// schemas refer to each other through a registry of all four).
pub(crate) fn build_validator<F: jsonschema::json::Json>(kind: SchemaKind) -> Validator<F> {
    let parse = |text: &str| -> Value { serde_json::from_str(text).expect("a shipped schema") };
    let docs = [
        parse(EAC_SCHEMA),
        parse(P1_LISTING_SCHEMA),
        parse(P2_LISTING_SCHEMA),
        parse(METADATA_SCHEMA),
    ];
    let mut registry = Registry::new();
    for doc in &docs {
        let id = doc["$id"]
            .as_str()
            .expect("every schema has an $id")
            .to_owned();
        registry = registry.add(id, doc.clone()).expect("a shipped schema");
    }
    let registry = registry.prepare().expect("the shipped schemas resolve");
    let doc = match kind {
        SchemaKind::Eac => &docs[0],
        SchemaKind::P1Listing => &docs[1],
        SchemaKind::P2Listing => &docs[2],
        SchemaKind::ServerMetadata => &docs[3],
    };
    jsonschema::options_for::<F>()
        .with_draft(Draft::Draft202012)
        .should_validate_formats(true)
        .with_registry(&registry)
        .build(doc)
        .expect("a shipped schema compiles")
}

/// Checks one parsed document against a shipped schema: each schema error
/// is a rule 2 violation (rule 3 when an enumeration is broken) located at
/// the instance path.
pub fn schema_violations(kind: SchemaKind, instance: &Value) -> Vec<Violation> {
    let validator = validator(kind);
    // Most documents are valid: the quick yes/no first, the errors (the
    // same ones) only for a document that is not.
    if validator.is_valid(instance) {
        return Vec::new();
    }
    validator
        .iter_errors(instance)
        .map(|e| {
            let rule = match e.kind() {
                jsonschema::error::ValidationErrorKind::Enum { .. }
                | jsonschema::error::ValidationErrorKind::Constant { .. } => Rule::Enumerations,
                _ => Rule::RequiredKeys,
            };
            Violation::error(
                rule,
                e.instance_path().to_string(),
                // The engine quotes the instance: capped like every quote.
                format!("schema: {}", eac_model::cap(&e.to_string(), 200)),
            )
        })
        .collect()
}

fn validator(kind: SchemaKind) -> &'static Validator {
    let s = schemas();
    match kind {
        SchemaKind::P1Listing => &s.p1,
        SchemaKind::P2Listing => &s.p2,
        SchemaKind::Eac => &s.eac,
        SchemaKind::ServerMetadata => &s.metadata,
    }
}

/// Schema errors of a listing, checked one element at a time: each element
/// is wrapped in a one-item listing and its errors relocated to its index.
/// Numbers reach the schema engine as stand-ins (see `schema_instance`):
/// a quantity is never judged as a float.
pub fn listing_schema_violations(
    kind: SchemaKind,
    path: &Path,
) -> Result<Vec<Violation>, AppError> {
    let file = File::open(path).map_err(|e| AppError::io(path, &e))?;
    let mut schema = ListingSchema::new(kind);
    let outcome =
        eac_model::read::read_array_borrowed(file, "eacs", |index, el| schema.check(index, &el));
    match outcome {
        Err(ListingError::Io(e)) => Err(AppError::io(path, &e)),
        // Malformed JSON is reported by the rule reader (rule 20).
        _ => Ok(schema.into_violations()),
    }
}

/// An element of a listing on its way to the schema check on another thread.
pub(crate) enum SchemaItem<'t> {
    /// The element's JSON text as framed.
    Text(&'t str),
    /// An element the streaming reader read (see `eac_model::frame`).
    Element(eac_model::strict::Element),
}

/// The schema's findings over a listing's elements, as they are read
/// (`validate` judges each element by the schema and the rules from one
/// reading).
pub(crate) struct ListingSchema {
    kind: SchemaKind,
    out: Vec<Violation>,
}

impl ListingSchema {
    pub(crate) fn new(kind: SchemaKind) -> Self {
        ListingSchema {
            kind,
            out: Vec::new(),
        }
    }

    /// Whether the findings are as many as are reported: later elements
    /// are not checked.
    pub(crate) fn is_full(&self) -> bool {
        self.out.len() >= crate::MAX_REPORTED_VIOLATIONS
    }

    /// Checks the element at `index`; says to stop once full.
    pub(crate) fn check(&mut self, index: usize, element: &BorrowedElement<'_>) -> Flow {
        self.check_element(index, element);
        if self.is_full() {
            Flow::Stop
        } else {
            Flow::Continue
        }
    }

    /// Checks an element sent over from the reading thread: its framed
    /// text (an object's value built from it whole, in one pass, when the
    /// direct builder takes it) or the streaming reader's element.
    pub(crate) fn check_item(&mut self, index: usize, item: SchemaItem<'_>) {
        match item {
            SchemaItem::Text(text) => {
                // Most elements are valid: asked in place first (no value
                // built); one found invalid is judged the long way, whose
                // errors are reported.
                if text.starts_with('{') {
                    if let Some(tape) = crate::schema_tape::Tape::listing(text) {
                        if crate::schema_tape::is_valid(self.kind, &tape) == Some(true) {
                            return;
                        }
                        return self.judge(index, tape.element_value());
                    }
                }
                // Member by member, as every element was before (a member
                // nested too deep is named). The text was parsed already.
                match serde_json::from_str::<BorrowedElement>(text) {
                    Ok(element) => self.check_element(index, &element),
                    Err(_) => unreachable!("a framed element parses again"),
                }
            }
            SchemaItem::Element(element) => {
                self.check_element(index, &BorrowedElement::view(&element));
            }
        }
    }

    fn check_element(&mut self, index: usize, element: &BorrowedElement<'_>) {
        let item = match element {
            BorrowedElement::Object(fields) => {
                let mut map = serde_json::Map::new();
                let mut unreadable = false;
                for (k, raw) in fields {
                    match schema_instance(raw.get()) {
                        Ok(v) => {
                            map.insert(k.to_string(), v);
                        }
                        // Nested past serde_json's depth limit: said plainly
                        // rather than shown as a null.
                        Err(e) => {
                            unreadable = true;
                            self.out.push(Violation::error(
                                Rule::StrictJson,
                                format!("/eacs/{index}/{}", eac_model::pointer_token(k)),
                                format!("could not be checked against the schema: {e}"),
                            ));
                        }
                    }
                }
                // Without that member the schema would call it missing: the
                // EAC is refused already, for the real cause.
                if unreadable {
                    return;
                }
                Value::Object(map)
            }
            BorrowedElement::Other(_) => Value::Null,
        };
        self.judge(index, item);
    }

    /// The schema's findings on one element's value, located at its index.
    fn judge(&mut self, index: usize, item: Value) {
        // `{"eacs": [item], "next": null, "previous": null}`, built by moving
        // the element in (no copy).
        let mut doc = serde_json::Map::new();
        doc.insert("eacs".to_owned(), Value::Array(vec![item]));
        doc.insert("next".to_owned(), Value::Null);
        doc.insert("previous".to_owned(), Value::Null);
        for mut v in schema_violations(self.kind, &Value::Object(doc)) {
            if let Some(rest) = v.pointer.strip_prefix("/eacs/0") {
                v.pointer = format!("/eacs/{index}{rest}");
            }
            self.out.push(v);
        }
    }

    pub(crate) fn into_violations(self) -> Vec<Violation> {
        self.out
    }
}

/// Schema errors of a whole small document (detail file, metadata).
fn document_schema_violations(kind: SchemaKind, text: &str) -> Vec<Violation> {
    let Ok(text) = eac_model::strict::utf8_text(text) else {
        // The rule reader names the encoding (rule 20).
        return Vec::new();
    };
    match schema_instance(text) {
        Ok(doc) => schema_violations(kind, &doc),
        // The rule reader reports malformed JSON (rule 20).
        Err(_) => Vec::new(),
    }
}

/// Checks a P2 listing file, or a bundle folder (its `eacs.json`,
/// `server-metadata.json` and every detail file), against the schemas and
/// rules 1–22: envelope rules, P2 order (10), declared formats (18) and
/// detail data that exists and is a valid P1 EAC matching its envelope (19).
pub fn validate_p2(
    path: &Path,
    allow_extended_technologies: bool,
) -> Result<ValidationReport, AppError> {
    validate_p2_with(path, allow_extended_technologies, None)
}

/// [`validate_p2`] that may also read detail files from `details_from`
/// (CLI `--details-from`), exactly as an import with that folder would.
pub fn validate_p2_with(
    path: &Path,
    allow_extended_technologies: bool,
    details_from: Option<&Path>,
) -> Result<ValidationReport, AppError> {
    validate_p2_reported(
        path,
        allow_extended_technologies,
        details_from,
        &eac_store::NoProgress,
        None,
    )
}

/// How many envelopes between two progress reports (and cancel checks)
/// of [`validate_p2_reported`].
const REPORT_EVERY: usize = 256;

/// [`validate_p2_with`] reporting the envelopes read as `Phase::PackBundle`
/// of `total` (when known) and stopping with `cancelled` when asked to.
pub(crate) fn validate_p2_reported(
    path: &Path,
    allow_extended_technologies: bool,
    details_from: Option<&Path>,
    progress: &dyn Progress,
    total: Option<u64>,
) -> Result<ValidationReport, AppError> {
    let mut cancelled = false;
    let source = eac_store::p2::locate(path, details_from)?;
    let (listing, is_folder) = (source.listing, source.is_folder);
    // Server metadata: required in a bundle, looked for beside a listing.
    let beside = if is_folder {
        path
    } else {
        path.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    };
    let mut report = ValidationReport::default();
    let listing_label = listing.display().to_string();
    let opts = CheckOptions::validate().with_extended_technologies(allow_extended_technologies);

    let metadata_path = beside.join(BUNDLE_METADATA);
    let metadata_label = metadata_path.display().to_string();
    // Read as bytes: a file in another encoding is named (rule 20), not
    // taken for a missing one.
    let metadata: Option<ServerMetadata> = match fs::read(&metadata_path) {
        Ok(bytes) => match eac_model::strict::utf8_document(&bytes) {
            Ok(text) => {
                for v in document_schema_violations(SchemaKind::ServerMetadata, text) {
                    report.push(v.with_file(&metadata_label));
                }
                match read_server_metadata(text) {
                    Ok(m) => Some(m),
                    Err(vs) => {
                        vs.into_iter()
                            .for_each(|v| report.push(v.with_file(&metadata_label)));
                        None
                    }
                }
            }
            Err(v) => {
                report.push(v.with_file(&metadata_label));
                None
            }
        },
        // A file that is there but cannot be read is an I/O failure, not
        // data breaking rule 18: the command fails (exit 2), naming it.
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(AppError::io(&metadata_path, &e));
        }
        Err(_) if is_folder => {
            report.push(
                Violation::error(
                    Rule::DeclaredFormat,
                    "",
                    format!("the bundle has no {BUNDLE_METADATA}"),
                )
                .with_file(&metadata_label),
            );
            None
        }
        Err(_) => {
            report.push(
                Violation::warning(
                    Rule::DeclaredFormat,
                    "",
                    format!("no {BUNDLE_METADATA} beside the listing: declared formats were not checked"),
                )
                .with_file(&metadata_label),
            );
            None
        }
    };

    if !listing.is_file() {
        return Err(AppError::invalid_input(format!(
            "{}: no P2 listing ({BUNDLE_LISTING}) to validate",
            listing.display()
        )));
    }
    let schema_errors = listing_schema_violations(SchemaKind::P2Listing, &listing)?;
    let file = File::open(&listing).map_err(|e| AppError::io(&listing, &e))?;
    let mut checks = P2ListingChecks::default();
    let outcome = read_p2_listing(file, opts, |index, read_envelope| {
        let read = index + 1;
        if read.is_multiple_of(REPORT_EVERY) {
            if progress.is_cancelled() {
                cancelled = true;
                return Flow::Stop;
            }
            progress.update(eac_store::Phase::PackBundle, read as u64, total);
        }
        report.take(read_envelope, |report, envelope| {
            let at = format!("/eacs/{index}");
            report.extend(checks.check(&envelope, &at));
            let id = Some(envelope.cds_eac_id.as_str());
            if let Some(m) = &metadata {
                if m.format(&envelope.eac_format).is_none() {
                    report.push(
                        Violation::error(
                            Rule::DeclaredFormat,
                            format!("{at}/eac_format"),
                            format!(
                                "`eac_format` `{}` is not declared in `cds_eac_formats`",
                                eac_model::quote(&envelope.eac_format)
                            ),
                        )
                        .with_eac(id),
                    );
                }
            }
            if envelope.eac_format == EACDESK_FORMAT_ID {
                check_detail_file(
                    &envelope,
                    &source.details,
                    &listing_label,
                    &at,
                    opts,
                    report,
                );
            }
        })
    });
    if cancelled {
        return Err(AppError::cancelled());
    }
    report.finish_listing(&listing, outcome, schema_errors)
}

/// One detail file, read once (from inside the allowed folders only, as an
/// import reads it): the rules, then the schema where the rules found
/// nothing at the same place.
fn check_detail_file(
    envelope: &eac_model::p2::EacEnvelope,
    folders: &eac_store::p2::DetailFolders,
    listing: &str,
    at: &str,
    opts: CheckOptions,
    report: &mut ValidationReport,
) {
    let detail = match open_detail(envelope, folders, at) {
        Ok(detail) => detail,
        Err(refusal) => {
            report.push(refusal);
            return;
        }
    };
    let found = match check_detail(envelope, &detail, listing, at, opts) {
        Ok((_, warnings)) => warnings,
        Err(violations) => violations,
    };
    let covered: HashSet<String> = found
        .iter()
        .filter(|v| v.is_error() && v.file.as_deref() == Some(detail.label.as_str()))
        .map(|v| v.pointer.clone())
        .collect();
    found.into_iter().for_each(|v| report.push(v));
    // A file that is not UTF-8 text was reported by the rules (rule 20).
    let text = detail.text().unwrap_or_default();
    for v in document_schema_violations(SchemaKind::Eac, text) {
        if !covered.contains(&v.pointer) {
            let v = Violation {
                message: format!(
                    "{} (detail file of the envelope at {at} in {listing})",
                    v.message
                ),
                ..v
            };
            report.push(
                v.with_eac(Some(&envelope.cds_eac_id))
                    .with_file(&detail.label),
            );
        }
    }
}

/// Writes the EACs matching `filter` (all when `None`) as a P2 bundle folder
/// at `dest`: `eac_data_url`s under `base_url` (an https URL where the
/// bundle will be published) or, without one, `file:` URIs of the folder.
/// The bundle is validated (schemas and every rule) while still hidden and
/// appears complete or not at all; an earlier bundle at `dest` is replaced
/// only on success.
/// A written bundle is recorded in the audit log (a database-level
/// `export` record), so the store must be open for writing; a server role
/// that reads only gets the bundle unrecorded, and `not_recorded` says so
/// (see [`crate::export::export`]).
pub fn export_p2(
    store: &mut Store,
    filter: Option<&EacFilter>,
    dest: &Path,
    base_url: Option<&str>,
    progress: &dyn Progress,
) -> Result<BundleReport, AppError> {
    let recorded = store.may_record(eac_store::RecordedOutput::Export)?;
    let failed = crate::export::CheckFailed::default();
    let check = |root: &Path| failed.errors(validate_p2(root, true));
    let mut report = store
        .export_p2_checked(filter, dest, base_url, progress, &check)
        .map_err(|e| crate::export::nothing_exported(dest, failed.or(e)))?;
    if recorded {
        crate::export::record_export(store, "P2", &report.path, &report.sha256, report.eac_count)?;
    } else {
        report.not_recorded = Some(crate::export::not_recorded_reason(store));
    }
    Ok(report)
}

/// The P2 bundle of an evidence pack: built at `dest` inside the pack's
/// hidden folder, its `file:` URIs naming `published`, where it will be;
/// checked as every bundle. Not recorded (the pack is).
pub(crate) fn export_p2_published(
    store: &Store,
    filter: Option<&EacFilter>,
    dest: &Path,
    published: &Path,
    progress: &dyn Progress,
) -> Result<BundleReport, AppError> {
    let failed = crate::export::CheckFailed::default();
    let check = |root: &Path| failed.errors(validate_p2(root, true));
    store
        .export_p2_published(filter, dest, published, progress, &check)
        .map_err(|e| crate::export::nothing_exported(dest, failed.or(e)))
}

/// Records that the EACs matching `filter` (no filter: every EAC, the
/// envelope-only ones too) were checked against their source just now:
/// `cds_synced` = one clock reading, and one `verify` audit record per EAC
/// (who, when, before/after), all in one transaction; cancellable through
/// `progress`. `reason` is optional (default "checked against its source");
/// a dry run only counts, for a confirmation naming the number.
pub fn verify_eacs(
    store: &mut Store,
    filter: &EacFilter,
    reason: Option<&str>,
    dry_run: bool,
    progress: &dyn Progress,
) -> Result<eac_store::VerifyReport, AppError> {
    let reason = eac_store::Reason::optional(reason)?;
    Ok(store.mark_verified(
        filter,
        reason.as_ref(),
        &eac_store::os_user(),
        dry_run,
        progress,
    )?)
}

/// [`verify_eacs`] for one EAC (or envelope-only EAC) by its exact id
/// (`not_found` if unknown).
pub fn verify_eac(
    store: &mut Store,
    cds_eac_id: &str,
    reason: Option<&str>,
) -> Result<eac_store::VerifyReport, AppError> {
    let reason = eac_store::Reason::optional(reason)?;
    Ok(store.mark_verified_id(cds_eac_id, reason.as_ref(), &eac_store::os_user())?)
}

/// EACs known only by their P2 envelope (no values), in P2 order, one page.
pub fn envelope_only(
    store: &Store,
    offset: usize,
    limit: usize,
) -> Result<Vec<eac_store::EnvelopeOnlyRow>, AppError> {
    Ok(store.envelope_only(offset, limit)?)
}
