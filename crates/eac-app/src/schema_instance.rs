//! What the JSON Schema engine is shown of a document.
//!
//! `serde_json::Value` holds numbers as machine integers or binary
//! floating point: `1e400` or a 400-digit integer does not parse at all, and
//! every other quantity would be judged rounded. So the engine never sees a
//! quantity as written: each literal is replaced by a stand-in with the same
//! schema-relevant properties (JSON type, sign, zero, integer or not). The
//! shipped schemas only ask those of numbers (`type`, `minimum: 0`; a test
//! keeps it so). The digits themselves are judged by the rules
//! ([`eac_model::Decimal::check_amount`]), exactly.
//!
//! Strings are kept, except that a lone surrogate escape (`\ud800`, which no
//! Rust string can hold) becomes U+FFFD: the rule reader reports it.

use std::sync::OnceLock;

use eac_model::strict::lone_surrogate_at;
use serde_json::{Number, Value};

/// Parses JSON text (already known to be JSON) into the value the schema
/// engine checks. `Err` only for text that is not JSON after all.
///
/// The value is built straight from the text by the reader of
/// [`crate::schema_tape`] (no copy with stand-ins parsed again, issue 16);
/// text it does not take (deep nesting, a duplicate key, a lone surrogate
/// escape, anything unexpected) goes the long way, which says what
/// serde_json says of it.
pub(crate) fn schema_instance(json: &str) -> Result<Value, serde_json::Error> {
    match crate::schema_tape::value_of(json) {
        Some(value) => Ok(value),
        None => long_way(json),
    }
}

/// serde_json's reading of `json` with stand-ins for its numbers.
pub(crate) fn long_way(json: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str(&with_stand_ins(json))
}

/// The stand-in number of the JSON number `literal`, as the long way
/// parses it.
pub(crate) fn stand_in_number(literal: &str) -> &'static Number {
    stand_in_of(stand_in(literal))
}

