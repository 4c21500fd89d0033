//! The CLI driven by scripts (tester's report 37): what a script reading
//! stdout, stderr and the exit code gets from the real binary on a real
//! database file.

use super::*;

fn audit_len(desk: &Desk) -> usize {
    desk.json(&["audit"]).as_array().unwrap().len()
}

/// Under `--json`, a change of many EACs refused for want of `--yes`
/// prints on stdout the plan a `--dry-run --json` prints (it printed the
/// text plan, or nothing), says the refusal on stderr and exits 2; nothing
/// is written.
#[test]
fn a_change_refused_for_want_of_yes_prints_its_plan_as_json() {
    let desk = sampled();
    let before = audit_len(&desk);
    let commands: [&[&str]; 6] = [
        &["delete", "--all-matching", "--reason", "r"],
        &["delete", "S5-0000001", "S5-0000002", "--reason", "r"],
        &[
            "set",
            "--all-matching",
            "destination_name=Q",
            "--reason",
            "r",
        ],
        &["undo-import", "1", "--reason", "r"],
        &["verify", "--all-matching"],
        &[
            "beneficiaries",
            "set",
            "--all-matching",
            "--type",
            "general",
            "--reason",
            "r",
        ],
    ];
    for args in commands {
        let refused = desk
            .eacdesk()
            .args(args)
            .arg("--json")
            .assert()
            .code(2)
            .stderr(contains("Run it again with --yes to confirm"));
        let said = stdout(&refused);
        let mut plan: Value = serde_json::from_str(&said)
            .unwrap_or_else(|e| panic!("{args:?}: stdout is not JSON ({e}): {said}"));
        let dry_run = desk
            .eacdesk()
            .args(args)
            .args(["--json", "--dry-run"])
            .assert()
            .success();
        let mut looked: Value = serde_json::from_slice(&dry_run.get_output().stdout).unwrap();
        // verify's plan carries the time it would record (`at`, and the
        // `cds_synced` it would store).
        for v in [&mut plan, &mut looked] {
            let v = v.as_object_mut().unwrap();
            v.remove("at");
            v.remove("cds_synced");
        }
        assert_eq!(plan, looked, "{args:?}");
        assert_eq!(plan["dry_run"], true, "{args:?}");
        assert!(!stderr(&refused).contains('{'), "{args:?}");
    }
    assert_eq!(audit_len(&desk), before);
    assert_eq!(desk.count(), 5);
}

/// Without `--json`, `undo-import` and `beneficiaries set` refused for want
/// of `--yes` say so as `set` does (decision 323): not "(dry run)", which
/// was not asked for, nor "setting them to …", which did not happen.
#[test]
fn a_change_refused_for_want_of_yes_says_why_not_dry_run() {
    let desk = sampled();
    let out = desk
        .eacdesk()
        .args(["undo-import", "1", "--reason", "r"])
        .assert()
        .code(2)
        .stderr(contains("Run it again with --yes to confirm"));
    let said = stdout(&out);
    assert!(said.starts_with("Undoing import 1 ("), "{said}");
    assert!(
        said.ends_with("Nothing was changed: --yes was not given.\n"),
        "{said}"
    );
    assert!(!said.contains("dry run"), "{said}");
    let out = desk
        .eacdesk()
        .args(["undo-import", "1", "--reason", "r", "--dry-run"])
        .assert()
        .success();
    assert!(
        stdout(&out).ends_with("Nothing was changed (--dry-run).\n"),
        "{}",
        stdout(&out)
    );

    let out = desk
        .eacdesk()
        .args([
            "beneficiaries",
            "set",
            "--all-matching",
            "--type",
            "general",
        ])
        .args(["--reason", "r"])
        .assert()
        .code(2)
        .stderr(contains("Run it again with --yes to confirm"));
    let said = stdout(&out);
    assert!(said.starts_with("5 EACs match; "), "{said}");
    assert!(!said.contains("setting them"), "{said}");
    assert!(
        said.ends_with(" Nothing was changed: --yes was not given.\n"),
        "{said}"
    );
    assert_eq!(desk.json(&["audit"]), serde_json::json!([]));
}

