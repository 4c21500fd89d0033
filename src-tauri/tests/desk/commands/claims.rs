//! Claims (issue 15) through the commands the Claims view calls: the
//! consumption and EACs of `tests/fixtures/claims`, whose hand-computed
//! hourly claim is in its README. Every figure crosses as exact text.

use serde_json::{json, Value};

use super::desk;

fn fixture(name: &str) -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/claims")
        .join(name)
        .display()
        .to_string()
}

fn hourly() -> Value {
    json!({
        "beneficiary_type": "account",
        "beneficiaries": ["acc-1"],
        "from": "2024-06-01",
        "to": "2024-06-01",
        "granularity": "hourly",
        "market": "NO",
        "bidding_zone": "NO1",
        "unit": "MWh",
        "only_passing": null,
    })
}

fn claim_desk() -> super::Desk {
    let desk = desk();
    let eacs = desk.ok(
        "import_files",
        json!({ "op_id": "eacs", "paths": [fixture("eacs.json")] }),
    );
    assert_eq!(eacs["files"][0]["outcome"], "imported", "{eacs}");
    let done = desk.ok(
        "import_consumption",
        json!({ "op_id": "c", "path": fixture("consumption.csv") }),
    );
    assert_eq!(done["rows"], 3);
    assert_eq!(done["beneficiaries"], json!(["account acc-1"]));
    desk
}

#[test]
fn a_broken_consumption_file_is_refused_with_located_problems() {
    let desk = desk();
    let e = desk.err(
        "import_consumption",
        json!({ "op_id": "c", "path": fixture("broken.csv") }),
    );
    assert_eq!(e["code"], "validation");
    let violations = e["details"]["violations"].as_array().unwrap();
    assert!(violations.len() >= 3, "{e}");
    assert!(violations.iter().all(|v| v["line"].is_number()), "{e}");
    assert_eq!(desk.ok("consumption_groups", json!({})), json!([]));
}

