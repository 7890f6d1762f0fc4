//! Concurrent submits and closes: each request is answered for itself, whatever the server
//! does with them together (the native host writes the ones that arrive while earlier ones
//! are being written in one statement).

mod support;

use futures_util::future::join_all;
use serde_json::json;
use support::{Env, id, spec};

/// Members' submits succeed and outsiders' are refused when they all arrive at once, and
/// nothing is written for the refused ones.
#[tokio::test]
async fn concurrent_submits_are_answered_each_for_itself() {
    let env = Env::new().await;
    let payload = json!({ "spec": spec(&env.colony1) });
    let mut calls = Vec::new();
    for i in 0..36 {
        // Every third one by an executor of the other colony, every ninth by colony 1's
        // owner (not a member): 403, nothing written.
        let key = match i % 9 {
            0 => &env.c1,
            3 | 6 => &env.e2,
            _ => &env.e1,
        };
        calls.push(env.call(key, "submitfuncspecmsg", payload.clone()));
    }
    let answers = join_all(calls).await;
    let mut submitted = Vec::new();
    for (i, answer) in answers.iter().enumerate() {
        if matches!(i % 9, 0 | 3 | 6) {
            answer.assert_error(403);
        } else {
            let process = answer.ok_json();
            assert_eq!(process["state"], 0, "{process}");
            assert_eq!(process["initiatorname"], env.e1_name.as_str());
            submitted.push(id(&process));
        }
    }
    submitted.sort();
    submitted.dedup();
    assert_eq!(submitted.len(), 24, "distinct process IDs");
    let list = json!({ "colonyname": env.colony1, "state": 0, "count": 100 });
    let waiting = env.call(&env.e1, "getprocessesmsg", list).await.ok_json();
    let mut listed: Vec<String> = waiting.as_array().expect("a list").iter().map(id).collect();
    listed.sort();
    assert_eq!(listed, submitted, "exactly the accepted submits were written");
}

/// Closes of one executor's processes that all arrive at once: each is closed once, a
/// repeated or foreign close is refused, and the function's statistics count every run.
#[tokio::test]
async fn concurrent_closes_count_every_run_once() {
    let env = Env::new().await;
    let (e3, _) = env.executor3().await;
    let function = json!({ "fun": { "colonyname": env.colony1, "executorname": env.e1_name, "funcname": "test_func" } });
    env.call(&env.e1, "addfunctionmsg", function).await.ok_json();
    let mut running = Vec::new();
    for _ in 0..20 {
        env.submit(&env.e1, spec(&env.colony1)).await;
        running.push(id(&env.assign(&env.e1, &env.colony1).await.ok_json()));
    }
    let mut calls = Vec::new();
    for (i, process) in running.iter().enumerate() {
        let close = json!({ "processid": process, "out": [i] });
        calls.push(env.call(&env.e1, "closesuccessfulmsg", close.clone()));
        if i % 4 == 0 {
            // The same close twice at once: one of them closes it.
            calls.push(env.call(&env.e1, "closesuccessfulmsg", close.clone()));
        }
        if i % 5 == 0 {
            // Not its executor.
            calls.push(env.call(&e3, "closesuccessfulmsg", close));
        }
    }
    let answers = join_all(calls).await;
    let accepted = answers.iter().filter(|a| a.reply.as_ref().is_some_and(|r| !r.error)).count();
    assert_eq!(accepted, 20, "each process closed exactly once");
    for answer in answers.iter().filter(|a| a.reply.as_ref().is_none_or(|r| r.error)) {
        assert!(matches!(answer.status, 400 | 403), "refused: {} {}", answer.status, answer.body);
    }
    for (i, process) in running.iter().enumerate() {
        let closed = env.get(&env.e1, process).await.ok_json();
        assert_eq!(closed["state"], 2, "{closed}");
        assert_eq!(closed["out"], json!([i]), "its own output");
    }
    let list = json!({ "colonyname": env.colony1, "executorname": env.e1_name });
    let functions = env.call(&env.e1, "getfunctionsmsg", list).await.ok_json();
    let f = &functions[0];
    assert_eq!(f["counter"], 20, "{functions}");
    for kind in ["wait", "exec"] {
        let number = |field: String| f[&field].as_f64().expect("a number");
        let (min, avg, max) = (
            number(format!("min{kind}time")),
            number(format!("avg{kind}time")),
            number(format!("max{kind}time")),
        );
        assert!(0.0 <= min && min <= avg && avg <= max, "{kind}: {min} {avg} {max}");
    }
}

