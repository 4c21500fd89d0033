//! The claims pieces as a user sees them: allocation conserves quantities,
//! each criterion passes, fails and is unknown on data built for it, and
//! the Scope 2 report matches a hand-computed example.

use std::str::FromStr;

use bigdecimal::{BigDecimal, Zero};
use eac_claims::allocate::{allocate, settle, Demand, Scope, Supply};
use eac_claims::model::StoredTwice;
use eac_claims::report::FactorUse;
use eac_claims::rules::{overall, rule_set, rule_sets};
use eac_claims::{
    scope2_report, scope2_report_with, ClaimSpec, FactorFound, Granularity, Interval, ValueFacts,
    ValueKey, Verdict,
};
use eac_model::{BeneficiaryType, Date, Decimal, EnergyUnit, TechnologyType, Timestamp};
use proptest::prelude::*;

fn t(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}
fn iv(a: &str, b: &str) -> Interval {
    Interval::new(t(a), t(b)).unwrap()
}
fn d(s: &str) -> BigDecimal {
    BigDecimal::from_str(s).unwrap()
}

fn claim(granularity: Granularity) -> ClaimSpec {
    ClaimSpec {
        beneficiary_type: BeneficiaryType::Account,
        beneficiaries: vec!["acc-1".into()],
        from: Date::parse("2024-01-01").unwrap(),
        to: Date::parse("2024-12-31").unwrap(),
        granularity,
        market: Some("NO".into()),
        bidding_zone: Some("NO1".into()),
        unit: EnergyUnit::MWh,
        only_passing: None,
        // The day the claim is checked on: a fixed day, so retirements
        // dated after it are still to come whatever the clock says.
        today: Date::parse("2026-12-07").unwrap(),
    }
}

/// A retired, hourly, young, Norwegian value of acc-1 in NO1.
fn good() -> ValueFacts {
    ValueFacts {
        key: ValueKey {
            cds_eac_id: "eac-1".into(),
            position: 0,
        },
        eac_number: Some("GO-1".into()),
        beneficiary_type: Some(BeneficiaryType::Account),
        beneficiaries: vec!["acc-1".into()],
        retired: Some(Date::parse("2024-07-01").unwrap()),
        retired_undated: false,
        interval: iv("2024-06-01T10:00:00Z", "2024-06-01T11:00:00Z"),
        batch: false,
        asset_commissioned: Some(Date::parse("2015-03-01").unwrap()),
        technology: Some(TechnologyType::Wind),
        market: Some("no".into()),
        bidding_zone: Some("NO1".into()),
        unit: EnergyUnit::MWh,
        quantity: d("1"),
        allocated_elsewhere: BigDecimal::zero(),
        other_claims: vec![],
        recorded_share: None,
        stored_twice: vec![],
    }
}

fn verdict(set: &str, criterion: &str, claim: &ClaimSpec, v: &ValueFacts) -> (Verdict, String) {
    let r = rule_set(set)
        .unwrap()
        .check(claim, v)
        .into_iter()
        .find(|r| r.criterion == criterion)
        .unwrap();
    (r.verdict, r.reason)
}

#[test]
fn every_criterion_passes_fails_and_is_unknown_on_data_built_for_it() {
    let hourly = claim(Granularity::Hourly);
    // (rule set, criterion, how to make it fail, how to make it unknown)
    type Edit = fn(&mut ClaimSpec, &mut ValueFacts);
    let cases: Vec<(&str, &str, Edit, Edit)> = vec![
        (
            "ghg-scope2-2015",
            "ghg.retired",
            |_, v| v.beneficiaries = vec!["someone-else".into()],
            |_, v| v.beneficiary_type = None,
        ),
        (
            "ghg-scope2-2015",
            "ghg.market",
            |_, v| v.market = Some("SE".into()),
            |_, v| v.market = None,
        ),
        (
            "re100",
            "re100.market",
            |_, v| v.market = Some("US".into()),
            |c, _| c.market = None,
        ),
        (
            "re100",
            "re100.age",
            |_, v| v.asset_commissioned = Some(Date::parse("2009-05-31").unwrap()),
            |_, v| v.asset_commissioned = None,
        ),
        (
            "energytag",
            "energytag.zone",
            |_, v| v.bidding_zone = Some("NO2".into()),
            |_, v| v.bidding_zone = None,
        ),
        (
            "re100",
            "re100.renewable",
            |_, v| v.technology = Some(TechnologyType::Coal),
            |_, v| v.technology = None,
        ),
        (
            "re100",
            "re100.retired",
            |_, v| v.retired = None,
            |_, v| v.beneficiary_type = None,
        ),
        (
            "energytag",
            "energytag.retired",
            |_, v| v.retired = None,
            |_, v| v.beneficiary_type = None,
        ),
    ];
    for (set, criterion, fail, unknown) in cases {
        assert_eq!(
            verdict(set, criterion, &hourly, &good()).0,
            Verdict::Pass,
            "{criterion}"
        );
        let (mut c, mut v) = (hourly.clone(), good());
        fail(&mut c, &mut v);
        let (got, reason) = verdict(set, criterion, &c, &v);
        assert_eq!(got, Verdict::Fail, "{criterion}: {reason}");
        let (mut c, mut v) = (hourly.clone(), good());
        unknown(&mut c, &mut v);
        let (got, reason) = verdict(set, criterion, &c, &v);
        assert_eq!(got, Verdict::Unknown, "{criterion}: {reason}");
        assert!(!reason.is_empty());
    }
    // Unknown names what is missing.
    let mut v = good();
    v.asset_commissioned = None;
    assert!(verdict("re100", "re100.age", &hourly, &v)
        .1
        .contains("asset_commissioned"));
}

