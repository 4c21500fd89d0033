//! Import → store → export keeps every quantity, date and extension exactly:
//! the canonical fixture comes back byte for byte, and so do generated EACs.

use std::fs;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use eac_model::{
    AssetLocationType, BeneficiaryType, CheckOptions, Date, Decimal, Eac, EacValue, EnergyUnit,
    Extensions, TechnologyType, Timestamp,
};
use eac_store::ImportOutcome;
use eac_tests::{
    assert_same_text, export_all, fixture, import_ok, read_all, read_bytes, temp_store,
    write_listing,
};
use proptest::prelude::*;
use serde_json::value::RawValue;

/// The canonical fixture is exactly what `ListingWriter` writes for what it
/// holds: already in P1 order, valid, without a single warning.
#[test]
fn canonical_fixture_is_valid_and_in_the_writers_layout() {
    let text = String::from_utf8(read_bytes(&fixture("canonical-p1.json"))).unwrap();
    let read = read_all(text.as_bytes(), CheckOptions::validate());
    assert!(read.violations.is_empty(), "{:#?}", read.violations);
    assert_eq!(read.eacs.len(), 6);
    let mut sorted = read.eacs.clone();
    sorted.sort_by_key(Eac::p1_order_key);
    assert_eq!(sorted, read.eacs, "the fixture is not in P1 order");
    let rewritten = String::from_utf8(write_listing(&read.eacs)).unwrap();
    assert_same_text(
        "canonical-p1.json rewritten by ListingWriter",
        &text,
        &rewritten,
    );
}

#[test]
fn canonical_fixture_survives_import_and_export_byte_for_byte() {
    let input = fixture("canonical-p1.json");
    let held = read_all(&read_bytes(&input), CheckOptions::import()).eacs;
    let values: usize = held.iter().map(|e| e.values.len()).sum();
    let mut t = temp_store();
    let report = import_ok(&mut t.store, &input);
    assert_eq!(
        (report.added, report.value_count),
        (6, values),
        "{report:#?}"
    );
    assert_eq!(report.outcome, ImportOutcome::Imported);
    assert!(report.warnings.is_empty(), "{:#?}", report.warnings);
    let export = export_all(&t.store, &t.path("export.json"));
    let expected = String::from_utf8(read_bytes(&input)).unwrap();
    assert_same_text("export of canonical-p1.json", &expected, &export);
}

/// Importing the same file again changes nothing: every EAC is already
/// stored with the same `cds_modified` (decisions 11).
#[test]
fn reimporting_the_canonical_fixture_skips_every_eac() {
    let input = fixture("canonical-p1.json");
    let mut t = temp_store();
    import_ok(&mut t.store, &input);
    let again = import_ok(&mut t.store, &input);
    assert_eq!(
        (again.added, again.replaced, again.skipped),
        (0, 0, 6),
        "{again:#?}"
    );
    let export = export_all(&t.store, &t.path("export.json"));
    assert_same_text(
        "export after re-import",
        &String::from_utf8(read_bytes(&input)).unwrap(),
        &export,
    );
}

