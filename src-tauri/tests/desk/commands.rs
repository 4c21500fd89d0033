//! Commands as the UI calls them: JSON arguments with snake_case keys in,
//! JSON results or `{ code, message, details }` errors out.

// Registry documents and CSV mappings through the import commands.
mod registry_import;
// Evidence packs, the audit chain and closed periods (issue 12).
mod packs;
// One-unit totals, the summary and the table export (issue 13).
mod dashboard;
// Consumption, claims, reports and factors (issue 15).
mod claims;
// What the window may call: the capability, the command list and the UI's calls.
mod capabilities;
// The database file: what Open database refuses, and the open one gone or replaced.
mod database_file;

use serde_json::{json, Value};
use tauri::test::{
    get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY,
};
use tauri::webview::InvokeRequest;
use tauri::{App, Manager, WebviewWindow, WebviewWindowBuilder};

struct Desk {
    app: App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
    dir: tempfile::TempDir,
}

/// The pack signing key of every desk test: a temp folder named by
/// `EACDESK_KEY_DIR` (as the shell reads it), never the real data folder.
fn test_key_dir() -> &'static std::path::Path {
    static KEYS: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("eacdesk-desk-keys-")
            .tempdir()
            .unwrap();
        std::env::set_var(eac_app::KEY_DIR_ENV, dir.path());
        // Settings too: never the real config folder.
        std::env::set_var(eac_app::SETTINGS_DIR_ENV, dir.path().join("config"));
        dir
    })
    .path()
}

fn desk() -> Desk {
    test_key_dir();
    let dir = tempfile::tempdir().unwrap();
    let app = eac_desk::with_database(mock_builder(), dir.path().join("test.sqlite"))
        .build(mock_context(noop_assets()))
        .unwrap();
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    Desk { app, window, dir }
}

/// One IPC call as the webview makes it.
fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            // The app's own origin on Linux and macOS (custom commands refuse remote ones).
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().unwrap())
}

impl Desk {
    fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        invoke(&self.window, cmd, args)
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.invoke(cmd, args)
            .unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    fn err(&self, cmd: &str, args: Value) -> Value {
        match self.invoke(cmd, args) {
            Ok(v) => panic!("{cmd} should have failed, returned {v}"),
            Err(e) => e,
        }
    }

    fn load_sample(&self, eacs: u64) -> Value {
        self.ok(
            "load_sample",
            json!({ "op_id": "sample-1", "eacs": eacs, "seed": 7 }),
        )
    }

    fn first_row(&self) -> Value {
        let rows = self.ok("browse_page", json!({ "query": query(0, 1) }));
        rows[0].clone()
    }
}

fn query(offset: u64, limit: u64) -> Value {
    json!({
        "filter": {},
        "sort": { "field": "eac_number", "descending": false },
        "offset": offset,
        "limit": limit,
    })
}

#[test]
fn a_fresh_database_is_empty() {
    let desk = desk();
    let info = desk.ok("db_info", json!({}));
    assert_eq!(info["eac_count"], 0);
    assert!(info["path"].as_str().unwrap().ends_with("test.sqlite"));
    assert_eq!(
        desk.ok("browse_page", json!({ "query": query(0, 50) })),
        json!([])
    );
}

#[test]
fn browse_pages_through_loaded_sample_data() {
    let desk = desk();
    let report = desk.load_sample(25);
    assert_eq!(report["files"][0]["outcome"], "imported");
    assert_eq!(report["files"][0]["added"], 25);

    let first = desk.ok("browse_page", json!({ "query": query(0, 10) }));
    let rest = desk.ok("browse_page", json!({ "query": query(10, 100) }));
    assert_eq!(first.as_array().unwrap().len(), 10);
    assert_eq!(rest.as_array().unwrap().len(), 15);
    let summary = desk.ok("browse_summary", json!({ "filter": {} }));
    assert_eq!(summary["count"], 25);
    assert_eq!(desk.ok("db_info", json!({}))["eac_count"], 25);

    // Quantities cross as exact decimal text, never as JSON numbers.
    assert!(first[0]["quantities"][0]["total"].is_string());
    let id = first[0]["cds_eac_id"].as_str().unwrap();
    let detail = desk.ok("eac_detail", json!({ "cds_eac_id": id }));
    assert_eq!(detail["cds_eac_id"], id);
}

