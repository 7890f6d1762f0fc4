//! Hostile numbers: every numeric field of every request message, set to `i64::MAX`,
//! `i64::MIN`, -1 and other values past Postgres' `int4` or beyond JSON's `i64`, sent by a
//! member of the colony (or its owner where the message needs one). A client's mistake is a
//! 4xx error envelope, never a 5xx, and the server answers normally afterwards. Then the
//! concrete ranges: `getprocesshistmsg` seconds, cron intervals, generator triggers and
//! timeouts (a negative timeout is "none", as Go's SDK sends it), function spec numbers,
//! long polls with huge timeouts, and sweeps that rows with huge numbers cannot break.

mod support;

use colonies_blackbox::{Answer, key, unique};
use colonies_core::PrivateKey;
use serde_json::{Value, json};
use support::{Env, TYPE, executor, id};

/// What the hostile values are: both ends of `i64`, -1 and 0 (the "none" of many fields),
/// just past `int4`, past what `* INTERVAL '1 second'` can hold, and numbers a JSON `i64`
/// cannot hold at all.
fn hostile() -> Vec<Value> {
    vec![
        json!(i64::MAX),
        json!(i64::MIN),
        json!(-1),
        json!(0),
        json!(1),
        json!(i64::from(i32::MAX) + 1),
        json!(i64::from(i32::MIN) - 1),
        json!(10_000_000_000_000_i64),
        json!(-10_000_000_000_000_i64),
        json!(u64::MAX),
        json!(1e300),
        json!(-2.5),
    ]
}

/// `value` with the field at JSON pointer `pointer` replaced by `number`.
fn with(value: &Value, pointer: &str, number: &Value) -> Value {
    let mut changed = value.clone();
    *changed.pointer_mut(pointer).unwrap_or_else(|| panic!("{pointer} is not in {value}")) =
        number.clone();
    changed
}

/// Every numeric field of a function spec, as JSON pointers into it.
const SPEC_NUMBERS: [&str; 10] = [
    "/priority",
    "/maxwaittime",
    "/maxexectime",
    "/maxretries",
    "/conditions/nodes",
    "/conditions/processes",
    "/conditions/processespernode",
    "/conditions/walltime",
    "/conditions/gpu/count",
    "/conditions/gpu/nodecount",
];

/// A function spec with every numeric field present (and sane).
fn full_spec(colony: &str, executor_type: &str) -> Value {
    json!({
        "nodename": "n",
        "funcname": "hostile",
        "args": [],
        "kwargs": {},
        "priority": 0,
        "maxwaittime": -1,
        "maxexectime": -1,
        "maxretries": -1,
        "conditions": {
            "colonyname": colony,
            "executortype": executor_type,
            "nodes": 1,
            "cpu": "",
            "processes": 1,
            "processespernode": 1,
            "mem": "",
            "storage": "",
            "gpu": { "name": "", "mem": "", "count": 0, "nodecount": 0 },
            "walltime": 0
        },
        "label": "hostile"
    })
}

/// A workflow of one node, as crons and generators carry it (a JSON string).
fn workflow_string(colony: &str, spec: &Value) -> String {
    json!({ "colonyname": colony, "functionspecs": [spec] }).to_string()
}

fn hardware() -> Value {
    json!([{ "model": "m", "nodes": 1, "cpu": "", "cores": 1, "mem": "", "storage": "",
             "gpu": { "name": "", "mem": "", "count": 0, "nodecount": 0 },
             "platform": "", "architecture": "", "network": [] }])
}

fn allocations() -> Value {
    json!({ "projects": { "p": { "allocatedcpu": 0, "usedcpu": 0, "allocatedgpu": 0,
                                  "usedgpu": 0, "allocatedstorage": 0, "usedstorage": 0 } } })
}

const HARDWARE_NUMBERS: [&str; 4] = ["/0/nodes", "/0/cores", "/0/gpu/count", "/0/gpu/nodecount"];
const PROJECT_NUMBERS: [&str; 6] = [
    "/projects/p/allocatedcpu",
    "/projects/p/usedcpu",
    "/projects/p/allocatedgpu",
    "/projects/p/usedgpu",
    "/projects/p/allocatedstorage",
    "/projects/p/usedstorage",
];

