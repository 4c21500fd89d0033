//! Helpers shared by the cross-crate tests: where the fixtures are, how to
//! read a whole document into EACs and findings, temporary stores, and file
//! fingerprints for "nothing was written" checks.
//!
//! Nothing here decides what is right: the expectations live in the fixture
//! files and in the tests that read them.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use eac_model::{
    read_listing, CheckOptions, Eac, EacRead, Flow, ListingChecks, ListingError, ListingWriter,
    Severity, Violation,
};
use eac_store::{NoProgress, Store};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// `tests/fixtures/<rel>`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

/// The working group's examples, copied from `shared/spec/examples/` into
/// `tests/fixtures/spec-examples/` so a clone tests on its own.
pub fn spec_example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/spec-examples")
        .join(name)
}

/// The file's bytes, with the path in the panic message when it is missing.
pub fn read_bytes(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Everything reading a document produced.
#[derive(Debug, Default)]
pub struct ReadAll {
    /// EACs read as valid for the purpose, in document order.
    pub eacs: Vec<Eac>,
    /// Every error and warning: per EAC, listing-wide (rules 1, 7, 10) and
    /// the one that stopped a malformed document (rules 1, 20).
    pub violations: Vec<Violation>,
    /// EACs left out by rule 21 (unknown beneficiary type on import).
    pub ignored: usize,
    /// The document could not be read to the end (rules 1, 20).
    pub malformed: bool,
}

impl ReadAll {
    pub fn errors(&self) -> Vec<&Violation> {
        self.violations.iter().filter(|v| v.is_error()).collect()
    }
    pub fn warnings(&self) -> Vec<&Violation> {
        self.violations.iter().filter(|v| !v.is_error()).collect()
    }
}

/// Reads a whole listing the way `eacdesk validate` (or an importer) sees it:
/// `read_listing` with `opts`, then the listing-wide checks (unique ids,
/// P1 order) over the EACs that read as valid.
pub fn read_all(bytes: &[u8], opts: CheckOptions) -> ReadAll {
    let mut out = ReadAll::default();
    let mut listing = ListingChecks::default();
    let summary = read_listing(bytes, opts, |index, outcome| {
        let base = format!("/eacs/{index}");
        match outcome {
            EacRead::Valid { eac, warnings } => {
                out.violations.extend(warnings);
                out.violations.extend(listing.check(&eac, &base));
                out.eacs.push(*eac);
            }
            EacRead::Ignored { warnings } => {
                out.ignored += 1;
                out.violations.extend(warnings);
            }
            EacRead::Invalid { violations } => out.violations.extend(violations),
        }
        Flow::Continue
    });
    match summary {
        Ok(s) => out.violations.extend(s.violations),
        Err(ListingError::Malformed(v)) => {
            out.malformed = true;
            out.violations.push(v);
        }
        Err(e) => panic!("reading stopped unexpectedly: {e}"),
    }
    out
}

/// The canonical text of a listing holding `eacs` in the given order.
pub fn write_listing<'a>(eacs: impl IntoIterator<Item = &'a Eac>) -> Vec<u8> {
    let mut w = ListingWriter::begin(Vec::new()).expect("writing to memory");
    for eac in eacs {
        w.write_item(eac).expect("writing to memory");
    }
    w.finish().expect("writing to memory")
}

/// A store in its own temporary folder; the folder goes when this is dropped.
pub struct TempStore {
    pub store: Store,
    pub dir: tempfile::TempDir,
}

impl TempStore {
    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("eacs.sqlite")
    }

    /// A path in the store's temporary folder (for exports).
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// Opens a new, empty store at `<tempdir>/eacs.sqlite`.
pub fn temp_store() -> TempStore {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let store = Store::open(&dir.path().join("eacs.sqlite")).expect("a new store opens");
    TempStore { store, dir }
}

/// Imports `path` with default options, panicking with the error if refused.
pub fn import_ok(store: &mut Store, path: &Path) -> eac_store::FileImportReport {
    store
        .import_file(path, eac_store::ImportOptions::default(), &NoProgress)
        .unwrap_or_else(|e| panic!("import of {} refused: {e}\n{e:#?}", path.display()))
}

/// Exports everything as P1 to `dest` and returns the file's text.
pub fn export_all(store: &Store, dest: &Path) -> String {
    store
        .export_p1(None, dest, &NoProgress)
        .unwrap_or_else(|e| panic!("export refused: {e}\n{e:#?}"));
    String::from_utf8(read_bytes(dest)).expect("exports are UTF-8")
}

/// SHA-256 of a file, hex.
pub fn sha256_file(path: &Path) -> String {
    hex::encode(Sha256::digest(read_bytes(path)))
}

