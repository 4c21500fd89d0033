//! Edits that change nothing, versions an EAC never had, and bulk `set`s
//! that are not carried out (tester's report 35): what each says, from the
//! real binary on a real database file.

use super::*;

/// Decision 15: `beneficiaries set` and `set-emissions` with what the EAC
/// holds record the review and say "no change; recorded as reviewed", not
/// "Changed … X → X"; the EAC keeps its version and `cds_modified`, and
/// `undo-import` of the import that stored it is not refused.
#[test]
fn an_edit_that_changes_nothing_is_recorded_as_reviewed_and_blocks_no_undo() {
    let desk = sampled();
    let id = "S5-0000001";
    let shown = desk.json(&["show", id]);
    let kind = shown["beneficiary_type"].as_str().unwrap().to_owned();
    let ids: Vec<String> = (shown["beneficiaries"].as_array().unwrap().iter())
        .map(|b| b.as_str().unwrap().to_owned())
        .collect();
    let (direct, lca) = (
        shown["emissions_factor_direct"]
            .as_str()
            .unwrap()
            .to_owned(),
        shown["emissions_factor_lca"].as_str().unwrap().to_owned(),
    );
    let version = shown["version"].to_string();
    let mut set = desk.eacdesk();
    set.args(["beneficiaries", "set", id, "--type", &kind]);
    for b in &ids {
        set.args(["--id", b]);
    }
    let out = set
        .args(["--reason", "reviewed", "--if-version", &version])
        .assert()
        .success();
    let assignment = format!("{kind}: {}", ids.join(", "));
    assert_eq!(
        stdout(&out),
        format!(
            "The beneficiaries of {id} are {assignment} already: no change; recorded as \
             reviewed (audit record 1).\n"
        )
    );
    let out = desk
        .eacdesk()
        .args(["set-emissions", id, "--direct", &direct, "--lca", &lca])
        .args(["--reason", "factors checked", "--if-version", &version])
        .assert()
        .success();
    assert_eq!(
        stdout(&out),
        format!(
            "The emission factors of {id} are direct {direct}, LCA {lca} already: no change; \
             recorded as reviewed (audit record 2).\n"
        )
    );
    // The EAC is as it was, its version and cds_modified too.
    assert_eq!(desk.json(&["show", id]), shown);
    // The reviews are kept with their reasons, said to be reviews.
    let log = desk.json(&["audit", id]);
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 2);
    assert!(log.iter().all(|r| r["reviewed"] == true), "{log:?}");
    let out = desk.eacdesk().args(["audit", id]).assert().success();
    let table = stdout(&out);
    assert!(
        table.contains(&format!("beneficiaries reviewed, no change: {assignment}")),
        "{table}"
    );
    assert!(
        table.contains(&format!(
            "emission factors reviewed, no change: direct {direct} / LCA {lca}"
        )),
        "{table}"
    );
    // Nothing changed after import 1: it can be undone.
    desk.eacdesk()
        .args(["undo-import", "1", "--reason", "u", "--yes"])
        .assert()
        .success();
    assert_eq!(desk.count(), 0);
}

/// A one-EAC dry run says the change would be recorded as a review; other
/// factors (other text for the same number included) are a change.
#[test]
fn a_dry_run_says_a_review_and_other_factors_are_a_change() {
    let desk = sampled();
    let id = "S5-0000001";
    let shown = desk.json(&["show", id]);
    let kind = shown["beneficiary_type"].as_str().unwrap();
    let first = shown["beneficiaries"][0].as_str().unwrap();
    let many = shown["beneficiaries"].as_array().unwrap().len() > 1;
    assert!(!many, "S5-0000001 has one beneficiary: {shown}");
    desk.eacdesk()
        .args(["beneficiaries", "set", id, "--type", kind, "--id", first])
        .args(["--reason", "r", "--dry-run"])
        .assert()
        .success()
        .stdout(format!(
            "The beneficiaries of {id} are {kind}: {first} already: no change; it would be \
             recorded as reviewed. Nothing was changed (--dry-run).\n"
        ));
    let direct = shown["emissions_factor_direct"].as_str().unwrap();
    let lca = shown["emissions_factor_lca"].as_str().unwrap();
    // Written with one more zero: the stored text (and what exports write)
    // changes.
    let wider = format!("{direct}0");
    desk.eacdesk()
        .args(["set-emissions", id, "--direct", &wider, "--lca", lca])
        .args(["--reason", "as printed"])
        .assert()
        .success()
        .stdout(contains(format!(
            "Set the emission factors of {id}: direct {wider}, LCA {lca}"
        )));
    assert_eq!(desk.json(&["audit", id])[0]["reviewed"], false);
    desk.eacdesk()
        .args(["undo-import", "1", "--reason", "u", "--yes"])
        .assert()
        .code(2)
        .stderr(contains("1 EAC changed after it"));
}

