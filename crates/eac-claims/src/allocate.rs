//! The allocation: retired values matched to consumption, exactly.
//!
//! Consumption is summed per matching interval ([`Granularity::buckets`]);
//! a consumption row must lie inside one interval (an hourly claim needs
//! hourly consumption), since splitting a row by time would invent a
//! profile (decision 173). Intervals are filled in time order; within one,
//! values are taken by their own start, end and key, each up to what is
//! left of it. A value is eligible for an interval when
//! - annual or monthly: its interval lies inside the claim's window (the
//!   reporting period, widened by the vintage window of the rule set the
//!   claim is limited to: RE100's 3 months either side) and overlaps the
//!   interval; a value lying wholly before the period backs its first
//!   interval, one wholly after it its last (the nearest; decision 264).
//!   Values overlapping the period are taken before those outside it;
//! - hourly: its interval lies inside the clock hour (EnergyTag's
//!   granular certificates are 15-minute or hourly) or covers the whole
//!   hour; one crossing the hour's edge without covering it is not.
//!
//! Quantities are BigDecimal Wh (units converted by shifting the decimal
//! point): min and subtraction only, so nothing is rounded, no value is
//! allocated beyond its quantity and no interval beyond its consumption.

use std::collections::HashMap;

use bigdecimal::{BigDecimal, Zero};
use eac_model::{units, EnergyUnit};

use crate::model::{hour_start, Granularity, Interval, ValueKey};

/// A value's quantity still free to allocate.
#[derive(Debug, Clone, PartialEq)]
pub struct Supply {
    pub key: ValueKey,
    pub interval: Interval,
    /// In Wh.
    pub available: BigDecimal,
}

/// Consumption over an interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Demand {
    pub interval: Interval,
    /// In Wh.
    pub quantity: BigDecimal,
    /// The file line or stored row it came from, for errors.
    pub label: String,
}

/// Part of one value given to one interval (Wh).
#[derive(Debug, Clone, PartialEq)]
pub struct Allocation {
    pub key: ValueKey,
    pub interval: Interval,
    pub quantity: BigDecimal,
}

/// One matching interval's figures (Wh).
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    pub interval: Interval,
    pub consumption: BigDecimal,
    pub matched: BigDecimal,
    /// Consumption left unmatched.
    pub shortfall: BigDecimal,
    /// What is left of the values first eligible in this interval; `None`
    /// for a recorded claim's figures ([`settle`]), which are a statement
    /// of what it allocated, not of what is free now.
    pub surplus: Option<BigDecimal>,
}

/// The whole allocation of a claim.
#[derive(Debug, Clone, PartialEq)]
pub struct Matching {
    pub buckets: Vec<Bucket>,
    pub allocations: Vec<Allocation>,
    /// Values eligible for no interval of the claim.
    pub ineligible: Vec<ValueKey>,
}

impl Matching {
    pub fn consumption(&self) -> BigDecimal {
        self.buckets.iter().map(|b| &b.consumption).sum()
    }
    pub fn matched(&self) -> BigDecimal {
        self.buckets.iter().map(|b| &b.matched).sum()
    }
    /// The surplus of every interval; `None` for a recorded claim.
    pub fn surplus(&self) -> Option<BigDecimal> {
        self.buckets.iter().map(|b| b.surplus.as_ref()).sum()
    }
    /// What `key` was given, in total (Wh).
    pub fn allocated_to(&self, key: &ValueKey) -> BigDecimal {
        self.allocations
            .iter()
            .filter(|a| &a.key == key)
            .map(|a| &a.quantity)
            .sum()
    }
    /// What each value was given, in total (Wh): one pass, for callers
    /// asking about every value.
    pub fn allocated_per_value(&self) -> HashMap<&ValueKey, BigDecimal> {
        let mut out: HashMap<&ValueKey, BigDecimal> = HashMap::new();
        for a in &self.allocations {
            *out.entry(&a.key).or_default() += &a.quantity;
        }
        out
    }
}

