//! The Ofgem readers on the real samples (`fixtures/ofgem/*-sample.*`,
//! copied verbatim from `shared/registries/ofgem/`) and on fixtures for
//! every pitfall the registry README lists.

use eac_model::{Date, Decimal, EnergyUnit, TechnologyType, Timestamp};
use eac_registry::ofgem::{
    read_certificates_csv, read_certificates_xml, read_stations_csv, sniff_certificates_csv,
    sniff_certificates_xml, sniff_stations_csv, RO_SKIP_REASON,
};
use eac_registry::{Claim, Device, Locator, RangeRecord, Skipped, Statement, Station, Status};

const SAMPLE_CSV: &[u8] = include_bytes!("fixtures/ofgem/certificates-sample.csv");
const SAMPLE_XML: &[u8] = include_bytes!("fixtures/ofgem/certificates-report-sample.xml");
const SAMPLE_STATIONS: &[u8] = include_bytes!("fixtures/ofgem/accredited-stations-sample.csv");
const PREAMBLE: &[u8] = include_bytes!("fixtures/ofgem/preamble.csv");
const NO_HEADER_BOM: &[u8] = include_bytes!("fixtures/ofgem/no-header-bom.csv");
const INDEX_COLUMN: &[u8] = include_bytes!("fixtures/ofgem/index-column.csv");
const INDEX_NO_HEADER: &[u8] = include_bytes!("fixtures/ofgem/index-no-header.csv");
const STATUSES: &[u8] = include_bytes!("fixtures/ofgem/statuses.csv");
const COUNT_MISMATCH: &[u8] = include_bytes!("fixtures/ofgem/count-mismatch.csv");
const BAD_DATE: &[u8] = include_bytes!("fixtures/ofgem/bad-date.csv");
const WINDOWS_1252: &[u8] = include_bytes!("fixtures/ofgem/windows-1252.csv");
const SAME_ROWS_XML: &[u8] = include_bytes!("fixtures/ofgem/same-rows.xml");

fn d(text: &str) -> Date {
    Date::parse(text).unwrap()
}

fn n(text: &str) -> Decimal {
    Decimal::parse(text).unwrap()
}