fn stand_in_of(stand_in: &'static str) -> &'static Number {
    static NUMBERS: OnceLock<[Number; 5]> = OnceLock::new();
    let numbers = NUMBERS.get_or_init(|| {
        ["0", "1", "-1", "0.5", "-0.5"].map(|s| serde_json::from_str(s).expect("a number"))
    });
    let i = match stand_in {
        "0" => 0,
        "1" => 1,
        "-1" => 2,
        "0.5" => 3,
        _ => 4,
    };
    &numbers[i]
}

/// The JSON text with every number replaced by its stand-in.
fn with_stand_ins(json: &str) -> String {
    let b = json.as_bytes();
    let mut out = String::with_capacity(json.len());
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(b.len());
                out.push_str(&json[copied..start]);
                push_string(&mut out, &json[start..i]);
                copied = i;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < b.len() && matches!(b[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
                {
                    i += 1;
                }
                out.push_str(&json[copied..start]);
                out.push_str(stand_in(&json[start..i]));
                copied = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&json[copied..]);
    out
}

/// A string literal with each lone surrogate escape replaced by `\ufffd`.
fn push_string(out: &mut String, mut literal: &str) {
    while let Some(at) = lone_surrogate_at(literal) {
        out.push_str(&literal[..at]);
        out.push_str("\\ufffd");
        literal = &literal[at + 6..];
    }
    out.push_str(literal);
}

/// The stand-in for a JSON number literal: same sign, zero-ness and
/// integer-ness (`1e3` and `1.50e1` are integers, as JSON Schema counts).
fn stand_in(literal: &str) -> &'static str {
    let (mantissa, exponent) = match literal.find(['e', 'E']) {
        Some(at) => (&literal[..at], &literal[at + 1..]),
        None => (literal, "0"),
    };
    let negative = mantissa.starts_with('-');
    let mantissa = mantissa.trim_start_matches('-');
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int}{frac}");
    let significant = digits.trim_end_matches('0');
    if significant.trim_start_matches('0').is_empty() {
        return "0";
    }
    // The decimal point sits after `int` and moves `exponent` places right;
    // the value is an integer when no significant digit is left after it.
    let exponent: i64 =
        exponent
            .trim_start_matches('+')
            .parse()
            .unwrap_or(if exponent.starts_with('-') {
                i64::MIN / 2
            } else {
                i64::MAX / 2
            });
    let point = (int.len() as i64).saturating_add(exponent);
    let integer = (significant.len() as i64) <= point;
    match (negative, integer) {
        (false, true) => "1",
        (false, false) => "0.5",
        (true, true) => "-1",
        (true, false) => "-0.5",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stand_ins_keep_sign_zero_and_integer_ness() {
        for (literal, expected) in [
            ("0", "0"),
            ("-0.0", "0"),
            ("0e999999", "0"),
            ("5", "1"),
            ("1e400", "1"),
            ("1.50e1", "1"),
            ("100e-2", "1"),
            ("0.05e2", "1"),
            ("0.5", "0.5"),
            ("1e-400", "0.5"),
            ("1.5e0", "0.5"),
            ("-1e999999999999999999999", "-1"),
            ("-0.011", "-0.5"),
            ("-1e-99999999999999999999", "-0.5"),
        ] {
            assert_eq!(stand_in(literal), expected, "{literal}");
        }
        let huge = "9".repeat(100_000);
        assert_eq!(stand_in(&huge), "1");
    }

    /// The direct builder gives exactly what the long way gives.
    #[test]
    fn direct_and_long_way_agree() {
        for json in [
            r#"{"a": [1, -2.5e3, 0, -0.0, 1e400, {"b": null, "c": true, "d": false}], "e": "x\u00e9\n"}"#,
            r#"{"a": 1, "a": 2, "b": {}, "c": [], "d": [[]], "\u0041": "\ud83d\ude00"}"#,
            r#"  "plain"  "#,
            r#"-0.011"#,
            r#"{"s": "\ud800"}"#,
            r#"[1, 2"#,
            r#"{"a" 1}"#,
            "",
        ] {
            let long_way =
                serde_json::from_str::<Value>(&with_stand_ins(json)).map_err(|e| e.to_string());
            assert_eq!(
                schema_instance(json).map_err(|e| e.to_string()),
                long_way,
                "{json}"
            );
        }
        for depth in [99, 100, 101, 127, 128, 129, 300] {
            let json = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
            let long_way =
                serde_json::from_str::<Value>(&with_stand_ins(&json)).map_err(|e| e.to_string());
            assert_eq!(
                schema_instance(&json).map_err(|e| e.to_string()),
                long_way,
                "depth {depth}"
            );
        }
    }

    #[test]
    fn strings_and_structure_are_kept() {
        let json = r#"{"a-1": "x \"1e400\" \\ 2", "n": [1e400, -0.5, 0], "s": "\ud800!", "ok": "\ud83d\ude00"}"#;
        let v = schema_instance(json).unwrap();
        assert_eq!(v["a-1"], r#"x "1e400" \ 2"#);
        assert_eq!(v["n"], serde_json::json!([1, -0.5, 0]));
        assert_eq!(v["s"], "\u{fffd}!");
        assert_eq!(v["ok"], "😀");
    }

    /// Stand-ins keep type, sign, zero-ness and integer-ness only; a schema
    /// that asked more of a number (a bound other than 0, `multipleOf`, a
    /// numeric `const`/`enum`) would be judged on the stand-in. Keep it so.
    #[test]
    fn shipped_schemas_ask_numbers_only_what_stand_ins_keep() {
        fn walk(v: &Value, at: &str, out: &mut Vec<String>) {
            match v {
                Value::Object(map) => {
                    for (k, v) in map {
                        let here = format!("{at}/{k}");
                        match k.as_str() {
                            "minimum" | "exclusiveMinimum" | "maximum" | "exclusiveMaximum"
                                if v != &serde_json::json!(0) =>
                            {
                                out.push(here.clone())
                            }
                            "multipleOf" => out.push(here.clone()),
                            "const" | "enum"
                                if v.is_number()
                                    || v.as_array()
                                        .is_some_and(|a| a.iter().any(Value::is_number)) =>
                            {
                                out.push(here.clone())
                            }
                            _ => {}
                        }
                        walk(v, &here, out);
                    }
                }
                Value::Array(items) => {
                    for (i, v) in items.iter().enumerate() {
                        walk(v, &format!("{at}/{i}"), out);
                    }
                }
                _ => {}
            }
        }
        for (name, text) in [
            ("eac", include_str!("../../../schemas/eac.schema.json")),
            (
                "p1-listing",
                include_str!("../../../schemas/p1-listing.schema.json"),
            ),
            (
                "p2-listing",
                include_str!("../../../schemas/p2-listing.schema.json"),
            ),
            (
                "server-metadata",
                include_str!("../../../schemas/server-metadata.schema.json"),
            ),
        ] {
            let mut out = Vec::new();
            walk(&serde_json::from_str(text).unwrap(), "", &mut out);
            assert!(out.is_empty(), "{name}.schema.json: {out:?}");
        }
    }
}
