//! Registry documents: reading them with `eac-registry` (format from the
//! content, or forced), turning their ranges into EACs and storing them
//! (one transaction per file), saved CSV column mappings, the documents an
//! EAC came from, and the double-counting check.

use std::io::Write as _;
use std::path::Path;

use eac_registry::{Format, Locator, Mapping, RangeRecord, Statement};
use eac_store::{
    CertRange, CheckReport, DeleteTarget, EacFilter, ExportReport, FieldValue, FileImportReport,
    ImportOptions, Progress, Reason, RegistryDocument, RegistryEac, SavedMapping, SetFieldsReport,
    SkippedEntry, SourceView, StationInfo, Store,
};
use serde::{Deserialize, Serialize};

use crate::AppError;

/// Registry documents are read whole; anything larger is surely not one.
pub const MAX_DOCUMENT_BYTES: u64 = 256 * 1024 * 1024;

/// One format `import` reads, for `eacdesk formats` and the Import dialog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FormatInfo {
    /// What `--format` takes.
    pub id: String,
    pub name: String,
    /// What it reads, in plain words.
    pub reads: String,
    /// Found from the file's content (every format but mapped CSV).
    pub detected: bool,
}

/// Every format `import` reads: the CDS profiles, then the registries'.
pub fn formats() -> Vec<FormatInfo> {
    let mut out = vec![
        FormatInfo {
            id: "cds-p1".into(),
            name: "CDS EAC listing, profile P1 (JSON)".into(),
            reads:
                "EACs with their values, as exported by EAC Desk or a CDS server (2024-08-29 draft)"
                    .into(),
            detected: true,
        },
        FormatInfo {
            id: "cds-p2".into(),
            name: "CDS EAC listing or bundle, profile P2 (JSON / folder)".into(),
            reads:
                "CDS-WG3-01 v1 envelopes with their detail files (a bundle folder or its eacs.json)"
                    .into(),
            detected: true,
        },
    ];
    out.extend(Format::ALL.iter().map(|f| FormatInfo {
        id: f.id().to_owned(),
        name: f.name().to_owned(),
        reads: f.reads().to_owned(),
        detected: *f != Format::MappedCsv,
    }));
    out
}

/// Whether the file at `path` is a registry document rather than a CDS
/// listing: when a format or mapping is forced, or its first bytes
/// (`head`: its first 64 KiB, read once by the import; `None` for a
/// folder) show no CDS JSON object but a registry format.
pub(crate) fn is_registry_document(path: &Path, head: Option<&[u8]>, opts: &ImportOptions) -> bool {
    if opts.mapping.is_some() {
        return true;
    }
    if let Some(f) = &opts.format {
        return !f.starts_with("cds-");
    }
    let Some(head) = head else {
        return false;
    };
    let text = head
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(head)
        .trim_ascii_start();
    // A CDS listing is a JSON object with `eacs` (its readers give the
    // precise errors for anything broken).
    if text.starts_with(b"{") && memmem(text, b"\"eacs\"") {
        return false;
    }
    if eac_registry::formats::looks_like_registry_document(head) {
        return true;
    }
    // Text that is no JSON at all (a CSV no reader knows, say) is not a
    // CDS listing: say that it is unreadable rather than a JSON syntax
    // error. A `.json` file or JSON-looking text (UTF-16 too, once
    // decoded) still goes to the listing readers, which name the problem;
    // an empty one is refused as empty before (`import::not_importable`).
    let json_name = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    // UTF-16 text (its BOM): JSON only if it reads as JSON once decoded (the
    // listing readers then say JSON must be UTF-8); a UTF-16 CSV no reader
    // knows is said to be one, not a JSON file.
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        let (decoded, _) = eac_registry::text::decode_text(head);
        let decoded = decoded.trim_start();
        return !(json_name || decoded.starts_with('{') || decoded.starts_with('['));
    }
    !(json_name || text.is_empty() || text.starts_with(b"{") || text.starts_with(b"["))
}

