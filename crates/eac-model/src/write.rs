//! Writing listings as a stream, one item at a time, in the canonical layout
//! (serde_json's pretty style, two-space indent, newline at the end), so an
//! export of 1M values never builds the whole document in memory.
//!
//! A P1 EAC is written by hand ([`ListingWriter::write_eac`]): the bytes of
//! serde_json's pretty layout (a test compares them for generated EACs),
//! without serde's formatter calls, format strings or an allocation per
//! field. What an export writes is correct by construction: the types hold
//! only what reads back (strings are UTF-8 and escaped as serde_json does,
//! timestamps and dates came from their parsers, decimals are JSON number
//! text), the rules are checked on each EAC before it is written, and
//! [`check_written_form`] checks the one thing the types leave open, the
//! extension members kept as raw text. Property tests (crate tests
//! `model.rs` and eac-app's) show that whatever passes those checks, once
//! written, passes the shipped JSON Schema and `validate`, and reads back
//! to an equal EAC (decision 206).

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::Formatter;
use serde_json::value::RawValue;

use crate::{Eac, EacValue, Extensions, Rule, Violation, RETIRED_UNDATED};

/// Streams `{"eacs": [ item, … ], "next": null, "previous": null}`.
pub struct ListingWriter<W: Write> {
    out: W,
    items: usize,
    /// One EAC's bytes, reused: each EAC reaches `out` in one write.
    buf: Vec<u8>,
}

