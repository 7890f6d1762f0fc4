//! Replay protection from the attacker's side: a captured bound request (nonce, signedat,
//! audience) replayed on the same server or another replica, stale, from the future, or for
//! another server, is a 403 that names the rule and writes nothing; an unbound request is
//! served in `compat` and refused in `strict`.

use colonies_blackbox::{Client, key, load, new_colony, new_executor, server, unique};
use colonies_core::{
    PrivateKey, RpcMsg,
    rules::replay::{Binding, Mode},
};
use colonies_worker::ServerConfig;
use serde_json::{Value, json};
use std::time::{SystemTime, UNIX_EPOCH};

fn now_ms() -> i64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

/// The server's ID, as `getserverinfomsg` tells it.
async fn audience(client: &Client) -> String {
    let info = client.send(&RpcMsg::unsigned("getserverinfomsg", "{}")).await.ok_json();
    let id = info["serverid"].as_str().unwrap_or_default().to_owned();
    assert_eq!(id.len(), 64, "getserverinfomsg tells the server's ID: {info}");
    id
}

/// `payload` signed by `key`, bound to `audience` at `signedat` with a fresh nonce.
fn bound(
    key: &PrivateKey,
    payloadtype: &str,
    mut payload: Value,
    audience: &str,
    at: i64,
) -> RpcMsg {
    if let Some(object) = payload.as_object_mut() {
        object.insert("msgtype".into(), payloadtype.into());
    }
    let binding = Binding::new(at, audience).expect("a nonce");
    RpcMsg::sign_bound(payloadtype, &payload.to_string(), key, &binding)
}

fn spec(colony: &str) -> Value {
    json!({ "spec": {
        "nodename": "n", "funcname": "replayed", "args": [], "kwargs": {},
        "maxwaittime": -1, "maxexectime": -1, "maxretries": 0, "priority": 0,
        "conditions": { "colonyname": colony, "executortype": "test_executor_type" },
    } })
}

/// How many waiting processes the colony has.
async fn waiting(client: &Client, member: &PrivateKey, colony: &str) -> usize {
    let list = json!({ "colonyname": colony, "state": 0, "count": 100 });
    match client.call(member, "getprocessesmsg", list).await.ok_json() {
        Value::Array(items) => items.len(),
        _ => 0,
    }
}

fn refused(answer: &colonies_blackbox::Answer, words: &str) {
    let failure = answer.assert_error(403);
    assert!(failure.message.contains(words), "expected {words:?}: {}", failure.message);
}

#[tokio::test]
async fn a_captured_submit_replayed_is_refused_and_writes_nothing() {
    let client = Client::new();
    let audience = audience(&client).await;
    let (owner, colony) = new_colony(&client).await;
    let (executor, _) = new_executor(&client, &owner, &colony, true).await;
    let captured = bound(&executor, "submitfuncspecmsg", spec(&colony), &audience, now_ms());
    client.send(&captured).await.ok_json();
    for _ in 0..4 {
        refused(&client.send(&captured).await, "replayed");
    }
    assert_eq!(waiting(&client, &executor, &colony).await, 1, "five copies, one process");
    // A read replayed is refused too.
    let read =
        bound(&executor, "getcolonymsg", json!({ "colonyname": colony }), &audience, now_ms());
    client.send(&read).await.ok_json();
    refused(&client.send(&read).await, "replayed");
}

/// The state of process `id` (0 waiting, 1 running, 2 successful, 3 failed).
async fn state(client: &Client, member: &PrivateKey, id: &str) -> i64 {
    let process = client.call(member, "getprocessmsg", json!({ "processid": id })).await.ok_json();
    process["state"].as_i64().unwrap_or(-1)
}

