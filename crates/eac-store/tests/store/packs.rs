//! Issue 12 items 2 and 4 (store side): packs remembered with their
//! `pack` audit record in one write, `export` records, the chain rows a
//! pack copies (re-hashed from their JSON they give the database's hashes),
//! the records since a pack, and closed periods a selection falls in.

use super::*;
use std::cell::Cell;

use eac_store::chain::{canonical_json, link, GENESIS};
use eac_store::{AuditAction, ExportWritten, NewPack};

fn new_pack(env: &Env, sha: char) -> NewPack {
    let chain = env.store.verify_audit_chain().unwrap();
    NewPack {
        created_at: "2026-01-02T03:04:05Z".into(),
        title: Some("FY2024 filing".into()),
        filter: EacFilter {
            source: Some("REG-0".into()),
            ..EacFilter::default()
        },
        manifest_sha256: sha.to_string().repeat(64),
        audit_head: chain.head,
        audit_records: chain.records,
        eac_count: 2,
        key_fingerprint: "ab12-cd34-ef56-7890-ab12-cd34-ef56-7890".into(),
        path: env.file("pack").display().to_string(),
        file_count: 9,
    }
}

#[test]
fn a_pack_is_recorded_with_its_audit_record_and_the_chain_holds() {
    let mut env = browse_env();
    let version = env.store.data_version().unwrap();
    let pack = new_pack(&env, 'a');
    let placed = Cell::new(false);
    let record = env
        .store
        .record_pack(&pack, "alice", version, || {
            placed.set(true);
            Ok(())
        })
        .unwrap();
    assert!(placed.get());
    assert_eq!(env.store.packs().unwrap(), vec![record.clone()]);
    assert_eq!(record.filter, pack.filter);
    assert_eq!(record.title.as_deref(), Some("FY2024 filing"));
    assert_eq!(
        env.store.pack_by_manifest(&pack.manifest_sha256).unwrap(),
        Some(record)
    );
    assert_eq!(env.store.pack_by_manifest(&"b".repeat(64)).unwrap(), None);

    let log = env.store.audit_log(None).unwrap();
    let last = &log[0];
    assert_eq!(last.action, AuditAction::Pack);
    assert_eq!(last.cds_eac_id, "");
    assert_eq!(last.reason, "FY2024 filing");
    assert_eq!(last.problem, None);
    assert_eq!(last.source_file.as_deref(), Some(pack.path.as_str()));
    let change = |f: &str| {
        last.changes
            .iter()
            .find(|c| c.field == f)
            .and_then(|c| c.after.clone())
    };
    assert_eq!(
        change("manifest_sha256"),
        Some(pack.manifest_sha256.clone())
    );
    assert_eq!(change("files").as_deref(), Some("9"));
    assert_eq!(change("path"), Some(pack.path.clone()));
    assert!(env.store.verify_audit_chain().unwrap().broken.is_none());
}

#[test]
fn a_pack_is_not_recorded_when_the_database_changed_meanwhile_or_placing_it_fails() {
    let mut env = browse_env();
    let version = env.store.data_version().unwrap();
    // Another program writes while the pack is being made.
    let mut other = env.reopen();
    other
        .set_beneficiaries(
            "a",
            &assign(BeneficiaryType::General, &[]),
            &why("meanwhile"),
            "bob",
        )
        .unwrap();
    let records = env.store.audit_log(None).unwrap().len();
    let e = env
        .store
        .record_pack(&new_pack(&env, 'a'), "alice", version, || {
            panic!("the folder is not placed")
        })
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict { .. }), "{e}");
    assert!(e.to_string().contains("Make the pack again"), "{e}");
    assert!(env.store.packs().unwrap().is_empty());
    assert_eq!(env.store.audit_log(None).unwrap().len(), records);

    // Placing the folder fails: nothing is recorded either.
    let version = env.store.data_version().unwrap();
    let e = env
        .store
        .record_pack(&new_pack(&env, 'c'), "alice", version, || {
            Err(StoreError::InvalidInput("the folder is taken".into()))
        })
        .unwrap_err();
    assert!(e.to_string().contains("the folder is taken"));
    assert!(env.store.packs().unwrap().is_empty());
    assert_eq!(env.store.audit_log(None).unwrap().len(), records);
}

