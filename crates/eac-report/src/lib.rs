//! The claim statement of an evidence pack: per beneficiary and per period,
//! the certificates behind a claim (numbers or ranges, technology, asset,
//! period, quantity, retirement date, registry), totals per unit, the
//! problems the double-counting check reports, and a chart of quantity by
//! month and technology — as CSV (for spreadsheets and scripts) and as a
//! PDF that reads well printed on A4 and Letter. Pure: EACs in, bytes out.
//! A statement of any size streams: a [`Tally`] of the EACs, their lines
//! kept by the caller and read back through a [`LineSource`], the files
//! written to the caller's writers as they are made.
//!
//! This crate never does IO of its own (it writes to the writers it is
//! given), never reads a clock (the statement carries its
//! creation time) and never prints a quantity it did not compute exactly:
//! sums go through [`bigdecimal`]; the PDF chart converts exact totals to
//! page geometry with integer arithmetic only.

mod csv;
mod embedded;
mod helvetica;
mod pdf;

use std::collections::BTreeMap;
use std::io;

use bigdecimal::{BigDecimal, Zero};
use chrono::Datelike;
use eac_model::{
    BeneficiaryType, Decimal, Eac, EacValue, EnergyUnit, TechnologyType, Timestamp, UnitSums,
};

/// Everything a claim statement shows, its EACs in memory (a test, a
/// small selection). A pack streams instead: [`StatementFacts`], a
/// [`Tally`] of its EACs and a [`LineSource`].
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

/// What a claim statement says besides its certificates: the fields of
/// [`ClaimStatement`] but its EACs.
#[derive(Debug, Clone)]
pub struct StatementFacts {
    pub title: String,
    pub created_at: Timestamp,
    pub selection: String,
    pub problems: Vec<String>,
    pub key_fingerprint: String,
    pub audit_head: Option<String>,
    /// The recorded claims the pack carries (`claims/`), by number.
    pub claims: Vec<CarriedClaim>,
}

/// A recorded claim an evidence pack carries in `claims/`, as the
/// statement names it: who and when, its headline figures (exact, as its
/// report states them) and the files that hold its report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarriedClaim {
    /// The claim's number in the database it was recorded in.
    pub id: i64,
    pub name: String,
    /// The beneficiary type and ids (`account acc-1`).
    pub beneficiary: String,
    /// The UTC days it covers (`2024-01-01 to 2024-12-31`).
    pub period: String,
    /// `annual`, `monthly` or `hourly`.
    pub granularity: String,
    /// The unit of its quantities (`MWh`).
    pub unit: String,
    pub consumption: Decimal,
    pub matched: Decimal,
    pub coverage_percent: Option<Decimal>,
    pub market_based_tco2e: Option<Decimal>,
    pub location_based_tco2e: Option<Decimal>,
    /// The pack's files holding its report (`claims/claim-1.csv`, …).
    pub files: Vec<String>,
}

impl CarriedClaim {
    /// `recorded claim 1 "T1"`.
    pub fn label(&self) -> String {
        format!("recorded claim {} \"{}\"", self.id, self.name)
    }

    /// The headline figures in one line: consumption, matched quantity,
    /// coverage and emissions; a figure not computed is said so.
    pub fn figures(&self) -> String {
        let or_not = |d: &Option<Decimal>, unit: &str| {
            d.as_ref().map_or_else(
                || "not computed".to_owned(),
                |d| format!("{} {unit}", d.as_str()),
            )
        };
        format!(
            "consumption {} {unit}, matched {} {unit}, coverage {}, market-based emissions {}, location-based emissions {}",
            self.consumption.as_str(),
            self.matched.as_str(),
            or_not(&self.coverage_percent, "%"),
            or_not(&self.market_based_tco2e, "tCO2e"),
            or_not(&self.location_based_tco2e, "tCO2e"),
            unit = self.unit,
        )
    }

    /// Where its report is: `its report: claims/claim-1.csv, claims/claim-1.json`.
    pub fn files_words(&self) -> String {
        format!("its report: {}", self.files.join(", "))
    }
}

