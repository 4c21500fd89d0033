//! `eacdesk summary` and `ls --csv` / `ls --xlsx` on sample data, each
//! checked against sums worked out here, independently, from `ls --json`
//! and from a P1 export (every value with its own period).

use std::collections::BTreeMap;
use std::io::Read;
use std::str::FromStr;

use bigdecimal::BigDecimal;
use calamine::{open_workbook, Data, Reader, Xlsx};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::*;

/// 50 sample EACs (seed 1).
fn sample_desk() -> Desk {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "50"])
        .assert()
        .success();
    desk
}

fn big(text: &str) -> BigDecimal {
    BigDecimal::from_str(text).unwrap()
}

/// Powers of ten from Wh.
fn in_mwh(unit: &str, value: &BigDecimal) -> BigDecimal {
    let exp = match unit {
        "Wh" => 0,
        "kWh" => 3,
        "MWh" => 6,
        other => panic!("unit {other}"),
    };
    value * BigDecimal::new(1.into(), 6 - exp)
}

/// Exact per-unit totals and the MWh total of JSON `[{unit, total}]`.
fn sums(totals: &Value) -> (BTreeMap<String, BigDecimal>, BigDecimal) {
    let mut per_unit = BTreeMap::new();
    let mut mwh = BigDecimal::default();
    for t in totals.as_array().unwrap() {
        let unit = t["unit"].as_str().unwrap().to_owned();
        let v = big(t["total"].as_str().unwrap());
        mwh += in_mwh(&unit, &v);
        *per_unit.entry(unit).or_default() += v;
    }
    (per_unit, mwh)
}

/// Every row of `ls --json` (50 EACs fit one page).
fn listing(desk: &Desk, args: &[&str]) -> Value {
    desk.json(&[&["ls", "--limit", "1000"], args].concat())
}

#[test]
fn summary_by_technology_and_source_adds_up_like_the_listing() {
    let desk = sample_desk();
    let rows = listing(&desk, &[]);
    // Worked out here: per (technology, source), EACs and exact sums per unit.
    type Group = (usize, BTreeMap<String, BigDecimal>, BigDecimal);
    let mut expected: BTreeMap<(String, String), Group> = BTreeMap::new();
    for r in rows["rows"].as_array().unwrap() {
        let key = (
            r["technology_type"].as_str().unwrap().to_owned(),
            r["source_id"].as_str().unwrap().to_owned(),
        );
        let (per_unit, mwh) = sums(&r["quantities"]);
        let g = expected.entry(key).or_default();
        g.0 += 1;
        for (u, v) in per_unit {
            *g.1.entry(u).or_default() += v;
        }
        g.2 += mwh.clone();
        // Each row's own total in the display unit is its exact sum.
        assert_eq!(big(r["total"]["total"].as_str().unwrap()), mwh);
    }
    assert!(expected.len() > 10, "the sample spreads over groups");

    let report = desk.json(&["summary", "--by", "technology,source"]);
    assert_eq!(report["by"], serde_json::json!(["technology", "source"]));
    assert_eq!(report["unit"], "MWh");
    let groups = report["groups"].as_array().unwrap();
    assert_eq!(groups.len(), expected.len());
    let mut grand = BigDecimal::default();
    for g in groups {
        let key = (
            g["keys"][0].as_str().unwrap().to_owned(),
            g["keys"][1].as_str().unwrap().to_owned(),
        );
        let (count, per_unit, mwh) = &expected[&key];
        assert_eq!(g["count"].as_u64().unwrap() as usize, *count, "{key:?}");
        let (got_per_unit, got_mwh) = sums(&g["totals"]);
        assert_eq!(&got_per_unit, per_unit, "{key:?}");
        assert_eq!(&got_mwh, mwh, "{key:?}");
        let total = g["total"]["total"].as_str().unwrap();
        assert_eq!(&big(total), mwh, "{key:?}");
        // At least the display decimals, exact, never rounded.
        assert!(total.split_once('.').unwrap().1.len() >= 3, "{total}");
        grand += mwh;
    }
    assert_eq!(report["count"], 50);
    assert_eq!(big(report["total"]["total"].as_str().unwrap()), grand);
    assert_eq!(report["total"], rows["summary"]["total"]);

    // The table: one row per group and the total, totals right-aligned.
    let out = desk
        .eacdesk()
        .args(["summary", "--by", "technology,source"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("TECHNOLOGY"), "{text}");
    assert!(lines[0].contains("TOTAL (MWh)"), "{text}");
    let total_line = lines.iter().find(|l| l.starts_with("Total ")).unwrap();
    let grand_text = report["total"]["total"].as_str().unwrap();
    let words: Vec<&str> = total_line.split_whitespace().collect();
    assert_eq!(words[..3], ["Total", "50", grand_text], "{total_line}");
    let end = lines[0].find("TOTAL (MWh)").unwrap() + "TOTAL (MWh)".len();
    for (line, g) in lines[1..].iter().zip(groups) {
        let total = g["total"]["total"].as_str().unwrap();
        // Right-aligned: each total ends under the header's end.
        assert_eq!(
            &line[..end].trim_start()[line[..end].trim_start().len() - total.len()..],
            total,
            "{line}"
        );
    }
    // The header, the groups, the total.
    assert_eq!(lines.len(), groups.len() + 2, "{text}");
}

/// A P1 listing with each value's exact text (never a float).
#[derive(Deserialize)]
struct P1 {
    eacs: Vec<P1Eac>,
}

#[derive(Deserialize)]
struct P1Eac {
    period_start: String,
    values: Vec<P1Value>,
}

#[derive(Deserialize)]
struct P1Value {
    start: Option<String>,
    retired: Option<String>,
    unit: String,
    value: Box<RawValue>,
}

/// `YYYY-MM` of an RFC 3339 time, in UTC.
fn utc_month(text: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&chrono::Utc)
        .format("%Y-%m")
        .to_string()
}

