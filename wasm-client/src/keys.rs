//! Colonies identity in JavaScript: secp256k1 keys, IDs, signatures (protocol §1).
//!
//! Everything is [`colonies_core`]'s; this module only crosses the boundary. Messages are
//! JavaScript strings and are signed as their UTF-8 bytes, as every Colonies client does.

use crate::error::Error;
use colonies_core::{PublicKey, Signature, crypto::digest, hex};
use wasm_bindgen::prelude::*;

fn input(error: impl core::fmt::Display) -> Error {
    Error::Input(error.to_string())
}

/// A secp256k1 private key. Its scalar is wiped from wasm memory when the object is freed.
#[wasm_bindgen]
pub struct PrivateKey(colonies_core::PrivateKey);

#[wasm_bindgen]
impl PrivateKey {
    /// A fresh key from the platform's random source (`crypto.getRandomValues`).
    pub fn generate() -> Result<PrivateKey, Error> {
        colonies_core::PrivateKey::generate().map(Self).map_err(input)
    }

    /// Reads 64 hex characters (either case); throws a `ColoniesError` (`reason: "input"`)
    /// for anything else or for a scalar outside `[1, n)`.
    #[wasm_bindgen(js_name = fromHex)]
    pub fn from_hex(hex: &str) -> Result<PrivateKey, Error> {
        hex.parse().map(Self).map_err(input)
    }

    /// The key as 64 lowercase hex characters: keep it secret.
    #[wasm_bindgen(js_name = toHex)]
    pub fn to_hex(&self) -> String {
        self.0.to_hex()
    }

    /// The Colonies ID of this key: SHA3-256 of the public key's hex text, 64 hex characters.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.0.id().to_hex()
    }

    /// The uncompressed public key, 130 hex characters starting `04`.
    #[wasm_bindgen(getter, js_name = publicKey)]
    pub fn public_key(&self) -> String {
        self.0.public_key().to_hex()
    }

    /// Signs SHA3-256 of the UTF-8 bytes of `message` (RFC 6979, low S): `r || s || v` as 130
    /// hex characters, the same bytes the Go, Python and Rust clients produce.
    pub fn sign(&self, message: &str) -> String {
        self.0.sign(message.as_bytes()).to_hex()
    }
}

impl PrivateKey {
    /// The core key inside.
    pub fn as_core(&self) -> &colonies_core::PrivateKey {
        &self.0
    }
}

impl From<colonies_core::PrivateKey> for PrivateKey {
    fn from(key: colonies_core::PrivateKey) -> Self {
        Self(key)
    }
}

/// The ID of whoever signed `message`: what a Colonies server does with every request.
/// Throws (`reason: "input"`) for a malformed, high-S or unrecoverable signature.
#[wasm_bindgen(js_name = recoverId)]
pub fn recover_id(message: &str, signature: &str) -> Result<String, Error> {
    let signature: Signature = signature.parse().map_err(input)?;
    signature.recover_id(message.as_bytes()).map(|id| id.to_hex()).map_err(input)
}

/// The public key (130 hex characters) that signed `message`.
#[wasm_bindgen(js_name = recoverPublicKey)]
pub fn recover_public_key(message: &str, signature: &str) -> Result<String, Error> {
    let signature: Signature = signature.parse().map_err(input)?;
    signature.recover_public_key(message.as_bytes()).map(|key| key.to_hex()).map_err(input)
}

/// Whether `signature` over `message` was made by `publicKey` (130 hex characters).
/// Anything malformed is simply `false`.
#[wasm_bindgen]
pub fn verify(
    #[wasm_bindgen(js_name = publicKey)] public_key: &str,
    message: &str,
    signature: &str,
) -> bool {
    match (public_key.parse::<PublicKey>(), signature.parse::<Signature>()) {
        (Ok(key), Ok(signature)) => key.verify(message.as_bytes(), &signature),
        _ => false,
    }
}

/// The Colonies ID of a public key given as 130 hex characters.
#[wasm_bindgen(js_name = idOfPublicKey)]
pub fn id_of_public_key(
    #[wasm_bindgen(js_name = publicKey)] public_key: &str,
) -> Result<String, Error> {
    public_key.parse::<PublicKey>().map(|key| key.id().to_hex()).map_err(input)
}

/// SHA3-256 (FIPS 202) of the UTF-8 bytes of `message`, as 64 hex characters.
#[wasm_bindgen]
pub fn sha3(message: &str) -> String {
    hex::encode(&digest(message.as_bytes()))
}
