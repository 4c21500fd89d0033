//! Exact decimals that keep their written digits.
//!
//! A [`Decimal`] is the literal text of a JSON number (`1000.0`, `45.106820`,
//! `1e3`), checked against the JSON number grammar and never converted to a
//! float. Arithmetic (sums) goes through [`bigdecimal::BigDecimal`], which is
//! exact; writing goes back through the original text.
//!
//! [`Decimal::check_amount`] is the one rule for what a quantity or an
//! emission factor may be (decision 37): every reader, the export's checks
//! and the emission-factor editor apply it, so nothing accepted on the way
//! in is refused on the way out.

use std::fmt;
use std::str::FromStr;

use bigdecimal::BigDecimal;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::violation::quote;
use crate::EnergyUnit;

/// An exact decimal number as written in JSON.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Decimal(Box<str>);

/// Why a text is not an exact JSON number, or not a valid amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecimalError {
    #[error("`{}` is not a JSON number", quote(.0))]
    NotANumber(String),
    /// Exact arithmetic on `1e1000000` would write a million digits.
    #[error("`{}` has an exponent beyond ±{MAX_EXPONENT}; write the quantity in a larger unit", quote(.0))]
    ExponentTooLarge(String),
    #[error("`{}` is {} characters long; a number may have at most {MAX_AMOUNT_LEN}", quote(.0), .0.len())]
    TooLong(String),
    /// A JSON reader holding numbers as doubles would fail or read infinity.
    #[error("`{}` is too large: numbers must stay below 1e308 so that every JSON reader can hold them", quote(.0))]
    TooLarge(String),
    /// A JSON reader holding numbers as doubles would read (nearly) zero.
    #[error("`{}` is too small: a number other than 0 must be at least 1e-307 in size so that every JSON reader can hold it", quote(.0))]
    TooSmall(String),
    #[error("`{}` is negative; it must be 0 or more", quote(.0))]
    Negative(String),
}

/// The largest exponent a decimal may be written with.
pub const MAX_EXPONENT: u32 = 1000;

/// The longest literal a quantity or emission factor may be written with.
pub const MAX_AMOUNT_LEN: usize = 100;

/// Nonzero amounts have a magnitude in `[1e-307, 1e308)`: finite, normal
/// IEEE 754 doubles, which RFC 8259 §6 names as what JSON readers can hold.
/// These bound ⌊log10 |x|⌋.
const MIN_MAGNITUDE: i64 = -307;
const MAX_MAGNITUDE: i64 = 307;

impl Decimal {
    /// Parses the literal text of a JSON number (RFC 8259 §6 grammar).
    pub fn parse(text: &str) -> Result<Self, DecimalError> {
        if !is_json_number(text) {
            return Err(DecimalError::NotANumber(text.to_owned()));
        }
        if let Some(at) = text.find(['e', 'E']) {
            let digits = text[at + 1..]
                .trim_start_matches(['+', '-'])
                .trim_start_matches('0');
            if digits.len() > 4 || digits.parse::<u32>().is_ok_and(|e| e > MAX_EXPONENT) {
                return Err(DecimalError::ExponentTooLarge(text.to_owned()));
            }
        }
        Ok(Decimal(text.into()))
    }

    /// The one rule for a quantity or an emission factor (decision 37):
    /// at most [`MAX_AMOUNT_LEN`] characters, 0 or a magnitude in
    /// `[1e-307, 1e308)` (every JSON reader can hold it as a double, RFC
    /// 8259 §6), and not negative (`-0` is 0).
    pub fn check_amount(&self) -> Result<(), DecimalError> {
        let text = self.as_str();
        if text.len() > MAX_AMOUNT_LEN {
            return Err(DecimalError::TooLong(text.to_owned()));
        }
        if let Some(magnitude) = self.magnitude() {
            if magnitude > MAX_MAGNITUDE {
                return Err(DecimalError::TooLarge(text.to_owned()));
            }
            if magnitude < MIN_MAGNITUDE {
                return Err(DecimalError::TooSmall(text.to_owned()));
            }
        }
        if self.is_negative() {
            return Err(DecimalError::Negative(text.to_owned()));
        }
        Ok(())
    }

