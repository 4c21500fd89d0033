//! Session 33 (a tester's findings): what another tool does to the audit
//! log's neighbourhood is refused or named. A trigger EAC Desk did not make
//! on `audit_log` (one that swallows inserts with `RAISE(IGNORE)`) cannot
//! make a change look audited: the write is refused whole; `audit verify`
//! names such a trigger. The `closed_periods` table is compared with the
//! chain's `period_close`/`period_reopen` records: a period lifted or
//! narrowed by editing the table is named by the verification (and so
//! refuses a pack) and freezes what its record says all the same. A
//! period ending on the last day there is counts its EACs.

use super::*;
use eac_store::{DeleteTarget, ErrorCode};

/// e-1 and e-2 in January 2024, e-2025 in January 2025.
fn three_eacs() -> Env {
    let mut env = Env::new();
    let mut later = eac("e-2025");
    later.period_start = ts("2025-01-01T00:00:00Z");
    later.period_end = ts("2025-02-01T00:00:00Z");
    for v in &mut later.values {
        v.start = Some(later.period_start);
        v.end = Some(later.period_end);
    }
    let listing = env.listing("first.json", &[eac("e-1"), eac("e-2"), later]);
    env.import(&listing).unwrap();
    env
}

#[test]
fn a_period_ending_on_the_last_day_there_is_counts_the_eacs_it_freezes() {
    let mut env = three_eacs();
    let closed = env
        .store
        .close_period(
            date("2000-01-01"),
            date("9999-12-31"),
            &why("everything filed"),
            "alice",
        )
        .unwrap();
    assert_eq!(closed.eac_count, 3, "{closed:?}");
    assert_eq!(env.store.closed_periods().unwrap()[0].eac_count, 3);
    // And they are frozen, as the count says.
    let e = env
        .store
        .delete_eacs(
            &DeleteTarget::Ids(vec!["e-2025".into()]),
            &why("x"),
            "bob",
            false,
            &NoProgress,
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Frozen, "{e}");
}

/// Another tool's trigger that drops every insert into `audit_log`,
/// silently (SQLite's `RAISE(IGNORE)`, a server function returning NULL).
fn swallow_audit_inserts(env: &Env) {
    let sql = match env.server {
        None => "CREATE TRIGGER zz_swallow BEFORE INSERT ON audit_log BEGIN SELECT RAISE(IGNORE); END",
        Some(_) => {
            "CREATE FUNCTION zz_swallow_fn() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
             CREATE TRIGGER zz_swallow BEFORE INSERT ON audit_log
                 FOR EACH ROW EXECUTE FUNCTION zz_swallow_fn();"
        }
    };
    env.raw_batch(sql).unwrap();
}

fn conflict_message(e: StoreError) -> String {
    assert_eq!(e.code(), ErrorCode::Conflict, "{e:?}");
    e.to_string()
}

#[test]
fn a_trigger_swallowing_audit_records_refuses_every_audited_write_and_fails_verification() {
    let mut env = three_eacs();
    env.store
        .set_beneficiaries(
            "e-1",
            &assign(BeneficiaryType::Account, &["ACC-1"]),
            &why("before the trigger"),
            "alice",
        )
        .unwrap();
    swallow_audit_inserts(&env);
    let before = env.snapshot();

    let e = env
        .store
        .set_beneficiaries(
            "e-2",
            &assign(BeneficiaryType::Account, &["ACC-EVIL"]),
            &why("looks audited"),
            "mallory",
        )
        .unwrap_err();
    let m = conflict_message(e);
    assert!(
        m.contains("a trigger EAC Desk did not make (zz_swallow on audit_log)"),
        "{m}"
    );
    assert!(m.contains("nothing was changed"), "{m}");
    let e = env
        .store
        .delete_eacs(
            &DeleteTarget::Ids(vec!["e-2".into()]),
            &why("kept in the audit log?"),
            "mallory",
            false,
            &NoProgress,
        )
        .unwrap_err();
    assert!(conflict_message(e).contains("zz_swallow on audit_log"));
    let e = env
        .store
        .close_period(date("2024-01-01"), date("2024-12-31"), &why("x"), "mallory")
        .unwrap_err();
    assert!(conflict_message(e).contains("zz_swallow on audit_log"));
    assert_eq!(env.snapshot(), before, "nothing was written");

    // The verification names it (and so a pack is refused).
    let report = env.store.verify_audit_chain().unwrap();
    let broken = report.broken.expect("a foreign trigger fails the check");
    assert_eq!((broken.id, broken.position), (2, 2), "{broken:?}");
    assert!(
        broken
            .reason
            .contains("a trigger EAC Desk did not make (zz_swallow on audit_log)"),
        "{broken:?}"
    );

    // Gone again, everything works and verifies.
    env.raw_batch("DROP TRIGGER zz_swallow ON audit_log")
        .or_else(|_| env.raw_batch("DROP TRIGGER zz_swallow"))
        .unwrap();
    env.store
        .set_beneficiaries(
            "e-2",
            &assign(BeneficiaryType::Account, &["ACC-2"]),
            &why("after"),
            "alice",
        )
        .unwrap();
    let report = env.store.verify_audit_chain().unwrap();
    assert_eq!(report.records, 2);
    assert!(report.broken.is_none(), "{report:?}");
}

