//! Text output: the two streams every command writes through, aligned
//! tables and the small formats used in them.
//!
//! Ids, names, reasons, file names and messages quoting input come from
//! data someone else wrote, so nothing reaches the terminal raw: every line
//! of text is escaped whole ([`escape`]) and a newline inside a value
//! cannot start a second, real-looking record. Writing never panics: a
//! failed write to stdout is an [`OutputError`] for `main` to turn into an
//! exit code; a failed write to stderr is ignored (there is nowhere left
//! to say it).

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::io::{self, Write as _};

use eac_app::{QuantityTotal, UnitTotal, Violation};
use eac_model::BeneficiaryType;
use serde::Serialize;

/// Characters a terminal would act on instead of showing: C0 and C1
/// controls and DEL (newlines, escape sequences), bidi embeddings,
/// overrides and isolates (text that reads in another order than it is
/// stored), and the Unicode line and paragraph separators.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}'
        )
}

/// `text` as it is safe to show: hidden characters written visibly as
/// `\n`, `\r`, `\t` or `\u{1b}`; everything else unchanged.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_hidden(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Standard output could not be written (a closed pipe, a full disk).
#[derive(Debug)]
pub struct OutputError {
    pub source: io::Error,
    /// What the command had already done and saved when printing failed,
    /// e.g. "the import was committed (2 files)".
    pub committed: Option<String>,
}

impl OutputError {
    /// The reader went away (`eacdesk ls | head`): not worth a message.
    pub fn is_closed_pipe(&self) -> bool {
        self.source.kind() == io::ErrorKind::BrokenPipe
    }
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot write the output: {}", self.source)
    }
}

impl std::error::Error for OutputError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Standard output. `writeln!(out, …)?` writes one escaped line; tables,
/// violations and JSON have their own methods. Each write goes out at once,
/// so an error surfaces where it happens, not at exit.
pub struct Out {
    stdout: io::Stdout,
    committed: Option<String>,
}

impl Out {
    pub fn stdout() -> Self {
        Out {
            stdout: io::stdout(),
            committed: None,
        }
    }

    /// From now on a failure to print says that `what` was done anyway,
    /// so a saved change is never reported as failed.
    pub fn committed(&mut self, what: impl Into<String>) {
        self.committed = Some(what.into());
    }

    /// What `writeln!`/`write!` call: the formatted text escaped whole,
    /// except the final newline of `writeln!`.
    pub fn write_fmt(&mut self, args: fmt::Arguments<'_>) -> Result<(), OutputError> {
        let text = fmt::format(args);
        match text.strip_suffix('\n') {
            Some(line) => self.write_text(&(escape(line) + "\n")),
            None => self.write_text(&escape(&text)),
        }
    }

    /// A table whose cells were escaped as they were added.
    pub fn table(&mut self, table: &Table) -> Result<(), OutputError> {
        self.write_text(&table.render())
    }

    /// One violation per line.
    pub fn violations(&mut self, list: &[Violation]) -> Result<(), OutputError> {
        list.iter().try_for_each(|v| writeln!(self, "{v}"))
    }

    /// Tab-separated fields, each escaped (a tab inside a field shows as `\t`).
    pub fn fields(&mut self, fields: &[&str]) -> Result<(), OutputError> {
        let line: Vec<Cow<'_, str>> = fields.iter().map(|f| escape(f)).collect();
        self.write_text(&(line.join("\t") + "\n"))
    }

    /// Exact JSON: serde escapes every control character itself.
    pub fn json<T: Serialize>(&mut self, value: &T) -> anyhow::Result<()> {
        let text = serde_json::to_string_pretty(value)?;
        Ok(self.write_text(&(text + "\n"))?)
    }

    /// Bytes written as they are (CSV, whose quoting keeps line breaks in
    /// cells): the first write error is kept for [`RawOut::finish`].
    pub fn raw(&mut self) -> RawOut<'_> {
        RawOut {
            out: self,
            failed: None,
        }
    }

    fn write_text(&mut self, text: &str) -> Result<(), OutputError> {
        let mut stdout = self.stdout.lock();
        stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
            .map_err(|source| OutputError {
                source,
                committed: self.committed.clone(),
            })
    }
}

