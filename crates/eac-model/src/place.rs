//! Places in a text as an editor counts them, for every reader that says
//! "line L, column C": a line ends at `\n`, `\r\n` or a lone `\r` (old
//! Excel for Mac and some Mac editors save CR only), and a column counts
//! characters (Unicode scalar values) from 1, not bytes. serde_json counts
//! lines by `\n` alone and columns in bytes: its positions are converted
//! here ([`json_error_place`], [`Placed`]), so `Ørsted` or a Japanese name
//! before an error does not push its column to the right, and a CR-only
//! file is not one long line 1.
//!
//! This is the one position function: the JSON readers, the reference-data
//! CSV reader, the encoding check, the registry readers
//! (`eac_registry::text::LineIndex`) and the consumption CSV reader
//! (`eac_claims::consumption`) all count through it.

use std::io;

/// A place in a text: its line (from 1) and how many characters of that
/// line come before it. Fed the text a piece at a time ([`Place::pass`]);
/// a piece may end inside a character or between a `\r` and its `\n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// The line, from 1.
    pub line: u64,
    /// Characters of the line before this place.
    pub before: u64,
    /// The last byte passed was a `\r`: a `\n` next is part of its line end.
    after_cr: bool,
}

impl Default for Place {
    fn default() -> Self {
        Place::START
    }
}

impl Place {
    /// The start of a text (after any byte order mark, which no editor
    /// shows as a character).
    pub const START: Place = Place {
        line: 1,
        before: 0,
        after_cr: false,
    };

    /// The start of line `line`.
    pub fn line_start(line: u64) -> Place {
        Place {
            line,
            ..Place::START
        }
    }

    /// The place after `bytes`, from the start of a text.
    pub fn after(bytes: &[u8]) -> Place {
        let mut place = Place::START;
        place.pass(bytes);
        place
    }

    /// The 1-based column of the character at this place.
    pub fn column(&self) -> u64 {
        self.before + 1
    }

    /// Moves past `bytes`, the text's next bytes.
    pub fn pass(&mut self, bytes: &[u8]) {
        let mut bytes = bytes;
        if self.after_cr {
            match bytes.first() {
                None => return,
                // The `\n` of a `\r\n` cut between two pieces.
                Some(b'\n') => bytes = &bytes[1..],
                Some(_) => {}
            }
            self.after_cr = false;
        }
        let Some(last) = memchr::memrchr2(b'\n', b'\r', bytes) else {
            self.before += characters(bytes);
            return;
        };
        let ends = &bytes[..=last];
        let mut lines = memchr::memchr_iter(b'\n', ends).count();
        for cr in memchr::memchr_iter(b'\r', ends) {
            // A lone `\r` ends a line; a `\r\n` is counted at its `\n`.
            if ends.get(cr + 1) != Some(&b'\n') {
                lines += 1;
            }
        }
        self.line += lines as u64;
        self.before = characters(&bytes[last + 1..]);
        self.after_cr = bytes[last] == b'\r' && last + 1 == bytes.len();
    }
}

/// Characters in `bytes` (bytes that are not UTF-8 continuation bytes, so a
/// character cut between two pieces counts once, where it starts).
fn characters(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count() as u64
}

/// Whether the byte at `i` ends a line: a line ends at `\r\n`, `\n` or a
/// lone `\r`, counted the same way by every reader ([`Place`]). A `\r\n`
/// ends at its `\n`.
pub fn ends_line(bytes: &[u8], i: usize) -> bool {
    match bytes.get(i) {
        Some(b'\n') => true,
        Some(b'\r') => bytes.get(i + 1) != Some(&b'\n'),
        _ => false,
    }
}

/// The byte offset in `text` of serde_json's position (`line` counted by
/// `\n` from 1, `column` bytes into that line; `0` before any): the bytes
/// it had read. Past the end, the end.
fn json_offset(text: &[u8], line: u64, column: u64) -> usize {
    let line_start = match line {
        0 | 1 => 0,
        line => match usize::try_from(line - 2)
            .ok()
            .and_then(|n| memchr::memchr_iter(b'\n', text).nth(n))
        {
            Some(newline) => newline + 1,
            None => return text.len(),
        },
    };
    let column = usize::try_from(column).unwrap_or(usize::MAX);
    line_start.saturating_add(column).min(text.len())
}

/// Where serde_json's error `e` lies in `text`, the text it parsed: the
/// place after the bytes it had read (its `before` is the column of the
/// character it stopped at; 0 when it stopped at a line end, which
/// [`crate::Violation::at_json_place`] says as the end of the line before).
/// An error without a position is at the start.
pub fn json_error_place(text: &[u8], e: &serde_json::Error) -> Place {
    if e.line() == 0 {
        return Place::START;
    }
    let offset = json_offset(text, e.line() as u64, e.column() as u64);
    let offset = at_duplicate_key(&text[..offset], e).unwrap_or(offset);
    Place::after(&text[..offset])
}

/// How the strict readers' duplicate key error begins
/// (`crate::strict::duplicate_key`).
const DUPLICATE_KEY: &str = "duplicate key `";

