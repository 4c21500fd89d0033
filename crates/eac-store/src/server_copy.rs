//! `eacdesk copy`: a whole SQLite store into an empty PostgreSQL database
//! set up by `server init` (issue 17, item 3), verified table by table.
//!
//! Every table is copied as it is, ids kept, in the order its foreign keys
//! need, through `COPY … FROM STDIN`, from one read snapshot of the file,
//! in one transaction on the server. The tables' own triggers are switched
//! off meanwhile (the table owner may) so the kept totals, counts and facet
//! sums arrive exactly as stored, not recomputed; the search text of each
//! EAC comes from the file's search index. Then each table is read back from
//! the server in its key's order (`COPY … TO STDOUT`) and its SHA-256
//! compared with that of the rows sent: a difference anywhere stops the copy
//! and the server transaction is rolled back.
//!
//! A copy goes on numbering where its source would have: a server's
//! identity sequence is set to the file's own high mark (`sqlite_sequence`,
//! kept by the tables that never give an id twice, `claims` and
//! `audit_log`) or the highest id copied, and a file made from a server
//! gets the server's sequences in its `sqlite_sequence`. Without that, a
//! claim deleted before the copy would give its number to the next one
//! (decision 244, migration 0020, made that impossible within one database).

use std::io::{BufWriter, Read, Write as _};
use std::path::Path;

use postgres::fallible_iterator::FallibleIterator;
use rusqlite::types::ValueRef;
use sha2::{Digest, Sha256};

use crate::bulk::{drop_triggers, quoted};
use crate::server::{connect, newest_version, owner_error, schema_version, server_error};
use crate::{NewDatabase, Result, Store, StoreError};

/// The tables copied, in an order their foreign keys accept (that of the
/// server schema's steps). `eacdesk_schema` is the server's own.
pub const TABLES: [&str; 24] = [
    "import_batches",
    "eacs",
    "eac_values",
    "eac_beneficiaries",
    "eac_totals",
    "audit_log",
    "eac_envelopes",
    "refdata",
    "import_changes",
    "documents",
    "eac_sources",
    "eac_ranges",
    "stations",
    "csv_mappings",
    "packs",
    "closed_periods",
    "consumption",
    "claims",
    "claim_allocations",
    "claim_factors",
    "emission_factors",
    "eac_totals_kept",
    "eac_counts_kept",
    "eac_facets_kept",
];

/// One table copied.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TableCopied {
    pub table: String,
    pub rows: u64,
    /// SHA-256 of the rows in `COPY` text form, key order: the same sent
    /// and read back.
    pub sha256: String,
}

/// What [`Store::copy_to_server`] did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CopyReport {
    pub database: String,
    pub tables: Vec<TableCopied>,
}

struct Column {
    name: String,
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Integer,
    Text,
    Bytes,
}

impl Store {
    /// Copies this store into the empty server database `url`; see the
    /// module documentation. `each` hears of every table copied.
    pub fn copy_to_server(
        &self,
        url: &str,
        each: &mut dyn FnMut(&TableCopied),
    ) -> Result<CopyReport> {
        self.copy_to_server_cancellable(url, each, &crate::NoProgress)
    }

    /// [`Store::copy_to_server`] that stops with [`StoreError::Cancelled`]
    /// once `progress` is cancelled (asked every few thousand rows sent or
    /// read back): the server's transaction is rolled back, nothing is
    /// copied.
    pub fn copy_to_server_cancellable(
        &self,
        url: &str,
        each: &mut dyn FnMut(&TableCopied),
        progress: &dyn crate::Progress,
    ) -> Result<CopyReport> {
        self.copy_to_server_above(url, each, progress, &HighMarks::default())
    }

