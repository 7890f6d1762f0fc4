//! Executors: protocol §13 cases 13, 15–19 and the §12 executor security list.

use colonies_blackbox::{Client, executor_payload, key, new_colony, new_executor};
use serde_json::json;

// 13, 17
#[tokio::test]
async fn an_added_executor_is_pending_until_approved() {
    let client = Client::new();
    let (c1, colony) = new_colony(&client).await;
    let e1 = key();
    let added =
        client.call(&c1, "addexecutormsg", executor_payload(&e1, &colony, "e1")).await.ok_json();
    assert_eq!(added["state"], 0, "{added}");
    assert_eq!(added["executorid"], e1.id().to_hex());
    let get_colony = json!({ "colonyname": colony });
    client.call(&e1, "getcolonymsg", get_colony.clone()).await.assert_error(403);
    client
        .call(&c1, "approveexecutormsg", json!({ "colonyname": colony, "executorname": "e1" }))
        .await
        .ok_json();
    let got = client.call(&e1, "getcolonymsg", get_colony.clone()).await.ok_json();
    assert_eq!(got["name"], colony);
    client.call(&c1, "getcolonymsg", get_colony).await.assert_error(403);
    let me = client
        .call(&e1, "getexecutormsg", json!({ "colonyname": colony, "executorname": "e1" }))
        .await
        .ok_json();
    assert_eq!(me["state"], 1);
    let by_id = json!({ "colonyname": colony, "executorid": e1.id().to_hex() });
    assert_eq!(client.call(&e1, "getexecutorbyidmsg", by_id).await.ok_json()["executorname"], "e1");
}

// 15
#[tokio::test]
async fn a_pending_executor_may_list_executors() {
    let client = Client::new();
    let (c1, colony) = new_colony(&client).await;
    let (e1, name) = new_executor(&client, &c1, &colony, false).await;
    let list = client.call(&e1, "getexecutorsmsg", json!({ "colonyname": colony })).await.ok_json();
    assert_eq!(list[0]["executorname"], name, "{list}");
    client
        .call(&e1, "getexecutormsg", json!({ "colonyname": colony, "executorname": name }))
        .await
        .assert_error(403);
}

// 16, and the §12 list for add/approve/reject/list/get
#[tokio::test]
async fn only_the_colony_owner_registers_and_approves() {
    let client = Client::new();
    let (c1, colony1) = new_colony(&client).await;
    let (c2, colony2) = new_colony(&client).await;
    let (e1, _) = new_executor(&client, &c1, &colony1, true).await;
    let (e2, _) = new_executor(&client, &c2, &colony2, true).await;
    let e3 = key();
    client
        .call(&c2, "addexecutormsg", executor_payload(&e3, &colony1, "e3"))
        .await
        .assert_error(403);
    client
        .call(&e1, "addexecutormsg", executor_payload(&e3, &colony1, "e3"))
        .await
        .assert_error(403);
    client.call(&c1, "addexecutormsg", executor_payload(&e3, &colony1, "e3")).await.ok_json();
    let e3_in = |c: &str| json!({ "colonyname": c, "executorname": "e3" });
    client.call(&c2, "approveexecutormsg", e3_in(&colony2)).await.assert_error(404);
    client.call(&c2, "approveexecutormsg", e3_in(&colony1)).await.assert_error(403);
    client.call(&c2, "rejectexecutormsg", e3_in(&colony1)).await.assert_error(403);
    client.call(&c1, "rejectexecutormsg", e3_in(&colony1)).await.ok_json();
    client.call(&c1, "approveexecutormsg", e3_in(&colony1)).await.ok_json();
    let list = json!({ "colonyname": colony1 });
    for denied in [&e2, &c1, &c2] {
        client.call(denied, "getexecutorsmsg", list.clone()).await.assert_error(403);
        client.call(denied, "getexecutormsg", e3_in(&colony1)).await.assert_error(403);
    }
    assert_eq!(client.call(&e1, "getexecutormsg", e3_in(&colony1)).await.ok_json()["state"], 1);
    assert_eq!(
        client.call(&e3, "getexecutorsmsg", list).await.ok_json().as_array().map(Vec::len),
        Some(2)
    );
}

// 18
#[tokio::test]
async fn an_executor_name_is_taken_once() {
    let client = Client::new();
    let (c1, colony) = new_colony(&client).await;
    let (_, name) = new_executor(&client, &c1, &colony, true).await;
    client
        .call(&c1, "addexecutormsg", executor_payload(&key(), &colony, &name))
        .await
        .assert_error(400);
    client
        .call(&c1, "addexecutormsg", executor_payload(&key(), &colony, "a:b"))
        .await
        .assert_error(400);
}

// 19, and the §12 list for remove
#[tokio::test]
async fn a_removed_executor_stays_listed_as_unregistered() {
    let client = Client::new();
    let (c1, colony) = new_colony(&client).await;
    let (c2, _) = new_colony(&client).await;
    let (e1, _) = new_executor(&client, &c1, &colony, true).await;
    let (e3, e3_name) = new_executor(&client, &c1, &colony, true).await;
    let e3_in = json!({ "colonyname": colony, "executorname": e3_name });
    for denied in [&e3, &e1, &c2] {
        client.call(denied, "removeexecutormsg", e3_in.clone()).await.assert_error(403);
    }
    client.call(&c1, "removeexecutormsg", e3_in.clone()).await.ok_json();
    client.call(&e3, "getexecutorsmsg", json!({ "colonyname": colony })).await.assert_error(403);
    let list = client.call(&e1, "getexecutorsmsg", json!({ "colonyname": colony })).await.ok_json();
    let e3_row =
        list.as_array().and_then(|l| l.iter().find(|e| e["executorname"] == e3_name.as_str()));
    assert_eq!(e3_row.map(|e| e["state"].clone()), Some(json!(3)), "{list}");
    // Removed stays removed.
    client.call(&c1, "approveexecutormsg", e3_in).await.assert_error(404);
}

// §12 ReportAllocation / UpdateExecutor: only the executor itself
#[tokio::test]
async fn an_executor_updates_only_itself() {
    let client = Client::new();
    let (c1, colony) = new_colony(&client).await;
    let (c2, colony2) = new_colony(&client).await;
    let (e1, e1_name) = new_executor(&client, &c1, &colony, true).await;
    let (e2, _) = new_executor(&client, &c2, &colony2, true).await;
    let (e3, _) = new_executor(&client, &c1, &colony, true).await;
    let report = json!({ "colonyname": colony, "executorname": e1_name,
        "allocations": { "projects": { "p": { "allocatedcpu": 2, "usedcpu": 1 } } } });
    for denied in [&c1, &c2, &e2, &e3] {
        client.call(denied, "reportallocationmsg", report.clone()).await.assert_error(403);
    }
    client.call(&e1, "reportallocationmsg", report).await.ok_json();
    let update = json!({ "colonyname": colony, "executorname": e1_name,
        "capabilities": { "hardware": [{ "model": "m", "cores": 4 }], "software": [] } });
    client.call(&e3, "updateexecutormsg", update.clone()).await.assert_error(403);
    client.call(&e1, "updateexecutormsg", update).await.ok_json();
    let me = client
        .call(&e1, "getexecutormsg", json!({ "colonyname": colony, "executorname": e1_name }))
        .await
        .ok_json();
    assert_eq!(me["allocations"]["projects"]["p"]["allocatedcpu"], 2, "{me}");
    assert_eq!(me["capabilities"]["hardware"][0]["model"], "m", "{me}");
}
