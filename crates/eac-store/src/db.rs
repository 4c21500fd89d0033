//! The seam between the store's queries and its two backends (issue 17,
//! `docs/team-design.md` step 1): a [`Db`] runs SQL with bound parameters
//! and hands each result row to a closure, on SQLite (`rusqlite`) or on a
//! PostgreSQL server (`postgres`).
//!
//! The lingua franca is SQLite's value model, as `rusqlite` types it:
//! parameters are `&dyn ToSql`, each cell of a row a [`ValueRef`] (null,
//! integer, real, text, blob), read with the same `FromSql` conversions
//! (`row.get::<i64>(0)`), so a query ported to the seam keeps its mapping
//! code. On PostgreSQL a statement's `?N` placeholders become `$N`, and
//! values are converted to and from the server's types (bigint, integer,
//! boolean, text, numeric, …) by the types the server reports.
//!
//! The SQL text itself is shared where both servers read it alike; where
//! they do not, the query asks [`Db::kind`] (see [`Kind`]).

use std::cell::RefCell;
use std::collections::HashMap;
use std::error::Error as StdError;

use postgres::types::{FromSql, IsNull, ToSql as PgToSql, Type};
use postgres::Client;
use rusqlite::types::{FromSql as LiteFromSql, ToSqlOutput, Value, ValueRef};
use rusqlite::ToSql;

use crate::{Result, StoreError};

/// Which SQL a [`Db`] speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Kind {
    #[default]
    Sqlite,
    Postgres,
}

/// One result row: its cells as SQLite's value model.
pub(crate) trait DbRow {
    fn get_ref(&self, idx: usize) -> rusqlite::Result<ValueRef<'_>>;
}

impl DbRow for rusqlite::Row<'_> {
    fn get_ref(&self, idx: usize) -> rusqlite::Result<ValueRef<'_>> {
        rusqlite::Row::get_ref(self, idx)
    }
}

impl dyn DbRow + '_ {
    /// The cell at `idx` converted as `rusqlite` converts it.
    pub(crate) fn get<T: LiteFromSql>(&self, idx: usize) -> rusqlite::Result<T> {
        let value = self.get_ref(idx)?;
        T::column_result(value).map_err(|e| match e {
            rusqlite::types::FromSqlError::InvalidType => {
                rusqlite::Error::InvalidColumnType(idx, String::new(), value.data_type())
            }
            rusqlite::types::FromSqlError::OutOfRange(i) => {
                rusqlite::Error::IntegralValueOutOfRange(idx, i)
            }
            other => {
                rusqlite::Error::FromSqlConversionFailure(idx, value.data_type(), Box::new(other))
            }
        })
    }
}

/// A database the store's queries run on.
pub(crate) trait Db {
    fn kind(&self) -> Kind;

    /// Runs `sql` with `params` and calls `f` with each row, in order.
    fn each(
        &self,
        sql: &str,
        params: &[&dyn ToSql],
        f: &mut dyn FnMut(&dyn DbRow) -> Result<()>,
    ) -> Result<()>;

    /// [`Db::each`] for a read that may return very many rows (an
    /// export, a listing): on a server, inside a transaction, the rows come
    /// through a cursor a chunk at a time, so memory does not grow with
    /// them (SQLite steps through rows anyway). A look-up of a row or a
    /// page uses [`Db::each`]: one round trip.
    fn stream(
        &self,
        sql: &str,
        params: &[&dyn ToSql],
        f: &mut dyn FnMut(&dyn DbRow) -> Result<()>,
    ) -> Result<()> {
        self.each(sql, params, f)
    }

    /// Runs a statement that returns no rows; the number of rows it changed.
    fn execute(&self, sql: &str, params: &[&dyn ToSql]) -> Result<usize>;

    /// Runs statements without parameters (`BEGIN`, `COMMIT`).
    fn batch(&self, sql: &str) -> Result<()>;

    /// The SQLite connection underneath, for what only SQLite has (its
    /// page cache, operations not on the seam yet); None on a server.
    fn sqlite(&self) -> Option<&rusqlite::Connection>;
}

/// A server's transaction-scoped advisory locks: what a file's single
/// writer kept true without asking. Taken in this order within one write
/// (an import or a claim first, the audit chain last), and all of them
/// before any row the write changes (`lock`), so two writers never wait
/// for each other in a circle.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ServerLock {
    /// One import at a time (decision 224).
    Import,
    /// Claims and consumption: what a claim checks cannot change under it
    /// (decision 223).
    Claims,
    /// Appending to the audit chain: no fork, no id taken twice (decision
    /// 220). A write that changes EACs takes it before it locks or reads
    /// them (`lock::chain_first`): such writes take turns.
    Audit,
}

impl ServerLock {
    fn key(self) -> i64 {
        match self {
            ServerLock::Import => 0x0000_EACD_1A90_0017,
            ServerLock::Claims => 0x0000_EACD_C1A1_0015,
            ServerLock::Audit => 0x0000_EACD_E50A_0D17,
        }
    }
}

