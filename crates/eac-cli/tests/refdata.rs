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
