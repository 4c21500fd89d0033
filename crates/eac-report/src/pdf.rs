//! The claim statement as a PDF, written with `pdf-writer` (pure Rust, no
//! browser, no system tool) in the built-in Helvetica, with the characters
//! it lacks in embedded subsets of DejaVu Sans, NanumSquare (Hangul) and
//! Droid Sans Fallback (ideographs, kana) ([`crate::embedded`]). It is
//! written to its writer as it is laid out ([`render`]).
//!
//! Layout is done in integers — thousandths of a point ("mpt"), y measured
//! down from the top of the page — and turned into PDF coordinates only
//! when written ([`pt`]), so no float ever takes part in a computation;
//! bar heights come from exact totals through `bigdecimal`.
//!
//! Pages are 210 × 279 mm: the intersection of A4 (210 × 297) and Letter
//! (215.9 × 279.4), so a page prints unscaled and uncut on either paper.
//! Every page's footer carries the title, the creation time, the
//! selection, the signing key's fingerprint, the audit chain head and
//! "page N of M".

use std::fmt::Write as _;
use std::io::{self, Write};

use bigdecimal::{BigDecimal, RoundingMode, ToPrimitive, Zero};
use chrono::Datelike;
use eac_model::{Decimal, EnergyUnit, SpecEnum, TechnologyType};
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, TextRenderingMode, UnicodeCmap};
use pdf_writer::writers::{Catalog, DocumentInfo};
use pdf_writer::{Chunk, Content, Date, Filter, Finish, Name, Rect, Ref, Str, TextStr};

use crate::embedded::{self, Face, Used};
use crate::helvetica::{self, Shown};
use crate::{by_group, GroupKey, Groups, Line, LineSource, Month, StatementFacts, Summary};

/// 210 mm and 279 mm in mpt.
const PAGE_W: i64 = 595_276;
const PAGE_H: i64 = 790_866;
/// 15 mm sides and top, 10 mm bottom (below the footer).
const MARGIN_X: i64 = 42_520;
const MARGIN_TOP: i64 = 42_520;
const MARGIN_BOTTOM: i64 = 28_346;
const CONTENT_W: i64 = PAGE_W - 2 * MARGIN_X;

/// Font sizes (mpt): nothing smaller than 8 pt.
const SMALL: i64 = 8_000;
const BODY: i64 = 9_000;
const HEADING: i64 = 12_000;
const SUBHEADING: i64 = 10_000;
const TITLE: i64 = 16_000;

/// Table cell padding (mpt).
const PAD_X: i64 = 2_000;
const PAD_Y: i64 = 2_000;

/// The longest title or selection the footer repeats in full; a longer
/// one is shortened there (page 1 prints it whole) so the footer cannot
/// crowd out the page.
const FOOTER_TEXT_MAX: usize = 160;

fn line_height(size: i64) -> i64 {
    size * 5 / 4
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Font {
    Regular,
    Bold,
}

/// One drawing operation, in mpt with y down from the top of the page.
#[derive(Debug, Clone)]
enum Op {
    /// Text whose baseline is at `y`.
    Text {
        x: i64,
        y: i64,
        size: i64,
        font: Font,
        gray: u8,
        text: String,
    },
    /// A filled rectangle whose top-left corner is (`x`, `y`).
    Fill {
        x: i64,
        y: i64,
        w: i64,
        h: i64,
        rgb: [u8; 3],
    },
    /// A straight line.
    Rule {
        x1: i64,
        y1: i64,
        x2: i64,
        y2: i64,
        width: i64,
        gray: u8,
    },
}

/// The page being laid out, with the cursor on it; each page is handed to
/// `done` as soon as it is full, so that a statement of any size never
/// holds more than one page's operations.
struct Doc<'d> {
    page: Vec<Op>,
    /// Takes a finished page's operations (without the footer), in order.
    done: &'d mut dyn FnMut(&[Op]) -> io::Result<()>,
    /// The first error `done` returned: later pages are laid out (the
    /// layout cannot stop midway) but no longer handed over.
    error: Option<io::Error>,
    /// Top of the next thing on the current page.
    y: i64,
    /// Where the body ends (the footer is below).
    bottom: i64,
}

