//! Issue 15 in the store: no EAC value is ever allocated beyond its
//! quantity over all claims (a double allocation is refused whole, with
//! nothing written), no hour of consumption is claimed by two recorded
//! claims, deleting a claim frees its values, consumption overlapping
//! stored consumption is refused, factors are replaced with an audit
//! record naming the old and new number, and a recorded claim keeps the
//! factors it was recorded with.

use super::*;
use bigdecimal::BigDecimal;
use eac_store::{DeleteTarget, ErrorCode, NewAllocation, NewClaim, NewConsumption};
use std::str::FromStr;

/// A claim of January 2024 counting `quantity_wh` of `e-1`'s first value.
pub(super) fn claim(quantity_wh: &str) -> NewClaim {
    NewClaim {
        name: "January".into(),
        beneficiary_type: BeneficiaryType::Customer,
        beneficiaries: vec!["CUST123".into()],
        from: date("2024-01-01"),
        to: date("2024-01-31"),
        granularity: "annual".into(),
        market: Some("NO".into()),
        bidding_zone: None,
        unit: EnergyUnit::MWh,
        only_passing: None,
        allocations: vec![NewAllocation {
            cds_eac_id: "e-1".into(),
            position: 0,
            start: ts("2024-01-01T00:00:00Z"),
            end: ts("2024-02-01T00:00:00Z"),
            quantity_wh: BigDecimal::from_str(quantity_wh).unwrap(),
        }],
        planned_at: None,
    }
}

/// A claim over-allocating more values than its refusal names says how
/// many more there are, as every cut list does: it named the first 20 and
/// left the rest unsaid.
#[test]
fn an_over_allocation_past_the_twenty_named_says_how_many_more() {
    let mut env = Env::new();
    env.import_eacs((1..=22).map(|i| eac(&format!("e-{i}"))).collect()); // 30 MWh each
    let mut over = claim("40000000");
    over.allocations = (1..=22)
        .map(|i| NewAllocation {
            cds_eac_id: format!("e-{i}"),
            ..over.allocations[0].clone()
        })
        .collect();
    let err = env
        .store
        .create_claim(&over, &Reason::new("2024 filing").unwrap(), "ana")
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    let said = err.to_string();
    assert_eq!(said.matches("Wh already allocated").count(), 20, "{said}");
    assert!(said.ends_with("> its 30000000 Wh and 2 more"), "{said}");
    assert!(env.store.claims().unwrap().is_empty());
}

