//! The operations on a real database file in a temporary folder.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use eac_app::{
    bulk_set_beneficiaries, export, import_files, load_sample, open_store, set_beneficiaries,
    BeneficiaryAssignment, EacFilter, ExportProfile, ImportOptions, ImportOutcome, ImportReport,
    NoProgress, Operation, Progress, Store,
};
use eac_model::BeneficiaryType;

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/spec-examples")
        .join(name)
}

/// Two valid P1 listings (7 EACs and 1).
fn two_listings() -> Vec<PathBuf> {
    vec![
        example("good-p1-mixed-order.json"),
        example("good-p1-overview-monthly.json"),
    ]
}

/// An hourly claim in the NO market of 1 June 2024 (the claims fixture's
/// day) for these accounts.
fn june_first_hourly(accounts: &[&str]) -> eac_app::ClaimInput {
    eac_app::ClaimInput {
        beneficiary_type: "account".into(),
        beneficiaries: accounts.iter().map(|a| a.to_string()).collect(),
        from: "2024-06-01".into(),
        to: "2024-06-01".into(),
        granularity: Some("hourly".into()),
        market: Some("NO".into()),
        bidding_zone: None,
        unit: None,
        only_passing: None,
    }
}

fn store(dir: &Path) -> Store {
    open_store(&dir.join("db.sqlite")).unwrap()
}

/// A table view of every EAC, by id, in MWh.
fn every_eac_view() -> eac_app::TableView {
    eac_app::TableView {
        filter: EacFilter::default(),
        sort: eac_app::SortSpec {
            field: eac_app::SortField::CdsEacId,
            descending: false,
        },
        ids: None,
        offset: None,
        limit: None,
        unit: eac_app::EnergyUnit::MWh,
    }
}

/// A store in `dir` holding the mixed-order example listing (7 EACs).
fn mixed_order_store(dir: &Path) -> Store {
    let mut store = store(dir);
    import_files(
        &mut store,
        &[example("good-p1-mixed-order.json")],
        ImportOptions::default(),
        &NoProgress,
    );
    store
}

#[test]
fn a_failed_file_does_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store(dir.path());
    let paths = vec![
        example("good-p1-mixed-order.json"),
        example("bad-p1-overview-not-json.json"),
        dir.path().join("missing.json"),
        example("good-p1-overview-monthly.json"),
    ];
    let report = import_files(&mut store, &paths, ImportOptions::default(), &NoProgress);
    let outcomes: Vec<ImportOutcome> = report.files.iter().map(|f| f.outcome).collect();
    use ImportOutcome::*;
    assert_eq!(outcomes, vec![Imported, Failed, Failed, Imported]);
    assert_eq!(report.files[0].added, 7);
    assert_eq!(report.files[3].added, 1);

    let bad = &report.files[1];
    let message = bad.message.as_deref().unwrap();
    assert!(
        message.starts_with("Nothing was imported from"),
        "{message}"
    );
    // The profile it was read as follows the count (decision 274); its
    // first EAC breaks strict JSON, so it told nothing.
    assert!(
        message.ends_with(
            "1 rule violation (read as profile P1: its first EAC could not be read to tell by)"
        ),
        "{message}"
    );
    assert_eq!(bad.violations.len(), 1);
    assert_eq!(bad.violations[0].rule, 20);
    assert!(bad.violations[0].line.is_some());
    assert!(bad.violations[0].file.is_some());

    let missing = report.files[2].message.as_deref().unwrap();
    assert!(missing.contains("missing.json"), "{missing}");
    assert_eq!(store.info().unwrap().eac_count, 8);
}

#[test]
fn several_files_say_which_file_of_how_many_each_event_is_about() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store(dir.path());
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let op = Operation::new("op", move |e| sink.lock().unwrap().push(e));
    let paths = two_listings();
    let report = import_files(&mut store, &paths, ImportOptions::default(), &op);
    assert!(report
        .files
        .iter()
        .all(|f| f.outcome == ImportOutcome::Imported));
    let steps: Vec<(Option<u32>, Option<u32>)> = events
        .lock()
        .unwrap()
        .iter()
        .map(|e| (e.step, e.steps))
        .collect();
    assert!(steps.contains(&(Some(1), Some(2))), "{steps:?}");
    assert!(steps.contains(&(Some(2), Some(2))), "{steps:?}");
    let first_of_second = steps.iter().position(|s| s.0 == Some(2)).unwrap();
    assert!(steps[first_of_second..].iter().all(|s| s.0 == Some(2)));

    // One file: no steps.
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let op = Operation::new("op-1", move |e| sink.lock().unwrap().push(e));
    let other = tempfile::tempdir().unwrap();
    let mut one = open_store(&other.path().join("db.sqlite")).unwrap();
    import_files(&mut one, &paths[..1], ImportOptions::default(), &op);
    let events = events.lock().unwrap();
    assert!(!events.is_empty());
    assert!(events.iter().all(|e| e.step.is_none() && e.steps.is_none()));
}

