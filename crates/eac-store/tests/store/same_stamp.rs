//! Tester 35, finding 6: an import that finds an EAC stored with the
//! `cds_modified` its file gives keeps the stored one (decision 11), and
//! says so when the file states it differently; a file imported again
//! unchanged says nothing, and costs a digest per EAC, not a read-back.

use super::*;

/// The stored digest of EAC `id` (`None`: not known).
fn digest(env: &Env, id: &str) -> Option<String> {
    env.raw_text(&format!(
        "SELECT content_digest FROM eacs WHERE cds_eac_id = '{id}'"
    ))
}

fn warnings(report: &eac_store::FileImportReport) -> Vec<String> {
    report.warnings.iter().map(|w| w.message.clone()).collect()
}

#[test]
fn a_file_stating_a_stored_eac_differently_with_its_cds_modified_is_said_to() {
    let mut env = Env::new();
    let first = env.listing("first.json", &[eac("e-1"), eac("e-2")]);
    let r = env.import(&first).unwrap();
    assert_eq!(r.added, 2);
    assert!(digest(&env, "e-1").is_some());

    // The same `cds_modified`, another technology and quantity.
    let mut changed = eac("e-1");
    changed.technology_type = Some(TechnologyType::Solar);
    changed.values[0].value = dec("29.5");
    let second = env.listing("second.json", &[changed, eac("e-2")]);
    let r = env.import(&second).unwrap();
    assert_eq!((r.added, r.replaced, r.skipped), (0, 0, 2));
    assert_eq!(r.skipped_differing, 1);
    assert_eq!(r.warning_count, 1);
    let said = warnings(&r);
    assert_eq!(said.len(), 1, "{said:?}");
    assert_eq!(r.warnings[0].cds_eac_id.as_deref(), Some("e-1"));
    assert!(
        said[0].contains(
            "EAC `e-1` is stored with the same `cds_modified` (2024-02-10T00:00:00Z) as this \
             file gives, but the file states it differently (technology_type, values): the \
             stored EAC is kept"
        ),
        "{said:?}"
    );
    // Kept as stored, and said again however often the file comes.
    assert_eq!(env.store.eac("e-1").unwrap(), eac("e-1"));
    assert_eq!(env.import(&second).unwrap().skipped_differing, 1);

    // The file that stored it: the same, said to be nothing more.
    let r = env.import(&first).unwrap();
    assert_eq!((r.skipped, r.skipped_differing), (2, 0));
    assert!(r.warnings.is_empty(), "{:?}", warnings(&r));

    // A dry run says what the import would.
    let opts = ImportOptions {
        dry_run: true,
        ..ImportOptions::default()
    };
    let r = env.store.import_file(&second, opts, &NoProgress).unwrap();
    assert_eq!(r.skipped_differing, 1);
}

