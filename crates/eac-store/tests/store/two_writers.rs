//! Two connections on one database at once (tester 38): an export is put
//! in place in the write that records it, refused when another connection
//! committed after its snapshot, and left unplaced when the database is
//! too busy to take its record; the dry runs of an import wait for the
//! write lock as the import does; a busy failure names its file.

use super::*;
use eac_store::{AuditAction, PlaceFailed};

/// The hidden files and folders an export leaves beside its destination
/// (none once it has finished, however it finished).
fn hidden(env: &Env) -> Vec<String> {
    fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".eacdesk-"))
        .collect()
}

/// The `export` records of the audit log, newest first: (path, SHA-256).
fn export_records(env: &Env) -> Vec<(String, String)> {
    let after = |r: &eac_store::AuditRecord, field: &str| {
        (r.changes.iter())
            .find(|c| c.field == field)
            .and_then(|c| c.after.clone())
            .unwrap()
    };
    (env.store.audit_log(None).unwrap().iter())
        .filter(|r| r.action == AuditAction::Export)
        .map(|r| (after(r, "path"), after(r, "sha256")))
        .collect()
}

/// Another desk (another window, an `eacdesk` command) changes an EAC.
fn another_desk_edits(env: &Env) {
    env.reopen()
        .set_beneficiaries(
            "a",
            &assign(BeneficiaryType::General, &[]),
            &why("withdrawn by the registry"),
            "bob",
        )
        .unwrap();
}

/// The file is put in place only in the write that records it, and the
/// record names the file that is then there.
#[test]
fn an_export_is_put_in_place_in_the_write_that_records_it() {
    let mut env = browse_env();
    let dest = env.file("all.json");
    fs::write(&dest, "the earlier export\n").unwrap();
    let (report, unplaced) = env
        .store
        .export_p1_unplaced(None, &dest, &NoProgress)
        .unwrap();
    // Written whole, hidden: the destination holds what it held.
    assert_eq!(fs::read_to_string(&dest).unwrap(), "the earlier export\n");
    assert_eq!(hidden(&env).len(), 1, "{:?}", hidden(&env));
    env.store.place_export(unplaced, Some("alice")).unwrap();
    assert_eq!(sha256_of(&dest), report.sha256);
    assert!(hidden(&env).is_empty(), "{:?}", hidden(&env));
    let records = export_records(&env);
    assert_eq!(records, vec![(report.path.clone(), report.sha256.clone())]);
    assert!(env.store.verify_audit_chain().unwrap().broken.is_none());

    // A P2 bundle the same way, swapped in by its record's write.
    let bundle = env.file("bundle");
    let (report, unplaced) = env
        .store
        .export_p2_unplaced(None, &bundle, None, &NoProgress, &|_| Vec::new())
        .unwrap();
    assert!(!bundle.exists());
    env.store.place_export(unplaced, Some("alice")).unwrap();
    assert_eq!(sha256_of(&bundle.join("eacs.json")), report.sha256);
    assert_eq!(export_records(&env)[0], (report.path, report.sha256));
    assert!(hidden(&env).is_empty(), "{:?}", hidden(&env));
}

