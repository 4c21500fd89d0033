//! Saved CSV column mappings through `eacdesk mapping` and `import
//! --mapping`: what a mapping file may hold (its keys, its encoding), how
//! saved mappings are named, and what `mapping preview` tells before an
//! import.

use super::*;

/// The NECS cancellations sample and its mapping, copied into the desk's
/// folder as `go.csv` and `go.mapping.json`.
fn go_files(desk: &Desk) {
    let fixtures =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../eac-registry/tests/fixtures/mapped");
    std::fs::copy(fixtures.join("go-cancellations.csv"), desk.path("go.csv")).unwrap();
    std::fs::copy(
        fixtures.join("go-cancellations.mapping.json"),
        desk.path("go.mapping.json"),
    )
    .unwrap();
}

/// `go.mapping.json` with `edit` applied, written as `name`.
fn edited_mapping(desk: &Desk, name: &str, edit: impl FnOnce(&mut serde_json::Map<String, Value>)) {
    let mut v: Value =
        serde_json::from_slice(&std::fs::read(desk.path("go.mapping.json")).unwrap()).unwrap();
    edit(v.as_object_mut().unwrap());
    std::fs::write(desk.path(name), v.to_string()).unwrap();
}

fn stderr_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

fn stdout_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

/// The number of audit records.
fn audit_count(desk: &Desk) -> usize {
    desk.json(&["audit"]).as_array().unwrap().len()
}

const FIRST: &str = "eecs-no:643002406000000000000000000001..643002406000000000000000001000";

/// A misspelt key (`claim_dte`) was dropped without a word: the mapping was
/// saved and audited without it, and every retirement date of the file
/// was lost on import. It is refused where a mapping is read: `mapping
/// save`, `mapping preview --mapping-file`, and a saved mapping holding
/// one (written into the database by another program) at import.
#[test]
fn a_misspelt_mapping_key_is_refused_naming_the_key_it_is_near() {
    let desk = Desk::new();
    go_files(&desk);
    desk.eacdesk()
        .args(["mapping", "save", "good", "go.mapping.json"])
        .assert()
        .success();
    let records = audit_count(&desk);
    edited_mapping(&desk, "typo.json", |m| {
        let v = m.remove("claim_date").unwrap();
        m.insert("claim_dte".into(), v);
    });
    let out = desk
        .eacdesk()
        .args(["mapping", "save", "necs", "typo.json"])
        .assert()
        .code(2);
    let err = stderr_of(&out);
    assert!(
        err.contains(
            "typo.json: `claim_dte` is not a key of a mapping; did you mean `claim_date`?"
        ),
        "{err}"
    );
    assert!(err.contains("the column it names not imported"), "{err}");
    let names: Vec<Value> = desk
        .json(&["mapping", "ls"])
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].clone())
        .collect();
    assert_eq!(names, vec![Value::from("good")]);
    assert_eq!(
        audit_count(&desk),
        records,
        "a refused save records nothing"
    );

    let out = desk
        .eacdesk()
        .args([
            "mapping",
            "preview",
            "go.csv",
            "--mapping-file",
            "typo.json",
        ])
        .assert()
        .code(2);
    let err = stderr_of(&out);
    assert!(
        err.contains(
            "typo.json: `claim_dte` is not a key of a mapping; did you mean `claim_date`?"
        ),
        "{err}"
    );

    // A saved mapping holding an unknown key (written by another program):
    // refused at import, nothing imported.
    let conn = rusqlite::Connection::open(desk.path("desk.sqlite")).unwrap();
    let stored: String = conn
        .query_row(
            "SELECT mapping FROM csv_mappings WHERE name = 'good'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut v: Value = serde_json::from_str(&stored).unwrap();
    let m = v.as_object_mut().unwrap();
    let claim = m.remove("claim_date").unwrap();
    m.insert("claim_dte".into(), claim);
    conn.execute(
        "UPDATE csv_mappings SET mapping = ?1 WHERE name = 'good'",
        [v.to_string()],
    )
    .unwrap();
    drop(conn);
    let out = desk
        .eacdesk()
        .args(["import", "--mapping", "good", "go.csv"])
        .assert()
        .code(2);
    let err = stderr_of(&out);
    assert!(
        err.contains("the saved mapping `good` cannot be used: `claim_dte` is not a key of a mapping; did you mean `claim_date`?"),
        "{err}"
    );
    assert_eq!(desk.count(), 0);
}