/// A consumption row that does not fit the claim's intervals.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.words())]
pub struct AllocateError {
    pub label: String,
    pub start: String,
    pub end: String,
    /// The row's interval (`start`/`end` as instants).
    pub interval: Interval,
    pub granularity: &'static str,
    /// The reporting period (UTC days) when the row reaches outside it;
    /// `None`: it crosses the edge of a month or hour inside it.
    pub period: Option<Interval>,
}

/// A length of time as people say it: `1 hour`, `90 minutes`, `3 days`,
/// `2 days 5 hours`, `1 second`.
fn length_words(d: chrono::Duration) -> String {
    let unit = |n: i64, one: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {one}s")
        }
    };
    let (days, hours) = (d.num_days(), d.num_hours() % 24);
    let (minutes, seconds) = (d.num_minutes() % 60, d.num_seconds() % 60);
    match (days, hours, minutes, seconds) {
        (0, 0, 0, s) => unit(s.max(1), "second"),
        (0, 0, m, _) => unit(m, "minute"),
        (0, h, 0, _) => unit(h, "hour"),
        (0, h, m, _) => format!("{} {}", unit(h, "hour"), unit(m, "minute")),
        (d, 0, _, _) => unit(d, "day"),
        (d, h, _, _) => format!("{} {}", unit(d, "day"), unit(h, "hour")),
    }
}

impl AllocateError {
    fn words(&self) -> String {
        let row = format!(
            "consumption {} ({} to {})",
            self.label, self.start, self.end
        );
        match (&self.period, self.granularity) {
            (Some(period), _) => self.edge_words(&row, period),
            (None, "monthly") => format!(
                "{row} crosses the edge of a calendar month (months are UTC calendar months: \
                 a month given in local time, such as 2024-03-01T00:00:00+01:00 to \
                 2024-04-01T00:00:00+02:00, crosses two); give consumption per UTC calendar \
                 month or choose annual matching"
            ),
            (None, "hourly") => self.hourly_words(&row),
            (None, g) => format!("{row} crosses the edge of a {g} matching interval"),
        }
    }
}

impl AllocateError {
    /// Which edge of the reporting period (UTC days) a row crosses, and by
    /// how much: the row starts before its first day, ends after its last,
    /// or both. Less than a day past an edge is the mark of a file written
    /// in local time (a month at +01:00 starts at 23:00 UTC the day
    /// before), said so, as the report's `not_counted` lines say it.
    fn edge_words(&self, row: &str, period: &Interval) -> String {
        let first = period.start.as_utc().date_naive();
        let last = (period.end.as_utc() - chrono::Duration::days(1)).date_naive();
        let (row_start, row_end) = (self.interval.start.as_utc(), self.interval.end.as_utc());
        let before =
            (self.interval.start < period.start).then(|| period.start.as_utc() - row_start);
        let after = (self.interval.end > period.end).then(|| row_end - period.end.as_utc());
        let starts = |d: chrono::Duration| {
            format!(
                "starts {} before the period's first day ({first}, from 00:00 UTC)",
                length_words(d)
            )
        };
        let ends = |d: chrono::Duration| {
            format!(
                "ends {} after the period's last day ({last}, to 24:00 UTC)",
                length_words(d)
            )
        };
        let crosses = match (before, after) {
            (Some(b), Some(a)) => format!("{} and {}", starts(b), ends(a)),
            (Some(b), None) => starts(b),
            (None, Some(a)) => ends(a),
            (None, None) => "lies partly outside the reporting period".to_owned(),
        };
        let local = if before
            .into_iter()
            .chain(after)
            .any(|d| d < chrono::Duration::days(1))
        {
            "; a reporting period is of UTC days, and a file written in local time (such as \
             +01:00) reaches past them"
        } else {
            ""
        };
        format!(
            "{row} {crosses}: it lies partly outside the reporting period ({first} to {last}, \
             UTC days){local}. Consumption is not split by time: give a period that holds the \
             whole row, or rows that end at the period's edges (in UTC)"
        )
    }