#[test]
fn cancel_marks_the_rest_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store(dir.path());
    let op = Operation::new("op", |_| {});
    op.cancel();
    let paths = two_listings();
    let report = import_files(&mut store, &paths, ImportOptions::default(), &op);
    assert!(report
        .files
        .iter()
        .all(|f| f.outcome == ImportOutcome::Failed
            && f.message.as_deref().unwrap().contains("Cancelled")));
    assert_eq!(store.info().unwrap().eac_count, 0);
}

/// Holds the database's write lock from a connection of its own once the
/// second file is reached (the first one committed), as another EAC Desk
/// window or an `eacdesk` command writing meanwhile would.
struct BusyAtTheSecondFile {
    db: PathBuf,
    writer: Mutex<Option<rusqlite::Connection>>,
}

impl Progress for BusyAtTheSecondFile {
    fn update(&self, _: eac_app::Phase, _: u64, _: Option<u64>) {}
    fn step(&self, step: u32, _steps: u32) {
        if step == 2 {
            let writer = rusqlite::Connection::open(&self.db).unwrap();
            writer.execute_batch("BEGIN IMMEDIATE").unwrap();
            *self.writer.lock().unwrap() = Some(writer);
        }
    }
}

/// A file refused after an earlier file of the same import was committed
/// (each file is its own transaction): its report names the file
/// committed before it, and its message never says "Nothing was changed",
/// untrue once the first file is in. On the command line it names the
/// file and says nothing from it was imported; in the app, which says that
/// itself below the message, it leaves the claim out.
#[test]
fn a_file_refused_after_a_committed_one_names_it_and_never_says_nothing_was_changed() {
    let paths = two_listings();
    let (first, second) = (
        paths[0].display().to_string(),
        paths[1].display().to_string(),
    );
    for app in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db.sqlite");
        let mut store = open_store(&db).unwrap();
        store
            .set_busy_timeout(std::time::Duration::from_millis(200))
            .unwrap();
        let busy = BusyAtTheSecondFile {
            db: db.clone(),
            writer: Mutex::new(None),
        };
        type Import = fn(&mut Store, &[PathBuf], ImportOptions, &dyn Progress) -> ImportReport;
        let import: Import = match app {
            false => import_files,
            true => eac_app::import_files_in_app,
        };
        let report = import(&mut store, &paths, ImportOptions::default(), &busy);
        drop(busy);
        let outcomes: Vec<ImportOutcome> = report.files.iter().map(|f| f.outcome).collect();
        assert_eq!(outcomes, [ImportOutcome::Imported, ImportOutcome::Failed]);
        let refused = &report.files[1];
        assert!(report.files[0].committed_before.is_empty());
        assert_eq!(refused.committed_before, std::slice::from_ref(&first));
        let message = refused.message.as_deref().unwrap();
        // Named (tester 38, finding 4), and flagged for a script.
        assert!(
            message.starts_with(&format!("The database {} is busy", db.display())),
            "{message}"
        );
        assert_eq!(refused.busy, Some(true));
        assert!(
            !message.to_lowercase().contains("nothing was changed"),
            "{message}"
        );
        match app {
            false => assert!(
                message.contains(&format!(
                    "Nothing from {second} was imported; wait until it has finished and try again."
                )),
                "{message}"
            ),
            true => {
                assert!(
                    message.ends_with("writing to it. Wait until it has finished and try again."),
                    "{message}"
                );
                assert!(!message.to_lowercase().contains("nothing"), "{message}");
            }
        }
        // As said: the first file's 7 EACs are in.
        assert_eq!(store.info().unwrap().eac_count, 7);
        // The report as sent to the app and printed by --json names them.
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(
            json["files"][1]["committed_before"],
            serde_json::json!([first])
        );
        assert!(json["files"][0].get("committed_before").is_none());
    }

    // A dry run commits nothing: no file is named as committed.
    let dir = tempfile::tempdir().unwrap();
    let mut store = store(dir.path());
    let paths = [
        example("good-p1-mixed-order.json"),
        example("bad-p1-overview-not-json.json"),
    ];
    let dry_run = ImportOptions {
        dry_run: true,
        ..ImportOptions::default()
    };
    let report = import_files(&mut store, &paths, dry_run, &NoProgress);
    assert_eq!(report.files[1].outcome, ImportOutcome::Failed);
    assert!(report.files[1].committed_before.is_empty());
    let report = import_files(&mut store, &paths, ImportOptions::default(), &NoProgress);
    assert_eq!(
        report.files[1].committed_before,
        [paths[0].display().to_string()]
    );
}

