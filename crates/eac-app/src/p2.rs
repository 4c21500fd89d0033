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
use eac_model::{CheckOptions, Eac, Flow, ListingError, Rule, Violation};
use eac_store::p2::{check_detail, open_detail, BUNDLE_LISTING, BUNDLE_METADATA, METADATA_CAP};
use eac_store::{BundleReport, EacFilter, Progress, Store};
use jsonschema::{Draft, Registry, Validator};
use serde_json::value::RawValue;
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
/// the instance path. The document's numbers are stand-ins (see
/// `schema_instance`), so a message never quotes one: a number is "the
/// number", a part holding numbers "the object" or "the array" (the
/// readers of files quote the literal as written, see [`SchemaFinding`]).
pub fn schema_violations(kind: SchemaKind, instance: &Value) -> Vec<Violation> {
    schema_findings(kind, instance, &|_| None)
        .into_iter()
        .map(|f| f.violation)
        .collect()
}

/// What the schema found at one place, and where a rule error would
/// already say the same (the schema's finding is then not reported: see
/// [`RuleErrors`]).
#[derive(Debug, Clone)]
pub(crate) struct SchemaFinding {
    pub(crate) violation: Violation,
    /// A missing member (`required`): the rules say so at the member,
    /// `/name` after the finding's own pointer.
    member: Option<String>,
    /// The engine cannot say which part below the place is wrong (`oneOf`,
    /// `anyOf`, `not`, `uniqueItems`, `contains`): a rule error anywhere
    /// below it (`start` without `end`, a beneficiary listed twice) has
    /// said what.
    within: bool,
}

/// The places of the rule errors already reported, which schema findings
/// must not repeat.
#[derive(Default)]
pub(crate) struct RuleErrors {
    at: HashSet<String>,
    /// Every place above one in `at`.
    above: HashSet<String>,
}

impl RuleErrors {
    pub(crate) fn of<'v>(errors: impl IntoIterator<Item = &'v Violation>) -> Self {
        let mut places = RuleErrors::default();
        for v in errors {
            let mut pointer = v.pointer.as_str();
            places.at.insert(pointer.to_owned());
            while let Some(cut) = pointer.rfind('/') {
                pointer = &pointer[..cut];
                if !places.above.insert(pointer.to_owned()) {
                    break;
                }
            }
        }
        places
    }

    /// Whether `finding` only repeats a rule error: one at the same place,
    /// at the member it says is missing, or below a place the engine
    /// cannot say more of.
    pub(crate) fn repeated_by(&self, finding: &SchemaFinding) -> bool {
        let pointer = &finding.violation.pointer;
        self.at.contains(pointer)
            || finding
                .member
                .as_ref()
                .is_some_and(|m| self.at.contains(&format!("{pointer}{m}")))
            || (finding.within && self.above.contains(pointer))
    }
}

/// The schema's findings on `instance`; `literal` gives the text a number
/// at an instance pointer was written as (`None`: not known).
fn schema_findings(
    kind: SchemaKind,
    instance: &Value,
    literal: &dyn Fn(&str) -> Option<String>,
) -> Vec<SchemaFinding> {
    let validator = validator(kind);
    // Most documents are valid: the quick yes/no first, the errors (the
    // same ones) only for a document that is not.
    if validator.is_valid(instance) {
        return Vec::new();
    }
    validator
        .iter_errors(instance)
        .map(|e| {
            use jsonschema::error::ValidationErrorKind as K;
            let rule = match e.kind() {
                K::Enum { .. } | K::Constant { .. } => Rule::Enumerations,
                _ => Rule::RequiredKeys,
            };
            let (member, within) = match e.kind() {
                K::Required { property } => (
                    property
                        .as_str()
                        .map(|name| format!("/{}", eac_model::pointer_token(name))),
                    false,
                ),
                K::AnyOf { .. }
                | K::OneOfNotValid { .. }
                | K::OneOfMultipleValid { .. }
                | K::Not { .. }
                | K::UniqueItems
                | K::Contains => (None, true),
                _ => (None, false),
            };
            let pointer = e.instance_path().to_string();
            let message = engine_message(&e, &pointer, literal);
            SchemaFinding {
                // The engine quotes the instance: capped like every quote.
                violation: Violation::error(
                    rule,
                    pointer,
                    format!("schema: {}", eac_model::cap(&message, 200)),
                ),
                member,
                within,
            }
        })
        .collect()
}

/// The engine's message, never quoting a stand-in: a number is shown as
/// written in the file (`literal`), a part holding numbers is named in
/// words ("the object is not valid under any of the schemas listed in the
/// 'oneOf' keyword"; the pointer says which).
fn engine_message(
    e: &jsonschema::ValidationError<'_>,
    pointer: &str,
    literal: &dyn Fn(&str) -> Option<String>,
) -> String {
    let instance: &Value = e.instance();
    match instance {
        Value::Number(_) => {
            let shown =
                literal(pointer).map_or_else(|| "the number".to_owned(), |l| eac_model::quote(&l));
            e.masked_with(shown).to_string()
        }
        Value::Array(_) if holds_number(instance) => e.masked_with("the array").to_string(),
        Value::Object(_) if holds_number(instance) => e.masked_with("the object").to_string(),
        _ => e.to_string(),
    }
}

