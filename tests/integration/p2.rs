//! Profile P2 (CDS-WG3-01 v1) bundles: fixtures good and bad, the round trip
//! P1 → store → bundle → store → P1, hostile ids, all-or-nothing bundle
//! exports, and every export judged by an independent JSON Schema validator.

use std::fs;
use std::path::{Path, PathBuf};

use eac_app::{ExportProfile, NoProgress};
use eac_model::p2::read_server_metadata;
use eac_store::p2::{detail_file_name, BUNDLE_DETAILS};
use eac_store::{ImportOptions, Store, StoreError};
use eac_tests::{
    export_all, fixture, folder_entries, import_ok, sha256_file, spec_example, temp_store,
};
use serde_json::Value;

fn p2_fixture(name: &str) -> PathBuf {
    fixture(&format!("p2/{name}"))
}

/// The shipped schemas, loaded from `schemas/` by the test itself and
/// checked with the `jsonschema` crate (not EAC Desk's own validator).
struct Schemas {
    eac: jsonschema::Validator,
    p1: jsonschema::Validator,
    p2: jsonschema::Validator,
    metadata: jsonschema::Validator,
}

fn schemas() -> Schemas {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas");
    let load = |name: &str| -> Value {
        serde_json::from_str(&fs::read_to_string(dir.join(name)).unwrap()).unwrap()
    };
    let docs = [
        load("eac.schema.json"),
        load("p1-listing.schema.json"),
        load("p2-listing.schema.json"),
        load("server-metadata.schema.json"),
    ];
    let mut registry = jsonschema::Registry::new();
    for doc in &docs {
        registry = registry
            .add(doc["$id"].as_str().unwrap(), doc.clone())
            .unwrap();
    }
    let registry = registry.prepare().unwrap();
    let build = |doc: &Value| {
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .with_registry(&registry)
            .build(doc)
            .unwrap()
    };
    Schemas {
        eac: build(&docs[0]),
        p1: build(&docs[1]),
        p2: build(&docs[2]),
        metadata: build(&docs[3]),
    }
}

fn assert_schema_valid(validator: &jsonschema::Validator, path: &Path) {
    let doc: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
}

/// Every file of a bundle checked by the independent validator.
fn assert_bundle_schema_valid(s: &Schemas, bundle: &Path) {
    assert_schema_valid(&s.p2, &bundle.join("eacs.json"));
    assert_schema_valid(&s.metadata, &bundle.join("server-metadata.json"));
    for name in folder_entries(&bundle.join(BUNDLE_DETAILS)) {
        assert_schema_valid(&s.eac, &bundle.join(BUNDLE_DETAILS).join(name));
    }
}

fn import_p2_ok(store: &mut Store, path: &Path) -> eac_store::FileImportReport {
    store
        .import_p2(path, ImportOptions::default(), &NoProgress)
        .unwrap_or_else(|e| panic!("P2 import of {} refused: {e}\n{e:#?}", path.display()))
}

fn rules_of(path: &Path) -> Vec<u8> {
    let report = eac_app::validate_file(path, ExportProfile::P2, false).unwrap();
    report.errors.iter().map(|v| v.rule).collect()
}

#[test]
fn p1_to_bundle_to_p1_is_byte_identical_and_schema_valid() {
    let s = schemas();
    let mut first = temp_store();
    import_ok(&mut first.store, &fixture("canonical-p1.json"));
    let p1 = first.path("first.json");
    let original = export_all(&first.store, &p1);
    assert_schema_valid(&s.p1, &p1);

    let bundle = first.path("bundle");
    let report = first
        .store
        .export_p2(None, &bundle, None, &NoProgress)
        .unwrap();
    assert_eq!(report.eac_count, 6);
    assert_eq!(report.sha256, sha256_file(&bundle.join("eacs.json")));
    assert_bundle_schema_valid(&s, &bundle);
    let checked = eac_app::validate_file(&bundle, ExportProfile::P2, false).unwrap();
    assert!(checked.is_valid(), "{checked:#?}");

    let mut second = temp_store();
    let imported = import_p2_ok(&mut second.store, &bundle);
    assert_eq!(imported.added, 6);
    let again = export_all(&second.store, &second.path("again.json"));
    eac_tests::assert_same_text("P1 after a P2 round trip", &original, &again);

    // Importing the same bundle again changes nothing.
    let again = import_p2_ok(&mut second.store, &bundle.join("eacs.json"));
    assert_eq!((again.added, again.replaced, again.skipped), (0, 0, 6));
}