#[test]
fn a_trigger_on_the_closed_periods_table_is_named_too() {
    let mut env = three_eacs();
    let sql = match env.server {
        None => "CREATE TRIGGER zz_lift AFTER INSERT ON closed_periods BEGIN
                     UPDATE closed_periods SET date_to = date_from WHERE id = NEW.id; END",
        Some(_) => {
            "CREATE FUNCTION zz_lift_fn() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
             CREATE TRIGGER zz_lift AFTER INSERT ON closed_periods
                 FOR EACH ROW EXECUTE FUNCTION zz_lift_fn();"
        }
    };
    env.raw_batch(sql).unwrap();
    let before = env.snapshot();
    let e = env
        .store
        .close_period(
            date("2024-01-01"),
            date("2024-12-31"),
            &why("filed"),
            "alice",
        )
        .unwrap_err();
    assert!(
        conflict_message(e).contains("(zz_lift on closed_periods)"),
        "refused"
    );
    assert_eq!(env.snapshot(), before);
    let broken = env.store.verify_audit_chain().unwrap().broken.unwrap();
    assert!(
        broken.reason.contains("zz_lift on closed_periods"),
        "{broken:?}"
    );
}

/// Tester's report 34, bug 5: a trigger swallowing the new row of
/// `closed_periods` (or its reopening) made `period close` fail with "no
/// rows" instead of naming it, as every other audited change does.
#[test]
fn a_trigger_swallowing_closed_periods_is_named_by_close_and_reopen() {
    let mut env = three_eacs();
    let open = env
        .store
        .close_period(
            date("2023-01-01"),
            date("2023-12-31"),
            &why("filed"),
            "alice",
        )
        .unwrap();
    let sql = match env.server {
        None => {
            "CREATE TRIGGER zz BEFORE INSERT ON closed_periods BEGIN SELECT RAISE(IGNORE); END;
             CREATE TRIGGER zz_up BEFORE UPDATE ON closed_periods BEGIN SELECT RAISE(IGNORE); END"
        }
        Some(_) => {
            "CREATE FUNCTION zz_fn() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
             CREATE TRIGGER zz BEFORE INSERT ON closed_periods
                 FOR EACH ROW EXECUTE FUNCTION zz_fn();
             CREATE TRIGGER zz_up BEFORE UPDATE ON closed_periods
                 FOR EACH ROW EXECUTE FUNCTION zz_fn();"
        }
    };
    env.raw_batch(sql).unwrap();
    let before = env.snapshot();
    let e = env
        .store
        .close_period(date("2024-01-01"), date("2024-01-31"), &why("x"), "alice")
        .unwrap_err();
    let m = conflict_message(e);
    assert!(
        m.contains(
            "triggers EAC Desk did not make (zz on closed_periods, zz_up on closed_periods)"
        ),
        "{m}"
    );
    assert!(m.contains("nothing was changed"), "{m}");
    assert!(m.contains("DROP TRIGGER \"zz\""), "{m}");
    let e = env
        .store
        .reopen_period(open.id, &why("x"), "alice")
        .unwrap_err();
    assert!(conflict_message(e).contains("zz_up on closed_periods"));
    assert_eq!(env.snapshot(), before, "nothing was written");
}