fn memmem(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The ranges, stations and notes of a statement, as the store takes them.
fn document<'a>(
    file_name: &'a str,
    format: Format,
    mapping: Option<&'a str>,
    bytes: &'a [u8],
    statement: &Statement,
    now: eac_model::Timestamp,
    allow_extended_technologies: bool,
) -> RegistryDocument<'a> {
    let place = |at: &Locator| at.to_string();
    RegistryDocument {
        file_name,
        format: format.id(),
        format_name: format.name(),
        mapping,
        bytes,
        eacs: statement
            .ranges
            .iter()
            .map(|r: &RangeRecord| {
                let eac = eac_registry::to_eac(r, now);
                RegistryEac {
                    claim_members: eac_registry::claim_members(&eac),
                    eac,
                    locator: place(&r.at),
                    range_text: eac_registry::range_text(r),
                    range: Some(CertRange {
                        registry: r.registry.clone(),
                        series: r.series.clone(),
                        first: r.first.clone(),
                        last: r.last.clone(),
                        first_seq: r.first_seq.clone(),
                        last_seq: r.last_seq.clone(),
                    }),
                    // The reader's word, not the text: decision 256(a).
                    reverses_claim: r.status.is_reversal(),
                }
            })
            .collect(),
        stations: statement
            .stations
            .iter()
            .map(|s| StationInfo {
                asset_id: s.asset_id.clone(),
                name: s.name.clone(),
                capacity: s.capacity.clone(),
                commissioned: s.commissioned,
                facts: s.facts.clone(),
            })
            .collect(),
        skipped: statement
            .skipped
            .iter()
            .map(|s| SkippedEntry {
                place: place(&s.at),
                reason: s.reason.clone(),
            })
            .collect(),
        warnings: statement
            .warnings
            .iter()
            .map(|w| SkippedEntry {
                place: place(&w.at),
                reason: w.message.clone(),
            })
            .collect(),
        allow_extended_technologies,
        split_rows: format.splits_rows(),
        splits: statement
            .splits
            .iter()
            .map(|s| eac_store::registry::SplitParent {
                cds_eac_id: eac_registry::split_eac_id(s),
                locator: place(&s.at),
                range: CertRange {
                    registry: s.registry.clone(),
                    series: s.series.clone(),
                    first: s.first.clone(),
                    last: s.last.clone(),
                    first_seq: s.first_seq.clone(),
                    last_seq: s.last_seq.clone(),
                },
                status: s.status.clone(),
            })
            .collect(),
    }
}