#[test]
fn https_base_urls_and_metadata() {
    let s = schemas();
    let mut t = temp_store();
    import_ok(&mut t.store, &fixture("canonical-p1.json"));
    let bundle = t.path("pub");
    t.store
        .export_p2(
            None,
            &bundle,
            Some("https://eacs.example.org/2024"),
            &NoProgress,
        )
        .unwrap();
    assert_bundle_schema_valid(&s, &bundle);
    let meta =
        read_server_metadata(&fs::read_to_string(bundle.join("server-metadata.json")).unwrap())
            .unwrap();
    assert_eq!(meta.cds_customerdata_version, "v1");
    assert_eq!(
        meta.cds_eacs_api.as_deref(),
        Some("https://eacs.example.org/2024/eacs.json")
    );
    let format = meta.format("eacdesk_eac_json_v1").unwrap();
    assert_eq!(
        format.documentation,
        "https://eacs.example.org/2024/FORMAT.md"
    );
    assert!(bundle.join("FORMAT.md").is_file());
    let listing: Value =
        serde_json::from_str(&fs::read_to_string(bundle.join("eacs.json")).unwrap()).unwrap();
    for env in listing["eacs"].as_array().unwrap() {
        let url = env["eac_data_url"].as_str().unwrap();
        let name = detail_file_name(env["cds_eac_id"].as_str().unwrap());
        assert_eq!(url, format!("https://eacs.example.org/2024/eacs/{name}"));
    }
    // Bundle-relative resolution: the published URLs still import from the folder.
    let mut other = temp_store();
    assert_eq!(import_p2_ok(&mut other.store, &bundle).added, 6);

    let refused = t
        .store
        .export_p2(None, &t.path("x"), Some("ftp://example.org/"), &NoProgress)
        .unwrap_err();
    assert!(
        matches!(refused, StoreError::InvalidInput(_)),
        "{refused:?}"
    );
    assert!(!t.path("x").exists());
}

#[test]
fn a_listing_copied_elsewhere_follows_its_file_uris_into_a_named_folder() {
    let mut t = temp_store();
    import_ok(&mut t.store, &fixture("canonical-p1.json"));
    let original = export_all(&t.store, &t.path("original.json"));
    let bundle = t.path("bundle");
    t.store.export_p2(None, &bundle, None, &NoProgress).unwrap();

    // Only eacs.json travels (e.g. attached to a mail); the file: URIs in it
    // still point at the detail files in the bundle folder, which are read
    // only once the user names that folder.
    let elsewhere = t.path("elsewhere");
    fs::create_dir_all(&elsewhere).unwrap();
    let listing = elsewhere.join("listing.json");
    fs::copy(bundle.join("eacs.json"), &listing).unwrap();
    let violations = import_refusal(&listing, ImportOptions::default());
    assert!(
        violations
            .iter()
            .all(|v| v.rule == 19 && v.message.contains("--details-from")),
        "{violations:#?}"
    );
    assert_eq!(violations.len(), 6);
    let mut other = temp_store();
    let opts = ImportOptions {
        details_from: Some(bundle.clone()),
        ..ImportOptions::default()
    };
    let report = other
        .store
        .import_p2(&listing, opts, &NoProgress)
        .unwrap_or_else(|e| panic!("{e:#?}"));
    assert_eq!(report.added, 6);
    let checked = eac_app::validate_p2_with(&listing, false, Some(&bundle)).unwrap();
    assert!(checked.errors.is_empty(), "{checked:#?}");
    assert_eq!(other.store.info().unwrap().envelope_only_count, 0);
    let again = export_all(&other.store, &other.path("again.json"));
    eac_tests::assert_same_text("P1 from a listing away from its bundle", &original, &again);
}

#[test]
fn detail_urls_never_reach_outside_the_bundle_folder() {
    use eac_store::p2::DetailFolders;
    let t = temp_store();
    let bundle = t.path("bundle");
    fs::create_dir_all(bundle.join(BUNDLE_DETAILS)).unwrap();
    fs::write(bundle.join(BUNDLE_DETAILS).join("a.json"), "{}").unwrap();
    fs::write(t.path("secret.json"), "{}").unwrap();
    let folders = DetailFolders::new(Some(&bundle), None).unwrap();
    // A published URL resolves to the file of that name in the bundle's eacs/.
    assert_eq!(
        folders.resolve("https://example.org/pub/eacs/a.json"),
        Ok(bundle.join(BUNDLE_DETAILS).join("a.json"))
    );
    // Path tricks in the last segment are not joined to the folder.
    for url in [
        "https://example.org/pub/eacs/..",
        "https://example.org/pub/eacs/%2e%2e%2fsecret.json",
        "https://example.org/pub/eacs/..%2Fsecret.json",
        "https://example.org/pub/eacs/",
        "../secret.json",
        "..\\secret.json",
    ] {
        let refused = folders.resolve(url).unwrap_err();
        assert!(refused.contains("not found"), "{url}: {refused}");
    }
    // A file: URI to a missing file does not fall back to a folder outside.
    let refused = folders.resolve("file:///nowhere/secret.json").unwrap_err();
    assert!(refused.contains("/nowhere/secret.json"), "{refused}");
    // Without a bundle or a named folder nothing resolves.
    let none = DetailFolders::new(None, None).unwrap();
    let refused = none
        .resolve("https://example.org/pub/eacs/a.json")
        .unwrap_err();
    assert!(refused.contains("--details-from"), "{refused}");
}

