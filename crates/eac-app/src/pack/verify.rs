//! Verifying a pack on its own, in memory that does not grow with it: the
//! manifest is read once as a stream, each listed file checked as its
//! entry is read; the folder is walked counting, not listing; the
//! signature and the manifest's SHA-256 are computed reading the file
//! again in pieces; `audit.jsonl` is read a line at a time (decision 242).

use std::collections::HashSet;
use std::fmt;
use std::fs;
use std::io::{self, BufRead};
use std::path::{Component, Path};

use eac_model::UnitSums;
use eac_store::chain::{canonical_json, link, CONTENT_NAMES, GENESIS, OPTIONAL_MEMBERS};
use eac_store::p2::{BUNDLE_DETAILS, BUNDLE_LISTING, BUNDLE_METADATA};
use eac_store::QuantityTotal;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use sha2::{Digest, Sha256};

use super::{
    ancestors, eac_digest, each_listing_eac_in, hash_open, quantity_totals, walk_each, AuditLine,
    EntryKind, Manifest, ManifestFile, PackProblem, PackVerdict, AUDIT_FILE, CLAIMS_DIR,
    LISTING_FILE, MANIFEST_FILE, NAMED, P2_DIR, PACK_FORMAT, REPORT_EVERY, SIGNATURE_FILE,
    SOURCES_DIR, SOURCE_INDEX, SOURCE_INDEX_HEADER, VERIFY_STEPS,
};
use crate::keys::{self, SignatureCheck};
use crate::p2::PackDetail;
use crate::AppError;
use eac_store::{NoProgress, Phase, Progress};

/// Checks a pack folder on its own, without any database: the signature
/// over `MANIFEST.json` with the key the manifest names (and, given
/// `expected_key`, that it is that fingerprint), every listed file's size
/// and SHA-256, that no file was added or removed (symbolic links are
/// refused), the audit chain of `audit.jsonl` from the first record to the
/// manifest's head (every record not redacted hashed again), `eacs.json`
/// and `p2/` against the schemas and rules (the bundle's detail files read
/// from its own `p2/eacs/` only), the manifest's counts and totals
/// against `eacs.json`, and the bundle against `eacs.json` EAC by EAC
/// (kept by id in a scratch file, so memory does not grow with the pack).
/// Every problem is listed, naming the file or
/// record. `Err` only when `dir` is not a folder that can be read, or
/// `expected_key` is no fingerprint (32 hex digits, in groups or not, in
/// either case; `invalid_input`, before the pack is read).
///
/// The verdict's manifest comes without its list of files (`files` is
/// empty; `file_count` says how many it lists): the pack's
/// `MANIFEST.json` holds that list, and a pack of a million EACs lists a
/// million files.
pub fn verify_pack(dir: &Path, expected_key: Option<&str>) -> Result<PackVerdict, AppError> {
    verify_pack_with(dir, expected_key, &NoProgress)
}

/// [`verify_pack`] reporting what it checks (`pack_files`: the listed
/// files, then the manifest and its signature, of every file in the
/// folder; `pack_listing`; `pack_bundle`: the bundle's EACs of the
/// manifest's count) and stopping with `cancelled` between any two of
/// them when asked to.
pub fn verify_pack_with(
    dir: &Path,
    expected_key: Option<&str>,
    progress: &dyn Progress,
) -> Result<PackVerdict, AppError> {
    verify_steps(dir, expected_key, progress, VERIFY_STEPS)
}

/// [`verify_pack_with`] as the first [`VERIFY_STEPS`] steps of `steps`.
pub(super) fn verify_steps(
    dir: &Path,
    expected_key: Option<&str>,
    progress: &dyn Progress,
    steps: u32,
) -> Result<PackVerdict, AppError> {
    // A mistyped fingerprint is the caller's mistake, not the pack's: it
    // is refused before the pack is read (decision 287).
    let expected = match expected_key {
        Some(given) => match fingerprint_digits(given) {
            Ok(digits) => Some(Expected { given, digits }),
            Err(why) => {
                let given = if why == EMPTY_FINGERPRINT {
                    "The expected key is empty".to_owned()
                } else {
                    format!(
                        "The expected key `{}` is not a key fingerprint: {why}",
                        eac_model::quote(given)
                    )
                };
                return Err(AppError::invalid_input(format!(
                    "{given}. {FINGERPRINT_FORM}; the pack was not checked."
                )));
            }
        },
        None => None,
    };
    let meta = fs::metadata(dir).map_err(|e| AppError::io(dir, &e))?;
    if !meta.is_dir() {
        return Err(AppError::invalid_input(format!(
            "{} is not a folder; name the evidence pack's folder",
            dir.display()
        )));
    }
    no_pack_here(dir)?;
    let mut v = Verdict::default();
    let folder = Folder::walk(dir)?;
    // Every regular file of the folder: the listed ones, then the manifest
    // and its signature, checked last (the verdict counts them too).
    let in_folder = Some(folder.total());
    progress.step(1, steps);
    progress.update(Phase::PackFiles, 0, in_folder);
    for (other, kind) in &folder.other {
        v.problem(other, &not_read(other, kind));
    }

    // The manifest is opened once, and read again from the same file.
    let manifest_path = dir.join(MANIFEST_FILE);
    let manifest_file = match open_in_pack(&manifest_path) {
        Ok(InPack::File(file)) => Some(file),
        Ok(InPack::Missing) => {
            v.problem(
                MANIFEST_FILE,
                "is missing: this is not an evidence pack, or its manifest was removed",
            );
            None
        }
        Ok(InPack::Not(kind)) => {
            v.once(MANIFEST_FILE, &not_read(MANIFEST_FILE, kind));
            None
        }
        Err(e) => return Err(AppError::io(&manifest_path, &e)),
    };
    let mut files = FileCheck::new(dir, &folder, progress);
    let manifest = match &manifest_file {
        Some(file) => match read_manifest(file, |f| files.entry(f)) {
            Ok(m) => Some(m),
            Err(ManifestError::Stopped) => {
                return Err(files.failed.take().expect("a stop says why"));
            }
            Err(ManifestError::Io(e)) => return Err(AppError::io(&manifest_path, &e)),
            Err(ManifestError::Json(e)) => {
                v.problem(
                    MANIFEST_FILE,
                    &format!("cannot be read as an EAC Desk pack manifest ({e})"),
                );
                None
            }
        },
        None => None,
    };

    let manifest_sha256 = match (&manifest, &manifest_file) {
        (Some(m), Some(file)) => Some(check_signature(dir, file, m, expected.as_ref(), &mut v)?),
        (_, file) => {
            check_signature_file_only(dir, &mut v)?;
            match file {
                Some(file) => {
                    let mut sha256 = Sha256::new();
                    rewound(file)
                        .and_then(|f| keys::read_pieces(f, |piece| sha256.update(piece)))
                        .map_err(|e| AppError::io(&manifest_path, &e))?;
                    Some(hex::encode(sha256.finalize()))
                }
                None => None,
            }
        }
    };
    let file_count = manifest.as_ref().map(|_| files.count);
    progress.update(
        Phase::PackFiles,
        (files.count + folder.manifest_files) as u64,
        in_folder,
    );
    if let (Some(m), Some(file)) = (&manifest, &manifest_file) {
        files.finish(m, file, &mut v)?;
        check_source_index(dir, &files, &mut v)?;
        check_audit(dir, m, &mut v)?;
        check_cds(dir, m, &files, progress, steps, &mut v)?;
    }
    if progress.is_cancelled() {
        return Err(AppError::cancelled());
    }
    Ok(PackVerdict {
        path: dir.display().to_string(),
        ok: v.problems.is_empty(),
        problems: v.problems,
        file_count,
        manifest,
        manifest_sha256,
        interrupted: super::settle::left_beside(dir),
    })
}

/// The files every pack has at its top: a folder with none of them is no
/// pack (a pack that lost some is one that does not verify).
const PACK_OWN_FILES: [&str; 4] = [MANIFEST_FILE, SIGNATURE_FILE, LISTING_FILE, AUDIT_FILE];

/// Whether `dir` holds any of a pack's own files (of any kind: a link or
/// a folder in their place is the verdict's to name).
fn holds_pack_files(dir: &Path) -> bool {
    PACK_OWN_FILES
        .iter()
        .any(|name| fs::symlink_metadata(dir.join(name)).is_ok())
}

