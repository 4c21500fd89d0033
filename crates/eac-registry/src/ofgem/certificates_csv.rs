//! The certificates report as CSV: the raw download (preamble lines, then
//! the header) and the copies found in the wild (no header, a leading index
//! column, re-saved in Windows-1252).

use super::{
    encoding_warning, header_key, is_index_cell, one_kind_of_line_break, read_row, Column, Numbers,
    Row, COLUMNS,
};
use crate::csv_rows;
use crate::record::{Locator, ReadError, Statement, Warning};
use crate::text::{self, LineIndex};

/// How the file's cells map onto the report's columns.
enum Layout {
    /// From a header line: the cell index of each column, if present.
    Header {
        line: u64,
        columns: [Option<usize>; COLUMNS],
        width: usize,
        /// Cells a row needs to reach the last named column.
        named: usize,
    },
    /// No header: the report's columns in order, after `offset` leading
    /// cells (an index column).
    Positional { offset: usize },
}

fn line_of(lines: &LineIndex<'_>, record: &csv::StringRecord) -> u64 {
    lines.line_of_record(record.position().map_or(0, |p| p.byte()))
}

fn is_blank(record: &csv::StringRecord) -> bool {
    record.iter().all(|c| c.trim().is_empty())
}

/// The header line of a certificates report, if `record` is one: it names
/// at least the accreditation number and both certificate numbers.
fn header_layout(
    lines: &LineIndex<'_>,
    record: &csv::StringRecord,
) -> Option<Result<Layout, ReadError>> {
    let keys: Vec<String> = record.iter().map(header_key).collect();
    let find = |c: Column| keys.iter().position(|k| c.matches_header(k));
    if find(Column::Accreditation).is_none()
        || find(Column::Start).is_none()
        || find(Column::End).is_none()
    {
        return None;
    }
    let line = line_of(lines, record);
    let at = Locator::Line(line);
    let mut columns = [None; COLUMNS];
    for (i, key) in keys.iter().enumerate() {
        let Some(column) = Column::ALL.into_iter().find(|c| c.matches_header(key)) else {
            continue;
        };
        if columns[column as usize].is_some() {
            return Some(Err(ReadError::new(
                at,
                format!(
                    "the header names \"{}\" twice; keep one column of each name and import the file again",
                    column.header()
                ),
            )));
        }
        columns[column as usize] = Some(i);
    }
    let missing: Vec<&str> = Column::ALL
        .into_iter()
        .filter(|c| c.required() && columns[*c as usize].is_none())
        .map(Column::header)
        .collect();
    if !missing.is_empty() {
        return Some(Err(ReadError::new(
            at,
            format!(
                "the header lacks the column(s) {}; the Ofgem certificates report has them all. Download the report again or restore the columns",
                missing.join(", ")
            ),
        )));
    }
    Some(Ok(Layout::Header {
        line,
        columns,
        width: record.len(),
        named: csv_rows::named_width(record.iter()),
    }))
}

/// Header cells that are not report columns (other than an index column).
fn unknown_columns(record: &csv::StringRecord) -> Vec<String> {
    record
        .iter()
        .filter(|cell| {
            let key = header_key(cell);
            !is_index_cell(cell) && !Column::ALL.into_iter().any(|c| c.matches_header(&key))
        })
        .map(|cell| cell.trim().to_string())
        .collect()
}

/// A data row without a header, recognised by its content: Scheme (`REGO`
/// or `RO`) as the 4th report column and a Start Certificate No. that
/// begins with the Accreditation No. Returns the number of leading cells
/// (0, or 1 for an index column).
fn positional_offset(record: &csv::StringRecord) -> Option<usize> {
    let cell = |i: usize| record.get(i).unwrap_or("").trim();
    (0..=1).find(|&offset| {
        let scheme = cell(offset + Column::Scheme as usize);
        let accreditation = cell(offset + Column::Accreditation as usize);
        let start = cell(offset + Column::Start as usize);
        record.len() >= offset + COLUMNS
            && (offset == 0 || is_index_cell(cell(0)))
            && (scheme.eq_ignore_ascii_case("REGO") || scheme.eq_ignore_ascii_case("RO"))
            && !accreditation.is_empty()
            && start.starts_with(accreditation)
            && (offset + COLUMNS..record.len()).all(|i| cell(i).is_empty())
    })
}

