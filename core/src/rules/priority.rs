//! Priority and the order of assignment (protocol §6.2).
//!
//! `prioritytime = submission_ns − priority × 86 400 × 10⁹`: each priority unit is one day of
//! seniority, the lowest prioritytime is assigned first, equal priorities run FIFO.

use core::fmt;

/// The lowest priority a spec may have.
pub const MIN_PRIORITY: i64 = -50_000;
/// The highest priority a spec may have.
pub const MAX_PRIORITY: i64 = 50_000;
/// Nanoseconds in one day: the seniority one priority unit buys.
pub const NANOS_PER_DAY: i64 = 86_400 * 1_000_000_000;

/// A priority outside `[MIN_PRIORITY, MAX_PRIORITY]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PriorityError {
    /// The priority given.
    pub priority: i64,
}

impl PriorityError {
    /// The HTTP status Colonies answers with: 400.
    pub const fn status(&self) -> u16 {
        400
    }
}

impl fmt::Display for PriorityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Failed to submit function spec, priority outside range [{MIN_PRIORITY}, \
             {MAX_PRIORITY}]: {}",
            self.priority
        )
    }
}

impl core::error::Error for PriorityError {}

/// Checks that a spec's priority is within `[-50000, 50000]`.
pub const fn check_priority(priority: i64) -> Result<(), PriorityError> {
    if priority < MIN_PRIORITY || priority > MAX_PRIORITY {
        return Err(PriorityError { priority });
    }
    Ok(())
}

/// The prioritytime of a process submitted at `submission_ns` (Unix ns) with `priority`.
///
/// Saturates instead of wrapping; within the priority bounds and years 1678–2262 it is exact.
pub const fn priority_time(submission_ns: i64, priority: i64) -> i64 {
    submission_ns.saturating_sub(priority.saturating_mul(NANOS_PER_DAY))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_inclusive() {
        assert!(check_priority(MIN_PRIORITY).is_ok());
        assert!(check_priority(MAX_PRIORITY).is_ok());
        assert!(check_priority(0).is_ok());
        assert_eq!(check_priority(50_001), Err(PriorityError { priority: 50_001 }));
        assert!(check_priority(-50_001).is_err());
        assert_eq!(PriorityError { priority: 1 }.status(), 400);
    }

    #[test]
    fn each_unit_is_one_day_earlier() {
        let t = 1_770_890_400_000_000_000;
        assert_eq!(priority_time(t, 0), t);
        assert_eq!(priority_time(t, 1), t - NANOS_PER_DAY);
        assert_eq!(priority_time(t, -2), t + 2 * NANOS_PER_DAY);
        assert_eq!(priority_time(t, MAX_PRIORITY), t - 50_000 * NANOS_PER_DAY);
        assert!(priority_time(t, 5) < priority_time(t + 1, 5));
    }

    #[test]
    fn saturates_instead_of_wrapping() {
        assert_eq!(priority_time(i64::MIN, 1), i64::MIN);
        assert_eq!(priority_time(i64::MAX, -1), i64::MAX);
        assert_eq!(priority_time(0, i64::MAX), i64::MIN + 1);
    }
}