#[test]
fn re100_counts_the_european_single_market_as_one_market_and_ghg_does_not() {
    let annual = claim(Granularity::Annual);
    let mut v = good();
    v.market = Some("se".into());
    let (got, reason) = verdict("re100", "re100.market", &annual, &v);
    assert_eq!(got, Verdict::Pass, "{reason}");
    assert!(
        reason.contains("Europe"),
        "the reason names the boundary: {reason}"
    );
    assert_eq!(
        verdict("ghg-scope2-2015", "ghg.market", &annual, &v).0,
        Verdict::Fail,
        "GHG Scope 2 keeps the claim's own market"
    );
    // Great Britain and the United States are outside that boundary.
    for outside in ["GB", "US"] {
        v.market = Some(outside.into());
        let (got, reason) = verdict("re100", "re100.market", &annual, &v);
        assert_eq!(got, Verdict::Fail, "{outside}: {reason}");
    }
    // The boundary is data of the rule set, shown with its parameters.
    let re100 = rule_set("re100").unwrap();
    assert!(re100.market_groups[0].markets.contains(&"NO"));
    let shown = serde_json::to_value(&re100).unwrap();
    assert_eq!(shown["market_groups"][0]["name"], "Europe (EU + EFTA)");
}

#[test]
fn retirement_vintage_uniqueness_and_the_hour_fail_where_they_should() {
    let hourly = claim(Granularity::Hourly);
    let mut v = good();
    v.retired = None;
    assert_eq!(
        verdict("ghg-scope2-2015", "ghg.retired", &hourly, &v).0,
        Verdict::Fail
    );
    v.retired_undated = true;
    assert_eq!(
        verdict("ghg-scope2-2015", "ghg.retired", &hourly, &v).0,
        Verdict::Pass
    );

    // GHG's window is the year itself; RE100 reads 3 months either side.
    let mut v = good();
    v.interval = iv("2023-11-01T00:00:00Z", "2023-11-01T01:00:00Z");
    assert_eq!(
        verdict("ghg-scope2-2015", "ghg.vintage", &hourly, &v).0,
        Verdict::Fail
    );
    assert_eq!(
        verdict("re100", "re100.vintage", &hourly, &v).0,
        Verdict::Pass
    );
    v.interval = iv("2023-09-01T00:00:00Z", "2023-09-01T01:00:00Z");
    assert_eq!(
        verdict("re100", "re100.vintage", &hourly, &v).0,
        Verdict::Fail
    );

    let mut v = good();
    v.other_claims = vec![7];
    v.allocated_elsewhere = d("400000");
    let (got, reason) = verdict("ghg-scope2-2015", "ghg.unique", &hourly, &v);
    assert_eq!(got, Verdict::Pass, "part left: {reason}");
    // In the claim's unit, as the check lists the value.
    assert!(
        reason.contains(
            "0.4 MWh of it is allocated to claim 7; this claim can use only the other 0.6 MWh"
        ),
        "{reason}"
    );
    v.recorded_share = Some(d("250000"));
    let (_, reason) = verdict("ghg-scope2-2015", "ghg.unique", &hourly, &v);
    assert!(reason.contains("holds 0.25 MWh of it"), "{reason}");
    v.recorded_share = None;
    v.allocated_elsewhere = d("1000000");
    assert_eq!(
        verdict("ghg-scope2-2015", "ghg.unique", &hourly, &v).0,
        Verdict::Fail
    );

    // A daily value is not granular; an hourly value in an annual claim is
    // not matched hour by hour.
    let mut v = good();
    v.interval = iv("2024-06-01T00:00:00Z", "2024-06-02T00:00:00Z");
    assert_eq!(
        verdict("energytag", "energytag.hour", &hourly, &v).0,
        Verdict::Fail
    );
    // An hour long, but across two clock hours.
    v.interval = iv("2024-06-01T10:30:00Z", "2024-06-01T11:30:00Z");
    assert_eq!(
        verdict("energytag", "energytag.hour", &hourly, &v).0,
        Verdict::Fail
    );
    let annual = claim(Granularity::Annual);
    assert_eq!(
        verdict("energytag", "energytag.hour", &annual, &good()).0,
        Verdict::Fail
    );
    assert_eq!(
        verdict("energytag", "energytag.hour", &hourly, &good()).0,
        Verdict::Pass
    );
}

#[test]
fn every_rule_set_names_its_version_source_and_sections_and_declares_its_parameters() {
    for set in rule_sets() {
        assert!(!set.version.is_empty() && !set.document.is_empty());
        for c in &set.criteria {
            assert!(!c.section.is_empty(), "{}", c.id);
        }
        // Every check finds its parameters (a missing one panics).
        let results = set.check(&claim(Granularity::Hourly), &good());
        assert_eq!(overall(&results), Verdict::Pass, "{}: {results:?}", set.id);
    }
}

