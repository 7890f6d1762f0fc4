//! What Go's decoders accept, and what official clients send, is served: `null` as a zero
//! value, a generator timeout of -1, any channel entry type, base64 as Go reads it, a nil map
//! answered as `null`; and what PostgreSQL cannot store (NUL) is a 400 before any SQL runs.

use base64::{Engine, engine::general_purpose::STANDARD};
use colonies_blackbox::{Client, key, new_colony, new_executor, server, signed};
use colonies_core::{PrivateKey, RpcMsg};
use serde_json::{Value, json};

fn spec(colony: &str) -> Value {
    json!({
        "nodename": "n", "funcname": "f", "args": [], "kwargs": {},
        "maxwaittime": -1, "maxexectime": -1, "maxretries": 0, "priority": 0,
        "conditions": { "colonyname": colony, "executortype": "test_executor_type" },
    })
}

#[tokio::test]
async fn a_generator_with_timeout_minus_one_is_added() {
    let client = Client::new();
    let (owner, colony) = new_colony(&client).await;
    let (executor, _) = new_executor(&client, &owner, &colony, true).await;
    let workflow = json!({ "colonyname": colony, "functionspecs": [spec(&colony)] });
    let generator = json!({ "generator": {
        "colonyname": colony, "name": "gen", "workflowspec": workflow.to_string(),
        "trigger": 10, "timeout": -1,
    } });
    let added = client.call(&executor, "addgeneratormsg", generator).await.ok_json();
    assert_eq!(added["timeout"], -1, "{added}");
    assert_eq!(added["name"], "gen");
}

#[tokio::test]
async fn null_reads_as_the_zero_value_in_every_message() {
    let client = Client::new();
    let (owner, colony) = new_colony(&client).await;
    let (executor, _) = new_executor(&client, &owner, &colony, true).await;
    let file = json!({ "file": {
        "colonyname": colony, "label": "/data", "name": "a.txt", "size": 1, "checksum": "c",
        "checksumalg": "SHA256", "ref": { "protocol": "s3", "s3object": { "bucket": "b" } },
    } });
    let added = client.call(&executor, "addfilemsg", file).await.ok_json();
    // What pycolonies sends when it asks by label and name.
    let by_name = json!({ "colonyname": colony, "fileid": null, "label": "/data",
                          "name": "a.txt", "latest": null });
    let found = client.call(&executor, "getfilemsg", by_name).await.ok_json();
    assert_eq!(found, json!([added]));

    // Nulls everywhere in a function spec, nested ones included.
    let mut nulls = spec(&colony);
    for field in ["nodename", "args", "kwargs", "priority", "label", "env", "fs", "channels"] {
        nulls[field] = Value::Null;
    }
    nulls["conditions"]["executornames"] = Value::Null;
    nulls["conditions"]["dependencies"] = Value::Null;
    nulls["conditions"]["gpu"] = Value::Null;
    nulls["conditions"]["nodes"] = Value::Null;
    let submitted =
        client.call(&executor, "submitfuncspecmsg", json!({ "spec": nulls })).await.ok_json();
    assert_eq!(submitted["spec"]["funcname"], "f", "{submitted}");
    assert_eq!(submitted["spec"]["priority"], 0);

    // Null in the envelope's own fields is the zero value too: no signature is a 403.
    let mut envelope = signed(&executor, "getcolonymsg", json!({ "colonyname": colony }));
    envelope.signature.clear();
    let body = json!({ "signature": null, "payloadtype": "getcolonymsg",
                       "payload": envelope.payload });
    client.post_raw(body.to_string().into_bytes()).await.assert_error(403);
}

#[tokio::test]
async fn errors_never_show_the_parsers_position() {
    let client = Client::new();
    let (owner, colony) = new_colony(&client).await;
    let wrong = json!({ "colonyname": colony, "fileid": 5, "label": "/data", "name": "a" });
    let failure = client.call(&owner, "getfilemsg", wrong).await.assert_error(400);
    assert!(failure.message.contains("invalid type"), "{}", failure.message);
    assert!(!failure.message.contains("line"), "{}", failure.message);
    assert!(!failure.message.contains("column"), "{}", failure.message);
}

