//! Latency of the service mesh with one client, one request at a time: a signed REST read
//! (`GET /api/v1/functions/<id>`), a signed REST write (`POST /api/v1/function-states/`), the
//! same read with a bearer token, and an invoke until the endpoint's executor has the process
//! (`POST …/invoke` sent → the executor's waiting `assignprocessmsg` returns it).
//!
//! ```text
//! cargo run --release -p colonies-blackbox --bin mesh_latency -- [--requests 1000]
//!     [--url http://127.0.0.1:50080 --owner-key <server owner key>]
//! ```
//! Without `--url` a server is started in this process on an embedded PostgreSQL. The caller
//! is a member of the colony holding a role (so every request runs the policy checks, as the
//! colony owner's would not).

use colonies_blackbox::{Client, executor_payload, http, load::quantile, now_ms};
use colonies_core::{
    PrivateKey, RpcMsg,
    mesh::auth::{RequestParts, mint_token, sign_request},
    rules::replay::Binding,
};
use colonies_worker::{
    ServerConfig,
    native::{self, Database, NativeConfig, RunningServer},
};
use serde_json::json;
use std::time::{Duration, Instant};

const USAGE: &str = "mesh_latency [--requests N] [--url URL --owner-key KEY]";

struct Options {
    requests: usize,
    url: Option<String>,
    owner_key: Option<String>,
}

fn options() -> Result<Options, String> {
    let mut o = Options { requests: 1000, url: None, owner_key: None };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--requests" => o.requests = value()?.parse().map_err(|e| format!("{e}"))?,
            "--url" => o.url = Some(value()?.trim_end_matches('/').to_owned()),
            "--owner-key" => o.owner_key = Some(value()?),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(o)
}

async fn embedded(owner: &PrivateKey) -> Result<RunningServer, String> {
    let data_dir = tempfile::Builder::new()
        .prefix("colonies-mesh-latency-")
        .tempdir()
        .map_err(|e| e.to_string())?
        .keep();
    native::start(NativeConfig {
        server: ServerConfig::default(),
        listen: "127.0.0.1:0".parse().map_err(|e| format!("{e}"))?,
        database: Database::Embedded { pg_bin: None, ephemeral: true },
        data_dir,
        server_id: Some(owner.id().to_hex()),
        body_limit: native::DEFAULT_BODY_LIMIT,
        dashboard_dir: None,
        pool_size: 16,
        timeouts: native::HttpTimeouts::default(),
    })
    .await
    .map_err(|e| e.to_string())
}

/// One REST request; the status, or the error.
async fn send(
    url: &str,
    method: &str,
    path: &str,
    authorization: &str,
    body: Option<&[u8]>,
) -> Result<(u16, String), String> {
    let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
    let mut request =
        http().request(method, format!("{url}{path}")).header("authorization", authorization);
    if let Some(body) = body {
        request = request.header("content-type", "application/json").body(body.to_vec());
    }
    let response = request.send().await.map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    Ok((status, response.text().await.unwrap_or_default()))
}

struct Setup {
    url: String,
    colony: String,
    audience: String,
    caller: PrivateKey,
    executor: PrivateKey,
    token: String,
}

async fn setup(url: &str, server_owner: &PrivateKey) -> Result<Setup, String> {
    let client = Client::to(url);
    let info = client.send(&RpcMsg::unsigned("getserverinfomsg", "{}")).await.ok_json();
    let audience = info["serverid"].as_str().unwrap_or_default().to_owned();
    let owner = PrivateKey::generate().map_err(|e| e.to_string())?;
    let colony = format!("mesh-latency-{}", std::process::id());
    let payload = json!({ "colony": { "colonyid": owner.id().to_hex(), "name": colony } });
    client.call(server_owner, "addcolonymsg", payload).await.ok_json();
    let executor = PrivateKey::generate().map_err(|e| e.to_string())?;
    client
        .call(&owner, "addexecutormsg", executor_payload(&executor, &colony, "ep1"))
        .await
        .ok_json();
    let approve = json!({ "colonyname": colony, "executorname": "ep1" });
    client.call(&owner, "approveexecutormsg", approve).await.ok_json();
    let caller = PrivateKey::generate().map_err(|e| e.to_string())?;
    let user = json!({ "user": { "colonyname": colony, "userid": caller.id().to_hex(),
                                 "name": "caller", "email": "", "phone": "" } });
    client.call(&owner, "addusermsg", user).await.ok_json();
    let owner_token =
        mint_token(&owner, &colony, &audience, now_ms(), 3_600_000).map_err(|e| e.to_string())?;
    let bearer = format!("Bearer {owner_token}");
    let policy = json!({ "sp_id": "sp1", "roles": ["operator"], "requires_authentication": true });
    let resources = json!({ "cpu": 1, "ram": "1GB" });
    let writes = [
        (
            "roles",
            "operator",
            json!({ "name": "operator", "description": "",
            "permissions": ["*"], "members": [caller.id().to_hex()] }),
        ),
        (
            "endpoints",
            "ep1",
            json!({ "name": "Endpoint 1", "image": "img", "resources": resources,
            "security_policy": policy, "policy_id": "p" }),
        ),
        (
            "services",
            "s1",
            json!({ "security_policy": policy, "microservices": ["m1"],
            "resources": resources, "policy_id": "p" }),
        ),
        (
            "microservices",
            "m1",
            json!({ "service_id": "s1", "functions": ["f1"],
            "resources": resources, "policy_id": "p" }),
        ),
        (
            "functions",
            "f1",
            json!({ "microservice_id": "m1", "image": "img", "resources": resources,
            "endpoint_id": "ep1", "policy_id": "p",
            "storage": { "capacity": "1GB", "source_path": "/in", "sink_path": "/out" } }),
        ),
    ];
    for (kind, id, body) in writes {
        let path = format!("/api/v1/{kind}/{id}?upsert=true");
        let body = body.to_string().into_bytes();
        let (status, text) = send(url, "PUT", &path, &bearer, Some(&body)).await?;
        if status != 201 && status != 200 {
            return Err(format!("PUT {path}: {status} {text}"));
        }
    }
    let token =
        mint_token(&caller, &colony, &audience, now_ms(), 3_600_000).map_err(|e| e.to_string())?;
    Ok(Setup { url: url.to_owned(), colony, audience, caller, executor, token })
}