impl<W: Write> ListingWriter<W> {
    pub fn begin(mut out: W) -> io::Result<Self> {
        out.write_all(b"{\n  \"eacs\": [")?;
        Ok(ListingWriter {
            out,
            items: 0,
            buf: Vec::new(),
        })
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

    /// Writes a P1 EAC: the same bytes as [`ListingWriter::write_item`]
    /// gives it, written by hand.
    pub fn write_eac(&mut self, eac: &Eac) -> io::Result<()> {
        self.buf.clear();
        self.buf.extend_from_slice(if self.items == 0 {
            b"\n    "
        } else {
            b",\n    "
        });
        push_eac(&mut self.buf, eac);
        self.out.write_all(&self.buf)?;
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

/// The members of an EAC the writer writes, in order (an extension never
/// takes one of these names: [`check_written_form`]).
pub const EAC_MEMBERS: [&str; 20] = [
    "cds_eac_id",
    "cds_created",
    "cds_modified",
    "eac_number",
    "source_id",
    "source_name",
    "destination_id",
    "destination_name",
    "beneficiary_type",
    "beneficiaries",
    "asset_id",
    "asset_commissioned",
    "asset_origination",
    "asset_destination",
    "technology_type",
    "emissions_factor_direct",
    "emissions_factor_lca",
    "period_start",
    "period_end",
    "values",
];

/// The members of a value, in order; the last only in saved states.
pub const VALUE_MEMBERS: [&str; 8] = [
    "eac_number",
    "issued",
    "retired",
    "start",
    "end",
    "unit",
    "value",
    RETIRED_UNDATED,
];

/// What the types of an [`Eac`] do not promise about its written text:
/// each extension member (of the EAC and of each value) must name no
/// member the writer writes and no other extension, and hold strict JSON
/// (no duplicate keys, no lone surrogate escape, nested at most
/// [`crate::strict::MAX_NESTING`] levels), as reading the file back would
/// require (rule 20). Extensions come from imported documents, which were
/// read under the same rules; a database changed behind the app's back is
/// caught here, before anything is written. `base`: the EAC's pointer.
pub fn check_written_form(eac: &Eac, base: &str) -> Vec<Violation> {
    let mut out = Vec::new();
    if !eac.extensions.is_empty() {
        check_extensions(&eac.extensions, &EAC_MEMBERS, base, &mut out);
    }
    for (i, v) in eac.values.iter().enumerate() {
        if !v.extensions.is_empty() {
            let at = format!("{base}/values/{i}");
            // The last member is written only for a value retired undated.
            let members = &VALUE_MEMBERS[..VALUE_MEMBERS.len() - usize::from(!v.retired_undated)];
            check_extensions(&v.extensions, members, &at, &mut out);
        }
    }
    let id = (!eac.cds_eac_id.is_empty()).then_some(eac.cds_eac_id.as_str());
    out.into_iter().map(|v| v.with_eac(id)).collect()
}

fn check_extensions(ext: &Extensions, members: &[&str], base: &str, out: &mut Vec<Violation>) {
    for (i, (key, raw)) in ext.iter().enumerate() {
        let at = format!("{base}/{}", crate::pointer_token(key));
        let taken = members.contains(&key.as_str()) || ext.0[..i].iter().any(|(k, _)| k == key);
        if taken {
            out.push(Violation::error(
                Rule::StrictJson,
                at,
                format!(
                    "the extension member `{}` would be written twice (duplicate key, rule 20: strict JSON); the stored EAC was changed outside EAC Desk: import it again",
                    crate::quote(key)
                ),
            ));
        } else if let Err(e) = crate::strict::check_no_duplicate_keys(raw) {
            let message = e.to_string();
            let message = match message.find(" at line ") {
                Some(cut) => message[..cut].to_owned(),
                None => message,
            };
            out.push(Violation::error(Rule::StrictJson, at, message));
        }
    }
}

/// Indentation of members at each depth below a listing item.
const MEMBER: &[u8] = b",\n      ";
const FIRST_MEMBER: &[u8] = b"{\n      ";
const VALUE_MEMBER: &[u8] = b",\n          ";

fn push_eac(b: &mut Vec<u8>, eac: &Eac) {
    b.extend_from_slice(FIRST_MEMBER);
    b.extend_from_slice(b"\"cds_eac_id\": ");
    push_str(b, &eac.cds_eac_id);
    b.extend_from_slice(MEMBER);
    b.extend_from_slice(b"\"cds_created\": \"");
    eac.cds_created.push_rfc3339(b);
    b.extend_from_slice(b"\",\n      \"cds_modified\": \"");
    eac.cds_modified.push_rfc3339(b);
    b.extend_from_slice(b"\",\n      \"eac_number\": ");
    push_opt_str(b, eac.eac_number.as_deref());
    b.extend_from_slice(MEMBER);
    b.extend_from_slice(b"\"source_id\": ");
    push_str(b, &eac.source_id);
    b.extend_from_slice(MEMBER);
    b.extend_from_slice(b"\"source_name\": ");
    push_str(b, &eac.source_name);
    b.extend_from_slice(MEMBER);
    b.extend_from_slice(b"\"destination_id\": ");
    push_opt_str(b, eac.destination_id.as_deref());
    b.extend_from_slice(MEMBER);
    b.extend_from_slice(b"\"destination_name\": ");
    push_opt_str(b, eac.destination_name.as_deref());
    b.extend_from_slice(MEMBER);
    b.extend_from_slice(b"\"beneficiary_type\": ");
    push_opt_name(b, eac.beneficiary_type.map(|t| t.as_str()));
    b.extend_from_slice(MEMBER);
    b.extend_from_slice(b"\"beneficiaries\": ");
    push_member_array(b, &eac.beneficiaries, |b, id| push_str(b, id));
    b.extend_from_slice(b",\n      \"asset_id\": ");
    push_str(b, &eac.asset_id);
    if let Some(date) = eac.asset_commissioned {
        b.extend_from_slice(b",\n      \"asset_commissioned\": \"");
        date.push_iso(b);
        b.push(b'"');
    }
    b.extend_from_slice(MEMBER);
    b.extend_from_slice(b"\"asset_origination\": ");
    push_opt_name(b, eac.asset_origination.map(|t| t.as_str()));
    b.extend_from_slice(MEMBER);
    b.extend_from_slice(b"\"asset_destination\": ");
    push_opt_name(b, eac.asset_destination.map(|t| t.as_str()));
    b.extend_from_slice(MEMBER);
    b.extend_from_slice(b"\"technology_type\": ");
    push_opt_name(b, eac.technology_type.map(|t| t.as_str()));
    b.extend_from_slice(MEMBER);
    b.extend_from_slice(b"\"emissions_factor_direct\": ");
    push_opt_raw(b, eac.emissions_factor_direct.as_ref().map(|d| d.as_str()));
    b.extend_from_slice(MEMBER);
    b.extend_from_slice(b"\"emissions_factor_lca\": ");
    push_opt_raw(b, eac.emissions_factor_lca.as_ref().map(|d| d.as_str()));
    b.extend_from_slice(b",\n      \"period_start\": \"");
    eac.period_start.push_rfc3339(b);
    b.extend_from_slice(b"\",\n      \"period_end\": \"");
    eac.period_end.push_rfc3339(b);
    b.extend_from_slice(b"\",\n      \"values\": ");
    push_member_array(b, &eac.values, push_value);
    push_extensions(b, &eac.extensions, MEMBER);
    b.extend_from_slice(b"\n    }");
}

fn push_value(b: &mut Vec<u8>, v: &EacValue) {
    b.extend_from_slice(b"{\n          \"eac_number\": ");
    push_opt_str(b, v.eac_number.as_deref());
    b.extend_from_slice(VALUE_MEMBER);
    b.extend_from_slice(b"\"issued\": ");
    push_opt_date(b, v.issued);
    b.extend_from_slice(VALUE_MEMBER);
    b.extend_from_slice(b"\"retired\": ");
    push_opt_date(b, v.retired);
    b.extend_from_slice(VALUE_MEMBER);
    b.extend_from_slice(b"\"start\": ");
    push_opt_time(b, v.start);
    b.extend_from_slice(VALUE_MEMBER);
    b.extend_from_slice(b"\"end\": ");
    push_opt_time(b, v.end);
    b.extend_from_slice(VALUE_MEMBER);
    b.extend_from_slice(b"\"unit\": \"");
    b.extend_from_slice(v.unit.as_str().as_bytes());
    b.extend_from_slice(b"\",\n          \"value\": ");
    b.extend_from_slice(v.value.as_str().as_bytes());
    if v.retired_undated {
        b.extend_from_slice(VALUE_MEMBER);
        b.extend_from_slice(b"\"");
        b.extend_from_slice(RETIRED_UNDATED.as_bytes());
        b.extend_from_slice(b"\": true");
    }
    push_extensions(b, &v.extensions, VALUE_MEMBER);
    b.extend_from_slice(b"\n        }");
}

fn push_extensions(b: &mut Vec<u8>, ext: &Extensions, separator: &[u8]) {
    for (key, raw) in ext.iter() {
        b.extend_from_slice(separator);
        push_str(b, key);
        b.extend_from_slice(b": ");
        push_raw(b, raw);
    }
}

fn push_raw(b: &mut Vec<u8>, raw: &RawValue) {
    b.extend_from_slice(raw.get().as_bytes());
}

/// An array member of an EAC (`beneficiaries`, `values`): items one level
/// deeper, each on its own line; `[]` when empty.
fn push_member_array<T>(b: &mut Vec<u8>, items: &[T], push: impl Fn(&mut Vec<u8>, &T)) {
    b.push(b'[');
    for (i, item) in items.iter().enumerate() {
        b.extend_from_slice(if i == 0 {
            b"\n        "
        } else {
            b",\n        "
        });
        push(b, item);
    }
    if !items.is_empty() {
        b.extend_from_slice(b"\n      ");
    }
    b.push(b']');
}

fn push_opt_date(b: &mut Vec<u8>, d: Option<crate::Date>) {
    match d {
        Some(d) => {
            b.push(b'"');
            d.push_iso(b);
            b.push(b'"');
        }
        None => b.extend_from_slice(b"null"),
    }
}

fn push_opt_time(b: &mut Vec<u8>, t: Option<crate::Timestamp>) {
    match t {
        Some(t) => {
            b.push(b'"');
            t.push_rfc3339(b);
            b.push(b'"');
        }
        None => b.extend_from_slice(b"null"),
    }
}

fn push_opt_str(b: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => push_str(b, s),
        None => b.extend_from_slice(b"null"),
    }
}

/// A spec enumeration's spelling (plain ASCII letters and `_`: nothing to escape).
fn push_opt_name(b: &mut Vec<u8>, name: Option<&str>) {
    match name {
        Some(name) => {
            b.push(b'"');
            b.extend_from_slice(name.as_bytes());
            b.push(b'"');
        }
        None => b.extend_from_slice(b"null"),
    }
}

/// A decimal's JSON number text, verbatim.
fn push_opt_raw(b: &mut Vec<u8>, text: Option<&str>) {
    match text {
        Some(text) => b.extend_from_slice(text.as_bytes()),
        None => b.extend_from_slice(b"null"),
    }
}

/// A JSON string as serde_json escapes it: `"` and `\` by a backslash,
/// control characters U+0000–U+001F as `\b`, `\t`, `\n`, `\f`, `\r` or
/// `\u00xx` (lowercase hex); everything else (DEL, non-ASCII) verbatim.
pub fn push_str(b: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    b.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &c) in bytes.iter().enumerate() {
        let short: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x09 => b"\\t",
            0x0A => b"\\n",
            0x0C => b"\\f",
            0x0D => b"\\r",
            0x00..=0x1F => b"",
            _ => continue,
        };
        b.extend_from_slice(&bytes[start..i]);
        if short.is_empty() {
            b.extend_from_slice(b"\\u00");
            b.push(HEX[usize::from(c >> 4)]);
            b.push(HEX[usize::from(c & 0xF)]);
        } else {
            b.extend_from_slice(short);
        }
        start = i + 1;
    }
    b.extend_from_slice(&bytes[start..]);
    b.push(b'"');
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
