//! Writing a bundle folder: detail file names, the marker of owned files,
//! what may be replaced at the destination, and the swap into place.

use std::collections::HashSet;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use eac_model::p2::{
    check_envelope, read_server_metadata, EacEnvelope, EacFormat, P2ListingChecks, ServerMetadata,
    EACDESK_FORMAT_ID,
};
use eac_model::{check_eac, CheckOptions, Eac};
use eac_model::{Rule, Timestamp, Violation};
use sha2::{Digest, Sha256};
use url::Url;

use crate::atomic::{self, AtomicDir, DirFile};
use crate::db::{Db, Kind};
use crate::export::{ListingOut, Sink};
use crate::{BundleReport, EacFilter, Progress, Result, StoreError};

use super::envelopes::{envelope_formats, EnvelopeCursor};
use super::ledger::FileLedger;
use super::{
    io_err, BUNDLE_DETAILS, BUNDLE_FORMAT_DOC, BUNDLE_LISTING, BUNDLE_METADATA, METADATA_CAP,
};

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
/// final location as `file:` URIs (the folder's own `file:` URL, computed
/// once, without a trailing `/`).
enum Base {
    Https(Url),
    Folder(String),
}

impl Base {
    fn url(&self, relative: &str) -> Result<String> {
        match self {
            Base::Https(base) => base
                .join(relative)
                .map(String::from)
                .map_err(|e| StoreError::InvalidInput(format!("{relative}: {e}"))),
            Base::Folder(prefix) => {
                let mut url = String::with_capacity(prefix.len() + relative.len() + 1);
                url.push_str(prefix);
                for part in relative.split('/').filter(|part| !part.is_empty()) {
                    url.push('/');
                    push_segment(&mut url, part.as_bytes());
                }
                Ok(url)
            }
        }
    }

    /// The base of the folder `dir`'s files, refused (`invalid_input`,
    /// naming it) when it cannot be written as a `file:` URL.
    fn folder(dir: &Path) -> Result<Self> {
        let mut prefix = file_url(dir).ok_or_else(|| {
            StoreError::InvalidInput(format!(
                "{}: cannot be written as a file: URL",
                dir.display()
            ))
        })?;
        // The root's URL ends in `/`; each part adds its own.
        if prefix.ends_with('/') {
            prefix.pop();
        }
        Ok(Base::Folder(prefix))
    }
}

/// Whether RFC 3986 allows the byte `b` as itself in a path segment
/// (`pchar` without `pct-encoded`: unreserved, sub-delims, `:` and `@`).
fn is_pchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b)
}

