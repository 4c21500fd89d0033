//! A fresh load: an import into a database that holds no EAC yet builds
//! the browse indexes once, in bulk, after the rows, instead of updating
//! sixteen B-trees per EAC (issue 16). The indexes are dropped at the start
//! of the import's transaction and created again before it commits, each
//! from the migrations' own definition, one statement, once its stored
//! definition (`sqlite_master`) is found to be that text: a database whose
//! stored definitions another tool changed (statements appended to one,
//! which SQLite itself never reads) is refused, nothing imported
//! ([`crate::schema_guard`]); any error or cancel rolls the drop back with
//! everything else.
//! The unique index on `cds_eac_id` is built after the rows too when the
//! input can be read again (a file): a repeated id makes it fail, and the
//! file is then read again with every index in place (decision 233,
//! `import::load_fresh_or_again`); EACs held in memory, which can be gone
//! through once, keep it, and it finds a repeat as it is written.
//!
//! The search index is built on a thread of its own ([`SearchLoad`], decision
//! 216): in a hidden database beside the store, written in large statements
//! and merged at the end where FTS5 would merge it, then copied into a new search table of the store, which
//! takes the empty one's place. The store's own connection would otherwise
//! spend a third of a fresh load splitting text into trigrams.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, OnceLock};
use std::thread;

use rusqlite::{Connection, OptionalExtension};

use crate::write::Write;
use crate::{Phase, Progress, Result, StoreError};

/// The tables whose secondary indexes a fresh load builds after the rows;
/// all of them are empty when `eacs` is.
const TABLES: [&str; 2] = ["eacs", "eac_beneficiaries"];

/// Indexes dropped for a fresh load; [`Deferred::build`] creates them again.
#[must_use = "the indexes must be built again before the write commits"]
pub(crate) struct Deferred {
    /// `CREATE INDEX …` as the migrations write it, in name order.
    definitions: Vec<&'static str>,
    /// `CREATE TRIGGER …` of the kept facet totals ([`crate::facets`]):
    /// one pass at the end instead of ten small writes per EAC.
    triggers: Vec<&'static str>,
}

/// Whether the unique indexes of [`TABLES`] are deferred with the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unique {
    /// Built after the rows: the input can be read again if one fails.
    Deferred,
    /// Kept up to date while the rows are written.
    Kept,
}

/// Lets go of what a fresh load left in the write when it fails before
/// [`Deferred::build`] is done (its search index's thread and beside
/// database, the tally of its kept numbers) and gives the connection the
/// store's page cache back, so that the load can be rolled back to a
/// savepoint and made again.
pub(crate) fn abandon(w: &Write) -> Result<()> {
    drop(w.search_load.borrow_mut().take());
    drop(w.facet_tally.borrow_mut().take());
    w.pragma_update(None, "cache_size", crate::STORE_CACHE_KIB)?;
    w.pragma_update(None, "threads", 0)?;
    Ok(())
}

/// Whether the write's database is a SQLite file that holds no EAC: an
/// import into it is a fresh load.
pub(crate) fn is_fresh(w: &Write) -> Result<bool> {
    // A server builds no database here (`eacdesk server init` does).
    if w.db().sqlite().is_none() {
        return Ok(false);
    }
    let any: Option<i64> = w
        .query_row("SELECT 1 FROM eacs LIMIT 1", [], |r| r.get(0))
        .optional()?;
    Ok(any.is_none())
}

/// [`defer_indexes`] when the database holds no EAC (a fresh load); `None`
/// otherwise (the import updates the indexes as it goes).
pub(crate) fn defer_indexes_if_fresh(w: &Write, unique: Unique) -> Result<Option<Deferred>> {
    if !is_fresh(w)? {
        return Ok(None);
    }
    defer_indexes(w, unique).map(Some)
}

