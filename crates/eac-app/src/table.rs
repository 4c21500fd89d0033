//! The EAC table as a colleague's spreadsheet: CSV (`ls --csv`, the app's
//! "Export view as CSV") and .xlsx (`ls --xlsx FILE`), of the rows a filter
//! matches in the table's sort order, or of exactly the selected rows.
//!
//! Every column of the table, quantities exact as imported (per unit) plus
//! the total in the display unit, exact. In a workbook (decision 129) the
//! total is also a typed number, so a spreadsheet sums and charts it; a
//! double holds 15 significant digits, so the exact decimal text stays in
//! the next column, and a number that a double cannot hold exactly gets a
//! cell note saying so: no exact value is lost. Dates are date cells (UTC).
//! A second sheet, "Filter and totals", says which rows these are (the
//! filter in words, or "N selected EACs"; a page as "rows 3–5 of 9 EACs
//! with …, by …"), the EACs stored without values an unfiltered table
//! leaves out, the sort, the count (a number) and the exact totals.
//! A text longer than a workbook cell holds (32,767 characters: thousands
//! of beneficiaries) is cut with a marker naming where a third sheet,
//! "Long cells", holds it whole; beneficiary ids holding the joiner `;` are
//! quoted in both formats ([`beneficiary_list`]). Files are written
//! atomically beside the destination, never over the database.

use std::io::Write;
use std::path::Path;
use std::str::FromStr;

use bigdecimal::{BigDecimal, Zero};
use chrono::{DateTime, Datelike, NaiveDate, Timelike};
use eac_model::units::convert;
use eac_model::EnergyUnit;
use eac_store::atomic::AtomicFile;
use eac_store::{EacFilter, EacRow, Phase, Progress, QuantityTotal, SortSpec, Store};
use rust_xlsxwriter::{ExcelDateTime, Format, Note, Workbook, Worksheet, XlsxError};
use serde::{Deserialize, Serialize};

use crate::summary::{unit_total_of, UnitTotal};
use crate::AppError;

/// The two files a table view is exported to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum TableFormat {
    /// RFC 4180 comma-separated values, UTF-8, CRLF.
    Csv,
    /// An Excel workbook (Office Open XML).
    Xlsx,
}

/// Which rows, in which order and display unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TableView {
    /// Every EAC it matches, unless `ids` is given.
    pub filter: EacFilter,
    pub sort: SortSpec,
    /// Exactly these EACs (the selected rows), in `sort` order; the filter
    /// is then not applied. An id no longer in the database refuses the
    /// export.
    pub ids: Option<Vec<String>>,
    /// A page of those rows (`ls --csv`/`--xlsx` with `--offset`): the
    /// first `offset` rows are left out. Absent: 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub offset: Option<usize>,
    /// A page of those rows (`--limit`): at most this many after `offset`.
    /// Absent: every row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub limit: Option<usize>,
    /// The unit of the total column (the app's display unit, MWh unless chosen).
    pub unit: EnergyUnit,
}

/// What an export of a table view wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TableExportReport {
    /// The file written (`None`: standard output).
    pub path: Option<String>,
    pub format: TableFormat,
    pub rows: usize,
    /// "every EAC in the database", "EACs with technology wind", "3 selected
    /// EACs", "rows 3–5 of 9 EACs with technology wind, by quantity
    /// descending"; "every EAC with values" when some are stored without.
    pub selection: String,
    /// The EACs stored without values (envelope-only, decision 359) that
    /// the table leaves out although its rows are not filtered: a table
    /// lists values, they have none. 0 with a filter or selected rows
    /// (which never take them).
    pub envelope_only_left_out: usize,
    /// Exact per unit, of the rows written.
    pub totals: Vec<QuantityTotal>,
    pub total: UnitTotal,
    /// Workbook cells whose number a spreadsheet cannot hold exactly (more
    /// than 15 significant digits): each has a note, the exact text is in
    /// the column beside it.
    pub inexact_numbers: usize,
    /// Workbook cells longer than a cell holds (32,767 characters): each
    /// is cut with a marker, its whole text on the sheet "Long cells".
    pub cut_cells: usize,
}

/// The columns of both formats, in order. `{unit}` is the display unit.
fn header(unit: EnergyUnit) -> Vec<String> {
    let mut h: Vec<String> = [
        "cds_eac_id",
        "eac_number",
        "technology_type",
        "period_start",
        "period_end",
        "issuance",
        "source_id",
        "source_name",
        "destination_id",
        "destination_name",
        "beneficiary_type",
        "beneficiaries",
        "retired_state",
        "value_count",
    ]
    .map(str::to_owned)
    .to_vec();
    // As imported: the exact sum of the EAC's values in each unit.
    h.extend(
        EnergyUnit::ALL
            .iter()
            .map(|u| format!("quantity_{}", u.as_str())),
    );
    h.push(format!("total_{}", unit.as_str()));
    h.push("emissions_missing".to_owned());
    h.push("missing".to_owned());
    // Added later (session 42), after the columns scripts already read, in
    // the order of the app's table.
    h.extend(
        [
            "asset_id",
            "asset_commissioned",
            "emissions_factor_direct",
            "emissions_factor_lca",
            "cds_created",
            "cds_modified",
        ]
        .map(str::to_owned),
    );
    h
}

