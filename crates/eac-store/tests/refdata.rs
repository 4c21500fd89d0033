//! Reference data behind beneficiaries and audited emission-factor edits,
//! against real SQLite files and the fixtures of `tests/fixtures/refdata/`.

use std::path::PathBuf;

use eac_model::{BeneficiaryType, Decimal};
use eac_store::{
    BeneficiaryAssignment, BrowseQuery, EacFilter, ImportOptions, NoProgress, Reason, Store,
    StoreError,
};
use tempfile::TempDir;

/// A reason for an audited change (checked as every shell checks it).
fn why(text: &str) -> Reason {
    Reason::new(text).unwrap()
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/refdata")
        .join(name)
}

fn todo_example() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/spec-examples/bad-p1-todo-emissions.json"
    ))
}

fn store(dir: &TempDir) -> Store {
    Store::open(&dir.path().join("eac.db")).unwrap()
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn import_reports_counts_per_type_and_lists_entries() {
    let dir = TempDir::new().unwrap();
    let mut s = store(&dir);
    let r = s
        .import_refdata(&fixture("accounts-2024.json"), &NoProgress)
        .unwrap();
    assert_eq!(r.document.as_str(), "accounts");
    let count = |k| {
        r.counts
            .iter()
            .find(|c| c.beneficiary_type == k)
            .unwrap()
            .count
    };
    assert_eq!(count(BeneficiaryType::Account), 2);
    assert_eq!(count(BeneficiaryType::Customer), 1);
    s.import_refdata(&fixture("accounts-2026.json"), &NoProgress)
        .unwrap();
    s.import_refdata(&fixture("service-contracts.json"), &NoProgress)
        .unwrap();
    s.import_refdata(&fixture("programs.csv"), &NoProgress)
        .unwrap();
    s.import_refdata(&fixture("programs.json"), &NoProgress)
        .unwrap();
    let all = s.refdata(None, None, 0).unwrap();
    assert_eq!(all.len(), 3 + 1 + 2 + 3);
    let accounts = s.refdata(Some(BeneficiaryType::Account), None, 0).unwrap();
    assert_eq!(accounts.len(), 3);
    assert_eq!(accounts[0].label, "22222-1 · Acme Ltd, 1 Main St");
    let found = s.refdata(None, Some("acme"), 0).unwrap();
    assert_eq!(found.len(), 2, "{found:?}");
}

#[test]
fn a_bad_document_writes_nothing_and_locates_the_error() {
    let dir = TempDir::new().unwrap();
    let mut s = store(&dir);
    let e = s
        .import_refdata(&fixture("bad-accounts.json"), &NoProgress)
        .unwrap_err();
    let StoreError::Rules { violations, .. } = e else {
        panic!("{e:?}")
    };
    assert_eq!(violations[0].pointer, "/accounts/1/cds_account_id");
    assert!(s.refdata(None, None, 0).unwrap().is_empty());
    // Not a reference document at all: a document not read here, bad
    // data as `import` of one (exit 1), not a usage mistake.
    let e = s.import_refdata(&todo_example(), &NoProgress).unwrap_err();
    assert!(matches!(e, StoreError::NotReferenceData { .. }), "{e:?}");
    assert_eq!(e.code(), "unreadable");
}

#[test]
fn reimport_relabels() {
    let dir = TempDir::new().unwrap();
    let mut s = store(&dir);
    let csv = dir.path().join("p.csv");
    std::fs::write(&csv, "program_number,name\nPRG-1,Old name\n").unwrap();
    s.import_refdata(&csv, &NoProgress).unwrap();
    std::fs::write(&csv, "program_number,name\nPRG-1,New name\n").unwrap();
    s.import_refdata(&csv, &NoProgress).unwrap();
    let list = s.refdata(Some(BeneficiaryType::Program), None, 0).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].label, "New name");
    // Each import is in the audit log, saying what it changed: the second
    // names the label it replaced (every change of stored data is).
    let log = s.audit_log(None).unwrap();
    let records: Vec<_> = log
        .iter()
        .filter(|r| r.action == "refdata_import")
        .collect();
    assert_eq!(records.len(), 2);
    let detail = |r: &eac_store::AuditRecord, field: &str| {
        r.changes
            .iter()
            .find(|c| c.field == field)
            .and_then(|c| c.after.clone())
    };
    // Newest first.
    assert_eq!(detail(records[1], "added").as_deref(), Some("1"));
    assert_eq!(detail(records[0], "added").as_deref(), Some("0"));
    assert_eq!(detail(records[0], "labels_changed").as_deref(), Some("1"));
    assert_eq!(
        detail(records[0], "changed").as_deref(),
        Some("program PRG-1: Old name → New name")
    );
    assert!(s.verify_audit_chain().unwrap().broken.is_none());
}

