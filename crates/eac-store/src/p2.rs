//! Profile P2 (CDS-WG3-01 v1) as files: the bundle folder (`eacs.json`, one
//! detail file per EAC under `eacs/`, `server-metadata.json`, `FORMAT.md`)
//! written atomically, its import, and the "verified" action that moves
//! `cds_synced`.
//!
//! A bundle is built in a hidden temporary folder next to the destination,
//! checked (per-EAC P1 rules on the detail data, envelope rules, P2 order,
//! rule 18 on the metadata, and whatever the caller adds), synced and only
//! then swapped into place (see [`crate::atomic`]): the destination holds
//! the earlier bundle or the new one at every instant. Every bundle lists
//! the files it owns in a hidden [`BUNDLE_MARKER`]; an existing folder is
//! replaced only when it is empty or holds exactly a bundle's own files,
//! and only those files are removed.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use eac_model::p2::{
    check_envelope, read_eac_document, read_p2_listing, read_server_metadata, EacEnvelope,
    EacFormat, EnvelopeRead, P2ListingChecks, ServerMetadata, EACDESK_FORMAT_ID,
};
use eac_model::{check_eac, CheckOptions, Eac, EacRead, Flow, ListingError, ListingWriter};
use eac_model::{Timestamp, Violation};
use rusqlite::{Connection, Transaction, TransactionBehavior};
use sha2::{Digest, Sha256};
use url::Url;

use crate::atomic;
use crate::import::{MAX_REPORTED, PROGRESS_EVERY};
use crate::query::{push_filter, Sql};
use crate::rows::{self, EAC_COLUMNS};
use crate::{
    BundleReport, EacFilter, FileImportReport, ImportOptions, Progress, Result, StoreError,
};

/// The listing of a bundle.
pub const BUNDLE_LISTING: &str = "eacs.json";
/// The server metadata of a bundle.
pub const BUNDLE_METADATA: &str = "server-metadata.json";
/// The description of EAC Desk's detail format, shipped in every bundle.
pub const BUNDLE_FORMAT_DOC: &str = "FORMAT.md";
/// The folder of detail files inside a bundle.
pub const BUNDLE_DETAILS: &str = "eacs";

/// Most characters of a detail file name taken from the id itself.
const SLUG_MAX: usize = 60;

/// The detail file name of an EAC: a readable ASCII slug of its id (only
/// `[A-Za-z0-9._-]`, others become `_`, no leading dot, at most 60
/// characters), `-`, the first 12 hex digits of SHA-256 of the exact id,
/// `.json`. The hash makes names unique for ids that slug alike (`a/b` and
/// `a\b`, `Ab` and `aB` on a case-insensitive disk, look-alike unicode); the
/// slug never holds a path separator, so the name never leaves `eacs/`.
pub fn detail_file_name(cds_eac_id: &str) -> String {
    let mut slug: String = cds_eac_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .take(SLUG_MAX)
        .collect();
    if slug.starts_with('.') {
        slug.replace_range(0..1, "_");
    }
    if slug.is_empty() {
        slug.push_str("eac");
    }
    let hash = hex::encode(Sha256::digest(cds_eac_id.as_bytes()));
    format!("{slug}-{}.json", &hash[..12])
}

/// Where the published bundle's files are: an https base, or the folder's
/// final location as `file:` URIs.
enum Base {
    Https(Url),
    Folder(PathBuf),
}

impl Base {
    fn url(&self, relative: &str) -> Result<String> {
        match self {
            Base::Https(base) => base
                .join(relative)
                .map(String::from)
                .map_err(|e| StoreError::InvalidInput(format!("{relative}: {e}"))),
            Base::Folder(dir) => Url::from_file_path(dir.join(relative))
                .map(String::from)
                .map_err(|()| {
                    StoreError::InvalidInput(format!(
                        "{}: cannot be written as a file: URL",
                        dir.display()
                    ))
                }),
        }
    }
}

