//! The one check of a CSV file's quoting (RFC 4180), run by every CSV
//! reader before it splits the file into rows: the Ofgem certificates and
//! stations reports, M-RETS, mapped CSV (and its preview), consumption and
//! the programs reference data.
//!
//! A CSV parser reads a quoted cell that is never closed on to the end of
//! the file: every row after it becomes text in that one cell, and the
//! file "imports" with those rows gone. A cell whose quoted part ends
//! before the cell does (`"Drax" Pumped Storage Limited`) is read with its
//! quotes silently dropped. Both are refused here, at the place an editor
//! shows ([`crate::place`]): the quote that opens the cell never closed,
//! or the quote after which the cell goes on.
//!
//! What RFC 4180 allows reads as before: a cell quoted whole, a `""`
//! inside it, delimiters and line breaks (`\r\n`, `\n`, a lone `\r`)
//! inside it. A `"` inside a cell that does not start with one is text
//! (`12" pipe`), as the readers have always taken it; spaces or tabs
//! between a closing quote and the delimiter are let pass (the readers
//! trim them).

use crate::place::Place;

/// What is wrong with a CSV file's quoting, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuoteFault {
    /// The quote opening a cell at `line`, `column` is not closed before
    /// the end of the file.
    NotClosed { line: u64, column: u64 },
    /// The quoted part of a cell ends at the `"` at `line`, `column`, on
    /// the line its cell starts on, and the cell goes on (`cell`: the cell
    /// as written, up to the end of its line).
    EndsEarly {
        line: u64,
        column: u64,
        cell: String,
    },
    /// The quote opening a cell at `line`, `column` takes in line breaks
    /// and is followed, after its closing quote at `close_line`,
    /// `close_column`, by `after` instead of the delimiter or a line end:
    /// most likely the quote was never closed where its cell ends, and the
    /// rows between were read into it.
    ClosedLate {
        line: u64,
        column: u64,
        close_line: u64,
        close_column: u64,
        after: String,
    },
}

impl QuoteFault {
    /// The line of the quote to correct.
    pub fn line(&self) -> u64 {
        match self {
            QuoteFault::NotClosed { line, .. }
            | QuoteFault::EndsEarly { line, .. }
            | QuoteFault::ClosedLate { line, .. } => *line,
        }
    }

    /// The 1-based column (in characters) of the quote to correct.
    pub fn column(&self) -> u64 {
        match self {
            QuoteFault::NotClosed { column, .. }
            | QuoteFault::EndsEarly { column, .. }
            | QuoteFault::ClosedLate { column, .. } => *column,
        }
    }

    /// What is wrong and what to do, for a message placed at
    /// [`QuoteFault::line`] and [`QuoteFault::column`] (which it does not
    /// repeat). `delimiter` is the file's (`,` or `;`…).
    pub fn message(&self, delimiter: u8) -> String {
        let delimiter = char::from(delimiter);
        let close = "End the cell with a `\"` where it ends (a `\"` inside a cell is written \
                     twice: `\"\"`), or remove the quote, and import the file again";
        match self {
            QuoteFault::NotClosed { .. } => format!(
                "a quoted field is not closed: the `\"` starting this cell opens a quoted cell \
                 that no `\"` closes before the end of the file, so every row after it would \
                 be read into this one cell. {close}"
            ),
            QuoteFault::ClosedLate {
                close_line,
                close_column,
                after,
                ..
            } => format!(
                "a quoted field is not closed where its cell ends: the `\"` starting this cell \
                 opens a quoted cell that takes in the line breaks after it up to line \
                 {close_line}, column {close_column}, where a `\"` is followed by `{after}` \
                 instead of `{delimiter}` or the end of the line, so the rows between would \
                 be read into this one cell. {close}"
            ),
            QuoteFault::EndsEarly { cell, .. } => {
                let fixed = match cell.chars().count() <= 60 {
                    true => format!(" (`\"{}\"`)", cell.replace('"', "\"\"")),
                    false => String::new(),
                };
                format!(
                    "the quoted part of the cell `{}` ends at this `\"` before the cell does, \
                     and a CSV reader would keep the cell without its quotes: a `\"` inside a \
                     cell must be written twice and the whole cell quoted{fixed} (RFC 4180). \
                     Correct the cell and import the file again",
                    crate::quote(cell)
                )
            }
        }
    }
}

