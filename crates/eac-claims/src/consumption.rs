//! Consumption per beneficiary and its CSV reader.
//!
//! Header `beneficiary_type,beneficiary,start,end,value,unit` (any order,
//! extra columns ignored); `start`/`end` are RFC 3339 date-times or dates
//! (00:00 UTC), `end` exclusive; `value` an exact non-negative decimal in
//! `Wh`, `kWh` or `MWh`. All or nothing: every broken cell is reported,
//! located by file, line, column (the character column of the cell's
//! start, as every reader counts it: [`eac_model::place`]) and the rule it
//! breaks, and then nothing is read. Two rows of one beneficiary whose
//! intervals overlap are refused (the second row names the first).
//!
//! The file is UTF-8 (a byte order mark allowed): UTF-16, UTF-32 and bytes
//! that are not UTF-8 (Excel's plain "CSV" on Windows is Windows-1252) are
//! refused naming the encoding or the byte, with what to do. Its quoting
//! is checked before any row is read ([`eac_model::csv_quotes`]): a quote
//! never closed would take the rows after it into one cell.

use eac_model::check::id_with_control_character;
use eac_model::place::Place;
use eac_model::{BeneficiaryType, Date, Decimal, EnergyUnit, SpecEnum, TimeError, Timestamp};
use serde::Serialize;

use crate::model::{midnight, Interval};

/// One consumption row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumptionRow {
    pub beneficiary_type: BeneficiaryType,
    /// Empty for `general`.
    pub beneficiary: String,
    pub interval: Interval,
    pub value: Decimal,
    pub unit: EnergyUnit,
    /// The line of the file it came from (1 is the header).
    pub line: u64,
}

/// A cell or row that breaks a rule of the consumption format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsumptionError {
    pub file: String,
    pub line: u64,
    /// 1-based column in characters (where the cell at fault starts, or
    /// the quote or byte at fault), when one place is at fault.
    pub column: Option<u64>,
    /// The rule: `encoding`, `quote`, `header`, `beneficiary_type`,
    /// `beneficiary`, `start`, `end`, `interval`, `value`, `unit`,
    /// `overlap`, `row`.
    pub rule: &'static str,
    pub message: String,
}

impl std::fmt::Display for ConsumptionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: line {}", self.file, self.line)?;
        if let Some(c) = self.column {
            write!(f, ", column {c}")?;
        }
        write!(f, " [{}]: {}", self.rule, self.message)
    }
}

/// The columns the format needs, in the header's documented order.
pub const COLUMNS: [&str; 6] = [
    "beneficiary_type",
    "beneficiary",
    "start",
    "end",
    "value",
    "unit",
];

/// At most this many errors are listed (the rest are counted).
const MAX_ERRORS: usize = 200;