impl ClaimStatement {
    pub(crate) fn facts(&self) -> StatementFacts {
        StatementFacts {
            title: self.title.clone(),
            created_at: self.created_at,
            selection: self.selection.clone(),
            problems: self.problems.clone(),
            key_fingerprint: self.key_fingerprint.clone(),
            audit_head: self.audit_head.clone(),
            claims: Vec::new(),
        }
    }

    /// The tally of the EACs in P1 order and their lines by group.
    pub(crate) fn summarize(&self) -> (Summary, Grouped) {
        let mut eacs: Vec<&Eac> = self.eacs.iter().collect();
        eacs.sort_by_cached_key(|e| e.p1_order_key());
        let mut tally = Tally::new();
        let mut lines = Grouped::default();
        for eac in eacs {
            tally
                .add(eac, |key, line| {
                    lines.keep(key, line);
                    Ok::<(), std::convert::Infallible>(())
                })
                .unwrap_or_else(|never| match never {});
        }
        (tally.finish(&self.facts()), lines)
    }
}

/// The statement as CSV (UTF-8, comma-separated, CRLF line ends, RFC 4180
/// quoting): a header, one `value` row per EAC value grouped by
/// beneficiary and period, a `total` row per beneficiary × period × unit,
/// a `grand_total` row per unit, one `problem` row per problem, then one
/// `claim` row per recorded claim the pack carries ([`CarriedClaim`]). See
/// `docs/decisions.md` for the columns and the
/// formula-injection guard (the claim statement's decisions).
pub fn claim_statement_csv(statement: &ClaimStatement) -> Vec<u8> {
    in_memory(statement, csv::write)
}

/// The statement as a PDF (pages of 210 × 279 mm, which print unscaled on
/// both A4 and Letter; built-in Helvetica, what it lacks from embedded
/// subsets of DejaVu Sans, NanumSquare and Droid Sans Fallback).
pub fn claim_statement_pdf(statement: &ClaimStatement) -> Vec<u8> {
    in_memory(statement, pdf::write)
}

/// The signature of the statement writers.
type Writer =
    fn(&StatementFacts, &Summary, &mut dyn LineSource, &mut dyn io::Write) -> io::Result<()>;

/// `statement` written by `write` to memory.
fn in_memory(statement: &ClaimStatement, write: Writer) -> Vec<u8> {
    let (summary, mut lines) = statement.summarize();
    let mut out = Vec::new();
    write(&statement.facts(), &summary, &mut lines, &mut out)
        .expect("writing to memory cannot fail");
    out
}

/// [`claim_statement_csv`] of a tallied statement, its lines read group by
/// group from `lines` and written to `out` as made: nothing is held but
/// the summary. Fails as `lines` or `out` do.
pub fn write_claim_statement_csv(
    facts: &StatementFacts,
    summary: &Summary,
    lines: &mut dyn LineSource,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    csv::write(facts, summary, lines, out)
}

/// [`claim_statement_pdf`] of a tallied statement, written to `out` a
/// page at a time (each page's contents as soon as it is laid out; the
/// footers, fonts and page objects after the last): nothing is held but
/// the summary and a few numbers per page. Fails as `lines` or `out` do.
pub fn write_claim_statement_pdf(
    facts: &StatementFacts,
    summary: &Summary,
    lines: &mut dyn LineSource,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    pdf::write(facts, summary, lines, out)
}

/// One CSV cell as this crate writes them: guarded against formula
/// injection (a leading apostrophe before `=`, `+`, `-`, `@`, tab or CR,
/// numbers left alone) and quoted per RFC 4180. For other CSV writers
/// (eac-app's table export) so every CSV of EAC Desk guards alike.
pub fn csv_cell(cell: &str) -> String {
    csv::quote(&csv::guard(cell)).into_owned()
}

