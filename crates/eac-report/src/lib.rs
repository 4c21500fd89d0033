//! The claim statement of an evidence pack: per beneficiary and per period,
//! the certificates behind a claim (numbers or ranges, technology, asset,
//! period, quantity, retirement date, registry), totals per unit, the
//! problems the double-counting check reports, and a chart of quantity by
//! month and technology — as CSV (for spreadsheets and scripts) and as a
//! PDF that reads well printed on A4 and Letter. Pure: EACs in, bytes out.
//!
//! This crate never does IO, never reads a clock (the statement carries its
//! creation time) and never prints a quantity it did not compute exactly:
//! sums go through [`bigdecimal`]; the PDF chart converts exact totals to
//! page geometry with integer arithmetic only.

mod csv;
mod embedded;
mod helvetica;
mod pdf;

use std::collections::BTreeMap;

use chrono::Datelike;
use eac_model::{BeneficiaryType, Decimal, Eac, EacValue, EnergyUnit, TechnologyType, Timestamp};

/// Everything a claim statement shows.
#[derive(Debug, Clone)]
pub struct ClaimStatement {
    /// The pack's title (`--title`), or a default naming the filter.
    pub title: String,
    /// When the pack was made.
    pub created_at: Timestamp,
    /// The filter that chose the EACs, in plain words.
    pub selection: String,
    /// The EACs, complete (an incomplete EAC never reaches a pack).
    pub eacs: Vec<Eac>,
    /// What `check` reports for them, in plain words (one line each).
    pub problems: Vec<String>,
    /// The signing key's fingerprint and the audit chain head, printed in
    /// the footer so a printed copy can be matched with its pack.
    pub key_fingerprint: String,
    pub audit_head: Option<String>,
}

/// The statement as CSV (UTF-8, comma-separated, CRLF line ends, RFC 4180
/// quoting): a header, one `value` row per EAC value grouped by
/// beneficiary and period, a `total` row per beneficiary × period × unit,
/// a `grand_total` row per unit, then one `problem` row per problem. See
/// `docs/decisions.md` for the columns and the
/// formula-injection guard (the claim statement's decisions).
pub fn claim_statement_csv(statement: &ClaimStatement) -> Vec<u8> {
    let mut out = Vec::new();
    csv::write(statement, &mut out).expect("writing to memory cannot fail");
    out
}

/// [`claim_statement_csv`] written to `to` as it is made (a pack writes
/// it straight to its file); fails only as `to` does.
pub fn write_claim_statement_csv(
    statement: &ClaimStatement,
    to: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    csv::write(statement, to)
}

/// One CSV cell as this crate writes them: guarded against formula
/// injection (a leading apostrophe before `=`, `+`, `-`, `@`, tab or CR,
/// numbers left alone) and quoted per RFC 4180. For other CSV writers
/// (eac-app's table export) so every CSV of EAC Desk guards alike.
pub fn csv_cell(cell: &str) -> String {
    csv::quote(&csv::guard(cell)).into_owned()
}

/// The statement as a PDF (pages of 210 × 279 mm, which print unscaled on
/// both A4 and Letter; built-in Helvetica, nothing embedded).
pub fn claim_statement_pdf(statement: &ClaimStatement) -> Vec<u8> {
    pdf::write(statement)
}

/// One value of one EAC, as a line of the statement.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    pub cds_eac_id: String,
    /// The certificate range, or the EAC and value numbers.
    pub certificates: String,
    pub registry: String,
    pub technology: Option<TechnologyType>,
    pub asset_id: String,
    /// The value's start and end, else the EAC's period (a value by
    /// quantity covers the whole period).
    pub start: Timestamp,
    pub end: Timestamp,
    pub quantity: Decimal,
    pub unit: EnergyUnit,
    /// The retirement date, `undated` when the document proves a claim
    /// without a date, else empty.
    pub retired: String,
    /// The registry status kept on import (`eacdesk_status`), else empty.
    pub status: String,
}

/// The lines of one beneficiary in one calendar year.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub beneficiary: String,
    pub period: i32,
    pub lines: Vec<Line>,
    /// Exact totals per unit, in unit order (Wh, kWh, MWh).
    pub totals: Vec<(EnergyUnit, Decimal)>,
}

/// The statement's lines, grouped and totalled.
#[derive(Debug, Clone)]
pub(crate) struct Summary {
    pub groups: Vec<Group>,
    pub totals: Vec<(EnergyUnit, Decimal)>,
    pub values: usize,
}

