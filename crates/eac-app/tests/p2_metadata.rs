//! A bundle's `server-metadata.json` in another encoding: `validate` names
//! the encoding (rule 20, decision 40) instead of calling the file missing,
//! and `import`, which leaves the metadata to `validate`, agrees with it:
//! what `validate` accepts is imported, and an imported bundle breaks no
//! rule outside its metadata.

use std::fs;
use std::path::{Path, PathBuf};

use eac_app::{
    export, import_files, load_sample, open_store, validate_p2, ExportProfile, ImportOptions,
    ImportOutcome, NoProgress,
};

fn exported_bundle(dir: &Path) -> PathBuf {
    let mut store = open_store(&dir.join("source.sqlite")).unwrap();
    load_sample(&mut store, 5, 1, &NoProgress).unwrap();
    let bundle = dir.join("bundle");
    export(&mut store, ExportProfile::P2, None, &bundle, &NoProgress).unwrap();
    bundle
}

#[test]
fn metadata_encodings_are_named_and_import_agrees_with_validate() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = exported_bundle(dir.path());
    let metadata = bundle.join("server-metadata.json");
    let text = fs::read_to_string(&metadata).unwrap();
    let utf16le_bom: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let utf16be_bom: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    let utf16le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let utf8_bom = format!("\u{feff}{text}").into_bytes();
    let cases: [(&str, Vec<u8>, Option<&str>); 4] = [
        ("UTF-8 with a BOM", utf8_bom, None),
        (
            "UTF-16LE with a BOM",
            utf16le_bom,
            Some("UTF-16 (little-endian, with a byte order mark)"),
        ),
        (
            "UTF-16BE with a BOM",
            utf16be_bom,
            Some("UTF-16 (big-endian, with a byte order mark)"),
        ),
        ("UTF-16LE", utf16le, Some("UTF-16 (little-endian)")),
    ];
    for (i, (case, bytes, named)) in cases.into_iter().enumerate() {
        fs::write(&metadata, bytes).unwrap();
        let checked = validate_p2(&bundle, false).unwrap();
        let label = metadata.display().to_string();
        match named {
            None => assert!(checked.is_valid(), "{case}: {checked:#?}"),
            Some(encoding) => {
                assert_eq!(checked.errors.len(), 1, "{case}: {checked:#?}");
                let v = &checked.errors[0];
                assert_eq!(
                    (v.rule, v.line, v.column, v.file.as_deref()),
                    (20, Some(1), Some(1), Some(label.as_str())),
                    "{case}: {v}"
                );
                assert!(
                    v.message
                        .starts_with(&format!("the file is encoded as {encoding}")),
                    "{case}: {v}"
                );
                assert!(v.message.contains("save it as UTF-8"), "{case}: {v}");
            }
        }
        // Import leaves the metadata to validate: the bundle is imported
        // either way, and validate found nothing outside the metadata.
        let mut store = open_store(&dir.path().join(format!("import-{i}.sqlite"))).unwrap();
        let imported = import_files(
            &mut store,
            std::slice::from_ref(&bundle),
            ImportOptions::default(),
            &NoProgress,
        );
        let file = &imported.files[0];
        assert_eq!(file.outcome, ImportOutcome::Imported, "{case}: {file:#?}");
        assert_eq!(file.added, 5, "{case}");
        assert!(
            checked
                .errors
                .iter()
                .all(|v| v.file.as_deref() == Some(label.as_str())),
            "{case}: {checked:#?}"
        );
    }
}

/// A metadata file that exists but cannot be read is not called missing,
/// and is an I/O failure naming it, not a rule 18 violation of the data.
#[test]
fn unreadable_metadata_is_not_called_missing() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = exported_bundle(dir.path());
    let metadata = bundle.join("server-metadata.json");
    fs::remove_file(&metadata).unwrap();
    fs::create_dir(&metadata).unwrap();
    let e = validate_p2(&bundle, false).unwrap_err();
    assert_eq!(e.code, "io", "{e:?}");
    assert!(e.violations().is_empty(), "{e:?}");
    assert_eq!(
        e.details.path.as_deref(),
        Some(metadata.display().to_string().as_str())
    );
    assert!(e.message.contains("Could not read"), "{e}");
    assert!(!e.message.contains("has no"), "{e}");
}

/// An undeclared `eac_format` of 4000 characters (within the 4096 every
/// EAC string is held to) is quoted by its first 60.
#[test]
fn undeclared_formats_are_quoted_briefly() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = exported_bundle(dir.path());
    let listing = bundle.join("eacs.json");
    let long = "f".repeat(4000);
    let text = fs::read_to_string(&listing).unwrap().replacen(
        "\"eacdesk_eac_json_v1\"",
        &format!("\"{long}\""),
        1,
    );
    fs::write(&listing, text).unwrap();
    let checked = validate_p2(&bundle, false).unwrap();
    let undeclared: Vec<_> = checked.errors.iter().filter(|v| v.rule == 18).collect();
    assert_eq!(undeclared.len(), 1, "{checked:#?}");
    let shown = undeclared[0].to_string();
    assert!(shown.chars().count() < 400, "{shown}");
    assert!(shown.contains("…(3940 more characters)"), "{shown}");
}