/// A later file replaces a stored EAC only when its `cds_modified` is newer.
#[test]
fn a_newer_cds_modified_replaces_the_stored_eac_and_an_older_one_is_skipped() {
    let input = fixture("canonical-p1.json");
    let mut eacs = read_all(&read_bytes(&input), CheckOptions::import()).eacs;
    let mut t = temp_store();
    import_ok(&mut t.store, &input);

    let newer = t.path("newer.json");
    let older = t.path("older.json");
    eacs[2].cds_modified = Timestamp::parse("2024-05-01T00:00:00Z").unwrap();
    eacs[2].values[0].value = Decimal::parse("45.1068200").unwrap();
    fs::write(&newer, write_listing(&eacs)).unwrap();
    eacs[3].cds_created = Timestamp::parse("2020-01-01T00:00:00Z").unwrap();
    eacs[3].cds_modified = Timestamp::parse("2020-01-01T00:00:00Z").unwrap();
    eacs[3].values[0].value = Decimal::parse("999").unwrap();
    fs::write(&older, write_listing(&eacs[3..4])).unwrap();

    let report = import_ok(&mut t.store, &newer);
    assert_eq!(
        (report.added, report.replaced, report.skipped),
        (0, 1, 5),
        "{report:#?}"
    );
    let report = import_ok(&mut t.store, &older);
    assert_eq!(
        (report.added, report.replaced, report.skipped),
        (0, 0, 1),
        "{report:#?}"
    );
    let stored = t.store.eac(&eacs[2].cds_eac_id).unwrap();
    assert_eq!(stored.values[0].value.as_str(), "45.1068200");
    let kept = t.store.eac(&eacs[3].cds_eac_id).unwrap();
    assert_eq!(kept.values[0].value.as_str(), "1");
}

#[test]
fn an_empty_store_exports_an_empty_listing() {
    let t = temp_store();
    let export = export_all(&t.store, &t.path("empty.json"));
    assert_eq!(
        export,
        "{\n  \"eacs\": [],\n  \"next\": null,\n  \"previous\": null\n}\n"
    );
}

// ---------------------------------------------------------------------------
// Generated EACs: valid by construction, in P1 order.

/// Text of a JSON number with varied precision: trailing zeros, long
/// fractions, exponents in either case, beyond `i64` and `f64` precision.
fn decimal_text(allow_negative: bool) -> impl Strategy<Value = String> {
    let sign = if allow_negative {
        prop_oneof![3 => Just(""), 1 => Just("-")].boxed()
    } else {
        Just("").boxed()
    };
    let plain = (
        sign,
        prop_oneof![Just("0".to_owned()), "[1-9][0-9]{0,24}"],
        proptest::option::of("[0-9]{1,12}"),
        proptest::option::of(("[eE]", "[+-]?", "[0-9]{1,2}")),
    )
        .prop_map(|(sign, int, frac, exp)| {
            let mut s = format!("{sign}{int}");
            if let Some(f) = frac {
                s.push('.');
                s.push_str(&f);
            }
            if let Some((e, sign, digits)) = exp {
                s.push_str(&format!("{e}{sign}{digits}"));
            }
            s
        });
    prop_oneof![
        8 => plain,
        1 => prop::sample::select(vec!["1000.0", "45.106820", "0.011", "1e3", "-0.0", "0"])
            .prop_map(str::to_owned),
    ]
}

fn decimal(allow_negative: bool) -> impl Strategy<Value = Decimal> {
    decimal_text(allow_negative).prop_map(|t| Decimal::parse(&t).expect("a JSON number"))
}

/// Free text: plain, any printable Unicode, or one with quotes, a
/// backslash and control characters that JSON must escape.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Za-z0-9 _.-]{1,12}",
        4 => "\\PC{1,12}",
        1 => Just("Énergie \"Nord\" \\ 風力\n\t⚡ 𝔈".to_owned()),
        1 => Just(String::new()),
    ]
}

/// Ids and EAC numbers: like [`text`] without control characters, which
/// no id may hold (decision 63).
fn id_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Za-z0-9 _.-]{1,12}",
        4 => "\\PC{1,12}",
        1 => Just("Énergie \"Nord\" \\ 風力 ⚡ 𝔈".to_owned()),
        1 => Just(String::new()),
    ]
}

/// An instant between 2000 and 2090, sometimes with fractional seconds.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    let nanos = prop_oneof![
        3 => Just(0u32),
        1 => (0u32..1000).prop_map(|ms| ms * 1_000_000),
        1 => 0u32..1_000_000_000,
    ];
    (0i64..(90 * 365 * 86_400), nanos)
        .prop_map(|(secs, nanos)| Utc.timestamp_opt(946_684_800 + secs, nanos).unwrap())
}

