//! Deterministic, realistic sample EACs for demos, tests and benchmarks.
//!
//! [`generate`] yields EACs from several registries to several utilities,
//! with every draft technology, every beneficiary type, monthly, quarterly,
//! daily, hourly and per-MWh batch values, about ten values per EAC on
//! average. The same seed always gives the same EACs: the generator has its
//! own SplitMix64, so output never changes with a dependency's version, and
//! each EAC is drawn from its own stream (`seed`, `index`), so any EAC can be
//! regenerated alone with [`sample_eac`].
//!
//! This crate never does IO and never touches a float: quantities are built
//! as decimal text from integers.

use eac_model::{
    AssetLocationType, BeneficiaryType, Date, Decimal, Eac, EacValue, EnergyUnit, Extensions,
    TechnologyType, Timestamp,
};

/// What kinds of EACs to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SampleOptions {
    /// Also generate `nuclear`, `marine` and `storage` EACs, which only pass
    /// checks that allow the extended technologies (digest §f.5).
    pub extended_technologies: bool,
}

/// `count` sample EACs, in index order; ids are unique for one seed.
pub fn generate(count: usize, seed: u64, opts: SampleOptions) -> impl Iterator<Item = Eac> {
    (0..count as u64).map(move |index| sample_eac(seed, index, opts))
}

/// The `index`-th EAC of `seed`'s sample, the same as [`generate`] yields.
pub fn sample_eac(seed: u64, index: u64, opts: SampleOptions) -> Eac {
    let mut rng = SplitMix64::new(seed ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03));
    // Burn one output so neighbouring indexes decorrelate further.
    rng.next_u64();
    Builder {
        rng: &mut rng,
        seed,
        index,
        opts,
    }
    .eac()
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and fixed forever.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (Lemire's multiply-shift; `n` > 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True `per_mille` times in a thousand.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// Picks by integer weight.
    fn weighted<'a, T>(&mut self, items: &'a [(T, u64)]) -> &'a T {
        let total: u64 = items.iter().map(|(_, w)| w).sum();
        let mut roll = self.below(total);
        for (item, weight) in items {
            if roll < *weight {
                return item;
            }
            roll -= weight;
        }
        &items[items.len() - 1].0
    }
}

/// An issuing registry: id, name, EAC number style.
struct Registry {
    id: &'static str,
    name: &'static str,
    number_prefix: &'static str,
    asset_prefix: &'static str,
}

const REGISTRIES: &[Registry] = &[
    Registry {
        id: "REG-PJM-GATS",
        name: "PJM-GATS",
        number_prefix: "GATS",
        asset_prefix: "NON",
    },
    Registry {
        id: "REG-MRETS",
        name: "M-RETS",
        number_prefix: "MRETS",
        asset_prefix: "M",
    },
    Registry {
        id: "REG-WREGIS",
        name: "WREGIS",
        number_prefix: "WREGIS",
        asset_prefix: "W",
    },
    Registry {
        id: "REG-NL-CERTIQ",
        name: "CertiQ (Netherlands)",
        number_prefix: "NL-GO",
        asset_prefix: "871685",
    },
    Registry {
        id: "REG-OFGEM",
        name: "Ofgem REGO",
        number_prefix: "REGO",
        asset_prefix: "R",
    },
    Registry {
        id: "101010101-10aaa",
        name: "Company A",
        number_prefix: "AAAZZZ",
        asset_prefix: "AP",
    },
];

/// A retiring organisation (usually the utility): id and name.
const UTILITIES: &[(&str, &str)] = &[
    ("UTIL-DEMO", "Demo Utility"),
    ("UTIL-GVP", "Green Valley Power"),
    ("UTIL-LEC", "Lakeshore Electric Co-op"),
    ("UTIL-NWE", "Northwind Energy"),
    ("UTIL-RIV", "City of Riverton Utilities"),
    ("101010101-10zzz", "Company B"),
];

const RATE_PLANS: &[&str] = &[
    "GreenChoice",
    "SolarShare",
    "WindPlus",
    "Renewable100",
    "EV-TOU-Green",
    "E-TOU-C",
];

