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
             written.\nline 3: error (rule 17): `program_number` `PRG-1` appears more than once in \
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

/// The listing `good-p1-mixed-order.json` with `e-02` naming the account
/// `ACC-TYPO` beside `ACC-1`, and `e-04` and `e-07` the customer `CUST-X`,
/// written into `dir`.
fn listing_naming_unknown_ids(dir: &tempfile::TempDir) -> PathBuf {
    let mut listing: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            root().join("tests/fixtures/spec-examples/good-p1-mixed-order.json"),
        )
        .unwrap(),
    )
    .unwrap();
    for eac in listing["eacs"].as_array_mut().unwrap() {
        match eac["cds_eac_id"].as_str().unwrap() {
            "e-02" => eac["beneficiaries"] = serde_json::json!(["ACC-1", "ACC-TYPO"]),
            "e-04" | "e-07" => eac["beneficiaries"] = serde_json::json!(["CUST-X"]),
            _ => {}
        }
    }
    let file = dir.path().join("month.json");
    std::fs::write(&file, listing.to_string()).unwrap();
    file
}

/// Tester 36, finding 2: decision 26 says unknown beneficiary ids warn,
/// never block, but an EAC import warned of none; only a later
/// `beneficiaries set` of the same id did. The import now names each id
/// the stored reference data of its type does not hold, with how many
/// EACs name it; types without reference data are not checked.
#[test]
fn an_import_warns_of_beneficiary_ids_the_reference_data_does_not_hold() {
    let dir = tempfile::tempdir().unwrap();
    let listing = listing_naming_unknown_ids(&dir);
    eacdesk(&dir)
        .args(["refdata", "import"])
        .arg(refdata("accounts-2024.json"))
        .assert()
        .success();
    let out = eacdesk(&dir)
        .arg("import")
        .arg(&listing)
        .assert()
        .success()
        .stdout(contains("7 added"))
        .stderr(contains("2 warnings in"))
        .stderr(contains(
            "[EAC e-02]: 1 EAC of this file names the account `ACC-TYPO`, which the imported \
             account reference data does not hold",
        ))
        .stderr(contains(
            "2 EACs of this file name the customer `CUST-X`, which the imported customer \
             reference data does not hold",
        ));
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    // Known ids, and types with no reference data (rate plans, programs,
    // service contracts here), are not warned of.
    for quiet in ["`ACC-1`", "GreenChoice", "PRG-GREEN", "3333333333-33"] {
        assert!(!stderr.contains(quiet), "{quiet}: {stderr}");
    }
    // --json: in `warnings`; a dry run warns the same.
    let out = eacdesk(&dir)
        .args(["import", "--json", "--dry-run"])
        .arg(&listing)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let warnings: Vec<&str> = v["files"][0]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["message"].as_str().unwrap())
        .collect();
    assert_eq!(warnings.len(), 2, "{v}");
    let typo = (warnings.iter())
        .position(|w| w.contains("`ACC-TYPO`"))
        .unwrap();
    assert_eq!(v["files"][0]["warnings"][typo]["cds_eac_id"], "e-02");
    // Without reference data nothing is checked.
    let bare = tempfile::tempdir().unwrap();
    eacdesk(&bare)
        .arg("import")
        .arg(&listing)
        .assert()
        .success()
        .stderr(contains("reference data").not());
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Tester 36, finding 3: `refdata import A B` with B refused committed A
/// and said only B's error, on stdout nothing: whether A was in the
/// database could not be told. Each file is now accounted for, as the EAC
/// import does, in text and `--json`; into a database that did not exist
/// nothing is saved, and that is said.
#[test]
fn refdata_import_of_several_files_says_what_happened_to_each() {
    let dir = tempfile::tempdir().unwrap();
    let ok = write(&dir, "ok.csv", "program_number,name\nPRG-A,a\n");
    let bad = write(
        &dir,
        "bad.json",
        r#"{"programs":[{"program_number":"B"},{"program_number":"B"}]}"#,
    );
    let later = write(&dir, "later.csv", "program_number,name\nPRG-L,l\n");
    // A new database: nothing saved, and said.
    eacdesk(&dir)
        .args(["refdata", "import", "ok.csv", "bad.json", "later.csv"])
        .assert()
        .code(1)
        .stdout(contains("ok.csv: programs — 1 program (read; not saved)"))
        .stdout(contains("0 of 3 files imported."))
        .stderr(contains("bad.json was not imported"))
        .stderr(contains("Not tried (after the failed file): later.csv."))
        .stderr(contains("Nothing was saved: there was no database at"));
    assert!(!dir.path().join("desk.sqlite").exists());
    // An existing database: the file before the failed one is committed.
    eacdesk(&dir)
        .args(["refdata", "import"])
        .arg(&later)
        .assert()
        .success();
    eacdesk(&dir)
        .args(["refdata", "import", "ok.csv", "bad.json", "later.csv"])
        .assert()
        .code(1)
        .stdout(contains(
            "ok.csv: programs — 1 program (1 added, 0 labels changed)",
        ))
        .stdout(contains("1 of 3 files imported."))
        .stderr(contains(
            "The file imported before it (ok.csv) is committed in",
        ));
    eacdesk(&dir)
        .args(["refdata", "ls"])
        .assert()
        .success()
        .stdout(contains("PRG-A"));
    let out = eacdesk(&dir)
        .args(["refdata", "import", "--json"])
        .args([&ok, &bad, &later])
        .assert()
        .code(1);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v[0]["outcome"], "imported", "{v}");
    assert_eq!(v[0]["document"], "programs", "{v}");
    assert_eq!(
        (v[0]["added"].as_u64(), v[0]["labels_changed"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(v[1]["outcome"], "failed", "{v}");
    assert_eq!(v[1]["error"]["code"], "validation", "{v}");
    assert_eq!(
        v[1]["error"]["details"]["violations"][0]["pointer"],
        "/programs/1/program_number"
    );
    assert_eq!(v[2]["outcome"], "not_tried", "{v}");
    assert!(v[2]["file"].as_str().unwrap().ends_with("later.csv"), "{v}");
}

/// Tester 36, finding 11: the report said how many entries a file held,
/// never what it changed; a folder was "Could not read or write DIR: Is a
/// directory".
#[test]
fn refdata_import_counts_what_it_added_and_relabelled_and_refuses_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let v1 = write(
        &dir,
        "v1.csv",
        "program_number,name\nPRG-1,One\nPRG-2,Two\n",
    );
    let v2 = write(
        &dir,
        "v2.csv",
        "program_number,name\nPRG-1,One\nPRG-2,Deux\nPRG-3,Trois\n",
    );
    eacdesk(&dir)
        .args(["refdata", "import"])
        .arg(&v1)
        .assert()
        .success()
        .stdout(contains(
            "programs — 2 programs (2 added, 0 labels changed)",
        ));
    eacdesk(&dir)
        .args(["refdata", "import"])
        .arg(&v2)
        .assert()
        .success()
        .stdout(contains("programs — 3 programs (1 added, 1 label changed)"));
    let folder = dir.path().join("lists");
    std::fs::create_dir(&folder).unwrap();
    eacdesk(&dir)
        .args(["refdata", "import"])
        .arg(&folder)
        .assert()
        .failure()
        .stderr(contains("lists is a folder: `refdata import` reads files"))
        .stderr(contains("Is a directory").not());
}

/// Tester 36, finding 4: reference data could not be removed, so a typo'd
/// or closed id silenced decision 26's warning for good. `refdata rm`
/// removes ids of one type with a reason, audited with what it removed;
/// EACs still naming one are named in a warning and left as they are; a
/// dry run writes nothing; an id not stored refuses the whole removal.
#[test]
fn refdata_rm_removes_ids_audited_and_names_the_eacs_still_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let typo = write(
        &dir,
        "typo.json",
        r#"{"accounts":[{"cds_account_id":"ACC-1O","account_number":"1"},
                        {"cds_account_id":"ACC-7","account_number":"7"}]}"#,
    );
    eacdesk(&dir)
        .args(["refdata", "import"])
        .arg(refdata("accounts-2024.json"))
        .arg(&typo)
        .assert()
        .success();
    eacdesk(&dir)
        .arg("import")
        .arg(listing_naming_unknown_ids(&dir))
        .assert()
        .success();
    // A dry run: said, nothing written (not even to the audit log).
    eacdesk(&dir)
        .args(["refdata", "rm", "account", "ACC-1O", "ACC-1", "--dry-run"])
        .assert()
        .success()
        .stdout(contains(
            "Would remove 2 ids from the account reference data (dry run",
        ))
        .stderr(contains("warning: 1 EAC names the account `ACC-1`: e-02."));
    eacdesk(&dir)
        .args(["refdata", "ls", "--type", "account"])
        .assert()
        .success()
        .stdout(contains("ACC-1O").and(contains("4 reference ids")));
    // An id that is not stored: refused, nothing removed, in reference
    // data's own words (they were wrapped in "There is no EAC with id …
    // import the file that holds it").
    eacdesk(&dir)
        .args([
            "refdata", "rm", "account", "ACC-1O", "acc-7", "--reason", "typo",
        ])
        .assert()
        .code(2)
        .stderr(
            "error: The account reference data holds no `acc-7` (ids match exactly, case \
             included); nothing was removed. See the ids it holds with `eacdesk refdata ls \
             --type account`.\n",
        );
    // No reason: refused by the command line.
    eacdesk(&dir)
        .args(["refdata", "rm", "account", "ACC-1O"])
        .assert()
        .failure()
        .stderr(contains("--reason"));
    eacdesk(&dir)
        .args([
            "refdata",
            "rm",
            "account",
            "ACC-1O",
            "ACC-1",
            "--reason",
            "typo; ACC-1 closed",
        ])
        .assert()
        .success()
        .stdout(contains("account\tACC-1O\t1"))
        .stdout(contains(
            "Removed 2 ids from the account reference data (recorded",
        ))
        .stderr(contains(
            "warning: 1 EAC names the account `ACC-1`: e-02. They are not changed",
        ));
    eacdesk(&dir)
        .args(["refdata", "ls", "--type", "account"])
        .assert()
        .success()
        .stdout(contains("ACC-1O").not())
        .stdout(contains("ACC-2").and(contains("2 reference ids")));
    eacdesk(&dir)
        .arg("audit")
        .assert()
        .success()
        .stdout(contains("reference data removed: "))
        .stdout(contains("ACC-1O: 1"))
        .stdout(contains("typo; ACC-1 closed"));
    eacdesk(&dir).args(["audit", "verify"]).assert().success();
    // The id is now unknown: the editor's warning is back.
    eacdesk(&dir)
        .args([
            "beneficiaries",
            "set",
            "e-02",
            "--type",
            "account",
            "--id",
            "ACC-1O",
            "--reason",
            "x",
        ])
        .assert()
        .success()
        .stderr(contains(
            "`ACC-1O` is not in the imported account reference data",
        ));
}

