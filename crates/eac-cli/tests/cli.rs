//! The `eacdesk` binary on a database in a temporary folder: what a person
//! typing the commands sees (output, exit code, files).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::{contains, is_match};
use serde_json::Value;

#[path = "cli/history.rs"]
mod history;

fn example(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/spec-examples")
        .join(name)
        .display()
        .to_string()
}

/// A temporary folder with its own database.
struct Desk {
    dir: tempfile::TempDir,
}

impl Desk {
    fn new() -> Self {
        Desk {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn eacdesk(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_eacdesk"));
        cmd.env_remove("EACDESK_DB")
            .current_dir(self.dir.path())
            .arg("--db")
            .arg(self.path("desk.sqlite"));
        cmd
    }

    fn import(&self, names: &[&str]) {
        let files: Vec<String> = names.iter().map(|n| example(n)).collect();
        self.eacdesk().arg("import").args(files).assert().success();
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.eacdesk().args(args).arg("--json").assert().success();
        serde_json::from_slice(&out.get_output().stdout).unwrap()
    }

    fn ids(&self, args: &[&str]) -> Vec<String> {
        let listing = self.json(&[&["ls"], args].concat());
        listing["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["cds_eac_id"].as_str().unwrap().to_owned())
            .collect()
    }

    fn count(&self) -> u64 {
        self.json(&["ls"])["summary"]["count"].as_u64().unwrap()
    }
}

#[test]
fn good_examples_import_and_reimport_skips() {
    let desk = Desk::new();
    for (name, added) in [
        ("good-p1-mixed-order.json", 7),
        ("good-p1-overview-endpoint.json", 1),
        ("good-p1-overview-monthly.json", 1),
    ] {
        desk.eacdesk()
            .args(["import", &example(name)])
            .assert()
            .success()
            .stdout(contains(format!(
                "{name}: {added} added, 0 replaced, 0 skipped"
            )));
    }
    assert_eq!(desk.count(), 9);
    desk.eacdesk()
        .args(["import", &example("good-p1-mixed-order.json")])
        .assert()
        .success()
        .stdout(contains("0 added, 0 replaced, 7 skipped"));
}

#[test]
fn malformed_file_is_refused_with_a_located_error_and_nothing_written() {
    let desk = Desk::new();
    desk.import(&["good-p1-overview-monthly.json"]);
    desk.eacdesk()
        .args(["import", &example("bad-p1-overview-not-json.json")])
        .assert()
        .code(1)
        .stderr(contains(
            "Nothing was imported from ".to_owned()
                + &example("bad-p1-overview-not-json.json")
                + ": 1 rule violation",
        ))
        .stderr(is_match(r"bad-p1-overview-not-json\.json:\d+:\d+: error \(rule 20\)").unwrap());
    assert_eq!(desk.count(), 1);

    // The good file of the same run is still imported.
    desk.eacdesk()
        .args([
            "import",
            &example("bad-p1-overview-not-json.json"),
            &example("good-p1-mixed-order.json"),
        ])
        .assert()
        .code(1)
        .stdout(contains("7 added"))
        .stdout(contains("1 of 2 files imported."));
    assert_eq!(desk.count(), 8);
}

#[test]
fn todo_emission_factors_import_with_a_warning_but_block_export() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["import", &example("bad-p1-todo-emissions.json")])
        .assert()
        .success()
        .stdout(contains("1 added"))
        .stderr(contains("warning (rule 6)"));
    let out = desk.path("out.json");
    desk.eacdesk()
        .args(["export", "--profile", "p1", "--out"])
        .arg(&out)
        .assert()
        .code(1)
        .stderr(contains("Nothing was exported"))
        .stderr(contains("error (rule 6)"))
        .stderr(contains("[EAC 101010101-10]"));
    assert!(!out.exists());
}

#[test]
fn ls_filters_sorts_pages_and_totals() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json", "good-p1-overview-monthly.json"]);

    // Default order is the listing order; totals of the filtered set at the bottom.
    desk.eacdesk()
        .args(["ls"])
        .assert()
        .success()
        .stdout(is_match(r"(?m)^CDS_EAC_ID\s+EAC_NUMBER").unwrap())
        .stdout(contains(
            "Showing 1–8 of 8 EACs matching · total 580.0 kWh + 279.111000 MWh",
        ));
    desk.eacdesk()
        .args(["ls", "--technology", "hydro"])
        .assert()
        .success()
        .stdout(contains("e-03"))
        .stdout(contains("e-01").not())
        .stdout(contains("of 1 EAC matching · total 30 MWh"));

