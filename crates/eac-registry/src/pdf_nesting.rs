//! How deep a PDF's objects nest arrays and dictionaries, found before
//! `lopdf` parses them.
//!
//! `lopdf`'s object parser reads an array or a dictionary by calling
//! itself for each value in it, without a limit: a 400 KB file holding an
//! array nested 200,000 deep (`[[[[…]]]]`), or a 1 KB object stream
//! unpacking to one, overflows the stack while it is parsed, and that
//! aborts the whole process: no error is returned, nothing can catch it.
//! So [`in_file`] and [`in_object_stream`] find the deepest nesting
//! `lopdf` could reach, before it parses anything.
//!
//! `lopdf` does not read a file from its start to its end: it parses each
//! object where the cross-reference section says the object starts, and
//! that can be anywhere, also inside what a reading from the start would
//! take for a comment, a string or a stream's data. So the scan follows,
//! in one pass, every reading `lopdf` could start: one after each `obj`
//! and `trailer` in the file, wherever they are (an object is
//! `N G obj value`, the trailer `trailer << … >>`), one at each place an
//! object stream's index gives. Each reading goes on as `lopdf` tokenizes
//! (literal strings with their escapes and nested parentheses,
//! hexadecimal strings, comments, names) and ends where `lopdf`'s parse of
//! one object fails at the latest: at a word that is no value (`endobj`,
//! `stream`, whose data `lopdf` then skips by its length, `xref`…), or a
//! `)`, `>`, `]`, `>>`, `{` or `}` that closes nothing. Readings that come
//! to the same place in the same state go on as one, keeping the deeper
//! nesting, so the pass takes time in proportion to the file's size
//! whatever the file holds.

use std::collections::VecDeque;

/// Where a reading passed the limit: where it started (just after `obj`
/// or `trailer`, or at an object stream's object) and the byte of the
/// bracket that passed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooDeep {
    pub from: usize,
    pub at: usize,
}

/// Literal strings within literal strings `lopdf` reads (it refuses a
/// string nested deeper: its `MAX_BRACKET`, 100); a reading in a string
/// nested deeper is followed no further.
const STRING_LEVELS: usize = 101;

/// One reading (or several merged): its arrays and dictionaries open, and
/// where the deepest of them started.
#[derive(Debug, Clone, Copy)]
struct Reading {
    depth: u32,
    from: usize,
}

type Slot = Option<Reading>;

fn merge(slot: &mut Slot, r: Slot) {
    if let Some(r) = r {
        if slot.is_none_or(|s| r.depth > s.depth) {
            *slot = Some(r);
        }
    }
}