#[test]
fn the_report_matches_a_hand_computed_example() {
    // 2024, annual: consumption 10 MWh (two rows); one retired value of
    // 6.5 MWh and one of 1500 kWh. Residual mix 0.4, grid 0.02 tCO2e/MWh.
    // matched = 8 MWh, unmatched = 2 MWh, coverage 80 %, market-based
    // 2 × 0.4 = 0.8 t, location-based 10 × 0.02 = 0.2 t.
    let spec = claim(Granularity::Annual);
    let supplies = [
        Supply {
            key: ValueKey {
                cds_eac_id: "a".into(),
                position: 0,
            },
            interval: iv("2024-03-01T00:00:00Z", "2024-04-01T00:00:00Z"),
            available: d("6500000"),
        },
        Supply {
            key: ValueKey {
                cds_eac_id: "b".into(),
                position: 0,
            },
            interval: iv("2024-05-01T00:00:00Z", "2024-06-01T00:00:00Z"),
            available: d("1500000"),
        },
    ];
    let demand = [
        Demand {
            interval: iv("2024-01-01T00:00:00Z", "2024-07-01T00:00:00Z"),
            quantity: d("4000000"),
            label: "line 2".into(),
        },
        Demand {
            interval: iv("2024-07-01T00:00:00Z", "2025-01-01T00:00:00Z"),
            quantity: d("6000000"),
            label: "line 3".into(),
        },
    ];
    let m = allocate(
        Scope::of(spec.period(), spec.granularity),
        &supplies,
        &demand,
    )
    .unwrap();
    let factor = |kind: &str, f: &str| FactorUse {
        market: "NO".into(),
        kind: kind.into(),
        year: 2024,
        tco2e_per_mwh: Decimal::parse(f).unwrap(),
        source: "AIB 2024".into(),
    };
    // Both values are wind: their matched MWh count as zero.
    let facts = |id: &str| ValueFacts {
        key: ValueKey {
            cds_eac_id: id.into(),
            position: 0,
        },
        ..good()
    };
    let values = [facts("a"), facts("b")];
    let r = scope2_report(
        &spec,
        &m,
        &values,
        Some(factor("residual_mix", "0.4")),
        Some(factor("grid", "0.02")),
    );
    // The JSON holds exact numbers (read as text: a JSON parser would
    // make them floats).
    let json = serde_json::to_string(&r).unwrap();
    for member in [
        r#""consumption":10,"#,
        r#""matched":8,"#,
        r#""unit":"MWh""#,
        r#""coverage_percent":80.0000,"#,
        r#""market_based_tco2e":0.8,"#,
        r#""location_based_tco2e":0.2,"#,
    ] {
        assert!(json.contains(member), "{member} not in {json}");
    }
    assert!(r.missing.is_empty());
    // Without factors the figures are absent and the reason is named.
    let r = scope2_report(&spec, &m, &values, None, None);
    assert!(r.market_based_tco2e.is_none());
    assert!(r.missing[0].contains("residual-mix"), "{:?}", r.missing);
    // A recorded claim recorded without a factor: absent too, saying so,
    // and naming one entered since (decision 273).
    let r = scope2_report_with(
        &spec,
        &m,
        &values,
        FactorFound::NotRecorded { since: None },
        FactorFound::NotRecorded {
            since: Some(factor("grid", "0.02")),
        },
    );
    assert_eq!((&r.market_based_tco2e, &r.grid_factor), (&None, &None));
    assert_eq!(
        r.missing,
        [
            "market-based emissions: no residual-mix factor for market NO in 2024 had been \
             entered when this claim was recorded, and a recorded claim's report keeps the \
             factors it was recorded with; to use one, enter it, then delete the claim and \
             record it again",
            "location-based emissions: no grid factor for market NO in 2024 had been entered \
             when this claim was recorded, and a recorded claim's report keeps the factors it \
             was recorded with; one has been entered since (0.02 tCO2e/MWh, AIB 2024): \
             recording the claim again (delete it and record it anew) would use it",
        ]
    );
}

#[test]
fn hourly_score_counts_hours_fully_covered() {
    let spec = ClaimSpec {
        from: Date::parse("2024-06-01").unwrap(),
        to: Date::parse("2024-06-01").unwrap(),
        ..claim(Granularity::Hourly)
    };
    let key = |id: &str| ValueKey {
        cds_eac_id: id.into(),
        position: 0,
    };
    let supplies = [
        Supply {
            key: key("h10"),
            interval: iv("2024-06-01T10:00:00Z", "2024-06-01T11:00:00Z"),
            available: d("7"),
        },
        Supply {
            key: key("h11"),
            interval: iv("2024-06-01T11:00:00Z", "2024-06-01T12:00:00Z"),
            available: d("1"),
        },
    ];
    let demand = [
        Demand {
            interval: iv("2024-06-01T10:00:00Z", "2024-06-01T11:00:00Z"),
            quantity: d("5"),
            label: "2".into(),
        },
        Demand {
            interval: iv("2024-06-01T11:00:00Z", "2024-06-01T12:00:00Z"),
            quantity: d("3"),
            label: "3".into(),
        },
    ];
    let m = allocate(
        Scope::of(spec.period(), spec.granularity),
        &supplies,
        &demand,
    )
    .unwrap();
    let r = scope2_report(
        &ClaimSpec {
            unit: EnergyUnit::Wh,
            ..spec
        },
        &m,
        &[],
        None,
        None,
    );
    let h = r.hourly.unwrap();
    assert_eq!((h.hours, h.hours_fully_covered), (2, 1));
    assert_eq!(h.hours_covered_percent.unwrap().as_str(), "50.0000");
    assert_eq!(h.matched_percent.unwrap().as_str(), "75.0000");
    assert_eq!(r.surplus.unwrap().as_str(), "2");
    assert_eq!(r.intervals.len(), 24);
}

fn amount() -> impl Strategy<Value = BigDecimal> {
    (0u64..5_000_000, 0i64..4).prop_map(|(m, s)| BigDecimal::new(m.into(), s))
}