/// Drops the secondary indexes of [`TABLES`], the unique ones only if
/// `unique` says so, for a fresh load (the caller has found the database
/// holds no EAC: [`is_fresh`]). Refuses, dropping nothing, when one of
/// them, of the triggers dropped with them or the search table's
/// definition is not as the migrations write it.
pub(crate) fn defer_indexes(w: &Write, unique: Unique) -> Result<Deferred> {
    let mut indexes: Vec<(String, String)> = Vec::new();
    for table in TABLES {
        let mut stmt = w.prepare(
            "SELECT name, sql FROM sqlite_master
             WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL ORDER BY name",
        )?;
        let found = stmt.query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?;
        for index in found {
            indexes.push(index?);
        }
    }
    let mut triggers = stored_triggers(w, crate::facets::TRIGGER_PREFIX)?;
    for name in crate::facets::INSERT_TRIGGERS {
        triggers.extend(stored_triggers(w, name)?);
    }
    let search: Option<String> = w
        .query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'eac_search'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    // Each checked before anything is dropped: every entry not EAC Desk's
    // is named at once.
    let mut foreign = Vec::new();
    let mut indexes = own_texts("index", indexes, &mut foreign)?;
    let triggers = own_texts("trigger", triggers, &mut foreign)?;
    let search = own_texts(
        "table",
        vec![("eac_search".to_owned(), search.unwrap_or_default())],
        &mut foreign,
    )?;
    if !foreign.is_empty() {
        return Err(crate::schema_guard::changed_outside(
            w.path(),
            &foreign,
            "nothing was imported",
        ));
    }
    let is_unique = |sql: &str| sql.starts_with("CREATE UNIQUE INDEX");
    if unique == Unique::Kept {
        indexes.retain(|(_, sql)| !is_unique(sql));
    }
    // A repeated key is found before the other indexes are built.
    indexes.sort_by_key(|(_, sql)| !is_unique(sql));
    for (name, _) in &indexes {
        // An identifier cannot be a parameter; the names are our own.
        w.execute_batch(&format!("DROP INDEX {}", quoted(name)))?;
    }
    for (name, _) in &triggers {
        w.execute_batch(&format!("DROP TRIGGER {}", quoted(name)))?;
    }
    w.pragma_update(None, "cache_size", LOAD_CACHE_KIB)?;
    *w.search_load.borrow_mut() = Some(SearchLoad::start(w, search[0].1)?);
    *w.facet_tally.borrow_mut() = Some(crate::facets::Tally::start(w)?);
    Ok(Deferred {
        definitions: indexes.into_iter().map(|(_, sql)| sql).collect(),
        triggers: triggers.into_iter().map(|(_, sql)| sql).collect(),
    })
}

/// The migrations' own texts of the schema entries `stored` (name, stored
/// text) of type `kind`, by name; each entry that is not EAC Desk's as
/// the migrations write it is added to `foreign` instead.
fn own_texts(
    kind: &str,
    stored: Vec<(String, String)>,
    foreign: &mut Vec<String>,
) -> Result<Vec<(String, &'static str)>> {
    let mut own = Vec::with_capacity(stored.len());
    for (name, sql) in stored {
        match crate::schema_guard::own_definition(kind, &name, &sql)? {
            Some(text) => own.push((name, text)),
            None => foreign.push(crate::schema_guard::named(kind, &name)),
        }
    }
    Ok(own)
}

impl Deferred {
    /// Every row of the load is written: the search index's thread gets
    /// the last of its text and starts indexing it while the load notes
    /// what it did and builds the other indexes ([`Deferred::build`]).
    pub(crate) fn rows_written(&self, w: &Write) -> Result<()> {
        if let Some(load) = w.search_load.borrow_mut().as_mut() {
            load.close()?;
        }
        Ok(())
    }

