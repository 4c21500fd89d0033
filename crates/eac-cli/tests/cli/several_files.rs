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
        stderr.contains(&format!(
            "The file imported before it (first.json) is committed in {db}."
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
    assert!(
        stderr.contains(&format!(
            "The file imported before it (small.json) is committed in {}.",
            db.display()
        )),
        "{stderr}"
    );
    assert_eq!(batches(), before + 1);
}