proptest! {
    #[test]
    fn allocation_conserves_quantities_and_never_over_allocates(
        values in prop::collection::vec((0u32..48, 1u32..30, amount()), 0..12),
        use_in in prop::collection::vec((0u32..48, amount()), 0..24),
        granularity in prop::sample::select(vec![Granularity::Annual, Granularity::Monthly, Granularity::Hourly]),
    ) {
        let base = t("2024-01-30T00:00:00Z");
        let hour = |h: u32| Timestamp::from_utc(base.as_utc() + chrono::Duration::hours(i64::from(h)));
        let period = Interval::new(base, hour(72)).unwrap();
        let supplies: Vec<Supply> = values.iter().enumerate().map(|(i, (s, len, q))| Supply {
            key: ValueKey { cds_eac_id: format!("v{i}"), position: 0 },
            interval: Interval::new(hour(*s), hour(s + len)).unwrap(),
            available: q.clone(),
        }).collect();
        // One consumption row per distinct hour.
        let mut seen = std::collections::BTreeSet::new();
        let demand: Vec<Demand> = use_in.iter().filter(|(h, _)| seen.insert(*h)).map(|(h, q)| Demand {
            interval: Interval::new(hour(*h), hour(h + 1)).unwrap(),
            quantity: q.clone(),
            label: format!("h{h}"),
        }).collect();
        let m = allocate(Scope::of(period, granularity), &supplies, &demand).unwrap();
        let total_demand: BigDecimal = demand.iter().map(|d| &d.quantity).sum();
        prop_assert_eq!(m.consumption(), total_demand);
        for b in &m.buckets {
            prop_assert_eq!(&b.matched + &b.shortfall, b.consumption.clone());
            prop_assert!(b.shortfall >= BigDecimal::zero());
            let given: BigDecimal = m.allocations.iter().filter(|a| a.interval == b.interval).map(|a| &a.quantity).sum();
            prop_assert_eq!(given, b.matched.clone());
        }
        let mut eligible_total = BigDecimal::zero();
        for s in &supplies {
            let used = m.allocated_to(&s.key);
            prop_assert!(used <= s.available, "{} over-allocated", s.key.cds_eac_id);
            if !m.ineligible.contains(&s.key) {
                eligible_total += &s.available;
            } else {
                prop_assert!(used.is_zero());
            }
        }
        prop_assert!(m.allocations.iter().all(|a| a.quantity > BigDecimal::zero()));
        prop_assert_eq!(m.matched() + m.surplus().unwrap(), eligible_total);
        // Each value goes only where the documented rule lets it, and an
        // interval left short had every value eligible for it used up.
        let eligible = |v: &Interval, b: &Interval| match granularity {
            Granularity::Hourly => v.contains(b),
            _ => period.contains(v) && v.overlaps(b),
        };
        for a in &m.allocations {
            let s = supplies.iter().find(|s| s.key == a.key).unwrap();
            prop_assert!(eligible(&s.interval, &a.interval));
        }
        for s in &supplies {
            let anywhere = m.buckets.iter().any(|b| eligible(&s.interval, &b.interval));
            prop_assert_eq!(anywhere, !m.ineligible.contains(&s.key));
            for b in m.buckets.iter().filter(|b| !b.shortfall.is_zero()) {
                if eligible(&s.interval, &b.interval) {
                    prop_assert_eq!(m.allocated_to(&s.key), s.available.clone());
                }
            }
        }
        // A recorded claim reports the figures it was made with, without
        // a surplus (what is free now is no part of it).
        let settled = settle(period, granularity, &demand, m.allocations.clone()).unwrap();
        prop_assert_eq!(settled.surplus(), None);
        for (a, b) in settled.buckets.iter().zip(&m.buckets) {
            prop_assert_eq!((a.interval, &a.consumption, &a.matched, &a.shortfall), (b.interval, &b.consumption, &b.matched, &b.shortfall));
        }
        prop_assert_eq!(settled.allocations, m.allocations);
    }
}

#[test]
fn a_monthly_claim_fills_months_in_order_and_leaves_values_outside_the_period_alone() {
    // January consumes 4, February 4. A value over January–February holds
    // 6 (used in January first, its rest in February); a value from
    // December 2023 lies outside the period and is not eligible.
    let spec = claim(Granularity::Monthly);
    let key = |id: &str| ValueKey {
        cds_eac_id: id.into(),
        position: 0,
    };
    let supplies = [
        Supply {
            key: key("jan-feb"),
            interval: iv("2024-01-01T00:00:00Z", "2024-03-01T00:00:00Z"),
            available: d("6"),
        },
        Supply {
            key: key("dec"),
            interval: iv("2023-12-01T00:00:00Z", "2024-01-01T00:00:00Z"),
            available: d("100"),
        },
    ];
    let demand = [
        Demand {
            interval: iv("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"),
            quantity: d("4"),
            label: "jan".into(),
        },
        Demand {
            interval: iv("2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"),
            quantity: d("4"),
            label: "feb".into(),
        },
    ];
    let m = allocate(
        Scope::of(spec.period(), spec.granularity),
        &supplies,
        &demand,
    )
    .unwrap();
    assert_eq!(m.buckets.len(), 12);
    assert_eq!(
        (&m.buckets[0].matched, &m.buckets[0].shortfall),
        (&d("4"), &d("0"))
    );
    assert_eq!(
        (&m.buckets[1].matched, &m.buckets[1].shortfall),
        (&d("2"), &d("2"))
    );
    assert_eq!(m.ineligible, vec![key("dec")]);
    assert_eq!(m.surplus(), Some(BigDecimal::zero()));
}