impl dyn Db + '_ {
    /// The first row's mapping; `QueryReturnedNoRows` when there is none
    /// (as `rusqlite`'s `query_row`).
    pub(crate) fn query_row<T>(
        &self,
        sql: &str,
        params: &[&dyn ToSql],
        f: impl FnOnce(&dyn DbRow) -> Result<T>,
    ) -> Result<T> {
        self.query_opt(sql, params, f)?
            .ok_or_else(|| rusqlite::Error::QueryReturnedNoRows.into())
    }

    /// The first row's mapping, or None.
    pub(crate) fn query_opt<T>(
        &self,
        sql: &str,
        params: &[&dyn ToSql],
        f: impl FnOnce(&dyn DbRow) -> Result<T>,
    ) -> Result<Option<T>> {
        let mut f = Some(f);
        let mut out = None;
        self.each(sql, params, &mut |row| {
            if let Some(f) = f.take() {
                out = Some(f(row)?);
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// On a server, waits for `lock` and holds it until the transaction
    /// ends; nothing on a file (its write lock is already held).
    pub(crate) fn server_lock(&self, lock: ServerLock) -> Result<()> {
        if self.kind() == Kind::Postgres {
            self.query_row("SELECT pg_advisory_xact_lock(?1)", &[&lock.key()], |_| {
                Ok(())
            })?;
        }
        Ok(())
    }

    /// Every row's mapping.
    pub(crate) fn collect<T>(
        &self,
        sql: &str,
        params: &[&dyn ToSql],
        mut f: impl FnMut(&dyn DbRow) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.each(sql, params, &mut |row| {
            out.push(f(row)?);
            Ok(())
        })?;
        Ok(out)
    }
}

/// One read snapshot: every query between [`Snapshot::begin`] and
/// [`Snapshot::end`] sees the database as it was at the first (SQLite: a
/// deferred transaction; PostgreSQL: `REPEATABLE READ`, read only). Ended
/// (rolled back: it changed nothing) when dropped.
pub(crate) struct Snapshot<'a> {
    db: &'a dyn Db,
    open: bool,
}

impl<'a> Snapshot<'a> {
    pub(crate) fn begin(db: &'a dyn Db) -> Result<Snapshot<'a>> {
        db.batch(match db.kind() {
            Kind::Sqlite => "BEGIN DEFERRED",
            Kind::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        })?;
        Ok(Snapshot { db, open: true })
    }

    pub(crate) fn end(mut self) -> Result<()> {
        self.open = false;
        self.db.batch("COMMIT")
    }
}

impl Drop for Snapshot<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.db.batch("ROLLBACK");
        }
    }
}

impl Db for rusqlite::Connection {
    fn kind(&self) -> Kind {
        Kind::Sqlite
    }

    fn each(
        &self,
        sql: &str,
        params: &[&dyn ToSql],
        f: &mut dyn FnMut(&dyn DbRow) -> Result<()>,
    ) -> Result<()> {
        let mut stmt = self.prepare_cached(sql)?;
        let mut rows = stmt.query(params)?;
        while let Some(row) = rows.next()? {
            f(row)?;
        }
        Ok(())
    }

    fn execute(&self, sql: &str, params: &[&dyn ToSql]) -> Result<usize> {
        Ok(self.prepare_cached(sql)?.execute(params)?)
    }

    fn batch(&self, sql: &str) -> Result<()> {
        Ok(self.execute_batch(sql)?)
    }

    fn sqlite(&self) -> Option<&rusqlite::Connection> {
        Some(self)
    }
}

impl Db for crate::write::Write<'_> {
    fn kind(&self) -> Kind {
        self.db().kind()
    }

    fn each(
        &self,
        sql: &str,
        params: &[&dyn ToSql],
        f: &mut dyn FnMut(&dyn DbRow) -> Result<()>,
    ) -> Result<()> {
        self.db().each(sql, params, f)
    }

    fn stream(
        &self,
        sql: &str,
        params: &[&dyn ToSql],
        f: &mut dyn FnMut(&dyn DbRow) -> Result<()>,
    ) -> Result<()> {
        self.db().stream(sql, params, f)
    }

    fn execute(&self, sql: &str, params: &[&dyn ToSql]) -> Result<usize> {
        self.db().execute(sql, params)
    }

    fn batch(&self, sql: &str) -> Result<()> {
        self.db().batch(sql)
    }

    fn sqlite(&self) -> Option<&rusqlite::Connection> {
        self.db().sqlite()
    }
}

/// A connection to a PostgreSQL server, with its prepared statements kept
/// by SQL text (as `prepare_cached` keeps them on SQLite).
pub(crate) struct PgDb {
    client: RefCell<Client>,
    statements: RefCell<HashMap<String, postgres::Statement>>,
    /// Whether a transaction is open (begun and not yet ended through
    /// [`Db::batch`]): [`Db::stream`] then reads through a cursor, a chunk at
    /// a time, so reading a million rows needs the memory of one chunk.
    in_transaction: std::cell::Cell<bool>,
    /// Cursors open now ([`Db::each`] inside another's callback): the
    /// next one's name.
    cursor_depth: std::cell::Cell<usize>,
    /// While this connection listens to the announced changes
    /// ([`PgDb::changes_heard`]): its own server process, whose
    /// announcements (this desk's own writes) are not counted.
    listening: std::cell::Cell<Option<i32>>,
    /// Changes other connections announced while this one listened.
    heard: std::cell::Cell<i64>,
}

/// Rows a cursor hands over at a time ([`PgDb::each_chunked`]).
const CURSOR_CHUNK: usize = 2000;