/// Reads a consumption CSV (`file` names it in errors): every row, or
/// every problem.
pub fn read_consumption(
    file: &str,
    bytes: &[u8],
) -> Result<Vec<ConsumptionRow>, Vec<ConsumptionError>> {
    let (rows, errors) = read_consumption_all(file, bytes);
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// Reads a consumption CSV as far as it reads: the rows that broke no rule
/// (each with its line) and every problem found (at most
/// [`MAX_ERRORS`]), so a caller can check the good rows against what is
/// stored and report every problem of the file in one run.
pub fn read_consumption_all(
    file: &str,
    bytes: &[u8],
) -> (Vec<ConsumptionRow>, Vec<ConsumptionError>) {
    let err =
        |line: u64, column: Option<u64>, rule: &'static str, message: String| ConsumptionError {
            file: file.to_owned(),
            line,
            column,
            rule,
            message,
        };
    let bytes = match utf8_text(bytes) {
        Ok(text) => text,
        Err((line, column, message)) => {
            return (
                Vec::new(),
                vec![err(line, Some(column), "encoding", message)],
            )
        }
    };
    // A quote never closed took every row after it into one cell (the
    // file imported with them gone); one closed early lost its quotes.
    if let Err(fault) = eac_model::csv_quotes::check_quotes(bytes, b',', Place::START) {
        return (
            Vec::new(),
            vec![err(
                fault.line(),
                Some(fault.column()),
                "quote",
                fault.message(b','),
            )],
        );
    }
    let expected = || {
        format!(
            "the first line must name the columns {} (in any order; other columns are ignored)",
            COLUMNS.join(",")
        )
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return (
            Vec::new(),
            vec![err(
                1,
                None,
                "header",
                format!("the file is empty; {}", expected()),
            )],
        );
    }
    let mut lines = Lines::of(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(bytes);
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return (Vec::new(), vec![err(1, None, "header", csv_message(&e))]),
    };
    let mut at = [0usize; 6];
    let mut errors = Vec::new();
    // Where each header cell starts, for a column named twice.
    let header_place = |i: usize| {
        let cells = cell_starts(bytes, 0);
        let mut place = Place::START;
        place.pass(&bytes[..cells.get(i).copied().unwrap_or(0)]);
        place
    };
    for (i, name) in COLUMNS.iter().enumerate() {
        let found: Vec<usize> = header
            .iter()
            .enumerate()
            .filter(|(_, h)| h.trim().eq_ignore_ascii_case(name))
            .map(|(p, _)| p)
            .collect();
        match found[..] {
            [p] => at[i] = p,
            [] => errors.push(err(
                1,
                None,
                "header",
                format!("the header has no `{name}` column; {}", expected()),
            )),
            // Which one holds the figures? Taking the first would import
            // the other's file in silence.
            [first, second, ..] => errors.push(err(
                header_place(second).line,
                Some(header_place(second).column()),
                "header",
                format!(
                    "the header names `{name}` twice, in columns {} and {}{}; name each column \
                     once (rename or remove the one that should not be read)",
                    first + 1,
                    second + 1,
                    match found.len() - 2 {
                        0 => String::new(),
                        n => format!(" (and {n} more)"),
                    }
                ),
            )),
        }
    }
    if !errors.is_empty() {
        return (Vec::new(), errors);
    }
    let mut rows: Vec<ConsumptionRow> = Vec::new();
    let mut any = false;
    for record in reader.records() {
        any = true;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.record_at(p.byte()).1.line);
                errors.push(err(line, None, "row", csv_message(&e)));
                if errors.len() > MAX_ERRORS {
                    break;
                }
                continue;
            }
        };
        let (record_start, record_place) =
            lines.record_at(record.position().map_or(0, |p| p.byte()));
        let line = record_place.line;
        let cell = |i: usize| record.get(at[i]).unwrap_or("").trim();
        // A cell's problem is placed where the cell starts (its line, after
        // a quoted line break before it in the row, and its character
        // column) and names its column in words, as the mapped-CSV reader
        // does. The cells' starts are found only for a row with a problem.
        let err = |i: usize, rule: &'static str, message: String| {
            let cells = cell_starts(bytes, record_start);
            let mut place = record_place;
            place.pass(&bytes[record_start..cells.get(at[i]).copied().unwrap_or(record_start)]);
            err(
                place.line,
                Some(place.column()),
                rule,
                format!(
                    "column `{}` (cell {}): {message}",
                    header.get(at[i]).unwrap_or(COLUMNS[i]).trim(),
                    at[i] + 1
                ),
            )
        };
        let before = errors.len();
        let kind = match id_with_control_character("the beneficiary type", cell(0)) {
            Some(message) => {
                errors.push(err(0, "beneficiary_type", message));
                None
            }
            None => {
                let kind = BeneficiaryType::parse(cell(0));
                if kind.is_none() {
                    errors.push(err(
                        0,
                        "beneficiary_type",
                        format!(
                            "`{}` is not a beneficiary type; write one of {}",
                            eac_model::quote(cell(0)),
                            BeneficiaryType::names().join(", ")
                        ),
                    ));
                }
                kind
            }
        };
        let beneficiary = cell(1).to_owned();
        match kind {
            Some(BeneficiaryType::General) if !beneficiary.is_empty() => errors.push(err(
                1,
                "beneficiary",
                "a `general` row names no beneficiary; leave the cell empty".to_owned(),
            )),
            Some(k) if k != BeneficiaryType::General && beneficiary.is_empty() => errors.push(err(
                1,
                "beneficiary",
                format!("the beneficiary is empty; write the {} id", k.as_str()),
            )),
            // Decision 63: no id holds a control character. Such an id
            // never matches an EAC's beneficiary, so its consumption could
            // never be claimed.
            Some(_) => {
                if let Some(message) = id_with_control_character("the beneficiary id", &beneficiary)
                {
                    errors.push(err(1, "beneficiary", message));
                }
            }
            None => {}
        }
        let mut time = |i: usize, rule: &'static str| match instant(cell(i)) {
            Ok(t) => Some(t),
            Err(e) => {
                errors.push(err(i, rule, time_message(cell(i), e)));
                None
            }
        };
        let (start, end) = (time(2, "start"), time(3, "end"));
        let interval = match (start, end) {
            (Some(s), Some(e)) => {
                let iv = Interval::new(s, e);
                if iv.is_none() {
                    errors.push(err(
                        3,
                        "interval",
                        format!(
                            "the end ({}) is not after the start ({}); `end` is exclusive",
                            cell(3),
                            cell(2)
                        ),
                    ));
                }
                iv
            }
            _ => None,
        };
        let value = match Decimal::parse_amount(cell(4)) {
            Ok(d) if d.is_negative() => {
                errors.push(err(
                    4,
                    "value",
                    format!("`{}` is negative; consumption is at least 0", cell(4)),
                ));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(err(
                    4,
                    "value",
                    format!(
                        "`{}` is not an exact decimal number: {e}",
                        eac_model::quote(cell(4))
                    ),
                ));
                None
            }
        };
        let unit = EnergyUnit::parse_lenient(cell(5));
        if unit.is_none() {
            errors.push(err(
                5,
                "unit",
                format!(
                    "`{}` is not an energy unit; write Wh, kWh or MWh",
                    eac_model::quote(cell(5))
                ),
            ));
        }
        if errors.len() == before {
            if let (Some(k), Some(interval), Some(value), Some(unit)) =
                (kind, interval, value, unit)
            {
                rows.push(ConsumptionRow {
                    beneficiary_type: k,
                    beneficiary,
                    interval,
                    value,
                    unit,
                    line,
                });
            }
        }
        if errors.len() > MAX_ERRORS {
            break;
        }
    }
    if !any && errors.is_empty() {
        errors.push(err(
            1,
            None,
            "row",
            format!(
                "no consumption rows in {file}: it has its header line and no row after it; \
                 nothing was imported"
            ),
        ));
    }
    errors.extend(overlaps(file, &rows));
    errors.truncate(MAX_ERRORS);
    (rows, errors)
}

