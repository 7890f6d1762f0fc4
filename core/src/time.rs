//! Timestamps as Colonies writes them: RFC 3339 with nanoseconds, and Go's zero time for "unset".
//!
//! Go servers render times in the server's local offset (`2026-02-12T11:00:00.123456789+01:00`),
//! and a zero time that went through Postgres may come back in a historical local-mean-time
//! offset (`0001-01-01T01:12:12+01:12`). Reading accepts any offset and 0–9 fractional digits
//! (more are truncated); any year-0001 time, in UTC or in its own offset, reads as
//! [`Timestamp::UNSET`](crate::time::Timestamp::UNSET). Writing is always UTC in Go's
//! `RFC3339Nano` form.

use alloc::string::String;
use core::{cmp::Ordering, fmt, hash, str::FromStr};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

const NANOS_PER_SECOND: i128 = 1_000_000_000;
const SECONDS_PER_DAY: i64 = 86_400;
/// Seconds from 0001-01-01T00:00:00Z to the Unix epoch, negated.
const GO_ZERO_UNIX_SECONDS: i64 = -62_135_596_800;

/// A point in time with nanosecond precision, or "unset" (Go's zero time).
///
/// Two timestamps are equal when they name the same instant, whatever offset they were written
/// in (like Go's `Time.Equal`); the offset is kept only so a reader can show local time.
#[derive(Clone, Copy)]
pub struct Timestamp {
    /// Nanoseconds since 1970-01-01T00:00:00Z.
    unix_nanos: i128,
    /// The UTC offset the time was written in, in seconds east of UTC.
    offset_seconds: i32,
}

/// Why a text is not an RFC 3339 timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimestampError {
    /// The text does not have the shape `YYYY-MM-DDThh:mm:ss[.f]Z|±hh:mm`.
    Syntax,
    /// A field is out of range (month 13, 31 April, hour 24, offset +24:00, ...).
    Range,
}

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax => f.write_str("not an RFC 3339 timestamp"),
            Self::Range => f.write_str("RFC 3339 timestamp field out of range"),
        }
    }
}

impl core::error::Error for TimestampError {}

impl Timestamp {
    /// Go's zero time `0001-01-01T00:00:00Z`: the time was never set.
    pub const UNSET: Self =
        Self { unix_nanos: GO_ZERO_UNIX_SECONDS as i128 * NANOS_PER_SECOND, offset_seconds: 0 };

    /// The instant `nanos` nanoseconds after the Unix epoch, in UTC.
    pub const fn from_unix_nanos(nanos: i64) -> Self {
        Self { unix_nanos: nanos as i128, offset_seconds: 0 }
    }

    /// Nanoseconds since the Unix epoch, or `None` when unset.
    ///
    /// Every set timestamp fits: parsing maps years before 0002 to unset, and an `i64` of
    /// nanoseconds reaches from 1677 to 2262; later years saturate.
    pub fn unix_nanos(&self) -> Option<i64> {
        if self.is_unset() {
            return None;
        }
        Some(i64::try_from(self.unix_nanos).unwrap_or(if self.unix_nanos < 0 {
            i64::MIN
        } else {
            i64::MAX
        }))
    }

    /// Whether this is Go's zero time (or any time in year 0001).
    pub fn is_unset(&self) -> bool {
        self.unix_nanos == Self::UNSET.unix_nanos
    }

    /// The UTC offset the time was written in, in seconds east of UTC (0 when built here).
    pub const fn offset_seconds(&self) -> i32 {
        self.offset_seconds
    }

    /// Reads an RFC 3339 timestamp with any offset; a year-0001 time reads as [`Self::UNSET`].
    pub fn parse(text: &str) -> Result<Self, TimestampError> {
        Rfc3339::parse(text.as_bytes())?.to_timestamp()
    }

