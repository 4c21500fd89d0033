//! `import` of several files at once: each file is its own transaction,
//! so when a later one fails the earlier ones are in the database. Its
//! refusal names the file and the database, says nothing of that file was
//! imported, and which files were (tester 35, finding 4): the store's
//! words for a single file said "Nothing was changed" and named no file.

use super::*;

/// The spec example with `e-01` as a later version (its destination
/// renamed), as a registry would send it again.
fn e01_changed(desk: &Desk) -> PathBuf {
    let mut listing: Value = serde_json::from_str(
        &std::fs::read_to_string(example("good-p1-mixed-order.json")).unwrap(),
    )
    .unwrap();
    for eac in listing["eacs"].as_array_mut().unwrap() {
        if eac["cds_eac_id"] == "e-01" {
            eac["cds_modified"] = "2024-03-01T00:00:00Z".into();
            eac["destination_name"] = "Another Utility".into();
        }
    }
    let path = desk.path("second.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&listing).unwrap()).unwrap();
    path
}

#[test]
fn a_later_file_refused_names_itself_and_the_files_already_imported() {
    let desk = Desk::new();
    desk.import(&["good-p1-mixed-order.json"]);
    desk.eacdesk()
        .args([
            "period",
            "close",
            "--from",
            "2024-01-01",
            "--to",
            "2024-01-31",
        ])
        .args(["--reason", "filed"])
        .assert()
        .success();
    // One EAC of June 2022, outside the closed period.
    desk.eacdesk()
        .args([
            "sample",
            "--eacs",
            "1",
            "--seed",
            "7",
            "--out",
            "first.json",
        ])
        .assert()
        .success();
    e01_changed(&desk);
    let db = desk.path("desk.sqlite").display().to_string();
    let out = desk
        .eacdesk()
        .args(["import", "first.json", "second.json"])
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("Imported first.json"), "{stdout}");
    assert!(stdout.contains("1 of 2 files imported."), "{stdout}");
    assert!(
        stderr.contains("Nothing was imported from second.json"),
        "{stderr}"
    );
    assert!(
        stderr.contains("cannot be changed; nothing from second.json was imported."),
        "{stderr}"
    );
    assert!(
        stderr.ends_with(&format!(
            "error: 1 of the 2 files given was not imported: second.json (nothing from it is in \
             {db}). Imported and committed in {db}: first.json.\n"
        )),
        "{stderr}"
    );
    assert!(
        !stderr.to_lowercase().contains("nothing was changed"),
        "{stderr}"
    );
    // As said: the first file's EAC is there.
    assert_eq!(desk.ids(&["--search", "S7-0000000"]), ["S7-0000000"]);
}

/// Files refused among several, with files imported after them (each file
/// is its own transaction and the import goes on): the last line on stderr
/// names the files not imported and those imported, committed in the
/// database. A refusal named only the files committed before it, so
/// `third.json`, imported after, was not said to be in; a dry run says the
/// same of what it would do.
#[test]
fn a_refused_file_among_several_ends_with_the_files_imported_and_not() {
    let desk = Desk::new();
    for (seed, name) in [("1", "first.json"), ("3", "third.json")] {
        desk.eacdesk()
            .args(["sample", "--eacs", "1", "--seed", seed, "--out", name])
            .assert()
            .success();
    }
    std::fs::write(desk.path("cut.json"), "{\"eacs\": [").unwrap();
    let db = desk.path("desk.sqlite").display().to_string();
    let files = ["first.json", "cut.json", "missing.json", "third.json"];
    let out = desk
        .eacdesk()
        .args(["import", "--dry-run"])
        .args(files)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.ends_with(
            "error: 2 of the 4 files given could not be imported: cut.json, missing.json (dry \
             run: nothing was written). Readable: first.json, third.json.\n"
        ),
        "{stderr}"
    );
    let out = desk.eacdesk().arg("import").args(files).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    // Each refusal names its file, on its own line.
    assert!(
        stderr.starts_with("error: Nothing was imported from cut.json"),
        "{stderr}"
    );
    assert!(
        stderr.contains("\nerror: missing.json does not exist"),
        "{stderr}"
    );
    assert!(
        stderr.ends_with(&format!(
            "\nerror: 2 of the 4 files given were not imported: cut.json, missing.json \
             (nothing from them is in {db}). Imported and committed in {db}: first.json, \
             third.json.\n"
        )),
        "{stderr}"
    );
    // As said: both EACs are there.
    assert_eq!(desk.count(), 2);
    // None imported: nothing written, no database made.
    let none = desk.path("none.sqlite");
    let out = desk
        .bare()
        .arg("--db")
        .arg(&none)
        .args(["import", "cut.json", "missing.json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.ends_with(&format!(
            "error: none of the 2 files given was imported: cut.json, missing.json (nothing was \
             written to {}).\n",
            none.display()
        )),
        "{stderr}"
    );
    assert!(!none.exists());
}

/// Ctrl-C while a later file is read: that file is named (not "this
/// file"), and so are the file committed before it and the database.
#[test]
fn ctrl_c_during_a_later_file_names_it_and_the_file_committed_before() {
    let desk = Desk::new();
    desk.eacdesk()
        .args(["sample", "--eacs", "3"])
        .assert()
        .success();
    for (eacs, seed, name) in [("3", "5", "small.json"), ("30000", "9", "big.json")] {
        desk.eacdesk()
            .args(["sample", "--eacs", eacs, "--seed", seed, "--out", name])
            .assert()
            .success();
    }
    let db = desk.path("desk.sqlite");
    let batches = || -> i64 {
        rusqlite::Connection::open(&db)
            .unwrap()
            .query_row("SELECT count(*) FROM import_batches", [], |r| r.get(0))
            .unwrap()
    };
    let before = batches();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_eacdesk"))
        .env_remove("EACDESK_DB")
        .env("EACDESK_CONFIG_DIR", desk.path("config"))
        .current_dir(desk.dir.path())
        .arg("--db")
        .arg(&db)
        .args(["import", "small.json", "big.json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Once the first file is committed, while the second is read.
    let start = std::time::Instant::now();
    while batches() == before {
        assert!(start.elapsed().as_secs() < 60, "small.json never went in");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("Cancelled while reading big.json; nothing from it was imported."),
        "{stderr}"
    );
    let db = db.display();
    assert!(
        stderr.ends_with(&format!(
            "interrupted: 1 of the 2 files given was not imported: big.json (nothing from it is \
             in {db}). Imported and committed in {db}: small.json.\n"
        )),
        "{stderr}"
    );
    assert_eq!(batches(), before + 1);
}