#[test]
fn summary_by_month_and_retirement_groups_each_value_by_its_own_period() {
    let desk = sample_desk();
    desk.eacdesk()
        .args(["export", "--profile", "p1", "--out", "all.json"])
        .assert()
        .success();
    let p1: P1 = serde_json::from_slice(&std::fs::read(desk.path("all.json")).unwrap()).unwrap();
    let mut expected: BTreeMap<(String, String), (usize, BigDecimal)> = BTreeMap::new();
    let mut spans_months = 0;
    for e in &p1.eacs {
        let mut seen = std::collections::BTreeSet::new();
        for v in &e.values {
            let month = utc_month(v.start.as_deref().unwrap_or(&e.period_start));
            let retired = if v.retired.is_some() {
                "retired"
            } else {
                "not_retired"
            };
            let key = (month, retired.to_owned());
            let g = expected.entry(key.clone()).or_default();
            if seen.insert(key) {
                g.0 += 1;
            }
            g.1 += in_mwh(&v.unit, &big(v.value.get()));
        }
        if seen
            .iter()
            .map(|(m, _)| m)
            .collect::<std::collections::BTreeSet<_>>()
            .len()
            > 1
        {
            spans_months += 1;
        }
    }
    assert!(spans_months > 0, "some sample EAC has values in two months");

    let report = desk.json(&["summary", "--by", "month,retired", "--unit", "kWh"]);
    let groups = report["groups"].as_array().unwrap();
    let got: BTreeMap<(String, String), (usize, BigDecimal)> = groups
        .iter()
        .map(|g| {
            let (_, mwh) = sums(&g["totals"]);
            assert_eq!(g["total"]["unit"], "kWh");
            // The kWh total is the MWh sum shifted by three places.
            assert_eq!(
                big(g["total"]["total"].as_str().unwrap()),
                &mwh * BigDecimal::from(1000)
            );
            (
                (
                    g["keys"][0].as_str().unwrap().to_owned(),
                    g["keys"][1].as_str().unwrap().to_owned(),
                ),
                (g["count"].as_u64().unwrap() as usize, mwh),
            )
        })
        .collect();
    assert_eq!(got, expected);

    // CSV: a header, one record per group, the total; parsed back.
    let out = desk
        .eacdesk()
        .args(["summary", "--by", "month,retired", "--csv"])
        .assert()
        .success();
    let records = parse_csv(&String::from_utf8(out.get_output().stdout.clone()).unwrap());
    assert_eq!(
        records[0],
        [
            "kind",
            "month",
            "retired",
            "eacs",
            "total_MWh",
            "quantity_Wh",
            "quantity_kWh",
            "quantity_MWh"
        ]
    );
    assert_eq!(records.len(), groups.len() + 2);
    for (record, g) in records[1..].iter().zip(groups) {
        assert_eq!(record[0], "group");
        assert_eq!(record[1], g["keys"][0].as_str().unwrap());
        assert_eq!(record[3], g["count"].to_string());
        assert_eq!(
            big(&record[4]) * BigDecimal::from(1000),
            big(g["total"]["total"].as_str().unwrap())
        );
    }
    let last = records.last().unwrap();
    assert_eq!((last[0].as_str(), last[3].as_str()), ("total", "50"));
    assert_eq!(
        big(&last[4]) * BigDecimal::from(1000),
        big(report["total"]["total"].as_str().unwrap())
    );
}

/// RFC 4180 records (quoted cells, doubled quotes, CRLF).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut cell));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => cell.push(c),
        }
    }
    assert!(
        cell.is_empty() && record.is_empty(),
        "a record without CRLF"
    );
    records
}

const HEADER: [&str; 26] = [
    "cds_eac_id",
    "eac_number",
    "technology_type",
    "period_start",
    "period_end",
    "issuance",
    "source_id",
    "source_name",
    "destination_id",
    "destination_name",
    "beneficiary_type",
    "beneficiaries",
    "retired_state",
    "value_count",
    "quantity_Wh",
    "quantity_kWh",
    "quantity_MWh",
    "total_MWh",
    "emissions_missing",
    "missing",
    "asset_id",
    "asset_commissioned",
    "emissions_factor_direct",
    "emissions_factor_lca",
    "cds_created",
    "cds_modified",
];

#[test]
fn ls_csv_writes_every_matching_row_with_exact_quantities() {
    let desk = sample_desk();
    let rows = listing(&desk, &["--sort", "quantity:desc"]);
    let out = desk
        .eacdesk()
        .args(["ls", "--csv", "--sort", "quantity:desc"])
        .assert()
        .success();
    let records = parse_csv(&String::from_utf8(out.get_output().stdout.clone()).unwrap());
    assert_eq!(records[0], HEADER);
    // Every matching row (more than the table's 50-row default would show
    // if there were more), in the sort order.
    let json_rows = rows["rows"].as_array().unwrap();
    assert_eq!(records.len() - 1, json_rows.len());
    assert_eq!(records.len() - 1, 50);
    for (record, row) in records[1..].iter().zip(json_rows) {
        assert_eq!(record[0], row["cds_eac_id"].as_str().unwrap());
        assert_eq!(record[3], row["period_start"].as_str().unwrap());
        assert_eq!(record[13], row["value_count"].to_string());
        for (i, unit) in ["Wh", "kWh", "MWh"].iter().enumerate() {
            let as_imported = row["quantities"]
                .as_array()
                .unwrap()
                .iter()
                .find(|q| q["unit"] == *unit)
                .map_or("", |q| q["total"].as_str().unwrap());
            // Exact text as imported, trailing zeros and all.
            assert_eq!(record[14 + i], as_imported);
        }
        assert_eq!(record[17], row["total"]["total"].as_str().unwrap());
        assert_eq!(big(&record[17]), sums(&row["quantities"]).1);
    }

    // A page when asked for one; a filter narrows it.
    let out = desk
        .eacdesk()
        .args([
            "ls",
            "--csv",
            "--limit",
            "3",
            "--offset",
            "2",
            "--sort",
            "quantity:desc",
        ])
        .assert()
        .success();
    let page = parse_csv(&String::from_utf8(out.get_output().stdout.clone()).unwrap());
    assert_eq!(page.len(), 4);
    assert_eq!(page[1..], records[3..6]);
    let out = desk
        .eacdesk()
        .args(["ls", "--csv", "--technology", "wind", "--unit", "kWh"])
        .assert()
        .success();
    let wind = parse_csv(&String::from_utf8(out.get_output().stdout.clone()).unwrap());
    assert_eq!(wind[0][17], "total_kWh");
    assert!(wind[1..].iter().all(|r| r[2] == "wind"));
    assert_eq!(
        wind.len() - 1,
        listing(&desk, &["--technology", "wind"])["rows"]
            .as_array()
            .unwrap()
            .len()
    );
}

