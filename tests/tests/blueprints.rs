//! Blueprints (protocol §4.17): definitions (colony owner), blueprints (members and owner),
//! schema validation, generations, history, status, the §12 security list and isolation, and
//! what blueprint changes submit and create for the kind's handler (reconcile and cleanup
//! processes, the reconcile cron).

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
    e1_name: String,
    e2: PrivateKey,
    e3: PrivateKey,
}

async fn env() -> Env {
    let client = Client::new();
    let (c1, colony1) = new_colony(&client).await;
    let (c2, colony2) = new_colony(&client).await;
    let (e1, e1_name) = new_executor(&client, &c1, &colony1, true).await;
    let (e2, _) = new_executor(&client, &c2, &colony2, true).await;
    let (e3, _) = new_executor(&client, &c1, &colony1, false).await;
    Env { client, c1, colony1, c2, colony2, e1, e1_name, e2, e3 }
}

/// The handler function of [`definition`]'s kinds (not "reconcile": Go calls it by name).
const HANDLER_FUNCTION: &str = "reconcile-deployment";

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
            "handler": { "executorType": "reconciler", "functionName": HANDLER_FUNCTION }
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

/// The WAITING processes of `colony`, as `key` lists them.
async fn waiting(client: &Client, key: &PrivateKey, colony: &str) -> Vec<Value> {
    let all = json!({ "colonyname": colony, "count": 100, "state": 0 });
    list(client.call(key, "getprocessesmsg", all).await.ok_json())
}

/// The crons of `colony`, as `key` lists them.
async fn crons(client: &Client, key: &PrivateKey, colony: &str) -> Vec<Value> {
    let all = json!({ "colonyname": colony, "count": 100 });
    list(client.call(key, "getcronsmsg", all).await.ok_json())
}

/// The waiting processes of `funcname` for the blueprint `name`.
fn for_blueprint<'a>(processes: &'a [Value], funcname: &str, name: &str) -> Vec<&'a Value> {
    processes
        .iter()
        .filter(|p| {
            p["spec"]["funcname"] == funcname && p["spec"]["kwargs"]["blueprintName"] == name
        })
        .collect()
}

#[tokio::test]
async fn definitions_belong_to_the_colony_owner() {
    let Env { client, c1, colony1, c2, colony2, e1, e2, e3, .. } = env().await;
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
    let Env { client, c1, colony1, c2, colony2, e1, e2, e3, .. } = env().await;
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
    // Go's spec: the handler's function, node "<executorType>-<functionName>", at the
    // blueprint's location, from an empty spec (maxwaittime 0, maxexectime/maxretries -1).
    assert_eq!(process["spec"]["funcname"], HANDLER_FUNCTION);
    assert_eq!(process["spec"]["nodename"], format!("reconciler-{HANDLER_FUNCTION}"));
    assert_eq!(process["spec"]["conditions"]["colonyname"], colony1.as_str());
    assert_eq!(process["spec"]["conditions"]["executortype"], "reconciler");
    assert_eq!(process["spec"]["conditions"]["locationname"], "dc1");
    assert_eq!(process["spec"]["kwargs"], json!({ "kind": kind, "blueprintName": name }));
    assert_eq!(
        (&process["spec"]["maxwaittime"], &process["spec"]["maxexectime"]),
        (&json!(0), &json!(-1))
    );
    assert_eq!(
        (&process["spec"]["maxretries"], &process["spec"]["args"]),
        (&json!(-1), &json!([]))
    );
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
    // Nor one whose handler names no function (Go: 400 as well); nothing is submitted.
    let unnamed_kind = unique("Kind");
    let mut unnamed = definition(&colony1, &unique("def"), &unnamed_kind);
    unnamed["blueprintdefinition"]["spec"]["handler"] = json!({ "executorType": "reconciler" });
    client.call(&c1, "addblueprintdefinitionmsg", unnamed).await.ok_json();
    let unnamed_name = unique("bp");
    let add = blueprint(&colony1, &unnamed_name, &unnamed_kind, json!({ "image": "a" }));
    client.call(&e1, "addblueprintmsg", add).await.ok_json();
    let before = waiting(&client, &e1, &colony1).await.len();
    let reconcile = json!({ "namespace": colony1, "name": unnamed_name, "force": true });
    let refused = client.call(&e1, "reconcileblueprintmsg", reconcile).await;
    assert_eq!(
        refused.assert_error(400).message,
        "Blueprint has no handler with function name defined"
    );
    assert_eq!(waiting(&client, &e1, &colony1).await.len(), before);
}