impl<'d> Doc<'d> {
    fn new(footer_height: i64, done: &'d mut dyn FnMut(&[Op]) -> io::Result<()>) -> Doc<'d> {
        Doc {
            page: Vec::new(),
            done,
            error: None,
            y: MARGIN_TOP,
            bottom: body_bottom(footer_height),
        }
    }

    fn hand_over(&mut self) {
        if self.error.is_none() {
            if let Err(e) = (self.done)(&self.page) {
                self.error = Some(e);
            }
        }
        self.page.clear();
    }

    fn new_page(&mut self) {
        self.hand_over();
        self.y = MARGIN_TOP;
    }

    /// Fails with the first error handing over a page met.
    fn check(&mut self) -> io::Result<()> {
        self.error.take().map_or(Ok(()), Err)
    }

    /// Hands over the last page.
    fn finish(mut self) -> io::Result<()> {
        self.hand_over();
        self.check()
    }

    fn left(&self) -> i64 {
        self.bottom - self.y
    }

    fn at_top(&self) -> bool {
        self.y == MARGIN_TOP
    }

    /// Starts a new page unless `h` fits below the cursor.
    fn ensure(&mut self, h: i64) {
        if self.left() < h && !self.at_top() {
            self.new_page();
        }
    }

    fn op(&mut self, op: Op) {
        self.page.push(op);
    }

    fn text_at(&mut self, x: i64, baseline: i64, size: i64, font: Font, gray: u8, text: &str) {
        self.op(Op::Text {
            x,
            y: baseline,
            size,
            font,
            gray,
            text: text.to_owned(),
        });
    }

    /// Wrapped text at the cursor, from `x` within `width`; breaks pages
    /// between lines.
    fn paragraph(&mut self, x: i64, width: i64, size: i64, font: Font, gray: u8, text: &str) {
        let lh = line_height(size);
        for l in wrap(text, width, size, font) {
            self.ensure(lh);
            self.text_at(x, self.y + size, size, font, gray, &l);
            self.y += lh;
        }
    }

    fn gap(&mut self, h: i64) {
        self.y = (self.y + h).min(self.bottom);
    }

    /// A section heading, kept with at least `keep` of what follows.
    fn heading(&mut self, size: i64, text: &str, keep: i64) {
        let lines = wrap(text, CONTENT_W, size, Font::Bold).len() as i64;
        self.ensure(lines * line_height(size) + keep);
        self.paragraph(MARGIN_X, CONTENT_W, size, Font::Bold, 0, text);
        self.gap(2_000);
    }
}

/// Greedy line breaking at spaces; a word wider than the line is broken
/// between characters. Always at least one line; every line measures at
/// most `width` (but for a single glyph wider than it). A line's typeface
/// depends on all of its characters ([`helvetica::shown`]): in a text that
/// needs the embedded font somewhere each candidate line is measured
/// whole, since the widths of its words then do not add up; otherwise
/// they do, and are added.
fn wrap(text: &str, width: i64, size: i64, font: Font) -> Vec<String> {
    let bold = font == Font::Bold;
    let w = |s: &str| helvetica::width(s, size, bold);
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let additive = !helvetica::embeds(&clean, bold);
    // The width of `line` once `piece` is appended to it (`line_w`: its
    // width now).
    let longer = |line: &str, line_w: i64, piece: &str| -> i64 {
        if additive {
            line_w + w(piece)
        } else {
            w(&format!("{line}{piece}"))
        }
    };
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut current_w = 0;
    for word in clean.split(' ') {
        if !current.is_empty() {
            let joined_w = longer(&current, current_w, &format!(" {word}"));
            if joined_w <= width {
                current.push(' ');
                current.push_str(word);
                current_w = joined_w;
                continue;
            }
            lines.push(std::mem::take(&mut current));
            current_w = 0;
        }
        let word_w = w(word);
        if word_w <= width {
            current = word.to_owned();
            current_w = word_w;
            continue;
        }
        // The word alone, broken where it must be.
        for c in word.chars() {
            let mut buf = [0u8; 4];
            let piece: &str = c.encode_utf8(&mut buf);
            let mut next_w = longer(&current, current_w, piece);
            if next_w > width && !current.is_empty() {
                lines.push(std::mem::take(&mut current));
                next_w = w(piece);
            }
            current.push(c);
            current_w = next_w;
        }
    }
    lines.push(current);
    lines
}

/// A table column.
struct Column {
    title: &'static str,
    width: i64,
    right: bool,
}

/// One cell: paragraphs, the first black, the others gray.
type Cell = Vec<String>;

/// A table being drawn at the cursor, a row at a time; rows that do not
/// fit continue on the next page under `heading (continued)` and the
/// repeated column headers. A row taller than a page is split between
/// pages, nothing is cut off.
struct Table<'c> {
    columns: &'c [Column],
    header_lines: Vec<Vec<String>>,
    header_h: i64,
    continued: String,
    /// The room of a page with nothing on it yet.
    fresh_room: i64,
}

