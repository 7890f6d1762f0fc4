//! The protocol as one JSON Schema document (feature `schema`), generated from the types of
//! this crate and the registry table ([`MessageKind`]), and the TypeScript declarations of the
//! npm package generated from that document.
//!
//! `cargo run -p colonies-core --features schema --example schema -- --write` writes
//! `schema/colonies.schema.json` and `wasm-client/src/protocol.d.ts`; the tests of
//! `core/tests/schema.rs` fail while either file differs from what [`document`] and
//! [`typescript`] produce.
//!
//! The document (JSON Schema 2020-12) holds, under `$defs`:
//!
//! - every model and the types its fields use, **as read**: what a reader accepts (nothing is
//!   required, since a missing field takes its zero value, and `null` is allowed where Go writes
//!   it for an empty list or map);
//! - `written`: the same types **as written** (`$defs/written/$defs/<Name>`): every field a
//!   writer always writes is required (Go's `omitempty` fields are not);
//! - `requests`: one schema per registry row, keyed by payloadtype, requiring `msgtype` equal to
//!   the payloadtype and the fields a request must carry (each message's `required` list);
//! - `replies`: the success reply of each row, keyed by the request's payloadtype, as written;
//! - the envelopes: [`RpcMsg`], [`RpcReplyMsg`], `ErrorReply` and its payload [`Failure`].

use crate::{
    envelope::{ERROR_PAYLOAD_TYPE, Failure, RpcMsg, RpcReplyMsg},
    message::{Empty, KindVisitor, Message, MessageKind},
    model::*,
    time::Timestamp,
};
use alloc::{format, string::String, vec, vec::Vec};
use schemars::{
    Schema, SchemaGenerator, generate::SchemaSettings, transform::transform_subschemas,
};
use serde_json::{Map, Value, json};

mod typescript;

pub use typescript::typescript;

/// Where the document is committed, from the repository root.
pub const SCHEMA_PATH: &str = "schema/colonies.schema.json";

/// Where the generated TypeScript declarations are committed, from the repository root.
pub const TYPESCRIPT_PATH: &str = "wasm-client/src/protocol.d.ts";

/// The command that regenerates both files.
pub const REGENERATE: &str =
    "cargo run -p colonies-core --features schema --example schema -- --write";

/// Where the "as written" definitions live in the document.
const WRITTEN_PATH: &str = "/$defs/written/$defs";

/// Every model of [`crate::model`] (and the envelope's [`Failure`]), so that each one is in the
/// document even if no message or reply refers to it.
macro_rules! for_each_model {
    ($generator:expr, $($model:ty),+ $(,)?) => {
        $( $generator.subschema_for::<$model>(); )+
    };
}

fn add_models(generator: &mut SchemaGenerator) {
    for_each_model!(
        generator,
        Allocations,
        Attribute,
        AttributeType,
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
        Empty,
        Executor,
        ExecutorState,
        Failure,
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
        ProcessState,
        Project,
        Reference,
        S3Object,
        ServerInfo,
        Snapshot,
        SnapshotMount,
        Software,
        StateFilter,
        Statistics,
        SyncDir,
        Timestamp,
        User,
        WorkflowSpec,
    );
}

/// Builds the request and reply schemas of each registry row.
struct Rows<'a> {
    read: &'a mut SchemaGenerator,
    written: &'a mut SchemaGenerator,
    requests: &'a mut Map<String, Value>,
    replies: &'a mut Map<String, Value>,
}

impl KindVisitor for Rows<'_> {
    type Output = ();

    fn visit<M: Message>(self) {
        let kind = M::KIND;
        let payload_type = kind.payload_type();
        let mut request = M::json_schema(self.read);
        drop_object_defaults(&mut request);
        let fields = request.ensure_object();
        let mut properties = Map::new();
        properties.insert("msgtype".into(), json!({"const": payload_type}));
        if let Some(Value::Object(own)) = fields.remove("properties") {
            properties.extend(own);
        }
        let mut required = vec![Value::from("msgtype")];
        if let Some(Value::Array(own)) = fields.remove("required") {
            for name in own {
                let known = name.as_str().is_some_and(|name| properties.contains_key(name));
                assert!(known, "{}: required field {name} is not a field", M::schema_name());
                required.push(name);
            }
        }
        let mut schema = Map::new();
        schema.insert("title".into(), M::schema_name().into());
        if let Some(description) = fields.remove("description") {
            schema.insert("description".into(), description);
        }
        schema.extend(core::mem::take(fields));
        schema.insert("properties".into(), properties.into());
        schema.insert("required".into(), required.into());
        schema.insert(
            "x-colonies".into(),
            json!({
                "role": format!("{:?}", kind.role()),
                "transport": kind.transport().as_str(),
                "reply": format!("#/$defs/replies/$defs/{payload_type}"),
            }),
        );
        self.requests.insert(payload_type.into(), schema.into());

        let mut reply = self.written.subschema_for::<M::Reply>();
        if reply.get("type").and_then(Value::as_str) == Some("array") {
            // Go writes an empty list as `null`; readers take it as `[]`.
            crate::model::wire::or_null(&mut reply);
        }
        let mut reply = reply.to_value();
        if kind.reply_has_msgtype()
            && let Value::Object(object) = &mut reply
        {
            let msgtype = json!({"const": kind.reply_payload_type()});
            object.insert("properties".into(), json!({"msgtype": msgtype}));
            object.insert("required".into(), json!(["msgtype"]));
        }
        let description = format!(
            "The success reply to `{payload_type}` (payloadtype `{}`).",
            kind.reply_payload_type()
        );
        let mut wrapped = Map::new();
        wrapped.insert("description".into(), description.into());
        match reply {
            Value::Object(object) if object.contains_key("$ref") => wrapped.extend(object),
            other => {
                wrapped.insert("allOf".into(), Value::Array(vec![other]));
            }
        }
        self.replies.insert(payload_type.into(), wrapped.into());
    }
}

