//! The database file itself: what "Open database…" refuses to open, and the
//! open database's file deleted, emptied or replaced while the app runs.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{json, Value};
use tauri::Manager;

use super::{desk, invoke, Desk};

/// `cmd` answered on another thread, or `None` when no answer came within
/// `patience` (the call hangs: the thread is left behind).
fn answer_within(
    desk: &Desk,
    cmd: &'static str,
    args: Value,
    patience: Duration,
) -> Option<Result<Value, Value>> {
    let window = desk.window.clone();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(invoke(&window, cmd, args));
    });
    rx.recv_timeout(patience).ok()
}

#[cfg(unix)]
fn make_fifo(path: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo {}", path.display());
}

/// A named pipe chosen in "Open database…" (or typed) is refused at once,
/// in plain words: opening it waited for a writer that never came, and the
/// window hung with "Opening…".
#[cfg(unix)]
#[test]
fn a_named_pipe_is_refused_as_a_database_without_waiting() {
    let desk = desk();
    desk.load_sample(2);
    let dir = tempfile::tempdir().unwrap();
    let pipe = dir.path().join("db.sqlite");
    make_fifo(&pipe);
    let answer = answer_within(
        &desk,
        "open_database",
        json!({ "path": pipe }),
        Duration::from_secs(10),
    )
    .expect("open_database of a named pipe answers at once, never waits on it");
    let e = answer.expect_err("a named pipe is no database");
    assert_eq!(e["code"], "invalid_input", "{e}");
    assert_eq!(e["details"]["database"], "not_a_file", "{e}");
    assert_eq!(e["details"]["path"], json!(pipe), "{e}");
    let message = e["message"].as_str().unwrap();
    assert!(
        message.contains("is a named pipe, not a database file"),
        "{message}"
    );
    assert!(message.contains("Choose a database file"), "{message}");
    // The database open before stays open, and nothing was made beside the pipe.
    assert_eq!(desk.ok("db_info", json!({}))["eac_count"], 2);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["db.sqlite"]);
}

/// Started on a named pipe (`--db`, `EACDESK_DB`), the window opens and
/// says what it is, as Open database… does.
#[cfg(unix)]
#[test]
fn a_window_started_on_a_named_pipe_says_it_is_no_database_file() {
    super::test_key_dir();
    let dir = tempfile::tempdir().unwrap();
    let pipe = dir.path().join("db.sqlite");
    make_fifo(&pipe);
    let (tx, rx) = mpsc::channel();
    let started = pipe.clone();
    std::thread::spawn(move || {
        let app = eac_desk::with_database(tauri::test::mock_builder(), started)
            .build(tauri::test::mock_context(tauri::test::noop_assets()))
            .unwrap();
        let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        let _ = tx.send(invoke(&window, "db_info", json!({})));
    });
    let answer = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("a window started on a named pipe answers, never waits on it");
    let e = answer.expect_err("a named pipe is no database");
    assert_eq!(e["code"], "invalid_input", "{e}");
    assert_eq!(e["details"]["database"], "not_a_file", "{e}");
}

/// A folder is refused with the same words (it was an I/O error naming
/// SQLite's failure to open it).
#[test]
fn a_folder_is_refused_as_a_database() {
    let desk = desk();
    let dir = tempfile::tempdir().unwrap();
    let e = desk.err("open_database", json!({ "path": dir.path() }));
    assert_eq!(e["code"], "invalid_input", "{e}");
    assert_eq!(e["details"]["database"], "not_a_file", "{e}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("is a folder, not a database file"),
        "{e}"
    );
}

/// The open database (`test.sqlite` of `desk`) and SQLite's files beside it.
fn database_files(desk: &Desk) -> [std::path::PathBuf; 3] {
    let db = desk.dir.path().join("test.sqlite");
    let side = |suffix: &str| {
        let mut name = db.clone().into_os_string();
        name.push(suffix);
        std::path::PathBuf::from(name)
    };
    [db.clone(), side("-wal"), side("-shm")]
}

/// Every kind of command answers `problem` (`io`, `details.database`).
fn every_command_answers(desk: &Desk, problem: &str) {
    let id = "anything";
    for (cmd, args) in [
        ("db_info", json!({})),
        ("browse_page", json!({ "query": super::query(0, 10) })),
        (
            "set_beneficiaries",
            json!({ "cds_eac_id": id, "beneficiary_type": "customer", "beneficiaries": ["C-1"], "reason": "contract" }),
        ),
        ("load_sample", json!({ "op_id": "s", "eacs": 3, "seed": 1 })),
        ("import_batches", json!({})),
    ] {
        let e = desk.err(cmd, args);
        assert_eq!(e["code"], "io", "{cmd}: {e}");
        assert_eq!(e["details"]["database"], problem, "{cmd}: {e}");
    }
}