/// Technology weights; the extended ones only on request.
const TECHNOLOGIES: &[(TechnologyType, u64)] = &[
    (TechnologyType::Solar, 30),
    (TechnologyType::Wind, 28),
    (TechnologyType::Hydro, 12),
    (TechnologyType::Geothermal, 4),
    (TechnologyType::Biomass, 6),
    (TechnologyType::NaturalGas, 9),
    (TechnologyType::Coal, 4),
    (TechnologyType::Oil, 2),
    (TechnologyType::Nuclear, 5),
    (TechnologyType::Marine, 2),
    (TechnologyType::Storage, 3),
];

/// How an EAC slices its quantity into values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// A month, one value for the whole period.
    Monthly,
    /// A quarter, one value per month.
    Quarterly,
    /// A month, one value per day.
    Daily,
    /// One or two days, one value per hour.
    Hourly,
    /// A month sliced by quantity (one value per MWh, own numbers, no times).
    Batch,
}

// Weights chosen so the average is about ten values per EAC:
// 0.52·1 + 0.06·3 + 0.22·30.4 + 0.05·36 + 0.15·5.5 ≈ 10.0
const SHAPES: &[(Shape, u64)] = &[
    (Shape::Monthly, 520),
    (Shape::Quarterly, 60),
    (Shape::Daily, 220),
    (Shape::Hourly, 50),
    (Shape::Batch, 150),
];

struct Builder<'r> {
    rng: &'r mut SplitMix64,
    seed: u64,
    index: u64,
    opts: SampleOptions,
}

/// One value before it becomes an [`EacValue`].
struct Slice {
    start: Option<(i64, u32)>,
    end: Option<(i64, u32)>,
    micro: u64,
}

