//! [`MeshClient`] against a fake mesh server that checks every signature as a server does
//! (`authenticate`, one use per nonce) and keeps records with core's upsert rule.

use super::*;
use colonies_core::{
    RpcMsg, RpcReplyMsg,
    mesh::{Resource, auth::authenticate},
    time::Timestamp,
};
use std::{
    collections::{BTreeMap, BTreeSet},
    sync::Mutex,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SERVER_ID: &str = "5e5e";

fn key() -> PrivateKey {
    PrivateKey::from_bytes([9; 32]).unwrap()
}

/// What the fake server saw and keeps.
#[derive(Default)]
struct State {
    /// (collection, id) → record JSON.
    records: BTreeMap<(String, String), Value>,
    nonces: BTreeSet<String>,
    /// "METHOD path" of every request that reached the routes.
    requests: Vec<String>,
    callers: BTreeSet<String>,
}

struct Fake {
    url: String,
    state: Arc<Mutex<State>>,
}

impl Fake {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else { return };
                let Some((head, body)) = read_request(&mut socket).await else { continue };
                let (status, reply) = serve(&shared, &head, &body);
                let answer = format!(
                    "HTTP/1.1 {status} X\r\ncontent-length: {}\r\ncontent-type: \
                     application/json\r\nconnection: close\r\n\r\n{reply}",
                    reply.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
                let _ = socket.shutdown().await;
            }
        });
        Self { url, state }
    }

    fn writes(&self) -> Vec<String> {
        let state = self.state.lock().unwrap();
        state.requests.iter().filter(|r| !r.starts_with("GET")).cloned().collect()
    }
}

async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    loop {
        let mut chunk = [0u8; 4096];
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
        let length: usize = head
            .lines()
            .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(str::to_owned))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        if buf.len() >= end + 4 + length {
            return Some((head, buf[end + 4..end + 4 + length].to_vec()));
        }
    }
}

fn error(code: u16, message: &str) -> (u16, String) {
    (code, serde_json::json!({"detail": {"message": message, "code": code}}).to_string())
}

/// The record `body` (a create body) leaves behind over `stored`, for the four policy kinds.
fn upsert_record(
    kind: Kind,
    stored: Option<&Value>,
    id: &str,
    body: &Value,
) -> Result<Value, Invalid> {
    fn one<R: Resource>(stored: Option<&Value>, id: &str, body: &Value) -> Result<Value, Invalid> {
        let stored: Option<R> = stored.map(|s| serde_json::from_value(s.clone()).unwrap());
        let create = R::parse_create(body)?;
        let record =
            R::upsert(stored.as_ref(), id, create, &mut || "fresh".into(), Timestamp::default());
        Ok(record.to_stored())
    }
    match kind {
        Kind::Endpoint => one::<Endpoint>(stored, id, body),
        Kind::Function => one::<Function>(stored, id, body),
        Kind::Microservice => one::<Microservice>(stored, id, body),
        Kind::Service => one::<Service>(stored, id, body),
        other => panic!("the fake serves no {other:?}"),
    }
}

/// A stored record as a response shows it (`full`: as stored, as `?full=true` asks).
fn shown(kind: Kind, stored: &Value, full: bool) -> Value {
    let mut record = stored.clone();
    if let (false, Some(object)) = (full, record.as_object_mut()) {
        object.remove("policy_id");
        if kind == Kind::Function {
            object.remove("microservice_id");
            object.remove("endpoint_id");
        }
    }
    record
}