/// RE100's vintage window (3 months either side) brings values produced
/// near the period into a claim limited to it: one from December 2023
/// backs January (the nearest interval), one from February 2025 backs
/// December; within the month, values of the period itself go first. A
/// value from August 2023 stays outside.
#[test]
fn a_vintage_window_lets_values_near_the_period_back_its_nearest_interval() {
    let key = |id: &str| ValueKey {
        cds_eac_id: id.into(),
        position: 0,
    };
    let supply = |id: &str, a: &str, b: &str, q: &str| Supply {
        key: key(id),
        interval: iv(a, b),
        available: d(q),
    };
    let supplies = [
        supply("dec", "2023-12-01T00:00:00Z", "2024-01-01T00:00:00Z", "3"),
        supply("jan", "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z", "2"),
        supply("aug", "2023-08-01T00:00:00Z", "2023-09-01T00:00:00Z", "9"),
        supply("feb25", "2025-02-01T00:00:00Z", "2025-03-01T00:00:00Z", "1"),
        supply(
            "across",
            "2023-12-15T00:00:00Z",
            "2024-01-15T00:00:00Z",
            "1",
        ),
    ];
    let demand = [
        Demand {
            interval: iv("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"),
            quantity: d("4"),
            label: "jan".into(),
        },
        Demand {
            interval: iv("2024-12-01T00:00:00Z", "2025-01-01T00:00:00Z"),
            quantity: d("5"),
            label: "dec".into(),
        },
    ];
    let re100 = rule_set("re100").unwrap();
    for granularity in [Granularity::Monthly, Granularity::Annual] {
        let spec = claim(granularity);
        let scope = Scope {
            period: spec.period(),
            window: re100.window(&spec).unwrap(),
            granularity,
        };
        let m = allocate(scope, &supplies, &demand).unwrap();
        let given = |id: &str| m.allocated_to(&key(id));
        // The period's own value and the one across its start first, then
        // December 2023's (monthly: January needs 1 more of it); February
        // 2025's too (monthly: in December).
        let (dec, matched) = match granularity {
            Granularity::Monthly => ("1", "5"),
            _ => ("3", "7"),
        };
        assert_eq!(
            (given("jan"), given("across"), given("dec"), given("feb25")),
            (d("2"), d("1"), d(dec), d("1")),
            "{granularity:?}"
        );
        assert_eq!(m.matched(), d(matched), "{granularity:?}");
        assert_eq!(m.ineligible, vec![key("aug")], "{granularity:?}");
        if granularity == Granularity::Monthly {
            let dec = m
                .allocations
                .iter()
                .find(|a| a.key == key("feb25"))
                .unwrap();
            assert_eq!(dec.interval.start, t("2024-12-01T00:00:00Z"));
            assert_eq!(
                (&m.buckets[0].matched, &m.buckets[11].matched),
                (&d("4"), &d("1"))
            );
        }
        // Without the window (GHG's 0 months) only the period's value is used.
        let m = allocate(Scope::of(spec.period(), granularity), &supplies, &demand).unwrap();
        assert_eq!(m.matched(), d("2"), "{granularity:?}");
    }
    // GHG's rule set has a window of the period itself.
    let spec = claim(Granularity::Annual);
    let ghg = rule_set("ghg-scope2-2015").unwrap();
    assert_eq!(ghg.window(&spec), Some(spec.period()));
    assert_eq!(rule_set("energytag").unwrap().window(&spec), None);
}

/// "Commissioned or re-powered within the last 15 years": a plant exactly
/// 15 years old when it produced passes, one a moment older fails, and the
/// parameter and the reasons say the same.
#[test]
fn re100s_age_limit_passes_a_plant_exactly_15_years_old() {
    let hourly = claim(Granularity::Hourly);
    let mut v = good();
    v.asset_commissioned = Some(Date::parse("2009-06-01").unwrap());
    v.interval = iv("2024-06-01T00:00:00Z", "2024-06-01T01:00:00Z");
    let (got, reason) = verdict("re100", "re100.age", &hourly, &v);
    assert_eq!(got, Verdict::Pass, "{reason}");
    assert!(
        reason.contains("within 15 years before it produced"),
        "{reason}"
    );
    v.interval = iv("2024-06-01T00:15:00Z", "2024-06-01T01:00:00Z");
    let (got, reason) = verdict("re100", "re100.age", &hourly, &v);
    assert_eq!(got, Verdict::Fail, "{reason}");
    assert!(
        reason.contains("15 years old on 2024-06-01, before it produced (2024-06-01T00:15:00Z)"),
        "{reason}"
    );
    let re100 = rule_set("re100").unwrap();
    let age = re100
        .params
        .iter()
        .find(|p| p.name == "max_plant_age_years")
        .unwrap();
    assert!(
        age.meaning.contains("exactly this old passes"),
        "{}",
        age.meaning
    );
}

/// The same certificate stored twice (one statement imported as a listing
/// and again from its registry file) is no unique claim under any rule
/// set, also for a recorded claim, and the reason names the other EAC and
/// what to do.
#[test]
fn a_certificate_stored_twice_fails_every_uniqueness_criterion() {
    let annual = claim(Granularity::Annual);
    let mut v = good();
    v.stored_twice = vec![StoredTwice {
        other_eac: "eac-2".into(),
        kind: "retired_twice".into(),
        registry: "REG-X".into(),
        shared: "1".into(),
    }];
    for recorded in [None, Some(d("1000000"))] {
        v.recorded_share = recorded;
        for (set, criterion) in [
            ("ghg-scope2-2015", "ghg.unique"),
            ("re100", "re100.unique"),
            ("energytag", "energytag.unique"),
        ] {
            let (got, reason) = verdict(set, criterion, &annual, &v);
            assert_eq!(got, Verdict::Fail, "{criterion}: {reason}");
            for words in [
                "EAC eac-1 (number GO-1) value 1 holds certificates that another stored EAC holds too",
                "EAC `eac-2` (retired twice in REG-X: 1 certificate shared)",
                "`eacdesk check`",
                "eacdesk delete",
            ] {
                assert!(reason.contains(words), "{criterion}: {words} not in {reason}");
            }
        }
    }
    // A value passing everything else is then not allocated by a claim
    // limited to any of the rule sets.
    v.recorded_share = None;
    for set in rule_sets() {
        assert_eq!(
            overall(&set.check(&claim(Granularity::Hourly), &v)),
            Verdict::Fail,
            "{}",
            set.id
        );
    }
}

