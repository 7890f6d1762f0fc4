//! The mesh API's OpenAPI document (`colonies_core::mesh::openapi`) against the code it
//! describes: each record schema has exactly the fields a record serialises with, each body
//! schema exactly the fields its body reads, the schemas accept what the validators accept
//! and refuse what they refuse, so a change to one without the other fails here.
#![cfg(not(target_arch = "wasm32"))]
// A failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use colonies_core::{
    mesh::{
        Endpoint, EndpointState, Function, FunctionResult, FunctionState, Invalid, Kind,
        Microservice, Resource, Role, SecurityPolicy, Service, openapi::document, size_bytes,
    },
    time::Timestamp,
};
use jsonschema::Validator;
use serde::Serialize;
use serde_json::{Value, json};
use std::{collections::BTreeSet, sync::OnceLock};

const T0: Timestamp = Timestamp::from_unix_nanos(1_700_000_000_000_000_000);
const T1: Timestamp = Timestamp::from_unix_nanos(1_700_000_060_000_000_000);
const ALICE: &str = "4fef2b5a82d134d058c1883c72d6d9caf77cd59ca82d73105017590dea3dcb87";

fn cached_document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(document)
}

/// A validator for the schema at `pointer` (`#/components/schemas/…`).
fn validator(pointer: &str) -> Validator {
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": pointer,
        "components": { "schemas": cached_document()["components"]["schemas"].clone() },
    });
    jsonschema::options().should_validate_formats(true).build(&root).unwrap()
}

fn schema_validator(name: &str) -> Validator {
    validator(&format!("#/components/schemas/{name}"))
}

fn errors(validator: &Validator, instance: &Value) -> Vec<String> {
    validator.iter_errors(instance).map(|e| format!("{e} at {}", e.instance_path())).collect()
}

/// A schema with its `$ref`s followed and an optional field's `anyOf [X, null]` unwrapped.
fn resolve(schema: &Value) -> &Value {
    if let Some(target) = schema["$ref"].as_str() {
        let pointer = target.strip_prefix('#').unwrap();
        return resolve(cached_document().pointer(pointer).unwrap());
    }
    if let Some(alternatives) = schema["anyOf"].as_array() {
        let real: Vec<&Value> = alternatives.iter().filter(|s| s["type"] != "null").collect();
        if let [only] = real.as_slice() {
            return resolve(only);
        }
    }
    schema
}

/// Every object in `value` has exactly the properties its schema lists, recursively.
fn same_fields(value: &Value, schema: &Value, at: &str) {
    let schema = resolve(schema);
    match value {
        Value::Object(map) => {
            if let Some(properties) = schema["properties"].as_object() {
                let have: BTreeSet<&str> = map.keys().map(String::as_str).collect();
                let listed: BTreeSet<&str> = properties.keys().map(String::as_str).collect();
                assert_eq!(have, listed, "fields of {at}");
                for (key, field) in map {
                    same_fields(field, &properties[key], &format!("{at}.{key}"));
                }
            } else if schema["additionalProperties"].is_object() {
                for (key, field) in map {
                    same_fields(field, &schema["additionalProperties"], &format!("{at}.{key}"));
                }
            } else {
                panic!("{at}: an object where the schema has no properties: {schema}");
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                same_fields(item, &schema["items"], &format!("{at}[{i}]"));
            }
        }
        _ => {}
    }
}

fn fresh() -> impl FnMut() -> String {
    let mut n = 0;
    move || {
        n += 1;
        format!("fresh-{n}")
    }
}

/// A POST: the create body as read (serialised back) and the record's JSON.
fn create<R: Resource>(body: &Value) -> Result<(Value, Value), Invalid>
where
    R::Create: Serialize + Clone,
{
    let create = R::parse_create(body)?;
    let read = serde_json::to_value(create.clone()).unwrap();
    let record = R::create(create, "new".into(), &mut fresh(), T0);
    Ok((read, serde_json::to_value(record).unwrap()))
}

/// A PUT on the record `stored`: the update body as read and the merged record's JSON.
fn update<R: Resource>(stored: &Value, body: &Value) -> Result<(Value, Value), Invalid>
where
    R::Update: Serialize + Clone,
{
    let mut record: R = serde_json::from_value(stored.clone()).unwrap();
    let update = R::parse_update(body)?;
    let read = serde_json::to_value(update.clone()).unwrap();
    record.update(update, T1);
    Ok((read, serde_json::to_value(record).unwrap()))
}

