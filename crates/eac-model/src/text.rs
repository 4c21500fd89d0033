//! The one cap on text: no JSON string of an EAC (its CDS fields,
//! beneficiary ids, a value's `eac_number`, extension members and the
//! strings and member names inside them) holds more than
//! [`MAX_TEXT_CHARS`] characters (Unicode scalar values). The readers
//! refuse a longer string before they copy it out of the text they read
//! ([`json_string_too_long`], [`long_text_in`]); the per-EAC rules
//! ([`crate::check_eac`]: import, `validate`, edits, every export) hold
//! the EACs they are given to it ([`too_long`]). Characters are counted
//! only when the UTF-8 bytes are more than the cap (no character takes
//! less than one byte), so text of ordinary length costs one comparison.

/// The most characters a string of an EAC may hold.
pub const MAX_TEXT_CHARS: usize = 4096;

/// The longest a JSON string literal (its quotes included) can be written
/// without its text possibly being longer than the cap: an escape is never
/// shorter than the character it stands for.
const MAX_LITERAL_BYTES: usize = MAX_TEXT_CHARS + 2;

/// How many characters `text` holds when that is more than
/// [`MAX_TEXT_CHARS`]; `None` within the cap (one comparison when its
/// UTF-8 is at most [`MAX_TEXT_CHARS`] bytes).
#[inline]
pub fn too_long(text: &str) -> Option<usize> {
    if text.len() <= MAX_TEXT_CHARS {
        return None;
    }
    let chars = text.chars().count();
    (chars > MAX_TEXT_CHARS).then_some(chars)
}

/// [`too_long`] for a JSON string literal as written (`"…"`, escapes
/// included), counted without decoding it: `None` for text within the cap
/// and for JSON that is not a string (one comparison when the literal is
/// at most [`MAX_TEXT_CHARS`] + 2 bytes). The literal is JSON a parser
/// has checked.
#[inline]
pub fn json_string_too_long(literal: &str) -> Option<usize> {
    if literal.len() <= MAX_LITERAL_BYTES || !literal.starts_with('"') {
        return None;
    }
    let chars = literal_chars(literal);
    (chars > MAX_TEXT_CHARS).then_some(chars)
}

/// The characters of the text a checked JSON string literal stands for:
/// an escape is one character (a surrogate pair `\uD83D\uDE00` one too),
/// every other character itself.
fn literal_chars(literal: &str) -> usize {
    let b = literal.as_bytes();
    let end = b.len().saturating_sub(1);
    let is_escape_u = |i: usize| b.get(i) == Some(&b'\\') && b.get(i + 1) == Some(&b'u');
    let high_surrogate = |i: usize| {
        is_escape_u(i)
            && literal
                .get(i + 2..i + 6)
                .and_then(|hex| u16::from_str_radix(hex, 16).ok())
                .is_some_and(|code| (0xD800..0xDC00).contains(&code))
    };
    let low_surrogate = |i: usize| {
        is_escape_u(i)
            && literal
                .get(i + 2..i + 6)
                .and_then(|hex| u16::from_str_radix(hex, 16).ok())
                .is_some_and(|code| (0xDC00..0xE000).contains(&code))
    };
    let (mut chars, mut i) = (0, 1);
    while i < end {
        match b[i] {
            b'\\' if b.get(i + 1) == Some(&b'u') => {
                i += match high_surrogate(i) && low_surrogate(i + 6) {
                    true => 12,
                    false => 6,
                };
            }
            b'\\' => i += 2,
            byte => {
                i += 1;
                // A byte that continues a UTF-8 character starts none.
                if byte & 0xC0 == 0x80 {
                    continue;
                }
            }
        }
        chars += 1;
    }
    chars
}

/// A string or member name longer than the cap inside a JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LongText {
    /// Where it is below the value, as JSON pointer tokens (`""`: the
    /// value itself; `/names/0`); a member name too long is placed at its
    /// object, since the name itself cannot be written as a place.
    pub pointer: String,
    /// A member name (not a string value).
    pub name: bool,
    pub chars: usize,
}

