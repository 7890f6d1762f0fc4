//! Replay binding from the client's side: the Rust client and the `colonies-edge` command
//! bind every signed request by default (a fresh nonce, signedat, the server's ID as
//! audience), so a copy captured on the way (here by a recording proxy) is refused by the
//! server as replayed; a bound client works end to end; the opt-outs send unbound requests.

mod support;

use colonies_blackbox::{Answer, http};
use colonies_cli::{
    Client, Executor, ExecutorEvent, ExecutorOptions,
    core::{
        RpcMsg,
        message::{Message, SubmitFunctionSpecMsg},
        model::ProcessState,
        rules::replay::{Binding, read_binding},
    },
};
use core::time::Duration;
use serde_json::json;
use std::sync::{Arc, Mutex};
use support::setup;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

/// An HTTP proxy in front of `POST /api` that records every envelope it forwards.
struct Proxy {
    url: String,
    seen: Arc<Mutex<Vec<RpcMsg>>>,
}

impl Proxy {
    async fn start(upstream: &str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (upstream, recorded) = (format!("{upstream}/api"), seen.clone());
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(forward(socket, upstream.clone(), recorded.clone()));
            }
        });
        Self { url, seen }
    }

    /// The envelopes forwarded so far, of `payloadtype`.
    fn seen(&self, payloadtype: &str) -> Vec<RpcMsg> {
        let seen = self.seen.lock().expect("the record");
        seen.iter().filter(|m| m.payloadtype == payloadtype).cloned().collect()
    }
}

/// One request per connection: read it, record it, forward it, answer what the server said.
async fn forward(
    mut socket: tokio::net::TcpStream,
    upstream: String,
    seen: Arc<Mutex<Vec<RpcMsg>>>,
) {
    let mut buf = Vec::new();
    let body = loop {
        let mut chunk = [0u8; 8192];
        let n = socket.read(&mut chunk).await.unwrap_or(0);
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        if buf.len() >= end + 4 + length {
            break buf[end + 4..end + 4 + length].to_vec();
        }
    };
    if let Ok(msg) = RpcMsg::parse(&body) {
        seen.lock().expect("the record").push(msg);
    }
    let response = http().post(&upstream).body(body).send().await.expect("the server answers");
    let status = response.status().as_u16();
    let reply = response.bytes().await.expect("a body");
    let head = format!(
        "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        reply.len()
    );
    let _ = socket.write_all(head.as_bytes()).await;
    let _ = socket.write_all(&reply).await;
    let _ = socket.shutdown().await;
}

/// The binding of a recorded envelope (`None`: unbound).
fn binding_of(msg: &RpcMsg) -> Option<Binding> {
    read_binding(&msg.payload_json().expect("a payload")).expect("well-formed fields")
}

fn refused_as(answer: &Answer, words: &str) {
    let failure = answer.assert_error(403);
    assert!(failure.message.starts_with(words), "expected {words:?}: {}", failure.message);
}

