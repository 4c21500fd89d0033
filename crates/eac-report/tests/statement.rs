//! The claim statement as a user gets it: the CSV's exact bytes, and the
//! PDF's text as a PDF reader extracts it.

use eac_model::{
    BeneficiaryType, Date, Decimal, Eac, EacValue, EnergyUnit, Extensions, TechnologyType,
    Timestamp,
};
use eac_report::{
    claim_statement_csv, claim_statement_pdf, write_claim_statement_csv, write_claim_statement_pdf,
    ClaimStatement, GroupKey, Line, LineSource, StatementFacts, Summary, Tally,
};
use serde_json::value::RawValue;

fn ts(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn ext(fields: &[(&str, &str)]) -> Extensions {
    Extensions(
        fields
            .iter()
            .map(|(k, v)| {
                let raw = RawValue::from_string(serde_json::to_string(v).unwrap()).unwrap();
                ((*k).to_owned(), raw)
            })
            .collect(),
    )
}

struct V<'a> {
    number: Option<&'a str>,
    span: Option<(&'a str, &'a str)>,
    quantity: &'a str,
    unit: EnergyUnit,
    retired: Option<&'a str>,
}

#[allow(clippy::too_many_arguments)]
fn eac(
    id: &str,
    number: Option<&str>,
    beneficiary: Option<(BeneficiaryType, &[&str])>,
    technology: TechnologyType,
    asset: &str,
    period: (&str, &str),
    values: &[V],
    extensions: &[(&str, &str)],
) -> Eac {
    Eac {
        cds_eac_id: id.to_owned(),
        cds_created: ts("2024-01-01T00:00:00Z"),
        cds_modified: ts("2024-01-01T00:00:00Z"),
        eac_number: number.map(str::to_owned),
        source_id: "src-1".to_owned(),
        source_name: "Example Registry".to_owned(),
        destination_id: Some("dst-1".to_owned()),
        destination_name: Some("Example Utility".to_owned()),
        beneficiary_type: beneficiary.map(|(t, _)| t),
        beneficiaries: beneficiary
            .map(|(_, ids)| ids.iter().map(|s| (*s).to_owned()).collect())
            .unwrap_or_default(),
        asset_id: asset.to_owned(),
        asset_commissioned: None,
        asset_origination: None,
        asset_destination: None,
        technology_type: Some(technology),
        emissions_factor_direct: Some(Decimal::parse("0").unwrap()),
        emissions_factor_lca: Some(Decimal::parse("0").unwrap()),
        period_start: ts(period.0),
        period_end: ts(period.1),
        values: values
            .iter()
            .map(|v| EacValue {
                eac_number: v.number.map(str::to_owned),
                issued: Some(Date::parse("2024-01-15").unwrap()),
                retired: v.retired.map(|d| Date::parse(d).unwrap()),
                retired_undated: false,
                start: v.span.map(|(s, _)| ts(s)),
                end: v.span.map(|(_, e)| ts(e)),
                unit: v.unit,
                value: Decimal::parse(v.quantity).unwrap(),
                extensions: Extensions::default(),
            })
            .collect(),
        extensions: ext(extensions),
    }
}

const RANGE_FIRST: &str = "0000-0000-6529-5750.000000";
const RANGE_LAST: &str = "0000-0000-6529-5761.999999";

