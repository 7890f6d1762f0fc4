//! The ranges of the numbers clients send (protocol §4, §5), checked before any of them
//! reaches SQL, an interval, a deadline or a `Duration`.
//!
//! A number outside its range is the client's mistake: a 400 that names the field and the
//! range, never a database error. The bounds are Go's where Go has them: Colonies stores
//! these numbers in `INTEGER` (int4) columns, so anything past `int4` is an error there too
//! (a 500). Seconds are bounded by [`MAX_SECONDS`] (`int4`, about 68 years), which keeps
//! every deadline and every `* INTERVAL '1 second'` far inside Postgres' limits. Go's
//! "none" values stay accepted: `-1` for `maxwaittime`, `maxexectime` and `maxretries`, and
//! any negative generator `timeout` (the Go SDK sends `-1`).

use crate::model::FunctionSpec;
use core::fmt;

/// The most seconds any duration a client sends may last: `int4`'s maximum (about 68 years).
pub const MAX_SECONDS: i64 = i32::MAX as i64;
/// The smallest number an `int4` field takes.
pub const MIN_INT4: i64 = i32::MIN as i64;
/// The largest number an `int4` field takes.
pub const MAX_INT4: i64 = i32::MAX as i64;
/// The longest one `assignprocessmsg` long poll lasts, in seconds; a longer timeout is
/// shortened to it (the executor is answered "no process" then and polls again, as it does
/// at any timeout).
pub const MAX_ASSIGN_TIMEOUT: i64 = 86_400;

/// A number outside the range its field allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RangeError {
    /// The field, as the client names it (e.g. `"seconds"`, `"conditions.nodes"`).
    pub field: &'static str,
    /// The number given.
    pub value: i64,
    /// The smallest number allowed (`i64::MIN`: no lower bound).
    pub min: i64,
    /// The largest number allowed.
    pub max: i64,
    /// Whether `-1` is allowed as well (a "none" below `min`).
    pub or_minus_one: bool,
}

impl RangeError {
    /// The HTTP status Colonies answers with: 400.
    pub const fn status(&self) -> u16 {
        400
    }
}

impl fmt::Display for RangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self { field, value, min, max, or_minus_one } = *self;
        write!(f, "{field} {value} is out of range: ")?;
        match (min, or_minus_one) {
            (i64::MIN, _) => write!(f, "it must be at most {max}"),
            (_, true) => write!(f, "it must be -1 or between {min} and {max}"),
            (_, false) => write!(f, "it must be between {min} and {max}"),
        }
    }
}

impl core::error::Error for RangeError {}

/// Checks that `value` of `field` is within `[min, max]`.
pub const fn check_range(
    field: &'static str,
    value: i64,
    min: i64,
    max: i64,
) -> Result<(), RangeError> {
    if value < min || value > max {
        return Err(RangeError { field, value, min, max, or_minus_one: false });
    }
    Ok(())
}

/// Checks a number that goes to an `int4` column or is one in Go (`[-2³¹, 2³¹ − 1]`).
pub const fn check_int4(field: &'static str, value: i64) -> Result<(), RangeError> {
    check_range(field, value, MIN_INT4, MAX_INT4)
}

/// Checks the numbers of a function spec other than `priority` (see
/// [`check_priority`](super::priority::check_priority)): `maxwaittime`, `maxexectime` and
/// `maxretries` (negative: none) and the counts of its conditions are `int4`, as Go stores
/// them. `conditions.walltime` is any number (Go stores a `BIGINT`; it is never computed
/// with here).
pub fn check_function_spec(spec: &FunctionSpec) -> Result<(), RangeError> {
    let c = &spec.conditions;
    for (field, value) in [
        ("maxwaittime", spec.maxwaittime),
        ("maxexectime", spec.maxexectime),
        ("maxretries", spec.maxretries),
        ("conditions.nodes", c.nodes),
        ("conditions.processes", c.processes),
        ("conditions.processespernode", c.processespernode),
        ("conditions.gpu.count", c.gpu.count),
        ("conditions.gpu.nodecount", c.gpu.nodecount),
    ] {
        check_int4(field, value)?;
    }
    Ok(())
}

/// Checks `getprocesshistmsg`'s `seconds`: how far back, `[0, MAX_SECONDS]`.
pub const fn check_history_seconds(seconds: i64) -> Result<(), RangeError> {
    check_range("seconds", seconds, 0, MAX_SECONDS)
}

/// Checks a cron's `interval`: `-1` (follow the cron expression) or `[1, MAX_SECONDS]`
/// seconds between runs (Go stores an `INT`; `0` is refused, as in Go).
pub const fn check_cron_interval(interval: i64) -> Result<(), RangeError> {
    if interval == -1 || (interval >= 1 && interval <= MAX_SECONDS) {
        return Ok(());
    }
    Err(RangeError {
        field: "interval",
        value: interval,
        min: 1,
        max: MAX_SECONDS,
        or_minus_one: true,
    })
}

