//! Closed reporting periods through the whole house (issue 12 item 5):
//! real registry statements imported, their year closed, a stations report
//! and a deletion that would change the filed EACs refused with `frozen`
//! (the database files byte for byte unchanged), the same statement again
//! still accepted (nothing changes), and everything allowed after a
//! reopen; close and reopen in the intact audit chain.

use std::path::{Path, PathBuf};

use eac_app::{
    DeleteTarget, EacFilter, ErrorCode, ImportOptions, ImportOutcome, NoProgress, Store,
};
use eac_tests::{sha256_file, temp_store};

fn sample(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/eac-registry/tests/fixtures")
        .join(rel)
}

fn import(store: &mut Store, path: &Path) -> eac_app::FileImportReport {
    let report = eac_app::import_files(
        store,
        &[path.to_owned()],
        ImportOptions::default(),
        &NoProgress,
    );
    report.files.into_iter().next().unwrap()
}

/// The database file and its write-ahead log, hashed.
fn files(db: &Path) -> Vec<String> {
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    [db.to_owned(), wal]
        .iter()
        .filter(|p| p.exists())
        .map(|p| sha256_file(p))
        .collect()
}

#[test]
fn a_closed_year_of_registry_statements_refuses_changes_until_reopened() {
    let stations = eac_tests::fixture("registries/stations-walney-extension.csv");
    let certificates = sample("ofgem/certificates-sample.csv");
    let mut t = temp_store();
    let r = import(&mut t.store, &certificates);
    assert_eq!(r.outcome, ImportOutcome::Imported, "{r:#?}");
    let walney: Vec<String> = t
        .store
        .browse(&eac_app::BrowseQuery {
            filter: EacFilter {
                search: Some("G01177FWEN".into()),
                ..EacFilter::default()
            },
            limit: 100,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|r| r.cds_eac_id)
        .collect();
    assert!(!walney.is_empty());

    let closed =
        eac_app::close_period(&mut t.store, "2023-01-01", "2023-12-31", "REGO 2023 filed").unwrap();
    assert_eq!(
        closed.eac_count, r.added,
        "every 2023 statement line lies inside"
    );

    // The same statement again changes nothing: accepted.
    let again = import(&mut t.store, &certificates);
    assert_eq!(again.outcome, ImportOutcome::Imported, "{again:#?}");
    assert_eq!((again.added, again.replaced), (0, 0));

    // The stations report would fill the commissioning date of Walney's
    // filed EACs: refused whole, naming them, nothing written.
    let before = files(&t.db_path());
    let audit = t.store.audit_log(None).unwrap().len();
    let refused = import(&mut t.store, &stations);
    assert_eq!(refused.outcome, ImportOutcome::Failed);
    assert_eq!(refused.code, Some(ErrorCode::Frozen));
    assert_eq!(ErrorCode::Frozen.exit_code(), 1);
    let said = refused.message.unwrap();
    // Among several files, the refusal says which file it was.
    assert!(
        said.starts_with(&format!(
            "Nothing was imported from {}: 2 EACs lie in a closed reporting period",
            stations.display()
        )),
        "{said}"
    );
    for id in &walney {
        assert!(said.contains(&format!("`{id}`")), "{id} not named: {said}");
    }
    assert!(said.contains("(2023-01-01 to 2023-12-31)"), "{said}");
    assert!(said.contains("“REGO 2023 filed”"), "{said}");
    assert!(
        said.contains(&format!("eacdesk period reopen {} --reason", closed.id)),
        "{said}"
    );
    let deletion = eac_app::delete_eacs(
        &mut t.store,
        &DeleteTarget::Ids(walney.clone()),
        "wrong station",
        false,
        &NoProgress,
    )
    .unwrap_err();
    assert_eq!(deletion.code, ErrorCode::Frozen);
    assert_eq!(deletion.details.cds_eac_ids.as_ref(), Some(&walney));
    assert_eq!(deletion.details.period_ids, Some(vec![closed.id]));
    assert_eq!(
        files(&t.db_path()),
        before,
        "the database files are unchanged"
    );
    assert_eq!(t.store.audit_log(None).unwrap().len(), audit);
    assert!(t
        .store
        .eac(&walney[0])
        .unwrap()
        .asset_commissioned
        .is_none());

    // Reopened: the stations report goes through, audited.
    eac_app::reopen_period(&mut t.store, closed.id, "stations report arrived late").unwrap();
    let filled = import(&mut t.store, &stations);
    assert_eq!(filled.outcome, ImportOutcome::Imported, "{filled:#?}");
    assert_eq!(filled.registry.unwrap().commissioned_filled, walney.len());
    let log = t.store.audit_log(None).unwrap();
    let periods: Vec<&str> = log
        .iter()
        .filter(|r| r.cds_eac_id.is_empty())
        .map(|r| r.action.as_str())
        .collect();
    assert_eq!(periods, ["period_reopen", "period_close"]);
    let chain = eac_app::verify_audit_chain(&t.store).unwrap();
    assert!(chain.broken.is_none(), "{chain:?}");
    assert_eq!(chain.records, log.len());
}