fn holds_number(value: &Value) -> bool {
    match value {
        Value::Number(_) => true,
        Value::Array(items) => items.iter().any(holds_number),
        Value::Object(members) => members.values().any(holds_number),
        _ => false,
    }
}

/// The JSON pointer's reference tokens, unescaped (RFC 6901).
fn pointer_tokens(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// The text of the value at `tokens` inside the JSON text `text` (a
/// repeated key: its last member, as the schema engine's map holds it).
fn text_at<'t>(text: &'t str, tokens: &[String]) -> Option<&'t str> {
    let Some((first, rest)) = tokens.split_first() else {
        return Some(text.trim());
    };
    let inner: &'t RawValue = match text.trim_start().as_bytes().first()? {
        b'{' => serde_json::from_str::<std::collections::HashMap<String, &'t RawValue>>(text)
            .ok()?
            .get(first)
            .copied()?,
        b'[' => serde_json::from_str::<Vec<&'t RawValue>>(text)
            .ok()?
            .get(first.parse::<usize>().ok()?)
            .copied()?,
        _ => return None,
    };
    text_at(inner.get(), rest)
}

/// Where the text of an element or document is, for the literals its
/// findings quote.
pub(crate) enum Source<'s> {
    /// The JSON text.
    Text(&'s str),
    /// An object's members as read (a repeated key: the last one counts).
    Members(&'s [(std::borrow::Cow<'s, str>, &'s RawValue)]),
}

impl Source<'_> {
    /// The number literal at `pointer` (relative to this element).
    fn literal(&self, pointer: &str) -> Option<String> {
        let tokens = pointer_tokens(pointer);
        let text = match self {
            Source::Text(text) => text_at(text, &tokens)?,
            Source::Members(members) => {
                let (first, rest) = tokens.split_first()?;
                let (_, raw) = members.iter().rev().find(|(k, _)| k == first)?;
                text_at(raw.get(), rest)?
            }
        };
        // Only a number: anything else was never a stand-in.
        matches!(text.as_bytes().first(), Some(b'-' | b'0'..=b'9')).then(|| text.to_owned())
    }
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
    Ok(listing_schema_findings(kind, path)?
        .into_iter()
        .map(|f| f.violation)
        .collect())
}

/// [`listing_schema_violations`] with what each finding repeats.
pub(crate) fn listing_schema_findings(
    kind: SchemaKind,
    path: &Path,
) -> Result<Vec<SchemaFinding>, AppError> {
    let file = File::open(path).map_err(|e| AppError::io(path, &e))?;
    listing_schema_findings_in(kind, file, path)
}

/// [`listing_schema_findings`] of a listing already open; `path` names it.
fn listing_schema_findings_in(
    kind: SchemaKind,
    file: impl std::io::Read,
    path: &Path,
) -> Result<Vec<SchemaFinding>, AppError> {
    let mut schema = ListingSchema::new(kind);
    let outcome =
        eac_model::read::read_array_borrowed(file, "eacs", |index, el| schema.check(index, &el));
    match outcome {
        Err(ListingError::Io(e)) => Err(AppError::io(path, &e)),
        // Malformed JSON is reported by the rule reader (rule 20).
        _ => Ok(schema.into_findings()),
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
    out: Vec<SchemaFinding>,
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
                        return self.judge(index, tape.element_value(), &Source::Text(text));
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
        match element {
            BorrowedElement::Object(fields) => {
                let mut map = serde_json::Map::new();
                let mut unreadable = false;
                for (k, raw) in fields {
                    match schema_instance(raw.get()) {
                        Ok(v) => {
                            map.insert(k.to_string(), v);
                        }
                        // Nested past serde_json's depth limit: said plainly
                        // rather than shown as a null, and left out where
                        // the rules name the place below (a member nested
                        // past 64 levels is a rule 20 error at its own
                        // pointer, decision 58).
                        Err(e) => {
                            unreadable = true;
                            self.out.push(SchemaFinding {
                                violation: Violation::error(
                                    Rule::StrictJson,
                                    format!("/eacs/{index}/{}", eac_model::pointer_token(k)),
                                    format!(
                                        "could not be checked against the schema: {}",
                                        without_place(&e)
                                    ),
                                )
                                .with_eac(eac_model::read::element_id(element).as_deref()),
                                member: None,
                                within: true,
                            });
                        }
                    }
                }
                // Without that member the schema would call it missing: the
                // EAC is refused already, for the real cause.
                if unreadable {
                    return;
                }
                self.judge(index, Value::Object(map), &Source::Members(fields));
            }
            BorrowedElement::Other(_) => self.judge(index, Value::Null, &Source::Text("null")),
        }
    }

    /// The schema's findings on one element's value, located at its index
    /// and naming its EAC; `source` holds the element's numbers as written.
    fn judge(&mut self, index: usize, item: Value, source: &Source<'_>) {
        let id = item
            .get("cds_eac_id")
            .and_then(Value::as_str)
            .map(str::to_owned);
        // `{"eacs": [item], "next": null, "previous": null}`, built by moving
        // the element in (no copy).
        let mut doc = serde_json::Map::new();
        doc.insert("eacs".to_owned(), Value::Array(vec![item]));
        doc.insert("next".to_owned(), Value::Null);
        doc.insert("previous".to_owned(), Value::Null);
        let literal = |pointer: &str| {
            let rest = pointer.strip_prefix("/eacs/0")?;
            source.literal(rest)
        };
        for mut f in schema_findings(self.kind, &Value::Object(doc), &literal) {
            let v = &mut f.violation;
            if let Some(rest) = v.pointer.strip_prefix("/eacs/0") {
                v.pointer = format!("/eacs/{index}{rest}");
            }
            f.violation = f.violation.with_eac(id.as_deref());
            self.out.push(f);
        }
    }

    pub(crate) fn into_findings(self) -> Vec<SchemaFinding> {
        self.out
    }
}

