//! Sample data written to files instead of the database: a P1 listing (for
//! demos, tests and the benchmark) and a CSV of its values (to compare
//! import speed with plain SQLite).

use std::io::{self, Write};
use std::path::Path;

use eac_model::ListingWriter;
use eac_sample::{sample_eac, SampleOptions};
use eac_store::atomic::AtomicFile;
use eac_store::{ExportReport, Progress};

use crate::AppError;

/// A temporary file beside `dest`, renamed over it only when complete,
/// after the database's own files are refused as `dest`.
fn temp_beside(dest: &Path, database: &Path) -> Result<AtomicFile, AppError> {
    eac_store::atomic::refuse_database_file(database, dest)?;
    Ok(AtomicFile::beside(dest)?)
}

fn check_count(eacs: usize) -> Result<(), AppError> {
    if eacs == 0 {
        return Err(AppError::invalid_input("Ask for at least one sample EAC."));
    }
    Ok(())
}

/// Writes `eacs` sample EACs of `seed` to `dest` as a P1 listing in listing
/// order, streaming: only the sort keys are held in memory, each EAC is
/// generated again when its turn comes. `database` is the database the
/// caller would open: `dest` may not be it, its `-wal`/`-shm`, or a folder
/// holding it.
pub fn write_sample_file(
    dest: &Path,
    eacs: usize,
    seed: u64,
    database: &Path,
    progress: &dyn Progress,
) -> Result<ExportReport, AppError> {
    check_count(eacs)?;
    let opts = SampleOptions::default();
    let total = eacs as u64;
    let mut order = Vec::with_capacity(eacs);
    for index in 0..total {
        if index % 4096 == 0 {
            if progress.is_cancelled() {
                return Err(AppError::cancelled());
            }
            progress.update(eac_store::Phase::SampleOrder, index, Some(total));
        }
        order.push((sample_eac(seed, index, opts).p1_order_key(), index));
    }
    order.sort_unstable();

    let temp = temp_beside(dest, database)?;
    let io_err = |e: io::Error| AppError::io(dest, &e);
    let mut writer = ListingWriter::begin(temp).map_err(io_err)?;
    let mut value_count = 0;
    for (done, (_, index)) in order.into_iter().enumerate() {
        if done % 4096 == 0 {
            if progress.is_cancelled() {
                return Err(AppError::cancelled());
            }
            progress.update(eac_store::Phase::Sample, done as u64, Some(total));
        }
        let eac = sample_eac(seed, index, opts);
        value_count += eac.values.len();
        writer.write_item(&eac).map_err(io_err)?;
    }
    let sha256 = writer.finish().map_err(io_err)?.commit()?;
    progress.update(eac_store::Phase::Sample, total, Some(total));
    Ok(ExportReport {
        path: dest.display().to_string(),
        sha256,
        eac_count: eacs,
        value_count,
        not_recorded: None,
        warnings: Vec::new(),
    })
}

/// Writes the values of the same sample as CSV rows
/// `cds_eac_id,value_index,eac_number,issued,retired,start,end,unit,value`
/// (header first; empty field for null); returns the number of rows.
pub fn write_sample_values_csv(
    dest: &Path,
    eacs: usize,
    seed: u64,
    database: &Path,
    progress: &dyn Progress,
) -> Result<u64, AppError> {
    check_count(eacs)?;
    let io_err = |e: io::Error| AppError::io(dest, &e);
    let mut out = temp_beside(dest, database)?;
    let mut rows = 0u64;
    let text = |t: Option<String>| t.unwrap_or_default();
    writeln!(
        out,
        "cds_eac_id,value_index,eac_number,issued,retired,start,end,unit,value"
    )
    .map_err(io_err)?;
    for (index, eac) in eac_sample::generate(eacs, seed, SampleOptions::default()).enumerate() {
        if index % 4096 == 0 {
            if progress.is_cancelled() {
                return Err(AppError::cancelled());
            }
            progress.update(eac_store::Phase::SampleCsv, index as u64, Some(eacs as u64));
        }
        // Sample ids and numbers hold no commas or quotes.
        for (i, v) in eac.values.iter().enumerate() {
            writeln!(
                out,
                "{},{i},{},{},{},{},{},{},{}",
                eac.cds_eac_id,
                text(v.eac_number.clone()),
                text(v.issued.map(|d| d.to_string())),
                text(v.retired.map(|d| d.to_string())),
                text(v.start.map(|t| t.to_string())),
                text(v.end.map(|t| t.to_string())),
                v.unit,
                v.value
            )
            .map_err(io_err)?;
            rows += 1;
        }
    }
    out.commit()?;
    progress.update(eac_store::Phase::SampleCsv, eacs as u64, Some(eacs as u64));
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use eac_store::NoProgress;
    use sha2::{Digest, Sha256};

    #[test]
    fn sample_file_is_a_valid_listing_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sample.json");
        let db = dir.path().join("desk.sqlite");
        let report = write_sample_file(&path, 300, 9, &db, &NoProgress).unwrap();
        assert_eq!(report.eac_count, 300);
        let report2 =
            write_sample_file(&dir.path().join("again.json"), 300, 9, &db, &NoProgress).unwrap();
        assert_eq!(report.sha256, report2.sha256, "same seed, same bytes");
        let check = crate::validate_file(&path, eac_model::ExportProfile::P1, false).unwrap();
        assert!(
            check.errors.is_empty() && check.warnings.is_empty(),
            "{check:#?}"
        );
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(hex::encode(Sha256::digest(&bytes)), report.sha256);
    }

    #[test]
    fn csv_has_one_row_per_value() {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("s.json");
        let csv = dir.path().join("s.csv");
        let db = dir.path().join("desk.sqlite");
        let report = write_sample_file(&json, 50, 3, &db, &NoProgress).unwrap();
        let rows = write_sample_values_csv(&csv, 50, 3, &db, &NoProgress).unwrap();
        assert_eq!(rows as usize, report.value_count);
        let text = std::fs::read_to_string(&csv).unwrap();
        assert_eq!(text.lines().count() as u64, rows + 1);
        assert!(text.lines().all(|l| l.split(',').count() == 9));
    }
}