/// `--if-version` with a version the EAC never had says so and names the
/// version it has, instead of a change "by an import" that never was.
#[test]
fn a_version_the_eac_never_had_is_named_as_such() {
    let desk = sampled();
    let id = "S5-0000001";
    let version = desk.json(&["show", id])["version"].as_i64().unwrap();
    for args in [
        vec!["set", id, "asset_origination=region"],
        vec!["beneficiaries", "set", id, "--type", "general"],
        vec!["set-emissions", id, "--direct", "1", "--lca", "1"],
    ] {
        for dry_run in [false, true] {
            if dry_run && args[0] == "set-emissions" {
                continue;
            }
            let mut cmd = desk.eacdesk();
            cmd.args(&args)
                .args(["--if-version", "999999", "--reason", "r"]);
            if dry_run {
                cmd.arg("--dry-run");
            }
            let out = cmd.assert().code(2);
            let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
            assert!(
                stderr.starts_with(&format!(
                    "error: Version 999999 was never a version of EAC REGO-202410-0000007 (id \
                     {id}): it is at version {version}; nothing was changed."
                )),
                "{args:?}: {stderr}"
            );
            assert!(!stderr.contains("stored again by an import"), "{stderr}");
        }
    }
    assert_eq!(desk.json(&["audit"]), serde_json::json!([]));
}

