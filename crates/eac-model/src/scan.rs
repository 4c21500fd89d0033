//! The members of an array of objects, found in text already checked as
//! JSON (issue 16, decision 232). An EAC's `values` array is a `RawValue`:
//! serde_json has read all of it once to find where it ends, checking its
//! syntax on the way. Parsing it again with serde_json to split it into
//! members checked everything a second time; this scan only looks for the
//! quotes, brackets, colons and commas it needs, and leaves whatever it
//! does not expect (a backslash anywhere, an element that is not an
//! object, a name repeated in an object) to that parse, which then reads
//! and judges the array as it always did.

/// The objects of the JSON array `text`, read one at a time
/// ([`Objects::next_object`]).
///
/// `text` must be the text of a `serde_json::value::RawValue`: the scan
/// does not check the syntax again, it only refuses to go on where text
/// that is not JSON would lead it past the end.
#[derive(Debug)]
pub(crate) struct Objects<'t> {
    text: &'t str,
    /// Where the next element (or the array's end) starts.
    at: usize,
    ended: bool,
}

/// The scan stopped: the array is left to serde_json, which reads it as a
/// whole (a backslash, an element that is not an object, a name repeated
/// in an object).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Unscanned;

impl<'t> Objects<'t> {
    /// `None` where the text holds a backslash or is not an array.
    pub(crate) fn new(text: &'t str) -> Option<Self> {
        let b = text.as_bytes();
        if b.contains(&b'\\') {
            return None;
        }
        let i = skip_space(b, 0);
        if b.get(i) != Some(&b'[') {
            return None;
        }
        let at = skip_space(b, i + 1);
        let ended = b.get(at) == Some(&b']');
        Some(Objects { text, at, ended })
    }

    /// The next object's members, name (without its quotes) and value
    /// text, into `members` (emptied first): `Ok(true)` for an object,
    /// `Ok(false)` at the end of the array.
    pub(crate) fn next_object(
        &mut self,
        members: &mut Vec<(&'t str, &'t str)>,
    ) -> Result<bool, Unscanned> {
        members.clear();
        if self.ended {
            return Ok(false);
        }
        let (text, b) = (self.text, self.text.as_bytes());
        let mut i = self.at;
        if b.get(i) != Some(&b'{') {
            return Err(Unscanned);
        }
        i = skip_space(b, i + 1);
        if b.get(i) == Some(&b'}') {
            i += 1;
        } else {
            loop {
                let key_end = string_end(b, i).ok_or(Unscanned)?;
                let key = &text[i + 1..key_end - 1];
                i = skip_space(b, key_end);
                if b.get(i) != Some(&b':') {
                    return Err(Unscanned);
                }
                let start = skip_space(b, i + 1);
                let end = value_end(b, start).ok_or(Unscanned)?;
                if members.iter().any(|(k, _)| *k == key) {
                    return Err(Unscanned);
                }
                members.push((key, &text[start..end]));
                i = skip_space(b, end);
                match b.get(i) {
                    Some(b',') => i = skip_space(b, i + 1),
                    Some(b'}') => {
                        i += 1;
                        break;
                    }
                    _ => return Err(Unscanned),
                }
            }
        }
        i = skip_space(b, i);
        match b.get(i) {
            Some(b',') => self.at = skip_space(b, i + 1),
            Some(b']') => self.ended = true,
            _ => return Err(Unscanned),
        }
        Ok(true)
    }
}