    /// Why a row does not fit a clock hour of an hourly claim. A row of an
    /// hour or less that crosses an hour's edge is one that does not line
    /// up with UTC clock hours (its zone's offset is not whole hours, as
    /// +05:30): "give hourly rows" would be no help, as they are hourly.
    fn hourly_words(&self, row: &str) -> String {
        use chrono::Timelike;
        let (start, end) = (self.interval.start.as_utc(), self.interval.end.as_utc());
        if end - start > chrono::Duration::hours(1) {
            return format!(
                "{row} is longer than an hour, and an hourly claim matches consumption per UTC \
                 clock hour: give rows of an hour or less, lying within UTC clock hours, or choose \
                 monthly or annual matching"
            );
        }
        // The longest rows (minutes, dividing the hour) that would lie
        // within UTC clock hours where this one starts and ends.
        let whole_minutes = |t: &chrono::DateTime<chrono::Utc>| {
            (t.second() == 0 && t.nanosecond() == 0).then_some(t.minute())
        };
        let rows_of = match (whole_minutes(&start), whole_minutes(&end)) {
            (Some(a), Some(b)) => Some(gcd(gcd(60, a), b)).filter(|m| *m >= 5),
            _ => None,
        };
        let give = match rows_of {
            Some(m) => format!("rows of {m} minutes, which lie within UTC clock hours,"),
            None => "rows that lie within UTC clock hours".to_owned(),
        };
        let at = eac_model::clock_words(self.interval.start);
        format!(
            "{row} does not line up with the clock hours an hourly claim matches: hourly \
             matching uses UTC clock hours (10:00 to 11:00 UTC and so on), and this row starts at \
             {at} UTC, so it lies across the edge of one. Hourly rows written in a time zone whose \
             offset is not a whole number of hours (such as +05:30, +05:45, +09:30 or -03:30) \
             never line up with UTC clock hours; give the consumption in {give} or choose monthly \
             or annual matching"
        )
    }
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// `quantity` in `unit` as Wh, exactly.
pub fn to_wh(quantity: &BigDecimal, unit: EnergyUnit) -> BigDecimal {
    units::convert(quantity, unit, EnergyUnit::Wh)
}

/// Where a claim's values may come from: its reporting period and its
/// window (the period, or wider by a vintage window; annual and monthly
/// claims only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    pub period: Interval,
    pub window: Interval,
    pub granularity: Granularity,
}

impl Scope {
    /// The scope of `period` without a window.
    pub fn of(period: Interval, granularity: Granularity) -> Scope {
        Scope {
            period,
            window: period,
            granularity,
        }
    }

    /// Whether a value over `value` may back the matching interval
    /// `bucket`, the `i`th of `n` (the rule in the module text).
    fn eligible(&self, value: &Interval, bucket: &Interval, i: usize, n: usize) -> bool {
        match self.granularity {
            Granularity::Annual | Granularity::Monthly => {
                self.window.contains(value)
                    && (value.overlaps(bucket)
                        || (i == 0 && value.end <= self.period.start)
                        || (i + 1 == n && value.start >= self.period.end))
            }
            // The hour is the matching interval: a value produced within it
            // (as `energytag.hour` passes it) backs it, as does one covering it.
            Granularity::Hourly => value.contains(bucket) || bucket.contains(value),
        }
    }
}

/// Whether a value over `value` backs no clock hour of `period` (UTC days)
/// in an hourly claim: it lies within no clock hour and covers no whole
/// hour of the period, as [`Scope`]'s hourly rule has it (a value crossing
/// an hour's edge without covering one; decisions 172, 250).
pub fn backs_no_hour(value: &Interval, period: &Interval) -> bool {
    let hour = chrono::Duration::hours(1);
    // Within the clock hour it starts in.
    let first = hour_start(value.start);
    if value.end.as_utc() <= first.as_utc() + hour {
        return false;
    }
    // Covering the first whole hour of the period that starts in it.
    let from = value.start.max(period.start);
    let mut at = hour_start(from);
    if at < from {
        at = eac_model::Timestamp::from_utc(at.as_utc() + hour);
    }
    let until = value.end.min(period.end);
    at.as_utc() + hour > until.as_utc()
}

