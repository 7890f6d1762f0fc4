//! Transport and envelope: protocol §13 cases 1–8, plus the body limit (413).

use base64::{Engine, engine::general_purpose::STANDARD};
use colonies_blackbox::{Client, key, server, signed};
use colonies_core::RpcMsg;
use serde_json::json;
use std::io::{Read, Write};

// 1
#[tokio::test]
async fn version_is_answered_unsigned() {
    let answer = Client::new()
        .send(&RpcMsg::unsigned(
            "versionmsg",
            r#"{"msgtype":"versionmsg","buildversion":"","buildtime":""}"#,
        ))
        .await;
    assert_eq!(answer.status, 200);
    let reply = answer.reply.as_ref().expect("an envelope");
    assert_eq!(reply.payloadtype, "versionmsg");
    let json = answer.ok_json();
    assert_eq!(json["msgtype"], "versionmsg");
    assert!(json["buildversion"].is_string() && json["buildtime"].is_string(), "{json}");
}

// 2
#[tokio::test]
async fn server_info_is_answered_unsigned() {
    // The payload is not even read: garbage must not matter.
    let msg = RpcMsg {
        signature: String::new(),
        payloadtype: "getserverinfomsg".into(),
        payload: "!!".into(),
    };
    let answer = Client::new().send(&msg).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.ok_json()["backends"][0]["type"], "http");
}

// 3
#[tokio::test]
async fn health_is_200_with_an_empty_body() {
    let (status, body) = Client::new().get("/health").await;
    assert_eq!((status, body.as_str()), (200, ""));
}

// 4 (and §11.23: the JSON literal null)
#[tokio::test]
async fn a_body_that_is_not_an_envelope_is_400() {
    let client = Client::new();
    for body in [&b"not json"[..], b"null", b"[]", b"", b"{\"payloadtype\":"] {
        client.post_raw(body.to_vec()).await.assert_error(400);
    }
}

// 5
#[tokio::test]
async fn an_unknown_payloadtype_is_403() {
    let failure = Client::new().call(&key(), "nosuchmsg", json!({})).await.assert_error(403);
    assert_eq!(failure.message, "invalid rpcMsg.PayloadType: nosuchmsg");
}

#[tokio::test]
async fn an_empty_payloadtype_is_403() {
    Client::new().send(&RpcMsg::sign("", "{}", &key())).await.assert_error(403);
}

// 6
#[tokio::test]
async fn a_msgtype_that_differs_from_the_payloadtype_is_400() {
    let owner = &server().owner;
    let msg = RpcMsg::sign("getstatisticsmsg", r#"{"msgtype":"getcoloniesmsg"}"#, owner);
    Client::new().send(&msg).await.assert_error(400);
    let missing = RpcMsg::sign("getstatisticsmsg", "{}", owner);
    Client::new().send(&missing).await.assert_error(400);
}

/// n, the order of secp256k1, big-endian.
const ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
];

/// n − s: the other, high-S, form of the same signature.
fn negate(s: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = i16::from(ORDER[i]) - i16::from(s[i]) - borrow;
        borrow = i16::from(d < 0);
        if d < 0 {
            d += 256;
        }
        out[i] = d as u8;
    }
    out
}

// 7
#[tokio::test]
async fn malformed_and_high_s_signatures_are_403() {
    let client = Client::new();
    let good = signed(&server().owner, "getstatisticsmsg", json!({}));
    assert_eq!(client.send(&good).await.status, 200, "the unaltered request works");

    let with = |signature: String| RpcMsg { signature, ..good.clone() };
    let short = good.signature[..129].to_owned();
    let long = format!("{}0", good.signature);
    let non_hex = format!("zz{}", &good.signature[2..]);
    let bytes = colonies_core::hex::decode(&good.signature).expect("hex");
    let mut high = bytes.clone();
    high[32..64].copy_from_slice(&negate(&bytes[32..64]));
    high[64] ^= 1;
    for signature in [short, long, non_hex, colonies_core::hex::encode(&high), String::new()] {
        client.send(&with(signature.clone())).await.assert_error(403);
    }
}

