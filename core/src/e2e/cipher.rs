//! Data keys and sealed strings: `ce1:<version>:<base64 of nonce ‖ ciphertext ‖ tag>`.
//!
//! XChaCha20-Poly1305 with a 24-byte random nonce; the associated data is
//! `ce1:<colony>:<version>`, so a sealed string opens only in the colony it was sealed for,
//! under the version it names.

use alloc::{collections::BTreeMap, format, string::String, vec::Vec};
use base64::{Engine, engine::general_purpose::STANDARD_NO_PAD};
use chacha20poly1305::{
    KeyInit, XChaCha20Poly1305, XNonce,
    aead::{Aead, Payload},
};
use core::fmt;
use zeroize::Zeroize;

/// What every sealed string starts with: the format's name and version.
pub const SEALED_PREFIX: &str = "ce1:";

/// A data key's length in bytes.
pub const KEY_LEN: usize = 32;

/// A nonce's length in bytes (XChaCha20).
pub const NONCE_LEN: usize = 24;

/// Why something could not be sealed, opened, wrapped or unwrapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum E2eError {
    /// Not a sealed (or wrapped) string: wrong prefix, version or base64.
    Malformed(&'static str),
    /// No key of this version is held.
    NoKey {
        /// The version the string names.
        version: u32,
    },
    /// The key does not open it: another key, another colony, or the text was changed.
    Forged,
    /// The platform's random source failed.
    Entropy,
    /// A member's public key is not a point of the curve.
    BadPublicKey,
}

impl fmt::Display for E2eError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(what) => write!(f, "not an encrypted value: {what}"),
            Self::NoKey { version } => {
                write!(f, "encrypted with key version {version}, which this identity does not hold")
            }
            Self::Forged => f.write_str(
                "the encrypted value does not open with this key (another colony's, or changed)",
            ),
            Self::Entropy => f.write_str("no randomness for a key or nonce"),
            Self::BadPublicKey => f.write_str("not a secp256k1 public key"),
        }
    }
}

impl core::error::Error for E2eError {}

/// One version of a colony's data key. The bytes are wiped when it is dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKey {
    version: u32,
    key: [u8; KEY_LEN],
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DataKey {{ version: {}, .. }}", self.version)
    }
}

impl Drop for DataKey {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

/// The associated data of a sealed string: the colony and the key version.
fn aad(colony: &str, version: u32) -> Vec<u8> {
    format!("{SEALED_PREFIX}{colony}:{version}").into_bytes()
}

impl DataKey {
    /// A key of `version` from its bytes.
    pub const fn from_bytes(version: u32, key: [u8; KEY_LEN]) -> Self {
        Self { version, key }
    }

    /// A fresh random key of `version`.
    #[cfg(feature = "getrandom")]
    pub fn generate(version: u32) -> Result<Self, E2eError> {
        let mut key = [0u8; KEY_LEN];
        getrandom::fill(&mut key).map_err(|_| E2eError::Entropy)?;
        Ok(Self { version, key })
    }

    /// Its version.
    pub const fn version(&self) -> u32 {
        self.version
    }

    /// Its bytes (for wrapping).
    pub(crate) const fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.key
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.key.into())
    }

    /// `plaintext` sealed for `colony` with this nonce: `ce1:<version>:<base64>`. A nonce must
    /// never be used twice with one key; [`DataKey::seal_random`] draws one.
    pub fn seal(&self, colony: &str, plaintext: &[u8], nonce: [u8; NONCE_LEN]) -> String {
        let aad = aad(colony, self.version);
        // Encryption with a valid key and nonce cannot fail for inputs below 256 GiB.
        let sealed = self
            .cipher()
            .encrypt(&XNonce::from(nonce), Payload { msg: plaintext, aad: &aad })
            .unwrap_or_default();
        let mut bytes = Vec::with_capacity(NONCE_LEN + sealed.len());
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&sealed);
        format!("{SEALED_PREFIX}{}:{}", self.version, STANDARD_NO_PAD.encode(bytes))
    }

    /// [`DataKey::seal`] with a random nonce.
    #[cfg(feature = "getrandom")]
    pub fn seal_random(&self, colony: &str, plaintext: &[u8]) -> Result<String, E2eError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|_| E2eError::Entropy)?;
        Ok(self.seal(colony, plaintext, nonce))
    }

    /// Opens a string this key sealed for `colony`.
    pub fn open(&self, colony: &str, sealed: &str) -> Result<Vec<u8>, E2eError> {
        let (version, bytes) = parse(sealed)?;
        if version != self.version {
            return Err(E2eError::NoKey { version });
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| E2eError::Malformed("nonce"))?;
        let aad = aad(colony, version);
        self.cipher()
            .decrypt(&XNonce::from(nonce), Payload { msg: ciphertext, aad: &aad })
            .map_err(|_| E2eError::Forged)
    }
}

/// A key version as written: decimal digits, no sign, no leading zero, 1 to 4294967295 (so
/// one version has one spelling, and the associated data is the text as sent).
pub(crate) fn parse_version(text: &str) -> Option<u32> {
    let canonical =
        !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && !text.starts_with('0');
    canonical.then(|| text.parse().ok()).flatten()
}

