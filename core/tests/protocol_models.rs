//! Every model against JSON as the Go server writes it (`tests/fixtures/models/`): indented,
//! `null` lists, zero times, local and LMT offsets, any JSON in `args`/`out`.
//! Each fixture is parsed, checked field by field, written, and read back unchanged; what we
//! write must say the same as the fixture (see `protocol_support::assert_equivalent`).
// A failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod protocol_support;

use colonies_core::{
    message::{GetColoniesMsg, GetCronsMsg, GetPauseStatusMsg, parse_reply, reply_to_json},
    model::*,
    time::Timestamp,
};
use core::fmt::Debug;
use protocol_support::{assert_equivalent, assert_no_null, fixture};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Value, json};

/// Reads `models/<file>` as `T`, writes it, reads it back, and compares with the fixture.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(file: &str) -> T {
    let text = fixture(&format!("models/{file}"));
    let first: T = serde_json::from_str(&text).unwrap();
    let written = serde_json::to_string_pretty(&first).unwrap();
    let second: T = serde_json::from_str(&written).unwrap();
    assert_eq!(first, second, "{file}: read → write → read changed the value");
    assert_eq!(serde_json::to_string(&second).unwrap(), serde_json::to_string(&first).unwrap());
    let go: Value = serde_json::from_str(&text).unwrap();
    let ours: Value = serde_json::from_str(&written).unwrap();
    assert_equivalent(&go, &ours, &[], file);
    first
}

fn written<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap()
}