/// The text of one part of an .xlsx (a zip of XML files).
fn xlsx_part(path: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

#[test]
fn ls_xlsx_is_a_real_workbook_that_keeps_every_exact_value() {
    let desk = sample_desk();
    let rows = listing(&desk, &["--technology", "solar"]);
    let json_rows = rows["rows"].as_array().unwrap();
    let dest = desk.path("solar.xlsx");
    desk.eacdesk()
        .args(["ls", "--technology", "solar", "--xlsx"])
        .arg(&dest)
        .assert()
        .success()
        .stdout(contains(format!(
            "(EACs with technology solar: {} EACs) · total {}",
            json_rows.len(),
            rows["summary"]["total"]["total"].as_str().unwrap()
        )));

    let mut book: Xlsx<_> = open_workbook(&dest).unwrap();
    assert_eq!(book.sheet_names(), ["EACs", "Filter and totals"]);
    let sheet = book.worksheet_range("EACs").unwrap();
    let cells: Vec<Vec<Data>> = sheet.rows().map(|r| r.to_vec()).collect();
    let header: Vec<String> = cells[0].iter().map(|c| c.to_string()).collect();
    assert_eq!(header[0], "cds_eac_id");
    assert_eq!(header[3], "period_start (UTC)");
    assert_eq!(header[17], "total_MWh");
    assert_eq!(header[18], "total_MWh_exact");
    assert_eq!(cells.len() - 1, json_rows.len());
    for (row, json) in cells[1..].iter().zip(json_rows) {
        assert_eq!(
            row[0],
            Data::String(json["cds_eac_id"].as_str().unwrap().into())
        );
        // Dates are date cells, at the instant the text says (UTC).
        let start = match &row[3] {
            Data::DateTime(d) => d.as_datetime().unwrap(),
            other => panic!("period_start is not a date: {other:?}"),
        };
        let expected = chrono::DateTime::parse_from_rfc3339(json["period_start"].as_str().unwrap())
            .unwrap()
            .naive_utc();
        assert_eq!(start, expected);
        assert!(matches!(row[5], Data::DateTime(_)), "issuance {:?}", row[5]);
        assert_eq!(row[13], Data::Float(json["value_count"].as_f64().unwrap()));
        // The total: a number a spreadsheet sums, and the exact text beside it.
        let exact = json["total"]["total"].as_str().unwrap();
        assert_eq!(row[18], Data::String(exact.into()));
        match row[17] {
            Data::Float(n) => assert_eq!(n, exact.parse::<f64>().unwrap()),
            ref other => panic!("total is not a number: {other:?}"),
        }
        // As imported, exact text per unit.
        for (i, unit) in ["Wh", "kWh", "MWh"].iter().enumerate() {
            let as_imported = json["quantities"]
                .as_array()
                .unwrap()
                .iter()
                .find(|q| q["unit"] == *unit)
                .map(|q| Data::String(q["total"].as_str().unwrap().into()))
                .unwrap_or(Data::Empty);
            assert_eq!(row[14 + i], as_imported);
        }
    }
    // Frozen header row and id column.
    let xml = xlsx_part(&dest, "xl/worksheets/sheet1.xml");
    assert!(
        xml.contains(r#"state="frozen""#),
        "{}",
        &xml[..xml.len().min(800)]
    );
    assert!(xml.contains(r#"topLeftCell="B2""#));

    // The second sheet: the filter in words and exact totals.
    let about = book.worksheet_range("Filter and totals").unwrap();
    let lines: Vec<(String, String)> = about
        .rows()
        .map(|r| {
            (
                r[0].to_string(),
                r.get(1).map(|c| c.to_string()).unwrap_or_default(),
            )
        })
        .collect();
    let find = |label: &str| {
        lines
            .iter()
            .find(|(l, _)| l == label)
            .unwrap_or_else(|| panic!("{label} in {lines:?}"))
            .1
            .clone()
    };
    assert_eq!(find("Rows"), "EACs with technology solar");
    assert_eq!(find("EACs"), json_rows.len().to_string());
    assert_eq!(
        find("Total (MWh, exact)"),
        rows["summary"]["total"]["total"].as_str().unwrap()
    );
    for t in rows["summary"]["totals"].as_array().unwrap() {
        assert_eq!(
            find(&format!(
                "Sum of {} values (exact)",
                t["unit"].as_str().unwrap()
            )),
            t["total"].as_str().unwrap()
        );
    }
}

#[test]
fn a_number_too_long_for_a_spreadsheet_keeps_its_exact_text_and_a_note() {
    let desk = Desk::new();
    let listing = std::fs::read_to_string(example("good-p1-mixed-order.json"))
        .unwrap()
        .replacen("\"value\": 30", "\"value\": 30.123456789012345678", 1);
    assert!(listing.contains("30.123456789012345678"));
    std::fs::write(desk.path("long.json"), listing).unwrap();
    desk.eacdesk()
        .args(["import", "long.json"])
        .assert()
        .success();
    let dest = desk.path("long.xlsx");
    desk.eacdesk()
        .args(["ls", "--xlsx"])
        .arg(&dest)
        .assert()
        .success()
        // The EAC's total and the grand total on the second sheet.
        .stdout(contains("2 numbers too long for a spreadsheet's 15 digits"))
        .stdout(contains("total 279.234456789012345678 MWh"));
    let mut book: Xlsx<_> = open_workbook(&dest).unwrap();
    let sheet = book.worksheet_range("EACs").unwrap();
    let row = sheet
        .rows()
        .find(|r| r[18] == Data::String("30.123456789012345678".into()))
        .expect("the exact text is kept");
    assert!(matches!(row[17], Data::Float(_)));
    let notes = xlsx_part(&dest, "xl/comments1.xml");
    assert!(
        notes.contains("The exact value is 30.123456789012345678 (next column)"),
        "{notes}"
    );
    let notes = xlsx_part(&dest, "xl/comments2.xml");
    assert!(
        notes.contains("The exact value is 279.234456789012345678 (the row above)"),
        "{notes}"
    );
}

#[test]
fn exports_refuse_the_database_and_bad_arguments_change_nothing() {
    let desk = sample_desk();
    let db = desk.path("desk.sqlite");
    let before = std::fs::read(&db).unwrap();
    desk.eacdesk()
        .args(["ls", "--xlsx"])
        .arg(&db)
        .assert()
        .code(2)
        .stderr(contains("desk.sqlite"));
    assert_eq!(std::fs::read(&db).unwrap(), before);
    desk.eacdesk()
        .args(["ls", "--unit", "GWh"])
        .assert()
        .code(2)
        .stderr(contains("`GWh` is not an energy unit; use Wh, kWh or MWh"));
    desk.eacdesk()
        .args(["summary", "--by", "technology,colour"])
        .assert()
        .code(2)
        .stderr(contains(
            "`colour` is not a summary key; use one of technology, year, quarter, month, source, retired",
        ));
    desk.eacdesk()
        .args(["ls", "--csv", "--json"])
        .assert()
        .code(2);
    // Nothing matches: an empty summary, exit 0.
    desk.eacdesk()
        .args(["summary", "--by", "year", "--search", "nothing like this"])
        .assert()
        .success()
        .stdout("No EACs match.\n");
}

/// `ls --csv --limit N` writes exactly N rows however many a screen page
/// holds (it wrote the store's page of 1000 without a word), from
/// `--offset` on.
/// The columns `ls --json` rows and the app's table have beyond the
/// first ones (asset, commissioning date, both emission factors, created
/// and modified) are in the CSV and the workbook too, after the columns
/// scripts already read: an auditor's spreadsheet said neither which plant
/// a certificate is from nor its emission factors, though `--help` said
/// "every column". Emission factors are their exact text, a missing one
/// (`TODO`) empty; the workbook's dates are date cells.
#[test]
fn ls_csv_and_xlsx_carry_the_asset_emission_factors_and_times_json_has() {
    let desk = Desk::new();
    let canonical =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/canonical-p1.json");
    desk.eacdesk()
        .arg("import")
        .arg(&canonical)
        .assert()
        .success();
    desk.import(&["bad-p1-todo-emissions.json"]);
    let json = listing(&desk, &[]);
    let json_rows = json["rows"].as_array().unwrap();
    let out = desk.eacdesk().args(["ls", "--csv"]).assert().success();
    let records = parse_csv(&String::from_utf8(out.get_output().stdout.clone()).unwrap());
    assert_eq!(records[0], HEADER);
    assert_eq!(records.len() - 1, json_rows.len());
    let new = [
        "asset_id",
        "asset_commissioned",
        "emissions_factor_direct",
        "emissions_factor_lca",
        "cds_created",
        "cds_modified",
    ];
    let at = |name: &str| HEADER.iter().position(|h| *h == name).unwrap();
    for (record, row) in records[1..].iter().zip(json_rows) {
        assert_eq!(record[0], row["cds_eac_id"].as_str().unwrap());
        for name in new {
            assert_eq!(
                record[at(name)],
                row[name].as_str().unwrap_or(""),
                "{name} of {}",
                record[0]
            );
        }
    }
    let by_id = |id: &str| records.iter().find(|r| r[0] == id).unwrap().clone();
    // Exact text as imported, never a float's.
    let canon_03 = by_id("canon-03");
    assert_eq!(canon_03[at("asset_id")], "AP111111");
    assert_eq!(canon_03[at("emissions_factor_direct")], "1.50E-2");
    assert_eq!(canon_03[at("emissions_factor_lca")], "0.041");
    assert_eq!(canon_03[at("cds_created")], "2024-02-10T00:00:00Z");
    assert_eq!(by_id("canon-01")[at("asset_commissioned")], "2019-06-30");
    // `TODO` is missing: empty, and said in emissions_missing.
    let todo = by_id("101010101-10");
    assert_eq!(todo[at("emissions_factor_direct")], "");
    assert_eq!(todo[at("emissions_factor_lca")], "");
    assert_eq!(todo[at("emissions_missing")], "true");

    let dest = desk.path("all.xlsx");
    desk.eacdesk()
        .args(["ls", "--xlsx"])
        .arg(&dest)
        .assert()
        .success();
    let mut book: Xlsx<_> = open_workbook(&dest).unwrap();
    let sheet = book.worksheet_range("EACs").unwrap();
    let cells: Vec<Vec<Data>> = sheet.rows().map(|r| r.to_vec()).collect();
    let header: Vec<String> = cells[0].iter().map(|c| c.to_string()).collect();
    // One column more than the CSV: the total's exact text after the total.
    assert_eq!(
        header[header.len() - 6..],
        [
            "asset_id",
            "asset_commissioned",
            "emissions_factor_direct",
            "emissions_factor_lca",
            "cds_created (UTC)",
            "cds_modified (UTC)",
        ]
    );
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = |id: &str| {
        cells
            .iter()
            .find(|r| r[0] == Data::String(id.into()))
            .unwrap()
            .clone()
    };
    let canon_01 = row("canon-01");
    match &canon_01[col("asset_commissioned")] {
        Data::DateTime(d) => assert_eq!(
            d.as_datetime().unwrap(),
            chrono::NaiveDate::from_ymd_opt(2019, 6, 30)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
        ),
        other => panic!("asset_commissioned is not a date: {other:?}"),
    }
    let canon_03 = row("canon-03");
    assert_eq!(canon_03[col("asset_id")], Data::String("AP111111".into()));
    assert_eq!(
        canon_03[col("emissions_factor_direct")],
        Data::String("1.50E-2".into())
    );
    for name in ["cds_created (UTC)", "cds_modified (UTC)"] {
        match &canon_03[col(name)] {
            Data::DateTime(d) => assert_eq!(
                d.as_datetime().unwrap(),
                chrono::NaiveDate::from_ymd_opt(2024, 2, 10)
                    .unwrap()
                    .and_hms_opt(0, 0, 0)
                    .unwrap()
            ),
            other => panic!("{name} is not a date-time: {other:?}"),
        }
    }
    assert_eq!(canon_03[col("asset_commissioned")], Data::Empty);
    let todo = row("101010101-10");
    assert_eq!(todo[col("emissions_factor_direct")], Data::Empty);
    assert_eq!(todo[col("emissions_factor_lca")], Data::Empty);
}

/// The "Filter and totals" sheet as (label, cell) pairs.
fn about_sheet(path: &Path) -> Vec<(String, Data)> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let about = book.worksheet_range("Filter and totals").unwrap();
    about
        .rows()
        .map(|r| (r[0].to_string(), r.get(1).cloned().unwrap_or(Data::Empty)))
        .collect()
}

/// A page of `ls --xlsx`/`--csv` (`--limit`, `--offset`) says its filter
/// and which rows of how many it holds, in the sort that picked them: it
/// was made an id list, which the workbook and the CLI line called "3
/// selected EACs", as if picked by hand. The sheet's EAC count is a number
/// cell, which a formula can use (it was text).
#[test]
fn a_paged_table_says_its_filter_and_which_rows_of_how_many() {
    let desk = sample_desk();
    let wind = listing(&desk, &["--technology", "wind"])["summary"]["count"]
        .as_u64()
        .unwrap();
    assert!(wind >= 5, "{wind}");
    let dest = desk.path("page.xlsx");
    let words = format!("rows 3–5 of {wind} EACs with technology wind, by quantity descending");
    desk.eacdesk()
        .args([
            "ls",
            "--technology",
            "wind",
            "--sort",
            "quantity:desc",
            "--limit",
            "3",
            "--offset",
            "2",
            "--xlsx",
        ])
        .arg(&dest)
        .assert()
        .success()
        .stdout(contains(format!("({words}: 3 EACs) · total ")))
        .stdout(contains("selected").not());
    let about = about_sheet(&dest);
    let find = |label: &str| {
        about
            .iter()
            .find(|(l, _)| l == label)
            .unwrap_or_else(|| panic!("{label} in {about:?}"))
            .1
            .clone()
    };
    assert_eq!(find("Rows"), Data::String(words));
    assert_eq!(find("EACs"), Data::Float(3.0));
    assert_eq!(find("Sort"), Data::String("quantity descending".into()));

    // --offset alone: to the end; one row; none past the end.
    let all = listing(&desk, &[])["summary"]["count"].as_u64().unwrap();
    for (args, rows) in [
        (
            vec!["--offset", "47"],
            format!("rows 48–{all} of {all} EACs, by eac_number ascending"),
        ),
        (
            vec!["--technology", "wind", "--limit", "1"],
            format!("row 1 of {wind} EACs with technology wind, by eac_number ascending"),
        ),
        (
            vec!["--offset", "500"],
            format!("no rows from row 501 on of {all} EACs, by eac_number ascending"),
        ),
    ] {
        desk.eacdesk()
            .args(["ls", "--xlsx"])
            .arg(&dest)
            .args(&args)
            .assert()
            .success()
            .stdout(contains(format!("({rows}: ")));
        assert_eq!(about_sheet(&dest)[1].1, Data::String(rows), "{args:?}");
    }
    // Without a page, the filter's words as before.
    desk.eacdesk()
        .args(["ls", "--technology", "wind", "--xlsx"])
        .arg(&dest)
        .assert()
        .success()
        .stdout(contains(format!(
            "(EACs with technology wind: {wind} EACs)"
        )));
}

/// An unfiltered table leaves out the EACs stored without values (they
/// have none to list): the workbook's sheet and stderr of `--csv` and
/// `--xlsx` say how many, as text `ls` counts them (decision 359); the
/// workbook said "every EAC in the database" and `--csv` nothing. A search
/// of nothing (`--search ''`) is no filter, in `ls`, `--json`, `--csv` and
/// the workbook alike (`ls` said the filters left them out while the
/// workbook said every EAC).
#[test]
fn an_unfiltered_table_says_the_eacs_stored_without_values_it_leaves_out() {
    let desk = sample_desk();
    desk.import(&["good-p2-meeting-0926.json"]);
    let with_values = listing(&desk, &[])["summary"]["count"].as_u64().unwrap();
    let said = format!(
        "{with_values} EACs with values; 4 EACs stored without values (envelope-only) are not \
         in this table (`eacdesk ls --envelope-only` lists them).\n"
    );
    for search in [None, Some(""), Some("  ")] {
        let search: Vec<&str> = search.map(|s| vec!["--search", s]).unwrap_or_default();
        let csv = desk
            .eacdesk()
            .args(["ls", "--csv"])
            .args(&search)
            .assert()
            .success()
            .stderr(said.clone());
        assert_eq!(
            stdout(&csv).lines().count() as u64,
            1 + with_values,
            "{search:?}"
        );
        let dest = desk.path("all.xlsx");
        desk.eacdesk()
            .args(["ls", "--xlsx"])
            .arg(&dest)
            .args(&search)
            .assert()
            .success()
            .stdout(contains(format!(
                "(every EAC with values: {with_values} EACs)"
            )))
            .stderr(said.clone());
        let about = about_sheet(&dest);
        assert_eq!(
            about[1..3],
            [
                ("Rows".into(), Data::String("every EAC with values".into())),
                (
                    "Not in this table".into(),
                    Data::String(
                        "4 EACs stored without values (envelope-only) are not in this table \
                         (`eacdesk ls --envelope-only` lists them)"
                            .into()
                    )
                ),
            ],
            "{search:?}"
        );
        // `ls` and `--json` count them as the export of no filter takes them.
        let json = listing(&desk, &search);
        assert_eq!(json["envelope_only"]["matching"], 4, "{search:?}");
        desk.eacdesk()
            .args(["ls", "--limit", "0"])
            .args(&search)
            .assert()
            .success()
            .stdout(contains("+ 4 EACs without values"));
    }
    // A filter never takes them: no word.
    desk.eacdesk()
        .args(["ls", "--csv", "--technology", "wind"])
        .assert()
        .success()
        .stderr("");
    // A page of no filter says which rows.
    desk.eacdesk()
        .args(["ls", "--csv", "--limit", "2"])
        .assert()
        .success()
        .stderr(format!(
            "rows 1–2 of {with_values} EACs with values, by eac_number ascending; 4 EACs stored \
             without values (envelope-only) are not in this table (`eacdesk ls --envelope-only` \
             lists them).\n"
        ));
}

#[test]
fn ls_csv_writes_every_row_a_limit_asks_for() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "1205", "--seed", "3"])
        .assert()
        .success();
    let rows = |args: &[&str]| -> usize {
        let out = desk
            .eacdesk()
            .args(["ls", "--csv"])
            .args(args)
            .assert()
            .success();
        String::from_utf8_lossy(&out.get_output().stdout)
            .lines()
            .count()
            - 1
    };
    assert_eq!(rows(&["--limit", "1100"]), 1100);
    assert_eq!(rows(&["--limit", "1100", "--offset", "200"]), 1005);
    assert_eq!(rows(&[]), 1205);
    assert_eq!(rows(&["--offset", "1200"]), 5);
}