/// `verify ID` with filters is refused as `delete ID` and `set ID` with
/// filters are (exit 2, nothing written): it marked the EAC whatever the
/// filters said, so a script's guard (`verify "$ID" --source REG-1`)
/// passed when it did not hold.
#[test]
fn verify_of_one_id_refuses_filters_as_delete_and_set_do() {
    let desk = sampled();
    let id = "S5-0000002";
    let synced = desk.json(&["show", id])["cds_synced"].clone();
    for filter in [
        &["--source", "NO-SUCH-REGISTRY"][..],
        &["--technology", "hydro", "--where", "retired=yes"],
        &["--incomplete"],
    ] {
        for dry_run in [false, true] {
            let mut cmd = desk.eacdesk();
            cmd.args(["verify", id]).args(filter);
            if dry_run {
                cmd.arg("--dry-run");
            }
            cmd.assert()
                .code(2)
                .stdout("")
                .stderr(contains("filters apply only with --all-matching"));
        }
    }
    assert_eq!(desk.json(&["audit"]), serde_json::json!([]));
    assert_eq!(desk.json(&["show", id])["cds_synced"], synced);
    // Without filters it still marks the one EAC.
    desk.eacdesk()
        .args(["verify", id])
        .assert()
        .success()
        .stdout(contains("Marked 1 EAC as verified"));
    assert_eq!(audit_len(&desk), 1);
}

/// `verify --all-matching` and `delete --all-matching` through a filter
/// that matches nothing say so as `set` and `beneficiaries set` do
/// (decision 323), dry run or not: they said "Marked 0 EACs … recorded in
/// the audit log" and "Deleted 0 EACs; each is kept in the audit log",
/// where no audit record was written.
#[test]
fn a_filter_matching_nothing_says_nothing_changed_for_verify_and_delete() {
    let desk = sampled();
    let none = ["--all-matching", "--source", "NO-SUCH-REGISTRY"];
    for command in [&["verify"][..], &["delete", "--reason", "r"]] {
        for dry_run in [false, true] {
            let mut cmd = desk.eacdesk();
            cmd.args(command).args(none).arg("--yes");
            if dry_run {
                cmd.arg("--dry-run");
            }
            let expected = if dry_run {
                "No EAC matches the filter. Nothing was changed (--dry-run).\n"
            } else {
                "No EAC matches the filter; nothing changed.\n"
            };
            cmd.assert().success().stdout(expected);
        }
    }
    assert_eq!(desk.json(&["audit"]), serde_json::json!([]));
    assert_eq!(desk.count(), 5);
}

/// `ls --limit 0` asks for no row and gets none (decision 265: exactly the
/// rows asked for), on screen, in `--json` and `--csv`: it gave every row.
/// `--json` keeps the count and the total, the one use of it.
#[test]
fn ls_limit_0_gives_no_row() {
    let desk = sampled();
    let csv = desk
        .eacdesk()
        .args(["ls", "--limit", "0", "--csv"])
        .assert()
        .success();
    assert_eq!(stdout(&csv).lines().count(), 1, "{}", stdout(&csv));
    let listing = desk.json(&["ls", "--limit", "0"]);
    assert_eq!(listing["rows"], serde_json::json!([]));
    assert_eq!(listing["summary"]["count"], 5);
    let text = desk
        .eacdesk()
        .args(["ls", "--limit", "0"])
        .assert()
        .success()
        .stderr("");
    let said = stdout(&text);
    assert!(
        said.starts_with("None shown (--limit 0) of 5 EACs matching · total "),
        "{said}"
    );
    assert!(!said.contains("S5-"), "{said}");
}

