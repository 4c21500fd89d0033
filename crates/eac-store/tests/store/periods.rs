//! Issue 12 item 5: closed reporting periods. Closing and reopening are
//! audited in the chain; every write path that would add, change or remove
//! an EAC inside a closed period is refused whole (nothing written, no
//! audit record), naming the EACs, the period and how to reopen it; a
//! reopen lifts it, closing again re-freezes; "inside" is the whole period
//! between the first day's and the day after the last day's midnight UTC.

use super::*;
use eac_store::{
    ClosedPeriod, DeleteTarget, ErrorCode, FieldValue, RegistryDocument, RegistryEac,
    SettableField, StationInfo,
};

fn meeting_example() -> PathBuf {
    fixture("good-p2-meeting-0926.json")
}

fn refused_ids(e: StoreError) -> (Vec<String>, Vec<i64>, String) {
    assert_eq!(e.code(), ErrorCode::Frozen, "{e:?}");
    assert_eq!(e.code().exit_code(), 1);
    match e {
        StoreError::Frozen {
            message,
            ids,
            periods,
        } => (ids, periods, message),
        other => panic!("expected a closed-period refusal, got {other:?}"),
    }
}

fn in_month(id: &str, start: &str, end: &str) -> Eac {
    let mut e = eac(id);
    e.period_start = ts(start);
    e.period_end = ts(end);
    for v in &mut e.values {
        v.start = Some(ts(start));
        v.end = Some(ts(end));
    }
    e
}

/// A registry statement (`stations`: a stations report) of `eacs`, each on
/// its own line.
pub(crate) fn doc<'a>(eacs: Vec<Eac>, stations: Vec<StationInfo>) -> RegistryDocument<'a> {
    RegistryDocument {
        file_name: "statement.csv",
        format: "test",
        format_name: "Test statement",
        mapping: None,
        bytes: b"a registry statement",
        eacs: eacs
            .into_iter()
            .enumerate()
            .map(|(i, eac)| RegistryEac {
                eac,
                locator: format!("line {}", i + 2),
                range_text: format!("{i}"),
                range: None,
                reverses_claim: false,
                claim_members: Vec::new(),
            })
            .collect(),
        stations,
        skipped: Vec::new(),
        warnings: Vec::new(),
        allow_extended_technologies: false,
        splits: Vec::new(),
        split_rows: false,
    }
}

fn station(commissioned: &str) -> StationInfo {
    StationInfo {
        asset_id: "AP111111".into(),
        name: Some("Walney".into()),
        capacity: None,
        commissioned: Some(date(commissioned)),
        facts: Vec::new(),
    }
}

fn ids(list: &[&str]) -> DeleteTarget {
    DeleteTarget::Ids(list.iter().map(|s| s.to_string()).collect())
}

fn set(field: SettableField, value: &str) -> Vec<FieldValue> {
    vec![FieldValue {
        field,
        value: value.into(),
    }]
}

/// e-1 and e-2 in January 2024 (filed), e-2025 in January 2025 (open);
/// 2024 closed by alice.
fn filed_2024() -> (Env, ClosedPeriod) {
    let mut env = Env::new();
    let listing = env.listing(
        "first.json",
        &[
            eac("e-1"),
            eac("e-2"),
            in_month("e-2025", "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z"),
        ],
    );
    env.import(&listing).unwrap();
    let closed = env
        .store
        .close_period(
            date("2024-01-01"),
            date("2024-12-31"),
            &why("2024 report filed with Ofgem"),
            "alice",
        )
        .unwrap();
    (env, closed)
}

