//! Error texts: where a Colonies v1.9.12 handler refuses a request with a specific message,
//! ours starts with Go's words (our detail may follow), so that clients and tests matching on
//! Go's text keep working. Where Go's own tests match with `Contains`, so do we.
//!
//! Each test collects every mismatch before failing, so one run lists them all.

mod support;

use colonies_blackbox::{Answer, key, unique};
use serde_json::{Value, json};
use support::{Env, id, spec, user};

/// Mismatches found so far.
#[derive(Default)]
struct Checks(Vec<String>);

impl Checks {
    fn check(&mut self, what: &str, answer: &Answer, go: &str, contains: bool) {
        let Some(reply) = answer.reply.clone().filter(|r| r.error) else {
            self.0.push(format!("{what}: expected an error reply, got {}", answer.body));
            return;
        };
        let Err(failure) = reply.into_result() else {
            self.0.push(format!("{what}: not a failure: {}", answer.body));
            return;
        };
        let fits =
            if contains { failure.message.contains(go) } else { failure.message.starts_with(go) };
        eprintln!("{what}: {} {:?}", failure.status, failure.message);
        if !fits {
            let how = if contains { "contain" } else { "start with" };
            self.0.push(format!(
                "{what}: {:?} (status {}) does not {how} Go's {go:?}",
                failure.message, failure.status
            ));
        }
    }

    /// The message starts with Go's text.
    fn starts(&mut self, what: &str, answer: &Answer, go: &str) {
        self.check(what, answer, go, false);
    }

    /// The message contains Go's text (Go's tests use `assert.Contains`).
    fn contains(&mut self, what: &str, answer: &Answer, go: &str) {
        self.check(what, answer, go, true);
    }

    /// Also checks the HTTP status.
    fn status(&mut self, what: &str, answer: &Answer, status: u16) {
        if answer.status != status {
            self.0.push(format!("{what}: status {} instead of {status}", answer.status));
        }
    }

    fn done(self) {
        assert!(self.0.is_empty(), "{} mismatches:\n{}", self.0.len(), self.0.join("\n"));
    }
}

fn pid(process: &str) -> Value {
    json!({ "processid": process })
}

