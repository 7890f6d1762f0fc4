//! The service mesh's REST API (`/api/v1/…`, CryptoMesh's routes) with signed requests.
//!
//! [`MeshClient`] acts in one colony with one key: every request carries
//! `Authorization: Colonies-Signature …` ([`sign_request`]) over its method, path and body,
//! bound to a fresh nonce, the signing time and the server's ID (learned once from
//! `getserverinfomsg`, as the RPC client learns it). The server takes the colony from the
//! credential.
//!
//! Besides one method per route ([`MeshClient::list`], [`MeshClient::get`],
//! [`MeshClient::create`], [`MeshClient::update`], [`MeshClient::delete`],
//! [`MeshClient::upsert`], [`MeshClient::invoke`]), it applies a CryptoMesh policy file
//! ([`MeshClient::apply`]: each entry created, replaced, or left alone when the server already
//! shows what it would write) and writes one back from the colony's records
//! ([`MeshClient::export`]).
//!
//! Errors are [`ClientError`]s: a refusal of the server is [`ClientError::Server`] with the
//! HTTP status and the message of its `{"detail":…}` body (a validation list reads
//! `body.resources.cpu: Input should be greater than 0; …`).
//!
//! ```no_run
//! use colonies_client::{Client, PrivateKey, mesh::MeshClient};
//! use colonies_client::core::mesh::Kind;
//! # async fn run() -> Result<(), colonies_client::ClientError> {
//! let key: PrivateKey = "6d2fb6f546bacfd98c68769e61e0b44a697a30596c018a50e28200aa59b01c0a".parse().unwrap();
//! let mesh = MeshClient::new(&Client::new("http://localhost:50080", key)?, "dev");
//! for service in mesh.list(Kind::Service).await? {
//!     println!("{}", service["service_id"]);
//! }
//! # Ok(()) }
//! ```

use super::{
    Client, ClientError, PrivateKey,
    binding::{self, Audience},
    transport_error,
};
use alloc::sync::Arc;
use colonies_core::{
    Failure,
    mesh::{
        Endpoint, Function, Invalid, Kind, Microservice, PolicyFile, Service, Upsert,
        auth::{RequestParts, sign_request},
    },
};
use core::{fmt, time::Duration};
use serde_json::{Map, Value};

/// Where the API lives on a server.
pub const API_PREFIX: &str = "/api/v1";

/// A client of one colony's service mesh on one server, signing with one key.
///
/// Cheap to clone; clones share the connections and what was learned about the server.
#[derive(Clone)]
pub struct MeshClient {
    rpc: Client,
    key: Option<Arc<PrivateKey>>,
    colony: Arc<str>,
}

impl fmt::Debug for MeshClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MeshClient")
            .field("base", &self.rpc.base)
            .field("colony", &self.colony)
            .field("id", &self.rpc.id())
            .finish_non_exhaustive()
    }
}

/// What applying one policy file entry did (or, for a dry run, would do).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// No record had its id: it was created.
    Created,
    /// The record was replaced by the entry.
    Replaced,
    /// The server already shows what the entry would write: nothing was sent.
    Unchanged,
}

impl Outcome {
    /// `created`, `replaced` or `unchanged`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Replaced => "replaced",
            Self::Unchanged => "unchanged",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One entry of a policy file and what applying it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The record's kind.
    pub kind: Kind,
    /// The record's id.
    pub id: String,
    /// What was done.
    pub outcome: Outcome,
}

/// How [`MeshClient::apply_with`] applies a file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplyOptions {
    /// Only compare: report what would be done, write nothing.
    pub dry_run: bool,
    /// Write every entry, even those already stored as the file says (entries are compared
    /// with the records as stored, `GET …?full=true`).
    pub force: bool,
}

/// What one request got back: the status and the body as JSON (`Null` when empty).
struct Answer {
    status: u16,
    body: Value,
}

impl MeshClient {
    /// The mesh of `colony` on `client`'s server, signing with `client`'s key (sharing its
    /// connections, timeout, and what it learned of the server's ID and clock).
    pub fn new(client: &Client, colony: &str) -> Self {
        Self { rpc: client.clone(), key: client.key.clone(), colony: colony.into() }
    }

    /// The colony it acts in.
    pub fn colony(&self) -> &str {
        &self.colony
    }

    /// The server's base URL (without `/api/v1`).
    pub fn base_url(&self) -> &str {
        self.rpc.base_url()
    }

    /// The server's ID (`serverid` of `getserverinfomsg`), asked once: the audience of
    /// every signed request and bearer token. A server that tells none does not serve the
    /// mesh API.
    pub async fn server_id(&self) -> Result<String, ClientError> {
        match self.rpc.learn_audience().await? {
            Audience::Server(id) => Ok(id),
            Audience::None => Err(no_server_id(self.rpc.base_url())),
        }
    }