impl<'c> Table<'c> {
    /// Draws the column headers (kept with the first line of the first
    /// row).
    fn start(doc: &mut Doc, heading: &str, columns: &'c [Column]) -> Table<'c> {
        let lh = line_height(SMALL);
        let header_lines: Vec<Vec<String>> = columns
            .iter()
            .map(|c| wrap(c.title, c.width - 2 * PAD_X, SMALL, Font::Bold))
            .collect();
        let header_h = header_lines.iter().map(Vec::len).max().unwrap_or(1) as i64 * lh + 2 * PAD_Y;
        let table = Table {
            columns,
            header_lines,
            header_h,
            continued: format!("{} (continued)", shorten(heading)),
            fresh_room: doc.bottom - MARGIN_TOP - line_height(SUBHEADING) * 3 - header_h,
        };
        if doc.left() < header_h + lh + 2 * PAD_Y {
            table.continue_on_new_page(doc);
        } else {
            table.draw_header(doc);
        }
        table
    }

    fn draw_header(&self, doc: &mut Doc) {
        let lh = line_height(SMALL);
        let mut x = MARGIN_X;
        doc.op(Op::Fill {
            x,
            y: doc.y,
            w: CONTENT_W,
            h: self.header_h,
            rgb: [225, 229, 235],
        });
        for (c, lines) in self.columns.iter().zip(&self.header_lines) {
            for (i, l) in lines.iter().enumerate() {
                let baseline = doc.y + PAD_Y + i as i64 * lh + SMALL;
                let tx = cell_x(x, c, l, SMALL, Font::Bold);
                doc.text_at(tx, baseline, SMALL, Font::Bold, 0, l);
            }
            x += c.width;
        }
        doc.y += self.header_h;
    }

    fn continue_on_new_page(&self, doc: &mut Doc) {
        doc.new_page();
        doc.paragraph(
            MARGIN_X,
            CONTENT_W,
            SUBHEADING,
            Font::Bold,
            0,
            &self.continued,
        );
        doc.gap(2_000);
        self.draw_header(doc);
    }

    fn row(&self, doc: &mut Doc, row: &[Cell]) {
        let size = SMALL;
        let lh = line_height(size);
        let cells: Vec<Vec<(String, u8)>> = self
            .columns
            .iter()
            .zip(row)
            .map(|(c, paragraphs)| {
                paragraphs
                    .iter()
                    .enumerate()
                    .flat_map(|(i, p)| {
                        let gray = if i == 0 { 0 } else { 90 };
                        wrap(p, c.width - 2 * PAD_X, size, Font::Regular)
                            .into_iter()
                            .map(move |l| (l, gray))
                    })
                    .collect()
            })
            .collect();
        let n = cells.iter().map(Vec::len).max().unwrap_or(1) as i64;
        let mut from = 0;
        // Right after a page break a row always makes progress, however
        // little room the page has left.
        let mut fresh = false;
        while from < n {
            let room = (doc.left() - 2 * PAD_Y) / lh;
            let remaining = n - from;
            let move_on =
                remaining > room && (room < 1 || (from == 0 && remaining * lh <= self.fresh_room));
            if move_on && !fresh {
                self.continue_on_new_page(doc);
                fresh = true;
                continue;
            }
            fresh = false;
            let take = remaining.min(room.max(1));
            let mut x = MARGIN_X;
            for (c, lines) in self.columns.iter().zip(&cells) {
                let slice = lines.iter().skip(from as usize).take(take as usize);
                for (i, (l, gray)) in slice.enumerate() {
                    let baseline = doc.y + PAD_Y + i as i64 * lh + size;
                    let tx = cell_x(x, c, l, size, Font::Regular);
                    doc.text_at(tx, baseline, size, Font::Regular, *gray, l);
                }
                x += c.width;
            }
            doc.y += take * lh + 2 * PAD_Y;
            doc.op(Op::Rule {
                x1: MARGIN_X,
                y1: doc.y,
                x2: MARGIN_X + CONTENT_W,
                y2: doc.y,
                width: 300,
                gray: 200,
            });
            from += take;
            if from < n {
                self.continue_on_new_page(doc);
                fresh = true;
            }
        }
    }
}

fn cell_x(x: i64, c: &Column, text: &str, size: i64, font: Font) -> i64 {
    if c.right {
        x + c.width - PAD_X - helvetica::width(text, size, font == Font::Bold)
    } else {
        x + PAD_X
    }
}

/// Writes the statement to `out` as it is laid out (see [`render`]).
pub(crate) fn write(
    facts: &StatementFacts,
    summary: &Summary,
    lines: &mut dyn LineSource,
    out: &mut dyn Write,
) -> io::Result<()> {
    let footer = footer_lines(facts);
    let footer_h = footer_height(&footer);
    render(facts, summary, lines, &footer, footer_h, out)
}

/// Where the body of a page ends above a footer `footer_h` high.
fn body_bottom(footer_h: i64) -> i64 {
    PAGE_H - MARGIN_BOTTOM - footer_h - 6_000
}

fn footer_height(footer: &[String]) -> i64 {
    (footer.len() as i64 + 1) * line_height(SMALL)
}

/// Lays the statement out (the note on replaced characters on its first
/// page when the summary says a text needs it), handing each page's
/// operations to `done`.
fn lay_out(
    facts: &StatementFacts,
    summary: &Summary,
    lines: &mut dyn LineSource,
    footer_h: i64,
    done: &mut dyn FnMut(&[Op]) -> io::Result<()>,
) -> io::Result<()> {
    let groups = lines.group_count()?;
    let mut doc = Doc::new(footer_h, done);
    front(&mut doc, facts, summary, groups);
    problems(&mut doc, facts);
    carried_claims(&mut doc, facts);
    charts(&mut doc, summary);
    certificates(&mut doc, summary, groups, lines)?;
    doc.finish()
}

/// Whether `ops` print a character none of the fonts has.
fn replaces_any(ops: &[Op]) -> bool {
    ops.iter().any(|op| match op {
        Op::Text { text, font, .. } => helvetica::prints_replaced(text, *font == Font::Bold),
        _ => false,
    })
}

/// What the first page says when some text holds characters the built-in
/// font cannot show.
const REPLACED_NOTE: &str = "Some names or notes hold characters none of this PDF's \
    fonts can show; they are printed as \u{201c}?\u{201d}. The CSV statement \
    in the same pack holds the exact text.";

/// Title, creation time, selection, counts and the totals per unit; the
/// note on replaced characters when `replaced`.
fn front(doc: &mut Doc, statement: &StatementFacts, summary: &Summary, groups: usize) {
    doc.paragraph(MARGIN_X, CONTENT_W, TITLE, Font::Bold, 0, &statement.title);
    doc.gap(4_000);
    let facts = [
        format!("Claim statement created {}", statement.created_at),
        format!("Selection: {}", statement.selection),
        format!(
            "Signing key fingerprint: {} · audit chain head: {}",
            statement.key_fingerprint,
            audit_head(statement)
        ),
    ];
    for f in &facts {
        doc.paragraph(MARGIN_X, CONTENT_W, BODY, Font::Regular, 0, f);
    }
    if summary.replaced {
        doc.gap(4_000);
        doc.paragraph(MARGIN_X, CONTENT_W, BODY, Font::Bold, 0, REPLACED_NOTE);
    }
    doc.gap(4_000);
    if summary.eacs == 0 {
        doc.paragraph(
            MARGIN_X,
            CONTENT_W,
            BODY,
            Font::Bold,
            0,
            "No EACs were selected: this statement lists no certificates.",
        );
    } else {
        let text = format!(
            "{} EACs with {} values, for {} beneficiary and period group{}.",
            summary.eacs,
            summary.values,
            groups,
            if groups == 1 { "" } else { "s" }
        );
        doc.paragraph(MARGIN_X, CONTENT_W, BODY, Font::Regular, 0, &text);
    }
    doc.gap(8_000);
    doc.heading(HEADING, "Totals per unit", line_height(BODY));
    if summary.totals.is_empty() {
        doc.paragraph(MARGIN_X, CONTENT_W, BODY, Font::Regular, 0, "None.");
    }
    for (unit, total) in &summary.totals {
        let text = format!("{} {unit}", total.as_str());
        doc.paragraph(MARGIN_X, CONTENT_W, SUBHEADING, Font::Bold, 0, &text);
    }
    doc.gap(8_000);
}

fn problems(doc: &mut Doc, statement: &StatementFacts) {
    doc.heading(
        HEADING,
        "Problems found by the double-counting check",
        line_height(BODY),
    );
    if statement.problems.is_empty() {
        doc.paragraph(MARGIN_X, CONTENT_W, BODY, Font::Regular, 0, "None.");
    }
    for p in &statement.problems {
        let lh = line_height(BODY);
        doc.ensure(lh);
        doc.text_at(MARGIN_X, doc.y + BODY, BODY, Font::Regular, 0, "•");
        doc.paragraph(
            MARGIN_X + 10_000,
            CONTENT_W - 10_000,
            BODY,
            Font::Regular,
            0,
            p,
        );
        doc.gap(2_000);
    }
    doc.gap(8_000);
}

/// The recorded claims the pack carries, each with its beneficiary, days,
/// headline figures and the files holding its report.
fn carried_claims(doc: &mut Doc, statement: &StatementFacts) {
    doc.heading(
        HEADING,
        "Recorded claims carried in this pack",
        line_height(BODY),
    );
    if statement.claims.is_empty() {
        doc.paragraph(
            MARGIN_X,
            CONTENT_W,
            BODY,
            Font::Regular,
            0,
            "None: no recorded claim allocates a value of these EACs.",
        );
    }
    for claim in &statement.claims {
        let title = format!(
            "Claim {}: {} · {} · {} ({})",
            claim.id, claim.name, claim.beneficiary, claim.period, claim.granularity
        );
        doc.heading(SUBHEADING, &title, 2 * line_height(BODY));
        for text in [claim.figures(), format!("See {}.", claim.files_words())] {
            doc.paragraph(MARGIN_X, CONTENT_W, BODY, Font::Regular, 0, &text);
        }
        doc.gap(4_000);
    }
    doc.gap(8_000);
}

/// The certificate tables, one per beneficiary and period, each followed
/// by its totals per unit.
fn certificates(
    doc: &mut Doc,
    summary: &Summary,
    groups: usize,
    lines: &mut dyn LineSource,
) -> io::Result<()> {
    if groups == 0 {
        return Ok(());
    }
    doc.new_page();
    doc.heading(HEADING, "Certificates by beneficiary and period", 0);
    let columns = [
        Column {
            title: "Certificates / EAC id",
            width: 136_000,
            right: false,
        },
        Column {
            title: "Registry / status",
            width: 58_000,
            right: false,
        },
        Column {
            title: "Technology / asset",
            width: 72_000,
            right: false,
        },
        Column {
            title: "Start / end (UTC)",
            width: 88_000,
            right: false,
        },
        Column {
            title: "Quantity",
            width: 72_000,
            right: true,
        },
        Column {
            title: "Unit",
            width: 28_000,
            right: false,
        },
        Column {
            title: "Retired",
            width: 50_000,
            right: false,
        },
    ];
    by_group(
        lines,
        summary,
        &mut Tables {
            doc,
            columns: &columns,
            table: None,
        },
    )
}

/// The certificate tables: a heading and a table per group, its totals
/// under it.
struct Tables<'d, 'p, 'c> {
    doc: &'d mut Doc<'p>,
    columns: &'c [Column],
    /// The table of the group begun last.
    table: Option<Table<'c>>,
}

