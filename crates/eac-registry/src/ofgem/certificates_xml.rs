//! The certificates report as rendered to XML by SQL Server Reporting
//! Services: one `Detail` element per row, its cells as `textbox…`
//! attributes (the table is in the module documentation).

use bigdecimal::BigDecimal;
use quick_xml::errors::IllFormedError;
use quick_xml::escape::EscapeError;
use quick_xml::events::attributes::AttrError;
use quick_xml::events::{BytesStart, Event};
use quick_xml::XmlVersion;

use super::{encoding_warning, read_row, Column, Numbers, Row, COLUMNS};
use crate::record::{Locator, ReadError, Statement, Warning};
use crate::text::{self, NumberStyle};

/// The SSRS report's name, in its namespace and `Name` attribute.
const REPORT_NAME: &str = "CertificatesExternalPublicDataWarehouse";

/// What to do about any defect of the XML's syntax.
const DOWNLOAD_AGAIN: &str = "download the report again from the Ofgem register";

/// The text being read, to place its defects: quick-xml says where an
/// attribute's defect is counted from the start of its tag (`position
/// 75`) or of its value (`range 6..19`), and a syntax error near the start
/// of the tag it is in. Each is turned into a byte offset of the text and
/// said as the line and column an editor shows ([`text::LineIndex`], built
/// only for a refusal).
struct Source<'t> {
    text: &'t str,
}

impl<'t> Source<'t> {
    /// The byte offset of `part`, a slice of the text (quick-xml hands out
    /// tags and attribute values borrowed from it); `None` for a copy.
    fn offset_of(&self, part: &str) -> Option<usize> {
        let start = self.text.as_ptr() as usize;
        let at = (part.as_ptr() as usize).checked_sub(start)?;
        (at + part.len() <= self.text.len()).then_some(at)
    }

    fn place(&self, offset: usize) -> (u64, u64) {
        text::LineIndex::new(self.text).line_column(offset)
    }

    /// A refusal at `offset`: the defect's own line and column.
    fn refuse(&self, offset: usize, message: impl Into<String>) -> ReadError {
        let (line, column) = self.place(offset);
        ReadError::new(Locator::LineColumn(line, column), message)
    }

    /// "line L, column C" of `offset`, for a second place in a message.
    fn said(&self, offset: usize) -> String {
        let (line, column) = self.place(offset);
        format!("line {line}, column {column}")
    }
}

/// How an attribute is named in a message: with its column's header when
/// it is one of the report's cells (`textbox13 (Generating Station / Agent
/// Group)`).
fn attribute_name(key: &str) -> String {
    match Column::ALL.iter().find(|c| c.xml_attribute() == key) {
        Some(c) => format!("`{key}` ({})", c.header()),
        None => format!("`{key}`"),
    }
}

/// The name that starts at `at` in `tag` (an attribute's, as quick-xml
/// places its errors).
fn name_at(tag: &str, at: usize) -> &str {
    let rest = tag.get(at..).unwrap_or("");
    let end = rest
        .find(|c: char| c.is_whitespace() || matches!(c, '=' | '"' | '\'' | '>' | '/'))
        .unwrap_or(rest.len());
    &rest[..end]
}

/// The name that ends before `at` in `tag`, white space and an `=`
/// between skipped.
fn name_before(tag: &str, at: usize) -> &str {
    let head = tag.get(..at).unwrap_or(tag).trim_end();
    let head = head.strip_suffix('=').unwrap_or(head).trim_end();
    let start = head
        .rfind(|c: char| c.is_whitespace() || matches!(c, '=' | '"' | '\''))
        .map_or(0, |i| i + 1);
    &head[start..]
}

fn attributes(
    element: &BytesStart<'_>,
    source: &Source<'_>,
) -> Result<Vec<(String, String)>, ReadError> {
    let tag: &str = element;
    // Where the tag's text starts in the file (after its `<`).
    let tag_at = source.offset_of(tag);
    let in_tag = |at: usize| tag_at.map_or(0, |t| t + at);
    let mut out = Vec::new();
    // The last value read: its attribute, where its text starts and ends.
    let mut previous: Option<(String, usize, usize)> = None;
    for attribute in element.attributes() {
        let attribute = attribute.map_err(|e| {
            // A value whose closing quote is missing runs on to the next
            // quote, and what follows it reads as a name without `=`.
            match (&e, &previous) {
                (AttrError::ExpectedEq(_) | AttrError::ExpectedValue(_), Some((key, from, to))) => {
                    runaway_value(source, key, *from, *to)
                }
                _ => None,
            }
            .unwrap_or_else(|| attribute_error(&e, tag, source, &in_tag))
        })?;
        let key = attribute.key.local_name().as_ref().to_string();
        let raw: &str = &attribute.value;
        let value_at = source.offset_of(raw).unwrap_or_else(|| in_tag(0));
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| value_error(&e, &key, raw, value_at, source))?;
        previous = Some((key.clone(), value_at, value_at + raw.len()));
        out.push((key, value.into_owned()));
    }
    Ok(out)
}

