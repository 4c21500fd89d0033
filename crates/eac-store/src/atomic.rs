//! Writing a file or a folder so that its destination holds the old or the
//! new content at every instant, and nothing EAC Desk does not own is lost.
//!
//! - A file is written to a hidden temporary file beside its destination
//!   (created with the user's umask, locked while it is written), synced,
//!   given the mode of the file it replaces, renamed over the destination,
//!   and the folder is synced ([`AtomicFile`]).
//! - A folder (a P2 bundle) is built hidden beside its destination and
//!   swapped in with one atomic exchange where the system has one (Linux
//!   `renameat2(RENAME_EXCHANGE)`), else with two renames whose half-way
//!   state the next export to that folder repairs ([`recover_folder`];
//!   [`AtomicDir`]). The folder it replaced is removed at once, or
//!   ([`AtomicDir::swap`]) when the caller has settled what the swap
//!   stands for ([`Swapped::finish`]: an evidence pack, once the database
//!   recorded it).
//! - A new database ([`crate::fresh`]) is renamed to its destination
//!   without replacing anything there ([`rename_no_replace`]).
//! - Every such file is hashed while it is written ([`Hashing`]; an
//!   import is hashed while it is read, by [`HashedRead`]).
//! - Every export first repairs and cleans its folder: an earlier bundle
//!   moved aside by an export that was killed is put back, and hidden
//!   temporary files and folders of EAC Desk's own naming that no running
//!   export holds (advisory lock) are removed — but for a whole evidence
//!   pack in one, which may be the pack the database records, swapped out
//!   by a pack that was stopped before it was recorded: it is left to the
//!   pack code, which knows the database ([`left_packs`]).
//! - No export may name the open database, its `-wal`/`-shm`/`-journal`
//!   files or a folder holding them ([`refuse_database`]).

use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread;

use sha2::{Digest, Sha256};

use crate::{Result, StoreError};

/// Hidden temporary files of exports and sample files (`.tmp`; `.json` and
/// `.eacdesk-sample-` were written by earlier versions).
const FILE_PREFIXES: [&str; 2] = [".eacdesk-export-", ".eacdesk-sample-"];
const FILE_SUFFIXES: [&str; 2] = [".tmp", ".json"];
/// Hidden folders in which bundles are built (`-old`: an earlier version's
/// name for a bundle moved aside).
pub(crate) const BUNDLE_TEMP_PREFIX: &str = ".eacdesk-bundle-";
/// An earlier bundle moved aside while a new one is renamed in (systems
/// without an atomic exchange): `.eacdesk-aside-<destination name>`.
pub(crate) const ASIDE_PREFIX: &str = ".eacdesk-aside-";
/// Random characters in a temporary name (tempfile's default).
const RANDOM_LEN: usize = 6;

/// An I/O error that names `path` (the destination, never a hidden file);
/// a disk with no room for more files said as such ([`no_room`]).
pub(crate) fn io_err(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_owned(),
        source: no_room(path, source),
    }
}

/// What a disk with space left that refused a new file is said to lack:
/// the one wording of it, for every output ([`no_room_words`]).
pub const NO_ROOM_FOR_FILES: &str = "the disk cannot hold more files: it has space left, but has reached the number of files it can hold (or a folder the number of entries it can hold)";

/// The full disk (`ENOSPC`) of a write near `path`, said for what it is:
/// a disk that has space left but no room for another file (no free
/// inodes; on disks that count none, such as FAT, a folder's entry limit)
/// becomes [`NO_ROOM_FOR_FILES`], still `StorageFull`. Looked at when the
/// write fails, before anything written is removed (which frees both).
/// Any other error is returned as it is.
pub fn no_room(path: &Path, e: io::Error) -> io::Error {
    if e.kind() != io::ErrorKind::StorageFull || no_room_words(&e).is_some() {
        return e;
    }
    #[cfg(unix)]
    {
        let folder = path
            .ancestors()
            .find(|p| p.is_dir())
            .unwrap_or(Path::new("."));
        let Ok(disk) = rustix::fs::statvfs(folder) else {
            return e;
        };
        let space = disk.f_bavail.saturating_mul(disk.f_frsize);
        let files_out = if disk.f_files > 0 {
            disk.f_bavail > 0 && (disk.f_ffree == 0 || disk.f_favail == 0)
        } else {
            // No file count kept: a folder's limit, if a megabyte is free.
            space >= 1 << 20
        };
        if files_out {
            return no_room_for_files();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    e
}

/// The error of a disk with space left and no room for more files
/// ([`no_room`]).
pub fn no_room_for_files() -> io::Error {
    io::Error::new(io::ErrorKind::StorageFull, NoRoomForFiles)
}

/// [`NO_ROOM_FOR_FILES`] as an error's cause.
#[derive(Debug)]
struct NoRoomForFiles;

impl std::fmt::Display for NoRoomForFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(NO_ROOM_FOR_FILES)
    }
}

impl std::error::Error for NoRoomForFiles {}

/// Why a full disk `e` refused a write and what to do, in plain words:
/// `Some((NO_ROOM_FOR_FILES, cure))` for a disk with space left and no
/// room for more files ([`no_room`]), `None` for anything else (a full
/// disk is then "the disk is full").
pub fn no_room_words(e: &io::Error) -> Option<(&'static str, &'static str)> {
    e.get_ref()
        .is_some_and(|inner| inner.is::<NoRoomForFiles>())
        .then_some((
            NO_ROOM_FOR_FILES,
            "remove files you no longer need from that disk, or choose another disk",
        ))
}

/// Creating the hidden temporary beside `dest` in `folder` (which exists:
/// it was just cleaned) failed: said as that folder not taking new files,
/// naming the folder and the destination, never the temporary's own name
/// (tempfile adds it to its errors). A full disk stays a full disk.
pub(crate) fn cannot_create_in<'a>(
    dest: &'a Path,
    folder: &'a Path,
) -> impl FnOnce(io::Error) -> StoreError + 'a {
    move |e| {
        let e = no_room(folder, e);
        let source = match e.kind() {
            // Said of the folder: new files cannot be made there (a
            // system folder such as /proc says "not found" of a new file
            // in a folder that is there).
            kind @ (io::ErrorKind::PermissionDenied
            | io::ErrorKind::ReadOnlyFilesystem
            | io::ErrorKind::NotFound)
                if kind != io::ErrorKind::NotFound || folder.is_dir() =>
            {
                io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    format!(
                    "new files cannot be made in the folder {} (its permissions do not allow it, \
                     or it is a system folder); nothing was written. Choose a folder of your own",
                    folder.display()
                ),
                )
            }
            // Anything else (a full disk, the folder gone meanwhile, too
            // many open files) as itself, of the destination.
            kind if no_room_words(&e).is_none() => io::Error::new(kind, e.to_string()),
            _ => e,
        };
        StoreError::Io {
            path: dest.to_owned(),
            source,
        }
    }
}

/// The folder a destination lives in (`.` for a bare name).
pub fn folder_of(dest: &Path) -> &Path {
    match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Makes renames in `dir` durable (POSIX); other systems have no folder
/// handle to sync.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Takes the advisory lock of `path` (a file, or on Unix a folder) without
/// waiting: `Some` holds it until dropped, `None` means a running export
/// holds it (or, for a folder elsewhere than Unix, it cannot be locked),
/// or it is neither a regular file nor a folder. Opened once, without
/// waiting on a named pipe nor following a link
/// ([`crate::regular::open_nonblocking`]), and judged by the open file:
/// a pipe put in the place of what the caller looked at is not waited on.
pub(crate) fn try_lock(path: &Path) -> Option<File> {
    let file = crate::regular::open_nonblocking(path, true).ok()?;
    let kind = file.metadata().ok()?.file_type();
    if !kind.is_file() && !kind.is_dir() {
        return None;
    }
    file.try_lock().ok()?;
    Some(file)
}

/// Locks `file`, just created as `path`, for its creator: `Ok(true)` when
/// it is locked and still the file named `path`. `Ok(false)` when a
/// concurrent clean-up got to it between its creation and this lock (it
/// holds the lock to remove it, or has removed it): the caller makes
/// another file. Both happen when several processes make hidden files in
/// one folder at once, each cleaning what it takes for abandoned.
pub(crate) fn lock_new(file: &File, path: &Path) -> io::Result<bool> {
    match file.try_lock() {
        Ok(()) => still_named(file, path),
        Err(fs::TryLockError::WouldBlock) => Ok(false),
        Err(fs::TryLockError::Error(e)) => Err(e),
    }
}

/// Whether the open `file` is still the one named `path` (a concurrent
/// clean-up may have removed it between its creation and its lock).
fn still_named(file: &File, path: &Path) -> io::Result<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let open = file.metadata()?;
        Ok(
            fs::symlink_metadata(path)
                .is_ok_and(|m| m.dev() == open.dev() && m.ino() == open.ino()),
        )
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        Ok(path.exists())
    }
}

/// A builder of hidden temporary names created with the user's umask
/// (`mode` before the umask; tempfile's own default is owner-only).
pub(crate) fn builder<'a>(
    prefix: &'a str,
    suffix: &'static str,
    mode: u32,
) -> tempfile::Builder<'a, 'static> {
    let mut b = tempfile::Builder::new();
    b.prefix(prefix).suffix(suffix).rand_bytes(RANDOM_LEN);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    b
}

/// Stops the process at a named point when a test asks for it with
/// `EACDESK_CRASH_AT=<name>` (feature `crash-points`, never in a release).
pub(crate) fn crash_point(name: &str) {
    #[cfg(feature = "crash-points")]
    if std::env::var("EACDESK_CRASH_AT").is_ok_and(|v| v == name) {
        std::process::abort();
    }
    #[cfg(not(feature = "crash-points"))]
    let _ = name;
}

/// Writes through to `inner`, hashing every byte with SHA-256: the one
/// place a written file's hash is taken ([`HashedRead`] for a file read).
pub struct Hashing<T> {
    inner: T,
    hasher: Sha256,
}

impl<T> Hashing<T> {
    pub fn new(inner: T) -> Self {
        Hashing {
            inner,
            hasher: Sha256::new(),
        }
    }

    /// The SHA-256 (lowercase hex) of the bytes passed so far.
    pub fn sha256(&self) -> String {
        hex::encode(self.hasher.clone().finalize())
    }

    /// The inner writer and the SHA-256 of what passed.
    pub fn into_parts(self) -> (T, String) {
        let sha256 = self.sha256();
        (self.inner, sha256)
    }
}

/// Reads through to `inner`, counting the bytes (for progress read from
/// another thread) and hashing them with SHA-256 on a thread of its own:
/// the thread that reads also parses, and the hash was 8 % of its time
/// (issue 16). Each chunk read is copied and handed over; the hashing
/// thread hands the copies back to be filled again, so at most
/// `CHUNKS_AHEAD` + 2 chunks are held.
pub struct HashedRead<'c, T> {
    inner: T,
    counter: &'c AtomicU64,
    chunks: Option<mpsc::SyncSender<Vec<u8>>>,
    spent: mpsc::Receiver<Vec<u8>>,
    hasher: Option<thread::JoinHandle<String>>,
}

