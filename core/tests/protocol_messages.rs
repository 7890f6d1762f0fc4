//! Every message against its payload as Go (or pycolonies) writes it
//! (`tests/fixtures/messages/<payloadtype>.json`): parse, check fields, write with `msgtype`,
//! parse again; plus the replies that are not plain models.
// A failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod protocol_support;

use colonies_core::{
    message::*,
    model::{AttributeType, ProcessState, StateFilter},
};
use protocol_support::{assert_equivalent, fixture};
use serde_json::{Value, json};

/// Fields real clients send that Colonies does not know (protocol §2.2). pycolonies'
/// `processgraphid` in getprocessesmsg is one too for Go, but we serve it as a filter.
const UNKNOWN_FIELDS: &[(&str, &str)] = &[("getlogsmsg", "executorid")];

fn payload(payload_type: &str) -> String {
    fixture(&format!("messages/{payload_type}.json"))
}

/// Round-trips the fixture of `M` and compares what we write with it.
struct RoundTrip;

impl KindVisitor for RoundTrip {
    type Output = ();

    fn visit<M: Message>(self) {
        let text = payload(M::PAYLOAD_TYPE);
        let go: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(go["msgtype"], M::PAYLOAD_TYPE, "fixture msgtype");
        let first: M = parse_payload(text.as_bytes()).unwrap();
        let written = to_payload_json(&first);
        let ours: Value = serde_json::from_str(&written).unwrap();
        assert_eq!(ours["msgtype"], M::PAYLOAD_TYPE);
        let second: M = parse_payload(written.as_bytes()).unwrap();
        assert_eq!(first, second, "{}: read → write → read changed the value", M::PAYLOAD_TYPE);
        assert_eq!(to_payload_json(&second), written);
        let unknown: Vec<&str> = UNKNOWN_FIELDS
            .iter()
            .filter(|(pt, _)| *pt == M::PAYLOAD_TYPE)
            .map(|(_, field)| *field)
            .collect();
        assert_equivalent(&go, &ours, &unknown, M::PAYLOAD_TYPE);
        // A default message writes and reads back too, and an empty payload reads as default.
        let empty: M = parse_payload(b"{}").unwrap();
        assert_eq!(empty, M::default());
        assert_eq!(parse_payload::<M>(to_payload_json(&empty).as_bytes()).unwrap(), empty);
        // Replies: the default reply writes and reads back; `null` reads as the default.
        let reply = M::Reply::default();
        assert_eq!(parse_reply::<M>(reply_to_json::<M>(&reply).as_bytes()).unwrap(), reply);
        assert_eq!(parse_reply::<M>(b"null").unwrap(), reply);
    }
}

#[test]
fn every_message_round_trips_against_its_fixture() {
    for kind in MessageKind::ALL {
        kind.visit(RoundTrip);
    }
}

#[test]
fn colony_and_executor_fields() {
    let m: AddColonyMsg = parse_payload(payload("addcolonymsg").as_bytes()).unwrap();
    assert_eq!((m.colony.name.as_str(), m.colony.colonyid.len()), ("dev", 64));
    let m: AddExecutorMsg = parse_payload(payload("addexecutormsg").as_bytes()).unwrap();
    assert_eq!(m.executor.executorname, "e1");
    assert_eq!(m.executor.locationname, "edge");
    assert_eq!(m.executor.capabilities.hardware[0].architecture, "arm64");
    assert!(m.executor.capabilities.software.is_empty());
    let m: ReportAllocationMsg = parse_payload(payload("reportallocationmsg").as_bytes()).unwrap();
    assert_eq!(m.allocations.projects.unwrap()["climate"].allocatedgpu, 1);
    let m: UpdateExecutorMsg = parse_payload(payload("updateexecutormsg").as_bytes()).unwrap();
    assert_eq!(m.capabilities.software[0].version, "3.12");
    let m: GetExecutorByIdMsg = parse_payload(payload("getexecutorbyidmsg").as_bytes()).unwrap();
    assert!(m.executorid.ends_with("e2f"));
}

