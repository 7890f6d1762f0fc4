//! Deadlines: protocol §13 cases 36–39, `maxexectime: 0` as unlimited (a deliberate fix),
//! stale executors, and the sweep's advisory lock.

mod support;

use colonies_worker::store::deadlines::{DEADLINE_LOCK, sweep_deadlines};
use core::time::Duration;
use serde_json::{Value, json};
use support::{Env, database, id, spec};

async fn sleep(seconds: f64) {
    tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
}

/// Polls the process until `done` holds or `seconds` pass; the last state seen.
async fn wait_for(env: &Env, p: &str, seconds: f64, done: impl Fn(&Value) -> bool) -> Value {
    let started = std::time::Instant::now();
    loop {
        let got = env.get(&env.e1, p).await.ok_json();
        if done(&got) || started.elapsed().as_secs_f64() > seconds {
            return got;
        }
        sleep(0.1).await;
    }
}

// 36
#[tokio::test]
async fn a_process_waiting_too_long_fails() {
    let env = Env::new().await;
    let mut s = spec(&env.colony1);
    s["maxwaittime"] = json!(1);
    let p = id(&env.submit(&env.e1, s).await);
    let got = wait_for(&env, &p, 3.0, |p| p["state"] == 3).await;
    assert_eq!(got["state"], 3, "{got}");
    assert_eq!(got["errors"], json!(["Maximum waiting time limit exceeded"]));
    env.assign(&env.e1, &env.colony1).await.assert_error(404);
    let stats = env.call(&env.e1, "getcolonystatsmsg", json!({ "colonyname": env.colony1 }));
    assert_eq!(stats.await.ok_json()["failedprocesses"], 1);
}

// 37
#[tokio::test]
async fn an_expired_run_is_retried_then_fails() {
    let env = Env::new().await;
    let mut s = spec(&env.colony1);
    s["maxexectime"] = json!(1);
    s["maxretries"] = json!(1);
    let p = id(&env.submit(&env.e1, s).await);
    let first = env.assign(&env.e1, &env.colony1).await.ok_json();
    assert_eq!(id(&first), p);
    assert_ne!(first["execdeadline"], "0001-01-01T00:00:00Z");
    sleep(1.2).await;
    // Read right after the deadline: applied even if the sweep has not run yet.
    let got = env.get(&env.e1, &p).await.ok_json();
    assert_eq!((got["state"].clone(), got["retries"].clone()), (json!(0), json!(1)), "{got}");
    assert_eq!(got["assignedexecutorid"], "");
    // The executor that lost it can no longer close it.
    env.call(&env.e1, "closesuccessfulmsg", json!({ "processid": p })).await.assert_error(403);
    assert_eq!(id(&env.assign(&env.e1, &env.colony1).await.ok_json()), p);
    let got = wait_for(&env, &p, 3.0, |p| p["state"] == 3).await;
    assert_eq!(got["state"], 3, "{got}");
    assert_eq!(got["errors"], json!(["Maximum execution time limit exceeded"]));
}

// 38
#[tokio::test]
async fn unlimited_retries_keep_coming_back() {
    let env = Env::new().await;
    let mut s = spec(&env.colony1);
    s["maxexectime"] = json!(1);
    s["maxretries"] = json!(-1);
    let p = id(&env.submit(&env.e1, s).await);
    for retry in 1..=3 {
        assert_eq!(id(&env.assign(&env.e1, &env.colony1).await.ok_json()), p);
        let got = wait_for(&env, &p, 3.0, |p| p["state"] == 0).await;
        assert_eq!((got["state"].clone(), got["retries"].clone()), (json!(0), json!(retry)));
    }
}

// 39, and `maxexectime: 0` is unlimited too (Go expires it at once; protocol §11 item 5)
#[tokio::test]
async fn no_exec_limit_keeps_running() {
    let env = Env::new().await;
    let mut ids = Vec::new();
    for limit in [-1, 0] {
        let mut s = spec(&env.colony1);
        s["maxexectime"] = json!(limit);
        s["maxwaittime"] = json!(limit);
        ids.push(id(&env.submit(&env.e1, s).await));
        env.assign(&env.e1, &env.colony1).await.ok_json();
    }
    sleep(3.0).await;
    for p in ids {
        let got = env.get(&env.e1, &p).await.ok_json();
        assert_eq!(got["state"], 1, "{got}");
        assert_eq!(got["execdeadline"], "0001-01-01T00:00:00Z");
    }
}

#[tokio::test]
async fn a_stale_executor_is_removed_and_its_process_requeued() {
    let Some(db) = database().await else { return };
    let env = Env::new().await;
    let (e3, e3_name) = env.executor3().await;
    let p = id(&env.submit(&env.e1, spec(&env.colony1)).await);
    assert_eq!(id(&env.assign(&e3, &env.colony1).await.ok_json()), p);
    // Silent for an hour (the test server uses the default 600 s).
    db.execute(
        "UPDATE executors SET last_heard_from = now() - INTERVAL '1 hour'
         WHERE colony_name = $1 AND name = $2",
        &[&env.colony1, &e3_name],
    )
    .await
    .expect("update");
    let got = wait_for(&env, &p, 3.0, |p| p["state"] == 0).await;
    assert_eq!(got["state"], 0, "{got}");
    assert_eq!(got["assignedexecutorid"], "");
    let get = json!({ "colonyname": env.colony1, "executorname": e3_name });
    let executors = env.call(&env.e1, "getexecutorsmsg", json!({ "colonyname": env.colony1 }));
    let executors = executors.await.ok_json();
    let e3_row = executors
        .as_array()
        .and_then(|a| a.iter().find(|e| e["executorname"] == e3_name))
        .cloned()
        .expect("e3 listed");
    assert_eq!(e3_row["state"], 3);
    env.call(&e3, "getexecutormsg", get).await.assert_error(403);
    assert_eq!(id(&env.assign(&env.e1, &env.colony1).await.ok_json()), p);
}

#[tokio::test]
async fn only_one_server_sweeps_at_a_time() {
    let Some(mut holder) = database().await else { return };
    let Some(mut sweeper) = database().await else { return };
    let tx = holder.transaction().await.expect("begin");
    let held: bool = tx
        .query_one("SELECT pg_try_advisory_xact_lock($1)", &[&DEADLINE_LOCK])
        .await
        .expect("lock")
        .get(0);
    if !held {
        // The test server's own sweep holds it this instant; that proves the point too.
        return;
    }
    let sweep = sweep_deadlines(&mut sweeper, Duration::from_secs(600)).await.expect("sweep");
    assert!(!sweep.ran, "a second server swept while the lock was held");
    tx.rollback().await.expect("rollback");
    let sweep = sweep_deadlines(&mut sweeper, Duration::from_secs(600)).await.expect("sweep");
    // The server's own sweep may hold it right now; either way nothing was applied twice.
    let _ = sweep.ran;
}
