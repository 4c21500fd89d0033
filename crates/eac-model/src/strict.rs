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

use crate::{Rule, Violation};

/// Rule 20: `key` was read before in the same object.
pub(crate) fn duplicate_key<E: de::Error>(key: &str) -> E {
    E::custom(format!(
        "duplicate key `{}` (rule 20: strict JSON)",
        crate::quote(key)
    ))
}

/// The `visit_*` methods of a visitor for the JSON kinds it never takes
/// apart (strings, booleans, numbers, null): each gives `$body` the
/// visitor as `$this` and the kind as messages name it as `$kind`.
macro_rules! visit_scalars {
    ($value:ty, |$this:ident, $kind:ident| $body:expr) => {
        visit_scalars!(@each $value, $this, $kind, $body;
            visit_str(&str) "a string", visit_bool(bool) "a boolean",
            visit_i64(i64) "a number", visit_u64(u64) "a number", visit_f64(f64) "a number");
        fn visit_unit<E: de::Error>(self) -> Result<$value, E> {
            let ($this, $kind) = (self, "null");
            $body
        }
    };
    (@each $value:ty, $this:ident, $kind:ident, $body:expr;
        $($method:ident($arg:ty) $name:literal),+) => {$(
        fn $method<E: de::Error>(self, _: $arg) -> Result<$value, E> {
            let ($this, $kind) = (self, $name);
            $body
        }
    )+};
}
pub(crate) use visit_scalars;

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
                return Err(duplicate_key(&key));
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
    visit_scalars!(Element, |_visitor, kind| Ok(Element::Other(kind)));
}

/// Describes the JSON kind of a raw value, for messages.
pub fn kind_of(raw: &str) -> &'static str {
    match raw.as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

/// The first `\uXXXX` escape in JSON text that is half of a UTF-16
/// surrogate pair without its other half (`"\ud800"`): valid JSON syntax,
/// but not Unicode text (RFC 8259 §8.2), so no string can hold it.
pub fn lone_surrogate(json: &str) -> Option<&str> {
    lone_surrogate_at(json).and_then(|i| json.get(i..i + 6))
}

/// The byte offset of the escape [`lone_surrogate`] finds.
pub fn lone_surrogate_at(json: &str) -> Option<usize> {
    let b = json.as_bytes();
    let code_at = |i: usize| -> Option<u32> {
        if b.get(i) != Some(&b'\\') || b.get(i + 1) != Some(&b'u') {
            return None;
        }
        let hex = json.get(i + 2..i + 6)?;
        u32::from_str_radix(hex, 16).ok()
    };
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        let Some(code) = code_at(i) else {
            // `\"`, `\\`, `\n`…: the escaped character never starts an escape.
            i += 2;
            continue;
        };
        match code {
            0xD800..=0xDBFF => match code_at(i + 6) {
                Some(0xDC00..=0xDFFF) => i += 12,
                _ => return Some(i),
            },
            0xDC00..=0xDFFF => return Some(i),
            _ => i += 6,
        }
    }
    None
}

/// What a file's first bytes say about its encoding (RFC 8259 §8.1: JSON
/// text is UTF-8). `Ok(n)`: UTF-8, with `n` bytes of byte order mark to
/// skip (a UTF-8 BOM is ignored, as §8.1 allows; decision 40). `Err`: the
/// file is UTF-16 or UTF-32, named in a rule 20 error at line 1, column 1.
pub fn check_encoding(head: &[u8]) -> Result<usize, Violation> {
    other_encoding(head).map_err(|encoding| {
        encoding_violation(format!(
            "the file is encoded as {encoding}, but JSON files must be UTF-8 (RFC 8259 §8.1): \
             save it as UTF-8 (in most editors: Save As…, Encoding: UTF-8) and try again"
        ))
    })
}

/// The rule 20 error, at line 1, column 1, of a file that is not UTF-8
/// ([`other_encoding`]), `message` naming its encoding and what to do.
pub fn encoding_violation(message: String) -> Violation {
    let mut v = Violation::error(Rule::StrictJson, "", message);
    v.line = Some(1);
    v.column = Some(1);
    v
}

/// What to do with a CSV that is not UTF-8, as every CSV reader's
/// refusal says it (the consumption CSV, a programs CSV).
pub const SAVE_AS_CSV_UTF8: &str = "save it as CSV UTF-8 (in Excel: File → Save As…, CSV UTF-8 \
                                    (Comma delimited); in other editors: Save As…, Encoding: \
                                    UTF-8) and import it again";