/// Where the key starts (just past its opening quote, as serde_json's
/// positions are past their character) when `e` is a strict reader's
/// duplicate key (`crate::strict::duplicate_key`) and `before` the text
/// up to serde_json's position: serde_json places that error after the
/// key and the colon that follows it, where the column pointed past the
/// key the user is to look for. `None` for another error, or a key that
/// starts before `before` (a reader keeping only its last bytes).
fn at_duplicate_key(before: &[u8], e: &serde_json::Error) -> Option<usize> {
    if !e.is_data() || !e.to_string().starts_with(DUPLICATE_KEY) {
        return None;
    }
    let space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let trimmed = |end: usize| end - before[..end].iter().rev().take_while(|b| space(b)).count();
    let mut end = trimmed(before.len());
    if end > 0 && before[end - 1] == b':' {
        end = trimmed(end - 1);
    }
    // The key's closing quote, then its opening one: the first quote
    // before it that no backslash escapes.
    let mut close = end.checked_sub(1).filter(|&i| before[i] == b'"')?;
    loop {
        let open = memchr::memrchr(b'"', &before[..close])?;
        let slashes = before[..open]
            .iter()
            .rev()
            .take_while(|&&b| b == b'\\')
            .count();
        if slashes % 2 == 0 {
            // Past the quote, as serde_json's positions are past the
            // character they name (`Place::before` is its column).
            return Some(open + 1);
        }
        close = open;
    }
}

/// The JSON pointer of the deepest member or element `text` is inside at
/// its end: `text` is the start of a JSON document as far as a syntax
/// error, scanned for its brackets, strings, colons and commas only (the
/// error path's, never the reading's). An object whose next key is not
/// yet read is named itself. Tokens are escaped (RFC 6901).
pub(crate) fn pointer_at(text: &[u8]) -> String {
    enum Frame {
        /// The key being read (`None` before the first or after a comma).
        Object(Option<String>),
        Array(usize),
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'"' => {
                let mut end = i + 1;
                while end < text.len() && text[end] != b'"' {
                    end += if text[end] == b'\\' { 2 } else { 1 };
                }
                let end = (end + 1).min(text.len());
                if let Some(Frame::Object(key @ None)) = stack.last_mut() {
                    // A key (a string where a key is due: values follow
                    // a colon, which sets the key first).
                    let raw = &text[i..end];
                    *key = Some(
                        serde_json::from_slice::<String>(raw)
                            .unwrap_or_else(|_| String::from_utf8_lossy(raw).into_owned()),
                    );
                }
                i = end;
                continue;
            }
            b'{' => stack.push(Frame::Object(None)),
            b'[' => stack.push(Frame::Array(0)),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array(n)) => *n += 1,
                Some(Frame::Object(key)) => *key = None,
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    let mut pointer = String::new();
    for frame in &stack {
        match frame {
            Frame::Object(Some(key)) => {
                pointer.push('/');
                pointer.push_str(&crate::pointer_token(key));
            }
            Frame::Object(None) => break,
            Frame::Array(n) => {
                pointer.push('/');
                pointer.push_str(&n.to_string());
            }
        }
    }
    pointer
}

/// A reader for serde_json's streaming reader that keeps the bytes of its
/// last two reads and the place where they start, so the place of an
/// error serde_json reports (by `\n` lines and byte columns) is found as an
/// editor counts it ([`Placed::place_of_error`]). Put under the `BufReader` that
/// serde_json reads from: that buffer is read again only once it is used
/// up, so serde_json's position is always within the last read.
pub(crate) struct Placed<R> {
    inner: R,
    /// The bytes of the last two reads.
    window: Vec<u8>,
    /// How many of `window`'s bytes the last read gave.
    last: usize,
    /// The place of `window[0]`.
    start: Place,
    /// serde_json's (line, column) of `window[0]`.
    start_json: (u64, u64),
    /// Bytes before the window were read and let go.
    dropped: bool,
}

impl<R: io::Read> Placed<R> {
    /// `inner`'s first byte is at `start`, and serde_json's count there is
    /// (`json_line`, `json_column`) (its line 1 may start with text that
    /// is not the file's, a resumed reader's prefix).
    pub(crate) fn new(inner: R, start: Place, json_line: u64, json_column: u64) -> Self {
        Placed {
            inner,
            window: Vec::new(),
            last: 0,
            start,
            start_json: (json_line, json_column),
            dropped: false,
        }
    }

    /// The place of serde_json's position (`line`, `column`), when it is
    /// within the bytes kept.
    #[cfg(test)]
    pub(crate) fn place_of(&self, line: u64, column: u64) -> Option<Place> {
        let offset = self.offset_of(line, column)?;
        let mut place = self.start;
        place.pass(&self.window[..offset]);
        Some(place)
    }