impl Groups for Tables<'_, '_, '_> {
    fn start(&mut self, key: &GroupKey) -> io::Result<()> {
        let heading = group_heading(key);
        self.doc
            .heading(SUBHEADING, &heading, 3 * line_height(SMALL) + 4 * PAD_Y);
        self.table = Some(Table::start(self.doc, &heading, self.columns));
        Ok(())
    }

    fn line(&mut self, l: &Line) -> io::Result<()> {
        if let Some(table) = &self.table {
            table.row(self.doc, &row(l));
        }
        // Stop reading lines once the file cannot take pages.
        self.doc.check()
    }

    fn end(&mut self, key: &GroupKey, totals: Vec<(EnergyUnit, Decimal)>) -> io::Result<()> {
        group_totals(self.doc, key, totals);
        Ok(())
    }
}

/// A group's totals per unit, under its table.
fn group_totals(doc: &mut Doc, key: &GroupKey, totals: Vec<(EnergyUnit, Decimal)>) {
    doc.gap(3_000);
    let beneficiary = key.beneficiary();
    for (unit, total) in totals {
        let text = format!(
            "Total for {}, {}: {} {unit}",
            shorten(&beneficiary),
            key.period(),
            total.as_str()
        );
        doc.paragraph(MARGIN_X, CONTENT_W, BODY, Font::Bold, 0, &text);
    }
    doc.gap(10_000);
}

fn group_heading(key: &GroupKey) -> String {
    format!(
        "Beneficiary: {} · period {}",
        key.beneficiary(),
        key.period()
    )
}

fn row(l: &Line) -> Vec<Cell> {
    let mut certificates = Vec::new();
    if !l.certificates.is_empty() {
        certificates.push(l.certificates.clone());
    }
    certificates.push(format!("EAC id: {}", l.cds_eac_id));
    let mut registry = vec![l.registry.clone()];
    if !l.status.is_empty() {
        registry.push(l.status.clone());
    }
    vec![
        certificates,
        registry,
        vec![
            l.technology.map_or("(not given)", |t| t.label()).to_owned(),
            l.asset_id.clone(),
        ],
        vec![l.start.to_string(), l.end.to_string()],
        vec![l.quantity.as_str().to_owned()],
        vec![l.unit.as_str().to_owned()],
        vec![l.retired.clone()],
    ]
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A bar colour per technology (spec order), and one for "not given".
fn colour(t: Option<TechnologyType>) -> [u8; 3] {
    const PALETTE: [[u8; 3]; 11] = [
        [230, 171, 2],   // solar
        [31, 119, 180],  // wind
        [23, 190, 207],  // hydro
        [214, 39, 40],   // geothermal
        [44, 160, 44],   // biomass
        [148, 103, 189], // natural gas
        [64, 64, 64],    // coal
        [140, 86, 75],   // oil
        [227, 119, 194], // nuclear
        [0, 92, 120],    // marine
        [188, 189, 34],  // storage
    ];
    match t {
        Some(t) => {
            let i = TechnologyType::ALL
                .iter()
                .position(|x| *x == t)
                .unwrap_or(0);
            PALETTE[i % PALETTE.len()]
        }
        None => [160, 160, 160],
    }
}

fn technology_label(t: Option<TechnologyType>) -> &'static str {
    t.map_or("Technology not given", |t| t.label())
}

/// Stacked bars of quantity (MWh, converted exactly) per month and
/// technology, one chart per calendar year, each with its exact totals.
fn charts(doc: &mut Doc, summary: &Summary) {
    let years = &summary.years;
    doc.heading(
        HEADING,
        "Quantity by month and technology",
        line_height(BODY),
    );
    if years.is_empty() {
        doc.paragraph(
            MARGIN_X,
            CONTENT_W,
            BODY,
            Font::Regular,
            0,
            "No quantities to chart.",
        );
        return;
    }
    doc.paragraph(
        MARGIN_X,
        CONTENT_W,
        BODY,
        Font::Regular,
        60,
        "In MWh (Wh and kWh converted exactly), by the month in which each value starts (UTC). Bar heights are drawn to scale; the numbers below each chart are the exact totals.",
    );
    doc.gap(6_000);
    for (year, months) in years {
        chart(doc, *year, months);
    }
}