/// Tester 38, finding 1: another desk committed while the export was
/// written (its snapshot is older than the log's last record). The export
/// is refused as a pack is (decision 107): the destination keeps what it
/// held, nothing hidden is left, and no record claims the file.
#[test]
fn an_export_is_refused_when_the_database_changed_after_its_snapshot() {
    let mut env = browse_env();
    let dest = env.file("all.json");
    fs::write(&dest, "the earlier export\n").unwrap();
    let (_, unplaced) = env
        .store
        .export_p1_unplaced(None, &dest, &NoProgress)
        .unwrap();
    another_desk_edits(&env);
    let records = env.store.audit_log(None).unwrap().len();
    let PlaceFailed { error, placed } =
        env.store.place_export(unplaced, Some("alice")).unwrap_err();
    assert!(!placed);
    assert!(matches!(error, StoreError::Conflict { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.starts_with("The database changed while exporting"),
        "{message}"
    );
    assert!(
        message.contains(&format!("nothing was written to {}", dest.display())),
        "{message}"
    );
    assert!(message.ends_with("Export again."), "{message}");
    assert_eq!(fs::read_to_string(&dest).unwrap(), "the earlier export\n");
    assert!(hidden(&env).is_empty(), "{:?}", hidden(&env));
    assert_eq!(env.store.audit_log(None).unwrap().len(), records);

    // A bundle: its folder never appears.
    let bundle = env.file("bundle");
    let (_, unplaced) = env
        .store
        .export_p2_unplaced(None, &bundle, None, &NoProgress, &|_| Vec::new())
        .unwrap();
    another_desk_edits(&env);
    let failed = env.store.place_export(unplaced, Some("alice")).unwrap_err();
    assert!(!failed.placed);
    assert!(matches!(failed.error, StoreError::Conflict { .. }));
    assert!(!bundle.exists());
    assert!(hidden(&env).is_empty(), "{:?}", hidden(&env));
    assert!(export_records(&env).is_empty());

    // Exported again, it is the file the log's last record names.
    let (report, unplaced) = env
        .store
        .export_p1_unplaced(None, &dest, &NoProgress)
        .unwrap();
    env.store.place_export(unplaced, Some("alice")).unwrap();
    assert_eq!(export_records(&env), vec![(report.path, sha256_of(&dest))]);
}

/// Tester 38, finding 2: two exports to one file at once. The one whose
/// record is written first is put in place; the other one then finds the
/// database changed (that record) and is refused, so the last record for
/// the path always names the file that is there.
#[test]
fn of_two_exports_to_one_file_the_last_record_names_the_file_there() {
    let mut env = browse_env();
    let mut other = env.reopen();
    let dest = env.file("same.json");
    let only = |id: &str| EacFilter {
        search: Some(id.into()),
        ..EacFilter::default()
    };
    let (first, first_unplaced) = env
        .store
        .export_p1_unplaced(Some(&only("a")), &dest, &NoProgress)
        .unwrap();
    let (_, second_unplaced) = other
        .export_p1_unplaced(Some(&only("b")), &dest, &NoProgress)
        .unwrap();
    env.store
        .place_export(first_unplaced, Some("alice"))
        .unwrap();
    let failed = other
        .place_export(second_unplaced, Some("bob"))
        .unwrap_err();
    assert!(!failed.placed);
    assert!(matches!(failed.error, StoreError::Conflict { .. }));
    assert_eq!(sha256_of(&dest), first.sha256);
    assert_eq!(export_records(&env), vec![(first.path, first.sha256)]);
    assert!(hidden(&env).is_empty(), "{:?}", hidden(&env));
}

/// A login that takes no record (here a changed database does not matter:
/// no record says what the file holds) puts the export in place as it is.
#[test]
fn an_unrecorded_export_is_put_in_place_without_a_write() {
    let mut env = browse_env();
    let dest = env.file("all.json");
    let (report, unplaced) = env
        .store
        .export_p1_unplaced(None, &dest, &NoProgress)
        .unwrap();
    another_desk_edits(&env);
    env.store.place_export(unplaced, None).unwrap();
    assert_eq!(sha256_of(&dest), report.sha256);
    assert!(export_records(&env).is_empty());
}

/// Tester 38, finding 1 (its second half): a database too busy to take the
/// record leaves the earlier file in place and removes the hidden one, and
/// the failure names the database file it waited for (finding 4).
#[test]
fn a_busy_database_leaves_the_earlier_export_in_place() {
    file_only!("SQLite's write lock and busy timeout");
    let mut env = browse_env();
    let dest = env.file("all.json");
    fs::write(&dest, "the earlier export\n").unwrap();
    let (_, unplaced) = env
        .store
        .export_p1_unplaced(None, &dest, &NoProgress)
        .unwrap();
    env.store
        .set_busy_timeout(std::time::Duration::from_millis(100))
        .unwrap();
    let holder = rusqlite::Connection::open(env.db()).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let failed = env.store.place_export(unplaced, Some("alice")).unwrap_err();
    holder.execute_batch("ROLLBACK").unwrap();
    assert!(!failed.placed);
    assert!(failed.error.is_busy(), "{:?}", failed.error);
    assert_eq!(failed.error.code(), "database");
    assert!(
        failed
            .error
            .to_string()
            .contains(&env.db().display().to_string()),
        "{}",
        failed.error
    );
    assert_eq!(fs::read_to_string(&dest).unwrap(), "the earlier export\n");
    assert!(hidden(&env).is_empty(), "{:?}", hidden(&env));
    assert!(export_records(&env).is_empty());
}

/// Tester 38, finding 3: an import's dry run (the import rolled back)
/// waits for another connection's write as the import does, instead of
/// being refused as busy at once; it still writes nothing.
#[test]
fn an_import_dry_run_waits_for_another_write() {
    file_only!("SQLite's write lock");
    let mut env = browse_env();
    let file = env.listing("more.json", &[eac("e"), eac("f")]);
    let holder = env.hold_write_lock(800);
    let before = env.fingerprint();
    let report = env
        .store
        .import_file_dry_run(&file, ImportOptions::default(), &NoProgress)
        .unwrap();
    holder.join().unwrap();
    assert_eq!(report.added, 2);
    assert_eq!(env.count(), 4);
    assert_eq!(env.fingerprint(), before);
}

/// Tester 38, finding 3: removing reference data as a dry run reads what
/// is stored and writes nothing, so another connection's write does not
/// stop it (as `delete`'s dry run); the removal itself still waits.
#[test]
fn a_refdata_removal_dry_run_needs_no_write_lock() {
    let mut env = browse_env();
    let accounts = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/refdata/accounts-2024.json");
    env.store.import_refdata(&accounts, &NoProgress).unwrap();
    let before = env.fingerprint();
    let holder = env.raw_file();
    if let Some(holder) = &holder {
        env.store
            .set_busy_timeout(std::time::Duration::from_millis(100))
            .unwrap();
        holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    }
    let removal = env
        .store
        .remove_refdata(
            BeneficiaryType::Account,
            &["ACC-1".to_owned()],
            &why("closed"),
            "alice",
            true,
        )
        .unwrap();
    assert!(removal.dry_run);
    assert_eq!(removal.removed.len(), 1);
    // ACC-1 is named by EAC `a`.
    assert_eq!(removal.still_named.len(), 1);
    if let Some(holder) = &holder {
        // The removal itself waits, and here waits too long.
        let e = env
            .store
            .remove_refdata(
                BeneficiaryType::Account,
                &["ACC-1".to_owned()],
                &why("closed"),
                "alice",
                false,
            )
            .unwrap_err();
        assert!(e.is_busy(), "{e:?}");
        holder.execute_batch("ROLLBACK").unwrap();
    }
    assert_eq!(env.fingerprint(), before);
    assert!(env
        .store
        .unknown_beneficiaries(BeneficiaryType::Account, &["ACC-1".to_owned()])
        .unwrap()
        .is_empty());
}