    /// [`Store::copy_to_server_cancellable`] whose identity sequences go on
    /// after `marks` too (the ids a source server gave, for a copy between
    /// servers through a file, which keeps the marks of its AUTOINCREMENT
    /// tables only).
    fn copy_to_server_above(
        &self,
        url: &str,
        each: &mut dyn FnMut(&TableCopied),
        progress: &dyn crate::Progress,
        marks: &HighMarks,
    ) -> Result<CopyReport> {
        let stop = || {
            if progress.is_cancelled() {
                Err(StoreError::Cancelled)
            } else {
                Ok(())
            }
        };
        let mut client = connect(url)?;
        let mut tx = client.transaction().map_err(owner_error)?;
        let database: String = tx
            .query_one("SELECT current_database()::text", &[])
            .map_err(owner_error)?
            .get(0);
        check_version(&mut tx, &database)?;
        for table in TABLES {
            let rows: i64 = tx
                .query_one(
                    &format!(
                        "SELECT count(*) FROM {table}{}",
                        if table == "eac_counts_kept" {
                            " WHERE \"values\" <> 0 OR version_high <> 1"
                        } else {
                            ""
                        }
                    ),
                    &[],
                )
                .map_err(owner_error)?
                .get(0);
            if rows > 0 {
                return Err(StoreError::Server {
                    message: format!(
                        "the database {database} already holds data ({table}); a copy goes \
                         into an empty database only: create one and run `eacdesk server \
                         init` on it"
                    ),
                });
            }
        }
        tx.batch_execute("DELETE FROM eac_counts_kept")
            .map_err(owner_error)?;
        for table in TABLES {
            tx.batch_execute(&format!("ALTER TABLE {table} DISABLE TRIGGER USER"))
                .map_err(owner_error)?;
        }

        // One snapshot of the file for every table.
        let snapshot = rusqlite::Transaction::new_unchecked(
            self.sqlite("Copying to a server")?,
            rusqlite::TransactionBehavior::Deferred,
        )?;
        let mut tables = Vec::new();
        for table in TABLES {
            let columns = server_columns(&mut tx, table)?;
            let key = order_key(&mut tx, table, &columns)?;
            let names = columns
                .iter()
                .map(|c| quoted(&c.name))
                .collect::<Vec<_>>()
                .join(", ");
            let mut sent = Sha256::new();
            let rows;
            {
                let writer = tx
                    .copy_in(&format!("COPY {table} ({names}) FROM STDIN"))
                    .map_err(owner_error)?;
                let mut out = BufWriter::with_capacity(1 << 16, writer);
                let mut lines = 0u64;
                rows = each_sqlite_line(&snapshot, table, &columns, &key, &mut |line| {
                    lines += 1;
                    if lines.is_multiple_of(CANCEL_EVERY) {
                        stop()?;
                    }
                    sent.update(line);
                    out.write_all(line).map_err(copy_error)
                })?;
                let writer = out.into_inner().map_err(|e| copy_error(e.into_error()))?;
                writer.finish().map_err(owner_error)?;
            }
            let sent = hex::encode(sent.finalize());
            let back = read_back(&mut tx, table, &columns, &key, &stop)?;
            if back != sent {
                return Err(StoreError::Server {
                    message: format!(
                        "table {table} reads back different from what was sent \
                         ({rows} rows); nothing was copied"
                    ),
                });
            }
            let copied = TableCopied {
                table: table.to_owned(),
                rows,
                sha256: sent,
            };
            each(&copied);
            tables.push(copied);
        }
        let mut marks = marks.clone();
        marks.raise(&file_high_marks(&snapshot)?);
        drop(snapshot);
        for table in TABLES {
            tx.batch_execute(&format!("ALTER TABLE {table} ENABLE TRIGGER USER"))
                .map_err(owner_error)?;
            let identity: bool = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM information_schema.columns
                      WHERE table_schema = 'public' AND table_name = $1
                        AND column_name = 'id' AND is_identity = 'YES')",
                    &[&table],
                )
                .map_err(owner_error)?
                .get(0);
            if identity {
                // The next id is the source's next: after its high mark or
                // the highest id copied, whichever is higher.
                tx.execute(
                    &format!(
                        "SELECT CASE WHEN n > 0 THEN setval(s, n) ELSE setval(s, 1, false) END
                           FROM (SELECT pg_get_serial_sequence($1, 'id') AS s,
                                        greatest(coalesce(max(id), 0), $2::bigint) AS n
                                   FROM {table}) AS t"
                    ),
                    &[&table, &marks.get(table)],
                )
                .map_err(owner_error)?;
            }
        }
        tx.commit().map_err(owner_error)?;
        Ok(CopyReport { database, tables })
    }
}

/// Copies the server database `url` whole into a new database file `dest`
/// (which must not exist): the other way of [`Store::copy_to_server`], with
/// the same verification. The file is built hidden beside `dest` and
/// renamed into place only when every table has been compared; `each`
/// hears of every table copied.
pub fn copy_from_server(
    url: &str,
    dest: &Path,
    each: &mut dyn FnMut(&TableCopied),
) -> Result<CopyReport> {
    Ok(copy_from_server_marked(url, dest, each)?.0)
}

/// Copies the server database `from` into the empty server database `to`
/// through the new file `via` (see [`copy_from_server`] and
/// [`Store::copy_to_server`]); `each` hears of every table written to `to`.
/// Every identity sequence of `to` goes on where `from`'s would (the file
/// keeps the marks of its AUTOINCREMENT tables only; the others' are
/// carried beside it).
pub fn copy_between_servers(
    from: &str,
    to: &str,
    via: &Path,
    each: &mut dyn FnMut(&TableCopied),
) -> Result<CopyReport> {
    let (_, marks) = copy_from_server_marked(from, via, &mut |_| {})?;
    let store = Store::open_read(via)?;
    store.copy_to_server_above(to, each, &crate::NoProgress, &marks)
}