    /// Creates the dropped indexes again, each in one sorted pass.
    ///
    /// SQLite's sorter keeps up to the page cache's size in memory besides
    /// the cache itself, so the cache is made smaller while the indexes are
    /// built: the peak stays within a fixed bound at any size (the sorter
    /// spills the rest to a temporary file). The write gives the store its
    /// own cache back when it ends (`Store::write`).
    /// Each index is a step of `progress` ([`Phase::ImportIndexes`], the
    /// search index the last), and a cancel is asked for before each: it
    /// rolls the load back at once (an index of a million EACs takes about
    /// a second) instead of after all of them.
    /// A unique index that cannot be built (the rows repeat a key) fails
    /// with SQLite's constraint error, as an insert would.
    pub(crate) fn build(self, w: &Write, progress: &dyn Progress) -> Result<()> {
        // The search index's thread indexes its text meanwhile.
        let mut load = w.search_load.borrow_mut().take();
        if let Some(load) = &mut load {
            load.close()?;
        }
        w.pragma_update(None, "cache_size", BUILD_CACHE_KIB)?;
        // Hands the pages the smaller cache no longer holds back to the
        // allocator before the sorter asks for its own.
        w.execute_batch("PRAGMA shrink_memory")?;
        // The sorter works on this thread alone while the search index's
        // last pass keeps the other core busy (see BUILD_CACHE_KIB).
        let steps = (self.definitions.len() + 1) as u64;
        // Once the search index's thread is done its core is free: SQLite's
        // sorter may then sort on a helper thread there (at a million EACs
        // the builds outlast the search pass by seconds: 0.97×, decision
        // 233); before, the helper would only take turns with that pass.
        let mut helped = false;
        for (done, sql) in self.definitions.iter().enumerate() {
            progress.update(Phase::ImportIndexes, done as u64, Some(steps));
            if progress.is_cancelled() {
                return Err(StoreError::Cancelled);
            }
            if !helped && load.as_ref().is_none_or(SearchLoad::is_done) {
                w.pragma_update(None, "threads", 1)?;
                helped = true;
            }
            // One statement: `execute` refuses any text after it.
            w.execute(sql, [])?;
        }
        if helped {
            w.pragma_update(None, "threads", 0)?;
        }
        // Set with the indexes dropped; nothing else takes it.
        let tally = w.facet_tally.borrow_mut().take().ok_or_else(|| {
            StoreError::InvalidInput("a fresh load lost the tally of its kept numbers".into())
        })?;
        tally.write(w)?;
        for sql in &self.triggers {
            w.execute(sql, [])?;
        }
        progress.update(Phase::ImportIndexes, steps - 1, Some(steps));
        if let Some(load) = load {
            load.finish(w)?;
        }
        progress.update(Phase::ImportIndexes, steps, Some(steps));
        Ok(())
    }
}

/// The page cache while a fresh load writes its rows: with the indexes
/// dropped the rows are appended, so a smaller cache costs little. 4 MiB
/// against 16 MiB (session 18, alternating runs): a million EACs 76.9 s
/// against 79.5 s (medians of three, within the noise), peak 33.5 against
/// 47.5 MiB; 100k EACs 0.983× the wall time (five pairs), 29.8 against
/// 41.5 MiB.
const LOAD_CACHE_KIB: i64 = -4_096;

/// The page cache while indexes are built (negative: KiB), and so the
/// size of each run of keys the sorter sorts at once. Session 18 sorted
/// those runs on two helper threads (`PRAGMA threads`) while the other
/// core idled: 2.2 s instead of 2.7 s for a 100k-EAC load's 17 indexes.
/// Since the search index's last pass runs beside the builds (decision
/// 230) the helpers only took turns with it: a timeline showed this
/// thread at half a core, waiting for them. Without helpers both cores
/// stay busy: 0.97× the import's wall time (seven pairs, 100k EACs),
/// 2 MiB less peak memory (decision 231). One helper joins once that pass
/// is done ([`Deferred::build`], decision 233).
const BUILD_CACHE_KIB: i64 = -1_024;

/// A fresh load's search index, built on its own thread in a hidden
/// database beside the store (`.eacdesk-search-XXXXXX.sqlite`, see
/// [`crate::fresh`]) while the store's connection writes the rows.
///
/// The hidden database holds a search table made from the store's own
/// definition. It takes no journal and no sync (it is thrown away whatever
/// happens); its text arrives in batches of [`ROWS_PER_STATEMENT`] rows,
/// one statement each, and is stored as the table's text only; when the
/// last batch has arrived, the thread indexes it all in one pass and
/// merges its segments where FTS5 would while the store's connection builds
/// its own indexes ([`crate::search_beside::build`]). At the end
/// ([`SearchLoad::finish`]) the store gets a new search table, the hidden
/// database is attached to the store's connection and its rows are copied
/// into the new table's as they are (the index's pages, its text, its
/// sizes: the same SQLite, the same format), and the new table replaces
/// the store's empty search table. The new table's first use reads the
/// copied index; nothing of the old table's state carries over. The hidden
/// file is detached and removed when the write ends ([`Attached`]).
/// Dropped unfinished (an error, a cancel), the thread stops and the
/// hidden file goes; the store's write rolls back the rest.
pub(crate) struct SearchLoad {
    sender: Option<mpsc::SyncSender<Vec<(i64, String)>>>,
    worker: Option<thread::JoinHandle<rusqlite::Result<()>>>,
    /// Set when the load is dropped unfinished: the thread stops without
    /// indexing what it has.
    abandoned: Arc<AtomicBool>,
    /// Stops the thread's last pass (indexing and merging) at once.
    interrupt: Arc<OnceLock<rusqlite::InterruptHandle>>,
    /// Rows waiting for the next batch, and their bytes of text.
    pending: Vec<(i64, String)>,
    pending_bytes: usize,
    /// The hidden database (removed with the load unless
    /// [`SearchLoad::finish`] has handed it to the write).
    side: Option<SideFile>,
    /// The store's file, for messages.
    store: PathBuf,
    /// The store's `CREATE VIRTUAL TABLE "eac_search" …`, as the
    /// migrations write it.
    definition: &'static str,
}