/// How long a look at the server's announcements waits for one.
const NOTICE_WAIT: std::time::Duration = std::time::Duration::from_millis(20);

impl PgDb {
    pub(crate) fn new(client: Client) -> PgDb {
        PgDb {
            client: RefCell::new(client),
            statements: RefCell::new(HashMap::new()),
            in_transaction: std::cell::Cell::new(false),
            cursor_depth: std::cell::Cell::new(0),
            listening: std::cell::Cell::new(None),
            heard: std::cell::Cell::new(0),
        }
    }

    /// [`Db::each`] inside a transaction: `sql` as a cursor whose rows are
    /// fetched [`CURSOR_CHUNK`] at a time; `f` runs between fetches, so it
    /// may query this connection too. The cursor is closed however this
    /// ends (a nested read at the same depth reuses its name).
    fn each_chunked(
        &self,
        sql: &str,
        params: &[&dyn ToSql],
        f: &mut dyn FnMut(&dyn DbRow) -> Result<()>,
    ) -> Result<()> {
        let depth = self.cursor_depth.get();
        let name = format!("eacdesk_rows_{depth}");
        let (declare, params) = self.bind(
            &format!("DECLARE {name} NO SCROLL CURSOR FOR {sql}"),
            params,
        )?;
        let refs = as_pg(&params);
        self.client
            .borrow_mut()
            .execute(&declare, &refs)
            .map_err(crate::server::server_error)?;
        self.cursor_depth.set(depth + 1);
        let read = (|| -> Result<()> {
            // Prepared anew for each cursor: its rows' types are the
            // cursor's, known to the server only once it is declared.
            let fetch = self
                .client
                .borrow_mut()
                .prepare(&format!("FETCH {CURSOR_CHUNK} FROM {name}"))
                .map_err(crate::server::server_error)?;
            loop {
                let rows = self
                    .client
                    .borrow_mut()
                    .query(&fetch, &[])
                    .map_err(crate::server::server_error)?;
                let last = rows.len() < CURSOR_CHUNK;
                for row in rows {
                    f(&PgRow(cells_of(&row)?))?;
                }
                if last {
                    return Ok(());
                }
            }
        })();
        self.cursor_depth.set(depth);
        // After a failed statement the transaction is over on the server
        // and the cursor with it: nothing to close then.
        let closed = self
            .client
            .borrow_mut()
            .batch_execute(&format!("CLOSE {name}"));
        read?;
        closed.map_err(crate::server::server_error)
    }

    /// How many changes other connections committed (each EAC Desk write
    /// on a server announces itself, decision 221) since this connection
    /// began listening, at its first call: what `PRAGMA data_version` tells
    /// on a file (it too ignores the connection's own commits). Never
    /// smaller than an earlier answer.
    pub(crate) fn changes_heard(&self) -> Result<i64> {
        let mut client = self.client.borrow_mut();
        let own = match self.listening.get() {
            Some(pid) => pid,
            None => {
                client
                    .batch_execute(&format!("LISTEN {}", crate::watch::CHANGES_CHANNEL))
                    .map_err(crate::server::server_error)?;
                let pid: i32 = client
                    .query_one("SELECT pg_backend_pid()", &[])
                    .map_err(crate::server::server_error)?
                    .get(0);
                self.listening.set(Some(pid));
                pid
            }
        };
        // A round trip, then a short wait: the server sends what it has
        // for this session while it is idle.
        client
            .batch_execute("SELECT 1")
            .map_err(crate::server::server_error)?;
        let mut notifications = client.notifications();
        let mut pending = notifications.timeout_iter(NOTICE_WAIT);
        use postgres::fallible_iterator::FallibleIterator;
        while let Some(note) = pending.next().map_err(crate::server::server_error)? {
            if note.process_id() != own {
                self.heard.set(self.heard.get() + 1);
            }
        }
        Ok(self.heard.get())
    }

    fn statement(&self, sql: &str) -> Result<postgres::Statement> {
        if let Some(stmt) = self.statements.borrow().get(sql) {
            return Ok(stmt.clone());
        }
        let text = placeholders(sql);
        let stmt = self
            .client
            .borrow_mut()
            .prepare(&text)
            .map_err(crate::server::server_error)?;
        self.statements
            .borrow_mut()
            .insert(sql.to_owned(), stmt.clone());
        Ok(stmt)
    }

    /// The statement and its parameters converted for the server.
    fn bind(
        &self,
        sql: &str,
        params: &[&dyn ToSql],
    ) -> Result<(postgres::Statement, Vec<PgParam>)> {
        let stmt = self.statement(sql)?;
        let params = params
            .iter()
            .map(|p| Ok(PgParam(owned(p.to_sql()?)?)))
            .collect::<Result<Vec<_>>>()?;
        if params.len() != stmt.params().len() {
            return Err(
                rusqlite::Error::InvalidParameterCount(params.len(), stmt.params().len()).into(),
            );
        }
        Ok((stmt, params))
    }
}

impl Db for PgDb {
    fn kind(&self) -> Kind {
        Kind::Postgres
    }

