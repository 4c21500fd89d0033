use eac_model::TechnologyType;
use eac_registry::{energytag, Claim, Locator, Status};

use crate::{facts, fixture, message_at, summary};

fn s(t: &str) -> String {
    t.to_owned()
}

fn p(t: &str) -> Locator {
    Locator::Pointer(t.to_owned())
}

#[test]
fn bundles_become_one_range_each_with_exact_numbers() {
    let bytes = fixture("energytag/bundles.json");
    assert!(energytag::sniff(&bytes));
    let st = energytag::read(&bytes).unwrap();
    assert_eq!(st.ranges.len(), 6);

    let a = &st.ranges[0];
    assert_eq!(a.at, p("/0"));
    assert_eq!(a.registry, "energytag:GCOS Registry:1");
    assert_eq!(
        (a.source_id.as_str(), a.source_name.as_str()),
        ("GCOS Registry", "GCOS Registry")
    );
    assert_eq!(
        summary(a),
        (
            s("0"),
            s("999"),
            s("1000"),
            s("1 Wh"),
            s("active"),
            s("2024-06-01T10:00:00Z"),
            s("2024-06-01T11:00:00Z")
        )
    );
    assert_eq!(a.claim, Claim::No);
    assert_eq!(a.issued, None);
    assert_eq!(a.device.id, "1");
    assert_eq!(a.device.name.as_deref(), Some("Solar Farm 1"));
    assert_eq!(a.device.technology.as_deref(), Some("solar_pv"));
    assert_eq!(a.device.technology_type, Some(TechnologyType::Solar));
    assert_eq!(
        a.device.commissioned.map(|d| d.to_string()).as_deref(),
        Some("2020-01-01")
    );
    assert_eq!(a.device.capacity.as_deref(), Some("50.0 MW"));
    assert_eq!(a.device.country.as_deref(), Some("GB"));
    // Every digit of the emission factor, never through a float.
    let (ef, unit) = a.emissions.clone().unwrap();
    assert_eq!(
        (ef.as_str(), unit.as_str()),
        ("12.345678901234567890", "kgCO2e/MWh")
    );
    assert_eq!(a.beneficiary_name, None);
    assert_eq!(a.holder, None);
    assert_eq!(
        facts(a),
        [
            ("bundle_id", "101"),
            ("issuance_id", "1-2024-06-01T10:00:00"),
            ("bundle_hash", "9f2c1e"),
            ("account_id", "7"),
            ("metadata_id", "1"),
            ("energy_carrier", "electricity"),
            ("expiry_datestamp", "2026-06-01T00:00:00Z"),
            ("country_of_issuance", "GB"),
            ("connected_grid_identification", "NESO"),
            ("issue_market_zone", "GB"),
            ("emissions_factor_source", "LCA 2023"),
            ("device_technology_type", "solar_pv"),
            ("device_location", "51.5, -0.12"),
            ("is_storage", "false"),
            ("issuance_post_energy_carrier_conversion", "false"),
            ("registry_configuration", "1"),
        ]
    );

    // 30-digit ids stay exact; an offset is converted to UTC; Claimed is
    // a claim the file does not date.
    let b = &st.ranges[1];
    assert_eq!(b.at, p("/1"));
    assert_eq!(
        summary(b),
        (
            s("123456789012345678901234567890"),
            s("123456789012345678901234568889"),
            s("1000"),
            s("1000 Wh"),
            s("claimed"),
            s("2024-06-01T12:00:00Z"),
            s("2024-06-01T13:00:00Z"),
        )
    );
    assert_eq!(b.claim, Claim::Undated);
    assert_eq!(b.beneficiary_name.as_deref(), Some("Acme Ltd"));
    assert_eq!(b.emissions, None, "a null factor is no factor");
    assert_eq!(b.device.technology_type, Some(TechnologyType::Wind));
    assert_eq!(b.registry, "energytag:GCOS Registry:2");

    let c = &st.ranges[2];
    assert_eq!(
        (c.status.clone(), c.claim.clone()),
        (Status::Cancelled, Claim::Undated)
    );
    assert_eq!(
        (c.count.as_str(), c.per_certificate.as_str()),
        ("500", "1000000")
    );
    assert_eq!(c.beneficiary_name.as_deref(), Some("Beta GmbH"));
    assert_eq!(c.device.technology_type, Some(TechnologyType::Hydro));
    assert_eq!(c.device.name, None);

    // Expired and withdrawn bundles are kept but never retired.
    let d = &st.ranges[3];
    assert_eq!(
        (d.status.clone(), d.claim.clone()),
        (Status::Expired, Claim::No)
    );
    assert_eq!(d.device.technology_type, Some(TechnologyType::Nuclear));
    assert!(
        !TechnologyType::Nuclear.is_draft(),
        "nuclear needs the non-draft flag on export"
    );
    let e = &st.ranges[4];
    assert_eq!(
        (e.status.clone(), e.claim.clone()),
        (Status::Withdrawn, Claim::No)
    );
    assert_eq!(e.device.technology_type, Some(TechnologyType::Storage));

    // `chp` is not a CDS technology: left for the user.
    let f = &st.ranges[5];
    assert_eq!(f.at, p("/6"));
    assert_eq!(f.device.technology.as_deref(), Some("chp"));
    assert_eq!(f.device.technology_type, None);

    // The split parent and the hydrogen bundle are skipped, with why.
    let skipped: Vec<_> = st
        .skipped
        .iter()
        .map(|s| (s.at.clone(), s.reason.clone()))
        .collect();
    assert_eq!(skipped.len(), 2);
    assert_eq!(skipped[0].0, p("/5"));
    assert!(skipped[0].1.contains("Bundle Split"));
    assert_eq!(skipped[1].0, p("/7"));
    assert!(skipped[1].1.contains("hydrogen"));

    // The two-hour withdrawn bundle is longer than EnergyTag allows.
    assert_eq!(st.warnings.len(), 1);
    assert_eq!(st.warnings[0].at, p("/4/production_ending_interval"));
}

