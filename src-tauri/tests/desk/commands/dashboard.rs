//! One-unit totals, the summary dashboard and the table export (issue 13)
//! through the commands the app calls, on a real store with sample data.

use serde_json::{json, Value};

use super::desk;

/// Exact decimal text as (digits, scale) with value = digits × 10^-scale.
fn parse(text: &str) -> (i128, u32) {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    let digits: i128 = format!("{int}{frac}").parse().expect(text);
    (digits, frac.len() as u32)
}

/// `a` and `b` (exact texts) are the same number once `a` is multiplied by 10^`shift`.
fn same_shifted(a: &str, shift: u32, b: &str) -> bool {
    let (da, sa) = parse(a);
    let (db, sb) = parse(b);
    // da × 10^(shift − sa) == db × 10^(−sb)  ⇔  da × 10^(shift + sb) == db × 10^sa
    da * 10i128.pow(shift + sb) == db * 10i128.pow(sa)
}

/// Exact sum of decimal texts, as (digits, scale).
fn sum(texts: &[String]) -> (i128, u32) {
    let scale = texts.iter().map(|t| parse(t).1).max().unwrap_or(0);
    let digits = texts
        .iter()
        .map(|t| {
            let (d, s) = parse(t);
            d * 10i128.pow(scale - s)
        })
        .sum();
    (digits, scale)
}

fn same(a: (i128, u32), b: (i128, u32)) -> bool {
    let scale = a.1.max(b.1);
    a.0 * 10i128.pow(scale - a.1) == b.0 * 10i128.pow(scale - b.1)
}

#[test]
fn the_summary_total_is_one_exact_total_in_the_chosen_unit() {
    let desk = desk();
    desk.load_sample(30);
    let total_in = |unit: &str| desk.ok("summary", json!({ "filter": {}, "by": [], "unit": unit }));
    let (mwh, wh, kwh) = (total_in("MWh"), total_in("Wh"), total_in("kWh"));
    let counted = desk.ok("browse_summary", json!({ "filter": {} }));
    assert_eq!(mwh["count"], 30);
    assert_eq!(mwh["count"], counted["count"]);
    // The breakdown is the per-unit sums the footer showed before.
    assert_eq!(mwh["totals"], counted["totals"]);
    assert_eq!(mwh["total"]["unit"], "MWh");
    assert_eq!(mwh["total"]["decimals"], 3);
    assert_eq!(wh["total"]["decimals"], 0);
    let text = |v: &Value| v["total"]["total"].as_str().unwrap().to_owned();
    // The same energy in each unit, exactly: MWh × 10^6 = Wh, kWh × 10^3 = Wh.
    assert!(same_shifted(&text(&mwh), 6, &text(&wh)), "{mwh} vs {wh}");
    assert!(same_shifted(&text(&kwh), 3, &text(&wh)), "{kwh} vs {wh}");
    // An unknown unit is refused before any work.
    assert!(desk
        .invoke("summary", json!({ "filter": {}, "by": [], "unit": "GWh" }))
        .is_err());
}

#[test]
fn summary_groups_add_up_and_a_group_filters_to_its_eacs() {
    let desk = desk();
    desk.load_sample(40);
    let report = desk.ok(
        "summary",
        json!({ "filter": {}, "by": ["technology", "year"], "unit": "MWh" }),
    );
    assert_eq!(report["count"], 40);
    let groups = report["groups"].as_array().unwrap();
    assert!(!groups.is_empty());
    let totals: Vec<String> = groups
        .iter()
        .map(|g| g["total"]["total"].as_str().unwrap().to_owned())
        .collect();
    // The groups split the grand total exactly.
    assert!(same(
        sum(&totals),
        parse(report["total"]["total"].as_str().unwrap())
    ));
    // One technology's groups hold exactly the total of the table filtered to it.
    let tech = groups[0]["keys"][0].as_str().unwrap().to_owned();
    let of_tech: Vec<String> = groups
        .iter()
        .filter(|g| g["keys"][0] == json!(tech))
        .map(|g| g["total"]["total"].as_str().unwrap().to_owned())
        .collect();
    let filtered = desk.ok(
        "summary",
        json!({ "filter": { "technology": tech }, "by": [], "unit": "MWh" }),
    );
    assert!(same(
        sum(&of_tech),
        parse(filtered["total"]["total"].as_str().unwrap())
    ));
}

#[test]
fn the_table_view_exports_to_csv_and_xlsx() {
    let desk = desk();
    desk.load_sample(12);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("table.csv");
    let view = json!({
        "filter": {},
        "sort": { "field": "eac_number", "descending": false },
        "ids": null,
        "unit": "MWh",
    });
    let report = desk.ok(
        "export_table",
        json!({ "op_id": "t", "view": view, "format": "csv", "path": csv }),
    );
    assert_eq!(report["rows"], 12);
    assert_eq!(report["format"], "csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    // A header row and one line per EAC.
    assert_eq!(text.lines().count(), 13, "{text}");

    let xlsx = dir.path().join("table.xlsx");
    let report = desk.ok(
        "export_table",
        json!({ "op_id": "x", "view": view, "format": "xlsx", "path": xlsx }),
    );
    assert_eq!(report["rows"], 12);
    // An Office Open XML workbook is a zip file.
    assert_eq!(&std::fs::read(&xlsx).unwrap()[..2], b"PK");

    // Over the database itself: refused, the database still reads.
    let db = desk.ok("db_info", json!({}))["path"].clone();
    assert!(desk
        .invoke(
            "export_table",
            json!({ "op_id": "y", "view": view, "format": "csv", "path": db }),
        )
        .is_err());
    assert_eq!(
        desk.ok("browse_summary", json!({ "filter": {} }))["count"],
        12
    );
}