fn definition(colony: &str, name: &str, kind: &str) -> Value {
    json!({ "blueprintdefinition": {
        "kind": "BlueprintDefinition",
        "metadata": { "name": name, "colonyname": colony, "generation": 0 },
        "spec": {
            "group": "compute.colonies.io", "version": "v1",
            "names": { "kind": kind, "listKind": format!("{kind}List"),
                       "singular": "h", "plural": "hs" },
            "scope": "Namespaced",
            "schema": { "type": "object",
                        "properties": { "replicas": { "type": "integer" } } },
            "handler": { "executorType": "reconciler", "functionName": "reconcile",
                         "reconcileInterval": 60 }
        }
    } })
}

fn blueprint(colony: &str, name: &str, kind: &str) -> Value {
    json!({ "blueprint": {
        "kind": kind,
        "metadata": { "name": name, "colonyname": colony, "generation": 0 },
        "spec": { "replicas": 1 }
    } })
}

/// One probe: a message with a hostile number in one field.
struct Probe {
    payloadtype: &'static str,
    signer: PrivateKey,
    payload: Value,
}

/// Probes that found a 5xx, a non-envelope, or a dropped connection.
#[derive(Default)]
struct Findings(Vec<String>);

impl Findings {
    fn check(&mut self, probe: &Probe, answer: &Answer) {
        if answer.status >= 500 || answer.reply.is_none() {
            self.0.push(format!(
                "{} {} -> HTTP {} {}",
                probe.payloadtype,
                probe.payload,
                answer.status,
                answer.body.chars().take(300).collect::<String>()
            ));
        }
    }
}

/// The fixture every probe runs in: colony 1 of [`Env`], with a running process that has a
/// channel, a running workflow process, a blueprint and an executor of a type of its own for
/// long polls.
struct Hostile {
    env: Env,
    /// A process RUNNING on E1, with channel `ch`.
    running: String,
    /// A workflow process RUNNING on `graph_executor`, and its graph.
    graph_parent: String,
    graph: String,
    graph_executor: PrivateKey,
    /// A blueprint of colony 1 and its kind.
    blueprint_name: String,
    blueprint_id: String,
    kind: String,
}

impl Hostile {
    async fn new() -> Self {
        let env = Env::new().await;
        let c = env.colony1.clone();
        let mut channel_spec = full_spec(&c, TYPE);
        channel_spec["channels"] = json!(["ch"]);
        let submitted = env.submit(&env.e1, channel_spec).await;
        let assigned = env.assign(&env.e1, &c).await.ok_json();
        assert_eq!(assigned["processid"], submitted["processid"]);
        let running = id(&assigned);

        let graph_type = unique("graph-type");
        let (graph_executor, _) = executor(&env.client, &env.c1, &c, &graph_type, "").await;
        let workflow = json!({ "spec": { "colonyname": c,
                                         "functionspecs": [full_spec(&c, &graph_type)] } });
        let graph = env.call(&env.e1, "submitworkflowspecmsg", workflow).await.ok_json();
        let graph = graph["processgraphid"].as_str().expect("a graph").to_owned();
        let parent = env.assign(&graph_executor, &c).await.ok_json();
        let graph_parent = id(&parent);

        let kind = unique("Hostile").replace('-', "");
        let name = unique("hostile-def");
        env.call(&env.c1, "addblueprintdefinitionmsg", definition(&c, &name, &kind))
            .await
            .ok_json();
        let blueprint_name = unique("hostile-bp");
        let added = env
            .call(&env.c1, "addblueprintmsg", blueprint(&c, &blueprint_name, &kind))
            .await
            .ok_json();
        let blueprint_id = added["blueprintid"].as_str().expect("a blueprint ID").to_owned();
        Self {
            env,
            running,
            graph_parent,
            graph,
            graph_executor,
            blueprint_name,
            blueprint_id,
            kind,
        }
    }