#[test]
fn process_fields() {
    let m: SubmitFunctionSpecMsg = parse_payload(payload("submitfuncspecmsg").as_bytes()).unwrap();
    assert_eq!(m.spec.args, [json!("hello"), json!(42), json!(1.5)]);
    assert_eq!(m.spec.kwargs["n"], 3);
    assert_eq!(m.spec.conditions.cpu, "1000m");
    assert!(m.spec.conditions.executornames.is_empty());
    let m: AssignProcessMsg = parse_payload(payload("assignprocessmsg").as_bytes()).unwrap();
    assert_eq!(m.timeout, 10);
    assert_eq!((m.availablecpu.as_str(), m.availablemem.as_str()), ("4000m", "10G"));
    let m: GetProcessesMsg = parse_payload(payload("getprocessesmsg").as_bytes()).unwrap();
    assert_eq!(
        (m.count, m.state, m.executortype.as_str()),
        (100, StateFilter::Only(ProcessState::Success), "cli")
    );
    let m: GetProcessHistoryMsg = parse_payload(payload("getprocesshistmsg").as_bytes()).unwrap();
    assert_eq!((m.seconds, m.state), (3600, ProcessState::Failed));
    let m: CloseSuccessfulMsg = parse_payload(payload("closesuccessfulmsg").as_bytes()).unwrap();
    assert_eq!(m.output, [json!("r"), json!(7), json!({"k": [1, 2]})]);
    let m: CloseFailedMsg = parse_payload(payload("closefailedmsg").as_bytes()).unwrap();
    assert_eq!(m.errors, ["boom", "bang"]);
    let m: SetOutputMsg = parse_payload(payload("setoutputmsg").as_bytes()).unwrap();
    assert!(m.output.is_empty(), "out: null reads as empty");
    assert_eq!(serde_json::from_str::<Value>(&to_payload_json(&m)).unwrap()["out"], json!([]));
}