/// serde_json's message without the line and column it appends: those
/// count in one member's text, not in the file.
fn without_place(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let text = match text.rfind(" at line ") {
        Some(at) if e.line() > 0 => &text[..at],
        _ => &text,
    };
    if text == "recursion limit exceeded" {
        "it nests arrays and objects more than 128 levels deep".to_owned()
    } else {
        text.to_owned()
    }
}

/// Schema errors of a whole small document (detail file, metadata).
fn document_schema_findings(kind: SchemaKind, text: &str) -> Vec<SchemaFinding> {
    let Ok(text) = eac_model::strict::utf8_text(text) else {
        // The rule reader names the encoding (rule 20).
        return Vec::new();
    };
    match schema_instance(text) {
        Ok(doc) => schema_findings(kind, &doc, &|pointer| Source::Text(text).literal(pointer)),
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
    validate_p2_checked(
        path,
        allow_extended_technologies,
        details_from,
        progress,
        total,
        None,
    )
}

/// What checking an evidence pack's bundle learns of one envelope's
/// detail file ([`validate_pack_bundle`]).
pub(crate) enum PackDetail<'a> {
    /// Read and checked against its envelope: the EAC it holds, and the
    /// detail file's path as found.
    Read(&'a Eac, &'a str),
    /// Not in the bundle's own `eacs/` folder (where it belongs, given):
    /// no violation is reported for it, the caller says it.
    Missing(&'a Path),
    /// There but refused or broken (the report holds why), or an envelope
    /// of another format.
    Unread,
}

/// An evidence pack's bundle's own files, opened as the pack's files are
/// (regular files, no link followed, security finding 2).
pub(crate) struct BundleFiles {
    /// Its `eacs.json`.
    pub listing: File,
    /// Its `server-metadata.json`, when it has one.
    pub metadata: Option<File>,
}

/// [`validate_p2_reported`] of an evidence pack's bundle folder, its
/// listing and server metadata as opened: its detail files are read
/// from its own `eacs/` folder only, as regular files there and never
/// through a link (its `file:` URIs name where the pack was made,
/// decision 111), a missing one is no violation but handed to `each` (a
/// pack's manifest names what is missing), and `each` gets every
/// envelope's detail as read.
pub(crate) fn validate_pack_bundle(
    path: &Path,
    opened: BundleFiles,
    progress: &dyn Progress,
    total: Option<u64>,
    each: &mut dyn FnMut(&eac_model::p2::EacEnvelope, PackDetail),
) -> Result<ValidationReport, AppError> {
    validate_p2_checked(path, true, None, progress, total, Some((each, opened)))
}

/// What [`validate_pack_bundle`] hands each envelope and its detail to.
type PackHook<'h> = &'h mut dyn FnMut(&eac_model::p2::EacEnvelope, PackDetail);

fn validate_p2_checked(
    path: &Path,
    allow_extended_technologies: bool,
    details_from: Option<&Path>,
    progress: &dyn Progress,
    total: Option<u64>,
    pack: Option<(PackHook, BundleFiles)>,
) -> Result<ValidationReport, AppError> {
    use std::io::Seek as _;
    let (mut pack, opened) = match pack {
        Some((hook, opened)) => (Some(hook), Some(opened)),
        None => (None, None),
    };
    let mut cancelled = false;
    let mut source = eac_store::p2::locate(path, details_from)?;
    if pack.is_some() {
        source.details = source.details.own_only();
    }
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
    let read = match &opened {
        Some(BundleFiles {
            metadata: Some(file),
            ..
        }) => {
            let mut from_start = file;
            match from_start.rewind() {
                Ok(()) => metadata_capped(file, &metadata_path)?,
                Err(e) => Err(e),
            }
        }
        Some(_) => Err(std::io::ErrorKind::NotFound.into()),
        None => read_metadata(&metadata_path, beside, source.details.in_bundle())?,
    };
    let metadata: Option<ServerMetadata> = match read {
        Ok(bytes) => match eac_model::strict::utf8_document(&bytes) {
            Ok(text) => {
                // The rules first, then the schema where they found
                // nothing at the same place (decision 281), as for the
                // listing and the detail files.
                let (metadata, found) = match read_server_metadata(text) {
                    Ok(m) => (Some(m), Vec::new()),
                    Err(vs) => (None, vs),
                };
                let covered = RuleErrors::of(found.iter().filter(|v| v.is_error()));
                found
                    .into_iter()
                    .for_each(|v| report.push(v.with_file(&metadata_label)));
                for f in document_schema_findings(SchemaKind::ServerMetadata, text) {
                    if !covered.repeated_by(&f) {
                        report.push(f.violation.with_file(&metadata_label));
                    }
                }
                metadata
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

    // The schema, then the rules: two readings of the listing.
    let schema_errors;
    let file: Box<dyn std::io::Read + '_> = match &opened {
        Some(opened) => {
            let again = || {
                let mut file = &opened.listing;
                file.rewind()
                    .map(|()| file)
                    .map_err(|e| AppError::io(&listing, &e))
            };
            schema_errors = listing_schema_findings_in(SchemaKind::P2Listing, again()?, &listing)?;
            Box::new(again()?)
        }
        None => {
            let mut file = open_listing(&listing, is_folder.then_some(beside))?;
            schema_errors = listing_schema_findings_in(SchemaKind::P2Listing, &file, &listing)?;
            file.rewind().map_err(|e| AppError::io(&listing, &e))?;
            Box::new(file)
        }
    };
    // Rule 7 is judged by the reader, for every envelope.
    let mut checks = P2ListingChecks::order_only();
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
            if envelope.eac_format != EACDESK_FORMAT_ID {
                if let Some(each) = pack.as_mut() {
                    each(&envelope, PackDetail::Unread);
                }
                return;
            }
            if let Some(each) = pack.as_mut() {
                let own = source.details.own_file(&envelope.eac_data_url);
                if let Some(own) = own.filter(|f| {
                    fs::symlink_metadata(f).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
                }) {
                    each(&envelope, PackDetail::Missing(&own));
                    return;
                }
            }
            let read = check_detail_file(
                &envelope,
                &source.details,
                &listing_label,
                &at,
                opts,
                report,
            );
            if let Some(each) = pack.as_mut() {
                match &read {
                    Some((eac, label)) => each(&envelope, PackDetail::Read(eac, label)),
                    None => each(&envelope, PackDetail::Unread),
                }
            }
        })
    });
    if cancelled {
        return Err(AppError::cancelled());
    }
    report.finish_listing(&listing, outcome, schema_errors)
}

