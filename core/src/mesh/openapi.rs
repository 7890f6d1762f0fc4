//! The mesh API described as an OpenAPI 3.1 document ([`document`]), and a page that renders
//! it without anything from the network ([`DOCS_HTML`]).
//!
//! Routes, operation ids, tags and permissions come from [`Kind::ALL`] and [`Kind`]'s methods;
//! each record, create body and update body has its component schema, with CryptoMesh's field
//! names and the rules of the body validators (`cpu` > 0, sizes ending in `GB`/`MB`, non-blank
//! paths and role names, at least one role). The tests of `core/tests/mesh_openapi.rs` hold the
//! schemas to what the records serialise and the bodies accept.

use super::{
    Kind, Permission,
    auth::{MAX_TOKEN_TTL_MS, REQUEST_TYPE, SIGNATURE_SCHEME, TOKEN_TYPE},
};
use alloc::{
    format,
    string::{String, ToString},
    vec::Vec,
};
use serde_json::{Map, Value, json};

/// Where a server serves [`document`]'s JSON: under `/api/v1`, and also under
/// `/colonies/{colonyname}` like every other route.
pub const DOCUMENT_PATH: &str = "/api/v1/openapi.json";

/// Where a server serves [`DOCS_HTML`]: next to `api/` (the page fetches the document from
/// [`DOCUMENT_PATH`] relative to its own directory), and also under `/colonies/{colonyname}`.
pub const DOCS_PATH: &str = "/docs";

/// A self-contained HTML page (inline style and script, nothing fetched but the document)
/// that loads `api/v1/openapi.json` from the directory it is served in and renders every tag,
/// operation, parameter, body and response, with collapsible sections. Serve it at
/// [`DOCS_PATH`] with `Content-Type: text/html; charset=utf-8`.
pub const DOCS_HTML: &str = include_str!("openapi.html");

/// `#/components/schemas/<name>`.
fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// `#/components/responses/<name>`.
fn response_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/responses/{name}") })
}

/// A JSON body with `schema`.
fn content(schema: Value) -> Value {
    json!({ "application/json": { "schema": schema } })
}

/// A string.
fn string(description: &str) -> Value {
    json!({ "type": "string", "description": description })
}

/// An integer.
fn integer(description: &str) -> Value {
    json!({ "type": "integer", "description": description })
}

/// `true` or `false`.
fn boolean(description: &str) -> Value {
    json!({ "type": "boolean", "description": description })
}

/// A string with something other than whitespace in it.
fn non_blank(description: &str) -> Value {
    json!({ "type": "string", "pattern": "\\S", "description": description })
}

/// A list of strings.
fn strings(description: &str) -> Value {
    json!({ "type": "array", "items": { "type": "string" }, "description": description })
}

/// `metadata`: string values under any keys.
fn metadata(description: &str) -> Value {
    json!({ "$ref": "#/components/schemas/Metadata", "description": description })
}

/// A role list of a security policy: at least one name, none blank.
fn role_names(description: &str) -> Value {
    json!({
        "type": "array",
        "items": { "type": "string", "pattern": "\\S" },
        "minItems": 1,
        "description": description,
    })
}

/// A role's `members`.
fn members(description: &str) -> Value {
    json!({
        "type": "array",
        "items": schema_ref("ColoniesId"),
        "description": description,
    })
}

/// A timestamp as records write it.
fn timestamp(description: &str) -> Value {
    json!({ "type": "string", "format": "date-time", "description": description })
}

/// A component schema reference with a description of the field holding it.
fn field_ref(name: &str, description: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}"), "description": description })
}

/// An optional body field: absent and `null` mean the same (nothing given).
fn nullable(schema: Value) -> Value {
    let mut schema = schema;
    let description = schema.as_object_mut().and_then(|o| o.remove("description"));
    let mut wrapped = Map::new();
    if let Some(description) = description {
        wrapped.insert("description".into(), description);
    }
    wrapped.insert("anyOf".into(), json!([schema, { "type": "null" }]));
    Value::Object(wrapped)
}

/// An object schema: `required` fields must be present, `optional` ones may be left out (or
/// be `null`); other fields are ignored.
fn body(description: &str, required: Vec<(&str, Value)>, optional: Vec<(&str, Value)>) -> Value {
    let mut properties = Map::new();
    let names: Vec<&str> = required.iter().map(|(name, _)| *name).collect();
    for (name, schema) in required {
        properties.insert(name.into(), schema);
    }
    for (name, schema) in optional {
        properties.insert(name.into(), nullable(schema));
    }
    let mut object = json!({
        "type": "object",
        "description": description,
        "properties": properties,
    });
    if !names.is_empty() {
        object["required"] = json!(names);
    }
    object
}

/// A record's schema: every field present, except `omittable` ones.
fn record(description: &str, fields: Vec<(&str, Value)>, omittable: &[&str]) -> Value {
    let required: Vec<&str> =
        fields.iter().map(|(name, _)| *name).filter(|name| !omittable.contains(name)).collect();
    let properties: Map<String, Value> =
        fields.into_iter().map(|(name, schema)| (name.to_string(), schema)).collect();
    json!({
        "type": "object",
        "description": description,
        "properties": properties,
        "required": required,
    })
}