/// The first string or member name longer than the cap in checked JSON
/// text, walked without recursion and without copying a string (a
/// member name is decoded only to name the place of what it holds). One
/// comparison for a value of at most [`MAX_TEXT_CHARS`] + 2 bytes, which
/// can hold nothing longer.
pub fn long_text_in(json: &str) -> Option<LongText> {
    if json.len() <= MAX_LITERAL_BYTES {
        return None;
    }
    if json.starts_with('"') {
        return json_string_too_long(json).map(|chars| LongText {
            pointer: String::new(),
            name: false,
            chars,
        });
    }
    // Open containers: an array's index, or an object's current member
    // name (the span of its literal) and whether a name comes next.
    enum Open {
        Array(usize),
        Object {
            name: Option<(usize, usize)>,
            expects_name: bool,
        },
    }
    let pointer = |open: &[Open], json: &str| -> String {
        let mut out = String::new();
        for o in open {
            match o {
                Open::Array(i) => {
                    out.push('/');
                    out.push_str(&i.to_string());
                }
                Open::Object {
                    name: Some((start, end)),
                    ..
                } => {
                    let name: String =
                        serde_json::from_str(&json[*start..*end]).unwrap_or_default();
                    out.push('/');
                    out.push_str(&crate::pointer_token(&name));
                }
                Open::Object { name: None, .. } => {}
            }
        }
        out
    };
    let b = json.as_bytes();
    let mut open: Vec<Open> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                let literal = &json[start..i.min(b.len())];
                let is_name = matches!(
                    open.last(),
                    Some(Open::Object {
                        expects_name: true,
                        ..
                    })
                );
                if let Some(chars) = json_string_too_long(literal) {
                    // A name is placed at its object: its own place is
                    // below the object, not yet entered.
                    let mut place = open;
                    if is_name {
                        if let Some(Open::Object { name, .. }) = place.last_mut() {
                            *name = None;
                        }
                    }
                    return Some(LongText {
                        pointer: pointer(&place, json),
                        name: is_name,
                        chars,
                    });
                }
                if is_name {
                    if let Some(Open::Object { name, .. }) = open.last_mut() {
                        *name = Some((start, i));
                    }
                }
                continue;
            }
            b'[' => open.push(Open::Array(0)),
            b'{' => open.push(Open::Object {
                name: None,
                expects_name: true,
            }),
            b']' | b'}' => {
                open.pop();
            }
            b',' => match open.last_mut() {
                Some(Open::Array(n)) => *n += 1,
                Some(Open::Object { expects_name, .. }) => *expects_name = true,
                None => {}
            },
            b':' => {
                if let Some(Open::Object { expects_name, .. }) = open.last_mut() {
                    *expects_name = false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The text cap on a member the spec does not define (an extension,
/// digest rule 21) of the object at `object` (its pointer, made only for a
/// finding): its name and every string and name inside its value `raw`
/// (JSON text). A rule 2 error at the place of the text, or at the object
/// for a name (which cannot be written as a place). One comparison each
/// for the name and the value when they are of ordinary length.
pub fn long_member(
    name: &str,
    raw: &str,
    object: impl FnOnce() -> String,
) -> Option<crate::Violation> {
    let quoted = || crate::quote(name);
    let (pointer, what, chars) = if let Some(chars) = too_long(name) {
        (object(), format!("the member name `{}`", quoted()), chars)
    } else {
        let long = long_text_in(raw)?;
        let what = match (long.name, long.pointer.is_empty()) {
            (true, _) => format!("a member name inside `{}`", quoted()),
            (false, true) => format!("`{}`", quoted()),
            (false, false) => format!("a string inside `{}`", quoted()),
        };
        let pointer = format!(
            "{}/{}{}",
            object(),
            crate::pointer_token(name),
            long.pointer
        );
        (pointer, what, long.chars)
    };
    Some(crate::Violation::error(
        crate::Rule::RequiredKeys,
        pointer,
        too_long_message(&what, chars),
    ))
}

/// What a refusal of text over the cap says: `what` (`` `source_name` ``,
/// "a beneficiary id", "a member name") "is text longer than 4096
/// characters (5000): at most 4096; shorten it".
pub fn too_long_message(what: &str, chars: usize) -> String {
    format!(
        "{what} is text longer than {MAX_TEXT_CHARS} characters ({chars}): at most \
         {MAX_TEXT_CHARS}; shorten it"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literal(text: &str) -> String {
        serde_json::to_string(text).unwrap()
    }

    #[test]
    fn characters_are_counted_not_bytes() {
        let at_cap = "é".repeat(MAX_TEXT_CHARS);
        assert_eq!(too_long(&at_cap), None);
        assert_eq!(too_long(&"é".repeat(MAX_TEXT_CHARS + 1)), Some(4097));
        assert_eq!(too_long(&"a".repeat(MAX_TEXT_CHARS)), None);
        assert_eq!(too_long(&"a".repeat(5000)), Some(5000));
        assert_eq!(json_string_too_long(&literal(&at_cap)), None);
        assert_eq!(
            json_string_too_long(&literal(&"€".repeat(4097))),
            Some(4097)
        );
        assert_eq!(json_string_too_long(&"1".repeat(9000)), None, "a number");
    }

    #[test]
    fn escapes_count_as_the_characters_they_stand_for() {
        // 4096 characters, each written as a six-byte escape.
        let escaped = format!("\"{}\"", r"\u00e9".repeat(MAX_TEXT_CHARS));
        assert_eq!(json_string_too_long(&escaped), None);
        let pairs = format!("\"{}\\n\"", r"\ud83d\ude00".repeat(MAX_TEXT_CHARS));
        assert_eq!(json_string_too_long(&pairs), Some(4097));
        let quotes = format!("\"{}\"", r#"\""#.repeat(MAX_TEXT_CHARS + 1));
        assert_eq!(json_string_too_long(&quotes), Some(4097));
        for text in ["a\"b\\c😀é\n", "\u{1}x"] {
            let long = text.repeat(1000);
            assert_eq!(literal_chars(&literal(&long)), long.chars().count());
        }
    }

    #[test]
    fn long_text_is_found_anywhere_in_a_value() {
        let long = "x".repeat(5000);
        let value = format!(r#"{{"a": [1, "ok", {{"b/c": "{long}"}}], "d": 2}}"#);
        let found = long_text_in(&value).unwrap();
        assert_eq!(found.pointer, "/a/2/b~1c");
        assert_eq!((found.name, found.chars), (false, 5000));
        let name = format!(r#"{{"a": {{"x": 1, "{long}": 2}}}}"#);
        let found = long_text_in(&name).unwrap();
        assert_eq!((found.pointer.as_str(), found.name), ("/a", true));
        assert_eq!(
            long_text_in(&literal(&long)).map(|f| f.pointer),
            Some(String::new())
        );
        let many = format!("[{}]", vec![literal(&"y".repeat(4096)); 3].join(","));
        assert_eq!(long_text_in(&many), None);
    }
}
