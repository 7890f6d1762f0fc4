//! The mesh API's bodies, records and merges as a server uses them: JSON in, JSON out.
#![allow(clippy::unwrap_used)]

use colonies_core::{
    mesh::{
        Endpoint, EndpointState, Function, FunctionResult, FunctionState, Invalid, Kind, MeshError,
        Microservice, Permission, PolicyFile, Resource, Role, SecurityPolicy, SecurityPolicyUpdate,
        Service, Upsert, upserts,
    },
    time::Timestamp,
};
use serde_json::{Value, json};

const T0: Timestamp = Timestamp::from_unix_nanos(1_700_000_000_000_000_000);
const T1: Timestamp = Timestamp::from_unix_nanos(1_700_000_060_000_000_000);

/// A POST as the server does it: parse, create with id `new`, answer with the record's JSON.
fn post<R: Resource>(body: Value) -> Result<R, Invalid> {
    let mut n = 0;
    let mut fresh = || {
        n += 1;
        format!("fresh-{n}")
    };
    Ok(R::create(R::parse_create(&body)?, "new".into(), &mut fresh, T0))
}

fn json_of<R: Resource>(record: &R) -> Value {
    serde_json::to_value(record).unwrap()
}

fn resources() -> Value {
    json!({"cpu": 2, "ram": "2GB"})
}

fn storage() -> Value {
    json!({"capacity": "10GB", "source_path": "/in", "sink_path": "/out"})
}

fn service_body() -> Value {
    json!({
        "security_policy": {"roles": ["analyst"], "requires_authentication": true},
        "microservices": ["m1"],
        "resources": resources(),
        "policy_id": "policy1",
        "service_id": "ignored"
    })
}

fn function_body() -> Value {
    json!({
        "microservice_id": "m1", "image": "img:1", "resources": resources(), "storage": storage(),
        "endpoint_id": "ep1", "policy_id": "policy1", "deployment_status": "completed",
        "function_id": "ignored"
    })
}

/// The locations of every problem, as dotted text.
fn locs(invalid: &Invalid) -> Vec<String> {
    invalid
        .detail
        .iter()
        .map(|p| p.loc.iter().map(ToString::to_string).collect::<Vec<_>>().join("."))
        .collect()
}

#[test]
fn every_create_answers_with_cryptomesh_shape() {
    let service: Service = post(service_body()).unwrap();
    assert_eq!(
        json_of(&service),
        json!({
            "service_id": "new", "microservices": ["m1"], "resources": {"cpu": 2, "ram": "2GB"},
            "security_policy": {"sp_id": "fresh-1", "roles": ["analyst"], "requires_authentication": true}
        })
    );
    assert_eq!(service.policy_id, "policy1");

    let micro: Microservice =
        post(json!({"service_id": "s1", "resources": resources(), "policy_id": "p"})).unwrap();
    assert_eq!(
        json_of(&micro),
        json!({"microservice_id": "new", "service_id": "s1", "functions": [], "resources": resources()})
    );

    let function: Function = post(function_body()).unwrap();
    assert_eq!(
        json_of(&function),
        json!({"function_id": "new", "image": "img:1", "deployment_status": "pending",
               "resources": resources(), "storage": storage()})
    );
    assert_eq!((function.endpoint_id.as_str(), function.microservice_id.as_str()), ("ep1", "m1"));

    let endpoint: Endpoint = post(json!({
        "name": "gpu", "image": "img", "resources": resources(), "policy_id": "p",
        "security_policy": {"sp_id": "sp1", "roles": ["analyst"], "requires_authentication": false}
    }))
    .unwrap();
    assert_eq!(
        json_of(&endpoint),
        json!({"endpoint_id": "new", "name": "gpu", "image": "img", "resources": resources(),
               "security_policy": {"sp_id": "sp1", "roles": ["analyst"], "requires_authentication": false}})
    );

    // A client-chosen sp_id is the record's id; without one the server's id is used.
    let chosen: SecurityPolicy =
        post(json!({"sp_id": "sp9", "roles": ["a"], "requires_authentication": true})).unwrap();
    assert_eq!(chosen.id(), "sp9");
    let generated: SecurityPolicy =
        post(json!({"roles": ["a"], "requires_authentication": false})).unwrap();
    assert_eq!(
        json_of(&generated),
        json!({"sp_id": "new", "roles": ["a"], "requires_authentication": false})
    );

    // Roles: members are ours and are left out of the JSON when there are none.
    let role: Role =
        post(json!({"name": "r", "description": "d", "permissions": ["read"]})).unwrap();
    assert_eq!(
        json_of(&role),
        json!({"role_id": "new", "name": "r", "description": "d", "permissions": ["read"]})
    );
    let member = "4fef2b5a82d134d058c1883c72d6d9caf77cd59ca82d73105017590dea3dcb87";
    let role: Role =
        post(json!({"name": "r", "description": "d", "permissions": [], "members": [member]}))
            .unwrap();
    assert_eq!(json_of(&role)["members"], json!([member]));
    assert_eq!(serde_json::from_value::<Role>(json_of(&role)).unwrap(), role);

    let stamp = "2023-11-14T22:13:20Z";
    let state: EndpointState = post(json!({"endpoint_id": "ep1", "state": "warm"})).unwrap();
    assert_eq!(
        json_of(&state),
        json!({"state_id": "new", "endpoint_id": "ep1", "state": "warm", "metadata": {}, "timestamp": stamp})
    );
    let state: FunctionState =
        post(json!({"function_id": "f1", "state": "running", "metadata": {"k": "v"}})).unwrap();
    assert_eq!(
        json_of(&state),
        json!({"state_id": "new", "function_id": "f1", "state": "running", "metadata": {"k": "v"}, "timestamp": stamp})
    );
    let result: FunctionResult = post(json!({"function_id": "f1"})).unwrap();
    assert_eq!(
        json_of(&result),
        json!({"result_id": "new", "function_id": "f1", "metadata": {}, "timestamp": stamp})
    );
    // A client reads responses back into records.
    assert_eq!(serde_json::from_value::<FunctionResult>(json_of(&result)).unwrap(), result);
}

