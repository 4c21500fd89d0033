//! Consumption per beneficiary and its CSV reader.
//!
//! Header `beneficiary_type,beneficiary,start,end,value,unit` (any order,
//! extra columns ignored); `start`/`end` are RFC 3339 date-times or dates
//! (00:00 UTC), `end` exclusive; `value` an exact non-negative decimal in
//! `Wh`, `kWh` or `MWh`. All or nothing: every broken cell is reported,
//! located by file, line, column and the rule it breaks, and then nothing
//! is read. Two rows of one beneficiary whose intervals overlap are
//! refused (the second row names the first).

use eac_model::place::Place;
use eac_model::{BeneficiaryType, Date, Decimal, EnergyUnit, SpecEnum, Timestamp};
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
    /// 1-based column, when one cell is at fault.
    pub column: Option<u64>,
    /// The rule: `header`, `beneficiary_type`, `beneficiary`, `start`,
    /// `end`, `interval`, `value`, `unit`, `overlap`, `row`.
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
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
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
                1,
                Some(second as u64 + 1),
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
                let line = e.position().map_or(0, |p| lines.line_of(p.byte()));
                errors.push(err(line, None, "row", csv_message(&e)));
                if errors.len() > MAX_ERRORS {
                    break;
                }
                continue;
            }
        };
        let line = record.position().map_or(0, |p| lines.line_of(p.byte()));
        let cell = |i: usize| record.get(at[i]).unwrap_or("").trim();
        let col = |i: usize| Some(at[i] as u64 + 1);
        let before = errors.len();
        let kind = BeneficiaryType::parse(cell(0));
        if kind.is_none() {
            errors.push(err(
                line,
                col(0),
                "beneficiary_type",
                format!(
                    "`{}` is not a beneficiary type; write one of {}",
                    eac_model::quote(cell(0)),
                    BeneficiaryType::names().join(", ")
                ),
            ));
        }
        let beneficiary = cell(1).to_owned();
        match kind {
            Some(BeneficiaryType::General) if !beneficiary.is_empty() => errors.push(err(
                line,
                col(1),
                "beneficiary",
                "a `general` row names no beneficiary; leave the cell empty".to_owned(),
            )),
            Some(k) if k != BeneficiaryType::General && beneficiary.is_empty() => errors.push(err(
                line,
                col(1),
                "beneficiary",
                format!("the beneficiary is empty; write the {} id", k.as_str()),
            )),
            _ => {}
        }
        let start = instant(cell(2));
        if start.is_none() {
            errors.push(err(line, col(2), "start", time_message(cell(2))));
        }
        let end = instant(cell(3));
        if end.is_none() {
            errors.push(err(line, col(3), "end", time_message(cell(3))));
        }
        let interval = match (start, end) {
            (Some(s), Some(e)) => {
                let iv = Interval::new(s, e);
                if iv.is_none() {
                    errors.push(err(
                        line,
                        col(3),
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
                    line,
                    col(4),
                    "value",
                    format!("`{}` is negative; consumption is at least 0", cell(4)),
                ));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(err(
                    line,
                    col(4),
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
                line,
                col(5),
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

    /// The line a record starting at byte `offset` begins on. A record
    /// never begins with a line break (empty lines are skipped), so breaks
    /// at `offset` are the end of the line before.
    fn line_of(&mut self, offset: u64) -> u64 {
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
        self.place.line
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
fn instant(text: &str) -> Option<Timestamp> {
    if text.len() == 10 {
        return Date::parse(text).ok().map(|d| midnight(d.as_naive()));
    }
    Timestamp::parse(text).ok()
}

fn time_message(text: &str) -> String {
    format!(
        "`{}` is not a date (YYYY-MM-DD, read as 00:00 UTC) or an RFC 3339 date-time with \
         an offset (2024-01-01T00:00:00Z)",
        eac_model::quote(text)
    )
}

fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("the row has {len} cells where the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "the row is not UTF-8 text".to_owned(),
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
                (2, Some(4), "interval"),
                (3, Some(1), "beneficiary_type"),
                (3, Some(3), "start"),
                (3, Some(5), "value"),
                (3, Some(6), "unit"),
            ]
        );
        assert!(errs[0]
            .to_string()
            .starts_with("c.csv: line 2, column 4 [interval]"));
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
                    (5, Some(5), "value"),
                    "{eol:?} bom {bom}"
                );
            }
        }
        // A quoted cell holding line breaks: the next row is on the line
        // after them, as an editor numbers it; a short row is placed too.
        let text = "beneficiary_type,beneficiary,start,end,value,unit\r\n\
                    account,\"a\r\nb\nc\",2024-01-01,2024-01-02,1,MWh\r\n\
                    \r\n\
                    account,a,2024-01-01,2024-01-02,y,MWh\r\n\
                    account,a\r\n";
        let (good, errors) = read_consumption_all("c.csv", text.as_bytes());
        assert_eq!(good.len(), 1);
        assert_eq!(
            (good[0].line, good[0].beneficiary.as_str()),
            (2, "a\r\nb\nc")
        );
        let found: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.rule)).collect();
        assert_eq!(found, [(6, "value"), (7, "row")], "{errors:?}");
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
            (1, Some(7), "header")
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