    fn each(
        &self,
        sql: &str,
        params: &[&dyn ToSql],
        f: &mut dyn FnMut(&dyn DbRow) -> Result<()>,
    ) -> Result<()> {
        let (stmt, params) = self.bind(sql, params)?;
        let refs = as_pg(&params);
        // Fetched whole (a page, a look-up), so `f` may run queries of its
        // own on this connection (a browse page reads each EAC's
        // beneficiaries).
        let rows = self
            .client
            .borrow_mut()
            .query(&stmt, &refs)
            .map_err(crate::server::server_error)?;
        for row in rows {
            f(&PgRow(cells_of(&row)?))?;
        }
        Ok(())
    }

    fn stream(
        &self,
        sql: &str,
        params: &[&dyn ToSql],
        f: &mut dyn FnMut(&dyn DbRow) -> Result<()>,
    ) -> Result<()> {
        // A cursor lives in a transaction; outside one, fetched whole.
        if self.in_transaction.get() {
            self.each_chunked(sql, params, f)
        } else {
            self.each(sql, params, f)
        }
    }

    fn execute(&self, sql: &str, params: &[&dyn ToSql]) -> Result<usize> {
        let (stmt, params) = self.bind(sql, params)?;
        let refs = as_pg(&params);
        let n = self
            .client
            .borrow_mut()
            .execute(&stmt, &refs)
            .map_err(crate::server::server_error)?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    fn batch(&self, sql: &str) -> Result<()> {
        let words = sql.trim_start().to_ascii_uppercase();
        // Ends with a COMMIT (`BEGIN … READ COMMITTED` does not).
        let committing = words.trim_end().trim_end_matches(';').ends_with("COMMIT");
        let done = self.client.borrow_mut().batch_execute(sql).map_err(|e| {
            // A connection lost while committing leaves the outcome unknown.
            if committing {
                crate::server::commit_error(e)
            } else {
                crate::server::server_error(e)
            }
        });
        // Where a transaction begins and ends (whether or not the end
        // succeeded: a failed COMMIT ends it too).
        if words.starts_with("BEGIN") {
            self.in_transaction.set(done.is_ok());
        } else if words.contains("COMMIT") || words.starts_with("ROLLBACK") {
            self.in_transaction.set(false);
        }
        done
    }

    fn sqlite(&self) -> Option<&rusqlite::Connection> {
        None
    }
}

/// A row's cells in SQLite's value model.
fn cells_of(row: &postgres::Row) -> Result<Vec<Value>> {
    (0..row.len())
        .map(|i| row.try_get::<_, Cell>(i).map(|c| c.0))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(crate::server::server_error)
}

/// A bound parameter as an owned value; a float (never bound: quantities
/// are exact decimal text) or a kind the store never binds is refused, not
/// changed.
fn owned(out: ToSqlOutput<'_>) -> Result<Value> {
    let value = match out {
        ToSqlOutput::Borrowed(ValueRef::Null) => Value::Null,
        ToSqlOutput::Borrowed(ValueRef::Integer(i)) => Value::Integer(i),
        ToSqlOutput::Borrowed(ValueRef::Text(t)) => {
            Value::Text(String::from_utf8_lossy(t).into_owned())
        }
        ToSqlOutput::Borrowed(ValueRef::Blob(b)) => Value::Blob(b.to_vec()),
        ToSqlOutput::Owned(
            v @ (Value::Null | Value::Integer(_) | Value::Text(_) | Value::Blob(_)),
        ) => v,
        _ => return Err(StoreError::InvalidInput(NOT_EXACT.to_owned())),
    };
    Ok(value)
}

/// Parameters as the `postgres` client takes them.
fn as_pg(params: &[PgParam]) -> Vec<&(dyn PgToSql + Sync)> {
    params.iter().map(|p| p as &(dyn PgToSql + Sync)).collect()
}

/// A row read from the server, its cells already in SQLite's model.
struct PgRow(Vec<Value>);

impl DbRow for PgRow {
    fn get_ref(&self, idx: usize) -> rusqlite::Result<ValueRef<'_>> {
        self.0
            .get(idx)
            .map(ValueRef::from)
            .ok_or(rusqlite::Error::InvalidColumnIndex(idx))
    }
}

/// Runs `work` with a page cache of `kib` (negative: KiB) on a SQLite
/// connection and gives the connection its own cache back after it,
/// whatever `work` returns; on a server, runs `work` as it is. For one
/// long scan or sort (an export, a check's grouping): SQLite's sorter keeps
/// up to the page cache's size of keys in memory beside the cache, and a
/// scan reads each page about once, so the store's large cache would only
/// grow their memory.
pub(crate) fn with_page_cache<T>(
    conn: &dyn Db,
    kib: i64,
    work: impl FnOnce() -> crate::Result<T>,
) -> crate::Result<T> {
    let Some(lite) = conn.sqlite() else {
        return work();
    };
    let cache: i64 = lite.pragma_query_value(None, "cache_size", |row| row.get(0))?;
    lite.pragma_update(None, "cache_size", kib)?;
    let done = work();
    lite.pragma_update(None, "cache_size", cache)?;
    done
}

/// How often a cancel is looked for while [`interruptible`] work runs,
/// and how often the connection is interrupted again once it is asked for
/// (an interrupt that comes between two statements is dropped by SQLite).
const CANCEL_POLL: std::time::Duration = std::time::Duration::from_millis(20);