/// `segment` with every byte RFC 3986 does not allow in a path segment
/// percent-encoded: `%` itself, spaces, `[ ] | ^ # ?`, and each byte of a
/// non-ASCII character's UTF-8 (of the file name's bytes on Unix).
fn push_segment(out: &mut String, segment: &[u8]) {
    for &b in segment {
        if is_pchar(b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// The `file:` URL of the absolute path made of `segments` (folder and
/// file names, no separators), on `host` (a UNC server; empty for a local
/// path) and below `drive` (`C:` on Windows): `file://HOST/C:/a/b`, each
/// name percent-encoded by [`push_segment`]. Decoding it (`Url::to_file_path`)
/// gives the path back byte for byte, and it is a `uri` to the JSON
/// Schema's format check whatever the names hold (`Url::from_file_path`
/// leaves `[`, `]`, `|`, `^` and `%` as they are, which is not).
fn file_url_of(host: &str, drive: Option<&str>, segments: &[&[u8]]) -> String {
    let mut url = format!("file://{host}");
    if let Some(drive) = drive {
        url.push('/');
        url.push_str(drive);
    }
    for segment in segments {
        url.push('/');
        push_segment(&mut url, segment);
    }
    if segments.is_empty() && drive.is_none() {
        url.push('/');
    }
    url
}

/// The `file:` URL of the absolute `path` ([`file_url_of`]); `None` for a
/// relative path, one with `..`, or (Windows) a name that is not Unicode
/// or a device path.
fn file_url(path: &Path) -> Option<String> {
    use std::path::Component;
    let mut host = String::new();
    let mut drive = None;
    let mut segments: Vec<&[u8]> = Vec::new();
    let mut rooted = false;
    for component in path.components() {
        match component {
            Component::Prefix(prefix) => {
                use std::path::Prefix;
                match prefix.kind() {
                    Prefix::Disk(letter) | Prefix::VerbatimDisk(letter) => {
                        drive = Some(format!("{}:", char::from(letter)));
                    }
                    Prefix::UNC(server, share) | Prefix::VerbatimUNC(server, share) => {
                        let server = server.to_str()?;
                        // A host name, never anything that would end it.
                        if server.is_empty()
                            || !server.bytes().all(|b| {
                                b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_')
                            })
                        {
                            return None;
                        }
                        host = server.to_owned();
                        segments.push(os_bytes(share)?);
                    }
                    _ => return None,
                }
            }
            Component::RootDir => rooted = true,
            Component::Normal(name) => segments.push(os_bytes(name)?),
            Component::CurDir | Component::ParentDir => return None,
        }
    }
    rooted.then(|| file_url_of(&host, drive.as_deref(), &segments))
}

/// A file name's bytes as a `file:` URL holds them: as they are on Unix,
/// its UTF-8 elsewhere (`None` when it is not Unicode).
fn os_bytes(name: &std::ffi::OsStr) -> Option<&[u8]> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Some(name.as_bytes())
    }
    #[cfg(not(unix))]
    {
        name.to_str().map(str::as_bytes)
    }
}

/// Why the export refuses `text` as a P2 base URL (its whole message), or
/// `None` when it takes it: what the app's form says as one types is held
/// to these words by the shared cases of `tests/fixtures/base-urls.json`.
pub fn base_url_problem(text: &str) -> Option<String> {
    parse_base_url(text).err().map(|e| e.to_string())
}

/// The base URL `text` as a bundle uses it (ending in `/`), refused
/// (`invalid_input`, naming it) unless it is an absolute https URL without
/// userinfo, query or fragment that the shipped schemas take as a `uri` as
/// written (`[`, `]`, `|`, `^`, spaces and non-ASCII percent-encoded): judged by
/// the predicate the rules and the schemas share
/// ([`eac_model::read::is_absolute_url`]), before anything is written,
/// instead of by the check of the finished bundle, once per EAC. A
/// password in it is never said back.
fn parse_base_url(text: &str) -> Result<Url> {
    let shown = base_url_shown(text);
    let shown = shown.as_str();
    if let Some(problem) = userinfo_problem(text, shown) {
        return Err(StoreError::InvalidInput(problem));
    }
    // `https:///eacs/` would read `eacs` as the host: a typo is not
    // published as another server's URL.
    let after_scheme = text.get("https://".len()..).unwrap_or("");
    if text.starts_with("https://") && after_scheme.starts_with('/') {
        return Err(StoreError::InvalidInput(format!(
            "the base URL `{shown}` has no host: nothing stands between `https://` and the next \
             `/`; nothing was written. Write the host after `https://` (e.g. \
             https://example.org/eacs/)"
        )));
    }
    if !eac_model::read::is_absolute_url(text) {
        return Err(StoreError::InvalidInput(format!(
            "the base URL `{}` is not a valid URI as the P2 schemas require: {}; nothing was written. Write it as an absolute https:// URL with spaces, `[`, `]`, `|`, `^` and non-ASCII characters percent-encoded (`%20`, `%5B`, `%5D`, `%7C`, `%5E`, UTF-8 bytes), or choose another base URL.",
            eac_model::quote(shown),
            eac_model::read::url_problem(text)
        )));
    }
    let mut url = Url::parse(text).map_err(|e| {
        StoreError::InvalidInput(format!(
            "the base URL `{shown}` is not an absolute URL ({e}); nothing was written"
        ))
    })?;
    if url.scheme() != "https" {
        return Err(StoreError::InvalidInput(format!(
            "the base URL `{shown}` must start with https:// (where the bundle will be published); nothing was written"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(StoreError::InvalidInput(format!(
            "the base URL `{shown}` must not have a query or fragment; nothing was written"
        )));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    // What is published is what was typed (decision 279), with only the
    // closing `/` added: a URL the parser would rewrite (dot segments,
    // `%2e%2e`, an upper-case host or scheme, the default port, a host
    // written with `%`) is refused, naming what it would have become.
    let typed = match text.ends_with('/') {
        true => text.to_owned(),
        false => format!("{text}/"),
    };
    if url.as_str() != typed {
        return Err(StoreError::InvalidInput(format!(
            "the base URL `{text}` would be published as {url}: a URL parser reads it so (dot \
             segments such as `..` or `%2e%2e` removed, the host and scheme in lower case, the \
             default port :443 left out); nothing was written. Write the base URL as it should \
             be published, e.g. `{url}`"
        )));
    }
    Ok(url)
}

/// `text` as a message says it: the password of its userinfo, if any, as
/// `***`, as every database address's is (decision 253).
fn base_url_shown(text: &str) -> String {
    // A password holding `#`, `/`, `?` ends the authority for a URI
    // parser, so it is no userinfo to it, yet a person typed it as one:
    // whatever stands between `://` and the last `@` is taken for the
    // userinfo (a message then masks too much at worst, never a password).
    let typed = || {
        let start = text.find("://")? + 3;
        let at = text[start..].rfind('@')?;
        Some(start..start + at)
    };
    let Some(userinfo) = eac_model::read::userinfo_range(text).or_else(typed) else {
        return text.to_owned();
    };
    match text[userinfo.clone()].split_once(':') {
        Some((user, password)) if !password.is_empty() => format!(
            "{}{user}:***{}",
            &text[..userinfo.start],
            &text[userinfo.end..]
        ),
        _ => text.to_owned(),
    }
}

/// Why a base URL holding a user name or password (`https://user:pw@host/`)
/// is refused: every URL of the bundle, a set of files made to be put on a
/// web server for anyone to read, would carry them (RFC 3986 §3.2.1, RFC
/// 9110 §4.2.4: a sender must not put userinfo in an http(s) URL). Said
/// with the password masked, naming the URL to write instead. An empty
/// userinfo (`https://@host/`) is left to the parser check, which names
/// the URL it would become.
fn userinfo_problem(text: &str, shown: &str) -> Option<String> {
    let userinfo = eac_model::read::userinfo_range(text)?;
    let (user, password) = text[userinfo.clone()]
        .split_once(':')
        .unwrap_or((&text[userinfo.clone()], ""));
    let (what, held) = match (user.is_empty(), password.is_empty()) {
        (true, true) => return None,
        (false, true) => ("a user name", format!("{user}@")),
        (true, false) => ("a password", ":***@".to_owned()),
        (false, false) => ("a user name and password", format!("{user}:***@")),
    };
    let without = format!("{}{}", &text[..userinfo.start], &text[userinfo.end + 1..]);
    Some(format!(
        "the base URL `{}` holds {what} (`{}`), which every URL in the bundle would publish \
         (each `eac_data_url` in eacs.json, `cds_eacs_api` and `documentation` in \
         server-metadata.json); nothing was written. Write the base URL without it, e.g. \
         `{}`: whoever reads the bundle signs in to the web server with their own name, not \
         with one published in its URLs",
        eac_model::quote(shown),
        eac_model::quote(&held),
        eac_model::quote(&without),
    ))
}

/// The hidden file in every bundle that lists, relative to the bundle
/// folder and with `/` between folders, every file the bundle owns. A
/// later export replaces the folder only while it holds exactly these.
pub const BUNDLE_MARKER: &str = ".eacdesk-bundle";

// What [`BUNDLE_MARKER`] holds: `{"eacdesk_bundle": 1, "files": [names]}`
// in serde_json's pretty layout, names in byte order (`write_marker`,
// `read_marker`).

/// How many foreign entries a refusal names.
const NAMED_FOREIGN: usize = 3;

/// What is at a bundle's destination.
pub(crate) enum Destination {
    Missing,
    /// An empty folder.
    Empty,
    /// A bundle EAC Desk wrote: the files it owns (relative,
    /// `/`-separated), as its marker lists them or (a bundle written
    /// before the marker existed) its bundle-shaped files.
    Bundle(FileLedger),
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

/// Whether `dir` is a P2 bundle EAC Desk wrote: it holds the marker as a
/// regular file (by name only, as a pack is known by its manifest's: a
/// bundle whose marker is damaged is one too), or, written before the
/// marker existed, `eacs.json` and a `server-metadata.json` declaring EAC
/// Desk's format. Nothing is written inside one
/// ([`crate::atomic::refuse_inside_bundle`]).
pub(crate) fn is_bundle_folder(dir: &Path) -> bool {
    let file = |name: &str| fs::symlink_metadata(dir.join(name)).is_ok_and(|m| m.is_file());
    if file(BUNDLE_MARKER) {
        return true;
    }
    file(BUNDLE_LISTING)
        && file(BUNDLE_METADATA)
        && own_metadata(dir)
            .and_then(|text| read_server_metadata(&text).ok())
            .is_some_and(|m| m.format(EACDESK_FORMAT_ID).is_some())
}

/// The text of the `server-metadata.json` of the bundle EAC Desk wrote at
/// `dir`: a regular file there of at most [`METADATA_CAP`] bytes, no link
/// followed and no pipe or device opened (`None` otherwise).
fn own_metadata(dir: &Path) -> Option<String> {
    use crate::regular::{open_regular, read_capped, Regular};
    let Regular::File(file) = open_regular(&dir.join(BUNDLE_METADATA)).ok()? else {
        return None;
    };
    String::from_utf8(read_capped(&file, METADATA_CAP).ok()??).ok()
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

/// An entry of a destination folder, as a relative path.
enum Entry {
    /// A regular file.
    File(String),
    /// Anything else that is not a folder walked into (folders end with `/`).
    Other(String),
}

/// Every entry of `dir` (no symbolic link followed), one at a time, walking
/// into the folders `walk_into` names.
fn each_entry(
    dir: &Path,
    walk_into: &dyn Fn(&str) -> bool,
    each: &mut dyn FnMut(Entry) -> Result<()>,
) -> Result<()> {
    fn walk(
        root: &Path,
        relative: &str,
        walk_into: &dyn Fn(&str) -> bool,
        each: &mut dyn FnMut(Entry) -> Result<()>,
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
                walk(root, &path, walk_into, each)?;
            } else if kind.is_dir() {
                each(Entry::Other(format!("{path}/")))?;
            } else if kind.is_file() {
                each(Entry::File(path))?;
            } else {
                each(Entry::Other(path))?;
            }
        }
        Ok(())
    }
    walk(dir, "", walk_into, each)
}

/// Names for a message, kept few: the first [`NAMED_FOREIGN`] in order and
/// how many there are (a folder may hold a million).
#[derive(Default)]
struct Few {
    first: std::collections::BTreeSet<String>,
    count: usize,
}

impl Few {
    fn push(&mut self, name: String) {
        self.count += 1;
        self.first.insert(name);
        if self.first.len() > NAMED_FOREIGN {
            self.first.pop_last();
        }
    }

    fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// `a, b, c and 4 more`.
    fn text(&self) -> String {
        eac_model::words::first_named(&self.first, NAMED_FOREIGN, self.count)
    }
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
    let not_ours = |foreign: &Few| {
        Err(StoreError::InvalidInput(format!(
            "{} is an EAC Desk bundle but also holds files EAC Desk did not write ({}); nothing was written and they are untouched. Move them out of the folder, or choose a new folder for the bundle.",
            dir.display(),
            foreign.text()
        )))
    };
    let marker = dir.join(BUNDLE_MARKER);
    if fs::symlink_metadata(&marker).is_ok_and(|m| m.is_file()) {
        let Some((owned, folders)) = read_marker(&marker)? else {
            return refuse(format!(
                "holds a {BUNDLE_MARKER} file EAC Desk cannot read, so it cannot tell which files are its own"
            ));
        };
        let mut foreign = Few::default();
        each_entry(dir, &|p| folders.contains(p), &mut |entry| {
            match entry {
                Entry::File(f) if f == BUNDLE_MARKER || owned.contains(&f)? => {}
                Entry::File(f) | Entry::Other(f) => foreign.push(f),
            }
            Ok(())
        })?;
        if !foreign.is_empty() {
            return not_ours(&foreign);
        }
        return Ok(Destination::Bundle(owned));
    }
    let (mut all, mut foreign) = (Few::default(), Few::default());
    let mut has_listing = false;
    // Its files, should it be a bundle written before the marker existed.
    let shaped = FileLedger::exact()?;
    each_entry(dir, &|p| p == BUNDLE_DETAILS, &mut |entry| {
        match entry {
            Entry::File(f) => {
                has_listing |= f == BUNDLE_LISTING;
                if f == BUNDLE_MARKER || !bundle_shaped(&f) {
                    foreign.push(f.clone());
                } else {
                    shaped.add(&f)?;
                }
                all.push(f);
            }
            Entry::Other(f) => {
                foreign.push(f.clone());
                all.push(f);
            }
        }
        Ok(())
    })?;
    if all.is_empty() {
        return Ok(Destination::Empty);
    }
    // A bundle written before the marker existed.
    let ours = has_listing
        && own_metadata(dir)
            .and_then(|text| read_server_metadata(&text).ok())
            .is_some_and(|m| m.format(EACDESK_FORMAT_ID).is_some());
    if !ours {
        return refuse(format!(
            "already exists and is not an EAC Desk bundle (it holds {})",
            all.text()
        ));
    }
    if !foreign.is_empty() {
        return not_ours(&foreign);
    }
    Ok(Destination::Bundle(shaped))
}

/// An earlier bundle's marker, read a name at a time into a ledger, with
/// the folders its files are in; `None` when it is not a marker (nor a
/// regular file).
fn read_marker(path: &Path) -> Result<Option<(FileLedger, HashSet<String>)>> {
    use serde::de::{DeserializeSeed, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor};

    struct Marker<'a> {
        files: &'a FileLedger,
        folders: &'a mut HashSet<String>,
    }
    impl<'de> DeserializeSeed<'de> for Marker<'_> {
        type Value = ();
        fn deserialize<D: serde::Deserializer<'de>>(
            self,
            d: D,
        ) -> std::result::Result<(), D::Error> {
            d.deserialize_map(self)
        }
    }
    impl<'de> Visitor<'de> for Marker<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an EAC Desk bundle marker")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
            let (mut version, mut listed) = (false, false);
            while let Some(key) = map.next_key::<String>()? {
                match key.as_str() {
                    "eacdesk_bundle" if !version => {
                        map.next_value::<u32>()?;
                        version = true;
                    }
                    "files" if !listed => {
                        map.next_value_seed(Files {
                            files: self.files,
                            folders: &mut *self.folders,
                        })?;
                        listed = true;
                    }
                    "eacdesk_bundle" | "files" => return Err(A::Error::custom("duplicate field")),
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            if !(version && listed) {
                return Err(A::Error::custom("missing field"));
            }
            Ok(())
        }
    }
    struct Files<'a> {
        files: &'a FileLedger,
        folders: &'a mut HashSet<String>,
    }
    impl<'de> DeserializeSeed<'de> for Files<'_> {
        type Value = ();
        fn deserialize<D: serde::Deserializer<'de>>(
            self,
            d: D,
        ) -> std::result::Result<(), D::Error> {
            d.deserialize_seq(self)
        }
    }
    impl<'de> Visitor<'de> for Files<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list of file names")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
            while let Some(name) = seq.next_element::<String>()? {
                for (i, _) in name.match_indices('/') {
                    if !self.folders.contains(&name[..i]) {
                        self.folders.insert(name[..i].to_owned());
                    }
                }
                self.files.add(&name).map_err(A::Error::custom)?;
            }
            Ok(())
        }
    }

    // Opened once as a regular file: a named pipe put in the marker's
    // place since it was looked at is not waited on, a link not followed.
    let Ok(crate::regular::Regular::File(file)) = crate::regular::open_regular(path) else {
        return Ok(None);
    };
    let files = FileLedger::exact()?;
    let mut folders = HashSet::new();
    let mut de = serde_json::Deserializer::from_reader(io::BufReader::new(file));
    let read = Marker {
        files: &files,
        folders: &mut folders,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    Ok(read.ok().map(|()| (files, folders)))
}

