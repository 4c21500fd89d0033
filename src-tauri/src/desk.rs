//! The app's state: the open database, the running operations, and the
//! plumbing that keeps SQLite work off the UI thread.
//!
//! Reads and short edits share one connection behind a mutex. Long operations
//! (import, export, bulk edit, sample data) open their own connection on the
//! same file, so browsing never waits behind an import: WAL lets readers go on
//! while a writer works, and the store's busy timeout makes writers queue
//! instead of failing with "database is locked".

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use crate::watch::ChangeLedger;
use std::time::{Duration, Instant};

use eac_app::{
    AppError, CloseBlockers, DbInfo, OpenedFile, Operation, OperationRegistry, ProgressEvent,
    Settings, SettingsPatch, StagedViewState, Store,
};

/// What the state needs from the window, so it does not depend on a Tauri
/// runtime type (the same code runs under the mock runtime in tests).
pub trait Ui: Send + Sync {
    fn progress(&self, event: ProgressEvent);
    /// Another process committed to the open database.
    fn db_changed(&self);
    /// The open database's file was deleted, emptied or replaced: `error`
    /// says so and what to do (every command answers it until another
    /// database is opened).
    fn db_gone(&self, error: AppError);
    fn set_title(&self, title: &str);
    /// The user confirmed: close the window now.
    fn close_window(&self);
}

/// `EAC Desk — /path/to/eacdesk.sqlite`
pub fn window_title(db: &Path) -> String {
    format!("EAC Desk — {}", shown(db))
}

/// The database as people see it: a file's path, or a server database's
/// address without its password (team mode).
fn shown(db: &Path) -> String {
    match db.to_str().filter(|_| eac_app::is_server(db)) {
        Some(url) => eac_app::without_any_password(url),
        None => db.display().to_string(),
    }
}

struct Open {
    path: PathBuf,
    /// The shared connection, or why the file could not be opened (every
    /// command then answers with that error until another file is opened).
    store: Result<Store, AppError>,
    /// Which opening this is (a new connection's `data_version` counts
    /// afresh, so the change watcher must not compare across openings).
    opening: u64,
    /// The file as it was opened (`None`: a server database, or a file
    /// that could not be opened): deleted, emptied or replaced since, it
    /// is neither read, written, nor made again (see [`OpenedFile`]).
    file: Option<OpenedFile>,
    /// The window was told the file is gone ([`Desk::poll_file`]).
    gone_told: bool,
}

impl Open {
    fn new(path: PathBuf, store: Result<Store, AppError>) -> Open {
        let file = store.as_ref().ok().and_then(|_| OpenedFile::now(&path));
        Open {
            path,
            store,
            opening: next_opening(),
            file,
            gone_told: false,
        }
    }

    /// The shared connection, once its file is known to be still there.
    fn store(&self) -> Result<&Store, AppError> {
        let store = self.store.as_ref().map_err(Clone::clone)?;
        self.still_there()?;
        Ok(store)
    }

    fn store_mut(&mut self) -> Result<&mut Store, AppError> {
        self.still_there()?;
        self.store.as_mut().map_err(|e| e.clone())
    }

    /// `Ok` while the file opened is there as it was.
    fn still_there(&self) -> Result<(), AppError> {
        self.file.as_ref().map_or(Ok(()), OpenedFile::check)
    }

    /// Closes the shared connection ([`Store::close`]): into a file
    /// deleted, emptied or replaced since it was opened, SQLite copies
    /// nothing of its log as it closes, and the `-wal` and `-shm` at the
    /// path (maybe the new file's own) stay as they are.
    fn close(self) {
        if let Ok(store) = self.store {
            store.close();
        }
    }
}

/// Opens `path` as the window's database, at start or in Open database: a
/// named pipe is never opened (nor waited on), a folder is named, and the
/// companions are mended here, not for each operation.
fn open_for_window(path: &Path) -> Result<Store, AppError> {
    eac_app::refuse_non_regular_database(path)?;
    eac_app::mend_companions(path);
    eac_app::open_store(path)
}

/// Numbers each opening of a database in this process.
static OPENINGS: AtomicU64 = AtomicU64::new(0);

fn next_opening() -> u64 {
    OPENINGS.fetch_add(1, Ordering::SeqCst)
}