/// Reads one registry document, `file` (opened from `path` as a regular
/// file by the import, at its start), and imports it (or, with
/// `opts.dry_run`, says what importing it would do) as one transaction.
pub(crate) fn import_document(
    store: &mut Store,
    path: &Path,
    file: &std::fs::File,
    opts: &ImportOptions,
    progress: &dyn Progress,
    shell: crate::import::Shell,
) -> Result<FileImportReport, AppError> {
    let shown = path.display().to_string();
    let format = match &opts.format {
        Some(id) => Some(Format::parse(id).ok_or_else(|| {
            AppError::invalid_input(format!(
                "`{id}` is not a format EAC Desk reads; `eacdesk formats` lists them"
            ))
        })?),
        None => None,
    };
    let mapping = match &opts.mapping {
        Some(name) => Some(load_mapping(store, name)?),
        None => None,
    };
    let too_large = |size: &str| {
        AppError::unreadable(
            &shown,
            "document",
            format.map(Format::id),
            &format!(
                "the file is {size}, more than a registry document holds (at most {}): check \
                 that you chose the registry's report or statement itself",
                crate::named::size_words(MAX_DOCUMENT_BYTES)
            ),
        )
    };
    let size = file.metadata().map_err(|e| AppError::io(path, &e))?.len();
    if size > MAX_DOCUMENT_BYTES {
        return Err(too_large(&format!("{size} bytes")));
    }
    // Read to the cap only: the file may grow while it is read.
    let bytes = eac_store::regular::read_capped(file, MAX_DOCUMENT_BYTES)
        .map_err(|e| AppError::io(path, &e))?
        .ok_or_else(|| {
            too_large(&format!(
                "over {} (it grew while it was read)",
                crate::named::size_words(MAX_DOCUMENT_BYTES)
            ))
        })?;
    progress.update(eac_store::Phase::Import, 0, None);
    let read = eac_registry::read(&bytes, format, mapping.as_ref())
        .map_err(|e| AppError::unreadable(&shown, &e.at.to_string(), format.map(Format::id), &e.message))?
        .ok_or_else(|| {
            AppError::unreadable(
                &shown,
                "document",
                None,
                match shell {
                    crate::import::Shell::Cli => "this is neither a CDS listing nor a registry document EAC Desk recognises (see `eacdesk formats`); for another registry's CSV, save a column mapping and import with --mapping NAME",
                    // The app offers "Map its columns…" beside the message.
                    crate::import::Shell::App => "this is neither a CDS listing nor a registry document EAC Desk recognises",
                },
            )
        })?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.clone());
    let doc = document(
        &file_name,
        read.format,
        mapping.as_ref().map(|m| m.name.as_str()),
        &bytes,
        &read.statement,
        eac_model::Timestamp::now(),
        opts.allow_extended_technologies,
    );
    let mut report = if opts.dry_run {
        store.import_document_dry_run(doc, progress)?
    } else {
        store.import_document(doc, progress)?
    };
    report.file = shown;
    Ok(report)
}

/// Where in `saved` the mapping named `name` as text is: the one saved
/// under exactly that name, else the one name that is the same text with
/// its accents written otherwise (`É` as one character, or as `E` and a
/// combining accent, as macOS saves names: [`eac_store::canonically_equal`]).
fn same_text(saved: &[SavedMapping], name: &str) -> Option<usize> {
    if let Some(i) = saved.iter().position(|m| m.name == name) {
        return Some(i);
    }
    let mut equal = saved
        .iter()
        .enumerate()
        .filter(|(_, m)| eac_store::canonically_equal(&m.name, name));
    match (equal.next(), equal.next()) {
        (Some((i, _)), None) => Some(i),
        _ => None,
    }
}

/// The saved mapping of `name`: the one saved under that name (exactly,
/// else written with its accents otherwise), else the one whose name
/// differs only in case (mapping names are told apart without regard to
/// case, as saved views are: decision 142; folded as search text is, so
/// in NFC too). Two saved before that rule, differing only in case, are
/// each reached by their exact name; any other spelling is refused,
/// naming both.
pub fn saved_mapping(store: &Store, name: &str) -> Result<SavedMapping, AppError> {
    let name = name.trim();
    let mut saved = store.mappings()?;
    if let Some(i) = same_text(&saved, name) {
        return Ok(saved.swap_remove(i));
    }
    let folded = eac_store::name_key(name);
    let mut alike: Vec<SavedMapping> = saved
        .iter()
        .filter(|m| eac_store::name_key(&m.name) == folded)
        .cloned()
        .collect();
    match alike.len() {
        1 => return Ok(alike.remove(0)),
        0 => {}
        _ => {
            return Err(AppError::invalid_input(format!(
                "`{name}` could be the saved mapping {}: their names differ only in case (they \
                 were saved before mapping names were told apart without regard to case); give \
                 the name exactly as saved",
                alike
                    .iter()
                    .map(|m| format!("`{}`", m.name))
                    .collect::<Vec<_>>()
                    .join(" or ")
            )))
        }
    }
    let known: Vec<&str> = saved.iter().map(|m| m.name.as_str()).collect();
    Err(AppError::invalid_input(if known.is_empty() {
        format!("there is no saved mapping `{name}`; save one first (`eacdesk mapping save {name} FILE.json`)")
    } else {
        format!(
            "there is no saved mapping `{name}`; saved mappings: {}",
            known.join(", ")
        )
    }))
}