#[test]
fn a_query_response_wraps_bundles_under_the_newer_field_names() {
    let bytes = fixture("energytag/query-response.json");
    assert!(energytag::sniff(&bytes));
    let st = energytag::read(&bytes).unwrap();
    assert_eq!(st.ranges.len(), 1);
    let r = &st.ranges[0];
    assert_eq!(r.at, p("/granular_certificate_bundles/0"));
    assert_eq!(r.registry, "energytag:Elexon GC:12");
    assert_eq!(
        summary(r),
        (
            s("2000"),
            s("2499"),
            s("500"),
            s("1 Wh"),
            s("active"),
            s("2025-01-15T08:00:00Z"),
            s("2025-01-15T09:00:00Z")
        )
    );
    assert_eq!(r.device.capacity.as_deref(), Some("3000000 W"));
}

type Object = serde_json::Map<String, serde_json::Value>;

/// A minimal valid bundle, changed by `change`.
fn base(change: impl Fn(&mut Object)) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(
        r#"{
            "certificate_bundle_status": "Active",
            "certificate_bundle_id_range_start": 10,
            "certificate_bundle_id_range_end": 19,
            "bundle_quantity": 10,
            "energy_carrier": "electricity",
            "energy_source": "wind",
            "face_value": 1000,
            "device_id": 4,
            "production_starting_interval": "2024-06-01T00:00:00Z",
            "production_ending_interval": "2024-06-01T01:00:00Z",
            "issuing_body": "GCOS Registry"
        }"#,
    )
    .unwrap();
    change(v.as_object_mut().unwrap());
    v
}

