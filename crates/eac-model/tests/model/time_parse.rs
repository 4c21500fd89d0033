//! The hand reading of timestamps (issue 16) against chrono's: for valid
//! and invalid text alike, the same instant or the same error, word for
//! word.

use eac_model::Timestamp;
use proptest::prelude::*;

/// Text shaped like an RFC 3339 date-time, every part at and past its
/// edges (month 13, hour 24, second 60, ten fraction digits, offset
/// +24:00, a space or a missing separator, …).
fn near_timestamp() -> impl Strategy<Value = String> {
    (
        (0u32..=10_000, 0u32..=13, 0u32..=32),
        prop::sample::select(vec!["T", "t", " ", "", "x"]),
        (0u32..=25, 0u32..=61, 0u32..=61),
        prop::option::of("[0-9]{0,11}"),
        prop::sample::select(vec!["Z", "z", "+", "-", "", "Zx", "+0"]),
        (0u32..=25, 0u32..=61),
        prop::sample::select(vec![":", "", "-"]),
        any::<bool>(),
    )
        .prop_map(
            |((y, mo, d), sep, (h, mi, s), frac, zone, (oh, om), colon, wide)| {
                let year = if wide {
                    format!("{y:05}")
                } else {
                    format!("{y:04}")
                };
                let mut t = format!("{year}-{mo:02}-{d:02}{sep}{h:02}:{mi:02}:{s:02}");
                if let Some(f) = frac {
                    t.push('.');
                    t.push_str(&f);
                }
                t.push_str(zone);
                if zone == "+" || zone == "-" {
                    t.push_str(&format!("{oh:02}{colon}{om:02}"));
                }
                t
            },
        )
}

/// A valid instant written with any offset (most often the common shape).
fn valid_timestamp() -> impl Strategy<Value = String> {
    (
        (0u32..=9999, 1u32..=12, 1u32..=31),
        (0u32..=23, 0u32..=59, 0u32..=59),
        prop::option::of("[0-9]{1,9}"),
        prop::option::of((any::<bool>(), 0u32..=23, 0u32..=59)),
    )
        .prop_map(|((y, mo, d), (h, mi, s), frac, offset)| {
            let mut t = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
            if let Some(f) = frac {
                t.push('.');
                t.push_str(&f);
            }
            match offset {
                None => t.push('Z'),
                Some((minus, oh, om)) => {
                    t.push_str(&format!("{}{oh:02}:{om:02}", if minus { '-' } else { '+' }))
                }
            }
            t
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn hand_reading_agrees_with_chrono_near_the_shape(t in near_timestamp()) {
        prop_assert_eq!(Timestamp::parse(&t), Timestamp::parse_with_chrono(&t), "{}", t);
    }

    #[test]
    fn hand_reading_agrees_with_chrono_on_valid_instants(t in valid_timestamp()) {
        prop_assert_eq!(Timestamp::parse(&t), Timestamp::parse_with_chrono(&t), "{}", t);
    }

    #[test]
    fn hand_reading_agrees_with_chrono_on_any_text(t in "[0-9Tt:Zz+. -]{0,36}") {
        prop_assert_eq!(Timestamp::parse(&t), Timestamp::parse_with_chrono(&t), "{}", t);
    }
}

#[test]
fn edges_agree_with_chrono() {
    for t in [
        "0000-01-01T00:00:00Z",
        "0000-01-01T00:00:00+00:01",
        "0000-01-01T00:00:00-00:01",
        "9999-12-31T23:59:59.999999999Z",
        "9999-12-31T23:59:59-00:01",
        "2016-12-31T23:59:60Z",
        "2024-02-29T12:00:00+23:59",
        "2023-02-29T12:00:00Z",
        "2024-01-01T00:00:00.1234567891Z",
        "2024-01-01T00:00:00.Z",
        "2024-01-01T00:00:00+24:00",
        "2024-01-01T00:00:00+01:60",
        "2024-01-01T00:00:00-00:00",
        "2024-01-01t00:00:00z",
        "2024-01-01 00:00:00Z",
        "2024-01-01T24:00:00Z",
    ] {
        assert_eq!(Timestamp::parse(t), Timestamp::parse_with_chrono(t), "{t}");
    }
}
