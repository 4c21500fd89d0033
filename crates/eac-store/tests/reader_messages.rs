//! Every reader judges a file's encoding the same way (decision 40): a
//! UTF-8 byte order mark is ignored, a UTF-16 file (with or without a mark)
//! is refused as a rule 20 error at line 1, column 1 of that very file,
//! naming the encoding and saying to save it as UTF-8. The four readers are
//! driven through the store's imports, as a user meets them: P1 listings,
//! P2 listings, P2 detail files (inside a bundle) and reference data.

use std::fs;
use std::path::{Path, PathBuf};

use eac_model::Violation;
use eac_store::p2::{BUNDLE_DETAILS, BUNDLE_LISTING};
use eac_store::{ImportOptions, NoProgress, Store, StoreError};
use tempfile::TempDir;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
}

#[derive(Debug, Clone, Copy)]
enum Reader {
    P1,
    P2Listing,
    Detail,
    Refdata,
}

#[derive(Debug, Clone, Copy)]
enum Encoding {
    Utf8Bom,
    Utf16LeBom,
    Utf16Be,
}

impl Encoding {
    fn encode(self, text: &str) -> Vec<u8> {
        match self {
            Encoding::Utf8Bom => [0xEF, 0xBB, 0xBF].into_iter().chain(text.bytes()).collect(),
            Encoding::Utf16LeBom => [0xFF, 0xFE]
                .into_iter()
                .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
                .collect(),
            Encoding::Utf16Be => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        }
    }

    /// How the refusal names it (`None`: the file is accepted).
    fn named(self) -> Option<&'static str> {
        match self {
            Encoding::Utf8Bom => None,
            Encoding::Utf16LeBom => Some("UTF-16 (little-endian, with a byte order mark)"),
            Encoding::Utf16Be => Some("UTF-16 (big-endian)"),
        }
    }
}

/// A bundle exported from the canonical P1 fixture (non-ASCII text inside).
fn bundle(dir: &Path) -> PathBuf {
    let mut store = Store::open(&dir.join("source.db")).unwrap();
    store
        .import_file(
            &fixture("canonical-p1.json"),
            ImportOptions::default(),
            &NoProgress,
        )
        .unwrap();
    let bundle = dir.join("bundle");
    store.export_p2(None, &bundle, None, &NoProgress).unwrap();
    bundle
}

fn first_detail(bundle: &Path) -> PathBuf {
    let mut names: Vec<PathBuf> = fs::read_dir(bundle.join(BUNDLE_DETAILS))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    names.remove(0)
}

/// Re-encodes the reader's file and imports it into a new database: how
/// many ids/EACs were stored, or the file of the refusal and its violations.
fn import_encoded(
    reader: Reader,
    encoding: Encoding,
) -> (PathBuf, Result<usize, (String, Vec<Violation>)>) {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let reencode = |from: &Path, to: &Path| {
        let text = fs::read_to_string(from).unwrap();
        fs::write(to, encoding.encode(&text)).unwrap();
    };
    let (encoded, imported) = match reader {
        Reader::P1 => {
            let path = d.join("p1.json");
            reencode(&fixture("canonical-p1.json"), &path);
            (path, None)
        }
        Reader::P2Listing => {
            let b = bundle(d);
            let path = b.join(BUNDLE_LISTING);
            reencode(&path, &path);
            (path, Some(b))
        }
        Reader::Detail => {
            let b = bundle(d);
            let path = first_detail(&b);
            reencode(&path, &path);
            (path, Some(b))
        }
        Reader::Refdata => {
            let path = d.join("accounts.json");
            reencode(&fixture("refdata/accounts-2024.json"), &path);
            (path, None)
        }
    };
    let mut store = Store::open(&d.join("eac.db")).unwrap();
    let outcome = match (reader, &imported) {
        (Reader::P1, _) => store
            .import_file(&encoded, ImportOptions::default(), &NoProgress)
            .map(|r| r.added),
        (Reader::Refdata, _) => store
            .import_refdata(&encoded, &NoProgress)
            .map(|r| r.counts.iter().map(|c| c.count).sum()),
        (_, Some(b)) => store
            .import_p2(b, ImportOptions::default(), &NoProgress)
            .map(|r| r.added),
        (_, None) => unreachable!(),
    };
    let outcome = outcome.map_err(|e| match e {
        StoreError::Rules { file, violations } => (file, violations),
        other => panic!("{reader:?} {encoding:?}: not a rule violation: {other}"),
    });
    (encoded, outcome)
}

