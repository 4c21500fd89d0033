//! The claim model shared by the reader, the allocation, the rules and the
//! report.

use bigdecimal::{BigDecimal, Signed, Zero};
use chrono::{Datelike, Duration, Months, NaiveDate, TimeZone, Timelike, Utc};
use eac_model::{BeneficiaryType, Date, EnergyUnit, TechnologyType, Timestamp};
use serde::{Deserialize, Serialize};

/// A half-open span of time `[start, end)` in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Interval {
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Interval {
    pub fn new(start: Timestamp, end: Timestamp) -> Option<Interval> {
        (start < end).then_some(Interval { start, end })
    }

    /// The days `from`..`to` (`to` exclusive), midnight UTC.
    pub fn of_days(from: Date, to: Date) -> Option<Interval> {
        Interval::new(midnight(from.as_naive()), midnight(to.as_naive()))
    }

    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }

    pub fn contains(&self, other: &Interval) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// 00:00 UTC of `day`.
pub fn midnight(day: NaiveDate) -> Timestamp {
    Timestamp::from_utc(Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight")))
}

/// How finely consumption and values are matched (issue 15 item 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// One interval: the whole reporting period.
    Annual,
    /// Calendar months (UTC).
    Monthly,
    /// Clock hours (UTC).
    Hourly,
}

impl Granularity {
    pub const ALL: [Granularity; 3] = [
        Granularity::Annual,
        Granularity::Monthly,
        Granularity::Hourly,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Granularity::Annual => "annual",
            Granularity::Monthly => "monthly",
            Granularity::Hourly => "hourly",
        }
    }

    pub fn parse(text: &str) -> Option<Granularity> {
        Granularity::ALL
            .into_iter()
            .find(|g| g.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// The matching intervals of `period`, in order: the period itself,
    /// its calendar months (clipped to the period) or its clock hours.
    pub fn buckets(self, period: Interval) -> Vec<Interval> {
        let mut out = Vec::new();
        let mut at = period.start;
        while at < period.end {
            let next = match self {
                Granularity::Annual => period.end,
                Granularity::Monthly => {
                    let d = at.as_utc().date_naive();
                    let (y, m) = if d.month() == 12 {
                        (d.year() + 1, 1)
                    } else {
                        (d.year(), d.month() + 1)
                    };
                    midnight(NaiveDate::from_ymd_opt(y, m, 1).expect("first of a month"))
                }
                Granularity::Hourly => {
                    Timestamp::from_utc(hour_start(at).as_utc() + Duration::hours(1))
                }
            }
            .min(period.end);
            out.push(Interval {
                start: at,
                end: next,
            });
            at = next;
        }
        out
    }
}

/// The start of the UTC clock hour `t` lies in: the hours an hourly
/// claim matches ([`Granularity::buckets`]).
pub fn hour_start(t: Timestamp) -> Timestamp {
    let u = t.as_utc();
    Timestamp::from_utc(
        u.with_minute(0)
            .and_then(|u| u.with_second(0))
            .and_then(|u| u.with_nanosecond(0))
            .expect("the start of an hour"),
    )
}

/// `t` moved `months` calendar months forward or back (day clipped to the
/// month's last); `t` itself past the calendar's ends.
pub fn add_months(t: Timestamp, months: u32, forward: bool) -> Timestamp {
    let d = t.as_utc();
    let m = Months::new(months);
    let moved = if forward {
        d.checked_add_months(m)
    } else {
        d.checked_sub_months(m)
    };
    Timestamp::from_utc(moved.unwrap_or(d))
}

/// The most matching intervals one claim may have: ten years of clock
/// hours (10 × 366 × 24). Beyond it the per-interval figures would grow
/// without bound (0001-01-01 to 9999-12-30 hourly is 87.6 million hours).
pub const MAX_INTERVALS: u64 = 87_840;

/// What a claim is about: a beneficiary (or several of one type), a
/// reporting period, a matching granularity and where the consumption is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimSpec {
    pub beneficiary_type: BeneficiaryType,
    pub beneficiaries: Vec<String>,
    /// First day, inclusive (UTC).
    pub from: Date,
    /// Last day, inclusive (UTC).
    pub to: Date,
    pub granularity: Granularity,
    /// The market the consumption is in (a country or market code, as the
    /// emission factors name it); `None`: not said, market criteria are
    /// unknown.
    pub market: Option<String>,
    /// The bidding zone of the consumption (EnergyTag); `None`: not said.
    pub bidding_zone: Option<String>,
    /// The unit the report is given in.
    pub unit: EnergyUnit,
    /// The rule set allocation is limited to (`--only-passing`), if any:
    /// its vintage window admits values outside the period (decision 264),
    /// and its criteria say so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_passing: Option<String>,
    /// The day (UTC) the claim is checked and allocated on: a retirement
    /// dated after it has not happened, so it is no retirement yet
    /// ([`ValueFacts::is_retired`]). Set from the clock once, where the
    /// claim is read (`eac_app::claims`), so every criterion and the
    /// allocation see the same day and tests can give their own.
    pub today: Date,
}

