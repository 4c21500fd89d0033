//! Properties of the two definitions everything else trusts (ARCHITECTURE.md,
//! "One definition of a valid number and time"): a decimal keeps its text
//! and compares as its exact value; an amount is bounded where a double
//! reader can hold it; a timestamp's storage text reads back as the same
//! instant and sorts as instants do, whatever offset it was written with.

use bigdecimal::BigDecimal;
use chrono::{DateTime, FixedOffset, Utc};
use eac_model::{Decimal, DecimalError, Timestamp};
use proptest::prelude::*;

/// Text of the JSON number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn number_text() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        "(0|[1-9][0-9]{0,20})",
        prop::option::of("[0-9]{1,12}"),
        prop::option::of(("[eE]", "[+-]?", "0{0,2}[0-9]{1,3}")),
    )
        .prop_map(|(minus, int, frac, exp)| {
            let mut t = String::new();
            if minus {
                t.push('-');
            }
            t.push_str(&int);
            if let Some(f) = frac {
                t.push('.');
                t.push_str(&f);
            }
            if let Some((e, sign, digits)) = exp {
                t.push_str(&e);
                t.push_str(&sign);
                t.push_str(&digits);
            }
            t
        })
}

/// A non-negative decimal small enough for exact comparisons to be quick.
fn amount() -> impl Strategy<Value = Decimal> {
    super::arb_eac::decimal_text(9, 6, -12..12).prop_map(|t| Decimal::parse(&t).unwrap())
}

fn shift() -> impl Strategy<Value = i64> {
    prop::sample::select(vec![0i64, 3, 6])
}

fn pow10(n: i64) -> BigDecimal {
    BigDecimal::new(1.into(), -n)
}

/// UTC seconds from 0000-01-02 to 9999-12-30, so any offset stays in range.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (
        -62_167_132_800i64..253_402_214_399,
        0u32..1_000_000_000,
        0usize..=9,
    )
        .prop_map(|(secs, nanos, digits)| {
            // Keep only the nanoseconds a text with `digits` digits can hold.
            let unit = 10u32.pow(9 - u32::try_from(digits).unwrap());
            DateTime::from_timestamp(secs, nanos / unit * unit).unwrap()
        })
}

fn offset() -> impl Strategy<Value = FixedOffset> {
    (-(23 * 60 + 59)..=(23 * 60 + 59)).prop_map(|m: i32| FixedOffset::east_opt(m * 60).unwrap())
}

/// RFC 3339 text of `at` as seen at `offset`, with all nine digits or none.
fn rfc3339(at: DateTime<Utc>, offset: FixedOffset) -> String {
    let local = at.with_timezone(&offset);
    let fraction = if at.timestamp_subsec_nanos() == 0 {
        ""
    } else {
        "%.9f"
    };
    let z = if offset.local_minus_utc() == 0 {
        "Z".to_owned()
    } else {
        local.format("%:z").to_string()
    };
    format!(
        "{}{z}",
        local.format(&format!("%Y-%m-%dT%H:%M:%S{fraction}"))
    )
}