impl Builder<'_> {
    fn eac(&mut self) -> Eac {
        let rng = &mut *self.rng;
        let registry = rng.pick(REGISTRIES);
        let (destination_id, destination_name) = *rng.pick(UTILITIES);
        let technology = loop {
            let t = *rng.weighted(TECHNOLOGIES);
            if t.is_draft() || self.opts.extended_technologies {
                break t;
            }
        };
        let shape = *rng.weighted(SHAPES);

        // Periods from January 2022 to December 2025.
        let year = rng.range(2022, 2025) as i64;
        let (period_start, period_end) = match shape {
            Shape::Monthly | Shape::Daily | Shape::Batch => {
                let month = rng.range(1, 12) as u32;
                let start = days_from_civil(year, month, 1);
                (
                    (start, 0),
                    (start + i64::from(days_in_month(year, month)), 0),
                )
            }
            Shape::Quarterly => {
                let month = 1 + 3 * rng.below(4) as u32;
                let start = days_from_civil(year, month, 1);
                let end = add_months(year, month, 3);
                ((start, 0), (end, 0))
            }
            Shape::Hourly => {
                let day = days_from_civil(year, 1, 1) + rng.below(365) as i64;
                let days = rng.range(1, 2) as i64;
                ((day, 0), (day + days, 0))
            }
        };

        let (_, month, _) = civil_from_days(period_start.0);
        let number = (!rng.chance(150)).then(|| {
            format!(
                "{}-{year}{month:02}-{:07}",
                registry.number_prefix,
                self.index * 7 + rng.below(7)
            )
        });

        let unit = match shape {
            Shape::Batch => EnergyUnit::MWh,
            Shape::Monthly | Shape::Quarterly => {
                *rng.weighted(&[(EnergyUnit::MWh, 6), (EnergyUnit::KWh, 4)])
            }
            Shape::Daily => *rng.weighted(&[(EnergyUnit::KWh, 8), (EnergyUnit::MWh, 2)]),
            Shape::Hourly => *rng.weighted(&[(EnergyUnit::KWh, 6), (EnergyUnit::Wh, 4)]),
        };
        // Written precision of this EAC's quantities, as registries vary.
        let places = *rng.pick(&[0u32, 1, 1, 2, 3, 6]);
        let slices = self.slices(shape, technology, unit, period_start, period_end);
        let rng = &mut *self.rng;

        // Issued a few days to weeks after the period; retired later, or not.
        let issued_base = period_end.0 + rng.range(3, 45) as i64;
        let retire_mode = *rng.weighted(&[
            (RetireMode::All, 40),
            (RetireMode::None, 35),
            (RetireMode::Part, 25),
        ]);
        let retired_count = match retire_mode {
            RetireMode::All => slices.len(),
            RetireMode::None => 0,
            RetireMode::Part if slices.len() < 2 => 0,
            RetireMode::Part => rng.range(1, slices.len() as u64 - 1) as usize,
        };
        let number_values = match shape {
            Shape::Batch => true,
            Shape::Monthly => rng.chance(200),
            _ => rng.chance(550),
        };
        let mut last_issued = issued_base;
        let values: Vec<EacValue> = slices
            .into_iter()
            .enumerate()
            .map(|(k, s)| {
                let issued = issued_base + rng.below(3) as i64;
                last_issued = last_issued.max(issued);
                let retired = (k < retired_count).then(|| date(issued + rng.range(0, 120) as i64));
                let eac_number = number_values.then(|| {
                    let base = number
                        .clone()
                        .unwrap_or_else(|| format!("{}-{}", registry.number_prefix, self.index));
                    match shape {
                        Shape::Daily => format!("{base}-day{}", k + 1),
                        Shape::Hourly => format!("{base}-h{:02}", k + 1),
                        Shape::Quarterly => format!("{base}-m{}", k + 1),
                        _ => format!("{base}-{:06}", k + 1),
                    }
                });
                EacValue {
                    eac_number,
                    issued: Some(date(issued)),
                    retired,
                    retired_undated: false,
                    start: s.start.map(timestamp),
                    end: s.end.map(timestamp),
                    unit,
                    value: decimal(s.micro, places),
                    extensions: Extensions::default(),
                }
            })
            .collect();

        let created = (last_issued, 8 * 3600 + rng.below(8 * 3600) as u32);
        let modified = if rng.chance(700) {
            created
        } else {
            (
                created.0 + rng.range(0, 200) as i64,
                created.1 + rng.below(3600) as u32,
            )
        };
        let (beneficiary_type, beneficiaries) = self.beneficiaries();
        let rng = &mut *self.rng;
        let asset_commissioned = rng.chance(400).then(|| {
            let y = rng.range(1995, 2021) as i64;
            date(days_from_civil(y, 1, 1) + rng.below(365) as i64)
        });
        let (direct, lca) = emission_factors(technology, rng);

        Eac {
            cds_eac_id: format!("S{:X}-{:07}", self.seed & 0xFFFF_FFFF, self.index),
            cds_created: timestamp(created),
            cds_modified: timestamp(modified),
            eac_number: number,
            source_id: registry.id.to_owned(),
            source_name: registry.name.to_owned(),
            destination_id: Some(destination_id.to_owned()),
            destination_name: Some(destination_name.to_owned()),
            beneficiary_type: Some(beneficiary_type),
            beneficiaries,
            asset_id: format!("{}{:06}", registry.asset_prefix, rng.below(4000)),
            asset_commissioned,
            asset_origination: Some(
                *rng.pick(&[AssetLocationType::Grid, AssetLocationType::Region]),
            ),
            asset_destination: Some(
                *rng.pick(&[AssetLocationType::Grid, AssetLocationType::Region]),
            ),
            technology_type: Some(technology),
            emissions_factor_direct: Some(direct),
            emissions_factor_lca: Some(lca),
            period_start: timestamp(period_start),
            period_end: timestamp(period_end),
            values,
            extensions: Extensions::default(),
        }
    }

    /// Quantities in millionths of `unit`, with intervals inside the period.
    fn slices(
        &mut self,
        shape: Shape,
        technology: TechnologyType,
        unit: EnergyUnit,
        start: (i64, u32),
        end: (i64, u32),
    ) -> Vec<Slice> {
        let rng = &mut *self.rng;
        const M: u64 = 1_000_000;
        // Typical size of one value, in whole units.
        let scale = |rng: &mut SplitMix64, mwh_lo: u64, mwh_hi: u64| match unit {
            EnergyUnit::MWh => rng.range(mwh_lo, mwh_hi) * M + rng.below(M),
            EnergyUnit::KWh => rng.range(mwh_lo * 1000, mwh_hi * 1000) * M + rng.below(M),
            EnergyUnit::Wh => rng.range(mwh_lo * 1_000_000, mwh_hi * 1_000_000) * M,
        };
        match shape {
            Shape::Monthly => vec![Slice {
                start: Some(start),
                end: Some(end),
                micro: scale(rng, 1, 4000),
            }],
            Shape::Quarterly => {
                let (y, m, _) = civil_from_days(start.0);
                (0..3)
                    .map(|k| Slice {
                        start: Some((add_months(y, m, k), 0)),
                        end: Some((add_months(y, m, k + 1), 0)),
                        micro: scale(rng, 1, 1500),
                    })
                    .collect()
            }
            Shape::Daily => (start.0..end.0)
                .map(|day| Slice {
                    start: Some((day, 0)),
                    end: Some((day + 1, 0)),
                    micro: match unit {
                        EnergyUnit::KWh => rng.range(100, 40_000) * M + rng.below(M),
                        _ => rng.range(0, 40) * M + rng.below(M),
                    },
                })
                .collect(),
            Shape::Hourly => {
                let hours = (end.0 - start.0) * 24;
                (0..hours)
                    .map(|h| {
                        let hour_of_day = (h % 24) as u32;
                        let dark =
                            technology == TechnologyType::Solar && !(6..20).contains(&hour_of_day);
                        let whole = match unit {
                            EnergyUnit::Wh => rng.range(0, 8000),
                            _ => rng.range(0, 2000),
                        };
                        Slice {
                            start: Some((start.0 + h / 24, hour_of_day * 3600)),
                            end: Some(if hour_of_day == 23 {
                                (start.0 + h / 24 + 1, 0)
                            } else {
                                (start.0 + h / 24, (hour_of_day + 1) * 3600)
                            }),
                            micro: if dark { 0 } else { whole * M + rng.below(M) },
                        }
                    })
                    .collect()
            }
            Shape::Batch => {
                // Whole MWh certificates, the last one possibly partial.
                let whole = rng.range(1, 10);
                let partial = rng.chance(300).then(|| rng.range(1, M - 1));
                let mut out: Vec<Slice> = (0..whole)
                    .map(|_| Slice {
                        start: None,
                        end: None,
                        micro: M,
                    })
                    .collect();
                if let Some(micro) = partial {
                    out.push(Slice {
                        start: None,
                        end: None,
                        micro,
                    });
                }
                out
            }
        }
    }

    /// A beneficiary type with plausible ids; `general` has none.
    fn beneficiaries(&mut self) -> (BeneficiaryType, Vec<String>) {
        let rng = &mut *self.rng;
        let kind = *rng.weighted(&[
            (BeneficiaryType::Customer, 25),
            (BeneficiaryType::Account, 20),
            (BeneficiaryType::ServiceContract, 15),
            (BeneficiaryType::RatePlan, 15),
            (BeneficiaryType::Program, 10),
            (BeneficiaryType::General, 15),
        ]);
        let distinct = |rng: &mut SplitMix64, max: u64, fmt: &dyn Fn(u64) -> String| {
            let n = rng.range(1, max);
            let first = rng.below(900_000);
            // Increasing steps keep the ids distinct.
            let mut id = first;
            (0..n)
                .map(|_| {
                    let text = fmt(id);
                    id += rng.range(1, 50);
                    text
                })
                .collect::<Vec<_>>()
        };
        let list = match kind {
            BeneficiaryType::Customer => distinct(rng, 3, &|n| format!("CUST-{n:06}")),
            BeneficiaryType::Account => distinct(rng, 4, &|n| format!("ACC-{n:07}")),
            BeneficiaryType::ServiceContract => distinct(rng, 2, &|n| format!("SC-{n:08}")),
            BeneficiaryType::RatePlan => vec![(*rng.pick(RATE_PLANS)).to_owned()],
            BeneficiaryType::Program => vec![format!("PRG-{:04}", rng.below(40))],
            BeneficiaryType::General => Vec::new(),
        };
        (kind, list)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RetireMode {
    All,
    None,
    Part,
}

/// Direct and life-cycle emission factors (kg CO2e per kWh), written with
/// the precision a registry might use.
fn emission_factors(technology: TechnologyType, rng: &mut SplitMix64) -> (Decimal, Decimal) {
    let (direct, lca): (&[&str], &[&str]) = match technology {
        TechnologyType::Solar => (&["0", "0.0"], &["0.041", "0.048", "0.0410"]),
        TechnologyType::Wind => (&["0", "0.0"], &["0.011", "0.012", "0.0110"]),
        TechnologyType::Hydro => (&["0", "0.0"], &["0.024", "0.0240"]),
        TechnologyType::Geothermal => (&["0.038", "0.0380"], &["0.038", "0.045"]),
        TechnologyType::Biomass => (&["0", "0.230"], &["0.230", "0.2300"]),
        TechnologyType::NaturalGas => (&["0.490", "0.4900", "0.41"], &["0.490", "0.520"]),
        TechnologyType::Coal => (&["0.820", "0.95"], &["0.820", "1.001"]),
        TechnologyType::Oil => (&["0.650", "0.74"], &["0.650", "0.733"]),
        TechnologyType::Nuclear => (&["0", "0.0"], &["0.012", "0.0120"]),
        TechnologyType::Marine => (&["0", "0.0"], &["0.017", "0.008"]),
        TechnologyType::Storage => (&["0", "0.0"], &["0.050", "0.033"]),
    };
    let parse = |text: &&str| Decimal::parse(text).expect("a literal decimal");
    let direct = parse(rng.pick(direct));
    (direct, parse(rng.pick(lca)))
}

/// `micro` millionths written with `places` decimals (truncated), e.g.
/// 45_106_820 with 6 places is `45.106820`, 1_000_000_000 with 1 is `1000.0`.
fn decimal(micro: u64, places: u32) -> Decimal {
    let whole = micro / 1_000_000;
    let text = if places == 0 {
        whole.to_string()
    } else {
        let frac = format!("{:06}", micro % 1_000_000);
        format!("{whole}.{}", &frac[..places as usize])
    };
    Decimal::parse(&text).expect("digits and one point form a JSON number")
}

fn timestamp((day, seconds): (i64, u32)) -> Timestamp {
    let (y, m, d) = civil_from_days(day + i64::from(seconds / 86_400));
    let s = seconds % 86_400;
    let text = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    );
    Timestamp::parse(&text).expect("a well-formed UTC timestamp")
}

