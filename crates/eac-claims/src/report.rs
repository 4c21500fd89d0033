//! The Scope 2 report of a claim.
//!
//! From the allocation ([`Matching`]) and the market's factors:
//! - `consumption`, `matched`, `unmatched`, `surplus` in the claim's unit,
//!   exact;
//! - `coverage_percent` = matched ÷ consumption × 100, rounded half up to
//!   [`PERCENT_DECIMALS`] places (the one rounded figure: a quotient need
//!   not end);
//! - `market_based_tco2e` = unmatched MWh × the residual-mix factor, the
//!   matched MWh counting as zero: given only when every matched MWh comes
//!   from a technology with no direct emissions ([`zero_in_scope2`]);
//!   a certificate of coal, gas, oil, storage or no stated technology
//!   carries a rate EAC Desk cannot turn into tCO2e (the CDS gives
//!   `emissions_factor_direct` no unit), so the figure is then absent and
//!   `missing` says how many MWh came from which technologies;
//!   `location_based_tco2e` = consumption MWh × the grid factor (factors
//!   in tCO2e/MWh), both exact products; absent, with the missing factor
//!   named in `missing`, when the market has no factor for the year;
//! - for hourly claims, the hourly matching score: hours with consumption,
//!   hours fully covered and their share, and the share of consumption
//!   matched hour by hour.

use std::collections::HashMap;

use bigdecimal::{BigDecimal, Zero};
use chrono::Datelike;
use eac_model::{units, Decimal, EnergyUnit, TechnologyType};
use serde::Serialize;

use crate::allocate::Matching;
use crate::model::{ClaimSpec, Granularity, Interval, ValueFacts, ValueKey};

/// Decimal places of the percentages.
pub const PERCENT_DECIMALS: i64 = 4;

/// An emission factor the report used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactorUse {
    pub market: String,
    /// `residual_mix` or `grid`.
    pub kind: String,
    pub year: i32,
    /// tCO2e per MWh.
    pub tco2e_per_mwh: Decimal,
    pub source: String,
}

/// The factor of one kind a report uses, or why it has none.
#[derive(Debug, Clone, PartialEq)]
pub enum FactorFound {
    /// The factor used.
    Used(FactorUse),
    /// None is entered for the claim's market and year (or the claim names
    /// no market): entering one gives the figure.
    NotEntered,
    /// None had been entered for the market and year when the claim was
    /// recorded, and a recorded claim's report keeps the factors it was
    /// recorded with (decision 273). `since`: one entered after, which
    /// recording the claim again would use.
    NotRecorded { since: Option<FactorUse> },
}

impl From<Option<FactorUse>> for FactorFound {
    fn from(factor: Option<FactorUse>) -> Self {
        factor.map_or(FactorFound::NotEntered, FactorFound::Used)
    }
}

/// The hourly matching score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HourlyScore {
    /// Hours with consumption above 0.
    pub hours: usize,
    pub hours_fully_covered: usize,
    pub hours_covered_percent: Option<Decimal>,
    /// Consumption matched hour by hour, as a share of consumption.
    pub matched_percent: Option<Decimal>,
}

/// Consumption and matched quantity of one interval (the chart's rows).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntervalFigures {
    pub start: String,
    pub end: String,
    pub consumption: Decimal,
    pub matched: Decimal,
    pub shortfall: Decimal,
    /// `None` for a recorded claim (decision 264).
    pub surplus: Option<Decimal>,
}

