//! Workflows: protocol §13 cases 42–46 and 49, addchildmsg, removal, the §12 workflow
//! security list, and a 1,000-node fan-out (ignored by default; run with `--ignored`).

mod support;

use colonies_core::PrivateKey;
use serde_json::{Value, json};
use std::time::Instant;
use support::{Env, id, spec};

fn node(colony: &str, name: &str, deps: &[&str]) -> Value {
    let mut s = spec(colony);
    s["nodename"] = json!(name);
    s["conditions"]["dependencies"] = json!(deps);
    s
}

fn diamond(colony: &str) -> Value {
    json!({ "colonyname": colony, "functionspecs": [
        node(colony, "task1", &[]),
        node(colony, "task2", &["task1"]),
        node(colony, "task3", &["task1"]),
        node(colony, "task4", &["task2", "task3"]),
    ] })
}

async fn submit(env: &Env, key: &PrivateKey, wf: Value) -> Value {
    env.call(key, "submitworkflowspecmsg", json!({ "spec": wf })).await.ok_json()
}

async fn graph(env: &Env, graph_id: &str) -> Value {
    env.call(&env.e1, "getprocessgraphmsg", json!({ "processgraphid": graph_id })).await.ok_json()
}

async fn close(env: &Env, pid: &str, out: Value) {
    env.call(&env.e1, "closesuccessfulmsg", json!({ "processid": pid, "out": out }))
        .await
        .ok_json();
}

fn gid(g: &Value) -> String {
    g["processgraphid"].as_str().expect("a graph id").to_owned()
}

// 42
#[tokio::test]
async fn a_diamond_starts_with_only_its_root_assignable() {
    let env = Env::new().await;
    let g = submit(&env, &env.e1, diamond(&env.colony1)).await;
    assert_eq!(g["state"], 0);
    assert_eq!(g["processids"].as_array().map(Vec::len), Some(4));
    assert_eq!(g["rootprocessids"].as_array().map(Vec::len), Some(1));
    assert_eq!(g["nodes"].as_array().map(Vec::len), Some(4));
    assert_eq!(g["edges"].as_array().map(Vec::len), Some(4));
    let got = graph(&env, &gid(&g)).await;
    assert_eq!(got["processids"], g["processids"]);
    for pid in g["processids"].as_array().into_iter().flatten() {
        let p = env.get(&env.e1, pid.as_str().unwrap_or_default()).await.ok_json();
        assert_eq!(p["state"], 0);
        assert_eq!(p["processgraphid"], g["processgraphid"]);
        assert_eq!(p["spec"]["maxexectime"], 100);
    }
    let first = env.assign(&env.e1, &env.colony1).await.ok_json();
    assert_eq!(first["processid"], g["rootprocessids"][0]);
    assert_eq!(first["spec"]["nodename"], "task1");
    env.assign(&env.e1, &env.colony1).await.assert_error(404);
}

// 43, 45
#[tokio::test]
async fn children_get_their_parents_outputs_and_the_graph_succeeds() {
    let env = Env::new().await;
    let g = submit(&env, &env.e1, diamond(&env.colony1)).await;
    let t1 = env.assign(&env.e1, &env.colony1).await.ok_json();
    close(&env, &id(&t1), json!(["o1"])).await;
    assert_eq!(graph(&env, &gid(&g)).await["state"], 1);
    let a = env.assign(&env.e1, &env.colony1).await.ok_json();
    let b = env.assign(&env.e1, &env.colony1).await.ok_json();
    env.assign(&env.e1, &env.colony1).await.assert_error(404);
    assert_eq!(a["in"], json!(["o1"]));
    assert_eq!(b["in"], json!(["o1"]));
    close(&env, &id(&a), json!([format!("{}", a["spec"]["nodename"])])).await;
    env.assign(&env.e1, &env.colony1).await.assert_error(404);
    close(&env, &id(&b), json!([format!("{}", b["spec"]["nodename"])])).await;
    let last = env.assign(&env.e1, &env.colony1).await.ok_json();
    assert_eq!(last["spec"]["nodename"], "task4");
    // In parents order (task2, task3), whatever order they closed in.
    assert_eq!(last["in"], json!(["\"task2\"", "\"task3\""]));
    close(&env, &id(&last), json!([])).await;
    let done = graph(&env, &gid(&g)).await;
    assert_eq!(done["state"], 2);
    assert_ne!(done["endtime"], "0001-01-01T00:00:00Z");
    assert_ne!(done["starttime"], "0001-01-01T00:00:00Z");
    let list = env
        .call(
            &env.e1,
            "getprocessgraphsmsg",
            json!({ "colonyname": env.colony1, "count": 10, "state": 2 }),
        )
        .await
        .ok_json();
    assert_eq!(list[0]["processgraphid"], g["processgraphid"]);
}

