//! The request and reply envelopes: what a server refuses, with which status, and what a
//! client reads back.
// A failed unwrap is a failed test: that is the point here.
#![allow(clippy::unwrap_used)]

use colonies_core::{EnvelopeError, Failure, PrivateKey, RpcMsg, RpcReplyMsg};
use serde_json::Value;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

fn key() -> PrivateKey {
    "ddf7f7791208083b6a9ed975a72684f6406a269cfa36f1b1c32045c0a71fff05".parse().unwrap()
}

#[test]
fn not_json_is_malformed_400() {
    for body in [&b"not json"[..], b"", b"[]", b"{\"payloadtype\": 5}", b"\xff\xfe"] {
        let err = RpcMsg::parse(body).unwrap_err();
        assert_eq!(err, EnvelopeError::Malformed);
        assert_eq!(err.status(), 400);
    }
}

#[test]
fn python_style_envelope_with_spaces_and_other_order_is_read() {
    let signed =
        RpcMsg::sign("getcolonymsg", r#"{"msgtype": "getcolonymsg", "colonyname": "dev"}"#, &key());
    let body = format!(
        r#"{{"payloadtype": "{}", "payload": "{}", "signature": "{}", "extra": 1}}"#,
        signed.payloadtype, signed.payload, signed.signature
    );
    let parsed = RpcMsg::parse(body.as_bytes()).unwrap();
    assert_eq!(parsed.recover_caller().unwrap(), key().id());
    let value: Value = parsed.open().unwrap();
    assert_eq!(value["colonyname"], "dev");
}

#[test]
fn msgtype_must_match_payloadtype() {
    let request = RpcMsg::sign("getcolonymsg", r#"{"msgtype":"getcoloniesmsg"}"#, &key());
    let err = request.open::<Value>().unwrap_err();
    assert!(matches!(err, EnvelopeError::MsgTypeMismatch { .. }), "{err:?}");
    assert_eq!(err.status(), 400);
    let missing = RpcMsg::sign("getcolonymsg", r#"{"colonyname":"dev"}"#, &key());
    assert_eq!(missing.open::<Value>().unwrap_err().status(), 400);
}

#[test]
fn bad_base64_or_json_payload_is_400() {
    let mut request = RpcMsg::sign("getcolonymsg", r#"{"msgtype":"getcolonymsg"}"#, &key());
    request.payload.push('!');
    assert_eq!(request.open::<Value>().unwrap_err(), EnvelopeError::Payload);
    let not_json = RpcMsg::sign("getcolonymsg", "colonyname: dev", &key());
    assert_eq!(not_json.open::<Value>().unwrap_err(), EnvelopeError::Payload);
}

#[test]
fn wrong_field_types_are_400() {
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)] // Read only to provoke the type error.
    struct Assign {
        timeout: i64,
    }
    let request = RpcMsg::sign(
        "assignprocessmsg",
        r#"{"msgtype":"assignprocessmsg","timeout":"ten"}"#,
        &key(),
    );
    let err = request.open::<Assign>().unwrap_err();
    assert!(matches!(err, EnvelopeError::Fields(_)), "{err:?}");
    assert_eq!(err.status(), 400);
}

#[test]
fn bad_signatures_are_403() {
    let good = RpcMsg::sign("getcolonymsg", r#"{"msgtype":"getcolonymsg"}"#, &key());
    let variants = [
        String::new(),
        good.signature[..128].to_string(),
        format!("{}0", good.signature),
        format!("{}too_large_signature", good.signature),
        good.signature.replace(&good.signature[..2], "zz"),
    ];
    for signature in variants {
        let request = RpcMsg { signature: signature.clone(), ..good.clone() };
        let err = request.recover_caller().unwrap_err();
        assert_eq!(err.status(), 403, "{signature}");
    }
}

#[test]
fn re_encoded_payload_recovers_another_identity() {
    let good = RpcMsg::sign("getcolonymsg", r#"{"msgtype":"getcolonymsg"}"#, &key());
    let reencoded = RpcMsg::sign("getcolonymsg", r#"{"msgtype": "getcolonymsg"}"#, &key());
    let forged = RpcMsg { payload: reencoded.payload, ..good };
    assert!(forged.recover_caller().map_or(true, |id| id != key().id()));
}

#[test]
fn unsigned_types_are_known() {
    assert!(RpcMsg::unsigned("versionmsg", "{}").is_unsigned());
    assert!(RpcMsg::unsigned("getserverinfomsg", "{}").is_unsigned());
    assert!(!RpcMsg::unsigned("getcolonymsg", "{}").is_unsigned());
}

#[test]
fn replies_round_trip_and_errors_carry_status() {
    let ok = RpcReplyMsg::success("addcolonymsg", r#"{"colonyid":"x","name":"dev"}"#);
    assert_eq!(
        ok.to_json(),
        r#"{"payloadtype":"addcolonymsg","payload":"eyJjb2xvbnlpZCI6IngiLCJuYW1lIjoiZGV2In0=","error":false}"#
    );
    let back = RpcReplyMsg::parse(ok.to_json().as_bytes()).unwrap().into_result().unwrap();
    assert_eq!(back, br#"{"colonyid":"x","name":"dev"}"#);

    assert_eq!(RpcReplyMsg::empty("approveexecutormsg").payload, "e30=");

    // Vector D1's error reply, byte for byte.
    let err = RpcReplyMsg::failure(&Failure::new(403, "Access denied, not server owner"));
    assert_eq!(
        err.to_json(),
        r#"{"payloadtype":"error","payload":"eyJzdGF0dXMiOjQwMywibWVzc2FnZSI6IkFjY2VzcyBkZW5pZWQsIG5vdCBzZXJ2ZXIgb3duZXIifQ==","error":true}"#
    );
    let failure = RpcReplyMsg::parse(err.to_json().as_bytes()).unwrap().into_result().unwrap_err();
    assert_eq!(failure, Failure::new(403, "Access denied, not server owner"));
}