/// The line numbers of a file's byte offsets, asked for in increasing
/// order (one pass over the file in all), counted by the one position
/// function ([`eac_model::place::Place`]): a line ends at `\r\n`, `\n` or
/// a lone `\r`, and a line break inside a quoted cell counts as the editor
/// shows it. The CSV reader's own line count places a record after a
/// `\r\n` at the `\n`, still on the line before: every row of a Windows
/// (Excel) file was one line too low.
struct Lines<'a> {
    bytes: &'a [u8],
    /// Counted up to here: `place` is the place of `bytes[at]`.
    at: usize,
    place: Place,
}

impl<'a> Lines<'a> {
    fn of(bytes: &'a [u8]) -> Lines<'a> {
        Lines {
            bytes,
            at: 0,
            place: Place::START,
        }
    }

    /// Where a record the parser says starts at byte `offset` begins: its
    /// first byte and that byte's place. A record never begins with a line
    /// break (empty lines are skipped), so breaks at `offset` are the end
    /// of the line before.
    fn record_at(&mut self, offset: u64) -> (usize, Place) {
        let bytes = self.bytes;
        let mut start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        if start < self.at {
            // Asked out of order (it never is): count from the start.
            self.at = 0;
            self.place = Place::START;
        }
        self.place.pass(&bytes[self.at..start]);
        self.at = start;
        (start, self.place)
    }
}

/// Where the cells of the record starting at byte `start` of `bytes`
/// begin, in order (its quoting checked: a `"` opening a cell is closed).
fn cell_starts(bytes: &[u8], start: usize) -> Vec<usize> {
    let mut starts = vec![start];
    let mut in_quotes = false;
    let mut cell_start = true;
    let mut i = start;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        if in_quotes {
            match (b, bytes.get(i)) {
                (b'"', Some(b'"')) => i += 1,
                (b'"', _) => in_quotes = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' if cell_start => in_quotes = true,
            b',' => {
                starts.push(i);
                cell_start = true;
                continue;
            }
            b'\r' | b'\n' => break,
            _ => {}
        }
        cell_start = false;
    }
    starts
}

/// The text of a consumption file: UTF-8 after any UTF-8 byte order mark.
/// Otherwise the line, column and message of the refusal: UTF-16 or
/// UTF-32 named (an Excel "Unicode text" file), or the first byte that is
/// not UTF-8 placed and shown (Excel's plain "CSV" on Windows writes
/// Windows-1252, so `é` is the one byte 0xE9).
fn utf8_text(bytes: &[u8]) -> Result<&[u8], (u64, u64, String)> {
    const SAVE: &str = eac_model::strict::SAVE_AS_CSV_UTF8;
    let bom = eac_model::strict::other_encoding(bytes).map_err(|encoding| {
        (
            1,
            1,
            format!(
                "the file is encoded as {encoding}, but a consumption CSV must be UTF-8: {SAVE}"
            ),
        )
    })?;
    let body = &bytes[bom..];
    match std::str::from_utf8(body) {
        Ok(_) => Ok(body),
        Err(e) => {
            let place = Place::after(&body[..e.valid_up_to()]);
            let byte = body[e.valid_up_to()];
            // Latin-1 and Windows-1252 agree from 0xA0 on.
            let as_1252 = match byte {
                0xA0..=0xFF => format!(" (`{}` in Windows-1252)", char::from(byte)),
                _ => String::new(),
            };
            Err((
                place.line,
                place.column(),
                format!(
                    "the file is not UTF-8 text: byte 0x{byte:02X}{as_1252} is not part of a \
                     UTF-8 character (the file was likely saved as Windows-1252, Excel's plain \
                     \"CSV\" on Windows); {SAVE}"
                ),
            ))
        }
    }
}

/// Rows whose interval overlaps another row of the same beneficiary, each
/// named once with the row before it in time. Overlaps with consumption
/// already stored are the store's to find (`Store::import_consumption`).
fn overlaps(file: &str, rows: &[ConsumptionRow]) -> Vec<ConsumptionError> {
    let mut sorted: Vec<&ConsumptionRow> = rows.iter().collect();
    sorted.sort_by(|a, b| {
        (a.beneficiary_type.as_str(), &a.beneficiary, a.interval).cmp(&(
            b.beneficiary_type.as_str(),
            &b.beneficiary,
            b.interval,
        ))
    });
    let mut out = Vec::new();
    // The row of the current beneficiary reaching furthest so far.
    let mut latest: Option<&ConsumptionRow> = None;
    for row in sorted {
        if let Some(prev) = latest {
            let same = prev.beneficiary_type == row.beneficiary_type
                && prev.beneficiary == row.beneficiary;
            if same && prev.interval.overlaps(&row.interval) {
                out.push(ConsumptionError {
                    file: file.to_owned(),
                    line: row.line,
                    column: None,
                    rule: "overlap",
                    message: format!(
                        "{} `{}` from {} to {} overlaps line {} ({} to {}); each hour of \
                         consumption may be given once",
                        row.beneficiary_type.as_str(),
                        row.beneficiary,
                        row.interval.start,
                        row.interval.end,
                        prev.line,
                        prev.interval.start,
                        prev.interval.end
                    ),
                });
            }
            if same && row.interval.end <= prev.interval.end {
                continue;
            }
        }
        latest = Some(row);
    }
    out
}

/// An RFC 3339 date-time, or a date read as 00:00 UTC.
fn instant(text: &str) -> Result<Timestamp, TimeError> {
    if text.len() == 10 {
        return Date::parse(text).map(|d| midnight(d.as_naive()));
    }
    Timestamp::parse(text)
}

/// Why `text` is no start or end: a day or time written as RFC 3339
/// writes one but that does not exist is said as the model says it
/// (`2023-02-29`: "February 2023 has 28 days"); anything else is named
/// with the two forms read.
fn time_message(text: &str, e: TimeError) -> String {
    match e {
        TimeError::NoSuch(..) => e.to_string(),
        _ => format!(
            "`{}` is not a date (YYYY-MM-DD, read as 00:00 UTC) or an RFC 3339 date-time with \
             an offset (2024-01-01T00:00:00Z)",
            eac_model::quote(text)
        ),
    }
}

fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("the row has {len} cells where the header has {expected_len}"),
        _ => format!("the file is not readable CSV: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "beneficiary_type,beneficiary,start,end,value,unit\n";

    #[test]
    fn dates_are_midnight_utc_and_extra_columns_are_ignored() {
        let text = "site,beneficiary_type,beneficiary,start,end,value,unit\n\
                    HQ,account,acc-1,2024-01-01,2024-02-01,12.500,MWh\n\
                    HQ,account,acc-1,2024-02-01T00:00:00+00:00,2024-03-01T00:00:00Z,7,kwh\n";
        let rows = read_consumption("c.csv", text.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].value.as_str(), "12.500");
        assert_eq!(rows[0].interval.start.to_string(), "2024-01-01T00:00:00Z");
        assert_eq!(rows[1].unit, EnergyUnit::KWh);
        assert_eq!(rows[1].line, 3);
    }