/// A search text too long for SQLite's LIKE is refused in plain words by
/// every command that filters, before the database is read, never as a
/// damaged database; so is a period whose `--from` is after its `--to`
/// (both tester's findings).
#[test]
fn a_filter_that_cannot_be_asked_is_refused_in_plain_words() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "3"])
        .assert()
        .success();
    let long = "a".repeat(50_010);
    let out = desk.path("out");
    let commands: [&[&str]; 5] = [
        &["ls"],
        &["summary"],
        &["check"],
        &["pack", "--out", "out"],
        &["export", "--profile", "p1", "--out", "out"],
    ];
    for command in commands {
        desk.eacdesk()
            .args(command)
            .args(["--search", &long])
            .assert()
            .code(2)
            .stderr(contains(
                "--search: the search text is 50010 characters; at most 10000 are searched for",
            ))
            .stderr(contains("restore").not())
            .stderr(contains("database").not());
        assert!(!out.exists(), "{command:?} wrote nothing");
        desk.eacdesk()
            .args(command)
            .args(["--from", "2030-01-01", "--to", "2029-01-01"])
            .assert()
            .code(2)
            .stderr(contains(
                "--from 2030-01-01 is after --to 2029-01-01: no EAC's period could match",
            ));
        assert!(!out.exists(), "{command:?} wrote nothing");
    }
    // 10,000 characters are searched for (and find nothing here).
    let at_most = "a".repeat(10_000);
    let found = desk.json(&["ls", "--search", &at_most]);
    assert_eq!(found["summary"]["count"], 0);
    // One day is a period.
    desk.eacdesk()
        .args(["ls", "--from", "2024-01-01", "--to", "2024-01-01"])
        .assert()
        .success();
}

