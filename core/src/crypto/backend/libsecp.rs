use super::Backend;
use secp256k1::{
    Message, PublicKey, SECP256K1, SecretKey,
    ecdsa::{RecoverableSignature, RecoveryId},
};

/// Bitcoin Core's libsecp256k1 (C, through the `secp256k1` crate): about twice as fast at
/// recovery; for native servers only.
#[derive(Debug, Clone, Copy)]
pub struct LibSecp256k1;

impl Backend for LibSecp256k1 {
    const NAME: &'static str = "libsecp256k1";

    fn public_key(secret: &[u8; 32]) -> Option<[u8; 65]> {
        let secret = SecretKey::from_byte_array(*secret).ok()?;
        Some(PublicKey::from_secret_key(SECP256K1, &secret).serialize_uncompressed())
    }

    fn sign_prehash(secret: &[u8; 32], digest: &[u8; 32]) -> Option<([u8; 64], u8)> {
        let secret = SecretKey::from_byte_array(*secret).ok()?;
        // libsecp256k1 signs with an RFC 6979 nonce and always emits low-S.
        let signature = SECP256K1.sign_ecdsa_recoverable(Message::from_digest(*digest), &secret);
        let (recid, rs) = signature.serialize_compact();
        Some((rs, i32::from(recid).try_into().ok()?))
    }

    fn recover_prehash(digest: &[u8; 32], rs: &[u8; 64], v: u8) -> Option<[u8; 65]> {
        let recid = RecoveryId::try_from(i32::from(v)).ok()?;
        let signature = RecoverableSignature::from_compact(rs, recid).ok()?;
        let key = SECP256K1.recover_ecdsa(Message::from_digest(*digest), &signature).ok()?;
        Some(key.serialize_uncompressed())
    }
}