#[test]
fn creates_are_validated_with_locations() {
    // Every problem at once, each at its place.
    let error = Service::parse_create(&json!({
        "security_policy": {"roles": [], "requires_authentication": "yes"},
        "microservices": "m1",
        "resources": {"cpu": 0, "ram": "2TB"}
    }))
    .unwrap_err();
    assert_eq!(
        locs(&error),
        [
            "body.security_policy.roles",
            "body.security_policy.requires_authentication",
            "body.microservices",
            "body.resources.cpu",
            "body.resources.ram",
        ]
    );
    let kinds: Vec<&str> = error.detail.iter().map(|p| p.kind.as_str()).collect();
    assert_eq!(kinds, ["value_error", "bool_type", "list_type", "greater_than", "value_error"]);
    assert_eq!(MeshError::from(error).status(), 422);

    let error = Function::parse_create(&json!({
        "microservice_id": 7, "image": "i", "resources": {"ram": "1mb"},
        "storage": {"capacity": "1gb", "source_path": "  ", "sink_path": ""}
    }))
    .unwrap_err();
    assert_eq!(
        locs(&error),
        [
            "body.microservice_id",
            "body.resources.cpu",
            "body.storage.source_path",
            "body.storage.sink_path",
            "body.endpoint_id",
        ]
    );
    assert_eq!(error.detail[1].kind, "missing");

    let error =
        SecurityPolicy::parse_create(&json!({"roles": ["a", " "], "sp_id": ""})).unwrap_err();
    assert_eq!(locs(&error), ["body.sp_id", "body.roles.1", "body.requires_authentication"]);
    let error = Role::parse_create(
        &json!({"name": "r", "description": "d", "permissions": ["x"], "members": ["me"]}),
    )
    .unwrap_err();
    assert_eq!(locs(&error), ["body.members.0"]);
    let error = EndpointState::parse_create(
        &json!({"endpoint_id": "e", "state": "warm", "metadata": {"n": 1}}),
    )
    .unwrap_err();
    assert_eq!(locs(&error), ["body.metadata.n"]);
    let error = FunctionResult::parse_create(&json!([])).unwrap_err();
    assert_eq!(
        (locs(&error), error.detail[0].kind.as_str()),
        (vec!["body".into()], "model_attributes_type")
    );
    // null in a required field is a type error, in an optional one it is absent.
    assert_eq!(
        Microservice::parse_create(&json!({"service_id": null, "resources": resources()}))
            .unwrap_err()
            .detail[0]
            .kind,
        "string_type"
    );
    assert!(
        Microservice::parse_create(
            &json!({"service_id": "s", "resources": resources(), "functions": null})
        )
        .is_ok()
    );
    // Every kind refuses an empty body, naming its first required field.
    for kind in Kind::ALL {
        let missing = match kind {
            Kind::Service => Service::parse_create(&json!({})).err(),
            Kind::Microservice => Microservice::parse_create(&json!({})).err(),
            Kind::Function => Function::parse_create(&json!({})).err(),
            Kind::Endpoint => Endpoint::parse_create(&json!({})).err(),
            Kind::SecurityPolicy => SecurityPolicy::parse_create(&json!({})).err(),
            Kind::Role => Role::parse_create(&json!({})).err(),
            Kind::EndpointState => EndpointState::parse_create(&json!({})).err(),
            Kind::FunctionState => FunctionState::parse_create(&json!({})).err(),
            Kind::FunctionResult => FunctionResult::parse_create(&json!({})).err(),
        };
        let missing = missing.unwrap_or_else(|| panic!("{kind:?} accepted {{}}"));
        assert!(missing.detail.iter().all(|p| p.kind == "missing"), "{kind:?}");
    }
}