#[tokio::test]
async fn channel_entries_of_any_payloadtype_are_kept() {
    let client = Client::new();
    let (owner, colony) = new_colony(&client).await;
    let (executor, _) = new_executor(&client, &owner, &colony, true).await;
    let mut with_channel = spec(&colony);
    with_channel["channels"] = json!(["chat"]);
    let submitted =
        client.call(&executor, "submitfuncspecmsg", json!({ "spec": with_channel })).await;
    let process = submitted.ok_json()["processid"].as_str().unwrap_or_default().to_owned();
    let assign = json!({ "colonyname": colony, "timeout": -1 });
    client.call(&executor, "assignprocessmsg", assign).await.ok_json();
    // The `colonyos` crate sends "text".
    let append = json!({ "processid": process, "name": "chat", "sequence": 1,
                         "payload": STANDARD.encode("hello"), "payloadtype": "text" });
    client.call(&executor, "channelappendmsg", append).await.ok_json();
    let read = json!({ "processid": process, "name": "chat", "afterseq": 0, "limit": 10 });
    let entries = client.call(&executor, "channelreadmsg", read).await.ok_json();
    assert_eq!(entries[0]["type"], "text", "{entries}");
    assert_eq!(entries[0]["payload"], STANDARD.encode("hello"));
    let too_long = json!({ "processid": process, "name": "chat", "sequence": 2,
                           "payload": "", "payloadtype": "t".repeat(257) });
    client.call(&executor, "channelappendmsg", too_long).await.assert_error(400);
}

#[tokio::test]
async fn an_executor_without_allocations_has_null_projects() {
    let client = Client::new();
    let (owner, colony) = new_colony(&client).await;
    let (member, name) = new_executor(&client, &owner, &colony, true).await;
    let get = json!({ "colonyname": colony, "executorname": name });
    let executor = client.call(&member, "getexecutormsg", get).await.ok_json();
    assert_eq!(executor["allocations"], json!({ "projects": null }), "{executor}");
    // An empty map given is an empty map answered, as Go keeps it.
    let (with_empty, with_empty_name) = (key(), colonies_blackbox::unique("executor"));
    let mut payload = colonies_blackbox::executor_payload(&with_empty, &colony, &with_empty_name);
    payload["executor"]["allocations"] = json!({ "projects": {} });
    let added = client.call(&owner, "addexecutormsg", payload).await.ok_json();
    assert_eq!(added["allocations"], json!({ "projects": {} }), "{added}");
}

/// Payloads holding U+0000 somewhere, each for a message that reaches SQL.
fn nul_payloads(colony: &str) -> Vec<(&'static str, Value)> {
    let mut funcname = spec(colony);
    funcname["funcname"] = json!("f\u{0}");
    let mut arg = spec(colony);
    arg["args"] = json!(["a\u{0}b"]);
    let mut kwarg = spec(colony);
    kwarg["kwargs"] = json!({ "k\u{0}": 1 });
    vec![
        ("getcolonymsg", json!({ "colonyname": "x\u{0}y" })),
        ("getprocessmsg", json!({ "processid": "\u{0}" })),
        ("submitfuncspecmsg", json!({ "spec": funcname })),
        ("submitfuncspecmsg", json!({ "spec": arg })),
        ("submitfuncspecmsg", json!({ "spec": kwarg })),
        ("getexecutorsmsg", json!({ "colonyname": format!("{colony}\u{0}") })),
    ]
}

#[tokio::test]
async fn a_nul_character_anywhere_is_a_400_for_members_and_strangers() {
    let client = Client::new();
    let (owner, colony) = new_colony(&client).await;
    let (member, _) = new_executor(&client, &owner, &colony, true).await;
    let stranger = key();
    for caller in [&member, &stranger] {
        for (payloadtype, payload) in nul_payloads(&colony) {
            let answer = client.call(caller, payloadtype, payload.clone()).await;
            let failure = answer.assert_error(400);
            assert!(failure.message.contains("NUL"), "{payloadtype}: {}", failure.message);
        }
    }
    let colony_with_nul =
        json!({ "colony": { "colonyid": key().id().to_hex(), "name": "bad\u{0}name" } });
    client.call(&server().owner, "addcolonymsg", colony_with_nul).await.assert_error(400);
    // The escaped text "\u0000" (a backslash, then letters) is no NUL.
    let mut text = spec(&colony);
    text["args"] = json!(["\\u0000"]);
    let submitted = client.call(&member, "submitfuncspecmsg", json!({ "spec": text })).await;
    assert_eq!(submitted.ok_json()["spec"]["args"], json!(["\\u0000"]));
}

/// `text` with the unused low bits of its last base64 character set, as Go's decoder allows.
fn with_padding_bits(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let padding = text.len() - text.trim_end_matches('=').len();
    assert!(padding > 0, "pick a payload whose length is not a multiple of 3");
    let mut bytes = text.as_bytes().to_vec();
    let last = bytes.len() - padding - 1;
    let index = ALPHABET.iter().position(|&c| c == bytes[last]).unwrap_or_default();
    let mask = if padding == 1 { 0b11 } else { 0b1111 };
    bytes[last] = ALPHABET[index | mask];
    String::from_utf8(bytes).unwrap_or_default()
}

