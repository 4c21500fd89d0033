//! Issue 12 item 1: the audit log is a hash chain; any record edited,
//! deleted, inserted or moved with another tool breaks it at that record.

use super::*;
use eac_store::{AuditAction, AuditPage, AuditQuery, DeleteTarget};

/// Runs `sql` as another tool would that gets the audit log's guards
/// (SQLite's triggers, the server's) out of its way first.
fn tamper(env: &Env, sql: &str) {
    let guards_off = if env.server.is_some() {
        "ALTER TABLE audit_log DISABLE TRIGGER USER;"
    } else {
        "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;
         DROP TRIGGER IF EXISTS audit_log_no_replace;"
    };
    env.raw_batch(&format!("{guards_off}\n{sql}")).unwrap();
}

/// Three audited edits (records 1, 2, 3).
fn three_records() -> Env {
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
    env
}

fn broken_at(env: &Env) -> Option<(i64, String)> {
    let report = env.store.verify_audit_chain().unwrap();
    report.broken.map(|b| (b.id, b.reason))
}

#[test]
fn an_untouched_log_is_intact_with_its_head() {
    let env = three_records();
    let report = env.store.verify_audit_chain().unwrap();
    assert_eq!(report.records, 3);
    assert!(report.broken.is_none());
    let head = env
        .raw_text("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
        .unwrap();
    assert_eq!(report.head.as_deref(), Some(head.as_str()));
}

#[test]
fn an_edited_record_is_named() {
    let env = three_records();
    tamper(
        &env,
        "UPDATE audit_log SET reason = 'changed' WHERE reason = 'two'",
    );
    let (id, reason) = broken_at(&env).unwrap();
    assert_eq!(id, 2);
    assert!(reason.contains("changed after it was written"), "{reason}");
}

#[test]
fn a_deleted_record_breaks_the_chain_at_the_next() {
    let env = three_records();
    tamper(&env, "DELETE FROM audit_log WHERE id = 2");
    let (id, reason) = broken_at(&env).unwrap();
    assert_eq!(id, 3);
    assert!(
        reason.contains("record 2 is missing: deleted by another program"),
        "{reason}"
    );
}

/// The newest records deleted leave no broken link behind: the file's
/// high mark of ids (SQLite's `sqlite_sequence`) still names them, and
/// once the next change is audited the gap in the ids does.
#[test]
fn deleted_newest_records_are_named_before_and_after_the_next_change() {
    file_only!(
        "a server's audit log refuses deletion to every EAC Desk role; SQLite keeps the high mark"
    );
    let env = three_records();
    tamper(&env, "DELETE FROM audit_log WHERE id >= 2");
    let (id, reason) = broken_at(&env).unwrap();
    assert_eq!(id, 2);
    assert!(
        reason.contains("records 2 to 3 are missing: the newest records were deleted"),
        "{reason}"
    );
    // Every record deleted: still said.
    tamper(&env, "DELETE FROM audit_log");
    let (id, reason) = broken_at(&env).unwrap();
    assert_eq!(id, 1);
    assert!(reason.contains("records 1 to 3 are missing"), "{reason}");
    // The next audited change links to what is left; the gap names the
    // deleted records.
    let mut env2 = three_records();
    tamper(&env2, "DELETE FROM audit_log WHERE id = 3");
    env2.store
        .set_beneficiaries(
            "d",
            &assign(BeneficiaryType::General, &[]),
            &why("four"),
            "alice",
        )
        .unwrap();
    let (id, reason) = broken_at(&env2).unwrap();
    assert_eq!(id, 4);
    assert!(
        reason.contains(
            "record 3 is missing: deleted by another program (record 4 follows record 2)"
        ),
        "{reason}"
    );
}

#[test]
fn an_inserted_record_is_named() {
    let env = three_records();
    tamper(
        &env,
        r#"INSERT INTO audit_log (id, at, os_user, cds_eac_id, action, "before", "after", reason)
           SELECT MAX(id) + 1, '2024-01-01T00:00:00Z', 'mallory', 'a', 'set_beneficiaries',
                  'null', 'null', 'x' FROM audit_log"#,
    );
    let (id, reason) = broken_at(&env).unwrap();
    assert_eq!(id, 4);
    assert!(reason.contains("no chain hash"), "{reason}");
}

#[test]
fn swapped_records_are_detected() {
    let env = three_records();
    // Swap the contents (and hashes) of records 1 and 2.
    tamper(
        &env,
        "UPDATE audit_log SET id = -1 WHERE id = 1;
         UPDATE audit_log SET id = 1 WHERE id = 2;
         UPDATE audit_log SET id = 2 WHERE id = -1;",
    );
    let (id, _) = broken_at(&env).unwrap();
    assert_eq!(id, 1);
}

#[test]
fn a_record_copied_with_its_hash_to_the_end_is_detected() {
    let env = three_records();
    tamper(
        &env,
        r#"INSERT INTO audit_log (id, at, os_user, cds_eac_id, action, "before", "after", reason,
               prev_hash, hash)
           SELECT 4, at, os_user, cds_eac_id, action, "before", "after", reason, prev_hash, hash
             FROM audit_log WHERE id = 3"#,
    );
    assert_eq!(broken_at(&env).unwrap().0, 4);
}