/// A hidden database of a fresh load: removed (with its journal, then its
/// lock) when dropped.
pub(crate) struct SideFile {
    path: PathBuf,
    /// Held while the hidden file exists (see `fresh::hidden_database`);
    /// dropped after it, removing its own file.
    _lock: crate::fresh::HiddenLock,
}

impl Drop for SideFile {
    fn drop(&mut self) {
        crate::fresh::remove_with_side_files(&self.path);
    }
}

/// The hidden databases attached to the store's connection by the write
/// under way, each under its own schema name. SQLite lets a transaction
/// attach a database but not detach one it has read, so they stay until
/// the write ends; [`Attached::detach`] then lets go of them and removes
/// their files (`Store::write`, whether it committed or rolled back).
#[derive(Default)]
pub(crate) struct Attached(std::cell::RefCell<Vec<(String, SideFile)>>);

impl Attached {
    /// Attaches `side` to the write's connection; its schema name.
    fn attach(&self, w: &Write, side: SideFile) -> Result<String> {
        let mut held = self.0.borrow_mut();
        let schema = format!("eacdesk_side_{}", held.len());
        // The name as the file system has it: on Unix its bytes, whatever
        // they are (SQLite reads a blob given as a file name as its bytes).
        #[cfg(unix)]
        let name = rusqlite::types::Value::Blob(
            std::os::unix::ffi::OsStrExt::as_bytes(side.path.as_os_str()).to_vec(),
        );
        #[cfg(not(unix))]
        let name = rusqlite::types::Value::Text(side.path.to_string_lossy().into_owned());
        w.execute(&format!("ATTACH DATABASE ?1 AS {schema}"), [name])?;
        held.push((schema.clone(), side));
        Ok(schema)
    }

    /// After the write that attached them has ended: detaches every hidden
    /// database and removes its file. (Should one not detach, its file
    /// is still removed where the system allows it; elsewhere the next
    /// open removes it: [`crate::fresh::remove_abandoned`].)
    pub(crate) fn detach(&self, conn: &Connection) {
        for (schema, side) in self.0.borrow_mut().drain(..) {
            let _ = conn.execute_batch(&format!("DETACH DATABASE {schema}"));
            drop(side);
        }
    }
}

/// Rows of search text to one statement of the hidden database (2048
/// measured best in the store itself, issue 16), or fewer when their text
/// reaches [`BYTES_PER_STATEMENT`] (EACs with thousands of numbered values
/// have long search texts).
const ROWS_PER_STATEMENT: usize = 2048;
const BYTES_PER_STATEMENT: usize = 1 << 20;
/// Batches on their way to the thread: the memory a load may hold for it
/// (two, with a 4 MiB page cache beside, took a 1M-EAC import to 72–74 MiB;
/// one and 1 MiB: 53 MiB and no slower).
const BATCHES_AHEAD: usize = 1;