    /// Parses text typed or read as a quantity or emission factor and
    /// applies [`Decimal::check_amount`].
    pub fn parse_amount(text: &str) -> Result<Self, DecimalError> {
        let d = Decimal::parse(text)?;
        d.check_amount()?;
        Ok(d)
    }

    /// ⌊log10 |value|⌋, `None` for zero; read off the text (the position
    /// of the first non-zero digit and the exponent), without arithmetic.
    pub fn magnitude(&self) -> Option<i64> {
        let text = self.as_str();
        let (mantissa, exponent) = match text.find(['e', 'E']) {
            Some(at) => (&text[..at], &text[at + 1..]),
            None => (text, ""),
        };
        let mantissa = mantissa.strip_prefix('-').unwrap_or(mantissa);
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let first = int.bytes().chain(frac.bytes()).position(|d| d != b'0')?;
        let int_len = i64::try_from(int.len()).ok()?;
        let first = i64::try_from(first).ok()?;
        // `parse` keeps exponents to at most four significant digits.
        let exponent: i64 = if exponent.is_empty() {
            0
        } else {
            exponent.parse().ok()?
        };
        Some(int_len - 1 - first + exponent)
    }

    /// The digits exactly as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True for numbers below zero (`-0` and `-0.0` are not negative).
    pub fn is_negative(&self) -> bool {
        self.0.starts_with('-') && self.mantissa_digits().any(|d| d != b'0')
    }

    fn mantissa_digits(&self) -> impl Iterator<Item = u8> + '_ {
        let end = self.0.find(['e', 'E']).unwrap_or(self.0.len());
        self.0[..end].bytes().filter(u8::is_ascii_digit)
    }

    /// The exact value, for arithmetic.
    pub fn to_big(&self) -> BigDecimal {
        // The grammar check in `parse` guarantees BigDecimal accepts it.
        BigDecimal::from_str(&self.0).expect("a checked JSON number parses as BigDecimal")
    }

    /// Mantissa and scale (`value = mantissa × 10^-scale`) when the mantissa
    /// fits in an `i64`; lets SQLite sum quantities exactly with integers.
    pub fn to_scaled_i64(&self) -> Option<(i64, i64)> {
        let (big, scale) = self.to_big().into_bigint_and_exponent();
        i64::try_from(big).ok().map(|m| (m, scale))
    }

    /// A text key whose byte order is the numeric order, for non-negative
    /// values, after shifting the decimal point `shift` places to the right
    /// (used to compare kWh with MWh without floats). Negative values sort first.
    pub fn sort_key(&self, shift: i64) -> String {
        let big = self.to_big();
        if big.sign() == bigdecimal::num_bigint::Sign::Minus {
            return "-".to_owned();
        }
        let (digits, scale) = big.normalized().into_bigint_and_exponent();
        let digits = digits.to_string();
        if digits == "0" {
            return "0".to_owned();
        }
        // value = 0.d1d2d3… × 10^exp10
        let exp10 = digits.len() as i64 - scale + shift;
        // Offset keeps the exponent positive and fixed-width.
        format!("1{:06}{}", exp10 + 500_000, digits)
    }

    /// Exact sum of several decimals, written in plain notation.
    pub fn sum<'a>(items: impl IntoIterator<Item = &'a Decimal>) -> Decimal {
        let total: BigDecimal = items.into_iter().map(Decimal::to_big).sum();
        Decimal::from_big(&total)
    }

    /// Writes an exact value back as JSON number text (plain notation, no exponent).
    pub fn from_big(value: &BigDecimal) -> Decimal {
        Decimal(value.to_plain_string().into())
    }
}

/// An exact running sum of decimals: in a 128-bit integer and a scale
/// while the digits fit (every quantity a registry writes), in a
/// [`BigDecimal`] beyond, with the same result either way — the digits
/// and scale `BigDecimal` addition gives (the larger scale of the terms,
/// at least 0, since a sum starts at 0). An import sums a million values
/// per 100k EACs, where parsing each into a `BigDecimal` was an eighth of
/// the reading thread's time (issue 16).
#[derive(Clone, Debug)]
pub struct ExactSum(SumRepr);

#[derive(Clone, Debug)]
enum SumRepr {
    /// `mantissa × 10^-scale`.
    Small {
        mantissa: i128,
        scale: i64,
    },
    Big(BigDecimal),
}