/// Issue 13 item 7: records carry the user's display name beside the OS
/// login; the chain covers it for new records while the records written
/// without one keep verifying.
#[test]
fn display_names_are_recorded_and_covered_by_the_chain() {
    let mut env = three_records();
    env.store.set_audit_name(Some("  Ana López  "));
    let record = env
        .store
        .set_beneficiaries(
            "a",
            &assign(BeneficiaryType::Account, &["ACC-1"]),
            &why("four"),
            "alice",
        )
        .unwrap();
    assert_eq!(record.display_name.as_deref(), Some("Ana López"));
    let log = env.store.audit_log(None).unwrap();
    let names: Vec<(i64, Option<&str>, &str)> = log
        .iter()
        .map(|r| (r.id, r.display_name.as_deref(), r.os_user.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            (4, Some("Ana López"), "alice"),
            (3, None, "alice"),
            (2, None, "alice"),
            (1, None, "alice")
        ]
    );
    // Old records (no name) and new ones verify together.
    let report = env.store.verify_audit_chain().unwrap();
    assert_eq!(report.records, 4);
    assert!(report.broken.is_none(), "{report:?}");

    // Giving an old record a name, or taking a new record's away, breaks
    // the chain there.
    tamper(
        &env,
        "UPDATE audit_log SET display_name = 'Eve' WHERE id = 2",
    );
    let (id, reason) = broken_at(&env).unwrap();
    assert_eq!(id, 2);
    assert!(reason.contains("changed after it was written"), "{reason}");
    tamper(
        &env,
        "UPDATE audit_log SET display_name = NULL WHERE id = 2",
    );
    assert_eq!(broken_at(&env), None);
    tamper(
        &env,
        "UPDATE audit_log SET display_name = NULL WHERE id = 4",
    );
    assert_eq!(broken_at(&env).map(|b| b.0), Some(4));
    tamper(
        &env,
        "UPDATE audit_log SET display_name = 'Ana Lopez' WHERE id = 4",
    );
    assert_eq!(broken_at(&env).map(|b| b.0), Some(4));
}

#[test]
fn a_blank_display_name_is_none() {
    let mut env = browse_env();
    env.store.set_audit_name(Some("   "));
    assert_eq!(env.store.audit_name(), None);
    let r = env
        .store
        .set_beneficiaries(
            "a",
            &assign(BeneficiaryType::General, &[]),
            &why("x"),
            "bob",
        )
        .unwrap();
    assert_eq!(r.display_name, None);
}