#[test]
fn export_refuses_missing_emission_factors_and_p2() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store(dir.path());
    let report = import_files(
        &mut store,
        &[example("bad-p1-todo-emissions.json")],
        ImportOptions::default(),
        &NoProgress,
    );
    assert_eq!(report.files[0].outcome, ImportOutcome::Imported);
    assert!(report.files[0].warning_count > 0);

    let out = dir.path().join("out.json");
    let e = export(&mut store, ExportProfile::P1, None, &out, &NoProgress).unwrap_err();
    assert_eq!(e.code, "validation");
    assert!(
        e.message.starts_with("Nothing was exported"),
        "{}",
        e.message
    );
    let violations = e.violations();
    assert!(violations
        .iter()
        .any(|v| v.rule == 6 && v.cds_eac_id.as_deref() == Some("101010101-10")));
    assert!(!out.exists());

    // A P2 bundle checks the same rules on the detail data: refused, and no folder appears.
    let bundle = dir.path().join("bundle");
    let e = export(&mut store, ExportProfile::P2, None, &bundle, &NoProgress).unwrap_err();
    assert_eq!(e.code, "validation");
    assert!(e.violations().iter().any(|v| v.rule == 6));
    assert!(!bundle.exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(".eacdesk"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn export_reports_progress_and_round_trips_through_validate() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store(dir.path());
    load_sample(&mut store, 200, 4, &NoProgress).unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let op = Operation::new("exp-1", move |e| sink.lock().unwrap().push(e));
    let out = dir.path().join("out.json");
    let report = export(&mut store, ExportProfile::P1, None, &out, &op).unwrap();
    assert_eq!(report.eac_count, 200);
    let events = events.lock().unwrap();
    let last = events.last().expect("a final progress event");
    assert_eq!(
        (last.op_id.as_str(), last.done, last.total),
        ("exp-1", 200, Some(200))
    );
    let check = eac_app::validate_file(&out, ExportProfile::P1, false).unwrap();
    assert!(check.is_valid(), "{check:#?}");
}

#[test]
fn sample_loads_once_per_seed() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store(dir.path());
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let op = Operation::new("load", move |e| sink.lock().unwrap().push(e));
    let report = load_sample(&mut store, 120, 1, &op).unwrap();
    assert_eq!(report.files[0].added, 120);
    {
        let events = events.lock().unwrap();
        // The EACs counted to the end, then (a first load) its indexes.
        let rows = events
            .iter()
            .rev()
            .find(|e| e.phase != eac_app::Phase::ImportIndexes)
            .expect("progress");
        assert_eq!((rows.done, rows.total), (120, Some(120)));
        let last = events.last().expect("progress");
        assert_eq!(last.phase, eac_app::Phase::ImportIndexes);
        assert_eq!(Some(last.done), last.total);
    }
    let again = load_sample(&mut store, 120, 1, &NoProgress).unwrap();
    assert_eq!((again.files[0].added, again.files[0].skipped), (0, 120));
    assert_eq!(store.info().unwrap().eac_count, 120);
    assert_eq!(
        load_sample(&mut store, 0, 1, &NoProgress).unwrap_err().code,
        "invalid_input"
    );

    let op = Operation::new("s", |_| {});
    op.cancel();
    let e = load_sample(&mut store, 50, 2, &op).unwrap_err();
    assert_eq!(e.code, "cancelled");
    assert_eq!(store.info().unwrap().eac_count, 120);
}

#[test]
fn beneficiary_edits_are_checked_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = mixed_order_store(dir.path());
    let general_with_ids = BeneficiaryAssignment {
        beneficiary_type: BeneficiaryType::General,
        beneficiaries: vec!["X".into()],
    };
    let e = set_beneficiaries(&mut store, "e-01", &general_with_ids, "why", None).unwrap_err();
    assert_eq!(e.code, "validation");
    assert!(e.violations().iter().any(|v| v.rule == 4));
    assert!(e.message.contains("general"), "{}", e.message);

    let to = BeneficiaryAssignment {
        beneficiary_type: BeneficiaryType::Account,
        beneficiaries: vec!["ACC-9".into()],
    };
    let e = set_beneficiaries(&mut store, "e-01", &to, "  ", None).unwrap_err();
    assert_eq!(e.code, "invalid_input");
    let e = set_beneficiaries(&mut store, "nope", &to, "why", None).unwrap_err();
    assert_eq!(e.code, "not_found");

    let record = set_beneficiaries(&mut store, "e-01", &to, "contract signed", None).unwrap();
    assert_eq!(record.after, Some(to.clone()));
    assert_eq!(record.reason, "contract signed");

    let filter = EacFilter {
        technology: Some(eac_model::TechnologyType::Wind),
        ..Default::default()
    };
    let total = store.summary(&filter).unwrap().count;
    let report = bulk_set_beneficiaries(&mut store, &filter, &to, "bulk", &NoProgress).unwrap();
    // e-01 already had it.
    assert_eq!(report.changed, total - 1);
    assert_eq!(store.audit_log(None).unwrap().len(), total);
    assert!(!NoProgress.is_cancelled());
}

/// The app opens a database without any write permission bit (`chmod
/// 444`) as the CLI does: read as it stands, whoever runs it, root too,
/// whom the system lets write anything (decision 261 as amended); an edit
/// is refused as read-only and the file is untouched.
#[cfg(unix)]
#[test]
fn a_write_protected_database_is_opened_read_only_by_the_app() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    drop(mixed_order_store(dir.path()));
    let db = dir.path().join("db.sqlite");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = std::fs::read(&db).unwrap();
    let to = BeneficiaryAssignment {
        beneficiary_type: BeneficiaryType::Account,
        beneficiaries: vec!["ACC-9".into()],
    };
    for mut store in [
        open_store(&db).unwrap(),
        eac_app::reopen_store(&db).unwrap(),
    ] {
        assert!(
            eac_app::open_warnings(&store)
                .iter()
                .any(|w| w.contains("is read-only here: reading it as it stands")),
            "{:?}",
            eac_app::open_warnings(&store)
        );
        assert_eq!(store.info().unwrap().eac_count, 7);
        let e = set_beneficiaries(&mut store, "e-01", &to, "why", None).unwrap_err();
        assert!(e.message.contains("cannot be written"), "{}", e.message);
    }
    assert!(
        std::fs::read(&db).unwrap() == before,
        "the database was written"
    );
}