#[test]
fn a_value_is_never_allocated_beyond_its_quantity_over_all_claims() {
    let mut env = Env::new();
    env.import_eacs(vec![eac("e-1")]); // 30 MWh
    let reason = Reason::new("2024 filing").unwrap();
    let first = env
        .store
        .create_claim(&claim("20000000"), &reason, "ana")
        .unwrap();
    assert_eq!(first.allocation_count, 1);
    // 20 + 15 MWh > 30 MWh: refused whole, nothing written.
    let audit_before = env.store.audit_log(None).unwrap().len();
    let err = env
        .store
        .create_claim(&claim("15000000"), &reason, "ana")
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert!(
        err.to_string().contains("20000000 Wh already allocated"),
        "{err}"
    );
    assert_eq!(env.store.claims().unwrap().len(), 1);
    assert_eq!(env.store.audit_log(None).unwrap().len(), audit_before);
    // What is left (10 MWh) may go to a second claim.
    env.store
        .create_claim(&claim("10000000"), &reason, "ana")
        .unwrap();
    let held = env.store.allocated_elsewhere(None).unwrap();
    assert_eq!(
        held[&("e-1".to_owned(), 0)].quantity_wh,
        BigDecimal::from(30_000_000)
    );
    // Deleting the first frees its 20 MWh.
    env.store
        .delete_claim(first.id, &Reason::new("redo").unwrap(), "ana")
        .unwrap();
    let held = env.store.allocated_elsewhere(None).unwrap();
    assert_eq!(held[&("e-1".to_owned(), 0)].claims.len(), 1);
    // A value that is not there is named.
    let mut ghost = claim("1");
    ghost.allocations[0].cds_eac_id = "nope".into();
    assert_eq!(
        env.store
            .create_claim(&ghost, &reason, "ana")
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
}

#[test]
fn consumption_overlapping_stored_consumption_is_refused_and_factors_are_audited() {
    let mut env = Env::new();
    let row = |start: &str, end: &str, line| NewConsumption {
        beneficiary_type: BeneficiaryType::Account,
        beneficiary: "acc-1".into(),
        start: ts(start),
        end: ts(end),
        value: dec("1.50"),
        unit: EnergyUnit::MWh,
        line,
    };
    env.store
        .import_consumption(
            "a.csv",
            &[row("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z", 2)],
            "ana",
        )
        .unwrap();
    let err = env
        .store
        .import_consumption(
            "b.csv",
            &[
                row("2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z", 2),
                row("2024-01-31T00:00:00Z", "2024-02-01T00:00:00Z", 3),
            ],
            "ana",
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation);
    assert_eq!(env.store.consumption(None, &[], None).unwrap().len(), 1);
    assert_eq!(
        env.store.consumption(None, &[], None).unwrap()[0].value,
        "1.50"
    );

    let reason = Reason::new("2024 report").unwrap();
    for f in ["0.4", "0.41"] {
        env.store
            .set_emission_factor("NO", "residual_mix", 2024, &dec(f), "AIB", &reason, "ana")
            .unwrap();
    }
    let found = env
        .store
        .emission_factor("no", "residual_mix", 2024)
        .unwrap()
        .unwrap();
    assert_eq!(found.tco2e_per_mwh, "0.41");
    let log = env.store.audit_log(None).unwrap();
    let last = &log[0];
    assert_eq!(last.action, "factor_set");
    assert!(last
        .changes
        .iter()
        .any(|c| c.field == "before" && c.after.as_deref() == Some("0.4 tCO2e/MWh (AIB)")));
}

/// Tester's report 34, bug 7: deleting the consumption of a beneficiary
/// that has none was refused as "no EAC with id `consumption of …`".
#[test]
fn deleting_consumption_a_beneficiary_does_not_have_says_so() {
    let mut env = Env::new();
    let before = env.snapshot();
    let e = env
        .store
        .delete_consumption(
            BeneficiaryType::Account,
            "acc-1",
            &Reason::new("x").unwrap(),
            "ana",
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
    assert!(
        matches!(
            &e,
            StoreError::NoConsumption { beneficiary_type, beneficiary }
                if beneficiary_type == "account" && beneficiary == "acc-1"
        ),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "there is no consumption stored for account `acc-1`"
    );
    assert_eq!(env.snapshot(), before);
}

/// A factor refused says which part is wrong (tester's report 34: `--kind
/// residual` was told "needs a market, a kind … and a source").
#[test]
fn a_refused_factor_names_what_is_wrong() {
    let mut env = Env::new();
    let reason = Reason::new("2024 report").unwrap();
    let before = env.snapshot();
    for ((market, kind, source), said) in [
        (
            ("NO", "residual", "AIB"),
            "`residual` is no kind of factor EAC Desk keeps: write residual_mix",
        ),
        (("  ", "grid", "AIB"), "A factor needs its market"),
        (("NO", "grid", " "), "A factor needs its source"),
    ] {
        let e = env
            .store
            .set_emission_factor(market, kind, 2024, &dec("0.4"), source, &reason, "ana")
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        assert!(e.to_string().starts_with(said), "{e}");
        assert!(e.to_string().ends_with("; nothing was changed."), "{e}");
    }
    assert_eq!(env.snapshot(), before);
}

/// An EAC a recorded claim counts cannot be taken away from it: deleting
/// it, undoing the import that added it, giving it to another beneficiary
/// or importing a version whose claimed value differs is refused whole,
/// naming the EAC and the claim, with nothing written; changes that leave
/// the claimed value as it is still go through, and once the claim is
/// deleted everything does.
#[test]
fn an_eac_a_recorded_claim_counts_is_neither_removed_nor_changed_under_it() {
    let mut env = Env::new();
    let mut other = eac("e-2");
    other.beneficiaries = vec!["CUST999".into()];
    let first = env.listing("first.json", &[eac("e-1"), other.clone()]);
    env.import(&first).unwrap();
    let batch = env.store.import_batches().unwrap()[0].id;
    let reason = Reason::new("2024 filing").unwrap();
    let recorded = env
        .store
        .create_claim(&claim("20000000"), &reason, "ana")
        .unwrap();
    let why = Reason::new("clean-up").unwrap();
    let before = env.snapshot();
    let refused = |err: StoreError| {
        assert_eq!(err.code(), ErrorCode::Conflict, "{err}");
        let text = err.to_string();
        assert!(
            text.contains("EAC `e-1` is counted by recorded claim #1 (January)"),
            "{text}"
        );
        assert!(text.contains("nothing was changed"), "{text}");
        assert!(text.contains("claims delete 1"), "{text}");
    };

    // Deleted, alone or with another: refused whole.
    let target = DeleteTarget::Ids(vec!["e-1".into(), "e-2".into()]);
    refused(
        env.store
            .delete_eacs(&target, &why, "ana", false, &NoProgress)
            .unwrap_err(),
    );
    // The dry run says so too.
    refused(
        env.store
            .delete_eacs(&target, &why, "ana", true, &NoProgress)
            .unwrap_err(),
    );
    // The import that added it undone.
    refused(
        env.store
            .undo_import(batch, &why, "ana", false, &NoProgress)
            .unwrap_err(),
    );
    // Given to another beneficiary.
    let elsewhere = BeneficiaryAssignment {
        beneficiary_type: BeneficiaryType::Customer,
        beneficiaries: vec!["CUST999".into()],
    };
    refused(
        env.store
            .set_beneficiaries("e-1", &elsewhere, &why, "ana")
            .unwrap_err(),
    );
    // A newer version whose claimed value is smaller.
    let mut smaller = eac("e-1");
    smaller.cds_modified = ts("2024-03-01T00:00:00Z");
    smaller.values[0].value = dec("3");
    let restated = env.listing("restated.json", &[smaller]);
    refused(env.import(&restated).unwrap_err());
    assert_eq!(env.snapshot(), before, "nothing was written");

    // A newer version that keeps the claimed value (a new asset name) and
    // the other EAC's changes go through.
    let mut renamed = eac("e-1");
    renamed.cds_modified = ts("2024-03-01T00:00:00Z");
    renamed.asset_id = "AP222222".into();
    let renamed_path = env.listing("renamed.json", &[renamed]);
    assert_eq!(env.import(&renamed_path).unwrap().replaced, 1);
    env.store
        .set_beneficiaries("e-2", &elsewhere, &why, "ana")
        .unwrap();
    // Undoing that replacement puts back the version the claim counted
    // with the same value: no change to what it counts.
    let renamed_batch = env.store.import_batches().unwrap()[0].id;
    env.store
        .undo_import(renamed_batch, &why, "ana", false, &NoProgress)
        .unwrap();
    assert_eq!(env.store.detail("e-1").unwrap().asset_id, "AP111111");

    // Once the claim is deleted, the EAC is free.
    env.store.delete_claim(recorded.id, &why, "ana").unwrap();
    env.store
        .delete_eacs(
            &DeleteTarget::Ids(vec!["e-1".into()]),
            &why,
            "ana",
            false,
            &NoProgress,
        )
        .unwrap();
    assert_eq!(env.ids(EacFilter::default()), ["e-2"]);
}

/// What a recorded claim's report and criteria read of an EAC is held
/// as its allocated values are: its technology (the market-based figure,
/// `re100.renewable`), the asset's commissioning date (`re100.vintage`),
/// its market and bidding zone. `set technology_type=coal` on a claimed
/// EAC went through and turned the filed market-based figure into "not
/// given" with no one touching the claim; now such a change is refused
/// whole, by `set` and by an import's newer version, naming the claim. An
/// emission factor or the asset's name still change freely.
#[test]
fn what_a_claims_report_reads_of_an_eac_is_not_changed_under_it() {
    let mut env = Env::new();
    let first = env.listing("first.json", &[eac("e-1")]);
    env.import(&first).unwrap();
    let reason = Reason::new("2024 filing").unwrap();
    env.store
        .create_claim(&claim("20000000"), &reason, "ana")
        .unwrap();
    let why = Reason::new("correction").unwrap();
    let before = env.snapshot();
    let refused = |err: StoreError, what: &str| {
        assert_eq!(err.code(), ErrorCode::Conflict, "{what}: {err}");
        let text = err.to_string();
        assert!(
            text.contains("EAC `e-1` is counted by recorded claim #1 (January)"),
            "{what}: {text}"
        );
        assert!(text.contains("technology, commissioning date"), "{text}");
        assert!(text.contains("claims delete 1"), "{what}: {text}");
    };
    let one = DeleteTarget::Ids(vec!["e-1".into()]);
    for (field, value) in [
        (eac_store::SettableField::TechnologyType, "coal"),
        (eac_store::SettableField::AssetCommissioned, "2023-06-01"),
    ] {
        let set = [eac_store::FieldValue {
            field,
            value: value.into(),
        }];
        for dry_run in [true, false] {
            refused(
                env.store
                    .set_fields(&one, &set, &why, "ana", dry_run, &NoProgress)
                    .unwrap_err(),
                value,
            );
        }
    }
    // A newer version from another technology, or in another market.
    let mut coal = eac("e-1");
    coal.cds_modified = ts("2024-03-01T00:00:00Z");
    coal.technology_type = Some(TechnologyType::Coal);
    let coal = env.listing("coal.json", &[coal]);
    refused(env.import(&coal).unwrap_err(), "import of coal");
    let mut elsewhere = eac("e-1");
    elsewhere.cds_modified = ts("2024-03-01T00:00:00Z");
    elsewhere.extensions = Extensions(vec![(
        "eacdesk_market".to_owned(),
        serde_json::value::RawValue::from_string("\"SE\"".into()).unwrap(),
    )]);
    let elsewhere = env.listing("elsewhere.json", &[elsewhere]);
    refused(env.import(&elsewhere).unwrap_err(), "import in SE");
    assert_eq!(env.snapshot(), before, "nothing was written");

    // The asset's name and an emission factor are not what it reads.
    let mut renamed = eac("e-1");
    renamed.cds_modified = ts("2024-03-02T00:00:00Z");
    renamed.asset_id = "AP222222".into();
    let renamed = env.listing("renamed.json", &[renamed]);
    assert_eq!(env.import(&renamed).unwrap().replaced, 1);
    let lca = [eac_store::FieldValue {
        field: eac_store::SettableField::EmissionsFactorLca,
        value: "0.012".into(),
    }];
    let report = env
        .store
        .set_fields(&one, &lca, &why, "ana", false, &NoProgress)
        .unwrap();
    assert_eq!(report.changed, 1);
}

/// A claim's number names one claim for good: after the newest claim is
/// deleted, the next one recorded takes a new number, so "claim 2" in the
/// audit log and in an evidence pack's `claims/claim-2.json` is never
/// another claim.
#[test]
fn a_deleted_claims_number_is_never_given_to_another() {
    let mut env = Env::new();
    env.import_eacs(vec![eac("e-1")]); // 30 MWh
    let reason = Reason::new("2024 filing").unwrap();
    let first = env
        .store
        .create_claim(&claim("1000"), &reason, "ana")
        .unwrap();
    let second = env
        .store
        .create_claim(&claim("1000"), &reason, "ana")
        .unwrap();
    assert_eq!(second.id, first.id + 1);
    env.store
        .delete_claim(second.id, &Reason::new("made twice").unwrap(), "ana")
        .unwrap();
    let third = env
        .store
        .create_claim(&claim("1000"), &reason, "ana")
        .unwrap();
    assert_eq!(third.id, second.id + 1);
    let mut numbers: Vec<i64> = env.store.claims().unwrap().iter().map(|c| c.id).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, [first.id, third.id]);
}

/// Markets compare ignoring case and surrounding spaces (decisions 174,
/// 179): a factor set again under another spelling replaces the one set
/// before (one row left, audited with the old number) and is the one the
/// report finds. A database that already holds two spellings gives the
/// newest set, and setting the factor again leaves one row.
#[test]
fn a_factor_set_again_in_another_case_replaces_the_first() {
    let mut env = Env::new();
    let reason = Reason::new("2024 report").unwrap();
    let set = |env: &mut Env, market: &str, kind: &str, year: i32, f: &str, source: &str| {
        env.store
            .set_emission_factor(market, kind, year, &dec(f), source, &reason, "ana")
            .unwrap()
    };
    set(&mut env, "NO", "residual_mix", 2024, "0.5", "first");
    set(&mut env, "NO", "grid", 2024, "0.02", "grid");
    set(&mut env, "NO", "residual_mix", 2023, "0.4", "last year");
    set(&mut env, " no ", "residual_mix", 2024, "0.6", "correction");
    let residual_2024 = |env: &Env| -> Vec<(String, String)> {
        env.store
            .emission_factors()
            .unwrap()
            .into_iter()
            .filter(|f| f.kind == "residual_mix" && f.year == 2024)
            .map(|f| (f.market, f.tco2e_per_mwh))
            .collect()
    };
    assert_eq!(residual_2024(&env), [("no".to_owned(), "0.6".to_owned())]);
    assert_eq!(
        env.store.emission_factors().unwrap().len(),
        3,
        "others kept"
    );
    let found = |env: &Env, market: &str| {
        env.store
            .emission_factor(market, "residual_mix", 2024)
            .unwrap()
            .unwrap()
            .tco2e_per_mwh
    };
    assert_eq!(found(&env, "NO"), "0.6");
    let log = env.store.audit_log(None).unwrap();
    assert_eq!(log[0].action, "factor_set");
    let before = log[0].changes.iter().find(|c| c.field == "before").unwrap();
    assert_eq!(
        before.after.as_deref(),
        Some("0.5 tCO2e/MWh (first), market NO")
    );

    // What an earlier EAC Desk left: a second spelling, set before.
    env.raw(
        "INSERT INTO emission_factors (market, kind, year, tco2e_per_mwh, source, set_at, set_by)
         VALUES ('NO', 'residual_mix', 2024, '0.7', 'older', '2020-01-01T00:00:00.000000000Z', 'x')",
    )
    .unwrap();
    assert_eq!(residual_2024(&env).len(), 2);
    assert_eq!(found(&env, "no"), "0.6", "the newest set wins");
    set(&mut env, "No", "residual_mix", 2024, "0.8", "again");
    assert_eq!(residual_2024(&env), [("No".to_owned(), "0.8".to_owned())]);
    assert_eq!(found(&env, " nO"), "0.8");
    let log = env.store.audit_log(None).unwrap();
    let before = log[0].changes.iter().find(|c| c.field == "before").unwrap();
    assert_eq!(
        before.after.as_deref(),
        Some("0.6 tCO2e/MWh (correction), market no")
    );
}

/// Consumption added under a recorded claim would change its report
/// silently (decision 191 refuses deleting it for the same reason): a row
/// of a beneficiary of a recorded claim lying in its reporting period is
/// refused whole, located, naming the claim and what to do, with nothing
/// written. Rows outside the period or of another beneficiary go in, and
/// once the claim is deleted so does the refused file.
#[test]
fn consumption_in_a_recorded_claims_period_is_refused_naming_the_claim() {
    let mut env = Env::new();
    env.import_eacs(vec![eac("e-1")]);
    let row = |who: &str, start: &str, end: &str, line| NewConsumption {
        beneficiary_type: BeneficiaryType::Customer,
        beneficiary: who.into(),
        start: ts(start),
        end: ts(end),
        value: dec("5"),
        unit: EnergyUnit::MWh,
        line,
    };
    env.store
        .import_consumption(
            "january.csv",
            &[row(
                "CUST123",
                "2024-01-01T00:00:00Z",
                "2024-01-15T00:00:00Z",
                2,
            )],
            "ana",
        )
        .unwrap();
    let reason = Reason::new("2024 filing").unwrap();
    let recorded = env
        .store
        .create_claim(&claim("1000"), &reason, "ana")
        .unwrap();
    let before = env.snapshot();
    let late = [
        // Before the period: fine alone, refused with the file.
        row("CUST123", "2023-12-31T00:00:00Z", "2024-01-01T00:00:00Z", 2),
        row("CUST123", "2024-01-31T23:00:00Z", "2024-02-01T01:00:00Z", 3),
    ];
    let err = env
        .store
        .import_consumption("late.csv", &late, "ana")
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "{err}");
    let StoreError::Rules { violations, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(violations.len(), 1, "{violations:?}");
    let v = &violations[0];
    assert_eq!(
        (v.file.as_deref(), v.line, v.column),
        (Some("late.csv"), Some(3), Some(1))
    );
    for part in [
        "[claimed] customer `CUST123`",
        &format!(
            "(2024-01-01 to 2024-01-31) of recorded claim #{} (January)",
            recorded.id
        ),
        &format!("claims delete {}", recorded.id),
        "record the claim again",
    ] {
        assert!(v.message.contains(part), "{part} not in {}", v.message);
    }
    assert_eq!(env.snapshot(), before, "nothing was written");

    // Outside the period, or another customer's: imported.
    env.store
        .import_consumption("ok.csv", &late[..1], "ana")
        .unwrap();
    env.store
        .import_consumption(
            "other.csv",
            &[row(
                "CUST999",
                "2024-01-01T00:00:00Z",
                "2024-02-01T00:00:00Z",
                2,
            )],
            "ana",
        )
        .unwrap();
    // With the claim deleted, the late row goes in.
    env.store
        .delete_claim(recorded.id, &Reason::new("redo").unwrap(), "ana")
        .unwrap();
    env.store
        .import_consumption("late.csv", &late[1..], "ana")
        .unwrap();
    assert_eq!(env.store.consumption(None, &[], None).unwrap().len(), 4);
}

/// A claim planned from what was stored (its allocations) is refused when
/// another desk recorded a change before it is written: here the planned
/// value's EAC was given to another beneficiary meanwhile, and the claim
/// would have counted megawatt-hours that are no longer the customer's.
/// The mark is the store's whole check of the plan: allocations given at
/// the current mark are taken as given (the planner, `eac_app::create_claim`,
/// plans them again from what is stored now).
#[test]
fn a_claim_planned_before_another_desks_change_is_refused_whole() {
    let mut env = Env::new();
    env.import_eacs(vec![eac("e-1")]);
    let reason = Reason::new("2024 filing").unwrap();
    let mut planned = claim("20000000");
    planned.planned_at = Some(env.store.audit_mark().unwrap());
    let mut other = env.reopen();
    let elsewhere = BeneficiaryAssignment {
        beneficiary_type: BeneficiaryType::Customer,
        beneficiaries: vec!["CUST999".into()],
    };
    other
        .set_beneficiaries("e-1", &elsewhere, &Reason::new("moved").unwrap(), "bob")
        .unwrap();
    let audit_before = env.store.audit_log(None).unwrap().len();
    let err = env
        .store
        .create_claim(&planned, &reason, "ana")
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert!(
        err.to_string()
            .contains("The database changed while the claim was being planned"),
        "{err}"
    );
    assert!(err.to_string().contains("nothing was changed"), "{err}");
    assert!(env.store.claims().unwrap().is_empty());
    assert_eq!(env.store.audit_log(None).unwrap().len(), audit_before);
    // Given at the mark after the change: taken as given.
    planned.planned_at = Some(env.store.audit_mark().unwrap());
    let recorded = env.store.create_claim(&planned, &reason, "ana").unwrap();
    assert_eq!(recorded.allocation_count, 1);
    // Its own record moved the mark: a claim planned before it is refused.
    let mut second = claim("1");
    second.planned_at = planned.planned_at;
    assert_eq!(
        env.store
            .create_claim(&second, &reason, "ana")
            .unwrap_err()
            .code(),
        ErrorCode::Conflict
    );
}

/// Each hour of consumption may be claimed once (decision 272), as each
/// EAC value is allocated once (decision 171): a second claim whose days
/// cover stored consumption a recorded claim covers is refused whole,
/// naming the beneficiary, the rows and the claim, with nothing written.
/// A claim for another beneficiary over the same values, and one over days
/// without stored consumption, are still recorded; once the first claim is
/// deleted the second is too. `except` leaves a recorded claim itself out.
#[test]
fn consumption_a_recorded_claim_covers_is_never_claimed_again() {
    let mut env = Env::new();
    env.import_eacs(vec![eac("e-1")]); // 30 MWh of CUST123
    let row = |who: &str, start: &str, end: &str, line| NewConsumption {
        beneficiary_type: BeneficiaryType::Customer,
        beneficiary: who.into(),
        start: ts(start),
        end: ts(end),
        value: dec("5"),
        unit: EnergyUnit::MWh,
        line,
    };
    env.store
        .import_consumption(
            "january.csv",
            &[
                row("CUST123", "2024-01-01T00:00:00Z", "2024-01-15T00:00:00Z", 2),
                row("CUST123", "2024-01-15T00:00:00Z", "2024-02-01T00:00:00Z", 3),
                row("CUST999", "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z", 4),
            ],
            "ana",
        )
        .unwrap();
    let reason = Reason::new("2024 filing").unwrap();
    let first = env
        .store
        .create_claim(&claim("1000"), &reason, "ana")
        .unwrap();
    let claimed = |env: &Env, who: &str, from: &str, to: &str, except| {
        env.store
            .consumption_claimed(
                BeneficiaryType::Customer,
                &[who.to_owned()],
                date(from),
                date(to),
                except,
            )
            .unwrap()
    };
    // From the 10th on: both rows of the first claim, first start to
    // last end.
    let found = claimed(&env, "CUST123", "2024-01-10", "2024-03-31", None);
    assert_eq!(
        found,
        [eac_store::ConsumptionClaimed {
            claim_id: first.id,
            claim_name: "January".into(),
            beneficiary_type: "customer".into(),
            beneficiary: "CUST123".into(),
            start: "2024-01-01T00:00:00Z".into(),
            end: "2024-02-01T00:00:00Z".into(),
            rows: 2,
        }]
    );
    assert!(claimed(&env, "CUST123", "2024-01-10", "2024-03-31", Some(first.id)).is_empty());
    assert!(claimed(&env, "CUST999", "2024-01-01", "2024-12-31", None).is_empty());
    assert!(claimed(&env, "CUST123", "2024-02-01", "2024-12-31", None).is_empty());

    // The same consumption again, over other days that include it: refused.
    let mut again = claim("1000");
    again.name = "Q1".into();
    again.from = date("2024-01-10");
    again.to = date("2024-03-31");
    let before = env.snapshot();
    let audit_before = env.store.audit_log(None).unwrap().len();
    let allocations_before = env.store.claim_allocations(first.id).unwrap();
    let err = env.store.create_claim(&again, &reason, "ana").unwrap_err();
    // The stored data breaks a rule of claims, as `claims check` finds it:
    // `validation` (exit 1), not a conflict with a change made meanwhile.
    assert_eq!(err.code(), ErrorCode::Validation, "{err}");
    let StoreError::ClaimedConsumption(message) = &err else {
        panic!("{err:?}")
    };
    for part in [
        &format!(
            "customer `CUST123` 2024-01-01 – 2024-01-31, 2 rows, by recorded claim #{} \
             (January)",
            first.id
        )[..],
        "Each hour of consumption may be claimed once",
        "nothing was changed",
        &format!("`eacdesk claims delete {} --reason …`", first.id),
        "claim other days or beneficiaries",
    ] {
        assert!(message.contains(part), "{part} not in {message}");
    }
    assert_eq!(env.store.claims().unwrap().len(), 1);
    assert_eq!(
        env.store.claim_allocations(first.id).unwrap(),
        allocations_before
    );
    assert_eq!(env.store.audit_log(None).unwrap().len(), audit_before);
    assert_eq!(env.snapshot(), before, "nothing was written");

    // Another customer over the same value, with consumption of its own,
    // and the first customer on days without consumption: recorded.
    let mut other = claim("1000");
    other.name = "CUST999".into();
    other.beneficiaries = vec!["CUST999".into()];
    env.store.create_claim(&other, &reason, "ana").unwrap();
    let mut march = claim("1000");
    march.name = "March".into();
    march.from = date("2024-03-01");
    march.to = date("2024-03-31");
    env.store.create_claim(&march, &reason, "ana").unwrap();

    // With the first claim deleted, the second goes in.
    env.store
        .delete_claim(first.id, &Reason::new("redo as Q1").unwrap(), "ana")
        .unwrap();
    let q1 = env.store.create_claim(&again, &reason, "ana").unwrap();
    assert_eq!(q1.name, "Q1");
    let found = claimed(&env, "CUST123", "2024-01-01", "2024-12-31", None);
    assert_eq!(
        found
            .iter()
            .map(|c| (c.claim_id, c.rows))
            .collect::<Vec<_>>(),
        [(q1.id, 2)]
    );
    assert_eq!(env.store.claims().unwrap().len(), 3);
}

/// A recorded claim keeps the emission factors it was recorded with
/// (decision 273): the claim write records the residual-mix and grid
/// factors of its market (any spelling) and the year of its first day as
/// they are then, and its audit record names them. Setting a factor again
/// leaves them as they were; a claim recorded with none keeps none; and
/// deleting a claim deletes its factors.
#[test]
fn a_recorded_claim_keeps_the_factors_it_was_recorded_with() {
    let mut env = Env::new();
    env.import_eacs(vec![eac("e-1")]);
    let reason = Reason::new("2024 filing").unwrap();
    let set = |env: &mut Env, market: &str, kind: &str, year: i32, f: &str, source: &str| {
        env.store
            .set_emission_factor(market, kind, year, &dec(f), source, &reason, "ana")
            .unwrap();
    };
    // Kind, market, year, factor, source.
    type Kept = (String, String, i32, String, String);
    let factors = |env: &Env, id: i64| -> (bool, Vec<Kept>) {
        let kept = env
            .store
            .claim_factors(&env.store.claim(id).unwrap())
            .unwrap();
        let rows = kept
            .factors
            .into_iter()
            .map(|f| (f.kind, f.market, f.year, f.tco2e_per_mwh, f.source))
            .collect();
        (kept.recorded, rows)
    };

    // No factor entered yet: none recorded.
    let bare = env
        .store
        .create_claim(&claim("1000"), &reason, "ana")
        .unwrap();
    assert_eq!(factors(&env, bare.id), (true, Vec::new()));

    // A residual-mix factor of the claim's market in another spelling, and
    // one of another year and another market: only the first is the claim's.
    set(&mut env, " no ", "residual_mix", 2024, "0.3800", "AIB 2024");
    set(&mut env, "NO", "residual_mix", 2023, "0.5", "AIB 2023");
    set(&mut env, "SE", "grid", 2024, "0.01", "SvK");
    let recorded = env
        .store
        .create_claim(&claim("1000"), &reason, "ana")
        .unwrap();
    let then = (
        true,
        vec![(
            "residual_mix".to_owned(),
            "no".to_owned(),
            2024,
            "0.3800".to_owned(),
            "AIB 2024".to_owned(),
        )],
    );
    assert_eq!(factors(&env, recorded.id), then);
    let log = env.store.audit_log(None).unwrap();
    assert_eq!(log[0].action, "claim_create");
    let said = |field: &str| {
        log[0]
            .changes
            .iter()
            .find(|c| c.field == field)
            .and_then(|c| c.after.clone())
    };
    assert_eq!(
        said("residual_mix_factor").as_deref(),
        Some("0.3800 tCO2e/MWh (AIB 2024), market no 2024")
    );
    assert_eq!(said("grid_factor").as_deref(), Some("(none entered)"));

    // Set again, and a grid factor entered: the recorded claims keep what
    // they were recorded with, while the factor stored now is the new one.
    set(
        &mut env,
        "NO",
        "residual_mix",
        2024,
        "0.41",
        "AIB 2024 revised",
    );
    set(&mut env, "NO", "grid", 2024, "0.02", "NVE");
    assert_eq!(factors(&env, recorded.id), then);
    assert_eq!(factors(&env, bare.id), (true, Vec::new()));
    let now = env
        .store
        .emission_factor("NO", "residual_mix", 2024)
        .unwrap()
        .unwrap();
    assert_eq!(now.tco2e_per_mwh, "0.41");
    // Both claims are of that market and year, each with what it holds.
    let of: Vec<(i64, bool, Option<String>)> = env
        .store
        .claims_of_factor("No", "residual_mix", 2024)
        .unwrap()
        .into_iter()
        .map(|c| (c.claim_id, c.recorded, c.tco2e_per_mwh))
        .collect();
    assert_eq!(
        of,
        [
            (bare.id, true, None),
            (recorded.id, true, Some("0.3800".to_owned()))
        ]
    );
    assert!(env
        .store
        .claims_of_factor("NO", "residual_mix", 2023)
        .unwrap()
        .is_empty());

    // Deleting the claim deletes its factors.
    env.store
        .delete_claim(recorded.id, &Reason::new("redo").unwrap(), "ana")
        .unwrap();
    assert_eq!(
        env.raw_rows(&format!(
            "SELECT CAST(count(*) AS TEXT) FROM claim_factors WHERE claim_id = {}",
            recorded.id
        )),
        [[Some("0".to_owned())]]
    );
    assert_eq!(
        env.store.claim(recorded.id).unwrap_err().code(),
        ErrorCode::NotFound
    );
}

/// A claim's record says whether its emission factors were recorded with
/// it (decision 273), read with the claim itself: a claim recorded before
/// schema 22 reads as such in every listing, and its recorded factors are
/// none, whatever rows another tool left.
#[test]
fn a_claim_record_says_whether_its_factors_were_recorded() {
    let mut env = Env::new();
    env.import_eacs(vec![eac("e-1")]);
    let reason = Reason::new("2024 filing").unwrap();
    env.store
        .set_emission_factor("NO", "grid", 2024, &dec("0.02"), "NVE", &reason, "ana")
        .unwrap();
    let recorded = env
        .store
        .create_claim(&claim("1000"), &reason, "ana")
        .unwrap();
    assert!(recorded.factors_recorded);
    let kept = env.store.claim_factors(&recorded).unwrap();
    assert!(kept.recorded);
    assert_eq!(kept.factors.len(), 1);

    // As an EAC Desk before schema 22 left it.
    env.raw(&format!(
        "UPDATE claims SET factors_recorded = 0 WHERE id = {}",
        recorded.id
    ))
    .unwrap();
    let old = env.store.claim(recorded.id).unwrap();
    assert!(!old.factors_recorded);
    assert_eq!(env.store.claims().unwrap(), std::slice::from_ref(&old));
    let kept = env.store.claim_factors(&old).unwrap();
    assert!(!kept.recorded);
    assert!(kept.factors.is_empty(), "{kept:?}");
}

/// A consumption row of customer `who`.
fn use_of(who: &str, start: &str, end: &str, line: u64) -> NewConsumption {
    NewConsumption {
        beneficiary_type: BeneficiaryType::Customer,
        beneficiary: who.into(),
        start: ts(start),
        end: ts(end),
        value: dec("1.50"),
        unit: EnergyUnit::MWh,
        line,
    }
}

/// A `frozen` refusal about claims or consumption: it names no EAC, the
/// closed period `period`, and says to reopen it to `to_do`.
fn frozen_over(e: StoreError, period: i64, what: &str, to_do: &str) {
    assert_eq!(e.code(), ErrorCode::Frozen, "{e:?}");
    let StoreError::Frozen {
        message,
        ids,
        periods,
    } = e
    else {
        unreachable!()
    };
    assert!(ids.is_empty(), "{ids:?}");
    assert_eq!(periods, [period]);
    assert!(
        message.starts_with(&format!(
            "{what}; nothing was changed. Period {period} (2024-01-01 to 2024-01-31) was closed by \
             ana at "
        )),
        "{message}"
    );
    assert!(
        message.ends_with(&format!(
            ": “January filed”; reopen it with `eacdesk period reopen {period} --reason …` to \
             {to_do}."
        )),
        "{message}"
    );
}

/// Tester's report 35, finding 3: a closed (filed) period protects the
/// claims and consumption of its days as it does its EACs. Recording or
/// deleting a claim, importing or deleting consumption over any of its
/// days is refused (`frozen`, naming the period and how to reopen it),
/// with nothing written; days outside it stay open, and reopening it lets
/// each change through.
#[test]
fn a_closed_period_keeps_its_claims_and_consumption() {
    let mut env = Env::new();
    env.import_eacs(vec![eac("e-1")]);
    let reason = Reason::new("2024 filing").unwrap();
    let why = Reason::new("redo").unwrap();
    let jan = ("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z");
    env.store
        .import_consumption("jan.csv", &[use_of("CUST123", jan.0, jan.1, 2)], "ana")
        .unwrap();
    // Another customer's row reaching over the period's last midnight.
    let edge = ("2024-01-31T23:00:00Z", "2024-02-01T01:00:00Z");
    env.store
        .import_consumption("edge.csv", &[use_of("CUST9", edge.0, edge.1, 2)], "ana")
        .unwrap();
    let filed = env
        .store
        .create_claim(&claim("20000000"), &reason, "ana")
        .unwrap();
    let period = env
        .store
        .close_period(
            date("2024-01-01"),
            date("2024-01-31"),
            &Reason::new("January filed").unwrap(),
            "ana",
        )
        .unwrap()
        .id;
    let before = env.snapshot();

    frozen_over(
        env.store.delete_claim(filed.id, &why, "ana").unwrap_err(),
        period,
        &format!(
            "Claim #{} (January, 2024-01-01 to 2024-01-31) covers days of a closed reporting \
             period and cannot be deleted",
            filed.id
        ),
        "delete it",
    );
    let mut late = claim("1000");
    late.name = "Turn of the month".into();
    late.beneficiaries = vec!["CUST9".into()];
    late.from = date("2024-01-31");
    late.to = date("2024-02-29");
    frozen_over(
        env.store.create_claim(&late, &reason, "ana").unwrap_err(),
        period,
        "Claim `Turn of the month` (2024-01-31 to 2024-02-29) covers days of a closed reporting \
         period and cannot be recorded",
        "record it",
    );
    frozen_over(
        env.store
            .import_consumption(
                "feb.csv",
                &[
                    use_of("CUST7", "2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z", 2),
                    use_of("CUST7", edge.0, edge.1, 3),
                ],
                "ana",
            )
            .unwrap_err(),
        period,
        "Consumption of feb.csv line 3 (customer `CUST7` 2024-01-31 23:00 until 2024-02-01 01:00 \
         UTC (end excluded)) covers days of a closed reporting period and cannot be imported",
        "import the file",
    );
    frozen_over(
        env.store
            .delete_consumption(BeneficiaryType::Customer, "CUST9", &why, "ana")
            .unwrap_err(),
        period,
        "The consumption of customer `CUST9` covers days of a closed reporting period (1 row in \
         2024-01-31 23:00 until 2024-02-01 01:00 UTC (end excluded)) and cannot be deleted",
        "delete it",
    );
    // Before the recorded claim's conflict: the period is what stands first.
    frozen_over(
        env.store
            .delete_consumption(BeneficiaryType::Customer, "CUST123", &why, "ana")
            .unwrap_err(),
        period,
        "The consumption of customer `CUST123` covers days of a closed reporting period (1 row \
         in 2024-01-01 – 2024-01-31) and cannot be deleted",
        "delete it",
    );
    assert_eq!(env.snapshot(), before, "nothing was written");

    // Days after the period are open.
    env.store
        .import_consumption(
            "feb.csv",
            &[use_of(
                "CUST7",
                "2024-02-01T00:00:00Z",
                "2024-03-01T00:00:00Z",
                2,
            )],
            "ana",
        )
        .unwrap();
    let mut february = late.clone();
    february.name = "February".into();
    february.from = date("2024-02-01");
    env.store.create_claim(&february, &reason, "ana").unwrap();

    // Reopened, every change goes through.
    env.store
        .reopen_period(period, &Reason::new("restating").unwrap(), "ana")
        .unwrap();
    env.store.delete_claim(filed.id, &why, "ana").unwrap();
    env.store
        .delete_consumption(BeneficiaryType::Customer, "CUST123", &why, "ana")
        .unwrap();
    env.store
        .import_consumption("edge2.csv", &[use_of("CUST6", edge.0, edge.1, 2)], "ana")
        .unwrap();
}

/// Finding 3, factors: a recorded claim keeps the factors it was recorded
/// with (decision 273), so setting a factor stays allowed over a closed
/// period; but a claim recorded before schema 22 reads the factors stored
/// now, and a factor that would change its filed report is refused while
/// its period is closed. The factor in force given again (the same exact
/// number and source), another year or another market change nothing of
/// it and go through.
#[test]
fn a_factor_set_never_changes_a_filed_claims_report() {
    let mut env = Env::new();
    env.import_eacs(vec![eac("e-1")]);
    let reason = Reason::new("2024 report").unwrap();
    let set = |env: &mut Env, market: &str, year: i32, f: &str, source: &str| {
        env.store.set_emission_factor(
            market,
            "residual_mix",
            year,
            &dec(f),
            source,
            &reason,
            "ana",
        )
    };
    set(&mut env, "NO", 2024, "0.4", "AIB").unwrap();
    let recorded = env
        .store
        .create_claim(&claim("1000"), &reason, "ana")
        .unwrap();
    let period = env
        .store
        .close_period(
            date("2024-01-01"),
            date("2024-01-31"),
            &Reason::new("January filed").unwrap(),
            "ana",
        )
        .unwrap()
        .id;
    // Recorded with its factors: a new factor changes nothing of it.
    set(&mut env, "NO", 2024, "0.41", "AIB revised").unwrap();

    // As an EAC Desk before schema 22 left it: no factors kept.
    env.raw(&format!(
        "UPDATE claims SET factors_recorded = 0 WHERE id = {}",
        recorded.id
    ))
    .unwrap();
    env.raw("DELETE FROM claim_factors").unwrap();
    let before = env.snapshot();
    frozen_over(
        set(&mut env, "no", 2024, "0.42", "AIB revised").unwrap_err(),
        period,
        &format!(
            "Setting the residual_mix factor of no for 2024 would change the filed report of \
             recorded claim #{} (January, 2024-01-01 to 2024-01-31), which covers days of a \
             closed reporting period: it was recorded by an older version of EAC Desk, which kept \
             no factors with a claim, so its report uses the factors stored now. The factor cannot \
             be set",
            recorded.id
        ),
        "set it (to keep its report as filed, first delete and record again each such claim: a \
         claim recorded now keeps the factors it was recorded with)",
    );
    assert_eq!(env.snapshot(), before, "nothing was written");
    // The same factor again, another year, another market.
    set(&mut env, "NO", 2024, "0.410", "AIB revised").unwrap();
    set(&mut env, "NO", 2023, "0.5", "AIB").unwrap();
    set(&mut env, "SE", 2024, "0.05", "AIB").unwrap();
    // Reopened, it goes through.
    env.store
        .reopen_period(period, &Reason::new("restating").unwrap(), "ana")
        .unwrap();
    set(&mut env, "NO", 2024, "0.42", "AIB revised").unwrap();
}

/// Finding 4: a claim's audit records say what it allocated. The record
/// of `claim_create` keeps, as its after-state, the claim's definition
/// (market, bidding zone, the rule set it was limited to, the factors
/// recorded) and every allocation row, and `claim_delete`'s before-state
/// is the same claim read back, so a deleted claim can be rebuilt from
/// the log alone; `consumption_delete` keeps the rows it deleted. The
/// audit view shows a summary of each, readable, and the chain holds.
#[test]
fn a_claims_audit_records_keep_what_it_allocated() {
    let mut env = Env::new();
    env.import_eacs(vec![eac("e-1"), eac("e-2")]);
    let reason = Reason::new("2024 filing").unwrap();
    env.store
        .set_emission_factor("NO", "grid", 2024, &dec("0.02"), "NVE", &reason, "ana")
        .unwrap();
    env.store
        .import_consumption(
            "jan.csv",
            &[
                use_of("CUST123", "2024-01-01T00:00:00Z", "2024-01-16T00:00:00Z", 2),
                use_of("CUST123", "2024-01-16T00:00:00Z", "2024-02-01T00:00:00Z", 3),
            ],
            "ana",
        )
        .unwrap();
    let mut filed = claim("20000000");
    filed.bidding_zone = Some("NO1".into());
    filed.only_passing = Some("re100".into());
    let mut second = filed.allocations[0].clone();
    second.cds_eac_id = "e-2".into();
    second.quantity_wh = BigDecimal::from_str("1000.5").unwrap();
    filed.allocations.push(second);
    let recorded = env.store.create_claim(&filed, &reason, "ana").unwrap();

    let state = |env: &Env, sql: &str| -> serde_json::Value {
        serde_json::from_str(&env.raw_text(sql).expect("a state")).unwrap()
    };
    let created = state(
        &env,
        "SELECT CAST(after_state AS TEXT) FROM audit_log WHERE action = 'claim_create'",
    );
    let c = &created["claim"];
    assert_eq!(c["id"], recorded.id);
    assert_eq!(c["name"], "January");
    assert_eq!(c["beneficiary_type"], "customer");
    assert_eq!(c["beneficiaries"], serde_json::json!(["CUST123"]));
    assert_eq!(
        (&c["from"], &c["to"]),
        (&"2024-01-01".into(), &"2024-01-31".into())
    );
    assert_eq!(c["granularity"], "annual");
    assert_eq!(c["market"], "NO");
    assert_eq!(c["bidding_zone"], "NO1");
    assert_eq!(c["only_passing"], "re100");
    assert_eq!(c["unit"], "MWh");
    assert_eq!(c["factors"][0]["tco2e_per_mwh"], "0.02");
    assert_eq!(c["factors"][0]["source"], "NVE");
    // Review 35, finding 5: the record of a claim's creation keeps the
    // digest of its rows (they are in `claim_allocations`), not the rows.
    let rows = serde_json::json!([
        [
            "e-1",
            1,
            "2024-01-01T00:00:00Z",
            "2024-02-01T00:00:00Z",
            "20000000"
        ],
        [
            "e-2",
            1,
            "2024-01-01T00:00:00Z",
            "2024-02-01T00:00:00Z",
            "1000.5"
        ],
    ]);
    let rows_sha256 = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(rows.to_string().as_bytes()))
    };
    assert_eq!(
        created["allocations"],
        serde_json::json!({
            "columns": ["cds_eac_id", "value", "start", "end", "quantity_wh"],
            "count": 2,
            "total_wh": "20001000.5",
            "sha256": rows_sha256,
        })
    );
    // The audit view: a summary, no rows, no problem.
    let log = env.store.audit_log(None).unwrap();
    assert_eq!(log[0].action, "claim_create");
    assert!(log[0].problem.is_none(), "{:?}", log[0].problem);
    let said = |r: &eac_store::AuditRecord, field: &str| {
        r.changes
            .iter()
            .find(|c| c.field == field)
            .and_then(|c| c.after.clone())
            .unwrap_or_else(|| panic!("no {field} in {:?}", r.changes))
    };
    for (field, value) in [
        ("market", "NO"),
        ("bidding_zone", "NO1"),
        ("only_passing", "re100"),
        ("values", "2"),
        ("allocations", "2"),
        ("allocated_wh", "20001000.5"),
    ] {
        assert_eq!(said(&log[0], field), value, "{field}");
    }
    assert!(log[0]
        .changes
        .iter()
        .all(|c| !format!("{c:?}").contains("e-2")));

    env.store
        .delete_claim(recorded.id, &Reason::new("restated").unwrap(), "ana")
        .unwrap();
    let deleted = state(
        &env,
        "SELECT CAST(before_state AS TEXT) FROM audit_log WHERE action = 'claim_delete'",
    );
    // The record of its deletion keeps the rows too, and their digest is
    // the one recorded at its creation.
    let mut deleted = deleted;
    assert_eq!(deleted["allocations"]["rows"], rows);
    deleted["allocations"]
        .as_object_mut()
        .unwrap()
        .remove("rows");
    assert_eq!(deleted, created, "the deleted claim, as recorded");
    let log = env.store.audit_log(None).unwrap();
    assert_eq!(log[0].action, "claim_delete");
    assert!(log[0].problem.is_none(), "{:?}", log[0].problem);
    assert_eq!(said(&log[0], "allocations"), "2");
    assert_eq!(said(&log[0], "allocated_wh"), "20001000.5");
    assert_eq!(said(&log[0], "market"), "NO");

    env.store
        .delete_consumption(
            BeneficiaryType::Customer,
            "CUST123",
            &Reason::new("wrong file").unwrap(),
            "ana",
        )
        .unwrap();
    let gone = state(
        &env,
        "SELECT CAST(before_state AS TEXT) FROM audit_log WHERE action = 'consumption_delete'",
    );
    let rows = &gone["consumption"]["files"][0];
    assert_eq!(gone["consumption"]["beneficiary"], "CUST123");
    assert_eq!(rows["file"], "jan.csv");
    assert_eq!(rows["rows"].as_array().unwrap().len(), 2);
    assert_eq!(
        rows["rows"][1].as_array().unwrap()[..5],
        serde_json::json!([
            "2024-01-16T00:00:00Z",
            "2024-02-01T00:00:00Z",
            "1.50",
            "MWh",
            3
        ])
        .as_array()
        .unwrap()[..]
    );
    assert!(env.store.audit_log(None).unwrap()[0].problem.is_none());
    assert!(env.store.verify_audit_chain().unwrap().broken.is_none());
}