#[test]
fn a_title_that_is_not_one_line_is_refused() {
    let mut env = browse_env();
    let version = env.store.data_version().unwrap();
    let mut pack = new_pack(&env, 'a');
    pack.title = Some("two\nlines".into());
    let e = env
        .store
        .record_pack(&pack, "alice", version, || Ok(()))
        .unwrap_err();
    assert!(matches!(e, StoreError::InvalidInput(_)), "{e}");
    assert!(env.store.packs().unwrap().is_empty());
}

#[test]
fn an_export_is_recorded_at_database_level() {
    let mut env = browse_env();
    env.store
        .record_export(
            &ExportWritten {
                profile: "P1".into(),
                path: "/out/eacs.json".into(),
                sha256: "f".repeat(64),
                eac_count: 4,
            },
            "alice",
        )
        .unwrap();
    let last = &env.store.audit_log(None).unwrap()[0];
    assert_eq!(last.action, AuditAction::Export);
    assert_eq!(last.action.as_str(), "export");
    assert_eq!(last.cds_eac_id, "");
    assert_eq!(last.reason, "P1 listing exported");
    let fields: Vec<(&str, Option<&str>)> = last
        .changes
        .iter()
        .map(|c| (c.field.as_str(), c.after.as_deref()))
        .collect();
    assert!(fields.contains(&("eacs", Some("4"))), "{fields:?}");
    assert!(
        fields.contains(&("path", Some("/out/eacs.json"))),
        "{fields:?}"
    );
    assert_eq!(AuditAction::parse("export"), Some(AuditAction::Export));
    assert_eq!(AuditAction::parse("pack"), Some(AuditAction::Pack));
    assert!(env.store.verify_audit_chain().unwrap().broken.is_none());
}

#[test]
fn chain_rows_rehashed_from_their_json_give_the_database_hashes() {
    let mut env = browse_env();
    env.store
        .set_beneficiaries(
            "b",
            &assign(BeneficiaryType::Account, &["ACC-\u{e9}\"q\""]),
            &why("quotes and accents survive"),
            "alice",
        )
        .unwrap();
    env.store
        .record_export(
            &ExportWritten {
                profile: "P2".into(),
                path: "/out/bundle".into(),
                sha256: "0".repeat(64),
                eac_count: 1,
            },
            "alice",
        )
        .unwrap();
    let mut prev = GENESIS.to_owned();
    let mut n = 0;
    env.store
        .each_audit_row(&mut |row| {
            assert_eq!(row.prev_hash.as_deref(), Some(prev.as_str()));
            // Through text, as a pack's audit.jsonl carries them.
            let text = serde_json::to_string(&row.values).unwrap();
            let back: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
            let hash = link(&prev, &canonical_json(&back));
            assert_eq!(Some(hash.clone()), row.hash);
            prev = hash;
            n += 1;
            Ok(())
        })
        .unwrap();
    let chain = env.store.verify_audit_chain().unwrap();
    assert_eq!(n, chain.records);
    assert_eq!(Some(prev), chain.head);
}