/// The database file deleted while the app runs: every command says so,
/// and none makes a new, empty database in its place (an operation opened
/// the path again, and the open made one: the app went on, empty, as if
/// nothing had happened). Opening the path on purpose starts a new one.
#[test]
fn a_database_deleted_while_open_is_said_so_and_never_made_again() {
    let desk = desk();
    desk.load_sample(2);
    let files = database_files(&desk);
    for f in &files {
        let _ = std::fs::remove_file(f);
    }
    every_command_answers(&desk, "missing");
    let e = desk.err("load_sample", json!({ "op_id": "s", "eacs": 3, "seed": 1 }));
    let message = e["message"].as_str().unwrap();
    assert!(message.contains("is no longer there"), "{message}");
    assert!(message.contains("did not make a new database"), "{message}");
    assert!(message.contains("Open database"), "{message}");
    assert_eq!(e["details"]["path"], json!(files[0]), "{e}");
    for f in &files {
        assert!(!f.exists(), "{} was made again", f.display());
    }
    // The watcher tells the window once.
    let state = desk.app.state::<eac_desk::Desk>();
    let told = state
        .poll_file()
        .expect("the watcher notices the file is gone");
    assert_eq!(
        told.details.database,
        Some(eac_app::DatabaseProblem::Missing)
    );
    assert!(state.poll_file().is_none(), "told once");

    // Opened again on purpose (New database… in Open database): a new one.
    let info = desk.ok("open_database", json!({ "path": files[0] }));
    assert_eq!(info["eac_count"], 0);
    desk.load_sample(3);
    assert_eq!(desk.ok("db_info", json!({}))["eac_count"], 3);
    assert!(state.poll_file().is_none());
}

/// The database file emptied (`> eacdesk.sqlite`) while the app runs: said
/// so, and left empty (an operation made a new database in it).
#[test]
fn a_database_emptied_while_open_is_said_so_and_left_empty() {
    let desk = desk();
    desk.load_sample(2);
    let [db, ..] = database_files(&desk);
    std::fs::File::create(&db).unwrap();
    every_command_answers(&desk, "emptied");
    let e = desk.err("db_info", json!({}));
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("is empty now (0 bytes)"),
        "{e}"
    );
    assert_eq!(std::fs::metadata(&db).unwrap().len(), 0);
}

/// Another file put in the database's place (a backup moved there, another
/// program's save) while the app runs: said so, and that file is neither
/// read as the database opened nor written, until it is opened on purpose.
#[test]
fn a_database_replaced_while_open_is_said_so_and_not_written() {
    let desk = desk();
    desk.load_sample(2);
    let files = database_files(&desk);
    let elsewhere = tempfile::tempdir().unwrap();
    let backup = elsewhere.path().join("backup.sqlite");
    drop(eac_app::open_store(&backup).unwrap());
    let before = std::fs::read(&backup).unwrap();
    for f in &files[1..] {
        let _ = std::fs::remove_file(f);
    }
    std::fs::rename(&backup, &files[0]).unwrap();
    every_command_answers(&desk, "replaced");
    let e = desk.err("db_info", json!({}));
    let message = e["message"].as_str().unwrap();
    assert!(
        message.contains("was replaced by another file"),
        "{message}"
    );
    assert!(
        message.contains("open it again (Open database…)"),
        "{message}"
    );
    assert_eq!(
        std::fs::read(&files[0]).unwrap(),
        before,
        "the file put there is left as it is"
    );
    // Opened on purpose, it is the database.
    let info = desk.ok("open_database", json!({ "path": files[0] }));
    assert_eq!(info["eac_count"], 0);
}

/// A window started on a file it could not open (here not a database)
/// remembers why; the file deleted since, a long operation opened the
/// path again and made an empty database there. It says the file is
/// gone, and makes nothing.
#[test]
fn an_operation_never_makes_a_database_in_place_of_one_the_window_could_not_open() {
    super::test_key_dir();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("test.sqlite");
    std::fs::write(
        &db,
        "not a database, but some notes someone kept here\n".repeat(20),
    )
    .unwrap();
    let app = eac_desk::with_database(tauri::test::mock_builder(), db.clone())
        .build(tauri::test::mock_context(tauri::test::noop_assets()))
        .unwrap();
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    let desk = Desk { app, window, dir };
    let e = desk.err("db_info", json!({}));
    assert_eq!(e["code"], "io", "{e}");
    std::fs::remove_file(&db).unwrap();
    let e = desk.err("load_sample", json!({ "op_id": "s", "eacs": 3, "seed": 1 }));
    assert_eq!(e["code"], "io", "{e}");
    assert_eq!(e["details"]["database"], "missing", "{e}");
    assert_eq!(e["details"]["path"], json!(db), "{e}");
    let message = e["message"].as_str().unwrap();
    assert!(message.contains("is no longer there"), "{message}");
    assert!(message.contains("did not make a new database"), "{message}");
    let names: Vec<_> = std::fs::read_dir(desk.dir.path()).unwrap().collect();
    assert!(names.is_empty(), "made: {names:?}");
}