fn parse_base_url(text: &str) -> Result<Url> {
    let mut url = Url::parse(text)
        .map_err(|e| StoreError::InvalidInput(format!("`{text}` is not an absolute URL ({e})")))?;
    if url.scheme() != "https" {
        return Err(StoreError::InvalidInput(format!(
            "the base URL `{text}` must start with https:// (where the bundle will be published)"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(StoreError::InvalidInput(format!(
            "the base URL `{text}` must not have a query or fragment"
        )));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Writes `value` pretty (serde_json's layout) with a final newline, synced.
/// Errors name `label` (where the file will be once the bundle is in place).
fn write_json<T: serde::Serialize>(path: &Path, label: &Path, value: &T) -> Result<()> {
    let file = File::create(path).map_err(io_err(label))?;
    let mut out = BufWriter::new(file);
    // `io::Error::from` keeps the kind of a write error (a full disk).
    serde_json::to_writer_pretty(&mut out, value)
        .map_err(io::Error::from)
        .and_then(|()| out.write_all(b"\n"))
        .map_err(io_err(label))?;
    out.into_inner()
        .map_err(|e| e.into_error())
        .and_then(|f| f.sync_all())
        .map_err(io_err(label))
}

/// The hidden file in every bundle that lists, relative to the bundle
/// folder and with `/` between folders, every file the bundle owns. A
/// later export replaces the folder only while it holds exactly these.
pub const BUNDLE_MARKER: &str = ".eacdesk-bundle";

/// What [`BUNDLE_MARKER`] holds.
#[derive(serde::Serialize, serde::Deserialize)]
struct BundleMarker {
    /// The marker's own format version.
    eacdesk_bundle: u32,
    files: Vec<String>,
}

/// How many foreign entries a refusal names.
const NAMED_FOREIGN: usize = 3;

/// What is at a bundle's destination.
pub(crate) enum Destination {
    Missing,
    /// An empty folder.
    Empty,
    /// A bundle EAC Desk wrote: the files it owns (relative, `/`-separated).
    Bundle(HashSet<String>),
}

/// Whether `dir` may be replaced by a new bundle: an empty folder, or a
/// bundle EAC Desk wrote that holds nothing else (see [`BUNDLE_MARKER`];
/// bundles written before the marker existed count when they hold only
/// `eacs.json`, `server-metadata.json` declaring EAC Desk's format,
/// `FORMAT.md` and `eacs/*.json`).
pub fn is_replaceable_bundle(dir: &Path) -> bool {
    matches!(
        inspect_destination(dir),
        Ok(Destination::Empty | Destination::Bundle(_))
    )
}

/// `eacs/x.json` and the three top-level files: the shape of a bundle.
fn bundle_shaped(relative: &str) -> bool {
    match relative.split_once('/') {
        None => [
            BUNDLE_LISTING,
            BUNDLE_METADATA,
            BUNDLE_FORMAT_DOC,
            BUNDLE_MARKER,
        ]
        .contains(&relative),
        Some((dir, name)) => {
            dir == BUNDLE_DETAILS
                && name.ends_with(".json")
                && !name.starts_with('.')
                && !name.contains('/')
        }
    }
}

/// Every entry of `dir` (no symbolic link followed), as relative paths:
/// regular files in `files`, anything else that is not a folder listed in
/// `walk_into` in `other` (folders end with `/`).
fn entries_of(
    dir: &Path,
    walk_into: &dyn Fn(&str) -> bool,
    files: &mut Vec<String>,
    other: &mut Vec<String>,
) -> Result<()> {
    fn walk(
        root: &Path,
        relative: &str,
        walk_into: &dyn Fn(&str) -> bool,
        files: &mut Vec<String>,
        other: &mut Vec<String>,
    ) -> Result<()> {
        let here = root.join(relative);
        for entry in fs::read_dir(&here).map_err(io_err(&here))? {
            let entry = entry.map_err(io_err(&here))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = if relative.is_empty() {
                name
            } else {
                format!("{relative}/{name}")
            };
            let kind = entry.file_type().map_err(io_err(&entry.path()))?;
            if kind.is_dir() && walk_into(&path) {
                walk(root, &path, walk_into, files, other)?;
            } else if kind.is_dir() {
                other.push(format!("{path}/"));
            } else if kind.is_file() {
                files.push(path);
            } else {
                other.push(path);
            }
        }
        Ok(())
    }
    walk(dir, "", walk_into, files, other)
}

/// `a, b, c and 4 more`.
fn first_few(mut names: Vec<String>) -> String {
    names.sort();
    let more = names.len().saturating_sub(NAMED_FOREIGN);
    names.truncate(NAMED_FOREIGN);
    let mut text = names.join(", ");
    if more > 0 {
        text.push_str(&format!(" and {more} more"));
    }
    text
}

/// Looks at a bundle's destination: missing, an empty folder, or a bundle
/// EAC Desk wrote holding nothing else; anything else is refused
/// (`invalid_input`, naming the first few foreign entries).
pub(crate) fn inspect_destination(dir: &Path) -> Result<Destination> {
    let meta = match fs::symlink_metadata(dir) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Destination::Missing),
        Err(e) => return Err(io_err(dir)(e)),
    };
    let refuse = |why: String| {
        Err(StoreError::InvalidInput(format!(
            "{} {why}; nothing was written. Choose a new or empty folder for the bundle.",
            dir.display()
        )))
    };
    if meta.file_type().is_symlink() {
        return refuse("is a symbolic link, not a folder".to_owned());
    }
    if !meta.is_dir() {
        return refuse("is a file, not a folder".to_owned());
    }
    let marker = dir.join(BUNDLE_MARKER);
    if fs::symlink_metadata(&marker).is_ok_and(|m| m.is_file()) {
        let owned: Option<HashSet<String>> = fs::read_to_string(&marker)
            .ok()
            .and_then(|text| serde_json::from_str::<BundleMarker>(&text).ok())
            .map(|m| m.files.into_iter().collect());
        let Some(owned) = owned else {
            return refuse(format!(
                "holds a {BUNDLE_MARKER} file EAC Desk cannot read, so it cannot tell which files are its own"
            ));
        };
        let folders: HashSet<&str> = owned
            .iter()
            .flat_map(|f| f.match_indices('/').map(move |(i, _)| &f[..i]))
            .collect();
        let (mut files, mut foreign) = (Vec::new(), Vec::new());
        entries_of(dir, &|p| folders.contains(p), &mut files, &mut foreign)?;
        foreign.extend(
            files
                .into_iter()
                .filter(|f| f != BUNDLE_MARKER && !owned.contains(f)),
        );
        if !foreign.is_empty() {
            return Err(StoreError::InvalidInput(format!(
                "{} is an EAC Desk bundle but also holds files EAC Desk did not write ({}); nothing was written and they are untouched. Move them out of the folder, or choose a new folder for the bundle.",
                dir.display(),
                first_few(foreign)
            )));
        }
        return Ok(Destination::Bundle(owned));
    }
    let (mut files, mut foreign) = (Vec::new(), Vec::new());
    entries_of(dir, &|p| p == BUNDLE_DETAILS, &mut files, &mut foreign)?;
    if files.is_empty() && foreign.is_empty() {
        return Ok(Destination::Empty);
    }
    // A bundle written before the marker existed.
    let ours = files.iter().any(|f| f == BUNDLE_LISTING)
        && fs::read_to_string(dir.join(BUNDLE_METADATA))
            .ok()
            .and_then(|text| read_server_metadata(&text).ok())
            .is_some_and(|m| m.format(EACDESK_FORMAT_ID).is_some());
    if !ours {
        foreign.extend(files);
        return refuse(format!(
            "already exists and is not an EAC Desk bundle (it holds {})",
            first_few(foreign)
        ));
    }
    foreign.extend(
        files
            .iter()
            .filter(|f| f.as_str() == BUNDLE_MARKER || !bundle_shaped(f))
            .cloned(),
    );
    if !foreign.is_empty() {
        return Err(StoreError::InvalidInput(format!(
            "{} is an EAC Desk bundle but also holds files EAC Desk did not write ({}); nothing was written and they are untouched. Move them out of the folder, or choose a new folder for the bundle.",
            dir.display(),
            first_few(foreign)
        )));
    }
    Ok(Destination::Bundle(files.into_iter().collect()))
}

/// Removes the files of a bundle folder (those in `owned`, or without a
/// list every bundle-shaped file) and then its folders if empty; anything
/// else stays, and so does the folder holding it. Best effort: what
/// cannot be removed now is removed by a later export to that folder.
pub(crate) fn remove_bundle_files(dir: &Path, owned: Option<&HashSet<String>>) {
    let ours = |relative: &str| match owned {
        Some(set) => relative == BUNDLE_MARKER || set.contains(relative),
        None => bundle_shaped(relative),
    };
    let remove = |relative: &str| {
        let path = dir.join(relative);
        if ours(relative) && fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
            let _ = fs::remove_file(&path);
        }
    };
    if let Ok(entries) = fs::read_dir(dir.join(BUNDLE_DETAILS)) {
        for entry in entries.flatten() {
            if let Some(name) = entry.file_name().to_str() {
                remove(&format!("{BUNDLE_DETAILS}/{name}"));
            }
        }
    }
    let _ = fs::remove_dir(dir.join(BUNDLE_DETAILS));
    for name in [
        BUNDLE_LISTING,
        BUNDLE_METADATA,
        BUNDLE_FORMAT_DOC,
        BUNDLE_MARKER,
    ] {
        remove(name);
    }
    let _ = fs::remove_dir(dir);
}

/// Where a bundle was published as files: the folder its metadata's
/// `file:` listing URL names (`None` for https bundles or unreadable ones).
pub(crate) fn bundle_home(dir: &Path) -> Option<PathBuf> {
    let text = fs::read_to_string(dir.join(BUNDLE_METADATA)).ok()?;
    let api = read_server_metadata(&text).ok()?.cds_eacs_api?;
    let listing = Url::parse(&api).ok()?.to_file_path().ok()?;
    (listing.file_name()? == BUNDLE_LISTING)
        .then(|| listing.parent().map(Path::to_owned))
        .flatten()
}

/// A check run on the finished (still hidden) bundle folder before it is
/// renamed into place; its errors stop the export.
pub type BundleCheck<'a> = &'a dyn Fn(&Path) -> Vec<Violation>;

pub(crate) fn export_p2(
    conn: &Connection,
    filter: Option<&EacFilter>,
    dest: &Path,
    base_url: Option<&str>,
    progress: &dyn Progress,
    extra_check: BundleCheck<'_>,
) -> Result<BundleReport> {
    let name = dest.file_name().ok_or_else(|| {
        StoreError::InvalidInput(format!("{}: not a folder name", dest.display()))
    })?;
    let parent = atomic::folder_of(dest);
    let parent = parent.canonicalize().map_err(io_err(parent))?;
    let final_dir = parent.join(name);
    let base = match base_url {
        Some(text) => Base::Https(parse_base_url(text)?),
        None => Base::Folder(final_dir.clone()),
    };
    // An earlier export stopped half-way is repaired before the
    // destination is judged.
    atomic::recover_folder(&parent)?;
    let previous = inspect_destination(&final_dir)?;
    let default_filter = EacFilter::default();
    let filter = filter.unwrap_or(&default_filter);

    // Removed on every early return; locked while it is built so another
    // export's clean-up leaves it alone.
    let (temp, _building) = atomic::temp_dir_beside(&parent, &final_dir)?;
    let root = temp.path().to_owned();
    // Errors name where a file will be, never the hidden folder.
    let shown = |path: &Path| final_dir.join(path.strip_prefix(&root).unwrap_or(path));
    let details = root.join(BUNDLE_DETAILS);
    fs::create_dir(&details).map_err(io_err(&shown(&details)))?;
    let listing_path = root.join(BUNDLE_LISTING);
    let listing_shown = shown(&listing_path);
    let listing_file = File::create(&listing_path).map_err(io_err(&listing_shown))?;
    let mut writer = ListingWriter::begin(BufWriter::with_capacity(1 << 16, listing_file))
        .map_err(io_err(&listing_shown))?;

    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Deferred)?;
    let mut count_sql = Sql::new("SELECT COUNT(*) FROM eacs e");
    push_filter(&mut count_sql, filter)?;
    let total: i64 = tx
        .prepare_cached(&count_sql.text)?
        .query_row(count_sql.params(), |row| row.get(0))?;
    let total = u64::try_from(total).unwrap_or(0);

    let mut sql = Sql::new(&format!("SELECT {EAC_COLUMNS}, e.cds_synced FROM eacs e"));
    push_filter(&mut sql, filter)?;
    // Storage text is fixed-width UTC, so text order is instant order;
    // BINARY collation of UTF-8 is code-point order.
    sql.push(" ORDER BY e.period_start DESC, e.cds_created DESC, e.cds_eac_id ASC");
    let mut stmt = tx.prepare(&sql.text)?;
    let mut rows = stmt.query(sql.params())?;

    let check = CheckOptions::validate().with_extended_technologies(true);
    let mut listing_checks = P2ListingChecks::default();
    let mut errors: Vec<Violation> = Vec::new();
    let mut names: HashSet<String> = HashSet::new();
    // Every file the bundle owns, for its marker.
    let mut owned: Vec<String> = vec![
        BUNDLE_LISTING.to_owned(),
        BUNDLE_METADATA.to_owned(),
        BUNDLE_FORMAT_DOC.to_owned(),
    ];
    let mut eac_count = 0usize;
    let mut last_progress = Instant::now();
    let listing_label = listing_shown.display().to_string();
    let now = Timestamp::now();
    // Envelope-only EACs have none of the fields the filters look at: they
    // belong to an unfiltered export only.
    let unfiltered = *filter == EacFilter::default();
    let envelopes = if unfiltered {
        load_envelopes(&tx)?
    } else {
        Vec::new()
    };
    // Their formats must be declared too (rule 18).
    let mut foreign_formats: Vec<String> = envelopes.iter().map(|e| e.eac_format.clone()).collect();
    foreign_formats.sort();
    foreign_formats.dedup();
    foreign_formats.retain(|f| f != EACDESK_FORMAT_ID);
    let mut envelopes = envelopes.into_iter().peekable();
    let mut detail_count = 0usize;
    let emit = |env: &EacEnvelope,
                writer: &mut ListingWriter<BufWriter<File>>,
                checks: &mut P2ListingChecks,
                errors: &mut Vec<Violation>,
                count: &mut usize|
     -> Result<()> {
        let at = format!("/eacs/{count}");
        errors.extend(
            check_envelope(env, &at)
                .into_iter()
                .chain(checks.check(env, &at))
                .filter(Violation::is_error)
                .map(|v| v.with_file(&listing_label)),
        );
        if errors.is_empty() {
            writer.write_item(env).map_err(io_err(&listing_shown))?;
        }
        *count += 1;
        Ok(())
    };
    while let Some(row) = rows.next()? {
        if progress.is_cancelled() {
            return Err(StoreError::Cancelled);
        }
        let (id, mut eac) = rows::eac_head(row)?;
        let synced = rows::parsed_opt(row, 20, rows::timestamp)?.unwrap_or(now);
        rows::load_children(&tx, id, &mut eac)?;
        let file_name = detail_file_name(&eac.cds_eac_id);
        let relative = format!("{BUNDLE_DETAILS}/{file_name}");
        let detail_shown = final_dir.join(&relative);
        let detail_label = detail_shown.display().to_string();
        errors.extend(
            check_eac(&eac, "", check)
                .into_iter()
                .filter(Violation::is_error)
                .map(|v| v.with_file(&detail_label)),
        );
        if !names.insert(file_name.to_ascii_lowercase()) {
            errors.push(
                Violation::error(
                    7,
                    "/cds_eac_id",
                    format!("two EACs map to the detail file name `{file_name}`"),
                )
                .with_eac(Some(&eac.cds_eac_id))
                .with_file(&detail_label),
            );
        }
        let envelope = EacEnvelope::of(&eac, synced, EACDESK_FORMAT_ID, base.url(&relative)?);
        // Envelope-only EACs that come first in P2 order go before this one.
        while envelopes
            .peek()
            .is_some_and(|e| e.p2_order_key() < envelope.p2_order_key())
        {
            let only = envelopes.next().expect("peeked");
            emit(
                &only,
                &mut writer,
                &mut listing_checks,
                &mut errors,
                &mut eac_count,
            )?;
        }
        if errors.is_empty() {
            write_json(&details.join(&file_name), &detail_shown, &eac)?;
            owned.push(relative);
        }
        emit(
            &envelope,
            &mut writer,
            &mut listing_checks,
            &mut errors,
            &mut eac_count,
        )?;
        detail_count += 1;
        if errors.len() >= MAX_REPORTED {
            errors.truncate(MAX_REPORTED);
            break;
        }
        if last_progress.elapsed() >= PROGRESS_EVERY {
            last_progress = Instant::now();
            progress.update(crate::Phase::Export, eac_count as u64, Some(total));
        }
    }
    if errors.len() < MAX_REPORTED {
        for only in envelopes {
            emit(
                &only,
                &mut writer,
                &mut listing_checks,
                &mut errors,
                &mut eac_count,
            )?;
        }
    }
    drop(rows);
    drop(stmt);
    tx.commit()?;
    if !errors.is_empty() {
        return Err(StoreError::Rules {
            file: final_dir.display().to_string(),
            violations: errors,
        });
    }
    if progress.is_cancelled() {
        return Err(StoreError::Cancelled);
    }
    progress.update(crate::Phase::Export, eac_count as u64, Some(total));
    writer
        .finish()
        .map_err(io::Error::other)
        .and_then(|w| w.into_inner().map_err(|e| e.into_error()))
        .and_then(|f| f.sync_all())
        .map_err(io_err(&listing_shown))?;

    let mut formats = vec![(
        EACDESK_FORMAT_ID.to_owned(),
        EacFormat::eacdesk(base.url(BUNDLE_FORMAT_DOC)?),
    )];
    for id in foreign_formats {
        let format = EacFormat {
            id: id.clone(),
            name: id.clone(),
            description: "The format of the EAC's source, passed through unchanged: EAC Desk holds only the envelope of these EACs and their eac_data_url points at the source".to_owned(),
            documentation: base.url(BUNDLE_FORMAT_DOC)?,
        };
        formats.push((id, format));
    }
    let metadata = ServerMetadata {
        cds_customerdata_version: "v1".to_owned(),
        cds_eacs_api: Some(base.url(BUNDLE_LISTING)?),
        cds_eac_formats: formats,
    };
    let metadata_path = root.join(BUNDLE_METADATA);
    let metadata_shown = shown(&metadata_path);
    write_json(&metadata_path, &metadata_shown, &metadata)?;
    let metadata_text = fs::read_to_string(&metadata_path).map_err(io_err(&metadata_shown))?;
    if let Err(violations) = read_server_metadata(&metadata_text) {
        let label = metadata_shown.display().to_string();
        return Err(StoreError::Rules {
            file: label.clone(),
            violations: violations
                .into_iter()
                .map(|v| v.with_file(&label))
                .collect(),
        });
    }
    let doc_path = root.join(BUNDLE_FORMAT_DOC);
    fs::write(&doc_path, FORMAT_DOC)
        .and_then(|()| File::open(&doc_path)?.sync_all())
        .map_err(io_err(&shown(&doc_path)))?;

    // The caller's check (the JSON Schemas) sees the bundle before anyone else.
    let found: Vec<Violation> = extra_check(&root)
        .into_iter()
        .filter(Violation::is_error)
        .collect();
    if !found.is_empty() {
        return Err(StoreError::Rules {
            file: final_dir.display().to_string(),
            violations: found,
        });
    }
    // Written last: a folder with the marker is complete.
    owned.sort();
    let marker_path = root.join(BUNDLE_MARKER);
    write_json(
        &marker_path,
        &shown(&marker_path),
        &BundleMarker {
            eacdesk_bundle: 1,
            files: owned,
        },
    )?;
    atomic::sync_dir(&details).map_err(io_err(&final_dir))?;
    atomic::sync_dir(&root).map_err(io_err(&final_dir))?;
    let sha256 = {
        let bytes = fs::read(&listing_path).map_err(io_err(&listing_shown))?;
        hex::encode(Sha256::digest(&bytes))
    };
    atomic::crash_point("bundle-before-swap");
    swap_in(temp, &final_dir, previous)?;
    Ok(BundleReport {
        path: final_dir.display().to_string(),
        sha256,
        eac_count,
        file_count: detail_count + 3,
    })
}

/// Puts the finished bundle folder `temp` at `dest` so that `dest` holds
/// the earlier content or the new bundle at every instant, then removes
/// the earlier bundle's own files.
fn swap_in(temp: tempfile::TempDir, dest: &Path, previous: Destination) -> Result<()> {
    let parent = atomic::folder_of(dest);
    let root = temp.path().to_owned();
    let owned = match previous {
        Destination::Missing => {
            fs::rename(&root, dest).map_err(io_err(dest))?;
            // The folder now lives at `dest`: nothing is left to clean up.
            let _ = temp.keep();
            return atomic::sync_dir(parent).map_err(io_err(dest));
        }
        Destination::Empty => HashSet::new(),
        Destination::Bundle(owned) => owned,
    };
    // The new folder keeps the mode of the one it replaces.
    if let Ok(meta) = fs::metadata(dest) {
        fs::set_permissions(&root, meta.permissions()).map_err(io_err(dest))?;
    }
    if atomic::exchange(&root, dest).map_err(io_err(dest))? {
        // `root` now names the earlier bundle.
        let _ = temp.keep();
        atomic::sync_dir(parent).map_err(io_err(dest))?;
        atomic::crash_point("bundle-after-swap");
        remove_bundle_files(&root, Some(&owned));
        return Ok(());
    }
    // No atomic exchange here: move the earlier bundle aside, locked so a
    // concurrent export's repair leaves it alone, then the new one in. The
    // next export to this folder repairs a stop between the two.
    let aside = parent.join(format!(
        "{}{}",
        atomic::ASIDE_PREFIX,
        dest.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
    ));
    let _held = atomic::try_lock(dest);
    fs::rename(dest, &aside).map_err(io_err(dest))?;
    atomic::crash_point("bundle-between-renames");
    if let Err(e) = fs::rename(&root, dest) {
        return Err(match fs::rename(&aside, dest) {
            Ok(()) => io_err(dest)(e),
            Err(restore) => StoreError::Io {
                path: dest.to_owned(),
                source: io::Error::new(
                    e.kind(),
                    format!(
                        "{e}; the earlier bundle is in {} and could not be put back ({restore}). Rename that folder to {} by hand",
                        aside.display(),
                        dest.display()
                    ),
                ),
            },
        });
    }
    let _ = temp.keep();
    atomic::sync_dir(parent).map_err(io_err(dest))?;
    remove_bundle_files(&aside, Some(&owned));
    Ok(())
}

/// Which EACs "mark verified" applies to.
pub(crate) enum VerifyTarget<'a> {
    /// Every EAC matching the filter; the empty filter takes envelope-only
    /// EACs too (they have none of the filtered fields).
    Filter(&'a EacFilter),
    /// One EAC (full or envelope-only) by exact id.
    Id(&'a str),
}

/// The reason a verification is recorded with: the person's, checked like
/// every reason, or a plain default (verifying needs no explanation).
pub(crate) fn verify_reason(reason: Option<&str>) -> Result<String> {
    match reason.filter(|r| !r.trim().is_empty()) {
        Some(r) => Ok(crate::check_reason(r)?.to_owned()),
        None => Ok(VERIFY_REASON.to_owned()),
    }
}

const VERIFY_REASON: &str = "checked against its source";

/// Sets `cds_synced` of every EAC of `target` to one clock reading and
/// records a `verify` audit record for each (before/after `cds_synced`), in
/// the caller's transaction; a dry run only counts.
pub(crate) fn mark_verified(
    conn: &Connection,
    target: &VerifyTarget,
    reason: &str,
    os_user: &str,
    dry_run: bool,
    progress: &dyn Progress,
) -> Result<crate::VerifyReport> {
    let at = Timestamp::now();
    let now = at.to_storage();
    // (is envelope, row id, cds_eac_id, cds_synced before)
    let mut found: Vec<(bool, i64, String, Option<String>)> = Vec::new();
    let mut sql = Sql::new("SELECT e.id, e.cds_eac_id, e.cds_synced FROM eacs e");
    let envelopes = match target {
        VerifyTarget::Filter(filter) => {
            push_filter(&mut sql, filter)?;
            **filter == EacFilter::default()
        }
        VerifyTarget::Id(id) => {
            sql.push(" WHERE e.cds_eac_id = ");
            sql.bind(id.to_string());
            true
        }
    };
    sql.push(" ORDER BY e.id");
    let mut stmt = conn.prepare(&sql.text)?;
    let rows = stmt.query_map(sql.params(), |r| {
        Ok((false, r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    found.extend(rows.collect::<rusqlite::Result<Vec<_>>>()?);
    if envelopes {
        let mut stmt = conn.prepare(
            "SELECT id, cds_eac_id, cds_synced FROM eac_envelopes
              WHERE ?1 IS NULL OR cds_eac_id = ?1 ORDER BY id",
        )?;
        let only = match target {
            VerifyTarget::Id(id) => Some(id.to_string()),
            VerifyTarget::Filter(_) => None,
        };
        let rows = stmt.query_map([only], |r| Ok((true, r.get(0)?, r.get(1)?, r.get(2)?)))?;
        found.extend(rows.collect::<rusqlite::Result<Vec<_>>>()?);
    }
    if let VerifyTarget::Id(id) = target {
        if found.is_empty() {
            return Err(StoreError::NotFound(id.to_string()));
        }
    }
    let report = crate::VerifyReport {
        dry_run,
        verified: found.len(),
        at: at.to_string(),
    };
    if dry_run {
        return Ok(report);
    }
    let total = found.len() as u64;
    let mut last_progress = Instant::now();
    let shown = |stored: Option<String>| {
        stored.map(|t| rows::timestamp(&t).map(|t| t.to_string()).unwrap_or(t))
    };
    for (done, (envelope, id, cds_eac_id, before)) in found.into_iter().enumerate() {
        if progress.is_cancelled() {
            return Err(StoreError::Cancelled);
        }
        let assignment = if envelope {
            conn.prepare_cached("UPDATE eac_envelopes SET cds_synced = ?2 WHERE id = ?1")?
                .execute(rusqlite::params![id, now])?;
            let (kind, list): (String, String) = conn
                .prepare_cached(
                    "SELECT beneficiary_type, beneficiaries FROM eac_envelopes WHERE id = ?1",
                )?
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            crate::BeneficiaryAssignment {
                beneficiary_type: eac_model::BeneficiaryType::parse(&kind)
                    .unwrap_or(eac_model::BeneficiaryType::General),
                beneficiaries: serde_json::from_str(&list).unwrap_or_default(),
            }
        } else {
            conn.prepare_cached("UPDATE eacs SET cds_synced = ?2 WHERE id = ?1")?
                .execute(rusqlite::params![id, now])?;
            let kind: String = conn
                .prepare_cached("SELECT beneficiary_type FROM eacs WHERE id = ?1")?
                .query_row([id], |r| r.get(0))?;
            crate::BeneficiaryAssignment {
                beneficiary_type: eac_model::BeneficiaryType::parse(&kind)
                    .unwrap_or(eac_model::BeneficiaryType::General),
                beneficiaries: rows::beneficiaries(conn, id)?,
            }
        };
        let side = |synced: Option<String>| crate::edit::AuditSide {
            cds_synced: synced,
            ..crate::edit::AuditSide::of(assignment.clone())
        };
        crate::edit::insert(
            conn,
            crate::edit::AuditEntry {
                cds_eac_id: &cds_eac_id,
                action: crate::AuditAction::Verify,
                before: Some(side(shown(before).or(Some(String::new())))),
                after: Some(side(Some(at.to_string()))),
                before_state: None,
                after_state: None,
                reason,
                os_user,
                at: &at,
                source_file: None,
                import_batch_id: None,
            },
        )?;
        if last_progress.elapsed() >= PROGRESS_EVERY {
            last_progress = Instant::now();
            progress.update(crate::Phase::Verify, done as u64 + 1, Some(total));
        }
    }
    if progress.is_cancelled() {
        return Err(StoreError::Cancelled);
    }
    progress.update(crate::Phase::Verify, total, Some(total));
    Ok(report)
}

/// After an import: every EAC the newest batch held was just checked
/// against its source, so its `cds_synced` becomes that batch's time.
pub(crate) fn mark_synced_by_latest_batch(conn: &Connection) -> Result<()> {
    conn.execute(
        "UPDATE eacs SET cds_synced = b.imported_at
           FROM (SELECT id, imported_at FROM import_batches ORDER BY id DESC LIMIT 1) b
          WHERE eacs.seen_batch_id = b.id",
        [],
    )?;
    // Full detail data supersedes an envelope-only EAC of the same id.
    conn.execute(
        "DELETE FROM eac_envelopes WHERE cds_eac_id IN (SELECT cds_eac_id FROM eacs)",
        [],
    )?;
    Ok(())
}

/// Stored envelope-only EACs in P2 order.
fn load_envelopes(conn: &Connection) -> Result<Vec<EacEnvelope>> {
    let mut stmt = conn.prepare(
        "SELECT cds_eac_id, cds_created, cds_modified, cds_synced, beneficiary_type,
                beneficiaries, eac_numbers, eac_format, eac_data_url, period_start, period_end,
                extensions
           FROM eac_envelopes
          ORDER BY period_start DESC, cds_created DESC, cds_eac_id ASC",
    )?;
    let list = |row: &rusqlite::Row, idx: usize| -> rusqlite::Result<Vec<String>> {
        rows::parsed(row, idx, |t| serde_json::from_str(t).ok())
    };
    let found = stmt
        .query_map([], |row| {
            Ok(EacEnvelope {
                cds_eac_id: row.get(0)?,
                cds_created: rows::parsed(row, 1, rows::timestamp)?,
                cds_modified: rows::parsed(row, 2, rows::timestamp)?,
                cds_synced: rows::parsed(row, 3, rows::timestamp)?,
                beneficiary_type: rows::parsed(row, 4, eac_model::BeneficiaryType::parse)?,
                beneficiaries: list(row, 5)?,
                eac_numbers: list(row, 6)?,
                eac_format: row.get(7)?,
                eac_data_url: row.get(8)?,
                period_start: rows::parsed(row, 9, rows::timestamp)?,
                period_end: rows::parsed(row, 10, rows::timestamp)?,
                extensions: match row.get::<_, Option<String>>(11)? {
                    None => eac_model::Extensions::default(),
                    Some(t) => rows::parsed(row, 11, |_| eac_model::extensions_from_json(&t).ok())?,
                },
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(found)
}

/// A P1 export of everything cannot include envelope-only EACs (they have
/// no values, rule 16): refuse, naming them, before anything is written.
pub(crate) fn refuse_envelope_only(conn: &Connection, dest: &Path) -> Result<()> {
    let ids = envelope_only_ids(conn, MAX_REPORTED)?;
    if ids.is_empty() {
        return Ok(());
    }
    let file = dest.display().to_string();
    let violations = ids
        .iter()
        .map(|id| {
            Violation::error(
                16,
                "/values",
                format!(
                    "EAC `{id}` is envelope-only (imported from a P2 listing without its detail \
                     data): it has no values and cannot be exported as P1; export as P2 or \
                     import its detail data"
                ),
            )
            .with_eac(Some(id))
            .with_file(&file)
        })
        .collect();
    Err(StoreError::Rules { file, violations })
}

/// Envelope-only EACs in P2 order, at most `limit` from `offset`.
pub(crate) fn envelope_only_rows(
    conn: &Connection,
    offset: usize,
    limit: usize,
) -> Result<Vec<crate::EnvelopeOnlyRow>> {
    Ok(load_envelopes(conn)?
        .into_iter()
        .skip(offset)
        .take(crate::page_size(limit))
        .map(|e| crate::EnvelopeOnlyRow {
            cds_eac_id: e.cds_eac_id,
            cds_created: e.cds_created.to_string(),
            cds_modified: e.cds_modified.to_string(),
            cds_synced: e.cds_synced.to_string(),
            beneficiary_type: e.beneficiary_type,
            beneficiaries: e.beneficiaries,
            eac_numbers: e.eac_numbers,
            eac_format: e.eac_format,
            eac_data_url: e.eac_data_url,
            period_start: e.period_start.to_string(),
            period_end: e.period_end.to_string(),
        })
        .collect())
}

/// Ids of envelope-only EACs (no values: they cannot be exported as P1).
pub(crate) fn envelope_only_ids(conn: &Connection, limit: usize) -> Result<Vec<String>> {
    let mut stmt =
        conn.prepare("SELECT cds_eac_id FROM eac_envelopes ORDER BY cds_eac_id LIMIT ?1")?;
    let ids = stmt
        .query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |row| row.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(ids)
}

/// Adds, replaces (newer `cds_modified`) or skips envelope-only EACs of the
/// newest import batch; a stored full EAC is never replaced by an envelope.
fn store_envelopes(
    conn: &Connection,
    envelopes: Vec<EacEnvelope>,
    report: &mut FileImportReport,
) -> Result<()> {
    let (batch, synced): (i64, String) = conn.query_row(
        "SELECT id, imported_at FROM import_batches ORDER BY id DESC LIMIT 1",
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    for env in envelopes {
        if rows::find(conn, &env.cds_eac_id)?.is_some() {
            report.skipped += 1;
            continue;
        }
        let stored: Option<String> = conn
            .query_row(
                "SELECT cds_modified FROM eac_envelopes WHERE cds_eac_id = ?1",
                [&env.cds_eac_id],
                |row| row.get(0),
            )
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })?;
        let modified = rows::stored_time(&env.cds_modified);
        match stored {
            Some(old) if old >= modified => {
                report.skipped += 1;
                conn.execute(
                    "UPDATE eac_envelopes SET cds_synced = ?2 WHERE cds_eac_id = ?1",
                    rusqlite::params![env.cds_eac_id, synced],
                )?;
                continue;
            }
            Some(_) => {
                crate::history::envelope_replacing(conn, &env.cds_eac_id, batch)?;
                conn.execute(
                    "DELETE FROM eac_envelopes WHERE cds_eac_id = ?1",
                    [&env.cds_eac_id],
                )?;
                report.replaced += 1;
            }
            None => report.added += 1,
        }
        conn.execute(
            "INSERT INTO eac_envelopes (cds_eac_id, cds_created, cds_modified, cds_synced,
                beneficiary_type, beneficiaries, eac_numbers, eac_format, eac_data_url,
                period_start, period_end, extensions, import_batch_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            rusqlite::params![
                env.cds_eac_id,
                rows::stored_time(&env.cds_created),
                modified,
                synced,
                env.beneficiary_type.as_str(),
                serde_json::to_string(&env.beneficiaries)
                    .map_err(io::Error::other)
                    .map_err(io_err(Path::new("eac_envelopes")))?,
                serde_json::to_string(&env.eac_numbers)
                    .map_err(io::Error::other)
                    .map_err(io_err(Path::new("eac_envelopes")))?,
                env.eac_format,
                env.eac_data_url,
                rows::stored_time(&env.period_start),
                rows::stored_time(&env.period_end),
                eac_model::extensions_to_json(&env.extensions),
                batch,
            ],
        )?;
    }
    conn.execute(
        "UPDATE import_batches SET added = ?2, replaced = ?3, skipped = ?4 WHERE id = ?1",
        rusqlite::params![
            batch,
            rows::count(report.added),
            rows::count(report.replaced),
            rows::count(report.skipped)
        ],
    )?;
    Ok(())
}

/// The folders a P2 listing's detail files may be read from: its bundle
/// folder (when it has one) and a folder the user named. Both are held
/// canonical, and a detail file is inside one of them only if its own
/// canonical path is (every symlink and `..` resolved), so no link and no
/// path trick leads a read outside.
#[derive(Debug, Clone, Default)]
pub struct DetailFolders {
    /// The bundle folder as the user gave it (for messages) and canonical.
    bundle: Option<(PathBuf, PathBuf)>,
    /// The folder named with `--details-from`, as given and canonical.
    named: Option<(PathBuf, PathBuf)>,
}

/// Why a path is not a detail file that may be read.
enum Refused {
    Missing,
    Outside(PathBuf),
    NotAFile,
    Unreadable(io::Error),
}

/// A detail file found inside an allowed folder, with what was checked.
struct Checked {
    shown: PathBuf,
    canonical: PathBuf,
    meta: fs::Metadata,
}

impl DetailFolders {
    /// `bundle`: the listing's bundle folder; `named`: the folder the user
    /// allowed (refused unless it is an existing folder).
    pub fn new(bundle: Option<&Path>, named: Option<&Path>) -> Result<Self> {
        let bundle = match bundle {
            Some(dir) => Some((dir.to_owned(), dir.canonicalize().map_err(io_err(dir))?)),
            None => None,
        };
        let named = match named {
            Some(dir) => {
                let canonical = dir.canonicalize().map_err(|e| {
                    StoreError::InvalidInput(format!(
                        "{}: the folder named for detail files cannot be used ({e})",
                        dir.display()
                    ))
                })?;
                if !canonical.is_dir() {
                    return Err(StoreError::InvalidInput(format!(
                        "{}: the folder named for detail files is not a folder",
                        dir.display()
                    )));
                }
                Some((dir.to_owned(), canonical))
            }
            None => None,
        };
        Ok(DetailFolders { bundle, named })
    }

    fn roots(&self) -> impl Iterator<Item = &Path> {
        self.bundle
            .iter()
            .chain(self.named.iter())
            .map(|(_, canonical)| canonical.as_path())
    }

    /// Whether `path` is a regular file inside an allowed folder.
    fn check(&self, path: &Path) -> std::result::Result<Checked, Refused> {
        let canonical = match path.canonicalize() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(Refused::Missing),
            Err(e) => return Err(Refused::Unreadable(e)),
        };
        if !self.roots().any(|root| canonical.starts_with(root)) {
            return Err(Refused::Outside(canonical));
        }
        let meta = fs::metadata(&canonical).map_err(Refused::Unreadable)?;
        if !meta.is_file() {
            return Err(Refused::NotAFile);
        }
        Ok(Checked {
            shown: path.to_owned(),
            canonical,
            meta,
        })
    }

    /// Where the detail file of `eac_data_url` may be read: the `file:`
    /// URI's target when it is inside an allowed folder, else the file of
    /// the URL's last path segment in the bundle's `eacs/` folder or in the
    /// named folder (itself or its `eacs/`). The error says why not and what
    /// to do.
    pub fn resolve(&self, eac_data_url: &str) -> std::result::Result<PathBuf, String> {
        self.find(eac_data_url).map(|c| c.shown)
    }

    fn find(&self, eac_data_url: &str) -> std::result::Result<Checked, String> {
        if self.bundle.is_none() && self.named.is_none() {
            return Err(format!(
                "the listing is not inside a bundle (a `{BUNDLE_LISTING}` with an `{BUNDLE_DETAILS}/` folder beside it), so its detail files are read only from a folder you name: name the folder that holds the detail file ({}) with --details-from FOLDER",
                eac_model::quote(eac_data_url)
            ));
        }
        let url = Url::parse(eac_data_url).ok();
        let target = url
            .as_ref()
            .filter(|u| u.scheme() == "file")
            .and_then(|u| u.to_file_path().ok());
        // Why a file that exists was not read (the first reason wins).
        let mut refusal: Option<String> = None;
        let note = |path: &Path, why: Refused, refusal: &mut Option<String>| {
            let text = match why {
                Refused::Missing => return,
                Refused::Outside(canonical) => {
                    let leads = if canonical != path {
                        format!(" (it leads to {})", shown(&canonical))
                    } else {
                        String::new()
                    };
                    let (allowed, them) = self.allowed_text();
                    format!(
                        "the detail file {}{leads} is outside {allowed}: detail files are read only from inside {them}",
                        shown(path),
                    )
                }
                Refused::NotAFile => format!("{} is not a regular file", shown(path)),
                Refused::Unreadable(e) => format!("{} cannot be read ({e})", shown(path)),
            };
            refusal.get_or_insert(text);
        };
        if let Some(path) = &target {
            match self.check(path) {
                Ok(found) => return Ok(found),
                Err(why) => note(path, why, &mut refusal),
            }
        }
        let last = match &url {
            Some(u) => u
                .path_segments()
                .and_then(|mut s| s.next_back())
                .map(str::to_owned),
            None => eac_data_url.rsplit('/').next().map(str::to_owned),
        }
        .unwrap_or_default();
        // Only a plain file name may be joined to a folder.
        let plain =
            !(last.is_empty() || last.contains(['/', '\\', '\0']) || last == "." || last == "..");
        let mut looked: Vec<PathBuf> = Vec::new();
        if plain {
            let mut places: Vec<PathBuf> = Vec::new();
            if let Some((dir, _)) = &self.bundle {
                places.push(dir.join(BUNDLE_DETAILS));
            }
            if let Some((dir, _)) = &self.named {
                places.push(dir.clone());
                places.push(dir.join(BUNDLE_DETAILS));
            }
            for place in places {
                let candidate = place.join(&last);
                match self.check(&candidate) {
                    Ok(found) => return Ok(found),
                    Err(why) => note(&candidate, why, &mut refusal),
                }
                looked.push(candidate);
            }
        }
        match refusal {
            Some(why) => Err(format!("{why}; {}", self.what_to_do())),
            None => {
                let mut places: Vec<String> = target
                    .iter()
                    .chain(looked.iter())
                    .map(|p| shown(p))
                    .collect();
                places.dedup();
                let places = if places.is_empty() {
                    "no file name in the URL".to_owned()
                } else {
                    format!("looked for {}", places.join(" and "))
                };
                Err(format!(
                    "the detail file ({}) was not found ({places}); {}",
                    eac_model::quote(eac_data_url),
                    self.what_to_do()
                ))
            }
        }
    }

    /// The folders detail files may come from, and how to refer to them again.
    fn allowed_text(&self) -> (String, &'static str) {
        let bundle = self
            .bundle
            .as_ref()
            .map(|(dir, _)| format!("the bundle folder {}", dir.display()));
        let named = self
            .named
            .as_ref()
            .map(|(dir, _)| format!("the folder named with --details-from ({})", dir.display()));
        match (bundle, named) {
            (Some(b), Some(n)) => (format!("{b} and {n}"), "them"),
            (Some(one), None) | (None, Some(one)) => (one, "it"),
            (None, None) => ("every folder".to_owned(), "a folder you name"),
        }
    }

    fn what_to_do(&self) -> String {
        match &self.bundle {
            Some((dir, _)) => format!(
                "copy the detail file into {} or name the folder it is in with --details-from FOLDER",
                dir.join(BUNDLE_DETAILS).display()
            ),
            None => {
                "copy the detail file into the named folder or name the folder it is in".to_owned()
            }
        }
    }
}

/// How many characters of a path made from an `eac_data_url` a message
/// shows: a path is longer than a quote, but the URL is input (decision 41).
const PATH_CHARS: usize = 200;

/// A path made from an `eac_data_url`, as a message shows it.
fn shown(path: &Path) -> String {
    eac_model::cap(&path.display().to_string(), PATH_CHARS)
}

/// Opens a checked detail file and reads its bytes, refusing it if what was
/// opened is not the file that was checked (a link swapped in between).
/// Whether they are UTF-8 text is judged with the rest of its content
/// ([`DetailFile::text`]), so an encoding is named, not an I/O failure.
fn read_checked(found: &Checked) -> io::Result<Vec<u8>> {
    let mut file = File::open(&found.canonical)?;
    let opened = file.metadata()?;
    if !opened.is_file() || !same_file(&opened, &found.meta) {
        return Err(io::Error::other(
            "it changed while it was opened (a link or file was replaced)",
        ));
    }
    let mut bytes = Vec::new();
    io::Read::read_to_end(&mut file, &mut bytes)?;
    Ok(bytes)
}

#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    a.len() == b.len() && a.modified().ok() == b.modified().ok()
}

/// A P2 import or validation path resolved: the listing to read and the
/// folders its detail files may come from.
#[derive(Debug, Clone)]
pub struct P2Source {
    pub listing: PathBuf,
    /// The path was a bundle folder (not a listing file).
    pub is_folder: bool,
    pub details: DetailFolders,
}

/// A folder is a bundle; a listing file's bundle is its own folder when the
/// listing is named `eacs.json` and an `eacs/` folder is beside it; any
/// other listing has no bundle, and its detail files are read only from
/// `details_from`.
pub fn locate(path: &Path, details_from: Option<&Path>) -> Result<P2Source> {
    if path.is_dir() {
        let listing = path.join(BUNDLE_LISTING);
        let details = DetailFolders::new(Some(path), details_from)?;
        // The listing itself must not be a link leading out of the bundle.
        if let (Ok(canonical), Some((_, root))) = (listing.canonicalize(), &details.bundle) {
            if !canonical.starts_with(root) {
                return Err(StoreError::InvalidInput(format!(
                    "{} leads outside the bundle folder (to {}): a bundle's files are read only from inside it",
                    listing.display(),
                    canonical.display()
                )));
            }
        }
        return Ok(P2Source {
            listing,
            is_folder: true,
            details,
        });
    }
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let in_bundle = path.file_name() == Some(std::ffi::OsStr::new(BUNDLE_LISTING))
        && folder.join(BUNDLE_DETAILS).is_dir();
    Ok(P2Source {
        listing: path.to_owned(),
        is_folder: false,
        details: DetailFolders::new(in_bundle.then_some(folder), details_from)?,
    })
}

/// One envelope's detail file, found inside an allowed folder and read.
#[derive(Debug, Clone)]
pub struct DetailFile {
    /// The path as found (for messages).
    pub label: String,
    /// The file's bytes as read.
    pub bytes: Vec<u8>,
}

impl DetailFile {
    /// The file as UTF-8 text without a byte order mark; a file in another
    /// encoding is a rule 20 error naming it (decision 40), not yet located
    /// in the file ([`check_detail`] does that).
    pub fn text(&self) -> std::result::Result<&str, Violation> {
        eac_model::strict::utf8_document(&self.bytes)
    }
}

/// Finds and reads the detail file of an envelope in EAC Desk's format; a
/// refusal (rule 19) is at the envelope's `eac_data_url` in the listing.
pub fn open_detail(
    envelope: &EacEnvelope,
    folders: &DetailFolders,
    at: &str,
) -> std::result::Result<DetailFile, Violation> {
    let id = Some(envelope.cds_eac_id.as_str());
    let rule19 =
        |message: String| Violation::error(19, format!("{at}/eac_data_url"), message).with_eac(id);
    let found = folders.find(&envelope.eac_data_url).map_err(rule19)?;
    let label = found.shown.display().to_string();
    let bytes =
        read_checked(&found).map_err(|e| rule19(format!("{label}: cannot be read ({e})")))?;
    Ok(DetailFile { label, bytes })
}

/// Checks a detail file against its envelope (rule 19). Findings inside the
/// file are located there (its path, pointer, line and column) and say
/// which envelope of `listing` pointed at it; the rule 19 finding is at the
/// envelope.
pub fn check_detail(
    envelope: &EacEnvelope,
    detail: &DetailFile,
    listing: &str,
    at: &str,
    opts: CheckOptions,
) -> std::result::Result<(Eac, Vec<Violation>), Vec<Violation>> {
    let id = Some(envelope.cds_eac_id.as_str());
    let label = &detail.label;
    let rule19 =
        |message: String| Violation::error(19, format!("{at}/eac_data_url"), message).with_eac(id);
    let inside = |mut v: Violation| {
        // serde_json's text repeats the line and column kept beside it.
        if v.line.is_some() {
            if let Some(i) = v.message.rfind(" at line ") {
                v.message.truncate(i);
            }
        }
        v.message = format!(
            "{} (detail file of the envelope at {at} in {listing})",
            v.message
        );
        v.with_eac(id).with_file(label)
    };
    let unreadable = || rule19(format!("{label}: does not parse as a valid EAC"));
    let text = match detail.text() {
        Ok(text) => text,
        Err(v) => return Err(vec![inside(v), unreadable()]),
    };
    match read_eac_document(text, opts) {
        EacRead::Valid { eac, warnings } => {
            let same = eac.cds_eac_id == envelope.cds_eac_id
                && eac.beneficiary_type == envelope.beneficiary_type
                && eac.beneficiaries == envelope.beneficiaries
                && eac.period_start == envelope.period_start
                && eac.period_end == envelope.period_end;
            if !same {
                return Err(vec![rule19(format!(
                    "{label} does not match its envelope (id, beneficiaries or period differ)"
                ))]);
            }
            Ok((*eac, warnings.into_iter().map(inside).collect()))
        }
        EacRead::Ignored { warnings } => Err(warnings
            .into_iter()
            .map(inside)
            .chain([rule19(format!("{label}: not an EAC this version can read"))])
            .collect()),
        EacRead::Invalid { violations } => Err(violations
            .into_iter()
            .map(inside)
            .chain([unreadable()])
            .collect()),
    }
}

/// Finds, reads and checks one detail file ([`open_detail`], [`check_detail`]).
pub fn read_detail(
    envelope: &EacEnvelope,
    folders: &DetailFolders,
    listing: &str,
    at: &str,
    opts: CheckOptions,
) -> std::result::Result<(Eac, Vec<Violation>), Vec<Violation>> {
    let detail = open_detail(envelope, folders, at).map_err(|v| vec![v])?;
    check_detail(envelope, &detail, listing, at, opts)
}

/// Imports a P2 listing (or bundle folder) into the open transaction: every
/// envelope's detail data is read and the full EACs are stored as a P1
/// import would store them.
pub(crate) fn import_p2(
    conn: &Connection,
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
        warnings: Vec<Violation>,
        /// Envelopes whose detail data is not in our format: stored envelope-only.
        envelopes: Vec<EacEnvelope>,
        ids: HashSet<String>,
        outcome: Option<std::result::Result<eac_model::ListingSummary, ListingError>>,
    }

    // The listing and its detail files are read on a second thread and the
    // EACs cross a bounded channel, so memory stays bounded by a few EACs.
    let (stored, mut found) = std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Eac>(32);
        let details = &details;
        let label = label.as_str();
        let reader = scope.spawn(move || {
            let mut f = Found::default();
            let outcome = read_p2_listing(file, check, |index, read| {
                let at = format!("/eacs/{index}");
                match read {
                    EnvelopeRead::Valid { envelope, warnings } => {
                        f.warnings.extend(warnings);
                        if !f.ids.insert(envelope.cds_eac_id.clone()) {
                            f.errors.push(
                                Violation::error(
                                    7,
                                    format!("{at}/cds_eac_id"),
                                    format!(
                                        "`cds_eac_id` `{}` appears more than once in this file",
                                        eac_model::quote(&envelope.cds_eac_id)
                                    ),
                                )
                                .with_eac(Some(&envelope.cds_eac_id)),
                            );
                        } else if envelope.eac_format != EACDESK_FORMAT_ID {
                            f.envelopes.push(*envelope);
                        } else {
                            match read_detail(&envelope, details, label, &at, check) {
                                Ok((eac, w)) => {
                                    f.warnings.extend(w);
                                    // The writer stopped listening: stop reading.
                                    if sender.send(eac).is_err() {
                                        return Flow::Stop;
                                    }
                                }
                                Err(v) => {
                                    f.errors.extend(v.into_iter().filter(Violation::is_error))
                                }
                            }
                        }
                    }
                    EnvelopeRead::Ignored { warnings } => f.warnings.extend(warnings),
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
        let stored =
            crate::import::import_eacs_with(conn, label, &mut receiver.iter(), check, progress);
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
            found.warnings.extend(w);
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
    let mut report = stored?;
    store_envelopes(conn, found.envelopes, &mut report)?;
    report.warning_count += found.warnings.len();
    report
        .warnings
        .extend(found.warnings.into_iter().map(|w| in_file(w, &label)));
    report.warnings.truncate(MAX_REPORTED);
    Ok(report)
}

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

/// The description every bundle carries of its detail format.
const FORMAT_DOC: &str = "# EAC Desk EAC JSON v1 (`eacdesk_eac_json_v1`)\n\
\n\
Each file under `eacs/` holds one EAC object of the CDSC-WG3-01 draft of\n\
2024-08-29 as amended (profile P1 of EAC Desk), with its `values`, as UTF-8\n\
JSON in serde_json's pretty layout with a final newline.\n\
\n\
- `eacs.json` is the CDS-WG3-01 v1 EAC listing (one page); each envelope's\n\
  `eac_data_url` points at its detail file.\n\
- `server-metadata.json` declares this format under `cds_eac_formats`.\n\
- Decimals (`value`, emission factors) are JSON numbers with exactly the\n\
  digits written; read them as decimals, never as floating point.\n\
- Datetimes are RFC 3339 in UTC; dates are `YYYY-MM-DD`.\n\
- Units are `Wh`, `kWh` or `MWh`.\n\
- Detail file names are `<slug of cds_eac_id>-<12 hex of SHA-256(cds_eac_id)>.json`.\n\
- EACs whose detail data is in another format (declared in\n\
  `server-metadata.json` with this page as documentation) have no file here:\n\
  their `eac_data_url` points at their source, unchanged.\n";