/// Refuses a folder that holds none of a pack's own files as no evidence
/// pack (`invalid_input`: exit 2 in `pack verify` and `pack diff` alike,
/// decision 337), rather than as a pack that does not verify. When exactly
/// one folder inside it is a pack (a zip of the pack's folder unzipped
/// where it was received), that folder is named.
fn no_pack_here(dir: &Path) -> Result<(), AppError> {
    if holds_pack_files(dir) {
        return Ok(());
    }
    let mut inside = Vec::new();
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            // A real folder, not one a link leads to, nor a hidden one (a
            // pack an interrupted pack moved aside is settled, not named).
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            if !hidden && entry.file_type().is_ok_and(|t| t.is_dir()) && holds_pack_files(&path) {
                inside.push(path);
            }
        }
    }
    inside.sort();
    let none = format!(
        "{} holds no evidence pack: it has no {MANIFEST_FILE}, {SIGNATURE_FILE}, {LISTING_FILE} or {AUDIT_FILE}",
        dir.display()
    );
    Err(AppError::invalid_input(match inside.as_slice() {
        [one] => format!(
            "{none}, but {} does: name that folder instead",
            one.display()
        ),
        [] => {
            format!("{none}; name the evidence pack's folder (the one that holds {MANIFEST_FILE})")
        }
        many => format!(
            "{none}, but {} folders in it do ({}): name one of them",
            many.len(),
            many.iter()
                .take(NAMED)
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }))
}

#[derive(Default)]
struct Verdict {
    problems: Vec<PackProblem>,
}

impl Verdict {
    fn problem(&mut self, file: &str, message: &str) {
        self.problems.push(PackProblem {
            file: file.to_owned(),
            record: None,
            message: format!("{file} {message}"),
        });
    }

    /// [`Verdict::problem`] unless it was said already (the walk of the
    /// folder names what is not a regular file before it is opened).
    fn once(&mut self, file: &str, message: &str) {
        let said = format!("{file} {message}");
        if !self.problems.iter().any(|p| p.message == said) {
            self.problem(file, message);
        }
    }

    fn record_problem(&mut self, line: usize, id: Option<i64>, message: &str) {
        let at = match id {
            Some(id) => format!("{AUDIT_FILE} line {line} (audit record {id})"),
            None => format!("{AUDIT_FILE} line {line}"),
        };
        self.problems.push(PackProblem {
            file: AUDIT_FILE.to_owned(),
            record: id,
            message: format!("{at}: {message}"),
        });
    }
}

// ---------------------------------------------------------------------------
// The manifest, read as a stream

/// Why [`read_manifest`] gave up.
#[derive(Debug)]
pub(super) enum ManifestError {
    /// The file could not be read.
    Io(io::Error),
    /// Not JSON, or not a manifest (serde_json's words, with the place).
    Json(serde_json::Error),
    /// The caller's `each` asked to stop.
    Stopped,
}

/// Reads a `MANIFEST.json` in one pass without holding its text or its
/// list of files: returns the manifest with `files` empty, handing each
/// entry to `each` as it is parsed, in the order written (`each` returns
/// `false` to stop). The same fields
/// are required and the same values refused as [`Manifest`]'s own
/// `Deserialize`; a member given twice is refused.
pub(super) fn read_manifest(
    file: impl io::Read,
    mut each: impl FnMut(ManifestFile) -> bool,
) -> Result<Manifest, ManifestError> {
    let mut stopped = false;
    let reader = io::BufReader::with_capacity(1 << 16, file);
    let mut de = serde_json::Deserializer::from_reader(reader);
    let read = ManifestSeed {
        each: &mut each,
        stopped: &mut stopped,
    }
    .deserialize(&mut de)
    .and_then(|m| de.end().map(|()| m));
    match read {
        Ok(m) => Ok(m),
        Err(_) if stopped => Err(ManifestError::Stopped),
        Err(e) if e.is_io() => Err(ManifestError::Io(e.into())),
        Err(e) => Err(ManifestError::Json(e)),
    }
}

struct ManifestSeed<'a, F> {
    each: &'a mut F,
    stopped: &'a mut bool,
}

impl<'de, F: FnMut(ManifestFile) -> bool> DeserializeSeed<'de> for ManifestSeed<'_, F> {
    type Value = Manifest;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Manifest, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, F: FnMut(ManifestFile) -> bool> Visitor<'de> for ManifestSeed<'_, F> {
    type Value = Manifest;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an EAC Desk pack manifest (an object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Manifest, A::Error> {
        // Every member but `files` is small: kept as JSON and read into a
        // `Manifest` at the end, so the fields and their rules are the
        // derived `Deserialize`'s.
        let mut rest = serde_json::Map::new();
        let mut listed = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "files" {
                if listed {
                    return Err(de::Error::duplicate_field("files"));
                }
                listed = true;
                map.next_value_seed(FilesSeed {
                    each: &mut *self.each,
                    stopped: &mut *self.stopped,
                })?;
            } else {
                let value: serde_json::Value = map.next_value()?;
                if rest.contains_key(&key) {
                    return Err(de::Error::custom(format_args!("duplicate field `{key}`")));
                }
                rest.insert(key, value);
            }
        }
        if listed {
            rest.insert("files".to_owned(), serde_json::Value::Array(Vec::new()));
        }
        serde_json::from_value(serde_json::Value::Object(rest)).map_err(de::Error::custom)
    }
}

struct FilesSeed<'a, F> {
    each: &'a mut F,
    stopped: &'a mut bool,
}