/// [`copy_from_server`], and the high marks of the server's sequences it
/// could read.
fn copy_from_server_marked(
    url: &str,
    dest: &Path,
    each: &mut dyn FnMut(&TableCopied),
) -> Result<(CopyReport, HighMarks)> {
    let mut client = connect(url)?;
    // One snapshot of the server for every table.
    let mut tx = client
        .build_transaction()
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .map_err(server_error)?;
    let database: String = tx
        .query_one("SELECT current_database()::text", &[])
        .map_err(server_error)?
        .get(0);
    check_version(&mut tx, &database)?;
    let marks = server_high_marks(&mut tx)?;
    let mut new = NewDatabase::create(dest)?;
    let mut tables = Vec::new();
    new.store().write(|w| {
        // The file's triggers would recompute what is copied as stored.
        let triggers = drop_triggers(w, "", "no file was made")?;
        // A new file's own rows (its counts) give way to the server's.
        w.execute_batch("DELETE FROM eac_counts_kept")?;
        for table in TABLES {
            let columns = server_columns(&mut tx, table)?;
            let key = order_key(&mut tx, table, &columns)?;
            let stored: Vec<&Column> = columns
                .iter()
                .filter(|c| !(table == "eacs" && c.name == "search_text"))
                .collect();
            let names: Vec<String> = stored.iter().map(|c| quoted(&c.name)).collect();
            let mut insert = w.prepare(&format!(
                "INSERT INTO {table} ({}) VALUES ({})",
                names.join(", "),
                vec!["?"; names.len()].join(", ")
            ))?;
            let mut search = w.prepare("INSERT INTO eac_search (rowid, text) VALUES (?1, ?2)")?;
            let select: Vec<String> = columns.iter().map(|c| quoted(&c.name)).collect();
            let mut rows = tx
                .query_raw(
                    &format!(
                        "SELECT {} FROM {table} ORDER BY {}",
                        select.join(", "),
                        server_order(&columns, &key)
                    ),
                    std::iter::empty::<i32>(),
                )
                .map_err(server_error)?;
            let mut count = 0u64;
            while let Some(row) = rows.next().map_err(server_error)? {
                let mut values: Vec<rusqlite::types::Value> = Vec::with_capacity(columns.len());
                let mut search_text: Option<String> = None;
                let mut id: Option<i64> = None;
                for (i, column) in columns.iter().enumerate() {
                    let value = match column.kind {
                        Kind::Integer => {
                            let n: Option<i64> = row
                                .try_get::<_, Option<i64>>(i)
                                .or_else(|_| {
                                    row.try_get::<_, Option<i32>>(i).map(|v| v.map(i64::from))
                                })
                                .map_err(server_error)?;
                            if column.name == "id" {
                                id = n;
                            }
                            n.map_or(
                                rusqlite::types::Value::Null,
                                rusqlite::types::Value::Integer,
                            )
                        }
                        Kind::Text => {
                            let t: Option<String> = row.try_get(i).map_err(server_error)?;
                            if table == "eacs" && column.name == "search_text" {
                                search_text = t;
                                continue;
                            }
                            t.map_or(rusqlite::types::Value::Null, rusqlite::types::Value::Text)
                        }
                        Kind::Bytes => {
                            let b: Option<Vec<u8>> = row.try_get(i).map_err(server_error)?;
                            b.map_or(rusqlite::types::Value::Null, rusqlite::types::Value::Blob)
                        }
                    };
                    values.push(value);
                }
                insert.execute(rusqlite::params_from_iter(values.iter()))?;
                if let (Some(id), Some(text)) = (id, search_text.filter(|t| !t.is_empty())) {
                    search.execute(rusqlite::params![id, text])?;
                }
                count += 1;
            }
            drop((insert, search, rows));
            let (rows, sha256) = sqlite_digest(w, table, &columns, &key)?;
            let back = read_back(&mut tx, table, &columns, &key, &|| Ok(()))?;
            if back != sha256 || rows != count {
                return Err(StoreError::Server {
                    message: format!(
                        "table {table} differs in the new file from the server ({count} rows); \
                         no file was made"
                    ),
                });
            }
            let copied = TableCopied {
                table: table.to_owned(),
                rows,
                sha256,
            };
            each(&copied);
            tables.push(copied);
        }
        set_file_high_marks(w, &marks)?;
        for sql in &triggers {
            // The migrations' own text, one statement (`drop_triggers`).
            w.execute(sql, [])?;
        }
        Ok(())
    })?;
    if !new.finish()? {
        return Err(StoreError::Io {
            path: dest.to_owned(),
            source: std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "another program made this file meanwhile; it was left alone",
            ),
        });
    }
    Ok((CopyReport { database, tables }, marks))
}

/// The highest id each table has given (its next is one more), by table;
/// a table not named has given none beyond its rows.
#[derive(Debug, Clone, Default)]
struct HighMarks(Vec<(String, i64)>);

impl HighMarks {
    fn get(&self, table: &str) -> i64 {
        self.0
            .iter()
            .filter(|(t, _)| t == table)
            .map(|(_, n)| *n)
            .max()
            .unwrap_or(0)
    }

    fn raise(&mut self, other: &HighMarks) {
        self.0.extend(other.0.iter().cloned());
    }
}

/// The file's high marks: `sqlite_sequence`, which SQLite keeps for its
/// AUTOINCREMENT tables (`claims`, `audit_log`).
fn file_high_marks(conn: &rusqlite::Connection) -> Result<HighMarks> {
    let has: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_sequence')",
        [],
        |r| r.get(0),
    )?;
    if !has {
        return Ok(HighMarks::default());
    }
    let marks = conn
        .prepare("SELECT name, seq FROM sqlite_sequence WHERE typeof(seq) = 'integer'")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(HighMarks(marks))
}

