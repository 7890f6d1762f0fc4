//! `GET /pubsub` WebSocket subscriptions (protocol §7; §13 cases 59–60; the WS cases of §12):
//! frames, membership errors, channel streams, timeouts, a second server on the same
//! database, and registrations released when clients go away.

use base64::{Engine, engine::general_purpose::STANDARD};
use colonies_blackbox::{Client, key, new_colony, new_executor, server, signed};
use colonies_core::{Failure, PrivateKey, RpcReplyMsg};
use core::time::Duration;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Instant;
use tokio::net::TcpStream;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, tungstenite::Message};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Time for the server to register a subscription after its frame was sent (the protocol
/// has no acknowledgement; Go's own tests wait likewise).
const SETTLE: Duration = Duration::from_millis(500);

/// Whether the server under test serves `/pubsub`. A host that does not (the Workers host:
/// see server-worker/src/workers/mod.rs) answers a plain GET with the documented 501 error
/// envelope; the subscription tests then have nothing to test, and
/// [`a_host_without_subscriptions_says_so_clearly`] checks that answer instead.
async fn served() -> bool {
    let (status, _) = Client::new().get("/pubsub").await;
    if status == 501 {
        eprintln!("/pubsub is not served by {} (501): subscription test skipped", server().url);
    }
    status != 501
}

fn pubsub_url(base: &str) -> String {
    format!("{}/pubsub", base.replacen("http://", "ws://", 1))
}

/// Opens `/pubsub` on `base` and sends the subscription.
async fn subscribe_at(base: &str, key: &PrivateKey, payloadtype: &str, payload: Value) -> Ws {
    let (mut ws, _) =
        tokio_tungstenite::connect_async(pubsub_url(base)).await.expect("the WebSocket opens");
    let envelope = signed(key, payloadtype, payload).to_json();
    ws.send(Message::text(envelope)).await.expect("the subscription is sent");
    ws
}

async fn subscribe(key: &PrivateKey, payloadtype: &str, payload: Value) -> Ws {
    subscribe_at(&server().url, key, payloadtype, payload).await
}

/// What the server sent next.
#[derive(Debug)]
enum Frame {
    /// A success frame: its payloadtype and payload JSON.
    Ok(String, Value),
    /// An error frame.
    Error(Failure),
    /// The server closed the socket.
    Closed,
}

/// The next data frame within `within` (pings are answered by tungstenite).
async fn next(ws: &mut Ws, within: Duration) -> Frame {
    let read = async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(text))) => {
                    let reply = RpcReplyMsg::parse(text.as_bytes()).expect("a reply envelope");
                    let payloadtype = reply.payloadtype.clone();
                    return match reply.into_result() {
                        Ok(json) => {
                            Frame::Ok(payloadtype, serde_json::from_slice(&json).expect("JSON"))
                        }
                        Err(failure) => Frame::Error(failure),
                    };
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Frame::Closed,
                Some(Ok(_)) => {}
            }
        }
    };
    tokio::time::timeout(within, read).await.expect("a frame or a close in time")
}

fn process(frame: Frame) -> Value {
    match frame {
        Frame::Ok(payloadtype, process) => {
            assert_eq!(payloadtype, "subscribeprocessmsg");
            process
        }
        other => panic!("expected a process frame, got {other:?}"),
    }
}

fn entries(frame: Frame) -> Vec<Value> {
    match frame {
        Frame::Ok(payloadtype, Value::Array(entries)) => {
            assert_eq!(payloadtype, "subscribechannelmsg");
            entries
        }
        other => panic!("expected a channel frame, got {other:?}"),
    }
}

fn error(frame: Frame, status: u16) {
    match frame {
        Frame::Error(failure) => assert_eq!(failure.status, status, "{failure:?}"),
        other => panic!("expected an error frame {status}, got {other:?}"),
    }
}

fn spec(colony: &str, channels: Value) -> Value {
    json!({ "spec": {
        "nodename": "n", "funcname": "f", "args": [], "kwargs": {},
        "maxwaittime": -1, "maxexectime": -1, "maxretries": 0, "priority": 0,
        "conditions": { "colonyname": colony, "executortype": "test_executor_type" },
        "channels": channels
    } })
}