/// Mapping names, typed like saved views' names, are told apart without
/// regard to case as views' are (decision 142): `NECS` saved beside
/// `necs` made a second mapping, and an edit of one never reached imports
/// with the other. Two saved before this rule stay reachable by their
/// exact names; another spelling is refused naming both.
#[test]
fn mapping_names_differing_only_in_case_are_one_name() {
    let desk = Desk::new();
    go_files(&desk);
    desk.eacdesk()
        .args(["mapping", "save", "necs", "go.mapping.json"])
        .assert()
        .success();
    let records = audit_count(&desk);
    let out = desk
        .eacdesk()
        .args(["mapping", "save", "NECS", "go.mapping.json"])
        .assert()
        .code(2);
    let err = stderr_of(&out);
    assert!(
        err.contains("a mapping `necs` is saved already, and mapping names differing only in case are one name: save under `necs` to replace it"),
        "{err}"
    );
    assert_eq!(desk.json(&["mapping", "ls"]).as_array().unwrap().len(), 1);
    assert_eq!(audit_count(&desk), records);
    // Saving under the saved spelling still replaces it.
    edited_mapping(&desk, "v2.json", |m| {
        m.insert("registry".into(), "eecs-no2".into());
    });
    desk.eacdesk()
        .args(["mapping", "save", "necs", "v2.json"])
        .assert()
        .success();
    // Any spelling finds it.
    let shown: Value = serde_json::from_slice(
        &desk
            .eacdesk()
            .args(["mapping", "show", "NECS"])
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .unwrap();
    assert_eq!(shown["name"], "necs");
    assert_eq!(shown["registry"], "eecs-no2");
    let reports = desk.json(&["import", "--mapping", "Necs", "go.csv"]);
    assert_eq!(reports["files"][0]["added"], 3);
    desk.eacdesk()
        .args(["mapping", "preview", "go.csv", "--mapping", "NeCs"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["mapping", "rm", "NECS"])
        .assert()
        .success()
        .stdout(contains("Removed the mapping `necs`."));
    assert_eq!(desk.json(&["mapping", "ls"]), serde_json::json!([]));

    // A database holding `necs` and `NECS` (saved before): each by its
    // exact name, any other spelling refused naming both.
    desk.eacdesk()
        .args(["mapping", "save", "necs", "go.mapping.json"])
        .assert()
        .success();
    let conn = rusqlite::Connection::open(desk.path("desk.sqlite")).unwrap();
    conn.execute(
        "INSERT INTO csv_mappings (name, mapping, created_at, updated_at)
         SELECT 'NECS', replace(mapping, '\"necs\"', '\"NECS\"'), created_at, updated_at FROM csv_mappings WHERE name = 'necs'",
        [],
    )
    .unwrap();
    drop(conn);
    let out = desk
        .eacdesk()
        .args(["import", "--dry-run", "--mapping", "Necs", "go.csv"])
        .assert()
        .code(2);
    let err = stderr_of(&out);
    assert!(
        err.contains(
            "`Necs` could be the saved mapping `NECS` or `necs`: their names differ only in case"
        ),
        "{err}"
    );
    for exact in ["necs", "NECS"] {
        desk.eacdesk()
            .args(["import", "--dry-run", "--mapping", exact, "go.csv"])
            .assert()
            .success();
        let shown = desk
            .eacdesk()
            .args(["mapping", "show", exact])
            .assert()
            .success();
        assert!(stdout_of(&shown).contains(&format!("\"name\": \"{exact}\"")));
    }
    desk.eacdesk()
        .args(["mapping", "rm", "NECS"])
        .assert()
        .success();
    let names: Vec<Value> = desk
        .json(&["mapping", "ls"])
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].clone())
        .collect();
    assert_eq!(names, vec![Value::from("necs")]);
}