/// Prepares every statement afresh (the statement source of a plain connection).
struct Plain;

impl colonies_worker::db::Statements for Plain {
    fn prepare(
        &self,
        client: &tokio_postgres::Client,
        sql: &str,
    ) -> impl Future<Output = Result<tokio_postgres::Statement, tokio_postgres::Error>> + Send {
        client.prepare(sql)
    }
}

/// Seconds between two wire times.
fn seconds(from: &serde_json::Value, to: &serde_json::Value) -> f64 {
    let at = |t: &serde_json::Value| {
        let text = t.as_str().expect("a time");
        colonies_core::time::Timestamp::parse(text)
            .ok()
            .and_then(|t| t.unix_nanos())
            .expect("an RFC 3339 time")
    };
    (at(to) - at(from)) as f64 / 1e9
}

/// Several runs of one function closed by one statement update its statistics as closing
/// them one after the other in the given order would: Go's running "average" folds each run
/// in as `(old + new) / 2`.
#[tokio::test]
async fn runs_closed_together_fold_into_the_statistics_in_order() {
    let Some(db) = support::database().await else { return };
    let env = Env::new().await;
    let function = json!({ "fun": {
        "colonyname": env.colony1, "executorname": env.e1_name, "funcname": "test_func" } });
    env.call(&env.e1, "addfunctionmsg", function).await.ok_json();
    // One run closed on its own first, so the batch folds into an existing average.
    let first = env.running().await;
    env.call(&env.e1, "closesuccessfulmsg", json!({ "processid": first })).await.ok_json();
    let mut running = Vec::new();
    for _ in 0..3 {
        running.push(env.running().await);
        tokio::time::sleep(core::time::Duration::from_millis(30)).await;
    }
    let caller = env.e1.id().to_hex();
    let closes: Vec<_> = running
        .iter()
        .map(|p| colonies_worker::store::processes::SuccessfulClose {
            process_id: p.clone(),
            caller: caller.clone(),
            output: None,
            nonce: None,
        })
        .collect();
    let closed = colonies_worker::store::processes::close_successful(&db, &Plain, &closes)
        .await
        .expect("the batch statement");
    assert!(closed.iter().all(|c| c.closed.is_some()), "all three closed");

    let (mut wait, mut exec) = (None::<f64>, None::<f64>);
    for p in core::iter::once(&first).chain(&running) {
        let process = env.get(&env.e1, p).await.ok_json();
        let w = seconds(&process["submissiontime"], &process["starttime"]);
        let x = seconds(&process["starttime"], &process["endtime"]);
        wait = Some(wait.map_or(w, |avg| (avg + w) / 2.0));
        exec = Some(exec.map_or(x, |avg| (avg + x) / 2.0));
    }
    let list = json!({ "colonyname": env.colony1, "executorname": env.e1_name });
    let functions = env.call(&env.e1, "getfunctionsmsg", list).await.ok_json();
    let f = &functions[0];
    assert_eq!(f["counter"], 4, "{functions}");
    for (field, expected) in [("avgwaittime", wait), ("avgexectime", exec)] {
        let (got, expected) = (f[field].as_f64().expect("a number"), expected.expect("runs"));
        assert!(
            (got - expected).abs() <= 1e-6 * expected.abs().max(1e-3),
            "{field}: {got} vs {expected}"
        );
    }
}