/// Removes the files of a bundle folder (those in `owned`, or without a
/// list every bundle-shaped file) and then its folders if empty; anything
/// else stays, and so does the folder holding it. Best effort: what
/// cannot be removed now is removed by a later export to that folder.
pub(crate) fn remove_bundle_files(dir: &Path, owned: Option<&FileLedger>) {
    let ours = |relative: &str| match owned {
        // Unreadable ledger: keep the file (a later export removes it).
        Some(ledger) => relative == BUNDLE_MARKER || ledger.contains(relative).unwrap_or(false),
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

/// Removes the earlier bundle a new one was swapped with, now at
/// `earlier`, by the list of files its own marker holds, read again now:
/// another export to the same place may have put its bundle there after
/// this one judged the destination (two exports at once), and the list
/// read then (`judged`) named the files of the bundle before it, so the
/// other's detail files stayed behind in a hidden folder. Only if it no
/// longer reads as a bundle of ours (something was added meanwhile) the
/// list judged is used: what it does not name stays.
fn remove_swapped_out(earlier: &Path, judged: Option<&FileLedger>) {
    match inspect_destination(earlier) {
        Ok(Destination::Bundle(owned)) => remove_bundle_files(earlier, Some(&owned)),
        Ok(Destination::Empty) => {
            let _ = fs::remove_dir(earlier);
        }
        _ => remove_bundle_files(earlier, judged),
    }
}

/// Removes the finished bundle at `dir` (one with its marker, holding
/// nothing else; an empty folder too), as [`remove_bundle_files`] with the
/// files its marker lists; anything else is left as it is.
pub(crate) fn remove_finished_bundle(dir: &Path) {
    match inspect_destination(dir) {
        Ok(Destination::Bundle(owned)) => remove_bundle_files(dir, Some(&owned)),
        Ok(Destination::Empty) => {
            let _ = fs::remove_dir(dir);
        }
        _ => {}
    }
}

/// Where a bundle was published as files: the folder its metadata's
/// `file:` listing URL names (`None` for https bundles or unreadable ones).
pub(crate) fn bundle_home(dir: &Path) -> Option<PathBuf> {
    let text = own_metadata(dir)?;
    let api = read_server_metadata(&text).ok()?.cds_eacs_api?;
    let listing = Url::parse(&api).ok()?.to_file_path().ok()?;
    (listing.file_name()? == BUNDLE_LISTING)
        .then(|| listing.parent().map(Path::to_owned))
        .flatten()
}

/// A check run on the finished (still hidden) bundle folder before it is
/// renamed into place; its errors stop the export.
pub type BundleCheck<'a> = &'a dyn Fn(&Path) -> Vec<Violation>;

/// The P2 bundle: each EAC's detail file and its envelope in the listing,
/// with the envelope-only EACs of an unfiltered export in P2 order.
struct P2Bundle<'a> {
    bundle: &'a AtomicDir,
    out: ListingOut<DirFile>,
    final_dir: &'a Path,
    base: &'a Base,
    check: CheckOptions,
    listing_checks: P2ListingChecks,
    /// Every file the bundle owns, for its marker (on disk, not in memory).
    files: FileLedger,
    detail_count: usize,
    now: Timestamp,
    unfiltered: bool,
    /// Envelope-only EACs not yet written, read from the store a chunk at
    /// a time.
    envelopes: EnvelopeCursor<'a>,
    foreign_formats: Vec<String>,
    /// Technologies outside the draft list, for the report's warnings.
    extended: crate::export::ExtendedTechnologies,
}

impl P2Bundle<'_> {
    /// Checks an envelope and writes it to the listing while no error was
    /// found.
    fn emit(&mut self, env: &EacEnvelope, errors: &mut Vec<Violation>) -> Result<()> {
        let listing = &mut self.listing_checks;
        self.out.put(
            env,
            |at| {
                check_envelope(env, at)
                    .into_iter()
                    .chain(listing.check(env, at))
            },
            errors,
        )
    }
}