/// `ls --limit N` above the 1000 rows shown at a time says on stderr that
/// the rows were cut and how to get the rest, in text and `--json` alike
/// (`--json` gave 1000 rows without a word); when none were cut, nothing.
#[test]
fn ls_says_when_its_page_cut_the_rows_asked_for() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "1003", "--seed", "7"])
        .assert()
        .success();
    let cut = "warning: only 1000 of the 1002 rows asked for are shown";
    let out = desk
        .eacdesk()
        .args(["ls", "--limit", "1002", "--json"])
        .assert()
        .success()
        .stderr(contains(cut))
        .stderr(contains("--offset 1000"));
    let listing: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(listing["rows"].as_array().unwrap().len(), 1000);
    assert_eq!(listing["summary"]["count"], 1003);
    desk.eacdesk()
        .args(["ls", "--limit", "1002"])
        .assert()
        .success()
        .stderr(contains(cut))
        .stderr(contains(
            "`--csv` or `--xlsx FILE` write every row asked for",
        ));
    // All that was asked for was shown: no word.
    for args in [
        &["ls", "--limit", "1000", "--json"][..],
        &["ls", "--limit", "5000", "--offset", "1000", "--json"],
    ] {
        desk.eacdesk().args(args).assert().success().stderr("");
    }
    // --csv writes every row asked for.
    let csv = desk
        .eacdesk()
        .args(["ls", "--limit", "1002", "--csv"])
        .assert()
        .success()
        .stderr("");
    assert_eq!(stdout(&csv).lines().count(), 1 + 1002);
}

/// `audit ID` of an id that is neither stored nor named by any audit
/// record is refused as `show` refuses it (exit 2, nothing on stdout): it
/// answered "No changes recorded" (exit 0), so a script checking that an
/// EAC was never changed passed on a mistyped id. A stored EAC never
/// changed, and a deleted EAC's records, are answered as before.
#[test]
fn audit_of_an_id_never_stored_nor_recorded_is_not_found() {
    let desk = sampled();
    for json in [false, true] {
        let mut cmd = desk.eacdesk();
        cmd.args(["audit", "s5-0000001"]);
        if json {
            cmd.arg("--json");
        }
        cmd.assert().code(2).stdout("").stderr(contains(
            "error: No EAC with id `s5-0000001` is stored or recorded in the audit log. Check \
             the id (it is case-sensitive",
        ));
    }
    desk.eacdesk().args(["show", "s5-0000001"]).assert().code(2);
    // Stored, never changed.
    desk.eacdesk()
        .args(["audit", "S5-0000001"])
        .assert()
        .success()
        .stdout("No changes recorded for S5-0000001.\n");
    assert_eq!(desk.json(&["audit", "S5-0000001"]), serde_json::json!([]));
    // Deleted: no longer stored, its records still shown.
    desk.eacdesk()
        .args(["delete", "S5-0000002", "--reason", "imported twice"])
        .assert()
        .success();
    let records = desk.json(&["audit", "S5-0000002"]);
    assert_eq!(records.as_array().unwrap().len(), 1, "{records}");
    desk.eacdesk()
        .args(["audit", "S5-0000002"])
        .assert()
        .success()
        .stdout(contains("imported twice"));
}

/// Each file `import` (and `refdata import`) refuses is an `error:` line
/// on stderr, as every other command's error is: a log's `grep '^error:'`
/// missed them ("nonexist.json does not exist …").
#[test]
fn an_import_says_each_refused_file_as_an_error_line() {
    let desk = sampled();
    std::fs::write(desk.path("junk.txt"), "junk\n").unwrap();
    let out = desk
        .eacdesk()
        .args(["import", "nonexist.json", "junk.txt", "s5.json"])
        .assert()
        .code(2);
    let said = stderr(&out);
    // Each refusal, then the line naming the files imported and not.
    let refusals: Vec<&str> = said
        .lines()
        .filter(|l| l.contains("nonexist.json") || l.contains("junk.txt"))
        .collect();
    assert_eq!(refusals.len(), 3, "{said}");
    assert!(refusals[2].contains("files given"), "{said}");
    for line in refusals {
        assert!(line.starts_with("error: "), "{line}");
    }
    let out = desk
        .eacdesk()
        .args(["refdata", "import", "junk.txt"])
        .assert()
        .failure();
    assert!(
        stderr(&out).starts_with("error: junk.txt: not a reference-data file"),
        "{}",
        stderr(&out)
    );
}