/// Chunks read that may wait for the hashing thread.
const CHUNKS_AHEAD: usize = 2;

impl<'c, T> HashedRead<'c, T> {
    pub fn new(inner: T, counter: &'c AtomicU64) -> io::Result<Self> {
        let (chunks, received) = mpsc::sync_channel::<Vec<u8>>(CHUNKS_AHEAD);
        let (give_back, spent) = mpsc::channel();
        let hasher = thread::Builder::new()
            .name("file hash".into())
            .spawn(move || {
                let mut hasher = Sha256::new();
                for chunk in received {
                    hasher.update(&chunk);
                    // Fails once the reader is gone: the chunk is dropped.
                    let _ = give_back.send(chunk);
                }
                hex::encode(hasher.finalize())
            })?;
        Ok(HashedRead {
            inner,
            counter,
            chunks: Some(chunks),
            spent,
            hasher: Some(hasher),
        })
    }

    /// The SHA-256 (lowercase hex) of every byte read.
    pub fn sha256(mut self) -> io::Result<String> {
        drop(self.chunks.take());
        let hasher = self.hasher.take().expect("joined only here and on drop");
        hasher
            .join()
            .map_err(|_| io::Error::other("the thread hashing the file failed"))
    }
}

impl<T: Read> Read for HashedRead<'_, T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 {
            return Ok(0);
        }
        let mut chunk = self.spent.try_recv().unwrap_or_default();
        chunk.clear();
        chunk.extend_from_slice(&buf[..n]);
        let sent = self.chunks.as_ref().map(|chunks| chunks.send(chunk));
        if !matches!(sent, Some(Ok(()))) {
            return Err(io::Error::other("the thread hashing the file stopped"));
        }
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl<T> Drop for HashedRead<'_, T> {
    fn drop(&mut self) {
        // The hashing thread ends when its chunks stop coming.
        drop(self.chunks.take());
        if let Some(hasher) = self.hasher.take() {
            let _ = hasher.join();
        }
    }
}

impl<T: Write> Write for Hashing<T> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Buffer of every durable file written.
const BUFFER: usize = 1 << 16;

/// `error`, with the failure to remove the temporary file or folder `temp`
/// added when the clean-up failed too: every error is reported.
fn and_cleanup(error: StoreError, cleanup: io::Result<()>, temp: &Path) -> StoreError {
    let Err(failed) = cleanup else {
        return error;
    };
    let left = format!(
        "the temporary {} could not be removed ({failed}); remove it by hand",
        temp.display()
    );
    match error {
        StoreError::Io { path, source } => StoreError::Io {
            path,
            source: io::Error::new(source.kind(), format!("{source}; {left}")),
        },
        other => StoreError::Io {
            path: temp.to_owned(),
            source: io::Error::other(format!("{other}; {left}")),
        },
    }
}

/// Refuses a file destination that exists and is not a regular file: a
/// symbolic link (the rename would replace the link itself with a file),
/// a folder, a named pipe, a device or a socket (the rename would put a
/// regular file where the pipe or device node was: `--out /dev/stdout` as
/// root replaced the system's link). Looked at without following a link.
/// A regular file that is a SQLite database (or its write-ahead log) is
/// refused too: `export --out other.db` replaced another database with
/// JSON; so is a read-only one ([`is_write_protected`]), which `cp` or a
/// shell's `>` would not replace either. `invalid_input` naming `dest`;
/// nothing was written. A destination that cannot be looked at (missing,
/// no permission) is left to the write, which names it.
pub fn refuse_unwritable_file(dest: &Path) -> Result<()> {
    let Ok(meta) = fs::symlink_metadata(dest) else {
        return Ok(());
    };
    let kind = meta.file_type();
    if kind.is_file() {
        refuse_sqlite_file(dest)?;
        return refuse_write_protected(dest, &meta);
    }
    let (what, then) = if kind.is_symlink() {
        (
            "a symbolic link",
            "EAC Desk never writes through a link nor replaces one. Name the file itself, or choose another file name",
        )
    } else if kind.is_dir() {
        ("a folder", "Name a file in it, or choose another file name")
    } else {
        (special_kind(&kind), "Choose a file name instead")
    };
    Err(StoreError::InvalidInput(format!(
        "{} is {what}, not a file; nothing was written and it is untouched. {then}.",
        dest.display()
    )))
}

/// The first bytes of every SQLite database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";
/// The first four bytes of a SQLite write-ahead log (`-wal`), either byte order.
const WAL_MAGIC: [[u8; 4]; 2] = [[0x37, 0x7f, 0x06, 0x82], [0x37, 0x7f, 0x06, 0x83]];
/// The first eight bytes of a SQLite rollback journal (`-journal`): a hot
/// one holds what a write cut short must roll back.
const JOURNAL_MAGIC: [u8; 8] = [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7];

/// Whether the regular file at `path` is a SQLite database, a SQLite
/// write-ahead log or rollback journal, by its first bytes (a file that
/// cannot be read is not taken for one: the write that follows names it).
/// Opened once as a regular file ([`crate::regular::open_regular`]: no
/// link followed, a named pipe or device put there not waited on nor read).
pub fn is_sqlite_file(path: &Path) -> bool {
    let mut head = [0u8; 16];
    let Ok(crate::regular::Regular::File(file)) = crate::regular::open_regular(path) else {
        return false;
    };
    let mut read = 0;
    let mut file = file.take(16);
    while read < head.len() {
        match file.read(&mut head[read..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => read += n,
        }
    }
    (read == 16 && &head == SQLITE_HEADER)
        || (read >= 4 && WAL_MAGIC.iter().any(|m| head[..4] == m[..]))
        || (read >= 8 && head[..8] == JOURNAL_MAGIC)
}

/// Refuses a destination that is an existing SQLite database (any EAC
/// Desk database, open or not, or another program's) or its write-ahead
/// log: no output replaces one, whatever its name. `invalid_input` naming
/// `dest`; nothing was written.
fn refuse_sqlite_file(dest: &Path) -> Result<()> {
    if !is_sqlite_file(dest) {
        return Ok(());
    }
    Err(StoreError::InvalidInput(format!(
        "{} is a SQLite database (an EAC Desk database or another program's); EAC Desk never writes an export, report or sample over a database. Nothing was written and it is untouched. Choose another file name.",
        dest.display()
    )))
}

/// Whether the existing regular file `path` (`meta`, its own metadata) is
/// write-protected: its permission bits give no one the right to write it,
/// or not its owner when that is this process's user, or the system says
/// this process may not write it. Said by the bits themselves, so a file
/// made read-only (`chmod a-w`, `chmod 444`) counts as such for root too,
/// whom the system lets write anything. Elsewhere than Unix: its read-only
/// attribute.
pub fn is_write_protected(path: &Path, meta: &fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let mode = meta.mode();
        if mode & 0o222 == 0 {
            return true;
        }
        if meta.uid() == rustix::process::geteuid().as_raw() {
            return mode & 0o200 == 0;
        }
        !writable(path)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        meta.permissions().readonly()
    }
}

/// Refuses to replace the read-only regular file `dest`
/// ([`is_write_protected`]): someone protected it, perhaps the copy
/// already handed out. `invalid_input` naming it and what to do.
fn refuse_write_protected(dest: &Path, meta: &fs::Metadata) -> Result<()> {
    if !is_write_protected(dest, meta) {
        return Ok(());
    }
    let how = if cfg!(unix) {
        format!(" (`chmod u+w {}`)", dest.display())
    } else {
        String::new()
    };
    Err(StoreError::InvalidInput(format!(
        "{} is read-only (write-protected): EAC Desk does not replace a file protected so; nothing was written and it is untouched. Make it writable{how} if it is to be replaced, or choose another file name.",
        dest.display()
    )))
}

/// Whether this process may write the existing database file `database`
/// and its folder (where SQLite makes its `-wal`, `-shm` and `-journal`
/// files): `false` for a file or folder without write permission, or on
/// read-only media. Asked of the system (`access`), so nothing is made or
/// opened for writing; and of the file's own permission bits
/// ([`is_write_protected`]), so that a database made read-only on purpose
/// (`chmod 444`: a closed year kept as it is) is read-only for root too,
/// whom `access` lets write anything, as an output file protected so is
/// (decision 261, as amended).
pub fn database_writable(database: &Path) -> bool {
    let protected = fs::metadata(database).is_ok_and(|m| is_write_protected(database, &m));
    !protected && writable(database) && writable(folder_of(database))
}

/// Whether the database path `database` names an empty file: a regular
/// file of 0 bytes (a `> db.sqlite` mistake, a copy cut short) with no
/// write-ahead log beside it that holds anything. SQLite would make a
/// database in it on the first write, so it is no database yet, and
/// opening it to read must not make one (decision 55): it reads as a
/// missing file does.
pub fn is_empty_database_file(database: &Path) -> bool {
    let empty = |path: &Path| fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == 0);
    let wal = side_file(database, "-wal");
    empty(database) && (!wal.exists() || empty(&wal))
}

#[cfg(unix)]
fn writable(path: &Path) -> bool {
    rustix::fs::access(path, rustix::fs::Access::WRITE_OK).is_ok()
}

/// Elsewhere (Windows) only the read-only attribute is known here; a
/// refused write is then said as SQLite's read-only error (decision 261).
#[cfg(not(unix))]
fn writable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| !m.permissions().readonly())
}

/// The signed manifest of an evidence pack and its signature (written by
/// the app's pack module, which names them the same): a folder holding
/// both as files is taken for a pack. Recognised by name only, so that no
/// output can break a pack whose manifest is damaged either.
pub const PACK_MANIFEST: &str = "MANIFEST.json";
pub const PACK_SIGNATURE: &str = "MANIFEST.sig";

/// Whether `dir` holds an evidence pack's manifest and signature.
fn is_pack_folder(dir: &Path) -> bool {
    let file = |name| fs::symlink_metadata(dir.join(name)).is_ok_and(|m| m.is_file());
    file(PACK_MANIFEST) && file(PACK_SIGNATURE)
}

/// The evidence pack that `dest` would be written inside: the nearest
/// folder holding it (resolved: links, `..`; the nearest that exists when
/// its folder does not yet), or one above, that holds a pack's manifest
/// and signature. `dest` itself does not count: a pack may replace a pack.
pub fn enclosing_pack(dest: &Path) -> Option<PathBuf> {
    enclosing(dest, is_pack_folder)
}

/// The P2 bundle EAC Desk wrote that `dest` would be written inside
/// ([`crate::p2::is_bundle_folder`]), found as [`enclosing_pack`] finds a
/// pack. `dest` itself does not count: a bundle may replace a bundle.
pub fn enclosing_bundle(dest: &Path) -> Option<PathBuf> {
    enclosing(dest, crate::p2::is_bundle_folder)
}