/// Names of the entries of a folder, sorted.
pub fn folder_entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| {
            e.expect("a folder entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// A line diff of two texts for assertion messages (only differing lines,
/// with line numbers), so a failed byte-for-byte comparison is readable.
pub fn line_diff(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.split_inclusive('\n').collect();
    let a: Vec<&str> = actual.split_inclusive('\n').collect();
    let mut out = String::new();
    let mut shown = 0;
    for i in 0..e.len().max(a.len()) {
        let (el, al) = (e.get(i), a.get(i));
        if el != al {
            if shown == 40 {
                out.push_str("… (more differences)\n");
                break;
            }
            shown += 1;
            let _ = writeln!(out, "line {}:", i + 1);
            if let Some(l) = el {
                let _ = writeln!(out, "  - {:?}", l);
            }
            if let Some(l) = al {
                let _ = writeln!(out, "  + {:?}", l);
            }
        }
    }
    if out.is_empty() && expected != actual {
        out.push_str("(texts differ only in a way lines do not show)\n");
    }
    out
}

/// Asserts two texts are identical, showing a line diff when they are not.
#[track_caller]
pub fn assert_same_text(what: &str, expected: &str, actual: &str) {
    if expected != actual {
        panic!(
            "{what}: texts differ (- expected, + actual)\n{}",
            line_diff(expected, actual)
        );
    }
}

// ---------------------------------------------------------------------------
// The rule fixtures' manifest, `tests/fixtures/rules/cases.json`.

/// One expected finding: a rule, its severity and where it points.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    pub rule: u8,
    pub severity: Severity,
    pub pointer: String,
    /// For documents that cannot be parsed: where the parser stopped.
    #[serde(default)]
    pub line: Option<u64>,
    #[serde(default)]
    pub column: Option<u64>,
}

impl Expected {
    /// Same rule, severity and pointer, and the same line/column when given.
    pub fn matches(&self, v: &Violation) -> bool {
        v.rule == self.rule
            && v.severity == self.severity
            && v.pointer == self.pointer
            && self.line.is_none_or(|l| v.line == Some(l))
            && self.column.is_none_or(|c| v.column == Some(c))
    }
}

impl std::fmt::Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{kind} (rule {}) at {:?}", self.rule, self.pointer)?;
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, " {l}:{c}")?;
        }
        Ok(())
    }
}

/// What importing a case file into a store should do.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportExpectation {
    /// Refused as a whole (`StoreError::Rules`), nothing written.
    pub refused: bool,
    /// Refused: exactly these errors (warnings may accompany them).
    /// Accepted: at least these warnings in the report.
    pub findings: Vec<Expected>,
    /// Accepted: EACs added.
    #[serde(default)]
    pub added: usize,
    /// Accepted: EACs left out by rule 21.
    #[serde(default)]
    pub ignored: usize,
    /// Import with `allow_extended_technologies` (digest §f.5).
    #[serde(default)]
    pub allow_extended_technologies: bool,
}

/// One case of `cases.json`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleCase {
    pub file: String,
    /// The digest §d rules this case is about.
    pub rules: Vec<u8>,
    /// What the file shows, in the spec's words.
    pub about: String,
    /// `read_listing` + `CheckOptions::validate()` + `ListingChecks`: exactly
    /// these errors and warnings.
    pub validate: Vec<Expected>,
    pub import: ImportExpectation,
}

#[derive(Debug, Deserialize)]
struct Manifest {
    cases: Vec<RuleCase>,
}

/// The cases of `tests/fixtures/rules/cases.json`, in file order.
pub fn rule_cases() -> Vec<RuleCase> {
    let path = fixture("rules/cases.json");
    let manifest: Manifest = serde_json::from_slice(&read_bytes(&path))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    manifest.cases
}

/// Compares findings with expectations as sets; returns a readable report of
/// what is missing and what is unexpected, or `None` when they agree.
/// `extra_allowed` lets unexpected findings of that severity pass.
pub fn compare_findings(
    expected: &[Expected],
    actual: &[&Violation],
    extra_allowed: Option<Severity>,
) -> Option<String> {
    let missing: Vec<&Expected> = expected
        .iter()
        .filter(|e| !actual.iter().any(|v| e.matches(v)))
        .collect();
    let unexpected: Vec<&&Violation> = actual
        .iter()
        .filter(|v| Some(v.severity) != extra_allowed)
        .filter(|v| !expected.iter().any(|e| e.matches(v)))
        .collect();
    if missing.is_empty() && unexpected.is_empty() {
        return None;
    }
    let mut out = String::new();
    for e in missing {
        let _ = writeln!(out, "  missing:    {e}");
    }
    for v in unexpected {
        let _ = writeln!(
            out,
            "  unexpected: {v}  (pointer {:?}, line {:?}, column {:?})",
            v.pointer, v.line, v.column
        );
    }
    Some(out)
}