fn t(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn facts(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A REGO range as the Ofgem readers state it; the caller gives every
/// field that varies between rows.
#[allow(clippy::too_many_arguments)]
fn rego(
    at: Locator,
    (first, last, count): (&str, &str, &str),
    (status, claim, issued): (Status, Claim, Option<&str>),
    (period_start, period_end): (&str, &str),
    device: Device,
    holder: Option<&str>,
    fact_pairs: &[(&str, &str)],
) -> RangeRecord {
    // <accreditation><sequence><ddmmyyddmmyy><3 letters>
    let acc = device.id.clone();
    let seq = |n: &str| n[acc.len()..n.len() - 15].to_string();
    RangeRecord {
        at,
        series: format!("{acc}…{}", &first[first.len() - 15..]),
        first_seq: seq(first),
        last_seq: seq(last),
        registry: "ofgem".into(),
        source_id: "ofgem".into(),
        source_name: "Ofgem Renewables and CHP Register".into(),
        first: first.into(),
        last: last.into(),
        count: n(count),
        per_certificate: n("1"),
        total: None,
        unit: EnergyUnit::MWh,
        status,
        claim,
        issued: issued.map(d),
        period_start: t(period_start),
        period_end: t(period_end),
        device,
        emissions: None,
        beneficiary_name: None,
        holder: holder.map(str::to_string),
        facts: facts(fact_pairs),
    }
}

fn device(
    id: &str,
    name: &str,
    technology: &str,
    technology_type: Option<TechnologyType>,
    capacity: &str,
    country: &str,
) -> Device {
    Device {
        id: id.into(),
        name: Some(name.into()),
        technology: Some(technology.into()),
        technology_type,
        commissioned: None,
        capacity: Some(capacity.into()),
        country: Some(country.into()),
    }
}

fn total(s: &Statement) -> Decimal {
    let sum = s
        .ranges
        .iter()
        .fold(bigdecimal::BigDecimal::from(0), |a, r| {
            a + r.count.to_big() * r.per_certificate.to_big()
        });
    Decimal::from_big(&sum)
}

fn statuses(s: &Statement) -> Vec<&str> {
    s.ranges.iter().map(|r| r.status.as_str()).collect()
}

// March 2023 in London: GMT until 26 March, BST at the month's end.
const MARCH_2023: (&str, &str) = ("2023-03-01T00:00:00Z", "2023-03-31T23:00:00Z");
const FEBRUARY_2023: (&str, &str) = ("2023-02-01T00:00:00Z", "2023-03-01T00:00:00Z");
const JANUARY_2023: (&str, &str) = ("2023-01-01T00:00:00Z", "2023-02-01T00:00:00Z");

#[test]
fn the_real_csv_sample_reads_every_row_and_field() {
    let s = read_certificates_csv(SAMPLE_CSV).unwrap();
    assert_eq!(s.ranges.len(), 10);
    assert!(s.skipped.is_empty() && s.warnings.is_empty() && s.stations.is_empty());
    assert_eq!(total(&s).as_str(), "771582");
    assert_eq!(
        statuses(&s),
        [
            "issued", "retired", "redeemed", "expired", "retired", "retired", "retired",
            "redeemed", "retired", "expired"
        ]
    );
    let lines: Vec<Locator> = s.ranges.iter().map(|r| r.at.clone()).collect();
    assert_eq!(lines, (2..=11).map(Locator::Line).collect::<Vec<_>>());
    let claims = s.ranges.iter().filter(|r| r.claim != Claim::No).count();
    assert_eq!(claims, 7);

    let drax = || {
        device(
            "G01821BWEN",
            "Drax Power Station (REGO)",
            "Biomass",
            Some(TechnologyType::Biomass),
            "4065000 kW",
            "England",
        )
    };
    assert_eq!(
        s.ranges[0],
        rego(
            Locator::Line(2),
            (
                "G01821BWEN0000000000010323310323GEN",
                "G01821BWEN0000004999010323310323GEN",
                "5000"
            ),
            (Status::Issued, Claim::No, Some("2023-05-15")),
            MARCH_2023,
            drax(),
            Some("Drax Pumped Storage Limited"),
            &[
                ("scheme", "REGO"),
                ("country", "England"),
                ("certificate_status", "Issued"),
                ("status_date", "2023-11-10"),
                ("company_registration_number", "06657336"),
            ],
        )
    );
    assert_eq!(
        s.ranges[1],
        rego(
            Locator::Line(3),
            (
                "G01177FWEN0000251285010323310323GEN",
                "G01177FWEN0000256284010323310323GEN",
                "5000"
            ),
            (
                Status::Retired,
                Claim::On(d("2023-06-06")),
                Some("2023-04-25")
            ),
            MARCH_2023,
            device(
                "G01177FWEN",
                "Walney Extension",
                "Off-shore Wind",
                Some(TechnologyType::Wind),
                "659000 kW",
                "England"
            ),
            Some("ACT"),
            &[
                ("scheme", "REGO"),
                ("country", "England"),
                ("certificate_status", "Retired"),
                ("status_date", "2023-06-06"),
                ("company_registration_number", "27336523"),
            ],
        )
    );
    // Redeemed by a supplier; no company number printed.
    assert_eq!(
        s.ranges[2],
        rego(
            Locator::Line(4),
            (
                "G01821BWEN0000005000010323310323GEN",
                "G01821BWEN0000655421010323310323GEN",
                "650422"
            ),
            (
                Status::Redeemed,
                Claim::On(d("2023-07-01")),
                Some("2023-05-15")
            ),
            MARCH_2023,
            drax(),
            Some("Drax Energy Solutions Limited (Supplier)"),
            &[
                ("scheme", "REGO"),
                ("country", "England"),
                ("certificate_status", "Redeemed"),
                ("status_date", "2023-07-01"),
            ],
        )
    );
    // Expired: stored as such, not a claim.
    assert_eq!(
        s.ranges[9],
        rego(
            Locator::Line(11),
            (
                "G01187FWEN0000352956010123310123GEN",
                "G01187FWEN0000387533010123310123GEN",
                "34578"
            ),
            (Status::Expired, Claim::No, Some("2023-03-22")),
            JANUARY_2023,
            device(
                "G01187FWEN",
                "Triton Knoll Offshore Windfarm",
                "Off-shore Wind",
                Some(TechnologyType::Wind),
                "857250 kW",
                "England"
            ),
            Some("Vodafone Limited"),
            &[
                ("scheme", "REGO"),
                ("country", "England"),
                ("certificate_status", "Expired"),
                ("status_date", "2024-05-01"),
                ("company_registration_number", "1471587"),
            ],
        )
    );
    // Company numbers stay text as printed: foreign, 7 characters.
    let company = |i: usize| {
        s.ranges[i]
            .facts
            .iter()
            .find(|(k, _)| k == "company_registration_number")
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(company(4), Some("NO-985040567"));
    assert_eq!(company(5), Some("4005541"));
    assert_eq!(
        (s.ranges[3].period_start, s.ranges[3].period_end),
        (t(FEBRUARY_2023.0), t(FEBRUARY_2023.1))
    );
}

#[test]
fn the_real_xml_sample_reads_rego_rows_and_skips_ro() {
    let s = read_certificates_xml(SAMPLE_XML).unwrap();
    let detail =
        |i: usize| Locator::Element(format!("/Report/table1/Detail_Collection/Detail[{i}]"));
    assert_eq!(s.ranges.len(), 4);
    assert_eq!(
        s.skipped,
        [Skipped {
            at: detail(5),
            reason: RO_SKIP_REASON.into()
        }]
    );
    assert_eq!(total(&s).as_str(), "2591");
    assert_eq!(statuses(&s), ["issued"; 4]);
    // The sample is an extract: the report's stated total says so.
    assert_eq!(s.warnings.len(), 1);
    assert_eq!(s.warnings[0].at, Locator::Element("/Report".into()));
    assert!(
        s.warnings[0].message.contains("15994547") && s.warnings[0].message.contains("2768"),
        "{}",
        s.warnings[0].message
    );
    let january_2016 = ("2016-01-01T00:00:00Z", "2016-02-01T00:00:00Z");
    assert_eq!(
        s.ranges[0],
        rego(
            detail(1),
            (
                "G01337HYEN0000000000010116310116GEN",
                "G01337HYEN0000000009010116310116GEN",
                "10"
            ),
            (Status::Issued, Claim::No, Some("2016-01-31")),
            january_2016,
            device(
                "G01337HYEN",
                "Upwey Hydro Power",
                "Hydro",
                Some(TechnologyType::Hydro),
                "15 kW",
                "England"
            ),
            Some("Richard A Willett"),
            &[
                ("scheme", "REGO"),
                ("country", "England"),
                ("certificate_status", "Issued"),
                ("status_date", "2016-01-31"),
            ],
        )
    );
    // Trailing space in the technology group; an escaped `&`.
    assert_eq!(
        s.ranges[1],
        rego(
            detail(2),
            (
                "G04762PVEN0000000000010116310116GEN",
                "G04762PVEN0000000000010116310116GEN",
                "1"
            ),
            (Status::Issued, Claim::No, Some("2016-02-01")),
            january_2016,
            device(
                "G04762PVEN",
                "Copdock Mill PV",
                "Photovoltaic",
                Some(TechnologyType::Solar),
                "70.56 kW",
                "England"
            ),
            Some("H G Gladwell & Sons Ltd"),
            &[
                ("scheme", "REGO"),
                ("country", "England"),
                ("certificate_status", "Issued"),
                ("status_date", "2016-02-01"),
                ("company_registration_number", "655853"),
            ],
        )
    );
    // A character reference in the name; no textbox45 attribute at all.
    assert_eq!(
        s.ranges[2].device.name.as_deref(),
        Some("Patersons Quarries Generating Station \u{2013} A")
    );
    assert_eq!(
        s.ranges[2].device.technology_type,
        Some(TechnologyType::Biomass)
    );
    assert_eq!(s.ranges[2].count.as_str(), "2536");
    assert!(!s.ranges[2]
        .facts
        .iter()
        .any(|(k, _)| k == "company_registration_number"));
    assert_eq!(
        s.ranges[3].facts.last(),
        Some(&("company_registration_number".into(), "NI606741".into()))
    );
    assert_eq!(
        s.ranges[3].device.country.as_deref(),
        Some("Northern Ireland")
    );
}

#[test]
fn csv_and_xml_read_the_same_rows_into_the_same_records() {
    let csv = read_certificates_csv(SAMPLE_CSV).unwrap();
    let xml = read_certificates_xml(SAME_ROWS_XML).unwrap();
    assert!(xml.warnings.is_empty(), "{:?}", xml.warnings);
    // same-rows.xml renders CSV sample rows 2, 3 and 6 the way Ofgem's XML
    // prints them (ISO dates, 1.000000000000, 659000.00, N/A).
    let from_csv = [&csv.ranges[1], &csv.ranges[2], &csv.ranges[5]];
    assert_eq!(xml.ranges.len(), from_csv.len());
    for (x, c) in xml.ranges.iter().zip(from_csv) {
        let mut x = x.clone();
        x.at = c.at.clone();
        assert_eq!(&x, c);
    }
}

#[test]
fn the_real_stations_sample_reads_every_station() {
    let s = read_stations_csv(SAMPLE_STATIONS).unwrap();
    assert!(s.ranges.is_empty() && s.skipped.is_empty() && s.warnings.is_empty());
    let ids: Vec<&str> = s.stations.iter().map(|x| x.asset_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "G01013FWEN",
            "G01162FWEN",
            "G01166FWEN",
            "G01177FWEN",
            "G01187FWEN"
        ]
    );
    let commissioned: Vec<String> = s
        .stations
        .iter()
        .map(|x| x.commissioned.unwrap().to_string())
        .collect();
    assert_eq!(
        commissioned,
        [
            "2006-01-01",
            "2011-01-13",
            "2011-08-25",
            "2017-09-02",
            "2021-03-05"
        ]
    );
    let station_facts = |accreditation: &str, organisation: &str, address: &str, site: &str| {
        facts(&[
            ("status", "Live"),
            ("scheme", "REGO"),
            ("country", "England"),
            ("technology", "Off-shore wind (REGO code = FW)"),
            ("output_type", "General"),
            ("accreditation_date", accreditation),
            ("organisation", organisation),
            ("organisation_address", address),
            ("station_address", site),
        ])
    };
    assert_eq!(
        s.stations[0],
        Station {
            at: Locator::Line(2),
            asset_id: "G01013FWEN".into(),
            name: Some("Barrow Offshore Windfarm - A".into()),
            capacity: Some("90000 kW".into()),
            commissioned: Some(d("2006-01-01")),
            facts: station_facts(
                "01/01/2006",
                "Barrow Offshore Wind Limited",
                "DONG Energy (Barrow Offshore Windfarm Ltd)\nTeglholmen\nA.C. Meyers Vaenge 9  2450 Copenhagen SV,  Denmark\nDenmark",
                "Barrow Offshore Windfarm - A\n7 miles off Coast of Walney IslandIrish Sea\nEngland",
            ),
        }
    );
    // The first station's addresses hold five bare CRs: each ends a line,
    // as an editor shows the file (and as the csv crate splits records).
    assert_eq!(
        s.stations[1],
        Station {
            at: Locator::Line(8),
            asset_id: "G01162FWEN".into(),
            name: Some("Walney Offshore Wind Phase I".into()),
            capacity: Some("182000 kW".into()),
            commissioned: Some(d("2011-01-13")),
            facts: station_facts(
                "07/02/2011",
                "Walney (UK) Offshore Windfarms Ltd.",
                "C/O Orsted Wind Power\nNesa Allé 1\nGentofte\n2820\nOverseas - Denmark",
                "Walney Offshore Windfarm Phase I\nNear Walney Island\nLA3 3JJ\nEngland",
            ),
        }
    );
}

#[test]
fn each_sample_is_recognised_by_its_content_only() {
    let cases: [(&[u8], [bool; 3]); 8] = [
        (SAMPLE_CSV, [true, false, false]),
        (SAMPLE_XML, [false, true, false]),
        (SAMPLE_STATIONS, [false, false, true]),
        (PREAMBLE, [true, false, false]),
        (NO_HEADER_BOM, [true, false, false]),
        (INDEX_NO_HEADER, [true, false, false]),
        (SAME_ROWS_XML, [false, true, false]),
        (b"name,quantity\nfoo,1\n", [false, false, false]),
    ];
    for (bytes, expected) in cases {
        let got = [
            sniff_certificates_csv(bytes),
            sniff_certificates_xml(bytes),
            sniff_stations_csv(bytes),
        ];
        assert_eq!(
            got,
            expected,
            "{}",
            String::from_utf8_lossy(bytes.get(..60).unwrap_or(bytes))
        );
    }
}

#[test]
fn a_raw_download_with_preamble_reads_both_period_forms_and_skips_ro() {
    let s = read_certificates_csv(PREAMBLE).unwrap();
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    // Physical lines: 3 preamble lines (one blank), the header on line 4.
    assert_eq!(
        s.ranges.iter().map(|r| r.at.clone()).collect::<Vec<_>>(),
        [Locator::Line(5), Locator::Line(6), Locator::Line(8)]
    );
    assert_eq!(
        s.skipped,
        [Skipped {
            at: Locator::Line(7),
            reason: "RO certificates are subsidy certificates, not energy attribute certificates"
                .into()
        }]
    );
    // `Mar-2023` and `01/03/2023 - 31/03/2023` are the same period.
    for r in &s.ranges {
        assert_eq!(
            (r.period_start, r.period_end),
            (t(MARCH_2023.0), t(MARCH_2023.1))
        );
    }
    let pv = &s.ranges[0];
    assert_eq!(pv.device.technology.as_deref(), Some("Photovoltaic"));
    assert_eq!(pv.device.technology_type, Some(TechnologyType::Solar));
    assert_eq!(pv.device.capacity.as_deref(), Some("70.56 kW"));
    assert_eq!(pv.holder.as_deref(), Some("Smith, Jones & Co Ltd"));
    assert_eq!(
        (pv.count.as_str(), pv.claim.clone()),
        ("12", Claim::On(d("2023-06-30")))
    );
    assert_eq!(s.ranges[1].holder.as_deref(), Some("Gladwell, H G & Sons"));
    assert_eq!(s.ranges[1].count.as_str(), "3");
    let revoked = &s.ranges[2];
    assert_eq!(
        (
            revoked.status.clone(),
            revoked.claim.clone(),
            revoked.count.as_str()
        ),
        (Status::Revoked, Claim::No, "1131")
    );
    assert_eq!(revoked.device.country.as_deref(), Some("Northern Ireland"));
    assert_eq!(total(&s).as_str(), "1146");
}

#[test]
fn rows_without_a_header_are_recognised_by_content_behind_a_bom() {
    let s = read_certificates_csv(NO_HEADER_BOM).unwrap();
    let sample = read_certificates_csv(SAMPLE_CSV).unwrap();
    assert_eq!(s.ranges.len(), 2);
    // The same rows as lines 3 and 7 of the sample, now on lines 1 and 2.
    let mut expected = [sample.ranges[1].clone(), sample.ranges[5].clone()];
    expected[0].at = Locator::Line(1);
    expected[1].at = Locator::Line(2);
    assert_eq!(s.ranges, expected);
    assert_eq!(s.ranges[0].device.id, "G01177FWEN");
}

#[test]
fn a_leading_index_column_is_not_read_as_data() {
    let sample = read_certificates_csv(SAMPLE_CSV).unwrap();
    let mut drax = sample.ranges[0].clone();
    let mut walney = sample.ranges[4].clone();
    for (bytes, lines) in [(INDEX_COLUMN, [2, 3]), (INDEX_NO_HEADER, [1, 2])] {
        let s = read_certificates_csv(bytes).unwrap();
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
        drax.at = Locator::Line(lines[0]);
        walney.at = Locator::Line(lines[1]);
        assert_eq!(s.ranges, [drax.clone(), walney.clone()]);
    }
}

#[test]
fn every_status_is_kept_and_only_redeemed_and_retired_are_claims() {
    let s = read_certificates_csv(STATUSES).unwrap();
    assert_eq!(
        statuses(&s),
        ["issued", "redeemed", "retired", "expired", "revoked"]
    );
    let claims: Vec<Claim> = s.ranges.iter().map(|r| r.claim.clone()).collect();
    assert_eq!(
        claims,
        [
            Claim::No,
            Claim::On(d("2023-07-01")),
            Claim::On(d("2023-08-07")),
            Claim::No,
            Claim::No
        ]
    );
    let fact = |i: usize, name: &str| {
        s.ranges[i]
            .facts
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(fact(3, "certificate_status").as_deref(), Some("Expired"));
    assert_eq!(fact(3, "status_date").as_deref(), Some("2024-05-01"));
    assert_eq!(fact(4, "certificate_status").as_deref(), Some("Revoked"));
    assert_eq!(fact(4, "status_date").as_deref(), Some("2024-02-02"));
    // Company numbers as printed: 7 characters, 8 with the zero, none, foreign.
    let companies: Vec<Option<String>> = (0..5)
        .map(|i| fact(i, "company_registration_number"))
        .collect();
    assert_eq!(
        companies,
        [
            Some("1471587".into()),
            None,
            Some("27336523".into()),
            Some("01471587".into()),
            Some("NO-985040567".into())
        ]
    );
    assert_eq!(total(&s).as_str(), "50");
}

#[test]
fn a_count_that_does_not_match_the_range_refuses_the_file_at_its_line() {
    let e = read_certificates_csv(COUNT_MISMATCH).unwrap_err();
    assert_eq!(e.at, Locator::Line(3));
    assert_eq!(
        e.message,
        "No. Of Certificates is 5001 but G01821BWEN0000005000010323310323GEN to \
         G01821BWEN0000009999010323310323GEN is 5000 certificates (end − start + 1 of the \
         sequence numbers). Correct this row (or download the report again from the Ofgem \
         register) and import the file again"
    );
    // The message is a clause the import report completes ("; nothing from
    // it was imported"): its own full stop made ".;" there.
}

#[test]
fn an_impossible_date_refuses_the_file_at_its_physical_line() {
    let e = read_certificates_csv(BAD_DATE).unwrap_err();
    assert_eq!(e.at, Locator::Line(4));
    assert!(
        e.message.starts_with(
            "Issue Date \"31/02/2023\" is not a day of the calendar: February 2023 has 28 days"
        ),
        "{}",
        e.message
    );
    assert_eq!(e.to_string().split(':').next(), Some("line 4"));
}

/// A file saved with CR line ends only (old Excel for Mac): the csv crate
/// splits its records at each lone CR, so a line number counts it too
/// (every error said "line 1").
fn cr_only(bytes: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(bytes).unwrap();
    let text = text.replace("\r\n", "\r").replace('\n', "\r");
    assert!(!text.contains('\n'));
    text.into_bytes()
}

#[test]
fn cr_only_line_ends_are_counted_as_lines() {
    let e = read_certificates_csv(&cr_only(BAD_DATE)).unwrap_err();
    assert_eq!(e.at, Locator::Line(4), "{e}");
    let e = read_certificates_csv(&cr_only(COUNT_MISMATCH)).unwrap_err();
    assert_eq!(e.at, Locator::Line(3), "{e}");
    let s = read_certificates_csv(&cr_only(SAMPLE_CSV)).unwrap();
    let lines: Vec<Locator> = s.ranges.iter().take(3).map(|r| r.at.clone()).collect();
    assert_eq!(
        lines,
        [Locator::Line(2), Locator::Line(3), Locator::Line(4)]
    );
    let text = std::str::from_utf8(SAMPLE_STATIONS)
        .unwrap()
        .replace("25/08/2011,25/08/2011", "25/08/2011,2011-08-25");
    // Whatever a file's line ends, the same place has the same line.
    let e = read_stations_csv(&cr_only(text.as_bytes())).unwrap_err();
    assert_eq!(e.at, Locator::Line(16), "{e}");
}

#[test]
fn a_windows_1252_resave_is_read_with_a_warning() {
    let s = read_certificates_csv(WINDOWS_1252).unwrap();
    assert_eq!(s.ranges.len(), 1);
    assert_eq!(
        s.ranges[0].device.name.as_deref(),
        Some("Walney Offshore Wind Phase I \u{2013} A")
    );
    assert_eq!(s.ranges[0].holder.as_deref(), Some("Ørsted Salés (UK) Ltd"));
    assert_eq!(s.warnings.len(), 1);
    assert_eq!(s.warnings[0].at, Locator::Document);
    assert!(s.warnings[0].message.contains("Windows-1252"));
}

/// The sample with one cell of line `line` (1-based, header = 1) replaced.
fn sample_with(line: usize, column: usize, value: &str) -> Vec<u8> {
    let text = std::str::from_utf8(SAMPLE_CSV).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut cells: Vec<&str> = lines[line - 1].split(',').collect();
    cells[column] = value;
    lines[line - 1] = cells.join(",");
    lines.join("\n").into_bytes()
}

#[test]
fn malformed_cells_are_named_with_their_line_and_what_was_expected() {
    let cases = [
        (4, 3, "ROC", "Scheme is \"ROC\"; expected REGO or RO"),
        (5, 7, "Q1 2023", "Output Period \"Q1 2023\" is not a period"),
        (6, 8, "50OO", "No. Of Certificates \"50OO\" is not a number"),
        (7, 11, "one", "MWh Per Certificate \"one\" is not a number"),
        (8, 2, "big", "Station TIC \"big\" is not a number of kW"),
        (
            9,
            14,
            "2023-13-01",
            "Status Date \"2023-13-01\" is not a day of the calendar: there is no month 13",
        ),
        (
            10,
            14,
            "",
            "Status Date is empty; a Retired row needs the date",
        ),
        (
            11,
            10,
            "G01187FWEN0000387533010223280223GEN",
            "End Certificate No. \"G01187FWEN0000387533010223280223GEN\" does not continue",
        ),
        (
            2,
            9,
            "G01177FWEN0000000000010323310323GEN",
            "Start Certificate No. \"G01177FWEN0000000000010323310323GEN\" is not a REGO \
             certificate number of station G01821BWEN",
        ),
        (
            3,
            10,
            "G01177FWEN0000251284010323310323GEN",
            "comes before Start",
        ),
        (3, 0, "", "Accreditation No. is empty"),
        (
            4,
            11,
            "-1.0",
            "MWh Per Certificate is -1; a certificate holds more than 0 MWh",
        ),
    ];
    for (line, column, value, expected) in cases {
        let e = read_certificates_csv(&sample_with(line, column, value)).unwrap_err();
        assert_eq!(e.at, Locator::Line(line as u64), "{value}: {e}");
        assert!(e.message.contains(expected), "{value}: {}", e.message);
    }
}

#[test]
fn a_file_that_is_no_certificates_report_is_refused_as_a_whole() {
    let e = read_certificates_csv(b"name,quantity\nfoo,1\n").unwrap_err();
    assert_eq!(e.at, Locator::Document);
    assert!(e
        .message
        .starts_with("this is not an Ofgem certificates report"));
    let e = read_certificates_xml(b"<Other/>").unwrap_err();
    assert!(e.message.contains("root element is Other"), "{e}");
    let e = read_certificates_xml(b"<Report><table1><Detail textbox4=\"x></table1>").unwrap_err();
    assert_eq!(e.at, Locator::LineColumn(1, 34), "{e}");
    assert!(
        e.message.contains("opens a quote \" that is never closed"),
        "{e}"
    );
    let e = read_stations_csv(SAMPLE_CSV).unwrap_err();
    assert_eq!(e.at, Locator::Document);
}

#[test]
fn a_bad_xml_row_is_named_by_its_element() {
    let xml = std::str::from_utf8(SAMPLE_XML).unwrap().replace(
        "2016-03-10T00:00:00\"\n                textbox33",
        "2016-02-30T00:00:00\"\n                textbox33",
    );
    let e = read_certificates_xml(xml.as_bytes()).unwrap_err();
    assert_eq!(
        e.at,
        Locator::Element("/Report/table1/Detail_Collection/Detail[3]".into())
    );
    assert!(
        e.message.starts_with(
            "Issue Date \"2016-02-30T00:00:00\" is not a day of the calendar: February 2016 \
             has 29 days. Correct this row"
        ),
        "{e}"
    );
}

/// A day the calendar does not have, in the form the file writes its days
/// (`2016-02-30T00:00:00` in the XML, the CSV too), was explained as a
/// time that a date field cannot hold, told to write the form it already
/// had, to format "the spreadsheet column" of an XML download, and (XML)
/// to write day/month/year, which the XML report never writes. It is said
/// as a day the calendar lacks; a real time keeps its explanation, worded
/// for the file it is in.
#[test]
fn a_day_the_calendar_lacks_is_said_as_that_in_the_files_own_form() {
    let wrong = ["time", "midnight", "spreadsheet", "day/month/year"];
    let xml = std::str::from_utf8(SAMPLE_XML).unwrap().replacen(
        "textbox30=\"2016-01-31T00:00:00\"",
        "textbox30=\"2016-02-30T00:00:00\"",
        1,
    );
    let e = read_certificates_xml(xml.as_bytes()).unwrap_err();
    assert!(
        e.message.starts_with(
            "Issue Date \"2016-02-30T00:00:00\" is not a day of the calendar: February 2016 \
             has 29 days"
        ),
        "{e}"
    );
    assert!(!wrong.iter().any(|w| e.message.contains(w)), "{e}");
    for (value, said) in [
        ("2023-02-30T00:00:00", "February 2023 has 28 days"),
        ("30/02/2023", "February 2023 has 28 days"),
        ("2023-02-30", "February 2023 has 28 days"),
        ("31/04/2023", "April 2023 has 30 days"),
        (
            "2023-13-03T00:00:00",
            "there is no month 13; a year has 12 months",
        ),
    ] {
        let e = read_certificates_csv(&sample_with(3, 12, value)).unwrap_err();
        assert_eq!(e.at, Locator::Line(3));
        assert!(
            e.message.starts_with(&format!(
                "Issue Date \"{value}\" is not a day of the calendar: {said}. Correct this row"
            )),
            "{value}: {e}"
        );
    }
    // A real time is still explained as one; in the XML, without the
    // CSV's day/month/year or spreadsheet.
    let xml = std::str::from_utf8(SAMPLE_XML).unwrap().replacen(
        "textbox30=\"2016-01-31T00:00:00\"",
        "textbox30=\"2016-01-31T10:00:00\"",
        1,
    );
    let e = read_certificates_xml(xml.as_bytes()).unwrap_err();
    assert!(
        e.message.starts_with(
            "Issue Date \"2016-01-31T10:00:00\" is not a date; expected YYYY-MM-DDT00:00:00 \
             like 2023-05-15T00:00:00, as the report writes its days (it holds a time of day, \
             10:00:00: a date field holds whole days"
        ),
        "{e}"
    );
    let xml = xml.replacen("2016-01-31T10:00:00", "2016-01-31 00:00:00", 1);
    let e = read_certificates_xml(xml.as_bytes()).unwrap_err();
    assert!(
        e.message.contains(
            "midnight is read as its day only in the ISO form YYYY-MM-DDT00:00:00. Write it as \
             the report does, e.g. 2023-05-15T00:00:00)"
        ) && !e.message.contains("spreadsheet")
            && !e.message.contains("day/month/year"),
        "{e}"
    );
    let e = read_certificates_csv(&sample_with(3, 12, "15/05/2023 10:00")).unwrap_err();
    assert!(
        e.message.starts_with(
            "Issue Date \"15/05/2023 10:00\" is not a date; expected day/month/year like \
             15/05/2023 (it holds a time of day, 10:00:"
        ),
        "{e}"
    );
}

#[test]
fn a_station_with_a_bad_commissioning_date_is_refused_at_its_line() {
    let text = std::str::from_utf8(SAMPLE_STATIONS)
        .unwrap()
        .replace("25/08/2011,25/08/2011", "25/08/2011,2011-08-25");
    let e = read_stations_csv(text.as_bytes()).unwrap_err();
    // Third station: after the bare CRs of the first two's addresses.
    assert_eq!(e.at, Locator::Line(16));
    assert!(
        e.message
            .starts_with("CommissionDate \"2011-08-25\" is not a date; expected day/month/year"),
        "{}",
        e.message
    );
}

/// A commissioning day in the download's form that the calendar lacks is
/// said in the calendar's words, as a certificate's days are: it was "not
/// a date; expected day/month/year like 13/01/2011", which it is written as.
#[test]
fn a_station_commissioned_on_a_day_the_calendar_lacks_says_why() {
    for (day, why) in [
        ("29/02/2011", "February 2011 has 28 days"),
        ("25/13/2011", "there is no month 13; a year has 12 months"),
    ] {
        let text = std::str::from_utf8(SAMPLE_STATIONS)
            .unwrap()
            .replace("25/08/2011,25/08/2011", &format!("25/08/2011,{day}"));
        let e = read_stations_csv(text.as_bytes()).unwrap_err();
        assert_eq!(e.at, Locator::Line(16));
        assert!(
            e.message.starts_with(&format!(
                "CommissionDate \"{day}\" is not a day of the calendar: {why}. Correct this row"
            )),
            "{}",
            e.message
        );
    }
}

#[test]
fn a_first_row_that_is_not_recognised_is_refused_not_taken_for_preamble() {
    let text = std::str::from_utf8(NO_HEADER_BOM)
        .unwrap()
        .replacen(",REGO,", ",REG0,", 1);
    let e = read_certificates_csv(text.as_bytes()).unwrap_err();
    assert_eq!(e.at, Locator::Line(1));
    assert!(
        e.message
            .starts_with("this line has the report's columns but is not a row of it"),
        "{e}"
    );
}

#[test]
fn a_row_with_fewer_cells_than_the_header_is_refused_at_its_line() {
    // Cut inside the last row's holder: "Vodafone Limited,1471587" would
    // become the holder "Vo" and no company number.
    let text = std::str::from_utf8(SAMPLE_CSV).unwrap();
    let at = text.rfind("Vodafone").unwrap() + 2;
    let e = read_certificates_csv(&SAMPLE_CSV[..at]).unwrap_err();
    assert_eq!(e.at, Locator::Line(11), "{e}");
    assert!(
        e.message
            .starts_with("this row has 16 cells but the header (line 1) has 17"),
        "{}",
        e.message
    );
    // A trailing empty cell that is there is a cell; a blank last line is
    // no row.
    let empty_last = text.replace(",1471587\r\n", ",\r\n\r\n");
    let s = read_certificates_csv(empty_last.as_bytes()).unwrap();
    assert_eq!(s.ranges.len(), 10);
    assert!(!s.ranges[9]
        .facts
        .iter()
        .any(|(k, _)| k == "company_registration_number"));
    // The stations report likewise: the third station without its address.
    let stations = std::str::from_utf8(SAMPLE_STATIONS).unwrap();
    let third_end = stations.find(",,\"Walney Phase II").unwrap();
    let e = read_stations_csv(&SAMPLE_STATIONS[..third_end]).unwrap_err();
    // Line 16: the bare CRs in the addresses above end lines (decision 77).
    assert_eq!(e.at, Locator::Line(16), "{e}");
    assert!(
        e.message
            .starts_with("this row has 12 cells but the header (line 1) has 14"),
        "{}",
        e.message
    );
}

/// A byte order mark states the encoding: bytes after it that are not
/// text in it are refused at their line, not replaced with U+FFFD (a
/// Windows-1252 `é` behind a UTF-8 mark became `�` without a word, while
/// the same file without the mark was read with decision 77's warning).
#[test]
fn bytes_a_byte_order_mark_does_not_allow_are_refused_at_their_line() {
    let with_bom = |bytes: &[u8]| [b"\xEF\xBB\xBF".as_slice(), bytes].concat();
    // The Excel re-save's `\x96` (an en dash in Windows-1252) behind a
    // UTF-8 mark.
    let e = read_certificates_csv(&with_bom(WINDOWS_1252)).unwrap_err();
    assert_eq!(e.at, Locator::LineColumn(2, 41), "{e}");
    assert!(
        e.message
            .starts_with("the file starts with the byte order mark of UTF-8"),
        "{e}"
    );
    let xml = String::from_utf8(SAMPLE_XML.to_vec()).unwrap().replacen(
        "Richard A Willett",
        "Richard A Willett\u{1}",
        1,
    );
    let xml: Vec<u8> = with_bom(xml.as_bytes())
        .into_iter()
        .map(|b| if b == 1 { 0xE9 } else { b })
        .collect();
    let e = read_certificates_xml(&xml).unwrap_err();
    assert_eq!(e.at, Locator::LineColumn(25, 45), "{e}");
    let stations = [
        with_bom(SAMPLE_STATIONS).as_slice(),
        b"G9,Live,X\xFF,REGO,1,England,W,G,01/01/2006,01/01/2006,O,A,,B\r\n",
    ]
    .concat();
    let e = read_stations_csv(&stations).unwrap_err();
    assert!(
        matches!(e.at, Locator::LineColumn(_, 10)) && !e.message.contains("column"),
        "{e}"
    );
    // Broken UTF-16 is refused the same way; whole UTF-16 is read.
    let mut utf16: Vec<u8> = vec![0xFF, 0xFE];
    utf16.extend(
        std::str::from_utf8(SAMPLE_CSV)
            .unwrap()
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    assert_eq!(read_certificates_csv(&utf16).unwrap().ranges.len(), 10);
    utf16.extend([b'x', 0x00, 0x00, 0xD8, b'x', 0x00]);
    let e = read_certificates_csv(&utf16).unwrap_err();
    assert_eq!(e.at, Locator::LineColumn(12, 2), "{e}");
    assert!(
        !e.message.contains("column") && e.message.contains("UTF-16LE"),
        "{e}"
    );
}

/// An XML download cut after a whole `Detail` (its root never closed) was
/// imported as if it were the whole report, exit 0; unclosed elements at
/// the end of the file are malformed XML, refused where the file ends.
#[test]
fn an_xml_report_cut_short_is_refused_where_it_ends() {
    let text = std::str::from_utf8(SAMPLE_XML).unwrap();
    let end = text.rfind("/>").unwrap() + 2;
    let e = read_certificates_xml(&SAMPLE_XML[..end]).unwrap_err();
    assert_eq!(e.at, Locator::LineColumn(93, 31), "{e}");
    assert_eq!(
        e.message,
        "the file ends while <Report> <table1> <Detail_Collection> are still open: \
         the XML is malformed (every element must be closed) and looks cut short: download \
         the report again from the Ofgem register"
    );
    let end = text.rfind("</table1>").unwrap();
    let e = read_certificates_xml(&SAMPLE_XML[..end]).unwrap_err();
    assert!(
        e.message.contains("<Report> <table1> are still open"),
        "{e}"
    );
    // Closed, it reads (white space after the root is no content).
    assert!(read_certificates_xml(format!("{text}\n\n").as_bytes()).is_ok());
}

/// The sample report with `from` (which it holds) replaced by `to` once.
fn xml_with(from: &str, to: &str) -> Vec<u8> {
    let text = std::str::from_utf8(SAMPLE_XML).unwrap();
    assert!(text.contains(from), "{from}");
    text.replacen(from, to, 1).into_bytes()
}

/// A syntax error of the XML report was said with quick-xml's offsets
/// counted inside the element ("range 6..19", "position 75, previous
/// declaration at position 45"), or "near byte N" of the element's start,
/// eight lines before the defect, never with a line; an unescaped `&`,
/// the likeliest hand edit, got "Cannot find ';' after '&'". Each is said
/// at the defect's own line and column, as an editor counts them, with
/// the rule in plain words.
#[test]
fn an_xml_syntax_error_is_said_at_its_line_and_column_in_plain_words() {
    let station = "textbox13=\"Upwey Hydro Power\"";
    let cases: [(&str, &str, (u64, u64), &str); 9] = [
        // A closing quote left out: the value runs on to the next line's
        // first quote, and that line's value reads as an attribute name.
        (
            "textbox21=\"10\"",
            "textbox21=\"10",
            (18, 27),
            "the value of the attribute `textbox21` (No. Of Certificates) is not closed on its \
             line: its \" runs on to the next \", at line 19, column 27",
        ),
        (
            station,
            "textbox13=\"Upwey & Hydro Power\"",
            (11, 34),
            "the value of `textbox13` (Generating Station / Agent Group) holds an `&` that \
                 begins no entity: write `&` as `&amp;`",
        ),
        (
            station,
            "textbox13=\"Upwey &Hydro; Power\"",
            (11, 34),
            "holds `&Hydro;`, which is no XML entity: write `&` as `&amp;`",
        ),
        (
            station,
            "textbox13=\"Upwey Hydro Power\" textbox13=\"x\"",
            (11, 47),
            "the attribute `textbox13` (Generating Station / Agent Group) is written twice \
                 in one <Detail> (also at line 11, column 17)",
        ),
        (
            "textbox21=\"10\"",
            "textbox21 \"\"10\"",
            (18, 27),
            "the attribute `textbox21` (No. Of Certificates) has no `=` after its name",
        ),
        (
            "textbox21=\"10\"",
            "textbox21=10",
            (18, 27),
            "the value of the attribute `textbox21` (No. Of Certificates) is not in quotes",
        ),
        (
            "</Detail_Collection>",
            "</Detail_Colection>",
            (94, 5),
            "the closing tag </Detail_Colection> does not close the open element \
                 <Detail_Collection>: expected </Detail_Collection> here",
        ),
        (
            "</table1>",
            "</Detail_Collection></table1>",
            (95, 3),
            "expected </table1> here",
        ),
        // Text before the defect that is not one byte a character, and
        // CR-only lines, do not move the place.
        (
            "Richard A Willett\"\n                textbox45=\"\"/>",
            "Ørsted 東京\"\r                textbox45=\"Ørsted 東京 &\"/>",
            (26, 38),
            "the value of `textbox45` (Company Registration Number) holds an `&` that \
                 begins no entity",
        ),
    ];
    for (from, to, (line, column), said) in cases {
        let e = read_certificates_xml(&xml_with(from, to)).unwrap_err();
        assert_eq!(e.at, Locator::LineColumn(line, column), "{to}: {e}");
        assert_eq!(
            e.to_string().split(':').next(),
            Some(format!("line {line}, column {column}").as_str())
        );
        assert!(e.message.contains(said), "{to}: {e}");
        for jargon in ["range", "position", "byte", "malformed ("] {
            assert!(!e.message.contains(jargon), "{to}: {e}");
        }
    }
    // Cut inside a tag: where the file ends, naming where the tag starts.
    let text = std::str::from_utf8(SAMPLE_XML).unwrap();
    let cut = text.find("textbox37").unwrap();
    let e = read_certificates_xml(&SAMPLE_XML[..cut]).unwrap_err();
    assert_eq!(e.at, Locator::LineColumn(21, 17), "{e}");
    assert!(
        e.message.starts_with(
            "the file ends inside the tag <Detail> that starts at line 10, column 9: it looks \
             cut short"
        ),
        "{e}"
    );
}

/// The XML's `YYYY-MM-DDT00:00:00` is a day; another time of day is not
/// cut to its date.
#[test]
fn a_date_with_a_time_of_day_is_refused_not_cut_to_its_day() {
    let xml = std::str::from_utf8(SAMPLE_XML).unwrap().replacen(
        "2016-03-10T00:00:00\"\n                textbox33",
        "2016-03-10T13:00:00\"\n                textbox33",
        1,
    );
    let e = read_certificates_xml(xml.as_bytes()).unwrap_err();
    assert!(
        e.message
            .starts_with("Issue Date \"2016-03-10T13:00:00\" is not a date")
            && e.message.contains("time of day"),
        "{e}"
    );
}

/// A REGO number encodes its output period (`010323310323`: 1 to 31 March
/// 2023); an Output Period that says another month was imported as that
/// month. Refused naming the line and both periods, as the M-RETS PDF
/// reader does with vintage and serial month.
#[test]
fn an_output_period_unlike_the_numbers_period_code_is_refused() {
    let e = read_certificates_csv(&sample_with(2, 7, "Feb-2023")).unwrap_err();
    assert_eq!(e.at, Locator::Line(2));
    assert!(
        e.message.starts_with(
            "Output Period \"Feb-2023\" (01/02/2023 – 28/02/2023) is not the period the \
             certificate numbers state: G01821BWEN0000000000010323310323GEN to \
             G01821BWEN0000004999010323310323GEN are numbered for 01/03/2023 – 31/03/2023"
        ),
        "{}",
        e.message
    );
    // The range form, one day off, too.
    let e = read_certificates_csv(&sample_with(3, 7, "01/03/2023 - 30/03/2023")).unwrap_err();
    assert_eq!(e.at, Locator::Line(3));
    assert!(e.message.contains("31/03/2023"), "{}", e.message);
}

/// The same GeneratorID on two rows with different data was accepted: the
/// store took the first row's commissioning date for some EACs and the
/// last one's for others. Refused, naming both lines and what differs; a
/// row repeated as it is is read once, with a warning.
#[test]
fn a_station_listed_twice_with_other_data_is_refused_naming_both_lines() {
    let text = std::str::from_utf8(SAMPLE_STATIONS).unwrap();
    let first = text.lines().nth(1).unwrap();
    let again = format!("{text}{first}\r\n");
    let s = read_stations_csv(again.as_bytes()).unwrap();
    let before = read_stations_csv(SAMPLE_STATIONS).unwrap();
    assert_eq!(s.stations, before.stations);
    assert_eq!(s.warnings.len(), 1);
    assert!(
        s.warnings[0]
            .message
            .starts_with("GeneratorID G01013FWEN is listed on line 2 and again here"),
        "{:?}",
        s.warnings
    );
    let other = format!(
        "{text}{}\r\n",
        first.replacen("01/01/2006,01/01/2006", "01/01/2006,01/02/2006", 1)
    );
    let e = read_stations_csv(other.as_bytes()).unwrap_err();
    assert!(matches!(e.at, Locator::Line(n) if n > 20), "{e}");
    assert!(
        e.message
            .starts_with("GeneratorID G01013FWEN is listed on line 2 and again on line")
            && e.message.contains("other data (CommissionDate)")
            && e.message.contains("rule 7"),
        "{}",
        e.message
    );
}

/// A full-size stations report (twice 30,000 stations) reads whole, and a
/// repeat at its very end is still found, naming its first line. (Its
/// speed — a map from id to first row instead of a scan of every station
/// before, 1.6 s against 28 s in a debug build — is measured, not
/// asserted: speed is for benchmarks, never for a timed test.)
#[test]
fn a_large_stations_report_reads_whole_and_finds_a_repeat_at_its_end() {
    const N: usize = 60_000;
    let text = std::str::from_utf8(SAMPLE_STATIONS).unwrap();
    let header = text.lines().next().unwrap();
    let row = |i: usize, commissioned: &str| {
        format!(
            "G{i:07}FWEN,Live,Station {i},REGO,1000.000,England,Off-shore wind (REGO code = FW),\
             General,01/01/2006,{commissioned},Operator {i},\"Address {i}\",,\"Site {i}\"\r\n"
        )
    };
    let mut report = format!("{header}\r\n");
    for i in 0..N {
        report.push_str(&row(i, "01/01/2006"));
    }
    let s = read_stations_csv(report.as_bytes()).unwrap();
    assert_eq!(s.stations.len(), N);
    assert!(s.warnings.is_empty(), "{:?}", &s.warnings[..1]);

    report.push_str(&row(0, "01/02/2006"));
    let e = read_stations_csv(report.as_bytes()).unwrap_err();
    assert_eq!(e.at, Locator::Line(N as u64 + 2));
    assert!(
        e.message.starts_with(&format!(
            "GeneratorID G0000000FWEN is listed on line 2 and again on line {}",
            N + 2
        )) && e.message.contains("other data (CommissionDate)"),
        "{}",
        e.message
    );
}

/// A refused date says why in words that fit it (decision 259(d)): two
/// days joined by an en dash or "to" hold no time, and a midnight after a
/// space is refused for its form, not as a time that would be lost. Both
/// were told "it holds a time of day or an offset … only midnight … is
/// read as its day".
#[test]
fn a_refused_date_gives_the_reason_that_fits_it() {
    for (period, joined) in [
        ("01/03/2023 – 31/03/2023", "joined by \"–\""),
        ("01/03/2023 to 31/03/2023", "joined by \"to\""),
        ("1/3/2023—31/3/2023", "joined by \"—\""),
    ] {
        let e = read_certificates_csv(&sample_with(3, 7, period)).unwrap_err();
        assert_eq!(e.at, Locator::Line(3));
        assert!(
            e.message.starts_with(&format!(
                "Output Period \"{period}\" is not a period; expected a month like Mar-2023 or \
                 days like 01/03/2023 - 31/03/2023 (its two days are {joined}; the report \
                 joins them with a hyphen"
            )),
            "{}",
            e.message
        );
        assert!(!e.message.contains("time"), "{}", e.message);
    }
    let e = read_certificates_csv(&sample_with(3, 12, "25/04/2023 00:00")).unwrap_err();
    assert!(
        e.message.starts_with(
            "Issue Date \"25/04/2023 00:00\" is not a date; expected day/month/year like \
             15/05/2023 (it holds the time 00:00 after the day: a date field holds whole days, \
             and midnight is read as its day only in the ISO form YYYY-MM-DDT00:00:00. Write \
             the day alone"
        ),
        "{}",
        e.message
    );
    let e = read_certificates_csv(&sample_with(3, 12, "25/04/2023 09:30")).unwrap_err();
    assert!(
        e.message
            .contains("it holds a time of day, 09:30: a date field holds whole days"),
        "{}",
        e.message
    );
}

/// Decision 75: a status Ofgem does not use is kept as printed with a
/// warning and is no claim. `Cancelled` and `Claimed` (claims in other
/// registries' words) were stored as retired and `Withdrawn` as a known
/// status, all without a word; only a word no registry uses was said.
#[test]
fn statuses_ofgem_does_not_use_are_kept_with_a_warning_and_are_no_claim() {
    let text = std::str::from_utf8(STATUSES).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for (line, word) in [
        (1, "Cancelled"),
        (2, "Claimed"),
        (3, "Withdrawn"),
        (4, "Used"),
    ] {
        let mut cells: Vec<&str> = lines[line].split(',').collect();
        cells[13] = word;
        lines[line] = cells.join(",");
    }
    let s = read_certificates_csv(lines.join("\n").as_bytes()).unwrap();
    assert_eq!(
        s.ranges
            .iter()
            .map(|r| (r.status.clone(), r.claim.clone()))
            .collect::<Vec<_>>(),
        [
            (Status::Other("cancelled".into()), Claim::No),
            (Status::Other("claimed".into()), Claim::No),
            (Status::Other("withdrawn".into()), Claim::No),
            (Status::Other("used".into()), Claim::No),
            (Status::Revoked, Claim::No),
        ]
    );
    // Only Ofgem's own `Revoked` takes a stored claim back (decision
    // 256(a)): its `Withdrawn` is another registry's word.
    assert_eq!(
        s.ranges
            .iter()
            .map(|r| r.status.is_reversal())
            .collect::<Vec<_>>(),
        [false, false, false, false, true]
    );
    // The printed word is kept as the certificate_status fact.
    let printed: Vec<&str> = s
        .ranges
        .iter()
        .filter_map(|r| {
            r.facts
                .iter()
                .find(|(k, _)| k == "certificate_status")
                .map(|(_, v)| v.as_str())
        })
        .collect();
    assert_eq!(
        printed,
        ["Cancelled", "Claimed", "Withdrawn", "Used", "Revoked"]
    );
    let warnings: Vec<(Locator, &str)> = s
        .warnings
        .iter()
        .map(|w| (w.at.clone(), w.message.as_str()))
        .collect();
    assert_eq!(warnings.len(), 4, "{warnings:?}");
    for ((at, message), (line, word)) in warnings.iter().zip([
        (2, "Cancelled"),
        (3, "Claimed"),
        (4, "Withdrawn"),
        (5, "Used"),
    ]) {
        assert_eq!(*at, Locator::Line(line));
        assert!(
            message.starts_with(&format!(
                "Certificate Status \"{word}\" is not one Ofgem is known to use (Issued, \
                 Redeemed, Retired, Expired, Revoked); it is kept as printed and not counted \
                 as a claim"
            )),
            "{message}"
        );
    }
}

const SEMICOLONS: &[u8] = include_bytes!("fixtures/ofgem/semicolons.csv");

/// The report re-saved by a spreadsheet that writes decimal commas (`;`
/// between cells, `1,0`) was refused as "no line has the report's
/// header". Its header matches with `;` between the cells: it is read,
/// numbers exactly as written, into the very records of the download, and
/// said in a note; it is recognised from its content too.
#[test]
fn a_semicolon_resave_with_decimal_commas_reads_as_the_download_does() {
    assert!(sniff_certificates_csv(SEMICOLONS));
    let s = read_certificates_csv(SEMICOLONS).unwrap();
    let download = read_certificates_csv(SAMPLE_CSV).unwrap();
    assert_eq!(s.ranges, download.ranges);
    assert_eq!(s.ranges[1].per_certificate.as_str(), "1");
    assert_eq!(s.ranges[1].device.capacity.as_deref(), Some("659000 kW"));
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    assert_eq!(s.warnings[0].at, Locator::Document);
    assert!(
        s.warnings[0]
            .message
            .starts_with("the file separates its cells with `;`"),
        "{}",
        s.warnings[0].message
    );

    // Written precision is kept: 0,25 MWh (RO-style) and 1,50 read as written.
    let text = std::str::from_utf8(SEMICOLONS).unwrap();
    let quarter = text.replacen(";1,0;15/05/2023;Issued", ";0,250;15/05/2023;Issued", 1);
    let s = read_certificates_csv(quarter.as_bytes()).unwrap();
    assert_eq!(s.ranges[0].per_certificate.as_str(), "0.25");
    // A number whose `.` may be a decimal point or a thousands separator
    // is refused, naming both readings; one that can only be one is read.
    let ambiguous = text.replacen(";1,0;15/05/2023;Issued", ";1.000;15/05/2023;Issued", 1);
    let e = read_certificates_csv(ambiguous.as_bytes()).unwrap_err();
    assert_eq!(e.at, Locator::Line(2));
    assert!(
        e.message.starts_with(
            "MWh Per Certificate \"1.000\" cannot be read exactly: the file separates its cells \
             with `;` and writes no decimal comma here, so its `.` may be a decimal point \
             (1.000) or group thousands (1000)"
        ),
        "{}",
        e.message
    );
    let point = text.replacen(";1,0;15/05/2023;Issued", ";1.0;15/05/2023;Issued", 1);
    let s = read_certificates_csv(point.as_bytes()).unwrap();
    assert_eq!(s.ranges[0].per_certificate.as_str(), "1");
    let bad = text.replacen(";1,0;15/05/2023;Issued", ";1,0,0;15/05/2023;Issued", 1);
    let e = read_certificates_csv(bad.as_bytes()).unwrap_err();
    assert!(
        e.message.starts_with(
            "MWh Per Certificate \"1,0,0\" is not a number; expected digits like 5000 or 1,0"
        ),
        "{}",
        e.message
    );

    // Without the header, `;`-separated rows are not taken for the report
    // (nothing shows `;` is meant), and the refusal says what to do.
    let rows: String = text.split_inclusive("\r\n").skip(1).collect();
    let e = read_certificates_csv(rows.as_bytes()).unwrap_err();
    assert!(
        e.message.ends_with(
            "add that line (its names separated by `;`) or save the file as CSV with commas"
        ),
        "{}",
        e.message
    );
}

/// The header line of the download, for one-row files.
fn header() -> &'static str {
    std::str::from_utf8(SAMPLE_CSV)
        .unwrap()
        .lines()
        .next()
        .unwrap()
}

/// Tester's report 41, finding 9: a certificate number of the right shape
/// whose period code holds a day the calendar lacks (`290223`) was "not a
/// REGO certificate number of station …; expected …", which it is, in
/// shape; the calendar's reason is said, as for any other impossible day.
#[test]
fn an_impossible_day_in_a_period_code_says_the_calendars_reason() {
    let file = format!(
        "{}\nG01177FWEN,Walney Extension,659000.0,REGO,England,Off-shore Wind,,Feb-2023,10,\
         G01177FWEN0000000001010223290223GEN,G01177FWEN0000000010010223290223GEN,1.0,25/03/2024,\
         Retired,29/03/2024,ACT,27336523\n",
        header()
    );
    let e = read_certificates_csv(file.as_bytes()).unwrap_err();
    assert_eq!(e.at, Locator::Line(2));
    assert_eq!(
        e.message,
        "Start Certificate No. \"G01177FWEN0000000001010223290223GEN\" is not a REGO \
         certificate number: its period code 010223290223 (the ddmmyyddmmyy after the sequence \
         number) ends on 29/02/2023, which is not a day of the calendar: February 2023 has 28 \
         days. Correct this row (or download the report again from the Ofgem register) and \
         import the file again"
    );
    // A leap year's 29 February is a day.
    let leap = file
        .replace("010223290223", "010224290224")
        .replace("Feb-2023", "Feb-2024");
    assert_eq!(
        read_certificates_csv(leap.as_bytes()).unwrap().ranges.len(),
        1
    );
}

/// `text` with every `dd/mm/yyyy` written `m/d/yyyy`, as a spreadsheet set
/// to US dates saves the download.
fn month_first(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(|c: char| c.is_ascii_digit()) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let day = rest.get(..10).filter(|d| {
            d.as_bytes()[2] == b'/'
                && d.as_bytes()[5] == b'/'
                && d.bytes().filter(u8::is_ascii_digit).count() == 8
        });
        match day {
            Some(d) => {
                let n = |s: &str| s.parse::<u32>().unwrap();
                out.push_str(&format!("{}/{}/{}", n(&d[3..5]), n(&d[..2]), &d[6..]));
                rest = &rest[10..];
            }
            None => {
                let digits = rest
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(rest.len());
                out.push_str(&rest[..digits]);
                rest = &rest[digits..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Tester's report 41, finding 9: the download re-saved with month-first
/// dates was refused at its first day that reads only month-first as
/// "there is no month 15", with no word of the re-save; an Output Period
/// written month-first proves it too (its days are the certificate
/// numbers' period read so), even when every day is 12 or less; and a
/// file whose dates read either way, in the form only a month-first
/// spreadsheet writes (`7/1/2023`), imports with a warning instead of
/// silently.
#[test]
fn dates_resaved_month_first_are_said_to_be_and_never_read_silently() {
    let resaved = month_first(std::str::from_utf8(SAMPLE_CSV).unwrap());
    assert!(
        resaved.contains(",5/15/2023,Issued,11/10/2023,"),
        "{resaved}"
    );
    let e = read_certificates_csv(resaved.as_bytes()).unwrap_err();
    assert_eq!(e.at, Locator::Line(2));
    assert_eq!(
        e.message,
        "Issue Date \"5/15/2023\" is no day read day/month/year, as the Ofgem download writes \
         its days (there is no month 15; a year has 12 months), but is one read month-first \
         (15/05/2023). The file looks re-saved by a spreadsheet that writes dates month-first \
         (US settings), so none of its dates can be read as the download writes them, even \
         those that would read day-first. Download the report again from the Ofgem register \
         (or save it with day/month/year dates) and import that file"
    );

    // Days of 12 or less: the Output Period read month-first is the
    // certificate numbers' period (read day-first it was "not the period
    // the certificate numbers state").
    let row = |period: &str, code: &str, issued: &str, status: &str| {
        format!(
            "G01177FWEN,Walney Extension,659000.0,REGO,England,Off-shore Wind,,{period},10,\
             G01177FWEN0000000001{code}GEN,G01177FWEN0000000010{code}GEN,1.0,{issued},Retired,\
             {status},ACT,27336523\n"
        )
    };
    let file = format!(
        "{}\n{}",
        header(),
        row(
            "3/1/2023 - 3/12/2023",
            "010323120323",
            "4/6/2023",
            "5/6/2023"
        )
    );
    let e = read_certificates_csv(file.as_bytes()).unwrap_err();
    assert_eq!(e.at, Locator::Line(2));
    assert_eq!(
        e.message,
        "Output Period \"3/1/2023 - 3/12/2023\" is written month-first: read so, it is \
         01/03/2023 – 12/03/2023, the period the certificate numbers state, while the Ofgem \
         download writes its days day/month/year. The file looks re-saved by a spreadsheet that \
         writes dates month-first (US settings), so none of its dates can be read as the \
         download writes them, even those that would read day-first. Download the report again \
         from the Ofgem register (or save it with day/month/year dates) and import that file"
    );

    // Nothing in the file tells the order: read day-first, with a warning
    // (once, at the first such date).
    let file = format!(
        "{}\n{}{}",
        header(),
        row("Mar-2023", "010323310323", "4/6/2023", "5/6/2023"),
        row("Mar-2023", "010323310323", "4/6/2023", "9/7/2023")
            .replace("0000000001", "0000000011")
            .replace("0000000010010323", "0000000020010323"),
    );
    let s = read_certificates_csv(file.as_bytes()).unwrap();
    assert_eq!(s.ranges.len(), 2);
    assert_eq!(s.ranges[0].issued, Some(d("2023-06-04")));
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    assert_eq!(s.warnings[0].at, Locator::Line(2));
    assert_eq!(
        s.warnings[0].message,
        "Issue Date \"4/6/2023\" is not written as the Ofgem download writes days (dd/mm/yyyy): \
         its month has one digit, as a spreadsheet set to month-first (US) dates writes it. It \
         was read day-first, as 4 June 2023, and so were all the file's dates; if the \
         spreadsheet wrote them month-first, this one is 6 April 2023 and every date of the \
         file is wrong. Check the dates against the Ofgem register, or download the report \
         again and import that file"
    );
    // The download's form and a British spreadsheet's (`1/07/2023`) are
    // day-first beyond doubt; a day that reads the same both ways too.
    for (issued, status) in [
        ("04/06/2023", "05/06/2023"),
        ("4/06/2023", "1/07/2023"),
        ("6/6/2023", "7/7/2023"),
    ] {
        let file = format!(
            "{}\n{}",
            header(),
            row("Mar-2023", "010323310323", issued, status)
        );
        let s = read_certificates_csv(file.as_bytes()).unwrap();
        assert!(s.warnings.is_empty(), "{issued}: {:?}", s.warnings);
    }
}

/// Tester's report 41, finding 9: in a `;` copy, `5.000` certificates
/// (a `.` that may group thousands) was refused, though a count is whole
/// and checked against its range: the reading the range is, 5000, is
/// taken. An ambiguous number elsewhere is still refused, now saying what
/// to do once (it said "download the report again" twice).
#[test]
fn a_semicolon_copys_count_is_the_reading_its_range_is() {
    let text = std::str::from_utf8(SEMICOLONS).unwrap();
    let grouped = text.replacen(";5000;", ";5.000;", 1);
    assert_ne!(grouped, text);
    let s = read_certificates_csv(grouped.as_bytes()).unwrap();
    assert_eq!(s.ranges, read_certificates_csv(SAMPLE_CSV).unwrap().ranges);
    // A count that is neither reading is still refused.
    let e = read_certificates_csv(text.replacen(";5000;", ";4.999;", 1).as_bytes()).unwrap_err();
    assert!(
        e.message
            .starts_with("No. Of Certificates \"4.999\" cannot be read exactly"),
        "{e}"
    );

    let ambiguous = text.replacen(";1,0;15/05/2023;Issued", ";1.000;15/05/2023;Issued", 1);
    let e = read_certificates_csv(ambiguous.as_bytes()).unwrap_err();
    assert_eq!(
        e.message.matches("download the report again").count(),
        1,
        "{e}"
    );
    assert!(
        e.message.ends_with(
            "Write the number without thousands separators in this row, or download the \
             report again from the Ofgem register, and import the file again"
        ),
        "{e}"
    );
}
