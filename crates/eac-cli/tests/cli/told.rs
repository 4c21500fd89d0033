//! What the CLI says agrees with what it does (tester report 35): EACs
//! stored without values are counted where an export takes them, a
//! re-import that differs from what is stored says so, an import
//! replacement's audit shows the values it changed, and a dry run warns as
//! the change would.

use std::path::PathBuf;

use predicates::prelude::*;
use predicates::str::contains;
use serde_json::{json, Value};

use super::Desk;

fn write(desk: &Desk, name: &str, doc: &Value) -> PathBuf {
    let path = desk.path(name);
    std::fs::write(&path, serde_json::to_string_pretty(doc).unwrap()).unwrap();
    path
}

fn listing(items: Vec<Value>) -> Value {
    json!({"eacs": items, "next": null, "previous": null})
}

/// A P1 EAC with one value of `value` kWh, modified at `modified`.
fn eac(id: &str, modified: &str, technology: &str, value: Value) -> Value {
    json!({
        "cds_eac_id": id, "cds_created": "2024-01-01T00:00:00Z",
        "cds_modified": modified, "eac_number": "N1",
        "source_id": "S", "source_name": "S", "destination_id": "D", "destination_name": "D",
        "beneficiary_type": "account", "beneficiaries": ["A1"], "asset_id": "A",
        "asset_origination": "grid", "asset_destination": "grid", "technology_type": technology,
        "emissions_factor_direct": 0, "emissions_factor_lca": 0,
        "period_start": "2024-01-01T00:00:00Z", "period_end": "2024-02-01T00:00:00Z",
        "values": [{"eac_number": null, "issued": "2024-02-05", "retired": null,
                    "start": null, "end": null, "unit": "kWh", "value": value}]
    })
}

/// The text `args` print on stdout (the command must succeed).
fn stdout(desk: &Desk, args: &[&str]) -> String {
    let out = desk.eacdesk().args(args).assert().success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

/// Two EACs with values and one stored by its P2 envelope only.
fn desk_with_an_envelope() -> Desk {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "2"])
        .assert()
        .success();
    let envelope = json!({
        "cds_eac_id": "ENV-1", "cds_created": "2024-01-01T00:00:00Z",
        "cds_modified": "2024-01-02T00:00:00Z", "cds_synced": "2024-01-03T00:00:00Z",
        "beneficiary_type": "account", "beneficiaries": ["A1"], "eac_numbers": ["EN-1"],
        "eac_format": "other_fmt", "eac_data_url": "https://example.org/x/1",
        "period_start": "2024-01-01T00:00:00Z", "period_end": "2024-02-01T00:00:00Z"
    });
    let file = write(&desk, "env.json", &listing(vec![envelope]));
    desk.eacdesk()
        .arg("import")
        .arg(&file)
        .assert()
        .success()
        .stdout(contains("1 added"));
    desk
}

/// `ls --envelope-only` cuts a cell past 160 characters as `ls` does,
/// says so and that `--json` has it whole, and writes a beneficiary id
/// holding a comma in quotes (one id, not two).
#[test]
fn the_envelope_only_table_cuts_long_cells_and_quotes_ids() {
    let desk = Desk::new();
    let url = format!("https://example.org/{}", "x".repeat(300));
    let envelope = json!({
        "cds_eac_id": "ENV-2", "cds_created": "2024-01-01T00:00:00Z",
        "cds_modified": "2024-01-02T00:00:00Z", "cds_synced": "2024-01-03T00:00:00Z",
        "beneficiary_type": "account", "beneficiaries": ["A, B", "C"], "eac_numbers": ["EN-2"],
        "eac_format": "other_fmt", "eac_data_url": url,
        "period_start": "2024-01-01T00:00:00Z", "period_end": "2024-02-01T00:00:00Z"
    });
    let file = write(&desk, "env.json", &listing(vec![envelope]));
    desk.eacdesk().arg("import").arg(&file).assert().success();
    let listed = stdout(&desk, &["ls", "--envelope-only"]);
    let row = listed
        .lines()
        .find(|l| l.starts_with("ENV-2"))
        .unwrap_or_else(|| panic!("{listed}"));
    assert!(row.contains("account: \"A, B\", C"), "{row}");
    assert!(row.contains(&format!("{}…", &url[..159])), "{row}");
    assert!(!row.contains(&url), "{row}");
    assert!(
        listed.contains(
            "\n1 cell longer than 160 characters is cut, ending in …; `eacdesk ls \
             --envelope-only --json` with the same options gives every value whole.\n"
        ),
        "{listed}"
    );
    let json = desk.json(&["ls", "--envelope-only"]);
    assert_eq!(json["rows"][0]["eac_data_url"], url.as_str(), "{json}");
    assert_eq!(
        json["rows"][0]["beneficiaries"],
        json!(["A, B", "C"]),
        "{json}"
    );
}