impl<'de, F: FnMut(ManifestFile) -> bool> DeserializeSeed<'de> for FilesSeed<'_, F> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(ManifestFile) -> bool> Visitor<'de> for FilesSeed<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of files")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(file) = seq.next_element::<ManifestFile>()? {
            if !(self.each)(file) {
                *self.stopped = true;
                return Err(de::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// The folder and the listed files

/// A pack folder walked once: its folders (few), its regular files
/// counted, not named, and anything else by name (each a problem).
struct Folder {
    folders: HashSet<String>,
    /// Regular files but `MANIFEST.json` and `MANIFEST.sig`.
    files: usize,
    /// Of `MANIFEST.json` and `MANIFEST.sig`, those that are regular files
    /// (the progress counts every file of the folder, as the verdict does).
    manifest_files: usize,
    /// Anything else, and what it is in words.
    other: Vec<(String, &'static str)>,
    /// Their paths.
    other_names: HashSet<String>,
}

impl Folder {
    fn walk(dir: &Path) -> Result<Folder, AppError> {
        let mut folder = Folder {
            folders: HashSet::new(),
            files: 0,
            manifest_files: 0,
            other: Vec::new(),
            other_names: HashSet::new(),
        };
        walk_each(dir, "", &mut |path, kind| match kind {
            EntryKind::File if path == MANIFEST_FILE || path == SIGNATURE_FILE => {
                folder.manifest_files += 1;
            }
            EntryKind::File => folder.files += 1,
            EntryKind::Folder => {
                folder.folders.insert(path.to_owned());
            }
            EntryKind::Other => {
                let kind = fs::symlink_metadata(dir.join(path))
                    .map_or("a special file", |m| kind_words(&m.file_type()));
                folder.other.push((path.to_owned(), kind));
                folder.other_names.insert(path.to_owned());
            }
        })
        .map_err(|(p, e)| AppError::io(&p, &e))?;
        Ok(folder)
    }

    /// Every regular file of the folder.
    fn total(&self) -> u64 {
        (self.files + self.manifest_files) as u64
    }
}

/// The manifest's entries checked one by one as they are read: each
/// listed file's size and SHA-256, the list's order (EAC Desk writes it
/// sorted by path, so a name listed twice follows itself), source
/// documents named by their hash. A file added to the folder shows as
/// one more file than the list holds; only then is the list read again,
/// into a set, to name it.
struct FileCheck<'a> {
    dir: &'a Path,
    folder: &'a Folder,
    progress: &'a dyn Progress,
    problems: Verdict,
    /// Entries read.
    count: usize,
    /// The last entry in order, and whether every entry so far was.
    last: Option<String>,
    sorted: bool,
    /// Entries in order that are regular files in the folder.
    present: usize,
    /// Folders that hold a listed file.
    holding: HashSet<String>,
    sources: usize,
    /// The source documents listed, by path, with their listed SHA-256
    /// (a pack holds few: one per registry document).
    source_files: std::collections::HashMap<String, String>,
    lists_index: bool,
    /// Recorded claims listed (`claims/claim-N.json`).
    claims: usize,
    lists_listing: bool,
    lists_bundle: bool,
    /// Listed files of the P2 bundle found missing (the first
    /// [`MISSING_KEPT`]; `missing_more` when there were more), so the
    /// bundle's check does not name them a second time.
    missing: HashSet<String>,
    missing_more: bool,
    failed: Option<AppError>,
}

/// How many missing files of the P2 bundle [`FileCheck`] keeps by name.
const MISSING_KEPT: usize = 10_000;

impl<'a> FileCheck<'a> {
    fn new(dir: &'a Path, folder: &'a Folder, progress: &'a dyn Progress) -> FileCheck<'a> {
        FileCheck {
            dir,
            folder,
            progress,
            problems: Verdict::default(),
            count: 0,
            last: None,
            sorted: true,
            present: 0,
            holding: HashSet::new(),
            sources: 0,
            source_files: std::collections::HashMap::new(),
            lists_index: false,
            claims: 0,
            lists_listing: false,
            lists_bundle: false,
            missing: HashSet::new(),
            missing_more: false,
            failed: None,
        }
    }

    /// One entry; `false` when a file could not be read (in `failed`).
    fn entry(&mut self, f: ManifestFile) -> bool {
        match self.check(f) {
            Ok(()) => true,
            Err(e) => {
                self.failed = Some(e);
                false
            }
        }
    }

    fn check(&mut self, f: ManifestFile) -> Result<(), AppError> {
        self.count += 1;
        if self.count.is_multiple_of(REPORT_EVERY) {
            if self.progress.is_cancelled() {
                return Err(AppError::cancelled());
            }
            let in_folder = Some(self.folder.total());
            self.progress
                .update(Phase::PackFiles, self.count as u64, in_folder);
        }
        let v = &mut self.problems;
        let under = |folder: &str| f.path.strip_prefix(folder)?.strip_prefix('/');
        if f.path == LISTING_FILE {
            self.lists_listing = true;
        }
        if under(P2_DIR).is_some() {
            self.lists_bundle = true;
        }
        if f.path == SOURCE_INDEX {
            self.lists_index = true;
        }
        if under(CLAIMS_DIR).is_some_and(|name| name.ends_with(".json")) {
            self.claims += 1;
        }
        if let Some(name) = under(SOURCES_DIR) {
            self.sources += 1;
            if self.source_files.len() < MISSING_KEPT {
                self.source_files.insert(f.path.clone(), f.sha256.clone());
            }
            // (A hash that is not hex may not even cut at 12 bytes.)
            let named = f.sha256.get(..12.min(f.sha256.len()));
            if !named.is_some_and(|start| name.starts_with(start)) {
                v.problem(
                    &f.path,
                    "is not named after its SHA-256: it is not the document the name says",
                );
            }
        }
        if !safe_relative(&f.path) || f.path == MANIFEST_FILE || f.path == SIGNATURE_FILE {
            v.problem(
                MANIFEST_FILE,
                &format!(
                    "lists the file `{}`, which cannot be part of a pack",
                    eac_model::quote(&f.path)
                ),
            );
            return Ok(());
        }
        let in_order = match self.last.as_deref() {
            Some(last) if last == f.path => {
                v.problem(MANIFEST_FILE, &format!("lists {} twice", f.path));
                return Ok(());
            }
            Some(last) if *last > *f.path => {
                v.problem(
                    MANIFEST_FILE,
                    &format!(
                        "lists {} after {last}: its files are not sorted by path, as EAC Desk writes them",
                        f.path
                    ),
                );
                self.sorted = false;
                false
            }
            _ => true,
        };
        if in_order {
            self.last = Some(f.path.clone());
        }
        // Sorted, so most entries share the folder of the one before.
        if let Some((parent, _)) = f.path.rsplit_once('/') {
            if !self.holding.contains(parent) {
                self.holding.extend(ancestors(&f.path));
            }
        }
        // Present: a regular file reached through real folders only (a
        // linked folder is not walked, so its files are not the pack's),
        // opened without following a link (one look-up of its path).
        let parent_walked = f
            .path
            .rsplit_once('/')
            .is_none_or(|(parent, _)| self.folder.folders.contains(parent));
        let path = self.dir.join(&f.path);
        let file = if parent_walked {
            open_in_pack(&path).map_err(|e| AppError::io(&path, &e))?
        } else if ancestors(&f.path)
            .iter()
            .any(|a| self.folder.other_names.contains(a))
        {
            // In a folder that is a link, named as such by the walk.
            return Ok(());
        } else {
            InPack::Missing
        };
        let file = match file {
            InPack::File(file) => Some(file),
            // Named as what it is by the walk of the folder.
            InPack::Not(kind) if kind != "a folder" => return Ok(()),
            InPack::Missing | InPack::Not(_) => None,
        };
        let Some(file) = file else {
            v.problem(&f.path, "is missing (the manifest lists it)");
            if under(P2_DIR).is_some() {
                if self.missing.len() < MISSING_KEPT {
                    self.missing.insert(f.path.clone());
                } else {
                    self.missing_more = true;
                }
            }
            return Ok(());
        };
        if in_order {
            self.present += 1;
        }
        let (size, sha256) = hash_open(file).map_err(|e| AppError::io(&path, &e))?;
        if size != f.size {
            v.problem(
                &f.path,
                &format!(
                    "was changed: it has {size} bytes, the manifest says {}",
                    f.size
                ),
            );
        } else if sha256 != f.sha256 {
            v.problem(
                &f.path,
                "was changed: its SHA-256 is not the one in the manifest",
            );
        }
        Ok(())
    }

    /// After the list: files and folders the manifest does not list, and
    /// the count of source documents; the problems found join `v`.
    fn finish(
        &mut self,
        m: &Manifest,
        manifest: &fs::File,
        v: &mut Verdict,
    ) -> Result<(), AppError> {
        v.problems.append(&mut self.problems.problems);
        let folder = self.folder;
        let mut unlisted_in: HashSet<String> = HashSet::new();
        if !self.sorted || self.present != folder.files {
            // Some file is not listed (or the list is out of order, so the
            // count proves nothing): read the list again to name it.
            let path = self.dir.join(MANIFEST_FILE);
            let file = rewound(manifest).map_err(|e| AppError::io(&path, &e))?;
            let mut listed: HashSet<String> = HashSet::new();
            match read_manifest(file, |f| {
                listed.insert(f.path);
                true
            }) {
                Ok(_) => {}
                Err(ManifestError::Io(e)) => return Err(AppError::io(&path, &e)),
                Err(_) => {
                    return Err(AppError::invalid_input(format!(
                        "{} changed while it was being checked; check the pack again",
                        path.display()
                    )))
                }
            }
            let mut added: Vec<String> = Vec::new();
            walk_each(self.dir, "", &mut |path, kind| {
                if kind == EntryKind::File
                    && path != MANIFEST_FILE
                    && path != SIGNATURE_FILE
                    && !listed.contains(path)
                {
                    added.push(path.to_owned());
                }
            })
            .map_err(|(p, e)| AppError::io(&p, &e))?;
            for path in added {
                v.problem(&path, "was added: the manifest does not list it");
                unlisted_in.extend(ancestors(&path));
            }
        }
        let mut empty: Vec<&String> = folder
            .folders
            .iter()
            .filter(|f| !self.holding.contains(*f) && !unlisted_in.contains(*f))
            .collect();
        empty.sort();
        for f in empty {
            v.problem(
                &format!("{f}/"),
                "was added: the manifest lists nothing in it",
            );
        }
        if self.sources != m.counts.sources {
            v.problem(
                MANIFEST_FILE,
                &format!(
                    "counts {} source documents but lists {}",
                    m.counts.sources, self.sources
                ),
            );
        }
        // Counted since recorded claims were (a pack made before says
        // nothing, and is not held to it).
        if let Some(claims) = m.counts.claims.filter(|n| *n != self.claims) {
            v.problem(
                MANIFEST_FILE,
                &format!(
                    "counts {} but lists {} in {CLAIMS_DIR}/: a claim's report was removed or added",
                    count_words(claims, "recorded claim"),
                    self.claims
                ),
            );
        }
        Ok(())
    }
}

/// `1 recorded claim`, `2 recorded claims`.
fn count_words(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// The index of which document each EAC came from, when the manifest
/// lists it (packs made before it have none): its header, and that every
/// document it names is a source document of the pack under the SHA-256
/// the manifest lists, and every source document is named. Its rows are
/// read one at a time; only the paths of the documents are kept.
fn check_source_index(dir: &Path, files: &FileCheck, v: &mut Verdict) -> Result<(), AppError> {
    if !files.lists_index {
        return Ok(());
    }
    let path = dir.join(SOURCE_INDEX);
    let file = match open_in_pack(&path) {
        Ok(InPack::File(file)) => file,
        // Missing, or not a file: said with the listed files.
        Ok(_) => return Ok(()),
        Err(e) => return Err(AppError::io(&path, &e)),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(io::BufReader::new(file));
    let mut named: HashSet<String> = HashSet::new();
    let mut wrong = 0usize;
    let mut record = csv::StringRecord::new();
    let mut line = 0usize;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) if e.is_io_error() => return Err(AppError::io(&path, &io::Error::from(e))),
            Err(e) => {
                v.problem(
                    SOURCE_INDEX,
                    &format!("cannot be read as CSV ({e}): it was changed"),
                );
                return Ok(());
            }
        }
        line += 1;
        if line == 1 {
            if !record.iter().eq(SOURCE_INDEX_HEADER) {
                v.problem(
                    SOURCE_INDEX,
                    &format!(
                        "line 1 is not its header ({}): it was changed",
                        SOURCE_INDEX_HEADER.join(",")
                    ),
                );
                return Ok(());
            }
            continue;
        }
        let (Some(doc), Some(sha256)) = (record.get(2), record.get(3)) else {
            v.problem(
                SOURCE_INDEX,
                &format!("line {line} has no path and SHA-256: it was changed"),
            );
            return Ok(());
        };
        let found = match files.source_files.get(doc) {
            None => Some(format!(
                "line {line} names {}, which is not a source document the manifest lists",
                eac_model::quote(doc)
            )),
            Some(listed) if listed != sha256 => Some(format!(
                "line {line} gives {doc} the SHA-256 {}, but the manifest lists {listed}",
                eac_model::quote(sha256)
            )),
            Some(_) => None,
        };
        match found {
            Some(message) if wrong < NAMED => {
                wrong += 1;
                v.problem(SOURCE_INDEX, &message);
            }
            Some(_) => wrong += 1,
            None => {
                if !named.contains(doc) {
                    named.insert(doc.to_owned());
                }
            }
        }
    }
    if wrong > NAMED {
        v.problem(
            SOURCE_INDEX,
            &format!(
                "names a document the pack does not hold on {} more lines",
                wrong - NAMED
            ),
        );
    }
    let mut unnamed: Vec<&String> = files
        .source_files
        .keys()
        .filter(|p| !named.contains(*p))
        .collect();
    unnamed.sort();
    for doc in unnamed.into_iter().take(NAMED) {
        v.problem(
            doc,
            &format!("is named by no EAC in {SOURCE_INDEX}: which EAC it backs is not said"),
        );
    }
    Ok(())
}

/// `file` read again from its start.
pub(super) fn rewound(file: &fs::File) -> io::Result<&fs::File> {
    use std::io::Seek as _;
    let mut at = file;
    at.rewind()?;
    Ok(file)
}

// How a pack's files are opened, the one way (security finding 2): shared
// with P2 bundles read outside a pack (`eac_store::regular`). Only the last
// part of a path is looked at: the folders on the way are the walked pack's.
pub(super) use eac_store::regular::{kind_words, open_regular as open_in_pack, Regular as InPack};

/// The pack's places that are folders.
fn is_pack_folder(path: &str) -> bool {
    [P2_DIR, SOURCES_DIR, CLAIMS_DIR].contains(&path)
        || path == format!("{P2_DIR}/{BUNDLE_DETAILS}")
}

/// Why the thing at `path` in a pack (`kind`, in words) was not read,
/// following its name: a pack holds only regular files and folders, and
/// what it could not check without it.
fn not_read(path: &str, kind: &str) -> String {
    let in_bundle =
        |name: &str| path.strip_prefix(P2_DIR).and_then(|p| p.strip_prefix('/')) == Some(name);
    let unread = match path {
        MANIFEST_FILE => ", so the pack cannot be checked against its manifest",
        SIGNATURE_FILE => ", so the manifest's signature was not checked",
        AUDIT_FILE => ", so the audit chain was not checked",
        LISTING_FILE => ", so the P1 listing was not checked",
        P2_DIR => ", so the P2 bundle was not checked",
        _ if [BUNDLE_DETAILS, BUNDLE_LISTING, BUNDLE_METADATA]
            .into_iter()
            .any(in_bundle) =>
        {
            ", so the P2 bundle was not checked"
        }
        _ => "",
    };
    format!("{}{unread}", not_regular(path, kind))
}

/// What the thing at `path` in a pack is (`kind`, in words) instead of a
/// regular file or folder, following its name.
fn not_regular(path: &str, kind: &str) -> String {
    let place = if is_pack_folder(path) {
        "folder"
    } else {
        "regular file"
    };
    format!(
        "is {kind}, not a {place}: a pack holds only regular files and folders, and EAC Desk does not follow a link or open anything else in one"
    )
}

/// `pack diff` refusing the pack in `dir`: what is at `path` in it is
/// `kind` (in words), not a regular file or folder.
pub(super) fn refused_in_pack(dir: &Path, path: &str, kind: &str) -> AppError {
    AppError::invalid_input(format!(
        "{} {}; nothing was compared (`eacdesk pack verify {}` names every problem of the pack)",
        dir.join(path).display(),
        not_regular(path, kind),
        dir.display()
    ))
}

/// A manifest path that stays inside the pack: relative, plain names only.
pub(super) fn safe_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

// ---------------------------------------------------------------------------
// The signature

fn check_signature_file_only(dir: &Path, v: &mut Verdict) -> Result<(), AppError> {
    let path = dir.join(SIGNATURE_FILE);
    match fs::symlink_metadata(&path) {
        Ok(meta) if meta.is_file() => {}
        Ok(meta) => v.once(
            SIGNATURE_FILE,
            &not_read(SIGNATURE_FILE, kind_words(&meta.file_type())),
        ),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            v.problem(SIGNATURE_FILE, "is missing: the manifest is not signed")
        }
        Err(e) => return Err(AppError::io(&path, &e)),
    }
    Ok(())
}

/// The manifest's key and signature; returns the manifest's SHA-256,
/// computed in the same reading of the file as the signature's check.
fn check_signature(
    dir: &Path,
    manifest: &fs::File,
    m: &Manifest,
    expected: Option<&Expected>,
    v: &mut Verdict,
) -> Result<String, AppError> {
    if m.format != PACK_FORMAT {
        v.problem(
            MANIFEST_FILE,
            &format!(
                "is of format `{}`, not `{PACK_FORMAT}`",
                eac_model::quote(&m.format)
            ),
        );
    }
    if m.key.algorithm != "ed25519" {
        v.problem(
            MANIFEST_FILE,
            &format!(
                "names the key algorithm `{}`; EAC Desk signs with ed25519",
                eac_model::quote(&m.key.algorithm)
            ),
        );
    }
    match hex::decode(m.key.public_key.trim()) {
        Ok(public) if keys::fingerprint(&public) != m.key.fingerprint => v.problem(
            MANIFEST_FILE,
            &format!(
                "gives the fingerprint {} for a public key whose fingerprint is {}",
                m.key.fingerprint,
                keys::fingerprint(&public)
            ),
        ),
        _ => {}
    }
    if let Some(expected) = expected {
        let signed: String = m
            .key
            .fingerprint
            .chars()
            .filter(char::is_ascii_hexdigit)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if signed != expected.digits {
            v.problem(
                MANIFEST_FILE,
                &format!(
                    "is signed by the key {}, not by the expected key {}",
                    m.key.fingerprint, expected.given
                ),
            );
        }
    }
    let sig_path = dir.join(SIGNATURE_FILE);
    let mut check = match read_signature(&sig_path) {
        Ok((head, size)) => match signature_form(&head, size) {
            Ok(sig) => match SignatureCheck::new(&m.key.public_key, sig) {
                Ok(check) => Some(check),
                Err(why) => {
                    v.problem(SIGNATURE_FILE, &format!("does not hold: {why}"));
                    None
                }
            },
            Err(what) => {
                v.problem(
                    SIGNATURE_FILE,
                    &format!(
                        "is not as EAC Desk writes it (128 lower-case hex digits and a line end): it {what}"
                    ),
                );
                None
            }
        },
        Err(Unread::Missing) => {
            v.problem(SIGNATURE_FILE, "is missing: the manifest is not signed");
            None
        }
        Err(Unread::Not(kind)) => {
            v.once(SIGNATURE_FILE, &not_read(SIGNATURE_FILE, kind));
            None
        }
        Err(Unread::Io(e)) => return Err(AppError::io(&sig_path, &e)),
    };
    let path = dir.join(MANIFEST_FILE);
    let mut sha256 = Sha256::new();
    rewound(manifest)
        .and_then(|file| {
            keys::read_pieces(file, |piece| {
                sha256.update(piece);
                if let Some(c) = &mut check {
                    c.update(piece);
                }
            })
        })
        .map_err(|e| AppError::io(&path, &e))?;
    if let Some(Err(why)) = check.map(SignatureCheck::finish) {
        v.problem(SIGNATURE_FILE, &format!("does not hold: {why}"));
    }
    Ok(hex::encode(sha256.finalize()))
}

/// The length of a signature in hex digits (64 bytes).
const SIGNATURE_DIGITS: usize = 128;

/// Why a file of the pack was not read.
enum Unread {
    Missing,
    /// What it is instead of a regular file, in words.
    Not(&'static str),
    Io(io::Error),
}

/// The first bytes of `MANIFEST.sig` (enough to say what is wrong with
/// it; a file grown large is not read whole) and its size.
fn read_signature(path: &Path) -> Result<(Vec<u8>, u64), Unread> {
    use std::io::Read as _;
    let file = match open_in_pack(path).map_err(Unread::Io)? {
        InPack::File(file) => file,
        InPack::Missing => return Err(Unread::Missing),
        InPack::Not(kind) => return Err(Unread::Not(kind)),
    };
    let size = file.metadata().map_err(Unread::Io)?.len();
    let mut head = Vec::with_capacity(SIGNATURE_DIGITS + 2);
    file.take(SIGNATURE_DIGITS as u64 + 2)
        .read_to_end(&mut head)
        .map_err(Unread::Io)?;
    Ok((head, size))
}

/// The signature in `MANIFEST.sig`, given its first bytes and its size,
/// if the file is exactly what EAC Desk writes: 128 lower-case hex digits
/// and one line end (0.1.0 wrote no line end, and its packs still verify).
/// Any other byte is a change to the pack, whatever a lenient reading of
/// the signature would make of it (decision 286); `Err` says what differs,
/// to follow "it".
fn signature_form(head: &[u8], size: u64) -> Result<&str, String> {
    let digits = head
        .iter()
        .take_while(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        .count();
    if digits > SIGNATURE_DIGITS {
        return Err(format!("holds more than {SIGNATURE_DIGITS} hex digits"));
    }
    if digits == SIGNATURE_DIGITS {
        let signature = std::str::from_utf8(&head[..digits]).expect("hex digits are ASCII");
        let after = size.saturating_sub(SIGNATURE_DIGITS as u64);
        return match head.get(SIGNATURE_DIGITS) {
            None => Ok(signature),
            Some(b'\n') if after == 1 => Ok(signature),
            Some(b'\n') => Err(format!("holds {} after the line end", bytes(after - 1))),
            Some(&b) => Err(format!(
                "holds {} after the signature, where only a line end belongs",
                byte_words(b)
            )),
        };
    }
    match head.get(digits) {
        None if digits == 0 => Err("is empty".to_owned()),
        None => Err(format!("ends after {digits} hex digits")),
        Some(_) if digits == 0 && head.starts_with(&[0xEF, 0xBB, 0xBF]) => {
            Err("begins with a byte order mark".to_owned())
        }
        Some(&b) if b.is_ascii_hexdigit() => Err(format!(
            "has the upper-case hex digit `{}` at byte {}",
            b as char,
            digits + 1
        )),
        Some(&b) => Err(format!(
            "has {} at byte {}, where a hex digit belongs",
            byte_words(b),
            digits + 1
        )),
    }
}

fn bytes(n: u64) -> String {
    if n == 1 {
        "1 more byte".to_owned()
    } else {
        format!("{n} more bytes")
    }
}

/// One byte in words: `x` for a visible character, else what it is.
fn byte_words(b: u8) -> String {
    match b {
        b'\n' => "a line end".to_owned(),
        b'\r' => "a carriage return".to_owned(),
        b' ' => "a space".to_owned(),
        b'\t' => "a tab".to_owned(),
        0 => "a NUL byte".to_owned(),
        b'!'..=b'~' => format!("`{}`", b as char),
        _ => format!("the byte 0x{b:02X}"),
    }
}

/// What a fingerprint looks like, for a refused expected key.
const FINGERPRINT_FORM: &str = "A fingerprint is 32 hex digits in eight groups of four, such as 0123-4567-89ab-cdef-0123-4567-89ab-cdef, as `eacdesk key` shows it to the pack's maker (the dashes may be left out)";

/// An expected key as given and as its 32 lower-case hex digits.
struct Expected<'a> {
    given: &'a str,
    digits: String,
}

/// [`fingerprint_digits`]'s refusal of an empty (or blank) text.
const EMPTY_FINGERPRINT: &str = "it is empty";

/// The hex digits of a fingerprint as a person may give it: 32 hex digits
/// in either case, in groups or not (`-`, `:` or spaces between them),
/// with spaces around (pasted). `Err` says what is wrong, for "is not a
/// key fingerprint: …".
fn fingerprint_digits(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(EMPTY_FINGERPRINT.to_owned());
    }
    let mut digits = String::with_capacity(32);
    for c in text.chars() {
        match c {
            '-' | ':' | ' ' => {}
            c if c.is_ascii_hexdigit() => digits.push(c.to_ascii_lowercase()),
            c => return Err(format!("`{c}` is not a hex digit")),
        }
    }
    match digits.len() {
        32 => Ok(digits),
        0 => Err("it holds no hex digit".to_owned()),
        1 => Err("it holds 1 hex digit".to_owned()),
        n => Err(format!("it holds {n} hex digits")),
    }
}

// ---------------------------------------------------------------------------
// The audit chain and the CDS files

/// `audit.jsonl` a line at a time: every record follows the one before it
/// and, unless redacted, hashes to its hash; the last is the manifest's
/// head.
fn check_audit(dir: &Path, m: &Manifest, v: &mut Verdict) -> Result<(), AppError> {
    let path = dir.join(AUDIT_FILE);
    let file = match open_in_pack(&path) {
        Ok(InPack::File(f)) => f,
        Ok(InPack::Missing) => {
            v.problem(AUDIT_FILE, "is missing: the audit chain cannot be checked");
            return Ok(());
        }
        Ok(InPack::Not(kind)) => {
            v.once(AUDIT_FILE, &not_read(AUDIT_FILE, kind));
            return Ok(());
        }
        Err(e) => return Err(AppError::io(&path, &e)),
    };
    let mut reader = io::BufReader::with_capacity(1 << 16, file);
    let mut raw: Vec<u8> = Vec::new();
    let mut prev = GENESIS.to_owned();
    let mut last_id: Option<i64> = None;
    let mut records = 0usize;
    let mut line_no = 0usize;
    loop {
        let read = next_line(&mut reader, &mut raw).map_err(|e| AppError::io(&path, &e))?;
        if read == Line::End {
            break;
        }
        line_no += 1;
        if read == Line::TooLong {
            v.problems.push(PackProblem {
                file: AUDIT_FILE.to_owned(),
                record: None,
                message: format!(
                    "line {line_no} of {AUDIT_FILE} is longer than {LONGEST_AUDIT_LINE} bytes, longer than any audit record: the audit chain cannot be checked past it"
                ),
            });
            return Ok(());
        }
        // As `str::lines`: without the `\n` and a `\r` before it.
        if raw.last() == Some(&b'\n') {
            raw.pop();
            if raw.last() == Some(&b'\r') {
                raw.pop();
            }
        }
        let Ok(text) = std::str::from_utf8(&raw) else {
            v.record_problem(
                line_no,
                None,
                "is not UTF-8 text; the chain cannot be checked past it",
            );
            return Ok(());
        };
        let line: AuditLine = match serde_json::from_str(text) {
            Ok(l) => l,
            Err(e) => {
                v.record_problem(
                    line_no,
                    None,
                    &format!("is not an audit record ({e}); the chain cannot be checked past it"),
                );
                return Ok(());
            }
        };
        records += 1;
        let id = Some(line.id);
        if last_id.is_some_and(|l| line.id <= l) {
            v.record_problem(line_no, id, "is out of order");
        }
        last_id = Some(line.id);
        let (Some(prev_hash), Some(hash)) = (line.prev_hash, line.hash) else {
            v.record_problem(line_no, id, "has no chain hash");
            return Ok(());
        };
        if prev_hash != prev {
            v.record_problem(
                line_no,
                id,
                "does not follow the record before it: a record was removed, inserted or changed",
            );
        }
        if let Some(record) = &line.record {
            let values: Vec<serde_json::Value> = CONTENT_NAMES
                .iter()
                .map(|k| record.get(*k).cloned().unwrap_or(serde_json::Value::Null))
                .collect();
            // Packs made before display names have no `display_name`
            // member, and a record with no server login (made on a file, or
            // before logins were recorded) no `server_login`: null, as the
            // chain hashed it.
            let missing: Vec<&str> = CONTENT_NAMES
                .iter()
                .filter(|k| !OPTIONAL_MEMBERS.contains(k) && !record.contains_key(**k))
                .copied()
                .collect();
            if !missing.is_empty() {
                v.record_problem(line_no, id, &format!("lacks {}", missing.join(", ")));
            } else if values[0] != line.id {
                v.record_problem(line_no, id, "holds a record with another id");
            } else if link(&prev_hash, &canonical_json(&values)) != hash {
                v.record_problem(
                    line_no,
                    id,
                    "was changed after it was written (its content does not match its hash)",
                );
            }
        }
        prev = hash;
    }
    let head = (records > 0).then_some(prev);
    if head != m.audit.head {
        v.problem(
            AUDIT_FILE,
            &format!(
                "ends at {} but the manifest's audit head is {}: records were removed or added at the end",
                head.as_deref().unwrap_or("no record"),
                m.audit.head.as_deref().unwrap_or("no record")
            ),
        );
    }
    // Each member that says how many records the pack holds is named
    // with its own figure (two that agree, together).
    let said = [
        ("audit.records", m.audit.records),
        ("counts.audit_records", m.counts.audit_records),
    ];
    let wrong: Vec<&(&str, usize)> = said.iter().filter(|(_, n)| *n != records).collect();
    let held = crate::error::plural(records, "record");
    match wrong.as_slice() {
        [] => {}
        [(a, x), (b, y)] if x == y => v.problem(
            AUDIT_FILE,
            &format!("holds {held}, but the manifest's {a} and {b} say {x}"),
        ),
        wrong => {
            for (member, n) in wrong {
                v.problem(
                    AUDIT_FILE,
                    &format!("holds {held}, but the manifest's {member} says {n}"),
                );
            }
        }
    }
    Ok(())
}

/// The longest line of `audit.jsonl` read: longer than any audit record
/// (as the reading of its last line when a pack is settled), so that a
/// line without end is not held in memory.
pub(super) const LONGEST_AUDIT_LINE: usize = 64 * 1024 * 1024;

/// What [`next_line`] read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Line {
    /// Nothing: the file ended.
    End,
    /// A line, in full (with its `\n` when it has one).
    Read,
    /// A line longer than [`LONGEST_AUDIT_LINE`]: its start only.
    TooLong,
}