/// Column positions the workbook types.
const COL_PERIOD_START: u16 = 3;
const COL_PERIOD_END: u16 = 4;
const COL_ISSUANCE: u16 = 5;
const COL_VALUE_COUNT: u16 = 13;
const COL_FIRST_QUANTITY: u16 = 14;
/// After the three per-unit quantities.
const COL_TOTAL: u16 = COL_FIRST_QUANTITY + 3;
const COL_EMISSIONS_MISSING: u16 = COL_TOTAL + 1;
const COL_ASSET_COMMISSIONED: u16 = COL_TOTAL + 4;
const COL_CREATED: u16 = COL_TOTAL + 7;
const COL_MODIFIED: u16 = COL_TOTAL + 8;

/// The most data rows one worksheet holds (Excel: 1,048,576 rows with the header).
const XLSX_MAX_ROWS: usize = 1_048_575;

/// One row's cells as text (CSV; the workbook types some of them).
fn cells(row: &EacRow, total: &BigDecimal, unit: EnergyUnit) -> Vec<String> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut c = vec![
        row.cds_eac_id.clone(),
        opt(&row.eac_number),
        row.technology_type
            .map_or_else(String::new, |t| t.as_str().to_owned()),
        row.period_start.clone(),
        row.period_end.clone(),
        opt(&row.issuance),
        row.source_id.clone(),
        row.source_name.clone(),
        opt(&row.destination_id),
        opt(&row.destination_name),
        row.beneficiary_type
            .map_or_else(String::new, |t| t.as_str().to_owned()),
        beneficiary_list(&row.beneficiaries),
        row.retired_state.as_str().to_owned(),
        row.value_count.to_string(),
    ];
    for u in EnergyUnit::ALL {
        c.push(
            row.quantities
                .iter()
                .find(|q| q.unit == *u)
                .map_or_else(String::new, |q| q.total.clone()),
        );
    }
    c.push(unit_total_of(total, unit).total);
    c.push(row.emissions_missing.to_string());
    c.push(row.missing.join("; "));
    c.push(opt(&row.asset_id));
    c.push(opt(&row.asset_commissioned));
    // Exact decimal text as imported; a missing factor (`TODO`) is empty.
    c.push(opt(&row.emissions_factor_direct));
    c.push(opt(&row.emissions_factor_lca));
    c.push(row.cds_created.clone());
    c.push(row.cds_modified.clone());
    c
}

/// The beneficiary ids in one cell, joined by `; ` (decision 129). An id
/// holding the joiner's `;` or a double quote, or beginning or ending with
/// white space, is written in double quotes with its own quotes doubled,
/// so one id `A; B` (`"A; B"`) never reads as the two ids `A` and `B`
/// (`A; B`): no other id begins with a quote or holds a `;`
/// ([`eac_report::id_list`], as the claim statement and the claim report
/// CSV quote theirs).
pub(crate) fn beneficiary_list(ids: &[String]) -> String {
    eac_report::id_list(ids, ';')
}

/// Appends one CSV record: each cell guarded against formula injection and
/// quoted per RFC 4180, CRLF at the end.
pub(crate) fn csv_record<'a>(out: &mut String, cells: impl IntoIterator<Item = &'a str>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&eac_report::csv_cell(cell));
    }
    out.push_str("\r\n");
}

/// Rows of the view, with the running totals.
struct Rows {
    count: usize,
    /// The rows of the filter (or the selected ids) a page is taken from.
    matching: usize,
    /// The EACs stored without values an unfiltered view leaves out.
    envelope_only_left_out: usize,
    /// Indexed like `EnergyUnit::ALL`.
    per_unit: [Option<BigDecimal>; 3],
}

impl Rows {
    fn new(matching: usize, envelope_only_left_out: usize) -> Self {
        Rows {
            count: 0,
            matching,
            envelope_only_left_out,
            per_unit: [None, None, None],
        }
    }

    /// The row's exact total in `unit`, added to the running totals.
    fn add(&mut self, row: &EacRow, unit: EnergyUnit) -> Result<BigDecimal, AppError> {
        self.count += 1;
        let mut total = BigDecimal::default();
        for q in &row.quantities {
            let value = BigDecimal::from_str(&q.total).map_err(|_| {
                AppError::invalid_input(format!(
                    "{}: `{}` is not an exact quantity; the database may be damaged",
                    row.cds_eac_id, q.total
                ))
            })?;
            total += convert(&value, q.unit, unit);
            let i = EnergyUnit::ALL
                .iter()
                .position(|u| *u == q.unit)
                .expect("every unit is in ALL");
            let slot = &mut self.per_unit[i];
            *slot = Some(slot.take().unwrap_or_default() + value);
        }
        Ok(total)
    }

    fn totals(&self) -> Vec<QuantityTotal> {
        EnergyUnit::ALL
            .iter()
            .zip(&self.per_unit)
            .filter_map(|(u, t)| {
                Some(QuantityTotal {
                    unit: *u,
                    total: eac_model::Decimal::from_big(t.as_ref()?)
                        .as_str()
                        .to_owned(),
                })
            })
            .collect()
    }

    fn total_in(&self, unit: EnergyUnit) -> UnitTotal {
        let total = eac_model::units::total_in(
            EnergyUnit::ALL
                .iter()
                .zip(&self.per_unit)
                .filter_map(|(u, t)| Some((*u, t.as_ref()?))),
            unit,
        );
        unit_total_of(&total, unit)
    }
}