/// The refusal of a value (of `key`, its text from `from` to `to`) that
/// runs over a line break: no value of the report does, so its closing
/// quote is missing and the quote that ended it opened the next value.
/// `None` for a value on one line.
fn runaway_value(source: &Source<'_>, key: &str, from: usize, to: usize) -> Option<ReadError> {
    let value = source.text.get(from..to)?;
    if !value.contains(['\n', '\r']) {
        return None;
    }
    let open = from.checked_sub(1)?;
    let quote = source.text[open..].chars().next()?;
    Some(source.refuse(
        open,
        format!(
            "the value of the attribute {} is not closed on its line: its {quote} runs on to \
             the next {quote}, at {}, so what follows reads as attribute names. Write its \
             closing {quote}, or {DOWNLOAD_AGAIN}",
            attribute_name(key),
            source.said(to),
        ),
    ))
}

/// The attribute `key` written without `=` after its name (said alike
/// from quick-xml's error and from [`tag_defect`]'s own reading).
fn no_equals(key: &str) -> String {
    format!(
        "the attribute {} has no `=` after its name: XML writes an attribute name=\"value\". \
         Correct it, or {DOWNLOAD_AGAIN}",
        attribute_name(key)
    )
}

/// The value of the attribute `key` written without quotes.
fn not_quoted(key: &str) -> String {
    format!(
        "the value of the attribute {} is not in quotes: XML writes an attribute \
         name=\"value\". Correct it, or {DOWNLOAD_AGAIN}",
        attribute_name(key)
    )
}

/// A defect in how an attribute is written, at its place in the file.
fn attribute_error(
    e: &AttrError,
    tag: &str,
    source: &Source<'_>,
    in_tag: &dyn Fn(usize) -> usize,
) -> ReadError {
    match *e {
        AttrError::Duplicated(at, before) => {
            let key = name_at(tag, at);
            source.refuse(
                in_tag(at),
                format!(
                    "the attribute {} is written twice in one <{}> (also at {}): an element \
                     gives each attribute once, so which value is meant cannot be told. Keep \
                     one, or {DOWNLOAD_AGAIN}",
                    attribute_name(key),
                    name_at(tag, 0),
                    source.said(in_tag(before)),
                ),
            )
        }
        AttrError::ExpectedEq(at) => source.refuse(in_tag(at), no_equals(name_before(tag, at))),
        AttrError::ExpectedValue(at) | AttrError::UnquotedValue(at) => {
            source.refuse(in_tag(at), not_quoted(name_before(tag, at)))
        }
        AttrError::ExpectedQuote(at, quote) => source.refuse(
            in_tag(at),
            format!(
                "an attribute's value is not closed: its opening {} has no closing one before \
                 the tag ends. Correct it, or {DOWNLOAD_AGAIN}",
                char::from(quote)
            ),
        ),
    }
}

/// A defect inside the value `raw` (at `value_at`) of attribute `key`:
/// an `&` that begins no entity is the likeliest hand edit.
fn value_error(
    e: &quick_xml::Error,
    key: &str,
    raw: &str,
    value_at: usize,
    source: &Source<'_>,
) -> ReadError {
    let name = attribute_name(key);
    let amp = "write `&` as `&amp;` (in XML an `&` begins an entity: `&amp;`, `&lt;`, `&gt;`, \
               `&quot;`, `&apos;` or a character reference like `&#233;`)";
    match e {
        quick_xml::Error::Escape(EscapeError::UnterminatedEntity(range)) => source.refuse(
            value_at + range.start,
            format!(
                "the value of {name} holds an `&` that begins no entity: {amp}. \
                 Correct it, or {DOWNLOAD_AGAIN}"
            ),
        ),
        quick_xml::Error::Escape(EscapeError::UnrecognizedEntity(range, entity)) => {
            // The range is the entity's name; its `&` is just before it.
            let at = raw[..range.start.min(raw.len())].rfind('&').unwrap_or(0);
            source.refuse(
                value_at + at,
                format!(
                    "the value of {name} holds `&{entity};`, which is no XML entity: {amp}. \
                     Correct it, or {DOWNLOAD_AGAIN}"
                ),
            )
        }
        quick_xml::Error::Escape(EscapeError::InvalidCharRef(_)) => {
            let at = raw.find("&#").unwrap_or(0);
            let end = raw[at..].find(';').map_or(raw.len(), |e| at + e + 1);
            source.refuse(
                value_at + at,
                format!(
                    "the value of {name} holds `{}`, which is no character reference: a \
                     character is written `&#` and its decimal number, or `&#x` and its \
                     hexadecimal number, then `;` (`&#233;`, `&#xE9;`), and `&` alone as \
                     `&amp;`. Correct it, or {DOWNLOAD_AGAIN}",
                    &raw[at..end]
                ),
            )
        }
        other => source.refuse(
            value_at,
            format!("the value of {name} cannot be read ({other}); {DOWNLOAD_AGAIN}"),
        ),
    }
}