    /// This time in Go's `RFC3339Nano` form in UTC, e.g. `2026-02-12T10:00:00.123456789Z`.
    pub fn to_rfc3339(&self) -> String {
        use core::fmt::Write;
        let mut out = String::with_capacity(30);
        // Writing into a String cannot fail.
        let _ = write!(out, "{self}");
        out
    }
}

impl Default for Timestamp {
    fn default() -> Self {
        Self::UNSET
    }
}

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.unix_nanos == other.unix_nanos
    }
}

impl Eq for Timestamp {}

impl hash::Hash for Timestamp {
    fn hash<H: hash::Hasher>(&self, state: &mut H) {
        self.unix_nanos.hash(state);
    }
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        self.unix_nanos.cmp(&other.unix_nanos)
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_unset() {
            f.write_str("Timestamp(unset)")
        } else {
            write!(f, "Timestamp({self})")
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seconds = self.unix_nanos.div_euclid(NANOS_PER_SECOND);
        let nanos = self.unix_nanos.rem_euclid(NANOS_PER_SECOND);
        // Parsed and constructed instants lie within years 0001..=9999 or the i64 range.
        let seconds = i64::try_from(seconds).unwrap_or(GO_ZERO_UNIX_SECONDS);
        let days = seconds.div_euclid(SECONDS_PER_DAY);
        let second_of_day = seconds.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            second_of_day / 3600,
            second_of_day / 60 % 60,
            second_of_day % 60
        )?;
        if nanos != 0 {
            // RFC3339Nano: up to nine digits, trailing zeros dropped.
            let mut digits = nanos;
            let mut width = 9;
            while digits % 10 == 0 {
                digits /= 10;
                width -= 1;
            }
            write!(f, ".{digits:0width$}")?;
        }
        f.write_str("Z")
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_option(TimestampVisitor)
    }
}

/// RFC 3339 as Go's `RFC3339Nano` writes it: `T`, 0–9 fractional digits, `Z` or `±hh:mm`.
#[cfg(feature = "schema")]
const WRITTEN_PATTERN: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$";

/// What [`Timestamp::parse`] reads: `T`, `t` or a space, a `.` or `,` fraction of any length,
/// `Z`, `z`, `±hh:mm` or `±hh:mm:ss`; also the empty text (unset).
#[cfg(feature = "schema")]
const READ_PATTERN: &str = "^([0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}([.,][0-9]+)?\
                            ([Zz]|[+-][0-9]{2}:[0-9]{2}(:[0-9]{2})?))?$";

/// On the wire a timestamp is RFC 3339 text. As written (serialize contract) it always is; as
/// read (deserialize contract) `null` and `""` are taken too, both meaning unset.
#[cfg(feature = "schema")]
impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> alloc::borrow::Cow<'static, str> {
        "Timestamp".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let description = "RFC 3339 text with up to nanoseconds, in whatever offset the server \
                           writes; any year-0001 time (Go's zero time, \
                           `0001-01-01T00:00:00Z`) means unset.";
        if generator.contract().is_serialize() {
            schemars::json_schema!({
                "type": "string",
                "format": "date-time",
                "pattern": WRITTEN_PATTERN,
                "description": description,
            })
        } else {
            schemars::json_schema!({
                "type": ["string", "null"],
                "pattern": READ_PATTERN,
                "description": alloc::format!("{description} `null` and `\"\"` read as unset."),
            })
        }
    }
}

/// Reads a timestamp string; `null` and `""` read as unset.
struct TimestampVisitor;

