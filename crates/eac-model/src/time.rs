//! RFC 3339 datetimes and full-dates (digest §c).
//!
//! Datetimes are compared as instants and written in UTC as
//! `YYYY-MM-DDTHH:MM:SSZ` (fractional seconds only when present). Every
//! accepted instant is kept exactly and written back as a JSON Schema
//! `date-time` reader accepts it: second 60 only as a leap second at
//! 23:59:60 UTC (decision 38), at most nanoseconds (decision 39).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, SecondsFormat, Timelike, Utc};
use serde::{Deserialize, Serialize};

use crate::violation::quote;

/// An RFC 3339 `date-time` (offset mandatory), held as a UTC instant.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

/// An RFC 3339 `full-date`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(NaiveDate);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("`{}` is not an RFC 3339 date-time with an offset (e.g. 2024-01-01T00:00:00Z)", quote(.0))]
    DateTime(String),
    #[error("`{}` is not an RFC 3339 full-date (YYYY-MM-DD)", quote(.0))]
    Date(String),
    /// Leap seconds are inserted at the end of a UTC day only (RFC 3339 §5.7).
    #[error("`{}` has second 60, which exists only as a leap second at 23:59:60 UTC (here {} UTC); write the time with second 00–59", quote(.0), .1)]
    LeapSecond(String, String),
    /// `0000-01-01T00:00:00+01:00` is in year -1 in UTC, which RFC 3339
    /// cannot write.
    #[error("`{}` falls outside the years 0000–9999 once written in UTC ({}), which RFC 3339 cannot write", quote(.0), .1)]
    YearOutOfRange(String, String),
    /// Written as RFC 3339 writes one, but no such day or time exists
    /// (`2023-02-29`, `T24:00:00Z`, an offset of `+24:00`): the text and why.
    #[error("`{}` is written as an RFC 3339 {} but does not exist: {}", quote(.0), .1, .2)]
    NoSuch(String, &'static str, String),
    /// RFC 3339 §5.6's grammar (and JSON Schema's `date-time`) wants `T`.
    #[error("`{}` separates the date and the time with a space; write a `T` between them (e.g. 2024-01-01T00:00:00Z)", quote(.0))]
    SpaceSeparator(String),
    /// Keeping only nanoseconds would change the instant.
    #[error("`{}` has more than nine digits of fractional seconds; EAC Desk keeps instants to the nanosecond and would change this one: round it to at most nine digits", quote(.0))]
    TooPrecise(String),
}

impl TimeError {
    /// A day typed by a person ([`Date::parse`]'s refusal) in plain
    /// words, the calendar's reason kept: "`2023-02-29` is not a
    /// date{for_what}: February 2023 has 28 days" ([`no_such_day`]), or
    /// "`2023-2-1` is not a date{for_what} (YYYY-MM-DD)". `for_what` names
    /// what the day was for (" for issuance"), or is empty.
    pub fn not_a_day(&self, for_what: &str) -> String {
        match self {
            TimeError::NoSuch(text, _, why) => {
                format!("`{}` is not a date{for_what}: {why}", quote(text))
            }
            TimeError::Date(text)
            | TimeError::DateTime(text)
            | TimeError::LeapSecond(text, _)
            | TimeError::YearOutOfRange(text, _)
            | TimeError::SpaceSeparator(text)
            | TimeError::TooPrecise(text) => {
                format!("`{}` is not a date{for_what} (YYYY-MM-DD)", quote(text))
            }
        }
    }
}