fn serve(state: &Mutex<State>, head: &str, body: &[u8]) -> (u16, String) {
    let mut lines = head.lines();
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let (method, target) = (request_line.next().unwrap_or(""), request_line.next().unwrap_or(""));
    if method == "POST" && target == "/api" {
        let msg = RpcMsg::parse(body).unwrap();
        assert_eq!(msg.payloadtype, "getserverinfomsg", "the only RPC the mesh client sends");
        let info = serde_json::json!({"serverid": SERVER_ID, "backends": []}).to_string();
        return (200, RpcReplyMsg::success("getserverinfomsg", &info).to_json());
    }
    let authorization = lines.find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("authorization").then(|| value.trim().to_owned())
    });
    let parts = RequestParts { method, path: target, body };
    let authenticated = authenticate(authorization.as_deref(), parts, now_ms())
        .and_then(|caller| caller.check_audience(SERVER_ID).map(|()| caller));
    let caller = match authenticated {
        Ok(colonies_core::mesh::auth::Caller::Signed { id, colonyname, binding }) => {
            assert_eq!(colonyname, "dev");
            let mut state = state.lock().unwrap();
            if !state.nonces.insert(binding.nonce) {
                return error(403, "replay protection: replayed");
            }
            id
        }
        Ok(other) => return error(401, &format!("not signed: {other:?}")),
        Err(e) => return error(401, &e.to_string()),
    };
    let mut state = state.lock().unwrap();
    state.callers.insert(caller.to_hex());
    state.requests.push(format!("{method} {target}"));
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let full = query == "full=true";
    let segments: Vec<&str> =
        path.trim_start_matches("/api/v1/").trim_end_matches('/').split('/').collect();
    let Some(kind) = Kind::from_path(segments[0]) else { return error(404, "no such route") };
    let json: Value =
        if body.is_empty() { Value::Null } else { serde_json::from_slice(body).unwrap() };
    match (method, segments.as_slice()) {
        ("GET", [_]) => {
            let records: Vec<Value> = state
                .records
                .iter()
                .filter(|((c, _), _)| c == kind.path())
                .map(|(_, r)| shown(kind, r, full))
                .collect();
            (200, serde_json::to_string(&records).unwrap())
        }
        ("GET", [_, id]) => match state.records.get(&(kind.path().into(), (*id).into())) {
            Some(record) => (200, shown(kind, record, full).to_string()),
            None => error(404, &format!("{} not found", kind.noun())),
        },
        ("PUT", [_, id]) if query == "upsert=true" => {
            let slot = (kind.path().to_owned(), (*id).to_owned());
            let stored = state.records.get(&slot);
            match upsert_record(kind, stored, id, &json) {
                Ok(record) => {
                    let status = if stored.is_some() { 200 } else { 201 };
                    state.records.insert(slot, record.clone());
                    (status, shown(kind, &record, false).to_string())
                }
                Err(invalid) => (422, serde_json::to_string(&invalid).unwrap()),
            }
        }
        ("DELETE", [_, id]) => match state.records.remove(&(kind.path().into(), (*id).into())) {
            Some(_) => (204, String::new()),
            None => error(404, &format!("{} not found", kind.noun())),
        },
        ("POST", [_, id, "invoke"]) => (
            201,
            serde_json::json!({"function_id": id, "process_id": "p1", "state_id": "s1",
                               "executorname": "e1", "echo": json})
            .to_string(),
        ),
        _ => error(405, "method not allowed"),
    }
}

/// The fixture policy file: an endpoint, a service, a microservice and a function.
fn policy() -> PolicyFile {
    let policy =
        serde_json::json!({"sp_id": "sp1", "roles": ["analyst"], "requires_authentication": true});
    let document = serde_json::json!({
        "endpoints": {"ep1": {"name": "Endpoint A", "image": "axo:endpoint",
            "resources": {"cpu": 2, "ram": "2GB"}, "security_policy": policy, "policy_id": "policy1"}},
        "services": {"s_data": {"security_policy": policy, "microservices": ["ms_loader"],
            "resources": {"cpu": 2, "ram": "2GB"}, "policy_id": "policy1"}},
        "microservices": {"ms_loader": {"service_id": "s_data", "resources": {"cpu": 1, "ram": "1GB"},
            "functions": ["load_data"], "policy_id": "policy1"}},
        "functions": {"load_data": {"microservice_id": "ms_loader", "image": "rory:load",
            "resources": {"cpu": 1, "ram": "512MB"},
            "storage": {"capacity": "1GB", "storage_id": "stor1", "source_path": "/input", "sink_path": "/output"},
            "endpoint_id": "ep1", "deployment_status": "deployed", "policy_id": "policy1"}}
    });
    PolicyFile::from_json(&document).unwrap()
}