/// RE100 counts renewable electricity only; a value never retired passes
/// neither RE100 nor EnergyTag.
#[test]
fn re100_fails_fossil_and_nuclear_values_and_both_fail_unretired_ones() {
    let annual = claim(Granularity::Annual);
    let mut v = good();
    for (technology, expected) in [
        (TechnologyType::Solar, Verdict::Pass),
        (TechnologyType::Wind, Verdict::Pass),
        (TechnologyType::Hydro, Verdict::Pass),
        (TechnologyType::Geothermal, Verdict::Pass),
        (TechnologyType::Biomass, Verdict::Pass),
        (TechnologyType::Marine, Verdict::Pass),
        (TechnologyType::Coal, Verdict::Fail),
        (TechnologyType::NaturalGas, Verdict::Fail),
        (TechnologyType::Oil, Verdict::Fail),
        (TechnologyType::Nuclear, Verdict::Fail),
        (TechnologyType::Storage, Verdict::Fail),
    ] {
        v.technology = Some(technology);
        let (got, reason) = verdict("re100", "re100.renewable", &annual, &v);
        assert_eq!(got, expected, "{technology:?}: {reason}");
        assert!(reason.contains(technology.as_str()), "{reason}");
    }
    v.technology = Some(TechnologyType::Coal);
    let (_, reason) = verdict("re100", "re100.renewable", &annual, &v);
    assert!(reason.contains("produced from coal"), "{reason}");
    v.technology = None;
    let (_, reason) = verdict("re100", "re100.renewable", &annual, &v);
    assert!(reason.contains("no technology_type"), "{reason}");

    let mut v = good();
    v.retired = None;
    for (set, criterion) in [
        ("re100", "re100.retired"),
        ("energytag", "energytag.retired"),
    ] {
        let (got, reason) = verdict(set, criterion, &claim(Granularity::Hourly), &v);
        assert_eq!(got, Verdict::Fail, "{criterion}");
        assert!(reason.contains("is not retired"), "{reason}");
        assert_eq!(
            overall(
                &rule_set(set)
                    .unwrap()
                    .check(&claim(Granularity::Hourly), &v)
            ),
            Verdict::Fail
        );
    }
}

/// RE100's vintage window ends at the end of the period's last day moved 3
/// months on: a period ending 28 Nov holds the whole of 28 Feb (MAT42
/// finding 1), whatever day of the month the period ends on, in leap years
/// too; the start is the first day moved 3 months back.
#[test]
fn the_vintage_window_holds_the_whole_day_3_months_after_the_last() {
    let re100 = rule_set("re100").unwrap();
    let spec = |from: &str, to: &str| ClaimSpec {
        from: Date::parse(from).unwrap(),
        to: Date::parse(to).unwrap(),
        ..claim(Granularity::Annual)
    };
    for (from, to, start, end) in [
        // The reported case and its neighbours: every one holds 28 Feb.
        ("2024-01-01", "2024-11-28", "2023-10-01", "2025-03-01"),
        ("2024-01-01", "2024-11-29", "2023-10-01", "2025-03-01"),
        ("2024-01-01", "2024-11-30", "2023-10-01", "2025-03-01"),
        ("2024-01-01", "2024-11-27", "2023-10-01", "2025-02-28"),
        ("2024-01-01", "2024-03-30", "2023-10-01", "2024-07-01"),
        ("2024-01-01", "2024-03-31", "2023-10-01", "2024-07-01"),
        ("2024-01-01", "2024-08-30", "2023-10-01", "2024-12-01"),
        ("2024-01-01", "2024-08-31", "2023-10-01", "2024-12-01"),
        ("2024-01-01", "2024-12-31", "2023-10-01", "2025-04-01"),
        // Into a leap February: 29 Feb is held whole.
        ("2023-01-01", "2023-11-28", "2022-10-01", "2024-02-29"),
        ("2023-01-01", "2023-11-29", "2022-10-01", "2024-03-01"),
        ("2023-01-01", "2023-11-30", "2022-10-01", "2024-03-01"),
        // The start side: the first day moved back, clipped to the month.
        ("2024-05-31", "2024-06-30", "2024-02-29", "2024-10-01"),
        ("2025-05-31", "2025-06-30", "2025-02-28", "2025-10-01"),
        ("2024-06-30", "2024-06-30", "2024-03-30", "2024-10-01"),
    ] {
        let s = spec(from, to);
        let w = re100.window(&s).unwrap();
        assert_eq!(
            (w.start, w.end),
            (
                t(&format!("{start}T00:00:00Z")),
                t(&format!("{end}T00:00:00Z"))
            ),
            "{from} to {to}"
        );
        // GHG's window of 0 months is the period itself.
        assert_eq!(
            rule_set("ghg-scope2-2015").unwrap().window(&s),
            Some(s.period())
        );
    }
    // The criterion says the same: 28 Feb's first hour lies within the
    // window of a period ending 28 Nov, and is allocated to such a claim
    // limited to RE100.
    let s = ClaimSpec {
        only_passing: Some("re100".into()),
        ..spec("2024-01-01", "2024-11-28")
    };
    let mut v = good();
    v.interval = iv("2025-02-28T00:00:00Z", "2025-02-28T01:00:00Z");
    let (got, reason) = verdict("re100", "re100.vintage", &s, &v);
    assert_eq!(got, Verdict::Pass, "{reason}");
    assert!(
        reason.contains("(2023-10-01T00:00:00Z to 2025-03-01T00:00:00Z)"),
        "{reason}"
    );
    v.interval = iv("2025-03-01T00:00:00Z", "2025-03-01T01:00:00Z");
    assert_eq!(verdict("re100", "re100.vintage", &s, &v).0, Verdict::Fail);
    let scope = Scope {
        period: s.period(),
        window: re100.window(&s).unwrap(),
        granularity: Granularity::Annual,
    };
    let key = ValueKey {
        cds_eac_id: "feb28".into(),
        position: 0,
    };
    let m = allocate(
        scope,
        &[Supply {
            key: key.clone(),
            interval: iv("2025-02-28T00:00:00Z", "2025-02-28T01:00:00Z"),
            available: d("1"),
        }],
        &[Demand {
            interval: iv("2024-01-01T00:00:00Z", "2024-11-29T00:00:00Z"),
            quantity: d("10"),
            label: "year".into(),
        }],
    )
    .unwrap();
    assert_eq!(m.allocated_to(&key), d("1"));
}

