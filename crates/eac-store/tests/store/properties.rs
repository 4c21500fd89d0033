//! Properties of the browse order, on random databases: paging through a
//! sort gives every EAC exactly once, in the order of the exact values the
//! sort names (quantities compared across units in Wh, periods as
//! instants), ties broken by `cds_eac_id`, and descending is the reverse.

use super::*;
use bigdecimal::BigDecimal;
use proptest::prelude::*;

/// Amount text as files write it: plain, with a fraction, or with an exponent.
fn quantity() -> impl Strategy<Value = String> {
    (0u64..2_000_000, 0usize..4, prop::option::of(-3i32..4)).prop_map(|(n, frac, exp)| {
        let digits = n.to_string();
        let mut text = if frac > 0 && digits.len() > frac {
            let (int, f) = digits.split_at(digits.len() - frac);
            format!("{int}.{f}")
        } else {
            digits
        };
        if let Some(e) = exp {
            text.push_str(&format!("e{e}"));
        }
        text
    })
}

fn unit() -> impl Strategy<Value = EnergyUnit> {
    prop::sample::select(EnergyUnit::ALL.to_vec())
}

/// Per EAC: one or two values, and a period start (minutes into 2024).
fn eacs() -> impl Strategy<Value = Vec<(Vec<(EnergyUnit, String)>, i64)>> {
    prop::collection::vec(
        (prop::collection::vec((unit(), quantity()), 1..3), 0i64..200),
        1..10,
    )
}

fn build(spec: &[(Vec<(EnergyUnit, String)>, i64)]) -> Vec<Eac> {
    let base = ts("2024-01-01T00:00:00Z").as_utc();
    spec.iter()
        .enumerate()
        .map(|(i, (values, minutes))| {
            let mut e = eac(&format!("E{i:02}"));
            e.period_start = Timestamp::from_utc(base + chrono::Duration::minutes(*minutes));
            // Ends on 21 January, 5 or 20 February: periods a filter tells apart.
            e.period_end =
                Timestamp::from_utc(base + chrono::Duration::days(20 + (minutes % 3) * 15));
            // Facets that vary with the spec, some missing.
            let pick = usize::try_from(*minutes).unwrap() + values.len();
            e.technology_type = [
                Some(TechnologyType::Wind),
                Some(TechnologyType::Solar),
                None,
            ][pick % 3];
            e.source_id = ["REG-1", "REG-2"][pick % 2].into();
            e.destination_id =
                [Some("UTIL-1".into()), Some("UTIL-2".into()), None][(pick / 2) % 3].clone();
            if e.destination_id.is_none() {
                e.destination_name = None;
            }
            e.values = values
                .iter()
                .map(|(u, q)| EacValue {
                    start: Some(e.period_start),
                    end: Some(e.period_end),
                    ..value(*u, q)
                })
                .collect();
            // Retired: none, the first value (partly or wholly), or all.
            let retire = pick % 4;
            for (n, v) in e.values.iter_mut().enumerate() {
                if retire == 3 || (retire == 1 && n == 0) {
                    v.retired = Some(date("2024-03-01"));
                }
            }
            e
        })
        .collect()
}

fn exact_wh(e: &Eac) -> BigDecimal {
    e.values
        .iter()
        .map(|v| v.value.to_big() * BigDecimal::new(1.into(), -v.unit.wh_exponent()))
        .sum()
}

