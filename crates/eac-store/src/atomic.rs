//! Writing a file or a folder so that its destination holds the old or the
//! new content at every instant, and nothing EAC Desk does not own is lost.
//!
//! - A file is written to a hidden temporary file beside its destination
//!   (created with the user's umask, locked while it is written), synced,
//!   given the mode of the file it replaces, renamed over the destination,
//!   and the folder is synced ([`TempFile`]).
//! - A folder (a P2 bundle) is built hidden beside its destination and
//!   swapped in with one atomic exchange where the system has one (Linux
//!   `renameat2(RENAME_EXCHANGE)`), else with two renames whose half-way
//!   state the next export to that folder repairs ([`recover_folder`]).
//! - Every export first repairs and cleans its folder: an earlier bundle
//!   moved aside by an export that was killed is put back, and hidden
//!   temporary files and folders of EAC Desk's own naming that no running
//!   export holds (advisory lock) are removed.
//! - No export may name the open database, its `-wal`/`-shm`/`-journal`
//!   files or a folder holding them ([`refuse_database`]).

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

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

/// An I/O error that names `path` (the destination, never a hidden file).
pub(crate) fn io_err(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_owned(),
        source,
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
/// holds it (or, for a folder elsewhere than Unix, it cannot be locked).
pub(crate) fn try_lock(path: &Path) -> Option<File> {
    let file = File::open(path).ok()?;
    file.try_lock().ok()?;
    Some(file)
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
fn builder<'a>(prefix: &'a str, suffix: &'static str, mode: u32) -> tempfile::Builder<'a, 'static> {
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

/// A hidden temporary file beside a destination, locked while it is
/// written; dropped (and so removed) on every early return.
pub struct TempFile {
    temp: tempfile::NamedTempFile,
    dest: PathBuf,
}

impl TempFile {
    /// Repairs and cleans the destination's folder ([`recover_folder`]),
    /// then creates `.eacdesk-export-XXXXXX.tmp` there (mode from the
    /// user's umask) and locks it. Errors name `dest`.
    pub fn beside(dest: &Path) -> Result<TempFile> {
        let folder = folder_of(dest);
        recover_folder(folder)?;
        for _ in 0..8 {
            let temp = builder(FILE_PREFIXES[0], FILE_SUFFIXES[0], 0o666)
                .tempfile_in(folder)
                .map_err(io_err(dest))?;
            temp.as_file().try_lock().map_err(|e| StoreError::Io {
                path: dest.to_owned(),
                source: e.into(),
            })?;
            if still_named(temp.as_file(), temp.path()).map_err(io_err(dest))? {
                return Ok(TempFile {
                    temp,
                    dest: dest.to_owned(),
                });
            }
        }
        Err(StoreError::Io {
            path: dest.to_owned(),
            source: io::Error::other("another program keeps removing the temporary file"),
        })
    }

    /// The open temporary file, to write to.
    pub fn file(&self) -> &File {
        self.temp.as_file()
    }

    /// Where the temporary file is (for checks of the finished content).
    pub fn path(&self) -> &Path {
        self.temp.path()
    }

    /// Syncs the written content, gives it the mode of the file it
    /// replaces, renames it over the destination and syncs the folder.
    /// The caller flushes its buffers first.
    pub fn commit(self) -> Result<()> {
        let dest = self.dest;
        let file = self.temp.as_file();
        file.sync_all().map_err(io_err(&dest))?;
        if let Ok(existing) = fs::metadata(&dest) {
            if existing.is_file() {
                file.set_permissions(existing.permissions())
                    .map_err(io_err(&dest))?;
            }
        }
        crash_point("file-before-rename");
        self.temp.persist(&dest).map_err(|e| StoreError::Io {
            path: dest.clone(),
            source: e.error,
        })?;
        sync_dir(folder_of(&dest)).map_err(io_err(&dest))
    }
}

/// A temporary folder for a bundle beside `dest`, locked while it is built
/// (Unix), with the user's umask. Its path is `.eacdesk-bundle-XXXXXX`.
pub(crate) fn temp_dir_beside(
    parent: &Path,
    dest: &Path,
) -> Result<(tempfile::TempDir, Option<File>)> {
    for _ in 0..8 {
        let dir = builder(BUNDLE_TEMP_PREFIX, "", 0o777)
            .tempdir_in(parent)
            .map_err(io_err(dest))?;
        let lock = if cfg!(unix) {
            let file = File::open(dir.path()).map_err(io_err(dest))?;
            file.try_lock().map_err(|e| StoreError::Io {
                path: dest.to_owned(),
                source: e.into(),
            })?;
            if !still_named(&file, dir.path()).map_err(io_err(dest))? {
                continue;
            }
            Some(file)
        } else {
            None
        };
        return Ok((dir, lock));
    }
    Err(StoreError::Io {
        path: dest.to_owned(),
        source: io::Error::other("another program keeps removing the temporary folder"),
    })
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

fn is_random(text: &str) -> bool {
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
///   folder with anything else in it stays).
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
            if let Some(_held) = try_lock(&path) {
                crate::p2::remove_bundle_files(&path, None);
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

fn same_dir(a: Option<&Path>, b: &Path) -> bool {
    match (a.and_then(|a| a.canonicalize().ok()), b.canonicalize().ok()) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// An earlier bundle at `aside`: back to `dest` if nothing is there, else
/// removed (the newer bundle at `dest` replaced it).
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
        _ => {
            crate::p2::remove_bundle_files(aside, None);
            Ok(())
        }
    }
}

/// The open database's own files: the file and its `-wal`, `-shm` and
/// `-journal` companions.
fn database_files(database: &Path) -> Vec<PathBuf> {
    let mut files = vec![database.to_owned()];
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut name = database.as_os_str().to_owned();
        name.push(suffix);
        files.push(PathBuf::from(name));
    }
    files
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
/// `invalid_input`; nothing was written.
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
