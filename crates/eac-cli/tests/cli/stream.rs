//! Issue 16 item 3 on the real binary: `audit` and `refdata ls` print rows
//! as the database hands them out, byte for byte what printing the whole
//! list at once gave (`serde_json`'s pretty layout of the list, the aligned
//! table). The memory side is measured by `scripts/bench-stream.sh`.

use super::*;

/// Many audit records: a sample, one bulk edit, then the log copied to
/// thousands of rows (as a long-used database would hold).
fn desk_with_a_long_log() -> Desk {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "60"])
        .assert()
        .success();
    desk.eacdesk()
        .args([
            "beneficiaries",
            "set",
            "--all-matching",
            "--type",
            "general",
            "--yes",
        ])
        .args(["--reason", "bulk check ø"])
        .assert()
        .success();
    let conn = rusqlite::Connection::open(desk.path("desk.sqlite")).unwrap();
    conn.execute_batch(
        r#"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 80)
           INSERT INTO audit_log (at, os_user, cds_eac_id, action, "before", "after", reason,
                before_state, after_state, source_file, import_batch_id, prev_hash, hash,
                display_name)
           SELECT at, os_user, cds_eac_id, action, "before", "after", reason, before_state,
                after_state, source_file, import_batch_id, prev_hash, hash, display_name
             FROM audit_log, n"#,
    )
    .unwrap();
    desk
}

fn stdout_of(desk: &Desk, args: &[&str]) -> String {
    let out = desk.eacdesk().args(args).assert().success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

#[test]
fn audit_json_streams_exactly_the_list() {
    let desk = desk_with_a_long_log();
    let store = eac_store::Store::open_read(&desk.path("desk.sqlite")).unwrap();
    let log = store.audit_log(None).unwrap();
    assert!(log.len() > 3000, "{}", log.len());
    let expected = serde_json::to_string_pretty(&log).unwrap() + "\n";
    assert_eq!(stdout_of(&desk, &["audit", "--json"]), expected);

    let id = log[0].cds_eac_id.clone();
    let one = store.audit_log(Some(&id)).unwrap();
    let expected = serde_json::to_string_pretty(&one).unwrap() + "\n";
    assert_eq!(stdout_of(&desk, &["audit", &id, "--json"]), expected);
    // An id neither stored nor recorded: refused before anything is
    // printed (a stored EAC never changed is the empty list: `scripted`).
    desk.eacdesk()
        .args(["audit", "nobody", "--json"])
        .assert()
        .code(2)
        .stdout("");
}

#[test]
fn audit_table_is_measured_then_printed_row_by_row() {
    let desk = desk_with_a_long_log();
    let store = eac_store::Store::open_read(&desk.path("desk.sqlite")).unwrap();
    let log = store.audit_log(None).unwrap();
    let text = stdout_of(&desk, &["audit"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), log.len() + 1);
    assert!(lines[0].trim_start().starts_with("#  AT"), "{}", lines[0]);
    // One width for every row: the widest id fills its column, the reason
    // column starts at the same place on every line.
    let reason_at = lines[0].find("REASON").unwrap();
    for (line, record) in lines[1..].iter().zip(&log) {
        assert!(
            line.trim_start().starts_with(&record.id.to_string()),
            "{line}"
        );
        assert_eq!(
            line.chars().count() - reason_at,
            r"bulk check ø".chars().count(),
            "{line}"
        );
    }
    desk.eacdesk()
        .args(["audit", "nobody"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains("No EAC with id `nobody` is stored or recorded"));
}

#[test]
fn refdata_ls_streams_exactly_the_list() {
    let desk = Desk::new();
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/refdata");
    desk.eacdesk()
        .args(["refdata", "import"])
        .arg(fixtures.join("accounts-2024.json"))
        .arg(fixtures.join("programs.csv"))
        .assert()
        .success();
    let store = eac_store::Store::open_read(&desk.path("desk.sqlite")).unwrap();
    let all = store.refdata(None, None, 0).unwrap();
    assert!(all.len() >= 3);
    let expected = serde_json::to_string_pretty(&all).unwrap() + "\n";
    assert_eq!(stdout_of(&desk, &["refdata", "ls", "--json"]), expected);
    let text = stdout_of(&desk, &["refdata", "ls"]);
    let mut expected = String::new();
    for e in &all {
        expected.push_str(&format!(
            "{}\t{}\t{}\n",
            e.beneficiary_type.as_str(),
            e.id,
            // Printed escaped, as every line of text.
            e.label.replace('\n', "\\n")
        ));
    }
    expected.push_str(&format!("{} reference ids\n", all.len()));
    assert_eq!(text, expected);
    assert_eq!(
        stdout_of(
            &desk,
            &["refdata", "ls", "--search", "no such id", "--json"]
        ),
        "[]\n"
    );
}