/// Runs `work` on a SQLite connection so that a cancel asked for through
/// `progress` stops it within a fraction of a second, even inside one long
/// statement (a sort of millions of rows that returns nothing until it is
/// done): a thread watches `progress` meanwhile and interrupts the
/// connection (`sqlite3_interrupt`) once it is cancelled, again every
/// [`CANCEL_POLL`] until `work` returns. The interrupted statement fails;
/// `work` then ends with [`StoreError::Cancelled`]. For reads only: an
/// interrupted write would roll its transaction back. On a server, runs
/// `work` as it is (its own checks of `progress` still stop it).
pub(crate) fn interruptible<T>(
    conn: &dyn Db,
    progress: &dyn crate::Progress,
    work: impl FnOnce() -> crate::Result<T>,
) -> crate::Result<T> {
    let Some(lite) = conn.sqlite() else {
        return work();
    };
    let handle = lite.get_interrupt_handle();
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let out = std::thread::scope(|s| {
        s.spawn(move || {
            let mut cancelled = false;
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                finished.recv_timeout(CANCEL_POLL)
            {
                cancelled = cancelled || progress.is_cancelled();
                if cancelled {
                    handle.interrupt();
                }
            }
        });
        let out = work();
        drop(done);
        out
    });
    match out {
        Err(StoreError::Sqlite(e))
            if e.sqlite_error_code() == Some(rusqlite::ErrorCode::OperationInterrupted) =>
        {
            Err(StoreError::Cancelled)
        }
        other => other,
    }
}

/// `?N` and `?` placeholders written as PostgreSQL's `$N`, outside quoted
/// text and identifiers.
pub(crate) fn placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut next = 1;
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == q {
                    quote = None;
                }
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                out.push(c);
            }
            None if c == '?' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                out.push('$');
                if digits.is_empty() {
                    out.push_str(&next.to_string());
                    next += 1;
                } else {
                    next = digits.parse::<usize>().unwrap_or(0) + 1;
                    out.push_str(&digits);
                }
            }
            None => out.push(c),
        }
    }
    out
}

/// A parameter in SQLite's model, written as the type the server expects
/// at its place.
#[derive(Debug)]
struct PgParam(Value);

type BoxError = Box<dyn StdError + Sync + Send>;

/// Why a floating-point value (or a kind of value the store never binds)
/// is refused on the way to or from a server.
const NOT_EXACT: &str =
    "a floating-point value was met; EAC Desk keeps numbers as exact decimal text";

