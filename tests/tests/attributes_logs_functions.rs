//! Attributes, logs and functions: protocol §13 cases 51, 53, 56 and the §12 security lists of
//! AddAttribute/GetAttribute, AddLog/GetLogs/SearchLogs, AddFunction/GetFunctions/RemoveFunction.

mod support;

use serde_json::{Value, json};
use support::Env;

fn attribute(process: &str, key: &str, kind: i64) -> Value {
    json!({ "attribute": { "targetid": process, "key": key, "value": "v", "attributetype": kind } })
}

// 51, §12 AddAttribute / GetAttribute
#[tokio::test]
async fn the_assigned_executor_adds_attributes() {
    let env = Env::new().await;
    let p = env.running().await;
    let (e3, _) = env.executor3().await;
    for outsider in [&env.e2, &e3, &env.c1] {
        env.call(outsider, "addattributemsg", attribute(&p, "k", 1)).await.assert_error(403);
    }
    let added = env.call(&env.e1, "addattributemsg", attribute(&p, "k", 1)).await.ok_json();
    let expected = colonies_core::Id::hash_of(&format!("{p}k1")).to_hex();
    assert_eq!(added["attributeid"], expected);
    assert_eq!(added["targetcolonyname"], env.colony1);
    assert_eq!(added["state"], 1);
    // The same key and type again: same ID, refused.
    env.call(&env.e1, "addattributemsg", attribute(&p, "k", 1)).await.assert_error(400);
    env.call(&env.e1, "addattributemsg", attribute(&p, "k", 2)).await.ok_json();
    let got = env.get(&env.e1, &p).await.ok_json();
    let ids: Vec<&Value> = got["attributes"].as_array().expect("a list").iter().collect();
    assert!(ids.iter().any(|a| a["attributeid"] == expected), "{got}");
    let get = json!({ "attributeid": expected });
    for outsider in [&env.e2, &env.c1, &env.c2] {
        env.call(outsider, "getattributemsg", get.clone()).await.assert_error(403);
    }
    let fetched = env.call(&env.e1, "getattributemsg", get).await.ok_json();
    assert_eq!(fetched, added);
    let unknown = json!({ "attributeid": "0".repeat(64) });
    env.call(&env.e1, "getattributemsg", unknown).await.assert_error(404);
    // Not running any more: 403.
    env.call(&env.e1, "closesuccessfulmsg", json!({ "processid": p })).await.ok_json();
    env.call(&env.e1, "addattributemsg", attribute(&p, "late", 1)).await.assert_error(403);
}

// 53, §12 AddLog / GetLogs / SearchLogs
#[tokio::test]
async fn process_logs() {
    let env = Env::new().await;
    let p = env.running().await;
    let log = |text: &str| json!({ "processid": p, "message": text });
    for outsider in [&env.e2, &env.c1, &env.c2] {
        env.call(outsider, "addlogmsg", log("nope")).await.assert_error(403);
    }
    env.call(&env.e1, "addlogmsg", log("hello")).await.ok_json();
    env.call(&env.e1, "addlogmsg", log("hello again")).await.ok_json();
    let get = |count: i64| json!({ "colonyname": env.colony1, "processid": p, "count": count });
    let logs = env.call(&env.e1, "getlogsmsg", get(100)).await.ok_json();
    let logs = logs.as_array().expect("a list").clone();
    assert_eq!(logs.len(), 2);
    assert_eq!(logs[0]["message"], "hello");
    assert_eq!(logs[1]["message"], "hello again");
    assert_eq!(logs[0]["executorname"], env.e1_name);
    assert_eq!(logs[0]["processid"], p);
    assert!(logs[0]["timestamp"].as_i64() < logs[1]["timestamp"].as_i64());
    env.call(&env.e1, "getlogsmsg", get(501)).await.assert_error(403);
    for outsider in [&env.e2, &env.c1, &env.c2] {
        env.call(outsider, "getlogsmsg", get(10)).await.assert_error(403);
    }
    // latest: the newest first; since: only later lines.
    let mut latest = get(1);
    latest["latest"] = json!(true);
    let newest = env.call(&env.e1, "getlogsmsg", latest).await.ok_json();
    assert_eq!(newest[0]["message"], "hello again");
    let mut since = get(10);
    since["since"] = logs[0]["timestamp"].clone();
    let later = env.call(&env.e1, "getlogsmsg", since).await.ok_json();
    assert_eq!(later.as_array().map(Vec::len), Some(1));
    // By executor.
    let by_executor =
        json!({ "colonyname": env.colony1, "executorname": env.e1_name, "count": 10 });
    let mine = env.call(&env.e1, "getlogsmsg", by_executor).await.ok_json();
    assert_eq!(mine.as_array().map(Vec::len), Some(2));
    // Search.
    let search =
        |text: &str| json!({ "colonyname": env.colony1, "text": text, "days": 1, "count": 10 });
    let found = env.call(&env.e1, "searchlogsmsg", search("again")).await.ok_json();
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{found}");
    let none = env.call(&env.e1, "searchlogsmsg", search("%")).await.ok_json();
    assert!(none.as_array().is_none_or(Vec::is_empty), "{none}");
    for outsider in [&env.e2, &env.c1, &env.c2] {
        env.call(outsider, "searchlogsmsg", search("hello")).await.assert_error(403);
    }
    let too_far = json!({ "colonyname": env.colony1, "text": "x", "days": 31, "count": 10 });
    env.call(&env.e1, "searchlogsmsg", too_far).await.assert_error(400);
    let too_many = json!({ "colonyname": env.colony1, "text": "x", "days": 1, "count": 101 });
    env.call(&env.e1, "searchlogsmsg", too_many).await.assert_error(400);
    // Only a running process takes logs.
    env.call(&env.e1, "closesuccessfulmsg", json!({ "processid": p })).await.ok_json();
    env.call(&env.e1, "addlogmsg", log("late")).await.assert_error(403);
}

