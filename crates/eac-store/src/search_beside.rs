//! The thread of a fresh load that builds the search index in a hidden
//! database of its own (`bulk::SearchLoad`, decision 216). It writes only
//! that scratch database, never the store, so it takes no `Write`: the
//! store's rows change only in `bulk`, through the load's write.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex, PoisonError};

use rusqlite::{params_from_iter, Connection, InterruptHandle, OpenFlags};

/// The hidden database's page cache (negative: KiB).
const SEARCH_CACHE_KIB: i64 = -1_024;

/// The thread's work: the search table in the hidden database at `path`,
/// built from every batch received once the sender is dropped, unless the
/// load was `abandoned` (then it stops at once; `interrupt` receives the
/// connection's handle, so that a drop can stop a statement already running).
///
/// While the store's connection writes the rows, both cores are busy (it,
/// and the thread reading the file); the text is only kept here, in a plain
/// table, which costs little. It is split into trigrams at the end, in one
/// statement, while the store's connection builds its browse indexes and
/// the second core would otherwise wait: the same index (the same pages,
/// byte for byte), 3 % less time for a 100k-EAC import and less memory
/// than indexing each batch as it came (issue 16, decision 226).
pub(crate) fn build(
    path: &Path,
    definition: &str,
    batches: mpsc::Receiver<Vec<(i64, String)>>,
    abandoned: &AtomicBool,
    interrupt: &Mutex<Option<InterruptHandle>>,
) -> rusqlite::Result<()> {
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    *interrupt.lock().unwrap_or_else(PoisonError::into_inner) = Some(conn.get_interrupt_handle());
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
    tx.execute_batch("CREATE TABLE pending (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")?;
    for batch in batches {
        if abandoned.load(Ordering::Relaxed) {
            return Ok(());
        }
        let sql = format!(
            "INSERT INTO pending (id, text) VALUES {}",
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
    // One statement: the index writes its pending terms when its hash table
    // is full (1 MiB), not at every statement.
    tx.execute_batch(
        "INSERT INTO eac_search (rowid, text) SELECT id, text FROM pending ORDER BY id;
         INSERT INTO eac_search (eac_search) VALUES ('optimize');",
    )?;
    tx.commit()
}
