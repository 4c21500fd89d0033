//! Properties of display units (`eac_model::units`): conversion is exact
//! and commutes with sums, display rounding leaves a value that fits alone
//! and its text reads back within half a unit of its last place.

use std::str::FromStr;

use bigdecimal::BigDecimal;
use eac_model::units::{convert, display_text, exact_text, fits_display, round_display, total_in};
use eac_model::{Decimal, EnergyUnit};
use proptest::prelude::*;

fn unit() -> impl Strategy<Value = EnergyUnit> {
    prop::sample::select(EnergyUnit::ALL.to_vec())
}

/// A non-negative quantity as a registry writes it: up to 12 integer
/// digits, up to 9 decimals (trailing zeros kept), sometimes an exponent.
fn quantity() -> impl Strategy<Value = BigDecimal> {
    super::arb_eac::decimal_text(12, 9, -9..9)
        .prop_map(|t| Decimal::parse_amount(&t).unwrap().to_big())
}

/// Half a unit of the last of `decimals` places.
fn half_ulp(decimals: u32) -> BigDecimal {
    BigDecimal::new(5.into(), i64::from(decimals) + 1)
}

proptest! {
    #[test]
    fn converting_then_summing_equals_summing_then_converting(
        items in prop::collection::vec((unit(), quantity()), 0..12),
        to in unit(),
    ) {
        let converted_each: BigDecimal = items
            .iter()
            .map(|(u, q)| convert(q, *u, to))
            .sum();
        let in_wh: BigDecimal = items
            .iter()
            .map(|(u, q)| convert(q, *u, EnergyUnit::Wh))
            .sum();
        prop_assert_eq!(&converted_each, &convert(&in_wh, EnergyUnit::Wh, to));
        prop_assert_eq!(&converted_each, &total_in(items.iter().map(|(u, q)| (*u, q)), to));
    }

    #[test]
    fn conversion_round_trips_exactly(q in quantity(), from in unit(), to in unit()) {
        let there = convert(&q, from, to);
        prop_assert_eq!(convert(&there, to, from), q.clone());
        // 1 MWh = 1000 kWh = 1000000 Wh, as integers of Wh.
        let wh = convert(&q, from, EnergyUnit::Wh);
        prop_assert_eq!(wh, q * BigDecimal::new(1.into(), -from.wh_exponent()));
    }

    #[test]
    fn rounding_never_changes_a_value_that_fits(q in quantity(), decimals in 0u32..7) {
        let shown = round_display(&q, decimals);
        if fits_display(&q, decimals) {
            prop_assert_eq!(&shown, &q);
            prop_assert_eq!(exact_text(&q, decimals), display_text(&q, decimals));
        }
        // Rounding what was rounded changes nothing.
        prop_assert_eq!(round_display(&shown, decimals), shown);
    }

    #[test]
    fn display_text_reads_back_within_half_a_unit(q in quantity(), to in unit(), from in unit()) {
        let value = convert(&q, from, to);
        let decimals = to.display_decimals();
        let text = display_text(&value, decimals);
        // Exactly `decimals` places, plain notation.
        let places = text.split_once('.').map_or(0, |(_, f)| f.len());
        prop_assert_eq!(places, decimals as usize, "{}", text);
        prop_assert!(!text.contains(['e', 'E']), "{}", text);
        let back = BigDecimal::from_str(&text).unwrap();
        prop_assert!((back - &value).abs() <= half_ulp(decimals), "{} → {}", value, text);
        // The exact text reads back as the very value.
        let exact = exact_text(&value, decimals);
        prop_assert_eq!(BigDecimal::from_str(&exact).unwrap(), value);
        prop_assert!(!exact.contains(['e', 'E']), "{}", exact);
    }
}