/// The Scope 2 figures of a claim.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scope2Report {
    pub beneficiary_type: String,
    pub beneficiaries: Vec<String>,
    /// The reporting period's first day, `YYYY-MM-DD`, a UTC day (from
    /// 00:00 UTC).
    pub from: String,
    /// Its last day, included, a UTC day (to 00:00 UTC after it).
    pub to: String,
    pub granularity: Granularity,
    pub market: Option<String>,
    pub unit: String,
    pub consumption: Decimal,
    pub matched: Decimal,
    pub unmatched: Decimal,
    /// What is left of the retired values eligible for the claim after it
    /// (and every recorded claim) took its part; `None` for a recorded
    /// claim, whose report states what it allocated and nothing that other
    /// claims or imports change later (said in `missing`; decision 264).
    pub surplus: Option<Decimal>,
    pub coverage_percent: Option<Decimal>,
    pub market_based_tco2e: Option<Decimal>,
    pub location_based_tco2e: Option<Decimal>,
    pub residual_mix_factor: Option<FactorUse>,
    pub grid_factor: Option<FactorUse>,
    /// What could not be computed and why.
    pub missing: Vec<String>,
    /// What of the claimant's stored consumption and retired values the
    /// figures leave out, and why, one line each (empty: nothing): rows of
    /// a consumption file lying outside the period's UTC days, values an
    /// hourly claim cannot match because they cross a clock hour's edge.
    pub not_counted: Vec<String>,
    pub hourly: Option<HourlyScore>,
    /// Per matching interval (hourly claims: per hour).
    pub intervals: Vec<IntervalFigures>,
}

/// Exact text of a BigDecimal, without trailing zeros.
pub fn exact(value: &BigDecimal) -> Decimal {
    if value.is_zero() {
        return Decimal::from_big(&BigDecimal::zero());
    }
    Decimal::from_big(&value.normalized())
}

/// `part` ÷ `whole` × 100, rounded once, half up (away from zero), to
/// [`PERCENT_DECIMALS`] places; `None` when `whole` is 0. The quotient is
/// taken exactly, as integers with a remainder: a division to a fixed
/// precision first would round twice (12.34544999…857 % to 12.3455).
pub fn percent(part: &BigDecimal, whole: &BigDecimal) -> Option<Decimal> {
    use bigdecimal::num_bigint::BigInt;
    use bigdecimal::Signed;
    if whole.is_zero() {
        return None;
    }
    // part = p × 10^-ps, whole = w × 10^-ws; the percentage at
    // PERCENT_DECIMALS places is p × 10^(2 + places + ws − ps) ÷ w.
    let (p, ps) = part.as_bigint_and_exponent();
    let (w, ws) = whole.as_bigint_and_exponent();
    let shift = 2 + PERCENT_DECIMALS + ws - ps;
    let ten = |n: i64| BigInt::from(10u8).pow(u32::try_from(n).expect("a small shift"));
    let (num, den) = if shift >= 0 {
        (p * ten(shift), w)
    } else {
        (p, w * ten(-shift))
    };
    let negative = num.is_negative() != den.is_negative() && !num.is_zero();
    let (num, den) = (num.abs(), den.abs());
    let mut q = &num / &den;
    let r = num - &q * &den;
    if r * 2u8 >= den {
        q += 1u8;
    }
    let q = if negative { -q } else { q };
    Some(Decimal::from_big(&BigDecimal::new(q, PERCENT_DECIMALS)))
}

/// Why a recorded claim's report gives no surplus (in `missing`).
pub const RECORDED_SURPLUS: &str = "surplus: not part of a recorded claim's statement (what is \
     free of the beneficiary's values changes with other claims and imports); report the claim \
     given in full, without --claim, to see what is free now";

/// Why an old recorded claim's report reads the factors stored now (in
/// `missing`): EAC Desk before schema 22 kept no factors with a claim
/// (decision 273).
pub const FACTORS_NOT_RECORDED: &str = "emission factors: this claim was recorded by an older \
     version of EAC Desk, which did not keep the factors a claim was recorded with, so its report \
     uses the factors stored now and changes when one is set again; delete the claim and record \
     it again to keep them";

/// Whether a matched MWh of `technology` counts as zero in the market-based
/// Scope 2 figure: a source with no direct emissions. Biomass counts as
/// zero in Scope 2; its biogenic CO2 is reported outside the scopes (GHG
/// Protocol), which EAC Desk does not compute.
pub fn zero_in_scope2(technology: TechnologyType) -> bool {
    match technology {
        TechnologyType::Solar
        | TechnologyType::Wind
        | TechnologyType::Hydro
        | TechnologyType::Geothermal
        | TechnologyType::Marine
        | TechnologyType::Nuclear
        | TechnologyType::Biomass => true,
        TechnologyType::Coal
        | TechnologyType::NaturalGas
        | TechnologyType::Oil
        | TechnologyType::Storage => false,
    }
}