#[test]
fn put_merges_field_by_field() {
    let service: Service = post(service_body()).unwrap();
    let merged = service
        .put(&json!({"resources": {"ram": "4gb"}, "security_policy": {"requires_authentication": false}}), T1)
        .unwrap();
    assert_eq!(merged.resources.cpu, 2);
    assert_eq!(merged.resources.ram, "4gb");
    assert_eq!(merged.security_policy.sp_id, "fresh-1", "a PUT without sp_id keeps it");
    assert_eq!(merged.security_policy.roles, ["analyst"]);
    assert!(!merged.security_policy.requires_authentication);
    assert_eq!(merged.microservices, ["m1"]);
    let renamed =
        service.put(&json!({"security_policy": {"sp_id": "sp2", "roles": ["x"]}}), T1).unwrap();
    assert_eq!(
        (renamed.security_policy.sp_id.as_str(), renamed.security_policy.roles.as_slice()),
        ("sp2", &["x".to_string()][..])
    );
    assert_eq!(service.put(&json!({}), T1).unwrap(), service);
    assert_eq!(service.put(&json!({"resources": null}), T1).unwrap(), service);

    // Omissions are fine, bad values are not.
    let error = service
        .put(&json!({"resources": {"cpu": -1}, "security_policy": {"roles": []}}), T1)
        .unwrap_err();
    assert_eq!(locs(&error), ["body.resources.cpu", "body.security_policy.roles"]);

    let function: Function = post(function_body()).unwrap();
    let merged = function
        .put(&json!({"storage": {"sink_path": "/elsewhere"}, "deployment_status": "completed", "endpoint_id": "ep2",
                      "microservice_id": "ignored"}), T1)
        .unwrap();
    assert_eq!(
        (merged.storage.source_path.as_str(), merged.storage.sink_path.as_str()),
        ("/in", "/elsewhere")
    );
    assert_eq!(
        (merged.deployment_status.as_str(), merged.endpoint_id.as_str()),
        ("completed", "ep2")
    );
    assert_eq!(merged.microservice_id, "m1");
    assert!(function.put(&json!({"storage": {"capacity": "big"}}), T1).is_err());

    let micro: Microservice = post(json!({"service_id": "s1", "resources": resources()})).unwrap();
    let merged = micro.put(&json!({"service_id": "s2", "functions": ["f1"]}), T1).unwrap();
    assert_eq!(
        (merged.service_id.as_str(), merged.functions.as_slice()),
        ("s1", &["f1".to_string()][..])
    );

    // A standalone policy never changes its id.
    let policy: SecurityPolicy =
        post(json!({"sp_id": "sp1", "roles": ["a"], "requires_authentication": true})).unwrap();
    let merged = policy.put(&json!({"sp_id": "sp2", "roles": ["b"]}), T1).unwrap();
    let mut direct = policy.clone();
    let rename = SecurityPolicyUpdate { sp_id: Some("sp2".into()), ..Default::default() };
    direct.update(rename, T1);
    assert_eq!(direct, policy);
    assert_eq!((merged.sp_id.as_str(), merged.roles.as_slice()), ("sp1", &["b".to_string()][..]));

    let role: Role =
        post(json!({"name": "r", "description": "d", "permissions": ["catalog:read"]})).unwrap();
    let member = "4FEF2B5A82D134D058C1883C72D6D9CAF77CD59CA82D73105017590DEA3DCB87";
    let merged = role.put(&json!({"members": [member]}), T1).unwrap();
    assert_eq!(
        (merged.name.as_str(), merged.members[0].as_str()),
        ("r", member.to_ascii_lowercase().as_str())
    );

    // States keep their time; a result's time moves to now; metadata is replaced.
    let state: FunctionState =
        post(json!({"function_id": "f", "state": "running", "metadata": {"a": "1"}})).unwrap();
    let merged = state.put(&json!({"state": "completed", "metadata": {"b": "2"}}), T1).unwrap();
    assert_eq!((merged.state.as_str(), merged.timestamp), ("completed", T0));
    assert_eq!(json_of(&merged)["metadata"], json!({"b": "2"}));
    let result: FunctionResult = post(json!({"function_id": "f", "metadata": {"a": "1"}})).unwrap();
    let merged = result.put(&json!({"function_id": "other"}), T1).unwrap();
    assert_eq!((merged.function_id.as_str(), merged.timestamp), ("f", T1));
    assert_eq!(merged.metadata, result.metadata);
}

