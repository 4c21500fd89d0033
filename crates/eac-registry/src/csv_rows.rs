//! Splitting a CSV document into located rows of trimmed text, the same
//! way for every CSV reader: RFC 4180 quoting (through the `csv` crate),
//! a UTF-8 byte-order mark dropped, UTF-16 with its byte-order mark read, preamble lines skipped, and each row
//! tagged with the 1-based line it starts on in the file (a line ends at
//! `\r\n`, `\n` or a lone `\r`, as the `csv` crate splits records).

use crate::record::{Locator, ReadError};
use crate::text;

/// One CSV record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    /// 1-based line of the file the record starts on (preamble counted).
    pub line: u64,
    /// Fields with surrounding white space (also U+00A0) trimmed.
    pub fields: Vec<String>,
}

impl Row {
    pub fn is_blank(&self) -> bool {
        self.fields.iter().all(String::is_empty)
    }

    pub fn get(&self, index: usize) -> &str {
        self.fields.get(index).map_or("", String::as_str)
    }
}

/// The rows of `bytes` after `skip_lines` preamble lines, fields split at
/// `delimiter`. Blank lines are kept out; rows may have any number of
/// fields (the caller says which it needs).
pub(crate) fn rows(bytes: &[u8], delimiter: u8, skip_lines: u64) -> Result<Vec<Row>, ReadError> {
    // A byte order mark states the encoding: UTF-8, or UTF-16 (a
    // spreadsheet's "Unicode text"), text as surely as UTF-8 is (decision
    // 77), read as its UTF-8; bytes it does not allow are refused at their
    // line. Without a mark the bytes must be UTF-8 (checked per field).
    let decoded = text::decode_bom(bytes).transpose()?;
    if decoded.is_none() {
        text::refuse_utf16_without_bom(bytes)?;
    }
    let bytes = decoded.as_deref().map_or(bytes, str::as_bytes);
    // Lines end at `\r\n`, `\n` or a lone `\r` (text::ends_line), as the
    // csv crate splits records, so a CR-only file skips and counts the same.
    let mut start = 0;
    for _ in 0..skip_lines {
        match (start..bytes.len()).find(|&i| text::ends_line(bytes, i)) {
            Some(i) => start = i + 1,
            None => {
                start = bytes.len();
                break;
            }
        }
    }
    let data = &bytes[start..];
    // A quoted cell never closed would take every later row into itself,
    // and one whose quoted part ends early would lose its quotes: refused
    // at the quote, by the one check every CSV reader runs.
    quotes(data, delimiter, skip_lines + 1)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(data);
    let mut out = Vec::new();
    let mut record = csv::ByteRecord::new();
    // The csv crate's positions point at the previous record's line end,
    // so lines are counted here: newlines before the record's first byte.
    let mut counted = (0usize, skip_lines + 1);
    let mut line_at = |offset: usize| {
        let mut begin = offset.min(data.len());
        while matches!(data.get(begin), Some(b'\r' | b'\n')) {
            begin += 1;
        }
        let (from, line) = counted;
        let from = from.min(begin);
        let newlines = text::line_ends(data, from..begin) as u64;
        counted = (begin, line + newlines);
        line + newlines
    };
    loop {
        let offset = reader.position().byte() as usize;
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let offset = e.position().map_or(offset, |p| p.byte() as usize);
                return Err(ReadError::new(
                    Locator::Line(line_at(offset)),
                    format!("this is not readable CSV ({e}); save the file again as CSV and retry"),
                ));
            }
        }
        let line = line_at(record.position().map_or(offset, |p| p.byte() as usize));
        let mut fields = Vec::with_capacity(record.len());
        for (i, field) in record.iter().enumerate() {
            let text = std::str::from_utf8(field).map_err(|_| {
                ReadError::new(
                    Locator::Line(line),
                    format!(
                        "field {} is not UTF-8 text; save the file as CSV UTF-8 and retry",
                        i + 1
                    ),
                )
            })?;
            fields.push(text.trim().to_owned());
        }
        let row = Row { line, fields };
        if !row.is_blank() {
            out.push(row);
        }
    }
    Ok(out)
}

/// [`eac_model::csv_quotes::check_quotes`] of `bytes`, the text of a CSV
/// from line `first_line` on, as a located refusal: the line of the quote
/// to correct, its column at the start of the message.
pub(crate) fn quotes(bytes: &[u8], delimiter: u8, first_line: u64) -> Result<(), ReadError> {
    let start = eac_model::place::Place::line_start(first_line);
    eac_model::csv_quotes::check_quotes(bytes, delimiter, start).map_err(|fault| {
        ReadError::new(
            Locator::Line(fault.line()),
            format!("column {}: {}", fault.column(), fault.message(delimiter)),
        )
    })
}

/// The number of cells a row must have to hold every column its header
/// names: up to the last header cell that is not blank (a blank header
/// cell after them names nothing a missing cell could lose).
pub(crate) fn named_width<'a>(header: impl IntoIterator<Item = &'a str>) -> usize {
    header
        .into_iter()
        .enumerate()
        .filter(|(_, cell)| !cell.trim().is_empty())
        .last()
        .map_or(0, |(i, _)| i + 1)
}

