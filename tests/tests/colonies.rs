//! Colonies: protocol §13 cases 9–12 and 17 (owner side), the §12 colony security list, and
//! removal of a colony with everything in it.

mod support;

use colonies_blackbox::{Answer, Client, key, server, unique};
use colonies_core::PrivateKey;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::{database, executor, named_executor, user};

fn colony(id: &str, name: &str) -> serde_json::Value {
    json!({ "colony": { "colonyid": id, "name": name } })
}

// 9, 10
#[tokio::test]
async fn the_server_owner_adds_a_colony_once() {
    let client = Client::new();
    let (c1, name) = (key(), unique("c"));
    let id = c1.id().to_hex();
    let reply = client.call(&server().owner, "addcolonymsg", colony(&id, &name)).await.ok_json();
    assert_eq!(reply, json!({ "colonyid": id, "name": name }));
    client.call(&server().owner, "addcolonymsg", colony(&id, &name)).await.assert_error(400);
    let all = client.call(&server().owner, "getcoloniesmsg", json!({})).await.ok_json();
    assert!(all.as_array().is_some_and(|a| a.iter().any(|c| c["name"] == name)), "{all}");
}

// 11, and names that would break composite keys
#[tokio::test]
async fn a_bad_colony_id_or_name_is_400_and_nothing_is_written() {
    let client = Client::new();
    let owner = &server().owner;
    let id = key().id().to_hex();
    let name = unique("c");
    client.call(owner, "addcolonymsg", colony(&id[..63], &name)).await.assert_error(400);
    client.call(owner, "addcolonymsg", colony(&id, &format!("{name}:x"))).await.assert_error(400);
    client.call(owner, "addcolonymsg", colony(&id, "")).await.assert_error(400);
    client.call(owner, "addcolonymsg", json!({ "colony": null })).await.assert_error(400);
    let all = client.call(owner, "getcoloniesmsg", json!({})).await.ok_json();
    assert!(!all.to_string().contains(&name), "{all}");
}

// 12
#[tokio::test]
async fn server_owner_messages_refuse_everyone_else() {
    let client = Client::new();
    let c1 = key();
    let name = unique("c");
    client.call(&server().owner, "addcolonymsg", colony(&c1.id().to_hex(), &name)).await.ok_json();
    for signer in [&c1, &key()] {
        let other = unique("c");
        client
            .call(signer, "addcolonymsg", colony(&signer.id().to_hex(), &other))
            .await
            .assert_error(403);
        client.call(signer, "getcoloniesmsg", json!({})).await.assert_error(403);
        client.call(signer, "getstatisticsmsg", json!({})).await.assert_error(403);
        client.call(signer, "getclustermsg", json!({})).await.assert_error(403);
        client
            .call(signer, "removecolonymsg", json!({ "colonyname": name }))
            .await
            .assert_error(403);
    }
    let cluster = client.call(&server().owner, "getclustermsg", json!({})).await.ok_json();
    assert_eq!(cluster["nodes"][0], cluster["leader"], "{cluster}");
}

// 17 (the owner side; members come with executors)
#[tokio::test]
async fn the_colony_owner_is_not_a_member() {
    let client = Client::new();
    let c1 = key();
    let name = unique("c");
    client.call(&server().owner, "addcolonymsg", colony(&c1.id().to_hex(), &name)).await.ok_json();
    client.call(&c1, "getcolonymsg", json!({ "colonyname": name })).await.assert_error(403);
    client.call(&key(), "getcolonymsg", json!({ "colonyname": name })).await.assert_error(403);
    client
        .call(&server().owner, "getcolonymsg", json!({ "colonyname": name }))
        .await
        .assert_error(403);
}