/// Ids in one text, each after the first following `joiner` and a space
/// (`A; B` with `;`, `A, B` with `,`). An id holding the joiner or a
/// double quote, or beginning or ending with white space, is written in
/// double quotes with its own quotes doubled, so each id reads back: one
/// id `A, B` (`"A, B"`) never reads as the two ids `A` and `B` (`A, B`),
/// and ` E` keeps its space (`" E"`). No other id begins with a quote or
/// holds the joiner. The claim statement's beneficiaries (`,`), eac-app's
/// table export and claim report CSV (`;`) all join ids with this.
pub fn id_list(ids: &[String], joiner: char) -> String {
    let mut out = String::new();
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            out.push(joiner);
            out.push(' ');
        }
        let quoted = id.contains([joiner, '"'])
            || id.starts_with(char::is_whitespace)
            || id.ends_with(char::is_whitespace);
        if quoted {
            out.push('"');
            out.push_str(&id.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(id);
        }
    }
    out
}

/// Where a statement's lines come from, group by group (by [`GroupKey`],
/// ascending), each group's lines in the order [`Tally::add`] handed them
/// out: memory for a small statement, a scratch database for a pack of any
/// size. The writers read them twice (the CSV lists the groups' totals
/// after every line).
pub trait LineSource {
    /// How many groups there are.
    fn group_count(&mut self) -> io::Result<usize>;

    /// Hands `each` every line with its group's key, groups in key order;
    /// stops at the first error `each` returns.
    fn each(&mut self, each: &mut dyn FnMut(&GroupKey, &Line) -> io::Result<()>) -> io::Result<()>;
}

/// Lines kept in memory by group.
#[derive(Debug, Default)]
pub struct Grouped(BTreeMap<GroupKey, Vec<Line>>);

impl Grouped {
    /// Keeps `line` after the earlier lines of group `key`.
    pub fn keep(&mut self, key: &GroupKey, line: Line) {
        match self.0.get_mut(key) {
            Some(lines) => lines.push(line),
            None => {
                self.0.insert(key.clone(), vec![line]);
            }
        }
    }
}

impl LineSource for Grouped {
    fn group_count(&mut self) -> io::Result<usize> {
        Ok(self.0.len())
    }

    fn each(&mut self, each: &mut dyn FnMut(&GroupKey, &Line) -> io::Result<()>) -> io::Result<()> {
        for (key, lines) in &self.0 {
            for line in lines {
                each(key, line)?;
            }
        }
        Ok(())
    }
}

/// A beneficiary (assigned ones by type in spec order, then by their
/// ids; "unassigned" last) and a calendar year (ascending): the order of
/// the statement's groups is this type's order, and [`GroupKey::to_bytes`]
/// keeps it byte for byte, so a store that sorts bytes sorts groups.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupKey {
    unassigned: bool,
    beneficiary_type: Option<BeneficiaryType>,
    beneficiaries: Vec<String>,
    period: i32,
}

impl GroupKey {
    /// The group of EACs claimed for `beneficiaries` of `beneficiary_type`
    /// (`None`: unassigned) in the calendar year `period`.
    pub fn new(
        beneficiary_type: Option<BeneficiaryType>,
        beneficiaries: Vec<String>,
        period: i32,
    ) -> GroupKey {
        GroupKey {
            unassigned: beneficiary_type.is_none(),
            beneficiary_type,
            beneficiaries,
            period,
        }
    }

    fn of(eac: &Eac, period: i32) -> GroupKey {
        GroupKey::new(eac.beneficiary_type, eac.beneficiaries.clone(), period)
    }

    /// The calendar year.
    pub fn period(&self) -> i32 {
        self.period
    }

    /// Who the group is claimed for, as the statement says it:
    /// `unassigned`, the type alone, or the type and its ids (`account:
    /// ACC-1, ACC-2`).
    pub fn beneficiary(&self) -> String {
        beneficiary_words(self.beneficiary_type, &self.beneficiaries)
    }