/// Where matched quantity came from that the market-based figure cannot
/// count as zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum NotZero {
    /// A technology with direct emissions (or storage).
    Technology(TechnologyType),
    /// An EAC with no `technology_type`.
    Unknown,
    /// A value a recorded claim allocated that is not among its
    /// beneficiaries' values in its period now: deleted, or still stored
    /// but given to another beneficiary or restated (its technology is
    /// then not the claimant's to count).
    Gone,
}

/// The matched Wh per source the market-based figure cannot count as
/// zero, in [`NotZero`]'s order (empty: every matched MWh is zero).
fn not_zero(matching: &Matching, values: &[ValueFacts]) -> Vec<(NotZero, BigDecimal)> {
    let technology: HashMap<&ValueKey, Option<TechnologyType>> =
        values.iter().map(|v| (&v.key, v.technology)).collect();
    let mut out: std::collections::BTreeMap<NotZero, BigDecimal> = Default::default();
    for a in &matching.allocations {
        if a.quantity.is_zero() {
            continue;
        }
        let source = match technology.get(&a.key) {
            None => NotZero::Gone,
            Some(None) => NotZero::Unknown,
            Some(Some(t)) if zero_in_scope2(*t) => continue,
            Some(Some(t)) => NotZero::Technology(*t),
        };
        *out.entry(source).or_default() += &a.quantity;
    }
    out.into_iter().collect()
}

/// The report of `claim` from its allocation, the values it drew on (their
/// technologies) and the factors found for its market (`None`: none
/// entered).
pub fn scope2_report(
    claim: &ClaimSpec,
    matching: &Matching,
    values: &[ValueFacts],
    residual_mix: Option<FactorUse>,
    grid: Option<FactorUse>,
) -> Scope2Report {
    scope2_report_with(claim, matching, values, residual_mix.into(), grid.into())
}