/// The latest last day of a reporting period: the period ends at 00:00
/// after its last day, and a time stored after 9999 (`+10000-01-01…`)
/// would compare below every other as text, so 9999-12-31 would silently
/// leave out all consumption.
pub fn last_reporting_day() -> Date {
    Date::from_naive(NaiveDate::from_ymd_opt(9999, 12, 30).expect("a day"))
}

/// Why a claim cannot end on `to`, in plain words; `None` when it can.
pub fn last_day_problem(to: Date) -> Option<String> {
    let last = last_reporting_day();
    (to > last).then(|| {
        format!(
            "The last day ({to}) is after {last}, the latest a reporting period can end on; \
             give the claim's real last day."
        )
    })
}

impl ClaimSpec {
    /// `[from 00:00, to + 1 day 00:00)` UTC.
    pub fn period(&self) -> Interval {
        let end = self.to.as_naive().succ_opt().expect("a day after");
        Interval::new(midnight(self.from.as_naive()), midnight(end))
            .expect("to is not before from (checked where the claim is made)")
    }

    /// The period widened by `before` months before it and `after` months
    /// after it (a rule set's vintage window), in whole days: from the
    /// first day moved `before` months back to the end of the last day
    /// moved `after` months on. The months are added to the last day, not
    /// to the exclusive end (the day after it): 29 Nov + 3 months is 28 Feb
    /// (clipped), which the window holds whole, where 30 Nov (the end) + 3
    /// months clipped to 28 Feb 00:00 and left that day out.
    pub fn window(&self, before: u32, after: u32) -> Interval {
        let period = self.period();
        let last = midnight(self.to.as_naive());
        let last_moved = add_months(last, after, true).as_utc().date_naive();
        let end = last_moved
            .succ_opt()
            .map_or(period.end, midnight)
            .max(period.end);
        Interval {
            start: add_months(period.start, before, false),
            end,
        }
    }

    /// How many matching intervals the claim has, counted without making
    /// them.
    pub fn interval_count(&self) -> u64 {
        let (from, to) = (self.from.as_naive(), self.to.as_naive());
        match self.granularity {
            Granularity::Annual => 1,
            Granularity::Monthly => {
                let months = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
                (months(to) - months(from) + 1) as u64
            }
            Granularity::Hourly => ((to - from).num_days() as u64 + 1) * 24,
        }
    }

    /// Why the claim has too many matching intervals to match, in plain
    /// words; `None` when it has at most [`MAX_INTERVALS`].
    pub fn interval_count_problem(&self) -> Option<String> {
        let n = self.interval_count();
        (n > MAX_INTERVALS).then(|| {
            let (article, intervals) = match self.granularity {
                Granularity::Hourly => ("An", "matching intervals (clock hours)"),
                Granularity::Monthly => ("A", "matching intervals (calendar months)"),
                Granularity::Annual => ("An", "matching intervals"),
            };
            format!(
                "{article} {} claim from {} to {} has {n} {intervals}; one claim may have at \
                 most {MAX_INTERVALS} matching intervals, as many as ten years of clock hours. \
                 Give a shorter period{}.",
                self.granularity.as_str(),
                self.from,
                self.to,
                match self.granularity {
                    Granularity::Hourly => ", or choose a coarser granularity (monthly or annual)",
                    Granularity::Monthly => ", or choose annual matching",
                    // One interval: never too many.
                    Granularity::Annual => "",
                }
            )
        })
    }

