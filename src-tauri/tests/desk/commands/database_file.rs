//! The database file itself: what "Open database…" refuses to open.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{json, Value};

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