/// Progress events reach the webview at most this often (the store reports
/// per EAC; a million IPC messages would freeze the UI, not inform it).
const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

/// The app state; cheap to clone (all clones share the same database).
#[derive(Clone)]
pub struct Desk {
    open: Arc<Mutex<Open>>,
    operations: OperationRegistry,
    /// The app's own writes, so the change watcher tells them from another
    /// process's (see [`crate::watch`]).
    ledger: Arc<ChangeLedger>,
    /// The window, once the app is running (absent in command tests).
    ui: Arc<OnceLock<Arc<dyn Ui>>>,
    /// What the close guard knows (see [`Desk::on_close_requested`]).
    close: Arc<Mutex<CloseState>>,
    /// Files named on the command line ("Open with EAC Desk"), until the UI
    /// takes them.
    launch_files: Arc<Mutex<Vec<PathBuf>>>,
    /// The UI state of a database (filter, columns, …) as it stands, until
    /// the UI writes it (it waits for a pause in a stream of changes):
    /// closing the window in that pause writes it then
    /// ([`Desk::write_staged_view_state`]).
    staged_view: Arc<Mutex<Option<StagedViewState>>>,
}

#[derive(Default)]
struct CloseState {
    /// The UI holds beneficiary edits it has not saved.
    unsaved_edits: bool,
    /// The user agreed to close: the window may go once operations stopped.
    closing: bool,
    /// When the UI was asked about closing and has not said it showed the
    /// question yet, so a UI that cannot answer never keeps the window open.
    asked: Option<Instant>,
}

fn internal(what: impl std::fmt::Display) -> AppError {
    AppError::new(
        eac_app::ErrorCode::Internal,
        format!("EAC Desk hit an internal error ({what}); nothing was written. Try again, and report it if it happens again."),
    )
}

impl Desk {
    /// Opens `path` (created when missing). A file that cannot be opened is
    /// remembered with its error, so the window still starts and says why.
    pub fn new(path: PathBuf) -> Desk {
        let store = open_for_window(&path);
        Desk {
            open: Arc::new(Mutex::new(Open::new(path, store))),
            operations: OperationRegistry::new(),
            ledger: Arc::default(),
            ui: Arc::new(OnceLock::new()),
            close: Arc::default(),
            launch_files: Arc::default(),
            staged_view: Arc::default(),
        }
    }

    fn close_state(&self) -> MutexGuard<'_, CloseState> {
        self.close.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The UI says whether it holds unsaved edits (asked about on close).
    pub fn set_unsaved_edits(&self, unsaved: bool) {
        self.close_state().unsaved_edits = unsaved;
    }

    /// What closing the window now would lose, or `None` when it may close:
    /// unsaved edits, or operations that would be cut off (they write
    /// nothing when stopped, but the user should say so).
    pub fn close_blockers(&self) -> Option<CloseBlockers> {
        Self::blockers(&self.close_state(), &self.operations)
    }

    fn blockers(state: &CloseState, operations: &OperationRegistry) -> Option<CloseBlockers> {
        if state.closing {
            return None;
        }
        let blockers = CloseBlockers {
            unsaved_edits: state.unsaved_edits,
            running_operations: operations.running_count(),
        };
        (blockers.unsaved_edits || blockers.running_operations > 0).then_some(blockers)
    }

    /// The window was asked to close: `Some(blockers)` to keep it open and
    /// ask the user, `None` to let it close. A request that comes while an
    /// earlier question went unanswered for longer than `unanswered` lets
    /// the window close: a webview that hangs must not make it unclosable.
    pub fn on_close_requested(&self, unanswered: Duration) -> Option<CloseBlockers> {
        let mut state = self.close_state();
        let blockers = Self::blockers(&state, &self.operations)?;
        if state.asked.is_some_and(|at| at.elapsed() >= unanswered) {
            return None;
        }
        state.asked.get_or_insert_with(Instant::now);
        Some(blockers)
    }

    /// The UI has shown the close question (the user now decides).
    pub fn close_request_seen(&self) {
        self.close_state().asked = None;
    }