#[test]
fn a_closed_period_refuses_edits_and_imports_with_code_frozen_until_reopened() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = mixed_order_store(dir.path());
    // Dates and reasons as typed are checked before anything is written.
    let e = eac_app::close_period(&mut store, "2024-1-1", "2024-01-31", "filed").unwrap_err();
    assert_eq!(e.code, "invalid_input");
    assert!(
        e.message.contains("`2024-1-1` is not a date"),
        "{}",
        e.message
    );
    // A day the calendar lacks is refused with the calendar's reason, as
    // the CLI's filters say it.
    let e = eac_app::close_period(&mut store, "2024-01-01", "2023-02-29", "filed").unwrap_err();
    assert_eq!(e.code, "invalid_input");
    assert_eq!(
        e.message,
        "The last day (--to) `2023-02-29` is not a date: February 2023 has 28 days. \
         Nothing was changed."
    );
    let e = eac_app::close_period(&mut store, "2024-01-01", "2024-01-31", " ").unwrap_err();
    assert_eq!(e.code, "invalid_input");
    assert!(eac_app::closed_periods(&store).unwrap().is_empty());

    let closed =
        eac_app::close_period(&mut store, "2024-01-01", "2024-01-31", "January filed").unwrap();
    assert_eq!(closed.eac_count, 7);
    assert_eq!(closed.closed_by, eac_store::os_user());
    assert_eq!(
        eac_app::closed_periods(&store).unwrap(),
        vec![closed.clone()]
    );
    assert_eq!(
        eac_app::frozen_by(&store, "e-01").unwrap(),
        vec![closed.clone()]
    );

    let to = BeneficiaryAssignment {
        beneficiary_type: BeneficiaryType::Account,
        beneficiaries: vec!["ACC-9".into()],
    };
    let e = set_beneficiaries(&mut store, "e-01", &to, "contract signed", None).unwrap_err();
    assert_eq!(e.code, "frozen");
    assert_eq!(e.code.exit_code(), 1);
    let details = serde_json::to_value(&e.details).unwrap();
    assert_eq!(details["cds_eac_ids"], serde_json::json!(["e-01"]));
    assert_eq!(details["period_ids"], serde_json::json!([closed.id]));
    assert!(
        e.message
            .contains(&format!("eacdesk period reopen {} --reason", closed.id)),
        "{}",
        e.message
    );
    // A file adding an EAC to the closed January fails, naming it; the
    // others of the same import go on.
    let report = import_files(
        &mut store,
        &[
            example("good-p1-overview-monthly.json"),
            example("good-p1-mixed-order.json"),
        ],
        ImportOptions::default(),
        &NoProgress,
    );
    let added = &report.files[0];
    assert_eq!(added.outcome, ImportOutcome::Failed);
    assert_eq!(added.code, Some(eac_app::ErrorCode::Frozen));
    let said = added.message.as_deref().unwrap();
    assert!(said.contains("`99999999-dk3`"), "{said}");
    assert!(said.contains("January filed"), "{said}");
    assert_eq!(report.files[1].outcome, ImportOutcome::Imported);
    assert_eq!(report.files[1].skipped, 7);
    assert_eq!(store.info().unwrap().eac_count, 7);

    let e = eac_app::reopen_period(&mut store, closed.id + 1, "x").unwrap_err();
    assert_eq!(e.code, "not_found");
    assert_eq!(e.details.period_ids, Some(vec![closed.id + 1]));
    let reopened = eac_app::reopen_period(&mut store, closed.id, "registry correction").unwrap();
    assert_eq!(
        reopened.reopen_reason.as_deref(),
        Some("registry correction")
    );
    assert!(eac_app::frozen_by(&store, "e-01").unwrap().is_empty());
    set_beneficiaries(&mut store, "e-01", &to, "contract signed", None).unwrap();
    let report = import_files(
        &mut store,
        &[example("good-p1-overview-monthly.json")],
        ImportOptions::default(),
        &NoProgress,
    );
    assert_eq!(report.files[0].outcome, ImportOutcome::Imported);
    let actions: Vec<String> = eac_app::audit_log(&store, None)
        .unwrap()
        .iter()
        .rev()
        .map(|r| r.action.as_str().to_owned())
        .collect();
    assert_eq!(
        actions,
        ["period_close", "period_reopen", "set_beneficiaries"]
    );
}

