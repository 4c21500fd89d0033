//! The thread of a fresh load that builds the search index in a hidden
//! database of its own (`bulk::SearchLoad`, decision 216). It writes only
//! that scratch database, never the store, so it takes no `Write`: the
//! store's rows change only in `bulk`, through the load's write.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use rusqlite::{params_from_iter, Connection, OpenFlags};

/// The hidden database's page cache (negative: KiB).
const SEARCH_CACHE_KIB: i64 = -1_024;

/// The thread's work: the search table in the hidden database at `path`,
/// every batch received written, merged once when the sender is dropped
/// (unless the load was `abandoned`: then it stops at once).
pub(crate) fn build(
    path: &Path,
    definition: &str,
    batches: mpsc::Receiver<Vec<(i64, String)>>,
    abandoned: &AtomicBool,
) -> rusqlite::Result<()> {
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // Thrown away whatever happens: no journal, no sync.
    conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")?;
    conn.pragma_update(None, "cache_size", SEARCH_CACHE_KIB)?;
    conn.execute_batch(definition)?;
    // Segments merged once, at the end, instead of level by level as they
    // are written (a merge only when 64 wait on one level, so that a load
    // of any size stays within the index's limit of segments).
    conn.execute_batch(
        "INSERT INTO eac_search (eac_search, rank) VALUES ('automerge', 0);
         INSERT INTO eac_search (eac_search, rank) VALUES ('crisismerge', 64);",
    )?;
    let tx = conn.transaction()?;
    for batch in batches {
        if abandoned.load(Ordering::Relaxed) {
            return Ok(());
        }
        let sql = format!(
            "INSERT INTO eac_search (rowid, text) VALUES {}",
            crate::rows::value_rows("(?, ?)", batch.len())
        );
        let values = batch
            .iter()
            .flat_map(|(id, text)| [id as &dyn rusqlite::ToSql, text as &dyn rusqlite::ToSql]);
        tx.prepare_cached(&sql)?.execute(params_from_iter(values))?;
    }
    if abandoned.load(Ordering::Relaxed) {
        return Ok(());
    }
    tx.execute_batch("INSERT INTO eac_search (eac_search) VALUES ('optimize');")?;
    tx.commit()
}