/// Whether `filter` selects every EAC: no filter, or only a search of
/// nothing but white space, which searches for nothing (the store, the
/// app's filter bar and [`crate::selection_words`] read it so too).
fn unfiltered(filter: &EacFilter) -> bool {
    EacFilter {
        search: filter.search.clone().filter(|s| !s.trim().is_empty()),
        ..filter.clone()
    } == EacFilter::default()
}

/// "quantity descending".
fn sort_words(sort: SortSpec) -> String {
    format!(
        "{} {}",
        serde_json::to_value(sort.field)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        if sort.descending {
            "descending"
        } else {
            "ascending"
        }
    )
}

/// Words for the rows of `view`: "3 selected EACs", the filter in words
/// ("every EAC with values" when some are stored without), or a page of
/// them: "rows 3–5 of 9 EACs with technology wind, by quantity descending"
/// (the sort says which rows a page holds). Never "selected" for a page:
/// nobody picked those rows.
fn selection(view: &TableView, rows: &Rows) -> String {
    let all = unfiltered(&view.filter);
    let paged = view.offset.unwrap_or(0) > 0 || view.limit.is_some();
    if !paged {
        return match &view.ids {
            Some(ids) if ids.len() == 1 => "1 selected EAC".to_owned(),
            Some(ids) => format!("{} selected EACs", ids.len()),
            None if all && rows.envelope_only_left_out > 0 => "every EAC with values".to_owned(),
            None if all => "every EAC in the database".to_owned(),
            None => crate::selection_words(&view.filter),
        };
    }
    // The noun phrase after "of N".
    let of = match &view.ids {
        Some(_) => "selected EACs".to_owned(),
        None if all && rows.envelope_only_left_out > 0 => "EACs with values".to_owned(),
        None if all => "EACs".to_owned(),
        // "EACs …", "complete EACs …", "incomplete EACs …".
        None => crate::selection_words(&view.filter),
    };
    let of = match rows.matching {
        1 => format!("1 {}", of.replacen("EACs", "EAC", 1)),
        n => format!("{n} {of}"),
    };
    let first = view.offset.unwrap_or(0).saturating_add(1);
    let sort = sort_words(view.sort);
    match rows.count {
        0 => format!("no rows from row {first} on of {of}, by {sort}"),
        1 => format!("row {first} of {of}, by {sort}"),
        n => format!("rows {first}–{} of {of}, by {sort}", first + (n - 1)),
    }
}

/// What a table says of the EACs stored without values it leaves out
/// (worded as `ls` says them, decision 359).
pub fn envelope_only_left_out_words(n: usize) -> String {
    let (eacs, are, them) = if n == 1 {
        ("1 EAC".to_owned(), "is", "it")
    } else {
        (format!("{n} EACs"), "are", "them")
    };
    format!(
        "{eacs} stored without values (envelope-only) {are} not in this table (`eacdesk ls --envelope-only` lists {them})"
    )
}

/// Hands each row of `view` to `each` with its total in the display unit.
fn each_row(
    store: &Store,
    view: &TableView,
    progress: &dyn Progress,
    each: &mut dyn FnMut(&EacRow, &BigDecimal) -> Result<(), AppError>,
) -> Result<Rows, AppError> {
    let unit = view.unit;
    let matching = match &view.ids {
        Some(ids) => ids.len(),
        None => store.summary(&view.filter)?.count,
    };
    let left_out = if view.ids.is_none() && unfiltered(&view.filter) {
        store.envelope_only_count()?
    } else {
        0
    };
    let offset = view.offset.unwrap_or(0);
    let limit = view.limit.unwrap_or(usize::MAX);
    let expected = matching.saturating_sub(offset).min(limit) as u64;
    let mut rows = Rows::new(matching, left_out);
    if limit == 0 {
        progress.update(Phase::Export, 0, Some(0));
        return Ok(rows);
    }
    let mut skipped = 0;
    // The page is full: the rest are not read.
    let mut full = false;
    let mut failed: Option<AppError> = None;
    let streamed = store.browse_each(&view.filter, view.sort, view.ids.as_deref(), &mut |row| {
        if progress.is_cancelled() {
            return Err(eac_store::StoreError::Cancelled);
        }
        if skipped < offset {
            skipped += 1;
            return Ok(());
        }
        let result = rows.add(&row, unit).and_then(|total| each(&row, &total));
        if let Err(e) = result {
            failed = Some(e);
            return Err(eac_store::StoreError::Cancelled);
        }
        if rows.count.is_multiple_of(1024) {
            progress.update(Phase::Export, rows.count as u64, Some(expected));
        }
        if rows.count >= limit {
            full = true;
            return Err(eac_store::StoreError::Cancelled);
        }
        Ok(())
    });
    if let Some(e) = failed {
        return Err(e);
    }
    if !full {
        streamed?;
    }
    progress.update(Phase::Export, rows.count as u64, Some(expected));
    Ok(rows)
}

/// Writes `view` as CSV to `out` (standard output for `ls --csv`). A write
/// error is an I/O error naming "standard output".
pub fn write_table_csv(
    store: &Store,
    view: &TableView,
    out: &mut dyn Write,
    progress: &dyn Progress,
) -> Result<TableExportReport, AppError> {
    let rows = csv_rows(store, view, out, Path::new("standard output"), progress)?;
    Ok(report(view, None, TableFormat::Csv, &rows, 0, 0))
}

