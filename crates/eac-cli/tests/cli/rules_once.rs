//! What the user sees of the digest's rules on the real binary (session 34
//! tester's report, bugs 2–8): import, validate and export agree, each
//! violation is listed once at its place (decisions 11, 18, 58, 281), and
//! `set issued=` says what it did.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;
use serde_json::{json, Value};

use super::Desk;

/// Writes `doc` as `name` in the desk's folder (pretty, as people hand
/// files around).
fn write(desk: &Desk, name: &str, doc: &Value) -> PathBuf {
    let path = desk.path(name);
    std::fs::write(&path, serde_json::to_string_pretty(doc).unwrap()).unwrap();
    path
}

/// The exit code and output (stdout then stderr) of `cmd`.
fn run(mut cmd: Command) -> (i32, String) {
    let out = cmd.output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap(), text)
}

/// `validate --profile P` of `path`: its exit code and output.
fn validate(desk: &Desk, profile: &str, path: &Path) -> (i32, String) {
    let mut cmd = desk.eacdesk();
    cmd.args(["validate", "--profile", profile]).arg(path);
    run(cmd)
}

/// `import` of `path`: its exit code and output.
fn import_file(desk: &Desk, path: &Path) -> (i32, String) {
    let mut cmd = desk.eacdesk();
    cmd.arg("import").arg(path);
    run(cmd)
}

/// The EACs stored (none when no database was made).
fn stored(desk: &Desk) -> u64 {
    match desk.path("desk.sqlite").exists() {
        true => desk.count(),
        false => 0,
    }
}

/// The findings of an output as `rule pointer`, in order.
fn found(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let (_, rest) = line.split_once(" (rule ")?;
            let (rule, rest) = rest.split_once(')')?;
            let pointer = rest
                .strip_prefix(" at ")
                .map_or("", |r| r.split([' ', ':']).next().unwrap_or(""));
            Some(format!("{rule} {pointer}"))
        })
        .collect()
}

fn eac(id: &str, beneficiary_type: &str) -> Value {
    json!({
        "cds_eac_id": id, "cds_created": "2024-01-01T00:00:00Z",
        "cds_modified": "2024-01-02T00:00:00Z", "eac_number": "N1",
        "source_id": "S", "source_name": "S", "destination_id": "D", "destination_name": "D",
        "beneficiary_type": beneficiary_type, "beneficiaries": ["A1"], "asset_id": "A",
        "asset_origination": "grid", "asset_destination": "grid", "technology_type": "solar",
        "emissions_factor_direct": 0, "emissions_factor_lca": 0,
        "period_start": "2024-01-01T00:00:00Z", "period_end": "2024-02-01T00:00:00Z",
        "values": [{"eac_number": null, "issued": "2024-02-05", "retired": null,
                    "start": null, "end": null, "unit": "kWh", "value": 1}]
    })
}

fn listing(items: Vec<Value>) -> Value {
    json!({"eacs": items, "next": null, "previous": null})
}

/// Bug 2: an id listed twice, once with a type an import skips, refuses
/// the file on import (decision 11) and is named by validate, in either
/// order.
#[test]
fn an_id_listed_twice_with_an_unknown_type_is_refused_by_import_and_named_by_validate() {
    let desk = Desk::new();
    for (name, items, unknown_at) in [
        (
            "dup.json",
            vec![eac("E1", "account"), eac("E1", "household")],
            "3 /eacs/1/beneficiary_type",
        ),
        (
            "dup-first.json",
            vec![eac("E1", "household"), eac("E1", "account")],
            "3 /eacs/0/beneficiary_type",
        ),
    ] {
        let file = write(&desk, name, &listing(items));
        let (code, text) = validate(&desk, "p1", &file);
        assert_eq!(code, 1, "{text}");
        assert_eq!(found(&text), [unknown_at, "7 /eacs/1/cds_eac_id"], "{text}");
        assert!(text.contains(
            "error (rule 7) at /eacs/1/cds_eac_id [EAC E1]: `cds_eac_id` `E1` appears more than once in this file"
        ), "{text}");
        assert!(
            text.contains("not valid for profile P1: 2 errors"),
            "{text}"
        );
        let (code, text) = import_file(&desk, &file);
        assert_eq!(code, 1, "{text}");
        assert!(
            text.contains(&format!("Nothing was imported from {}", file.display())),
            "{text}"
        );
        assert_eq!(found(&text), ["7 /eacs/1/cds_eac_id"], "{text}");
        assert_eq!(stored(&desk), 0);
    }
}

