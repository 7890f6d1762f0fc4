//! Blueprints (protocol §4.17): definitions (colony owner), blueprints (members and owner),
//! schema validation, generations, history, status, the §12 security list and isolation.

use colonies_blackbox::{Client, key, new_colony, new_executor, unique};
use colonies_core::PrivateKey;
use serde_json::{Value, json};

struct Env {
    client: Client,
    c1: PrivateKey,
    colony1: String,
    c2: PrivateKey,
    colony2: String,
    e1: PrivateKey,
    e2: PrivateKey,
    e3: PrivateKey,
}

async fn env() -> Env {
    let client = Client::new();
    let (c1, colony1) = new_colony(&client).await;
    let (c2, colony2) = new_colony(&client).await;
    let (e1, _) = new_executor(&client, &c1, &colony1, true).await;
    let (e2, _) = new_executor(&client, &c2, &colony2, true).await;
    let (e3, _) = new_executor(&client, &c1, &colony1, false).await;
    Env { client, c1, colony1, c2, colony2, e1, e2, e3 }
}

fn definition(colony: &str, name: &str, kind: &str) -> Value {
    json!({ "blueprintdefinition": {
        "kind": "BlueprintDefinition",
        "metadata": { "name": name, "colonyname": colony },
        "spec": {
            "group": "compute.colonies.io", "version": "v1",
            "names": { "kind": kind, "listKind": format!("{kind}List"),
                       "singular": "deployment", "plural": "deployments" },
            "scope": "Namespaced",
            "schema": { "type": "object",
                        "properties": { "image": { "type": "string" },
                                        "replicas": { "type": "integer" } },
                        "required": ["image"] },
            "handler": { "executorType": "reconciler", "functionName": "reconcile" }
        }
    } })
}

fn blueprint(colony: &str, name: &str, kind: &str, spec: Value) -> Value {
    json!({ "blueprint": {
        "kind": kind,
        "metadata": { "name": name, "colonyname": colony, "locationname": "dc1" },
        "spec": spec
    } })
}

/// A list reply as a vector (`null` is Go's empty list).
fn list(value: Value) -> Vec<Value> {
    match value {
        Value::Null => Vec::new(),
        Value::Array(items) => items,
        other => panic!("not a list: {other}"),
    }
}

#[tokio::test]
async fn definitions_belong_to_the_colony_owner() {
    let Env { client, c1, colony1, c2, colony2, e1, e2, e3 } = env().await;
    let (name, kind) = (unique("def"), unique("Kind"));
    let add = definition(&colony1, &name, &kind);
    let outsider = key();
    for denied in [&e1, &e2, &c2, &e3, &outsider] {
        client.call(denied, "addblueprintdefinitionmsg", add.clone()).await.assert_error(403);
    }
    let added = client.call(&c1, "addblueprintdefinitionmsg", add.clone()).await.ok_json();
    let id = &added["blueprintdefinitionid"];
    assert!(id.as_str().is_some_and(|s| s.len() == 64), "{added}");
    assert_eq!(added["spec"]["names"]["kind"], kind.as_str());
    assert_eq!(added["spec"]["handler"]["executorType"], "reconciler");
    // Name and kind are unique in the colony.
    client.call(&c1, "addblueprintdefinitionmsg", add).await.assert_error(409);
    let same_kind = definition(&colony1, &unique("def"), &kind);
    client.call(&c1, "addblueprintdefinitionmsg", same_kind).await.assert_error(409);
    // C2 owns colony 2, not colony 1; the same names are free there.
    client
        .call(&c2, "addblueprintdefinitionmsg", definition(&colony2, &name, &kind))
        .await
        .ok_json();

    let get = json!({ "colonyname": colony1, "name": name });
    let all = json!({ "colonyname": colony1 });
    for allowed in [&e1, &c1] {
        assert_eq!(
            client.call(allowed, "getblueprintdefinitionmsg", get.clone()).await.ok_json(),
            added
        );
        let listed = client.call(allowed, "getblueprintdefinitionsmsg", all.clone()).await;
        assert_eq!(list(listed.ok_json()), vec![added.clone()]);
    }
    for denied in [&e2, &c2, &e3, &outsider] {
        client.call(denied, "getblueprintdefinitionmsg", get.clone()).await.assert_error(403);
        client.call(denied, "getblueprintdefinitionsmsg", all.clone()).await.assert_error(403);
    }
    let unknown = json!({ "colonyname": colony1, "name": "nope" });
    client.call(&e1, "getblueprintdefinitionmsg", unknown).await.assert_error(404);

    let remove = json!({ "namespace": colony1, "name": name });
    for denied in [&e1, &e2, &c2, &outsider] {
        client.call(denied, "removeblueprintdefinitionmsg", remove.clone()).await.assert_error(403);
    }
    client.call(&c1, "removeblueprintdefinitionmsg", remove.clone()).await.ok_json();
    client.call(&c1, "removeblueprintdefinitionmsg", remove).await.assert_error(404);
    // Colony 2's definition of the same name is untouched.
    let get2 = json!({ "colonyname": colony2, "name": name });
    client.call(&c2, "getblueprintdefinitionmsg", get2).await.ok_json();
}