/// The CSV of `view` into `out`; `shown` names it in errors.
fn csv_rows(
    store: &Store,
    view: &TableView,
    out: &mut dyn Write,
    shown: &Path,
    progress: &dyn Progress,
) -> Result<Rows, AppError> {
    let unit = view.unit;
    let mut text = String::new();
    csv_record(&mut text, header(unit).iter().map(String::as_str));
    let mut write = |text: &mut String| -> Result<(), AppError> {
        out.write_all(text.as_bytes())
            .map_err(|e| AppError::io(shown, &e))?;
        text.clear();
        Ok(())
    };
    write(&mut text)?;
    let rows = each_row(store, view, progress, &mut |row, total| {
        csv_record(
            &mut text,
            cells(row, total, unit).iter().map(String::as_str),
        );
        if text.len() >= 64 * 1024 {
            write(&mut text)?;
        }
        Ok(())
    })?;
    write(&mut text)?;
    out.flush().map_err(|e| AppError::io(shown, &e))?;
    Ok(rows)
}

fn report(
    view: &TableView,
    path: Option<&Path>,
    format: TableFormat,
    rows: &Rows,
    inexact_numbers: usize,
    cut_cells: usize,
) -> TableExportReport {
    TableExportReport {
        path: path.map(|p| p.display().to_string()),
        format,
        rows: rows.count,
        selection: selection(view, rows),
        envelope_only_left_out: rows.envelope_only_left_out,
        totals: rows.totals(),
        total: rows.total_in(view.unit),
        inexact_numbers,
        cut_cells,
    }
}

/// Writes the rows of `view` (the filter's, or exactly the selected ids)
/// to `dest` as CSV or .xlsx. The file appears complete or not at all
/// (written beside `dest`, then renamed over it); the database's own
/// files are refused as `dest`. Cancel: nothing is written.
pub fn export_table(
    store: &Store,
    view: &TableView,
    format: TableFormat,
    dest: &Path,
    progress: &dyn Progress,
) -> Result<TableExportReport, AppError> {
    // Before the rows are read, in the words of an export's (decision
    // 436): an empty name, a folder's name, a missing folder; then the
    // database's own files, a link, pipe, folder or a place inside an
    // evidence pack.
    let (what, example) = match format {
        TableFormat::Csv => ("CSV table", "eacs.csv"),
        TableFormat::Xlsx => ("workbook", "eacs.xlsx"),
    };
    eac_store::placing::refuse_file_path(dest, what, example)?;
    eac_store::atomic::refuse_database_file(store.path(), dest)?;
    eac_store::atomic::refuse_file_destination(dest)?;
    let (bytes, rows, inexact, cut) = match format {
        TableFormat::Csv => {
            let mut bytes = Vec::new();
            let rows = csv_rows(store, view, &mut bytes, dest, progress)?;
            (bytes, rows, 0, 0)
        }
        TableFormat::Xlsx => xlsx_caught(store, view, dest, progress)?,
    };
    if progress.is_cancelled() {
        return Err(AppError::cancelled());
    }
    let mut file = AtomicFile::beside(dest)?;
    file.write_all(&bytes).map_err(|e| AppError::io(dest, &e))?;
    file.commit()?;
    Ok(report(view, Some(dest), format, &rows, inexact, cut))
}

// rust_xlsxwriter (0.102) writes the rows of a constant-memory worksheet
// to a temporary file and `expect`s every one of those writes: a full
// temporary folder or the file size limit (`ulimit -f`) panics inside the
// library, which has no fallible path for them (only the file's creation
// returns an error). So the workbook is built on a temporary folder named
// here (`set_tempdir`, so that a message can name it), and a panic of such
// a write is caught (`catch_unwind`) and said as that folder's failure, its
// panic message kept off the screen. Any other panic goes on as a panic.
// Checking free space first was rejected: another program may fill the
// disk meanwhile, and the file size limit is no matter of space.
std::thread_local! {
    /// Set while this thread builds a workbook: the panic hook stays quiet
    /// about a failed write of the library's temporary file.
    static BUILDING_WORKBOOK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The text of a panic's payload (`expect`'s message and its error).
fn panic_text(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("")
}

/// Whether a panic of rust_xlsxwriter is a failed write of its temporary
/// file: its `expect` message, or an `unwrap` of a system error.
fn is_temp_write_panic(text: &str) -> bool {
    text.contains("Couldn't write to xml file") || text.contains("Os { code:")
}

/// Installs, once, a panic hook that stays quiet about a failed write of
/// the workbook's temporary file (caught and said in plain words by
/// [`xlsx_caught`]) and hands every other panic to the hook before it.
fn quiet_temp_write_panics() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let earlier = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let quiet = BUILDING_WORKBOOK.with(std::cell::Cell::get)
                && is_temp_write_panic(panic_text(info.payload()));
            if !quiet {
                earlier(info);
            }
        }));
    });
}

/// [`xlsx`] on the system's temporary folder, a failed write of its
/// temporary file said as an error naming that folder and `dest` (which
/// is untouched: nothing is written there before the workbook is whole).
fn xlsx_caught(
    store: &Store,
    view: &TableView,
    dest: &Path,
    progress: &dyn Progress,
) -> Result<(Vec<u8>, Rows, usize, usize), AppError> {
    let folder = std::env::temp_dir();
    quiet_temp_write_panics();
    BUILDING_WORKBOOK.with(|b| b.set(true));
    let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        xlsx(store, view, &folder, dest, progress)
    }));
    BUILDING_WORKBOOK.with(|b| b.set(false));
    match built {
        Ok(built) => built,
        Err(payload) if is_temp_write_panic(panic_text(&*payload)) => {
            Err(temp_write_failed(&folder, dest, panic_text(&*payload)))
        }
        Err(payload) => std::panic::resume_unwind(payload),
    }
}