/// Three beneficiaries (one unassigned), two years, three units, a
/// registry range, a single certificate and numbers without a range.
fn sample() -> ClaimStatement {
    let acc: &[&str] = &["ACC-1"];
    let eacs = vec![
        eac(
            "irec:range",
            Some(&format!("{RANGE_FIRST} – {RANGE_LAST}")),
            Some((BeneficiaryType::Account, acc)),
            TechnologyType::Wind,
            "W-1",
            ("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"),
            &[V {
                number: None,
                span: Some(("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z")),
                quantity: "1000.0",
                unit: EnergyUnit::MWh,
                retired: Some("2024-03-31"),
            }],
            &[
                ("eacdesk_registry", "irec"),
                ("eacdesk_status", "redeemed"),
                ("eacdesk_first_certificate", RANGE_FIRST),
                ("eacdesk_last_certificate", RANGE_LAST),
            ],
        ),
        // A value by quantity (no start): the EAC's period places it.
        eac(
            "eac-b",
            Some("EAC-B"),
            Some((BeneficiaryType::Account, acc)),
            TechnologyType::Solar,
            "S-1",
            ("2024-06-01T00:00:00Z", "2024-07-01T00:00:00Z"),
            &[V {
                number: Some("V-1"),
                span: None,
                quantity: "45.106820",
                unit: EnergyUnit::MWh,
                retired: Some("2024-07-10"),
            }],
            &[],
        ),
        eac(
            "eac-e",
            Some("EAC-E"),
            Some((BeneficiaryType::Account, acc)),
            TechnologyType::Solar,
            "S-1",
            ("2024-06-01T00:00:00Z", "2024-07-01T00:00:00Z"),
            &[V {
                number: None,
                span: Some(("2024-06-01T00:00:00Z", "2024-06-15T00:00:00Z")),
                quantity: "250",
                unit: EnergyUnit::KWh,
                retired: None,
            }],
            &[],
        ),
        eac(
            "rego:single",
            None,
            Some((BeneficiaryType::Customer, &["C-9"])),
            TechnologyType::Hydro,
            "H-1",
            ("2023-05-01T00:00:00Z", "2023-06-01T00:00:00Z"),
            &[V {
                number: None,
                span: Some(("2023-05-01T00:00:00Z", "2023-06-01T00:00:00Z")),
                quantity: "500",
                unit: EnergyUnit::KWh,
                retired: Some("2023-12-31"),
            }],
            &[
                ("eacdesk_registry", "rego"),
                ("eacdesk_first_certificate", "CERT-7"),
                ("eacdesk_last_certificate", "CERT-7"),
            ],
        ),
        eac(
            "loose",
            Some("L-1"),
            None,
            TechnologyType::Biomass,
            "B-1",
            ("2024-09-01T00:00:00Z", "2024-10-01T00:00:00Z"),
            &[V {
                number: None,
                span: Some(("2024-09-01T00:00:00Z", "2024-09-02T00:00:00Z")),
                quantity: "12",
                unit: EnergyUnit::Wh,
                retired: None,
            }],
            &[],
        ),
    ];
    ClaimStatement {
        title: "FY2024 claim, Example Utility".to_owned(),
        created_at: ts("2026-12-02T06:30:00Z"),
        selection: "retired EACs of 2023 and 2024".to_owned(),
        eacs,
        problems: vec![
            "irec 0000-0000-6529-5750.000000 – 0000-0000-6529-5751.000000: claimed twice (irec:range and irec:other)".to_owned(),
        ],
        key_fingerprint: "ab12-cd34-ef56-7890-ab12-cd34-ef56-7890".to_owned(),
        audit_head: Some("9f".repeat(32)),
    }
}

#[test]
fn csv_lists_every_value_by_beneficiary_and_period_with_exact_totals() {
    let csv = String::from_utf8(claim_statement_csv(&sample())).unwrap();
    let expected = [
        "kind,beneficiary,period,cds_eac_id,certificates,registry,technology,asset_id,start,end,quantity,unit,retired,status,note",
        "value,customer: C-9,2023,rego:single,CERT-7,rego,hydro,H-1,2023-05-01T00:00:00Z,2023-06-01T00:00:00Z,500,kWh,2023-12-31,,",
        "value,account: ACC-1,2024,irec:range,0000-0000-6529-5750.000000 – 0000-0000-6529-5761.999999,irec,wind,W-1,2024-01-01T00:00:00Z,2024-02-01T00:00:00Z,1000.0,MWh,2024-03-31,redeemed,",
        "value,account: ACC-1,2024,eac-b,EAC-B / V-1,Example Registry,solar,S-1,2024-06-01T00:00:00Z,2024-07-01T00:00:00Z,45.106820,MWh,2024-07-10,,",
        "value,account: ACC-1,2024,eac-e,EAC-E,Example Registry,solar,S-1,2024-06-01T00:00:00Z,2024-06-15T00:00:00Z,250,kWh,,,",
        "value,unassigned,2024,loose,L-1,Example Registry,biomass,B-1,2024-09-01T00:00:00Z,2024-09-02T00:00:00Z,12,Wh,,,",
        "total,customer: C-9,2023,,,,,,,,500,kWh,,,",
        "total,account: ACC-1,2024,,,,,,,,250,kWh,,,",
        "total,account: ACC-1,2024,,,,,,,,1045.106820,MWh,,,",
        "total,unassigned,2024,,,,,,,,12,Wh,,,",
        "grand_total,,,,,,,,,,12,Wh,,,",
        "grand_total,,,,,,,,,,750,kWh,,,",
        "grand_total,,,,,,,,,,1045.106820,MWh,,,",
        "problem,,,,,,,,,,,,,,irec 0000-0000-6529-5750.000000 – 0000-0000-6529-5751.000000: claimed twice (irec:range and irec:other)",
    ]
    .map(|l| format!("{l}\r\n"))
    .concat();
    assert_eq!(csv, expected);
}

