//! Speed of signing and recovery compiled to wasm32 and run by Node's V8 — measured and
//! printed, not asserted (timing assertions flake). Run with `scripts/bench-wasm.sh`.
//! Every iteration checks its result, so a wrong recovery still fails the run.
#![cfg(target_arch = "wasm32")]
// A failed unwrap is a failed test: that is the point here.
#![allow(clippy::unwrap_used)]

use colonies_core::{PrivateKey, RpcMsg, Signature};
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

const ROUNDS: u32 = 500;

fn micros_per_round(start_ms: f64) -> f64 {
    (js_sys::Date::now() - start_ms) * 1000.0 / f64::from(ROUNDS)
}

#[wasm_bindgen_test]
fn recover_and_sign_speed_under_node() {
    let key: PrivateKey =
        "ddf7f7791208083b6a9ed975a72684f6406a269cfa36f1b1c32045c0a71fff05".parse().unwrap();
    let payload =
        "eyJjb2xvbnluYW1lIjoiZGV2IiwidGltZW91dCI6MTAsIm1zZ3R5cGUiOiJhc3NpZ25wcm9jZXNzbXNnIn0=";
    let signature: Signature = key.sign(payload.as_bytes());
    let id = key.id();

    // Let V8 tier the hot functions up from its baseline compiler before measuring.
    for _ in 0..ROUNDS {
        assert_eq!(signature.recover_id(payload.as_bytes()).unwrap(), id);
        assert_eq!(key.sign(payload.as_bytes()), signature);
    }

    let start = js_sys::Date::now();
    for _ in 0..ROUNDS {
        assert_eq!(signature.recover_id(payload.as_bytes()).unwrap(), id);
    }
    let recover = micros_per_round(start);

    // The public key alone (no ID hashing): the figure issue 2 sets a target for.
    let public_key = key.public_key();
    let start = js_sys::Date::now();
    for _ in 0..ROUNDS {
        assert_eq!(signature.recover_public_key(payload.as_bytes()).unwrap(), public_key);
    }
    let recover_key = micros_per_round(start);

    let start = js_sys::Date::now();
    for _ in 0..ROUNDS {
        assert_eq!(key.sign(payload.as_bytes()), signature);
    }
    let sign = micros_per_round(start);

    let body =
        RpcMsg::sign("assignprocessmsg", r#"{"msgtype":"assignprocessmsg"}"#, &key).to_json();
    let start = js_sys::Date::now();
    for _ in 0..ROUNDS {
        assert_eq!(RpcMsg::parse(body.as_bytes()).unwrap().recover_caller().unwrap(), id);
    }
    let envelope = micros_per_round(start);

    console_log!(
        "wasm32 under Node, {ROUNDS} rounds: recover {recover_key:.1} µs, recover+id {recover:.1} µs, sign {sign:.1} µs, verify envelope {envelope:.1} µs"
    );
}