    /// The offset in the window of serde_json's position, when it is
    /// within the bytes kept.
    fn offset_of(&self, line: u64, column: u64) -> Option<usize> {
        let (start_line, start_column) = self.start_json;
        let from = match line.checked_sub(start_line)? {
            0 => 0,
            n => {
                let n = usize::try_from(n - 1).ok()?;
                memchr::memchr_iter(b'\n', &self.window).nth(n)? + 1
            }
        };
        let column = match line == start_line {
            true => column.checked_sub(start_column)?,
            false => column,
        };
        let offset = from.checked_add(usize::try_from(column).ok()?)?;
        let on_line = self.window.get(from..offset)?;
        if memchr::memchr(b'\n', on_line).is_some() {
            return None;
        }
        Some(offset)
    }

    /// Every byte read up to serde_json's error `e`, when all are still
    /// kept (the error lies in the first two reads).
    pub(crate) fn read_until(&self, e: &serde_json::Error) -> Option<&[u8]> {
        if self.dropped || e.line() == 0 {
            return None;
        }
        let offset = self.offset_of(e.line() as u64, e.column() as u64)?;
        Some(&self.window[..offset])
    }

    /// The place of serde_json's error `e`, as an editor counts it; a
    /// duplicate key is placed where the key starts, as
    /// [`json_error_place`] places it.
    pub(crate) fn place_of_error(&self, e: &serde_json::Error) -> Option<Place> {
        let offset = self.offset_of(e.line() as u64, e.column() as u64)?;
        let offset = at_duplicate_key(&self.window[..offset], e).unwrap_or(offset);
        let mut place = self.start;
        place.pass(&self.window[..offset]);
        Some(place)
    }
}

impl<R: io::Read> io::Read for Placed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 {
            let older = self.window.len() - self.last;
            if older > 0 {
                let gone = &self.window[..older];
                self.start.pass(gone);
                let (line, column) = &mut self.start_json;
                match memchr::memrchr(b'\n', gone) {
                    Some(last) => {
                        *line += memchr::memchr_iter(b'\n', gone).count() as u64;
                        *column = (gone.len() - last - 1) as u64;
                    }
                    None => *column += gone.len() as u64,
                }
                self.window.drain(..older);
                self.dropped = true;
            }
            self.window.extend_from_slice(&buf[..n]);
            self.last = n;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn at(text: &str, byte: usize) -> (u64, u64) {
        let p = Place::after(&text.as_bytes()[..byte]);
        (p.line, p.column())
    }

    #[test]
    fn lines_end_at_lf_crlf_and_lone_cr_and_columns_count_characters() {
        let text = "a\nb\r\nc\rdé東x";
        assert_eq!(at(text, 0), (1, 1));
        assert_eq!(at(text, 2), (2, 1));
        assert_eq!(at(text, 5), (3, 1));
        assert_eq!(at(text, 7), (4, 1));
        // `d`, `é` (2 bytes), `東` (3 bytes), then `x`: the fourth character.
        assert_eq!(at(text, text.len() - 1), (4, 4));
        // The same text passed in pieces cut anywhere (inside `é` and `東`,
        // between `\r` and `\n`) gives the same places.
        let bytes = text.as_bytes();
        for cut in 0..=bytes.len() {
            let mut p = Place::after(&bytes[..cut]);
            p.pass(&bytes[cut..]);
            assert_eq!(p, Place::after(bytes), "cut at {cut}");
        }
        assert!(ends_line(b"a\r\nb", 2) && !ends_line(b"a\r\nb", 1));
        assert!(ends_line(b"a\rb", 1));
    }

    #[test]
    fn serde_json_positions_become_characters_and_cr_lines() {
        for (text, place) in [
            // The error is at the stray `,` after `"Ørsted東",`: the 17th
            // character, the 20th byte.
            ("{\"a\": \"Ørsted東\",,}", (1, 17)),
            ("{\r  \"a\": \"Å\",\r  ,}", (3, 3)),
            ("{\r\n  \"a\": \"Å\",\r\n  ,}", (3, 3)),
        ] {
            let e = serde_json::from_str::<serde_json::Value>(text).unwrap_err();
            let p = json_error_place(text.as_bytes(), &e);
            assert_eq!((p.line, p.before), place, "{text:?}: {e}");
        }
    }

    #[test]
    fn a_placed_reader_finds_serde_jsons_position_in_its_last_reads() {
        let text = "{\"a\": [\r\"Ørsted\",\r\"東京\",\r,]}";
        // Read a few bytes at a time, as a pipe may give them.
        struct Drip<'a>(&'a [u8]);
        impl Read for Drip<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = buf.len().min(self.0.len()).min(5);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut placed = Placed::new(Drip(text.as_bytes()), Place::START, 1, 0);
        let e = {
            let reader = io::BufReader::with_capacity(8, &mut placed);
            serde_json::from_reader::<_, serde_json::Value>(reader).unwrap_err()
        };
        let p = placed.place_of(e.line() as u64, e.column() as u64).unwrap();
        assert_eq!((p.line, p.before), (4, 1), "{e}");
        // What is no longer kept is not guessed.
        assert_eq!(placed.place_of(1, 1), None);
    }
}