/// The encoding check of [`check_encoding`] for any text file that must be
/// UTF-8 (the consumption CSV too): `Ok(n)`, UTF-8 with `n` bytes of byte
/// order mark, or `Err` naming the UTF-16 or UTF-32 the file is
/// (`"UTF-16 (little-endian, with a byte order mark)"`).
pub fn other_encoding(head: &[u8]) -> Result<usize, &'static str> {
    Err(match head {
        [0xEF, 0xBB, 0xBF, ..] => return Ok(3),
        [0x00, 0x00, 0xFE, 0xFF, ..] => "UTF-32 (big-endian, with a byte order mark)",
        [0xFF, 0xFE, 0x00, 0x00, ..] => "UTF-32 (little-endian, with a byte order mark)",
        [0xFE, 0xFF, ..] => "UTF-16 (big-endian, with a byte order mark)",
        [0xFF, 0xFE, ..] => "UTF-16 (little-endian, with a byte order mark)",
        // Without a mark, the NUL bytes around the first (ASCII) character
        // give the encoding away (RFC 4627 §3) — when the characters after
        // it are ASCII too: a binary file starting with a NUL is no UTF-16
        // text, and is left to fail as the UTF-8 it is not.
        [0x00, 0x00, 0x00, c, ..] if *c != 0 && ascii_units(head, 4, true) => "UTF-32 (big-endian)",
        [c, 0x00, 0x00, 0x00, ..] if *c != 0 && ascii_units(head, 4, false) => {
            "UTF-32 (little-endian)"
        }
        [0x00, c, ..] if *c != 0 && ascii_units(head, 2, true) => "UTF-16 (big-endian)",
        [c, 0x00, ..] if *c != 0 && ascii_units(head, 2, false) => "UTF-16 (little-endian)",
        _ => return Ok(0),
    })
}

/// Whether the first (up to 64) whole code units of `head`, `width` bytes
/// each, are nearly all ASCII characters (text, tab or line breaks) with
/// zero high bytes: what JSON or CSV text in UTF-16/32 looks like.
fn ascii_units(head: &[u8], width: usize, big_endian: bool) -> bool {
    let units: Vec<&[u8]> = head.chunks_exact(width).take(64).collect();
    if units.is_empty() {
        return false;
    }
    let ascii = units
        .iter()
        .filter(|u| {
            let (low, high) = match big_endian {
                true => (u[width - 1], &u[..width - 1]),
                false => (u[0], &u[1..]),
            };
            high.iter().all(|b| *b == 0) && (low.is_ascii_graphic() || b" \t\r\n".contains(&low))
        })
        .count();
    ascii * 10 >= units.len() * 9
}

/// [`check_encoding`] for a document already read as text: the text
/// without its UTF-8 byte order mark.
pub fn utf8_text(text: &str) -> Result<&str, Violation> {
    let skip = check_encoding(text.as_bytes())?;
    Ok(&text[skip..])
}

/// A whole document's bytes as text: [`check_encoding`] (UTF-16 and UTF-32
/// named, a UTF-8 byte order mark skipped), then every byte must be UTF-8;
/// the first that is not is a rule 20 error at its line and column.
pub fn utf8_document(bytes: &[u8]) -> Result<&str, Violation> {
    let skip = check_encoding(bytes)?;
    let body = &bytes[skip..];
    std::str::from_utf8(body).map_err(|e| {
        let place = crate::place::Place::after(&body[..e.valid_up_to()]);
        let (line, column) = (place.line, place.column());
        let mut v = Violation::error(
            Rule::StrictJson,
            "",
            format!(
                "the file is not UTF-8 text: byte 0x{:02X} (line {line}, column {column}) \
                 is not part of a UTF-8 character, and JSON files must be UTF-8 (RFC 8259 §8.1): \
                 save it as UTF-8 (in most editors: Save As…, Encoding: UTF-8) and try again",
                body[e.valid_up_to()]
            ),
        );
        v.line = Some(line);
        v.column = Some(column);
        v
    })
}

/// Checks a raw value recursively for duplicate object keys and strings
/// that are not Unicode text (lone surrogate escapes). Numbers are not
/// parsed: an extension's are kept as written, whatever their size (a
/// double cannot hold `1e400`; the quantities' own rule is
/// [`crate::Decimal::check_amount`]).
///
/// A value nested deeper than [`MAX_NESTING`] is refused before it is
/// walked: the walk recurses, and no reader may be made to overflow its
/// stack (or the JSON Schema engine's depth limit) by an extension member.
pub fn check_no_duplicate_keys(raw: &RawValue) -> Result<(), serde_json::Error> {
    let depth = nesting_depth(raw.get());
    if depth > MAX_NESTING {
        return Err(de::Error::custom(format!(
            "a value nested {depth} levels deep; at most {MAX_NESTING} levels are read (rule 20: strict JSON)"
        )));
    }
    let mut d = serde_json::Deserializer::from_str(raw.get());
    StrictAny.deserialize(&mut d)
}