/// [`scope2_report`] with each factor or why it has none: a recorded
/// claim's report uses the factors it was recorded with, and says so when
/// one was missing then.
pub fn scope2_report_with(
    claim: &ClaimSpec,
    matching: &Matching,
    values: &[ValueFacts],
    residual_mix: FactorFound,
    grid: FactorFound,
) -> Scope2Report {
    let unit = claim.unit;
    let show = |wh: &BigDecimal| exact(&units::convert(wh, EnergyUnit::Wh, unit));
    let mwh = |wh: &BigDecimal| units::convert(wh, EnergyUnit::Wh, EnergyUnit::MWh);
    let consumption = matching.consumption();
    let matched = matching.matched();
    let unmatched = &consumption - &matched;
    let year = claim.from.as_naive().format("%Y").to_string();
    let market = claim.market.as_deref().unwrap_or("");
    let mut missing = Vec::new();
    let emissions = |missing: &mut Vec<String>,
                     factor: &FactorFound,
                     quantity: &BigDecimal,
                     kind: &str| {
        let factor_kind = if kind == "market-based" {
            "residual-mix"
        } else {
            "grid"
        };
        match factor {
            FactorFound::Used(f) => Some(exact(&(mwh(quantity) * f.tco2e_per_mwh.to_big()))),
            _ if claim.market.is_none() => {
                missing.push(format!(
                    "{kind} emissions: the claim names no market (give --market) to find its {kind} factor"
                ));
                None
            }
            FactorFound::NotEntered => {
                missing.push(format!(
                    "{kind} emissions: no {factor_kind} factor for market {market} in {year}; enter it with `eacdesk claims factor set`"
                ));
                None
            }
            FactorFound::NotRecorded { since } => {
                let then = format!(
                    "{kind} emissions: no {factor_kind} factor for market {market} in {year} had \
                     been entered when this claim was recorded, and a recorded claim's report \
                     keeps the factors it was recorded with"
                );
                missing.push(match since {
                    None => format!(
                        "{then}; to use one, enter it, then delete the claim and record it again"
                    ),
                    Some(f) => format!(
                        "{then}; one has been entered since ({} tCO2e/MWh, {}): recording the \
                         claim again (delete it and record it anew) would use it",
                        f.tco2e_per_mwh, f.source
                    ),
                });
                None
            }
        }
    };
    // Matched MWh count as zero only from sources without direct emissions:
    // a fossil certificate's own rate cannot be used (its unit is not
    // defined), and a wrong figure is worse than none.
    let not_zero = not_zero(matching, values);
    let market_based = if not_zero.is_empty() {
        emissions(&mut missing, &residual_mix, &unmatched, "market-based")
    } else {
        let parts: Vec<String> = not_zero
            .iter()
            .map(|(source, wh)| {
                let q = format!("{} {}", show(wh), unit.as_str());
                match source {
                    NotZero::Technology(t) => format!("{q} from {} EACs", t.as_str()),
                    NotZero::Unknown => {
                        format!("{q} from EACs with no technology_type (enter it)")
                    }
                    NotZero::Gone => format!(
                        "{q} from values no longer stored for the claim's beneficiaries in its \
                         period (deleted, given to another beneficiary or restated since the \
                         claim was recorded)"
                    ),
                }
            })
            .collect();
        missing.push(format!(
            "market-based emissions: of the matched quantity, {}; EAC Desk counts matched \
             electricity as zero-emission only from solar, wind, hydro, geothermal, marine, \
             nuclear and biomass, and cannot turn a certificate's own emission factor into \
             tCO2e (the CDS does not define its unit). Leave those values out (e.g. \
             --only-passing re100) or compute their emissions yourself",
            list_words(&parts)
        ));
        // Said too when the residual-mix factor is missing: both are needed.
        emissions(&mut missing, &residual_mix, &unmatched, "market-based");
        None
    };
    let location_based = emissions(&mut missing, &grid, &consumption, "location-based");
    let used = |f: FactorFound| match f {
        FactorFound::Used(f) => Some(f),
        _ => None,
    };
    let (residual_mix, grid) = (used(residual_mix), used(grid));
    let hourly = (claim.granularity == Granularity::Hourly).then(|| {
        let with: Vec<_> = matching
            .buckets
            .iter()
            .filter(|b| !b.consumption.is_zero())
            .collect();
        let full = with.iter().filter(|b| b.shortfall.is_zero()).count();
        HourlyScore {
            hours: with.len(),
            hours_fully_covered: full,
            hours_covered_percent: percent(
                &BigDecimal::from(full as u64),
                &BigDecimal::from(with.len() as u64),
            ),
            matched_percent: percent(&matched, &consumption),
        }
    });
    let intervals = matching
        .buckets
        .iter()
        .map(|b| IntervalFigures {
            start: b.interval.start.to_string(),
            end: b.interval.end.to_string(),
            consumption: show(&b.consumption),
            matched: show(&b.matched),
            shortfall: show(&b.shortfall),
            surplus: b.surplus.as_ref().map(show),
        })
        .collect();
    let surplus = matching.surplus();
    if surplus.is_none() {
        missing.push(RECORDED_SURPLUS.to_owned());
    }
    Scope2Report {
        beneficiary_type: eac_model::SpecEnum::as_str(claim.beneficiary_type).to_owned(),
        beneficiaries: claim.beneficiaries.clone(),
        from: claim.from.to_string(),
        to: claim.to.to_string(),
        granularity: claim.granularity,
        market: claim.market.clone(),
        unit: eac_model::SpecEnum::as_str(unit).to_owned(),
        consumption: show(&consumption),
        matched: show(&matched),
        unmatched: show(&unmatched),
        surplus: surplus.as_ref().map(show),
        coverage_percent: percent(&matched, &consumption),
        market_based_tco2e: market_based,
        location_based_tco2e: location_based,
        residual_mix_factor: residual_mix,
        grid_factor: grid,
        missing,
        not_counted: Vec::new(),
        hourly,
        intervals,
    }
}

/// How many EAC values are named in a line of `not_counted`; the others
/// are counted ("and 4 more").
pub const NAMED_VALUES: usize = 3;

