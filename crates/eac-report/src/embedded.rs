//! The fonts a claim statement embeds for the characters the built-in
//! Helvetica cannot show (its WinAnsi encoding stops at Windows-1252),
//! all in `fonts/` with their licences (decision 103):
//!
//! - DejaVu Sans and DejaVu Sans Bold (the Bitstream Vera licence): the
//!   Latin, Greek and Cyrillic scripts, so that `Łódź`, `ČEZ` or `Ørsted`
//!   print as written;
//! - NanumSquare Regular and Bold (SIL OFL 1.1): Korean Hangul;
//! - Droid Sans Fallback (Apache 2.0, one weight; bold is drawn by
//!   stroking its outlines too): Chinese, Japanese and Korean ideographs
//!   and Japanese kana, so that `東京電力` prints as written.
//!
//! Each PDF carries a subset of only the glyphs it prints ([`Used`]),
//! written as a CID font with a `ToUnicode` map, so that a reader copies
//! and searches the text as it is.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use ttf_parser::Face as FontFace;

/// One bundled font.
pub(crate) struct Embedded {
    /// The whole font file, as bundled.
    pub(crate) data: &'static [u8],
    face: FontFace<'static>,
    /// Its PostScript name (the subset's `BaseFont` after the tag).
    pub(crate) name: &'static str,
}

static REGULAR: LazyLock<Embedded> =
    LazyLock::new(|| Embedded::load(include_bytes!("../fonts/DejaVuSans.ttf"), "DejaVuSans"));

static BOLD: LazyLock<Embedded> = LazyLock::new(|| {
    Embedded::load(
        include_bytes!("../fonts/DejaVuSans-Bold.ttf"),
        "DejaVuSans-Bold",
    )
});

static HANGUL: LazyLock<Embedded> =
    LazyLock::new(|| Embedded::load(include_bytes!("../fonts/NanumSquareR.ttf"), "NanumSquareR"));

static HANGUL_BOLD: LazyLock<Embedded> =
    LazyLock::new(|| Embedded::load(include_bytes!("../fonts/NanumSquareB.ttf"), "NanumSquareB"));

static IDEOGRAPHS: LazyLock<Embedded> = LazyLock::new(|| {
    Embedded::load(
        include_bytes!("../fonts/DroidSansFallbackFull.ttf"),
        "DroidSansFallback",
    )
});

/// One embedded font of a PDF: each has its own subset and resource name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Face {
    /// DejaVu Sans (the fallback of Helvetica).
    Regular,
    /// DejaVu Sans Bold (of Helvetica-Bold).
    Bold,
    /// NanumSquare Regular: Hangul.
    Hangul,
    HangulBold,
    /// Droid Sans Fallback: ideographs and kana, both weights.
    Ideographs,
}

impl Face {
    /// Every face, in the order a PDF writes them.
    pub(crate) const ALL: [Face; 5] = [
        Face::Regular,
        Face::Bold,
        Face::Hangul,
        Face::HangulBold,
        Face::Ideographs,
    ];

    /// The font file.
    pub(crate) fn font(self) -> &'static Embedded {
        match self {
            Face::Regular => &REGULAR,
            Face::Bold => &BOLD,
            Face::Hangul => &HANGUL,
            Face::HangulBold => &HANGUL_BOLD,
            Face::Ideographs => &IDEOGRAPHS,
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    /// The face that prints `c` in a regular or bold text beside the
    /// built-in font: DejaVu when it has the character, else Hangul from
    /// NanumSquare, else Droid Sans Fallback; `None` when none has it.
    pub(crate) fn of(c: char, bold: bool) -> Option<(Face, u16)> {
        let main = font(bold);
        if let Some(g) = main.glyph(c) {
            return Some((if bold { Face::Bold } else { Face::Regular }, g));
        }
        let hangul = if bold { Face::HangulBold } else { Face::Hangul };
        let order = if is_hangul(c) {
            [hangul, Face::Ideographs]
        } else {
            [Face::Ideographs, hangul]
        };
        order
            .into_iter()
            .find_map(|f| f.font().glyph(c).map(|g| (f, g)))
    }
}

/// Korean letters: Hangul Jamo, compatibility Jamo, syllables and the
/// extended Jamo blocks. They all come from NanumSquare (Droid Sans
/// Fallback has three syllables, which would then look apart).
fn is_hangul(c: char) -> bool {
    matches!(
        c,
        '\u{1100}'..='\u{11FF}'
            | '\u{3130}'..='\u{318F}'
            | '\u{A960}'..='\u{A97F}'
            | '\u{AC00}'..='\u{D7FF}'
    )
}

/// The bundled font for the regular or the bold face (DejaVu Sans).
pub(crate) fn font(bold: bool) -> &'static Embedded {
    if bold {
        &BOLD
    } else {
        &REGULAR
    }
}