fn skip_space(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// Just past the closing quote of the string opening at `i` (no backslash
/// in the text: the next quote closes it).
fn string_end(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let rest = b.get(i + 1..)?;
    rest.iter()
        .position(|&c| c == b'"')
        .map(|at| i + 1 + at + 1)
}

/// Just past the value starting at `i`.
fn value_end(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' => string_end(b, i),
        b'{' | b'[' => crate::frame::container_len(&b[i..]).map(|len| i + len),
        // A number, `true`, `false` or `null`: up to what follows it.
        _ => {
            let len = b[i..]
                .iter()
                .position(|c| matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
                .unwrap_or(b.len() - i);
            (len > 0).then_some(i + len)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::{FlatElement, FlatElements};
    use serde_json::value::RawValue;

    /// Every object of `text`, as (members one after another, members per
    /// object); `None` where the scan leaves the array to serde_json.
    type Members<'t> = Vec<(&'t str, &'t str)>;

    fn scan_objects(text: &str) -> Option<(Members<'_>, Vec<usize>)> {
        let mut objects = Objects::new(text)?;
        let (mut all, mut counts, mut members) = (Vec::new(), Vec::new(), Vec::new());
        while objects.next_object(&mut members).ok()? {
            counts.push(members.len());
            all.append(&mut members);
        }
        Some((all, counts))
    }

    /// Where the scan answers, it finds what serde_json's reading of the
    /// same array finds, member for member.
    fn same_as_serde(text: &str) -> bool {
        let Ok(raw) = serde_json::from_str::<&RawValue>(text) else {
            return false;
        };
        let flat = serde_json::from_str::<FlatElements>(raw.get());
        let Some(scanned) = scan_objects(raw.get()) else {
            return false;
        };
        let flat = flat.expect("what the scan reads, serde_json reads");
        let objects: Vec<usize> = flat
            .elements
            .iter()
            .map(|e| match e {
                FlatElement::Object(n) => *n,
                FlatElement::Other(kind) => panic!("{text}: the scan took {kind} for an object"),
            })
            .collect();
        let members: Vec<(&str, &str)> = flat
            .members
            .iter()
            .map(|(k, v)| (k.as_ref(), v.get()))
            .collect();
        assert_eq!(scanned.1, objects, "{text}");
        assert_eq!(scanned.0, members, "{text}");
        true
    }

    #[test]
    fn the_scan_finds_the_members_serde_json_finds() {
        for text in [
            "[]",
            " [ ] ",
            "[{}]",
            "[ { } , {} ]",
            r#"[{"a": 1, "b": "x"}, {}, {"c": [1, {"d": null}], "e": {"f": "]}"}}]"#,
            r#"[{"value": 1000.0,"unit":"MWh"},{"value":-1.5e+3 , "n" : true},{"x":false}]"#,
            "[\n\t{\r\n \"k\" :\t\"v\" }\n]",
            r#"[{"s": "with { and [ and , inside"}, {"t": "é ünïcödé 💡"}]"#,
            r#"[{"": 0}, {"a": [], "b": {}}]"#,
        ] {
            assert!(same_as_serde(text), "the scan read {text}");
        }
    }

    #[test]
    fn what_the_scan_leaves_to_serde_json() {
        for text in [
            // Escapes: a name or a value serde_json reads differently.
            r#"[{"a\u0062": 1}]"#,
            r#"[{"a": "x\"y"}]"#,
            // Not an object: serde_json names the kind (and reads numbers).
            "[1]",
            r#"[{"a": 1}, "s"]"#,
            "[[{}]]",
            "[null]",
            // A name given twice: located by the element's own reading.
            r#"[{"a": 1, "a": 2}]"#,
            r#"[{"a": 1}, {"b": 1, "c": 2, "b": 3}]"#,
            // Not an array.
            "{}",
            "\"x\"",
        ] {
            let raw = serde_json::from_str::<&RawValue>(text).expect(text);
            assert_eq!(scan_objects(raw.get()), None, "{text}");
        }
        // The same names in different objects are fine.
        assert!(same_as_serde(r#"[{"a": 1}, {"a": 2}]"#));
    }

    fn json_value() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            "-?(0|[1-9][0-9]{0,4})\\.[0-9]{1,8}(e[+-]?[0-9])?"
                .prop_map(|n| serde_json::from_str(&n).expect("a number")),
            "[a-z{}\\[\\],:\" \\\\é\t]{0,6}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                proptest::collection::btree_map("[a-c]{0,2}", inner, 0..4)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        /// For arrays of any objects (names given twice, escapes, nested
        /// values, any spacing), the scan either leaves the array to
        /// serde_json or finds exactly the members serde_json finds.
        #[test]
        fn any_array_of_objects_is_scanned_as_serde_json_reads_it(
            objects in proptest::collection::vec(
                proptest::collection::vec(("[a-d\"\\\\]{0,2}", json_value()), 0..5),
                0..5,
            ),
            space in proptest::sample::select(vec!["", " ", "\n  ", "\t", " \r\n"]),
        ) {
            let object_text = |members: &Vec<(String, serde_json::Value)>| {
                let members: Vec<String> = members
                    .iter()
                    .map(|(k, v)| format!("{}{space}:{space}{v}", serde_json::Value::from(k.as_str())))
                    .collect();
                format!("{{{space}{}{space}}}", members.join(&format!("{space},{space}")))
            };
            let objects: Vec<String> = objects.iter().map(object_text).collect();
            let text = format!("{space}[{space}{}{space}]{space}", objects.join(&format!(",{space}")));
            let raw = serde_json::from_str::<&RawValue>(&text).expect("generated JSON");
            let escapes = raw.get().contains('\\');
            let scanned = same_as_serde(raw.get());
            proptest::prop_assert!(scanned || escapes || serde_json::from_str::<FlatElements>(raw.get()).is_err());
        }
    }

    #[test]
    fn text_cut_short_stops_the_scan_without_a_panic() {
        let whole = r#"[{"a": [1, {"b": "c"}], "d": 2}, {"e": "f"}]"#;
        for end in 0..whole.len() {
            // Not JSON: the scan's precondition does not hold, but it must
            // still end, with no answer.
            assert_eq!(scan_objects(&whole[..end]), None, "{}", &whole[..end]);
        }
    }
}
