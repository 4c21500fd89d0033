//! The local SQLite store of EACs: schema and migrations, streaming import
//! (one transaction per file), browse queries with exact totals, audited
//! beneficiary edits and streaming, atomic P1 export.
//!
//! Invariants: only this crate talks to SQLite; every SQL statement is
//! parameterized; every mutation runs in one transaction that also writes its
//! audit record; quantities are stored and summed as exact decimals.
//!
//! Layout: `migrate` (schema versions), `rows` (an EAC over its tables, the
//! only code writing EAC rows), `query` (filters and sorts as bound SQL),
//! `import` and `edit` (the write paths), `browse` and `export` (the read paths).

pub mod api;
pub mod atomic;
mod browse;
mod edit;
mod emissions;
mod error;
mod export;
mod fold;
mod import;
mod migrate;
pub mod p2;
mod query;
mod refdata;
mod rows;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use api::*;
use eac_model::{Eac, Timestamp};
pub use emissions::{parse_emission_factor, EmissionFactors};
pub use error::{Result, StoreError};
pub use refdata::{RefdataCount, RefdataEntry, RefdataReport};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

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

/// An open EAC database.
pub struct Store {
    conn: rusqlite::Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating when missing) and migrates the database at `path`.
    /// WAL mode, foreign keys on, a busy timeout so a concurrent writer (the
    /// CLI while the app is open) waits instead of failing.
    pub fn open(path: &Path) -> Result<Store> {
        let io_error = |source| StoreError::Io {
            path: path.to_owned(),
            source,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io_error)?;
        }
        let conn = Store::connect(path).map_err(|e| match e {
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
        let mut conn = conn?;
        // Refuse a newer schema before changing anything in the file.
        let found = migrate::schema_version(&conn)?;
        if found > migrate::supported_version() {
            return Err(StoreError::NewerDatabase {
                path: path.to_owned(),
                found,
                supported: migrate::supported_version(),
            });
        }
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "wal", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::InvalidInput(format!(
                "{}: the database cannot use write-ahead logging (journal mode `{mode}`)",
                path.display()
            )));
        }
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Large imports touch many index pages: 32 MiB of page cache.
        conn.pragma_update(None, "cache_size", -32_768)?;
        // After a large import the log is checkpointed; keep it from staying huge.
        conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
        migrate::apply(&mut conn, path)?;
        Ok(Store {
            conn,
            path: path.to_owned(),
        })
    }

    /// Opens the connection and reads the first page (an error here means
    /// the file cannot be opened or is not a database). Changes nothing.
    fn connect(path: &Path) -> rusqlite::Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        fold::register(&conn)?;
        // Write transactions take the write lock when they begin, so a second
        // writer waits (busy timeout) at BEGIN instead of failing half-way.
        conn.set_transaction_behavior(TransactionBehavior::Immediate);
        conn.set_prepared_statement_cache_capacity(64);
        conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
        Ok(conn)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How long a write waits for another connection's write to finish
    /// before failing with a busy error (`StoreError::is_busy`); 10 s unless
    /// changed.
    pub fn set_busy_timeout(&self, wait: Duration) -> Result<()> {
        Ok(self.conn.busy_timeout(wait)?)
    }

    pub fn info(&self) -> Result<DbInfo> {
        let (eac_count, value_count): (i64, i64) = self.conn.query_row(
            "SELECT COUNT(*), COALESCE(SUM(value_count), 0) FROM eacs",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        Ok(DbInfo {
            path: self.path.display().to_string(),
            eac_count: rows::from_count(eac_count),
            value_count: rows::from_count(value_count),
            schema_version: migrate::schema_version(&self.conn)?,
            envelope_only_count: rows::from_count(self.conn.query_row(
                "SELECT COUNT(*) FROM eac_envelopes",
                [],
                |row| row.get(0),
            )?),
        })
    }

    /// Changes whenever another connection commits (`PRAGMA data_version`).
    pub fn data_version(&self) -> Result<i64> {
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
        let tx = self.conn.transaction()?;
        let report = import::import_file(&tx, path, opts, progress)?;
        p2::mark_synced_by_latest_batch(&tx)?;
        tx.commit()?;
        Ok(report)
    }

    /// Imports EACs already in memory (sample data) as one transaction.
    pub fn import_eacs(
        &mut self,
        source_name: &str,
        eacs: &mut dyn Iterator<Item = Eac>,
        progress: &dyn Progress,
    ) -> Result<FileImportReport> {
        let tx = self.conn.transaction()?;
        let report = import::import_eacs(&tx, source_name, eacs, progress)?;
        p2::mark_synced_by_latest_batch(&tx)?;
        tx.commit()?;
        Ok(report)
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
        let tx = self.conn.transaction()?;
        let report = p2::import_p2(&tx, path, opts, progress)?;
        p2::mark_synced_by_latest_batch(&tx)?;
        tx.commit()?;
        Ok(report)
    }

    /// Records that the EACs matching `filter` were checked against their
    /// source just now (`cds_synced`); returns how many. Not a data change
    /// (`cds_modified` stays) and not audited: an audit record needs a reason.
    pub fn mark_verified(&mut self, filter: &EacFilter) -> Result<usize> {
        let tx = self.conn.transaction()?;
        let n = p2::mark_verified(&tx, filter)?;
        tx.commit()?;
        Ok(n)
    }

    /// Ids of envelope-only EACs (imported from a P2 listing without detail
    /// data), at most `limit`, in id order.
    pub fn envelope_only_ids(&self, limit: usize) -> Result<Vec<String>> {
        p2::envelope_only_ids(&self.conn, limit)
    }

    /// Envelope-only EACs in P2 order (a page: `limit` 0 or above
    /// [`MAX_PAGE`] gives [`MAX_PAGE`]).
    pub fn envelope_only(&self, offset: usize, limit: usize) -> Result<Vec<EnvelopeOnlyRow>> {
        p2::envelope_only_rows(&self.conn, offset, limit)
    }

    /// [`Store::mark_verified`] for one EAC by its exact id.
    pub fn mark_verified_id(&mut self, cds_eac_id: &str) -> Result<usize> {
        let now = Timestamp::now().to_storage();
        let n = self.conn.execute(
            "UPDATE eacs SET cds_synced = ?2 WHERE cds_eac_id = ?1",
            rusqlite::params![cds_eac_id, now],
        )? + self.conn.execute(
            "UPDATE eac_envelopes SET cds_synced = ?2 WHERE cds_eac_id = ?1",
            rusqlite::params![cds_eac_id, now],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound(cds_eac_id.to_owned()));
        }
        Ok(n)
    }

    pub fn browse(&self, query: &BrowseQuery) -> Result<Vec<EacRow>> {
        browse::browse(&self.conn, query)
    }

    pub fn summary(&self, filter: &EacFilter) -> Result<BrowseSummary> {
        browse::summary(&self.conn, filter)
    }

    pub fn eac(&self, cds_eac_id: &str) -> Result<Eac> {
        rows::load_eac(&self.conn, cds_eac_id).map(|(_, eac)| eac)
    }

    pub fn detail(&self, cds_eac_id: &str) -> Result<EacDetail> {
        browse::detail(&self.conn, cds_eac_id)
    }

    pub fn choices(&self, field: ChoiceField) -> Result<Vec<Choice>> {
        browse::choices(&self.conn, field)
    }

    pub fn beneficiary_suggestions(
        &self,
        kind: eac_model::BeneficiaryType,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<String>> {
        edit::suggestions(&self.conn, kind, prefix, limit)
    }

    pub fn set_beneficiaries(
        &mut self,
        cds_eac_id: &str,
        to: &BeneficiaryAssignment,
        reason: &str,
        os_user: &str,
    ) -> Result<AuditRecord> {
        edit::validate(cds_eac_id, to, reason)?;
        let tx = self.conn.transaction()?;
        let (id, eac) = rows::load_eac(&tx, cds_eac_id)?;
        let record = edit::apply(&tx, id, eac, to, reason, os_user, Timestamp::now())?;
        tx.commit()?;
        Ok(record)
    }

    pub fn bulk_set_beneficiaries(
        &mut self,
        filter: &EacFilter,
        to: &BeneficiaryAssignment,
        reason: &str,
        os_user: &str,
        progress: &dyn Progress,
    ) -> Result<BulkEditReport> {
        edit::validate("bulk edit", to, reason)?;
        let tx = self.conn.transaction()?;
        // The matching ids first: the edit may change what the filter matches.
        let mut sql = query::Sql::new("SELECT e.id FROM eacs e");
        query::push_filter(&mut sql, filter)?;
        sql.push(" ORDER BY e.id");
        let ids: Vec<i64> = tx
            .prepare(&sql.text)?
            .query_map(sql.params(), |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let total = ids.len() as u64;
        let at = Timestamp::now();
        let mut changed = 0;
        let mut last_progress = Instant::now();
        for (done, id) in ids.into_iter().enumerate() {
            if progress.is_cancelled() {
                return Err(StoreError::Cancelled);
            }
            let eac = rows::load_eac_by_id(&tx, id)?;
            if !edit::is_assigned(&eac, to) {
                edit::apply(&tx, id, eac, to, reason, os_user, at)?;
                changed += 1;
            }
            if last_progress.elapsed() >= import::PROGRESS_EVERY {
                last_progress = Instant::now();
                progress.update("bulk_edit", done as u64 + 1, Some(total));
            }
        }
        if progress.is_cancelled() {
            return Err(StoreError::Cancelled);
        }
        progress.update("bulk_edit", total, Some(total));
        tx.commit()?;
        Ok(BulkEditReport { changed })
    }

    pub fn audit_log(&self, cds_eac_id: Option<&str>) -> Result<Vec<AuditRecord>> {
        edit::audit_log(&self.conn, cds_eac_id)
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
        self.export_p1_checked(filter, dest, progress, &|_| Vec::new())
    }

    /// [`Store::export_p1`] with one more check of the finished, still
    /// hidden file (eac-app's JSON Schema check); its errors stop the
    /// export and name `dest`.
    pub fn export_p1_checked(
        &self,
        filter: Option<&EacFilter>,
        dest: &Path,
        progress: &dyn Progress,
        check: &dyn Fn(&Path) -> Vec<eac_model::Violation>,
    ) -> Result<ExportReport> {
        atomic::refuse_database(&self.path, dest)?;
        if filter.is_none_or(|f| *f == EacFilter::default()) {
            p2::refuse_envelope_only(&self.conn, dest)?;
        }
        export::export_p1(&self.conn, filter, dest, progress, check)
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
        p2::export_p2(&self.conn, filter, dest, base_url, progress, check)
    }
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
