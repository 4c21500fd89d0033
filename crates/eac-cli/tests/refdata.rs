//! `eacdesk refdata`, the reference-data warnings of `beneficiaries set`
//! and `set-emissions`, on the real binary.

use std::path::PathBuf;

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn refdata(name: &str) -> PathBuf {
    root().join("tests/fixtures/refdata").join(name)
}

fn todo_example() -> PathBuf {
    root().join("tests/fixtures/spec-examples/bad-p1-todo-emissions.json")
}

fn eacdesk(dir: &tempfile::TempDir) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_eacdesk"));
    cmd.env_remove("EACDESK_DB")
        .current_dir(dir.path())
        .arg("--db")
        .arg(dir.path().join("desk.sqlite"));
    cmd
}

#[test]
fn refdata_import_and_ls() {
    let dir = tempfile::tempdir().unwrap();
    eacdesk(&dir)
        .args(["refdata", "import"])
        .arg(refdata("accounts-2024.json"))
        .arg(refdata("accounts-2026.json"))
        .arg(refdata("service-contracts.json"))
        .arg(refdata("programs.csv"))
        .arg(refdata("programs.json"))
        .assert()
        .success()
        .stdout(contains("accounts — 2 accounts, 1 customer"))
        .stdout(contains(
            "service_contracts — 1 servicecontract, 1 rateplan",
        ))
        .stdout(contains("programs — 2 programs"));
    // Each import is in the audit log (decision 263).
    eacdesk(&dir)
        .arg("audit")
        .assert()
        .success()
        .stdout(contains(
            "reference data imported: added 3, entries 3, file ",
        ));
    eacdesk(&dir)
        .args(["refdata", "ls", "--type", "account"])
        .assert()
        .success()
        .stdout(contains("ACC-1\t22222-1 · Acme Ltd, 1 Main St"))
        .stdout(contains("ACC-3"))
        .stdout(contains("3 reference ids"));
    let out = eacdesk(&dir)
        .args(["refdata", "ls", "--search", "wind", "--json"])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v[0]["id"], "PRG-WIND");
    // A bad file: located error, exit 1, nothing written.
    eacdesk(&dir)
        .args(["refdata", "import"])
        .arg(refdata("bad-accounts.json"))
        .assert()
        .code(1)
        .stderr(contains("/accounts/1/cds_account_id"));
    eacdesk(&dir)
        .args(["refdata", "ls", "--search", "ACC-9"])
        .assert()
        .success()
        .stdout(contains("0 reference ids"));
}

#[test]
fn beneficiaries_set_warns_about_unknown_ids_only() {
    let dir = tempfile::tempdir().unwrap();
    eacdesk(&dir)
        .arg("import")
        .arg(todo_example())
        .assert()
        .success();
    eacdesk(&dir)
        .args(["refdata", "import"])
        .arg(refdata("accounts-2024.json"))
        .assert()
        .success();
    let set = |id: &str| {
        let mut c = eacdesk(&dir);
        c.args([
            "beneficiaries",
            "set",
            "101010101-10",
            "--type",
            "customer",
            "--id",
            id,
            "--reason",
            "contract",
        ]);
        c
    };
    set("NOPE-7").assert().success().stderr(contains(
        "warning: `NOPE-7` is not in the imported customer reference data",
    ));
    set("CUST123")
        .assert()
        .success()
        .stderr(contains("warning").not());
}

#[test]
fn set_emissions_then_export_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    eacdesk(&dir)
        .arg("import")
        .arg(todo_example())
        .assert()
        .success();
    eacdesk(&dir)
        .args(["ls", "--missing-emissions", "--json"])
        .assert()
        .success()
        .stdout(contains("101010101-10"));
    let args = |direct: &str| {
        let mut c = eacdesk(&dir);
        c.args([
            "set-emissions",
            "101010101-10",
            "--direct",
            direct,
            "--lca",
            "45.106820",
            "--reason",
            "registry numbers",
        ]);
        c
    };
    args("TODO")
        .assert()
        .code(1)
        .stderr(contains("not a number"));
    args("-1").assert().code(1).stderr(contains("negative"));
    args("0")
        .assert()
        .success()
        .stdout(contains("direct 0, LCA 45.106820"));
    let out = dir.path().join("out.json");
    eacdesk(&dir)
        .args(["export", "--profile", "p1", "--out"])
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("45.106820"));
    eacdesk(&dir)
        .args(["audit", "101010101-10"])
        .assert()
        .success()
        .stdout(contains(
            "emission factors direct missing / LCA missing → direct 0 / LCA 45.106820",
        ));
}