/// The component schema names of a kind's record, create body and update body.
struct Names {
    record: &'static str,
    create: &'static str,
    update: &'static str,
}

const fn names(kind: Kind) -> Names {
    let (record, create, update) = match kind {
        Kind::Service => ("Service", "ServiceCreate", "ServiceUpdate"),
        Kind::Microservice => ("Microservice", "MicroserviceCreate", "MicroserviceUpdate"),
        Kind::Function => ("Function", "FunctionCreate", "FunctionUpdate"),
        Kind::Endpoint => ("Endpoint", "EndpointCreate", "EndpointUpdate"),
        Kind::SecurityPolicy => ("SecurityPolicy", "SecurityPolicyCreate", "SecurityPolicyUpdate"),
        Kind::Role => ("Role", "RoleCreate", "RoleUpdate"),
        Kind::EndpointState => ("EndpointState", "EndpointStateCreate", "StateUpdate"),
        Kind::FunctionState => ("FunctionState", "FunctionStateCreate", "StateUpdate"),
        Kind::FunctionResult => ("FunctionResult", "FunctionResultCreate", "FunctionResultUpdate"),
    };
    Names { record, create, update }
}

const POLICY_ID: &str = "The policy file entry it comes from; kept and never answered with.";

/// The record schema of `kind`: exactly the JSON of a stored record.
fn record_schema(kind: Kind) -> Value {
    let id = |what: &str| (kind.id_field(), string(what));
    match kind {
        Kind::Service => record(
            "A service: a group of microservices under one security policy.",
            alloc::vec![
                id("Its id."),
                ("microservices", strings("Ids of its microservices (not checked to exist).")),
                ("resources", field_ref("Resources", "What it needs.")),
                ("security_policy", field_ref("SecurityPolicy", "The policy guarding it.")),
            ],
            &[],
        ),
        Kind::Microservice => record(
            "A microservice: a group of functions within a service.",
            alloc::vec![
                id("Its id."),
                ("service_id", string("The service it belongs to.")),
                ("functions", strings("Ids of its functions.")),
                ("resources", field_ref("Resources", "What it needs.")),
            ],
            &[],
        ),
        Kind::Function => record(
            "A function: an image deployed on an endpoint. Its microservice and endpoint are \
             stored and never answered with, as in CryptoMesh.",
            alloc::vec![
                id("Its id."),
                ("image", string("The container image.")),
                (
                    "deployment_status",
                    json!({
                        "type": "string",
                        "description": "`pending` when created; then e.g. `initiated`, \
                                        `completed`, `failed`.",
                        "examples": ["pending", "initiated", "completed", "failed"],
                    }),
                ),
                ("resources", field_ref("Resources", "What it needs.")),
                ("storage", field_ref("Storage", "Where it reads and writes.")),
            ],
            &[],
        ),
        Kind::Endpoint => record(
            "An endpoint: where functions run (on Colonies Edge, an executor of the colony).",
            alloc::vec![
                id("Its id."),
                ("name", string("Its name.")),
                ("image", string("The image it runs.")),
                ("resources", field_ref("Resources", "What it offers.")),
                ("security_policy", field_ref("SecurityPolicy", "The policy guarding it.")),
            ],
            &[],
        ),
        Kind::SecurityPolicy => record(
            "Who may act on what it guards: role names and whether callers must identify \
             themselves. A resource of its own and embedded in services and endpoints; the \
             copies are independent.",
            alloc::vec![
                id("Its id: chosen by the client or generated."),
                ("roles", role_names("Names of roles; at least one, none blank.")),
                ("requires_authentication", boolean("Whether anonymous callers are refused."),),
            ],
            &[],
        ),
        Kind::Role => record(
            "A role: permissions, and (our extension) the Colonies identities that hold it.",
            alloc::vec![
                id("Its id."),
                ("name", string("Its name, as security policies list it.")),
                ("description", string("What it is for.")),
                ("permissions", permissions()),
                (
                    "members",
                    members(
                        "Colonies IDs holding the role, in lower case (our extension); omitted \
                         when empty.",
                    ),
                ),
            ],
            &["members"],
        ),
        Kind::EndpointState => record(
            "A recorded state of an endpoint (`warm`, `cold`, …).",
            alloc::vec![
                id("Its id."),
                ("endpoint_id", string("The endpoint.")),
                ("state", string("The state.")),
                ("metadata", metadata("Anything else.")),
                ("timestamp", timestamp("When it was recorded (RFC 3339, UTC).")),
            ],
            &[],
        ),
        Kind::FunctionState => record(
            "A recorded state of a function (`running`, `completed`, `failed`, …).",
            alloc::vec![
                id("Its id."),
                ("function_id", string("The function.")),
                ("state", string("The state.")),
                ("metadata", metadata("Anything else.")),
                ("timestamp", timestamp("When it was recorded (RFC 3339, UTC).")),
            ],
            &[],
        ),
        Kind::FunctionResult => record(
            "A recorded result of a function.",
            alloc::vec![
                id("Its id."),
                ("function_id", string("The function.")),
                ("metadata", metadata("The result.")),
                ("timestamp", timestamp("When it was recorded or last changed (RFC 3339, UTC).")),
            ],
            &[],
        ),
    }
}

