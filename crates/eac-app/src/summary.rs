//! Totals in one display unit: the browse footer (`browse_totals`), and the
//! summary dashboard and `eacdesk summary` (`summary`): the values of the
//! filtered EACs grouped by technology, year, quarter, month, registry and
//! retirement, each group with its number of EACs, its exact total in the
//! display unit and the per-unit sums it came from.
//!
//! The store sums exactly per unit; conversion to the display unit is a
//! shift of the decimal point (`eac_model::units`), never a float.

use std::str::FromStr;

use bigdecimal::BigDecimal;
use eac_model::units::{display_text, exact_text, total_in};
use eac_model::EnergyUnit;
use eac_store::{EacFilter, QuantityTotal, Store, SummaryKey};
use serde::{Deserialize, Serialize};

use crate::AppError;

/// An exact total converted to one display unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UnitTotal {
    pub unit: EnergyUnit,
    /// Exact, plain decimal text with at least `decimals` places and no
    /// trailing zeros beyond them (`279.111`, `0.000001`): never rounded.
    pub total: String,
    /// Rounded (ties away from zero) to exactly `decimals` places, for
    /// columns that line up (`279.111`, `0.000`).
    pub display: String,
    /// The unit's display decimals (`EnergyUnit::display_decimals`).
    pub decimals: u32,
}

/// Count, exact totals per unit and the one total in the display unit of
/// the EACs a filter matches (the browse footer, `ls`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BrowseTotals {
    pub count: usize,
    /// Per unit, exact as summed (the breakdown shown on hover).
    pub totals: Vec<QuantityTotal>,
    pub total: UnitTotal,
}

/// One group of a summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SummaryLine {
    /// One per key of `SummaryReport::by`, in order (`wind`, `2024`,
    /// `2024-Q1`, `2024-01`, a `source_id`, `retired`/`not_retired`);
    /// `None` where the EAC lacks the field. A filter that selects the
    /// group sets these (technology, source) or a period from them.
    pub keys: Vec<Option<String>>,
    /// The keys for people (`Wind`, `Registry One (REG-1)`, `Retired`).
    pub labels: Vec<String>,
    /// EACs with a value in the group (an EAC whose values fall in two
    /// groups counts in both, so counts may add up to more than `count`).
    pub count: usize,
    /// Per unit, exact.
    pub totals: Vec<QuantityTotal>,
    pub total: UnitTotal,
}

/// `summary`: the groups in key order and the grand total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SummaryReport {
    pub filter: EacFilter,
    /// The keys grouped by, in order (each once).
    pub by: Vec<SummaryKey>,
    pub unit: EnergyUnit,
    pub groups: Vec<SummaryLine>,
    /// EACs the filter matches.
    pub count: usize,
    /// Grand totals per unit, exact.
    pub totals: Vec<QuantityTotal>,
    /// The grand total in the display unit: the sum of the groups' totals.
    pub total: UnitTotal,
}

/// Per-unit exact totals (as the store sums them) as one total in `unit`.
pub fn unit_total(totals: &[QuantityTotal], unit: EnergyUnit) -> Result<UnitTotal, AppError> {
    let parts = totals
        .iter()
        .map(|t| {
            BigDecimal::from_str(&t.total)
                .map(|v| (t.unit, v))
                .map_err(|_| {
                    AppError::invalid_input(format!(
                        "`{}` is not an exact total; the database may be damaged (run `eacdesk check`)",
                        t.total
                    ))
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(unit_total_of(
        &total_in(parts.iter().map(|(u, v)| (*u, v)), unit),
        unit,
    ))
}

/// An exact value already in `unit`, with its display texts.
pub(crate) fn unit_total_of(value: &BigDecimal, unit: EnergyUnit) -> UnitTotal {
    let decimals = unit.display_decimals();
    UnitTotal {
        unit,
        total: exact_text(value, decimals),
        display: display_text(value, decimals),
        decimals,
    }
}

/// How many EACs match `filter`, their exact totals per unit and the one
/// total in `unit`.
pub fn browse_totals(
    store: &Store,
    filter: &EacFilter,
    unit: EnergyUnit,
) -> Result<BrowseTotals, AppError> {
    let summary = store.summary(filter)?;
    let total = unit_total(&summary.totals, unit)?;
    Ok(BrowseTotals {
        count: summary.count,
        totals: summary.totals,
        total,
    })
}

/// The values of the EACs matching `filter` grouped by `by` (in order;
/// none: one group of everything), each group and the grand total in
/// `unit`, exact. Time keys are of each value's own period (its start,
/// else its EAC's period start), in UTC.
pub fn summary(
    store: &Store,
    filter: &EacFilter,
    by: &[SummaryKey],
    unit: EnergyUnit,
) -> Result<SummaryReport, AppError> {
    let grouped = store.grouped_totals(filter, by)?;
    let browse = browse_totals(store, filter, unit)?;
    let groups = grouped
        .groups
        .into_iter()
        .map(|g| {
            Ok(SummaryLine {
                total: unit_total(&g.totals, unit)?,
                keys: g.keys,
                labels: g.labels,
                count: g.count,
                totals: g.totals,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(SummaryReport {
        filter: filter.clone(),
        by: grouped.by,
        unit,
        groups,
        count: browse.count,
        totals: browse.totals,
        total: browse.total,
    })
}

/// The report as CSV (RFC 4180, CRLF): one row per group (`kind` `group`)
/// and the grand total (`kind` `total`): the keys, the EAC count, the
/// exact total in the display unit and the exact sums per unit.
pub fn summary_csv(report: &SummaryReport) -> String {
    let mut out = String::new();
    let mut header: Vec<String> = vec!["kind".to_owned()];
    header.extend(report.by.iter().map(|k| k.as_str().to_owned()));
    header.push("eacs".to_owned());
    header.push(format!("total_{}", report.unit.as_str()));
    header.extend(
        EnergyUnit::ALL
            .iter()
            .map(|u| format!("quantity_{}", u.as_str())),
    );
    crate::table::csv_record(&mut out, header.iter().map(String::as_str));
    let per_unit = |totals: &[QuantityTotal]| -> Vec<String> {
        EnergyUnit::ALL
            .iter()
            .map(|u| {
                totals
                    .iter()
                    .find(|t| t.unit == *u)
                    .map_or_else(String::new, |t| t.total.clone())
            })
            .collect()
    };
    for g in &report.groups {
        let mut cells = vec!["group".to_owned()];
        cells.extend(g.keys.iter().map(|k| k.clone().unwrap_or_default()));
        cells.push(g.count.to_string());
        cells.push(g.total.total.clone());
        cells.extend(per_unit(&g.totals));
        crate::table::csv_record(&mut out, cells.iter().map(String::as_str));
    }
    let mut cells = vec!["total".to_owned()];
    cells.extend(report.by.iter().map(|_| String::new()));
    cells.push(report.count.to_string());
    cells.push(report.total.total.clone());
    cells.extend(per_unit(&report.totals));
    crate::table::csv_record(&mut out, cells.iter().map(String::as_str));
    out
}