async fn submit(client: &Client, key: &PrivateKey, colony: &str, channels: Value) -> String {
    let p = client.call(key, "submitfuncspecmsg", spec(colony, channels)).await.ok_json();
    p["processid"].as_str().expect("a process ID").to_owned()
}

async fn assign(client: &Client, key: &PrivateKey, colony: &str) -> String {
    let payload = json!({ "colonyname": colony, "timeout": -1 });
    let p = client.call(key, "assignprocessmsg", payload).await.ok_json();
    p["processid"].as_str().expect("a process ID").to_owned()
}

async fn close(client: &Client, key: &PrivateKey, process: &str) {
    let payload = json!({ "processid": process, "out": [] });
    client.call(key, "closesuccessfulmsg", payload).await.ok_json();
}

fn one_process(colony: &str, process: &str, state: i64, timeout: i64) -> Value {
    json!({ "colonyname": colony, "processid": process, "executortype": "",
            "state": state, "timeout": timeout })
}

fn type_processes(colony: &str, state: i64, timeout: i64) -> Value {
    json!({ "colonyname": colony, "executortype": "test_executor_type",
            "state": state, "timeout": timeout })
}

#[tokio::test]
async fn case_59_a_subscriber_sees_a_submitted_process_then_the_timeout_closes() {
    if !served().await {
        return;
    }
    let client = Client::new();
    let (c1, colony) = new_colony(&client).await;
    let (e1, _) = new_executor(&client, &c1, &colony, true).await;
    let mut ws = subscribe(&e1, "subscribeprocessesmsg", type_processes(&colony, 0, 3)).await;
    tokio::time::sleep(SETTLE).await;
    let started = Instant::now();
    let first = submit(&client, &e1, &colony, json!([])).await;
    let second = submit(&client, &e1, &colony, json!([])).await;
    let a = process(next(&mut ws, Duration::from_secs(5)).await);
    let b = process(next(&mut ws, Duration::from_secs(5)).await);
    assert_eq!((a["processid"].as_str(), b["processid"].as_str()), (Some(&*first), Some(&*second)));
    assert_eq!(a["state"], 0);
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    // A process entering another state is not sent; at the timeout the socket closes, no frame.
    assert_eq!(assign(&client, &e1, &colony).await, first);
    assert!(matches!(next(&mut ws, Duration::from_secs(6)).await, Frame::Closed));
}

#[tokio::test]
async fn a_colony_stream_does_not_see_other_colonies_or_types() {
    if !served().await {
        return;
    }
    let client = Client::new();
    let (c1, colony1) = new_colony(&client).await;
    let (c2, colony2) = new_colony(&client).await;
    let (e1, _) = new_executor(&client, &c1, &colony1, true).await;
    let (e2, _) = new_executor(&client, &c2, &colony2, true).await;
    let mut ws = subscribe(&e1, "subscribeprocessesmsg", type_processes(&colony1, 0, 2)).await;
    tokio::time::sleep(SETTLE).await;
    submit(&client, &e2, &colony2, json!([])).await;
    assert!(matches!(next(&mut ws, Duration::from_secs(5)).await, Frame::Closed));
}

#[tokio::test]
async fn case_60_a_process_already_in_the_state_is_sent_at_once() {
    if !served().await {
        return;
    }
    let client = Client::new();
    let (c1, colony) = new_colony(&client).await;
    let (e1, _) = new_executor(&client, &c1, &colony, true).await;
    let id = submit(&client, &e1, &colony, json!([])).await;
    assert_eq!(assign(&client, &e1, &colony).await, id);
    close(&client, &e1, &id).await;
    let started = Instant::now();
    let mut ws = subscribe(&e1, "subscribeprocessmsg", one_process(&colony, &id, 2, 10)).await;
    let p = process(next(&mut ws, Duration::from_secs(5)).await);
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
    assert_eq!((p["processid"].as_str(), p["state"].as_i64()), (Some(&*id), Some(2)));
    // One frame, then the server closes (pycolonies' wait() reads one frame).
    assert!(matches!(next(&mut ws, Duration::from_secs(5)).await, Frame::Closed));
}