fn outcomes(applied: &[Applied]) -> Vec<(String, &'static str)> {
    applied.iter().map(|a| (a.id.clone(), a.outcome.as_str())).collect()
}

#[tokio::test]
async fn applying_twice_creates_then_writes_nothing_and_a_change_replaces() {
    let fake = Fake::start().await;
    let mesh = MeshClient::new(&Client::new(&fake.url, key()).unwrap(), "dev");
    let file = policy();

    let first = mesh.apply(&file).await.unwrap();
    assert_eq!(
        outcomes(&first),
        [
            ("ep1".into(), "created"),
            ("load_data".into(), "created"),
            ("ms_loader".into(), "created"),
            ("s_data".into(), "created"),
        ]
    );
    assert_eq!(fake.writes().len(), 4);
    assert_eq!(
        fake.writes()[0],
        "PUT /api/v1/endpoints/ep1?upsert=true",
        "signed over the path as sent, query included"
    );

    let second = mesh.apply(&file).await.unwrap();
    assert!(second.iter().all(|a| a.outcome == Outcome::Unchanged), "{second:?}");
    assert_eq!(fake.writes().len(), 4, "the second apply writes nothing");

    let mut changed = file.clone();
    changed.services.get_mut("s_data").unwrap().resources.cpu = 4;
    let dry =
        mesh.apply_with(&changed, ApplyOptions { dry_run: true, force: false }).await.unwrap();
    assert_eq!(dry[3].outcome, Outcome::Replaced);
    assert_eq!(fake.writes().len(), 4, "a dry run writes nothing");
    let third = mesh.apply(&changed).await.unwrap();
    assert_eq!(
        outcomes(&third).iter().filter(|(_, o)| *o != "unchanged").collect::<Vec<_>>(),
        [&("s_data".into(), "replaced")]
    );
    assert_eq!(mesh.get(Kind::Service, "s_data").await.unwrap()["resources"]["cpu"], 4);
    let forced = mesh.apply_with(&changed, ApplyOptions { dry_run: false, force: true }).await;
    assert!(forced.unwrap().iter().all(|a| a.outcome == Outcome::Replaced));

    // Every request was signed by the key, once per nonce.
    assert_eq!(
        fake.state.lock().unwrap().callers.iter().collect::<Vec<_>>(),
        [&key().id().to_hex()]
    );
}

#[tokio::test]
async fn export_reads_the_colonys_records_back_into_a_file() {
    let fake = Fake::start().await;
    let mesh = MeshClient::new(&Client::new(&fake.url, key()).unwrap(), "dev");
    mesh.apply(&policy()).await.unwrap();
    let exported = mesh.export().await.unwrap();
    assert_eq!(exported.len(), 4);
    assert_eq!(exported.functions["load_data"].microservice_id, "ms_loader");
    // Read as stored (`?full=true`): what responses leave out comes back too.
    assert_eq!(exported.functions["load_data"].endpoint_id, "ep1");
    assert_eq!(exported.functions["load_data"].policy_id.as_deref(), Some("policy1"));
    assert!(exported.incomplete_functions().is_empty());
    assert_eq!(exported, policy(), "the export is the file applied");
    // Applying the export changes nothing.
    let applied = mesh.apply(&exported).await.unwrap();
    assert!(applied.iter().all(|a| a.outcome == Outcome::Unchanged), "{applied:?}");
}