    assert_eq!(desk.ids(&["--technology", "hydro"]), ["e-03"]);
    assert_eq!(desk.ids(&["--beneficiary-type", "general"]), ["e-03"]);
    assert_eq!(desk.ids(&["--search", "acc-2"]), ["e-02"]);
    assert_eq!(desk.ids(&["--retired", "partly"]), Vec::<String>::new());
    assert_eq!(
        desk.ids(&["--sort", "quantity:desc", "--limit", "1"]),
        ["e-04"]
    );
    assert_eq!(
        desk.ids(&["--sort", "cds_eac_id", "--limit", "2", "--offset", "1"]),
        ["e-01", "e-02"]
    );
    assert_eq!(
        desk.ids(&["--sort", "cds_eac_id:desc", "--source", "101010101-10aaa"]),
        ["99999999-dk3"]
    );
    let listing = desk.json(&["ls", "--limit", "2"]);
    assert_eq!(listing["rows"].as_array().unwrap().len(), 2);
    assert_eq!(listing["summary"]["count"], 8);
    assert_eq!(listing["rows"][0]["quantities"][0]["total"], "30");

    desk.eacdesk()
        .args(["ls", "--technology", "nuclear"])
        .assert()
        .success()
        .stdout("No EACs match.\n");
}

#[test]
fn show_prints_every_field_and_the_values() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    desk.eacdesk()
        .args(["show", "e-04"])
        .assert()
        .success()
        .stdout(is_match(r"(?m)^eac_number\s+PJM-2024-01$").unwrap())
        .stdout(is_match(r"(?m)^asset_commissioned\s+2019-06-30$").unwrap())
        .stdout(contains("2 values:"))
        .stdout(contains("45.106820  MWh"))
        .stdout(contains("99.111000 MWh"));
    let detail = desk.json(&["show", "e-04"]);
    assert_eq!(detail["cds_eac_id"], "e-04");
    assert_eq!(detail["values"][0]["value"], "45.106820");
    desk.eacdesk()
        .args(["show", "no-such-eac"])
        .assert()
        .code(2)
        .stderr(contains("no EAC with id `no-such-eac`"));
}

#[test]
fn beneficiary_edits_are_checked_and_audited() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);

    desk.eacdesk()
        .args([
            "beneficiaries",
            "set",
            "e-01",
            "--type",
            "account",
            "--id",
            "ACC-9",
        ])
        .args(["--id", "ACC-10", "--reason", "contract signed"])
        .assert()
        .success()
        .stdout(contains(
            "Changed the beneficiaries of e-01: rateplan: GreenChoice → account: ACC-9, ACC-10",
        ));
    let detail = desk.json(&["show", "e-01"]);
    assert_eq!(detail["beneficiary_type"], "account");
    assert_eq!(
        detail["beneficiaries"],
        serde_json::json!(["ACC-9", "ACC-10"])
    );

    // No reason: a usage error, nothing changes.
    desk.eacdesk()
        .args(["beneficiaries", "set", "e-02", "--type", "general"])
        .assert()
        .code(2)
        .stderr(contains("--reason"));
    // `general` takes no ids: a rule, nothing changes.
    desk.eacdesk()
        .args([
            "beneficiaries",
            "set",
            "e-02",
            "--type",
            "general",
            "--id",
            "X",
        ])
        .args(["--reason", "oops"])
        .assert()
        .code(1)
        .stderr(contains("rule 4"));
    assert_eq!(desk.json(&["show", "e-02"])["beneficiary_type"], "account");

    // Bulk: says how many match, then how many changed.
    desk.eacdesk()
        .args([
            "beneficiaries",
            "set",
            "--all-matching",
            "--technology",
            "wind",
        ])
        .args([
            "--type",
            "program",
            "--id",
            "PRG-1",
            "--reason",
            "green program",
        ])
        .assert()
        .success()
        .stdout(contains("6 EACs match; setting them to program: PRG-1."))
        .stdout(contains(
            "Changed 6 EACs (0 already had these beneficiaries).",
        ));
    assert_eq!(desk.ids(&["--search", "PRG-1"]).len(), 6);
    desk.eacdesk()
        .args([
            "beneficiaries",
            "set",
            "--all-matching",
            "--technology",
            "wind",
        ])
        .args(["--type", "program", "--id", "PRG-1", "--reason", "again"])
        .assert()
        .success()
        .stdout(contains(
            "Changed 0 EACs (6 already had these beneficiaries).",
        ));
    // One id and filters together make no sense.
    desk.eacdesk()
        .args(["beneficiaries", "set", "e-01", "--technology", "wind"])
        .args(["--type", "general", "--reason", "x"])
        .assert()
        .code(2);

    desk.eacdesk()
        .args(["audit"])
        .assert()
        .success()
        .stdout(contains("green program"))
        .stdout(contains("contract signed"));
    let records = desk.json(&["audit", "e-01"]);
    let reasons: Vec<&str> = records
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["green program", "contract signed"]);
    desk.eacdesk()
        .args(["audit", "e-03"])
        .assert()
        .success()
        .stdout("No changes recorded for e-03.\n");
}