#[test]
fn general_beneficiaries_with_ids_are_refused_with_a_code() {
    let desk = desk();
    desk.load_sample(3);
    let id = desk.first_row()["cds_eac_id"].clone();
    let e = desk.err(
        "set_beneficiaries",
        json!({
            "cds_eac_id": id,
            "beneficiary_type": "general",
            "beneficiaries": ["ACME"],
            "reason": "test",
        }),
    );
    assert_eq!(e["code"], "validation", "{e}");
    assert!(e["message"].as_str().unwrap().contains("general"), "{e}");
    assert!(desk
        .ok("audit_log", json!({ "cds_eac_id": id }))
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn an_edit_with_a_reason_is_audited() {
    let desk = desk();
    desk.load_sample(3);
    let id = desk.first_row()["cds_eac_id"].clone();
    let record = desk.ok(
        "set_beneficiaries",
        json!({
            "cds_eac_id": id,
            "beneficiary_type": "customer",
            "beneficiaries": ["CUST-9"],
            "reason": "contract signed",
        }),
    );
    assert_eq!(record["after"]["beneficiaries"], json!(["CUST-9"]));
    let log = desk.ok("audit_log", json!({ "cds_eac_id": id }));
    assert_eq!(log[0]["reason"], "contract signed");
    let all = desk.ok("audit_log", json!({ "cds_eac_id": null }));
    assert_eq!(all.as_array().unwrap().len(), 1);
}

/// The beneficiary editor's "Record as reviewed": the assignment the EAC
/// holds, given again with a reason, is recorded as a review (decisions 15,
/// 319), the EAC left as it was, as `eacdesk beneficiaries set` does.
#[test]
fn an_unchanged_assignment_with_a_reason_is_recorded_as_a_review() {
    let desk = desk();
    desk.load_sample(3);
    let id = desk.first_row()["cds_eac_id"].clone();
    let before = desk.ok("eac_detail", json!({ "cds_eac_id": id }));
    let record = desk.ok(
        "set_beneficiaries",
        json!({
            "cds_eac_id": id,
            "beneficiary_type": before["beneficiary_type"],
            "beneficiaries": before["beneficiaries"],
            "reason": "checked against the contract",
            "version": before["version"],
        }),
    );
    assert_eq!(record["reviewed"], true, "{record}");
    let after = desk.ok("eac_detail", json!({ "cds_eac_id": id }));
    assert_eq!(after, before, "the EAC is left as it was");
    let log = desk.ok("audit_log", json!({ "cds_eac_id": id }));
    assert_eq!(log.as_array().unwrap().len(), 1, "{log}");
    assert_eq!(log[0]["reason"], "checked against the contract");
    assert_eq!(log[0]["reviewed"], true);
}

#[test]
fn a_display_name_saved_in_settings_is_on_the_next_edit() {
    let desk = desk();
    desk.load_sample(3);
    let id = desk.first_row()["cds_eac_id"].clone();
    let saved = desk.ok(
        "settings_update",
        json!({ "patch": { "display_name": " Ana Tester " } }),
    );
    assert_eq!(saved["display_name"], "Ana Tester");
    desk.ok(
        "set_beneficiaries",
        json!({
            "cds_eac_id": id,
            "beneficiary_type": "customer",
            "beneficiaries": ["CUST-9"],
            "reason": "named",
        }),
    );
    let log = desk.ok("audit_log", json!({ "cds_eac_id": id }));
    assert_eq!(log[0]["display_name"], "Ana Tester", "{log}");
}

#[test]
fn an_unknown_eac_is_not_found() {
    let desk = desk();
    let e = desk.err("eac_detail", json!({ "cds_eac_id": "no-such-eac" }));
    assert_eq!(e["code"], "not_found", "{e}");
    assert!(e["details"].is_object());
}

#[test]
fn bad_arguments_are_refused_before_any_work() {
    let desk = desk();
    // Not an AppError: Tauri's own message for an argument that does not parse.
    assert!(desk
        .invoke("distinct_values", json!({ "field": "colour" }))
        .is_err());
    let choices = desk.ok("distinct_values", json!({ "field": "source" }));
    assert_eq!(choices, json!([]));
    // Cancelling an operation that is not running is harmless.
    assert_eq!(
        desk.ok("cancel_operation", json!({ "op_id": "none" })),
        Value::Null
    );
}

#[test]
fn export_then_validate_round_trips() {
    let desk = desk();
    desk.load_sample(5);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.json");
    let report = desk.ok(
        "export_file",
        json!({ "op_id": "x", "profile": "p1", "filter": null, "path": path }),
    );
    assert_eq!(report["eac_count"], 5);
    // The UI has no command for it; the CLI's `validate` is the same operation.
    let validation = eac_app::validate_file(&path, eac_app::ExportProfile::P1, false).unwrap();
    assert!(validation.errors.is_empty(), "{:?}", validation.errors);
}

#[test]
fn a_typed_output_path_lands_beside_the_database_and_is_reported_whole() {
    let desk = desk();
    desk.load_sample(3);
    // A relative path: in the database's folder, not the app's working
    // folder, and the report names the whole path.
    let report = desk.ok(
        "export_file",
        json!({ "op_id": "rel", "profile": "p1", "filter": null, "path": "eacs-out.json" }),
    );
    let written = desk.dir.path().join("eacs-out.json");
    assert_eq!(
        report["path"],
        json!(written.display().to_string()),
        "{report}"
    );
    assert!(written.is_file());
    assert!(!std::path::Path::new("eacs-out.json").exists());
    assert_eq!(
        desk.ok("path_kind", json!({ "path": "eacs-out.json" })),
        json!("file")
    );
    // A folder that takes no new files is named with the user's path,
    // never the hidden temporary file, and its advice is not repeated.
    #[cfg(target_os = "linux")]
    {
        let e = desk.err(
            "export_file",
            json!({ "op_id": "proc", "profile": "p1", "filter": null, "path": "/proc/eacs.json" }),
        );
        assert_eq!(e["code"], "io", "{e}");
        let m = e["message"].as_str().unwrap();
        assert!(m.contains("/proc/eacs.json"), "{m}");
        assert!(m.contains("the folder /proc"), "{m}");
        assert!(!m.contains(".eacdesk-export"), "{m}");
        assert!(!m.contains("os error"), "{m}");
        assert!(!m.contains("Check that the path"), "{m}");
    }
}

#[test]
fn a_second_database_can_be_opened() {
    let desk = desk();
    desk.load_sample(2);
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.sqlite");
    let info = desk.ok("open_database", json!({ "path": other }));
    assert_eq!(info["eac_count"], 0);
    assert_eq!(desk.ok("db_info", json!({}))["path"], json!(other));
}

/// "Open database…" of an empty file (0 bytes) the user chose: the app
/// opens it as a new database, as it does a name that does not exist yet
/// (a read-only CLI command leaves such a file as it is, decision 55).
#[test]
fn an_empty_file_chosen_to_open_becomes_a_new_database() {
    let desk = desk();
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.sqlite");
    std::fs::write(&empty, b"").unwrap();
    let info = desk.ok("open_database", json!({ "path": empty }));
    assert_eq!(info["eac_count"], 0);
    assert_eq!(desk.ok("db_info", json!({}))["path"], json!(empty));
    desk.load_sample(2);
    assert_eq!(desk.ok("db_info", json!({}))["eac_count"], 2);
    // The chosen file itself is the database now.
    let store = eac_app::open_store_read(&empty).unwrap();
    assert_eq!(eac_app::db_info(&store).unwrap().eac_count, 2);
}

type Answer = Result<Value, Value>;

/// Starts a 200 000 EAC sample load on another thread of `scope`: long
/// enough to cancel, read beside or close the window on while it runs.
fn spawn_long_load<'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    desk: &Desk,
    op_id: &'static str,
    seed: u64,
) -> std::thread::ScopedJoinHandle<'scope, Answer> {
    let window = desk.window.clone();
    scope.spawn(move || {
        invoke(
            &window,
            "load_sample",
            json!({ "op_id": op_id, "eacs": 200_000, "seed": seed }),
        )
    })
}

