//! The mesh's REST API from the attacker's side: no credential, an expired, tampered or
//! misaddressed token, a caller outside the colony, a member without the role, with a role
//! that reads only, or removed from the colony after being given one, a captured signed request
//! sent again, and a signed request whose body was changed. Each is refused with the status the
//! contract names (401: no valid credential; 403: known, and not allowed) and writes nothing.

mod support;

use colonies_blackbox::{key, new_executor, now_ms, unique};
use colonies_core::{
    PrivateKey,
    mesh::auth::{RequestParts, mint_token, sign_request},
    rules::replay::Binding,
};
use serde_json::{Value, json};
use support::mesh::{HOUR_MS, Mesh, MeshApi, RESOURCES, token};

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

/// The permission a write of `resource` needs.
fn write_permission(resource: &str) -> &'static str {
    match resource {
        "security-policies" | "roles" => "policy:write",
        _ => "catalog:write",
    }
}

/// A role of the colony, made by its owner: its id.
async fn role(mesh: &Mesh, permissions: &[&str], members: &[&PrivateKey]) -> String {
    let members: Vec<String> = members.iter().map(|m| m.id().to_hex()).collect();
    let body = json!({"name": unique("role"), "description": "granted by the owner",
                      "permissions": permissions, "members": members});
    let role = mesh.api.create("roles", &body).await;
    role["role_id"].as_str().expect("an id").to_owned()
}

/// A microservice made by the owner: its path with a trailing slash, and the record.
async fn microservice(mesh: &Mesh) -> (String, Value) {
    let record = mesh.api.create("microservices", &valid("microservices")).await;
    let id = record["microservice_id"].as_str().expect("an id");
    (format!("microservices/{id}/"), record)
}

/// Asserts that every write `api` tries is refused with `status` (and, for a 403, names the
/// permission it lacks), on the collection of each resource and on `item` (a microservice
/// path), and that `owner` still sees exactly `before` microservices.
async fn no_write(api: &MeshApi, status: u16, item: &str, owner: &MeshApi, before: &[Value]) {
    for resource in RESOURCES {
        let message = api.post(&format!("{resource}/"), &valid(resource)).await.refused(status);
        if status == 403 {
            let needed = write_permission(resource);
            assert!(message.contains(needed), "POST {resource}: names {needed}: {message}");
        }
    }
    api.put(item, &json!({"functions": ["planted"]})).await.refused(status);
    api.delete(item).await.refused(status);
    assert_eq!(owner.list("microservices").await, before, "nothing was written");
    for resource in RESOURCES.into_iter().filter(|r| !matches!(*r, "microservices" | "roles")) {
        assert!(owner.list(resource).await.is_empty(), "{resource}: nothing was written");
    }
}

#[tokio::test]
async fn an_anonymous_caller_is_401_on_a_private_mesh() {
    let mesh = Mesh::new().await;
    let (item, record) = microservice(&mesh).await;
    let service = mesh.api.create("services", &valid("services")).await;
    let service_item = format!("services/{}/", service["service_id"].as_str().expect("an id"));
    // Without a colony in the path or a credential, the server cannot tell whose mesh is meant.
    let nowhere = MeshApi::new(None, None);
    // With the colony in the path, the colony's mesh is still private to its members.
    let colony = MeshApi::new(Some(&mesh.colony), None);
    for anonymous in [&nowhere, &colony] {
        for resource in RESOURCES {
            anonymous.get(&format!("{resource}/")).await.refused(401);
            anonymous.get(resource).await.refused(401);
            anonymous.post(&format!("{resource}/"), &valid(resource)).await.refused(401);
        }
        anonymous.get(&item).await.refused(401);
        anonymous.get(&service_item).await.refused(401);
        anonymous.put(&service_item, &json!({"microservices": ["planted"]})).await.refused(401);
        anonymous.put(&item, &json!({"functions": ["planted"]})).await.refused(401);
        anonymous.delete(&item).await.refused(401);
    }
    assert_eq!(mesh.api.get(&item).await.expect(200), record, "unchanged");
    assert_eq!(mesh.api.get(&service_item).await.expect(200), service, "unchanged");
    assert_eq!(mesh.api.list("microservices").await.len(), 1);
}

