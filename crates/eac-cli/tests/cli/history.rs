//! Issue 9 from the command line: delete, imports, undo-import, audited
//! verify, reasons on one line, damaged audit rows, concurrent first opens
//! and opens that leave the file alone.

use super::*;

fn db(desk: &Desk) -> PathBuf {
    desk.path("desk.sqlite")
}

fn batch_ids(desk: &Desk) -> Vec<i64> {
    desk.json(&["imports"])
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn delete_needs_yes_for_more_than_one_and_is_audited() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    assert_eq!(desk.count(), 7);

    // One EAC: no confirmation needed.
    desk.eacdesk()
        .args(["delete", "e-01", "--reason", "imported by mistake"])
        .assert()
        .success()
        .stdout(contains("Deleted 1 EAC"));
    assert_eq!(desk.count(), 6);
    // An unknown id: nothing is deleted.
    desk.eacdesk()
        .args(["delete", "e-02", "nope", "--reason", "x"])
        .assert()
        .code(2)
        .stderr(contains("`nope`"));
    assert_eq!(desk.count(), 6);

    // Several: without --yes nothing happens, and the exit code says so.
    let wind = desk.ids(&["--technology", "wind"]).len();
    assert!(wind > 1);
    desk.eacdesk()
        .args(["delete", "--all-matching", "--technology", "wind"])
        .args(["--reason", "not our wind"])
        .assert()
        .code(2)
        .stderr(contains("--yes"))
        .stderr(contains(format!("{wind} EACs")));
    desk.eacdesk()
        .args(["delete", "--all-matching", "--technology", "wind"])
        .args(["--reason", "not our wind", "--dry-run"])
        .assert()
        .success()
        .stdout(contains(format!("{wind} EACs would be deleted")));
    assert_eq!(desk.count(), 6);
    desk.eacdesk()
        .args(["delete", "--all-matching", "--technology", "wind"])
        .args(["--reason", "not our wind", "--yes"])
        .assert()
        .success()
        .stdout(contains(format!("Deleted {wind} EACs")));
    assert_eq!(desk.count(), (6 - wind) as u64);

    let log = desk.json(&["audit", "e-01"]);
    assert_eq!(log[0]["action"], "delete");
    assert_eq!(log[0]["reason"], "imported by mistake");
    desk.eacdesk()
        .args(["audit"])
        .assert()
        .success()
        .stdout(contains("deleted (was rateplan: GreenChoice)"));
}

#[test]
fn imports_are_listed_and_an_import_can_be_undone() {
    let desk = Desk::new();
    desk.import(&["good-p1-overview-endpoint.json"]);
    desk.import(&["good-p1-mixed-order.json"]);
    let listed = desk.json(&["imports"]);
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert_eq!(listed[0]["added"], 7);
    assert_eq!(listed[0]["undoable"], true);
    assert!(listed[0]["file_name"]
        .as_str()
        .unwrap()
        .ends_with("good-p1-mixed-order.json"));
    desk.eacdesk()
        .arg("imports")
        .assert()
        .success()
        .stdout(contains("good-p1-mixed-order.json"))
        .stdout(contains("can be undone"));

    let newest = batch_ids(&desk)[0];
    let before = desk.count();
    desk.eacdesk()
        .args(["undo-import", &newest.to_string(), "--reason", "wrong file"])
        .assert()
        .code(2)
        .stdout(contains("would remove 7 EACs"))
        .stderr(contains("--yes"));
    assert_eq!(desk.count(), before);
    desk.eacdesk()
        .args([
            "undo-import",
            &newest.to_string(),
            "--reason",
            "wrong file",
            "--yes",
        ])
        .assert()
        .success()
        .stdout(contains("removed 7 EACs it added"));
    assert_eq!(desk.count(), before - 7);
    desk.eacdesk()
        .arg("imports")
        .assert()
        .success()
        .stdout(contains("undone"));
    desk.eacdesk()
        .args([
            "undo-import",
            &newest.to_string(),
            "--reason",
            "again",
            "--yes",
        ])
        .assert()
        .code(2)
        .stderr(contains("already undone"));
    desk.eacdesk()
        .args(["undo-import", "999", "--reason", "x"])
        .assert()
        .code(2)
        .stderr(contains("no import number 999"));
}

#[test]
fn verify_is_audited_and_reasons_stay_on_one_line() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    desk.eacdesk()
        .args(["verify", "--all-matching", "--dry-run"])
        .assert()
        .success()
        .stdout(contains("7 EACs would be marked"));
    assert_eq!(desk.json(&["audit"]).as_array().unwrap().len(), 0);
    desk.eacdesk()
        .args(["verify", "--all-matching", "--yes"])
        .assert()
        .success();
    let log = desk.json(&["audit"]);
    assert_eq!(log.as_array().unwrap().len(), 7);
    assert!(log
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["action"] == "verify"));
    desk.eacdesk()
        .args(["audit", "e-01"])
        .assert()
        .success()
        .stdout(contains("marked verified"));

    // A line break in a reason would print as a second audit record.
    desk.eacdesk()
        .args(["beneficiaries", "set", "e-01", "--type", "general"])
        .args([
            "--reason",
            "ok\n7  2026-01-01T00:00:00Z  root  e-02  forged",
        ])
        .assert()
        .code(2)
        .stderr(contains("line break"));
    desk.eacdesk()
        .args(["delete", "e-01", "--reason", "\u{1b}[31mred"])
        .assert()
        .code(2)
        .stderr(contains("escape"));
    assert_eq!(desk.count(), 7);
}