/// The envelopes of `POST /api`, with their base64 payloads described.
fn envelopes(read: &mut SchemaGenerator, definitions: &mut Map<String, Value>) {
    read.subschema_for::<RpcMsg>();
    read.subschema_for::<RpcReplyMsg>();
    let failure = read.subschema_for::<Failure>();
    definitions.insert(
        "ErrorReply".into(),
        json!({
            "description": "The reply of a failed request: payloadtype `error`, `error` true, \
                            and a payload of base64 JSON holding the status and message.",
            "$ref": "#/$defs/RpcReplyMsg",
            "properties": {
                "payloadtype": {"const": ERROR_PAYLOAD_TYPE},
                "payload": {"contentSchema": failure},
                "error": {"const": true},
            },
            "required": ["payloadtype", "payload", "error"],
        }),
    );
}

/// The JSON Schema document of the protocol (see the module docs).
pub fn document() -> Value {
    let mut read = SchemaSettings::draft2020_12()
        .for_deserialize()
        .with_transform(drop_object_defaults as fn(&mut Schema))
        .into_generator();
    let mut written = SchemaSettings::draft2020_12()
        .with(|settings| settings.definitions_path = WRITTEN_PATH.into())
        .for_serialize()
        .with_transform(drop_defaults as fn(&mut Schema))
        .into_generator();
    add_models(&mut read);
    add_models(&mut written);

    let mut requests = Map::new();
    let mut replies = Map::new();
    for kind in MessageKind::ALL {
        kind.visit(Rows {
            read: &mut read,
            written: &mut written,
            requests: &mut requests,
            replies: &mut replies,
        });
    }
    let mut extra = Map::new();
    envelopes(&mut read, &mut extra);

    let mut definitions = sorted(read.take_definitions(true));
    for (name, schema) in extra {
        definitions.insert(name, schema);
    }
    definitions.insert(
        "requests".into(),
        json!({
            "description": "Every request payload (the JSON inside `RpcMsg.payload`), keyed by \
                            payloadtype, in registry order. `x-colonies` names who may send it \
                            (role), how it travels (`api`: signed POST /api; `unsigned`; \
                            `websocket`: the first frame of GET /pubsub) and its reply.",
            "$defs": requests,
        }),
    );
    definitions.insert(
        "replies".into(),
        json!({
            "description": "The success reply payload of every request, keyed by the request's \
                            payloadtype, as written.",
            "$defs": replies,
        }),
    );
    definitions.insert(
        "written".into(),
        json!({
            "description": "Every model as a server writes it: the fields it always writes are \
                            required (Go's `omitempty` fields are not). Go writes `null` for an \
                            empty list or map where the schema allows it.",
            "$defs": sorted(written.take_definitions(true)),
        }),
    );

    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$comment": format!("Generated from colonies-core by `{REGENERATE}`; do not edit."),
        "title": "Colonies protocol",
        "description": "The models, request messages, replies and envelopes of the Colonies \
                        RPC protocol (colonyos v1.9.12) as Colonies Edge serves it. Each model \
                        is in `$defs` as read (what a reader accepts: every field may be left \
                        out and takes its zero value) and in `$defs/written` as written.",
        "$defs": definitions,
    })
}

/// Removes `default`s that are whole objects (a nested model's zero value, spelled out in
/// full); the zero values of scalars, lists and maps stay.
fn drop_object_defaults(schema: &mut Schema) {
    if schema.get("default").and_then(Value::as_object).is_some_and(|value| !value.is_empty()) {
        schema.remove("default");
    }
    transform_subschemas(&mut drop_object_defaults, schema);
}

/// Removes every `default`: they say what a reader takes for a missing field, which the
/// written view has no use for.
fn drop_defaults(schema: &mut Schema) {
    schema.remove("default");
    transform_subschemas(&mut drop_defaults, schema);
}

/// The definitions sorted by name, for a stable file.
fn sorted(definitions: Map<String, Value>) -> Map<String, Value> {
    let mut entries: Vec<(String, Value)> = definitions.into_iter().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries.into_iter().collect()
}

/// The TypeScript declarations as committed (see [`typescript`]).
pub fn typescript_text() -> String {
    typescript(&document())
}

/// The document as committed: two-space indented JSON and a final newline.
pub fn document_text() -> String {
    let mut text = serde_json::to_string_pretty(&document()).unwrap_or_default();
    text.push('\n');
    text
}