fn parse_create(kind: Kind, body: &Value) -> Result<(Value, Value), Invalid> {
    match kind {
        Kind::Service => create::<Service>(body),
        Kind::Microservice => create::<Microservice>(body),
        Kind::Function => create::<Function>(body),
        Kind::Endpoint => create::<Endpoint>(body),
        Kind::SecurityPolicy => create::<SecurityPolicy>(body),
        Kind::Role => create::<Role>(body),
        Kind::EndpointState => create::<EndpointState>(body),
        Kind::FunctionState => create::<FunctionState>(body),
        Kind::FunctionResult => create::<FunctionResult>(body),
    }
}

fn parse_update(kind: Kind, stored: &Value, body: &Value) -> Result<(Value, Value), Invalid> {
    match kind {
        Kind::Service => update::<Service>(stored, body),
        Kind::Microservice => update::<Microservice>(stored, body),
        Kind::Function => update::<Function>(stored, body),
        Kind::Endpoint => update::<Endpoint>(stored, body),
        Kind::SecurityPolicy => update::<SecurityPolicy>(stored, body),
        Kind::Role => update::<Role>(stored, body),
        Kind::EndpointState => update::<EndpointState>(stored, body),
        Kind::FunctionState => update::<FunctionState>(stored, body),
        Kind::FunctionResult => update::<FunctionResult>(stored, body),
    }
}

fn resources(cpu: i64, ram: &str) -> Value {
    json!({"cpu": cpu, "ram": ram})
}

fn storage() -> Value {
    json!({"capacity": "10GB", "source_path": "/in", "sink_path": "/out"})
}

/// A create body and an update body of `kind` giving every field they have.
fn full_bodies(kind: Kind) -> (Value, Value) {
    let policy = json!({"sp_id": "sp-1", "roles": ["analyst"], "requires_authentication": true});
    let changed_policy = json!({
        "sp_id": "sp-2", "roles": ["operator", "analyst"], "requires_authentication": false
    });
    match kind {
        Kind::Service => (
            json!({"security_policy": policy, "microservices": ["m1"],
                   "resources": resources(2, "2GB"), "policy_id": "p1"}),
            json!({"resources": resources(4, "4gb"), "microservices": ["m2"],
                   "security_policy": changed_policy}),
        ),
        Kind::Microservice => (
            json!({"service_id": "s1", "resources": resources(1, "512MB"), "functions": ["f1"],
                   "policy_id": "p1"}),
            json!({"resources": resources(2, "1.5 GB"), "functions": ["f2"]}),
        ),
        Kind::Function => (
            json!({"microservice_id": "m1", "image": "python:3.12",
                   "resources": resources(1, "1GB"),
                   "storage": storage(), "endpoint_id": "e1", "policy_id": "p1"}),
            json!({"image": "python:3.13", "resources": resources(2, "2GB"),
                   "storage": {"capacity": "20gb", "source_path": "/a", "sink_path": "/b"},
                   "endpoint_id": "e2", "deployment_status": "initiated"}),
        ),
        Kind::Endpoint => (
            json!({"name": "edge-1", "image": "runner", "resources": resources(8, "16GB"),
                   "security_policy": policy, "policy_id": "p1"}),
            json!({"name": "edge-2", "image": "runner:2", "resources": resources(4, "8GB"),
                   "security_policy": changed_policy}),
        ),
        Kind::SecurityPolicy => (
            json!({"sp_id": "sp-1", "roles": ["analyst"], "requires_authentication": true}),
            json!({"roles": ["analyst", "operator"], "requires_authentication": false}),
        ),
        Kind::Role => (
            json!({"name": "analyst", "description": "reads",
                   "permissions": ["catalog:read", "read"],
                   "members": [ALICE.to_uppercase()]}),
            json!({"name": "analysts", "description": "reads and invokes",
                   "permissions": ["catalog:read", "function:invoke"], "members": [ALICE]}),
        ),
        Kind::EndpointState => (
            json!({"endpoint_id": "e1", "state": "warm", "metadata": {"gpu": "yes"}}),
            json!({"state": "cold", "metadata": {"gpu": "no"}}),
        ),
        Kind::FunctionState => (
            json!({"function_id": "f1", "state": "running", "metadata": {"step": "1"}}),
            json!({"state": "completed", "metadata": {"step": "2"}}),
        ),
        Kind::FunctionResult => (
            json!({"function_id": "f1", "metadata": {"answer": "42"}}),
            json!({"metadata": {"answer": "43"}}),
        ),
    }
}