/// The line of `not_counted` for the retired values of an hourly claim's
/// period that back no hour (decisions 172, 250): each crosses the edge of
/// a clock hour without covering a whole hour of the period, so it is in
/// neither matched nor surplus. `None` for other claims, or when there are
/// none. `values` are the claimant's values overlapping the period.
pub fn backing_no_hour(claim: &ClaimSpec, values: &[ValueFacts], who: &str) -> Option<String> {
    if claim.granularity != Granularity::Hourly {
        return None;
    }
    let period = claim.period();
    let across: Vec<&ValueFacts> = values
        .iter()
        .filter(|v| {
            v.is_retired(claim.today)
                && v.interval.overlaps(&period)
                && crate::allocate::backs_no_hour(&v.interval, &period)
        })
        .collect();
    if across.is_empty() {
        return None;
    }
    let wh: BigDecimal = across.iter().map(|v| v.quantity_wh()).sum();
    let quantity = format!(
        "{} {}",
        exact(&units::convert(&wh, EnergyUnit::Wh, claim.unit)),
        claim.unit.as_str()
    );
    let mut named: Vec<String> = across
        .iter()
        .take(NAMED_VALUES)
        .map(|v| {
            format!(
                "{} value {} ({})",
                v.key.cds_eac_id,
                v.key.position + 1,
                eac_model::period_words(v.interval.start, v.interval.end)
            )
        })
        .collect();
    if across.len() > NAMED_VALUES {
        named.push(format!("{} more", across.len() - NAMED_VALUES));
    }
    let (n, cross, back, are) = match across.len() {
        1 => ("1 retired EAC value".to_owned(), "crosses", "backs", "is"),
        n => (format!("{n} retired EAC values"), "cross", "back", "are"),
    };
    Some(format!(
        "hourly matching: {n} of {who} in the period ({quantity}) {cross} the edge of a clock \
         hour (UTC) without covering a whole hour, so {} {back} no hour and {are} in neither \
         matched nor surplus: {}; {CHECK_LISTS_THEM} (energytag.hour fails)",
        if across.len() == 1 { "it" } else { "they" },
        list_words(&named)
    ))
}

