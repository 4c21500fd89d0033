//! Notices when another process (typically `eacdesk` on the command line,
//! or another desk on a server) commits to the open database, so the window
//! can offer to refresh.
//!
//! Whose commit it was is told by the shared connection itself: its
//! `PRAGMA data_version` (on a server, the changes it heard announced by
//! other sessions) moves only when *another* connection commits, never for
//! its own edits. Long operations write on connections of their own, so the
//! [`ChangeLedger`] accounts for them: when one starts, a commit made since
//! the last look is still reported; while it runs, its own connection's
//! `data_version` says whether anyone else committed meanwhile; when it ends,
//! the shared connection's version taken then is the new baseline. No own
//! write ever hides another process's commit, whenever the two happen
//! (decision 271); only a commit made while two operations of this app (or
//! an operation and an edit) ran together cannot be told apart from theirs,
//! and is then not reported.
//!
//! A read-only connection of its own ([`StoreWatch`], decision 68) is polled
//! once a second as a cheap trigger: the shared connection is asked only
//! after some commit, so a server is not asked to list its announcements
//! every second.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use eac_app::{Store, StoreWatch};

use crate::desk::Desk;

const INTERVAL: Duration = Duration::from_secs(1);

/// Starts the watcher on a thread of its own; it runs as long as the app.
pub fn spawn(desk: Desk) {
    std::thread::Builder::new()
        .name("db-watch".into())
        .spawn(move || watch(desk))
        .expect("start the database watcher thread");
}

fn watch(desk: Desk) {
    let mut trigger: Option<(PathBuf, StoreWatch)> = None;
    let mut last_trigger = None;
    // The first poll runs at once (the app is still starting), so a change
    // made while the window loads is already measured against a baseline.
    let mut first = true;
    loop {
        if !std::mem::take(&mut first) {
            std::thread::sleep(INTERVAL);
        }
        let path = desk.path();
        if trigger.as_ref().is_none_or(|(p, _)| *p != path) {
            trigger = eac_app::open_watch(&path).ok().map(|s| (path, s));
            last_trigger = None;
        }
        // Without a trigger (the file cannot be opened read-only), ask the
        // shared connection every time.
        let version = trigger.as_ref().and_then(|(_, w)| w.data_version().ok());
        let moved = version.is_none() || version != last_trigger;
        last_trigger = version;
        if desk.poll_changes(moved) {
            if let Some(ui) = desk.ui() {
                ui.db_changed();
            }
        }
        // The file deleted, emptied or replaced: the window says so at
        // once, not only at the next command.
        if let Some(gone) = desk.poll_file() {
            if let Some(ui) = desk.ui() {
                ui.db_gone(gone);
            }
        }
    }
}

/// What the watcher and the app's own writes agree on, so that an own write
/// never hides another process's commit.
#[derive(Default)]
pub struct ChangeLedger {
    state: Mutex<LedgerState>,
    /// Edits on the shared connection started and finished: an operation
    /// that saw another connection commit beside one cannot tell whose.
    edits_started: AtomicU64,
    edits_finished: AtomicU64,
}

#[derive(Default)]
struct LedgerState {
    /// The shared connection's version accounted for, and which opening of
    /// a database it was read on (a new connection counts afresh).
    seen: Option<(u64, i64)>,
    /// Long operations running on connections of their own.
    running: u32,
    /// Operations started so far.
    started: u64,
    /// Another process committed while an operation ran, or before it
    /// started: reported at the next poll.
    heard: bool,
}

/// An operation's account with the ledger, from before its work to after.
pub struct OperationWatch<'a> {
    ledger: &'a ChangeLedger,
    /// Its own connection's version when it started (`None` when unknown).
    own_version: Option<i64>,
    /// Whether nothing else of this app wrote beside it: no other operation
    /// running or started, no edit (counters when it started).
    alone: bool,
    started: u64,
    edits: (u64, u64),
    done: bool,
}

impl ChangeLedger {
    fn state(&self) -> MutexGuard<'_, LedgerState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn edits(&self) -> (u64, u64) {
        (
            self.edits_started.load(Ordering::SeqCst),
            self.edits_finished.load(Ordering::SeqCst),
        )
    }

    /// Runs an edit on the shared connection (whose own commits never move
    /// its version) counted, so a running operation knows it happened.
    pub fn edit<T>(&self, f: impl FnOnce() -> T) -> T {
        self.edits_started.fetch_add(1, Ordering::SeqCst);
        let out = f();
        self.edits_finished.fetch_add(1, Ordering::SeqCst);
        out
    }

    /// The watcher's look: whether another process committed since the
    /// last one. `shared` reads the shared connection's version (with the
    /// opening it belongs to); it is called only when `moved` (the trigger
    /// saw a commit), before any baseline exists, or when an operation
    /// heard one, and never while an operation runs: its end settles that.
    pub fn poll(&self, moved: bool, shared: impl FnOnce() -> Option<(u64, i64)>) -> bool {
        let mut state = self.state();
        if state.running > 0 {
            return false;
        }
        let mut changed = std::mem::take(&mut state.heard);
        if moved || state.seen.is_none() {
            if let Some(now) = shared() {
                changed |= state.differs(now);
                state.seen = Some(now);
            }
        }
        changed
    }

    /// An operation is about to work on `own` (its own connection, just
    /// opened): a commit by another process since the last look is noted
    /// now, before the operation's own commit would mix with it.
    pub fn operation_started(
        &self,
        own: &Store,
        shared: impl FnOnce() -> Option<(u64, i64)>,
    ) -> OperationWatch<'_> {
        // The edits first: one that commits after its own version is read
        // is then counted as started, never taken for another process's.
        let edits = self.edits();
        // Its own version next: a commit after this is seen by it, one
        // before by the shared connection's version read next.
        let own_version = own.data_version().ok();
        let mut state = self.state();
        let alone = state.running == 0;
        if alone {
            if let Some(now) = shared() {
                state.heard |= state.differs(now);
                state.seen = Some(now);
            }
        }
        state.running += 1;
        state.started += 1;
        OperationWatch {
            ledger: self,
            own_version,
            alone,
            started: state.started,
            edits,
            done: false,
        }
    }
}