/// Spaces between values (lopdf's; also a superset of what the font
/// parsers skip, `pdf_font_nesting`).
pub(crate) fn is_white(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

fn is_delimiter(b: u8) -> bool {
    b"()<>[]{}/%".contains(&b)
}

/// Bytes of the values `lopdf` reads outside names and strings: numbers
/// (`-1.5`), `true`, `false`, `null`, and the `R` of a reference. Any other
/// letter there fails its parse.
fn in_value(b: u8) -> bool {
    b.is_ascii_digit() || b"+-.truefalsnR".contains(&b)
}

/// Every reading under way, by the state of `lopdf`'s tokenizer it is in.
struct Readings {
    /// Between values, or in a number or word.
    plain: Slot,
    /// In a name (`/Type`).
    name: Slot,
    /// After a `<`: a dictionary or a hexadecimal string follows.
    lt: Slot,
    /// After a `>`: only a second one (a dictionary's end) may follow.
    gt: Slot,
    hex: Slot,
    comment: Slot,
    /// In a literal string, by how deeply nested (the front: 1).
    strings: VecDeque<Slot>,
    /// How many `strings` are under way.
    in_strings: usize,
    /// The byte before was a backslash escaping the next one, in every
    /// string under way (all string readings see the same bytes since they
    /// entered their string, so they agree).
    escaped: bool,
}

impl Readings {
    fn new() -> Self {
        Readings {
            plain: None,
            name: None,
            lt: None,
            gt: None,
            hex: None,
            comment: None,
            strings: std::iter::repeat_n(None, STRING_LEVELS).collect(),
            in_strings: 0,
            escaped: false,
        }
    }

    fn idle(&self) -> bool {
        self.plain.is_none()
            && self.name.is_none()
            && self.lt.is_none()
            && self.gt.is_none()
            && self.hex.is_none()
            && self.comment.is_none()
            && self.in_strings == 0
    }

    /// Every reading takes byte `b` (at `at`); `Err` when one opens more
    /// than `limit` arrays and dictionaries.
    fn step(&mut self, b: u8, at: usize, limit: u32) -> Result<(), TooDeep> {
        let open = |r: Reading| -> Result<Slot, TooDeep> {
            let depth = r.depth + 1;
            if depth > limit {
                return Err(TooDeep { from: r.from, at });
            }
            Ok(Some(Reading { depth, ..r }))
        };
        let close = |r: Reading| -> Slot {
            // Closing what is not open: `lopdf`'s parse fails.
            r.depth.checked_sub(1).map(|depth| Reading { depth, ..r })
        };
        let mut plain = None;
        let mut name = None;
        let mut lt = None;
        let mut gt = None;
        let mut hex = None;
        let mut comment = None;
        let mut string = None;

        for (r, in_name) in [(self.plain.take(), false), (self.name.take(), true)] {
            let Some(r) = r else { continue };
            match b {
                _ if is_white(b) => merge(&mut plain, Some(r)),
                b'%' => merge(&mut comment, Some(r)),
                b'(' => merge(&mut string, Some(r)),
                b'<' => merge(&mut lt, Some(r)),
                b'>' => merge(&mut gt, Some(r)),
                b'[' => merge(&mut plain, open(r)?),
                b']' => merge(&mut plain, close(r)),
                b'/' => merge(&mut name, Some(r)),
                _ if is_delimiter(b) => {}
                _ if in_name => merge(&mut name, Some(r)),
                _ if in_value(b) => merge(&mut plain, Some(r)),
                _ => {}
            }
        }
        if let Some(r) = self.lt.take() {
            match b {
                b'<' => merge(&mut plain, open(r)?),
                b'>' => merge(&mut plain, Some(r)),
                _ if b.is_ascii_hexdigit() || is_white(b) => merge(&mut hex, Some(r)),
                _ => {}
            }
        }
        if let Some(r) = self.gt.take() {
            if b == b'>' {
                merge(&mut plain, close(r));
            }
        }
        if let Some(r) = self.hex.take() {
            match b {
                b'>' => merge(&mut plain, Some(r)),
                _ if b.is_ascii_hexdigit() || is_white(b) => merge(&mut hex, Some(r)),
                _ => {}
            }
        }
        if let Some(r) = self.comment.take() {
            if matches!(b, b'\r' | b'\n') {
                merge(&mut plain, Some(r));
            } else {
                merge(&mut comment, Some(r));
            }
        }

        if self.in_strings > 0 {
            if self.escaped {
                self.escaped = false;
            } else if b == b'\\' {
                self.escaped = true;
            } else if b == b'(' {
                // One level deeper; past the deepest `lopdf` reads, none.
                if self.strings.pop_back().flatten().is_some() {
                    self.in_strings -= 1;
                }
                self.strings.push_front(None);
            } else if b == b')' {
                let out = self.strings.pop_front().flatten();
                self.strings.push_back(None);
                if out.is_some() {
                    self.in_strings -= 1;
                }
                merge(&mut plain, out);
            }
        }
        if string.is_some() {
            let first = &mut self.strings[0];
            if first.is_none() {
                self.in_strings += 1;
            }
            merge(first, string);
        }
        if self.in_strings == 0 {
            self.escaped = false;
        }

        self.plain = plain;
        self.name = name;
        self.lt = lt;
        self.gt = gt;
        self.hex = hex;
        self.comment = comment;
        Ok(())
    }
}

/// Follows a reading from each of `starts` (ascending) through `bytes`;
/// `Err` at the first that opens more than `limit` arrays and
/// dictionaries.
fn follow(bytes: &[u8], starts: &[usize], limit: u32) -> Result<(), TooDeep> {
    let mut readings = Readings::new();
    let mut next = starts.iter().copied().peekable();
    let mut i = 0;
    while i < bytes.len() {
        if readings.idle() {
            // Nothing under way: on to where the next reading starts.
            match next.peek() {
                Some(&s) if s > i => i = s,
                Some(_) => {}
                None => return Ok(()),
            }
            if i >= bytes.len() {
                return Ok(());
            }
        }
        if next.next_if_eq(&i).is_some() {
            // A reading starting here; it names the place rather than one
            // that came to it with nothing open.
            if readings.plain.is_none_or(|r| r.depth == 0) {
                readings.plain = Some(Reading { depth: 0, from: i });
            }
        }
        readings.step(bytes[i], i, limit)?;
        i += 1;
    }
    Ok(())
}

/// Where `lopdf` may start reading a value in a file: just after each
/// `obj` that can end an object's `N G obj` (after a digit or a space: not
/// the `obj` of `endobj`), and after each `trailer`.
fn starts_in_file(bytes: &[u8]) -> Vec<usize> {
    let mut starts = Vec::new();
    for (i, &b) in bytes.iter().enumerate() {
        if b != b'j' && b != b'r' {
            continue;
        }
        let head = &bytes[..=i];
        let start = if b == b'j' {
            head.strip_suffix(b"obj")
                .is_some_and(|h| h.last().is_none_or(|&b| b.is_ascii_digit() || is_white(b)))
        } else {
            head.ends_with(b"trailer")
        };
        if start {
            starts.push(i + 1);
        }
    }
    starts
}

/// Checks every value `lopdf` may parse in the file as it opens it (its
/// objects, wherever the cross-reference sections put them, and its
/// trailers) for arrays and dictionaries nested more than `limit` deep.
pub fn in_file(bytes: &[u8], limit: u32) -> Result<(), TooDeep> {
    follow(bytes, &starts_in_file(bytes), limit)
}

/// What a start found by [`in_file`] is: the object `N G obj` it follows
/// (`Some(N)`), or the trailer (`None`).
pub fn object_before(bytes: &[u8], from: usize) -> Option<u32> {
    let head = bytes[..from].strip_suffix(b"obj")?;
    let head = head.trim_ascii_end();
    let generation = head.len() - head.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    if generation == head.len() {
        return None;
    }
    let head = head[..generation].trim_ascii_end();
    let digits = head.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    std::str::from_utf8(&head[head.len() - digits..])
        .ok()?
        .parse()
        .ok()
}

/// The objects of an object stream's unpacked `content`, as `lopdf` finds
/// them: its index (the text before `first`: object number, offset after
/// `first`, …), each object where its offset says. An index that is not
/// text gives none (`lopdf` then reads none).
pub fn object_stream_index(content: &[u8], first: usize) -> Vec<(u32, usize)> {
    let Some(index) = content
        .get(..first)
        .and_then(|i| std::str::from_utf8(i).ok())
    else {
        return Vec::new();
    };
    let numbers: Vec<Option<u32>> = index
        .split_whitespace()
        .map(|n| n.parse::<u32>().ok())
        .collect();
    numbers
        .chunks_exact(2)
        .filter_map(|pair| {
            let id = pair[0]?;
            let offset = first.checked_add(usize::try_from(pair[1]?).ok()?)?;
            (offset < content.len()).then_some((id, offset))
        })
        .collect()
}

/// Checks the objects of an object stream (`index` from
/// [`object_stream_index`]) as [`in_file`] checks a file's.
pub fn in_object_stream(content: &[u8], index: &[(u32, usize)], limit: u32) -> Result<(), TooDeep> {
    let mut starts: Vec<usize> = index.iter().map(|&(_, at)| at).collect();
    starts.sort_unstable();
    starts.dedup();
    follow(content, &starts, limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deepest(bytes: &[u8]) -> u32 {
        (0..64)
            .find(|&limit| in_file(bytes, limit).is_ok())
            .unwrap()
    }

    #[test]
    fn nesting_counts_arrays_and_dictionaries_of_objects_and_trailers() {
        assert_eq!(
            deepest(b"1 0 obj << /A [1 [2 R] << /B true >>] >> endobj"),
            3
        );
        assert_eq!(
            deepest(b"trailer\n<< /Root 1 0 R /ID [<ab01> <CD 02>] >>"),
            2
        );
        assert_eq!(deepest(b"1 0 obj 5 endobj [[[[ ]]]]"), 0);
        assert_eq!(deepest(b"[[[[ ]]]]"), 0);
    }

    #[test]
    fn strings_comments_and_stream_data_do_not_count() {
        assert_eq!(
            deepest(b"1 0 obj [(a [[[ \\) [[ (b) [[[ ) % [[[[ \n <</A [<> <0a>]>>] endobj"),
            3
        );
        assert_eq!(
            deepest(b"1 0 obj << /Length 8 >> stream\n[[[[[[[[\nendstream endobj"),
            1
        );
        // An escaped backslash ends no string; an escaped `(` opens none.
        assert_eq!(deepest(b"1 0 obj [(\\\\) [ (\\( [[[ ) ] endobj"), 2);
    }

    #[test]
    fn an_object_hidden_in_a_comment_string_or_stream_data_is_still_read() {
        // `lopdf` parses an object wherever the cross-reference table says
        // it starts, inside a comment as anywhere else.
        let deep = b"[[[[[[[[[[]]]]]]]]]]";
        for hide in [
            [b"% 6 0 obj ".as_slice(), deep].concat(),
            [b"1 0 obj (6 0 obj ".as_slice(), deep, b")"].concat(),
            [
                b"1 0 obj <</Length 30>> stream\n6 0 obj ".as_slice(),
                deep,
                b"\nendstream",
            ]
            .concat(),
        ] {
            assert_eq!(deepest(&hide), 10, "{}", String::from_utf8_lossy(&hide));
            let e = in_file(&hide, 9).unwrap_err();
            assert_eq!(object_before(&hide, e.from), Some(6));
        }
    }

    #[test]
    fn a_reading_ends_where_lopdf_stops_parsing() {
        // `obj` in a word, a keyword, a stray `)`: no value, no more.
        assert_eq!(deepest(b"xobjects [[[["), 0);
        assert_eq!(deepest(b"1 0 obj [ stream [[[["), 1);
        assert_eq!(deepest(b"1 0 obj [ ) [[[["), 1);
        assert_eq!(deepest(b"1 0 obj < g [[[["), 0);
        assert_eq!(deepest(b"1 0 obj [1 2 3] ] [[[["), 1);
    }

    #[test]
    fn strings_nest_as_deep_as_lopdf_reads_them() {
        let mut s = b"1 0 obj (".to_vec();
        s.extend_from_slice(&b"(".repeat(100));
        s.extend_from_slice(&b")".repeat(100));
        s.extend_from_slice(b") [[ endobj");
        assert_eq!(deepest(&s), 2);
        // One level more and `lopdf` reads no further.
        let mut s = b"1 0 obj (".to_vec();
        s.extend_from_slice(&b"(".repeat(101));
        s.extend_from_slice(&b")".repeat(101));
        s.extend_from_slice(b") [[ endobj");
        assert_eq!(deepest(&s), 0);
    }

    #[test]
    fn object_streams_are_read_at_the_offsets_of_their_index() {
        let content = b"7 0 8 6 [[1]] <</A [(]]]) [[ ]]>>";
        let index = object_stream_index(content, 8);
        assert_eq!(index, [(7, 8), (8, 14)]);
        let e = in_object_stream(content, &index, 3).unwrap_err();
        assert_eq!(e.from, 14);
        assert!(in_object_stream(content, &index, 4).is_ok());
        // Brackets in the index, or where no offset points, are not read.
        let content = b"7 0 [[[[ 1 ";
        assert!(in_object_stream(content, &object_stream_index(content, 9), 0).is_ok());
        assert!(object_stream_index(b"\xff 0 ", 4).is_empty());
    }

    #[test]
    fn where_a_start_is_names_its_object() {
        let b = b"12 0 obj\n[";
        assert_eq!(object_before(b, 8), Some(12));
        assert_eq!(object_before(b"trailer", 7), None);
        assert_eq!(object_before(b"endobj", 6), None);
    }
}