#[test]
fn csv_quotes_commas_quotes_and_line_breaks_and_defuses_formulas() {
    let mut st = sample();
    st.eacs.truncate(1);
    let e = &mut st.eacs[0];
    e.beneficiaries = vec!["ACC-1".into(), "ACC \"2\"".into()];
    e.asset_id = "=HYPERLINK(\"http://x\",\"y\")".into();
    e.cds_eac_id = "@SUM(A1)".into();
    e.extensions = ext(&[
        ("eacdesk_registry", "+registry"),
        ("eacdesk_status", "line one\nline two"),
        ("eacdesk_first_certificate", "-5"),
    ]);
    st.problems = vec!["-1 problem, with a comma".into()];
    let csv = String::from_utf8(claim_statement_csv(&st)).unwrap();
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(
        lines[1],
        "value,\"account: ACC-1, \"\"ACC \"\"\"\"2\"\"\"\"\"\"\",2024,'@SUM(A1),-5,'+registry,wind,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",2024-01-01T00:00:00Z,2024-02-01T00:00:00Z,1000.0,MWh,2024-03-31,\"line one\nline two\","
    );
    assert!(
        csv.contains("problem,,,,,,,,,,,,,,\"'-1 problem, with a comma\"\r\n"),
        "{csv}"
    );
}

/// Beneficiary ids holding the joiner `,`, a quote or white space at an
/// end are quoted (as the table export quotes its `;`-lists), so each id
/// reads back: joined with `, ` as they were, one id `A, B` read as the two
/// ids `A` and `B`, and ` E` lost its space.
#[test]
fn beneficiary_ids_holding_the_joiner_are_quoted_in_the_csv_and_the_pdf() {
    let mut st = sample();
    st.eacs.truncate(1);
    st.eacs[0].beneficiaries = vec!["A, B".into(), "C; D".into(), " E".into()];
    let csv = String::from_utf8(claim_statement_csv(&st)).unwrap();
    let lines: Vec<&str> = csv.split("\r\n").collect();
    // The cell holds `account: "A, B", C; D, " E"` (its quotes doubled).
    assert!(
        lines[1].starts_with("value,\"account: \"\"A, B\"\", C; D, \"\" E\"\"\",2024,"),
        "{}",
        lines[1]
    );
    let all = pdf_pages(&claim_statement_pdf(&st)).concat();
    for needle in [
        "Beneficiary: account: \"A, B\", C; D, \" E\" · period 2024",
        "Total for account: \"A, B\", C; D, \" E\", 2024: 1000.0 MWh",
    ] {
        assert!(all.contains(&squash(needle)), "missing {needle:?} in {all}");
    }
}

#[test]
fn csv_of_no_eacs_says_so() {
    let mut st = sample();
    st.eacs.clear();
    st.problems.clear();
    let csv = String::from_utf8(claim_statement_csv(&st)).unwrap();
    assert_eq!(
        csv,
        "kind,beneficiary,period,cds_eac_id,certificates,registry,technology,asset_id,start,end,quantity,unit,retired,status,note\r\n\
         note,,,,,,,,,,,,,,No EACs were selected: the statement lists no certificates.\r\n"
    );
}

/// Each page's text with all white space removed (a PDF reader breaks
/// lines where the layout wraps them).
fn pdf_pages(bytes: &[u8]) -> Vec<String> {
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    pdf_extract::extract_text_from_mem_by_pages(bytes)
        .unwrap()
        .iter()
        .map(|p| squash(p))
        .collect()
}

fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn pdf_holds_title_certificates_totals_and_problems() {
    let st = sample();
    let pages = pdf_pages(&claim_statement_pdf(&st));
    let all = pages.concat();
    for needle in [
        "FY2024 claim, Example Utility",
        "Claim statement created 2026-12-02T06:30:00Z",
        "Selection: retired EACs of 2023 and 2024",
        &format!("{RANGE_FIRST} – {RANGE_LAST}"),
        "CERT-7",
        "EAC-B / V-1",
        "EAC-E",
        "L-1",
        "Beneficiary: account: ACC-1 · period 2024",
        "Beneficiary: customer: C-9 · period 2023",
        "Beneficiary: unassigned · period 2024",
        "Total for account: ACC-1, 2024: 1045.106820 MWh",
        "Total for account: ACC-1, 2024: 250 kWh",
        "Total for customer: C-9, 2023: 500 kWh",
        "Totals per unit",
        "1045.106820 MWh",
        "750 kWh",
        "12 Wh",
        "Problems found by the double-counting check",
        &st.problems[0],
        "Quantity by month and technology",
        // The chart's exact numbers: January 2024 wind, June 2024 solar
        // (45.106820 MWh + 250 kWh = 45.356820 MWh).
        "Jan 2024",
        "Wind: 1000.0",
        "45.356820",
    ] {
        assert!(all.contains(&squash(needle)), "missing {needle:?} in {all}");
    }
}

#[test]
fn pdf_says_none_when_check_found_no_problem() {
    let mut st = sample();
    st.problems.clear();
    let all = pdf_pages(&claim_statement_pdf(&st)).concat();
    assert!(
        all.contains("Problemsfoundbythedouble-countingcheckNone."),
        "{all}"
    );
}

#[test]
fn many_eacs_fill_several_pages_each_with_the_footer() {
    let mut st = sample();
    let template = st.eacs[0].clone();
    st.eacs = (0..300)
        .map(|i| {
            let mut e = template.clone();
            e.cds_eac_id = format!("irec:range-{i:03}");
            e.extensions = ext(&[
                ("eacdesk_registry", "irec"),
                (
                    "eacdesk_first_certificate",
                    &format!("0000-0000-{i:04}-0000.000000"),
                ),
                (
                    "eacdesk_last_certificate",
                    &format!("0000-0000-{i:04}-0099.999999"),
                ),
            ]);
            e.values[0].value = Decimal::parse("1.5").unwrap();
            e
        })
        .collect();
    let bytes = claim_statement_pdf(&st);
    let pages = pdf_pages(&bytes);
    assert!(pages.len() >= 5, "{} pages", pages.len());
    let n = pages.len();
    // Deflated page contents: about 1 KiB per EAC row (plain text was 8).
    assert!(bytes.len() < 300 * 2048, "{} bytes", bytes.len());
    for (i, p) in pages.iter().enumerate() {
        for needle in [
            format!("page{}of{n}", i + 1),
            squash(&st.title),
            squash(&st.selection),
            "created2026-12-02T06:30:00Z".to_owned(),
            st.key_fingerprint.clone(),
            st.audit_head.clone().unwrap(),
        ] {
            assert!(p.contains(&needle), "page {}: missing {needle}: {p}", i + 1);
        }
    }
    let all = pages.concat();
    for i in 0..300 {
        let range = format!("0000-0000-{i:04}-0000.000000–0000-0000-{i:04}-0099.999999");
        assert!(all.contains(&range), "missing {range}");
    }
    // 300 × 1.5 MWh, exactly.
    assert!(all.contains("450.0MWh"), "{all}");
    // The column headers are repeated on the pages a table continues on.
    let continued = pages
        .iter()
        .filter(|p| p.contains("(continued)") && p.contains("Certificates/EACid"))
        .count();
    assert!(continued >= 3, "{continued} continued pages");
}

#[test]
fn pdf_of_no_eacs_says_so() {
    let mut st = sample();
    st.eacs.clear();
    st.problems.clear();
    st.audit_head = None;
    let pages = pdf_pages(&claim_statement_pdf(&st));
    assert_eq!(pages.len(), 1);
    for needle in [
        "No EACs were selected: this statement lists no certificates.",
        "No quantities to chart.",
        "audit chain head: none (the audit log is empty)",
        "page 1 of 1",
    ] {
        assert!(
            pages[0].contains(&squash(needle)),
            "missing {needle}: {}",
            pages[0]
        );
    }
}

