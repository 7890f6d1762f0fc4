//! Resource strings of specs and assign requests (protocol §5.4, Go `pkg/parsers`).
//!
//! CPU is `"<n>m"` millicores; anything without the `m` suffix is 0 (a Go quirk kept for
//! compatibility). Memory and storage are `<n><unit>` with `Ki KiB Mi MiB Gi GiB TiB` (powers
//! of 1024) or `K KB Kb M MB Mb G Gb TB Tb` (powers of 1000); `""` is 0; a bare number is an
//! error. Units are case-sensitive, and `<n>` is a decimal integer with an optional sign.
//! Values are stored as integers and written back as `"<n>m"` and `"<bytes / 2²⁰>Mi"`.

use alloc::{format, string::String};
use core::fmt;

/// A resource string that does not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResourceError {
    /// The number part is not a decimal integer (e.g. `"m"`, `"1.5Gi"`).
    Number,
    /// A memory or storage value has no known unit (e.g. `"1"`, `"1XYZ"`).
    Unit,
    /// The value does not fit in 64 bits.
    Overflow,
}

impl ResourceError {
    /// The HTTP status Colonies answers with: 400.
    pub const fn status(&self) -> u16 {
        400
    }
}

impl fmt::Display for ResourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number => f.write_str("resource value is not an integer"),
            Self::Unit => f.write_str("no valid unit found in resource value"),
            Self::Overflow => f.write_str("resource value is too large"),
        }
    }
}

impl core::error::Error for ResourceError {}

/// Memory units and their factors; the longest matching suffix wins.
const MEMORY_UNITS: [(&str, i64); 18] = [
    ("KiB", 1 << 10),
    ("MiB", 1 << 20),
    ("GiB", 1 << 30),
    ("TiB", 1 << 40),
    ("Ki", 1 << 10),
    ("Mi", 1 << 20),
    ("Gi", 1 << 30),
    ("KB", 1_000),
    ("Kb", 1_000),
    ("MB", 1_000_000),
    ("Mb", 1_000_000),
    ("TB", 1_000_000_000_000),
    ("Tb", 1_000_000_000_000),
    ("K", 1_000),
    ("M", 1_000_000),
    ("G", 1_000_000_000),
    ("GB", 1_000_000_000),
    ("Gb", 1_000_000_000),
];

/// Millicores of a CPU string: `"4000m"` → 4000, `"4"` → 0 (no `m`), `""` → 0, `"m"` → error.
pub fn parse_cpu(cpu: &str) -> Result<i64, ResourceError> {
    match cpu.strip_suffix('m') {
        Some(number) => parse_integer(number),
        None => Ok(0),
    }
}

/// Bytes of a memory or storage string: `"10Gi"`, `"10G"`, `""` → 0; `"10"` → error.
pub fn parse_memory(memory: &str) -> Result<i64, ResourceError> {
    if memory.is_empty() {
        return Ok(0);
    }
    let (number, factor) = MEMORY_UNITS
        .iter()
        .filter_map(|(unit, factor)| memory.strip_suffix(unit).map(|number| (number, *factor)))
        .min_by_key(|(number, _)| number.len())
        .ok_or(ResourceError::Unit)?;
    parse_integer(number)?.checked_mul(factor).ok_or(ResourceError::Overflow)
}

/// The CPU string of `millicores`: `"<n>m"`.
pub fn format_cpu(millicores: i64) -> String {
    format!("{millicores}m")
}

/// The memory string of `bytes`, in whole MiB: `"<bytes / 2²⁰>Mi"`.
pub fn format_memory(bytes: i64) -> String {
    format!("{}Mi", bytes / (1 << 20))
}

/// Go's `strconv.ParseInt(s, 10, 64)`: optional sign, ASCII digits, no spaces.
fn parse_integer(text: &str) -> Result<i64, ResourceError> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ResourceError::Number);
    }
    text.parse().map_err(|_| ResourceError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_needs_the_m_suffix() {
        assert_eq!(parse_cpu("4000m"), Ok(4000));
        assert_eq!(parse_cpu("100m"), Ok(100));
        assert_eq!(parse_cpu("10"), Ok(0));
        assert_eq!(parse_cpu(""), Ok(0));
        assert_eq!(parse_cpu("m"), Err(ResourceError::Number));
        assert_eq!(parse_cpu("1.5m"), Err(ResourceError::Number));
        assert_eq!(parse_cpu("99999999999999999999m"), Err(ResourceError::Overflow));
        assert_eq!(ResourceError::Unit.status(), 400);
    }

    #[test]
    fn memory_units() {
        assert_eq!(parse_memory("1Gi"), Ok(1_073_741_824));
        assert_eq!(parse_memory("2GiB"), Ok(2 * 1_073_741_824));
        assert_eq!(parse_memory("1Mi"), Ok(1_048_576));
        assert_eq!(parse_memory("1MiB"), Ok(1_048_576));
        assert_eq!(parse_memory("3Ki"), Ok(3072));
        assert_eq!(parse_memory("3KiB"), Ok(3072));
        assert_eq!(parse_memory("1TiB"), Ok(1 << 40));
        assert_eq!(parse_memory("1G"), Ok(1_000_000_000));
        assert_eq!(parse_memory("1GB"), Ok(1_000_000_000));
        assert_eq!(parse_memory("1Gb"), Ok(1_000_000_000));
        assert_eq!(parse_memory("4000G"), Ok(4_000_000_000_000));
        assert_eq!(parse_memory("1M"), Ok(1_000_000));
        assert_eq!(parse_memory("1MB"), Ok(1_000_000));
        assert_eq!(parse_memory("1Mb"), Ok(1_000_000));
        assert_eq!(parse_memory("1K"), Ok(1_000));
        assert_eq!(parse_memory("1KB"), Ok(1_000));
        assert_eq!(parse_memory("1Kb"), Ok(1_000));
        assert_eq!(parse_memory("2TB"), Ok(2_000_000_000_000));
        assert_eq!(parse_memory("2Tb"), Ok(2_000_000_000_000));
        assert_eq!(parse_memory(""), Ok(0));
    }

    #[test]
    fn memory_errors() {
        assert_eq!(parse_memory("1"), Err(ResourceError::Unit));
        assert_eq!(parse_memory("1XYZ"), Err(ResourceError::Unit));
        assert_eq!(parse_memory("1gi"), Err(ResourceError::Unit));
        assert_eq!(parse_memory("Gi"), Err(ResourceError::Number));
        assert_eq!(parse_memory("1.5Gi"), Err(ResourceError::Number));
        assert_eq!(parse_memory(" 1Gi"), Err(ResourceError::Number));
        assert_eq!(parse_memory("1Ti"), Err(ResourceError::Unit));
        assert_eq!(parse_memory("9999999TiB"), Err(ResourceError::Overflow));
    }

    #[test]
    fn formats_back() {
        assert_eq!(format_cpu(0), "0m");
        assert_eq!(format_cpu(4000), "4000m");
        assert_eq!(format_memory(0), "0Mi");
        assert_eq!(format_memory(10 << 30), "10240Mi");
        assert_eq!(format_memory(1_000_000_000), "953Mi");
        let bytes = parse_memory(&format_memory(parse_memory("10Gi").unwrap())).unwrap();
        assert_eq!(bytes, 10 << 30);
    }
}
