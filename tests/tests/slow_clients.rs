//! Slow and stalled clients: the native server's header, body and idle timeouts
//! (`colonies-edge serve --header-timeout/--body-timeout/--idle-timeout`), and what they must
//! not cut (long-poll assign, `/pubsub` WebSockets).
//!
//! Each test starts its own native server, with short timeouts, on the suite's database, so
//! these run only when the suite started the server (with `COLONIES_TEST_URL` they skip: a
//! remote server's timeouts are its own, and its database is not ours to use).

use colonies_blackbox::{
    Client, load::start_replica_with, new_colony, new_executor, server, signed,
};
use colonies_core::RpcReplyMsg;
use colonies_worker::native::{HttpTimeouts, RunningServer};
use core::{net::SocketAddr, time::Duration};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    time::Instant,
};
use tokio_tungstenite::tungstenite::Message;

const HEADER: Duration = Duration::from_secs(2);
const BODY: Duration = Duration::from_secs(2);
/// Longer than [`HEADER`], so an idle connection outliving the header timeout shows that
/// the two are apart.
const IDLE: Duration = Duration::from_secs(3);
/// How late after its deadline a connection may be closed (two busy cores, 200 sockets).
const SLACK: Duration = Duration::from_secs(2);
/// How early: deadlines count from the accept, a little after the client started its clock.
const EARLY: Duration = Duration::from_millis(100);

/// A native server with the short timeouts above, on the suite's database.
async fn slow_server() -> Option<RunningServer> {
    let Some(database_url) = server().database_url.clone() else {
        eprintln!("{} was not started by this suite: slow-client test skipped", server().url);
        return None;
    };
    let timeouts = HttpTimeouts { header: Some(HEADER), body: Some(BODY), idle: Some(IDLE) };
    Some(start_replica_with(&database_url, 4, timeouts).await)
}

fn assert_between(what: &str, took: Duration, deadline: Duration) {
    assert!(
        took + EARLY >= deadline && took <= deadline + SLACK,
        "{what} after {took:?}; expected at {deadline:?} (+{SLACK:?})"
    );
}

/// Sends a request head one byte per 100 ms; when the server closed the connection.
async fn trickle_head(addr: SocketAddr) -> Result<Duration, String> {
    let started = Instant::now();
    let stream = TcpStream::connect(addr).await.map_err(|e| format!("connect: {e}"))?;
    let (mut read, mut write) = stream.into_split();
    // 250 bytes: 25 s at this pace, far beyond the header timeout.
    let head = format!("GET /health HTTP/1.1\r\nHost: slow\r\nX-Pad: {}\r\n\r\n", "a".repeat(200));
    let mut bytes = head.into_bytes().into_iter();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let give_up = tokio::time::sleep(HEADER + SLACK + Duration::from_secs(1));
    tokio::pin!(give_up);
    let mut buf = [0_u8; 256];
    loop {
        tokio::select! {
            read = read.read(&mut buf) => return match read {
                Ok(0) | Err(_) => Ok(started.elapsed()),
                Ok(n) => Err(format!("answered: {}", String::from_utf8_lossy(&buf[..n]))),
            },
            _ = tick.tick() => {
                if let Some(byte) = bytes.next()
                    && write.write_all(&[byte]).await.is_err()
                {
                    return Ok(started.elapsed());
                }
            }
            () = &mut give_up => return Err(format!("still open after {:?}", started.elapsed())),
        }
    }
}

// (a)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_sent_a_byte_at_a_time_are_cut_at_the_header_timeout() {
    let Some(replica) = slow_server().await else { return };
    let addr = replica.addr();
    let url = format!("http://{addr}");
    let slow: Vec<_> = (0..200).map(|_| tokio::spawn(trickle_head(addr))).collect();

    // Meanwhile the server answers at once, on /health and on /api.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let client = Client::to(&url);
    let started = Instant::now();
    assert_eq!(client.get("/health").await.0, 200);
    let colonies = client.call(&server().owner, "getcoloniesmsg", json!({})).await;
    assert!(colonies.ok_json().is_array(), "{}", colonies.body);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(1), "normal requests took {took:?}");

    for (i, connection) in slow.into_iter().enumerate() {
        let closed = connection.await.expect("the slow client ran");
        let closed = closed.unwrap_or_else(|e| panic!("slow connection {i}: {e}"));
        assert_between(&format!("slow connection {i} closed"), closed, HEADER);
    }
}

