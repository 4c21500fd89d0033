//! Reading printed numbers, dates and periods exactly, the same way in every
//! reader: thousands separators (space, U+00A0, U+202F, comma or dot, by
//! the document's style), decimal commas, day-first and month-first dates,
//! and production periods in the issuing domain's local time converted to
//! UTC. Never through a float.

use std::borrow::Cow;
use std::str::FromStr;

use bigdecimal::BigDecimal;
use chrono::{Datelike, Days, LocalResult, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use eac_model::place::Place;
use eac_model::{Date, Decimal, Timestamp};
use serde::{Deserialize, Serialize};

use crate::record::{Locator, ReadError};

/// How a document writes numbers (named in a CSV column mapping as
/// `decimal_point` / `decimal_comma`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberStyle {
    /// `7 408.000000`, `1,234.5`: `.` is the decimal mark; spaces and
    /// commas group thousands.
    #[default]
    DecimalPoint,
    /// `75,6`, `1 234,5`, `1.234,5`: `,` is the decimal mark; spaces and
    /// dots group thousands.
    DecimalComma,
}

fn is_space_separator(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}')
}

/// Reads a printed non-negative or negative number exactly. Group
/// separators must separate groups of three digits in the integer part.
/// Returns `None` for anything else (the caller says where and why).
pub fn parse_number(text: &str, style: NumberStyle) -> Option<Decimal> {
    let t = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}');
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let (decimal_mark, group_mark) = match style {
        NumberStyle::DecimalPoint => ('.', ','),
        NumberStyle::DecimalComma => (',', '.'),
    };
    let (int_part, frac_part) = match t.split_once(decimal_mark) {
        Some((i, f)) => (i, Some(f)),
        None => (t, None),
    };
    // Integer part: digit groups separated by one kind of separator.
    let mut digits = String::new();
    let mut groups = int_part
        .split(|c: char| is_space_separator(c) || c == group_mark)
        .peekable();
    let first = groups.next()?;
    if first.is_empty() || first.len() > 3 && groups.peek().is_some() {
        return None;
    }
    if !first.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.push_str(first);
    for g in groups {
        if g.len() != 3 || !g.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.push_str(g);
    }
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    // JSON number text: no leading zeros except a lone 0.
    let trimmed = digits.trim_start_matches('0');
    out.push_str(if trimmed.is_empty() { "0" } else { trimmed });
    if let Some(f) = frac_part {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        out.push('.');
        out.push_str(f);
    }
    Decimal::parse(&out).ok()
}

/// The number of items in an inclusive range of (possibly fractional)
/// sequence numbers, exactly: `last − first + one unit of the last place`.
/// `first` and `last` are plain digit strings, optionally with a `.` and
/// the same number of fractional digits (I-REC ids since 2022). `None`
/// when they are not numbers, differ in fractional digits, or last < first.
pub fn inclusive_count(first: &str, last: &str) -> Option<Decimal> {
    fn frac_len(s: &str) -> Option<usize> {
        let (i, f) = s.split_once('.').unwrap_or((s, ""));
        let ok = !i.is_empty()
            && i.bytes().all(|b| b.is_ascii_digit())
            && f.bytes().all(|b| b.is_ascii_digit());
        ok.then_some(f.len())
    }
    let scale = frac_len(first)?;
    if frac_len(last)? != scale || (first.ends_with('.') || last.ends_with('.')) {
        return None;
    }
    let a = BigDecimal::from_str(first).ok()?;
    let b = BigDecimal::from_str(last).ok()?;
    if b < a {
        return None;
    }
    let unit = BigDecimal::new(1.into(), scale as i64);
    let count = (b - a + unit).with_scale(scale as i64);
    Some(Decimal::from_big(&count))
}

/// The number of certificates from `first` to `last` (inclusive) when they
/// are serial numbers made of a common prefix and a trailing sequence
/// number (`2194-ND-07-2020-CAC76615-56217`, `G00001NWSC…000001`), or plain
/// numbers ([`inclusive_count`]). `None` when the prefixes differ, either
/// has no trailing digits, or last < first.
pub fn serial_count(first: &str, last: &str) -> Option<Decimal> {
    if let Some(n) = inclusive_count(first, last) {
        return Some(n);
    }
    fn split(s: &str) -> (&str, &str) {
        let at = s.rfind(|c: char| !c.is_ascii_digit()).map_or(0, |i| i + 1);
        s.split_at(at)
    }
    let (pa, a) = split(first);
    let (pb, b) = split(last);
    if pa != pb || a.is_empty() || b.is_empty() {
        return None;
    }
    // Only the tails' values count: `A-9` … `A-10` holds 2 certificates.
    inclusive_count(a, b)
}

/// I-REC certificate ids since 2022 (`0000-0000-6529-5750.000000` …
/// `0000-0000-6529-5761.999999`: digits in dash-separated groups, a `.`
/// and decimals) as the I-REC statement reader reads them: the digits
/// without their dashes, a plain fractional number each
/// (`0000000065295750.000000`), counted by [`inclusive_count`]. `None`
/// for numbers of another form.
pub fn dashed_decimal_ids(first: &str, last: &str) -> Option<(String, String)> {
    fn plain(id: &str) -> Option<String> {
        let (int, frac) = id.split_once('.')?;
        let groups_ok = int
            .split('-')
            .all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()));
        let frac_ok = !frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit());
        (groups_ok && frac_ok).then(|| id.replace('-', ""))
    }
    Some((plain(first)?, plain(last)?))
}