impl Embedded {
    fn load(data: &'static [u8], name: &'static str) -> Embedded {
        // Bundled at build time and read by a test: it always parses.
        let face = FontFace::parse(data, 0).expect("a bundled font parses");
        Embedded { data, face, name }
    }

    /// The glyph that shows `c`, when the font has one.
    pub(crate) fn glyph(&self, c: char) -> Option<u16> {
        self.face.glyph_index(c).map(|g| g.0).filter(|&g| g != 0)
    }

    /// Font units in thousandths of the font size (rounded to nearest).
    fn thousandths(&self, units: i64) -> i64 {
        let em = i64::from(self.face.units_per_em());
        (units * 1000 + units.signum() * em / 2) / em
    }

    /// The advance of `glyph` in thousandths of the font size.
    pub(crate) fn advance(&self, glyph: u16) -> i64 {
        let units = self
            .face
            .glyph_hor_advance(ttf_parser::GlyphId(glyph))
            .unwrap_or(0);
        self.thousandths(i64::from(units))
    }

    /// Ascender, descender, cap height and bounding box (x0, y0, x1, y1),
    /// in thousandths of the font size, for the font descriptor.
    pub(crate) fn metrics(&self) -> (i64, i64, i64, [i64; 4]) {
        let f = &self.face;
        let b = f.global_bounding_box();
        let t = |v: i16| self.thousandths(i64::from(v));
        (
            t(f.ascender()),
            t(f.descender()),
            t(f.capital_height().unwrap_or(f.ascender())),
            [t(b.x_min), t(b.y_min), t(b.x_max), t(b.y_max)],
        )
    }
}

/// The glyphs of the bundled fonts a PDF prints: each face's subset, its
/// glyphs numbered in the order they are first printed (the subset's own
/// ids, which the content streams use as CIDs), and the character each
/// stands for (its `ToUnicode` map).
#[derive(Default)]
pub(crate) struct Used {
    faces: [Subset; 5],
}

#[derive(Default)]
pub(crate) struct Subset {
    pub(crate) remapper: subsetter::GlyphRemapper,
    /// Subset glyph id → the character it prints.
    pub(crate) chars: BTreeMap<u16, char>,
}

impl Used {
    /// The CID that prints `c` with `glyph` of `face`.
    pub(crate) fn cid(&mut self, face: Face, glyph: u16, c: char) -> u16 {
        let face = &mut self.faces[face.index()];
        let cid = face.remapper.remap(glyph);
        face.chars.entry(cid).or_insert(c);
        cid
    }

    /// The glyphs of one face (`None` when it printed none).
    pub(crate) fn of(&self, face: Face) -> Option<&Subset> {
        let face = &self.faces[face.index()];
        (!face.chars.is_empty()).then_some(face)
    }
}