#[tokio::test]
async fn routes_errors_and_invoke() {
    let fake = Fake::start().await;
    let mesh = MeshClient::new(&Client::new(&fake.url, key()).unwrap(), "dev");
    assert_eq!(mesh.server_id().await.unwrap(), SERVER_ID);
    assert!(mesh.list(Kind::Service).await.unwrap().is_empty());
    let missing = mesh.get(Kind::Service, "nope").await.unwrap_err();
    assert_eq!(missing.status(), Some(404));
    assert!(missing.to_string().contains("service not found"), "{missing}");
    assert_eq!(mesh.find(Kind::Service, "nope").await.unwrap(), None);

    // A validation error carries the 422 and where the body is wrong.
    let invalid = mesh
        .upsert(Kind::Service, "s1", &serde_json::json!({"resources": {"cpu": 0, "ram": "1GB"}}))
        .await
        .unwrap_err();
    assert_eq!(invalid.status(), Some(422));
    assert!(invalid.to_string().contains("body.security_policy"), "{invalid}");

    // Ids are percent-encoded into one path segment; the signature covers the encoded path.
    let body = policy().clone().upserts()[0].body_json();
    let (record, created) = mesh.upsert(Kind::Endpoint, "ep 1/x", &body).await.unwrap();
    assert!(created);
    assert_eq!(record["endpoint_id"], "ep%201%2Fx", "the fake keeps the raw segment");
    mesh.delete(Kind::Endpoint, "ep 1/x").await.unwrap();
    assert!(matches!(mesh.get(Kind::Endpoint, "..").await, Err(ClientError::Input(_))));

    let mut kwargs = Map::new();
    kwargs.insert("n".into(), 3.into());
    let invoked = mesh.invoke("load_data", vec!["a".into()], kwargs).await.unwrap();
    assert_eq!(invoked["process_id"], "p1");
    assert_eq!(invoked["echo"], serde_json::json!({"args": ["a"], "kwargs": {"n": 3}}));
}

#[test]
fn error_bodies_become_messages() {
    let detail = serde_json::json!({"detail": {"message": "Service not found", "code": 404}});
    assert_eq!(detail_message(&detail).as_deref(), Some("Service not found"));
    let list = serde_json::json!({"detail": [
        {"loc": ["body", "resources", "cpu"], "msg": "Input should be greater than 0", "type": "greater_than"}
    ]});
    assert_eq!(
        detail_message(&list).as_deref(),
        Some("invalid body: body.resources.cpu: Input should be greater than 0")
    );
    assert_eq!(
        detail_message(&serde_json::json!({"detail": "Not Found"})).as_deref(),
        Some("Not Found")
    );
    assert_eq!(detail_message(&serde_json::json!({"error": true})), None);
}

#[test]
fn plans_follow_what_the_server_shows() {
    let upsert = policy().upserts().remove(0);
    assert_eq!(plan(&upsert, None, false), Outcome::Created);
    assert_eq!(plan(&upsert, None, true), Outcome::Created);
    let stored = upsert_record(Kind::Endpoint, None, "ep1", &upsert.body_json()).unwrap();
    assert_eq!(plan(&upsert, Some(&stored), false), Outcome::Unchanged);
    assert_eq!(plan(&upsert, Some(&stored), true), Outcome::Replaced);
    let mut other = stored.clone();
    other["name"] = "Endpoint B".into();
    assert_eq!(plan(&upsert, Some(&other), false), Outcome::Replaced);
}

#[test]
fn ttls_are_seconds_to_a_day() {
    for (text, seconds) in
        [("30s", 30), ("15m", 900), ("1h", 3600), ("24h", 86_400), ("1d", 86_400), ("90", 90)]
    {
        assert_eq!(parse_ttl(text), Ok(Duration::from_secs(seconds)), "{text}");
    }
    let too_long = parse_ttl("25h").unwrap_err();
    assert!(too_long.contains("at most 24h"), "{too_long}");
    assert!(parse_ttl("86401s").is_err());
    assert!(parse_ttl("0s").unwrap_err().contains("more than 0"));
    for bad in ["", "h", "1w", "-5m", "1.5h", "1h30m", "ten"] {
        assert!(parse_ttl(bad).unwrap_err().contains("is not a duration"), "{bad}");
    }
    // Longer than u64 seconds: still refused as too long, never wrapped.
    assert!(parse_ttl("99999999999999999999h").is_err());
}

#[test]
fn ids_are_one_encoded_segment() {
    assert_eq!(
        item(Kind::SecurityPolicy, "sp 1/é").unwrap(),
        "/api/v1/security-policies/sp%201%2F%C3%A9"
    );
    assert_eq!(collection(Kind::FunctionResult), "/api/v1/function-results/");
    assert!(item(Kind::Role, "").is_err());
}
