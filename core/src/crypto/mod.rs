//! Colonies identity: secp256k1 keys, SHA3-256 identities and recoverable signatures.
//!
//! The scheme (protocol §1): a private key is a secp256k1 scalar written as 64 hex characters;
//! its [`Id`] is the SHA3-256 of the *130-character hex text* of the uncompressed public key;
//! a message is signed over SHA3-256 of its bytes with an RFC 6979 nonce and low S, and the
//! 65-byte signature `r || s || v` lets anyone recover the signer's public key, hence its ID.

pub mod backend;
mod id;
mod keys;
mod signature;

pub use id::{Id, digest};
pub use keys::{KeyError, PrivateKey, PublicKey};
pub use signature::{RecoveryId, Signature, SignatureError};

/// Any failure of the identity layer, for callers that do not need to tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CryptoError {
    /// A key or ID was not of the right form (see [`KeyError`]).
    Key(KeyError),
    /// A signature was malformed or did not recover a key (deliberately opaque).
    Signature(SignatureError),
}

impl From<KeyError> for CryptoError {
    fn from(e: KeyError) -> Self {
        Self::Key(e)
    }
}

impl From<SignatureError> for CryptoError {
    fn from(e: SignatureError) -> Self {
        Self::Signature(e)
    }
}

impl core::fmt::Display for CryptoError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Key(e) => e.fmt(f),
            Self::Signature(e) => e.fmt(f),
        }
    }
}

impl core::error::Error for CryptoError {}
