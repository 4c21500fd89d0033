//! Strict JSON building blocks (digest rule 20): objects whose duplicate keys
//! are an error, and whose member values are kept as raw text so numbers keep
//! their written digits and unknown members can be written back unchanged.
//!
//! serde_json already refuses comments, trailing commas and `...` with a
//! line and column; duplicate keys are the part it would silently accept.

use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

/// A JSON object's members in document order, values as raw JSON text.
#[derive(Debug)]
pub struct StrictObject {
    pub fields: Vec<(String, Box<RawValue>)>,
}

impl StrictObject {
    pub fn get(&self, key: &str) -> Option<&RawValue> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| &**v)
    }
}

impl<'de> Deserialize<'de> for StrictObject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match d.deserialize_any(ElementVisitor)? {
            Element::Object(fields) => Ok(StrictObject { fields }),
            Element::Other(kind) => Err(de::Error::custom(format!(
                "expected an object, found {kind}"
            ))),
        }
    }
}

/// A JSON value that should be an object; anything else is reported by kind
/// (so a wrong element is a located rule violation, not a parse failure).
#[derive(Debug)]
pub enum Element {
    Object(Vec<(String, Box<RawValue>)>),
    Other(&'static str),
}

impl<'de> Deserialize<'de> for Element {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ElementVisitor)
    }
}

struct ElementVisitor;

impl<'de> Visitor<'de> for ElementVisitor {
    type Value = Element;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Element, A::Error> {
        let mut fields: Vec<(String, Box<RawValue>)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            // Objects are small; a linear scan beats hashing here.
            if fields.iter().any(|(k, _)| *k == key) {
                return Err(de::Error::custom(format!(
                    "duplicate key `{key}` (rule 20: strict JSON)"
                )));
            }
            let value: Box<RawValue> = map.next_value()?;
            fields.push((key, value));
        }
        Ok(Element::Object(fields))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Element, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Element::Other("an array"))
    }
    fn visit_str<E>(self, _: &str) -> Result<Element, E> {
        Ok(Element::Other("a string"))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Element, E> {
        Ok(Element::Other("a boolean"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Element, E> {
        Ok(Element::Other("a number"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Element, E> {
        Ok(Element::Other("a number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Element, E> {
        Ok(Element::Other("a number"))
    }
    fn visit_unit<E>(self) -> Result<Element, E> {
        Ok(Element::Other("null"))
    }
}

/// Describes the JSON kind of a raw value, for messages.
pub fn kind_of(raw: &RawValue) -> &'static str {
    match raw.get().as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

/// Checks a raw value recursively for duplicate object keys.
pub fn check_no_duplicate_keys(raw: &RawValue) -> Result<(), serde_json::Error> {
    let mut d = serde_json::Deserializer::from_str(raw.get());
    StrictAny.deserialize(&mut d)
}

#[derive(Clone, Copy)]
struct StrictAny;

impl<'de> DeserializeSeed<'de> for StrictAny {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictAny {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut keys: Vec<String> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if keys.contains(&key) {
                return Err(de::Error::custom(format!(
                    "duplicate key `{key}` (rule 20: strict JSON)"
                )));
            }
            map.next_value_seed(StrictAny)?;
            keys.push(key);
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(StrictAny)?.is_some() {}
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_refused_with_location() {
        let err = serde_json::from_str::<StrictObject>("{\"a\": 1,\n \"a\": 2}").unwrap_err();
        assert!(err.to_string().contains("duplicate key `a`"), "{err}");
        assert_eq!(err.line(), 2);
    }

    #[test]
    fn raw_values_keep_text() {
        let obj: StrictObject =
            serde_json::from_str(r#"{"v": 1000.0, "x": {"k": [1.50]}}"#).unwrap();
        assert_eq!(obj.get("v").unwrap().get(), "1000.0");
        assert_eq!(obj.get("x").unwrap().get(), r#"{"k": [1.50]}"#);
    }

    #[test]
    fn nested_duplicates_found() {
        let raw: Box<RawValue> = serde_json::from_str(r#"{"k": [{"a": 1, "a": 2}]}"#).unwrap();
        assert!(check_no_duplicate_keys(&raw).is_err());
    }
}