#[test]
fn closing_and_reopening_are_listed_with_who_when_and_why_and_chained_in_the_audit_log() {
    let (mut env, closed) = filed_2024();
    assert_eq!(
        (closed.from.as_str(), closed.to.as_str()),
        ("2024-01-01", "2024-12-31")
    );
    assert_eq!(closed.closed_by, "alice");
    assert_eq!(closed.reason, "2024 report filed with Ofgem");
    assert!(closed.is_closed());
    assert_eq!(closed.eac_count, 2, "e-1 and e-2 lie inside 2024");
    assert!(closed.closed_at.ends_with('Z'));
    assert_eq!(env.store.closed_periods().unwrap(), vec![closed.clone()]);

    let log = env.store.audit_log(None).unwrap();
    assert_eq!(log.len(), 1, "{log:#?}");
    let rec = &log[0];
    assert_eq!(rec.action, "period_close");
    assert_eq!(rec.cds_eac_id, "");
    assert_eq!(
        (rec.os_user.as_str(), rec.reason.as_str()),
        ("alice", "2024 report filed with Ofgem")
    );
    assert_eq!(rec.at, closed.closed_at);
    assert!(rec.problem.is_none(), "{rec:#?}");
    assert_eq!(rec.changes.len(), 1);
    assert_eq!(rec.changes[0].field, "closed_period");
    assert_eq!(rec.changes[0].before, None);
    let text = format!("period {}: 2024-01-01 to 2024-12-31", closed.id);
    assert_eq!(rec.changes[0].after.as_deref(), Some(text.as_str()));

    let reopened = env
        .store
        .reopen_period(closed.id, &why("correction from the registry"), "bob")
        .unwrap();
    assert!(!reopened.is_closed());
    assert_eq!(reopened.reopened_by.as_deref(), Some("bob"));
    assert_eq!(
        reopened.reopen_reason.as_deref(),
        Some("correction from the registry")
    );
    // The close stays on record beside the reopen.
    assert_eq!(reopened.closed_by, "alice");
    assert_eq!(reopened.reason, closed.reason);
    assert_eq!(env.store.closed_periods().unwrap(), vec![reopened.clone()]);
    let log = env.store.audit_log(None).unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].action, "period_reopen");
    assert_eq!(
        (log[0].os_user.as_str(), log[0].cds_eac_id.as_str()),
        ("bob", "")
    );
    assert_eq!(log[0].changes[0].before.as_deref(), Some(text.as_str()));
    assert_eq!(log[0].changes[0].after, None);
    assert_eq!(Some(log[0].at.clone()), reopened.reopened_at);

    let chain = env.store.verify_audit_chain().unwrap();
    assert_eq!(chain.records, 2);
    assert!(chain.broken.is_none(), "{chain:?}");

    // Reopening twice, or a period that is not there, is refused.
    let before = env.snapshot();
    let e = env
        .store
        .reopen_period(closed.id, &why("again"), "bob")
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("already reopened by bob"), "{e}");
    let e = env.store.reopen_period(99, &why("x"), "bob").unwrap_err();
    assert!(matches!(e, StoreError::NoPeriod(99)), "{e:?}");
    assert_eq!(e.code(), ErrorCode::NotFound);
    assert_eq!(env.snapshot(), before, "refusals write nothing");
}

#[test]
fn closing_checks_the_days_and_allows_overlaps_but_not_the_same_days_twice() {
    let (mut env, closed) = filed_2024();
    let before = env.snapshot();
    let e = env
        .store
        .close_period(date("2024-12-31"), date("2024-01-01"), &why("x"), "alice")
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(
        e.to_string().contains("ends (2024-01-01) before it begins"),
        "{e}"
    );
    let e = env
        .store
        .close_period(date("2024-01-01"), date("2024-12-31"), &why("x"), "bob")
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    let said = e.to_string();
    assert!(said.contains("already closed"), "{said}");
    assert!(said.contains(&format!("period {}", closed.id)), "{said}");
    assert_eq!(env.snapshot(), before);

    // A quarter inside the closed year, and one day: their own records.
    let q1 = env
        .store
        .close_period(
            date("2024-01-01"),
            date("2024-03-31"),
            &why("Q1 filed"),
            "alice",
        )
        .unwrap();
    let day = env
        .store
        .close_period(
            date("2024-06-30"),
            date("2024-06-30"),
            &why("one day"),
            "alice",
        )
        .unwrap();
    assert_eq!((q1.eac_count, day.eac_count), (2, 0));
    let listed: Vec<i64> = env
        .store
        .closed_periods()
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(
        listed,
        vec![q1.id, closed.id, day.id],
        "by first day, then last day"
    );
    // Reopening the year leaves the quarter in effect.
    env.store
        .reopen_period(closed.id, &why("fix"), "bob")
        .unwrap();
    let frozen = env.store.frozen_by("e-1").unwrap();
    assert_eq!(frozen.iter().map(|p| p.id).collect::<Vec<_>>(), vec![q1.id]);
    let (ids, periods, _) = refused_ids(
        env.store
            .set_beneficiaries(
                "e-1",
                &assign(BeneficiaryType::Account, &["A"]),
                &why("x"),
                "bob",
            )
            .unwrap_err(),
    );
    assert_eq!((ids, periods), (vec!["e-1".to_owned()], vec![q1.id]));
}