impl Default for ExactSum {
    fn default() -> Self {
        ExactSum(SumRepr::Small {
            mantissa: 0,
            scale: 0,
        })
    }
}

/// Digits a term may have to be added as an integer: sums of up to ten
/// thousand such terms stay far inside an `i128` (about 1.7 × 10^38).
const SMALL_DIGITS: usize = 30;

/// The largest scale difference aligned by multiplying (10^36 < 2^127).
const SMALL_SHIFT: i64 = 36;

impl ExactSum {
    /// Adds `value × 10^shift` (`shift` 3 adds kWh to a sum in Wh).
    pub fn add(&mut self, value: &Decimal, shift: i64) {
        if let SumRepr::Small { mantissa, scale } = &mut self.0 {
            if let Some((m, s)) = small_parts(value.as_str()) {
                let s = s - shift;
                if let Some((sum, at)) = add_small(*mantissa, *scale, m, s) {
                    *mantissa = sum;
                    *scale = at;
                    return;
                }
            }
        }
        let (digits, scale) = value.to_big().into_bigint_and_exponent();
        let term = BigDecimal::new(digits, scale - shift);
        self.0 = SumRepr::Big(self.to_big() + term);
    }

    /// The sum as a `BigDecimal`.
    pub fn to_big(&self) -> BigDecimal {
        match &self.0 {
            SumRepr::Small { mantissa, scale } => BigDecimal::new((*mantissa).into(), *scale),
            SumRepr::Big(big) => big.clone(),
        }
    }

    /// Mantissa and scale when the mantissa fits in an `i64`
    /// (`BigDecimal::as_bigint_and_exponent` of the sum).
    pub fn to_scaled_i64(&self) -> Option<(i64, i64)> {
        match &self.0 {
            SumRepr::Small { mantissa, scale } => {
                i64::try_from(*mantissa).ok().map(|m| (m, *scale))
            }
            SumRepr::Big(big) => {
                let (digits, scale) = big.as_bigint_and_exponent();
                i64::try_from(digits).ok().map(|m| (m, scale))
            }
        }
    }

    /// The sum written as [`Decimal::from_big`] writes it.
    pub fn to_decimal(&self) -> Decimal {
        match &self.0 {
            SumRepr::Small { mantissa, scale } if *scale >= 0 => {
                Decimal(plain_text(*mantissa, *scale).into())
            }
            _ => Decimal::from_big(&self.to_big()),
        }
    }

    /// [`Decimal::sort_key`] of the sum (`shift` 0).
    pub fn sort_key(&self) -> String {
        match &self.0 {
            SumRepr::Small { mantissa, scale } => small_sort_key(*mantissa, *scale),
            SumRepr::Big(_) => self.to_decimal().sort_key(0),
        }
    }
}

/// Exact running sums of quantities, one per unit (Wh, kWh and MWh are
/// never added together): the totals per unit of a statement, a pack's
/// manifest or an EAC row.
#[derive(Clone, Debug, Default)]
pub struct UnitSums([Option<ExactSum>; 3]);

impl UnitSums {
    /// Adds `value` of `unit`.
    pub fn add(&mut self, unit: EnergyUnit, value: &Decimal) {
        let slot = match unit {
            EnergyUnit::Wh => 0,
            EnergyUnit::KWh => 1,
            EnergyUnit::MWh => 2,
        };
        self.0[slot]
            .get_or_insert_with(ExactSum::default)
            .add(value, 0);
    }

    /// Each unit that has a value, in unit order ([`EnergyUnit::ALL`]),
    /// with its sum.
    pub fn iter(&self) -> impl Iterator<Item = (EnergyUnit, &ExactSum)> {
        EnergyUnit::ALL
            .iter()
            .zip(&self.0)
            .filter_map(|(unit, sum)| Some((*unit, sum.as_ref()?)))
    }

    /// The sums written as decimals, in unit order; units without a value
    /// left out.
    pub fn totals(&self) -> Vec<(EnergyUnit, Decimal)> {
        self.iter()
            .map(|(unit, sum)| (unit, sum.to_decimal()))
            .collect()
    }
}