const UNKNOWN: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[tokio::test]
async fn process_errors_use_gos_words() {
    let env = Env::new().await;
    let mut c = Checks::default();
    let (e3, _) = env.executor3().await;
    let colony = &env.colony1;

    // Go's TestRemoveRunningProcess and TestCloseSuccessfulOnFailedProcess.
    let p = env.running().await;
    let removed = env.call(&env.e1, "removeprocessmsg", pid(&p)).await;
    c.contains("removeprocessmsg running", &removed, "cannot remove a running process");
    c.starts(
        "removeprocessmsg running",
        &removed,
        "Failed to remove process, cannot remove a running process",
    );
    let failed = json!({ "processid": p, "errors": ["intentional failure"] });
    env.call(&env.e1, "closefailedmsg", failed.clone()).await.ok_json();
    let closed = env.call(&env.e1, "closesuccessfulmsg", pid(&p)).await;
    c.contains("closesuccessfulmsg failed", &closed, "Tried to set failed process as successful");
    let again = env.call(&env.e1, "closefailedmsg", failed).await;
    c.starts("closefailedmsg failed", &again, "Tried to set failed process as failed");
    let cancelled = env.call(&env.e1, "cancelprocessmsg", pid(&p)).await;
    c.starts("cancelprocessmsg failed", &cancelled, "Tried to cancel failed process");

    // Another executor of the colony than the assigned one.
    let q = env.running().await;
    let e1_id = env.e1.id().to_hex();
    let not_yours =
        "Failed to close process as successful, not allowed to close process as successful";
    c.starts(
        "closesuccessfulmsg other",
        &env.call(&e3, "closesuccessfulmsg", pid(&q)).await,
        not_yours,
    );
    let failed = json!({ "processid": q, "errors": [] });
    c.starts(
        "closefailedmsg other",
        &env.call(&e3, "closefailedmsg", failed.clone()).await,
        "Failed to close process as failed, not allowed to close process as failed",
    );
    let output = json!({ "processid": q, "out": ["x"] });
    c.starts("setoutputmsg other", &env.call(&e3, "setoutputmsg", output.clone()).await, not_yours);
    let log = json!({ "processid": q, "message": "m" });
    c.starts(
        "addlogmsg other",
        &env.call(&e3, "addlogmsg", log.clone()).await,
        "Failed to add log, not allowed to add log, only the assigned Executor may att logs",
    );
    let attribute = json!({ "attribute": { "targetid": q, "key": "k", "value": "v",
                                           "attributetype": 1 } });
    c.starts(
        "addattributemsg other",
        &env.call(&e3, "addattributemsg", attribute.clone()).await,
        &format!(
            "Failed to add attribute, only executor with id <{e1_id}> is allowed to set attributes"
        ),
    );

    // A closed process.
    env.call(&env.e1, "closesuccessfulmsg", pid(&q)).await.ok_json();
    c.starts(
        "closefailedmsg successful",
        &env.call(&env.e1, "closefailedmsg", failed).await,
        "Tried to set successful process as failed",
    );
    c.starts(
        "cancelprocessmsg successful",
        &env.call(&env.e1, "cancelprocessmsg", pid(&q)).await,
        "Tried to cancel successful process",
    );
    c.starts(
        "setoutputmsg successful",
        &env.call(&env.e1, "setoutputmsg", output).await,
        "Failed to set output, process is not running",
    );
    // Go's add log says "set output" too.
    c.starts(
        "addlogmsg successful",
        &env.call(&env.e1, "addlogmsg", log).await,
        "Failed to set output, process is not running",
    );
    c.starts(
        "addattributemsg successful",
        &env.call(&env.e1, "addattributemsg", attribute).await,
        "Failed to add attribute, process is not running",
    );

    // A waiting process.
    let w = id(&env.submit(&env.e1, spec(colony)).await);
    c.starts(
        "closesuccessfulmsg waiting",
        &env.call(&env.e1, "closesuccessfulmsg", pid(&w)).await,
        "Failed to close process as successful, process is not assigned",
    );
    c.starts(
        "closefailedmsg waiting",
        &env.call(&env.e1, "closefailedmsg", json!({ "processid": w, "errors": [] })).await,
        "Failed to close process as failed, process is not assigned",
    );
    env.call(&env.e1, "cancelprocessmsg", pid(&w)).await.ok_json();
    c.starts(
        "cancelprocessmsg cancelled",
        &env.call(&env.e1, "cancelprocessmsg", pid(&w)).await,
        "Tried to cancel already cancelled process",
    );

    // Unknown processes and attributes.
    for (payloadtype, payload, go) in [
        ("getprocessmsg", pid(UNKNOWN), "Failed to get process, process not found"),
        ("removeprocessmsg", pid(UNKNOWN), "Failed to remove process, process is nil"),
        (
            "closesuccessfulmsg",
            pid(UNKNOWN),
            "Failed to close process as successful, process is nil",
        ),
        (
            "closefailedmsg",
            json!({ "processid": UNKNOWN, "errors": [] }),
            "Failed to close process as failed, process is nil",
        ),
        (
            "setoutputmsg",
            json!({ "processid": UNKNOWN, "out": [] }),
            "Failed to set output, process is nil",
        ),
        ("cancelprocessmsg", pid(UNKNOWN), "Failed to cancel process, process is nil"),
        (
            "addlogmsg",
            json!({ "processid": UNKNOWN, "message": "m" }),
            "Failed to add log, process is nil",
        ),
        (
            "addattributemsg",
            json!({ "attribute": { "targetid": UNKNOWN, "key": "k", "value": "v",
                                   "attributetype": 1 } }),
            "Failed to add attribute, process not found",
        ),
        (
            "getattributemsg",
            json!({ "attributeid": UNKNOWN }),
            "Failed to get attribute, attribute not found",
        ),
        (
            "getlogsmsg",
            json!({ "colonyname": colony, "processid": UNKNOWN, "count": 1 }),
            "Failed to get logs, process does not exist",
        ),
    ] {
        let answer = env.call(&env.e1, payloadtype, payload).await;
        c.starts(&format!("{payloadtype} unknown"), &answer, go);
    }

    // Checks of the request itself.
    let mut high = spec(colony);
    high["priority"] = json!(50_001);
    let submitted = env.call(&env.e1, "submitfuncspecmsg", json!({ "spec": high })).await;
    c.contains("submitfuncspecmsg priority", &submitted, "priority outside range");
    c.starts(
        "submitfuncspecmsg priority",
        &submitted,
        "Failed to submit function spec, priority outside range [-50000, 50000]",
    );
    let zero = json!({ "colonyname": colony, "timeout": 0 });
    c.starts(
        "assignprocessmsg timeout 0",
        &env.call(&env.e1, "assignprocessmsg", zero).await,
        "Invalid timeout value, timeout cannot be zero",
    );
    let many = json!({ "colonyname": colony, "count": 101, "state": 0 });
    c.starts(
        "getprocessesmsg count",
        &env.call(&env.e1, "getprocessesmsg", many).await,
        "Count is larger than MaxCount limit <100>",
    );
    let by_nobody = json!({ "colonyname": colony, "count": 1, "state": 0, "initiator": "nobody" });
    c.starts(
        "getprocessesmsg initiator",
        &env.call(&env.e1, "getprocessesmsg", by_nobody).await,
        "User <nobody> does not exist",
    );
    let running = json!({ "colonyname": colony, "state": 1 });
    c.starts(
        "removeallprocessesmsg running",
        &env.call(&env.c1, "removeallprocessesmsg", running.clone()).await,
        "Not possible to remove running processes",
    );

    // Pauses.
    let paused = json!({ "colonyname": colony });
    env.call(&env.c1, "pauseassignmentsmsg", paused.clone()).await.ok_json();
    let now = json!({ "colonyname": colony, "timeout": -1 });
    c.starts(
        "assignprocessmsg paused",
        &env.call(&env.e1, "assignprocessmsg", now).await,
        "No processes available: colony assignments are paused",
    );
    let soon = json!({ "colonyname": colony, "timeout": 1 });
    c.starts(
        "assignprocessmsg paused, timeout",
        &env.call(&env.e1, "assignprocessmsg", soon).await,
        "Assignment timeout: colony assignments are paused",
    );
    env.call(&env.c1, "resumeassignmentsmsg", paused).await.ok_json();

    // Authorisation (Go's validator).
    let colony_name = format!("Colony with name <{colony}>");
    c.starts(
        "getprocessmsg other colony",
        &env.call(&env.e2, "getprocessmsg", pid(&q)).await,
        &format!("Access denied, not a member of {colony_name}"),
    );
    c.starts(
        "removeallprocessesmsg executor",
        &env.call(&env.e1, "removeallprocessesmsg", running).await,
        "Access denied, not colony owner",
    );
    let nowhere = unique("nowhere");
    for (payloadtype, key) in [("getpausestatusmsg", &env.e1), ("pauseassignmentsmsg", &env.c1)] {
        let answer = env.call(key, payloadtype, json!({ "colonyname": nowhere })).await;
        c.starts(
            &format!("{payloadtype} unknown colony"),
            &answer,
            &format!("Colony with name <{nowhere}> does not exists"),
        );
    }
    c.done();
}

