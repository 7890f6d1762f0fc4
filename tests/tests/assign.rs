//! Assignment: protocol §13 cases 23–31, the §12 assign security list, and many executors on
//! two servers sharing one database (every process assigned exactly once, none lost).

mod support;

use colonies_blackbox::{
    Client,
    load::{Swarm, start_replica},
    server,
};
use serde_json::json;
use std::{collections::HashSet, time::Instant};
use support::{Env, TYPE, executor, id, named_executor, spec};

fn assign(colony: &str, timeout: i64) -> serde_json::Value {
    json!({ "colonyname": colony, "timeout": timeout })
}

// 23, 26
#[tokio::test]
async fn no_waiting_process_is_404_at_once_and_timeout_zero_is_400() {
    let env = Env::new().await;
    let started = Instant::now();
    let answer = env.assign(&env.e1, &env.colony1).await;
    answer.assert_error(404);
    assert!(started.elapsed().as_millis() < 1000);
    env.call(&env.e1, "assignprocessmsg", assign(&env.colony1, 0)).await.assert_error(400);
}

// 24
#[tokio::test]
async fn a_long_poll_with_nothing_to_assign_times_out() {
    let env = Env::new().await;
    let started = Instant::now();
    env.call(&env.e1, "assignprocessmsg", assign(&env.colony1, 1)).await.assert_error(404);
    let waited = started.elapsed().as_secs_f64();
    assert!((1.0..2.5).contains(&waited), "{waited}");
}

// 25
#[tokio::test]
async fn a_long_poll_is_woken_by_a_submit() {
    let env = Env::new().await;
    let (e1, colony) = (env.e1.clone(), env.colony1.clone());
    let waiting = tokio::spawn(async move {
        let answer = Client::new().call(&e1, "assignprocessmsg", assign(&colony, 10)).await;
        (answer, Instant::now())
    });
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let submitted_at = Instant::now();
    let p = id(&env.submit(&env.e1, spec(&env.colony1)).await);
    let (answer, received_at) = waiting.await.expect("the long poll");
    assert_eq!(id(&answer.ok_json()), p);
    let latency = received_at.duration_since(submitted_at);
    assert!(latency.as_secs_f64() < 1.0, "{latency:?}");
}

