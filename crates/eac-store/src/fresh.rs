//! A database made by one command (`eacdesk import` into a file that does
//! not exist yet): built hidden beside its destination and renamed into
//! place only when the command succeeds, as exports are (decision 212).
//!
//! No one else knows the hidden file, so it is written the cheapest safe
//! way: a rollback journal (pages a transaction appends are written once,
//! not into a write-ahead log and again by its checkpoint) and no sync until
//! it is complete. [`NewDatabase::finish`] then switches it to write-ahead
//! logging like every EAC Desk database, syncs it, renames it to its
//! destination without replacing anything that appeared there meanwhile,
//! and syncs the folder. A refused import, an error or a crash before that
//! leaves nothing at the destination: the hidden file is removed when the
//! [`NewDatabase`] is dropped, and one a killed process left behind (no
//! longer locked) when the next database is made or opened in that folder.
//! When two commands start on the same new file at once, the second to
//! finish finds the first one's database there, leaves it alone, and does
//! its work again in it.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use rusqlite::Connection;

use crate::atomic::{
    builder, database_files, folder_of, io_err, is_random, lock_new, rename_no_replace, sync_dir,
    try_lock,
};
use crate::{Access, Result, Store, StoreError};

/// Hidden name of a database being built: `.eacdesk-new-XXXXXX.sqlite`.
const PREFIX: &str = ".eacdesk-new-";
/// Hidden name of a fresh load's search index being built beside the store
/// (`crate::bulk`): `.eacdesk-search-XXXXXX.sqlite`.
pub(crate) const SEARCH_PREFIX: &str = ".eacdesk-search-";
/// Hidden name of a file copy being made beside its destination
/// (`crate::server_copy::copy_file`): `.eacdesk-copy-XXXXXX.sqlite`.
pub(crate) const COPY_PREFIX: &str = ".eacdesk-copy-";
/// Every hidden database of ours, by name: what [`remove_abandoned`] cleans.
const PREFIXES: [&str; 3] = [PREFIX, SEARCH_PREFIX, COPY_PREFIX];
const SUFFIX: &str = ".sqlite";

/// The lock file of a hidden database: its name and `.lock`.
const LOCK_SUFFIX: &str = ".sqlite.lock";

/// The lock file of hidden database `db`.
fn lock_of(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// The held lock of a hidden database: a file of its own beside it, locked
/// (advisory on Unix) while the database is built, removed when dropped
/// (after its owner has removed or renamed the database). A file of its
/// own, not a lock on the database: Windows' locks are mandatory, and one
/// on the database would keep SQLite's own connection from reading it.
pub(crate) struct HiddenLock {
    file: Option<File>,
    path: PathBuf,
}

impl Drop for HiddenLock {
    fn drop(&mut self) {
        drop(self.file.take());
        let _ = fs::remove_file(&self.path);
    }
}

/// Creates an empty hidden database file `PREFIXxxxxxx.sqlite` in `folder`
/// with its lock held (see [`HiddenLock`]), so that [`remove_abandoned`] in
/// another process leaves it alone; mode 0644 less the umask, as SQLite
/// would create it. The lock file comes first: a hidden database found
/// without one was left by a process that died. Errors name `about`.
pub(crate) fn hidden_database(
    folder: &Path,
    prefix: &str,
    about: &Path,
) -> Result<(HiddenLock, PathBuf)> {
    // Each try loses only when a clean-up runs in the instant between
    // making the file and locking it; a clean-up runs once per command, but
    // the test below runs two without pause beside three makers, and on a
    // busy machine eight tries in a row were once all lost there.
    let lock = (0..64)
        .find_map(|_| {
            let made = builder(prefix, LOCK_SUFFIX, 0o644)
                .tempfile_in(folder)
                .and_then(|t| t.keep().map_err(|e| e.error));
            let (file, path) = match made {
                Ok(made) => made,
                Err(e) => return Some(Err(e)),
            };
            // Another process's clean-up may take it for abandoned in the
            // instant before it is locked: then it is theirs to remove.
            match lock_new(&file, &path) {
                Ok(true) => Some(Ok(HiddenLock {
                    file: Some(file),
                    path,
                })),
                Ok(false) => None,
                Err(e) => Some(Err(e)),
            }
        })
        .unwrap_or_else(|| {
            Err(io::Error::other(
                "another program keeps removing the temporary file",
            ))
        })
        .map_err(io_err(about))?;
    let db = lock
        .path
        .to_str()
        .and_then(|p| p.strip_suffix(".lock"))
        .map(PathBuf::from)
        .expect("the lock file's name ends in .lock");
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o644);
    }
    options.open(&db).map_err(io_err(about))?;
    Ok((lock, db))
}