fn node(colony: &str, name: &str, deps: &[&str]) -> Value {
    let mut s = spec(colony);
    s["nodename"] = json!(name);
    s["conditions"]["dependencies"] = json!(deps);
    s
}

#[tokio::test]
async fn workflow_errors_use_gos_words() {
    let env = Env::new().await;
    let mut c = Checks::default();
    let colony = &env.colony1;
    let submit = |wf: Value| env.call(&env.e1, "submitworkflowspecmsg", json!({ "spec": wf }));

    let missing = json!({ "colonyname": colony, "functionspecs": [node(colony, "a", &["nope"])] });
    c.starts(
        "submitworkflowspecmsg dependency",
        &submit(missing).await,
        "Failed to submit workflow, invalid dependencies, are you depending on a nodename that \
         does not exits?",
    );
    let dup = json!({ "colonyname": colony,
                      "functionspecs": [node(colony, "a", &[]), node(colony, "a", &[])] });
    c.starts("submitworkflowspecmsg duplicate", &submit(dup).await, "Duplicate nodename: a");
    let unnamed = json!({ "colonyname": colony, "functionspecs": [node(colony, "", &[])] });
    c.starts(
        "submitworkflowspecmsg nodename",
        &submit(unnamed).await,
        "Nodename is missing, check function spec for errors",
    );

    // Go's TestRemoveRunningProcessGraph.
    let wf = json!({ "colonyname": colony,
                     "functionspecs": [node(colony, "a", &[]), node(colony, "b", &["a"])] });
    let graph = submit(wf).await.ok_json();
    let graph_id = graph["processgraphid"].as_str().expect("a graph ID").to_owned();
    let a = env.assign(&env.e1, colony).await.ok_json();
    let removed =
        env.call(&env.e1, "removeprocessgraphmsg", json!({ "processgraphid": graph_id })).await;
    c.contains("removeprocessgraphmsg running", &removed, "cannot remove a running processgraph");
    c.starts(
        "removeprocessgraphmsg running",
        &removed,
        "Failed to remove processgraph, cannot remove a running processgraph",
    );
    let b = graph["processids"][1].as_str().expect("a process ID").to_owned();
    c.starts(
        "removeprocessmsg in a workflow",
        &env.call(&env.e1, "removeprocessmsg", pid(&b)).await,
        "Failed to remove, cannot remove a process part of a workflow, delete the entire \
         workflow instead",
    );
    c.starts(
        "cancelprocessmsg in a workflow",
        &env.call(&env.e1, "cancelprocessmsg", pid(&b)).await,
        "Failed to cancel, cannot cancel a process part of a workflow, cancel the entire \
         workflow instead",
    );
    let running = json!({ "colonyname": colony, "state": 1 });
    c.starts(
        "removeallprocessgraphsmsg running",
        &env.call(&env.c1, "removeallprocessgraphsmsg", running).await,
        "not possible to remove running processgraphs",
    );
    let unknown = json!({ "processgraphid": UNKNOWN });
    for (payloadtype, go) in [
        ("getprocessgraphmsg", "Failed to get processgraph, graph is nil"),
        ("removeprocessgraphmsg", "Failed to remove processgraph, graph is nil"),
        ("cancelprocessgraphmsg", "Failed to cancel processgraph, graph is nil"),
    ] {
        let answer = env.call(&env.e1, payloadtype, unknown.clone()).await;
        c.starts(&format!("{payloadtype} unknown"), &answer, go);
    }

    // Children: only the executor running the parent adds them.
    let (e3, _) = env.executor3().await;
    let child = |parent: &str| {
        json!({ "processgraphid": graph_id, "parentprocessid": parent, "childprocessid": "",
                "insert": false, "spec": node(colony, "x", &[]) })
    };
    let a = id(&a);
    c.starts(
        "addchildmsg other executor",
        &env.call(&e3, "addchildmsg", child(&a)).await,
        &format!("Process with Id {a} is not assigned to executor with Id {}", e3.id().to_hex()),
    );
    c.starts(
        "addchildmsg waiting parent",
        &env.call(&env.e1, "addchildmsg", child(&b)).await,
        &format!("Process with Id {b} is not running"),
    );
    c.done();
}

