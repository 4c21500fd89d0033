//! Issue 9: audited import replacements, deletion, undo of an import,
//! audited verification, reasons without control characters, audit records
//! that cannot be replaced or hidden, and opens that change nothing.

use super::*;
use eac_store::{AuditAction, DeleteTarget, ErrorCode, VerifyReport};

/// The envelope-only EACs of the working group's meeting example (4).
fn meeting_example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/spec-examples/good-p2-meeting-0926.json")
}

fn newer(id: &str) -> Eac {
    let mut e = eac(id);
    e.cds_modified = ts("2024-03-01T00:00:00Z");
    e.source_name = "Registry One (renamed)".into();
    e.beneficiary_type = Some(BeneficiaryType::Account);
    e.beneficiaries = vec!["ACC-7".into()];
    e.values = vec![value(EnergyUnit::KWh, "5"), value(EnergyUnit::KWh, "6.000")];
    e
}

fn by_ids(ids: &[&str]) -> DeleteTarget {
    DeleteTarget::Ids(ids.iter().map(|s| s.to_string()).collect())
}

fn raw(env: &Env) -> rusqlite::Connection {
    rusqlite::Connection::open(env.db()).unwrap()
}

// ------------------------------------------------------------ item 7

#[test]
fn an_import_replacing_an_eac_is_audited_with_both_versions_and_the_file() {
    let mut env = Env::new();
    let first = env.listing("first.json", &[eac("e-1"), eac("e-2")]);
    env.import(&first).unwrap();
    assert!(env.store.audit_log(None).unwrap().is_empty());

    let second = env.listing("second.json", &[newer("e-1"), eac("e-2")]);
    let r = env.import(&second).unwrap();
    assert_eq!((r.replaced, r.skipped), (1, 1));

    let log = env.store.audit_log(None).unwrap();
    assert_eq!(log.len(), 1, "{log:#?}");
    let rec = &log[0];
    assert_eq!(rec.action, "import_replace");
    assert_eq!(rec.cds_eac_id, "e-1");
    assert_eq!(
        rec.source_file.as_deref(),
        Some(second.display().to_string().as_str())
    );
    assert_eq!(
        rec.before,
        Some(assign(BeneficiaryType::Customer, &["CUST123"]))
    );
    assert_eq!(
        rec.after,
        Some(assign(BeneficiaryType::Account, &["ACC-7"]))
    );
    assert!(!rec.os_user.is_empty());
    assert!(!rec.reason.is_empty());
    assert!(rec.problem.is_none());
    let fields: Vec<&str> = rec.changes.iter().map(|c| c.field.as_str()).collect();
    assert!(fields.contains(&"source_name"), "{fields:?}");
    assert!(fields.contains(&"values"), "{fields:?}");
    assert!(fields.contains(&"cds_modified"), "{fields:?}");
    let source = rec
        .changes
        .iter()
        .find(|c| c.field == "source_name")
        .unwrap();
    assert_eq!(source.before.as_deref(), Some("Registry One"));
    assert_eq!(source.after.as_deref(), Some("Registry One (renamed)"));
    // The batch that made the change is named, and the record is its.
    let batches = env.store.import_batches().unwrap();
    assert_eq!(rec.import_batch_id, Some(batches[0].id));
}

/// Tester 35, finding 7: an import replacement's record says which values
/// changed and how (`value 1: 30 MWh → 2.50 MWh`), a few of them, and counts
/// the rest, where it said "1 value(s) → 1 value(s)"; the states keep all.
#[test]
fn an_import_replacement_tells_the_values_it_changed() {
    let mut env = Env::new();
    let mut first = eac("e-1");
    first.values = (0..6).map(|_| value(EnergyUnit::MWh, "30")).collect();
    let path = env.listing("first.json", &[first.clone()]);
    env.import(&path).unwrap();

    let mut second = first.clone();
    second.cds_modified = ts("2024-03-01T00:00:00Z");
    second.values[0].value = dec("2.50");
    second.values[1].retired = Some(date("2024-03-01"));
    second.values[2].unit = EnergyUnit::KWh;
    for v in &mut second.values[3..] {
        v.value = dec("1e3");
    }
    let path = env.listing("second.json", &[second.clone()]);
    assert_eq!(env.import(&path).unwrap().replaced, 1);

    let log = env.store.audit_log(Some("e-1")).unwrap();
    let said: Vec<String> = log[0]
        .changes
        .iter()
        .map(|c| match (&c.before, &c.after) {
            (None, None) => c.field.clone(),
            (b, a) => format!(
                "{}: {} → {}",
                c.field,
                b.as_deref().unwrap_or("(none)"),
                a.as_deref().unwrap_or("(none)")
            ),
        })
        .collect();
    assert_eq!(
        said,
        [
            "cds_modified: 2024-02-10T00:00:00Z → 2024-03-01T00:00:00Z",
            "value 1: 30 MWh → 2.50 MWh",
            "value 2: retired (none) → retired 2024-03-01",
            "value 3: 30 MWh → 30 kWh",
            "and 3 more values",
        ]
    );

    // A value added or taken away is told whole, and the count changes.
    let mut third = second;
    third.cds_modified = ts("2024-04-01T00:00:00Z");
    third.values.push(value(EnergyUnit::KWh, "7"));
    let path = env.listing("third.json", &[third]);
    env.import(&path).unwrap();
    let log = env.store.audit_log(Some("e-1")).unwrap();
    let values: Vec<(&str, Option<&str>, Option<&str>)> = log[0]
        .changes
        .iter()
        .filter(|c| c.field.starts_with("value"))
        .map(|c| (c.field.as_str(), c.before.as_deref(), c.after.as_deref()))
        .collect();
    assert_eq!(values[0], ("values", Some("6 values"), Some("7 values")));
    assert_eq!(
        values.last().copied(),
        Some((
            "value 7",
            None,
            Some("7 kWh, issued 2024-02-05, start 2024-01-01T00:00:00Z, end 2024-02-01T00:00:00Z")
        ))
    );
}

// ------------------------------------------------------------ item 8

/// A database another tool left in rollback-journal mode.
fn delete_journal_env() -> Env {
    let env = Env::new();
    let db = env.db();
    let Env { dir, store, .. } = env;
    drop(store);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "delete", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "delete");
    drop(conn);
    let store = Store::open(&db).unwrap();
    Env {
        dir,
        store,
        server: None,
    }
}

fn journal_mode(path: &Path) -> String {
    rusqlite::Connection::open(path)
        .unwrap()
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap()
}

#[test]
fn a_refused_import_leaves_a_rollback_journal_database_byte_identical() {
    file_only!("a rollback-journal file");
    let mut env = delete_journal_env();
    let db = env.db();
    let before = fs::read(&db).unwrap();
    let mut bad = eac("bad");
    bad.period_end = ts("2023-01-01T00:00:00Z");
    let file = env.listing("bad.json", &[eac("ok"), bad]);
    env.import(&file).unwrap_err();
    drop(env.store);
    assert_eq!(
        fs::read(&db).unwrap(),
        before,
        "the refused import changed the file"
    );
    assert_eq!(journal_mode(&db), "delete");
}

