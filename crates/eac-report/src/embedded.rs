//! The fonts a claim statement embeds for the characters the built-in
//! Helvetica cannot show (its WinAnsi encoding stops at Windows-1252):
//! DejaVu Sans and DejaVu Sans Bold (`fonts/`, the Bitstream Vera licence),
//! which cover the Latin, Greek and Cyrillic scripts, so that `Łódź`,
//! `ČEZ` or `Ørsted` print as written (decision 103). Each PDF carries a
//! subset of only the glyphs it prints ([`Used`]), written as a CID font
//! with a `ToUnicode` map, so that a reader copies and searches the text
//! as it is.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use ttf_parser::Face;

/// One bundled font.
pub(crate) struct Embedded {
    /// The whole font file, as bundled.
    pub(crate) data: &'static [u8],
    face: Face<'static>,
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

/// The bundled font for the regular or the bold face.
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
        let face = Face::parse(data, 0).expect("a bundled font parses");
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
    faces: [Subset; 2],
}

#[derive(Default)]
pub(crate) struct Subset {
    pub(crate) remapper: subsetter::GlyphRemapper,
    /// Subset glyph id → the character it prints.
    pub(crate) chars: BTreeMap<u16, char>,
}

impl Used {
    /// The CID that prints `c` with `glyph` of the regular or bold font.
    pub(crate) fn cid(&mut self, bold: bool, glyph: u16, c: char) -> u16 {
        let face = &mut self.faces[usize::from(bold)];
        let cid = face.remapper.remap(glyph);
        face.chars.entry(cid).or_insert(c);
        cid
    }

    /// The glyphs of one face (`None` when it printed none).
    pub(crate) fn of(&self, bold: bool) -> Option<&Subset> {
        let face = &self.faces[usize::from(bold)];
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

    /// What `pdf::embed` relies on: every letter the fonts have subsets,
    /// and the subset keeps each glyph's advance under its new id.
    #[test]
    fn every_european_letter_subsets() {
        for bold in [false, true] {
            let f = font(bold);
            let mut used = Used::default();
            let mut kept = Vec::new();
            for c in ('\u{20}'..='\u{24F}').chain('\u{370}'..='\u{4FF}') {
                if let Some(g) = f.glyph(c) {
                    kept.push((used.cid(bold, g, c), f.advance(g)));
                }
            }
            assert!(kept.len() > 700, "{} glyphs", kept.len());
            let subset = used.of(bold).unwrap();
            let data = subsetter::subset(f.data, 0, &subset.remapper).unwrap();
            assert!(data.len() < f.data.len() / 2, "{} bytes", data.len());
            let face = Face::parse(&data, 0).unwrap();
            let em = i64::from(face.units_per_em());
            for (cid, advance) in kept {
                let units = face.glyph_hor_advance(ttf_parser::GlyphId(cid)).unwrap();
                assert_eq!(
                    (i64::from(units) * 1000 + em / 2) / em,
                    advance,
                    "cid {cid}"
                );
            }
        }
    }

    #[test]
    fn the_subset_tag_is_six_capitals_and_follows_the_glyphs() {
        let mut used = Used::default();
        assert!(used.of(false).is_none());
        assert_eq!(used.cid(false, 10, 'a'), 1, "0 is .notdef");
        assert_eq!(used.cid(false, 20, 'b'), 2);
        assert_eq!(used.cid(false, 10, 'a'), 1);
        let tag = subset_tag(used.of(false).unwrap());
        assert_eq!(tag.len(), 6);
        assert!(tag.chars().all(|c| c.is_ascii_uppercase()), "{tag}");
        assert_eq!(tag, subset_tag(used.of(false).unwrap()));
        used.cid(false, 30, 'c');
        assert_ne!(tag, subset_tag(used.of(false).unwrap()));
        assert!(used.of(true).is_none());
    }
}