/// Saving, replacing and deleting a column mapping are audited with the
/// mapping itself (what was saved, what it replaced, what was deleted);
/// saving what is stored already changes nothing and records nothing.
#[test]
fn column_mappings_are_audited_with_what_they_held() {
    let dir = TempDir::new().unwrap();
    let mut s = store(&dir);
    type Details = Vec<(String, Option<String>)>;
    let records = |s: &Store| -> Vec<(String, Details)> {
        s.audit_log(None)
            .unwrap()
            .into_iter()
            .filter(|r| r.action.as_str().starts_with("mapping_"))
            .map(|r| {
                (
                    r.action.as_str().to_owned(),
                    r.changes.into_iter().map(|c| (c.field, c.after)).collect(),
                )
            })
            .collect()
    };
    s.save_mapping("m", r#"{"v":1}"#).unwrap();
    s.save_mapping("m", r#"{"v":1}"#).unwrap();
    assert_eq!(
        records(&s).len(),
        1,
        "the same mapping again records nothing"
    );
    s.save_mapping("m", r#"{"v":2}"#).unwrap();
    assert!(s.delete_mapping("m").unwrap());
    assert!(!s.delete_mapping("m").unwrap());
    let found = records(&s);
    let some = |t: &str| Some(t.to_owned());
    assert_eq!(
        found,
        [
            (
                "mapping_delete".to_owned(),
                vec![
                    ("mapping".into(), some(r#"{"v":2}"#)),
                    ("name".into(), some("m"))
                ]
            ),
            (
                "mapping_save".to_owned(),
                vec![
                    ("mapping".into(), some(r#"{"v":2}"#)),
                    ("name".into(), some("m")),
                    ("replaced".into(), some(r#"{"v":1}"#))
                ]
            ),
            (
                "mapping_save".to_owned(),
                vec![
                    ("mapping".into(), some(r#"{"v":1}"#)),
                    ("name".into(), some("m"))
                ]
            ),
        ]
    );
    assert!(s.verify_audit_chain().unwrap().broken.is_none());
}

#[test]
fn reference_data_is_found_in_any_case() {
    let dir = TempDir::new().unwrap();
    let mut s = store(&dir);
    let csv = dir.path().join("p.csv");
    std::fs::write(&csv, "program_number,name\nprg-øst,Ørsted Grøn Strøm\n").unwrap();
    s.import_refdata(&csv, &NoProgress).unwrap();
    for query in ["grøn", "GRØN", "ørsted"] {
        let list = s.refdata(None, Some(query), 0).unwrap();
        assert_eq!(list.len(), 1, "{query}");
    }
    let c = s
        .beneficiary_choices(BeneficiaryType::Program, "PRG-ØST", 10)
        .unwrap();
    assert_eq!(c[0].value, "prg-øst");
    assert_eq!(c[0].label, "Ørsted Grøn Strøm");
}

#[test]
fn unknown_ids_are_found_per_type() {
    let dir = TempDir::new().unwrap();
    let mut s = store(&dir);
    // Nothing imported: nothing to check against.
    assert!(s
        .unknown_beneficiaries(BeneficiaryType::Account, &ids(&["X"]))
        .unwrap()
        .is_empty());
    s.import_refdata(&fixture("accounts-2024.json"), &NoProgress)
        .unwrap();
    assert!(s
        .unknown_beneficiaries(BeneficiaryType::Account, &ids(&["ACC-1", "ACC-2"]))
        .unwrap()
        .is_empty());
    assert_eq!(
        s.unknown_beneficiaries(BeneficiaryType::Account, &ids(&["ACC-1", "NOPE"]))
            .unwrap(),
        ids(&["NOPE"])
    );
    // An account id does not name a customer.
    assert_eq!(
        s.unknown_beneficiaries(BeneficiaryType::Customer, &ids(&["ACC-1", "CUST123"]))
            .unwrap(),
        ids(&["ACC-1"])
    );
    // No programs imported yet; general never.
    assert!(s
        .unknown_beneficiaries(BeneficiaryType::Program, &ids(&["P"]))
        .unwrap()
        .is_empty());
    assert!(s
        .unknown_beneficiaries(BeneficiaryType::General, &[])
        .unwrap()
        .is_empty());
}

#[test]
fn choices_put_labelled_reference_data_before_used_ids() {
    let dir = TempDir::new().unwrap();
    let mut s = store(&dir);
    s.import_file(&todo_example(), ImportOptions::default(), &NoProgress)
        .unwrap();
    s.import_refdata(&fixture("accounts-2024.json"), &NoProgress)
        .unwrap();
    let c = s
        .beneficiary_choices(BeneficiaryType::Customer, "cust", 10)
        .unwrap();
    assert_eq!(c[0].value, "CUST123");
    assert_eq!(c[0].label, "Acme Ltd · account 22222-1");
    assert_eq!(
        c.len(),
        1,
        "a used id already in reference data is not repeated"
    );
    // By label prefix, any case.
    let c = s
        .beneficiary_choices(BeneficiaryType::Account, "22222-2", 10)
        .unwrap();
    assert_eq!(c[0].value, "ACC-2");
    let c = s
        .beneficiary_choices(BeneficiaryType::Account, "beta", 10)
        .unwrap();
    assert!(c.is_empty(), "labels match by prefix: {c:?}");
}

#[test]
fn set_emissions_is_audited_and_unblocks_the_export() {
    let dir = TempDir::new().unwrap();
    let mut s = store(&dir);
    s.import_file(&todo_example(), ImportOptions::default(), &NoProgress)
        .unwrap();
    let missing = EacFilter {
        missing_emissions: Some(true),
        ..EacFilter::default()
    };
    let flagged = s
        .browse(&BrowseQuery {
            filter: missing.clone(),
            ..BrowseQuery::default()
        })
        .unwrap();
    assert!(!flagged.is_empty());
    let out = dir.path().join("out.json");
    assert_eq!(
        s.export_p1(None, &out, &NoProgress).unwrap_err().code(),
        "validation"
    );
    let before = s.detail(&flagged[0].cds_eac_id).unwrap().cds_modified;
    for row in &flagged {
        let rec = s
            .set_emissions(
                &row.cds_eac_id,
                &Decimal::parse("0").unwrap(),
                &Decimal::parse("45.106820").unwrap(),
                &why("numbers from the registry"),
                "tester",
            )
            .unwrap();
        assert_eq!(rec.action, "set_emissions");
        assert_eq!(
            rec.before_emissions.as_ref().unwrap().emissions_factor_lca,
            None
        );
        assert_eq!(
            rec.after_emissions
                .as_ref()
                .unwrap()
                .emissions_factor_lca
                .as_deref(),
            Some("45.106820")
        );
    }
    let d = s.detail(&flagged[0].cds_eac_id).unwrap();
    assert_eq!(d.emissions_factor_lca.as_deref(), Some("45.106820"));
    assert!(d.cds_modified > before);
    assert_eq!(s.summary(&missing).unwrap().count, 0);
    s.export_p1(None, &out, &NoProgress).unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("45.106820"));
    // History reads both kinds of record.
    s.set_beneficiaries(
        &flagged[0].cds_eac_id,
        &BeneficiaryAssignment {
            beneficiary_type: BeneficiaryType::General,
            beneficiaries: vec![],
        },
        &why("x"),
        "tester",
    )
    .unwrap();
    let log = s.audit_log(Some(&flagged[0].cds_eac_id)).unwrap();
    assert_eq!(log[0].action, "set_beneficiaries");
    assert!(log[0].after_emissions.is_none());
    assert_eq!(log[1].action, "set_emissions");
    assert_eq!(
        log[1]
            .after_emissions
            .as_ref()
            .unwrap()
            .emissions_factor_direct
            .as_deref(),
        Some("0")
    );
    // Negative and empty reason refused.
    let e = s
        .set_emissions(
            &flagged[0].cds_eac_id,
            &Decimal::parse("-1").unwrap(),
            &Decimal::parse("1").unwrap(),
            &why("r"),
            "t",
        )
        .unwrap_err();
    assert!(e.to_string().contains("negative"), "{e}");
}

/// The fuzzer's seed (FUZZ_FINDINGS item 4): an account id holding a NUL
/// was read, then broke the database's CHECK with a message about backups.
/// It is a located rule violation, and nothing is written.
#[test]
fn an_id_holding_a_nul_character_is_a_located_rule_violation() {
    let dir = TempDir::new().unwrap();
    let mut s = store(&dir);
    let seed = dir.path().join("account-id-nul-character.json");
    std::fs::write(
        &seed,
        r#"{"accounts":[{"cds_account_id":"\u0000","cds_created":"2026-01-01T00:00:00Z","cds_modified":"2026-01-01T00:00:00Z","account_number":"33333-3","account_name":"Gamma Works","account_type":"business"}],"next":null,"previous":null}"#,
    )
    .unwrap();
    match s.import_refdata(&seed, &NoProgress) {
        Err(StoreError::Rules { file, violations }) => {
            assert_eq!(file, seed.display().to_string());
            assert_eq!(violations.len(), 1, "{violations:?}");
            let v = &violations[0];
            assert_eq!(
                (v.rule, v.pointer.as_str()),
                (17, "/accounts/0/cds_account_id")
            );
            assert!(
                v.message
                    .contains("holds a control character, U+0000 (NUL), at character 1"),
                "{v}"
            );
            assert!(!v.message.contains("backup"), "{v}");
        }
        other => panic!("not a rule violation: {other:?}"),
    }
    assert!(s.refdata_counts().unwrap().is_empty());
}

/// Removing ids the reference data does not hold refuses the whole
/// removal with its own error, naming the type and the ids as given (it
/// was an EAC's not-found, so every shell spoke of an EAC).
#[test]
fn removing_ids_that_are_not_held_names_them_as_reference_data() {
    let dir = TempDir::new().unwrap();
    let mut s = store(&dir);
    s.import_refdata(&fixture("accounts-2024.json"), &NoProgress)
        .unwrap();
    let held = s.refdata(Some(BeneficiaryType::Account), None, 0).unwrap();
    let asked = vec![held[0].id.clone(), "X".to_owned(), "acc-9".to_owned()];
    let e = s
        .remove_refdata(
            BeneficiaryType::Account,
            &asked,
            &why("closed"),
            "tester",
            false,
        )
        .unwrap_err();
    match &e {
        StoreError::NoRefdata { kind, ids } => {
            assert_eq!(kind, "account");
            assert_eq!(ids, &asked[1..]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(e.code(), eac_store::ErrorCode::NotFound);
    assert_eq!(
        e.to_string(),
        "the account reference data holds no `X`, `acc-9`"
    );
    // Nothing was removed.
    let after = s.refdata(Some(BeneficiaryType::Account), None, 0).unwrap();
    assert_eq!(after.len(), held.len());
}