/// Where a bundle's own file may be: "the bundle folder", or the folder
/// of a listing validated on its own.
fn folder_words(in_bundle: bool) -> &'static str {
    if in_bundle {
        "the bundle folder"
    } else {
        "the listing's folder"
    }
}

/// The `server-metadata.json` at `path` in `folder`, read as a regular
/// file only: a link there is followed only when it stays inside the
/// folder (as a detail file's, decision 42), a named pipe or device is not
/// opened, and a file of more than [`METADATA_CAP`] is not read; each is
/// refused, naming what is there. `Ok(Err)`: not there, or not readable.
fn read_metadata(
    path: &Path,
    folder: &Path,
    in_bundle: bool,
) -> Result<std::io::Result<Vec<u8>>, AppError> {
    use eac_store::regular::{open_within, Regular, Within};
    let shown = path.display();
    let file = match open_within(path, folder) {
        Ok(Within::Inside(Regular::File(file))) => file,
        Ok(Within::Inside(Regular::Missing)) => {
            return Ok(Err(std::io::ErrorKind::NotFound.into()))
        }
        // A folder there cannot be read, and says so (an I/O failure).
        Ok(Within::Inside(Regular::Not("a folder"))) => {
            return Ok(Err(std::io::ErrorKind::IsADirectory.into()))
        }
        Ok(Within::Inside(Regular::Not(kind))) => {
            return Err(AppError::invalid_input(format!(
                "{shown} is {kind}, not a regular file: EAC Desk reads {BUNDLE_METADATA} only from a regular file in {}, and does not open a pipe or device or follow a link leading out; nothing was validated",
                folder_words(in_bundle)
            )));
        }
        Ok(Within::Outside(to)) => {
            return Err(AppError::invalid_input(format!(
                "{shown} leads outside {} (to {}): a bundle's files are read only from inside it; nothing was validated",
                folder_words(in_bundle),
                to.display()
            )));
        }
        Err(e) => return Ok(Err(e)),
    };
    metadata_capped(&file, path)
}

/// The bytes of the opened `server-metadata.json` at `path`, read to at
/// most [`METADATA_CAP`] (a pack's bundle and a plain one alike): a larger
/// file is refused as none EAC Desk reads.
fn metadata_capped(
    file: &std::fs::File,
    path: &Path,
) -> Result<std::io::Result<Vec<u8>>, AppError> {
    match eac_store::regular::read_capped(file, METADATA_CAP) {
        Ok(Some(bytes)) => Ok(Ok(bytes)),
        Ok(None) => Err(AppError::invalid_input(format!(
            "{} is larger than {} MiB: it is not a {BUNDLE_METADATA} EAC Desk reads (one is a few KB); nothing was validated",
            path.display(),
            METADATA_CAP >> 20
        ))),
        Err(e) => Ok(Err(e)),
    }
}