/// Issue 13 item 7: the app-wide history is paged from the store and
/// filtered by who, when, action and EAC.
#[test]
fn the_history_pages_and_filters() {
    let mut env = three_records();
    env.store.set_audit_name(Some("Ana López"));
    env.store
        .set_beneficiaries(
            "b",
            &assign(BeneficiaryType::Account, &["ACC-1"]),
            &why("four"),
            "bob_x",
        )
        .unwrap();
    env.store
        .delete_eacs(
            &DeleteTarget::Ids(vec!["c".into()]),
            &why("gone"),
            "bob_x",
            false,
            &NoProgress,
        )
        .unwrap();
    let page = |q: AuditQuery| env.store.audit_page(&q).unwrap();
    let ids = |p: &AuditPage| p.records.iter().map(|r| r.id).collect::<Vec<_>>();

    // Every record, newest first, in pages.
    let all = page(AuditQuery::default());
    assert_eq!((all.total, ids(&all)), (5, vec![5, 4, 3, 2, 1]));
    let second = page(AuditQuery {
        offset: 2,
        limit: 2,
        ..Default::default()
    });
    assert_eq!(
        (second.total, second.offset, ids(&second)),
        (5, 2, vec![3, 2])
    );

    // Who: the OS login or the display name, any case, wildcards literal.
    let by_name = page(AuditQuery {
        who: Some("lóp".into()),
        ..Default::default()
    });
    assert_eq!(ids(&by_name), [5, 4]);
    let by_login = page(AuditQuery {
        who: Some("ALICE".into()),
        ..Default::default()
    });
    assert_eq!(ids(&by_login), [3, 2, 1]);
    let literal = page(AuditQuery {
        who: Some("b_b".into()),
        ..Default::default()
    });
    assert_eq!(literal.total, 0);
    assert_eq!(
        ids(&page(AuditQuery {
            who: Some("b_x".into()),
            ..Default::default()
        })),
        [5, 4]
    );

    // Action.
    let deletes = page(AuditQuery {
        actions: vec![AuditAction::Delete],
        ..Default::default()
    });
    assert_eq!(ids(&deletes), [5]);
    assert_eq!(deletes.records[0].cds_eac_id, "c");

    // EAC: by id, or by a stored EAC's number ("a" is ZZ-9).
    assert_eq!(
        ids(&page(AuditQuery {
            eac: Some("b".into()),
            ..Default::default()
        })),
        [4, 2]
    );
    assert_eq!(
        ids(&page(AuditQuery {
            eac: Some(" ZZ-9 ".into()),
            ..Default::default()
        })),
        [1]
    );

    // When: from (inclusive) and to (exclusive), as instants.
    let at4 = all.records[1].at.clone();
    let from4 = page(AuditQuery {
        from: Some(at4.clone()),
        ..Default::default()
    });
    assert!(ids(&from4).contains(&4) && ids(&from4).contains(&5));
    let before = page(AuditQuery {
        to: Some("2000-01-01T00:00:00Z".into()),
        ..Default::default()
    });
    assert_eq!(before.total, 0);
    let err = env
        .store
        .audit_page(&AuditQuery {
            from: Some("yesterday".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert!(err.to_string().contains("`yesterday`"), "{err}");

    // Filters combine.
    assert_eq!(
        ids(&page(AuditQuery {
            who: Some("alice".into()),
            eac: Some("b".into()),
            ..Default::default()
        })),
        [2]
    );
}

/// Computes every record's `prev_hash` and `hash` again, as a tool that
/// rewrites the history would after changing a record: the chain then
/// verifies on its own.
fn rechain(env: &Env) {
    use eac_store::chain::{canonical_json, link, GENESIS};
    let mut rows = Vec::new();
    env.store
        .each_audit_row(&mut |r| {
            rows.push((r.id, r.values));
            Ok(())
        })
        .unwrap();
    let mut prev = GENESIS.to_owned();
    let mut sql = String::new();
    for (id, values) in rows {
        let hash = link(&prev, &canonical_json(&values));
        sql.push_str(&format!(
            "UPDATE audit_log SET prev_hash = '{prev}', hash = '{hash}' WHERE id = {id};\n"
        ));
        prev = hash;
    }
    tamper(env, &sql);
}

/// Records a pack made now (its head the log's), as `pack` does.
fn record_a_pack(env: &mut Env, path: &str) -> eac_store::PackRecord {
    let chain = env.store.verify_audit_chain().unwrap();
    let version = env.store.data_version().unwrap();
    let pack = eac_store::NewPack {
        created_at: "2026-01-02T03:04:05Z".into(),
        title: None,
        filter: EacFilter::default(),
        manifest_sha256: hex::encode(Sha256::digest(path)),
        audit_head: chain.head,
        audit_records: chain.records,
        eac_count: 3,
        key_fingerprint: "ab12-cd34-ef56-7890-ab12-cd34-ef56-7890".into(),
        path: path.into(),
        file_count: 9,
    };
    env.store
        .record_pack(&pack, "alice", version, || Ok(()))
        .unwrap()
}

/// A history changed and chained again verifies on its own; the heads of
/// the packs made before no longer hold, which names the earliest such
/// pack and its last record (decision 120).
#[test]
fn a_rewritten_history_is_named_by_the_pack_made_before() {
    let mut env = three_records();
    let first = record_a_pack(&mut env, "/filings/a-2025");
    env.store
        .set_beneficiaries(
            "a",
            &assign(BeneficiaryType::General, &[]),
            &why("five"),
            "alice",
        )
        .unwrap();
    let second = record_a_pack(&mut env, "/filings/b-2026");
    assert_eq!((first.audit_records, second.audit_records), (3, 5));
    assert_eq!(broken_at(&env), None, "packs over an untouched log hold");

    // Record 2 said something else once, and the chain is computed again.
    tamper(
        &env,
        "UPDATE audit_log SET reason = 'nothing to see' WHERE id = 2",
    );
    assert_eq!(broken_at(&env).map(|b| b.0), Some(2));
    rechain(&env);
    let report = env.store.verify_audit_chain().unwrap();
    let b = report.broken.expect("the rewrite is found");
    assert_eq!((b.id, b.position), (3, 3), "{b:?}");
    assert_eq!(b.pack.as_ref().map(|p| p.id), Some(first.id));
    let head = first.audit_head.clone().unwrap();
    for words in [
        "evidence pack 1 (made 2026-01-02T03:04:05Z, folder /filings/a-2025) ends at record 3",
        &format!("with the hash {head}, but record 3 now has the hash "),
        "the audit log was changed after that pack was made (record 3 or one before it was changed, removed or inserted, and the chain computed again)",
        "(the head of 1 later pack is gone too)",
    ] {
        assert!(b.reason.contains(words), "{words}: {}", b.reason);
    }
    assert_eq!(report.head, None);

    // Changed after the first pack only: the second pack names it.
    let mut env = three_records();
    record_a_pack(&mut env, "/filings/a-2025");
    env.store
        .set_beneficiaries(
            "b",
            &assign(BeneficiaryType::General, &[]),
            &why("five"),
            "alice",
        )
        .unwrap();
    record_a_pack(&mut env, "/filings/b-2026");
    tamper(
        &env,
        "UPDATE audit_log SET reason = 'nothing to see' WHERE id = 5",
    );
    rechain(&env);
    let b = env.store.verify_audit_chain().unwrap().broken.unwrap();
    assert_eq!(b.id, 5);
    assert_eq!(b.pack.map(|p| p.path).as_deref(), Some("/filings/b-2026"));
    assert!(!b.reason.contains("later pack"), "{}", b.reason);
}