/// A mapping name typed with its accents written otherwise is the same
/// name: `Énergie` with `É` as one character (NFC) and as `E` and a
/// combining accent (NFD, as macOS saves names) look alike, yet saving
/// under the second made a second mapping, and the first could not be
/// found by it. Names are folded as search text is (NFC, then case), on
/// save, lookup and removal; the name shows as first saved.
#[test]
fn mapping_names_written_with_other_accents_are_one_name() {
    let nfc = "\u{c9}nergie";
    let nfd = "E\u{301}nergie";
    let desk = Desk::new();
    go_files(&desk);
    desk.eacdesk()
        .args(["mapping", "save", nfc, "go.mapping.json"])
        .assert()
        .success();
    edited_mapping(&desk, "v2.json", |m| {
        m.insert("registry".into(), "eecs-no2".into());
    });
    // The same name: replaced, under the name as first saved.
    desk.eacdesk()
        .args(["mapping", "save", nfd, "v2.json"])
        .assert()
        .success();
    let list = desk.json(&["mapping", "ls"]);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec![nfc]);
    // Differing in case too: refused as a name differing only in case is.
    let out = desk
        .eacdesk()
        .args(["mapping", "save", &nfd.to_lowercase(), "go.mapping.json"])
        .assert()
        .code(2);
    let err = stderr_of(&out);
    assert!(
        err.contains(&format!(
            "a mapping `{nfc}` is saved already, and mapping names differing only in case are one name"
        )),
        "{err}"
    );
    assert_eq!(desk.json(&["mapping", "ls"]).as_array().unwrap().len(), 1);
    // Any spelling finds it.
    let shown: Value = serde_json::from_slice(
        &desk
            .eacdesk()
            .args(["mapping", "show", &nfd.to_uppercase()])
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .unwrap();
    assert_eq!(shown["name"], nfc);
    assert_eq!(shown["registry"], "eecs-no2");
    let reports = desk.json(&["import", "--dry-run", "--mapping", nfd, "go.csv"]);
    assert_eq!(reports["files"][0]["added"], 3);
    desk.eacdesk()
        .args(["mapping", "preview", "go.csv", "--mapping", nfd])
        .assert()
        .success();
    desk.eacdesk()
        .args(["mapping", "rm", &nfd.to_lowercase()])
        .assert()
        .success()
        .stdout(contains(format!("Removed the mapping `{nfc}`.")));
    assert_eq!(desk.json(&["mapping", "ls"]), serde_json::json!([]));
}