/// A range's certificate numbers as (series, first sequence, last
/// sequence) for overlap checks, when the numbers are a common prefix
/// followed by a trailing number (EnergyTag ids, GO numbers, M-RETS
/// serials, most registries): the prefix is the series. `None` when the
/// two numbers do not share that shape.
pub fn split_serial(first: &str, last: &str) -> Option<(String, String, String)> {
    if inclusive_count(first, last).is_some() {
        return Some((String::new(), first.to_owned(), last.to_owned()));
    }
    fn split(s: &str) -> (&str, &str) {
        let at = s.rfind(|c: char| !c.is_ascii_digit()).map_or(0, |i| i + 1);
        s.split_at(at)
    }
    let (pa, a) = split(first);
    let (pb, b) = split(last);
    (pa == pb && !a.is_empty() && !b.is_empty())
        .then(|| (pa.to_owned(), a.to_owned(), b.to_owned()))
}

/// [`split_serial`], or for numbers of another shape the whole printed
/// range as its own series (so only the very same range overlaps it).
pub fn range_numbers(first: &str, last: &str) -> (String, String, String) {
    split_serial(first, last)
        .unwrap_or_else(|| (format!("{first}…{last}"), "0".to_owned(), "0".to_owned()))
}

/// `count × per_certificate`, exactly.
pub fn times(count: &Decimal, per_certificate: &Decimal) -> Decimal {
    Decimal::from_big(&(count.to_big() * per_certificate.to_big()))
}

/// Day-first date `dd/mm/yyyy` (also `d/m/yyyy`), with `sep` between parts.
pub fn date_dmy(text: &str, sep: char) -> Option<Date> {
    let mut p = text.trim().split(sep);
    let (d, m, y) = (p.next()?, p.next()?, p.next()?);
    if p.next().is_some() {
        return None;
    }
    ymd(y, m, d)
}

/// Month-first date `MM-DD-YYYY` (M-RETS), with `sep` between parts.
pub fn date_mdy(text: &str, sep: char) -> Option<Date> {
    let mut p = text.trim().split(sep);
    let (m, d, y) = (p.next()?, p.next()?, p.next()?);
    if p.next().is_some() {
        return None;
    }
    ymd(y, m, d)
}

/// The order of day, month and year in a document's dates (named in a CSV
/// column mapping as `dmy`, `mdy`, `iso`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateOrder {
    /// `31/03/2023`, `31-03-2023`, `31.03.2023`.
    Dmy,
    /// `03/31/2023`, `03-31-2023` (US registries: M-RETS, WREGIS, PJM-GATS).
    Mdy,
    /// `2023-03-31` (also the date part of `2023-03-31T00:00:00`).
    Iso,
}

/// A date in the given order; day-first and month-first dates may use
/// `/`, `-` or `.` between their parts (the same one twice).
pub fn date_in_order(text: &str, order: DateOrder) -> Option<Date> {
    let t = text.trim();
    let sep = || t.chars().find(|c| matches!(c, '/' | '-' | '.'));
    match order {
        DateOrder::Iso => date_iso(t),
        DateOrder::Dmy => date_dmy(t, sep()?),
        DateOrder::Mdy => date_mdy(t, sep()?),
    }
}

/// ISO date `YYYY-MM-DD`, also `YYYY-MM-DDT00:00:00` (how Ofgem's XML and
/// other exports print a day) and that midnight in UTC,
/// `YYYY-MM-DDT00:00:00Z` or `…T00:00:00+00:00` (how EnergyTag's API prints
/// a date it types as a datetime): an instant at the start of that UTC day
/// says its day without assuming a time zone. Another time of day, or a
/// non-zero offset (`-08:00`), is no day: `None`, never its date part,
/// which made `2023-03-01T13:00:00-08:00` a whole day instead of an instant
/// (the caller refuses it, with [`date_time_note`] saying why).
pub fn date_iso(text: &str) -> Option<Date> {
    let t = text.trim();
    let t = match t.split_once(['T', 't']) {
        Some((day, time)) if is_midnight(without_utc_offset(time)) => day,
        Some(_) => return None,
        None => t,
    };
    let mut p = t.split('-');
    let (y, m, d) = (p.next()?, p.next()?, p.next()?);
    if p.next().is_some() {
        return None;
    }
    ymd(y, m, d)
}

/// A time with its UTC offset (`Z`, `z` or `+00:00`) taken off; any other
/// time as it is (so another offset is no midnight).
fn without_utc_offset(time: &str) -> &str {
    time.strip_suffix(['Z', 'z'])
        .or_else(|| time.strip_suffix("+00:00"))
        .unwrap_or(time)
}

/// `00:00`, `00:00:00` or `00:00:00.000…`: the start of a day, which says
/// nothing beyond the day.
fn is_midnight(time: &str) -> bool {
    let (hms, fraction) = time.split_once('.').unwrap_or((time, ""));
    (hms == "00:00:00" || hms == "00:00") && fraction.bytes().all(|b| b == b'0')
}

