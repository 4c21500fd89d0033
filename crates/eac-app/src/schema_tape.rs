//! The schema engine reading a listing element in place (issue 16).
//!
//! `jsonschema` 0.61 validates any representation implementing its
//! `json::Json` trait. [`Tape`] is one: the element's JSON text read once
//! into a flat list of nodes whose strings are borrowed from the text (a
//! string with an escape is unescaped), numbers being the stand-ins of
//! [`crate::schema_instance`] (same JSON type, sign, zero-ness and
//! integer-ness). It answers only the yes/no question: an element the
//! engine finds valid here is valid as the `serde_json::Value` the long way
//! builds (the same strings, stand-ins and structure; a test compares the
//! two over the fixtures and mutated copies), and an element found invalid
//! is judged again the long way, whose errors are the ones reported. Text
//! the tape does not take (a duplicate key, a lone surrogate escape, deep
//! nesting, anything unexpected) goes the long way too.

use std::borrow::Cow;
use std::sync::OnceLock;

use eac_model::strict::lone_surrogate_at;
use jsonschema::json::{Array, Json, Node, NodeIdentity, Object};
use jsonschema::types::JsonType;
use serde_json::{Map, Number, Value};

use crate::schema_instance::stand_in_number;

/// Nesting the tape takes (as the direct value builder).
const DEPTH: usize = 100;