/// A role's `permissions`, naming ours.
fn permissions() -> Value {
    let ours: Vec<&str> = Permission::ALL.iter().map(|p| p.as_str()).collect();
    json!({
        "type": "array",
        "items": { "type": "string" },
        "description": format!(
            "Permission names. `{}` and `*` (all of them) grant something; other names \
             (CryptoMesh's `read`, `write`, …) are kept and grant nothing.",
            ours.join("`, `")
        ),
        "examples": [ours],
    })
}

/// The create body (POST) of `kind`.
fn create_schema(kind: Kind) -> Value {
    let what = format!("`POST /api/v1/{}/`.", kind.path());
    let policy_id = || ("policy_id", string(POLICY_ID));
    let ignored = " A client-given id is ignored: the server generates it.";
    match kind {
        Kind::Service => body(
            &format!("{what}{ignored}"),
            alloc::vec![
                ("security_policy", field_ref("SecurityPolicyCreate", "Its policy.")),
                ("resources", field_ref("Resources", "What it needs.")),
            ],
            alloc::vec![
                ("microservices", strings("Its microservices' ids; empty when left out.")),
                policy_id()
            ],
        ),
        Kind::Microservice => body(
            &format!("{what}{ignored}"),
            alloc::vec![
                ("service_id", string("The service it belongs to.")),
                ("resources", field_ref("Resources", "What it needs.")),
            ],
            alloc::vec![
                ("functions", strings("Its functions' ids; empty when left out.")),
                policy_id()
            ],
        ),
        Kind::Function => body(
            &format!("{what}{ignored} Its `deployment_status` starts as `pending`."),
            alloc::vec![
                ("microservice_id", string("The microservice it belongs to.")),
                ("image", string("The container image.")),
                ("resources", field_ref("Resources", "What it needs.")),
                ("storage", field_ref("Storage", "Where it reads and writes.")),
                ("endpoint_id", string("The endpoint it runs on.")),
            ],
            alloc::vec![policy_id()],
        ),
        Kind::Endpoint => body(
            &format!("{what}{ignored}"),
            alloc::vec![
                ("name", string("Its name.")),
                ("image", string("The image it runs.")),
                ("resources", field_ref("Resources", "What it offers.")),
                ("security_policy", field_ref("SecurityPolicyCreate", "Its policy.")),
            ],
            alloc::vec![policy_id()],
        ),
        Kind::SecurityPolicy => body(
            &format!(
                "{what} Also embedded in the create bodies of services and endpoints \
                 (`security_policy`)."
            ),
            alloc::vec![
                ("roles", role_names("Role names: at least one, none blank.")),
                ("requires_authentication", boolean("Whether anonymous callers are refused."),),
            ],
            alloc::vec![(
                "sp_id",
                non_blank(
                    "Its id, when the client chooses it (not blank; 400 when taken); \
                     generated otherwise.",
                ),
            )],
        ),
        Kind::Role => body(
            &format!("{what}{ignored}"),
            alloc::vec![
                ("name", string("Its name.")),
                ("description", string("What it is for.")),
                ("permissions", permissions()),
            ],
            alloc::vec![(
                "members",
                members("Colonies IDs holding it (our extension); empty when left out."),
            )],
        ),
        Kind::EndpointState => body(
            &format!("{what}{ignored} It is stamped with the server's time."),
            alloc::vec![("endpoint_id", string("The endpoint.")), ("state", string("The state."))],
            alloc::vec![("metadata", metadata("Anything else; empty when left out."))],
        ),
        Kind::FunctionState => body(
            &format!("{what}{ignored} It is stamped with the server's time."),
            alloc::vec![("function_id", string("The function.")), ("state", string("The state."))],
            alloc::vec![("metadata", metadata("Anything else; empty when left out."))],
        ),
        Kind::FunctionResult => body(
            &format!("{what}{ignored} It is stamped with the server's time."),
            alloc::vec![("function_id", string("The function."))],
            alloc::vec![("metadata", metadata("The result; empty when left out."))],
        ),
    }
}