fn date() -> impl Strategy<Value = Date> {
    (0i64..(90 * 365)).prop_map(|days| {
        Date::from_naive(NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + Duration::days(days))
    })
}

/// Raw JSON text for an extension member, kept verbatim through the store.
fn extension_value() -> impl Strategy<Value = Box<RawValue>> {
    prop_oneof![
        decimal_text(true),
        text().prop_map(|s| serde_json::to_string(&s).unwrap()),
        Just(r#"{"batch":"B-7","weights":[1.50,2],"ok":true,"none":null}"#.to_owned()),
        Just("[]".to_owned()),
        Just("false".to_owned()),
    ]
    .prop_map(|t| RawValue::from_string(t).expect("valid JSON"))
}

fn extensions() -> impl Strategy<Value = Extensions> {
    prop::collection::vec(("acme_[a-z0-9_]{1,8}", extension_value()), 0..3).prop_map(|pairs| {
        let mut out: Vec<(String, Box<RawValue>)> = Vec::new();
        for (k, v) in pairs {
            if !out.iter().any(|(seen, _)| *seen == k) {
                out.push((k, v));
            }
        }
        Extensions(out)
    })
}

/// Where a value sits in its EAC's period: per mille offset and length, or
/// a batch value without interval.
type Slice = Option<(i64, i64)>;

#[allow(clippy::type_complexity)]
fn value_parts() -> impl Strategy<
    Value = (
        Option<String>,
        Date,
        Option<i64>,
        Slice,
        EnergyUnit,
        Decimal,
        Extensions,
    ),
> {
    (
        proptest::option::of(id_text()),
        date(),
        proptest::option::of(0i64..400),
        proptest::option::of((0i64..1000, 0i64..=1000)),
        prop::sample::select(EnergyUnit::ALL.to_vec()),
        decimal(false),
        extensions(),
    )
}

fn eac(index: usize) -> impl Strategy<Value = Eac> {
    let head = (
        id_text(),
        instant(),
        0i64..(3 * 365 * 86_400),
        proptest::option::of(id_text()),
        (text(), text(), text(), text()),
        prop::sample::select(BeneficiaryType::ALL.to_vec()),
        prop::collection::vec(id_text(), 0..4),
        (text(), proptest::option::of(date())),
    );
    let body = (
        prop::sample::select(AssetLocationType::ALL.to_vec()),
        prop::sample::select(AssetLocationType::ALL.to_vec()),
        prop::sample::select(
            TechnologyType::ALL
                .iter()
                .copied()
                .filter(|t| t.is_draft())
                .collect::<Vec<_>>(),
        ),
        decimal(false),
        decimal(false),
        instant(),
        3_600i64..(400 * 86_400),
        prop::collection::vec(value_parts(), 1..4),
        extensions(),
    );
    (head, body).prop_map(move |(head, body)| {
        let (id, created, modified_after, number, names, b_type, b_list, (asset, commissioned)) =
            head;
        let (origination, destination, technology, direct, lca, start, length, parts, ext) = body;
        let (source_id, source_name, destination_id, destination_name) = names;
        let beneficiaries = if b_type == BeneficiaryType::General {
            Vec::new()
        } else {
            let mut list: Vec<String> = Vec::new();
            for b in b_list {
                if !b.trim().is_empty() && !list.contains(&b) {
                    list.push(b);
                }
            }
            list
        };
        let period_start = start;
        let period_end = start + Duration::seconds(length);
        let mut numbers: Vec<String> = Vec::new();
        let values = parts
            .into_iter()
            .enumerate()
            .map(
                |(i, (number, issued, retired_after, slice, unit, value, ext))| {
                    let eac_number = number.map(|n| {
                        let n = if numbers.contains(&n) {
                            format!("{n}#{i}")
                        } else {
                            n
                        };
                        numbers.push(n.clone());
                        n
                    });
                    let (start, end) = match slice {
                        None => (None, None),
                        Some((offset, len)) => {
                            let a = length * offset / 1000;
                            let b = 1 + (length - a - 1) * len / 1000;
                            let s = period_start + Duration::seconds(a);
                            (Some(s), Some(s + Duration::seconds(b)))
                        }
                    };
                    EacValue {
                        eac_number,
                        issued: Some(issued),
                        retired: retired_after
                            .map(|d| Date::from_naive(issued.as_naive() + Duration::days(d))),
                        retired_undated: false,
                        start: start.map(Timestamp::from_utc),
                        end: end.map(Timestamp::from_utc),
                        unit,
                        value,
                        extensions: ext,
                    }
                },
            )
            .collect();
        Eac {
            // Unique in the listing whatever the generated text.
            cds_eac_id: format!("{id}#{index}"),
            cds_created: Timestamp::from_utc(created),
            cds_modified: Timestamp::from_utc(created + Duration::seconds(modified_after)),
            eac_number: number,
            source_id,
            source_name,
            destination_id: Some(destination_id),
            destination_name: Some(destination_name),
            beneficiary_type: Some(b_type),
            beneficiaries,
            asset_id: asset,
            asset_commissioned: commissioned,
            asset_origination: Some(origination),
            asset_destination: Some(destination),
            technology_type: Some(technology),
            emissions_factor_direct: Some(direct),
            emissions_factor_lca: Some(lca),
            period_start: Timestamp::from_utc(period_start),
            period_end: Timestamp::from_utc(period_end),
            values,
            extensions: ext,
        }
    })
}

/// One to five valid EACs, sorted into P1 order.
fn p1_listing() -> impl Strategy<Value = Vec<Eac>> {
    (1usize..=5)
        .prop_flat_map(|n| (0..n).map(eac).collect::<Vec<_>>())
        .prop_map(|mut eacs| {
            eacs.sort_by_key(Eac::p1_order_key);
            eacs
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// The generator only makes valid listings (else the round trip below
    /// would test nothing): no errors under `validate`.
    #[test]
    fn generated_listings_are_valid(eacs in p1_listing()) {
        let read = read_all(&write_listing(&eacs), CheckOptions::validate());
        let errors = read.errors();
        prop_assert!(errors.is_empty(), "{:#?}", errors);
        prop_assert_eq!(read.eacs, eacs);
    }

    /// `ListingWriter` → store import → export → read back: the same EACs,
    /// decimals compared as text, and the same bytes.
    #[test]
    fn generated_listings_survive_import_and_export(eacs in p1_listing()) {
        let written = write_listing(&eacs);
        let mut t = temp_store();
        let input = t.path("generated.json");
        fs::write(&input, &written).unwrap();
        let report = import_ok(&mut t.store, &input);
        prop_assert_eq!(report.added, eacs.len());
        let export = export_all(&t.store, &t.path("export.json"));
        let back = read_all(export.as_bytes(), CheckOptions::validate());
        let errors = back.errors();
        prop_assert!(errors.is_empty(), "{:#?}", errors);
        prop_assert_eq!(&back.eacs, &eacs);
        assert_same_text("export of a generated listing", &String::from_utf8(written).unwrap(), &export);
    }
}

/// `nuclear`, `marine` and `storage` need the explicit flag to be imported;
/// once stored that way they are exported as given (decisions 9).
#[test]
fn an_extended_technology_imported_with_the_flag_is_exported_as_given() {
    let input = fixture("rules/rule-03-extended-technology.json");
    let mut t = temp_store();
    t.store
        .import_file(
            &input,
            eac_store::ImportOptions {
                allow_extended_technologies: true,
                ..eac_store::ImportOptions::default()
            },
            &eac_store::NoProgress,
        )
        .unwrap();
    let export = export_all(&t.store, &t.path("export.json"));
    assert!(
        export.contains("\"technology_type\": \"nuclear\""),
        "{export}"
    );
    assert_same_text(
        "export of rule-03-extended-technology.json",
        &String::from_utf8(read_bytes(&input)).unwrap(),
        &export,
    );
}
