//! Grouped totals (the summary dashboard, `eacdesk summary`) and the
//! row stream behind CSV and spreadsheet exports.

use super::*;
use eac_store::{SummaryGroup, SummaryKey};

fn at(start: &str, end: &str, unit: EnergyUnit, quantity: &str) -> EacValue {
    EacValue {
        start: Some(ts(start)),
        end: Some(ts(end)),
        ..value(unit, quantity)
    }
}

/// "span" runs from mid-January to mid-March with one value per month in
/// three units; "feb" is solar from another registry; "bare" has a value
/// without a start (its EAC's period start decides).
fn summary_env() -> Env {
    let mut env = Env::new();
    let mut span = eac("span");
    span.period_start = ts("2024-01-15T00:00:00Z");
    span.period_end = ts("2024-03-15T00:00:00Z");
    span.values = vec![
        at(
            "2024-01-15T00:00:00Z",
            "2024-02-01T00:00:00Z",
            EnergyUnit::KWh,
            "1000.0",
        ),
        EacValue {
            retired: Some(date("2024-04-01")),
            ..at(
                "2024-02-01T00:00:00Z",
                "2024-03-01T00:00:00Z",
                EnergyUnit::MWh,
                "2.5",
            )
        },
        at(
            "2024-03-01T00:00:00Z",
            "2024-03-15T00:00:00Z",
            EnergyUnit::Wh,
            "1",
        ),
    ];
    let mut feb = eac("feb");
    feb.technology_type = Some(TechnologyType::Solar);
    feb.source_id = "REG-2".into();
    feb.source_name = "Registry Two".into();
    feb.period_start = ts("2024-02-01T00:00:00Z");
    feb.period_end = ts("2024-03-01T00:00:00Z");
    feb.values = vec![at(
        "2024-02-01T00:00:00Z",
        "2024-03-01T00:00:00Z",
        EnergyUnit::MWh,
        "0.125",
    )];
    let mut bare = eac("bare");
    bare.period_start = ts("2023-12-31T23:00:00Z");
    bare.period_end = ts("2024-01-01T23:00:00Z");
    bare.values = vec![EacValue {
        start: None,
        end: None,
        ..value(EnergyUnit::KWh, "45.106820")
    }];
    env.import_eacs(vec![span, feb, bare]);
    env
}

