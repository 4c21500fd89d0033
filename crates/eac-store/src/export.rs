//! P1 export: EACs streamed from SQLite in listing order, each rebuilt and
//! checked with the rules an independent validator applies, written to a
//! temporary file in the destination folder (hashed while writing), checked
//! whole by the caller, synced and renamed over the destination
//! ([`crate::atomic::TempFile`]). Any violation or cancel leaves the
//! destination untouched and no temporary file behind.

use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use eac_model::{check_eac, CheckOptions, ListingChecks, ListingWriter, Violation};
use rusqlite::{Connection, Transaction, TransactionBehavior};
use sha2::{Digest, Sha256};

use crate::atomic::{io_err, TempFile};
use crate::import::{MAX_REPORTED, PROGRESS_EVERY};
use crate::query::{push_filter, Sql, P1_ORDER};
use crate::rows::{self, EAC_COLUMNS};
use crate::{EacFilter, ExportReport, Progress, Result, StoreError};

/// Hashes every byte on its way to the inner writer.
struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

pub(crate) fn export_p1(
    conn: &Connection,
    filter: Option<&EacFilter>,
    dest: &Path,
    progress: &dyn Progress,
    extra_check: &dyn Fn(&Path) -> Vec<Violation>,
) -> Result<ExportReport> {
    let default_filter = EacFilter::default();
    let filter = filter.unwrap_or(&default_filter);

    // One read transaction: every row comes from the same snapshot.
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Deferred)?;
    let mut count_sql = Sql::new("SELECT COUNT(*) FROM eacs e");
    push_filter(&mut count_sql, filter)?;
    let total: i64 = tx
        .prepare_cached(&count_sql.text)?
        .query_row(count_sql.params(), |row| row.get(0))?;
    let total = u64::try_from(total).unwrap_or(0);

    // Dropped (and so deleted) on every early return. I/O errors name the
    // destination, never the hidden file.
    let temp = TempFile::beside(dest)?;
    let out = HashingWriter {
        inner: BufWriter::with_capacity(1 << 16, temp.file()),
        hasher: Sha256::new(),
    };
    let mut writer = ListingWriter::begin(out).map_err(io_err(dest))?;

    let mut sql = Sql::new(&format!("SELECT {EAC_COLUMNS} FROM eacs e"));
    push_filter(&mut sql, filter)?;
    sql.push(P1_ORDER);
    let mut stmt = tx.prepare(&sql.text)?;
    let mut rows = stmt.query(sql.params())?;

    // Every rule blocks, as in `eacdesk validate`. The extended technologies
    // (digest §f.5) are let through: the store only holds them when someone
    // imported them with the explicit flag, and the export writes what was
    // kept.
    let check = CheckOptions::validate().with_extended_technologies(true);
    let mut listing = ListingChecks::default();
    let mut errors: Vec<Violation> = Vec::new();
    let mut eac_count = 0usize;
    let mut value_count = 0usize;
    let mut last_progress = Instant::now();
    let file_label = dest.display().to_string();
    while let Some(row) = rows.next()? {
        if progress.is_cancelled() {
            return Err(StoreError::Cancelled);
        }
        let (id, mut eac) = rows::eac_head(row)?;
        rows::load_children(&tx, id, &mut eac)?;
        let base = format!("/eacs/{eac_count}");
        let found = check_eac(&eac, &base, check)
            .into_iter()
            .chain(listing.check(&eac, &base))
            .filter(Violation::is_error)
            .map(|v| v.with_file(&file_label));
        errors.extend(found);
        if errors.len() >= MAX_REPORTED {
            errors.truncate(MAX_REPORTED);
            break;
        }
        if errors.is_empty() {
            writer.write_item(&eac).map_err(io_err(dest))?;
        }
        eac_count += 1;
        value_count += eac.values.len();
        if last_progress.elapsed() >= PROGRESS_EVERY {
            last_progress = Instant::now();
            progress.update(crate::Phase::Export, eac_count as u64, Some(total));
        }
    }
    drop(rows);
    drop(stmt);
    tx.commit()?;
    if !errors.is_empty() {
        return Err(StoreError::Rules {
            file: file_label,
            violations: errors,
        });
    }
    if progress.is_cancelled() {
        return Err(StoreError::Cancelled);
    }
    progress.update(crate::Phase::Export, eac_count as u64, Some(total));

    let HashingWriter { inner, hasher } = writer.finish().map_err(io_err(dest))?;
    inner
        .into_inner()
        .map_err(|e| e.into_error())
        .map_err(io_err(dest))?;
    let sha256 = hex::encode(hasher.finalize());
    // The caller's check (the JSON Schema) sees the file before anyone else.
    let found: Vec<Violation> = extra_check(temp.path())
        .into_iter()
        .filter(Violation::is_error)
        .map(|v| v.with_file(&file_label))
        .collect();
    if !found.is_empty() {
        return Err(StoreError::Rules {
            file: file_label,
            violations: found,
        });
    }
    temp.commit()?;
    Ok(ExportReport {
        path: file_label,
        sha256,
        eac_count,
        value_count,
    })
}