/// An output name that is not UTF-8 is refused naming the option it was
/// given to (clap said only "invalid UTF-8 was detected in one or more
/// arguments"); nothing is written.
#[cfg(unix)]
#[test]
fn an_output_name_that_is_not_utf8_is_refused_naming_its_option() {
    use std::os::unix::ffi::OsStrExt;
    let desk = sampled();
    let name = std::ffi::OsStr::from_bytes(b"out-\xff.json");
    for (args, option) in [
        (
            &["export", "--profile", "p1", "--out"][..],
            "'--out <FILE|DIR>'",
        ),
        (&["ls", "--xlsx"], "'--xlsx <FILE>'"),
        (&["sample", "--eacs", "1", "--out"], "'--out <FILE>'"),
    ] {
        desk.eacdesk()
            .args(args)
            .arg(name)
            .assert()
            .code(2)
            .stdout("")
            .stderr(contains(format!(
                "for {option}: the name is not valid UTF-8"
            )));
    }
    assert!(!entries(desk.dir.path())
        .iter()
        .any(|n| n.starts_with("out-")));
}

/// The same mistake gets the same exit code, the one README's contract
/// gives it: a file given as reference data that is none is "a document
/// EAC Desk does not read" (1, as `import` of it; it was 2), and an
/// emission factor that is no amount given to `set` breaks a rule of the
/// data (1, as `set-emissions` says the same number; it was 2). A usage
/// mistake beside it still makes it 2.
#[test]
fn the_same_mistake_gets_the_same_exit_code_in_each_command() {
    let desk = sampled();
    std::fs::write(desk.path("junk.txt"), "junk\n").unwrap();
    desk.eacdesk().args(["import", "junk.txt"]).assert().code(1);
    desk.eacdesk()
        .args(["refdata", "import", "junk.txt"])
        .assert()
        .code(1)
        .stderr(contains("junk.txt: not a reference-data file"));
    // A folder or a missing file cannot be read: 2 for both.
    for args in [
        &["refdata", "import", "nonexist.csv"][..],
        &["import", "nonexist.csv"],
    ] {
        desk.eacdesk().args(args).assert().code(2);
    }
    let id = "S5-0000001";
    desk.eacdesk()
        .args(["set-emissions", id, "--direct", "abc", "--lca", "1"])
        .args(["--reason", "r"])
        .assert()
        .code(1);
    desk.eacdesk()
        .args(["set", id, "emissions_factor_direct=abc", "--reason", "r"])
        .assert()
        .code(1)
        .stderr(contains("emissions_factor_direct `abc` is not a number"));
    desk.eacdesk()
        .args(["set", id, "emissions_factor_lca=-1", "--reason", "r"])
        .assert()
        .code(1);
    desk.eacdesk()
        .args(["set", id, "emissions_factor_direct=abc", "retired=x"])
        .args(["--reason", "r"])
        .assert()
        .code(2);
    assert_eq!(desk.json(&["audit"]), serde_json::json!([]));
}

/// `--help` says what a script needs: the exit codes (they were only in
/// README.md), that `validate` exits 1 for an invalid file, and what
/// happens to the other files when one of several fails (`import` goes on,
/// `refdata import` stops).
#[test]
fn help_says_the_exit_codes_and_what_several_files_do() {
    let help = |args: &[&str]| {
        let out = Desk::new()
            .bare()
            .args(args)
            .arg("--help")
            .assert()
            .success();
        stdout(&out)
    };
    let top = help(&[]);
    for said in [
        "Exit codes: 0 done; 1 the data breaks a rule",
        "2 anything else (usage",
        "130 interrupted",
        "141 the reader of the output went away",
    ] {
        assert!(top.contains(said), "{said}: {top}");
    }
    let validate = help(&["validate"]);
    assert!(
        validate.contains("Exit codes: 0 valid for the profile"),
        "{validate}"
    );
    assert!(validate.contains("1 not valid"), "{validate}");
    let import = help(&["import"]);
    assert!(
        import.contains("each file is its own transaction")
            && import.contains("the files after it are still tried"),
        "{import}"
    );
    let refdata = help(&["refdata", "import"]);
    assert!(
        refdata.contains("stops at the first file refused")
            && refdata.contains("the files after it are not tried"),
        "{refdata}"
    );
}