    /// Whether consumption or an EAC of `kind`/`ids` belongs to this claim.
    pub fn names(&self, kind: Option<BeneficiaryType>, ids: &[String]) -> bool {
        kind == Some(self.beneficiary_type)
            && (self.beneficiary_type == BeneficiaryType::General
                || ids.iter().any(|id| self.beneficiaries.contains(id)))
    }
}

/// One EAC value by the EAC's id and its position among the values.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ValueKey {
    pub cds_eac_id: String,
    pub position: u32,
}

/// Certificates of a value that another stored EAC holds too: the same
/// certificate stored twice, as `eacdesk check` finds it (overlapping
/// ranges of one registry, or one certificate number retired in two EACs
/// of one source). Counted in both, it would be claimed twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTwice {
    /// The other EAC holding them.
    pub other_eac: String,
    /// `eacdesk check`'s kind of finding: `overlap`, `claimed_twice` or
    /// `retired_twice`.
    pub kind: String,
    /// The registry (or source) whose numbers they are.
    pub registry: String,
    /// How many certificates both hold, exactly.
    pub shared: String,
}

impl StoredTwice {
    /// The finding as `eacdesk check` names its kind.
    pub fn kind_words(&self) -> &str {
        match self.kind.as_str() {
            "overlap" => "overlapping ranges",
            "claimed_twice" => "claimed for two beneficiaries",
            "retired_twice" => "retired twice",
            other => other,
        }
    }
}

/// What the criteria and the allocation know about one EAC value.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueFacts {
    pub key: ValueKey,
    pub eac_number: Option<String>,
    pub beneficiary_type: Option<BeneficiaryType>,
    pub beneficiaries: Vec<String>,
    pub retired: Option<Date>,
    /// Retirement proven by its document without a date.
    pub retired_undated: bool,
    /// The value's own `start`/`end`, else its EAC's period (batch values).
    pub interval: Interval,
    /// The value had no `start`/`end`: `interval` is its EAC's period.
    pub batch: bool,
    pub asset_commissioned: Option<Date>,
    /// The EAC's `technology_type`; `None`: not entered (incomplete).
    pub technology: Option<TechnologyType>,
    /// `eacdesk_market`, else `eacdesk_device_country`, as stored.
    pub market: Option<String>,
    /// `eacdesk_bidding_zone`, else `eacdesk_issue_market_zone` (an
    /// EnergyTag bundle's `issue_market_zone`), as stored.
    pub bidding_zone: Option<String>,
    pub unit: EnergyUnit,
    pub quantity: BigDecimal,
    /// Already allocated to other claims (Wh), and their ids.
    pub allocated_elsewhere: BigDecimal,
    pub other_claims: Vec<i64>,
    /// What the recorded claim being checked gave it (Wh); `None` for a
    /// claim allocated now. A recorded claim's uniqueness is its own share,
    /// which the store never lets other claims overlap (decision 171), so
    /// its statement does not change when other claims come and go.
    pub recorded_share: Option<BigDecimal>,
    /// Other stored EACs holding certificates of this value (empty: none).
    pub stored_twice: Vec<StoredTwice>,
}

impl ValueFacts {
    /// Retired by `today`: on a day up to it, or proven by its document
    /// without a date. A retirement dated after `today` is still to come
    /// (a planned retirement, or a mistyped year): no criterion counts it
    /// and no claim is allocated it until that day.
    pub fn is_retired(&self, today: Date) -> bool {
        self.retired.map_or(self.retired_undated, |d| d <= today)
    }

    /// The retirement date when it lies after `today` (see
    /// [`ValueFacts::is_retired`]).
    pub fn retired_later(&self, today: Date) -> Option<Date> {
        self.retired.filter(|d| *d > today)
    }

    /// The retirement date when it lies before the last day (UTC) of the
    /// value's production: a certificate exists, and is retired, only once
    /// its electricity is produced, so one of the dates is wrong. Said in
    /// `retired` criteria's reasons; not refused, as `re100.age` does with
    /// a plant commissioned after it produced.
    pub fn retired_before_produced(&self) -> Option<Date> {
        let last_day = (self.interval.end.as_utc() - Duration::nanoseconds(1)).date_naive();
        self.retired.filter(|d| d.as_naive() < last_day)
    }