#[test]
fn inconsistent_bundles_are_refused_at_their_pointer() {
    use serde_json::json;
    // A good bundle, then the broken one at /1.
    let err = |change: &dyn Fn(&mut Object)| {
        let list = serde_json::Value::Array(vec![base(|_| {}), base(change)]);
        energytag::read(&serde_json::to_vec(&list).unwrap()).unwrap_err()
    };

    let m = message_at(
        err(&|b| {
            b.insert("bundle_quantity".into(), json!(11));
        }),
        p("/1/bundle_quantity"),
    );
    assert!(
        m.contains("bundle_quantity is 11") && m.contains("holds 10"),
        "{m}"
    );

    let m = message_at(
        err(&|b| {
            b.insert("certificate_bundle_id_range_end".into(), json!(9));
        }),
        p("/1/certificate_bundle_id_range_end"),
    );
    assert!(m.contains("before it starts"), "{m}");

    let m = message_at(
        err(&|b| {
            b.insert("face_value".into(), json!(0));
        }),
        p("/1/face_value"),
    );
    assert!(m.contains("face_value is 0"), "{m}");

    let m = message_at(
        err(&|b| {
            b.insert("face_value".into(), json!(1.5));
        }),
        p("/1/face_value"),
    );
    assert!(m.contains("whole number"), "{m}");

    let m = message_at(
        err(&|b| {
            b.insert("certificate_bundle_id_range_start".into(), json!("10"));
        }),
        p("/1/certificate_bundle_id_range_start"),
    );
    assert!(m.contains("whole number"), "{m}");

    // A time that is not the specification's date-time is refused saying
    // what is wrong with it, never that an offset is missing when it is
    // there (decision 79 as amended).
    for (text, said) in [
        (
            "2024-03-31 00:00:00+00:00",
            "`2024-03-31 00:00:00+00:00` separates the date and the time with a space, where \
             the specification's date-time has a `T`",
        ),
        (
            "2024-03-31 00:00:00",
            "`2024-03-31 00:00:00` separates the date and the time with a space",
        ),
        ("2024-03-31", "`2024-03-31` is a day without a time"),
        ("2024-03-31T00:00", "`2024-03-31T00:00` gives no seconds"),
        (
            "2024-03-31T00:00:00+0100",
            "`2024-03-31T00:00:00+0100` ends in `+0100`, which is no offset as RFC 3339 writes one",
        ),
        ("31/03/2024 00:00", "`31/03/2024 00:00` is not a date-time"),
        (
            "2024-03-31T12:59:60",
            "`2024-03-31T12:59:60` has second 60, which exists only as a leap second",
        ),
    ] {
        let m = message_at(
            err(&|b| {
                b.insert("production_starting_interval".into(), json!(text));
            }),
            p("/1/production_starting_interval"),
        );
        assert!(m.starts_with(said), "{text}: {m}");
        assert!(
            m.contains("EnergyTag intervals are written YYYY-MM-DDTHH:MM:SS, in UTC"),
            "{m}"
        );
    }

    let m = message_at(
        err(&|b| {
            b.insert(
                "production_ending_interval".into(),
                json!("2024-06-01T00:00:00Z"),
            );
        }),
        p("/1/production_ending_interval"),
    );
    assert!(m.contains("ends"), "{m}");

    let m = message_at(
        err(&|b| {
            b.remove("issuing_body");
        }),
        p("/1/issuing_body"),
    );
    assert!(m.contains("issuing_body"), "{m}");

    let m = message_at(
        err(&|b| {
            b.remove("certificate_bundle_status");
        }),
        p("/1/certificate_bundle_status"),
    );
    assert!(m.contains("certificate_bundle_status"), "{m}");

    let m = message_at(
        err(&|b| {
            b.insert("emissions_factor_production_device".into(), json!("low"));
        }),
        p("/1/emissions_factor_production_device"),
    );
    assert!(m.contains("number"), "{m}");

    // A commissioning date that is not ISO was left out without a word.
    let m = message_at(
        err(&|b| {
            b.insert("device_production_start_date".into(), json!("01/05/2019"));
        }),
        p("/1/device_production_start_date"),
    );
    assert!(
        m.starts_with(
            "`01/05/2019` is not a date: device_production_start_date must be written YYYY-MM-DD"
        ),
        "{m}"
    );
    let m = message_at(
        err(&|b| {
            b.insert(
                "device_production_start_date".into(),
                json!("2019-05-01T10:00:00Z"),
            );
        }),
        p("/1/device_production_start_date"),
    );
    assert!(m.contains("time of day"), "{m}");
    // Midnight with a non-zero offset is an instant in another day's
    // reckoning: refused, not cut to its date.
    let m = message_at(
        err(&|b| {
            b.insert(
                "device_production_start_date".into(),
                json!("2019-05-01T00:00:00+01:00"),
            );
        }),
        p("/1/device_production_start_date"),
    );
    assert!(m.contains("offset"), "{m}");

    // A bundle that is not an object, and a file that is not JSON.
    let m = message_at(energytag::read(b"[1]").unwrap_err(), p("/0"));
    assert!(m.contains("object"), "{m}");
    let m = message_at(
        energytag::read(b"[{\"a\": }]").unwrap_err(),
        eac_registry::Locator::LineColumn(1, 8),
    );
    assert!(m.starts_with("the file is not valid JSON: "), "{m}");
    let m = message_at(energytag::read(b"{\"x\": 1}").unwrap_err(), p(""));
    assert!(m.contains("no EnergyTag certificate bundles"), "{m}");
}