/// Tester 38, finding 6 (DECISION-A): `ls` wrote an exclusive end at
/// midnight as a bare date, so a quarter hour ending at 24:00 read as
/// running into the next day and a one-day EAC as two days. A period is
/// written as the claims' sentences write one (decision 297): whole UTC
/// days by their first and last day, both included; other spans by their
/// instants in UTC, the end said to be excluded.
#[test]
fn ls_never_writes_a_periods_end_as_a_day_it_does_not_include() {
    let desk = Desk::new();
    let edges = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/claims/edges.json")
        .display()
        .to_string();
    desk.eacdesk().args(["import", &edges]).assert().success();
    let out = desk.eacdesk().arg("ls").assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let period_of = |id: &str| {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{id} ")))
            .unwrap_or_else(|| panic!("{id} in {text}"));
        // The PERIOD column: after the id, the number and the technology.
        let at = line.find("wind").expect("the technology") + "wind".len();
        line[at..].trim_start().to_owned()
    };
    assert!(
        period_of("edge-q")
            .starts_with("2024-12-31 23:45 until 2025-01-01 00:00 UTC (end excluded)  "),
        "{text}"
    );
    assert!(
        period_of("edge-a").starts_with("2024-12-31 22:30 until 23:30 UTC (end excluded)  "),
        "{text}"
    );
    // One whole day: that day alone.
    assert!(period_of("edge-day").starts_with("2024-12-31  "), "{text}");
    assert!(!text.contains('→'), "{text}");
    assert!(!text.contains("2025-01-01  "), "{text}");
}

