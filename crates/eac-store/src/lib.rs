//! The local SQLite store of EACs: schema and migrations, streaming import
//! (one transaction per file), browse queries with exact totals, audited
//! beneficiary edits and streaming, atomic P1 export.
//!
//! Invariants: only this crate talks to SQLite; every SQL statement is
//! parameterized; every mutation runs through one write handle
//! ([`mod@write`]: one transaction, one clock reading) that also writes its
//! audit record; quantities are stored and summed as exact decimals.
//!
//! Layout: `migrate` (schema versions), `write` (the write handle and
//! [`Reason`]), `rows` (an EAC over its tables, the only code writing EAC
//! rows), `query` (filters and sorts as bound SQL), `import`, `edit`,
//! `emissions`, `history`, `refdata` and the verify code of `p2` (the
//! mutations, each taking the write handle), `periods` (closed reporting
//! periods, and the check that refuses any write changing an EAC inside
//! one), `lock` (what a write on a server locks before it reads what it
//! changes, in one order), `browse` and `export` (the read paths).

pub mod api;
pub mod atomic;
mod browse;
mod bulk;
pub mod chain;
pub mod check;
mod claimed;
pub mod claims;
pub mod companions;
mod db;
mod edit;
mod emissions;
mod error;
mod export;
mod facets;
mod fields;
mod fold;
mod freed;
mod fresh;
mod history;
mod import;
/// Errors an import or export reports before it stops reading: a refusal
/// holding this many says "the first N", never a total.
pub use import::MAX_REPORTED as MAX_REPORTED_ERRORS;
mod lock;
mod migrate;
mod opened;
pub mod p2;
mod packs;
mod percent;
mod periods;
mod pipe;
pub mod placing;
mod provenance;
mod query;
mod refdata;
pub mod registry;
pub mod regular;
mod rows;
mod schema_guard;
mod search_beside;
pub mod server;
pub mod server_copy;
mod spill;
mod summary;
mod wal;
mod watch;
mod write;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use api::*;
pub use chain::{ChainBreak, ChainReport};
pub use check::{CheckReport, Finding, FindingKind, FindingSide};
pub use claims::{
    AllocatedElsewhere, AllocationEntry, ClaimFactorKept, ClaimFactors, ClaimRecord,
    ConsumptionClaimed, ConsumptionDeleted, ConsumptionEntry, FactorEntry, NewAllocation, NewClaim,
    NewConsumption, FACTOR_KINDS,
};
use eac_model::Eac;
pub use edit::{
    Confirmed, CHANGED_SINCE_OPENED, RELOAD_ADVICE, REMOVED_ADVICE, REMOVED_SINCE_OPENED,
};
pub use emissions::{parse_emission_factor, EmissionFactors};
pub use error::{ChangedSince, ErrorCode, FilterProblem, Result, StoreError};
pub use fields::{FieldValue, SetFieldsReport, SettableField};
pub use fold::{canonically_equal, name_key};
pub use fresh::NewDatabase;
pub use opened::{FileNow, OpenedFile};
pub use packs::{AuditChainRow, ClosedPeriodEntry, ExportWritten, NewPack, PackRecord};
pub use periods::{who, who_logged_in, ClosedPeriod};
pub use placing::{PlaceFailed, UnplacedExport};
pub use query::{check_filter, SEARCH_MAX_CHARS};
pub use refdata::{RefdataCount, RefdataEntry, RefdataRemoval, RefdataReport, StillNamed};
pub use registry::{
    AlteredDocument, CertRange, MissingCount, RangeOverlap, RangeSide, RegistryDocument,
    RegistryEac, RegistryImportReport, RestatedKind, RestatedNote, SavedMapping, SeenBefore,
    SkippedEntry, SourceView, StationInfo,
};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
pub use spill::{scratch_folder, Spill};
pub use wal::kept_in_log_notices;
pub use watch::StoreWatch;
pub use write::Reason;

/// How long a write waits for another process's write transaction (the CLI
/// importing while the app is open) before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Most rows one browse page (or suggestion list) returns; also the size of
/// a page asked for with limit 0.
pub const MAX_PAGE: usize = 1000;

/// Rows of one page: 0 (unspecified) or anything larger than [`MAX_PAGE`]
/// gives [`MAX_PAGE`].
pub(crate) fn page_size(limit: usize) -> usize {
    if limit == 0 {
        MAX_PAGE
    } else {
        limit.min(MAX_PAGE)
    }
}

/// The end of every import's transaction ([`history::finish_import`], then
/// `cds_synced`): the report counts a full EAC that took the place of an
/// envelope-only one as replaced, as the batch's row, the audit log and
/// the undo do.
fn import_finished(w: &write::Write, mut report: FileImportReport) -> Result<FileImportReport> {
    let finished = history::finish_import(w)?;
    let replaced = finished.replaced;
    report.added = report.added.saturating_sub(replaced);
    report.replaced += replaced;
    report.readded = finished.readded.len();
    if let Some(warning) = history::readded_warning(&finished.readded) {
        // First, where the first warnings are kept: an EAC deleted with a
        // reason is back, which no other warning outweighs.
        report.warnings.insert(0, warning.with_file(&report.file));
        report.warnings.truncate(import::MAX_REPORTED);
        report.warning_count += 1;
    }
    p2::mark_synced_by_latest_batch(w)?;
    Ok(report)
}

/// An open EAC database.
pub struct Store {
    conn: rusqlite::Connection,
    path: PathBuf,
    /// The file is in write-ahead-log mode. A database another tool left in
    /// rollback-journal mode is switched only after a write has succeeded,
    /// so a refused operation leaves the file byte-identical.
    wal: bool,
    /// Found at open (missing audit triggers, …); see [`Store::warnings`].
    warnings: Vec<String>,
    /// The user's display name, written into every audit record beside the
    /// OS login ([`Store::set_audit_name`]).
    audit_name: Option<String>,
    /// Built hidden by [`NewDatabase`]: stays in rollback-journal mode with
    /// `synchronous = OFF` until [`NewDatabase::finish`] syncs it once.
    fresh: bool,
    /// A database on a PostgreSQL server ([`Store::open_server`]): the
    /// operations ported to the backend seam (`db.rs`) run there; `conn` is
    /// then an empty in-memory database nothing reads (see
    /// [`Store::sqlite`]).
    server: Option<db::PgDb>,
    /// The last filter counted for a page's plan ([`facets::Counted`]).
    counted: facets::Counted,
    /// Hidden databases a write has attached to `conn` (a fresh load's
    /// search index, `bulk::SearchLoad::finish`): detached and removed
    /// when that write ends, however it ends.
    attached: bulk::Attached,
    /// The file `conn` opened, as it was then (`None`: in memory, on a
    /// server, or not looked at): [`Store::close`] leaves another file
    /// put at the path since, or this one emptied, as it is.
    opened: Option<opened::OpenedFile>,
    /// The busy timeout set on `conn` ([`Store::set_busy_timeout`]): a
    /// checkpoint waits less for readers, then sets it again.
    busy_wait: std::cell::Cell<Duration>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// Whether SQLite's log beside a database (its `-wal`) was there before a
/// connection opened it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SideFiles {
    wal: bool,
}