#[test]
fn read_only_opens_change_nothing_and_create_nothing() {
    file_only!("read-only opens of a file");
    let env = delete_journal_env();
    let db = env.db();
    drop(env.store);
    let before = fs::read(&db).unwrap();
    let store = Store::open_read(&db).unwrap();
    store.browse(&BrowseQuery::default()).unwrap();
    store.audit_log(None).unwrap();
    drop(store);
    assert_eq!(fs::read(&db).unwrap(), before);
    assert_eq!(journal_mode(&db), "delete");

    let missing = env.dir.path().join("nowhere/never.db");
    let store = Store::open_read(&missing).unwrap();
    assert_eq!(store.info().unwrap().eac_count, 0);
    assert!(!missing.exists());
    assert!(!missing.parent().unwrap().exists());
}

#[test]
fn the_switch_to_write_ahead_logging_follows_a_successful_write() {
    file_only!("SQLite's journal modes");
    let mut env = delete_journal_env();
    let file = env.listing("ok.json", &[eac("ok")]);
    env.import(&file).unwrap();
    assert_eq!(journal_mode(&env.db()), "wal");
}

// ------------------------------------------------------------ item 11

#[test]
fn insert_or_replace_cannot_rewrite_an_audit_record() {
    file_only!("SQLite's REPLACE (a server refuses its upsert as an update: postgres.rs)");
    let mut env = browse_env();
    let record = env
        .store
        .set_beneficiaries(
            "a",
            &assign(BeneficiaryType::General, &[]),
            &why("why"),
            "alice",
        )
        .unwrap();
    let e = raw(&env)
        .execute(
            "INSERT OR REPLACE INTO audit_log (id, at, os_user, cds_eac_id, action, \"before\", \"after\", reason)
             VALUES (?1, 't', 'mallory', 'a', 'x', '{}', '{}', 'rewritten')",
            [record.id],
        )
        .unwrap_err();
    assert!(e.to_string().contains("never replaced"), "{e}");
    let e = raw(&env)
        .execute(
            "REPLACE INTO audit_log (id, at, os_user, cds_eac_id, action, \"before\", \"after\", reason)
             VALUES (?1, 't', 'mallory', 'a', 'x', '{}', '{}', 'rewritten')",
            [record.id],
        )
        .unwrap_err();
    assert!(e.to_string().contains("never replaced"), "{e}");
    assert_eq!(env.store.audit_log(None).unwrap(), [record]);
}

#[test]
fn dropped_audit_triggers_are_recreated_at_open_with_a_warning() {
    file_only!("a file's triggers");
    let mut env = browse_env();
    env.store
        .set_beneficiaries(
            "a",
            &assign(BeneficiaryType::General, &[]),
            &why("why"),
            "alice",
        )
        .unwrap();
    let db = env.db();
    drop(env.store);
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_log_no_replace;")
        .unwrap();
    drop(conn);

    // Reading only reports it …
    let before = fs::read(&db).unwrap();
    let read = Store::open_read(&db).unwrap();
    assert_eq!(read.warnings().len(), 1, "{:?}", read.warnings());
    assert!(read.warnings()[0].contains("audit_log_no_delete"));
    drop(read);
    assert_eq!(fs::read(&db).unwrap(), before);

    // … opening to write puts them back.
    let store = Store::open(&db).unwrap();
    let warning = &store.info().unwrap().warnings;
    assert_eq!(warning.len(), 1);
    assert!(warning[0].contains("re-created"), "{warning:?}");
    assert!(warning[0].contains("audit_log_no_replace"), "{warning:?}");
    let e = rusqlite::Connection::open(&db)
        .unwrap()
        .execute("DELETE FROM audit_log", [])
        .unwrap_err();
    assert!(e.to_string().contains("never deleted"), "{e}");
    drop(store);
    assert!(Store::open(&db).unwrap().warnings().is_empty());
}

// ------------------------------------------------------------ item 12

#[test]
fn reasons_with_control_characters_are_refused_everywhere() {
    let env = browse_env();
    for reason in [
        "fine\n#9 forged line",
        "\u{1b}[2Jcleared",
        "tab\there",
        "bidi \u{202e}txt",
    ] {
        // Every mutation (edits, emissions, delete, undo, verify) takes a
        // `Reason`, and no `Reason` holds one of these.
        match Reason::new(reason).unwrap_err() {
            StoreError::InvalidInput(m) => assert!(m.contains("on one line"), "{m}"),
            other => panic!("{other:?}"),
        }
        assert!(Reason::optional(Some(reason)).is_err());
    }
    let e = Reason::new("ok\u{7}").unwrap_err();
    assert!(e.to_string().contains("U+0007"), "{e}");
    assert_eq!(
        Reason::new("  Ørsted contract  ").unwrap().as_str(),
        "Ørsted contract"
    );
    assert!(env.store.audit_log(None).unwrap().is_empty());
    assert_eq!(env.count(), 4);
}

// ------------------------------------------------------------ item 16

#[test]
fn verification_is_one_audited_transaction_with_one_clock_reading() {
    let mut env = browse_env();
    env.store
        .import_p2(&meeting_example(), ImportOptions::default(), &NoProgress)
        .unwrap();
    let everything = EacFilter::default();
    let dry = env
        .store
        .mark_verified(&everything, None, "alice", true, &NoProgress)
        .unwrap();
    assert_eq!((dry.verified, dry.dry_run), (8, true));
    assert!(env.store.audit_log(None).unwrap().is_empty());

    // Cancelled half-way: nothing is marked, nothing audited.
    let e = env
        .store
        .mark_verified(&everything, None, "alice", false, &CancelAfter::new(3))
        .unwrap_err();
    assert!(matches!(e, StoreError::Cancelled));
    assert!(env.store.audit_log(None).unwrap().is_empty());

    let report: VerifyReport = env
        .store
        .mark_verified(
            &everything,
            Some(&why("called the registry")),
            "alice",
            false,
            &NoProgress,
        )
        .unwrap();
    assert_eq!(report.verified, 8);
    let log = env.store.audit_log(None).unwrap();
    assert_eq!(log.len(), 8);
    for r in &log {
        assert_eq!(r.action, "verify");
        assert_eq!(r.os_user, "alice");
        assert_eq!(r.reason, "called the registry");
        assert_eq!(r.at, report.at, "one clock reading for all");
        let synced = r.changes.iter().find(|c| c.field == "cds_synced").unwrap();
        assert_eq!(synced.after.as_deref(), Some(report.at.as_str()));
        assert_eq!(r.before, r.after);
    }
    assert_eq!(
        env.store.detail("a").unwrap().cds_synced,
        Some(report.at.clone())
    );
    let envelopes = env.store.envelope_only(0, 0).unwrap();
    assert!(envelopes.iter().all(|e| e.cds_synced == report.at));

    // One EAC by id, with the default reason; an unknown id is not found.
    let one = env.store.mark_verified_id("b", None, "bob").unwrap();
    assert_eq!(one.verified, 1);
    let last = &env.store.audit_log(Some("b")).unwrap()[0];
    assert_eq!(
        (last.action.as_str(), last.os_user.as_str()),
        ("verify", "bob")
    );
    assert_eq!(last.reason, "checked against its source");
    let e = env.store.mark_verified_id("zz", None, "bob").unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)));
}