impl Sink for P2Bundle<'_> {
    fn order(&self, _kind: Kind) -> &'static str {
        // Storage text is fixed-width UTC, so text order is instant order;
        // BINARY collation of UTF-8 is code-point order, and so is a server
        // database's C collation. None of these columns is ever NULL: one
        // order on both backends.
        " ORDER BY e.period_start DESC, e.cds_created DESC, e.cds_eac_id ASC"
    }

    fn wants_synced(&self) -> bool {
        true
    }

    fn begin(&mut self, tx: &dyn Db) -> Result<()> {
        // The envelope-only EACs' formats must be declared too (rule 18).
        if self.unfiltered {
            self.foreign_formats = envelope_formats(tx, EACDESK_FORMAT_ID)?;
        }
        Ok(())
    }

    fn eac(
        &mut self,
        eac: &Eac,
        synced: Option<Timestamp>,
        errors: &mut Vec<Violation>,
    ) -> Result<()> {
        let synced = synced.unwrap_or(self.now);
        let file_name = detail_file_name(&eac.cds_eac_id);
        let relative = format!("{BUNDLE_DETAILS}/{file_name}");
        let detail_shown = self.final_dir.join(&relative);
        let detail_label = detail_shown.display().to_string();
        (self.extended).note(eac, &detail_label, || "/technology_type".to_owned());
        errors.extend(
            check_eac(eac, "", self.check)
                .into_iter()
                .filter(Violation::is_error)
                .map(|v| v.with_file(&detail_label)),
        );
        if !self.files.add(&relative)? {
            errors.push(
                Violation::error(
                    Rule::UniqueEacId,
                    "/cds_eac_id",
                    format!("two EACs map to the detail file name `{file_name}`"),
                )
                .with_eac(Some(&eac.cds_eac_id))
                .with_file(&detail_label),
            );
        }
        let Some(envelope) =
            EacEnvelope::of(eac, synced, EACDESK_FORMAT_ID, self.base.url(&relative)?)
        else {
            // Incomplete: the export's checks already refused it.
            return Ok(());
        };
        // Envelope-only EACs that come first in P2 order go before this one.
        while self
            .envelopes
            .peek()?
            .is_some_and(|e| e.p2_order_key() < envelope.p2_order_key())
        {
            let only = self.envelopes.next_envelope()?.expect("peeked");
            self.emit(&only, errors)?;
        }
        if errors.is_empty() {
            self.bundle.write_json(&relative, eac)?;
        }
        self.emit(&envelope, errors)?;
        self.detail_count += 1;
        Ok(())
    }

    fn end(&mut self, errors: &mut Vec<Violation>) -> Result<()> {
        while let Some(only) = self.envelopes.next_envelope()? {
            self.emit(&only, errors)?;
        }
        Ok(())
    }
}