/// Finding 1: `ls` and `summary` count what an export of the same filter
/// writes, saying how many of those have no values and how to list them;
/// `show` shows such an EAC and edits say what it is.
#[test]
fn eacs_without_values_are_counted_listed_and_shown() {
    let desk = desk_with_an_envelope();

    // What an unfiltered export writes: 3 EACs.
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out", "b"])
        .assert()
        .success()
        .stdout(contains("Exported 3 EACs"));

    let ls = stdout(&desk, &["ls"]);
    assert!(ls.contains("of 2 EACs matching"), "{ls}");
    assert!(ls.contains("+ 1 EAC without values (envelope-only"), "{ls}");
    assert!(ls.contains("`eacdesk ls --envelope-only` lists it"), "{ls}");
    let json = desk.json(&["ls"]);
    let (count, matching) = (
        json["summary"]["count"].as_u64().unwrap(),
        json["envelope_only"]["matching"].as_u64().unwrap(),
    );
    assert_eq!((count, matching), (2, 1), "{json}");
    assert_eq!(json["envelope_only"]["stored"], 1);

    let summary = stdout(&desk, &["summary"]);
    assert!(
        summary.contains("+ 1 EAC without values (envelope-only"),
        "{summary}"
    );
    let json = desk.json(&["summary"]);
    assert_eq!(json["count"], 2, "{json}");
    assert_eq!(json["envelope_only"]["matching"], 1, "{json}");

    // A filter leaves it out, as a filtered export does, and says so.
    let searched = stdout(&desk, &["ls", "--search", "ENV-1"]);
    assert!(searched.contains("No EACs match."), "{searched}");
    assert!(
        searched.contains("The filters leave out the 1 EAC stored without values"),
        "{searched}"
    );
    let json = desk.json(&["ls", "--search", "ENV-1"]);
    assert_eq!(json["envelope_only"]["matching"], 0, "{json}");
    assert_eq!(json["envelope_only"]["stored"], 1, "{json}");
    let json = desk.json(&["summary", "--technology", "solar"]);
    assert_eq!(json["envelope_only"]["matching"], 0, "{json}");

    // Listed on their own.
    let listed = stdout(&desk, &["ls", "--envelope-only"]);
    assert!(listed.contains("ENV-1"), "{listed}");
    assert!(listed.contains("other_fmt"), "{listed}");
    assert!(
        listed.contains("Showing 1–1 of 1 EAC without values."),
        "{listed}"
    );
    let json = desk.json(&["ls", "--envelope-only"]);
    assert_eq!(json["count"], 1, "{json}");
    assert_eq!(json["rows"][0]["cds_eac_id"], "ENV-1", "{json}");
    desk.eacdesk()
        .args(["ls", "--envelope-only", "--search", "x"])
        .assert()
        .code(2)
        .stderr(contains("filters do not apply to EACs without values"));

    // `show` shows it, with why it has no values.
    let shown = stdout(&desk, &["show", "ENV-1"]);
    for text in [
        "eac_format",
        "other_fmt",
        "https://example.org/x/1",
        "none (envelope-only)",
        "a format EAC Desk does not read (other_fmt)",
        "import its full data",
    ] {
        assert!(shown.contains(text), "{text}: {shown}");
    }
    let json = desk.json(&["show", "ENV-1"]);
    assert_eq!(json["envelope_only"], true, "{json}");
    assert_eq!(json["values"], json!([]), "{json}");
    assert_eq!(json["eac_numbers"], json!(["EN-1"]), "{json}");
    // An id the database does not hold is still said to be missing.
    desk.eacdesk()
        .args(["show", "NOPE"])
        .assert()
        .failure()
        .stderr(contains("There is no EAC with id `NOPE`"));

    // Every edit says what it is instead of "there is no EAC".
    for args in [
        &["set", "ENV-1", "destination_id=D", "--reason", "r"][..],
        &[
            "beneficiaries",
            "set",
            "ENV-1",
            "--type",
            "account",
            "--id",
            "A2",
            "--reason",
            "r",
        ],
        &[
            "set-emissions",
            "ENV-1",
            "--direct",
            "1",
            "--lca",
            "1",
            "--reason",
            "r",
        ],
    ] {
        desk.eacdesk()
            .args(args)
            .assert()
            .failure()
            .stderr(contains("`ENV-1` is known only by its P2 envelope"))
            .stderr(contains("There is no EAC").not());
    }
}

