use crate::{
    crypto::{
        Id, Signature,
        backend::{Active, Backend},
        id::digest,
    },
    hex::{self, HexError},
};
use alloc::string::String;
use core::{fmt, str::FromStr};
use zeroize::Zeroize;

/// Why a key could not be read or made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// Not hex, or not the right number of characters.
    Hex(HexError),
    /// A private key scalar of zero or at least the curve order, or bytes that are not a
    /// point on the curve.
    OutOfRange,
    /// The platform's random source failed while generating a key.
    Entropy,
}

impl From<HexError> for KeyError {
    fn from(e: HexError) -> Self {
        Self::Hex(e)
    }
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Hex(e) => e.fmt(f),
            Self::OutOfRange => f.write_str("not a valid secp256k1 key"),
            Self::Entropy => f.write_str("the random source failed"),
        }
    }
}

impl core::error::Error for KeyError {}

/// A secp256k1 private key: a scalar in `[1, n)`. Wire form: 64 lowercase hex characters.
///
/// The scalar is wiped from memory on drop and never shown by `Debug`.
#[derive(Clone)]
pub struct PrivateKey {
    scalar: [u8; 32],
}

impl PrivateKey {
    /// A fresh key from the platform's random source (`crypto.getRandomValues` on wasm32).
    #[cfg(feature = "getrandom")]
    pub fn generate() -> Result<Self, KeyError> {
        loop {
            let mut scalar = [0u8; 32];
            getrandom::fill(&mut scalar).map_err(|_| KeyError::Entropy)?;
            // Out of range happens with probability ~2^-128; draw again.
            if let Ok(key) = Self::from_bytes(scalar) {
                return Ok(key);
            }
        }
    }

    /// The key with this 32-byte big-endian scalar, if it lies in `[1, n)`.
    pub fn from_bytes(mut scalar: [u8; 32]) -> Result<Self, KeyError> {
        if Active::public_key(&scalar).is_none() {
            scalar.zeroize();
            return Err(KeyError::OutOfRange);
        }
        Ok(Self { scalar })
    }

    /// The 32-byte big-endian scalar.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.scalar
    }

    /// The wire form: 64 lowercase hex characters, leading zeros kept.
    pub fn to_hex(&self) -> String {
        hex::encode(&self.scalar)
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        // The scalar was validated on construction, so derivation cannot fail.
        PublicKey(Active::public_key(&self.scalar).unwrap_or([0; 65]))
    }

    /// The Colonies identity of this key.
    pub fn id(&self) -> Id {
        self.public_key().id()
    }

    /// Signs SHA3-256 of `message` (RFC 6979 nonce, low S): the same bytes the Go, Python
    /// and TypeScript Colonies clients produce.
    pub fn sign(&self, message: &[u8]) -> Signature {
        self.sign_digest(&digest(message))
    }

    /// Signs an already computed 32-byte digest.
    pub fn sign_digest(&self, digest: &[u8; 32]) -> Signature {
        // Signing with a valid scalar cannot fail in either backend.
        let (rs, v) = Active::sign_prehash(&self.scalar, digest).unwrap_or(([0; 64], 0));
        Signature::from_validated(rs, v)
    }
}

impl Drop for PrivateKey {
    fn drop(&mut self) {
        self.scalar.zeroize();
    }
}

impl PartialEq for PrivateKey {
    fn eq(&self, other: &Self) -> bool {
        // Not secret-dependent timing critical: keys are compared only in tests and tools.
        self.scalar == other.scalar
    }
}

impl Eq for PrivateKey {}

impl FromStr for PrivateKey {
    type Err = KeyError;

    /// Reads 64 hex characters of either case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_bytes(hex::decode_array(s.trim())?)
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey").field("id", &self.id()).finish_non_exhaustive()
    }
}

/// A secp256k1 public key in its uncompressed SEC1 form `0x04 || X || Y` (65 bytes).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublicKey([u8; 65]);

impl PublicKey {
    /// Checks that 65 bytes are an uncompressed point on the curve.
    pub fn from_bytes(bytes: [u8; 65]) -> Result<Self, KeyError> {
        if bytes[0] != 0x04 || k256::PublicKey::from_sec1_bytes(&bytes).is_err() {
            return Err(KeyError::OutOfRange);
        }
        Ok(Self(bytes))
    }

    /// Wraps bytes a backend produced (already a valid uncompressed point).
    pub(crate) const fn from_backend(bytes: [u8; 65]) -> Self {
        Self(bytes)
    }

    /// The 65 bytes `0x04 || X || Y`.
    pub const fn as_bytes(&self) -> &[u8; 65] {
        &self.0
    }

    /// The wire form: 130 lowercase hex characters, starting `04`.
    pub fn to_hex(&self) -> String {
        hex::encode(&self.0)
    }

    /// The Colonies identity: SHA3-256 of the 130-character hex text (not of the raw bytes).
    pub fn id(&self) -> Id {
        Id::of_public_key_hex(&self.to_hex())
    }

    /// Whether `signature` over `message` was made by this key (low S required).
    pub fn verify(&self, message: &[u8], signature: &Signature) -> bool {
        signature.recover_public_key(message).is_ok_and(|key| key == *self)
    }
}

impl FromStr for PublicKey {
    type Err = KeyError;

    /// Reads 130 hex characters of either case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_bytes(hex::decode_array(s)?)
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        hex::write(f, &self.0)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({self})")
    }
}