impl SearchLoad {
    /// `definition`: the search table's, as the migrations write it.
    fn start(w: &Write, definition: &'static str) -> Result<SearchLoad> {
        // A database without a file (in memory) builds its index in the
        // system's temporary folder.
        let store = match w.path().filter(|p| !p.is_empty()) {
            Some(path) => PathBuf::from(path),
            None => std::env::temp_dir().join("eacdesk-in-memory"),
        };
        let folder = crate::atomic::folder_of(&store).to_owned();
        let (lock, path) =
            crate::fresh::hidden_database(&folder, crate::fresh::SEARCH_PREFIX, &store)?;
        let (sender, receiver) = mpsc::sync_channel(BATCHES_AHEAD);
        let abandoned = Arc::new(AtomicBool::new(false));
        let interrupt = Arc::new(OnceLock::new());
        let worker = {
            let path = path.clone();
            let (abandoned, interrupt) = (Arc::clone(&abandoned), Arc::clone(&interrupt));
            thread::Builder::new()
                .name("search index".into())
                .spawn(move || {
                    crate::search_beside::build(
                        &path,
                        definition,
                        receiver,
                        &abandoned,
                        &interrupt,
                        crate::search_beside::HASH_BYTES,
                    )
                })
                .map_err(|e| StoreError::Io {
                    path: store.clone(),
                    source: e,
                })?
        };
        Ok(SearchLoad {
            sender: Some(sender),
            worker: Some(worker),
            abandoned,
            interrupt,
            pending: Vec::new(),
            pending_bytes: 0,
            side: Some(SideFile { path, _lock: lock }),
            store,
            definition,
        })
    }

    /// Adds one EAC's search text.
    pub(crate) fn push(&mut self, id: i64, text: String) -> Result<()> {
        self.pending_bytes += text.len();
        self.pending.push((id, text));
        if self.pending.len() >= ROWS_PER_STATEMENT || self.pending_bytes >= BYTES_PER_STATEMENT {
            self.send()?;
        }
        Ok(())
    }

    /// Hands the pending rows to the thread; its error if it stopped.
    fn send(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.pending);
        self.pending_bytes = 0;
        let sent = self.sender.as_ref().map(|s| s.send(batch));
        match sent {
            Some(Ok(())) => Ok(()),
            // The thread ended early: its error says why.
            _ => Err(self.join().err().unwrap_or_else(|| self.stopped())),
        }
    }

    /// Hands the last rows to the thread and tells it there are no more:
    /// it indexes the text and merges the index while the store builds its
    /// other indexes.
    fn close(&mut self) -> Result<()> {
        self.send()?;
        self.sender = None;
        Ok(())
    }

    /// The thread has ended (its last pass done, or stopped).
    fn is_done(&self) -> bool {
        self.worker
            .as_ref()
            .is_none_or(thread::JoinHandle::is_finished)
    }

    /// Waits for the thread; its outcome.
    fn join(&mut self) -> Result<()> {
        self.sender = None;
        match self.worker.take().map(thread::JoinHandle::join) {
            None | Some(Ok(Ok(()))) => Ok(()),
            Some(Ok(Err(e))) => Err(StoreError::Sqlite(e)),
            Some(Err(_)) => Err(self.stopped()),
        }
    }

    fn stopped(&self) -> StoreError {
        StoreError::Io {
            path: self.store.clone(),
            source: std::io::Error::other("the search index of the import stopped"),
        }
    }

    /// Ends the thread's work and puts the index it built in the store's
    /// place: see the type's documentation.
    /// (Closes it first if the caller has not: no row is left behind.)
    fn finish(mut self, w: &Write) -> Result<()> {
        self.close()?;
        self.join()?;
        // The store's definition under another name.
        let (_, using) = self
            .definition
            .split_once(" USING ")
            .expect("a virtual table's definition names its module after USING");
        w.execute(
            &format!("CREATE VIRTUAL TABLE eac_search_load USING {using}"),
            [],
        )?;
        // Attached to the store's connection, the hidden tables are copied
        // by SQLite itself, record by record as stored (the same columns in
        // the same order: `INSERT … SELECT *` into an empty table copies
        // without decoding a row): a million EACs 0.9 s instead of 3.8 s
        // through this program's own statements (decision 235).
        let side = self.side.take().ok_or_else(|| self.stopped())?;
        let schema = w.attached.attach(w, side)?;
        // Into the new table's own tables: SQLite's defensive mode
        // (`schema_guard::defend`) forbids that to SQL, so it is lifted for
        // these statements of EAC Desk's own.
        crate::schema_guard::undefended(w, || {
            for table in SHADOW_TABLES {
                w.execute_batch(&format!(
                    "DELETE FROM eac_search_load_{table};
                     INSERT INTO eac_search_load_{table} SELECT * FROM {schema}.eac_search_{table};"
                ))?;
            }
            Ok::<(), rusqlite::Error>(())
        })?;
        w.execute_batch(
            "DROP TABLE eac_search;
             ALTER TABLE eac_search_load RENAME TO eac_search;",
        )?;
        Ok(())
    }
}