/// A retirement dated after the day the claim is checked on has not
/// happened: every rule set's `retired` criterion fails and says so, and the
/// value is not retired for allocation; on that day it is (MAT42 finding 2).
/// One dated before its production ended passes, and the reason says the
/// dates contradict each other.
#[test]
fn a_retirement_still_to_come_is_no_retirement_and_an_early_one_is_named() {
    let hourly = claim(Granularity::Hourly);
    let mut v = good();
    v.retired = Some(Date::parse("2031-01-01").unwrap());
    assert!(!v.is_retired(hourly.today));
    for (set, criterion) in [
        ("ghg-scope2-2015", "ghg.retired"),
        ("re100", "re100.retired"),
        ("energytag", "energytag.retired"),
    ] {
        let (got, reason) = verdict(set, criterion, &hourly, &v);
        assert_eq!(got, Verdict::Fail, "{criterion}: {reason}");
        assert_eq!(
            reason,
            "EAC eac-1 (number GO-1) value 1 is retired on 2031-01-01, a date still to come \
             (today is 2026-12-07): it is not retired yet, so no claim is allocated it; if the \
             date is a mistake, correct it in the registry's document and import that again"
        );
    }
    // Retired today: retired.
    v.retired = Some(hourly.today);
    assert!(v.is_retired(hourly.today));
    assert_eq!(
        verdict("ghg-scope2-2015", "ghg.retired", &hourly, &v).0,
        Verdict::Pass
    );
    // Retired a month before it was produced: passes, and says so.
    v.retired = Some(Date::parse("2024-05-01").unwrap());
    let (got, reason) = verdict("energytag", "energytag.retired", &hourly, &v);
    assert_eq!(got, Verdict::Pass);
    assert_eq!(
        reason,
        "retired on 2024-05-01 for account acc-1, but 2024-05-01 is before its production \
         ended (2024-06-01T11:00:00Z): a certificate is retired only once its electricity is \
         produced, so check the retirement date and the production period"
    );
    // On the day it was produced: nothing to say (a retirement is a day).
    v.retired = Some(Date::parse("2024-06-01").unwrap());
    let (_, reason) = verdict("re100", "re100.retired", &hourly, &v);
    assert_eq!(reason, "retired on 2024-06-01 for account acc-1");
}

/// The criteria say what is true of the value: a value across the period's
/// start lies partly outside it, a plant commissioned after the value's
/// production is not "15 years before it", and `re100.vintage` advises
/// `--only-passing` only to a claim not limited to it.
#[test]
fn criteria_reasons_are_true_of_the_value_and_the_claim() {
    let annual = claim(Granularity::Annual);
    let mut v = good();
    v.interval = iv("2023-12-01T00:00:00Z", "2024-02-01T00:00:00Z");
    let (got, reason) = verdict("ghg-scope2-2015", "ghg.vintage", &annual, &v);
    assert_eq!(got, Verdict::Fail);
    assert!(
        reason.contains("lies partly outside the reporting period"),
        "{reason}"
    );
    v.interval = iv("2023-06-01T00:00:00Z", "2023-07-01T00:00:00Z");
    let (_, reason) = verdict("ghg-scope2-2015", "ghg.vintage", &annual, &v);
    assert!(
        reason.contains(") lies outside the reporting period"),
        "{reason}"
    );

    let mut v = good();
    v.asset_commissioned = Some(Date::parse("2025-06-01").unwrap());
    v.interval = iv("2024-03-01T00:00:00Z", "2024-03-01T01:00:00Z");
    let (got, reason) = verdict("re100", "re100.age", &annual, &v);
    assert_eq!(got, Verdict::Pass, "younger than the limit: {reason}");
    assert!(!reason.contains("before it produced"), "{reason}");
    assert!(
        reason.contains("commissioned 2025-06-01, after the value's production began"),
        "{reason}"
    );

    let mut v = good();
    v.interval = iv("2023-12-01T00:00:00Z", "2024-01-01T00:00:00Z");
    let (got, reason) = verdict("re100", "re100.vintage", &annual, &v);
    assert_eq!(got, Verdict::Pass);
    assert!(
        reason.contains(
            "so only a claim limited to this rule set (--only-passing re100) allocates it"
        ),
        "{reason}"
    );
    let limited = ClaimSpec {
        only_passing: Some("re100".into()),
        ..annual.clone()
    };
    let (got, reason) = verdict("re100", "re100.vintage", &limited, &v);
    assert_eq!(got, Verdict::Pass);
    assert!(!reason.contains("only a claim limited"), "{reason}");
    assert!(
        reason.contains("this claim is limited to this rule set (--only-passing re100)"),
        "{reason}"
    );
}

