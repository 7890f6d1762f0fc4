//! The JSON Schema of the protocol (`schema/colonies.schema.json`, feature `schema`):
//! the committed files are what the generator writes, the document is valid JSON Schema, every
//! fixture message and model validates against it, what our writers produce validates too, and
//! it refuses what the readers refuse.
#![cfg(feature = "schema")]
// A failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod protocol_support;

use colonies_core::{
    message::{KindVisitor, Message, MessageKind, parse_payload, reply_to_json, to_payload_json},
    schema::{REGENERATE, SCHEMA_PATH, TYPESCRIPT_PATH, document, document_text, typescript_text},
};
use jsonschema::Validator;
use protocol_support::fixture;
use serde_json::{Value, json};
use std::{collections::BTreeSet, fs, path::PathBuf, sync::OnceLock};

fn repository_file(path: &str) -> String {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(path);
    fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// The document, generated once per test binary.
fn cached_document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(document)
}

/// A validator for the schema at `pointer` (a `#/…` reference into the document).
fn validator(pointer: &str) -> Validator {
    let mut root = cached_document().clone();
    root.as_object_mut().unwrap().insert("$ref".into(), pointer.into());
    jsonschema::options().should_validate_formats(true).build(&root).unwrap()
}

fn errors(validator: &Validator, instance: &Value) -> Vec<String> {
    validator.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

fn request(payload_type: &str) -> Validator {
    validator(&format!("#/$defs/requests/$defs/{payload_type}"))
}

#[test]
fn committed_schema_is_current() {
    let committed = repository_file(SCHEMA_PATH);
    assert!(
        committed == document_text(),
        "{SCHEMA_PATH} differs from what colonies-core generates: run `{REGENERATE}`"
    );
}

#[test]
fn committed_typescript_is_current() {
    let committed = repository_file(TYPESCRIPT_PATH);
    assert!(
        committed == typescript_text(),
        "{TYPESCRIPT_PATH} differs from what colonies-core generates: run `{REGENERATE}`"
    );
}

#[test]
fn document_is_valid_json_schema() {
    let document = document();
    assert!(jsonschema::meta::is_valid(&document), "not a valid 2020-12 schema");
    let requests = document["$defs"]["requests"]["$defs"].as_object().unwrap();
    let replies = document["$defs"]["replies"]["$defs"].as_object().unwrap();
    let rows: Vec<&str> = MessageKind::ALL.iter().map(|kind| kind.payload_type()).collect();
    assert_eq!(requests.keys().map(String::as_str).collect::<Vec<_>>(), rows);
    assert_eq!(replies.keys().map(String::as_str).collect::<Vec<_>>(), rows);
    for kind in MessageKind::ALL {
        let schema = &requests[kind.payload_type()];
        assert_eq!(schema["properties"]["msgtype"]["const"], kind.payload_type());
        assert_eq!(schema["required"][0], "msgtype");
        assert_eq!(schema["x-colonies"]["transport"], kind.transport().as_str());
    }
}

/// Every message fixture (one per registry row) against its request schema; the count of
/// files validated is returned through the assertion message on failure and printed.
#[test]
fn every_message_fixture_validates() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/messages");
    let mut files: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".json"))
        .collect();
    files.sort();
    let rows: BTreeSet<&str> = MessageKind::ALL.iter().map(|kind| kind.payload_type()).collect();
    let mut failures = Vec::new();
    for file in &files {
        let payload_type = file.trim_end_matches(".json");
        assert!(rows.contains(payload_type), "{file}: no registry row {payload_type}");
        let instance: Value = serde_json::from_str(&fixture(&format!("messages/{file}"))).unwrap();
        for error in errors(&request(payload_type), &instance) {
            failures.push(format!("messages/{file}: {error}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(files.len(), MessageKind::ALL.len(), "one fixture per registry row");
    println!("{} message fixtures validated", files.len());
}

/// Each model fixture, the model it holds (`[Name]`: a list of them, as a reply carries it),
/// and whether it is what a current server writes (the written view must accept it too).
const MODEL_FIXTURES: &[(&str, &str, bool)] = &[
    ("attribute.json", "Attribute", true),
    ("blueprint.json", "Blueprint", true),
    ("blueprint_definition.json", "BlueprintDefinition", true),
    ("blueprint_history.json", "[BlueprintHistory]", true),
    // An older server's blueprint: `namespace` for `colonyname`, which readers still take.
    ("blueprint_minimal.json", "Blueprint", false),
    ("cluster_config.json", "ClusterConfig", true),
    ("colonies_null.json", "[Colony]", true),
    ("colony.json", "Colony", true),
    ("cron.json", "Cron", true),
    ("crons_empty.json", "[Cron]", true),
    ("executor.json", "Executor", true),
    ("executor_pending.json", "Executor", true),
    ("executors.json", "[Executor]", true),
    ("file_data.json", "[FileData]", true),
    ("files.json", "[File]", true),
    ("function.json", "Function", true),
    // What pycolonies sends inside a request: a spec with fields left out.
    ("function_spec_pycolonies.json", "FunctionSpec", false),
    ("functions_minimal.json", "[Function]", true),
    ("generator.json", "Generator", true),
    ("labels.json", "[Label]", true),
    ("location.json", "Location", true),
    ("logs.json", "[Log]", true),
    ("msg_entries.json", "[MsgEntry]", true),
    ("pause_status.json", "PauseStatus", true),
    ("process.json", "Process", true),
    ("process_graph.json", "ProcessGraph", true),
    ("process_graphs_list.json", "[ProcessGraph]", true),
    ("process_waiting_nulls.json", "Process", true),
    ("processes.json", "[Process]", true),
    ("server_info.json", "ServerInfo", true),
    ("snapshot.json", "Snapshot", true),
    ("statistics.json", "Statistics", true),
    ("user.json", "User", true),
    ("workflow_spec.json", "WorkflowSpec", true),
];

/// A validator for a model (or a list of them, which Go writes as `null` when empty) in one view.
fn model(name: &str, definitions: &str) -> Validator {
    let mut root = cached_document().clone();
    let schema = match name.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')) {
        Some(item) => {
            json!({"type": ["array", "null"], "items": {"$ref": format!("#{definitions}/{item}")}})
        }
        None => json!({"$ref": format!("#{definitions}/{name}")}),
    };
    root.as_object_mut().unwrap().extend(schema.as_object().unwrap().clone());
    jsonschema::options().should_validate_formats(true).build(&root).unwrap()
}

#[test]
fn every_model_fixture_validates() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/models");
    let on_disk: BTreeSet<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".json"))
        .collect();
    let listed: BTreeSet<String> = MODEL_FIXTURES.iter().map(|(f, _, _)| f.to_string()).collect();
    assert_eq!(on_disk, listed, "every model fixture is listed in MODEL_FIXTURES");
    let mut failures = Vec::new();
    let mut validated = 0;
    for (file, name, current) in MODEL_FIXTURES {
        let instance: Value = serde_json::from_str(&fixture(&format!("models/{file}"))).unwrap();
        let mut views = vec!["/$defs"];
        if *current {
            views.push("/$defs/written/$defs");
        }
        for view in views {
            for error in errors(&model(name, view), &instance) {
                failures.push(format!("models/{file} ({name} in {view}): {error}"));
            }
            validated += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    println!("{} model fixtures validated ({validated} validations)", MODEL_FIXTURES.len());
}

/// Every request as we write it (the default message, and each fixture read and written
/// again) validates, and so does every default reply as we write it.
struct OursValidate;

impl KindVisitor for OursValidate {
    type Output = Vec<String>;

    fn visit<M: Message>(self) -> Vec<String> {
        let mut failures = Vec::new();
        let request = request(M::PAYLOAD_TYPE);
        let fixture = fixture(&format!("messages/{}.json", M::PAYLOAD_TYPE));
        let read: M = parse_payload(fixture.as_bytes()).unwrap();
        for message in [M::default(), read] {
            let written: Value = serde_json::from_str(&to_payload_json(&message)).unwrap();
            for error in errors(&request, &written) {
                failures.push(format!("{}: {error}", M::PAYLOAD_TYPE));
            }
        }
        let reply = validator(&format!("#/$defs/replies/$defs/{}", M::PAYLOAD_TYPE));
        let written: Value =
            serde_json::from_str(&reply_to_json::<M>(&M::Reply::default())).unwrap();
        for error in errors(&reply, &written) {
            failures.push(format!("{} reply: {error}", M::PAYLOAD_TYPE));
        }
        failures
    }
}

#[test]
fn what_we_write_validates() {
    let failures: Vec<String> =
        MessageKind::ALL.iter().flat_map(|kind| kind.visit(OursValidate)).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The schema refuses what the readers refuse, and what a request must carry.
#[test]
fn it_refuses_wrong_payloads() {
    let get_processes = request("getprocessesmsg");
    let good = json!({"msgtype": "getprocessesmsg", "colonyname": "dev", "count": 10, "state": 0});
    assert_eq!(errors(&get_processes, &good), Vec::<String>::new());
    // Each change, and whether the reader refuses it too (a null field reads as its zero
    // value, as in Go, and the envelope, not the reader, compares msgtype and payloadtype).
    let wrong: &[(&str, Value, bool)] = &[
        ("a wrong-typed field", json!({"count": "ten"}), true),
        ("no process state 7", json!({"state": 7}), true),
        ("a fraction for an integer", json!({"count": 1.5}), true),
        ("null for a string", json!({"colonyname": null}), false),
        ("another msgtype", json!({"msgtype": "getprocessmsg"}), false),
    ];
    for (why, change, reader_refuses) in wrong {
        let mut bad = good.clone();
        bad.as_object_mut().unwrap().extend(change.as_object().unwrap().clone());
        assert!(!get_processes.is_valid(&bad), "accepted {why}: {bad}");
        let text = bad.to_string();
        let read = parse_payload::<colonies_core::message::GetProcessesMsg>(text.as_bytes());
        assert_eq!(read.is_err(), *reader_refuses, "{why}: the reader gave {read:?}");
    }
    for field in ["msgtype", "count"] {
        let mut bad = good.clone();
        bad.as_object_mut().unwrap().remove(field);
        assert!(!get_processes.is_valid(&bad), "accepted a request without {field}");
    }

    let process = validator("#/$defs/Process");
    for bad in [
        json!({"submissiontime": "yesterday"}),
        json!({"state": -1}),
        json!({"spec": {"args": "not a list"}}),
        json!({"attributes": [{"attributetype": 4}]}),
    ] {
        assert!(!process.is_valid(&bad), "Process accepted {bad}");
        assert!(serde_json::from_value::<colonies_core::model::Process>(bad).is_err());
    }
    let entry = validator("#/$defs/MsgEntry");
    assert!(!entry.is_valid(&json!({"payload": "not base64!"})));
    assert!(entry.is_valid(&json!({"payload": "aGk="})));

    let error = validator("#/$defs/ErrorReply");
    assert!(error.is_valid(&json!({"payloadtype": "error", "payload": "e30=", "error": true})));
    assert!(!error.is_valid(&json!({"payloadtype": "error", "payload": "e30=", "error": false})));
}

/// Whether the schema and the reader agree on `null` for each field of `T` (`name` in the
/// document): `null` is in a field's schema exactly where the reader takes it.
fn null_agreement<T: serde::de::DeserializeOwned>(
    name: &str,
    base: &Value,
    pointer: &str,
) -> Vec<String> {
    let validator = validator(pointer);
    let schema = &cached_document()["$defs"][name];
    let schema = if schema.is_null() {
        &cached_document()["$defs"]["requests"]["$defs"][name]
    } else {
        schema
    };
    let mut failures = Vec::new();
    for field in schema["properties"].as_object().unwrap().keys() {
        if field == "msgtype" {
            continue;
        }
        let mut instance = base.clone();
        instance.as_object_mut().unwrap().insert(field.clone(), Value::Null);
        let read = serde_json::from_value::<T>(instance.clone()).is_ok();
        let valid = validator.is_valid(&instance);
        if read != valid {
            failures.push(format!("{name}.{field}: null read {read}, schema valid {valid}"));
        }
    }
    failures
}

macro_rules! models_null_agreement {
    ($failures:expr, $checked:expr, $($model:ident),+ $(,)?) => {
        $(
            $failures.extend(null_agreement::<colonies_core::model::$model>(
                stringify!($model),
                &json!({}),
                concat!("#/$defs/", stringify!($model)),
            ));
            $checked.insert(stringify!($model).to_string());
        )+
    };
}

struct MessageNulls;

impl KindVisitor for MessageNulls {
    type Output = Vec<String>;

    fn visit<M: Message>(self) -> Vec<String> {
        let base: Value =
            serde_json::from_str(&fixture(&format!("messages/{}.json", M::PAYLOAD_TYPE))).unwrap();
        null_agreement::<M>(
            M::PAYLOAD_TYPE,
            &base,
            &format!("#/$defs/requests/$defs/{}", M::PAYLOAD_TYPE),
        )
    }
}

/// `null` is allowed by the schema exactly where serde's reading takes it (the fields read
/// with `nullable`, options, timestamps, bytes), in every model and every message. (Requests
/// are read more leniently still, with Go's `null` anywhere: `colonies_core::gojson`.)
#[test]
fn null_where_the_reader_takes_it() {
    let mut failures = Vec::new();
    let mut checked = BTreeSet::new();
    models_null_agreement!(
        failures,
        checked,
        Allocations,
        Attribute,
        Backend,
        Blueprint,
        BlueprintDefinition,
        BlueprintDefinitionSpec,
        BlueprintHandler,
        BlueprintHistory,
        BlueprintMetadata,
        BlueprintNames,
        Capabilities,
        ClusterConfig,
        ClusterNode,
        Colony,
        Conditions,
        ConflictResolution,
        Cron,
        Executor,
        File,
        FileData,
        Filesystem,
        Function,
        FunctionArg,
        FunctionSpec,
        Generator,
        Gpu,
        GraphEdge,
        GraphNode,
        Hardware,
        Label,
        Location,
        Log,
        MsgEntry,
        NodeData,
        NodePosition,
        NodeStyle,
        OnClose,
        OnStart,
        PauseStatus,
        Process,
        ProcessGraph,
        Project,
        Reference,
        S3Object,
        ServerInfo,
        Snapshot,
        SnapshotMount,
        Software,
        Statistics,
        SyncDir,
        User,
        WorkflowSpec,
    );
    failures.extend(null_agreement::<colonies_core::Failure>(
        "Failure",
        &json!({}),
        "#/$defs/Failure",
    ));
    checked.insert("Failure".to_string());
    // Every object model of the document is checked (a new model is added above).
    let objects: BTreeSet<String> = cached_document()["$defs"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(name, schema)| {
            schema.get("properties").is_some()
                && !["RpcMsg", "RpcReplyMsg", "ErrorReply"].contains(&name.as_str())
        })
        .map(|(name, _)| name.clone())
        .collect();
    assert_eq!(checked, objects);
    for kind in MessageKind::ALL {
        failures.extend(kind.visit(MessageNulls));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