/// The open database with changes still in its `-wal` (sample data is
/// loaded on connections of their own; the window's stays open), three
/// loads' worth: SQLite's close copies a log even into an emptied file
/// when the log holds about as much as the file (it declines when the
/// database would be far larger than the log: damaged, it says).
fn open_with_log(desk: &Desk) -> [std::path::PathBuf; 3] {
    for seed in 1..=3 {
        desk.ok(
            "load_sample",
            json!({ "op_id": format!("sample-{seed}"), "eacs": 300, "seed": seed }),
        );
    }
    let files = database_files(desk);
    let size = |f: &std::path::Path| std::fs::metadata(f).map_or(0, |m| m.len());
    assert!(
        size(&files[1]) > 2 * size(&files[0]),
        "the samples are still in the log"
    );
    files
}

/// The open database emptied (`> test.sqlite`), then another database
/// opened: the window's connection, closing, copied its log into the
/// emptied file (a megabyte of pages of the old database, damaged).
#[test]
fn a_database_emptied_while_open_stays_empty_when_another_is_opened() {
    let desk = desk();
    let [db, wal, _] = open_with_log(&desk);
    let log = std::fs::read(&wal).unwrap();
    std::fs::File::create(&db).unwrap();
    let other = desk.dir.path().join("other.sqlite");
    desk.ok("open_database", json!({ "path": other }));
    assert_eq!(std::fs::metadata(&db).unwrap().len(), 0, "written into");
    assert_eq!(
        std::fs::read(&wal).unwrap(),
        log,
        "its log is left as it is"
    );
}

/// Another SQLite database, with changes still in its own `-wal`, put in
/// the open database's place (a backup restored), then another database
/// opened: the file put there and its log are byte for byte as they were.
#[test]
fn a_database_replaced_while_open_is_left_as_it_is_when_another_is_opened() {
    let desk = desk();
    let [db, wal, _] = open_with_log(&desk);
    let elsewhere = tempfile::tempdir().unwrap();
    let backup = elsewhere.path().join("backup.sqlite");
    let mut store = eac_app::open_store(&backup).unwrap();
    eac_app::load_sample(&mut store, 3, 1, &eac_store::NoProgress).unwrap();
    let (copy, copy_wal) = (
        elsewhere.path().join("copy"),
        elsewhere.path().join("copy-wal"),
    );
    std::fs::copy(&backup, &copy).unwrap();
    std::fs::copy(elsewhere.path().join("backup.sqlite-wal"), &copy_wal).unwrap();
    drop(store);
    let (file, log) = (
        std::fs::read(&copy).unwrap(),
        std::fs::read(&copy_wal).unwrap(),
    );
    assert!(!log.is_empty(), "the backup has changes in its log");
    std::fs::rename(&copy, &db).unwrap();
    std::fs::rename(&copy_wal, &wal).unwrap();
    let other = desk.dir.path().join("other.sqlite");
    desk.ok("open_database", json!({ "path": other }));
    assert_eq!(
        std::fs::read(&db).unwrap(),
        file,
        "the file put there was written"
    );
    assert_eq!(
        std::fs::read(&wal).unwrap(),
        log,
        "the log of the file put there was changed or removed"
    );
}

/// The open database emptied, then opened again on purpose (what the
/// message says to do to start a new database there): a new, empty
/// database. The window's connection to the emptied file, still open with
/// its log, made that open fail as busy.
#[test]
fn a_database_emptied_while_open_and_opened_again_is_a_new_database() {
    let desk = desk();
    let [db, ..] = open_with_log(&desk);
    std::fs::File::create(&db).unwrap();
    let info = desk.ok("open_database", json!({ "path": db }));
    assert_eq!(info["eac_count"], 0, "{info}");
    desk.load_sample(3);
    assert_eq!(desk.ok("db_info", json!({}))["eac_count"], 3);
}