/// Matched MWh count as zero in the market-based figure only from sources
/// with no direct emissions: coal, gas or an unknown technology leave it
/// not computed, saying how much came from which; biomass and nuclear
/// count as zero.
#[test]
fn fossil_certificates_leave_the_market_based_figure_not_computed() {
    // 2024, annual: 20 MWh consumed; 10 MWh coal, 5 MWh gas, 2 MWh wind
    // matched; residual mix 0.7.
    let spec = claim(Granularity::Annual);
    let key = |id: &str| ValueKey {
        cds_eac_id: id.into(),
        position: 0,
    };
    let supply = |id: &str, q: &str| Supply {
        key: key(id),
        interval: iv("2024-03-01T00:00:00Z", "2024-04-01T00:00:00Z"),
        available: d(q),
    };
    let supplies = [
        supply("coal", "10000000"),
        supply("gas", "5000000"),
        supply("wind", "2000000"),
    ];
    let demand = [Demand {
        interval: iv("2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z"),
        quantity: d("20000000"),
        label: "line 2".into(),
    }];
    let m = allocate(
        Scope::of(spec.period(), spec.granularity),
        &supplies,
        &demand,
    )
    .unwrap();
    let facts = |id: &str, technology: Option<TechnologyType>| ValueFacts {
        key: key(id),
        technology,
        ..good()
    };
    let residual = || {
        Some(FactorUse {
            market: "NO".into(),
            kind: "residual_mix".into(),
            year: 2024,
            tco2e_per_mwh: Decimal::parse("0.7").unwrap(),
            source: "AIB".into(),
        })
    };
    let values = [
        facts("coal", Some(TechnologyType::Coal)),
        facts("gas", Some(TechnologyType::NaturalGas)),
        facts("wind", Some(TechnologyType::Wind)),
    ];
    let r = scope2_report(&spec, &m, &values, residual(), None);
    assert_eq!(r.matched.as_str(), "17");
    assert_eq!(r.market_based_tco2e, None, "never 3 × 0.7 = 2.1");
    assert!(
        r.missing[0].starts_with(
            "market-based emissions: of the matched quantity, 5 MWh from natural_gas EACs and \
             10 MWh from coal EACs; "
        ),
        "{:?}",
        r.missing
    );
    assert!(
        r.missing[0].contains("--only-passing re100"),
        "{:?}",
        r.missing
    );
    // The JSON says null, as for a missing factor.
    let json = serde_json::to_string(&r).unwrap();
    assert!(json.contains(r#""market_based_tco2e":null"#), "{json}");

    // An unknown technology: not computed either, asking for it.
    let values = [
        facts("coal", None),
        facts("gas", Some(TechnologyType::Wind)),
        facts("wind", Some(TechnologyType::Wind)),
    ];
    let r = scope2_report(&spec, &m, &values, residual(), None);
    assert_eq!(r.market_based_tco2e, None);
    assert!(
        r.missing[0].contains("10 MWh from EACs with no technology_type (enter it)"),
        "{:?}",
        r.missing
    );

    // Biomass and nuclear have no direct emissions in Scope 2: 3 × 0.7.
    let values = [
        facts("coal", Some(TechnologyType::Biomass)),
        facts("gas", Some(TechnologyType::Nuclear)),
        facts("wind", Some(TechnologyType::Wind)),
    ];
    let r = scope2_report(&spec, &m, &values, residual(), None);
    assert_eq!(r.market_based_tco2e.unwrap().as_str(), "2.1");
    assert!(
        r.missing.iter().all(|m| !m.starts_with("market-based")),
        "{:?}",
        r.missing
    );
}

/// A row reaching outside an annual claim's period is told as such ("a
/// annual matching interval … or choose a coarser granularity" was said
/// of it); a monthly claim's row across a month says months are UTC.
#[test]
fn a_row_that_does_not_fit_says_which_edge_it_crosses() {
    let spec = claim(Granularity::Annual);
    let row = Demand {
        interval: iv("2023-12-15T00:00:00Z", "2024-01-15T00:00:00Z"),
        quantity: d("1"),
        label: "line 2".into(),
    };
    let e = allocate(Scope::of(spec.period(), spec.granularity), &[], &[row]).unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains(
            "lies partly outside the reporting period (2024-01-01 to 2024-12-31, UTC days)"
        ),
        "{text}"
    );
    for wrong in ["a annual", "coarser", "hourly"] {
        assert!(!text.contains(wrong), "{wrong} in {text}");
    }
    // Which edge, by how much; less than a day past one is a file in
    // local time (CLM41 finding 7).
    assert!(
        text.contains("starts 17 days before the period's first day (2024-01-01, from 00:00 UTC)"),
        "{text}"
    );
    assert!(!text.contains("local time"), "{text}");
    for (start, end, said) in [
        (
            "2023-12-31T23:00:00Z",
            "2024-02-01T00:00:00Z",
            "starts 1 hour before the period's first day (2024-01-01, from 00:00 UTC): it lies \
             partly outside the reporting period (2024-01-01 to 2024-12-31, UTC days); a \
             reporting period is of UTC days, and a file written in local time (such as +01:00) \
             reaches past them.",
        ),
        (
            "2024-12-01T00:00:00Z",
            "2025-01-01T00:30:00Z",
            "ends 30 minutes after the period's last day (2024-12-31, to 24:00 UTC)",
        ),
        (
            "2023-12-30T22:00:00Z",
            "2025-01-02T01:00:00Z",
            "starts 1 day 2 hours before the period's first day (2024-01-01, from 00:00 UTC) and \
             ends 1 day 1 hour after the period's last day (2024-12-31, to 24:00 UTC)",
        ),
    ] {
        let row = Demand {
            interval: iv(start, end),
            quantity: d("1"),
            label: "line 2".into(),
        };
        let text = allocate(Scope::of(spec.period(), spec.granularity), &[], &[row])
            .unwrap_err()
            .to_string();
        assert!(text.contains(said), "{said}\nnot in\n{text}");
    }
    let spec = claim(Granularity::Monthly);
    let row = Demand {
        interval: iv("2024-02-29T23:00:00Z", "2024-03-31T22:00:00Z"),
        quantity: d("1"),
        label: "line 2".into(),
    };
    let text = allocate(Scope::of(spec.period(), spec.granularity), &[], &[row])
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("crosses the edge of a calendar month (months are UTC"),
        "{text}"
    );
    assert!(text.contains("or choose annual matching"), "{text}");
}