#[tokio::test]
async fn one_submit_wakes_one_of_many_waiting_executors() {
    let env = Env::new().await;
    let mut waiting = Vec::new();
    for _ in 0..4 {
        let (k, _) = env.executor3().await;
        let colony = env.colony1.clone();
        waiting.push(tokio::spawn(async move {
            Client::new().call(&k, "assignprocessmsg", assign(&colony, 2)).await
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let p = id(&env.submit(&env.e1, spec(&env.colony1)).await);
    let mut got = Vec::new();
    for w in waiting {
        let answer = w.await.expect("a poll");
        if answer.status == 200 {
            got.push(id(&answer.ok_json()));
        } else {
            answer.assert_error(404);
        }
    }
    assert_eq!(got, [p]);
}

// 27
#[tokio::test]
async fn a_targeted_process_goes_only_to_the_named_executor() {
    let env = Env::new().await;
    let (client, c1, colony) = (&env.client, &env.c1, &env.colony1);
    let a_name = colonies_blackbox::unique("exA");
    let ex_a = named_executor(client, c1, colony, &a_name, TYPE, "").await;
    let (ex_b, _) = executor(client, c1, colony, TYPE, "").await;
    let mut s = spec(colony);
    s["conditions"]["executornames"] = json!([a_name]);
    let p = id(&env.submit(&env.e1, s).await);
    env.assign(&ex_b, colony).await.assert_error(404);
    assert_eq!(id(&env.assign(&ex_a, colony).await.ok_json()), p);
}

// 28
#[tokio::test]
async fn each_executor_gets_the_oldest_of_untargeted_and_its_own() {
    let env = Env::new().await;
    let (client, c1, colony) = (&env.client, &env.c1, &env.colony1);
    let (a_name, b_name) = (colonies_blackbox::unique("exA"), colonies_blackbox::unique("exB"));
    let ex_a = named_executor(client, c1, colony, &a_name, TYPE, "").await;
    let ex_b = named_executor(client, c1, colony, &b_name, TYPE, "").await;
    let targeted = |names: serde_json::Value| {
        let mut s = spec(colony);
        s["conditions"]["executornames"] = names;
        s
    };
    let p1 = id(&env.submit(&env.e1, targeted(json!([b_name]))).await);
    let p2 = id(&env.submit(&env.e1, targeted(json!([]))).await);
    let p3 = id(&env.submit(&env.e1, targeted(json!([a_name]))).await);
    let p4 = id(&env.submit(&env.e1, targeted(json!(["*"]))).await);
    assert_eq!(id(&env.assign(&ex_a, colony).await.ok_json()), p2);
    assert_eq!(id(&env.assign(&ex_a, colony).await.ok_json()), p3);
    assert_eq!(id(&env.assign(&ex_b, colony).await.ok_json()), p1);
    assert_eq!(id(&env.assign(&ex_b, colony).await.ok_json()), p4);
    env.assign(&ex_a, colony).await.assert_error(404);
}

// 29
#[tokio::test]
async fn resources_must_fit_what_the_executor_has() {
    let env = Env::new().await;
    let colony = &env.colony1;
    let mut s = spec(colony);
    s["conditions"]["cpu"] = json!("4000m");
    s["conditions"]["mem"] = json!("4000G");
    let with = |cpu: &str, mem: &str| json!({ "colonyname": colony, "timeout": -1, "availablecpu": cpu, "availablemem": mem });
    let p = id(&env.submit(&env.e1, s.clone()).await);
    env.call(&env.e1, "assignprocessmsg", with("1000m", "10G")).await.assert_error(404);
    env.call(&env.e1, "assignprocessmsg", with("4000m", "1G")).await.assert_error(404);
    let got = env.call(&env.e1, "assignprocessmsg", with("4000m", "4000G")).await.ok_json();
    assert_eq!(id(&got), p);
    assert_eq!(got["spec"]["conditions"]["cpu"], "4000m");
    let q = id(&env.submit(&env.e1, s).await);
    assert_eq!(id(&env.call(&env.e1, "assignprocessmsg", with("", "")).await.ok_json()), q);
    env.call(&env.e1, "assignprocessmsg", with("lots", "")).await.assert_error(404);
    env.call(&env.e1, "assignprocessmsg", with("", "10")).await.assert_error(400);
}

// 30
#[tokio::test]
async fn the_executor_type_must_match() {
    let env = Env::new().await;
    let (other, _) = executor(&env.client, &env.c1, &env.colony1, "B", "").await;
    env.submit(&env.e1, spec(&env.colony1)).await;
    env.assign(&other, &env.colony1).await.assert_error(404);
    env.assign(&env.e1, &env.colony1).await.ok_json();
}

// 31
#[tokio::test]
async fn locations_match_case_insensitively() {
    let env = Env::new().await;
    let (client, c1, colony) = (&env.client, &env.c1, &env.colony1);
    let (cloud, _) = executor(client, c1, colony, TYPE, "cloud").await;
    let (edge, _) = executor(client, c1, colony, TYPE, "EDGE").await;
    let mut s = spec(colony);
    s["conditions"]["locationname"] = json!("edge");
    let p = id(&env.submit(&env.e1, s).await);
    env.assign(&cloud, colony).await.assert_error(404);
    assert_eq!(id(&env.assign(&edge, colony).await.ok_json()), p);
    let anywhere = id(&env.submit(&env.e1, spec(colony)).await);
    assert_eq!(id(&env.assign(&cloud, colony).await.ok_json()), anywhere);
}

// §12 Assign: E1→colony2 ✗, E2→colony1 ✗, C1/C2→colony1 ✗, E1→colony1 ✓
#[tokio::test]
async fn only_approved_executors_of_the_colony_assign() {
    let env = Env::new().await;
    env.submit(&env.e1, spec(&env.colony1)).await;
    env.submit(&env.e2, spec(&env.colony2)).await;
    env.assign(&env.e1, &env.colony2).await.assert_error(403);
    env.assign(&env.e2, &env.colony1).await.assert_error(403);
    env.assign(&env.c1, &env.colony1).await.assert_error(403);
    env.assign(&env.c2, &env.colony1).await.assert_error(403);
    let (pending, _) =
        colonies_blackbox::new_executor(&env.client, &env.c1, &env.colony1, false).await;
    env.assign(&pending, &env.colony1).await.assert_error(403);
    env.assign(&env.e1, &env.colony1).await.ok_json();
}

#[tokio::test]
async fn assigning_marks_the_executor_alive() {
    let env = Env::new().await;
    let get = json!({ "colonyname": env.colony1, "executorname": env.e1_name });
    let before = env.call(&env.e1, "getexecutormsg", get.clone()).await.ok_json();
    // Refreshed at most once a second (a busy executor would otherwise rewrite its row on
    // every call).
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    env.assign(&env.e1, &env.colony1).await.assert_error(404);
    let after = env.call(&env.e1, "getexecutormsg", get).await.ok_json();
    let t = |e: &serde_json::Value| {
        colonies_core::time::Timestamp::parse(e["lastheardfromtime"].as_str().unwrap_or(""))
            .expect("a time")
    };
    assert!(t(&after) > t(&before), "{before} {after}");
}

/// 32 executors on two servers sharing the suite's database, `n` processes; every request
/// bound against replay when `bound` (each with a nonce of its own, on either replica).
async fn exactly_once(n: usize, bound: bool) {
    let Some(url) = server().database_url.clone() else { return };
    let a = start_replica(&url, 24).await;
    let b = start_replica(&url, 24).await;
    let urls = vec![format!("http://{}", a.addr()), format!("http://{}", b.addr())];
    let mut swarm = Swarm::new(urls, &server().owner, 32).await;
    if bound {
        let audience = Client::to(&swarm.urls[0]).audience().await;
        assert!(audience.is_some(), "our server tells its ID");
        swarm.bind_to(audience);
    }
    let run = swarm.throughput(n, 4).await;
    assert!(run.errors.is_empty(), "{:?}", &run.errors[..run.errors.len().min(5)]);
    assert_eq!(run.submitted.len(), n);
    let unique: HashSet<&String> = run.assigned.iter().collect();
    assert_eq!(unique.len(), run.assigned.len(), "a process was assigned twice");
    let submitted: HashSet<&String> = run.submitted.iter().collect();
    assert_eq!(unique, submitted, "a process was lost");
    let stats = Client::to(&swarm.urls[1])
        .call(&swarm.executors[0], "getcolonystatsmsg", json!({ "colonyname": swarm.colony }))
        .await
        .ok_json();
    assert_eq!(stats["successfulprocesses"], n);
    assert_eq!(stats["waitingprocesses"], 0);
    println!("{n} processes, 32 executors, 2 servers: {:.0} processes/s", run.per_second());
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_32_executors_2000_processes_each_assigned_once() {
    exactly_once(2_000, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_32_executors_500_bound_processes_each_assigned_once() {
    exactly_once(500, true).await;
}

/// The full size; run by `scripts/exactly-once.sh` (release build).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "10,000 processes: run with --ignored (scripts/exactly-once.sh)"]
async fn two_servers_32_executors_10000_processes_each_assigned_once() {
    exactly_once(10_000, false).await;
}

/// An executor's long poll, started now; its answer once it ends.
fn long_poll(
    key: &colonies_core::PrivateKey,
    payload: serde_json::Value,
) -> tokio::task::JoinHandle<colonies_blackbox::Answer> {
    let key = key.clone();
    tokio::spawn(async move { Client::new().call(&key, "assignprocessmsg", payload).await })
}

/// Time for a long poll to reach the server and park (the protocol has no acknowledgement).
const PARK: std::time::Duration = std::time::Duration::from_millis(500);

#[tokio::test]
async fn a_process_given_to_a_waiting_executor_is_what_the_database_holds() {
    let env = Env::new().await;
    let waiting = long_poll(&env.e1, assign(&env.colony1, 10));
    tokio::time::sleep(PARK).await;
    let mut s = spec(&env.colony1);
    s["env"] = json!({ "B": "2", "A": "1" });
    s["kwargs"] = json!({ "z": 1, "a": { "nested": [1, 2] } });
    let submitted = env.submit(&env.e1, s).await;
    // The submitter sees the process as submitted, whoever runs it a moment later.
    assert_eq!(submitted["state"], 0, "{submitted}");
    let assigned = waiting.await.expect("the long poll").ok_json();
    assert_eq!(id(&assigned), id(&submitted));
    let stored = env.get(&env.e1, &id(&assigned)).await.ok_json();
    assert_eq!(assigned, stored, "the reply is the process as stored");
    assert_eq!(stored["state"], 1);
    assert_eq!(stored["isassigned"], true);
    assert_eq!(stored["attributes"].as_array().map(Vec::len), Some(2), "{stored}");
    // It runs like any assigned process.
    let close = json!({ "processid": id(&stored), "out": ["done"] });
    env.call(&env.e1, "closesuccessfulmsg", close).await.ok_json();
}

#[tokio::test]
async fn a_waiting_executor_is_not_given_what_it_cannot_run() {
    let env = Env::new().await;
    // Too little CPU for the process.
    let small = json!({ "colonyname": env.colony1, "timeout": 2, "availablecpu": "100m" });
    let waiting = long_poll(&env.e1, small);
    tokio::time::sleep(PARK).await;
    let mut s = spec(&env.colony1);
    s["conditions"]["cpu"] = json!("1000m");
    let p = id(&env.submit(&env.e1, s).await);
    waiting.await.expect("the long poll").assert_error(404);
    assert_eq!(env.get(&env.e1, &p).await.ok_json()["state"], 0);

    // Paused assignments: the process waits until they resume.
    let colony = json!({ "colonyname": env.colony1 });
    env.call(&env.c1, "pauseassignmentsmsg", colony.clone()).await.ok_json();
    let waiting = long_poll(&env.e1, assign(&env.colony1, 10));
    tokio::time::sleep(PARK).await;
    let q = id(&env.submit(&env.e1, spec(&env.colony1)).await);
    tokio::time::sleep(PARK).await;
    assert_eq!(env.get(&env.e1, &q).await.ok_json()["state"], 0);
    env.call(&env.c1, "resumeassignmentsmsg", colony).await.ok_json();
    // The oldest first: the one the small executor could not take.
    assert_eq!(id(&waiting.await.expect("the long poll").ok_json()), p);
}