#[tokio::test]
async fn bad_definitions_are_refused() {
    let Env { client, c1, colony1, .. } = env().await;
    let mut colon = definition(&colony1, "a:b", &unique("Kind"));
    client.call(&c1, "addblueprintdefinitionmsg", colon.clone()).await.assert_error(400);
    colon["blueprintdefinition"]["metadata"]["name"] = json!(unique("def"));
    colon["blueprintdefinition"]["spec"]["names"]["kind"] = json!("");
    client.call(&c1, "addblueprintdefinitionmsg", colon.clone()).await.assert_error(400);
    colon["blueprintdefinition"]["spec"]["names"]["kind"] = json!(unique("Kind"));
    colon["blueprintdefinition"]["spec"]["schema"] = json!({ "type": "thing" });
    client.call(&c1, "addblueprintdefinitionmsg", colon).await.assert_error(400);
    let listed = client.call(&c1, "getblueprintdefinitionsmsg", json!({ "colonyname": colony1 }));
    assert!(list(listed.await.ok_json()).is_empty());
}

#[tokio::test]
async fn blueprints_are_validated_versioned_and_recorded() {
    let Env { client, c1, colony1, e1, .. } = env().await;
    let (def, kind) = (unique("def"), unique("Kind"));
    client
        .call(&c1, "addblueprintdefinitionmsg", definition(&colony1, &def, &kind))
        .await
        .ok_json();
    let name = unique("bp");
    let spec = json!({ "image": "nginx", "replicas": 2 });

    // Unknown kind, and specs that do not fit the schema: 400, nothing stored.
    let unknown = blueprint(&colony1, &name, "NoSuchKind", spec.clone());
    client.call(&e1, "addblueprintmsg", unknown).await.assert_error(400);
    for bad in
        [json!({ "replicas": 2 }), json!({ "image": 5 }), json!({ "image": "x", "replicas": "2" })]
    {
        client
            .call(&e1, "addblueprintmsg", blueprint(&colony1, &name, &kind, bad))
            .await
            .assert_error(400);
    }
    let get = json!({ "namespace": colony1, "name": name });
    client.call(&e1, "getblueprintmsg", get.clone()).await.assert_error(404);

    let added =
        client.call(&e1, "addblueprintmsg", blueprint(&colony1, &name, &kind, spec.clone()));
    let added = added.await.ok_json();
    let id = added["blueprintid"].clone();
    assert!(id.as_str().is_some_and(|s| s.len() == 64), "{added}");
    assert_eq!(added["metadata"]["generation"], 1);
    assert_eq!(added["spec"], spec);
    assert!(added["metadata"]["createdAt"].is_string(), "{added}");
    assert_eq!(client.call(&e1, "getblueprintmsg", get.clone()).await.ok_json(), added);
    // The name is unique in the colony: 409.
    let again = blueprint(&colony1, &name, &kind, spec.clone());
    client.call(&e1, "addblueprintmsg", again).await.assert_error(409);
    // Its location was created on demand.
    let location = json!({ "colonyname": colony1, "name": "dc1" });
    client.call(&e1, "getlocationmsg", location).await.ok_json();

    // The same spec keeps the generation; a new spec or a forced bump raises it.
    let update = |spec: Value, force: bool| {
        let mut payload = blueprint(&colony1, &name, &kind, spec);
        payload["forcegeneration"] = json!(force);
        payload
    };
    let same = client.call(&e1, "updateblueprintmsg", update(spec.clone(), false)).await.ok_json();
    assert_eq!(
        (same["metadata"]["generation"].clone(), same["blueprintid"].clone()),
        (json!(1), id.clone())
    );
    let spec2 = json!({ "image": "nginx", "replicas": 3 });
    let changed =
        client.call(&c1, "updateblueprintmsg", update(spec2.clone(), false)).await.ok_json();
    assert_eq!(changed["metadata"]["generation"], 2);
    assert_eq!(changed["metadata"]["createdAt"], added["metadata"]["createdAt"]);
    let forced =
        client.call(&e1, "updateblueprintmsg", update(spec2.clone(), true)).await.ok_json();
    assert_eq!(forced["metadata"]["generation"], 3);
    let invalid = update(json!({ "replicas": 1 }), false);
    client.call(&e1, "updateblueprintmsg", invalid).await.assert_error(400);
    let missing = blueprint(&colony1, &unique("bp"), &kind, spec.clone());
    client.call(&e1, "updateblueprintmsg", missing).await.assert_error(404);

    // A reconciler reports status; it is kept by later spec updates that carry none.
    let status = json!({ "colonyname": colony1, "blueprintname": name, "status": { "ready": 3 } });
    client.call(&e1, "updateblueprintstatusmsg", status.clone()).await.ok_json();
    // Status reports are for approved members only (not the owner, as in Go).
    client.call(&c1, "updateblueprintstatusmsg", status).await.assert_error(403);
    let got = client.call(&e1, "getblueprintmsg", get.clone()).await.ok_json();
    assert_eq!(got["status"], json!({ "ready": 3 }));
    assert_eq!(got["metadata"]["generation"], 3);
    let unknown_status = json!({ "colonyname": colony1, "blueprintname": "nope", "status": {} });
    client.call(&e1, "updateblueprintstatusmsg", unknown_status).await.assert_error(404);

    // Listing by kind and location.
    let other_kind = unique("Kind");
    client
        .call(&c1, "addblueprintdefinitionmsg", definition(&colony1, &unique("def"), &other_kind))
        .await
        .ok_json();
    let other = blueprint(&colony1, &unique("bp"), &other_kind, json!({ "image": "x" }));
    client.call(&c1, "addblueprintmsg", other).await.ok_json();
    let names = |payload: Value| {
        let (client, e1) = (&client, &e1);
        async move {
            let reply = client.call(e1, "getblueprintsmsg", payload).await.ok_json();
            list(reply).iter().map(|b| b["metadata"]["name"].clone()).collect::<Vec<_>>()
        }
    };
    assert_eq!(names(json!({ "namespace": colony1 })).await.len(), 2);
    assert_eq!(names(json!({ "namespace": colony1, "kind": kind })).await, vec![json!(name)]);
    let elsewhere = json!({ "namespace": colony1, "kind": kind, "locationname": "dc2" });
    assert!(names(elsewhere).await.is_empty());

    // The definition cannot go while blueprints of its kind exist.
    let remove_def = json!({ "namespace": colony1, "name": def });
    client.call(&c1, "removeblueprintdefinitionmsg", remove_def.clone()).await.assert_error(409);
    let remove = json!({ "namespace": colony1, "name": name });
    assert_eq!(client.call(&e1, "removeblueprintmsg", remove.clone()).await.ok_json(), json!({}));
    client.call(&e1, "removeblueprintmsg", remove).await.assert_error(404);
    client.call(&c1, "removeblueprintdefinitionmsg", remove_def).await.ok_json();

    // History: create, two updates (the unchanged one is not recorded), delete; newest first,
    // still readable after removal.
    let history = json!({ "blueprintid": id, "limit": 0 });
    let entries = list(client.call(&e1, "getblueprinthistorymsg", history).await.ok_json());
    let summary: Vec<(Value, Value)> =
        entries.iter().map(|h| (h["changetype"].clone(), h["generation"].clone())).collect();
    assert_eq!(
        summary,
        vec![
            (json!("delete"), json!(3)),
            (json!("update"), json!(3)),
            (json!("update"), json!(2)),
            (json!("create"), json!(1)),
        ]
    );
    assert_eq!(entries[2]["spec"], spec2);
    assert_eq!(entries[2]["changedby"], c1.id().to_hex());
    assert_eq!(entries[3]["changedby"], e1.id().to_hex());
    assert_eq!(entries[3]["namespace"], colony1.as_str());
    let latest = json!({ "blueprintid": id, "limit": 1 });
    assert_eq!(list(client.call(&c1, "getblueprinthistorymsg", latest).await.ok_json()).len(), 1);
    let unknown = json!({ "blueprintid": key().id().to_hex() });
    client.call(&e1, "getblueprinthistorymsg", unknown).await.assert_error(404);
}