/// A database being built at a hidden path beside its destination; see the
/// module documentation.
pub struct NewDatabase {
    store: Option<Store>,
    dest: PathBuf,
    temp: PathBuf,
    /// Held while the hidden file is built, so that another process
    /// cleaning the folder leaves it alone; dropped (its file removed) after
    /// the database is renamed or removed.
    _lock: HiddenLock,
    /// Renamed to its destination: nothing to remove.
    renamed: bool,
    /// The destination is an empty file ([`NewDatabase::create_or_fill`]):
    /// [`NewDatabase::finish`] fills it instead of renaming onto it.
    fill: bool,
    /// Ends before the last sync.
    writeback: Option<Writeback>,
}

/// Hands a new database's pages to the disk while it is built: a thread
/// syncs the file every [`WRITEBACK_EVERY`], so that the sync before the
/// rename, which the command waits for, finds little left to write. A
/// fresh load writes hundreds of megabytes without a sync (decision 212),
/// and at its end the disk used to take a further 4 % of the import's
/// time at 100k EACs (decision 231). Its errors are left to that last
/// sync, which reports them.
struct Writeback {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
}

/// How often the pages written meanwhile go to the disk.
const WRITEBACK_EVERY: Duration = Duration::from_millis(500);

impl Writeback {
    /// None when the file cannot be opened or the thread not started: the
    /// last sync then writes everything, as it would anyway.
    fn start(path: &Path) -> Option<Writeback> {
        // Write access: Windows flushes only a file opened for writing.
        let file = fs::OpenOptions::new().write(true).open(path).ok()?;
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = thread::Builder::new()
            .name("new database writeback".into())
            .spawn(move || {
                while let Err(mpsc::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(WRITEBACK_EVERY)
                {
                    let _ = file.sync_data();
                }
            })
            .ok()?;
        Some(Writeback {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Writeback {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl NewDatabase {
    /// Starts a new database for `dest`, which must not exist (an
    /// [`io::ErrorKind::AlreadyExists`] error names it when it does). The
    /// folder is created when missing.
    pub fn create(dest: &Path) -> Result<NewDatabase> {
        NewDatabase::start(dest, false)
    }

    /// As [`NewDatabase::create`], and `dest` may also be an empty file
    /// ([`crate::atomic::is_empty_database_file`]: 0 bytes, no database
    /// yet), as a missing one is (decision 55): the database is built
    /// hidden all the same, and [`NewDatabase::finish`] copies it into
    /// that file, which keeps its name, links and permissions; a failed
    /// command or a dry run leaves it empty. For commands that may start a
    /// database (an import into the file a `> db.sqlite` made); a copy
    /// still never goes into an existing file.
    pub fn create_or_fill(dest: &Path) -> Result<NewDatabase> {
        NewDatabase::start(dest, true)
    }

    fn start(dest: &Path, may_fill: bool) -> Result<NewDatabase> {
        let fill = may_fill && crate::atomic::is_empty_database_file(dest);
        if dest.exists() && !fill {
            return Err(StoreError::Io {
                path: dest.to_owned(),
                source: io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    "it already exists and was left alone: a new database goes into a new file, never over one. Choose a new file name",
                ),
            });
        }
        crate::atomic::refuse_inside_output(dest)?;
        let folder = folder_of(dest);
        fs::create_dir_all(folder).map_err(io_err(dest))?;
        remove_abandoned(folder);
        let (file, temp) = hidden_database(folder, PREFIX, dest)?;
        let writeback = Writeback::start(&temp);
        let mut new = NewDatabase {
            store: None,
            dest: dest.to_owned(),
            temp,
            _lock: file,
            renamed: false,
            fill,
            writeback,
        };
        // Named by the destination, as its writes are (a full disk).
        let mut store = Store::open_as(&new.temp, Access::New).map_err(|e| e.busy_at(dest))?;
        // The destination's name in messages and in exports' provenance.
        store.path = new.dest.clone();
        new.store = Some(store);
        Ok(new)
    }

    /// The store being built (its path is the destination's).
    pub fn store(&mut self) -> &mut Store {
        self.store.as_mut().expect("the store lives until finish")
    }

    /// The destination.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Makes the database durable and renames it to its destination:
    /// `Ok(true)`. `Ok(false)` when another process made a database there
    /// meanwhile (two commands starting on a new file at once): that file
    /// is left alone and the hidden one removed, so the caller can do its
    /// work again in the file that now exists.
    pub fn finish(mut self) -> Result<bool> {
        let store = self.store.take().expect("finish runs once");
        if self.fill {
            return self.fill_dest(store);
        }
        let mode: String =
            store
                .conn
                .pragma_update_and_check(None, "journal_mode", "wal", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Io {
                path: self.dest.clone(),
                source: io::Error::other(format!(
                    "the new database could not switch to write-ahead logging ({mode})"
                )),
            });
        }
        // Closing the connection checkpoints the (empty) log and removes it.
        store.conn.close().map_err(|(_, e)| e)?;
        drop(self.writeback.take());
        File::open(&self.temp)
            .and_then(|f| f.sync_all())
            .map_err(io_err(&self.dest))?;
        crate::atomic::crash_point("new-database-before-rename");
        match rename_no_replace(&self.temp, &self.dest) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(false),
            Err(e) => return Err(io_err(&self.dest)(e)),
        }
        self.renamed = true;
        sync_dir(folder_of(&self.dest)).map_err(io_err(&self.dest))?;
        Ok(true)
    }
}

impl NewDatabase {
    /// [`NewDatabase::finish`] into an empty destination file: SQLite's
    /// `VACUUM INTO` writes the database into it, and refuses once the
    /// file holds anything (another command made a database there
    /// meanwhile: `Ok(false)`, that file left alone). The file is then
    /// switched to write-ahead logging and synced. A crash while it is
    /// written leaves a damaged file where an empty one was (SQLite writes
    /// it without a journal); nothing that was there is lost.
    fn fill_dest(&mut self, store: Store) -> Result<bool> {
        let Some(name) = self.dest.to_str() else {
            return Err(StoreError::Io {
                path: self.dest.clone(),
                source: io::Error::other(
                    "it is an empty file whose name is not valid UTF-8, which SQLite cannot be \
                     given to fill; nothing was written to it. Remove the empty file (a new \
                     database is then made in its place) or name another file",
                ),
            });
        };
        match store.conn.execute("VACUUM INTO ?1", [name]) {
            Ok(_) => {}
            // SQLite's refusal of a file that holds something: another
            // command made a database there meanwhile.
            Err(e) if e.to_string().contains("output file already exists") => return Ok(false),
            Err(e) => {
                // Written in part (a full disk): empty again, as it was.
                let _ = fs::OpenOptions::new()
                    .write(true)
                    .open(&self.dest)
                    .and_then(|f| f.set_len(0));
                return Err(e.into());
            }
        }
        store.conn.close().map_err(|(_, e)| e)?;
        let filled = Connection::open(&self.dest)?;
        let mode: String =
            filled.pragma_update_and_check(None, "journal_mode", "wal", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Io {
                path: self.dest.clone(),
                source: io::Error::other(format!(
                    "the new database could not switch to write-ahead logging ({mode})"
                )),
            });
        }
        filled.close().map_err(|(_, e)| e)?;
        File::open(&self.dest)
            .and_then(|f| f.sync_all())
            .map_err(io_err(&self.dest))?;
        sync_dir(folder_of(&self.dest)).map_err(io_err(&self.dest))?;
        Ok(true)
    }
}

impl Drop for NewDatabase {
    fn drop(&mut self) {
        drop(self.writeback.take());
        // Close SQLite's connection before its files go.
        drop(self.store.take());
        if !self.renamed {
            remove_with_side_files(&self.temp);
        }
    }
}

/// Removes the database at `path` and SQLite's files beside it (the ones
/// that exist).
pub(crate) fn remove_with_side_files(path: &Path) {
    for file in database_files(path) {
        let _ = fs::remove_file(file);
    }
}

/// Removes hidden databases (with their side files) that a killed process
/// left in `folder`: ours by name, and their lock no longer held (or gone).
/// Best effort.
pub(crate) fn remove_abandoned(folder: &Path) {
    let Ok(entries) = fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(rest) = PREFIXES.iter().find_map(|prefix| name.strip_prefix(prefix)) else {
            continue;
        };
        let path = entry.path();
        if let Some(random) = rest.strip_suffix(LOCK_SUFFIX) {
            // A lock file whose database is gone (a process died between
            // removing one and the other), no longer held.
            let db = path.with_file_name(&name[..name.len() - ".lock".len()]);
            if is_random(random) && !db.exists() {
                // Removed while held: let go first, and its creator could
                // lock it in between and take it for its own.
                if let Some(_held) = try_lock(&path) {
                    let _ = fs::remove_file(&path);
                }
            }
            continue;
        }
        let Some(random) = rest.strip_suffix(SUFFIX) else {
            continue;
        };
        if !is_random(random) {
            continue;
        }
        let lock = lock_of(&path);
        // Without a lock file: a database of a process that died, or of an
        // older EAC Desk that locked the database itself.
        let target = if lock.exists() { &lock } else { &path };
        if let Some(_held) = try_lock(target) {
            remove_with_side_files(&path);
            let _ = fs::remove_file(&lock);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::atomic::tests::names;

    #[test]
    fn a_finished_database_appears_whole_in_write_ahead_logging() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("sub").join("desk.sqlite");
        let mut new = NewDatabase::create(&dest).unwrap();
        assert_eq!(new.store().path(), dest);
        assert!(!dest.exists());
        assert_eq!(
            names(&dir.path().join("sub")).len(),
            2,
            "the hidden file and its lock"
        );
        assert!(new.finish().unwrap());
        assert_eq!(names(&dir.path().join("sub")), ["desk.sqlite"]);
        assert_eq!(fs::read(&dest).unwrap()[18], 2, "write-ahead logging");
        let store = Store::open(&dest).unwrap();
        assert_eq!(store.info().unwrap().eac_count, 0);
    }

    #[test]
    fn a_dropped_database_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("desk.sqlite");
        let new = NewDatabase::create(&dest).unwrap();
        drop(new);
        assert_eq!(names(dir.path()), Vec::<String>::new());
    }

    #[test]
    fn a_file_that_appeared_meanwhile_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("desk.sqlite");
        let new = NewDatabase::create(&dest).unwrap();
        fs::write(&dest, "someone else's").unwrap();
        assert!(!new.finish().unwrap(), "not renamed");
        assert_eq!(fs::read_to_string(&dest).unwrap(), "someone else's");
        assert_eq!(names(dir.path()), ["desk.sqlite"]);
        // And an existing file is never the destination of a new one.
        let err = NewDatabase::create(&dest).err().unwrap();
        assert!(err.to_string().contains("already exists"), "{err}");
    }

