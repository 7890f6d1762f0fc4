//! Hexadecimal text, the way Colonies writes keys, IDs and signatures: lowercase out, any case in.

use alloc::string::String;
use core::fmt;

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Why a hex text could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HexError {
    /// The text holds this many characters where the type needs another count.
    Length {
        /// Characters expected.
        expected: usize,
        /// Characters found.
        found: usize,
    },
    /// A character outside `0-9a-fA-F`, or an odd number of characters.
    NotHex,
}

impl fmt::Display for HexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Length { expected, found } => {
                write!(f, "expected {expected} hex characters, found {found}")
            }
            Self::NotHex => f.write_str("not a hex string"),
        }
    }
}

impl core::error::Error for HexError {}

/// Lowercase hex of `bytes`.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// Writes lowercase hex of `bytes` to a formatter without allocating.
pub(crate) fn write(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    for b in bytes {
        let pair = [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 0x0f)]];
        // Both bytes are ASCII digits, so this never fails.
        f.write_str(core::str::from_utf8(&pair).map_err(|_| fmt::Error)?)?;
    }
    Ok(())
}

fn nibble(c: u8) -> Result<u8, HexError> {
    match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        b'A'..=b'F' => Ok(c - b'A' + 10),
        _ => Err(HexError::NotHex),
    }
}

/// Reads exactly `N` bytes from `2 * N` hex characters of either case.
pub fn decode_array<const N: usize>(text: &str) -> Result<[u8; N], HexError> {
    let bytes = text.as_bytes();
    if bytes.len() != 2 * N {
        return Err(HexError::Length { expected: 2 * N, found: bytes.len() });
    }
    let mut out = [0u8; N];
    for (slot, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        *slot = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Ok(out)
}

/// Reads any even number of hex characters of either case.
pub fn decode(text: &str) -> Result<alloc::vec::Vec<u8>, HexError> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return Err(HexError::NotHex);
    }
    bytes.chunks_exact(2).map(|pair| Ok((nibble(pair[0])? << 4) | nibble(pair[1])?)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_case() {
        assert_eq!(encode(&[0x00, 0xab, 0xff]), "00abff");
        assert_eq!(decode_array::<3>("00ABfF"), Ok([0x00, 0xab, 0xff]));
        assert_eq!(decode("0a0B").unwrap(), [0x0a, 0x0b]);
    }

    #[test]
    fn rejects_bad_text() {
        assert_eq!(decode_array::<2>("abc"), Err(HexError::Length { expected: 4, found: 3 }));
        assert_eq!(decode_array::<2>("zz00"), Err(HexError::NotHex));
        assert_eq!(decode("abc"), Err(HexError::NotHex));
        // Multi-byte UTF-8 must not be split into a bogus pair.
        assert_eq!(decode_array::<2>("éé"), Err(HexError::NotHex));
    }
}