/// Where [`check_no_duplicate_keys`] found its duplicate key in `text`
/// (JSON it has judged): the key's JSON pointer inside the value (RFC
/// 6901 tokens, from `""` for the value itself) and the byte offset of
/// its opening quote. The first key, in the text's order, that repeats a
/// key before it in its own object: the one the depth-first check
/// stops at. Without recursion (the text may nest deep); only the error's
/// path scans it.
pub fn repeated_key_at(text: &str) -> Option<(String, usize)> {
    enum Frame {
        /// The keys read so far, the last the member being read (`open`
        /// while a key is due: after `{` or a comma).
        Object {
            keys: Vec<String>,
            open: bool,
        },
        Array(usize),
    }
    let bytes = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let mut end = i + 1;
                while end < bytes.len() && bytes[end] != b'"' {
                    end += if bytes[end] == b'\\' { 2 } else { 1 };
                }
                let end = (end + 1).min(bytes.len());
                if let Some(Frame::Object {
                    keys,
                    open: open @ true,
                }) = stack.last_mut()
                {
                    let key = serde_json::from_str::<String>(&text[i..end]).ok()?;
                    *open = false;
                    let repeated = keys.contains(&key);
                    keys.push(key);
                    if repeated {
                        let mut pointer = String::new();
                        for frame in &stack {
                            pointer.push('/');
                            match frame {
                                Frame::Object { keys, .. } => {
                                    pointer.push_str(&crate::pointer_token(keys.last()?))
                                }
                                Frame::Array(n) => pointer.push_str(&n.to_string()),
                            }
                        }
                        return Some((pointer, i));
                    }
                }
                i = end;
                continue;
            }
            b'{' => stack.push(Frame::Object {
                keys: Vec::new(),
                open: true,
            }),
            b'[' => stack.push(Frame::Array(0)),
            b'}' | b']' => drop(stack.pop()),
            b',' => match stack.last_mut() {
                Some(Frame::Array(n)) => *n += 1,
                Some(Frame::Object { open, .. }) => *open = true,
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    None
}

/// How deeply one member's value may nest arrays and objects. Registry
/// data nests a few levels; the whole document then stays well inside the
/// 128 levels serde_json (and so the JSON Schema check) reads.
pub const MAX_NESTING: usize = 64;

/// The deepest nesting of arrays and objects in JSON text, counted without
/// recursion (string contents are skipped).
pub fn nesting_depth(json: &str) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in json.as_bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

#[derive(Clone, Copy)]
struct StrictAny;

impl<'de> DeserializeSeed<'de> for StrictAny {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        // Taken as raw text, so a number is only checked for its syntax.
        let raw = Box::<RawValue>::deserialize(d)?;
        match raw.get().as_bytes().first() {
            Some(b'{' | b'[') => {
                let mut inner = serde_json::Deserializer::from_str(raw.get());
                inner
                    .deserialize_any(StrictContainer)
                    .map_err(de::Error::custom)
            }
            Some(b'"') => match lone_surrogate(raw.get()) {
                Some(escape) => Err(de::Error::custom(format!(
                    "a string holds the escape `{escape}`, {}",
                    crate::read::LONE_SURROGATE
                ))),
                None => Ok(()),
            },
            _ => Ok(()),
        }
    }
}

/// An object or array whose members are checked by [`StrictAny`].
struct StrictContainer;