// 8
#[tokio::test]
async fn a_re_encoded_payload_recovers_another_id() {
    let owner = &server().owner;
    let original = RpcMsg::sign("getstatisticsmsg", r#"{"msgtype":"getstatisticsmsg"}"#, owner);
    let client = Client::new();
    assert_eq!(client.send(&original).await.status, 200);
    let re_encoded = RpcMsg {
        payload: STANDARD.encode(r#"{"msgtype": "getstatisticsmsg"}"#),
        ..original.clone()
    };
    client.send(&re_encoded).await.assert_error(403);
}

#[tokio::test]
async fn statistics_are_for_the_server_owner_only() {
    let client = Client::new();
    let json = client.call(&server().owner, "getstatisticsmsg", json!({})).await.ok_json();
    assert!(json["colonies"].is_number() && json["waitingprocesses"].is_number(), "{json}");
    client.call(&key(), "getstatisticsmsg", json!({})).await.assert_error(403);
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_with_an_error_envelope() {
    let Some(limit) = server().body_limit else { return };
    Client::new().post_raw(vec![b' '; limit + 1]).await.assert_error(413);
    // Just under the limit is read (and then refused as no envelope). A new client: the server
    // closes the connection after a 413, and a pooled connection may not have noticed yet.
    Client::new().post_raw(vec![b' '; limit]).await.assert_error(400);
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_413() {
    let Some(limit) = server().body_limit else { return };
    let base = server().url.trim_start_matches("http://").to_owned();
    // No Content-Length: the limit must hold while reading, not only from the header.
    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(&base).expect("connect");
        write!(stream, "POST /api HTTP/1.1\r\nHost: {base}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
            .expect("write");
        // Exactly one byte too many, so the server has read nearly all of it when it answers.
        let mut left = limit + 1;
        while left > 0 {
            let n = left.min(64 * 1024);
            if write!(stream, "{n:x}\r\n").is_err()
                || stream.write_all(&vec![b' '; n]).is_err()
                || stream.write_all(b"\r\n").is_err()
            {
                break; // the server may answer and close before we finish
            }
            left -= n;
        }
        let _ = stream.write_all(b"0\r\n\r\n");
        let mut response = String::new();
        let _ = stream.read_to_string(&mut response);
        response
    })
    .await
    .expect("the request ran");
    assert!(answer.starts_with("HTTP/1.1 413"), "{}", &answer[..answer.len().min(200)]);
    assert!(answer.contains("\"error\":true"), "{answer}");
}

#[tokio::test]
async fn cors_allows_any_origin() {
    let response = colonies_blackbox::http()
        .post(format!("{}/api", server().url))
        .header("Origin", "https://example.org")
        .body(RpcMsg::unsigned("versionmsg", r#"{"msgtype":"versionmsg"}"#).to_json())
        .send()
        .await
        .expect("an answer");
    assert_eq!(
        response.headers().get("access-control-allow-origin").map(|v| v.as_bytes()),
        Some(&b"*"[..])
    );
}

/// Browser clients (colonies-ts) POST with `Content-Type: application/json`, which makes the
/// browser send a CORS preflight first; both it and the signed POST must be allowed.
#[tokio::test]
async fn browsers_may_preflight_and_post_json() {
    let http = colonies_blackbox::http();
    let url = format!("{}/api", server().url);
    let preflight = http
        .request(reqwest::Method::OPTIONS, &url)
        .header("Origin", "http://localhost:5173")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type")
        .send()
        .await
        .expect("an answer");
    assert!(preflight.status().is_success(), "preflight status {}", preflight.status());
    let headers = preflight.headers();
    let allowed = |name: &str| {
        headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_ascii_lowercase()
    };
    assert_eq!(allowed("access-control-allow-origin"), "*");
    let methods = allowed("access-control-allow-methods");
    assert!(methods.contains("post") || methods == "*", "{methods}");
    let request_headers = allowed("access-control-allow-headers");
    assert!(
        request_headers.contains("content-type") || request_headers == "*",
        "{request_headers}"
    );

    let owner = &server().owner;
    let msg = RpcMsg::sign("getstatisticsmsg", r#"{"msgtype":"getstatisticsmsg"}"#, owner);
    let response = http
        .post(&url)
        .header("Origin", "http://localhost:5173")
        .header("Content-Type", "application/json")
        .body(msg.to_json())
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers().get("access-control-allow-origin").map(|v| v.as_bytes()),
        Some(&b"*"[..])
    );
    // Go writes replies with gin's c.String: clients that let jQuery pick the parser by the
    // content type (colonies.js) then JSON.parse the text themselves.
    assert_eq!(
        response.headers().get("content-type").map(|v| v.as_bytes()),
        Some(&b"text/plain; charset=utf-8"[..])
    );
    let refused = http.post(&url).body("not json").send().await.expect("an answer");
    assert_eq!(refused.status(), 400);
    assert_eq!(
        refused.headers().get("content-type").map(|v| v.as_bytes()),
        Some(&b"text/plain; charset=utf-8"[..])
    );
}

// A browser client that base64-encodes its JSON with btoa() sends Latin-1 text as single bytes,
// which is not UTF-8. Go's decoder reads such bytes inside strings as U+FFFD instead of refusing.
#[tokio::test]
async fn latin1_bytes_in_payload_strings_read_as_replacement_characters() {
    let client = Client::new();
    let owner = key();
    let mut name = colonies_blackbox::unique("latin").into_bytes();
    // "é" as one Latin-1 byte, then a cut-short four-byte sequence: each bad byte is one U+FFFD.
    name.extend_from_slice(&[0xE9, b'x', 0xF0, 0x9F, 0x98]);
    let mut json = format!(
        r#"{{"msgtype":"addcolonymsg","colony":{{"colonyid":"{}","name":""#,
        owner.id().to_hex()
    )
    .into_bytes();
    json.extend_from_slice(&name);
    json.extend_from_slice(br#""}}"#);
    let payload = STANDARD.encode(&json);
    let msg = RpcMsg {
        signature: server().owner.sign(payload.as_bytes()).to_hex(),
        payloadtype: "addcolonymsg".into(),
        payload,
    };
    let added = client.send(&msg).await.ok_json();
    let expected = format!(
        "{}\u{FFFD}x\u{FFFD}\u{FFFD}\u{FFFD}",
        String::from_utf8_lossy(&name[..name.len() - 5])
    );
    assert_eq!(added["name"], expected.as_str());

    // Outside a string such a byte is still a syntax error.
    let bad = br#"{"msgtype":"addcolonymsg","colony":{}}"#.iter().copied().chain([0xE9]).collect::<Vec<u8>>();
    let payload = STANDARD.encode(&bad);
    let msg = RpcMsg {
        signature: server().owner.sign(payload.as_bytes()).to_hex(),
        payloadtype: "addcolonymsg".into(),
        payload,
    };
    let answer = client.send(&msg).await;
    assert_eq!(answer.status, 400, "{}", answer.body);
}
