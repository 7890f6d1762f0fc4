//! The mesh's REST API (`/api/v1`, CryptoMesh's catalog) as its clients use it, driven by the
//! colony owner with a bearer token: each of the nine resources is created (201 and the
//! record, with an id of the server's), listed, read, changed by a PUT merged field by field,
//! and deleted (204, then 404); bad bodies are 422 with FastAPI's problem list; a second
//! `sp_id` is a 400. Every item route is called both with a trailing slash (as CryptoMesh's
//! client does) and without, and neither may answer with a redirect (see `support::mesh`).

mod support;

use colonies_blackbox::{key, now_ms};
use colonies_core::time::Timestamp;
use serde_json::{Value, json};
use support::mesh::{Mesh, MeshApi, RESOURCES, ids, is_uuid};

/// An id no record has.
const MISSING: &str = "00000000-0000-4000-8000-000000000000";

/// Asserts that each field of `expected` (an object) has exactly that value in `record`.
#[track_caller]
fn fields(record: &Value, expected: &Value) {
    let expected = expected.as_object().expect("expected fields are an object");
    for (name, want) in expected {
        assert_eq!(&record[name], want, "field {name} of {record}");
    }
}

/// Asserts that `record` does not answer with any of `names` (fields kept but never shown).
#[track_caller]
fn hidden(record: &Value, names: &[&str]) {
    for name in names {
        assert!(record.get(name).is_none(), "{name} is never in a response: {record}");
    }
}

/// A record's `timestamp`, asserted to be RFC 3339 and within five minutes of this clock.
#[track_caller]
fn recent(record: &Value) -> Timestamp {
    let text = record["timestamp"].as_str().unwrap_or_else(|| panic!("a timestamp: {record}"));
    let stamp: Timestamp = text.parse().unwrap_or_else(|e| panic!("{text:?}: {e:?}"));
    let ms = stamp.unix_nanos().expect("a set time") / 1_000_000;
    assert!((ms - now_ms()).abs() < 5 * 60 * 1000, "timestamp {text} is not now");
    stamp
}

/// One resource's walk through the API: what to send and what the record must then say.
struct Walk {
    /// The collection (`services`, …).
    resource: &'static str,
    /// Its records' id field.
    id_field: &'static str,
    /// A create body, with an id of the client's (which the server ignores).
    create: Value,
    /// Fields of the created record.
    created: Value,
    /// Another create body, sent to the collection path without a slash.
    other: Value,
    /// A PUT sent to the item path with a slash, and the fields it leaves.
    update: (Value, Value),
    /// A second PUT, sent to the bare item path, and the fields it leaves.
    update_bare: (Value, Value),
    /// Fields a response never carries.
    hidden: &'static [&'static str],
}

impl Walk {
    /// Runs the walk in a new colony: create, list, get, get missing, PUT twice, delete.
    async fn run(self) {
        let mesh = Mesh::new().await;
        let api = &mesh.api;
        let (r, id_field) = (self.resource, self.id_field);

        // Create: 201 and the record, whose id is the server's (security policies keep a
        // client's sp_id).
        let created = api.create(r, &self.create).await;
        fields(&created, &self.created);
        hidden(&created, self.hidden);
        let id = created[id_field].as_str().unwrap_or_else(|| panic!("{id_field}: {created}"));
        match self.create.get(id_field).and_then(Value::as_str) {
            Some(chosen) if r == "security-policies" => assert_eq!(id, chosen, "sp_id is kept"),
            chosen => {
                assert!(is_uuid(id), "{r}: the server's id is a UUID, not {id:?}");
                assert_ne!(Some(id), chosen, "{r}: a body's {id_field} is ignored");
            }
        }
        let id = id.to_owned();
        if let Some(chosen) = self.create.get(id_field).and_then(Value::as_str)
            && chosen != id
        {
            api.get(&format!("{r}/{chosen}")).await.refused(404);
        }

        // The collection path without its slash creates too.
        let other = api.post(r, &self.other).await.expect(201);
        let other_id = other[id_field].as_str().expect("an id").to_owned();
        assert_ne!(other_id, id, "{r}: two records, two ids");

        // List: both records, with and without the slash.
        for path in [format!("{r}/"), r.to_owned()] {
            let list = api.get(&path).await.list();
            let mut listed = ids(&list, id_field);
            listed.sort();
            let mut want = vec![id.clone(), other_id.clone()];
            want.sort();
            assert_eq!(listed, want, "GET {path}");
            let first = list.iter().find(|record| record[id_field] == id.as_str());
            assert_eq!(first, Some(&created), "GET {path} lists the record as created");
        }

        // Get: the record as created, with and without the slash; a missing id is a 404.
        for path in [format!("{r}/{id}"), format!("{r}/{id}/")] {
            assert_eq!(api.get(&path).await.expect(200), created, "GET {path}");
        }
        for missing in [MISSING, "nonexistent_record"] {
            for path in [format!("{r}/{missing}"), format!("{r}/{missing}/")] {
                api.get(&path).await.refused(404);
                api.put(&path, &self.update.0).await.refused(404);
                api.delete(&path).await.refused(404);
            }
        }

        // PUT with the slash (CryptoMesh's client), then without: merged, id unchanged, stored.
        let (body, want) = &self.update;
        let updated = api.put(&format!("{r}/{id}/"), body).await.expect(200);
        fields(&updated, want);
        hidden(&updated, self.hidden);
        assert_eq!(updated[id_field], id.as_str(), "{r}: a PUT never changes the id");
        assert_eq!(api.get(&format!("{r}/{id}")).await.expect(200), updated, "stored");
        let (body, want) = &self.update_bare;
        let updated = api.put(&format!("{r}/{id}"), body).await.expect(200);
        fields(&updated, want);
        assert_eq!(updated[id_field], id.as_str(), "{r}: a PUT never changes the id");
        assert_eq!(api.get(&format!("{r}/{id}/")).await.expect(200), updated, "stored");
        // The other record is untouched.
        assert_eq!(api.get(&format!("{r}/{other_id}")).await.expect(200), other);

        // Delete with the slash, then the other without: 204, and gone for every form.
        for (target, path) in [(&id, format!("{r}/{id}/")), (&other_id, format!("{r}/{other_id}"))]
        {
            let reply = api.delete(&path).await;
            assert_eq!(reply.status, 204, "DELETE {path}: {}", reply.text);
            assert!(reply.text.is_empty(), "a 204 has no body: {}", reply.text);
            api.get(&format!("{r}/{target}")).await.refused(404);
            api.get(&format!("{r}/{target}/")).await.refused(404);
            api.delete(&path).await.refused(404);
        }
        assert!(api.list(r).await.is_empty(), "{r}: all deleted");
    }
}