fn date(day: i64) -> Date {
    let (y, m, d) = civil_from_days(day);
    Date::parse(&format!("{y:04}-{m:02}-{d:02}")).expect("a well-formed date")
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number from [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    (add_months(y, m, 1) - days_from_civil(y, m, 1)) as u32
}

/// The first day of the month `k` months after `y`-`m`.
fn add_months(y: i64, m: u32, k: u32) -> i64 {
    let months = i64::from(m - 1 + k);
    days_from_civil(y + months / 12, (months % 12) as u32 + 1, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_round_trips() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2023, 2), 28);
        assert_eq!(days_in_month(2025, 12), 31);
        assert_eq!(add_months(2024, 11, 3), days_from_civil(2025, 2, 1));
        for day in -800..20_000 {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
    }

    #[test]
    fn decimals_keep_written_precision() {
        assert_eq!(decimal(45_106_820, 6).as_str(), "45.106820");
        assert_eq!(decimal(1_000_000_000, 1).as_str(), "1000.0");
        assert_eq!(decimal(500_000, 1).as_str(), "0.5");
        assert_eq!(decimal(30_000_000, 0).as_str(), "30");
        assert_eq!(decimal(0, 2).as_str(), "0.00");
    }

    #[test]
    fn timestamps_carry_over_midnight() {
        assert_eq!(
            timestamp((days_from_civil(2024, 1, 31), 86_400 + 3600)).to_string(),
            "2024-02-01T01:00:00Z"
        );
    }

    #[test]
    fn prng_is_fixed() {
        // Guards against an accidental change of the generator's algorithm.
        let mut rng = SplitMix64::new(1234567);
        assert_eq!(rng.next_u64(), 6457827717110365317);
        assert_eq!(rng.next_u64(), 3203168211198807973);
        for _ in 0..1000 {
            assert!(rng.below(7) < 7);
        }
    }
}