/// The app's "export view": the selected rows or the filter, CSV or xlsx,
/// whole or not at all.
#[test]
fn a_table_view_is_exported_as_selected_and_a_refusal_leaves_the_file_alone() {
    use eac_app::{
        export_table, EnergyUnit, ErrorCode, SortField, SortSpec, TableFormat, TableView,
    };
    let dir = tempfile::tempdir().unwrap();
    let store = mixed_order_store(dir.path());
    let dest = dir.path().join("view.csv");
    std::fs::write(&dest, "an earlier export\n").unwrap();
    let view = TableView {
        filter: EacFilter {
            technology: Some(eac_model::TechnologyType::Hydro),
            ..Default::default()
        },
        sort: SortSpec {
            field: SortField::CdsEacId,
            descending: true,
        },
        // The selection wins over the filter.
        ids: Some(vec!["e-01".into(), "e-04".into()]),
        offset: None,
        limit: None,
        unit: EnergyUnit::KWh,
    };
    let report = export_table(&store, &view, TableFormat::Csv, &dest, &NoProgress).unwrap();
    assert_eq!(report.rows, 2);
    assert_eq!(report.selection, "2 selected EACs");
    assert_eq!(report.total.total, "129111.000");
    assert_eq!(report.totals[0].total, "129.111000");
    let text = std::fs::read_to_string(&dest).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].contains(",total_kWh,"), "{}", lines[0]);
    assert!(
        lines[1].starts_with("e-04,") && lines[1].contains(",99111.000,"),
        "{text}"
    );
    assert!(lines[2].starts_with("e-01,"), "{text}");

    // A selected EAC that is gone: refused, the earlier file kept.
    let before = std::fs::read(&dest).unwrap();
    let gone = TableView {
        ids: Some(vec!["e-01".into(), "e-99".into()]),
        ..view.clone()
    };
    let err = export_table(&store, &gone, TableFormat::Xlsx, &dest, &NoProgress).unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    // In its own words: it said "There is no EAC with id `no EAC with the
    // id `e-99` (deleted since it was selected?)…` in this database".
    assert_eq!(
        err.message,
        "The selected EAC `e-99` is no longer in the database (deleted since it was selected?); nothing was exported. Select the rows again and export them."
    );
    assert_eq!(err.details.cds_eac_ids, Some(vec!["e-99".to_owned()]));
    assert_eq!(std::fs::read(&dest).unwrap(), before);

    // Cancelled: nothing written, nothing left beside it.
    let op = Operation::new("op", |_| {});
    op.cancel();
    let err = export_table(&store, &view, TableFormat::Xlsx, &dest, &op).unwrap_err();
    assert_eq!(err.code, ErrorCode::Cancelled);
    assert_eq!(std::fs::read(&dest).unwrap(), before);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("db.sqlite"))
        .collect();
    assert_eq!(names, ["view.csv"]);

    // Never over the database.
    let db = dir.path().join("db.sqlite");
    let err = export_table(&store, &view, TableFormat::Csv, &db, &NoProgress).unwrap_err();
    assert_eq!(store.info().unwrap().eac_count, 7, "{}", err.message);
}

/// The app's table export and evidence pack refuse a destination that
/// cannot be written before anything is written, in the words of an
/// export's (decision 436), as the command line does: the folder that is
/// missing, or the file where a folder should be, and what to do.
#[test]
fn the_apps_destinations_are_refused_in_an_exports_words() {
    use eac_app::{export_table, TableFormat};
    let dir = tempfile::tempdir().unwrap();
    let mut store = mixed_order_store(dir.path());
    let view = every_eac_view();
    let missing = dir.path().join("nodir");
    for (format, file, what) in [
        (TableFormat::Csv, "t.csv", "a CSV table"),
        (TableFormat::Xlsx, "t.xlsx", "a workbook"),
    ] {
        let dest = missing.join(file);
        let e = export_table(&store, &view, format, &dest, &NoProgress).unwrap_err();
        assert_eq!(e.code, "invalid_input");
        assert_eq!(
            e.message,
            format!(
                "The folder {} does not exist, so nothing can be written at {} (EAC Desk makes \
                 no folder for {what}): create it first; nothing was written.",
                missing.display(),
                dest.display()
            )
        );
    }
    let keys = dir.path().join("keys");
    let mut pack = |dest: &Path| {
        eac_app::make_pack_with_key_dir(
            &mut store,
            &EacFilter::default(),
            dest,
            None,
            &keys,
            &NoProgress,
        )
    };
    let dest = missing.join("sub").join("pack");
    let e = pack(&dest).unwrap_err();
    assert_eq!(e.code, "invalid_input");
    assert!(
        e.message.starts_with(&format!(
            "The folder {} does not exist, so nothing can be written at {} (EAC Desk makes the \
             pack's own folder only)",
            missing.join("sub").display(),
            dest.display()
        )),
        "{}",
        e.message
    );
    let afile = dir.path().join("afile");
    std::fs::write(&afile, "x").unwrap();
    let e = pack(&afile.join("pack")).unwrap_err();
    assert!(
        e.message.starts_with(&format!(
            "{} is a file, not a folder, so nothing can be written at {}; nothing was written.",
            afile.display(),
            afile.join("pack").display()
        )),
        "{}",
        e.message
    );
    assert!(!missing.exists());
    assert!(eac_app::packs(&store).unwrap().is_empty());
}