#[test]
fn a_damaged_audit_row_does_not_hide_the_others() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    for (id, reason) in [("e-01", "first"), ("e-02", "second")] {
        desk.eacdesk()
            .args([
                "beneficiaries",
                "set",
                id,
                "--type",
                "general",
                "--reason",
                reason,
            ])
            .assert()
            .success();
    }
    let conn = rusqlite::Connection::open(db(&desk)).unwrap();
    conn.execute_batch(
        "DROP TRIGGER audit_log_no_update;
         UPDATE audit_log SET \"after\" = '[1,2]' WHERE reason = 'first';",
    )
    .unwrap();
    drop(conn);
    desk.eacdesk()
        .arg("audit")
        .assert()
        .success()
        .stdout(contains("second"))
        .stdout(contains("UNREADABLE"))
        .stderr(contains("audit record 1"))
        // Opening to write re-creates the dropped trigger and says so.
        ;
    desk.eacdesk()
        .args(["verify", "e-03"])
        .assert()
        .success()
        .stderr(contains("re-created"));
}

#[test]
fn a_negative_schema_version_is_reported_as_it_is() {
    let desk = Desk::new();
    desk.import(&["good-p1-overview-endpoint.json"]);
    rusqlite::Connection::open(db(&desk))
        .unwrap()
        .pragma_update(None, "user_version", -1)
        .unwrap();
    desk.eacdesk()
        .arg("ls")
        .assert()
        .code(2)
        .stderr(contains("schema version -1"))
        .stderr(contains("18446744073709551615").not());
}

#[test]
fn reading_commands_neither_create_nor_change_the_database() {
    let desk = Desk::new();
    desk.eacdesk().arg("ls").assert().success();
    desk.eacdesk().arg("audit").assert().success();
    desk.eacdesk().arg("imports").assert().success();
    assert!(!db(&desk).exists(), "ls created the database");

    desk.import(&["good-p1-mixed-order.json"]);
    let conn = rusqlite::Connection::open(db(&desk)).unwrap();
    let _: String = conn
        .pragma_update_and_check(None, "journal_mode", "delete", |r| r.get(0))
        .unwrap();
    drop(conn);
    let before = std::fs::read(db(&desk)).unwrap();
    for args in [&["ls"][..], &["show", "e-01"], &["audit"], &["imports"]] {
        desk.eacdesk().args(args).assert().success();
    }
    // A refused import neither.
    desk.eacdesk()
        .args(["import", &example("bad-p1-overview-not-json.json")])
        .assert()
        .failure();
    assert_eq!(std::fs::read(db(&desk)).unwrap(), before);
}

#[test]
fn processes_opening_a_new_database_together_all_succeed() {
    let file = example("good-p1-mixed-order.json");
    for round in 0..4 {
        let desk = Desk::new();
        let children: Vec<_> = (0..8)
            .map(|i| {
                let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_eacdesk"));
                cmd.env_remove("EACDESK_DB")
                    .arg("--db")
                    .arg(db(&desk))
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped());
                match i % 3 {
                    0 => cmd.args(["import", &file]),
                    1 => cmd.arg("ls"),
                    // A writer that may start the database (`verify`
                    // needs one that exists).
                    _ => cmd
                        .args(["claims", "factor", "set", "--market", "DK1"])
                        .args([
                            "--kind",
                            "residual_mix",
                            "--year",
                            "2024",
                            "--factor",
                            "0.4",
                            "--source",
                            "AIB",
                            "--reason",
                            "race",
                        ]),
                };
                cmd.spawn().unwrap()
            })
            .collect();
        for (i, child) in children.into_iter().enumerate() {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {round}, process {i}: {}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert_eq!(desk.count(), 7);
    }
}

// ------------------------------------------------------------ issue 12 item 1

#[test]
fn audit_verify_passes_an_intact_log_and_names_the_first_record_changed_outside() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    for (id, reason) in [("e-01", "one"), ("e-02", "two"), ("e-03", "three")] {
        desk.eacdesk()
            .args([
                "beneficiaries",
                "set",
                id,
                "--type",
                "general",
                "--reason",
                reason,
            ])
            .assert()
            .success();
    }
    desk.eacdesk()
        .args(["audit", "verify"])
        .assert()
        .success()
        .stdout(contains("The audit log is intact: 3 records, chain head "));
    let report = desk.json(&["audit", "verify"]);
    assert_eq!(report["records"], 3);
    assert!(report["broken"].is_null());
    // `audit ID` still lists one EAC's records.
    desk.eacdesk()
        .args(["audit", "e-02"])
        .assert()
        .success()
        .stdout(contains("two"));

    // Another program edits the second record, triggers out of its way.
    let conn = rusqlite::Connection::open(db(&desk)).unwrap();
    conn.execute_batch(
        "DROP TRIGGER audit_log_no_update;
         UPDATE audit_log SET reason = 'one, really' WHERE reason = 'two';",
    )
    .unwrap();
    drop(conn);
    let broken_id: i64 = rusqlite::Connection::open(db(&desk))
        .unwrap()
        .query_row(
            "SELECT id FROM audit_log WHERE reason = 'one, really'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    desk.eacdesk()
        .args(["audit", "verify"])
        .assert()
        .code(1)
        .stdout(contains(format!(
            "the chain breaks at record {broken_id} (the 2nd of 3 records)"
        )))
        .stdout(contains("was changed after it was written"));
}