/// Every cell of the sheet `name` as its text, row by row.
fn sheet_text<R: std::io::Read + std::io::Seek>(
    book: &mut Xlsx<R>,
    name: &str,
) -> Vec<Vec<String>> {
    let sheet = book.worksheet_range(name).unwrap();
    sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// The monthly example as EACs `id_i` with beneficiary accounts `lists[i]`,
/// written to `name` in the desk's folder and imported.
fn import_beneficiaries(desk: &Desk, name: &str, lists: &[(&str, Vec<String>)]) {
    let doc = std::fs::read_to_string(example("good-p1-overview-monthly.json")).unwrap();
    let mut doc: Value = serde_json::from_str(&doc).unwrap();
    let one = doc["eacs"][0].clone();
    doc["eacs"] = lists
        .iter()
        .map(|(id, ids)| {
            let mut eac = one.clone();
            eac["cds_eac_id"] = (*id).into();
            eac["beneficiary_type"] = "account".into();
            eac["beneficiaries"] = ids.clone().into();
            eac
        })
        .collect();
    std::fs::write(desk.path(name), serde_json::to_string(&doc).unwrap()).unwrap();
    desk.eacdesk().args(["import", name]).assert().success();
}

/// Tester 39 (finding 1): eight beneficiary ids of 4,096 characters join
/// to a cell past a workbook cell's 32,767 characters. `ls --xlsx`
/// refused the whole workbook ("String exceeds Excel's limit"), naming
/// neither the EAC nor the column; now the cell is cut with a marker and
/// the sheet "Long cells" holds its whole text, and the report says so.
#[test]
fn ls_xlsx_cuts_a_cell_too_long_for_a_workbook_and_keeps_it_whole_on_a_sheet() {
    let desk = Desk::new();
    let long: Vec<String> = (0..8u8)
        .map(|i| char::from(b'A' + i).to_string().repeat(4096))
        .collect();
    let whole = long.join("; ");
    import_beneficiaries(
        &desk,
        "long.json",
        &[("long-1", long.clone()), ("short-1", vec!["ACC-1".into()])],
    );
    let dest = desk.path("view.xlsx");
    let out = desk
        .eacdesk()
        .args(["ls", "--xlsx"])
        .arg(&dest)
        .assert()
        .success();
    let said = stdout(&out);
    assert!(
        said.contains("1 cell longer than a spreadsheet cell holds (32,767 characters)")
            && said.contains("\"Long cells\""),
        "{said}"
    );
    let mut book: Xlsx<_> = open_workbook(&dest).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["EACs", "Filter and totals", "Long cells"]
    );
    let eacs = sheet_text(&mut book, "EACs");
    let at = eacs[0].iter().position(|h| h == "beneficiaries").unwrap();
    let cells: BTreeMap<&str, &str> = eacs[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[at].as_str()))
        .collect();
    assert_eq!(cells["short-1"], "ACC-1");
    let cut = cells["long-1"];
    assert!(cut.encode_utf16().count() <= 32_767, "{}", cut.len());
    let (start, marker) = cut.split_once(" … [cut").unwrap();
    assert!(whole.starts_with(start) && start.len() > 30_000);
    assert!(
        marker.contains(&format!("the whole {} characters", whole.len()))
            && marker.contains("\"Long cells\", rows 2–3"),
        "{marker}"
    );
    // The whole text, in parts joined in order, each a cell.
    let rows = sheet_text(&mut book, "Long cells");
    assert_eq!(rows[0], ["cds_eac_id", "column", "part", "text"]);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1][..3], ["long-1", "beneficiaries", "1 of 2"]);
    assert_eq!(rows[2][2], "2 of 2");
    assert_eq!(format!("{}{}", rows[1][3], rows[2][3]), whole);
    // A part ends after an id, not inside one.
    assert!(
        rows[1][3].ends_with("; "),
        "{}",
        &rows[1][3][rows[1][3].len() - 10..]
    );
    let about: Vec<String> = sheet_text(&mut book, "Filter and totals")
        .iter()
        .map(|r| r.join(" | "))
        .collect();
    assert!(
        about
            .iter()
            .any(|l| l.starts_with("Long cells | 1 cell longer")),
        "{about:?}"
    );
    // The CSV holds it whole.
    let out = desk.eacdesk().args(["ls", "--csv"]).assert().success();
    let records = parse_csv(&stdout(&out));
    let row = records.iter().find(|r| r[0] == "long-1").unwrap();
    assert_eq!(row[11], whole);
}

