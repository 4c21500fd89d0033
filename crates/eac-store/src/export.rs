//! Export: the one streaming loop every profile shares ([`stream_eacs`]:
//! EACs from one read snapshot in the profile's listing order, cancel,
//! progress, at most [`MAX_REPORTED`] findings), with a [`Sink`] per
//! profile that checks and writes each EAC: the P1 listing file here, the
//! P2 bundle in [`crate::p2`].
//!
//! P1: each EAC rebuilt and checked with the rules an independent validator
//! applies, written by hand in the canonical layout to a temporary file in
//! the destination folder (hashed while writing), synced and renamed over
//! the destination ([`crate::atomic::AtomicFile`]); the file is correct by
//! construction and not read back (decision 206). Any violation or cancel
//! leaves the destination untouched and no temporary file behind.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::db::{Db, Kind, Snapshot};
use eac_model::write::check_written_form;
use eac_model::{
    check_eac, CheckOptions, Eac, ListingChecks, ListingWriter, TechnologyType, Timestamp,
    Violation,
};
use serde::Serialize;

use crate::atomic::{self, io_err, AtomicFile, FinishedFile};
use crate::import::{MAX_REPORTED, PROGRESS_EVERY};
use crate::pipe::Piped;
use crate::query::{push_filter, Sql, P1_ORDER, P1_ORDER_PG};
use crate::rows::{self, EAC_COLUMNS};
use crate::{EacFilter, ExportReport, Progress, Result, StoreError};

/// What one export profile does with the EACs of the stream: checks each,
/// writes it while no error has been found, and counts what it wrote.
pub(crate) trait Sink {
    /// ` ORDER BY …` of the profile's listing, on a database of `kind`
    /// (the same rows in the same order on both).
    fn order(&self, kind: Kind) -> &'static str;
    /// Whether [`Sink::eac`] is given each EAC's stored `cds_synced`.
    fn wants_synced(&self) -> bool {
        false
    }
    /// Called once in the read transaction, before the first EAC.
    fn begin(&mut self, _tx: &dyn Db) -> Result<()> {
        Ok(())
    }
    /// One EAC (and its `cds_synced` when asked for); findings go to `errors`.
    fn eac(
        &mut self,
        eac: &Eac,
        synced: Option<Timestamp>,
        errors: &mut Vec<Violation>,
    ) -> Result<()>;
    /// After the last EAC, unless the findings reached the most reported.
    fn end(&mut self, _errors: &mut Vec<Violation>) -> Result<()> {
        Ok(())
    }
}

/// Streams the EACs matching `filter` from one read snapshot into `sink`,
/// checking for a cancel before each and reporting progress ("export": the
/// stored EACs gone through, out of those matching; what a sink adds, such
/// as a bundle's envelope-only EACs, is not counted);
/// findings (at most [`MAX_REPORTED`]) stop the export as `Rules` of `file`.
pub(crate) fn stream_eacs(
    conn: &dyn Db,
    filter: Option<&EacFilter>,
    progress: &dyn Progress,
    file: &str,
    sink: &mut dyn Sink,
) -> Result<()> {
    // A scan reads each page about once: the page cache sized for imports
    // (32 MiB) would only grow the export's memory with the database.
    crate::db::with_page_cache(conn, EXPORT_CACHE_KIB, || {
        stream_in_snapshot(conn, filter, progress, file, sink)
    })
}

/// The page cache of an export (negative: KiB).
const EXPORT_CACHE_KIB: i64 = -8192;