/// The next line of `reader` into `line` (cleared first), unless it is
/// longer than [`LONGEST_AUDIT_LINE`] bytes (not counting its `\n`).
pub(super) fn next_line(reader: &mut impl BufRead, line: &mut Vec<u8>) -> io::Result<Line> {
    use std::io::Read as _;
    line.clear();
    let longest = LONGEST_AUDIT_LINE as u64 + 1;
    let read = reader.by_ref().take(longest).read_until(b'\n', line)?;
    Ok(if read == 0 {
        Line::End
    } else if line.last() != Some(&b'\n') && read as u64 == longest {
        Line::TooLong
    } else {
        Line::Read
    })
}

/// Passes over the rest of a line [`next_line`] found too long, reading
/// it in pieces.
pub(super) fn pass_line(reader: &mut impl BufRead) -> io::Result<()> {
    loop {
        let piece = reader.fill_buf()?;
        if piece.is_empty() {
            return Ok(());
        }
        if let Some(end) = piece.iter().position(|&b| b == b'\n') {
            reader.consume(end + 1);
            return Ok(());
        }
        let all = piece.len();
        reader.consume(all);
    }
}

fn check_cds(
    dir: &Path,
    m: &Manifest,
    files: &FileCheck,
    progress: &dyn Progress,
    steps: u32,
    v: &mut Verdict,
) -> Result<(), AppError> {
    let listing = dir.join(LISTING_FILE);
    if progress.is_cancelled() {
        return Err(AppError::cancelled());
    }
    progress.step(2, steps);
    progress.update(Phase::PackListing, 0, None);
    // Each EAC of the listing and of the bundle, by id, to compare the two
    // (only when the listing itself is valid).
    let mut parts: Option<Parts> = None;
    let (listing_file, there) =
        match open_in_pack(&listing).map_err(|e| AppError::io(&listing, &e))? {
            InPack::File(file) => (Some(file), true),
            InPack::Missing => (None, false),
            InPack::Not(kind) => {
                v.once(LISTING_FILE, &not_read(LISTING_FILE, kind));
                (None, true)
            }
        };
    let reread = |file| rewound(file).map_err(|e| AppError::io(&listing, &e));
    if let Some(file) = &listing_file {
        let report = crate::validate::validate_p1(reread(file)?, &listing, true)?;
        for e in report.errors.iter().take(NAMED * 4) {
            v.problem(
                LISTING_FILE,
                &format!("breaks a rule at {}: {}", pointer(&e.pointer), e.message),
            );
        }
        if report.errors.is_empty() {
            let mut kept = Parts::new()?;
            let (mut eacs, mut values, mut sums) = (0, 0, UnitSums::default());
            each_listing_eac_in(reread(file)?, &listing, |eac| {
                eacs += 1;
                values += eac.values.len();
                for v in &eac.values {
                    sums.add(v.unit, &v.value);
                }
                kept.listed(&eac)
            })?;
            parts = Some(kept);
            if eacs != m.counts.eacs || values != m.counts.values {
                v.problem(
                    MANIFEST_FILE,
                    &format!(
                        "counts {} EACs and {} values, but {LISTING_FILE} holds {} and {values}",
                        m.counts.eacs, m.counts.values, eacs
                    ),
                );
            }
            let totals = quantity_totals(&sums.totals());
            if totals != m.totals {
                let words = |t: &[QuantityTotal]| {
                    t.iter()
                        .map(|q| format!("{} {}", q.total, q.unit))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                v.problem(
                    MANIFEST_FILE,
                    &format!(
                        "gives the totals {} but {LISTING_FILE} adds up to {}",
                        words(&m.totals),
                        words(&totals)
                    ),
                );
            }
        }
    } else if !files.lists_listing && !there {
        v.problem(LISTING_FILE, "is missing: every pack holds the P1 listing");
    }
    let bundle = dir.join(P2_DIR);
    if progress.is_cancelled() {
        return Err(AppError::cancelled());
    }
    let eacs = Some(m.counts.eacs as u64);
    progress.step(3, steps);
    progress.update(Phase::PackBundle, 0, eacs);
    let opened = open_bundle(dir, files, v)?;
    if let Bundle::Open(opened) = opened {
        let bundle_listing = format!("{P2_DIR}/{BUNDLE_LISTING}");
        let mut failed: Option<AppError> = None;
        let report = crate::p2::validate_pack_bundle(
            &bundle,
            opened,
            progress,
            eacs,
            &mut |env, detail| {
                let id = env.cds_eac_id.as_str();
                let kept = match detail {
                    PackDetail::Read(eac, label) => {
                        let file = relative(dir, Path::new(label));
                        match parts.as_mut() {
                            Some(p) => p.bundled(id, Some(eac), &file),
                            None => Ok(()),
                        }
                    }
                    PackDetail::Missing(path) => {
                        let file = relative(dir, path);
                        if !files.missing_more && !files.missing.contains(&file) {
                            v.problem(
                            &bundle_listing,
                            &format!(
                                "names {file} as the detail file of EAC `{}`, but the pack holds no such file and its manifest does not list it",
                                eac_model::quote(id)
                            ),
                        );
                        }
                        match parts.as_mut() {
                            Some(p) => p.bundled(id, None, &file),
                            None => Ok(()),
                        }
                    }
                    PackDetail::Unread => match parts.as_mut() {
                        Some(p) => p.bundled(id, None, ""),
                        None => Ok(()),
                    },
                };
                if let Err(e) = kept {
                    failed.get_or_insert(e);
                }
            },
        )?;
        if let Some(e) = failed {
            return Err(e);
        }
        progress.update(Phase::PackBundle, m.counts.eacs as u64, eacs);
        for e in report.errors.iter().take(NAMED * 4) {
            let file = e
                .file
                .as_deref()
                .and_then(|f| Path::new(f).strip_prefix(dir).ok())
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_else(|| P2_DIR.to_owned());
            v.problem(
                &file,
                &format!("breaks a rule at {}: {}", pointer(&e.pointer), e.message),
            );
        }
        if let Some(parts) = parts.as_mut() {
            if report.errors.is_empty() {
                parts.compare(&bundle_listing, v)?;
            }
        }
    } else if matches!(opened, Bundle::Missing) && !files.lists_bundle {
        v.problem(P2_DIR, "is missing: every pack holds the P2 bundle");
    }
    Ok(())
}

/// The pack's P2 bundle, its own files opened as the pack's are.
enum Bundle {
    Open(crate::p2::BundleFiles),
    /// No bundle (nor folder) is there.
    Missing,
    /// Not checked: why is in the verdict.
    Unread,
}

/// Opens the bundle's listing and server metadata when `p2/` and its
/// `eacs/` are real folders and they are regular files; anything else
/// is named (once: the walk of the folder named it already) and the
/// bundle is not checked, its links never followed.
fn open_bundle(dir: &Path, files: &FileCheck, v: &mut Verdict) -> Result<Bundle, AppError> {
    let bundle = dir.join(P2_DIR);
    match fs::symlink_metadata(&bundle) {
        Ok(meta) if meta.is_dir() => {}
        // A file in its place: named as added, the bundle as missing.
        Ok(meta) if meta.is_file() => return Ok(Bundle::Missing),
        Ok(meta) => {
            v.once(P2_DIR, &not_read(P2_DIR, kind_words(&meta.file_type())));
            return Ok(Bundle::Unread);
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Bundle::Missing),
        Err(e) => return Err(AppError::io(&bundle, &e)),
    }
    let details = format!("{P2_DIR}/{BUNDLE_DETAILS}");
    match fs::symlink_metadata(dir.join(&details)) {
        Ok(meta) if !meta.is_dir() => {
            v.once(&details, &not_read(&details, kind_words(&meta.file_type())));
            return Ok(Bundle::Unread);
        }
        // Missing: the manifest's files it lists are.
        _ => {}
    }
    let mut open = |name: &str| -> Result<Option<Option<fs::File>>, AppError> {
        let file = format!("{P2_DIR}/{name}");
        let path = dir.join(&file);
        match open_in_pack(&path).map_err(|e| AppError::io(&path, &e))? {
            InPack::File(f) => Ok(Some(Some(f))),
            InPack::Missing => Ok(Some(None)),
            InPack::Not(kind) => {
                v.once(&file, &not_read(&file, kind));
                Ok(None)
            }
        }
    };
    let (Some(listing), Some(metadata)) = (open(BUNDLE_LISTING)?, open(BUNDLE_METADATA)?) else {
        return Ok(Bundle::Unread);
    };
    let Some(listing) = listing else {
        let file = format!("{P2_DIR}/{BUNDLE_LISTING}");
        if !files.missing.contains(&file) {
            v.problem(&file, "is missing, so the P2 bundle was not checked");
        }
        return Ok(Bundle::Unread);
    };
    Ok(Bundle::Open(crate::p2::BundleFiles { listing, metadata }))
}

/// `path` inside the pack `dir` as the manifest names it (`p2/eacs/x.json`).
fn relative(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The EACs of `eacs.json` and of the P2 bundle, kept by id in a scratch
/// file (a pack may hold a million; the two list them in different
/// orders) as digests of their whole content, to say where the two parts
/// of the pack disagree.
struct Parts {
    spill: eac_store::Spill,
}

/// A record of [`Parts`]: from `eacs.json`, then its digest.
const LISTED: char = '1';
/// From the bundle: its digest (`-` when its detail file was not read),
/// a tab, its detail file.
const BUNDLED: char = '2';

impl Parts {
    fn new() -> Result<Parts, AppError> {
        Ok(Parts {
            spill: eac_store::Spill::new().map_err(not_compared)?,
        })
    }

    fn listed(&mut self, eac: &eac_model::Eac) -> Result<(), AppError> {
        let record = format!("{LISTED}{}", hex::encode(eac_digest(eac)));
        self.spill
            .push(eac.cds_eac_id.as_bytes(), &record)
            .map_err(not_compared)
    }

    fn bundled(
        &mut self,
        id: &str,
        eac: Option<&eac_model::Eac>,
        file: &str,
    ) -> Result<(), AppError> {
        let digest = eac.map_or_else(|| "-".to_owned(), |e| hex::encode(eac_digest(e)));
        self.spill
            .push(id.as_bytes(), &format!("{BUNDLED}{digest}\t{file}"))
            .map_err(not_compared)
    }

    /// Every EAC the two parts do not state alike, the first [`NAMED`]
    /// by name and the rest counted.
    fn compare(&mut self, bundle_listing: &str, v: &mut Verdict) -> Result<(), AppError> {
        self.spill.finish().map_err(not_compared)?;
        let mut found: Vec<(String, String)> = Vec::new();
        let mut more = 0usize;
        let mut note = |file: String, message: String| {
            if found.len() < NAMED {
                found.push((file, message));
            } else {
                more += 1;
            }
        };
        // One id's records: the listing's digest, the bundle's (and file).
        let mut current: Option<String> = None;
        let mut listed: Option<String> = None;
        let mut bundled: Option<(String, String)> = None;
        let mut settle = |id: &str, listed: Option<String>, bundled: Option<(String, String)>| {
            let id = eac_model::quote(id);
            match (listed, bundled) {
                (Some(_), None) => note(
                    bundle_listing.to_owned(),
                    format!("does not list EAC `{id}`, which {LISTING_FILE} holds: the P2 bundle and the P1 listing of the pack disagree"),
                ),
                (None, Some(_)) => note(
                    LISTING_FILE.to_owned(),
                    format!("does not hold EAC `{id}`, which {bundle_listing} lists: the P1 listing and the P2 bundle of the pack disagree"),
                ),
                (Some(a), Some((b, file))) if b != "-" && a != b => note(
                    file,
                    format!("does not state EAC `{id}` as {LISTING_FILE} does: the P2 bundle and the P1 listing of the pack disagree"),
                ),
                _ => {}
            }
        };
        self.spill
            .each(&mut |key, record| {
                let id = String::from_utf8_lossy(key);
                if current.as_deref() != Some(&*id) {
                    if let Some(done) = current.replace(id.into_owned()) {
                        settle(&done, listed.take(), bundled.take());
                    }
                }
                if let Some(digest) = record.strip_prefix(LISTED) {
                    listed.get_or_insert_with(|| digest.to_owned());
                } else if let Some(rest) = record.strip_prefix(BUNDLED) {
                    let (digest, file) = rest.split_once('\t').unwrap_or((rest, ""));
                    bundled.get_or_insert_with(|| (digest.to_owned(), file.to_owned()));
                }
                Ok(())
            })
            .map_err(not_compared)?;
        if let Some(done) = current.take() {
            settle(&done, listed.take(), bundled.take());
        }
        for (file, message) in found {
            v.problem(&file, &message);
        }
        if more > 0 {
            v.problem(
                bundle_listing,
                &format!(
                    "and {LISTING_FILE} disagree about {more} more EAC{}",
                    if more == 1 { "" } else { "s" }
                ),
            );
        }
        Ok(())
    }
}

/// The scratch file comparing the pack's parts failed.
fn not_compared(e: io::Error) -> AppError {
    AppError::scratch(
        &std::env::temp_dir(),
        &e,
        [
            "keep the EACs of the pack's listing and bundle",
            " while comparing them",
        ],
        "The pack was not changed",
        "check it again",
    )
}

fn pointer(p: &str) -> &str {
    if p.is_empty() {
        "the top"
    } else {
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest_text(files: usize) -> String {
        let file = |i: usize| {
            format!(
                r#"{{"path": "p2/eacs/{i:03}.json", "size": {i}, "sha256": "{:064x}"}}"#,
                i
            )
        };
        let files: Vec<String> = (0..files).map(file).collect();
        format!(
            r#"{{"format": "eacdesk-pack-v1", "title": "t", "created_at": "2026-12-05T10:00:00Z",
  "program": {{"name": "EAC Desk", "version": "1"}}, "filter": {{}}, "selection": "all",
  "counts": {{"eacs": 1, "values": 2, "sources": 0, "audit_records": 0}},
  "totals": [{{"unit": "MWh", "total": "1000.0"}}], "closed_periods": [],
  "audit": {{"head": null, "records": 0}},
  "files": [{}],
  "key": {{"algorithm": "ed25519", "public_key": "ab", "fingerprint": "cd"}}}}
"#,
            files.join(",\n")
        )
    }

    fn read(text: &str, each: impl FnMut(ManifestFile) -> bool) -> Result<Manifest, ManifestError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(MANIFEST_FILE);
        fs::write(&path, text).unwrap();
        read_manifest(fs::File::open(&path).unwrap(), each)
    }

    #[test]
    fn the_streamed_manifest_is_the_derived_one_without_its_list() {
        let text = manifest_text(300);
        let mut whole: Manifest = serde_json::from_str(&text).unwrap();
        let mut seen = Vec::new();
        let streamed = read(&text, |f| {
            seen.push(f);
            true
        })
        .unwrap();
        assert_eq!(seen, whole.files, "every entry, in the order written");
        whole.files.clear();
        assert_eq!(streamed, whole);

        // `each` stops the reading.
        let mut n = 0;
        let stopped = read(&text, |_| {
            n += 1;
            n < 10
        });
        assert!(matches!(stopped, Err(ManifestError::Stopped)));
        assert_eq!(n, 10);

        // What the derived reading refuses is refused.
        let refused = |text: &str| match read(text, |_| true) {
            Err(ManifestError::Json(e)) => e.to_string(),
            other => panic!("{:?}", other.map(|m| m.title)),
        };
        let no_files = text.replace(r#""files": ["#, r#""elif": ["#);
        assert!(refused(&no_files).contains("missing field `files`"));
        let files_twice = text.replace(r#""key":"#, r#""files": [], "key":"#);
        assert!(refused(&files_twice).contains("duplicate field `files`"));
        let title_twice = text.replace(r#""selection":"#, r#""title": "u", "selection":"#);
        assert!(refused(&title_twice).contains("duplicate field `title`"));
        assert!(refused(&format!("{text} []")).contains("trailing characters"));
        assert!(refused(&text.replace(r#""size": 7,"#, r#""size": -7,"#)).contains("line"));
        assert!(refused("[]").contains("expected an EAC Desk pack manifest"));
    }

    /// What EAC Desk writes (and 0.1.0 wrote) is read; any other byte is
    /// named (decision 286).
    #[test]
    fn only_the_signature_file_as_written_is_read() {
        let sig = "0123456789abcdef".repeat(8);
        fn form(bytes: &[u8]) -> Result<&str, String> {
            signature_form(&bytes[..bytes.len().min(130)], bytes.len() as u64)
        }
        assert_eq!(form(format!("{sig}\n").as_bytes()), Ok(sig.as_str()));
        assert_eq!(form(sig.as_bytes()), Ok(sig.as_str()), "as 0.1.0 wrote it");
        let refused = |bytes: Vec<u8>| form(&bytes).unwrap_err();
        let with = |before: &[u8], after: &[u8]| [before, sig.as_bytes(), after].concat();
        assert_eq!(
            refused(with(b"", b"\n\n")),
            "holds 1 more byte after the line end"
        );
        assert_eq!(
            refused(with(b"", b"\n\r\n \n\n")),
            "holds 5 more bytes after the line end"
        );
        let mut long = with(b"", b"\n");
        long.extend(vec![b' '; 1 << 20]);
        assert_eq!(refused(long), "holds 1048576 more bytes after the line end");
        assert_eq!(
            refused(with(b"", b"\r\n")),
            "holds a carriage return after the signature, where only a line end belongs"
        );
        assert_eq!(
            refused(with(b"", b" \n")),
            "holds a space after the signature, where only a line end belongs"
        );
        assert_eq!(refused(with(b"", b"0\n")), "holds more than 128 hex digits");
        assert_eq!(
            refused(with(b"", b"\nsecond line\n")),
            "holds 12 more bytes after the line end"
        );
        assert_eq!(
            refused(with(b" ", b"\n")),
            "has a space at byte 1, where a hex digit belongs"
        );
        assert_eq!(
            refused(with(&[0xEF, 0xBB, 0xBF], b"\n")),
            "begins with a byte order mark"
        );
        assert_eq!(
            refused(with(b"\0", b"\n")),
            "has a NUL byte at byte 1, where a hex digit belongs"
        );
        assert_eq!(
            refused(format!("{}\n", sig.replacen('a', "A", 1)).into_bytes()),
            "has the upper-case hex digit `A` at byte 11"
        );
        assert_eq!(
            refused(format!("{}\n", &sig[..100]).into_bytes()),
            "has a line end at byte 101, where a hex digit belongs"
        );
        assert_eq!(
            refused(sig.as_bytes()[..100].to_vec()),
            "ends after 100 hex digits"
        );
        assert_eq!(refused(Vec::new()), "is empty");
        assert_eq!(
            refused(format!("{}é\n", &sig[..3]).into_bytes()),
            "has the byte 0xC3 at byte 4, where a hex digit belongs"
        );
    }

    #[test]
    fn an_expected_key_is_a_fingerprint_in_any_spelling() {
        let digits = "9a292a8a1b015ff048be267fcac548bf";
        for spelling in [
            "9a29-2a8a-1b01-5ff0-48be-267f-cac5-48bf",
            "9A29-2A8A-1B01-5FF0-48BE-267F-CAC5-48BF",
            digits,
            " 9a29 2a8a 1b01 5ff0 48be 267f cac5 48bf\n",
            "9a:29:2a:8a:1b:01:5f:f0:48:be:26:7f:ca:c5:48:bf",
        ] {
            assert_eq!(
                fingerprint_digits(spelling).as_deref(),
                Ok(digits),
                "{spelling}"
            );
        }
        let refused = |text: &str| fingerprint_digits(text).unwrap_err();
        assert_eq!(refused("9a29"), "it holds 4 hex digits");
        assert_eq!(
            refused("9a29-2a8a-1b01-5ff0-48be-267f-cac5-48bf-0"),
            "it holds 33 hex digits"
        );
        assert_eq!(refused(""), "it is empty");
        assert_eq!(refused("  "), "it is empty");
        assert_eq!(refused("--"), "it holds no hex digit");
        assert_eq!(
            refused("9a29-2a8a-1b01-5ff0-48be-267f-cac5-48bz"),
            "`z` is not a hex digit"
        );
        assert_eq!(refused("9a29_2a8a"), "`_` is not a hex digit");
    }

    #[test]
    fn a_malformed_expected_key_is_refused_before_the_pack_is_read() {
        // No such folder: the key is refused first, as invalid input.
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no pack here");
        let e = verify_pack(&missing, Some("9a29")).unwrap_err();
        assert_eq!(e.code, crate::ErrorCode::InvalidInput);
        assert!(e.message.contains("The expected key `9a29` is not a key fingerprint: it holds 4 hex digits. A fingerprint is 32 hex digits"), "{}", e.message);
        let e = verify_pack(&missing, Some("")).unwrap_err();
        assert!(
            e.message
                .starts_with("The expected key is empty. A fingerprint"),
            "{}",
            e.message
        );
        // A well-formed one reaches the folder.
        let e = verify_pack(&missing, Some("0123-4567-89ab-cdef-0123-4567-89ab-cdef")).unwrap_err();
        assert_eq!(e.code, crate::ErrorCode::Io, "{}", e.message);
    }

    #[test]
    fn manifest_paths_must_stay_inside_the_pack() {
        assert!(safe_relative("p2/eacs/a.json"));
        for bad in ["", "../x", "/etc/passwd", "a/../../b", "a\\b", "./a"] {
            assert!(!safe_relative(bad), "{bad}");
        }
    }
}