/// `(mantissa, scale)` of a checked JSON number with at most
/// [`SMALL_DIGITS`] digits, as `BigDecimal::from_str` reads it.
fn small_parts(text: &str) -> Option<(i128, i64)> {
    let (number, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], text[at + 1..].parse::<i64>().ok()?),
        None => (text, 0),
    };
    let (negative, number) = match number.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, number),
    };
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    if int.len() + frac.len() > SMALL_DIGITS {
        return None;
    }
    let mut mantissa: i128 = 0;
    for d in int.bytes().chain(frac.bytes()) {
        if !d.is_ascii_digit() {
            return None;
        }
        mantissa = mantissa * 10 + i128::from(d - b'0');
    }
    let scale = i64::try_from(frac.len()).ok()? - exponent;
    Some((if negative { -mantissa } else { mantissa }, scale))
}

/// `a × 10^-sa + b × 10^-sb` at the larger scale, `None` when it would not fit.
fn add_small(a: i128, sa: i64, b: i128, sb: i64) -> Option<(i128, i64)> {
    let scale = sa.max(sb);
    let align = |m: i128, s: i64| -> Option<i128> {
        let shift = scale - s;
        if shift > SMALL_SHIFT {
            return None;
        }
        m.checked_mul(10i128.checked_pow(u32::try_from(shift).ok()?)?)
    };
    Some((align(a, sa)?.checked_add(align(b, sb)?)?, scale))
}

/// `BigDecimal::to_plain_string` for a scale of 0 or more.
fn plain_text(mantissa: i128, scale: i64) -> String {
    let digits = mantissa.unsigned_abs().to_string();
    let sign = if mantissa < 0 { "-" } else { "" };
    let scale = usize::try_from(scale).expect("a scale of 0 or more");
    if scale == 0 {
        return format!("{sign}{digits}");
    }
    let padded = if digits.len() <= scale {
        format!("{}{digits}", "0".repeat(scale + 1 - digits.len()))
    } else {
        digits
    };
    let point = padded.len() - scale;
    format!("{sign}{}.{}", &padded[..point], &padded[point..])
}

/// [`Decimal::sort_key`] of `mantissa × 10^-scale`.
fn small_sort_key(mantissa: i128, scale: i64) -> String {
    if mantissa < 0 {
        return "-".to_owned();
    }
    if mantissa == 0 {
        return "0".to_owned();
    }
    let (mut m, mut scale) = (mantissa, scale);
    while m % 10 == 0 {
        m /= 10;
        scale -= 1;
    }
    let digits = m.to_string();
    let exp10 = digits.len() as i64 - scale;
    format!("1{:06}{}", exp10 + 500_000, digits)
}

/// Checks the JSON number grammar: `-? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][+-]?[0-9]+)?`.
fn is_json_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    i == b.len()
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Decimal({})", self.0)
    }
}

impl FromStr for Decimal {
    type Err = DecimalError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Decimal::parse(s)
    }
}

impl Serialize for Decimal {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Written verbatim as a JSON number: the digits survive byte for byte.
        let raw = RawValue::from_string(self.0.to_string()).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        Decimal::parse(raw.get()).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_written_digits() {
        for text in [
            "1000.0",
            "45.106820",
            "0",
            "-0.0",
            "1e3",
            "1.50E-2",
            "0.011",
        ] {
            assert_eq!(Decimal::parse(text).unwrap().as_str(), text);
        }
    }

    #[test]
    fn rejects_non_numbers() {
        for text in [
            "", "TODO", "\"1\"", "01", "1.", ".5", "NaN", "Infinity", "+1", "1e", "1 ",
        ] {
            assert!(Decimal::parse(text).is_err(), "{text} accepted");
        }
    }

    #[test]
    fn huge_exponents_are_refused() {
        assert!(Decimal::parse("1e1000").is_ok());
        assert!(Decimal::parse("1E-0001000").is_ok());
        assert!(matches!(
            Decimal::parse("1e1001"),
            Err(DecimalError::ExponentTooLarge(_))
        ));
        assert!(matches!(
            Decimal::parse("1e1000000"),
            Err(DecimalError::ExponentTooLarge(_))
        ));
    }