/// `published`: where the bundle will be once a caller that builds it
/// inside a larger folder (an evidence pack) has put that folder in place;
/// its `file:` URIs and messages name that place. `None`: `dest` itself.
pub(crate) fn export_p2(
    conn: &dyn Db,
    filter: Option<&EacFilter>,
    dest: &Path,
    base_url: Option<&str>,
    published: Option<&Path>,
    progress: &dyn Progress,
    extra_check: BundleCheck<'_>,
) -> Result<BundleReport> {
    let (report, bundle) = write_p2(
        conn,
        filter,
        dest,
        base_url,
        published,
        progress,
        extra_check,
    )?;
    bundle.swap()?.finish();
    Ok(report)
}

/// A bundle written whole in its hidden folder beside the destination,
/// marker included, not yet in place: [`FinishedBundle::swap`] puts it
/// there (removed when dropped instead).
pub(crate) struct FinishedBundle {
    bundle: AtomicDir,
    /// Replacing: the files the earlier bundle owns (an empty folder:
    /// none); `None`: nothing was there.
    owned: Option<FileLedger>,
}

impl FinishedBundle {
    /// Swaps the bundle into place ([`AtomicDir::swap`]); the earlier one
    /// is removed by [`SwappedBundle::finish`].
    pub(crate) fn swap(self) -> Result<SwappedBundle> {
        let FinishedBundle { bundle, owned } = self;
        let swapped = bundle.swap(owned.is_some())?;
        Ok(SwappedBundle { swapped, owned })
    }
}

/// A bundle [`FinishedBundle::swap`] put in place, the earlier one (if
/// any) still beside it.
pub(crate) struct SwappedBundle {
    swapped: atomic::Swapped,
    owned: Option<FileLedger>,
}

impl SwappedBundle {
    /// Removes the bundle it replaced ([`remove_swapped_out`]).
    pub(crate) fn finish(self) {
        let SwappedBundle { swapped, owned } = self;
        swapped.finish(|earlier| remove_swapped_out(earlier, owned.as_ref()));
    }
}

/// The name of the bundle's folder `dest`, refused before anything is
/// written when there is none (`""`, `.`, `..`, a root) or, for a folder
/// the export would make (`new`: not an evidence pack's), when it ends in
/// `.json`: a P2 bundle is a folder, and `--out new.json` made a folder of
/// that name without a word to someone who expected one file. An existing
/// folder of such a name (made empty, or an earlier bundle) is taken.
fn bundle_name(dest: &Path, new: bool) -> Result<&std::ffi::OsStr> {
    let name = crate::placing::refuse_folder_name(dest, "bundle", "bundle")?;
    let json = name
        .to_str()
        .and_then(|n| {
            n.len()
                .checked_sub(5)
                .and_then(|at| n.get(at..))
                .filter(|_| n.len() > 5)
        })
        .is_some_and(|end| end.eq_ignore_ascii_case(".json"));
    if new && json && fs::symlink_metadata(dest).is_err_and(|e| e.kind() == io::ErrorKind::NotFound)
    {
        let stem = Path::new(name).file_stem().unwrap_or(name);
        return Err(StoreError::InvalidInput(format!(
            "{} ends in .json, but a P2 bundle is a folder (eacs.json, server-metadata.json, \
             FORMAT.md and the detail files in eacs/), not one file; nothing was written. Name \
             the folder without .json (e.g. {}), or export the P1 profile for one file.",
            dest.display(),
            dest.with_file_name(stem).display()
        )));
    }
    Ok(name)
}