impl Timestamp {
    pub fn parse(text: &str) -> Result<Self, TimeError> {
        // The common shape is read by hand (a listing holds millions);
        // anything else, and every error, takes chrono's reading below.
        match Timestamp::parse_common(text) {
            Some(t) => Ok(t),
            None => Timestamp::parse_with_chrono(text),
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)` (`t`, `z` too) with second
    /// 00–59, an offset up to ±23:59 and the UTC instant in years
    /// 0000–9999, read by hand; `None` for anything else, which
    /// [`Timestamp::parse_with_chrono`] then judges. Where it gives an
    /// instant, it is the one chrono gives (a property test holds it so).
    fn parse_common(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        if !(20..=35).contains(&b.len())
            || b[4] != b'-'
            || b[7] != b'-'
            || !matches!(b[10], b'T' | b't')
            || b[13] != b':'
            || b[16] != b':'
        {
            return None;
        }
        let second = digits(&b[17..19])?;
        if second >= 60 {
            return None;
        }
        let mut at = 19;
        let mut nano = 0;
        if b[at] == b'.' {
            let start = at + 1;
            let end = start + b[start..].iter().take_while(|c| c.is_ascii_digit()).count();
            let n = end - start;
            if n == 0 || n > 9 {
                return None;
            }
            nano = digits(&b[start..end])? * 10u32.pow(9 - u32::try_from(n).ok()?);
            at = end;
        }
        let offset_minutes: i64 = match &b[at..] {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
                let hours = digits(&[*h1, *h2])?;
                let minutes = digits(&[*m1, *m2])?;
                if hours > 23 || minutes > 59 {
                    return None;
                }
                let total = i64::from(hours * 60 + minutes);
                if *sign == b'-' {
                    -total
                } else {
                    total
                }
            }
            _ => return None,
        };
        let date = NaiveDate::from_ymd_opt(
            i32::try_from(digits(&b[..4])?).ok()?,
            digits(&b[5..7])?,
            digits(&b[8..10])?,
        )?;
        let time =
            NaiveTime::from_hms_nano_opt(digits(&b[11..13])?, digits(&b[14..16])?, second, nano)?;
        let utc = date
            .and_time(time)
            .checked_sub_signed(chrono::TimeDelta::minutes(offset_minutes))?;
        (0..=9999)
            .contains(&utc.year())
            .then(|| Timestamp(utc.and_utc()))
    }

    /// The full reading (chrono's RFC 3339 parser and the checks around
    /// it): what every text the hand reading does not take gets.
    #[doc(hidden)]
    pub fn parse_with_chrono(text: &str) -> Result<Self, TimeError> {
        // chrono also takes a space between date and time, which only a
        // note of RFC 3339 §5.6 allows (its grammar, JSON Schema's
        // `date-time` and so `validate` want `T` or `t`): refused here, so
        // import and validate agree (decision 73).
        if text.as_bytes().get(10) == Some(&b' ') {
            return Err(TimeError::SpaceSeparator(text.to_owned()));
        }
        // The four-digit year is checked here.
        let ok = text.len() >= 20 && text.as_bytes()[..4].iter().all(u8::is_ascii_digit);
        let utc = match DateTime::parse_from_rfc3339(text) {
            Ok(dt) if ok => dt.with_timezone(&Utc),
            _ => {
                return Err(match no_such_time(text) {
                    Some(why) => TimeError::NoSuch(text.to_owned(), "date-time", why),
                    None => TimeError::DateTime(text.to_owned()),
                })
            }
        };
        // chrono drops digits after the ninth; refuse that unless they are zeros.
        let fraction = text
            .get(19..)
            .and_then(|rest| rest.strip_prefix('.'))
            .map(|rest| {
                rest.split(|c: char| !c.is_ascii_digit())
                    .next()
                    .unwrap_or("")
            });
        if fraction.is_some_and(|f| f.len() > 9 && f[9..].bytes().any(|d| d != b'0')) {
            return Err(TimeError::TooPrecise(text.to_owned()));
        }
        // Written in UTC, the year must still have four digits.
        if !(0..=9999).contains(&utc.year()) {
            let at = utc.format("%Y-%m-%dT%H:%M:%SZ").to_string();
            return Err(TimeError::YearOutOfRange(text.to_owned(), at));
        }
        // chrono takes second 60 in any minute (a leap second it cannot
        // place); only 23:59:60 UTC is one.
        if utc.nanosecond() >= 1_000_000_000 && (utc.hour(), utc.minute()) != (23, 59) {
            let at = utc.format("%H:%M:60").to_string();
            return Err(TimeError::LeapSecond(text.to_owned(), at));
        }
        Ok(Timestamp(utc))
    }

    pub fn now() -> Self {
        Timestamp(Utc::now())
    }

    pub fn from_utc(dt: DateTime<Utc>) -> Self {
        Timestamp(dt)
    }

    pub fn as_utc(&self) -> DateTime<Utc> {
        self.0
    }

    /// Fixed-width UTC text whose byte order is instant order (for SQLite).
    pub fn to_storage(&self) -> String {
        let mut b = Vec::with_capacity(30);
        self.push_storage(&mut b);
        String::from_utf8(b).expect("ASCII digits")
    }

    /// Appends [`Timestamp::to_storage`]'s text (ASCII).
    pub fn push_storage(&self, b: &mut Vec<u8>) {
        let Some(clock) = Clock::of(&self.0) else {
            b.extend_from_slice(
                self.0
                    .format("%Y-%m-%dT%H:%M:%S%.9fZ")
                    .to_string()
                    .as_bytes(),
            );
            return;
        };
        clock.push_seconds(b);
        b.push(b'.');
        push_digits(b, clock.nano, 9);
        b.push(b'Z');
    }

    /// Appends the RFC 3339 text [`Display`](fmt::Display) writes
    /// (`2024-01-01T00:00:00Z`, fractions of 3, 6 or 9 digits only when
    /// present), formatted by hand: no format string is parsed.
    pub fn push_rfc3339(&self, b: &mut Vec<u8>) {
        let Some(clock) = Clock::of(&self.0) else {
            b.extend_from_slice(
                self.0
                    .to_rfc3339_opts(SecondsFormat::AutoSi, true)
                    .as_bytes(),
            );
            return;
        };
        clock.push_seconds(b);
        let nano = clock.nano;
        if nano == 0 {
        } else if nano % 1_000_000 == 0 {
            b.push(b'.');
            push_digits(b, nano / 1_000_000, 3);
        } else if nano % 1_000 == 0 {
            b.push(b'.');
            push_digits(b, nano / 1_000, 6);
        } else {
            b.push(b'.');
            push_digits(b, nano, 9);
        }
        b.push(b'Z');
    }

    /// Reads text written by [`Timestamp::to_storage`] (or any RFC 3339 text).
    /// Storage text is read by hand (an export reads millions); anything
    /// else, and a leap second, goes through [`Timestamp::parse`].
    pub fn from_storage(text: &str) -> Result<Self, TimeError> {
        match Timestamp::from_storage_text(text) {
            Some(t) => Ok(t),
            None => Timestamp::parse(text),
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` with seconds 00–59, else `None`.
    fn from_storage_text(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        let shape = b.len() == 30
            && b[4] == b'-'
            && b[7] == b'-'
            && b[10] == b'T'
            && b[13] == b':'
            && b[16] == b':'
            && b[19] == b'.'
            && b[29] == b'Z';
        if !shape {
            return None;
        }
        let second = digits(&b[17..19])?;
        if second >= 60 {
            return None;
        }
        let date = NaiveDate::from_ymd_opt(
            i32::try_from(digits(&b[..4])?).ok()?,
            digits(&b[5..7])?,
            digits(&b[8..10])?,
        )?;
        let time = NaiveTime::from_hms_nano_opt(
            digits(&b[11..13])?,
            digits(&b[14..16])?,
            second,
            digits(&b[20..29])?,
        )?;
        Some(Timestamp(date.and_time(time).and_utc()))
    }

    /// The calendar date in UTC.
    pub fn date(&self) -> Date {
        Date(self.0.date_naive())
    }
}

impl Date {
    pub fn parse(text: &str) -> Result<Self, TimeError> {
        let b = text.as_bytes();
        let shape = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        // The shape holds four, two and two digits: read them by hand.
        let date = shape
            .then(|| {
                NaiveDate::from_ymd_opt(
                    i32::try_from(digits(&b[..4])?).ok()?,
                    digits(&b[5..7])?,
                    digits(&b[8..10])?,
                )
            })
            .flatten();
        date.map(Date)
            .ok_or_else(|| match shape.then(|| no_such_ymd(&b[..10])).flatten() {
                Some(why) => TimeError::NoSuch(text.to_owned(), "full-date", why),
                None => TimeError::Date(text.to_owned()),
            })
    }