/// Reads until the server closes; what it sent, and when it closed.
async fn read_until_closed(stream: &mut TcpStream, started: Instant, within: Duration) -> String {
    let mut answer = Vec::new();
    let read = tokio::time::timeout_at(started + within, async {
        let mut buf = [0_u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    assert!(read.is_ok(), "still open after {:?}; received {answer:?}", started.elapsed());
    answer
}

fn assert_408(answer: &str) {
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    let reply = RpcReplyMsg::parse(body.as_bytes()).expect("a Colonies error envelope");
    let failure = reply.into_result().expect_err("an error reply");
    assert_eq!(failure.status, 408, "{failure:?}");
}

// (b)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_or_trickled_body_is_answered_408_at_the_body_timeout() {
    let Some(replica) = slow_server().await else { return };
    let addr = replica.addr();
    let head = |length: usize| {
        format!("POST /api HTTP/1.1\r\nHost: slow\r\nContent-Length: {length}\r\n\r\n")
    };

    // Half of the declared body, then nothing.
    let stalled = tokio::spawn(async move {
        let started = Instant::now();
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream.write_all(head(1000).as_bytes()).await.expect("the head");
        stream.write_all(&[b' '; 500]).await.expect("half the body");
        let answer = read_until_closed(&mut stream, started, BODY + SLACK).await;
        (answer, started.elapsed())
    });
    // A body that keeps coming, one byte per 100 ms: the timeout bounds the whole body.
    let trickled = tokio::spawn(async move {
        let started = Instant::now();
        let stream = TcpStream::connect(addr).await.expect("connect");
        let (mut read, mut write) = stream.into_split();
        write.write_all(head(100_000).as_bytes()).await.expect("the head");
        let writer = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(100));
            loop {
                tick.tick().await;
                if write.write_all(b" ").await.is_err() {
                    break;
                }
            }
        });
        let mut answer = Vec::new();
        let read = tokio::time::timeout_at(started + BODY + SLACK, async {
            let mut buf = [0_u8; 4096];
            loop {
                match read.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => answer.extend_from_slice(&buf[..n]),
                }
            }
        })
        .await;
        writer.abort();
        let answer = String::from_utf8_lossy(&answer).into_owned();
        assert!(read.is_ok(), "still open after {:?}; received {answer:?}", started.elapsed());
        (answer, started.elapsed())
    });

    let (answer, closed) = stalled.await.expect("the stalled client ran");
    assert_408(&answer);
    assert_between("the stalled body was answered", closed, BODY);
    let (answer, closed) = trickled.await.expect("the trickling client ran");
    // The 408 is written; a reset caused by the bytes still arriving may beat it to the client.
    if !answer.is_empty() {
        assert_408(&answer);
    }
    assert_between("the trickled body was answered", closed, BODY);
}

/// Sends `GET /health` and reads its answer (an empty body), leaving the connection open.
async fn health(stream: &mut TcpStream) {
    stream.write_all(b"GET /health HTTP/1.1\r\nHost: slow\r\n\r\n").await.expect("a request");
    let mut answer = Vec::new();
    let mut buf = [0_u8; 1024];
    while !answer.ends_with(b"\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(2), stream.read(&mut buf))
            .await
            .expect("an answer in time")
            .expect("an answer");
        assert!(n > 0, "closed instead of answering: {:?}", String::from_utf8_lossy(&answer));
        answer.extend_from_slice(&buf[..n]);
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("content-length: 0"), "{answer}");
}

// (c)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed_at_the_idle_timeout() {
    let Some(replica) = slow_server().await else { return };
    let mut stream = TcpStream::connect(replica.addr()).await.expect("connect");
    health(&mut stream).await;
    // Idle for longer than the header timeout: that one does not apply between requests.
    tokio::time::sleep(HEADER + Duration::from_millis(500)).await;
    health(&mut stream).await;
    let idle_since = Instant::now();
    let rest = read_until_closed(&mut stream, idle_since, IDLE + SLACK).await;
    assert_eq!(rest, "", "nothing is sent on an idle connection");
    assert_between("the idle connection was closed", idle_since.elapsed(), IDLE);
}