impl Out {
    /// Standard output through one buffer, for output too long to build
    /// as one string first (rows written as the database hands them out).
    /// Nothing is escaped here: callers write escaped cells or JSON.
    pub fn buffered(&mut self) -> BufOut {
        BufOut {
            out: io::BufWriter::with_capacity(64 * 1024, self.stdout.lock()),
            committed: self.committed.clone(),
        }
    }
}

/// See [`Out::buffered`]; [`BufOut::finish`] flushes what is left.
pub struct BufOut {
    out: io::BufWriter<io::StdoutLock<'static>>,
    committed: Option<String>,
}

impl BufOut {
    fn failed(&self, source: io::Error) -> OutputError {
        OutputError {
            source,
            committed: self.committed.clone(),
        }
    }

    pub fn write_str(&mut self, text: &str) -> Result<(), OutputError> {
        self.out
            .write_all(text.as_bytes())
            .map_err(|e| self.failed(e))
    }

    pub fn finish(mut self) -> Result<(), OutputError> {
        self.out.flush().map_err(|e| self.failed(e))
    }
}

/// A JSON array written one element at a time, byte for byte what
/// [`Out::json`] prints for the whole list (serde_json's pretty layout and
/// a final newline), without holding the list.
pub struct JsonArray {
    out: BufOut,
    count: usize,
}

impl JsonArray {
    pub fn new(out: &mut Out) -> Self {
        JsonArray {
            out: out.buffered(),
            count: 0,
        }
    }

    pub fn push<T: Serialize>(&mut self, value: &T) -> anyhow::Result<()> {
        self.out.write_str(&json_element(self.count, value)?)?;
        self.count += 1;
        Ok(())
    }

    /// Closes the array; how many elements it holds.
    pub fn finish(mut self) -> anyhow::Result<usize> {
        self.out.write_str(json_close(self.count))?;
        self.out.finish()?;
        Ok(self.count)
    }
}

/// The text of element `index` of a pretty JSON array, with what goes
/// before it.
fn json_element<T: Serialize>(index: usize, value: &T) -> serde_json::Result<String> {
    let text = serde_json::to_string_pretty(value)?;
    let mut piece = String::from(if index == 0 { "[\n  " } else { ",\n  " });
    // Newlines in pretty JSON are layout only (strings escape theirs): one
    // level deeper inside the array.
    piece.push_str(&text.replace('\n', "\n  "));
    Ok(piece)
}

/// The end of a pretty JSON array of `count` elements, and the final newline.
fn json_close(count: usize) -> &'static str {
    if count == 0 {
        "[]\n"
    } else {
        "\n]\n"
    }
}

/// Standard output unescaped, for data formats that quote their own cells.
pub struct RawOut<'a> {
    out: &'a mut Out,
    failed: Option<OutputError>,
}

impl RawOut<'_> {
    /// The first write that failed (a closed pipe, a full disk), if any.
    pub fn finish(self) -> Result<(), OutputError> {
        self.failed.map_or(Ok(()), Err)
    }
}