/// Tester 36, findings 5 and 6: a programs CSV row with more cells than
/// the header (an unquoted comma) lost its last cells, and one with fewer
/// was read; a quoted header, the id column not first and Excel's
/// `;`-separated CSV were refused as "not a reference-data file" or
/// "no `program_number` column". Rows are checked against the header and
/// refused at their line; the others are read.
#[test]
fn programs_csv_rows_must_match_the_header_and_any_header_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let comma = write(
        &dir,
        "comma.csv",
        "program_number,name\nPRG-G,Green, Power\nPRG-1\n",
    );
    eacdesk(&dir)
        .args(["refdata", "import"])
        .arg(&comma)
        .assert()
        .code(1)
        .stderr(contains(
            "line 2: error (rule 2): the row has 3 cells, the header 2: a value holding `,` must be quoted",
        ))
        .stderr(contains("line 3: error (rule 2): the row has 1 cell, the header 2"));
    let quoted = write(
        &dir,
        "quoted.csv",
        "\"program_number\",\"name\"\nPRG-Q,Quoted\n",
    );
    let order = write(&dir, "order.csv", "name,program_number\nOrdered,PRG-O\n");
    let excel = dir.path().join("excel.csv");
    std::fs::write(
        &excel,
        b"\xef\xbb\xbfprogram_number;name\r\nPRG-E;Green, Energy\r\n",
    )
    .unwrap();
    eacdesk(&dir)
        .args(["refdata", "import"])
        .args([&quoted, &order, &excel])
        .assert()
        .success();
    eacdesk(&dir)
        .args(["refdata", "ls"])
        .assert()
        .success()
        .stdout(contains("program\tPRG-Q\tQuoted"))
        .stdout(contains("program\tPRG-O\tOrdered"))
        .stdout(contains("program\tPRG-E\tGreen, Energy"))
        .stdout(contains("3 reference ids"));
}

