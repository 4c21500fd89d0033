//! Framing a listing's array: each element parsed, borrowed, from a large
//! buffer of text checked as UTF-8 once (an element that runs past the
//! buffer is parsed again once more is read), instead of serde_json's
//! byte-at-a-time reader (issue 16). Until session 21 each element's end
//! was found by a scan of its own first; that scan now runs only when an
//! element does not parse, to tell whether the buffer cut it (decision
//! 231).
//!
//! The fast path reads only well-formed text. Whatever it does not expect
//! (keys before the array, an element that is not an object or array, bad
//! UTF-8, a syntax error, a missing comma, nesting past serde_json's limit,
//! the end of the file) hands the rest of the document to the streaming reader of
//! [`crate::read`], resumed at the last element delivered behind a short
//! synthetic prefix (`{"eacs":[{}`: an element passed over); the places it
//! reports are found in the file past the prefix ([`crate::place::Placed`]). Every error therefore comes from the one strict
//! reader, with the message, pointer, line and column it always gave, and
//! what follows the array (`next`, `previous`, duplicate keys, trailing
//! text) is judged by it too.

use std::borrow::Cow;
use std::fmt;
use std::io::{self, Read};

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::place::Place;
use crate::strict::{duplicate_key, visit_scalars, Element};

/// How many bytes are read at a time.
const CHUNK: usize = 1 << 20;

/// One element of a listing's array, its members borrowed from the
/// buffer (a key is copied only when it holds an escape).
#[derive(Debug)]
pub enum BorrowedElement<'a> {
    Object(Vec<(Cow<'a, str>, &'a RawValue)>),
    Other(&'static str),
}

impl BorrowedElement<'_> {
    /// The element as the owned [`Element`] the rule readers take.
    pub fn into_owned(self) -> Element {
        match self {
            BorrowedElement::Object(fields) => Element::Object(
                fields
                    .into_iter()
                    .map(|(k, raw)| (k.into_owned(), raw.to_owned()))
                    .collect(),
            ),
            BorrowedElement::Other(kind) => Element::Other(kind),
        }
    }

    /// A borrowed view of an owned element (the streaming reader's).
    pub fn view(element: &Element) -> BorrowedElement<'_> {
        match element {
            Element::Object(fields) => BorrowedElement::Object(
                fields
                    .iter()
                    .map(|(k, raw)| (Cow::Borrowed(k.as_str()), &**raw))
                    .collect(),
            ),
            Element::Other(kind) => BorrowedElement::Other(kind),
        }
    }
}

impl<'de> Deserialize<'de> for BorrowedElement<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(BorrowedVisitor)
    }
}

struct BorrowedVisitor;

impl<'de> Visitor<'de> for BorrowedVisitor {
    type Value = BorrowedElement<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object or array")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields: Vec<(Cow<'de, str>, &'de RawValue)> = Vec::with_capacity(24);
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            if fields.iter().any(|(k, _)| *k == key) {
                return Err(duplicate_key(&key));
            }
            let value: &'de RawValue = map.next_value()?;
            fields.push((key, value));
        }
        Ok(BorrowedElement::Object(fields))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(BorrowedElement::Other("an array"))
    }
    visit_scalars!(BorrowedElement<'de>, |_visitor, kind| Ok(
        BorrowedElement::Other(kind)
    ));
}

/// The elements of an array, each an object's members or another kind,
/// read in one pass into two vectors (issue 16): the members of every
/// object one after another, and per element the range of them it holds.
/// A `values` array of a million elements would otherwise make a million
/// vectors. Accepts and refuses exactly what `Vec<BorrowedElement>` does.
#[derive(Debug, Default)]
pub(crate) struct FlatElements<'a> {
    pub(crate) members: Vec<(Cow<'a, str>, &'a RawValue)>,
    pub(crate) elements: Vec<FlatElement>,
}

