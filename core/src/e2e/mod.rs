//! End-to-end encrypted payloads (protocol §16): what a colony's members encrypt before the
//! server sees it, so the server schedules what it cannot read.
//!
//! - A colony has **data keys**, one per version (1, 2, …): 32 random bytes made by the colony
//!   owner's client ([`DataKey`]).
//! - Each version is **wrapped** for each member with the member's public key (ECIES on
//!   secp256k1: ECDH, HKDF-SHA256, XChaCha20-Poly1305; [`wrap`], [`unwrap`]). The server stores
//!   wrapped keys only.
//! - A client **seals** a field with the current key ([`DataKey::seal`]): the result is a string
//!   `ce1:<version>:<base64>` that every Colonies client reads as an ordinary string, and a
//!   member **opens** it with any version it holds ([`Keyring::open`]).
//! - [`fields`] says which fields of which models are sealed, and how each keeps its JSON
//!   type (an array stays an array, an object an object).
//!
//! Nothing here draws randomness unless the `getrandom` feature is on: the functions that
//! need a nonce or a key take it, and `*_random` variants draw it.

pub(crate) mod cipher;
pub mod fields;
pub mod messages;
mod wrap;

pub use cipher::{
    DataKey, E2eError, KEY_LEN, Keyring, NONCE_LEN, SEALED_PREFIX, is_sealed, sealed_version,
};
#[cfg(feature = "getrandom")]
pub use wrap::wrap_random;
pub use wrap::{WRAPPED_PREFIX, unwrap, wrap, wrapped_version};