#[tokio::test]
async fn a_policy_without_authentication_opens_reading_and_nothing_else() {
    let mesh = Mesh::new().await;
    let name = unique("public");
    let reader = json!({"name": name, "description": "anyone", "permissions": ["catalog:read"]});
    mesh.api.create("roles", &reader).await;
    let body = json!({
        "security_policy": {"roles": [name], "requires_authentication": false},
        "resources": {"cpu": 1, "ram": "1GB"},
    });
    let service = mesh.api.create("services", &body).await;
    let id = service["service_id"].as_str().expect("an id");
    let anonymous = MeshApi::new(Some(&mesh.colony), None);
    for path in [format!("services/{id}/"), format!("services/{id}")] {
        assert_eq!(anonymous.get(&path).await.expect(200), service, "GET {path}");
        anonymous.put(&path, &json!({"microservices": ["planted"]})).await.refused(401);
        anonymous.delete(&path).await.refused(401);
    }
    let open = json!({"security_policy": {"roles": [name], "requires_authentication": false},
                      "resources": {"cpu": 1, "ram": "1GB"}});
    anonymous.post("services/", &open).await.refused(401);
    // Without the colony in the path there is no mesh to read.
    MeshApi::new(None, None).get(&format!("services/{id}/")).await.refused(401);
    assert_eq!(mesh.api.get(&format!("services/{id}")).await.expect(200), service);
    assert_eq!(mesh.api.list("services").await.len(), 1);
}

#[tokio::test]
async fn an_expired_token_or_one_from_the_future_is_401() {
    let mesh = Mesh::new().await;
    let (item, record) = microservice(&mesh).await;
    let two_hours_ago = now_ms() - 2 * HOUR_MS;
    let expired = mint_token(&mesh.owner, &mesh.colony, &mesh.audience, two_hours_ago, HOUR_MS)
        .expect("a token");
    let api = MeshApi::bearer(None, &expired);
    let message = api.get("microservices/").await.refused(401);
    assert!(message.contains("expired"), "{message}");
    api.get(&item).await.refused(401);
    api.post("microservices/", &valid("microservices")).await.refused(401);
    api.put(&item, &json!({"functions": ["planted"]})).await.refused(401);
    api.delete(&item).await.refused(401);
    // Issued ten minutes from now: a clock far ahead, or a token made to outlive its hour.
    let later = now_ms() + 10 * 60 * 1000;
    let early =
        mint_token(&mesh.owner, &mesh.colony, &mesh.audience, later, HOUR_MS).expect("a token");
    let api = MeshApi::bearer(None, &early);
    api.get("microservices/").await.refused(401);
    api.post("microservices/", &valid("microservices")).await.refused(401);
    assert_eq!(mesh.api.list("microservices").await, [record]);
}

#[tokio::test]
async fn a_tampered_or_malformed_token_is_refused_and_acts_as_no_one() {
    let mesh = Mesh::new().await;
    let (item, record) = microservice(&mesh).await;
    let good = token(&mesh.owner, &mesh.colony, &mesh.audience);
    let (claim, signature) = good.split_once('.').expect("<claim>.<signature>");
    // One character of the claim changed: characters 16 to 19 hold bytes 12 to 14 of its JSON,
    // inside the value of `typ` (`{"typ":"colonies-edge/token",…`), so whatever the change
    // decodes to, it is not the token the owner signed.
    let mut tampered: Vec<char> = claim.chars().collect();
    tampered[16] = if tampered[16] == 'A' { 'B' } else { 'A' };
    let tampered: String = tampered.into_iter().collect();
    let api = MeshApi::bearer(None, &format!("{tampered}.{signature}"));
    api.get("microservices/").await.refused(401);
    api.get(&item).await.refused(401);
    api.post("microservices/", &valid("microservices")).await.refused(401);
    api.delete(&item).await.refused(401);
    // The claim intact and the signature changed: the signature names someone else (or no
    // one), never the owner.
    let mut forged: Vec<char> = signature.chars().collect();
    forged[10] = if forged[10] == '0' { '1' } else { '0' };
    let forged: String = forged.into_iter().collect();
    let api = MeshApi::bearer(None, &format!("{claim}.{forged}"));
    for reply in [
        api.post("microservices/", &valid("microservices")).await,
        api.delete(&item).await,
        api.put(&item, &json!({"functions": ["planted"]})).await,
    ] {
        assert!(matches!(reply.status, 401 | 403), "refused: {} {}", reply.status, reply.text);
    }
    // Not a token at all.
    let cut = format!("Bearer {claim}.{}", &signature[..signature.len() - 2]);
    for header in ["Bearer", "Bearer x", "Bearer e30.00", "Basic b3duZXI6cHc=", &cut] {
        let api = MeshApi::new(None, Some(header.to_owned()));
        api.get("microservices/").await.refused(401);
        api.post("microservices/", &valid("microservices")).await.refused(401);
    }
    assert_eq!(mesh.api.list("microservices").await, [record]);
}

