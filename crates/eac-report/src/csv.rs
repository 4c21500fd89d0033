//! The claim statement as CSV: one table whose first column says what
//! each row is, so a spreadsheet or a script reads it without sections.

use std::borrow::Cow;
use std::io::{self, Write};

use eac_model::{Decimal, EnergyUnit};

use crate::{by_group, CarriedClaim, GroupKey, Groups, Line, LineSource, StatementFacts, Summary};

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

/// Writes the statement to `out` record by record, its lines read from
/// `lines` twice (the values, then each group's totals): a statement of
/// any size is never held whole; a file writer buffers.
pub(crate) fn write(
    facts: &StatementFacts,
    summary: &Summary,
    lines: &mut dyn LineSource,
    out: &mut dyn Write,
) -> io::Result<()> {
    record(out, HEADER.map(Cow::Borrowed))?;
    by_group(
        lines,
        summary,
        &mut Values {
            out: &mut *out,
            beneficiary: String::new(),
            period: String::new(),
        },
    )?;
    // Each group's totals, summed as its lines come again.
    by_group(lines, summary, &mut Totals { out: &mut *out })?;
    for (unit, total) in &summary.totals {
        total_row(out, "grand_total", "", "", *unit, total)?;
    }
    if summary.eacs == 0 {
        note_row(
            out,
            "note",
            "No EACs were selected: the statement lists no certificates.",
        )?;
    }
    for problem in &facts.problems {
        note_row(out, "problem", problem)?;
    }
    for claim in &facts.claims {
        claim_row(out, claim)?;
    }
    Ok(())
}

/// A `claim` row: a recorded claim the pack carries, its beneficiary and
/// days, its matched quantity and unit, and in `note` its name, headline
/// figures and the files holding its report.
fn claim_row(out: &mut dyn Write, claim: &CarriedClaim) -> io::Result<()> {
    let mut cells: [Cow<str>; 15] = Default::default();
    cells[0] = "claim".into();
    cells[1] = claim.beneficiary.as_str().into();
    cells[2] = claim.period.as_str().into();
    cells[10] = claim.matched.as_str().into();
    cells[11] = claim.unit.as_str().into();
    cells[14] = format!(
        "{} ({}): {}; {}",
        claim.label(),
        claim.granularity,
        claim.figures(),
        claim.files_words()
    )
    .into();
    record(out, cells)
}

/// The `value` rows, each with its group's beneficiary and period.
struct Values<'o> {
    out: &'o mut dyn Write,
    beneficiary: String,
    period: String,
}

impl Groups for Values<'_> {
    fn start(&mut self, key: &GroupKey) -> io::Result<()> {
        self.beneficiary = key.beneficiary();
        self.period = key.period().to_string();
        Ok(())
    }

    fn line(&mut self, l: &Line) -> io::Result<()> {
        record(
            self.out,
            [
                "value".into(),
                self.beneficiary.as_str().into(),
                self.period.as_str().into(),
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
        )
    }
}

/// The `total` rows of each group.
struct Totals<'o> {
    out: &'o mut dyn Write,
}

impl Groups for Totals<'_> {
    fn end(&mut self, key: &GroupKey, totals: Vec<(EnergyUnit, Decimal)>) -> io::Result<()> {
        let (beneficiary, period) = (key.beneficiary(), key.period().to_string());
        for (unit, total) in totals {
            total_row(self.out, "total", &beneficiary, &period, unit, &total)?;
        }
        Ok(())
    }
}

fn total_row(
    out: &mut dyn Write,
    kind: &str,
    beneficiary: &str,
    period: &str,
    unit: EnergyUnit,
    total: &Decimal,
) -> io::Result<()> {
    let mut cells: [Cow<str>; 15] = Default::default();
    cells[0] = kind.into();
    cells[1] = beneficiary.into();
    cells[2] = period.into();
    cells[10] = total.as_str().into();
    cells[11] = unit.as_str().into();
    record(out, cells)
}

fn note_row(out: &mut dyn Write, kind: &str, note: &str) -> io::Result<()> {
    let mut cells: [Cow<str>; 15] = Default::default();
    cells[0] = kind.into();
    cells[14] = note.into();
    record(out, cells)
}

/// One record: guarded, quoted cells joined by commas, ended by CRLF.
fn record(out: &mut dyn Write, cells: [Cow<str>; 15]) -> io::Result<()> {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(quote(&guard(cell)).as_bytes())?;
    }
    out.write_all(b"\r\n")
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