/// The matching intervals of `period` and the consumption summed into
/// each; a row overlapping the period must lie inside one interval.
fn consumption_per_interval(
    period: Interval,
    granularity: Granularity,
    demand: &[Demand],
) -> Result<(Vec<Interval>, Vec<BigDecimal>), AllocateError> {
    let intervals = granularity.buckets(period);
    let mut consumption = vec![BigDecimal::zero(); intervals.len()];
    for d in demand {
        if !d.interval.overlaps(&period) {
            continue;
        }
        // The intervals are in order and touch: the only one that can hold
        // the row is the first ending after it starts.
        let i = intervals.partition_point(|b| b.end <= d.interval.start);
        if !intervals.get(i).is_some_and(|b| b.contains(&d.interval)) {
            return Err(AllocateError {
                label: d.label.clone(),
                start: d.interval.start.to_string(),
                end: d.interval.end.to_string(),
                interval: d.interval,
                granularity: granularity.as_str(),
                period: (!period.contains(&d.interval)).then_some(period),
            });
        }
        consumption[i] += &d.quantity;
    }
    Ok((intervals, consumption))
}

/// Allocates `supplies` to `demand` within `scope`.
pub fn allocate(
    scope: Scope,
    supplies: &[Supply],
    demand: &[Demand],
) -> Result<Matching, AllocateError> {
    let (intervals, consumption) =
        consumption_per_interval(scope.period, scope.granularity, demand)?;
    let n = intervals.len();
    let mut order: Vec<usize> = (0..supplies.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&supplies[a], &supplies[b]);
        (x.interval, &x.key).cmp(&(y.interval, &y.key))
    });
    let mut left: Vec<BigDecimal> = supplies.iter().map(|s| s.available.clone()).collect();
    let mut home: Vec<Option<usize>> = vec![None; supplies.len()];
    let mut allocations = Vec::new();
    let mut buckets = Vec::with_capacity(n);
    // The values that may be eligible for the current interval, in
    // `order`: those starting before it ends (all of them in the last),
    // less those that ended before it began (but in the first). The
    // intervals go forward in time, so none dropped is eligible later.
    let mut active: Vec<usize> = Vec::new();
    let mut next = 0;
    for (i, b) in intervals.iter().enumerate() {
        while let Some(&s) = order.get(next) {
            if supplies[s].interval.start >= b.end && i + 1 < n {
                break;
            }
            active.push(s);
            next += 1;
        }
        if i > 0 {
            active.retain(|&s| supplies[s].interval.end > b.start);
        }
        let mut need = consumption[i].clone();
        // Values overlapping the period first, then those of the window
        // around it: as close to the consumption as they can be.
        for inside in [true, false] {
            for &s in &active {
                let value = &supplies[s].interval;
                if value.overlaps(&scope.period) != inside || !scope.eligible(value, b, i, n) {
                    continue;
                }
                home[s].get_or_insert(i);
                if need.is_zero() || left[s] <= BigDecimal::zero() {
                    continue;
                }
                let take = if left[s] < need {
                    left[s].clone()
                } else {
                    need.clone()
                };
                left[s] -= &take;
                need -= &take;
                allocations.push(Allocation {
                    key: supplies[s].key.clone(),
                    interval: *b,
                    quantity: take,
                });
            }
        }
        let matched = &consumption[i] - &need;
        buckets.push(Bucket {
            interval: *b,
            consumption: consumption[i].clone(),
            matched,
            shortfall: need,
            surplus: Some(BigDecimal::zero()),
        });
    }
    let mut ineligible = Vec::new();
    for (s, h) in home.iter().enumerate() {
        match h {
            Some(i) => {
                if let Some(surplus) = &mut buckets[*i].surplus {
                    *surplus += &left[s];
                }
            }
            None => ineligible.push(supplies[s].key.clone()),
        }
    }
    Ok(Matching {
        buckets,
        allocations,
        ineligible,
    })
}