#[tokio::test]
async fn the_server_owner_removes_a_colony() {
    let client = Client::new();
    let owner = &server().owner;
    let name = unique("c");
    client.call(owner, "addcolonymsg", colony(&key().id().to_hex(), &name)).await.ok_json();
    let empty =
        client.call(owner, "removecolonymsg", json!({ "colonyname": name })).await.ok_json();
    assert_eq!(empty, json!({}));
    client.call(owner, "removecolonymsg", json!({ "colonyname": name })).await.assert_error(400);
    let all = client.call(owner, "getcoloniesmsg", json!({})).await.ok_json();
    assert!(!all.to_string().contains(&name), "{all}");
}

/// The rows that belong to `colony`, per table: every table with a `colony_name` column (so a
/// table added later is covered too), and the rows keyed by the given processes only.
async fn rows_of(
    db: &tokio_postgres::Client,
    colony: &str,
    processes: &[String],
) -> Vec<(String, i64)> {
    let tables = db
        .query(
            "SELECT table_name::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND column_name = 'colony_name'
             ORDER BY table_name",
            &[],
        )
        .await
        .expect("the tables");
    let mut counts = Vec::new();
    for table in tables {
        let table: String = table.get(0);
        let sql = format!("SELECT count(*) FROM {table} WHERE colony_name = $1");
        counts.push((table, db.query_one(&sql, &[&colony]).await.expect("a count").get(0)));
    }
    for (table, column) in [("process_inputs", "child_id"), ("channel_entries", "process_id")] {
        let sql = format!("SELECT count(*) FROM {table} WHERE {column} = ANY($1)");
        counts
            .push((table.into(), db.query_one(&sql, &[&processes]).await.expect("a count").get(0)));
    }
    let sql = "SELECT count(*) FROM colonies WHERE name = $1";
    counts.push(("colonies".into(), db.query_one(sql, &[&colony]).await.expect("a count").get(0)));
    counts
}

/// A function spec of `colony` for executors of `executor_type`.
fn function_spec(colony: &str, executor_type: &str, name: &str) -> Value {
    json!({
        "nodename": name, "funcname": name, "args": [], "kwargs": {}, "priority": 0,
        "maxwaittime": -1, "maxexectime": -1, "maxretries": 0,
        "conditions": { "colonyname": colony, "executortype": executor_type },
    })
}

/// An OUT attribute of process `p`.
fn attribute(p: &str) -> Value {
    json!({ "attribute": { "targetid": p, "key": "k", "value": "v", "attributetype": 1 } })
}

/// Assigns without waiting: the process, which must be `expected`.
async fn assign(client: &Client, executor: &PrivateKey, colony: &str, expected: &Value) -> String {
    let payload = json!({ "colonyname": colony, "timeout": -1 });
    let assigned = client.call(executor, "assignprocessmsg", payload).await.ok_json();
    assert_eq!(assigned["processid"], expected["processid"], "{assigned}");
    assigned["processid"].as_str().expect("a processid").to_owned()
}

/// Counts of `getstatisticsmsg` that only what a test adds to its colonies changes here:
/// executors and processes per state (colonies are added by every test of this file).
async fn server_statistics(client: &Client) -> Value {
    let mut s = client.call(&server().owner, "getstatisticsmsg", json!({})).await.ok_json();
    s.as_object_mut().expect("an object").remove("colonies");
    s
}