/// The server's high marks: the last value of each copied table's identity
/// sequence. A role that may not read a sequence (an auditor) sees none
/// for it: the copy then goes on after the highest id (and, for claims,
/// the highest number the audit log names; see [`set_file_high_marks`]).
fn server_high_marks(tx: &mut postgres::Transaction) -> Result<HighMarks> {
    let tables: Vec<String> = TABLES.iter().map(|t| (*t).to_owned()).collect();
    let marks = tx
        .query(
            "SELECT c.table_name::text, s.last_value
               FROM information_schema.columns c
               JOIN pg_sequences s
                 ON quote_ident(s.schemaname) || '.' || quote_ident(s.sequencename)
                    = pg_get_serial_sequence('public.' || quote_ident(c.table_name), 'id')
              WHERE c.table_schema = 'public' AND c.column_name = 'id'
                AND c.is_identity = 'YES' AND c.table_name = ANY ($1)
                AND s.last_value IS NOT NULL",
            &[&tables],
        )
        .map_err(server_error)?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    Ok(HighMarks(marks))
}

/// Raises the new file's `sqlite_sequence` to `marks` for each of its
/// AUTOINCREMENT tables (SQLite set it to the highest id inserted). A
/// claim's number also counts the numbers the audit log names, as
/// migration 0020 counts them: a claim deleted before the copy keeps its
/// number even when the server's sequence could not be read.
fn set_file_high_marks(w: &rusqlite::Connection, marks: &HighMarks) -> Result<()> {
    let tables: Vec<String> = w
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table'
                AND sql LIKE '%AUTOINCREMENT%' ORDER BY name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for table in tables {
        let mut mark = marks.get(&table);
        if table == "claims" {
            mark = mark.max(w.query_row(
                "SELECT max(n) FROM (
                    SELECT coalesce(max(CAST(json_extract(\"after\", '$.claim') AS INTEGER)), 0) AS n
                      FROM audit_log
                     WHERE action IN ('claim_create', 'claim_delete') AND json_valid(\"after\")
                    UNION ALL
                    SELECT coalesce(max(CAST(json_extract(\"before\", '$.claim') AS INTEGER)), 0)
                      FROM audit_log
                     WHERE action IN ('claim_create', 'claim_delete') AND json_valid(\"before\"))",
                [],
                |r| r.get::<_, i64>(0),
            )?);
        }
        let raised = w.execute(
            "UPDATE sqlite_sequence SET seq = max(seq, ?2) WHERE name = ?1",
            rusqlite::params![table, mark],
        )?;
        if raised == 0 && mark > 0 {
            w.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (?1, ?2)",
                rusqlite::params![table, mark],
            )?;
        }
    }
    Ok(())
}

/// The server table's columns, in order.
fn server_columns(tx: &mut postgres::Transaction, table: &str) -> Result<Vec<Column>> {
    let rows = tx
        .query(
            "SELECT column_name::text, data_type::text FROM information_schema.columns
              WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
            &[&table],
        )
        .map_err(server_error)?;
    rows.iter()
        .map(|r| {
            let name: String = r.get(0);
            let kind = match r.get::<_, String>(1).as_str() {
                "bigint" | "integer" => Kind::Integer,
                "text" => Kind::Text,
                "bytea" => Kind::Bytes,
                other => {
                    return Err(StoreError::Server {
                        message: format!(
                            "{table}.{name} is of type {other}, which a copy does not know"
                        ),
                    })
                }
            };
            Ok(Column { name, kind })
        })
        .collect()
}

/// The columns rows are ordered by: the primary key, else every column.
fn order_key(
    tx: &mut postgres::Transaction,
    table: &str,
    columns: &[Column],
) -> Result<Vec<String>> {
    let key: Vec<String> = tx
        .query(
            "SELECT a.attname::text FROM pg_index i
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
              WHERE i.indrelid = $1::text::regclass AND i.indisprimary
              ORDER BY array_position(i.indkey::int2[], a.attnum)",
            &[&table],
        )
        .map_err(server_error)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    Ok(if key.is_empty() {
        columns.iter().map(|c| c.name.clone()).collect()
    } else {
        key
    })
}

/// The file's rows of `table` as the server's columns, in key order
/// (SQLite compares text byte by byte and puts NULL first).
fn sqlite_select(table: &str, columns: &[Column], key: &[String]) -> String {
    let expressions: Vec<String> = columns
        .iter()
        .map(|c| {
            if table == "eacs" && c.name == "search_text" {
                // The server keeps the search text in the row.
                "coalesce((SELECT s.text FROM eac_search s WHERE s.rowid = t.id), '')".to_owned()
            } else {
                format!("t.{}", quoted(&c.name))
            }
        })
        .collect();
    let order: Vec<String> = key.iter().map(|k| format!("t.{}", quoted(k))).collect();
    format!(
        "SELECT {} FROM {table} t ORDER BY {}",
        expressions.join(", "),
        order.join(", ")
    )
}

/// SHA-256 of the server's rows of `table` in `COPY` text form, ordered as
/// [`sqlite_select`] orders them.
fn read_back(
    tx: &mut postgres::Transaction,
    table: &str,
    columns: &[Column],
    key: &[String],
    stop: &dyn Fn() -> Result<()>,
) -> Result<String> {
    let names: Vec<String> = columns.iter().map(|c| quoted(&c.name)).collect();
    let mut reader = tx
        .copy_out(&format!(
            "COPY (SELECT {} FROM {table} ORDER BY {}) TO STDOUT",
            names.join(", "),
            server_order(columns, key)
        ))
        .map_err(server_error)?;
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        stop()?;
        let n = reader.read(&mut buf).map_err(copy_error)?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
    }
    Ok(hex::encode(hash.finalize()))
}

/// Rows sent between two looks at a cancel of a copy to a server.
const CANCEL_EVERY: u64 = 4096;

/// Refuses a server database not set up by `server init` at this version:
/// a newer one asks for a newer EAC Desk (`server init` never downgrades),
/// as opening it does; an older or bare one is its owner's to set up
/// (decision 313), the owner named to a login that is not it.
fn check_version(tx: &mut postgres::Transaction, database: &str) -> Result<()> {
    let version = schema_version(tx)?;
    let newest = newest_version();
    let message = match version {
        Some(v) if v == newest => return Ok(()),
        Some(v) if v > newest => format!(
            "the database {database} holds an EAC Desk database of schema {v}, newer than this \
             version of EAC Desk knows ({newest}); update EAC Desk"
        ),
        _ => {
            let (owner, is_owner) = crate::server::owner_of(tx)?;
            let by = if is_owner {
                "run".to_owned()
            } else {
                format!("ask the database's owner ({owner}) to run")
            };
            format!(
                "the database {database} is not set up for this version of EAC Desk (schema \
                 {}, this version needs {newest}); {by} `eacdesk server init` on it first",
                version.map_or_else(|| "none".to_owned(), |v| v.to_string())
            )
        }
    };
    Err(StoreError::Server { message })
}

/// `ORDER BY` text putting the server's rows in SQLite's order (text byte
/// by byte, NULL first).
fn server_order(columns: &[Column], key: &[String]) -> String {
    key.iter()
        .map(|k| {
            let text = columns.iter().any(|c| &c.name == k && c.kind == Kind::Text);
            format!(
                "{}{} NULLS FIRST",
                quoted(k),
                if text { " COLLATE \"C\"" } else { "" }
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Hands `line` each row of the file's `table` in `COPY` text form, in key
/// order; returns how many.
fn each_sqlite_line(
    conn: &rusqlite::Connection,
    table: &str,
    columns: &[Column],
    key: &[String],
    line_out: &mut dyn FnMut(&[u8]) -> Result<()>,
) -> Result<u64> {
    let mut stmt = conn.prepare(&sqlite_select(table, columns, key))?;
    let mut found = stmt.query([])?;
    let mut line = Vec::new();
    let mut rows = 0u64;
    while let Some(row) = found.next()? {
        line.clear();
        for (i, column) in columns.iter().enumerate() {
            if i > 0 {
                line.push(b'\t');
            }
            render(&mut line, row.get_ref(i)?, column, table)?;
        }
        line.push(b'\n');
        line_out(&line)?;
        rows += 1;
    }
    Ok(rows)
}

/// The rows and SHA-256 of the file's `table` in `COPY` text form.
fn sqlite_digest(
    conn: &rusqlite::Connection,
    table: &str,
    columns: &[Column],
    key: &[String],
) -> Result<(u64, String)> {
    let mut hash = Sha256::new();
    let rows = each_sqlite_line(conn, table, columns, key, &mut |line| {
        hash.update(line);
        Ok(())
    })?;
    Ok((rows, hex::encode(hash.finalize())))
}

/// Appends one value in `COPY` text form (as the server writes it back).
fn render(line: &mut Vec<u8>, value: ValueRef<'_>, column: &Column, table: &str) -> Result<()> {
    let unexpected = |what: &str| StoreError::Server {
        message: format!(
            "{table}.{} holds {what} in the file, where the server keeps {}; nothing was copied",
            column.name,
            match column.kind {
                Kind::Integer => "a whole number",
                Kind::Text => "text",
                Kind::Bytes => "bytes",
            }
        ),
    };
    match (value, column.kind) {
        (ValueRef::Null, _) => line.extend_from_slice(b"\\N"),
        (ValueRef::Integer(n), Kind::Integer | Kind::Text) => {
            line.extend_from_slice(n.to_string().as_bytes());
        }
        (ValueRef::Text(text), Kind::Text) => {
            let text =
                std::str::from_utf8(text).map_err(|_| unexpected("text that is not UTF-8"))?;
            escape(line, text);
        }
        (ValueRef::Blob(bytes), Kind::Bytes) | (ValueRef::Text(bytes), Kind::Bytes) => {
            line.extend_from_slice(b"\\\\x");
            line.extend_from_slice(hex::encode(bytes).as_bytes());
        }
        (ValueRef::Real(_), _) => return Err(unexpected("a fractional number")),
        (ValueRef::Blob(_), _) => return Err(unexpected("bytes")),
        (ValueRef::Text(_), Kind::Integer) => return Err(unexpected("text")),
        (ValueRef::Integer(_), Kind::Bytes) => return Err(unexpected("a number")),
    }
    Ok(())
}

/// `COPY` text escaping, as the server's output does it.
fn escape(line: &mut Vec<u8>, text: &str) {
    for b in text.bytes() {
        match b {
            b'\\' => line.extend_from_slice(b"\\\\"),
            8 => line.extend_from_slice(b"\\b"),
            12 => line.extend_from_slice(b"\\f"),
            b'\n' => line.extend_from_slice(b"\\n"),
            b'\r' => line.extend_from_slice(b"\\r"),
            b'\t' => line.extend_from_slice(b"\\t"),
            11 => line.extend_from_slice(b"\\v"),
            _ => line.push(b),
        }
    }
}

/// The copy's stream to or from the server broke (the server stopped, the
/// connection was cut): the server's transaction is rolled back and no
/// file is put in place, which the message says (tester's report 34: it
/// said only "the copy stream failed").
fn copy_error(e: std::io::Error) -> StoreError {
    StoreError::Server {
        message: format!(
            "the copy was cut off ({e}); nothing was copied (the server rolls the copy back, \
             and no file is made). Check that the server runs and can be reached, then copy again"
        ),
    }
}

/// Copies the database file `from` whole into a new file `dest` (which
/// must not exist) with SQLite's own `VACUUM INTO` (one consistent read of
/// `from`, its write-ahead log included: copying a file that is open
/// elsewhere with the system's copy may miss what the log still holds).
/// The copy is made hidden beside `dest`, then every table of both is
/// read in the same order and compared (row counts and SHA-256), and only
/// then renamed into place, never over a file; `each` hears of every
/// table compared. Should `from` change between the copy and the
/// comparison, nothing is made and the error says to copy again.
///
/// The hidden copy (`.eacdesk-copy-XXXXXX.sqlite`) is made like a new
/// database's ([`crate::fresh`]): with a lock file held while it is
/// written, removed with SQLite's files beside it (its `-journal`) on any
/// error, and removed by the next copy, new database or database opened
/// in that folder when a killed copy left it. Errors name `dest` as given
/// (a full disk, the file size limit), or `from` when it is the source
/// that is not a database; never the hidden file.
pub fn copy_file(
    from: &Path,
    dest: &Path,
    each: &mut dyn FnMut(&TableCopied),
) -> Result<CopyReport> {
    refuse_copy_over(dest)?;
    crate::atomic::refuse_inside_output(dest)?;
    crate::db::refuse_other_program_untouched(from)?;
    let source = rusqlite::Connection::open_with_flags(
        from,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| source_error(from, e))?;
    crate::schema_guard::defend(&source)?;
    source.busy_timeout(std::time::Duration::from_secs(10))?;
    // SQLite reads a file only when asked: one read before anything is
    // made, so that a file that is not a database is named as such.
    source
        .query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(|e| source_error(from, e))?;
    // A copy of another program's database would be no EAC Desk database
    // either: refused as opening it is.
    crate::migrate::refuse_other_program(&source, from)?;
    let folder = crate::atomic::folder_of(dest);
    crate::fresh::remove_abandoned(folder);
    let (lock, path) = crate::fresh::hidden_database(folder, crate::fresh::COPY_PREFIX, dest)?;
    let hidden = HiddenCopy {
        path,
        _lock: lock,
        renamed: false,
    };
    source
        .execute("VACUUM INTO ?1", [hidden.path.to_string_lossy()])
        .map_err(|e| copy_write_error(from, dest, e))?;
    let copy = rusqlite::Connection::open_with_flags(
        &hidden.path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    crate::schema_guard::defend(&copy)?;
    let mut tables = Vec::new();
    // One read of the source for the whole comparison.
    source.execute_batch("BEGIN DEFERRED")?;
    let names: Vec<String> = source
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
              ORDER BY name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for table in names {
        let (rows, sha256) = file_table_digest(&source, &table)?;
        let back = file_table_digest(&copy, &table)?;
        if back != (rows, sha256.clone()) {
            return Err(StoreError::Conflict {
                message: format!(
                    "table {table} of {} changed while it was copied, so no copy was made; copy \
                     again",
                    from.display()
                ),
                ids: Vec::new(),
            });
        }
        let compared = TableCopied {
            table,
            rows,
            sha256,
        };
        each(&compared);
        tables.push(compared);
    }
    source.execute_batch("COMMIT")?;
    drop(copy);
    crate::atomic::crash_point("copy-before-rename");
    crate::atomic::rename_no_replace(&hidden.path, dest).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            StoreError::Io {
                path: dest.to_owned(),
                source: std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "another program made this file while the copy was made; it was left alone \
                     and no copy was made",
                ),
            }
        } else {
            StoreError::Io {
                path: dest.to_owned(),
                source: e,
            }
        }
    })?;
    let mut hidden = hidden;
    hidden.renamed = true;
    crate::atomic::sync_dir(folder).map_err(|source| StoreError::Io {
        path: dest.to_owned(),
        source,
    })?;
    Ok(CopyReport {
        database: from.display().to_string(),
        tables,
    })
}

/// The hidden copy beside the destination: removed with SQLite's files
/// beside it unless renamed into place; its lock (see
/// [`crate::fresh::hidden_database`]) is let go and removed after it.
struct HiddenCopy {
    path: std::path::PathBuf,
    _lock: crate::fresh::HiddenLock,
    renamed: bool,
}

impl Drop for HiddenCopy {
    fn drop(&mut self) {
        if !self.renamed {
            crate::fresh::remove_with_side_files(&self.path);
        }
    }
}

/// Refuses a copy's destination that exists in any form, a symbolic link
/// too (even one pointing nowhere: the rename would fail only after the
/// whole copy was made); looked at without following a link. Said as an
/// `AlreadyExists` error naming `dest`; nothing was written.
fn refuse_copy_over(dest: &Path) -> Result<()> {
    let Ok(meta) = std::fs::symlink_metadata(dest) else {
        return Ok(());
    };
    let why = if meta.file_type().is_symlink() {
        "it is a symbolic link, and a copy goes into a new file, never through a link or over \
         one; the link was left alone and nothing was copied. Choose a new file name"
    } else if meta.is_dir() {
        "it is a folder; a copy goes into a new file, so name a file that does not exist yet \
         (nothing was copied)"
    } else {
        "it exists and was left alone: a copy goes into a new file, never over one, and nothing \
         was copied. Choose a new file name"
    };
    Err(StoreError::Io {
        path: dest.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::AlreadyExists, why),
    })
}

/// An error reading the source `from`: a file that is not there or not a
/// database is named in plain words; anything else is SQLite's.
fn source_error(from: &Path, e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode as Code;
    let code = e.sqlite_error_code();
    if code.is_some() && !from.exists() {
        return StoreError::Io {
            path: from.to_owned(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "there is no database file here",
            ),
        };
    }
    match code {
        Some(Code::NotADatabase) => StoreError::InvalidInput(format!(
            "{} is not a database (SQLite: {e}); nothing was copied. Name the EAC Desk database \
             file to copy from.",
            from.display()
        )),
        Some(Code::DatabaseCorrupt) => StoreError::InvalidInput(format!(
            "{} is damaged (SQLite: {e}); nothing was copied. Restore it from a backup and copy \
             that.",
            from.display()
        )),
        _ => e.into(),
    }
}

/// An error of `VACUUM INTO`, which reads `from` and writes the hidden
/// copy of `dest`: a full disk, the file size limit or a failed
/// write are said of `dest` (what the person named; `from` is unharmed),
/// a damaged source of `from`; anything else is SQLite's.
fn copy_write_error(from: &Path, dest: &Path, e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode as Code;
    let kind = match e.sqlite_error_code() {
        Some(Code::NotADatabase | Code::DatabaseCorrupt) => return source_error(from, e),
        // A short write past the file size limit is reported by SQLite as
        // a full disk, a refused one as an I/O error (the limit's signal
        // is ignored: `eac_app::ignore_file_size_signal`).
        Some(Code::DiskFull | Code::SystemIoFailure) if at_file_size_limit(from) => {
            std::io::ErrorKind::FileTooLarge
        }
        Some(Code::DiskFull) => std::io::ErrorKind::StorageFull,
        Some(Code::SystemIoFailure) => {
            return StoreError::Io {
                path: dest.to_owned(),
                source: std::io::Error::other(format!(
                    "the copy could not be written ({e}); {} was not changed",
                    from.display()
                )),
            }
        }
        Some(Code::CannotOpen | Code::ReadOnly | Code::PermissionDenied) => {
            std::io::ErrorKind::PermissionDenied
        }
        _ => return e.into(),
    };
    StoreError::Io {
        path: dest.to_owned(),
        source: std::io::Error::from(kind),
    }
}

/// Whether this process's file size limit (`ulimit -f`) is below what a
/// copy of `from` may need: the database file and its write-ahead log
/// (the copy is never larger). A failed write of the copy is then taken
/// for the limit, not the disk: SQLite empties the file it could not fill,
/// so its own size says nothing.
fn at_file_size_limit(from: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{getrlimit, Resource};
        let Some(limit) = getrlimit(Resource::Fsize).current else {
            return false;
        };
        let needed: u64 = crate::atomic::database_files(from)
            .iter()
            .take(2)
            .filter_map(|f| std::fs::metadata(f).ok())
            .map(|m| m.len())
            .sum();
        limit <= needed.saturating_add(1 << 16)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = from;
        false
    }
}

/// The rows and SHA-256 of every row of `table`, all columns, in the
/// order of all columns (the same on both sides of a file copy).
fn file_table_digest(conn: &rusqlite::Connection, table: &str) -> Result<(u64, String)> {
    let columns: i64 =
        conn.query_row("SELECT count(*) FROM pragma_table_info(?1)", [table], |r| {
            r.get(0)
        })?;
    let order: Vec<String> = (1..=columns).map(|i| i.to_string()).collect();
    let sql = format!(
        "SELECT * FROM {} ORDER BY {}",
        quoted(table),
        order.join(", ")
    );
    let mut stmt = conn.prepare(&sql)?;
    let n = stmt.column_count();
    let mut found = stmt.query([])?;
    let mut hash = Sha256::new();
    let mut rows = 0u64;
    while let Some(row) = found.next()? {
        for i in 0..n {
            match row.get_ref(i)? {
                ValueRef::Null => hash.update(b"N"),
                ValueRef::Integer(v) => {
                    hash.update(b"I");
                    hash.update(v.to_le_bytes());
                }
                ValueRef::Real(v) => {
                    hash.update(b"R");
                    hash.update(v.to_bits().to_le_bytes());
                }
                ValueRef::Text(t) => {
                    hash.update(b"T");
                    hash.update((t.len() as u64).to_le_bytes());
                    hash.update(t);
                }
                ValueRef::Blob(b) => {
                    hash.update(b"B");
                    hash.update((b.len() as u64).to_le_bytes());
                    hash.update(b);
                }
            }
        }
        rows += 1;
    }
    Ok((rows, hex::encode(hash.finalize())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_cut_off_says_nothing_was_copied() {
        let e = copy_error(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        let said = e.to_string();
        assert!(
            said.contains("the copy was cut off (broken pipe)"),
            "{said}"
        );
        assert!(said.contains("nothing was copied"), "{said}");
    }

    #[test]
    fn text_is_escaped_as_the_server_writes_it() {
        let mut line = Vec::new();
        escape(&mut line, "a\\b\tc\nd\re\u{8}\u{b}\u{c}ü");
        assert_eq!(line, b"a\\\\b\\tc\\nd\\re\\b\\v\\f\xc3\xbc");
    }
    fn names(dir: &Path) -> Vec<String> {
        crate::atomic::tests::names(dir)
    }

    /// An EAC Desk database file (a copy of another program's database is
    /// refused as opening it is).
    fn a_database(path: &Path) {
        drop(crate::Store::open(path).unwrap());
    }

    /// Another program's database is not copied: no copy is made of it,
    /// nothing beside it either.
    #[test]
    fn another_programs_database_is_not_copied() {
        let dir = tempfile::tempdir().unwrap();
        let from = dir.path().join("from.sqlite");
        let conn = rusqlite::Connection::open(&from).unwrap();
        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1), (2), (3);")
            .unwrap();
        drop(conn);
        let e = copy_file(&from, &dir.path().join("copy.sqlite"), &mut |_| {}).unwrap_err();
        assert!(matches!(e, StoreError::OtherProgram { .. }), "{e:?}");
        assert_eq!(names(dir.path()), ["from.sqlite"]);
    }

    fn message(e: StoreError) -> String {
        match e {
            StoreError::Io { path, source } => format!("{}: {source}", path.display()),
            other => other.to_string(),
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_copy_is_refused_before_anything_is_made_over_a_link_a_file_or_from_a_non_database() {
        let dir = tempfile::tempdir().unwrap();
        let from = dir.path().join("from.sqlite");
        a_database(&from);
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        std::os::unix::fs::symlink("nowhere.sqlite", out.join("dangling.sqlite")).unwrap();
        std::fs::write(out.join("taken.sqlite"), "mine").unwrap();
        let mut heard = 0;
        for (to, what) in [
            ("dangling.sqlite", "is a symbolic link"),
            ("taken.sqlite", "it exists and was left alone"),
        ] {
            let e = copy_file(&from, &out.join(to), &mut |_| heard += 1).unwrap_err();
            let text = message(e);
            assert!(text.contains(what), "{text}");
            assert!(
                text.starts_with(&out.join(to).display().to_string()),
                "{text}"
            );
        }
        assert_eq!(heard, 0, "refused before any table was copied");
        let text_file = dir.path().join("notes.txt");
        std::fs::write(
            &text_file,
            "not a database, but long enough to be read as one ".repeat(20),
        )
        .unwrap();
        let text =
            message(copy_file(&text_file, &out.join("new.sqlite"), &mut |_| {}).unwrap_err());
        assert!(
            text.contains(&format!("{} is not a database", text_file.display())),
            "{text}"
        );
        assert_eq!(names(&out), ["dangling.sqlite", "taken.sqlite"]);
    }

    #[test]
    fn a_killed_copys_hidden_files_are_removed_by_the_next_copy_and_a_running_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let from = dir.path().join("from.sqlite");
        a_database(&from);
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        // Left by a killed copy: the copy, its journal and its lock file.
        for name in [
            ".eacdesk-copy-abc123.sqlite",
            ".eacdesk-copy-abc123.sqlite-journal",
            ".eacdesk-copy-abc123.sqlite.lock",
        ] {
            std::fs::write(out.join(name), "left").unwrap();
        }
        // A copy being made by another process: its lock is held.
        let (running, running_db) =
            crate::fresh::hidden_database(&out, crate::fresh::COPY_PREFIX, &out.join("x")).unwrap();
        copy_file(&from, &out.join("copy.sqlite"), &mut |_| {}).unwrap();
        let mut expected = vec![
            running_db
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned(),
            format!("{}.lock", running_db.file_name().unwrap().to_string_lossy()),
            "copy.sqlite".to_owned(),
        ];
        expected.sort();
        assert_eq!(names(&out), expected);
        drop(running);
    }

    #[test]
    fn a_full_disk_or_a_failed_write_of_the_copy_names_the_destination() {
        let dir = tempfile::tempdir().unwrap();
        let from = &dir.path().join("desk.sqlite");
        a_database(from);
        let dest = Path::new("cp/copy.sqlite");
        let failure = |code| rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None);
        match copy_write_error(from, dest, failure(rusqlite::ffi::SQLITE_FULL)) {
            StoreError::Io { path, source } => {
                assert_eq!(path, dest);
                assert_eq!(source.kind(), std::io::ErrorKind::StorageFull);
            }
            other => panic!("{other:?}"),
        }
        match copy_write_error(from, dest, failure(rusqlite::ffi::SQLITE_IOERR_WRITE)) {
            StoreError::Io { path, source } => {
                assert_eq!(path, dest);
                assert!(source.to_string().contains("desk.sqlite was not changed"));
            }
            other => panic!("{other:?}"),
        }
        let damaged = copy_write_error(from, dest, failure(rusqlite::ffi::SQLITE_NOTADB));
        assert!(
            damaged
                .to_string()
                .contains("desk.sqlite is not a database"),
            "{damaged}"
        );
    }
}