fn sha256_of(path: &Path) -> String {
    let out = std::process::Command::new("sha256sum").arg(path).output();
    match out {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout)[..64].to_owned(),
        _ => String::new(),
    }
}

#[test]
fn export_writes_a_file_that_validates() {
    let desk = Desk::new();
    desk.import(&[
        "good-p1-mixed-order.json",
        "good-p1-overview-monthly.json",
        "good-p1-overview-endpoint.json",
    ]);
    let out = desk.path("export.json");
    let run = desk
        .eacdesk()
        .args(["export", "--profile", "p1", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(contains("Exported 9 EACs (39 values) to"))
        .stdout(is_match(r"SHA-256: [0-9a-f]{64}").unwrap());
    let stdout = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    let sha = sha256_of(&out);
    if !sha.is_empty() {
        assert!(stdout.contains(&sha), "{stdout}");
    }
    desk.eacdesk()
        .args(["validate", "--profile", "p1"])
        .arg(&out)
        .assert()
        .success()
        .stdout(contains("valid for profile P1"));

    // Filters narrow the export.
    let wind = desk.path("wind.json");
    desk.eacdesk()
        .args(["export", "--profile", "p1", "--technology", "wind", "--out"])
        .arg(&wind)
        .assert()
        .success()
        .stdout(contains("Exported 6 EACs"));
    // P2 writes a bundle folder that `validate --profile p2` accepts.
    let bundle = desk.path("bundle");
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out"])
        .arg(&bundle)
        .assert()
        .success()
        .stdout(contains("as a P2 bundle"));
    assert!(bundle.join("eacs.json").is_file());
    assert!(bundle.join("server-metadata.json").is_file());
    desk.eacdesk()
        .args(["validate", "--profile", "p2"])
        .arg(&bundle)
        .assert()
        .success()
        .stdout(contains("valid for profile P2"));
    // An https base goes into every URL; a non-https one is refused.
    desk.eacdesk()
        .args([
            "export",
            "--profile",
            "p2",
            "--base-url",
            "https://example.org/eac",
            "--out",
        ])
        .arg(&bundle)
        .assert()
        .success();
    let listing = std::fs::read_to_string(bundle.join("eacs.json")).unwrap();
    assert!(listing.contains("\"eac_data_url\": \"https://example.org/eac/eacs/"));
    desk.eacdesk()
        .args([
            "export",
            "--profile",
            "p2",
            "--base-url",
            "http://example.org/",
            "--out",
        ])
        .arg(desk.path("other"))
        .assert()
        .code(2)
        .stderr(contains("https://"));
    assert!(!desk.path("other").exists());
}

#[test]
fn verify_sets_cds_synced() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["import", &example("good-p1-overview-endpoint.json")])
        .assert()
        .success();
    let bundle = desk.path("b1");
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out"])
        .arg(&bundle)
        .assert()
        .success();
    let before = std::fs::read_to_string(bundle.join("eacs.json")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    desk.eacdesk()
        .args(["verify", "--all-matching"])
        .assert()
        .success()
        .stdout(contains("Marked 1 EAC as verified"));
    desk.eacdesk()
        .args(["verify", "no-such-eac"])
        .assert()
        .failure();
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out"])
        .arg(&bundle)
        .assert()
        .success();
    let after = std::fs::read_to_string(bundle.join("eacs.json")).unwrap();
    let synced = |t: &str| {
        let v: serde_json::Value = serde_json::from_str(t).unwrap();
        v["eacs"][0]["cds_synced"].as_str().unwrap().to_owned()
    };
    assert!(synced(&after) > synced(&before), "{before}\n{after}");
    // The bundle imports into a new database.
    let other = Desk::new();
    other
        .eacdesk()
        .arg("import")
        .arg(&bundle)
        .assert()
        .success()
        .stdout(contains("1 added"));
}

#[test]
fn validate_lists_located_violations_and_a_verdict() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["validate", "--profile", "p1", &example("bad-p1-todo-emissions.json")])
        .assert()
        .code(1)
        .stdout(is_match(
            r"bad-p1-todo-emissions\.json: error \(rule 6\) at /eacs/0/emissions_factor_direct \[EAC 101010101-10\]: ",
        )
        .unwrap())
        .stdout(contains("not valid for profile P1: 2 errors, 0 warnings"));
    desk.eacdesk()
        .args([
            "validate",
            "--profile",
            "p1",
            &example("bad-p1-overview-not-json.json"),
        ])
        .assert()
        .code(1)
        .stdout(is_match(r"json:\d+:\d+: error \(rule 20\)").unwrap());

    // Warnings alone do not fail a file.
    let text = std::fs::read_to_string(example("good-p1-overview-endpoint.json")).unwrap();
    let warned = desk.path("warned.json");
    std::fs::write(&warned, text.replace("\"CUST123\"", "")).unwrap();
    desk.eacdesk()
        .args(["validate", "--profile", "p1"])
        .arg(&warned)
        .assert()
        .success()
        .stdout(contains("warning (rule 22)"))
        .stdout(contains("valid for profile P1, with 1 warning"));

    let out = desk
        .eacdesk()
        .args([
            "validate",
            "--profile",
            "p1",
            "--json",
            &example("bad-p1-todo-emissions.json"),
        ])
        .assert()
        .code(1);
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(report["errors"].as_array().unwrap().len(), 2);
    assert_eq!(report["errors"][0]["rule"], 6);
    desk.eacdesk()
        .args(["validate", "--profile", "p1", "missing.json"])
        .assert()
        .code(2)
        .stderr(contains("missing.json"));
}

