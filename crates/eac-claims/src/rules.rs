//! Quality criteria as named, versioned rule sets.
//!
//! A rule set is data (id, name, version, source document, parameters)
//! plus criteria; a criterion is an id, a title, the section of the
//! source document it implements and a check. Every check answers
//! [`Verdict::Pass`], [`Verdict::Fail`] or [`Verdict::Unknown`] with a
//! reason; unknown names the data that is missing (never a silent pass).
//! Thresholds are parameters of the rule set ([`Param`]), so a new
//! version of a standard is a new rule set, not an edit of the checks.
//! `docs/claims.md` lists the same criteria with their sources.

use bigdecimal::BigDecimal;
use chrono::{Datelike, NaiveDate};
use eac_model::{units, EnergyUnit, TechnologyType};
use serde::Serialize;

use crate::model::{midnight, same_market, ClaimSpec, Granularity, Interval, ValueFacts};

/// A criterion's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Unknown,
    Fail,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Unknown => "unknown",
            Verdict::Fail => "fail",
        }
    }
}

/// A threshold of a rule set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Param {
    pub name: &'static str,
    pub value: u32,
    pub unit: &'static str,
    pub meaning: &'static str,
}

/// What a criterion is given: the claim and one value.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub claim: &'a ClaimSpec,
    pub value: &'a ValueFacts,
}

type Check = fn(&Context, &RuleSet) -> (Verdict, String);

/// One criterion of a rule set.
#[derive(Clone, Serialize)]
pub struct Criterion {
    pub id: &'static str,
    pub title: &'static str,
    /// Where in the source document the criterion is stated.
    pub section: &'static str,
    #[serde(skip)]
    check: Check,
}

impl std::fmt::Debug for Criterion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Criterion").field("id", &self.id).finish()
    }
}

/// Markets a rule set counts as one market boundary (e.g. RE100's European
/// single market): a claim in one of them may use values produced in any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MarketGroup {
    pub name: &'static str,
    /// Market codes as the EACs and claims give them (ISO 3166-1 alpha-2),
    /// compared ignoring case and surrounding spaces.
    pub markets: &'static [&'static str],
    pub meaning: &'static str,
}

impl MarketGroup {
    fn holds(&self, market: &str) -> bool {
        self.markets.iter().any(|m| same_market(m, market))
    }
}

/// A named, versioned rule set.
#[derive(Debug, Clone, Serialize)]
pub struct RuleSet {
    pub id: &'static str,
    pub name: &'static str,
    pub version: &'static str,
    /// The source document the criteria come from.
    pub document: &'static str,
    pub params: Vec<Param>,
    /// Groups of markets the market criterion treats as one (empty: only
    /// the same market passes).
    pub market_groups: Vec<MarketGroup>,
    pub criteria: Vec<Criterion>,
}

impl RuleSet {
    /// A parameter's value (every check's parameters are declared in its
    /// rule set; a missing one is a bug caught by the tests).
    pub fn param(&self, name: &str) -> u32 {
        self.params
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("rule set {} declares no parameter {name}", self.id))
            .value
    }

    /// The vintage window of `claim` under this rule set (its period
    /// widened by `vintage_months_before`/`_after`); `None` when the rule
    /// set has no vintage criterion.
    pub fn window(&self, claim: &ClaimSpec) -> Option<Interval> {
        let months = |name: &str| self.params.iter().find(|p| p.name == name).map(|p| p.value);
        Some(claim.window(
            months("vintage_months_before")?,
            months("vintage_months_after")?,
        ))
    }

    /// Why a claim limited to this rule set (`--only-passing`) could
    /// allocate nothing: a criterion of it that needs an option the claim
    /// does not give (the market for `*.market`, the bidding zone for
    /// `energytag.zone`) is unknown for every value, and unknown is not
    /// passing. `None` when the claim gives what the rule set needs.
    pub fn only_passing_problem(&self, claim: &ClaimSpec) -> Option<String> {
        let needs = |suffix: &str| {
            self.criteria
                .iter()
                .find(|c| c.id.ends_with(suffix))
                .map(|c| c.id)
        };
        let (criterion, what, option) =
            if let (Some(c), None) = (needs(".market"), claim.market.as_deref()) {
                (c, "the market of the consumption", "--market")
            } else if let (Some(c), None) = (needs(".zone"), claim.bidding_zone.as_deref()) {
                (c, "the bidding zone of the consumption", "--bidding-zone")
            } else {
                return None;
            };
        Some(format!(
            "A claim limited to {id} (--only-passing {id}) allocates only values that pass \
             every one of its criteria, and {criterion} is unknown for every value while the \
             claim does not give {what}: give it ({option}), or leave out --only-passing.",
            id = self.id
        ))
    }

    /// The group that makes `a` and `b` one market, if any.
    pub fn market_group(&self, a: &str, b: &str) -> Option<&MarketGroup> {
        self.market_groups.iter().find(|g| g.holds(a) && g.holds(b))
    }

    /// Every criterion's result for one value.
    pub fn check(&self, claim: &ClaimSpec, value: &ValueFacts) -> Vec<CriterionResult> {
        let cx = Context { claim, value };
        self.criteria
            .iter()
            .map(|c| {
                let (verdict, reason) = (c.check)(&cx, self);
                CriterionResult {
                    rule_set: self.id,
                    criterion: c.id,
                    title: c.title,
                    source: self.document,
                    section: c.section,
                    verdict,
                    reason,
                }
            })
            .collect()
    }
}