/// The line of `not_counted` for the claimant's retired values that a claim
/// limited to `set` (`--only-passing`) leaves out: each has a criterion of
/// `set` that fails or is unknown (unknown is not passing), counted per
/// criterion with its reason, so a claim that allocates nothing says why
/// (MAT42 finding 3). `values` are those the claim could have used (for a
/// recorded claim, not those it allocated); values other claims hold
/// whole, or not retired by the claim's day, are not named. `None` when
/// none is left out.
pub fn left_out_by_only_passing(
    claim: &ClaimSpec,
    values: &[ValueFacts],
    set: &crate::rules::RuleSet,
    who: &str,
) -> Option<String> {
    use crate::rules::Verdict;
    let mut wh = BigDecimal::zero();
    let mut n = 0usize;
    // Per criterion (in the rule set's order) and verdict: how many values,
    // their reasons (the first, and whether all agree).
    let mut by: Vec<(&'static str, Verdict, usize, String, bool)> = Vec::new();
    for v in values {
        let free = v.free_wh();
        if !v.is_retired(claim.today) || free.is_zero() {
            continue;
        }
        let results = set.check(claim, v);
        if crate::rules::overall(&results) == Verdict::Pass {
            continue;
        }
        n += 1;
        wh += free;
        for r in results.into_iter().filter(|r| r.verdict != Verdict::Pass) {
            match by
                .iter_mut()
                .find(|(c, verdict, ..)| *c == r.criterion && *verdict == r.verdict)
            {
                Some((_, _, count, first, same)) => {
                    *count += 1;
                    *same &= *first == r.reason;
                }
                None => by.push((r.criterion, r.verdict, 1, r.reason, true)),
            }
        }
    }
    if n == 0 {
        return None;
    }
    let order = |c: &str| set.criteria.iter().position(|k| k.id == c);
    by.sort_by_key(|(c, verdict, ..)| (order(c), *verdict));
    let parts: Vec<String> = by
        .iter()
        .map(|(c, verdict, count, first, same)| {
            let is = match verdict {
                Verdict::Unknown => "is unknown",
                _ => "fails",
            };
            let example = if *same || *count == 1 {
                first.clone()
            } else {
                format!("for example: {first}")
            };
            format!("{c} {is} for {count} ({example})")
        })
        .collect();
    let quantity = format!(
        "{} {}",
        exact(&units::convert(&wh, EnergyUnit::Wh, claim.unit)),
        claim.unit.as_str()
    );
    let (values, are) = match n {
        1 => ("1 retired EAC value".to_owned(), "is"),
        n => (format!("{n} retired EAC values"), "are"),
    };
    Some(format!(
        "limited to {id} (--only-passing {id}): {values} of {who} ({quantity}) {are} left out, \
         as such a claim allocates only values that pass every criterion of {id} (unknown is \
         not passing): {}; {CHECK_LISTS_THEM}",
        parts.join("; "),
        id = set.id,
    ))
}

/// Where [`backing_no_hour`]'s line sends the reader on the command line;
/// the app names its criteria table instead.
pub const CHECK_LISTS_THEM: &str = "`eacdesk claims check` lists them";

/// `a`, `a and b`, `a, b and c`.
fn list_words(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The matching intervals summed exactly by the calendar month each starts
/// in (the coverage chart): monthly claims give their months, hourly claims
/// their hours by month, an annual claim its one interval (its matching is
/// not by month).
pub fn by_month(matching: &Matching, unit: EnergyUnit) -> Vec<IntervalFigures> {
    let mut out: Vec<(Interval, [BigDecimal; 3], Option<BigDecimal>)> = Vec::new();
    let month = |iv: &Interval| {
        let t = iv.start.as_utc();
        (t.year(), t.month())
    };
    for b in &matching.buckets {
        let same = out
            .last()
            .is_some_and(|(iv, _, _)| month(iv) == month(&b.interval));
        let figures = [&b.consumption, &b.matched, &b.shortfall];
        if same {
            let (iv, sums, surplus) = out.last_mut().expect("checked");
            iv.end = b.interval.end;
            for (s, f) in sums.iter_mut().zip(figures) {
                *s += f;
            }
            if let (Some(s), Some(f)) = (surplus.as_mut(), &b.surplus) {
                *s += f;
            }
        } else {
            out.push((b.interval, figures.map(Clone::clone), b.surplus.clone()));
        }
    }
    let show = |wh: &BigDecimal| exact(&units::convert(wh, EnergyUnit::Wh, unit));
    out.into_iter()
        .map(|(iv, [c, m, sh], su)| IntervalFigures {
            start: iv.start.to_string(),
            end: iv.end.to_string(),
            consumption: show(&c),
            matched: show(&m),
            shortfall: show(&sh),
            surplus: su.as_ref().map(show),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocate::Bucket;
    use eac_model::Timestamp;
    use std::str::FromStr;

    #[test]
    fn a_percentage_is_rounded_once_half_up_from_the_exact_quotient() {
        let d = |s: &str| BigDecimal::from_str(s).unwrap();
        let pc = |p: &str, w: &str| percent(&d(p), &d(w)).map(|x| x.as_str().to_owned());
        // 12.34544999…(98 nines)…857 %: a quotient to 100 digits rounds to
        // …4545 and then to 12.3455; rounded once it is 12.3454.
        let part = format!("12.34544{}857", "9".repeat(98));
        assert_eq!(pc(&part, "100").as_deref(), Some("12.3454"));
        assert_eq!(pc("1", "3").as_deref(), Some("33.3333"));
        assert_eq!(pc("2", "3").as_deref(), Some("66.6667"));
        assert_eq!(pc("0.000123445", "1").as_deref(), Some("0.0123"));
        assert_eq!(pc("0.00012345", "1").as_deref(), Some("0.0123"));
        assert_eq!(
            pc("0.000123450", "0.9999999999999999999").as_deref(),
            Some("0.0123")
        );
        assert_eq!(pc("123500", "1e9").as_deref(), Some("0.0124"));
        assert_eq!(pc("4", "5").as_deref(), Some("80.0000"));
        assert_eq!(pc("5", "5").as_deref(), Some("100.0000"));
        assert_eq!(pc("0", "5").as_deref(), Some("0.0000"));
        assert_eq!(pc("1", "0"), None);
        assert_eq!(pc("1e-30", "3e-30").as_deref(), Some("33.3333"));
        assert_eq!(
            pc("2e30", "3").as_deref(),
            Some(&*format!("6{}.6667", "6".repeat(31)))
        );
    }

    /// Review 35, finding 14: matched quantity from a value the recorded
    /// claim allocated that is not among its beneficiaries' values now is
    /// said to be deleted or no longer theirs (it may still be stored,
    /// given to another beneficiary), not "no longer stored".
    #[test]
    fn a_value_no_longer_the_claimants_is_not_said_to_be_gone_from_the_store() {
        let interval = Interval::new(
            Timestamp::parse("2024-01-01T00:00:00Z").unwrap(),
            Timestamp::parse("2025-01-01T00:00:00Z").unwrap(),
        )
        .unwrap();
        let matching = Matching {
            buckets: vec![Bucket {
                interval,
                consumption: BigDecimal::from(5_000_000),
                matched: BigDecimal::from(2_000_000),
                shortfall: BigDecimal::from(3_000_000),
                surplus: None,
            }],
            allocations: vec![crate::allocate::Allocation {
                key: ValueKey {
                    cds_eac_id: "e-given-away".into(),
                    position: 0,
                },
                interval,
                quantity: BigDecimal::from(2_000_000),
            }],
            ineligible: vec![],
        };
        let claim = ClaimSpec {
            beneficiary_type: eac_model::BeneficiaryType::Customer,
            beneficiaries: vec!["CUST-1".into()],
            from: eac_model::Date::parse("2024-01-01").unwrap(),
            to: eac_model::Date::parse("2024-12-31").unwrap(),
            granularity: Granularity::Annual,
            market: None,
            bidding_zone: None,
            unit: EnergyUnit::MWh,
            only_passing: None,
            today: eac_model::Date::parse("2026-12-07").unwrap(),
        };
        let report = scope2_report(&claim, &matching, &[], None, None);
        assert_eq!(report.market_based_tco2e, None);
        assert!(
            report.missing[0].starts_with(
                "market-based emissions: of the matched quantity, 2 MWh from values no longer \
                 stored for the claim's beneficiaries in its period (deleted, given to another \
                 beneficiary or restated since the claim was recorded); "
            ),
            "{:?}",
            report.missing
        );
    }

    #[test]
    fn by_month_sums_the_hours_of_each_calendar_month() {
        // Three hours: the last of May and the first two of June.
        let hour = |start: &str, end: &str, consumption: u32, matched: u32| Bucket {
            interval: Interval::new(
                Timestamp::parse(start).unwrap(),
                Timestamp::parse(end).unwrap(),
            )
            .unwrap(),
            consumption: BigDecimal::from(consumption),
            matched: BigDecimal::from(matched),
            shortfall: BigDecimal::from(consumption - matched),
            surplus: Some(BigDecimal::zero()),
        };
        let matching = Matching {
            buckets: vec![
                hour("2024-05-31T23:00:00Z", "2024-06-01T00:00:00Z", 1000, 500),
                hour("2024-06-01T00:00:00Z", "2024-06-01T01:00:00Z", 2000, 2000),
                hour("2024-06-01T01:00:00Z", "2024-06-01T02:00:00Z", 3000, 1000),
            ],
            allocations: vec![],
            ineligible: vec![],
        };
        let months = by_month(&matching, EnergyUnit::KWh);
        let rows: Vec<(&str, &str, &str, &str, &str)> = months
            .iter()
            .map(|m| {
                (
                    m.start.as_str(),
                    m.end.as_str(),
                    m.consumption.as_str(),
                    m.matched.as_str(),
                    m.shortfall.as_str(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            vec![
                (
                    "2024-05-31T23:00:00Z",
                    "2024-06-01T00:00:00Z",
                    "1",
                    "0.5",
                    "0.5"
                ),
                (
                    "2024-06-01T00:00:00Z",
                    "2024-06-01T02:00:00Z",
                    "5",
                    "3",
                    "2"
                ),
            ]
        );
    }
}