proptest! {
    #[test]
    fn a_decimal_keeps_its_text_exactly(text in number_text()) {
        let d = Decimal::parse(&text).unwrap();
        prop_assert_eq!(d.as_str(), text.as_str());
        prop_assert_eq!(d.to_string(), text.clone());
        prop_assert_eq!(serde_json::to_string(&d).unwrap(), text.clone());
        let back: Decimal = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(back, d);
    }

    /// The magnitude read off the text (what `check_amount` bounds) is
    /// the exact value's ⌊log10 |x|⌋.
    #[test]
    fn magnitude_from_the_text_is_the_exact_values(text in number_text()) {
        let d = Decimal::parse(&text).unwrap();
        let (digits, scale) = d.to_big().normalized().into_bigint_and_exponent();
        let exact = (digits.sign() != bigdecimal::num_bigint::Sign::NoSign).then(|| {
            i64::try_from(digits.magnitude().to_string().len()).unwrap() - 1 - scale
        });
        prop_assert_eq!(d.magnitude(), exact, "{}", text);
    }

    #[test]
    fn sort_keys_order_as_exact_values_across_units(
        a in amount(), sa in shift(), b in amount(), sb in shift()
    ) {
        let exact = (a.to_big() * pow10(sa)).cmp(&(b.to_big() * pow10(sb)));
        prop_assert_eq!(a.sort_key(sa).cmp(&b.sort_key(sb)), exact, "{} << {} vs {} << {}", a, sa, b, sb);
    }

    #[test]
    fn sums_and_scaled_integers_are_exact(items in prop::collection::vec(amount(), 0..8)) {
        let exact: BigDecimal = items.iter().map(Decimal::to_big).sum();
        prop_assert_eq!(Decimal::sum(&items).to_big(), exact);
        for d in &items {
            if let Some((mantissa, scale)) = d.to_scaled_i64() {
                prop_assert_eq!(BigDecimal::new(mantissa.into(), scale), d.to_big());
            }
        }
    }

    /// `d.ddd…eE` has ⌊log10⌋ = E: amounts hold 1e-307 ≤ |x| < 1e308, and
    /// a negative one is refused only for its sign.
    #[test]
    fn amounts_are_bounded_where_a_double_reader_can_hold_them(
        lead in 1u8..10, rest in "[0-9]{0,15}", e in -330i32..330, negative in any::<bool>()
    ) {
        let text = format!("{}{lead}.{rest}0e{e}", if negative { "-" } else { "" });
        let got = Decimal::parse_amount(&text);
        match got {
            Err(DecimalError::TooLarge(_)) => prop_assert!(e > 307, "{}", text),
            Err(DecimalError::TooSmall(_)) => prop_assert!(e < -307, "{}", text),
            Err(DecimalError::Negative(_)) => prop_assert!(negative && (-307..=307).contains(&e), "{}", text),
            Ok(_) => prop_assert!(!negative && (-307..=307).contains(&e), "{}", text),
            Err(other) => prop_assert!(false, "{}: {}", text, other),
        }
    }

    #[test]
    fn zero_in_any_form_is_an_amount(minus in any::<bool>(), frac in "[0]{0,5}", e in -999i32..1000) {
        let text = format!("{}0{}{}e{e}", if minus { "-" } else { "" }, if frac.is_empty() { "" } else { "." }, frac);
        prop_assert!(Decimal::parse_amount(&text).is_ok(), "{}", text);
    }

    #[test]
    fn storage_text_reads_back_as_the_same_instant(at in instant(), off in offset()) {
        let text = rfc3339(at, off);
        let t = Timestamp::parse(&text).unwrap();
        prop_assert_eq!(t.as_utc(), at, "{}", text);
        prop_assert_eq!(Timestamp::from_storage(&t.to_storage()).unwrap(), t);
        prop_assert_eq!(Timestamp::parse(&t.to_string()).unwrap(), t);
        // The same instant written in UTC is the same timestamp.
        prop_assert_eq!(Timestamp::parse(&rfc3339(at, FixedOffset::east_opt(0).unwrap())).unwrap(), t);
        prop_assert_eq!(t.to_storage().len(), "2024-01-01T00:00:00.000000000Z".len());
    }

    /// The hand-written texts (storage, display, dates) are chrono's,
    /// byte for byte, for any instant in any offset.
    #[test]
    fn hand_written_time_text_is_chronos(at in instant(), off in offset()) {
        let t = Timestamp::parse(&rfc3339(at, off)).unwrap();
        prop_assert_eq!(t.to_storage(), at.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string());
        prop_assert_eq!(t.to_string(), at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
        let d = t.date();
        prop_assert_eq!(d.to_string(), at.format("%Y-%m-%d").to_string());
        prop_assert_eq!(eac_model::Date::parse(&d.to_string()).unwrap(), d);
    }

    #[test]
    fn storage_text_sorts_as_instants(a in instant(), oa in offset(), b in instant(), ob in offset()) {
        let (ta, tb) = (Timestamp::parse(&rfc3339(a, oa)).unwrap(), Timestamp::parse(&rfc3339(b, ob)).unwrap());
        prop_assert_eq!(ta.to_storage().cmp(&tb.to_storage()), a.cmp(&b));
        prop_assert_eq!(ta.cmp(&tb), a.cmp(&b));
    }
}
