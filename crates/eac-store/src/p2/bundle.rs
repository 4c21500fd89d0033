//! Writing a bundle folder: detail file names, the marker of owned files,
//! what may be replaced at the destination, and the swap into place.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use eac_model::p2::{
    check_envelope, read_server_metadata, EacEnvelope, EacFormat, P2ListingChecks, ServerMetadata,
    EACDESK_FORMAT_ID,
};
use eac_model::{check_eac, CheckOptions, ListingWriter};
use eac_model::{Timestamp, Violation};
use rusqlite::{Connection, Transaction, TransactionBehavior};
use sha2::{Digest, Sha256};
use url::Url;

use crate::atomic;
use crate::import::{MAX_REPORTED, PROGRESS_EVERY};
use crate::query::{push_filter, Sql};
use crate::rows::{self, EAC_COLUMNS};
use crate::{BundleReport, EacFilter, Progress, Result, StoreError};

use super::envelopes::load_envelopes;
use super::{io_err, BUNDLE_DETAILS, BUNDLE_FORMAT_DOC, BUNDLE_LISTING, BUNDLE_METADATA};

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
            progress.update("export", eac_count as u64, Some(total));
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
    progress.update("export", eac_count as u64, Some(total));
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
