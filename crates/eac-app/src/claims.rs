//! Claims (issue 15): importing consumption, checking a claim's EAC values
//! against named rule sets, allocating them (recorded claims) and the
//! Scope 2 report. The glue between `eac-claims` (pure: reader,
//! allocation, rules, report) and `eac-store` (consumption, claims,
//! allocations, factors); the shells only parse arguments and render.
//!
//! A claim is either given in full ([`ClaimInput`]: checked and reported
//! on the fly, allocating what other recorded claims left) or recorded
//! ([`create_claim`]: its allocations are stored, so no value is counted
//! for two claims) and then named by its number.

use std::path::Path;

use bigdecimal::{BigDecimal, Zero};
use eac_claims::allocate::{allocate, settle, to_wh, Allocation, Demand, Scope, Supply};
use eac_claims::report::{
    backing_no_hour, by_month, exact, left_out_by_only_passing, FactorFound, FactorUse,
    IntervalFigures, FACTORS_NOT_RECORDED,
};
use eac_claims::rules::{overall, CriterionResult, RuleSet};
use eac_claims::{
    read_consumption_all, rule_set, rule_sets, scope2_report_with, ClaimSpec, Granularity,
    Interval, Matching, Scope2Report, ValueFacts, ValueKey, Verdict,
};
use eac_model::{units, BeneficiaryType, Decimal, EnergyUnit, SpecEnum, Timestamp, Violation};
use eac_store::{
    ClaimFactorKept, ClaimRecord, ConsumptionClaimed, ConsumptionDeleted, ConsumptionEntry,
    FactorEntry, NewAllocation, NewClaim, NewConsumption, Reason, Store,
};
use serde::{Deserialize, Serialize};

use crate::periods::typed_day;
use crate::AppError;

/// A claim as the person gives it (CLI flags, the app's form).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ClaimInput {
    pub beneficiary_type: String,
    pub beneficiaries: Vec<String>,
    /// First and last day, inclusive, `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
    /// `annual` (default), `monthly` or `hourly`.
    pub granularity: Option<String>,
    pub market: Option<String>,
    pub bidding_zone: Option<String>,
    /// `MWh` (default), `kWh` or `Wh`.
    pub unit: Option<String>,
    /// Allocate only values passing this rule set.
    pub only_passing: Option<String>,
}

/// What importing a consumption file did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConsumptionImported {
    pub file: String,
    pub rows: usize,
    pub beneficiaries: Vec<String>,
}

/// One EAC value with each criterion's result and what the claim gives it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueCheck {
    pub cds_eac_id: String,
    /// 1-based, as people count.
    pub value: u32,
    pub eac_number: Option<String>,
    pub start: String,
    pub end: String,
    pub quantity: Decimal,
    pub unit: String,
    /// Given to this claim, in the claim's unit.
    pub allocated: Decimal,
    pub retired: bool,
    /// Fail over unknown over pass, across the rule sets checked.
    pub verdict: Verdict,
    pub results: Vec<CriterionResult>,
}

/// A rule set as checked (with its parameters).
pub type RuleSetInfo = RuleSet;

/// A recorded allocation that no longer holds: its EAC value is no longer
/// stored for the claim's beneficiaries in its period (deleted, re-assigned
/// or restated before EAC Desk refused such changes, decision 243), or is
/// now smaller than what the claim gave it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaleAllocation {
    pub cds_eac_id: String,
    /// 1-based, as people count.
    pub value: u32,
    /// What the claim gave it, in the claim's unit.
    pub allocated: Decimal,
    /// Why it no longer holds, in words.
    pub why: String,
}

/// A claim's criteria results.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimCheck {
    /// The recorded claim, if one was named.
    pub claim_id: Option<i64>,
    /// The unit of `allocated`.
    pub unit: String,
    pub rule_sets: Vec<RuleSetInfo>,
    pub values: Vec<ValueCheck>,
    pub passed: usize,
    pub failed: usize,
    pub unknown: usize,
    /// What the claim finds nothing of, in the report's `missing` words:
    /// no consumption of its beneficiaries stored in its days (no value
    /// can be allocated, and `claims create` refuses the claim), no EAC
    /// value of theirs there, or a recorded claim that allocated none.
    /// Empty when there is something to check against.
    pub missing: Vec<String>,
    /// The stored consumption rows of the claim's beneficiaries in its
    /// days (0: nothing to match, and `claims create` refuses the claim).
    pub consumption_rows: usize,
    /// A recorded claim's allocations that no longer hold (empty for a
    /// claim allocated now).
    pub stale: Vec<StaleAllocation>,
    /// The claim's stored consumption that recorded claims cover already
    /// (for a recorded claim: other recorded claims, which a database
    /// from before decision 272 may hold), per claim and beneficiary.
    /// Each hour of consumption may be claimed once: recording this claim
    /// is refused while it is not empty.
    pub claimed_elsewhere: Vec<ConsumptionClaimed>,
}

impl ClaimCheck {
    /// Some criterion failed for some value, a recorded allocation no
    /// longer holds, or the claim's consumption is claimed elsewhere (the
    /// CLI exits 1).
    pub fn any_failed(&self) -> bool {
        self.failed > 0 || !self.stale.is_empty() || !self.claimed_elsewhere.is_empty()
    }
}

/// The Scope 2 report with the criteria results beside it.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimReport {
    pub claim_id: Option<i64>,
    #[serde(flatten)]
    pub report: Scope2Report,
    /// Consumption and matched quantity by calendar month (the chart).
    pub months: Vec<IntervalFigures>,
    pub check: ClaimCheck,
}

/// A beneficiary type as a person typed it (`--beneficiary-type Account`):
/// any case, as every closed list the CLI takes (decision 502).
fn typed_beneficiary_type(text: &str) -> Result<BeneficiaryType, AppError> {
    BeneficiaryType::parse_typed(text).ok_or_else(|| {
        AppError::invalid_input(format!(
            "`{}` is not a beneficiary type; give one of {}.",
            eac_model::quote(text),
            BeneficiaryType::names().join(", ")
        ))
    })
}