/// One criterion's answer for one value.
///
/// Serialised by ids alone (`rule_set`, `criterion`), with the verdict and
/// reason: the criterion's title and section, and its rule set's source
/// document, are the same for every value and are written once, under the
/// check's `rule_sets[].criteria` and `rule_sets[].document`. Repeated per
/// value they made 94 % of a year of quarter-hour values' report (252 MB
/// for 35,136 values; CLM41 finding 1). The app's view still carries them
/// per cell (`CriterionView`), from these fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CriterionResult {
    pub rule_set: &'static str,
    pub criterion: &'static str,
    #[serde(skip)]
    pub title: &'static str,
    #[serde(skip)]
    pub source: &'static str,
    #[serde(skip)]
    pub section: &'static str,
    pub verdict: Verdict,
    pub reason: String,
}

/// The worst verdict: fail over unknown over pass (pass when empty).
pub fn overall<'a>(results: impl IntoIterator<Item = &'a CriterionResult>) -> Verdict {
    results
        .into_iter()
        .map(|r| r.verdict)
        .max()
        .unwrap_or(Verdict::Pass)
}

/// Every rule set, in the order `--rules` lists them.
pub fn rule_sets() -> Vec<RuleSet> {
    vec![ghg_scope2_2015(), re100(), energytag()]
}

/// The rule set `id` (`ghg-scope2-2015`, `re100`, `energytag`), in any
/// case (`RE100`), as `--granularity Hourly` is read.
pub fn rule_set(id: &str) -> Option<RuleSet> {
    rule_sets()
        .into_iter()
        .find(|r| r.id.eq_ignore_ascii_case(id.trim()))
}

const GHG: &str = "GHG Protocol Scope 2 Guidance (WRI/WBCSD, 2015)";
const RE100: &str = "RE100 Technical Criteria, version 4.1 (12 December 2022)";
const ENERGYTAG: &str = "EnergyTag Granular Certificate Scheme Standard (version 2)";

fn ghg_scope2_2015() -> RuleSet {
    RuleSet {
        id: "ghg-scope2-2015",
        name: "GHG Protocol Scope 2 quality criteria",
        version: "2015",
        document: GHG,
        params: vec![
            Param {
                name: "vintage_months_before",
                value: 0,
                unit: "months",
                meaning: "how many months before the reporting period a value's production may lie and pass (the Guidance says \"as close as possible\" and sets no number: 0 is its strictest reading, the reporting period itself)",
            },
            Param {
                name: "vintage_months_after",
                value: 0,
                unit: "months",
                meaning: "how many months after the reporting period a value's production may lie and pass",
            },
        ],
        market_groups: Vec::new(),
        criteria: vec![
            Criterion {
                id: "ghg.retired",
                title: "Retired by or on behalf of the claimant",
                section: "Chapter 7, Table 7.1, criterion 3 (tracked and redeemed, retired or cancelled by or on behalf of the reporting entity)",
                check: retired_for_claimant,
            },
            Criterion {
                id: "ghg.unique",
                title: "Unique claim",
                section: "Chapter 7, Table 7.1, criterion 2 (the only instruments carrying the claim)",
                check: unique,
            },
            Criterion {
                id: "ghg.vintage",
                title: "Vintage close to the consumption period",
                section: "Chapter 7, Table 7.1, criterion 4 (issued and redeemed as close as possible to the period of consumption)",
                check: vintage,
            },
            Criterion {
                id: "ghg.market",
                title: "Same market as the consumption",
                section: "Chapter 7, Table 7.1, criterion 5 (sourced from the same market as the consuming operations)",
                check: market,
            },
        ],
    }
}