#[tokio::test]
async fn blueprints_follow_the_security_list() {
    let Env { client, c1, colony1, c2, colony2, e1, e2, e3 } = env().await;
    let kind = unique("Kind");
    client
        .call(&c1, "addblueprintdefinitionmsg", definition(&colony1, &unique("def"), &kind))
        .await
        .ok_json();
    let name = unique("bp");
    let add = blueprint(&colony1, &name, &kind, json!({ "image": "a" }));
    let outsider = key();
    for denied in [&e2, &c2, &e3, &outsider] {
        client.call(denied, "addblueprintmsg", add.clone()).await.assert_error(403);
    }
    let added = client.call(&e1, "addblueprintmsg", add.clone()).await.ok_json();
    let get = json!({ "namespace": colony1, "name": name });
    let all = json!({ "namespace": colony1 });
    let mut update = blueprint(&colony1, &name, &kind, json!({ "image": "b" }));
    update["forcegeneration"] = json!(false);
    let status = json!({ "colonyname": colony1, "blueprintname": name, "status": { "x": 1 } });
    let history = json!({ "blueprintid": added["blueprintid"] });
    for denied in [&e2, &c2, &e3, &outsider] {
        client.call(denied, "getblueprintmsg", get.clone()).await.assert_error(403);
        client.call(denied, "getblueprintsmsg", all.clone()).await.assert_error(403);
        client.call(denied, "updateblueprintmsg", update.clone()).await.assert_error(403);
        client.call(denied, "updateblueprintstatusmsg", status.clone()).await.assert_error(403);
        client.call(denied, "getblueprinthistorymsg", history.clone()).await.assert_error(403);
        client.call(denied, "removeblueprintmsg", get.clone()).await.assert_error(403);
    }
    // Through their own colony, colony 2's members reach nothing of colony 1.
    let own = json!({ "namespace": colony2, "name": name });
    client.call(&e2, "getblueprintmsg", own.clone()).await.assert_error(404);
    client.call(&e2, "removeblueprintmsg", own).await.assert_error(404);
    assert!(
        list(client.call(&e2, "getblueprintsmsg", json!({ "namespace": colony2 })).await.ok_json())
            .is_empty()
    );
    let mut elsewhere = update.clone();
    elsewhere["blueprint"]["metadata"]["colonyname"] = json!(colony2);
    client.call(&e2, "updateblueprintmsg", elsewhere).await.assert_error(404);
    // E1 naming colony 2 is not a member there.
    client.call(&e1, "getblueprintsmsg", json!({ "namespace": colony2 })).await.assert_error(403);

    // Members and the owner may do everything with blueprints.
    for allowed in [&e1, &c1] {
        assert_eq!(
            client.call(allowed, "getblueprintmsg", get.clone()).await.ok_json()["blueprintid"],
            added["blueprintid"]
        );
        client.call(allowed, "getblueprintsmsg", all.clone()).await.ok_json();
        client.call(allowed, "updateblueprintmsg", update.clone()).await.ok_json();
        client.call(allowed, "getblueprinthistorymsg", history.clone()).await.ok_json();
    }
    client.call(&c1, "removeblueprintmsg", get.clone()).await.ok_json();
    client.call(&e1, "getblueprintmsg", get).await.assert_error(404);
}