fn definition(colony: &str, kind: &str) -> Value {
    json!({ "blueprintdefinition": {
        "kind": "BlueprintDefinition",
        "metadata": { "name": unique("def"), "colonyname": colony },
        "spec": {
            "group": "compute.colonies.io", "version": "v1",
            "names": { "kind": kind, "listKind": format!("{kind}List"),
                       "singular": "protected", "plural": "protecteds" },
            "scope": "Namespaced",
            "schema": { "type": "object",
                        "properties": { "image": { "type": "string" },
                                        "replicas": { "type": "number" },
                                        "protocol": { "type": "string",
                                                      "enum": ["TCP", "UDP"] } },
                        "required": ["image", "replicas"] },
            "handler": { "executorType": "reconciler", "functionName": "reconcile" }
        }
    } })
}

fn blueprint(colony: &str, name: &str, kind: &str, spec: Value) -> Value {
    json!({ "blueprint": {
        "kind": kind,
        "metadata": { "name": name, "colonyname": colony },
        "spec": spec
    } })
}

#[tokio::test]
async fn blueprint_errors_use_gos_words() {
    let env = Env::new().await;
    let mut c = Checks::default();
    let colony = &env.colony1;
    let kind = "ProtectedBlueprint";
    let def = definition(colony, kind);
    let def_name = def["blueprintdefinition"]["metadata"]["name"].clone();
    env.call(&env.c1, "addblueprintdefinitionmsg", def).await.ok_json();
    let add = |name: &str, kind: &str, spec: Value| {
        env.call(&env.e1, "addblueprintmsg", blueprint(colony, name, kind, spec))
    };

    // Go's TestAddBlueprintRequiresBlueprintDefinition and the schema validation tests.
    let unknown_kind = add("b", "NonExistentKind", json!({ "field": "value" })).await;
    c.contains(
        "addblueprintmsg unknown kind",
        &unknown_kind,
        "BlueprintDefinition for kind 'NonExistentKind' not found",
    );
    for (spec, go) in [
        (json!({ "image": "nginx" }), "required field 'replicas' is missing"),
        (json!({ "replicas": 3 }), "required field 'image' is missing"),
        (json!({ "image": "nginx", "replicas": "three" }), "must be a number"),
        (json!({ "image": "nginx", "replicas": 3, "protocol": "HTTP" }), "must be one of"),
    ] {
        let answer = add("b", kind, spec.clone()).await;
        c.contains(&format!("addblueprintmsg {spec}"), &answer, go);
        c.starts(&format!("addblueprintmsg {spec}"), &answer, "blueprint validation failed: ");
    }

    // Go's TestRemoveBlueprintDefinitionWithExistingBlueprints.
    let fits = json!({ "image": "nginx", "replicas": 3 });
    add("one", kind, fits.clone()).await.ok_json();
    add("two", kind, fits.clone()).await.ok_json();
    let remove_def = json!({ "namespace": colony, "name": def_name });
    let refused = env.call(&env.c1, "removeblueprintdefinitionmsg", remove_def.clone()).await;
    c.contains(
        "removeblueprintdefinitionmsg in use",
        &refused,
        "2 blueprint(s) of kind 'ProtectedBlueprint' still exist",
    );
    c.starts(
        "removeblueprintdefinitionmsg in use",
        &refused,
        &format!("cannot remove BlueprintDefinition '{}': ", def_name.as_str().unwrap_or("")),
    );
    let remove = json!({ "namespace": colony, "name": "one" });
    env.call(&env.e1, "removeblueprintmsg", remove).await.ok_json();
    let refused = env.call(&env.c1, "removeblueprintdefinitionmsg", remove_def).await;
    c.contains(
        "removeblueprintdefinitionmsg in use",
        &refused,
        "1 blueprint(s) of kind 'ProtectedBlueprint' still exist",
    );

    // Go's TestUpdateNonExistentBlueprint.
    let missing = blueprint(colony, "non-existent-blueprint", kind, fits.clone());
    let updated = env.call(&env.e1, "updateblueprintmsg", missing).await;
    c.contains("updateblueprintmsg unknown", &updated, "not found");
    c.status("updateblueprintmsg unknown", &updated, 404);

    let again = add("two", kind, fits).await;
    c.starts(
        "addblueprintmsg duplicate",
        &again,
        &format!("blueprint with name 'two' already exists in colony '{colony}'"),
    );
    let get = json!({ "namespace": colony, "name": "nope" });
    c.starts(
        "getblueprintmsg unknown",
        &env.call(&env.e1, "getblueprintmsg", get).await,
        "Blueprint not found",
    );
    // Go tries membership, then ownership: the owner's refusal is what the caller sees.
    c.starts(
        "getblueprintsmsg other colony",
        &env.call(&env.e2, "getblueprintsmsg", json!({ "namespace": colony })).await,
        "Access denied, not colony owner",
    );
    c.done();
}

