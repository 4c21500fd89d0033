//! Copying a database file's write-ahead log (its `-wal`) back into the
//! file, only when the file can take it.
//!
//! A commit lands in the `-wal`; a checkpoint copies its pages into the
//! `.sqlite`, page by page, and SQLite's own checkpoints (after a commit
//! past 1000 pages, at close) stop where the disk or the file size limit
//! (`ulimit -f`) stops the file growing: the `-wal` then stays, and the
//! `.sqlite` alone is part old, part new (a backup copy of it, or someone
//! deleting the "leftover" `-wal`, loses the change: ROB42 finding 1). So
//! a file database checkpoints here, after each write however it ended and
//! when it opens: never unless the file can grow to its new size, and else
//! not at all, at close neither (the `.sqlite` then stays whole as it was
//! before, the change kept in the `-wal` beside it), with a notice the CLI
//! prints ([`kept_in_log_notices`]). A checkpoint that finishes empties the
//! `-wal` (`TRUNCATE`), so a write refused for a full disk gives back the
//! room its log took.
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::Connection;

use crate::atomic::side_file;

/// Copied into the file after a commit once the log holds this many pages
/// (SQLite's own automatic checkpoint, which is turned off: it would copy
/// unguarded); a smaller log is copied at close, when the file has room.
const PAGES_BEFORE_CHECKPOINT: u64 = 1000;

/// How long a checkpoint waits for another program reading the database
/// (the app, another command) to finish with the log: a command should
/// not wait the whole busy timeout for a reader.
const READER_WAIT: Duration = Duration::from_secs(1);

/// Room kept beyond the pages a checkpoint adds: the file system's own
/// blocks for a growing file.
fn margin(growth: u64) -> u64 {
    (1 << 20) + growth / 32
}

/// What stops the database file taking its log: the disk's free space, or
/// this process's file size limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NoRoom {
    Disk,
    SizeLimit,
}

/// Notices of databases whose committed changes are kept in their `-wal`,
/// by database path: the latest word on each (a later checkpoint that
/// finishes takes its notice back).
static KEPT: Mutex<Vec<(PathBuf, String)>> = Mutex::new(Vec::new());

fn keep_notice(path: &Path, notice: Option<String>) {
    let mut kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
    kept.retain(|(p, _)| p != path);
    if let Some(notice) = notice {
        kept.push((path.to_owned(), notice));
    }
}

/// The notices, taken, of databases this process committed changes to
/// that stay in the `-wal` beside them (the disk or the file size limit
/// left no room to copy them into the file, or another program's reading
/// held them there): what a command prints as warnings when it ends.
pub fn kept_in_log_notices() -> Vec<String> {
    let mut kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
    kept.drain(..).map(|(_, notice)| notice).collect()
}

/// When settling: after a write (`Write`), at open (`Open`), or at open to
/// read only (`Read`: never writes the file, only keeps SQLite's close
/// from copying a log that does not fit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum When {
    /// After a write that committed (`true`) or was rolled back.
    Write {
        committed: bool,
    },
    Open,
    Read,
}

