//! The claims as the app's Claims view receives them over IPC: every
//! quantity, percentage and factor as exact decimal TEXT (a JSON number
//! would pass through a JavaScript double), consumption summed per
//! beneficiary, and the report's CSV written to a file the user chose.
//!
//! The CLI's `--json` keeps [`ClaimReport`] (numbers as exact JSON
//! numbers); these views hold the same figures, only spelled as strings.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;

use bigdecimal::BigDecimal;
use eac_claims::report::{exact, FactorUse, IntervalFigures};
use eac_claims::rules::CriterionResult;
use eac_claims::rules::RuleSet;
use eac_model::{units, Decimal, EnergyUnit};
use eac_store::{ConsumptionClaimed, ExportReport, Store};
use serde::Serialize;

use crate::claims::{claim_report, claim_report_csv, ClaimCheck, ClaimRef, ClaimReport};
use crate::error::app_words;
use crate::{AppError, ClaimInput};

/// An emission factor the report used (tCO2e/MWh as text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FactorUseView {
    pub market: String,
    /// `residual_mix` or `grid`.
    pub kind: String,
    pub year: i32,
    pub tco2e_per_mwh: String,
    pub source: String,
}

/// The hourly matching score (percentages as text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HourlyScoreView {
    pub hours: usize,
    pub hours_fully_covered: usize,
    pub hours_covered_percent: Option<String>,
    pub matched_percent: Option<String>,
}

/// One interval's figures in the claim's unit (text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IntervalView {
    pub start: String,
    pub end: String,
    pub consumption: String,
    pub matched: String,
    pub shortfall: String,
    /// `None` for a recorded claim (decision 264).
    pub surplus: Option<String>,
}

/// One criterion's answer for one value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CriterionView {
    pub rule_set: String,
    pub criterion: String,
    pub title: String,
    pub source: String,
    pub section: String,
    /// `pass`, `fail` or `unknown`.
    pub verdict: String,
    pub reason: String,
}

/// One EAC value of the claim with each criterion's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ValueCheckView {
    pub cds_eac_id: String,
    /// 1-based.
    pub value: u32,
    pub eac_number: Option<String>,
    pub start: String,
    pub end: String,
    pub quantity: String,
    pub unit: String,
    /// Given to this claim, in the claim's unit.
    pub allocated: String,
    pub retired: bool,
    /// Fail over unknown over pass.
    pub verdict: String,
    pub results: Vec<CriterionView>,
}

/// A rule set as checked: id, name, version, source document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RuleSetView {
    pub id: String,
    pub name: String,
    pub version: String,
    pub document: String,
}

/// A claim's criteria results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ClaimCheckView {
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub claim_id: Option<i64>,
    pub unit: String,
    pub rule_sets: Vec<RuleSetView>,
    pub values: Vec<ValueCheckView>,
    pub passed: usize,
    pub failed: usize,
    pub unknown: usize,
    /// A recorded claim's allocations that no longer hold (decision 243).
    pub stale: Vec<StaleAllocationView>,
    /// The claim's consumption that (other) recorded claims cover already:
    /// each hour of consumption may be claimed once (decision 272).
    pub claimed_elsewhere: Vec<ConsumptionClaimedView>,
}

/// Consumption a recorded claim covers already, with the words naming it
/// (`ConsumptionClaimed`'s `Display`, as `claims check` prints it: its
/// span as people read it, its rows, the claim).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConsumptionClaimedView {
    #[serde(flatten)]
    pub claimed: ConsumptionClaimed,
    pub text: String,
}

impl From<&ConsumptionClaimed> for ConsumptionClaimedView {
    fn from(c: &ConsumptionClaimed) -> Self {
        ConsumptionClaimedView {
            claimed: c.clone(),
            text: c.to_string(),
        }
    }
}

/// A recorded allocation that no longer holds, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StaleAllocationView {
    pub cds_eac_id: String,
    /// 1-based.
    pub value: u32,
    /// In the claim's unit.
    pub allocated: String,
    pub why: String,
}

/// The Scope 2 report of a claim with its criteria results, every figure
/// exact text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ClaimReportView {
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub claim_id: Option<i64>,
    pub beneficiary_type: String,
    pub beneficiaries: Vec<String>,
    /// The reporting period's first day, `YYYY-MM-DD`, a UTC day.
    pub from: String,
    /// Its last day, included, a UTC day.
    pub to: String,
    /// `annual`, `monthly` or `hourly`.
    pub granularity: String,
    pub market: Option<String>,
    pub unit: String,
    pub consumption: String,
    pub matched: String,
    pub unmatched: String,
    /// `None` for a recorded claim: no part of its statement (decision 264;
    /// `missing` says so).
    pub surplus: Option<String>,
    pub coverage_percent: Option<String>,
    pub market_based_tco2e: Option<String>,
    pub location_based_tco2e: Option<String>,
    pub residual_mix_factor: Option<FactorUseView>,
    pub grid_factor: Option<FactorUseView>,
    /// What could not be computed and why.
    pub missing: Vec<String>,
    /// What of the claimant's stored consumption and retired values the
    /// figures leave out, and why (rows of a file outside the period's UTC
    /// days, values crossing a clock hour's edge in an hourly claim).
    pub not_counted: Vec<String>,
    pub hourly: Option<HourlyScoreView>,
    /// Per matching interval (hourly claims: per hour; the heat map).
    pub intervals: Vec<IntervalView>,
    /// Per calendar month (the coverage chart).
    pub months: Vec<IntervalView>,
    pub check: ClaimCheckView,
}