/// [`export_p2`] up to the swap: the bundle checked and complete in its
/// hidden folder.
pub(crate) fn write_p2(
    conn: &dyn Db,
    filter: Option<&EacFilter>,
    dest: &Path,
    base_url: Option<&str>,
    published: Option<&Path>,
    progress: &dyn Progress,
    extra_check: BundleCheck<'_>,
) -> Result<(BundleReport, FinishedBundle)> {
    // Refused before the destination is looked at, and nothing written.
    let base_url = base_url.map(parse_base_url).transpose()?;
    let name = bundle_name(dest, published.is_none())?;
    let parent = atomic::folder_of(dest);
    crate::placing::refuse_missing_folder(dest, "the bundle's own folder only")?;
    let parent = parent.canonicalize().map_err(io_err(parent))?;
    let build_dir = parent.join(name);
    let final_dir = published.map_or_else(|| build_dir.clone(), Path::to_owned);
    let base = match base_url {
        Some(url) => Base::Https(url),
        None => Base::folder(&final_dir)?,
    };
    // Removed on every early return; locked while it is built so another
    // export's clean-up leaves it alone. An earlier export stopped half-way
    // is repaired first, before the destination is judged.
    let mut bundle = AtomicDir::beside(&build_dir)?;
    let previous = inspect_destination(&build_dir)?;

    // Errors name where a file will be, never the hidden folder.
    bundle.create_dir(BUNDLE_DETAILS)?;
    let out = ListingOut::begin(
        bundle.create_file(BUNDLE_LISTING)?,
        &bundle.shown(BUNDLE_LISTING),
    )?;
    // Envelope-only EACs have none of the fields the filters look at:
    // they belong to an unfiltered export only.
    let unfiltered = filter.is_none_or(|f| *f == EacFilter::default());
    let mut sink = P2Bundle {
        bundle: &bundle,
        out,
        final_dir: &final_dir,
        base: &base,
        check: CheckOptions::validate().with_extended_technologies(true),
        listing_checks: P2ListingChecks::default(),
        files: FileLedger::new()?,
        detail_count: 0,
        now: Timestamp::now(),
        unfiltered,
        // Read inside the export's snapshot (`stream_eacs` holds `conn`'s
        // read transaction, or the server's read-only snapshot, while the
        // sink runs).
        envelopes: if unfiltered {
            EnvelopeCursor::new(conn)
        } else {
            EnvelopeCursor::none(conn)
        },
        foreign_formats: Vec::new(),
        extended: crate::export::ExtendedTechnologies::default(),
    };
    let rules_file = final_dir.display().to_string();
    crate::export::stream_eacs(conn, filter, progress, &rules_file, &mut sink)?;
    let eac_count = sink.out.count();
    let P2Bundle {
        out,
        files,
        detail_count,
        foreign_formats,
        extended,
        ..
    } = sink;
    let sha256 = out.finish()?.finish()?;

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
    let metadata_shown = bundle.shown(BUNDLE_METADATA);
    bundle.write_json(BUNDLE_METADATA, &metadata)?;
    let metadata_text =
        fs::read_to_string(bundle.path().join(BUNDLE_METADATA)).map_err(io_err(&metadata_shown))?;
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
    let mut doc = bundle.create_file(BUNDLE_FORMAT_DOC)?;
    doc.write_all(FORMAT_DOC.as_bytes())
        .map_err(io_err(doc.shown()))?;
    doc.finish()?;

    // The caller's check (the JSON Schemas) sees the bundle before anyone
    // else; what it finds is said of where the files will be, never of the
    // hidden folder it read (gone by the time anyone reads the message).
    let found = extra_check(bundle.path())
        .into_iter()
        .map(|v| shown_at(v, bundle.path(), &final_dir))
        .collect();
    crate::export::caller_check(found, &rules_file, false)?;
    // Written last: a folder with the marker is complete.
    for fixed in [BUNDLE_LISTING, BUNDLE_METADATA, BUNDLE_FORMAT_DOC] {
        files.add(fixed)?;
    }
    write_marker(&bundle, &files)?;
    drop(files);
    // Replacing: the files the earlier bundle owns (an empty folder: none).
    let owned = match previous {
        Destination::Missing => None,
        Destination::Empty => Some(FileLedger::exact()?),
        Destination::Bundle(owned) => Some(owned),
    };
    let report = BundleReport {
        path: final_dir.display().to_string(),
        sha256,
        eac_count,
        file_count: detail_count + 3,
        not_recorded: None,
        warnings: extended.warnings(),
    };
    Ok((report, FinishedBundle { bundle, owned }))
}

/// `v` as said of the bundle at `shown` instead of the hidden folder
/// `hidden` it was found in: its file, and any mention of that folder in
/// its message.
fn shown_at(mut v: Violation, hidden: &Path, shown: &Path) -> Violation {
    if let Some(rest) = v
        .file
        .as_deref()
        .and_then(|file| Path::new(file).strip_prefix(hidden).ok())
    {
        v.file = Some(shown.join(rest).display().to_string());
    }
    let hidden_text = hidden.display().to_string();
    if v.message.contains(&hidden_text) {
        v.message = v
            .message
            .replace(&hidden_text, &shown.display().to_string());
    }
    v
}

/// The marker, element by element from the ledger, in the layout
/// `write_json` gives the marker (serde_json's pretty layout and a
/// final newline), so it never holds the whole list.
fn write_marker(bundle: &AtomicDir, files: &FileLedger) -> Result<()> {
    let mut out = bundle.create_file(BUNDLE_MARKER)?;
    let shown = out.shown().to_owned();
    let mut put = |text: &str| out.write_all(text.as_bytes()).map_err(io_err(&shown));
    put("{\n  \"eacdesk_bundle\": 1,\n  \"files\": [")?;
    let mut first = true;
    files.each_sorted(|name| {
        put(if first { "\n    " } else { ",\n    " })?;
        first = false;
        put(&serde_json::Value::from(name).to_string())
    })?;
    put(if first { "]\n}\n" } else { "\n  ]\n}\n" })?;
    out.finish()?;
    Ok(())
}

