//! Processes: protocol §13 cases 14, 20–22, 32–35, 40, 41, 47 (standalone part), 48, 50, 52,
//! the lists and history, colony statistics, and the §12 process security list.

mod support;

use colonies_blackbox::Client;
use serde_json::{Value, json};
use support::{Env, TYPE, database, id, spec, user};

// 14
#[tokio::test]
async fn a_pending_executor_cannot_submit_until_approved() {
    let client = Client::new();
    let (c1, colony) = colonies_blackbox::new_colony(&client).await;
    let (e1, name) = colonies_blackbox::new_executor(&client, &c1, &colony, false).await;
    let submit = json!({ "spec": spec(&colony) });
    client.call(&e1, "submitfuncspecmsg", submit.clone()).await.assert_error(403);
    let approve = json!({ "colonyname": colony, "executorname": name });
    client.call(&c1, "approveexecutormsg", approve).await.ok_json();
    let p = client.call(&e1, "submitfuncspecmsg", submit).await.ok_json();
    assert_eq!(p["state"], 0);
    assert_eq!(p["initiatorname"], name);
    assert_eq!(p["initiatorid"], e1.id().to_hex());
    assert_eq!(p["isassigned"], false);
    assert_eq!(p["assignedexecutorid"], "");
}

#[tokio::test]
async fn a_submitted_process_has_every_field_and_a_normalised_spec() {
    let env = Env::new().await;
    let mut s = spec(&env.colony1);
    s["conditions"]["executornames"] = json!(["*"]);
    s["conditions"]["cpu"] = json!("");
    let p = env.submit(&env.e1, s).await;
    for list in ["parents", "children", "errors", "in", "out", "attributes"] {
        assert_eq!(p[list], json!([]), "{list} in {p}");
    }
    assert_eq!(p["spec"]["conditions"]["cpu"], "0m");
    assert_eq!(p["spec"]["conditions"]["mem"], "0Mi");
    assert_eq!(p["spec"]["conditions"]["storage"], "0Mi");
    assert_eq!(p["spec"]["conditions"]["executornames"], json!([]));
    assert_eq!(p["spec"]["args"], json!(["test_arg"]));
    assert_eq!(p["spec"]["kwargs"], json!({ "name": "test_arg" }));
    assert_eq!(p["processid"].as_str().map(str::len), Some(64));
    assert_ne!(p["waitdeadline"], "0001-01-01T00:00:00Z", "maxwaittime 1000 sets a deadline");
    assert_eq!(p["execdeadline"], "0001-01-01T00:00:00Z");
    // What get returns is what submit returned.
    let got = env.get(&env.e1, &id(&p)).await.ok_json();
    assert_eq!(got, p);
}

#[tokio::test]
async fn a_user_submits_under_its_own_name() {
    let env = Env::new().await;
    let (u, name) = user(&env.client, &env.c1, &env.colony1).await;
    let p = env.submit(&u, spec(&env.colony1)).await;
    assert_eq!(p["initiatorname"], name);
    // A user may not assign: only executors do.
    env.assign(&u, &env.colony1).await.assert_error(403);
}

// 40, and every other refused spec: nothing is written
#[tokio::test]
async fn an_invalid_spec_is_400_and_nothing_is_written() {
    let env = Env::new().await;
    let mut bad = Vec::new();
    for priority in [50_001, -50_001] {
        let mut s = spec(&env.colony1);
        s["priority"] = json!(priority);
        bad.push(s);
    }
    let mut s = spec(&env.colony1);
    s["conditions"]["mem"] = json!("10");
    bad.push(s);
    let mut s = spec(&env.colony1);
    s["conditions"]["cpu"] = json!("xm");
    bad.push(s);
    let mut s = spec(&env.colony1);
    s["maxexectime"] = json!(1_i64 << 40);
    bad.push(s);
    for s in bad {
        env.call(&env.e1, "submitfuncspecmsg", json!({ "spec": s })).await.assert_error(400);
    }
    for edge in [50_000, -50_000] {
        let mut s = spec(&env.colony1);
        s["priority"] = json!(edge);
        env.submit(&env.e1, s).await;
    }
    let stats = env.call(&env.e1, "getcolonystatsmsg", json!({ "colonyname": env.colony1 }));
    assert_eq!(stats.await.ok_json()["waitingprocesses"], 2);
}