// ------------------------------------------------------------ issue 12 item 5

#[test]
fn a_closed_period_refuses_edits_until_reopened_and_both_are_audited() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    desk.eacdesk()
        .args([
            "period",
            "close",
            "--from",
            "2024-01-01",
            "--to",
            "2024-12-31",
        ])
        .args(["--reason", "2024 filed with the regulator"])
        .assert()
        .success()
        .stdout(contains("Closed period 1: 2024-01-01 to 2024-12-31"));
    let before = std::fs::read(db(&desk)).unwrap();
    let refused = desk
        .eacdesk()
        .args([
            "beneficiaries",
            "set",
            "e-01",
            "--type",
            "general",
            "--reason",
            "x",
        ])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(stderr.contains("e-01"), "{stderr}");
    assert!(stderr.contains("eacdesk period reopen"), "{stderr}");
    desk.eacdesk()
        .args(["set", "e-01", "destination_name=Other", "--reason", "x"])
        .assert()
        .code(1);
    // The dry run of a bulk change says the same (decision 105), and
    // writes nothing either.
    let bulk = [
        "beneficiaries",
        "set",
        "--all-matching",
        "--type",
        "general",
        "--reason",
        "x",
        "--dry-run",
    ];
    for json in [false, true] {
        let refused = desk
            .eacdesk()
            .args(bulk)
            .args(json.then_some("--json"))
            .assert()
            .code(1);
        let out = refused.get_output();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("e-01"), "{stderr}");
        assert!(stderr.contains("eacdesk period reopen"), "{stderr}");
        assert!(!String::from_utf8_lossy(&out.stdout).contains("would be set"));
    }
    desk.eacdesk()
        .args([
            "set",
            "--all-matching",
            "destination_name=Other",
            "--reason",
            "x",
        ])
        .args(["--dry-run"])
        .assert()
        .code(1);
    assert_eq!(std::fs::read(db(&desk)).unwrap(), before, "nothing written");
    let periods = desk.json(&["period", "ls"]);
    assert_eq!(periods[0]["reason"], "2024 filed with the regulator");
    assert!(periods[0]["reopened_at"].is_null());

    desk.eacdesk()
        .args([
            "period",
            "reopen",
            "1",
            "--reason",
            "correction requested by the auditor",
        ])
        .assert()
        .success()
        .stdout(contains("Reopened period 1"))
        // Nothing is frozen by it any more.
        .stdout(contains("inside, no longer frozen by it)."))
        .stdout(contains(" frozen)").not());
    let plan = desk.json(&bulk);
    assert_eq!(plan["dry_run"], true);
    assert_eq!(
        (&plan["matching"], &plan["changed"]),
        (&7.into(), &6.into())
    );
    desk.eacdesk()
        .args(bulk)
        .assert()
        .success()
        .stdout(contains(
            "7 EACs match; 6 would be set to general (1 already has",
        ))
        .stdout(contains("Nothing was changed (--dry-run)."));
    desk.eacdesk()
        .args([
            "beneficiaries",
            "set",
            "e-01",
            "--type",
            "general",
            "--reason",
            "fix",
        ])
        .assert()
        .success();
    let log = desk.json(&["audit"]);
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"period_close") && actions.contains(&"period_reopen"),
        "{actions:?}"
    );
    desk.eacdesk()
        .args(["period", "ls"])
        .assert()
        .success()
        .stdout(contains("reopened"))
        .stdout(contains("correction requested by the auditor"));
    desk.eacdesk().args(["audit", "verify"]).assert().success();
}

/// Issue 13 item 7: CLI writes carry the display name of the settings file
/// (`EACDESK_CONFIG_DIR`) beside the OS login, and `audit` shows it; the
/// chain stays intact across records with and without one.
#[test]
fn audit_records_carry_the_display_name_of_the_settings() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    desk.eacdesk().args(["verify", "e-01"]).assert().success();
    std::fs::create_dir_all(desk.path("config")).unwrap();
    std::fs::write(
        desk.path("config").join("settings.json"),
        r#"{"display_name": "Ana López", "theme": "dark"}"#,
    )
    .unwrap();
    desk.eacdesk().args(["verify", "e-02"]).assert().success();
    let log = desk.json(&["audit"]);
    assert_eq!(log[0]["cds_eac_id"], "e-02");
    assert_eq!(log[0]["display_name"], "Ana López");
    assert!(!log[0]["os_user"].as_str().unwrap().is_empty());
    assert_eq!(log[1]["display_name"], Value::Null);
    let login = log[0]["os_user"].as_str().unwrap().to_owned();
    desk.eacdesk()
        .args(["audit"])
        .assert()
        .success()
        .stdout(contains(format!("Ana López ({login})")));
    desk.eacdesk()
        .args(["audit", "verify"])
        .assert()
        .success()
        .stdout(contains("The audit log is intact: 2 records"));
}

