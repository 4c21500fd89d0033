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
pub(crate) const HASH_BYTES: i64 = 8 << 20;

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
/// open). `hash_bytes`: [`HASH_BYTES`] (smaller in tests, to make many
/// segments from little text).
pub(crate) fn build(
    path: &Path,
    definition: &str,
    batches: mpsc::Receiver<Vec<(i64, String)>>,
    abandoned: &AtomicBool,
    interrupt: &OnceLock<InterruptHandle>,
    hash_bytes: i64,
) -> rusqlite::Result<()> {
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let _ = interrupt.set(conn.get_interrupt_handle());
    crate::schema_guard::untrusted_schema(&conn)?;
    // Thrown away whatever happens: no journal, no sync.
    conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")?;
    conn.pragma_update(None, "cache_size", SEARCH_CACHE_KIB)?;
    // EAC Desk's own definition (`schema_guard::own_definition`), one statement.
    conn.execute(definition, [])?;
    // Segments merged at the end, instead of level by level as they are
    // written (a merge only when 64 wait on one level, so that a load
    // of any size stays within the index's limit of segments).
    conn.execute_batch(
        "INSERT INTO eac_search (eac_search, rank) VALUES ('automerge', 0);
         INSERT INTO eac_search (eac_search, rank) VALUES ('crisismerge', 64);",
    )?;
    conn.execute(
        "INSERT INTO eac_search (eac_search, rank) VALUES ('hashsize', ?1)",
        [hash_bytes],
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The store's definition of the search table (migration 0002).
    const DEFINITION: &str = "CREATE VIRTUAL TABLE eac_search USING fts5 \
        (text, tokenize = 'trigram', detail = 'none')";

    fn varint(bytes: &[u8], at: &mut usize) -> u64 {
        let mut value = 0u64;
        for i in 0..9 {
            let b = bytes[*at];
            *at += 1;
            if i == 8 {
                return (value << 8) | u64::from(b);
            }
            value = (value << 7) | u64::from(b & 0x7f);
            if b & 0x80 == 0 {
                break;
            }
        }
        value
    }

    /// The index's segments, from its structure record (FTS5's `%_data`
    /// row 10: a 4-byte cookie, then varints: levels, segments, …).
    fn segments(path: &Path) -> u64 {
        let conn = Connection::open(path).unwrap();
        let record: Vec<u8> = conn
            .query_row("SELECT block FROM eac_search_data WHERE id = 10", [], |r| {
                r.get(0)
            })
            .unwrap();
        let mut at = 4;
        let _levels = varint(&record, &mut at);
        varint(&record, &mut at)
    }

    /// Builds the index of `texts` with a hash so small that every text
    /// makes a segment of its own; the segments it ends with.
    fn built(texts: &[&str]) -> (u64, tempfile::TempDir) {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("search.sqlite");
        // Made beforehand, as the load's hidden database is.
        std::fs::File::create(&path).unwrap();
        let (sender, receiver) = mpsc::sync_channel(1);
        let rows: Vec<(i64, String)> = (1..).zip(texts.iter().map(|t| t.to_string())).collect();
        sender.send(rows).unwrap();
        drop(sender);
        build(
            &path,
            DEFINITION,
            receiver,
            &AtomicBool::new(false),
            &OnceLock::new(),
            1,
        )
        .unwrap();
        let conn = Connection::open(&path).unwrap();
        conn.execute(
            "INSERT INTO eac_search (eac_search, rank) VALUES ('integrity-check', 1)",
            [],
        )
        .unwrap();
        for (id, text) in (1i64..).zip(texts) {
            let needle = format!("%{}%", &text[1..4]);
            let found: Vec<i64> = conn
                .prepare("SELECT rowid FROM eac_search WHERE text LIKE ?1")
                .unwrap()
                .query_map([&needle], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert!(found.contains(&id), "{needle}: {found:?}");
        }
        (segments(&path), dir)
    }

    #[test]
    fn a_level_of_four_segments_or_more_is_merged_into_one() {
        let texts = [
            "cust-0001 north",
            "cust-0002 south",
            "cust-0003 east",
            "cust-0004 west",
            "cust-0005 wind",
            "cust-0006 hydro",
        ];
        let (segments, _dir) = built(&texts);
        assert_eq!(segments, 1);
    }

    #[test]
    fn fewer_segments_than_fts5_would_merge_are_left_as_they_are() {
        let (segments, _dir) = built(&["cust-0001 north", "cust-0002 south", "cust-0003 east"]);
        assert_eq!(segments, 3);
    }
}