#[tokio::test]
async fn services_are_created_listed_read_merged_and_deleted() {
    let policy = json!({"sp_id": "svc-guard", "roles": ["security_manager"],
                        "requires_authentication": true});
    Walk {
        resource: "services",
        id_field: "service_id",
        create: json!({
            "service_id": "svc-chosen-by-client",
            "security_policy": policy,
            "microservices": ["ms-a", "ms-b"],
            "resources": {"cpu": 2, "ram": "2GB"},
            "policy_id": "policy-file-entry",
        }),
        created: json!({
            "security_policy": policy,
            "microservices": ["ms-a", "ms-b"],
            "resources": {"cpu": 2, "ram": "2GB"},
        }),
        other: json!({
            "security_policy": {"roles": ["auditor"], "requires_authentication": false},
            "resources": {"cpu": 1, "ram": "256MB"},
        }),
        update: (
            json!({"resources": {"cpu": 4}, "security_policy": {"roles": ["ml_analyst"]}}),
            json!({
                "resources": {"cpu": 4, "ram": "2GB"},
                "security_policy": {"sp_id": "svc-guard", "roles": ["ml_analyst"],
                                    "requires_authentication": true},
                "microservices": ["ms-a", "ms-b"],
            }),
        ),
        // A PUT may also send the whole record again, id and policy_id included.
        update_bare: (
            json!({
                "service_id": "another-id",
                "security_policy": {"sp_id": "svc-guard-2", "roles": ["ml_analyst"],
                                    "requires_authentication": false},
                "microservices": ["ms-c"],
                "resources": {"cpu": 8, "ram": "8GB"},
                "policy_id": "another-entry",
            }),
            json!({
                "security_policy": {"sp_id": "svc-guard-2", "roles": ["ml_analyst"],
                                    "requires_authentication": false},
                "microservices": ["ms-c"],
                "resources": {"cpu": 8, "ram": "8GB"},
            }),
        ),
        hidden: &["policy_id"],
    }
    .run()
    .await;
}

#[tokio::test]
async fn microservices_are_created_listed_read_merged_and_deleted() {
    Walk {
        resource: "microservices",
        id_field: "microservice_id",
        create: json!({
            "microservice_id": "ms-chosen-by-client",
            "service_id": "svc-1",
            "functions": ["fn-a", "fn-b"],
            "resources": {"cpu": 2, "ram": "2GB"},
            "policy_id": "policy-file-entry",
        }),
        created: json!({
            "service_id": "svc-1",
            "functions": ["fn-a", "fn-b"],
            "resources": {"cpu": 2, "ram": "2GB"},
        }),
        other: json!({"service_id": "svc-1", "resources": {"cpu": 1, "ram": "1gb"}}),
        update: (
            json!({"functions": ["fn-c", "fn-d"]}),
            json!({"functions": ["fn-c", "fn-d"], "resources": {"cpu": 2, "ram": "2GB"},
                   "service_id": "svc-1"}),
        ),
        // A microservice stays in its service.
        update_bare: (
            json!({"service_id": "svc-2", "resources": {"ram": "4GB"}, "policy_id": "x"}),
            json!({"service_id": "svc-1", "resources": {"cpu": 2, "ram": "4GB"},
                   "functions": ["fn-c", "fn-d"]}),
        ),
        hidden: &["policy_id"],
    }
    .run()
    .await;
}