/// The figures of allocations made before (a recorded claim): consumption
/// per interval as [`allocate`] sums it and matched = what `allocations`
/// give each interval. No surplus: what is free of the beneficiary's values
/// now changes with every other claim and import, and is no part of what
/// the claim states (decision 264).
pub fn settle(
    period: Interval,
    granularity: Granularity,
    demand: &[Demand],
    allocations: Vec<Allocation>,
) -> Result<Matching, AllocateError> {
    let (intervals, consumption) = consumption_per_interval(period, granularity, demand)?;
    let mut matched = vec![BigDecimal::zero(); intervals.len()];
    for a in &allocations {
        if let Ok(i) = intervals.binary_search(&a.interval) {
            matched[i] += &a.quantity;
        }
    }
    let buckets: Vec<Bucket> = intervals
        .iter()
        .zip(consumption)
        .zip(matched)
        .map(|((b, consumption), matched)| {
            let shortfall = &consumption - &matched;
            Bucket {
                interval: *b,
                consumption,
                matched,
                shortfall: if shortfall < BigDecimal::zero() {
                    BigDecimal::zero()
                } else {
                    shortfall
                },
                surplus: None,
            }
        })
        .collect();
    Ok(Matching {
        buckets,
        allocations,
        ineligible: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use eac_model::Timestamp;
    use std::str::FromStr;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }
    fn iv(a: &str, b: &str) -> Interval {
        Interval::new(t(a), t(b)).unwrap()
    }
    fn d(s: &str) -> BigDecimal {
        BigDecimal::from_str(s).unwrap()
    }
    /// A recorded claim's figures are those it was made with, but surplus.
    fn assert_same_figures(settled: &Matching, made: &Matching) {
        let figures = |m: &Matching| -> Vec<_> {
            m.buckets
                .iter()
                .map(|b| {
                    (
                        b.interval,
                        b.consumption.clone(),
                        b.matched.clone(),
                        b.shortfall.clone(),
                    )
                })
                .collect()
        };
        assert_eq!(figures(settled), figures(made));
        assert_eq!(settled.allocations, made.allocations);
        assert_eq!(settled.surplus(), None);
    }
    fn key(id: &str) -> ValueKey {
        ValueKey {
            cds_eac_id: id.into(),
            position: 0,
        }
    }

    #[test]
    fn hourly_matching_reports_surplus_and_shortfall_per_hour() {
        // 10:00 consumes 5, 11:00 consumes 3; a certificate for 10:00 holds
        // 7, one for 11:00 holds 1.
        let period = iv("2024-06-01T10:00:00Z", "2024-06-01T12:00:00Z");
        let supplies = [
            Supply {
                key: key("h10"),
                interval: iv("2024-06-01T10:00:00Z", "2024-06-01T11:00:00Z"),
                available: d("7"),
            },
            Supply {
                key: key("h11"),
                interval: iv("2024-06-01T11:00:00Z", "2024-06-01T12:00:00Z"),
                available: d("1"),
            },
        ];
        let demand = [
            Demand {
                interval: iv("2024-06-01T10:00:00Z", "2024-06-01T11:00:00Z"),
                quantity: d("5"),
                label: "line 2".into(),
            },
            Demand {
                interval: iv("2024-06-01T11:00:00Z", "2024-06-01T12:00:00Z"),
                quantity: d("3"),
                label: "line 3".into(),
            },
        ];
        let m = allocate(Scope::of(period, Granularity::Hourly), &supplies, &demand).unwrap();
        let b = &m.buckets;
        assert_eq!(
            (&b[0].matched, &b[0].shortfall, &b[0].surplus),
            (&d("5"), &d("0"), &Some(d("2")))
        );
        assert_eq!(
            (&b[1].matched, &b[1].shortfall, &b[1].surplus),
            (&d("1"), &d("2"), &Some(d("0")))
        );
        // The 10:00 surplus is not carried into 11:00.
        assert_eq!(m.allocated_to(&key("h10")), d("5"));
        let settled = settle(period, Granularity::Hourly, &demand, m.allocations.clone());
        assert_same_figures(&settled.unwrap(), &m);
    }

    #[test]
    fn values_inside_an_hour_back_that_hour() {
        // Four 15-minute certificates of 1 Wh each in hour 10, one 10:30 to
        // 11:30 (inside no hour, covering none), one covering 10:00 to
        // 12:00; hour 10 consumes 4, hour 11 consumes 3.
        let period = iv("2024-06-01T00:00:00Z", "2024-06-02T00:00:00Z");
        let quarter = |i: usize| {
            let at = |m: usize| format!("2024-06-01T10:{:02}:00Z", m);
            Supply {
                key: key(&format!("q{i}")),
                interval: if i == 3 {
                    iv(&at(45), "2024-06-01T11:00:00Z")
                } else {
                    iv(&at(15 * i), &at(15 * (i + 1)))
                },
                available: d("1"),
            }
        };
        let mut supplies: Vec<Supply> = (0..4).map(quarter).collect();
        supplies.push(Supply {
            key: key("across"),
            interval: iv("2024-06-01T10:30:00Z", "2024-06-01T11:30:00Z"),
            available: d("5"),
        });
        supplies.push(Supply {
            key: key("two-hours"),
            interval: iv("2024-06-01T10:00:00Z", "2024-06-01T12:00:00Z"),
            available: d("2"),
        });
        let demand = [
            Demand {
                interval: iv("2024-06-01T10:00:00Z", "2024-06-01T11:00:00Z"),
                quantity: d("4"),
                label: "line 2".into(),
            },
            Demand {
                interval: iv("2024-06-01T11:00:00Z", "2024-06-01T12:00:00Z"),
                quantity: d("3"),
                label: "line 3".into(),
            },
        ];
        let m = allocate(Scope::of(period, Granularity::Hourly), &supplies, &demand).unwrap();
        let b = &m.buckets[10];
        // Hour 10, by start then end: q0 gives 1, the two-hour value 2, q1
        // 1; q2 and q3 are left over as that hour's surplus.
        assert_eq!(
            (&b.consumption, &b.matched, &b.shortfall, &b.surplus),
            (&d("4"), &d("4"), &d("0"), &Some(d("2")))
        );
        assert_eq!(m.allocated_to(&key("two-hours")), d("2"));
        for (q, given) in [("q0", "1"), ("q1", "1"), ("q2", "0"), ("q3", "0")] {
            assert_eq!(m.allocated_to(&key(q)), d(given), "{q}");
        }
        // Hour 11: nothing left of the two-hour value; the one across the
        // edge is eligible nowhere.
        let b = &m.buckets[11];
        assert_eq!((&b.matched, &b.shortfall), (&d("0"), &d("3")));
        assert_eq!(m.ineligible, vec![key("across")]);
        assert_eq!((m.matched(), m.surplus()), (d("4"), Some(d("2"))));
        let settled = settle(period, Granularity::Hourly, &demand, m.allocations.clone());
        assert_same_figures(&settled.unwrap(), &m);
    }

    #[test]
    fn a_recorded_allocation_settles_to_the_figures_it_was_made_with() {
        // Two months of consumption; one value inside January with a
        // surplus, one spanning both months, one outside the period.
        let period = iv("2024-01-01T00:00:00Z", "2024-03-01T00:00:00Z");
        let supplies = [
            Supply {
                key: key("jan"),
                interval: iv("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"),
                available: d("9"),
            },
            Supply {
                key: key("both"),
                interval: iv("2024-01-01T00:00:00Z", "2024-03-01T00:00:00Z"),
                available: d("2"),
            },
            Supply {
                key: key("late"),
                interval: iv("2024-02-01T00:00:00Z", "2024-04-01T00:00:00Z"),
                available: d("5"),
            },
        ];
        let demand = [
            Demand {
                interval: iv("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"),
                quantity: d("4"),
                label: "line 2".into(),
            },
            Demand {
                interval: iv("2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"),
                quantity: d("6"),
                label: "line 3".into(),
            },
        ];
        for g in [Granularity::Annual, Granularity::Monthly] {
            let made = allocate(Scope::of(period, g), &supplies, &demand).unwrap();
            assert_eq!(made.ineligible, vec![key("late")], "{g:?}");
            let settled = settle(period, g, &demand, made.allocations.clone()).unwrap();
            assert_same_figures(&settled, &made);
        }
    }

    /// Decisions 172, 250: a value backs an hour it lies within or covers;
    /// one crossing an hour's edge without covering a whole hour of the
    /// period backs none.
    #[test]
    fn a_value_crossing_an_hours_edge_backs_no_hour() {
        let day = iv("2024-12-31T00:00:00Z", "2025-01-01T00:00:00Z");
        for (start, end, none) in [
            ("2024-12-31T22:30:00Z", "2024-12-31T23:30:00Z", true),
            ("2024-12-31T23:30:00Z", "2025-01-01T00:30:00Z", true),
            // Covering hours of the next day only: none of this period's.
            ("2024-12-31T23:30:00Z", "2025-01-01T02:00:00Z", true),
            ("2024-12-31T23:45:00Z", "2025-01-01T00:00:00Z", false),
            ("2024-12-31T10:00:00Z", "2024-12-31T11:00:00Z", false),
            ("2024-12-31T10:30:00Z", "2024-12-31T12:00:00Z", false),
            ("2024-12-30T23:30:00Z", "2024-12-31T01:00:00Z", false),
            ("2024-12-31T00:00:00Z", "2025-01-01T00:00:00Z", false),
        ] {
            assert_eq!(backs_no_hour(&iv(start, end), &day), none, "{start} {end}");
            // As the allocation has it.
            let m = allocate(
                Scope::of(day, Granularity::Hourly),
                &[Supply {
                    key: key("v"),
                    interval: iv(start, end),
                    available: d("1"),
                }],
                &[],
            )
            .unwrap();
            assert_eq!(m.ineligible.len() == 1, none, "{start} {end}");
        }
    }

    /// Tester 38, finding 4: hourly rows at +05:30 are refused saying they
    /// do not line up with UTC clock hours and what rows would, not "give
    /// hourly rows"; a longer row is still told to be given by the hour.
    #[test]
    fn an_hourly_row_off_the_utc_hour_is_told_what_would_fit() {
        let period = iv("2024-05-31T00:00:00Z", "2024-06-02T00:00:00Z");
        let refusal = |start: &str, end: &str| {
            allocate(
                Scope::of(period, Granularity::Hourly),
                &[],
                &[Demand {
                    interval: iv(start, end),
                    quantity: d("1"),
                    label: "line 2".into(),
                }],
            )
            .unwrap_err()
            .to_string()
        };
        let text = refusal("2024-05-31T18:30:00Z", "2024-05-31T19:30:00Z");
        assert!(
            text.contains("does not line up with the clock hours"),
            "{text}"
        );
        assert!(text.contains("starts at 18:30 UTC"), "{text}");
        assert!(text.contains("rows of 30 minutes"), "{text}");
        assert!(!text.contains("give hourly rows"), "{text}");
        // +05:45: quarter hours fit.
        let text = refusal("2024-05-31T18:15:00Z", "2024-05-31T19:15:00Z");
        assert!(text.contains("rows of 15 minutes"), "{text}");
        // A midnight start is no "00" (the minutes are kept).
        let text = refusal("2024-05-31T23:59:00Z", "2024-06-01T00:29:00Z");
        assert!(text.contains("starts at 23:59 UTC"), "{text}");
        assert!(
            text.contains("rows that lie within UTC clock hours"),
            "{text}"
        );
        let text = refusal("2024-05-31T10:00:00Z", "2024-05-31T12:00:00Z");
        assert!(text.contains("is longer than an hour"), "{text}");
    }

    #[test]
    fn a_row_across_two_months_is_refused_for_a_monthly_claim() {
        let period = iv("2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z");
        let demand = [Demand {
            interval: iv("2024-01-15T00:00:00Z", "2024-02-15T00:00:00Z"),
            quantity: d("1"),
            label: "line 2".into(),
        }];
        let e = allocate(Scope::of(period, Granularity::Monthly), &[], &demand).unwrap_err();
        assert_eq!(e.label, "line 2");
        assert!(allocate(Scope::of(period, Granularity::Annual), &[], &demand).is_ok());
    }
}