#[tokio::test]
async fn a_token_for_another_server_is_401() {
    let mesh = Mesh::new().await;
    let (item, record) = microservice(&mesh).await;
    let elsewhere = key().id().to_hex();
    assert_ne!(elsewhere, mesh.audience);
    let api = MeshApi::bearer(None, &token(&mesh.owner, &mesh.colony, &elsewhere));
    let message = api.get("microservices/").await.refused(401);
    assert!(message.contains("audience"), "{message}");
    api.get(&item).await.refused(401);
    api.post("microservices/", &valid("microservices")).await.refused(401);
    api.delete(&item).await.refused(401);
    // Nor under the colony's path.
    let api = MeshApi::bearer(Some(&mesh.colony), &token(&mesh.owner, &mesh.colony, &elsewhere));
    api.post("microservices/", &valid("microservices")).await.refused(401);
    assert_eq!(mesh.api.list("microservices").await, [record]);
}

#[tokio::test]
async fn a_caller_outside_the_colony_is_403_whatever_its_token_names() {
    let mesh = Mesh::new().await;
    let (item, record) = microservice(&mesh).await;
    let before = [record];
    // A stranger's own valid token for this colony.
    let stranger = mesh.api_as(&key());
    stranger.get("microservices/").await.refused(403);
    stranger.get(&item).await.refused(403);
    no_write(&stranger, 403, &item, &mesh.api, &before).await;
    // The owner of another colony, naming this one.
    let other = Mesh::new().await;
    let intruder = mesh.api_as(&other.owner);
    intruder.get(&item).await.refused(403);
    no_write(&intruder, 403, &item, &mesh.api, &before).await;
    // Roles of this colony naming an outsider give them nothing: they are not a member.
    let outsider = key();
    role(&mesh, &["*"], &[&outsider]).await;
    let outsider = mesh.api_as(&outsider);
    outsider.get(&item).await.refused(403);
    outsider.post("microservices/", &valid("microservices")).await.refused(403);
    assert_eq!(mesh.api.list("microservices").await, before);
}

#[tokio::test]
async fn a_member_without_a_role_may_not_write() {
    let mesh = Mesh::new().await;
    let (item, record) = microservice(&mesh).await;
    let (executor, _) = new_executor(&mesh.client, &mesh.owner, &mesh.colony, true).await;
    // A role the member does not hold.
    role(&mesh, &["*"], &[&key()]).await;
    let member = mesh.api_as(&executor);
    no_write(&member, 403, &item, &mesh.api, &[record]).await;
    // Under the colony's path too.
    let colony =
        MeshApi::bearer(Some(&mesh.colony), &token(&executor, &mesh.colony, &mesh.audience));
    colony.post("microservices/", &valid("microservices")).await.refused(403);
    colony.delete(&item).await.refused(403);
    assert_eq!(mesh.api.list("microservices").await.len(), 1);
}

