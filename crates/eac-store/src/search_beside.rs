//! The thread of a fresh load that builds the search index in a hidden
//! database of its own (`bulk::SearchLoad`, decisions 216 and 230). It
//! writes only that scratch database, never the store, so it takes no
//! `Write`: the store's rows change only in `bulk`, through the load's
//! write.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, OnceLock};

use rusqlite::{params_from_iter, Connection, InterruptHandle, OpenFlags};

/// The hidden database's page cache (negative: KiB).
const SEARCH_CACHE_KIB: i64 = -1_024;

/// The index's terms gathered in memory before it writes them out as a
/// segment while it indexes the text (FTS5's `hashsize`; its default is
/// 1 MiB). Fewer, larger segments leave less to merge at the end: 100k
/// EACs, the import's wall time 1 MiB → 8 MiB 0.93× (two pairs), 4 MiB
/// against 8 MiB 1.04× (five pairs), for about 5 MiB more peak memory each
/// time it doubles. 16 MiB was 0.95× against 8 MiB, but a million EACs
/// then peaked at 54–59 MiB, too near the 64 MiB target.
const HASH_BYTES: i64 = 8 << 20;

/// The most pages the last merge may write (FTS5 reads the number as a
/// 32-bit integer): more than any index holds, so it merges until no level
/// holds `usermerge` segments.
const MERGE_PAGES: i64 = i32::MAX as i64;

/// The thread's work: the search table in the hidden database at `path`.
/// While the load reads, each batch received is stored as the table's
/// text only (its `content` rows); when the sender is dropped the index
/// is made from that text in one pass (FTS5's `rebuild`) and its segments
/// merged where FTS5 would merge them, while the store's connection builds its own indexes.
/// When the load is `abandoned` it stops at once: between batches by the
/// flag, in the last pass by `interrupt` (set here once the connection is
/// open).
pub(crate) fn build(
    path: &Path,
    definition: &str,
    batches: mpsc::Receiver<Vec<(i64, String)>>,
    abandoned: &AtomicBool,
    interrupt: &OnceLock<InterruptHandle>,
) -> rusqlite::Result<()> {
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let _ = interrupt.set(conn.get_interrupt_handle());
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
    conn.execute(
        "INSERT INTO eac_search (eac_search, rank) VALUES ('hashsize', ?1)",
        [HASH_BYTES],
    )?;
    let tx = conn.transaction()?;
    for batch in batches {
        if abandoned.load(Ordering::Relaxed) {
            return Ok(());
        }
        // The text alone, as the table keeps it (its `content` table): the
        // reading and storing threads keep both cores busy until the file
        // is read, and indexing it all at the end takes the core the
        // store's index builds leave free (decision 230).
        let sql = format!(
            "INSERT INTO eac_search_content (id, c0) VALUES {}",
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
    tx.execute_batch("INSERT INTO eac_search (eac_search) VALUES ('rebuild')")?;
    // Merged where FTS5's own automatic merging would merge (a level holding
    // `usermerge`, 4, segments or more: a million EACs make 14), and left
    // as they are otherwise (100k EACs make 2, which every search reads
    // as fast as one): the store's later writes then start from the state
    // they would have made themselves (decision 231).
    tx.execute(
        "INSERT INTO eac_search (eac_search, rank) VALUES ('merge', ?1)",
        [MERGE_PAGES],
    )?;
    tx.commit()
}