#[test]
fn kinds_and_paths() {
    for kind in Kind::ALL {
        assert_eq!(Kind::from_path(kind.path()), Some(kind));
    }
    assert_eq!(Kind::from_path("service"), None);
    assert_eq!(
        (Service::KIND.id_field(), SecurityPolicy::KIND.path()),
        ("service_id", "security-policies")
    );
    assert_eq!(FunctionResult::KIND.id_field(), "result_id");
    assert_eq!(Kind::Role.write_permission(), Permission::PolicyWrite);
    assert_eq!(Kind::FunctionState.write_permission(), Permission::CatalogWrite);
    let endpoint: Endpoint = post(json!({
        "name": "n", "image": "i", "resources": resources(),
        "security_policy": {"roles": ["a"], "requires_authentication": true}
    }))
    .unwrap();
    assert_eq!(endpoint.guard().map(|p| p.sp_id.as_str()), Some("fresh-1"));
    let micro: Microservice = post(json!({"service_id": "s1", "resources": resources()})).unwrap();
    assert!(micro.guard().is_none());
}

/// A document in CryptoMesh's policy format.
fn policy_document() -> Value {
    json!({
        "services": {
            "svc1": {"security_policy": {"sp_id": "sp-svc", "roles": ["analyst"], "requires_authentication": true},
                     "microservices": ["ms1"], "resources": resources(), "policy_id": "policy1"}
        },
        "microservices": {
            "ms1": {"service_id": "svc1", "functions": ["fn1"], "resources": resources(), "policy_id": "policy1"}
        },
        "functions": {
            "fn1": {"microservice_id": "ms1", "image": "img:1", "resources": resources(), "storage": storage(),
                    "endpoint_id": "ep1", "deployment_status": "deployed", "policy_id": "policy1"}
        },
        "endpoints": {
            "ep2": {"name": "b", "image": "img", "resources": resources(), "policy_id": "policy1",
                    "security_policy": {"roles": ["analyst"], "requires_authentication": false}},
            "ep1": {"name": "a", "image": "img", "resources": resources(), "policy_id": "policy1",
                    "security_policy": {"sp_id": "sp1", "roles": ["analyst"], "requires_authentication": true}}
        },
        "cryptomesh": "v1"
    })
}

