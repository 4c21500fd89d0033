//! Issue 12 item 1: the audit log is a hash chain; any record edited,
//! deleted, inserted or moved with another tool breaks it at that record.

use super::*;

fn raw(env: &Env) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    // Another tool gets the triggers out of its way first.
    conn.execute_batch(
        "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;
         DROP TRIGGER audit_log_no_replace;",
    )
    .unwrap();
    conn
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
    let head: String = raw(&env)
        .query_row(
            "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(report.head.as_deref(), Some(head.as_str()));
}

#[test]
fn an_edited_record_is_named() {
    let env = three_records();
    raw(&env)
        .execute(
            "UPDATE audit_log SET reason = 'changed' WHERE reason = 'two'",
            [],
        )
        .unwrap();
    let (id, reason) = broken_at(&env).unwrap();
    assert_eq!(id, 2);
    assert!(reason.contains("changed after it was written"), "{reason}");
}

#[test]
fn a_deleted_record_breaks_the_chain_at_the_next() {
    let env = three_records();
    raw(&env)
        .execute("DELETE FROM audit_log WHERE id = 2", [])
        .unwrap();
    let (id, reason) = broken_at(&env).unwrap();
    assert_eq!(id, 3);
    assert!(reason.contains("deleted, inserted or changed"), "{reason}");
}

#[test]
fn an_inserted_record_is_named() {
    let env = three_records();
    raw(&env)
        .execute(
            r#"INSERT INTO audit_log (at, os_user, cds_eac_id, action, "before", "after", reason)
               VALUES ('2024-01-01T00:00:00Z', 'mallory', 'a', 'set_beneficiaries', 'null', 'null', 'x')"#,
            [],
        )
        .unwrap();
    let (id, reason) = broken_at(&env).unwrap();
    assert_eq!(id, 4);
    assert!(reason.contains("no chain hash"), "{reason}");
}

#[test]
fn swapped_records_are_detected() {
    let env = three_records();
    let conn = raw(&env);
    // Swap the contents (and hashes) of records 1 and 2.
    conn.execute_batch(
        "UPDATE audit_log SET id = -1 WHERE id = 1;
         UPDATE audit_log SET id = 1 WHERE id = 2;
         UPDATE audit_log SET id = 2 WHERE id = -1;",
    )
    .unwrap();
    let (id, _) = broken_at(&env).unwrap();
    assert_eq!(id, 1);
}

#[test]
fn a_record_copied_with_its_hash_to_the_end_is_detected() {
    let env = three_records();
    raw(&env)
        .execute(
            r#"INSERT INTO audit_log (at, os_user, cds_eac_id, action, "before", "after", reason,
                   prev_hash, hash)
               SELECT at, os_user, cds_eac_id, action, "before", "after", reason, prev_hash, hash
                 FROM audit_log WHERE id = 3"#,
            [],
        )
        .unwrap();
    assert_eq!(broken_at(&env).unwrap().0, 4);
}