    #[test]
    fn every_broken_cell_is_located_and_nothing_is_read() {
        let text = format!(
            "{HEADER}account,acc-1,2024-01-01,2024-01-01,1,MWh\n\
             acount,acc-1,2024-13-01,2024-02-01,-1,GJ\n"
        );
        let errs = read_consumption("c.csv", text.as_bytes()).unwrap_err();
        let found: Vec<(u64, Option<u64>, &str)> =
            errs.iter().map(|e| (e.line, e.column, e.rule)).collect();
        assert_eq!(
            found,
            vec![
                (2, Some(26), "interval"),
                (3, Some(1), "beneficiary_type"),
                (3, Some(14), "start"),
                (3, Some(36), "value"),
                (3, Some(39), "unit"),
            ]
        );
        assert!(
            errs[0]
                .to_string()
                .starts_with("c.csv: line 2, column 26 [interval]: column `end` (cell 4): "),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn overlapping_rows_of_one_beneficiary_are_refused_and_others_are_not() {
        let text = format!(
            "{HEADER}account,a,2024-01-01,2024-02-01,1,MWh\n\
             account,b,2024-01-15,2024-02-01,1,MWh\n\
             account,a,2024-01-31T23:00:00Z,2024-02-02,1,MWh\n\
             account,a,2024-02-02,2024-02-03,1,MWh\n"
        );
        let errs = read_consumption("c.csv", text.as_bytes()).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!((errs[0].line, errs[0].rule), (4, "overlap"));
        assert!(errs[0].message.contains("line 2"), "{}", errs[0].message);
    }

    /// Tester's report 35, finding 5: with `\r\n` line ends (Excel on
    /// Windows) every row was placed one line too early.
    #[test]
    fn lines_are_the_files_lines_whatever_ends_them() {
        let rows = |eol: &str, bom: bool| {
            let mut text = String::from(if bom { "\u{feff}" } else { "" });
            text.push_str(&HEADER.replace('\n', eol));
            for m in 1..=3 {
                text.push_str(&format!("account,a,2024-0{m}-01,2024-0{m}-02,1,MWh{eol}"));
            }
            text.push_str(&format!("account,a,2024-07-01,2024-07-02,x,MWh{eol}"));
            read_consumption_all("c.csv", text.as_bytes())
        };
        for eol in ["\r\n", "\n", "\r"] {
            for bom in [false, true] {
                let (good, errors) = rows(eol, bom);
                let lines: Vec<u64> = good.iter().map(|r| r.line).collect();
                assert_eq!(lines, [2, 3, 4], "{eol:?} bom {bom}");
                assert_eq!(errors.len(), 1, "{errors:?}");
                assert_eq!(
                    (errors[0].line, errors[0].column, errors[0].rule),
                    (5, Some(33), "value"),
                    "{eol:?} bom {bom}"
                );
            }
        }
        // A quoted cell holding line breaks (a note; no id holds one): the
        // next row is on the line after them, as an editor numbers it; a
        // short row is placed too.
        let text = "beneficiary_type,beneficiary,start,end,value,unit,note\r\n\
                    account,a,2024-01-01,2024-01-02,1,MWh,\"a\r\nb\nc\"\r\n\
                    \r\n\
                    account,a,2024-01-01,2024-01-02,y,MWh,\r\n\
                    account,a\r\n";
        let (good, errors) = read_consumption_all("c.csv", text.as_bytes());
        assert_eq!(good.len(), 1);
        assert_eq!((good[0].line, good[0].beneficiary.as_str()), (2, "a"));
        let found: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.rule)).collect();
        assert_eq!(found, [(6, "value"), (7, "row")], "{errors:?}");
    }