#[test]
fn sample_fills_the_database_or_writes_a_valid_file() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "25", "--seed", "7"])
        .assert()
        .success()
        .stdout(contains("Loaded 25 sample EACs (seed 7)"))
        .stdout(contains("25 added"));
    assert_eq!(desk.count(), 25);

    let file = desk.path("sample.json");
    desk.eacdesk()
        .args(["sample", "--eacs", "40", "--out"])
        .arg(&file)
        .assert()
        .success()
        .stdout(contains("Wrote 40 sample EACs"));
    desk.eacdesk()
        .args(["validate", "--profile", "p1"])
        .arg(&file)
        .assert()
        .success();
    // Writing a file leaves the database alone.
    assert_eq!(desk.count(), 25);
    desk.eacdesk()
        .args(["sample", "--eacs", "0"])
        .assert()
        .code(2);
}

#[test]
fn sample_file_survives_import_and_export_byte_for_byte() {
    let desk = Desk::new();
    let generated = desk.path("generated.json");
    let exported = desk.path("exported.json");
    desk.eacdesk()
        .args(["sample", "--eacs", "150", "--seed", "3", "--out"])
        .arg(&generated)
        .assert()
        .success();
    desk.eacdesk()
        .arg("import")
        .arg(&generated)
        .assert()
        .success()
        .stdout(contains("150 added"));
    desk.eacdesk()
        .args(["export", "--profile", "p1", "--out"])
        .arg(&exported)
        .assert()
        .success();
    assert!(std::fs::read(&generated).unwrap() == std::fs::read(&exported).unwrap());
}

#[test]
fn database_comes_from_the_environment_without_db() {
    let desk = Desk::new();
    let db = desk.path("from-env/desk.sqlite");
    Command::new(env!("CARGO_BIN_EXE_eacdesk"))
        .env("EACDESK_DB", &db)
        .args(["sample", "--eacs", "3"])
        .assert()
        .success();
    assert!(db.exists());
}

#[test]
fn usage_errors_exit_2() {
    let desk = Desk::new();
    for args in [
        &["frobnicate"][..],
        &["ls", "--colour"],
        &["ls", "--retired", "maybe"],
        &["ls", "--sort", "size"],
        &["ls", "--from", "2024-13-01"],
        &["import"],
        &["export", "--out", "x.json"],
        &["beneficiaries", "set", "--type", "general", "--reason", "x"],
    ] {
        desk.eacdesk().args(args).assert().code(2);
    }
}

#[test]
fn envelope_only_eacs_block_p1_and_export_as_p2() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["import", &example("good-p2-meeting-0926.json")])
        .assert()
        .success()
        .stdout(contains("4 added"));
    desk.eacdesk()
        .args(["export", "--profile", "p1", "--out", "x.json"])
        .assert()
        .code(1)
        .stderr(contains(
            "x.json: error (rule 16) at /values [EAC 99999999-dk1]",
        ))
        .stderr(contains("envelope-only"));
    assert!(!desk.path("x.json").exists());
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out", "b"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["validate", "--profile", "p2", "b"])
        .assert()
        .success();
}