#[tokio::test]
async fn reconciling_submits_a_process_to_the_kinds_reconciler() {
    let Env { client, c1, colony1, c2, e1, e2, e3, .. } = env().await;
    let kind = unique("Kind");
    let def = definition(&colony1, &unique("def"), &kind);
    client.call(&c1, "addblueprintdefinitionmsg", def).await.ok_json();
    let name = unique("bp");
    let add = blueprint(&colony1, &name, &kind, json!({ "image": "a" }));
    client.call(&e1, "addblueprintmsg", add).await.ok_json();
    let reconcile = json!({ "namespace": colony1, "name": name, "force": false });
    for denied in [&c1, &c2, &e2, &e3, &key()] {
        client.call(denied, "reconcileblueprintmsg", reconcile.clone()).await.assert_error(403);
    }
    let process = client.call(&e1, "reconcileblueprintmsg", reconcile).await.ok_json();
    assert_eq!(process["state"], 0, "{process}");
    assert_eq!(process["initiatorid"], e1.id().to_hex());
    assert_eq!(process["spec"]["funcname"], "reconcile");
    assert_eq!(process["spec"]["conditions"]["colonyname"], colony1.as_str());
    assert_eq!(process["spec"]["conditions"]["executortype"], "reconciler");
    assert_eq!(process["spec"]["kwargs"], json!({ "kind": kind, "blueprintName": name }));
    let get = json!({ "namespace": colony1, "name": name });
    let got = client.call(&e1, "getblueprintmsg", get.clone()).await.ok_json();
    assert_eq!(got["metadata"]["lastReconciliationProcess"], process["processid"]);
    assert_eq!(got["metadata"]["generation"], 1);
    // The process is a real one: the colony's members see it.
    let by_id = json!({ "processid": process["processid"] });
    client.call(&e1, "getprocessmsg", by_id).await.ok_json();

    let forced = json!({ "namespace": colony1, "name": name, "force": true });
    let process = client.call(&e1, "reconcileblueprintmsg", forced).await.ok_json();
    assert_eq!(process["spec"]["kwargs"]["force"], true);
    let got = client.call(&e1, "getblueprintmsg", get).await.ok_json();
    assert_eq!(got["metadata"]["generation"], 2);

    let unknown = json!({ "namespace": colony1, "name": "nope", "force": false });
    client.call(&e1, "reconcileblueprintmsg", unknown).await.assert_error(404);
    // A kind without a reconciler cannot be reconciled.
    let bare_kind = unique("Kind");
    let mut bare = definition(&colony1, &unique("def"), &bare_kind);
    bare["blueprintdefinition"]["spec"]["handler"] = json!({});
    client.call(&c1, "addblueprintdefinitionmsg", bare).await.ok_json();
    let bare_name = unique("bp");
    let add = blueprint(&colony1, &bare_name, &bare_kind, json!({ "image": "a" }));
    client.call(&e1, "addblueprintmsg", add).await.ok_json();
    let reconcile = json!({ "namespace": colony1, "name": bare_name, "force": false });
    client.call(&e1, "reconcileblueprintmsg", reconcile).await.assert_error(400);
}