/// Tester 41, finding 10, in the app: the database's own folder given as
/// the table export's or a saved source's file is refused as a folder
/// (name a file in it), not as a place where writing "would destroy" the
/// database (no file written there could); the database file itself still
/// is refused as the database.
#[test]
fn the_databases_folder_given_as_a_file_is_refused_as_a_folder() {
    use eac_app::{export_table, TableFormat};
    let dir = tempfile::tempdir().unwrap();
    let mut store = store(dir.path());
    let statement = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../eac-registry/tests/fixtures/ofgem/certificates-sample.csv");
    import_files(
        &mut store,
        &[statement],
        ImportOptions::default(),
        &NoProgress,
    );
    let view = every_eac_view();
    let folder = dir.path();
    let as_folder = format!(
        "{} is a folder, not a file; nothing was written and it is untouched. Name a file in \
         it, or choose another file name.",
        folder.display()
    );
    let id = "ofgem:G01821BWEN0000000000010323310323GEN..G01821BWEN0000004999010323310323GEN";
    let sha256 = eac_app::sources(&store, id).unwrap()[0].sha256.clone();
    for format in [TableFormat::Csv, TableFormat::Xlsx] {
        let e = export_table(&store, &view, format, folder, &NoProgress).unwrap_err();
        assert_eq!(e.code, "invalid_input");
        assert_eq!(e.message, as_folder);
    }
    let e = eac_app::save_source(&store, &sha256, folder).unwrap_err();
    assert_eq!(e.message, as_folder);
    let db = folder.join("db.sqlite");
    let e = eac_app::save_source(&store, &sha256, &db).unwrap_err();
    assert!(
        e.message.contains("is the database EAC Desk is using"),
        "{}",
        e.message
    );
    assert_eq!(store.info().unwrap().eac_count, 10);
}

#[test]
fn the_summary_is_the_browse_total_split_into_groups() {
    use eac_app::{browse_totals, summary, EnergyUnit, SummaryKey};
    let dir = tempfile::tempdir().unwrap();
    let mut store = store(dir.path());
    import_files(
        &mut store,
        &[
            example("good-p1-mixed-order.json"),
            example("good-p1-overview-monthly.json"),
        ],
        ImportOptions::default(),
        &NoProgress,
    );
    let filter = EacFilter::default();
    let totals = browse_totals(&store, &filter, EnergyUnit::MWh).unwrap();
    assert_eq!(totals.total.total, "279.691");
    let report = summary(
        &store,
        &filter,
        &[SummaryKey::Technology, SummaryKey::Year],
        EnergyUnit::MWh,
    )
    .unwrap();
    assert_eq!(report.total, totals.total);
    assert_eq!(report.count, 8);
    let labels: Vec<String> = report.groups.iter().map(|g| g.labels.join(" ")).collect();
    assert_eq!(labels, ["Hydro 2024", "Solar 2024", "Wind 2024"]);
    let totals: Vec<&str> = report
        .groups
        .iter()
        .map(|g| g.total.total.as_str())
        .collect();
    // 580.0 kWh shown in MWh, exactly.
    assert_eq!(totals, ["30.000", "0.580", "249.111"]);
    assert_eq!(report.groups[1].totals[0].total, "580.0");
}

#[path = "app/written.rs"]
mod written;

/// A total beyond a spreadsheet number (1e306 MWh is 1e312 Wh) is written
/// as its exact text with a note, never as the text `INF` a double's
/// infinity becomes, and a value too near zero for one is not written as
/// 0.
#[test]
fn an_xlsx_total_beyond_a_spreadsheet_number_is_its_exact_text() {
    use calamine::{Data, Reader};
    use std::str::FromStr;
    let dir = tempfile::tempdir().unwrap();
    let listing = std::fs::read_to_string(example("good-p1-overview-monthly.json")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&listing).unwrap();
    let values = doc["eacs"][0]["values"].as_array_mut().unwrap();
    values.truncate(1);
    values[0]["unit"] = "MWh".into();
    values[0]["value"] = serde_json::from_str("1e306").unwrap();
    let path = dir.path().join("huge.json");
    std::fs::write(&path, serde_json::to_string(&doc).unwrap()).unwrap();
    let mut store = store(dir.path());
    let report = import_files(&mut store, &[path], ImportOptions::default(), &NoProgress);
    assert_eq!(
        report.files[0].outcome,
        ImportOutcome::Imported,
        "{report:?}"
    );
    for (unit, expected) in [
        (eac_model::EnergyUnit::Wh, format!("1{}", "0".repeat(312))),
        (eac_model::EnergyUnit::MWh, format!("1{}", "0".repeat(306))),
    ] {
        let view = eac_app::TableView {
            filter: EacFilter::default(),
            sort: Default::default(),
            ids: None,
            offset: None,
            limit: None,
            unit,
        };
        let dest = dir.path().join(format!("view-{unit}.xlsx"));
        eac_app::export_table(
            &store,
            &view,
            eac_app::TableFormat::Xlsx,
            &dest,
            &NoProgress,
        )
        .unwrap();
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(&dest).unwrap();
        let sheet = book.worksheet_range_at(0).unwrap().unwrap();
        let header: Vec<String> = sheet
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        let at = header
            .iter()
            .position(|h| h == &format!("total_{unit}"))
            .unwrap_or_else(|| panic!("total_{unit} in {header:?}"));
        let cell = &sheet.rows().nth(1).unwrap()[at];
        match unit {
            // 1e312 is past a double: the exact text, not `INF`.
            eac_model::EnergyUnit::Wh => {
                let Data::String(text) = cell else {
                    panic!("{cell:?}")
                };
                assert!(!text.contains("INF"));
                assert_eq!(
                    bigdecimal::BigDecimal::from_str(text).unwrap(),
                    bigdecimal::BigDecimal::from_str(&expected).unwrap()
                );
            }
            // 1e306 is a number a spreadsheet holds.
            _ => assert_eq!(cell, &Data::Float(1e306), "{cell:?}"),
        }
    }
}

