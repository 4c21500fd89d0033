//! The text of a PDF statement, page by page, with the pure-Rust
//! `pdf-extract` (no system PDF library). This module and `pdf_bounds`
//! (which opens the document and bounds what reading it may cost) are the
//! only ones that touch PDF structure; the statement readers work on the
//! text it returns, by labels and text order, never by page coordinates.
//!
//! What it normalises, because every reader would otherwise trip on it:
//! - glyphs printed twice at (almost) the same spot, as I-REC statements
//!   do for bold text (`THE FILECOIN FOUNDATIONTHE FILECOIN FOUNDATION`
//!   in a plain extraction), are kept once;
//! - no-break spaces (U+00A0, U+202F, U+2009) become plain spaces, runs of
//!   spaces one space, and each line is trimmed; blank lines are dropped.
//!   Numbers keep their digits and marks, so `text::parse_number` reads
//!   them exactly as printed.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

use crate::pdf_bounds;
use crate::record::{Locator, ReadError};

/// Whether the bytes look like a PDF file (`%PDF-` near the start).
pub fn is_pdf(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    head.windows(5).any(|w| w == b"%PDF-")
}

/// The text of each page, in page order (page 1 first), normalised as the
/// module documentation says.
pub fn pages(bytes: &[u8]) -> Result<Vec<String>, ReadError> {
    if !is_pdf(bytes) {
        return Err(ReadError::new(
            Locator::Document,
            "this is not a PDF file (it does not start with %PDF-); choose the statement PDF the registry produced",
        ));
    }
    // pdf-extract panics on some malformed files instead of returning an
    // error; a damaged statement must be a refused file, not a crash.
    let raw = catch_unwind(AssertUnwindSafe(|| raw_pages(bytes))).unwrap_or_else(|_| {
        Err(ReadError::new(
            Locator::Document,
            "the PDF is damaged or uses a structure the text extractor cannot read; ask the registry for a new copy of the statement",
        ))
    })?;
    Ok(raw.iter().map(|p| normalise(p)).collect())
}

/// A document past one of [`pdf_bounds`]'s limits, in plain words.
fn too_large(e: pdf_bounds::Exceeded) -> ReadError {
    ReadError::new(
        e.at,
        format!(
            "this PDF is not a registry statement EAC Desk reads: {}, far beyond any I-REC, GO or M-RETS statement (EAC Desk stops reading there so that such a file cannot exhaust the computer); export the statement again from the registry and import that file",
            e.what
        ),
    )
}

/// Reads the pages through [`pdf_bounds`], so that no file, whatever its
/// size, makes the extractor unpack or parse more than its limits allow.
fn raw_pages(bytes: &[u8]) -> Result<Vec<String>, ReadError> {
    pdf_bounds::scan_packed(bytes).map_err(too_large)?;
    let mut doc = pdf_bounds::load(bytes).map_err(|e| {
        ReadError::new(
            Locator::Document,
            if cut_short(bytes) {
                format!(
                    "the PDF is cut short: it ends after {} bytes without the end every PDF file has (its cross-reference table and %%EOF), as a download or copy that stopped early leaves it; download the statement again from the registry and import that file",
                    bytes.len()
                )
            } else {
                format!(
                    "the PDF is damaged and cannot be opened (its structure does not read: {e}); download the statement again from the registry, or ask the registry for a new copy, and import that file"
                )
            },
        )
    })?;
    if doc.is_encrypted() {
        decrypt(&mut doc)?;
    }
    pdf_bounds::bound(&mut doc).map_err(too_large)?;
    let numbers: Vec<u32> = doc.get_pages().keys().copied().collect();
    if numbers.is_empty() {
        return Err(ReadError::new(Locator::Document, "the PDF has no pages"));
    }
    numbers
        .into_iter()
        .map(|n| {
            let mut page = PageText::default();
            pdf_extract::output_doc_page(&doc, &mut page, n).map_err(|e| {
                ReadError::new(
                    Locator::Page(n),
                    format!("the text of this page cannot be read ({e:?}); ask the registry for a new copy of the statement"),
                )
            })?;
            Ok(page.text)
        })
        .collect()
}

/// Whether a PDF that does not open ends without its end marker: every
/// PDF file (each incremental update too) ends with `%%EOF` after its
/// cross-reference table, give or take trailing line ends and padding, so a
/// file cut short by a download or copy has none in its last kilobyte.
fn cut_short(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    !tail.windows(5).any(|w| w == b"%%EOF")
}

