//! The two built-in PDF fonts the statement uses (Helvetica and
//! Helvetica-Bold, which every PDF reader has, so nothing is embedded):
//! their WinAnsi encoding and their glyph widths, to wrap text in columns
//! without ever letting it run past them.

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
/// Windows-1252 punctuation); `?` for any other character, which the
/// built-in fonts cannot show (the CSV keeps the exact text).
pub(crate) fn encode(c: char) -> u8 {
    match c {
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
        _ => b'?',
    }
}

/// Whether [`encode`] prints some character of `text` as a `?` it is not.
pub(crate) fn replaces_any(text: &str) -> bool {
    text.chars().any(|c| c != '?' && encode(c) == b'?')
}

/// The text as WinAnsi bytes.
pub(crate) fn encode_str(text: &str) -> Vec<u8> {
    text.chars().map(encode).collect()
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
    let units: i64 = text.chars().map(|c| byte_width(encode(c), bold)).sum();
    units * size / 1000
}