impl Drop for SearchLoad {
    fn drop(&mut self) {
        self.abandoned.store(true, Ordering::Relaxed);
        if let Some(interrupt) = self.interrupt.get() {
            interrupt.interrupt();
        }
        let _ = self.join();
        drop(self.side.take());
    }
}

/// The full-text index's tables (FTS5's shadow tables) that hold data; `config`
/// is left to the new table (its format version; a fresh load's merge
/// settings are SQLite's defaults).
const SHADOW_TABLES: [&str; 4] = ["data", "idx", "docsize", "content"];

/// The triggers whose names start with `prefix` ('' for every trigger),
/// as stored: name and `CREATE TRIGGER …` text, in name order.
fn stored_triggers(w: &Write, prefix: &str) -> Result<Vec<(String, String)>> {
    Ok(w.prepare(
        "SELECT name, coalesce(sql, '') FROM sqlite_master
             WHERE type = 'trigger' AND substr(name, 1, length(?1)) = ?1 ORDER BY name",
    )?
    .query_map([prefix], |r| Ok((r.get(0)?, r.get(1)?)))?
    .collect::<rusqlite::Result<_>>()?)
}

/// Drops the triggers whose names start with `prefix` ('' for every
/// trigger) and returns their `CREATE TRIGGER …` text as the migrations
/// write it, in name order, to make them again when the rows they would
/// recompute are in. Refuses, dropping none, when one is not as the
/// migrations write it (`nothing`: what was not done, for the message).
pub(crate) fn drop_triggers(w: &Write, prefix: &str, nothing: &str) -> Result<Vec<&'static str>> {
    let mut foreign = Vec::new();
    let triggers = own_texts("trigger", stored_triggers(w, prefix)?, &mut foreign)?;
    if !foreign.is_empty() {
        return Err(crate::schema_guard::changed_outside(
            w.path(),
            &foreign,
            nothing,
        ));
    }
    for (name, _) in &triggers {
        w.execute_batch(&format!("DROP TRIGGER {}", quoted(name)))?;
    }
    Ok(triggers.into_iter().map(|(_, sql)| sql).collect())
}

/// An SQL identifier quoted (names come from our own schema).
pub(crate) fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::{ImportOptions, NoProgress, Store, STORE_CACHE_KIB};

    fn cache(store: &Store) -> i64 {
        store
            .conn
            .pragma_query_value(None, "cache_size", |row| row.get(0))
            .unwrap()
    }

    /// The databases open on the store's connection, by schema name.
    fn schemas(store: &Store) -> Vec<String> {
        store
            .conn
            .prepare("SELECT name FROM pragma_database_list WHERE name <> 'temp'")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn a_fresh_load_ends_with_the_stores_own_page_cache_whatever_happens() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
        let dir = tempfile::TempDir::new().unwrap();
        let mut store = Store::open(&dir.path().join("db.sqlite")).unwrap();
        assert_eq!(cache(&store), STORE_CACHE_KIB);
        // Refused half-way through a fresh load: rolled back, cache restored.
        let bad = fixtures.join("rules/rule-07-duplicate-id.json");
        assert!(bad.is_file(), "{}", bad.display());
        store
            .import_file(&bad, ImportOptions::default(), &NoProgress)
            .unwrap_err();
        assert_eq!(cache(&store), STORE_CACHE_KIB);
        store
            .import_file(
                &fixtures.join("canonical-p1.json"),
                ImportOptions::default(),
                &NoProgress,
            )
            .unwrap();
        assert_eq!(cache(&store), STORE_CACHE_KIB);
        // The hidden search database was attached to copy its index in:
        // detached and gone once the import has committed.
        assert_eq!(schemas(&store), ["main"]);
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with(crate::fresh::SEARCH_PREFIX))
            .collect();
        assert!(left.is_empty(), "{left:?}");
        let searched = store
            .conn
            .query_row(
                "SELECT count(*) FROM eac_search WHERE text LIKE '%a%'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .unwrap();
        assert!(searched > 0);
    }
}