// 44
#[tokio::test]
async fn a_failed_root_fails_the_graph() {
    let env = Env::new().await;
    let g = submit(&env, &env.e1, diamond(&env.colony1)).await;
    let t1 = env.assign(&env.e1, &env.colony1).await.ok_json();
    env.call(&env.e1, "closefailedmsg", json!({ "processid": id(&t1), "errors": ["x"] }))
        .await
        .ok_json();
    env.assign(&env.e1, &env.colony1).await.assert_error(404);
    let got = graph(&env, &gid(&g)).await;
    assert_eq!(got["state"], 3);
    let p = env.get(&env.e1, g["processids"][3].as_str().unwrap_or_default()).await.ok_json();
    assert_eq!(p["state"], 3);
}

// 46
#[tokio::test]
async fn bad_workflows_are_refused() {
    let env = Env::new().await;
    let c = &env.colony1;
    let dup = json!({ "colonyname": c, "functionspecs": [node(c, "a", &[]), node(c, "a", &[])] });
    let missing = json!({ "colonyname": c, "functionspecs": [node(c, "a", &["nope"])] });
    let unnamed = json!({ "colonyname": c, "functionspecs": [node(c, "", &[])] });
    for wf in [dup, missing, unnamed] {
        env.call(&env.e1, "submitworkflowspecmsg", json!({ "spec": wf })).await.assert_error(400);
    }
    env.assign(&env.e1, &env.colony1).await.assert_error(404);
}

// 47 (workflow part), 49
#[tokio::test]
async fn a_graph_is_cancelled_and_removed_as_a_whole() {
    let env = Env::new().await;
    let g = submit(&env, &env.e1, diamond(&env.colony1)).await;
    let t1 = env.assign(&env.e1, &env.colony1).await.ok_json();
    close(&env, &id(&t1), json!(["o1"])).await;
    let running = env.assign(&env.e1, &env.colony1).await.ok_json();
    env.call(&env.e1, "cancelprocessmsg", json!({ "processid": id(&running) }))
        .await
        .assert_error(400);
    env.call(&env.e1, "removeprocessmsg", json!({ "processid": id(&running) }))
        .await
        .assert_error(400);
    let graph_id = gid(&g);
    env.call(&env.e1, "removeprocessgraphmsg", json!({ "processgraphid": graph_id }))
        .await
        .assert_error(400);
    env.call(&env.e2, "cancelprocessgraphmsg", json!({ "processgraphid": graph_id }))
        .await
        .assert_error(403);
    env.call(&env.e1, "cancelprocessgraphmsg", json!({ "processgraphid": graph_id }))
        .await
        .ok_json();
    assert_eq!(graph(&env, &graph_id).await["state"], 4);
    for (i, want) in [2, 4, 4, 4].iter().enumerate() {
        let pid = g["processids"][i].as_str().unwrap_or_default();
        assert_eq!(env.get(&env.e1, pid).await.ok_json()["state"], *want, "process {i}");
    }
    env.assign(&env.e1, &env.colony1).await.assert_error(404);
    env.call(&env.e1, "removeprocessgraphmsg", json!({ "processgraphid": graph_id }))
        .await
        .ok_json();
    env.call(&env.e1, "getprocessgraphmsg", json!({ "processgraphid": graph_id }))
        .await
        .assert_error(404);
    env.get(&env.e1, &id(&t1)).await.assert_error(404);
}