/// Bug 2 (related): an EAC whose type validate refuses is still judged
/// by the other rules, in their words (rule 16, not a schema rule 2).
#[test]
fn an_unknown_type_does_not_hide_the_eacs_other_errors_from_validate() {
    let desk = Desk::new();
    let mut d = eac("E1", "household");
    d["period_end"] = json!("2023-01-01T00:00:00Z");
    d["values"][0]["value"] = json!(-5);
    let file = write(&desk, "unknown.json", &listing(vec![d]));
    let (code, text) = validate(&desk, "p1", &file);
    assert_eq!(code, 1, "{text}");
    assert_eq!(
        found(&text),
        [
            "3 /eacs/0/beneficiary_type",
            "8 /eacs/0/period_end",
            "16 /eacs/0/values/0/value"
        ],
        "{text}"
    );
    assert!(!text.contains("schema"), "{text}");
}

/// Bug 3: the duplicate's own error does not hide rule 7: validate and
/// import list both, and agree.
#[test]
fn an_id_listed_twice_is_named_beside_the_duplicates_own_error() {
    let desk = Desk::new();
    let mut second = eac("E1", "account");
    second["values"][0]["value"] = json!(-5);
    let file = write(
        &desk,
        "dup2.json",
        &listing(vec![eac("E1", "account"), second]),
    );
    let both = ["16 /eacs/1/values/0/value", "7 /eacs/1/cds_eac_id"];
    let (code, text) = validate(&desk, "p1", &file);
    assert_eq!(
        (code, found(&text)),
        (1, both.map(str::to_owned).to_vec()),
        "{text}"
    );
    let (code, text) = import_file(&desk, &file);
    assert_eq!(
        (code, found(&text)),
        (1, both.map(str::to_owned).to_vec()),
        "{text}"
    );
    assert!(text.contains("2 rule violations"), "{text}");
    assert_eq!(stored(&desk), 0);
}

/// Bug 5: an entry of `beneficiaries` that is not a string is named at
/// its own place, once, by import and validate alike.
#[test]
fn a_list_entry_that_is_not_a_string_is_named_where_it_is_by_both() {
    let desk = Desk::new();
    let mut d = eac("E1", "account");
    d["beneficiaries"] = json!([1]);
    let file = write(&desk, "bennum.json", &listing(vec![d]));
    for (code, text) in [validate(&desk, "p1", &file), import_file(&desk, &file)] {
        assert_eq!(code, 1, "{text}");
        assert_eq!(found(&text), ["2 /eacs/0/beneficiaries/0"], "{text}");
        assert!(
            text.contains("an entry of `beneficiaries` must be a string, found a number"),
            "{text}"
        );
        assert!(!text.contains("found an array"), "{text}");
    }
}

/// Bug 6: a value nested too deep inside a value object is one error at
/// its member, with no line and column the file does not have.
#[test]
fn deep_nesting_inside_a_value_is_one_error_in_validate_as_in_import() {
    let desk = Desk::new();
    let deep: Value = {
        let text = format!("{}{}", "[".repeat(127), "]".repeat(127));
        serde_json::from_str(&text).unwrap()
    };
    let mut d = eac("E1", "account");
    // 129 levels: two more around it.
    d["values"][0]["x_deep"] = json!([[deep]]);
    let file = write(&desk, "deep.json", &listing(vec![d]));
    for (code, text) in [validate(&desk, "p1", &file), import_file(&desk, &file)] {
        assert_eq!(code, 1, "{text}");
        assert_eq!(found(&text), ["20 /eacs/0/values/0/x_deep"], "{text}");
        assert!(!text.contains("line "), "{text}");
    }
}

/// A P2 bundle of one sample EAC, exported by the binary, at `name`.
fn bundle(desk: &Desk, name: &str) -> PathBuf {
    let sample = desk.path("sample.json");
    if !desk.path("desk.sqlite").exists() {
        desk.eacdesk()
            .args(["sample", "--eacs", "1", "--out"])
            .arg(&sample)
            .assert()
            .success();
        desk.eacdesk().arg("import").arg(&sample).assert().success();
    }
    let out = desk.path(name);
    desk.eacdesk()
        .args(["export", "--profile", "p2", "--out"])
        .arg(&out)
        .assert()
        .success();
    out
}