/// Finding 9: a file of no rows is refused before anything is written,
/// with no audit record.
#[test]
fn consumption_without_rows_is_not_imported() {
    let mut env = Env::new();
    let before = env.snapshot();
    let e = env
        .store
        .import_consumption("c16.csv", &[], "ana")
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert_eq!(
        e.to_string(),
        "no consumption rows in c16.csv; nothing was imported"
    );
    assert_eq!(env.snapshot(), before);
}

/// Review 35, finding 1: stored days that do not parse (a row another
/// program changed) may be any days, so a closed period covers them: the
/// claim is not deleted, its factor not set, the consumption not deleted
/// (the check fails closed, where it used to be skipped).
#[test]
fn days_stored_unreadably_count_as_inside_a_closed_period() {
    let mut env = Env::new();
    env.import_eacs(vec![eac("e-1")]);
    let reason = Reason::new("2024 filing").unwrap();
    let why = Reason::new("redo").unwrap();
    let edge = ("2024-01-31T23:00:00Z", "2024-02-01T01:00:00Z");
    env.store
        .import_consumption("edge.csv", &[use_of("CUST9", edge.0, edge.1, 2)], "ana")
        .unwrap();
    let filed = env
        .store
        .create_claim(&claim("1000"), &reason, "ana")
        .unwrap();
    let period = env
        .store
        .close_period(
            date("2024-01-01"),
            date("2024-01-31"),
            &Reason::new("January filed").unwrap(),
            "ana",
        )
        .unwrap()
        .id;
    env.raw(&format!(
        "UPDATE claims SET date_to = '2024-01-31 (filed)' WHERE id = {}",
        filed.id
    ))
    .unwrap();
    env.raw(r#"UPDATE consumption SET "start" = '2024-01-31 23h' WHERE beneficiary = 'CUST9'"#)
        .unwrap();
    let before = env.snapshot();
    frozen_over(
        env.store.delete_claim(filed.id, &why, "ana").unwrap_err(),
        period,
        &format!(
            "Claim #{} (January, 2024-01-01 to 2024-01-31 (filed)) covers days of a closed \
             reporting period and cannot be deleted",
            filed.id
        ),
        "delete it",
    );
    env.store
        .delete_consumption(BeneficiaryType::Customer, "CUST9", &why, "ana")
        .unwrap_err();
    assert_eq!(env.snapshot(), before, "nothing was written");
    // A claim of an older version (no factors kept) whose first day does
    // not parse: its year is unknown, so any factor of its market counts.
    env.raw(&format!(
        "UPDATE claims SET factors_recorded = 0, date_from = '2024-01-01?' WHERE id = {}",
        filed.id
    ))
    .unwrap();
    env.raw("DELETE FROM claim_factors").unwrap();
    let before_factor = env.snapshot();
    let err = env
        .store
        .set_emission_factor("NO", "residual_mix", 2024, &dec("0.4"), "AIB", &why, "ana")
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Frozen, "{err:?}");
    assert_eq!(env.snapshot(), before_factor, "nothing was written");
}