#[tokio::test]
async fn colony_executor_user_and_location_errors_use_gos_words() {
    let env = Env::new().await;
    let mut c = Checks::default();
    let client = &env.client;
    let colony = &env.colony1;
    let server_owner = &colonies_blackbox::server().owner;

    // Colonies.
    let again = json!({ "colony": { "colonyid": key().id().to_hex(), "name": colony } });
    c.starts(
        "addcolonymsg by a colony owner",
        &env.call(&env.c1, "addcolonymsg", again.clone()).await,
        "Access denied, not server owner",
    );
    c.starts(
        "addcolonymsg duplicate",
        &env.call(server_owner, "addcolonymsg", again).await,
        &format!("A Colony with name <{colony}> already exists"),
    );
    let short = json!({ "colony": { "colonyid": "abc", "name": unique("colony") } });
    c.starts(
        "addcolonymsg short ID",
        &env.call(server_owner, "addcolonymsg", short).await,
        "Failed to add colony, invalid colony Id length",
    );
    let nowhere = unique("nowhere");
    c.starts(
        "removecolonymsg unknown",
        &env.call(server_owner, "removecolonymsg", json!({ "colonyname": nowhere })).await,
        &format!("Colony with name <{nowhere}> not found"),
    );
    c.starts(
        "getcolonymsg other colony",
        &env.call(&env.e2, "getcolonymsg", json!({ "colonyname": colony })).await,
        &format!("Access denied, not a member of Colony with name <{colony}>"),
    );
    c.starts(
        "getcolonymsg unknown",
        &env.call(&env.e1, "getcolonymsg", json!({ "colonyname": nowhere })).await,
        &format!("Colony with name <{nowhere}> does not exists"),
    );
    c.starts(
        "getcolonystatsmsg unknown",
        &env.call(&env.e1, "getcolonystatsmsg", json!({ "colonyname": nowhere })).await,
        &format!("Colony with name <{nowhere}> not found"),
    );

    // Executors.
    let twin = key();
    let dup = colonies_blackbox::executor_payload(&twin, colony, &env.e1_name);
    c.starts(
        "addexecutormsg duplicate",
        &env.call(&env.c1, "addexecutormsg", dup.clone()).await,
        &format!("Executor with name <{}> in Colony <{colony}> already exists", env.e1_name),
    );
    c.starts(
        "addexecutormsg by an executor",
        &env.call(&env.e1, "addexecutormsg", dup).await,
        "Access denied, not colony owner",
    );
    let nobody = json!({ "colonyname": colony, "executorname": "nobody" });
    for (payloadtype, key, go) in [
        ("getexecutormsg", &env.e1, "Failed to get executor, executor is nil"),
        ("approveexecutormsg", &env.c1, "Failed to approve executor, executor is nil"),
        ("rejectexecutormsg", &env.c1, "Failed to reject executor, executor is nil"),
        ("removeexecutormsg", &env.c1, "Failed to remove executor, executor is nil"),
    ] {
        let answer = env.call(key, payloadtype, nobody.clone()).await;
        c.starts(&format!("{payloadtype} unknown"), &answer, go);
    }
    let by_id = json!({ "colonyname": colony, "executorid": UNKNOWN });
    c.starts(
        "getexecutorbyidmsg unknown",
        &env.call(&env.e1, "getexecutorbyidmsg", by_id).await,
        "Failed to get executor by ID, executor is nil",
    );
    let (e3, _) = env.executor3().await;
    let allocations = |name: &str| {
        json!({ "colonyname": colony, "executorname": name,
                "allocations": { "projects": {} } })
    };
    c.starts(
        "reportallocationmsg other",
        &env.call(&e3, "reportallocationmsg", allocations(&env.e1_name)).await,
        "Only an executor can report allocations to itself",
    );
    c.starts(
        "reportallocationmsg unknown",
        &env.call(&e3, "reportallocationmsg", allocations("nobody")).await,
        "Executor with name <nobody> does not exist",
    );
    let capabilities =
        |name: &str| json!({ "colonyname": colony, "executorname": name, "capabilities": {} });
    c.starts(
        "updateexecutormsg other",
        &env.call(&e3, "updateexecutormsg", capabilities(&env.e1_name)).await,
        "Only an executor can update its own capabilities",
    );

    // Users.
    let (u, u_name) = user(client, &env.c1, colony).await;
    let add_user = |id: &str, name: &str| {
        json!({ "user": { "colonyname": colony, "userid": id, "name": name,
                          "email": "u@example.com", "phone": "1" } })
    };
    let same_name = add_user(&key().id().to_hex(), &u_name);
    c.starts(
        "addusermsg same name",
        &env.call(&env.c1, "addusermsg", same_name).await,
        &format!("A user with name <{u_name}> already exists in Colony with name <{colony}>"),
    );
    let u_id = u.id().to_hex();
    let same_id = add_user(&u_id, &unique("user"));
    c.starts(
        "addusermsg same ID",
        &env.call(&env.c1, "addusermsg", same_id).await,
        &format!("A user with Id <{u_id}> already exists in Colony with name <{colony}>"),
    );
    let nobody = json!({ "colonyname": colony, "name": "nobody" });
    c.starts(
        "getusermsg unknown",
        &env.call(&env.e1, "getusermsg", nobody.clone()).await,
        "Failed to get user, user is nil",
    );
    c.starts(
        "removeusermsg unknown",
        &env.call(&env.c1, "removeusermsg", nobody.clone()).await,
        "User with name <nobody> not found",
    );
    let by_id = json!({ "colonyname": colony, "userid": UNKNOWN });
    c.starts(
        "getuserbyidmsg unknown",
        &env.call(&env.e1, "getuserbyidmsg", by_id).await,
        "Failed to get user by ID, user is nil",
    );

    // Locations.
    let location = json!({ "location": { "colonyname": colony, "name": "dc1",
                                         "description": "", "long": 0.0, "lat": 0.0 } });
    env.call(&env.c1, "addlocationmsg", location.clone()).await.ok_json();
    c.starts(
        "addlocationmsg duplicate",
        &env.call(&env.c1, "addlocationmsg", location).await,
        &format!("A location with name <dc1> already exists in Colony with name <{colony}>"),
    );
    c.starts(
        "getlocationmsg unknown",
        &env.call(&env.e1, "getlocationmsg", nobody.clone()).await,
        "Failed to get location, location is nil",
    );
    c.starts(
        "removelocationmsg unknown",
        &env.call(&env.c1, "removelocationmsg", nobody).await,
        "Location with name <nobody> not found",
    );

    // Key rotation.
    let fresh = key().id().to_hex();
    let rotate_user = |id: &str| json!({ "colonyname": colony, "userid": id });
    let rotate_executor = |id: &str| json!({ "colonyname": colony, "executorid": id });
    for (what, payloadtype, key, payload, go) in [
        (
            "empty",
            "changeuseridmsg",
            &u,
            rotate_user(""),
            "Failed to change user Id, user Id is empty",
        ),
        (
            "by an executor",
            "changeuseridmsg",
            &env.e1,
            rotate_user(&fresh),
            "Failed to change user Id, user not found",
        ),
        (
            "short",
            "changeuseridmsg",
            &u,
            rotate_user("abc"),
            "Failed to change user Id, new user Id is not 64 characters",
        ),
        (
            "empty",
            "changeexecutoridmsg",
            &env.e1,
            rotate_executor(""),
            "Failed to change executor Id, executor Id is empty",
        ),
        (
            "by a user",
            "changeexecutoridmsg",
            &u,
            rotate_executor(&fresh),
            "Failed to change executor Id, executor not found",
        ),
        (
            "short",
            "changeexecutoridmsg",
            &env.e1,
            rotate_executor("abc"),
            "Failed to change executor Id, new executor Id is not 64 characters",
        ),
        (
            "empty",
            "changecolonyidmsg",
            &env.c1,
            json!({ "colonyname": colony, "colonyid": "" }),
            "Failed to change colony Id, colony Id is empty",
        ),
        (
            "short",
            "changecolonyidmsg",
            &env.c1,
            json!({ "colonyname": colony, "colonyid": "abc" }),
            "Failed to change colony Id, new colony Id is not 64 characters",
        ),
        (
            "empty",
            "changeserveridmsg",
            server_owner,
            json!({ "serverid": "" }),
            "Failed to change colony Id, colony Id is empty",
        ),
    ] {
        let answer = env.call(key, payloadtype, payload).await;
        c.starts(&format!("{payloadtype} {what}"), &answer, go);
    }
    c.done();
}