fn text(d: &Decimal) -> String {
    d.to_string()
}

fn opt(d: &Option<Decimal>) -> Option<String> {
    d.as_ref().map(text)
}

fn factor_view(f: &FactorUse) -> FactorUseView {
    FactorUseView {
        market: f.market.clone(),
        kind: f.kind.clone(),
        year: f.year,
        tco2e_per_mwh: text(&f.tco2e_per_mwh),
        source: f.source.clone(),
    }
}

fn interval_view(i: &IntervalFigures) -> IntervalView {
    IntervalView {
        start: i.start.clone(),
        end: i.end.clone(),
        consumption: text(&i.consumption),
        matched: text(&i.matched),
        shortfall: text(&i.shortfall),
        surplus: opt(&i.surplus),
    }
}

fn criterion_view(r: &CriterionResult) -> CriterionView {
    CriterionView {
        rule_set: r.rule_set.to_owned(),
        criterion: r.criterion.to_owned(),
        title: r.title.to_owned(),
        source: r.source.to_owned(),
        section: r.section.to_owned(),
        verdict: r.verdict.as_str().to_owned(),
        reason: app_words(&r.reason),
    }
}

fn rule_set_view(r: &RuleSet) -> RuleSetView {
    RuleSetView {
        id: r.id.to_owned(),
        name: r.name.to_owned(),
        version: r.version.to_owned(),
        document: r.document.to_owned(),
    }
}

impl From<&ClaimCheck> for ClaimCheckView {
    fn from(c: &ClaimCheck) -> Self {
        ClaimCheckView {
            claim_id: c.claim_id,
            unit: c.unit.clone(),
            rule_sets: c.rule_sets.iter().map(rule_set_view).collect(),
            values: c
                .values
                .iter()
                .map(|v| ValueCheckView {
                    cds_eac_id: v.cds_eac_id.clone(),
                    value: v.value,
                    eac_number: v.eac_number.clone(),
                    start: v.start.clone(),
                    end: v.end.clone(),
                    quantity: text(&v.quantity),
                    unit: v.unit.clone(),
                    allocated: text(&v.allocated),
                    retired: v.retired,
                    verdict: v.verdict.as_str().to_owned(),
                    results: v.results.iter().map(criterion_view).collect(),
                })
                .collect(),
            passed: c.passed,
            failed: c.failed,
            unknown: c.unknown,
            stale: c
                .stale
                .iter()
                .map(|s| StaleAllocationView {
                    cds_eac_id: s.cds_eac_id.clone(),
                    value: s.value,
                    allocated: text(&s.allocated),
                    why: s.why.clone(),
                })
                .collect(),
            claimed_elsewhere: c
                .claimed_elsewhere
                .iter()
                .map(ConsumptionClaimedView::from)
                .collect(),
        }
    }
}

impl From<&ClaimReport> for ClaimReportView {
    fn from(c: &ClaimReport) -> Self {
        let r = &c.report;
        ClaimReportView {
            claim_id: c.claim_id,
            beneficiary_type: r.beneficiary_type.clone(),
            beneficiaries: r.beneficiaries.clone(),
            from: r.from.clone(),
            to: r.to.clone(),
            granularity: r.granularity.as_str().to_owned(),
            market: r.market.clone(),
            unit: r.unit.clone(),
            consumption: text(&r.consumption),
            matched: text(&r.matched),
            unmatched: text(&r.unmatched),
            surplus: opt(&r.surplus),
            coverage_percent: opt(&r.coverage_percent),
            market_based_tco2e: opt(&r.market_based_tco2e),
            location_based_tco2e: opt(&r.location_based_tco2e),
            residual_mix_factor: r.residual_mix_factor.as_ref().map(factor_view),
            grid_factor: r.grid_factor.as_ref().map(factor_view),
            missing: r.missing.iter().map(|m| app_words(m)).collect(),
            // The criteria table is in the same view: named for the command.
            not_counted: r
                .not_counted
                .iter()
                .map(|m| {
                    app_words(&m.replace(
                        eac_claims::report::CHECK_LISTS_THEM,
                        "the criteria table below lists them (“Failures only”)",
                    ))
                })
                .collect(),
            hourly: r.hourly.as_ref().map(|h| HourlyScoreView {
                hours: h.hours,
                hours_fully_covered: h.hours_fully_covered,
                hours_covered_percent: opt(&h.hours_covered_percent),
                matched_percent: opt(&h.matched_percent),
            }),
            intervals: r.intervals.iter().map(interval_view).collect(),
            months: c.months.iter().map(interval_view).collect(),
            check: ClaimCheckView::from(&c.check),
        }
    }
}