/// A display name another program left blank or padded in the audit log
/// reads in `audit` as `period ls` and the refusals say people: the login
/// alone for a blank one (not " (ana)"), the name trimmed beside it.
#[test]
fn audit_says_a_blank_display_name_as_the_login_alone() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    desk.eacdesk().args(["verify", "e-01"]).assert().success();
    desk.eacdesk().args(["verify", "e-02"]).assert().success();
    let login = desk.json(&["audit"])[0]["os_user"]
        .as_str()
        .unwrap()
        .to_owned();
    let conn = rusqlite::Connection::open(db(&desk)).unwrap();
    conn.execute_batch(
        "DROP TRIGGER audit_log_no_update;
         UPDATE audit_log SET display_name = '   ' WHERE cds_eac_id = 'e-01' AND action = 'verify';
         UPDATE audit_log SET display_name = ' Ana López ' WHERE cds_eac_id = 'e-02' AND action = 'verify';",
    )
    .unwrap();
    drop(conn);
    let out = desk.eacdesk().args(["audit"]).assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let line = |id: &str| -> String {
        (text.lines())
            .find(|l| l.split_whitespace().any(|w| w == id))
            .unwrap_or_else(|| panic!("no record of {id}: {text}"))
            .to_owned()
    };
    // The columns: #, at, who, id, …
    let blank = line("e-01");
    let cells: Vec<&str> = blank.split_whitespace().collect();
    assert_eq!(cells[2..4], [login.as_str(), "e-01"], "{text}");
    assert!(
        line("e-02").contains(&format!("Z  Ana López ({login})  ")),
        "{text}"
    );
}

// ------------------------------------------------------------ session 33

/// A refusal's stderr, after checking its exit code.
fn refused_with(mut cmd: Command, code: i32) -> String {
    let out = cmd.assert().code(code);
    String::from_utf8_lossy(&out.get_output().stderr).into_owned()
}

#[test]
fn a_trigger_swallowing_audit_records_refuses_writes_verification_and_packs() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    rusqlite::Connection::open(db(&desk))
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER zz_swallow BEFORE INSERT ON audit_log BEGIN SELECT RAISE(IGNORE); END",
        )
        .unwrap();
    let before = std::fs::read(db(&desk)).unwrap();
    let named = "a trigger EAC Desk did not make (zz_swallow on audit_log)";
    for args in [
        &[
            "beneficiaries",
            "set",
            "e-01",
            "--type",
            "general",
            "--reason",
            "looks audited",
        ][..],
        &["delete", "e-02", "--reason", "kept in the audit log?"],
        &[
            "period",
            "close",
            "--from",
            "2024-01-01",
            "--to",
            "2024-12-31",
            "--reason",
            "x",
        ],
    ] {
        let mut cmd = desk.eacdesk();
        cmd.args(args);
        let stderr = refused_with(cmd, 2);
        assert!(stderr.contains(named), "{args:?}: {stderr}");
        assert!(stderr.contains("nothing was changed"), "{stderr}");
        assert!(!stderr.contains("(audit record"), "{stderr}");
    }
    assert_eq!(std::fs::read(db(&desk)).unwrap(), before, "nothing written");
    // The break lies after the records (none of them is wrong), and is
    // said so, never as "the 2nd of 1 record".
    desk.eacdesk()
        .args(["audit", "verify"])
        .assert()
        .code(1)
        .stdout(contains(named))
        .stdout(contains("(the log holds no record)"));
    let mut pack = desk.eacdesk();
    pack.args(["pack", "--out", "pk"]);
    assert!(refused_with(pack, 2).contains("zz_swallow on audit_log"));
    assert!(!desk.path("pk").exists());
}

/// The newest record deleted (its protection dropped first) breaks the
/// chain after the records that are left, and is said so, never as "the
/// 3rd of 2 records".
#[test]
fn the_newest_record_deleted_is_said_to_break_the_chain_after_the_last() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    for name in ["Other", "Another", "A third"] {
        desk.eacdesk()
            .args(["set", "e-01", &format!("destination_name={name}")])
            .args(["--reason", "renamed"])
            .assert()
            .success();
    }
    rusqlite::Connection::open(db(&desk))
        .unwrap()
        .execute_batch(
            "DROP TRIGGER audit_log_no_delete;
             DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log);",
        )
        .unwrap();
    desk.eacdesk()
        .args(["audit", "verify"])
        .assert()
        .code(1)
        .stdout(contains(
            "the chain breaks at record 3 (after the last of its 2 records)",
        ))
        .stdout(contains("Record 3 is missing"));
}

#[test]
fn a_closed_period_lifted_in_its_table_is_named_by_verify_and_pack_and_still_freezes() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    desk.eacdesk()
        .args([
            "period",
            "close",
            "--from",
            "2024-01-01",
            "--to",
            "2024-12-31",
        ])
        .args(["--reason", "2024 filed with the regulator"])
        .assert()
        .success();
    desk.eacdesk().args(["audit", "verify"]).assert().success();
    rusqlite::Connection::open(db(&desk))
        .unwrap()
        .execute_batch("DELETE FROM closed_periods")
        .unwrap();
    desk.eacdesk()
        .args(["audit", "verify"])
        .assert()
        .code(1)
        .stdout(contains("the chain breaks at record 1 (the 1st of 1 record)"))
        .stdout(contains(
            "Period 1 (2024-01-01 to 2024-12-31), closed by audit record 1, is missing from the closed periods",
        ));
    let mut edit = desk.eacdesk();
    edit.args(["set", "e-01", "destination_name=Other", "--reason", "x"]);
    let stderr = refused_with(edit, 1);
    assert!(
        stderr.contains("another program changed the closed periods table to lift it"),
        "{stderr}"
    );
    let mut pack = desk.eacdesk();
    pack.args(["pack", "--out", "pk"]);
    assert!(refused_with(pack, 2).contains("is missing from the closed periods"));
}