#[tokio::test]
async fn a_process_subscriber_is_told_when_the_process_finishes() {
    if !served().await {
        return;
    }
    let client = Client::new();
    let (c1, colony) = new_colony(&client).await;
    let (e1, _) = new_executor(&client, &c1, &colony, true).await;
    let (submitter, _) = new_executor(&client, &c1, &colony, true).await;
    let id = submit(&client, &submitter, &colony, json!([])).await;
    let mut ws =
        subscribe(&submitter, "subscribeprocessmsg", one_process(&colony, &id, 2, 10)).await;
    // Pings are answered while the subscription waits.
    ws.send(Message::Ping(b"alive?".to_vec().into())).await.expect("a ping");
    tokio::time::sleep(SETTLE).await;
    assert_eq!(assign(&client, &e1, &colony).await, id);
    let started = Instant::now();
    close(&client, &e1, &id).await;
    let p = process(next(&mut ws, Duration::from_secs(5)).await);
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(p["state"], 2);
    assert!(matches!(next(&mut ws, Duration::from_secs(5)).await, Frame::Closed));
}

#[tokio::test]
async fn a_process_subscription_times_out_without_a_frame() {
    if !served().await {
        return;
    }
    let client = Client::new();
    let (c1, colony) = new_colony(&client).await;
    let (e1, _) = new_executor(&client, &c1, &colony, true).await;
    let id = submit(&client, &e1, &colony, json!([])).await;
    let started = Instant::now();
    let mut ws = subscribe(&e1, "subscribeprocessmsg", one_process(&colony, &id, 2, 1)).await;
    assert!(matches!(next(&mut ws, Duration::from_secs(5)).await, Frame::Closed));
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(900) && waited < Duration::from_secs(3), "{waited:?}");
}

#[tokio::test]
async fn subscribers_outside_the_colony_get_an_error_frame() {
    if !served().await {
        return;
    }
    let client = Client::new();
    let (c1, colony1) = new_colony(&client).await;
    let (c2, colony2) = new_colony(&client).await;
    let (e1, _) = new_executor(&client, &c1, &colony1, true).await;
    let (e2, _) = new_executor(&client, &c2, &colony2, true).await;
    let (pending, _) = new_executor(&client, &c1, &colony1, false).await;
    let in_colony2 = submit(&client, &e2, &colony2, json!([])).await;
    let in_colony1 = submit(&client, &e1, &colony1, json!([])).await;
    let within = Duration::from_secs(5);

    // §12: a random (unregistered) key, on both process subscriptions.
    let mut ws = subscribe(&key(), "subscribeprocessesmsg", type_processes(&colony1, 0, 10)).await;
    error(next(&mut ws, within).await, 403);
    assert!(matches!(next(&mut ws, within).await, Frame::Closed));
    let mut ws =
        subscribe(&key(), "subscribeprocessmsg", one_process(&colony1, &in_colony1, 0, 10)).await;
    error(next(&mut ws, within).await, 403);

    // §12: E1 subscribing to a colony2 process, naming either colony.
    let mut ws =
        subscribe(&e1, "subscribeprocessmsg", one_process(&colony1, &in_colony2, 0, 10)).await;
    error(next(&mut ws, within).await, 403);
    let mut ws =
        subscribe(&e1, "subscribeprocessmsg", one_process(&colony2, &in_colony2, 0, 10)).await;
    error(next(&mut ws, within).await, 403);
    let mut ws = subscribe(&e1, "subscribeprocessesmsg", type_processes(&colony2, 0, 10)).await;
    error(next(&mut ws, within).await, 403);

    // An executor not approved yet, and the colony owner (not a member).
    let mut ws =
        subscribe(&pending, "subscribeprocessesmsg", type_processes(&colony1, 0, 10)).await;
    error(next(&mut ws, within).await, 403);
    let mut ws = subscribe(&c1, "subscribeprocessesmsg", type_processes(&colony1, 0, 10)).await;
    error(next(&mut ws, within).await, 403);

    // An unknown process.
    let unknown = "0".repeat(64);
    let mut ws =
        subscribe(&e1, "subscribeprocessmsg", one_process(&colony1, &unknown, 0, 10)).await;
    error(next(&mut ws, within).await, 404);
}