#[test]
fn a_rule_swallowing_audit_records_on_a_server_is_refused() {
    let mut env = three_eacs();
    if env.server.is_none() {
        eprintln!("on a server only: SQLite has no rules");
        return;
    }
    env.raw_batch("CREATE RULE zz_rule AS ON INSERT TO audit_log DO INSTEAD NOTHING")
        .unwrap();
    let before = env.snapshot();
    let e = env
        .store
        .set_beneficiaries(
            "e-2",
            &assign(BeneficiaryType::Account, &["ACC-EVIL"]),
            &why("looks audited"),
            "mallory",
        )
        .unwrap_err();
    let m = conflict_message(e);
    assert!(
        m.contains("a rule EAC Desk did not make (rule zz_rule on audit_log)"),
        "{m}"
    );
    assert_eq!(env.snapshot(), before);
}

#[test]
fn an_audit_trigger_re_created_under_its_name_with_another_body_is_restored_at_open() {
    file_only!("a file's own triggers are checked by their body");
    let env = three_eacs();
    env.raw_batch(
        "DROP TRIGGER audit_log_no_replace;
         CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log BEGIN SELECT RAISE(IGNORE); END",
    )
    .unwrap();
    // The open store sees it at its next audited write.
    let mut store = env.reopen();
    assert!(
        store
            .warnings()
            .iter()
            .any(|w| w.contains("audit_log_no_replace") && w.contains("re-created")),
        "{:?}",
        store.warnings()
    );
    store
        .set_beneficiaries(
            "e-2",
            &assign(BeneficiaryType::Account, &["ACC-2"]),
            &why("after"),
            "alice",
        )
        .unwrap();
    let report = store.verify_audit_chain().unwrap();
    assert_eq!(report.records, 1);
    assert!(report.broken.is_none(), "{report:?}");
}

/// [`three_eacs`] with 2024 closed by alice (e-1 and e-2 frozen).
fn filed_2024() -> Env {
    let mut env = three_eacs();
    env.store
        .close_period(
            date("2024-01-01"),
            date("2024-12-31"),
            &why("FY24 filed with the regulator"),
            "alice",
        )
        .unwrap();
    env
}

/// The chain's verdict: the record it breaks at and why.
fn broken_at(env: &Env) -> (i64, usize, String) {
    let report = env.store.verify_audit_chain().unwrap();
    let b = report.broken.expect("the verification fails");
    (b.id, b.position, b.reason)
}

/// e-1 (January 2024) is still frozen, the refusal saying the lifting
/// did not count.
fn e1_still_frozen(env: &mut Env) {
    let before = env.snapshot();
    let e = env
        .store
        .set_beneficiaries(
            "e-1",
            &assign(BeneficiaryType::Account, &["ACC-1"]),
            &why("after the period vanished"),
            "mallory",
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Frozen, "{e}");
    let m = e.to_string();
    assert!(
        m.contains("Period 1 (2024-01-01 to 2024-12-31) was closed by alice")
            && m.contains("another program changed the closed periods table"),
        "{m}"
    );
    assert_eq!(env.snapshot(), before);
}

#[test]
fn a_closed_period_deleted_from_its_table_is_named_and_still_freezes() {
    let mut env = filed_2024();
    assert!(env.store.verify_audit_chain().unwrap().broken.is_none());
    env.raw("DELETE FROM closed_periods").unwrap();
    let (id, position, reason) = broken_at(&env);
    assert_eq!((id, position), (1, 1));
    assert!(
        reason.contains("period 1 (2024-01-01 to 2024-12-31), closed by audit record 1, is missing from the closed periods"),
        "{reason}"
    );
    e1_still_frozen(&mut env);
    // e-2025 lies outside: editable as before.
    env.store
        .set_beneficiaries(
            "e-2025",
            &assign(BeneficiaryType::Account, &["ACC-1"]),
            &why("open year"),
            "bob",
        )
        .unwrap();
}