    /// Every probe for one hostile number.
    #[allow(clippy::too_many_lines)] // One list of every message, kept in one place.
    fn probes(&self, n: &Value) -> Vec<Probe> {
        let env = &self.env;
        let c = env.colony1.as_str();
        let (e1, c1, c2) = (&env.e1, &env.c1, &env.c2);
        let mut probes = Vec::new();
        let mut add = |payloadtype: &'static str, signer: &PrivateKey, payload: Value| {
            probes.push(Probe { payloadtype, signer: signer.clone(), payload });
        };
        // Function specs, in every message that carries one.
        for pointer in SPEC_NUMBERS {
            let spec = with(&full_spec(c, TYPE), pointer, n);
            add("submitfuncspecmsg", e1, json!({ "spec": spec }));
            let workflow = json!({ "spec": { "colonyname": c, "functionspecs": [spec] } });
            add("submitworkflowspecmsg", e1, workflow);
            let child = json!({ "processgraphid": self.graph, "parentprocessid": self.graph_parent,
                                "childprocessid": "", "spec": spec, "insert": false });
            add("addchildmsg", &self.graph_executor, child);
            let cron = json!({ "cron": { "colonyname": c, "name": unique("cron"),
                "cronexpression": "", "interval": 3600, "random": false,
                "workflowspec": workflow_string(c, &spec), "waitforprevprocessgraph": false } });
            add("addcronmsg", e1, cron);
            let generator = json!({ "generator": { "colonyname": c, "name": unique("gen"),
                "workflowspec": workflow_string(c, &spec), "trigger": 10, "timeout": -1 } });
            add("addgeneratormsg", e1, generator);
        }
        let workflow = workflow_string(c, &full_spec(c, TYPE));
        let cron = json!({ "cron": { "colonyname": c, "name": unique("cron"),
            "cronexpression": "0 0 0 * * *", "interval": 3600, "random": false,
            "workflowspec": workflow, "waitforprevprocessgraph": false, "checkerperiod": 0 } });
        for pointer in ["/cron/interval", "/cron/checkerperiod"] {
            add("addcronmsg", e1, with(&cron, pointer, n));
        }
        let generator = json!({ "generator": { "colonyname": c, "name": unique("gen"),
            "workflowspec": workflow, "trigger": 10, "timeout": -1, "queuesize": 0,
            "checkerperiod": 0 } });
        for pointer in [
            "/generator/trigger",
            "/generator/timeout",
            "/generator/queuesize",
            "/generator/checkerperiod",
        ] {
            add("addgeneratormsg", e1, with(&generator, pointer, n));
        }
        // Lists and history.
        let processes = json!({ "colonyname": c, "count": 10, "state": 0 });
        for pointer in ["/count", "/state"] {
            add("getprocessesmsg", e1, with(&processes, pointer, n));
            add("getprocessgraphsmsg", e1, with(&processes, pointer, n));
        }
        let history = json!({ "colonyname": c, "executorid": "", "seconds": 60, "state": 0 });
        for pointer in ["/seconds", "/state"] {
            add("getprocesshistmsg", e1, with(&history, pointer, n));
        }
        // Removals by state, in colony 2 (whose processes nothing here needs).
        let remove_all = json!({ "colonyname": env.colony2, "state": 4 });
        add("removeallprocessesmsg", c2, with(&remove_all, "/state", n));
        add("removeallprocessgraphsmsg", c2, with(&remove_all, "/state", n));
        add("getcronsmsg", e1, json!({ "colonyname": c, "count": n }));
        add("getgeneratorsmsg", e1, json!({ "colonyname": c, "count": n }));
        // Logs.
        let logs = json!({ "colonyname": c, "processid": self.running, "executorname": "",
                           "count": 10, "since": 0, "latest": false });
        for pointer in ["/count", "/since"] {
            add("getlogsmsg", e1, with(&logs, pointer, n));
        }
        let search = json!({ "colonyname": c, "text": "x", "days": 1, "count": 10 });
        for pointer in ["/days", "/count"] {
            add("searchlogsmsg", e1, with(&search, pointer, n));
        }
        // Channels.
        let append = json!({ "processid": self.running, "name": "ch", "sequence": 1,
                             "inreplyto": 0, "payload": "aGk=", "payloadtype": "" });
        for pointer in ["/sequence", "/inreplyto"] {
            add("channelappendmsg", e1, with(&append, pointer, n));
        }
        let read = json!({ "processid": self.running, "name": "ch", "afterseq": 0, "limit": 10 });
        for pointer in ["/afterseq", "/limit"] {
            add("channelreadmsg", e1, with(&read, pointer, n));
        }
        // Blueprints.
        add("getblueprinthistorymsg", e1, json!({ "blueprintid": self.blueprint_id, "limit": n }));
        let new_blueprint = blueprint(c, &unique("hostile-bp"), &self.kind);
        for pointer in ["/blueprint/metadata/generation", "/blueprint/spec/replicas"] {
            add("addblueprintmsg", c1, with(&new_blueprint, pointer, n));
        }
        let mut update = blueprint(c, &self.blueprint_name, &self.kind);
        update["forcegeneration"] = json!(true);
        for pointer in ["/blueprint/metadata/generation", "/blueprint/spec/replicas"] {
            add("updateblueprintmsg", e1, with(&update, pointer, n));
        }
        let status = json!({ "colonyname": c, "blueprintname": self.blueprint_name,
                             "status": { "replicas": 1 } });
        add("updateblueprintstatusmsg", e1, with(&status, "/status/replicas", n));
        let new_definition = definition(c, &unique("hostile-def"), &unique("K").replace('-', ""));
        for pointer in [
            "/blueprintdefinition/metadata/generation",
            "/blueprintdefinition/spec/handler/reconcileInterval",
        ] {
            add("addblueprintdefinitionmsg", c1, with(&new_definition, pointer, n));
        }
        // Executors: registration, allocations, capabilities.
        let new_executor = json!({ "executor": {
            "executorid": key().id().to_hex(), "executortype": TYPE,
            "executorname": unique("hostile-executor"), "colonyname": c, "state": 0,
            "blueprintgen": 0,
            "capabilities": { "hardware": hardware(), "software": [] },
            "allocations": allocations() } });
        add("addexecutormsg", c1, with(&new_executor, "/executor/state", n));
        add("addexecutormsg", c1, with(&new_executor, "/executor/blueprintgen", n));
        for pointer in HARDWARE_NUMBERS {
            let hardware = with(&hardware(), pointer, n);
            let mut registered = new_executor.clone();
            registered["executor"]["capabilities"]["hardware"] = hardware.clone();
            registered["executor"]["executorid"] = json!(key().id().to_hex());
            registered["executor"]["executorname"] = json!(unique("hostile-executor"));
            add("addexecutormsg", c1, registered);
            let update = json!({ "colonyname": c, "executorname": env.e1_name,
                                 "capabilities": { "hardware": hardware, "software": [] } });
            add("updateexecutormsg", e1, update);
        }
        for pointer in PROJECT_NUMBERS {
            let report = json!({ "colonyname": c, "executorname": env.e1_name,
                                 "allocations": with(&allocations(), pointer, n) });
            add("reportallocationmsg", e1, report);
        }
        // Files, locations, functions, attributes.
        let file = json!({ "file": { "colonyname": c, "label": "/hostile",
            "name": unique("file"), "size": 1, "sequencenr": 0, "checksum": "x",
            "checksumalg": "SHA256", "ref": { "protocol": "s3", "s3object": {
                "server": "s", "port": 9000, "tls": false, "accesskey": "", "secretkey": "",
                "region": "", "encryptionkey": "", "encryptionalg": "", "object": "o",
                "bucket": "b" } } } });
        for pointer in ["/file/size", "/file/sequencenr", "/file/ref/s3object/port"] {
            add("addfilemsg", e1, with(&file, pointer, n));
        }
        let location = json!({ "location": { "name": unique("location"), "colonyname": c,
                                             "description": "", "long": 0, "lat": 0 } });
        for pointer in ["/location/long", "/location/lat"] {
            add("addlocationmsg", c1, with(&location, pointer, n));
        }
        let function = json!({ "fun": { "executorname": env.e1_name, "executortype": TYPE,
            "colonyname": c, "funcname": unique("fn"), "counter": 0, "minwaittime": 0,
            "maxwaittime": 0, "minexectime": 0, "maxexectime": 0, "avgwaittime": 0,
            "avgexectime": 0 } });
        for pointer in [
            "/fun/counter",
            "/fun/minwaittime",
            "/fun/maxwaittime",
            "/fun/minexectime",
            "/fun/maxexectime",
            "/fun/avgwaittime",
            "/fun/avgexectime",
        ] {
            add("addfunctionmsg", e1, with(&function, pointer, n));
        }
        let attribute = json!({ "attribute": { "targetid": self.running,
            "targetcolonyname": c, "targetprocessgraphid": "", "state": 1,
            "attributetype": 1, "key": unique("k"), "value": "v" } });
        for pointer in ["/attribute/state", "/attribute/attributetype"] {
            add("addattributemsg", e1, with(&attribute, pointer, n));
        }
        // WebSocket-only messages sent to /api are refused, whatever their numbers.
        add(
            "subscribeprocessesmsg",
            e1,
            json!({ "colonyname": c, "executortype": TYPE,
                                                 "state": 0, "timeout": n }),
        );
        add(
            "subscribechannelmsg",
            e1,
            json!({ "processid": self.running, "name": "ch",
                                               "afterseq": n, "timeout": n }),
        );
        probes
    }
}