/// The version and bytes (nonce ‖ ciphertext ‖ tag) of a sealed string.
fn parse(sealed: &str) -> Result<(u32, Vec<u8>), E2eError> {
    let rest = sealed.strip_prefix(SEALED_PREFIX).ok_or(E2eError::Malformed("prefix"))?;
    let (version, body) = rest.split_once(':').ok_or(E2eError::Malformed("version"))?;
    let version = parse_version(version).ok_or(E2eError::Malformed("version"))?;
    let bytes = STANDARD_NO_PAD.decode(body).map_err(|_| E2eError::Malformed("base64"))?;
    // A nonce and a tag at least.
    if bytes.len() < NONCE_LEN + 16 {
        return Err(E2eError::Malformed("too short"));
    }
    Ok((version, bytes))
}

/// Whether `text` has the form of a sealed string (it may still fail to open).
pub fn is_sealed(text: &str) -> bool {
    parse(text).is_ok()
}

/// The key version a sealed string names.
pub fn sealed_version(text: &str) -> Option<u32> {
    parse(text).ok().map(|(version, _)| version)
}

/// The data keys a member holds, by version; seals with the newest.
#[derive(Debug, Clone, Default)]
pub struct Keyring {
    keys: BTreeMap<u32, DataKey>,
}

impl Keyring {
    /// An empty keyring (a plain colony, or a member without keys yet).
    pub const fn new() -> Self {
        Self { keys: BTreeMap::new() }
    }

    /// Adds (or replaces) a key.
    pub fn insert(&mut self, key: DataKey) {
        self.keys.insert(key.version, key);
    }

    /// The newest key: the one to seal with.
    pub fn current(&self) -> Option<&DataKey> {
        self.keys.values().next_back()
    }

    /// The key of `version`, if held.
    pub fn get(&self, version: u32) -> Option<&DataKey> {
        self.keys.get(&version)
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The versions held, oldest first.
    pub fn versions(&self) -> impl Iterator<Item = u32> + '_ {
        self.keys.keys().copied()
    }

    /// Opens a sealed string with the version it names.
    pub fn open(&self, colony: &str, sealed: &str) -> Result<Vec<u8>, E2eError> {
        let version = sealed_version(sealed).ok_or(E2eError::Malformed("not ce1"))?;
        self.keys.get(&version).ok_or(E2eError::NoKey { version })?.open(colony, sealed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_strings_open_with_their_key_in_their_colony_only() {
        let key = DataKey::from_bytes(1, [7; KEY_LEN]);
        let sealed = key.seal("dev", b"secret args", [1; NONCE_LEN]);
        assert!(sealed.starts_with("ce1:1:"), "{sealed}");
        assert!(is_sealed(&sealed));
        assert_eq!(sealed_version(&sealed), Some(1));
        assert_eq!(key.open("dev", &sealed).unwrap(), b"secret args");
        assert_eq!(key.open("prod", &sealed), Err(E2eError::Forged), "another colony");
        let other = DataKey::from_bytes(1, [8; KEY_LEN]);
        assert_eq!(other.open("dev", &sealed), Err(E2eError::Forged), "another key");
        let v2 = DataKey::from_bytes(2, [7; KEY_LEN]);
        assert_eq!(v2.open("dev", &sealed), Err(E2eError::NoKey { version: 1 }));
        // A changed byte anywhere is refused.
        let mut chars: Vec<char> = sealed.chars().collect();
        let last = chars.len() - 2;
        chars[last] = if chars[last] == 'A' { 'B' } else { 'A' };
        let changed: String = chars.into_iter().collect();
        assert!(key.open("dev", &changed).is_err());
        // Relabelled as another version: refused (the version is in the associated data).
        let relabelled = sealed.replacen("ce1:1:", "ce1:2:", 1);
        assert_eq!(v2.open("dev", &relabelled), Err(E2eError::Forged));
        for bad in ["", "ce1:", "ce1:x:AAAA", "ce1:1:!!", "ce1:1:AAAA", "plain text"] {
            assert!(!is_sealed(bad), "{bad}");
        }
        // One spelling per version.
        for other in ["01", "+1", "001", "0"] {
            let respelled = sealed.replacen("ce1:1:", &format!("ce1:{other}:"), 1);
            assert_eq!(key.open("dev", &respelled), Err(E2eError::Malformed("version")), "{other}");
        }
        assert_eq!(parse_version("4294967295"), Some(u32::MAX));
        assert_eq!(parse_version("4294967296"), None);
    }

    #[test]
    fn a_keyring_seals_with_the_newest_and_opens_every_version_it_holds() {
        let mut ring = Keyring::new();
        assert!(ring.is_empty() && ring.current().is_none());
        ring.insert(DataKey::from_bytes(1, [1; KEY_LEN]));
        ring.insert(DataKey::from_bytes(2, [2; KEY_LEN]));
        assert_eq!(ring.current().map(DataKey::version), Some(2));
        let old = ring.get(1).unwrap().seal("c", b"old", [3; NONCE_LEN]);
        let new = ring.current().unwrap().seal("c", b"new", [4; NONCE_LEN]);
        assert_eq!(ring.open("c", &old).unwrap(), b"old");
        assert_eq!(ring.open("c", &new).unwrap(), b"new");
        assert_eq!(ring.versions().collect::<Vec<_>>(), [1, 2]);
        let mut removed = Keyring::new();
        removed.insert(DataKey::from_bytes(1, [1; KEY_LEN]));
        assert_eq!(removed.open("c", &new), Err(E2eError::NoKey { version: 2 }));
        assert!(format!("{:?}", ring.get(1).unwrap()).contains("version: 1"));
        assert!(!format!("{:?}", ring.get(1).unwrap()).contains("[1"), "no key bytes in Debug");
    }
}