fn signed(s: &Setup, method: &str, path: &str, body: &[u8]) -> Result<String, String> {
    let binding = Binding::new(now_ms(), &s.audience).map_err(|e| e.to_string())?;
    Ok(sign_request(&s.caller, &s.colony, RequestParts { method, path, body }, &binding))
}

async fn measure(
    s: &Setup,
    n: usize,
    method: &str,
    path: &str,
    body: Option<&[u8]>,
    bearer: bool,
) -> Result<Vec<Duration>, String> {
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        // Signing is part of what a client pays for a request, so it is inside the sample.
        let authorization = if bearer {
            format!("Bearer {}", s.token)
        } else {
            signed(s, method, path, body.unwrap_or_default())?
        };
        let (status, text) = send(&s.url, method, path, &authorization, body).await?;
        samples.push(started.elapsed());
        if !(200..300).contains(&status) {
            return Err(format!("{method} {path}: {status} {text}"));
        }
    }
    Ok(samples)
}

/// Invoke → the executor's waiting assign returns the process; then the executor closes it.
async fn invoke_to_assign(s: &Setup, n: usize) -> Result<Vec<Duration>, String> {
    let client = Client::to(&s.url);
    let mut samples = Vec::with_capacity(n);
    let path = "/api/v1/functions/f1/invoke";
    let body = br#"{"args":[1]}"#;
    for _ in 0..n {
        let assign = json!({ "colonyname": s.colony, "timeout": 10 });
        let executor = s.executor.clone();
        let waiting = {
            let client = client.clone();
            tokio::spawn(async move {
                let answer = client.call(&executor, "assignprocessmsg", assign).await;
                (Instant::now(), answer)
            })
        };
        // Let the assign reach the server and park before invoking.
        tokio::time::sleep(Duration::from_millis(5)).await;
        let started = Instant::now();
        let authorization = signed(s, "POST", path, body)?;
        let (status, text) = send(&s.url, "POST", path, &authorization, Some(body)).await?;
        if status != 201 {
            return Err(format!("invoke: {status} {text}"));
        }
        let (assigned_at, answer) = waiting.await.map_err(|e| e.to_string())?;
        let process = answer.ok_json();
        samples.push(assigned_at.saturating_duration_since(started));
        let close = json!({ "processid": process["processid"], "out": ["done"] });
        client.call(&s.executor, "closesuccessfulmsg", close).await.ok_json();
    }
    Ok(samples)
}

fn report(name: &str, mut samples: Vec<Duration>) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mean = samples.iter().map(|d| ms(*d)).sum::<f64>() / samples.len().max(1) as f64;
    let (p50, p99) = (quantile(&mut samples, 0.50), quantile(&mut samples, 0.99));
    println!(
        "| {name} | {} | {:.2} ms | {:.2} ms | {mean:.2} ms |",
        samples.len(),
        ms(p50),
        ms(p99)
    );
}

async fn run() -> Result<(), String> {
    let o = options()?;
    let (url, owner, _server) = match &o.url {
        Some(url) => {
            let key = o.owner_key.clone().or_else(|| std::env::var("COLONIES_SERVER_PRVKEY").ok());
            let key = key.ok_or("--owner-key (or COLONIES_SERVER_PRVKEY) is needed with --url")?;
            (url.clone(), key.trim().parse().map_err(|e| format!("--owner-key: {e}"))?, None)
        }
        None => {
            let owner = PrivateKey::generate().map_err(|e| e.to_string())?;
            let server = embedded(&owner).await?;
            (format!("http://{}", server.addr()), owner, Some(server))
        }
    };
    let s = setup(&url, &owner).await?;
    let n = o.requests;
    let write = br#"{"function_id":"f1","state":"running","metadata":{"k":"v"}}"#;
    // A warm-up round, not reported: connections, statement caches.
    measure(&s, 50.min(n), "GET", "/api/v1/functions/f1", None, false).await?;
    println!("| request (one client, sequential) | n | p50 | p99 | mean |\n|---|---|---|---|---|");
    report(
        "signed REST read: GET /api/v1/functions/f1",
        measure(&s, n, "GET", "/api/v1/functions/f1", None, false).await?,
    );
    report(
        "bearer-token REST read: the same GET",
        measure(&s, n, "GET", "/api/v1/functions/f1", None, true).await?,
    );
    report(
        "signed REST write: POST /api/v1/function-states/",
        measure(&s, n, "POST", "/api/v1/function-states/", Some(write), false).await?,
    );
    let invokes = (n / 4).max(1);
    report("invoke → the executor's assign returns it", invoke_to_assign(&s, invokes).await?);
    Ok(())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mesh_latency: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