fn chart(doc: &mut Doc, year: i32, months: &[Month; 12]) {
    const BARS_H: i64 = 120_000;
    let lh = line_height(SMALL);
    let month_totals: Vec<BigDecimal> = months
        .iter()
        .map(|m| m.values().fold(BigDecimal::zero(), |a, b| a + b))
        .collect();
    let max = month_totals
        .iter()
        .max()
        .cloned()
        .unwrap_or_else(BigDecimal::zero);
    let title = format!("{year}");
    let scale = format!(
        "Top line: {} MWh (the largest month)",
        Decimal::from_big(&max).as_str()
    );
    let scale_lines = wrap(&scale, CONTENT_W, SMALL, Font::Regular).len() as i64;
    doc.ensure(line_height(SUBHEADING) + 2_000 + scale_lines * lh + BARS_H + 2 * lh + 4_000);
    doc.paragraph(MARGIN_X, CONTENT_W, SUBHEADING, Font::Bold, 0, &title);
    doc.gap(2_000);
    doc.paragraph(MARGIN_X, CONTENT_W, SMALL, Font::Regular, 60, &scale);
    doc.gap(2_000);
    let top = doc.y;
    let base = top + BARS_H;
    doc.op(Op::Rule {
        x1: MARGIN_X,
        y1: top,
        x2: MARGIN_X + CONTENT_W,
        y2: top,
        width: 300,
        gray: 190,
    });
    let slot = CONTENT_W / 12;
    let bar = slot * 6 / 10;
    for (i, month) in months.iter().enumerate() {
        let x = MARGIN_X + i as i64 * slot + (slot - bar) / 2;
        // Each segment's edges come from exact running totals, so the
        // stack's height is exactly its month's share of the top line.
        let mut running = BigDecimal::zero();
        let mut below = 0;
        for (tech, q) in month {
            running += q;
            let edge = scaled(&running, &max, BARS_H);
            if edge > below {
                doc.op(Op::Fill {
                    x,
                    y: base - edge,
                    w: bar,
                    h: edge - below,
                    rgb: colour(*tech),
                });
            }
            below = edge;
        }
        let label = MONTHS[i];
        let w = helvetica::width(label, SMALL, false);
        doc.text_at(
            MARGIN_X + i as i64 * slot + (slot - w) / 2,
            base + SMALL + 2_000,
            SMALL,
            Font::Regular,
            0,
            label,
        );
    }
    doc.op(Op::Rule {
        x1: MARGIN_X,
        y1: base,
        x2: MARGIN_X + CONTENT_W,
        y2: base,
        width: 700,
        gray: 0,
    });
    doc.y = base + lh + 4_000;
    legend(doc, months);
    doc.gap(4_000);
    // The exact numbers the bars stand for.
    let columns = [
        Column {
            title: "Month",
            width: 60_000,
            right: false,
        },
        Column {
            title: "Total (MWh)",
            width: 130_000,
            right: true,
        },
        Column {
            title: "By technology (MWh)",
            width: CONTENT_W - 190_000,
            right: false,
        },
    ];
    let rows: Vec<Vec<Cell>> = months
        .iter()
        .zip(&month_totals)
        .enumerate()
        .filter(|(_, (m, _))| !m.is_empty())
        .map(|(i, (m, total))| {
            let parts: Vec<String> = m
                .iter()
                .map(|(t, q)| {
                    format!(
                        "{}: {}",
                        technology_label(*t),
                        Decimal::from_big(q).as_str()
                    )
                })
                .collect();
            vec![
                vec![format!("{} {year}", MONTHS[i])],
                vec![Decimal::from_big(total).as_str().to_owned()],
                vec![parts.join("; ")],
            ]
        })
        .collect();
    let table = Table::start(doc, &format!("Quantity by month, {year}"), &columns);
    for r in &rows {
        table.row(doc, r);
    }
    doc.gap(10_000);
}

/// `part / whole × height`, rounded to the nearest mpt, exactly.
fn scaled(part: &BigDecimal, whole: &BigDecimal, height: i64) -> i64 {
    if whole.is_zero() {
        return 0;
    }
    let ratio = part * BigDecimal::from(height) / whole;
    ratio
        .with_scale_round(0, RoundingMode::HalfUp)
        .to_i64()
        .unwrap_or(0)
        .clamp(0, height)
}

/// A colour key for the technologies charted in the year.
fn legend(doc: &mut Doc, months: &[Month; 12]) {
    let mut techs: Vec<Option<TechnologyType>> =
        months.iter().flat_map(|m| m.keys().copied()).collect();
    techs.sort();
    techs.dedup();
    let lh = line_height(SMALL);
    let mut x = MARGIN_X;
    doc.ensure(lh);
    for t in techs {
        let label = technology_label(t);
        let w = 10_000 + helvetica::width(label, SMALL, false) + 12_000;
        if x + w > MARGIN_X + CONTENT_W && x > MARGIN_X {
            x = MARGIN_X;
            doc.y += lh;
            doc.ensure(lh);
        }
        doc.op(Op::Fill {
            x,
            y: doc.y + 1_500,
            w: 7_000,
            h: 7_000,
            rgb: colour(t),
        });
        doc.text_at(x + 10_000, doc.y + SMALL, SMALL, Font::Regular, 0, label);
        x += w;
    }
    doc.y += lh;
}

fn audit_head(statement: &StatementFacts) -> &str {
    statement
        .audit_head
        .as_deref()
        .unwrap_or("none (the audit log is empty)")
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= FOOTER_TEXT_MAX {
        text.to_owned()
    } else {
        let head: String = text.chars().take(FOOTER_TEXT_MAX).collect();
        format!("{head}… (in full on page 1)")
    }
}

/// The footer's lines above "page N of M", the same on every page.
fn footer_lines(statement: &StatementFacts) -> Vec<String> {
    let first = format!(
        "{} · created {} · selection: {}",
        shorten(&statement.title),
        statement.created_at,
        shorten(&statement.selection)
    );
    let second = format!(
        "Signing key fingerprint: {} · audit chain head: {}",
        shorten(&statement.key_fingerprint),
        shorten(audit_head(statement))
    );
    [first, second]
        .iter()
        .flat_map(|t| wrap(t, CONTENT_W, SMALL, Font::Regular))
        .collect()
}

/// Page coordinates for the PDF writer. The only float arithmetic in the
/// crate: a unit change of page geometry (mpt to points), never a
/// quantity.
#[allow(clippy::float_arithmetic)]
fn pt(mpt: i64) -> f32 {
    mpt as f32 / 1000.0
}

/// A colour channel (0–255) as the PDF's 0–1: geometry of colour only.
#[allow(clippy::float_arithmetic)]
fn channel(v: u8) -> f32 {
    f32::from(v) / 255.0
}

/// Objects written to a file one at a time, each as soon as it is made,
/// with the offsets the cross-reference table at the end needs: the PDF
/// file structure `pdf_writer::Pdf` writes (header, objects, `xref`,
/// trailer), without holding the document in memory.
struct Objects<'w> {
    out: &'w mut dyn Write,
    /// Bytes written so far.
    at: u64,
    /// Each object's offset, by its number.
    offsets: Vec<Option<u64>>,
}

/// What `pdf_writer::Pdf` starts a file with: the version and a comment of
/// four bytes above 127 (marking the file binary).
const PDF_HEADER: &[u8] = b"%PDF-1.7\n%\x80\x80\x80\x80\n\n";