/// Tester 39 (finding 8): one beneficiary `A; B` was written as two,
/// `A` and `B` (`A; B` both). An id holding the joiner, a quote or white
/// space at an end is quoted, its quotes doubled, in the CSV and the
/// workbook alike.
#[test]
fn ls_csv_and_xlsx_tell_one_beneficiary_holding_the_joiner_from_two() {
    let desk = Desk::new();
    let ids = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    import_beneficiaries(
        &desk,
        "semi.json",
        &[
            ("e2", ids(&["A; B"])),
            ("e3", ids(&["A", "B"])),
            ("e4", ids(&["say \"hi\"", " lead", "C;D", "plain"])),
        ],
    );
    let expected = [
        ("e2", "\"A; B\""),
        ("e3", "A; B"),
        ("e4", "\"say \"\"hi\"\"\"; \" lead\"; \"C;D\"; plain"),
    ];
    let out = desk.eacdesk().args(["ls", "--csv"]).assert().success();
    let records = parse_csv(&stdout(&out));
    let cells: BTreeMap<&str, &str> = records[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[11].as_str()))
        .collect();
    assert_eq!(cells, BTreeMap::from(expected));
    let dest = desk.path("semi.xlsx");
    desk.eacdesk()
        .args(["ls", "--xlsx"])
        .arg(&dest)
        .assert()
        .success();
    let mut book: Xlsx<_> = open_workbook(&dest).unwrap();
    let sheet = sheet_text(&mut book, "EACs");
    let cells: BTreeMap<&str, &str> = sheet[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[11].as_str()))
        .collect();
    assert_eq!(cells, BTreeMap::from(expected));
}

/// A 4,096-character id padded every row of `ls`'s text table to its
/// width; a cell past 160 characters is cut as `audit`'s are, the table
/// says so and that `--json` has every value whole.
#[test]
fn the_ls_table_cuts_long_cells_and_json_keeps_them_whole() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    let doc = std::fs::read_to_string(example("good-p1-overview-monthly.json")).unwrap();
    let mut doc: Value = serde_json::from_str(&doc).unwrap();
    let long_id = "L".repeat(4096);
    let long_beneficiary = "B".repeat(300);
    doc["eacs"][0]["cds_eac_id"] = long_id.clone().into();
    doc["eacs"][0]["beneficiary_type"] = "account".into();
    doc["eacs"][0]["beneficiaries"] = vec![long_beneficiary.clone()].into();
    std::fs::write(desk.path("long.json"), serde_json::to_string(&doc).unwrap()).unwrap();
    desk.eacdesk()
        .args(["import", "long.json"])
        .assert()
        .success();
    let text = stdout(&desk.eacdesk().args(["ls"]).assert().success());
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines.iter().all(|l| l.chars().count() < 600),
        "{:?}",
        lines.iter().map(|l| l.chars().count()).collect::<Vec<_>>()
    );
    let row = lines
        .iter()
        .find(|l| l.starts_with('L'))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(row.starts_with(&format!("{}… ", "L".repeat(159))), "{row}");
    assert!(
        row.contains(&format!("account: {}…", "B".repeat(150))),
        "{row}"
    );
    assert!(!row.contains(&long_beneficiary), "{row}");
    assert!(
        text.contains(
            "\n2 cells longer than 160 characters are cut, ending in …; `eacdesk ls --json` with \
             the same options gives every value whole.\n"
        ),
        "{text}"
    );
    // --json keeps every value whole.
    let json = desk.json(&["ls"]);
    let rows = json["rows"].as_array().unwrap();
    let stored = rows
        .iter()
        .find(|r| r["cds_eac_id"] == long_id.as_str())
        .unwrap_or_else(|| panic!("{json}"));
    assert_eq!(stored["beneficiaries"][0], long_beneficiary.as_str());
    // Short cells are not cut and nothing is said.
    let short = stdout(
        &desk
            .eacdesk()
            .args(["ls", "--technology", "wind"])
            .assert()
            .success(),
    );
    assert!(!short.contains("cut"), "{short}");
}