/// The update body (PUT) of `kind`: every field optional, what is left out is kept.
fn update_schema(kind: Kind) -> Value {
    let what = format!(
        "`PUT /api/v1/{}/{{{}}}`: every field is optional; what the body leaves out is kept.",
        kind.path(),
        kind.id_field()
    );
    let none = Vec::new;
    match kind {
        Kind::Service => body(
            &what,
            none(),
            alloc::vec![
                ("resources", field_ref("ResourcesUpdate", "Changes to its resources.")),
                ("microservices", strings("New microservice ids (the list is replaced).")),
                (
                    "security_policy",
                    field_ref("EmbeddedSecurityPolicyUpdate", "Changes to its policy."),
                ),
            ],
        ),
        Kind::Microservice => body(
            &format!("{what} `service_id` cannot be changed."),
            none(),
            alloc::vec![
                ("resources", field_ref("ResourcesUpdate", "Changes to its resources.")),
                ("functions", strings("New function ids (the list is replaced).")),
            ],
        ),
        Kind::Function => body(
            &what,
            none(),
            alloc::vec![
                ("image", string("New image.")),
                ("resources", field_ref("ResourcesUpdate", "Changes to its resources.")),
                ("storage", field_ref("StorageUpdate", "Changes to its storage.")),
                ("endpoint_id", string("New endpoint.")),
                ("deployment_status", string("New deployment status.")),
            ],
        ),
        Kind::Endpoint => body(
            &what,
            none(),
            alloc::vec![
                ("name", string("New name.")),
                ("image", string("New image.")),
                ("resources", field_ref("ResourcesUpdate", "Changes to its resources.")),
                (
                    "security_policy",
                    field_ref("EmbeddedSecurityPolicyUpdate", "Changes to its policy."),
                ),
            ],
        ),
        Kind::SecurityPolicy => body(
            &format!("{what} Its `sp_id` never changes (a given one is ignored)."),
            none(),
            alloc::vec![
                ("roles", role_names("New role names: at least one, none blank.")),
                ("requires_authentication", boolean("New flag.")),
            ],
        ),
        Kind::Role => body(
            &what,
            none(),
            alloc::vec![
                ("name", string("New name.")),
                ("description", string("New description.")),
                ("permissions", strings("New permission names (the list is replaced).")),
                ("members", members("New members (the list is replaced).")),
            ],
        ),
        Kind::EndpointState | Kind::FunctionState => body(
            "`PUT /api/v1/endpoint-states/{state_id}` and `PUT /api/v1/function-states/\
             {state_id}`: every field is optional; what the body leaves out is kept.",
            none(),
            alloc::vec![
                ("state", string("New state.")),
                ("metadata", metadata("New metadata (the map is replaced, not merged).")),
            ],
        ),
        Kind::FunctionResult => body(
            &format!("{what} The result's `timestamp` becomes the server's time."),
            none(),
            alloc::vec![("metadata", metadata("New metadata (the map is replaced, not merged)."))],
        ),
    }
}

/// Schemas every kind shares: parts of records and bodies, error bodies, invocation.
fn shared_schemas() -> Map<String, Value> {
    let size = |description: &str| {
        json!({
            "type": "string",
            "pattern": "^[0-9]+(\\.[0-9]+)? *[GgMm][Bb]$",
            "description": format!(
                "{description} A number, optional spaces, then `GB` or `MB` in any case: \
                 `512MB`, `2gb`, `1.5 GB` (decimal units; at most 2^64 - 1 bytes)."
            ),
            "examples": ["512MB", "2GB"],
        })
    };
    let cpu =
        json!({ "type": "integer", "exclusiveMinimum": 0, "description": "CPUs; greater than 0." });
    let mut schemas = Map::new();
    let mut add = |name: &str, schema: Value| {
        schemas.insert(name.into(), schema);
    };
    add(
        "Resources",
        record(
            "What a service, microservice, function or endpoint needs (or offers).",
            alloc::vec![("cpu", cpu.clone()), ("ram", size("Memory."))],
            &[],
        ),
    );
    add(
        "ResourcesUpdate",
        body(
            "Changes to `resources`: either field may be left out.",
            Vec::new(),
            alloc::vec![("cpu", cpu), ("ram", size("New memory size."))],
        ),
    );
    add(
        "Storage",
        record(
            "Where a function reads and writes.",
            alloc::vec![
                ("capacity", size("Its size.")),
                ("source_path", non_blank("Where input is read from; not blank.")),
                ("sink_path", non_blank("Where output is written to; not blank.")),
            ],
            &[],
        ),
    );
    add(
        "StorageUpdate",
        body(
            "Changes to `storage`: any field may be left out.",
            Vec::new(),
            alloc::vec![
                ("capacity", size("New capacity.")),
                ("source_path", non_blank("New source path; not blank.")),
                ("sink_path", non_blank("New sink path; not blank.")),
            ],
        ),
    );
    add(
        "EmbeddedSecurityPolicyUpdate",
        body(
            "Changes to the `security_policy` embedded in a service or an endpoint.",
            Vec::new(),
            alloc::vec![
                ("sp_id", non_blank("New id of the embedded copy; not blank.")),
                ("roles", role_names("New role names: at least one, none blank.")),
                ("requires_authentication", boolean("New flag.")),
            ],
        ),
    );
    add(
        "Metadata",
        json!({
            "type": "object",
            "description": "Free-form string values under any keys.",
            "additionalProperties": { "type": "string" },
        }),
    );
    add(
        "ColoniesId",
        json!({
            "type": "string",
            "pattern": "^[0-9a-fA-F]{64}$",
            "description": "A Colonies ID: 64 hex digits (either case in bodies; stored in lower \
                        case).",
        }),
    );
    add(
        "ApiError",
        json!({
            "type": "object",
            "description": "Every refusal but validation (400, 401, 403, 404).",
            "properties": {
                "detail": record(
                    "The message and status.",
                    alloc::vec![
                        ("message", string("What went wrong, for a person.")),
                        ("code", integer("The HTTP status, repeated.")),
                    ],
                    &[],
                ),
            },
            "required": ["detail"],
        }),
    );
    add(
        "ValidationError",
        json!({
            "type": "object",
            "description": "A body that failed validation (422), as FastAPI lists it: every \
                            problem, in the order the fields were read.",
            "properties": {
                "detail": {
                    "type": "array",
                    "items": record(
                        "One problem.",
                        alloc::vec![
                            ("loc", json!({
                                "type": "array",
                                "items": { "anyOf": [{ "type": "string" }, { "type": "integer" }] },
                                "description": "Where: `[\"body\", \"resources\", \"cpu\"]`; \
                                                an integer is an array index (or, for \
                                                unreadable JSON, a byte offset).",
                            })),
                            ("msg", string("What, for a person.")),
                            ("type", string(
                                "The pydantic error type: `missing`, `string_type`, \
                                 `greater_than`, `value_error`, `json_invalid`, …",
                            )),
                        ],
                        &[],
                    ),
                },
            },
            "required": ["detail"],
        }),
    );
    add(
        "InvokeRequest",
        body(
            "What to run the function with; the whole body may be left out.",
            Vec::new(),
            alloc::vec![
                ("args", json!({ "type": "array", "description": "Positional arguments." })),
                (
                    "kwargs",
                    json!({ "type": "object", "description": "Named arguments of the process." })
                ),
            ],
        ),
    );
    add(
        "InvokeResponse",
        record(
            "The invocation: the Colonies process submitted and the function state recorded.",
            alloc::vec![
                ("function_id", string("The function invoked.")),
                ("process_id", field_ref("ColoniesId", "The Colonies process submitted for it.")),
                ("state_id", string("The function state recorded for the invocation.")),
                (
                    "executorname",
                    string("The executor the process is for: the function's endpoint.")
                ),
            ],
            &[],
        ),
    );
    schemas
}