/// `beneficiaries set` of a type other than `general` with no `--id`
/// warns as `set` warns (rule 22, decision 322): on stdout in text and in
/// `warnings` under `--json`, one EAC or many, dry run or not. A forgotten
/// `--id` emptied the list with no word; the change itself still goes
/// through (rule 22 only warns).
#[test]
fn beneficiaries_set_without_ids_warns_rule_22_as_set_does() {
    let desk = sampled();
    let warned = "beneficiary type `customer` with no beneficiaries listed";
    let out = desk
        .eacdesk()
        .args(["beneficiaries", "set", "S5-0000003", "--type", "customer"])
        .args(["--reason", "new owner"])
        .assert()
        .success();
    assert!(
        stdout(&out).contains(&format!(
            "warning (rule 22) at /beneficiaries [EAC S5-0000003]: {warned}"
        )),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        desk.json(&["show", "S5-0000003"])["beneficiary_type"],
        "customer"
    );
    let warnings = |v: &Value| -> Vec<String> {
        v["warnings"]
            .as_array()
            .unwrap_or_else(|| panic!("no warnings in {v}"))
            .iter()
            .map(|w| w["message"].as_str().unwrap().to_owned())
            .collect()
    };
    for args in [
        &["S5-0000004"][..],
        &["S5-0000004", "--dry-run"],
        &["--all-matching", "--technology", "solar", "--yes"],
        &["--all-matching", "--yes", "--dry-run"],
        &["--all-matching"],
    ] {
        let out = desk
            .eacdesk()
            .args(["beneficiaries", "set", "--type", "customer"])
            .args(args)
            .args(["--reason", "r", "--json"])
            .assert();
        let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        assert_eq!(warnings(&v), vec![warned.to_owned()], "{args:?}: {v}");
    }
    // The audit record is still the object printed for one EAC.
    let v = desk.json(&[
        "beneficiaries",
        "set",
        "S5-0000000",
        "--type",
        "account",
        "--id",
        "A-1",
        "--reason",
        "r",
    ]);
    assert_eq!(v["cds_eac_id"], "S5-0000000");
    assert!(warnings(&v).is_empty(), "{v}");
    let out = desk
        .eacdesk()
        .args(["beneficiaries", "set", "S5-0000000", "--type", "general"])
        .args(["--reason", "r"])
        .assert()
        .success();
    assert!(!stdout(&out).contains("rule 22"), "{}", stdout(&out));
}