impl LedgerState {
    fn differs(&self, now: (u64, i64)) -> bool {
        self.seen
            .is_some_and(|(opening, version)| opening == now.0 && version != now.1)
    }
}

impl OperationWatch<'_> {
    /// The operation's work is over (done, failed or cancelled): whether
    /// another process committed while it ran is told by its own connection
    /// `own`, and the shared connection's version is the new baseline.
    pub fn finish(mut self, own: &Store, shared: impl FnOnce() -> Option<(u64, i64)>) {
        self.done = true;
        let mut state = self.ledger.state();
        // The shared connection first: a commit between the two reads moves
        // the operation's own version, so it is heard either way.
        let now = shared();
        let own_now = own.data_version().ok();
        let alone = self.alone
            && state.started == self.started
            && self.ledger.edits() == self.edits
            && self.edits.0 == self.edits.1;
        if alone && self.own_version.is_some() && own_now != self.own_version {
            state.heard = true;
        }
        state.running -= 1;
        if state.running == 0 {
            state.seen = now;
        }
    }
}

impl Drop for OperationWatch<'_> {
    /// An operation that panicked: it no longer runs, and the next look
    /// starts a new baseline.
    fn drop(&mut self) {
        if !self.done {
            let mut state = self.ledger.state();
            state.running -= 1;
            if state.running == 0 {
                state.seen = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use eac_app::AppError;

    use crate::desk::Desk;

    /// What the CLI beside the window does: a commit on a connection of its
    /// own.
    fn commit_elsewhere(db: &Path, seed: u64) {
        let mut store = eac_app::open_store(db).unwrap();
        eac_app::load_sample(&mut store, 1, seed, &eac_app::NoProgress).unwrap();
    }

    fn own_edit(desk: &Desk, seed: u64) {
        tauri::async_runtime::block_on(
            desk.edit(move |store| eac_app::load_sample(store, 1, seed, &eac_app::NoProgress)),
        )
        .unwrap();
    }

    fn own_operation(
        desk: &Desk,
        seed: u64,
        meanwhile: impl FnOnce() + Send + 'static,
    ) -> Result<(), AppError> {
        tauri::async_runtime::block_on(desk.operation(format!("op-{seed}"), move |store, op| {
            meanwhile();
            eac_app::load_sample(store, 1, seed, op).map(|_| ())
        }))
    }

    fn desk() -> (tempfile::TempDir, std::path::PathBuf, Desk) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("watched.sqlite");
        let desk = Desk::new(db.clone());
        // The first look takes the baseline.
        assert!(!desk.poll_changes(true));
        (dir, db, desk)
    }

    #[test]
    fn the_windows_own_edits_are_never_reported_and_another_process_commit_is() {
        let (_dir, db, desk) = desk();
        own_edit(&desk, 1);
        assert!(!desk.poll_changes(true), "its own edit");
        commit_elsewhere(&db, 2);
        assert!(desk.poll_changes(true), "the CLI's commit");
        assert!(!desk.poll_changes(true), "told once");
    }

    #[test]
    fn a_commit_just_after_an_own_write_is_still_reported() {
        // The watcher looked after neither: the own edit and the other
        // process's commit fall between two looks.
        let (_dir, db, desk) = desk();
        own_edit(&desk, 1);
        commit_elsewhere(&db, 2);
        assert!(desk.poll_changes(true), "after an edit");
        own_operation(&desk, 3, || {}).unwrap();
        commit_elsewhere(&db, 4);
        assert!(desk.poll_changes(true), "after an operation");
        commit_elsewhere(&db, 5);
        own_operation(&desk, 6, || {}).unwrap();
        assert!(desk.poll_changes(true), "before an operation");
        own_operation(&desk, 7, || {}).unwrap();
        assert!(!desk.poll_changes(true), "an operation alone");
    }

    #[test]
    fn a_commit_while_an_operation_runs_is_reported_once_it_ends() {
        let (_dir, db, desk) = desk();
        let during = db.clone();
        own_operation(&desk, 1, move || commit_elsewhere(&during, 2)).unwrap();
        assert!(desk.poll_changes(false), "heard by the operation");
        assert!(!desk.poll_changes(true));
        // A failed operation tells it too.
        let during = db.clone();
        let failed = tauri::async_runtime::block_on(desk.operation("bad".into(), move |_, _| {
            commit_elsewhere(&during, 3);
            Err::<(), _>(AppError::invalid_input("no"))
        }));
        assert!(failed.is_err());
        assert!(desk.poll_changes(false));
    }

    #[test]
    fn a_database_opened_anew_starts_a_new_baseline() {
        let (dir, _db, desk) = desk();
        let other = dir.path().join("other.sqlite");
        // Opening remembers the file among the recent ones: not in the
        // real settings.
        std::env::set_var(eac_app::SETTINGS_DIR_ENV, dir.path().join("config"));
        commit_elsewhere(&other, 1);
        tauri::async_runtime::block_on(desk.open_database(other.clone())).unwrap();
        assert!(!desk.poll_changes(true), "a new file is no change");
        commit_elsewhere(&other, 2);
        assert!(desk.poll_changes(true));
    }
}