/// Finding 8: a dry run of `beneficiaries set` warns of an id the
/// reference data does not hold, as the change itself does.
#[test]
fn a_dry_run_warns_of_unknown_ids_as_the_change_does() {
    let desk = Desk::new();
    let file = write(
        &desk,
        "one.json",
        &listing(vec![eac("E1", "2024-01-02T00:00:00Z", "solar", json!(1))]),
    );
    desk.eacdesk().arg("import").arg(&file).assert().success();
    let accounts = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/refdata/accounts-2024.json");
    desk.eacdesk()
        .args(["refdata", "import"])
        .arg(&accounts)
        .assert()
        .success();
    let set = ["beneficiaries", "set", "--type", "account", "--id", "ACC-X"];
    for target in [&["E1"][..], &["--all-matching"]] {
        desk.eacdesk()
            .args(set)
            .args(target)
            .args(["--reason", "t", "--dry-run"])
            .assert()
            .success()
            .stderr(contains(
                "warning: `ACC-X` is not in the imported account reference data (it would be \
                 saved anyway; check the id)",
            ));
    }
    desk.eacdesk()
        .args(set)
        .args(["E1", "--reason", "t"])
        .assert()
        .success()
        .stderr(contains(
            "warning: `ACC-X` is not in the imported account reference data (saved anyway; \
             check the id)",
        ));
}