    pub fn from_naive(d: NaiveDate) -> Self {
        Date(d)
    }

    pub fn as_naive(&self) -> NaiveDate {
        self.0
    }

    /// Appends `YYYY-MM-DD` (what [`Display`](fmt::Display) writes), by hand.
    pub fn push_iso(&self, b: &mut Vec<u8>) {
        match u32::try_from(self.0.year()) {
            Ok(year) if year <= 9999 => {
                push_digits(b, year, 4);
                b.push(b'-');
                push_digits(b, self.0.month(), 2);
                b.push(b'-');
                push_digits(b, self.0.day(), 2);
            }
            _ => b.extend_from_slice(self.0.format("%Y-%m-%d").to_string().as_bytes()),
        }
    }
}

/// The fields of a UTC instant in years 0000–9999 (what RFC 3339 writes
/// with four digits; others go through chrono's formatting).
struct Clock {
    year: u32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    /// 60 in a leap second.
    second: u32,
    /// Below one second.
    nano: u32,
}

impl Clock {
    fn of(t: &DateTime<Utc>) -> Option<Clock> {
        // Read once: each accessor of a `DateTime` applies the offset again.
        let t = t.naive_utc();
        let year = u32::try_from(t.year()).ok().filter(|y| *y <= 9999)?;
        // chrono holds a leap second as second 59 with 1e9 or more nanoseconds.
        let leap = t.nanosecond() / 1_000_000_000;
        Some(Clock {
            year,
            month: t.month(),
            day: t.day(),
            hour: t.hour(),
            minute: t.minute(),
            second: t.second() + leap,
            nano: t.nanosecond() % 1_000_000_000,
        })
    }