impl io::Write for RawOut<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf).map(|()| buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        let mut stdout = self.out.stdout.lock();
        stdout.write_all(buf).map_err(|source| {
            let kind = source.kind();
            let shown = source.to_string();
            self.failed.get_or_insert(OutputError {
                source,
                committed: self.out.committed.clone(),
            });
            io::Error::new(kind, shown)
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.stdout.lock().flush()
    }
}

/// Standard error, for errors, warnings and notes. Escaped like [`Out`];
/// a failed write is ignored rather than a panic. The lock is taken per
/// line, so a progress bar drawn from another thread never waits on it.
pub struct ErrOut {
    stderr: io::Stderr,
}

impl ErrOut {
    pub fn stderr() -> Self {
        ErrOut {
            stderr: io::stderr(),
        }
    }

    pub fn write_fmt(&mut self, args: fmt::Arguments<'_>) {
        let text = fmt::format(args);
        let text = match text.strip_suffix('\n') {
            Some(line) => escape(line) + "\n",
            None => escape(&text),
        };
        let _ = self.stderr.lock().write_all(text.as_bytes());
    }

    pub fn violations(&mut self, list: &[Violation]) {
        for v in list {
            writeln!(self, "{v}");
        }
    }
}

/// Columns separated by two spaces, padded to the widest cell.
pub struct Table {
    headers: Vec<String>,
    right: Vec<bool>,
    rows: Vec<Vec<String>>,
    /// Lines under a row (the row's index): not measured, not cut.
    under: Vec<(usize, String)>,
}

impl Table {
    pub fn new(headers: &[&'static str]) -> Self {
        Table::with_headers(headers.iter().map(|h| h.to_string()).collect())
    }

    /// Headers read from a file (a CSV's header row): escaped like cells.
    pub fn with_headers(headers: Vec<String>) -> Self {
        Table {
            right: vec![false; headers.len()],
            headers: headers.iter().map(|h| escape(h).into_owned()).collect(),
            rows: Vec::new(),
            under: Vec::new(),
        }
    }

    /// Numbers line up on the right.
    pub fn right_align(mut self, column: usize) -> Self {
        self.right[column] = true;
        self
    }

    /// Cells are escaped here, so widths count what is shown.
    pub fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.headers.len());
        self.rows.push(escaped(cells));
    }

    /// A line of its own under the last row, starting below the second
    /// column (escaped; the columns are not widened for it): what a row
    /// has that fits no column, such as a value's extension members.
    pub fn under(&mut self, text: &str) {
        debug_assert!(!self.rows.is_empty());
        let row = self.rows.len().saturating_sub(1);
        self.under.push((row, escape(text).into_owned()));
    }

    pub fn render(&self) -> String {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| width(h)).collect();
        for row in &self.rows {
            measure(&mut widths, row);
        }
        let indent = " ".repeat(widths.first().map_or(0, |w| w + 2));
        let mut out = line(&self.headers, &widths, &self.right);
        for (i, row) in self.rows.iter().enumerate() {
            out.push_str(&line(row, &widths, &self.right));
            for (_, text) in self.under.iter().filter(|(at, _)| *at == i) {
                out.push_str(&indent);
                out.push_str(text);
                out.push('\n');
            }
        }
        out
    }
}

/// How many terminal columns a cell takes: a CJK character or an emoji
/// two, a combining accent (`e` + U+0301, as macOS saves `é`) none, so
/// the columns after `風力発電 ⚡` or an NFD name stay in line. Cells are
/// escaped first: no control character is left to measure.
fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// Widens `widths` to hold `row`'s (escaped) cells.
fn measure(widths: &mut [usize], row: &[String]) {
    for (w, cell) in widths.iter_mut().zip(row) {
        *w = (*w).max(width(cell));
    }
}

/// One row of a table, padded to `widths`, trailing spaces trimmed.
fn line(row: &[String], widths: &[usize], right: &[bool]) -> String {
    let mut line = String::new();
    for (i, cell) in row.iter().enumerate() {
        if i > 0 {
            line.push_str("  ");
        }
        let pad = " ".repeat(widths[i] - width(cell));
        if right[i] {
            line.push_str(&pad);
            line.push_str(cell);
        } else {
            line.push_str(cell);
            line.push_str(&pad);
        }
    }
    let mut line = line.trim_end().to_owned();
    line.push('\n');
    line
}

/// Escapes every cell, so widths count what is shown.
fn escaped(cells: Vec<String>) -> Vec<String> {
    cells
        .into_iter()
        .map(|c| match escape(&c) {
            Cow::Borrowed(_) => c,
            Cow::Owned(escaped) => escaped,
        })
        .collect()
}

/// A [`Table`] whose rows are never held, for lists as long as the
/// database: a first pass over the rows measures the columns
/// ([`StreamTable::measure`]), a second writes each row as it comes
/// ([`StreamTable::write_row`]), byte for byte what [`Table::render`]
/// prints for the same rows.
pub struct StreamTable {
    headers: Vec<String>,
    right: Vec<bool>,
    widths: Vec<usize>,
    out: Option<BufOut>,
}

