//! Wrapping a data key for one member (ECIES on secp256k1):
//! `cw1:<version>:<base64 of ephemeral public key (65) ‖ nonce (24) ‖ sealed key (48)>`.
//!
//! 1. The wrapper draws an ephemeral key pair; the shared secret is the x coordinate of
//!    ECDH(ephemeral secret, member's public key).
//! 2. HKDF-SHA256 with salt = ephemeral public key ‖ member's public key (both 65-byte SEC1)
//!    and info = `colonies-edge/e2e/wrap/v1` gives a 32-byte key.
//! 3. XChaCha20-Poly1305 seals the data key's 32 bytes under it, with associated data
//!    `cw1:<version>`.
//!
//! The member unwraps with its own private key (ECDH(member secret, ephemeral public key) is
//! the same point). The member's public key is the one the server recovered from the
//! member's signature: nobody uploads a key.

use super::{DataKey, E2eError, KEY_LEN, NONCE_LEN, cipher::parse_version};
use crate::crypto::{PrivateKey, PublicKey};
use alloc::{format, string::String, vec::Vec};
use base64::{Engine, engine::general_purpose::STANDARD_NO_PAD};
use chacha20poly1305::{
    KeyInit, XChaCha20Poly1305, XNonce,
    aead::{Aead, Payload},
};
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroize;

/// What every wrapped key starts with.
pub const WRAPPED_PREFIX: &str = "cw1:";

/// HKDF's info.
const INFO: &[u8] = b"colonies-edge/e2e/wrap/v1";

const POINT_LEN: usize = 65;

/// The 32-byte key that seals a wrapped key, from ECDH of `secret` and `public`.
fn kek(
    secret: &PrivateKey,
    public: &PublicKey,
    ephemeral: &[u8; POINT_LEN],
    member: &[u8; POINT_LEN],
) -> Result<[u8; KEY_LEN], E2eError> {
    let public =
        k256::PublicKey::from_sec1_bytes(public.as_bytes()).map_err(|_| E2eError::BadPublicKey)?;
    let mut scalar = secret.to_bytes();
    let secret = k256::SecretKey::from_bytes(&scalar.into()).map_err(|_| E2eError::BadPublicKey);
    scalar.zeroize();
    let secret = secret?;
    let shared = k256::ecdh::diffie_hellman(secret.to_nonzero_scalar(), public.as_affine());
    let mut salt = [0u8; 2 * POINT_LEN];
    salt[..POINT_LEN].copy_from_slice(ephemeral);
    salt[POINT_LEN..].copy_from_slice(member);
    let mut okm = [0u8; KEY_LEN];
    Hkdf::<Sha256>::new(Some(&salt), shared.raw_secret_bytes())
        .expand(INFO, &mut okm)
        .map_err(|_| E2eError::Malformed("hkdf length"))?;
    Ok(okm)
}

/// `key` wrapped for `member`, with this ephemeral key and nonce (never reuse either;
/// clients draw both at random).
pub fn wrap(
    key: &DataKey,
    member: &PublicKey,
    ephemeral: &PrivateKey,
    nonce: [u8; NONCE_LEN],
) -> Result<String, E2eError> {
    let ephemeral_public = ephemeral.public_key();
    let mut kek = kek(ephemeral, member, ephemeral_public.as_bytes(), member.as_bytes())?;
    let aad = format!("{WRAPPED_PREFIX}{}", key.version());
    let sealed = XChaCha20Poly1305::new(&kek.into())
        .encrypt(&XNonce::from(nonce), Payload { msg: key.bytes(), aad: aad.as_bytes() })
        .map_err(|_| E2eError::Forged);
    kek.zeroize();
    let mut bytes = Vec::with_capacity(POINT_LEN + NONCE_LEN + KEY_LEN + 16);
    bytes.extend_from_slice(ephemeral_public.as_bytes());
    bytes.extend_from_slice(&nonce);
    bytes.extend_from_slice(&sealed?);
    Ok(format!("{WRAPPED_PREFIX}{}:{}", key.version(), STANDARD_NO_PAD.encode(bytes)))
}