#[test]
fn hostile_ids_get_safe_unique_names_inside_the_bundle() {
    let ids = [
        "../../etc/passwd".to_owned(),
        "a/b".to_owned(),
        "a\\b".to_owned(),
        "a_b".to_owned(),
        // Windows' reserved device name (an id holding a NUL is refused).
        "NUL".to_owned(),
        "x".repeat(300),
        "ＡBC".to_owned(),
        "ABC".to_owned(),
        "Ab".to_owned(),
        "aB".to_owned(),
        ".hidden".to_owned(),
        "..".to_owned(),
    ];
    let canonical: Value =
        serde_json::from_str(&fs::read_to_string(fixture("canonical-p1.json")).unwrap()).unwrap();
    let template = canonical["eacs"][0].clone();
    let eacs: Vec<Value> = ids
        .iter()
        .map(|id| {
            let mut e = template.clone();
            e["cds_eac_id"] = Value::String(id.clone());
            e
        })
        .collect();
    let mut t = temp_store();
    let input = t.path("hostile.json");
    fs::write(
        &input,
        serde_json::to_string(&serde_json::json!({"eacs": eacs, "next": null, "previous": null}))
            .unwrap(),
    )
    .unwrap();
    import_ok(&mut t.store, &input);
    let before = folder_entries(t.dir.path());

    let bundle = t.path("bundle");
    let report = t.store.export_p2(None, &bundle, None, &NoProgress).unwrap();
    assert_eq!(report.eac_count, ids.len());
    let after = folder_entries(t.dir.path());
    let mut expected = before.clone();
    expected.push("bundle".to_owned());
    expected.sort();
    assert_eq!(after, expected, "nothing but the bundle appears beside it");

    let names = folder_entries(&bundle.join(BUNDLE_DETAILS));
    assert_eq!(names.len(), ids.len());
    let mut folded: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
    folded.sort();
    folded.dedup();
    assert_eq!(
        folded.len(),
        ids.len(),
        "unique even on a case-insensitive disk"
    );
    for (id, name) in ids.iter().map(|id| (id, detail_file_name(id))) {
        assert!(names.contains(&name), "{id:?} → {name}");
        assert!(!name.starts_with('.'), "{name}");
        assert!(name.len() <= 60 + 1 + 12 + 5, "{name}");
        assert!(
            name.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)),
            "{name}"
        );
    }
    assert_bundle_schema_valid(&schemas(), &bundle);
    let mut back = temp_store();
    assert_eq!(import_p2_ok(&mut back.store, &bundle).added, ids.len());
    assert_eq!(back.store.eac("NUL").unwrap().cds_eac_id, "NUL");
}