#[tokio::test]
async fn functions_are_created_listed_read_merged_and_deleted() {
    Walk {
        resource: "functions",
        id_field: "function_id",
        create: json!({
            "function_id": "fn-chosen-by-client",
            "microservice_id": "ms-1",
            "image": "registry.local/fn:1",
            "resources": {"cpu": 1, "ram": "512MB"},
            "storage": {"capacity": "10GB", "storage_id": "st-1",
                        "source_path": "/data/in", "sink_path": "/data/out"},
            "endpoint_id": "ep-1",
            "deployment_status": "pending",
            "policy_id": "policy-file-entry",
        }),
        // Storage has no id of its own: the three fields only.
        created: json!({
            "image": "registry.local/fn:1",
            "resources": {"cpu": 1, "ram": "512MB"},
            "storage": {"capacity": "10GB", "source_path": "/data/in", "sink_path": "/data/out"},
            "deployment_status": "pending",
        }),
        // The server owns the deployment status: a new function is pending, whatever it says.
        other: json!({
            "microservice_id": "ms-1",
            "image": "registry.local/fn:2",
            "resources": {"cpu": 1, "ram": "1GB"},
            "storage": {"capacity": "1GB", "source_path": "/a", "sink_path": "/b"},
            "endpoint_id": "ep-1",
            "deployment_status": "deployed",
        }),
        update: (
            json!({"storage": {"sink_path": "/data/out-2"}, "resources": {"cpu": 2}}),
            json!({
                "storage": {"capacity": "10GB", "source_path": "/data/in",
                            "sink_path": "/data/out-2"},
                "resources": {"cpu": 2, "ram": "512MB"},
                "image": "registry.local/fn:1",
                "deployment_status": "pending",
            }),
        ),
        update_bare: (
            json!({
                "function_id": "another-id",
                "microservice_id": "ms-2",
                "image": "registry.local/fn:3",
                "resources": {"cpu": 4, "ram": "4GB"},
                "storage": {"capacity": "20GB", "storage_id": "st-2",
                            "source_path": "/new/in", "sink_path": "/new/out"},
                "endpoint_id": "ep-2",
                "deployment_status": "deployed",
                "policy_id": "another-entry",
            }),
            json!({
                "image": "registry.local/fn:3",
                "resources": {"cpu": 4, "ram": "4GB"},
                "storage": {"capacity": "20GB", "source_path": "/new/in", "sink_path": "/new/out"},
                "deployment_status": "deployed",
            }),
        ),
        hidden: &["policy_id", "microservice_id", "endpoint_id"],
    }
    .run()
    .await;
}

#[tokio::test]
async fn a_new_function_is_pending_whatever_its_body_says() {
    let mesh = Mesh::new().await;
    let body = json!({
        "microservice_id": "ms-1", "image": "img", "endpoint_id": "ep-1",
        "resources": {"cpu": 1, "ram": "1GB"},
        "storage": {"capacity": "1GB", "source_path": "/a", "sink_path": "/b"},
        "deployment_status": "completed",
    });
    let created = mesh.api.create("functions", &body).await;
    assert_eq!(created["deployment_status"], "pending");
}

#[tokio::test]
async fn endpoints_are_created_listed_read_merged_and_deleted() {
    let policy =
        json!({"sp_id": "ep-guard", "roles": ["operator"], "requires_authentication": true});
    Walk {
        resource: "endpoints",
        id_field: "endpoint_id",
        create: json!({
            "endpoint_id": "ep-chosen-by-client",
            "name": "edge node 1",
            "image": "registry.local/ep:1",
            "resources": {"cpu": 4, "ram": "8GB"},
            "security_policy": policy,
            "policy_id": "policy-file-entry",
        }),
        created: json!({
            "name": "edge node 1",
            "image": "registry.local/ep:1",
            "resources": {"cpu": 4, "ram": "8GB"},
            "security_policy": policy,
        }),
        other: json!({
            "name": "edge node 2", "image": "registry.local/ep:1",
            "resources": {"cpu": 1, "ram": "1GB"},
            "security_policy": {"roles": ["operator"], "requires_authentication": false},
        }),
        update: (
            json!({"security_policy": {"requires_authentication": false}, "name": "renamed"}),
            json!({
                "name": "renamed",
                "image": "registry.local/ep:1",
                "resources": {"cpu": 4, "ram": "8GB"},
                "security_policy": {"sp_id": "ep-guard", "roles": ["operator"],
                                    "requires_authentication": false},
            }),
        ),
        update_bare: (
            json!({
                "endpoint_id": "another-id",
                "name": "edge node 1b",
                "image": "registry.local/ep:2",
                "resources": {"ram": "16GB"},
                "security_policy": {"roles": ["operator", "ml_analyst"]},
                "policy_id": "another-entry",
            }),
            json!({
                "name": "edge node 1b",
                "image": "registry.local/ep:2",
                "resources": {"cpu": 4, "ram": "16GB"},
                "security_policy": {"sp_id": "ep-guard", "roles": ["operator", "ml_analyst"],
                                    "requires_authentication": false},
            }),
        ),
        hidden: &["policy_id"],
    }
    .run()
    .await;
}

