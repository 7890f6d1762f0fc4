//! Crons and generators: protocol §13 cases 54 and 55, `runcronmsg` checking membership
//! before it runs, and the §12 security list for both.

mod support;

use serde_json::{Value, json};
use std::time::Duration;
use support::{Env, spec};

fn one_node(colony: &str) -> String {
    json!({ "colonyname": colony, "functionspecs": [spec(colony)] }).to_string()
}

async fn graphs(env: &Env, state: i64) -> Vec<Value> {
    let q = json!({ "colonyname": env.colony1, "count": 100, "state": state });
    let list = env.call(&env.e1, "getprocessgraphsmsg", q).await.ok_json();
    list.as_array().cloned().unwrap_or_default()
}

fn cron(colony: &str, name: &str, interval: i64, expr: &str, random: bool) -> Value {
    json!({ "cron": { "colonyname": colony, "name": name, "interval": interval,
                       "cronexpression": expr, "random": random,
                       "workflowspec": one_node(colony), "waitforprevprocessgraph": false } })
}

// 54
#[tokio::test]
async fn an_interval_cron_runs_and_moves_its_next_run() {
    let env = Env::new().await;
    let c = &env.colony1;
    env.call(&env.e1, "addcronmsg", cron(c, "zero", 0, "", false)).await.assert_error(400);
    env.call(&env.e1, "addcronmsg", cron(c, "rnd", -1, "0/1 * * * * *", true))
        .await
        .assert_error(400);
    env.call(&env.e1, "addcronmsg", cron(c, "bad", -1, "* * * * *", false)).await.assert_error(400);
    let mut broken = cron(c, "wf", 2, "", false);
    broken["cron"]["workflowspec"] = json!("{not json");
    env.call(&env.e1, "addcronmsg", broken).await.assert_error(400);
    let expr = env.call(&env.e1, "addcronmsg", cron(c, "expr", -1, "0/1 * * * * *", false)).await;
    let expr = expr.ok_json();
    env.call(&env.e1, "removecronmsg", json!({ "cronid": expr["cronid"], "all": false }))
        .await
        .ok_json();
    assert_eq!(
        env.call(&env.e1, "getcronsmsg", json!({ "colonyname": c, "count": 10 })).await.ok_json(),
        json!([])
    );
    let added = env.call(&env.e1, "addcronmsg", cron(c, "every2", 2, "", false)).await.ok_json();
    assert_eq!(added["checkerperiod"], 1000);
    env.call(&env.e1, "addcronmsg", cron(c, "every2", 2, "", false)).await.assert_error(400);
    tokio::time::sleep(Duration::from_secs(5)).await;
    let waiting = graphs(&env, 0).await;
    assert!(!waiting.is_empty() && waiting.len() <= 3, "{} graphs", waiting.len());
    let now = env.call(&env.e1, "getcronmsg", json!({ "cronid": added["cronid"] })).await.ok_json();
    assert!(now["nextrun"].as_str() > added["nextrun"].as_str(), "{now}");
    assert_ne!(now["prevprocessgraphid"], "");
    let listed = env.call(&env.e1, "getcronsmsg", json!({ "colonyname": c, "count": 10 }));
    assert_eq!(listed.await.ok_json()[0]["cronid"], added["cronid"]);
}

#[tokio::test]
async fn run_cron_checks_membership_first_and_feeds_leaf_outputs() {
    let env = Env::new().await;
    let c = &env.colony1;
    let mut add = cron(c, "manual", 3600, "", false);
    add["cron"]["waitforprevprocessgraph"] = json!(true);
    let added = env.call(&env.e1, "addcronmsg", add).await.ok_json();
    let id = json!({ "cronid": added["cronid"] });
    for key in [&env.e2, &env.c1, &env.c2] {
        env.call(key, "runcronmsg", id.clone()).await.assert_error(403);
    }
    assert!(graphs(&env, 0).await.is_empty(), "a refused run started nothing");
    env.call(&env.e1, "runcronmsg", id.clone()).await.ok_json();
    // The previous graph is not finished: this run waits.
    env.call(&env.e1, "runcronmsg", id.clone()).await.ok_json();
    assert_eq!(graphs(&env, 0).await.len(), 1);
    let p = env.assign(&env.e1, c).await.ok_json();
    env.call(
        &env.e1,
        "closesuccessfulmsg",
        json!({ "processid": p["processid"], "out": ["leaf"] }),
    )
    .await
    .ok_json();
    env.call(&env.e1, "runcronmsg", id).await.ok_json();
    let next = env.assign(&env.e1, c).await.ok_json();
    assert_eq!(next["in"], json!(["leaf"]));
}