/// The nearest folder holding `dest` (resolved), or one above, that `is`
/// says is one.
fn enclosing(dest: &Path, is: impl Fn(&Path) -> bool) -> Option<PathBuf> {
    let folder = folder_of(dest);
    let existing = folder
        .ancestors()
        .filter(|a| !a.as_os_str().is_empty())
        .find_map(|a| a.canonicalize().ok())
        .or_else(|| Path::new(".").canonicalize().ok())?;
    existing.ancestors().find(|a| is(a)).map(Path::to_owned)
}

/// Refuses a destination inside an evidence pack ([`enclosing_pack`]):
/// any file added or changed there breaks the pack's signed manifest.
/// `invalid_input` naming `dest` and the pack; nothing was written.
pub fn refuse_inside_pack(dest: &Path) -> Result<()> {
    match enclosing_pack(dest) {
        None => Ok(()),
        Some(pack) => Err(StoreError::InvalidInput(format!(
            "{} is inside the evidence pack {}; writing there would break that signed pack (its manifest lists every file in it, and `pack verify` would fail). Nothing was written. Choose another folder.",
            dest.display(),
            pack.display()
        ))),
    }
}

/// Refuses a destination inside a P2 bundle EAC Desk wrote
/// ([`enclosing_bundle`]): a file replaced there no longer agrees with the
/// rest of the bundle, and a file added keeps the next export from
/// replacing it (its marker lists every file it holds). `invalid_input`
/// naming `dest` and the bundle, in the words of [`refuse_inside_pack`];
/// nothing was written.
pub fn refuse_inside_bundle(dest: &Path) -> Result<()> {
    match enclosing_bundle(dest) {
        None => Ok(()),
        Some(bundle) => Err(StoreError::InvalidInput(format!(
            "{} is inside the P2 bundle {} that EAC Desk exported; writing there would break that bundle (its {} file lists every file in it: a file replaced there no longer agrees with the rest, and `validate --profile p2` fails; a file added keeps the next export from replacing the bundle). Nothing was written. Choose another folder.",
            dest.display(),
            bundle.display(),
            crate::p2::BUNDLE_MARKER
        ))),
    }
}

/// Refuses a destination inside an evidence pack ([`refuse_inside_pack`])
/// or inside a P2 bundle EAC Desk wrote ([`refuse_inside_bundle`]).
pub fn refuse_inside_output(dest: &Path) -> Result<()> {
    refuse_inside_pack(dest)?;
    refuse_inside_bundle(dest)
}

/// Refuses a single file's destination that is not a regular file, or is
/// a read-only one ([`refuse_unwritable_file`]), or lies inside an
/// evidence pack or a P2 bundle ([`refuse_inside_output`]); nothing was
/// written. For callers that do long work before [`AtomicFile::beside`],
/// which checks the same.
pub fn refuse_file_destination(dest: &Path) -> Result<()> {
    refuse_unwritable_file(dest)?;
    refuse_inside_output(dest)
}

/// What a file that is neither a regular file, a folder nor a link is,
/// in plain words ("a device"): for outputs here and a `--db` in the CLI.
pub fn special_kind(kind: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    let _ = kind;
    "something other than a regular file"
}

/// A file written so that its destination holds the old or the new content
/// at every instant: a hidden temporary file beside the destination,
/// locked while it is written, buffered and hashed on the way; synced,
/// given the mode of the file it replaces and renamed over the destination
/// by [`AtomicFile::commit`], the folder synced. Dropped (and so removed)
/// on every early return.
pub struct AtomicFile {
    out: Hashing<BufWriter<tempfile::NamedTempFile>>,
    dest: PathBuf,
}

impl AtomicFile {
    /// Refuses a destination that is not a regular file, a read-only one,
    /// or one inside an evidence pack or a P2 bundle
    /// ([`refuse_file_destination`]), repairs and cleans the
    /// destination's folder ([`recover_folder`]), then creates
    /// `.eacdesk-export-XXXXXX.tmp` there (mode from the user's umask) and
    /// locks it. Errors name `dest`.
    pub fn beside(dest: &Path) -> Result<AtomicFile> {
        refuse_file_destination(dest)?;
        let folder = folder_of(dest);
        recover_folder(folder)?;
        for _ in 0..8 {
            let temp = builder(FILE_PREFIXES[0], FILE_SUFFIXES[0], 0o666)
                .tempfile_in(folder)
                .map_err(cannot_create_in(dest, folder))?;
            if lock_new(temp.as_file(), temp.path()).map_err(io_err(dest))? {
                return Ok(AtomicFile {
                    out: Hashing::new(BufWriter::with_capacity(BUFFER, temp)),
                    dest: dest.to_owned(),
                });
            }
        }
        Err(StoreError::Io {
            path: dest.to_owned(),
            source: io::Error::other("another program keeps removing the temporary file"),
        })
    }

    /// Where the temporary file is (for checks of the finished content,
    /// after [`AtomicFile::flush_hashed`]).
    pub fn path(&self) -> &Path {
        self.out.inner.get_ref().path()
    }

    /// Writes out what is buffered, so that [`AtomicFile::path`] holds every
    /// byte written so far, and returns their SHA-256.
    pub fn flush_hashed(&mut self) -> Result<String> {
        self.out.flush().map_err(io_err(&self.dest))?;
        Ok(self.out.sha256())
    }

    /// Writes out what is buffered, syncs the content, gives it the mode of
    /// the file it replaces, renames it over the destination and syncs the
    /// folder; returns the SHA-256 of the content. On an error before the
    /// rename the destination is untouched and the temporary file removed
    /// (a failure to remove it is reported too).
    pub fn commit(self) -> Result<String> {
        let finished = self.finish()?;
        let sha256 = finished.sha256.clone();
        finished.place()?;
        Ok(sha256)
    }

    /// [`AtomicFile::commit`] up to the rename: the content written out,
    /// synced and given the mode of the file it replaces, still hidden
    /// beside the destination until [`FinishedFile::place`] (an export: in
    /// the write that records it). On an error the temporary file is
    /// removed.
    pub fn finish(self) -> Result<FinishedFile> {
        let AtomicFile { out, dest } = self;
        let (buffered, sha256) = out.into_parts();
        let temp = match buffered.into_inner() {
            Ok(temp) => temp,
            Err(e) => {
                let (error, buffered) = e.into_parts();
                let (temp, _) = buffered.into_parts();
                return Err(discard(temp, io_err(&dest)(error)));
            }
        };
        let file = temp.as_file();
        let synced = file
            .sync_all()
            .and_then(|()| match fs::symlink_metadata(&dest) {
                Ok(existing) if existing.is_file() => file.set_permissions(existing.permissions()),
                _ => Ok(()),
            });
        if let Err(e) = synced {
            return Err(discard(temp, io_err(&dest)(e)));
        }
        Ok(FinishedFile { temp, dest, sha256 })
    }
}

/// A file [`AtomicFile::finish`] wrote out in full, hidden beside its
/// destination; removed when dropped without [`FinishedFile::place`].
pub struct FinishedFile {
    temp: tempfile::NamedTempFile,
    dest: PathBuf,
    sha256: String,
}

impl FinishedFile {
    /// The SHA-256 of the content.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Renames the file over its destination and syncs the folder. On an
    /// error before the rename the destination is untouched and the
    /// temporary file removed (a failure to remove it is reported too).
    pub fn place(self) -> Result<()> {
        let FinishedFile { temp, dest, .. } = self;
        crash_point("file-before-rename");
        // Looked at again: a link, pipe or folder may have been put there
        // while the file was written (a moment's race remains: no rename
        // replaces only a regular file).
        if let Err(e) = refuse_unwritable_file(&dest) {
            return Err(discard(temp, e));
        }
        if let Err(e) = temp.persist(&dest) {
            return Err(discard(e.file, io_err(&dest)(e.error)));
        }
        sync_dir(folder_of(&dest)).map_err(io_err(&dest))?;
        Ok(())
    }
}