#[tokio::test]
async fn no_number_a_member_sends_makes_a_5xx() {
    let h = Hostile::new().await;
    let mut findings = Findings::default();
    for n in hostile() {
        for probe in h.probes(&n) {
            let answer = h.env.call(&probe.signer, probe.payloadtype, probe.payload.clone()).await;
            findings.check(&probe, &answer);
            // An accepted cron would run for the rest of the suite.
            if probe.payloadtype == "addcronmsg" && answer.status == 200 {
                let cron = answer.ok_json();
                let remove = json!({ "cronid": cron["cronid"], "all": false });
                h.env.call(&h.env.e1, "removecronmsg", remove).await.ok_json();
            }
        }
        // Long polls: a process of the poller's own type is waiting, so any timeout the
        // server accepts is answered at once.
        let (poller, _) = executor(&h.env.client, &h.env.c1, &h.env.colony1, "poller", "").await;
        h.env.submit(&h.env.e1, full_spec(&h.env.colony1, "poller")).await;
        let probe = Probe {
            payloadtype: "assignprocessmsg",
            signer: poller,
            payload: json!({ "colonyname": h.env.colony1, "timeout": n,
                             "availablecpu": "", "availablemem": "" }),
        };
        let answer = h.env.call(&probe.signer, probe.payloadtype, probe.payload.clone()).await;
        findings.check(&probe, &answer);
    }
    assert!(
        findings.0.is_empty(),
        "{} probes failed:\n{}",
        findings.0.len(),
        findings.0.join("\n")
    );
    // The server still serves: a submit is assigned and closed.
    let (e3, _) = executor(&h.env.client, &h.env.c1, &h.env.colony1, "after", "").await;
    let process = h.env.submit(&h.env.e1, full_spec(&h.env.colony1, "after")).await;
    let assigned = h.env.assign(&e3, &h.env.colony1).await.ok_json();
    assert_eq!(assigned["processid"], process["processid"]);
    let close = json!({ "processid": id(&assigned), "out": [] });
    h.env.call(&e3, "closesuccessfulmsg", close).await.ok_json();
}