#[tokio::test]
async fn blueprint_changes_drive_the_kinds_handler() {
    let Env { client, c1, colony1, e1, e1_name, .. } = env().await;
    let kind = unique("Kind");
    // The handler runs on E1's type, so E1 can take what is submitted without a location.
    let mut def = definition(&colony1, &unique("def"), &kind);
    def["blueprintdefinition"]["spec"]["handler"]["executorType"] = json!("test_executor_type");
    client.call(&c1, "addblueprintdefinitionmsg", def).await.ok_json();
    let (web, db, edge) = (unique("bp"), unique("bp"), unique("bp"));

    // Adding: the kind's reconcile cron for the location, and a reconcile process at once.
    client
        .call(&e1, "addblueprintmsg", blueprint(&colony1, &web, &kind, json!({ "image": "a" })))
        .await
        .ok_json();
    let listed = crons(&client, &e1, &colony1).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    let cron = &listed[0];
    assert_eq!(cron["name"], format!("reconcile-{kind}-dc1"));
    assert_eq!((&cron["interval"], &cron["waitforprevprocessgraph"]), (&json!(60), &json!(true)));
    assert_eq!(
        (&cron["initiatorid"], &cron["initiatorname"]),
        (&json!(e1.id().to_hex()), &json!(e1_name))
    );
    let workflow: Value =
        serde_json::from_str(cron["workflowspec"].as_str().expect("a workflow")).expect("JSON");
    assert_eq!(workflow["colonyname"], colony1.as_str());
    let specs = workflow["functionspecs"].as_array().expect("function specs");
    assert_eq!(specs.len(), 1);
    assert_eq!(specs[0]["funcname"], HANDLER_FUNCTION);
    assert_eq!(specs[0]["nodename"], format!("test_executor_type-{HANDLER_FUNCTION}"));
    assert_eq!(specs[0]["kwargs"], json!({ "kind": kind }));
    assert_eq!(specs[0]["conditions"]["executortype"], "test_executor_type");
    assert_eq!(specs[0]["conditions"]["locationname"], "dc1");
    // Its first run is an interval away: the process below is the only one for now.
    let processes = waiting(&client, &e1, &colony1).await;
    assert_eq!(processes.len(), 1, "{processes:?}");
    let p = &processes[0];
    assert_eq!(p["spec"]["funcname"], HANDLER_FUNCTION);
    assert_eq!(p["spec"]["nodename"], format!("test_executor_type-{HANDLER_FUNCTION}"));
    assert_eq!(p["spec"]["kwargs"], json!({ "kind": kind, "blueprintName": web }));
    assert_eq!(p["spec"]["conditions"]["locationname"], "dc1");
    assert_eq!((&p["spec"]["maxwaittime"], &p["spec"]["maxretries"]), (&json!(0), &json!(-1)));
    assert_eq!(
        (&p["initiatorid"], &p["initiatorname"]),
        (&json!(e1.id().to_hex()), &json!(e1_name))
    );

    // A second blueprint of the kind at the location keeps the cron and gets its process; one
    // without a location gets a cron of its own, and its process reaches E1 (no location).
    client
        .call(&e1, "addblueprintmsg", blueprint(&colony1, &db, &kind, json!({ "image": "b" })))
        .await
        .ok_json();
    let mut nowhere = blueprint(&colony1, &edge, &kind, json!({ "image": "c" }));
    nowhere["blueprint"]["metadata"]["locationname"] = json!("");
    client.call(&e1, "addblueprintmsg", nowhere.clone()).await.ok_json();
    let listed = crons(&client, &e1, &colony1).await;
    let mut names: Vec<&Value> = listed.iter().map(|c| &c["name"]).collect();
    names.sort_by_key(|n| n.to_string());
    assert_eq!(
        names,
        [&json!(format!("reconcile-{kind}")), &json!(format!("reconcile-{kind}-dc1"))]
    );
    assert!(listed.iter().any(|c| c["cronid"] == cron["cronid"]), "the first cron is kept");
    assert_eq!(waiting(&client, &e1, &colony1).await.len(), 3);
    let assigned = client
        .call(&e1, "assignprocessmsg", json!({ "colonyname": colony1, "timeout": -1 }))
        .await
        .ok_json();
    assert_eq!(assigned["spec"]["kwargs"], json!({ "kind": kind, "blueprintName": edge }));
    // A refused add changes nothing.
    client.call(&e1, "addblueprintmsg", nowhere).await.assert_error(409);
    assert_eq!(
        (waiting(&client, &e1, &colony1).await.len(), crons(&client, &e1, &colony1).await.len()),
        (2, 2)
    );

    // Updating: the same spec submits nothing, a new one (or a forced bump) a reconcile
    // process; the colony owner's update none (Go cannot name it as initiator).
    let update = |spec: Value, force: bool| {
        let mut payload = blueprint(&colony1, &web, &kind, spec);
        payload["forcegeneration"] = json!(force);
        payload
    };
    client.call(&e1, "updateblueprintmsg", update(json!({ "image": "a" }), false)).await.ok_json();
    assert_eq!(
        for_blueprint(&waiting(&client, &e1, &colony1).await, HANDLER_FUNCTION, &web).len(),
        1
    );
    client.call(&e1, "updateblueprintmsg", update(json!({ "image": "a2" }), false)).await.ok_json();
    client.call(&e1, "updateblueprintmsg", update(json!({ "image": "a2" }), true)).await.ok_json();
    client.call(&c1, "updateblueprintmsg", update(json!({ "image": "a3" }), false)).await.ok_json();
    let processes = waiting(&client, &e1, &colony1).await;
    assert_eq!(for_blueprint(&processes, HANDLER_FUNCTION, &web).len(), 3, "{processes:?}");

    // Removing: a cleanup process each time; the cron goes with the last blueprint of the kind
    // at its location. The owner's cleanup process has no initiator name (as in Go).
    let remove = |name: &str| json!({ "namespace": colony1, "name": name });
    client.call(&e1, "removeblueprintmsg", remove(&web)).await.ok_json();
    assert_eq!(crons(&client, &e1, &colony1).await.len(), 2);
    client.call(&c1, "removeblueprintmsg", remove(&db)).await.ok_json();
    let listed = crons(&client, &e1, &colony1).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["name"], format!("reconcile-{kind}"));
    let processes = waiting(&client, &e1, &colony1).await;
    let cleanup = for_blueprint(&processes, "cleanup", &web);
    assert_eq!(cleanup.len(), 1, "{processes:?}");
    assert_eq!(cleanup[0]["spec"]["nodename"], "test_executor_type-cleanup");
    assert_eq!(cleanup[0]["spec"]["kwargs"], json!({ "blueprintName": web, "kind": kind }));
    assert_eq!(cleanup[0]["spec"]["conditions"]["executortype"], "test_executor_type");
    assert_eq!(cleanup[0]["spec"]["conditions"]["locationname"], "dc1");
    assert_eq!(cleanup[0]["initiatorname"], e1_name);
    let cleanup = for_blueprint(&processes, "cleanup", &db);
    assert_eq!(cleanup.len(), 1, "{processes:?}");
    assert_eq!(
        (&cleanup[0]["initiatorid"], &cleanup[0]["initiatorname"]),
        (&json!(c1.id().to_hex()), &json!(""))
    );
    client.call(&e1, "removeblueprintmsg", remove(&edge)).await.ok_json();
    assert!(crons(&client, &e1, &colony1).await.is_empty());
    assert_eq!(for_blueprint(&waiting(&client, &e1, &colony1).await, "cleanup", &edge).len(), 1);
}