/// Decrypts a PDF that opens without a password, as every viewer opens it:
/// one protected only by an owner password (restrictions on printing or
/// editing), whichever cipher it uses (RC4, AES-128 or AES-256). lopdf
/// decrypts the RC4 and AES-128 ones itself while loading; AES-256 (V 5,
/// R 5 or 6, Acrobat's default for "restrict editing") needs two repairs
/// of lopdf 0.36 (the version pdf-extract 0.9 uses):
/// - it refuses `/Length 256`, as Acrobat and qpdf write it, checking it
///   against RC4's 40 to 128 bits; AES-256 keys are always 256 bits
///   (ISO 32000-2, 7.6.2) and lopdf never reads the entry for them, so it
///   is taken out;
/// - it checks the `/Perms` entry against the permissions without
///   decrypting it (it decrypts a copy: lopdf pull request 414), so no
///   file opens with its user password. The empty user password is first
///   proved by lopdf against the `/U` hash, which is what decides that the
///   file opens without a password; `/Perms` then only repeats `/P` (the
///   restrictions, which a text reader does not act on), so it is given
///   to lopdf as the plain block it expects, made from `/P`.
fn decrypt(doc: &mut pdf_extract::Document) -> Result<(), ReadError> {
    use pdf_extract::encryption::DecryptionError;
    use pdf_extract::{Error, Object, StringFormat};
    let id = doc
        .trailer
        .get(b"Encrypt")
        .and_then(Object::as_reference)
        .ok();
    let aes256 = doc
        .get_encrypted()
        .and_then(|d| d.get(b"V"))
        .and_then(Object::as_i64)
        .is_ok_and(|v| v == 5);
    if aes256 {
        if let Some(dict) = id.and_then(|id| doc.get_dictionary_mut(id).ok()) {
            dict.remove(b"Length");
        }
    }
    let mut result = doc.decrypt("");
    if aes256
        && matches!(
            result,
            Err(Error::Decryption(DecryptionError::IncorrectPassword))
        )
        && doc.authenticate_raw_user_password(b"").is_ok()
    {
        if let Some(dict) = id.and_then(|id| doc.get_dictionary_mut(id).ok()) {
            let p = dict.get(b"P").and_then(Object::as_i64).unwrap_or(-1);
            let metadata = dict
                .get(b"EncryptMetadata")
                .and_then(Object::as_bool)
                .unwrap_or(true);
            let mut perms = [0xffu8; 16];
            // P as 32 bits, little-endian (its sign bits are the reserved 1s).
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            perms[..4].copy_from_slice(&(p as u32).to_le_bytes());
            perms[8] = if metadata { b'T' } else { b'F' };
            perms[9..12].copy_from_slice(b"adb");
            dict.set(
                "Perms",
                Object::String(perms.to_vec(), StringFormat::Hexadecimal),
            );
        }
        result = doc.decrypt("");
    }
    match result {
        Ok(()) => Ok(()),
        Err(Error::Decryption(DecryptionError::IncorrectPassword)) => Err(ReadError::new(
            Locator::Document,
            "the PDF is password-protected: it opens only with its password; open it with the password, print it to a new PDF (Print, then Save as PDF or Microsoft Print to PDF) and import that",
        )),
        Err(_) => Err(ReadError::new(
            Locator::Document,
            format!(
                "the PDF is encrypted {} and EAC Desk cannot decrypt it; open it in a PDF viewer, print it to a new PDF (Print, then Save as PDF or Microsoft Print to PDF) and import that, or ask the registry for a copy without encryption",
                cipher(doc)
            ),
        )),
    }
}

/// The cipher an encrypted PDF's dictionary names, in the words viewers
/// show (`with AES-256`), for a file EAC Desk cannot decrypt.
fn cipher(doc: &pdf_extract::Document) -> &'static str {
    use pdf_extract::Object;
    let dict = doc.get_encrypted();
    let version = dict.and_then(|d| d.get(b"V")).and_then(Object::as_i64);
    match version {
        Ok(5) => "with AES-256",
        Ok(4) => "with AES-128 or RC4",
        Ok(1 | 2) => "with RC4",
        _ => "by a method EAC Desk does not know",
    }
}