/// RE100's European market boundary: the European Union's member states
/// and the EFTA states in the internal energy market (Iceland,
/// Liechtenstein, Norway, Switzerland). Great Britain is not in it
/// (decision 193): check the list against your copy of the criteria.
const EUROPE: MarketGroup = MarketGroup {
    name: "Europe (EU + EFTA)",
    markets: &[
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
        "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
        "CH",
    ],
    meaning: "the European single market counts as one market boundary",
};

fn re100() -> RuleSet {
    RuleSet {
        id: "re100",
        name: "RE100 technical criteria",
        version: "4.1",
        document: RE100,
        params: vec![
            Param {
                name: "max_plant_age_years",
                value: 15,
                unit: "years",
                meaning: "the commissioning or re-powering date limit: the plant (asset_commissioned) commissioned within this many years before the value's production began (exactly this old passes)",
            },
            Param {
                name: "vintage_months_before",
                value: 3,
                unit: "months",
                meaning: "how many months before the reporting period a value's production may lie and pass (EAC Desk's reading of the vintage guidance; check it against your copy). An annual or monthly claim limited to this rule set (--only-passing re100) also lists and allocates such values, to its first matching interval",
            },
            Param {
                name: "vintage_months_after",
                value: 3,
                unit: "months",
                meaning: "how many months after the reporting period a value's production may lie and pass; an annual or monthly claim limited to this rule set allocates such values to its last matching interval",
            },
        ],
        market_groups: vec![EUROPE],
        criteria: vec![
            Criterion {
                id: "re100.age",
                title: "Commissioning or re-powering date limit",
                section: "Commissioning or re-powering date limit (15 years; new in version 4.0)",
                check: plant_age,
            },
            Criterion {
                id: "re100.market",
                title: "Market boundary",
                section: "Market boundary criteria (same market as the consumption; Europe, as an interconnected single market, is one market)",
                check: market,
            },
            Criterion {
                id: "re100.vintage",
                title: "Vintage",
                section: "Making credible claims: vintage of the EACs",
                check: vintage,
            },
            Criterion {
                id: "re100.renewable",
                title: "Renewable source",
                section: "Recognized renewable electricity technologies (wind, solar, geothermal, sustainably sourced biomass including biogas, sustainable hydropower)",
                check: renewable,
            },
            Criterion {
                id: "re100.retired",
                title: "Retired or cancelled for the claimant",
                section: "Making credible claims: attributes retired or cancelled by or on behalf of the company",
                check: retired_for_claimant,
            },
            Criterion {
                id: "re100.unique",
                title: "Claimed once",
                section: "Making credible claims: attributes claimed exclusively, never counted twice",
                check: unique,
            },
        ],
    }
}

fn energytag() -> RuleSet {
    RuleSet {
        id: "energytag",
        name: "EnergyTag granular certificate matching",
        version: "2",
        document: ENERGYTAG,
        params: vec![Param {
            name: "max_interval_minutes",
            value: 60,
            unit: "minutes",
            meaning: "the longest production interval a granular certificate may have",
        }],
        market_groups: Vec::new(),
        criteria: vec![
            Criterion {
                id: "energytag.hour",
                title: "Same hour",
                section: "Temporal matching: certificates matched to consumption in the same hour",
                check: same_hour,
            },
            Criterion {
                id: "energytag.zone",
                title: "Same bidding zone",
                section:
                    "Geographical matching: production and consumption in the same bidding zone",
                check: same_zone,
            },
            Criterion {
                id: "energytag.retired",
                title: "Cancelled for the claimant",
                section: "Cancellation: granular certificates cancelled on behalf of the consumer",
                check: retired_for_claimant,
            },
            Criterion {
                id: "energytag.unique",
                title: "Cancelled once",
                section: "Cancellation: each granular certificate issued, transferred and cancelled once (no double counting)",
                check: unique,
            },
        ],
    }
}

fn eac(v: &ValueFacts) -> String {
    match &v.eac_number {
        Some(n) => format!(
            "EAC {} (number {n}) value {}",
            v.key.cds_eac_id,
            v.key.position + 1
        ),
        None => format!("EAC {} value {}", v.key.cds_eac_id, v.key.position + 1),
    }
}

