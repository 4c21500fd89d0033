//! Arbitrary P1 EACs for property tests of the writer (decision 206):
//! every optional and completable field present or not, every enum value,
//! odd decimal texts, unicode, quotes, backslashes and control characters
//! in strings, extension members of every JSON kind (written verbatim),
//! zero to many values and beneficiaries, timestamps at the edges (years
//! 0000 and 9999, leap seconds, 0–9 fraction digits). Most EACs generated
//! pass the rules (periods, intervals and dates are drawn in order); the
//! others show the rules catch what would break the file.
//!
//! Shared with eac-app's tests (`#[path]`), which hold the JSON Schema.

#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, Utc};
use eac_model::{
    AssetLocationType, BeneficiaryType, Date, Decimal, Eac, EacValue, EnergyUnit, Extensions,
    TechnologyType, Timestamp,
};
use proptest::prelude::*;
use serde_json::value::RawValue;

/// Text of any kind a CDS string may hold.
pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Za-z0-9_-]{1,12}",
        2 => "[a-zé€😀\"\\\\/ <>&'\u{7f}\u{80}\u{2028}\u{fffd}-]{0,10}",
        1 => "\\PC{0,8}",
        1 => any::<String>().prop_map(|s| s.chars().take(8).collect()),
    ]
}

/// An id: most often plain, sometimes any text (control characters are
/// refused by rule 7/17).
pub fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[A-Za-z0-9][A-Za-z0-9_.:-]{0,15}",
        2 => "[a-zé😀\"\\\\/ -]{1,8}",
        1 => text(),
    ]
}

/// Decimal texts as JSON writes them: odd ones and generated ones.
pub fn amount() -> impl Strategy<Value = Decimal> {
    let odd = prop::sample::select(vec![
        "1000.0",
        "0.000001",
        "0",
        "0.0",
        "-0",
        "-0.0e5",
        "1e-307",
        "9.99e307",
        "1E+2",
        "2.50e-3",
        "45.106820",
        "123456789012345678901234567890.123456789012345678901234567890",
        "0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000001",
        "1",
        "-1",
        "1e308",
    ]);
    prop_oneof![
        2 => odd.prop_map(|t| Decimal::parse(t).unwrap()),
        3 => decimal_text(13, 9, -20..20).prop_map(|t| Decimal::parse(&t).unwrap()),
    ]
}

/// Seconds of UTC instants from 0000-01-01 to 9999-12-31.
const FIRST: i64 = -62_167_219_200;
const LAST: i64 = 253_402_300_799;

/// An instant with 0–9 fraction digits; one in twenty a leap second.
pub fn instant() -> impl Strategy<Value = Timestamp> {
    (
        prop_oneof![
            4 => 1_500_000_000i64..1_800_000_000,
            1 => FIRST..=LAST,
            1 => prop::sample::select(vec![FIRST, FIRST + 1, LAST, LAST - 1, 0, -1]),
        ],
        0u32..1_000_000_000,
        0u32..=9,
        0u8..20,
    )
        .prop_map(|(secs, nanos, digits, leap)| {
            let unit = 10u32.pow(9 - digits);
            let nanos = nanos / unit * unit;
            let at = DateTime::<Utc>::from_timestamp(secs, nanos).unwrap();
            if leap == 0 {
                // The same day's leap second, 23:59:60 UTC, parsed as text.
                let day = at.format("%Y-%m-%d");
                let fraction = if nanos == 0 {
                    String::new()
                } else {
                    format!(".{nanos:09}")
                };
                return Timestamp::parse(&format!("{day}T23:59:60{fraction}Z")).unwrap();
            }
            Timestamp::from_utc(at)
        })
}

pub fn date() -> impl Strategy<Value = Date> {
    prop_oneof![
        4 => (2000i32..2040, 1u32..=12, 1u32..=28),
        1 => (0i32..=9999, 1u32..=12, 1u32..=31),
    ]
    .prop_filter_map("a calendar date", |(y, m, d)| {
        NaiveDate::from_ymd_opt(y, m, d).map(Date::from_naive)
    })
}

/// JSON text of every kind, laid out as documents write it.
pub fn raw_json() -> impl Strategy<Value = Box<RawValue>> {
    prop::sample::select(vec![
        r#""extension field, must be tolerated""#,
        r#""\u00e9\n\"quoted\" \\ \ud83d\ude00""#,
        r#"{"a": [1, 2.50, {"b": null}], "c": "d"}"#,
        "{\n  \"nested\" : { \"deeper\": [ ] }\n}",
        "1e400",
        "-0.0",
        "123456789012345678901234567890",
        "true",
        "false",
        "null",
        "[]",
        "{}",
        r#"[{"x": 1}, {"x": 2}]"#,
    ])
    .prop_map(|t| RawValue::from_string(t.to_owned()).unwrap())
}

/// Extension members under names the spec does not use.
pub fn extensions() -> impl Strategy<Value = Extensions> {
    prop::collection::vec(
        (
            prop_oneof!["x_[a-z]{1,6}", "acme_[a-zé😀\"\\\\/ ~-]{1,6}"],
            raw_json(),
        ),
        0..3,
    )
    .prop_map(|mut members| {
        let mut seen = std::collections::HashSet::new();
        members.retain(|(k, _)| seen.insert(k.clone()));
        Extensions(members)
    })
    .boxed()
}