/// The digest is the text's: the same EAC written another way (here from
/// memory, as sample data and P2 detail files are) is compared field by
/// field once, found the same, and its digest kept for the next time.
#[test]
fn the_same_eac_written_another_way_is_the_same() {
    let mut env = Env::new();
    let mut with_extension = eac("e-1");
    with_extension.extensions = eac_model::extensions_from_json(r#"{"x_note": 1.50}"#).unwrap();
    let file = env.listing("first.json", std::slice::from_ref(&with_extension));
    env.import(&file).unwrap();
    let from_file = digest(&env, "e-1").unwrap();

    let r = env
        .store
        .import_eacs("memory", &mut vec![with_extension].into_iter(), &NoProgress)
        .unwrap();
    assert_eq!((r.skipped, r.skipped_differing), (1, 0));
    assert!(r.warnings.is_empty(), "{:?}", warnings(&r));
    let from_memory = digest(&env, "e-1").unwrap();
    assert_ne!(from_memory, from_file);

    // Not known (stored before the digest was kept): compared, then kept.
    env.raw("UPDATE eacs SET content_digest = NULL").unwrap();
    let r = env.import(&file).unwrap();
    assert_eq!((r.skipped, r.skipped_differing), (1, 0));
    assert_eq!(digest(&env, "e-1"), Some(from_file));
}

/// An edit forgets the digest (it gives the EAC a new version): an EAC
/// whose `cds_modified` lies ahead is moved on by a nanosecond by an edit,
/// and the file it came from, stamped so, is said to state it differently.
#[test]
fn an_edit_forgets_the_digest() {
    let mut env = Env::new();
    let mut ahead = eac("e-1");
    ahead.cds_modified = ts("2099-01-01T00:00:00Z");
    let file = env.listing("ahead.json", &[ahead]);
    env.import(&file).unwrap();
    assert!(digest(&env, "e-1").is_some());

    let to = BeneficiaryAssignment {
        beneficiary_type: BeneficiaryType::Account,
        beneficiaries: vec!["ACC-9".into()],
    };
    env.store
        .set_beneficiaries("e-1", &to, &why("moved"), "tester")
        .unwrap();
    // An edit moves a stamp ahead of now on by the stored precision
    // (decision 15).
    let edited = ts("2099-01-01T00:00:00.000000001Z");
    assert_eq!(env.store.eac("e-1").unwrap().cds_modified, edited);
    assert_eq!(digest(&env, "e-1"), None);

    // The file as it was, stamped as the edit left the EAC: the same
    // stamp, no digest to say it is the same, so the EACs are compared.
    let mut same_stamp = eac("e-1");
    same_stamp.cds_modified = edited;
    let file = env.listing("same-stamp.json", &[same_stamp]);
    let r = env.import(&file).unwrap();
    assert_eq!((r.skipped, r.skipped_differing), (1, 1));
    assert!(
        warnings(&r)[0].contains("states it differently (beneficiaries, beneficiary_type)"),
        "{:?}",
        warnings(&r)
    );
}

/// The same for an EAC stored by its P2 envelope only.
#[test]
fn an_envelope_stated_differently_with_its_cds_modified_is_said_to() {
    let mut env = Env::new();
    let example = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/spec-examples/good-p2-meeting-0926.json");
    let p2 = |env: &mut Env, path: &Path| {
        env.store
            .import_p2(path, ImportOptions::default(), &NoProgress)
            .unwrap()
    };
    let r = p2(&mut env, &example);
    assert_eq!(r.added, 4);
    let mut listing: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&example).unwrap()).unwrap();
    let first = &mut listing["eacs"][0];
    let id = first["cds_eac_id"].as_str().unwrap().to_owned();
    first["eac_data_url"] = serde_json::json!("https://example.org/elsewhere.json");
    let changed = env.file("changed.json");
    fs::write(&changed, serde_json::to_string_pretty(&listing).unwrap()).unwrap();

    let r = p2(&mut env, &changed);
    assert_eq!((r.skipped, r.skipped_differing), (4, 1));
    assert_eq!(r.warnings.len(), 1, "{:?}", warnings(&r));
    assert_eq!(r.warnings[0].cds_eac_id.as_deref(), Some(id.as_str()));
    assert!(
        warnings(&r)[0]
            .contains("states it differently (eac_data_url): the stored envelope is kept"),
        "{:?}",
        warnings(&r)
    );
    let r = p2(&mut env, &example);
    assert_eq!((r.skipped, r.skipped_differing), (4, 0));
}

/// The stored `cds_synced` of EAC `id` (storage text), full or envelope-only.
fn synced(env: &Env, id: &str) -> Option<String> {
    env.raw_text(&format!(
        "SELECT cds_synced FROM eacs WHERE cds_eac_id = '{id}'
         UNION ALL SELECT cds_synced FROM eac_envelopes WHERE cds_eac_id = '{id}'"
    ))
}

/// The newest import's time (storage text).
fn last_import(env: &Env) -> Option<String> {
    env.raw_text("SELECT imported_at FROM import_batches ORDER BY id DESC LIMIT 1")
}

/// Tester 37, finding 7: an import leaving a stored EAC as it is set its
/// `cds_synced` ("checked against its source", decision 22) even when the
/// file states it otherwise (an older version of an EAC edited since), and
/// `skipped_differing` read 0. Only an EAC stored as the file states it
/// (added, replaced, or found the same) is marked checked; one it states
/// otherwise keeps its time and is counted.
#[test]
fn an_eac_the_file_states_otherwise_keeps_its_cds_synced_and_is_counted() {
    let mut env = Env::new();
    let file = env.listing("one.json", &[eac("e-1"), eac("e-2"), eac("e-3")]);
    env.import(&file).unwrap();
    let first = synced(&env, "e-1").unwrap();
    assert_eq!(Some(first.clone()), last_import(&env));
    // An edit since: the stored EAC is a later version than the file's.
    let to = BeneficiaryAssignment {
        beneficiary_type: BeneficiaryType::Account,
        beneficiaries: vec!["ACC-9".into()],
    };
    env.store
        .set_beneficiaries("e-1", &to, &why("registry typo"), "tester")
        .unwrap();
    // And the same `cds_modified` stated otherwise by the next file.
    let mut other = eac("e-2");
    other.source_name = "Another name".into();
    let again = env.listing("again.json", &[eac("e-1"), other, eac("e-3")]);
    std::thread::sleep(std::time::Duration::from_millis(5));
    let r = env.import(&again).unwrap();
    assert_eq!((r.skipped, r.skipped_differing), (3, 2), "{r:#?}");
    // Only the same-stamp one is a warning: an older version is expected.
    assert_eq!(r.warning_count, 1, "{:?}", warnings(&r));
    let now = last_import(&env).unwrap();
    assert_ne!(now, first);
    assert_eq!(synced(&env, "e-1"), Some(first.clone()), "edited since");
    assert_eq!(synced(&env, "e-2"), Some(first.clone()), "stated otherwise");
    assert_eq!(synced(&env, "e-3"), Some(now), "the same: checked now");
    assert_eq!(env.store.audit_log(Some("e-1")).unwrap().len(), 1);
}