/// A beneficiary type and its ids as a reason names them: `account A, B`,
/// or the type alone (`general`, which names no ids).
fn party(kind: &str, ids: &[String]) -> String {
    if ids.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind} {}", ids.join(", "))
    }
}

fn retired_for_claimant(cx: &Context, _: &RuleSet) -> (Verdict, String) {
    let v = cx.value;
    let today = cx.claim.today;
    if let Some(later) = v.retired_later(today) {
        // A date still to come: planned, or a mistyped year. Until then the
        // certificate is not retired, and no claim is allocated it.
        return (
            Verdict::Fail,
            format!(
                "{} is retired on {later}, a date still to come (today is {today}): it is not \
                 retired yet, so no claim is allocated it; if the date is a mistake, correct \
                 it in the registry's document and import that again",
                eac(v)
            ),
        );
    }
    if !v.is_retired(today) {
        return (Verdict::Fail, format!("{} is not retired", eac(v)));
    }
    let Some(kind) = v.beneficiary_type else {
        return (
            Verdict::Unknown,
            format!(
                "{} has no beneficiary_type: enter who it was retired for",
                eac(v)
            ),
        );
    };
    if cx.claim.names(Some(kind), &v.beneficiaries) {
        let when = v
            .retired
            .map_or("on an undated retirement".to_owned(), |d| format!("on {d}"));
        // Dates that contradict each other are said, not refused (as
        // `re100.age` says a plant commissioned after it produced): the
        // certificate is retired for the claimant, one date is wrong.
        let early = v.retired_before_produced().map_or(String::new(), |d| {
            format!(
                ", but {d} is before its production ended ({}): a certificate is retired only \
                 once its electricity is produced, so check the retirement date and the \
                 production period",
                v.interval.end
            )
        });
        (
            Verdict::Pass,
            format!(
                "retired {when} for {}{early}",
                party(kind.as_str(), &v.beneficiaries)
            ),
        )
    } else {
        (
            Verdict::Fail,
            format!(
                "retired for {}, not for the claimant ({})",
                party(kind.as_str(), &v.beneficiaries),
                party(cx.claim.beneficiary_type.as_str(), &cx.claim.beneficiaries)
            ),
        )
    }
}

/// `wh` in the claim's unit, exactly ("4 MWh").
fn in_claim_unit(cx: &Context, wh: &BigDecimal) -> String {
    let unit = cx.claim.unit;
    let q = units::convert(wh, EnergyUnit::Wh, unit);
    let q = if bigdecimal::Zero::is_zero(&q) {
        BigDecimal::from(0)
    } else {
        q.normalized()
    };
    format!("{q} {}", unit.as_str())
}

fn unique(cx: &Context, _: &RuleSet) -> (Verdict, String) {
    let v = cx.value;
    // The same certificate stored twice (`eacdesk check`): whatever the
    // claims, both copies could be counted.
    if !v.stored_twice.is_empty() {
        let others: Vec<String> = v
            .stored_twice
            .iter()
            .map(|t| {
                format!(
                    "EAC `{}` ({} in {}: {} certificate{} shared)",
                    t.other_eac,
                    t.kind_words(),
                    t.registry,
                    t.shared,
                    if t.shared == "1" { "" } else { "s" }
                )
            })
            .collect();
        return (
            Verdict::Fail,
            format!(
                "{} holds certificates that another stored EAC holds too: {}; counted in both \
                 they would be claimed twice. `eacdesk check` lists them: delete the copy that \
                 should not be stored (`eacdesk delete CDS_EAC_ID --reason …`)",
                eac(v),
                others.join("; ")
            ),
        );
    }
    if let Some(share) = &v.recorded_share {
        return (
            Verdict::Pass,
            format!(
                "this recorded claim holds {} of it; no claim is given more of a value than \
                 other claims left of it, so none counts this part",
                in_claim_unit(cx, share)
            ),
        );
    }
    if v.other_claims.is_empty() {
        return (
            Verdict::Pass,
            "allocated to no other claim, and no other stored EAC holds its certificates"
                .to_owned(),
        );
    }
    let ids: Vec<String> = v
        .other_claims
        .iter()
        .map(|c| format!("claim {c}"))
        .collect();
    let free = v.free_wh();
    if bigdecimal::Signed::is_positive(&free) {
        (
            Verdict::Pass,
            format!(
                "{} of it is allocated to {}; this claim can use only the other {}",
                in_claim_unit(cx, &v.allocated_elsewhere),
                ids.join(", "),
                in_claim_unit(cx, &free)
            ),
        )
    } else {
        (
            Verdict::Fail,
            format!("{} is wholly allocated to {}", eac(v), ids.join(", ")),
        )
    }
}