#[test]
fn a_very_long_id_is_wrapped_not_cut() {
    let mut st = sample();
    let long: String = (0..400)
        .map(|i| char::from(b'A' + (i % 26) as u8))
        .collect();
    st.eacs[0].asset_id = long.clone();
    st.title = format!("A title that goes on {}", "and on ".repeat(60));
    let all = pdf_pages(&claim_statement_pdf(&st)).concat();
    assert!(all.contains(&long), "asset id cut");
    assert!(all.contains(&squash(&st.title)), "title cut");
}

#[test]
fn pdf_prints_european_names_as_written() {
    // Helvetica's WinAnsi has no `Ł`, `ź`, `Č` or Cyrillic: those letters
    // come from the embedded DejaVu Sans, regular and bold, and read back
    // as written; no note about replaced characters.
    let mut st = sample();
    st.eacs[0].beneficiaries = vec!["Łódź Energia".to_owned()];
    st.eacs[1].beneficiaries = vec!["ČEZ, a. s.".to_owned()];
    st.title = "Claim 2024 — Świętokrzyskie & Мосэнерго".to_owned();
    let bytes = claim_statement_pdf(&st);
    let pages = pdf_pages(&bytes);
    let all = pages.concat();
    for needle in [
        "account: Łódź Energia",
        "ČEZ, a. s.",
        // The title: bold on page 1, regular in every footer.
        "Claim 2024 — Świętokrzyskie & Мосэнерго",
    ] {
        assert!(all.contains(&squash(needle)), "missing {needle:?} in {all}");
    }
    assert!(
        !all.contains(&squash("printed as \u{201c}?\u{201d}")),
        "{}",
        pages[0]
    );
    assert!(!all.contains('?'), "{all}");
    // Subsets, not whole fonts: DejaVu Sans alone is 740 KiB.
    assert!(bytes.len() < 200_000, "{} bytes", bytes.len());
    // The same statement gives the same bytes.
    assert_eq!(bytes, claim_statement_pdf(&st));
}

#[test]
fn pdf_says_so_when_a_name_has_characters_no_font_of_it_can_show() {
    // No bundled font has Devanagari or Thai: the PDF prints `?` and says
    // so on its first page; the CSV keeps the name.
    let note = squash("they are printed as \u{201c}?\u{201d}. The CSV statement in the same pack holds the exact text.");
    let plain = pdf_pages(&claim_statement_pdf(&sample()));
    assert!(!plain.concat().contains(&note), "{}", plain[0]);

    let mut st = sample();
    st.eacs[0].beneficiaries = vec!["नमस्ते Łódź".to_owned()];
    let pages = pdf_pages(&claim_statement_pdf(&st));
    assert!(pages[0].contains(&note), "{}", pages[0]);
    assert!(
        pages.concat().contains("account:??????Łódź"),
        "{}",
        pages.concat()
    );
    let csv = String::from_utf8(claim_statement_csv(&st)).unwrap();
    assert!(csv.contains("नमस्ते Łódź"), "{csv}");
}

#[test]
fn pdf_prints_korean_chinese_and_japanese_names_as_written() {
    // Hangul from NanumSquare (regular and bold), ideographs and kana from
    // Droid Sans Fallback, beside Helvetica and DejaVu: read back as
    // written, in headings (bold), cells and footers; no note about `?`.
    let mut st = sample();
    st.eacs[0].beneficiaries = vec!["한국전력공사".to_owned()];
    st.eacs[1].beneficiaries = vec!["東京電力エナジーパートナー".to_owned()];
    st.eacs[2].asset_id = "風力発電所 1 号機".to_owned();
    st.eacs[3].beneficiaries = vec!["国家电网 Łódź".to_owned()];
    st.title = "2024 年度 클레임 — Claim".to_owned();
    let bytes = claim_statement_pdf(&st);
    let all = pdf_pages(&bytes).concat();
    for needle in [
        "account:한국전력공사",
        "account:東京電力エナジーパートナー",
        "風力発電所1号機",
        "customer:国家电网Łódź",
        "2024年度클레임—Claim",
    ] {
        assert!(all.contains(needle), "missing {needle:?} in {all}");
    }
    assert!(
        !all.contains(&squash("printed as \u{201c}?\u{201d}")),
        "{all}"
    );
    assert!(!all.contains('?'), "{all}");
    // Subsets, not whole fonts: Droid Sans Fallback alone is 3.9 MiB.
    assert!(bytes.len() < 200_000, "{} bytes", bytes.len());
    assert_eq!(bytes, claim_statement_pdf(&st));
}