/// Every page of `limit` rows, in order, until a short page.
fn paged(store: &Store, field: SortField, descending: bool, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    loop {
        let q = BrowseQuery {
            filter: EacFilter::default(),
            sort: SortSpec { field, descending },
            offset: out.len(),
            limit,
        };
        let page: Vec<String> = store
            .browse(&q)
            .unwrap()
            .into_iter()
            .map(|r| r.cds_eac_id)
            .collect();
        let done = page.len() < limit;
        out.extend(page);
        if done {
            return out;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn pages_follow_the_exact_order_of_the_sort(spec in eacs(), limit in 1usize..4) {
        let all = build(&spec);
        let mut env = Env::new();
        env.import_eacs(all.clone());

        let mut by_quantity = all.clone();
        by_quantity.sort_by(|a, b| exact_wh(a).cmp(&exact_wh(b)).then(a.cds_eac_id.cmp(&b.cds_eac_id)));
        let mut by_start = all.clone();
        by_start.sort_by(|a, b| a.period_start.cmp(&b.period_start).then(a.cds_eac_id.cmp(&b.cds_eac_id)));

        for (field, expected) in [(SortField::Quantity, by_quantity), (SortField::PeriodStart, by_start)] {
            let mut expected: Vec<String> = expected.into_iter().map(|e| e.cds_eac_id).collect();
            prop_assert_eq!(&paged(&env.store, field, false, limit), &expected, "{:?} ascending", field);
            expected.reverse();
            prop_assert_eq!(&paged(&env.store, field, true, limit), &expected, "{:?} descending", field);
        }
    }
}

/// Amounts up to and beyond 64-bit mantissas, so sums overflow now and then.
fn any_quantity() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => quantity(),
        1 => (1u64..10).prop_map(|n| format!("{n}000000000000000000")),
        1 => Just("123456789012345678901234567890.5".to_owned()),
    ]
}

fn eacs_any() -> impl Strategy<Value = Vec<(Vec<(EnergyUnit, String)>, i64)>> {
    prop::collection::vec(
        (
            prop::collection::vec((unit(), any_quantity()), 1..3),
            0i64..200,
        ),
        1..10,
    )
}

/// The summary of everything, and the same set summed through a filter
/// (a filter that excludes nothing takes the path that reads every EAC).
fn both_summaries(store: &Store) -> (eac_store::BrowseSummary, eac_store::BrowseSummary) {
    let everything = EacFilter {
        exclude_ids: Some(vec!["not an id".to_owned()]),
        ..Default::default()
    };
    (
        store.summary(&EacFilter::default()).unwrap(),
        store.summary(&everything).unwrap(),
    )
}

/// Every one-facet filter and period (kept counts and sums, decisions 217
/// and 227) against the
/// same set summed through the filter that reads every EAC it matches.
fn facet_summaries_agree(store: &Store) -> Result<(), TestCaseError> {
    let mut filters: Vec<EacFilter> = Vec::new();
    for t in [TechnologyType::Wind, TechnologyType::Solar] {
        filters.push(EacFilter {
            technology: Some(t),
            ..Default::default()
        });
    }
    for r in [RetiredState::Yes, RetiredState::No, RetiredState::Partly] {
        filters.push(EacFilter {
            retired: Some(r),
            ..Default::default()
        });
    }
    for b in [BeneficiaryType::Customer, BeneficiaryType::General] {
        filters.push(EacFilter {
            beneficiary_type: Some(b),
            ..Default::default()
        });
    }
    for s in ["REG-1", "REG-2", "nowhere"] {
        filters.push(EacFilter {
            source: Some(s.to_owned()),
            ..Default::default()
        });
        filters.push(EacFilter {
            destination: Some(s.replace("REG", "UTIL")),
            ..Default::default()
        });
    }
    filters.push(EacFilter {
        matches: Some(vec![eac_store::FieldMatch {
            field: eac_store::MatchField::Source,
            value: Some("REG-2".to_owned()),
            exclude: false,
        }]),
        ..Default::default()
    });
    // A period alone (kept per period, decision 227): overlapping whole
    // days, a bound on one side or both, a period ending where a filter
    // begins (not in it), none matching.
    for (from, to) in [
        (Some("2024-01-25"), None),
        (None, Some("2024-01-01")),
        (Some("2024-02-06"), Some("2024-02-28")),
        (Some("2024-01-21"), Some("2024-01-21")),
        (Some("2024-01-20"), Some("2024-01-20")),
        (Some("2025-01-01"), None),
        (None, Some("2023-12-31")),
    ] {
        filters.push(EacFilter {
            from: from.map(str::to_owned),
            to: to.map(str::to_owned),
            ..Default::default()
        });
    }
    for filter in filters {
        let scanned = EacFilter {
            exclude_ids: Some(vec!["not an id".to_owned()]),
            ..filter.clone()
        };
        prop_assert_eq!(
            store.summary(&filter).unwrap(),
            store.summary(&scanned).unwrap(),
            "{:?}",
            filter
        );
        // A page of a broad filter may be read in sort order instead of
        // through the facet's index: the same rows either way.
        for (offset, limit) in [(0, 2), (1, 3), (0, 0)] {
            let page = |filter: &EacFilter| -> Vec<String> {
                store
                    .browse(&eac_store::BrowseQuery {
                        filter: filter.clone(),
                        sort: eac_store::SortSpec {
                            field: eac_store::SortField::Quantity,
                            descending: true,
                        },
                        offset,
                        limit,
                    })
                    .unwrap()
                    .into_iter()
                    .map(|r| r.cds_eac_id)
                    .collect()
            };
            prop_assert_eq!(page(&filter), page(&scanned), "{:?}", filter);
        }
    }
    Ok(())
}

