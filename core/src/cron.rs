//! Cron expressions with a seconds field, as Colonies crons use them (robfig/cron with
//! seconds): `sec min hour day-of-month month day-of-week`. Each field takes `*`, `?`, a
//! number or name, a range `a-b`, a step `x/n` (`*/n`, `a-b/n`, `a/n` = from a to the end),
//! and comma lists. When both day fields are restricted a day matches either (as in cron);
//! otherwise both must match. Times are UTC. Pure: no clock, no I/O.

use alloc::{format, string::String, vec::Vec};
use core::fmt;

/// A parsed expression: one bit set per allowed value of each field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CronExpr {
    seconds: u64,
    minutes: u64,
    hours: u64,
    days: u64,
    months: u64,
    weekdays: u64,
    /// Day of month was `*` or `?`.
    any_day: bool,
    /// Day of week was `*` or `?`.
    any_weekday: bool,
}

/// Why an expression does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronError(pub String);

impl fmt::Display for CronError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid cron expression: {}", self.0)
    }
}

impl core::error::Error for CronError {}

const MONTHS: [&str; 12] =
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

fn value(text: &str, min: u32, max: u32, names: &[&str], base: u32) -> Result<u32, CronError> {
    let upper = text.to_ascii_uppercase();
    if let Some(i) = names.iter().position(|n| *n == upper) {
        return Ok(u32::try_from(i).unwrap_or_default() + base);
    }
    let v: u32 = text.parse().map_err(|_| CronError(format!("{text:?} is not a number")))?;
    if v < min || v > max {
        return Err(CronError(format!("{v} is outside {min}-{max}")));
    }
    Ok(v)
}

/// Parses one field into a bit set; the bool says whether it was `*` or `?`.
fn field(
    text: &str,
    min: u32,
    max: u32,
    names: &[&str],
    base: u32,
) -> Result<(u64, bool), CronError> {
    let mut bits = 0u64;
    let mut star = false;
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => {
                let step: u32 =
                    s.parse().map_err(|_| CronError(format!("bad step {s:?} in {part:?}")))?;
                if step == 0 {
                    return Err(CronError(format!("step 0 in {part:?}")));
                }
                (r, Some(step))
            }
            None => (part, None),
        };
        let (lo, hi) = if range == "*" || range == "?" {
            star = step.is_none() && text.split(',').count() == 1;
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            (value(a, min, max, names, base)?, value(b, min, max, names, base)?)
        } else {
            let v = value(range, min, max, names, base)?;
            (v, if step.is_some() { max } else { v })
        };
        if lo > hi {
            return Err(CronError(format!("empty range {part:?}")));
        }
        let step = step.unwrap_or(1);
        let mut v = lo;
        while v <= hi {
            bits |= 1 << v;
            v += step;
        }
    }
    Ok((bits, star))
}

impl CronExpr {
    /// Parses a six-field expression (seconds first).
    pub fn parse(text: &str) -> Result<Self, CronError> {
        let fields: Vec<&str> = text.split_whitespace().collect();
        let [s, mi, h, d, mo, w] = fields.as_slice() else {
            return Err(CronError(format!(
                "{text:?} has {} fields; 6 are needed (seconds first)",
                fields.len()
            )));
        };
        let (seconds, _) = field(s, 0, 59, &[], 0)?;
        let (minutes, _) = field(mi, 0, 59, &[], 0)?;
        let (hours, _) = field(h, 0, 23, &[], 0)?;
        let (days, any_day) = field(d, 1, 31, &[], 0)?;
        let (months, _) = field(mo, 1, 12, &MONTHS, 1)?;
        let (mut weekdays, any_weekday) = field(w, 0, 7, &WEEKDAYS, 0)?;
        if weekdays & (1 << 7) != 0 {
            weekdays |= 1; // 7 is Sunday too
        }
        Ok(Self { seconds, minutes, hours, days, months, weekdays, any_day, any_weekday })
    }

    fn day_matches(&self, day: u32, weekday: u32) -> bool {
        let d = self.days & (1 << day) != 0;
        let w = self.weekdays & (1 << weekday) != 0;
        if self.any_day || self.any_weekday { d && w } else { d || w }
    }

    /// The first matching second strictly after `after` (Unix seconds, UTC); `None` when
    /// nothing matches within five years (e.g. February 30th).
    pub fn next_after(&self, after: i64) -> Option<i64> {
        let start = after + 1;
        let first_day = start.div_euclid(86_400);
        for day in first_day..first_day + 5 * 366 {
            let from = if day == first_day { start.rem_euclid(86_400) } else { 0 };
            let (_, month, dom) = civil_from_days(day);
            let weekday = u32::try_from((day + 4).rem_euclid(7)).unwrap_or_default();
            if self.months & (1 << month) != 0
                && self.day_matches(dom, weekday)
                && let Some(second) = self.first_time_from(from)
            {
                return Some(day * 86_400 + second);
            }
        }
        None
    }

    /// The first matching second of a day at or after `from` seconds into it.
    fn first_time_from(&self, from: i64) -> Option<i64> {
        let from = u32::try_from(from).ok()?;
        let (h0, m0, s0) = (from / 3600, from / 60 % 60, from % 60);
        for h in h0..24 {
            if self.hours & (1 << h) == 0 {
                continue;
            }
            let m_start = if h == h0 { m0 } else { 0 };
            for m in m_start..60 {
                if self.minutes & (1 << m) == 0 {
                    continue;
                }
                let s_start = if h == h0 && m == m0 { s0 } else { 0 };
                if let Some(s) = (s_start..60).find(|s| self.seconds & (1 << s) != 0) {
                    return Some(i64::from(h * 3600 + m * 60 + s));
                }
            }
        }
        None
    }
}

/// (year, month 1–12, day 1–31) of a day count since 1970-01-01 (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, u32::try_from(month).unwrap_or(1), u32::try_from(day).unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses() {
        assert!(CronExpr::parse("0/1 * * * * *").is_ok());
        assert!(CronExpr::parse("0 30 9 * * MON-FRI").is_ok());
        assert!(CronExpr::parse("*/5 * * ? JAN,JUL *").is_ok());
        assert!(CronExpr::parse("* * * * *").is_err());
        assert!(CronExpr::parse("60 * * * * *").is_err());
        assert!(CronExpr::parse("*/0 * * * * *").is_err());
        assert!(CronExpr::parse("x * * * * *").is_err());
    }

    #[test]
    fn next_times() -> Result<(), CronError> {
        // 2024-02-29T12:00:00Z = 1709208000 (a Thursday).
        let t = 1_709_208_000;
        assert_eq!(CronExpr::parse("0/1 * * * * *")?.next_after(t), Some(t + 1));
        assert_eq!(CronExpr::parse("*/10 * * * * *")?.next_after(t), Some(t + 10));
        assert_eq!(CronExpr::parse("0 0 * * * *")?.next_after(t), Some(t + 3600));
        // Next midnight on the 1st: 2024-03-01T00:00:00Z.
        assert_eq!(CronExpr::parse("0 0 0 1 * *")?.next_after(t), Some(1_709_251_200));
        // Next Monday 09:30: 2024-03-04T09:30:00Z.
        assert_eq!(CronExpr::parse("0 30 9 * * MON")?.next_after(t), Some(1_709_544_600));
        assert_eq!(CronExpr::parse("0 0 0 30 2 *")?.next_after(t), None);
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        Ok(())
    }
}