#[test]
fn the_report_gives_the_hand_computed_figures_as_text() {
    let desk = claim_desk();
    let groups = desk.ok("consumption_groups", json!({}));
    assert_eq!(groups[0]["beneficiary"], "acc-1");
    assert_eq!(groups[0]["rows"], 3);
    assert_eq!(groups[0]["total_mwh"], "0.01");
    assert_eq!(groups[0]["first_start"], "2024-06-01T10:00:00Z");
    assert_eq!(groups[0]["last_end"], "2024-06-01T13:00:00Z");

    for (kind, factor) in [("residual_mix", "0.4"), ("grid", "0.02")] {
        desk.ok(
            "set_factor",
            json!({ "market": "NO", "kind": kind, "year": 2024, "tco2e_per_mwh": factor,
                    "source": "test figures", "reason": "FY2024" }),
        );
    }
    assert_eq!(desk.ok("factors", json!({})).as_array().unwrap().len(), 2);
    let r = desk.ok(
        "claim_report",
        json!({ "input": hourly(), "claim_id": null, "rules": [] }),
    );
    assert_eq!(r["consumption"], "0.01");
    assert_eq!(r["matched"], "0.008");
    assert_eq!(r["coverage_percent"], "80.0000");
    assert_eq!(r["market_based_tco2e"], "0.0008");
    assert_eq!(r["location_based_tco2e"], "0.0002");
    assert_eq!(r["residual_mix_factor"]["tco2e_per_mwh"], "0.4");
    assert_eq!(r["hourly"]["hours_fully_covered"], 2);
    assert!(r["intervals"].as_array().unwrap().len() >= 3);
    assert!(r["months"][0]["matched"].is_string());
    // The criteria: gc-old fails RE100's plant age, with its reason.
    let old = r["check"]["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["cds_eac_id"] == "gc-old")
        .unwrap();
    assert_eq!(old["verdict"], "fail");
    assert!(old["quantity"].is_string());
    let age = old["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["criterion"] == "re100.age")
        .unwrap();
    assert_eq!(age["verdict"], "fail");
    assert!(age["reason"].as_str().unwrap().contains("2000-01-01"));

    // One rule set: only its criteria.
    let check = &desk.ok(
        "claim_report",
        json!({ "input": hourly(), "claim_id": null, "rules": ["energytag"] }),
    )["check"];
    assert!(check["values"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["rule_set"] == "energytag"));

    // Neither a claim nor a number: said in words.
    let e = desk.err(
        "claim_report",
        json!({ "input": null, "claim_id": null, "rules": [] }),
    );
    assert_eq!(e["code"], "invalid_input");
}

#[test]
fn a_recorded_claim_is_reported_exported_and_blocks_deleting_its_consumption() {
    let desk = claim_desk();
    let c = desk.ok(
        "create_claim",
        json!({ "name": "June", "input": hourly(), "reason": "FY2024 filing" }),
    );
    assert_eq!(c["allocation_count"], 3);
    let id = c["id"].clone();
    assert_eq!(desk.ok("claims", json!({}))[0]["name"], "June");
    let r = desk.ok(
        "claim_report",
        json!({ "input": null, "claim_id": id, "rules": [] }),
    );
    assert_eq!(r["claim_id"], id);
    assert_eq!(r["matched"], "0.008");
    assert_eq!(r["check"]["claimed_elsewhere"], json!([]));

    // A factor entered after the claim was recorded: the recorded claim
    // keeps none (decision 273), the result names it and its report says
    // so, naming the factor entered since.
    let set = desk.ok(
        "set_factor",
        json!({ "market": "NO", "kind": "grid", "year": 2024, "tco2e_per_mwh": "0.02",
                "source": "NVE", "reason": "FY2024" }),
    );
    assert_eq!(set["factor"]["tco2e_per_mwh"], "0.02", "{set}");
    // Each with its sentence in the words `claims factor set` prints.
    assert_eq!(
        set["recorded_claims"],
        json!([{ "claim_id": id, "claim_name": "June", "kind": "grid", "recorded": true,
                 "tco2e_per_mwh": null, "source": null,
                 "text": format!("Recorded claim #{id} (June) keeps no grid factor: none had been \
                                  entered when it was recorded. Delete it and record it again to \
                                  use this one.") }])
    );
    let r = desk.ok(
        "claim_report",
        json!({ "input": null, "claim_id": id, "rules": [] }),
    );
    assert_eq!(r["location_based_tco2e"], Value::Null, "{r}");
    assert!(
        r["missing"].as_array().unwrap().iter().any(|m| m
            .as_str()
            .unwrap()
            .contains("one has been entered since (0.02 tCO2e/MWh, NVE)")),
        "{r}"
    );

    // The same consumption again: refused (each hour is claimed once), and
    // the check of the claim given in full names the recorded claim.
    let e = desk.err(
        "create_claim",
        json!({ "name": "June again", "input": hourly(), "reason": "FY2024 filing" }),
    );
    // The stored data breaks a rule of claims (as `claims check` finds it).
    assert_eq!(e["code"], "validation", "{e}");
    let said = e["message"].as_str().unwrap();
    assert!(
        said.contains("Consumption already claimed: account `acc-1`"),
        "{e}"
    );
    // In the app's words: where to delete the claim, not a command.
    assert!(
        said.contains("Delete that claim first (Claims → Delete…)"),
        "{e}"
    );
    assert_eq!(desk.ok("claims", json!({})).as_array().unwrap().len(), 1);
    let check = &desk.ok(
        "claim_report",
        json!({ "input": hourly(), "claim_id": null, "rules": [] }),
    )["check"];
    let clash = &check["claimed_elsewhere"][0];
    assert_eq!(clash["claim_id"], id, "{check}");
    assert_eq!(clash["claim_name"], "June");
    assert_eq!(clash["rows"], 3);
    assert_eq!(clash["start"], "2024-06-01T10:00:00Z");
    assert_eq!(clash["end"], "2024-06-01T13:00:00Z");
    // Its line as `claims check` prints it: the end said to be excluded.
    assert_eq!(
        clash["text"],
        format!(
            "account `acc-1` 2024-06-01 10:00 until 13:00 UTC (end excluded), 3 rows, by \
             recorded claim #{id} (June)"
        )
    );

    let out = desk.dir.path().join("june.csv");
    desk.ok(
        "export_claim_report",
        json!({ "input": null, "claim_id": id, "rules": [], "path": out }),
    );
    let csv = std::fs::read_to_string(&out).unwrap();
    // CRLF, as every CSV of EAC Desk (TAB42 finding 6).
    assert_eq!(csv.matches('\n').count(), csv.matches("\r\n").count());
    let csv = csv.replace("\r\n", "\n");
    assert!(csv.contains("coverage_percent,80.0000\n"), "{csv}");
    // It was recorded with no factors: none in the CSV, and `missing`
    // says why, as the report does.
    assert!(
        csv.contains("\nresidual_mix_factor_tco2e_per_mwh,\n"),
        "{csv}"
    );
    assert!(csv.contains("\ngrid_factor_tco2e_per_mwh,\n"), "{csv}");
    assert!(
        csv.contains("\nmissing,\"location-based emissions: no grid factor for market NO"),
        "{csv}"
    );

    let delete = json!({ "beneficiary_type": "account", "beneficiary": "acc-1",
                         "reason": "corrected file" });
    let e = desk.err("delete_consumption", delete.clone());
    assert_eq!(e["code"], "conflict");
    desk.ok("delete_claim", json!({ "id": id, "reason": "redo" }));
    let gone = desk.ok("delete_consumption", delete);
    assert_eq!(gone["rows"], 3);
    assert_eq!(desk.ok("consumption_groups", json!({})), json!([]));
    let log = desk.ok("audit_log", json!({ "cds_eac_id": null }));
    assert_eq!(log[0]["action"], "consumption_delete");
    assert!(log[0]["problem"].is_null(), "{}", log[0]);
}

/// Every sentence the Claims view shows about a claim (each criterion's
/// reason, what the report could not compute, a refusal) names the
/// claim form's fields, never a command-line option or command: a claim
/// with no market or bidding zone, annual, and recorded.
#[test]
fn the_claims_view_never_names_a_command_line_option() {
    let desk = claim_desk();
    let bare = json!({
        "beneficiary_type": "account",
        "beneficiaries": ["acc-1"],
        "from": "2024-06-01",
        "to": "2024-06-01",
        "granularity": "annual",
        "market": null,
        "bidding_zone": null,
        "unit": "MWh",
        "only_passing": null,
    });
    let cli_words = |text: &str| text.contains("--") || text.contains("eacdesk");
    let mut sentences: Vec<String> = Vec::new();
    let mut said = |r: &Value| {
        for v in r["check"]["values"].as_array().unwrap() {
            for c in v["results"].as_array().unwrap() {
                sentences.push(c["reason"].as_str().unwrap().to_owned());
            }
        }
        for m in r["missing"].as_array().unwrap() {
            sentences.push(m.as_str().unwrap().to_owned());
        }
    };
    let checked = desk.ok(
        "claim_report",
        json!({ "input": bare, "claim_id": null, "rules": [] }),
    );
    said(&checked);
    let c = desk.ok(
        "create_claim",
        json!({ "name": "June", "input": bare, "reason": "FY2024 filing" }),
    );
    let recorded = desk.ok(
        "claim_report",
        json!({ "input": null, "claim_id": c["id"], "rules": [] }),
    );
    said(&recorded);
    assert!(
        sentences
            .iter()
            .any(|s| s.contains("“Market” in the claim form")),
        "{sentences:#?}"
    );
    assert!(
        sentences
            .iter()
            .any(|s| s.contains("“Bidding zone” in the claim form")),
        "{sentences:#?}"
    );
    let leaked: Vec<&String> = sentences.iter().filter(|s| cli_words(s)).collect();
    assert!(leaked.is_empty(), "{leaked:#?}");

    // Refusals of what the form gives (a day JavaScript took and Rust does
    // not) name its fields too.
    for (from, to) in [("2024-02-30", "2024-03-01"), ("2024-03-01", "2024-02-01")] {
        let mut input = bare.clone();
        input["from"] = json!(from);
        input["to"] = json!(to);
        let e = desk.err(
            "claim_report",
            json!({ "input": input, "claim_id": null, "rules": [] }),
        );
        let message = e["message"].as_str().unwrap();
        assert!(!cli_words(message), "{e}");
        assert!(message.contains("“First day”"), "{e}");
    }
}

/// "Not counted in these figures" (decision 407) through the command the
/// Claims view calls: `tests/fixtures/claims/edges.*` (README) give account
/// acc-6's 2024-12-31 in local time, whose first row lies before the UTC
/// day, and two retired values crossing a clock hour's edge. The report of
/// the claim given in full and of the recorded claim name both, in the
/// app's words (the criteria table, not `eacdesk claims check`), and a
/// claim of the file's whole days names nothing.
#[test]
fn the_report_says_what_its_figures_leave_out() {
    let desk = desk();
    let eacs = desk.ok(
        "import_files",
        json!({ "op_id": "eacs", "paths": [fixture("edges.json")] }),
    );
    assert_eq!(eacs["files"][0]["outcome"], "imported", "{eacs}");
    desk.ok(
        "import_consumption",
        json!({ "op_id": "c", "path": fixture("edges.csv") }),
    );
    let claim = |from: &str| {
        json!({
            "beneficiary_type": "account",
            "beneficiaries": ["acc-6"],
            "from": from,
            "to": "2024-12-31",
            "granularity": "hourly",
            "market": "GB",
            "bidding_zone": "GB",
            "unit": "MWh",
            "only_passing": null,
        })
    };
    let said = |r: &Value| -> Vec<String> {
        r["not_counted"]
            .as_array()
            .unwrap_or_else(|| panic!("{r}"))
            .iter()
            .map(|l| l.as_str().unwrap().to_owned())
            .collect()
    };
    let rows = format!(
        "consumption: 1 row of account `acc-6` in {} lies outside the period (2024-12-31, UTC \
         days): 1 before it (2024-12-30 23:00 until 2024-12-31 00:00 UTC (end excluded))",
        fixture("edges.csv")
    );
    let hours = "hourly matching: 2 retired EAC values of account `acc-6` in the period (10 MWh) \
                 cross the edge of a clock hour (UTC) without covering a whole hour, so they \
                 back no hour and are in neither matched nor surplus: edge-a value 1";
    let given = desk.ok(
        "claim_report",
        json!({ "input": claim("2024-12-31"), "claim_id": null, "rules": [] }),
    );
    // The other two rows are counted: 20 MWh, not 21; edge-q backs hour 23.
    assert_eq!(given["consumption"], "20", "{given}");
    assert_eq!(given["matched"], "1", "{given}");
    let lines = said(&given);
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(lines[0].starts_with(&rows), "{lines:#?}");
    assert!(lines[1].starts_with(hours), "{lines:#?}");
    assert!(
        lines[1].contains("the criteria table below lists them (“Failures only”)"),
        "{lines:#?}"
    );
    assert!(lines.iter().all(|l| !l.contains("eacdesk")), "{lines:#?}");

    // Recorded, its report names them too (it never allocated edge-a/b).
    let c = desk.ok(
        "create_claim",
        json!({ "name": "New Year's Eve", "input": claim("2024-12-31"), "reason": "FY2024" }),
    );
    let recorded = desk.ok(
        "claim_report",
        json!({ "input": null, "claim_id": c["id"], "rules": [] }),
    );
    assert_eq!(said(&recorded), lines, "{recorded}");

    // A claim of the file's whole days leaves no row out; the values that
    // back no hour are still named.
    let whole = desk.ok(
        "claim_report",
        json!({ "input": claim("2024-12-30"), "claim_id": null, "rules": [] }),
    );
    let lines = said(&whole);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(lines[0].starts_with(hours), "{lines:#?}");
}