/// Every component schema: the shared ones and each kind's record, create and update body.
fn schemas() -> Map<String, Value> {
    let mut schemas = shared_schemas();
    for kind in Kind::ALL {
        let Names { record, create, update } = names(kind);
        schemas.insert(record.into(), record_schema(kind));
        schemas.insert(create.into(), create_schema(kind));
        schemas.insert(update.into(), update_schema(kind));
    }
    schemas
}

/// The reusable responses.
fn responses() -> Value {
    let error = |description: &str| {
        let body = content(schema_ref("ApiError"));
        json!({ "description": description, "content": body })
    };
    json!({
        "BadRequest": error("The request cannot be carried out as asked (e.g. a client-chosen \
                             `sp_id` that is already taken)."),
        "Unauthorized": error("No valid credential where one is needed: anonymous, malformed, \
                               badly signed, expired, for another server, or replayed."),
        "Forbidden": error("The caller holds no role that grants the permission needed."),
        "NotFound": error("No record of this kind with this id in the colony."),
        "ValidationFailed": {
            "description": "The body is not JSON or breaks a rule of its schema.",
            "content": content(schema_ref("ValidationError")),
        },
    })
}

/// `a` or `an` before `noun`.
fn article(noun: &str) -> &'static str {
    if noun.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
}

/// `security policy` → `security_policy`.
fn snake(text: &str) -> String {
    text.replace([' ', '-'], "_")
}

/// Who may do it, for an operation's description.
fn needs(permission: Permission, kind: Kind) -> String {
    let guard = match kind {
        Kind::Service | Kind::Endpoint => " The record's own `security_policy` guards it.",
        _ => "",
    };
    format!("Needs `{permission}` (see the roles and security policies).{guard}")
}

/// The path parameter naming one record of `kind`.
fn id_parameter(kind: Kind) -> Value {
    json!({
        "name": kind.id_field(),
        "in": "path",
        "required": true,
        "description": format!("The {}'s id.", kind.noun()),
        "schema": { "type": "string" },
    })
}

/// One operation object.
fn operation(
    kind: Kind,
    id: String,
    summary: String,
    description: String,
    responses: Value,
) -> Value {
    json!({
        "tags": [kind.path()],
        "operationId": id,
        "summary": summary,
        "description": description,
        "responses": responses,
    })
}