    /// The user chose "Close anyway": running operations are cancelled (each
    /// then writes nothing), and once they have stopped, or after `patience`,
    /// the window closes. Returns at once; the waiting is off the UI thread.
    pub fn close_anyway(&self, patience: Duration) {
        self.close_state().closing = true;
        self.operations.cancel_all();
        let desk = self.clone();
        std::thread::spawn(move || {
            let started = Instant::now();
            while desk.operations.running_count() > 0 && started.elapsed() < patience {
                std::thread::sleep(Duration::from_millis(50));
            }
            if let Some(ui) = desk.ui() {
                ui.close_window();
            }
        });
    }

    /// Connects the running window: titles it and sends it events from now on.
    pub fn attach(&self, ui: Arc<dyn Ui>) {
        ui.set_title(&window_title(&self.path()));
        let _ = self.ui.set(ui);
    }

    fn lock(&self) -> MutexGuard<'_, Open> {
        // A panic in a read cannot leave the connection half-changed.
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Remembers the files the app was started with, for the UI to offer.
    pub fn set_launch_files(&self, files: Vec<PathBuf>) {
        *self.launch_files.lock().unwrap_or_else(|e| e.into_inner()) = files;
    }

    /// The files the app was started with, once: a reloaded page gets none,
    /// so the same file is not offered twice.
    pub fn take_launch_files(&self) -> Vec<PathBuf> {
        std::mem::take(&mut *self.launch_files.lock().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn path(&self) -> PathBuf {
        self.lock().path.clone()
    }

    /// The shared connection's `data_version` and which opening it
    /// belongs to (`None` when no database is open or it cannot say).
    fn shared_version(&self) -> Option<(u64, i64)> {
        let open = self.lock();
        let version = open.store.as_ref().ok()?.data_version().ok()?;
        Some((open.opening, version))
    }

    /// The change watcher's look (once a second): whether another process
    /// committed since the last one. `moved`: its trigger saw some commit.
    pub fn poll_changes(&self, moved: bool) -> bool {
        self.ledger.poll(moved, || self.shared_version())
    }

    /// The change watcher's look at the open file: the error saying it was
    /// deleted, emptied or replaced, once per opening (then `None` until
    /// another database is opened).
    pub fn poll_file(&self) -> Option<AppError> {
        let mut open = self.lock();
        if open.gone_told {
            return None;
        }
        let gone = open.still_there().err()?;
        open.gone_told = true;
        Some(gone)
    }

    pub fn ui(&self) -> Option<&dyn Ui> {
        self.ui.get().map(|ui| &**ui)
    }

    /// Runs a read on the shared connection, off the UI thread.
    pub async fn read<T, E>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, E> + Send + 'static,
    ) -> Result<T, AppError>
    where
        T: Send + 'static,
        E: Into<AppError>,
    {
        let desk = self.clone();
        off_ui_thread(move || {
            let open = desk.lock();
            let store = open.store()?;
            f(store).map_err(|e| e.into().in_app(Some(store)))
        })
        .await
    }

    /// Runs a short edit (one EAC) on the shared connection, off the UI thread.
    pub async fn edit<T, E>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, E> + Send + 'static,
    ) -> Result<T, AppError>
    where
        T: Send + 'static,
        E: Into<AppError>,
    {
        let desk = self.clone();
        off_ui_thread(move || {
            let mut open = desk.lock();
            let store = open.store_mut()?;
            desk.ledger.edit(|| match f(store) {
                Ok(done) => Ok(done),
                Err(e) => Err(e.into().in_app(Some(store))),
            })
        })
        .await
    }

