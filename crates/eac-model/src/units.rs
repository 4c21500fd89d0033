//! Energy quantities in one display unit: exact conversion between Wh, kWh
//! and MWh, and the rounding used only to show a number in a column.
//!
//! Conversion is a shift of the decimal point (`1000.0 kWh` is `1.0000
//! MWh`), done on [`BigDecimal`]'s digits and scale, so it is exact in both
//! directions and commutes with sums: converting each quantity and adding
//! gives the same number as adding in Wh and converting once. Nothing here
//! ever becomes a float.
//!
//! Two texts come out of a converted total (decision 127):
//! - [`exact_text`]: the exact value with at least the unit's display
//!   decimals, trailing zeros beyond them dropped (`279.111`, `0.000001`):
//!   what totals show, never rounded;
//! - [`display_text`]: rounded half away from zero (as a spreadsheet's
//!   `ROUND` and number formats do) to exactly the display decimals, for a
//!   column whose numbers line up (`99.111`, `0.000`). A value that already
//!   fits is shown unchanged; the text reads back within half a unit of its
//!   last place.

use bigdecimal::{BigDecimal, RoundingMode};

use crate::EnergyUnit;

impl EnergyUnit {
    /// Decimals a quantity in this unit is shown with: 3 for MWh and kWh
    /// (to the kWh and to the Wh), 0 for Wh (there is nothing below a Wh
    /// in any registry's statement).
    pub fn display_decimals(self) -> u32 {
        match self {
            EnergyUnit::Wh => 0,
            EnergyUnit::KWh | EnergyUnit::MWh => 3,
        }
    }
}

/// `value` in `from` units, exactly, in `to` units (a shift of the decimal
/// point by the difference of their powers of ten).
pub fn convert(value: &BigDecimal, from: EnergyUnit, to: EnergyUnit) -> BigDecimal {
    let (digits, scale) = value.as_bigint_and_scale();
    // value × 10^(from − to) = digits × 10^-(scale − from + to)
    BigDecimal::new(
        digits.into_owned(),
        scale - from.wh_exponent() + to.wh_exponent(),
    )
}

/// The exact sum of quantities in several units, in `to` units.
pub fn total_in<'a>(
    parts: impl IntoIterator<Item = (EnergyUnit, &'a BigDecimal)>,
    to: EnergyUnit,
) -> BigDecimal {
    parts
        .into_iter()
        .map(|(unit, value)| convert(value, unit, to))
        .sum()
}

/// `value` rounded to `decimals` places, ties away from zero.
pub fn round_display(value: &BigDecimal, decimals: u32) -> BigDecimal {
    value.with_scale_round(i64::from(decimals), RoundingMode::HalfUp)
}

/// `value` rounded to exactly `decimals` places (ties away from zero), in
/// plain notation: `99.111`, `30.000`, `0.000`.
pub fn display_text(value: &BigDecimal, decimals: u32) -> String {
    round_display(value, decimals).to_plain_string()
}

/// `value` exactly, in plain notation, with at least `decimals` places and
/// no trailing zeros beyond them: `30.000`, `99.111`, `0.000001`.
pub fn exact_text(value: &BigDecimal, decimals: u32) -> String {
    let normalized = value.normalized();
    let decimals = i64::from(decimals);
    if normalized.fractional_digit_count() < decimals {
        // Adding zeros is exact.
        normalized.with_scale(decimals).to_plain_string()
    } else {
        normalized.to_plain_string()
    }
}

/// Does `value` show exactly with `decimals` places (no digit beyond them)?
pub fn fits_display(value: &BigDecimal, decimals: u32) -> bool {
    value.normalized().fractional_digit_count() <= i64::from(decimals)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn big(text: &str) -> BigDecimal {
        BigDecimal::from_str(text).unwrap()
    }

    #[test]
    fn converts_by_shifting_the_point() {
        let mwh = convert(&big("1000.0"), EnergyUnit::KWh, EnergyUnit::MWh);
        assert_eq!(mwh, big("1"));
        assert_eq!(mwh.to_plain_string(), "1.0000");
        assert_eq!(
            convert(&big("1"), EnergyUnit::Wh, EnergyUnit::MWh).to_plain_string(),
            "0.000001"
        );
        assert_eq!(
            convert(&big("1.5"), EnergyUnit::MWh, EnergyUnit::Wh),
            big("1500000")
        );
        assert_eq!(
            convert(&big("1e3"), EnergyUnit::KWh, EnergyUnit::KWh),
            big("1000")
        );
    }

    #[test]
    fn sums_across_units() {
        let wh = big("1");
        let kwh = big("1000.0");
        let mwh = big("99.111000");
        let total = total_in(
            [
                (EnergyUnit::Wh, &wh),
                (EnergyUnit::KWh, &kwh),
                (EnergyUnit::MWh, &mwh),
            ],
            EnergyUnit::MWh,
        );
        assert_eq!(exact_text(&total, 3), "100.111001");
        assert_eq!(display_text(&total, 3), "100.111");
    }

    #[test]
    fn rounds_ties_away_from_zero_for_display_only() {
        assert_eq!(display_text(&big("0.0005"), 3), "0.001");
        assert_eq!(display_text(&big("0.0015"), 3), "0.002");
        assert_eq!(display_text(&big("0.00049"), 3), "0.000");
        assert_eq!(display_text(&big("30"), 3), "30.000");
        assert_eq!(display_text(&big("1234.5"), 0), "1235");
        assert_eq!(exact_text(&big("0.0005"), 3), "0.0005");
        assert_eq!(exact_text(&big("30"), 3), "30.000");
        assert_eq!(exact_text(&big("99.111000"), 3), "99.111");
        assert_eq!(exact_text(&big("1e3"), 0), "1000");
        assert_eq!(exact_text(&big("0"), 3), "0.000");
        assert!(fits_display(&big("1.230000"), 3));
        assert!(!fits_display(&big("1.2301"), 3));
    }

    #[test]
    fn display_decimals_per_unit() {
        assert_eq!(EnergyUnit::MWh.display_decimals(), 3);
        assert_eq!(EnergyUnit::KWh.display_decimals(), 3);
        assert_eq!(EnergyUnit::Wh.display_decimals(), 0);
    }
}