/// The specification gives both interval times as "the datetime in UTC
/// format" and its reference registry writes them without an offset
/// (`2021-01-01T00:00:00`): such a time is that instant in UTC, said once
/// per file; with an offset, as before (decision 79 as amended).
#[test]
fn an_interval_written_without_an_offset_is_the_utc_time_the_specification_says() {
    let list = serde_json::Value::Array(vec![
        base(|b| {
            b.insert(
                "production_starting_interval".into(),
                "2024-03-31T00:00:00".into(),
            );
            b.insert(
                "production_ending_interval".into(),
                "2024-03-31t01:00:00.000".into(),
            );
        }),
        base(|b| {
            b.insert("certificate_bundle_id_range_start".into(), 20.into());
            b.insert("certificate_bundle_id_range_end".into(), 29.into());
            b.insert(
                "production_starting_interval".into(),
                "2024-03-31T03:00:00+02:00".into(),
            );
            b.insert(
                "production_ending_interval".into(),
                "2024-03-31T02:00:00".into(),
            );
        }),
    ]);
    let st = energytag::read(&serde_json::to_vec(&list).unwrap()).unwrap();
    let periods: Vec<(String, String)> = (st.ranges.iter())
        .map(|r| (r.period_start.to_string(), r.period_end.to_string()))
        .collect();
    assert_eq!(
        periods,
        [
            (s("2024-03-31T00:00:00Z"), s("2024-03-31T01:00:00Z")),
            (s("2024-03-31T01:00:00Z"), s("2024-03-31T02:00:00Z")),
        ]
    );
    assert_eq!(st.warnings.len(), 1, "{:?}", st.warnings);
    assert_eq!(st.warnings[0].at, p("/0/production_starting_interval"));
    assert_eq!(
        st.warnings[0].message,
        "3 interval times are written without a UTC offset (the first: \
         `2024-03-31T00:00:00`): read as UTC, as the EnergyTag specification defines \
         production_starting_interval and production_ending_interval (\"the datetime in UTC \
         format\")"
    );
}