/// Settles the log of the file database `conn` has open at `path` (in WAL
/// mode): see the module. `busy_wait` is the connection's busy timeout,
/// set again after the checkpoint's shorter wait. Returns the notice when
/// the changes stay in the `-wal` (also kept for
/// [`kept_in_log_notices`] after a write; at open, the store's warnings
/// say it).
pub(crate) fn settle(
    conn: &Connection,
    path: &Path,
    when: When,
    busy_wait: Duration,
) -> Option<String> {
    let wal = side_file(path, "-wal");
    let wal_len = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    if wal_len == 0 {
        return None;
    }
    let no_copy_at_close = |on: bool| {
        let _ = conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, on);
    };
    let sizes = (|| -> rusqlite::Result<(u64, u64)> {
        let page_size: i64 = conn.pragma_query_value(None, "page_size", |r| r.get(0))?;
        let pages: i64 = conn.pragma_query_value(None, "page_count", |r| r.get(0))?;
        Ok((page_size.max(0) as u64, pages.max(0) as u64))
    })();
    let Ok((page_size, pages)) = sizes else {
        return None;
    };
    let target = page_size.saturating_mul(pages);
    let file_len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let growth = target.saturating_sub(file_len);
    if let Some(no_room) = no_room(path, target, growth) {
        // The file stays whole as it was; its close would copy part.
        no_copy_at_close(true);
        let notice = kept_notice(path, &Kept::NoRoom(no_room, growth));
        if let When::Write { .. } = when {
            keep_notice(path, Some(notice.clone()));
        }
        return Some(notice);
    }
    no_copy_at_close(false);
    let small = wal_len < PAGES_BEFORE_CHECKPOINT.saturating_mul(page_size.max(512));
    match when {
        // Copied at close, which now has room.
        When::Read => return None,
        // A small log (a refused write's too: decision 55 keeps the file
        // byte-identical) is copied at close, which now has room.
        When::Write { .. } | When::Open if small => {
            keep_notice(path, None);
            return None;
        }
        _ => {}
    }
    let _ = conn.busy_timeout(READER_WAIT.min(busy_wait));
    let done = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
        ))
    });
    let _ = conn.busy_timeout(busy_wait);
    let kept = match done {
        // Copied whole; the log emptied, or kept by a reader of it (the
        // next writer starts it again from its beginning).
        Ok((_, log, copied)) if copied >= log => None,
        // Another program reads an older state: the rest is copied when it
        // has finished (its close, or any later command).
        Ok(_) if when == (When::Write { committed: true }) => Some(Kept::Reader),
        Ok(_) => None,
        Err(e) => {
            no_copy_at_close(true);
            Some(Kept::Failed(e.to_string()))
        }
    };
    let notice = kept.map(|kept| kept_notice(path, &kept));
    if let When::Write { .. } = when {
        keep_notice(path, notice.clone());
    }
    notice
}

/// Why committed changes stay in the log.
enum Kept {
    NoRoom(NoRoom, u64),
    Reader,
    Failed(String),
}

fn kept_notice(path: &Path, kept: &Kept) -> String {
    let db = path.display();
    let head = format!(
        "the changes to {db} are saved, but only in {db}-wal beside it: do not delete that file, and never copy or move {db} without it (alone, {db} does not hold these changes)"
    );
    match kept {
        Kept::NoRoom(NoRoom::Disk, growth) => format!(
            "{head}. The disk holding it has no room to copy them into {db}, which grows by about {} with them. Free some space on that disk; any eacdesk command on this database then copies them in.",
            megabytes(*growth)
        ),
        Kept::NoRoom(NoRoom::SizeLimit, growth) => format!(
            "{head}. The file size limit set for this program (ulimit -f) does not let {db} grow by the {} they need. Raise the limit; any eacdesk command on this database then copies them in.",
            megabytes(*growth)
        ),
        Kept::Reader => format!(
            "{head}. Another program (the EAC Desk app, another eacdesk command) was reading the database; its changes are copied in when it has finished, or by any later eacdesk command."
        ),
        Kept::Failed(e) => format!(
            "{head}. Copying them into {db} failed ({e}). Free some space on that disk; any eacdesk command on this database then copies them in."
        ),
    }
}

fn megabytes(bytes: u64) -> String {
    let tenths = bytes.div_ceil(100_000);
    format!("{}.{} MB", tenths / 10, tenths % 10)
}

/// Whether the database file `path` cannot grow by `growth` bytes to
/// `target`: its disk's free space (as this user may use it) or the file
/// size limit.
fn no_room(path: &Path, target: u64, growth: u64) -> Option<NoRoom> {
    if growth == 0 {
        return None;
    }
    #[cfg(unix)]
    {
        #[cfg(target_os = "linux")]
        {
            use rustix::process::{getrlimit, Resource};
            if getrlimit(Resource::Fsize)
                .current
                .is_some_and(|limit| limit < target)
            {
                return Some(NoRoom::SizeLimit);
            }
        }
        if let Ok(fs) = rustix::fs::statvfs(path) {
            let free = fs.f_bavail.saturating_mul(fs.f_frsize);
            if free < growth.saturating_add(margin(growth)) {
                return Some(NoRoom::Disk);
            }
        }
    }
    let _ = target;
    None
}
