//! Every case of `fixtures/e2e-vectors.json` (protocol §16) through the public API of
//! `colonies_core::e2e`: seals give exactly the expected strings and open back, wraps give
//! exactly the expected strings and unwrap with the member's key, and every negative case
//! fails with the error it names. The file is made by `examples/e2e_vectors.rs` and checked
//! independently by `tests/interop/e2e/check_vectors.py`.
//! Runs natively and, compiled to wasm32, under Node with wasm-bindgen-test.
// A failed unwrap is a failed test: that is the point here.
#![allow(clippy::unwrap_used)]

use colonies_core::{
    PrivateKey, PublicKey,
    e2e::{
        DataKey, E2eError, KEY_LEN, Keyring, NONCE_LEN, is_sealed, sealed_version, unwrap, wrap,
        wrapped_version,
    },
    hex,
};
use serde::Deserialize;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const VECTORS: &str = include_str!("fixtures/e2e-vectors.json");

#[derive(Deserialize)]
struct Vectors {
    seals: Vec<SealCase>,
    wraps: Vec<WrapCase>,
    negative: Vec<NegativeCase>,
}

#[derive(Deserialize)]
struct SealCase {
    label: String,
    key: String,
    version: u32,
    colony: String,
    nonce: String,
    plaintext_utf8: Option<String>,
    plaintext_hex: String,
    sealed: String,
}

#[derive(Deserialize)]
struct WrapCase {
    label: String,
    data_key: String,
    version: u32,
    member_prvkey: String,
    member_pubkey: String,
    ephemeral_prvkey: String,
    ephemeral_pubkey: String,
    nonce: String,
    wrapped: String,
}

#[derive(Deserialize)]
struct NegativeCase {
    label: String,
    op: String,
    input: String,
    key: Option<String>,
    version: Option<u32>,
    colony: Option<String>,
    member_prvkey: Option<String>,
    error: String,
}

fn vectors() -> Vectors {
    serde_json::from_str(VECTORS).expect("e2e-vectors.json parses")
}

fn key_bytes(text: &str) -> [u8; KEY_LEN] {
    hex::decode_array(text).expect("32 hex bytes")
}

fn nonce(text: &str) -> [u8; NONCE_LEN] {
    hex::decode_array(text).expect("24 hex bytes")
}

fn private_key(text: &str) -> PrivateKey {
    PrivateKey::from_bytes(key_bytes(text)).expect("a private key")
}

fn public_key(text: &str) -> PublicKey {
    PublicKey::from_bytes(hex::decode_array(text).expect("65 hex bytes")).expect("a public key")
}

fn error_name(error: &E2eError) -> &'static str {
    match error {
        E2eError::Malformed(_) => "malformed",
        E2eError::NoKey { .. } => "no_key",
        E2eError::Forged => "forged",
        E2eError::BadPublicKey => "bad_public_key",
        E2eError::Entropy => "entropy",
    }
}

#[test]
fn the_file_has_cases_of_every_kind() {
    let vectors = vectors();
    assert!(vectors.seals.len() >= 5, "seals");
    assert!(vectors.wraps.len() >= 3, "wraps");
    for (op, error) in [
        ("open", "forged"),
        ("open", "no_key"),
        ("open", "malformed"),
        ("unwrap", "forged"),
        ("unwrap", "malformed"),
        ("unwrap", "bad_public_key"),
    ] {
        assert!(
            vectors.negative.iter().any(|case| case.op == op && case.error == error),
            "no negative case {op} → {error}"
        );
    }
}

#[test]
fn seals_give_exactly_the_expected_strings_and_open_back() {
    for case in vectors().seals {
        let label = &case.label;
        let plaintext = hex::decode(&case.plaintext_hex).expect("hex plaintext");
        match &case.plaintext_utf8 {
            Some(text) => assert_eq!(text.as_bytes(), plaintext, "{label}: utf8 and hex agree"),
            None => assert!(core::str::from_utf8(&plaintext).is_err(), "{label}: not UTF-8"),
        }
        let key = DataKey::from_bytes(case.version, key_bytes(&case.key));
        let sealed = key.seal(&case.colony, &plaintext, nonce(&case.nonce));
        assert_eq!(sealed, case.sealed, "{label}: seal");
        assert!(is_sealed(&case.sealed), "{label}");
        assert_eq!(sealed_version(&case.sealed), Some(case.version), "{label}");
        assert_eq!(key.open(&case.colony, &case.sealed).unwrap(), plaintext, "{label}: open");
        let mut ring = Keyring::new();
        ring.insert(key);
        assert_eq!(ring.open(&case.colony, &case.sealed).unwrap(), plaintext, "{label}: ring");
    }
}

#[test]
fn wraps_give_exactly_the_expected_strings_and_unwrap_with_the_member_key() {
    for case in vectors().wraps {
        let label = &case.label;
        let member = private_key(&case.member_prvkey);
        assert_eq!(member.public_key().to_hex(), case.member_pubkey, "{label}: member key");
        let ephemeral = private_key(&case.ephemeral_prvkey);
        assert_eq!(ephemeral.public_key().to_hex(), case.ephemeral_pubkey, "{label}");
        let data = DataKey::from_bytes(case.version, key_bytes(&case.data_key));
        let wrapped =
            wrap(&data, &public_key(&case.member_pubkey), &ephemeral, nonce(&case.nonce)).unwrap();
        assert_eq!(wrapped, case.wrapped, "{label}: wrap");
        assert_eq!(wrapped_version(&case.wrapped), Some(case.version), "{label}");
        assert_eq!(unwrap(&case.wrapped, &member).unwrap(), data, "{label}: unwrap");
    }
}

#[test]
fn negative_cases_fail_with_the_error_they_name() {
    for case in vectors().negative {
        let label = &case.label;
        let result = match case.op.as_str() {
            "open" => {
                let key = DataKey::from_bytes(
                    case.version.expect("open: version"),
                    key_bytes(case.key.as_deref().expect("open: key")),
                );
                key.open(case.colony.as_deref().expect("open: colony"), &case.input).map(|_| ())
            }
            "unwrap" => {
                let member = private_key(case.member_prvkey.as_deref().expect("unwrap: key"));
                unwrap(&case.input, &member).map(|_| ())
            }
            other => panic!("{label}: unknown op {other}"),
        };
        match result {
            Ok(()) => panic!("{label}: {} succeeded", case.op),
            Err(error) => assert_eq!(error_name(&error), case.error, "{label}: {error:?}"),
        }
    }
}