/// The schema names a kind's operations use: (record, create, update).
fn schema_names(kind: Kind) -> (String, String, String) {
    let paths = &cached_document()["paths"];
    let collection = &paths[format!("/api/v1/{}/", kind.path())];
    let item = &paths[format!("/api/v1/{}/{{{}}}", kind.path(), kind.id_field())];
    let name =
        |schema: &Value| schema["$ref"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
    let json_body = |node: &Value| node["content"]["application/json"]["schema"].clone();
    let record = name(&json_body(&collection["post"]["responses"]["201"]));
    assert_eq!(name(&json_body(&collection["get"]["responses"]["200"])["items"]), record);
    for (method, code) in [("get", "200"), ("put", "200"), ("put", "201")] {
        assert_eq!(name(&json_body(&item[method]["responses"][code])), record, "{method} {code}");
    }
    let create = name(&json_body(&collection["post"]["requestBody"]));
    let put = json_body(&item["put"]["requestBody"]);
    assert_eq!(name(&put["anyOf"][1]), create, "PUT with upsert takes the create body");
    (record, create, name(&put["anyOf"][0]))
}

fn valid(name: &str, instance: &Value) {
    let found = errors(&schema_validator(name), instance);
    assert!(found.is_empty(), "{name} refuses {instance}: {found:?}");
}

/// Each record, create body and update body has exactly the fields of its schema, and the
/// schemas accept the bodies and records of every kind.
#[test]
fn schemas_have_the_fields_the_code_reads_and_writes() {
    for kind in Kind::ALL {
        let (record_name, create_name, update_name) = schema_names(kind);
        let (create_body, update_body) = full_bodies(kind);

        valid(&create_name, &create_body);
        let (read, record) = parse_create(kind, &create_body).unwrap();
        same_fields(&read, &cached_document()["components"]["schemas"][&create_name], &create_name);
        same_fields(
            &record,
            &cached_document()["components"]["schemas"][&record_name],
            &record_name,
        );
        valid(&record_name, &record);
        assert!(record[kind.id_field()].is_string(), "{record_name} has its id field");

        valid(&update_name, &update_body);
        let (read, merged) = parse_update(kind, &record, &update_body).unwrap();
        same_fields(&read, &cached_document()["components"]["schemas"][&update_name], &update_name);
        same_fields(
            &merged,
            &cached_document()["components"]["schemas"][&record_name],
            &record_name,
        );
        valid(&record_name, &merged);
        valid(&update_name, &json!({}));
        parse_update(kind, &record, &json!({})).unwrap();
    }
}

/// The schemas' `required` lists are the fields the validators require: a create body with
/// only them is read, without any one of them it is refused by both; optional fields may be
/// `null`.
#[test]
fn required_fields_match_the_validators() {
    for kind in Kind::ALL {
        let (_, create_name, update_name) = schema_names(kind);
        let schemas = &cached_document()["components"]["schemas"];
        let required: BTreeSet<&str> = schemas[&create_name]["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|name| name.as_str().unwrap())
            .collect();
        let (full, full_update) = full_bodies(kind);
        let mut minimal = full.clone();
        minimal.as_object_mut().unwrap().retain(|key, _| required.contains(key.as_str()));
        valid(&create_name, &minimal);
        parse_create(kind, &minimal).unwrap_or_else(|e| panic!("{create_name}: {e}"));
        for field in &required {
            let mut without = minimal.clone();
            without.as_object_mut().unwrap().remove(*field);
            let refused = parse_create(kind, &without).unwrap_err();
            assert!(refused.has(&["body", field]), "{create_name} without {field}: {refused}");
            assert!(!errors(&schema_validator(&create_name), &without).is_empty(), "{field}");
        }
        let mut nulls = full.clone();
        for (key, value) in nulls.as_object_mut().unwrap() {
            if !required.contains(key.as_str()) {
                *value = Value::Null;
            }
        }
        valid(&create_name, &nulls);
        parse_create(kind, &nulls).unwrap();
        let mut null_update = full_update.clone();
        null_update.as_object_mut().unwrap().values_mut().for_each(|v| *v = Value::Null);
        valid(&update_name, &null_update);
        let (_, record) = parse_create(kind, &full).unwrap();
        parse_update(kind, &record, &null_update).unwrap();
        assert!(schemas[&update_name].get("required").is_none(), "{update_name}: all optional");
    }
}

/// `body` with the value at `pointer` replaced.
fn with(body: &Value, pointer: &str, value: Value) -> Value {
    let mut body = body.clone();
    *body.pointer_mut(pointer).unwrap() = value;
    body
}

/// What the validators refuse, the schemas refuse; what they accept, the schemas accept.
#[test]
fn schemas_refuse_what_the_validators_refuse() {
    #[rustfmt::skip]
    let cases: &[(Kind, bool, &str, Value, bool)] = &[
        // (kind, update?, pointer, value, accepted)
        (Kind::Service, false, "/resources/cpu", json!(0), false),
        (Kind::Service, false, "/resources/cpu", json!(-1), false),
        (Kind::Service, false, "/resources/cpu", json!(2.5), false),
        (Kind::Service, false, "/resources/cpu", json!("2"), false),
        (Kind::Service, false, "/resources/cpu", json!(2.0), true),
        (Kind::Service, false, "/resources/ram", json!("2TB"), false),
        (Kind::Service, false, "/resources/ram", json!(" 2GB"), false),
        (Kind::Service, false, "/resources/ram", json!("2 gB"), true),
        (Kind::Service, false, "/resources/ram", json!("999mb"), true),
        (Kind::Service, false, "/security_policy/roles", json!([]), false),
        (Kind::Service, false, "/security_policy/roles", json!(["a", " "]), false),
        (Kind::Service, false, "/security_policy/requires_authentication", json!("yes"), false),
        (Kind::Service, false, "/security_policy/sp_id", json!("  "), false),
        (Kind::Service, false, "/microservices", json!("m1"), false),
        (Kind::Service, true, "/resources/cpu", json!(0), false),
        (Kind::Service, true, "/security_policy/sp_id", json!(""), false),
        (Kind::Service, true, "/security_policy/roles", json!([]), false),
        (Kind::Microservice, false, "/service_id", json!(7), false),
        (Kind::Microservice, true, "/functions", json!([1]), false),
        (Kind::Function, false, "/storage/source_path", json!(" \t"), false),
        (Kind::Function, false, "/storage/capacity", json!("10"), false),
        (Kind::Function, false, "/storage/sink_path", json!(null), false),
        (Kind::Function, true, "/storage/capacity", json!("1.GB"), false),
        (Kind::Function, true, "/resources/ram", json!(".5GB"), false),
        (Kind::Endpoint, false, "/security_policy", json!({"roles": ["a"]}), false),
        (Kind::Endpoint, true, "/name", json!(false), false),
        (Kind::SecurityPolicy, false, "/roles", json!([""]), false),
        (Kind::SecurityPolicy, true, "/requires_authentication", json!(1), false),
        (Kind::Role, false, "/members", json!(["abc"]), false),
        (Kind::Role, false, "/members", json!([format!("{ALICE}0")]), false),
        (Kind::Role, false, "/permissions", json!("catalog:read"), false),
        (Kind::Role, true, "/members", json!([ALICE.to_uppercase()]), true),
        (Kind::EndpointState, false, "/metadata", json!({"a": 1}), false),
        (Kind::EndpointState, false, "/metadata", json!([]), false),
        (Kind::FunctionState, true, "/metadata", json!({"a": "b", "c": null}), false),
        (Kind::FunctionResult, false, "/metadata", json!({}), true),
        (Kind::FunctionResult, true, "/metadata", json!("x"), false),
    ];
    for (kind, is_update, pointer, value, accepted) in cases {
        let (record_name, create_name, update_name) = schema_names(*kind);
        let (create_body, update_body) = full_bodies(*kind);
        let (name, body) = if *is_update {
            (&update_name, with(&update_body, pointer, value.clone()))
        } else {
            (&create_name, with(&create_body, pointer, value.clone()))
        };
        let schema_ok = errors(&schema_validator(name), &body).is_empty();
        let code_ok = if *is_update {
            let (_, record) = parse_create(*kind, &create_body).unwrap();
            parse_update(*kind, &record, &body).map(|(_, merged)| merged)
        } else {
            parse_create(*kind, &body).map(|(_, record)| record)
        };
        assert_eq!(schema_ok, *accepted, "{name} {pointer} = {value}: schema");
        assert_eq!(code_ok.is_ok(), *accepted, "{name} {pointer} = {value}: validator");
        if let Ok(record) = code_ok {
            valid(&record_name, &record);
        }
    }
}

/// The size pattern is `size_bytes`'s syntax (only its 64-bit limit is not a pattern).
#[test]
fn size_pattern_is_size_bytes() {
    let ram = validator("#/components/schemas/Resources/properties/ram");
    for text in [
        "512MB",
        "2gb",
        "2Gb",
        "1.5 GB",
        "1.5  mb",
        "0.0000001MB",
        "0MB",
        "",
        "GB",
        "MB",
        " 1GB",
        "1GB ",
        "1.GB",
        ".5GB",
        "1KB",
        "1G",
        "1",
        "-1GB",
        "1,5GB",
        "abcGB",
        "1e3MB",
        "1.2.3GB",
        "２GB",
        "1\tGB",
        "+1GB",
    ] {
        let instance = json!(text);
        assert_eq!(ram.is_valid(&instance), size_bytes(text).is_some(), "{text:?}");
    }
    assert!(size_bytes("99999999999999999999GB").is_none());
    assert!(ram.is_valid(&json!("99999999999999999999GB")), "the limit is in the description");
}

/// Members are Colonies IDs in either case.
#[test]
fn colonies_id_pattern() {
    let id = schema_validator("ColoniesId");
    for (text, ok) in [
        (ALICE.to_string(), true),
        (ALICE.to_uppercase(), true),
        (ALICE[1..].to_string(), false),
        (format!("{}g", &ALICE[1..]), false),
        (format!(" {}", &ALICE[1..]), false),
    ] {
        assert_eq!(id.is_valid(&json!(text)), ok, "{text}");
        assert_eq!(text.parse::<colonies_core::Id>().is_ok(), ok, "{text}");
    }
}

/// The error bodies the code writes are the ones the document describes.
#[test]
fn error_bodies_match() {
    let api = schema_validator("ApiError");
    let not_found =
        serde_json::to_value(colonies_core::mesh::ApiError::not_found(Kind::Role, "r")).unwrap();
    assert!(api.is_valid(&not_found));
    same_fields(&not_found, &cached_document()["components"]["schemas"]["ApiError"], "ApiError");
    let invalid = parse_create(Kind::Service, &json!({"resources": {"cpu": 0}})).unwrap_err();
    let invalid = serde_json::to_value(invalid).unwrap();
    valid("ValidationError", &invalid);
    same_fields(
        &invalid,
        &cached_document()["components"]["schemas"]["ValidationError"],
        "ValidationError",
    );
    let broken =
        serde_json::to_value(colonies_core::mesh::parse_json(b"{\"a\":").unwrap_err()).unwrap();
    valid("ValidationError", &broken);
    assert!(!api.is_valid(&invalid));
}

/// Every operation answers its errors with the error schemas, and the invocation's shapes.
#[test]
fn responses_and_invoke() {
    let document = cached_document();
    let invoke = &document["paths"]["/api/v1/functions/{function_id}/invoke"]["post"];
    assert_eq!(invoke["requestBody"]["required"], false);
    valid("InvokeRequest", &json!({"args": [1, "a"], "kwargs": {"x": 1}}));
    valid("InvokeRequest", &json!({}));
    assert!(!schema_validator("InvokeRequest").is_valid(&json!({"args": {}})));
    valid(
        "InvokeResponse",
        &json!({
            "function_id": "f1", "process_id": ALICE, "state_id": "s1", "executorname": "edge-1"
        }),
    );
    for kind in Kind::ALL {
        let item = &document["paths"][format!("/api/v1/{}/{{{}}}", kind.path(), kind.id_field())];
        for (code, name) in [("404", "NotFound"), ("401", "Unauthorized"), ("403", "Forbidden")] {
            assert_eq!(
                item["get"]["responses"][code]["$ref"],
                format!("#/components/responses/{name}")
            );
        }
        assert_eq!(
            item["put"]["responses"]["422"]["$ref"],
            "#/components/responses/ValidationFailed"
        );
    }
    let responses = &document["components"]["responses"];
    assert_eq!(
        responses["ValidationFailed"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ValidationError"
    );
    assert_eq!(
        responses["NotFound"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ApiError"
    );
}