// 21
#[tokio::test]
async fn higher_priority_is_assigned_first_then_fifo() {
    let env = Env::new().await;
    let mut ids = Vec::new();
    for priority in [1, 2, 5, 5] {
        let mut s = spec(&env.colony1);
        s["priority"] = json!(priority);
        ids.push(id(&env.submit(&env.e1, s).await));
    }
    let mut order = Vec::new();
    for _ in 0..4 {
        order.push(id(&env.assign(&env.e1, &env.colony1).await.ok_json()));
    }
    assert_eq!(order, [ids[2].clone(), ids[3].clone(), ids[1].clone(), ids[0].clone()]);
}

// 22
#[tokio::test]
async fn equal_priorities_are_assigned_in_submission_order() {
    let env = Env::new().await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let mut s = spec(&env.colony1);
        s["priority"] = json!(0);
        ids.push(id(&env.submit(&env.e1, s).await));
    }
    for expected in ids {
        assert_eq!(id(&env.assign(&env.e1, &env.colony1).await.ok_json()), expected);
    }
}

// 20
#[tokio::test]
async fn removing_the_executor_puts_its_running_process_back() {
    let env = Env::new().await;
    let (e3, e3_name) = env.executor3().await;
    env.submit(&env.e1, spec(&env.colony1)).await;
    let p = id(&env.assign(&e3, &env.colony1).await.ok_json());
    let remove = json!({ "colonyname": env.colony1, "executorname": e3_name });
    env.call(&env.c1, "removeexecutormsg", remove).await.ok_json();
    let got = env.get(&env.e1, &p).await.ok_json();
    assert_eq!(got["state"], 0);
    assert_eq!(got["assignedexecutorid"], "");
    assert_eq!(got["isassigned"], false);
    // And it can be assigned again.
    assert_eq!(id(&env.assign(&env.e1, &env.colony1).await.ok_json()), p);
}

// 32, 33
#[tokio::test]
async fn only_the_assigned_executor_closes() {
    let env = Env::new().await;
    let waiting = id(&env.submit(&env.e1, spec(&env.colony1)).await);
    // 33: never assigned.
    let close = |p: &str| json!({ "processid": p, "out": [] });
    env.call(&env.e1, "closesuccessfulmsg", close(&waiting)).await.assert_error(403);
    let p = id(&env.assign(&env.e1, &env.colony1).await.ok_json());
    assert_eq!(p, waiting);
    let (e3, _) = env.executor3().await;
    for other in [&env.e2, &e3, &env.c1, &env.c2] {
        env.call(other, "closesuccessfulmsg", close(&p)).await.assert_error(403);
        env.call(other, "closefailedmsg", json!({ "processid": p, "errors": ["x"] }))
            .await
            .assert_error(403);
    }
    assert_eq!(env.get(&env.e1, &p).await.ok_json()["state"], 1);
    env.call(&env.e1, "closesuccessfulmsg", close(&p)).await.ok_json();
    let got = env.get(&env.e1, &p).await.ok_json();
    assert_eq!(got["state"], 2);
    assert_ne!(got["endtime"], "0001-01-01T00:00:00Z");
    assert_ne!(got["starttime"], "0001-01-01T00:00:00Z");
}