#[tokio::test]
async fn security_policies_are_created_listed_read_merged_and_deleted() {
    Walk {
        resource: "security-policies",
        id_field: "sp_id",
        create: json!({"sp_id": "sp-managers", "roles": ["security_manager"],
                       "requires_authentication": true}),
        created: json!({"sp_id": "sp-managers", "roles": ["security_manager"],
                        "requires_authentication": true}),
        // Without an sp_id the server makes one.
        other: json!({"roles": ["auditor"], "requires_authentication": false}),
        // A PUT never renames the policy.
        update: (
            json!({"sp_id": "sp-renamed", "roles": ["ml_analyst"]}),
            json!({"sp_id": "sp-managers", "roles": ["ml_analyst"],
                   "requires_authentication": true}),
        ),
        update_bare: (
            json!({"sp_id": "sp-managers", "roles": ["ml_analyst"],
                   "requires_authentication": false}),
            json!({"roles": ["ml_analyst"], "requires_authentication": false}),
        ),
        hidden: &["policy_id"],
    }
    .run()
    .await;
}

#[tokio::test]
async fn roles_are_created_listed_read_merged_and_deleted() {
    // Members are Colonies IDs in either case, answered in lower case.
    let member = key().id().to_hex();
    Walk {
        resource: "roles",
        id_field: "role_id",
        create: json!({
            "role_id": "role-chosen-by-client",
            "name": "analyst",
            "description": "reads the catalog",
            "permissions": ["read", "write"],
        }),
        // No members: the field is left out, so the record has the catalog's own shape.
        created: json!({"name": "analyst", "description": "reads the catalog",
                        "permissions": ["read", "write"]}),
        other: json!({"name": "operator", "description": "runs things",
                      "permissions": ["catalog:write"]}),
        update: (
            json!({"permissions": ["catalog:read", "function:invoke"],
                   "members": [member.to_ascii_uppercase()]}),
            json!({"name": "analyst", "description": "reads the catalog",
                   "permissions": ["catalog:read", "function:invoke"], "members": [member]}),
        ),
        update_bare: (
            json!({"role_id": "another-id", "name": "analyst-2",
                   "description": "reads and invokes", "permissions": ["*"]}),
            json!({"name": "analyst-2", "description": "reads and invokes",
                   "permissions": ["*"], "members": [member]}),
        ),
        hidden: &["policy_id"],
    }
    .run()
    .await;
}

#[tokio::test]
async fn a_role_without_members_answers_without_the_field() {
    let mesh = Mesh::new().await;
    let body = json!({"name": "n", "description": "d", "permissions": []});
    let created = mesh.api.create("roles", &body).await;
    hidden(&created, &["members"]);
    let id = created["role_id"].as_str().expect("an id");
    let emptied = mesh.api.put(&format!("roles/{id}/"), &json!({"members": []})).await;
    hidden(&emptied.expect(200), &["members"]);
}

#[tokio::test]
async fn endpoint_states_are_created_listed_read_merged_and_deleted() {
    Walk {
        resource: "endpoint-states",
        id_field: "state_id",
        create: json!({"state_id": "state-chosen-by-client", "endpoint_id": "ep-1",
                       "state": "warm", "metadata": {"info": "created", "zone": "a"}}),
        created: json!({"endpoint_id": "ep-1", "state": "warm",
                        "metadata": {"info": "created", "zone": "a"}}),
        // Metadata may be left out.
        other: json!({"endpoint_id": "ep-1", "state": "cold"}),
        update: (
            json!({"state": "cold"}),
            json!({"endpoint_id": "ep-1", "state": "cold",
                   "metadata": {"info": "created", "zone": "a"}}),
        ),
        // Metadata is replaced, not merged.
        update_bare: (
            json!({"state_id": "another-id", "endpoint_id": "ep-1", "state": "hot",
                   "metadata": {"info": "updated"}}),
            json!({"endpoint_id": "ep-1", "state": "hot", "metadata": {"info": "updated"}}),
        ),
        hidden: &[],
    }
    .run()
    .await;
}