/// A subset's six-letter tag (`ABCDEF+`, PDF 32000-1 §9.6.4), made from
/// the glyphs it holds so that the same statement always gives the same
/// bytes.
pub(crate) fn subset_tag(subset: &Subset) -> String {
    // FNV-1a over the original glyph ids, in subset order.
    let mut h: u32 = 0x811c_9dc5;
    for g in subset.remapper.remapped_gids() {
        for b in g.to_be_bytes() {
            h ^= u32::from(b);
            h = h.wrapping_mul(0x0100_0193);
        }
    }
    (0..6)
        .map(|i| char::from(b'A' + ((h >> (i * 5)) % 26) as u8))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_fonts_show_european_letters_and_not_cjk() {
        for bold in [false, true] {
            let f = font(bold);
            for c in "ŁłźČčĚěŘřŐőŞşĞğΩωЖж€".chars() {
                let g = f.glyph(c).unwrap_or_else(|| panic!("{} lacks {c}", f.name));
                assert!(f.advance(g) > 0, "{c}");
            }
            assert_eq!(f.glyph('東'), None);
            let (ascent, descent, cap, bbox) = f.metrics();
            assert!(
                ascent > 600 && descent < 0 && cap > 600,
                "{ascent} {descent} {cap}"
            );
            assert!(bbox[0] < 0 && bbox[3] > ascent, "{bbox:?}");
        }
    }

    /// Each face's characters: European letters for DejaVu, Hangul for
    /// NanumSquare, ideographs and kana for Droid Sans Fallback (every
    /// 7th ideograph, to keep the test quick).
    fn sample_of(face: Face) -> Vec<char> {
        let ranges: Vec<(u32, u32, usize)> = match face {
            Face::Regular | Face::Bold => vec![(0x20, 0x24F, 1), (0x370, 0x4FF, 1)],
            Face::Hangul | Face::HangulBold => vec![(0x3131, 0x318E, 1), (0xAC00, 0xD7A3, 13)],
            Face::Ideographs => vec![(0x3041, 0x30FF, 1), (0x4E00, 0x9FFF, 7)],
        };
        ranges
            .into_iter()
            .flat_map(|(a, b, step)| (a..=b).step_by(step).filter_map(char::from_u32))
            .collect()
    }

    #[test]
    fn korean_chinese_and_japanese_have_a_face() {
        for bold in [false, true] {
            for (text, face) in [
                (
                    "한국전력공사",
                    if bold { Face::HangulBold } else { Face::Hangul },
                ),
                ("가", if bold { Face::HangulBold } else { Face::Hangul }),
                ("東京電力株式会社", Face::Ideographs),
                ("ひらがなカタカナ", Face::Ideographs),
                ("国家电网", Face::Ideographs),
                ("Łódź", if bold { Face::Bold } else { Face::Regular }),
            ] {
                for c in text.chars() {
                    let (f, g) = Face::of(c, bold).unwrap_or_else(|| panic!("no face for {c}"));
                    assert_eq!(f, face, "{c}");
                    assert!(f.font().advance(g) > 0, "{c}");
                }
            }
            // Scripts no bundled font has.
            for c in "नมत".chars() {
                assert_eq!(Face::of(c, bold), None, "{c}");
            }
        }
    }

    /// What `pdf::embed` relies on: every character the fonts have
    /// subsets, and the subset keeps each glyph's advance under its new id.
    #[test]
    fn every_face_subsets() {
        for face in Face::ALL {
            let f = face.font();
            let mut used = Used::default();
            let mut kept = Vec::new();
            for c in sample_of(face) {
                if let Some(g) = f.glyph(c) {
                    kept.push((used.cid(face, g, c), f.advance(g)));
                }
            }
            assert!(kept.len() > 700, "{}: {} glyphs", f.name, kept.len());
            let subset = used.of(face).unwrap();
            let data = subsetter::subset(f.data, 0, &subset.remapper).unwrap();
            assert!(data.len() < f.data.len() / 2, "{} bytes", data.len());
            let parsed = FontFace::parse(&data, 0).unwrap();
            let em = i64::from(parsed.units_per_em());
            for (cid, advance) in kept {
                let units = parsed.glyph_hor_advance(ttf_parser::GlyphId(cid)).unwrap();
                assert_eq!(
                    (i64::from(units) * 1000 + em / 2) / em,
                    advance,
                    "{} cid {cid}",
                    f.name
                );
            }
        }
    }

    #[test]
    fn the_subset_tag_is_six_capitals_and_follows_the_glyphs() {
        let mut used = Used::default();
        let r = Face::Regular;
        assert!(used.of(r).is_none());
        assert_eq!(used.cid(r, 10, 'a'), 1, "0 is .notdef");
        assert_eq!(used.cid(r, 20, 'b'), 2);
        assert_eq!(used.cid(r, 10, 'a'), 1);
        let tag = subset_tag(used.of(r).unwrap());
        assert_eq!(tag.len(), 6);
        assert!(tag.chars().all(|c| c.is_ascii_uppercase()), "{tag}");
        assert_eq!(tag, subset_tag(used.of(r).unwrap()));
        used.cid(r, 30, 'c');
        assert_ne!(tag, subset_tag(used.of(r).unwrap()));
        assert!(used.of(Face::Bold).is_none());
    }
}