// 34, and a failed process keeps its errors
#[tokio::test]
async fn a_failed_process_cannot_succeed_or_take_output() {
    let env = Env::new().await;
    let p = env.running().await;
    env.call(&env.e1, "closefailedmsg", json!({ "processid": p, "errors": ["boom"] }))
        .await
        .ok_json();
    let got = env.get(&env.e1, &p).await.ok_json();
    assert_eq!(got["state"], 3);
    assert_eq!(got["errors"], json!(["boom"]));
    env.call(&env.e1, "closesuccessfulmsg", json!({ "processid": p, "out": ["r"] }))
        .await
        .assert_error(400);
    env.call(&env.e1, "closefailedmsg", json!({ "processid": p, "errors": ["again"] }))
        .await
        .assert_error(400);
    env.call(&env.e1, "setoutputmsg", json!({ "processid": p, "out": ["r"] }))
        .await
        .assert_error(403);
    // The refused close wrote nothing (Go overwrites the output here).
    let got = env.get(&env.e1, &p).await.ok_json();
    assert_eq!(got["out"], json!([]));
    assert_eq!(got["errors"], json!(["boom"]));
}

// 35, and a second close is refused with the output unchanged (§11 item 24)
#[tokio::test]
async fn the_output_of_a_successful_close_is_kept() {
    let env = Env::new().await;
    let p = env.running().await;
    env.call(&env.e1, "setoutputmsg", json!({ "processid": p, "out": ["partial", 1] }))
        .await
        .ok_json();
    assert_eq!(env.get(&env.e1, &p).await.ok_json()["out"], json!(["partial", 1]));
    env.call(&env.e1, "closesuccessfulmsg", json!({ "processid": p, "out": ["r"] }))
        .await
        .ok_json();
    assert_eq!(env.get(&env.e1, &p).await.ok_json()["out"], json!(["r"]));
    env.call(&env.e1, "closesuccessfulmsg", json!({ "processid": p, "out": ["other"] }))
        .await
        .assert_error(400);
    assert_eq!(env.get(&env.e1, &p).await.ok_json()["out"], json!(["r"]));
}

#[tokio::test]
async fn an_empty_close_keeps_the_output_already_set() {
    let env = Env::new().await;
    let p = env.running().await;
    env.call(&env.e1, "setoutputmsg", json!({ "processid": p, "out": ["kept"] })).await.ok_json();
    env.call(&env.e1, "closesuccessfulmsg", json!({ "processid": p })).await.ok_json();
    assert_eq!(env.get(&env.e1, &p).await.ok_json()["out"], json!(["kept"]));
}

// 41
#[tokio::test]
async fn a_running_process_cannot_be_removed_a_finished_one_can() {
    let env = Env::new().await;
    let p = env.running().await;
    let remove = json!({ "processid": p, "all": false });
    env.call(&env.e1, "removeprocessmsg", remove.clone()).await.assert_error(400);
    env.call(&env.e1, "closesuccessfulmsg", json!({ "processid": p, "out": [] })).await.ok_json();
    for outsider in [&env.e2, &env.c1, &env.c2] {
        env.call(outsider, "removeprocessmsg", remove.clone()).await.assert_error(403);
    }
    env.call(&env.e1, "removeprocessmsg", remove.clone()).await.ok_json();
    env.get(&env.e1, &p).await.assert_error(404);
    env.call(&env.e1, "removeprocessmsg", remove).await.assert_error(404);
}

#[tokio::test]
async fn an_unknown_process_is_404() {
    let env = Env::new().await;
    let unknown = "0".repeat(64);
    env.get(&env.e1, &unknown).await.assert_error(404);
    env.call(&env.e1, "cancelprocessmsg", json!({ "processid": unknown })).await.assert_error(404);
}

// 48
#[tokio::test]
async fn a_cancelled_process_is_never_assigned() {
    let env = Env::new().await;
    let p = id(&env.submit(&env.e1, spec(&env.colony1)).await);
    let cancel = json!({ "processid": p });
    env.call(&env.e2, "cancelprocessmsg", cancel.clone()).await.assert_error(403);
    env.call(&env.e1, "cancelprocessmsg", cancel.clone()).await.ok_json();
    let got = env.get(&env.e1, &p).await.ok_json();
    assert_eq!(got["state"], 4);
    assert_ne!(got["endtime"], "0001-01-01T00:00:00Z");
    env.assign(&env.e1, &env.colony1).await.assert_error(404);
    env.call(&env.e1, "cancelprocessmsg", cancel).await.assert_error(400);
    // A running process can be cancelled too, by any member; its executor can then not close it.
    let (e3, _) = env.executor3().await;
    let running = env.running().await;
    env.call(&e3, "cancelprocessmsg", json!({ "processid": running })).await.ok_json();
    env.call(&env.e1, "closesuccessfulmsg", json!({ "processid": running, "out": ["x"] }))
        .await
        .assert_error(400);
    let stats = env.call(&env.e1, "getcolonystatsmsg", json!({ "colonyname": env.colony1 }));
    assert_eq!(stats.await.ok_json()["cancelledprocesses"], 2);
}

