//! Black-box acceptance suite for Colonies servers: signed RPCs over real HTTP.
//!
//! With `COLONIES_TEST_URL` unset, [`server`] starts one native server for the whole test
//! binary, on a private PostgreSQL cluster in a temporary directory; both go away when the
//! test binary exits (the cluster's watchdog stops it and removes the directory). With
//! `COLONIES_TEST_URL=http://host:port` the same tests run against that server instead (the
//! Workers host reuses the suite); `COLONIES_TEST_SERVER_PRVKEY` is then its owner's key.
//!
//! Tests share the server, so each one uses colony and executor names of its own
//! ([`unique`]).

pub mod load;

use colonies_core::{Failure, PrivateKey, RpcMsg, RpcReplyMsg};
use core::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// The server under test.
pub struct TestServer {
    /// Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash).
    pub url: String,
    /// The server owner's key.
    pub owner: PrivateKey,
    /// The request body limit the server was started with, when known.
    pub body_limit: Option<usize>,
    /// The server's database (with password), when this suite started it.
    pub database_url: Option<String>,
}

static SERVER: OnceLock<TestServer> = OnceLock::new();

/// The server for this test binary, started on first use.
pub fn server() -> &'static TestServer {
    SERVER.get_or_init(|| match std::env::var("COLONIES_TEST_URL") {
        Ok(url) if !url.is_empty() => external(url),
        _ => local(),
    })
}

fn external(url: String) -> TestServer {
    let owner = std::env::var("COLONIES_TEST_SERVER_PRVKEY")
        .expect("COLONIES_TEST_SERVER_PRVKEY must hold the owner key of COLONIES_TEST_URL's server")
        .parse()
        .expect("COLONIES_TEST_SERVER_PRVKEY is not a private key");
    let body_limit = std::env::var("COLONIES_TEST_BODY_LIMIT").ok().and_then(|v| v.parse().ok());
    TestServer { url: url.trim_end_matches('/').to_owned(), owner, body_limit, database_url: None }
}

/// The limit the local test server runs with: small, so the oversize test sends little.
pub const LOCAL_BODY_LIMIT: usize = 1024 * 1024;

fn local() -> TestServer {
    use colonies_worker::{
        ServerConfig,
        native::{self, Database, NativeConfig},
    };
    let owner = PrivateKey::generate().expect("a key");
    let owner_id = owner.id().to_hex();
    // `keep`: the cluster's watchdog removes the directory once this process is gone.
    let data_dir = tempfile::Builder::new()
        .prefix("colonies-blackbox-")
        .tempdir()
        .expect("a temporary directory")
        .keep();
    let (tx, rx) = std::sync::mpsc::channel();
    // The server needs a runtime that outlives every test's own runtime.
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async move {
            let config = NativeConfig {
                server: ServerConfig {
                    build_version: "blackbox".into(),
                    build_time: "now".into(),
                    ..ServerConfig::default()
                },
                listen: "127.0.0.1:0".parse().expect("an address"),
                database: Database::Embedded { pg_bin: None, ephemeral: true },
                data_dir,
                server_id: Some(owner_id),
                body_limit: LOCAL_BODY_LIMIT,
                dashboard_dir: None,
                pool_size: 16,
                timeouts: native::HttpTimeouts::default(),
            };
            match native::start(config).await {
                Ok(server) => {
                    let _ = tx.send(Ok((server.addr(), server.database_url().to_owned())));
                    // Serve until the test binary exits.
                    core::future::pending::<()>().await;
                    drop(server);
                }
                Err(e) => {
                    let _ = tx.send(Err(e.to_string()));
                }
            }
        });
    });
    let (addr, database_url) = match rx.recv().expect("the server thread answers") {
        Ok(started) => started,
        Err(e) => panic!("the test server did not start: {e}"),
    };
    TestServer {
        url: format!("http://{addr}"),
        owner,
        body_limit: Some(LOCAL_BODY_LIMIT),
        database_url: Some(database_url),
    }
}