/// Removes the temporary file after `error`, reporting both.
fn discard(temp: tempfile::NamedTempFile, error: StoreError) -> StoreError {
    let path = temp.path().to_owned();
    and_cleanup(error, temp.close(), &path)
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// A folder written so that its destination holds the earlier folder or
/// the new one at every instant: built hidden beside the destination
/// (`.eacdesk-bundle-XXXXXX`, locked while it is built on Unix, with the
/// user's umask), every file synced as it is finished and every folder
/// before the swap, then swapped in by [`AtomicDir::swap`]. Dropped (and
/// so removed) on every early return.
pub struct AtomicDir {
    temp: tempfile::TempDir,
    _lock: Option<File>,
    dest: PathBuf,
    folders: Vec<PathBuf>,
}

impl AtomicDir {
    /// Refuses a destination inside an evidence pack or a P2 bundle
    /// ([`refuse_inside_output`]), repairs and cleans the folder of `dest`
    /// ([`recover_folder`]), then creates the hidden folder there. Errors
    /// name `dest`.
    pub fn beside(dest: &Path) -> Result<AtomicDir> {
        refuse_inside_output(dest)?;
        let parent = folder_of(dest);
        recover_folder(parent)?;
        for _ in 0..8 {
            let dir = builder(BUNDLE_TEMP_PREFIX, "", 0o777)
                .tempdir_in(parent)
                .map_err(cannot_create_in(dest, parent))?;
            let lock = if cfg!(unix) {
                let file = File::open(dir.path()).map_err(io_err(dest))?;
                if !lock_new(&file, dir.path()).map_err(io_err(dest))? {
                    continue;
                }
                Some(file)
            } else {
                None
            };
            let root = dir.path().to_owned();
            return Ok(AtomicDir {
                temp: dir,
                _lock: lock,
                dest: dest.to_owned(),
                folders: vec![root],
            });
        }
        Err(StoreError::Io {
            path: dest.to_owned(),
            source: io::Error::other("another program keeps removing the temporary folder"),
        })
    }

    /// The hidden folder (for checks of the finished content).
    pub fn path(&self) -> &Path {
        self.temp.path()
    }

    /// Where `relative` will be once the folder is in place: what errors
    /// name, never the hidden folder.
    pub fn shown(&self, relative: &str) -> PathBuf {
        self.dest.join(relative)
    }

    /// Creates the folder `relative` inside.
    pub fn create_dir(&mut self, relative: &str) -> Result<()> {
        let path = self.temp.path().join(relative);
        fs::create_dir(&path).map_err(io_err(&self.shown(relative)))?;
        self.folders.push(path);
        Ok(())
    }

    /// Creates the file `relative` inside, buffered and hashed.
    pub fn create_file(&self, relative: &str) -> Result<DirFile> {
        let shown = self.shown(relative);
        let file = File::create(self.temp.path().join(relative)).map_err(io_err(&shown))?;
        Ok(DirFile {
            out: Hashing::new(BufWriter::with_capacity(BUFFER, file)),
            shown,
        })
    }

    /// Writes `value` to `relative` pretty (serde_json's layout) with a
    /// final newline, synced.
    pub fn write_json<T: serde::Serialize>(&self, relative: &str, value: &T) -> Result<String> {
        let mut out = self.create_file(relative)?;
        // `io::Error::from` keeps the kind of a write error (a full disk).
        serde_json::to_writer_pretty(&mut out, value)
            .map_err(io::Error::from)
            .and_then(|()| out.write_all(b"\n"))
            .map_err(io_err(&out.shown))?;
        out.finish()
    }

    /// Syncs every folder and puts the finished folder at its destination.
    /// `replace`: the destination exists and is to be replaced (it was
    /// judged replaceable); it is exchanged with the new folder in one step
    /// where the system can, else moved aside while the new one is renamed
    /// in (and put back if that fails: both errors are reported). The
    /// earlier folder is removed when the caller asks with
    /// [`Swapped::finish`], once what the swap stands for is settled (an
    /// evidence pack, an export: once the database recorded it). Until then the earlier folder stays, locked, in a
    /// hidden folder beside the destination ([`Swapped::earlier`]), and
    /// the new one stays locked at the destination; dropped without
    /// `finish` (or stopped), both are left as they are, unlocked, for
    /// whoever knows which of the two belongs there.
    pub fn swap(self, replace: bool) -> Result<Swapped> {
        let dest = self.dest.clone();
        for dir in self.folders.iter().rev() {
            if let Err(e) = sync_dir(dir) {
                return Err(self.abandon(io_err(&dest)(e)));
            }
        }
        crash_point("bundle-before-swap");
        let parent = folder_of(&dest);
        let root = self.temp.path().to_owned();
        if !replace {
            if let Err(e) = fs::rename(&root, &dest) {
                let error = match fs::symlink_metadata(&dest) {
                    // Judged missing, and made meanwhile: most likely by an
                    // export or pack run at the same time, which finished
                    // first (`Directory not empty` said nothing of that).
                    Ok(_) => made_meanwhile(&dest),
                    Err(_) => io_err(&dest)(e),
                };
                return Err(self.abandon(error));
            }
            // The folder now lives at `dest`: nothing is left to clean up.
            let AtomicDir { temp, _lock, .. } = self;
            let _ = temp.keep();
            sync_dir(parent).map_err(io_err(&dest))?;
            return Ok(Swapped {
                earlier: None,
                _locks: [_lock, None],
            });
        }
        // The new folder keeps the mode of the one it replaces.
        if let Ok(meta) = fs::metadata(&dest) {
            if let Err(e) = fs::set_permissions(&root, meta.permissions()) {
                return Err(self.abandon(io_err(&dest)(e)));
            }
        }
        // The earlier folder is locked from here on (the lock follows it),
        // so that no other command's repair takes it for abandoned while
        // this one is not finished.
        let held = try_lock(&dest);
        match exchange(&root, &dest) {
            Err(e) => return Err(self.abandon(io_err(&dest)(e))),
            Ok(true) => {
                // `root` now names the earlier folder.
                let AtomicDir { temp, _lock, .. } = self;
                let _ = temp.keep();
                sync_dir(parent).map_err(io_err(&dest))?;
                crash_point("bundle-after-swap");
                return Ok(Swapped {
                    earlier: Some(root),
                    _locks: [_lock, held],
                });
            }
            Ok(false) => {}
        }
        // No atomic exchange here: move the earlier folder aside, locked so
        // a concurrent export's repair leaves it alone, then the new one in.
        // The next export to this folder repairs a stop between the two.
        let aside = parent.join(format!(
            "{ASIDE_PREFIX}{}",
            dest.file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
        ));
        if fs::symlink_metadata(&aside).is_ok() {
            // What a stopped export or pack moved aside, which the repair
            // of the folder left (a running command holds it, a pack whose
            // database is elsewhere, or a system that locks no folders).
            let e = io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "{} holds the folder an earlier export or pack to {} moved aside and did not finish with; nothing was changed. If no other export or pack is running, look at it and rename it back to {} (if that is what belongs there) or remove it, then try again",
                    aside.display(),
                    dest.display(),
                    dest.display()
                ),
            );
            return Err(self.abandon(io_err(&dest)(e)));
        }
        if let Err(e) = fs::rename(&dest, &aside) {
            return Err(self.abandon(io_err(&dest)(e)));
        }
        crash_point("bundle-between-renames");
        if let Err(e) = fs::rename(&root, &dest) {
            let error = match fs::rename(&aside, &dest) {
                Ok(()) => io_err(&dest)(e),
                Err(restore) => StoreError::Io {
                    path: dest.clone(),
                    source: io::Error::new(
                        e.kind(),
                        format!(
                            "{e}; the earlier bundle is in {} and could not be put back ({restore}). Rename that folder to {} by hand",
                            aside.display(),
                            dest.display()
                        ),
                    ),
                },
            };
            return Err(self.abandon(error));
        }
        let AtomicDir { temp, _lock, .. } = self;
        let _ = temp.keep();
        sync_dir(parent).map_err(io_err(&dest))?;
        crash_point("bundle-after-swap");
        Ok(Swapped {
            earlier: Some(aside),
            _locks: [_lock, held],
        })
    }

    /// Removes the hidden folder after `error`, reporting both.
    fn abandon(self, error: StoreError) -> StoreError {
        let path = self.temp.path().to_owned();
        and_cleanup(error, self.temp.close(), &path)
    }
}

/// The destination `dest` of a folder, missing when the folder was begun,
/// was made by someone else before the folder could be put there:
/// `AlreadyExists`, said of `dest`, with what to do.
fn made_meanwhile(dest: &Path) -> StoreError {
    StoreError::Io {
        path: dest.to_owned(),
        source: io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "another export or pack (or another program) made {} while this one was being written; nothing of this one was kept, and what is there now is left as it is. Run this one again to replace it",
                dest.display()
            ),
        ),
    }
}

/// A folder [`AtomicDir::swap`] put in place, and the earlier folder it
/// replaced, both locked until [`Swapped::finish`] removes the earlier one
/// or this is dropped (which leaves it).
pub struct Swapped {
    earlier: Option<PathBuf>,
    /// The new folder's (now at the destination) and the earlier one's.
    _locks: [Option<File>; 2],
}

impl Swapped {
    /// Where the earlier folder is now (`None`: nothing was replaced).
    pub fn earlier(&self) -> Option<&Path> {
        self.earlier.as_deref()
    }

    /// Calls `remove_earlier` with where the earlier folder is (if one was
    /// replaced), its lock held, then lets both folders go.
    pub fn finish(self, remove_earlier: impl FnOnce(&Path)) {
        if let Some(earlier) = &self.earlier {
            crash_point("bundle-before-removing-earlier");
            remove_earlier(earlier);
        }
    }
}

/// A file inside an [`AtomicDir`]: buffered, hashed, synced when finished.
pub struct DirFile {
    out: Hashing<BufWriter<File>>,
    shown: PathBuf,
}

impl DirFile {
    /// Where the file will be once its folder is in place.
    pub fn shown(&self) -> &Path {
        &self.shown
    }

    /// Writes out what is buffered and syncs the file; returns the SHA-256
    /// of its content.
    pub fn finish(self) -> Result<String> {
        let (buffered, sha256) = self.out.into_parts();
        buffered
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(|f| f.sync_all())
            .map_err(io_err(&self.shown))?;
        Ok(sha256)
    }
}

impl Write for DirFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Exchanges the folders `a` and `b` in one atomic step. `Ok(false)` when
/// this system or file system has no such step (the caller falls back to
/// two renames).
pub(crate) fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    #[cfg(feature = "crash-points")]
    if std::env::var_os("EACDESK_NO_EXCHANGE").is_some() {
        return Ok(false);
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{renameat_with, RenameFlags, CWD};
        use rustix::io::Errno;
        match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
            Ok(()) => Ok(true),
            Err(e) if e == Errno::INVAL || e == Errno::NOSYS || e == Errno::NOTSUP => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (a, b);
        Ok(false)
    }
}

/// Renames `from` to `to` unless `to` exists (`AlreadyExists`), in one
/// step where the system has one.
pub(crate) fn rename_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{renameat_with, RenameFlags, CWD};
        use rustix::io::Errno;
        match renameat_with(CWD, from, CWD, to, RenameFlags::NOREPLACE) {
            Ok(()) => return Ok(()),
            Err(e) if e == Errno::EXIST => {
                return Err(io::Error::from(io::ErrorKind::AlreadyExists))
            }
            Err(e) if e == Errno::INVAL || e == Errno::NOSYS || e == Errno::NOTSUP => {}
            Err(e) => return Err(e.into()),
        }
    }
    // No such step here: a hard link fails when `to` exists; where links
    // are not supported either, look first (a moment's race).
    match fs::hard_link(from, to) {
        Ok(()) => fs::remove_file(from),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(_) if to.exists() => Err(io::Error::from(io::ErrorKind::AlreadyExists)),
        Err(_) => fs::rename(from, to),
    }
}

pub(crate) fn is_random(text: &str) -> bool {
    text.len() == RANDOM_LEN && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// `.eacdesk-export-XXXXXX.tmp` and the like: a temporary file of ours.
fn is_temp_file_name(name: &str) -> bool {
    FILE_PREFIXES.iter().any(|prefix| {
        name.strip_prefix(prefix).is_some_and(|rest| {
            FILE_SUFFIXES
                .iter()
                .any(|suffix| rest.strip_suffix(suffix).is_some_and(is_random))
        })
    })
}

/// `.eacdesk-bundle-XXXXXX`: a bundle being built, or (after an exchange)
/// the earlier bundle about to be removed.
fn is_temp_dir_name(name: &str) -> bool {
    name.strip_prefix(BUNDLE_TEMP_PREFIX).is_some_and(is_random)
}

/// `.eacdesk-bundle-XXXXXX-old`: an earlier version's bundle moved aside.
fn is_legacy_aside_name(name: &str) -> bool {
    name.strip_prefix(BUNDLE_TEMP_PREFIX)
        .and_then(|rest| rest.strip_suffix("-old"))
        .is_some_and(is_random)
}

/// Repairs and cleans `folder` before an export writes there:
/// - a bundle moved aside (`.eacdesk-aside-NAME`) by an export killed
///   between its two renames goes back to `NAME` when `NAME` is missing
///   (an error here stops the export: the earlier bundle is not lost, and
///   the message says where it is); when `NAME` exists the new bundle made
///   it there and the aside copy is removed;
/// - hidden temporary files and folders of our exact naming that no
///   running export holds are removed (only the files a bundle owns, so a
///   folder with anything else in it stays), but for a whole evidence pack
///   (its manifest and signature), which is left to the pack code
///   ([`left_packs`]).
///
/// Leftovers that cannot be removed (permissions) are left for a later
/// run; they never stop an export.
pub fn recover_folder(folder: &Path) -> Result<()> {
    let entries = match fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(e) => return Err(io_err(folder)(e)),
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let path = entry.path();
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_file() && is_temp_file_name(name) {
            if let Some(_held) = try_lock(&path) {
                let _ = fs::remove_file(&path);
            }
        } else if meta.is_dir() && is_temp_dir_name(name) {
            // A whole evidence pack is left to the pack code: it may be
            // the pack the database records, swapped out by a pack that
            // was stopped before it was recorded ([`left_packs`]).
            if let Some(_held) = try_lock(&path) {
                if !is_pack_folder(&path) {
                    remove_abandoned_build(&path);
                }
            }
        } else if meta.is_dir() && name.starts_with(ASIDE_PREFIX) {
            let dest_name = &name[ASIDE_PREFIX.len()..];
            if dest_name.is_empty() {
                continue;
            }
            if let Some(_held) = try_lock(&path) {
                put_back_or_remove(&path, &folder.join(dest_name))?;
            }
        } else if meta.is_dir() && is_legacy_aside_name(name) {
            // Its destination is known only from the file: URLs of its
            // metadata; without them the folder is left alone.
            let home = crate::p2::bundle_home(&path).filter(|d| same_dir(d.parent(), folder));
            if let Some(dest_name) = home.as_deref().and_then(Path::file_name) {
                if let Some(_held) = try_lock(&path) {
                    put_back_or_remove(&path, &folder.join(dest_name))?;
                }
            }
        }
    }
    Ok(())
}