#[test]
fn a_closed_period_marked_reopened_or_narrowed_in_its_table_is_named_and_still_freezes() {
    let mut env = filed_2024();
    env.raw(
        "UPDATE closed_periods SET reopened_at = '2030-01-01T00:00:00.000000000Z', \
         reopened_by = 'mallory', reopen_reason = 'quietly'",
    )
    .unwrap();
    let (id, _, reason) = broken_at(&env);
    assert_eq!(id, 1);
    assert!(
        reason.contains("is stored as reopened at")
            && reason.contains("no audit record reopened it"),
        "{reason}"
    );
    e1_still_frozen(&mut env);

    let mut env = filed_2024();
    env.raw("UPDATE closed_periods SET date_to = '2024-01-15'")
        .unwrap();
    let (id, _, reason) = broken_at(&env);
    assert_eq!(id, 1);
    assert!(
        reason.contains("is stored as 2024-01-01 to 2024-01-15")
            && reason.contains("changed its days"),
        "{reason}"
    );
    e1_still_frozen(&mut env);

    let env = filed_2024();
    env.raw("UPDATE closed_periods SET closed_by = 'someone else'")
        .unwrap();
    let (_, _, reason) = broken_at(&env);
    assert!(reason.contains("changed who closed it"), "{reason}");
}

#[test]
fn a_real_reopen_verifies_and_a_reopen_edited_afterwards_or_a_period_added_outside_does_not() {
    let mut env = filed_2024();
    env.store
        .reopen_period(1, &why("registry correction"), "bob")
        .unwrap();
    env.store
        .set_beneficiaries(
            "e-1",
            &assign(BeneficiaryType::Account, &["ACC-1"]),
            &why("after the reopen"),
            "bob",
        )
        .unwrap();
    let report = env.store.verify_audit_chain().unwrap();
    assert!(report.broken.is_none(), "{report:?}");
    // Closed again: a new period, verified beside the reopened one.
    env.store
        .close_period(
            date("2024-01-01"),
            date("2024-12-31"),
            &why("refiled"),
            "alice",
        )
        .unwrap();
    assert!(env.store.verify_audit_chain().unwrap().broken.is_none());

    env.raw("UPDATE closed_periods SET reopen_reason = 'something else' WHERE id = 1")
        .unwrap();
    let (id, position, reason) = broken_at(&env);
    assert_eq!((id, position), (2, 2), "the reopen record: {reason}");
    assert!(reason.contains("reopened by audit record 2"), "{reason}");

    let env = filed_2024();
    env.raw(
        "INSERT INTO closed_periods (id, date_from, date_to, closed_at, closed_by, reason) \
         VALUES (9, '2025-01-01', '2025-12-31', '2025-01-01T00:00:00.000000000Z', 'x', 'y')",
    )
    .unwrap();
    let (id, position, reason) = broken_at(&env);
    assert_eq!((id, position), (2, 2));
    assert!(
        reason.contains("period 9 (2025-01-01 to 2025-12-31) is in the closed periods but no audit record closed it"),
        "{reason}"
    );
}

/// SQLite's table names ignore case, and its schema keeps the table as the
/// `CREATE TRIGGER` spelled it: `ON AUDIT_Log` is a trigger on the audit
/// log all the same (a review's finding).
#[test]
fn a_trigger_on_the_audit_log_spelled_in_capitals_is_named_too() {
    let mut env = three_eacs();
    if env.server.is_some() {
        return; // server identifiers fold to lower case when unquoted
    }
    env.raw_batch(
        "CREATE TRIGGER zz_shadow AFTER INSERT ON AUDIT_Log
         BEGIN UPDATE eacs SET eac_number = eac_number; END",
    )
    .unwrap();
    let e = env
        .store
        .set_beneficiaries(
            "e-1",
            &assign(BeneficiaryType::Account, &["ACC-1"]),
            &why("looks audited"),
            "mallory",
        )
        .unwrap_err();
    assert!(
        conflict_message(e).contains("zz_shadow on audit_log"),
        "the write is refused naming the trigger"
    );
    let report = env.store.verify_audit_chain().unwrap();
    assert!(report.broken.is_some(), "{report:?}");
}