/// The app's import report never advises typing a command: the store's
/// overlap warning ("run `eacdesk check`") names where the app checks.
#[test]
fn the_apps_import_warnings_name_the_apps_places_not_commands() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store(dir.path());
    let registry = |rel: &str| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(rel)
    };
    let first = registry("eac-registry/tests/fixtures/ofgem/certificates-sample.csv");
    let overlap = registry("eac-cli/tests/fixtures/ofgem-overlap.csv");
    let report = eac_app::import_files_in_app(
        &mut store,
        &[first, overlap.clone()],
        ImportOptions::default(),
        &NoProgress,
    );
    let warnings: Vec<&str> = report.files[1]
        .warnings
        .iter()
        .map(|w| w.message.as_str())
        .collect();
    assert!(!warnings.is_empty(), "{report:?}");
    for w in &warnings {
        assert!(!w.contains("eacdesk"), "{w}");
    }
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("Problems above the table")),
        "{warnings:?}"
    );
    // The command line's report keeps its words.
    let dir = tempfile::tempdir().unwrap();
    let mut store = self::store(dir.path());
    let cli = import_files(
        &mut store,
        &[
            registry("eac-registry/tests/fixtures/ofgem/certificates-sample.csv"),
            overlap,
        ],
        ImportOptions::default(),
        &NoProgress,
    );
    assert!(cli.files[1]
        .warnings
        .iter()
        .any(|w| w.message.contains("run `eacdesk check`")));
}

/// Tester's report 35, finding 3, in the app: deleting a claim filed in a
/// closed period is refused (`frozen`), said where the app reopens the
/// period (no command to type), with the period in `details` and no EAC
/// named; a claim of a beneficiary without consumption is not recorded.
#[test]
fn a_claim_in_a_closed_period_is_refused_in_the_apps_words() {
    let claims = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/claims");
    let dir = tempfile::tempdir().unwrap();
    let mut store = store(dir.path());
    import_files(
        &mut store,
        &[claims.join("eacs.json")],
        ImportOptions::default(),
        &NoProgress,
    );
    eac_app::import_consumption(&mut store, &claims.join("consumption.csv")).unwrap();
    let input = |who: &str| june_first_hourly(&[who]);
    let e = eac_app::create_claim(&mut store, "typo", &input("acc-l"), "filing").unwrap_err();
    assert_eq!(e.code, "invalid_input");
    assert!(
        e.message
            .starts_with("No consumption of account `acc-l` is stored in 2024-06-01:"),
        "{}",
        e.message
    );
    let mut april_31st = input("acc-1");
    april_31st.to = "2024-04-31".into();
    let e = eac_app::create_claim(&mut store, "June", &april_31st, "filing").unwrap_err();
    assert_eq!(e.code, "invalid_input");
    assert_eq!(
        e.message,
        "The last day (--to) `2024-04-31` is not a date: April 2024 has 30 days."
    );
    assert!(eac_app::claims(&store).unwrap().is_empty());
    let claim = eac_app::create_claim(&mut store, "June", &input("acc-1"), "filing").unwrap();
    let closed =
        eac_app::close_period(&mut store, "2024-06-01", "2024-06-30", "June filed").unwrap();
    let e = eac_app::delete_claim(&mut store, claim.id, "gone")
        .unwrap_err()
        .in_app(Some(&store));
    assert_eq!(e.code, "frozen");
    assert!(
        e.message.starts_with(&format!(
            "Claim #{} (June, 2024-06-01 to 2024-06-01) covers days of a closed reporting period \
             and cannot be deleted; nothing was changed.",
            claim.id
        )),
        "{}",
        e.message
    );
    assert!(
        e.message
            .ends_with("reopen it in Evidence ▾ → Closed periods… to delete it."),
        "{}",
        e.message
    );
    assert!(!e.message.contains("eacdesk"), "{}", e.message);
    assert_eq!(e.details.closed_periods, Some(vec![closed]));
    assert_eq!(e.details.eac_numbers, None);
    assert_eq!(eac_app::claims(&store).unwrap().len(), 1);
}