    #[test]
    fn amounts_are_what_every_json_reader_can_hold() {
        for ok in [
            "0",
            "-0",
            "0e-999",
            "0.0",
            "1",
            "9.99e307",
            "99999e303",
            "1e-307",
            "0.1e-306",
            "45.106820",
            "1e3",
        ] {
            assert_eq!(Decimal::parse_amount(ok).map(|_| ()), Ok(()), "{ok}");
        }
        let too_large =
            |t: &str| matches!(Decimal::parse_amount(t), Err(DecimalError::TooLarge(_)));
        let too_small =
            |t: &str| matches!(Decimal::parse_amount(t), Err(DecimalError::TooSmall(_)));
        for t in [
            "1e308",
            "1e309",
            "1e400",
            "10e307",
            "1.7976931348623157e308",
        ] {
            assert!(too_large(t), "{t}");
        }
        for t in ["1e-308", "0.99e-307", "1e-400"] {
            assert!(too_small(t), "{t}");
        }
        assert!(matches!(
            Decimal::parse_amount("-0.5"),
            Err(DecimalError::Negative(_))
        ));
        // A long literal is refused before any arithmetic on it.
        let long = format!("0.{}1", "0".repeat(MAX_AMOUNT_LEN));
        assert!(matches!(
            Decimal::parse_amount(&long),
            Err(DecimalError::TooLong(_))
        ));
        let huge = "9".repeat(100_000);
        let e = Decimal::parse_amount(&huge).unwrap_err();
        assert!(matches!(e, DecimalError::TooLong(_)));
        assert!(e.to_string().len() < 200, "{e}");
        assert!(e.to_string().contains("100000 characters long"), "{e}");
    }

    #[test]
    fn negative_zero_is_not_negative() {
        assert!(!Decimal::parse("-0.0").unwrap().is_negative());
        assert!(Decimal::parse("-0.01").unwrap().is_negative());
        assert!(!Decimal::parse("0.01e-5").unwrap().is_negative());
    }

    #[test]
    fn sums_per_unit_stay_apart_in_unit_order() {
        let mut sums = UnitSums::default();
        assert!(sums.totals().is_empty());
        for (unit, v) in [
            (EnergyUnit::MWh, "1000.0"),
            (EnergyUnit::Wh, "12"),
            (EnergyUnit::MWh, "45.106820"),
        ] {
            sums.add(unit, &Decimal::parse(v).unwrap());
        }
        let totals: Vec<(EnergyUnit, String)> = sums
            .totals()
            .into_iter()
            .map(|(u, d)| (u, d.as_str().to_owned()))
            .collect();
        assert_eq!(
            totals,
            [
                (EnergyUnit::Wh, "12".to_owned()),
                (EnergyUnit::MWh, "1045.106820".to_owned())
            ]
        );
    }

    #[test]
    fn sums_exactly() {
        let items: Vec<Decimal> = ["0.1", "0.2", "45.106820", "54.00418"]
            .iter()
            .map(|t| Decimal::parse(t).unwrap())
            .collect();
        assert_eq!(Decimal::sum(&items).as_str(), "99.411000");
    }

    #[test]
    fn sort_key_orders_numerically() {
        let ordered = [
            "0", "0.001", "0.5", "1", "1.25", "1.5", "9", "10", "10.5", "100", "1e5",
        ];
        let keys: Vec<String> = ordered
            .iter()
            .map(|t| Decimal::parse(t).unwrap().sort_key(0))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        // 1 MWh (shift 6) sorts above 999 kWh (shift 3).
        assert!(
            Decimal::parse("1").unwrap().sort_key(6) > Decimal::parse("999").unwrap().sort_key(3)
        );
        assert_eq!(
            Decimal::parse("1.0").unwrap().sort_key(0),
            Decimal::parse("1").unwrap().sort_key(0)
        );
    }

    #[test]
    fn scaled_integers() {
        assert_eq!(
            Decimal::parse("45.106820").unwrap().to_scaled_i64(),
            Some((45106820, 6))
        );
        assert_eq!(
            Decimal::parse("1e3").unwrap().to_scaled_i64(),
            Some((1, -3))
        );
    }