/// A claim given in full (`input`) or recorded (`claim_id`), as the app
/// names one.
fn claim_ref<'a>(
    input: Option<&'a ClaimInput>,
    claim_id: Option<i64>,
) -> Result<ClaimRef<'a>, AppError> {
    match (input, claim_id) {
        (_, Some(id)) => Ok(ClaimRef::Recorded(id)),
        (Some(input), None) => Ok(ClaimRef::Input(input)),
        (None, None) => Err(AppError::invalid_input(
            "Fill in the claim (beneficiary and period) or pick a recorded claim.",
        )),
    }
}

/// The report of a claim (given in full, or recorded: `claim_id`) with
/// every figure as exact text. Errors as [`claim_report`].
pub fn claim_report_view(
    store: &Store,
    input: Option<&ClaimInput>,
    claim_id: Option<i64>,
    rules: &[String],
) -> Result<ClaimReportView, AppError> {
    let report = claim_report(store, claim_ref(input, claim_id)?, rules)?;
    Ok(ClaimReportView::from(&report))
}

/// Writes the report's CSV (`claims report --csv`) to `dest`, whole or not
/// at all (beside `dest`, then renamed; never over the database).
pub fn export_claim_report(
    store: &Store,
    input: Option<&ClaimInput>,
    claim_id: Option<i64>,
    rules: &[String],
    dest: &Path,
) -> Result<ExportReport, AppError> {
    let report = claim_report(store, claim_ref(input, claim_id)?, rules)?;
    let csv = claim_report_csv(&report);
    eac_store::placing::refuse_file_path(dest, "claim report CSV", "claim-report.csv")?;
    eac_store::atomic::refuse_database_file(store.path(), dest)?;
    let mut file = eac_store::atomic::AtomicFile::beside(dest)?;
    file.write_all(csv.as_bytes())
        .map_err(|e| AppError::io(dest, &e))?;
    let sha256 = file.commit()?;
    Ok(ExportReport {
        path: dest.display().to_string(),
        sha256,
        eac_count: 0,
        value_count: report.check.values.len(),
        not_recorded: None,
        warnings: Vec::new(),
    })
}

/// The consumption stored for one beneficiary: rows, first start and last
/// end, and exact totals per unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConsumptionGroup {
    pub beneficiary_type: String,
    pub beneficiary: String,
    pub rows: usize,
    /// RFC 3339 UTC.
    pub first_start: String,
    /// RFC 3339 UTC, exclusive.
    pub last_end: String,
    /// The total in MWh, exact.
    pub total_mwh: String,
    /// The files the rows came from.
    pub files: Vec<String>,
}

/// Stored consumption summed per beneficiary, by type and id.
pub fn consumption_groups(store: &Store) -> Result<Vec<ConsumptionGroup>, AppError> {
    let rows = store.consumption(None, &[], None)?;
    let mut groups: BTreeMap<(String, String), (ConsumptionGroup, BigDecimal)> = BTreeMap::new();
    for r in rows {
        let unit = EnergyUnit::parse(&r.unit).unwrap_or(EnergyUnit::Wh);
        let value = Decimal::parse(&r.value).map_err(|_| {
            AppError::new(
                crate::ErrorCode::Database,
                format!("consumption row {} is damaged", r.id),
            )
        })?;
        let mwh = units::convert(&value.to_big(), unit, EnergyUnit::MWh);
        let key = (r.beneficiary_type.clone(), r.beneficiary.clone());
        let (group, total) = groups.entry(key).or_insert_with(|| {
            (
                ConsumptionGroup {
                    beneficiary_type: r.beneficiary_type.clone(),
                    beneficiary: r.beneficiary.clone(),
                    rows: 0,
                    first_start: r.start.clone(),
                    last_end: r.end.clone(),
                    total_mwh: String::new(),
                    files: Vec::new(),
                },
                BigDecimal::from(0),
            )
        });
        group.rows += 1;
        // Stored times are RFC 3339 UTC of one width: text order is time order.
        if r.start < group.first_start {
            group.first_start = r.start.clone();
        }
        if r.end > group.last_end {
            group.last_end = r.end.clone();
        }
        if !group.files.contains(&r.source_file) {
            group.files.push(r.source_file.clone());
        }
        *total += mwh;
    }
    Ok(groups
        .into_values()
        .map(|(mut g, total)| {
            g.total_mwh = exact(&total).to_string();
            g
        })
        .collect())
}