    /// The key as bytes that sort as keys do: the assigned flag, the
    /// type's place, each id with its zero bytes escaped (`00 FF`) and
    /// ended by `00 01`, `00 00` after the last, the year with its sign
    /// bit flipped, big-endian.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            8 + self
                .beneficiaries
                .iter()
                .map(|b| b.len() + 2)
                .sum::<usize>(),
        );
        out.push(u8::from(self.unassigned));
        out.push(match self.beneficiary_type {
            None => 0,
            Some(t) => {
                1 + BeneficiaryType::ALL
                    .iter()
                    .position(|x| *x == t)
                    .expect("every type is listed") as u8
            }
        });
        for b in &self.beneficiaries {
            for &byte in b.as_bytes() {
                out.push(byte);
                if byte == 0 {
                    out.push(0xFF);
                }
            }
            out.extend([0, 1]);
        }
        out.extend([0, 0]);
        out.extend(((self.period as u32) ^ 0x8000_0000).to_be_bytes());
        out
    }

    /// The key [`GroupKey::to_bytes`] wrote; `None` for other bytes.
    pub fn from_bytes(bytes: &[u8]) -> Option<GroupKey> {
        let (&flag, rest) = bytes.split_first()?;
        let (&place, mut rest) = rest.split_first()?;
        let beneficiary_type = match place {
            0 => None,
            n => Some(*BeneficiaryType::ALL.get(usize::from(n) - 1)?),
        };
        let mut beneficiaries = Vec::new();
        let mut current = Vec::new();
        loop {
            match rest {
                [0, 0, tail @ ..] => {
                    rest = tail;
                    break;
                }
                [0, 1, tail @ ..] => {
                    beneficiaries.push(String::from_utf8(std::mem::take(&mut current)).ok()?);
                    rest = tail;
                }
                [0, 0xFF, tail @ ..] => {
                    current.push(0);
                    rest = tail;
                }
                [0, ..] | [] => return None,
                [b, tail @ ..] => {
                    current.push(*b);
                    rest = tail;
                }
            }
        }
        let year: [u8; 4] = rest.try_into().ok()?;
        Some(GroupKey {
            unassigned: flag == 1,
            beneficiary_type,
            beneficiaries,
            period: (u32::from_be_bytes(year) ^ 0x8000_0000) as i32,
        })
    }
}

/// What a writer does with the lines of a statement, group by group
/// ([`by_group`]).
pub(crate) trait Groups {
    /// A group begins (its first line follows).
    fn start(&mut self, _key: &GroupKey) -> io::Result<()> {
        Ok(())
    }

    /// One line of the group begun last.
    fn line(&mut self, _line: &Line) -> io::Result<()> {
        Ok(())
    }

    /// The group begun last ends, with its exact totals per unit.
    fn end(&mut self, _key: &GroupKey, _totals: Vec<(EnergyUnit, Decimal)>) -> io::Result<()> {
        Ok(())
    }
}

/// Reads every line of `lines` once, telling `to` where each group starts
/// and ends (with its totals, summed here). The lines must be as many as
/// the tally counted: a source that lost or repeated one fails the
/// statement instead of changing it silently.
pub(crate) fn by_group(
    lines: &mut dyn LineSource,
    summary: &Summary,
    to: &mut dyn Groups,
) -> io::Result<()> {
    let mut current: Option<GroupKey> = None;
    let mut sums = UnitSums::default();
    let mut seen = 0;
    lines.each(&mut |key, line| {
        seen += 1;
        if current.as_ref() != Some(key) {
            if let Some(ended) = current.replace(key.clone()) {
                to.end(&ended, std::mem::take(&mut sums).totals())?;
            }
            to.start(key)?;
        }
        sums.add(line.unit, &line.quantity);
        to.line(line)
    })?;
    if let Some(ended) = current {
        to.end(&ended, sums.totals())?;
    }
    if seen == summary.values {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "the statement's lines were {seen}, not the {} counted",
                summary.values
            ),
        ))
    }
}

/// One value of one EAC, as a line of the statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
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