#[tokio::test]
async fn anything_but_a_subscription_gets_an_error_frame_and_a_close() {
    if !served().await {
        return;
    }
    let client = Client::new();
    let (c1, colony) = new_colony(&client).await;
    let (e1, _) = new_executor(&client, &c1, &colony, true).await;
    let within = Duration::from_secs(5);

    let mut ws = subscribe(&e1, "getcolonymsg", json!({ "colonyname": colony })).await;
    error(next(&mut ws, within).await, 403);
    assert!(matches!(next(&mut ws, within).await, Frame::Closed));

    let (mut ws, _) = tokio_tungstenite::connect_async(pubsub_url(&server().url))
        .await
        .expect("the WebSocket opens");
    ws.send(Message::text("not json")).await.expect("sent");
    error(next(&mut ws, within).await, 400);
    assert!(matches!(next(&mut ws, within).await, Frame::Closed));

    // A signature over another payload recovers another ID, which is no member.
    let mut envelope = signed(&e1, "subscribeprocessesmsg", type_processes(&colony, 0, 5));
    envelope.payload = STANDARD.encode(format!(" {}", type_processes(&colony, 0, 5)));
    let (mut ws, _) = tokio_tungstenite::connect_async(pubsub_url(&server().url))
        .await
        .expect("the WebSocket opens");
    ws.send(Message::text(envelope.to_json())).await.expect("sent");
    assert!(matches!(next(&mut ws, within).await, Frame::Error(_)));

    // A plain GET (no upgrade) is refused.
    let (status, _) = client.get("/pubsub").await;
    assert!(status >= 400, "{status}");
}

/// A colony with a submitter, the executor running the submitter's process (channel "chat"),
/// and a third approved member.
struct ChannelEnv {
    client: Client,
    submitter: PrivateKey,
    runner: PrivateKey,
    other: PrivateKey,
    process: String,
}

async fn channel_env() -> ChannelEnv {
    let client = Client::new();
    let (c1, colony) = new_colony(&client).await;
    let (submitter, _) = new_executor(&client, &c1, &colony, true).await;
    let (runner, _) = new_executor(&client, &c1, &colony, true).await;
    let (other, _) = new_executor(&client, &c1, &colony, true).await;
    let process = submit(&client, &submitter, &colony, json!(["chat"])).await;
    assert_eq!(assign(&client, &runner, &colony).await, process);
    ChannelEnv { client, submitter, runner, other, process }
}

async fn append(env: &ChannelEnv, key: &PrivateKey, sequence: i64, payload: &[u8]) {
    let payload = json!({ "processid": env.process, "name": "chat", "sequence": sequence,
                          "payload": STANDARD.encode(payload), "payloadtype": "" });
    env.client.call(key, "channelappendmsg", payload).await.ok_json();
}

fn channel_sub(process: &str, afterseq: i64, timeout: i64) -> Value {
    json!({ "processid": process, "name": "chat", "afterseq": afterseq, "timeout": timeout })
}

fn payloads(entries: &[Value]) -> Vec<Vec<u8>> {
    entries
        .iter()
        .map(|e| STANDARD.decode(e["payload"].as_str().unwrap_or_default()).expect("base64"))
        .collect()
}

#[tokio::test]
async fn a_channel_subscriber_sees_existing_and_new_entries_then_the_timeout_frame() {
    if !served().await {
        return;
    }
    let env = channel_env().await;
    append(&env, &env.submitter, 1, b"one").await;
    append(&env, &env.runner, 1, b"two").await;
    append(&env, &env.submitter, 2, b"three").await;
    let mut ws =
        subscribe(&env.submitter, "subscribechannelmsg", channel_sub(&env.process, 1, 3)).await;
    let within = Duration::from_secs(5);
    // After index 1: the second and third entries.
    assert_eq!(
        payloads(&entries(next(&mut ws, within).await)),
        [b"two".to_vec(), b"three".to_vec()]
    );
    let started = Instant::now();
    append(&env, &env.runner, 2, b"four").await;
    assert_eq!(payloads(&entries(next(&mut ws, within).await)), [b"four".to_vec()]);
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    // The timeout: a `[]` frame, then the close.
    assert!(entries(next(&mut ws, within).await).is_empty());
    assert!(matches!(next(&mut ws, within).await, Frame::Closed));
}