#[test]
fn a_period_closed_to_the_last_day_there_is_counts_its_eacs() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    let eacs = desk.count();
    desk.eacdesk()
        .args([
            "period",
            "close",
            "--from",
            "2000-01-01",
            "--to",
            "9999-12-31",
        ])
        .args(["--reason", "everything filed"])
        .assert()
        .success()
        .stdout(contains(format!("({eacs} EACs frozen)")));
    assert!(eacs > 0);
    assert_eq!(desk.json(&["period", "ls"])[0]["eac_count"], eacs);
}

// ------------------------------------------------------------ session 34

/// Tester's report 34, bug 4: `--dry-run` with one EAC id changed the EAC
/// (the help said "with --all-matching", yet the flag was taken): a dry
/// run of one EAC only looks, as of many, and says what it would do.
#[test]
fn a_dry_run_of_one_eac_changes_nothing() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    let before = std::fs::read(db(&desk)).unwrap();
    let shown = desk.json(&["show", "e-01"]);
    desk.eacdesk()
        .args(["beneficiaries", "set", "e-01", "--type", "program"])
        .args(["--id", "P-1", "--reason", "only looking", "--dry-run"])
        .assert()
        .success()
        .stdout(contains(
            "1 EAC matches; 1 would be set to program: P-1 (0 already have these \
             beneficiaries). Nothing was changed (--dry-run).",
        ))
        .stdout(contains("audit record").not());
    let out = desk
        .eacdesk()
        .args(["beneficiaries", "set", "e-01", "--type", "program"])
        .args([
            "--id",
            "P-1",
            "--reason",
            "only looking",
            "--dry-run",
            "--json",
        ])
        .assert()
        .success();
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(
        report,
        serde_json::json!({"matching": 1, "changed": 1, "dry_run": true, "warnings": []})
    );
    desk.eacdesk()
        .args(["verify", "e-01", "--dry-run"])
        .assert()
        .success()
        .stdout(contains(
            "1 EAC would be marked as verified; nothing was changed (--dry-run).",
        ));
    // The same refusals as the change itself.
    desk.eacdesk()
        .args(["verify", "no-such", "--dry-run"])
        .assert()
        .code(2)
        .stderr(contains("There is no EAC with id `no-such`"));
    desk.eacdesk()
        .args(["beneficiaries", "set", "e-01", "--type", "general"])
        .args(["--reason", "x", "--dry-run", "--if-version", "999"])
        .assert()
        .code(2)
        .stderr(contains("Version 999 was never a version of EAC"));
    assert_eq!(std::fs::read(db(&desk)).unwrap(), before, "nothing written");
    assert_eq!(desk.json(&["audit"]), serde_json::json!([]));
    assert_eq!(desk.json(&["show", "e-01"]), shown);
    // Without --dry-run the change is made and audited, as before.
    desk.eacdesk()
        .args(["beneficiaries", "set", "e-01", "--type", "program"])
        .args(["--id", "P-1", "--reason", "now"])
        .assert()
        .success()
        .stdout(contains("Changed the beneficiaries of e-01"));
    desk.eacdesk()
        .args(["beneficiaries", "set", "e-01", "--type", "program"])
        .args(["--id", "P-1", "--reason", "again", "--dry-run"])
        .assert()
        .success()
        .stdout(contains(
            "The beneficiaries of e-01 are program: P-1 already: no change; it would be \
             recorded as reviewed. Nothing was changed (--dry-run).",
        ));
    assert_eq!(desk.json(&["audit"]).as_array().unwrap().len(), 1);
}

/// Tester's report 34, bug 5: a trigger another tool put on
/// `closed_periods` swallowed the new period's row, and `period close`
/// failed with "Query returned no rows" instead of naming the trigger as
/// every other audited change does.
#[test]
fn a_trigger_on_closed_periods_is_named_by_period_close() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    rusqlite::Connection::open(db(&desk))
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER zz BEFORE INSERT ON closed_periods BEGIN SELECT RAISE(IGNORE); END",
        )
        .unwrap();
    let before = std::fs::read(db(&desk)).unwrap();
    let mut close = desk.eacdesk();
    close.args([
        "period",
        "close",
        "--from",
        "2020-01-01",
        "--to",
        "2020-01-31",
    ]);
    close.args(["--reason", "x"]);
    let stderr = refused_with(close, 2);
    assert!(
        stderr.contains("a trigger EAC Desk did not make (zz on closed_periods)"),
        "{stderr}"
    );
    assert!(stderr.contains("DROP TRIGGER \"zz\";"), "{stderr}");
    assert!(stderr.contains("nothing was changed"), "{stderr}");
    assert!(!stderr.contains("no rows"), "{stderr}");
    assert_eq!(std::fs::read(db(&desk)).unwrap(), before, "nothing written");
}

// ------------------------------------------------------------ tester 37

/// The Ofgem certificates sample of `crates/eac-registry/tests/fixtures`
/// copied into the desk's folder as `name`, with `edit` applied to its text.
fn ofgem_copy(desk: &Desk, name: &str, edit: impl Fn(&str) -> String) -> String {
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../eac-registry/tests/fixtures/ofgem/certificates-sample.csv");
    let text = std::fs::read_to_string(sample).unwrap();
    std::fs::write(desk.path(name), edit(&text)).unwrap();
    name.to_owned()
}