/// The five CRUD routes of `kind`: the collection and item path items.
fn crud(kind: Kind) -> (Value, Value) {
    let Names { record, create, update } = names(kind);
    let noun = kind.noun();
    let a = article(noun);
    let one = snake(noun);
    let write = kind.write_permission();
    let read = Permission::CatalogRead;
    let record_body = |description: String| {
        let body = content(schema_ref(record));
        json!({ "description": description, "content": body })
    };
    let refused = |codes: &[(&str, &str)], mut responses: Value| {
        for (code, name) in codes {
            responses[*code] = response_ref(name);
        }
        responses
    };
    let auth = [("401", "Unauthorized"), ("403", "Forbidden")];

    let list = operation(
        kind,
        format!("list_{}", snake(kind.path())),
        format!("List {}", kind.path().replace('-', " ")),
        format!("Every {noun} of the colony. {}", needs(read, kind)),
        refused(
            &auth,
            json!({ "200": {
                "description": format!("Every {noun}."),
                "content": content(json!({ "type": "array", "items": schema_ref(record) })),
            }}),
        ),
    );
    let mut post = operation(
        kind,
        format!("create_{one}"),
        format!("Create {a} {noun}"),
        format!("Creates {a} {noun} with a new `{}`. {}", kind.id_field(), needs(write, kind)),
        refused(
            &[auth[0], auth[1], ("400", "BadRequest"), ("422", "ValidationFailed")],
            json!({ "201": record_body(format!("The {noun} created.")) }),
        ),
    );
    post["requestBody"] = json!({ "required": true, "content": content(schema_ref(create)) });

    let get = operation(
        kind,
        format!("get_{one}"),
        format!("Get {a} {noun}"),
        format!("One {noun} by its `{}`. {}", kind.id_field(), needs(read, kind)),
        refused(
            &[auth[0], auth[1], ("404", "NotFound")],
            json!({ "200": record_body(format!("The {noun}.")) }),
        ),
    );
    let mut put = operation(
        kind,
        format!("update_{one}"),
        format!("Change {a} {noun}"),
        format!(
            "Merges the body into the {noun}: fields it leaves out are kept, and `resources`, \
             `storage` and `security_policy` are merged field by field. With `upsert=true` the \
             body is a whole create body instead: it replaces the {noun}, or creates it with \
             this id (201). {}",
            needs(write, kind)
        ),
        refused(
            &[
                auth[0],
                auth[1],
                ("400", "BadRequest"),
                ("404", "NotFound"),
                ("422", "ValidationFailed"),
            ],
            json!({
                "200": record_body(format!("The {noun} as changed (or replaced).")),
                "201": record_body(format!("`upsert=true` and no {noun} had this id: created.")),
            }),
        ),
    );
    put["parameters"] = json!([{ "$ref": "#/components/parameters/upsert" }]);
    put["requestBody"] = json!({
        "required": true,
        "description": format!(
            "`{update}` (all fields optional); with `upsert=true`, `{create}`."
        ),
        "content": content(json!({ "anyOf": [schema_ref(update), schema_ref(create)] })),
    });
    let delete = operation(
        kind,
        format!("delete_{one}"),
        format!("Delete {a} {noun}"),
        format!("Deletes the {noun}. {}", needs(write, kind)),
        refused(
            &[auth[0], auth[1], ("404", "NotFound")],
            json!({ "204": { "description": format!("The {noun} is deleted.") } }),
        ),
    );
    let collection = json!({ "get": list, "post": post });
    let item = json!({
        "parameters": [id_parameter(kind)],
        "get": get,
        "put": put,
        "delete": delete,
    });
    (collection, item)
}

/// `POST /api/v1/functions/{function_id}/invoke`.
fn invoke() -> Value {
    let kind = Kind::Function;
    let mut responses = json!({
        "201": {
            "description": "The process is submitted.",
            "content": content(schema_ref("InvokeResponse")),
        },
    });
    for (code, name) in [
        ("400", "BadRequest"),
        ("401", "Unauthorized"),
        ("403", "Forbidden"),
        ("404", "NotFound"),
        ("422", "ValidationFailed"),
    ] {
        responses[code] = response_ref(name);
    }
    json!({
        "parameters": [id_parameter(kind)],
        "post": {
            "tags": [kind.path()],
            "operationId": "invoke_function",
            "summary": "Invoke a function",
            "description": format!(
                "Submits a Colonies process to the executor that is the function's endpoint, \
                 with the body's `args` and `kwargs`, and records a function state for it. \
                 Follow the process with the Colonies RPC API. {}",
                needs(Permission::FunctionInvoke, kind)
            ),
            "requestBody": {
                "required": false,
                "content": content(schema_ref("InvokeRequest")),
            },
            "responses": responses,
        },
    })
}

/// The API's description: routes, credentials, permissions and errors.
fn description() -> String {
    let ttl_hours = MAX_TOKEN_TTL_MS / 3_600_000;
    format!(
        "CryptoMesh's service-mesh REST API as Colonies Edge serves it: services, \
         microservices, functions, endpoints, security policies, roles, and the states and \
         results of endpoints and functions, kept per colony.\n\n\
         Every route is also served with and without its trailing slash, and under \
         `/colonies/{{colonyname}}/api/v1/…` (the second server), which names the colony in \
         the path. Without the prefix, the colony is the one the credential names. This \
         document is `{DOCUMENT_PATH}`; a readable page of it is `{DOCS_PATH}`.\n\n\
         Credentials (both optional: roles and security policies decide who may do what) go \
         in the `Authorization` header: `Bearer <claim>.<signature>`, a token from \
         `colonies-edge token create` (claim `{TOKEN_TYPE}` naming the colony and this \
         server, valid at most {ttl_hours} h), or `{SIGNATURE_SCHEME} <claim>.<signature>`, \
         one signed request (claim `{REQUEST_TYPE}`). Reading needs `{read}`; changing \
         security policies and roles needs `{policy}`, changing anything else `{catalog}`; \
         invoking a function `{invoke}`. The colony's owner may do everything.\n\n\
         Errors are `{{\"detail\":{{\"message\",\"code\"}}}}`, except validation (422), which \
         is FastAPI's `{{\"detail\":[{{\"loc\",\"msg\",\"type\"}}]}}`.",
        read = Permission::CatalogRead,
        policy = Permission::PolicyWrite,
        catalog = Permission::CatalogWrite,
        invoke = Permission::FunctionInvoke,
    )
}