// ------------------------------------------------------------ item 17: delete

#[test]
fn deleting_by_id_is_audited_all_or_nothing_and_keeps_the_whole_eac() {
    let mut env = browse_env();
    let a = env.store.eac("a").unwrap();
    // An unknown id refuses the whole deletion.
    match env
        .store
        .delete_eacs(
            &by_ids(&["a", "nope", "nada"]),
            &why("typo"),
            "alice",
            false,
            &NoProgress,
        )
        .unwrap_err()
    {
        StoreError::UnknownIds(ids) => assert_eq!(ids, ["nada", "nope"]),
        other => panic!("{other:?}"),
    }
    assert_eq!(env.count(), 4);

    let dry = env
        .store
        .delete_eacs(
            &by_ids(&["a", "b"]),
            &why("wrong file"),
            "alice",
            true,
            &NoProgress,
        )
        .unwrap();
    assert_eq!(
        (dry.deleted, dry.dry_run, dry.ids.clone()),
        (2, true, vec!["a".to_owned(), "b".to_owned()])
    );
    assert_eq!(env.count(), 4);

    let report = env
        .store
        .delete_eacs(
            &by_ids(&["a", "b", "a"]),
            &why("wrong file"),
            "alice",
            false,
            &NoProgress,
        )
        .unwrap();
    assert_eq!((report.deleted, report.dry_run), (2, false));
    assert_eq!(env.count(), 2);
    assert!(matches!(
        env.store.eac("a").unwrap_err(),
        StoreError::NotFound(_)
    ));
    assert!(
        env.ids(search("ACC-1")).is_empty(),
        "the search index forgot it"
    );
    let info = env.store.info().unwrap();
    assert_eq!(info.eac_count, 2);

    let log = env.store.audit_log(Some("a")).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].action, "delete");
    assert_eq!(log[0].reason, "wrong file");
    assert_eq!(log[0].before, Some(edit_assignment(&a)));
    assert_eq!(log[0].after, None);
}

fn edit_assignment(e: &Eac) -> BeneficiaryAssignment {
    BeneficiaryAssignment {
        beneficiary_type: e.beneficiary_type.unwrap(),
        beneficiaries: e.beneficiaries.clone(),
    }
}

#[test]
fn deleting_by_filter_and_envelope_only_eacs() {
    let mut env = browse_env();
    env.store
        .import_p2(&meeting_example(), ImportOptions::default(), &NoProgress)
        .unwrap();
    let wind = EacFilter {
        technology: Some(TechnologyType::Wind),
        ..Default::default()
    };
    let expected = env.ids(wind.clone());
    assert!(!expected.is_empty());
    let r = env
        .store
        .delete_eacs(
            &DeleteTarget::Filter(wind.clone()),
            &why("no wind"),
            "alice",
            false,
            &NoProgress,
        )
        .unwrap();
    assert_eq!(r.deleted, expected.len());
    assert_eq!(
        r.envelopes_deleted, 0,
        "a filter never takes envelope-only EACs"
    );
    assert!(env.ids(wind).is_empty());

    let r = env
        .store
        .delete_eacs(
            &by_ids(&["99999999-dk1"]),
            &why("not ours"),
            "alice",
            false,
            &NoProgress,
        )
        .unwrap();
    assert_eq!((r.deleted, r.envelopes_deleted), (0, 1));
    assert_eq!(env.store.info().unwrap().envelope_only_count, 3);
    let rec = &env.store.audit_log(Some("99999999-dk1")).unwrap()[0];
    assert_eq!(rec.action, "delete");
    assert_eq!(
        rec.before,
        Some(assign(BeneficiaryType::Customer, &["CUST123"]))
    );

    // Everything: the empty filter takes envelope-only EACs too.
    let left = env.count();
    let r = env
        .store
        .delete_eacs(
            &DeleteTarget::Filter(EacFilter::default()),
            &why("start over"),
            "alice",
            false,
            &NoProgress,
        )
        .unwrap();
    assert_eq!((r.deleted, r.envelopes_deleted), (left, 3));
    let info = env.store.info().unwrap();
    assert_eq!((info.eac_count, info.envelope_only_count), (0, 0));
}

// ------------------------------------------------------------ item 17: undo

/// The whole database as P1 JSON text (for "exactly as before").
fn exported(env: &Env, name: &str) -> String {
    let out = env.file(name);
    env.store.export_p1(None, &out, &NoProgress).unwrap();
    fs::read_to_string(out).unwrap()
}

#[test]
fn undoing_an_import_removes_what_it_added_and_restores_what_it_replaced() {
    let mut env = Env::new();
    let mut exact = eac("e-2");
    exact.values = vec![value(EnergyUnit::MWh, "30.000000000000000000001")];
    let first = env.listing("first.json", &[eac("e-1"), exact]);
    env.import(&first).unwrap();
    let before = exported(&env, "before.json");

    let mut e2 = newer("e-2");
    e2.cds_modified = ts("2024-04-01T00:00:00Z");
    let second = env.listing("second.json", &[newer("e-1"), e2, eac("e-3")]);
    env.import(&second).unwrap();
    let batches = env.store.import_batches().unwrap();
    assert_eq!(batches.len(), 2);
    let batch = &batches[0];
    assert_eq!((batch.added, batch.replaced, batch.undoable), (1, 2, true));
    assert_eq!(batch.file_name, second.display().to_string());

    let dry = env
        .store
        .undo_import(batch.id, &why("wrong month"), "alice", true, &NoProgress)
        .unwrap();
    assert_eq!((dry.removed, dry.restored, dry.dry_run), (1, 2, true));
    assert_eq!(env.count(), 3);

    let report = env
        .store
        .undo_import(batch.id, &why("wrong month"), "alice", false, &NoProgress)
        .unwrap();
    assert_eq!(
        (report.removed, report.restored, report.dry_run),
        (1, 2, false)
    );
    assert_eq!(
        exported(&env, "after.json"),
        before,
        "exactly the earlier versions"
    );
    assert_eq!(env.ids(search("CUST123")), ["e-1", "e-2"]);
    let undone = &env.store.import_batches().unwrap()[0];
    assert!(undone.undone_at.is_some());
    assert!(!undone.undoable);
    let log = env.store.audit_log(Some("e-1")).unwrap();
    assert_eq!(log[0].action, "undo_import");
    assert_eq!(log[0].reason, "wrong month");
    assert_eq!(log[0].import_batch_id, Some(batch.id));
    assert_eq!(
        log[0].after,
        Some(assign(BeneficiaryType::Customer, &["CUST123"]))
    );
    assert_eq!(env.store.audit_log(Some("e-3")).unwrap()[0].after, None);

    // Twice is refused; an unknown batch is not found.
    let e = env
        .store
        .undo_import(batch.id, &why("again"), "alice", false, &NoProgress)
        .unwrap_err();
    assert!(e.to_string().contains("already undone"), "{e}");
    assert!(matches!(
        env.store
            .undo_import(99, &why("x"), "alice", false, &NoProgress)
            .unwrap_err(),
        StoreError::NoBatch(99)
    ));

    // The first import can be undone too: the database is empty again.
    let first_batch = env.store.import_batches().unwrap()[1].id;
    let r = env
        .store
        .undo_import(first_batch, &why("start over"), "alice", false, &NoProgress)
        .unwrap();
    assert_eq!((r.removed, r.restored), (2, 0));
    assert_eq!(env.count(), 0);
}