    /// The long way an exact sum was taken before [`ExactSum`] (the store's
    /// totals per unit: `sum = sum + term` from 0).
    fn big_sum(terms: &[(&Decimal, i64)]) -> BigDecimal {
        let mut sum = BigDecimal::from(0);
        for (value, shift) in terms {
            let (digits, scale) = value.to_big().into_bigint_and_exponent();
            // `+`, not `+=`: the two keep the scale of a zero differently.
            #[allow(clippy::assign_op_pattern)]
            {
                sum = sum + BigDecimal::new(digits, scale - shift);
            }
        }
        sum
    }

    /// The total in Wh was summed with `+=`, which keeps a zero term's
    /// scale differently; only its value counts (its sort key).
    fn big_sum_assigned(terms: &[(&Decimal, i64)]) -> BigDecimal {
        let mut sum = BigDecimal::from(0);
        for (value, shift) in terms {
            let (digits, scale) = value.to_big().into_bigint_and_exponent();
            sum += BigDecimal::new(digits, scale - shift);
        }
        sum
    }

    fn assert_sum_matches(terms: &[(&Decimal, i64)]) {
        let mut fast = ExactSum::default();
        for (value, shift) in terms {
            fast.add(value, *shift);
        }
        let big = big_sum(terms);
        let (digits, scale) = big.as_bigint_and_exponent();
        assert_eq!(fast.to_decimal(), Decimal::from_big(&big), "{terms:?}");
        assert_eq!(
            fast.to_big().as_bigint_and_exponent(),
            (digits.clone(), scale)
        );
        assert_eq!(
            fast.to_scaled_i64(),
            i64::try_from(digits).ok().map(|m| (m, scale)),
            "{terms:?}"
        );
        assert_eq!(
            fast.sort_key(),
            Decimal::from_big(&big).sort_key(0),
            "{terms:?}"
        );
        assert_eq!(
            fast.sort_key(),
            Decimal::from_big(&big_sum_assigned(terms)).sort_key(0),
            "{terms:?}"
        );
    }

    #[test]
    fn exact_sums_match_the_long_way() {
        let d = |t: &str| Decimal::parse(t).unwrap();
        let cases: Vec<Vec<(Decimal, i64)>> = vec![
            vec![],
            vec![(d("1000.0"), 0)],
            vec![
                (d("0.1"), 0),
                (d("0.2"), 0),
                (d("45.106820"), 0),
                (d("54.00418"), 0),
            ],
            vec![(d("1e3"), 0), (d("1.50E-2"), 0)],
            vec![(d("1"), 6), (d("0.001"), 3), (d("7"), 0)],
            vec![(d("0.000"), 0)],
            vec![(d("-0.0"), 0), (d("0e-999"), 0)],
            vec![(d("9.99e307"), 0), (d("1"), 0)],
            vec![(d("1e-307"), 0), (d("1"), 0)],
            vec![(d("123456789012345678901234567890"), 0), (d("1"), 6)],
            vec![(d("1234567890123456789012345678901"), 0)],
            vec![(d("9223372036854775807"), 0), (d("1"), 0)],
            vec![(d("0.5"), 0), (d("-0.25"), 0)],
            vec![
                (d("0.00000000000000000000000000000000000001"), 0),
                (d("1"), 3),
            ],
        ];
        for case in &cases {
            let terms: Vec<(&Decimal, i64)> = case.iter().map(|(v, s)| (v, *s)).collect();
            assert_sum_matches(&terms);
        }
    }

    proptest::proptest! {
        #[test]
        fn exact_sums_match_the_long_way_for_any_terms(
            terms in proptest::collection::vec(
                (
                    "-?(0|[1-9][0-9]{0,34})(\\.[0-9]{1,12})?([eE][+-]?[0-9]{1,2})?",
                    proptest::sample::select(vec![0i64, 3, 6]),
                ),
                0..12,
            )
        ) {
            let values: Vec<(Decimal, i64)> = terms
                .iter()
                .map(|(t, s)| (Decimal::parse(t).unwrap(), *s))
                .collect();
            let refs: Vec<(&Decimal, i64)> = values.iter().map(|(v, s)| (v, *s)).collect();
            assert_sum_matches(&refs);
        }
    }

    #[test]
    fn serializes_verbatim() {
        let d = Decimal::parse("1000.0").unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), "1000.0");
        let back: Decimal = serde_json::from_str("45.106820").unwrap();
        assert_eq!(back.as_str(), "45.106820");
    }
}