#[tokio::test]
async fn executor_logs() {
    let env = Env::new().await;
    let own = json!({ "colonyname": env.colony1, "executorname": env.e1_name, "message": "up" });
    env.call(&env.e1, "addexecutorlogmsg", own.clone()).await.ok_json();
    let (e3, _) = env.executor3().await;
    for other in [&e3, &env.e2, &env.c1] {
        env.call(other, "addexecutorlogmsg", own.clone()).await.assert_error(403);
    }
    let get = json!({ "colonyname": env.colony1, "executorname": env.e1_name, "count": 10 });
    let logs = env.call(&e3, "getlogsmsg", get).await.ok_json();
    assert_eq!(logs[0]["message"], "up");
    assert_eq!(logs[0]["processid"], "");
}

fn function(colony: &str, executor: &str, name: &str) -> Value {
    json!({ "fun": { "colonyname": colony, "executorname": executor, "funcname": name } })
}

// 56, §12 AddFunction / GetFunctions / RemoveFunction
#[tokio::test]
async fn functions_and_their_statistics() {
    let env = Env::new().await;
    let (e3, e3_name) = env.executor3().await;
    let mine = function(&env.colony1, &env.e1_name, "test_func");
    for (who, what) in [
        (&env.e2, mine.clone()),
        (&env.c1, mine.clone()),
        (&env.c2, mine.clone()),
        (&e3, mine.clone()),
        (&env.e1, function(&env.colony1, &e3_name, "test_func")),
    ] {
        env.call(who, "addfunctionmsg", what).await.assert_error(403);
    }
    let added = env.call(&env.e1, "addfunctionmsg", mine.clone()).await.ok_json();
    assert_eq!(added["counter"], 0);
    assert_eq!(added["executortype"], support::TYPE);
    assert_eq!(added["functionid"].as_str().map(str::len), Some(64));
    env.call(&env.e1, "addfunctionmsg", mine).await.assert_error(400);

    let list = json!({ "colonyname": env.colony1, "executorname": "" });
    for outsider in [&env.e2, &env.c1, &env.c2] {
        env.call(outsider, "getfunctionsmsg", list.clone()).await.assert_error(403);
    }
    let functions = env.call(&env.e1, "getfunctionsmsg", list.clone()).await.ok_json();
    assert_eq!(functions.as_array().map(Vec::len), Some(1));
    assert_eq!(functions[0]["funcname"], "test_func");

    // A successful close of a "test_func" process by e1 counts.
    let p = env.running().await;
    env.call(&env.e1, "closesuccessfulmsg", json!({ "processid": p })).await.ok_json();
    let functions = env.call(&env.e1, "getfunctionsmsg", list.clone()).await.ok_json();
    assert_eq!(functions[0]["counter"], 1, "{functions}");
    assert!(functions[0]["maxexectime"].as_f64().is_some_and(|t| t >= 0.0));
    // A failed one does not.
    let q = env.running().await;
    env.call(&env.e1, "closefailedmsg", json!({ "processid": q, "errors": [] })).await.ok_json();
    let functions = env.call(&env.e1, "getfunctionsmsg", list.clone()).await.ok_json();
    assert_eq!(functions[0]["counter"], 1);

    let remove = json!({ "functionid": added["functionid"] });
    for outsider in [&env.e2, &env.c1, &env.c2, &e3] {
        env.call(outsider, "removefunctionmsg", remove.clone()).await.assert_error(403);
    }
    env.call(&env.e1, "removefunctionmsg", json!({ "functionid": "" })).await.assert_error(400);
    let unknown = json!({ "functionid": "0".repeat(64) });
    env.call(&env.e1, "removefunctionmsg", unknown).await.assert_error(404);
    env.call(&env.e1, "removefunctionmsg", remove.clone()).await.ok_json();
    env.call(&env.e1, "removefunctionmsg", remove).await.assert_error(404);
    let functions = env.call(&env.e1, "getfunctionsmsg", list).await.ok_json();
    assert!(functions.as_array().is_none_or(Vec::is_empty), "{functions}");
}