/// For a message about a text that was not read as a date: when it holds
/// a time of day or an offset, why that is refused rather than cut off;
/// otherwise nothing (the caller says which form it expected). The reason
/// fits the text: a time that is not midnight or an offset other than
/// UTC would be dropped, while a midnight without one is refused only for
/// its form (after a space, or after a day that is not written ISO-style),
/// and a text without a time (`01/03/2023 – 31/03/2023`) holds neither.
pub fn date_time_note(text: &str) -> String {
    date_time_note_advising(
        text,
        "Write the day alone, e.g. by formatting the spreadsheet column as a date without a time",
    )
}

/// [`date_time_note`] for a file that no spreadsheet writes (an XML
/// report): `advice` is the sentence telling how to write a midnight that
/// is not in the ISO form, in place of "format the spreadsheet column". An
/// ISO midnight of a day the calendar does not have (`2016-02-30T00:00:00`)
/// is said as that, not as a time: its form is the one that is read.
pub fn date_time_note_advising(text: &str, advice: &str) -> String {
    let t = text.trim();
    let Some(at) = time_start(t) else {
        return String::new();
    };
    let (day, time) = (t[..at].trim_end(), t[at..].trim());
    let separated_by_t = day.ends_with(['T', 't']);
    let day = day.trim_end_matches(['T', 't']).trim_end();
    let (clock, offset) = split_offset(time);
    let utc = matches!(offset, "" | "Z" | "z" | "+00:00");
    let midnight = is_midnight(clock) || is_midnight(&format!("0{clock}"));
    if midnight && utc {
        if separated_by_t && date_iso(day).is_some() {
            // The ISO midnight is read; the reader wanted another form.
            return String::new();
        }
        if separated_by_t {
            if let Some(why) = not_a_calendar_day(day, DateOrder::Iso) {
                // The form is read: the day is what does not exist.
                return format!(" ({day} is not a day of the calendar: {why})");
            }
        }
        return format!(
            " (it holds the time {time} after the day: a date field holds whole days, and \
             midnight is read as its day only in the ISO form YYYY-MM-DDT00:00:00. {advice})"
        );
    }
    let what = match (midnight, utc) {
        (false, true) => format!("a time of day, {time}"),
        (true, false) => format!("an offset, {offset}"),
        _ => format!("a time of day and an offset, {time}"),
    };
    format!(
        " (it holds {what}: a date field holds whole days, and reading only its day \
         would silently drop the time; only midnight, T00:00:00, without an offset or in \
         UTC (Z, +00:00), is read as its day)"
    )
}

/// Where a time of day (`h:mm` or `hh:mm`, the first such) starts in `t`.
fn time_start(t: &str) -> Option<usize> {
    let b = t.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    (1..b.len())
        .filter(|&i| b[i] == b':' && digit(i + 1) && digit(i + 2) && digit(i - 1))
        .map(|i| if i >= 2 && digit(i - 2) { i - 2 } else { i - 1 })
        .next()
}

/// A time `hh:mm[:ss[.fff]]` and its offset (`Z`, `+hh:mm`, `-hhmm`, or
/// empty), split where the clock's characters end.
fn split_offset(time: &str) -> (&str, &str) {
    let end = time
        .find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.'))
        .unwrap_or(time.len());
    (&time[..end], time[end..].trim())
}

