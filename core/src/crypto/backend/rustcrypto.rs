use super::Backend;
use k256::ecdsa::{RecoveryId, Signature, SigningKey, VerifyingKey};

/// The pure-Rust RustCrypto `k256` backend: portable (wasm32, bare metal), the default.
#[derive(Debug, Clone, Copy)]
pub struct K256;

fn uncompressed(key: &VerifyingKey) -> Option<[u8; 65]> {
    key.to_sec1_point(false).as_bytes().try_into().ok()
}

impl Backend for K256 {
    const NAME: &'static str = "k256";

    fn public_key(secret: &[u8; 32]) -> Option<[u8; 65]> {
        let key = SigningKey::from_slice(secret).ok()?;
        uncompressed(key.verifying_key())
    }

    fn sign_prehash(secret: &[u8; 32], digest: &[u8; 32]) -> Option<([u8; 64], u8)> {
        let key = SigningKey::from_slice(secret).ok()?;
        let (signature, recid) = key.sign_prehash_recoverable(digest);
        // k256 already normalises to low-S and flips the recovery id with it; this keeps the
        // guarantee explicit should that default ever change.
        let (signature, recid) = match signature.normalize_s() {
            normalized if normalized != signature => {
                (normalized, RecoveryId::new(!recid.is_y_odd(), recid.is_x_reduced()))
            }
            _ => (signature, recid),
        };
        Some((signature.to_bytes().into(), recid.to_byte()))
    }

    fn recover_prehash(digest: &[u8; 32], rs: &[u8; 64], v: u8) -> Option<[u8; 65]> {
        let signature = Signature::from_slice(rs).ok()?;
        let recid = RecoveryId::from_byte(v)?;
        let key = VerifyingKey::recover_from_prehash(digest, &signature, recid).ok()?;
        uncompressed(&key)
    }
}