/// The workbook's temporary file in `folder` could not be written (`text`:
/// the library's panic message, which holds the system error's kind).
fn temp_write_failed(folder: &Path, dest: &Path, text: &str) -> AppError {
    use std::io::ErrorKind;
    let kind = if text.contains("StorageFull") || text.contains("QuotaExceeded") {
        ErrorKind::StorageFull
    } else if text.contains("FileTooLarge") {
        ErrorKind::FileTooLarge
    } else {
        ErrorKind::Other
    };
    let doing = format!("build the workbook for {}", dest.display());
    let unchanged = format!("{} was not changed", dest.display());
    let mut e = if kind == ErrorKind::FileTooLarge {
        AppError::new(
            eac_store::ErrorCode::Io,
            format!(
                "Could not {doing} in the temporary folder {}: its temporary file grew past the file size limit set for this program (ulimit -f). {unchanged}; raise the limit, or export fewer EACs (or CSV, which needs no temporary file).",
                folder.display()
            ),
        )
    } else {
        let cause = if kind == ErrorKind::StorageFull {
            std::io::Error::from(kind)
        } else {
            std::io::Error::other(text.to_owned())
        };
        AppError::scratch(folder, &cause, [&doing, ""], &unchanged, "export again")
    };
    e.details.path = Some(folder.display().to_string());
    e.details.reason = match kind {
        ErrorKind::StorageFull => Some(crate::error::IoReason::DiskFull),
        ErrorKind::FileTooLarge => Some(crate::error::IoReason::FileTooLarge),
        _ => None,
    };
    e
}

/// The library's own error creating its temporary file in `folder`.
fn xlsx_temp_error(folder: &Path, dest: &Path, e: XlsxError) -> AppError {
    match e {
        XlsxError::TempFileError(_, source) => AppError::scratch(
            folder,
            &source,
            [&format!("build the workbook for {}", dest.display()), ""],
            &format!("{} was not changed", dest.display()),
            "export again",
        ),
        e => xlsx_error(e),
    }
}

fn xlsx_error(e: XlsxError) -> AppError {
    AppError::invalid_input(format!("The workbook could not be built: {e}"))
}