/// The saved mapping `name` ([`saved_mapping`]), read and checked as a
/// mapping file is: a key it does not know is refused, never dropped.
pub fn load_mapping(store: &Store, name: &str) -> Result<Mapping, AppError> {
    let found = saved_mapping(store, name)?;
    let mut mapping = Mapping::from_json(&found.mapping).map_err(|e| {
        AppError::invalid_input(format!(
            "the saved mapping `{}` cannot be used: {e}; save it again",
            found.name
        ))
    })?;
    mapping.name = found.name;
    Ok(mapping)
}

/// The most a mapping file may hold: one mapping is a JSON document of a
/// few KB (a technology table of hundreds of wordings stays far below).
pub const MAX_MAPPING_FILE_BYTES: u64 = 1024 * 1024;

const MAPPING_FILE_CAP: crate::named::Cap = crate::named::Cap {
    bytes: MAX_MAPPING_FILE_BYTES,
    holds: "a mapping file",
    why: "a column mapping is a JSON document of a few KB",
    check: "Check that you named the mapping's JSON file, not the CSV it reads.",
};

/// The text of a mapping file (JSON, as `mapping save` and `mapping
/// preview --mapping-file` read it): UTF-8, its byte order mark dropped;
/// UTF-16 and UTF-32 are named with what to do, as every JSON reader
/// names them (decision 64). Opened once as a regular file (a named pipe
/// or device there is named, never waited on nor read: a plain read hung
/// on a pipe until killed, and read `/dev/zero` until memory ran out), and
/// refused beyond [`MAX_MAPPING_FILE_BYTES`].
pub fn read_mapping_file(path: &Path) -> Result<String, AppError> {
    let file = crate::named::open_named(
        path,
        "a column mapping is read only from a JSON file",
        "Save the mapping to a file and name that file.",
    )?;
    let bytes = crate::named::read_whole(path, &file, &MAPPING_FILE_CAP)?;
    let text = eac_model::strict::utf8_document(&bytes)
        .map_err(|v| AppError::invalid_input(format!("{}: {}", path.display(), v.message)))?;
    Ok(text.to_owned())
}

/// A mapping's JSON text as a [`Mapping`], refused with the reason.
fn parse_mapping(mapping_json: &str) -> Result<Mapping, AppError> {
    Mapping::from_json(mapping_json).map_err(|e| AppError::invalid_input(e.to_string()))
}

/// A mapping as [`save_mapping`] saved it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MappingSaved {
    /// The name it is saved under: the saved spelling when it replaced a
    /// mapping whose name has its accents written otherwise.
    pub name: String,
    /// Its `registry` key looks like a built-in reader's but is not it
    /// (`eecs-no`): the same certificates from that reader's documents
    /// would be stored twice unseen by `check` (decision 461). Saved all
    /// the same: a registry no built-in reader reads may have such a key.
    pub registry_key_warning: Option<String>,
    /// With that warning: the built-in key it looks like (`eecs`), to
    /// offer as the key to save instead.
    pub builtin_key: Option<String>,
}

/// Checks a mapping (JSON text) and saves it under its name (or `name`).
/// A name differing only in case from a saved one's is refused by the
/// store (decision 142's rule for views); the same name with its accents
/// written otherwise replaces the saved one, under its saved spelling.
pub fn save_mapping(
    store: &mut Store,
    name: &str,
    mapping_json: &str,
) -> Result<MappingSaved, AppError> {
    let mut mapping = parse_mapping(mapping_json)?;
    let saved = store.mappings()?;
    mapping.name = match same_text(&saved, name.trim()) {
        Some(i) => saved[i].name.clone(),
        None => name.trim().to_owned(),
    };
    mapping.validate().map_err(|p| AppError {
        details: crate::ErrorDetails {
            problems: Some(p.0.clone()),
            ..crate::ErrorDetails::default()
        },
        ..AppError::invalid_input(format!("the mapping is not complete: {p}"))
    })?;
    let text = serde_json::to_string(&mapping).expect("a mapping serializes");
    store.save_mapping(&mapping.name, &text)?;
    Ok(MappingSaved {
        registry_key_warning: mapping.registry_key_warning(),
        builtin_key: mapping.registry_key_like().map(|(key, _)| key.to_owned()),
        name: mapping.name,
    })
}