/// A P1 or P2 export refused for rule violations prints, under `--json`,
/// `{ errors, warnings }` on stdout as `validate --json` does (it printed
/// nothing there), exit 1, the refusal still on stderr; nothing is written.
#[test]
fn a_refused_export_prints_its_violations_as_json_as_validate_does() {
    let desk = Desk::new();
    desk.import(&["bad-p1-todo-emissions.json"]);
    for (profile, out) in [("p1", "e.json"), ("p2", "bundle")] {
        let refused = desk
            .eacdesk()
            .args(["export", "--profile", profile, "--out", out, "--json"])
            .assert()
            .code(1)
            .stderr(contains("Nothing was exported"));
        let said = stdout(&refused);
        let v: Value = serde_json::from_str(&said)
            .unwrap_or_else(|e| panic!("{profile}: stdout is not JSON ({e}): {said}"));
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        assert_eq!(keys, ["errors", "warnings"], "{profile}: {v}");
        let errors = v["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 2, "{profile}: {v}");
        assert_eq!(errors[0]["rule"], 6, "{profile}: {v}");
        assert_eq!(errors[0]["cds_eac_id"], "101010101-10", "{profile}: {v}");
        assert!(!desk.path(out).exists(), "{profile}");
    }
}

/// A dry run changes nothing, so `delete`, `beneficiaries set` and
/// `undo-import` with `--dry-run` need no `--reason` (as `set --dry-run`
/// did not): they were refused by clap for want of one. The dry run says
/// that the change itself needs one (a hint on stderr under `--json`),
/// and the change without one is still refused, nothing written.
#[test]
fn a_dry_run_needs_no_reason_and_says_the_change_does() {
    let desk = sampled();
    let needed =
        "To make the change, run it again without --dry-run and with --reason TEXT (kept in the audit log).\n";
    let commands: [&[&str]; 6] = [
        &["delete", "--all-matching"],
        &["delete", "S5-0000001"],
        &[
            "beneficiaries",
            "set",
            "--all-matching",
            "--type",
            "general",
        ],
        &["beneficiaries", "set", "S5-0000001", "--type", "general"],
        &["undo-import", "1"],
        &["set", "--all-matching", "destination_name=Q"],
    ];
    for args in commands {
        let out = desk
            .eacdesk()
            .args(args)
            .arg("--dry-run")
            .assert()
            .success();
        let said = stdout(&out);
        assert!(said.ends_with(needed), "{args:?}: {said}");
        assert!(said.contains("(--dry-run)"), "{args:?}: {said}");
        // Under --json: stdout JSON only, the hint on stderr.
        let out = desk
            .eacdesk()
            .args(args)
            .args(["--dry-run", "--json"])
            .assert()
            .success();
        let plan: Value = serde_json::from_str(&stdout(&out))
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", stdout(&out)));
        assert_eq!(plan["dry_run"], true, "{args:?}: {plan}");
        assert!(
            stderr(&out).contains(&format!("hint: {needed}")),
            "{args:?}: {}",
            stderr(&out)
        );
        // A reason given: no hint.
        let out = desk
            .eacdesk()
            .args(args)
            .args(["--dry-run", "--reason", "r"])
            .assert()
            .success();
        assert!(!stdout(&out).contains("--reason TEXT"), "{args:?}");
        // The change itself still needs one.
        desk.eacdesk()
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(contains("--reason <TEXT>"));
    }
    assert_eq!(desk.json(&["audit"]), serde_json::json!([]));
    assert_eq!(desk.count(), 5);
}

/// `-` given as an input (a file to import or validate, reference data,
/// consumption, a mapping, a pack's folder, `--details-from`, the
/// database) is refused saying that standard input is not read and to give
/// a path: it was looked for as a file and "does not exist" (and `--db -`
/// made a database file named `-`). A file named `-` is read as `./-`.
#[test]
fn a_dash_as_an_input_says_standard_input_is_not_read() {
    let desk = sampled();
    std::fs::write(desk.path("m.json"), "{}").unwrap();
    let inputs: [&[&str]; 11] = [
        &["import", "-"],
        &["import", "s5.json", "-"],
        &["import", "--details-from", "-", "s5.json"],
        &["validate", "--profile", "p1", "-"],
        &[
            "validate",
            "--profile",
            "p2",
            "--details-from",
            "-",
            "s5.json",
        ],
        &["refdata", "import", "-"],
        &["consumption", "import", "-"],
        &["mapping", "save", "m", "-"],
        &["mapping", "preview", "-", "--mapping-file", "m.json"],
        &["pack", "verify", "-"],
        &["pack", "diff", "-"],
    ];
    let before = entries(desk.dir.path());
    for args in inputs {
        desk.eacdesk()
            .args(args)
            .write_stdin("")
            .assert()
            .code(2)
            .stdout("")
            .stderr(contains(
                "reading standard input (`-`) is not supported; give the path of the file or \
                 folder to read (a file named `-`: ./-)",
            ))
            .stderr(contains("does not exist").not());
    }
    for args in [
        &["--db", "-", "ls"][..],
        &["copy", "--from", "-", "--to", "c.sqlite"],
    ] {
        desk.bare()
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(contains(
                "a database is a file or a server's address, and standard input or output (`-`) is neither",
            ));
    }
    assert_eq!(entries(desk.dir.path()), before);
    assert_eq!(desk.json(&["audit"]), serde_json::json!([]));
    // A file named `-` is read by its path.
    std::fs::copy(desk.path("s5.json"), desk.path("-")).unwrap();
    desk.eacdesk()
        .args(["validate", "--profile", "p1", "./-"])
        .assert()
        .success();
}

/// `verify` and `delete` refused for want of `--yes` end on stdout, as
/// `set`, `beneficiaries set` and `undo-import` do (decision 323), with
/// what they would do and "Nothing was changed: --yes was not given.":
/// `verify` printed nothing and `delete` only the ids, so the text alone
/// did not say that nothing happened or why. Exit 2, stderr says how to
/// confirm.
#[test]
fn verify_and_delete_refused_for_want_of_yes_say_why_on_stdout() {
    let desk = sampled();
    for (args, said) in [
        (
            &["verify", "--all-matching"][..],
            "5 EACs would be marked as verified. Nothing was changed: --yes was not given.\n",
        ),
        (
            &["delete", "--all-matching", "--reason", "r"],
            "5 EACs would be deleted. Nothing was changed: --yes was not given.\n",
        ),
        (
            &["delete", "S5-0000001", "S5-0000002", "--reason", "r"],
            "S5-0000001, S5-0000002\n2 EACs would be deleted. Nothing was changed: --yes was not given.\n",
        ),
    ] {
        let out = desk
            .eacdesk()
            .args(args)
            .assert()
            .code(2)
            .stderr(contains(
                "nothing was changed. Run it again with --yes to confirm (or --dry-run to only look).",
            ));
        assert!(stdout(&out).ends_with(said), "{args:?}: {}", stdout(&out));
    }
    assert_eq!(desk.json(&["audit"]), serde_json::json!([]));
    assert_eq!(desk.count(), 5);
}

/// `beneficiaries set ID` with filters is a usage error said before the
/// database is opened: on a missing `--db` it said there was no database
/// instead of the mistake (and a database named by mistake is not made).
#[test]
fn beneficiaries_set_of_one_id_with_filters_is_refused_before_the_database() {
    let desk = Desk::new();
    let db = desk.path("missing.sqlite");
    for dry_run in [false, true] {
        let mut cmd = desk.bare();
        cmd.arg("--db")
            .arg(&db)
            .args(["beneficiaries", "set", "S5-0000001", "--source", "REG-1"])
            .args(["--type", "general", "--reason", "r"]);
        if dry_run {
            cmd.arg("--dry-run");
        }
        cmd.assert()
            .code(2)
            .stdout("")
            .stderr(contains(
                "filters apply only with --all-matching; give either one CDS_EAC_ID or \
                 --all-matching with filters",
            ))
            .stderr(contains("no database").not());
        assert!(!db.exists(), "{}", db.display());
    }
    assert_eq!(entries(desk.dir.path()), Vec::<String>::new());
}

/// `ls --xlsx FILE --limit 0` is a usage error (decision B): `--limit 0`
/// is the count and total alone, and it wrote a workbook without EACs,
/// replacing FILE. Nothing is written; `--csv --limit 0` still prints the
/// header alone (`ls_limit_0_gives_no_row`).
#[test]
fn ls_xlsx_with_limit_0_is_refused_and_writes_nothing() {
    let desk = sampled();
    let refused = |name: &str| {
        desk.eacdesk()
            .args(["ls", "--xlsx", name, "--limit", "0"])
            .assert()
            .code(2)
            .stdout("")
            .stderr(contains(
                "--limit 0 lists no row (only the count and total, which `eacdesk ls --limit 0` \
                 prints), so --xlsx would write a workbook without EACs; nothing was written.",
            ));
    };
    refused("new.xlsx");
    assert!(!desk.path("new.xlsx").exists());
    desk.eacdesk()
        .args(["ls", "--xlsx", "kept.xlsx"])
        .assert()
        .success();
    let kept = std::fs::read(desk.path("kept.xlsx")).unwrap();
    refused("kept.xlsx");
    assert_eq!(std::fs::read(desk.path("kept.xlsx")).unwrap(), kept);
    // A page of rows is still written.
    desk.eacdesk()
        .args(["ls", "--xlsx", "two.xlsx", "--limit", "2"])
        .assert()
        .success()
        .stdout(contains("2 EACs"));
}