    /// Tester 39, finding 1: a quote never closed took the rows after it
    /// into the beneficiary id ("Imported 1 consumption row(s)"); it is
    /// refused where it opens, and a quote closed early too. Quoted cells
    /// RFC 4180 allows read as before.
    #[test]
    fn a_quote_never_closed_is_refused_where_it_opens() {
        let text = "beneficiary_type,start,end,value,unit,beneficiary\n\
                    rateplan,2024-01-01,2024-02-01,100,MWh,\"SolarShare\n\
                    rateplan,2024-01-01,2024-02-01,200,MWh,WindShare\n";
        let (good, errs) = read_consumption_all("cons.csv", text.as_bytes());
        assert!(good.is_empty(), "{good:?}");
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(
            (errs[0].line, errs[0].column, errs[0].rule),
            (2, Some(40), "quote")
        );
        assert!(
            errs[0].message.starts_with("a quoted field is not closed"),
            "{}",
            errs[0].message
        );
        let early = format!("{HEADER}rateplan,\"Solar\" Share,2024-01-01,2024-02-01,1,MWh\n");
        let errs = read_consumption("c.csv", early.as_bytes()).unwrap_err();
        assert_eq!(
            (errs[0].line, errs[0].column, errs[0].rule),
            (2, Some(16), "quote")
        );
        let fine = format!(
            "{HEADER}rateplan,\"Solar \"\"A\"\", 2\",2024-01-01,2024-02-01,1,MWh\r\n\
             \"rateplan\",\"Wind\",\"2024-01-01\",2024-02-01,\"2\",MWh"
        );
        let rows = read_consumption("c.csv", fine.as_bytes()).unwrap();
        assert_eq!(rows[0].beneficiary, "Solar \"A\", 2");
        assert_eq!((rows[1].beneficiary.as_str(), rows[1].line), ("Wind", 3));
    }