#[tokio::test]
async fn function_states_are_created_listed_read_merged_and_deleted() {
    Walk {
        resource: "function-states",
        id_field: "state_id",
        create: json!({"state_id": "state-chosen-by-client", "function_id": "fn-1",
                       "state": "pending", "metadata": {"info": "initial", "detail": "none"}}),
        created: json!({"function_id": "fn-1", "state": "pending",
                        "metadata": {"info": "initial", "detail": "none"}}),
        other: json!({"function_id": "fn-1", "state": "failed", "metadata": {"error": "timeout"}}),
        update: (
            json!({"metadata": {"info": "in progress"}}),
            json!({"function_id": "fn-1", "state": "pending", "metadata": {"info": "in progress"}}),
        ),
        update_bare: (
            json!({"state_id": "another-id", "function_id": "fn-1", "state": "running",
                   "metadata": {"info": "in progress", "detail": "updated"}}),
            json!({"function_id": "fn-1", "state": "running",
                   "metadata": {"info": "in progress", "detail": "updated"}}),
        ),
        hidden: &[],
    }
    .run()
    .await;
}

#[tokio::test]
async fn function_results_are_created_listed_read_merged_and_deleted() {
    Walk {
        resource: "function-results",
        id_field: "result_id",
        create: json!({"result_id": "result-chosen-by-client", "function_id": "fn-1",
                       "metadata": {"output": "42"}}),
        created: json!({"function_id": "fn-1", "metadata": {"output": "42"}}),
        other: json!({"function_id": "fn-1"}),
        update: (
            json!({"metadata": {"output": "43", "detail": "complete"}}),
            json!({"function_id": "fn-1", "metadata": {"output": "43", "detail": "complete"}}),
        ),
        update_bare: (
            json!({"result_id": "another-id", "function_id": "fn-2", "metadata": {}}),
            json!({"function_id": "fn-1", "metadata": {}}),
        ),
        hidden: &[],
    }
    .run()
    .await;
}

#[tokio::test]
async fn states_and_results_are_stamped_and_a_result_put_moves_its_stamp() {
    let mesh = Mesh::new().await;
    let api = &mesh.api;
    let state = json!({"endpoint_id": "ep-1", "state": "warm"});
    let created = api.create("endpoint-states", &state).await;
    assert_eq!(created["metadata"], json!({}), "metadata defaults to empty");
    let stamp = recent(&created);
    let id = created["state_id"].as_str().expect("an id");
    let put = api.put(&format!("endpoint-states/{id}/"), &json!({"state": "cold"})).await;
    assert_eq!(recent(&put.expect(200)), stamp, "a state keeps the time it was recorded");

    let state = json!({"function_id": "fn-1", "state": "running"});
    recent(&api.create("function-states", &state).await);

    let result = api.create("function-results", &json!({"function_id": "fn-1"})).await;
    let stamp = recent(&result);
    let id = result["result_id"].as_str().expect("an id");
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let body = json!({"metadata": {"output": "1"}});
    let changed = api.put(&format!("function-results/{id}/"), &body).await.expect(200);
    assert!(recent(&changed) > stamp, "a result's PUT moves its timestamp to now");
}

#[tokio::test]
async fn the_same_service_posted_twice_is_two_services() {
    let mesh = Mesh::new().await;
    let body = json!({
        "service_id": "svc-duplicate",
        "security_policy": {"roles": ["security_manager"], "requires_authentication": true},
        "microservices": [],
        "resources": {"cpu": 4, "ram": "4GB"},
        "policy_id": "policy-file-entry",
    });
    let first = mesh.api.create("services", &body).await;
    let second = mesh.api.create("services", &body).await;
    assert_ne!(first["service_id"], second["service_id"], "ids are the server's");
    // Each embedded policy without an sp_id gets its own.
    let (a, b) = (&first["security_policy"]["sp_id"], &second["security_policy"]["sp_id"]);
    assert!(a.as_str().is_some_and(is_uuid) && b.as_str().is_some_and(is_uuid), "{a} {b}");
    assert_ne!(a, b);
    assert_eq!(mesh.api.list("services").await.len(), 2);
}

#[tokio::test]
async fn a_taken_sp_id_is_a_400_and_changes_nothing() {
    let mesh = Mesh::new().await;
    let api = &mesh.api;
    let body = json!({"sp_id": "sp-once", "roles": ["duplicate_role"],
                      "requires_authentication": true});
    let first = api.create("security-policies", &body).await;
    let again = json!({"sp_id": "sp-once", "roles": ["other_role"],
                       "requires_authentication": false});
    for path in ["security-policies/", "security-policies"] {
        let message = api.post(path, &again).await.refused(400);
        assert!(message.contains("sp-once"), "the message names the id: {message}");
    }
    assert_eq!(api.get("security-policies/sp-once/").await.expect(200), first);
    assert_eq!(api.list("security-policies").await.len(), 1);
    // A policy embedded in a service is a copy of its own: its sp_id is not taken.
    let service = json!({
        "security_policy": {"sp_id": "sp-once", "roles": ["x"], "requires_authentication": true},
        "resources": {"cpu": 1, "ram": "1GB"},
    });
    api.create("services", &service).await;
    // Deleted, the id is free again.
    assert_eq!(api.delete("security-policies/sp-once/").await.status, 204);
    api.create("security-policies", &again).await;
}