#[test]
fn a_failed_bundle_export_leaves_nothing_and_keeps_the_old_bundle() {
    let mut t = temp_store();
    import_ok(&mut t.store, &fixture("canonical-p1.json"));
    let bundle = t.path("bundle");
    t.store.export_p2(None, &bundle, None, &NoProgress).unwrap();
    let snapshot = |dir: &Path| -> Vec<(String, String)> {
        let mut out = vec![("eacs.json".into(), sha256_file(&dir.join("eacs.json")))];
        for n in folder_entries(&dir.join(BUNDLE_DETAILS)) {
            out.push((n.clone(), sha256_file(&dir.join(BUNDLE_DETAILS).join(&n))));
        }
        out
    };
    let old = snapshot(&bundle);
    let entries = folder_entries(t.dir.path());

    // A missing emission factor ("TODO") makes the data unexportable.
    import_ok(&mut t.store, &spec_example("bad-p1-todo-emissions.json"));
    let e = t
        .store
        .export_p2(None, &bundle, None, &NoProgress)
        .unwrap_err();
    match e {
        StoreError::Rules { violations, .. } => assert!(
            violations
                .iter()
                .any(|v| v.rule == 6 && v.cds_eac_id.as_deref() == Some("101010101-10")),
            "{violations:#?}"
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(snapshot(&bundle), old, "the earlier bundle is untouched");
    assert_eq!(
        folder_entries(t.dir.path()),
        entries,
        "no half-written folder"
    );
    let fresh = t.path("fresh");
    assert!(t.store.export_p2(None, &fresh, None, &NoProgress).is_err());
    assert!(!fresh.exists());

    // A folder that is not a bundle is never replaced.
    let precious = t.path("precious");
    fs::create_dir(&precious).unwrap();
    fs::write(precious.join("notes.txt"), "keep me").unwrap();
    let mut clean = temp_store();
    import_ok(&mut clean.store, &fixture("canonical-p1.json"));
    assert!(clean
        .store
        .export_p2(None, &precious, None, &NoProgress)
        .is_err());
    assert_eq!(
        fs::read_to_string(precious.join("notes.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn listing_fixtures() {
    let good = eac_app::validate_file(
        &spec_example("good-p2-meeting-0926.json"),
        ExportProfile::P2,
        false,
    )
    .unwrap();
    assert!(good.is_valid(), "{good:#?}");
    for (name, rule) in [
        ("bad-listing-missing-cds-synced.json", 2),
        ("bad-listing-relative-eac-data-url.json", 2),
        ("bad-listing-general-with-ids.json", 4),
        ("bad-listing-out-of-p2-order.json", 10),
        ("bad-listing-duplicate-eac-numbers.json", 17),
    ] {
        let rules = rules_of(&p2_fixture(name));
        assert!(rules.contains(&rule), "{name}: {rules:?}");
    }
}

#[test]
fn metadata_and_detail_fixtures() {
    let s = schemas();
    let text = |name: &str| fs::read_to_string(p2_fixture(name)).unwrap();
    assert!(read_server_metadata(&text("good-server-metadata.json")).is_ok());
    assert_schema_valid(&s.metadata, &p2_fixture("good-server-metadata.json"));
    for name in [
        "bad-metadata-wrong-version.json",
        "bad-metadata-key-not-id.json",
        "bad-metadata-no-formats-with-api.json",
    ] {
        let errors = read_server_metadata(&text(name)).unwrap_err();
        assert!(errors.iter().any(|v| v.rule == 18), "{name}: {errors:?}");
    }
    let good = eac_model::p2::read_eac_document(
        &text("good-detail.json"),
        eac_model::CheckOptions::validate(),
    );
    assert!(matches!(good, eac_model::EacRead::Valid { .. }), "{good:?}");
    assert_schema_valid(&s.eac, &p2_fixture("good-detail.json"));
    let bad = eac_model::p2::read_eac_document(
        &text("bad-detail-no-values.json"),
        eac_model::CheckOptions::validate(),
    );
    match bad {
        eac_model::EacRead::Invalid { violations } => {
            assert!(violations.iter().any(|v| v.rule == 16), "{violations:?}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_broken_detail_file_breaks_rule_19() {
    let mut t = temp_store();
    import_ok(&mut t.store, &fixture("canonical-p1.json"));
    let bundle = t.path("bundle");
    t.store.export_p2(None, &bundle, None, &NoProgress).unwrap();
    let victim = bundle
        .join(BUNDLE_DETAILS)
        .join(detail_file_name("canon-01"));
    fs::write(&victim, "{ not json").unwrap();
    let rules = rules_of(&bundle);
    assert!(rules.contains(&19), "{rules:?}");
    fs::remove_file(&victim).unwrap();
    assert!(rules_of(&bundle).contains(&19));
    let mut other = temp_store();
    match other
        .store
        .import_p2(&bundle, ImportOptions::default(), &NoProgress)
        .unwrap_err()
    {
        StoreError::Rules { violations, .. } => {
            assert!(violations.iter().any(|v| v.rule == 19))
        }
        e => panic!("{e:?}"),
    }
    assert_eq!(other.store.info().unwrap().eac_count, 0);
}

#[test]
fn meeting_example_imports_envelope_only_and_blocks_p1() {
    let s = schemas();
    let mut t = temp_store();
    let report = import_p2_ok(&mut t.store, &spec_example("good-p2-meeting-0926.json"));
    assert_eq!(report.added, 4);
    let ids = t.store.envelope_only_ids(10).unwrap();
    assert_eq!(
        ids,
        [
            "99999999-dk1",
            "99999999-dk2",
            "99999999-dk3",
            "99999999-dk4"
        ]
    );
    let rows = eac_app::envelope_only(&t.store, 0, 0).unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0].eac_format, "certiq");
    assert_eq!(rows[0].period_start, "2024-01-01T00:00:00Z");

    // P1 is refused, naming every envelope-only EAC under rule 16.
    let p1 = t.path("p1.json");
    match t.store.export_p1(None, &p1, &NoProgress).unwrap_err() {
        StoreError::Rules { violations, .. } => {
            let named: Vec<&str> = violations
                .iter()
                .filter(|v| v.rule == 16)
                .filter_map(|v| v.cds_eac_id.as_deref())
                .collect();
            assert_eq!(named, ids.iter().map(String::as_str).collect::<Vec<_>>());
            assert!(violations[0].message.contains("envelope-only"));
        }
        e => panic!("{e:?}"),
    }
    assert!(!p1.exists());
    let e = eac_app::export(&mut t.store, ExportProfile::P1, None, &p1, &NoProgress).unwrap_err();
    assert_eq!(e.code, "validation");

    // P2 keeps their own format and URL, declares the format, and validates.
    import_ok(&mut t.store, &fixture("canonical-p1.json"));
    let bundle = t.path("bundle");
    let report = eac_app::export_p2(&mut t.store, None, &bundle, None, &NoProgress).unwrap();
    assert_eq!(report.eac_count, 10);
    assert_eq!(report.file_count, 6 + 3);
    assert_bundle_schema_valid(&s, &bundle);
    let listing: Value =
        serde_json::from_str(&fs::read_to_string(bundle.join("eacs.json")).unwrap()).unwrap();
    let dk1 = listing["eacs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["cds_eac_id"] == "99999999-dk1")
        .unwrap();
    assert_eq!(dk1["eac_format"], "certiq");
    assert_eq!(
        dk1["eac_data_url"],
        "https://demoutility.com/eacs/static/aaaaa.pdf"
    );
    let meta =
        read_server_metadata(&fs::read_to_string(bundle.join("server-metadata.json")).unwrap())
            .unwrap();
    assert!(meta.format("certiq").is_some());
    let checked = eac_app::validate_file(&bundle, ExportProfile::P2, false).unwrap();
    assert!(checked.is_valid(), "{checked:#?}");

    // The bundle round-trips: full EACs stay full, envelopes stay envelopes.
    let mut back = temp_store();
    let again = import_p2_ok(&mut back.store, &bundle);
    assert_eq!(again.added, 10);
    assert_eq!(back.store.envelope_only_ids(10).unwrap(), ids);
    assert_eq!(back.store.info().unwrap().eac_count, 6);
}

// ---------------------------------------------------------------------------
// Detail files are read only from inside the bundle (issue 9 item 10).

/// The canonical EACs exported as a bundle with `file:` URIs.
fn canonical_bundle() -> (eac_tests::TempStore, PathBuf) {
    let mut t = temp_store();
    import_ok(&mut t.store, &fixture("canonical-p1.json"));
    let bundle = t.path("bundle");
    t.store.export_p2(None, &bundle, None, &NoProgress).unwrap();
    (t, bundle)
}

/// The index of `id`'s envelope in a listing and its `eac_data_url`.
fn envelope_of(listing: &Path, id: &str) -> (usize, String) {
    let doc: Value = serde_json::from_str(&fs::read_to_string(listing).unwrap()).unwrap();
    doc["eacs"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .find(|(_, e)| e["cds_eac_id"] == id)
        .map(|(i, e)| (i, e["eac_data_url"].as_str().unwrap().to_owned()))
        .unwrap_or_else(|| panic!("{id} not in {}", listing.display()))
}

/// Rewrites one envelope's `eac_data_url` in the listing text (nothing else
/// of the file changes).
fn point_detail_at(listing: &Path, id: &str, url: &str) {
    let (_, old) = envelope_of(listing, id);
    let text = fs::read_to_string(listing).unwrap();
    let needle = format!("\"eac_data_url\": \"{old}\"");
    assert_eq!(text.matches(&needle).count(), 1, "{needle}");
    fs::write(
        listing,
        text.replace(&needle, &format!("\"eac_data_url\": \"{url}\"")),
    )
    .unwrap();
}

/// The `file:` URI of a path in the temporary folder of `t`, written the way
/// the export wrote the bundle's own URIs.
fn file_uri_in(t: &eac_tests::TempStore, bundle: &Path, rel: &str) -> String {
    let (_, url) = envelope_of(&bundle.join("eacs.json"), "canon-01");
    let tail = format!("bundle/eacs/{}", detail_file_name("canon-01"));
    let prefix = url.strip_suffix(&tail).expect("a file: URI of the bundle");
    assert!(prefix.starts_with("file:///"), "{url}");
    let _ = t;
    format!("{prefix}{rel}")
}

fn import_refusal(path: &Path, opts: ImportOptions) -> Vec<eac_model::Violation> {
    let mut other = temp_store();
    let err = other
        .store
        .import_p2(path, opts, &NoProgress)
        .expect_err("the import must be refused");
    let info = other.store.info().unwrap();
    assert_eq!((info.eac_count, info.envelope_only_count), (0, 0));
    match err {
        StoreError::Rules { violations, .. } => violations,
        e => panic!("{e:?}"),
    }
}

/// The refusal of `id`'s detail file: at the envelope's `eac_data_url`, in
/// the listing, naming the EAC, the path and what to do; `validate` says
/// exactly the same.
fn assert_detail_refused(
    path: &Path,
    opts: ImportOptions,
    id: &str,
    mentions: &[&str],
) -> eac_model::Violation {
    let listing = if path.is_dir() {
        path.join("eacs.json")
    } else {
        path.to_owned()
    };
    let (index, _) = envelope_of(&listing, id);
    let pointer = format!("/eacs/{index}/eac_data_url");
    let imported = import_refusal(path, opts.clone());
    let refusal = imported
        .iter()
        .find(|v| v.pointer == pointer)
        .unwrap_or_else(|| panic!("no refusal at {pointer}: {imported:#?}"))
        .clone();
    assert_eq!(refusal.rule, 19, "{refusal}");
    assert_eq!(refusal.cds_eac_id.as_deref(), Some(id), "{refusal}");
    assert_eq!(
        refusal.file.as_deref(),
        Some(listing.display().to_string().as_str())
    );
    for text in mentions {
        assert!(refusal.message.contains(text), "{text:?} in {refusal}");
    }
    // Nothing outside was read: no finding is located in another file.
    assert!(
        imported
            .iter()
            .all(|v| v.file.as_deref() == Some(listing.display().to_string().as_str())),
        "{imported:#?}"
    );
    let validated = eac_app::validate_p2_with(path, false, opts.details_from.as_deref()).unwrap();
    let same = validated
        .errors
        .iter()
        .find(|v| v.pointer == pointer)
        .unwrap_or_else(|| panic!("validate found nothing at {pointer}: {validated:#?}"));
    assert_eq!(
        (same.rule, &same.cds_eac_id, &same.file, &same.message),
        (
            refusal.rule,
            &refusal.cds_eac_id,
            &refusal.file,
            &refusal.message
        ),
        "validate and import say the same"
    );
    refusal
}

fn outside_detail(t: &eac_tests::TempStore, bundle: &Path, id: &str) -> PathBuf {
    let outside = t.path("outside");
    fs::create_dir_all(&outside).unwrap();
    let moved = outside.join(detail_file_name(id));
    fs::rename(
        bundle.join(BUNDLE_DETAILS).join(detail_file_name(id)),
        &moved,
    )
    .unwrap();
    moved
}

#[cfg(unix)]
#[test]
fn a_symlink_in_eacs_leading_outside_the_bundle_is_refused() {
    let (t, bundle) = canonical_bundle();
    let moved = outside_detail(&t, &bundle, "canon-01");
    let link = bundle
        .join(BUNDLE_DETAILS)
        .join(detail_file_name("canon-01"));
    std::os::unix::fs::symlink(&moved, &link).unwrap();
    let refusal = assert_detail_refused(
        &bundle,
        ImportOptions::default(),
        "canon-01",
        &["outside the bundle folder", "copy the detail file"],
    );
    assert!(
        refusal.message.contains(&link.display().to_string()),
        "{refusal}"
    );

    // A symlink that stays inside the bundle is followed.
    fs::remove_file(&link).unwrap();
    fs::create_dir_all(bundle.join("kept")).unwrap();
    fs::rename(&moved, bundle.join("kept/detail.json")).unwrap();
    std::os::unix::fs::symlink("../kept/detail.json", &link).unwrap();
    let mut other = temp_store();
    assert_eq!(import_p2_ok(&mut other.store, &bundle).added, 6);
    assert!(rules_of(&bundle).is_empty());

    // The eacs/ folder itself leading outside is refused the same way.
    fs::remove_file(&link).unwrap();
    fs::rename(bundle.join("kept/detail.json"), &link).unwrap();
    fs::rename(bundle.join(BUNDLE_DETAILS), t.path("away")).unwrap();
    std::os::unix::fs::symlink(t.path("away"), bundle.join(BUNDLE_DETAILS)).unwrap();
    assert_detail_refused(
        &bundle,
        ImportOptions::default(),
        "canon-01",
        &["outside the bundle folder"],
    );
}

#[test]
fn a_file_uri_outside_the_bundle_is_refused() {
    let (t, bundle) = canonical_bundle();
    let moved = outside_detail(&t, &bundle, "canon-01");
    let url = file_uri_in(
        &t,
        &bundle,
        &format!("outside/{}", detail_file_name("canon-01")),
    );
    point_detail_at(&bundle.join("eacs.json"), "canon-01", &url);
    let refusal = assert_detail_refused(
        &bundle,
        ImportOptions::default(),
        "canon-01",
        &["outside the bundle folder", "--details-from"],
    );
    assert!(
        refusal.message.contains(&moved.display().to_string()),
        "{refusal}"
    );
}

#[test]
fn a_file_uri_to_a_system_file_is_not_read() {
    let (t, bundle) = canonical_bundle();
    fs::create_dir_all(t.path("etc")).unwrap();
    fs::write(t.path("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n").unwrap();
    let url = file_uri_in(&t, &bundle, "etc/passwd");
    point_detail_at(&bundle.join("eacs.json"), "canon-01", &url);
    assert_detail_refused(
        &bundle,
        ImportOptions::default(),
        "canon-01",
        &["outside the bundle folder"],
    );
    #[cfg(unix)]
    {
        point_detail_at(&bundle.join("eacs.json"), "canon-01", "file:///etc/passwd");
        assert_detail_refused(
            &bundle,
            ImportOptions::default(),
            "canon-01",
            &["/etc/passwd"],
        );
    }
}

#[test]
fn dot_dot_segments_do_not_leave_the_bundle() {
    let (t, bundle) = canonical_bundle();
    let name = detail_file_name("canon-01");
    outside_detail(&t, &bundle, "canon-01");
    for rel in [
        format!("bundle/eacs/../../outside/{name}"),
        format!("bundle/eacs/%2e%2e/%2E%2E/outside/{name}"),
        format!("bundle/../outside/{name}"),
    ] {
        let url = file_uri_in(&t, &bundle, &rel);
        let listing = bundle.join("eacs.json");
        let (_, before) = envelope_of(&listing, "canon-01");
        point_detail_at(&listing, "canon-01", &url);
        assert_detail_refused(
            &bundle,
            ImportOptions::default(),
            "canon-01",
            &["outside the bundle folder"],
        );
        point_detail_at(&listing, "canon-01", &before);
    }
}

#[test]
fn a_copied_bundle_reads_its_own_detail_files() {
    let (t, bundle) = canonical_bundle();
    let copy = t.path("copy");
    fs::create_dir_all(copy.join(BUNDLE_DETAILS)).unwrap();
    for name in ["eacs.json", "server-metadata.json", "FORMAT.md"] {
        fs::copy(bundle.join(name), copy.join(name)).unwrap();
    }
    for name in folder_entries(&bundle.join(BUNDLE_DETAILS)) {
        fs::copy(
            bundle.join(BUNDLE_DETAILS).join(&name),
            copy.join(BUNDLE_DETAILS).join(&name),
        )
        .unwrap();
        // The original's files are spoiled: the copy must not read them.
        fs::write(bundle.join(BUNDLE_DETAILS).join(&name), "spoiled").unwrap();
    }
    // The copy's file: URIs still name the original folder.
    assert!(fs::read_to_string(copy.join("eacs.json"))
        .unwrap()
        .contains("/bundle/eacs/"));
    let mut other = temp_store();
    assert_eq!(import_p2_ok(&mut other.store, &copy).added, 6);
    assert!(rules_of(&copy).is_empty(), "{:?}", rules_of(&copy));
}

#[test]
fn a_listing_away_from_its_bundle_reads_details_only_from_a_named_folder() {
    let (t, bundle) = canonical_bundle();
    let elsewhere = t.path("elsewhere");
    fs::create_dir_all(&elsewhere).unwrap();
    let listing = elsewhere.join("listing.json");
    fs::copy(bundle.join("eacs.json"), &listing).unwrap();
    // Without a named folder nothing is read.
    assert_detail_refused(
        &listing,
        ImportOptions::default(),
        "canon-01",
        &["not inside a bundle", "--details-from"],
    );
    // Named `eacs.json` but with no `eacs/` folder beside it: still no bundle.
    let alone = t.path("alone");
    fs::create_dir_all(&alone).unwrap();
    fs::copy(bundle.join("eacs.json"), alone.join("eacs.json")).unwrap();
    assert_detail_refused(
        &alone.join("eacs.json"),
        ImportOptions::default(),
        "canon-01",
        &["--details-from"],
    );
    // A named folder that does not hold the files the URIs point at.
    let wrong = ImportOptions {
        details_from: Some(elsewhere.clone()),
        ..ImportOptions::default()
    };
    assert_detail_refused(&listing, wrong, "canon-01", &["outside the folder"]);
}

/// In the app, whose import has no folder to name, the same refusals say
/// what to import instead, never `--details-from`: a listing away from its
/// bundle, and a bundle whose detail file is elsewhere.
#[test]
fn the_apps_detail_file_refusals_name_no_command_line_option() {
    let (t, bundle) = canonical_bundle();
    let elsewhere = t.path("elsewhere");
    fs::create_dir_all(&elsewhere).unwrap();
    let listing = elsewhere.join("listing.json");
    fs::copy(bundle.join("eacs.json"), &listing).unwrap();
    outside_detail(&t, &bundle, "canon-01");
    for (path, advice) in [
        (&listing, "import the bundle folder"),
        (&bundle, "copy the detail file into"),
    ] {
        let mut other = temp_store();
        let report = eac_app::import_files_in_app(
            &mut other.store,
            std::slice::from_ref(path),
            ImportOptions::default(),
            &NoProgress,
        );
        let said: Vec<&str> = report.files[0]
            .violations
            .iter()
            .filter(|v| v.rule == 19)
            .map(|v| v.message.as_str())
            .collect();
        assert!(!said.is_empty(), "{report:#?}");
        for m in &said {
            assert!(!m.contains("--"), "{m}");
        }
        assert!(said.iter().any(|m| m.contains(advice)), "{said:#?}");
    }
}

#[test]
fn detail_file_errors_name_the_detail_file_and_the_envelope() {
    let (_t, bundle) = canonical_bundle();
    let listing = bundle.join("eacs.json");
    let (index, _) = envelope_of(&listing, "canon-01");
    let detail = bundle
        .join(BUNDLE_DETAILS)
        .join(detail_file_name("canon-01"));
    let label = detail.display().to_string();
    let envelope = format!("/eacs/{index}");
    let original = fs::read_to_string(&detail).unwrap();

    // A rule broken inside the detail file: its pointer there, that file.
    let plasma = original.replacen(
        "\"technology_type\": \"",
        "\"technology_type\": \"plasma-",
        1,
    );
    assert_ne!(plasma, original);
    fs::write(&detail, plasma).unwrap();
    let imported = import_refusal(&bundle, ImportOptions::default());
    let validated = eac_app::validate_file(&bundle, ExportProfile::P2, false).unwrap();
    for (how, found) in [("import", &imported), ("validate", &validated.errors)] {
        let v = found
            .iter()
            .find(|v| v.rule == 3)
            .unwrap_or_else(|| panic!("{how}: {found:#?}"));
        assert_eq!(v.file.as_deref(), Some(label.as_str()), "{how}: {v}");
        assert_eq!(v.pointer, "/technology_type", "{how}: {v}");
        assert_eq!(v.cds_eac_id.as_deref(), Some("canon-01"), "{how}: {v}");
        assert!(v.message.contains(&envelope), "{how}: {v}");
    }

    // Not JSON: line and column in the detail file, not the listing's line 1.
    fs::write(&detail, "{\n  \"cds_eac_id\": \"canon-01\",\n  oops\n}\n").unwrap();
    let imported = import_refusal(&bundle, ImportOptions::default());
    let validated = eac_app::validate_file(&bundle, ExportProfile::P2, false).unwrap();
    for (how, found) in [("import", &imported), ("validate", &validated.errors)] {
        let v = found
            .iter()
            .find(|v| v.rule == 20)
            .unwrap_or_else(|| panic!("{how}: {found:#?}"));
        assert_eq!(v.file.as_deref(), Some(label.as_str()), "{how}: {v}");
        assert_eq!((v.line, v.column), (Some(3), Some(3)), "{how}: {v}");
        assert!(!v.message.contains(" at line "), "{how}: {v}");
        assert!(v.message.contains(&envelope), "{how}: {v}");
        // The envelope itself is named in the listing.
        assert!(
            found.iter().any(|e| e.rule == 19
                && e.pointer == format!("{envelope}/eac_data_url")
                && e.file.as_deref() == Some(listing.display().to_string().as_str())),
            "{how}: {found:#?}"
        );
    }
}