/// Bug 4: one bad value in server-metadata.json is one error, in the
/// rule's words (no schema finding repeating it, decision 281).
#[test]
fn one_bad_server_metadata_value_is_one_error() {
    let desk = Desk::new();
    let bun = bundle(&desk, "bun");
    let metadata = bun.join("server-metadata.json");
    let text = std::fs::read_to_string(&metadata).unwrap();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    doc["cds_eac_formats"]["eacdesk_eac_json_v1"]["documentation"] = json!("FORMAT.md");
    std::fs::write(&metadata, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let (code, text) = validate(&desk, "p2", &bun);
    assert_eq!(code, 1, "{text}");
    assert_eq!(
        found(&text),
        ["2 /cds_eac_formats/eacdesk_eac_json_v1/documentation"],
        "{text}"
    );
    assert!(
        text.contains("not valid for profile P2: 1 error,"),
        "{text}"
    );
    assert!(
        text.contains("found `FORMAT.md`: it needs a scheme"),
        "{text}"
    );
    assert!(!text.contains("schema:"), "{text}");
}

/// Bug 7: rule 20's 64 levels hold inside a format description, however
/// deep (5,000 levels: past what serde_json reads), as at the top.
#[test]
fn a_format_description_nested_too_deep_is_refused() {
    let desk = Desk::new();
    let bun = bundle(&desk, "deepfmt");
    let metadata = bun.join("server-metadata.json");
    let text = std::fs::read_to_string(&metadata).unwrap();
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let edited = text.replacen(
        r#""id": "eacdesk_eac_json_v1","#,
        &format!(r#""id": "eacdesk_eac_json_v1", "x_deep": {deep},"#),
        1,
    );
    assert_ne!(edited, text);
    std::fs::write(&metadata, edited).unwrap();
    let (code, text) = validate(&desk, "p2", &bun);
    assert_eq!(code, 1, "{text}");
    assert_eq!(
        found(&text),
        ["20 /cds_eac_formats/eacdesk_eac_json_v1/x_deep"],
        "{text}"
    );
    assert!(text.contains("a value nested 5000 levels deep"), "{text}");
}

const IREC: &str = "irec:0000-0000-6529-5750.000000..0000-0000-6529-5761.999999";

fn irec_statement() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../eac-registry/tests/fixtures/irec/redemption-statement-sample.pdf")
}

/// Bug 8: `set issued=` fills a missing issue date and corrects one a
/// person entered with `set` (audited with the reason); a date the
/// imported document gave is kept, and the command says so rather than
/// "it already held these values". Through a filter it only fills.
#[test]
fn set_issued_corrects_an_entered_date_and_says_when_it_keeps_a_documents() {
    let desk = Desk::new();
    desk.eacdesk()
        .arg("import")
        .arg(irec_statement())
        .assert()
        .success();
    let issued = |id: &str| -> Value {
        let out = desk
            .eacdesk()
            .args(["show", id, "--json"])
            .output()
            .unwrap();
        let detail: Value = serde_json::from_slice(&out.stdout).unwrap();
        detail["values"][0]["issued"].clone()
    };
    assert_eq!(issued(IREC), Value::Null);
    let set = |args: &[&str]| {
        let out = desk.eacdesk().arg("set").args(args).output().unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    // Filled, then corrected: both audited.
    let out = set(&[IREC, "issued=2020-11-15", "--reason", "registry e-mail"]);
    assert!(out.contains("changed 1"), "{out}");
    let out = set(&[IREC, "issued=2020-11-16", "--reason", "typo in the e-mail"]);
    assert!(out.contains("changed 1"), "{out}");
    assert!(!out.contains("keeps"), "{out}");
    assert_eq!(issued(IREC), "2020-11-16");
    desk.eacdesk()
        .args(["audit", IREC])
        .assert()
        .success()
        .stdout(contains("typo in the e-mail"));
    // Through a filter an entered date is kept, and the command says why.
    let out = set(&[
        "--all-matching",
        "issued=2020-12-01",
        "--reason",
        "bulk",
        "--yes",
    ]);
    assert!(!out.contains("already held"), "{out}");
    assert!(
        out.contains(
            "1 EAC keeps the issue dates its values hold: an issue date given to the EACs a \
             filter chooses only dates values without one. To correct a date a person entered, \
             give it to that EAC alone"
        ),
        "{out}"
    );
    assert_eq!(issued(IREC), "2020-11-16");

    // A date the imported document gave: kept, and said.
    let file = write(&desk, "one.json", &listing(vec![eac("E1", "account")]));
    desk.eacdesk().arg("import").arg(&file).assert().success();
    let out = set(&["E1", "issued=2020-01-01", "--reason", "r"]);
    assert!(
        out.starts_with("1 EAC matches; nothing changed, so no audit record was written."),
        "{out}"
    );
    assert!(
        out.contains(
            "1 EAC keeps the issue date its imported document gave: an issue date dates values \
             without one and corrects a date a person entered, never a document's (import a \
             corrected statement instead).\n`eacdesk show E1` lists its values' issue dates."
        ),
        "{out}"
    );
    assert_eq!(issued("E1"), "2024-02-05");
    // The same date: nothing to say but that.
    let out = set(&["E1", "issued=2024-02-05", "--reason", "r"]);
    assert!(out.contains("it already held these values"), "{out}");
    assert!(!out.contains("keeps"), "{out}");
    // The count is in --json too.
    let out = desk
        .eacdesk()
        .args(["set", "E1", "issued=2020-01-01", "--reason", "r", "--json"])
        .assert()
        .success();
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(
        (report["changed"].clone(), report["issued_kept"].clone()),
        (json!(0), json!(1))
    );
    // With the words the app shows (decision 311), the same as printed.
    assert!(
        (report["issued_kept_why"].as_str().unwrap())
            .starts_with("1 EAC keeps the issue date its imported document gave: "),
        "{report}"
    );
}

/// A document without `eacs` is named at the member it lacks, by
/// validate and import alike.
#[test]
fn a_document_without_eacs_names_the_place() {
    let desk = Desk::new();
    let file = write(&desk, "empty.json", &json!({}));
    for (code, text) in [validate(&desk, "p1", &file), import_file(&desk, &file)] {
        assert_eq!(code, 1, "{text}");
        assert!(
            text.contains("error (rule 1) at /eacs: the document has no `eacs` array"),
            "{text}"
        );
    }
}

/// `set`'s smaller messages: an empty value is called empty, a rule 22
/// warning the change brings is printed as an import prints it, and an
/// envelope-only EAC is not said to be missing.
#[test]
fn set_says_what_is_empty_warns_as_import_does_and_knows_envelopes() {
    let desk = Desk::new();
    let file = write(&desk, "one.json", &listing(vec![eac("E1", "account")]));
    desk.eacdesk().arg("import").arg(&file).assert().success();
    desk.eacdesk()
        .args(["set", "E1", "destination_id=", "--reason", "r"])
        .assert()
        .code(2)
        .stderr(contains(
            "`destination_id` is empty: it must be text (not blank)",
        ));
    desk.eacdesk()
        .args([
            "set",
            "E1",
            "asset_commissioned=2030-01-01",
            "--reason",
            "r",
        ])
        .assert()
        .success()
        .stdout(contains(
            "warning (rule 22) at /asset_commissioned [EAC E1]: asset commissioned on 2030-01-01, \
             after the period ends (2024-02-01T00:00:00Z)",
        ));
    // The same date again: nothing new to warn of.
    desk.eacdesk()
        .args([
            "set",
            "E1",
            "asset_commissioned=2030-01-01",
            "--reason",
            "r",
        ])
        .assert()
        .success()
        .stdout(contains("rule 22").not());

    let envelope = json!({
        "cds_eac_id": "X1", "cds_created": "2024-01-01T00:00:00Z",
        "cds_modified": "2024-01-01T00:00:00Z", "cds_synced": "2024-01-01T00:00:00Z",
        "eac_numbers": ["N1"], "eac_format": "other", "eac_data_url": "https://example.org/x1",
        "beneficiary_type": "account", "beneficiaries": ["A1"],
        "period_start": "2024-01-01T00:00:00Z", "period_end": "2024-02-01T00:00:00Z"
    });
    std::fs::create_dir(desk.path("p2")).unwrap();
    let file = write(&desk, "p2/eacs.json", &listing(vec![envelope]));
    desk.eacdesk().arg("import").arg(&file).assert().success();
    for args in [
        &["set", "X1", "destination_id=D", "--reason", "r"][..],
        &[
            "beneficiaries",
            "set",
            "X1",
            "--type",
            "account",
            "--id",
            "A2",
            "--reason",
            "r",
        ],
    ] {
        desk.eacdesk()
            .args(args)
            .assert()
            .failure()
            .stderr(contains("`X1` is known only by its P2 envelope"))
            .stderr(contains("There is no EAC").not());
    }
}
