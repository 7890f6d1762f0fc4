//! The mesh runs what it lists: invoking a function submits a process to its endpoint's
//! executor; the function state follows the process (pending → running → completed) and its
//! result appears; an endpoint is warm while its executor is heard from and turns cold when
//! it stops answering. Who may invoke is decided by the function's policy.

use colonies_blackbox::{Client, http, key, load, new_colony, new_executor, now_ms, server};
use colonies_core::{
    PrivateKey, RpcMsg,
    mesh::auth::{RequestParts, mint_token, sign_request},
    rules::replay::Binding,
};
use colonies_worker::ServerConfig;
use core::time::Duration;
use serde_json::{Value, json};

/// The server's ID, as `getserverinfomsg` tells it.
async fn audience(client: &Client) -> String {
    let info = client.send(&RpcMsg::unsigned("getserverinfomsg", "{}")).await.ok_json();
    info["serverid"].as_str().unwrap_or_default().to_owned()
}

/// A REST call to `base` with a bearer token (`None`: anonymous).
async fn rest(
    base: &str,
    token: Option<&str>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
    let mut request = http().request(method, format!("{base}{path}"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.header("content-type", "application/json").body(body.to_string());
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A REST call signed for one use (`Authorization: Colonies-Signature …`).
async fn signed(
    key: &PrivateKey,
    colony: &str,
    audience: &str,
    method: &str,
    path: &str,
    body: &Value,
) -> (u16, Value) {
    let bytes = body.to_string().into_bytes();
    let binding = Binding::new(now_ms(), audience).expect("a nonce");
    let parts = RequestParts { method, path, body: &bytes };
    let header = sign_request(key, colony, parts, &binding);
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
    let response = http()
        .request(method, format!("{}{path}", server().url))
        .header("authorization", header)
        .header("content-type", "application/json")
        .body(bytes)
        .send()
        .await
        .expect("the server answers");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A colony with a catalog: an endpoint that is an approved executor, a function on it in a
/// service whose policy lets the `invoker` role read and invoke; Alice (a user of the colony)
/// holds that role, Bob (a user too) holds none.
struct Mesh {
    client: Client,
    colony: String,
    audience: String,
    owner_token: String,
    executor: PrivateKey,
    endpoint: String,
    alice: PrivateKey,
    bob: PrivateKey,
}

const FUNCTION: &str = "load_data";

async fn add_user(client: &Client, owner: &PrivateKey, colony: &str, user: &PrivateKey) {
    let name = colonies_blackbox::unique("user");
    let payload = json!({ "user": {
        "colonyname": colony, "userid": user.id().to_hex(), "name": name,
        "email": "", "phone": "",
    } });
    client.call(owner, "addusermsg", payload).await.ok_json();
}

async fn mesh() -> Mesh {
    let client = Client::new();
    let audience = audience(&client).await;
    let (owner, colony) = new_colony(&client).await;
    let (executor, endpoint) = new_executor(&client, &owner, &colony, true).await;
    let (alice, bob) = (key(), key());
    add_user(&client, &owner, &colony, &alice).await;
    add_user(&client, &owner, &colony, &bob).await;
    let owner_token = mint_token(&owner, &colony, &audience, now_ms(), 600_000).expect("a token");
    let base = &server().url;
    let t = Some(owner_token.as_str());
    let policy =
        json!({ "sp_id": "sp-invokers", "roles": ["invoker"], "requires_authentication": true });
    let resources = json!({ "cpu": 1, "ram": "512MB" });
    let role = json!({ "name": "invoker", "description": "runs functions",
                       "permissions": ["catalog:read", "function:invoke"],
                       "members": [alice.id().to_hex()] });
    let (status, _) = rest(base, t, "POST", "/api/v1/roles/", Some(role)).await;
    assert_eq!(status, 201);
    let writes = [
        (
            "endpoints",
            endpoint.clone(),
            json!({ "name": "Endpoint A", "image": "axo:endpoint",
            "resources": resources, "security_policy": policy, "policy_id": "p" }),
        ),
        (
            "services",
            "s_data".into(),
            json!({ "security_policy": policy, "microservices": ["ms"],
            "resources": resources, "policy_id": "p" }),
        ),
        (
            "microservices",
            "ms".into(),
            json!({ "service_id": "s_data", "functions": [FUNCTION],
            "resources": resources, "policy_id": "p" }),
        ),
        (
            "functions",
            FUNCTION.into(),
            json!({ "microservice_id": "ms", "image": "rory:load",
            "resources": resources, "endpoint_id": endpoint, "policy_id": "p",
            "storage": { "capacity": "1GB", "source_path": "/in", "sink_path": "/out" } }),
        ),
    ];
    for (kind, id, body) in writes {
        let path = format!("/api/v1/{kind}/{id}?upsert=true");
        let (status, answer) = rest(base, t, "PUT", &path, Some(body)).await;
        assert_eq!(status, 201, "{kind}: {answer}");
    }
    Mesh { client, colony, audience, owner_token, executor, endpoint, alice, bob }
}

async fn state_of(m: &Mesh, state_id: &str) -> String {
    let path = format!("/api/v1/function-states/{state_id}");
    let (status, state) = rest(&server().url, Some(&m.owner_token), "GET", &path, None).await;
    assert_eq!(status, 200, "{state}");
    state["state"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn an_invoked_function_runs_on_its_endpoints_executor_and_its_state_follows() {
    let m = mesh().await;
    let path = format!("/api/v1/functions/{FUNCTION}/invoke");
    let call = json!({ "args": [1, 2], "kwargs": { "mode": "fast" } });
    let (status, invoked) = signed(&m.alice, &m.colony, &m.audience, "POST", &path, &call).await;
    assert_eq!(status, 201, "{invoked}");
    let (process_id, state_id) = (
        invoked["process_id"].as_str().unwrap_or_default().to_owned(),
        invoked["state_id"].as_str().unwrap_or_default().to_owned(),
    );
    assert_eq!(invoked["executorname"], m.endpoint.as_str());
    assert_eq!(state_of(&m, &state_id).await, "pending");

    // The endpoint's executor gets it, as a Colonies process naming the function.
    let assign =
        json!({ "colonyname": m.colony, "timeout": 5, "availablecpu": "", "availablemem": "" });
    let process = m.client.call(&m.executor, "assignprocessmsg", assign).await.ok_json();
    assert_eq!(process["processid"], process_id.as_str());
    assert_eq!(process["spec"]["funcname"], FUNCTION);
    assert_eq!(process["spec"]["args"], json!([1, 2]));
    assert_eq!(process["spec"]["kwargs"]["mode"], "fast");
    assert_eq!(process["spec"]["conditions"]["executornames"], json!([m.endpoint]));
    assert_eq!(state_of(&m, &state_id).await, "running");

    let close = json!({ "processid": process_id, "out": ["loaded 42 rows"] });
    m.client.call(&m.executor, "closesuccessfulmsg", close).await.ok_json();
    assert_eq!(state_of(&m, &state_id).await, "completed");
    let path = format!("/api/v1/function-results/{process_id}/");
    let (status, result) = rest(&server().url, Some(&m.owner_token), "GET", &path, None).await;
    assert_eq!(status, 200, "{result}");
    assert_eq!(result["function_id"], FUNCTION);
    let output = result["metadata"]["output"].as_str().unwrap_or_default();
    assert!(output.contains("loaded 42 rows"), "{result}");

    // The executor was just heard from: its endpoint is warm.
    let path = format!("/api/v1/endpoint-states/{}", m.endpoint);
    let (status, live) = rest(&server().url, Some(&m.owner_token), "GET", &path, None).await;
    assert_eq!((status, live["state"].as_str()), (200, Some("warm")), "{live}");
}

#[tokio::test]
async fn a_failed_process_fails_the_function_state() {
    let m = mesh().await;
    let path = format!("/api/v1/functions/{FUNCTION}/invoke");
    let (status, invoked) =
        signed(&m.alice, &m.colony, &m.audience, "POST", &path, &json!({})).await;
    assert_eq!(status, 201, "{invoked}");
    let assign = json!({ "colonyname": m.colony, "timeout": 5 });
    let process = m.client.call(&m.executor, "assignprocessmsg", assign).await.ok_json();
    let close = json!({ "processid": process["processid"], "errors": ["disk full"] });
    m.client.call(&m.executor, "closefailedmsg", close).await.ok_json();
    let state_id = invoked["state_id"].as_str().unwrap_or_default();
    assert_eq!(state_of(&m, state_id).await, "failed");
}

#[tokio::test]
async fn only_a_holder_of_the_invoke_role_may_invoke() {
    let m = mesh().await;
    let path = format!("/api/v1/functions/{FUNCTION}/invoke");
    let (status, refused) = signed(&m.bob, &m.colony, &m.audience, "POST", &path, &json!({})).await;
    assert_eq!(status, 403, "{refused}");
    assert!(refused["detail"]["message"].as_str().unwrap_or_default().contains("function:invoke"));
    let (status, _) = rest(&server().url, None, "POST", &path, Some(json!({}))).await;
    assert_eq!(status, 401);
    let colony_path = format!("/colonies/{}{path}", m.colony);
    let (status, _) = rest(&server().url, None, "POST", &colony_path, Some(json!({}))).await;
    assert_eq!(status, 401, "anonymous callers never invoke");
    // Nothing was submitted.
    let list = json!({ "colonyname": m.colony, "state": 0, "count": 10 });
    let waiting = m.client.call(&m.executor, "getprocessesmsg", list).await.ok_json();
    assert_eq!(waiting.as_array().map_or(0, Vec::len), 0, "{waiting}");
}

#[tokio::test]
async fn an_endpoint_whose_executor_stops_answering_turns_cold() {
    let Some(database_url) = server().database_url.as_deref() else {
        eprintln!("skipped: needs a replica on the suite's database (a 1 s warm window)");
        return;
    };
    let settings =
        ServerConfig { endpoint_warm_for: Duration::from_secs(1), ..ServerConfig::default() };
    let replica =
        load::start_replica_configured(database_url, 2, settings, Default::default()).await;
    let replica_url = format!("http://{}", replica.addr());
    let m = mesh().await;
    let path = format!("/api/v1/endpoint-states/{}/", m.endpoint);
    // Heard from now (an assign that finds nothing still counts).
    let assign = json!({ "colonyname": m.colony, "timeout": -1 });
    let _ = m.client.call(&m.executor, "assignprocessmsg", assign).await;
    let (status, live) = rest(&replica_url, Some(&m.owner_token), "GET", &path, None).await;
    assert_eq!((status, live["state"].as_str()), (200, Some("warm")), "{live}");
    tokio::time::sleep(Duration::from_millis(2200)).await;
    let (status, live) = rest(&replica_url, Some(&m.owner_token), "GET", &path, None).await;
    assert_eq!((status, live["state"].as_str()), (200, Some("cold")), "{live}");
    // Listed with the stored states, and not writable: it follows the executor.
    let (status, all) =
        rest(&replica_url, Some(&m.owner_token), "GET", "/api/v1/endpoint-states", None).await;
    assert_eq!(status, 200);
    assert!(
        all.as_array().is_some_and(|a| a.iter().any(|s| s["endpoint_id"] == m.endpoint.as_str()))
    );
    let (status, _) = rest(&replica_url, Some(&m.owner_token), "DELETE", &path, None).await;
    assert_eq!(status, 404);
}

/// `meshrequestmsg` carries the same request over Colonies RPC, signed by its caller: the
/// same rules decide, and the refusal keeps its status.
async fn rpc(
    m: &Mesh,
    key: &PrivateKey,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> colonies_blackbox::Answer {
    let request = colonies_core::mesh::rpc::MeshRequestMsg::new(&m.colony, method, path, body);
    let payload = serde_json::to_value(&request).expect("JSON");
    m.client.call(key, "meshrequestmsg", payload).await
}

#[tokio::test]
async fn over_rpc_the_same_rules_decide() {
    let m = mesh().await;
    let invoke = format!("/api/v1/functions/{FUNCTION}/invoke");
    // Bob is a member without a role: refused reading and invoking, 403 as over REST.
    rpc(&m, &m.bob, "GET", "/api/v1/functions/", None).await.assert_error(403);
    let refused = rpc(&m, &m.bob, "POST", &invoke, Some(json!({}))).await.assert_error(403);
    assert!(refused.message.contains("function:invoke"), "{}", refused.message);
    // Alice holds the invoker role: she reads and invokes, and may not write.
    let functions = rpc(&m, &m.alice, "GET", "/api/v1/functions", None).await.ok_json();
    assert_eq!(functions.as_array().map(Vec::len), Some(1), "{functions}");
    let invoked =
        rpc(&m, &m.alice, "POST", &invoke, Some(json!({ "args": ["x"] }))).await.ok_json();
    assert_eq!(invoked["executorname"], m.endpoint.as_str());
    let role = json!({ "name": "mine", "description": "", "permissions": ["*"] });
    rpc(&m, &m.alice, "POST", "/api/v1/roles/", Some(role)).await.assert_error(403);
    // A stranger to the colony holds nothing; a missing record is a 404.
    rpc(&m, &key(), "GET", "/api/v1/services/", None).await.assert_error(403);
    rpc(&m, &m.alice, "GET", "/api/v1/services/nope", None).await.assert_error(404);
    rpc(&m, &m.alice, "GET", "/api/v1/nothing", None).await.assert_error(404);
    // The executor gets the process Alice's RPC submitted.
    let assign = json!({ "colonyname": m.colony, "timeout": 5 });
    let process = m.client.call(&m.executor, "assignprocessmsg", assign).await.ok_json();
    assert_eq!(process["processid"], invoked["process_id"]);
}

#[tokio::test]
async fn full_reads_answer_records_as_stored() {
    let m = mesh().await;
    let base = &server().url;
    let t = Some(m.owner_token.as_str());
    let path = format!("/api/v1/functions/{FUNCTION}");
    let (_, plain) = rest(base, t, "GET", &path, None).await;
    assert!(plain.get("endpoint_id").is_none() && plain.get("policy_id").is_none(), "{plain}");
    let (status, full) = rest(base, t, "GET", &format!("{path}?full=true"), None).await;
    assert_eq!(status, 200);
    assert_eq!(
        (full["endpoint_id"].as_str(), full["policy_id"].as_str()),
        (Some(m.endpoint.as_str()), Some("p"))
    );
    assert_eq!(full["microservice_id"], "ms");
    let (_, listed) = rest(base, t, "GET", "/api/v1/functions/?full=true", None).await;
    assert_eq!(listed[0]["endpoint_id"], m.endpoint.as_str(), "{listed}");
}