// (d)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_poll_outlives_the_body_and_idle_timeouts() {
    let Some(replica) = slow_server().await else { return };
    let url = format!("http://{}", replica.addr());
    let client = Client::to(&url);
    let (owner, colony) = new_colony(&client).await;
    let (executor, _) = new_executor(&client, &owner, &colony, true).await;
    let (idle, _) = new_executor(&client, &owner, &colony, true).await;
    let (other_owner, other_colony) = new_colony(&client).await;
    let (nothing_to_do, _) = new_executor(&client, &other_owner, &other_colony, true).await;

    let started = Instant::now();
    let woken = {
        let (url, colony) = (url.clone(), colony.clone());
        let payload = json!({ "colonyname": colony, "timeout": 10 });
        tokio::spawn(async move {
            let answer = Client::to(&url).call(&executor, "assignprocessmsg", payload).await;
            (answer, started.elapsed())
        })
    };
    let timed_out = {
        let url = url.clone();
        let payload = json!({ "colonyname": other_colony, "timeout": 5 });
        tokio::spawn(async move {
            let answer = Client::to(&url).call(&nothing_to_do, "assignprocessmsg", payload).await;
            (answer, started.elapsed())
        })
    };
    // Past every timeout, then a submit wakes the first poll.
    tokio::time::sleep(IDLE + Duration::from_secs(1)).await;
    let spec = json!({ "spec": {
        "funcname": "f", "maxwaittime": -1, "maxexectime": -1, "maxretries": 0,
        "conditions": { "colonyname": colony, "executortype": "test_executor_type" } } });
    let submitted = Client::to(&url).call(&idle, "submitfuncspecmsg", spec).await.ok_json();

    let (answer, took) = woken.await.expect("the long poll ran");
    assert_eq!(answer.ok_json()["processid"], submitted["processid"], "{}", answer.body);
    assert!(took >= IDLE + Duration::from_secs(1), "answered after {took:?}");
    let (answer, took) = timed_out.await.expect("the long poll ran");
    answer.assert_error(404);
    assert!(took >= Duration::from_secs(5), "answered after {took:?}");
}

// The WebSocket counterpart of (d).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pubsub_subscription_outlives_the_idle_timeout() {
    let Some(replica) = slow_server().await else { return };
    tokio::time::timeout(Duration::from_secs(10), replica.events().until_listening())
        .await
        .expect("the server listens for events");
    let url = format!("http://{}", replica.addr());
    let client = Client::to(&url);
    let (owner, colony) = new_colony(&client).await;
    let (executor, _) = new_executor(&client, &owner, &colony, true).await;
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/pubsub", replica.addr()))
        .await
        .expect("the WebSocket opens");
    let subscription = json!({ "colonyname": colony, "executortype": "test_executor_type",
                               "state": 0, "timeout": 20 });
    let frame = signed(&executor, "subscribeprocessesmsg", subscription).to_json();
    ws.send(Message::text(frame)).await.expect("the subscription is sent");
    // Quiet for longer than the idle (and header) timeout.
    tokio::time::sleep(IDLE + Duration::from_secs(1)).await;
    assert_eq!(replica.events().subscriptions(), 1, "the subscription is still there");
    let spec = json!({ "spec": {
        "funcname": "f", "maxwaittime": -1, "maxexectime": -1, "maxretries": 0,
        "conditions": { "colonyname": colony, "executortype": "test_executor_type" } } });
    let submitted = Client::to(&url).call(&executor, "submitfuncspecmsg", spec).await.ok_json();
    let frame = tokio::time::timeout(Duration::from_secs(3), ws.next())
        .await
        .expect("a frame in time")
        .expect("the socket is open")
        .expect("a frame");
    let Message::Text(text) = frame else { panic!("expected a text frame, got {frame:?}") };
    let reply = RpcReplyMsg::parse(text.as_bytes()).expect("a reply envelope");
    let process: serde_json::Value =
        serde_json::from_slice(&reply.into_result().expect("a process")).expect("JSON");
    assert_eq!(process["processid"], submitted["processid"]);
}