/// The first defect of the tag starting at `lt` (its `<`): quick-xml
/// reports a quote or a tag left open only when the file ends, at the
/// start of the tag, however far before the defect that is. `None` when
/// the tag as far as the file goes is well written.
fn tag_defect(source: &Source<'_>, lt: usize) -> Option<ReadError> {
    let text = source.text;
    let b = text.as_bytes();
    let skip_space = |mut i: usize| {
        while b.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    let name_end = |mut i: usize| {
        while b
            .get(i)
            .is_some_and(|c| !c.is_ascii_whitespace() && !b"=\"'<>/".contains(c))
        {
            i += 1;
        }
        i
    };
    let mut i = lt + 1;
    if matches!(b.get(i), Some(b'!' | b'?')) {
        return None;
    }
    let closing = b.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    let end = name_end(i);
    let element = &text[i..end];
    let cut = || {
        Some(source.refuse(
            text.len(),
            format!(
                "the file ends inside the tag <{}{element}> that starts at {}: it looks cut \
                 short; {DOWNLOAD_AGAIN}",
                if closing { "/" } else { "" },
                source.said(lt),
            ),
        ))
    };
    // The last value read: its attribute, where its text starts and ends.
    let mut previous: Option<(&str, usize, usize)> = None;
    let runaway = |previous: Option<(&str, usize, usize)>| {
        previous.and_then(|(key, from, to)| runaway_value(source, key, from, to))
    };
    i = end;
    loop {
        i = skip_space(i);
        match b.get(i) {
            None => return cut(),
            Some(b'>') => return None,
            Some(b'/') if !closing && b.get(i + 1) == Some(&b'>') => return None,
            _ if closing => {
                return Some(source.refuse(
                    i,
                    format!(
                        "the closing tag </{element}> holds more than its name; {DOWNLOAD_AGAIN}"
                    ),
                ))
            }
            _ => {}
        }
        let end = name_end(i);
        if end == i {
            let c = text[i..].chars().next().unwrap_or(' ');
            return runaway(previous).or_else(|| {
                Some(source.refuse(
                    i,
                    format!(
                        "`{c}` stands where an attribute's name should in <{element}>: XML \
                         writes attributes name=\"value\". Correct it, or {DOWNLOAD_AGAIN}"
                    ),
                ))
            });
        }
        let key = &text[i..end];
        i = skip_space(end);
        match b.get(i) {
            Some(b'=') => {}
            None => return cut(),
            Some(_) => return runaway(previous).or_else(|| Some(source.refuse(i, no_equals(key)))),
        }
        i = skip_space(i + 1);
        let quote = match b.get(i) {
            Some(q @ (b'"' | b'\'')) => *q,
            None => return cut(),
            Some(_) => return Some(source.refuse(i, not_quoted(key))),
        };
        match b[i + 1..].iter().position(|&c| c == quote) {
            Some(n) => {
                previous = Some((key, i + 1, i + 1 + n));
                i += n + 2;
            }
            None => {
                return Some(source.refuse(
                    i,
                    format!(
                        "the value of the attribute {} opens a quote {} that is never closed: \
                         the file ends inside it. Correct it, or {DOWNLOAD_AGAIN}",
                        attribute_name(key),
                        char::from(quote)
                    ),
                ))
            }
        }
    }
}

/// A syntax error quick-xml reports while reading, said at the defect's
/// line and column in plain words.
fn syntax_error(e: &quick_xml::Error, error_at: usize, source: &Source<'_>) -> ReadError {
    let text = source.text;
    let lt = error_at.min(text.len());
    match e {
        quick_xml::Error::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
            // quick-xml places it at the closing tag's `<` or just after.
            let at = text[..(lt + 2).min(text.len())].rfind("</").unwrap_or(lt);
            source.refuse(
                at,
                format!(
                    "the closing tag </{found}> does not close the open element <{expected}>: \
                     expected </{expected}> here (every element is closed by its own name, \
                     innermost first). Correct it, or {DOWNLOAD_AGAIN}"
                ),
            )
        }
        quick_xml::Error::IllFormed(IllFormedError::UnmatchedEndTag(name)) => {
            let at = text[..(lt + 2).min(text.len())].rfind("</").unwrap_or(lt);
            source.refuse(
                at,
                format!(
                    "the closing tag </{name}> closes no open element. Remove it, or \
                     {DOWNLOAD_AGAIN}"
                ),
            )
        }
        quick_xml::Error::Syntax(_) if text[lt..].starts_with('<') => tag_defect(source, lt)
            .unwrap_or_else(|| {
                source.refuse(
                    lt,
                    format!("the XML is malformed here ({e}); {DOWNLOAD_AGAIN}"),
                )
            }),
        _ => source.refuse(
            lt,
            format!("the XML is malformed here ({e}); {DOWNLOAD_AGAIN}"),
        ),
    }
}