/// Removes what a killed export or pack left in its hidden folder `dir`
/// (whose lock is no longer held), depth first: the hidden folders and
/// temporary files of our naming inside it that no running export holds
/// (a pack builds its P1 listing and its P2 bundle beside their places in
/// its own hidden folder, so a killed pack leaves them one level down),
/// then a finished P2 bundle at `p2/` by its marker, the files a pack
/// writes and those of a bundle, by name ([`is_pack_file`]); the folder
/// goes when it is empty. Anything else stays, and so does the folder
/// holding it. Best effort.
fn remove_abandoned_build(dir: &Path) {
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let path = entry.path();
            let Ok(meta) = fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() && is_temp_dir_name(name) {
                if let Some(_held) = try_lock(&path) {
                    remove_abandoned_build(&path);
                }
            } else if meta.is_file() && is_temp_file_name(name) {
                if let Some(_held) = try_lock(&path) {
                    let _ = fs::remove_file(&path);
                }
            }
        }
    }
    crate::p2::remove_finished_bundle(&dir.join(PACK_BUNDLE_DIR));
    for folder in ["", PACK_SOURCES_DIR, PACK_CLAIMS_DIR] {
        let Ok(entries) = fs::read_dir(dir.join(folder)) else {
            continue;
        };
        for entry in entries.flatten() {
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            let relative = if folder.is_empty() {
                name
            } else {
                format!("{folder}/{name}")
            };
            let path = entry.path();
            if is_pack_file(&relative) && fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
                let _ = fs::remove_file(&path);
            }
        }
        if !folder.is_empty() {
            let _ = fs::remove_dir(dir.join(folder));
        }
    }
    crate::p2::remove_bundle_files(dir, None);
}

/// The folders of an evidence pack: its P2 bundle, its registry
/// documents, its claims (the app's pack module writes them).
const PACK_BUNDLE_DIR: &str = "p2";
const PACK_SOURCES_DIR: &str = "sources";
const PACK_CLAIMS_DIR: &str = "claims";

/// Whether `relative` (`/`-separated) is the name of a file an evidence
/// pack holds outside its P2 bundle: the manifest and its signature, the
/// P1 listing, the audit chain, the claim statement, the index of source
/// documents, `sources/<12 hex digits>-<name>` and `claims/claim-<n>.json`
/// or `.csv`. What a killed
/// pack left in its hidden folder is removed by these names only; a test
/// of the app's pack module checks that every file of a pack has one.
pub fn is_pack_file(relative: &str) -> bool {
    match relative.split_once('/') {
        None => [
            PACK_MANIFEST,
            PACK_SIGNATURE,
            "eacs.json",
            "audit.jsonl",
            "claim-statement.csv",
            "claim-statement.pdf",
            "source-documents.csv",
        ]
        .contains(&relative),
        Some((PACK_SOURCES_DIR, name)) => {
            !name.contains('/')
                && name.len() > 13
                && name.as_bytes()[..12].iter().all(u8::is_ascii_hexdigit)
                && name.as_bytes()[12] == b'-'
        }
        Some((PACK_CLAIMS_DIR, name)) => name
            .strip_prefix("claim-")
            .and_then(|rest| {
                rest.strip_suffix(".json")
                    .or_else(|| rest.strip_suffix(".csv"))
            })
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())),
        Some(_) => false,
    }
}

fn same_dir(a: Option<&Path>, b: &Path) -> bool {
    match (a.and_then(|a| a.canonicalize().ok()), b.canonicalize().ok()) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// An earlier bundle at `aside`: back to `dest` if nothing is there, else
/// removed (the newer bundle at `dest` replaced it). An evidence pack
/// moved aside is only put back: with something at `dest` it is left to
/// the pack code ([`left_packs`]), which knows which of the two the
/// database records.
fn put_back_or_remove(aside: &Path, dest: &Path) -> Result<()> {
    match fs::symlink_metadata(dest) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            fs::rename(aside, dest).map_err(|e| StoreError::Io {
                path: dest.to_owned(),
                source: io::Error::new(
                    e.kind(),
                    format!(
                        "an earlier export was stopped half-way and its previous bundle is in {}; it could not be put back ({e}). Rename that folder to {} by hand",
                        aside.display(),
                        dest.display()
                    ),
                ),
            })?;
            sync_dir(folder_of(dest)).map_err(io_err(dest))
        }
        _ if is_pack_folder(aside) => Ok(()),
        _ => {
            crate::p2::remove_bundle_files(aside, None);
            Ok(())
        }
    }
}

/// An evidence pack (a folder holding its manifest and signature) in a
/// hidden folder of EAC Desk's naming that no running command holds: a
/// pack that a stopped `pack` built but never put in place, or the pack
/// it swapped out of its place ([`AtomicDir::swap`]: in the hidden folder
/// the new one was built in, or moved aside). [`recover_folder`] leaves
/// these alone: which of them, or the pack at their place, belongs there
/// is known only to the pack code, which reads the database. Locked for
/// as long as this is held.
pub struct LeftPack {
    /// The hidden folder.
    pub path: PathBuf,
    /// Where it belongs, in the folder given to [`left_packs`]: `NAME` of
    /// `.eacdesk-aside-NAME`; for `.eacdesk-bundle-XXXXXX` the pack folder
    /// its P2 bundle names (a pack's bundle names where it is made), when
    /// that is in the same folder. `None`: not known.
    pub place: Option<PathBuf>,
    _lock: File,
}

/// The evidence packs left in hidden folders of `folder` ([`LeftPack`]),
/// each locked; those a running command holds are not listed. Sorted by
/// name.
pub fn left_packs(folder: &Path) -> Vec<LeftPack> {
    let Ok(entries) = fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let aside_of = name.strip_prefix(ASIDE_PREFIX).filter(|n| !n.is_empty());
        if !is_temp_dir_name(name) && aside_of.is_none() {
            continue;
        }
        let path = entry.path();
        if !fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) || !is_pack_folder(&path) {
            continue;
        }
        let place = if let Some(dest_name) = aside_of {
            Some(folder.join(dest_name))
        } else {
            crate::p2::bundle_home(&path.join(PACK_BUNDLE_DIR))
                .and_then(|bundle| bundle.parent().map(Path::to_owned))
                .filter(|pack| same_dir(pack.parent(), folder))
                .and_then(|pack| pack.file_name().map(|n| folder.join(n)))
        };
        if let Some(lock) = try_lock(&path) {
            // Looked at again under the lock: the command that held it
            // may have removed it meanwhile.
            if is_pack_folder(&path) {
                out.push(LeftPack {
                    path,
                    place,
                    _lock: lock,
                });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

impl LeftPack {
    /// Moves this folder to `place` (a name in the same folder). A folder
    /// at `place` is exchanged with it in one step where the system can,
    /// else first renamed to a new hidden folder of EAC Desk's naming;
    /// returns where that folder now is (`None`: nothing was at `place`).
    /// Stopped half-way, both folders are whole and in hidden folders or
    /// at `place`, where the next look finds them. Errors name `place` and
    /// say where the pack is.
    pub fn put_in_place(&self, place: &Path) -> Result<Option<PathBuf>> {
        let folder = folder_of(place);
        let cannot = |e: io::Error| StoreError::Io {
            path: place.to_owned(),
            source: io::Error::new(
                e.kind(),
                format!(
                    "{e}; the pack that belongs there is in {}: rename that folder to {} by hand",
                    self.path.display(),
                    place.display()
                ),
            ),
        };
        let displaced = match fs::symlink_metadata(place) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(cannot(e)),
            Ok(_) => {
                if exchange(&self.path, place).map_err(cannot)? {
                    sync_dir(folder).map_err(io_err(place))?;
                    return Ok(Some(self.path.clone()));
                }
                // Out of the way first, under a new hidden name (a rename
                // replaces an empty folder on POSIX systems only).
                let free = builder(BUNDLE_TEMP_PREFIX, "", 0o777)
                    .tempdir_in(folder)
                    .map_err(cannot)?
                    .keep();
                if cfg!(not(unix)) {
                    fs::remove_dir(&free).map_err(cannot)?;
                }
                fs::rename(place, &free).map_err(cannot)?;
                Some(free)
            }
        };
        rename_no_replace(&self.path, place).map_err(cannot)?;
        sync_dir(folder).map_err(io_err(place))?;
        Ok(displaced)
    }
}

/// The advisory lock of a folder, held until dropped ([`lock_folder`]).
pub struct FolderLock {
    _file: File,
}

/// Takes the lock of the folder `path` without waiting: `None` when a
/// running command holds it, or it cannot be locked here (it is missing,
/// or the system locks no folders).
pub fn lock_folder(path: &Path) -> Option<FolderLock> {
    try_lock(path).map(|file| FolderLock { _file: file })
}

/// The open database's own files: the file and its `-wal`, `-shm` and
/// `-journal` companions.
pub(crate) fn database_files(database: &Path) -> Vec<PathBuf> {
    let mut files = vec![database.to_owned()];
    for suffix in ["-wal", "-shm", "-journal"] {
        files.push(side_file(database, suffix));
    }
    files
}

/// `path` with `suffix` added to its name (`-wal`, `-shm`, `-journal`),
/// as SQLite names a database's companion files.
pub(crate) fn side_file(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// `path` with its folder resolved (symbolic links, `..`), for a path
/// that may not exist yet; `None` when the folder does not exist.
fn resolved(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Some(p);
    }
    let name = path.file_name()?;
    Some(folder_of(path).canonicalize().ok()?.join(name))
}

/// Whether two existing paths are the same file or folder (same device
/// and inode on Unix, so hard links count).
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        a.dev() == b.dev() && a.ino() == b.ino()
    }
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        false
    }
}