#[test]
fn every_reader_ignores_a_utf8_bom_and_names_utf16() {
    for reader in [
        Reader::P1,
        Reader::P2Listing,
        Reader::Detail,
        Reader::Refdata,
    ] {
        for encoding in [Encoding::Utf8Bom, Encoding::Utf16LeBom, Encoding::Utf16Be] {
            let case = format!("{reader:?} in {encoding:?}");
            let (encoded, outcome) = import_encoded(reader, encoding);
            let Some(name) = encoding.named() else {
                let stored = outcome.unwrap_or_else(|(_, v)| panic!("{case}: refused: {v:?}"));
                assert!(stored > 0, "{case}: nothing stored");
                continue;
            };
            let (file, violations) = match outcome {
                Ok(n) => panic!("{case}: accepted ({n} stored)"),
                Err(refusal) => refusal,
            };
            let encoded = encoded.display().to_string();
            // The finding sits in the encoded file itself, at its start.
            let named: Vec<&Violation> = violations
                .iter()
                .filter(|v| v.file.as_deref().unwrap_or(&file) == encoded)
                .collect();
            assert_eq!(named.len(), 1, "{case}: {violations:#?}");
            let v = named[0];
            assert_eq!(
                (v.rule, v.line, v.column, v.is_error()),
                (20, Some(1), Some(1), true),
                "{case}: {v}"
            );
            assert!(
                v.message
                    .starts_with(&format!("the file is encoded as {name}")),
                "{case}: {v}"
            );
            assert!(v.message.contains("save it as UTF-8"), "{case}: {v}");
            // Nothing else is said about the file's bytes.
            for other in &violations {
                assert!(
                    !other.message.contains("cannot be read")
                        && !other.message.contains("valid UTF-8"),
                    "{case}: {other}"
                );
            }
            if let Reader::Detail = reader {
                // The envelope that pointed at the file is named.
                assert!(
                    v.message.contains("(detail file of the envelope at /eacs/"),
                    "{case}: {v}"
                );
                assert!(v.cds_eac_id.is_some(), "{case}: {v}");
            }
        }
    }
}

/// One P2 envelope, valid on its own.
fn envelope(id: &str, format: &str, url: &str) -> serde_json::Value {
    serde_json::json!({
        "cds_eac_id": id,
        "cds_created": "2024-01-01T00:00:00Z",
        "cds_modified": "2024-01-01T00:00:00Z",
        "cds_synced": "2024-01-01T00:00:00Z",
        "eac_numbers": [],
        "eac_format": format,
        "eac_data_url": url,
        "beneficiary_type": "general",
        "beneficiaries": [],
        "period_start": "2024-01-01T00:00:00Z",
        "period_end": "2024-02-01T00:00:00Z"
    })
}

fn refused_p2(path: &Path, envelopes: &[serde_json::Value]) -> Vec<Violation> {
    let listing = serde_json::json!({"eacs": envelopes, "next": null, "previous": null});
    let file = if path.is_dir() {
        path.join(BUNDLE_LISTING)
    } else {
        path.to_owned()
    };
    fs::write(&file, listing.to_string()).unwrap();
    let dir = TempDir::new().unwrap();
    let mut store = Store::open(&dir.path().join("eac.db")).unwrap();
    match store.import_p2(path, ImportOptions::default(), &NoProgress) {
        Err(StoreError::Rules { violations, .. }) => violations,
        other => panic!("not refused by the rules: {other:?}"),
    }
}

/// An id or URL of 4000 characters (within the 4096 every EAC string is
/// held to) is quoted by its first 60 (decision 41), wherever the P2
/// import echoes it: refusals of detail files and duplicate ids.
#[test]
fn p2_import_quotes_long_ids_and_urls_briefly() {
    let dir = TempDir::new().unwrap();
    let long_id = format!("E{}", "x".repeat(4000));
    let long_url = format!("https://example.org/eacs/{}.json", "y".repeat(4000));
    let long_file = format!("file:///{}", "z/".repeat(2000));
    let ours = "eacdesk_eac_json_v1";
    let bundle = dir.path().join("bundle");
    fs::create_dir_all(bundle.join(BUNDLE_DETAILS)).unwrap();
    let cases = [
        // A listing without a bundle reads nothing: the URL is named.
        (
            dir.path().join("listing.json"),
            vec![envelope("a", ours, &long_url)],
        ),
        // In a bundle, a file name longer than any file can have.
        (bundle.clone(), vec![envelope("a", ours, &long_url)]),
        // A `file:` URI whose path is longer than any path can be.
        (bundle.clone(), vec![envelope("a", ours, &long_file)]),
        // The same long id twice.
        (
            bundle.clone(),
            vec![
                envelope(&long_id, "other", "https://example.org/1"),
                envelope(&long_id, "other", "https://example.org/2"),
            ],
        ),
    ];
    for (i, (path, envelopes)) in cases.iter().enumerate() {
        let violations = refused_p2(path, envelopes);
        assert!(!violations.is_empty(), "case {i}");
        for v in &violations {
            let shown = v.to_string();
            assert!(
                shown.chars().count() < 1000,
                "case {i}: {} characters: {}…",
                shown.chars().count(),
                shown.chars().take(300).collect::<String>()
            );
            assert!(shown.contains("more characters)"), "case {i}: {shown}");
        }
    }
}

/// A P1 EAC whose id is a NUL (which SQLite's `length()` counts as empty)
/// is refused by the rules, not by the database's CHECK constraint.
#[test]
fn an_eac_id_holding_a_nul_is_a_rule_7_violation_not_a_database_error() {
    let dir = TempDir::new().unwrap();
    let text = fs::read_to_string(fixture("canonical-p1.json"))
        .unwrap()
        .replacen("\"canon-01\"", "\"\\u0000\"", 1);
    let path = dir.path().join("nul-id.json");
    fs::write(&path, text).unwrap();
    let mut store = Store::open(&dir.path().join("eac.db")).unwrap();
    match store.import_file(&path, ImportOptions::default(), &NoProgress) {
        Err(StoreError::Rules { violations, .. }) => {
            assert_eq!(violations.len(), 1, "{violations:#?}");
            let v = &violations[0];
            assert_eq!(
                (v.rule, v.pointer.as_str()),
                (7, "/eacs/0/cds_eac_id"),
                "{v}"
            );
            assert!(v.message.contains("U+0000 (NUL)"), "{v}");
        }
        other => panic!("not refused by the rules: {other:?}"),
    }
    assert_eq!(store.info().unwrap().eac_count, 0);
}