impl<'w> Objects<'w> {
    fn start(out: &'w mut dyn Write) -> io::Result<Objects<'w>> {
        out.write_all(PDF_HEADER)?;
        Ok(Objects {
            out,
            at: PDF_HEADER.len() as u64,
            offsets: Vec::new(),
        })
    }

    /// Writes object `id`, which `make` writes into an empty chunk (one
    /// object, numbered `id`).
    fn write(&mut self, id: Ref, make: impl FnOnce(&mut Chunk)) -> io::Result<()> {
        let mut chunk = Chunk::new();
        make(&mut chunk);
        debug_assert!(chunk.refs().eq([id]), "one object, {id:?}");
        let n = usize::try_from(id.get()).expect("object numbers are positive");
        if self.offsets.len() <= n {
            self.offsets.resize(n + 1, None);
        }
        self.offsets[n] = Some(self.at);
        self.out.write_all(chunk.as_bytes())?;
        self.at += chunk.len() as u64;
        Ok(())
    }

    /// The cross-reference table and the trailer naming `root` and
    /// `info`. Every number from 1 to the highest was written (the
    /// numbers are taken in order and each is used).
    fn finish(self, root: Ref, info: Ref) -> io::Result<()> {
        let size = self.offsets.len().max(1);
        let mut tail = format!("xref\n0 {size}\n0000000000 65535 f\r\n");
        for offset in self.offsets.iter().skip(1) {
            debug_assert!(offset.is_some(), "every object number is used");
            let _ = write!(tail, "{:010} 00000 n\r\n", offset.unwrap_or(0));
        }
        let _ = write!(
            tail,
            "trailer\n<<\n  /Size {size}\n  /Root {} 0 R\n  /Info {} 0 R\n>>\nstartxref\n{}\n%%EOF",
            root.get(),
            info.get(),
            self.at
        );
        self.out.write_all(tail.as_bytes())
    }
}

/// The PDF of the statement, written to `out` as it is laid out: each
/// page's body drawn, deflated and written as soon as the page is full;
/// its footer, which needs the page count, after the last page, then the
/// fonts and the page tree. What is held is a few numbers per page.
fn render(
    statement: &StatementFacts,
    summary: &Summary,
    lines: &mut dyn LineSource,
    footer: &[String],
    footer_h: i64,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut objects = Objects::start(out)?;
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let mut next = 6;
    let mut take = || {
        let id = Ref::new(next);
        next += 1;
        id
    };
    let mut used = Used::default();
    let mut bodies: Vec<Ref> = Vec::new();
    lay_out(statement, summary, lines, footer_h, &mut |ops| {
        // The summary saw every text the body prints.
        debug_assert!(summary.replaced || !replaces_any(ops));
        let id = take();
        bodies.push(id);
        write_stream(&mut objects, id, ops, &mut used)
    })?;
    let count = bodies.len();
    let footers: Vec<Ref> = (0..count).map(|_| take()).collect();
    for (n, &id) in footers.iter().enumerate() {
        let ops = footer_ops(footer, footer_h, n + 1, count);
        write_stream(&mut objects, id, &ops, &mut used)?;
    }
    // The embedded faces this statement printed with, after the pages.
    let mut embedded = Vec::new();
    for face in Face::ALL {
        if let Some(subset) = used.of(face) {
            let id = take();
            // The font's four other objects follow it.
            for _ in 0..4 {
                take();
            }
            embed(&mut objects, id, face.font(), subset)?;
            embedded.push((face, id));
        }
    }
    let page_ids: Vec<Ref> = (0..count).map(|_| take()).collect();
    for ((&page_id, &body), &foot) in page_ids.iter().zip(&bodies).zip(&footers) {
        objects.write(page_id, |c| {
            let mut page = c.page(page_id);
            page.media_box(Rect::new(0.0, 0.0, pt(PAGE_W), pt(PAGE_H)));
            page.parent(tree);
            page.contents_array([body, foot]);
            let mut resources = page.resources();
            let mut fonts = resources.fonts();
            fonts.pair(Name(b"F1"), regular).pair(Name(b"F2"), bold);
            for &(face, id) in &embedded {
                fonts.pair(embedded_name(face), id);
            }
            fonts.finish();
            resources.finish();
            page.finish();
        })?;
    }
    objects.write(catalog, |c| {
        c.indirect(catalog).start::<Catalog>().pages(tree);
    })?;
    objects.write(tree, |c| {
        c.pages(tree)
            .kids(page_ids.iter().copied())
            .count(count as i32);
    })?;
    objects.write(regular, |c| {
        c.type1_font(regular)
            .base_font(Name(b"Helvetica"))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    })?;
    objects.write(bold, |c| {
        c.type1_font(bold)
            .base_font(Name(b"Helvetica-Bold"))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    })?;
    let at = statement.created_at.as_utc();
    let date = Date::new(u16::try_from(at.year()).unwrap_or(0))
        .month(at.month() as u8)
        .day(at.day() as u8)
        .hour(chrono::Timelike::hour(&at) as u8)
        .minute(chrono::Timelike::minute(&at) as u8)
        .second(chrono::Timelike::second(&at).min(59) as u8)
        .utc_offset_hour(0)
        .utc_offset_minute(0);
    objects.write(info, |c| {
        c.indirect(info)
            .start::<DocumentInfo>()
            .title(TextStr(&statement.title))
            .creator(TextStr("EAC Desk"))
            .producer(TextStr("EAC Desk (pdf-writer)"))
            .creation_date(date);
    })?;
    objects.finish(catalog, info)
}

/// `ops` drawn as content stream `id`, deflated.
fn write_stream(objects: &mut Objects, id: Ref, ops: &[Op], used: &mut Used) -> io::Result<()> {
    let mut content = Content::new();
    for op in ops {
        draw(&mut content, op, used);
    }
    let data = deflated(&content.finish());
    objects.write(id, |c| {
        c.stream(id, &data).filter(Filter::FlateDecode);
    })
}

/// `data` deflated for a `FlateDecode` stream (zlib, a fixed level: the
/// same statement always gives the same bytes).
fn deflated(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

/// The resource name of an embedded face.
fn embedded_name(face: Face) -> Name<'static> {
    match face {
        Face::Regular => Name(b"F3"),
        Face::Bold => Name(b"F4"),
        Face::Hangul => Name(b"F5"),
        Face::HangulBold => Name(b"F6"),
        Face::Ideographs => Name(b"F7"),
    }
}

/// How much wider a stroke makes the glyphs of a face that has no bold
/// (Droid Sans Fallback) in a bold text: 1/30 of the font size (mpt).
fn faux_bold_width(size: i64) -> i64 {
    size / 30
}

/// Writes the subset of `font` that `subset` names as a Type 0 font at
/// `id` (its CID font, descriptor, font file and `ToUnicode` map at the
/// four numbers after it): CIDs are the subset's glyph ids.
fn embed(
    objects: &mut Objects,
    id: Ref,
    font: &embedded::Embedded,
    subset: &embedded::Subset,
) -> io::Result<()> {
    let [cid_id, descriptor_id, file_id, cmap_id] = [1, 2, 3, 4].map(|k| Ref::new(id.get() + k));
    let base = format!("{}+{}", embedded::subset_tag(subset), font.name);
    let system = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };
    objects.write(id, |c| {
        c.type0_font(id)
            .base_font(Name(base.as_bytes()))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid_id)
            .to_unicode(cmap_id);
    })?;
    let widths: Vec<f32> = subset
        .remapper
        .remapped_gids()
        .map(|g| font.advance(g) as f32)
        .collect();
    objects.write(cid_id, |c| {
        let mut cid = c.cid_font(cid_id);
        cid.subtype(CidFontType::Type2)
            .base_font(Name(base.as_bytes()))
            .system_info(system)
            .font_descriptor(descriptor_id)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        cid.widths().consecutive(0, widths);
        cid.finish();
    })?;
    let (ascent, descent, cap, bbox) = font.metrics();
    objects.write(descriptor_id, |c| {
        c.font_descriptor(descriptor_id)
            .name(Name(base.as_bytes()))
            .flags(FontFlags::SYMBOLIC)
            .bbox(Rect::new(
                bbox[0] as f32,
                bbox[1] as f32,
                bbox[2] as f32,
                bbox[3] as f32,
            ))
            .italic_angle(0.0)
            .ascent(ascent as f32)
            .descent(descent as f32)
            .cap_height(cap as f32)
            .stem_v(80.0)
            .font_file2(file_id);
    })?;
    // A bundled font always subsets (a test makes every glyph of it); were
    // it ever to fail, the whole font keeps the glyph ids the CIDs name.
    let data =
        subsetter::subset(font.data, 0, &subset.remapper).unwrap_or_else(|_| font.data.to_vec());
    let length = i32::try_from(data.len()).unwrap_or(i32::MAX);
    let data = deflated(&data);
    objects.write(file_id, |c| {
        c.stream(file_id, &data)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), length);
    })?;
    let mut cmap = UnicodeCmap::new(Name(b"Custom"), system);
    for (&glyph, &ch) in &subset.chars {
        cmap.pair(glyph, ch);
    }
    let cmap = cmap.finish();
    objects.write(cmap_id, |c| {
        c.cmap(cmap_id, &cmap);
    })
}

