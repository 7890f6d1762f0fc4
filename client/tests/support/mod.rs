//! Shared by the client tests and the `colonies-edge` command's tests (cli/tests/support
//! includes this file): the black-box suite's server, a colony with an approved executor, and
//! a proxy that records the envelopes it forwards.
#![allow(dead_code)] // each test binary uses part of it

use colonies_blackbox::{http, server, unique};
use colonies_client::{
    Client, PrivateKey,
    core::{
        RpcMsg,
        model::{Colony, Conditions, Executor, FunctionSpec},
        rules::replay::{Binding, read_binding},
    },
};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A colony with one approved executor, and everybody's keys.
pub struct Setup {
    /// The server's base URL.
    pub url: String,
    /// The colony's name.
    pub colony: String,
    /// The executor's type.
    pub executortype: String,
    /// The executor's name.
    pub executorname: String,
    /// Server owner key (hex).
    pub server_prvkey: String,
    /// Colony owner key (hex).
    pub colony_prvkey: String,
    /// Executor key (hex).
    pub executor_prvkey: String,
    /// A client signing as the executor.
    pub executor: Client,
}

fn key() -> PrivateKey {
    PrivateKey::generate().expect("a key")
}

/// Adds a colony and an approved executor with the Rust client.
pub async fn setup(prefix: &str) -> Setup {
    let server = server();
    let owner = Client::new(&server.url, server.owner.clone()).expect("a client");
    let (colony_key, executor_key) = (key(), key());
    let colony = unique(prefix);
    owner
        .add_colony(Colony { colonyid: colony_key.id().to_hex(), name: colony.clone() })
        .await
        .expect("add_colony");
    let colony_owner = owner.with_key(colony_key.clone());
    let executortype = format!("{prefix}-type");
    let executorname = format!("{prefix}-executor");
    colony_owner
        .add_executor(Executor {
            executorid: executor_key.id().to_hex(),
            executortype: executortype.clone(),
            executorname: executorname.clone(),
            colonyname: colony.clone(),
            ..Executor::default()
        })
        .await
        .expect("add_executor");
    colony_owner.approve_executor(colony.clone(), executorname.clone()).await.expect("approve");
    Setup {
        url: server.url.clone(),
        colony,
        executortype,
        executorname,
        server_prvkey: server.owner.to_hex(),
        colony_prvkey: colony_key.to_hex(),
        executor_prvkey: executor_key.to_hex(),
        executor: owner.with_key(executor_key),
    }
}

impl Setup {
    /// A spec of `funcname` for this colony's executor type.
    pub fn spec(&self, funcname: &str, args: &[&str]) -> FunctionSpec {
        FunctionSpec {
            funcname: funcname.into(),
            args: args.iter().map(|a| serde_json::Value::from(*a)).collect(),
            maxexectime: 60,
            conditions: Conditions {
                colonyname: self.colony.clone(),
                executortype: self.executortype.clone(),
                ..Conditions::default()
            },
            ..FunctionSpec::default()
        }
    }
}

/// An HTTP proxy in front of `POST /api` that records every envelope it forwards.
pub struct Proxy {
    /// Its base URL (give it to a client instead of the server's).
    pub url: String,
    seen: Arc<Mutex<Vec<RpcMsg>>>,
}

impl Proxy {
    /// A proxy in front of the server at `upstream` (its base URL).
    pub async fn start(upstream: &str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (upstream, recorded) = (format!("{upstream}/api"), seen.clone());
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(forward(socket, upstream.clone(), recorded.clone()));
            }
        });
        Self { url, seen }
    }

    /// The envelopes forwarded so far, of `payloadtype`.
    pub fn seen(&self, payloadtype: &str) -> Vec<RpcMsg> {
        let seen = self.seen.lock().expect("the record");
        seen.iter().filter(|m| m.payloadtype == payloadtype).cloned().collect()
    }
}

/// One request per connection: read it, record it, forward it, answer what the server said.
async fn forward(
    mut socket: tokio::net::TcpStream,
    upstream: String,
    seen: Arc<Mutex<Vec<RpcMsg>>>,
) {
    let mut buf = Vec::new();
    let body = loop {
        let mut chunk = [0u8; 8192];
        let n = socket.read(&mut chunk).await.unwrap_or(0);
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        if buf.len() >= end + 4 + length {
            break buf[end + 4..end + 4 + length].to_vec();
        }
    };
    if let Ok(msg) = RpcMsg::parse(&body) {
        seen.lock().expect("the record").push(msg);
    }
    let response = http().post(&upstream).body(body).send().await.expect("the server answers");
    let status = response.status().as_u16();
    let reply = response.bytes().await.expect("a body");
    let head = format!(
        "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        reply.len()
    );
    let _ = socket.write_all(head.as_bytes()).await;
    let _ = socket.write_all(&reply).await;
    let _ = socket.shutdown().await;
}

/// The binding of a recorded envelope (`None`: unbound).
pub fn binding_of(msg: &RpcMsg) -> Option<Binding> {
    read_binding(&msg.payload_json().expect("a payload")).expect("well-formed fields")
}
