//! What a write on a server locks before it reads what it will change, and
//! in which order, so that two desks changing the same EACs take turns: the
//! second waits for the first to commit and then reads what it saved (no
//! change overwrites another, no two writes wait for each other in a
//! circle). A file needs none of it: its one writer holds the database's
//! write lock from the first read of a write to its commit, and every
//! function here only reads there.
//!
//! The order, the same in every write on a server:
//! 1. the import or the claims lock, for a write that takes one
//!    (`ServerLock::Import`, `ServerLock::Claims`);
//! 2. the audit chain's lock ([`chain_first`]), before the write reads
//!    anything it will change: an edit, a deletion, an undo or a
//!    verification when it begins, an import when its batch begins (the
//!    EACs an import replaces are found only as its file is read, so it
//!    cannot lock them first);
//! 3. the rows of the stored EACs it will change, by row id in one
//!    statement ([`select`]: `… ORDER BY id FOR UPDATE`), then those of
//!    envelope-only EACs, by row id;
//! 4. whatever its changes touch then (the rows an import replaces, the
//!    kept counts and totals, new audit records).
//!
//! Every statement after the locks (READ COMMITTED) reads the version of
//! those rows another desk committed last. A dry run takes no lock: it
//! writes nothing and may be run by a role that can only read.

use std::collections::HashSet;

use crate::db::{DbRow, Kind, ServerLock};
use crate::query::{self, Sql};
use crate::write::Write;
use crate::{EacFilter, Result};

/// Step 2: on a server, waits for the audit chain's lock and holds it until
/// the write ends (taking it again later costs nothing); nothing on a file.
pub(crate) fn chain_first(w: &Write) -> Result<()> {
    w.db().server_lock(ServerLock::Audit)
}

/// Runs `sql`, a selection of the rows a write will change from the table
/// `alias` names in it (`eacs e`, `eac_envelopes v`), in row-id order.
/// With `lock` on a server it takes the audit chain's lock first, then
/// locks each row it returns until the write ends: a row another desk
/// deleted meanwhile is left out, one it changed is read as it committed it
/// and tested against the selection again.
pub(crate) fn select<T>(
    w: &Write,
    mut sql: Sql,
    alias: &str,
    lock: bool,
    f: impl FnMut(&dyn DbRow) -> Result<T>,
) -> Result<Vec<T>> {
    sql.push(&format!(" ORDER BY {alias}.id"));
    if lock && w.db().kind() == Kind::Postgres {
        chain_first(w)?;
        sql.push(&format!(" FOR UPDATE OF {alias}"));
    }
    w.db().collect(&sql.text, &sql.args(), f)
}

/// The row ids of the stored EACs `filter` matches, in order ([`select`]).
pub(crate) fn matching(w: &Write, filter: &EacFilter, lock: bool) -> Result<Vec<i64>> {
    let mut sql = Sql::on(w.db(), "SELECT e.id FROM eacs e");
    query::push_filter(&mut sql, filter)?;
    select(w, sql, "e", lock, |r| Ok(r.get(0)?))
}

/// The stored EACs among `ids` (`cds_eac_id`, exact): (row id, id) in row
/// order; an id stored under none is left out ([`select`]).
pub(crate) fn named(w: &Write, ids: &[String], lock: bool) -> Result<Vec<(i64, String)>> {
    let mut sql = Sql::on(
        w.db(),
        "SELECT e.id, e.cds_eac_id FROM eacs e WHERE e.cds_eac_id IN ",
    );
    query::push_id_list(&mut sql, ids);
    select(w, sql, "e", lock, |r| Ok((r.get(0)?, r.get(1)?)))
}

/// The envelope-only EACs among `ids`, as [`named`].
pub(crate) fn envelopes_named(w: &Write, ids: &[String], lock: bool) -> Result<HashSet<String>> {
    let mut sql = Sql::on(
        w.db(),
        "SELECT v.cds_eac_id FROM eac_envelopes v WHERE v.cds_eac_id IN ",
    );
    query::push_id_list(&mut sql, ids);
    Ok(select(w, sql, "v", lock, |r| Ok(r.get::<String>(0)?))?
        .into_iter()
        .collect())
}
