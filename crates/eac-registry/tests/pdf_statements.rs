//! The PDF statement readers (I-REC, EECS GO in the NECS and Danish
//! layouts, M-RETS) on the real public samples, every field asserted, and
//! on text fixtures of our own (one `N.txt` per page under
//! `tests/fixtures/text/`) for the pitfalls the samples do not show:
//! wrapped 30-digit numbers, no-break-space and comma thousands, decimal
//! commas, fractional ranges, several ranges/devices/pages, a count that
//! contradicts its range. One test builds a real PDF to check extraction
//! itself (pages, glyphs printed twice, no-break spaces).

use std::path::PathBuf;

use eac_model::{Date, Decimal, EnergyUnit, TechnologyType, Timestamp};
use eac_registry::{eecs, irec, mrets_pdf, pdf};
use eac_registry::{Claim, Device, Locator, RangeRecord, Statement, Status, Warning};

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn bytes(rel: &str) -> Vec<u8> {
    std::fs::read(fixture(rel)).unwrap()
}

/// The pages of a text fixture: `1.txt`, `2.txt`, … in order.
fn text_pages(dir: &str) -> Vec<String> {
    (1..)
        .map(|n| fixture(&format!("text/{dir}/{n}.txt")))
        .take_while(|p| p.exists())
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

fn dec(s: &str) -> Decimal {
    Decimal::parse(s).unwrap()
}

fn date(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

fn facts(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn fact<'r>(r: &'r RangeRecord, name: &str) -> Option<&'r str> {
    r.facts
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

// ---------------------------------------------------------------- real samples

#[test]
fn irec_sample_every_field() {
    let b = bytes("irec/redemption-statement-sample.pdf");
    let pages = pdf::pages(&b).unwrap();
    assert!(irec::sniff_text(&pages));
    assert!(!eecs::sniff_text(&pages) && !mrets_pdf::sniff_text(&pages));
    let st = irec::read(&b).unwrap();
    let expected = Statement {
        ranges: vec![RangeRecord {
            at: Locator::Page(2),
            registry: "irec".into(),
            source_id: "irec".into(),
            source_name: "I-REC Registry (Evident)".into(),
            first: "0000-0000-6529-5750.000000".into(),
            last: "0000-0000-6529-5761.999999".into(),
            series: String::new(),
            first_seq: "0000000065295750.000000".into(),
            last_seq: "0000000065295761.999999".into(),
            count: dec("12.000000"),
            per_certificate: dec("1"),
            total: None,
            unit: EnergyUnit::MWh,
            status: Status::Redeemed,
            claim: Claim::Undated,
            issued: None,
            // October 2020 in Asia/Jakarta (UTC+7).
            period_start: ts("2020-09-30T17:00:00Z"),
            period_end: ts("2020-10-31T17:00:00Z"),
            device: Device {
                id: "Lebong Hydro".into(),
                name: Some("Lebong Hydro".into()),
                technology: Some("Hydro-electric".into()),
                technology_type: Some(TechnologyType::Hydro),
                commissioned: Some(date("2013-06-25")),
                capacity: None,
                country: Some("Indonesia".into()),
            },
            emissions: Some((dec("0.000"), "CO2/MWh".into())),
            beneficiary_name: Some("THE FILECOIN FOUNDATION".into()),
            holder: Some("SWISS CARBON ASSETS LTD".into()),
            facts: facts(&[
                ("consumption_country", "Indonesia"),
                ("consumption_start", "2021-01-01"),
                ("consumption_end", "2021-12-31"),
                (
                    "purpose",
                    "Zero Labs Tokenization - go to ipfs.io/ipfs/_CID_. CID:QmWK3cu2SYTq7JF1vGCJuYSdz9V9hwVCrB7rgkH5MTKk9h",
                ),
                ("verification_key", "18755919"),
                (
                    "verification_url",
                    "https://evident.app/public/certificates/en/L3aMlZHr2wepXDGVOo4M55Ix1HHUEjBN+LdEcm8z1Z/zZTLdIt70KkGikZRvTEDJ",
                ),
                ("device_technology_detail", "Run of river"),
                ("supported", "No"),
                ("offset_attributes", "Inc"),
            ]),
        }],
        stations: vec![],
        skipped: vec![],
        warnings: vec![Warning {
            at: Locator::Page(2),
            message: "Indonesia spans several time zones; the production period of device \"Lebong Hydro\" is read in Asia/Jakarta, its main one".into(),
        }],
        splits: vec![],
    };
    assert_eq!(st, expected);
}

/// Tester's report 41, finding 5: the I-REC device table's Technology
/// column (`Run of river`) reached the record as `device_technology` and
/// `to_eac` dropped it, the device's technology (the Energy Source,
/// `Hydro-electric`) having that name first. Both now reach the EAC; and no
/// PDF reader's fact takes a name `to_eac` writes itself.
#[test]
fn every_fact_of_the_pdf_samples_reaches_the_eac() {
    let now = ts("2026-12-02T10:00:00Z");
    let eac = eac_registry::to_eac(
        &irec::read(&bytes("irec/redemption-statement-sample.pdf"))
            .unwrap()
            .ranges[0],
        now,
    );
    let member = |name: &str| {
        eac.extensions
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.get().to_owned())
    };
    assert_eq!(
        member("eacdesk_device_technology").as_deref(),
        Some("\"Hydro-electric\"")
    );
    assert_eq!(
        member("eacdesk_device_technology_detail").as_deref(),
        Some("\"Run of river\"")
    );
    for (file, st) in [
        (
            "irec",
            irec::read(&bytes("irec/redemption-statement-sample.pdf")),
        ),
        (
            "necs",
            eecs::read(&bytes("eecs-go/necs-cancellation-statement-sample.pdf")),
        ),
        (
            "dk",
            eecs::read(&bytes("eecs-go/dk-cancellation-statement-sample.pdf")),
        ),
        (
            "mrets",
            mrets_pdf::read(&bytes("mrets/retirement-confirmation-sample.pdf")),
        ),
    ] {
        for r in &st.unwrap().ranges {
            for (name, _) in &r.facts {
                assert!(
                    !eac_registry::convert::BUILT_IN_FACTS.contains(&name.as_str()),
                    "{file}: the fact {name} would be dropped"
                );
            }
        }
    }
}

#[test]
fn necs_sample_every_field() {
    let b = bytes("eecs-go/necs-cancellation-statement-sample.pdf");
    let pages = pdf::pages(&b).unwrap();
    assert_eq!(eecs::layout(&pages), Some(eecs::Layout::Necs));
    assert!(!irec::sniff_text(&pages) && !mrets_pdf::sniff_text(&pages));
    let st = eecs::read(&b).unwrap();
    let expected = Statement {
        ranges: vec![RangeRecord {
            at: Locator::Page(3),
            registry: "eecs".into(),
            source_id: "Statnett".into(),
            source_name: "Statnett".into(),
            first: "708000340067300000000071882260".into(),
            last: "708000340067300000000071882352".into(),
            series: String::new(),
            first_seq: "708000340067300000000071882260".into(),
            last_seq: "708000340067300000000071882352".into(),
            count: dec("93"),
            per_certificate: dec("1"),
            total: None,
            unit: EnergyUnit::MWh,
            status: Status::Cancelled,
            claim: Claim::On(date("2021-08-30")),
            issued: Some(date("2021-03-22")),
            // 4 March 2021 in Europe/Oslo (CET, UTC+1).
            period_start: ts("2021-03-03T23:00:00Z"),
            period_end: ts("2021-03-04T23:00:00Z"),
            device: Device {
                id: "707052300010006872".into(),
                name: Some("Åmela".into()),
                technology: Some(
                    "T030000 - Hydro-electric head installations / Unspecified / Unspecified"
                        .into(),
                ),
                technology_type: Some(TechnologyType::Hydro),
                commissioned: Some(date("1977-01-01")),
                capacity: Some("32 MW".into()),
                country: Some("Norway".into()),
            },
            emissions: None,
            beneficiary_name: Some("Miner ID f0720636".into()),
            holder: Some("3Degrees Group".into()),
            facts: facts(&[
                ("account", "707052300000157195"),
                ("domain", "Norway"),
                ("account_holder_postal_code", "CA 94104"),
                ("account_holder_city", "San Francisco"),
                ("account_holder_country", "United States of America"),
                ("consumption_start", "2021-01-01"),
                ("consumption_end", "2021-12-31"),
                ("consumption_country", "Norway"),
                ("beneficiary_location", "Norway"),
                ("usage_category", "Disclosure"),
                ("beneficiary_type", "End Consumer"),
                ("transaction_date", "2021-08-30 19:55"),
                ("transaction_number", "2021083000707"),
                ("purpose", "Energy Web AG (EWAG)"),
                ("issuing_domain", "Norway"),
                ("issuing_body", "Statnett"),
                (
                    "fuel",
                    "F01050200 - Renewable / Mechanical source or other / Hydro & marine / Unspecified",
                ),
                ("schemes", "Guarantee of Origin No support"),
                ("device_location", "N-6120 Folkestad, NO"),
            ]),
        }],
        stations: vec![],
        skipped: vec![],
        warnings: vec![],
        splits: vec![],
    };
    assert_eq!(st, expected);
}

#[test]
fn danish_sample_every_field() {
    let b = bytes("eecs-go/dk-cancellation-statement-sample.pdf");
    let pages = pdf::pages(&b).unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(eecs::layout(&pages), Some(eecs::Layout::Danish));
    assert!(!irec::sniff_text(&pages) && !mrets_pdf::sniff_text(&pages));
    let st = eecs::read(&b).unwrap();
    let expected = Statement {
        ranges: vec![RangeRecord {
            at: Locator::Page(1),
            registry: "eecs".into(),
            source_id: "Energinet".into(),
            source_name: "Energinet".into(),
            // Printed over three lines each: 6430024065559 / 0021000016430 / 8649.
            first: "643002406555900210000164308649".into(),
            last: "643002406555900210000164308651".into(),
            series: String::new(),
            first_seq: "643002406555900210000164308649".into(),
            last_seq: "643002406555900210000164308651".into(),
            count: dec("3"),
            per_certificate: dec("1"),
            total: None,
            unit: EnergyUnit::MWh,
            status: Status::Cancelled,
            claim: Claim::On(date("2022-03-29")),
            issued: Some(date("2021-08-13")),
            // July 2021 in Europe/Copenhagen (CEST, UTC+2).
            period_start: ts("2021-06-30T22:00:00Z"),
            period_end: ts("2021-07-31T22:00:00Z"),
            device: Device {
                id: "570715000001542243".into(),
                name: Some("570715000001542243".into()),
                technology: Some("T020002 - Wind/Offshore".into()),
                technology_type: Some(TechnologyType::Wind),
                commissioned: Some(date("2021-01-25")),
                // Printed `201,6`.
                capacity: Some("201.6 MW".into()),
                country: Some("Denmark".into()),
            },
            emissions: None,
            beneficiary_name: Some("Protocol Labs".into()),
            holder: Some("3Degrees Group, Inc".into()),
            facts: facts(&[
                ("account", "DK- 3Degrees Group, Inc-579000043200003045"),
                ("domain", "Denmark"),
                ("account_holder_street", "235 Montgomery St Suite 320"),
                (
                    "account_holder_postal_code_and_city",
                    "CA94104 San Francisco",
                ),
                ("account_holder_country", "US"),
                ("consumption_country", "Denmark"),
                ("beneficiary_location", "Denmark"),
                ("usage_category", "Disclosure"),
                ("beneficiary_type", "End-consumer"),
                ("transaction_type", "Cancel"),
                ("transaction_date", "2022-03-29 22:44:26"),
                ("transaction_number", "2022032900152"),
                ("purpose", "Miner ID f02576"),
                ("consumption_start", "2021-01-01"),
                ("consumption_end", "2021-12-31"),
                ("issuing_domain", "Denmark"),
                (
                    "fuel",
                    "F01050100 - Renewable/Mechanical source or other/Wind",
                ),
                ("s_t", "S"),
                ("schemes", "GO Production Support"),
                ("device_location", "Uoplyst Uoplyst, DK"),
            ]),
        }],
        stations: vec![],
        skipped: vec![],
        warnings: vec![],
        splits: vec![],
    };
    assert_eq!(st, expected);
}

#[test]
fn mrets_sample_every_field() {
    let b = bytes("mrets/retirement-confirmation-sample.pdf");
    let pages = pdf::pages(&b).unwrap();
    assert!(mrets_pdf::sniff_text(&pages));
    assert!(!irec::sniff_text(&pages) && !eecs::sniff_text(&pages));
    let st = mrets_pdf::read(&b).unwrap();
    let expected = Statement {
        ranges: vec![RangeRecord {
            at: Locator::Page(1),
            registry: "mrets".into(),
            source_id: "mrets".into(),
            source_name: "M-RETS".into(),
            first: "2194-ND-07-2020-CAC76615-56217".into(),
            last: "2194-ND-07-2020-CAC76615-58010".into(),
            series: "2194-ND-07-2020-CAC76615-".into(),
            first_seq: "56217".into(),
            last_seq: "58010".into(),
            count: dec("1794"),
            per_certificate: dec("1"),
            total: None,
            unit: EnergyUnit::MWh,
            status: Status::Retired,
            // Printed 12-30-2022 (MM-DD-YYYY).
            claim: Claim::On(date("2022-12-30")),
            issued: None,
            // July 2020 in America/Chicago (CDT, UTC-5).
            period_start: ts("2020-07-01T05:00:00Z"),
            period_end: ts("2020-08-01T05:00:00Z"),
            device: Device {
                id: "2194".into(),
                name: Some("Emmons-Logan Wind".into()),
                technology: Some("Wind".into()),
                technology_type: Some(TechnologyType::Wind),
                commissioned: None,
                capacity: None,
                country: Some("ND".into()),
            },
            emissions: None,
            beneficiary_name: None,
            holder: Some("South Pole USA Inc.".into()),
            facts: facts(&[
                ("transaction_date", "12-30-2022"),
                (
                    "retirement_reason",
                    "Beneficial Ownership - For Beneficial Owner 'Individual'",
                ),
                (
                    "notes",
                    "Zero Labs Tokenization - go to ipfs.io/ipfs/_CID_. CID:QmbSaKcbQjtMxZNPC3Yep6D2C95M346pWs1HjXDwYeww9E",
                ),
                ("retirement_account", "DefaultRET"),
                ("account", "South Pole"),
                ("account_id", "086E2257-6853"),
                ("vintage", "2020-07-01"),
                ("location", "ND"),
                ("serial_number", "2194-ND-07-2020-CAC76615-56217-58010"),
            ]),
        }],
        stations: vec![],
        skipped: vec![],
        warnings: vec![Warning {
            at: Locator::Page(1),
            message: "ND spans several time zones; the vintage month is read in America/Chicago, its main one".into(),
        }],
        splits: vec![],
    };
    assert_eq!(st, expected);
}

// ---------------------------------------------------------------- text fixtures

#[test]
fn danish_wrapped_numbers_nbsp_thousands_decimal_commas_several_devices_and_pages() {
    let pages = text_pages("dk-several");
    assert_eq!(pages.len(), 3);
    assert_eq!(eecs::layout(&pages), Some(eecs::Layout::Danish));
    let st = eecs::read_text(&pages).unwrap();
    assert_eq!(st.warnings, vec![]);
    assert_eq!(st.ranges.len(), 2);

    let a = &st.ranges[0];
    assert_eq!(a.at, Locator::Page(1));
    // Wrapped as 15 + 15 digits.
    assert_eq!(a.first, "643002406555900210000164301001");
    assert_eq!(a.last, "643002406555900210000164302000");
    // Volume printed `1 000` with a no-break space.
    assert_eq!(a.count, dec("1000"));
    assert_eq!(a.claim, Claim::On(date("2024-03-31")));
    assert_eq!(a.status, Status::Cancelled);
    assert_eq!(a.issued, Some(date("2023-04-14")));
    assert_eq!(a.period_start, ts("2023-02-28T23:00:00Z"));
    assert_eq!(a.period_end, ts("2023-03-31T22:00:00Z"));
    assert_eq!(a.device.id, "570715000000000001");
    assert_eq!(a.device.name.as_deref(), Some("Hvide Sande Vind"));
    // `75,6` read with its decimal comma.
    assert_eq!(a.device.capacity.as_deref(), Some("75.6 MW"));
    assert_eq!(a.device.commissioned, Some(date("2019-10-01")));
    assert_eq!(a.device.technology_type, Some(TechnologyType::Wind));
    assert_eq!(a.source_name, "Energinet");
    assert_eq!(a.beneficiary_name.as_deref(), Some("Example Brewery ApS"));
    assert_eq!(a.holder.as_deref(), Some("Example Energy A/S"));
    // A value wrapped over two lines, an account wrapped at its dash.
    assert_eq!(fact(a, "purpose"), Some("Scope 2 reporting 2023"));
    assert_eq!(
        fact(a, "account"),
        Some("DK-Example Energy A/S-579000000000000001")
    );
    assert_eq!(fact(a, "schemes"), Some("GO Production Support"));
    assert_eq!(fact(a, "production_support"), Some("Feed-in premium"));
    assert_eq!(fact(a, "investment_support"), None, "`-` is no value");
    assert_eq!(fact(a, "message_to_receiver"), None, "`-` is no value");

    let b = &st.ranges[1];
    assert_eq!(b.at, Locator::Page(2));
    // Wrapped as 13 + 13 + 4 digits.
    assert_eq!(b.first, "643002406555900210000164308649");
    assert_eq!(b.last, "643002406555900210000164308651");
    assert_eq!(b.count, dec("3"));
    // One day, 15 June 2023, in Copenhagen summer time.
    assert_eq!(b.period_start, ts("2023-06-14T22:00:00Z"));
    assert_eq!(b.period_end, ts("2023-06-15T22:00:00Z"));
    assert_eq!(b.device.id, "570715000000000002");
    assert_eq!(b.device.capacity.as_deref(), Some("1.2345 MW"));
    assert_eq!(
        b.device.technology.as_deref(),
        Some("T010100 - Solar/Photovoltaic")
    );
    assert_eq!(b.device.technology_type, Some(TechnologyType::Solar));
    // The device's name (its GSRN) and its `1 234,5 kW` are not schemes.
    assert_eq!(fact(b, "schemes"), Some("GO"));
}

#[test]
fn a_volume_contradicting_its_range_refuses_the_statement_naming_the_page() {
    let pages = text_pages("necs-mismatch");
    assert_eq!(eecs::layout(&pages), Some(eecs::Layout::Necs));
    let e = eecs::read_text(&pages).unwrap_err();
    assert_eq!(e.at, Locator::Page(3));
    assert!(
        e.message.contains("708000340067300000000000000001")
            && e.message.contains("99 certificates")
            && e.message.contains("volume of 100"),
        "{e}"
    );
}

#[test]
fn a_printed_total_contradicting_the_ranges_refuses_the_statement() {
    let mut pages = text_pages("dk-several");
    pages[0] = pages[0].replace("Total GO: 1\u{a0}003", "Total GO: 1\u{a0}004");
    let e = eecs::read_text(&pages).unwrap_err();
    assert_eq!(e.at, Locator::Page(1));
    assert!(
        e.message.contains("Total GO") && e.message.contains("1003"),
        "{e}"
    );
}

#[test]
fn irec_fractional_ranges_several_devices_and_pages() {
    let pages = text_pages("irec-several");
    assert!(irec::sniff_text(&pages));
    let st = irec::read_text(&pages).unwrap();
    assert_eq!(st.ranges.len(), 2);

    let a = &st.ranges[0];
    assert_eq!(a.at, Locator::Page(2));
    assert_eq!(a.first, "0000-0000-0000-8296.000000");
    assert_eq!(a.last, "0000-0000-0001-5606.037999");
    // Printed `7 310.038000` (no-break space), counted from the ids.
    assert_eq!(a.count, dec("7310.038000"));
    assert_eq!(a.status, Status::Redeemed);
    assert_eq!(a.claim, Claim::Undated);
    assert_eq!(a.issued, None);
    assert_eq!(a.device.name.as_deref(), Some("Gansu Wind Farm II"));
    assert_eq!(a.device.country.as_deref(), Some("China"));
    assert_eq!(a.device.technology_type, Some(TechnologyType::Wind));
    assert_eq!(fact(a, "device_technology_detail"), Some("On-shore"));
    assert_eq!(fact(a, "supported"), Some("Yes"));
    // December 2022 in Asia/Shanghai (UTC+8); the period was wrapped at dashes.
    assert_eq!(a.period_start, ts("2022-11-30T16:00:00Z"));
    assert_eq!(a.period_end, ts("2022-12-31T16:00:00Z"));
    assert_eq!(a.source_id, "irec");
    assert_eq!(fact(a, "verification_key"), Some("AB1234"));
    assert_eq!(
        fact(a, "verification_url"),
        Some("https://evident.app/public/certificates/en/abc/def+ghi")
    );
    assert_eq!(
        fact(a, "purpose"),
        Some("Scope 2 market-based reporting 2023")
    );
    assert_eq!(
        a.beneficiary_name.as_deref(),
        Some("EXAMPLE MANUFACTURING CO LTD")
    );
    assert_eq!(a.holder.as_deref(), Some("EXAMPLE TRADER PTE LTD"));

    let b = &st.ranges[1];
    assert_eq!(b.at, Locator::Page(3));
    assert_eq!(b.count, dec("100.000000"));
    assert_eq!(b.device.name.as_deref(), Some("Example Solar Park"));
    assert_eq!(b.device.country.as_deref(), Some("Atlantis"));
    assert_eq!(b.device.technology.as_deref(), Some("Solar"));
    assert_eq!(
        fact(b, "device_technology_detail"),
        Some("Photovoltaic - ground mounted")
    );
    assert_eq!(fact(b, "offset_attributes"), Some("Excl"));
    // A printed issuer is the range's source.
    assert_eq!(b.source_id, "Example Issuer");
    assert_eq!(fact(b, "issuer"), Some("Example Issuer"));
    // A country not in the zone table: UTC days, and a warning says so.
    assert_eq!(b.period_start, ts("2022-06-01T00:00:00Z"));
    assert_eq!(b.period_end, ts("2022-07-01T00:00:00Z"));
    assert_eq!(st.warnings.len(), 1);
    assert_eq!(st.warnings[0].at, Locator::Page(3));
    assert!(st.warnings[0]
        .message
        .contains("\"Atlantis\" is not in EAC Desk's zone table"));
}

#[test]
fn irec_number_printed_unlike_its_ids_names_the_page() {
    let mut pages = text_pages("irec-several");
    pages[2] = pages[2].replace(" 100.000000 Excl", " 101.000000 Excl");
    let e = irec::read_text(&pages).unwrap_err();
    assert_eq!(e.at, Locator::Page(3));
    assert!(
        e.message.contains("100.000000 certificates") && e.message.contains("101.000000"),
        "{e}"
    );
}

#[test]
fn mrets_several_rows_comma_thousands_month_first_dates() {
    let pages = text_pages("mrets-several");
    assert!(mrets_pdf::sniff_text(&pages));
    let st = mrets_pdf::read_text(&pages).unwrap();
    assert_eq!(st.warnings, vec![], "MN and WI lie in one zone each");
    assert_eq!(st.ranges.len(), 2);
    let a = &st.ranges[0];
    assert_eq!(a.first, "3001-MN-12-2022-ABC123-1");
    assert_eq!(a.last, "3001-MN-12-2022-ABC123-1000");
    assert_eq!(a.count, dec("1000"));
    // 01-05-2023 is 5 January.
    assert_eq!(a.claim, Claim::On(date("2023-01-05")));
    assert_eq!(a.status, Status::Retired);
    assert_eq!(a.device.name.as_deref(), Some("Prairie Sun"));
    assert_eq!(a.device.technology_type, Some(TechnologyType::Solar));
    assert_eq!(a.period_start, ts("2022-12-01T06:00:00Z"));
    assert_eq!(a.period_end, ts("2023-01-01T06:00:00Z"));
    assert_eq!(fact(a, "account"), Some("Retirement Main"));
    assert_eq!(fact(a, "retirement_reason"), Some("Voluntary Program"));
    assert_eq!(
        fact(a, "retirement_reason_details"),
        Some("Green tariff 2022")
    );
    assert_eq!(fact(a, "notes"), Some("Retired on behalf of Example City"));
    assert_eq!(fact(a, "retirement_account"), Some("Green Tariff RET"));
    assert_eq!(a.holder.as_deref(), Some("Example Utility Cooperative"));

    // A row wrapped before its serial number; quantity `1,794`.
    let b = &st.ranges[1];
    assert_eq!(b.first, "4002-WI-11-2022-DEF456-501");
    assert_eq!(b.last, "4002-WI-11-2022-DEF456-2294");
    assert_eq!(b.count, dec("1794"));
    assert_eq!(b.device.id, "4002");
    assert_eq!(b.device.name.as_deref(), Some("Lake Hydro Station"));
    assert_eq!(b.device.technology.as_deref(), Some("Hydro"));
    assert_eq!(b.device.technology_type, Some(TechnologyType::Hydro));
    assert_eq!(b.period_start, ts("2022-11-01T05:00:00Z"));
    assert_eq!(b.period_end, ts("2022-12-01T06:00:00Z"));
}

#[test]
fn mrets_quantity_or_total_unlike_the_serials_is_refused() {
    let mut pages = text_pages("mrets-several");
    pages[0] = pages[0].replace("MN 1,000 ", "MN 1,001 ");
    let e = mrets_pdf::read_text(&pages).unwrap_err();
    assert_eq!(e.at, Locator::Page(1));
    assert!(
        e.message.contains("1000 RECs") && e.message.contains("1,001"),
        "{e}"
    );

    let mut pages = text_pages("mrets-several");
    pages[0] = pages[0].replace("Retiring 2,794", "Retiring 2,795");
    let e = mrets_pdf::read_text(&pages).unwrap_err();
    assert!(
        e.message.contains("retires 2795 RECs") && e.message.contains("2794"),
        "{e}"
    );
}

#[test]
fn readers_refuse_each_others_statements() {
    let irec_pages = text_pages("irec-several");
    assert!(eecs::read_text(&irec_pages).is_err());
    assert!(mrets_pdf::read_text(&irec_pages).is_err());
    let mrets_pages = text_pages("mrets-several");
    assert!(irec::read_text(&mrets_pages).is_err());
    let e = eecs::read_text(&mrets_pages).unwrap_err();
    assert_eq!(e.at, Locator::Document);
}

// ---------------------------------------------------------------- real PDF structure

/// A PDF of our own: each page is a list of (x, y, text) drawn in
/// Helvetica 10pt with WinAnsi encoding (byte 0xA0 is a no-break space).
fn build_pdf(pages: &[Vec<(pdf_extract::Object, pdf_extract::Object, &[u8])>]) -> Vec<u8> {
    use pdf_extract::content::{Content, Operation};
    use pdf_extract::{dictionary, Document, Object, Stream};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let resources_id = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => font_id },
    });
    let mut kids = Vec::new();
    for draws in pages {
        let mut ops = Vec::new();
        for (x, y, text) in draws {
            ops.push(Operation::new("BT", vec![]));
            ops.push(Operation::new("Tf", vec!["F1".into(), 10.into()]));
            ops.push(Operation::new("Td", vec![x.clone(), y.clone()]));
            ops.push(Operation::new(
                "Tj",
                vec![Object::string_literal(text.to_vec())],
            ));
            ops.push(Operation::new("ET", vec![]));
        }
        let content = Content { operations: ops };
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
        });
        kids.push(page_id.into());
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count,
            "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn pdf_pages_split_by_page_keep_doubled_glyphs_once_and_read_no_break_spaces() {
    use pdf_extract::Object;
    let i = |n: i64| Object::Integer(n);
    let r = |f: f32| Object::Real(f);
    let b = build_pdf(&[
        vec![
            // Bold by printing twice, 0.4pt apart, as I-REC statements do.
            (i(100), i(800), b"THE FILECOIN FOUNDATION"),
            (r(100.4), i(800), b"THE FILECOIN FOUNDATION"),
            // Repeated letters and digits that are really there stay.
            (i(100), i(780), b"1100 MWh  Mississippi"),
            // A no-break space (WinAnsi 0xA0) as thousands separator.
            (i(100), i(760), b"Total GO: 1\xa0003"),
        ],
        vec![(i(100), i(800), b"Second page")],
    ]);
    let pages = pdf::pages(&b).unwrap();
    assert_eq!(
        pages,
        vec![
            "THE FILECOIN FOUNDATION\n1100 MWh Mississippi\nTotal GO: 1 003\n".to_string(),
            "Second page\n".to_string(),
        ]
    );
}

