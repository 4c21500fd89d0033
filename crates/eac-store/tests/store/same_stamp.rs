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
/// whose `cds_modified` lies ahead keeps it through an edit, and the file
/// it came from, given again, is said to state it differently.
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
    assert_eq!(
        env.store.eac("e-1").unwrap().cds_modified,
        ts("2099-01-01T00:00:00Z")
    );
    assert_eq!(digest(&env, "e-1"), None);

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
