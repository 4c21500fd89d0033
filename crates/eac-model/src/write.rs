//! Writing listings as a stream, one item at a time, in the canonical layout
//! (serde_json's pretty style, two-space indent, newline at the end), so an
//! export of 1M values never builds the whole document in memory.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::Formatter;

/// Streams `{"eacs": [ item, … ], "next": null, "previous": null}`.
pub struct ListingWriter<W: Write> {
    out: W,
    items: usize,
}

impl<W: Write> ListingWriter<W> {
    pub fn begin(mut out: W) -> io::Result<Self> {
        out.write_all(b"{\n  \"eacs\": [")?;
        Ok(ListingWriter { out, items: 0 })
    }

    pub fn write_item<T: Serialize>(&mut self, item: &T) -> io::Result<()> {
        self.out.write_all(if self.items == 0 {
            b"\n    "
        } else {
            b",\n    "
        })?;
        let mut ser = serde_json::Serializer::with_formatter(&mut self.out, Indented::at_level(2));
        // `io::Error::from` keeps the kind of a write error (disk full, file too large).
        item.serialize(&mut ser).map_err(io::Error::from)?;
        self.items += 1;
        Ok(())
    }

    pub fn items(&self) -> usize {
        self.items
    }

    /// Closes the document; a file export is one page, so both links are null
    /// and both keys are always written (digest §b).
    pub fn finish(mut self) -> io::Result<W> {
        if self.items > 0 {
            self.out.write_all(b"\n  ")?;
        }
        self.out
            .write_all(b"],\n  \"next\": null,\n  \"previous\": null\n}\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// serde_json's pretty style, starting at a given depth.
pub struct Indented {
    level: usize,
    has_value: bool,
}

impl Indented {
    pub fn at_level(level: usize) -> Self {
        Indented {
            level,
            has_value: false,
        }
    }

    fn indent<W: ?Sized + Write>(&self, w: &mut W) -> io::Result<()> {
        for _ in 0..self.level {
            w.write_all(b"  ")?;
        }
        Ok(())
    }
}

impl Formatter for Indented {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(b"[")
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            w.write_all(b"\n")?;
            self.indent(w)?;
        }
        w.write_all(b"]")
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(b"{")
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            w.write_all(b"\n")?;
            self.indent(w)?;
        }
        w.write_all(b"}")
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_serde_json_pretty_layout() {
        let doc = serde_json::json!({"a": [1, {"b": []}], "c": {}});
        let mut w = ListingWriter::begin(Vec::new()).unwrap();
        w.write_item(&doc).unwrap();
        w.write_item(&doc).unwrap();
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        let expected = serde_json::to_string_pretty(
            &serde_json::json!({"eacs": [doc, doc], "next": null, "previous": null}),
        )
        .unwrap()
            + "\n";
        assert_eq!(text, expected);
    }

    #[test]
    fn empty_listing() {
        let text =
            String::from_utf8(ListingWriter::begin(Vec::new()).unwrap().finish().unwrap()).unwrap();
        assert_eq!(
            text,
            "{\n  \"eacs\": [],\n  \"next\": null,\n  \"previous\": null\n}\n"
        );
    }
}