/// Tester 35, finding 2: a reference file naming one entry's id twice was
/// imported last-wins ("3 programs", 2 stored) and its audit record told
/// of a label change the database never held. It is refused naming both
/// places, and nothing is imported nor recorded. Ids are kept as written
/// by both readers: `"PRG-Q "` from a CSV and from JSON is one id.
#[test]
fn a_reference_file_naming_an_id_twice_is_refused_and_ids_keep_their_spaces() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let twice = write(
        "progs.csv",
        "program_number,name\nPRG-1,Green Power\nPRG-1,Dup\n\"PRG-Q \",quoted padded\n",
    );
    eacdesk(&dir)
        .args(["refdata", "import"])
        .arg(&twice)
        .assert()
        .code(1)
        .stderr(contains(
            "progs.csv was not imported: it breaks the reference-data format; nothing from it was \
             written.\n3: error (rule 17): `program_number` `PRG-1` appears more than once in \
             this file (also at line 2): which entry is meant cannot be told; keep one and \
             import the file again",
        ));
    let accounts = write(
        "accounts.json",
        r#"{"accounts": [{"cds_account_id": "ACC-1", "account_number": "1", "account_name": "First"},
            {"cds_account_id": "ACC-1", "account_number": "2", "account_name": "Second"}]}"#,
    );
    eacdesk(&dir)
        .args(["refdata", "import"])
        .arg(&accounts)
        .assert()
        .code(1)
        .stderr(contains(
            "error (rule 17) at /accounts/1/cds_account_id: `cds_account_id` `ACC-1` appears \
             more than once in this file (also at /accounts/0)",
        ));
    eacdesk(&dir)
        .args(["refdata", "ls"])
        .assert()
        .success()
        .stdout(contains("0 reference ids"));
    eacdesk(&dir)
        .arg("audit")
        .assert()
        .success()
        .stdout(contains("reference data imported").not());

    let csv = write(
        "once.csv",
        "program_number,name\n\"PRG-Q \",quoted padded\n",
    );
    let json = write(
        "progs.json",
        r#"{"programs": [{"program_number": "PRG-Q ", "name": "json padded"}]}"#,
    );
    eacdesk(&dir)
        .args(["refdata", "import"])
        .arg(&csv)
        .arg(&json)
        .assert()
        .success();
    let out = eacdesk(&dir)
        .args(["refdata", "ls", "--json"])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let ids: Vec<(&str, &str)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["id"].as_str().unwrap(), e["label"].as_str().unwrap()))
        .collect();
    assert_eq!(ids, [("PRG-Q ", "json padded")]);
}

/// Tester 35, finding 3: `Énergie Café` saved with combining accents (NFD,
/// as macOS saves names) and with precomposed letters (NFC) look the same;
/// `--search café` found only the NFC one, so `ls` and `summary` left out
/// half the EACs and their totals without a sign, and `refdata ls` the
/// NFD labels.
#[test]
fn search_finds_names_whatever_their_unicode_normalization_form() {
    let dir = tempfile::tempdir().unwrap();
    let listing: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            root().join("tests/fixtures/spec-examples/good-p1-mixed-order.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let mut first = listing["eacs"][0].clone();
    let mut second = first.clone();
    first["source_name"] = "\u{c9}nergie Caf\u{e9}".into();
    second["cds_eac_id"] = "NFD-1".into();
    second["source_name"] = "E\u{301}nergie Cafe\u{301}".into();
    let file = dir.path().join("nf.json");
    std::fs::write(
        &file,
        serde_json::json!({ "eacs": [first, second] }).to_string(),
    )
    .unwrap();
    eacdesk(&dir).arg("import").arg(&file).assert().success();
    for query in ["caf\u{e9}", "cafe\u{301}"] {
        let out = eacdesk(&dir)
            .args(["ls", "--json", "--search", query])
            .assert()
            .success();
        let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        assert_eq!(v["summary"]["count"], 2, "{query:?}: {v}");
        let out = eacdesk(&dir)
            .args(["summary", "--json", "--search", query])
            .assert()
            .success();
        let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        assert_eq!(v["groups"][0]["count"], 2, "{query:?}: {v}");
    }
    let programs = dir.path().join("programs.csv");
    std::fs::write(
        &programs,
        "program_number,name\nPRG-1,\u{c9}nergie Caf\u{e9}\nPRG-2,E\u{301}nergie Cafe\u{301}\n",
    )
    .unwrap();
    eacdesk(&dir)
        .args(["refdata", "import"])
        .arg(&programs)
        .assert()
        .success();
    eacdesk(&dir)
        .args(["refdata", "ls", "--search", "caf\u{e9}"])
        .assert()
        .success()
        .stdout(contains("PRG-1").and(contains("PRG-2")));
}