/// `mapping preview`, which `mapping save` advises before an import, said
/// nothing of what import then refused: a column the file lacks, an
/// incomplete mapping. It names them in import's words (exit 1, like a
/// check that finds something) and shows which column feeds which field.
#[test]
fn mapping_preview_says_what_import_would_refuse() {
    let desk = Desk::new();
    go_files(&desk);
    let out = desk
        .eacdesk()
        .args([
            "mapping",
            "preview",
            "go.csv",
            "--mapping-file",
            "go.mapping.json",
        ])
        .assert()
        .success();
    let text = stdout_of(&out);
    assert!(
        text.contains("claim date") && text.contains("column `Cancellation date` (9)"),
        "{text}"
    );
    assert!(text.contains("the fixed value `MWh`"), "{text}");
    assert!(
        text.contains("Import reads go.csv with this mapping: no row of it is refused."),
        "{text}"
    );

    edited_mapping(&desk, "bad3.json", |m| {
        m.insert("device_id".into(), serde_json::json!({"column": "GSRN X"}));
    });
    desk.eacdesk()
        .args(["mapping", "save", "bad3", "bad3.json"])
        .assert()
        .success();
    let out = desk
        .eacdesk()
        .args(["mapping", "preview", "go.csv", "--mapping", "bad3"])
        .assert()
        .code(1);
    let text = stdout_of(&out);
    assert!(
        text.contains("Import would refuse go.csv with this mapping:"),
        "{text}"
    );
    assert!(
        text.contains("  - line 3: mapping `bad3` names the column `GSRN X`, which this file's header does not have"),
        "{text}"
    );
    assert!(
        text.contains("device id") && text.contains("column `GSRN X`, not in this file's header"),
        "{text}"
    );
    // Import refuses it for that reason.
    let out = desk
        .eacdesk()
        .args(["import", "--mapping", "bad3", "go.csv"])
        .assert()
        .failure();
    assert!(stderr_of(&out).contains("names the column `GSRN X`"));
    let out = desk
        .eacdesk()
        .args([
            "mapping",
            "preview",
            "go.csv",
            "--mapping",
            "bad3",
            "--json",
        ])
        .assert()
        .code(1);
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["problems"].as_array().unwrap().len(), 1);
    assert_eq!(v["header"][0], "GSRN");
    assert!(v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["field"] == "device id"
            && f["from"] == "column `GSRN X`, not in this file's header"));

    // A mapping file without a time zone and a status.
    edited_mapping(&desk, "bad1.json", |m| {
        m.remove("time_zone");
        m.remove("status");
    });
    let out = desk
        .eacdesk()
        .args([
            "mapping",
            "preview",
            "go.csv",
            "--mapping-file",
            "bad1.json",
        ])
        .assert()
        .code(1);
    let text = stdout_of(&out);
    assert!(
        text.contains("  - mapping `NECS cancellations` is not complete: no time zone (the IANA zone of the production dates")
            && text.contains("no status"),
        "{text}"
    );
}

/// A mapping file with a UTF-8 byte order mark is read as the other JSON
/// files are (it was "expected value at line 1 column 1"), and a UTF-16
/// one is named with what to do (it was "Could not read or write …:
/// stream did not contain valid UTF-8"), as decision 64 has every JSON
/// reader do.
#[test]
fn mapping_files_are_read_as_every_json_file_is() {
    let desk = Desk::new();
    go_files(&desk);
    let text = std::fs::read_to_string(desk.path("go.mapping.json")).unwrap();
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(text.as_bytes());
    std::fs::write(desk.path("bom.json"), bom).unwrap();
    desk.eacdesk()
        .args(["mapping", "save", "b", "bom.json"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["mapping", "preview", "go.csv", "--mapping-file", "bom.json"])
        .assert()
        .success();

    let mut utf16 = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    std::fs::write(desk.path("u16.json"), utf16).unwrap();
    for args in [
        &["mapping", "save", "u", "u16.json"][..],
        &["mapping", "preview", "go.csv", "--mapping-file", "u16.json"][..],
    ] {
        let out = desk.eacdesk().args(args).assert().code(2);
        let err = stderr_of(&out);
        assert!(
            err.contains("u16.json: the file is encoded as UTF-16 (little-endian, with a byte order mark), but JSON files must be UTF-8")
                && err.contains("save it as UTF-8"),
            "{err}"
        );
        assert!(!err.contains("read or write"), "{err}");
    }
    let names: Vec<Value> = desk
        .json(&["mapping", "ls"])
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].clone())
        .collect();
    assert_eq!(names, vec![Value::from("b")]);

    // No time zone is said as such, not as "the time zone `` …".
    edited_mapping(&desk, "nozone.json", |m| {
        m.remove("time_zone");
    });
    let out = desk
        .eacdesk()
        .args(["mapping", "save", "z", "nozone.json"])
        .assert()
        .code(2);
    let err = stderr_of(&out);
    assert!(
        err.contains("no time zone (the IANA zone of the production dates"),
        "{err}"
    );
    assert!(!err.contains("``"), "{err}");
    let _ = FIRST;
}