impl SideFiles {
    pub(crate) fn of(path: &Path) -> SideFiles {
        SideFiles {
            wal: atomic::side_file(path, "-wal").exists(),
        }
    }

    /// Closes `conn`, which has written nothing, leaving `path` as it was
    /// found: a `-wal` that was there is not checkpointed into the file
    /// (the last connection does that as it closes, changing the file's
    /// bytes) and stays as it was. Without one, SQLite's close removes the
    /// `-wal` and `-shm` it made (none, while another connection has the
    /// file open: they are that one's). The `-shm` made beside a `-wal`
    /// that had none stays (removing it while another program opened the
    /// file meanwhile would break its reading); SQLite makes it again
    /// from the log at the next open.
    pub(crate) fn leave(self, conn: Connection) {
        use rusqlite::config::DbConfig;
        if self.wal {
            let _ = conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true);
        }
        let _ = conn.close();
    }
}

/// What an open is for: a read-only open changes nothing in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    Write,
    /// [`Access::Write`] of a database that must be there already
    /// ([`Store::open_existing`]): nothing is made.
    Existing,
    Read,
    /// A file no one else knows of yet ([`NewDatabase`]).
    New,
}

/// The store's page cache (negative: KiB).
pub(crate) const STORE_CACHE_KIB: i64 = -32_768;

/// The page size of a database file this program creates (SQLite's
/// default is 4 KiB; a file keeps its page size for life, so a database
/// made by an earlier version keeps 4 KiB pages). A quarter as many pages
/// to read, write, balance and sort runs of for the same rows: an import
/// of 1M EACs into a new file 0.90× the wall time, of 100k 0.86× (six
/// alternating pairs each), the P1 export the same, byte for byte (decision
/// 234). The page caches are set in KiB, so the memory they take stays the
/// same; the sorter's smallest run is 250 pages (4 MiB instead of 1 MiB),
/// +3 MiB of peak memory in an import.
pub(crate) const NEW_PAGE_SIZE: i64 = 16_384;

