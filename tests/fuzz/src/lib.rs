//! Structure-aware fuzzing of every reader of EAC Desk on stable Rust: P1
//! listings, P2 listings (and their server metadata), P2 detail files and
//! reference data. Valid files (the fixtures, EAC Desk's own exports, sample
//! data and the regression corpus) are mutated — numbers, timestamps,
//! strings, keys, array items, types, nesting, bytes — and each input is
//! checked against what a user relies on:
//!
//! - no reader, validation, import or export panics;
//! - `validate` and import agree (what one accepts the other accepts, apart
//!   from the documented differences: missing emission factors, listing
//!   order, unknown beneficiary types, P2 server metadata);
//! - a refused import leaves the database empty;
//! - an accepted input exports (P1 listing or P2 bundle), the export holds
//!   exactly the EACs read, and export → import → export is byte-identical;
//! - accepted reference data is stored as read.
//!
//! Every input comes from (seed, iteration) alone, so a finding printed with
//! both is reproduced with `--seed S --iteration I`. This crate only drives
//! the public operations of `eac-app` and `eac-store` on real SQLite files
//! in a scratch folder; it never changes them.

pub mod mutate;
pub mod tree;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Once;

use eac_app::{
    AppError, EacFilter, ExportProfile, ImportOptions, ImportOutcome, NoProgress, Store,
};
use eac_model::p2::{read_p2_listing, EnvelopeRead, EACDESK_FORMAT_ID};
use eac_model::refdata::{read_refdata, RefDocument};
use eac_model::{read_listing, CheckOptions, Eac, EacRead, Flow, Violation};

use mutate::Rng;
use tree::Json;

/// Where the bundles the fuzzer exports say they will be published.
const BASE_URL: &str = "https://example.org/fuzz/";

/// Which reader an input is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    P1,
    P2,
    Detail,
    Refdata,
}

impl Target {
    pub const ALL: [Target; 4] = [Target::P1, Target::P2, Target::Detail, Target::Refdata];

    pub fn name(self) -> &'static str {
        match self {
            Target::P1 => "p1",
            Target::P2 => "p2",
            Target::Detail => "detail",
            Target::Refdata => "refdata",
        }
    }

    pub fn parse(text: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == text)
    }
}

/// One broken property for one input.
#[derive(Debug, Clone)]
pub struct Finding {
    pub target: Target,
    /// The property, in plain words (e.g. "export of an accepted input is refused").
    pub property: &'static str,
    /// What tells this finding from others with the same property (rules,
    /// error code, panic location); digits and paths left out.
    pub kind: String,
    /// Everything needed to understand it.
    pub message: String,
}

impl Finding {
    /// Findings with the same key are the same bug.
    pub fn key(&self) -> String {
        format!("{} | {} | {}", self.target.name(), self.property, self.kind)
    }
}

/// What checking one input found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The input was accepted by import (and so went through the round trip).
    pub accepted: bool,
    pub findings: Vec<Finding>,
}

/// The seeds of every target, read once.
struct Seeds {
    p1: Vec<Vec<u8>>,
    /// The P1 seeds an import accepts (most fixtures break a rule on purpose):
    /// mutations of these reach export and the round trip.
    p1_good: Vec<Vec<u8>>,
    p2: Vec<Vec<u8>>,
    metadata: Vec<Vec<u8>>,
    detail: Vec<Vec<u8>>,
    refdata_json: Vec<Vec<u8>>,
    refdata_csv: Vec<Vec<u8>>,
    p1_trees: Vec<Json>,
    p2_trees: Vec<Json>,
    metadata_trees: Vec<Json>,
    detail_trees: Vec<Json>,
    refdata_trees: Vec<Json>,
    /// The files of a valid bundle (path relative to its folder, bytes).
    bundle: Vec<(PathBuf, Vec<u8>)>,
}

fn trees(docs: &[Vec<u8>]) -> Vec<Json> {
    docs.iter()
        .filter_map(|d| Json::parse(&String::from_utf8_lossy(d)))
        .collect()
}

/// `tests/fixtures`.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// The regression corpus: `corpus/<target>/`, and `corpus/pending/<target>/`
/// for findings not fixed yet.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// The files of a folder, sorted by name (none when it is missing).
pub fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| panic!("cannot read seed {}: {e}", path.display()))
}

fn remove(path: &Path) {
    if path.is_dir() {
        let _ = fs::remove_dir_all(path);
    } else {
        let _ = fs::remove_file(path);
    }
}

/// Removes a database file and its `-wal`/`-shm` companions.
fn remove_db(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = fs::remove_file(PathBuf::from(p));
    }
}

fn open_fresh(path: &Path) -> Store {
    remove_db(path);
    Store::open(path).unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()))
}

thread_local! {
    /// Set while a checked call runs: its panic message is kept, not printed.
    static GUARD: RefCell<Option<Option<String>>> = const { RefCell::new(None) };
}

fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let kept = GUARD.with(|g| {
                let mut g = g.borrow_mut();
                match g.as_mut() {
                    Some(slot) => {
                        let at = info
                            .location()
                            .map(|l| format!("{}:{}", l.file(), l.line()))
                            .unwrap_or_default();
                        *slot = Some(format!("{} at {at}", payload_text(info.payload())));
                        true
                    }
                    None => false,
                }
            });
            if !kept {
                default(info);
            }
        }));
    });
}

fn payload_text(payload: &dyn std::any::Any) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

/// Runs `f`, turning a panic into its message (with its location).
fn guard<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    GUARD.with(|g| *g.borrow_mut() = Some(None));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    let kept = GUARD.with(|g| g.borrow_mut().take()).flatten();
    result.map_err(|payload| kept.unwrap_or_else(|| payload_text(payload.as_ref())))
}

/// The location part of a panic message ("file:line"), digits kept: the
/// same place is the same bug.
/// What went wrong with the export of an accepted input, if anything: a
/// panic or a refusal, as (property, kind, message) of a finding.
fn export_failure<T>(
    exported: Result<Result<T, AppError>, String>,
) -> Option<(&'static str, String, String)> {
    match exported {
        Err(panic) => Some(("export panics", panic_kind(&panic), panic)),
        Ok(Err(e)) => Some((
            "export of an accepted input is refused",
            format!(
                "{} {}",
                e.code,
                e.violations()
                    .first()
                    .map(violation_kind)
                    .unwrap_or_default()
            ),
            app_error_text(&e),
        )),
        Ok(Ok(_)) => None,
    }
}

