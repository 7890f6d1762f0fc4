//! The secp256k1 implementations behind [`PrivateKey`](super::PrivateKey) and
//! [`Signature`](super::Signature).
//!
//! Both backends see only validated input (a scalar in `[1, n)`, `r` and `s` in range, `s`
//! low) and must produce byte-identical results; the crypto vectors hold both to that.

mod rustcrypto;
pub use rustcrypto::K256;

#[cfg(feature = "secp256k1")]
mod libsecp;
#[cfg(feature = "secp256k1")]
pub use libsecp::LibSecp256k1;

/// What a signature backend does: derive, sign, recover. All inputs are pre-validated.
pub trait Backend {
    /// A short name for benchmarks and logs.
    const NAME: &'static str;
    /// The 65-byte uncompressed public key (`0x04 || X || Y`) of a valid secret scalar.
    fn public_key(secret: &[u8; 32]) -> Option<[u8; 65]>;
    /// RFC 6979 deterministic, low-S signature of a 32-byte digest: `(r || s, recovery id)`.
    fn sign_prehash(secret: &[u8; 32], digest: &[u8; 32]) -> Option<([u8; 64], u8)>;
    /// The uncompressed public key that produced `r || s` over `digest` with recovery id `v`.
    fn recover_prehash(digest: &[u8; 32], rs: &[u8; 64], v: u8) -> Option<[u8; 65]>;
}

// The one place the backend is chosen.
#[cfg(feature = "secp256k1")]
/// The backend every public API uses: libsecp256k1 when the `secp256k1` feature is on.
pub type Active = LibSecp256k1;
#[cfg(not(feature = "secp256k1"))]
/// The backend every public API uses: k256 unless the `secp256k1` feature is on.
pub type Active = K256;