// 47, the standalone part: a process of a workflow can be neither removed nor cancelled.
// Workflows come with a later issue, so the process is put in a graph under the API.
#[tokio::test]
async fn a_workflow_process_is_not_removed_or_cancelled_alone() {
    let Some(db) = database().await else { return };
    let env = Env::new().await;
    let p = id(&env.submit(&env.e1, spec(&env.colony1)).await);
    let graph = "1".repeat(64);
    db.execute("UPDATE processes SET processgraph_id = $2 WHERE process_id = $1", &[&p, &graph])
        .await
        .expect("update");
    env.call(&env.e1, "removeprocessmsg", json!({ "processid": p })).await.assert_error(400);
    env.call(&env.e1, "cancelprocessmsg", json!({ "processid": p })).await.assert_error(400);
    let got = env.get(&env.e1, &p).await.ok_json();
    assert_eq!(got["state"], 0);
    assert_eq!(got["processgraphid"], graph);
}

// 50
#[tokio::test]
async fn paused_assignments() {
    let env = Env::new().await;
    let colony = json!({ "colonyname": env.colony1 });
    for not_owner in [&env.e1, &env.c2, &env.e2] {
        env.call(not_owner, "pauseassignmentsmsg", colony.clone()).await.assert_error(403);
    }
    env.submit(&env.e1, spec(&env.colony1)).await;
    env.submit(&env.e2, spec(&env.colony2)).await;
    env.call(&env.c1, "pauseassignmentsmsg", colony.clone()).await.ok_json();
    let status = env.call(&env.e1, "getpausestatusmsg", colony.clone()).await;
    assert_eq!(status.reply.as_ref().map(|r| r.payloadtype.as_str()), Some("pausestatusreplymsg"));
    let status = status.ok_json();
    assert_eq!(status["ispaused"], true, "{status}");
    assert_eq!(status["msgtype"], "pausestatusreplymsg");
    assert_eq!(status["colonyname"], env.colony1);
    env.assign(&env.e1, &env.colony1).await.assert_error(503);
    let started = std::time::Instant::now();
    env.call(&env.e1, "assignprocessmsg", json!({ "colonyname": env.colony1, "timeout": 2 }))
        .await
        .assert_error(408);
    let waited = started.elapsed().as_secs_f64();
    // Generous above: a loaded CI machine stretches each re-check of the flag.
    assert!((1.9..5.0).contains(&waited), "{waited}");
    // Colony 2 is not affected.
    env.assign(&env.e2, &env.colony2).await.ok_json();
    let c2 = json!({ "colonyname": env.colony2 });
    assert_eq!(env.call(&env.e2, "getpausestatusmsg", c2).await.ok_json()["ispaused"], false);
    for not_owner in [&env.e1, &env.c2] {
        env.call(not_owner, "resumeassignmentsmsg", colony.clone()).await.assert_error(403);
    }
    env.call(&env.c1, "resumeassignmentsmsg", colony.clone()).await.ok_json();
    env.assign(&env.e1, &env.colony1).await.ok_json();
}