/// The workbook's bytes, its rows and how many numbers are inexact; its
/// temporary file in `temp_folder` (see [`xlsx_caught`]).
fn xlsx(
    store: &Store,
    view: &TableView,
    temp_folder: &Path,
    dest: &Path,
    progress: &dyn Progress,
) -> Result<(Vec<u8>, Rows, usize, usize), AppError> {
    let unit = view.unit;
    let mut book = Workbook::new();
    book.set_tempdir(temp_folder)
        .map_err(|e| xlsx_temp_error(temp_folder, dest, e))?;
    let bold = Format::new().set_bold();
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let decimals = unit.display_decimals();
    let number = Format::new().set_num_format(if decimals == 0 {
        "#,##0".to_owned()
    } else {
        format!("#,##0.{}", "0".repeat(decimals as usize))
    });

    // Rows go to a temporary file as they are written (100,000 EACs would
    // otherwise hold every cell in memory until the end).
    let sheet = book
        .add_worksheet_with_constant_memory()
        .map_err(|e| xlsx_temp_error(temp_folder, dest, e))?;
    sheet.set_name("EACs").map_err(xlsx_error)?;
    let mut columns = header(unit);
    // The total twice: a number, and its exact text.
    let exact_col = COL_TOTAL + 1;
    columns.insert(
        usize::from(exact_col),
        format!("total_{}_exact", unit.as_str()),
    );
    for (i, name) in columns.iter().enumerate() {
        let col = u16::try_from(i).expect("a few columns");
        let name = match col {
            COL_PERIOD_START | COL_PERIOD_END => format!("{name} (UTC)"),
            _ if [COL_CREATED, COL_MODIFIED].map(|c| c + 1).contains(&col) => {
                format!("{name} (UTC)")
            }
            _ => name.clone(),
        };
        sheet
            .write_string_with_format(0, col, name, &bold)
            .map_err(xlsx_error)?;
    }
    sheet.set_freeze_panes(1, 1).map_err(xlsx_error)?;
    for (col, width) in [(0u16, 40u16), (1, 28), (3, 20), (4, 20), (5, 11), (7, 24)] {
        sheet.set_column_width(col, width).map_err(xlsx_error)?;
    }
    sheet.set_column_width(COL_TOTAL, 16).map_err(xlsx_error)?;
    sheet.set_column_width(exact_col, 18).map_err(xlsx_error)?;
    // After the exact total's column, one place right of their `cells` index.
    for (col, width) in [
        (COL_ASSET_COMMISSIONED, 11),
        (COL_CREATED, 20),
        (COL_MODIFIED, 20),
    ] {
        sheet.set_column_width(col + 1, width).map_err(xlsx_error)?;
    }

    let names = header(unit);
    let mut long = LongCells::default();
    let mut inexact = 0;
    let mut r: u32 = 0;
    let rows = each_row(store, view, progress, &mut |row, total| {
        if r as usize >= XLSX_MAX_ROWS {
            return Err(AppError::invalid_input(format!(
                "A worksheet holds at most {XLSX_MAX_ROWS} rows; export fewer EACs (narrow the filter) or export CSV"
            )));
        }
        r += 1;
        let text = cells(row, total, unit);
        let mut col: u16 = 0;
        for (i, cell) in text.iter().enumerate() {
            let at = u16::try_from(i).expect("a few columns");
            match at {
                COL_PERIOD_START | COL_PERIOD_END => {
                    write_time(sheet, r, col, cell, &datetime)?;
                }
                COL_ISSUANCE => write_date(sheet, r, col, cell, &date)?,
                COL_VALUE_COUNT => {
                    let n = u32::try_from(row.value_count).unwrap_or(u32::MAX);
                    sheet.write_number(r, col, n).map_err(xlsx_error)?;
                }
                COL_TOTAL => {
                    if !write_quantity(sheet, r, col, cell, &number, "next column")? {
                        inexact += 1;
                    }
                    col += 1;
                    sheet.write_string(r, col, cell).map_err(xlsx_error)?;
                }
                COL_EMISSIONS_MISSING => {
                    sheet
                        .write_boolean(r, col, row.emissions_missing)
                        .map_err(xlsx_error)?;
                }
                COL_ASSET_COMMISSIONED => write_date(sheet, r, col, cell, &date)?,
                COL_CREATED | COL_MODIFIED => write_time(sheet, r, col, cell, &datetime)?,
                _ if !cell.is_empty() => {
                    let name = &names[i];
                    let shown = long.cut(&row.cds_eac_id, name, cell);
                    sheet
                        .write_string(r, col, shown.as_ref())
                        .map_err(|e| cell_error(&row.cds_eac_id, name, e))?;
                }
                _ => {}
            }
            col += 1;
        }
        Ok(())
    })?;

    let about = book.add_worksheet();
    about.set_name("Filter and totals").map_err(xlsx_error)?;
    about.set_column_width(0, 22).map_err(xlsx_error)?;
    about.set_column_width(1, 60).map_err(xlsx_error)?;
    let total = rows.total_in(unit);
    // The count is a number cell (a formula can use it); the rest text.
    enum AboutCell {
        Text(String),
        Count(usize),
    }
    use AboutCell::{Count, Text};
    let mut lines: Vec<(String, AboutCell)> =
        vec![("Rows".to_owned(), Text(selection(view, &rows)))];
    if rows.envelope_only_left_out > 0 {
        lines.push((
            "Not in this table".to_owned(),
            Text(envelope_only_left_out_words(rows.envelope_only_left_out)),
        ));
    }
    lines.extend([
        ("Sort".to_owned(), Text(sort_words(view.sort))),
        ("EACs".to_owned(), Count(rows.count)),
        (
            format!("Total ({}, exact)", unit.as_str()),
            Text(total.total.clone()),
        ),
    ]);
    for t in rows.totals() {
        lines.push((
            format!("Sum of {} values (exact)", t.unit.as_str()),
            Text(t.total),
        ));
    }
    if !long.cells.is_empty() {
        lines.push(("Long cells".to_owned(), Text(long.words())));
    }
    lines.push((
        "Times".to_owned(),
        Text("UTC; quantities exact as imported in quantity_Wh/kWh/MWh".to_owned()),
    ));
    about
        .write_string_with_format(0, 0, "Filter and totals", &bold)
        .map_err(xlsx_error)?;
    for (i, (label, value)) in lines.iter().enumerate() {
        let r = u32::try_from(i).expect("a few lines") + 1;
        about
            .write_string_with_format(r, 0, label, &bold)
            .map_err(xlsx_error)?;
        match value {
            Text(text) => about.write_string(r, 1, text),
            // Exact: a row count is far below 2^53.
            Count(n) => about.write_number(r, 1, *n as f64),
        }
        .map_err(xlsx_error)?;
    }
    // The grand total as a number too.
    let r = u32::try_from(lines.len()).expect("a few lines") + 1;
    about
        .write_string_with_format(r, 0, format!("Total ({})", unit.as_str()), &bold)
        .map_err(xlsx_error)?;
    if !write_quantity(about, r, 1, &total.total, &number, "the row above")? {
        inexact += 1;
    }
    let cut = long.cells.len();
    if cut > 0 {
        long.write(book.add_worksheet(), &bold)?;
    }
    let bytes = book.save_to_buffer().map_err(xlsx_error)?;
    Ok((bytes, rows, inexact, cut))
}

/// The most a workbook cell holds: 32,767 UTF-16 code units (Excel's
/// limit, which rust_xlsxwriter enforces).
const XLSX_MAX_CELL: usize = 32_767;

/// The sheet that holds long cells whole.
const LONG_CELLS_SHEET: &str = "Long cells";

