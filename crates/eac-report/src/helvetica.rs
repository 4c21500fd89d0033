//! The two built-in PDF fonts the statement uses (Helvetica and
//! Helvetica-Bold, which every PDF reader has): their WinAnsi encoding and
//! their glyph widths, to wrap text in columns without ever letting it run
//! past them. A text with a character WinAnsi lacks is printed in the
//! embedded fonts ([`crate::embedded`]) when one has it ([`shown`]), and
//! such a character as `?` only when none has.

use crate::embedded::{self, Face};

/// Glyph widths of Helvetica for the characters 32–126, in thousandths of
/// the font size (Adobe's Core 14 AFM metrics).
// Rows: ' '…'/', '0'…'?', '@'…'O', 'P'…'_', '`'…'o', 'p'…'~'.
const REGULAR: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, //
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, //
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, //
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, //
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, //
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, //
];

/// The same for Helvetica-Bold.
const BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, //
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, //
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, //
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, //
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, //
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, //
];

/// A character's byte in WinAnsiEncoding (ASCII, Latin-1 and the
/// Windows-1252 punctuation); `None` for any other character, which the
/// built-in fonts cannot show.
fn encode(c: char) -> Option<u8> {
    Some(match c {
        ' '..='~' | '\u{A0}'..='\u{FF}' => c as u8,
        '\t' | '\n' | '\r' => b' ',
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    })
}

/// How the statement prints a character of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shown {
    /// In Helvetica, as this WinAnsi byte.
    WinAnsi(u8),
    /// In an embedded font, as this glyph.
    Embedded(Face, u16),
}

/// Whether `text` is printed in the embedded fonts: it holds a character
/// WinAnsi lacks that one of them has. Then all of it is, so that a name
/// like `Łódź` is one typeface (DejaVu has every WinAnsi character too,
/// and the Korean and CJK fonts take only what DejaVu lacks); else none of
/// it is, and widths of its parts add up.
pub(crate) fn embeds(text: &str, bold: bool) -> bool {
    text.chars()
        .any(|c| encode(c).is_none() && Face::of(c, bold).is_some())
}

/// Each character of `text` as printed in the regular or bold face, all in
/// Helvetica or all in the embedded fonts ([`embeds`]), with the character
/// it prints: `?` for one no font has (the CSV keeps the exact text).
pub(crate) fn shown(text: &str, bold: bool) -> impl Iterator<Item = (char, Shown)> + '_ {
    let embed = embeds(text, bold);
    text.chars().map(move |c| {
        if embed {
            match Face::of(c, bold) {
                Some((face, g)) => (c, Shown::Embedded(face, g)),
                None => {
                    let main = embedded::font(bold);
                    let face = if bold { Face::Bold } else { Face::Regular };
                    ('?', Shown::Embedded(face, main.glyph('?').unwrap_or(0)))
                }
            }
        } else {
            match encode(c) {
                Some(b) => (c, Shown::WinAnsi(b)),
                None => ('?', Shown::WinAnsi(b'?')),
            }
        }
    })
}

/// Whether `text`, printed as a paragraph or a table cell prints it
/// (control characters become spaces), shows a character none of the
/// fonts has.
pub(crate) fn prints_replaced(text: &str, bold: bool) -> bool {
    text.chars()
        .any(|c| !c.is_control() && encode(c).is_none() && Face::of(c, bold).is_none())
}

/// The width of an encoded byte in thousandths of the font size. Bytes
/// outside ASCII that the statement prints itself have their exact width;
/// any other (accented letters in names) counts as a full em, so
/// measured text is never narrower than printed text.
fn byte_width(b: u8, bold: bool) -> i64 {
    let table = if bold { &BOLD } else { &REGULAR };
    match b {
        32..=126 => i64::from(table[usize::from(b - 32)]),
        0x96 => 556,        // en dash
        0x95 => 350,        // bullet
        0xA0 | 0xB7 => 278, // no-break space, middle dot
        0x91 | 0x92 if bold => 278,
        0x91 | 0x92 => 222,
        _ => 1000,
    }
}

/// The width of the text at `size`, both in thousandths of a point.
pub(crate) fn width(text: &str, size: i64, bold: bool) -> i64 {
    let units: i64 = shown(text, bold)
        .map(|(_, how)| match how {
            Shown::WinAnsi(b) => byte_width(b, bold),
            Shown::Embedded(face, g) => face.font().advance(g),
        })
        .sum();
    units * size / 1000
}