pub fn mappings(store: &Store) -> Result<Vec<SavedMapping>, AppError> {
    Ok(store.mappings()?)
}

/// Deletes the saved mapping `name` (found as [`saved_mapping`] finds it).
pub fn delete_mapping(store: &mut Store, name: &str) -> Result<(), AppError> {
    let found = saved_mapping(store, name)?;
    if store.delete_mapping(&found.name)? {
        Ok(())
    } else {
        Err(AppError::invalid_input(format!(
            "there is no saved mapping `{name}`"
        )))
    }
}

/// The first rows of a CSV as a mapping would split them (header and
/// `rows` rows), for the mapping step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CsvPreview {
    pub header: Option<Vec<String>>,
    /// (1-based line, cells).
    pub rows: Vec<(u64, Vec<String>)>,
}

pub fn preview_csv(path: &Path, mapping_json: &str, rows: usize) -> Result<CsvPreview, AppError> {
    let mapping = parse_mapping(mapping_json)?;
    let bytes = read_csv_to_map(path)?;
    split_preview(path, &bytes, &mapping, rows)
}

/// What a CSV to be read through a mapping may hold: as much as import
/// reads of any registry document.
const MAPPED_CSV_CAP: crate::named::Cap = crate::named::Cap {
    bytes: MAX_DOCUMENT_BYTES,
    holds: "a registry document",
    why: "import reads none larger",
    check: "Check that you named the registry's CSV report.",
};

/// The bytes of the CSV at `path` that a mapping is previewed on (the
/// app's mapping step, `mapping preview`): opened once as a regular file
/// (a named pipe or device is named, never waited on nor read: a plain
/// read hung on a pipe until killed and read `/dev/zero` until memory ran
/// out), at most [`MAX_DOCUMENT_BYTES`], as import reads it.
fn read_csv_to_map(path: &Path) -> Result<Vec<u8>, AppError> {
    let file = crate::named::open_named(
        path,
        "a CSV is read through a column mapping only from a file",
        "Save the CSV to a file and name that file.",
    )?;
    crate::named::read_whole(path, &file, &MAPPED_CSV_CAP)
}

fn split_preview(
    path: &Path,
    bytes: &[u8],
    mapping: &Mapping,
    rows: usize,
) -> Result<CsvPreview, AppError> {
    let p = eac_registry::mapped::preview(bytes, mapping, rows).map_err(|e| {
        AppError::unreadable(
            &path.display().to_string(),
            &e.at.to_string(),
            Some("csv"),
            &e.message,
        )
    })?;
    Ok(CsvPreview {
        header: p.header,
        rows: p.rows.into_iter().map(|r| (r.line, r.cells)).collect(),
    })
}

/// A CSV's first rows as a whole mapping splits them, which column feeds
/// which field, and what importing the file with the mapping would refuse
/// (`eacdesk mapping preview`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MappingPreview {
    #[serde(flatten)]
    pub preview: CsvPreview,
    pub fields: Vec<eac_registry::mapped::FieldUse>,
    /// Empty when import reads the file with this mapping.
    pub problems: Vec<String>,
}

/// [`MappingPreview`] of the file at `path` read with `mapping`.
pub fn preview_mapping(
    path: &Path,
    mapping: &Mapping,
    rows: usize,
) -> Result<MappingPreview, AppError> {
    let bytes = read_csv_to_map(path)?;
    let preview = split_preview(path, &bytes, mapping, rows)?;
    let check = eac_registry::mapped::check(&bytes, mapping);
    Ok(MappingPreview {
        preview,
        fields: check.fields,
        problems: check.problems,
    })
}