    /// `YYYY-MM-DDTHH:MM:SS`.
    fn push_seconds(&self, b: &mut Vec<u8>) {
        push_digits(b, self.year, 4);
        b.push(b'-');
        push_digits(b, self.month, 2);
        b.push(b'-');
        push_digits(b, self.day, 2);
        b.push(b'T');
        push_digits(b, self.hour, 2);
        b.push(b':');
        push_digits(b, self.minute, 2);
        b.push(b':');
        push_digits(b, self.second, 2);
    }
}

/// Why the day `year`-`month`-`day` is not one of the calendar, in
/// words ("February 2023 has 28 days", "there is no month 13; a year has
/// 12 months"); `None` for a day of the calendar. Every reader that finds
/// a day written in its form but not in the calendar says it so: the
/// RFC 3339 dates and date-times here, the registry readers' days.
pub fn no_such_day(year: i32, month: u32, day: u32) -> Option<String> {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    if !(1..=12).contains(&month) {
        return Some(format!("there is no month {month}; a year has 12 months"));
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let name = MONTHS[month as usize - 1];
    match day {
        0 => Some(format!(
            "there is no day 0; days are counted from 1 (and {name} {year:04} has {days} days)"
        )),
        d if d > days => Some(format!("{name} {year:04} has {days} days")),
        _ => None,
    }
}

/// [`no_such_day`] of `YYYY-MM-DD` (digits where digits go); `None` when
/// it is not so written. Only refused texts get here.
fn no_such_ymd(b: &[u8]) -> Option<String> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(&b[..4])?).ok()?;
    no_such_day(year, digits(&b[5..7])?, digits(&b[8..10])?)
}