fn stream_in_snapshot(
    conn: &dyn Db,
    filter: Option<&EacFilter>,
    progress: &dyn Progress,
    file: &str,
    sink: &mut dyn Sink,
) -> Result<()> {
    let default_filter = EacFilter::default();
    let filter = filter.unwrap_or(&default_filter);
    // One read transaction: every row comes from the same snapshot.
    let snapshot = Snapshot::begin(conn)?;
    let mut count_sql = Sql::on(conn, "SELECT COUNT(*) FROM eacs e");
    push_filter(&mut count_sql, filter)?;
    let total: i64 = conn.query_row(&count_sql.text, &count_sql.args(), |row| Ok(row.get(0)?))?;
    let total = u64::try_from(total).unwrap_or(0);

    let synced_column = if sink.wants_synced() {
        ", e.cds_synced"
    } else {
        ""
    };
    let mut sql = Sql::on(
        conn,
        &format!("SELECT {EAC_COLUMNS}{synced_column} FROM eacs e"),
    );
    push_filter(&mut sql, filter)?;
    sql.push(sink.order(conn.kind()));
    sink.begin(conn)?;

    let mut errors: Vec<Violation> = Vec::new();
    let mut last_progress = Instant::now();
    let mut complete = true;
    let mut done: u64 = 0;
    // One EAC refilled row after row: its strings keep their allocations.
    let mut eac = rows::blank_eac();
    let streamed = conn.stream(&sql.text, &sql.args(), &mut |row| {
        if !complete {
            return Ok(());
        }
        if progress.is_cancelled() {
            return Err(StoreError::Cancelled);
        }
        let id = rows::refill_head(row, &mut eac)?;
        let synced = if sink.wants_synced() {
            rows::parsed_opt(row, 20, rows::timestamp)?
        } else {
            None
        };
        rows::load_children(conn, id, &mut eac)?;
        sink.eac(&eac, synced, &mut errors)?;
        done += 1;
        if errors.len() >= MAX_REPORTED {
            errors.truncate(MAX_REPORTED);
            complete = false;
            return Err(StoreError::Cancelled);
        }
        if last_progress.elapsed() >= PROGRESS_EVERY {
            last_progress = Instant::now();
            progress.update(crate::Phase::Export, done, Some(total));
        }
        Ok(())
    });
    match streamed {
        // Stopped at the most findings reported: not a cancel.
        Err(StoreError::Cancelled) if !complete => {}
        other => other?,
    }
    if complete {
        sink.end(&mut errors)?;
    }
    snapshot.end()?;
    if !errors.is_empty() {
        return Err(StoreError::Rules {
            file: file.to_owned(),
            violations: errors,
        });
    }
    if progress.is_cancelled() {
        return Err(StoreError::Cancelled);
    }
    progress.update(crate::Phase::Export, done, Some(total));
    Ok(())
}

/// The listing a sink writes: each item is written while no error has
/// been found, and counted either way (its index places the next findings).
/// Errors and findings name `shown`, where the listing will be.
pub(crate) struct ListingOut<W: Write> {
    writer: ListingWriter<W>,
    shown: PathBuf,
    label: String,
    count: usize,
}

impl<W: Write> ListingOut<W> {
    pub(crate) fn begin(out: W, shown: &Path) -> Result<Self> {
        Ok(ListingOut {
            writer: ListingWriter::begin(out).map_err(io_err(shown))?,
            shown: shown.to_owned(),
            label: shown.display().to_string(),
            count: 0,
        })
    }

    /// Items so far.
    pub(crate) fn count(&self) -> usize {
        self.count
    }

    /// Checks `item` where it will stand (`check` is given its pointer,
    /// `/eacs/<index>`), adds the errors it finds (placed in the listing)
    /// to `errors`, then writes `item` if there are none.
    pub(crate) fn put<T: Serialize, F: IntoIterator<Item = Violation>>(
        &mut self,
        item: &T,
        check: impl FnOnce(&str) -> F,
        errors: &mut Vec<Violation>,
    ) -> Result<()> {
        self.put_with(|w| w.write_item(item), check, errors)
    }

    /// [`ListingOut::put`] with the item written by `write`.
    pub(crate) fn put_with<F: IntoIterator<Item = Violation>>(
        &mut self,
        write: impl FnOnce(&mut ListingWriter<W>) -> std::io::Result<()>,
        check: impl FnOnce(&str) -> F,
        errors: &mut Vec<Violation>,
    ) -> Result<()> {
        let at = format!("/eacs/{}", self.count);
        errors.extend(
            check(&at)
                .into_iter()
                .filter(Violation::is_error)
                .map(|v| v.with_file(&self.label)),
        );
        if errors.is_empty() {
            write(&mut self.writer).map_err(io_err(&self.shown))?;
        }
        self.count += 1;
        Ok(())
    }

    /// Closes the listing and hands back the file it was written to.
    pub(crate) fn finish(self) -> Result<W> {
        self.writer.finish().map_err(io_err(&self.shown))
    }
}