fn footer_ops(footer: &[String], footer_h: i64, page: usize, pages: usize) -> Vec<Op> {
    let lh = line_height(SMALL);
    let top = PAGE_H - MARGIN_BOTTOM - footer_h;
    let mut ops = vec![Op::Rule {
        x1: MARGIN_X,
        y1: top - 3_000,
        x2: MARGIN_X + CONTENT_W,
        y2: top - 3_000,
        width: 400,
        gray: 150,
    }];
    for (i, l) in footer.iter().enumerate() {
        ops.push(Op::Text {
            x: MARGIN_X,
            y: top + i as i64 * lh + SMALL,
            size: SMALL,
            font: Font::Regular,
            gray: 70,
            text: l.clone(),
        });
    }
    let number = format!("page {page} of {pages}");
    ops.push(Op::Text {
        x: MARGIN_X + CONTENT_W - helvetica::width(&number, SMALL, false),
        y: top + footer.len() as i64 * lh + SMALL,
        size: SMALL,
        font: Font::Regular,
        gray: 0,
        text: number,
    });
    ops
}

fn draw(content: &mut Content, op: &Op, used: &mut Used) {
    match op {
        Op::Text {
            x,
            y,
            size,
            font,
            gray,
            text,
        } => {
            let bold = *font == Font::Bold;
            // Runs of characters of one font: Helvetica's WinAnsi bytes,
            // or an embedded face's two-byte CIDs.
            let mut runs: Vec<(Name, Vec<u8>, bool)> = Vec::new();
            for (c, shown) in helvetica::shown(text, bold) {
                let (name, faux_bold) = match shown {
                    Shown::WinAnsi(_) if bold => (Name(b"F2"), false),
                    Shown::WinAnsi(_) => (Name(b"F1"), false),
                    Shown::Embedded(face, _) => {
                        (embedded_name(face), bold && face == Face::Ideographs)
                    }
                };
                if runs.last().is_none_or(|(n, _, _)| *n != name) {
                    runs.push((name, Vec::with_capacity(text.len() * 2), faux_bold));
                }
                let bytes = &mut runs.last_mut().expect("a run was pushed").1;
                match shown {
                    Shown::WinAnsi(b) => bytes.push(b),
                    Shown::Embedded(face, g) => bytes.extend(used.cid(face, g, c).to_be_bytes()),
                }
            }
            if runs.is_empty() {
                runs.push((Name(if bold { b"F2" } else { b"F1" }), Vec::new(), false));
            }
            content.set_fill_gray(channel(*gray));
            content.begin_text();
            for (i, (name, bytes, faux_bold)) in runs.iter().enumerate() {
                content.set_font(*name, pt(*size));
                if i == 0 {
                    content.next_line(pt(*x), pt(PAGE_H - y));
                }
                if *faux_bold {
                    // Filled and stroked in the text's gray: as dark as
                    // the bold faces beside it.
                    content.set_stroke_gray(channel(*gray));
                    content.set_line_width(pt(faux_bold_width(*size)));
                    content.set_text_rendering_mode(TextRenderingMode::FillStroke);
                }
                content.show(Str(bytes));
                if *faux_bold {
                    content.set_text_rendering_mode(TextRenderingMode::Fill);
                }
            }
            content.end_text();
        }
        Op::Fill { x, y, w, h, rgb } => {
            content.set_fill_rgb(channel(rgb[0]), channel(rgb[1]), channel(rgb[2]));
            content.rect(pt(*x), pt(PAGE_H - y - h), pt(*w), pt(*h));
            content.fill_nonzero();
        }
        Op::Rule {
            x1,
            y1,
            x2,
            y2,
            width,
            gray,
        } => {
            content.set_stroke_gray(channel(*gray));
            content.set_line_width(pt(*width));
            content.move_to(pt(*x1), pt(PAGE_H - y1));
            content.line_to(pt(*x2), pt(PAGE_H - y2));
            content.stroke();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ClaimStatement;
    use eac_model::{BeneficiaryType, EacValue, EnergyUnit, Extensions, Timestamp};

    /// Every page's operations (without footers), the footer's lines and
    /// its height.
    fn layout(statement: &ClaimStatement) -> (Vec<Vec<Op>>, Vec<String>, i64) {
        let (summary, mut lines) = statement.summarize();
        let facts = statement.facts();
        let footer = footer_lines(&facts);
        let footer_h = footer_height(&footer);
        let mut pages = Vec::new();
        lay_out(&facts, &summary, &mut lines, footer_h, &mut |ops| {
            pages.push(ops.to_vec());
            Ok(())
        })
        .unwrap();
        (pages, footer, footer_h)
    }

    fn statement(eacs: usize) -> ClaimStatement {
        let t = |s: &str| Timestamp::parse(s).unwrap();
        let long_id: String = (0..700)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        let eac = eac_model::Eac {
            cds_eac_id: long_id.clone(),
            cds_created: t("2024-01-01T00:00:00Z"),
            cds_modified: t("2024-01-01T00:00:00Z"),
            eac_number: Some(format!("N-{long_id}")),
            source_id: "s".into(),
            // Wider letters from the embedded font wrap by their own widths.
            source_name: "A registry with a rather long name — Реестр Ωμέγα ŁŻŚĆ".into(),
            destination_id: Some("d".into()),
            destination_name: Some("d".into()),
            beneficiary_type: Some(BeneficiaryType::Customer),
            beneficiaries: (0..500).map(|i| format!("CUSTOMER-Ж{i:05}")).collect(),
            asset_id: long_id.clone(),
            asset_commissioned: None,
            asset_origination: None,
            asset_destination: None,
            technology_type: None,
            emissions_factor_direct: None,
            emissions_factor_lca: None,
            period_start: t("2024-01-01T00:00:00Z"),
            period_end: t("2024-12-31T00:00:00Z"),
            values: vec![EacValue {
                eac_number: None,
                issued: None,
                retired: None,
                retired_undated: true,
                start: Some(t("2024-03-01T00:00:00.123456789Z")),
                end: None,
                unit: EnergyUnit::KWh,
                value: Decimal::parse(&format!("1{}.5", "0".repeat(90))).unwrap(),
                extensions: Extensions::default(),
            }],
            extensions: Extensions::default(),
        };
        ClaimStatement {
            title: "Title Заголовок ".repeat(40),
            created_at: t("2026-12-02T06:30:00Z"),
            selection: "selection ".repeat(80),
            eacs: vec![eac; eacs],
            problems: vec!["a problem ".repeat(200); 3],
            key_fingerprint: "ab12-cd34-ef56-7890-ab12-cd34-ef56-7890".into(),
            audit_head: Some("0".repeat(64)),
        }
    }

    /// Every glyph lands inside the page's margins, above the footer (or
    /// in it), at 8 pt or more: nothing is cut off or too small to read.
    #[test]
    fn nothing_leaves_the_printable_area() {
        for st in [statement(0), statement(1), statement(40)] {
            let (pages, footer, footer_h) = layout(&st);
            let body_bottom = PAGE_H - MARGIN_BOTTOM - footer_h - 6_000;
            let count = pages.len();
            for (n, ops) in pages.iter().enumerate() {
                let footer_ops = footer_ops(&footer, footer_h, n + 1, count);
                let in_body = ops.iter().map(|op| (op, body_bottom));
                let in_footer = footer_ops.iter().map(|op| (op, PAGE_H - MARGIN_BOTTOM));
                for (op, bottom) in in_body.chain(in_footer) {
                    match op {
                        Op::Text {
                            x,
                            y,
                            size,
                            font,
                            text,
                            ..
                        } => {
                            let w = helvetica::width(text, *size, *font == Font::Bold);
                            assert!(*size >= 8_000, "{text:?} at {size}");
                            assert!(*x >= MARGIN_X, "{text:?} starts at {x}");
                            assert!(
                                x + w <= MARGIN_X + CONTENT_W,
                                "{text:?} runs past the margin"
                            );
                            assert!(
                                y - size >= MARGIN_TOP && *y <= bottom,
                                "{text:?} at y {y} on page {}",
                                n + 1
                            );
                        }
                        Op::Fill { x, y, w, h, .. } => {
                            assert!(*x >= MARGIN_X && x + w <= MARGIN_X + CONTENT_W);
                            assert!(*y >= MARGIN_TOP && y + h <= bottom);
                        }
                        Op::Rule { .. } => {}
                    }
                }
            }
        }
    }

    /// No two pieces of text overlap (a cell's text stays in its column).
    #[test]
    fn no_text_overlaps_other_text() {
        for st in [statement(1), statement(12)] {
            let (pages, footer, footer_h) = layout(&st);
            let count = pages.len();
            for (n, ops) in pages.iter().enumerate() {
                let mut boxes = Vec::new();
                for op in ops
                    .iter()
                    .chain(&footer_ops(&footer, footer_h, n + 1, count))
                {
                    if let Op::Text {
                        x,
                        y,
                        size,
                        font,
                        text,
                        ..
                    } = op
                    {
                        let w = helvetica::width(text, *size, *font == Font::Bold);
                        // Helvetica's ascender and descender.
                        let (top, bottom) = (y - size * 718 / 1000, y + size * 207 / 1000);
                        boxes.push((*x, x + w, top, bottom, text.clone()));
                    }
                }
                for (i, a) in boxes.iter().enumerate() {
                    for b in &boxes[i + 1..] {
                        let apart = a.1 <= b.0 || b.1 <= a.0 || a.3 <= b.2 || b.3 <= a.2;
                        assert!(apart, "page {}: {:?} overlaps {:?}", n + 1, a.4, b.4);
                    }
                }
            }
        }
    }

    #[test]
    fn wrapped_lines_fit_and_keep_every_character() {
        let text = format!("short words then {} and more", "x".repeat(300));
        let lines = wrap(&text, 100_000, SMALL, Font::Regular);
        assert!(lines.len() > 3);
        for l in &lines {
            assert!(helvetica::width(l, SMALL, false) <= 100_000, "{l}");
        }
        let kept: String = lines.concat().chars().filter(|c| *c != ' ').collect();
        let all: String = text.chars().filter(|c| *c != ' ').collect();
        assert_eq!(kept, all);
        assert_eq!(wrap("", 10_000, SMALL, Font::Bold), vec![String::new()]);
    }

    #[test]
    fn bars_scale_exactly() {
        let max = BigDecimal::from(3);
        assert_eq!(scaled(&BigDecimal::from(1), &max, 120_000), 40_000);
        assert_eq!(scaled(&max, &max, 120_000), 120_000);
        assert_eq!(scaled(&BigDecimal::zero(), &BigDecimal::zero(), 120_000), 0);
    }
}