/// A line before the header or first row that is too full to be preamble:
/// refused rather than silently dropped.
fn looks_like_a_row(record: &csv::StringRecord) -> bool {
    record.len() >= COLUMNS && record.iter().filter(|c| !c.trim().is_empty()).count() > COLUMNS / 2
}

fn reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes())
}

/// How many records from the start a header (or first row) is looked for
/// in when telling the delimiter or the format.
const HEAD_RECORDS: usize = 40;

/// The cell delimiter of the file and how it writes numbers: `,` as Ofgem
/// downloads it; `;` only when a line near the start is the report's
/// header with `;` between its cells and no line is the header or a row
/// with commas (a spreadsheet re-save in a locale with decimal commas, as
/// Excel writes CSV in much of Europe).
fn delimiter(text: &str) -> (u8, Numbers) {
    let lines = LineIndex::new(text);
    let found = |delimiter: u8, row_too: bool| {
        reader(text, delimiter)
            .records()
            .take(HEAD_RECORDS)
            .map_while(Result::ok)
            .any(|r| {
                header_layout(&lines, &r).is_some() || (row_too && positional_offset(&r).is_some())
            })
    };
    if !found(b',', true) && found(b';', false) {
        (b';', Numbers::Semicolons)
    } else {
        (b',', Numbers::DecimalPoint)
    }
}

fn csv_error(lines: &LineIndex<'_>, e: csv::Error) -> ReadError {
    let at = e.position().map_or(Locator::Document, |p| {
        Locator::Line(lines.line_of_record(p.byte()))
    });
    ReadError::new(
        at,
        format!("the CSV cannot be read ({e}); check the file is the report as downloaded"),
    )
}

/// Reads an Ofgem certificates report CSV: one [`crate::RangeRecord`] per
/// REGO row, RO rows skipped. Lines before the header (or, without a
/// header, before the first row) are the download's preamble and are not
/// read. Locators are physical line numbers.
pub fn read_certificates_csv(bytes: &[u8]) -> Result<Statement, ReadError> {
    let (text, guessed) = text::decode_document(bytes)?;
    let mut out = Statement::default();
    encoding_warning(guessed, &mut out);
    let (delimiter, numbers) = delimiter(&text);
    if numbers == Numbers::Semicolons {
        out.warnings.push(Warning {
            at: Locator::Document,
            message: "the file separates its cells with `;` (a spreadsheet re-save, not the \
                      report as Ofgem downloads it): it was read so, with `,` as the decimal \
                      mark of its numbers, each exactly as written (1,0 is 1.0)"
                .to_string(),
        });
    }
    csv_rows::quotes(text.as_bytes(), delimiter, 1)?;
    let lines = LineIndex::new(&text);
    let mut layout: Option<Layout> = None;
    for record in reader(&text, delimiter).records() {
        let record = record.map_err(|e| csv_error(&lines, e))?;
        if is_blank(&record) {
            continue;
        }
        if layout.is_none() {
            let line = line_of(&lines, &record);
            if let Some(found) = header_layout(&lines, &record) {
                let unknown = unknown_columns(&record);
                if !unknown.is_empty() {
                    out.warnings.push(Warning {
                        at: Locator::Line(line),
                        message: format!(
                            "column(s) {} are not part of the Ofgem certificates report and were not read",
                            unknown.join(", ")
                        ),
                    });
                }
                layout = Some(found?);
                continue;
            }
            match positional_offset(&record) {
                // The first row of a file without a header: read it below.
                Some(offset) => layout = Some(Layout::Positional { offset }),
                None if looks_like_a_row(&record) => {
                    return Err(ReadError::new(
                        Locator::Line(line),
                        "this line has the report's columns but is not a row of it: Scheme (4th column) must be REGO or RO and Start Certificate No. (10th) must begin with the Accreditation No. (1st). Correct the row, or add the report's header line, and import the file again",
                    ));
                }
                None => continue, // preamble
            }
        }
        if let Some(current) = &layout {
            read_record(
                current,
                numbers,
                line_of(&lines, &record),
                &record,
                &mut out,
            )?;
        }
    }
    if layout.is_none() {
        // A copy whose cells are separated by `;` is read only with the
        // report's header: its rows alone do not show that `;` is meant.
        let semicolons = text
            .lines()
            .find(|l| !l.trim().is_empty())
            .is_some_and(|l| l.matches(';').count() >= COLUMNS / 2);
        return Err(ReadError::new(
            Locator::Document,
            format!(
                "this is not an Ofgem certificates report: no line has the report's header (Accreditation No., …, Start Certificate No., End Certificate No.) or a row of it (Scheme REGO or RO, certificate numbers beginning with the accreditation number). Choose the CSV downloaded from the Ofgem Renewables and CHP Register's Certificates report{}",
                if semicolons {
                    ". The file separates its cells with `;`: such a copy is read only when it keeps the report's header line, so add that line (its names separated by `;`) or save the file as CSV with commas"
                } else {
                    ""
                }
            ),
        ));
    }
    Ok(out)
}