#[tokio::test]
async fn an_embedded_policy_without_an_sp_id_gets_one_and_keeps_it_through_puts() {
    let mesh = Mesh::new().await;
    let api = &mesh.api;
    let body = json!({
        "name": "edge", "image": "img", "resources": {"cpu": 1, "ram": "1GB"},
        "security_policy": {"roles": ["operator"], "requires_authentication": true},
    });
    let endpoint = api.create("endpoints", &body).await;
    let sp_id = endpoint["security_policy"]["sp_id"].clone();
    assert!(sp_id.as_str().is_some_and(is_uuid), "a generated sp_id: {sp_id}");
    let id = endpoint["endpoint_id"].as_str().expect("an id");
    let path = format!("endpoints/{id}/");
    let change = json!({"security_policy": {"roles": ["auditor"]}});
    let changed = api.put(&path, &change).await.expect(200);
    assert_eq!(
        changed["security_policy"],
        json!({"sp_id": sp_id, "roles": ["auditor"], "requires_authentication": true})
    );
    // Inside a service or an endpoint, a PUT may rename the embedded copy.
    let rename = json!({"security_policy": {"sp_id": "ep-policy"}});
    let renamed = api.put(&path, &rename).await.expect(200);
    assert_eq!(
        renamed["security_policy"],
        json!({"sp_id": "ep-policy", "roles": ["auditor"], "requires_authentication": true})
    );
    // An empty PUT changes nothing.
    assert_eq!(api.put(&path, &json!({})).await.expect(200), renamed);
}

/// A create body of each resource that passes validation.
fn valid(resource: &str) -> Value {
    let resources = json!({"cpu": 1, "ram": "1GB"});
    let policy = json!({"roles": ["r"], "requires_authentication": true});
    let storage = json!({"capacity": "1GB", "source_path": "/in", "sink_path": "/out"});
    match resource {
        "services" => json!({"security_policy": policy, "resources": resources}),
        "microservices" => json!({"service_id": "s", "resources": resources}),
        "functions" => json!({"microservice_id": "m", "image": "i", "resources": resources,
                              "storage": storage, "endpoint_id": "e"}),
        "endpoints" => json!({"name": "n", "image": "i", "resources": resources,
                              "security_policy": policy}),
        "security-policies" => policy,
        "roles" => json!({"name": "n", "description": "d", "permissions": ["catalog:read"]}),
        "endpoint-states" => json!({"endpoint_id": "e", "state": "warm"}),
        "function-states" => json!({"function_id": "f", "state": "running"}),
        "function-results" => json!({"function_id": "f"}),
        other => panic!("no resource {other}"),
    }
}

/// `base` with `pointer` (a JSON pointer into it) set to `value`, or removed for `None`.
fn with(base: &Value, pointer: &str, value: Option<Value>) -> Value {
    let mut body = base.clone();
    let (parent, last) = pointer.rsplit_once('/').expect("a pointer");
    let parent = body.pointer_mut(parent).expect("the pointer's parent");
    let parent = parent.as_object_mut().expect("an object");
    match value {
        Some(value) => parent.insert(last.to_owned(), value),
        None => parent.remove(last),
    };
    body
}

