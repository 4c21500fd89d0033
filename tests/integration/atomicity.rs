//! All or nothing: a refused or cancelled import leaves the database file
//! byte-identical (decisions 14), and a refused or cancelled export leaves the
//! destination as it was, with no temporary file beside it (decisions 17).

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};

use eac_model::{ExportProfile, Violation};
use eac_store::{NoProgress, Progress, Store, StoreError};
use eac_tests::{
    export_all, fixture, folder_entries, import_ok, read_bytes, sha256_file, spec_example,
    temp_store, TempStore,
};

/// Lets `allow` cancellation checks pass, then asks to cancel.
struct CancelAfter {
    allow: u32,
    checks: AtomicU32,
}

impl CancelAfter {
    fn new(allow: u32) -> Self {
        CancelAfter {
            allow,
            checks: AtomicU32::new(0),
        }
    }
}

impl Progress for CancelAfter {
    fn update(&self, _: eac_store::Phase, _: u64, _: Option<u64>) {}
    fn is_cancelled(&self) -> bool {
        self.checks.fetch_add(1, Ordering::SeqCst) >= self.allow
    }
}

/// Two good EACs, then a third whose period ends before it starts.
const THIRD_BREAKS_RULE_8: &str = "import/two-good-then-rule-08.json";

fn store_with_canonical() -> TempStore {
    let mut t = temp_store();
    import_ok(&mut t.store, &fixture("canonical-p1.json"));
    t
}

/// Fingerprint of what the store holds: the database file and its row count.
fn state(t: &TempStore) -> (String, usize) {
    (sha256_file(&t.db_path()), t.store.info().unwrap().eac_count)
}

fn rule_errors(e: &StoreError) -> Vec<&Violation> {
    match e {
        StoreError::Rules { violations, .. } => {
            violations.iter().filter(|v| v.is_error()).collect()
        }
        _ => Vec::new(),
    }
}

#[test]
fn an_import_refused_at_the_third_eac_writes_nothing() {
    for mut t in [temp_store(), store_with_canonical()] {
        let before = state(&t);
        let err = t
            .store
            .import_file(
                &fixture(THIRD_BREAKS_RULE_8),
                Default::default(),
                &NoProgress,
            )
            .expect_err("the third EAC breaks rule 8");
        let errors = rule_errors(&err);
        assert!(
            errors
                .iter()
                .any(|v| v.rule == 8 && v.pointer == "/eacs/2/period_end"),
            "expected rule 8 at /eacs/2/period_end, got {err:#?}"
        );
        assert_eq!(state(&t), before, "the database changed");
        for id in ["atom-1", "atom-2", "atom-3"] {
            assert!(
                matches!(t.store.eac(id), Err(StoreError::NotFound(_))),
                "{id} was stored"
            );
        }
        // Still nothing after the connection is closed and the file reopened.
        let db = t.db_path();
        drop(t.store);
        let reopened = Store::open(&db).unwrap();
        assert_eq!(reopened.info().unwrap().eac_count, before.1);
        assert!(matches!(
            reopened.eac("atom-1"),
            Err(StoreError::NotFound(_))
        ));
    }
}

#[test]
fn a_cancelled_import_writes_nothing() {
    for allow in [0, 1, 3] {
        let mut t = store_with_canonical();
        let before = state(&t);
        let outcome = t.store.import_file(
            &spec_example("good-p1-mixed-order.json"),
            Default::default(),
            &CancelAfter::new(allow),
        );
        assert!(
            matches!(outcome, Err(StoreError::Cancelled)),
            "cancel after {allow} checks: expected StoreError::Cancelled, got {outcome:#?}"
        );
        assert_eq!(
            state(&t),
            before,
            "cancel after {allow} checks: the database changed"
        );
    }
}

/// An export folder holding a previous export, and that file's bytes.
fn existing_destination() -> (tempfile::TempDir, std::path::PathBuf, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("eacs-p1.json");
    let previous = read_bytes(&fixture("canonical-p1.json"));
    fs::write(&dest, &previous).unwrap();
    (dir, dest, previous)
}

fn assert_untouched(dir: &Path, dest: &Path, previous: &[u8]) {
    assert_eq!(read_bytes(dest), previous, "the destination file changed");
    assert_eq!(
        folder_entries(dir),
        ["eacs-p1.json"],
        "the export left something behind"
    );
}