/// One node of the tape.
enum Entry<'t> {
    Null,
    Bool(bool),
    Number(&'static Number),
    String(Cow<'t, str>),
    /// Children at `items[first..first + len]`.
    Array {
        first: u32,
        len: u32,
    },
    /// Members at `members[first..first + len]`.
    Object {
        first: u32,
        len: u32,
    },
}

/// A listing document `{"eacs": [element], "next": null, "previous": null}`
/// read from the element's text.
pub(crate) struct Tape<'t> {
    entries: Vec<Entry<'t>>,
    items: Vec<u32>,
    members: Vec<(Cow<'t, str>, u32)>,
    root: u32,
}

impl<'t> Tape<'t> {
    /// The one-element listing of the element `text`, or `None` where only
    /// the long way decides.
    pub(crate) fn listing(text: &'t str) -> Option<Tape<'t>> {
        let mut tape = Tape::of(text)?;
        let element = tape.root;
        let first = tape.items.len() as u32;
        tape.items.push(element);
        let eacs = tape.push(Entry::Array { first, len: 1 });
        let next = tape.push(Entry::Null);
        let previous = tape.push(Entry::Null);
        let first = tape.members.len() as u32;
        // In key order, as the map of the long way holds them.
        tape.members.push((Cow::Borrowed("eacs"), eacs));
        tape.members.push((Cow::Borrowed("next"), next));
        tape.members.push((Cow::Borrowed("previous"), previous));
        tape.root = tape.push(Entry::Object { first, len: 3 });
        Some(tape)
    }

    /// The JSON text `text` on a tape (its root the whole value), or
    /// `None` where only the long way decides.
    fn of(text: &'t str) -> Option<Tape<'t>> {
        let mut b = Builder {
            text: text.as_bytes(),
            json: text,
            at: 0,
            tape: Tape {
                entries: Vec::with_capacity(256),
                items: Vec::with_capacity(64),
                members: Vec::with_capacity(192),
                root: 0,
            },
            stack: Vec::with_capacity(64),
        };
        let root = b.value(0)?;
        if b.skip_ws() != b.text.len() {
            return None;
        }
        b.tape.root = root;
        Some(b.tape)
    }

    /// The one element of a [`Tape::listing`], as the long way's value.
    pub(crate) fn element_value(&self) -> Value {
        let root = self.root();
        let Entry::Object { first, .. } = *root.entry() else {
            unreachable!("a listing's root is an object");
        };
        // Members in key order: `eacs` first.
        let (_, eacs) = self.members[first as usize];
        let Entry::Array { first, .. } = self.entries[eacs as usize] else {
            unreachable!("`eacs` is an array");
        };
        root.at(self.items[first as usize]).value()
    }

    fn push(&mut self, entry: Entry<'t>) -> u32 {
        self.entries.push(entry);
        (self.entries.len() - 1) as u32
    }

    /// The root node, for the engine.
    pub(crate) fn root(&self) -> TapeNode<'_> {
        TapeNode {
            tape: self,
            index: self.root,
        }
    }
}

struct Builder<'t> {
    text: &'t [u8],
    json: &'t str,
    at: usize,
    tape: Tape<'t>,
    /// Children of the containers being read (moved to the tape when one ends).
    stack: Vec<(Option<Cow<'t, str>>, u32)>,
}

impl<'t> Builder<'t> {
    fn skip_ws(&mut self) -> usize {
        while matches!(self.text.get(self.at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
        self.at
    }

    fn value(&mut self, depth: usize) -> Option<u32> {
        if depth > DEPTH {
            return None;
        }
        self.skip_ws();
        let entry = match *self.text.get(self.at)? {
            b'{' => return self.object(depth),
            b'[' => return self.array(depth),
            b'"' => Entry::String(self.string()?),
            b't' => self.literal("true", Entry::Bool(true))?,
            b'f' => self.literal("false", Entry::Bool(false))?,
            b'n' => self.literal("null", Entry::Null)?,
            b'-' | b'0'..=b'9' => {
                let start = self.at;
                while matches!(
                    self.text.get(self.at),
                    Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
                ) {
                    self.at += 1;
                }
                Entry::Number(stand_in_number(&self.json[start..self.at]))
            }
            _ => return None,
        };
        Some(self.tape.push(entry))
    }

    fn object(&mut self, depth: usize) -> Option<u32> {
        self.at += 1;
        let base = self.stack.len();
        if self.skip_ws() < self.text.len() && self.text[self.at] == b'}' {
            self.at += 1;
        } else {
            loop {
                self.skip_ws();
                let key = self.string()?;
                // A duplicate key: the long way keeps the last one.
                if self.stack[base..]
                    .iter()
                    .any(|(k, _)| k.as_deref() == Some(&*key))
                {
                    return None;
                }
                if self.text.get(self.skip_ws()) != Some(&b':') {
                    return None;
                }
                self.at += 1;
                let value = self.value(depth + 1)?;
                self.stack.push((Some(key), value));
                match self.text.get(self.skip_ws())? {
                    b',' => self.at += 1,
                    b'}' => {
                        self.at += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        let first = self.tape.members.len() as u32;
        let len = (self.stack.len() - base) as u32;
        let members = self
            .stack
            .drain(base..)
            .map(|(k, v)| (k.unwrap_or_default(), v));
        self.tape.members.extend(members);
        Some(self.tape.push(Entry::Object { first, len }))
    }

    fn array(&mut self, depth: usize) -> Option<u32> {
        self.at += 1;
        let base = self.stack.len();
        if self.skip_ws() < self.text.len() && self.text[self.at] == b']' {
            self.at += 1;
        } else {
            loop {
                let value = self.value(depth + 1)?;
                self.stack.push((None, value));
                match self.text.get(self.skip_ws())? {
                    b',' => self.at += 1,
                    b']' => {
                        self.at += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        let first = self.tape.items.len() as u32;
        let len = (self.stack.len() - base) as u32;
        let items = self.stack.drain(base..).map(|(_, v)| v);
        self.tape.items.extend(items);
        Some(self.tape.push(Entry::Array { first, len }))
    }

    fn literal(&mut self, word: &str, entry: Entry<'t>) -> Option<Entry<'t>> {
        let end = self.at + word.len();
        (self.text.get(self.at..end)? == word.as_bytes()).then(|| {
            self.at = end;
            entry
        })
    }

    /// A string literal at `at`, borrowed unless it holds an escape;
    /// `None` for a lone surrogate escape (the long way puts U+FFFD there).
    fn string(&mut self) -> Option<Cow<'t, str>> {
        if self.text.get(self.at) != Some(&b'"') {
            return None;
        }
        let start = self.at;
        let mut i = start + 1;
        let mut escaped = false;
        loop {
            i += memchr::memchr2(b'"', b'\\', self.text.get(i..)?)?;
            if self.text[i] == b'"' {
                break;
            }
            escaped = true;
            i += 2;
        }
        self.at = i + 1;
        let literal = self.json.get(start..self.at)?;
        if !escaped {
            return Some(Cow::Borrowed(&literal[1..literal.len() - 1]));
        }
        if lone_surrogate_at(literal).is_some() {
            return None;
        }
        serde_json::from_str::<String>(literal).ok().map(Cow::Owned)
    }
}

/// `json` as the schema engine's value, read straight from the text with
/// stand-ins for numbers; `None` where only the long way decides (a
/// duplicate key, a lone surrogate escape, deep nesting, text that is
/// not JSON).
pub(crate) fn value_of(json: &str) -> Option<Value> {
    Tape::of(json).map(|tape| tape.root().value())
}

/// The representation, for `jsonschema::options_for`.
pub(crate) struct TapeJson;

impl Json for TapeJson {
    type Node<'a> = TapeNode<'a>;
    type PreparedKey = String;
    type StringBuffer = Option<Tape<'static>>;

    fn prepare_key(key: &str) -> String {
        key.to_owned()
    }

    fn with_string_node<T>(
        buffer: &mut Option<Tape<'static>>,
        string: &str,
        f: impl FnOnce(TapeNode<'_>) -> T,
    ) -> T {
        let tape = buffer.get_or_insert_with(|| Tape {
            entries: Vec::with_capacity(1),
            items: Vec::new(),
            members: Vec::new(),
            root: 0,
        });
        tape.entries.clear();
        tape.entries
            .push(Entry::String(Cow::Owned(string.to_owned())));
        f(tape.root())
    }
}

/// A node of a [`Tape`].
#[derive(Clone, Copy)]
pub(crate) struct TapeNode<'a> {
    tape: &'a Tape<'a>,
    index: u32,
}

impl<'a> TapeNode<'a> {
    fn entry(&self) -> &'a Entry<'a> {
        &self.tape.entries[self.index as usize]
    }

    fn at(&self, index: u32) -> TapeNode<'a> {
        TapeNode {
            tape: self.tape,
            index,
        }
    }
}

impl<'a> Node<'a, TapeJson> for TapeNode<'a> {
    type Object = TapeObject<'a>;
    type Array = TapeArray<'a>;
    type Number = &'static Number;

    fn as_object(&self) -> Option<TapeObject<'a>> {
        match *self.entry() {
            Entry::Object { first, len } => Some(TapeObject {
                node: *self,
                members: &self.tape.members[first as usize..(first + len) as usize],
            }),
            _ => None,
        }
    }

    fn as_array(&self) -> Option<TapeArray<'a>> {
        match *self.entry() {
            Entry::Array { first, len } => Some(TapeArray {
                node: *self,
                items: &self.tape.items[first as usize..(first + len) as usize],
            }),
            _ => None,
        }
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        match self.entry() {
            Entry::String(s) => Some(Cow::Borrowed(s.as_ref())),
            _ => None,
        }
    }

    fn as_number(&self) -> Option<&'static Number> {
        match self.entry() {
            Entry::Number(n) => Some(n),
            _ => None,
        }
    }

    fn as_boolean(&self) -> Option<bool> {
        match self.entry() {
            Entry::Bool(b) => Some(*b),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        matches!(self.entry(), Entry::Null)
    }

    fn json_type(&self) -> JsonType {
        match self.entry() {
            Entry::Null => JsonType::Null,
            Entry::Bool(_) => JsonType::Boolean,
            Entry::Number(_) => JsonType::Number,
            Entry::String(_) => JsonType::String,
            Entry::Array { .. } => JsonType::Array,
            Entry::Object { .. } => JsonType::Object,
        }
    }

    fn equals_value(&self, expected: &Value) -> bool {
        match self.entry() {
            // JSON equality of a string: the same string (no allocation).
            Entry::String(s) => expected.as_str() == Some(s.as_ref()),
            Entry::Null => expected.is_null(),
            Entry::Bool(b) => expected.as_bool() == Some(*b),
            _ => jsonschema::json::cmp::equal(&self.to_value(), expected),
        }
    }

    fn to_value(&self) -> Cow<'a, Value> {
        Cow::Owned(self.value())
    }

    fn identity(&self) -> Option<NodeIdentity> {
        Some(NodeIdentity::tagged(
            std::ptr::from_ref::<Tape<'a>>(self.tape) as usize,
            self.index,
        ))
    }
}

impl TapeNode<'_> {
    /// The node as the long way's `serde_json::Value` (for the engine's
    /// cold paths and the tests).
    pub(crate) fn value(&self) -> Value {
        match *self.entry() {
            Entry::Null => Value::Null,
            Entry::Bool(b) => Value::Bool(b),
            Entry::Number(n) => Value::Number(n.clone()),
            Entry::String(ref s) => Value::String(s.to_string()),
            Entry::Array { first, len } => Value::Array(
                self.tape.items[first as usize..(first + len) as usize]
                    .iter()
                    .map(|&i| self.at(i).value())
                    .collect(),
            ),
            Entry::Object { first, len } => Value::Object(
                self.tape.members[first as usize..(first + len) as usize]
                    .iter()
                    .map(|(k, i)| (k.to_string(), self.at(*i).value()))
                    .collect::<Map<String, Value>>(),
            ),
        }
    }
}

/// An object node's members.
pub(crate) struct TapeObject<'a> {
    node: TapeNode<'a>,
    members: &'a [(Cow<'a, str>, u32)],
}

impl<'a> Object<'a, TapeJson> for TapeObject<'a> {
    type Node = TapeNode<'a>;
    type MemberName = &'a str;
    type MembersIter = TapeMembers<'a>;

    fn len(&self) -> usize {
        self.members.len()
    }

    fn get(&self, key: &String) -> Option<TapeNode<'a>> {
        self.members
            .iter()
            .find(|(k, _)| k.as_ref() == key.as_str())
            .map(|(_, i)| self.node.at(*i))
    }

    fn members(&self) -> TapeMembers<'a> {
        TapeMembers {
            node: self.node,
            members: self.members.iter(),
        }
    }
}