#[test]
fn state_filters() {
    let m: RemoveAllProcessesMsg =
        parse_payload(payload("removeallprocessesmsg").as_bytes()).unwrap();
    assert_eq!(m.state, StateFilter::All);
    let m: RemoveAllProcessGraphsMsg =
        parse_payload(payload("removeallprocessgraphsmsg").as_bytes()).unwrap();
    assert_eq!(m.state, StateFilter::Only(ProcessState::Cancelled));
    let m: RemoveAllProcessesMsg = parse_payload(br#"{"colonyname":"dev"}"#).unwrap();
    assert_eq!(m.state, StateFilter::Only(ProcessState::Waiting), "Go's zero value");
    assert!(parse_payload::<RemoveAllProcessesMsg>(br#"{"state":-2}"#).is_err());
    assert!(parse_payload::<GetProcessesMsg>(br#"{"state":5}"#).is_err());
    let written = to_payload_json(&RemoveAllProcessesMsg {
        colonyname: "dev".into(),
        state: StateFilter::All,
    });
    assert_eq!(written, r#"{"msgtype":"removeallprocessesmsg","colonyname":"dev","state":-1}"#);
}

#[test]
fn workflow_fields() {
    let m: SubmitWorkflowSpecMsg =
        parse_payload(payload("submitworkflowspecmsg").as_bytes()).unwrap();
    assert_eq!(m.spec.functionspecs.len(), 2);
    assert_eq!(m.spec.functionspecs[1].conditions.dependencies, ["task1"]);
    assert_eq!(m.spec.functionspecs[1].conditions.executornames, ["e1"]);
    let m: AddChildMsg = parse_payload(payload("addchildmsg").as_bytes()).unwrap();
    assert!(m.insert);
    assert_eq!(m.spec.nodename, "child");
    assert_eq!(m.parentprocessid.len(), 64);
    let m: GetProcessGraphsMsg = parse_payload(payload("getprocessgraphsmsg").as_bytes()).unwrap();
    assert_eq!(m.state, ProcessState::Running);
}

#[test]
fn attribute_function_log_fields() {
    let m: AddAttributeMsg = parse_payload(payload("addattributemsg").as_bytes()).unwrap();
    assert_eq!(m.attribute.attributetype, AttributeType::Out);
    assert_eq!((m.attribute.key.as_str(), m.attribute.value.as_str()), ("k", "v"));
    let m: AddFunctionMsg = parse_payload(payload("addfunctionmsg").as_bytes()).unwrap();
    assert_eq!(m.function.funcname, "echo");
    assert!(m.function.args[0].required && m.function.args[0].allowed.is_empty());
    assert!(to_payload_json(&m).contains(r#""fun":{"#), "the field is called fun");
    let m: GetLogsMsg = parse_payload(payload("getlogsmsg").as_bytes()).unwrap();
    assert_eq!((m.count, m.since, m.latest), (100, 1_770_890_400_123_456_789, true));
    let m: SearchLogsMsg = parse_payload(payload("searchlogsmsg").as_bytes()).unwrap();
    assert_eq!((m.text.as_str(), m.days, m.count), ("error", 7, 50));
}

#[test]
fn cron_generator_file_fields() {
    let m: AddCronMsg = parse_payload(payload("addcronmsg").as_bytes()).unwrap();
    assert_eq!((m.cron.interval, m.cron.cronexpression.as_str()), (-1, "0/1 * * * * *"));
    assert!(m.cron.nextrun.is_unset());
    let m: AddGeneratorMsg = parse_payload(payload("addgeneratormsg").as_bytes()).unwrap();
    assert_eq!((m.generator.trigger, m.generator.timeout), (3, 5));
    let m: PackGeneratorMsg = parse_payload(payload("packgeneratormsg").as_bytes()).unwrap();
    assert_eq!(m.arg, "a1");
    let m: AddFileMsg = parse_payload(payload("addfilemsg").as_bytes()).unwrap();
    assert_eq!(m.file.reference.s3object.object, "obj");
    let m: GetFileMsg = parse_payload(payload("getfilemsg").as_bytes()).unwrap();
    assert!(m.latest && m.fileid.is_empty());
    let m: GetFileLabelsMsg = parse_payload(payload("getfilelabelsmsg").as_bytes()).unwrap();
    assert!(!m.exact);
    let m: GetSnapshotMsg = parse_payload(payload("getsnapshotmsg").as_bytes()).unwrap();
    assert_eq!(m.name, "v1");
}

#[test]
fn channel_fields() {
    let m: ChannelAppendMsg = parse_payload(payload("channelappendmsg").as_bytes()).unwrap();
    assert_eq!(m.payload, b"hello");
    assert_eq!((m.sequence, m.inreplyto, m.payloadtype.as_str()), (3, 2, "end"));
    let plain = ChannelAppendMsg { payload: b"x".to_vec(), ..Default::default() };
    let written: Value = serde_json::from_str(&to_payload_json(&plain)).unwrap();
    assert_eq!(written["payload"], "eA==");
    assert!(written.get("inreplyto").is_none(), "inreplyto is omitempty");
    let m: SubscribeChannelMsg = parse_payload(payload("subscribechannelmsg").as_bytes()).unwrap();
    assert_eq!((m.afterseq, m.timeout), (5, 30));
    let m: SubscribeProcessMsg = parse_payload(payload("subscribeprocessmsg").as_bytes()).unwrap();
    assert_eq!(m.state, ProcessState::Success);
}

#[test]
fn blueprint_fields() {
    let m: AddBlueprintDefinitionMsg =
        parse_payload(payload("addblueprintdefinitionmsg").as_bytes()).unwrap();
    assert_eq!(m.blueprintdefinition.spec.handler.function_name, "reconcile");
    let m: UpdateBlueprintMsg = parse_payload(payload("updateblueprintmsg").as_bytes()).unwrap();
    assert!(m.forcegeneration);
    assert_eq!(m.blueprint.spec["replicas"], 3);
    let m: UpdateBlueprintStatusMsg =
        parse_payload(payload("updateblueprintstatusmsg").as_bytes()).unwrap();
    assert_eq!(m.status["phase"], "Running");
    let m: RemoveBlueprintDefinitionMsg =
        parse_payload(payload("removeblueprintdefinitionmsg").as_bytes()).unwrap();
    assert_eq!(m.namespace, "dev");
}

#[test]
fn pycolonies_submit_with_nulls() {
    // What pycolonies 1.0.25 sends: `", "` separators, null kwargs-adjacent lists (protocol §2.4).
    let text = r#"{"msgtype": "submitfuncspecmsg", "spec": {"nodename": "echo", "funcname": "echo", "args": ["hello", "world"], "kwargs": {"greeting": "hi"}, "priority": 1, "maxwaittime": -1, "maxexectime": 60, "maxretries": 0, "conditions": {"colonyname": "dev", "executornames": null, "executortype": "cli", "dependencies": [], "nodes": 0, "cpu": "", "processes": 0, "processespernode": 0, "mem": "", "storage": "", "gpu": {"name": "", "mem": "", "count": 0, "nodecount": 0}, "walltime": 0}, "label": "", "fs": null, "env": {}, "channels": []}}"#;
    let m: SubmitFunctionSpecMsg = parse_payload(text.as_bytes()).unwrap();
    assert_eq!(m.spec.conditions.colonyname, "dev");
    assert_eq!(m.spec.maxexectime, 60);
    assert!(m.spec.fs.snapshots.is_empty());
}

#[test]
fn replies_with_msgtype() {
    let version = VersionMsg { buildversion: "0.1.0".into(), buildtime: "now".into() };
    let json: Value = serde_json::from_str(&reply_to_json::<VersionMsg>(&version)).unwrap();
    assert_eq!(json, json!({"msgtype": "versionmsg", "buildversion": "0.1.0", "buildtime": "now"}));
    let echo = ChangeColonyIdMsg { colonyname: "dev".into(), colonyid: "ab".into() };
    let json: Value = serde_json::from_str(&reply_to_json::<ChangeColonyIdMsg>(&echo)).unwrap();
    assert_eq!(json, serde_json::from_str::<Value>(&to_payload_json(&echo)).unwrap());
    assert_eq!(reply_to_json::<RemoveColonyMsg>(&Empty {}), "{}");
    assert_eq!(parse_reply::<RemoveColonyMsg>(b"{}").unwrap(), Empty {});
}

#[test]
fn malformed_payloads_are_errors_not_panics() {
    for bad in [&b""[..], b"\"x\"", b"{", b"{\"colonyname\":5}", b"\xff"] {
        assert!(parse_payload::<GetColonyMsg>(bad).is_err());
    }
    assert!(parse_payload::<AddColonyMsg>(br#"{"colony":"c1"}"#).is_err());
    assert!(parse_reply::<GetColoniesMsg>(br#"{"colonies":1}"#).is_err());
}