/// A mapping's JSON text (a mapping file's) read as import reads a saved
/// one: an unknown key is refused.
pub fn mapping_from_json(mapping_json: &str) -> Result<Mapping, AppError> {
    parse_mapping(mapping_json)
}

/// The documents an EAC came from.
pub fn sources(store: &Store, cds_eac_id: &str) -> Result<Vec<SourceView>, AppError> {
    store.detail(cds_eac_id)?;
    Ok(store.sources(cds_eac_id)?)
}

/// Writes a stored document's original bytes to `dest` (whole or not at
/// all; never over the database's own files).
pub fn save_source(store: &Store, sha256: &str, dest: &Path) -> Result<ExportReport, AppError> {
    let bytes = store.document(sha256)?.ok_or_else(|| {
        AppError::invalid_input(format!("no stored document has the SHA-256 {sha256}"))
    })?;
    eac_store::placing::refuse_file_path(dest, "saved source document", "statement.pdf")?;
    eac_store::atomic::refuse_database_file(store.path(), dest)?;
    let mut file = eac_store::atomic::AtomicFile::beside(dest)?;
    file.write_all(&bytes).map_err(|e| AppError::io(dest, &e))?;
    let sha = file.commit()?;
    Ok(ExportReport {
        path: dest.display().to_string(),
        sha256: sha,
        eac_count: 0,
        value_count: 0,
        not_recorded: None,
        warnings: Vec::new(),
    })
}

/// Double counting among the stored EACs (see `Store::check`): steps of
/// phase `check`, cancelled through `progress` at once; then the stored
/// documents that no longer match their SHA-256, each hashed as a step of
/// phase `check_documents`: every document without a filter (the
/// integrity pass of the whole database), only those of the selected EACs
/// with one.
pub fn check(
    store: &Store,
    filter: &EacFilter,
    progress: &dyn Progress,
) -> Result<CheckReport, AppError> {
    let mut report = store.check(filter, progress)?;
    report.documents = store.altered_documents(filter, progress)?;
    Ok(report)
}

/// Completes or corrects fields of the EACs `target` names, audited.
/// `seen_version`: the version the person saw of the one EAC `target`
/// names; a change since refuses the save (`conflict`, see
/// `Store::set_fields_seen`).
#[allow(clippy::too_many_arguments)]
pub fn set_fields(
    store: &mut Store,
    target: &DeleteTarget,
    values: &[FieldValue],
    reason: Option<&str>,
    os_user: &str,
    dry_run: bool,
    progress: &dyn Progress,
    seen_version: Option<i64>,
) -> Result<SetFieldsReport, AppError> {
    if !dry_run {
        let yes = eac_store::Confirmed::Yes;
        return set_fields_confirmed(
            store,
            target,
            values,
            reason,
            os_user,
            yes,
            progress,
            seen_version,
        );
    }
    // A dry run records nothing, so it needs no reason.
    let reason = match Reason::optional(reason)? {
        Some(reason) => reason,
        None => Reason::new("dry run")?,
    };
    Ok(store.set_fields_seen(
        target,
        seen_version,
        values,
        &reason,
        os_user,
        true,
        progress,
    )?)
}

/// [`set_fields`], not a dry run, refused (`invalid_input`,
/// `details.unconfirmed`: the count; nothing written) when it finds more
/// EACs in its own write than `confirmed` allows.
#[allow(clippy::too_many_arguments)]
pub fn set_fields_confirmed(
    store: &mut Store,
    target: &DeleteTarget,
    values: &[FieldValue],
    reason: Option<&str>,
    os_user: &str,
    confirmed: eac_store::Confirmed,
    progress: &dyn Progress,
    seen_version: Option<i64>,
) -> Result<SetFieldsReport, AppError> {
    let Some(reason) = Reason::optional(reason)? else {
        return Err(AppError::invalid_input(
            "say why these fields change (a reason); it is kept in the audit log",
        ));
    };
    Ok(store.set_fields_confirmed(
        target,
        seen_version,
        values,
        &reason,
        os_user,
        confirmed,
        progress,
    )?)
}