/// Why `text`, written as a day in `order`, names no day of the calendar
/// ("February 2023 has 28 days", "a year has 12 months"): its parts are in
/// the form's places (a four-digit year, a month and a day of one or two
/// digits, the same separator twice: `/`, `-` or `.` day- or month-first,
/// `-` in ISO, where the day's accepted midnight, `T00:00:00`, may follow)
/// but that month or that day does not exist. `None` for a day of the
/// calendar, and for a text not in the form (the caller says which form it
/// expected). The words are the model's ([`eac_model::no_such_day`]), as an
/// RFC 3339 date says them.
pub fn not_a_calendar_day(text: &str, order: DateOrder) -> Option<String> {
    let t = text.trim();
    let (day_text, sep) = match order {
        DateOrder::Iso => match t.split_once(['T', 't']) {
            Some((day, time)) if is_midnight(without_utc_offset(time)) => (day, '-'),
            Some(_) => return None,
            None => (t, '-'),
        },
        DateOrder::Dmy | DateOrder::Mdy => (t, t.chars().find(|c| matches!(c, '/' | '-' | '.'))?),
    };
    let mut p = day_text.split(sep);
    let (a, b, c) = (p.next()?, p.next()?, p.next()?);
    if p.next().is_some() {
        return None;
    }
    let (y, m, d) = match order {
        DateOrder::Iso => (a, b, c),
        DateOrder::Dmy => (c, b, a),
        DateOrder::Mdy => (c, a, b),
    };
    let digits = |s: &str, lo: usize, hi: usize| {
        (lo..=hi).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(y, 4, 4) || !digits(m, 1, 2) || !digits(d, 1, 2) {
        return None;
    }
    let (year, month, day): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    eac_model::no_such_day(year, month, day)
}

fn ymd(y: &str, m: &str, d: &str) -> Option<Date> {
    let digits = |s: &str, lo: usize, hi: usize| {
        (lo..=hi).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(y, 4, 4) || !digits(m, 1, 2) || !digits(d, 1, 2) {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).map(Date::from_naive)
}

/// A month written `Mar-2023`, `March 2023`, `03/2023` or `2023-03`: its
/// first and last day.
pub fn month(text: &str) -> Option<(Date, Date)> {
    const NAMES: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let t = text.trim().to_lowercase();
    let (a, b) = t.split_once(['-', ' ', '/'])?;
    let (m, y) = if a.len() == 4 && a.bytes().all(|c| c.is_ascii_digit()) {
        (b, a)
    } else {
        (a, b)
    };
    let y: i32 = (y.len() == 4).then(|| y.parse().ok()).flatten()?;
    let m: u32 = match m.parse::<u32>() {
        Ok(n) => n,
        Err(_) => {
            let i = NAMES
                .iter()
                .position(|n| m.starts_with(n) && (m.len() == 3 || is_full_month(m)))?;
            i as u32 + 1
        }
    };
    let first = NaiveDate::from_ymd_opt(y, m, 1)?;
    let last = first
        .checked_add_months(chrono::Months::new(1))?
        .pred_opt()?;
    Some((Date::from_naive(first), Date::from_naive(last)))
}

fn is_full_month(m: &str) -> bool {
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
    .contains(&m)
}

/// The time zone a registry's production dates are local to.
pub fn zone(name: &str) -> Option<Tz> {
    name.parse().ok()
}

/// A local date-time in `tz` as a UTC timestamp. In a repeated hour (clocks
/// go back) the earlier instant is taken; a time that does not exist
/// (clocks go forward) is moved forward by the gap.
pub fn local_instant(local: NaiveDateTime, tz: Tz) -> Timestamp {
    let dt = match tz.from_local_datetime(&local) {
        LocalResult::Single(dt) => dt,
        LocalResult::Ambiguous(earlier, _) => earlier,
        LocalResult::None => {
            // Spring-forward gap: the first valid instant after it.
            let mut probe = local;
            loop {
                probe += chrono::Duration::minutes(15);
                if let Some(dt) = tz.from_local_datetime(&probe).earliest() {
                    break dt;
                }
            }
        }
    };
    Timestamp::from_utc(dt.with_timezone(&chrono::Utc))
}

/// A production period of whole local days, `first` to `last` inclusive,
/// as UTC instants: from local midnight starting `first` to local midnight
/// ending `last`.
pub fn local_period(first: Date, last: Date, tz: Tz) -> Option<(Timestamp, Timestamp)> {
    let start = first.as_naive().and_hms_opt(0, 0, 0)?;
    let end = last
        .as_naive()
        .checked_add_days(Days::new(1))?
        .and_hms_opt(0, 0, 0)?;
    if end <= start {
        return None;
    }
    Some((local_instant(start, tz), local_instant(end, tz)))
}

/// The text of a downloaded text file (CSV, XML) as a reader takes it
/// (decision 77): UTF-8 with or without a byte-order mark, UTF-16 with its
/// byte-order mark, or, when the bytes are not UTF-8 at all and carry no
/// mark, Windows-1252 (what Excel writes when a user re-saves a CSV on an
/// English Windows). The second value names the encoding when it was
/// guessed (Windows-1252), so the reader can say so in a warning.
///
/// A byte-order mark states the encoding: bytes after it that are not
/// text in that encoding are refused at their line and column
/// ([`decode_bom`]), never replaced by U+FFFD as a lossy decoder would.
pub fn decode_document(bytes: &[u8]) -> Result<(Cow<'_, str>, Option<&'static str>), ReadError> {
    if let Some(text) = decode_bom(bytes) {
        return Ok((text?, None));
    }
    refuse_utf16_without_bom(bytes)?;
    Ok(decode_text(bytes))
}

/// UTF-16 text without a byte order mark: mostly ASCII, so one byte of
/// nearly every two-byte unit is zero, in the same place (the high byte).
/// `Some("UTF-16LE")` or `Some("UTF-16BE")`. No CSV or XML text holds NUL
/// bytes, so such a file is not UTF-8 or Windows-1252 either.
pub fn utf16_without_bom(bytes: &[u8]) -> Option<&'static str> {
    let head = &bytes[..bytes.len().min(8192)];
    let units = head.len() / 2;
    if units < 2 || encoding_rs::Encoding::for_bom(bytes).is_some() {
        return None;
    }
    let mostly = |zero: usize| {
        let hits = head
            .chunks_exact(2)
            .filter(|u| u[zero] == 0 && u[1 - zero] != 0)
            .count();
        hits * 10 >= units * 9
    };
    if mostly(1) {
        Some("UTF-16LE")
    } else if mostly(0) {
        Some("UTF-16BE")
    } else {
        None
    }
}

/// The refusal of [`utf16_without_bom`] text: read as UTF-8, its zero
/// bytes split every cell and the file was refused for a row "with 1
/// cells". The encoding is said, with what to do.
pub(crate) fn refuse_utf16_without_bom(bytes: &[u8]) -> Result<(), ReadError> {
    match utf16_without_bom(bytes) {
        None => Ok(()),
        Some(name) => Err(ReadError::new(
            Locator::Document,
            format!(
                "the file is {name} text without a byte order mark (the bytes that say a file \
                 is UTF-16), so its encoding is not stated and it is not read. Save it again as \
                 CSV UTF-8 (in Excel: File → Save As…, CSV UTF-8), or as UTF-16 with its mark, \
                 and import it again"
            ),
        )),
    }
}

/// The text after a byte-order mark (UTF-8, UTF-16LE or UTF-16BE), or
/// `None` when the bytes start with none. Bytes that are not text in the
/// encoding the mark states refuse the document at the line and column
/// where the text breaks ([`Locator::LineColumn`], lines as [`LineIndex`]
/// counts them, given there and not again in the message): whatever
/// the reader, a damaged file is said, not patched with U+FFFD.
pub fn decode_bom(bytes: &[u8]) -> Option<Result<Cow<'_, str>, ReadError>> {
    let (encoding, bom_len) = encoding_rs::Encoding::for_bom(bytes)?;
    let body = &bytes[bom_len..];
    if let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(body) {
        return Some(Ok(text));
    }
    // The text up to the first bad sequence says where it is.
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut valid = String::with_capacity(
        decoder
            .max_utf8_buffer_length_without_replacement(body.len())
            .unwrap_or(body.len()),
    );
    let _ = decoder.decode_to_string_without_replacement(body, &mut valid, true);
    let (line, column) = LineIndex::new(&valid).line_column(valid.len());
    let name = encoding.name();
    // The place once, as the locator: it was written again in the message
    // ("line 3: column 9: …").
    Some(Err(ReadError::new(
        Locator::LineColumn(line, column),
        format!(
            "the file starts with the byte order mark of {name} but is not \
             {name} text from here on (damaged, or saved in another encoding behind the mark); \
             nothing was read in its place. Save or download the file again as {name} (CSV \
             UTF-8 for a spreadsheet) and import it again"
        ),
    )))
}