/// Tester 36, finding 7: page 1 of a paged accounts listing was imported
/// as if it were the whole list. It is imported with a note naming its
/// `next` link, and the audit record keeps the link.
#[test]
fn one_page_of_a_paged_listing_is_imported_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let page = write(
        &dir,
        "page1.json",
        r#"{"accounts":[{"cds_account_id":"P1","account_number":"1"}],
            "next":"https://utility.example/cds/accounts?page=2","previous":null}"#,
    );
    eacdesk(&dir)
        .args(["refdata", "import"])
        .arg(&page)
        .assert()
        .success()
        .stdout(contains("accounts — 1 account (1 added"))
        .stderr(contains(
            "this is one page of a longer listing (its `next` link is \
             https://utility.example/cds/accounts?page=2)",
        ));
    let out = eacdesk(&dir)
        .args(["refdata", "import", "--json"])
        .arg(&page)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert!(
        v[0]["notes"][0].as_str().unwrap().contains("one page"),
        "{v}"
    );
    eacdesk(&dir)
        .arg("audit")
        .assert()
        .success()
        .stdout(contains("next https://utility.example/cds/accounts?page=2"));
    // A last page (`next` null) has no note.
    let last = write(
        &dir,
        "last.json",
        r#"{"accounts":[{"cds_account_id":"P2","account_number":"2"}],"next":null}"#,
    );
    eacdesk(&dir)
        .args(["refdata", "import"])
        .arg(&last)
        .assert()
        .success()
        .stderr(contains("note").not());
}

/// A named pipe given to `refdata import` is named, never waited on: a
/// plain open blocked until the process was killed (`timeout` could not
/// stop it). The command must end by itself, refusing the pipe.
#[cfg(unix)]
#[test]
fn a_named_pipe_given_as_reference_data_is_refused_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("p.csv");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_eacdesk"))
        .env_remove("EACDESK_DB")
        .current_dir(dir.path())
        .args(["--db", "r.db", "refdata", "import", "p.csv"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut ended = false;
    for _ in 0..200 {
        if child.try_wait().unwrap().is_some() {
            ended = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    if !ended {
        child.kill().unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(ended, "refdata import waited on the named pipe");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("is a named pipe, not a regular file"),
        "{stderr}"
    );
}