/// The EACs an export writes with a technology outside the 2024-08-29
/// draft list (digest §f.5), which it lets through as stored (decisions 17
/// and 255): `validate` and `import` of the file accept them only when
/// asked to, which the export's report says (one warning per technology,
/// at the first EAC written with it) instead of leaving the person to
/// find out from a refusal.
#[derive(Default)]
pub(crate) struct ExtendedTechnologies {
    /// Each technology met: how many EACs have it, and where the first is
    /// (its file, its pointer there, its id).
    seen: Vec<(TechnologyType, usize, String, String, String)>,
}

impl ExtendedTechnologies {
    /// Notes `eac`, to be written in `file` at `pointer` (the pointer of
    /// its technology is made only for the first EAC of a technology).
    pub(crate) fn note(&mut self, eac: &Eac, file: &str, pointer: impl FnOnce() -> String) {
        let Some(technology) = eac.technology_type.filter(|t| !t.is_draft()) else {
            return;
        };
        match self.seen.iter_mut().find(|(t, ..)| *t == technology) {
            Some((_, n, ..)) => *n += 1,
            None => self.seen.push((
                technology,
                1,
                file.to_owned(),
                pointer(),
                eac.cds_eac_id.clone(),
            )),
        }
    }

    /// The warnings of what was noted, in the order met.
    pub(crate) fn warnings(self) -> Vec<Violation> {
        (self.seen.into_iter())
            .map(|(technology, n, file, pointer, id)| {
                eac_model::check::extended_technology_warning(technology, pointer, Some(n))
                    .with_eac(Some(&id))
                    .with_file(&file)
            })
            .collect()
    }
}

/// The errors among `found`, what the caller's check (the JSON Schemas)
/// said of the finished, still hidden, file or folder, stop the export as
/// `Rules` of `file`; `locate`: they are placed in `file` (a listing file,
/// not the temporary file the check read).
pub(crate) fn caller_check(found: Vec<Violation>, file: &str, locate: bool) -> Result<()> {
    let errors: Vec<Violation> = found
        .into_iter()
        .filter(Violation::is_error)
        .map(|v| if locate { v.with_file(file) } else { v })
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    Err(StoreError::Rules {
        file: file.to_owned(),
        violations: errors,
    })
}

/// The P1 listing file: every rule blocks, as in `eacdesk validate`. The
/// extended technologies (digest §f.5) are let through: the store holds
/// them when someone imported them with the explicit flag or entered one
/// by hand, and the export writes what was kept, with a warning that the
/// file needs the flag wherever it is validated or imported
/// ([`ExtendedTechnologies`]).
///
/// The file is not read back: the writer is correct by construction
/// (decision 206). Each EAC passes, before it is written, every per-EAC
/// rule ([`check_eac`]), the check of what its types leave open
/// ([`check_written_form`]: extension members) and the listing's order;
/// unique ids (rule 7) are the `eacs` table's unique index, checked to be
/// in place at the start ([`ids_unique_by_index`]), so no id is remembered
/// and memory stays flat at any size.
struct P1Listing {
    out: ListingOut<Piped>,
    check: CheckOptions,
    listing: ListingChecks,
    value_count: usize,
    extended: ExtendedTechnologies,
}

impl Sink for P1Listing {
    fn order(&self, kind: Kind) -> &'static str {
        match kind {
            Kind::Sqlite => P1_ORDER,
            Kind::Postgres => P1_ORDER_PG,
        }
    }

    fn begin(&mut self, tx: &dyn Db) -> Result<()> {
        if ids_unique_by_index(tx)? {
            self.listing = ListingChecks::order_only();
        }
        Ok(())
    }

    fn eac(
        &mut self,
        eac: &Eac,
        _synced: Option<Timestamp>,
        errors: &mut Vec<Violation>,
    ) -> Result<()> {
        let at = self.out.count();
        (self.extended).note(eac, &self.out.label, || {
            format!("/eacs/{at}/technology_type")
        });
        let (check, listing) = (self.check, &mut self.listing);
        self.out.put_with(
            |w| w.write_eac(eac),
            |at| {
                check_eac(eac, at, check)
                    .into_iter()
                    .chain(check_written_form(eac, at))
                    .chain(listing.check(eac, at))
            },
            errors,
        )?;
        self.value_count += eac.values.len();
        Ok(())
    }
}