pub fn value(
    start_end: Option<(Timestamp, Timestamp)>,
    number: Option<String>,
) -> impl Strategy<Value = EacValue> {
    (
        prop::option::weighted(0.95, date()),
        prop::option::of(date()),
        prop::sample::select(EnergyUnit::ALL.to_vec()),
        amount(),
        prop::option::weighted(0.2, extensions()),
    )
        .prop_map(move |(issued, retired, unit, value, ext)| {
            // Retired on or after issued, mostly.
            let (issued, retired) = match (issued, retired) {
                (Some(a), Some(b)) if b < a => (Some(b), Some(a)),
                other => other,
            };
            EacValue {
                eac_number: number.clone(),
                issued,
                retired,
                retired_undated: false,
                start: start_end.map(|(s, _)| s),
                end: start_end.map(|(_, e)| e),
                unit,
                value,
                extensions: ext.unwrap_or_default(),
            }
        })
}

/// Instants in order: the period, then pairs inside it for the values.
fn period_and_intervals(n: usize) -> impl Strategy<Value = Vec<Timestamp>> {
    prop::collection::vec(instant(), 2 + 2 * n).prop_map(|mut t| {
        t.sort();
        t
    })
}

pub fn eac() -> impl Strategy<Value = Eac> {
    (
        0usize..6,
        any::<bool>(),
        prop::option::of("[A-Z]{0,3}[0-9]{1,6}"),
    )
        .prop_flat_map(|(n, timed, number)| {
            let numbers: Vec<Option<String>> = (0..n)
                .map(|i| number.as_ref().map(|p| format!("{p}-{i}")))
                .collect();
            (
                period_and_intervals(n),
                Just(numbers),
                Just(timed),
                prop::collection::vec(instant(), 2),
                head(),
            )
        })
        .prop_flat_map(|(times, numbers, timed, created, head)| {
            let last = times.len() - 1;
            let values: Vec<_> = numbers
                .into_iter()
                .enumerate()
                .map(|(i, number)| {
                    let interval = timed.then(|| (times[1 + 2 * i], times[2 + 2 * i]));
                    value(interval, number)
                })
                .collect();
            let mut created = created;
            created.sort();
            (
                Just((times[0], times[last])),
                Just(created),
                Just(head),
                values,
            )
        })
        .prop_map(|((period_start, period_end), created, head, values)| {
            let mut eac = head;
            eac.period_start = period_start;
            eac.period_end = period_end;
            eac.cds_created = created[0];
            eac.cds_modified = created[1];
            eac.values = values;
            eac
        })
}

/// Everything but the times and values.
fn head() -> impl Strategy<Value = Eac> {
    (
        (
            id(),
            prop::option::of(id()),
            text(),
            text(),
            prop::option::weighted(0.95, text()),
            prop::option::weighted(0.95, text()),
        ),
        (
            prop::option::weighted(0.95, prop::sample::select(BeneficiaryType::ALL.to_vec())),
            prop::collection::vec(id(), 0..4),
            text(),
            prop::option::of(date()),
        ),
        (
            prop::option::weighted(0.95, prop::sample::select(AssetLocationType::ALL.to_vec())),
            prop::option::weighted(0.95, prop::sample::select(AssetLocationType::ALL.to_vec())),
            prop::option::weighted(0.95, prop::sample::select(TechnologyType::ALL.to_vec())),
            prop::option::weighted(0.95, amount()),
            prop::option::weighted(0.95, amount()),
            prop::option::weighted(0.2, extensions()),
        ),
    )
        .prop_map(
            |(
                (cds_eac_id, eac_number, source_id, source_name, destination_id, destination_name),
                (beneficiary_type, mut beneficiaries, asset_id, asset_commissioned),
                (origination, destination, technology, direct, lca, ext),
            )| {
                if beneficiary_type == Some(BeneficiaryType::General) {
                    beneficiaries.clear();
                }
                let mut seen = std::collections::HashSet::new();
                beneficiaries.retain(|b| seen.insert(b.clone()));
                let at = Timestamp::parse("2024-01-01T00:00:00Z").unwrap();
                Eac {
                    cds_eac_id,
                    cds_created: at,
                    cds_modified: at,
                    eac_number,
                    source_id,
                    source_name,
                    destination_id,
                    destination_name,
                    beneficiary_type,
                    beneficiaries,
                    asset_id,
                    asset_commissioned,
                    asset_origination: origination,
                    asset_destination: destination,
                    technology_type: technology,
                    emissions_factor_direct: direct,
                    emissions_factor_lca: lca,
                    period_start: at,
                    period_end: at,
                    values: Vec::new(),
                    extensions: ext.unwrap_or_default(),
                }
            },
        )
}

/// Decimal text as files write it: an integer part of up to `int_digits`
/// digits (no leading zero), maybe a fraction of 1 to `frac_digits` digits
/// (trailing zeros kept), maybe an exponent in `exp`.
pub(crate) fn decimal_text(
    int_digits: usize,
    frac_digits: usize,
    exp: std::ops::Range<i32>,
) -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    use proptest::string::string_regex;
    let int = string_regex(&format!("(0|[1-9][0-9]{{0,{}}})", int_digits - 1)).unwrap();
    let frac = string_regex(&format!("[0-9]{{1,{frac_digits}}}")).unwrap();
    (int, prop::option::of(frac), prop::option::of(exp)).prop_map(|(int, frac, exp)| {
        let mut t = int;
        if let Some(f) = frac {
            t = format!("{t}.{f}");
        }
        if let Some(e) = exp {
            t = format!("{t}e{e}");
        }
        t
    })
}