#[test]
fn every_write_path_is_refused_inside_a_closed_period_and_writes_nothing() {
    let (mut env, closed) = filed_2024();
    // An envelope-only EAC of January 2024 too (stored before the close).
    env.store
        .reopen_period(closed.id, &why("load the P2 listing"), "alice")
        .unwrap();
    env.store
        .import_p2(&meeting_example(), ImportOptions::default(), &NoProgress)
        .unwrap();
    let closed = env
        .store
        .close_period(
            date("2024-01-01"),
            date("2024-12-31"),
            &why("2024 report filed with Ofgem"),
            "alice",
        )
        .unwrap();
    let first_batch = env
        .store
        .import_batches()
        .unwrap()
        .into_iter()
        .find(|b| b.file_name.ends_with("first.json"))
        .unwrap()
        .id;
    let mut newer = eac("e-1");
    newer.cds_modified = ts("2024-06-01T00:00:00Z");
    newer.source_name = "Registry One (corrected)".into();
    let replacing = env.listing("replacing.json", &[newer.clone()]);
    let adding = env.listing(
        "adding.json",
        &[in_month(
            "e-new",
            "2024-11-01T00:00:00Z",
            "2024-12-01T00:00:00Z",
        )],
    );
    let moving = env.listing(
        "moving.json",
        &[{
            // e-2025 moved into the closed year by a later version.
            let mut e = in_month("e-2025", "2024-12-01T00:00:00Z", "2025-01-01T00:00:00Z");
            e.cds_modified = ts("2025-03-01T00:00:00Z");
            e
        }],
    );
    let account = assign(BeneficiaryType::Account, &["ACC-9"]);
    let reason = why("try it");
    let before = env.snapshot();
    let audit_records = env.store.audit_log(None).unwrap().len();

    // (what, the refusal, the EACs it must name)
    let mut refusals: Vec<(&str, StoreError, Vec<&str>)> = Vec::new();
    let s = &mut env.store;
    let mut push = |what, r: Result<_, StoreError>, named: Vec<&'static str>| {
        refusals.push((
            what,
            r.err().unwrap_or_else(|| panic!("{what} was allowed")),
            named,
        ));
    };
    push(
        "set_beneficiaries",
        s.set_beneficiaries("e-1", &account, &reason, "bob")
            .map(|_| ()),
        vec!["e-1"],
    );
    push(
        "bulk_set_beneficiaries",
        s.bulk_set_beneficiaries(&EacFilter::default(), &account, &reason, "bob", &NoProgress)
            .map(|_| ()),
        vec!["e-1", "e-2"],
    );
    // Its dry run says the same (decision 105).
    push(
        "bulk_set_beneficiaries_dry_run",
        s.bulk_set_beneficiaries_dry_run(&EacFilter::default(), &account, &NoProgress)
            .map(|_| ()),
        vec!["e-1", "e-2"],
    );
    push(
        "set_emissions",
        s.set_emissions("e-2", &dec("0.1"), &dec("0.2"), &reason, "bob")
            .map(|_| ()),
        vec!["e-2"],
    );
    for dry_run in [true, false] {
        push(
            "set_fields one",
            s.set_fields(
                &ids(&["e-1"]),
                &set(SettableField::DestinationName, "Other"),
                &reason,
                "bob",
                dry_run,
                &NoProgress,
            )
            .map(|_| ()),
            vec!["e-1"],
        );
        push(
            "set_fields bulk",
            s.set_fields(
                &DeleteTarget::Filter(EacFilter::default()),
                &set(SettableField::AssetCommissioned, "2018-09-06"),
                &reason,
                "bob",
                dry_run,
                &NoProgress,
            )
            .map(|_| ()),
            vec!["e-1", "e-2"],
        );
        push(
            "delete ids",
            s.delete_eacs(
                &ids(&["e-1", "e-2025"]),
                &reason,
                "bob",
                dry_run,
                &NoProgress,
            )
            .map(|_| ()),
            vec!["e-1"],
        );
        push(
            "delete everything",
            s.delete_eacs(
                &DeleteTarget::Filter(EacFilter::default()),
                &reason,
                "bob",
                dry_run,
                &NoProgress,
            )
            .map(|_| ()),
            vec![
                "99999999-dk1",
                "99999999-dk2",
                "99999999-dk3",
                "99999999-dk4",
                "e-1",
                "e-2",
            ],
        );
        push(
            "undo import",
            s.undo_import(first_batch, &reason, "bob", dry_run, &NoProgress)
                .map(|_| ()),
            vec!["e-1", "e-2"],
        );
    }
    push(
        "delete an envelope-only EAC",
        s.delete_eacs(&ids(&["99999999-dk1"]), &reason, "bob", false, &NoProgress)
            .map(|_| ()),
        vec!["99999999-dk1"],
    );
    push(
        "P1 import replacing",
        s.import_file(&replacing, ImportOptions::default(), &NoProgress)
            .map(|_| ()),
        vec!["e-1"],
    );
    push(
        "P1 import replacing, dry run",
        s.import_file_dry_run(&replacing, ImportOptions::default(), &NoProgress)
            .map(|_| ()),
        vec!["e-1"],
    );
    push(
        "P1 import adding",
        s.import_file(&adding, ImportOptions::default(), &NoProgress)
            .map(|_| ()),
        vec!["e-new"],
    );
    push(
        "P1 import moving an EAC in",
        s.import_file(&moving, ImportOptions::default(), &NoProgress)
            .map(|_| ()),
        vec!["e-2025"],
    );
    push(
        "sample data inside",
        s.import_eacs(
            "sample",
            &mut vec![in_month(
                "e-s",
                "2024-05-01T00:00:00Z",
                "2024-06-01T00:00:00Z",
            )]
            .into_iter(),
            &NoProgress,
        )
        .map(|_| ()),
        vec!["e-s"],
    );
    let mut corrected = eac("e-2");
    corrected.source_name = "Registry One (statement)".into();
    push(
        "registry replacing",
        s.import_document(doc(vec![corrected.clone()], vec![]), &NoProgress)
            .map(|_| ()),
        vec!["e-2"],
    );
    push(
        "registry replacing, dry run",
        s.import_document_dry_run(doc(vec![corrected], vec![]), &NoProgress)
            .map(|_| ()),
        vec!["e-2"],
    );
    push(
        "registry adding",
        s.import_document(
            doc(
                vec![in_month(
                    "e-reg",
                    "2024-03-01T00:00:00Z",
                    "2024-04-01T00:00:00Z",
                )],
                vec![],
            ),
            &NoProgress,
        )
        .map(|_| ()),
        vec!["e-reg"],
    );
    push(
        "stations filling commissioning dates",
        s.import_document(doc(vec![], vec![station("2018-09-06")]), &NoProgress)
            .map(|_| ()),
        vec!["e-1", "e-2"],
    );

    for (what, e, named) in refusals {
        let said = e.to_string();
        let (ids, periods, message) = refused_ids(e);
        assert_eq!(ids, named, "{what}: {message}");
        assert_eq!(periods, vec![closed.id], "{what}");
        for id in &named {
            assert!(message.contains(&format!("`{id}`")), "{what}: {message}");
        }
        for words in [
            "closed reporting period",
            "nothing was changed",
            "(2024-01-01 to 2024-12-31)",
            "closed by alice",
            "“2024 report filed with Ofgem”",
            &format!(
                "reopen it with `eacdesk period reopen {} --reason …`",
                closed.id
            ),
        ] {
            assert!(said.contains(words), "{what}: `{words}` missing in: {said}");
        }
        assert_eq!(env.snapshot(), before, "{what} wrote something");
    }
    assert_eq!(env.store.audit_log(None).unwrap().len(), audit_records);

    // Not data changes, or outside the period: allowed while closed.
    let again = env.listing("again.json", &[eac("e-1"), eac("e-2")]);
    let r = env.import(&again).unwrap();
    assert_eq!(
        (r.added, r.replaced, r.skipped),
        (0, 0, 2),
        "the filed versions again: unchanged"
    );
    env.store
        .mark_verified(&EacFilter::default(), None, "bob", false, &NoProgress)
        .unwrap();
    env.store
        .set_beneficiaries("e-2025", &account, &reason, "bob")
        .unwrap();
    // A bulk edit leaves EACs already so alone: nothing frozen changes.
    let r = env
        .store
        .bulk_set_beneficiaries(
            &search("e-1"),
            &assign(BeneficiaryType::Customer, &["CUST123"]),
            &reason,
            "bob",
            &NoProgress,
        )
        .unwrap();
    assert_eq!(r.changed, 0);
    let chain = env.store.verify_audit_chain().unwrap();
    assert!(chain.broken.is_none(), "{chain:?}");
}