impl StreamTable {
    pub fn new(headers: &[&'static str]) -> Self {
        let headers: Vec<String> = headers.iter().map(|h| escape(h).into_owned()).collect();
        StreamTable {
            right: vec![false; headers.len()],
            widths: headers.iter().map(|h| width(h)).collect(),
            headers,
            out: None,
        }
    }

    /// Numbers line up on the right.
    pub fn right_align(mut self, column: usize) -> Self {
        self.right[column] = true;
        self
    }

    /// First pass: a row's cells widen their columns.
    pub fn measure(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.headers.len());
        measure(&mut self.widths, &escaped(cells));
    }

    /// Second pass: the header line before the first row, then the row.
    pub fn write_row(&mut self, out: &mut Out, cells: Vec<String>) -> Result<(), OutputError> {
        debug_assert_eq!(cells.len(), self.headers.len());
        if self.out.is_none() {
            let mut buffered = out.buffered();
            buffered.write_str(&self.header_line())?;
            self.out = Some(buffered);
        }
        let row = self.row_line(cells);
        self.out.as_mut().expect("opened above").write_str(&row)
    }

    /// Flushes the rows written (the header alone when none was).
    pub fn finish(mut self, out: &mut Out) -> Result<(), OutputError> {
        match self.out.take() {
            Some(buffered) => buffered.finish(),
            None => out.write_text(&self.header_line()),
        }
    }

    fn header_line(&self) -> String {
        line(&self.headers, &self.widths, &self.right)
    }

    fn row_line(&self, cells: Vec<String>) -> String {
        line(&escaped(cells), &self.widths, &self.right)
    }
}

/// `30 MWh + 1000.0 kWh`; exact text as the store summed it.
pub fn quantities(totals: &[QuantityTotal]) -> String {
    if totals.is_empty() {
        return "–".to_owned();
    }
    totals
        .iter()
        .map(|q| format!("{} {}", q.total, q.unit))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// One total in the display unit, exact (`279.111 MWh`), followed by the
/// per-unit sums it came from when they are in other or several units
/// (`1.000 MWh (1000.0 kWh)`).
pub fn unit_total(total: &UnitTotal, breakdown: &[QuantityTotal]) -> String {
    let one = format!("{} {}", total.total, total.unit);
    match breakdown {
        [] => one,
        [only] if only.unit == total.unit => one,
        _ => format!("{one} ({})", quantities(breakdown)),
    }
}

/// A timestamp, shortened to its date when it is midnight UTC.
pub fn time(text: &str) -> String {
    text.strip_suffix("T00:00:00Z").unwrap_or(text).to_owned()
}

/// A timestamp without fractional seconds, for tables.
pub fn whole_seconds(text: &str) -> String {
    match (text.find('.'), text.ends_with('Z')) {
        (Some(dot), true) => format!("{}Z", &text[..dot]),
        _ => text.to_owned(),
    }
}

/// An EAC's period as a person reads it, by the rule of the claims'
/// sentences (`eac_model::period_words`): whole UTC days by their first and
/// last day, both included (`2024-01-01 – 2024-01-31`, one day alone
/// `2024-01-01`); any other span by its instants in UTC, the end said to be
/// excluded (`2024-06-30 23:45 until 2024-07-01 00:00 UTC (end
/// excluded)`). An exclusive end at midnight written as a bare date read as
/// a day included. Text that is no instant is shown as it is.
pub fn period(start: &str, end: &str) -> String {
    match (
        eac_model::Timestamp::parse(start),
        eac_model::Timestamp::parse(end),
    ) {
        (Ok(s), Ok(e)) if s < e => eac_model::period_words(s, e),
        _ => format!("{} → {}", time(start), time(end)),
    }
}

pub fn or_dash(text: Option<&str>) -> String {
    text.unwrap_or("–").to_owned()
}

/// `account: ACC-1, ACC-2`; `general`. An id holding a comma or a quote,
/// or white space at an end, is written in double quotes
/// ([`eac_app::id_list`]): the one id `A, B` reads `account: "A, B"`,
/// never as two.
pub fn assignment(kind: BeneficiaryType, ids: &[String]) -> String {
    if ids.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {}", eac_app::id_list(ids, ','))
    }
}