fn panic_kind(message: &str) -> String {
    message.rsplit(" at ").next().unwrap_or(message).to_owned()
}

/// A short text without digits, for telling findings apart.
fn normalise(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().take(80) {
        if c.is_ascii_digit() {
            if !out.ends_with('#') {
                out.push('#');
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn rules_of<'a>(violations: impl IntoIterator<Item = &'a Violation>) -> String {
    let rules: BTreeSet<u8> = violations.into_iter().map(|v| v.rule).collect();
    let list: Vec<String> = rules.iter().map(|r| format!("rule {r}")).collect();
    list.join(", ")
}

/// What tells one violation's cause from another's: its rule and its
/// message without long quoted values or digits (the same cause in another
/// field is the same finding).
fn violation_kind(v: &Violation) -> String {
    let mut message = String::new();
    let mut rest = v.message.as_str();
    while let Some(start) = rest.find(['"', '`']) {
        let quote = rest.as_bytes()[start] as char;
        message.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find(quote) {
            Some(end) => {
                let inner = &after[..end];
                if inner.chars().count() <= 12 {
                    message.push_str(inner);
                }
                rest = &after[end + 1..];
            }
            None => {
                rest = after;
            }
        }
    }
    message.push_str(rest);
    format!("rule {}: {}", v.rule, normalise(&message))
}

fn describe(violations: &[Violation]) -> String {
    let mut out = String::new();
    for v in violations.iter().take(5) {
        let mut line = v.to_string();
        if line.len() > 400 {
            let mut cut = 400;
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            line.truncate(cut);
            line.push('…');
        }
        out.push_str("\n    ");
        out.push_str(&line);
    }
    if violations.len() > 5 {
        out.push_str(&format!("\n    … and {} more", violations.len() - 5));
    }
    out
}

fn app_error_text(e: &AppError) -> String {
    format!("[{}] {}{}", e.code, e.message, describe(&e.violations()))
}

/// Rules a P1 import tolerates that `validate` (a strict check) refuses:
/// missing emission factors (6), listing order (10), unknown beneficiary
/// types (21, skipped on import).
const P1_IMPORT_ONLY: &[u8] = &[6, 10, 21];
/// The same for a P2 import, which also leaves the server metadata and the
/// declared formats (18) to `validate`.
const P2_IMPORT_ONLY: &[u8] = &[6, 10, 18, 21];

/// The fuzzer: seeds, a scratch folder and the store being imported into.
pub struct Fuzzer {
    work: PathBuf,
    seeds: Seeds,
    store: Store,
    /// Relative paths of the detail files in the seed bundle.
    detail_names: Vec<PathBuf>,
    /// How many databases were opened (each input that got in gets a new one).
    generation: u64,
}

impl Fuzzer {
    /// Prepares the seeds (fixtures, a bundle exported from the canonical
    /// listing, sample data, the corpus) in `work`, a scratch folder that
    /// the fuzzer owns (emptied first).
    pub fn new(work: &Path) -> Fuzzer {
        install_panic_hook();
        remove(work);
        fs::create_dir_all(work).unwrap();
        let work = work.canonicalize().unwrap();
        let fx = fixtures_dir();
        let corpus = corpus_dir();
        let json_files = |dir: PathBuf, contains: &str| -> Vec<Vec<u8>> {
            files_in(&dir)
                .into_iter()
                .filter(|p| {
                    let name = p.file_name().unwrap().to_string_lossy();
                    name.ends_with(".json") && name.contains(contains)
                })
                .map(|p| read(&p))
                .collect()
        };

        // P1: the canonical file, one file per rule, the spec's examples,
        // sample data, the corpus.
        let mut p1 = vec![read(&fx.join("canonical-p1.json"))];
        p1.extend(json_files(fx.join("rules"), "rule-"));
        p1.extend(json_files(fx.join("spec-examples"), "p1"));
        p1.extend(json_files(fx.join("import"), ""));
        for seed in 1..=2u64 {
            let path = work.join(format!("sample-{seed}.json"));
            // The database argument only guards against writing over it.
            let db = work.join("no-database.sqlite");
            eac_app::write_sample_file(&path, 3, seed, &db, &NoProgress).expect("sample data");
            p1.push(read(&path));
        }
        p1.extend(json_files(corpus.join("p1"), ""));

        // A bundle EAC Desk wrote for the canonical listing.
        let seed_db = work.join("seed.sqlite");
        let mut store = open_fresh(&seed_db);
        let report = eac_app::import_files(
            &mut store,
            &[fx.join("canonical-p1.json")],
            ImportOptions::default(),
            &NoProgress,
        );
        assert_eq!(
            report.files[0].outcome,
            ImportOutcome::Imported,
            "{report:#?}"
        );
        let seed_bundle = work.join("seed-bundle");
        eac_app::export_p2(&mut store, None, &seed_bundle, Some(BASE_URL), &NoProgress)
            .expect("the canonical listing exports as a bundle");
        drop(store);
        remove_db(&seed_db);
        let mut bundle = Vec::new();
        let mut detail_names = Vec::new();
        for p in files_in(&seed_bundle) {
            bundle.push((p.strip_prefix(&seed_bundle).unwrap().to_owned(), read(&p)));
        }
        for p in files_in(&seed_bundle.join("eacs")) {
            let rel = p.strip_prefix(&seed_bundle).unwrap().to_owned();
            detail_names.push(rel.clone());
            bundle.push((rel, read(&p)));
        }
        remove(&seed_bundle);
        let bundle_file = |name: &str| {
            bundle
                .iter()
                .find(|(p, _)| p == Path::new(name))
                .map(|(_, b)| b.clone())
                .unwrap()
        };

        let mut p2 = vec![bundle_file("eacs.json")];
        p2.extend(json_files(fx.join("p2"), "listing"));
        p2.extend(json_files(fx.join("spec-examples"), "p2"));
        let mut metadata = vec![bundle_file("server-metadata.json")];
        metadata.extend(json_files(fx.join("p2"), "metadata"));
        let mut detail: Vec<Vec<u8>> = detail_names
            .iter()
            .map(|n| bundle_file(&n.to_string_lossy()))
            .collect();
        detail.extend(json_files(fx.join("p2"), "detail"));
        for p in files_in(&corpus.join("p2")) {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with("metadata~") {
                metadata.push(read(&p));
            } else {
                p2.push(read(&p));
            }
        }
        detail.extend(json_files(corpus.join("detail"), ""));

        let mut refdata_json = json_files(fx.join("refdata"), "");
        let mut refdata_csv: Vec<Vec<u8>> = files_in(&fx.join("refdata"))
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "csv"))
            .map(|p| read(&p))
            .collect();
        for p in files_in(&corpus.join("refdata")) {
            if p.extension().is_some_and(|e| e == "csv") {
                refdata_csv.push(read(&p));
            } else {
                refdata_json.push(read(&p));
            }
        }

        let p1_good = p1
            .iter()
            .filter(|b| {
                let mut clean = true;
                let read = read_listing(b.as_slice(), CheckOptions::import(), |_, r| {
                    clean &= !matches!(r, EacRead::Invalid { .. });
                    Flow::Continue
                });
                clean && read.is_ok_and(|s| s.violations.iter().all(|v| !v.is_error()))
            })
            .cloned()
            .collect();
        let seeds = Seeds {
            p1_good,
            p1_trees: trees(&p1),
            p2_trees: trees(&p2),
            metadata_trees: trees(&metadata),
            detail_trees: trees(&detail),
            refdata_trees: trees(&refdata_json),
            p1,
            p2,
            metadata,
            detail,
            refdata_json,
            refdata_csv,
            bundle,
        };
        let store = open_fresh(&work.join("a-0.sqlite"));
        Fuzzer {
            work,
            seeds,
            store,
            detail_names,
            generation: 0,
        }
    }

    /// How many seed documents each target starts from.
    pub fn seed_counts(&self) -> Vec<(Target, usize)> {
        let s = &self.seeds;
        vec![
            (Target::P1, s.p1.len()),
            (Target::P2, s.p2.len() + s.metadata.len()),
            (Target::Detail, s.detail.len()),
            (Target::Refdata, s.refdata_json.len() + s.refdata_csv.len()),
        ]
    }

    /// A fresh empty database for the next input (a new file each time, the
    /// old one removed once closed).
    fn reset_store(&mut self) {
        self.generation += 1;
        let fresh = open_fresh(&self.work.join(format!("a-{}.sqlite", self.generation)));
        let old = std::mem::replace(&mut self.store, fresh);
        let old_path = old.path().to_owned();
        drop(old);
        remove_db(&old_path);
    }

    /// The path of the input of `target` inside the scratch folder (a file,
    /// or the bundle folder for P2 and detail inputs).
    pub fn input_path(&self, target: Target) -> PathBuf {
        match target {
            Target::P1 => self.work.join("input.json"),
            Target::P2 | Target::Detail => self.work.join("bundle"),
            Target::Refdata => self.work.join("refdata-input"),
        }
    }

    /// Writes the seed bundle into the scratch folder, `replace` files changed.
    fn write_bundle(&self, replace: &[(PathBuf, Vec<u8>)]) -> PathBuf {
        let dir = self.input_path(Target::P2);
        remove(&dir);
        fs::create_dir_all(dir.join("eacs")).unwrap();
        for (rel, bytes) in &self.seeds.bundle {
            let bytes = replace
                .iter()
                .find(|(r, _)| r == rel)
                .map_or(bytes, |(_, b)| b);
            fs::write(dir.join(rel), bytes).unwrap();
        }
        dir
    }

    /// Builds the input of one iteration and checks it.
    pub fn iteration(&mut self, target: Target, seed: u64, iteration: u64) -> Outcome {
        let mut rng = Rng::for_iteration(seed, iteration);
        let s = &self.seeds;
        match target {
            Target::P1 => {
                let base = if rng.chance(3, 4) {
                    rng.pick(&s.p1_good).clone()
                } else {
                    rng.pick(&s.p1).clone()
                };
                let bytes = mutate::mutate_document(&mut rng, &base, &s.p1_trees);
                self.check_p1_bytes(&bytes)
            }
            Target::P2 => {
                let (rel, bytes) = if rng.chance(3, 4) {
                    let base = rng.pick(&s.p2).clone();
                    let m = mutate::mutate_document(&mut rng, &base, &s.p2_trees);
                    ("eacs.json", m)
                } else {
                    let base = rng.pick(&s.metadata).clone();
                    let m = mutate::mutate_document(&mut rng, &base, &s.metadata_trees);
                    ("server-metadata.json", m)
                };
                let listing_only = rng.chance(1, 4);
                self.check_bundle_with(&[(PathBuf::from(rel), bytes)], listing_only)
            }
            Target::Detail => {
                let i = rng.below(self.detail_names.len());
                let rel = self.detail_names[i].clone();
                let base = if rng.chance(2, 3) {
                    s.detail[i].clone()
                } else {
                    rng.pick(&s.detail).clone()
                };
                let bytes = mutate::mutate_document(&mut rng, &base, &s.detail_trees);
                self.check_bundle_with(&[(rel, bytes)], false)
            }
            Target::Refdata => {
                let bytes = if rng.chance(1, 4) && !s.refdata_csv.is_empty() {
                    let base = rng.pick(&s.refdata_csv).clone();
                    mutate::mutate_csv(&mut rng, &base)
                } else {
                    let base = rng.pick(&s.refdata_json).clone();
                    mutate::mutate_document(&mut rng, &base, &s.refdata_trees)
                };
                self.check_refdata_bytes(&bytes)
            }
        }
    }

    /// Checks a corpus file of `target` (as the mutated inputs are checked).
    pub fn check_corpus_file(&mut self, target: Target, path: &Path) -> Outcome {
        let bytes = read(path);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        match target {
            Target::P1 => self.check_p1_bytes(&bytes),
            Target::P2 if name.starts_with("metadata~") => {
                self.check_bundle_with(&[(PathBuf::from("server-metadata.json"), bytes)], false)
            }
            Target::P2 => self.check_bundle_with(&[(PathBuf::from("eacs.json"), bytes)], false),
            Target::Detail => {
                // `<detail file name>~<what it shows>.json` replaces that file.
                let rel = name
                    .split_once('~')
                    .map(|(file, _)| PathBuf::from("eacs").join(file))
                    .filter(|rel| self.detail_names.contains(rel))
                    .unwrap_or_else(|| self.detail_names[0].clone());
                self.check_bundle_with(&[(rel, bytes)], false)
            }
            Target::Refdata => self.check_refdata_bytes(&bytes),
        }
    }

    /// Copies the current input of `target` (file or bundle folder) to `dest`.
    pub fn save_input(&self, target: Target, dest: &Path) -> std::io::Result<()> {
        let src = self.input_path(target);
        if src.is_dir() {
            copy_dir(&src, dest)
        } else {
            fs::create_dir_all(dest)?;
            fs::copy(&src, dest.join(src.file_name().unwrap())).map(drop)
        }
    }

    // ---- P1 listings ----

    pub fn check_p1_bytes(&mut self, bytes: &[u8]) -> Outcome {
        let path = self.input_path(Target::P1);
        fs::write(&path, bytes).unwrap();
        let mut out = Outcome::default();
        let f = |property, kind: String, message: String| Finding {
            target: Target::P1,
            property,
            kind,
            message,
        };
        let validate = match guard(|| eac_app::validate_file(&path, ExportProfile::P1, false)) {
            Ok(Ok(report)) => Some(report),
            Ok(Err(e)) => {
                out.findings.push(f(
                    "validate fails instead of reporting",
                    e.code.to_string(),
                    app_error_text(&e),
                ));
                None
            }
            Err(panic) => {
                out.findings
                    .push(f("validate panics", panic_kind(&panic), panic));
                None
            }
        };
        let as_p2 = eac_store::p2::looks_like_p2(&path);
        let Some(report) = self.import(&path, &mut out, Target::P1) else {
            return out;
        };
        out.accepted = report.outcome == ImportOutcome::Imported;
        if !as_p2 {
            if let Some(v) = &validate {
                let ignored = ignored_on_import(bytes, false);
                agreement(&mut out, Target::P1, v, &report, P1_IMPORT_ONLY, &ignored);
            }
        }
        if out.accepted {
            if let Some(time) = time_beyond_nanoseconds(bytes, &ignored_on_import(bytes, false)) {
                out.findings.push(f(
                    "an accepted time is changed silently",
                    String::new(),
                    format!("`{time}` has digits beyond nanoseconds that no export keeps"),
                ));
            }
            let expected = if as_p2 {
                None
            } else {
                Some(read_p1_eacs(bytes, CheckOptions::import()))
            };
            self.p1_round_trip(expected, &mut out);
            self.reset_store();
        }
        out
    }

    /// Imports `path` (P1 or P2, as detected) into the store through the
    /// app's import; a panic is a finding. A refused import must leave the
    /// store empty.
    fn import(
        &mut self,
        path: &Path,
        out: &mut Outcome,
        target: Target,
    ) -> Option<eac_app::FileImportReport> {
        let store = &mut self.store;
        let result = guard(|| {
            eac_app::import_files(
                store,
                &[path.to_owned()],
                ImportOptions::default(),
                &NoProgress,
            )
        });
        let report = match result {
            Ok(mut r) => r.files.remove(0),
            Err(panic) => {
                out.findings.push(Finding {
                    target,
                    property: "import panics",
                    kind: panic_kind(&panic),
                    message: panic,
                });
                self.reset_store();
                return None;
            }
        };
        if report.outcome == ImportOutcome::Failed {
            let info = self.store.info().unwrap();
            if info.eac_count != 0 || info.envelope_only_count != 0 {
                out.findings.push(Finding {
                    target,
                    property: "a refused import wrote to the database",
                    kind: String::new(),
                    message: format!("{report:#?}"),
                });
                self.reset_store();
            }
        }
        Some(report)
    }

    /// The filter that leaves out EACs a P1 or P2 export refuses by design
    /// (missing emission factors), or `None` when there are none.
    fn export_filter(&self) -> Option<EacFilter> {
        let missing = EacFilter {
            missing_emissions: Some(true),
            ..EacFilter::default()
        };
        let n = self.store.summary(&missing).unwrap().count;
        (n > 0).then(|| EacFilter {
            missing_emissions: Some(false),
            ..EacFilter::default()
        })
    }

    /// Export, compare with what was read, import the export into a fresh
    /// store, export again, compare bytes.
    fn p1_round_trip(&mut self, expected: Option<Vec<Eac>>, out: &mut Outcome) {
        let f = |property, kind: String, message: String| Finding {
            target: Target::P1,
            property,
            kind,
            message,
        };
        let filter = self.export_filter();
        // Envelope-only EACs (from a P2 listing) block an unfiltered P1 export by design.
        let info = self.store.info().unwrap();
        if info.envelope_only_count > 0 && filter.is_none() {
            return;
        }
        let first = self.work.join("export-1.json");
        let second = self.work.join("export-2.json");
        remove(&first);
        remove(&second);
        let store = &mut self.store;
        let exported = guard(|| {
            eac_app::export(
                store,
                ExportProfile::P1,
                filter.as_ref(),
                &first,
                &NoProgress,
            )
        });
        if let Some(finding) = export_failure(exported) {
            out.findings.push(f(finding.0, finding.1, finding.2));
            return;
        }
        let first_bytes = fs::read(&first).unwrap();
        if let Some(mut expected) = expected {
            if filter.is_some() {
                expected.retain(Eac::has_emission_factors);
            }
            let got = read_p1_eacs(&first_bytes, CheckOptions::validate());
            if let Some(diff) = compare_eacs(expected, got) {
                out.findings
                    .push(f("the export does not hold the EACs read", diff.0, diff.1));
                return;
            }
        }
        let mut again = open_fresh(&self.work.join("b.sqlite"));
        let report = eac_app::import_files(
            &mut again,
            std::slice::from_ref(&first),
            ImportOptions::default(),
            &NoProgress,
        );
        let file = &report.files[0];
        if file.outcome != ImportOutcome::Imported {
            out.findings.push(f(
                "the export does not import again",
                rules_of(&file.violations),
                format!("{:?}{}", file.message, describe(&file.violations)),
            ));
            return;
        }
        match eac_app::export(
            &mut again,
            ExportProfile::P1,
            filter.as_ref(),
            &second,
            &NoProgress,
        ) {
            Err(e) => out.findings.push(f(
                "the re-imported export does not export again",
                e.code.to_string(),
                app_error_text(&e),
            )),
            Ok(_) => {
                let second_bytes = fs::read(&second).unwrap();
                if let Some(diff) = first_difference(&first_bytes, &second_bytes) {
                    out.findings.push(f(
                        "export → import → export is not byte-identical",
                        String::new(),
                        diff,
                    ));
                }
            }
        }
    }

    // ---- P2 bundles: listing, metadata, detail files ----

    /// Writes the seed bundle with `replace` and checks it (as a folder, or
    /// through its listing file when `listing_only`).
    pub fn check_bundle_with(
        &mut self,
        replace: &[(PathBuf, Vec<u8>)],
        listing_only: bool,
    ) -> Outcome {
        let target = if replace.iter().any(|(r, _)| r.starts_with("eacs")) {
            Target::Detail
        } else {
            Target::P2
        };
        let bundle = self.write_bundle(replace);
        let path = if listing_only {
            bundle.join("eacs.json")
        } else {
            bundle.clone()
        };
        let mut out = Outcome::default();
        let f = |property, kind: String, message: String| Finding {
            target,
            property,
            kind,
            message,
        };
        let validate = match guard(|| eac_app::validate_file(&path, ExportProfile::P2, false)) {
            Ok(Ok(report)) => Some(report),
            Ok(Err(e)) => {
                // A listing that is not there (or not a file) is refused by both.
                if e.code != "invalid_input" {
                    out.findings.push(f(
                        "validate fails instead of reporting",
                        e.code.to_string(),
                        app_error_text(&e),
                    ));
                }
                None
            }
            Err(panic) => {
                out.findings
                    .push(f("validate panics", panic_kind(&panic), panic));
                None
            }
        };
        let as_p2 = eac_store::p2::looks_like_p2(&path);
        let Some(report) = self.import(&path, &mut out, target) else {
            return out;
        };
        out.accepted = report.outcome == ImportOutcome::Imported;
        if as_p2 {
            if let Some(v) = &validate {
                let listing = fs::read(bundle.join("eacs.json")).unwrap_or_default();
                let ignored = ignored_on_import(&listing, true);
                agreement(&mut out, target, v, &report, P2_IMPORT_ONLY, &ignored);
            }
        }
        if out.accepted {
            for (_, bytes) in replace {
                let ignored = ignored_on_import(bytes, true);
                if let Some(time) = time_beyond_nanoseconds(bytes, &ignored) {
                    out.findings.push(f(
                        "an accepted time is changed silently",
                        String::new(),
                        format!("`{time}` has digits beyond nanoseconds that no export keeps"),
                    ));
                }
            }
        }
        if out.accepted && as_p2 {
            let expected = read_bundle(&bundle.join("eacs.json"), &bundle);
            self.p2_round_trip(target, expected, &mut out);
        }
        if out.accepted {
            self.reset_store();
        }
        out
    }

    fn p2_round_trip(&mut self, target: Target, expected: BundleContent, out: &mut Outcome) {
        let f = |property, kind: String, message: String| Finding {
            target,
            property,
            kind,
            message,
        };
        let filter = self.export_filter();
        let first = self.work.join("out-1");
        let second = self.work.join("out-2");
        remove(&first);
        remove(&second);
        let store = &mut self.store;
        let exported = guard(|| {
            eac_app::export_p2(store, filter.as_ref(), &first, Some(BASE_URL), &NoProgress)
        });
        if let Some(finding) = export_failure(exported) {
            out.findings.push(f(finding.0, finding.1, finding.2));
            return;
        }
        let mut expected = expected;
        if filter.is_some() {
            expected.eacs.retain(|_, e| e.has_emission_factors());
            // A filter on emission factors leaves envelope-only EACs out.
            expected.envelopes.clear();
        }
        let got = read_bundle(&first.join("eacs.json"), &first);
        if let Some(diff) = compare_bundles(&expected, &got) {
            out.findings
                .push(f("the export does not hold the EACs read", diff.0, diff.1));
            return;
        }
        let mut again = open_fresh(&self.work.join("b.sqlite"));
        let report = eac_app::import_files(
            &mut again,
            std::slice::from_ref(&first),
            ImportOptions::default(),
            &NoProgress,
        );
        let file = &report.files[0];
        if file.outcome != ImportOutcome::Imported {
            out.findings.push(f(
                "the export does not import again",
                rules_of(&file.violations),
                format!("{:?}{}", file.message, describe(&file.violations)),
            ));
            return;
        }
        if let Err(e) = eac_app::export_p2(
            &mut again,
            filter.as_ref(),
            &second,
            Some(BASE_URL),
            &NoProgress,
        ) {
            out.findings.push(f(
                "the re-imported export does not export again",
                e.code.to_string(),
                app_error_text(&e),
            ));
            return;
        }
        if let Some(diff) = compare_bundle_files(&first, &second) {
            out.findings.push(f(
                "export → import → export is not byte-identical",
                String::new(),
                diff,
            ));
        }
    }

    // ---- reference data ----

    pub fn check_refdata_bytes(&mut self, bytes: &[u8]) -> Outcome {
        let path = self.input_path(Target::Refdata);
        fs::write(&path, bytes).unwrap();
        let mut out = Outcome::default();
        let f = |property, kind: String, message: String| Finding {
            target: Target::Refdata,
            property,
            kind,
            message,
        };
        let head = &bytes[..bytes.len().min(4096)];
        let kind = RefDocument::detect(head);
        let model = match kind {
            None => None,
            Some(kind) => {
                let read = guard(|| {
                    let mut entries = Vec::new();
                    read_refdata(bytes, kind, |e| entries.push(e)).map(|_| entries)
                });
                match read {
                    Ok(r) => Some(r),
                    Err(panic) => {
                        out.findings
                            .push(f("the reader panics", panic_kind(&panic), panic));
                        return out;
                    }
                }
            }
        };
        let store = &mut self.store;
        let imported = match guard(|| {
            eac_app::import_refdata(store, std::slice::from_ref(&path), &NoProgress)
        }) {
            Ok(r) => r,
            Err(panic) => {
                out.findings
                    .push(f("import panics", panic_kind(&panic), panic));
                self.reset_store();
                return out;
            }
        };
        match (&model, &imported) {
            (Some(Ok(entries)), Ok(_)) => {
                out.accepted = true;
                // The last label of an id is the one kept.
                let mut want: BTreeMap<(String, String), String> = BTreeMap::new();
                for e in entries {
                    want.insert((e.kind.to_string(), e.id.clone()), e.label.clone());
                }
                let stored = eac_app::list_refdata(&self.store, None, None, 0).unwrap();
                let got: BTreeMap<(String, String), String> = stored
                    .into_iter()
                    .map(|e| ((e.beneficiary_type.to_string(), e.id), e.label))
                    .collect();
                if want != got {
                    let missing = want.iter().find(|(k, v)| got.get(*k) != Some(*v));
                    let extra = got.iter().find(|(k, _)| !want.contains_key(*k));
                    out.findings.push(f(
                        "accepted reference data is not stored as read",
                        String::new(),
                        format!(
                            "read {} ids, stored {}; first read and not stored as read: {missing:?}; first stored and not read: {extra:?}",
                            want.len(),
                            got.len()
                        ),
                    ));
                }
            }
            (Some(Ok(entries)), Err(e)) => out.findings.push(f(
                "the reader accepts what the import refuses",
                format!("{} {}", e.code, rules_of(&e.violations())),
                format!("{} entries read; {}", entries.len(), app_error_text(e)),
            )),
            (Some(Err(violations)), Ok(_)) => out.findings.push(f(
                "the import accepts what the reader refuses",
                rules_of(violations),
                describe(violations),
            )),
            (None, Ok(_)) => out.findings.push(f(
                "the import accepts a document of no known kind",
                String::new(),
                String::new(),
            )),
            (read, Err(e)) => {
                // `unreadable`: a document in no reference-data format (decision 393).
                let unreadable = read.is_none() && e.code.as_str() == "unreadable";
                if !unreadable && !matches!(e.code.as_str(), "validation" | "invalid_input") {
                    out.findings.push(f(
                        "refused with an internal error",
                        e.code.to_string(),
                        app_error_text(e),
                    ));
                }
            }
        }
        if imported.is_err() {
            let counts = eac_app::refdata_counts(&self.store).unwrap();
            if !counts.is_empty() {
                out.findings.push(f(
                    "a refused import wrote to the database",
                    String::new(),
                    format!("{counts:?}"),
                ));
            }
        }
        if out.accepted || imported.is_ok() {
            self.reset_store();
        }
        out
    }
}

/// `validate` and import must agree: an input `validate` finds valid is
/// imported; an imported input breaks no rule but those import tolerates
/// (`import_only`), and none in the EACs import skipped (`ignored`, the
/// `/eacs/<i>` of each EAC left out by rule 21).
fn agreement(
    out: &mut Outcome,
    target: Target,
    validate: &eac_app::ValidationReport,
    import: &eac_app::FileImportReport,
    import_only: &[u8],
    ignored: &[String],
) {
    let accepted = import.outcome == ImportOutcome::Imported;
    if validate.is_valid() && !accepted {
        out.findings.push(Finding {
            target,
            property: "validate accepts what import refuses",
            kind: rules_of(&import.violations),
            message: format!("{:?}{}", import.message, describe(&import.violations)),
        });
    }
    if !accepted {
        return;
    }
    let in_ignored = |v: &Violation| {
        ignored
            .iter()
            .any(|at| v.pointer == *at || v.pointer.starts_with(&format!("{at}/")))
    };
    let tolerated = |v: &Violation| {
        import_only.contains(&v.rule)
            || in_ignored(v)
            || (import_only.contains(&18)
                && v.file
                    .as_deref()
                    .is_some_and(|f| f.ends_with("server-metadata.json")))
    };
    // A detail file that breaks only tolerated rules is also reported as
    // "does not parse as a valid EAC" (rule 19) under its envelope.
    let tolerated_files: BTreeSet<&str> = validate
        .errors
        .iter()
        .filter(|v| tolerated(v))
        .filter_map(|v| v.file.as_deref())
        .collect();
    let refused: Vec<Violation> = validate
        .errors
        .iter()
        .filter(|v| !tolerated(v))
        .filter(|v| {
            !(v.rule == 19
                && v.message.ends_with("does not parse as a valid EAC")
                && tolerated_files.iter().any(|f| v.message.starts_with(f)))
        })
        .cloned()
        .collect();
    if !refused.is_empty() {
        out.findings.push(Finding {
            target,
            property: "import accepts what validate refuses",
            kind: violation_kind(&refused[0]),
            message: describe(&refused),
        });
    }
}

/// The `/eacs/<i>` pointers of the EACs (P1) or envelopes (P2) an import
/// leaves out by rule 21.
fn ignored_on_import(bytes: &[u8], p2: bool) -> Vec<String> {
    let mut out = Vec::new();
    let opts = CheckOptions::import();
    if p2 {
        let _ = read_p2_listing(bytes, opts, |i, read| {
            if let EnvelopeRead::Ignored { .. } = read {
                out.push(format!("/eacs/{i}"));
            }
            Flow::Continue
        });
    } else {
        let _ = read_listing(bytes, opts, |i, read| {
            if let EacRead::Ignored { .. } = read {
                out.push(format!("/eacs/{i}"));
            }
            Flow::Continue
        });
    }
    out
}

/// A datetime string in the document with a non-zero digit after the
/// ninth fractional digit: stored as nanoseconds, its instant would change.
/// EACs the import leaves out (`ignored`, rule 21) store nothing.
fn time_beyond_nanoseconds(bytes: &[u8], ignored: &[String]) -> Option<String> {
    let tree = Json::parse(&String::from_utf8_lossy(bytes))?;
    // A listing holds EACs (or envelopes) under `eacs`; a detail file is one EAC.
    match member(&tree, "eacs") {
        Some(Json::Arr(eacs)) => eacs
            .iter()
            .enumerate()
            .filter(|(i, _)| !ignored.contains(&format!("/eacs/{i}")))
            .find_map(|(_, eac)| eac_time_beyond_nanoseconds(eac)),
        _ => eac_time_beyond_nanoseconds(&tree),
    }
}

/// The member `key` of an object.
fn member<'a>(node: &'a Json, key: &str) -> Option<&'a Json> {
    match node {
        Json::Obj(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

/// Only where the model reads an instant: an EAC's (or envelope's) own
/// times and its values' `start`/`end`. Any other string (a version, an
/// unknown member's dates) is kept as written and never re-formatted.
fn eac_time_beyond_nanoseconds(eac: &Json) -> Option<String> {
    let overprecise = |node: Option<&Json>| match node {
        Some(Json::Str(text)) => {
            let (_, fraction) = text.split_once('.')?;
            let digits: String = fraction.chars().take_while(char::is_ascii_digit).collect();
            (digits.len() > 9 && digits[9..].chars().any(|c| c != '0')).then(|| text.clone())
        }
        _ => None,
    };
    let own = [
        "cds_created",
        "cds_modified",
        "cds_synced",
        "period_start",
        "period_end",
    ];
    own.iter()
        .find_map(|key| overprecise(member(eac, key)))
        .or_else(|| match member(eac, "values") {
            Some(Json::Arr(values)) => values.iter().find_map(|v| {
                overprecise(member(v, "start")).or_else(|| overprecise(member(v, "end")))
            }),
            _ => None,
        })
}

/// The EACs a P1 listing holds that read as valid for `opts`.
fn read_p1_eacs(bytes: &[u8], opts: CheckOptions) -> Vec<Eac> {
    let mut eacs = Vec::new();
    let _ = read_listing(bytes, opts, |_, read| {
        if let EacRead::Valid { eac, .. } = read {
            eacs.push(*eac);
        }
        Flow::Continue
    });
    eacs
}

/// An EAC with its extensions' JSON text made compact, so that a listing
/// written in another layout compares equal.
fn normalised(mut eac: Eac) -> String {
    let compact = |ext: &mut eac_model::Extensions| {
        for (_, raw) in ext.0.iter_mut() {
            if let Some(tree) = Json::parse(raw.get()) {
                if let Ok(r) = serde_json::value::RawValue::from_string(tree.to_text(None)) {
                    *raw = r;
                }
            }
        }
    };
    compact(&mut eac.extensions);
    for v in eac.values.iter_mut() {
        compact(&mut v.extensions);
    }
    format!("{eac:?}")
}

/// The first EAC that differs (by id), as (kind, message).
fn compare_eacs(expected: Vec<Eac>, got: Vec<Eac>) -> Option<(String, String)> {
    let by_id = |eacs: Vec<Eac>| -> BTreeMap<String, String> {
        eacs.into_iter()
            .map(|e| (e.cds_eac_id.clone(), normalised(e)))
            .collect()
    };
    compare_maps(&by_id(expected), &by_id(got))
}

fn compare_maps(
    expected: &BTreeMap<String, String>,
    got: &BTreeMap<String, String>,
) -> Option<(String, String)> {
    let ids_e: BTreeSet<&String> = expected.keys().collect();
    let ids_g: BTreeSet<&String> = got.keys().collect();
    if ids_e != ids_g {
        return Some((
            "ids".to_owned(),
            format!(
                "read but not exported: {:?}; exported but not read: {:?}",
                ids_e.difference(&ids_g).take(5).collect::<Vec<_>>(),
                ids_g.difference(&ids_e).take(5).collect::<Vec<_>>()
            ),
        ));
    }
    for (id, e) in expected {
        let g = &got[id];
        if e != g {
            return Some((
                "fields".to_owned(),
                format!(
                    "EAC {id:?}:{}",
                    first_difference(e.as_bytes(), g.as_bytes())?
                ),
            ));
        }
    }
    None
}

/// What a bundle (or a listing with its detail files) holds: EACs in EAC
/// Desk's format by id, and the other envelopes by id (without `cds_synced`).
#[derive(Debug, Default)]
struct BundleContent {
    eacs: BTreeMap<String, Eac>,
    envelopes: BTreeMap<String, String>,
}

fn read_bundle(listing: &Path, bundle: &Path) -> BundleContent {
    let mut out = BundleContent::default();
    let Ok(file) = fs::File::open(listing) else {
        return out;
    };
    let opts = CheckOptions::import();
    let Ok(folders) = eac_store::p2::DetailFolders::new(Some(bundle), None) else {
        return out;
    };
    let label = listing.display().to_string();
    let _ = read_p2_listing(file, opts, |index, read| {
        if let EnvelopeRead::Valid { eac: envelope, .. } = read {
            if envelope.eac_format == EACDESK_FORMAT_ID {
                let at = format!("/eacs/{index}");
                if let Ok((eac, _)) =
                    eac_store::p2::read_detail(&envelope, &folders, &label, &at, opts)
                {
                    out.eacs.insert(eac.cds_eac_id.clone(), eac);
                }
            } else {
                let mut e = *envelope;
                e.cds_synced = e.cds_created;
                out.envelopes.insert(e.cds_eac_id.clone(), format!("{e:?}"));
            }
        }
        Flow::Continue
    });
    out
}

fn compare_bundles(expected: &BundleContent, got: &BundleContent) -> Option<(String, String)> {
    let eacs = |c: &BundleContent| -> BTreeMap<String, String> {
        c.eacs
            .iter()
            .map(|(id, e)| (id.clone(), normalised(e.clone())))
            .collect()
    };
    compare_maps(&eacs(expected), &eacs(got))
        .or_else(|| compare_maps(&expected.envelopes, &got.envelopes))
}

/// The two bundles hold the same files with the same bytes, apart from
/// `cds_synced` in the listing (the time of each import).
fn compare_bundle_files(a: &Path, b: &Path) -> Option<String> {
    let list = |dir: &Path| -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = files_in(dir)
            .into_iter()
            .chain(files_in(&dir.join("eacs")))
            .map(|p| p.strip_prefix(dir).unwrap().to_owned())
            .collect();
        files.sort();
        files
    };
    let (fa, fb) = (list(a), list(b));
    if fa != fb {
        return Some(format!("files differ: {fa:?} vs {fb:?}"));
    }
    for rel in fa {
        let (mut x, mut y) = (fs::read(a.join(&rel)).ok()?, fs::read(b.join(&rel)).ok()?);
        if rel == Path::new("eacs.json") {
            x = without_synced(&x);
            y = without_synced(&y);
        }
        if let Some(diff) = first_difference(&x, &y) {
            return Some(format!("{}:{diff}", rel.display()));
        }
    }
    None
}

fn without_synced(bytes: &[u8]) -> Vec<u8> {
    match Json::parse(&String::from_utf8_lossy(bytes)) {
        Some(mut tree) => {
            tree.for_each_member("cds_synced", &mut |v| *v = Json::Null);
            tree.to_text(None).into_bytes()
        }
        None => bytes.to_vec(),
    }
}

/// The first line where two texts differ, or `None` when they are equal.
fn first_difference(a: &[u8], b: &[u8]) -> Option<String> {
    if a == b {
        return None;
    }
    let (ta, tb) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    let (la, lb): (Vec<&str>, Vec<&str>) = (ta.lines().collect(), tb.lines().collect());
    let n = la.len().max(lb.len());
    let cut = |s: &str| s.chars().take(300).collect::<String>();
    (0..n)
        .find_map(|i| {
            let (x, y) = (la.get(i).copied(), lb.get(i).copied());
            (x != y).then(|| {
                format!(
                    "\n    line {}: {:?}\n    versus:  {:?}",
                    i + 1,
                    x.map(cut),
                    y.map(cut)
                )
            })
        })
        .or_else(|| Some(" (line endings differ)".to_owned()))
}

fn copy_dir(src: &Path, dest: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dest)?;
    for entry in fs::read_dir(src)? {
        let entry = entry?;
        let to = dest.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &to)?;
        } else {
            fs::copy(entry.path(), to)?;
        }
    }
    Ok(())
}