    /// What sends an operation's progress to the window: at most one event
    /// every [`PROGRESS_INTERVAL`] (and each phase's last), so that a bar
    /// whose width eases in 0.15 s is not restarted faster than it moves.
    fn progress_sender(&self) -> impl Fn(ProgressEvent) + Send + Sync + 'static {
        let ui = self.ui.get().cloned();
        let last = Mutex::new(None::<Instant>);
        move |event: ProgressEvent| {
            let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
            let finished = event.total == Some(event.done);
            if finished || last.is_none_or(|t| t.elapsed() >= PROGRESS_INTERVAL) {
                *last = Some(Instant::now());
                if let Some(ui) = &ui {
                    ui.progress(event);
                }
            }
        }
    }

    /// Runs a long operation on its own connection to the open file, off the
    /// UI thread, registered under `op_id` so `cancel` can reach it, with its
    /// progress sent to the window as `progress` events.
    pub async fn operation<T, E>(
        &self,
        op_id: String,
        f: impl FnOnce(&mut Store, &Operation) -> Result<T, E> + Send + 'static,
    ) -> Result<T, AppError>
    where
        T: Send + 'static,
        E: Into<AppError>,
    {
        let op = self.operations.start(&op_id, self.progress_sender())?;
        let (path, file) = {
            let open = self.lock();
            (open.path.clone(), open.file.clone())
        };
        let desk = self.clone();
        off_ui_thread(move || {
            // Its own connection opens the path again: the file opened must
            // still be there, not another one, nor emptied. The open makes
            // nothing: a file deleted or emptied after this look is refused
            // as gone, never made again as an empty database.
            let still_there = || file.as_ref().map_or(Ok(()), OpenedFile::check);
            still_there()?;
            let mut store = eac_app::reopen_store(&path).map_err(|e| e.in_app(None))?;
            // Another file put there between the look and the open is not
            // worked on.
            if let Err(e) = still_there() {
                store.close();
                return Err(e);
            }
            let watch = desk
                .ledger
                .operation_started(&store, || desk.shared_version());
            let out = match f(&mut store, &op) {
                Ok(done) => Ok(done),
                Err(e) => Err(e.into().in_app(Some(&store))),
            };
            watch.finish(&store, || desk.shared_version());
            store.close();
            out
        })
        .await
    }

    /// Runs long work that needs no database (checking an evidence pack) off
    /// the UI thread, registered under `op_id` so `cancel` can reach it.
    pub async fn task<T, E>(
        &self,
        op_id: String,
        f: impl FnOnce(&Operation) -> Result<T, E> + Send + 'static,
    ) -> Result<T, AppError>
    where
        T: Send + 'static,
        E: Into<AppError>,
    {
        let op = self.operations.start(&op_id, self.progress_sender())?;
        off_ui_thread(move || f(&op).map_err(|e| e.into().in_app(None))).await
    }

    /// Asks a running operation to stop; it then writes nothing. Unknown ids
    /// (already finished) are fine.
    pub fn cancel(&self, op_id: &str) {
        self.operations.cancel(op_id);
    }

    /// Switches to another database file (created when missing). On failure
    /// the current database stays open.
    pub async fn open_database(&self, path: PathBuf) -> Result<DbInfo, AppError> {
        let desk = self.clone();
        off_ui_thread(move || {
            desk.let_go_if_gone(&path);
            let store = open_for_window(&path)?;
            let info = eac_app::db_info(&store)?;
            let left = std::mem::replace(&mut *desk.lock(), Open::new(path.clone(), Ok(store)));
            // Closed once the window works on the new one; a file deleted,
            // emptied or replaced meanwhile gets nothing of its log.
            left.close();
            if let Some(ui) = desk.ui() {
                ui.set_title(&window_title(&path));
            }
            remember_database(&path);
            Ok(info)
        })
        .await
    }

    /// Before `path` is opened on purpose: when it is the open database's
    /// path and that file was deleted, emptied or replaced since, the
    /// window's connection to it is closed first ([`Open::close`]; every
    /// command answers that it is gone, as before). Held open, it kept
    /// its log and locks, and a database started in the emptied file was
    /// refused as busy.
    fn let_go_if_gone(&self, path: &Path) {
        let mut open = self.lock();
        if open.path != path {
            return;
        }
        let Err(gone) = open.still_there() else {
            return;
        };
        let left = std::mem::replace(&mut open.store, Err(gone));
        drop(open);
        if let Ok(store) = left {
            store.close();
        }
    }

    /// Switches to a database on a PostgreSQL server; the password stays in
    /// this process's memory (the path it opens), never on disk.
    pub async fn open_server(&self, address: String, password: String) -> Result<DbInfo, AppError> {
        let url = eac_app::with_password(&address, &password)?;
        self.open_database(PathBuf::from(url)).await
    }

    /// Copies the open database file into the empty server database at
    /// `address` (progress per table), then opens the server database.
    pub async fn move_to_server(
        &self,
        op_id: String,
        address: String,
        password: String,
    ) -> Result<DbInfo, AppError> {
        if eac_app::is_server(&self.path()) {
            return Err(AppError::invalid_input(
                "the open database is on a server already; open a database file to move it",
            ));
        }
        let url = eac_app::with_password(&address, &password)?;
        let target = url.clone();
        self.operation(op_id, move |store, op| {
            let total = eac_app::copied_table_count() as u64;
            let mut done = 0;
            // A cancel stops the copy with nothing on the server; one that
            // comes after it committed is too late, and the desk moves.
            eac_app::copy_to_server(
                store,
                &target,
                &mut |_| {
                    done += 1;
                    eac_app::Progress::update(op, eac_app::Phase::Copy, done, Some(total));
                },
                op,
            )
        })
        .await?;
        self.open_database(PathBuf::from(url)).await
    }

    /// Changes the settings `patch` names and returns them all. A new
    /// display name goes on the shared connection's next audit records at
    /// once (it read the name when the database was opened; long operations
    /// open their own connection, which reads it then).
    pub async fn update_settings(&self, patch: SettingsPatch) -> Result<Settings, AppError> {
        let desk = self.clone();
        // Written now: no longer waiting (unless the UI changed it again
        // since, which stays for its own write).
        if let (Some(database), Some(state)) = (&patch.database, &patch.database_state) {
            let mut staged = self.staged();
            if staged
                .as_ref()
                .is_some_and(|s| &s.database == database && &s.state == state)
            {
                *staged = None;
            }
        }
        off_ui_thread(move || {
            let renamed = patch.display_name.is_some();
            let settings = eac_app::update_settings(|s| s.apply(patch))?;
            if renamed {
                if let Ok(store) = desk.lock().store.as_mut() {
                    store.set_audit_name(settings.audit_name());
                }
            }
            Ok(settings)
        })
        .await
    }

    fn staged(&self) -> MutexGuard<'_, Option<StagedViewState>> {
        self.staged_view.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The UI state of `database` as it stands now, which the UI writes
    /// after a pause (`settings_update`); replaces what was staged before.
    pub fn stage_view_state(&self, staged: StagedViewState) {
        let database = staged.database.clone();
        let previous = self.staged().replace(staged);
        // Another database's state (the UI switched files in the pause):
        // written now rather than lost.
        if let Some(previous) = previous.filter(|p| p.database != database) {
            write_view_state(previous);
        }
    }

    /// Writes the staged UI state, if the UI has not: the window is going
    /// (called when it is destroyed), so a change made just before closing
    /// it is there at the next launch.
    pub fn write_staged_view_state(&self) {
        if let Some(staged) = self.staged().take() {
            write_view_state(staged);
        }
    }

    /// Puts the database open now first in "Open recent" (the window calls
    /// this once at start: the startup database counts as opened).
    pub fn remember_open_database(&self) {
        let open = self.lock();
        if open.store().is_ok() {
            let path = open.path.clone();
            drop(open);
            remember_database(&path);
        }
    }
}

