//! The `-wal` and `-shm` files SQLite keeps beside a database in
//! write-ahead-log mode, when they would refuse a write the database
//! itself allows (decision 289).
//!
//! SQLite makes them with the database file's permissions at that moment,
//! owned by whoever opened it. A command that opened the database while
//! its file was read-only (to read it, decision 261), or a colleague with
//! read access only in a shared folder, leaves them behind unwritable:
//! every later write is then refused as if the database were read-only,
//! though its file and folder are writable. Companions this user owns are
//! given the database's permissions again; someone else's are named, with
//! what to do ([`mend`]).

use std::path::Path;

use crate::atomic::{self, side_file};

/// The suffixes of the companion files.
const SUFFIXES: [&str; 2] = ["-wal", "-shm"];

/// Gives a companion of `database` that this user owns but may not write
/// the database file's permissions, when this user may write the database
/// and its folder: what SQLite would make it with now. Then returns the
/// refusal of a write for a companion still unwritable (someone else's),
/// naming the file, its owner and what to do; `None` when there is none,
/// or when the database itself is read-only (that has its own refusal).
/// A failure to mend leaves the file as it was, and is named.
///
/// Another program's database is looked at before anything beside it is
/// changed or named, without a trace
/// ([`crate::db::refuse_other_program_beside`]), and nothing of it or
/// beside it is touched: `None`, and the open that follows refuses it as
/// another program's.
pub fn mend(database: &Path) -> Option<String> {
    if !atomic::database_writable(database) {
        return None;
    }
    // Looked at once, and only when a file beside it is not writable:
    // every open comes through here, and mostly nothing needs mending.
    let mut looked = false;
    let mut blocking = None;
    for suffix in SUFFIXES {
        let side = side_file(database, suffix);
        if !side.is_file() || writable(&side) {
            continue;
        }
        if !std::mem::replace(&mut looked, true)
            && matches!(
                crate::db::refuse_other_program_beside(database),
                Err(crate::StoreError::OtherProgram { .. })
            )
        {
            return None;
        }
        if owned_by_me(&side) {
            if let Ok(meta) = std::fs::metadata(database) {
                let _ = std::fs::set_permissions(&side, meta.permissions());
            }
            if writable(&side) {
                continue;
            }
        }
        blocking.get_or_insert(side);
    }
    let side = blocking?;
    let owner = owner_name(&side);
    Some(format!(
        "{} cannot be written: the file {} beside it belongs to {owner} and is read-only for you (SQLite left it when the database was opened without write access). Nothing was changed. When no one has the database open, delete {} and {} (SQLite makes them again), or ask {owner} or an administrator to.",
        database.display(),
        side.display(),
        side_file(database, "-shm").display(),
        side_file(database, "-wal").display(),
    ))
}

#[cfg(unix)]
fn owned_by_me(path: &Path) -> bool {
    rustix::fs::lstat(path).is_ok_and(|s| s.st_uid == rustix::process::geteuid().as_raw())
}

#[cfg(not(unix))]
fn owned_by_me(_: &Path) -> bool {
    true
}

#[cfg(unix)]
fn writable(path: &Path) -> bool {
    rustix::fs::access(path, rustix::fs::Access::WRITE_OK).is_ok()
}

#[cfg(not(unix))]
fn writable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.permissions().readonly())
}

/// The name of the user owning `path` (from the system's user list), or
/// "user N"; "another user" where owners are not known.
fn owner_name(path: &Path) -> String {
    #[cfg(unix)]
    {
        let Ok(stat) = rustix::fs::stat(path) else {
            return "another user".to_owned();
        };
        let uid = stat.st_uid;
        let named = std::fs::read_to_string("/etc/passwd")
            .ok()
            .and_then(|list| {
                list.lines().find_map(|line| {
                    let mut fields = line.split(':');
                    let name = fields.next()?;
                    let id = fields.nth(1)?.parse::<u32>().ok()?;
                    (id == uid).then(|| name.to_owned())
                })
            });
        named.unwrap_or_else(|| format!("user {uid}"))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        "another user".to_owned()
    }
}