/// Checks the quoting of CSV text `bytes` (UTF-8, or any encoding whose
/// `"`, delimiter and line breaks are single ASCII bytes), cells split at
/// `delimiter`; `start` is the place of `bytes[0]` in the file (after a
/// byte order mark or skipped preamble lines). Quotes are read as the
/// `csv` crate reads them: a cell is quoted when its first byte is `"`.
pub fn check_quotes(bytes: &[u8], delimiter: u8, start: Place) -> Result<(), QuoteFault> {
    let place_of = |offset: usize| {
        let mut place = start;
        place.pass(&bytes[..offset]);
        place
    };
    let mut i = 0;
    let mut cell_start = true;
    while i < bytes.len() {
        let b = bytes[i];
        if !cell_start || b != b'"' {
            // Not a quote opening a cell (inside an unquoted cell a `"` is
            // text): a delimiter or line end starts the next cell.
            cell_start = b == delimiter || matches!(b, b'\r' | b'\n');
            i += 1;
            continue;
        }
        // A quoted cell: its closing quote is a `"` not doubled.
        let open = i;
        let mut j = i + 1;
        let close = loop {
            match bytes.get(j) {
                None => {
                    let at = place_of(open);
                    return Err(QuoteFault::NotClosed {
                        line: at.line,
                        column: at.column(),
                    });
                }
                Some(b'"') if bytes.get(j + 1) == Some(&b'"') => j += 2,
                Some(b'"') => break j,
                Some(_) => j += 1,
            }
        };
        // After it: spaces or tabs, then the delimiter, a line end or the
        // end of the file.
        let mut k = close + 1;
        while matches!(bytes.get(k), Some(b' ' | b'\t')) && bytes[k] != delimiter {
            k += 1;
        }
        match bytes.get(k) {
            None => return Ok(()),
            Some(&b) if b == delimiter || matches!(b, b'\r' | b'\n') => {
                cell_start = true;
                i = k + 1;
            }
            Some(_) => {
                let line_end = |from: usize| {
                    (from..bytes.len())
                        .find(|&e| matches!(bytes[e], b'\r' | b'\n'))
                        .unwrap_or(bytes.len())
                };
                let spans_lines = bytes[open..close]
                    .iter()
                    .any(|b| matches!(b, b'\r' | b'\n'));
                if spans_lines {
                    let (at, closed) = (place_of(open), place_of(close));
                    let rest = &bytes[close + 1..line_end(close + 1)];
                    let after = match rest.iter().position(|&b| b == delimiter) {
                        Some(d) => &rest[..d],
                        None => rest,
                    };
                    return Err(QuoteFault::ClosedLate {
                        line: at.line,
                        column: at.column(),
                        close_line: closed.line,
                        close_column: closed.column(),
                        after: crate::quote(String::from_utf8_lossy(after).trim()),
                    });
                }
                // The cell as written: to the next delimiter outside
                // quotes on its line (a `"` after the closing one is text).
                let end = line_end(close + 1);
                let end = (close + 1..end)
                    .find(|&e| bytes[e] == delimiter)
                    .unwrap_or(end);
                let at = place_of(close);
                return Err(QuoteFault::EndsEarly {
                    line: at.line,
                    column: at.column(),
                    cell: String::from_utf8_lossy(&bytes[open..end]).trim().to_owned(),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<(), QuoteFault> {
        check_quotes(text.as_bytes(), b',', Place::START)
    }

    #[test]
    fn what_rfc_4180_allows_passes() {
        for text in [
            "a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\r\n",
            "a,\"line\nbreak\",\"bare\rcr\"\n",
            "a,\"\"\n\"\",b",
            "12\" pipe,a\"b\"c,\"q\"",
            "\"x\" ,\"y\"\t\n",
            "",
            "\"\"",
        ] {
            assert_eq!(check(text), Ok(()), "{text:?}");
        }
        // The delimiter is the file's.
        assert_eq!(check_quotes(b"\"a,b\";\"c\"\n", b';', Place::START), Ok(()));
    }

    #[test]
    fn a_quote_never_closed_is_placed_where_it_opens() {
        let err = check("a,b\nx,\u{e9}t\u{e9},\"see note\n1,2\n3,4\n").unwrap_err();
        assert_eq!(err, QuoteFault::NotClosed { line: 2, column: 7 });
        assert!(err
            .message(b',')
            .starts_with("a quoted field is not closed"));
        // Lines are counted from `start`, CRLF and lone CR as editors do.
        let err = check_quotes(b"x\r\n\ry,\"z", b',', Place::line_start(5)).unwrap_err();
        assert_eq!((err.line(), err.column()), (7, 3));
    }

    #[test]
    fn text_after_a_closing_quote_is_placed_at_that_quote() {
        let err = check("a,b\r\n1,\"Drax\" Pumped Storage Limited,2\r\n").unwrap_err();
        assert_eq!(
            err,
            QuoteFault::EndsEarly {
                line: 2,
                column: 8,
                cell: "\"Drax\" Pumped Storage Limited".into()
            }
        );
        let message = err.message(b',');
        assert!(
            message.contains("(`\"\"\"Drax\"\" Pumped Storage Limited\"`)"),
            "{message}"
        );
    }

    #[test]
    fn a_quote_closed_rows_later_names_where_it_opens_and_closes() {
        let err = check("a,b\n1,\"06657336\n2,x\n3,\"Foo\",4\n").unwrap_err();
        assert_eq!(
            err,
            QuoteFault::ClosedLate {
                line: 2,
                column: 3,
                close_line: 4,
                close_column: 3,
                after: "Foo\"".into()
            }
        );
        let message = err.message(b';');
        assert!(
            message.contains(
                "up to line 4, column 3, where a `\"` is followed by `Foo\"` instead of `;`"
            ),
            "{message}"
        );
    }
}