/// One element of [`FlatElements`].
#[derive(Debug, Clone)]
pub(crate) enum FlatElement {
    /// An object: how many members it has (they follow the previous
    /// object's in `members`).
    Object(usize),
    Other(&'static str),
}

impl<'de> Deserialize<'de> for FlatElements<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ArrayVisitor;
        impl<'de> Visitor<'de> for ArrayVisitor {
            type Value = FlatElements<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut flat = FlatElements {
                    members: Vec::with_capacity(seq.size_hint().unwrap_or(0) * 8),
                    elements: Vec::with_capacity(seq.size_hint().unwrap_or(0)),
                };
                while let Some(element) = seq.next_element_seed(FlatSeed(&mut flat.members))? {
                    flat.elements.push(element);
                }
                Ok(flat)
            }
        }
        d.deserialize_seq(ArrayVisitor)
    }
}

/// Reads one element of [`FlatElements`], appending an object's members.
struct FlatSeed<'s, 'de>(&'s mut Vec<(Cow<'de, str>, &'de RawValue)>);

impl<'de> de::DeserializeSeed<'de> for FlatSeed<'_, 'de> {
    type Value = FlatElement;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<FlatElement, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FlatSeed<'_, 'de> {
    type Value = FlatElement;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object or array")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FlatElement, A::Error> {
        let start = self.0.len();
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            if self.0[start..].iter().any(|(k, _)| *k == key) {
                return Err(duplicate_key(&key));
            }
            let value: &'de RawValue = map.next_value()?;
            self.0.push((key, value));
        }
        Ok(FlatElement::Object(self.0.len() - start))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<FlatElement, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(FlatElement::Other("an array"))
    }
    visit_scalars!(FlatElement, |_visitor, kind| Ok(FlatElement::Other(kind)));
}

/// A member name, borrowed unless it holds an escape.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// Where the streaming reader takes over: the synthetic text it reads
/// first, then the real bytes from a known place of the file.
pub(crate) struct Resume {
    pub(crate) prefix: Vec<u8>,
    /// Index of the first real element the streaming reader will read.
    pub(crate) index: usize,
    /// Synthetic elements at the start of the array not to hand on.
    pub(crate) skip: usize,
    /// The place of the first real byte (after the prefix).
    pub(crate) place: Place,
}

/// How the fast path ended.
pub(crate) enum Framed<R> {
    /// The callback asked to stop.
    Stopped,
    /// The rest is for the streaming reader: `resume`, then `rest` (the
    /// buffered bytes not yet judged, then the reader).
    Resume {
        resume: Resume,
        rest: io::Chain<io::Cursor<Vec<u8>>, R>,
    },
}

/// The buffer: `text[pos..]` is not yet judged; `place` is that of
/// `pos` in the document (after any byte order mark). The bytes
/// read are checked as UTF-8 once, as they arrive: `text` holds them up to
/// the first that is not (yet) a whole character, `raw` the rest (an
/// incomplete character at the end of a read, or bytes that are not
/// UTF-8, which the fast path never reads: the streaming reader reports
/// them).
struct Buffer<R> {
    reader: R,
    text: String,
    raw: Vec<u8>,
    /// `raw` starts with bytes that are not UTF-8: `text` grows no more.
    broken: bool,
    pos: usize,
    eof: bool,
    place: Place,
}

impl<R: Read> Buffer<R> {
    fn new(reader: R, head: Vec<u8>) -> Self {
        let mut b = Buffer {
            reader,
            text: String::new(),
            raw: head,
            broken: false,
            pos: 0,
            eof: false,
            place: Place::START,
        };
        b.settle();
        b
    }

    /// Moves the whole characters at the start of `raw` to `text`.
    fn settle(&mut self) {
        if self.broken || self.raw.is_empty() {
            return;
        }
        match String::from_utf8(std::mem::take(&mut self.raw)) {
            Ok(text) if self.text.is_empty() => self.text = text,
            Ok(text) => self.text.push_str(&text),
            Err(e) => {
                let (valid, broken) = (e.utf8_error().valid_up_to(), e.utf8_error().error_len());
                let mut bytes = e.into_bytes();
                self.raw = bytes.split_off(valid);
                self.broken = broken.is_some();
                self.text
                    .push_str(std::str::from_utf8(&bytes).expect("checked up to here"));
            }
        }
    }