/// Collects one page's text like pdf-extract's plain-text output (a line
/// break when the baseline moves, a space when there is a gap), but drops
/// a glyph that repeats the same character on the same baseline within a
/// fraction of its own width of one already drawn: the second stroke of
/// "fake bold" text, not a second character.
#[derive(Default)]
struct PageText {
    text: String,
    /// Page height: PDF y grows upwards, text lines go downwards.
    height: f64,
    last_end: f64,
    last_y: f64,
    first_char: bool,
    started: bool,
    /// Drawn glyphs by (character, baseline bits): their x positions.
    drawn: HashMap<(String, u64), Vec<f64>>,
}

// Glyph geometry on the page is inherently floating point (PDF user-space
// coordinates); it decides line breaks, spaces and duplicates only and
// never touches a quantity, which stays exact text.
#[allow(clippy::float_arithmetic)]
impl OutputDev for PageText {
    fn begin_page(
        &mut self,
        _page_num: u32,
        media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.height = media_box.ury - media_box.lly;
        self.last_end = 100_000.;
        self.last_y = 0.;
        self.started = false;
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        char: &str,
    ) -> Result<(), OutputError> {
        // The text matrix applied to the font size vector, as pdf-extract's
        // plain-text output measures it.
        let sx = font_size * trm.m11 + font_size * trm.m21;
        let sy = font_size * trm.m12 + font_size * trm.m22;
        let size = (sx * sy).abs().sqrt();
        let (x, y) = (trm.m31, self.height - trm.m32);
        let advance = width * size;

        let key = (char.to_string(), y.to_bits());
        let xs = self.drawn.entry(key).or_default();
        let tolerance = (advance * 0.25).max(size * 0.01);
        if !char.trim().is_empty() && xs.iter().any(|&x0| (x - x0).abs() < tolerance) {
            // The second stroke of a glyph already drawn here.
            return Ok(());
        }
        xs.push(x);

        if self.first_char && self.started {
            if (y - self.last_y).abs() > size * 1.5 {
                self.text.push('\n');
            }
            if x < self.last_end && (y - self.last_y).abs() > size * 0.5 {
                self.text.push('\n');
            }
            if x > self.last_end + size * 0.1 {
                self.text.push(' ');
            }
        }
        self.text.push_str(char);
        self.first_char = false;
        self.started = true;
        self.last_y = y;
        self.last_end = x + advance;
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        self.first_char = true;
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// No-break and thin spaces to spaces, runs of spaces to one, lines
/// trimmed, blank lines dropped.
pub fn normalise(page: &str) -> String {
    let mut out = String::with_capacity(page.len());
    for line in page.lines() {
        let mut l = String::with_capacity(line.len());
        let mut space = false;
        for c in line.chars() {
            let c = if matches!(c, '\u{a0}' | '\u{202f}' | '\u{2009}' | '\t') {
                ' '
            } else {
                c
            };
            if c == ' ' {
                space = true;
                continue;
            }
            if space && !l.is_empty() {
                l.push(' ');
            }
            space = false;
            l.push(c);
        }
        if !l.is_empty() {
            out.push_str(&l);
            out.push('\n');
        }
    }
    out
}

/// One line of a statement's text and the page it is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    pub page: u32,
    pub text: &'a str,
}

/// Every non-blank line of every page, in reading order, with its 1-based
/// page number.
pub fn lines(pages: &[String]) -> Vec<Line<'_>> {
    pages
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            let page = u32::try_from(i + 1).unwrap_or(u32::MAX);
            p.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(move |text| Line { page, text })
        })
        .collect()
}

/// One word of a statement's text and the page it is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    pub page: u32,
    pub text: &'a str,
}

/// The words of `lines`, in order.
pub fn tokens<'a>(lines: &[Line<'a>]) -> Vec<Token<'a>> {
    lines
        .iter()
        .flat_map(|l| {
            l.text
                .split_whitespace()
                .map(|text| Token { page: l.page, text })
        })
        .collect()
}

/// Joins the lines a cell or value was wrapped over: with a space, except
/// after a line ending in `-` (a hyphenated word, a date or an id broken
/// at its dash), which joins the next line directly.
pub fn join_wrapped<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for p in parts {
        let p = p.trim();
        if p.is_empty() {
            continue;
        }
        if !out.is_empty() && !out.ends_with('-') {
            out.push(' ');
        }
        out.push_str(p);
    }
    out
}

/// A label a statement prints before a value (`Account Holder`,
/// `Transaction Date:`), and whether its value may wrap onto the lines
/// after it.
#[derive(Debug, Clone, Copy)]
pub struct Label {
    pub text: &'static str,
    pub wraps: bool,
}