fn vintage(cx: &Context, set: &RuleSet) -> (Verdict, String) {
    let (before, after) = (
        set.param("vintage_months_before"),
        set.param("vintage_months_after"),
    );
    let window = cx.claim.window(before, after);
    let v = cx.value;
    let what = if v.batch {
        "its EAC's period"
    } else {
        "its production"
    };
    let range = format!("{} to {}", v.interval.start, v.interval.end);
    let allowed = if before == 0 && after == 0 {
        format!("the reporting period {} to {}", cx.claim.from, cx.claim.to)
    } else {
        format!(
            "the reporting period {} to {} widened by {before} month(s) before and {after} after \
             ({} to {})",
            cx.claim.from, cx.claim.to, window.start, window.end
        )
    };
    if !window.contains(&v.interval) {
        let how = if v.interval.overlaps(&window) {
            "partly outside"
        } else {
            "outside"
        };
        return (
            Verdict::Fail,
            format!("{what} ({range}) lies {how} {allowed}"),
        );
    }
    // Only a claim limited to this rule set takes values from outside the
    // period (decision 264); say so where it matters.
    let period = cx.claim.period();
    let partly = if v.interval.overlaps(&period) {
        "partly "
    } else {
        ""
    };
    let outside = if period.contains(&v.interval) {
        String::new()
    } else if cx.claim.granularity == Granularity::Hourly {
        "; an hourly claim matches only values of the hour".to_owned()
    } else if cx.claim.only_passing.as_deref() == Some(set.id) {
        format!(
            "; it lies {partly}outside the period, and this claim is limited to this rule set \
             (--only-passing {}), so it may be allocated",
            set.id
        )
    } else {
        format!(
            "; it lies {partly}outside the period, so only a claim limited to this rule set \
             (--only-passing {}) allocates it",
            set.id
        )
    };
    (
        Verdict::Pass,
        format!("{what} ({range}) lies within {allowed}{outside}"),
    )
}

fn market(cx: &Context, set: &RuleSet) -> (Verdict, String) {
    let Some(claim) = cx.claim.market.as_deref() else {
        return (
            Verdict::Unknown,
            "the claim names no market: give the market of the consumption (--market)".to_owned(),
        );
    };
    let v = cx.value;
    let Some(found) = v.market.as_deref() else {
        return (
            Verdict::Unknown,
            format!(
                "{} has no market: neither eacdesk_market nor eacdesk_device_country is set",
                eac(v)
            ),
        );
    };
    if same_market(claim, found) {
        (
            Verdict::Pass,
            format!("produced in {found}, the claim's market"),
        )
    } else if let Some(group) = set.market_group(claim, found) {
        (
            Verdict::Pass,
            format!(
                "produced in {found}, the consumption is in {claim}: one market, {}",
                group.name
            ),
        )
    } else {
        (
            Verdict::Fail,
            format!("produced in {found}, the consumption is in {claim}"),
        )
    }
}

fn plant_age(cx: &Context, set: &RuleSet) -> (Verdict, String) {
    let v = cx.value;
    let years = set.param("max_plant_age_years");
    let Some(commissioned) = v.asset_commissioned else {
        return (
            Verdict::Unknown,
            format!(
                "{} has no asset_commissioned date: enter it to check the {years}-year limit",
                eac(v)
            ),
        );
    };
    let c = commissioned.as_naive();
    let limit = NaiveDate::from_ymd_opt(c.year() + years as i32, c.month(), c.day())
        .or_else(|| NaiveDate::from_ymd_opt(c.year() + years as i32, c.month(), 28))
        .unwrap_or(c);
    let produced = v.interval.start;
    // "Commissioned or re-powered within the last 15 years": a plant
    // exactly 15 years old when it produced still passes.
    if produced < midnight(c) {
        // Younger than the limit, but the dates contradict each other (a
        // re-powering date entered as the commissioning date, or a typo).
        (
            Verdict::Pass,
            format!(
                "commissioned {commissioned}, after the value's production began ({produced}): \
                 within the {years}-year limit, but a plant produces only once commissioned, \
                 so check asset_commissioned"
            ),
        )
    } else if produced <= midnight(limit) {
        (
            Verdict::Pass,
            format!(
                "commissioned {commissioned}, within {years} years before it produced \
                 ({produced}; {years} years old on {limit})"
            ),
        )
    } else {
        (
            Verdict::Fail,
            format!(
                "commissioned {commissioned}: {years} years old on {limit}, before it produced \
                 ({produced}), so more than {years} years old then; a re-powering date, if any, \
                 is not recorded"
            ),
        )
    }
}