/// Two EACs whose source, destination and beneficiary ids are the same
/// text, once with `É` as one character (NFC, as typed on a keyboard) and
/// once as `E` and a combining accent (NFD, as macOS saves text); `name`
/// is written into the source name of the first, to measure columns by.
fn twin_spellings(desk: &Desk, name: &str) -> PathBuf {
    // Numbers as written in the file (never through a float): a `#…#`
    // string below becomes the bare number after serializing.
    let one = |id: &str, e: &str, source_name: &str, value: &str| {
        serde_json::json!({
            "cds_eac_id": id,
            "cds_created": "2024-06-10T00:00:00Z",
            "cds_modified": "2024-06-10T00:00:00Z",
            "eac_number": id,
            "source_id": format!("R{e}G-{e}"),
            "source_name": source_name,
            "destination_id": format!("D{e}ST"),
            "destination_name": "Utility X",
            "beneficiary_type": "account",
            "beneficiaries": [format!("CLI{e}NT-1")],
            "asset_id": "AP1",
            "asset_origination": "grid",
            "asset_destination": "grid",
            "technology_type": "solar",
            "emissions_factor_direct": "#0#",
            "emissions_factor_lca": "#0.011#",
            "period_start": "2024-05-01T00:00:00Z",
            "period_end": "2024-06-01T00:00:00Z",
            "values": [{
                "eac_number": null, "issued": "2024-06-10", "retired": null,
                "start": "2024-05-01T00:00:00Z", "end": "2024-06-01T00:00:00Z",
                "unit": "MWh", "value": format!("#{value}#")
            }]
        })
    };
    let listing = serde_json::json!({ "eacs": [
        one("nfd-E\u{301}nergie-1", "E\u{301}", name, "10.5"),
        one("nfc-\u{c9}nergie-2", "\u{c9}", "R\u{e9}gie \u{c9}lectrique", "0.25"),
    ]});
    let path = desk.path("twins.json");
    let text = listing.to_string().replace("\"#", "").replace("#\"", "");
    std::fs::write(&path, text).unwrap();
    desk.eacdesk().arg("import").arg(&path).assert().success();
    path
}

/// Tester 42 (TAB42), finding 4: an id typed as a keyboard writes it and
/// the same id saved by macOS were two ids to `--source`, `--destination`,
/// `--where`/`--exclude` and `show`, and `summary --by source` printed two
/// groups under one label. Each now finds both spellings; `summary` adds
/// them up in one group; `show` shows the one EAC so spelt, saying so.
#[test]
fn one_id_typed_in_either_unicode_form_is_one_id() {
    let desk = Desk::new();
    twin_spellings(&desk, "R\u{e9}gie \u{c9}lectrique");
    let both = ["nfd-E\u{301}nergie-1", "nfc-\u{c9}nergie-2"];
    for e in ["\u{c9}", "E\u{301}"] {
        let mut expected = both.to_vec();
        expected.sort();
        let sorted = |mut ids: Vec<String>| {
            ids.sort();
            ids
        };
        assert_eq!(
            sorted(desk.ids(&["--source", &format!("R{e}G-{e}")])),
            expected
        );
        assert_eq!(
            sorted(desk.ids(&["--destination", &format!("D{e}ST")])),
            expected
        );
        assert_eq!(
            sorted(desk.ids(&["--where", &format!("beneficiary=CLI{e}NT-1")])),
            expected
        );
        assert!(desk
            .ids(&["--exclude", &format!("source=R{e}G-{e}")])
            .is_empty());
        let listing = desk.json(&["ls", "--source", &format!("R{e}G-{e}")]);
        assert_eq!(listing["summary"]["count"], 2);
    }
    let summary = desk.json(&["summary", "--by", "source"]);
    let groups = summary["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{summary}");
    assert_eq!(groups[0]["count"], 2);
    assert_eq!(groups[0]["totals"][0]["total"], "10.75");
    // Typed on a keyboard (NFC), stored by macOS (NFD): shown, with a note.
    let out = desk
        .eacdesk()
        .args(["show", "nfd-\u{c9}nergie-1"])
        .assert()
        .success();
    assert!(stdout(&out)
        .lines()
        .any(|l| l.starts_with("cds_eac_id ") && l.ends_with(" nfd-E\u{301}nergie-1")));
    assert!(
        stderr(&out).contains("no EAC has the id `nfd-\u{c9}nergie-1` as typed; showing"),
        "{}",
        stderr(&out)
    );
    let shown = desk.json(&["show", "nfd-\u{c9}nergie-1"]);
    assert_eq!(shown["cds_eac_id"], "nfd-E\u{301}nergie-1");
    desk.eacdesk()
        .args(["show", "nfd-Energie-1"])
        .assert()
        .code(2)
        .stderr(contains("There is no EAC with id `nfd-Energie-1`"));
}

/// Tester 42 (TAB42), finding 8: a cell's width was counted in
/// characters, so a CJK name or an emoji (two columns each) pushed the
/// later columns right and an NFD name (a combining accent takes none)
/// pulled them left. Every row's columns now start where the header's do.
#[test]
fn wide_and_combining_characters_keep_the_columns_in_line() {
    let desk = Desk::new();
    twin_spellings(
        &desk,
        "Re\u{301}gie \u{98a8}\u{529b}\u{767a}\u{96fb} \u{26a1}",
    );
    let column_of = |line: &str, at: usize| -> usize {
        // Terminal columns before byte `at`.
        line[..at]
            .chars()
            .map(|c| match c {
                '\u{301}' => 0,
                '\u{98a8}' | '\u{529b}' | '\u{767a}' | '\u{96fb}' | '\u{26a1}' => 2,
                _ => 1,
            })
            .sum()
    };
    let out = desk.eacdesk().args(["ls"]).assert().success();
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().take(3).collect();
    let header = column_of(lines[0], lines[0].find("DESTINATION").unwrap());
    for line in &lines[1..] {
        assert_eq!(
            column_of(line, line.find("Utility X").unwrap()),
            header,
            "{text}"
        );
    }
}