/// Removing a colony removes everything in it in one go: executors, functions, users,
/// locations, processes of every state with their attributes, logs, channels and workflow
/// inputs, workflows, crons, generators and their packed args, files, snapshots, blueprint
/// definitions, blueprints and their history, the pause state. Its crons and generators stop,
/// executors long-polling it are answered, and a colony of the same name starts empty.
#[tokio::test]
async fn removing_a_colony_removes_everything_in_it() {
    let client = Client::new();
    let owner = &server().owner;
    let db = database().await;
    // Nothing else in this file adds executors or processes (checked against this server only).
    let statistics_before = match db {
        Some(_) => Some(server_statistics(&client).await),
        None => None,
    };
    let (c1, name) = (key(), unique("c"));
    client.call(owner, "addcolonymsg", colony(&c1.id().to_hex(), &name)).await.ok_json();
    let ty = "removal_type";
    let (e1, e1_name) = executor(&client, &c1, &name, ty, "").await;
    let (idle, _) = executor(&client, &c1, &name, "idle_type", "").await;
    let (u1, _) = user(&client, &c1, &name).await;
    let location = json!({ "location": { "name": unique("loc"), "colonyname": name,
                                         "description": "d", "long": 1.0, "lat": 2.0 } });
    client.call(&c1, "addlocationmsg", location).await.ok_json();
    let function = json!({ "fun": { "colonyname": name, "executorname": e1_name,
                                    "funcname": "f" } });
    client.call(&e1, "addfunctionmsg", function).await.ok_json();

    // A successful process with a log and an attribute.
    let submit = |spec: Value| client.call(&u1, "submitfuncspecmsg", json!({ "spec": spec }));
    let done = submit(function_spec(&name, ty, "done")).await.ok_json();
    let done = assign(&client, &e1, &name, &done).await;
    client.call(&e1, "addlogmsg", json!({ "processid": done, "message": "hi" })).await.ok_json();
    client.call(&e1, "addattributemsg", attribute(&done)).await.ok_json();
    client
        .call(&e1, "closesuccessfulmsg", json!({ "processid": done, "out": ["o"] }))
        .await
        .ok_json();
    // A workflow whose root succeeded: its child waits with its parent's output.
    let mut child = function_spec(&name, ty, "child");
    child["conditions"]["dependencies"] = json!(["root"]);
    let workflow =
        json!({ "colonyname": name, "functionspecs": [function_spec(&name, ty, "root"), child] });
    let graph = client.call(&u1, "submitworkflowspecmsg", json!({ "spec": workflow }));
    let graph = graph.await.ok_json();
    let root = json!({ "processid": graph["rootprocessids"][0] });
    let root = assign(&client, &e1, &name, &root).await;
    client
        .call(&e1, "closesuccessfulmsg", json!({ "processid": root, "out": ["r"] }))
        .await
        .ok_json();
    // A running process with a channel, a log and an attribute, and a waiting one behind it.
    let mut chatty = function_spec(&name, "chat_type", "chatty");
    chatty["channels"] = json!(["chat"]);
    let chatty = submit(chatty).await.ok_json();
    let (chat, _) = executor(&client, &c1, &name, "chat_type", "").await;
    let running = assign(&client, &chat, &name, &chatty).await;
    let append = json!({ "processid": running, "name": "chat", "sequence": 1,
                         "payload": "aGk=", "payloadtype": "" });
    client.call(&u1, "channelappendmsg", append).await.ok_json();
    client
        .call(&chat, "addlogmsg", json!({ "processid": running, "message": "." }))
        .await
        .ok_json();
    client.call(&chat, "addattributemsg", attribute(&running)).await.ok_json();
    submit(function_spec(&name, "chat_type", "waiting")).await.ok_json();
    // Files, a snapshot, a blueprint definition and a blueprint (with its reconcile cron).
    let file = json!({ "file": {
        "colonyname": name, "label": "/l", "name": "f", "size": 1, "checksum": "c",
        "checksumalg": "SHA256", "ref": { "protocol": "s3", "s3object": {
            "server": "s", "port": 1, "tls": false, "accesskey": "", "secretkey": "",
            "region": "", "encryptionkey": "", "encryptionalg": "", "object": "o",
            "bucket": "b" } } } });
    client.call(&e1, "addfilemsg", file).await.ok_json();
    let snapshot = json!({ "colonyname": name, "label": "/l", "name": unique("snap") });
    client.call(&e1, "createsnapshotmsg", snapshot).await.ok_json();
    let kind = unique("Kind");
    let definition = json!({ "blueprintdefinition": {
        "kind": "BlueprintDefinition",
        "metadata": { "name": unique("def"), "colonyname": name },
        "spec": { "group": "g.io", "version": "v1", "scope": "Namespaced",
                  "names": { "kind": kind, "listKind": "L", "singular": "s", "plural": "p" },
                  "handler": { "executorType": "reconciler", "functionName": "reconcile-x" } } } });
    client.call(&c1, "addblueprintdefinitionmsg", definition).await.ok_json();
    let blueprint = json!({ "blueprint": { "kind": kind,
        "metadata": { "name": unique("bp"), "colonyname": name }, "spec": {} } });
    client.call(&e1, "addblueprintmsg", blueprint).await.ok_json();
    // A cron every second and a generator that fires every 2 args (3 packed: one left).
    let one = json!({ "colonyname": name, "functionspecs": [function_spec(&name, ty, "tick")] });
    let cron = json!({ "cron": { "colonyname": name, "name": "tick", "interval": 1,
                                  "cronexpression": "", "random": false,
                                  "workflowspec": one.to_string(),
                                  "waitforprevprocessgraph": false } });
    let cron = client.call(&e1, "addcronmsg", cron).await.ok_json();
    let generator = json!({ "generator": { "colonyname": name, "name": "gen", "trigger": 2,
                                            "timeout": 0, "workflowspec": one.to_string() } });
    let generator = client.call(&e1, "addgeneratormsg", generator).await.ok_json();
    for arg in ["a", "b", "c"] {
        let pack = json!({ "generatorid": generator["generatorid"], "arg": arg });
        client.call(&e1, "packgeneratormsg", pack).await.ok_json();
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let cron = client.call(&e1, "getcronmsg", json!({ "cronid": cron["cronid"] }));
        let generator = json!({ "generatorid": generator["generatorid"] });
        let generator = client.call(&e1, "getgeneratormsg", generator).await.ok_json();
        if cron.await.ok_json()["prevprocessgraphid"] != "" && generator["queuesize"] == 1 {
            break;
        }
        assert!(Instant::now() < deadline, "the cron and the generator ran within 10 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Paused, with an executor parked in a long poll since before the pause and one polling
    // the paused colony.
    let poll = |executor: &PrivateKey| {
        let (executor, name) = (executor.clone(), name.clone());
        let payload = json!({ "colonyname": name, "timeout": 3 });
        tokio::spawn(async move {
            let started = Instant::now();
            let answer = Client::new().call(&executor, "assignprocessmsg", payload).await;
            (answer, started.elapsed())
        })
    };
    let parked = poll(&idle);
    tokio::time::sleep(Duration::from_millis(500)).await;
    client.call(&c1, "pauseassignmentsmsg", json!({ "colonyname": name })).await.ok_json();
    let paused = poll(&idle);
    tokio::time::sleep(Duration::from_millis(500)).await;

    let processes: Vec<String> = match &db {
        Some(db) => {
            let sql = "SELECT process_id FROM processes WHERE colony_name = $1";
            let rows = db.query(sql, &[&name]).await.expect("the processes");
            let processes: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
            let before = rows_of(db, &name, &processes).await;
            for table in [
                "attributes",
                "blueprint_definitions",
                "blueprint_history",
                "blueprints",
                "channel_entries",
                "channels",
                "colonies",
                "crons",
                "executors",
                "files",
                "functions",
                "generator_args",
                "generators",
                "locations",
                "logs",
                "process_inputs",
                "processes",
                "processgraphs",
                "snapshots",
                "users",
            ] {
                let count = before.iter().find(|(t, _)| t == table).map(|(_, n)| *n);
                assert!(count > Some(0), "the fixture has no {table}: {before:?}");
            }
            processes
        }
        None => Vec::new(),
    };
    let removed = client.call(owner, "removecolonymsg", json!({ "colonyname": name }));
    assert_eq!(removed.await.ok_json(), json!({}));

    // The long polls end as they would have (one at its timeout, one once it sees the colony
    // gone), with an error reply, not a server error.
    for poll in [parked, paused] {
        let (answer, took): (Answer, Duration) = poll.await.expect("the long poll");
        assert!([403, 404].contains(&answer.failure().status), "{}", answer.body);
        assert!(took < Duration::from_secs(5), "the long poll took {took:?}");
    }
    client
        .call(&idle, "assignprocessmsg", json!({ "colonyname": name, "timeout": 1 }))
        .await
        .assert_error(403);
    // Past the cron's interval and the sweeps: nothing was left behind, nothing new came.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    if let Some(db) = &db {
        let left: Vec<_> =
            rows_of(db, &name, &processes).await.into_iter().filter(|(_, n)| *n > 0).collect();
        assert!(left.is_empty(), "rows left of the removed colony: {left:?}");
    }
    if let Some(before) = statistics_before {
        assert_eq!(server_statistics(&client).await, before, "getstatisticsmsg");
    }

    // The same name again starts empty: the same executor, cron and generator names are free.
    client.call(owner, "addcolonymsg", colony(&c1.id().to_hex(), &name)).await.ok_json();
    let e1 = named_executor(&client, &c1, &name, &e1_name, ty, "").await;
    let cron = json!({ "cron": { "colonyname": name, "name": "tick", "interval": 3600,
                                  "cronexpression": "", "random": false,
                                  "workflowspec": one.to_string(),
                                  "waitforprevprocessgraph": false } });
    client.call(&e1, "addcronmsg", cron).await.ok_json();
    let generator = json!({ "generator": { "colonyname": name, "name": "gen", "trigger": 2,
                                            "timeout": 0, "workflowspec": one.to_string() } });
    client.call(&e1, "addgeneratormsg", generator).await.ok_json();
    let stats = client.call(&e1, "getcolonystatsmsg", json!({ "colonyname": name }));
    let stats = stats.await.ok_json();
    for (field, expected) in stats.as_object().expect("an object") {
        let n = if ["colonies", "executors", "activeexecutors"].contains(&field.as_str()) {
            1
        } else {
            0
        };
        assert_eq!(expected, &json!(n), "getcolonystatsmsg {field}: {stats}");
    }
    let list = |msgtype: &'static str, payload: Value| {
        let client = &client;
        let e1 = &e1;
        async move {
            match client.call(e1, msgtype, payload).await.ok_json() {
                Value::Null => Vec::new(),
                Value::Array(items) => items,
                other => panic!("{msgtype}: not a list: {other}"),
            }
        }
    };
    let count = json!({ "colonyname": name, "count": 100 });
    assert_eq!(list("getcronsmsg", count.clone()).await.len(), 1);
    assert_eq!(list("getgeneratorsmsg", count).await.len(), 1);
    for state in 0..=4 {
        let q = json!({ "colonyname": name, "count": 100, "state": state });
        assert_eq!(list("getprocessesmsg", q.clone()).await, Vec::<Value>::new(), "state {state}");
        assert_eq!(list("getprocessgraphsmsg", q).await, Vec::<Value>::new(), "state {state}");
    }
    let functions = json!({ "colonyname": name, "executorname": "" });
    assert_eq!(list("getfunctionsmsg", functions).await, Vec::<Value>::new());
    assert_eq!(list("getsnapshotsmsg", json!({ "colonyname": name })).await, Vec::<Value>::new());
    let definitions = json!({ "colonyname": name });
    assert_eq!(list("getblueprintdefinitionsmsg", definitions).await, Vec::<Value>::new());
    let pause = client.call(&e1, "getpausestatusmsg", json!({ "colonyname": name }));
    assert_eq!(pause.await.ok_json()["ispaused"], false);
    client.call(owner, "removecolonymsg", json!({ "colonyname": name })).await.ok_json();
}