#[test]
fn policy_file_upserts_in_order() {
    let list = upserts(&policy_document()).unwrap();
    let order: Vec<(Kind, &str)> = list.iter().map(|u| (u.kind(), u.id())).collect();
    assert_eq!(
        order,
        [
            (Kind::Endpoint, "ep1"),
            (Kind::Endpoint, "ep2"),
            (Kind::Function, "fn1"),
            (Kind::Microservice, "ms1"),
            (Kind::Service, "svc1"),
        ]
    );
    let Upsert::Endpoint { body, .. } = &list[0] else { panic!("{list:?}") };
    assert_eq!(body.security_policy.sp_id.as_deref(), Some("sp1"));

    // Missing and empty sections are empty; the document must be an object.
    assert_eq!(upserts(&json!({"services": null})).unwrap(), []);
    assert_eq!(upserts(&json!([])).unwrap_err().detail[0].kind, "model_attributes_type");

    let mut bad = policy_document();
    bad["services"]["svc1"]["resources"]["cpu"] = json!(0);
    bad["functions"]["fn1"]["storage"]["sink_path"] = json!(" ");
    bad["microservices"] = json!(["ms1"]);
    bad["endpoints"][" "] = bad["endpoints"]["ep1"].clone();
    assert_eq!(
        locs(&upserts(&bad).unwrap_err()),
        [
            "endpoints. ",
            "functions.fn1.storage.sink_path",
            "microservices",
            "services.svc1.resources.cpu"
        ]
    );

    // Straight from a deserializer (e.g. a YAML reader) too, validated.
    let file: PolicyFile = serde_json::from_value(policy_document()).unwrap();
    assert_eq!(file.endpoints.len(), 2);
    let error = serde_json::from_value::<PolicyFile>(bad).unwrap_err();
    assert!(error.to_string().contains("services.svc1.resources.cpu"), "{error}");
}

#[test]
fn applying_a_policy_file_twice_changes_nothing() {
    let mut n = 0;
    let mut fresh = || {
        n += 1;
        format!("uuid-{n}")
    };
    let apply = |stored: &[Endpoint], fresh: &mut dyn FnMut() -> String| -> Vec<Endpoint> {
        upserts(&policy_document())
            .unwrap()
            .into_iter()
            .filter_map(|u| match u {
                Upsert::Endpoint { id, body } => {
                    let old = stored.iter().find(|e| e.endpoint_id == id);
                    Some(Endpoint::upsert(old, &id, body, fresh, T0))
                }
                _ => None,
            })
            .collect()
    };
    let first = apply(&[], &mut fresh);
    assert_eq!(first[1].security_policy.sp_id, "uuid-1", "ep2 names no sp_id");
    assert_eq!(first[0].security_policy.sp_id, "sp1");
    let second = apply(&first, &mut fresh);
    assert_eq!(first, second);

    // The server owns a function's deployment status: applying again keeps it.
    let Some(Upsert::Function { id, body }) =
        upserts(&policy_document()).unwrap().into_iter().nth(2)
    else {
        panic!()
    };
    let mut function = Function::upsert(None, &id, body.clone(), &mut fresh, T0);
    assert_eq!(
        (function.function_id.as_str(), function.deployment_status.as_str()),
        ("fn1", "pending")
    );
    function.deployment_status = "completed".into();
    assert_eq!(Function::upsert(Some(&function), &id, body, &mut fresh, T0), function);
}

#[test]
fn export_reads_back_as_the_same_file() {
    let file: PolicyFile = serde_json::from_value(policy_document()).unwrap();
    let mut fresh = || "uuid".to_string();
    let mut exported = PolicyFile::default();
    for upsert in file.clone().upserts() {
        match upsert {
            Upsert::Endpoint { id, body } => {
                let record = Endpoint::upsert(None, &id, body, &mut fresh, T0);
                exported.endpoints.insert(id, (&record).into());
            }
            Upsert::Function { id, body } => {
                let record = Function::upsert(None, &id, body, &mut fresh, T0);
                exported.functions.insert(id, (&record).into());
            }
            Upsert::Microservice { id, body } => {
                let record = Microservice::upsert(None, &id, body, &mut fresh, T0);
                exported.microservices.insert(id, (&record).into());
            }
            Upsert::Service { id, body } => {
                let record = Service::upsert(None, &id, body, &mut fresh, T0);
                exported.services.insert(id, (&record).into());
            }
        }
    }
    let text = serde_json::to_value(&exported).unwrap();
    let again: PolicyFile = serde_json::from_value(text.clone()).unwrap();
    assert_eq!(again, exported);
    // Only the generated sp_id differs from the file that was applied.
    assert_eq!(text["endpoints"]["ep2"]["security_policy"]["sp_id"], "uuid");
    assert_eq!(exported.services, file.services);
    assert_eq!(exported.functions, file.functions);
}