#[tokio::test]
async fn invalid_create_bodies_are_422_at_the_field_and_write_nothing() {
    let mesh = Mesh::new().await;
    let api = &mesh.api;
    // (resource, pointer, value (None: removed), the problem's location, its type)
    let cases: &[(&str, &str, Option<Value>, &str, &str)] = &[
        ("services", "/resources/cpu", Some(json!(0)), "body.resources.cpu", "greater_than"),
        ("services", "/resources/cpu", Some(json!(-1)), "body.resources.cpu", "greater_than"),
        ("services", "/resources/cpu", Some(json!("2")), "body.resources.cpu", "int_type"),
        ("services", "/resources/ram", Some(json!("2XB")), "body.resources.ram", "value_error"),
        (
            "services",
            "/security_policy/roles",
            Some(json!([])),
            "body.security_policy.roles",
            "value_error",
        ),
        ("services", "/security_policy", None, "body.security_policy", "missing"),
        (
            "microservices",
            "/resources/ram",
            Some(json!("2XB")),
            "body.resources.ram",
            "value_error",
        ),
        ("microservices", "/resources/cpu", Some(json!(0)), "body.resources.cpu", "greater_than"),
        ("microservices", "/service_id", None, "body.service_id", "missing"),
        (
            "functions",
            "/storage/source_path",
            Some(json!("")),
            "body.storage.source_path",
            "value_error",
        ),
        (
            "functions",
            "/storage/sink_path",
            Some(json!("   ")),
            "body.storage.sink_path",
            "value_error",
        ),
        (
            "functions",
            "/storage/capacity",
            Some(json!("10TB")),
            "body.storage.capacity",
            "value_error",
        ),
        ("functions", "/resources/cpu", Some(json!(0)), "body.resources.cpu", "greater_than"),
        ("functions", "/storage", None, "body.storage", "missing"),
        ("endpoints", "/resources/cpu", Some(json!(0)), "body.resources.cpu", "greater_than"),
        (
            "endpoints",
            "/security_policy/roles",
            Some(json!([" "])),
            "body.security_policy.roles.0",
            "value_error",
        ),
        (
            "endpoints",
            "/security_policy/requires_authentication",
            Some(json!("yes")),
            "body.security_policy.requires_authentication",
            "bool_type",
        ),
        ("security-policies", "/roles", Some(json!([])), "body.roles", "value_error"),
        ("security-policies", "/roles", Some(json!(["ok", ""])), "body.roles.1", "value_error"),
        (
            "security-policies",
            "/requires_authentication",
            None,
            "body.requires_authentication",
            "missing",
        ),
        ("roles", "/permissions", None, "body.permissions", "missing"),
        ("roles", "/members", Some(json!(["not-an-id"])), "body.members.0", "value_error"),
        ("endpoint-states", "/state", Some(json!(3)), "body.state", "string_type"),
        ("function-states", "/metadata", Some(json!({"n": 1})), "body.metadata.n", "string_type"),
        ("function-results", "/metadata", Some(json!(["x"])), "body.metadata", "dict_type"),
        ("function-results", "/function_id", None, "body.function_id", "missing"),
    ];
    for (resource, pointer, value, loc, kind) in cases {
        let body = with(&valid(resource), pointer, value.clone());
        let problems = api.post(&format!("{resource}/"), &body).await.invalid();
        assert!(
            problems.iter().any(|(l, k)| l == loc && k == kind),
            "POST {resource} {body}: expected {kind} at {loc}, got {problems:?}"
        );
    }
    // One answer lists every problem.
    let body = json!({"security_policy": {"roles": [], "requires_authentication": true},
                      "resources": {"cpu": 0, "ram": "2XB"}});
    let problems = api.post("services/", &body).await.invalid();
    for loc in ["body.resources.cpu", "body.resources.ram", "body.security_policy.roles"] {
        assert!(problems.iter().any(|(l, _)| l == loc), "{loc} in {problems:?}");
    }
    // A body that is not JSON, or none at all.
    let broken = api.send_raw("POST", "services/", b"{\"resources\": ".to_vec()).await.invalid();
    assert!(
        broken.iter().any(|(l, k)| l.starts_with("body.") && k == "json_invalid"),
        "{broken:?}"
    );
    let empty = api.send_raw("POST", "roles/", Vec::new()).await.invalid();
    assert!(empty.iter().any(|(l, k)| l == "body" && k == "missing"), "{empty:?}");
    // Nothing was written.
    for resource in RESOURCES {
        assert!(api.list(resource).await.is_empty(), "{resource}: nothing created");
    }
}

#[tokio::test]
async fn invalid_put_bodies_are_422_and_change_nothing() {
    let mesh = Mesh::new().await;
    let api = &mesh.api;
    // (resource, a PUT body, the problem's location)
    let cases: &[(&str, Value, &str)] = &[
        ("services", json!({"resources": {"cpu": 0}}), "body.resources.cpu"),
        ("services", json!({"resources": {"ram": "2XB"}}), "body.resources.ram"),
        ("services", json!({"security_policy": {"roles": []}}), "body.security_policy.roles"),
        ("services", json!({"security_policy": {"sp_id": " "}}), "body.security_policy.sp_id"),
        ("microservices", json!({"functions": "fn-a"}), "body.functions"),
        ("functions", json!({"storage": {"source_path": " "}}), "body.storage.source_path"),
        ("functions", json!({"storage": {"capacity": "lots"}}), "body.storage.capacity"),
        ("endpoints", json!({"resources": {"cpu": 0}}), "body.resources.cpu"),
        ("security-policies", json!({"roles": []}), "body.roles"),
        ("roles", json!({"members": ["abc"]}), "body.members.0"),
        ("endpoint-states", json!({"metadata": "x"}), "body.metadata"),
        ("function-states", json!({"state": false}), "body.state"),
        ("function-results", json!({"metadata": {"k": null}}), "body.metadata.k"),
    ];
    for (resource, body, loc) in cases {
        let record = api.create(resource, &valid(resource)).await;
        let id_field = id_field(resource);
        let id = record[id_field].as_str().expect("an id");
        for path in [format!("{resource}/{id}/"), format!("{resource}/{id}")] {
            let problems = api.put(&path, body).await.invalid();
            assert!(problems.iter().any(|(l, _)| l == loc), "PUT {path} {body}: {problems:?}");
        }
        assert_eq!(api.get(&format!("{resource}/{id}/")).await.expect(200), record, "unchanged");
    }
}

/// The id field of a collection's records.
fn id_field(resource: &str) -> &'static str {
    match resource {
        "services" => "service_id",
        "microservices" => "microservice_id",
        "functions" => "function_id",
        "endpoints" => "endpoint_id",
        "security-policies" => "sp_id",
        "roles" => "role_id",
        "endpoint-states" | "function-states" => "state_id",
        "function-results" => "result_id",
        other => panic!("no resource {other}"),
    }
}