    /// `GET /api/v1/<kind>/`: every record of the kind in the colony.
    pub async fn list(&self, kind: Kind) -> Result<Vec<Value>, ClientError> {
        let answer = self.request("GET", &collection(kind), None).await?;
        match answer.body {
            Value::Array(records) => Ok(records),
            other => Err(ClientError::Protocol(format!(
                "GET {} answered {} instead of a list",
                collection(kind),
                short(&other)
            ))),
        }
    }

    /// `GET /api/v1/<kind>/<id>`: one record (a 404 [`ClientError::Server`] when there is
    /// none; see [`MeshClient::find`]).
    pub async fn get(&self, kind: Kind, id: &str) -> Result<Value, ClientError> {
        Ok(self.request("GET", &item(kind, id)?, None).await?.body)
    }

    /// One record, or `None` when the server has none with this id.
    pub async fn find(&self, kind: Kind, id: &str) -> Result<Option<Value>, ClientError> {
        match self.get(kind, id).await {
            Ok(record) => Ok(Some(record)),
            Err(error) if error.is_not_found() => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// A record as stored (`?full=true`: with `policy_id`, and a function's
    /// `microservice_id` and `endpoint_id`, which responses leave out), or `None`.
    pub async fn find_stored(&self, kind: Kind, id: &str) -> Result<Option<Value>, ClientError> {
        match self.request("GET", &format!("{}?full=true", item(kind, id)?), None).await {
            Ok(answer) => Ok(Some(answer.body)),
            Err(error) if error.is_not_found() => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Every record of the kind as stored (`?full=true`, see [`MeshClient::find_stored`]).
    pub async fn list_stored(&self, kind: Kind) -> Result<Vec<Value>, ClientError> {
        let path = format!("{}?full=true", collection(kind));
        match self.request("GET", &path, None).await?.body {
            Value::Array(records) => Ok(records),
            other => Err(ClientError::Protocol(format!(
                "GET {path} answered {} instead of a list",
                short(&other)
            ))),
        }
    }

    /// `POST /api/v1/<kind>/`: creates a record from a create body; the server chooses its id
    /// (a security policy may name its `sp_id`). Returns the record.
    pub async fn create(&self, kind: Kind, body: &Value) -> Result<Value, ClientError> {
        Ok(self.request("POST", &collection(kind), Some(body)).await?.body)
    }

    /// `PUT /api/v1/<kind>/<id>`: merges an update body into the record. Returns the record.
    pub async fn update(&self, kind: Kind, id: &str, body: &Value) -> Result<Value, ClientError> {
        Ok(self.request("PUT", &item(kind, id)?, Some(body)).await?.body)
    }

    /// `DELETE /api/v1/<kind>/<id>`.
    pub async fn delete(&self, kind: Kind, id: &str) -> Result<(), ClientError> {
        self.request("DELETE", &item(kind, id)?, None).await.map(drop)
    }

    /// `PUT /api/v1/<kind>/<id>?upsert=true`: creates the record with this id from a create
    /// body, or replaces the one there. Returns the record and whether it was created.
    pub async fn upsert(
        &self,
        kind: Kind,
        id: &str,
        body: &Value,
    ) -> Result<(Value, bool), ClientError> {
        let path = format!("{}?upsert=true", item(kind, id)?);
        let answer = self.request("PUT", &path, Some(body)).await?;
        Ok((answer.body, answer.status == 201))
    }

    /// `POST /api/v1/functions/<id>/invoke`: runs a function as a Colonies process. Returns
    /// `{"function_id","process_id","state_id","executorname"}`.
    pub async fn invoke(
        &self,
        function_id: &str,
        args: Vec<Value>,
        kwargs: Map<String, Value>,
    ) -> Result<Value, ClientError> {
        let path = format!("{}/invoke", item(Kind::Function, function_id)?);
        let body = serde_json::json!({ "args": args, "kwargs": kwargs });
        Ok(self.request("POST", &path, Some(&body)).await?.body)
    }

    /// Applies a policy file: each entry, in CryptoMesh's order, is created with its id or
    /// replaces the record there, unless the server already shows what it would write.
    /// Applying the same file twice writes nothing the second time.
    ///
    /// Stops at the first error; the entries before it are applied.
    pub async fn apply(&self, file: &PolicyFile) -> Result<Vec<Applied>, ClientError> {
        self.apply_with(file, ApplyOptions::default()).await
    }

    /// [`MeshClient::apply`], with a dry run or forced writes.
    pub async fn apply_with(
        &self,
        file: &PolicyFile,
        options: ApplyOptions,
    ) -> Result<Vec<Applied>, ClientError> {
        let mut applied = Vec::new();
        self.apply_each(file, options, |entry| applied.push(entry.clone())).await?;
        Ok(applied)
    }

    /// [`MeshClient::apply_with`], telling `done` of each entry as soon as it is applied (to
    /// show progress, and what was applied before an error). An error names the entry it
    /// happened at: `service s_data: …`.
    pub async fn apply_each(
        &self,
        file: &PolicyFile,
        options: ApplyOptions,
        mut done: impl FnMut(&Applied),
    ) -> Result<(), ClientError> {
        for upsert in file.clone().upserts() {
            let outcome = self.apply_one(&upsert, options).await.map_err(|error| {
                let at = format!("{} {}", upsert.kind().noun(), upsert.id());
                match error {
                    ClientError::Server(failure) => ClientError::Server(Failure::new(
                        failure.status,
                        format!("{at}: {}", failure.message),
                    )),
                    ClientError::Protocol(text) => ClientError::Protocol(format!("{at}: {text}")),
                    ClientError::Input(text) => ClientError::Input(format!("{at}: {text}")),
                    other => other,
                }
            })?;
            done(&Applied { kind: upsert.kind(), id: upsert.id().to_owned(), outcome });
        }
        Ok(())
    }

    async fn apply_one(
        &self,
        upsert: &Upsert,
        options: ApplyOptions,
    ) -> Result<Outcome, ClientError> {
        let stored = self.find_stored(upsert.kind(), upsert.id()).await?;
        let outcome = plan(upsert, stored.as_ref(), options.force);
        if outcome == Outcome::Unchanged || options.dry_run {
            return Ok(outcome);
        }
        let (_, created) = self.upsert(upsert.kind(), upsert.id(), &upsert.body_json()).await?;
        Ok(if created { Outcome::Created } else { Outcome::Replaced })
    }

    /// The colony's endpoints, functions, microservices and services as a policy file (see
    /// [`PolicyFile::from_records`] for what the server does not tell).
    pub async fn export(&self) -> Result<PolicyFile, ClientError> {
        let endpoints: Vec<Endpoint> = self.records(Kind::Endpoint).await?;
        let functions: Vec<Function> = self.records(Kind::Function).await?;
        let microservices: Vec<Microservice> = self.records(Kind::Microservice).await?;
        let services: Vec<Service> = self.records(Kind::Service).await?;
        Ok(PolicyFile::from_records(&endpoints, &functions, &microservices, &services))
    }

    async fn records<T: serde::de::DeserializeOwned>(
        &self,
        kind: Kind,
    ) -> Result<Vec<T>, ClientError> {
        self.list_stored(kind)
            .await?
            .into_iter()
            .map(|record| {
                serde_json::from_value(record).map_err(|e| {
                    ClientError::Protocol(format!("a {} from the server does not parse: {e}", {
                        kind.noun()
                    }))
                })
            })
            .collect()
    }

    /// Sends one signed request and returns a success's status and JSON body.
    ///
    /// Each try is signed anew: one refused for its audience is sent again once after asking
    /// the server's ID again, one refused as stale once on the server's clock.
    async fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Answer, ClientError> {
        let key = self.key.as_deref().ok_or_else(|| {
            ClientError::Input("the mesh API needs a private key to sign with".into())
        })?;
        let bytes = body.map(Value::to_string).unwrap_or_default();
        let (mut audience_asked, mut clock_corrected) = (false, false);
        loop {
            let audience = self.server_id().await?;
            let binding = self.rpc.binding.binding(&audience)?;
            let parts = RequestParts { method, path, body: bytes.as_bytes() };
            let authorization = sign_request(key, &self.colony, parts, &binding);
            let failure = match self.send(method, path, &bytes, &authorization).await? {
                Ok(answer) => return Ok(answer),
                Err(failure) => failure,
            };
            let refused_auth = matches!(failure.status, 401 | 403);
            if refused_auth && failure.message.contains("wrong audience") && !audience_asked {
                audience_asked = true;
                self.rpc.refresh_audience(&audience).await?;
                continue;
            }
            if refused_auth
                && failure.message.contains("stale")
                && !clock_corrected
                && let Some(server_ms) = binding::server_time_hint(&failure.message)
            {
                clock_corrected = true;
                self.rpc.binding.correct_clock(server_ms);
                continue;
            }
            return Err(ClientError::Server(failure));
        }
    }

    /// One HTTP exchange: `Ok(Ok(answer))` on 2xx, `Ok(Err(failure))` for an error body.
    async fn send(
        &self,
        method: &str,
        path: &str,
        body: &str,
        authorization: &str,
    ) -> Result<Result<Answer, Failure>, ClientError> {
        let method_ = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| ClientError::Input(format!("{method:?} is not an HTTP method")))?;
        let timeout = self.rpc.timeout;
        let mut request = self
            .rpc
            .http
            .request(method_, format!("{}{path}", self.rpc.base))
            .header(reqwest::header::AUTHORIZATION, authorization)
            .header(reqwest::header::ACCEPT, "application/json")
            .timeout(timeout);
        if !body.is_empty() {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.to_owned());
        }
        let response = request.send().await.map_err(|e| transport_error(e, timeout))?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await.map_err(|e| transport_error(e, timeout))?;
        let json: Option<Value> =
            if bytes.is_empty() { Some(Value::Null) } else { serde_json::from_slice(&bytes).ok() };
        if (200..300).contains(&status) {
            let body = json.ok_or_else(|| {
                ClientError::Protocol(format!(
                    "{method} {path} answered {status} with a body that is not JSON: {:?}",
                    String::from_utf8_lossy(&bytes).chars().take(200).collect::<String>()
                ))
            })?;
            return Ok(Ok(Answer { status, body }));
        }
        match json.as_ref().and_then(detail_message) {
            Some(message) => Ok(Err(Failure::new(status, message))),
            None if status == 404 || status == 405 => Err(ClientError::Protocol(format!(
                "{method} {path} answered {status} without a mesh error body: does this server \
                 serve the mesh API (/api/v1)?"
            ))),
            None => Err(ClientError::Protocol(format!(
                "{method} {path} answered {status} with {:?}",
                String::from_utf8_lossy(&bytes).chars().take(200).collect::<String>()
            ))),
        }
    }
}

/// What applying `upsert` over `stored` (the server's record, if any) does: created when
/// there is none, unchanged when the server shows what it would write (unless `force`),
/// replaced otherwise.
pub fn plan(upsert: &Upsert, stored: Option<&Value>, force: bool) -> Outcome {
    match stored {
        None => Outcome::Created,
        Some(record) if !force && upsert.is_applied(record) => Outcome::Unchanged,
        Some(_) => Outcome::Replaced,
    }
}

/// The message of a mesh error body: `{"detail":{"message":…}}`, or FastAPI's validation
/// list `{"detail":[{"loc","msg","type"}…]}` as `loc: msg; …`, or a plain `{"detail":"…"}`.
pub fn detail_message(body: &Value) -> Option<String> {
    let detail = body.get("detail")?;
    match detail {
        Value::String(message) => Some(message.clone()),
        Value::Object(object) => object.get("message").and_then(Value::as_str).map(str::to_owned),
        Value::Array(_) => serde_json::from_value::<Invalid>(body.clone())
            .ok()
            .map(|invalid| format!("invalid body: {invalid}")),
        _ => None,
    }
}

fn no_server_id(base: &str) -> ClientError {
    ClientError::Protocol(format!(
        "the server at {base} tells no serverid (getserverinfomsg): the mesh API needs a \
         Colonies Edge server"
    ))
}

/// `/api/v1/<kind>/`.
fn collection(kind: Kind) -> String {
    format!("{API_PREFIX}/{}/", kind.path())
}

/// `/api/v1/<kind>/<id>`, the id percent-encoded.
fn item(kind: Kind, id: &str) -> Result<String, ClientError> {
    if id.is_empty() || id == "." || id == ".." {
        return Err(ClientError::Input(format!("{id:?} cannot be a {} id", kind.noun())));
    }
    Ok(format!("{API_PREFIX}/{}/{}", kind.path(), encode_segment(id)))
}

/// Percent-encodes everything but RFC 3986's unreserved characters, so the path the server
/// receives is the one signed.
fn encode_segment(segment: &str) -> String {
    use core::fmt::Write;
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// A value in at most 100 characters, for messages.
fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 100 {
        format!("{}…", text.chars().take(100).collect::<String>())
    } else {
        text
    }
}

/// How long a bearer token lives, from a duration like `30s`, `15m`, `1h` or `24h` (or a
/// number of seconds): more than 0 and at most 24 hours.
pub fn parse_ttl(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let scale = match unit.trim() {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(format!(
                "{text:?} is not a duration: a number and s, m, h or d, like 30s, 15m, 1h, 24h"
            ));
        }
    };
    let number: u64 = digits.parse().map_err(|_| {
        format!("{text:?} is not a duration: a number and s, m, h or d, like 30s, 15m, 1h, 24h")
    })?;
    let seconds = number.saturating_mul(scale);
    let max = colonies_core::mesh::auth::MAX_TOKEN_TTL_MS / 1000;
    if seconds == 0 {
        return Err("a token must live more than 0 seconds".into());
    }
    if seconds > u64::try_from(max).unwrap_or(u64::MAX) {
        return Err(format!(
            "a token lives at most 24h (the server refuses longer ones), not {text}; make a \
             new one when it expires"
        ));
    }
    Ok(Duration::from_secs(seconds))
}

/// This machine's clock, Unix milliseconds (what tokens are issued at).
pub fn now_ms() -> i64 {
    binding::now_ms()
}

#[cfg(test)]
mod tests;