#[tokio::test]
async fn process_history_seconds_are_bounded() {
    let env = Env::new().await;
    let history = |seconds: Value| {
        json!({ "colonyname": env.colony1, "executorid": "",
                                            "seconds": seconds, "state": 0 })
    };
    for seconds in [i64::MAX, 2_147_483_648, -1, i64::MIN] {
        let failure =
            env.call(&env.e1, "getprocesshistmsg", history(json!(seconds))).await.assert_error(400);
        assert!(failure.message.contains("seconds"), "{}", failure.message);
        assert!(failure.message.contains("2147483647"), "{}", failure.message);
    }
    env.submit(&env.e1, support::spec(&env.colony1)).await;
    for seconds in [60, 2_147_483_647] {
        let found = env.call(&env.e1, "getprocesshistmsg", history(json!(seconds))).await.ok_json();
        assert_eq!(found.as_array().map(Vec::len), Some(1), "seconds {seconds}: {found}");
    }
}

#[tokio::test]
async fn function_spec_numbers_past_int4_are_400() {
    let env = Env::new().await;
    let c = env.colony1.as_str();
    for pointer in SPEC_NUMBERS {
        if pointer == "/conditions/walltime" {
            continue;
        }
        for n in [i64::MAX, i64::from(i32::MAX) + 1, i64::from(i32::MIN) - 1, i64::MIN] {
            let spec = with(&full_spec(c, TYPE), pointer, &json!(n));
            let failure = env
                .call(&env.e1, "submitfuncspecmsg", json!({ "spec": spec }))
                .await
                .assert_error(400);
            let field = pointer.rsplit('/').next().unwrap_or_default();
            assert!(failure.message.contains(field), "{pointer}: {}", failure.message);
        }
    }
    // Go's defaults (-1: none) and the ends of int4 are accepted; walltime is any i64.
    let mut spec = full_spec(c, TYPE);
    spec["maxwaittime"] = json!(i32::MAX);
    spec["maxexectime"] = json!(-1);
    spec["maxretries"] = json!(i32::MIN);
    spec["conditions"]["nodes"] = json!(i32::MAX);
    spec["conditions"]["gpu"]["count"] = json!(i32::MAX);
    spec["conditions"]["walltime"] = json!(i64::MAX);
    let process = env.submit(&env.e1, spec).await;
    assert_eq!(process["spec"]["conditions"]["walltime"], json!(i64::MAX));
    assert_eq!(process["spec"]["maxwaittime"], json!(i32::MAX));
}