#[test]
fn a_reopened_period_allows_every_write_path_and_closing_again_refreezes() {
    let (mut env, closed) = filed_2024();
    let first_batch = env.store.import_batches().unwrap()[0].id;
    let reopened = env
        .store
        .reopen_period(closed.id, &why("the registry corrected a statement"), "bob")
        .unwrap();
    assert!(env.store.frozen_by("e-1").unwrap().is_empty());
    let account = assign(BeneficiaryType::Account, &["ACC-9"]);
    let reason = why("correction");
    let s = &mut env.store;
    s.set_beneficiaries("e-1", &account, &reason, "bob")
        .unwrap();
    s.bulk_set_beneficiaries(&EacFilter::default(), &account, &reason, "bob", &NoProgress)
        .unwrap();
    s.set_emissions("e-2", &dec("0.1"), &dec("0.2"), &reason, "bob")
        .unwrap();
    s.set_fields(
        &ids(&["e-1"]),
        &set(SettableField::DestinationName, "Other"),
        &reason,
        "bob",
        false,
        &NoProgress,
    )
    .unwrap();
    let mut corrected = eac("e-2");
    corrected.source_name = "Registry One (statement)".into();
    let r = s
        .import_document(
            doc(vec![corrected], vec![station("2018-09-06")]),
            &NoProgress,
        )
        .unwrap();
    assert_eq!(r.registry.unwrap().commissioned_filled, 3);
    assert_eq!(
        s.eac("e-1").unwrap().asset_commissioned,
        Some(date("2018-09-06"))
    );
    s.delete_eacs(&ids(&["e-2"]), &reason, "bob", false, &NoProgress)
        .unwrap();
    let adding = env.listing(
        "adding.json",
        &[in_month(
            "e-new",
            "2024-11-01T00:00:00Z",
            "2024-12-01T00:00:00Z",
        )],
    );
    assert_eq!(env.import(&adding).unwrap().added, 1);
    let newest = env.store.import_batches().unwrap()[0].id;
    assert_ne!(newest, first_batch);
    env.store
        .undo_import(newest, &reason, "bob", false, &NoProgress)
        .unwrap();
    assert_eq!(env.ids(EacFilter::default()), vec!["e-1", "e-2025"]);

    // Closed again: frozen again, by the new period.
    let again = env
        .store
        .close_period(
            date("2024-01-01"),
            date("2024-12-31"),
            &why("refiled"),
            "alice",
        )
        .unwrap();
    assert_ne!(again.id, reopened.id);
    assert_eq!(env.store.frozen_by("e-1").unwrap(), vec![again.clone()]);
    let (ids_named, periods, message) = refused_ids(
        env.store
            .set_emissions("e-1", &dec("1"), &dec("1"), &reason, "bob")
            .unwrap_err(),
    );
    assert_eq!(
        (ids_named, periods),
        (vec!["e-1".to_owned()], vec![again.id])
    );
    assert!(message.contains("“refiled”"), "{message}");

    // Every step is on record, in one intact chain.
    let log = env.store.audit_log(None).unwrap();
    let actions: Vec<&str> = log.iter().rev().map(|r| r.action.as_str()).collect();
    assert_eq!(actions.first(), Some(&"period_close"));
    assert_eq!(actions.get(1), Some(&"period_reopen"));
    assert_eq!(actions.last(), Some(&"period_close"));
    let chain = env.store.verify_audit_chain().unwrap();
    assert_eq!(chain.records, log.len());
    assert!(chain.broken.is_none(), "{chain:?}");
}

