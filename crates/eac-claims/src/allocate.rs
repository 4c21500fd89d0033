//! The allocation: retired values matched to consumption, exactly.
//!
//! Consumption is summed per matching interval ([`Granularity::buckets`]);
//! a consumption row must lie inside one interval (an hourly claim needs
//! hourly consumption), since splitting a row by time would invent a
//! profile (decision 173). Intervals are filled in time order; within one,
//! values are taken by their own start, end and key, each up to what is
//! left of it. A value is eligible for an interval when
//! - annual or monthly: its interval lies inside the reporting period and
//!   overlaps the interval;
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

use crate::model::{Granularity, Interval, ValueKey};

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
    /// What is left of the values first eligible in this interval.
    pub surplus: BigDecimal,
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
    pub fn surplus(&self) -> BigDecimal {
        self.buckets.iter().map(|b| &b.surplus).sum()
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
#[error("consumption {label} ({start} to {end}) crosses the edge of a {granularity} matching interval or of the reporting period; give consumption per {granularity} interval (hourly claims need hourly consumption) or choose a coarser granularity")]
pub struct AllocateError {
    pub label: String,
    pub start: String,
    pub end: String,
    pub granularity: &'static str,
}

/// `quantity` in `unit` as Wh, exactly.
pub fn to_wh(quantity: &BigDecimal, unit: EnergyUnit) -> BigDecimal {
    units::convert(quantity, unit, EnergyUnit::Wh)
}

/// Whether a value over `value` may back the matching interval `bucket` of
/// `period` (the rule in the module text; [`allocate`] and [`settle`] share it).
fn eligible(
    granularity: Granularity,
    period: &Interval,
    value: &Interval,
    bucket: &Interval,
) -> bool {
    match granularity {
        Granularity::Annual | Granularity::Monthly => {
            period.contains(value) && value.overlaps(bucket)
        }
        // The hour is the matching interval: a value produced within it
        // (as `energytag.hour` passes it) backs it, as does one covering it.
        Granularity::Hourly => value.contains(bucket) || bucket.contains(value),
    }
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
                granularity: granularity.as_str(),
            });
        }
        consumption[i] += &d.quantity;
    }
    Ok((intervals, consumption))
}

