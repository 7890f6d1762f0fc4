//! Migration 0007: the process and channel triggers NOTIFY only while some server has
//! `/pubsub` subscribers (NOTIFY serialises the commits of every writer). Its own test binary,
//! so no other test's subscription is open on this database while it looks for silence.

use colonies_blackbox::{Client, new_colony, new_executor, server, signed};
use core::time::Duration;
use futures_util::{SinkExt, StreamExt, stream};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_postgres::{AsyncMessage, NoTls};
use tokio_tungstenite::tungstenite::Message;

fn spec(colony: &str) -> Value {
    json!({ "spec": {
        "nodename": "n", "funcname": "f", "args": [], "kwargs": {},
        "maxwaittime": -1, "maxexectime": -1, "maxretries": 0, "priority": 0,
        "conditions": { "colonyname": colony, "executortype": "test_executor_type" }
    } })
}

/// The `colonies_process_state` notifications seen on a connection of the test's own.
async fn listen(database_url: &str) -> (tokio_postgres::Client, mpsc::UnboundedReceiver<Value>) {
    let (pg, mut connection) =
        tokio_postgres::connect(database_url, NoTls).await.expect("the test connects");
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut messages = stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(Ok(message)) = messages.next().await {
            if let AsyncMessage::Notification(n) = message {
                let _ = tx.send(serde_json::from_str(n.payload()).expect("a JSON payload"));
            }
        }
    });
    pg.batch_execute("LISTEN colonies_process_state").await.expect("LISTEN");
    (pg, rx)
}

/// The notifications received within `within` that concern `process`.
async fn about(
    notes: &mut mpsc::UnboundedReceiver<Value>,
    process: &str,
    within: Duration,
) -> Vec<Value> {
    let mut found = Vec::new();
    let deadline = tokio::time::Instant::now() + within;
    while let Ok(Some(note)) = tokio::time::timeout_at(deadline, notes.recv()).await {
        if note["processid"] == process {
            found.push(note);
        }
    }
    found
}

#[tokio::test]
async fn writes_notify_only_while_a_server_has_subscribers() {
    let Some(database_url) = server().database_url.clone() else {
        eprintln!("the database of {} is not ours to watch: test skipped", server().url);
        return;
    };
    let (pg, mut notes) = listen(&database_url).await;
    let client = Client::new();
    let (owner, colony) = new_colony(&client).await;
    let (executor, _) = new_executor(&client, &owner, &colony, true).await;

    // Nobody subscribes: a submit, an assign and a close notify nothing.
    let submitted = client.call(&executor, "submitfuncspecmsg", spec(&colony)).await.ok_json();
    let quiet = submitted["processid"].as_str().expect("a process ID").to_owned();
    let assign = json!({ "colonyname": colony, "timeout": -1 });
    client.call(&executor, "assignprocessmsg", assign.clone()).await.ok_json();
    let close = json!({ "processid": quiet, "out": [] });
    client.call(&executor, "closesuccessfulmsg", close).await.ok_json();
    assert_eq!(about(&mut notes, &quiet, Duration::from_millis(500)).await, Vec::<Value>::new());
    let listeners: i64 =
        pg.query_one("SELECT count(*) FROM event_listeners", &[]).await.expect("count").get(0);
    assert_eq!(listeners, 0);

    // A subscriber: the server announces itself, and the same writes notify again.
    let submitted = client.call(&executor, "submitfuncspecmsg", spec(&colony)).await.ok_json();
    let watched = submitted["processid"].as_str().expect("a process ID").to_owned();
    let url = format!("{}/pubsub", server().url.replacen("http://", "ws://", 1));
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.expect("the WebSocket opens");
    let subscription = json!({ "colonyname": colony, "processid": watched, "executortype": "",
                               "state": 2, "timeout": 10 });
    let envelope = signed(&executor, "subscribeprocessmsg", subscription).to_json();
    ws.send(Message::text(envelope)).await.expect("the subscription is sent");
    let announced = async {
        loop {
            let rows = pg
                .query_one("SELECT count(*) FROM event_listeners WHERE until > now()", &[])
                .await
                .expect("count");
            if rows.get::<_, i64>(0) == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), announced).await.expect("the server announces");
    client.call(&executor, "assignprocessmsg", assign).await.ok_json();
    let close = json!({ "processid": watched, "out": [] });
    client.call(&executor, "closesuccessfulmsg", close).await.ok_json();

    let frame = tokio::time::timeout(Duration::from_secs(5), ws.next())
        .await
        .expect("a frame in time")
        .expect("a frame")
        .expect("a WebSocket message");
    let text = frame.into_text().expect("a text frame");
    assert!(text.contains("subscribeprocessmsg"), "{text}");
    let states: Vec<Value> = about(&mut notes, &watched, Duration::from_millis(500))
        .await
        .into_iter()
        .map(|note| note["state"].clone())
        .collect();
    assert_eq!(states, vec![json!(1), json!(2)], "assign and close notify once announced");
}