// 55
#[tokio::test]
async fn a_generator_submits_a_workflow_per_trigger_args() {
    let env = Env::new().await;
    let c = &env.colony1;
    let add = json!({ "generator": { "colonyname": c, "name": "gen", "trigger": 3, "timeout": 0,
                                      "workflowspec": one_node(c) } });
    for key in [&env.e2, &env.c1, &env.c2] {
        env.call(key, "addgeneratormsg", add.clone()).await.assert_error(403);
    }
    let g = env.call(&env.e1, "addgeneratormsg", add).await.ok_json();
    let gid = g["generatorid"].clone();
    for key in [&env.e2, &env.c1, &env.c2] {
        env.call(key, "packgeneratormsg", json!({ "generatorid": gid, "arg": "x" }))
            .await
            .assert_error(403);
        env.call(key, "getgeneratormsg", json!({ "generatorid": gid })).await.assert_error(403);
    }
    for arg in ["a1", "a2", "a3"] {
        env.call(&env.e1, "packgeneratormsg", json!({ "generatorid": gid, "arg": arg }))
            .await
            .ok_json();
    }
    let mut assigned = None;
    for _ in 0..30 {
        let a = env.assign(&env.e1, c).await;
        if a.status == 200 {
            assigned = Some(a.ok_json());
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let p = assigned.expect("the generator submitted a workflow within 6 s");
    assert_eq!(p["spec"]["args"], json!(["a1", "a2", "a3"]));
    assert_eq!(p["spec"]["kwargs"], json!({}));
    let got = env.call(&env.e1, "getgeneratormsg", json!({ "generatorid": gid })).await.ok_json();
    assert_eq!(got["queuesize"], 0);
    let by_name = json!({ "colonyname": c, "generatorname": "gen" });
    let resolved = env.call(&env.e1, "resolvegeneratormsg", by_name).await.ok_json();
    assert_eq!(resolved["generatorid"], gid);
    let list = json!({ "colonyname": c, "count": 10 });
    assert_eq!(env.call(&env.e1, "getgeneratorsmsg", list).await.ok_json()[0]["generatorid"], gid);
    env.call(&env.e2, "removegeneratormsg", json!({ "generatorid": gid })).await.assert_error(403);
    env.call(&env.e1, "removegeneratormsg", json!({ "generatorid": gid })).await.ok_json();
    env.call(&env.e1, "getgeneratormsg", json!({ "generatorid": gid })).await.assert_error(404);
}

#[tokio::test]
async fn cron_security() {
    let env = Env::new().await;
    let c = &env.colony1;
    for key in [&env.e2, &env.c1, &env.c2] {
        env.call(key, "addcronmsg", cron(c, "s", 3600, "", false)).await.assert_error(403);
    }
    let added = env.call(&env.e1, "addcronmsg", cron(c, "s", 3600, "", false)).await.ok_json();
    let id = json!({ "cronid": added["cronid"] });
    for key in [&env.e2, &env.c1, &env.c2] {
        env.call(key, "getcronmsg", id.clone()).await.assert_error(403);
        env.call(key, "getcronsmsg", json!({ "colonyname": c, "count": 1 }))
            .await
            .assert_error(403);
        env.call(key, "removecronmsg", id.clone()).await.assert_error(403);
    }
    env.call(&env.e1, "removecronmsg", id.clone()).await.ok_json();
    env.call(&env.e1, "getcronmsg", id).await.assert_error(404);
}

/// A one-node workflow whose process runs `funcname` (so the runs of each cron and generator
/// can be told apart in the database).
fn one_node_named(colony: &str, funcname: &str) -> String {
    let mut s = spec(colony);
    s["funcname"] = json!(funcname);
    json!({ "colonyname": colony, "functionspecs": [s] }).to_string()
}

/// How long the exactly-once run lasts: `COLONIES_CRON_SOAK_SECS`, 60 s by default.
fn soak() -> Duration {
    let secs = std::env::var("COLONIES_CRON_SOAK_SECS").ok().and_then(|s| s.parse().ok());
    Duration::from_secs(secs.unwrap_or(60))
}

/// Issue 5: with several server processes sweeping one database for a minute, every due run
/// of a cron and every packed generator arg becomes exactly one workflow. Three servers sweep
/// here: the suite's own and two replicas started on its database; each sweeps every second.
/// The runs are counted in the database (one process per workflow).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crons_and_generators_run_exactly_once_across_servers() {
    use colonies_blackbox::{Client, load::start_replica, server};
    use std::collections::HashSet;
    let Some(url) = server().database_url.clone() else { return };
    let env = Env::new().await;
    let c = &env.colony1;
    let a = start_replica(&url, 4).await;
    let b = start_replica(&url, 4).await;
    let servers = [
        Client::to(&format!("http://{}", a.addr())),
        Client::to(&format!("http://{}", b.addr())),
        Client::to(&server().url),
    ];

    // Every even second, by expression; every 3 s, by interval; a generator of 5 args
    // with a 2 s timeout for what is left over at the end.
    let mut every2 = cron(c, "every2", -1, "*/2 * * * * *", false);
    every2["cron"]["workflowspec"] = json!(one_node_named(c, "every2"));
    let mut every3 = cron(c, "every3", 3, "", false);
    every3["cron"]["workflowspec"] = json!(one_node_named(c, "every3"));
    let every2 = servers[0].call(&env.e1, "addcronmsg", every2).await.ok_json();
    let every3 = servers[1].call(&env.e1, "addcronmsg", every3).await.ok_json();
    let add = json!({ "generator": { "colonyname": c, "name": "soak", "trigger": 5, "timeout": 2,
                                      "workflowspec": one_node_named(c, "gen") } });
    let g = servers[0].call(&env.e1, "addgeneratormsg", add).await.ok_json();

    // Ten args a second, round robin over the servers, one more at the end so the last
    // workflow is a partial one started by the timeout.
    let started = std::time::Instant::now();
    let mut packed = Vec::new();
    while started.elapsed() < soak() || packed.len() % 5 == 0 {
        let arg = format!("arg{}", packed.len());
        let to = &servers[packed.len() % servers.len()];
        let pack = json!({ "generatorid": g["generatorid"], "arg": arg });
        to.call(&env.e1, "packgeneratormsg", pack).await.ok_json();
        packed.push(arg);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for cron in [&every2, &every3] {
        let remove = json!({ "cronid": cron["cronid"], "all": false });
        servers[2].call(&env.e1, "removecronmsg", remove).await.ok_json();
    }
    let ran_for = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(4)).await;

    let (db, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.expect("db");
    tokio::spawn(connection);
    let rows = db
        .query(
            "SELECT p.funcname, EXTRACT(EPOCH FROM p.submission_time)::float8,
                    (p.spec->'args')::text, g.processgraph_id
             FROM processes p JOIN processgraphs g ON g.processgraph_id = p.processgraph_id
             WHERE p.colony_name = $1 ORDER BY p.submission_time",
            &[c],
        )
        .await
        .expect("the runs");
    let times = |f: &str| -> Vec<f64> {
        rows.iter().filter(|r| r.get::<_, &str>(0) == f).map(|r| r.get::<_, f64>(1)).collect()
    };
    let graphs: HashSet<String> = rows.iter().map(|r| r.get(3)).collect();
    assert_eq!(graphs.len(), rows.len(), "one process per workflow");

    // */2: each run falls in the 2 s slot of its due time; no slot twice, none skipped.
    let every2 = times("every2");
    let slots: Vec<i64> = every2.iter().map(|t| (t / 2.0).floor() as i64).collect();
    let distinct: HashSet<i64> = slots.iter().copied().collect();
    assert_eq!(distinct.len(), slots.len(), "a due time of */2 ran twice: {slots:?}");
    let span = slots.last().unwrap_or(&0) - slots.first().unwrap_or(&0) + 1;
    assert_eq!(span, slots.len() as i64, "a due time of */2 was skipped: {slots:?}");
    assert!(slots.len() as f64 >= ran_for / 2.0 - 2.0, "{} runs in {ran_for:.0} s", slots.len());

    // Every 3 s from the last run: never two runs closer than that.
    let every3 = times("every3");
    let gaps: Vec<f64> = every3.windows(2).map(|w| w[1] - w[0]).collect();
    let closest = gaps.iter().copied().fold(f64::INFINITY, f64::min);
    assert!(closest >= 2.9, "interval runs {closest:.3} s apart: {gaps:?}");
    assert!(every3.len() as f64 >= ran_for / 4.0 - 1.0, "{} runs", every3.len());

    // The generator: every packed arg in exactly one workflow, at most 5 per workflow.
    let mut seen = Vec::new();
    let mut workflows = 0;
    for r in rows.iter().filter(|r| r.get::<_, &str>(0) == "gen") {
        let args: Value = serde_json::from_str(r.get(2)).expect("args");
        let args = args.as_array().cloned().unwrap_or_default();
        assert!(!args.is_empty() && args.len() <= 5, "{args:?}");
        seen.extend(args.iter().filter_map(|a| a.as_str().map(str::to_owned)));
        workflows += 1;
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "an arg ran twice");
    assert_eq!(unique, packed.iter().collect::<HashSet<_>>(), "an arg was lost");
    assert_eq!(workflows, packed.len().div_ceil(5));
    println!(
        "3 servers, {ran_for:.0} s: cron */2 s {} runs in {} distinct due slots (none \
         skipped); cron every 3 s {} runs, closest {closest:.2} s apart; generator {} args \
         packed -> {workflows} workflows, every arg exactly once",
        slots.len(),
        distinct.len(),
        every3.len(),
        packed.len()
    );
    a.shutdown().await;
    b.shutdown().await;
}

/// The `prevprocessgraphid` and `nextrun` of a cron once its previous graph is not `previous`
/// any more (waits up to 6 s).
async fn next_run_of(env: &Env, cron_id: &Value, previous: &Value) -> (Value, Value) {
    let deadline = std::time::Instant::now() + Duration::from_secs(6);
    loop {
        let cron = env.call(&env.e1, "getcronmsg", json!({ "cronid": cron_id })).await.ok_json();
        if cron["prevprocessgraphid"] != *previous {
            return (cron["prevprocessgraphid"].clone(), cron["nextrun"].clone());
        }
        assert!(std::time::Instant::now() < deadline, "the cron did not run again: {cron}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A cron that waits for its previous workflow, as in Go: while that workflow is unfinished
/// the cron stays due (its `nextrun` does not move) and runs as soon as the workflow finishes
/// or is gone. `removeallprocessesmsg` removes the processes outside workflows only (Go's
/// `RemoveAll*ProcessesByColonyName`), so the workflow stays whole and can still finish;
/// `removeallprocessgraphsmsg` removes the workflow itself, and the cron runs again.
#[tokio::test]
async fn a_cron_waiting_for_its_previous_workflow_runs_once_that_finishes_or_is_removed() {
    let env = Env::new().await;
    let c = &env.colony1;
    let mut add = cron(c, "waits", 2, "", false);
    add["cron"]["waitforprevprocessgraph"] = json!(true);
    let added = env.call(&env.e1, "addcronmsg", add).await.ok_json();
    let id = &added["cronid"];
    let (first, due) = next_run_of(&env, id, &json!("")).await;

    // Past its next due time it still waits, and stays due.
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let now = env.call(&env.e1, "getcronmsg", json!({ "cronid": id })).await.ok_json();
    assert_eq!((&now["prevprocessgraphid"], &now["nextrun"]), (&first, &due), "{now}");

    // Removing every process leaves the workflow whole; once it finishes, the cron runs.
    let standalone = env.submit(&env.e1, spec(c)).await;
    let all = json!({ "colonyname": c, "state": -1 });
    env.call(&env.c1, "removeallprocessesmsg", all.clone()).await.ok_json();
    env.get(&env.e1, &support::id(&standalone)).await.assert_error(404);
    let graph = json!({ "processgraphid": first });
    let graph = env.call(&env.e1, "getprocessgraphmsg", graph).await.ok_json();
    let root = env.assign(&env.e1, c).await.ok_json();
    assert_eq!(
        (&root["processgraphid"], &graph["processids"]),
        (&first, &json!([root["processid"]]))
    );
    env.call(&env.e1, "closesuccessfulmsg", json!({ "processid": root["processid"] }))
        .await
        .ok_json();
    let (second, _) = next_run_of(&env, id, &first).await;

    // Its workflow removed while it waits, the cron runs again.
    env.call(&env.c1, "removeallprocessgraphsmsg", all).await.ok_json();
    let (third, _) = next_run_of(&env, id, &second).await;
    assert_ne!(third, first);
    env.call(&env.e1, "removecronmsg", json!({ "cronid": id, "all": false })).await.ok_json();
}