/// Why a text written `YYYY-MM-DDTHH:MM:SS[.f](Z|±HH:MM)` names no
/// instant, in words (no such day, hour, minute, second or offset);
/// `None` when it is not so written or names one.
fn no_such_time(text: &str) -> Option<String> {
    let b = text.as_bytes();
    if b.len() < 20 || !matches!(b[10], b'T' | b't') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (hour, minute, second) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    let mut at = 19;
    if b[at] == b'.' {
        at += 1;
        let n = b[at..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        at += n;
    }
    let offset = match &b[at..] {
        [b'Z' | b'z'] => None,
        [b'+' | b'-', h1, h2, b':', m1, m2] => Some((digits(&[*h1, *h2])?, digits(&[*m1, *m2])?)),
        _ => return None,
    };
    if let Some(why) = no_such_ymd(&b[..10]) {
        return Some(why);
    }
    if hour == 24 && minute == 0 && second == 0 {
        return Some("hour 24 does not exist; midnight is 00:00 of the next day".to_owned());
    }
    if hour > 23 {
        return Some(format!("there is no hour {hour:02}; hours go up to 23"));
    }
    if minute > 59 {
        return Some(format!(
            "there is no minute {minute:02}; minutes go up to 59"
        ));
    }
    if second > 60 {
        return Some(format!(
            "there is no second {second:02}; seconds go up to 59 (60 only in a leap second at \
             23:59:60 UTC)"
        ));
    }
    match offset {
        Some((h, m)) if h > 23 || m > 59 => {
            Some(format!("an offset is at most ±23:59 (here {h:02}:{m:02})"))
        }
        _ => None,
    }
}

/// The number ASCII digits spell (at most nine), `None` for another byte.
fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

/// `n` as exactly `width` decimal digits (zero-padded; `n` fits).
fn push_digits(b: &mut Vec<u8>, mut n: u32, width: usize) {
    let at = b.len();
    b.resize(at + width, b'0');
    for slot in b[at..].iter_mut().rev() {
        // A digit: `n % 10` is below 10.
        *slot = b'0' + u8::try_from(n % 10).unwrap_or(0);
        n /= 10;
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut b = Vec::with_capacity(30);
        self.push_rfc3339(&mut b);
        f.write_str(std::str::from_utf8(&b).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut b = Vec::with_capacity(10);
        self.push_iso(&mut b);
        f.write_str(std::str::from_utf8(&b).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({self})")
    }
}

impl FromStr for Timestamp {
    type Err = TimeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Timestamp::parse(s)
    }
}

impl FromStr for Date {
    type Err = TimeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Date::parse(s)
    }
}

macro_rules! serde_via_text {
    ($ty:ty) => {
        impl Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = std::borrow::Cow::<str>::deserialize(d)?;
                <$ty>::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}
serde_via_text!(Timestamp);
serde_via_text!(Date);

/// The span `[start, end)` as a person reads it. Whole UTC days (both
/// ends at midnight) are named by their first and last day, both
/// included: `2024-01-01 – 2024-12-31`, or `2024-06-01` for one day; an
/// end at midnight written out would read as a day included. Any other
/// span names its instants and says the end is excluded:
/// `2024-06-01 10:00 until 13:00 UTC (end excluded)` (the end's day
/// written when it differs, seconds when there are any). One rule for
/// every period EAC Desk writes in words: the claims' sentences and
/// reports, `eacdesk ls` and the envelope-only listing (the app's
/// `ui/src/lib/dates.ts` writes the same).
pub fn period_words(start: Timestamp, end: Timestamp) -> String {
    use chrono::{Duration, Timelike};
    let (s, e) = (start.as_utc(), end.as_utc());
    let midnight = |t: &chrono::DateTime<chrono::Utc>| {
        t.num_seconds_from_midnight() == 0 && t.nanosecond() == 0
    };
    if midnight(&s) && midnight(&e) && e > s {
        let first = s.date_naive();
        let last = (e - Duration::days(1)).date_naive();
        return if first == last {
            first.to_string()
        } else {
            format!("{first} – {last}")
        };
    }
    let until = if s.date_naive() == e.date_naive() {
        clock_words(end)
    } else {
        format!("{} {}", e.date_naive(), clock_words(end))
    };
    format!(
        "{} {} until {until} UTC (end excluded)",
        s.date_naive(),
        clock_words(start)
    )
}

/// The UTC time of day of `t` as [`period_words`] writes it: `HH:MM`, or
/// `HH:MM:SS` with the fraction when there are seconds.
pub fn clock_words(t: Timestamp) -> String {
    use chrono::Timelike;
    let t = t.as_utc();
    if t.second() == 0 && t.nanosecond() == 0 {
        t.format("%H:%M").to_string()
    } else {
        t.format("%H:%M:%S%.f").to_string()
    }
}

#[cfg(test)]
mod tests {
    /// Tester 39, finding 5: a date or time written as RFC 3339 writes one
    /// that does not exist says why, not that it is not RFC 3339.
    #[test]
    fn a_well_formed_day_or_time_that_does_not_exist_says_why() {
        let why = |e: Result<(), TimeError>| e.unwrap_err().to_string();
        let date = |t: &str| why(Date::parse(t).map(|_| ()));
        let time = |t: &str| why(Timestamp::parse(t).map(|_| ()));
        assert_eq!(
            date("2023-02-29"),
            "`2023-02-29` is written as an RFC 3339 full-date but does not exist: February 2023 \
             has 28 days"
        );
        assert!(date("2024-04-31").ends_with("does not exist: April 2024 has 30 days"));
        assert!(date("2024-02-30").ends_with("February 2024 has 29 days"));
        assert!(date("2024-13-01").ends_with("there is no month 13; a year has 12 months"));
        assert!(date("2024-01-00").ends_with(
            "there is no day 0; days are counted from 1 (and January 2024 has 31 days)"
        ));
        assert_eq!(
            time("2024-01-01T24:00:00Z"),
            "`2024-01-01T24:00:00Z` is written as an RFC 3339 date-time but does not exist: hour \
             24 does not exist; midnight is 00:00 of the next day"
        );
        assert!(time("2023-02-29T00:00:00Z").ends_with("February 2023 has 28 days"));
        assert!(time("2024-04-31T00:00:00Z").ends_with("April 2024 has 30 days"));
        assert!(
            time("2024-01-01T23:60:00Z").ends_with("there is no minute 60; minutes go up to 59")
        );
        assert!(
            time("2024-01-01T25:00:00.5+01:00").ends_with("there is no hour 25; hours go up to 23")
        );
        assert!(
            time("2024-01-01T00:00:00+24:00").ends_with("an offset is at most ±23:59 (here 24:00)")
        );
        // What is not written as RFC 3339 writes one keeps its sentence.
        assert_eq!(
            date("2024-1-01"),
            "`2024-1-01` is not an RFC 3339 full-date (YYYY-MM-DD)"
        );
        assert!(time("2024-01-01T00:00:00").contains("is not an RFC 3339 date-time with an offset"));
        assert!(time("2024-01-01T10:00:60Z").contains("leap second"));
    }

    use super::*;

    #[test]
    fn a_space_between_date_and_time_is_refused_by_name() {
        let e = Timestamp::parse("2000-12-31 23:59:59+23:59").unwrap_err();
        assert_eq!(
            e,
            TimeError::SpaceSeparator("2000-12-31 23:59:59+23:59".into())
        );
        assert!(e.to_string().contains("write a `T`"), "{e}");
        // Lower-case `t` and `z` are RFC 3339 and stay accepted.
        assert!(Timestamp::parse("2000-12-31t23:59:59z").is_ok());
    }

    #[test]
    fn writes_utc_z() {
        let t = Timestamp::parse("2023-12-31T19:00:00-05:00").unwrap();
        assert_eq!(t.to_string(), "2024-01-01T00:00:00Z");
        assert_eq!(
            Timestamp::parse("2024-01-01T00:00:00.5Z")
                .unwrap()
                .to_string(),
            "2024-01-01T00:00:00.500Z"
        );
    }

    #[test]
    fn storage_order_is_instant_order() {
        let a = Timestamp::parse("2024-01-01T00:00:00Z").unwrap();
        let b = Timestamp::parse("2024-01-01T00:00:00.5Z").unwrap();
        assert!(a.to_storage() < b.to_storage());
        assert_eq!(Timestamp::from_storage(&b.to_storage()).unwrap(), b);
    }

    #[test]
    fn leap_seconds_only_at_the_end_of_a_utc_day() {
        let utc = Timestamp::parse("2016-12-31T23:59:60Z").unwrap();
        assert_eq!(utc.to_string(), "2016-12-31T23:59:60Z");
        let local = Timestamp::parse("2016-12-31T15:59:60.5-08:00").unwrap();
        assert_eq!(local.to_string(), "2016-12-31T23:59:60.500Z");
        assert!(utc < local);
        assert!(local < Timestamp::parse("2017-01-01T00:00:00Z").unwrap());
        assert!(Timestamp::parse("2016-12-31T23:59:59.999Z").unwrap() < utc);
        // Storage text keeps the order and reads back the same instant.
        assert_eq!(Timestamp::from_storage(&local.to_storage()).unwrap(), local);
        assert!(utc.to_storage() < local.to_storage());
        assert!(
            local.to_storage()
                < Timestamp::parse("2017-01-01T00:00:00Z")
                    .unwrap()
                    .to_storage()
        );
        for t in [
            "2024-02-10T12:30:60Z",
            "2016-12-31T23:59:60+01:00",
            "2016-12-31T23:58:60Z",
        ] {
            let e = Timestamp::parse(t).unwrap_err();
            assert!(matches!(e, TimeError::LeapSecond(..)), "{t}: {e}");
        }
        let e = Timestamp::parse("2016-12-31T23:59:60+01:00").unwrap_err();
        assert!(e.to_string().contains("here 22:59:60 UTC"), "{e}");
        assert!(Timestamp::parse("2016-12-31T23:59:61Z").is_err());
    }

    #[test]
    fn fractions_beyond_nanoseconds_are_refused_unless_zeros() {
        let e = Timestamp::parse("2024-01-01T00:00:00.1234567891Z").unwrap_err();
        assert!(matches!(e, TimeError::TooPrecise(_)), "{e}");
        let t = Timestamp::parse("2024-01-01T00:00:00.123456789000+00:00").unwrap();
        assert_eq!(t.to_string(), "2024-01-01T00:00:00.123456789Z");
        assert_eq!(
            Timestamp::parse("2024-01-01T00:00:00.123456789Z").unwrap(),
            t
        );
    }

    #[test]
    fn instants_outside_four_digit_utc_years_are_refused() {
        for t in ["0000-01-01T00:00:00+01:00", "9999-12-31T23:30:00-01:00"] {
            let e = Timestamp::parse(t).unwrap_err();
            assert!(matches!(e, TimeError::YearOutOfRange(..)), "{t}: {e}");
        }
        let first = Timestamp::parse("0000-01-01T00:00:00Z").unwrap();
        assert_eq!(first.to_string(), "0000-01-01T00:00:00Z");
        let last = Timestamp::parse("9999-12-31T23:59:59.999999999Z").unwrap();
        assert_eq!(last.to_string(), "9999-12-31T23:59:59.999999999Z");
        assert_eq!(Timestamp::from_storage(&last.to_storage()).unwrap(), last);
    }

    #[test]
    fn messages_quote_at_most_a_little_input() {
        let long = format!("2024-01-01T00:00:00Z{}", "x".repeat(1_000_000));
        let e = Timestamp::parse(&long).unwrap_err().to_string();
        assert!(e.len() < 250 && e.contains("more characters"), "{e}");
    }

    /// The hand-written formatting gives chrono's bytes, leap seconds,
    /// every fraction length and the edges of the four-digit years included
    /// (more cases in the crate's property tests).
    #[test]
    fn hand_formatting_matches_chrono() {
        for t in [
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999Z",
            "2016-12-31T23:59:60Z",
            "2016-12-31T23:59:60.5Z",
            "2016-12-31T23:59:60.000001Z",
            "2024-02-29T12:00:00.120Z",
            "2024-02-29T12:00:00.123400Z",
            "2024-02-29T12:00:00.000000001Z",
            "1969-12-31T23:59:59+00:30",
        ] {
            let ts = Timestamp::parse(t).unwrap();
            assert_eq!(
                ts.to_string(),
                ts.0.to_rfc3339_opts(SecondsFormat::AutoSi, true),
                "{t}"
            );
            assert_eq!(
                ts.to_storage(),
                ts.0.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string(),
                "{t}"
            );
            let d = ts.date();
            assert_eq!(d.to_string(), d.0.format("%Y-%m-%d").to_string(), "{t}");
        }
        // Storage text read by hand is the instant the full parser reads.
        for t in [
            "0000-01-01T00:00:00.000000000Z",
            "9999-12-31T23:59:59.999999999Z",
            "2016-12-31T23:59:60.500000000Z",
            "2024-02-29T12:00:00.000000001Z",
        ] {
            assert_eq!(
                Timestamp::from_storage(t).unwrap(),
                Timestamp::parse(t).unwrap(),
                "{t}"
            );
        }
        for bad in [
            "2023-02-29T00:00:00.000000000Z",
            "2024-01-01T24:00:00.000000000Z",
            "2024-01-01T12:00:60.000000000Z",
            "2024-01-01T00:00:00.00000000xZ",
        ] {
            assert!(Timestamp::from_storage(bad).is_err(), "{bad}");
        }
        // Outside 0000–9999 (never parsed, but constructible) chrono writes.
        let far = NaiveDate::from_ymd_opt(12345, 1, 2).unwrap();
        assert_eq!(Date::from_naive(far).to_string(), "+12345-01-02");
        let before = NaiveDate::from_ymd_opt(-1, 1, 2).unwrap();
        let at = Timestamp::from_utc(before.and_hms_opt(0, 0, 0).unwrap().and_utc());
        assert_eq!(
            at.to_string(),
            at.0.to_rfc3339_opts(SecondsFormat::AutoSi, true)
        );
        assert_eq!(
            at.to_storage(),
            at.0.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string()
        );
    }

    /// The common shapes are read by hand (the property tests compare
    /// them with chrono's reading); the rest is left to chrono.
    #[test]
    fn common_shapes_take_the_hand_reading() {
        for t in [
            "2024-01-01T00:00:00Z",
            "2024-01-01t00:00:00.5z",
            "2023-12-31T19:00:00.123456789-05:00",
            "0000-01-01T00:00:00Z",
        ] {
            assert_eq!(
                Timestamp::parse_common(t),
                Some(Timestamp::parse(t).unwrap()),
                "{t}"
            );
        }
        for t in [
            "2016-12-31T23:59:60Z",
            "2024-01-01 00:00:00Z",
            "0000-01-01T00:00:00+01:00",
            "2024-01-01T00:00:00.1234567890Z",
        ] {
            assert_eq!(Timestamp::parse_common(t), None, "{t}");
        }
    }

    #[test]
    fn rejects_bad_syntax() {
        for t in [
            "2024-01-01",
            "2024-01-01T00:00:00",
            "2024-13-01T00:00:00Z",
            "24-01-01T00:00:00Z",
            "",
        ] {
            assert!(Timestamp::parse(t).is_err(), "{t}");
        }
        for d in ["2024-1-5", "2024-02-30", "20240105", "2024-01-05T00:00:00Z"] {
            assert!(Date::parse(d).is_err(), "{d}");
        }
        assert!(Date::parse("2024-02-29").is_ok());
    }
}