    /// Tester 39, finding 4 (decision 63): a beneficiary id or type holding
    /// a control character was imported, and could never be claimed.
    #[test]
    fn ids_with_control_characters_are_refused_saying_which_and_where() {
        let text = format!(
            "{HEADER}rateplan,\"Solar\nShare\",2024-01-01,2024-02-01,100.5,MWh\n\
             rateplan,\"Wind\tShare\",2024-01-01,2024-02-01,100.5,MWh\n\
             \"rate\u{7}plan\",Sun,2024-01-01,2024-02-01,1,MWh\n\
             rateplan,\"Ok \u{e9}\",2024-01-01,2024-02-01,1,MWh\n"
        );
        let (good, errs) = read_consumption_all("kc.csv", text.as_bytes());
        assert_eq!(good.len(), 1, "{good:?}");
        let found: Vec<(u64, Option<u64>, &str, &str)> = errs
            .iter()
            .map(|e| (e.line, e.column, e.rule, e.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    2,
                    Some(10),
                    "beneficiary",
                    "column `beneficiary` (cell 2): the beneficiary id holds a control character, \
                     U+000A (line feed), at character 6: ids cannot hold control characters \
                     (line breaks, tabs, NUL and the like); remove it"
                ),
                (
                    4,
                    Some(10),
                    "beneficiary",
                    "column `beneficiary` (cell 2): the beneficiary id holds a control character, \
                     U+0009 (tab), at character 5: ids cannot hold control characters (line \
                     breaks, tabs, NUL and the like); remove it"
                ),
                (
                    5,
                    Some(1),
                    "beneficiary_type",
                    "column `beneficiary_type` (cell 1): the beneficiary type holds a control \
                     character, U+0007, at character 5: ids cannot hold control characters (line \
                     breaks, tabs, NUL and the like); remove it"
                ),
            ]
        );
    }

    /// Tester 39, finding 5: UTF-16 and Windows-1252 were refused as "the
    /// row is not UTF-8 text" at column 1, naming neither the encoding nor
    /// what to do.
    #[test]
    fn other_encodings_are_refused_naming_them_and_what_to_do() {
        let text = format!("{HEADER}rateplan,Caf\u{e9},2024-01-01,2024-02-01,1,MWh\n");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let errs = read_consumption("k16.csv", &utf16).unwrap_err();
        assert_eq!((errs.len(), errs[0].line, errs[0].column), (1, 1, Some(1)));
        assert!(
            errs[0].message.starts_with(
                "the file is encoded as UTF-16 (little-endian, with a byte order mark), but a \
                 consumption CSV must be UTF-8: save it as CSV UTF-8"
            ),
            "{}",
            errs[0].message
        );
        // `é` as the one byte Windows-1252 writes.
        let cp1252: Vec<u8> = text
            .replace('\u{e9}', "\u{1}")
            .bytes()
            .map(|b| if b == 1 { 0xE9 } else { b })
            .collect();
        let errs = read_consumption("k1252.csv", &cp1252).unwrap_err();
        assert_eq!(
            (errs.len(), errs[0].line, errs[0].column, errs[0].rule),
            (1, 2, Some(13), "encoding")
        );
        assert!(
            errs[0].message.starts_with(
                "the file is not UTF-8 text: byte 0xE9 (`\u{e9}` in Windows-1252) is not part \
                 of a UTF-8 character"
            ) && errs[0].message.contains("save it as CSV UTF-8"),
            "{}",
            errs[0].message
        );
    }

    /// Tester 39, finding 6: the column was the cell's number (`k1.csv:2:5`
    /// put an editor inside `rateplan`); it is the character column where
    /// the cell starts, on the line it starts on, and the message names
    /// the column.
    #[test]
    fn a_cell_is_placed_at_its_character_column_and_named() {
        let text = "note,Beneficiary_Type,beneficiary,start,end,Value,unit\n\
                    ,rateplan,Solar\u{e9}Share,2024-01-01,2024-02-01,2OO,kWh\n\
                    \"two\r\nlines\",rateplan,S,2024-01-01,2024-02-01,x,kWh\n";
        let errs = read_consumption("k1.csv", text.as_bytes()).unwrap_err();
        let found: Vec<(u64, Option<u64>, &str)> =
            errs.iter().map(|e| (e.line, e.column, e.rule)).collect();
        assert_eq!(found, [(2, Some(45), "value"), (4, Some(41), "value")]);
        assert!(
            errs[0]
                .message
                .starts_with("column `Value` (cell 6): `2OO` is not an exact decimal number"),
            "{}",
            errs[0].message
        );
    }

    /// A start or end written as RFC 3339 writes one but naming no day or
    /// time says why, as the model says it (tester 39, finding 5), not that
    /// it is not a date; other texts keep the two forms read.
    #[test]
    fn a_start_or_end_that_does_not_exist_says_why() {
        let text = format!(
            "{HEADER}general,,2023-02-29,2023-03-01,1,MWh\n\
             general,,2024-04-01T00:00:00Z,2024-04-31T00:00:00Z,1,MWh\n\
             general,,2024-01-01,2024-1-02,1,MWh\n"
        );
        let errs = read_consumption("c.csv", text.as_bytes()).unwrap_err();
        let found: Vec<(u64, &str, &str)> = errs
            .iter()
            .map(|e| (e.line, e.rule, e.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    2,
                    "start",
                    "column `start` (cell 3): `2023-02-29` is written as an RFC 3339 full-date \
                     but does not exist: February 2023 has 28 days"
                ),
                (
                    3,
                    "end",
                    "column `end` (cell 4): `2024-04-31T00:00:00Z` is written as an RFC 3339 \
                     date-time but does not exist: April 2024 has 30 days"
                ),
                (
                    4,
                    "end",
                    "column `end` (cell 4): `2024-1-02` is not a date (YYYY-MM-DD, read as 00:00 \
                     UTC) or an RFC 3339 date-time with an offset (2024-01-01T00:00:00Z)"
                ),
            ]
        );
    }

    /// Finding 8: `value` twice was read from the first column in silence.
    #[test]
    fn a_column_named_twice_is_refused_naming_both_places() {
        let errs = read_consumption(
            "c.csv",
            b"beneficiary_type,beneficiary,start,end,value,unit,Value \n\
              account,a,2024-01-01,2024-01-02,1,MWh,1000\n",
        )
        .unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(
            (errs[0].line, errs[0].column, errs[0].rule),
            (1, Some(51), "header")
        );
        assert!(
            errs[0]
                .message
                .starts_with("the header names `value` twice, in columns 5 and 7"),
            "{}",
            errs[0].message
        );
        // Columns it ignores may repeat.
        assert!(read_consumption(
            "c.csv",
            b"site,beneficiary_type,beneficiary,start,end,value,unit,site\n\
              HQ,account,a,2024-01-01,2024-01-02,1,MWh,HQ\n",
        )
        .is_ok());
    }

    /// Finding 9: a header without rows was "imported" as 0 rows.
    #[test]
    fn a_file_without_rows_is_refused_saying_so() {
        let errs = read_consumption("c16.csv", HEADER.as_bytes()).unwrap_err();
        assert_eq!((errs.len(), errs[0].line, errs[0].rule), (1, 1, "row"));
        assert!(
            errs[0]
                .message
                .starts_with("no consumption rows in c16.csv"),
            "{}",
            errs[0].message
        );
        let errs = read_consumption("e.csv", b"\xEF\xBB\xBF\r\n").unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].message.starts_with("the file is empty"), "{errs:?}");
    }

    #[test]
    fn a_missing_column_is_named() {
        let errs = read_consumption("c.csv", b"beneficiary_type,beneficiary,start,end,value\n")
            .unwrap_err();
        assert_eq!(errs[0].rule, "header");
        assert!(errs[0].message.contains("`unit`"));
    }
}