/// An id the reference data does not hold: the refusal is reference
/// data's own, with where to see the ids held (the app's dialog in the
/// app); it spoke of "no EAC with id …" and of importing the file that
/// holds the EAC (tester 37, finding 4).
#[test]
fn removing_reference_data_it_does_not_hold_says_so_in_its_own_words() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store(dir.path());
    let ids = vec!["X".to_owned()];
    let e = eac_app::remove_refdata(
        &mut store,
        BeneficiaryType::Account,
        &ids,
        Some("closed"),
        false,
    )
    .unwrap_err();
    assert_eq!(e.code, "not_found");
    assert_eq!(
        e.message,
        "The account reference data holds no `X` (ids match exactly, case included); nothing \
         was removed. See the ids it holds with `eacdesk refdata ls --type account`."
    );
    assert_eq!(e.details.cds_eac_id, None);
    let e = e.in_app(Some(&store));
    assert!(!e.message.contains("EAC with"), "{}", e.message);
    assert!(!e.message.contains("eacdesk"), "{}", e.message);
    assert!(
        e.message
            .ends_with("See the ids it holds in Reference data… in the toolbar."),
        "{}",
        e.message
    );
}

/// Open database… (and every command) on another program's SQLite
/// database: refused in plain words, nothing written. A read upgraded its
/// "schema 0" and wrote EAC Desk's tables into it; opening it to write
/// would too.
#[test]
fn another_programs_database_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crm.sqlite");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT);
         INSERT INTO contacts (name) VALUES ('Ann');",
    )
    .unwrap();
    conn.close().unwrap();
    let before = std::fs::read(&db).unwrap();
    for e in [
        open_store(&db).unwrap_err(),
        eac_app::open_store_read(&db).unwrap_err(),
    ] {
        assert_eq!(e.code, "invalid_input");
        assert_eq!(
            e.message,
            format!(
                "{} is an SQLite database of another program (it holds a table EAC Desk does not \
                 use: `contacts`); EAC Desk keeps its data in a database of its own and changes \
                 nothing in it. Choose another file, or a new name to start an EAC Desk database.",
                db.display()
            )
        );
        assert_eq!(e.details.path, Some(db.display().to_string()));
        // The app titles it as what it is, not as mistyped input.
        assert_eq!(
            e.details.database,
            Some(eac_app::DatabaseProblem::OtherProgram)
        );
        assert_eq!(e.clone().in_app(None).message, e.message);
    }
    assert_eq!(std::fs::read(&db).unwrap(), before);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["crm.sqlite"]);
}

/// Beneficiary ids holding a list's joiner (`A, B` in the statement's
/// `, `-list, `C; D` in the claim report's `; `-list) or white space at an
/// end (` E`) are quoted, so each id reads back: the statement joined
/// them with `, ` and the claim report with `; ` as they were, and one id
/// `A, B` read as the two ids `A` and `B`.
#[test]
fn a_packs_statement_and_claim_report_show_each_beneficiary_id_so_it_reads_back() {
    let claims = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/claims");
    let dir = tempfile::tempdir().unwrap();
    let ids = ["A, B", "C; D", " E"];
    let mut listing: serde_json::Value =
        serde_json::from_slice(&std::fs::read(claims.join("eacs.json")).unwrap()).unwrap();
    listing["eacs"][0]["beneficiaries"] = serde_json::json!(ids);
    let eacs = dir.path().join("eacs.json");
    std::fs::write(&eacs, serde_json::to_vec(&listing).unwrap()).unwrap();
    let consumption = dir.path().join("consumption.csv");
    std::fs::write(
        &consumption,
        "beneficiary_type,beneficiary,start,end,value,unit,meter\n\
         account,\"A, B\",2024-06-01T10:00:00Z,2024-06-01T11:00:00Z,5,kWh,M1\n",
    )
    .unwrap();
    let mut store = store(dir.path());
    let report = import_files(&mut store, &[eacs], ImportOptions::default(), &NoProgress);
    assert_eq!(
        report.files[0].outcome,
        ImportOutcome::Imported,
        "{report:?}"
    );
    eac_app::import_consumption(&mut store, &consumption).unwrap();
    let input = june_first_hourly(&["A, B", "C; D"]);
    let claim = eac_app::create_claim(&mut store, "June", &input, "filing").unwrap();

    let pack = dir.path().join("pack");
    eac_app::make_pack_with_key_dir(
        &mut store,
        &EacFilter::default(),
        &pack,
        None,
        &dir.path().join("keys"),
        &NoProgress,
    )
    .unwrap();
    let statement = std::fs::read_to_string(pack.join("claim-statement.csv")).unwrap();
    // The CSV cell (RFC 4180, its quotes doubled) holds
    // `account: "A, B", C; D, " E"`.
    let line = statement
        .lines()
        .find(|l| l.starts_with("value,") && l.contains(",gc-h10,"))
        .unwrap_or_else(|| panic!("{statement}"));
    assert!(
        line.starts_with("value,\"account: \"\"A, B\"\", C; D, \"\" E\"\"\","),
        "{line}"
    );
    let report =
        std::fs::read_to_string(pack.join(format!("claims/claim-{}.csv", claim.id))).unwrap();
    assert!(
        report.contains("\r\nbeneficiary,\"account A, B; \"\"C; D\"\"\"\r\n"),
        "{report}"
    );
}