/// Reads an Ofgem certificates report rendered as XML: one
/// [`crate::RangeRecord`] per REGO `Detail`, RO rows skipped. Locators are
/// element paths (`/Report/table1/Detail_Collection/Detail[3]`, counting
/// `Detail` elements from 1 through the document).
pub fn read_certificates_xml(bytes: &[u8]) -> Result<Statement, ReadError> {
    let (text, guessed) = text::decode_document(bytes)?;
    let mut out = Statement::default();
    encoding_warning(guessed, &mut out);
    let mut reader = quick_xml::Reader::from_str(&text);
    let source = Source { text: &text };
    let mut path: Vec<String> = Vec::new();
    let mut details = 0usize;
    let mut stated_total: Option<(String, Locator)> = None;
    // Sum of every row's No. Of Certificates (REGO and RO); None once a row
    // does not print a number (then the total is not checked).
    let mut sum = Some(BigDecimal::from(0));
    let mut root_seen = false;
    loop {
        let event = reader.read_event().map_err(|e| {
            let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
            syntax_error(&e, at, &source)
        })?;
        let (element, empty) = match event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(_) => {
                path.pop();
                continue;
            }
            Event::Eof if !path.is_empty() => {
                // The parser takes an end of file inside open elements
                // for an end: a download cut after a whole `Detail` would
                // import the rows before the cut as the whole report.
                return Err(source.refuse(
                    text.len(),
                    format!(
                        "the file ends while <{}> {} still open: the XML is malformed (every \
                         element must be closed) and looks cut short: {DOWNLOAD_AGAIN}",
                        path.join("> <"),
                        if path.len() == 1 { "is" } else { "are" }
                    ),
                ));
            }
            Event::Eof => break,
            _ => continue,
        };
        let name = element.local_name().as_ref().to_string();
        if !root_seen {
            root_seen = true;
            if name != "Report" {
                return Err(not_a_report(&name));
            }
            let at = Locator::Element("/Report".to_string());
            if let Some((_, total)) = attributes(&element, &source)?
                .into_iter()
                .find(|(k, _)| k == "textbox47")
            {
                stated_total = Some((total, at));
            }
        } else if name == "Detail" {
            details += 1;
            let at = Locator::Element(format!("/{}/Detail[{details}]", path.join("/")));
            let attributes = attributes(&element, &source)?;
            let cells: [String; COLUMNS] = std::array::from_fn(|c| {
                let wanted = Column::ALL[c].xml_attribute();
                attributes
                    .iter()
                    .find(|(k, _)| k == wanted)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            });
            let count = &cells[Column::Count as usize];
            sum = sum.and_then(|s| {
                text::parse_number(count, NumberStyle::DecimalPoint).map(|n| s + n.to_big())
            });
            read_row(
                Row {
                    at,
                    cells,
                    numbers: Numbers::DecimalPoint,
                },
                &mut out,
            )?;
        }
        if !empty {
            path.push(name);
        }
    }
    if !root_seen {
        return Err(not_a_report("(none)"));
    }
    if let (Some((total, at)), Some(sum)) = (stated_total, sum) {
        let stated = text::parse_number(&total, NumberStyle::DecimalPoint);
        if stated.as_ref().map(|t| t.to_big()) != Some(sum.clone()) {
            out.warnings.push(Warning {
                at,
                message: format!(
                    "the report states {total} certificates in total but its {details} rows hold {sum}: the file may be cut short or filtered. Check it is the whole report"
                ),
            });
        }
    }
    Ok(out)
}

fn not_a_report(root: &str) -> ReadError {
    ReadError::new(
        Locator::Document,
        format!(
            "this is not an Ofgem certificates report: its root element is {root}, expected Report. Choose the XML rendering of the Ofgem Renewables and CHP Register's Certificates report"
        ),
    )
}

/// True when the bytes look like the Ofgem certificates report as XML.
pub fn sniff_certificates_xml(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let (text, _) = text::decode_text(head);
    text.trim_start().starts_with('<')
        && text.contains("<Report")
        && (text.contains(REPORT_NAME)
            || (text.contains("textbox24=") && text.contains("textbox27=")))
}