/// Allocates `supplies` to `demand` over `period` at `granularity`.
pub fn allocate(
    period: Interval,
    granularity: Granularity,
    supplies: &[Supply],
    demand: &[Demand],
) -> Result<Matching, AllocateError> {
    let (intervals, consumption) = consumption_per_interval(period, granularity, demand)?;
    let mut order: Vec<usize> = (0..supplies.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&supplies[a], &supplies[b]);
        (x.interval, &x.key).cmp(&(y.interval, &y.key))
    });
    let mut left: Vec<BigDecimal> = supplies.iter().map(|s| s.available.clone()).collect();
    let mut home: Vec<Option<usize>> = vec![None; supplies.len()];
    let mut allocations = Vec::new();
    let mut buckets = Vec::with_capacity(intervals.len());
    // The values that may overlap the current interval, in `order`: those
    // starting before it ends, less those that ended before it began (the
    // intervals go forward in time, so neither can be eligible later).
    let mut active: Vec<usize> = Vec::new();
    let mut next = 0;
    for (i, b) in intervals.iter().enumerate() {
        while let Some(&s) = order.get(next) {
            if supplies[s].interval.start >= b.end {
                break;
            }
            active.push(s);
            next += 1;
        }
        active.retain(|&s| supplies[s].interval.end > b.start);
        let mut need = consumption[i].clone();
        for &s in &active {
            if !eligible(granularity, &period, &supplies[s].interval, b) {
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
        let matched = &consumption[i] - &need;
        buckets.push(Bucket {
            interval: *b,
            consumption: consumption[i].clone(),
            matched,
            shortfall: need,
            surplus: BigDecimal::zero(),
        });
    }
    let mut ineligible = Vec::new();
    for (s, h) in home.iter().enumerate() {
        match h {
            Some(i) => buckets[*i].surplus += &left[s],
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
/// per interval as [`allocate`] sums it, matched = what `allocations` give
/// each interval, surplus = what is left of each supply (its `available`
/// less what these allocations took) in its first eligible interval.
pub fn settle(
    period: Interval,
    granularity: Granularity,
    supplies: &[Supply],
    demand: &[Demand],
    allocations: Vec<Allocation>,
) -> Result<Matching, AllocateError> {
    let (intervals, consumption) = consumption_per_interval(period, granularity, demand)?;
    let mut matched = vec![BigDecimal::zero(); intervals.len()];
    let mut used: HashMap<&ValueKey, BigDecimal> = HashMap::new();
    for a in &allocations {
        if let Ok(i) = intervals.binary_search(&a.interval) {
            matched[i] += &a.quantity;
        }
        *used.entry(&a.key).or_default() += &a.quantity;
    }
    let mut buckets: Vec<Bucket> = intervals
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
                surplus: BigDecimal::zero(),
            }
        })
        .collect();
    let mut ineligible = Vec::new();
    for s in supplies {
        // Only intervals the value overlaps can be eligible.
        let first = intervals.partition_point(|b| b.end <= s.interval.start);
        let home = intervals[first..]
            .iter()
            .take_while(|b| b.start < s.interval.end)
            .position(|b| eligible(granularity, &period, &s.interval, b));
        match home {
            Some(i) => {
                let left = &s.available - used.get(&s.key).cloned().unwrap_or_default();
                if left > BigDecimal::zero() {
                    buckets[first + i].surplus += left;
                }
            }
            None => ineligible.push(s.key.clone()),
        }
    }
    Ok(Matching {
        buckets,
        allocations,
        ineligible,
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
        let m = allocate(period, Granularity::Hourly, &supplies, &demand).unwrap();
        let b = &m.buckets;
        assert_eq!(
            (&b[0].matched, &b[0].shortfall, &b[0].surplus),
            (&d("5"), &d("0"), &d("2"))
        );
        assert_eq!(
            (&b[1].matched, &b[1].shortfall, &b[1].surplus),
            (&d("1"), &d("2"), &d("0"))
        );
        // The 10:00 surplus is not carried into 11:00.
        assert_eq!(m.allocated_to(&key("h10")), d("5"));
        let settled = settle(
            period,
            Granularity::Hourly,
            &supplies,
            &demand,
            m.allocations.clone(),
        );
        assert_eq!(settled.unwrap(), m);
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
        let m = allocate(period, Granularity::Hourly, &supplies, &demand).unwrap();
        let b = &m.buckets[10];
        // Hour 10, by start then end: q0 gives 1, the two-hour value 2, q1
        // 1; q2 and q3 are left over as that hour's surplus.
        assert_eq!(
            (&b.consumption, &b.matched, &b.shortfall, &b.surplus),
            (&d("4"), &d("4"), &d("0"), &d("2"))
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
        assert_eq!((m.matched(), m.surplus()), (d("4"), d("2")));
        let settled = settle(
            period,
            Granularity::Hourly,
            &supplies,
            &demand,
            m.allocations.clone(),
        );
        assert_eq!(settled.unwrap(), m);
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
            let made = allocate(period, g, &supplies, &demand).unwrap();
            assert_eq!(made.ineligible, vec![key("late")], "{g:?}");
            let settled = settle(period, g, &supplies, &demand, made.allocations.clone()).unwrap();
            assert_eq!(settled, made, "{g:?}");
        }
    }

    #[test]
    fn a_row_across_two_months_is_refused_for_a_monthly_claim() {
        let period = iv("2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z");
        let demand = [Demand {
            interval: iv("2024-01-15T00:00:00Z", "2024-02-15T00:00:00Z"),
            quantity: d("1"),
            label: "line 2".into(),
        }];
        let e = allocate(period, Granularity::Monthly, &[], &demand).unwrap_err();
        assert_eq!(e.label, "line 2");
        assert!(allocate(period, Granularity::Annual, &[], &demand).is_ok());
    }
}