/// A named pipe or a device named as the mapping file is refused, naming
/// what it is: `mapping save` and `mapping preview --mapping-file` read it
/// with a plain read, which waited on a pipe until the process was killed
/// and read `/dev/zero` until memory ran out. A folder is still said
/// plainly, and nothing is saved.
#[cfg(unix)]
#[test]
fn a_pipe_or_device_named_as_the_mapping_file_is_refused_not_waited_on() {
    let desk = Desk::new();
    go_files(&desk);
    let made = std::process::Command::new("mkfifo")
        .arg(desk.path("pipe.json"))
        .status()
        .unwrap();
    assert!(made.success());
    std::os::unix::fs::symlink("/dev/zero", desk.path("zero.json")).unwrap();
    // The pipe first: without the fix its command never ends (killed at
    // the timeout), before `/dev/zero` is read.
    for (file, what) in [
        ("pipe.json", "is a named pipe, not a regular file"),
        ("zero.json", "is a device file, not a regular file"),
    ] {
        for args in [
            &["mapping", "save", "m", file][..],
            &["mapping", "preview", "go.csv", "--mapping-file", file][..],
        ] {
            let out = desk
                .eacdesk()
                .args(args)
                .timeout(std::time::Duration::from_secs(20))
                .assert()
                .code(2);
            let err = stderr_of(&out);
            assert!(err.contains(&format!("{file} {what}")), "{args:?}: {err}");
            assert!(
                err.contains("a column mapping is read only from a JSON file"),
                "{err}"
            );
        }
    }
    std::fs::create_dir(desk.path("sub")).unwrap();
    desk.eacdesk()
        .args(["mapping", "save", "m", "sub"])
        .assert()
        .code(2)
        .stderr(contains("Could not read or write sub: is a directory."));
    assert_eq!(desk.json(&["mapping", "ls"]), serde_json::json!([]));
}