/// Like [`assignment`] but at most two ids, for table cells.
pub fn assignment_short(kind: BeneficiaryType, ids: &[String]) -> String {
    match ids.len() {
        0..=2 => assignment(kind, ids),
        n => format!(
            "{kind}: {} +{} more",
            eac_app::id_list(&ids[..2], ','),
            n - 2
        ),
    }
}

/// `text` cut to its first `max` characters, the last of them `…`;
/// `None` when it has no more than `max`.
pub fn cut_chars(text: &str, max: usize) -> Option<String> {
    let (at, _) = text.char_indices().nth(max)?;
    let keep = text[..at]
        .char_indices()
        .nth(max.saturating_sub(1))
        .map_or(at, |(i, _)| i);
    Some(format!("{}…", &text[..keep]))
}

/// `1 EAC`, `3 EACs`.
pub fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// `text` as one word of a command a user pastes into their shell:
/// unchanged when it needs no quoting, else quoted for a POSIX shell
/// (single quotes, a `'` inside written `'\''`) or, on Windows, in double
/// quotes (a Windows path holds no `"`; a `\` ending it is doubled, so
/// that it does not escape the closing quote).
pub fn shell_word(text: &str) -> std::borrow::Cow<'_, str> {
    if cfg!(windows) {
        windows_word(text)
    } else {
        posix_word(text)
    }
}

fn posix_word(text: &str) -> std::borrow::Cow<'_, str> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+,:=@%".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.into()
    } else {
        format!("'{}'", text.replace('\'', r"'\''")).into()
    }
}