#[tokio::test]
async fn a_captured_assign_or_close_replayed_is_refused_and_changes_nothing() {
    // The submit, assign and close of every process record their nonce in the statement
    // that makes their write: a replay of either must still change nothing.
    let client = Client::new();
    let audience = audience(&client).await;
    let (owner, colony) = new_colony(&client).await;
    let (executor, _) = new_executor(&client, &owner, &colony, true).await;
    client
        .send(&bound(&executor, "submitfuncspecmsg", spec(&colony), &audience, now_ms()))
        .await
        .ok_json();
    let take =
        json!({ "colonyname": colony, "timeout": -1, "availablecpu": "", "availablemem": "" });
    let assign = bound(&executor, "assignprocessmsg", take, &audience, now_ms());
    let first = client.send(&assign).await.ok_json();
    let id = first["processid"].as_str().unwrap_or_default().to_owned();
    assert_eq!(state(&client, &executor, &id).await, 1, "assigned: running");

    // A second waiting process: a replayed assign must not take it.
    client
        .send(&bound(&executor, "submitfuncspecmsg", spec(&colony), &audience, now_ms()))
        .await
        .ok_json();
    refused(&client.send(&assign).await, "replayed");
    assert_eq!(waiting(&client, &executor, &colony).await, 1, "the replayed assign took nothing");

    let close = json!({ "processid": id, "out": ["done"] });
    let close = bound(&executor, "closesuccessfulmsg", close, &audience, now_ms());
    client.send(&close).await.ok_json();
    assert_eq!(state(&client, &executor, &id).await, 2, "closed: successful");
    refused(&client.send(&close).await, "replayed");
    // A replayed close of a process that was given back (here: removed and submitted anew
    // cannot reuse an ID, so the rule shows on the same process) is refused before any rule
    // of the close: the answer names the replay, not the process's state.
    assert_eq!(state(&client, &executor, &id).await, 2, "still successful, output unchanged");
    let copies = (0..10).map(|_| client.send(&assign));
    for answer in futures_util::future::join_all(copies).await {
        refused(&answer, "replayed");
    }
    assert_eq!(waiting(&client, &executor, &colony).await, 1, "ten replayed assigns took nothing");
}

#[tokio::test]
async fn stale_future_and_foreign_requests_are_refused() {
    let client = Client::new();
    let audience = audience(&client).await;
    let (owner, colony) = new_colony(&client).await;
    let (executor, _) = new_executor(&client, &owner, &colony, true).await;
    let old = bound(&executor, "submitfuncspecmsg", spec(&colony), &audience, now_ms() - 61_000);
    let answer = client.send(&old).await;
    refused(&answer, "stale");
    assert!(answer.failure().message.contains("server's time is"), "a clock hint");
    let future = bound(&executor, "submitfuncspecmsg", spec(&colony), &audience, now_ms() + 61_000);
    refused(&client.send(&future).await, "stale");
    let elsewhere = key().id().to_hex();
    let foreign = bound(&executor, "submitfuncspecmsg", spec(&colony), &elsewhere, now_ms());
    refused(&client.send(&foreign).await, "wrong audience");
    let mut partial = spec(&colony);
    partial["nonce"] = json!("0123456789abcdef0123456789abcdef");
    refused(&client.call(&executor, "submitfuncspecmsg", partial).await, "fields missing");
    assert_eq!(waiting(&client, &executor, &colony).await, 0, "nothing written");
    // Within the window, either way, is served.
    let skewed = bound(&executor, "submitfuncspecmsg", spec(&colony), &audience, now_ms() + 30_000);
    client.send(&skewed).await.ok_json();
    // An old-style request (no fields) is served in compat mode, as Colonies serves it.
    client.call(&executor, "submitfuncspecmsg", spec(&colony)).await.ok_json();
    assert_eq!(waiting(&client, &executor, &colony).await, 2);
}

#[tokio::test]
async fn a_captured_add_colony_cannot_recreate_a_removed_colony() {
    let client = Client::new();
    let audience = audience(&client).await;
    let (colony_owner, name) = (key(), unique("colony"));
    let add = json!({ "colony": { "colonyid": colony_owner.id().to_hex(), "name": name } });
    let captured = bound(&server().owner, "addcolonymsg", add, &audience, now_ms());
    client.send(&captured).await.ok_json();
    let remove = json!({ "colonyname": name });
    client.call(&server().owner, "removecolonymsg", remove).await.ok_json();
    refused(&client.send(&captured).await, "replayed");
    let colonies = client.call(&server().owner, "getcoloniesmsg", json!({})).await.ok_json();
    let names: Vec<&str> = colonies
        .as_array()
        .map(|list| list.iter().filter_map(|c| c["name"].as_str()).collect())
        .unwrap_or_default();
    assert!(!names.contains(&name.as_str()), "the colony stays removed");
}