/// The refusal of a row with fewer cells than the header has: the `csv`
/// crate reads the missing cells as nothing, and a file cut short in its
/// last row would otherwise import the half of a name and leave the cells
/// after it empty without a word. A trailing empty cell that is there
/// (`…,,`) is a cell; only missing ones are refused.
pub(crate) fn short_row(
    line: u64,
    found: usize,
    width: usize,
    of: &str,
    delimiter: u8,
) -> ReadError {
    ends_early(
        line,
        format!("this row has {found} cells but {of} has {width}"),
        delimiter,
    )
}

/// The same refusal for a file without a header: a row shorter than the
/// highest column number its mapping reads.
pub(crate) fn short_of_column(
    line: u64,
    found: usize,
    column: usize,
    of: &str,
    delimiter: u8,
) -> ReadError {
    ends_early(
        line,
        format!("this row has {found} cells but {of} reads column {column}"),
        delimiter,
    )
}

/// `delimiter`: the file's, so empty cells are shown as it writes them
/// (`;;` in a `;` file).
fn ends_early(line: u64, what: String, delimiter: u8) -> ReadError {
    let d = char::from(delimiter);
    ReadError::new(
        Locator::Line(line),
        format!(
            "{what}: every row must have a cell for each column (empty cells too, written as \
             `{d}{d}`). The row ends early: the file may be cut short or the row damaged. \
             Download or export the file again and import it again"
        ),
    )
}

/// The index of the header cell named `name` (trimmed, case-insensitive).
pub(crate) fn column(header: &Row, name: &str) -> Option<usize> {
    let name = name.trim();
    header.fields.iter().position(|h| h == name).or_else(|| {
        header
            .fields
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_know_their_lines_past_preamble_and_quoted_line_breaks() {
        let text = "Report\r\nRun 2024\r\nA,B\r\n\"x\ny\", 2 \r\n\r\n,\r\n3,\"4,5\"\r\n";
        let rows = rows(text.as_bytes(), b',', 2).unwrap();
        let lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [3, 4, 8]);
        assert_eq!(rows[1].fields, ["x\ny", "2"]);
        assert_eq!(rows[2].fields, ["3", "4,5"]);
    }

    #[test]
    fn a_lone_cr_ends_a_line_like_lf_and_crlf() {
        let text = "Report\rRun 2024\r\nA,B\r\"x\ry\", 2 \n\r,\r3,\"4,5\"\r";
        let read = rows(text.as_bytes(), b',', 2).unwrap();
        let lines: Vec<u64> = read.iter().map(|r| r.line).collect();
        assert_eq!(lines, [3, 4, 8]);
        assert_eq!(read[0].fields, ["A", "B"]);
        assert_eq!(read[1].fields, ["x\ry", "2"]);
        let err = rows(b"A;B\r1;2\r1;\xff\r", b';', 0).unwrap_err();
        assert_eq!(err.at, Locator::Line(3));
    }

    #[test]
    fn utf16_with_its_bom_is_read_and_broken_utf16_refused() {
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("A;B\r\n1;é\r\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let read = rows(&le, b';', 0).unwrap();
        assert_eq!(
            read[1],
            Row {
                line: 2,
                fields: vec!["1".into(), "é".into()]
            }
        );
        // A lone surrogate is no text: refused, not replaced.
        let err = rows(b"\xFF\xFEA\x00\x00\xD8;\x00", b';', 0).unwrap_err();
        assert_eq!(err.at, Locator::LineColumn(1, 2));
        assert!(
            err.message.contains("UTF-16LE") && err.message.contains("CSV UTF-8"),
            "{}",
            err.message
        );
    }

    #[test]
    fn utf16_without_its_bom_is_refused_as_such() {
        let le: Vec<u8> = "A;B\r\n1;é\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let err = rows(&le, b';', 0).unwrap_err();
        assert_eq!(err.at, Locator::Document);
        assert!(
            err.message
                .starts_with("the file is UTF-16LE text without a byte order mark"),
            "{}",
            err.message
        );
    }

    /// Tester 39, finding 1: a quote never closed took the rows after it
    /// into one cell; it is refused at its line (preamble counted) and
    /// column, in UTF-16 too.
    #[test]
    fn a_quote_never_closed_is_refused_where_it_opens() {
        let text = "Report\r\nRun\r\nA;B\r\n1;\"x\r\n2;y\r\n";
        for bytes in [
            text.as_bytes().to_vec(),
            [0xFF, 0xFE]
                .into_iter()
                .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
                .collect(),
        ] {
            let err = rows(&bytes, b';', 2).unwrap_err();
            assert_eq!(err.at, Locator::Line(4));
            assert!(
                err.message
                    .starts_with("column 3: a quoted field is not closed"),
                "{}",
                err.message
            );
        }
    }

    #[test]
    fn bad_bytes_are_located() {
        let err = rows(b"A;B\n1;\xff\n", b';', 0).unwrap_err();
        assert_eq!(err.at, Locator::Line(2));
        assert!(err.message.contains("field 2"), "{}", err.message);
    }
}