/// A mapping file is read to at most 1 MiB: a larger file (a CSV named
/// in the mapping's place, say) was read whole into memory, however large.
/// The refusal says the limit and what to check; a mapping of exactly the
/// limit is still read.
#[test]
fn a_mapping_file_beyond_one_mib_is_refused_saying_the_limit() {
    let desk = Desk::new();
    go_files(&desk);
    let text = std::fs::read_to_string(desk.path("go.mapping.json")).unwrap();
    let padded = |len: usize| format!("{text}{}", " ".repeat(len - text.len()));
    std::fs::write(desk.path("big.json"), padded((1 << 20) + 1)).unwrap();
    std::fs::write(desk.path("full.json"), padded(1 << 20)).unwrap();
    for args in [
        &["mapping", "save", "m", "big.json"][..],
        &["mapping", "preview", "go.csv", "--mapping-file", "big.json"][..],
    ] {
        let out = desk.eacdesk().args(args).assert().code(2);
        let err = stderr_of(&out);
        assert!(
            err.contains("big.json is larger than 1 MiB, the most a mapping file may hold")
                && err.contains("named the mapping's JSON file, not the CSV it reads"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(desk.json(&["mapping", "ls"]), serde_json::json!([]));
    desk.eacdesk()
        .args(["mapping", "save", "m", "full.json"])
        .assert()
        .success();
    desk.eacdesk()
        .args([
            "mapping",
            "preview",
            "go.csv",
            "--mapping-file",
            "full.json",
        ])
        .assert()
        .success();
}

/// The same file imported again after its mapping was edited: the EAC's
/// new reading came from the mapping, not from the registry, and the
/// warning said "the registry now states …". It says the file is the same
/// and the mapping reads it differently; the audit record of the
/// replacement names the mapping the file was read with.
#[test]
fn a_file_read_again_with_an_edited_mapping_says_the_mapping_changed() {
    let desk = Desk::new();
    go_files(&desk);
    desk.eacdesk()
        .args(["mapping", "save", "necs", "go.mapping.json"])
        .assert()
        .success();
    desk.eacdesk()
        .args(["import", "--mapping", "necs", "go.csv"])
        .assert()
        .success();
    // `Solar thermal` is not in the mapping's table: set by hand.
    let sol = "eecs-no:643002406000000000000000003001..643002406000000000000000003004";
    desk.eacdesk()
        .args([
            "set",
            sol,
            "technology_type=wind",
            "--reason",
            "registry e-mail",
        ])
        .assert()
        .success();
    edited_mapping(&desk, "v2.json", |m| {
        m["technology_table"]
            .as_object_mut()
            .unwrap()
            .insert("Solar thermal".into(), "solar".into());
    });
    desk.eacdesk()
        .args(["mapping", "save", "necs", "v2.json"])
        .assert()
        .success();
    let out = desk
        .eacdesk()
        .args(["import", "--mapping", "necs", "go.csv"])
        .assert()
        .success();
    let text = stdout_of(&out);
    assert!(
        text.contains(&format!(
            "EAC `{sol}`: the same file (byte for byte), read again, now gives technology_type as \
             solar (it gave nothing) because the column mapping `necs` reads it differently from \
             how it was read before, which replaces the value set in EAC Desk (wind)"
        )),
        "{text}"
    );
    assert!(!text.contains("the registry now states"), "{text}");
    let audit = desk.json(&["audit"]);
    let replaced = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["action"] == "import_replace")
        .unwrap_or_else(|| panic!("no import_replace record: {audit}"));
    let reason = replaced["reason"].as_str().unwrap();
    assert!(
        reason.contains(
            "the registry document go.csv (Any registry's CSV, with a saved column mapping: \
             `necs`, SHA-256"
        ),
        "{reason}"
    );
}

/// A mapping whose registry key looks like a built-in reader's but is not
/// it (`eecs-no`, as docs/mapping.md's example had it) is saved with a
/// warning naming the built-in key, and its import says it for the file;
/// the built-in key itself is saved without one. The same 93 GOs had been
/// stored under `eecs-no:` and `eecs:` and `check` found nothing (tester
/// 41, finding 2).
#[test]
fn a_registry_key_like_a_built_in_readers_is_warned_about_on_save_and_import() {
    let desk = Desk::new();
    go_files(&desk);
    let out = desk
        .eacdesk()
        .args(["mapping", "save", "necs", "go.mapping.json"])
        .assert()
        .success();
    let out = stdout_of(&out);
    assert!(
        out.contains(
            "\nwarning: go.mapping.json: the registry key `eecs-no` looks like `eecs`, the key \
             of the Guarantee of Origin cancellation statement reader (NECS, Danish), but is not \
             it: "
        ) && out.ends_with(
            "write `\"registry\": \"eecs\"` in the mapping and save it again \
             (docs/mapping.md, Registry keys).\n"
        ),
        "{out}"
    );
    let out = desk
        .eacdesk()
        .args(["import", "--mapping", "necs", "go.csv"])
        .assert()
        .success();
    let out = stdout_of(&out);
    assert!(
        out.contains(
            "  note (document): mapping `necs`: the registry key `eecs-no` looks like `eecs`"
        ),
        "{out}"
    );
    edited_mapping(&desk, "eecs.json", |m| {
        m.insert("registry".into(), "eecs".into());
    });
    let out = desk
        .eacdesk()
        .args(["mapping", "save", "go", "eecs.json"])
        .assert()
        .success();
    assert!(!stdout_of(&out).contains("warning"), "{}", stdout_of(&out));
}