#[tokio::test]
async fn a_handler_without_a_function_gets_only_cleanup_processes() {
    let Env { client, c1, colony1, e1, .. } = env().await;
    for handler in [json!({ "executorType": "reconciler" }), json!({})] {
        let kind = unique("Kind");
        let mut def = definition(&colony1, &unique("def"), &kind);
        def["blueprintdefinition"]["spec"]["handler"] = handler.clone();
        client.call(&c1, "addblueprintdefinitionmsg", def).await.ok_json();
        let before = waiting(&client, &e1, &colony1).await.len();
        let name = unique("bp");
        let add = blueprint(&colony1, &name, &kind, json!({ "image": "a" }));
        client.call(&e1, "addblueprintmsg", add).await.ok_json();
        let mut update = blueprint(&colony1, &name, &kind, json!({ "image": "b" }));
        update["forcegeneration"] = json!(false);
        client.call(&e1, "updateblueprintmsg", update).await.ok_json();
        assert!(crons(&client, &e1, &colony1).await.is_empty());
        assert_eq!(waiting(&client, &e1, &colony1).await.len(), before);
        let remove = json!({ "namespace": colony1, "name": name });
        client.call(&e1, "removeblueprintmsg", remove).await.ok_json();
        // The cleanup process needs only the executor type.
        let cleanup = for_blueprint(&waiting(&client, &e1, &colony1).await, "cleanup", &name).len();
        assert_eq!(cleanup, usize::from(handler.get("executorType").is_some()), "{handler}");
    }
}