/// The same for envelope-only EACs: the one a listing states otherwise
/// with its `cds_modified` keeps its `cds_synced`.
#[test]
fn an_envelope_the_listing_states_otherwise_keeps_its_cds_synced() {
    let mut env = Env::new();
    let example = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/spec-examples/good-p2-meeting-0926.json");
    env.store
        .import_p2(&example, ImportOptions::default(), &NoProgress)
        .unwrap();
    let mut listing: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&example).unwrap()).unwrap();
    let ids: Vec<String> = (listing["eacs"].as_array().unwrap().iter())
        .map(|e| e["cds_eac_id"].as_str().unwrap().to_owned())
        .collect();
    let first = synced(&env, &ids[0]).unwrap();
    listing["eacs"][0]["eac_data_url"] = serde_json::json!("https://example.org/elsewhere.json");
    let changed = env.file("changed.json");
    fs::write(&changed, serde_json::to_string_pretty(&listing).unwrap()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    let r = env
        .store
        .import_p2(&changed, ImportOptions::default(), &NoProgress)
        .unwrap();
    assert_eq!((r.skipped, r.skipped_differing, r.warning_count), (4, 1, 1));
    let now = last_import(&env).unwrap();
    assert_eq!(synced(&env, &ids[0]), Some(first));
    assert_eq!(synced(&env, &ids[1]), Some(now));
}

/// Tester 39, finding 3: the same extension data laid out otherwise
/// (spaces, CRLF line ends, minified, members in another order) is the
/// same EAC, not one the file "states differently"; a number written
/// otherwise (`2.50` for `2.5`) is a difference, named.
#[test]
fn an_extension_laid_out_otherwise_is_the_same_data() {
    let mut env = Env::new();
    let spaced = env.listing("spaced.json", &[eac("e-1")]);
    let text = std::fs::read_to_string(&spaced).unwrap();
    let with =
        |ext: &str| text.replacen("\"values\": [", &format!("{ext},\n      \"values\": ["), 1);
    std::fs::write(
        &spaced,
        with("\"acme_meta\": {\"plant\": \"A\", \"n\": [1, 2.5]}"),
    )
    .unwrap();
    assert_eq!(env.import(&spaced).unwrap().added, 1);
    for (name, ext) in [
        (
            "minified.json",
            "\"acme_meta\":{\"plant\":\"A\",\"n\":[1,2.5]}",
        ),
        (
            "crlf.json",
            "\"acme_meta\": {\r\n  \"plant\": \"A\",\r\n  \"n\": [1, 2.5]\r\n}",
        ),
        (
            "reordered.json",
            "\"acme_meta\": {\"n\": [1, 2.5], \"plant\": \"\\u0041\"}",
        ),
    ] {
        let file = env.file(name);
        std::fs::write(&file, with(ext)).unwrap();
        let r = env.import(&file).unwrap();
        assert_eq!((r.skipped, r.skipped_differing), (1, 0), "{name}");
        assert!(r.warnings.is_empty(), "{name}: {:?}", warnings(&r));
    }
    // Kept as first written.
    let stored = env.store.eac("e-1").unwrap();
    assert_eq!(
        stored.extensions.iter().next().unwrap().1.get(),
        "{\"plant\": \"A\", \"n\": [1, 2.5]}"
    );

    let other = env.file("other.json");
    std::fs::write(
        &other,
        with("\"acme_meta\": {\"plant\": \"A\", \"n\": [1, 2.50]}"),
    )
    .unwrap();
    let r = env.import(&other).unwrap();
    assert_eq!((r.skipped, r.skipped_differing), (1, 1));
    assert!(
        warnings(&r)[0].contains("states it differently (acme_meta)"),
        "{:?}",
        warnings(&r)
    );
}