#[tokio::test]
async fn a_captured_key_rotation_cannot_flip_the_key_back() {
    let client = Client::new();
    let audience = audience(&client).await;
    let (owner, colony) = new_colony(&client).await;
    let (k1, name) = new_executor(&client, &owner, &colony, true).await;
    let k2 = key();
    let to_k2 = json!({ "colonyname": colony, "executorid": k2.id().to_hex() });
    let captured = bound(&k1, "changeexecutoridmsg", to_k2, &audience, now_ms());
    client.send(&captured).await.ok_json();
    let back = json!({ "colonyname": colony, "executorid": k1.id().to_hex() });
    client.send(&bound(&k2, "changeexecutoridmsg", back, &audience, now_ms())).await.ok_json();
    refused(&client.send(&captured).await, "replayed");
    let get = json!({ "colonyname": colony, "executorname": name });
    let executor = client.call(&k1, "getexecutormsg", get).await.ok_json();
    assert_eq!(executor["executorid"], k1.id().to_hex(), "still K1: {executor}");
}

/// A second replica on the suite's database, in `mode`; `None` against an external server.
async fn replica(mode: Mode) -> Option<colonies_worker::native::RunningServer> {
    let database_url = server().database_url.as_deref()?;
    let settings = ServerConfig { replay_mode: mode, ..ServerConfig::default() };
    Some(load::start_replica_configured(database_url, 4, settings, Default::default()).await)
}

/// The URL of a second server on the suite's database: `COLONIES_TEST_REPLICA_URL` (e.g. a
/// second Worker, as scripts/worker/test.mjs starts one), else a native replica started here
/// (kept alive by the returned handle); `None` against an external server without one.
async fn second_server() -> Option<(String, Option<colonies_worker::native::RunningServer>)> {
    if let Ok(url) = std::env::var("COLONIES_TEST_REPLICA_URL") {
        return Some((url.trim_end_matches('/').to_owned(), None));
    }
    let started = replica(Mode::Compat).await?;
    Some((format!("http://{}", started.addr()), Some(started)))
}

#[tokio::test]
async fn a_replay_on_another_replica_is_refused() {
    let Some((url, _started)) = second_server().await else {
        eprintln!("skipped: no second replica against an external server");
        return;
    };
    let (client, second) = (Client::new(), Client::to(&url));
    let audience_of_second = audience(&second).await;
    let audience = audience(&client).await;
    assert_eq!(audience_of_second, audience, "one server ID on one database");
    let (owner, colony) = new_colony(&client).await;
    let (executor, _) = new_executor(&client, &owner, &colony, true).await;
    let captured = bound(&executor, "submitfuncspecmsg", spec(&colony), &audience, now_ms());
    client.send(&captured).await.ok_json();
    refused(&second.send(&captured).await, "replayed");
    assert_eq!(waiting(&client, &executor, &colony).await, 1);
    // An assign (its nonce recorded in the assign statement itself) likewise.
    let take =
        json!({ "colonyname": colony, "timeout": -1, "availablecpu": "", "availablemem": "" });
    let assign = bound(&executor, "assignprocessmsg", take, &audience, now_ms());
    client.send(&assign).await.ok_json();
    client
        .send(&bound(&executor, "submitfuncspecmsg", spec(&colony), &audience, now_ms()))
        .await
        .ok_json();
    refused(&second.send(&assign).await, "replayed");
    assert_eq!(waiting(&client, &executor, &colony).await, 1, "the replayed assign took nothing");
}