/// How a run goes.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub seed: u64,
    pub targets: Vec<Target>,
    /// Stop after this long…
    pub budget: std::time::Duration,
    /// …or after this many iterations.
    pub max_iterations: Option<u64>,
    /// Only this iteration (reproducing a finding).
    pub only_iteration: Option<u64>,
    /// Scratch folder (emptied) and, in `findings/`, one folder per new finding.
    pub work: PathBuf,
    pub out: Option<PathBuf>,
    /// Print progress lines.
    pub verbose: bool,
}

/// What a run did.
#[derive(Debug, Default)]
pub struct RunSummary {
    pub iterations: u64,
    /// Per target: (iterations, accepted inputs).
    pub per_target: BTreeMap<Target, (u64, u64)>,
    /// Distinct findings by key: the first one, its iteration, how often seen.
    pub findings: BTreeMap<String, (Finding, u64, u64)>,
}

impl RunSummary {
    /// Findings whose key is not among `known`.
    pub fn new_findings<'a>(&'a self, known: &BTreeSet<String>) -> Vec<&'a (Finding, u64, u64)> {
        self.findings
            .iter()
            .filter(|(k, _)| !known.contains(*k))
            .map(|(_, v)| v)
            .collect()
    }
}

/// The target of an iteration: P1 listings about 40 %, the others 20 % each.
fn target_of(targets: &[Target], seed: u64, iteration: u64) -> Target {
    let mut rng = Rng::for_iteration(seed ^ 0x7461_7267_6574, iteration);
    if targets.len() == Target::ALL.len() {
        *rng.pick(&[
            Target::P1,
            Target::P1,
            Target::P2,
            Target::Detail,
            Target::Refdata,
        ])
    } else {
        *rng.pick(targets)
    }
}