pub(crate) struct TapeMembers<'a> {
    node: TapeNode<'a>,
    members: std::slice::Iter<'a, (Cow<'a, str>, u32)>,
}

impl<'a> Iterator for TapeMembers<'a> {
    type Item = (&'a str, TapeNode<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        self.members
            .next()
            .map(|(k, i)| (k.as_ref(), self.node.at(*i)))
    }
}

/// An array node's elements.
pub(crate) struct TapeArray<'a> {
    node: TapeNode<'a>,
    items: &'a [u32],
}

impl<'a> Array<'a, TapeJson> for TapeArray<'a> {
    type Node = TapeNode<'a>;
    type ElementsIter = TapeItems<'a>;

    fn len(&self) -> usize {
        self.items.len()
    }

    fn elements(&self) -> TapeItems<'a> {
        TapeItems {
            node: self.node,
            items: self.items.iter(),
        }
    }

    fn is_unique(&self) -> bool {
        // Strings only (a list of ids): unique when no two are the same
        // string, as JSON equality says; anything else the engine's way.
        let strings: Option<Vec<&str>> = self
            .elements()
            .map(|n| match n.entry() {
                Entry::String(s) => Some(s.as_ref()),
                _ => None,
            })
            .collect();
        match strings {
            Some(mut strings) => {
                strings.sort_unstable();
                strings.windows(2).all(|w| w[0] != w[1])
            }
            None => {
                let values: Vec<Value> = self.elements().map(|n| n.value()).collect();
                jsonschema::json::unique::is_unique(&values)
            }
        }
    }
}