fn utf16_len(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

/// The longest start of `text` (at a character boundary) of at most
/// `room` UTF-16 code units.
fn fitting_start(text: &str, room: usize) -> &str {
    let mut used = 0;
    for (at, c) in text.char_indices() {
        used += c.len_utf16();
        if used > room {
            return &text[..at];
        }
    }
    text
}

/// `text` in parts of at most [`XLSX_MAX_CELL`] code units, joined in
/// order they are `text`; a part ends after a `; ` (a list's joiner) when
/// one is in its second half.
fn parts(mut text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    while !text.is_empty() {
        let mut part = fitting_start(text, XLSX_MAX_CELL);
        if part.len() < text.len() {
            if let Some(at) = part.rfind("; ").filter(|at| *at >= part.len() / 2) {
                part = &part[..at + 2];
            }
        }
        parts.push(part);
        text = &text[part.len()..];
    }
    parts
}

/// One cell too long for a workbook cell, kept whole.
struct LongCell {
    cds_eac_id: String,
    column: String,
    text: String,
}

/// The cells cut on the EACs sheet, their whole text for the sheet
/// [`LONG_CELLS_SHEET`] (one row per part, after its header).
#[derive(Default)]
struct LongCells {
    cells: Vec<LongCell>,
    /// Parts on that sheet so far (one row each, below its header).
    parts: u32,
}

impl LongCells {
    /// The cell as the EACs sheet shows it: `text` itself when it fits,
    /// else its start and a marker saying where the whole text is (kept
    /// here for that sheet).
    fn cut<'t>(
        &mut self,
        cds_eac_id: &str,
        column: &str,
        text: &'t str,
    ) -> std::borrow::Cow<'t, str> {
        if utf16_len(text) <= XLSX_MAX_CELL {
            return text.into();
        }
        let parts = u32::try_from(parts(text).len()).unwrap_or(u32::MAX);
        // Rows as a spreadsheet numbers them (the header is row 1); a
        // text past one cell is two parts at least.
        let first = self.parts + 2;
        self.parts += parts;
        let rows = format!("rows {first}–{} (join them in order)", self.parts + 1);
        let marker = format!(
            " … [cut: a cell holds at most 32,767 characters; the whole {} characters are on the sheet \"{LONG_CELLS_SHEET}\", {rows}]",
            text.chars().count()
        );
        let start = fitting_start(text, XLSX_MAX_CELL - utf16_len(&marker));
        self.cells.push(LongCell {
            cds_eac_id: cds_eac_id.to_owned(),
            column: column.to_owned(),
            text: text.to_owned(),
        });
        format!("{start}{marker}").into()
    }

    /// What "Filter and totals" says of them.
    fn words(&self) -> String {
        let n = self.cells.len();
        format!(
            "{n} {} longer than a spreadsheet cell holds (32,767 characters) {} cut on the sheet \"EACs\", marked \"… [cut\"; the sheet \"{LONG_CELLS_SHEET}\" has {} whole, in parts to join in order",
            if n == 1 { "cell" } else { "cells" },
            if n == 1 { "is" } else { "are" },
            if n == 1 { "it" } else { "them" },
        )
    }

    /// The sheet: a header, then each cell's parts, one per row.
    fn write(&self, sheet: &mut Worksheet, bold: &Format) -> Result<(), AppError> {
        sheet.set_name(LONG_CELLS_SHEET).map_err(xlsx_error)?;
        for (col, name) in ["cds_eac_id", "column", "part", "text"].iter().enumerate() {
            let col = u16::try_from(col).expect("four columns");
            sheet
                .write_string_with_format(0, col, *name, bold)
                .map_err(xlsx_error)?;
        }
        sheet.set_column_width(0, 40).map_err(xlsx_error)?;
        sheet.set_column_width(1, 16).map_err(xlsx_error)?;
        sheet.set_column_width(3, 100).map_err(xlsx_error)?;
        let mut r: u32 = 0;
        for cell in &self.cells {
            let parts = parts(&cell.text);
            for (i, part) in parts.iter().enumerate() {
                r += 1;
                let at = |e| cell_error(&cell.cds_eac_id, &cell.column, e);
                sheet.write_string(r, 0, &cell.cds_eac_id).map_err(at)?;
                sheet.write_string(r, 1, &cell.column).map_err(at)?;
                sheet
                    .write_string(r, 2, format!("{} of {}", i + 1, parts.len()))
                    .map_err(at)?;
                sheet.write_string(r, 3, *part).map_err(at)?;
            }
        }
        Ok(())
    }
}

/// A cell of the EAC `cds_eac_id` in `column` that the workbook could not
/// take: named, with what to do instead.
fn cell_error(cds_eac_id: &str, column: &str, e: XlsxError) -> AppError {
    AppError::invalid_input(format!(
        "The workbook could not be built: the {column} cell of EAC `{}`: {e}. Nothing was written; export CSV instead (which holds any cell), or leave that EAC out (narrow the filter).",
        eac_model::quote(cds_eac_id)
    ))
}

/// Writes an exact decimal as a number cell; a number a double cannot hold
/// exactly (more than 15 significant digits) gets a note naming the exact
/// text and where it is (`exact_at`). Returns whether the number is exact.
fn write_quantity(
    sheet: &mut Worksheet,
    r: u32,
    col: u16,
    exact: &str,
    format: &Format,
    exact_at: &str,
) -> Result<bool, AppError> {
    let exact_number = BigDecimal::from_str(exact).ok();
    // A spreadsheet number is a double: one beyond it (which Rust parses
    // as infinity, written as the text `INF`) or so near zero that it
    // would read 0 or lose digits is written as its exact text instead.
    let number = exact.parse::<f64>().ok().filter(|n| {
        n.is_normal() || (*n == 0.0 && exact_number.as_ref().is_some_and(|b| b.is_zero()))
    });
    let Some(number) = number else {
        sheet.write_string(r, col, exact).map_err(xlsx_error)?;
        if exact_number.is_some() {
            let note = Note::new(format!(
                "A spreadsheet number cannot hold this value (beyond ±1.8e308, or nearer to zero than 2.2e-308): it is written as text. The exact value is {exact} ({exact_at})."
            ));
            sheet.insert_note(r, col, &note).map_err(xlsx_error)?;
        }
        return Ok(false);
    };
    sheet
        .write_number_with_format(r, col, number, format)
        .map_err(xlsx_error)?;
    let fits = exact_number
        .map(|v| v.normalized().digits() <= 15)
        .unwrap_or(false);
    if !fits {
        let note = Note::new(format!(
            "A spreadsheet holds 15 significant digits: this number is rounded. The exact value is {exact} ({exact_at})."
        ));
        sheet.insert_note(r, col, &note).map_err(xlsx_error)?;
    }
    Ok(fits)
}