fn windows_word(text: &str) -> std::borrow::Cow<'_, str> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "\\/._-+,:=@".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.into()
    } else {
        let ending = text.len() - text.trim_end_matches('\\').len();
        format!("\"{text}{}\"", "\\".repeat(ending)).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns() {
        let mut t = Table::new(&["ID", "QTY", "NOTE"]).right_align(1);
        t.row(vec!["a".into(), "1".into(), "".into()]);
        t.row(vec!["long-id".into(), "100.5".into(), "x".into()]);
        assert_eq!(
            t.render(),
            "ID         QTY  NOTE\na            1\nlong-id  100.5  x\n"
        );
    }

    #[test]
    fn stream_table_prints_what_table_prints() {
        let rows = [["a", "1", ""], ["long-id\n", "100.5", "x"], ["b", "", "ø→"]];
        let cells = |r: &[&str; 3]| r.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let mut table = Table::new(&["ID", "QTY", "NOTE"]).right_align(1);
        let mut stream = StreamTable::new(&["ID", "QTY", "NOTE"]).right_align(1);
        for r in &rows {
            table.row(cells(r));
            stream.measure(cells(r));
        }
        let mut text = stream.header_line();
        for r in &rows {
            text.push_str(&stream.row_line(cells(r)));
        }
        assert_eq!(text, table.render());
        // No rows: the header alone, as before.
        let empty = StreamTable::new(&["ID", "QTY"]);
        assert_eq!(empty.header_line(), Table::new(&["ID", "QTY"]).render());
    }

    #[test]
    fn json_array_pieces_print_what_the_whole_list_prints() {
        let lists: [Vec<serde_json::Value>; 4] = [
            vec![],
            vec![serde_json::json!({"a": 1})],
            vec![
                serde_json::json!({"id": "x\ny", "list": [1, {"b": []}], "o": {}}),
                serde_json::json!("text"),
                serde_json::json!([]),
            ],
            vec![
                serde_json::json!(null),
                serde_json::json!({"k": [[1, 2], {"z": "  "}]}),
            ],
        ];
        for list in lists {
            let mut text = String::new();
            for (i, v) in list.iter().enumerate() {
                text.push_str(&json_element(i, v).unwrap());
            }
            text.push_str(json_close(list.len()));
            assert_eq!(text, serde_json::to_string_pretty(&list).unwrap() + "\n");
        }
    }

    #[test]
    fn escape_shows_what_a_terminal_would_act_on() {
        assert!(matches!(escape("Ørsted → ACC-1 (x)"), Cow::Borrowed(_)));
        assert_eq!(escape("a\nb\r\tc"), r"a\nb\r\tc");
        assert_eq!(
            escape("\u{1b}[31mred\u{7f}\u{9b}"),
            r"\u{1b}[31mred\u{7f}\u{9b}"
        );
        assert_eq!(
            escape("abc\u{202e}fed\u{2066}\u{2028}"),
            r"abc\u{202e}fed\u{2066}\u{2028}"
        );
        assert_eq!(escape(r"C:\new"), r"C:\new");
    }

    #[test]
    fn table_cells_are_escaped_and_measured_as_shown() {
        let mut t = Table::new(&["ID", "NOTE"]);
        t.row(vec!["a\nb".into(), "x".into()]);
        t.row(vec!["long-id".into(), "y".into()]);
        assert_eq!(t.render(), "ID       NOTE\na\\nb     x\nlong-id  y\n");
    }

    #[test]
    fn small_formats() {
        let q = |unit: &str, total: &str| QuantityTotal {
            unit: eac_model::EnergyUnit::parse(unit).unwrap(),
            total: total.into(),
        };
        assert_eq!(
            quantities(&[q("kWh", "1000.0"), q("MWh", "30")]),
            "1000.0 kWh + 30 MWh"
        );
        assert_eq!(
            period("2024-01-01T00:00:00Z", "2024-01-01T01:00:00Z"),
            "2024-01-01 00:00 until 01:00 UTC (end excluded)"
        );
        let ids: Vec<String> = ["A", "B", "C", "D"].iter().map(|s| s.to_string()).collect();
        assert_eq!(
            assignment_short(BeneficiaryType::Account, &ids),
            "account: A, B +2 more"
        );
        assert_eq!(assignment(BeneficiaryType::General, &[]), "general");
        // One id holding the joiner reads as one id, not two.
        let ids: Vec<String> = ["A, B", "C", "D"].iter().map(|s| s.to_string()).collect();
        assert_eq!(
            assignment(BeneficiaryType::Account, &ids),
            "account: \"A, B\", C, D"
        );
        assert_eq!(
            assignment_short(BeneficiaryType::Account, &ids),
            "account: \"A, B\", C +1 more"
        );
        assert_eq!(count(1, "EAC"), "1 EAC");
        assert_eq!(
            whole_seconds("2026-11-28T02:14:16.752475021Z"),
            "2026-11-28T02:14:16Z"
        );
        assert_eq!(
            whole_seconds("2026-11-28T02:14:16Z"),
            "2026-11-28T02:14:16Z"
        );
    }

    #[test]
    fn a_printed_path_is_one_word_of_the_shell() {
        assert_eq!(
            posix_word("/tmp/packs/filing-2024"),
            "/tmp/packs/filing-2024"
        );
        assert_eq!(posix_word("/tmp/sp dir/my pack"), "'/tmp/sp dir/my pack'");
        assert_eq!(posix_word("it's"), r"'it'\''s'");
        assert_eq!(posix_word("~/a$b`c`"), "'~/a$b`c`'");
        assert_eq!(posix_word("été"), "'été'");
        assert_eq!(posix_word(""), "''");
        assert_eq!(
            windows_word(r"C:\packs\filing-2024"),
            r"C:\packs\filing-2024"
        );
        assert_eq!(
            windows_word(r"C:\My Packs\filing & co"),
            r#""C:\My Packs\filing & co""#
        );
        assert_eq!(windows_word("50%"), r#""50%""#);
        assert_eq!(windows_word(r"C:\My Packs\"), r#""C:\My Packs\\""#);
    }
}
