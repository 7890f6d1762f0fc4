//! The package's Rust side under wasm-bindgen-test (`wasm-pack test --node`, also
//! `--headless --chrome`): the crypto vectors through the exported API, and the client's
//! behaviour where no server is needed.
#![cfg(target_arch = "wasm32")]
// A failed unwrap is a failed test: that is the point here.
#![allow(clippy::unwrap_used)]

use colonies_wasm::{
    Client, PrivateKey,
    keys::{id_of_public_key, recover_id, recover_public_key, sha3, verify},
};
use js_sys::{Object, Reflect};
use serde::Deserialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test as test;

const VECTORS: &str = include_str!("../../core/tests/vectors/crypto-vectors.json");

#[derive(Deserialize)]
struct Vectors {
    keys: Vec<KeyCase>,
    signatures: Vec<SignatureCase>,
    negative: Vec<NegativeCase>,
}

#[derive(Deserialize)]
struct KeyCase {
    label: String,
    prvkey: String,
    pubkey: String,
    id: String,
}

#[derive(Deserialize)]
struct SignatureCase {
    prvkey: String,
    msg: String,
    sha3_256: String,
    signature: String,
    recovered_pubkey: String,
    recovered_id: String,
}

#[derive(Deserialize)]
struct NegativeCase {
    label: String,
    msg: String,
    signature: String,
    true_id: String,
    expectation: String,
}

fn vectors() -> Vectors {
    serde_json::from_str(VECTORS).unwrap()
}

#[test]
fn keys_give_the_vector_public_keys_and_ids() {
    let v = vectors();
    assert_eq!(v.keys.len(), 10);
    for case in &v.keys {
        let key = PrivateKey::from_hex(&case.prvkey).unwrap();
        assert_eq!(key.to_hex(), case.prvkey, "{}", case.label);
        assert_eq!(key.public_key(), case.pubkey, "{}", case.label);
        assert_eq!(key.id(), case.id, "{}", case.label);
        assert_eq!(id_of_public_key(&case.pubkey).unwrap(), case.id, "{}", case.label);
        let upper = PrivateKey::from_hex(&case.prvkey.to_uppercase()).unwrap();
        assert_eq!(upper.id(), case.id, "{}", case.label);
    }
}

#[test]
fn signatures_are_byte_exact_and_recover() {
    let v = vectors();
    assert_eq!(v.signatures.len(), 30);
    for case in &v.signatures {
        let key = PrivateKey::from_hex(&case.prvkey).unwrap();
        assert_eq!(sha3(&case.msg), case.sha3_256, "{:?}", case.msg);
        assert_eq!(key.sign(&case.msg), case.signature, "{:?}", case.msg);
        assert_eq!(recover_id(&case.msg, &case.signature).unwrap(), case.recovered_id);
        assert_eq!(recover_public_key(&case.msg, &case.signature).unwrap(), case.recovered_pubkey);
        assert!(verify(&case.recovered_pubkey, &case.msg, &case.signature));
        assert!(!verify(&case.recovered_pubkey, "another message", &case.signature));
    }
}

#[test]
fn negative_cases_behave_as_the_core() {
    let v = vectors();
    assert_eq!(v.negative.len(), 10);
    for case in &v.negative {
        let outcome = recover_id(&case.msg, &case.signature);
        match case.expectation.as_str() {
            "reject" => assert!(outcome.is_err(), "{}", case.label),
            "accept-but-different-id" => {
                assert_ne!(outcome.unwrap(), case.true_id, "{}", case.label)
            }
            _ => assert_eq!(outcome.unwrap(), case.true_id, "{}", case.label),
        }
    }
}

#[test]
fn malformed_keys_are_refused_with_input_errors() {
    for bad in [
        "",
        "00",
        &"0".repeat(64),
        "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
    ] {
        let error = PrivateKey::from_hex(bad).err().unwrap();
        assert_eq!(error.reason(), "input");
        assert_eq!(error.status(), 400);
    }
    assert!(!verify("04", "m", "00"));
}

#[test]
fn generated_keys_sign_and_recover() {
    let key = PrivateKey::generate().unwrap();
    assert_ne!(key.id(), PrivateKey::generate().unwrap().id());
    assert_eq!(recover_id("payload", &key.sign("payload")).unwrap(), key.id());
}

fn options(pairs: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (name, value) in pairs {
        Reflect::set(&object, &(*name).into(), value).unwrap();
    }
    object.into()
}

async fn rejection(promise: js_sys::Promise) -> JsValue {
    JsFuture::from(promise).await.err().unwrap()
}

fn field(value: &JsValue, name: &str) -> JsValue {
    Reflect::get(value, &name.into()).unwrap()
}

#[test]
fn the_client_checks_its_options() {
    assert!(Client::new(options(&[])).is_err());
    assert!(Client::new(options(&[("url", "ftp://x".into())])).is_err());
    assert!(
        Client::new(options(&[("url", "http://x".into()), ("privateKey", "zz".into())])).is_err()
    );
    let key = "6d2fb6f546bacfd98c68769e61e0b44a697a30596c018a50e28200aa59b01c0a";
    let client =
        Client::new(options(&[("url", "http://h:1/".into()), ("privateKey", key.into())])).unwrap();
    assert_eq!(client.url(), "http://h:1");
    assert_eq!(
        client.id().unwrap(),
        "4fef2b5a82d134d058c1883c72d6d9caf77cd59ca82d73105017590dea3dcb87"
    );
}

#[test]
async fn signed_calls_without_a_key_fail_before_sending() {
    let client = Client::new(options(&[("url", "http://127.0.0.1:9".into())])).unwrap();
    let error = rejection(client.get_colonies(JsValue::UNDEFINED)).await;
    assert!(error.is_instance_of::<js_sys::Error>());
    assert_eq!(field(&error, "name"), "ColoniesError");
    assert_eq!(field(&error, "reason"), "input");
    assert_eq!(field(&error, "status").as_f64(), Some(400.0));
    // Requests must be objects.
    let error = rejection(client.get_process(JsValue::from(5), JsValue::UNDEFINED)).await;
    assert_eq!(field(&error, "reason"), "input");
}

#[test]
async fn an_unreachable_server_is_a_network_error() {
    // Port 9 (discard) is closed on test machines and in browsers' sandboxes alike.
    let client = Client::new(options(&[("url", "http://127.0.0.1:9".into())])).unwrap();
    let error = rejection(client.version(JsValue::UNDEFINED)).await;
    assert_eq!(field(&error, "reason"), "network", "{error:?}");
    assert_eq!(field(&error, "status").as_f64(), Some(0.0));
    let error: js_sys::Error = error.dyn_into().unwrap();
    assert!(String::from(error.message()).starts_with("network error"));
}