/// An RFC 3339 time (UTC) as a date-time cell; kept as text when a cell
/// cannot hold it exactly (fractions of a second, years before 1900).
fn write_time(
    sheet: &mut Worksheet,
    r: u32,
    col: u16,
    text: &str,
    format: &Format,
) -> Result<(), AppError> {
    let cell = DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.naive_utc())
        .filter(|t| t.nanosecond() == 0 && (1900..=9999).contains(&t.year()))
        .and_then(|t| {
            ExcelDateTime::from_ymd(
                u16::try_from(t.year()).ok()?,
                u8::try_from(t.month()).ok()?,
                u8::try_from(t.day()).ok()?,
            )
            .ok()?
            .and_hms(
                u16::try_from(t.hour()).ok()?,
                u8::try_from(t.minute()).ok()?,
                u8::try_from(t.second()).ok()?,
            )
            .ok()
        });
    match cell {
        Some(dt) => sheet.write_datetime_with_format(r, col, &dt, format),
        None => sheet.write_string(r, col, text),
    }
    .map_err(xlsx_error)?;
    Ok(())
}

/// `YYYY-MM-DD` as a date cell (empty: no cell).
fn write_date(
    sheet: &mut Worksheet,
    r: u32,
    col: u16,
    text: &str,
    format: &Format,
) -> Result<(), AppError> {
    if text.is_empty() {
        return Ok(());
    }
    let cell = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|d| (1900..=9999).contains(&d.year()))
        .and_then(|d| {
            ExcelDateTime::from_ymd(
                u16::try_from(d.year()).ok()?,
                u8::try_from(d.month()).ok()?,
                u8::try_from(d.day()).ok()?,
            )
            .ok()
        });
    match cell {
        Some(d) => sheet.write_datetime_with_format(r, col, &d, format),
        None => sheet.write_string(r, col, text),
    }
    .map_err(xlsx_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `expect` makes of the library's failed write: its message, a
    /// colon and the error's debug form.
    fn library_panic(kind: std::io::ErrorKind) -> String {
        format!(
            "Couldn't write to xml file: {:?}",
            std::io::Error::from(kind)
        )
    }

    #[test]
    fn a_full_temporary_folder_is_said_in_plain_words_naming_it_and_the_destination() {
        let (folder, dest) = (Path::new("/tmp/full"), Path::new("out/eacs.xlsx"));
        let text = library_panic(std::io::ErrorKind::StorageFull);
        assert!(is_temp_write_panic(&text));
        let e = temp_write_failed(folder, dest, &text);
        assert_eq!(e.code, eac_store::ErrorCode::Io);
        assert_eq!(e.details.reason, Some(crate::error::IoReason::DiskFull));
        for part in [
            "/tmp/full",
            "the disk is full",
            "out/eacs.xlsx was not changed",
        ] {
            assert!(e.message.contains(part), "{part} not in {}", e.message);
        }
        let e = temp_write_failed(
            folder,
            dest,
            &library_panic(std::io::ErrorKind::FileTooLarge),
        );
        assert_eq!(e.details.reason, Some(crate::error::IoReason::FileTooLarge));
        assert!(e.message.contains("ulimit -f"), "{}", e.message);
        assert!(!is_temp_write_panic("index out of bounds"));
    }

    /// Each cut cell's marker names the rows of "Long cells" its parts
    /// are on, below the header (row 1) and after the parts of the cells
    /// cut before it; each cell is kept whole for that sheet.
    #[test]
    fn each_cut_cell_names_its_own_rows_of_the_long_cells_sheet() {
        let mut long = LongCells::default();
        let list = "x; ".repeat(15_000);
        let three = "y".repeat(2 * XLSX_MAX_CELL + 1);
        let just_past = "z".repeat(XLSX_MAX_CELL + 1);
        assert_eq!(parts(&list).len(), 2);
        assert_eq!(parts(&three).len(), 3);
        assert_eq!(parts(&just_past).len(), 2);
        assert_eq!(long.cut("e-0", "beneficiaries", "fits"), "fits");
        let said = [
            long.cut("e-1", "beneficiaries", &list).into_owned(),
            long.cut("e-2", "destination_name", &three).into_owned(),
            long.cut("e-3", "beneficiaries", &just_past).into_owned(),
        ];
        for (text, rows) in said.iter().zip([
            "\"Long cells\", rows 2–3 (join them in order)]",
            "\"Long cells\", rows 4–6 (join them in order)]",
            "\"Long cells\", rows 7–8 (join them in order)]",
        ]) {
            assert!(text.ends_with(rows), "{}", &text[text.len() - 120..]);
            assert!(utf16_len(text) <= XLSX_MAX_CELL);
        }
        assert_eq!(long.cells.len(), 3);
        assert_eq!(long.cells[1].text, three);
    }
}