#[tokio::test]
async fn strict_mode_refuses_unbound_requests_and_serves_bound_ones() {
    let Some(replica) = replica(Mode::Strict).await else {
        eprintln!("skipped: a strict replica needs the local database");
        return;
    };
    let (client, strict) = (Client::new(), Client::to(&format!("http://{}", replica.addr())));
    let audience = audience(&client).await;
    let (owner, colony) = new_colony(&client).await;
    let (executor, _) = new_executor(&client, &owner, &colony, true).await;
    // What pycolonies and the Go SDK send: no binding.
    refused(&strict.call(&executor, "submitfuncspecmsg", spec(&colony)).await, "fields missing");
    assert_eq!(waiting(&client, &executor, &colony).await, 0, "nothing written");
    let fresh = bound(&executor, "submitfuncspecmsg", spec(&colony), &audience, now_ms());
    strict.send(&fresh).await.ok_json();
    refused(&strict.send(&fresh).await, "replayed");
    refused(&client.send(&fresh).await, "replayed");
    assert_eq!(waiting(&client, &executor, &colony).await, 1);
    // The unsigned messages stay open.
    strict.send(&RpcMsg::unsigned("versionmsg", "{\"msgtype\":\"versionmsg\"}")).await.ok_json();
}

/// The first frame the server sends on a `/pubsub` socket after `frame`: Ok(payloadtype) or the
/// error message; `None` when `/pubsub` is not served (501) or nothing came.
async fn first_pubsub_frame(frame: &RpcMsg) -> Option<Result<String, String>> {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let (status, _) = Client::new().get("/pubsub").await;
    if status == 501 {
        return None;
    }
    let url = format!("{}/pubsub", server().url.replacen("http://", "ws://", 1));
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.expect("the WebSocket opens");
    ws.send(Message::text(frame.to_json())).await.expect("the subscription is sent");
    let read = async {
        while let Some(Ok(message)) = ws.next().await {
            if let Message::Text(text) = message {
                let reply = colonies_core::RpcReplyMsg::parse(text.as_bytes()).ok()?;
                let payloadtype = reply.payloadtype.clone();
                return Some(reply.into_result().map(|_| payloadtype).map_err(|f| f.message));
            }
        }
        None
    };
    tokio::time::timeout(std::time::Duration::from_secs(5), read).await.ok().flatten()
}

#[tokio::test]
async fn a_captured_subscription_cannot_be_replayed_on_another_socket() {
    let client = Client::new();
    let audience = audience(&client).await;
    let (owner, colony) = new_colony(&client).await;
    let (executor, _) = new_executor(&client, &owner, &colony, true).await;
    let submitted = client.call(&executor, "submitfuncspecmsg", spec(&colony)).await.ok_json();
    let subscribe = json!({ "colonyname": colony, "processid": submitted["processid"],
                            "executortype": "test_executor_type", "state": 0, "timeout": 5 });
    let captured = bound(&executor, "subscribeprocessmsg", subscribe, &audience, now_ms());
    let Some(first) = first_pubsub_frame(&captured).await else {
        eprintln!("skipped: /pubsub is not served here");
        return;
    };
    assert_eq!(first, Ok("subscribeprocessmsg".to_owned()), "the first socket is served");
    let second = first_pubsub_frame(&captured).await.expect("an error frame");
    let message = second.expect_err("the replayed subscription is refused");
    assert!(message.contains("replayed"), "{message}");
}

#[tokio::test]
async fn concurrent_copies_of_one_capture_are_served_once() {
    let client = Client::new();
    let audience = audience(&client).await;
    let (owner, colony) = new_colony(&client).await;
    let (executor, _) = new_executor(&client, &owner, &colony, true).await;
    let captured = bound(&executor, "submitfuncspecmsg", spec(&colony), &audience, now_ms());
    // Distinct bound requests sent at the same time share the server's nonce statements.
    let fresh: Vec<RpcMsg> = (0..10)
        .map(|_| bound(&executor, "submitfuncspecmsg", spec(&colony), &audience, now_ms()))
        .collect();
    let copies = (0..20).map(|_| client.send(&captured));
    let others = fresh.iter().map(|msg| client.send(msg));
    let (copies, others) = tokio::join!(
        futures_util::future::join_all(copies),
        futures_util::future::join_all(others)
    );
    let served = copies.iter().filter(|a| a.status == 200).count();
    assert_eq!(served, 1, "one of 20 concurrent copies is served");
    for answer in copies.iter().filter(|a| a.status != 200) {
        refused(answer, "replayed");
    }
    assert!(others.iter().all(|a| a.status == 200), "distinct nonces are all served");
    assert_eq!(waiting(&client, &executor, &colony).await, 11);
}