/// Rule 20 (strict JSON): a key written twice is refused, never "the last
/// one wins": `face_value` 1000 then 1000000 would store 1000 times the
/// energy. The error names the key, its pointer and its line and column.
#[test]
fn a_key_written_twice_is_refused_with_its_place() {
    let one = serde_json::to_string_pretty(&vec![base(|_| {})]).unwrap();
    // serde_json writes the members in key order, two spaces per level.
    let twice = one.replacen(
        "    \"face_value\": 1000,\n",
        "    \"face_value\": 1000,\n    \"face_value\": 1000000,\n",
        1,
    );
    assert_ne!(one, twice);
    let line = twice[..twice.find("1000000").unwrap()]
        .matches('\n')
        .count()
        + 1;
    let m = message_at(
        energytag::read(twice.as_bytes()).unwrap_err(),
        p("/0/face_value"),
    );
    assert!(
        m.contains("duplicate key `face_value` (rule 20: strict JSON)"),
        "{m}"
    );
    assert!(m.contains(&format!("line {line}, column 5")), "{m}");

    // Anywhere in the document: the wrapper object, a fact's own object.
    let wrapped = format!(
        "{{\"granular_certificate_bundles\": [],\r\n \"granular_certificate_bundles\": {one}}}"
    );
    let m = message_at(
        energytag::read(wrapped.as_bytes()).unwrap_err(),
        p("/granular_certificate_bundles"),
    );
    assert!(m.contains("line 2, column 2"), "{m}");
    let nested = base(|b| {
        b.insert("device_location".into(), serde_json::json!({"lat": 1}));
    })
    .to_string()
    .replace(r#"{"lat":1}"#, r#"{"lat":1,"l\u0061t":2}"#);
    let m = message_at(
        energytag::read(nested.as_bytes()).unwrap_err(),
        p("/device_location/lat"),
    );
    assert!(m.contains("duplicate key `lat`"), "{m}");
    // The same name in two bundles, or in a bundle and its fact, is fine.
    let two = serde_json::to_vec(&vec![base(|_| {}), base(|_| {})]).unwrap();
    assert_eq!(energytag::read(&two).unwrap().ranges.len(), 2);
}

#[test]
fn a_lone_bundle_object_and_unknown_statuses_are_read() {
    let one = base(|b| {
        b.insert(
            "certificate_bundle_status".into(),
            serde_json::json!("Frozen"),
        );
    });
    let st = energytag::read(&serde_json::to_vec(&one).unwrap()).unwrap();
    assert_eq!(st.ranges.len(), 1);
    assert_eq!(st.ranges[0].at, p(""));
    assert_eq!(st.ranges[0].status, Status::Other("frozen".into()));
    assert_eq!(st.ranges[0].claim, Claim::No);
    assert_eq!(st.warnings.len(), 1);
    assert_eq!(st.warnings[0].at, p("/certificate_bundle_status"));
}

/// A word the EnergyTag specification does not give a bundle's status is
/// kept as printed, as its warning says: `Retired` or `Redeemed` is no
/// claim (they were read as undated claims while the warning said "never
/// counted as a claim"), `Revoked` no reversal of one; `Expired` and
/// `Withdrawn` are the specification's, and take a stored claim back.
#[test]
fn statuses_the_specification_does_not_give_are_neither_claims_nor_reversals() {
    let read = |word: &str| {
        let one = base(|b| {
            b.insert("certificate_bundle_status".into(), serde_json::json!(word));
        });
        energytag::read(&serde_json::to_vec(&one).unwrap()).unwrap()
    };
    for word in ["Retired", "Redeemed", "Revoked", "Issued"] {
        let st = read(word);
        let r = &st.ranges[0];
        assert_eq!(r.status, Status::Other(word.to_lowercase()), "{word}");
        assert_eq!(r.claim, Claim::No, "{word}");
        assert!(!r.status.is_claim() && !r.status.is_reversal(), "{word}");
        assert_eq!(st.warnings.len(), 1, "{word}");
        assert!(
            st.warnings[0].message.contains("never counted as a claim"),
            "{word}"
        );
    }
    for (word, status) in [
        ("Expired", Status::Expired),
        ("Withdrawn", Status::Withdrawn),
    ] {
        let st = read(word);
        assert_eq!(st.ranges[0].status, status);
        assert!(st.ranges[0].status.is_reversal(), "{word}");
        assert!(st.warnings.is_empty(), "{word}");
    }
    for word in ["Cancelled", "Claimed", "canceled"] {
        let st = read(word);
        assert!(st.ranges[0].status.is_claim(), "{word}");
        assert_eq!(st.ranges[0].claim, Claim::Undated, "{word}");
        assert!(st.warnings.is_empty(), "{word}");
    }
}

#[test]
fn sniff_wants_bundle_json() {
    assert!(!energytag::sniff(&fixture("mrets/certificates.csv")));
    assert!(!energytag::sniff(b"{\"eacs\": []}"));
    assert!(energytag::sniff(
        b"\xEF\xBB\xBF [{\"face_value\": 1, \"bundle_id_range_start\": 0}]"
    ));
}

/// The reference registry types `device_production_start_date` as a
/// datetime, so an export prints the day as its midnight UTC: that instant
/// is the start of that UTC day, read as the day, whatever the spelling.
#[test]
fn a_commissioning_date_at_midnight_utc_is_that_day() {
    use serde_json::json;

    for t in [
        "2019-05-01",
        "2019-05-01T00:00:00",
        "2019-05-01T00:00:00Z",
        "2019-05-01T00:00:00+00:00",
        "2019-05-01T00:00:00.000000Z",
        "2019-05-01T00:00:00.000+00:00",
    ] {
        let list = serde_json::Value::Array(vec![base(|b| {
            b.insert("device_production_start_date".into(), json!(t));
        })]);
        let st = energytag::read(&serde_json::to_vec(&list).unwrap())
            .unwrap_or_else(|e| panic!("{t}: {e:?}"));
        assert_eq!(
            st.ranges[0]
                .device
                .commissioned
                .map(|d| d.to_string())
                .as_deref(),
            Some("2019-05-01"),
            "{t}"
        );
    }
    for (t, holds) in [
        ("2019-05-01T00:00:00-04:00", "it holds an offset, -04:00:"),
        ("2019-05-01T01:00:00Z", "it holds a time of day, 01:00:00Z:"),
        (
            "2019-05-01T00:00:00.5+00:00",
            "it holds a time of day, 00:00:00.5+00:00:",
        ),
        (
            "2019-05-01T13:00:00-04:00",
            "it holds a time of day and an offset, 13:00:00-04:00:",
        ),
    ] {
        let list = serde_json::Value::Array(vec![base(|b| {
            b.insert("device_production_start_date".into(), json!(t));
        })]);
        let e = energytag::read(&serde_json::to_vec(&list).unwrap()).unwrap_err();
        let m = message_at(e, p("/0/device_production_start_date"));
        assert!(m.contains(holds), "{t}: {m}");
    }
}

/// A split bundle is skipped as before, and its range is kept for the
/// store, which replaces a stored EAC of it by the bundles that hold its
/// certificates (tester 38, finding 1): also when the registry marks it
/// deleted too, as the reference registry does; never for a bundle that
/// is only deleted, and a split bundle that does not say whose it is
/// (no issuing body) is skipped without refusing the file.
#[test]
fn a_split_bundle_is_skipped_and_its_range_kept_for_the_store() {
    let st = energytag::read(&fixture("energytag/bundles.json")).unwrap();
    let splits: Vec<_> = (st.splits.iter())
        .map(|s| {
            let id = eac_registry::split_eac_id(s);
            (s.at.clone(), id, s.status.clone())
        })
        .collect();
    assert_eq!(
        splits,
        [(
            p("/5"),
            s("energytag:GCOS Registry:1:0..1999"),
            s("Bundle Split")
        )]
    );

    let list = serde_json::Value::Array(vec![
        base(|b| {
            b.insert("certificate_bundle_status".into(), "bundle split".into());
            b.insert("is_deleted".into(), true.into());
        }),
        base(|b| {
            b.insert("is_deleted".into(), true.into());
        }),
        base(|b| {
            b.insert("certificate_bundle_status".into(), "Bundle Split".into());
            b.remove("issuing_body");
        }),
    ]);
    let st = energytag::read(&serde_json::to_vec(&list).unwrap()).unwrap();
    assert!(st.ranges.is_empty());
    let skipped: Vec<_> = st.skipped.iter().map(|s| s.at.clone()).collect();
    assert_eq!(skipped, [p("/0"), p("/1"), p("/2")]);
    assert!(
        st.skipped[0].reason.contains("Bundle Split"),
        "{:?}",
        st.skipped
    );
    assert!(st.skipped[1].reason.contains("deleted"), "{:?}", st.skipped);
    let splits: Vec<_> = (st.splits.iter())
        .map(|s| (s.at.clone(), eac_registry::split_eac_id(s)))
        .collect();
    assert_eq!(splits, [(p("/0"), s("energytag:GCOS Registry:4:10..19"))]);
}