/// The values stored, counted row by row.
fn stored_values(env: &Env) -> usize {
    env.raw_text("SELECT CAST(COUNT(*) AS TEXT) FROM eac_values")
        .unwrap()
        .parse()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// The totals kept by the triggers (migration 0012) are the totals of
    /// the EACs stored, and the kept number of values (0013) the values
    /// stored, after imports, replacing imports and deletions, overflowing
    /// sums included.
    #[test]
    fn kept_totals_are_the_stored_totals(first in eacs_any(), second in eacs_any(), delete in 0usize..4) {
        let mut env = Env::new();
        let first = build(&first);
        let expected: BigDecimal = first.iter().map(exact_wh).sum();
        env.import_eacs(first);
        let (kept, summed) = both_summaries(&env.store);
        prop_assert_eq!(&kept, &summed);
        prop_assert_eq!(env.store.info().unwrap().value_count, stored_values(&env));
        facet_summaries_agree(&env.store)?;
        let in_wh: BigDecimal = kept
            .totals
            .iter()
            .map(|t| t.total.parse::<BigDecimal>().unwrap() * BigDecimal::new(1.into(), -t.unit.wh_exponent()))
            .sum();
        prop_assert_eq!(in_wh, expected);

        // The same ids again with other values: replaced.
        env.import_eacs(build(&second));
        let (kept, summed) = both_summaries(&env.store);
        prop_assert_eq!(&kept, &summed);
        prop_assert_eq!(env.store.info().unwrap().value_count, stored_values(&env));
        facet_summaries_agree(&env.store)?;

        // An edit that moves an EAC to another facet value.
        let first_id = env.ids(EacFilter::default()).into_iter().next().unwrap();
        env.store
            .set_beneficiaries(
                &first_id,
                &eac_store::BeneficiaryAssignment {
                    beneficiary_type: BeneficiaryType::General,
                    beneficiaries: Vec::new(),
                },
                &why("test"),
                "alice",
            )
            .unwrap();
        facet_summaries_agree(&env.store)?;

        let ids: Vec<String> = env.ids(EacFilter::default()).into_iter().take(delete).collect();
        if !ids.is_empty() {
            env.store
                .delete_eacs(&eac_store::DeleteTarget::Ids(ids), &why("test"), "alice", false, &NoProgress)
                .unwrap();
        }
        let (kept, summed) = both_summaries(&env.store);
        prop_assert_eq!(&kept, &summed);
        prop_assert_eq!(env.store.info().unwrap().value_count, stored_values(&env));
        facet_summaries_agree(&env.store)?;
    }
}