impl<'de> Visitor<'de> for StrictContainer {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object or array")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut keys: Vec<String> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if keys.contains(&key) {
                return Err(duplicate_key(&key));
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
    fn lone_surrogates_are_found() {
        assert_eq!(lone_surrogate(r#""eac-\ud800""#), Some(r"\ud800"));
        assert_eq!(lone_surrogate(r#""\uDC00x""#), Some(r"\uDC00"));
        assert_eq!(lone_surrogate(r#""\ud83d\ude00 ok \u00e9 \\ud800""#), None);
        assert_eq!(lone_surrogate(r#""\ud83d\u0041""#), Some(r"\ud83d"));
    }

    #[test]
    fn encodings_are_named() {
        assert_eq!(check_encoding(b"{\"eacs\": []}"), Ok(0));
        assert_eq!(check_encoding(b"\xEF\xBB\xBF{}"), Ok(3));
        assert_eq!(check_encoding(b""), Ok(0));
        for (head, name) in [
            (
                &b"\xFF\xFE{\x00"[..],
                "UTF-16 (little-endian, with a byte order mark)",
            ),
            (
                b"\xFE\xFF\x00{",
                "UTF-16 (big-endian, with a byte order mark)",
            ),
            (b"{\x00\"\x00", "UTF-16 (little-endian)"),
            (b"\x00{\x00\"", "UTF-16 (big-endian)"),
            (
                b"\xFF\xFE\x00\x00{\x00\x00\x00",
                "UTF-32 (little-endian, with a byte order mark)",
            ),
            (b"{\x00\x00\x00", "UTF-32 (little-endian)"),
            (b"\x00{\x00\"\x00e\x00a\x00c", "UTF-16 (big-endian)"),
        ] {
            let v = check_encoding(head).unwrap_err();
            assert!(v.message.contains(name), "{name}: {v}");
            assert!(v.message.contains("save it as UTF-8"), "{v}");
            assert_eq!((v.rule, v.line, v.column), (20, Some(1), Some(1)));
        }
    }

    /// A binary file whose first byte is NUL is not named UTF-16: it is
    /// left to fail as the UTF-8 it is not.
    #[test]
    fn a_binary_file_is_not_called_utf16() {
        assert_eq!(check_encoding(b"\x00\x9F\x92\x96\xFF\x01"), Ok(0));
        assert_eq!(check_encoding(b"\x89\x00\x00\x00\xFE\x10\x00\x00"), Ok(0));
        assert_eq!(check_encoding(b"P\x00K\x00\x03\x04\x14\x00"), Ok(0));
    }

    #[test]
    fn deep_nesting_is_refused_without_recursing() {
        assert_eq!(nesting_depth(r#"{"a": ["[{", {"b": []}]}"#), 4);
        let ok = format!("{}{}", "[".repeat(MAX_NESTING), "]".repeat(MAX_NESTING));
        let raw: Box<RawValue> = serde_json::from_str(&ok).unwrap();
        assert!(check_no_duplicate_keys(&raw).is_ok());
        // Deep enough to overflow a recursive walk's stack.
        let n = 200_000;
        let deep = format!("{}{}", "[".repeat(n), "]".repeat(n));
        let raw: Box<RawValue> = serde_json::from_str(&deep).unwrap();
        let e = check_no_duplicate_keys(&raw).unwrap_err().to_string();
        assert!(e.contains("200000 levels deep"), "{e}");
    }

    #[test]
    fn whole_documents_are_utf8_or_located() {
        assert_eq!(utf8_document(b"\xEF\xBB\xBF{\"a\": 1}"), Ok("{\"a\": 1}"));
        let v = utf8_document(b"\xFF\xFE{\x00}\x00").unwrap_err();
        assert!(v.message.contains("UTF-16 (little-endian"), "{v}");
        // Latin-1 `é` on the second line, after `{"a": "caf`.
        let v = utf8_document(b"{\n\"a\": \"caf\xE9\"}").unwrap_err();
        assert_eq!((v.rule, v.line, v.column), (20, Some(2), Some(10)), "{v}");
        assert!(v.message.contains("byte 0xE9 (line 2, column 10)"), "{v}");
        assert!(v.message.contains("save it as UTF-8"), "{v}");
    }

    #[test]
    fn nested_duplicates_found() {
        let raw: Box<RawValue> = serde_json::from_str(r#"{"k": [{"a": 1, "a": 2}]}"#).unwrap();
        assert!(check_no_duplicate_keys(&raw).is_err());
    }

    /// The key the check stops at, named and placed: the first in the
    /// text that repeats one before it in its own object, however deep,
    /// past strings that look like JSON and keys written with escapes.
    #[test]
    fn a_repeated_key_is_found_where_it_stands() {
        for (text, pointer, at) in [
            (r#"{"a": 1, "a": 2}"#, "/a", 9),
            (
                r#"{"k": [0, {"a": "{\"a\": 1, \"a\"", "b": {"a": 1}, "a": 2}]}"#,
                "/k/1/a",
                51,
            ),
            (r#"{"x": {"a": {"b": 1, "b": 2}}, "x": 1}"#, "/x/a/b", 21),
            (r#"{"a/b": 1, "a\u002fb": 2}"#, "/a~1b", 11),
        ] {
            let raw: Box<RawValue> = serde_json::from_str(text).unwrap();
            assert!(check_no_duplicate_keys(&raw).is_err(), "{text}");
            assert_eq!(
                repeated_key_at(text),
                Some((pointer.to_owned(), at)),
                "{text}"
            );
        }
        assert_eq!(
            repeated_key_at(r#"{"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}]}"#),
            None
        );
    }

    #[test]
    fn extension_numbers_of_any_size_are_kept_but_not_lone_surrogates() {
        let big = format!(
            r#"{{"k": [1e400, -1e-999, {}], "s": "\ud83d\ude00"}}"#,
            "9".repeat(400)
        );
        let raw: Box<RawValue> = serde_json::from_str(&big).unwrap();
        assert!(check_no_duplicate_keys(&raw).is_ok());
        let raw: Box<RawValue> = serde_json::from_str(r#"{"k": ["\ud800"]}"#).unwrap();
        let e = check_no_duplicate_keys(&raw).unwrap_err();
        assert!(e.to_string().contains("holds the escape `\\ud800`"), "{e}");
    }
}