#[test]
fn an_undo_is_refused_naming_eacs_changed_after_the_import() {
    let mut env = Env::new();
    let first = env.listing("first.json", &[eac("e-1"), eac("e-2")]);
    env.import(&first).unwrap();
    let second = env.listing("second.json", &[newer("e-1"), newer("e-2")]);
    env.import(&second).unwrap();
    let batch = env.store.import_batches().unwrap()[0].id;
    env.store
        .set_beneficiaries(
            "e-2",
            &assign(BeneficiaryType::General, &[]),
            &why("edit"),
            "bob",
        )
        .unwrap();
    // Marking verified is not a change of the data: it does not block.
    env.store
        .mark_verified(&EacFilter::default(), None, "bob", false, &NoProgress)
        .unwrap();
    let file_before = env.fingerprint();
    for dry_run in [true, false] {
        match env
            .store
            .undo_import(batch, &why("oops"), "alice", dry_run, &NoProgress)
            .unwrap_err()
        {
            StoreError::Conflict { message, ids } => {
                assert_eq!(ids, ["e-2"]);
                assert!(message.contains("`e-2`"), "{message}");
                assert!(message.contains("Nothing was changed"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(env.fingerprint(), file_before);
    assert_eq!(env.store.eac("e-1").unwrap(), newer("e-1"));
}

#[test]
fn undoing_a_later_import_first_lets_the_earlier_one_be_undone() {
    let mut env = Env::new();
    env.import(&env.listing("a.json", &[eac("e-1")])).unwrap();
    env.import(&env.listing("b.json", &[newer("e-1")])).unwrap();
    let batches = env.store.import_batches().unwrap();
    let (b, a) = (batches[0].id, batches[1].id);
    assert!(matches!(
        env.store
            .undo_import(a, &why("x"), "alice", false, &NoProgress)
            .unwrap_err(),
        StoreError::Conflict { .. }
    ));
    env.store
        .undo_import(b, &why("x"), "alice", false, &NoProgress)
        .unwrap();
    assert_eq!(env.store.eac("e-1").unwrap(), eac("e-1"));
    env.store
        .undo_import(a, &why("x"), "alice", false, &NoProgress)
        .unwrap();
    assert_eq!(env.count(), 0);
}

#[test]
fn undoing_a_p2_import_removes_its_envelopes_and_gives_back_replaced_ones() {
    let mut env = Env::new();
    env.store
        .import_p2(&meeting_example(), ImportOptions::default(), &NoProgress)
        .unwrap();
    let before = env.store.envelope_only(0, 0).unwrap();
    // A newer version of one envelope.
    let text = fs::read_to_string(meeting_example())
        .unwrap()
        .replacen(
            "\"cds_modified\": \"2024-01-01T00:00:00Z\"",
            "\"cds_modified\": \"2024-05-01T00:00:00Z\"",
            1,
        )
        .replacen("\"CUST123\"", "\"CUST999\"", 1);
    let newer_file = env.file("newer-p2.json");
    fs::write(&newer_file, text).unwrap();
    let r = env
        .store
        .import_p2(&newer_file, ImportOptions::default(), &NoProgress)
        .unwrap();
    assert_eq!(r.replaced, 1);
    let rec = &env.store.audit_log(Some("99999999-dk1")).unwrap()[0];
    assert_eq!(rec.action, "import_replace");
    assert_eq!(
        rec.before,
        Some(assign(BeneficiaryType::Customer, &["CUST123"]))
    );

    let batches = env.store.import_batches().unwrap();
    let r = env
        .store
        .undo_import(
            batches[0].id,
            &why("older list"),
            "alice",
            false,
            &NoProgress,
        )
        .unwrap();
    assert_eq!((r.removed, r.restored), (0, 1));
    let restored = env.store.envelope_only(0, 0).unwrap();
    assert_eq!(
        restored
            .iter()
            .map(|e| (&e.cds_eac_id, &e.beneficiaries, &e.cds_modified))
            .collect::<Vec<_>>(),
        before
            .iter()
            .map(|e| (&e.cds_eac_id, &e.beneficiaries, &e.cds_modified))
            .collect::<Vec<_>>()
    );
    let r = env
        .store
        .undo_import(batches[1].id, &why("not ours"), "alice", false, &NoProgress)
        .unwrap();
    assert_eq!((r.removed, r.restored), (4, 0));
    assert_eq!(env.store.info().unwrap().envelope_only_count, 0);
}

/// Tester 37, finding 5: undoing an import whose EACs were all deleted
/// since marked it undone (never to be undone again) and recorded nothing,
/// so its reason and who asked were lost. With nothing stored to change,
/// it is refused saying why, the dry run too, and the batch stays as it
/// was; so is an import that changed no EAC (every one skipped).
#[test]
fn an_undo_that_would_change_nothing_is_refused_and_the_batch_left_as_it_is() {
    let mut env = Env::new();
    env.import(&env.listing("two.json", &[eac("e-1"), eac("e-2")]))
        .unwrap();
    env.store
        .delete_eacs(
            &DeleteTarget::Filter(EacFilter::default()),
            &why("gone"),
            "bob",
            false,
            &NoProgress,
        )
        .unwrap();
    let batch = env.store.import_batches().unwrap()[0].id;
    let before = env.fingerprint();
    for dry_run in [true, false] {
        let e = env
            .store
            .undo_import(batch, &why("tidy"), "alice", dry_run, &NoProgress)
            .unwrap_err();
        let said = e.to_string();
        assert!(said.starts_with(&format!("Import {batch} (")), "{said}");
        assert!(
            said.contains(
                "two.json) cannot be undone: every EAC it added (2) has been deleted since, so \
                 there is nothing to undo"
            ),
            "{said}"
        );
        assert!(said.ends_with("Nothing was changed."), "{said}");
    }
    assert_eq!(env.fingerprint(), before);
    let listed = &env.store.import_batches().unwrap()[0];
    assert!(listed.undone_at.is_none(), "{listed:?}");
    let log = env.store.audit_log(None).unwrap();
    assert!(log.iter().all(|r| r.action == "delete"), "{log:#?}");

    // An import that only found what was stored: nothing to undo either.
    let file = env.listing("three.json", &[eac("e-3")]);
    env.import(&file).unwrap();
    env.import(&file).unwrap();
    let batch = env.store.import_batches().unwrap()[0].id;
    let e = env
        .store
        .undo_import(batch, &why("tidy"), "alice", false, &NoProgress)
        .unwrap_err();
    assert!(
        e.to_string().contains(
            "cannot be undone: it added no EAC and replaced none, and no stored EAC names its \
             document as a source now, so there is nothing to undo."
        ),
        "{e}"
    );
    assert!(env.store.import_batches().unwrap()[0].undone_at.is_none());
}

/// Tester 37, finding 4: an EAC deleted with a reason came back with the
/// next import of a file holding it, silently, its history still ending
/// at "deleted". The import warns, naming it, and records the re-addition
/// (`import_readd`, the reason naming the deletion) in its transaction;
/// a fresh load into a database emptied by deletions does the same, and
/// envelope-only EACs too.
#[test]
fn an_eac_deleted_before_and_imported_again_is_warned_of_and_recorded() {
    let mut env = Env::new();
    let file = env.listing("two.json", &[eac("e-1"), eac("e-2")]);
    env.import(&file).unwrap();
    env.store
        .delete_eacs(
            &by_ids(&["e-1"]),
            &why("duplicate of a registry statement"),
            "bob",
            false,
            &NoProgress,
        )
        .unwrap();
    let r = env.import(&file).unwrap();
    assert_eq!((r.added, r.skipped, r.readded), (1, 1, 1), "{r:#?}");
    let said = &r.warnings[0].message;
    assert!(
        said.starts_with(
            "1 EAC deleted from this database before (or removed by undoing the import that \
             added it) is stored again by this file: `e-1`."
        ),
        "{said}"
    );
    let log = env.store.audit_log(Some("e-1")).unwrap();
    assert_eq!(log.len(), 2, "{log:#?}");
    let record = &log[0];
    assert_eq!(record.action, AuditAction::ImportReadd);
    assert_eq!((record.before.clone(), record.removed), (None, false));
    assert_eq!(
        record.after,
        Some(assign(BeneficiaryType::Customer, &["CUST123"]))
    );
    assert!(
        record
            .reason
            .starts_with("stored again by this import after its deletion (audit record ")
            && record
                .reason
                .ends_with("by bob: \"duplicate of a registry statement\")"),
        "{}",
        record.reason
    );
    let batch = env.store.import_batches().unwrap()[0].id;
    assert_eq!(record.import_batch_id, Some(batch));
    assert!(env.store.verify_audit_chain().unwrap().broken.is_none());
    // The same file again: nothing deleted is added, nothing said.
    let r = env.import(&file).unwrap();
    assert_eq!((r.readded, r.warnings.len()), (0, 0), "{r:#?}");
    // Undoing the import that stored it again takes it out again.
    let undone = env
        .store
        .undo_import(batch, &why("keep it deleted"), "bob", false, &NoProgress)
        .unwrap();
    assert_eq!(undone.removed, 1);
    assert!(env.store.audit_log(Some("e-1")).unwrap()[0].removed);

    // Everything deleted, then a fresh load of the file: both recorded.
    env.store
        .delete_eacs(
            &DeleteTarget::Filter(EacFilter::default()),
            &why("start over"),
            "bob",
            false,
            &NoProgress,
        )
        .unwrap();
    assert_eq!(env.count(), 0);
    let r = env.import(&file).unwrap();
    assert_eq!((r.added, r.readded), (2, 2), "{r:#?}");
    for id in ["e-1", "e-2"] {
        let log = env.store.audit_log(Some(id)).unwrap();
        assert_eq!(log[0].action, AuditAction::ImportReadd, "{log:#?}");
    }

    // An envelope-only EAC deleted and listed again.
    let example = meeting_example();
    env.store
        .import_p2(&example, ImportOptions::default(), &NoProgress)
        .unwrap();
    let listing: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&example).unwrap()).unwrap();
    let id = listing["eacs"][0]["cds_eac_id"]
        .as_str()
        .unwrap()
        .to_owned();
    env.store
        .delete_eacs(&by_ids(&[&id]), &why("not ours"), "bob", false, &NoProgress)
        .unwrap();
    let r = env
        .store
        .import_p2(&example, ImportOptions::default(), &NoProgress)
        .unwrap();
    assert_eq!((r.added, r.readded), (1, 1), "{r:#?}");
    let log = env.store.audit_log(Some(&id)).unwrap();
    assert_eq!(log[0].action, AuditAction::ImportReadd, "{log:#?}");
}

#[test]
fn imports_made_before_schema_6_cannot_be_undone_and_say_so() {
    let mut env = Env::new();
    env.import(&env.listing("old.json", &[eac("e-1")])).unwrap();
    // What an import of an earlier version left: no record of its changes.
    env.raw("UPDATE import_batches SET last_audit_id = NULL")
        .unwrap();
    let batch = &env.store.import_batches().unwrap()[0];
    assert!(!batch.undoable);
    let e = env
        .store
        .undo_import(batch.id, &why("x"), "alice", false, &NoProgress)
        .unwrap_err();
    assert!(e.to_string().contains("earlier version"), "{e}");
    assert_eq!(env.count(), 1);
}

// ------------------------------------------------------------ messages

#[test]
fn a_damaged_audit_record_is_marked_and_the_others_still_show() {
    let mut env = browse_env();
    for (id, reason) in [("a", "one"), ("b", "two"), ("c", "three")] {
        env.store
            .set_beneficiaries(
                id,
                &assign(BeneficiaryType::General, &[]),
                &why(reason),
                "alice",
            )
            .unwrap();
    }
    // Another tool damages the middle record (triggers out of the way).
    let guard_off = if env.server.is_some() {
        "ALTER TABLE audit_log DISABLE TRIGGER USER;"
    } else {
        "DROP TRIGGER audit_log_no_update;"
    };
    env.raw_batch(&format!(
        "{guard_off}
         UPDATE audit_log SET \"before\" = '{{\"beneficiary_type\": 7}}', at = 'yesterday' WHERE reason = 'two';"
    ))
    .unwrap();
    let log = env.store.audit_log(None).unwrap();
    assert_eq!(log.len(), 3);
    assert_eq!(log.iter().filter(|r| r.problem.is_none()).count(), 2);
    let bad = log.iter().find(|r| r.reason == "two").unwrap();
    let problem = bad.problem.as_deref().unwrap();
    assert!(problem.contains("before"), "{problem}");
    assert!(problem.contains("yesterday"), "{problem}");
    assert_eq!(bad.cds_eac_id, "b");
    assert_eq!(bad.after, Some(assign(BeneficiaryType::General, &[])));
}

#[test]
fn a_negative_schema_version_is_shown_as_it_is() {
    file_only!("a file's schema version");
    let env = Env::new();
    let db = env.db();
    drop(env.store);
    rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_update(None, "user_version", -1)
        .unwrap();
    let before = sha256_of(&db);
    match Store::open(&db).unwrap_err() {
        e @ StoreError::ForeignSchema { found: -1, .. } => {
            let text = e.to_string();
            assert!(text.contains("schema version -1"), "{text}");
            assert!(!text.contains("18446744073709551615"), "{text}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(sha256_of(&db), before);
}

// ------------------------------------------------------------ issue 10

/// Every progress report of an export, as (done, total).
#[derive(Default)]
struct Recorded(std::sync::Mutex<Vec<(u64, Option<u64>)>>);

impl Progress for Recorded {
    fn update(&self, _: eac_store::Phase, done: u64, total: Option<u64>) {
        self.0.lock().unwrap().push((done, total));
    }
    fn is_cancelled(&self) -> bool {
        false
    }
}

/// An export counts the stored EACs it has gone through out of their
/// total; the envelope-only EACs a P2 bundle adds are not in that total
/// and never take it past 100 %.
#[test]
fn p2_export_progress_never_passes_its_total() {
    let mut env = browse_env();
    env.store
        .import_p2(&meeting_example(), ImportOptions::default(), &NoProgress)
        .unwrap();
    let info = env.store.info().unwrap();
    assert!(info.envelope_only_count > 0);
    let progress = Recorded::default();
    env.store
        .export_p2(None, &env.file("bundle"), None, &progress)
        .unwrap();
    let updates = progress.0.lock().unwrap();
    let total = info.eac_count as u64;
    assert_eq!(updates.last(), Some(&(total, Some(total))), "{updates:?}");
    assert!(
        updates.iter().all(|(done, t)| Some(*done) <= *t),
        "{updates:?}"
    );
}

/// An undo reads the EACs of an import a group at a time: over several
/// groups, each EAC is judged on its own — an edit after the import to
/// one EAC of a later group (and to an envelope-only one) names exactly
/// that one; without it every EAC is taken out and the replaced ones put
/// back.
#[test]
fn an_undo_over_many_eacs_names_exactly_the_ones_changed_after_it() {
    let mut env = Env::new();
    let ids: Vec<String> = (0..80).map(|i| format!("m-{i:03}")).collect();
    let first: Vec<Eac> = ids[..40].iter().map(|id| eac(id)).collect();
    env.import(&env.listing("first.json", &first)).unwrap();
    // The second import adds 40 and replaces the first 40.
    let second: Vec<Eac> = ids.iter().map(|id| newer(id)).collect();
    env.import(&env.listing("second.json", &second)).unwrap();
    let batch = env.store.import_batches().unwrap()[0].id;
    env.store
        .set_beneficiaries(
            "m-071",
            &assign(BeneficiaryType::General, &[]),
            &why("edited after"),
            "alice",
        )
        .unwrap();
    match env
        .store
        .undo_import(batch, &why("oops"), "alice", true, &NoProgress)
        .unwrap_err()
    {
        StoreError::Conflict { ids, .. } => assert_eq!(ids, ["m-071"]),
        other => panic!("{other:?}"),
    }
    env.store
        .delete_eacs(
            &by_ids(&["m-071"]),
            &why("gone"),
            "alice",
            false,
            &NoProgress,
        )
        .unwrap();
    let done = env
        .store
        .undo_import(batch, &why("oops"), "alice", false, &NoProgress)
        .unwrap();
    assert_eq!((done.removed, done.restored), (39, 40));
    for id in &ids[..40] {
        assert_eq!(env.store.eac(id).unwrap(), eac(id));
    }
    assert_eq!(env.count(), 40);
}

/// What the import list shows for an import is what the import said: a P2
/// listing's envelope-only EACs are counted in its row (they used to
/// overwrite the counts of the full EACs beside them), and a full EAC that
/// takes the place of an envelope-only one is "replaced" — in the report,
/// in the row, in the audit log and in the undo alike (it was reported as
/// added).
#[test]
fn an_imports_counts_are_the_same_in_its_report_its_row_and_its_undo() {
    let mut env = Env::new();
    let listed = |env: &Env| {
        let b = env.store.import_batches().unwrap().remove(0);
        (b.added, b.replaced, b.skipped)
    };
    let first = env.listing("first.json", &[eac("e-1"), eac("e-2")]);
    let report = env.import(&first).unwrap();
    assert_eq!((report.added, report.replaced, report.skipped), (2, 0, 0));
    assert_eq!(listed(&env), (2, 0, 0));

    // A P2 bundle of full EACs into another database: two added there.
    let bundle = env.file("bundle");
    env.store
        .export_p2(None, &bundle, None, &NoProgress)
        .unwrap();
    let mut other = Env::new();
    let report = other
        .store
        .import_p2(&bundle, ImportOptions::default(), &NoProgress)
        .unwrap();
    assert_eq!((report.added, report.replaced, report.skipped), (2, 0, 0));
    assert_eq!(listed(&other), (2, 0, 0));

    // Envelope-only EACs beside full ones already stored: four added.
    let report = env
        .store
        .import_p2(&meeting_example(), ImportOptions::default(), &NoProgress)
        .unwrap();
    assert_eq!((report.added, report.replaced, report.skipped), (4, 0, 0));
    assert_eq!(listed(&env), (4, 0, 0));

    // Full data for one of them, and one EAC new: one replaced, one added,
    // the dry run saying the same.
    let mut full = eac("99999999-dk1");
    full.cds_modified = ts("2024-06-01T00:00:00Z");
    let later = env.listing("later.json", &[full, eac("e-3")]);
    let dry = env
        .store
        .import_file_dry_run(&later, ImportOptions::default(), &NoProgress)
        .unwrap();
    assert_eq!((dry.added, dry.replaced, dry.skipped), (1, 1, 0));
    let report = env.import(&later).unwrap();
    assert_eq!((report.added, report.replaced, report.skipped), (1, 1, 0));
    assert_eq!(listed(&env), (1, 1, 0));
    let replaced: Vec<_> = env
        .store
        .audit_log(Some("99999999-dk1"))
        .unwrap()
        .into_iter()
        .filter(|r| r.action == eac_store::AuditAction::ImportReplace)
        .collect();
    assert_eq!(replaced.len(), 1);
    // Said as what happened (its full data arrived, not a later version),
    // and an instant written two ways is no change.
    assert_eq!(
        replaced[0].reason,
        "its full data was imported (it was stored envelope-only)"
    );
    for c in &replaced[0].changes {
        if let (Some(b), Some(a)) = (&c.before, &c.after) {
            if let (Ok(b), Ok(a)) = (Timestamp::parse(b), Timestamp::parse(a)) {
                assert_ne!(b, a, "{c:?}");
            }
        }
    }
    assert!(
        !replaced[0]
            .changes
            .iter()
            .any(|c| c.field == "period_start"),
        "{:?}",
        replaced[0].changes
    );
    let batch = env.store.import_batches().unwrap()[0].id;
    let undone = env
        .store
        .undo_import(batch, &why("wrong file"), "alice", false, &NoProgress)
        .unwrap();
    assert_eq!((undone.removed, undone.restored), (1, 1));
}

/// An EAC created after this computer's clock says the import happened (a
/// registry whose clock runs ahead, a record dated ahead) is synced no
/// earlier than it was created: its import and a later verification keep
/// P2's rule 9 (`cds_created` ≤ `cds_synced`), so a P2 export of it can
/// be made at once (it was refused until the clock caught up).
#[test]
fn an_eac_created_ahead_of_this_clock_is_synced_no_earlier_than_created() {
    let mut env = Env::new();
    let ahead = eac_model::Timestamp::now().to_string();
    let ahead = ts(&format!("{}9-12-31T00:00:00Z", &ahead[..3]));
    let mut future = eac("e-ahead");
    future.cds_created = ahead;
    future.cds_modified = ahead;
    let listing = env.listing("ahead.json", &[future, eac("e-now")]);
    env.import(&listing).unwrap();
    let synced = |env: &Env, id: &str| ts(&env.store.detail(id).unwrap().cds_synced.unwrap());
    assert!(synced(&env, "e-ahead") >= ahead);
    assert!(
        synced(&env, "e-now") < ahead,
        "the others keep the import's time"
    );
    let bundle = env.file("bundle");
    env.store
        .export_p2(None, &bundle, None, &NoProgress)
        .unwrap();
    // A verification keeps it too, and its audit record says what it set.
    env.store
        .mark_verified(&EacFilter::default(), None, "alice", false, &NoProgress)
        .unwrap();
    assert!(synced(&env, "e-ahead") >= ahead);
    let record = env.store.audit_log(Some("e-ahead")).unwrap().remove(0);
    let after = record.changes.iter().find(|c| c.field == "cds_synced");
    assert_eq!(
        after.and_then(|c| c.after.clone()).map(|t| ts(&t)),
        Some(synced(&env, "e-ahead")),
        "{record:?}"
    );
    let again = env.file("bundle-again");
    env.store
        .export_p2(None, &again, None, &NoProgress)
        .unwrap();
}

/// Each record of an EAC's history keeps in its state after the EAC as it
/// was stored, `cds_synced` included, so the next record's state before
/// is the same: an import's `import_replace` kept `synced` null (its end
/// sets it after the record is written) while the EAC was stored with the
/// import's time, for a CDS listing, a registry document restating it and
/// a stations report filling its commissioning date alike.
#[test]
fn an_import_replacements_state_after_keeps_the_cds_synced_it_was_stored_with() {
    use eac_store::{FieldValue, RegistryDocument, SettableField, StationInfo};
    let mut env = Env::new();
    let first = env.listing("first.json", &[eac("e-1")]);
    env.import(&first).unwrap();
    let second = env.listing("second.json", &[newer("e-1")]);
    env.import(&second).unwrap();
    let synced_now = |env: &Env| ts(&env.store.detail("e-1").unwrap().cds_synced.unwrap());
    let mut stored = vec![synced_now(&env)];
    let mut restated = newer("e-1");
    restated.source_name = "Registry One (statement)".into();
    let r = env
        .store
        .import_document(super::periods::doc(vec![restated], vec![]), &NoProgress)
        .unwrap();
    assert_eq!(r.replaced, 1);
    stored.push(synced_now(&env));
    // A person's edit between them, then a stations report filling the
    // commissioning date (none is stored).
    env.store
        .set_fields(
            &by_ids(&["e-1"]),
            &[FieldValue {
                field: SettableField::DestinationName,
                value: "Other".into(),
            }],
            &why("fix"),
            "bob",
            false,
            &NoProgress,
        )
        .unwrap();
    let station = StationInfo {
        asset_id: newer("e-1").asset_id,
        name: None,
        capacity: None,
        commissioned: Some(date("2018-09-06")),
        facts: Vec::new(),
    };
    let r = env
        .store
        .import_document(
            RegistryDocument {
                bytes: b"a stations report",
                ..super::periods::doc(vec![], vec![station])
            },
            &NoProgress,
        )
        .unwrap();
    assert_eq!(r.registry.unwrap().commissioned_filled, 1);
    stored.push(synced_now(&env));
    let mut records = Vec::new();
    env.store
        .audit_each_with_states(Some("e-1"), &mut |record, states| {
            records.push((record.id, record.action, states));
            Ok(())
        })
        .unwrap();
    records.sort_by_key(|(id, _, _)| *id);
    let synced = |state: &Option<String>| -> Option<String> {
        let state: serde_json::Value = serde_json::from_str(state.as_deref()?).unwrap();
        state["synced"].as_str().map(str::to_owned)
    };
    let replacements: Vec<Option<String>> = (records.iter())
        .filter(|(_, action, _)| *action == AuditAction::ImportReplace)
        .map(|(_, _, states)| synced(&states.after_state))
        .collect();
    assert_eq!(replacements.len(), stored.len());
    for (after, stored) in replacements.iter().zip(&stored) {
        assert_eq!(after.as_deref().map(ts), Some(*stored));
    }
    // Each record's state before is the state after of the one before it.
    for pair in records.windows(2) {
        assert_eq!(
            synced(&pair[0].2.after_state),
            synced(&pair[1].2.before_state),
            "records {} and {}",
            pair[0].0,
            pair[1].0
        );
    }
}

// ------------------------------------------- the list says what an undo does

/// The list's answer for import `batch` (`import_batches`, worked out for
/// every import together) is the refusal its undo's dry run and the undo
/// itself give, with the same EACs named; returns it (the code). When it
/// can be undone, the undo is done.
fn listed_as_undone(env: &mut Env, batch: i64) -> Option<ErrorCode> {
    let listed = (env.store.import_batches().unwrap().into_iter())
        .find(|b| b.id == batch)
        .unwrap();
    assert_eq!(listed.undoable, listed.undo_refusal.is_none(), "{listed:?}");
    let code = listed.undo_refusal.as_ref().map(|r| r.code);
    let named = |e: &StoreError| match e {
        StoreError::Conflict { ids, .. } | StoreError::Frozen { ids, .. } => ids.clone(),
        _ => Vec::new(),
    };
    for dry_run in [true, false] {
        let undone = env
            .store
            .undo_import(batch, &why("tidy up"), "ana", dry_run, &NoProgress);
        assert_eq!(
            code,
            undone.as_ref().err().map(StoreError::code),
            "dry run {dry_run}: the list said {listed:?}, the undo {undone:?}"
        );
        if let (Some(refusal), Err(e)) = (&listed.undo_refusal, &undone) {
            assert_eq!(refusal.cds_eac_ids, named(e), "{e}");
            assert!(!refusal.reason.is_empty());
            assert!(
                !refusal.reason.contains("Nothing was changed"),
                "{refusal:?}"
            );
        }
    }
    code
}

fn batch_ids(env: &Env) -> Vec<i64> {
    let mut ids: Vec<i64> = (env.store.import_batches().unwrap().iter())
        .map(|b| b.id)
        .collect();
    ids.sort_unstable();
    ids
}

/// Issue: the Imports list ran one undo dry run per import each time it
/// opened, and `eacdesk imports` said "can be undone" of an import whose
/// undo is refused. Now the store works out every import's answer in one
/// pass; for each reason an undo is refused for, the list gives the same
/// answer as the undo (and its dry run), naming the same EACs.
#[test]
fn the_list_of_imports_says_what_undoing_each_would_do() {
    let invalid = Some(ErrorCode::InvalidInput);
    let conflict = Some(ErrorCode::Conflict);

    // Nothing in the way: it can be undone (and is).
    let mut env = Env::new();
    let first = env.listing("first.json", &[eac("e-1"), eac("e-2")]);
    env.import(&first).unwrap();
    let [one] = batch_ids(&env)[..] else { panic!() };
    assert_eq!(listed_as_undone(&mut env, one), None);
    // Undone: already undone.
    assert_eq!(listed_as_undone(&mut env, one), invalid);

    // An EAC it added was edited after it: changed.
    let mut env = Env::new();
    env.import(&env.listing("first.json", &[eac("e-1"), eac("e-2")]))
        .unwrap();
    let elsewhere = assign(BeneficiaryType::Customer, &["CUST999"]);
    env.store
        .set_beneficiaries("e-2", &elsewhere, &why("moved"), "ana")
        .unwrap();
    let [one] = batch_ids(&env)[..] else { panic!() };
    assert_eq!(listed_as_undone(&mut env, one), conflict);
    let listed = env.store.import_batches().unwrap();
    let refusal = listed[0].undo_refusal.as_ref().unwrap();
    assert_eq!(refusal.cds_eac_ids, ["e-2"]);
    assert!(refusal.reason.contains("changed after it"), "{refusal:?}");

    // A later import replaced one: the first is refused until the later
    // one is undone (an undone import's changes no longer count).
    let mut env = Env::new();
    env.import(&env.listing("first.json", &[eac("e-1")]))
        .unwrap();
    env.import(&env.listing("second.json", &[newer("e-1")]))
        .unwrap();
    let [one, two] = batch_ids(&env)[..] else {
        panic!()
    };
    assert_eq!(listed_as_undone(&mut env, one), conflict);
    assert_eq!(listed_as_undone(&mut env, two), None);
    assert_eq!(listed_as_undone(&mut env, one), None);

    // Every EAC it added was deleted since: nothing left to undo.
    let mut env = Env::new();
    env.import(&env.listing("first.json", &[eac("e-1")]))
        .unwrap();
    env.store
        .delete_eacs(&by_ids(&["e-1"]), &why("wrong"), "ana", false, &NoProgress)
        .unwrap();
    let [one] = batch_ids(&env)[..] else { panic!() };
    assert_eq!(listed_as_undone(&mut env, one), invalid);
    let refusal = env.store.import_batches().unwrap()[0].undo_refusal.clone();
    assert!(
        refusal.unwrap().reason.contains("has been deleted since"),
        "nothing to undo, said as such"
    );

    // Made by a version that did not keep what an import replaced.
    let mut env = Env::new();
    env.import(&env.listing("first.json", &[eac("e-1")]))
        .unwrap();
    env.raw("UPDATE import_batches SET last_audit_id = NULL")
        .unwrap();
    let [one] = batch_ids(&env)[..] else { panic!() };
    assert_eq!(listed_as_undone(&mut env, one), invalid);

    // An EAC it added lies in a closed period: frozen, naming the period.
    let mut env = Env::new();
    let mut later = eac("e-2");
    later.period_start = ts("2025-01-01T00:00:00Z");
    later.period_end = ts("2025-02-01T00:00:00Z");
    later.values[0].start = Some(later.period_start);
    later.values[0].end = Some(later.period_end);
    env.import(&env.listing("first.json", &[eac("e-1"), later]))
        .unwrap();
    env.store
        .close_period(date("2024-01-01"), date("2024-12-31"), &why("filed"), "bob")
        .unwrap();
    let [one] = batch_ids(&env)[..] else { panic!() };
    assert_eq!(listed_as_undone(&mut env, one), Some(ErrorCode::Frozen));
    let refusal = env.store.import_batches().unwrap()[0].undo_refusal.clone();
    let refusal = refusal.unwrap();
    assert_eq!(refusal.cds_eac_ids, ["e-1"]);
    assert!(
        refusal
            .reason
            .contains("period 1 (2024-01-01 to 2024-12-31)"),
        "{refusal:?}"
    );
    // A closed period wins over a change after it, as in the undo.
    env.store
        .set_beneficiaries("e-2", &elsewhere, &why("moved"), "ana")
        .unwrap();
    assert_eq!(listed_as_undone(&mut env, one), Some(ErrorCode::Frozen));

    // A recorded claim counts an EAC it added: the undo, and its dry run,
    // are refused naming the claim, and so is the list.
    let mut env = Env::new();
    env.import(&env.listing("first.json", &[eac("e-1"), eac("e-2")]))
        .unwrap();
    env.store
        .create_claim(
            &super::claims::claim("20000000"),
            &why("2024 filing"),
            "ana",
        )
        .unwrap();
    let [one] = batch_ids(&env)[..] else { panic!() };
    assert_eq!(listed_as_undone(&mut env, one), conflict);
    let refusal = env.store.import_batches().unwrap()[0].undo_refusal.clone();
    let refusal = refusal.unwrap();
    assert_eq!(refusal.cds_eac_ids, ["e-1"]);
    assert!(
        refusal.reason.contains("recorded claim #1 (January)"),
        "{refusal:?}"
    );
    // A later version that keeps what the claim counts (a new asset name)
    // can be undone: the version put back holds the same.
    let mut renamed = eac("e-1");
    renamed.cds_modified = ts("2024-03-01T00:00:00Z");
    renamed.asset_id = "AP222222".into();
    env.import(&env.listing("renamed.json", &[renamed]))
        .unwrap();
    let [_, two] = batch_ids(&env)[..] else {
        panic!()
    };
    assert_eq!(listed_as_undone(&mut env, two), None);
}