/// Runs iterations until the budget ends; every new distinct finding is
/// saved (input and `finding.txt`) under `out/findings/`.
pub fn run(config: &RunConfig) -> RunSummary {
    let started = std::time::Instant::now();
    let mut fuzzer = Fuzzer::new(&config.work);
    let mut summary = RunSummary::default();
    let mut last_report = started;
    let range: Box<dyn Iterator<Item = u64>> = match config.only_iteration {
        Some(i) => Box::new(std::iter::once(i)),
        None => Box::new(0..),
    };
    for iteration in range {
        if config.only_iteration.is_none()
            && (started.elapsed() >= config.budget
                || config.max_iterations.is_some_and(|m| iteration >= m))
        {
            break;
        }
        let target = target_of(&config.targets, config.seed, iteration);
        let outcome = fuzzer.iteration(target, config.seed, iteration);
        summary.iterations += 1;
        let entry = summary.per_target.entry(target).or_default();
        entry.0 += 1;
        entry.1 += u64::from(outcome.accepted);
        for finding in outcome.findings {
            let key = finding.key();
            if let Some(seen) = summary.findings.get_mut(&key) {
                seen.2 += 1;
                continue;
            }
            if config.verbose {
                eprintln!(
                    "finding (seed {} iteration {iteration}): {key}\n  {}",
                    config.seed, finding.message
                );
            }
            if let Some(out) = &config.out {
                let n = summary.findings.len() + 1;
                let dir = out.join(format!("{n:03}-{}-i{iteration}", finding.target.name()));
                let _ = fuzzer.save_input(target, &dir.join("input"));
                let _ = fs::write(
                    dir.join("finding.txt"),
                    format!(
                        "{key}\n\nseed {} iteration {iteration} (reproduce: cargo run --release -p eac-fuzz -- --seed {} --iteration {iteration} --target {})\n\n{}\n",
                        config.seed,
                        config.seed,
                        config
                            .targets
                            .iter()
                            .map(|t| t.name())
                            .collect::<Vec<_>>()
                            .join(","),
                        finding.message
                    ),
                );
            }
            summary.findings.insert(key, (finding, iteration, 1));
        }
        if config.verbose && last_report.elapsed().as_secs() >= 10 {
            last_report = std::time::Instant::now();
            eprintln!(
                "  {:>4}s  {} iterations, {} distinct findings",
                started.elapsed().as_secs(),
                summary.iterations,
                summary.findings.len()
            );
        }
    }
    summary
}

/// Keys of the findings the pending corpus (`corpus/pending/<target>/`,
/// inputs of bugs not fixed yet) still shows: known, reported but not
/// failing a run.
pub fn known_findings(work: &Path) -> BTreeSet<String> {
    let mut fuzzer = Fuzzer::new(work);
    let mut keys = BTreeSet::new();
    for target in Target::ALL {
        for file in files_in(&corpus_dir().join("pending").join(target.name())) {
            for f in fuzzer.check_corpus_file(target, &file).findings {
                keys.insert(f.key());
            }
        }
    }
    keys
}