fn sign_text(key: &PrivateKey, payloadtype: &str, payload: String) -> RpcMsg {
    let signature = key.sign(payload.as_bytes()).to_hex();
    RpcMsg { signature, payloadtype: payloadtype.into(), payload }
}

#[tokio::test]
async fn base64_with_padding_bits_or_line_breaks_reads_as_in_go() {
    let client = Client::new();
    let (owner, colony) = new_colony(&client).await;
    let (executor, _) = new_executor(&client, &owner, &colony, true).await;
    // Pad the JSON to a length that leaves base64 padding.
    let mut json = json!({ "msgtype": "getcolonymsg", "colonyname": colony }).to_string();
    while json.len().is_multiple_of(3) {
        json.insert(1, ' ');
    }
    let strict = STANDARD.encode(&json);
    let loose = with_padding_bits(&strict);
    assert_ne!(loose, strict);
    let answer = client.send(&sign_text(&executor, "getcolonymsg", loose)).await;
    assert_eq!(answer.ok_json()["name"], colony.as_str());

    let mut broken = strict.clone();
    broken.insert_str(8, "\r\n");
    broken.insert(20, '\n');
    let answer = client.send(&sign_text(&executor, "getcolonymsg", broken)).await;
    assert_eq!(answer.ok_json()["name"], colony.as_str());

    // Bytes fields ([]byte in Go) are read the same way: a channel payload.
    let mut with_channel = spec(&colony);
    with_channel["channels"] = json!(["c"]);
    let submitted =
        client.call(&executor, "submitfuncspecmsg", json!({ "spec": with_channel })).await;
    let process = submitted.ok_json()["processid"].as_str().unwrap_or_default().to_owned();
    let assign = json!({ "colonyname": colony, "timeout": -1 });
    client.call(&executor, "assignprocessmsg", assign).await.ok_json();
    let payload = format!("{}\r\n", with_padding_bits(&STANDARD.encode("hi!!")));
    let append = json!({ "processid": process, "name": "c", "sequence": 1,
                         "payload": payload, "payloadtype": "data" });
    client.call(&executor, "channelappendmsg", append).await.ok_json();
    let read = json!({ "processid": process, "name": "c", "afterseq": 0, "limit": 10 });
    let entries = client.call(&executor, "channelreadmsg", read).await.ok_json();
    assert_eq!(entries[0]["payload"], STANDARD.encode("hi!!"), "{entries}");
}

#[tokio::test]
async fn a_waiting_cron_fires_again_after_remove_all_processes() {
    let client = Client::new();
    let (owner, colony) = new_colony(&client).await;
    let (executor, _) = new_executor(&client, &owner, &colony, true).await;
    let workflow = json!({ "colonyname": colony, "functionspecs": [spec(&colony)] });
    let cron = json!({ "cron": {
        "colonyname": colony, "name": "waiting", "interval": 1, "cronexpression": "",
        "random": false, "workflowspec": workflow.to_string(), "waitforprevprocessgraph": true,
    } });
    let added = client.call(&executor, "addcronmsg", cron).await.ok_json();
    let get_cron = json!({ "cronid": added["cronid"] });
    let mut fired = Value::Null;
    for _ in 0..50 {
        fired = client.call(&executor, "getcronmsg", get_cron.clone()).await.ok_json();
        if fired["prevprocessgraphid"] != "" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_ne!(fired["prevprocessgraphid"], "", "the cron fired once: {fired}");
    // As in Go, processes of a workflow are not removed with the colony's other processes.
    let all = json!({ "colonyname": colony, "state": -1 });
    client.call(&owner, "removeallprocessesmsg", all).await.ok_json();
    let assign = json!({ "colonyname": colony, "timeout": 5 });
    let assigned = client.call(&executor, "assignprocessmsg", assign).await.ok_json();
    assert_eq!(assigned["processgraphid"], fired["prevprocessgraphid"], "{assigned}");
    let close = json!({ "processid": assigned["processid"], "out": [] });
    client.call(&executor, "closesuccessfulmsg", close).await.ok_json();
    // Its workflow finished, the cron runs again. Short polls: on Workers, crons are swept
    // after requests (and by the Cron Trigger), not while a long poll waits.
    let short = json!({ "colonyname": colony, "timeout": 1 });
    let mut next = Value::Null;
    for _ in 0..15 {
        let answer = client.call(&executor, "assignprocessmsg", short.clone()).await;
        if answer.status == 200 {
            next = answer.ok_json();
            break;
        }
        answer.assert_error(404);
    }
    assert_ne!(next, Value::Null, "the cron ran again");
    assert_ne!(next["processgraphid"], fired["prevprocessgraphid"], "{next}");
}