    /// Reads more, keeping `text[pos..]`; false when the text grew no more
    /// (the end of the file, or bytes that are not UTF-8).
    fn fill(&mut self) -> io::Result<bool> {
        if self.eof || self.broken {
            return Ok(false);
        }
        if self.pos > 0 {
            self.text.drain(..self.pos);
            self.pos = 0;
        }
        let want = CHUNK.max(self.text.len());
        let old = self.raw.len();
        self.raw.resize(old + want, 0);
        let mut got = 0;
        // Fill the whole chunk where the reader gives less at a time.
        while got < want {
            match self.reader.read(&mut self.raw[old + got..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.raw.truncate(old + got);
                    return Err(e);
                }
            }
        }
        self.raw.truncate(old + got);
        let before = self.text.len();
        self.settle();
        Ok(self.text.len() > before)
    }

    /// Moves `pos` to `to`, keeping the place.
    fn advance(&mut self, to: usize) {
        // Counted with SIMD (line ends; characters of the last line only):
        // a byte-at-a-time count was 6 % of an import's reading thread
        // (every byte of the file passes here once).
        self.place.pass(&self.text.as_bytes()[self.pos..to]);
        self.pos = to;
    }

    /// The first byte at or after `at` that is not JSON whitespace, reading
    /// more as needed (`at` is relative to `pos` and stays so).
    fn skip_ws(&mut self, at: usize) -> io::Result<Option<(usize, u8)>> {
        let mut i = at;
        loop {
            while let Some(&b) = self.text.as_bytes().get(self.pos + i) {
                if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                    return Ok(Some((i, b)));
                }
                i += 1;
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// Hands the rest over to the streaming reader at `pos`.
    fn resume(self, prefix: Vec<u8>, index: usize, skip: usize) -> Framed<R> {
        let mut rest = self.text.as_bytes()[self.pos..].to_vec();
        rest.extend_from_slice(&self.raw);
        Framed::Resume {
            resume: Resume {
                prefix,
                index,
                skip,
                place: self.place,
            },
            rest: Read::chain(io::Cursor::new(rest), self.reader),
        }
    }
}

/// How near the end of the text read so far an error may lie and still be
/// the text's end rather than the document's fault: the last token (a
/// number, `tru`, an escape) cut short is reported where the text stops.
const CUT_MARGIN: usize = 1024;

/// Whether `e`, serde_json's error parsing an element from the start of
/// `text` (the rest of what is read), may come only from `text` ending
/// where it does: the end of its input, or a fault within [`CUT_MARGIN`]
/// bytes of that end. A parser reads forward, so a fault found earlier is
/// the same however much more is read.
fn may_be_cut(text: &str, e: &serde_json::Error) -> bool {
    if e.classify() == serde_json::error::Category::Eof || e.line() == 0 {
        return true;
    }
    // serde_json's line is counted from 1, its column in bytes from the
    // line's start.
    let line_start = match e.line() {
        1 => 0,
        line => match memchr::memchr_iter(b'\n', text.as_bytes()).nth(line - 2) {
            Some(newline) => newline + 1,
            None => return true,
        },
    };
    text.len().saturating_sub(line_start + e.column()) <= CUT_MARGIN
}

/// The length of the object or array starting `text` (whose first byte is
/// `{` or `[`), or None when it does not end in `text`: asked only when an
/// element did not parse, to tell one cut by the end of the buffer (some of
/// serde_json's errors there, e.g. `1.`, are not end-of-input errors) from
/// one that is not well-formed, and by [`crate::scan`] for a nested value
/// in text already parsed. Only strings and brackets are followed:
/// whether the text is JSON is for the parser to say.
pub(crate) fn container_len(text: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = 0;
    loop {
        // Whitespace, numbers, commas and colons: skipped a word at a time.
        i = next_structural(text, i);
        if i >= text.len() {
            break;
        }
        match text[i] {
            b'"' => {
                i += 1;
                // Most of a listing is string text: jump to its end.
                loop {
                    i += memchr::memchr2(b'"', b'\\', text.get(i..)?)?;
                    if text[i] == b'"' {
                        break;
                    }
                    i += 2;
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The first index at or after `from` whose byte is `"`, `{`, `}`, `[` or
/// `]` (or another byte that `| 0x20` turns into one of `"{}`: control
/// bytes, which `container_len` passes over), `text.len()` when none is.
/// Eight bytes at a time: outside strings a listing is mostly indentation.
fn next_structural(text: &[u8], from: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte of `w` equal to `b`; only the lowest set
    // bit is exact (a borrow may mark bytes above it), and only it is used.
    let equal = |w: u64, b: u8| {
        let x = w ^ (ONES * u64::from(b));
        x.wrapping_sub(ONES) & !x & HIGHS
    };
    let mut i = from;
    while let Some(word) = text.get(i..i + 8) {
        let w = u64::from_le_bytes(word.try_into().expect("eight bytes")) | (ONES * 0x20);
        let found = equal(w, b'"') | equal(w, b'{') | equal(w, b'}');
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = text.get(i) {
        if matches!(b | 0x20, b'"' | b'{' | b'}') {
            return i;
        }
        i += 1;
    }
    text.len()
}

/// Reads the array of `key` in a listing document starting in `reader`
/// (after any byte order mark, `head` holding bytes already read), handing
/// each well-formed element to `on_element(index, element, text, place)`
/// (`text`: the element's JSON text as framed, `place`: that of its first
/// byte in the document), until the
/// array ends, the callback stops or something needs the streaming reader.
pub(crate) fn frame_array<R: Read>(
    reader: R,
    head: Vec<u8>,
    key: &str,
    on_element: &mut dyn FnMut(usize, BorrowedElement<'_>, &str, Place) -> bool,
) -> io::Result<Framed<R>> {
    let mut b = Buffer::new(reader, head);
    let with_prefix = |tail: &str| format!("{{\"{key}\":[{tail}").into_bytes();
    // `{ "<key>" : [`, as written by everyone; anything else (another key
    // first, an escaped key) is read by the streaming reader from the start.
    let mut expected = vec![b"{".to_vec(), format!("\"{key}\"").into_bytes()];
    expected.push(b":".to_vec());
    expected.push(b"[".to_vec());
    let mut at = 0;
    for token in &expected {
        let Some((i, _)) = b.skip_ws(at)? else {
            return Ok(b.resume(Vec::new(), 0, 0));
        };
        while b.text.len() < b.pos + i + token.len() && b.fill()? {}
        if b.text.as_bytes().get(b.pos + i..b.pos + i + token.len()) != Some(&token[..]) {
            return Ok(b.resume(Vec::new(), 0, 0));
        }
        at = i + token.len();
    }
    b.advance(b.pos + at);

    let mut index = 0;
    loop {
        // The streaming reader resumes here (after `[` or the last element).
        let resume_prefix = if index == 0 {
            (with_prefix(""), 0)
        } else {
            (with_prefix("{}"), 1)
        };
        let Some((mut i, mut byte)) = b.skip_ws(0)? else {
            return Ok(b.resume(resume_prefix.0, index, resume_prefix.1));
        };
        if index > 0 && byte == b',' {
            match b.skip_ws(i + 1)? {
                Some(next) => (i, byte) = next,
                None => return Ok(b.resume(resume_prefix.0, index, resume_prefix.1)),
            }
        } else if byte == b']' {
            // The end of the array: what follows it is the streaming
            // reader's, behind `{"<key>":[]`.
            b.advance(b.pos + i + 1);
            return Ok(b.resume(with_prefix("]"), index, 0));
        } else if index > 0 {
            return Ok(b.resume(resume_prefix.0, index, resume_prefix.1));
        }
        if byte != b'{' && byte != b'[' {
            return Ok(b.resume(resume_prefix.0, index, resume_prefix.1));
        }
        // Parsed where it stands; an element that runs past the text read
        // so far is parsed again once more is read.
        let (start, len, element) = loop {
            let start = b.pos + i;
            let mut elements =
                serde_json::Deserializer::from_str(&b.text[start..]).into_iter::<BorrowedElement>();
            let failure = match elements.next() {
                Some(Ok(element)) => break (start, elements.byte_offset(), element),
                Some(Err(e)) => Some(e),
                None => None,
            };
            let rest = &b.text[start..];
            let cut = match failure {
                // Found before the end of what is read: more text cannot
                // mend it, so the streaming reader reports it now instead
                // of this buffer taking in the rest of the file first (a
                // missing `}` leaves the brackets open to the array's end).
                Some(e) if !may_be_cut(rest, &e) => false,
                _ => container_len(rest.as_bytes()).is_none(),
            };
            if !cut || !b.fill()? {
                return Ok(b.resume(resume_prefix.0, index, resume_prefix.1));
            }
        };
        let text = &b.text[start..start + len];
        let mut place = b.place;
        place.pass(&b.text.as_bytes()[b.pos..start]);
        let go_on = on_element(index, element, text, place);
        b.advance(start + len);
        index += 1;
        if !go_on {
            return Ok(Framed::Stopped);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_are_measured_past_strings() {
        assert_eq!(container_len(br#"{"a": "}]\"{"} , 1"#), Some(14));
        assert_eq!(container_len(br#"[[{}], {"x": [1]}]"#), Some(18));
        assert_eq!(container_len(br#"{"a": "\"#), None);
        assert_eq!(container_len(br#"{"a": [1, 2]"#), None);
    }

    proptest::proptest! {
        /// The word-at-a-time search finds what a byte-at-a-time one finds,
        /// for any bytes (text, brackets, quotes, control and non-ASCII
        /// bytes) and any start.
        #[test]
        fn structural_bytes_are_found_as_byte_by_byte(
            text in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(b" \n\t\r\"\\{}[]:,0123456789eE.-\x02\x5b\x7f".to_vec()),
                    proptest::num::u8::ANY,
                ],
                0..80,
            ),
            from in 0usize..90,
        ) {
            let from = from.min(text.len());
            let naive = text[from..]
                .iter()
                .position(|b| matches!(b | 0x20, b'"' | b'{' | b'}'))
                .map_or(text.len(), |at| from + at);
            proptest::prop_assert_eq!(next_structural(&text, from), naive);
        }
    }

    /// `FlatElements` takes and refuses what `Vec<BorrowedElement>` does,
    /// with the same members in the same order.
    #[test]
    fn flat_elements_read_as_the_elements_do() {
        let texts = [
            "[]",
            " [ ] ",
            r#"[{"a": 1, "b": "x"}, {}, {"c": [1, {"d": null}]}]"#,
            r#"[{"a\u0062": true}, 3, "s", null, [1, [2]], false, -1.5e3]"#,
            r#"[{"a": 1, "a": 2}]"#,
            r#"[{"a": 1}, {"b": 1, "c": 2, "b": 3}]"#,
            r#"[{"a": 1},]"#,
            r#"[{"a": 1} {"b": 2}]"#,
            r#"[{"a": 01}]"#,
            r#"[{"a": "x\q"}]"#,
            r#"[{"a": 1}"#,
            "[1, 2",
            "{}",
            "\"x\"",
        ];
        for text in texts {
            let flat = serde_json::from_str::<FlatElements>(text);
            let elements = serde_json::from_str::<Vec<BorrowedElement>>(text);
            match (flat, elements) {
                (Ok(flat), Ok(elements)) => {
                    let mut members = flat.members.iter();
                    assert_eq!(flat.elements.len(), elements.len(), "{text}");
                    for (f, e) in flat.elements.iter().zip(&elements) {
                        match (f, e) {
                            (FlatElement::Object(n), BorrowedElement::Object(fields)) => {
                                assert_eq!(*n, fields.len(), "{text}");
                                for (k, v) in fields {
                                    let (fk, fv) = members.next().expect("a member");
                                    assert_eq!((fk, fv.get()), (k, v.get()), "{text}");
                                }
                            }
                            (FlatElement::Other(a), BorrowedElement::Other(b)) => {
                                assert_eq!(a, b, "{text}")
                            }
                            _ => panic!("{text}: {f:?} against {e:?}"),
                        }
                    }
                    assert!(members.next().is_none(), "{text}");
                }
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{text}"),
                (a, b) => panic!("{text}: {a:?} against {b:?}"),
            }
        }
    }

    /// Gives at most a few bytes per read, so that characters of several
    /// bytes are split between reads.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.1 = self.1 % 7 + 1;
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn elements_across_reads_and_buffers_are_framed_whole() {
        // Over two buffers' worth of elements with characters of two, three
        // and four bytes, and one element larger than a buffer.
        let small =
            |i: usize| format!(r#"{{"id": "ä€😀-{i}", "n": {i}, "x": [{{"y": "\u00e4"}}]}}"#);
        let big = format!(r#"{{"id": "{}"}}"#, "€".repeat(CHUNK / 2));
        let mut elements: Vec<String> = (0..30_000).map(small).collect();
        elements.insert(12_345, big);
        let document = format!("{{\n \"eacs\": [\n{}\n]}}", elements.join(",\n"));
        assert!(document.len() > 2 * CHUNK);
        for reader in [
            Box::new(document.as_bytes()) as Box<dyn Read>,
            Box::new(Trickle(document.as_bytes(), 0)),
        ] {
            let mut framed = Vec::new();
            let end = frame_array(reader, Vec::new(), "eacs", &mut |i, _, text, _| {
                assert_eq!(i, framed.len());
                framed.push(text.to_owned());
                true
            })
            .unwrap();
            assert!(framed == elements, "{} elements framed", framed.len());
            let Framed::Resume { resume, .. } = end else {
                panic!("the end of the array is the streaming reader's")
            };
            assert_eq!(
                (resume.index, resume.prefix),
                (elements.len(), b"{\"eacs\":[]".to_vec())
            );
            // The line and column after the array's `]`.
            assert_eq!(
                (resume.place.line, resume.place.before),
                (elements.len() as u64 + 3, 1)
            );
        }
    }

    #[test]
    fn an_element_cut_by_the_buffer_inside_a_number_is_read_again_whole() {
        // The first buffer ends just after `1.`, which serde_json calls an
        // invalid number rather than the end of its input.
        let head = "{\"eacs\": [{\"id\": \"";
        let tail = "\"}, {\"v\": 1.";
        let pad = "x".repeat(CHUNK - head.len() - tail.len());
        let document = format!("{head}{pad}{tail}5}}, {{\"v\": 2.25e1}}]}}");
        assert_eq!(&document.as_bytes()[CHUNK - 2..CHUNK], b"1.");
        let mut framed = Vec::new();
        let end = frame_array(
            document.as_bytes(),
            Vec::new(),
            "eacs",
            &mut |_, _, text, _| {
                framed.push(text.to_owned());
                true
            },
        )
        .unwrap();
        assert_eq!(framed[1..], [r#"{"v": 1.5}"#, r#"{"v": 2.25e1}"#]);
        // Not handed to the streaming reader before the array's end.
        let Framed::Resume { resume, .. } = end else {
            panic!("the end of the array is the streaming reader's")
        };
        assert_eq!(resume.index, 3);
    }
}