fn cron(colony: &str, interval: i64) -> Value {
    json!({ "cron": { "colonyname": colony, "name": unique("cron"), "cronexpression": "",
        "interval": interval, "random": false,
        "workflowspec": workflow_string(colony, &full_spec(colony, TYPE)),
        "waitforprevprocessgraph": false } })
}

#[tokio::test]
async fn cron_intervals_are_bounded() {
    let env = Env::new().await;
    for interval in [i64::MAX, 2_147_483_648, i64::MIN, -2, 0] {
        let failure =
            env.call(&env.e1, "addcronmsg", cron(&env.colony1, interval)).await.assert_error(400);
        assert!(failure.message.contains("interval"), "{interval}: {}", failure.message);
    }
    let added = env.call(&env.e1, "addcronmsg", cron(&env.colony1, 2_147_483_647)).await.ok_json();
    assert_eq!(added["interval"], json!(2_147_483_647));
}

fn generator(colony: &str, trigger: i64, timeout: i64) -> Value {
    json!({ "generator": { "colonyname": colony, "name": unique("gen"),
        "workflowspec": workflow_string(colony, &full_spec(colony, TYPE)),
        "trigger": trigger, "timeout": timeout } })
}

#[tokio::test]
async fn generator_triggers_and_timeouts_are_bounded_and_negative_timeouts_mean_none() {
    let env = Env::new().await;
    let c = env.colony1.as_str();
    for (trigger, timeout) in
        [(i64::MAX, 0), (2_147_483_648, 0), (0, 0), (1, i64::MAX), (1, 2_147_483_648)]
    {
        let failure = env.call(&env.e1, "addgeneratormsg", generator(c, trigger, timeout)).await;
        let failure = failure.assert_error(400);
        let field = if trigger == 1 { "timeout" } else { "trigger" };
        assert!(failure.message.contains(field), "{trigger}/{timeout}: {}", failure.message);
    }
    // Go's SDK sends -1 for "no timeout".
    for timeout in [-1, i64::MIN, 0, 2_147_483_647] {
        let added = env.call(&env.e1, "addgeneratormsg", generator(c, 2, timeout)).await.ok_json();
        assert_eq!(added["timeout"], json!(timeout));
    }
}