/// Whether RE100 counts electricity from `technology` as renewable: wind,
/// solar, hydro, geothermal, biomass (sustainably sourced, incl. biogas) and
/// marine (water) do; fossil fuels, nuclear and storage (a store, not a
/// source) do not.
pub fn is_renewable(technology: TechnologyType) -> bool {
    match technology {
        TechnologyType::Solar
        | TechnologyType::Wind
        | TechnologyType::Hydro
        | TechnologyType::Geothermal
        | TechnologyType::Biomass
        | TechnologyType::Marine => true,
        TechnologyType::Coal
        | TechnologyType::NaturalGas
        | TechnologyType::Oil
        | TechnologyType::Nuclear
        | TechnologyType::Storage => false,
    }
}

fn renewable(cx: &Context, _: &RuleSet) -> (Verdict, String) {
    let v = cx.value;
    let Some(technology) = v.technology else {
        return (
            Verdict::Unknown,
            format!(
                "{} has no technology_type: enter it to check that it is renewable",
                eac(v)
            ),
        );
    };
    let name = technology.as_str();
    if !is_renewable(technology) {
        let why = match technology {
            TechnologyType::Nuclear => "nuclear power is not renewable",
            TechnologyType::Storage => {
                "storage releases electricity produced elsewhere: it is no source"
            }
            _ => "a fossil fuel is not renewable",
        };
        return (
            Verdict::Fail,
            format!("produced from {name}: {why}; RE100 counts renewable electricity only"),
        );
    }
    let note = match technology {
        TechnologyType::Biomass => {
            " (RE100 asks for sustainably sourced biomass: EAC Desk cannot check the sourcing)"
        }
        TechnologyType::Hydro => {
            " (RE100 asks for sustainable hydropower: EAC Desk cannot check it)"
        }
        _ => "",
    };
    (
        Verdict::Pass,
        format!("produced from {name}, a renewable source{note}"),
    )
}

fn same_hour(cx: &Context, set: &RuleSet) -> (Verdict, String) {
    let v = cx.value;
    let max = set.param("max_interval_minutes");
    let minutes = (v.interval.end.as_utc() - v.interval.start.as_utc()).num_minutes();
    // Only a short value can lie in one clock hour: a year-long batch value
    // is refused without cutting it into its 8760 hours.
    if minutes > i64::from(max) || Granularity::Hourly.buckets(v.interval).len() > 1 {
        return (
            Verdict::Fail,
            format!(
                "{} covers {} to {}, not one hour: it cannot be matched hour by hour",
                eac(v),
                v.interval.start,
                v.interval.end
            ),
        );
    }
    if cx.claim.granularity != Granularity::Hourly {
        return (
            Verdict::Fail,
            format!(
                "the claim is matched {}, not hour by hour: make an hourly claim",
                match cx.claim.granularity {
                    Granularity::Annual => "over the whole period",
                    _ => "by month",
                }
            ),
        );
    }
    (
        Verdict::Pass,
        format!(
            "produced {} to {}, matched in that hour",
            v.interval.start, v.interval.end
        ),
    )
}

fn same_zone(cx: &Context, _: &RuleSet) -> (Verdict, String) {
    let Some(claim) = cx.claim.bidding_zone.as_deref() else {
        return (
            Verdict::Unknown,
            "the claim names no bidding zone: give the consumption's zone (--bidding-zone)"
                .to_owned(),
        );
    };
    let v = cx.value;
    let Some(found) = v.bidding_zone.as_deref() else {
        return (
            Verdict::Unknown,
            format!(
                "{} has no bidding zone: neither eacdesk_bidding_zone nor \
                 eacdesk_issue_market_zone is set",
                eac(v)
            ),
        );
    };
    if same_market(claim, found) {
        (Verdict::Pass, format!("produced in bidding zone {found}"))
    } else {
        (
            Verdict::Fail,
            format!("produced in bidding zone {found}, the consumption is in {claim}"),
        )
    }
}