/// Refuses a destination that is the database (or its `-wal`, `-shm`,
/// `-journal` file), or a folder holding it: canonical paths are
/// compared, and file identity (device and inode) for hard links.
/// `invalid_input`; nothing was written. For a folder's destination (a P2
/// bundle, an evidence pack); a single file's is
/// [`refuse_database_file`].
pub fn refuse_database(database: &Path, dest: &Path) -> Result<()> {
    let refuse = |what: &str| {
        Err(StoreError::InvalidInput(format!(
            "{} {what} the database EAC Desk is using ({}); writing there would destroy it. Nothing was written. Choose another {}.",
            dest.display(),
            database.display(),
            if what == "is" { "file name" } else { "folder" }
        )))
    };
    let dest_resolved = resolved(dest);
    let dest_meta = fs::metadata(dest).ok();
    for file in database_files(database) {
        let file_resolved = resolved(&file);
        if dest_resolved.is_some() && dest_resolved == file_resolved {
            return refuse("is");
        }
        let (Some(dest_meta), Ok(file_meta)) = (&dest_meta, fs::metadata(&file)) else {
            continue;
        };
        if same_file(dest_meta, &file_meta) {
            return refuse("is");
        }
        if dest_meta.is_dir() {
            let inside = match (&file_resolved, &dest_resolved) {
                (Some(f), Some(d)) => f.starts_with(d),
                _ => false,
            };
            let mut ancestors = file_resolved.iter().flat_map(|f| f.ancestors().skip(1));
            if inside || ancestors.any(|a| fs::metadata(a).is_ok_and(|m| same_file(dest_meta, &m)))
            {
                return refuse("holds");
            }
        }
    }
    Ok(())
}

/// [`refuse_database`] for a single file's destination: a folder given
/// (or a link to one) is refused first as not a file, in the words of
/// [`refuse_unwritable_file`] ("… is a folder, not a file"), even when it
/// holds the database: a file's destination is never written into, so
/// no write there could touch the database, and the user is to name a
/// file. The database's own files (by path, link or hard link) are
/// refused as the database.
pub fn refuse_database_file(database: &Path, dest: &Path) -> Result<()> {
    if fs::metadata(dest).is_ok_and(|m| m.is_dir()) {
        refuse_unwritable_file(dest)?;
    }
    refuse_database(database, dest)
}

#[cfg(test)]
pub(crate) mod tests {

    /// A full disk is said as one unless the disk it is on has space left
    /// and no room for files: this test's folder has both.
    #[test]
    fn a_full_disk_with_room_for_files_stays_a_full_disk() {
        let dir = tempfile::tempdir().unwrap();
        let full = no_room(
            &dir.path().join("x/y.json"),
            io::Error::from(io::ErrorKind::StorageFull),
        );
        assert_eq!(full.kind(), io::ErrorKind::StorageFull);
        assert!(no_room_words(&full).is_none());
        let other = no_room(dir.path(), io::Error::from(io::ErrorKind::PermissionDenied));
        assert!(no_room_words(&other).is_none());
        let files = no_room_for_files();
        assert_eq!(files.kind(), io::ErrorKind::StorageFull);
        assert_eq!(no_room_words(&files).unwrap().0, NO_ROOM_FOR_FILES);
        assert!(no_room_words(&no_room(dir.path(), files)).is_some());
    }

    use super::*;

    /// Only a refusal of permission (or a read-only disk) is said as "new
    /// files cannot be made in the folder"; a folder gone meanwhile, a full
    /// disk or too many open files are said as what they are.
    #[test]
    fn a_failure_to_make_the_hidden_file_is_said_as_what_it_is() {
        let (dest, folder) = (
            Path::new("/no-such-folder-here/eacs.json"),
            Path::new("/no-such-folder-here"),
        );
        let said =
            |kind: io::ErrorKind| cannot_create_in(dest, folder)(io::Error::from(kind)).to_string();
        assert!(said(io::ErrorKind::PermissionDenied)
            .contains("new files cannot be made in the folder /no-such-folder-here"));
        assert!(said(io::ErrorKind::ReadOnlyFilesystem).contains("new files cannot be made"));
        for kind in [io::ErrorKind::NotFound, io::ErrorKind::StorageFull] {
            let m = said(kind);
            assert!(!m.contains("permissions"), "{kind:?}: {m}");
            assert!(
                m.contains("/no-such-folder-here/eacs.json"),
                "{kind:?}: {m}"
            );
        }
    }

    pub(crate) fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn io_message(e: &StoreError) -> (PathBuf, String) {
        match e {
            StoreError::Io { path, source } => (path.clone(), source.to_string()),
            other => panic!("not an I/O error: {other:?}"),
        }
    }

    #[test]
    fn a_folder_that_takes_no_new_files_is_named_and_the_temporary_is_not() {
        let dest = Path::new("/proc/eacs.json");
        let raw = io::Error::new(
            io::ErrorKind::NotFound,
            "No such file or directory (os error 2) at path \"/proc/.eacdesk-export-oNTMk8.tmp\"",
        );
        match cannot_create_in(dest, Path::new("/proc"))(raw) {
            StoreError::Io { path, source } => {
                assert_eq!(path, dest);
                let said = source.to_string();
                assert!(said.contains("the folder /proc"), "{said}");
                assert!(said.contains("permissions"), "{said}");
                assert!(!said.contains(".eacdesk-export"), "{said}");
                assert!(!said.contains("os error"), "{said}");
            }
            other => panic!("{other:?}"),
        }
        #[cfg(target_os = "linux")]
        match AtomicFile::beside(dest) {
            Err(StoreError::Io { path, source }) => {
                assert_eq!(path, dest);
                assert!(!source.to_string().contains(".eacdesk-export"), "{source}");
            }
            Err(other) => panic!("{other:?}"),
            Ok(_) => panic!("/proc took a new file"),
        }
    }