/// A bulk `set` without `--yes` says it changed nothing because `--yes`
/// was not given, not "(--dry-run)"; a filter that matches nothing says
/// so, for `set` and `beneficiaries set`, dry run or not.
#[test]
fn a_bulk_set_says_why_nothing_changed() {
    let desk = sampled();
    let out = desk
        .eacdesk()
        .args(["set", "--all-matching", "asset_origination=region"])
        .args(["--reason", "r"])
        .assert()
        .code(2)
        .stderr(contains("Run it again with --yes to confirm"));
    let said = stdout(&out);
    assert!(
        said.ends_with("Nothing was changed: --yes was not given.\n"),
        "{said}"
    );
    assert!(said.starts_with("5 EACs match; "), "{said}");
    assert!(!said.contains("--dry-run"), "{said}");
    let out = desk
        .eacdesk()
        .args(["set", "--all-matching", "asset_origination=region"])
        .args(["--reason", "r", "--dry-run"])
        .assert()
        .success();
    assert!(
        stdout(&out).ends_with("Nothing was changed (--dry-run).\n"),
        "{}",
        stdout(&out)
    );

    let none = ["--all-matching", "--search", "NO-SUCH-EAC"];
    for (args, dry_run) in [
        (vec!["set", "asset_origination=region"], false),
        (vec!["set", "asset_origination=region"], true),
        (
            vec!["beneficiaries", "set", "--type", "customer", "--id", "X"],
            false,
        ),
        (
            vec!["beneficiaries", "set", "--type", "customer", "--id", "X"],
            true,
        ),
    ] {
        let mut cmd = desk.eacdesk();
        cmd.args(&args).args(none).args(["--reason", "r", "--yes"]);
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
    assert_eq!(desk.json(&["audit"]), serde_json::json!([]));
}

/// Tester 39 (finding 6): `set` on an EAC complete before said "1 of them
/// now complete", and its dry run "1 of them then complete": only an EAC
/// the change completes is counted so, one complete before is said to be.
#[test]
fn set_counts_as_now_complete_only_an_eac_it_completed() {
    let desk = sampled();
    let complete = desk.json(&["ls", "--complete", "--limit", "0"]);
    assert_eq!(complete["summary"]["count"], 5, "the sample is complete");
    let out = desk
        .eacdesk()
        .args(["set", "S5-0000001", "asset_commissioned=2020-01-01"])
        .args(["--reason", "x", "--dry-run"])
        .assert()
        .success();
    let said = stdout(&out);
    assert!(
        said.starts_with("1 EAC matches; 1 would change, it was complete already."),
        "{said}"
    );
    let out = desk
        .eacdesk()
        .args(["set", "S5-0000001", "asset_commissioned=2020-01-01"])
        .args(["--reason", "x"])
        .assert()
        .success();
    let said = stdout(&out);
    assert!(
        said.starts_with(
            "1 EAC matches; changed 1 (0 already held these values), it was complete already; recorded in the audit log."
        ),
        "{said}"
    );
    assert!(
        !said.contains("now complete") && !said.contains("still lack"),
        "{said}"
    );
    let report = desk.json(&[
        "set",
        "--all-matching",
        "asset_commissioned=2019-01-01",
        "--reason",
        "x",
        "--yes",
    ]);
    assert_eq!(
        (report["changed"].as_u64(), report["now_complete"].as_u64()),
        (Some(5), Some(0)),
        "{report}"
    );
    assert_eq!(report["still_incomplete"], 0, "{report}");
}

/// EVID 42 (finding 8): the `audit` table showed a `set` only by its
/// field names ("set cds_modified, emissions_factor_lca") while every
/// other record shows its values. It shows each field with its values,
/// without the `cds_modified` stamp every change gets, and a long change
/// is cut with the note saying where the whole record is.
#[test]
fn audit_shows_what_set_changed_with_its_values() {
    let desk = sampled();
    let id = "S5-0000001";
    let shown = desk.json(&["show", id]);
    let text = |field: &str| shown[field].as_str().unwrap().to_owned();
    let (name, lca) = (text("destination_name"), text("emissions_factor_lca"));
    desk.eacdesk()
        .args([
            "set",
            id,
            "emissions_factor_lca=0.5",
            "destination_name=Grid Co",
        ])
        .args(["--reason", "factor fix"])
        .assert()
        .success();
    let table = stdout(&desk.eacdesk().args(["audit", id]).assert().success());
    assert!(
        table.contains(&format!(
            "set destination_name {name} → Grid Co; emissions_factor_lca {lca} → 0.5  factor fix"
        )),
        "{table}"
    );
    assert!(!table.contains("cds_modified"), "{table}");
    assert!(!table.contains("is cut"), "{table}");
    // The stamp is still in the record itself.
    let log = desk.json(&["audit", id]);
    assert!(
        (log[0]["changes"].as_array().unwrap().iter()).any(|c| c["field"] == "cds_modified"),
        "{log}"
    );

    let long = "L".repeat(200);
    desk.eacdesk()
        .args(["set", id, &format!("destination_name={long}")])
        .args(["--reason", "long name"])
        .assert()
        .success();
    let table = stdout(&desk.eacdesk().args(["audit", id]).assert().success());
    assert!(
        table.contains("set destination_name Grid Co → LLLL"),
        "{table}"
    );
    assert!(!table.contains(&long), "{table}");
    assert!(
        table.contains(&format!(
            "1 cell longer than 160 characters is cut, ending in …; `eacdesk audit {id} --json` \
             gives every record whole."
        )),
        "{table}"
    );
}

/// Tester 39 (finding 9): an import naming 60 beneficiary ids the stored
/// reference data does not hold printed 50 warnings of 300 characters
/// each, then "… and 11 more". The text lists the first 10 and says how
/// many more there are and what `--json` gives.
#[test]
fn import_lists_the_first_warnings_and_says_where_the_rest_are() {
    let desk = Desk::new();
    std::fs::write(
        desk.path("acc.json"),
        r#"{"accounts": [{"cds_account_id": "ACC-1", "customer_number": "C1", "account_number": "1", "name": "x"}], "next": null, "previous": null}"#,
    )
    .unwrap();
    desk.eacdesk()
        .args(["refdata", "import", "acc.json"])
        .assert()
        .success();
    let doc = std::fs::read_to_string(example("good-p1-overview-monthly.json")).unwrap();
    let mut doc: Value = serde_json::from_str(&doc).unwrap();
    doc["eacs"][0]["beneficiary_type"] = "account".into();
    doc["eacs"][0]["beneficiaries"] = (0..60)
        .map(|i| format!("ACC-X{i:02}"))
        .collect::<Vec<_>>()
        .into();
    std::fs::write(desk.path("ben.json"), serde_json::to_string(&doc).unwrap()).unwrap();
    let out = desk
        .eacdesk()
        .args(["import", "--dry-run", "ben.json"])
        .assert()
        .success();
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 12, "{err}");
    assert!(lines[0].starts_with("60 warnings in "), "{err}");
    assert!(lines[10].contains("`ACC-X09`"), "{err}");
    assert_eq!(
        lines[11],
        "… and 50 more; `import --json` lists the first 50 of the 60 (and counts them all)."
    );
    // --json is as it was: the first 50, all counted.
    let report = desk.json(&["import", "--dry-run", "ben.json"]);
    let file = &report["files"][0];
    assert_eq!(file["warnings"].as_array().unwrap().len(), 50);
    assert_eq!(file["warning_count"], 60);
}

