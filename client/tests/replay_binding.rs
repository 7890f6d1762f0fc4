//! Replay binding from the client's side: the Rust client binds every signed request by
//! default (a fresh nonce, signedat, the server's ID as audience), so a copy captured on the
//! way (here by a recording proxy) is refused by the server as replayed; a bound client works
//! end to end; `Client::without_binding` sends unbound requests. (The `colonies-edge`
//! command's flags: cli/tests/replay_binding_command.rs.)

mod support;

use colonies_blackbox::Answer;
use colonies_client::{
    Client, Executor, ExecutorEvent, ExecutorOptions,
    core::{
        message::{Message, SubmitFunctionSpecMsg},
        model::ProcessState,
    },
};
use core::time::Duration;
use serde_json::json;
use std::sync::{Arc, Mutex};
use support::{Proxy, binding_of, setup};
use tokio_util::sync::CancellationToken;

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
async fn without_binding_sends_unbound_requests() {
    let s = setup("unbound").await;
    let proxy = Proxy::start(&s.url).await;
    let key = s.executor_prvkey.parse().expect("a key");
    let client = Client::new(&proxy.url, key).expect("a client").without_binding();
    client.submit_function_spec(s.spec("echo", &["plain"])).await.expect("served unbound");
    let sent = proxy.seen(SubmitFunctionSpecMsg::PAYLOAD_TYPE);
    assert_eq!(binding_of(&sent[0]), None);
    assert!(proxy.seen("getserverinfomsg").is_empty(), "no need to ask the server's ID");
}