/// Every route of every resource, through `api`: both collection forms, both item forms, for
/// each method; a record made through one base is the same record through the other.
async fn every_route(api: &MeshApi, other: &MeshApi) {
    for resource in RESOURCES {
        let id_field = id_field(resource);
        for path in [format!("{resource}/"), resource.to_owned()] {
            assert!(api.get(&path).await.list().is_empty(), "GET {path}: a new colony's mesh");
        }
        let mut made = Vec::new();
        for path in [format!("{resource}/"), resource.to_owned()] {
            let record = api.post(&path, &valid(resource)).await.expect(201);
            made.push(record[id_field].as_str().expect("an id").to_owned());
        }
        for path in [format!("{resource}/"), resource.to_owned()] {
            assert_eq!(api.get(&path).await.list().len(), 2, "GET {path}");
        }
        for id in &made {
            let bare = format!("{resource}/{id}");
            let slash = format!("{resource}/{id}/");
            let record = api.get(&bare).await.expect(200);
            assert_eq!(api.get(&slash).await.expect(200), record, "GET {slash}");
            assert_eq!(other.get(&slash).await.expect(200), record, "the same record");
            // An empty PUT changes nothing (but a result's time).
            let unstamped = |mut record: Value| {
                if resource == "function-results" {
                    record.as_object_mut().map(|o| o.remove("timestamp"));
                }
                record
            };
            let put = api.put(&slash, &json!({})).await.expect(200);
            assert_eq!(unstamped(put), unstamped(record.clone()), "PUT {slash}");
            let put = api.put(&bare, &json!({})).await.expect(200);
            assert_eq!(unstamped(put), unstamped(record.clone()), "PUT {bare}");
        }
        assert_eq!(api.delete(&format!("{resource}/{}/", made[0])).await.status, 204);
        assert_eq!(api.delete(&format!("{resource}/{}", made[1])).await.status, 204);
        for id in &made {
            other.get(&format!("{resource}/{id}")).await.refused(404);
        }
    }
}

#[tokio::test]
async fn every_route_answers_with_and_without_its_slash_and_never_redirects() {
    let mesh = Mesh::new().await;
    every_route(&mesh.api, &mesh.colony_api()).await;
}

#[tokio::test]
async fn the_routes_under_the_colony_path_reach_the_same_mesh() {
    let mesh = Mesh::new().await;
    every_route(&mesh.colony_api(), &mesh.api).await;
}

#[tokio::test]
async fn a_colony_sees_only_its_own_mesh() {
    let (a, b) = (Mesh::new().await, Mesh::new().await);
    let service = a.api.create("services", &valid("services")).await;
    let id = service["service_id"].as_str().expect("an id");
    let policy = json!({"sp_id": "shared-name", "roles": ["r"], "requires_authentication": true});
    a.api.create("security-policies", &policy).await;
    // B's owner in B's mesh: none of A's records, and A's sp_id is free there.
    assert!(b.api.list("services").await.is_empty());
    b.api.get(&format!("services/{id}/")).await.refused(404);
    b.api.put(&format!("services/{id}/"), &json!({})).await.refused(404);
    b.api.delete(&format!("services/{id}/")).await.refused(404);
    b.api.create("security-policies", &policy).await;
    assert_eq!(a.api.get(&format!("services/{id}")).await.expect(200), service, "untouched");
}

/// The API describes itself: the OpenAPI document and its reference page, at the root and
/// under a colony, with no credential.
#[tokio::test]
async fn the_openapi_document_and_the_docs_page_are_served() {
    let base = &colonies_blackbox::server().url;
    for path in ["/api/v1/openapi.json", "/colonies/dev/api/v1/openapi.json"] {
        let response = colonies_blackbox::http().get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
        let document: serde_json::Value = response.json_value().await;
        assert_eq!(document["openapi"], "3.1.0");
        let operations: usize = document["paths"]
            .as_object()
            .map(|paths| paths.values().map(|p| p.as_object().map_or(0, |o| o.len())).sum())
            .unwrap_or(0);
        assert!(operations >= 46, "{operations} operations");
    }
    for path in ["/docs", "/docs/", "/colonies/dev/docs"] {
        let response = colonies_blackbox::http().get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
        let kind = response.headers()["content-type"].to_str().unwrap_or_default().to_owned();
        assert!(kind.starts_with("text/html"), "{kind}");
        assert!(response.text().await.unwrap_or_default().contains("openapi.json"));
    }
    let post = colonies_blackbox::http().post(format!("{base}/docs")).send().await.unwrap();
    assert_eq!(post.status().as_u16(), 405);
}

trait JsonValue {
    async fn json_value(self) -> serde_json::Value;
}

impl JsonValue for reqwest::Response {
    async fn json_value(self) -> serde_json::Value {
        serde_json::from_str(&self.text().await.unwrap_or_default()).unwrap_or_default()
    }
}