/// Checks a generator's `trigger` (`[1, MAX_INT4]` packed args) and `timeout` (at most
/// [`MAX_SECONDS`]; `0` or negative: no timeout, as the Go SDK's `-1` means).
pub const fn check_generator(trigger: i64, timeout: i64) -> Result<(), RangeError> {
    if let Err(e) = check_range("trigger", trigger, 1, MAX_INT4) {
        return Err(e);
    }
    check_range("timeout", timeout, i64::MIN, MAX_SECONDS)
}

/// The seconds a cron waits between runs when its stored `interval` is positive, at most
/// [`MAX_SECONDS`]: a row written before the checks above cannot push the next run past
/// what a timestamp holds.
pub const fn cron_wait(interval: i64) -> i64 {
    if interval > MAX_SECONDS { MAX_SECONDS } else { interval }
}

/// The `timeout` an `assignprocessmsg` is served with: a positive one at most
/// [`MAX_ASSIGN_TIMEOUT`] seconds, others as sent (`0` is refused, negative: no wait).
pub const fn assign_timeout(timeout: i64) -> i64 {
    if timeout > MAX_ASSIGN_TIMEOUT { MAX_ASSIGN_TIMEOUT } else { timeout }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn ranges_are_inclusive_and_name_the_field() {
        assert_eq!(check_range("count", 0, 0, 100), Ok(()));
        assert_eq!(check_range("count", 100, 0, 100), Ok(()));
        let e = check_range("count", 101, 0, 100).unwrap_err();
        assert_eq!(e.status(), 400);
        assert_eq!(e.to_string(), "count 101 is out of range: it must be between 0 and 100");
        assert_eq!(check_int4("x", MAX_INT4), Ok(()));
        assert_eq!(check_int4("x", MIN_INT4), Ok(()));
        assert!(check_int4("x", MAX_INT4 + 1).is_err());
        assert!(check_int4("x", MIN_INT4 - 1).is_err());
    }

    #[test]
    fn history_seconds() {
        assert_eq!(check_history_seconds(0), Ok(()));
        assert_eq!(check_history_seconds(3600), Ok(()));
        assert_eq!(check_history_seconds(MAX_SECONDS), Ok(()));
        let e = check_history_seconds(i64::MAX).unwrap_err();
        assert_eq!(
            e.to_string(),
            "seconds 9223372036854775807 is out of range: it must be between 0 and 2147483647"
        );
        assert!(check_history_seconds(-1).is_err());
        assert!(check_history_seconds(i64::MIN).is_err());
    }

    #[test]
    fn function_specs_keep_go_defaults() {
        let mut spec = FunctionSpec {
            maxwaittime: -1,
            maxexectime: -1,
            maxretries: -1,
            ..FunctionSpec::default()
        };
        assert_eq!(check_function_spec(&spec), Ok(()));
        spec.conditions.walltime = i64::MAX;
        assert_eq!(check_function_spec(&spec), Ok(()));
        spec.maxexectime = MAX_INT4 + 1;
        assert_eq!(check_function_spec(&spec).map_err(|e| e.field), Err("maxexectime"));
        spec.maxexectime = 100;
        spec.conditions.gpu.count = i64::MIN;
        assert_eq!(check_function_spec(&spec).map_err(|e| e.field), Err("conditions.gpu.count"));
        spec.conditions.gpu.count = 1;
        spec.conditions.nodes = i64::MAX;
        assert_eq!(check_function_spec(&spec).map_err(|e| e.field), Err("conditions.nodes"));
    }

    #[test]
    fn cron_intervals() {
        assert_eq!(check_cron_interval(-1), Ok(()));
        assert_eq!(check_cron_interval(1), Ok(()));
        assert_eq!(check_cron_interval(MAX_SECONDS), Ok(()));
        for bad in [0, -2, i64::MIN, MAX_SECONDS + 1, i64::MAX] {
            assert!(check_cron_interval(bad).is_err(), "{bad}");
        }
        assert_eq!(
            check_cron_interval(0).unwrap_err().to_string(),
            "interval 0 is out of range: it must be -1 or between 1 and 2147483647"
        );
        assert_eq!(cron_wait(i64::MAX), MAX_SECONDS);
        assert_eq!(cron_wait(60), 60);
    }

    #[test]
    fn generators_take_negative_timeouts_as_none() {
        assert_eq!(check_generator(1, -1), Ok(()));
        assert_eq!(check_generator(1, i64::MIN), Ok(()));
        assert_eq!(check_generator(MAX_INT4, MAX_SECONDS), Ok(()));
        assert_eq!(check_generator(0, 0).map_err(|e| e.field), Err("trigger"));
        assert_eq!(check_generator(i64::MAX, 0).map_err(|e| e.field), Err("trigger"));
        let e = check_generator(1, i64::MAX).unwrap_err();
        assert_eq!(
            e.to_string(),
            "timeout 9223372036854775807 is out of range: it must be at most 2147483647"
        );
    }

    #[test]
    fn assign_timeouts_are_capped() {
        assert_eq!(assign_timeout(i64::MAX), MAX_ASSIGN_TIMEOUT);
        assert_eq!(assign_timeout(10), 10);
        assert_eq!(assign_timeout(0), 0);
        assert_eq!(assign_timeout(i64::MIN), i64::MIN);
    }
}