    #[test]
    fn abandoned_hidden_databases_go_and_one_being_built_stays() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            // Without a lock file (or of an older version, locked itself).
            ".eacdesk-new-abc123.sqlite",
            ".eacdesk-new-abc123.sqlite-journal",
            // With its lock file, no longer held.
            ".eacdesk-search-xyz789.sqlite",
            ".eacdesk-search-xyz789.sqlite.lock",
            // A lock file whose database is gone.
            ".eacdesk-new-qqq111.sqlite.lock",
        ] {
            fs::write(dir.path().join(name), "left by a killed import").unwrap();
        }
        // Not ours by name: kept.
        fs::write(dir.path().join(".eacdesk-new-notes.txt"), "x").unwrap();
        let building = NewDatabase::create(&dir.path().join("a.sqlite")).unwrap();
        let hidden = names(dir.path());
        assert_eq!(hidden.len(), 3, "{hidden:?}");
        assert!(hidden.contains(&".eacdesk-new-notes.txt".to_owned()));
        // Opening another database in the folder leaves the one being built.
        let other = Store::open(&dir.path().join("b.sqlite")).unwrap();
        drop(other);
        assert!(building.finish().unwrap());
        let left: Vec<String> = names(dir.path())
            .into_iter()
            .filter(|n| !n.starts_with("b.sqlite"))
            .collect();
        assert_eq!(left, [".eacdesk-new-notes.txt", "a.sqlite"]);
    }

    #[test]
    fn hidden_databases_made_while_others_clean_the_folder_are_never_taken() {
        // Several commands starting at once in one folder (CI saw an import
        // lose its hidden database to another process's clean-up, which
        // took its lock file for abandoned in the instant before it was
        // locked). Threads stand in for the processes: these locks are
        // per open file, so they exclude each other within one process too.
        let dir = tempfile::tempdir().unwrap();
        let stop = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|scope| {
            for _ in 0..2 {
                scope.spawn(|| {
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        remove_abandoned(dir.path());
                    }
                });
            }
            let makers: Vec<_> = (0..3)
                .map(|_| {
                    scope.spawn(|| {
                        for _ in 0..300 {
                            let (lock, db) =
                                hidden_database(dir.path(), PREFIX, &dir.path().join("a")).unwrap();
                            std::thread::yield_now();
                            assert!(db.exists(), "the database was taken");
                            assert!(lock.path.exists(), "the lock file was taken");
                            fs::remove_file(&db).unwrap();
                            drop(lock);
                        }
                    })
                })
                .collect();
            for maker in makers {
                let joined = maker.join();
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
                joined.unwrap();
            }
        });
        assert_eq!(names(dir.path()), Vec::<String>::new());
    }
}