// §12 ColonyStatistics: workflows are counted per state, as processes are.
#[tokio::test]
async fn colony_statistics_count_workflows_per_state() {
    let env = Env::new().await;
    let single = |name: &str| json!({ "colonyname": env.colony1, "functionspecs": [node(&env.colony1, name, &[])] });
    // One graph in each state, each of one process: SUCCESS, FAILED, CANCELLED, RUNNING, WAITING.
    submit(&env, &env.e1, single("ok")).await;
    let p = env.assign(&env.e1, &env.colony1).await.ok_json();
    close(&env, &id(&p), json!([])).await;
    submit(&env, &env.e1, single("bad")).await;
    let p = env.assign(&env.e1, &env.colony1).await.ok_json();
    env.call(&env.e1, "closefailedmsg", json!({ "processid": id(&p), "errors": ["x"] }))
        .await
        .ok_json();
    let cancelled = submit(&env, &env.e1, single("cancelled")).await;
    env.call(&env.e1, "cancelprocessgraphmsg", json!({ "processgraphid": gid(&cancelled) }))
        .await
        .ok_json();
    submit(&env, &env.e1, single("running")).await;
    env.assign(&env.e1, &env.colony1).await.ok_json();
    submit(&env, &env.e1, single("waiting")).await;
    // Another colony's graph is not counted.
    submit(
        &env,
        &env.e2,
        json!({ "colonyname": env.colony2, "functionspecs": [node(&env.colony2, "x", &[])] }),
    )
    .await;

    let stats = env.call(&env.e1, "getcolonystatsmsg", json!({ "colonyname": env.colony1 }));
    let stats = stats.await.ok_json();
    let counts = |what: &str| {
        ["waiting", "running", "successful", "failed", "cancelled"]
            .map(|state| stats[format!("{state}{what}")].clone())
    };
    assert_eq!(counts("workflows"), [json!(1), json!(1), json!(1), json!(1), json!(1)], "{stats}");
    assert_eq!(counts("processes"), [json!(1), json!(1), json!(1), json!(1), json!(1)], "{stats}");
}

#[tokio::test]
async fn a_running_parent_adds_children() {
    let env = Env::new().await;
    let c = &env.colony1;
    let wf = json!({ "colonyname": c, "functionspecs": [node(c, "a", &[]), node(c, "b", &["a"])] });
    let g = submit(&env, &env.e1, wf).await;
    let graph_id = gid(&g);
    let a = env.assign(&env.e1, c).await.ok_json();
    let add = |insert: bool, name: &str| {
        json!({ "processgraphid": graph_id, "parentprocessid": id(&a), "childprocessid": "",
                "insert": insert, "spec": node(c, name, &[]) })
    };
    let (e3, _) = env.executor3().await;
    env.call(&e3, "addchildmsg", add(true, "x")).await.assert_error(403);
    env.call(&env.e2, "addchildmsg", add(true, "x")).await.assert_error(403);
    let x = env.call(&env.e1, "addchildmsg", add(true, "x")).await.ok_json();
    assert_eq!(x["children"], json!([g["processids"][1]]));
    assert_eq!(x["waitforparents"], true);
    let y = env.call(&env.e1, "addchildmsg", add(false, "y")).await.ok_json();
    assert_eq!(y["children"], json!([]));
    close(&env, &id(&a), json!(["A"])).await;
    // x and y run; b waits for x.
    let first = env.assign(&env.e1, c).await.ok_json();
    let second = env.assign(&env.e1, c).await.ok_json();
    env.assign(&env.e1, c).await.assert_error(404);
    let mut names = Vec::new();
    for p in [first, second] {
        assert_eq!(p["in"], json!(["A"]));
        names.push(p["spec"]["nodename"].as_str().unwrap_or_default().to_owned());
        close(&env, &id(&p), json!([p["spec"]["nodename"]])).await;
    }
    names.sort();
    assert_eq!(names, ["x", "y"]);
    let b = env.assign(&env.e1, c).await.ok_json();
    assert_eq!(b["spec"]["nodename"], "b");
    assert_eq!(b["in"], json!(["x"]));
    close(&env, &id(&b), json!([])).await;
    let done = graph(&env, &graph_id).await;
    assert_eq!(done["state"], 2);
    assert_eq!(done["processids"].as_array().map(Vec::len), Some(4));
}

