//! The claim statement as CSV: one table whose first column says what
//! each row is, so a spreadsheet or a script reads it without sections.

use std::borrow::Cow;
use std::io::{self, Write};

use eac_model::{Decimal, EnergyUnit};

use crate::{summarize, ClaimStatement};

const HEADER: [&str; 15] = [
    "kind",
    "beneficiary",
    "period",
    "cds_eac_id",
    "certificates",
    "registry",
    "technology",
    "asset_id",
    "start",
    "end",
    "quantity",
    "unit",
    "retired",
    "status",
    "note",
];

/// Text gathered before it is handed to the writer.
const FLUSH_AT: usize = 1 << 16;

/// Hands `out`'s text to `to` once it holds [`FLUSH_AT`] bytes (`force`:
/// whatever it holds).
fn flush(out: &mut String, to: &mut dyn Write, force: bool) -> io::Result<()> {
    if force || out.len() >= FLUSH_AT {
        to.write_all(out.as_bytes())?;
        out.clear();
    }
    Ok(())
}

/// Writes the statement to `to` a few records at a time (a statement of
/// a hundred thousand values is never held whole).
pub(crate) fn write(statement: &ClaimStatement, to: &mut dyn Write) -> io::Result<()> {
    let summary = summarize(statement);
    let mut out = String::with_capacity(FLUSH_AT + 4096);
    record(&mut out, HEADER.map(Cow::Borrowed));
    for g in &summary.groups {
        let period = g.period.to_string();
        for l in &g.lines {
            flush(&mut out, to, false)?;
            record(
                &mut out,
                [
                    "value".into(),
                    g.beneficiary.as_str().into(),
                    period.as_str().into(),
                    l.cds_eac_id.as_str().into(),
                    l.certificates.as_str().into(),
                    l.registry.as_str().into(),
                    l.technology.map_or("", |t| t.as_str()).into(),
                    l.asset_id.as_str().into(),
                    l.start.to_string().into(),
                    l.end.to_string().into(),
                    l.quantity.as_str().into(),
                    l.unit.as_str().into(),
                    l.retired.as_str().into(),
                    l.status.as_str().into(),
                    "".into(),
                ],
            );
        }
    }
    for g in &summary.groups {
        flush(&mut out, to, false)?;
        for (unit, total) in &g.totals {
            let period = g.period.to_string();
            total_row(&mut out, "total", &g.beneficiary, &period, *unit, total);
        }
    }
    for (unit, total) in &summary.totals {
        total_row(&mut out, "grand_total", "", "", *unit, total);
    }
    if statement.eacs.is_empty() {
        note_row(
            &mut out,
            "note",
            "No EACs were selected: the statement lists no certificates.",
        );
    }
    for problem in &statement.problems {
        flush(&mut out, to, false)?;
        note_row(&mut out, "problem", problem);
    }
    flush(&mut out, to, true)
}

fn total_row(
    out: &mut String,
    kind: &str,
    beneficiary: &str,
    period: &str,
    unit: EnergyUnit,
    total: &Decimal,
) {
    let mut cells: [Cow<str>; 15] = Default::default();
    cells[0] = kind.into();
    cells[1] = beneficiary.into();
    cells[2] = period.into();
    cells[10] = total.as_str().into();
    cells[11] = unit.as_str().into();
    record(out, cells);
}

fn note_row(out: &mut String, kind: &str, note: &str) {
    let mut cells: [Cow<str>; 15] = Default::default();
    cells[0] = kind.into();
    cells[14] = note.into();
    record(out, cells);
}

/// One record: guarded, quoted cells joined by commas, ended by CRLF.
fn record(out: &mut String, cells: [Cow<str>; 15]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&quote(&guard(cell)));
    }
    out.push_str("\r\n");
}

/// Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (and,
/// in some, a tab or a carriage return) as a formula: such a cell gets a
/// leading apostrophe, which spreadsheets hide and show as text. A cell
/// that is a plain number (`-5`, `1e3`) is left alone: numbers stay
/// numbers (see the claim statement's CSV in `docs/decisions.md`).
pub(crate) fn guard(cell: &str) -> Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && Decimal::parse(cell).is_err() {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// RFC 4180: a cell holding a comma, a double quote or a line break is
/// put in double quotes, its double quotes doubled.
pub(crate) fn quote(cell: &str) -> Cow<'_, str> {
    if cell.contains([',', '"', '\r', '\n']) {
        Cow::Owned(format!("\"{}\"", cell.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(cell)
    }
}