/// Its first certificate range (Drax, March 2023), issued on 10/11/2023.
const DRAX: &str = "ofgem:G01821BWEN0000000000010323310323GEN..G01821BWEN0000004999010323310323GEN";

/// `audit ID` as printed, and `audit ID --json`.
fn audit_of(desk: &Desk, id: &str) -> (String, Vec<Value>) {
    let out = desk.eacdesk().args(["audit", id]).assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let json = desk.json(&["audit", id]).as_array().unwrap().clone();
    (text, json)
}

/// Tester 37, finding 2: a registry EAC (no beneficiary type: its record's
/// `after` side is `{}`) given its earlier version back by an undo was
/// logged "removed by undoing import 2", as an EAC taken out is. The record
/// says what it did: restored, with what changed, and `removed` in --json.
#[test]
fn an_undo_giving_a_registry_eac_its_earlier_version_back_says_restored() {
    let desk = Desk::new();
    let first = ofgem_copy(&desk, "a.csv", str::to_owned);
    let restated = ofgem_copy(&desk, "restated.csv", |t| {
        t.replacen("Issued,10/11/2023", "Redeemed,01/12/2023", 1)
    });
    desk.eacdesk().args(["import", &first]).assert().success();
    desk.eacdesk()
        .args(["import", &restated])
        .assert()
        .success()
        .stdout(contains("1 replaced"));
    desk.eacdesk()
        .args([
            "undo-import",
            "2",
            "--reason",
            "restatement was a draft",
            "--yes",
        ])
        .assert()
        .success();
    assert!(desk.ids(&[]).iter().any(|id| id == DRAX));
    let (text, json) = audit_of(&desk, DRAX);
    let line = text
        .lines()
        .find(|l| l.contains("restatement was a draft"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.contains("restored by undoing import 2 (restated.csv): "),
        "{line}"
    );
    assert!(line.contains("eacdesk_status"), "{line}");
    assert!(!text.contains("removed by"), "{text}");
    let undo = &json[0];
    assert_eq!(undo["action"], "undo_import");
    assert_eq!(undo["removed"], false, "{undo}");
    assert!(undo["after"].is_null(), "no beneficiary type: {undo}");
    assert!(undo["after_state"].is_object(), "{undo}");

    // An EAC the undone import added is said to be removed.
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    desk.eacdesk()
        .args(["undo-import", "1", "--reason", "wrong file", "--yes"])
        .assert()
        .success();
    let (text, json) = audit_of(&desk, "e-01");
    assert!(text.contains("removed by undoing import 1 ("), "{text}");
    assert_eq!(json[0]["removed"], true, "{}", json[0]);
}

/// Tester 37, finding 1: undoing the import of a second copy of a registry
/// report (0 added, 0 replaced, 10 unchanged) took the copy off the 10
/// EACs as a source with no audit record, and said (dry run too) that it
/// removed and restored nothing. It says what it unlinks, asks for --yes
/// as a change of many EACs does, and records each EAC with the reason.
#[test]
fn undoing_a_second_copy_of_a_report_says_and_records_what_it_unlinks() {
    let desk = Desk::new();
    let first = ofgem_copy(&desk, "a.csv", str::to_owned);
    let copy = ofgem_copy(&desk, "b.csv", |t| format!("{t}\n"));
    desk.eacdesk().args(["import", &first]).assert().success();
    desk.eacdesk()
        .args(["import", &copy])
        .assert()
        .success()
        .stdout(contains("0 EACs added, 0 replaced, 10 unchanged"));
    let undo = ["undo-import", "2", "--reason", "second copy"];
    desk.eacdesk()
        .args(undo)
        .arg("--dry-run")
        .assert()
        .success()
        .stdout(contains(
            "it would unlink its document from 10 EACs it found unchanged, which stay as they are.",
        ))
        .stdout(contains("Nothing was changed (--dry-run)."));
    let plan = desk.json(&["undo-import", "2", "--reason", "x", "--dry-run"]);
    assert_eq!(plan["unlinked"], 10, "{plan}");
    desk.eacdesk()
        .args(undo)
        .assert()
        .code(2)
        .stderr(contains("remove, restore or unlink 10 EACs"));
    assert_eq!(desk.json(&["audit"]).as_array().unwrap().len(), 0);
    desk.eacdesk()
        .args(undo)
        .arg("--yes")
        .assert()
        .success()
        .stdout(contains(
            "it unlinked its document from 10 EACs it found unchanged, which stay as they are.",
        ));
    desk.eacdesk()
        .args(["show", DRAX])
        .assert()
        .success()
        .stdout(contains("1 source document"));
    let log = desk.json(&["audit"]);
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 10, "{log:#?}");
    assert!(log.iter().all(|r| r["action"] == "undo_import"
        && r["reason"] == "second copy"
        && r["removed"] == false));
    let (text, _) = audit_of(&desk, DRAX);
    assert!(
        text.contains(
            "its document unlinked by undoing import 2 (b.csv): sources a.csv (line 2); \
             b.csv (line 2) → a.csv (line 2)"
        ),
        "{text}"
    );
}