/// Finding 7: `audit` of an import replacement shows the quantity it
/// changed, and `--json` gives the states before and after as written.
#[test]
fn the_audit_of_an_import_replacement_shows_the_values_it_changed() {
    let desk = Desk::new();
    let one = write(
        &desk,
        "one.json",
        &listing(vec![eac("E1", "2024-01-02T00:00:00Z", "solar", json!(1e3))]),
    );
    // `json!(1e3)` writes 1000.0: the literal as the tester wrote it.
    let text = std::fs::read_to_string(&one)
        .unwrap()
        .replace("1000.0", "1e3");
    std::fs::write(&one, text).unwrap();
    let newer = write(
        &desk,
        "newer.json",
        &listing(vec![eac("E1", "2024-01-03T00:00:00Z", "solar", json!(1))]),
    );
    let text = std::fs::read_to_string(&newer)
        .unwrap()
        .replace("\"value\": 1\n", "\"value\": 2.50\n");
    std::fs::write(&newer, text).unwrap();
    desk.eacdesk().arg("import").arg(&one).assert().success();
    desk.eacdesk()
        .arg("import")
        .arg(&newer)
        .assert()
        .success()
        .stdout(contains("1 replaced"));
    let audit = stdout(&desk, &["audit", "E1"]);
    assert!(
        audit.contains("newer.json): cds_modified; value 1: 1e3 kWh → 2.50 kWh"),
        "{audit}"
    );
    let out = desk
        .eacdesk()
        .args(["audit", "E1", "--json"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    // The states keep the literals as written.
    assert!(text.contains(r#""unit":"kWh","value":1e3}"#), "{text}");
    assert!(text.contains(r#""unit":"kWh","value":2.50}"#), "{text}");
    let json: Value = serde_json::from_str(&text).unwrap();
    let record = &json[0];
    assert_eq!(
        record["before_state"]["data"]["cds_modified"],
        "2024-01-02T00:00:00Z"
    );
    assert_eq!(
        record["after_state"]["data"]["cds_modified"],
        "2024-01-03T00:00:00Z"
    );
    let change = record["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "value 1")
        .unwrap();
    assert_eq!(
        (&change["before"], &change["after"]),
        (&json!("1e3 kWh"), &json!("2.50 kWh"))
    );
}

/// Finding 6: a file giving a stored EAC's `cds_modified` but other
/// content is skipped saying so (text, `--json`), while the same file
/// again is skipped without a word.
#[test]
fn a_reimport_stating_an_eac_differently_with_its_cds_modified_says_so() {
    let desk = Desk::new();
    let stamp = "2024-01-02T00:00:00Z";
    let one = write(
        &desk,
        "one.json",
        &listing(vec![eac("E1", stamp, "solar", json!(1000))]),
    );
    let same_stamp = write(
        &desk,
        "same-stamp.json",
        &listing(vec![eac("E1", stamp, "wind", json!(999))]),
    );
    desk.eacdesk().arg("import").arg(&one).assert().success();
    desk.eacdesk()
        .arg("import")
        .arg(&same_stamp)
        .assert()
        .success()
        .stdout(contains(
            "same-stamp.json: 0 added, 0 replaced, 1 skipped (1 differs)",
        ))
        .stderr(contains(
            "warning [EAC E1]: EAC `E1` is stored with the same `cds_modified` \
             (2024-01-02T00:00:00Z) as this file gives, but the file states it differently \
             (technology_type, values): the stored EAC is kept",
        ));
    let json = desk.json(&["import", same_stamp.to_str().unwrap()]);
    let file = &json["files"][0];
    assert_eq!(
        (&file["skipped"], &file["skipped_differing"]),
        (&json!(1), &json!(1))
    );
    assert_eq!(file["warnings"][0]["cds_eac_id"], "E1", "{json}");
    // Kept as stored.
    assert_eq!(desk.json(&["show", "E1"])["technology_type"], "solar");
    // The file that stored it: skipped without a word.
    desk.eacdesk()
        .arg("import")
        .arg(&one)
        .assert()
        .success()
        .stdout(contains("one.json: 0 added, 0 replaced, 1 skipped\n"))
        .stderr(contains("warning").not());
}

/// Tester 41 (REG), finding 7: `--search` finds an EAC of a registry
/// statement by the names the statement gives it, its station and its
/// holder (decision 442), not only by numbers and ids.
#[test]
fn search_finds_registry_eacs_by_station_and_holder() {
    let desk = Desk::new();
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../eac-registry/tests/fixtures/ofgem/certificates-sample.csv");
    desk.eacdesk().arg("import").arg(&sample).assert().success();
    let ids = |query: &str| -> Vec<String> {
        let json = desk.json(&["ls", "--search", query]);
        json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["cds_eac_id"].as_str().unwrap().to_owned())
            .collect()
    };
    let walney = ids("walney EXTENSION");
    assert!(!walney.is_empty());
    assert!(
        walney.iter().all(|id| id.contains("G01177FWEN")),
        "{walney:?}"
    );
    let supplier = ids("Drax Energy Solutions");
    assert!(!supplier.is_empty());
    assert!(
        supplier.iter().all(|id| id.contains("G01821BWEN")),
        "{supplier:?}"
    );
    assert!(ids("no such station anywhere").is_empty());
}