/// The security schemes.
fn security_schemes() -> Value {
    json!({
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "<claim>.<signature>",
            "description": format!(
                "A token from `colonies-edge token create`: a claim (base64url JSON without \
                 padding, `typ` `{TOKEN_TYPE}`) naming the colony, this server (`audience`, the \
                 `serverid` of `getserverinfomsg`), when it was issued and when it expires (at \
                 most {} h later), a dot, and the holder's Colonies signature over the claim's \
                 text (130 hex characters). The server recovers the holder's ID from the \
                 signature.",
                MAX_TOKEN_TTL_MS / 3_600_000
            ),
        },
        "coloniesSignature": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": format!(
                "`{SIGNATURE_SCHEME} <claim>.<signature>`: one request signed with the caller's \
                 Colonies key. The claim (base64url JSON without padding, `typ` \
                 `{REQUEST_TYPE}`) names the colony, the method, the path with its query, the \
                 SHA3-256 of the body (`bodydigest`), a fresh `nonce` (32 hex characters), \
                 `signedat` (Unix ms) and the `audience` (this server's ID). A nonce is \
                 accepted once."
            ),
        },
    })
}

/// The OpenAPI 3.1 document of the mesh API.
///
/// For each [`Kind`]: `GET` and `POST` on `/api/v1/<path>/`, and `GET`, `PUT` (with the
/// `upsert` query parameter) and `DELETE` on `/api/v1/<path>/{<id_field>}`; and
/// `POST /api/v1/functions/{function_id}/invoke`. Component schemas hold every record,
/// create body and update body, the two error bodies and the invocation's; credentials are
/// optional (`security: [{}, bearer, coloniesSignature]`).
pub fn document() -> Value {
    let mut paths = Map::new();
    for kind in Kind::ALL {
        let (collection, item) = crud(kind);
        paths.insert(format!("/api/v1/{}/", kind.path()), collection);
        paths.insert(format!("/api/v1/{}/{{{}}}", kind.path(), kind.id_field()), item);
    }
    paths.insert(
        format!("/api/v1/{}/{{{}}}/invoke", Kind::Function.path(), Kind::Function.id_field()),
        invoke(),
    );
    let tags: Vec<Value> = Kind::ALL
        .iter()
        .map(|kind| {
            let write = kind.write_permission();
            json!({
                "name": kind.path(),
                "description": format!(
                    "{}: read with `{}`, written with `{write}`.",
                    capitalised(&kind.path().replace('-', " ")),
                    Permission::CatalogRead
                ),
            })
        })
        .collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Colonies Edge service mesh API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": description(),
            "license": {
                "name": env!("CARGO_PKG_LICENSE"),
                "identifier": env!("CARGO_PKG_LICENSE"),
            },
        },
        "servers": [
            { "url": "/", "description": "The colony the credential names." },
            {
                "url": "/colonies/{colonyname}",
                "description": "The colony named in the path.",
                "variables": { "colonyname": { "default": "dev", "description": "The colony." } },
            },
        ],
        "security": [{}, { "bearer": [] }, { "coloniesSignature": [] }],
        "tags": tags,
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "responses": responses(),
            "parameters": {
                "upsert": {
                    "name": "upsert",
                    "in": "query",
                    "required": false,
                    "description": "`true`: create or replace. The body is then a whole create \
                                    body; the record is created with the path's id (201) or \
                                    replaced (200), as a policy file entry would be (a \
                                    function keeps its `deployment_status`).",
                    "schema": { "type": "boolean", "default": false },
                },
            },
            "securitySchemes": security_schemes(),
        },
    })
}