/// Whether `eacs.cds_eac_id` has a unique index of its own (the schema's
/// `UNIQUE`), so that no id can be read twice from one snapshot. A
/// database whose index was dropped behind the app's back is still
/// exported, with every id remembered and compared.
pub(crate) fn ids_unique_by_index(conn: &dyn Db) -> Result<bool> {
    let sql = match conn.kind() {
        Kind::Sqlite => {
            "SELECT COUNT(*) FROM pragma_index_list('eacs') AS l
             WHERE l.\"unique\" = 1 AND l.partial = 0
               AND (SELECT COUNT(*) FROM pragma_index_info(l.name)) = 1
               AND (SELECT name FROM pragma_index_info(l.name)) = 'cds_eac_id'"
        }
        Kind::Postgres => {
            "SELECT COUNT(*) FROM pg_index i
             JOIN pg_class c ON c.oid = i.indrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
             WHERE n.nspname = current_schema() AND c.relname = 'eacs' AND i.indisunique
               AND i.indnatts = 1 AND i.indpred IS NULL AND a.attname = 'cds_eac_id'"
        }
    };
    let found: i64 = conn.query_row(sql, &[], |row| Ok(row.get(0)?))?;
    Ok(found > 0)
}

/// Writes the listing of the EACs matching `filter` to `dest`, which
/// appears complete or not at all.
pub(crate) fn export_p1(
    conn: &dyn Db,
    filter: Option<&EacFilter>,
    dest: &Path,
    progress: &dyn Progress,
) -> Result<ExportReport> {
    let (report, file) = write_p1(conn, filter, dest, progress)?;
    file.place()?;
    Ok(report)
}

/// [`export_p1`] up to the rename: the listing written out whole and
/// synced beside `dest`, put in place by [`FinishedFile::place`] (removed
/// when dropped instead).
pub(crate) fn write_p1(
    conn: &dyn Db,
    filter: Option<&EacFilter>,
    dest: &Path,
    progress: &dyn Progress,
) -> Result<(ExportReport, FinishedFile)> {
    // Dropped (and so deleted) on every early return. I/O errors name the
    // destination, never the hidden file.
    let temp = Piped::new(AtomicFile::beside(dest)?).map_err(io_err(dest))?;
    let file_label = dest.display().to_string();
    let mut sink = P1Listing {
        out: ListingOut::begin(temp, dest)?,
        check: CheckOptions::validate().with_extended_technologies(true),
        listing: ListingChecks::default(),
        value_count: 0,
        extended: ExtendedTechnologies::default(),
    };
    stream_eacs(conn, filter, progress, &file_label, &mut sink)?;
    let eac_count = sink.out.count();
    let value_count = sink.value_count;
    let warnings = sink.extended.warnings();
    let temp = sink.out.finish()?.finish().map_err(io_err(dest))?;
    let file = temp.finish()?;
    let sha256 = file.sha256().to_owned();
    // The report (and the audit record made of it) names the file by an
    // absolute path, as a P2 bundle's does: a relative one means nothing
    // once the working folder is forgotten.
    let path = match (dest.file_name(), atomic::folder_of(dest).canonicalize()) {
        (Some(name), Ok(folder)) => folder.join(name).display().to_string(),
        _ => file_label,
    };
    let report = ExportReport {
        path,
        sha256,
        eac_count,
        value_count,
        not_recorded: None,
        warnings,
    };
    Ok((report, file))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rule 7 holds by the schema's index; a table without it (changed
    /// outside the app) makes the export remember and compare every id.
    #[test]
    fn ids_are_unique_by_the_index_only_where_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::Store::open(&dir.path().join("db.sqlite")).unwrap();
        assert!(ids_unique_by_index(&store.conn).unwrap());

        let bare = rusqlite::Connection::open_in_memory().unwrap();
        bare.execute_batch(
            "CREATE TABLE eacs (id INTEGER PRIMARY KEY, cds_eac_id TEXT);
             CREATE UNIQUE INDEX two ON eacs (cds_eac_id, id);
             CREATE UNIQUE INDEX part ON eacs (cds_eac_id) WHERE id > 0;",
        )
        .unwrap();
        assert!(!ids_unique_by_index(&bare).unwrap());
        bare.execute_batch("CREATE UNIQUE INDEX one ON eacs (cds_eac_id);")
            .unwrap();
        assert!(ids_unique_by_index(&bare).unwrap());
    }
}