/// Lines kept as a pack keeps them: one flat list of (group key as bytes,
/// line), read back sorted by those bytes (stably: each group's lines in
/// the order kept), the keys decoded again; `drop_one` loses the last
/// line of the first group.
struct Flat {
    lines: Vec<(Vec<u8>, Line)>,
    drop_one: bool,
    read: usize,
}

impl LineSource for Flat {
    fn group_count(&mut self) -> std::io::Result<usize> {
        let mut keys: Vec<&Vec<u8>> = self.lines.iter().map(|(k, _)| k).collect();
        keys.sort();
        keys.dedup();
        Ok(keys.len())
    }

    fn each(
        &mut self,
        each: &mut dyn FnMut(&GroupKey, &Line) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let mut sorted: Vec<&(Vec<u8>, Line)> = self.lines.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        if self.drop_one {
            let first = sorted[0].0.clone();
            let last_of_first = sorted.iter().rposition(|(k, _)| *k == first).unwrap();
            sorted.remove(last_of_first);
        }
        for (k, l) in sorted {
            self.read += 1;
            each(&GroupKey::from_bytes(k).unwrap(), l)?;
        }
        Ok(())
    }
}

fn tallied(st: &ClaimStatement) -> (StatementFacts, Summary, Flat) {
    let mut eacs = st.eacs.clone();
    eacs.sort_by_cached_key(|e| e.p1_order_key());
    let mut tally = Tally::new();
    let mut flat = Flat {
        lines: Vec::new(),
        drop_one: false,
        read: 0,
    };
    for e in &eacs {
        tally
            .add(e, |key, l| {
                flat.lines.push((key.to_bytes(), l));
                Ok::<(), ()>(())
            })
            .unwrap();
    }
    let facts = StatementFacts {
        title: st.title.clone(),
        created_at: st.created_at,
        selection: st.selection.clone(),
        problems: st.problems.clone(),
        key_fingerprint: st.key_fingerprint.clone(),
        audit_head: st.audit_head.clone(),
        claims: Vec::new(),
    };
    let summary = tally.finish(&facts);
    (facts, summary, flat)
}

/// A tester's finding (session 42, EVID 4): the claim statement, which
/// an auditor opens first, never said that the pack carries a recorded
/// claim. Each carried claim is named in the PDF and the CSV, with its
/// beneficiary, days, headline figures and the files of its report.
#[test]
fn the_statement_names_each_recorded_claim_the_pack_carries() {
    let st = sample();
    let (mut facts, summary, mut flat) = tallied(&st);
    let d = |t: &str| Decimal::parse(t).unwrap();
    facts.claims = vec![eac_report::CarriedClaim {
        id: 7,
        name: "FY2024".to_owned(),
        beneficiary: "account: ACC-1".to_owned(),
        period: "2024-01-01 to 2024-12-31".to_owned(),
        granularity: "hourly".to_owned(),
        unit: "MWh".to_owned(),
        consumption: d("0.01"),
        matched: d("0.008"),
        coverage_percent: Some(d("80.0000")),
        market_based_tco2e: Some(d("0.0008")),
        location_based_tco2e: None,
        files: vec![
            "claims/claim-7.csv".to_owned(),
            "claims/claim-7.json".to_owned(),
        ],
    }];
    let mut csv = Vec::new();
    eac_report::write_claim_statement_csv(&facts, &summary, &mut flat, &mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.ends_with(
            "claim,account: ACC-1,2024-01-01 to 2024-12-31,,,,,,,,0.008,MWh,,,\"recorded claim 7 \"\"FY2024\"\" (hourly): consumption 0.01 MWh, matched 0.008 MWh, coverage 80.0000 %, market-based emissions 0.0008 tCO2e, location-based emissions not computed; its report: claims/claim-7.csv, claims/claim-7.json\"\r\n"
        ),
        "{csv}"
    );
    let mut pdf = Vec::new();
    eac_report::write_claim_statement_pdf(&facts, &summary, &mut flat, &mut pdf).unwrap();
    let all = pdf_pages(&pdf).concat();
    for needle in [
        "Recorded claims carried in this pack",
        "Claim 7: FY2024 · account: ACC-1 · 2024-01-01 to 2024-12-31 (hourly)",
        "consumption 0.01 MWh, matched 0.008 MWh, coverage 80.0000 %",
        "market-based emissions 0.0008 tCO2e, location-based emissions not computed",
        "See its report: claims/claim-7.csv, claims/claim-7.json.",
    ] {
        assert!(all.contains(&squash(needle)), "missing {needle:?} in {all}");
    }
    // A statement without claims says there are none.
    let all = pdf_pages(&claim_statement_pdf(&st)).concat();
    assert!(
        all.contains(&squash(
            "Recorded claims carried in this pack None: no recorded claim allocates a value of these EACs."
        )),
        "{all}"
    );
}