#[test]
fn a_refused_export_leaves_the_destination_untouched() {
    let mut t = temp_store();
    import_ok(&mut t.store, &spec_example("bad-p1-todo-emissions.json"));
    let (dir, dest, previous) = existing_destination();
    let err = t
        .store
        .export_p1(None, &dest, &NoProgress)
        .expect_err("missing emission factors block a P1 export");
    assert!(
        rule_errors(&err).iter().any(|v| v.rule == 6),
        "expected a rule 6 error, got {err:#?}"
    );
    assert_untouched(dir.path(), &dest, &previous);
}

#[test]
fn a_cancelled_export_leaves_the_destination_untouched() {
    for allow in [0, 1, 3] {
        let mut t = temp_store();
        import_ok(&mut t.store, &spec_example("good-p1-mixed-order.json"));
        let (dir, dest, previous) = existing_destination();
        let outcome = t.store.export_p1(None, &dest, &CancelAfter::new(allow));
        assert!(
            matches!(outcome, Err(StoreError::Cancelled)),
            "cancel after {allow} checks: expected StoreError::Cancelled, got {outcome:#?}"
        );
        assert_untouched(dir.path(), &dest, &previous);
    }
}

#[test]
fn an_export_into_a_missing_folder_fails_and_creates_nothing() {
    let mut t = temp_store();
    import_ok(
        &mut t.store,
        &spec_example("good-p1-overview-endpoint.json"),
    );
    let folder = t.path("no-such-folder");
    let err = t
        .store
        .export_p1(None, &folder.join("eacs.json"), &NoProgress)
        .expect_err("the folder does not exist");
    assert_eq!(err.code(), "io", "{err:#?}");
    assert!(!folder.exists());
}

#[test]
fn a_successful_export_replaces_the_destination_and_leaves_only_it() {
    let mut t = temp_store();
    import_ok(
        &mut t.store,
        &spec_example("good-p1-overview-endpoint.json"),
    );
    let (dir, dest, previous) = existing_destination();
    let export = export_all(&t.store, &dest);
    assert_ne!(export.as_bytes(), previous.as_slice());
    assert!(export.contains("\"cds_eac_id\": \"101010101-10\""));
    assert_eq!(folder_entries(dir.path()), ["eacs-p1.json"]);
}

/// The same `cds_eac_id` twice in one file is refused (rule 7) even when
/// that EAC is already stored and the first occurrence would be skipped.
#[test]
fn a_file_repeating_a_stored_id_is_refused_and_writes_nothing() {
    let mut t = temp_store();
    // Stores `eac-1`, the id the duplicate fixture repeats.
    import_ok(
        &mut t.store,
        &fixture("rules/rule-16-accepts-negative-zero-and-unit-case.json"),
    );
    let before = state(&t);
    let err = t
        .store
        .import_file(
            &fixture("rules/rule-07-duplicate-id.json"),
            Default::default(),
            &NoProgress,
        )
        .expect_err("eac-1 appears twice in the file");
    assert!(
        rule_errors(&err)
            .iter()
            .any(|v| v.rule == 7 && v.pointer == "/eacs/1/cds_eac_id"),
        "expected rule 7 at /eacs/1/cds_eac_id, got {err:#?}"
    );
    assert_eq!(state(&t), before, "the database changed");
}

// ---- Exports replace only what EAC Desk wrote (issue 9, items 1-4, 9) ----