/// A name no other test of this run uses.
pub fn unique(prefix: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("{prefix}-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

/// An HTTP answer: its status and the parsed reply envelope (if the body was one).
#[derive(Debug)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The raw body.
    pub body: String,
    /// The body as a reply envelope.
    pub reply: Option<RpcReplyMsg>,
}

impl Answer {
    /// The reply JSON of a success; panics with the body otherwise.
    pub fn ok_json(&self) -> serde_json::Value {
        let reply = self.reply.clone().unwrap_or_else(|| panic!("not an envelope: {}", self.body));
        let json = reply.into_result().unwrap_or_else(|f| panic!("error reply: {f}"));
        serde_json::from_slice(&json).expect("reply JSON")
    }

    /// The failure of an error reply; panics if this is not one.
    pub fn failure(&self) -> Failure {
        let reply = self.reply.clone().unwrap_or_else(|| panic!("not an envelope: {}", self.body));
        assert!(reply.error, "expected an error reply, got {}", self.body);
        reply.into_result().expect_err("an error reply")
    }

    /// Asserts an error reply with HTTP `status` and the same status inside.
    pub fn assert_error(&self, status: u16) -> Failure {
        let failure = self.failure();
        assert_eq!(self.status, status, "HTTP status; body {failure:?}");
        assert_eq!(failure.status, status, "status in the error payload");
        failure
    }
}

/// An HTTP client for the suite. When the workspace is built together, reqwest carries the
/// CLI's `rustls-no-provider` feature, which panics without a process-wide crypto provider.
pub fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// A tiny Colonies client: builds envelopes with colonies-core and POSTs them.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    /// A client of the test server (make one per test: connections belong to its runtime).
    pub fn new() -> Self {
        Self::to(&server().url)
    }

    /// A client of `base`.
    pub fn to(base: &str) -> Self {
        Self { http: http(), base: base.to_owned() }
    }

    /// POSTs `body` to `/api` as is, with no Content-Type (as pycolonies does).
    pub async fn post_raw(&self, body: Vec<u8>) -> Answer {
        let response = self
            .http
            .post(format!("{}/api", self.base))
            .body(body)
            .send()
            .await
            .expect("the server answers");
        let status = response.status().as_u16();
        let body = response.text().await.expect("a body");
        let reply = RpcReplyMsg::parse(body.as_bytes()).ok();
        Answer { status, body, reply }
    }

    /// Sends an envelope.
    pub async fn send(&self, msg: &RpcMsg) -> Answer {
        self.post_raw(msg.to_json().into_bytes()).await
    }

    /// Sends `payload` (a JSON object; its `msgtype` is set to `payloadtype`) signed by `key`.
    pub async fn call(
        &self,
        key: &PrivateKey,
        payloadtype: &str,
        payload: serde_json::Value,
    ) -> Answer {
        self.send(&signed(key, payloadtype, payload)).await
    }

    /// Sends `payload` signed by `key`, bound against replay to `audience` with a fresh
    /// nonce when one is given ([`bound`]), unbound otherwise ([`signed`]).
    pub async fn call_as(
        &self,
        key: &PrivateKey,
        payloadtype: &str,
        payload: serde_json::Value,
        audience: Option<&str>,
    ) -> Answer {
        match audience {
            Some(audience) => self.send(&bound(key, payloadtype, payload, audience)).await,
            None => self.call(key, payloadtype, payload).await,
        }
    }

    /// The server's ID as `getserverinfomsg` tells it: the audience of bound requests
    /// (`None`: the server tells none, as a Go server).
    pub async fn audience(&self) -> Option<String> {
        let info = self.send(&RpcMsg::unsigned("getserverinfomsg", "{}")).await.ok_json();
        info["serverid"].as_str().filter(|id| !id.is_empty()).map(str::to_owned)
    }

    /// GETs `path`: status and body.
    pub async fn get(&self, path: &str) -> (u16, String) {
        let response =
            self.http.get(format!("{}{path}", self.base)).send().await.expect("the server answers");
        (response.status().as_u16(), response.text().await.expect("a body"))
    }
}

impl Default for Client {
    fn default() -> Self {
        Self::new()
    }
}

/// A signed envelope of `payload` with its `msgtype` set to `payloadtype`.
pub fn signed(key: &PrivateKey, payloadtype: &str, mut payload: serde_json::Value) -> RpcMsg {
    if let Some(object) = payload.as_object_mut() {
        object.insert("msgtype".into(), payloadtype.into());
    }
    RpcMsg::sign(payloadtype, &payload.to_string(), key)
}

/// This machine's clock, Unix milliseconds.
pub fn now_ms() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    since.map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)).unwrap_or(0)
}

/// A signed envelope of `payload` (its `msgtype` set to `payloadtype`) bound against replay
/// to `audience`, signed now with a fresh nonce (`RpcMsg::sign_bound`).
pub fn bound(
    key: &PrivateKey,
    payloadtype: &str,
    mut payload: serde_json::Value,
    audience: &str,
) -> RpcMsg {
    if let Some(object) = payload.as_object_mut() {
        object.insert("msgtype".into(), payloadtype.into());
    }
    let binding = colonies_core::rules::replay::Binding::new(now_ms(), audience).expect("a nonce");
    RpcMsg::sign_bound(payloadtype, &payload.to_string(), key, &binding)
}

/// A fresh random key.
pub fn key() -> PrivateKey {
    PrivateKey::generate().expect("a key")
}

/// A new colony owned by a new key: (owner key, colony name).
pub async fn new_colony(client: &Client) -> (PrivateKey, String) {
    let (owner, name) = (key(), unique("colony"));
    let payload =
        serde_json::json!({ "colony": { "colonyid": owner.id().to_hex(), "name": name } });
    client.call(&server().owner, "addcolonymsg", payload).await.ok_json();
    (owner, name)
}

/// The `addexecutormsg` payload of an executor with key `executor`.
pub fn executor_payload(executor: &PrivateKey, colony: &str, name: &str) -> serde_json::Value {
    serde_json::json!({ "executor": {
        "executorid": executor.id().to_hex(),
        "executortype": "test_executor_type",
        "executorname": name,
        "colonyname": colony,
    } })
}

/// A new executor registered by the colony owner, approved if asked: (key, name).
pub async fn new_executor(
    client: &Client,
    colony_owner: &PrivateKey,
    colony: &str,
    approve: bool,
) -> (PrivateKey, String) {
    let (executor, name) = (key(), unique("executor"));
    client
        .call(colony_owner, "addexecutormsg", executor_payload(&executor, colony, &name))
        .await
        .ok_json();
    if approve {
        let payload = serde_json::json!({ "colonyname": colony, "executorname": name });
        client.call(colony_owner, "approveexecutormsg", payload).await.ok_json();
    }
    (executor, name)
}