/// The P2 listing at `path`, opened as a regular file without waiting on
/// a pipe; in a bundle (`bundle`), a link there is followed only when it
/// stays inside it.
fn open_listing(path: &Path, bundle: Option<&Path>) -> Result<File, AppError> {
    use eac_store::regular::{Regular, Within};
    match eac_store::regular::open_listing(path, bundle).map_err(|e| AppError::io(path, &e))? {
        Within::Inside(Regular::File(file)) => Ok(file),
        Within::Inside(Regular::Missing) => Err(AppError::invalid_input(format!(
            "{}: no P2 listing ({BUNDLE_LISTING}) to validate",
            path.display()
        ))),
        Within::Inside(Regular::Not(kind)) => Err(AppError::invalid_input(format!(
            "{} is {kind}, not a regular file: no P2 listing ({BUNDLE_LISTING}) to validate; EAC Desk does not open a pipe or device as one",
            path.display()
        ))),
        Within::Outside(to) => Err(AppError::invalid_input(format!(
            "{} leads outside the bundle folder (to {}): a bundle's files are read only from inside it",
            path.display(),
            to.display()
        ))),
    }
}

/// One detail file, read once (from inside the allowed folders only, as an
/// import reads it): the rules, then the schema where the rules found
/// nothing at the same place. The EAC it holds, when it was read and
/// agrees with its envelope, and the file's path as found.
fn check_detail_file(
    envelope: &eac_model::p2::EacEnvelope,
    folders: &eac_store::p2::DetailFolders,
    listing: &str,
    at: &str,
    opts: CheckOptions,
    report: &mut ValidationReport,
) -> Option<(Eac, String)> {
    let detail = match open_detail(envelope, folders, at) {
        Ok(detail) => detail,
        Err(refusal) => {
            report.push(refusal);
            return None;
        }
    };
    let (eac, found) = match check_detail(envelope, &detail, listing, at, opts) {
        Ok((eac, warnings)) => (Some(eac), warnings),
        Err(violations) => (None, violations),
    };
    let covered = RuleErrors::of(
        found
            .iter()
            .filter(|v| v.is_error() && v.file.as_deref() == Some(detail.label.as_str())),
    );
    found.into_iter().for_each(|v| report.push(v));
    // A file that is not UTF-8 text was reported by the rules (rule 20).
    let text = detail.text().unwrap_or_default();
    for f in document_schema_findings(SchemaKind::Eac, text) {
        if !covered.repeated_by(&f) {
            let v = f.violation;
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
    eac.map(|eac| (eac, detail.label))
}

/// Writes the EACs matching `filter` (all when `None`) as a P2 bundle folder
/// at `dest`: `eac_data_url`s under `base_url` (an https URL where the
/// bundle will be published) or, without one, `file:` URIs of the folder.
/// The bundle is validated (schemas and every rule) while still hidden and
/// appears complete or not at all; an earlier bundle at `dest` is replaced
/// only on success.
/// A written bundle is recorded in the audit log (a database-level
/// `export` record) in the write that swaps it into place, so the store
/// must be open for writing; a server role
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
    let (mut report, unplaced) = store
        .export_p2_unplaced(filter, dest, base_url, progress, &check)
        .map_err(|e| crate::export::nothing_exported(dest, failed.or(dest, e)))?;
    crate::export::place(store, unplaced, recorded, dest)?;
    if !recorded {
        report.not_recorded = Some(crate::export::not_recorded_reason(store));
    }
    Ok(report)
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

/// [`verify_eacs`], not a dry run, refused (`invalid_input`,
/// `details.unconfirmed`: the count; nothing marked) when it finds more
/// EACs in its own write than `confirmed` allows.
pub fn verify_eacs_confirmed(
    store: &mut Store,
    filter: &EacFilter,
    reason: Option<&str>,
    confirmed: eac_store::Confirmed,
    progress: &dyn Progress,
) -> Result<eac_store::VerifyReport, AppError> {
    let reason = eac_store::Reason::optional(reason)?;
    let user = eac_store::os_user();
    Ok(store.mark_verified_confirmed(filter, reason.as_ref(), &user, confirmed, progress)?)
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

/// What [`verify_eac`] would do, writing nothing (the reason is checked
/// as the real run checks it): one EAC, or `not_found`.
pub fn verify_eac_dry_run(
    store: &mut Store,
    cds_eac_id: &str,
    reason: Option<&str>,
) -> Result<eac_store::VerifyReport, AppError> {
    eac_store::Reason::optional(reason)?;
    Ok(store.mark_verified_id_dry_run(cds_eac_id)?)
}

/// EACs known only by their P2 envelope (no values), in P2 order, one page.
pub fn envelope_only(
    store: &Store,
    offset: usize,
    limit: usize,
) -> Result<Vec<eac_store::EnvelopeOnlyRow>, AppError> {
    Ok(store.envelope_only(offset, limit)?)
}

/// The envelope-only EAC of this exact id, if the database holds one.
pub fn envelope_only_eac(
    store: &Store,
    cds_eac_id: &str,
) -> Result<Option<eac_store::EnvelopeOnlyRow>, AppError> {
    Ok(store.envelope_only_eac(cds_eac_id)?)
}

/// How many envelope-only EACs the database holds (an unfiltered export
/// takes them too).
pub fn envelope_only_count(store: &Store) -> Result<usize, AppError> {
    Ok(store.envelope_only_count()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use eac_model::ExportProfile;
    use std::path::PathBuf;

    fn example(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/spec-examples")
            .join(name)
    }

    /// One P1 EAC whose value object is `value` (JSON text).
    fn listing_with_value(value: &str) -> String {
        format!(
            r#"{{"eacs": [{{
  "cds_eac_id": "x-01", "cds_created": "2024-02-10T00:00:00Z", "cds_modified": "2024-02-10T00:00:00Z",
  "eac_number": "N-001", "source_id": "REG-1", "source_name": "Registry One",
  "destination_id": "UTIL-1", "destination_name": "Demo Utility",
  "beneficiary_type": "general", "beneficiaries": [], "asset_id": "AP1",
  "asset_origination": "region", "asset_destination": "grid", "technology_type": "wind",
  "emissions_factor_direct": 0, "emissions_factor_lca": 0.011,
  "period_start": "2024-01-01T00:00:00Z", "period_end": "2024-02-01T00:00:00Z",
  "values": [{value}]
}}], "next": null, "previous": null}}"#
        )
    }

    fn validate_text(text: &str) -> ValidationReport {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("listing.json");
        fs::write(&path, text).unwrap();
        crate::validate_file(&path, ExportProfile::P1, false).unwrap()
    }

    fn messages(report: &ValidationReport) -> String {
        report
            .errors
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The schema engine sees stand-ins for numbers (decision 37); its
    /// message quotes the number as the file has it.
    #[test]
    fn a_schema_message_quotes_the_number_as_written() {
        // The repeated key stops the rules at the value object, so the
        // schema's minimum is what says the value is negative.
        let report = validate_text(&listing_with_value(
            r#"{"eac_number": null, "issued": "2024-03-05", "retired": null,
                "start": "2024-01-01T00:00:00Z", "end": "2024-02-01T00:00:00Z",
                "unit": "MWh", "unit": "MWh", "value": -3.75}"#,
        ));
        let all = messages(&report);
        let minimum = report
            .errors
            .iter()
            .find(|v| v.pointer == "/eacs/0/values/0/value")
            .unwrap_or_else(|| panic!("{all}"));
        assert_eq!(
            minimum.message,
            "schema: -3.75 is less than the minimum of 0"
        );
        assert_eq!(minimum.cds_eac_id.as_deref(), Some("x-01"));
        assert!(!all.contains("-0.5"), "{all}");
    }

    /// Every way an element reaches the schema (its text on a tape, its
    /// members as read, a detail file's text) quotes numbers as written,
    /// and a part holding numbers in words.
    #[test]
    fn every_reading_quotes_numbers_as_written() {
        let element = r#"{"cds_eac_id": "x", "values": [{"value": -3.750e0, "unit": 7}]}"#;
        let repeated =
            r#"{"cds_eac_id": "x", "values": [{"value": -3.750e0, "unit": 7, "unit": 7}]}"#;
        for text in [element, repeated] {
            let mut schema = ListingSchema::new(SchemaKind::P1Listing);
            schema.check_item(4, SchemaItem::Text(text));
            let found: Vec<Violation> = schema
                .into_findings()
                .into_iter()
                .map(|f| f.violation)
                .collect();
            let at = |pointer: &str| {
                found
                    .iter()
                    .find(|v| v.pointer == pointer)
                    .unwrap_or_else(|| panic!("{pointer}: {found:#?}"))
                    .message
                    .clone()
            };
            assert_eq!(
                at("/eacs/4/values/0/value"),
                "schema: -3.750e0 is less than the minimum of 0"
            );
            assert_eq!(
                at("/eacs/4/values/0/unit"),
                r#"schema: 7 is not of type "string""#
            );
            assert!(found.iter().all(|v| v.cds_eac_id.as_deref() == Some("x")));
            for v in &found {
                assert!(
                    !v.message.contains("-0.5") && !v.message.contains(":1"),
                    "{v}"
                );
            }
        }
        let detail = r#"{"cds_eac_id": "x", "values": [{"value": -3.75, "unit": "MWh"}], "beneficiaries": [1, 1]}"#;
        let found = document_schema_findings(SchemaKind::Eac, detail);
        let text: Vec<String> = found.iter().map(|f| f.violation.to_string()).collect();
        assert!(
            text.iter()
                .any(|m| m.contains("/values/0/value") && m.contains("-3.75 is less than")),
            "{text:#?}"
        );
        assert!(
            text.iter()
                .any(|m| m.contains("schema: the array has non-unique elements")),
            "{text:#?}"
        );
        assert!(text.iter().all(|m| !m.contains("-0.5")), "{text:#?}");
        // Without the file's text a number is named, never a stand-in shown.
        let v = schema_violations(
            SchemaKind::Eac,
            &serde_json::json!({"values": [{"value": -0.5}]}),
        );
        assert!(
            v.iter()
                .any(|v| v.message == "schema: the number is less than the minimum of 0"),
            "{v:#?}"
        );
    }

    /// A schema finding that only repeats a rule error is not reported
    /// again: `oneOf` over a value whose `start` the rules refused, a
    /// `required` member the rules said is missing.
    #[test]
    fn schema_findings_that_repeat_a_rule_error_are_left_out() {
        let report = validate_text(&listing_with_value(
            r#"{"eac_number": null, "issued": "2024-03-05", "retired": null,
                "start": null, "end": "2024-02-01T00:00:00Z", "unit": "MWh", "value": 30}"#,
        ));
        let all = messages(&report);
        assert_eq!(report.errors.len(), 1, "{all}");
        assert_eq!(report.errors[0].rule, 11, "{all}");
        assert!(!all.contains(r#""value":1"#), "{all}");

        let text = listing_with_value(
            r#"{"eac_number": null, "issued": "2024-03-05", "retired": null,
                "start": null, "end": null, "unit": "MWh", "value": 30}"#,
        )
        .replace(r#""asset_id": "AP1","#, "");
        let report = validate_text(&text);
        let all = messages(&report);
        assert_eq!(report.errors.len(), 1, "{all}");
        assert_eq!(report.errors[0].pointer, "/eacs/0/asset_id", "{all}");
    }

    /// Only a rule error at the place, at the missing member, or (for what
    /// the engine cannot narrow down) below it covers a finding.
    #[test]
    fn what_a_rule_error_covers() {
        let rules = [Violation::error(
            Rule::RequiredKeys,
            "/eacs/0/values/0/start",
            "x",
        )];
        let covered = RuleErrors::of(&rules);
        let finding = |pointer: &str, member: Option<&str>, within: bool| SchemaFinding {
            violation: Violation::error(Rule::RequiredKeys, pointer, "y"),
            member: member.map(str::to_owned),
            within,
        };
        assert!(covered.repeated_by(&finding("/eacs/0/values/0/start", None, false)));
        assert!(covered.repeated_by(&finding("/eacs/0/values/0", None, true)));
        assert!(covered.repeated_by(&finding("/eacs/0", None, true)));
        assert!(covered.repeated_by(&finding("/eacs/0/values/0", Some("/start"), false)));
        assert!(!covered.repeated_by(&finding("/eacs/0/values/0", None, false)));
        assert!(!covered.repeated_by(&finding("/eacs/0/values/0", Some("/end"), false)));
        assert!(!covered.repeated_by(&finding("/eacs/0/values/1", None, true)));
        assert!(!covered.repeated_by(&finding("/eacs/0/values/0/start/x", None, true)));
    }

    /// The schema's findings on a listing name the EAC of the element.
    #[test]
    fn listing_findings_name_their_eac() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("eacs.json");
        let text = fs::read_to_string(example("good-p2-meeting-0926.json"))
            .unwrap()
            .replacen(
                "https://demoutility.com/eacs/static/aaaaa.pdf",
                "https://x.org/a[1]|b^c.pdf",
                1,
            );
        fs::write(&path, text).unwrap();
        let found = listing_schema_violations(SchemaKind::P2Listing, &path).unwrap();
        assert!(
            found.iter().any(|v| v.pointer == "/eacs/0/eac_data_url"
                && v.cds_eac_id.as_deref() == Some("99999999-dk1")),
            "{found:#?}"
        );
    }

    fn desk(dir: &Path) -> Store {
        let mut store = Store::open(&dir.join("desk.sqlite")).unwrap();
        store
            .import_file(
                &example("good-p1-overview-monthly.json"),
                eac_store::ImportOptions::default(),
                &eac_store::NoProgress,
            )
            .unwrap();
        store
    }

    /// A folder named with any character gets a bundle whose `file:` URLs
    /// the schemas take: it validates and imports again.
    #[test]
    fn a_bundle_in_a_folder_named_with_any_character_validates() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = desk(dir.path());
        let dest = dir.path().join("FY2024 [final] |^%#?é");
        export_p2(&mut store, None, &dest, None, &eac_store::NoProgress).unwrap();
        let report = validate_p2(&dest, false).unwrap();
        assert!(report.is_valid(), "{report:#?}");
        let listing = fs::read_to_string(dest.join(BUNDLE_LISTING)).unwrap();
        assert!(listing.contains("FY2024%20%5Bfinal%5D%20%7C%5E%25%23%3F%C3%A9/eacs/"));
        let mut again = Store::open(&dir.path().join("again.sqlite")).unwrap();
        let imported = crate::import_files(
            &mut again,
            &[dest],
            eac_store::ImportOptions::default(),
            &eac_store::NoProgress,
        );
        assert_eq!(imported.files[0].added, 1, "{imported:#?}");
    }

    /// The errors of validating the bundle exported from `dir`'s desk
    /// after `edit` changed its server metadata (as JSON).
    fn metadata_errors(dir: &Path, edit: impl FnOnce(&mut Value)) -> Vec<String> {
        let dest = dir.join("bundle");
        if !dest.exists() {
            let mut store = desk(dir);
            export_p2(&mut store, None, &dest, None, &eac_store::NoProgress).unwrap();
        }
        let path = dest.join(BUNDLE_METADATA);
        let kept = fs::read_to_string(&path).unwrap();
        let mut metadata: Value = serde_json::from_str(&kept).unwrap();
        edit(&mut metadata);
        fs::write(&path, serde_json::to_string_pretty(&metadata).unwrap()).unwrap();
        let report = validate_p2(&dest, false).unwrap();
        fs::write(&path, kept).unwrap();
        report
            .errors
            .iter()
            .map(|v| format!("{} {} {}", v.rule, v.pointer, v.message))
            .collect()
    }

    /// Server metadata is judged as the listing and the detail files are
    /// (decision 281): a schema finding where a rule error already says
    /// it is left out, so one bad value is one error.
    #[test]
    fn a_bad_server_metadata_value_is_one_error() {
        let dir = tempfile::tempdir().unwrap();
        type Edit = fn(&mut Value);
        let cases: [(&str, Edit, &str); 6] = [
            (
                "documentation",
                |m| m["cds_eac_formats"][EACDESK_FORMAT_ID]["documentation"] = "FORMAT.md".into(),
                "2 /cds_eac_formats/eacdesk_eac_json_v1/documentation `documentation` must be an absolute URL, found `FORMAT.md`: it needs a scheme (`https:`, `file:`…) and, for http(s), `//` and a host",
            ),
            (
                "missing version",
                |m| drop(m.as_object_mut().unwrap().remove("cds_customerdata_version")),
                "2 /cds_customerdata_version required field `cds_customerdata_version` is missing",
            ),
            (
                "v2",
                |m| m["cds_customerdata_version"] = "v2".into(),
                r#"18 /cds_customerdata_version `cds_customerdata_version` must be "v1", found "v2""#,
            ),
            (
                "null api",
                |m| m["cds_eacs_api"] = Value::Null,
                "2 /cds_eacs_api `cds_eacs_api` must be an absolute URL (or left out), found null",
            ),
            (
                "numeric description",
                |m| m["cds_eac_formats"][EACDESK_FORMAT_ID]["description"] = 5.into(),
                "2 /cds_eac_formats/eacdesk_eac_json_v1/description `description` must be a string, found a number",
            ),
            (
                "formats as an array",
                |m| m["cds_eac_formats"] = serde_json::json!([]),
                "2 /cds_eac_formats `cds_eac_formats` must be an object mapping format ids to descriptions",
            ),
        ];
        for (case, edit, error) in cases {
            assert_eq!(metadata_errors(dir.path(), edit), [error], "{case}");
        }
    }

    /// Rule 20's 64 levels (decision 58) hold inside a format description
    /// as at the top of the metadata file.
    #[test]
    fn server_metadata_nested_too_deep_is_refused_anywhere() {
        let dir = tempfile::tempdir().unwrap();
        let deep = |n: usize| -> Value {
            serde_json::from_str(&format!("{}{}", "[".repeat(n), "]".repeat(n))).unwrap()
        };
        for n in [65, 100] {
            let errors = metadata_errors(dir.path(), |m| {
                m["cds_eac_formats"][EACDESK_FORMAT_ID]["x_deep"] = deep(n)
            });
            assert_eq!(errors.len(), 1, "{errors:#?}");
            assert!(
                errors[0].starts_with("20 /cds_eac_formats/eacdesk_eac_json_v1/x_deep "),
                "{errors:#?}"
            );
            let errors = metadata_errors(dir.path(), |m| m["x_top"] = deep(n));
            assert_eq!(errors.len(), 1, "{errors:#?}");
            assert!(errors[0].starts_with("20 /x_top "), "{errors:#?}");
        }
        assert!(metadata_errors(dir.path(), |_| {}).is_empty());
    }

    /// A base URL the schemas would refuse is refused before anything is
    /// read or written, naming the base URL.
    #[test]
    fn a_base_url_that_is_no_uri_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = desk(dir.path());
        let dest = dir.path().join("out");
        let before: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        for base in [
            "https://example.org/a[1]/",
            "https://example.org/a|b^c/",
            "http://example.org/a/",
            "https://analyst:S3cret@example.com/eacs/",
        ] {
            let e =
                export_p2(&mut store, None, &dest, Some(base), &eac_store::NoProgress).unwrap_err();
            assert_eq!(e.code, crate::ErrorCode::InvalidInput, "{base}: {e:?}");
            assert!(e.message.starts_with("the base URL `"), "{}", e.message);
            assert!(e.message.contains("nothing was written"), "{}", e.message);
            // The app refuses a password as the command line does, masked.
            assert!(!e.message.contains("S3cret"), "{}", e.message);
            assert!(e.violations().is_empty(), "{e:?}");
            let after: Vec<_> = fs::read_dir(dir.path())
                .unwrap()
                .flatten()
                .map(|e| e.file_name())
                .collect();
            assert_eq!(after, before);
        }
        let report = export_p2(
            &mut store,
            None,
            &dest,
            Some("https://example.org/a%5B1%5D"),
            &eac_store::NoProgress,
        )
        .unwrap();
        assert_eq!(report.eac_count, 1);
    }
}