/// The text of a text file, for looking at it (sniffing a format, showing
/// its first lines) rather than importing it: as [`decode_document`], but
/// bytes a byte-order mark's encoding does not allow become U+FFFD (a head
/// cut at any byte may end inside a character). Readers use
/// [`decode_document`].
pub fn decode_text(bytes: &[u8]) -> (Cow<'_, str>, Option<&'static str>) {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return (text, None);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), None),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (text, Some("Windows-1252"))
        }
    }
}

/// Whether the byte at `i` ends a line: a line ends at `\r\n`, `\n` or a
/// lone `\r` (old Excel for Mac saves CSV so, and the `csv` crate splits
/// records there), counted the same way by every reader: the rule of
/// [`eac_model::place`], the one position function. A `\r\n` ends at its
/// `\n`.
pub use eac_model::place::ends_line;

/// The number of lines that end in `bytes[range]` ([`ends_line`]; a `\r`
/// at the end of the range followed by a `\n` after it ends no line here).
pub fn line_ends(bytes: &[u8], range: std::ops::Range<usize>) -> usize {
    range.filter(|&i| ends_line(bytes, i)).count()
}

/// Physical line numbers (1-based, as editors show them: a line ends at
/// `\r\n`, `\n` or a lone `\r`, [`ends_line`]) of places in a text, for
/// readers whose parser reports where a record starts by byte offset. The
/// `csv` crate's own line counter is one short after CRLF line ends (which
/// Ofgem's downloads have): use
/// `LineIndex::line_of_record(record.position().byte())` instead.
#[derive(Debug)]
pub struct LineIndex<'a> {
    text: &'a str,
    /// The offset of the last byte of each line end.
    newlines: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let newlines = (0..bytes.len()).filter(|&i| ends_line(bytes, i)).collect();
        LineIndex { text, newlines }
    }

    /// The line of a record the parser says starts at `byte`. Parsers may
    /// point at the line break that ended the previous record; a record
    /// cannot start with a line break (a cell holding one is quoted), so
    /// line breaks there are skipped.
    pub fn line_of_record(&self, byte: u64) -> u64 {
        let bytes = self.text.as_bytes();
        let mut start = usize::try_from(byte).unwrap_or(usize::MAX).min(bytes.len());
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        self.newlines.partition_point(|&i| i < start) as u64 + 1
    }

    /// The 1-based line and column (in characters) of the character at
    /// `byte`, a character boundary of the text.
    pub fn line_column(&self, byte: usize) -> (u64, u64) {
        let byte = byte.min(self.text.len());
        let before = self.newlines.partition_point(|&i| i < byte);
        let line_start = match before {
            0 => 0,
            n => self.newlines[n - 1] + 1,
        };
        let mut place = Place::line_start(before as u64 + 1);
        place.pass(
            self.text
                .as_bytes()
                .get(line_start..byte)
                .unwrap_or_default(),
        );
        (place.line, place.column())
    }
}