fn ts(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

#[test]
fn colony_and_user() {
    let colony: Colony = round_trip("colony.json");
    assert_eq!(colony.name, "dev");
    assert_eq!(colony.colonyid.len(), 64);
    let user: User = round_trip("user.json");
    assert_eq!((user.colonyname.as_str(), user.name.as_str()), ("dev", "alice"));
    assert_eq!(user.email, "alice@example.com");
    assert_eq!(user.phone, "+46701234567");
    assert!(user.userid.ends_with("f696"));
}

#[test]
fn colonies_reply_may_be_null() {
    let colonies = parse_reply::<GetColoniesMsg>(fixture("models/colonies_null.json").as_bytes());
    assert_eq!(colonies.unwrap(), Vec::<Colony>::new());
    let crons = parse_reply::<GetCronsMsg>(fixture("models/crons_empty.json").as_bytes()).unwrap();
    assert!(crons.is_empty());
    assert_eq!(reply_to_json::<GetColoniesMsg>(&Vec::new()), "[]");
}

#[test]
fn executor() {
    let e: Executor = round_trip("executor.json");
    assert_eq!(e.executortype, "container-executor");
    assert_eq!(e.executorname, "gpu-node-1");
    assert_eq!(e.state, ExecutorState::Approved);
    assert!(e.requirefuncreg);
    assert_eq!(e.commissiontime, ts("2026-02-12T10:00:00.123456789Z"));
    assert_eq!(e.commissiontime.offset_seconds(), 3600);
    assert_eq!(e.lastheardfromtime, ts("2026-02-12T10:05:30.5Z"));
    assert_eq!(e.locationname, "edge");
    let hw = &e.capabilities.hardware[0];
    assert_eq!((hw.nodes, hw.cores, hw.cpu.as_str()), (2, 64, "64000m"));
    assert_eq!(
        hw.gpu,
        Gpu { name: "nvidia-a100".into(), mem: "80Gi".into(), count: 8, nodecount: 2 }
    );
    assert_eq!(hw.network, ["infiniband", "10gbe"]);
    assert_eq!(e.capabilities.software[0].software_type, "docker");
    let climate = e.allocations.projects.as_ref().unwrap()["climate"];
    assert_eq!((climate.allocatedcpu, climate.usedstorage), (1000, 52_428_800));
    assert_eq!((e.blueprintid.len(), e.blueprintgen), (64, 3));
    let ours = written(&e);
    assert_eq!(ours["commissiontime"], "2026-02-12T10:00:00.123456789Z");
    assert_eq!(ours["state"], 1);
}

#[test]
fn pending_executor_with_nulls_and_zero_times() {
    let e: Executor = round_trip("executor_pending.json");
    assert_eq!(e.state, ExecutorState::Pending);
    assert!(e.commissiontime.is_unset(), "LMT-rendered zero time is unset");
    assert!(e.lastheardfromtime.is_unset());
    assert!(e.capabilities.hardware.is_empty() && e.allocations.projects.is_none());
    let ours = written(&e);
    assert_eq!(ours["commissiontime"], "0001-01-01T00:00:00Z");
    assert_eq!(ours["capabilities"], json!({"hardware": [], "software": []}));
    assert_eq!(ours["allocations"], json!({"projects": null}), "Go's nil map stays nil");
    for omitted in ["locationname", "blueprintid", "blueprintgen"] {
        assert!(ours.get(omitted).is_none(), "{omitted} is omitempty");
    }
    let list: Vec<Executor> = round_trip("executors.json");
    assert_eq!(list[0].state, ExecutorState::Unregistered);
    assert_eq!(list[0].lastheardfromtime.unix_nanos(), Some(1_770_905_400_000_000_001));
}

#[test]
fn running_process() {
    let p: Process = round_trip("process.json");
    assert_eq!(p.state, ProcessState::Running);
    assert!(p.isassigned);
    assert_eq!(p.assignedexecutorid, p.initiatorid);
    assert_eq!(p.prioritytime, 1_770_804_000_123_456_789);
    assert_eq!(p.submissiontime.unix_nanos(), Some(1_770_890_400_123_456_789));
    assert_eq!(p.starttime, ts("2026-02-12T10:00:01.5Z"));
    assert!(p.endtime.is_unset());
    assert_eq!(p.retries, 1);
    assert_eq!(p.attributes[0].attributetype, AttributeType::Env);
    assert_eq!(p.attributes[0].state, ProcessState::Running);
    assert_eq!((p.attributes[0].key.as_str(), p.attributes[0].value.as_str()), ("A", "1"));
    let spec = &p.spec;
    assert_eq!((spec.nodename.as_str(), spec.funcname.as_str()), ("train", "train_model"));
    assert_eq!(
        spec.args,
        [
            json!("data.csv"),
            json!(42),
            json!(3.5),
            json!(true),
            json!(null),
            json!({"nested": [1, "two"]})
        ]
    );
    assert_eq!(spec.kwargs["epochs"], 10);
    assert_eq!(
        (spec.priority, spec.maxwaittime, spec.maxexectime, spec.maxretries),
        (5, 1000, 100, 3)
    );
    let c = &spec.conditions;
    assert_eq!(c.executornames, ["gpu-node-1"]);
    assert_eq!(
        (c.locationname.as_str(), c.cpu.as_str(), c.mem.as_str()),
        ("edge", "4000m", "10240Mi")
    );
    assert_eq!((c.nodes, c.processes, c.processespernode, c.walltime), (1, 1, 1, 3600));
    assert_eq!(c.gpu.count, 1);
    assert_eq!(spec.label, "experiment");
    assert_eq!(spec.fs.mount, "/cfs");
    assert!(spec.fs.snapshots[0].keepsnapshot && !spec.fs.snapshots[0].keepfiles);
    let dir = &spec.fs.dirs[0];
    assert!(
        dir.keepfiles && dir.onconflicts.onclose.keeplocal && !dir.onconflicts.onstart.keeplocal
    );
    assert_eq!(spec.env["A"], "1");
    assert_eq!(spec.channels, ["progress"]);
    assert_eq!(p.output, [json!("partial"), json!(7)]);
    assert!(p.input.is_empty() && p.errors.is_empty() && !p.in_workflow());
    let ours = written(&p);
    assert_eq!(ours["submissiontime"], "2026-02-12T10:00:00.123456789Z");
    assert_eq!(ours["endtime"], "0001-01-01T00:00:00Z");
    assert_eq!(ours["spec"]["args"][1], 42);
}

#[test]
fn waiting_process_written_without_nulls() {
    let p: Process = round_trip("process_waiting_nulls.json");
    assert_eq!(p.state, ProcessState::Waiting);
    assert!(p.starttime.is_unset() && p.waitdeadline.is_unset());
    assert!(p.attributes.is_empty() && p.parents.is_empty() && p.output.is_empty());
    assert!(p.spec.args.is_empty() && p.spec.kwargs.is_empty() && p.spec.env.is_empty());
    assert!(p.spec.conditions.executornames.is_empty());
    let ours = written(&p);
    assert_no_null(&ours, "process");
    for key in ["parents", "children", "errors", "in", "out", "attributes"] {
        assert_eq!(ours[key], json!([]), "{key}");
    }
    assert_eq!(ours["spec"]["args"], json!([]));
    assert_eq!(ours["spec"]["env"], json!({}));
    assert_eq!(ours["spec"]["kwargs"], json!({}));
    assert_eq!(ours["spec"]["conditions"]["dependencies"], json!([]));
    assert_eq!(ours["spec"]["conditions"]["executornames"], json!([]));
    assert!(ours["spec"].get("channels").is_none(), "channels is omitempty");
    // Every Process key is always written, even for a default process.
    let mut keys: Vec<String> =
        written(&Process::default()).as_object().unwrap().keys().cloned().collect();
    // Sorted: serde_json keeps insertion order when its `preserve_order` is on (feature `schema`).
    keys.sort();
    let go: Value = serde_json::from_str(&fixture("models/process.json")).unwrap();
    let mut go_keys: Vec<String> = go.as_object().unwrap().keys().cloned().collect();
    go_keys.sort();
    assert_eq!(keys, go_keys);
}

#[test]
fn process_list() {
    let list: Vec<Process> = round_trip("processes.json");
    let p = &list[0];
    assert_eq!(p.state, ProcessState::Failed);
    assert!(p.in_workflow());
    assert_eq!(p.parents.len(), 1);
    assert_eq!(p.input, [json!("o1")]);
    assert_eq!(p.errors, ["Maximum execution time limit exceeded"]);
    assert_eq!(p.spec.conditions.dependencies, ["task1"]);
    assert_eq!(p.endtime, ts("2026-02-12T10:00:09.999Z"));
}

#[test]
fn function_spec_from_pycolonies() {
    let spec: FunctionSpec = round_trip("function_spec_pycolonies.json");
    assert_eq!(spec.args, [json!("hello"), json!("world")]);
    assert_eq!(spec.kwargs["greeting"], "hi");
    assert_eq!(spec.fs, Filesystem::default(), "fs: null reads as empty");
    assert!(spec.conditions.executornames.is_empty());
    assert_eq!(spec.maxexectime, 60);
    assert!(spec.reconciliation.is_none());
}

#[test]
fn workflows_and_graphs() {
    let wf: WorkflowSpec = round_trip("workflow_spec.json");
    assert_eq!(wf.colonyname, "dev");
    assert_eq!(wf.functionspecs.len(), 2);
    assert_eq!(wf.functionspecs[1].conditions.dependencies, ["task1"]);
    assert_eq!(wf.functionspecs[0].args, [json!(1)]);
    let g: ProcessGraph = round_trip("process_graph.json");
    assert_eq!(g.state, ProcessState::Running);
    assert_eq!((g.rootprocessids.len(), g.processids.len()), (1, 2));
    assert!(g.endtime.is_unset());
    assert_eq!(g.submissiontime, ts("2026-02-12T10:00:00.000001Z"));
    assert_eq!(g.nodes[1].data.label, "task2");
    assert_eq!(g.nodes[1].position, NodePosition { x: 150, y: 100 });
    assert_eq!(g.nodes[0].node_type, "input");
    assert_eq!(g.nodes[0].style.background, "#2ecc71");
    assert!(g.edges[0].animated);
    assert_eq!(g.edges[0].target, g.processids[1]);
    let list: Vec<ProcessGraph> = round_trip("process_graphs_list.json");
    assert_eq!(list[0].state, ProcessState::Success);
    assert!(list[0].nodes.is_empty());
    assert_eq!(written(&list[0])["edges"], json!([]));
}

#[test]
fn attribute_and_function() {
    let a: Attribute = round_trip("attribute.json");
    assert_eq!((a.attributetype, a.state), (AttributeType::Out, ProcessState::Success));
    assert_eq!((a.key.as_str(), a.value.as_str()), ("result", "42"));
    assert_eq!(a.targetprocessgraphid.len(), 64);
    let f: Function = round_trip("function.json");
    assert_eq!(f.funcname, "train_model");
    assert_eq!(f.description, "Trains a model");
    assert_eq!(f.args[0].arg_type, "int");
    assert!(f.args[0].required);
    assert_eq!(f.args[1].allowed, ["fast", "slow"]);
    assert_eq!(f.counter, 12);
    assert_eq!((f.minwaittime, f.maxexectime, f.avgexectime), (0.01, 30.25, 12.5));
    assert_eq!(f.locationname, "edge");
    let minimal: Vec<Function> = round_trip("functions_minimal.json");
    let ours = written(&minimal[0]);
    for omitted in ["description", "args", "locationname"] {
        assert!(ours.get(omitted).is_none(), "{omitted} is omitempty");
    }
}

#[test]
fn logs_crons_generators() {
    let logs: Vec<Log> = round_trip("logs.json");
    assert_eq!(logs[0].message, "hello\n");
    assert_eq!(logs[0].timestamp, 1_770_890_400_123_456_789);
    assert!(logs[1].processid.is_empty());
    let cron: Cron = round_trip("cron.json");
    assert_eq!((cron.interval, cron.cronexpression.as_str()), (-1, "0 0 3 * * *"));
    assert!(cron.waitforprevprocessgraph && !cron.random);
    assert_eq!(cron.nextrun, ts("2026-02-13T02:00:00Z"));
    assert!(cron.lastrun.is_unset());
    assert_eq!(cron.checkerperiod, 1000);
    let inner: WorkflowSpec = serde_json::from_str(&cron.workflowspec).unwrap();
    assert_eq!(inner.functionspecs[0].nodename, "task1");
    let g: Generator = round_trip("generator.json");
    assert_eq!((g.trigger, g.timeout, g.queuesize), (3, 0, 2));
    assert_eq!(g.firstpack, ts("2026-02-12T10:00:00.25Z"));
    assert!(g.lastrun.is_unset());
    assert!(serde_json::from_str::<WorkflowSpec>(&g.workflowspec).is_ok());
}

#[test]
fn files_snapshots_locations() {
    let files: Vec<File> = round_trip("files.json");
    let f = &files[0];
    assert_eq!(
        (f.label.as_str(), f.name.as_str(), f.size, f.sequencenr),
        ("/datasets", "data.csv", 1_048_576, 7)
    );
    assert_eq!(f.checksumalg, "SHA256");
    assert_eq!(f.reference.protocol, "s3");
    let s3 = &f.reference.s3object;
    assert_eq!(
        (s3.server.as_str(), s3.port, s3.tls, s3.bucket.as_str()),
        ("minio.local", 9000, true, "colonies")
    );
    assert_eq!(f.added, ts("2026-02-12T10:00:00.1Z"));
    let data: Vec<FileData> = round_trip("file_data.json");
    assert_eq!((data[0].size, data[0].s3filename.len()), (1_048_576, 32));
    let labels: Vec<Label> = round_trip("labels.json");
    assert_eq!((labels[1].name.as_str(), labels[1].files), ("/datasets/raw", 1));
    let s: Snapshot = round_trip("snapshot.json");
    assert_eq!((s.name.as_str(), s.fileids.len()), ("v1", 1));
    let l: Location = round_trip("location.json");
    assert_eq!((l.name.as_str(), l.description.as_str()), ("edge", "Lab in Luleå"));
    assert_eq!((l.long, l.lat), (22.1547, 65.5848));
}

#[test]
fn statistics_server_cluster() {
    let s: Statistics = round_trip("statistics.json");
    assert_eq!((s.colonies, s.executors, s.activeexecutors, s.unregisteredexecutors), (1, 4, 2, 1));
    assert_eq!((s.successfulprocesses, s.cancelledprocesses, s.failedworkflows), (100, 1, 2));
    let info: ServerInfo = round_trip("server_info.json");
    assert_eq!(info.buildversion, "v1.9.12");
    assert_eq!(info.backends[0].backend_type, "http");
    assert!(info.backends[0].tls && info.backends[0].insecure);
    let ours = written(&info);
    assert!(ours["backends"][1].get("tls").is_none(), "tls is omitempty");
    let c: ClusterConfig = round_trip("cluster_config.json");
    assert_eq!(c.nodes.len(), 2);
    assert_eq!(c.leader, c.nodes[0]);
    assert_eq!((c.leader.peerport, c.leader.relayport, c.leader.apiport), (2380, 2381, 50080));
}

#[test]
fn pause_status_reply_carries_its_msgtype() {
    let text = fixture("models/pause_status.json");
    let status = parse_reply::<GetPauseStatusMsg>(text.as_bytes()).unwrap();
    assert_eq!(status, PauseStatus { colonyname: "dev".into(), ispaused: true });
    let ours: Value = serde_json::from_str(&reply_to_json::<GetPauseStatusMsg>(&status)).unwrap();
    assert_eq!(ours, serde_json::from_str::<Value>(&text).unwrap());
}

#[test]
fn channel_entries() {
    let entries: Vec<MsgEntry> = round_trip("msg_entries.json");
    assert_eq!(entries[0].payload, b"hello world");
    assert_eq!(entries[0].entry_type, "data");
    assert_eq!(entries[0].timestamp.unix_nanos(), Some(1_770_890_400_000_000_123));
    assert_eq!((entries[1].inreplyto, entries[1].error.as_str()), (1, "boom"));
    assert!(entries[1].payload.is_empty());
    let ours = written(&entries[0]);
    assert_eq!(ours["payload"], "aGVsbG8gd29ybGQ=");
    assert!(ours.get("inreplyto").is_none() && ours.get("error").is_none());
    assert!(serde_json::from_str::<MsgEntry>(r#"{"payload":"not base64!"}"#).is_err());
}

#[test]
fn blueprints() {
    let b: Blueprint = round_trip("blueprint.json");
    assert_eq!(b.kind, "ExecutorDeployment");
    let m = &b.metadata;
    assert_eq!(
        (m.name.as_str(), m.colonyname.as_str(), m.locationname.as_str()),
        ("ml-pool", "dev", "edge")
    );
    assert_eq!((m.labels["team"].as_str(), m.annotations["owner"].as_str()), ("ml", "alice"));
    assert_eq!(m.generation, 2);
    assert_eq!(m.created_at, ts("2026-02-12T10:00:00.5Z"));
    assert_eq!(m.last_reconciliation_process.len(), 64);
    assert_eq!(b.spec["replicas"], 3);
    assert_eq!(b.status["ready"], 2);
    let d: BlueprintDefinition = round_trip("blueprint_definition.json");
    assert_eq!(d.spec.names.list_kind, "ExecutorDeploymentList");
    assert_eq!(d.spec.names.short_names, ["ed"]);
    assert_eq!(d.spec.scope, "Namespaced");
    assert_eq!(d.spec.schema.as_ref().unwrap()["required"][0], "replicas");
    assert_eq!(d.spec.handler.executor_type, "deployment-reconciler");
    assert_eq!(
        (d.spec.handler.function_name.as_str(), d.spec.handler.reconcile_interval),
        ("reconcile", 60)
    );
    let h: Vec<BlueprintHistory> = round_trip("blueprint_history.json");
    assert_eq!(
        (h[0].namespace.as_str(), h[0].generation, h[0].changetype.as_str()),
        ("dev", 2, "update")
    );
    assert!(h[0].status.is_empty());
}

#[test]
fn blueprint_from_an_older_server() {
    // Older servers call the colony `namespace` and write zero times; `spec` may be null.
    let text = fixture("models/blueprint_minimal.json");
    let b: Blueprint = serde_json::from_str(&text).unwrap();
    assert_eq!(b.metadata.colonyname, "dev");
    assert!(b.metadata.created_at.is_unset() && b.spec.is_empty());
    let ours = written(&b);
    assert_eq!(ours["metadata"], json!({"name": "tiny", "colonyname": "dev"}));
    assert_eq!(ours["spec"], json!({}));
    assert_eq!(serde_json::from_value::<Blueprint>(ours).unwrap(), b);
}

/// Keys whose objects are maps (any key is data), not structs.
const MAPS: &[&str] =
    &["projects", "kwargs", "env", "labels", "annotations", "spec", "status", "schema", "args"];

/// Adds an unknown field to every struct-shaped object of `value`.
fn with_unknown_fields(value: &mut Value) {
    match value {
        Value::Object(o) => {
            for (key, inner) in o.iter_mut() {
                if !MAPS.contains(&key.as_str()) || inner.get("conditions").is_some() {
                    with_unknown_fields(inner);
                }
            }
            o.insert("fieldfromthefuture".into(), json!({"x": [1, null]}));
        }
        Value::Array(a) => a.iter_mut().for_each(with_unknown_fields),
        _ => {}
    }
}

fn tolerates_unknown_fields<T: DeserializeOwned + PartialEq + Debug>(file: &str) {
    let text = fixture(&format!("models/{file}"));
    let plain: T = serde_json::from_str(&text).unwrap();
    let mut extended: Value = serde_json::from_str(&text).unwrap();
    with_unknown_fields(&mut extended);
    assert_eq!(serde_json::from_value::<T>(extended).unwrap(), plain, "{file}");
}

#[test]
fn unknown_fields_are_ignored_everywhere() {
    tolerates_unknown_fields::<Executor>("executor.json");
    tolerates_unknown_fields::<Process>("process.json");
    tolerates_unknown_fields::<ProcessGraph>("process_graph.json");
    tolerates_unknown_fields::<Vec<File>>("files.json");
    tolerates_unknown_fields::<Function>("function.json");
    tolerates_unknown_fields::<Cron>("cron.json");
    tolerates_unknown_fields::<ServerInfo>("server_info.json");
    tolerates_unknown_fields::<BlueprintDefinition>("blueprint_definition.json");
}

#[test]
fn missing_fields_default() {
    assert_eq!(serde_json::from_str::<Process>("{}").unwrap(), Process::default());
    assert_eq!(serde_json::from_str::<Executor>("{}").unwrap(), Executor::default());
    let p: Process = serde_json::from_str(r#"{"processid":"p","spec":{"conditions":{}}}"#).unwrap();
    assert_eq!(p.processid, "p");
    assert!(p.submissiontime.is_unset());
}

#[test]
fn null_lists_maps_and_structs_default() {
    let nulls = r#"{"attributes":null,"spec":null,"parents":null,"children":null,"in":null,
        "out":null,"errors":null,"submissiontime":null}"#;
    assert_eq!(serde_json::from_str::<Process>(nulls).unwrap(), Process::default());
    let spec = r#"{"args":null,"kwargs":null,"conditions":null,"fs":{"snapshots":null,"dirs":[
        {"onconflicts":null}]},"env":null,"channels":null}"#;
    let spec: FunctionSpec = serde_json::from_str(spec).unwrap();
    assert_eq!(spec.fs.dirs[0].onconflicts, ConflictResolution::default());
    let e: Executor = serde_json::from_str(r#"{"capabilities":null,"allocations":null}"#).unwrap();
    assert_eq!(e, Executor::default());
}

#[test]
fn unknown_integers_are_errors() {
    for bad in [r#"{"state":5}"#, r#"{"state":-1}"#, r#"{"state":"1"}"#, r#"{"state":1.5}"#] {
        assert!(serde_json::from_str::<Process>(bad).is_err(), "{bad}");
    }
    assert!(serde_json::from_str::<Executor>(r#"{"state":4}"#).is_err());
    assert!(serde_json::from_str::<Attribute>(r#"{"attributetype":9}"#).is_err());
    assert_eq!(ProcessState::from_code(4), Some(ProcessState::Cancelled));
    assert_eq!(ExecutorState::try_from(3), Ok(ExecutorState::Unregistered));
    assert_eq!(AttributeType::try_from(7), Err(7));
    assert_eq!(i64::from(AttributeType::Env), 3);
    assert_eq!(StateFilter::from_code(-1), Some(StateFilter::All));
    assert_eq!(StateFilter::from_code(-2), None);
}

#[test]
fn timestamps_in_models() {
    let p: Process = serde_json::from_str(
        r#"{"submissiontime":"2026-02-12T11:00:00.123456789+01:00","starttime":"",
            "endtime":"2026-02-12T10:00:00.1200Z","execdeadline":"0001-01-01T00:00:00Z"}"#,
    )
    .unwrap();
    assert!(p.starttime.is_unset() && p.execdeadline.is_unset());
    let ours = written(&p);
    assert_eq!(ours["submissiontime"], "2026-02-12T10:00:00.123456789Z");
    assert_eq!(ours["endtime"], "2026-02-12T10:00:00.12Z");
    assert_eq!(ours["starttime"], "0001-01-01T00:00:00Z");
    for bad in [
        r#"{"starttime":"yesterday"}"#,
        r#"{"starttime":12}"#,
        r#"{"starttime":"2026-02-30T00:00:00Z"}"#,
    ] {
        assert!(serde_json::from_str::<Process>(bad).is_err(), "{bad}");
    }
}