#[tokio::test]
async fn a_channel_stream_ends_when_the_process_closes() {
    if !served().await {
        return;
    }
    let env = channel_env().await;
    let mut ws =
        subscribe(&env.runner, "subscribechannelmsg", channel_sub(&env.process, 0, 30)).await;
    tokio::time::sleep(SETTLE).await;
    append(&env, &env.submitter, 1, b"hello").await;
    let within = Duration::from_secs(5);
    assert_eq!(payloads(&entries(next(&mut ws, within).await)), [b"hello".to_vec()]);
    close(&env.client, &env.runner, &env.process).await;
    assert!(entries(next(&mut ws, within).await).is_empty());
    assert!(matches!(next(&mut ws, within).await, Frame::Closed));
}

#[tokio::test]
async fn only_participants_subscribe_to_a_channel() {
    if !served().await {
        return;
    }
    let env = channel_env().await;
    let within = Duration::from_secs(5);
    let mut ws =
        subscribe(&env.other, "subscribechannelmsg", channel_sub(&env.process, 0, 5)).await;
    error(next(&mut ws, within).await, 403);
    let mut ws = subscribe(&key(), "subscribechannelmsg", channel_sub(&env.process, 0, 5)).await;
    error(next(&mut ws, within).await, 403);
    let nameless =
        json!({ "processid": env.process, "name": "nosuch", "afterseq": 0, "timeout": 5 });
    let mut ws = subscribe(&env.submitter, "subscribechannelmsg", nameless).await;
    error(next(&mut ws, within).await, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_on_one_server_sees_a_close_on_another_and_leaves_nothing_behind() {
    if !served().await {
        return;
    }
    // Only when this suite started the server (a remote one's database is not ours to use).
    let Some(database_url) = server().database_url.clone() else { return };
    let replica = colonies_blackbox::load::start_replica(&database_url, 4).await;
    let b = format!("http://{}", replica.addr());
    tokio::time::timeout(Duration::from_secs(10), replica.events().until_listening())
        .await
        .expect("the replica listens");

    let client = Client::new();
    let on_b = Client::to(&b);
    let (c1, colony) = new_colony(&client).await;
    let (e1, _) = new_executor(&client, &c1, &colony, true).await;
    let id = submit(&client, &e1, &colony, json!([])).await;
    // Subscribed on the suite's server A, closed through server B.
    let mut ws = subscribe(&e1, "subscribeprocessmsg", one_process(&colony, &id, 2, 10)).await;
    tokio::time::sleep(SETTLE).await;
    assert_eq!(assign(&on_b, &e1, &colony).await, id);
    close(&on_b, &e1, &id).await;
    let p = process(next(&mut ws, Duration::from_secs(5)).await);
    assert_eq!(p["state"], 2);

    // Subscriptions on B are released when their clients go away, however they go.
    let mut sockets = Vec::new();
    for _ in 0..20 {
        sockets.push(
            subscribe_at(&b, &e1, "subscribeprocessesmsg", type_processes(&colony, 0, 60)).await,
        );
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while replica.events().subscriptions() < 20 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(replica.events().subscriptions(), 20);
    // Half close politely, half just drop the connection.
    for (i, mut ws) in sockets.into_iter().enumerate() {
        if i % 2 == 0 {
            ws.close(None).await.expect("a close");
        }
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while replica.events().subscriptions() > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(replica.events().subscriptions(), 0);
    replica.shutdown().await;
}

/// On a host without subscriptions, `/pubsub` refuses clearly: a plain GET gets the error
/// envelope with 501, and a WebSocket client one error frame saying why, then a close.
#[tokio::test]
async fn a_host_without_subscriptions_says_so_clearly() {
    if served().await {
        return;
    }
    let (status, body) = Client::new().get("/pubsub").await;
    assert_eq!(status, 501);
    let reply = RpcReplyMsg::parse(body.as_bytes()).expect("the reply envelope");
    let failure = reply.into_result().expect_err("an error reply");
    assert_eq!(failure.status, 501);
    assert!(failure.message.contains("/pubsub"), "{}", failure.message);
    let e1 = key();
    let mut ws = subscribe(&e1, "subscribeprocessesmsg", json!({})).await;
    match next(&mut ws, Duration::from_secs(5)).await {
        Frame::Error(f) => assert_eq!(f.status, 501, "{}", f.message),
        other => panic!("expected an error frame, got {other:?}"),
    }
}
