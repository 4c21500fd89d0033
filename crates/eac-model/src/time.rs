//! RFC 3339 datetimes and full-dates (digest §c).
//!
//! Datetimes are compared as instants and written in UTC as
//! `YYYY-MM-DDTHH:MM:SSZ` (fractional seconds only when present). Every
//! accepted instant is kept exactly and written back as a JSON Schema
//! `date-time` reader accepts it: second 60 only as a leap second at
//! 23:59:60 UTC (decision 38), at most nanoseconds (decision 39).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Timelike, Utc};
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
    /// RFC 3339 §5.6's grammar (and JSON Schema's `date-time`) wants `T`.
    #[error("`{}` separates the date and the time with a space; write a `T` between them (e.g. 2024-01-01T00:00:00Z)", quote(.0))]
    SpaceSeparator(String),
    /// Keeping only nanoseconds would change the instant.
    #[error("`{}` has more than nine digits of fractional seconds; EAC Desk keeps instants to the nanosecond and would change this one: round it to at most nine digits", quote(.0))]
    TooPrecise(String),
}

impl Timestamp {
    pub fn parse(text: &str) -> Result<Self, TimeError> {
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
            _ => return Err(TimeError::DateTime(text.to_owned())),
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
        self.0.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string()
    }

    /// Reads text written by [`Timestamp::to_storage`] (or any RFC 3339 text).
    pub fn from_storage(text: &str) -> Result<Self, TimeError> {
        Timestamp::parse(text)
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
        match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(d) if shape => Ok(Date(d)),
            _ => Err(TimeError::Date(text.to_owned())),
        }
    }

    pub fn from_naive(d: NaiveDate) -> Self {
        Date(d)
    }

    pub fn as_naive(&self) -> NaiveDate {
        self.0
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
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

#[cfg(test)]
mod tests {
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