#[tokio::test]
async fn a_long_poll_waiting_on_a_pause_continues_after_resume() {
    let env = Env::new().await;
    let colony = json!({ "colonyname": env.colony1 });
    let p = id(&env.submit(&env.e1, spec(&env.colony1)).await);
    env.call(&env.c1, "pauseassignmentsmsg", colony.clone()).await.ok_json();
    let e1 = env.e1.clone();
    let name = env.colony1.clone();
    let waiting = tokio::spawn(async move {
        Client::new()
            .call(&e1, "assignprocessmsg", json!({ "colonyname": name, "timeout": 10 }))
            .await
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    env.call(&env.c1, "resumeassignmentsmsg", colony).await.ok_json();
    let started = std::time::Instant::now();
    let assigned = waiting.await.expect("the poll").ok_json();
    assert_eq!(id(&assigned), p);
    assert!(started.elapsed().as_secs_f64() < 2.0);
}

// 52
#[tokio::test]
async fn env_becomes_env_attributes() {
    let env = Env::new().await;
    let mut s = spec(&env.colony1);
    s["env"] = json!({ "A": "1", "B": "two" });
    let p = env.submit(&env.e1, s).await;
    assert_eq!(p["spec"]["env"], json!({ "A": "1", "B": "two" }));
    let attributes = p["attributes"].as_array().expect("attributes").clone();
    assert_eq!(attributes.len(), 2, "{p}");
    let a = attributes.iter().find(|a| a["key"] == "A").expect("A");
    assert_eq!(a["attributetype"], 3);
    assert_eq!(a["value"], "1");
    assert_eq!(a["targetid"], p["processid"]);
    assert_eq!(a["targetcolonyname"], env.colony1);
    let expected = colonies_core::Id::hash_of(&format!("{}A3", id(&p))).to_hex();
    assert_eq!(a["attributeid"], expected);
    let got = env.get(&env.e1, &id(&p)).await.ok_json();
    assert_eq!(got["attributes"], p["attributes"]);
    // After assignment the attributes report the running state.
    let assigned = env.assign(&env.e1, &env.colony1).await.ok_json();
    assert!(assigned["attributes"].as_array().is_some_and(|a| a.iter().all(|a| a["state"] == 1)));
}

async fn list(env: &Env, key: &colonies_core::PrivateKey, filter: Value) -> Vec<Value> {
    let mut payload = json!({ "colonyname": env.colony1, "count": 100, "state": 0 });
    for (k, v) in filter.as_object().expect("an object") {
        payload[k] = v.clone();
    }
    match env.call(key, "getprocessesmsg", payload).await.ok_json() {
        Value::Array(items) => items,
        Value::Null => Vec::new(),
        other => panic!("not a list: {other}"),
    }
}

#[tokio::test]
async fn lists_filter_exclusively_and_order_by_state() {
    let env = Env::new().await;
    let (u, user_name) = user(&env.client, &env.c1, &env.colony1).await;
    let mut ids = Vec::new();
    for (i, label) in ["a", "b", "a"].iter().enumerate() {
        let mut s = spec(&env.colony1);
        s["label"] = json!(label);
        s["priority"] = json!(i);
        let submitter = if i == 1 { &u } else { &env.e1 };
        ids.push(id(&env.submit(submitter, s).await));
    }
    let mut other_type = spec(&env.colony1);
    other_type["conditions"]["executortype"] = json!("other");
    other_type["priority"] = json!(-1);
    let other = id(&env.submit(&env.e1, other_type).await);
    let submitted = [ids[0].clone(), ids[1].clone(), ids[2].clone(), other.clone()];

    // WAITING: prioritytime ascending (the highest priority first).
    let all: Vec<String> = list(&env, &env.e1, json!({})).await.iter().map(id).collect();
    assert_eq!(all, [ids[2].clone(), ids[1].clone(), ids[0].clone(), other.clone()]);
    let by_label = list(&env, &env.e1, json!({ "label": "a" })).await;
    assert_eq!(by_label.len(), 2);
    let by_type = list(&env, &env.e1, json!({ "executortype": "other" })).await;
    assert_eq!(by_type.iter().map(id).collect::<Vec<_>>(), [other]);
    let by_user = list(&env, &env.e1, json!({ "initiator": user_name })).await;
    assert_eq!(by_user.iter().map(id).collect::<Vec<_>>(), [ids[1].clone()]);
    // executortype wins over label, initiator over label.
    let both = list(&env, &env.e1, json!({ "executortype": TYPE, "label": "b" })).await;
    assert_eq!(both.len(), 3);
    let both = list(&env, &env.e1, json!({ "initiator": user_name, "label": "a" })).await;
    assert_eq!(both.len(), 1);
    assert_eq!(list(&env, &env.e1, json!({ "count": 2 })).await.len(), 2);

    // RUNNING: start time ascending; finished: end time descending.
    let first = id(&env.assign(&env.e1, &env.colony1).await.ok_json());
    let second = id(&env.assign(&env.e1, &env.colony1).await.ok_json());
    let running: Vec<String> =
        list(&env, &env.e1, json!({ "state": 1 })).await.iter().map(id).collect();
    assert_eq!(running, [first.clone(), second.clone()]);
    for p in [&first, &second] {
        env.call(&env.e1, "closesuccessfulmsg", json!({ "processid": p })).await.ok_json();
    }
    let done: Vec<String> =
        list(&env, &env.e1, json!({ "state": 2 })).await.iter().map(id).collect();
    assert_eq!(done, [second, first]);
    assert!(list(&env, &env.e1, json!({ "state": 3 })).await.is_empty());
    // state -1 (every state) is an extension pycolonies' get_processes_for_workflow relies on;
    // Go refuses it. All four processes, in submission order.
    let every: Vec<String> =
        list(&env, &env.e1, json!({ "state": -1 })).await.iter().map(id).collect();
    assert_eq!(every, submitted);

    // Bad requests.
    let bad = |payload: Value| env.call(&env.e1, "getprocessesmsg", payload);
    let c = &env.colony1;
    bad(json!({ "colonyname": c, "count": 101, "state": 0 })).await.assert_error(400);
    bad(json!({ "colonyname": c, "count": 10, "state": 5 })).await.assert_error(400);
    bad(json!({ "colonyname": c, "count": 10, "state": -2 })).await.assert_error(400);
    bad(json!({ "colonyname": c, "count": 10, "state": 0, "initiator": "nobody" }))
        .await
        .assert_error(400);
}

#[tokio::test]
async fn history_covers_recent_submissions() {
    let env = Env::new().await;
    let a = id(&env.submit(&env.e1, spec(&env.colony1)).await);
    let b = id(&env.submit(&env.e1, spec(&env.colony1)).await);
    let hist = |executorid: &str, state: i64| json!({ "colonyname": env.colony1, "executorid": executorid, "seconds": 60, "state": state });
    let waiting = env.call(&env.e1, "getprocesshistmsg", hist("", 0)).await.ok_json();
    let ids: Vec<String> = waiting.as_array().expect("a list").iter().map(id).collect();
    assert_eq!(ids, [a.clone(), b]);
    let assigned = id(&env.assign(&env.e1, &env.colony1).await.ok_json());
    let mine = env.call(&env.e1, "getprocesshistmsg", hist(&env.e1.id().to_hex(), 1)).await;
    assert_eq!(
        mine.ok_json().as_array().expect("a list").iter().map(id).collect::<Vec<_>>(),
        [assigned]
    );
    // §12: E2 ✗, C2 ✗, C1 ✗ (a proper 403, not Go's empty body), E1 ✓.
    for outsider in [&env.e2, &env.c2, &env.c1] {
        env.call(outsider, "getprocesshistmsg", hist("", 0)).await.assert_error(403);
        let by_executor = hist(&env.e1.id().to_hex(), 1);
        env.call(outsider, "getprocesshistmsg", by_executor).await.assert_error(403);
    }
}

// §12 process security list (the parts not covered above)
#[tokio::test]
async fn process_security() {
    let env = Env::new().await;
    // Submit: E1 ✓ / E2 ✗ in colony 1; E2 ✓ / E1 ✗ in colony 2; colony owners ✗.
    env.submit(&env.e1, spec(&env.colony1)).await;
    env.submit(&env.e2, spec(&env.colony2)).await;
    for (key, colony) in [(&env.e2, &env.colony1), (&env.e1, &env.colony2), (&env.c1, &env.colony1)]
    {
        env.call(key, "submitfuncspecmsg", json!({ "spec": spec(colony) })).await.assert_error(403);
    }
    // Lists of every state: E2 ✗, E1 ✓.
    for state in 0..=4 {
        let payload = json!({ "colonyname": env.colony1, "count": 10, "state": state });
        env.call(&env.e2, "getprocessesmsg", payload.clone()).await.assert_error(403);
        env.call(&env.c1, "getprocessesmsg", payload.clone()).await.assert_error(403);
        env.call(&env.e1, "getprocessesmsg", payload).await.ok_json();
    }
    // Get: E2 ✗, C1 ✗, E1 ✓.
    let p = id(&env.assign(&env.e1, &env.colony1).await.ok_json());
    env.get(&env.e2, &p).await.assert_error(403);
    env.get(&env.c1, &p).await.assert_error(403);
    env.get(&env.e1, &p).await.ok_json();
    // SetOutput: E2 ✗, C1 ✗, C2 ✗, E1 ✓.
    let out = json!({ "processid": p, "out": ["o"] });
    for outsider in [&env.e2, &env.c1, &env.c2] {
        env.call(outsider, "setoutputmsg", out.clone()).await.assert_error(403);
    }
    env.call(&env.e1, "setoutputmsg", out).await.ok_json();
    // RemoveAll: E2 ✗, E1 ✗, C2 ✗, C1 ✓; running alone is refused.
    let all = json!({ "colonyname": env.colony1, "state": -1 });
    for not_owner in [&env.e2, &env.e1, &env.c2] {
        env.call(not_owner, "removeallprocessesmsg", all.clone()).await.assert_error(403);
    }
    let running = json!({ "colonyname": env.colony1, "state": 1 });
    env.call(&env.c1, "removeallprocessesmsg", running).await.assert_error(400);
    let waiting = json!({ "colonyname": env.colony1, "state": 0 });
    env.call(&env.c1, "removeallprocessesmsg", waiting).await.ok_json();
    let stats = env.call(&env.e1, "getcolonystatsmsg", json!({ "colonyname": env.colony1 }));
    let stats = stats.await.ok_json();
    assert_eq!(
        (stats["waitingprocesses"].clone(), stats["runningprocesses"].clone()),
        (json!(0), json!(1))
    );
    env.call(&env.c1, "removeallprocessesmsg", all).await.ok_json();
    env.get(&env.e1, &p).await.assert_error(404);
}

// §12 ColonyStatistics, and the counts
#[tokio::test]
async fn colony_statistics() {
    let env = Env::new().await;
    let stats = |colony: &str| json!({ "colonyname": colony });
    for (key, colony) in [
        (&env.e2, &env.colony1),
        (&env.e1, &env.colony2),
        (&env.c1, &env.colony1),
        (&env.c2, &env.colony2),
        (&env.c2, &env.colony1),
    ] {
        env.call(key, "getcolonystatsmsg", stats(colony)).await.assert_error(403);
    }
    env.call(&env.e2, "getcolonystatsmsg", stats(&env.colony2)).await.ok_json();
    let (_, e3) = env.executor3().await;
    env.call(
        &env.c1,
        "removeexecutormsg",
        json!({ "colonyname": env.colony1, "executorname": e3 }),
    )
    .await
    .ok_json();
    let p = env.running().await;
    env.call(&env.e1, "closesuccessfulmsg", json!({ "processid": p })).await.ok_json();
    env.submit(&env.e1, spec(&env.colony1)).await;
    let s = env.call(&env.e1, "getcolonystatsmsg", stats(&env.colony1)).await.ok_json();
    assert_eq!(s["colonies"], 1);
    assert_eq!(s["executors"], 2);
    assert_eq!(s["activeexecutors"], 1);
    assert_eq!(s["unregisteredexecutors"], 1);
    assert_eq!(s["waitingprocesses"], 1, "{s}");
    assert_eq!(s["successfulprocesses"], 1);
    assert_eq!(s["runningprocesses"], 0);
}