fn flat(groups: &[SummaryGroup]) -> Vec<(Vec<String>, usize, Vec<String>)> {
    groups
        .iter()
        .map(|g| {
            (
                g.keys
                    .iter()
                    .map(|k| k.clone().unwrap_or_default())
                    .collect(),
                g.count,
                g.totals
                    .iter()
                    .map(|t| format!("{} {}", t.total, t.unit))
                    .collect(),
            )
        })
        .collect()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn values_add_to_their_own_month_exactly_per_unit() {
    let env = summary_env();
    let by_month = env
        .store
        .grouped_totals(&EacFilter::default(), &[SummaryKey::Month])
        .unwrap();
    assert_eq!(by_month.by, [SummaryKey::Month]);
    assert_eq!(
        flat(&by_month.groups),
        [
            // "bare" has no value start: its period starts in December (UTC).
            (strings(&["2023-12"]), 1, strings(&["45.106820 kWh"])),
            (strings(&["2024-01"]), 1, strings(&["1000.0 kWh"])),
            // "span" counts in every month its values fall in.
            (strings(&["2024-02"]), 2, strings(&["2.625 MWh"])),
            (strings(&["2024-03"]), 1, strings(&["1 Wh"])),
        ]
    );

    let by_tech_quarter = env
        .store
        .grouped_totals(
            &EacFilter::default(),
            &[SummaryKey::Technology, SummaryKey::Quarter],
        )
        .unwrap();
    assert_eq!(
        flat(&by_tech_quarter.groups),
        [
            (strings(&["solar", "2024-Q1"]), 1, strings(&["0.125 MWh"])),
            (
                strings(&["wind", "2023-Q4"]),
                1,
                strings(&["45.106820 kWh"])
            ),
            (
                strings(&["wind", "2024-Q1"]),
                1,
                strings(&["1 Wh", "1000.0 kWh", "2.5 MWh"])
            ),
        ]
    );
    assert_eq!(by_tech_quarter.groups[0].labels, ["Solar", "2024-Q1"]);
}

#[test]
fn groups_by_registry_and_retirement_within_the_filter() {
    let env = summary_env();
    let g = env
        .store
        .grouped_totals(
            &EacFilter::default(),
            &[SummaryKey::Source, SummaryKey::Retired, SummaryKey::Source],
        )
        .unwrap();
    // A key named twice counts once.
    assert_eq!(g.by, [SummaryKey::Source, SummaryKey::Retired]);
    assert_eq!(
        flat(&g.groups),
        [
            (
                strings(&["REG-1", "not_retired"]),
                2,
                strings(&["1 Wh", "1045.106820 kWh"])
            ),
            (strings(&["REG-1", "retired"]), 1, strings(&["2.5 MWh"])),
            (
                strings(&["REG-2", "not_retired"]),
                1,
                strings(&["0.125 MWh"])
            ),
        ]
    );
    assert_eq!(g.groups[0].labels, ["Registry One (REG-1)", "Not retired"]);
    assert_eq!(g.groups[1].labels[1], "Retired");

    // The filter selects EACs; all their values are grouped.
    let solar = EacFilter {
        technology: Some(TechnologyType::Solar),
        ..Default::default()
    };
    let g = env
        .store
        .grouped_totals(&solar, &[SummaryKey::Year])
        .unwrap();
    assert_eq!(
        flat(&g.groups),
        [(strings(&["2024"]), 1, strings(&["0.125 MWh"]))]
    );

    // No keys: one group of everything, equal to the browse totals.
    let all = env
        .store
        .grouped_totals(&EacFilter::default(), &[])
        .unwrap();
    let totals = env.store.summary(&EacFilter::default()).unwrap();
    assert_eq!(all.groups.len(), 1);
    assert_eq!(all.groups[0].count, totals.count);
    assert_eq!(all.groups[0].totals, totals.totals);

    // Nothing matches: no groups.
    let none = env
        .store
        .grouped_totals(&search("nothing like this"), &[])
        .unwrap();
    assert!(none.groups.is_empty());
}

#[test]
fn sums_beyond_64_bit_integers_stay_exact() {
    let mut env = Env::new();
    let with = |id: &str, q: &str| {
        let mut e = eac(id);
        e.values = vec![value(EnergyUnit::Wh, q)];
        e
    };
    env.import_eacs(vec![
        with("a", "9000000000000000000"),
        with("b", "9000000000000000000"),
        with("c", "123456789012345678901234567890.5"),
        with("d", "1e3"),
    ]);
    let g = env
        .store
        .grouped_totals(&EacFilter::default(), &[SummaryKey::Year])
        .unwrap();
    assert_eq!(
        g.groups[0].totals[0].total,
        "123456789030345678901234568890.5"
    );
}

#[test]
fn rows_stream_in_sort_order_or_exactly_the_selected_ids() {
    let env = summary_env();
    let mut seen = Vec::new();
    let sort = SortSpec {
        field: SortField::CdsEacId,
        descending: true,
    };
    env.store
        .browse_each(&EacFilter::default(), sort, None, &mut |row| {
            seen.push(row.cds_eac_id);
            Ok(())
        })
        .unwrap();
    assert_eq!(seen, ["span", "feb", "bare"]);

    // Selected ids: exactly those, in the sort order, whatever the filter.
    let mut seen = Vec::new();
    let ids = strings(&["bare", "span"]);
    let solar = EacFilter {
        technology: Some(TechnologyType::Solar),
        ..Default::default()
    };
    env.store
        .browse_each(&solar, sort, Some(&ids), &mut |row| {
            seen.push((row.cds_eac_id, row.quantities.len()));
            Ok(())
        })
        .unwrap();
    assert_eq!(seen, [("span".to_owned(), 3), ("bare".to_owned(), 1)]);

    // An id that is gone is refused before any row is handed out.
    let mut handed = 0;
    let err = env
        .store
        .browse_each(
            &EacFilter::default(),
            sort,
            Some(&strings(&["span", "gone-1"])),
            &mut |_| {
                handed += 1;
                Ok(())
            },
        )
        .unwrap_err();
    assert_eq!(handed, 0);
    // In its own words (as `NotFound` the sentence was taken for an id).
    assert_eq!(err.code(), eac_store::ErrorCode::NotFound);
    assert!(
        matches!(&err, StoreError::SelectedGone { ids } if ids == &["gone-1"]),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "the selected EAC `gone-1` is no longer in the database (deleted since it was selected?)"
    );
}

/// A filter's day written as a day but not in the calendar is refused
/// with the calendar's reason, as every reader of days says it
/// (`eac_model::no_such_day`): it said only "`2023-02-29` is not a date
/// (YYYY-MM-DD)", which the person had written.
#[test]
fn a_filter_day_the_calendar_lacks_is_refused_saying_why() {
    let env = browse_env();
    for (from, to, says) in [
        (
            "2023-02-29",
            "",
            "`2023-02-29` is not a date: February 2023 has 28 days",
        ),
        (
            "",
            " 2024-13-01 ",
            "`2024-13-01` is not a date: there is no month 13; a year has 12 months",
        ),
        ("", "2024-1-1", "`2024-1-1` is not a date (YYYY-MM-DD)"),
    ] {
        let filter = EacFilter {
            from: Some(from.into()),
            to: Some(to.into()),
            ..EacFilter::default()
        };
        for e in [
            eac_store::check_filter(&filter).unwrap_err(),
            env.store.summary(&filter).unwrap_err(),
        ] {
            assert_eq!(e.code(), eac_store::ErrorCode::InvalidInput, "{e}");
            assert_eq!(e.to_string(), says);
        }
    }
}

/// A period filter whose first day is after its last is refused by the
/// filter itself, whoever asks (a count, a browse, a bulk write), rather
/// than selecting nothing: a shell that sent it on would export, pack,
/// verify or delete an empty set without saying why.
#[test]
fn a_filter_whose_first_day_is_after_its_last_is_refused_by_every_query() {
    let mut env = browse_env();
    let backwards = EacFilter {
        from: Some("2024-03-01".into()),
        to: Some("2024-02-01".into()),
        ..EacFilter::default()
    };
    let refused = |e: eac_store::StoreError| {
        assert_eq!(e.code(), eac_store::ErrorCode::InvalidInput, "{e}");
        assert_eq!(
            e.to_string(),
            "the period's first day 2024-03-01 is after its last day 2024-02-01: no EAC's period could match"
        );
        assert!(
            matches!(
                e,
                eac_store::StoreError::Filter(eac_store::FilterProblem::FromAfterTo { ref from, ref to })
                    if from == "2024-03-01" && to == "2024-02-01"
            ),
            "{e:?}"
        );
    };
    refused(eac_store::check_filter(&backwards).unwrap_err());
    refused(env.store.summary(&backwards).unwrap_err());
    refused(
        env.store
            .browse_each(&backwards, SortSpec::default(), None, &mut |_| Ok(()))
            .unwrap_err(),
    );
    refused(
        env.store
            .mark_verified(&backwards, None, "carol", false, &NoProgress)
            .unwrap_err(),
    );
    refused(
        env.store
            .delete_eacs(
                &eac_store::DeleteTarget::Filter(backwards.clone()),
                &why("backwards"),
                "carol",
                false,
                &NoProgress,
            )
            .unwrap_err(),
    );
    assert_eq!(env.store.summary(&EacFilter::default()).unwrap().count, 4);
    // A search too long is the same kind of refusal.
    let long = EacFilter {
        search: Some("a".repeat(10_001)),
        ..EacFilter::default()
    };
    assert!(matches!(
        env.store.summary(&long).unwrap_err(),
        eac_store::StoreError::Filter(eac_store::FilterProblem::SearchTooLong { chars: 10_001 })
    ));
    // One day is a period.
    let one_day = EacFilter {
        from: Some("2024-02-01".into()),
        to: Some("2024-02-01".into()),
        ..EacFilter::default()
    };
    eac_store::check_filter(&one_day).unwrap();
    env.store.summary(&one_day).unwrap();
}