impl<'de> de::Visitor<'de> for TimestampVisitor {
    type Value = Timestamp;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an RFC 3339 timestamp string")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Timestamp, E> {
        if text.is_empty() {
            return Ok(Timestamp::UNSET);
        }
        Timestamp::parse(text).map_err(E::custom)
    }

    fn visit_none<E: de::Error>(self) -> Result<Timestamp, E> {
        Ok(Timestamp::UNSET)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Timestamp, E> {
        Ok(Timestamp::UNSET)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Timestamp, D::Error> {
        deserializer.deserialize_str(self)
    }
}

/// The fields of an RFC 3339 text, checked for range.
struct Rfc3339 {
    year: i64,
    month: u32,
    day: u32,
    second_of_day: i64,
    nanos: i64,
    offset_seconds: i32,
}

impl Rfc3339 {
    fn parse(text: &[u8]) -> Result<Self, TimestampError> {
        let mut cursor = Cursor { text, at: 0 };
        let year = cursor.digits(4)?;
        cursor.expect(b"-")?;
        let month = cursor.digits(2)?;
        cursor.expect(b"-")?;
        let day = cursor.digits(2)?;
        cursor.expect(b"Tt ")?;
        let hour = cursor.digits(2)?;
        cursor.expect(b":")?;
        let minute = cursor.digits(2)?;
        cursor.expect(b":")?;
        let second = cursor.digits(2)?;
        let nanos = cursor.fraction()?;
        let offset_seconds = cursor.offset()?;
        if cursor.at != text.len() {
            return Err(TimestampError::Syntax);
        }
        let month = u32::try_from(month).map_err(|_| TimestampError::Range)?;
        let day = u32::try_from(day).map_err(|_| TimestampError::Range)?;
        if !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return Err(TimestampError::Range);
        }
        Ok(Self {
            year,
            month,
            day,
            second_of_day: hour * 3600 + minute * 60 + second,
            nanos,
            offset_seconds,
        })
    }

    fn to_timestamp(&self) -> Result<Timestamp, TimestampError> {
        let local_seconds =
            days_from_civil(self.year, self.month, self.day) * SECONDS_PER_DAY + self.second_of_day;
        let utc_seconds = local_seconds - i64::from(self.offset_seconds);
        let utc_year = civil_from_days(utc_seconds.div_euclid(SECONDS_PER_DAY)).0;
        if self.year <= 1 || utc_year <= 1 {
            return Ok(Timestamp::UNSET);
        }
        Ok(Timestamp {
            unix_nanos: i128::from(utc_seconds) * NANOS_PER_SECOND + i128::from(self.nanos),
            offset_seconds: self.offset_seconds,
        })
    }
}

/// A position in the text being parsed.
struct Cursor<'a> {
    text: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    /// Consumes one byte that is any of `allowed`.
    fn expect(&mut self, allowed: &[u8]) -> Result<u8, TimestampError> {
        match self.peek() {
            Some(byte) if allowed.contains(&byte) => {
                self.at += 1;
                Ok(byte)
            }
            _ => Err(TimestampError::Syntax),
        }
    }

    /// Consumes exactly `count` ASCII digits.
    fn digits(&mut self, count: usize) -> Result<i64, TimestampError> {
        let mut value = 0;
        for _ in 0..count {
            let byte = self.expect(b"0123456789")?;
            value = value * 10 + i64::from(byte - b'0');
        }
        Ok(value)
    }

    /// An optional `.digits` fraction, as nanoseconds; digits past the ninth are dropped.
    fn fraction(&mut self) -> Result<i64, TimestampError> {
        if self.peek() != Some(b'.') && self.peek() != Some(b',') {
            return Ok(0);
        }
        self.at += 1;
        let start = self.at;
        let mut nanos = 0;
        let mut scale = 100_000_000;
        while let Some(byte @ b'0'..=b'9') = self.peek() {
            nanos += i64::from(byte - b'0') * scale;
            scale /= 10;
            self.at += 1;
        }
        if self.at == start {
            return Err(TimestampError::Syntax);
        }
        Ok(nanos)
    }

    /// `Z` or `±hh:mm` (or `±hh:mm:ss`, as local mean times have), in seconds east of UTC.
    fn offset(&mut self) -> Result<i32, TimestampError> {
        let sign = match self.expect(b"Zz+-")? {
            b'+' => 1,
            b'-' => -1,
            _ => return Ok(0),
        };
        let hours = self.digits(2)?;
        self.expect(b":")?;
        let minutes = self.digits(2)?;
        let seconds = if self.peek() == Some(b':') {
            self.at += 1;
            self.digits(2)?
        } else {
            0
        };
        if hours > 23 || minutes > 59 || seconds > 59 {
            return Err(TimestampError::Range);
        }
        let total = hours * 3600 + minutes * 60 + seconds;
        i32::try_from(sign * total).map_err(|_| TimestampError::Range)
    }
}

fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the proleptic Gregorian date `year-month-day`.
///
/// Counts in 400-year eras (146 097 days each) of years that start on 1 March, so that the
/// leap day is the last day of its year and month lengths follow a fixed 5-month pattern.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let march_year = if month <= 2 { year - 1 } else { year };
    let era = march_year.div_euclid(400);
    let year_of_era = march_year.rem_euclid(400);
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    // 719 468 days separate 0000-03-01 (day 0 of era 0) from 1970-01-01.
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date `(year, month, day)` that is `days` after 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    // Undo the leap-day corrections to find the year within the era.
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    // month is in 1..=12 and day in 1..=31 by construction.
    (year, month as u32, day as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn civil_days_agree_at_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1, 1, 1), GO_ZERO_UNIX_SECONDS / SECONDS_PER_DAY);
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(19_416), (2023, 2, 28));
        assert_eq!(civil_from_days(19_417), (2023, 3, 1));
        for days in (-800_000..800_000).step_by(97) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn writes_rfc3339_nano_in_utc() {
        let t = Timestamp::parse("2026-02-12T11:00:00.123456789+01:00").unwrap();
        assert_eq!(t.to_string(), "2026-02-12T10:00:00.123456789Z");
        assert_eq!(t.offset_seconds(), 3600);
        let t = Timestamp::parse("2026-02-12T10:00:00.5Z").unwrap();
        assert_eq!(t.to_string(), "2026-02-12T10:00:00.5Z");
        assert_eq!(Timestamp::from_unix_nanos(0).to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(Timestamp::from_unix_nanos(-1).to_string(), "1969-12-31T23:59:59.999999999Z");
        assert_eq!(Timestamp::UNSET.to_string(), "0001-01-01T00:00:00Z");
    }

    #[test]
    fn any_year_one_time_is_unset() {
        for text in [
            "0001-01-01T00:00:00Z",
            "0001-01-01T01:12:12+01:12",
            "0001-01-01T01:12:12+01:12:12",
            "0001-06-01T00:00:00.5-05:00",
            "0002-01-01T00:30:00+01:00",
            "0000-03-01T00:00:00Z",
        ] {
            assert!(Timestamp::parse(text).unwrap().is_unset(), "{text}");
        }
        assert_eq!(Timestamp::UNSET.unix_nanos(), None);
    }

    #[test]
    fn offsets_shift_the_instant() {
        let a = Timestamp::parse("2026-02-12T10:00:00Z").unwrap();
        let b = Timestamp::parse("2026-02-12T04:30:00-05:30").unwrap();
        let c = Timestamp::parse("2026-02-12t11:12:12+01:12:12").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(a.unix_nanos(), Some(1_770_890_400_000_000_000));
    }

    #[test]
    fn rejects_malformed_text() {
        for text in [
            "",
            "2026-02-12",
            "2026-02-12T10:00:00",
            "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-02-12T24:00:00Z",
            "2026-02-12T10:00:60Z",
            "2026-02-12T10:00:00.Z",
            "2026-02-12T10:00:00+24:00",
            "2026-02-12T10:00:00+0100",
            "2026-02-12T10:00:00Zjunk",
            "２026-02-12T10:00:00Z",
        ] {
            assert!(Timestamp::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn leap_days_are_checked() {
        assert!(Timestamp::parse("2024-02-29T00:00:00Z").is_ok());
        assert!(Timestamp::parse("2000-02-29T00:00:00Z").is_ok());
        assert!(Timestamp::parse("2100-02-29T00:00:00Z").is_err());
    }
}