#[tokio::test]
async fn a_member_who_may_read_lists_and_gets_but_cannot_write_or_promote_itself() {
    let mesh = Mesh::new().await;
    let (item, record) = microservice(&mesh).await;
    let (executor, _) = new_executor(&mesh.client, &mesh.owner, &mesh.colony, true).await;
    let role_id = role(&mesh, &["catalog:read"], &[&executor]).await;
    let member = mesh.api_as(&executor);
    for path in ["microservices/", "microservices"] {
        assert_eq!(member.get(path).await.list(), std::slice::from_ref(&record), "GET {path}");
    }
    assert_eq!(member.get(&item).await.expect(200), record);
    assert_eq!(member.get(item.trim_end_matches('/')).await.expect(200), record);
    // Writing, and granting itself more, are refused.
    let grant = json!({"permissions": ["catalog:read", "catalog:write", "policy:write"]});
    let message = member.put(&format!("roles/{role_id}/"), &grant).await.refused(403);
    assert!(message.contains("policy:write"), "{message}");
    member.delete(&format!("roles/{role_id}")).await.refused(403);
    no_write(&member, 403, &item, &mesh.api, std::slice::from_ref(&record)).await;
    let roles = mesh.api.list("roles").await;
    assert_eq!(roles.len(), 1);
    assert_eq!(roles[0]["permissions"], json!(["catalog:read"]), "the role is unchanged");
}

#[tokio::test]
async fn a_member_who_may_write_the_catalog_may_not_change_roles_or_policies() {
    let mesh = Mesh::new().await;
    let (executor, _) = new_executor(&mesh.client, &mesh.owner, &mesh.colony, true).await;
    let role_id = role(&mesh, &["catalog:read", "catalog:write"], &[&executor]).await;
    let member = mesh.api_as(&executor);
    let made = member.create("microservices", &valid("microservices")).await;
    let item = format!("microservices/{}/", made["microservice_id"].as_str().expect("an id"));
    let changed = member.put(&item, &json!({"functions": ["fn-a"]})).await.expect(200);
    assert_eq!(changed["functions"], json!(["fn-a"]));
    for resource in ["roles", "security-policies"] {
        let message = member.post(&format!("{resource}/"), &valid(resource)).await.refused(403);
        assert!(message.contains("policy:write"), "{message}");
    }
    let grant = json!({"permissions": ["*"]});
    member.put(&format!("roles/{role_id}/"), &grant).await.refused(403);
    assert_eq!(mesh.api.list("roles").await.len(), 1);
    assert!(mesh.api.list("security-policies").await.is_empty());
    assert_eq!(member.delete(&item).await.status, 204);
}

#[tokio::test]
async fn a_user_removed_from_the_colony_loses_the_role_it_was_given() {
    let mesh = Mesh::new().await;
    let (user, name) = (key(), unique("user"));
    let added = json!({ "user": { "colonyname": mesh.colony, "userid": user.id().to_hex(),
                                  "name": name, "email": "user@example.com", "phone": "1" } });
    mesh.client.call(&mesh.owner, "addusermsg", added).await.ok_json();
    role(&mesh, &["catalog:read", "catalog:write"], &[&user]).await;
    let api = mesh.api_as(&user);
    // While a member, the role counts.
    let made = api.create("microservices", &valid("microservices")).await;
    let item = format!("microservices/{}/", made["microservice_id"].as_str().expect("an id"));
    assert_eq!(api.list("microservices").await, std::slice::from_ref(&made));

    let removed = json!({ "colonyname": mesh.colony, "name": name });
    mesh.client.call(&mesh.owner, "removeusermsg", removed).await.ok_json();
    // The same token, still unexpired, and the role still naming the user: refused.
    api.get("microservices/").await.refused(403);
    api.get(&item).await.refused(403);
    api.post("microservices/", &valid("microservices")).await.refused(403);
    api.put(&item, &json!({"functions": ["planted"]})).await.refused(403);
    api.delete(&item).await.refused(403);
    // A fresh token changes nothing.
    mesh.api_as(&user).post("microservices/", &valid("microservices")).await.refused(403);
    assert_eq!(mesh.api.list("microservices").await, [made]);
}