/// Every file under `dir` with its SHA-256, relative paths sorted.
fn tree(dir: &Path) -> Vec<(String, String)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
        for name in folder_entries(dir) {
            let path = dir.join(&name);
            let relative = path.strip_prefix(root).unwrap().display().to_string();
            if path.is_dir() {
                out.push((format!("{relative}/"), String::new()));
                walk(root, &path, out);
            } else {
                out.push((relative, sha256_file(&path)));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out
}

fn refusal(e: &StoreError) -> String {
    match e {
        StoreError::InvalidInput(message) => message.clone(),
        other => panic!("expected a refusal (invalid_input), got {other:#?}"),
    }
}

#[test]
fn a_bundle_export_never_replaces_a_folder_holding_files_it_did_not_write() {
    let mut t = store_with_canonical();
    // A folder of the user's own: files, a subfolder, a database.
    let mine = t.path("mine");
    fs::create_dir_all(mine.join("photos")).unwrap();
    fs::write(mine.join("notes.txt"), "keep me").unwrap();
    fs::write(mine.join("photos/a.jpg"), "jpeg").unwrap();
    fs::copy(t.db_path(), mine.join("other.sqlite")).unwrap();
    // Looks like a bundle (listing and our metadata), but also holds
    // something else: an earlier version replaced all of it.
    let lookalike = t.path("lookalike");
    t.store
        .export_p2(None, &lookalike, None, &NoProgress)
        .unwrap();
    fs::remove_file(lookalike.join(".eacdesk-bundle")).unwrap();
    fs::write(lookalike.join("README.txt"), "my notes on this export").unwrap();
    // A bundle with its marker, and a file added by hand inside `eacs/`.
    let added = t.path("added");
    t.store.export_p2(None, &added, None, &NoProgress).unwrap();
    fs::write(added.join("eacs/extra.json"), "{}").unwrap();
    fs::create_dir(added.join("attachments")).unwrap();

    for (dir, names) in [
        (&lookalike, vec!["README.txt"]),
        (&added, vec!["attachments/", "eacs/extra.json"]),
        (&mine, vec!["notes.txt", "other.sqlite", "photos/"]),
    ] {
        let before = tree(dir);
        let entries = folder_entries(t.dir.path());
        let e = t
            .store
            .export_p2(None, dir, None, &NoProgress)
            .expect_err("a folder with foreign files is refused");
        let message = refusal(&e);
        assert!(message.contains(&dir.display().to_string()), "{message}");
        for name in names {
            assert!(message.contains(name), "{name} not named: {message}");
        }
        assert!(message.contains("nothing was written"), "{message}");
        assert_eq!(tree(dir), before, "{} changed", dir.display());
        assert_eq!(
            folder_entries(t.dir.path()),
            entries,
            "something left beside it"
        );
        // The app says the same with code invalid_input.
        let app = eac_app::export_p2(&mut t.store, None, dir, None, &NoProgress).unwrap_err();
        assert_eq!(app.code, "invalid_input");
        assert_eq!(tree(dir), before);
    }
    // A file, or a link, where the folder should be.
    let file = t.path("file");
    fs::write(&file, "not a folder").unwrap();
    assert!(refusal(
        &t.store
            .export_p2(None, &file, None, &NoProgress)
            .unwrap_err()
    )
    .contains("is a file"));
    assert_eq!(fs::read_to_string(&file).unwrap(), "not a folder");
    #[cfg(unix)]
    {
        let link = t.path("link");
        std::os::unix::fs::symlink(&mine, &link).unwrap();
        assert!(refusal(
            &t.store
                .export_p2(None, &link, None, &NoProgress)
                .unwrap_err()
        )
        .contains("symbolic link"));
        assert!(mine.join("notes.txt").is_file());
    }
}

#[test]
fn a_bundle_is_replaced_with_only_its_own_files() {
    let mut t = store_with_canonical();
    let bundle = t.path("bundle");
    let first = t.store.export_p2(None, &bundle, None, &NoProgress).unwrap();
    // The marker lists exactly the files of the bundle.
    let marker: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(bundle.join(".eacdesk-bundle")).unwrap()).unwrap();
    let listed: Vec<String> = marker["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_owned())
        .collect();
    let mut on_disk: Vec<String> = tree(&bundle)
        .into_iter()
        .map(|(name, _)| name)
        .filter(|n| !n.ends_with('/') && n != ".eacdesk-bundle")
        .collect();
    on_disk.sort();
    assert_eq!(listed, on_disk);
    assert_eq!(first.file_count, listed.len());

    // Replaced: an empty folder, a bundle, a bundle written before the
    // marker existed, a bundle missing some of its files.
    import_ok(
        &mut t.store,
        &spec_example("good-p1-overview-endpoint.json"),
    );
    let empty = t.path("empty");
    fs::create_dir(&empty).unwrap();
    t.store.export_p2(None, &empty, None, &NoProgress).unwrap();
    assert!(empty.join("eacs.json").is_file());
    let second = t.store.export_p2(None, &bundle, None, &NoProgress).unwrap();
    assert_eq!(second.eac_count, first.eac_count + 1);
    fs::remove_file(bundle.join(".eacdesk-bundle")).unwrap();
    t.store.export_p2(None, &bundle, None, &NoProgress).unwrap();
    assert!(bundle.join(".eacdesk-bundle").is_file());
    fs::remove_file(bundle.join("FORMAT.md")).unwrap();
    t.store.export_p2(None, &bundle, None, &NoProgress).unwrap();
    assert!(bundle.join("FORMAT.md").is_file());
    assert_eq!(
        folder_entries(t.dir.path()),
        [
            "bundle",
            "eacs.sqlite",
            "eacs.sqlite-shm",
            "eacs.sqlite-wal",
            "empty"
        ],
        "nothing left beside the bundles"
    );
}

#[test]
fn no_export_may_write_over_the_database_or_the_folder_holding_it() {
    let mut t = store_with_canonical();
    let db = t.db_path();
    let before = sha256_file(&db);
    let wal = t.path("eacs.sqlite-wal");
    let targets = [
        db.clone(),
        t.dir.path().join("sub/../eacs.sqlite"),
        wal.clone(),
        t.path("eacs.sqlite-shm"),
        t.path("eacs.sqlite-journal"),
    ];
    fs::create_dir(t.path("sub")).unwrap();
    for dest in &targets {
        let e = t.store.export_p1(None, dest, &NoProgress).unwrap_err();
        let message = refusal(&e);
        assert!(
            message.contains("the database EAC Desk is using"),
            "{message}"
        );
        let app =
            eac_app::export(&mut t.store, ExportProfile::P1, None, dest, &NoProgress).unwrap_err();
        assert_eq!(app.code, "invalid_input", "{}", dest.display());
    }
    #[cfg(unix)]
    {
        let hard = t.path("hard-link.json");
        fs::hard_link(&db, &hard).unwrap();
        assert!(t.store.export_p1(None, &hard, &NoProgress).is_err());
        let soft = t.path("soft-link.json");
        std::os::unix::fs::symlink(&db, &soft).unwrap();
        assert!(t.store.export_p1(None, &soft, &NoProgress).is_err());
        let folder_link = t.path("folder-link");
        std::os::unix::fs::symlink(t.dir.path(), &folder_link).unwrap();
        assert!(t
            .store
            .export_p2(None, &folder_link, None, &NoProgress)
            .is_err());
    }
    // The folder holding the database, and that folder's parent.
    for dest in [t.dir.path().to_owned(), t.dir.path().join("sub/..")] {
        let e = t
            .store
            .export_p2(None, &dest, None, &NoProgress)
            .unwrap_err();
        assert!(refusal(&e).contains("the database EAC Desk is using"));
    }
    assert_eq!(sha256_file(&db), before, "the database changed");
    assert_eq!(t.store.info().unwrap().eac_count, 6);
    // Sample files are refused there too.
    let e = eac_app::write_sample_file(&db, 3, 1, &db, &NoProgress).unwrap_err();
    assert_eq!(e.code, "invalid_input");
    let e = eac_app::write_sample_values_csv(&wal, 3, 1, &db, &NoProgress).unwrap_err();
    assert_eq!(e.code, "invalid_input");
    assert_eq!(sha256_file(&db), before, "the database changed");
}

#[test]
fn the_next_export_removes_stale_leftovers_but_not_a_running_exports_or_the_users() {
    let t = store_with_canonical();
    let out = t.path("out");
    fs::create_dir(&out).unwrap();
    // Left by exports that were killed (this version's and earlier names).
    let stale = [
        ".eacdesk-export-a1B2c3.tmp",
        ".eacdesk-export-Zz9Yy8.json",
        ".eacdesk-sample-q1w2e3.tmp",
    ];
    for name in stale {
        fs::write(out.join(name), "half an export").unwrap();
    }
    let half = out.join(".eacdesk-bundle-Ab3dE5");
    fs::create_dir_all(half.join("eacs")).unwrap();
    fs::write(half.join("eacs.json"), "{\"eacs\": [").unwrap();
    fs::write(half.join("eacs/x-0123456789ab.json"), "{}").unwrap();
    // Held by an export still running (it holds the lock).
    let running = out.join(".eacdesk-export-R5t6y7.tmp");
    let held = fs::File::create(&running).unwrap();
    held.try_lock().unwrap();
    // The user's own, even with names like ours.
    let users = [
        ".eacdesk-export-notes.txt",
        ".eacdesk-export-toolong1.tmp",
        "eacdesk-export-a1B2c3.tmp",
    ];
    for name in users {
        fs::write(out.join(name), "mine").unwrap();
    }
    let user_in_temp = out.join(".eacdesk-bundle-K8l9M0");
    fs::create_dir(&user_in_temp).unwrap();
    fs::write(user_in_temp.join("thesis.docx"), "mine").unwrap();

    let dest = out.join("eacs.json");
    export_all(&t.store, &dest);
    let mut expected: Vec<String> = users.iter().map(|s| s.to_string()).collect();
    expected.extend([
        ".eacdesk-bundle-K8l9M0".to_owned(),
        ".eacdesk-export-R5t6y7.tmp".to_owned(),
        "eacs.json".to_owned(),
    ]);
    expected.sort();
    assert_eq!(folder_entries(&out), expected);
    assert_eq!(folder_entries(&user_in_temp), ["thesis.docx"]);
    drop(held);
    // Once its export is gone, the next one removes it.
    t.store
        .export_p2(None, &out.join("bundle"), None, &NoProgress)
        .unwrap();
    assert!(!running.exists());
}

#[test]
fn an_earlier_bundle_left_aside_by_a_stopped_export_is_put_back() {
    let t = store_with_canonical();
    let bundle = t.path("pub");
    t.store.export_p2(None, &bundle, None, &NoProgress).unwrap();
    let before = tree(&bundle);
    // Stopped between moving the earlier bundle aside and the new one in
    // (systems without an atomic exchange): nothing at the destination.
    fs::rename(&bundle, t.path(".eacdesk-aside-pub")).unwrap();
    // Any export to that folder puts it back first.
    export_all(&t.store, &t.path("p1.json"));
    assert_eq!(tree(&bundle), before);
    assert!(!t.path(".eacdesk-aside-pub").exists());
    // The new bundle made it, the earlier one was not yet removed: removed.
    t.store.export_p2(None, &bundle, None, &NoProgress).unwrap();
    let before = tree(&bundle);
    fs::create_dir(t.path(".eacdesk-aside-pub")).unwrap();
    fs::write(t.path(".eacdesk-aside-pub/eacs.json"), "{}").unwrap();
    export_all(&t.store, &t.path("p1.json"));
    assert!(!t.path(".eacdesk-aside-pub").exists());
    assert_eq!(tree(&bundle), before);
    // An earlier version's name for the bundle moved aside: its metadata's
    // file: URLs say where it belongs.
    fs::rename(&bundle, t.path(".eacdesk-bundle-Xy12Zw-old")).unwrap();
    export_all(&t.store, &t.path("p1.json"));
    assert_eq!(tree(&bundle), before);
    assert!(!t.path(".eacdesk-bundle-Xy12Zw-old").exists());
}

/// What a removal could change: the file, the EACs, the audit log, the batches.
fn full_state(t: &TempStore) -> (String, usize, usize, Vec<eac_store::ImportBatch>) {
    (
        sha256_file(&t.db_path()),
        t.store.info().unwrap().eac_count,
        t.store.audit_log(None).unwrap().len(),
        t.store.import_batches().unwrap(),
    )
}

#[test]
fn cancelled_deletes_undos_and_verifications_write_nothing() {
    let mut t = store_with_canonical();
    import_ok(&mut t.store, &spec_example("good-p1-mixed-order.json"));
    let batch = t.store.import_batches().unwrap()[0].id;
    let before = full_state(&t);
    assert!(before.1 > 2);
    for allow in [0, 1, 2] {
        let cancel = CancelAfter::new(allow);
        let everything = eac_store::DeleteTarget::Filter(Default::default());
        let e = t
            .store
            .delete_eacs(
                &everything,
                &eac_store::Reason::new("clean up").unwrap(),
                "alice",
                false,
                &cancel,
            )
            .unwrap_err();
        assert!(matches!(e, StoreError::Cancelled), "{e:?}");
        assert_eq!(full_state(&t), before, "delete cancelled after {allow}");

        let cancel = CancelAfter::new(allow);
        let e = t
            .store
            .undo_import(
                batch,
                &eac_store::Reason::new("wrong file").unwrap(),
                "alice",
                false,
                &cancel,
            )
            .unwrap_err();
        assert!(matches!(e, StoreError::Cancelled), "{e:?}");
        assert_eq!(full_state(&t), before, "undo cancelled after {allow}");

        let cancel = CancelAfter::new(allow);
        let e = t
            .store
            .mark_verified(&Default::default(), None, "alice", false, &cancel)
            .unwrap_err();
        assert!(matches!(e, StoreError::Cancelled), "{e:?}");
        assert_eq!(full_state(&t), before, "verify cancelled after {allow}");
    }
    // Not cancelled, the same undo goes through whole.
    let r = t
        .store
        .undo_import(
            batch,
            &eac_store::Reason::new("wrong file").unwrap(),
            "alice",
            false,
            &NoProgress,
        )
        .unwrap();
    assert_eq!(r.removed, 7);
    assert_eq!(t.store.info().unwrap().eac_count, before.1 - 7);
}

#[test]
fn a_refused_import_leaves_a_rollback_journal_database_byte_identical() {
    let t = store_with_canonical();
    let db = t.db_path();
    drop(t.store);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let _: String = conn
        .pragma_update_and_check(None, "journal_mode", "delete", |r| r.get(0))
        .unwrap();
    drop(conn);
    let before = read_bytes(&db);
    let mut store = Store::open(&db).unwrap();
    store
        .import_file(
            &fixture(THIRD_BREAKS_RULE_8),
            Default::default(),
            &NoProgress,
        )
        .unwrap_err();
    drop(store);
    assert_eq!(
        read_bytes(&db),
        before,
        "the refused import changed the file"
    );
    assert!(!Path::new(&format!("{}-wal", db.display())).exists());
}