#[test]
fn a_cancelled_operation_writes_nothing() {
    let desk = desk();
    let outcome = std::thread::scope(|scope| {
        let run = spawn_long_load(scope, &desk, "big", 1);
        // The id is registered once the operation starts; cancel until it ends.
        while !run.is_finished() {
            desk.ok("cancel_operation", json!({ "op_id": "big" }));
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        run.join().unwrap()
    });
    let e = outcome.expect_err("a 200 000 EAC load should not finish before the cancel");
    assert_eq!(e["code"], "cancelled", "{e}");
    assert_eq!(desk.ok("db_info", json!({}))["eac_count"], 0);
}

/// Records what the app would send the window.
#[derive(Default)]
struct Recorder {
    progress: std::sync::Mutex<Vec<eac_app::ProgressEvent>>,
    closed: std::sync::atomic::AtomicBool,
}

impl eac_desk::Ui for Recorder {
    fn progress(&self, event: eac_app::ProgressEvent) {
        self.progress.lock().unwrap().push(event);
    }
    fn db_changed(&self) {}
    fn db_gone(&self, _: eac_app::AppError) {}
    fn set_title(&self, _: &str) {}
    fn close_window(&self) {
        self.closed.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Recorder {
    /// Waits until the operation has written part of its work.
    fn wait_for_progress(&self, run: &std::thread::ScopedJoinHandle<'_, Answer>) {
        while !self.progress.lock().unwrap().iter().any(|e| e.done > 0) {
            assert!(
                !run.is_finished(),
                "the operation ended before it reported progress"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }
}

#[test]
fn closing_asks_first_and_close_anyway_stops_running_work_before_the_window_goes() {
    use eac_app::CloseBlockers;
    let desk = desk();
    let state = desk.app.state::<eac_desk::Desk>();
    let recorder = std::sync::Arc::new(Recorder::default());
    state.attach(recorder.clone());
    assert_eq!(
        state.close_blockers(),
        None,
        "nothing to lose: close at once"
    );

    desk.ok("set_unsaved_edits", json!({ "unsaved": true }));
    assert_eq!(
        state.close_blockers(),
        Some(CloseBlockers {
            unsaved_edits: true,
            running_operations: 0
        })
    );
    // Asked, the UI shows the question and says so: every request asks.
    let patience = std::time::Duration::ZERO;
    assert!(state.on_close_requested(patience).is_some());
    desk.ok("close_request_seen", json!({}));
    assert!(state.on_close_requested(patience).is_some());
    // A UI that never answers (a hung webview) cannot keep the window open:
    // the next request after the patience runs out closes it.
    assert_eq!(state.on_close_requested(patience), None);
    desk.ok("close_request_seen", json!({}));

    desk.ok("set_unsaved_edits", json!({ "unsaved": false }));
    assert_eq!(state.close_blockers(), None);
    assert_eq!(state.on_close_requested(patience), None);

    let outcome = std::thread::scope(|scope| {
        let run = spawn_long_load(scope, &desk, "closing", 3);
        recorder.wait_for_progress(&run);
        assert_eq!(
            state.close_blockers(),
            Some(CloseBlockers {
                unsaved_edits: false,
                running_operations: 1
            })
        );
        desk.ok("close_anyway", json!({}));
        run.join().unwrap()
    });
    let e = outcome.expect_err("the load should have been cancelled by close_anyway");
    assert_eq!(e["code"], "cancelled", "{e}");
    let waited = std::time::Instant::now();
    while !recorder.closed.load(std::sync::atomic::Ordering::SeqCst) {
        assert!(
            waited.elapsed() < std::time::Duration::from_secs(10),
            "the window was never closed"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    // The cut-off load wrote nothing, and the window may now go.
    assert_eq!(desk.ok("db_info", json!({}))["eac_count"], 0);
    assert_eq!(state.close_blockers(), None);
}

#[test]
fn reads_answer_while_a_long_operation_runs() {
    let desk = desk();
    let recorder = std::sync::Arc::new(Recorder::default());
    desk.app.state::<eac_desk::Desk>().attach(recorder.clone());
    let reads_during = std::thread::scope(|scope| {
        let run = spawn_long_load(scope, &desk, "long", 2);
        // Progress past zero: the load is inside its transaction.
        recorder.wait_for_progress(&run);
        let mut reads_during = 0;
        while !run.is_finished() {
            let summary = desk.ok("browse_summary", json!({ "filter": {} }));
            // Nothing is visible until the whole load commits.
            assert_eq!(summary["count"], 0);
            if !run.is_finished() {
                reads_during += 1;
            }
            if reads_during >= 3 {
                desk.ok("cancel_operation", json!({ "op_id": "long" }));
            }
        }
        reads_during
    });
    assert!(reads_during >= 3, "reads waited behind the load");
    let events = recorder.progress.lock().unwrap();
    assert!(events.iter().all(|e| e.op_id == "long"));
}

fn fixture(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(rel)
}

#[test]
fn a_p2_bundle_export_validates_and_imports_into_another_database() {
    let desk = desk();
    desk.load_sample(4);
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle");
    let report = desk.ok(
        "export_bundle",
        json!({ "op_id": "p2", "filter": null, "path": bundle,
                "base_url": "https://example.org/eacs/" }),
    );
    assert_eq!(report["eac_count"], 4);
    // Four detail files, eacs.json, server-metadata.json and FORMAT.md.
    assert_eq!(report["file_count"], 7);
    assert_eq!(report["sha256"].as_str().unwrap().len(), 64);
    let listing: Value =
        serde_json::from_slice(&std::fs::read(bundle.join("eacs.json")).unwrap()).unwrap();
    let url = listing["eacs"][0]["eac_data_url"].as_str().unwrap();
    assert!(url.starts_with("https://example.org/eacs/"), "{url}");

    let validation = eac_app::validate_file(&bundle, eac_app::ExportProfile::P2, false).unwrap();
    assert!(validation.errors.is_empty(), "{:?}", validation.errors);

    let before = desk.ok("browse_page", json!({ "query": query(0, 10) }));
    desk.ok(
        "open_database",
        json!({ "path": dir.path().join("other.sqlite") }),
    );
    let imported = desk.ok(
        "import_files",
        json!({ "op_id": "in", "paths": [bundle.join("eacs.json")] }),
    );
    assert_eq!(imported["files"][0]["outcome"], "imported", "{imported}");
    let after = desk.ok("browse_page", json!({ "query": query(0, 10) }));
    assert_eq!(
        after, before,
        "the bundle carried every field and value back"
    );
}

#[test]
fn a_p2_export_refuses_a_base_url_that_is_not_https_and_writes_nothing() {
    let desk = desk();
    desk.load_sample(2);
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle");
    let e = desk.err(
        "export_bundle",
        json!({ "op_id": "p2", "filter": null, "path": bundle,
                "base_url": "http://example.org/eacs/" }),
    );
    assert_eq!(e["code"], "invalid_input", "{e}");
    assert!(e["message"].as_str().unwrap().contains("https"), "{e}");
    assert!(!bundle.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn marking_verified_sets_the_last_checked_time() {
    let desk = desk();
    desk.load_sample(3);
    let id = desk.first_row()["cds_eac_id"].clone();
    let imported = desk.ok("eac_detail", json!({ "cds_eac_id": id }))["cds_synced"].clone();
    assert!(
        imported.is_string(),
        "an import sets cds_synced: {imported}"
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));

    let one = desk.ok("verify_eac", json!({ "cds_eac_id": id }));
    assert_eq!(one["verified"], 1, "{one}");
    let synced = desk.ok("eac_detail", json!({ "cds_eac_id": id }))["cds_synced"].clone();
    assert!(
        synced.as_str() > imported.as_str(),
        "{synced} after {imported}"
    );

    // A dry run counts for the confirmation and marks nothing.
    let all = json!({ "op_id": "v", "filter": {}, "reason": null, "dry_run": true });
    let plan = desk.ok("verify_eacs", all.clone());
    assert_eq!(
        (plan["dry_run"].clone(), plan["verified"].clone()),
        (json!(true), json!(3))
    );
    assert_eq!(
        audit_actions(&desk, "verify"),
        1,
        "the dry run was recorded"
    );
    let mut run = all;
    run["dry_run"] = json!(false);
    assert_eq!(desk.ok("verify_eacs", run)["verified"], 3);
    let e = desk.err("verify_eac", json!({ "cds_eac_id": "no-such" }));
    assert_eq!(e["code"], "not_found", "{e}");
    // Recorded like every change: who, when, which EAC (issue 9 item 16).
    assert_eq!(audit_actions(&desk, "verify"), 4);
}

/// Audit records of `action` in the whole database.
fn audit_actions(desk: &Desk, action: &str) -> usize {
    let log = desk.ok("audit_log", json!({ "cds_eac_id": null }));
    log.as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == action)
        .count()
}

#[test]
fn deleting_asks_with_a_dry_run_then_deletes_and_audits() {
    let desk = desk();
    desk.load_sample(4);
    let id = desk.first_row()["cds_eac_id"].clone();
    let args = |dry_run: bool| json!({ "op_id": "d", "target": { "ids": [id] }, "reason": "wrong file", "dry_run": dry_run });
    let plan = desk.ok("delete_eacs", args(true));
    assert_eq!(plan["deleted"], 1, "{plan}");
    assert_eq!(desk.ok("db_info", json!({}))["eac_count"], 4);
    let blank = desk.err(
        "delete_eacs",
        json!({ "op_id": "d", "target": { "ids": [id] }, "reason": " ", "dry_run": false }),
    );
    assert_eq!(blank["code"], "invalid_input", "{blank}");

    assert_eq!(desk.ok("delete_eacs", args(false))["deleted"], 1);
    assert_eq!(desk.ok("db_info", json!({}))["eac_count"], 3);
    let log = desk.ok("audit_log", json!({ "cds_eac_id": id }));
    assert_eq!(log[0]["action"], "delete", "{log}");
    assert_eq!(log[0]["reason"], "wrong file");
    assert!(log[0]["after"].is_null(), "{log}");
    let gone = desk.err("eac_detail", json!({ "cds_eac_id": id }));
    assert_eq!(gone["code"], "not_found", "{gone}");
}

/// A bulk dialog counted the EACs and the user confirmed that count; then
/// another program imported more that match. The change is refused with
/// how many match now (nothing written), and goes through once confirmed
/// for them: beneficiaries, fields, verification and deletion alike.
#[test]
fn a_bulk_change_is_refused_when_more_eacs_match_than_the_user_confirmed() {
    let desk = desk();
    desk.load_sample(2);
    let shown = desk.ok("browse_summary", json!({ "filter": {} }))["count"].clone();
    assert_eq!(shown, 2);
    let mut other = eac_app::Store::open(&desk.dir.path().join("test.sqlite")).unwrap();
    eac_app::load_sample(&mut other, 3, 99, &eac_app::NoProgress).unwrap();
    drop(other);
    let audited = desk.ok("audit_log", json!({ "cds_eac_id": null }));
    let changes: [(&str, Value); 4] = [
        (
            "bulk_set_beneficiaries",
            json!({ "op_id": "b", "filter": {}, "beneficiary_type": "customer",
                    "beneficiaries": ["C-9"], "reason": "sold" }),
        ),
        (
            "set_fields",
            json!({ "op_id": "f", "target": { "filter": {} }, "reason": "filled",
                    "values": [{ "field": "destination_name", "value": "Our Utility" }],
                    "dry_run": false, "version": null }),
        ),
        (
            "verify_eacs",
            json!({ "op_id": "v", "filter": {}, "reason": null, "dry_run": false }),
        ),
        (
            "delete_eacs",
            json!({ "op_id": "d", "target": { "filter": {} }, "reason": "wrong file",
                    "dry_run": false }),
        ),
    ];
    for (cmd, args) in &changes {
        let mut confirmed = args.clone();
        confirmed["confirmed"] = shown.clone();
        let e = desk.err(cmd, confirmed);
        assert_eq!(e["code"], "invalid_input", "{cmd}: {e}");
        assert_eq!(e["details"]["unconfirmed"], 5, "{cmd}: {e}");
        let message = e["message"].as_str().unwrap();
        assert!(
            message.starts_with("5 EACs match now, not the 2 you confirmed"),
            "{cmd}: {message}"
        );
        assert!(message.contains("Nothing was changed"), "{cmd}: {message}");
    }
    assert_eq!(
        desk.ok("audit_log", json!({ "cds_eac_id": null })),
        audited,
        "nothing was written"
    );
    assert_eq!(desk.ok("db_info", json!({}))["eac_count"], 5);
    // Asked again, the user confirms the five.
    for (cmd, args) in &changes {
        let mut confirmed = args.clone();
        confirmed["confirmed"] = json!(5);
        desk.ok(cmd, confirmed);
    }
    assert_eq!(desk.ok("db_info", json!({}))["eac_count"], 0);
}

/// An undo confirmed for fewer EACs than it would take out is refused
/// with the count, nothing changed; confirmed for them, it is done.
#[test]
fn an_undo_is_refused_when_it_would_take_more_eacs_than_confirmed() {
    let desk = desk();
    desk.load_sample(3);
    let batch_id = desk.ok("import_batches", json!({}))[0]["id"].clone();
    let args = |confirmed: u64| {
        json!({ "op_id": "u", "batch_id": batch_id, "reason": "wrong file", "dry_run": false,
                "confirmed": confirmed })
    };
    let e = desk.err("undo_import", args(1));
    assert_eq!(e["code"], "invalid_input", "{e}");
    assert_eq!(e["details"]["unconfirmed"], 3, "{e}");
    assert_eq!(desk.ok("db_info", json!({}))["eac_count"], 3);
    assert_eq!(desk.ok("undo_import", args(3))["removed"], 3);
    assert_eq!(desk.ok("db_info", json!({}))["eac_count"], 0);
}

#[test]
fn an_import_is_listed_and_undone_with_its_eacs() {
    let desk = desk();
    desk.load_sample(2);
    let file = fixture("canonical-p1.json");
    let report = desk.ok("import_files", json!({ "op_id": "i", "paths": [file] }));
    let added = report["files"][0]["added"].as_u64().unwrap();
    assert!(added > 0, "{report}");
    let batches = desk.ok("import_batches", json!({}));
    assert_eq!(batches.as_array().unwrap().len(), 2, "{batches}");
    let newest = &batches[0];
    assert_eq!(newest["undoable"], true, "{batches}");
    let batch_id = newest["id"].clone();

    let args = |dry_run: bool| json!({ "op_id": "u", "batch_id": batch_id, "reason": "wrong file", "dry_run": dry_run });
    assert_eq!(desk.ok("undo_import", args(true))["removed"], added);
    assert_eq!(desk.ok("db_info", json!({}))["eac_count"], 2 + added);
    assert_eq!(desk.ok("undo_import", args(false))["removed"], added);
    assert_eq!(desk.ok("db_info", json!({}))["eac_count"], 2);
    assert_eq!(audit_actions(&desk, "undo_import") as u64, added);
    let again = desk.err("undo_import", args(false));
    assert_eq!(again["code"], "invalid_input", "{again}");
    assert!(desk.ok("import_batches", json!({}))[0]["undone_at"].is_string());
}

#[test]
fn envelope_only_eacs_are_counted_listed_and_block_a_p1_export() {
    let desk = desk();
    let listing = fixture("spec-examples/good-p2-meeting-0926.json");
    let report = desk.ok("import_files", json!({ "op_id": "in", "paths": [listing] }));
    assert_eq!(report["files"][0]["outcome"], "imported", "{report}");
    let info = desk.ok("db_info", json!({}));
    assert_eq!(info["eac_count"], 0);
    let n = info["envelope_only_count"].as_u64().unwrap();
    assert!(n >= 3, "{info}");

    let rows = desk.ok("envelope_only", json!({ "offset": 0, "limit": 2 }));
    assert_eq!(rows.as_array().unwrap().len(), 2);
    assert_eq!(rows[0]["cds_eac_id"], "99999999-dk1");
    assert_eq!(rows[0]["eac_numbers"], json!(["AAAZZZ-123"]));
    let rest = desk.ok("envelope_only", json!({ "offset": 2, "limit": 100 }));
    assert_eq!(rest.as_array().unwrap().len() as u64, n - 2);

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("p1.json");
    let e = desk.err(
        "export_file",
        json!({ "op_id": "x", "profile": "p1", "filter": null, "path": out }),
    );
    assert_eq!(e["code"], "validation", "{e}");
    assert!(
        e["details"]["violations"][0]["cds_eac_id"].is_string(),
        "{e}"
    );
    assert!(!out.exists());
}

#[test]
fn reference_data_names_beneficiaries_and_flags_unknown_ids() {
    let desk = desk();
    assert_eq!(desk.ok("refdata_counts", json!({})), json!([]));
    let reports = desk.ok(
        "import_refdata",
        json!({ "op_id": "r", "paths": [fixture("refdata/accounts-2024.json"),
                                         fixture("refdata/programs.csv")] }),
    );
    assert_eq!(reports.as_array().unwrap().len(), 2);
    let counts = desk.ok("refdata_counts", json!({}));
    let types: Vec<&str> = counts
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["beneficiary_type"].as_str().unwrap())
        .collect();
    assert!(
        types.contains(&"account") && types.contains(&"program"),
        "{counts}"
    );

    let accounts = desk.ok(
        "list_refdata",
        json!({ "beneficiary_type": "account", "search": "acme", "limit": 0 }),
    );
    assert_eq!(accounts[0]["id"], "ACC-1", "{accounts}");
    let choices = desk.ok(
        "beneficiary_choices",
        json!({ "beneficiary_type": "account", "prefix": "ACC-1", "limit": 5 }),
    );
    assert!(
        choices[0]["label"].as_str().unwrap().contains("Acme Ltd"),
        "{choices}"
    );
    let unknown = desk.ok(
        "check_beneficiaries",
        json!({ "beneficiary_type": "account", "beneficiaries": ["ACC-1", "ACC-404"] }),
    );
    assert_eq!(unknown, json!(["ACC-404"]));

    let e = desk.err(
        "import_refdata",
        json!({ "op_id": "r2", "paths": [fixture("refdata/bad-accounts.json")] }),
    );
    assert_eq!(e["code"], "validation", "{e}");
    assert!(
        e["message"].as_str().unwrap().contains("bad-accounts.json"),
        "{e}"
    );
    assert_eq!(desk.ok("refdata_counts", json!({})), counts);
}

#[test]
fn missing_emission_factors_are_flagged_until_entered() {
    let desk = desk();
    let todo = fixture("spec-examples/bad-p1-todo-emissions.json");
    let report = desk.ok("import_files", json!({ "op_id": "in", "paths": [todo] }));
    assert_eq!(report["files"][0]["outcome"], "imported", "{report}");
    let row = desk.first_row();
    assert_eq!(row["emissions_missing"], true, "{row}");
    let missing = desk.ok(
        "browse_summary",
        json!({ "filter": { "missing_emissions": true } }),
    );
    assert_eq!(missing["count"], 1);

    let id = row["cds_eac_id"].clone();
    let record = desk.ok(
        "set_emissions",
        json!({ "cds_eac_id": id, "emissions_factor_direct": "0",
                "emissions_factor_lca": "11.50", "reason": "from the registry" }),
    );
    assert_eq!(record["reason"], "from the registry");
    let detail = desk.ok("eac_detail", json!({ "cds_eac_id": id }));
    assert_eq!(detail["emissions_factor_lca"], "11.50");
    assert_eq!(desk.first_row()["emissions_missing"], false);
    let none = desk.ok(
        "browse_summary",
        json!({ "filter": { "missing_emissions": true } }),
    );
    assert_eq!(none["count"], 0);
}

#[test]
fn extended_technologies_import_only_when_the_user_says_so() {
    let desk = desk();
    let nuclear = fixture("rules/rule-03-extended-technology.json");
    // Without the flag (as before it existed, and unticked): refused under rule 3.
    let refused = desk.ok("import_files", json!({ "op_id": "a", "paths": [nuclear] }));
    let file = &refused["files"][0];
    assert_ne!(file["outcome"], "imported", "{refused}");
    assert_eq!(file["violations"][0]["rule"], 3, "{refused}");
    assert!(
        file["violations"][0]["pointer"]
            .as_str()
            .unwrap()
            .ends_with("/technology_type"),
        "{refused}"
    );
    assert_eq!(desk.ok("db_info", json!({}))["eac_count"], 0);
    // Ticked: imported as given.
    let accepted = desk.ok(
        "import_files",
        json!({ "op_id": "b", "paths": [nuclear], "allow_extended_technologies": true }),
    );
    assert_eq!(accepted["files"][0]["outcome"], "imported", "{accepted}");
    assert_eq!(desk.first_row()["technology_type"], "nuclear");
}

#[test]
fn sample_data_for_a_database_with_eacs_goes_to_a_separate_file() {
    let desk = desk();
    // Empty: the sample may go into the open database.
    let plan = desk.ok("sample_plan", json!({}));
    assert_eq!(plan["separate"], false, "{plan}");
    desk.load_sample(4);

    let plan = desk.ok("sample_plan", json!({}));
    assert_eq!(plan["separate"], true, "{plan}");
    assert_eq!(plan["open_eac_count"], 4);
    let sample_path = desk.dir.path().join("test-sample.sqlite");
    assert_eq!(plan["sample_path"], sample_path.to_string_lossy().as_ref());

    let report = desk.ok(
        "load_sample_database",
        json!({ "op_id": "s", "eacs": 6, "seed": 2 }),
    );
    assert_eq!(report["files"][0]["added"], 6, "{report}");
    // The open database is untouched; the sample database holds the new EACs.
    assert_eq!(desk.ok("db_info", json!({}))["eac_count"], 4);
    let info = desk.ok("open_database", json!({ "path": sample_path }));
    assert_eq!(info["eac_count"], 6);
    assert_eq!(desk.ok("sample_plan", json!({}))["separate"], false);
}

// ---- Registry documents: completing fields, sources, double counting (issue 11) ----

/// A real registry sample of `eac-registry` (`crates/eac-registry/tests/fixtures`).
fn registry_fixture(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/eac-registry/tests/fixtures")
        .join(rel)
}

const NECS: &str = "eecs-go/necs-cancellation-statement-sample.pdf";
const NECS_ID: &str = "eecs:708000340067300000000071882260..708000340067300000000071882352";

impl Desk {
    fn import(&self, paths: &[std::path::PathBuf]) -> Value {
        let report = self.ok("import_files", json!({ "op_id": "in", "paths": paths }));
        for f in report["files"].as_array().unwrap() {
            assert_eq!(f["outcome"], "imported", "{report}");
        }
        report
    }

    fn count(&self, filter: Value) -> u64 {
        self.ok("browse_summary", json!({ "filter": filter }))["count"]
            .as_u64()
            .unwrap()
    }
}

/// Every field a GO cancellation statement does not give, as the UI sends them.
fn completion() -> Value {
    json!([
        { "field": "destination_id", "value": "ACME-SUPPLY" },
        { "field": "destination_name", "value": "Acme Supply" },
        { "field": "asset_origination", "value": "region" },
        { "field": "asset_destination", "value": "region" },
        { "field": "emissions_factor_direct", "value": "0" },
        { "field": "emissions_factor_lca", "value": "0.024" },
    ])
}

#[test]
fn incomplete_registry_eacs_are_found_completed_with_a_dry_run_first_and_audited() {
    let desk = desk();
    desk.import(&[registry_fixture(NECS)]);
    let detail = desk.ok("eac_detail", json!({ "cds_eac_id": NECS_ID }));
    let missing: Vec<&str> = detail["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert_eq!(
        missing,
        [
            "destination_id",
            "destination_name",
            "beneficiary_type",
            "asset_origination",
            "asset_destination",
            "emissions_factor_direct",
            "emissions_factor_lca"
        ]
    );
    assert_eq!(desk.count(json!({ "incomplete": true })), 1);
    let target = json!({ "filter": { "incomplete": true } });

    // A dry run counts, needs no reason and changes nothing.
    let dry = desk.ok(
        "set_fields",
        json!({ "op_id": "f1", "target": target, "values": completion(),
                "reason": null, "dry_run": true }),
    );
    assert_eq!(dry["matching"], 1, "{dry}");
    assert_eq!(dry["changed"], 1, "{dry}");
    assert_eq!(dry["dry_run"], true);
    assert_eq!(
        desk.ok("eac_detail", json!({ "cds_eac_id": NECS_ID })),
        detail
    );
    assert_eq!(audit_actions(&desk, "set_fields"), 0);

    // For real, a reason is required.
    let e = desk.err(
        "set_fields",
        json!({ "op_id": "f2", "target": target, "values": completion(),
                "reason": null, "dry_run": false }),
    );
    assert_eq!(e["code"], "invalid_input", "{e}");
    assert!(e["message"].as_str().unwrap().contains("reason"), "{e}");

    // A bad value refuses the whole change, naming the field.
    let e = desk.err(
        "set_fields",
        json!({ "op_id": "f3", "target": target, "reason": "from the contract", "dry_run": false,
                "values": [{ "field": "asset_origination", "value": "moon" },
                           { "field": "destination_id", "value": "X" }] }),
    );
    assert_eq!(e["code"], "invalid_input", "{e}");
    assert!(
        e["message"].as_str().unwrap().contains("asset_origination"),
        "{e}"
    );
    assert_eq!(
        desk.ok("eac_detail", json!({ "cds_eac_id": NECS_ID })),
        detail
    );

    let done = desk.ok(
        "set_fields",
        json!({ "op_id": "f4", "target": { "ids": [NECS_ID] }, "values": completion(),
                "reason": "from the supply contract", "dry_run": false }),
    );
    assert_eq!(done["changed"], 1, "{done}");
    // The beneficiary type is still missing (the beneficiary editor completes it).
    assert_eq!(done["now_complete"], 0, "{done}");
    let after = desk.ok("eac_detail", json!({ "cds_eac_id": NECS_ID }));
    assert_eq!(after["destination_name"], "Acme Supply");
    assert_eq!(after["asset_origination"], "region");
    assert_eq!(after["emissions_factor_lca"], "0.024");
    assert_eq!(after["missing"], json!(["beneficiary_type"]));
    let log = desk.ok("audit_log", json!({ "cds_eac_id": NECS_ID }));
    assert_eq!(log[0]["action"], "set_fields", "{log}");
    assert_eq!(log[0]["reason"], "from the supply contract");

    desk.ok(
        "set_beneficiaries",
        json!({ "cds_eac_id": NECS_ID, "beneficiary_type": "general", "beneficiaries": [],
                "reason": "disclosure for everyone" }),
    );
    assert_eq!(desk.count(json!({ "incomplete": true })), 0);
    assert_eq!(desk.count(json!({ "incomplete": false })), 1);
    // Complete now: the P1 export that was refused goes through.
    let out = desk.dir.path().join("p1.json");
    let report = desk.ok(
        "export_file",
        json!({ "op_id": "x", "profile": "p1", "filter": null, "path": out }),
    );
    assert_eq!(report["eac_count"], 1, "{report}");
}

#[test]
fn an_incomplete_eac_blocks_the_export_naming_it_and_its_fields() {
    let desk = desk();
    desk.import(&[registry_fixture(NECS)]);
    let out = desk.dir.path().join("refused.json");
    let e = desk.err(
        "export_file",
        json!({ "op_id": "x", "profile": "p1", "filter": null, "path": out }),
    );
    assert_eq!(e["code"], "validation", "{e}");
    let violations = e["details"]["violations"].as_array().unwrap();
    assert!(
        violations.iter().any(|v| v["cds_eac_id"] == NECS_ID
            && v["pointer"].as_str().unwrap().ends_with("/destination_id")),
        "{e}"
    );
    assert!(!out.exists());
}

#[test]
fn a_value_without_dates_gets_them_only_where_missing() {
    let desk = desk();
    desk.import(&[registry_fixture("irec/redemption-statement-sample.pdf")]);
    let row = desk.first_row();
    let id = row["cds_eac_id"].as_str().unwrap().to_owned();
    let detail = desk.ok("eac_detail", json!({ "cds_eac_id": id }));
    assert_eq!(detail["values"][0]["issued"], Value::Null, "{detail}");
    assert_eq!(detail["values"][0]["retired_undated"], true, "{detail}");
    let done = desk.ok(
        "set_fields",
        json!({ "op_id": "d", "target": { "ids": [id] }, "reason": "dates from the registry",
                "dry_run": false,
                "values": [{ "field": "issued", "value": "2023-01-15" },
                           { "field": "retired", "value": "2023-06-30" }] }),
    );
    assert!(done["changed"].as_u64().unwrap() >= 1, "{done}");
    let after = desk.ok("eac_detail", json!({ "cds_eac_id": id }));
    assert_eq!(after["values"][0]["issued"], "2023-01-15", "{after}");
    assert_eq!(after["values"][0]["retired"], "2023-06-30", "{after}");
    assert_eq!(after["values"][0]["retired_undated"], false, "{after}");
    let missing = after["missing"].as_array().unwrap();
    assert!(
        !missing
            .iter()
            .any(|m| m.as_str().unwrap().ends_with("/issued")
                || m.as_str().unwrap().ends_with("/retired")),
        "{after}"
    );
}

/// Decision 311 in the app: a `set_fields` report carries the issue dates
/// kept (`issued_kept`, with the backend's sentence in `issued_kept_why`)
/// and the rule 22 warnings the change brings, which the UI shows instead
/// of "already held these values".
#[test]
fn set_fields_tells_the_app_of_kept_issue_dates_and_rule_22_warnings() {
    let desk = desk();
    desk.import(&[registry_fixture("irec/redemption-statement-sample.pdf")]);
    let id = desk.first_row()["cds_eac_id"].as_str().unwrap().to_owned();
    let set = |target: Value, values: Value, dry_run: bool| {
        desk.ok(
            "set_fields",
            json!({ "op_id": "k", "target": target, "reason": "from the registry",
                    "dry_run": dry_run, "values": values }),
        )
    };
    let one = json!({ "ids": [id] });
    let done = set(
        one.clone(),
        json!([{ "field": "issued", "value": "2023-01-15" }]),
        false,
    );
    assert_eq!(
        (done["changed"].clone(), done["issued_kept"].clone()),
        (json!(1), json!(0))
    );
    assert_eq!(done["issued_kept_why"], Value::Null, "{done}");
    assert_eq!(done["warnings"], json!([]), "{done}");
    // Through a filter an entered date is kept, and the report says why.
    for dry_run in [true, false] {
        let kept = set(
            json!({ "filter": {} }),
            json!([{ "field": "issued", "value": "2023-02-01" }]),
            dry_run,
        );
        assert_eq!(
            (kept["changed"].clone(), kept["issued_kept"].clone()),
            (json!(0), json!(1))
        );
        let why = kept["issued_kept_why"].as_str().unwrap();
        assert!(
            why.starts_with("1 EAC keeps the issue dates its values hold: an issue date given to the EACs a filter chooses only dates values without one."),
            "{why}"
        );
    }
    // An asset commissioned after the period: saved, with rule 22's warning.
    let warned = set(
        one,
        json!([{ "field": "asset_commissioned", "value": "2099-01-01" }]),
        false,
    );
    assert_eq!(warned["changed"], 1, "{warned}");
    let warnings = warned["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warned}");
    assert_eq!(warnings[0]["rule"], 22, "{warned}");
    assert_eq!(warnings[0]["severity"], "warning", "{warned}");
    assert_eq!(warnings[0]["cds_eac_id"], id.as_str(), "{warned}");
}

#[test]
fn an_eac_lists_its_source_document_and_a_copy_is_byte_identical() {
    let desk = desk();
    let pdf = registry_fixture(NECS);
    desk.import(std::slice::from_ref(&pdf));
    let sources = desk.ok("eac_sources", json!({ "cds_eac_id": NECS_ID }));
    let list = sources.as_array().unwrap();
    assert_eq!(list.len(), 1, "{sources}");
    let source = &list[0];
    let original = std::fs::read(&pdf).unwrap();
    assert_eq!(
        source["file_name"],
        "necs-cancellation-statement-sample.pdf"
    );
    assert_eq!(source["format"], "go-pdf");
    assert_eq!(source["size"], original.len() as u64);
    assert!(
        source["locator"].as_str().unwrap().contains("page"),
        "{source}"
    );

    let copy = desk.dir.path().join("copy.pdf");
    let report = desk.ok(
        "save_eac_source",
        json!({ "sha256": source["sha256"], "path": copy }),
    );
    assert_eq!(std::fs::read(&copy).unwrap(), original);
    assert_eq!(report["sha256"], source["sha256"]);

    // A CDS listing has no stored document; an unknown EAC is not found.
    desk.load_sample(1);
    let sample = desk.ok("browse_page", json!({ "query": query(0, 5) }));
    let sample_id = sample
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["cds_eac_id"] != NECS_ID)
        .unwrap()["cds_eac_id"]
        .clone();
    assert_eq!(
        desk.ok("eac_sources", json!({ "cds_eac_id": sample_id })),
        json!([])
    );
    let e = desk.err("eac_sources", json!({ "cds_eac_id": "no-such" }));
    assert_eq!(e["code"], "not_found", "{e}");
    let e = desk.err(
        "save_eac_source",
        json!({ "sha256": "00", "path": desk.dir.path().join("none.pdf") }),
    );
    assert_eq!(e["code"], "invalid_input", "{e}");
    assert!(!desk.dir.path().join("none.pdf").exists());
}

/// The REGO sample's Drax March range 5000..655421 and a second document
/// claiming 4000..5999 of the same numbering: 1000 certificates twice.
const OVERLAPPING_REGO: &str = "Accreditation No.,Generating Station / Agent Group,Station TIC,Scheme,Country,Technology Group,Generation Type,Output Period,No. Of Certificates,Start Certificate No.,End Certificate No.,MWh Per Certificate,Issue Date,Certificate Status,Status Date,Current Holder Organisation Name,Company Registration Number
G01821BWEN,Drax Power Station (REGO),4065000.0,REGO,England,Biomass,,Mar-2023,2000,G01821BWEN0000004000010323310323GEN,G01821BWEN0000005999010323310323GEN,1.0,15/05/2023,Redeemed,01/08/2023,Another Supplier Ltd,
";

#[test]
fn the_double_counting_check_names_both_sides_of_an_overlap() {
    let desk = desk();
    desk.import(&[registry_fixture("ofgem/certificates-sample.csv")]);
    let clean = desk.ok(
        "check_double_counting",
        json!({ "op_id": "c1", "filter": {} }),
    );
    let before = clean["findings"].as_array().unwrap().len();
    assert!(clean["ranges"].as_u64().unwrap() >= 10, "{clean}");

    let second = desk.dir.path().join("second-report.csv");
    std::fs::write(&second, OVERLAPPING_REGO).unwrap();
    desk.import(&[second]);
    let report = desk.ok(
        "check_double_counting",
        json!({ "op_id": "c2", "filter": {} }),
    );
    let findings = report["findings"].as_array().unwrap();
    let new: Vec<&Value> = findings
        .iter()
        .filter(|f| {
            [&f["a"], &f["b"]]
                .iter()
                .any(|s| s["first"] == "G01821BWEN0000004000010323310323GEN")
        })
        .collect();
    assert_eq!(findings.len(), before + new.len(), "{report}");
    // It shares 1000 certificates with 0..4999 and 1000 with 5000..655421.
    assert_eq!(new.len(), 2, "{report}");
    for f in &new {
        assert_eq!(f["shared"], "1000", "{f}");
        assert!(f["a"]["cds_eac_id"].as_str().unwrap().starts_with("ofgem:"));
        assert!(f["b"]["cds_eac_id"].as_str().unwrap().starts_with("ofgem:"));
        assert_ne!(f["a"]["cds_eac_id"], f["b"]["cds_eac_id"]);
        assert!(!f["message"].as_str().unwrap().is_empty());
    }
    // The redeemed range claimed for a second holder is claimed twice.
    assert!(
        new.iter()
            .any(|f| f["kind"] == "claimed_twice" || f["kind"] == "retired_twice"),
        "{report}"
    );

    // Narrowed to a filter: only findings with a side in it.
    let narrowed = desk.ok(
        "check_double_counting",
        json!({ "op_id": "c3", "filter": { "search": "0000004000010323" } }),
    );
    assert_eq!(
        narrowed["findings"].as_array().unwrap().len(),
        2,
        "{narrowed}"
    );
}

#[test]
fn the_destination_filter_lists_only_destinations_that_are_given() {
    let desk = desk();
    desk.import(&[registry_fixture(NECS)]);
    // The registry statement names no destination: nothing to offer, and no error.
    assert_eq!(
        desk.ok("distinct_values", json!({ "field": "destination" })),
        json!([])
    );
    desk.ok(
        "set_fields",
        json!({ "op_id": "f", "target": { "ids": [NECS_ID] }, "reason": "contract", "dry_run": false,
                "values": [{ "field": "destination_id", "value": "ACME" }] }),
    );
    let choices = desk.ok("distinct_values", json!({ "field": "destination" }));
    assert_eq!(choices[0]["value"], "ACME", "{choices}");
}

/// The UI writes its state (filter, columns, …) a moment after a stream of
/// changes; it hands each change to the app at once, and the app writes
/// what the UI had not when the window goes.
#[test]
fn a_view_state_the_ui_had_not_written_is_written_when_the_window_goes() {
    let desk = desk();
    // Settings are shared by the tests of this process: a database of our own.
    let db = desk.dir.path().join("staged.sqlite").display().to_string();
    let remembered =
        |desk: &Desk| desk.ok("settings_get", json!({}))["settings"]["databases"][&db].clone();
    let state = |search: &str| json!({ "v": 1, "filter": { "search": search } });

    // Written by the UI after its pause: nothing is left to write at the end,
    // so a later write (another window) is not undone by an older state.
    desk.ok(
        "stage_view_state",
        json!({ "staged": { "database": db, "state": state("wi") } }),
    );
    desk.ok(
        "settings_update",
        json!({ "patch": { "database": db, "database_state": state("wi") } }),
    );
    desk.app.state::<eac_desk::Desk>().write_staged_view_state();
    assert_eq!(remembered(&desk), state("wi"));
    desk.ok(
        "settings_update",
        json!({ "patch": { "database": db, "database_state": state("other window") } }),
    );
    desk.app.state::<eac_desk::Desk>().write_staged_view_state();
    assert_eq!(remembered(&desk), state("other window"));

    // Changed, and the window closed before the UI's pause ended.
    desk.ok(
        "stage_view_state",
        json!({ "staged": { "database": db, "state": state("win") } }),
    );
    desk.ok(
        "stage_view_state",
        json!({ "staged": { "database": db, "state": state("wind") } }),
    );
    assert_eq!(
        remembered(&desk),
        state("other window"),
        "nothing written before the window goes"
    );
    // What the window's `Destroyed` event calls (the mock runtime sends no
    // window events; the end-to-end test closes the real window).
    desk.app.state::<eac_desk::Desk>().write_staged_view_state();
    assert_eq!(remembered(&desk), state("wind"));
}