/// `security policy` → `Security policy`.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        let mut out = first.to_uppercase().to_string();
        out.push_str(chars.as_str());
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeSet;

    const METHODS: [&str; 8] =
        ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

    /// Every operation: (path, method, operation).
    fn operations(document: &Value) -> Vec<(String, String, Value)> {
        let mut found = Vec::new();
        for (path, item) in document["paths"].as_object().into_iter().flatten() {
            for method in METHODS {
                if let Some(op) = item.get(method) {
                    found.push((path.clone(), method.to_string(), op.clone()));
                }
            }
        }
        found
    }

    #[test]
    fn every_route_of_every_kind_and_invoke() {
        let document = document();
        let found: BTreeSet<(String, String)> =
            operations(&document).into_iter().map(|(path, method, _)| (path, method)).collect();
        let mut expected = BTreeSet::new();
        for kind in Kind::ALL {
            let collection = format!("/api/v1/{}/", kind.path());
            let item = format!("/api/v1/{}/{{{}}}", kind.path(), kind.id_field());
            for method in ["get", "post"] {
                expected.insert((collection.clone(), method.to_string()));
            }
            for method in ["get", "put", "delete"] {
                expected.insert((item.clone(), method.to_string()));
            }
        }
        assert_eq!(expected.len(), 45);
        expected.insert(("/api/v1/functions/{function_id}/invoke".into(), "post".into()));
        assert_eq!(found, expected);

        // The item routes' parameter is the id field, and every PUT documents `upsert`.
        for kind in Kind::ALL {
            let item =
                &document["paths"][format!("/api/v1/{}/{{{}}}", kind.path(), kind.id_field())];
            assert_eq!(item["parameters"][0]["name"], kind.id_field());
            assert_eq!(item["parameters"][0]["in"], "path");
            assert_eq!(item["put"]["parameters"][0]["$ref"], "#/components/parameters/upsert");
            assert!(item["put"]["responses"].get("201").is_some());
            assert!(item["delete"]["responses"].get("204").is_some());
        }
    }

    #[test]
    fn operation_ids_are_unique_and_tags_declared() {
        let document = document();
        let tags: BTreeSet<&str> = document["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["name"].as_str())
            .collect();
        assert_eq!(tags.len(), Kind::ALL.len());
        let mut ids = BTreeSet::new();
        for (path, method, op) in operations(&document) {
            let id = op["operationId"].as_str().unwrap_or_default().to_string();
            assert!(!id.is_empty(), "{method} {path} has no operationId");
            assert!(ids.insert(id.clone()), "operationId {id} twice");
            let tag = op["tags"][0].as_str().unwrap_or_default();
            assert!(tags.contains(tag), "{method} {path}: undeclared tag {tag}");
            assert!(op["responses"].as_object().is_some_and(|r| !r.is_empty()));
        }
        assert_eq!(ids.len(), 46);
        assert!(ids.contains("invoke_function") && ids.contains("create_security_policy"));
    }

    /// Every `$ref` in `value`.
    fn refs<'v>(value: &'v Value, out: &mut Vec<&'v str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref") {
                    out.push(target);
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }

    #[test]
    fn every_ref_resolves_and_every_schema_is_used() {
        let document = document();
        let mut found = Vec::new();
        refs(&document, &mut found);
        assert!(found.len() > 100);
        for target in &found {
            let pointer = target.strip_prefix('#').unwrap_or("not local");
            assert!(pointer.starts_with("/components/"), "{target}");
            assert!(document.pointer(pointer).is_some(), "{target} resolves to nothing");
        }
        let used: BTreeSet<&str> = found.iter().filter_map(|t| t.rsplit('/').next()).collect();
        for name in
            document["components"]["schemas"].as_object().into_iter().flatten().map(|(n, _)| n)
        {
            assert!(used.contains(name.as_str()), "schema {name} is never used");
        }
        for kind in Kind::ALL {
            let Names { record, create, update } = names(kind);
            for name in [record, create, update] {
                assert!(document["components"]["schemas"].get(name).is_some(), "{name}");
            }
        }
    }

    #[test]
    fn document_is_openapi_3_1_json() {
        let document = document();
        assert_eq!(document["openapi"], "3.1.0");
        let text = serde_json::to_string(&document).unwrap_or_default();
        assert_eq!(serde_json::from_str::<Value>(&text).ok(), Some(document.clone()));
        assert_eq!(
            document["security"],
            json!([{}, { "bearer": [] }, { "coloniesSignature": [] }])
        );
        let schemes = &document["components"]["securitySchemes"];
        assert_eq!(schemes["bearer"]["scheme"], "bearer");
        assert_eq!(schemes["coloniesSignature"]["name"], "Authorization");
        let description = document["info"]["description"].as_str().unwrap_or_default();
        assert!(description.contains("trailing slash"));
        assert!(description.contains("/colonies/{colonyname}/api/v1/"));
        assert!(description.contains(DOCUMENT_PATH));
    }

    #[test]
    fn docs_page_is_self_contained_and_escapes() {
        // The page fetches the document relative to its own directory.
        assert!(DOCS_HTML.contains(&format!("\"{}\"", DOCUMENT_PATH.trim_start_matches('/'))));
        assert!(DOCS_PATH.rsplit('/').next().is_some_and(|page| !page.is_empty()));
        for external in ["http://", "https://", "<script src", "<link", "@import", "url("] {
            assert!(!DOCS_HTML.contains(external), "the page loads {external}");
        }
        for raw in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("] {
            assert!(!DOCS_HTML.contains(raw), "the page uses {raw}");
        }
        assert_eq!(DOCS_HTML.matches("<script>").count(), 1);
        assert!(DOCS_HTML.contains("createTextNode") && DOCS_HTML.contains("textContent"));
    }
}