pub(crate) struct TapeItems<'a> {
    node: TapeNode<'a>,
    items: std::slice::Iter<'a, u32>,
}

impl<'a> Iterator for TapeItems<'a> {
    type Item = TapeNode<'a>;

    fn next(&mut self) -> Option<TapeNode<'a>> {
        self.items.next().map(|&i| self.node.at(i))
    }
}

/// Whether the listing on `tape` is valid for the listing schema of
/// `kind`, read in place; `None` for a kind that is not a listing.
pub(crate) fn is_valid(kind: crate::SchemaKind, tape: &Tape<'_>) -> Option<bool> {
    static P1: OnceLock<jsonschema::Validator<TapeJson>> = OnceLock::new();
    static P2: OnceLock<jsonschema::Validator<TapeJson>> = OnceLock::new();
    let cell = match kind {
        crate::SchemaKind::P1Listing => &P1,
        crate::SchemaKind::P2Listing => &P2,
        _ => return None,
    };
    let validator = cell.get_or_init(|| crate::p2::build_validator::<TapeJson>(kind));
    Some(validator.is_valid(tape.root()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SchemaKind;

    /// The long way's listing of one element (see `ListingSchema::judge`):
    /// serde_json's reading of the text with stand-ins.
    fn long_way(text: &str) -> Option<Value> {
        let element = crate::schema_instance::long_way(text).ok()?;
        let mut doc = Map::new();
        doc.insert("eacs".to_owned(), Value::Array(vec![element]));
        doc.insert("next".to_owned(), Value::Null);
        doc.insert("previous".to_owned(), Value::Null);
        Some(Value::Object(doc))
    }

    /// Every element of every listing among the fixtures, and copies of
    /// each with one member (or one member of its first value) replaced
    /// by something else or removed.
    fn elements() -> Vec<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests");
        let mut files = Vec::new();
        let mut dirs = vec![root.join("fixtures"), root.join("fuzz/corpus")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "json") {
                    files.push(path);
                }
            }
        }
        let replacements = [
            "null",
            "7",
            "-1",
            "0.5",
            "-0.0",
            "1e400",
            "\"\"",
            "\"x\"",
            "true",
            "[]",
            "{}",
            "[\"a\", \"a\"]",
            "[\"a\", \"b\"]",
            "[1, 1.0]",
            "\"2024-01-01T00:00:00Z\"",
            "\"2024-02-30\"",
            "\"2024-01-01\"",
            "\"general\"",
            "\"kwh\"",
            "\"\\u0041\"",
        ];
        let mut out = Vec::new();
        // Six replacements per member, turning with the file and the member
        // so that over the fixtures every member meets every replacement.
        let some =
            |turn: usize| (0..6).map(move |j| replacements[(turn + j * 3) % replacements.len()]);
        for (n, file) in files.into_iter().enumerate() {
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            let Ok(doc) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            let Some(eacs) = doc.get("eacs").and_then(Value::as_array) else {
                continue;
            };
            // A few elements of each file (the others are alike: generated
            // or copied), mutations of the first.
            for (i, eac) in eacs.iter().take(4).enumerate() {
                out.push(eac.to_string());
                out.push(serde_json::to_string_pretty(eac).unwrap());
                let Some(fields) = eac.as_object().filter(|_| i == 0) else {
                    continue;
                };
                for (k, key) in fields.keys().enumerate() {
                    let mut gone = fields.clone();
                    gone.remove(key);
                    out.push(Value::Object(gone).to_string());
                    for r in some(n + k) {
                        let mut changed = fields.clone();
                        changed.insert(key.clone(), serde_json::from_str(r).unwrap_or(Value::Null));
                        out.push(Value::Object(changed).to_string());
                    }
                }
                let value = fields
                    .get("values")
                    .and_then(Value::as_array)
                    .and_then(|v| v.first())
                    .and_then(Value::as_object);
                for (k, (key, _)) in value.into_iter().flatten().enumerate() {
                    for r in some(n + k) {
                        let mut changed_value = value.unwrap().clone();
                        changed_value
                            .insert(key.clone(), serde_json::from_str(r).unwrap_or(Value::Null));
                        let mut changed = fields.clone();
                        changed.insert(
                            "values".to_owned(),
                            Value::Array(vec![Value::Object(changed_value)]),
                        );
                        out.push(Value::Object(changed).to_string());
                    }
                }
            }
        }
        // Text the tape leaves to the long way, and escapes it unescapes.
        out.push(r#"{"a": 1, "a": 2}"#.to_owned());
        out.push(r#"{"s": "\ud800"}"#.to_owned());
        out.push(r#"{"s": "\u00e9\n\"", "n": [1e400, -0.5, 0, -0.0]}"#.to_owned());
        out.push(format!(
            "{{\"a\": {}1{}}}",
            "[".repeat(100),
            "]".repeat(100)
        ));
        out
    }

    /// Read in place, an element is the long way's value, and valid for
    /// the listing schemas exactly when the long way's value is.
    #[test]
    fn the_tape_is_the_long_way_value_and_judged_alike() {
        let texts = elements();
        assert!(texts.len() > 1000, "{}", texts.len());
        let (mut judged, mut invalid) = (0, 0);
        for text in &texts {
            let tape = Tape::listing(text);
            let long = long_way(text);
            let Some(tape) = tape else {
                continue;
            };
            let long = long.expect("the long way reads what the tape reads");
            assert_eq!(tape.root().value(), long, "{text}");
            assert_eq!(tape.element_value(), long["eacs"][0], "{text}");
            for kind in [SchemaKind::P1Listing, SchemaKind::P2Listing] {
                let in_place = is_valid(kind, &tape).unwrap();
                let by_value = crate::p2::schema_violations(kind, &long).is_empty();
                assert_eq!(in_place, by_value, "{kind:?}: {text}");
                judged += 1;
                invalid += usize::from(!in_place);
            }
        }
        // Both answers are exercised.
        assert!(
            judged > 1000 && invalid > 500 && judged - invalid > 50,
            "{judged} {invalid}"
        );
        // What the tape does not take.
        for text in [r#"{"a": 1, "a": 2}"#, r#"{"s": "\ud800"}"#] {
            assert!(Tape::listing(text).is_none(), "{text}");
        }
    }
}