#[tokio::test]
async fn a_replayed_signed_request_is_403_and_writes_nothing() {
    let mesh = Mesh::new().await;
    let api = MeshApi::new(None, None);
    let body = serde_json::to_vec(&valid("microservices")).expect("JSON");
    let target = api.target("microservices/");
    let signed = mesh.sign(&mesh.owner, "POST", &target, &body);
    let first = api.send_as("POST", "microservices/", Some(body.clone()), Some(&signed)).await;
    let made = first.expect(201);
    for _ in 0..3 {
        let again = api.send_as("POST", "microservices/", Some(body.clone()), Some(&signed)).await;
        let message = again.refused(403);
        assert!(message.contains("replay"), "{message}");
    }
    assert_eq!(
        mesh.api.list("microservices").await,
        std::slice::from_ref(&made),
        "four sends, one record"
    );

    // A read, and a delete, replayed: refused too, and the record stays.
    let item = format!("microservices/{}/", made["microservice_id"].as_str().expect("an id"));
    let read = mesh.sign(&mesh.owner, "GET", &api.target(&item), b"");
    assert_eq!(api.send_as("GET", &item, None, Some(&read)).await.expect(200), made);
    api.send_as("GET", &item, None, Some(&read)).await.refused(403);
    let delete = mesh.sign(&mesh.owner, "DELETE", &api.target(&item), b"");
    assert_eq!(api.send_as("DELETE", &item, None, Some(&delete)).await.status, 204);
    let replayed = mesh.api.create("microservices", &valid("microservices")).await;
    let replayed_item =
        format!("microservices/{}/", replayed["microservice_id"].as_str().expect("an id"));
    // The captured delete cannot be pointed at another record: its path is signed.
    api.send_as("DELETE", &replayed_item, None, Some(&delete)).await.refused(401);
    api.send_as("DELETE", &item, None, Some(&delete)).await.refused(403);
    assert_eq!(mesh.api.list("microservices").await, [replayed]);

    // Under the colony's path, the same.
    let colony = MeshApi::new(Some(&mesh.colony), None);
    let target = colony.target("microservices/");
    let signed = mesh.sign(&mesh.owner, "POST", &target, &body);
    colony.send_as("POST", "microservices/", Some(body.clone()), Some(&signed)).await.expect(201);
    colony.send_as("POST", "microservices/", Some(body), Some(&signed)).await.refused(403);
    assert_eq!(mesh.api.list("microservices").await.len(), 2);
}

#[tokio::test]
async fn a_signed_request_whose_body_path_or_method_was_changed_is_401() {
    let mesh = Mesh::new().await;
    let api = MeshApi::new(None, None);
    let body = serde_json::to_vec(&valid("microservices")).expect("JSON");
    let signed = mesh.sign(&mesh.owner, "POST", &api.target("microservices/"), &body);
    // Another body under the same signature.
    let mut changed = valid("microservices");
    changed["functions"] = json!(["planted"]);
    let changed = serde_json::to_vec(&changed).expect("JSON");
    let reply = api.send_as("POST", "microservices/", Some(changed), Some(&signed)).await;
    let message = reply.refused(401);
    assert!(message.contains("body"), "{message}");
    // The same body with one byte more (trailing whitespace) is another body too.
    let mut padded = body.clone();
    padded.push(b' ');
    api.send_as("POST", "microservices/", Some(padded), Some(&signed)).await.refused(401);
    // The same body sent elsewhere, or the slash dropped.
    api.send_as("POST", "services/", Some(body.clone()), Some(&signed)).await.refused(401);
    api.send_as("POST", "microservices", Some(body.clone()), Some(&signed)).await.refused(401);
    let colony = MeshApi::new(Some(&mesh.colony), None);
    colony.send_as("POST", "microservices/", Some(body.clone()), Some(&signed)).await.refused(401);
    // Another method on the same path.
    api.send_as("GET", "microservices/", None, Some(&signed)).await.refused(401);
    // Signed for another server.
    let binding = Binding::new(now_ms(), &key().id().to_hex()).expect("a nonce");
    let request = RequestParts { method: "POST", path: &api.target("microservices/"), body: &body };
    let elsewhere = sign_request(&mesh.owner, &mesh.colony, request, &binding);
    api.send_as("POST", "microservices/", Some(body), Some(&elsewhere)).await.refused(401);
    for resource in RESOURCES {
        assert!(mesh.api.list(resource).await.is_empty(), "{resource}: nothing was written");
    }
}
