//! Property tests of the identity layer: round trips hold for any key and message, and no
//! tampering, malformed text or non-canonical twin is ever accepted, or makes anything panic.
// A failed unwrap is a failed test: that is the point here.
#![allow(clippy::unwrap_used)]
#![cfg(not(target_arch = "wasm32"))]

use colonies_core::{PrivateKey, RpcMsg, Signature, hex};
use proptest::prelude::*;

/// The curve order n.
const ORDER_HEX: &str = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

fn private_key() -> impl Strategy<Value = PrivateKey> {
    any::<[u8; 32]>()
        .prop_filter_map("scalar in [1, n)", |bytes| PrivateKey::from_bytes(bytes).ok())
}

/// `n - s` for a 32-byte big-endian `s` (the high-S twin of a low-S signature).
fn negate_mod_order(s: &[u8]) -> [u8; 32] {
    let order: [u8; 32] = hex::decode_array(ORDER_HEX).unwrap();
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut digit = i16::from(order[i]) - i16::from(s[i]) - borrow;
        borrow = i16::from(digit < 0);
        if digit < 0 {
            digit += 256;
        }
        out[i] = u8::try_from(digit).unwrap();
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn sign_then_recover_gives_the_signer(key in private_key(), message in any::<Vec<u8>>()) {
        let signature = key.sign(&message);
        prop_assert_eq!(signature.recover_id(&message).unwrap(), key.id());
        prop_assert!(key.public_key().verify(&message, &signature));
        // The wire form round-trips, and RFC 6979 makes signing deterministic.
        let reparsed: Signature = signature.to_hex().parse().unwrap();
        prop_assert_eq!(reparsed, signature);
        prop_assert_eq!(key.sign(&message), signature);
        let key_again: PrivateKey = key.to_hex().parse().unwrap();
        prop_assert_eq!(key_again.id(), key.id());
    }

    #[test]
    fn tampered_payload_recovers_someone_else(
        key in private_key(),
        message in proptest::collection::vec(any::<u8>(), 1..256),
        index in any::<prop::sample::Index>(),
        flip in 1u8..=255,
    ) {
        let signature = key.sign(&message);
        let mut tampered = message.clone();
        let i = index.index(tampered.len());
        tampered[i] ^= flip;
        // Either no key is recovered or a different one: never the signer.
        if let Ok(id) = signature.recover_id(&tampered) {
            prop_assert_ne!(id, key.id());
        }
        prop_assert!(!key.public_key().verify(&tampered, &signature));
    }

    #[test]
    fn tampered_signature_never_yields_the_signer(
        key in private_key(),
        message in any::<Vec<u8>>(),
        index in 0usize..64,
        flip in 1u8..=255,
    ) {
        let mut bytes = key.sign(&message).to_bytes();
        bytes[index] ^= flip;
        if let Ok(id) = Signature::from_bytes(&bytes).and_then(|s| s.recover_id(&message)) {
            prop_assert_ne!(id, key.id());
        }
    }

    #[test]
    fn high_s_twin_is_rejected(key in private_key(), message in any::<Vec<u8>>()) {
        let low = key.sign(&message).to_bytes();
        let mut high = low;
        high[32..64].copy_from_slice(&negate_mod_order(&low[32..64]));
        high[64] ^= 1;
        prop_assert!(Signature::from_bytes(&high).is_err());
        prop_assert!(hex::encode(&high).parse::<Signature>().is_err());
    }

    #[test]
    fn wrong_length_is_rejected(key in private_key(), message in any::<Vec<u8>>(), cut in 1usize..130) {
        let wire = key.sign(&message).to_hex();
        prop_assert!(wire[..130 - cut].parse::<Signature>().is_err());
        let longer = format!("{wire}{}", &wire[..cut]);
        prop_assert!(longer.parse::<Signature>().is_err());
    }

    #[test]
    fn non_hex_is_rejected(key in private_key(), index in 0usize..130, junk in "[g-zG-Z_ .-]") {
        let mut wire = key.sign(b"x").to_hex();
        wire.replace_range(index..=index, &junk);
        prop_assert!(wire.parse::<Signature>().is_err());
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,200}") {
        let _ = text.parse::<Signature>();
        let _ = text.parse::<PrivateKey>();
        let _ = text.parse::<colonies_core::Id>();
        let _ = text.parse::<colonies_core::PublicKey>();
        let _ = RpcMsg::parse(text.as_bytes()).map(|m| (m.recover_caller(), m.open::<serde_json::Value>()));
    }

    #[test]
    fn arbitrary_signature_bytes_never_panic(bytes in any::<[u8; 32]>(), more in any::<[u8; 33]>(), message in any::<Vec<u8>>()) {
        let mut wire = [0u8; 65];
        wire[..32].copy_from_slice(&bytes);
        wire[32..].copy_from_slice(&more);
        if let Ok(signature) = Signature::from_bytes(&wire) {
            let _ = signature.recover_id(&message);
        }
    }

    #[test]
    fn envelope_round_trip(key in private_key(), name in "[a-z0-9-]{1,20}") {
        let inner = format!(r#"{{"colonyname":"{name}","msgtype":"getcolonymsg"}}"#);
        let request = RpcMsg::sign("getcolonymsg", &inner, &key);
        let parsed = RpcMsg::parse(request.to_json().as_bytes()).unwrap();
        prop_assert_eq!(parsed.recover_caller().unwrap(), key.id());
        let value: serde_json::Value = parsed.open().unwrap();
        prop_assert_eq!(value["colonyname"].as_str(), Some(name.as_str()));
    }
}