fn now_ms() -> i64 {
    colonies_blackbox::now_ms()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_clients_requests_are_bound_and_a_captured_copy_is_refused_as_replayed() {
    let s = setup("bound-capture").await;
    let server_id = colonies_blackbox::Client::to(&s.url).audience().await.expect("a serverid");
    let proxy = Proxy::start(&s.url).await;
    let client =
        Client::new(&proxy.url, s.executor_prvkey.parse().expect("a key")).expect("a client");
    assert!(client.binds_requests(), "on by default");

    let submitted = client.submit_function_spec(s.spec("echo", &["once"])).await.expect("submit");
    let captured = proxy.seen(SubmitFunctionSpecMsg::PAYLOAD_TYPE);
    assert_eq!(captured.len(), 1);
    let binding = binding_of(&captured[0]).expect("the client binds its requests");
    assert_eq!(binding.audience, server_id, "bound to this server");
    assert!((binding.signedat - now_ms()).abs() < 10_000, "signed now: {binding:?}");
    assert_eq!(proxy.seen("getserverinfomsg").len(), 1, "the audience was asked once");

    // Whoever captured the request sends it again, to the server or through the proxy.
    let direct = colonies_blackbox::Client::to(&s.url);
    for _ in 0..3 {
        refused_as(&direct.send(&captured[0]).await, "replay protection: replayed");
    }
    // The client's own next request is signed anew and served.
    client.submit_function_spec(s.spec("echo", &["twice"])).await.expect("a second submit");
    let waiting = client
        .get_processes(s.colony.clone(), 100, ProcessState::Waiting)
        .await
        .expect("the waiting processes");
    assert_eq!(waiting.len(), 2, "two submits, the replays wrote nothing");
    assert!(waiting.iter().any(|p| p.processid == submitted.processid));

    // The envelope `envelope()` gives is what `send` sends: bound, and refused when replayed.
    let spec = SubmitFunctionSpecMsg { spec: s.spec("echo", &["envelope"]) };
    let envelope = client.envelope(&spec).await.expect("an envelope");
    assert_eq!(binding_of(&envelope).map(|b| b.audience), Some(server_id.clone()));
    direct.send(&envelope).await.ok_json();
    refused_as(&direct.send(&envelope).await, "replay protection: replayed");

    // Every assign is signed anew, a repeated one too: three assigns, three nonces (each
    // takes one of the waiting processes or finds none; either is an answer).
    for _ in 0..3 {
        let answer = client.assign(s.colony.clone(), -1, "", "").await;
        assert!(answer.as_ref().map_or_else(|e| e.is_not_found(), |_| true), "{answer:?}");
    }
    let assigns = proxy.seen("assignprocessmsg");
    let nonces: std::collections::HashSet<String> =
        assigns.iter().map(|m| binding_of(m).expect("bound").nonce).collect();
    assert_eq!((assigns.len(), nonces.len()), (3, 3), "a fresh nonce for every assign");
    assert_eq!(proxy.seen("getserverinfomsg").len(), 1, "still asked once");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bound_client_submits_assigns_and_closes_end_to_end() {
    let s = setup("bound-flow").await;
    let c = &s.executor;
    assert!(c.binds_requests());
    assert_eq!(
        c.audience().await.expect("the audience"),
        colonies_blackbox::Client::to(&s.url).audience().await
    );

    // submit → assign → close, each bound.
    let submitted = c.submit_function_spec(s.spec("echo", &["bound"])).await.expect("submit");
    let assigned = c.assign(s.colony.clone(), 5, "", "").await.expect("assign");
    assert_eq!(assigned.processid, submitted.processid);
    c.close_successful(assigned.processid.clone(), vec![json!("done")]).await.expect("close");
    let closed = c.get_process(assigned.processid.clone()).await.expect("get_process");
    assert_eq!((closed.state, closed.output), (ProcessState::Success, vec![json!("done")]));
    assert_eq!(c.clock_offset_ms(), 0, "no stale refusal on one machine's clock");

    // The executor loop (long polls re-sent, each with a fresh binding) and a /pubsub wait.
    let options = ExecutorOptions {
        assign_timeout: 1,
        ..ExecutorOptions::new(s.colony.clone(), s.executorname.clone(), s.executortype.clone())
    };
    let errors = Arc::new(Mutex::new(Vec::new()));
    let executor = Executor::new(c.clone(), options)
        .register("upper", |job| async move {
            let text = job.process.spec.args.first().and_then(|a| a.as_str()).unwrap_or_default();
            Ok(vec![json!(text.to_uppercase())])
        })
        .on_event({
            let errors = errors.clone();
            move |event| {
                if let ExecutorEvent::Error { error, .. } = event {
                    errors.lock().expect("errors").push(error.to_string());
                }
            }
        });
    let cancel = CancellationToken::new();
    let running = tokio::spawn({
        let (executor, cancel) = (executor.clone(), cancel.clone());
        async move { executor.run(cancel).await }
    });
    // Let the loop's first long polls end empty, then submit.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let process = c.submit_function_spec(s.spec("upper", &["abc"])).await.expect("submit");
    let done = c.wait(&process, ProcessState::Success, 15).await.expect("finished");
    assert_eq!(done.output, [json!("ABC")]);
    cancel.cancel();
    running.await.expect("the loop ends");
    assert_eq!(*errors.lock().expect("errors"), Vec::<String>::new(), "no refusals");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_opt_outs_send_unbound_requests() {
    let s = setup("unbound").await;
    let proxy = Proxy::start(&s.url).await;
    let key = s.executor_prvkey.parse().expect("a key");
    let client = Client::new(&proxy.url, key).expect("a client").without_binding();
    client.submit_function_spec(s.spec("echo", &["plain"])).await.expect("served unbound");
    let sent = proxy.seen(SubmitFunctionSpecMsg::PAYLOAD_TYPE);
    assert_eq!(binding_of(&sent[0]), None);
    assert!(proxy.seen("getserverinfomsg").is_empty(), "no need to ask the server's ID");

    // The command: bound by default; --no-replay-binding, --replay-binding false and
    // COLONIES_REPLAY_BINDING=false turn it off.
    let runs: [(&[&str], Option<&str>, bool); 4] = [
        (&[], None, true),
        (&["--no-replay-binding"], None, false),
        (&["--replay-binding", "false"], None, false),
        (&[], Some("false"), false),
    ];
    for (flags, env, bound) in runs {
        let before = proxy.seen("getexecutorsmsg").len();
        let mut command = s.command();
        command.args(["executor", "ls", "--json", "--server-url", &proxy.url]).args(flags);
        if let Some(value) = env {
            command.env("COLONIES_REPLAY_BINDING", value);
        }
        let output = tokio::task::spawn_blocking(move || command.output().expect("runs"))
            .await
            .expect("the command");
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
        let sent = proxy.seen("getexecutorsmsg");
        assert_eq!(sent.len(), before + 1);
        assert_eq!(binding_of(&sent[before]).is_some(), bound, "{flags:?} {env:?}");
    }
    // The flags are documented.
    let help = s.run(&["executor", "ls", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    for words in ["--no-replay-binding", "--replay-binding", "COLONIES_REPLAY_BINDING"] {
        assert!(help.contains(words), "--help tells {words}: {help}");
    }
}