    /// The quantity in Wh.
    pub fn quantity_wh(&self) -> BigDecimal {
        eac_model::units::convert(&self.quantity, self.unit, EnergyUnit::Wh)
    }

    /// What other claims left of it (Wh, never below 0).
    pub fn free_wh(&self) -> BigDecimal {
        let left = self.quantity_wh() - &self.allocated_elsewhere;
        if left.is_negative() {
            BigDecimal::zero()
        } else {
            left
        }
    }
}

/// Same market: compared case-insensitively, surrounding spaces ignored
/// (decision 175).
pub fn same_market(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[test]
    fn months_are_calendar_months_clipped_to_the_period() {
        let p = Interval::new(t("2024-01-15T00:00:00Z"), t("2024-03-10T00:00:00Z")).unwrap();
        let b = Granularity::Monthly.buckets(p);
        assert_eq!(b.len(), 3);
        assert_eq!(b[0].end, t("2024-02-01T00:00:00Z"));
        assert_eq!(b[2].start, t("2024-03-01T00:00:00Z"));
        assert_eq!(b[2].end, t("2024-03-10T00:00:00Z"));
    }

    #[test]
    fn a_period_ends_by_9999_12_30() {
        let day = |s: &str| Date::parse(s).unwrap();
        assert_eq!(last_day_problem(day("9999-12-30")), None);
        assert_eq!(last_day_problem(day("2024-12-31")), None);
        let text = last_day_problem(day("9999-12-31")).unwrap();
        assert!(text.contains("after 9999-12-30"), "{text}");
    }

    #[test]
    fn a_claim_counts_its_intervals_and_refuses_more_than_ten_years_of_hours() {
        let spec = |from: &str, to: &str, granularity| ClaimSpec {
            beneficiary_type: BeneficiaryType::Account,
            beneficiaries: vec!["a".into()],
            from: Date::parse(from).unwrap(),
            to: Date::parse(to).unwrap(),
            granularity,
            market: None,
            bidding_zone: None,
            unit: EnergyUnit::MWh,
            only_passing: None,
            today: Date::parse("2026-12-07").unwrap(),
        };
        for (from, to, g) in [
            ("2024-01-15", "2024-03-10", Granularity::Monthly),
            ("2024-06-01", "2024-06-02", Granularity::Hourly),
            ("2023-12-01", "2025-01-31", Granularity::Monthly),
            ("2024-01-01", "2024-12-31", Granularity::Hourly),
        ] {
            let s = spec(from, to, g);
            assert_eq!(
                s.interval_count(),
                g.buckets(s.period()).len() as u64,
                "{from} {to}"
            );
        }
        assert_eq!(
            spec("2015-01-01", "2024-12-31", Granularity::Hourly).interval_count_problem(),
            None
        );
        let text = spec("0001-01-01", "9999-12-30", Granularity::Hourly)
            .interval_count_problem()
            .unwrap();
        assert!(
            text.starts_with("An hourly claim from 0001-01-01 to 9999-12-30 has 87649392 matching intervals (clock hours); one claim may have at most 87840 matching intervals, as many as ten years of clock hours."),
            "{text}"
        );
        assert_eq!(
            spec("0001-01-01", "9999-12-30", Granularity::Annual).interval_count_problem(),
            None
        );
        // A monthly claim is told of annual matching, not of itself.
        let text = spec("0001-01-01", "9999-12-30", Granularity::Monthly)
            .interval_count_problem()
            .unwrap();
        assert!(
            text.ends_with("Give a shorter period, or choose annual matching."),
            "{text}"
        );
    }

    #[test]
    fn a_day_has_24_hours_and_a_year_one_bucket() {
        let p = Interval::new(t("2024-06-01T00:00:00Z"), t("2024-06-02T00:00:00Z")).unwrap();
        assert_eq!(Granularity::Hourly.buckets(p).len(), 24);
        assert_eq!(Granularity::Annual.buckets(p), vec![p]);
    }
}