/// Tester 41, finding 4: with the same report imported twice (the second
/// a re-save), undoing the first import took out the 10 EACs the second
/// one's document still states, its dry run said nothing of it, and
/// `imports` then said the second import had named its document as the
/// source of none. The undo and its dry run are refused (exit 2), naming
/// the later import to undo first; `imports` says the same; nothing
/// changes; undone newest first, both go through.
#[test]
fn undoing_a_report_a_later_import_still_states_is_refused_naming_it() {
    let desk = Desk::new();
    let first = ofgem_copy(&desk, "a.csv", str::to_owned);
    let copy = ofgem_copy(&desk, "b.csv", |t| format!("\u{feff}{t}\n"));
    desk.eacdesk().args(["import", &first]).assert().success();
    desk.eacdesk().args(["import", &copy]).assert().success();
    let said = "Import 1 (a.csv) cannot be undone: 10 EACs it added are also stated by a later \
                import's document, import 2 (b.csv): `ofgem:";
    let next = "Undoing it would take them out while that document still states them: undo \
                import 2 first, then this one, and import b.csv again if those EACs should stay.";
    for extra in ["--dry-run", "--yes"] {
        desk.eacdesk()
            .args(["undo-import", "1", "--reason", "wrong file", extra])
            .assert()
            .code(2)
            .stdout("")
            .stderr(contains(said))
            .stderr(contains(next))
            .stderr(contains(format!("`{DRAX}`")))
            .stderr(contains("Nothing was changed."));
    }
    desk.eacdesk()
        .arg("imports")
        .assert()
        .success()
        .stdout(contains("cannot be undone (see below)"))
        .stdout(contains(said))
        .stdout(contains(next));
    let listed = desk.json(&["imports"]);
    let refusal = &listed[1]["undo_refusal"];
    assert_eq!(refusal["code"], "conflict", "{listed}");
    assert_eq!(refusal["cds_eac_ids"].as_array().unwrap().len(), 10);
    assert_eq!(listed[0]["undoable"], true, "{listed}");
    desk.eacdesk()
        .args(["show", DRAX])
        .assert()
        .success()
        .stdout(contains("2 source documents"));
    assert_eq!(desk.json(&["audit"]).as_array().unwrap().len(), 0);

    // Newest first: the copy's document comes off, then the EACs go.
    for (batch, said) in [
        ("2", "it unlinked its document from 10 EACs"),
        ("1", "removed 10 EACs it added"),
    ] {
        desk.eacdesk()
            .args(["undo-import", batch, "--reason", "wrong file", "--yes"])
            .assert()
            .success()
            .stdout(contains(said));
    }
    assert_eq!(desk.count(), 0);

    // Both imported again, their EACs deleted: the copy's import is said
    // to leave nothing to undo in words true of it (it did name its
    // document as their source).
    desk.eacdesk().args(["import", &first]).assert().success();
    desk.eacdesk().args(["import", &copy]).assert().success();
    desk.eacdesk()
        .args(["delete", "--all-matching", "--reason", "gone", "--yes"])
        .assert()
        .success();
    desk.eacdesk()
        .arg("imports")
        .assert()
        .success()
        .stdout(contains(
            "Import 4 (b.csv) cannot be undone: it added no EAC and replaced none, and no \
             stored EAC names its document as a source now, so there is nothing to undo.",
        ));
}

/// Tester 37, finding 5: undoing an import whose EACs were all deleted
/// since set it "undone" (never to be undone again) with no record of who
/// asked or why. It is refused, saying why, and the import stays as it was.
#[test]
fn undoing_an_import_whose_eacs_were_all_deleted_is_refused_saying_why() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "2"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["delete", "--all-matching", "--reason", "gone", "--yes"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["undo-import", "1", "--reason", "tidy", "--yes"])
        .assert()
        .code(2)
        .stderr(contains(
            "cannot be undone: every EAC it added (2) has been deleted since, so there is \
             nothing to undo",
        ));
    // The list says so too, as the undo does (it said "can be undone").
    desk.eacdesk()
        .arg("imports")
        .assert()
        .success()
        .stdout(contains("cannot be undone (see below)"))
        .stdout(contains(
            "Import 1 (sample data (seed 1)) cannot be undone: every EAC it added (2) has been \
             deleted since, so there is nothing to undo",
        ))
        .stdout(contains("undone 20").not());
    let listed = desk.json(&["imports"]);
    assert_eq!(listed[0]["undoable"], false, "{listed:#}");
    assert_eq!(
        listed[0]["undo_refusal"]["code"], "invalid_input",
        "{listed:#}"
    );
    let log = desk.json(&["audit"]);
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .all(|r| r["action"] == "delete"),
        "{log:#?}"
    );
}

/// A desk holding two sample EACs (S1-0000000, S1-0000001) imported from
/// `two.json`, which stays there to be imported again.
fn two_imported() -> Desk {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "2", "--out", "two.json"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["import", "two.json"])
        .assert()
        .success();
    desk
}