/// The calendar year of a date (for ids and messages).
pub fn year(d: Date) -> i32 {
    d.as_naive().year()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(t: &str, s: NumberStyle) -> Option<String> {
        parse_number(t, s).map(|d| d.as_str().to_string())
    }

    #[test]
    fn numbers_keep_their_written_precision() {
        use NumberStyle::*;
        assert_eq!(
            n("7 408.000000", DecimalPoint).as_deref(),
            Some("7408.000000")
        );
        assert_eq!(
            n("7\u{a0}408.000000", DecimalPoint).as_deref(),
            Some("7408.000000")
        );
        assert_eq!(n("12.000000", DecimalPoint).as_deref(), Some("12.000000"));
        assert_eq!(n("1,234,567.5", DecimalPoint).as_deref(), Some("1234567.5"));
        assert_eq!(n("75,6", DecimalComma).as_deref(), Some("75.6"));
        assert_eq!(n("1.234,50", DecimalComma).as_deref(), Some("1234.50"));
        assert_eq!(n("1\u{a0}234", DecimalComma).as_deref(), Some("1234"));
        assert_eq!(n(" 1000.0 ", DecimalPoint).as_deref(), Some("1000.0"));
        assert_eq!(n("0", DecimalPoint).as_deref(), Some("0"));
        // Not numbers, or separators in the wrong places.
        assert_eq!(n("12,34.5", DecimalPoint), None);
        assert_eq!(n("1 23", DecimalPoint), None);
        assert_eq!(n("1234 567", DecimalPoint), None);
        assert_eq!(n("", DecimalPoint), None);
        assert_eq!(n("1.", DecimalPoint), None);
        assert_eq!(n("abc", DecimalPoint), None);
        assert_eq!(n("1e5", DecimalPoint), None);
    }

    #[test]
    fn inclusive_ranges_count_exactly() {
        let c = |a, b| inclusive_count(a, b).map(|d| d.as_str().to_string());
        assert_eq!(c("1", "1").as_deref(), Some("1"));
        assert_eq!(c("1001", "2000").as_deref(), Some("1000"));
        assert_eq!(
            c(
                "643002406000000000000000008296.000000",
                "643002406000000000000000015606.037999"
            )
            .as_deref(),
            Some("7310.038000")
        );
        // 30-digit numbers are exact.
        assert_eq!(
            c(
                "999999999999999999999999999990",
                "999999999999999999999999999999"
            )
            .as_deref(),
            Some("10")
        );
        assert_eq!(c("10", "9"), None);
        assert_eq!(c("1.0", "2.00"), None);
        assert_eq!(c("A1", "A2"), None);
    }

    #[test]
    fn serial_numbers_count_by_their_trailing_sequence() {
        let c = |a, b| serial_count(a, b).map(|d| d.as_str().to_string());
        assert_eq!(
            c(
                "2194-ND-07-2020-CAC76615-56217",
                "2194-ND-07-2020-CAC76615-58010"
            )
            .as_deref(),
            Some("1794")
        );
        assert_eq!(c("A-9", "A-10").as_deref(), Some("2"));
        assert_eq!(c("1001", "2000").as_deref(), Some("1000"));
        // Different prefixes, no trailing digits, or backwards: not a range.
        assert_eq!(c("A-1", "B-2"), None);
        assert_eq!(c("A-X", "A-X"), None);
        assert_eq!(c("A-5", "A-4"), None);
    }

    #[test]
    fn dates_in_a_named_order_take_any_separator() {
        let d = |t, o| date_in_order(t, o).map(|d| d.to_string());
        assert_eq!(
            d("07-31-2020", DateOrder::Mdy).as_deref(),
            Some("2020-07-31")
        );
        assert_eq!(
            d("07/31/2020", DateOrder::Mdy).as_deref(),
            Some("2020-07-31")
        );
        assert_eq!(
            d("31.07.2020", DateOrder::Dmy).as_deref(),
            Some("2020-07-31")
        );
        assert_eq!(
            d("2020-07-31", DateOrder::Iso).as_deref(),
            Some("2020-07-31")
        );
        // Mixed separators and the wrong order are refused, not guessed.
        assert_eq!(d("07/31-2020", DateOrder::Mdy), None);
        assert_eq!(d("31/07/2020", DateOrder::Mdy), None);
        assert_eq!(d("2020-07-31", DateOrder::Dmy), None);
    }

    #[test]
    fn dates_in_each_order() {
        assert_eq!(
            date_dmy("31/03/2023", '/').unwrap().to_string(),
            "2023-03-31"
        );
        assert_eq!(
            date_mdy("03-31-2023", '-').unwrap().to_string(),
            "2023-03-31"
        );
        assert_eq!(
            date_iso("2023-03-31T00:00:00").unwrap().to_string(),
            "2023-03-31"
        );
        // A time other than midnight, or an offset, is not cut off.
        assert_eq!(
            date_iso("2023-03-31T00:00:00.000").unwrap().to_string(),
            "2023-03-31"
        );
        assert!(date_iso("2023-03-01T13:00:00-08:00").is_none());
        // Midnight UTC is the start of that UTC day: that day, assuming
        // no time zone; another offset or time is still refused.
        for t in [
            "2023-03-01T00:00:00Z",
            "2023-03-01T00:00:00z",
            "2023-03-01T00:00:00+00:00",
            "2023-03-01T00:00:00.000Z",
            "2023-03-01T00:00:00.000000+00:00",
        ] {
            assert_eq!(date_iso(t).unwrap().to_string(), "2023-03-01", "{t}");
        }
        for t in [
            "2023-03-01T00:00:00+01:00",
            "2023-03-01T00:00:00-05:00",
            "2023-03-01T00:00:00-00:00",
            "2023-03-01T00:00:01Z",
            "2023-03-01T00:00:00.001Z",
            "2023-03-01T10:00:00+00:00",
            "2023-03-01T00:00:00Z+00:00",
            "2023-03-01T00:00:00+0000",
        ] {
            assert!(date_iso(t).is_none(), "{t}");
        }
        assert!(date_iso("2023-03-01T00:00:01").is_none());
        assert!(date_in_order("2023-03-01T13:00", DateOrder::Iso).is_none());
        assert!(date_in_order("01/03/2023 13:00", DateOrder::Dmy).is_none());
        assert!(date_time_note("01/03/2023 13:00").contains("time of day"));
        assert_eq!(date_time_note("2023-02-30"), "");
    }

    /// The reason given for a date that was not read fits the text: a
    /// range with an en dash holds no time, and a midnight without an
    /// offset is refused for its form, not as a time that would be lost.
    #[test]
    fn the_note_on_a_refused_date_names_what_it_holds() {
        let note = date_time_note("2023-03-01T13:00:00-08:00");
        assert!(
            note.contains("a time of day and an offset, 13:00:00-08:00"),
            "{note}"
        );
        let note = date_time_note("2023-03-01T13:00:00");
        assert!(note.contains("a time of day, 13:00:00:"), "{note}");
        let note = date_time_note("2023-03-01T00:00:00+01:00");
        assert!(note.contains("it holds an offset, +01:00:"), "{note}");
        for text in ["25/04/2023 00:00", "2020-07-01 00:00:00", "07/01/2020 0:00"] {
            let note = date_time_note(text);
            assert!(
                note.contains("after the day") && note.contains("only in the ISO form"),
                "{text}: {note}"
            );
            assert!(!note.contains("drop"), "{text}: {note}");
        }
        for text in [
            "01/03/2023 – 31/03/2023",
            "01/03/2023 to 31/03/2023",
            "Mar 2023",
            "2023-02-30",
            // Midnight in the ISO form is read; another form was wanted.
            "2023-03-01T00:00:00",
        ] {
            assert_eq!(date_time_note(text), "", "{text}");
        }
        assert!(date_dmy("31/02/2023", '/').is_none());
        // An ISO midnight of a day the calendar lacks is in the form that
        // is read: the day is what is wrong, not a time (every reader that
        // adds this note said "it holds the time 00:00:00 after the day").
        for text in ["2023-02-30T00:00:00", "2023-02-30T00:00:00Z"] {
            let note = date_time_note(text);
            assert_eq!(
                note, " (2023-02-30 is not a day of the calendar: February 2023 has 28 days)",
                "{text}"
            );
        }
        for (text, order, why) in [
            (
                "2024-02-30",
                DateOrder::Iso,
                Some("February 2024 has 29 days"),
            ),
            (
                "2023-04-31T00:00",
                DateOrder::Iso,
                Some("April 2023 has 30 days"),
            ),
            (
                "2023-13-01",
                DateOrder::Iso,
                Some("there is no month 13; a year has 12 months"),
            ),
            ("31/06/2023", DateOrder::Dmy, Some("June 2023 has 30 days")),
            ("06-31-2023", DateOrder::Mdy, Some("June 2023 has 30 days")),
            (
                "00/06/2023",
                DateOrder::Dmy,
                Some("there is no day 0; days are counted from 1 (and June 2023 has 30 days)"),
            ),
            // A day, another form, or a real time: not this note's.
            ("2024-02-29", DateOrder::Iso, None),
            ("2023-02-30T10:00:00", DateOrder::Iso, None),
            ("30/02/23", DateOrder::Dmy, None),
            ("Feb 30 2023", DateOrder::Dmy, None),
        ] {
            assert_eq!(not_a_calendar_day(text, order).as_deref(), why, "{text}");
        }
        assert!(date_dmy("2023/03/31", '/').is_none());
        let (a, b) = month("Mar-2023").unwrap();
        assert_eq!(
            (a.to_string(), b.to_string()),
            ("2023-03-01".into(), "2023-03-31".into())
        );
        let (a, b) = month("February 2024").unwrap();
        assert_eq!(
            (a.to_string(), b.to_string()),
            ("2024-02-01".into(), "2024-02-29".into())
        );
        assert!(month("Foo-2023").is_none());
    }

    #[test]
    fn record_lines_count_crlf_lf_and_lone_cr_as_one_line_end_each() {
        let text = "a\r\nb\r\n\r\n\"c\rd\"\ne";
        let lines = LineIndex::new(text);
        // The parser may point at the CR or LF before a record.
        assert_eq!(lines.line_of_record(0), 1);
        assert_eq!(lines.line_of_record(1), 2);
        assert_eq!(lines.line_of_record(3), 2);
        assert_eq!(lines.line_of_record(5), 4);
        assert_eq!(lines.line_of_record(7), 4);
        // A lone CR ends a line, inside a quoted cell too (as an editor
        // shows it).
        assert_eq!(lines.line_of_record(14), 6);
        assert_eq!(lines.line_of_record(99), 6);
        // Old Excel for Mac: CR only.
        let lines = LineIndex::new("h\ra\r\rb\r");
        assert_eq!(lines.line_of_record(1), 2);
        assert_eq!(lines.line_of_record(3), 4);
        assert_eq!(lines.line_column(6), (4, 2));
        assert_eq!(line_ends(b"a\r\nb\rc\n", 0..8), 3);
        assert_eq!(line_ends(b"a\r\n", 0..2), 0, "the CRLF ends at its LF");
    }

    #[test]
    fn text_files_decode_with_or_without_a_bom_and_from_windows_1252() {
        let (t, guessed) = decode_text(b"\xEF\xBB\xBFAccreditation No.,x");
        assert_eq!((t.as_ref(), guessed), ("Accreditation No.,x", None));
        let (t, guessed) = decode_text("Nesa Allé".as_bytes());
        assert_eq!((t.as_ref(), guessed), ("Nesa Allé", None));
        let (t, guessed) = decode_text(b"Nesa All\xE9 \x96 1");
        assert_eq!(
            (t.as_ref(), guessed),
            ("Nesa Allé – 1", Some("Windows-1252"))
        );
        let (t, guessed) = decode_text(b"\xFF\xFEA\x00\xE9\x00");
        assert_eq!((t.as_ref(), guessed), ("Aé", None));
    }

    /// UTF-16 without its mark was read as UTF-8 with a zero byte in every
    /// character, and refused for rows "with 1 cells": its encoding is said.
    #[test]
    fn utf16_without_a_byte_order_mark_is_named_as_such() {
        let text = "Accreditation No.,Station\r\nG01177FWEN,Walney Ørsted\r\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(utf16_without_bom(&le), Some("UTF-16LE"));
        assert_eq!(utf16_without_bom(&be), Some("UTF-16BE"));
        for (bytes, name) in [(&le, "UTF-16LE"), (&be, "UTF-16BE")] {
            let e = decode_document(bytes).unwrap_err();
            assert_eq!(e.at, Locator::Document);
            assert!(
                e.message.starts_with(&format!(
                    "the file is {name} text without a byte order mark"
                )) && e.message.contains("CSV UTF-8"),
                "{}",
                e.message
            );
        }
        // With its mark it is read; UTF-8 and Windows-1252 are no UTF-16.
        let mut marked = vec![0xFF, 0xFE];
        marked.extend(&le);
        assert_eq!(decode_document(&marked).unwrap().0, text);
        assert_eq!(utf16_without_bom(&marked), None);
        assert_eq!(utf16_without_bom(text.as_bytes()), None);
        assert_eq!(utf16_without_bom(b"Nesa All\xE9 \x96 1"), None);
        assert_eq!(utf16_without_bom(b"a"), None);
    }

    #[test]
    fn bytes_a_byte_order_mark_does_not_allow_are_refused_at_their_line() {
        let (t, guessed) = decode_document(b"\xEF\xBB\xBFa,b\r\nAll\xC3\xA9").unwrap();
        assert_eq!((t.as_ref(), guessed), ("a,b\r\nAllé", None));
        // Without a mark, still Windows-1252 with its warning (decision 77).
        let (_, guessed) = decode_document(b"All\xE9").unwrap();
        assert_eq!(guessed, Some("Windows-1252"));
        // Under a UTF-8 mark, a Windows-1252 é is no longer guessed at.
        let e = decode_document(b"\xEF\xBB\xBFa,b\r\nc\rNesa All\xE9 1").unwrap_err();
        // The place given once, as the locator, not again in the message.
        assert_eq!(e.at, Locator::LineColumn(3, 9));
        assert!(
            e.message
                .starts_with("the file starts with the byte order mark of UTF-8 but"),
            "{}",
            e.message
        );
        assert_eq!(e.to_string().matches("column").count(), 1, "{e}");
        // A lone surrogate under a UTF-16 mark.
        let e = decode_document(b"\xFF\xFEA\x00\n\x00B\x00\x00\xD8;\x00").unwrap_err();
        assert_eq!(e.at, Locator::LineColumn(2, 2));
        assert!(!e.message.contains("column") && e.message.contains("UTF-16LE"));
        // Looking at a file still replaces (a head may end mid-character).
        let (t, _) = decode_text(b"\xEF\xBB\xBFAll\xE9");
        assert_eq!(t, "All\u{FFFD}");
    }

    #[test]
    fn local_periods_become_utc_with_the_right_offset() {
        let london = zone("Europe/London").unwrap();
        let (s, e) = local_period(
            date_iso("2023-03-01").unwrap(),
            date_iso("2023-03-31").unwrap(),
            london,
        )
        .unwrap();
        // March 2023: GMT until 26 March, BST at the end of the month.
        assert_eq!(s.to_string(), "2023-03-01T00:00:00Z");
        assert_eq!(e.to_string(), "2023-03-31T23:00:00Z");
        let oslo = zone("Europe/Oslo").unwrap();
        let (s, e) = local_period(
            date_iso("2023-01-01").unwrap(),
            date_iso("2023-01-01").unwrap(),
            oslo,
        )
        .unwrap();
        assert_eq!(s.to_string(), "2022-12-31T23:00:00Z");
        assert_eq!(e.to_string(), "2023-01-01T23:00:00Z");
    }
}
