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