impl Line {
    /// Whether a text of the line, as the PDF prints it, holds a
    /// character none of its fonts has.
    fn prints_replaced(&self) -> bool {
        [
            &self.cds_eac_id,
            &self.certificates,
            &self.registry,
            &self.asset_id,
            &self.retired,
            &self.status,
        ]
        .iter()
        .any(|t| helvetica::prints_replaced(t, false))
    }
}

/// Quantities (MWh, exact) per technology in one month.
pub(crate) type Month = BTreeMap<Option<TechnologyType>, BigDecimal>;

/// What a statement shows besides its lines and groups: the grand
/// totals, the chart's months, the counts. Made by [`Tally::finish`]; its
/// size grows with the years, not with the EACs or the groups.
#[derive(Debug, Clone)]
pub struct Summary {
    pub(crate) totals: Vec<(EnergyUnit, Decimal)>,
    /// Per calendar year (of each value's start, UTC), per month.
    pub(crate) years: BTreeMap<i32, [Month; 12]>,
    pub(crate) eacs: usize,
    pub(crate) values: usize,
    /// Some text the PDF prints holds a character none of its fonts has:
    /// its first page says so (decision 103).
    pub(crate) replaced: bool,
}

impl Summary {
    /// How many EACs the statement lists.
    pub fn eacs(&self) -> usize {
        self.eacs
    }

    /// How many values (lines) it lists.
    pub fn values(&self) -> usize {
        self.values
    }

    /// The exact totals of every value per unit, in unit order.
    pub fn totals(&self) -> &[(EnergyUnit, Decimal)] {
        &self.totals
    }
}

/// The running summary of a statement's EACs, added one at a time in P1
/// order (a listing's order): each value becomes a [`Line`] handed to the
/// caller with its group's key (to keep, in memory or on disk), and is
/// counted in the grand totals and the chart. Memory grows with the years,
/// not with the EACs or the groups (the groups' totals are summed as their
/// lines are written).
pub struct Tally {
    totals: UnitSums,
    years: BTreeMap<i32, [Month; 12]>,
    eacs: usize,
    values: usize,
    replaced: bool,
}

impl Default for Tally {
    fn default() -> Self {
        Tally::new()
    }
}

impl Tally {
    pub fn new() -> Tally {
        Tally {
            totals: UnitSums::default(),
            years: BTreeMap::new(),
            eacs: 0,
            values: 0,
            replaced: false,
        }
    }

    /// Adds `eac` (the statement lists each group's lines in the order
    /// their EACs are added: P1 order): each of its values is handed to
    /// `keep` as a line with its group's key. Stops at the first error
    /// `keep` returns.
    pub fn add<E>(
        &mut self,
        eac: &Eac,
        mut keep: impl FnMut(&GroupKey, Line) -> Result<(), E>,
    ) -> Result<(), E> {
        self.eacs += 1;
        // The group headings print the beneficiary in bold.
        self.replaced |= helvetica::prints_replaced(&beneficiary(eac), true);
        let mut key: Option<GroupKey> = None;
        for value in &eac.values {
            self.values += 1;
            let line = line(eac, value);
            let at = line.start.as_utc();
            let period = at.year();
            let key = match &mut key {
                Some(k) => {
                    k.period = period;
                    k
                }
                None => key.insert(GroupKey::of(eac, period)),
            };
            self.totals.add(line.unit, &line.quantity);
            let cell = self.years.entry(period).or_default()[at.month0() as usize]
                .entry(line.technology)
                .or_insert_with(BigDecimal::zero);
            *cell += to_mwh(&line.quantity, line.unit);
            self.replaced |= line.prints_replaced();
            keep(key, line)?;
        }
        Ok(())
    }

    /// The summary, with `facts` (whose texts may also need the note on
    /// replaced characters).
    pub fn finish(self, facts: &StatementFacts) -> Summary {
        let replaced = self.replaced
            || helvetica::prints_replaced(&facts.title, true)
            || [
                facts.title.as_str(),
                &facts.selection,
                &facts.key_fingerprint,
                facts.audit_head.as_deref().unwrap_or(""),
            ]
            .into_iter()
            .chain(facts.problems.iter().map(String::as_str))
            .any(|t| helvetica::prints_replaced(t, false));
        Summary {
            totals: self.totals.totals(),
            years: self.years,
            eacs: self.eacs,
            values: self.values,
            replaced,
        }
    }
}