#[tokio::test]
async fn a_huge_assign_timeout_is_a_long_poll() {
    let env = Env::new().await;
    let c = env.colony1.clone();
    let (poller, _) = executor(&env.client, &env.c1, &c, "huge-poller", "").await;
    let payload = json!({ "colonyname": c, "timeout": i64::MAX });
    let poll = env.call(&poller, "assignprocessmsg", payload);
    let submit = async {
        tokio::time::sleep(core::time::Duration::from_millis(700)).await;
        env.submit(&env.e1, full_spec(&c, "huge-poller")).await
    };
    let (assigned, submitted) = tokio::time::timeout(core::time::Duration::from_secs(20), async {
        tokio::join!(poll, submit)
    })
    .await
    .expect("the long poll answers once a process is submitted");
    assert_eq!(assigned.ok_json()["processid"], submitted["processid"]);
}

/// Polls `check` every 250 ms for up to `seconds`.
async fn eventually<F, Fut>(seconds: u64, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: core::future::Future<Output = bool>,
{
    for _ in 0..seconds * 4 {
        if check().await {
            return true;
        }
        tokio::time::sleep(core::time::Duration::from_millis(250)).await;
    }
    false
}

#[tokio::test]
async fn rows_with_huge_numbers_do_not_stop_the_sweeps() {
    let Some(db) = support::database().await else { return };
    let env = Env::new().await;
    let c = env.colony1.as_str();
    // Rows no API accepts any more (written before the checks, or by another writer): a
    // generator with packed args and a huge timeout, and a due cron with a huge interval.
    let broken = env.call(&env.e1, "addgeneratormsg", generator(c, 5, 1)).await.ok_json();
    let broken_id = broken["generatorid"].as_str().expect("an ID").to_owned();
    db.execute(
        "UPDATE generators SET timeout = $2 WHERE generator_id = $1",
        &[&broken_id, &i64::MAX],
    )
    .await
    .expect("the generator row");
    env.call(&env.e1, "packgeneratormsg", json!({ "generatorid": broken_id, "arg": "a" }))
        .await
        .ok_json();
    let broken_cron = env.call(&env.e1, "addcronmsg", cron(c, 3600)).await.ok_json();
    let broken_cron_id = broken_cron["cronid"].as_str().expect("an ID").to_owned();
    db.execute(
        "UPDATE crons SET interval_seconds = $2, next_run = now() WHERE cron_id = $1",
        &[&broken_cron_id, &i64::MAX],
    )
    .await
    .expect("the cron row");
    // A sound generator still runs, and so does the cron (its next run clamped).
    let sound = env.call(&env.e1, "addgeneratormsg", generator(c, 1, 0)).await.ok_json();
    let sound_id = sound["generatorid"].as_str().expect("an ID").to_owned();
    env.call(&env.e1, "packgeneratormsg", json!({ "generatorid": sound_id, "arg": "b" }))
        .await
        .ok_json();
    let ran = || async {
        let g = env.call(&env.e1, "getgeneratormsg", json!({ "generatorid": sound_id })).await;
        let cron = env.call(&env.e1, "getcronmsg", json!({ "cronid": broken_cron_id })).await;
        let cron = cron.ok_json();
        (g.ok_json()["queuesize"] == json!(0), cron["prevprocessgraphid"] != json!(""))
    };
    assert!(
        eventually(10, || async { ran().await == (true, true) }).await,
        "(generator ran, cron ran) = {:?}",
        ran().await
    );
}