/// Review 35, finding 1, on a server: a claim's deletion reads the closed
/// periods only once it holds the audit chain's lock, so a period another
/// desk closes while the deletion waits is seen, and the claim stays (read
/// before the lock, at READ COMMITTED, the period was missed and the
/// filed claim deleted). Carol's closing is held inside her write, after
/// she took the chain's lock, by another tool's lock on the audit log.
#[test]
fn a_period_closed_while_a_claims_deletion_waits_keeps_the_claim() {
    let mut env = Env::new();
    if env.server.is_none() {
        eprintln!("on a server only: a file's one writer reads nothing stale");
        return;
    }
    env.import_eacs(vec![eac("e-1")]);
    let filed = env
        .store
        .create_claim(&claim("1000"), &Reason::new("2024").unwrap(), "ana")
        .unwrap();
    let server = env.server.as_ref().unwrap();
    let mut holder = server.client();
    let (mut carol, mut bob) = (env.reopen(), env.reopen());
    let waiting_for_locks = |n: i64| {
        let mut watch = server.client();
        for _ in 0..400 {
            let waiting: i64 = watch
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity
                      WHERE datname = current_database() AND wait_event_type = 'Lock'",
                    &[],
                )
                .unwrap()
                .get(0);
            if waiting >= n {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("{n} sessions never waited for a lock");
    };
    let mut tx = holder.transaction().unwrap();
    tx.batch_execute("LOCK TABLE audit_log IN EXCLUSIVE MODE")
        .unwrap();
    let closing = std::thread::spawn(move || {
        carol
            .close_period(
                date("2024-01-01"),
                date("2024-01-31"),
                &Reason::new("January filed").unwrap(),
                "carol",
            )
            .map(|p| p.id)
    });
    waiting_for_locks(1);
    let id = filed.id;
    let deleting =
        std::thread::spawn(move || bob.delete_claim(id, &Reason::new("redo").unwrap(), "bob"));
    waiting_for_locks(2);
    tx.commit().unwrap();
    let period = closing.join().unwrap().unwrap();
    let err = deleting.join().unwrap().unwrap_err();
    assert_eq!(err.code(), ErrorCode::Frozen, "{err:?}");
    let StoreError::Frozen { periods, .. } = err else {
        unreachable!()
    };
    assert_eq!(periods, [period]);
    assert_eq!(
        env.store.claims().unwrap().len(),
        1,
        "the filed claim stays"
    );
}

/// An allocation of a value its EAC does not hold, or of an EAC that is
/// not stored, says which in its own words: the EAC's id and the value's
/// number went into `NotFound` as one id, "There is no EAC with id
/// `e-1 (value 2)`", naming an EAC that is there.
#[test]
fn an_allocation_of_a_value_or_an_eac_not_stored_says_which() {
    let mut env = Env::new();
    env.import_eacs(vec![eac("e-1")]); // one value
    let reason = Reason::new("2024 filing").unwrap();
    let before = env.snapshot();
    let mut second = claim("1");
    second.allocations[0].position = 1;
    let e = env.store.create_claim(&second, &reason, "ana").unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
    assert!(
        matches!(
            &e,
            StoreError::NoValue { cds_eac_id, position: 2, values: 1 } if cds_eac_id == "e-1"
        ),
        "{e:?}"
    );
    assert_eq!(e.to_string(), "EAC `e-1` has no value 2 (it holds 1 value)");
    let mut ghost = claim("1");
    ghost.allocations[0].cds_eac_id = "nope".into();
    let e = env.store.create_claim(&ghost, &reason, "ana").unwrap_err();
    assert!(
        matches!(&e, StoreError::NotFound(id) if id == "nope"),
        "{e:?}"
    );
    assert_eq!(env.snapshot(), before);
}