fn spec_of(input: &ClaimInput) -> Result<ClaimSpec, AppError> {
    let beneficiary_type = typed_beneficiary_type(&input.beneficiary_type)?;
    // Each id once, in the order given: `--beneficiary A --beneficiary A`
    // is the claim of A (its figures never counted A twice; its header and
    // name said `A, A`).
    let mut beneficiaries: Vec<String> = Vec::new();
    for b in input.beneficiaries.iter().map(|b| b.trim()) {
        if !b.is_empty() && !beneficiaries.iter().any(|have| have == b) {
            beneficiaries.push(b.to_owned());
        }
    }
    if beneficiary_type != BeneficiaryType::General && beneficiaries.is_empty() {
        return Err(AppError::invalid_input(
            "Name the beneficiary the claim is for (--beneficiary ID).",
        ));
    }
    let from = typed_day("The first day (--from)", &input.from, "")?;
    let to = typed_day("The last day (--to)", &input.to, "")?;
    if let Some(problem) = eac_claims::model::last_day_problem(to) {
        return Err(AppError::invalid_input(problem));
    }
    if to < from {
        return Err(AppError::invalid_input(format!(
            "The claim ends ({to}) before it begins ({from}); give the first day as --from and \
             the last day as --to."
        )));
    }
    let granularity = match input.granularity.as_deref() {
        None | Some("") => Granularity::Annual,
        Some(g) => Granularity::parse(g).ok_or_else(|| {
            AppError::invalid_input(format!(
                "`{}` is not a granularity; give annual, monthly or hourly.",
                eac_model::quote(g)
            ))
        })?,
    };
    let unit = match input.unit.as_deref() {
        None | Some("") => EnergyUnit::MWh,
        Some(u) => EnergyUnit::parse_lenient(u.trim()).ok_or_else(|| {
            AppError::invalid_input(format!(
                "`{}` is not an energy unit; give MWh, kWh or Wh.",
                eac_model::quote(u)
            ))
        })?,
    };
    let text = |t: &Option<String>| {
        t.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    Ok(ClaimSpec {
        beneficiary_type,
        beneficiaries,
        from,
        to,
        granularity,
        market: text(&input.market),
        bidding_zone: text(&input.bidding_zone),
        unit,
        // Set where the rule set is read (`only_passing_of`).
        only_passing: None,
        today: today(),
    })
}

/// The day (UTC) claims are checked and allocated on: the one clock
/// reading of the claims code, so a retirement dated after it is still to
/// come for every criterion and for the allocation alike.
fn today() -> eac_model::Date {
    eac_model::Date::from_naive(Timestamp::now().as_utc().date_naive())
}

/// The rule set `id`, or an error naming the rule sets there are.
fn named_rule_set(id: &str) -> Result<RuleSet, AppError> {
    rule_set(id).ok_or_else(|| {
        AppError::invalid_input(format!(
            "There is no rule set `{}`; give {}.",
            eac_model::quote(id),
            rule_sets()
                .iter()
                .map(|r| r.id)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

fn rule_sets_of(ids: &[String]) -> Result<Vec<RuleSet>, AppError> {
    if ids.is_empty() {
        return Ok(rule_sets());
    }
    ids.iter()
        .flat_map(|i| i.split(','))
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .map(named_rule_set)
        .collect()
}

/// The one rule set allocation is limited to (`--only-passing`), if any.
fn only_passing_of(id: Option<&str>) -> Result<Option<RuleSet>, AppError> {
    id.map(str::trim)
        .filter(|id| !id.is_empty())
        .map(named_rule_set)
        .transpose()
}

/// The most a consumption CSV may hold, read whole: 1 GiB is about 15
/// million rows (a year of hourly readings of some 1,700 meters).
pub(crate) const MAX_CONSUMPTION_FILE_BYTES: u64 = 1 << 30;

const CONSUMPTION_FILE_CAP: crate::named::Cap = crate::named::Cap {
    bytes: MAX_CONSUMPTION_FILE_BYTES,
    holds: "a consumption file",
    why: "about 15 million rows, a year of hourly readings of some 1,700 meters",
    check: "Check that you named the consumption CSV; a larger one can be imported in parts \
            (split by beneficiary or by year, each part with the header line).",
};

/// Reads and imports a consumption CSV, all or nothing. Errors:
/// `validation` (every broken cell located: `details.violations` with
/// file, line, column; the message names the rule; also rows overlapping
/// stored consumption or a recorded claim's period, found for the rows
/// that read even when others do not, so one run names every problem),
/// `frozen` (a row covers days of a closed reporting period), `io`.
pub fn import_consumption(store: &mut Store, path: &Path) -> Result<ConsumptionImported, AppError> {
    // Opened once as a regular file (a named pipe is named, never waited
    // on; a device never read) and read to at most 1 GiB: a plain read hung
    // on a pipe until the process was killed and read `/dev/zero` until
    // memory ran out.
    let file = crate::named::open_named(
        path,
        "EAC Desk reads consumption only from a CSV file",
        "Save the consumption to a file and import that file.",
    )?;
    let bytes = crate::named::read_whole(path, &file, &CONSUMPTION_FILE_CAP)?;
    let file = path.display().to_string();
    let (rows, errors) = read_consumption_all(&file, &bytes);
    let new: Vec<NewConsumption> = rows
        .iter()
        .map(|r| NewConsumption {
            beneficiary_type: r.beneficiary_type,
            beneficiary: r.beneficiary.clone(),
            start: r.interval.start,
            end: r.interval.end,
            value: r.value.clone(),
            unit: r.unit,
            line: r.line,
        })
        .collect();
    if !errors.is_empty() {
        let mut violations: Vec<Violation> = errors
            .iter()
            .map(|e| Violation {
                line: Some(e.line),
                // A row-level problem (overlap, cell count) at its start.
                column: e.column.or(Some(1)),
                ..Violation::unruled(format!("[{}] {}", e.rule, e.message)).with_file(&e.file)
            })
            .collect();
        // What the stored data says of the rows that read: told now, not
        // after every other problem is mended.
        violations.extend(store.consumption_problems(&file, &new)?);
        violations.sort_by_key(|v| (v.line, v.column));
        return Err(refused_file(&file, &violations));
    }
    let n = match store.import_consumption(&file, &new, &eac_store::os_user()) {
        Err(eac_store::StoreError::Rules { violations, .. }) => {
            return Err(refused_file(&file, &violations))
        }
        done => done?,
    };
    // `general` consumption names no beneficiary: the type alone.
    let mut beneficiaries: Vec<String> = rows
        .iter()
        .map(|r| {
            format!("{} {}", r.beneficiary_type.as_str(), r.beneficiary)
                .trim_end()
                .to_owned()
        })
        .collect();
    beneficiaries.sort();
    beneficiaries.dedup();
    Ok(ConsumptionImported {
        file,
        rows: n,
        beneficiaries,
    })
}

/// A consumption file refused for `violations` (not empty), said the same
/// whether the file or the stored data found them.
fn refused_file(file: &str, violations: &[Violation]) -> AppError {
    AppError::validation(
        format!(
            "{file}: {} problem(s) in the consumption file; nothing was imported. First: {}",
            violations.len(),
            violations[0]
        ),
        violations,
    )
}

/// Stored consumption, optionally of one beneficiary type and ids.
pub fn list_consumption(
    store: &Store,
    beneficiary_type: Option<&str>,
    beneficiaries: &[String],
) -> Result<Vec<ConsumptionEntry>, AppError> {
    let kind = beneficiary_type.map(typed_beneficiary_type).transpose()?;
    Ok(store.consumption(kind, beneficiaries, None)?)
}

/// The facts of every value of the claim's EACs overlapping `window` (its
/// period, or the vintage window around it of the rule set it is limited
/// to), with what other claims hold of each.
fn facts(
    store: &Store,
    spec: &ClaimSpec,
    window: Interval,
    except: Option<i64>,
) -> Result<Vec<ValueFacts>, AppError> {
    let eacs = store.eacs_of_beneficiaries(spec.beneficiary_type, &spec.beneficiaries)?;
    let held = store.allocated_elsewhere(except)?;
    // The same certificates stored twice, as `eacdesk check` finds them.
    let ids: Vec<String> = eacs.iter().map(|e| e.cds_eac_id.clone()).collect();
    let mut twice: std::collections::HashMap<(String, u32), Vec<eac_claims::model::StoredTwice>> =
        std::collections::HashMap::new();
    for t in store.stored_twice(&ids)? {
        twice
            .entry((t.cds_eac_id, t.position))
            .or_default()
            .push(eac_claims::model::StoredTwice {
                other_eac: t.other_eac,
                kind: t.finding.kind.as_str().to_owned(),
                registry: t.finding.registry,
                shared: t.finding.shared,
            });
    }
    let mut out = Vec::new();
    for eac in &eacs {
        let market = eac.claim_market();
        let zone = eac.claim_bidding_zone();
        for (i, v) in eac.values.iter().enumerate() {
            let position = u32::try_from(i).unwrap_or(u32::MAX);
            let (interval, batch) = match (v.start, v.end) {
                (Some(s), Some(e)) => (Interval::new(s, e), false),
                _ => (Interval::new(eac.period_start, eac.period_end), true),
            };
            let Some(interval) = interval else { continue };
            if !interval.overlaps(&window) {
                continue;
            }
            let key = (eac.cds_eac_id.clone(), position);
            let elsewhere = held.get(&key);
            out.push(ValueFacts {
                key: ValueKey {
                    cds_eac_id: eac.cds_eac_id.clone(),
                    position,
                },
                eac_number: v.eac_number.clone().or_else(|| eac.eac_number.clone()),
                beneficiary_type: eac.beneficiary_type,
                beneficiaries: eac.beneficiaries.clone(),
                retired: v.retired,
                retired_undated: v.retired_undated,
                interval,
                batch,
                asset_commissioned: eac.asset_commissioned,
                technology: eac.technology_type,
                market: market.clone(),
                bidding_zone: zone.clone(),
                unit: v.unit,
                quantity: v.value.to_big(),
                allocated_elsewhere: elsewhere.map(|h| h.quantity_wh.clone()).unwrap_or_default(),
                other_claims: elsewhere.map(|h| h.claims.clone()).unwrap_or_default(),
                recorded_share: None,
                stored_twice: twice.remove(&key).unwrap_or_default(),
            });
        }
    }
    Ok(out)
}

/// The claim's consumption: the stored rows of its beneficiaries that
/// overlap its period, and the lines of `not_counted` for the rows of the
/// same files that lie outside it ([`outside_the_period`]).
fn demand(store: &Store, spec: &ClaimSpec) -> Result<(Vec<Demand>, Vec<String>), AppError> {
    let period = spec.period();
    let rows = store.consumption(Some(spec.beneficiary_type), &spec.beneficiaries, None)?;
    let mut inside = Vec::new();
    let mut outside = Vec::new();
    for r in &rows {
        let bad = || {
            AppError::new(
                crate::ErrorCode::Database,
                format!("consumption row {} is damaged", r.id),
            )
        };
        let start = Timestamp::parse(&r.start).map_err(|_| bad())?;
        let end = Timestamp::parse(&r.end).map_err(|_| bad())?;
        let interval = Interval::new(start, end).ok_or_else(bad)?;
        if !interval.overlaps(&period) {
            outside.push((r.source_file.as_str(), interval));
            continue;
        }
        let unit = EnergyUnit::parse(&r.unit).ok_or_else(bad)?;
        let value = Decimal::parse(&r.value).map_err(|_| bad())?;
        inside.push((
            r.source_file.as_str(),
            Demand {
                interval,
                quantity: to_wh(&value.to_big(), unit),
                label: format!(
                    "{} line {} ({} {})",
                    r.source_file, r.line, r.beneficiary_type, r.beneficiary
                ),
            },
        ));
    }
    let files: Vec<&str> = inside.iter().map(|(f, _)| *f).collect();
    let notes = outside_the_period(spec, &files, &outside);
    Ok((inside.into_iter().map(|(_, d)| d).collect(), notes))
}

/// Per file that rows of the claim came from (`files`, in the order met),
/// the line of `not_counted` for its rows of the claim's beneficiaries
/// lying outside the period (`outside`: file and interval of each stored
/// row not overlapping it). A period is of UTC days, so a file written in
/// local time (a year at +01:00) has a row or more just before or after
/// it, left out; the report says so rather than counting fewer rows than
/// the file holds without a word. Rows of files with none in the period
/// are another period's, and not named.
fn outside_the_period(
    spec: &ClaimSpec,
    files: &[&str],
    outside: &[(&str, Interval)],
) -> Vec<String> {
    let period = spec.period();
    let (who, days) = who_and_days(spec);
    let mut seen: Vec<&str> = Vec::new();
    for f in files {
        if !seen.contains(f) {
            seen.push(f);
        }
    }
    let mut out = Vec::new();
    for file in seen {
        let span = |before: bool| -> Option<(usize, Interval)> {
            let mut n = 0;
            let mut span: Option<Interval> = None;
            for (_, iv) in outside
                .iter()
                .filter(|(f, iv)| *f == file && (iv.end <= period.start) == before)
            {
                n += 1;
                span = Some(span.map_or(*iv, |s| Interval {
                    start: s.start.min(iv.start),
                    end: s.end.max(iv.end),
                }));
            }
            span.map(|s| (n, s))
        };
        let (before, after) = (span(true), span(false));
        let total = before.map_or(0, |b| b.0) + after.map_or(0, |a| a.0);
        if total == 0 {
            continue;
        }
        let rows = |n: usize| {
            if n == 1 {
                "1 row".to_owned()
            } else {
                format!("{n} rows")
            }
        };
        let side = |part: Option<(usize, Interval)>, which: &str| {
            part.map(|(n, s)| {
                format!(
                    "{n} {which} it ({}{})",
                    if n == 1 { "" } else { "within " },
                    eac_model::period_words(s.start, s.end)
                )
            })
        };
        let sides: Vec<String> = [side(before, "before"), side(after, "after")]
            .into_iter()
            .flatten()
            .collect();
        // Rows just past an edge, less than a day of them: the mark of a
        // file written in local time.
        let near = |part: Option<(usize, Interval)>, edge: Timestamp| {
            part.is_some_and(|(_, s)| {
                (s.end == edge || s.start == edge)
                    && s.end.as_utc() - s.start.as_utc() < chrono::Duration::days(1)
            })
        };
        let local = if near(before, period.start) || near(after, period.end) {
            "; a reporting period is of UTC days, and a file written in local time (such as \
             +01:00) reaches past them: such a row counts in a claim of the UTC day it lies in"
        } else {
            ""
        };
        out.push(format!(
            "consumption: {} of {who} in {file} {} outside the period ({days}, UTC days): \
             {}{local}",
            rows(total),
            if total == 1 { "lies" } else { "lie" },
            sides.join(" and "),
        ));
    }
    out
}

/// The values allocation may use: retired ones, passing `only_passing`.
fn supplies(
    spec: &ClaimSpec,
    values: &[ValueFacts],
    only_passing: Option<&RuleSet>,
) -> Vec<Supply> {
    values
        .iter()
        .filter(|v| v.is_retired(spec.today))
        .filter(|v| only_passing.is_none_or(|set| overall(&set.check(spec, v)) == Verdict::Pass))
        .map(|v| Supply {
            key: v.key.clone(),
            interval: v.interval,
            available: v.free_wh(),
        })
        .filter(|s| s.available > BigDecimal::zero())
        .collect()
}

/// A stored consumption row that does not fit the claim's matching
/// intervals or period (decision 173): the data breaks a rule of the
/// matching, as a consumption file's rows break the rules of the import, so
/// it is `validation` (the CLI's exit 1), whichever command asks.
fn matching_error(e: eac_claims::allocate::AllocateError) -> AppError {
    AppError::validation(format!("{e}."), &[])
}

/// A recorded claim's allocations (per value, Wh) that no longer hold
/// against the values stored now, in id and value order.
fn stale_allocations(
    spec: &ClaimSpec,
    values: &[ValueFacts],
    given: &std::collections::HashMap<&ValueKey, BigDecimal>,
) -> Vec<StaleAllocation> {
    let present: std::collections::HashMap<&ValueKey, &ValueFacts> =
        values.iter().map(|v| (&v.key, v)).collect();
    let mut out: Vec<StaleAllocation> = Vec::new();
    for (key, wh) in given {
        let why = match present.get(key) {
            None => "the value is no longer stored for this claim's beneficiaries in its period \
                (deleted, given to another beneficiary or restated since the claim was recorded)"
                .to_owned(),
            Some(v) if *wh > to_wh(&v.quantity, v.unit) => format!(
                "the claim gave it more than its quantity now ({} {})",
                exact(&v.quantity),
                v.unit.as_str()
            ),
            Some(_) => continue,
        };
        out.push(StaleAllocation {
            cds_eac_id: key.cds_eac_id.clone(),
            value: key.position + 1,
            allocated: exact(&units::convert(wh, EnergyUnit::Wh, spec.unit)),
            why,
        });
    }
    out.sort_by(|a, b| (&a.cds_eac_id, a.value).cmp(&(&b.cds_eac_id, b.value)));
    out
}

/// The criteria results of `e`, and its consumption that (other) recorded
/// claims cover already: asked here, where a check or report is made, not
/// while a claim is planned (the write refuses such a claim itself).
fn checks(store: &Store, e: &Evaluated) -> Result<ClaimCheck, AppError> {
    let (spec, matching) = (&e.spec, &e.matching);
    let mut out = ClaimCheck {
        claim_id: e.claim_id,
        unit: spec.unit.as_str().to_owned(),
        rule_sets: e.sets.clone(),
        values: Vec::new(),
        passed: 0,
        failed: 0,
        unknown: 0,
        missing: nothing_found(e),
        consumption_rows: e.consumption_rows,
        stale: e.stale.clone(),
        claimed_elsewhere: store.consumption_claimed(
            spec.beneficiary_type,
            &spec.beneficiaries,
            spec.from,
            spec.to,
            e.claim_id,
        )?,
    };
    let given = matching.allocated_per_value();
    for v in &e.values {
        let results: Vec<CriterionResult> = e.sets.iter().flat_map(|s| s.check(spec, v)).collect();
        for r in &results {
            match r.verdict {
                Verdict::Pass => out.passed += 1,
                Verdict::Fail => out.failed += 1,
                Verdict::Unknown => out.unknown += 1,
            }
        }
        let allocated = given.get(&v.key).map_or_else(BigDecimal::zero, |wh| {
            units::convert(wh, EnergyUnit::Wh, spec.unit)
        });
        out.values.push(ValueCheck {
            cds_eac_id: v.key.cds_eac_id.clone(),
            value: v.key.position + 1,
            eac_number: v.eac_number.clone(),
            start: v.interval.start.to_string(),
            end: v.interval.end.to_string(),
            quantity: exact(&v.quantity),
            unit: v.unit.as_str().to_owned(),
            allocated: exact(&allocated),
            retired: v.is_retired(spec.today),
            verdict: overall(&results),
            results,
        });
    }
    Ok(out)
}

/// A claim's spec, values, consumption, rule sets and matching: given in
/// full (allocated now from what recorded claims left) or recorded
/// (`claim`: its stored allocations).
struct Evaluated {
    claim_id: Option<i64>,
    /// The recorded claim as read, if one was named (its number is
    /// `claim_id`).
    record: Option<ClaimRecord>,
    spec: ClaimSpec,
    /// A recorded claim: the values it allocated; else every value of the
    /// beneficiary within the claim's window.
    values: Vec<ValueFacts>,
    /// A recorded claim's allocations that no longer hold.
    stale: Vec<StaleAllocation>,
    sets: Vec<RuleSet>,
    /// The rule set allocation was limited to.
    only: Option<RuleSet>,
    matching: Matching,
    /// The stored consumption rows of the claim's beneficiaries in its
    /// period.
    consumption_rows: usize,
    /// What of the beneficiary's consumption and retired values the figures
    /// leave out, in the report's words (`not_counted`).
    not_counted: Vec<String>,
}

/// Where a claim's values come from: its period, widened for annual and
/// monthly claims by the vintage window of the rule set allocation is
/// limited to (decision 264). An hourly claim matches values of the hour.
fn scope_of(spec: &ClaimSpec, only: Option<&RuleSet>) -> Scope {
    let period = spec.period();
    let window = match spec.granularity {
        Granularity::Hourly => None,
        _ => only.and_then(|set| set.window(spec)),
    };
    Scope {
        period,
        window: window.unwrap_or(period),
        granularity: spec.granularity,
    }
}

/// `unit` (`--unit` beside `--claim`): the unit a recorded claim is shown
/// in, if not its own.
fn unit_of(unit: Option<&str>) -> Result<Option<EnergyUnit>, AppError> {
    unit.map(str::trim)
        .filter(|u| !u.is_empty())
        .map(|u| {
            EnergyUnit::parse_lenient(u).ok_or_else(|| {
                AppError::invalid_input(format!(
                    "`{}` is not an energy unit; give MWh, kWh or Wh.",
                    eac_model::quote(u)
                ))
            })
        })
        .transpose()
}

fn evaluate(
    store: &Store,
    claim: ClaimRef,
    rules: &[String],
    unit: Option<&str>,
) -> Result<Evaluated, AppError> {
    let sets = rule_sets_of(rules)?;
    let unit = unit_of(unit)?;
    match claim {
        ClaimRef::Input(input) => {
            let mut spec = spec_of(input)?;
            if let Some(problem) = spec.interval_count_problem() {
                return Err(AppError::invalid_input(problem));
            }
            if let Some(unit) = unit {
                spec.unit = unit;
            }
            let only = only_passing_of(input.only_passing.as_deref())?;
            // A claim limited to a rule set it cannot pass (no market, no
            // bidding zone) would allocate nothing: refused, saying which
            // option settles it.
            if let Some(problem) = only
                .as_ref()
                .and_then(|set| set.only_passing_problem(&spec))
            {
                return Err(AppError::invalid_input(problem));
            }
            spec.only_passing = only.as_ref().map(|set| set.id.to_owned());
            let scope = scope_of(&spec, only.as_ref());
            let values = facts(store, &spec, scope.window, None)?;
            let (demand, mut not_counted) = demand(store, &spec)?;
            let matching = allocate(scope, &supplies(&spec, &values, only.as_ref()), &demand)
                .map_err(matching_error)?;
            let who = who_and_days(&spec).0;
            not_counted.extend(backing_no_hour(&spec, &values, &who));
            not_counted.extend(
                only.as_ref()
                    .and_then(|set| left_out_by_only_passing(&spec, &values, set, &who)),
            );
            Ok(Evaluated {
                claim_id: None,
                record: None,
                spec,
                values,
                stale: Vec::new(),
                sets,
                only,
                matching,
                consumption_rows: demand.len(),
                not_counted,
            })
        }
        ClaimRef::Recorded(id) => {
            let record = store.claim(id)?;
            let mut spec = spec_of(&input_of(&record))?;
            if let Some(unit) = unit {
                spec.unit = unit;
            }
            let only = record.only_passing.as_deref().and_then(rule_set);
            spec.only_passing = only.as_ref().map(|set| set.id.to_owned());
            let allocations: Vec<Allocation> = store
                .claim_allocations(id)?
                .into_iter()
                .filter_map(|a| {
                    Some(Allocation {
                        key: ValueKey {
                            cds_eac_id: a.cds_eac_id,
                            position: a.position,
                        },
                        interval: Interval::new(
                            Timestamp::parse(&a.start).ok()?,
                            Timestamp::parse(&a.end).ok()?,
                        )?,
                        quantity: a.quantity_wh.parse().ok()?,
                    })
                })
                .collect();
            // The values it allocated, as stored now (decision 243 keeps
            // them as they were), and nothing else of the beneficiary: a
            // recorded claim is the statement of what it counted.
            let scope = scope_of(&spec, only.as_ref());
            let mut values = facts(store, &spec, scope.window, Some(id))?;
            let given: std::collections::HashMap<&ValueKey, BigDecimal> = {
                let mut out: std::collections::HashMap<&ValueKey, BigDecimal> =
                    std::collections::HashMap::new();
                for a in &allocations {
                    *out.entry(&a.key).or_default() += &a.quantity;
                }
                out
            };
            let stale = stale_allocations(&spec, &values, &given);
            // Said of the beneficiary's values, before the claim's own are
            // kept: one crossing an hour's edge was never allocated.
            let who = who_and_days(&spec).0;
            let across = backing_no_hour(&spec, &values, &who);
            // What its rule set leaves out of the values it did not
            // allocate, as stored now (a claim recorded before such claims
            // were refused may lack its market or bidding zone).
            let left_out = only.as_ref().and_then(|set| {
                let others: Vec<ValueFacts> = values
                    .iter()
                    .filter(|v| !given.contains_key(&v.key))
                    .cloned()
                    .collect();
                left_out_by_only_passing(&spec, &others, set, &who)
            });
            values.retain(|v| given.contains_key(&v.key));
            for v in &mut values {
                v.recorded_share = given.get(&v.key).cloned();
            }
            let (demand, mut not_counted) = demand(store, &spec)?;
            let matching = settle(spec.period(), spec.granularity, &demand, allocations)
                .map_err(matching_error)?;
            not_counted.extend(across);
            not_counted.extend(left_out);
            Ok(Evaluated {
                claim_id: Some(id),
                record: Some(record),
                spec,
                values,
                stale,
                sets,
                only,
                matching,
                consumption_rows: demand.len(),
                not_counted,
            })
        }
    }
}

/// Which claim: given in full, or recorded (its number).
#[derive(Debug, Clone, Copy)]
pub enum ClaimRef<'a> {
    Input(&'a ClaimInput),
    Recorded(i64),
}

fn input_of(r: &ClaimRecord) -> ClaimInput {
    ClaimInput {
        beneficiary_type: r.beneficiary_type.clone(),
        beneficiaries: r.beneficiaries.clone(),
        from: r.from.clone(),
        to: r.to.clone(),
        granularity: Some(r.granularity.clone()),
        market: r.market.clone(),
        bidding_zone: r.bidding_zone.clone(),
        unit: Some(r.unit.clone()),
        only_passing: r.only_passing.clone(),
    }
}

/// Each EAC value of the claim with each criterion's result (`rules`:
/// rule set ids, default all). Errors: `invalid_input`, `not_found`.
///
/// A recorded claim's check is of the values it allocated (its recorded
/// allocations), as stored now, and names the allocations that no longer
/// hold; values of the beneficiary it did not count are no part of it.
/// Either names the claim's consumption that (other) recorded claims
/// cover already (`claimed_elsewhere`).
pub fn check_claim(
    store: &Store,
    claim: ClaimRef,
    rules: &[String],
) -> Result<ClaimCheck, AppError> {
    check_claim_in(store, claim, rules, None)
}

/// [`check_claim`] with quantities in `unit` (`MWh`, `kWh`, `Wh`) rather
/// than the claim's own (a recorded claim's `--unit`).
pub fn check_claim_in(
    store: &Store,
    claim: ClaimRef,
    rules: &[String],
    unit: Option<&str>,
) -> Result<ClaimCheck, AppError> {
    checks(store, &evaluate(store, claim, rules, unit)?)
}

/// A stored factor as the report uses it (`None`: not an exact number, as
/// only another tool could have stored it).
fn factor_use(f: FactorEntry) -> Option<FactorUse> {
    Some(FactorUse {
        market: f.market,
        kind: f.kind,
        year: f.year,
        tco2e_per_mwh: Decimal::parse(&f.tco2e_per_mwh).ok()?,
        source: f.source,
    })
}

/// The `kind` factor stored now for the claim's market and the year of its
/// first day.
fn factor(store: &Store, spec: &ClaimSpec, kind: &str) -> Result<Option<FactorUse>, AppError> {
    let Some(market) = &spec.market else {
        return Ok(None);
    };
    let year = chrono::Datelike::year(&spec.from.as_naive());
    Ok(store
        .emission_factor(market, kind, year)?
        .and_then(factor_use))
}

/// The residual-mix and grid factors of the report, and a note for
/// `missing` when they are the ones stored now under a recorded claim.
///
/// A claim given in full uses the factors stored now. A recorded claim
/// uses the factors it was recorded with (decision 273), so setting a
/// factor again never changes its report; one missing then stays missing,
/// and the report names any entered since. A claim recorded by an older
/// EAC Desk kept none: it uses those stored now, and says so.
fn report_factors(
    store: &Store,
    e: &Evaluated,
) -> Result<(FactorFound, FactorFound, Option<&'static str>), AppError> {
    let now = |kind: &str| -> Result<FactorFound, AppError> {
        Ok(FactorFound::from(factor(store, &e.spec, kind)?))
    };
    let Some(record) = &e.record else {
        return Ok((now("residual_mix")?, now("grid")?, None));
    };
    let recorded = store.claim_factors(record)?;
    if !recorded.recorded {
        let note = e.spec.market.is_some().then_some(FACTORS_NOT_RECORDED);
        return Ok((now("residual_mix")?, now("grid")?, note));
    }
    let kept = |kind: &str| -> Result<FactorFound, AppError> {
        // A recorded factor that is no exact number (only another program
        // could store one) counts as none recorded: setting a factor now
        // would not change this claim's report, so the advice is to record
        // the claim again, never to set one.
        let used = recorded.of_kind(kind).and_then(|f| factor_use(f.clone()));
        Ok(match used {
            Some(u) => FactorFound::Used(u),
            // Without a market the report says so whatever this is.
            None => FactorFound::NotRecorded {
                since: factor(store, &e.spec, kind)?,
            },
        })
    };
    Ok((kept("residual_mix")?, kept("grid")?, None))
}

/// The Scope 2 report of a claim, with the criteria results beside it.
///
/// A recorded claim's figures come from its recorded allocations, the
/// consumption of its period (which no import changes while it is
/// recorded, decision 250) and the emission factors it was recorded with
/// (decision 273), so they read the same whenever asked; it has no surplus
/// (decision 264).
pub fn claim_report(
    store: &Store,
    claim: ClaimRef,
    rules: &[String],
) -> Result<ClaimReport, AppError> {
    claim_report_in(store, claim, rules, None)
}

/// [`claim_report`] with quantities in `unit` (`MWh`, `kWh`, `Wh`) rather
/// than the claim's own (a recorded claim's `--unit`).
pub fn claim_report_in(
    store: &Store,
    claim: ClaimRef,
    rules: &[String],
    unit: Option<&str>,
) -> Result<ClaimReport, AppError> {
    let e = evaluate(store, claim, rules, unit)?;
    let (residual, grid, note) = report_factors(store, &e)?;
    let mut report = scope2_report_with(&e.spec, &e.matching, &e.values, residual, grid);
    report.missing.extend(note.map(str::to_owned));
    report.missing.extend(nothing_found(&e));
    report.not_counted.extend(e.not_counted.iter().cloned());
    Ok(ClaimReport {
        claim_id: e.claim_id,
        months: by_month(&e.matching, e.spec.unit),
        check: checks(store, &e)?,
        report,
    })
}

/// What a claim finds nothing of, in `missing`'s words: no consumption of
/// its beneficiaries stored in its days (its coverage is not computed;
/// often a beneficiary type or id mistyped), no EAC value of theirs there,
/// or a recorded claim that allocated none.
fn nothing_found(e: &Evaluated) -> Vec<String> {
    let (who, days) = who_and_days(&e.spec);
    let mut out = Vec::new();
    if e.consumption_rows == 0 {
        out.push(format!(
            "coverage: no consumption of {who} is stored in {days}; import it with `eacdesk \
             consumption import FILE` (or check the beneficiary type and id)"
        ));
    } else if e.matching.consumption().is_zero() {
        // Rows that all hold 0: a share of nothing is no percentage.
        let rows = match e.consumption_rows {
            1 => "its 1 row holds".to_owned(),
            n => format!("its {n} rows all hold"),
        };
        let hourly = if e.spec.granularity == Granularity::Hourly {
            ", nor the share of hours fully covered or of consumption matched hour by hour"
        } else {
            ""
        };
        out.push(format!(
            "coverage: the consumption of {who} stored in {days} adds up to 0 ({rows} 0), so \
             its coverage, a share of nothing, is not computed{hourly}"
        ));
    }
    if e.record.is_some() && e.matching.allocations.is_empty() {
        out.push("matched: this recorded claim allocated no EAC value".to_owned());
    } else if e.record.is_none() && e.values.is_empty() {
        out.push(format!(
            "matched: no EAC value attributed to {who} overlaps {days} (check the beneficiary \
             type and id)"
        ));
    }
    out
}

/// The claim's beneficiaries (`account `A`, `B``) and its days
/// (`2024-01-01 – 2024-12-31`) as its messages name them.
fn who_and_days(spec: &ClaimSpec) -> (String, String) {
    let who = if spec.beneficiaries.is_empty() {
        spec.beneficiary_type.as_str().to_owned()
    } else {
        let ids: Vec<String> = spec
            .beneficiaries
            .iter()
            .map(|b| format!("`{b}`"))
            .collect();
        format!("{} {}", spec.beneficiary_type.as_str(), ids.join(", "))
    };
    let period = spec.period();
    (
        who,
        eac_store::claims::period_words(period.start, period.end),
    )
}

/// The report as CSV: one `figure,value` table (the beneficiary ids joined
/// by `; `, quoted as the table export quotes them so each reads back;
/// exact numbers; the period's days headed `from (UTC)`, `to (UTC)`; then
/// the factors used, each with its market, year and source, one `missing`
/// row per figure not computed and one `not_counted` row per line of it),
/// then the intervals (`start (UTC)`, `end (UTC)`). Written as every CSV
/// of EAC Desk is ([`crate::table::csv_record`]: RFC 4180, CRLF, each cell
/// guarded against formula injection); a pack made before holds it with
/// LF line ends, which its manifest's digest still verifies (`pack diff`
/// compares the claim's JSON report, never this file).
pub fn claim_report_csv(report: &ClaimReport) -> String {
    use crate::table::csv_record;
    let r = &report.report;
    let opt = |d: &Option<Decimal>| d.as_ref().map_or(String::new(), |d| d.to_string());
    let mut out = String::new();
    csv_record(&mut out, ["figure", "value"]);
    let mut line = |k: &str, v: String| csv_record(&mut out, [k, v.as_str()]);
    line(
        "beneficiary",
        format!(
            "{} {}",
            r.beneficiary_type,
            crate::table::beneficiary_list(&r.beneficiaries)
        ),
    );
    // The period's first and last day are UTC days (the intervals below
    // are UTC instants): said in the figure's name, as the spreadsheet
    // export heads its times.
    line("from (UTC)", r.from.clone());
    line("to (UTC)", r.to.clone());
    line("granularity", r.granularity.as_str().to_owned());
    line("market", r.market.clone().unwrap_or_default());
    line("unit", r.unit.clone());
    line("consumption", r.consumption.to_string());
    line("matched", r.matched.to_string());
    line("unmatched", r.unmatched.to_string());
    line("surplus", opt(&r.surplus));
    line("coverage_percent", opt(&r.coverage_percent));
    line("market_based_tco2e", opt(&r.market_based_tco2e));
    line("location_based_tco2e", opt(&r.location_based_tco2e));
    if let Some(h) = &r.hourly {
        line("hours_with_consumption", h.hours.to_string());
        line("hours_fully_covered", h.hours_fully_covered.to_string());
        line("hours_covered_percent", opt(&h.hours_covered_percent));
        line("hourly_matched_percent", opt(&h.matched_percent));
    }
    // The factors used (empty when none was) and what could not be
    // computed, one `missing` row per line, as the text report says them;
    // after the figures above so that their rows stay where they were.
    for (kind, factor) in [
        ("residual_mix", &r.residual_mix_factor),
        ("grid", &r.grid_factor),
    ] {
        let f = factor.as_ref();
        line(
            &format!("{kind}_factor_tco2e_per_mwh"),
            f.map_or(String::new(), |f| f.tco2e_per_mwh.to_string()),
        );
        line(
            &format!("{kind}_factor_market"),
            f.map_or(String::new(), |f| f.market.clone()),
        );
        line(
            &format!("{kind}_factor_year"),
            f.map_or(String::new(), |f| f.year.to_string()),
        );
        line(
            &format!("{kind}_factor_source"),
            f.map_or(String::new(), |f| f.source.clone()),
        );
    }
    for m in &r.missing {
        line("missing", m.clone());
    }
    for m in &r.not_counted {
        line("not_counted", m.clone());
    }
    out.push_str("\r\n");
    csv_record(
        &mut out,
        [
            "start (UTC)",
            "end (UTC)",
            "consumption",
            "matched",
            "shortfall",
            "surplus",
        ],
    );
    for i in &r.intervals {
        let cells = [
            i.start.to_string(),
            i.end.to_string(),
            i.consumption.to_string(),
            i.matched.to_string(),
            i.shortfall.to_string(),
            opt(&i.surplus),
        ];
        csv_record(&mut out, cells.iter().map(String::as_str));
    }
    out
}

/// Records a claim: allocates what other claims left of its values and
/// stores the allocations in one audited write. Errors: `invalid_input`,
/// `validation` (a stored consumption row does not fit the claim's
/// matching intervals or period, decision 173, or its stored consumption is
/// covered by a recorded claim already: what `claims check` finds),
/// `conflict` (a value would be over-allocated, or other desks kept
/// changing the database while it was planned).
///
/// The allocations are planned from what is stored when planning starts
/// and the write refuses them when a change was recorded since
/// (`NewClaim::planned_at`): they are then planned again from what is
/// stored now, up to [`PLAN_ATTEMPTS`] times.
pub fn create_claim(
    store: &mut Store,
    name: &str,
    input: &ClaimInput,
    reason: &str,
) -> Result<ClaimRecord, AppError> {
    let reason = Reason::new(reason)?;
    let mut attempt = 1;
    loop {
        let claim = plan_claim(store, name, input)?;
        match store.create_claim(&claim, &reason, &eac_store::os_user()) {
            // Planned before another desk's change: plan again. Any other
            // refusal stands (planning again would meet it again).
            Err(e) if e.is_changed_while_planned() && attempt < PLAN_ATTEMPTS => {
                attempt += 1;
            }
            out => return Ok(out?),
        }
    }
}

/// How many times [`create_claim`] plans a claim again when the database
/// changed under it.
pub const PLAN_ATTEMPTS: u32 = 3;

/// The claim `input` gives from what is stored now, with the audit mark
/// it was planned at.
fn plan_claim(store: &Store, name: &str, input: &ClaimInput) -> Result<NewClaim, AppError> {
    let planned_at = store.audit_mark()?;
    let e = evaluate(store, ClaimRef::Input(input), &[], None)?;
    if e.consumption_rows == 0 {
        // A mistyped beneficiary would be recorded as a claim of nothing.
        // A claim with consumption and no EAC value is recorded: 0 %
        // matched is a statement too (all of it at the residual mix).
        let (who, days) = who_and_days(&e.spec);
        return Err(AppError::invalid_input(format!(
            "No consumption of {who} is stored in {days}: a claim without consumption states \
             nothing, so it is not recorded. Import the consumption first (`eacdesk consumption \
             import FILE`) or check the beneficiary type and id. Nothing was changed."
        )));
    }
    let name = if name.trim().is_empty() {
        format!(
            "{} {} {} to {}",
            e.spec.beneficiary_type.as_str(),
            eac_report::id_list(&e.spec.beneficiaries, ','),
            e.spec.from,
            e.spec.to
        )
    } else {
        name.trim().to_owned()
    };
    Ok(NewClaim {
        name,
        beneficiary_type: e.spec.beneficiary_type,
        beneficiaries: e.spec.beneficiaries.clone(),
        from: e.spec.from,
        to: e.spec.to,
        granularity: e.spec.granularity.as_str().to_owned(),
        market: e.spec.market.clone(),
        bidding_zone: e.spec.bidding_zone.clone(),
        unit: e.spec.unit,
        only_passing: e.only.as_ref().map(|set| set.id.to_owned()),
        allocations: e
            .matching
            .allocations
            .iter()
            .map(|a| NewAllocation {
                cds_eac_id: a.key.cds_eac_id.clone(),
                position: a.key.position,
                start: a.interval.start,
                end: a.interval.end,
                quantity_wh: a.quantity.clone(),
            })
            .collect(),
        planned_at: Some(planned_at),
    })
}

/// Deletes recorded claim `id` (its values are free again), audited.
pub fn delete_claim(store: &mut Store, id: i64, reason: &str) -> Result<ClaimRecord, AppError> {
    let reason = Reason::new(reason)?;
    Ok(store.delete_claim(id, &reason, &eac_store::os_user())?)
}

/// Every recorded claim, newest first.
pub fn claims(store: &Store) -> Result<Vec<ClaimRecord>, AppError> {
    Ok(store.claims()?)
}

/// What setting an emission factor did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FactorSet {
    /// The factor as stored.
    pub factor: FactorEntry,
    /// The recorded claims of its market and year that it does not change
    /// (decision 273), by claim number: those recorded with another factor
    /// of its kind, or with none; and those recorded by an older EAC Desk,
    /// whose report now uses it. Each says so as a sentence.
    pub recorded_claims: Vec<FactorKept>,
}

/// A recorded claim of a factor just set, with the sentence saying what
/// the factor leaves of it: `ClaimFactorKept`'s `Display`, the words
/// `claims factor set` prints, so the app says the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FactorKept {
    #[serde(flatten)]
    pub claim: ClaimFactorKept,
    pub text: String,
}

impl From<ClaimFactorKept> for FactorKept {
    fn from(claim: ClaimFactorKept) -> Self {
        FactorKept {
            text: claim.to_string(),
            claim,
        }
    }
}

/// Whether recorded claim `c` keeps another factor than `factor` (or none,
/// or was recorded by an older EAC Desk and follows it). The factors are
/// compared as exact numbers: `0.38` and `0.380` are one factor, whatever
/// each was written as (and each keeps its spelling). Sources are compared
/// as text.
fn keeps_another(c: &ClaimFactorKept, factor: &FactorEntry) -> bool {
    let number = |text: &str| Decimal::parse(text).ok().map(|d| d.to_big());
    let same_number = c.tco2e_per_mwh.as_deref().is_some_and(|kept| {
        match (number(kept), number(&factor.tco2e_per_mwh)) {
            (Some(kept), Some(now)) => kept == now,
            // No number (only another program could store one): as written.
            _ => kept == factor.tco2e_per_mwh,
        }
    });
    !c.recorded || !same_number || c.source.as_deref() != Some(factor.source.as_str())
}

/// Sets a market's emission factor (`residual_mix` or `grid`, tCO2e/MWh)
/// for a year, with its source; audited. Recorded claims keep the factors
/// they were recorded with: the result names those of the factor's market
/// and year that do not follow it (and those recorded by an older EAC
/// Desk, which do).
pub fn set_factor(
    store: &mut Store,
    market: &str,
    kind: &str,
    year: i32,
    tco2e_per_mwh: &str,
    source: &str,
    reason: &str,
) -> Result<FactorSet, AppError> {
    let reason = Reason::new(reason)?;
    let factor = Decimal::parse_amount(tco2e_per_mwh.trim())
        .ok()
        .filter(|d| !d.is_negative())
        .ok_or_else(|| {
            AppError::invalid_input(format!(
                "`{}` is not an emission factor; write an exact number of tCO2e per MWh \
                 (0.354).",
                eac_model::quote(tco2e_per_mwh)
            ))
        })?;
    // `--kind Grid` is the kind `grid` (decision 502: closed lists in any case).
    let kind = eac_store::FACTOR_KINDS
        .into_iter()
        .find(|k| k.eq_ignore_ascii_case(kind.trim()))
        .unwrap_or(kind);
    let factor = store.set_emission_factor(
        market,
        kind,
        year,
        &factor,
        source,
        &reason,
        &eac_store::os_user(),
    )?;
    let recorded_claims = store
        .claims_of_factor(&factor.market, &factor.kind, factor.year)?
        .into_iter()
        .filter(|c| keeps_another(c, &factor))
        .map(FactorKept::from)
        .collect();
    Ok(FactorSet {
        factor,
        recorded_claims,
    })
}

/// Every emission factor entered.
pub fn factors(store: &Store) -> Result<Vec<FactorEntry>, AppError> {
    Ok(store.emission_factors()?)
}

/// Deletes every stored consumption row of one beneficiary (to import a
/// corrected file), audited. Errors: `invalid_input`, `not_found` (none
/// stored), `conflict` (a recorded claim is for that beneficiary).
pub fn delete_consumption(
    store: &mut Store,
    beneficiary_type: &str,
    beneficiary: &str,
    reason: &str,
) -> Result<ConsumptionDeleted, AppError> {
    let reason = Reason::new(reason)?;
    let kind = typed_beneficiary_type(beneficiary_type)?;
    Ok(store.delete_consumption(kind, beneficiary.trim(), &reason, &eac_store::os_user())?)
}