/// Tester 37, finding 7: importing a file again after an EAC of it was
/// edited moved the EAC's `cds_synced` ("last checked against its
/// source", published by a P2 export) to the import's time with no record,
/// and `skipped_differing` read 0 though file and store differ. The EAC
/// keeps its time and is counted.
#[test]
fn an_edited_eac_imported_again_keeps_its_cds_synced_and_is_counted() {
    let desk = two_imported();
    let synced = |id: &str| desk.json(&["show", id])["cds_synced"].clone();
    let before = synced("S1-0000000");
    desk.eacdesk()
        .args(["set", "S1-0000000", "destination_name=Corrected Name"])
        .args(["--reason", "registry typo"])
        .assert()
        .success();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let report = desk.json(&["import", "two.json"]);
    let file = &report["files"][0];
    assert_eq!(
        (&file["skipped"], &file["skipped_differing"]),
        (&Value::from(2), &Value::from(1)),
        "{report}"
    );
    assert_eq!(
        synced("S1-0000000"),
        before,
        "edited since: not checked now"
    );
    assert_ne!(synced("S1-0000001"), before, "the same: checked now");
    desk.eacdesk()
        .args(["import", "two.json"])
        .assert()
        .success()
        .stdout(contains("2 skipped (1 differs)"));
}

/// Tester 37, finding 4: an EAC deleted with a reason came back silently
/// with the next import of the file, its history ending at "deleted". The
/// import warns naming it (text and --json), and `audit ID` shows it added
/// again, after the deletion and its reason.
#[test]
fn an_eac_deleted_with_a_reason_and_imported_again_is_said_and_recorded() {
    let desk = two_imported();
    desk.eacdesk()
        .args(["delete", "S1-0000001"])
        .args([
            "--reason",
            "duplicate of a registry statement; must not be claimed",
        ])
        .assert()
        .success();
    desk.eacdesk()
        .args(["import", "two.json"])
        .assert()
        .success()
        .stdout(contains("1 added"))
        .stderr(contains(
            "1 EAC deleted from this database before (or removed by undoing the import that \
             added it) is stored again by this file: `S1-0000001`.",
        ));
    let (text, json) = audit_of(&desk, "S1-0000001");
    let newest = text.lines().nth(1).unwrap_or_default();
    assert!(
        newest.contains("added again by import 2 (two.json) after its removal")
            && newest.contains("after its removal"),
        "{text}"
    );
    assert!(
        newest.contains("must not be claimed"),
        "the reason names the deletion: {text}"
    );
    assert_eq!(json[0]["action"], "import_readd");
    assert!(json[0]["before"].is_null() && json[0]["after_state"].is_object());
    assert_eq!(json[1]["action"], "delete");
    // In --json too (a dry run says it as well).
    desk.eacdesk()
        .args(["delete", "S1-0000001", "--reason", "again"])
        .assert()
        .success();
    let report = desk.json(&["import", "two.json", "--dry-run"]);
    assert_eq!(report["files"][0]["readded"], 1, "{report}");
    let first = &report["files"][0]["warnings"][0]["message"];
    assert!(first.as_str().unwrap().contains("`S1-0000001`"), "{report}");
}

/// Tester 39 (finding 4): after a change of 3,000 beneficiaries every
/// line of the `audit` table was padded to the change's 33,000
/// characters. The table shows at most two ids of a list (as `ls` does)
/// and cuts any longer cell, saying so and that `--json` has it whole.
#[test]
fn the_audit_table_cuts_long_cells_and_json_keeps_them_whole() {
    let desk = Desk::new();
    let doc = std::fs::read_to_string(example("good-p1-overview-monthly.json")).unwrap();
    let mut doc: Value = serde_json::from_str(&doc).unwrap();
    let long_id = "L".repeat(300);
    let mut ids: Vec<String> = vec![long_id.clone()];
    ids.extend((0..2999).map(|i| format!("ACC-{i:05}")));
    doc["eacs"][0]["beneficiary_type"] = "account".into();
    doc["eacs"][0]["beneficiaries"] = ids.into();
    std::fs::write(desk.path("many.json"), serde_json::to_string(&doc).unwrap()).unwrap();
    desk.eacdesk()
        .args(["import", "many.json"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["beneficiaries", "set", "99999999-dk3", "--type", "account"])
        .args(["--id", "ACC-1", "--reason", "fix"])
        .assert()
        .success();
    let out = desk.eacdesk().args(["audit"]).assert().success();
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines.iter().all(|l| l.chars().count() < 400),
        "{:?}",
        lines.iter().map(|l| l.len()).collect::<Vec<_>>()
    );
    let change = lines
        .iter()
        .find(|l| l.contains("fix"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        change.contains(&format!("{}…", "L".repeat(100))),
        "{change}"
    );
    assert!(!change.contains(&long_id), "{change}");
    assert_eq!(
        *lines.last().unwrap(),
        "1 cell longer than 160 characters is cut, ending in …; `eacdesk audit --json` gives every record whole."
    );
    // A change without a long id shows two ids of the list and a count.
    desk.eacdesk()
        .args(["beneficiaries", "set", "99999999-dk3", "--type", "account"])
        .args([
            "--id", "ACC-2", "--id", "ACC-3", "--id", "ACC-4", "--reason", "more",
        ])
        .assert()
        .success();
    let text = stdout(
        &desk
            .eacdesk()
            .args(["audit", "99999999-dk3"])
            .assert()
            .success(),
    );
    assert!(
        text.contains("account: ACC-1 → account: ACC-2, ACC-3 +1 more"),
        "{text}"
    );
    assert!(
        text.ends_with("`eacdesk audit 99999999-dk3 --json` gives every record whole.\n"),
        "{text}"
    );
    // The log itself keeps every id.
    let json = desk.json(&["audit"]);
    let set = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["reason"] == "fix")
        .unwrap();
    let before = set["before"]["beneficiaries"].as_array().unwrap();
    assert_eq!(before.len(), 3000);
    assert_eq!(before[0], long_id.as_str());
}