fn many(n: usize) -> ClaimStatement {
    let mut st = sample();
    let base = st.eacs.clone();
    st.eacs = (0..n)
        .map(|i| {
            let mut e = base[i % base.len()].clone();
            e.cds_eac_id = format!("id-{:05}", (i * 7919) % n);
            e.eac_number = (i % 3 != 0).then(|| format!("N-{:05}", (i * 31) % n));
            if i % 4 == 1 {
                e.beneficiaries = vec![format!("ACC-{}", i % 5)];
            }
            e
        })
        .collect();
    st
}

#[test]
fn a_statement_written_as_it_goes_is_the_statement_made_in_memory() {
    // A pack tallies its EACs, keeps the lines outside memory and writes
    // the files from there: the same bytes as the statement made whole,
    // names needing the embedded font or the note on `?` included.
    let mut cjk = sample();
    cjk.eacs[2].asset_id = "資産 1".to_owned();
    let mut european = sample();
    european.eacs[1].beneficiaries = vec!["ČEZ, a. s.".to_owned()];
    let mut none = sample();
    none.eacs.clear();
    for st in [sample(), cjk, european, none, many(600)] {
        let (facts, summary, mut flat) = tallied(&st);
        assert_eq!(summary.eacs(), st.eacs.len());
        let mut csv = Vec::new();
        write_claim_statement_csv(&facts, &summary, &mut flat, &mut csv).unwrap();
        assert_eq!(csv, claim_statement_csv(&st));
        let mut pdf = Vec::new();
        write_claim_statement_pdf(&facts, &summary, &mut flat, &mut pdf).unwrap();
        assert_eq!(pdf, claim_statement_pdf(&st));
    }
}

#[test]
fn a_lost_line_fails_the_statement_instead_of_shortening_it() {
    let (facts, summary, mut flat) = tallied(&many(40));
    flat.drop_one = true;
    let csv = write_claim_statement_csv(&facts, &summary, &mut flat, &mut Vec::new());
    let e = csv.unwrap_err();
    assert!(e.to_string().contains("not the"), "{e}");
    let pdf = write_claim_statement_pdf(&facts, &summary, &mut flat, &mut Vec::new());
    assert!(pdf.is_err());
}

/// A file that is full after `room` bytes.
struct Full {
    room: usize,
}

impl std::io::Write for Full {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.room == 0 {
            return Err(std::io::Error::other("No space left on device"));
        }
        let n = buf.len().min(self.room);
        self.room -= n;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_full_disk_stops_the_statement_where_it_could_not_write() {
    let (facts, summary, mut flat) = tallied(&many(3000));
    let all = summary.values();
    let e = write_claim_statement_pdf(&facts, &summary, &mut flat, &mut Full { room: 20_000 })
        .unwrap_err();
    assert!(e.to_string().contains("No space left"), "{e}");
    // The lines stop being read at the page that could not be written.
    assert!(flat.read < all / 2, "{} of {all} lines read", flat.read);
    flat.read = 0;
    let e = write_claim_statement_csv(&facts, &summary, &mut flat, &mut Full { room: 20_000 })
        .unwrap_err();
    assert!(e.to_string().contains("No space left"), "{e}");
    assert!(flat.read < all / 2, "{} of {all} lines read", flat.read);
}