#[test]
fn files_that_are_not_readable_pdfs_are_refused_not_panicked_on() {
    let e = pdf::pages(b"Account,Quantity\nA,1\n").unwrap_err();
    assert_eq!(e.at, Locator::Document);
    assert!(e.message.contains("not a PDF"), "{e}");
    let e = irec::read(b"%PDF-1.5\n1 0 obj garbage").unwrap_err();
    assert_eq!(e.at, Locator::Document);
    let mut truncated = bytes("mrets/retirement-confirmation-sample.pdf");
    truncated.truncate(truncated.len() / 3);
    assert!(mrets_pdf::read(&truncated).is_err());
}

/// Tester's report 41, finding 6: a statement restricted by an owner
/// password only opens in every viewer without a password, so it is read,
/// whatever its cipher; AES-256 (R6, Acrobat's "restrict editing", and R5)
/// was refused as "password-protected". One that needs a password to open
/// is still refused, saying what to do. (Fixtures: the M-RETS sample
/// through `qpdf --encrypt`.)
#[test]
fn a_pdf_restricted_by_an_owner_password_only_is_read_whatever_its_cipher() {
    let plain = mrets_pdf::read(&bytes("mrets/retirement-confirmation-sample.pdf")).unwrap();
    for name in [
        "restricted-aes128.pdf",
        "restricted-aes256.pdf",
        "restricted-aes256-r5.pdf",
    ] {
        let st = mrets_pdf::read(&bytes(&format!("mrets/{name}")))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(st, plain, "{name}");
    }
    let e = mrets_pdf::read(&bytes("mrets/password-aes256.pdf")).unwrap_err();
    assert_eq!(e.at, Locator::Document);
    assert_eq!(
        e.message,
        "the PDF is password-protected: it opens only with its password; open it with the password, print it to a new PDF (Print, then Save as PDF or Microsoft Print to PDF) and import that"
    );
    // An encryption EAC Desk cannot decrypt (here a version PDF does not
    // define, in place of V 5) is said as such, not as a password.
    let mut other = bytes("mrets/restricted-aes256.pdf");
    let at = other.windows(4).position(|w| w == b"/V 5").unwrap();
    other[at + 3] = b'7';
    let e = mrets_pdf::read(&other).unwrap_err();
    assert_eq!(
        e.message,
        "the PDF is encrypted by a method EAC Desk does not know and EAC Desk cannot decrypt it; open it in a PDF viewer, print it to a new PDF (Print, then Save as PDF or Microsoft Print to PDF) and import that, or ask the registry for a copy without encryption"
    );
}