// §12 workflow security list
#[tokio::test]
async fn workflow_security() {
    let env = Env::new().await;
    let wf = diamond(&env.colony1);
    for key in [&env.e2, &env.c1, &env.c2] {
        env.call(key, "submitworkflowspecmsg", json!({ "spec": wf })).await.assert_error(403);
    }
    let g = submit(&env, &env.e1, wf).await;
    let by_id = json!({ "processgraphid": gid(&g) });
    let list = json!({ "colonyname": env.colony1, "count": 10, "state": 0 });
    for key in [&env.e2, &env.c1, &env.c2] {
        env.call(key, "getprocessgraphmsg", by_id.clone()).await.assert_error(403);
        env.call(key, "getprocessgraphsmsg", list.clone()).await.assert_error(403);
        env.call(key, "removeprocessgraphmsg", by_id.clone()).await.assert_error(403);
    }
    let listed = env.call(&env.e1, "getprocessgraphsmsg", list).await.ok_json();
    assert_eq!(listed[0]["processgraphid"], g["processgraphid"]);
    let all = json!({ "colonyname": env.colony1, "state": -1 });
    for key in [&env.e2, &env.c2, &env.e1] {
        env.call(key, "removeallprocessgraphsmsg", all.clone()).await.assert_error(403);
    }
    let running = json!({ "colonyname": env.colony1, "state": 1 });
    env.call(&env.c1, "removeallprocessgraphsmsg", running).await.assert_error(400);
    env.call(&env.c1, "removeallprocessgraphsmsg", all).await.ok_json();
    env.call(&env.e1, "getprocessgraphmsg", by_id).await.assert_error(404);
    env.assign(&env.e1, &env.colony1).await.assert_error(404);
}

/// Runs a 1 → n → 1 fan-out; returns the time the last middle close took (the sink is
/// assignable when it returns: resolution commits with the close) and the time from sending
/// that close to the sink being assigned (which includes a reply carrying n parents and inputs).
async fn fan_out(env: &Env, width: usize) -> (std::time::Duration, std::time::Duration) {
    let c = &env.colony1;
    let mut specs = vec![node(c, "src", &[])];
    let names: Vec<String> = (0..width).map(|i| format!("m{i}")).collect();
    for name in &names {
        specs.push(node(c, name, &["src"]));
    }
    let deps: Vec<&str> = names.iter().map(String::as_str).collect();
    specs.push(node(c, "sink", &deps));
    let g = submit(env, &env.e1, json!({ "colonyname": c, "functionspecs": specs })).await;
    let src = env.assign(&env.e1, c).await.ok_json();
    close(env, &id(&src), json!(["s"])).await;
    let mut middle = Vec::new();
    for _ in 0..width {
        let p = env.assign(&env.e1, c).await.ok_json();
        assert_eq!(p["in"], json!(["s"]));
        middle.push(p);
    }
    let (last, rest) = middle.split_last().expect("a middle node");
    for p in rest {
        close(env, &id(p), json!([p["spec"]["nodename"]])).await;
    }
    env.assign(&env.e1, c).await.assert_error(404);
    let started = Instant::now();
    close(env, &id(last), json!([last["spec"]["nodename"]])).await;
    let closed = started.elapsed();
    let sink = env.assign(&env.e1, c).await.ok_json();
    let took = started.elapsed();
    assert_eq!(sink["spec"]["nodename"], "sink");
    assert_eq!(sink["in"], json!(names), "the sink's input is its parents' outputs in order");
    close(env, &id(&sink), json!([])).await;
    assert_eq!(graph(env, &gid(&g)).await["state"], 2);
    (closed, took)
}

#[tokio::test]
async fn a_small_fan_out_completes() {
    let env = Env::new().await;
    fan_out(&env, 8).await;
}

#[tokio::test]
#[ignore = "slow: 1,000 processes; run with --ignored to print the figures"]
async fn fan_out_latency_stays_flat() {
    for nodes in [10, 100, 1000] {
        let env = Env::new().await;
        let (closed, took) = fan_out(&env, nodes - 2).await;
        println!(
            "fan-out {nodes} nodes: last close (sink assignable) {closed:?}, \
             last close -> sink assigned {took:?}"
        );
    }
}
