//! The k256 backend signs and recovers through k256's lower-level API (no public key derived
//! for signing, variable-time inversion for recovery). These properties hold it to k256's own
//! `SigningKey` and `VerifyingKey::recover_from_prehash` on any input, valid or not, including
//! the rarely taken "x was reduced" recovery ids.
// A failed unwrap is a failed test: that is the point here.
#![allow(clippy::unwrap_used)]
#![cfg(not(target_arch = "wasm32"))]

use colonies_core::crypto::backend::{Backend, K256};
use k256::ecdsa::{RecoveryId, Signature, SigningKey, VerifyingKey};
use proptest::prelude::*;

/// What k256's own recovery gives, in the backend's output form.
fn library_recover(digest: &[u8; 32], rs: &[u8; 64], v: u8) -> Option<[u8; 65]> {
    let signature = Signature::from_slice(rs).ok()?;
    let recid = RecoveryId::from_byte(v)?;
    let key = VerifyingKey::recover_from_prehash(digest, &signature, recid).ok()?;
    key.to_sec1_point(false).as_bytes().try_into().ok()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn signing_matches_the_library(secret in any::<[u8; 32]>(), digest in any::<[u8; 32]>()) {
        let ours = K256::sign_prehash(&secret, &digest);
        let library = SigningKey::from_slice(&secret).ok().map(|key| {
            let (signature, recid) = key.sign_prehash_recoverable(&digest);
            let rs: [u8; 64] = signature.to_bytes().into();
            (rs, recid.to_byte())
        });
        prop_assert_eq!(ours, library);
    }

    #[test]
    fn recovery_matches_the_library(digest in any::<[u8; 32]>(), rs in any::<[u8; 64]>(), v in 0u8..4) {
        prop_assert_eq!(K256::recover_prehash(&digest, &rs, v), library_recover(&digest, &rs, v));
    }

    /// r below p − n is the only place ids 2 and 3 can recover anything: small r values.
    #[test]
    fn reduced_x_recovery_matches_the_library(
        digest in any::<[u8; 32]>(),
        r_low in any::<[u8; 16]>(),
        s in any::<[u8; 32]>(),
        v in 0u8..4,
    ) {
        let mut rs = [0u8; 64];
        rs[16..32].copy_from_slice(&r_low);
        rs[32..].copy_from_slice(&s);
        prop_assert_eq!(K256::recover_prehash(&digest, &rs, v), library_recover(&digest, &rs, v));
    }

    #[test]
    fn signatures_recover_their_signer(secret in any::<[u8; 32]>(), digest in any::<[u8; 32]>()) {
        if let Some((rs, v)) = K256::sign_prehash(&secret, &digest) {
            let public = K256::public_key(&secret).unwrap();
            prop_assert_eq!(K256::recover_prehash(&digest, &rs, v), Some(public));
            prop_assert_eq!(library_recover(&digest, &rs, v), Some(public));
        }
    }
}