/// The exact quantity in MWh (a shift of the decimal point).
fn to_mwh(quantity: &Decimal, unit: EnergyUnit) -> BigDecimal {
    quantity.to_big()
        * BigDecimal::new(
            bigdecimal::num_bigint::BigInt::from(1),
            6 - unit.wh_exponent(),
        )
}

/// Who the EAC is claimed for: `unassigned` without a beneficiary type,
/// else the type and its ids (`account: ACC-1, ACC-2`; an id holding
/// `,`, a quote or white space at an end quoted, [`id_list`]).
pub(crate) fn beneficiary(eac: &Eac) -> String {
    beneficiary_words(eac.beneficiary_type, &eac.beneficiaries)
}

fn beneficiary_words(t: Option<BeneficiaryType>, ids: &[String]) -> String {
    match t {
        None => "unassigned".to_owned(),
        Some(t) if ids.is_empty() => t.as_str().to_owned(),
        Some(t) => format!("{t}: {}", id_list(ids, ',')),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_lists_quote_the_ids_that_would_not_read_back() {
        let ids = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let list = ids(&["A, B", "C; D", " E", "F\"G", "H "]);
        assert_eq!(
            id_list(&list, ','),
            "\"A, B\", C; D, \" E\", \"F\"\"G\", \"H \""
        );
        assert_eq!(
            id_list(&list, ';'),
            "A, B; \"C; D\"; \" E\"; \"F\"\"G\"; \"H \""
        );
        assert_eq!(id_list(&ids(&["ACC-1", "ACC-2"]), ','), "ACC-1, ACC-2");
        assert_eq!(id_list(&[], ';'), "");
    }

    #[test]
    fn group_keys_sort_as_their_bytes_and_come_back_from_them() {
        let key =
            |unassigned: bool, t: Option<BeneficiaryType>, ids: &[&str], period: i32| GroupKey {
                unassigned,
                beneficiary_type: t,
                beneficiaries: ids.iter().map(|s| (*s).to_owned()).collect(),
                period,
            };
        let acc = Some(BeneficiaryType::Account);
        let cust = Some(BeneficiaryType::Customer);
        let mut keys = vec![
            key(false, acc, &[], 2024),
            key(false, acc, &["A"], 2024),
            key(false, acc, &["A"], -3),
            key(false, acc, &["A"], 0),
            key(false, acc, &["A", "B"], 2023),
            key(false, acc, &["A\0"], 2023),
            key(false, acc, &["A\0B"], 2023),
            key(false, acc, &["A", ""], 2023),
            key(false, acc, &["", "A"], 2023),
            key(false, acc, &["AB"], 2023),
            key(false, acc, &["A, B"], 2023),
            key(false, acc, &["ACC-1"], 2023),
            key(false, acc, &["ACC-10"], 2023),
            key(false, acc, &["Łódź", "東京"], 2023),
            key(false, acc, &["\u{7f}"], 2023),
            key(false, cust, &["A"], 2023),
            key(false, Some(BeneficiaryType::General), &[], 2023),
            key(true, None, &[], 2022),
            key(true, None, &["X"], 2022),
            key(false, acc, &["A"], i32::MIN),
            key(false, acc, &["A"], i32::MAX),
        ];
        for k in &keys {
            assert_eq!(GroupKey::from_bytes(&k.to_bytes()).as_ref(), Some(k));
        }
        let mut by_bytes = keys.clone();
        by_bytes.sort_by_key(GroupKey::to_bytes);
        keys.sort();
        assert_eq!(by_bytes, keys);
        assert_eq!(GroupKey::from_bytes(b"\x00\x01AB"), None);
        assert_eq!(GroupKey::from_bytes(&[]), None);
    }
}