/// [`wrap`] with a fresh ephemeral key and nonce.
#[cfg(feature = "getrandom")]
pub fn wrap_random(key: &DataKey, member: &PublicKey) -> Result<String, E2eError> {
    let ephemeral = PrivateKey::generate().map_err(|_| E2eError::Entropy)?;
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::fill(&mut nonce).map_err(|_| E2eError::Entropy)?;
    wrap(key, member, &ephemeral, nonce)
}

/// The key version a wrapped key names.
pub fn wrapped_version(wrapped: &str) -> Option<u32> {
    let rest = wrapped.strip_prefix(WRAPPED_PREFIX)?;
    parse_version(rest.split_once(':')?.0)
}

/// The data key `wrapped` holds, opened with the member's private key.
pub fn unwrap(wrapped: &str, member: &PrivateKey) -> Result<DataKey, E2eError> {
    let rest = wrapped.strip_prefix(WRAPPED_PREFIX).ok_or(E2eError::Malformed("prefix"))?;
    let (version, body) = rest.split_once(':').ok_or(E2eError::Malformed("version"))?;
    let version = parse_version(version).ok_or(E2eError::Malformed("version"))?;
    let bytes = STANDARD_NO_PAD.decode(body).map_err(|_| E2eError::Malformed("base64"))?;
    if bytes.len() != POINT_LEN + NONCE_LEN + KEY_LEN + 16 {
        return Err(E2eError::Malformed("length"));
    }
    let (point, rest) = bytes.split_at(POINT_LEN);
    let (nonce, sealed) = rest.split_at(NONCE_LEN);
    let point: [u8; POINT_LEN] = point.try_into().map_err(|_| E2eError::Malformed("point"))?;
    let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| E2eError::Malformed("nonce"))?;
    let ephemeral = PublicKey::from_bytes(point).map_err(|_| E2eError::BadPublicKey)?;
    let member_public = member.public_key();
    let mut kek = kek(member, &ephemeral, &point, member_public.as_bytes())?;
    let aad = format!("{WRAPPED_PREFIX}{version}");
    let opened = XChaCha20Poly1305::new(&kek.into())
        .decrypt(&XNonce::from(nonce), Payload { msg: sealed, aad: aad.as_bytes() })
        .map_err(|_| E2eError::Forged);
    kek.zeroize();
    let mut opened = opened?;
    let key: Result<[u8; KEY_LEN], _> = opened.as_slice().try_into();
    opened.zeroize();
    Ok(DataKey::from_bytes(version, key.map_err(|_| E2eError::Malformed("key length"))?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> PrivateKey {
        PrivateKey::from_bytes([n; 32]).expect("a scalar")
    }

    #[test]
    fn only_the_member_it_was_wrapped_for_unwraps_it() {
        let data = DataKey::from_bytes(3, [9; KEY_LEN]);
        let alice = key(1);
        let wrapped = wrap(&data, &alice.public_key(), &key(2), [5; NONCE_LEN]).unwrap();
        assert!(wrapped.starts_with("cw1:3:"), "{wrapped}");
        assert_eq!(wrapped_version(&wrapped), Some(3));
        assert_eq!(unwrap(&wrapped, &alice).unwrap(), data);
        assert_eq!(unwrap(&wrapped, &key(3)), Err(E2eError::Forged), "another member");
        let relabelled = wrapped.replacen("cw1:3:", "cw1:4:", 1);
        assert_eq!(unwrap(&relabelled, &alice), Err(E2eError::Forged), "version is bound");
        let respelled = wrapped.replacen("cw1:3:", "cw1:03:", 1);
        assert_eq!(unwrap(&respelled, &alice), Err(E2eError::Malformed("version")));
        assert_eq!(wrapped_version(&respelled), None);
        for bad in ["", "cw1:", "cw1:3:AAAA", "ce1:3:AAAA", "cw1:x:AAAA"] {
            assert!(unwrap(bad, &alice).is_err(), "{bad}");
        }
    }
}