/// The description every bundle carries of its detail format.
const FORMAT_DOC: &str = "# EAC Desk EAC JSON v1 (`eacdesk_eac_json_v1`)\n\
\n\
Each file under `eacs/` holds one EAC object of the CDSC-WG3-01 draft of\n\
2024-08-29 as amended (profile P1 of EAC Desk), with its `values`, as UTF-8\n\
JSON in serde_json's pretty layout with a final newline, except that the\n\
value of an extension field (a member the draft does not define, on the EAC\n\
or on a value) is its text as the source wrote it, spaces and line breaks\n\
included: the same EAC imported from differently indented files can give\n\
detail files that differ in that whitespace only.\n\
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
  their `eac_data_url` points at their source, unchanged.\n\
- The hidden `.eacdesk-bundle` lists every file of the bundle and is written\n\
  last (a folder holding it is complete). EAC Desk writes a new bundle over\n\
  this folder only while the folder holds nothing but those files; keep it\n\
  when copying the bundle, and add nothing of your own to the folder.\n";

#[cfg(test)]
mod tests {
    use super::*;

    /// A named pipe in the marker's place (put there after the folder was
    /// looked at) is read as no marker, not waited on: the export refuses
    /// the folder as one whose files it cannot tell. A plain open waited
    /// until the process was killed.
    #[cfg(unix)]
    #[test]
    fn a_pipe_in_the_markers_place_is_not_waited_on() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join(BUNDLE_MARKER);
        crate::atomic::tests::mkfifo(&marker);
        let at = marker.clone();
        let read = crate::atomic::tests::within_20s("read_marker", move || {
            read_marker(&at)
                .map(|m| m.is_none())
                .map_err(|e| e.to_string())
        });
        assert_eq!(read, Ok(true));
        // A marker EAC Desk wrote is still read.
        fs::remove_file(&marker).unwrap();
        fs::write(
            &marker,
            r#"{"eacdesk_bundle": 1, "files": ["eacs/a.json"]}"#,
        )
        .unwrap();
        let (files, folders) = read_marker(&marker).unwrap().unwrap();
        assert!(files.contains("eacs/a.json").unwrap());
        assert!(folders.contains("eacs"));
    }

    /// Every byte RFC 3986 does not allow in a path segment is
    /// percent-encoded (`%` too, and each byte of a non-ASCII name), so the
    /// URL is a URI whatever the folder is called, and it decodes to the
    /// folder again.
    #[test]
    fn file_urls_encode_what_a_path_segment_may_not_hold() {
        let path = Path::new("/tmp/FY2024 [final]/a|b^c%d#e?f é{g}<h>\"`\\/eacs.json");
        let url = file_url(path).unwrap();
        assert_eq!(
            url,
            "file:///tmp/FY2024%20%5Bfinal%5D/a%7Cb%5Ec%25d%23e%3Ff%20%C3%A9%7Bg%7D%3Ch%3E%22%60%5C/eacs.json"
        );
        // What RFC 3986 allows stays as it is.
        assert_eq!(
            file_url(Path::new("/a-b._~!$&'()*+,;=:@/x")).unwrap(),
            "file:///a-b._~!$&'()*+,;=:@/x"
        );
        assert!(url.bytes().all(|b| is_pchar(b) || matches!(b, b'/' | b'%')));
        // A URI to the rules and the schemas alike.
        assert!(eac_model::read::is_absolute_url(&url), "{url}");
        assert_eq!(Url::parse(&url).unwrap().to_file_path().unwrap(), path);
        assert_eq!(Url::parse(&url).unwrap().as_str(), url);
        // Not every path is a folder a URL can name.
        assert_eq!(file_url(Path::new("relative/x")), None);
        assert_eq!(file_url(Path::new("/a/../x")), None);
    }

    /// A file name that is not UTF-8 (Unix) keeps its bytes.
    #[cfg(unix)]
    #[test]
    fn file_urls_keep_the_bytes_of_a_name_that_is_not_unicode() {
        use std::os::unix::ffi::OsStrExt;
        let path = Path::new(std::ffi::OsStr::from_bytes(b"/tmp/a\xff b/eacs.json"));
        let url = file_url(path).unwrap();
        assert_eq!(url, "file:///tmp/a%FF%20b/eacs.json");
        assert_eq!(Url::parse(&url).unwrap().to_file_path().unwrap(), path);
    }

    /// Windows drive and UNC paths as `file:` URLs (the shapes
    /// `Url::from_file_path` gives them, names encoded the same way).
    #[test]
    fn file_urls_of_windows_drives_and_shares() {
        assert_eq!(
            file_url_of("", Some("C:"), &[b"Users", b"A [1] \xc3\xa9", b"eacs.json"]),
            "file:///C:/Users/A%20%5B1%5D%20%C3%A9/eacs.json"
        );
        assert_eq!(
            file_url_of("server", None, &[b"share", b"p|2", b"eacs.json"]),
            "file://server/share/p%7C2/eacs.json"
        );
        assert_eq!(file_url_of("", None, &[]), "file:///");
    }

    /// A base URL is a `uri` to the schemas as written, or refused naming
    /// itself and why.
    #[test]
    fn a_base_url_must_be_a_uri_as_written() {
        for bad in [
            "https://example.org/a[1]/",
            "https://example.org/a|b^c/",
            "https://example.org/a b/",
            "https://exämple.org/",
            "https://example.org/100%/",
        ] {
            let Err(StoreError::InvalidInput(message)) = parse_base_url(bad) else {
                panic!("{bad} is refused");
            };
            assert!(
                message.starts_with(&format!("the base URL `{bad}` is not a valid URI")),
                "{message}"
            );
            assert!(message.contains("nothing was written"), "{message}");
        }
        assert_eq!(
            parse_base_url("https://example.org/a%5B1%5D")
                .unwrap()
                .as_str(),
            "https://example.org/a%5B1%5D/"
        );
        assert_eq!(
            parse_base_url("https://example.org").unwrap().as_str(),
            "https://example.org/"
        );
    }

    /// A base URL the parser would publish as another URL is refused,
    /// naming that URL; one with an empty host says so instead.
    #[test]
    fn a_base_url_is_published_as_typed_or_refused() {
        for (bad, read_as) in [
            ("https:////example.org/x/", None),
            ("https:///eacs/2024/", None),
            (
                "https://example.org/a/../b/",
                Some("https://example.org/b/"),
            ),
            (
                "https://example.org/x/%2e%2e/",
                Some("https://example.org/"),
            ),
            ("https://example.org/./x", Some("https://example.org/x/")),
            ("https://EXAMPLE.org:443/x", Some("https://example.org/x/")),
            ("HTTPS://example.org/x/", Some("https://example.org/x/")),
            ("https://example.org:443/x/", Some("https://example.org/x/")),
        ] {
            let Err(StoreError::InvalidInput(message)) = parse_base_url(bad) else {
                panic!("{bad} is refused");
            };
            assert!(message.contains("nothing was written"), "{message}");
            match read_as {
                Some(url) => assert!(
                    message.contains(&format!("would be published as {url}")),
                    "{message}"
                ),
                None => assert!(message.contains("has no host"), "{message}"),
            }
        }
        for good in [
            "https://example.org:8443/eacs/",
            "https://example.org/a%2Fb/",
        ] {
            assert!(parse_base_url(good).is_ok(), "{good}");
        }
    }

    /// A base URL holding a user name or password is refused: every URL of
    /// the bundle would publish them. The password is never said back.
    #[test]
    fn a_base_url_with_userinfo_is_refused_without_saying_the_password() {
        for (bad, shown, held) in [
            (
                "https://analyst:S3cret@example.com/eacs/",
                "https://analyst:***@example.com/eacs/",
                "a user name and password (`analyst:***@`)",
            ),
            (
                "https://:S3cret@example.com/eacs/",
                "https://:***@example.com/eacs/",
                "a password (`:***@`)",
            ),
            (
                "https://analyst@example.com/eacs/",
                "https://analyst@example.com/eacs/",
                "a user name (`analyst@`)",
            ),
            (
                "https://analyst:@example.com/eacs/",
                "https://analyst:@example.com/eacs/",
                "a user name (`analyst@`)",
            ),
            (
                "https://a:S3cret@b@example.com:8443/eacs/",
                "https://a:***@example.com:8443/eacs/",
                "a user name and password (`a:***@`)",
            ),
        ] {
            let message = base_url_problem(bad).unwrap();
            assert!(
                message.starts_with(&format!("the base URL `{shown}` holds {held}, which every URL in the bundle would publish")),
                "{message}"
            );
            assert!(
                message.contains(
                    "nothing was written. Write the base URL without it, e.g. `https://example.com"
                ),
                "{message}"
            );
            assert!(!message.contains("S3cret"), "{message}");
        }
        // Whatever else is wrong with it, the password is masked.
        for bad in [
            "http://analyst:S3cret@example.com/eacs/",
            "ftp://analyst:S3cret@example.com/eacs/",
            "https://analyst:S3cret@/eacs/",
            "https://analyst:S3cret@exa mple.com/",
            "https://analyst:S3#cret@example.com/",
            "https://analyst:S3/cret@example.com/",
            "https://analyst:S3?cret@example.com/",
        ] {
            let message = base_url_problem(bad).unwrap();
            assert!(message.contains("analyst:***@"), "{message}");
            assert!(!message.contains("cret"), "{message}");
        }
    }

    /// What the caller's check of the hidden folder finds is said of the
    /// bundle's own place: its file and its message.
    #[test]
    fn findings_in_the_hidden_folder_are_said_of_the_destination() {
        let hidden = Path::new("/data/.eacdesk-bundle-Ab12Cd");
        let shown = Path::new("/data/FY2024 [final]");
        let v = Violation::error(
            Rule::RequiredKeys,
            "/eacs/0",
            "bad (in /data/.eacdesk-bundle-Ab12Cd/eacs.json)",
        )
        .with_file("/data/.eacdesk-bundle-Ab12Cd/eacs/x.json");
        let v = shown_at(v, hidden, shown);
        assert_eq!(v.file.as_deref(), Some("/data/FY2024 [final]/eacs/x.json"));
        assert_eq!(v.message, "bad (in /data/FY2024 [final]/eacs.json)");
        // A finding of another file is left as it is.
        let other = Violation::error(Rule::RequiredKeys, "", "x").with_file("/elsewhere/a.json");
        assert_eq!(shown_at(other.clone(), hidden, shown), other);
    }

    /// An export refused by the caller's check names the destination,
    /// never the hidden folder the check read (gone by then).
    #[test]
    fn a_refusal_by_the_callers_check_names_the_destination() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = crate::Store::open(&dir.path().join("desk.sqlite")).unwrap();
        let example = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/spec-examples/good-p1-overview-monthly.json");
        store
            .import_file(
                &example,
                crate::ImportOptions::default(),
                &crate::NoProgress,
            )
            .unwrap();
        let dest = dir.path().join("out [1]");
        let check = |root: &Path| {
            let listing = root.join(BUNDLE_LISTING).display().to_string();
            vec![Violation::error(
                Rule::RequiredKeys,
                "/eacs/0/eac_data_url",
                format!("not a uri (in {listing})"),
            )
            .with_file(&listing)]
        };
        let Err(StoreError::Rules { violations, .. }) =
            store.export_p2_checked(None, &dest, None, &crate::NoProgress, &check)
        else {
            panic!("refused by the check");
        };
        let listing = dest.display().to_string() + "/eacs.json";
        assert_eq!(violations[0].file.as_deref(), Some(listing.as_str()));
        assert_eq!(violations[0].message, format!("not a uri (in {listing})"));
        assert!(!dest.exists());
    }
}
