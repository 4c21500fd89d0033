//! Finding and reading detail files inside the folders a P2 listing may
//! read from, and checking them against their envelopes (rule 19).

use std::fs;
use std::io::{self};
use std::path::{Path, PathBuf};

use eac_model::p2::{read_eac_document, EacEnvelope};
use eac_model::{CheckOptions, Eac, EacRead};
use eac_model::{Rule, Violation};
use url::Url;

use crate::{Result, StoreError};

use super::{io_err, BUNDLE_DETAILS, BUNDLE_LISTING};

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
    /// An evidence pack's bundle: its detail files are those in its own
    /// `eacs/` folder, whatever the `file:` URIs say (they name where the
    /// pack was made, decision 111), and no other folder may be named.
    own_only: bool,
}

/// Why a path is not a detail file that may be read.
enum Refused {
    Missing,
    Outside(PathBuf),
    NotAFile,
    /// A link, or reached through one: an evidence pack's detail files
    /// are never read through a link, even one that stays inside it.
    Link,
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
        Ok(DetailFolders {
            bundle,
            named,
            own_only: false,
        })
    }

    /// These folders as an evidence pack's bundle's: a detail file is
    /// read only from the bundle's own `eacs/` folder (a `file:` URI's
    /// target elsewhere, where the pack was made, is not looked at), and a
    /// refusal gives no advice of `--details-from`.
    pub fn own_only(mut self) -> Self {
        self.own_only = true;
        self
    }

    /// Whether the listing is a bundle's (its folder, or its `eacs.json`
    /// with `eacs/` beside it).
    pub fn in_bundle(&self) -> bool {
        self.bundle.is_some()
    }

    /// Where the bundle's own `eacs/` folder holds the detail file of
    /// `eac_data_url` (by the URL's last path segment), whether or not it
    /// is there; `None` without a bundle or a plain file name.
    pub fn own_file(&self, eac_data_url: &str) -> Option<PathBuf> {
        let (dir, _) = self.bundle.as_ref()?;
        let name = url_file_name(eac_data_url)?;
        Some(dir.join(BUNDLE_DETAILS).join(name))
    }

    fn roots(&self) -> impl Iterator<Item = &Path> {
        self.bundle
            .iter()
            .chain(self.named.iter())
            .map(|(_, canonical)| canonical.as_path())
    }

    /// Whether `path` is a regular file inside an allowed folder.
    fn check(&self, path: &Path) -> std::result::Result<Checked, Refused> {
        if self.own_only {
            match fs::symlink_metadata(path) {
                Ok(meta) if meta.file_type().is_symlink() => return Err(Refused::Link),
                Ok(meta) if !meta.is_file() => return Err(Refused::NotAFile),
                _ => {}
            }
        }
        let canonical = match path.canonicalize() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(Refused::Missing),
            Err(e) => return Err(Refused::Unreadable(e)),
        };
        if self.own_only {
            // In the bundle's own `eacs/`, reached through no link.
            let own = self
                .bundle
                .as_ref()
                .map(|(_, root)| root.join(BUNDLE_DETAILS));
            if canonical.parent() != own.as_deref() {
                return Err(Refused::Link);
            }
        }
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
            .filter(|u| u.scheme() == "file" && !self.own_only)
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
                Refused::Link => format!(
                    "{} is a symbolic link or is reached through one, and links are not followed",
                    shown(path)
                ),
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
        let mut looked: Vec<PathBuf> = Vec::new();
        if let Some(last) = url_file_name(eac_data_url) {
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
        if self.own_only {
            return format!(
                "an evidence pack's detail files are the ones in its own {BUNDLE_DETAILS}/ folder, as its manifest lists them"
            );
        }
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

/// The file name an `eac_data_url` ends with (its last path segment,
/// percent-decoded byte for byte as a `file:` URI's path is, decisions 42
/// and 278: `my%20file.json` names `my file.json`), when it is a plain
/// name that may be joined to a folder (`%2F` decodes to a `/`, which is
/// not).
fn url_file_name(eac_data_url: &str) -> Option<String> {
    let last = match Url::parse(eac_data_url) {
        Ok(u) => u
            .path_segments()
            .and_then(|mut s| s.next_back())
            .map(str::to_owned),
        Err(_) => eac_data_url.rsplit('/').next().map(str::to_owned),
    }
    .unwrap_or_default();
    let last = percent_decoded(&last)?;
    // Only a plain file name may be joined to a folder.
    let plain =
        !(last.is_empty() || last.contains(['/', '\\', '\0']) || last == "." || last == "..");
    plain.then_some(last)
}

/// `text` with every `%XX` replaced by its byte; `None` when the bytes are
/// not UTF-8 (no file name EAC Desk could be asked for).
fn percent_decoded(text: &str) -> Option<String> {
    String::from_utf8(crate::percent::decoded(text)).ok()
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
    let changed =
        || io::Error::other("it changed while it was opened (a link or file was replaced)");
    // Opened as every file of a bundle is (never waiting on a named pipe
    // swapped in after the check), then compared with what was checked.
    let mut file = match crate::regular::open_regular(&found.canonical)? {
        crate::regular::Regular::File(file) => file,
        crate::regular::Regular::Missing => return Err(io::ErrorKind::NotFound.into()),
        crate::regular::Regular::Not(_) => return Err(changed()),
    };
    let opened = file.metadata()?;
    if !opened.is_file() || !same_file(&opened, &found.meta) {
        return Err(changed());
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
    let rule19 = |message: String| {
        Violation::error(Rule::DataUrlTarget, format!("{at}/eac_data_url"), message).with_eac(id)
    };
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
    let rule19 = |message: String| {
        Violation::error(Rule::DataUrlTarget, format!("{at}/eac_data_url"), message).with_eac(id)
    };
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
        EacRead::Valid { mut eac, warnings } => {
            let mut differences = envelope_differences(envelope, &eac, label, at);
            // The envelope's extra members are kept with the EAC (rule 21;
            // a P2 export writes them in its envelope again).
            if let Err(why) = eac_model::p2::keep_envelope_members(&mut eac, envelope) {
                differences.push(
                    Violation::error(
                        Rule::DataUrlTarget,
                        at.to_owned(),
                        format!("{why} ({label})"),
                    )
                    .with_eac(id),
                );
            }
            if !differences.is_empty() {
                return Err(differences);
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

/// Rule 19: every field an envelope shares with its detail data states the
/// same thing (decision 277). The envelope is the EAC's own summary (digest
/// §a "File-based P2"): its id, `cds_created`, `cds_modified` (which
/// decides whether an import replaces a stored EAC), beneficiary
/// assignment and period are the detail's, and its `eac_numbers` the
/// distinct non-null EAC and value numbers of the detail (in any order;
/// a blank number is none, [`eac_model::p2::eac_numbers`]).
/// Times are compared as instants. Only `cds_synced` (when this copy was
/// last checked) and `eac_format`/`eac_data_url` are the envelope's own.
/// Each difference is one finding at the envelope's field in the listing,
/// naming both values and the detail file.
fn envelope_differences(
    envelope: &EacEnvelope,
    eac: &Eac,
    label: &str,
    at: &str,
) -> Vec<Violation> {
    // (field, the envelope's value, the detail's), as shown.
    let mut found: Vec<(&str, String, String)> = Vec::new();
    if envelope.cds_eac_id != eac.cds_eac_id {
        let id = |id: &str| format!("`{}`", eac_model::quote(id));
        found.push(("cds_eac_id", id(&envelope.cds_eac_id), id(&eac.cds_eac_id)));
    }
    for (field, here, there) in [
        ("cds_created", envelope.cds_created, eac.cds_created),
        ("cds_modified", envelope.cds_modified, eac.cds_modified),
        ("period_start", envelope.period_start, eac.period_start),
        ("period_end", envelope.period_end, eac.period_end),
    ] {
        // Instants: `01:00:00+01:00` is `00:00:00Z`.
        if here != there {
            found.push((field, here.to_string(), there.to_string()));
        }
    }
    if eac.beneficiary_type != Some(envelope.beneficiary_type) {
        found.push((
            "beneficiary_type",
            format!("`{}`", envelope.beneficiary_type),
            eac.beneficiary_type
                .map_or_else(|| "none".to_owned(), |t| format!("`{t}`")),
        ));
    }
    if envelope.beneficiaries != eac.beneficiaries {
        found.push((
            "beneficiaries",
            shown_list(&envelope.beneficiaries),
            shown_list(&eac.beneficiaries),
        ));
    }
    // Compared as sets of borrowed numbers (the detail's non-blank ones,
    // as [`eac_model::p2::eac_numbers`] keeps them); the lists shown are
    // built only when they differ.
    let stated: std::collections::BTreeSet<&str> =
        envelope.eac_numbers.iter().map(String::as_str).collect();
    let held: std::collections::BTreeSet<&str> = eac
        .eac_number
        .iter()
        .chain(eac.values.iter().filter_map(|v| v.eac_number.as_ref()))
        .map(String::as_str)
        .filter(|n| !eac_model::check::is_blank(n))
        .collect();
    if stated != held {
        found.push((
            "eac_numbers",
            shown_list(&envelope.eac_numbers),
            shown_list(&eac_model::p2::eac_numbers(eac)),
        ));
    }
    let of_detail = |field: &str| match field {
        "eac_numbers" => "the distinct EAC and value numbers of its detail file",
        _ => "its detail file",
    };
    found
        .into_iter()
        .map(|(field, here, there)| {
            Violation::error(
                Rule::DataUrlTarget,
                format!("{at}/{field}"),
                format!(
                    "`{field}` of the envelope ({here}) differs from {} {label} ({there}): an \
                     envelope states its EAC's own `{field}`",
                    of_detail(field)
                ),
            )
            .with_eac(Some(&envelope.cds_eac_id))
        })
        .collect()
}

/// A list of ids or numbers as a message shows it: each quoted (decision
/// 41), at most five, then how many more.
fn shown_list(list: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut items: Vec<String> = list
        .iter()
        .take(SHOWN)
        .map(|s| format!("\"{}\"", eac_model::quote(s)))
        .collect();
    if list.len() > SHOWN {
        items.push(format!("… {} more", list.len() - SHOWN));
    }
    format!("[{}]", items.join(", "))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The first EAC of the overview example as a detail file, and the
    /// envelope EAC Desk writes for it.
    fn detail_and_envelope() -> (DetailFile, EacEnvelope) {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/spec-examples/good-p1-overview-monthly.json"
        ))
        .unwrap();
        let listing: serde_json::Value = serde_json::from_str(&text).unwrap();
        let bytes = serde_json::to_vec_pretty(&listing["eacs"][0]).unwrap();
        let detail = DetailFile {
            label: "eacs/dk3.json".to_owned(),
            bytes,
        };
        let EacRead::Valid { eac, .. } =
            read_eac_document(detail.text().unwrap(), CheckOptions::validate())
        else {
            panic!("the example reads");
        };
        let envelope = EacEnvelope::of(
            &eac,
            eac.cds_modified,
            eac_model::p2::EACDESK_FORMAT_ID,
            "file:///b/eacs/dk3.json".to_owned(),
        )
        .unwrap();
        (detail, envelope)
    }

    fn refusals(envelope: &EacEnvelope, detail: &DetailFile) -> Vec<(String, String)> {
        match check_detail(
            envelope,
            detail,
            "b/eacs.json",
            "/eacs/0",
            CheckOptions::validate(),
        ) {
            Ok(_) => Vec::new(),
            Err(found) => found
                .into_iter()
                .map(|v| {
                    assert_eq!(v.rule, 19, "{v}");
                    (v.pointer, v.message)
                })
                .collect(),
        }
    }

    /// Decision 277: every field the envelope shares with its detail data
    /// must agree; each difference is named at the envelope's field with
    /// both values. `cds_created`, `cds_modified` and `eac_numbers` were
    /// not compared.
    #[test]
    fn an_envelope_must_state_its_detail_files_own_fields() {
        let (detail, envelope) = detail_and_envelope();
        assert!(refusals(&envelope, &detail).is_empty());
        let ts = |t: &str| eac_model::Timestamp::parse(t).unwrap();

        let mut other = envelope.clone();
        other.cds_created = ts("2023-12-15T00:00:00Z");
        other.cds_modified = ts("2024-06-30T00:00:00Z");
        other.eac_numbers = vec!["NOT-IN-DETAIL-999".to_owned()];
        let found = refusals(&other, &detail);
        let pointers: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/eacs/0/cds_created",
                "/eacs/0/cds_modified",
                "/eacs/0/eac_numbers"
            ]
        );
        assert_eq!(
            found[1].1,
            "`cds_modified` of the envelope (2024-06-30T00:00:00Z) differs from its detail file \
             eacs/dk3.json (2024-01-01T00:00:00Z): an envelope states its EAC's own `cds_modified`"
        );
        assert!(
            found[2].1.contains(
                "([\"NOT-IN-DETAIL-999\"]) differs from the distinct EAC and value numbers of \
                 its detail file eacs/dk3.json ([\"AAAZZZ-123\"])"
            ),
            "{}",
            found[2].1
        );

        // The fields compared before, now named one by one.
        let mut other = envelope.clone();
        other.cds_eac_id = "else".to_owned();
        other.beneficiaries = vec!["X".to_owned()];
        other.period_end = ts("2024-03-01T00:00:00Z");
        let pointers: Vec<String> = refusals(&other, &detail)
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert_eq!(
            pointers,
            [
                "/eacs/0/cds_eac_id",
                "/eacs/0/period_end",
                "/eacs/0/beneficiaries"
            ]
        );

        // No numbers in the envelope is a difference too; the same numbers
        // in another order or the same instant are not.
        let mut other = envelope.clone();
        other.eac_numbers = Vec::new();
        assert_eq!(refusals(&other, &detail).len(), 1);
        let mut other = envelope.clone();
        other.cds_modified = ts("2024-01-01T01:00:00+01:00");
        assert!(refusals(&other, &detail).is_empty());
    }
}
