use crate::{
    crypto::{
        Id, PublicKey,
        backend::{Active, Backend},
        id::digest,
    },
    hex,
};
use alloc::string::String;
use core::{fmt, str::FromStr};

/// The curve order n, big-endian.
const ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
];

/// ⌊n / 2⌋, big-endian: the largest `s` a canonical (low-S) signature may carry.
const HALF_ORDER: [u8; 32] = [
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
];

/// A signature that is malformed, non-canonical, or recovers no key.
///
/// Deliberately opaque: a caller learns that the signature is invalid, never which check
/// failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignatureError;

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid signature")
    }
}

impl core::error::Error for SignatureError {}

/// Which of the (up to four) candidate public keys a signature recovers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecoveryId {
    /// Even y, x = r.
    Zero,
    /// Odd y, x = r.
    One,
    /// Even y, x = r + n (astronomically rare).
    Two,
    /// Odd y, x = r + n (astronomically rare).
    Three,
}

impl RecoveryId {
    /// The recovery id as the number 0–3 that Colonies writes as the signature's last byte.
    pub const fn to_byte(self) -> u8 {
        match self {
            Self::Zero => 0,
            Self::One => 1,
            Self::Two => 2,
            Self::Three => 3,
        }
    }

    /// Reads the last byte of a wire signature.
    ///
    /// 0–3 are the recovery id. 4–7 are accepted as 0–3: the Go server adds 27 and hands the
    /// byte to btcec, which reads 31–34 as "compressed key" headers and still recovers the
    /// same key, so the reference server accepts them and we do too (the recovered identity
    /// is unchanged, so nothing can be gained by sending them). 8 and above are rejected,
    /// as are Ethereum-style 27/28.
    pub const fn from_wire(v: u8) -> Option<Self> {
        match v & 0x03 {
            _ if v > 7 => None,
            0 => Some(Self::Zero),
            1 => Some(Self::One),
            2 => Some(Self::Two),
            _ => Some(Self::Three),
        }
    }
}

impl TryFrom<u8> for RecoveryId {
    type Error = SignatureError;

    fn try_from(v: u8) -> Result<Self, Self::Error> {
        Self::from_wire(v).ok_or(SignatureError)
    }
}

/// A recoverable secp256k1 signature: `r || s || v`, 65 bytes, 130 hex characters on the wire.
///
/// A value of this type is always canonical: `r` and `s` in `[1, n)`, `s ≤ n/2`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Signature {
    rs: [u8; 64],
    recovery_id: RecoveryId,
}

fn in_range(scalar: &[u8], max_exclusive: &[u8; 32]) -> bool {
    scalar.iter().any(|&b| b != 0) && scalar < max_exclusive.as_slice()
}

impl Signature {
    /// Reads 65 bytes `r || s || v`, rejecting zero or out-of-range scalars, high S and v ≥ 8.
    pub fn from_bytes(bytes: &[u8; 65]) -> Result<Self, SignatureError> {
        let (r, rest) = bytes.split_at(32);
        let (s, v) = rest.split_at(32);
        // Big-endian byte slices of equal length compare like the numbers they hold.
        if !(in_range(r, &ORDER) && in_range(s, &ORDER) && s <= HALF_ORDER.as_slice()) {
            return Err(SignatureError);
        }
        let recovery_id = RecoveryId::from_wire(v[0]).ok_or(SignatureError)?;
        let mut rs = [0u8; 64];
        rs.copy_from_slice(&bytes[..64]);
        Ok(Self { rs, recovery_id })
    }

    /// Wraps the output of a backend (already canonical).
    pub(crate) fn from_validated(rs: [u8; 64], v: u8) -> Self {
        Self { rs, recovery_id: RecoveryId::from_wire(v).unwrap_or(RecoveryId::Zero) }
    }

    /// The 65 bytes `r || s || v` with `v` in 0–3.
    pub fn to_bytes(&self) -> [u8; 65] {
        let mut out = [0u8; 65];
        out[..64].copy_from_slice(&self.rs);
        out[64] = self.recovery_id.to_byte();
        out
    }

    /// The 64 bytes `r || s`.
    pub const fn rs(&self) -> &[u8; 64] {
        &self.rs
    }

    /// The recovery id.
    pub const fn recovery_id(&self) -> RecoveryId {
        self.recovery_id
    }

    /// The wire form: 130 lowercase hex characters.
    pub fn to_hex(&self) -> String {
        hex::encode(&self.to_bytes())
    }

    /// The public key that signed SHA3-256 of `message`.
    ///
    /// A valid signature over a *different* message recovers a different key without error;
    /// authorisation, not this function, rejects it.
    pub fn recover_public_key(&self, message: &[u8]) -> Result<PublicKey, SignatureError> {
        self.recover_public_key_from_digest(&digest(message))
    }

    /// The public key that signed a 32-byte digest.
    pub fn recover_public_key_from_digest(
        &self,
        digest: &[u8; 32],
    ) -> Result<PublicKey, SignatureError> {
        Active::recover_prehash(digest, &self.rs, self.recovery_id.to_byte())
            .map(PublicKey::from_backend)
            .ok_or(SignatureError)
    }

    /// The identity of whoever signed SHA3-256 of `message`.
    pub fn recover_id(&self, message: &[u8]) -> Result<Id, SignatureError> {
        self.recover_public_key(message).map(|key| key.id())
    }
}

impl FromStr for Signature {
    type Err = SignatureError;

    /// Reads 130 hex characters of either case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_bytes(&hex::decode_array(s).map_err(|_| SignatureError)?)
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        hex::write(f, &self.to_bytes())
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({self})")
    }
}