/// TEAM42 finding 4: an edit saved on the version a person saw
/// (`--if-version`, the app's editor) of an EAC another desk or window
/// has deleted, or whose import it undid, since is a conflict naming who
/// removed it, when and why, never "check the id or import the file";
/// without a version, or of an id never stored, it is still not found.
#[test]
fn an_edit_of_an_eac_removed_since_its_version_names_the_removal() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    let seen = desk.json(&["show", "e-01"])["version"].to_string();
    let seen6 = desk.json(&["show", "e-06"])["version"].to_string();
    desk.eacdesk()
        .env("USER", "ann")
        .args(["delete", "e-01", "--reason", "ann removes duplicate"])
        .assert()
        .success();
    let edits: [&[&str]; 4] = [
        &[
            "beneficiaries",
            "set",
            "e-01",
            "--type",
            "account",
            "--id",
            "A",
        ],
        &[
            "beneficiaries",
            "set",
            "--dry-run",
            "e-01",
            "--type",
            "account",
        ],
        &["set-emissions", "e-01", "--direct", "0", "--lca", "0.01"],
        &["set", "e-01", "destination_name=X"],
    ];
    for edit in edits {
        let out = desk
            .eacdesk()
            .env("USER", "carol")
            .args(edit)
            .args(["--reason", "carol", "--if-version", &seen])
            .assert()
            .code(2);
        let err = stderr(&out);
        assert!(
            err.contains(&format!(
                "EAC e-01 was removed since version {seen}, the one --if-version gave (it was \
                 deleted by ann at "
            )),
            "{edit:?}: {err}"
        );
        assert!(
            err.contains(
                " UTC: “ann removes duplicate”); nothing was saved. It is no longer in this \
                 database: see its history with `eacdesk audit e-01`"
            ),
            "{edit:?}: {err}"
        );
        assert!(!err.contains("import the file"), "{edit:?}: {err}");
    }
    // Without a version a script is told the id is not there, as before.
    desk.eacdesk()
        .args(["set", "e-01", "destination_name=X", "--reason", "r"])
        .assert()
        .code(2)
        .stderr(contains("There is no EAC with id `e-01`"));
    desk.eacdesk()
        .args(["set", "e-99", "destination_name=X", "--reason", "r"])
        .args(["--if-version", "1"])
        .assert()
        .code(2)
        .stderr(contains("There is no EAC with id `e-99`"));

    // Removed by an undo of the import that added it: said as such.
    let batch = desk.json(&["imports"])[0]["id"].to_string();
    desk.eacdesk()
        .env("USER", "ann")
        .args(["undo-import", &batch, "--reason", "wrong file", "--yes"])
        .assert()
        .success();
    desk.eacdesk()
        .env("USER", "carol")
        .args(["set", "e-06", "destination_name=X", "--reason", "r"])
        .args(["--if-version", &seen6])
        .assert()
        .code(2)
        .stderr(contains(format!(
            "EAC e-06 was removed since version {seen6}, the one --if-version gave (the import \
             that had added it was undone by ann at "
        )))
        .stderr(contains(" UTC: “wrong file”); nothing was saved."));
}