fn read_record(
    layout: &Layout,
    numbers: Numbers,
    line: u64,
    record: &csv::StringRecord,
    out: &mut Statement,
) -> Result<(), ReadError> {
    let at = Locator::Line(line);
    let cell = |i: usize| one_kind_of_line_break(record.get(i).unwrap_or(""));
    let cells: [String; COLUMNS] = match layout {
        Layout::Header {
            line: header_line,
            columns,
            width,
            named,
        } => {
            if record.len() < *named {
                return Err(csv_rows::short_row(
                    line,
                    record.len(),
                    *named,
                    &format!("the header (line {header_line})"),
                    match numbers {
                        Numbers::DecimalPoint => b',',
                        Numbers::Semicolons => b';',
                    },
                ));
            }
            if (*width..record.len()).any(|i| !record[i].trim().is_empty()) {
                return Err(ReadError::new(
                    at,
                    format!(
                        "this row has {} cells but the header (line {header_line}) names {width} columns; a {} inside a name must be quoted. Correct the row and import the file again",
                        record.len(),
                        match numbers {
                            Numbers::DecimalPoint => "comma",
                            Numbers::Semicolons => "`;`",
                        }
                    ),
                ));
            }
            std::array::from_fn(|c| columns[c].map(cell).unwrap_or_default())
        }
        Layout::Positional { offset } => {
            let extra = (offset + COLUMNS..record.len()).any(|i| !record[i].trim().is_empty());
            if record.len() < offset + COLUMNS || extra {
                return Err(ReadError::new(
                    at,
                    format!(
                        "this row has {} cells; without a header every row must have the report's {} columns{} in order (Accreditation No. … Company Registration Number). Correct the row and import the file again",
                        record.len(),
                        COLUMNS,
                        if *offset == 1 { " after the index column" } else { "" }
                    ),
                ));
            }
            std::array::from_fn(|c| cell(offset + c))
        }
    };
    read_row(Row { at, cells, numbers }, out)
}

/// True when the bytes look like an Ofgem certificates report CSV: one of
/// the first lines is its header or one of its rows.
pub fn sniff_certificates_csv(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(16 * 1024)];
    let (text, _) = text::decode_text(head);
    if text.trim_start().starts_with('<') || text.trim_start().starts_with('{') {
        return false;
    }
    let lines = LineIndex::new(&text);
    let (delimiter, _) = delimiter(&text);
    reader(&text, delimiter)
        .records()
        .take(HEAD_RECORDS)
        .map_while(Result::ok)
        .any(|r| header_layout(&lines, &r).is_some() || positional_offset(&r).is_some())
}