/// Groups in order: assigned beneficiaries by type (spec order) and ids,
/// "unassigned" last; periods ascending. Lines keep the P1 order of their
/// EACs, then value order.
pub(crate) fn summarize(statement: &ClaimStatement) -> Summary {
    type Key = (bool, Option<BeneficiaryType>, Vec<String>, i32);
    let mut eacs: Vec<&Eac> = statement.eacs.iter().collect();
    eacs.sort_by_cached_key(|e| e.p1_order_key());
    let mut groups: BTreeMap<Key, Group> = BTreeMap::new();
    let mut values = 0;
    for eac in eacs {
        for value in &eac.values {
            values += 1;
            let line = line(eac, value);
            let period = line.start.as_utc().year();
            let key = (
                eac.beneficiary_type.is_none(),
                eac.beneficiary_type,
                eac.beneficiaries.clone(),
                period,
            );
            groups
                .entry(key)
                .or_insert_with(|| Group {
                    beneficiary: beneficiary(eac),
                    period,
                    lines: Vec::new(),
                    totals: Vec::new(),
                })
                .lines
                .push(line);
        }
    }
    let mut groups: Vec<Group> = groups.into_values().collect();
    for g in &mut groups {
        g.totals = totals(g.lines.iter());
    }
    let totals = totals(groups.iter().flat_map(|g| &g.lines));
    Summary {
        groups,
        totals,
        values,
    }
}

/// Exact sums per unit, in unit order; units without lines are left out.
pub(crate) fn totals<'a>(
    lines: impl Iterator<Item = &'a Line> + Clone,
) -> Vec<(EnergyUnit, Decimal)> {
    EnergyUnit::ALL
        .iter()
        .filter_map(|unit| {
            let mut of_unit = lines
                .clone()
                .filter(|l| l.unit == *unit)
                .map(|l| &l.quantity)
                .peekable();
            of_unit.peek()?;
            Some((*unit, Decimal::sum(of_unit)))
        })
        .collect()
}

/// Who the EAC is claimed for: `unassigned` without a beneficiary type,
/// else the type and its ids (`account: ACC-1, ACC-2`).
pub(crate) fn beneficiary(eac: &Eac) -> String {
    match eac.beneficiary_type {
        None => "unassigned".to_owned(),
        Some(t) if eac.beneficiaries.is_empty() => t.as_str().to_owned(),
        Some(t) => format!("{t}: {}", eac.beneficiaries.join(", ")),
    }
}

fn line(eac: &Eac, value: &EacValue) -> Line {
    let retired = match (value.retired, value.retired_undated) {
        (Some(d), _) => d.to_string(),
        (None, true) => "undated".to_owned(),
        (None, false) => String::new(),
    };
    Line {
        cds_eac_id: eac.cds_eac_id.clone(),
        certificates: certificates(eac, value),
        registry: extension_text(eac, "eacdesk_registry")
            .unwrap_or_else(|| eac.source_name.clone()),
        technology: eac.technology_type,
        asset_id: eac.asset_id.clone(),
        start: value.start.unwrap_or(eac.period_start),
        end: value.end.unwrap_or(eac.period_end),
        quantity: value.value.clone(),
        unit: value.unit,
        retired,
        status: extension_text(eac, "eacdesk_status").unwrap_or_default(),
    }
}

/// The registry range (`FIRST – LAST`, or one number) a registry import
/// kept, else the EAC's and the value's numbers (`EAC / VALUE` when both
/// exist and differ).
fn certificates(eac: &Eac, value: &EacValue) -> String {
    let first = extension_text(eac, "eacdesk_first_certificate");
    let last = extension_text(eac, "eacdesk_last_certificate");
    match (first, last) {
        (Some(f), Some(l)) if f != l => format!("{f} – {l}"),
        (Some(one), _) | (None, Some(one)) => one,
        (None, None) => {
            let mut numbers: Vec<&str> = Vec::new();
            for n in [&eac.eac_number, &value.eac_number].into_iter().flatten() {
                if !numbers.contains(&n.as_str()) {
                    numbers.push(n);
                }
            }
            numbers.join(" / ")
        }
    }
}

/// An extension field's text: a JSON string's content, else its JSON text.
fn extension_text(eac: &Eac, key: &str) -> Option<String> {
    let (_, raw) = eac.extensions.iter().find(|(k, _)| k == key)?;
    Some(serde_json::from_str::<String>(raw.get()).unwrap_or_else(|_| raw.get().to_owned()))
}