#[test]
fn only_eacs_lying_wholly_inside_are_frozen_and_adjacent_periods_cover_together() {
    let mut env = Env::new();
    env.import_eacs(vec![
        // Ends at the first instant after the period: inside.
        in_month("last-month", "2024-12-01T00:00:00Z", "2025-01-01T00:00:00Z"),
        // Straddles the end by a fortnight: not inside.
        in_month("straddling", "2024-12-15T00:00:00Z", "2025-01-15T00:00:00Z"),
        // Begins at local midnight in +01:00, an hour before the period.
        in_month(
            "local-start",
            "2024-01-01T00:00:00+01:00",
            "2024-02-01T00:00:00Z",
        ),
        // Across the middle of the year.
        in_month("mid-year", "2024-06-15T00:00:00Z", "2024-07-15T00:00:00Z"),
    ]);
    let h1 = env
        .store
        .close_period(
            date("2024-01-01"),
            date("2024-06-30"),
            &why("H1 filed"),
            "alice",
        )
        .unwrap();
    let frozen = |env: &Env, id: &str| !env.store.frozen_by(id).unwrap().is_empty();
    assert!(!frozen(&env, "mid-year"), "half of it lies after H1");
    let h2 = env
        .store
        .close_period(
            date("2024-07-01"),
            date("2024-12-31"),
            &why("H2 filed"),
            "alice",
        )
        .unwrap();
    assert!(frozen(&env, "last-month"));
    assert!(!frozen(&env, "straddling"));
    assert!(!frozen(&env, "local-start"));
    let by: Vec<i64> = env
        .store
        .frozen_by("mid-year")
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(by, vec![h1.id, h2.id], "H1 and H2 together cover it");

    let reason = why("edit");
    let account = assign(BeneficiaryType::Account, &["ACC-1"]);
    for id in ["straddling", "local-start"] {
        env.store
            .set_beneficiaries(id, &account, &reason, "bob")
            .unwrap();
    }
    let (named, periods, message) = refused_ids(
        env.store
            .bulk_set_beneficiaries(&EacFilter::default(), &account, &reason, "bob", &NoProgress)
            .unwrap_err(),
    );
    assert_eq!(named, vec!["last-month", "mid-year"]);
    assert_eq!(
        periods,
        vec![h2.id, h1.id],
        "in the order the EACs name them"
    );
    assert!(
        message.contains("Period 1 (2024-01-01 to 2024-06-30)"),
        "{message}"
    );
    assert!(
        message.contains("Period 2 (2024-07-01 to 2024-12-31)"),
        "{message}"
    );
    // Reopening one half opens what only both together covered.
    env.store.reopen_period(h1.id, &why("fix"), "bob").unwrap();
    env.store
        .set_beneficiaries("mid-year", &account, &reason, "bob")
        .unwrap();
    assert!(frozen(&env, "last-month"));
    assert_eq!(
        env.store.frozen_by("nope").unwrap_err().code(),
        ErrorCode::NotFound
    );
}

