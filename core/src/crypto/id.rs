use crate::{crypto::KeyError, hex};
use alloc::string::String;
use core::{fmt, str::FromStr};
use sha3::{Digest, Sha3_256};

/// SHA3-256 (FIPS 202, not Keccak) of `message`: what Colonies signs and hashes IDs with.
pub fn digest(message: &[u8]) -> [u8; 32] {
    Sha3_256::digest(message).into()
}

/// A Colonies identity: 32 bytes, written as 64 lowercase hex characters.
///
/// For a key holder it is SHA3-256 of the hex text of the uncompressed public key; the
/// protocol's other IDs (processes, graphs, attributes…) share the form.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id([u8; 32]);

impl Id {
    /// Wraps 32 raw bytes.
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The 32 raw bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The ID of a public key given as its 130-character lowercase hex text.
    pub(crate) fn of_public_key_hex(public_key_hex: &str) -> Self {
        Self(digest(public_key_hex.as_bytes()))
    }

    /// An ID derived from arbitrary text, as Colonies derives attribute and random IDs:
    /// `SHA3-256(text)`.
    pub fn hash_of(text: &str) -> Self {
        Self(digest(text.as_bytes()))
    }

    /// The wire form: 64 lowercase hex characters.
    pub fn to_hex(&self) -> String {
        hex::encode(&self.0)
    }
}

impl FromStr for Id {
    type Err = KeyError;

    /// Reads 64 hex characters of either case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(hex::decode_array(s)?))
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        hex::write(f, &self.0)
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id({self})")
    }
}

impl serde::Serialize for Id {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Id {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <alloc::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