#[test]
fn records_since_a_head_are_those_written_after_it() {
    let mut env = browse_env();
    env.store
        .set_beneficiaries(
            "a",
            &assign(BeneficiaryType::General, &[]),
            &why("one"),
            "alice",
        )
        .unwrap();
    let head = env.store.verify_audit_chain().unwrap().head;
    env.store
        .set_beneficiaries(
            "c",
            &assign(BeneficiaryType::General, &[]),
            &why("two"),
            "alice",
        )
        .unwrap();
    let head_number = env.store.audit_log(None).unwrap()[0].id;
    // Through the log, by the head's number, and by a number that is not
    // the head's (looked through the log again): the same records.
    for number in [None, Some(head_number), Some(head_number + 1)] {
        let since = (env.store.audit_since(head.as_deref(), number))
            .unwrap()
            .unwrap();
        assert_eq!(since.len(), 1);
        assert_eq!(
            (since[0].cds_eac_id.as_str(), since[0].reason.as_str()),
            ("c", "two")
        );
    }
    assert_eq!(env.store.audit_since(None, None).unwrap().unwrap().len(), 2);
    let nothing = "9".repeat(64);
    assert_eq!(env.store.audit_since(Some(&nothing), None).unwrap(), None);
    assert_eq!(
        (env.store.audit_since(Some(&nothing), Some(head_number))).unwrap(),
        None
    );
}

#[test]
fn an_audit_head_is_found_by_its_number_or_through_the_log() {
    let mut env = browse_env();
    let nothing = "9".repeat(64);
    assert!(!env.store.has_audit_record(&nothing, None).unwrap());
    for (eac, reason) in [("a", "one"), ("c", "two")] {
        env.store
            .set_beneficiaries(
                eac,
                &assign(BeneficiaryType::General, &[]),
                &why(reason),
                "alice",
            )
            .unwrap();
    }
    let log = env.store.audit_log(None).unwrap();
    let head = env.store.verify_audit_chain().unwrap().head.unwrap();
    let (newest, older) = (log[0].id, log[1].id);
    // By its number: only that record is looked at.
    assert!(env.store.has_audit_record(&head, Some(newest)).unwrap());
    assert!(!env.store.has_audit_record(&head, Some(older)).unwrap());
    assert!(!env.store.has_audit_record(&head, Some(newest + 1)).unwrap());
    assert!(!env.store.has_audit_record(&nothing, Some(newest)).unwrap());
    // Through the whole log.
    assert!(env.store.has_audit_record(&head, None).unwrap());
    assert!(!env.store.has_audit_record(&nothing, None).unwrap());
}

#[test]
fn closed_periods_are_those_the_selection_overlaps_and_not_reopened() {
    let env = browse_env();
    for (from, to, reopened) in [
        // Overlaps b (Feb 2024) only.
        ("2024-02-10", "2024-02-20", None),
        // Ends the day before c starts (2023-12-01): no overlap.
        ("2023-11-01", "2023-11-30", None),
        // Overlaps everything but was reopened.
        ("2020-01-01", "2030-12-31", Some("2026-01-01T00:00:00Z")),
        // Its last day is the first day of c.
        ("2023-11-15", "2023-12-01", None),
    ] {
        let reopened = reopened.map_or("NULL".to_owned(), |at| format!("'{at}'"));
        env.raw(&format!(
            "INSERT INTO closed_periods (date_from, date_to, closed_at, closed_by, reason, reopened_at)
             VALUES ('{from}', '{to}', '2025-01-01T00:00:00Z', 'alice', 'filed', {reopened})"
        ))
        .unwrap();
    }
    let all = env
        .store
        .closed_periods_overlapping(&EacFilter::default())
        .unwrap();
    let ranges: Vec<(&str, &str)> = all
        .iter()
        .map(|p| (p.from.as_str(), p.to.as_str()))
        .collect();
    assert_eq!(
        ranges,
        [("2023-11-15", "2023-12-01"), ("2024-02-10", "2024-02-20")]
    );
    assert_eq!(all[0].reason, "filed");
    // Only c's source: the February period is not its.
    let only_c = EacFilter {
        search: Some("100% green".into()),
        ..EacFilter::default()
    };
    let c: Vec<String> = env
        .store
        .closed_periods_overlapping(&only_c)
        .unwrap()
        .into_iter()
        .map(|p| p.from)
        .collect();
    assert_eq!(c, ["2023-11-15"]);
}