/// The sample `rel` without the pages `drop`, saved again by lopdf (as
/// `qpdf --pages` or a viewer's "save pages" makes such a file).
fn without_pages(rel: &str, drop: &[u32]) -> Vec<u8> {
    let mut doc = pdf_extract::Document::load_mem(&bytes(rel)).unwrap();
    doc.delete_pages(drop);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// Tester's report 41, finding 8: a GO statement without its "Certificate
/// Bundles cancelled" page was "not a statement EAC Desk reads", and its
/// bundles page alone the same; each is now said for what it is, with what
/// to do, detected or named.
#[test]
fn a_go_statement_missing_a_page_says_which() {
    let no_bundles = without_pages("eecs-go/necs-cancellation-statement-sample.pdf", &[3]);
    let said = "the Guarantee of Origin statement lists no certificate bundles: its \"Certificate Bundles cancelled\" table, with the certificate numbers, is not in the file, though page 1 says 93 were cancelled (\"Volume cancelled (sum)\"); is a page missing? Import the whole statement, every page as the registry produced it (download it again if need be)";
    let e = eac_registry::read(&no_bundles, None, None).unwrap_err();
    assert_eq!(
        (e.at.clone(), e.message.as_str()),
        (Locator::Document, said)
    );
    let e = eecs::read(&no_bundles).unwrap_err();
    assert_eq!(e.message, said);

    let bundles_only = without_pages("eecs-go/necs-cancellation-statement-sample.pdf", &[1, 2]);
    let said = "this is the certificate table of a Guarantee of Origin cancellation statement without its first page (no \"Performed by\"/\"On behalf of\" or \"Cancellation Purpose:\"/\"Total GO:\" labels: who cancelled the certificates, for whom and when); is a page missing? Import the whole statement, every page as the registry produced it (download it again if need be)";
    let e = eac_registry::read(&bundles_only, None, None).unwrap_err();
    assert_eq!(
        (e.at.clone(), e.message.as_str()),
        (Locator::Document, said)
    );

    // The whole statement, saved again the same way, still reads.
    let whole = without_pages("eecs-go/necs-cancellation-statement-sample.pdf", &[]);
    let read = eac_registry::read(&whole, None, None).unwrap().unwrap();
    assert_eq!(read.statement.ranges.len(), 1);
}

/// Tester's report 41, finding 8: a PDF cut short (a download that
/// stopped) was "cannot be opened (failed parsing cross reference table:
/// invalid start value)"; it is said to be cut short, with what to do.
#[test]
fn a_pdf_cut_short_is_said_to_be_cut_short() {
    let mut cut = bytes("irec/redemption-statement-sample.pdf");
    cut.truncate(40_000);
    let e = irec::read(&cut).unwrap_err();
    assert_eq!(e.at, Locator::Document);
    assert_eq!(
        e.message,
        "the PDF is cut short: it ends after 40000 bytes without the end every PDF file has (its cross-reference table and %%EOF), as a download or copy that stopped early leaves it; download the statement again from the registry and import that file"
    );
    let e = eac_registry::read(&cut, None, None).unwrap_err();
    assert!(e.message.starts_with("the PDF is cut short: "), "{e}");
}