/// After an export to `path` (a file or a folder it created): its folder is
/// where the next export dialog starts. Like the recent databases, a
/// failure to write the settings costs only that.
pub(crate) fn remember_export_folder(path: &std::path::Path) {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let Some(folder) = path.parent() else { return };
    let folder = folder.display().to_string();
    if let Err(e) = eac_app::update_settings(|s| s.last_export_folder = Some(folder)) {
        eprintln!("EAC Desk could not remember the export folder: {e}");
    }
}

/// Records `path` among the recent databases. Settings that cannot be
/// written cost only the list, never the open: the error goes to stderr.
fn remember_database(path: &std::path::Path) {
    // A server database is remembered by its address, never its password.
    let path = if eac_app::is_server(path) {
        PathBuf::from(shown(path))
    } else {
        std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
    };
    if let Err(e) = eac_app::update_settings(|s| s.remember_database(&path)) {
        eprintln!(
            "EAC Desk could not remember {} as a recent database: {e}",
            path.display()
        );
    }
}

/// Runs `f` on Tokio's blocking pool: SQLite and file work never run on the
/// UI thread or stall the async executor.
pub(crate) async fn off_ui_thread<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(internal)?
}

/// Writes one database's UI state into the settings file. A failure only
/// loses that state (as the UI's own write would): the window is closing.
fn write_view_state(staged: StagedViewState) {
    let patch = SettingsPatch {
        database: Some(staged.database),
        database_state: Some(staged.state),
        ..SettingsPatch::default()
    };
    let _ = eac_app::update_settings(|s| s.apply(patch));
}