    #[test]
    fn a_committed_file_replaces_the_old_one_with_its_hash_and_mode() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.json");
        fs::write(&dest, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&dest, fs::Permissions::from_mode(0o640)).unwrap();
        }
        let mut file = AtomicFile::beside(&dest).unwrap();
        file.write_all(b"new content").unwrap();
        assert_eq!(
            fs::read_to_string(&dest).unwrap(),
            "old",
            "untouched until commit"
        );
        let flushed = file.flush_hashed().unwrap();
        assert_eq!(fs::read(file.path()).unwrap(), b"new content");
        let sha256 = file.commit().unwrap();
        assert_eq!(sha256, flushed);
        assert_eq!(sha256, hex::encode(Sha256::digest(b"new content")));
        assert_eq!(fs::read_to_string(&dest).unwrap(), "new content");
        assert_eq!(names(dir.path()), ["out.json"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&dest).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o640);
        }
    }

    #[test]
    fn a_file_dropped_before_commit_leaves_the_destination_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.json");
        fs::write(&dest, "old").unwrap();
        let mut file = AtomicFile::beside(&dest).unwrap();
        file.write_all(b"half").unwrap();
        drop(file);
        assert_eq!(fs::read_to_string(&dest).unwrap(), "old");
        assert_eq!(names(dir.path()), ["out.json"]);
    }

    #[test]
    fn a_folder_made_at_the_destination_meanwhile_is_left_and_the_temporary_removed() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("taken");
        let mut file = AtomicFile::beside(&dest).unwrap();
        file.write_all(b"new").unwrap();
        fs::create_dir(&dest).unwrap();
        fs::write(dest.join("keep.txt"), "mine").unwrap();
        let message = file.commit().unwrap_err().to_string();
        assert!(message.contains("is a folder, not a file"), "{message}");
        assert!(message.contains(&dest.display().to_string()), "{message}");
        assert_eq!(fs::read_to_string(dest.join("keep.txt")).unwrap(), "mine");
        assert_eq!(names(dir.path()), ["taken"]);
    }

    /// Makes a named pipe at `path` (no `unsafe` here: the system's tool).
    #[cfg(unix)]
    pub(crate) fn mkfifo(path: &Path) {
        let made = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap();
        assert!(made.success());
    }

    /// `work`'s result, run on a thread of its own: a test fails, naming
    /// `what`, when it has not returned within 20 s (it waits on a pipe).
    pub(crate) fn within_20s<T: Send + 'static>(
        what: &str,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> T {
        let (sent, got) = mpsc::channel();
        thread::spawn(move || {
            let _ = sent.send(work());
        });
        got.recv_timeout(std::time::Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("{what} waited on the named pipe"))
    }

    /// A named pipe where a file was looked at a moment before (swapped in
    /// between): the SQLite check and the advisory lock open it without
    /// waiting for a writer and judge what they opened. A plain open
    /// waited until the process was killed.
    #[cfg(unix)]
    #[test]
    fn a_pipe_in_a_files_place_is_neither_waited_on_nor_taken_for_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let pipe = dir.path().join(".eacdesk-export-abcdef.tmp");
        mkfifo(&pipe);
        let at = pipe.clone();
        assert!(!within_20s("is_sqlite_file", move || is_sqlite_file(&at)));
        let at = pipe.clone();
        assert!(within_20s("try_lock", move || try_lock(&at).is_none()));
        // A folder and a regular file are still locked, a link is not
        // followed.
        fs::write(dir.path().join("file"), "x").unwrap();
        std::os::unix::fs::symlink("file", dir.path().join("link")).unwrap();
        assert!(try_lock(dir.path()).is_some());
        assert!(try_lock(&dir.path().join("file")).is_some());
        assert!(try_lock(&dir.path().join("link")).is_none());
        // The pipe is left where it is.
        assert!(fs::symlink_metadata(&pipe).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn a_destination_that_is_not_a_regular_file_is_refused_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("precious.txt"), "mine").unwrap();
        std::os::unix::fs::symlink("precious.txt", dir.path().join("link.json")).unwrap();
        std::os::unix::fs::symlink("missing.txt", dir.path().join("dangling.json")).unwrap();
        mkfifo(&dir.path().join("pipe.json"));
        fs::create_dir(dir.path().join("folder")).unwrap();
        let before = names(dir.path());
        for (name, what) in [
            ("link.json", "is a symbolic link, not a file"),
            ("dangling.json", "is a symbolic link, not a file"),
            ("pipe.json", "is a named pipe (FIFO), not a file"),
            ("folder", "is a folder, not a file"),
        ] {
            let dest = dir.path().join(name);
            let Err(e) = AtomicFile::beside(&dest) else {
                panic!("{name} was accepted");
            };
            let message = e.to_string();
            assert_eq!(e.code(), crate::ErrorCode::InvalidInput, "{message}");
            assert!(message.contains(what), "{message}");
            assert!(message.contains(&dest.display().to_string()), "{message}");
            assert!(message.contains("nothing was written"), "{message}");
        }
        // A device node (creating one needs root; /dev/null is one).
        let null = Path::new("/dev/null");
        let message = refuse_unwritable_file(null).unwrap_err().to_string();
        assert!(message.contains("is a device, not a file"), "{message}");
        assert_eq!(names(dir.path()), before);
        assert!(fs::symlink_metadata(dir.path().join("link.json"))
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(
            fs::read_to_string(dir.path().join("precious.txt")).unwrap(),
            "mine"
        );
    }

    #[test]
    fn nothing_is_written_inside_an_evidence_pack_or_below_it() {
        let dir = tempfile::tempdir().unwrap();
        let pack = dir.path().join("pk");
        fs::create_dir_all(pack.join("p2/eacs")).unwrap();
        for name in [PACK_MANIFEST, PACK_SIGNATURE, "eacs.json"] {
            fs::write(pack.join(name), "signed").unwrap();
        }
        let before = names(&pack);
        for dest in [
            pack.join("eacs.json"),
            pack.join("new.json"),
            pack.join("p2/eacs/x.json"),
            pack.join("missing/x.json"),
            pack.join("p2/../eacs.json"),
        ] {
            let Err(e) = AtomicFile::beside(&dest) else {
                panic!("{} was accepted", dest.display());
            };
            let message = e.to_string();
            assert!(
                message.contains("would break that signed pack"),
                "{message}"
            );
            assert!(message.contains(&dest.display().to_string()), "{message}");
        }
        for dest in [pack.join("p2"), pack.join("sub"), pack.join("p2/eacs/x")] {
            let Err(e) = AtomicDir::beside(&dest) else {
                panic!("{} was accepted", dest.display());
            };
            assert!(e.to_string().contains("signed pack"), "{e}");
        }
        assert_eq!(names(&pack), before);
        assert_eq!(
            fs::read_to_string(pack.join("eacs.json")).unwrap(),
            "signed"
        );
        // The pack itself may be replaced (a new pack over it), and a
        // folder beside it written.
        assert!(enclosing_pack(&pack).is_none());
        AtomicDir::beside(&pack).unwrap();
        AtomicFile::beside(&dir.path().join("beside.json")).unwrap();
        // A manifest without its signature is not a pack.
        fs::remove_file(pack.join(PACK_SIGNATURE)).unwrap();
        assert!(enclosing_pack(&pack.join("eacs.json")).is_none());
    }

    /// A read-only file is never replaced: refused by its permission bits
    /// (so for root too, whom the system lets write it), before anything
    /// is written and again just before the rename.
    #[cfg(unix)]
    #[test]
    fn a_read_only_file_is_refused_by_its_permission_bits() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("signed.json");
        fs::write(&dest, "sent to the regulator").unwrap();
        let set = |mode| fs::set_permissions(&dest, fs::Permissions::from_mode(mode)).unwrap();
        for mode in [0o444, 0o400, 0o044, 0o466] {
            set(mode);
            let Err(e) = AtomicFile::beside(&dest) else {
                panic!("{mode:o} was accepted");
            };
            let message = e.to_string();
            assert_eq!(e.code(), crate::ErrorCode::InvalidInput, "{message}");
            assert!(
                message.contains(&format!("{} is read-only", dest.display())),
                "{message}"
            );
            assert!(message.contains("nothing was written"), "{message}");
            assert!(message.contains("chmod u+w"), "{message}");
            assert!(message.contains("choose another file name"), "{message}");
        }
        // Made read-only while it was written: left as it is.
        set(0o644);
        let mut file = AtomicFile::beside(&dest).unwrap();
        file.write_all(b"new").unwrap();
        set(0o444);
        let message = file.commit().unwrap_err().to_string();
        assert!(message.contains("is read-only"), "{message}");
        assert_eq!(fs::read_to_string(&dest).unwrap(), "sent to the regulator");
        assert_eq!(names(dir.path()), ["signed.json"]);
        // Writable again: replaced, its mode kept.
        set(0o640);
        let mut file = AtomicFile::beside(&dest).unwrap();
        file.write_all(b"new").unwrap();
        file.commit().unwrap();
        assert_eq!(fs::read_to_string(&dest).unwrap(), "new");
    }

    /// Nothing is written inside a P2 bundle EAC Desk wrote (known by its
    /// marker, or as one written before the marker existed), in the words
    /// of the refusal inside a pack; the bundle itself may be replaced.
    #[test]
    fn nothing_is_written_inside_an_eacdesk_bundle() {
        let dir = tempfile::tempdir().unwrap();
        let bundle = dir.path().join("b2");
        files(
            &bundle,
            &[
                "eacs.json",
                "server-metadata.json",
                "eacs/a-0123456789ab.json",
            ],
        );
        fs::write(bundle.join(crate::p2::BUNDLE_MARKER), "damaged").unwrap();
        let refused = |bundle: &Path| {
            for dest in [
                bundle.join("eacs.json"),
                bundle.join("server-metadata.json"),
                bundle.join("eacs/a-0123456789ab.json"),
                bundle.join("notes.json"),
                bundle.join("eacs/new/x.json"),
            ] {
                let Err(e) = AtomicFile::beside(&dest) else {
                    panic!("{} was accepted", dest.display());
                };
                let message = e.to_string();
                assert!(
                    message.contains(&format!(
                        "{} is inside the P2 bundle {}",
                        dest.display(),
                        bundle.canonicalize().unwrap().display()
                    )),
                    "{message}"
                );
                assert!(message.contains("would break that bundle"), "{message}");
                assert!(message.contains("Nothing was written"), "{message}");
                assert!(message.contains("Choose another folder"), "{message}");
            }
            let Err(e) = AtomicDir::beside(&bundle.join("sub")) else {
                panic!("a folder inside was accepted");
            };
            assert!(e.to_string().contains("would break that bundle"), "{e}");
        };
        refused(&bundle);
        // Written before the marker existed: its metadata names the format.
        fs::remove_file(bundle.join(crate::p2::BUNDLE_MARKER)).unwrap();
        fs::write(
            bundle.join("server-metadata.json"),
            serde_json::json!({
                "cds_customerdata_version": "v1",
                "cds_eacs_api": "https://example.com/eacs.json",
                "cds_eac_formats": {
                    eac_model::p2::EACDESK_FORMAT_ID: {
                        "id": eac_model::p2::EACDESK_FORMAT_ID,
                        "name": "EAC Desk",
                        "description": "EAC Desk's detail format",
                        "documentation": "https://example.com/FORMAT.md"
                    }
                }
            })
            .to_string(),
        )
        .unwrap();
        refused(&bundle);
        assert_eq!(
            fs::read_to_string(bundle.join("eacs.json")).unwrap(),
            "left by a killed pack"
        );
        // The bundle itself may be replaced, and a file beside it written.
        assert!(enclosing_bundle(&bundle).is_none());
        AtomicDir::beside(&bundle).unwrap();
        AtomicFile::beside(&dir.path().join("beside.json")).unwrap();
        // Another program's CDS bundle is not EAC Desk's to keep.
        fs::write(bundle.join("server-metadata.json"), "{}").unwrap();
        AtomicFile::beside(&bundle.join("eacs.json")).unwrap();
    }

    /// Writes each `/`-separated file under `root` with its folders.
    fn files(root: &Path, relatives: &[&str]) {
        for relative in relatives {
            let path = root.join(relative);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "left by a killed pack").unwrap();
        }
    }

    #[test]
    fn a_killed_packs_hidden_folders_are_removed_at_every_depth_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let outer = dir.path().join(".eacdesk-bundle-aaaaaa");
        // A pack killed while its P2 bundle was built beside `p2` in the
        // pack's own hidden folder, after its listing and documents.
        files(
            &outer,
            &[
                "eacs.json",
                ".eacdesk-export-bbbbbb.tmp",
                "audit.jsonl",
                "claim-statement.csv",
                "claim-statement.pdf",
                // Its manifest, not yet signed: a whole pack (manifest
                // and signature) is left to the pack code.
                "MANIFEST.json",
                "sources/0123456789ab-necs.pdf",
                "claims/claim-1.json",
                "claims/claim-1.csv",
                ".eacdesk-bundle-cccccc/eacs.json",
                ".eacdesk-bundle-cccccc/FORMAT.md",
                ".eacdesk-bundle-cccccc/eacs/a-0123456789ab.json",
                ".eacdesk-bundle-cccccc/.eacdesk-bundle-dddddd/eacs.json",
            ],
        );
        // A finished bundle at p2/ with its marker.
        files(
            &outer,
            &[
                "p2/eacs.json",
                "p2/server-metadata.json",
                "p2/FORMAT.md",
                "p2/eacs/b-0123456789ab.json",
            ],
        );
        fs::write(
            outer.join("p2/.eacdesk-bundle"),
            serde_json::to_string_pretty(&serde_json::json!({
                "eacdesk_bundle": 1,
                "files": ["FORMAT.md", "eacs.json", "eacs/b-0123456789ab.json", "server-metadata.json"]
            }))
            .unwrap(),
        )
        .unwrap();
        // Another hidden folder whose nested one holds something of the
        // user's: that file and the folders holding it stay.
        let kept = dir.path().join(".eacdesk-bundle-eeeeee");
        files(
            &kept,
            &[
                "eacs.json",
                ".eacdesk-bundle-ffffff/eacs.json",
                ".eacdesk-bundle-ffffff/notes.txt",
                "sources/not-a-document.pdf",
            ],
        );
        recover_folder(dir.path()).unwrap();
        assert_eq!(names(dir.path()), [".eacdesk-bundle-eeeeee"]);
        assert_eq!(names(&kept), [".eacdesk-bundle-ffffff", "sources"]);
        assert_eq!(names(&kept.join(".eacdesk-bundle-ffffff")), ["notes.txt"]);
        assert_eq!(names(&kept.join("sources")), ["not-a-document.pdf"]);
    }

    #[test]
    fn a_whole_pack_in_a_hidden_folder_is_left_to_the_pack_code_and_put_in_place_on_request() {
        let dir = tempfile::tempdir().unwrap();
        let pack = |at: &Path, signed: &str| {
            files(at, &["eacs.json", "MANIFEST.json", "p2/eacs.json"]);
            fs::write(at.join(PACK_SIGNATURE), signed).unwrap();
        };
        // The pack the database records, swapped out of `pk` by a pack
        // stopped before its record (an exchange), and one moved aside
        // from `pq` (no exchange); the new packs are at their places.
        let swapped = dir.path().join(".eacdesk-bundle-aaaaaa");
        let aside = dir.path().join(".eacdesk-aside-pq");
        pack(&swapped, "recorded pk");
        pack(&aside, "recorded pq");
        pack(&dir.path().join("pk"), "new pk");
        pack(&dir.path().join("pq"), "new pq");
        // One whose lock a running pack holds, and a bundle moved aside.
        let running = dir.path().join(".eacdesk-bundle-bbbbbb");
        pack(&running, "being made");
        let _held = try_lock(&running).unwrap();
        files(&dir.path().join(".eacdesk-aside-bundle"), &["eacs.json"]);
        fs::create_dir(dir.path().join("bundle")).unwrap();

        recover_folder(dir.path()).unwrap();
        assert_eq!(
            names(dir.path()),
            [
                ".eacdesk-aside-pq",
                ".eacdesk-bundle-aaaaaa",
                ".eacdesk-bundle-bbbbbb",
                "bundle",
                "pk",
                "pq"
            ]
        );
        let left = left_packs(dir.path());
        let listed: Vec<(&Path, Option<&Path>)> = left
            .iter()
            .map(|l| (l.path.as_path(), l.place.as_deref()))
            .collect();
        // Its P2 bundle names no place here: not known.
        assert_eq!(
            listed,
            [
                (aside.as_path(), Some(dir.path().join("pq").as_path())),
                (swapped.as_path(), None)
            ]
        );
        // Listed, it is locked: another command's repair leaves it alone.
        assert!(try_lock(&aside).is_none());
        // Put back where it belongs: the new pack goes to a hidden folder.
        let pq = dir.path().join("pq");
        let displaced = left[0].put_in_place(&pq).unwrap().unwrap();
        assert_eq!(
            fs::read_to_string(pq.join(PACK_SIGNATURE)).unwrap(),
            "recorded pq"
        );
        assert_eq!(
            fs::read_to_string(displaced.join(PACK_SIGNATURE)).unwrap(),
            "new pq"
        );
        // Nothing at the place: renamed there.
        let gone = dir.path().join("gone");
        assert_eq!(left[1].put_in_place(&gone).unwrap(), None);
        assert_eq!(
            fs::read_to_string(gone.join(PACK_SIGNATURE)).unwrap(),
            "recorded pk"
        );
        drop(left);
        // An aside pack with nothing at its place goes back, as a bundle.
        fs::rename(&pq, dir.path().join(".eacdesk-aside-pr")).unwrap();
        recover_folder(dir.path()).unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("pr").join(PACK_SIGNATURE)).unwrap(),
            "recorded pq"
        );
    }

    #[test]
    fn a_running_exports_nested_hidden_folder_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let outer = dir.path().join(".eacdesk-bundle-aaaaaa");
        let inner = outer.join(".eacdesk-bundle-bbbbbb");
        files(&inner, &["eacs.json"]);
        let _held = try_lock(&inner).unwrap();
        recover_folder(dir.path()).unwrap();
        assert_eq!(names(&inner), ["eacs.json"]);
    }

    #[test]
    fn pack_files_are_known_by_name_only() {
        for name in [
            "MANIFEST.json",
            "audit.jsonl",
            "sources/0123456789ab-x.pdf",
            "claims/claim-12.csv",
        ] {
            assert!(is_pack_file(name), "{name}");
        }
        for name in [
            "notes.txt",
            "sources/x.pdf",
            "sources/0123456789ab-",
            "sources/0123456789ab-a/b",
            "claims/claim-.json",
            "claims/claim-1.txt",
            "p2/eacs.json",
            "other/MANIFEST.json",
        ] {
            assert!(!is_pack_file(name), "{name}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_link_made_at_the_destination_while_it_is_written_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("precious.txt"), "mine").unwrap();
        let dest = dir.path().join("out.json");
        let mut file = AtomicFile::beside(&dest).unwrap();
        file.write_all(b"new").unwrap();
        std::os::unix::fs::symlink("precious.txt", &dest).unwrap();
        let message = file.commit().unwrap_err().to_string();
        assert!(message.contains("is a symbolic link"), "{message}");
        assert!(fs::symlink_metadata(&dest)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(names(dir.path()), ["out.json", "precious.txt"]);
    }

    #[test]
    fn a_failed_commit_whose_clean_up_fails_too_reports_both() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.json");
        let mut file = AtomicFile::beside(&dest).unwrap();
        file.write_all(b"new").unwrap();
        file.flush_hashed().unwrap();
        // Another program removes the temporary file: the rename fails,
        // and so does its removal.
        let temp = file.path().to_owned();
        fs::remove_file(&temp).unwrap();
        let (path, message) = io_message(&file.commit().unwrap_err());
        assert_eq!(path, dest);
        assert!(message.contains("could not be removed"), "{message}");
        assert!(message.contains(&temp.display().to_string()), "{message}");
        assert!(!dest.exists());
    }

    #[test]
    fn clean_up_errors_are_added_to_the_error_they_follow() {
        let dest = PathBuf::from("/x/out.json");
        let temp = PathBuf::from("/x/.eacdesk-export-abcdef.tmp");
        let first = StoreError::Io {
            path: dest.clone(),
            source: io::Error::from(io::ErrorKind::StorageFull),
        };
        let both = and_cleanup(first, Err(io::Error::other("busy")), &temp);
        let (path, message) = io_message(&both);
        assert_eq!(path, dest);
        assert!(message.contains("busy") && message.contains(".eacdesk-export-abcdef.tmp"));
        match both {
            StoreError::Io { source, .. } => assert_eq!(source.kind(), io::ErrorKind::StorageFull),
            _ => unreachable!(),
        }
        let alone = and_cleanup(StoreError::Cancelled, Ok(()), &temp);
        assert!(matches!(alone, StoreError::Cancelled));
    }

    fn a_bundle(dest: &Path, listing: &str) -> AtomicDir {
        let mut dir = AtomicDir::beside(dest).unwrap();
        dir.create_dir("eacs").unwrap();
        let mut file = dir.create_file("eacs.json").unwrap();
        file.write_all(listing.as_bytes()).unwrap();
        assert_eq!(
            file.finish().unwrap(),
            hex::encode(Sha256::digest(listing.as_bytes()))
        );
        dir.write_json("eacs/a.json", &serde_json::json!({"a": 1}))
            .unwrap();
        dir
    }

    #[test]
    fn a_new_folder_is_renamed_into_place() {
        let parent = tempfile::tempdir().unwrap();
        let dest = parent.path().join("bundle");
        let dir = a_bundle(&dest, "[]");
        assert!(!dest.exists(), "nothing at the destination before commit");
        dir.swap(false)
            .unwrap()
            .finish(|_| panic!("nothing earlier"));
        assert_eq!(names(&dest), ["eacs", "eacs.json"]);
        assert_eq!(
            fs::read_to_string(dest.join("eacs/a.json")).unwrap(),
            "{\n  \"a\": 1\n}\n"
        );
        assert_eq!(names(parent.path()), ["bundle"]);
    }

    #[test]
    fn a_replaced_folder_is_handed_over_for_removal() {
        let parent = tempfile::tempdir().unwrap();
        let dest = parent.path().join("bundle");
        fs::create_dir(&dest).unwrap();
        fs::write(dest.join("eacs.json"), "old").unwrap();
        let dir = a_bundle(&dest, "new");
        let mut earlier = None;
        dir.swap(true).unwrap().finish(|at| {
            earlier = Some(fs::read_to_string(at.join("eacs.json")).unwrap());
            fs::remove_dir_all(at).unwrap();
        });
        assert_eq!(earlier.as_deref(), Some("old"));
        assert_eq!(fs::read_to_string(dest.join("eacs.json")).unwrap(), "new");
        assert_eq!(names(parent.path()), ["bundle"]);
    }

    #[test]
    fn a_swapped_out_folder_stays_locked_until_it_is_removed_or_let_go() {
        let parent = tempfile::tempdir().unwrap();
        let dest = parent.path().join("bundle");
        for finish in [true, false] {
            fs::create_dir_all(&dest).unwrap();
            fs::write(dest.join("eacs.json"), "old").unwrap();
            let swapped = a_bundle(&dest, "new").swap(true).unwrap();
            let earlier = swapped.earlier().unwrap().to_owned();
            assert_eq!(fs::read_to_string(dest.join("eacs.json")).unwrap(), "new");
            assert_eq!(
                fs::read_to_string(earlier.join("eacs.json")).unwrap(),
                "old"
            );
            // Both held: no other command's repair touches either.
            assert!(try_lock(&earlier).is_none());
            assert!(try_lock(&dest).is_none());
            recover_folder(parent.path()).unwrap();
            assert!(earlier.join("eacs.json").is_file());
            if finish {
                swapped.finish(|at| fs::remove_dir_all(at).unwrap());
                assert_eq!(names(parent.path()), ["bundle"]);
            } else {
                // Let go (a stop): both stay, unlocked.
                drop(swapped);
                assert!(try_lock(&earlier).is_some());
                assert!(try_lock(&dest).is_some());
                assert_eq!(
                    fs::read_to_string(earlier.join("eacs.json")).unwrap(),
                    "old"
                );
            }
            fs::remove_dir_all(&dest).unwrap();
        }
    }

    #[test]
    fn a_failed_folder_commit_leaves_the_destination_and_removes_the_temporary() {
        let parent = tempfile::tempdir().unwrap();
        let dest = parent.path().join("bundle");
        let dir = a_bundle(&dest, "[]");
        // Something appeared at the destination since it was judged
        // missing: the rename fails, and what is there stays.
        fs::create_dir(&dest).unwrap();
        fs::write(dest.join("notes.txt"), "mine").unwrap();
        let (path, _) = io_message(&dir.swap(false).map(|s| s.finish(|_| {})).unwrap_err());
        assert_eq!(path, dest);
        assert_eq!(names(&dest), ["notes.txt"]);
        assert_eq!(names(parent.path()), ["bundle"]);
    }

    #[test]
    fn a_failed_folder_commit_whose_clean_up_fails_too_reports_both() {
        let parent = tempfile::tempdir().unwrap();
        let dest = parent.path().join("bundle");
        let dir = a_bundle(&dest, "[]");
        let temp = dir.path().to_owned();
        fs::remove_dir_all(&temp).unwrap();
        let (path, message) = io_message(&dir.swap(false).map(|s| s.finish(|_| {})).unwrap_err());
        assert_eq!(path, dest);
        assert!(message.contains("could not be removed"), "{message}");
        assert!(!dest.exists());
    }

    #[test]
    fn hashed_reads_count_and_hash_every_byte() {
        // More than the chunks that may wait, in reads of every size.
        let text: Vec<u8> = (0..10_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let counter = AtomicU64::new(0);
        let mut reader = HashedRead::new(&text[..], &counter).unwrap();
        let mut buf = [0u8; 7];
        let mut read = Vec::new();
        loop {
            let n = reader.read(&mut buf[..1 + read.len() % 7]).unwrap();
            if n == 0 {
                break;
            }
            read.extend_from_slice(&buf[..n]);
        }
        assert_eq!(read, text);
        assert_eq!(counter.load(Ordering::Relaxed), text.len() as u64);
        assert_eq!(reader.sha256().unwrap(), hex::encode(Sha256::digest(&text)));
    }

    #[test]
    fn a_hashed_read_dropped_part_way_ends_its_thread() {
        let text = vec![b'x'; 1 << 16];
        let counter = AtomicU64::new(0);
        let mut reader = HashedRead::new(&text[..], &counter).unwrap();
        reader.read_exact(&mut [0u8; 100]).unwrap();
        // Joins the hashing thread: the test would hang if it waited on.
        drop(reader);
        assert_eq!(counter.load(Ordering::Relaxed), 100);
    }
}