impl Store {
    /// Opens (creating when missing) and migrates the database at `path`,
    /// for reading and writing. Foreign keys on, a busy timeout so a
    /// concurrent writer (the CLI while the app is open) waits instead of
    /// failing. Nothing is written to an existing file at the current schema
    /// until an operation writes: the switch to write-ahead logging happens
    /// after the first write that succeeds.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_as(path, Access::Write).map_err(|e| e.busy_at(path))
    }

    /// [`Store::open`] of a database that must be there already, for a
    /// program that opens again the database it has chosen (the app's
    /// long operations each open their own connection): a missing file
    /// is [`StoreError::DatabaseGone`], and so is a file emptied to 0
    /// bytes (`emptied`), with nothing made, neither the file, nor its
    /// folder, nor a database in the empty file. SQLite opens it without
    /// `SQLITE_OPEN_CREATE`, so a file deleted just before is not made
    /// again either. Making a database stays [`Store::open`]'s (a file
    /// the user names) and [`NewDatabase`]'s.
    pub fn open_existing(path: &Path) -> Result<Store> {
        Store::open_as(path, Access::Existing).map_err(|e| e.busy_at(path))
    }

    /// The refusal of [`Store::open_existing`] when nothing, or an empty
    /// file, is at `path`.
    fn gone(path: &Path) -> Option<StoreError> {
        let gone = |emptied| {
            Some(StoreError::DatabaseGone {
                path: path.to_owned(),
                emptied,
            })
        };
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => gone(false),
            _ if atomic::is_empty_database_file(path) => gone(true),
            _ => None,
        }
    }

    /// Closes the connection. While the file at the path is the one it
    /// opened, as SQLite closes it: the last connection copies the log
    /// into the file and removes the `-wal` and `-shm`. When it is not
    /// (deleted or moved, emptied to 0 bytes, or another file put there:
    /// device and inode compared with those taken at the open), SQLite
    /// is told not to checkpoint on close
    /// (`SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE`): nothing is written into
    /// whatever is at the path now, and the `-wal` and `-shm` beside it,
    /// which may be another database's, are left as they are. Dropping a
    /// store closes it as SQLite does, without this look.
    pub fn close(self) {
        use rusqlite::config::DbConfig;
        let moved = self
            .opened
            .as_ref()
            .is_some_and(|opened| !opened.still_at(&self.path));
        if moved {
            let _ = self
                .conn
                .set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true);
        }
        let _ = self.conn.close();
    }

    /// Opens the database for reading (`ls`, `show`, `audit`, export): the
    /// file is not created, its journal mode is left alone and missing audit
    /// triggers are only reported. A missing file, or an empty one
    /// ([`atomic::is_empty_database_file`]: 0 bytes, left as it is), reads
    /// as an empty database (held in memory). An older schema is still
    /// upgraded: the queries need it, and the upgrade is one transaction.
    pub fn open_read(path: &Path) -> Result<Store> {
        Store::open_as(path, Access::Read).map_err(|e| e.busy_at(path))
    }

    /// An empty database held in memory, named `path`: what a read of a
    /// missing or empty file sees. Nothing touches the file.
    pub(crate) fn empty_in_memory(path: &Path) -> Result<Store> {
        let mut conn = Connection::open_in_memory()?;
        schema_guard::defend(&conn)?;
        fold::register(&conn)?;
        summary::register(&conn)?;
        migrate::apply(&mut conn, path)?;
        Ok(Store {
            conn,
            path: path.to_owned(),
            wal: true,
            warnings: Vec::new(),
            audit_name: None,
            fresh: false,
            server: None,
            counted: Default::default(),
            attached: Default::default(),
            opened: None,
            busy_wait: std::cell::Cell::new(BUSY_TIMEOUT),
        })
    }

    fn open_as(path: &Path, access: Access) -> Result<Store> {
        let io_error = |source| StoreError::Io {
            path: path.to_owned(),
            source,
        };
        // An empty file is no database yet: SQLite would make one in it,
        // 1 MB of tables a read did not ask for (decision 55).
        if access == Access::Read && (!path.exists() || atomic::is_empty_database_file(path)) {
            return Store::empty_in_memory(path);
        }
        // Nothing to open again: made neither here nor by SQLite below.
        if access == Access::Existing {
            if let Some(gone) = Store::gone(path) {
                return Err(gone);
            }
        }
        // Another program's database is refused before anything, SQLite's
        // files beside it included, is made or changed.
        db::refuse_other_program_untouched(path)?;
        if access != Access::Existing {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(io_error)?;
            }
        }
        if matches!(access, Access::Write | Access::Existing) {
            // Hidden databases a killed `import` left beside this one.
            fresh::remove_abandoned(atomic::folder_of(path));
        }
        let found = SideFiles::of(path);
        let conn = Store::connect(path, access != Access::Existing).map_err(|e| match e {
            // Deleted since it was looked at: SQLite did not make it again.
            rusqlite::Error::SqliteFailure(f, _)
                if access == Access::Existing
                    && f.code == rusqlite::ErrorCode::CannotOpen
                    && !path.exists() =>
            {
                StoreError::DatabaseGone {
                    path: path.to_owned(),
                    emptied: false,
                }
            }
            // Not a database, or no file there to open: say which file.
            rusqlite::Error::SqliteFailure(f, _)
                if matches!(
                    f.code,
                    rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::CannotOpen
                ) =>
            {
                io_error(std::io::Error::other(e))
            }
            e => e.into(),
        });
        // Refuse another program's database (its schema still in a -wal
        // the first look could not read), a newer or a foreign schema
        // before changing anything in the file.
        let mut conn = Store::refuse_other_program(conn?, path, found)?;
        migrate::check_version(&conn, path)?;
        // Emptied since it was looked at: the migrations below would make
        // a database in it.
        if access == Access::Existing && atomic::is_empty_database_file(path) {
            found.leave(conn);
            return Err(StoreError::DatabaseGone {
                path: path.to_owned(),
                emptied: true,
            });
        }
        // Connection settings only: none of these writes to the file.
        conn.pragma_update(None, "foreign_keys", true)?;
        // A new database's file is synced once, when it is complete.
        let synchronous = if access == Access::New {
            "OFF"
        } else {
            "NORMAL"
        };
        conn.pragma_update(None, "synchronous", synchronous)?;
        // Large imports touch many index pages: 32 MiB of page cache.
        conn.pragma_update(None, "cache_size", STORE_CACHE_KIB)?;
        // Sorts too big for the cache (an index built after a fresh load,
        // a large ORDER BY) spill to a temporary file, not to memory (the
        // bundled SQLite's default): memory stays flat at any size.
        conn.pragma_update(None, "temp_store", "FILE")?;
        // After a large import the log is checkpointed; keep it from staying huge.
        conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
        // The log is copied into the file by `wal::settle` after each write,
        // only when the file has room to grow: SQLite's automatic copy
        // would stop part-way on a full disk.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        // Takes effect only in a file that holds nothing yet (the migrations
        // below then create its tables); SQLite ignores it otherwise.
        conn.pragma_update(None, "page_size", NEW_PAGE_SIZE)?;
        let migrated = migrate::apply(&mut conn, path)?;
        let mode: String = conn.pragma_query_value(None, "journal_mode", |row| row.get(0))?;
        // The file this connection opened, once its schema is in it (read
        // after SQLite opened it: a file put at the path in between is
        // taken for the one opened, and closed as SQLite would close it).
        let opened = opened::OpenedFile::at(path);
        let mut store = Store {
            conn,
            path: path.to_owned(),
            wal: mode.eq_ignore_ascii_case("wal"),
            warnings: Vec::new(),
            audit_name: None,
            fresh: access == Access::New,
            server: None,
            counted: Default::default(),
            attached: Default::default(),
            opened,
            busy_wait: std::cell::Cell::new(BUSY_TIMEOUT),
        };
        let missing = migrate::missing_triggers(&store.conn)?;
        if !missing.is_empty() {
            let names = missing.join(", ");
            if access != Access::Read {
                store.write(|w| migrate::restore_triggers(w, &missing))?;
                store.warnings.push(format!(
                    "{}: the audit-log protection ({names}) was missing and has been re-created; \
                     another tool removed it, so check the audit log",
                    path.display()
                ));
            } else {
                store.warnings.push(format!(
                    "{}: the audit-log protection ({names}) is missing (another tool removed \
                     it); the next command that writes re-creates it, then check the audit log",
                    path.display()
                ));
            }
        }
        if migrated {
            store.after_write();
        }
        // A log an earlier command could not copy into the file: copied
        // now when the file has room, else said, and kept from SQLite's
        // close (which would copy part of it).
        let when = match access {
            Access::Read => wal::When::Read,
            _ => wal::When::Open,
        };
        if let Some(notice) = store.settle_log(when) {
            store.warnings.push(notice);
        }
        Ok(store)
    }

    /// Opens the EAC Desk database on the PostgreSQL server `conn` names
    /// (`postgres://USER@HOST/DATABASE`, the password from the URL or
    /// `PGPASSWORD`), set up by `eacdesk server init` at this build's
    /// schema. Browsing, totals, the detail of an EAC, the P1 and P2
    /// exports and evidence packs run on the server; what is not ported to
    /// it yet is refused with
    /// [`StoreError::NotOnServer`], never run elsewhere.
    pub fn open_server(conn: &str) -> Result<Store> {
        let mut client = server::connect(conn)?;
        let shown = server::without_password(conn);
        server::check_for_open(&mut client, conn, &shown)?;
        Ok(Store {
            conn: Connection::open_in_memory()?,
            path: PathBuf::from(shown),
            wal: true,
            warnings: Vec::new(),
            audit_name: None,
            fresh: false,
            server: Some(db::PgDb::new(client)),
            counted: Default::default(),
            attached: Default::default(),
            opened: None,
            busy_wait: std::cell::Cell::new(BUSY_TIMEOUT),
        })
    }

    /// Whether this store is a database on a PostgreSQL server.
    pub fn is_server(&self) -> bool {
        self.server.is_some()
    }

    /// The database the ported operations run on.
    pub(crate) fn db(&self) -> &dyn db::Db {
        match &self.server {
            Some(server) => server,
            None => &self.conn,
        }
    }

    /// The SQLite connection, for operations not ported to the backend
    /// seam yet: refused on a server database (`what` names the operation).
    pub(crate) fn sqlite(&self, what: &str) -> Result<&Connection> {
        match &self.server {
            Some(_) => Err(StoreError::NotOnServer {
                operation: what.to_owned(),
            }),
            None => Ok(&self.conn),
        }
    }

    /// Opens the connection and reads the first page (an error here means
    /// the file cannot be opened or is not a database). Changes nothing.
    /// [`migrate::refuse_other_program`] on `conn`, just opened to
    /// `path` (its `-wal` as `found` before it opened):
    /// refused, the connection is closed leaving the files as they were
    /// found ([`SideFiles::leave`]).
    pub(crate) fn refuse_other_program(
        conn: Connection,
        path: &Path,
        found: SideFiles,
    ) -> Result<Connection> {
        match migrate::refuse_other_program(&conn, path) {
            Ok(()) => Ok(conn),
            Err(e) => {
                found.leave(conn);
                Err(e)
            }
        }
    }

    /// `create`: a missing file is made (`SQLITE_OPEN_CREATE`); else
    /// SQLite refuses to open it (`CannotOpen`).
    fn connect(path: &Path, create: bool) -> rusqlite::Result<Connection> {
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let mut conn = Connection::open_with_flags(path, flags)?;
        // Before anything reads the schema: it is the file's, not ours.
        schema_guard::defend(&conn)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        fold::register(&conn)?;
        summary::register(&conn)?;
        // Write transactions take the write lock when they begin, so a second
        // writer waits (busy timeout) at BEGIN instead of failing half-way.
        conn.set_transaction_behavior(TransactionBehavior::Immediate);
        conn.set_prepared_statement_cache_capacity(64);
        conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
        Ok(conn)
    }

    /// After a write has committed: a file still in rollback-journal mode
    /// (new, or left so by another tool) now switches to write-ahead logging,
    /// so readers (the app) never block a writer (the CLI). A switch another
    /// connection blocks is tried again after the next write.
    fn after_write(&mut self) {
        if self.wal || self.fresh {
            return;
        }
        let switched = self
            .conn
            .pragma_update_and_check(None, "journal_mode", "wal", |row| row.get::<_, String>(0));
        self.wal = switched.is_ok_and(|mode| mode.eq_ignore_ascii_case("wal"));
    }

    /// Problems found when the database was opened, in plain words (the
    /// CLI prints them to stderr; the app shows them). Also in [`DbInfo`].
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How long a write waits for another connection's write to finish
    /// before failing with a busy error (`StoreError::is_busy`); 10 s unless
    /// changed.
    pub fn set_busy_timeout(&self, wait: Duration) -> Result<()> {
        self.sqlite("Waiting for a busy database")?
            .busy_timeout(wait)?;
        self.busy_wait.set(wait);
        Ok(())
    }

    /// Copies the log of a file database in write-ahead-log mode into the
    /// file when it has room ([`wal::settle`]); the notice when the
    /// committed changes stay in the `-wal`.
    fn settle_log(&self, when: wal::When) -> Option<String> {
        if self.server.is_some() || !self.wal || self.fresh || self.opened.is_none() {
            return None;
        }
        // Read as it stands (read-only media, another owner's file).
        if self.conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(true) {
            return None;
        }
        wal::settle(&self.conn, &self.path, when, self.busy_wait.get())
    }

    pub fn info(&self) -> Result<DbInfo> {
        // SQLite counts a B-tree without reading its rows; the number of
        // values is kept by triggers (migration 0013), not summed.
        let db = self.db();
        let (eac_count, value_count, envelope_only): (i64, i64, i64) = db.query_row(
            "SELECT (SELECT COUNT(*) FROM eacs), (SELECT \"values\" FROM eac_counts_kept),
                    (SELECT COUNT(*) FROM eac_envelopes)",
            &[],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?;
        let schema_version = match &self.server {
            Some(_) => db.query_row("SELECT version FROM eacdesk_schema", &[], |row| {
                Ok(row.get::<i64>(0)?)
            })?,
            None => migrate::schema_version(&self.conn)?,
        };
        Ok(DbInfo {
            path: self.path.display().to_string(),
            eac_count: rows::from_count(eac_count),
            value_count: rows::from_count(value_count),
            schema_version: usize::try_from(schema_version).unwrap_or(0),
            envelope_only_count: rows::from_count(envelope_only),
            warnings: self.warnings.clone(),
        })
    }

    /// Changes whenever another connection commits (`PRAGMA data_version`).
    /// On a server database: whenever another connection commits a change
    /// EAC Desk made (each announces itself, decision 221), counted from
    /// this store's first call; a change made by another program with SQL
    /// of its own is not seen.
    pub fn data_version(&self) -> Result<i64> {
        if let Some(server) = &self.server {
            return server.changes_heard();
        }
        Ok(self
            .conn
            .pragma_query_value(None, "data_version", |row| row.get(0))?)
    }

    /// Imports one P1 listing file as one transaction.
    pub fn import_file(
        &mut self,
        path: &Path,
        opts: ImportOptions,
        progress: &dyn Progress,
    ) -> Result<FileImportReport> {
        // On a server database too (decision 220).
        self.write_either(|w| {
            let report = import::import_file(w, path, opts, progress)?;
            import_finished(w, report)
        })
    }

    /// Whether this login may import here: always into a file opened to
    /// write; on a server when its role may add import batches and EACs,
    /// which an auditor's may not. An import's dry run is the import rolled
    /// back, so it needs the same (asked before a file is read).
    pub fn may_import(&self) -> Result<bool> {
        if self.server.is_none() {
            return Ok(!self.is_read_only());
        }
        self.db().query_row(
            "SELECT CASE WHEN has_table_privilege('import_batches', 'INSERT')
                          AND has_table_privilege('eacs', 'INSERT') THEN 1 ELSE 0 END",
            &[],
            |r| Ok(r.get::<i64>(0)? == 1),
        )
    }

    /// What importing a P1 listing file would do, writing nothing.
    pub fn import_file_dry_run(
        &mut self,
        path: &Path,
        opts: ImportOptions,
        progress: &dyn Progress,
    ) -> Result<FileImportReport> {
        // On a server database too: a server transaction rolled back.
        self.dry_run_writing_either(|w| {
            let report = import::import_file(w, path, opts, progress)?;
            import_finished(w, report)
        })
    }

    /// What importing a P2 listing or bundle would do, writing nothing.
    pub fn import_p2_dry_run(
        &mut self,
        path: &Path,
        opts: ImportOptions,
        progress: &dyn Progress,
    ) -> Result<FileImportReport> {
        // On a server database too (decision 220).
        self.dry_run_writing_either(|w| {
            let report = p2::import_p2(w, path, opts, progress)?;
            import_finished(w, report)
        })
    }

    /// Imports EACs already in memory (sample data) as one transaction.
    pub fn import_eacs(
        &mut self,
        source_name: &str,
        eacs: &mut dyn Iterator<Item = Eac>,
        progress: &dyn Progress,
    ) -> Result<FileImportReport> {
        self.write_either(|w| {
            let report = import::import_eacs(w, source_name, eacs, progress)?;
            import_finished(w, report)
        })
    }

    /// Imports one registry document (read by `eac-registry`) as one
    /// transaction; see [`registry`].
    pub fn import_document(
        &mut self,
        doc: RegistryDocument,
        progress: &dyn Progress,
    ) -> Result<FileImportReport> {
        // On a server database too (issue 17).
        self.write_either(|w| {
            let report = registry::import_document(w, doc, progress, false)?;
            import_finished(w, report)
        })
    }

    /// What importing a registry document would do (added, replaced,
    /// unchanged, overlaps, missing fields), without changing anything.
    pub fn import_document_dry_run(
        &mut self,
        doc: RegistryDocument,
        progress: &dyn Progress,
    ) -> Result<FileImportReport> {
        self.dry_run_writing_either(|w| registry::import_document(w, doc, progress, true))
    }

    /// Sets fields of the EACs `target` names (ids, or every EAC a filter
    /// matches), audited with `reason`, in one transaction; `dry_run`
    /// counts and checks without writing. A value's `issued`/`retired`
    /// dates are filled only where missing.
    pub fn set_fields(
        &mut self,
        target: &DeleteTarget,
        values: &[FieldValue],
        reason: &Reason,
        os_user: &str,
        dry_run: bool,
        progress: &dyn Progress,
    ) -> Result<SetFieldsReport> {
        self.set_fields_seen(target, None, values, reason, os_user, dry_run, progress)
    }

    /// [`Store::set_fields`] of the one EAC `target` names, as the person
    /// saw it at version `seen` ([`EacDetail::version`]): refused with
    /// [`StoreError::Conflict`], naming who changed it since, when it has
    /// changed since (nothing is written; a dry run says so too). A
    /// version with a filter or several ids is refused as invalid input.
    #[allow(clippy::too_many_arguments)]
    pub fn set_fields_seen(
        &mut self,
        target: &DeleteTarget,
        seen: Option<i64>,
        values: &[FieldValue],
        reason: &Reason,
        os_user: &str,
        dry_run: bool,
        progress: &dyn Progress,
    ) -> Result<SetFieldsReport> {
        if !dry_run {
            let yes = Confirmed::Yes;
            return self.set_fields_confirmed(target, seen, values, reason, os_user, yes, progress);
        }
        // On a server database too (decision 220).
        self.dry_run_either(|w| {
            fields::set_fields(
                w,
                target,
                seen,
                values,
                reason,
                os_user,
                true,
                Confirmed::Yes,
                progress,
            )
        })
    }

    /// [`Store::set_fields_seen`], not a dry run, refused with
    /// [`StoreError::Unconfirmed`] (nothing written) when it finds more
    /// EACs in its own write than `confirmed` allows.
    #[allow(clippy::too_many_arguments)]
    pub fn set_fields_confirmed(
        &mut self,
        target: &DeleteTarget,
        seen: Option<i64>,
        values: &[FieldValue],
        reason: &Reason,
        os_user: &str,
        confirmed: Confirmed,
        progress: &dyn Progress,
    ) -> Result<SetFieldsReport> {
        // On a server database too (decision 220).
        self.write_either(|w| {
            fields::set_fields(
                w, target, seen, values, reason, os_user, false, confirmed, progress,
            )
        })
    }

    /// Re-computes the audit log's hash chain: intact, or the first record
    /// where it breaks (edited, deleted, inserted or moved by another tool).
    pub fn verify_audit_chain(&self) -> Result<ChainReport> {
        // One snapshot: the chain and the closed periods it is compared
        // with (decision 283) as of one moment, so a period closed by
        // another desk between the two reads is never named as tampering.
        let snapshot = db::Snapshot::begin(self.db())?;
        let report = chain::verify(self.db())?;
        snapshot.end()?;
        Ok(report)
    }

    /// Double counting among the stored EACs (overlapping ranges, the same
    /// certificates claimed for two beneficiaries or retired twice); a
    /// finding is reported when either side matches `filter`. Its steps
    /// are [`Phase::Check`]; a cancel through `progress` stops it at once,
    /// also inside its long grouping query.
    pub fn check(&self, filter: &EacFilter, progress: &dyn Progress) -> Result<CheckReport> {
        check::check(self.db(), filter, progress)
    }

    /// The documents an EAC came from (registry imports), oldest first.
    pub fn sources(&self, cds_eac_id: &str) -> Result<Vec<SourceView>> {
        registry::sources(self.db(), cds_eac_id)
    }

    /// The original bytes of a stored document; bytes that no longer have
    /// that SHA-256 (changed by another program) are
    /// [`StoreError::DocumentAltered`].
    pub fn document(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        registry::document(self.db(), sha256)
    }

    /// Every stored document whose bytes no longer have the SHA-256 it was
    /// stored under, by file name: all of them for the default filter (the
    /// integrity pass), else those the EACs `filter` keeps came from. One
    /// document in memory at a time, each a step of
    /// [`Phase::CheckDocuments`], cancelled through `progress` between two.
    pub fn altered_documents(
        &self,
        filter: &EacFilter,
        progress: &dyn Progress,
    ) -> Result<Vec<AlteredDocument>> {
        registry::altered_documents(self.db(), filter, progress)
    }

    /// Saves (or replaces) a column mapping under `name`; `mapping_json`
    /// is the mapping as JSON (checked by the caller).
    pub fn save_mapping(&mut self, name: &str, mapping_json: &str) -> Result<()> {
        if name.trim().is_empty() {
            return Err(StoreError::InvalidInput(
                "a mapping needs a name".to_owned(),
            ));
        }
        self.write_either(|w| registry::save_mapping(w, name, mapping_json))
    }

    /// Saved column mappings, by name.
    pub fn mappings(&self) -> Result<Vec<SavedMapping>> {
        registry::mappings(self.db())
    }

    /// Deletes a saved mapping; `false` when there was none of that name.
    pub fn delete_mapping(&mut self, name: &str) -> Result<bool> {
        self.write_either(|w| registry::delete_mapping(w, name))
    }

    /// Imports one P2 listing file or bundle folder as one transaction: each
    /// envelope's detail file (EAC Desk's format, found through its `file:`
    /// URI or in the bundle's `eacs/` folder) is read and checked against
    /// the envelope (rule 19), and the full EAC is stored.
    pub fn import_p2(
        &mut self,
        path: &Path,
        opts: ImportOptions,
        progress: &dyn Progress,
    ) -> Result<FileImportReport> {
        // On a server database too (decision 220).
        self.write_either(|w| {
            let report = p2::import_p2(w, path, opts, progress)?;
            import_finished(w, report)
        })
    }

    /// Records that the EACs matching `filter` (with no filter: every EAC,
    /// envelope-only ones included) were checked against their source just
    /// now: `cds_synced` becomes one clock reading, and each EAC gets a
    /// `verify` audit record (who, when, before/after) in the same
    /// transaction. Not a data change: `cds_modified` stays. `reason`
    /// `None` records "checked against its source". A dry run counts only.
    pub fn mark_verified(
        &mut self,
        filter: &EacFilter,
        reason: Option<&Reason>,
        os_user: &str,
        dry_run: bool,
        progress: &dyn Progress,
    ) -> Result<VerifyReport> {
        if !dry_run {
            return self.mark_verified_confirmed(filter, reason, os_user, Confirmed::Yes, progress);
        }
        let reason = p2::verify_reason(reason);
        let target = p2::VerifyTarget::Filter(filter);
        self.dry_run_either(|w| {
            p2::mark_verified(w, &target, reason, os_user, true, Confirmed::Yes, progress)
        })
    }

    /// [`Store::mark_verified`], not a dry run, refused with
    /// [`StoreError::Unconfirmed`] (nothing written) when it finds more
    /// EACs in its own write than `confirmed` allows.
    pub fn mark_verified_confirmed(
        &mut self,
        filter: &EacFilter,
        reason: Option<&Reason>,
        os_user: &str,
        confirmed: Confirmed,
        progress: &dyn Progress,
    ) -> Result<VerifyReport> {
        let reason = p2::verify_reason(reason);
        let target = p2::VerifyTarget::Filter(filter);
        // On a server database too (decision 220).
        self.write_either(|w| {
            p2::mark_verified(w, &target, reason, os_user, false, confirmed, progress)
        })
    }

    /// Ids of envelope-only EACs (imported from a P2 listing without detail
    /// data), at most `limit`, in id order.
    pub fn envelope_only_ids(&self, limit: usize) -> Result<Vec<String>> {
        p2::envelope_only_ids(self.db(), limit)
    }

    /// Envelope-only EACs in P2 order (a page: `limit` 0 or above
    /// [`MAX_PAGE`] gives [`MAX_PAGE`]).
    pub fn envelope_only(&self, offset: usize, limit: usize) -> Result<Vec<EnvelopeOnlyRow>> {
        p2::envelope_only_rows(self.db(), offset, limit)
    }

    /// The envelope-only EAC of this exact id, if the store holds one (an
    /// id `detail` does not find may be one).
    pub fn envelope_only_eac(&self, cds_eac_id: &str) -> Result<Option<EnvelopeOnlyRow>> {
        p2::envelope_only_row(self.db(), cds_eac_id)
    }

    /// How many envelope-only EACs the store holds: an unfiltered export
    /// or deletion takes them besides the EACs with values (decision 25).
    pub fn envelope_only_count(&self) -> Result<usize> {
        p2::envelope_only_count(self.db())
    }

    /// [`Store::mark_verified`] for one EAC (or envelope-only EAC) by its
    /// exact id; `NotFound` when there is none.
    pub fn mark_verified_id(
        &mut self,
        cds_eac_id: &str,
        reason: Option<&Reason>,
        os_user: &str,
    ) -> Result<VerifyReport> {
        let reason = p2::verify_reason(reason);
        let target = p2::VerifyTarget::Id(cds_eac_id);
        self.write_either(|w| {
            p2::mark_verified(
                w,
                &target,
                reason,
                os_user,
                false,
                Confirmed::Yes,
                &NoProgress,
            )
        })
    }

    /// What [`Store::mark_verified_id`] would do, writing nothing: a report
    /// of one EAC (`dry_run` set), or `NotFound` when there is none.
    pub fn mark_verified_id_dry_run(&mut self, cds_eac_id: &str) -> Result<VerifyReport> {
        let reason = p2::verify_reason(None);
        let target = p2::VerifyTarget::Id(cds_eac_id);
        self.dry_run_either(|w| {
            p2::mark_verified(w, &target, reason, "", true, Confirmed::Yes, &NoProgress)
        })
    }

    /// Deletes EACs (full or envelope-only) by id or by filter, all or
    /// nothing: each gets a `delete` audit record keeping its whole state.
    /// An unknown id refuses the whole deletion. A dry run (`dry_run`)
    /// says what would be deleted and writes nothing.
    pub fn delete_eacs(
        &mut self,
        target: &DeleteTarget,
        reason: &Reason,
        os_user: &str,
        dry_run: bool,
        progress: &dyn Progress,
    ) -> Result<DeleteReport> {
        // On a server database too (decision 220).
        if dry_run {
            return self.dry_run_either(|w| {
                history::delete(w, target, reason, os_user, true, Confirmed::Yes, progress)
            });
        }
        self.delete_eacs_confirmed(target, reason, os_user, Confirmed::Yes, progress)
    }

    /// [`Store::delete_eacs`], not a dry run, refused with
    /// [`StoreError::Unconfirmed`] (nothing deleted) when it finds more
    /// EACs (envelope-only ones included) in its own write than
    /// `confirmed` allows.
    pub fn delete_eacs_confirmed(
        &mut self,
        target: &DeleteTarget,
        reason: &Reason,
        os_user: &str,
        confirmed: Confirmed,
        progress: &dyn Progress,
    ) -> Result<DeleteReport> {
        // On a server database too (decision 220).
        self.write_either(|w| {
            history::delete(w, target, reason, os_user, false, confirmed, progress)
        })
    }

    /// Import batches (one per imported file or sample load), newest first.
    pub fn import_batches(&self) -> Result<Vec<ImportBatch>> {
        history::batches(self.db())
    }

    /// Undoes import batch `batch_id`, all or nothing: EACs it added are
    /// removed, EACs it replaced get back the version it replaced; each gets
    /// an `undo_import` audit record. Refused (`Conflict`, naming them) when
    /// any of those EACs changed after the import (a later import, an edit,
    /// a deletion). A dry run says what would happen and writes nothing.
    pub fn undo_import(
        &mut self,
        batch_id: i64,
        reason: &Reason,
        os_user: &str,
        dry_run: bool,
        progress: &dyn Progress,
    ) -> Result<UndoReport> {
        if dry_run {
            return self.dry_run_either(|w| {
                let yes = Confirmed::Yes;
                history::undo_import(w, batch_id, reason, os_user, true, yes, progress)
            });
        }
        self.undo_import_confirmed(batch_id, reason, os_user, Confirmed::Yes, progress)
    }

    /// [`Store::undo_import`], not a dry run, refused with
    /// [`StoreError::Unconfirmed`] (nothing changed) when it finds more
    /// EACs to remove, restore or unlink in its own write than `confirmed`
    /// allows: the count that decides is the one the undo would write, not
    /// a dry run's taken before another program changed the import's EACs.
    pub fn undo_import_confirmed(
        &mut self,
        batch_id: i64,
        reason: &Reason,
        os_user: &str,
        confirmed: Confirmed,
        progress: &dyn Progress,
    ) -> Result<UndoReport> {
        // On a server database too (decision 220).
        self.write_either(|w| {
            history::undo_import(w, batch_id, reason, os_user, false, confirmed, progress)
        })
    }

    pub fn browse(&self, query: &BrowseQuery) -> Result<Vec<EacRow>> {
        browse::browse(self.db(), query, self.memo())
    }

    /// The count memo of this connection; `None` on a server.
    fn memo(&self) -> Option<facets::Memo<'_>> {
        self.server.is_none().then_some(facets::Memo {
            counted: &self.counted,
            conn: &self.conn,
        })
    }

    pub fn summary(&self, filter: &EacFilter) -> Result<BrowseSummary> {
        // One snapshot: the count and the totals of the same EACs even while
        // another program writes (they are two or three reads).
        let snapshot = db::Snapshot::begin(self.db())?;
        let summary = browse::summary(self.db(), filter, self.memo())?;
        snapshot.end()?;
        Ok(summary)
    }

    /// The values of the EACs matching `filter`, grouped by `by` (see
    /// [`SummaryKey`]) with the number of EACs and exact totals per unit
    /// of each group.
    pub fn grouped_totals(&self, filter: &EacFilter, by: &[SummaryKey]) -> Result<GroupedTotals> {
        summary::grouped_totals(self.db(), filter, by)
    }

    /// Every row of the EAC table that `filter` matches (or, with `ids`,
    /// exactly those EACs, whatever the filter), in `sort` order, one at
    /// a time, from one read snapshot: for CSV and spreadsheet exports.
    /// An unknown id is `NotFound` naming it, before any row is handed out.
    pub fn browse_each(
        &self,
        filter: &EacFilter,
        sort: SortSpec,
        ids: Option<&[String]>,
        each: &mut dyn FnMut(EacRow) -> Result<()>,
    ) -> Result<()> {
        browse::browse_each(self.db(), filter, sort, ids, each)
    }

    pub fn eac(&self, cds_eac_id: &str) -> Result<Eac> {
        rows::load_eac(self.db(), cds_eac_id).map(|(_, eac)| eac)
    }

    pub fn detail(&self, cds_eac_id: &str) -> Result<EacDetail> {
        browse::detail(self.db(), cds_eac_id)
    }

    /// The ids of stored EACs (with values or envelope-only) that are
    /// `cds_eac_id` written with its accents the other way (`É` as one
    /// character, or as `E` and a combining accent, as macOS saves text),
    /// in id order; never `cds_eac_id` itself. For "not found": the id a
    /// person typed may be stored in the other form.
    pub fn other_spellings(&self, cds_eac_id: &str) -> Result<Vec<String>> {
        browse::other_spellings(self.db(), cds_eac_id)
    }

    pub fn choices(&self, field: ChoiceField) -> Result<Vec<Choice>> {
        browse::choices(self.db(), field)
    }

    pub fn beneficiary_suggestions(
        &self,
        kind: eac_model::BeneficiaryType,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<String>> {
        edit::suggestions(self.db(), kind, prefix, limit)
    }

    pub fn set_beneficiaries(
        &mut self,
        cds_eac_id: &str,
        to: &BeneficiaryAssignment,
        reason: &Reason,
        os_user: &str,
    ) -> Result<AuditRecord> {
        self.set_beneficiaries_seen(cds_eac_id, None, to, reason, os_user)
    }

    /// [`Store::set_beneficiaries`] of an EAC the person saw at version
    /// `seen` ([`EacDetail::version`]): refused with
    /// [`StoreError::Conflict`], naming who changed it since, when it has
    /// changed since (nothing is written).
    pub fn set_beneficiaries_seen(
        &mut self,
        cds_eac_id: &str,
        seen: Option<i64>,
        to: &BeneficiaryAssignment,
        reason: &Reason,
        os_user: &str,
    ) -> Result<AuditRecord> {
        edit::validate(cds_eac_id, to)?;
        // On a server database too (decision 220).
        self.write_either(|w| {
            // Locked before it is read: a desk saving it meanwhile is waited for.
            lock::named(w, &[cds_eac_id.to_owned()], true)?;
            let (id, eac) = edit::load_to_assign(w.db(), cds_eac_id, seen)?;
            edit::check_seen(w, id, cds_eac_id, seen, true)?;
            edit::apply(w, id, eac, to, reason, os_user)
        })
    }

    pub fn bulk_set_beneficiaries(
        &mut self,
        filter: &EacFilter,
        to: &BeneficiaryAssignment,
        reason: &Reason,
        os_user: &str,
        progress: &dyn Progress,
    ) -> Result<BulkEditReport> {
        self.bulk_set_beneficiaries_confirmed(filter, to, reason, os_user, Confirmed::Yes, progress)
    }

    /// [`Store::bulk_set_beneficiaries`], refused with
    /// [`StoreError::Unconfirmed`] (nothing written) when the filter
    /// matches more EACs in its own write than `confirmed` allows.
    pub fn bulk_set_beneficiaries_confirmed(
        &mut self,
        filter: &EacFilter,
        to: &BeneficiaryAssignment,
        reason: &Reason,
        os_user: &str,
        confirmed: Confirmed,
        progress: &dyn Progress,
    ) -> Result<BulkEditReport> {
        edit::validate("bulk edit", to)?;
        // On a server database too (decision 220).
        self.write_either(|w| {
            edit::bulk(w, filter, to, reason, os_user, progress, false, confirmed)
        })
    }

    /// What [`Store::bulk_set_beneficiaries`] would do, writing nothing:
    /// the same count of EACs it would change, and the same refusal when
    /// any of them lies in a closed period or is counted by a recorded
    /// claim (decision 105: dry runs say the same).
    pub fn bulk_set_beneficiaries_dry_run(
        &mut self,
        filter: &EacFilter,
        to: &BeneficiaryAssignment,
        progress: &dyn Progress,
    ) -> Result<BulkEditReport> {
        edit::validate("bulk edit", to)?;
        let reason = Reason::fixed("dry run");
        self.dry_run_either(|w| {
            edit::bulk(w, filter, to, &reason, "", progress, true, Confirmed::Yes)
        })
    }

    /// What [`Store::set_beneficiaries_seen`] would do, writing nothing:
    /// whether the EAC would change (`matching` 1, `changed` 0 when it has
    /// the assignment already), or the same refusal (an unknown or
    /// envelope-only id, a change since version `seen`, a closed period, a
    /// recorded claim, a rule). Nothing is locked.
    pub fn set_beneficiaries_dry_run(
        &mut self,
        cds_eac_id: &str,
        seen: Option<i64>,
        to: &BeneficiaryAssignment,
    ) -> Result<BulkEditReport> {
        edit::validate(cds_eac_id, to)?;
        self.dry_run_either(|w| {
            let (id, eac) = edit::load_to_assign(w.db(), cds_eac_id, seen)?;
            // The refusal the change itself gives, read without locking
            // (a role that only reads may not lock a row).
            edit::check_seen(w, id, cds_eac_id, seen, false)?;
            let changed = !edit::is_assigned(&eac, to);
            let mut after = eac;
            after.beneficiary_type = Some(to.beneficiary_type);
            after.beneficiaries = to.beneficiaries.clone();
            // As the change asks, whether or not the EAC has them already.
            periods::check(w, cds_eac_id, &after.period_start, &after.period_end)?;
            claimed::check_replaced(w, id, &after)?;
            Ok(BulkEditReport {
                changed: usize::from(changed),
                matching: 1,
            })
        })
    }

    /// The display name the audit records this store writes carry beside
    /// the OS login (`None`, or blank: none). The store never reads it from
    /// anywhere itself: the shells take it from the user's settings.
    pub fn set_audit_name(&mut self, name: Option<&str>) {
        self.audit_name = name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
    }

    /// The display name set with [`Store::set_audit_name`].
    pub fn audit_name(&self) -> Option<&str> {
        self.audit_name.as_deref()
    }

    /// One page of the audit records `query` selects (who, when, action,
    /// EAC), newest first, with their count: the app-wide history.
    pub fn audit_page(&self, query: &AuditQuery) -> Result<AuditPage> {
        edit::audit_page(self.db(), query)
    }

    /// Audit records, newest first; all of them or those of one EAC. A
    /// record that cannot be read in full is returned as far as it could be
    /// read, with `problem` saying what is wrong.
    pub fn audit_log(&self, cds_eac_id: Option<&str>) -> Result<Vec<AuditRecord>> {
        edit::audit_log(self.db(), cds_eac_id)
    }

    /// [`Store::audit_log`] one record at a time, newest first, as the rows
    /// are read (memory independent of the log's size); an error from
    /// `each` stops the walk and is returned.
    pub fn audit_each(
        &self,
        cds_eac_id: Option<&str>,
        each: &mut dyn FnMut(AuditRecord) -> Result<()>,
    ) -> Result<()> {
        // One snapshot: on a server the records then come a chunk at a
        // time (`Db::stream`).
        let snapshot = db::Snapshot::begin(self.db())?;
        edit::audit_each(self.db(), cds_eac_id, each)?;
        snapshot.end()
    }

    /// [`Store::audit_each`] with each record's saved states as written.
    pub fn audit_each_with_states(
        &self,
        cds_eac_id: Option<&str>,
        each: &mut dyn FnMut(AuditRecord, AuditStates) -> Result<()>,
    ) -> Result<()> {
        let snapshot = db::Snapshot::begin(self.db())?;
        edit::audit_each_with_states(self.db(), cds_eac_id, each)?;
        snapshot.end()
    }

    /// Writes the EACs matching `filter` (all when `None`) as a P1 listing
    /// at `dest`, which appears complete or not at all. Refuses the
    /// database's own files as `dest`.
    pub fn export_p1(
        &self,
        filter: Option<&EacFilter>,
        dest: &Path,
        progress: &dyn Progress,
    ) -> Result<ExportReport> {
        self.refuse_p1_destination(filter, dest)?;
        export::export_p1(self.db(), filter, dest, progress)
    }

    /// What [`Store::export_p1`] refuses before anything is written: the
    /// database's own files as `dest`, and an unfiltered listing of a
    /// database holding envelope-only EACs.
    fn refuse_p1_destination(&self, filter: Option<&EacFilter>, dest: &Path) -> Result<()> {
        atomic::refuse_database_file(&self.path, dest)?;
        if filter.is_none_or(|f| *f == EacFilter::default()) {
            p2::refuse_envelope_only(self.db(), dest)?;
        }
        Ok(())
    }

    /// Writes a P2 bundle folder at `dest` (see [`p2`]): `eac_data_url`s
    /// under `base_url` (https) or, without one, `file:` URIs of the final
    /// location. Appears complete or not at all. Replaces only an empty
    /// folder or a bundle holding nothing but its own files; refuses the
    /// database's folder.
    pub fn export_p2(
        &self,
        filter: Option<&EacFilter>,
        dest: &Path,
        base_url: Option<&str>,
        progress: &dyn Progress,
    ) -> Result<BundleReport> {
        self.export_p2_checked(filter, dest, base_url, progress, &|_| Vec::new())
    }

    /// [`Store::export_p2`] with one more check of the finished, still
    /// hidden bundle folder (eac-app's JSON Schema check).
    pub fn export_p2_checked(
        &self,
        filter: Option<&EacFilter>,
        dest: &Path,
        base_url: Option<&str>,
        progress: &dyn Progress,
        check: p2::BundleCheck<'_>,
    ) -> Result<BundleReport> {
        atomic::refuse_database(&self.path, dest)?;
        p2::export_p2(self.db(), filter, dest, base_url, None, progress, check)
    }

    /// [`Store::export_p2_checked`] of a bundle built at `dest` inside a
    /// folder that is itself moved into place later (an evidence pack):
    /// its `file:` URIs and messages name `published`, where it will be.
    pub fn export_p2_published(
        &self,
        filter: Option<&EacFilter>,
        dest: &Path,
        published: &Path,
        progress: &dyn Progress,
        check: p2::BundleCheck<'_>,
    ) -> Result<BundleReport> {
        atomic::refuse_database(&self.path, dest)?;
        p2::export_p2(
            self.db(),
            filter,
            dest,
            None,
            Some(published),
            progress,
            check,
        )
    }
}

/// The newest database schema this build writes (the count of its
/// migrations): what the About dialog shows beside the open file's.
pub fn supported_schema_version() -> usize {
    migrate::supported_version()
}

/// The operating system's name for the person at the keyboard, for audit
/// records. Desktop sessions and services do not always set `USER`, so on
/// Unix the account of the running process is looked up as well.
pub fn os_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .or_else(process_account)
        .unwrap_or_else(|| "unknown".to_owned())
}

#[cfg(unix)]
fn process_account() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    // /proc/self belongs to the process's user; /etc/passwd names it.
    let uid = std::fs::metadata("/proc/self").ok()?.uid();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let id: u32 = fields.nth(1)?.parse().ok()?;
        (id == uid && !name.is_empty()).then(|| name.to_owned())
    })
}

#[cfg(not(unix))]
fn process_account() -> Option<String> {
    None
}

#[cfg(all(test, unix))]
mod os_user_tests {
    #[test]
    fn the_process_account_has_a_name() {
        // Whatever the environment says, the running process has an account.
        assert!(super::process_account().is_some_and(|n| !n.is_empty()));
    }
}
