//! All or nothing: a refused or cancelled import leaves the database file
//! byte-identical (decisions 14), and a refused or cancelled export leaves the
//! destination as it was, with no temporary file beside it (decisions 17).

use std::cell::Cell;
use std::fs;
use std::path::Path;

use eac_model::Violation;
use eac_store::{NoProgress, Progress, Store, StoreError};
use eac_tests::{
    export_all, fixture, folder_entries, import_ok, read_bytes, sha256_file, spec_example,
    temp_store, TempStore,
};

/// Lets `allow` cancellation checks pass, then asks to cancel.
struct CancelAfter {
    allow: u32,
    checks: Cell<u32>,
}

impl CancelAfter {
    fn new(allow: u32) -> Self {
        CancelAfter {
            allow,
            checks: Cell::new(0),
        }
    }
}

impl Progress for CancelAfter {
    fn update(&self, _: &str, _: u64, _: Option<u64>) {}
    fn is_cancelled(&self) -> bool {
        let n = self.checks.get();
        self.checks.set(n + 1);
        n >= self.allow
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
            .delete_eacs(&everything, "clean up", "alice", false, &cancel)
            .unwrap_err();
        assert!(matches!(e, StoreError::Cancelled), "{e:?}");
        assert_eq!(full_state(&t), before, "delete cancelled after {allow}");

        let cancel = CancelAfter::new(allow);
        let e = t
            .store
            .undo_import(batch, "wrong file", "alice", false, &cancel)
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
        .undo_import(batch, "wrong file", "alice", false, &NoProgress)
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