/// A labelled value as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub label: &'static str,
    pub value: String,
    pub page: u32,
}

/// The text after `label` when `line` starts with it as a whole label
/// (followed by `:`, a space or the end of the line).
pub fn after_label<'a>(line: &'a str, label: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(label)?;
    if rest.is_empty() {
        return Some("");
    }
    if let Some(v) = rest.strip_prefix(':') {
        return Some(v.trim());
    }
    rest.starts_with(' ').then(|| rest.trim())
}

/// Reads labelled values from `lines`, in order. A line starting with one
/// of `labels` (the longest that matches) starts a value; the lines after
/// it continue the value while its label wraps and until the next label or
/// a line in `stops` (section headings). A label on a line of its own
/// takes the next line as its value.
pub fn fields<'a>(lines: &[Line<'a>], labels: &[Label], stops: &[&str]) -> Vec<Field> {
    fn find<'a, 'l>(labels: &'l [Label], text: &'a str) -> Option<(&'l Label, &'a str)> {
        labels
            .iter()
            .filter_map(|l| after_label(text, l.text).map(|v| (l, v)))
            .max_by_key(|(l, _)| l.text.len())
    }
    let mut out: Vec<Field> = Vec::new();
    let mut open: Option<(Label, Vec<&'a str>, u32)> = None;
    let close = |open: &mut Option<(Label, Vec<&'a str>, u32)>, out: &mut Vec<Field>| {
        if let Some((l, parts, page)) = open.take() {
            out.push(Field {
                label: l.text,
                value: join_wrapped(parts),
                page,
            });
        }
    };
    for line in lines {
        if stops.contains(&line.text) {
            close(&mut open, &mut out);
            continue;
        }
        if let Some((l, v)) = find(labels, line.text) {
            close(&mut open, &mut out);
            open = Some((*l, vec![v], line.page));
            continue;
        }
        if let Some((l, parts, _)) = open.as_mut() {
            let empty = parts.iter().all(|p| p.is_empty());
            if l.wraps || empty {
                parts.push(line.text);
                if !l.wraps {
                    close(&mut open, &mut out);
                }
            } else {
                close(&mut open, &mut out);
            }
        }
    }
    close(&mut open, &mut out);
    out
}

/// The value of the first field with this label.
pub fn field<'f>(fields: &'f [Field], label: &str) -> Option<&'f Field> {
    fields.iter().find(|f| f.label == label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_turns_no_break_spaces_and_runs_into_one_space_and_drops_blank_lines() {
        assert_eq!(
            normalise("  Total GO:\u{a0}1\u{a0}003  \n\n Country  Norway\t- Statnett \n"),
            "Total GO: 1 003\nCountry Norway - Statnett\n"
        );
    }

    #[test]
    fn wrapped_values_join_with_a_space_except_after_a_dash() {
        assert_eq!(join_wrapped(["Scope 2", "reporting"]), "Scope 2 reporting");
        assert_eq!(
            join_wrapped(["2020-10-01 - 2020-10-", "31"]),
            "2020-10-01 - 2020-10-31"
        );
        assert_eq!(join_wrapped(["Hydro-", "electric"]), "Hydro-electric");
    }

    #[test]
    fn labelled_values_take_the_longest_label_and_wrap_only_where_allowed() {
        let pages = vec![
            "Account Holder Example AS\nAccount 7070\nCancellation Purpose Annual\nreport 2023\nVolume cancelled (sum) 93\nThis prose is no value.\nRetirement reason:\nVoluntary\n".to_string(),
        ];
        let l = lines(&pages);
        let f = fields(
            &l,
            &[
                Label {
                    text: "Account Holder",
                    wraps: true,
                },
                Label {
                    text: "Account",
                    wraps: false,
                },
                Label {
                    text: "Cancellation Purpose",
                    wraps: true,
                },
                Label {
                    text: "Volume cancelled (sum)",
                    wraps: false,
                },
                Label {
                    text: "Retirement reason",
                    wraps: false,
                },
            ],
            &[],
        );
        let got: Vec<(&str, &str)> = f.iter().map(|f| (f.label, f.value.as_str())).collect();
        assert_eq!(
            got,
            vec![
                ("Account Holder", "Example AS"),
                ("Account", "7070"),
                ("Cancellation Purpose", "Annual report 2023"),
                ("Volume cancelled (sum)", "93"),
                ("Retirement reason", "Voluntary"),
            ]
        );
    }
}