impl PgToSql for PgParam {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, BoxError> {
        match &self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Integer(i) => match *ty {
                Type::INT8 => PgToSql::to_sql(&i, ty, out),
                Type::INT4 => PgToSql::to_sql(&i32::try_from(*i)?, ty, out),
                Type::INT2 => PgToSql::to_sql(&i16::try_from(*i)?, ty, out),
                Type::BOOL => PgToSql::to_sql(&(*i != 0), ty, out),
                Type::NUMERIC => numeric_to_sql(&i.to_string(), out),
                _ => PgToSql::to_sql(&i.to_string().as_str(), ty, out),
            },
            // Refused by `owned` before it gets here.
            Value::Real(_) => Err(NOT_EXACT.into()),
            Value::Text(t) => match *ty {
                Type::INT8 => PgToSql::to_sql(&t.parse::<i64>()?, ty, out),
                Type::INT4 => PgToSql::to_sql(&t.parse::<i32>()?, ty, out),
                Type::NUMERIC => numeric_to_sql(t, out),
                Type::JSONB => {
                    out.extend_from_slice(&[1]);
                    out.extend_from_slice(t.as_bytes());
                    Ok(IsNull::No)
                }
                _ => {
                    out.extend_from_slice(t.as_bytes());
                    Ok(IsNull::No)
                }
            },
            Value::Blob(b) => PgToSql::to_sql(&b.as_slice(), ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// A cell as SQLite's model holds it.
struct Cell(Value);

impl<'a> FromSql<'a> for Cell {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Cell, BoxError> {
        Ok(Cell(match *ty {
            Type::INT8 => Value::Integer(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Integer(i32::from_sql(ty, raw)?.into()),
            Type::INT2 => Value::Integer(i16::from_sql(ty, raw)?.into()),
            Type::OID => Value::Integer(u32::from_sql(ty, raw)?.into()),
            Type::BOOL => Value::Integer(bool::from_sql(ty, raw)?.into()),
            // The schema has no floating-point column; one read from
            // elsewhere is refused rather than turned into an inexact value.
            Type::FLOAT8 | Type::FLOAT4 => return Err(NOT_EXACT.into()),
            Type::BYTEA => Value::Blob(raw.to_vec()),
            Type::NUMERIC => {
                // Integral and within 64 bits: an integer, as SQLite's
                // SUM of integers gives; anything else its exact text.
                let text = numeric_text(raw)?;
                match text.parse::<i64>() {
                    Ok(i) => Value::Integer(i),
                    Err(_) => Value::Text(text),
                }
            }
            Type::JSONB => Value::Text(String::from_utf8(raw.get(1..).unwrap_or(&[]).to_vec())?),
            _ => Value::Text(std::str::from_utf8(raw)?.to_owned()),
        }))
    }

    fn from_sql_null(_: &Type) -> std::result::Result<Cell, BoxError> {
        Ok(Cell(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// The text of a `numeric` in PostgreSQL's binary form: digit count,
/// weight (of the first base-10000 digit), sign, display scale, digits.
fn numeric_text(raw: &[u8]) -> std::result::Result<String, BoxError> {
    let word = |i: usize| -> std::result::Result<u16, BoxError> {
        raw.get(i * 2..i * 2 + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "a numeric value cut short".into())
    };
    let ndigits = usize::from(word(0)?);
    let weight = i32::from(word(1)? as i16);
    let sign = word(2)?;
    let dscale = usize::from(word(3)?);
    if sign == 0xC000 {
        return Ok("NaN".to_owned());
    }
    let digit = |k: i32| -> std::result::Result<u16, BoxError> {
        if k < 0 || k as usize >= ndigits {
            Ok(0)
        } else {
            word(4 + k as usize)
        }
    };
    let mut out = String::new();
    if sign == 0x4000 {
        out.push('-');
    }
    // Integer part: base-10000 digits 0..=weight.
    if weight < 0 {
        out.push('0');
    } else {
        for k in 0..=weight {
            let d = digit(k)?;
            if k == 0 {
                out.push_str(&d.to_string());
            } else {
                out.push_str(&format!("{d:04}"));
            }
        }
    }
    if dscale > 0 {
        out.push('.');
        let mut frac = String::new();
        let mut k = weight + 1;
        while frac.len() < dscale {
            frac.push_str(&format!("{:04}", digit(k)?));
            k += 1;
        }
        frac.truncate(dscale);
        out.push_str(&frac);
    }
    Ok(out)
}

/// Decimal text written as PostgreSQL's binary `numeric`.
fn numeric_to_sql(text: &str, out: &mut bytes::BytesMut) -> std::result::Result<IsNull, BoxError> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
    {
        return Err(format!("`{text}` is not a decimal number").into());
    }
    // Pad the integer part on the left and the fraction on the right to
    // whole base-10000 digits.
    let int = int.trim_start_matches('0');
    let int_pad = (4 - int.len() % 4) % 4;
    let frac_pad = (4 - frac.len() % 4) % 4;
    let digits_text = format!("{}{int}{frac}{}", "0".repeat(int_pad), "0".repeat(frac_pad));
    let mut digits: Vec<u16> = digits_text
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap_or("0").parse().unwrap_or(0))
        .collect();
    let int_groups = (int.len() + int_pad) / 4;
    let mut weight = int_groups as i32 - 1;
    // Leading zero groups change the weight; trailing ones are dropped.
    while digits.first() == Some(&0) {
        digits.remove(0);
        weight -= 1;
    }
    while digits.last() == Some(&0) {
        digits.pop();
    }
    if digits.is_empty() {
        weight = 0;
    }
    let mut put = |v: u16| out.extend_from_slice(&v.to_be_bytes());
    put(u16::try_from(digits.len())?);
    put(weight as i16 as u16);
    put(if negative && !digits.is_empty() {
        0x4000
    } else {
        0
    });
    put(u16::try_from(frac.len())?);
    for d in digits {
        put(d);
    }
    Ok(IsNull::No)
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> StoreError {
        crate::server::server_error(e)
    }
}

impl crate::Store {
    /// Opens an existing SQLite database that this process may not write
    /// (the file or its folder read-only: permissions, read-only media)
    /// for reading only, as SQLite's `mode=ro`: an auditor reads a
    /// database on a read-only disk. Not `immutable=1`: that ignores the
    /// write-ahead log (committed changes still in a `-wal` would not be
    /// seen) and another process writing meanwhile would be read torn;
    /// `mode=ro` still takes SQLite's locks and reads the log, and where
    /// it cannot (a `-wal` without its `-shm` in a folder that cannot be
    /// written) SQLite refuses. Nothing is upgraded: an older schema is
    /// refused, naming the file and what to do; missing audit triggers
    /// are only reported. Any write through this store fails as
    /// read-only.
    pub fn open_read_only(path: &std::path::Path) -> Result<crate::Store> {
        // An empty file is no database yet: it reads as a missing one does
        // (decision 55), not as one "written by an earlier EAC Desk".
        if crate::atomic::is_empty_database_file(path) {
            return crate::Store::empty_in_memory(path);
        }
        refuse_other_program_untouched(path)?;
        let mut immutable = false;
        let found = crate::SideFiles::of(path);
        let conn = match read_only_connection(path, false) {
            Ok(conn) => conn,
            // SQLite reads a WAL database read-only only through its
            // `-shm`, which it cannot make in a folder it cannot write
            // (it cannot open it). With neither a `-wal` nor a `-journal`
            // beside the file, no process has it open for writing and
            // every committed change is in the file: read it as
            // immutable. A hot journal (a write cut short) or a busy
            // writer refuses as SQLite does: immutable would read pages
            // no transaction committed.
            Err(e)
                if cannot_open_read_only(&e)
                    && !crate::atomic::side_file(path, "-wal").exists()
                    && !crate::atomic::side_file(path, "-journal").exists() =>
            {
                immutable = true;
                read_only_connection(path, true).map_err(|_| e)?
            }
            Err(e) => return Err(e.into()),
        };
        let conn = crate::Store::refuse_other_program(conn, path, found)?;
        let applied = crate::migrate::check_version(&conn, path)?;
        let supported = crate::migrate::supported_version();
        if applied == 0 {
            // An SQLite file no EAC Desk has set up (`user_version` 0): an
            // empty database another program made, or another program's.
            return Err(StoreError::InvalidInput(format!(
                "{} is not an EAC Desk database (an SQLite file holding no EAC Desk tables), and it cannot be set up as one here: the file or its folder is read-only. Nothing was changed. Check that this is the database you meant, or copy it to a folder you can write to and open the copy.",
                path.display()
            )));
        }
        if applied < supported {
            return Err(StoreError::InvalidInput(format!(
                "{} was written by an earlier EAC Desk (schema {applied}; this one reads schema {supported}) and must be upgraded before it can be read, but it cannot be written here (the file or its folder is read-only). Nothing was changed. Copy it (with any -wal file beside it) to a folder you can write to and open the copy.",
                path.display()
            )));
        }
        conn.pragma_update(None, "temp_store", "FILE")?;
        conn.pragma_update(None, "cache_size", crate::STORE_CACHE_KIB)?;
        let mut warnings = vec![format!(
            "{} is read-only here: reading it as it stands{}; commands that change it are refused",
            path.display(),
            if immutable {
                " (a change another program makes while this command runs is not seen)"
            } else {
                ""
            }
        )];
        let missing = crate::migrate::missing_triggers(&conn)?;
        if !missing.is_empty() {
            warnings.push(format!(
                "{}: the audit-log protection ({}) is missing (another tool removed it); check the audit log",
                path.display(),
                missing.join(", ")
            ));
        }
        Ok(crate::Store {
            conn,
            path: path.to_owned(),
            wal: true,
            warnings,
            audit_name: None,
            fresh: false,
            server: None,
            counted: Default::default(),
            attached: Default::default(),
            opened: crate::opened::OpenedFile::at(path),
            busy_wait: std::cell::Cell::new(crate::BUSY_TIMEOUT),
        })
    }
}

/// Refuses another program's database
/// ([`crate::migrate::refuse_other_program`]) before any connection that
/// could leave a trace opens it: SQLite's immutable reading of the file
/// takes no lock and makes no `-wal`, `-shm` or `-journal`. A file it
/// cannot read (no file, not a database, damaged) is left to the open
/// that follows to name. When the file holds no schema entry while a
/// `-wal` without its `-shm` lies beside it (a program stopped before
/// SQLite moved its first changes into the file), its schema may be in
/// that log, which only a connection that makes a `-shm` reads: the file
/// and its log are then looked at as a copy in a temporary folder.
pub(crate) fn refuse_other_program_untouched(path: &std::path::Path) -> Result<()> {
    look_untouched(path, false)
}

/// [`refuse_other_program_untouched`] for a caller that would change the
/// files beside the database before any connection opens it
/// ([`crate::companions::mend`]): a schema the file does not hold may be in
/// its `-wal`, and that log is looked at in a copy also when its `-shm`
/// lies beside it (where the open that follows would read it).
pub(crate) fn refuse_other_program_beside(path: &std::path::Path) -> Result<()> {
    look_untouched(path, true)
}

/// [`refuse_other_program_untouched`]; `even_with_shm`: the `-wal` is
/// looked at in a copy also when a `-shm` lies beside it.
fn look_untouched(path: &std::path::Path, even_with_shm: bool) -> Result<()> {
    if !path.is_file() {
        return Ok(());
    }
    let Ok(conn) = read_only_connection(path, true) else {
        return Ok(());
    };
    let empty = conn
        .query_row("SELECT count(*) = 0 FROM sqlite_schema", [], |r| r.get(0))
        .unwrap_or(false);
    let refused =
        |conn: &rusqlite::Connection| match crate::migrate::refuse_other_program(conn, path) {
            Err(e @ StoreError::OtherProgram { .. }) => Err(e),
            _ => Ok(()),
        };
    refused(&conn)?;
    drop(conn);
    let wal = crate::atomic::side_file(path, "-wal");
    let shm = crate::atomic::side_file(path, "-shm");
    if !empty || !wal.metadata().is_ok_and(|m| m.len() > 0) || (!even_with_shm && shm.exists()) {
        return Ok(());
    }
    let Ok(copy) = tempfile::Builder::new().prefix(".eacdesk-look-").tempdir() else {
        return Ok(());
    };
    let db = copy.path().join("db.sqlite");
    let copied = std::fs::copy(path, &db)
        .and_then(|_| std::fs::copy(&wal, crate::atomic::side_file(&db, "-wal")));
    if copied.is_err() {
        return Ok(());
    }
    let Ok(conn) = rusqlite::Connection::open_with_flags(
        &db,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    ) else {
        return Ok(());
    };
    if crate::schema_guard::defend(&conn).is_err() {
        return Ok(());
    }
    refused(&conn)
}

/// Whether a read-only open failed because SQLite could not make or open
/// what it reads a database through (the `-shm` of a WAL database in a
/// folder it cannot write), not because of the database's own state (a
/// hot journal, a busy writer, damage).
fn cannot_open_read_only(e: &rusqlite::Error) -> bool {
    use rusqlite::ffi;
    match e.sqlite_error() {
        Some(err) => {
            err.code == rusqlite::ErrorCode::CannotOpen
                || matches!(
                    err.extended_code,
                    ffi::SQLITE_READONLY_CANTINIT | ffi::SQLITE_READONLY_DIRECTORY
                )
        }
        None => false,
    }
}

/// A read-only connection to `path` (SQLite's `mode=ro`; `immutable=1`
/// when `immutable`), its first page read.
fn read_only_connection(
    path: &std::path::Path,
    immutable: bool,
) -> rusqlite::Result<rusqlite::Connection> {
    use rusqlite::OpenFlags;
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = if immutable {
        let absolute = path
            .canonicalize()
            .map_err(|e| rusqlite::Error::InvalidPath(std::path::PathBuf::from(e.to_string())))?;
        let mut uri = url::Url::from_file_path(&absolute)
            .map_err(|()| rusqlite::Error::InvalidPath(absolute.clone()))?;
        uri.set_query(Some("immutable=1"));
        rusqlite::Connection::open_with_flags(uri.as_str(), flags | OpenFlags::SQLITE_OPEN_URI)?
    } else {
        rusqlite::Connection::open_with_flags(path, flags)?
    };
    crate::schema_guard::defend(&conn)?;
    conn.busy_timeout(crate::BUSY_TIMEOUT)?;
    crate::fold::register(&conn)?;
    crate::summary::register(&conn)?;
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// Cancelled once `cancel` is set, from any thread.
    struct Flag(AtomicBool);

    impl crate::Progress for Flag {
        fn update(&self, _: crate::Phase, _: u64, _: Option<u64>) {}
        fn is_cancelled(&self) -> bool {
            self.0.load(Ordering::SeqCst)
        }
    }

    /// Counts to `n` in one statement that returns nothing until it is done.
    fn count_to(conn: &dyn Db, n: i64) -> crate::Result<i64> {
        let rows = conn.collect(
            "WITH RECURSIVE c(x) AS (VALUES (1) UNION ALL SELECT x + 1 FROM c WHERE x < ?1)
             SELECT count(*) FROM c",
            &[&n],
            |r| Ok(r.get::<i64>(0)?),
        )?;
        Ok(rows[0])
    }

    /// A cancel asked for while one long statement runs stops it there
    /// (left alone it counts for minutes), and the connection works on.
    #[test]
    fn a_cancel_interrupts_a_long_statement() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let flag = Flag(AtomicBool::new(false));
        let result = std::thread::scope(|s| {
            s.spawn(|| {
                std::thread::sleep(std::time::Duration::from_millis(200));
                flag.0.store(true, Ordering::SeqCst);
            });
            interruptible(&conn, &flag, || count_to(&conn, 1_000_000_000_000))
        });
        assert!(matches!(result, Err(StoreError::Cancelled)), "{result:?}");
        assert_eq!(count_to(&conn, 1000).unwrap(), 1000);
        // Not cancelled: the work's own answer.
        let flag = Flag(AtomicBool::new(false));
        let result = interruptible(&conn, &flag, || count_to(&conn, 100_000));
        assert_eq!(result.unwrap(), 100_000);
    }

    #[test]
    fn placeholders_are_numbered_outside_quotes() {
        assert_eq!(
            placeholders("SELECT a FROM t WHERE b = ? AND c = '?' AND \"d?\" = ?"),
            "SELECT a FROM t WHERE b = $1 AND c = '?' AND \"d?\" = $2"
        );
        assert_eq!(
            placeholders("UPDATE t SET a = ?2 WHERE id = ?1 AND b = ?"),
            "UPDATE t SET a = $2 WHERE id = $1 AND b = $2"
        );
    }

    #[test]
    fn numerics_round_trip_their_text() {
        for text in [
            "0",
            "1",
            "1000.0",
            "45.106820",
            "-12345678901234567890.000001",
            "0.0001",
            "10000",
            "99999999.99990000",
        ] {
            let mut buf = bytes::BytesMut::new();
            numeric_to_sql(text, &mut buf).unwrap();
            assert_eq!(numeric_text(&buf).unwrap(), text.trim_start_matches('+'));
        }
    }

    #[test]
    fn a_float_is_never_sent_to_a_server() {
        assert!(owned(ToSql::to_sql(&1.5_f64).unwrap()).is_err());
        assert_eq!(
            owned(ToSql::to_sql(&"1000.0").unwrap()).unwrap(),
            Value::Text("1000.0".into())
        );
        let mut buf = bytes::BytesMut::new();
        assert!(PgParam(Value::Real(1.5))
            .to_sql(&Type::FLOAT8, &mut buf)
            .is_err());
        assert!(Cell::from_sql(&Type::FLOAT8, &1.5_f64.to_be_bytes()).is_err());
    }

    #[test]
    fn sqlite_rows_read_through_the_seam() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t (a INTEGER, b TEXT); INSERT INTO t VALUES (1, 'x'), (2, NULL);",
        )
        .unwrap();
        let db: &dyn Db = &conn;
        let rows = db
            .collect(
                "SELECT a, b FROM t WHERE a >= ?1 ORDER BY a",
                &[&1],
                |row| Ok((row.get::<i64>(0)?, row.get::<Option<String>>(1)?)),
            )
            .unwrap();
        assert_eq!(rows, vec![(1, Some("x".to_owned())), (2, None)]);
        assert!(db
            .query_opt("SELECT a FROM t WHERE a = 9", &[], |_| Ok(()))
            .unwrap()
            .is_none());
    }
}