fn cron(colony: &str, name: &str, interval: i64, expr: &str, random: bool) -> Value {
    let workflow = json!({ "colonyname": colony, "functionspecs": [spec(colony)] }).to_string();
    json!({ "cron": { "colonyname": colony, "name": name, "interval": interval,
                       "cronexpression": expr, "random": random, "workflowspec": workflow,
                       "waitforprevprocessgraph": false } })
}

#[tokio::test]
async fn function_log_cron_generator_snapshot_and_channel_errors_use_gos_words() {
    let env = Env::new().await;
    let mut c = Checks::default();
    let colony = &env.colony1;
    let (e3, e3_name) = env.executor3().await;

    // Functions.
    let function = |executor: &str| json!({ "fun": { "colonyname": colony, "executorname": executor, "funcname": "f" } });
    c.starts(
        "addfunctionmsg other executor",
        &env.call(&e3, "addfunctionmsg", function(&env.e1_name)).await,
        "Not allowed to add a function to another executor",
    );
    c.starts(
        "addfunctionmsg unknown executor",
        &env.call(&e3, "addfunctionmsg", function("nobody")).await,
        "Failed to add function, Executor with name <nobody> does not exist",
    );
    let added = env.call(&env.e1, "addfunctionmsg", function(&env.e1_name)).await.ok_json();
    let remove = json!({ "functionid": added["functionid"] });
    c.starts(
        "removefunctionmsg other executor",
        &env.call(&e3, "removefunctionmsg", remove).await,
        "Not allowed to remove a function from another executor",
    );
    c.starts(
        "removefunctionmsg unknown",
        &env.call(&env.e1, "removefunctionmsg", json!({ "functionid": UNKNOWN })).await,
        "Failed to remove function, function does not exist",
    );
    c.starts(
        "removefunctionmsg empty",
        &env.call(&env.e1, "removefunctionmsg", json!({ "functionid": "" })).await,
        "Failed to remove function, msg.FunctionID is empty",
    );

    // Logs.
    let own = json!({ "colonyname": colony, "executorname": env.e1_name, "message": "up" });
    c.starts(
        "addexecutorlogmsg other executor",
        &env.call(&e3, "addexecutorlogmsg", own).await,
        "Failed to add executor log, executor name mismatch",
    );
    let logs = json!({ "colonyname": colony, "executorname": e3_name, "count": 501 });
    c.starts(
        "getlogsmsg count",
        &env.call(&env.e1, "getlogsmsg", logs).await,
        "Count exceeds max log count (500)",
    );
    let search = |days: i64, count: i64| json!({ "colonyname": colony, "text": "x", "days": days, "count": count });
    c.starts(
        "searchlogsmsg count",
        &env.call(&env.e1, "searchlogsmsg", search(1, 101)).await,
        "Count exceeds max log count (100)",
    );
    c.starts(
        "searchlogsmsg days",
        &env.call(&env.e1, "searchlogsmsg", search(31, 1)).await,
        "Count exceeds max day count (30)",
    );

    // Crons.
    c.starts(
        "addcronmsg interval 0",
        &env.call(&env.e1, "addcronmsg", cron(colony, "zero", 0, "", false)).await,
        "Cron interval must be -1 (disabled) or larger than 0",
    );
    c.starts(
        "addcronmsg random expression",
        &env.call(&env.e1, "addcronmsg", cron(colony, "rnd", -1, "0/1 * * * * *", true)).await,
        "Random cron is only supported when specifying intervals",
    );
    env.call(&env.e1, "addcronmsg", cron(colony, "twice", 100, "", false)).await.ok_json();
    c.starts(
        "addcronmsg duplicate",
        &env.call(&env.e1, "addcronmsg", cron(colony, "twice", 100, "", false)).await,
        &format!("Cron with name <twice> in Colony <{colony}> already exists"),
    );
    let unknown = json!({ "cronid": UNKNOWN });
    for (payloadtype, go) in [
        ("getcronmsg", "Failed to get cron, cron is nil"),
        ("runcronmsg", "cron not found"),
        ("removecronmsg", "Failed to remove cron, cron is nil"),
    ] {
        let answer = env.call(&env.e1, payloadtype, unknown.clone()).await;
        c.starts(&format!("{payloadtype} unknown"), &answer, go);
    }

    // Generators.
    let workflow = json!({ "colonyname": colony, "functionspecs": [spec(colony)] }).to_string();
    let generator = json!({ "generator": { "colonyname": colony, "name": "gen", "trigger": 3,
                                           "timeout": 0, "workflowspec": workflow } });
    env.call(&env.e1, "addgeneratormsg", generator.clone()).await.ok_json();
    c.starts(
        "addgeneratormsg duplicate",
        &env.call(&env.e1, "addgeneratormsg", generator).await,
        &format!("Generator with name <gen> in Colony <{colony}> already exists"),
    );
    for (payloadtype, payload, go) in [
        (
            "getgeneratormsg",
            json!({ "generatorid": UNKNOWN }),
            "Failed to get generator, generator is nil",
        ),
        (
            "resolvegeneratormsg",
            json!({ "colonyname": colony, "generatorname": "nope" }),
            "Failed to resolve generator, generator is nil",
        ),
        (
            "packgeneratormsg",
            json!({ "generatorid": UNKNOWN, "arg": "a" }),
            "Failed to increment generator, generator is nil",
        ),
        (
            "removegeneratormsg",
            json!({ "generatorid": UNKNOWN }),
            "Failed to remove generator, generator is nil",
        ),
    ] {
        let answer = env.call(&env.e1, payloadtype, payload).await;
        c.starts(&format!("{payloadtype} unknown"), &answer, go);
    }

    // Snapshots.
    let snapshot = json!({ "colonyname": colony, "label": "/data", "name": "snap" });
    env.call(&env.e1, "createsnapshotmsg", snapshot.clone()).await.ok_json();
    c.starts(
        "createsnapshotmsg duplicate",
        &env.call(&env.e1, "createsnapshotmsg", snapshot).await,
        &format!("Snapshot with name <snap> in Colony <{colony}> already exists"),
    );
    let by = |id: &str, name: &str| json!({ "colonyname": colony, "snapshotid": id, "name": name });
    c.starts(
        "getsnapshotmsg unknown name",
        &env.call(&env.e1, "getsnapshotmsg", by("", "nope")).await,
        &format!("Snapshot not found with name <nope> in Colony <{colony}> does not exists"),
    );
    c.starts(
        "getsnapshotmsg unknown ID",
        &env.call(&env.e1, "getsnapshotmsg", by(UNKNOWN, "")).await,
        &format!("Snapshot not found with Id <{UNKNOWN}> in Colony <{colony}> does not exists"),
    );
    c.starts(
        "getsnapshotmsg neither",
        &env.call(&env.e1, "getsnapshotmsg", by("", "")).await,
        "Failed to get snapshot, malformatted msg",
    );
    c.starts(
        "removesnapshotmsg neither",
        &env.call(&env.e1, "removesnapshotmsg", by("", "")).await,
        "Failed to remove snapsnot, malformatted msg",
    );

    // Channels: only the initiator and the assigned executor use them.
    let mut with_channel = spec(colony);
    with_channel["channels"] = json!(["chat"]);
    let p = id(&env.submit(&env.e1, with_channel).await);
    let append = json!({ "processid": p, "name": "chat", "sequence": 1, "payload": "eA==",
                         "payloadtype": "" });
    c.starts(
        "channelappendmsg outsider",
        &env.call(&e3, "channelappendmsg", append).await,
        "Not authorized to write to channel",
    );
    let read = json!({ "processid": p, "name": "chat", "afterseq": 0, "limit": 0 });
    c.starts(
        "channelreadmsg outsider",
        &env.call(&e3, "channelreadmsg", read).await,
        "Not authorized to read from channel",
    );
    c.done();
}