/// Tester's report 34, bug 4: the dry run of one EAC's change (`beneficiaries
/// set ID --dry-run`, `verify ID --dry-run`) writes nothing and says what the
/// change would: whether it changes the EAC, or the same refusal (a closed
/// period, an unknown id, a version seen before a change).
#[test]
fn a_dry_run_of_one_eac_writes_nothing_and_refuses_as_the_change_would() {
    let mut env = Env::new();
    let listing = env.listing(
        "two.json",
        &[
            in_month("jan", "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"),
            in_month("mar", "2024-03-01T00:00:00Z", "2024-04-01T00:00:00Z"),
        ],
    );
    env.import(&listing).unwrap();
    let program = assign(BeneficiaryType::Program, &["P-1"]);
    let before = env.snapshot();
    let plan = env
        .store
        .set_beneficiaries_dry_run("mar", None, &program)
        .unwrap();
    assert_eq!((plan.matching, plan.changed), (1, 1));
    let version = env.store.detail("mar").unwrap().version;
    let plan = env
        .store
        .set_beneficiaries_dry_run("mar", Some(version), &program)
        .unwrap();
    assert_eq!(plan.changed, 1);
    let e = env
        .store
        .set_beneficiaries_dry_run("mar", Some(version - 1), &program)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict, "{e:?}");
    let e = env
        .store
        .set_beneficiaries_dry_run("nope", None, &program)
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)), "{e:?}");
    let one = env.store.mark_verified_id_dry_run("mar").unwrap();
    assert!(one.dry_run);
    assert_eq!(one.verified, 1);
    let e = env.store.mark_verified_id_dry_run("nope").unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)), "{e:?}");
    assert_eq!(env.snapshot(), before, "nothing was written");

    // Given its assignment already: no change, and still nothing written.
    let current = env.store.eac("mar").unwrap();
    let same = BeneficiaryAssignment {
        beneficiary_type: current.beneficiary_type.unwrap(),
        beneficiaries: current.beneficiaries.clone(),
    };
    let plan = env
        .store
        .set_beneficiaries_dry_run("mar", None, &same)
        .unwrap();
    assert_eq!((plan.matching, plan.changed), (1, 0));

    // January closed: refused as the change itself is.
    env.store
        .close_period(
            date("2024-01-01"),
            date("2024-01-31"),
            &why("filed"),
            "alice",
        )
        .unwrap();
    let before = env.snapshot();
    let dry = env
        .store
        .set_beneficiaries_dry_run("jan", None, &program)
        .unwrap_err();
    let real = env
        .store
        .set_beneficiaries("jan", &program, &why("x"), "alice")
        .unwrap_err();
    assert_eq!(refused_ids(dry), refused_ids(real));
    assert_eq!(env.snapshot(), before);
}
