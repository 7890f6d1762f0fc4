//! The native Rust client of Colonies (protocol v1.9.12): HTTP, `/pubsub` and an executor
//! loop, with no server dependencies (the `colonies-edge` command of `colonies-cli` is built
//! on it).
//!
//! [`Client`] sends every RPC of the protocol as a typed async method named after it
//! (`add_colony`, `submit_function_spec`, `assign`, `close_successful`, …, generated in
//! `methods.rs`; the npm package `colonies-edge` has the same names in camelCase), or any
//! message with [`Client::send`]. [`Executor`] is an executor loop ([`executor`]): assign with
//! long polling, run a handler, close. In an end-to-end encrypted colony ([`e2e`]) the
//! client seals what the server must not read and opens it in replies, so both see
//! plaintext; [`Client::call_raw`] sends a payloadtype this crate has no type for.
//! [`Client::subscribe_process`] and
//! [`Client::subscribe_processes`] follow processes over the `/pubsub` WebSocket as a
//! [`Stream`](futures_util::Stream) ([`subscription`]). [`ColoniesEnv`] reads the Colonies
//! environment variables.
//!
//! Signed requests are bound against replay by default (docs/protocol.md "Replay
//! protection"): each carries a fresh `nonce`, its `signedat` time and the server's ID as
//! `audience`, learned once per client from `getserverinfomsg`. [`Client::without_binding`]
//! sends them as Colonies clients always have.
//!
//! ```no_run
//! use colonies_client::{Client, PrivateKey};
//! use colonies_client::core::model::{Conditions, FunctionSpec};
//! # async fn run() -> Result<(), colonies_client::ClientError> {
//! let key: PrivateKey = "6d2fb6f546bacfd98c68769e61e0b44a697a30596c018a50e28200aa59b01c0a".parse().unwrap();
//! let client = Client::new("http://localhost:50080", key)?;
//! let spec = FunctionSpec {
//!     funcname: "echo".into(),
//!     maxexectime: 60,
//!     conditions: Conditions { colonyname: "dev".into(), executortype: "cli".into(), ..Default::default() },
//!     ..Default::default()
//! };
//! let process = client.submit_function_spec(spec).await?;
//! println!("{}", process.processid);
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

extern crate alloc;

mod binding;
pub mod e2e;
mod env;
mod error;
pub mod executor;
pub mod mesh;
mod methods;
pub mod subscription;

/// The protocol types this client speaks (models, messages, keys), re-exported.
pub use colonies_core as core;
pub use colonies_core::{Id, PrivateKey};
pub use e2e::{ColonyKeys, ColonyMemberKeys, E2eWarning, KeysChange, MemberKeys};
pub use env::ColoniesEnv;
pub use error::ClientError;
pub use executor::{Executor, ExecutorEvent, ExecutorOptions, Handler, HandlerResult, Job};
pub use mesh::MeshClient;
pub use subscription::ProcessStream;

use ::core::time::Duration;
use alloc::sync::Arc;
use binding::{Audience, BindingState};
use colonies_core::{
    RpcMsg, RpcReplyMsg,
    message::{self, GetServerInfoMsg, Message, Transport},
    model::ServerInfo,
    rules::replay::Binding,
};
use std::sync::Once;

/// How long a call may take unless said otherwise (long-poll calls add their own wait).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Extra time a long poll is given beyond its own timeout, for the server's reply to arrive.
const LONG_POLL_GRACE: Duration = Duration::from_secs(10);

/// A Colonies client: signs requests with one key and sends them to one server.
///
/// Cheap to clone (the connection pool is shared); [`Client::with_key`] gives a client
/// with the same connections and another key. Clones share what the client learned about
/// the server for replay binding (its ID and clock).
///
/// Replay binding (on by default): every signed request carries a fresh `nonce`, `signedat`
/// and `audience` in its payload, so a captured copy is refused by a server that checks them.
/// The audience is the `serverid` of `getserverinfomsg`, asked once; a server that tells
/// none (a Go server) gets unbound requests. A request refused for its audience makes the
/// client ask again once and re-send it; one refused as stale is re-sent once on the
/// server's clock, whose offset is kept for later requests.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Arc<str>,
    key: Option<Arc<PrivateKey>>,
    timeout: Duration,
    bind: bool,
    binding: Arc<BindingState>,
    /// Whether values of end-to-end encrypted colonies are sealed and opened (default on).
    e2e: bool,
    /// The colonies' keys as this key holds them, and what they were learned from.
    e2e_state: Arc<e2e::E2eState>,
}

impl ::core::fmt::Debug for Client {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .field("id", &self.id())
            .field("timeout", &self.timeout)
            .field("replay_binding", &self.bind)
            .field("e2e", &self.e2e)
            .finish_non_exhaustive()
    }
}

/// rustls needs a process-wide crypto provider; this crate builds rustls with ring only.
fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Err means another part of the program installed one first, which is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

impl Client {
    /// A client of the server at `base_url` (`http://host:port` or `https://…`; a trailing
    /// `/api` is accepted) signing with `private_key`.
    pub fn new(base_url: &str, private_key: PrivateKey) -> Result<Self, ClientError> {
        let mut client = Self::anonymous(base_url)?;
        client.key = Some(Arc::new(private_key));
        Ok(client)
    }

    /// A client without a key: only `versionmsg`, `getserverinfomsg` and `/health` work.
    pub fn anonymous(base_url: &str) -> Result<Self, ClientError> {
        install_crypto_provider();
        let trimmed = base_url.trim_end_matches('/');
        let base = trimmed.strip_suffix("/api").unwrap_or(trimmed);
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(ClientError::Input(format!(
                "server URL {base_url:?} must start with http:// or https://"
            )));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .build()
            .map_err(|e| ClientError::Input(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            http,
            base: base.into(),
            key: None,
            timeout: DEFAULT_TIMEOUT,
            bind: true,
            binding: Arc::default(),
            e2e: true,
            e2e_state: Arc::default(),
        })
    }

    /// The same server and connections, signing with `private_key` (the colonies' keys it
    /// holds are its own: they are learned anew).
    pub fn with_key(&self, private_key: PrivateKey) -> Self {
        Self { key: Some(Arc::new(private_key)), e2e_state: Arc::default(), ..self.clone() }
    }

    /// The same client with end-to-end encryption on (the default: values of encrypted
    /// colonies are sealed on the way out and opened on the way back) or off (values are
    /// sent and returned as they are, sealed or not).
    pub fn with_e2e(mut self, on: bool) -> Self {
        self.e2e = on;
        self
    }

    /// The same client with another per-call timeout (default [`DEFAULT_TIMEOUT`]).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The same client sending requests without replay binding, as Colonies clients always
    /// have (for servers where the binding fields are not wanted).
    pub fn without_binding(self) -> Self {
        self.with_binding(false)
    }

    /// The same client with replay binding on (the default) or off.
    pub fn with_binding(mut self, on: bool) -> Self {
        self.bind = on;
        self
    }

    /// Whether signed requests are bound against replay (the server may still get them
    /// unbound if it tells no `serverid`).
    pub fn binds_requests(&self) -> bool {
        self.bind
    }

    /// The server ID requests are bound to, asked from the server on first use: `None` if
    /// the server tells none (a Go server) or binding is off.
    pub async fn audience(&self) -> Result<Option<String>, ClientError> {
        if !self.bind {
            return Ok(None);
        }
        Ok(match self.learn_audience().await? {
            Audience::Server(id) => Some(id),
            Audience::None => None,
        })
    }

    /// What is added to this machine's clock when signing, in milliseconds: zero until a
    /// request refused as stale told the server's time.
    pub fn clock_offset_ms(&self) -> i64 {
        self.binding.offset_ms()
    }

    /// The server's base URL, without `/api`.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The URL of the `/pubsub` WebSocket (`ws://` or `wss://`).
    pub fn pubsub_url(&self) -> String {
        match self.base.strip_prefix("https://") {
            Some(rest) => format!("wss://{rest}/pubsub"),
            None => format!("ws://{}/pubsub", self.base.trim_start_matches("http://")),
        }
    }

    /// The identity requests are signed as, if the client has a key.
    pub fn id(&self) -> Option<Id> {
        self.key.as_deref().map(PrivateKey::id)
    }

    /// Sends any message and returns its typed reply.
    pub async fn send<M: Message>(&self, message: &M) -> Result<M::Reply, ClientError> {
        self.send_with_timeout(message, self.timeout).await
    }

    /// Sends any message, waiting at most `timeout` for the reply.
    ///
    /// Each try is signed anew (a fresh nonce): a request refused for its audience is
    /// re-sent once after asking the server's ID again, one refused as stale once on the
    /// server's clock. A refused request changed nothing, so re-sending it is safe.
    pub async fn send_with_timeout<M: Message>(
        &self,
        message: &M,
        timeout: Duration,
    ) -> Result<M::Reply, ClientError> {
        let json = message::to_payload_json(message);
        if !self.e2e {
            let reply =
                self.send_json(M::PAYLOAD_TYPE, M::KIND.transport(), &json, timeout).await?;
            return parse_typed_reply::<M>(&reply);
        }
        let sealed = self.seal_request(M::KIND, &json).await?;
        let sent = sealed.as_deref().unwrap_or(&json);
        let reply = self.send_json(M::PAYLOAD_TYPE, M::KIND.transport(), sent, timeout).await?;
        let reply = self.open_reply(M::KIND, &json, reply).await;
        parse_typed_reply::<M>(&reply)
    }

    /// Sends a signed message of any payloadtype, given as its payload's JSON object, and
    /// returns the reply's JSON: for payloadtypes this crate has no type for (extensions such
    /// as `getcolonykeysmsg`). `msgtype` is set to `payloadtype`; nothing is sealed or opened.
    pub async fn call_raw(
        &self,
        payloadtype: &str,
        payload: serde_json::Value,
    ) -> Result<serde_json::Value, ClientError> {
        let serde_json::Value::Object(mut fields) = payload else {
            return Err(ClientError::Input(format!(
                "the payload of {payloadtype} must be a JSON object"
            )));
        };
        fields.insert("msgtype".into(), payloadtype.into());
        let json = serde_json::Value::Object(fields).to_string();
        let reply = self.send_json(payloadtype, Transport::Api, &json, self.timeout).await?;
        serde_json::from_slice(&reply)
            .map_err(|e| ClientError::Protocol(format!("the {payloadtype} reply is not JSON: {e}")))
    }

    /// Sends the payload `json` of `payloadtype`, signing each try anew (see
    /// [`Client::send_with_timeout`]), and returns the reply's JSON.
    async fn send_json(
        &self,
        payloadtype: &str,
        transport: Transport,
        json: &str,
        timeout: Duration,
    ) -> Result<Vec<u8>, ClientError> {
        let (mut audience_asked, mut clock_corrected) = (false, false);
        loop {
            let (envelope, audience) = self.sign(payloadtype, transport, json).await?;
            let refusal = match self.post(envelope.to_json(), timeout).await {
                Err(ClientError::Server(failure))
                    if audience.is_some() && failure.status == 403 =>
                {
                    failure
                }
                other => return other,
            };
            if refusal.message.starts_with(binding::WRONG_AUDIENCE) && !audience_asked {
                audience_asked = true;
                self.refresh_audience(audience.as_deref().unwrap_or_default()).await?;
                continue;
            }
            if refusal.message.starts_with(binding::STALE)
                && !clock_corrected
                && let Some(server_ms) = binding::server_time_hint(&refusal.message)
            {
                clock_corrected = true;
                self.binding.correct_clock(server_ms);
                continue;
            }
            return Err(ClientError::Server(refusal));
        }
    }

    /// The envelope of `message` as [`Client::send`] would send it now: signed and bound with
    /// a fresh binding (asking the server's ID on first use) unless binding is off or the
    /// server tells no ID; unsigned for `versionmsg` and `getserverinfomsg`.
    pub async fn envelope<M: Message>(&self, message: &M) -> Result<RpcMsg, ClientError> {
        self.sign(M::PAYLOAD_TYPE, M::KIND.transport(), &message::to_payload_json(message))
            .await
            .map(|(envelope, _)| envelope)
    }

    /// The envelope of `message` without replay binding, as Colonies clients sign it.
    pub fn unbound_envelope<M: Message>(&self, message: &M) -> Result<RpcMsg, ClientError> {
        self.sign_with(
            M::PAYLOAD_TYPE,
            M::KIND.transport(),
            &message::to_payload_json(message),
            None,
        )
    }

    /// The envelope of `message` bound to `binding` (its nonce, time and audience as given).
    pub fn bound_envelope<M: Message>(
        &self,
        message: &M,
        binding: &Binding,
    ) -> Result<RpcMsg, ClientError> {
        let json = message::to_payload_json(message);
        self.sign_with(M::PAYLOAD_TYPE, M::KIND.transport(), &json, Some(binding))
    }

    /// The envelope of `json` for `payloadtype`, and the audience it is bound to (`None`:
    /// unbound).
    async fn sign(
        &self,
        payloadtype: &str,
        transport: Transport,
        json: &str,
    ) -> Result<(RpcMsg, Option<String>), ClientError> {
        if !self.bind || matches!(transport, Transport::Unsigned) || self.key.is_none() {
            return Ok((self.sign_with(payloadtype, transport, json, None)?, None));
        }
        match self.learn_audience().await? {
            Audience::Server(audience) => {
                let binding = self.binding.binding(&audience)?;
                Ok((self.sign_with(payloadtype, transport, json, Some(&binding))?, Some(audience)))
            }
            Audience::None => Ok((self.sign_with(payloadtype, transport, json, None)?, None)),
        }
    }

    fn sign_with(
        &self,
        payloadtype: &str,
        transport: Transport,
        json: &str,
        binding: Option<&Binding>,
    ) -> Result<RpcMsg, ClientError> {
        match (transport, self.key.as_deref(), binding) {
            (Transport::Unsigned, _, _) => Ok(RpcMsg::unsigned(payloadtype, json)),
            (_, Some(key), Some(binding)) => {
                Ok(RpcMsg::sign_bound(payloadtype, json, key, binding))
            }
            (_, Some(key), None) => Ok(RpcMsg::sign(payloadtype, json, key)),
            (_, None, _) => Err(ClientError::Input(format!(
                "{payloadtype} must be signed, and this client has no private key"
            ))),
        }
    }

    /// The audience, asked from the server if not known yet (one ask for all clones).
    async fn learn_audience(&self) -> Result<Audience, ClientError> {
        if let Some(known) = self.binding.audience() {
            return Ok(known);
        }
        let _one_at_a_time = self.binding.learning.lock().await;
        if let Some(known) = self.binding.audience() {
            return Ok(known);
        }
        let audience = self.fetch_audience().await?;
        self.binding.learned(audience.clone());
        Ok(audience)
    }

    /// Asks the server's ID again after a request bound to `used` was refused for its
    /// audience; requests refused together ask once.
    async fn refresh_audience(&self, used: &str) -> Result<Audience, ClientError> {
        let _one_at_a_time = self.binding.learning.lock().await;
        match self.binding.audience() {
            Some(Audience::Server(id)) if id == used => {}
            // Another request asked while this one waited.
            Some(known) => return Ok(known),
            None => {}
        }
        let audience = self.fetch_audience().await?;
        self.binding.learned(audience.clone());
        Ok(audience)
    }

    /// `getserverinfomsg`'s `serverid`. A server that refuses the message (4xx) does not
    /// check bindings either: its requests go unbound. A 5xx or no answer is not kept.
    async fn fetch_audience(&self) -> Result<Audience, ClientError> {
        let envelope = RpcMsg::unsigned(
            GetServerInfoMsg::PAYLOAD_TYPE,
            &message::to_payload_json(&GetServerInfoMsg::default()),
        );
        let json = match self.post(envelope.to_json(), self.timeout).await {
            Ok(json) => json,
            Err(ClientError::Server(failure)) if failure.status < 500 => {
                return Ok(Audience::None);
            }
            Err(other) => return Err(other),
        };
        let info: ServerInfo = message::parse_reply::<GetServerInfoMsg>(&json).map_err(|e| {
            ClientError::Protocol(format!("the getserverinfomsg reply does not parse: {e}"))
        })?;
        Ok(if info.serverid.is_empty() { Audience::None } else { Audience::Server(info.serverid) })
    }

    /// GET `/health`: whether the server is up.
    pub async fn health(&self) -> Result<(), ClientError> {
        let response = self
            .http
            .get(format!("{}/health", self.base))
            .timeout(self.timeout)
            .send()
            .await
            .map_err(|e| transport_error(e, self.timeout))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(ClientError::Protocol(format!("GET /health answered {}", response.status())))
        }
    }

    /// POSTs an envelope to `/api` and returns the reply JSON of a success.
    async fn post(&self, body: String, timeout: Duration) -> Result<Vec<u8>, ClientError> {
        // No Content-Type, like pycolonies: the server must not depend on one.
        let response = self
            .http
            .post(format!("{}/api", self.base))
            .body(body)
            .timeout(timeout)
            .send()
            .await
            .map_err(|e| transport_error(e, timeout))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| transport_error(e, timeout))?;
        // Clients decide on the envelope's `error` flag, not on the HTTP status (protocol §2.4).
        let reply = RpcReplyMsg::parse(&bytes).map_err(|_| {
            let text = String::from_utf8_lossy(&bytes);
            let text: String = text.chars().take(200).collect();
            ClientError::Protocol(format!("HTTP {status} with body {text:?}"))
        })?;
        reply.into_result().map_err(ClientError::Server)
    }

    /// How long a long poll of `seconds` may take before the client gives up.
    fn long_poll_timeout(&self, seconds: i64) -> Duration {
        let wait = Duration::from_secs(u64::try_from(seconds).unwrap_or(0));
        (wait + LONG_POLL_GRACE).max(self.timeout)
    }
}

/// Reads a reply's JSON as `M`'s reply type.
fn parse_typed_reply<M: Message>(reply: &[u8]) -> Result<M::Reply, ClientError> {
    message::parse_reply::<M>(reply).map_err(|e| {
        ClientError::Protocol(format!("the {} reply does not parse: {e}", M::PAYLOAD_TYPE))
    })
}

fn transport_error(error: reqwest::Error, timeout: Duration) -> ClientError {
    if error.is_timeout() {
        ClientError::Timeout(timeout)
    } else {
        // The source chain says why ("connection refused", "dns error"), the top line only
        // "error sending request".
        let mut text = error.to_string();
        let mut source = ::core::error::Error::source(&error);
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        ClientError::Connection(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use colonies_core::{Failure, message::GetColoniesMsg};

    fn key() -> PrivateKey {
        PrivateKey::generate().unwrap()
    }

    #[test]
    fn urls() {
        let client = Client::new("https://colonies.example.org:443/api/", key()).unwrap();
        assert_eq!(client.base_url(), "https://colonies.example.org:443");
        assert_eq!(client.pubsub_url(), "wss://colonies.example.org:443/pubsub");
        let client = Client::anonymous("http://127.0.0.1:50080").unwrap();
        assert_eq!(client.pubsub_url(), "ws://127.0.0.1:50080/pubsub");
        assert!(matches!(Client::anonymous("localhost:50080"), Err(ClientError::Input(_))));
    }

    #[tokio::test]
    async fn envelopes_are_signed_by_the_key_and_unsigned_only_where_colonies_allows() {
        let key = key();
        let id = key.id();
        // Binding off: no server needed.
        let client = Client::new("http://localhost:1", key).unwrap().without_binding();
        let envelope = client.envelope(&GetColoniesMsg {}).await.unwrap();
        assert_eq!(envelope.payloadtype, "getcoloniesmsg");
        assert_eq!(envelope.recover_caller().unwrap(), id);
        let payload: serde_json::Value =
            serde_json::from_slice(&envelope.payload_json().unwrap()).unwrap();
        assert!(payload.get("nonce").is_none(), "unbound: {payload}");
        assert_eq!(client.unbound_envelope(&GetColoniesMsg {}).unwrap(), envelope);
        let binding = Binding::with_nonce([1; 16], 5, "aa");
        let bound = client.bound_envelope(&GetColoniesMsg {}, &binding).unwrap();
        assert_eq!(bound.recover_caller().unwrap(), id);
        assert_eq!(
            colonies_core::rules::replay::read_binding(&bound.payload_json().unwrap()),
            Ok(Some(binding))
        );
        let anonymous = Client::anonymous("http://localhost:1").unwrap();
        assert!(matches!(anonymous.envelope(&GetColoniesMsg {}).await, Err(ClientError::Input(_))));
        // The unsigned messages never need the server's ID.
        let version =
            anonymous.envelope(&colonies_core::message::VersionMsg::default()).await.unwrap();
        assert!(version.signature.is_empty());
    }

    #[test]
    fn retryable_errors() {
        let server = |status| ClientError::Server(Failure::new(status, "x"));
        assert!(server(500).is_retryable() && server(408).is_retryable());
        assert!(!server(403).is_retryable() && !server(404).is_retryable());
        assert!(server(404).is_not_found());
        assert!(ClientError::Connection("refused".into()).is_retryable());
        assert_eq!(server(400).status(), Some(400));
    }

    #[tokio::test]
    async fn connection_refused_is_a_connection_error() {
        let client = Client::new("http://127.0.0.1:1", key()).unwrap();
        let error = client.get_colonies().await.unwrap_err();
        assert!(matches!(error, ClientError::Connection(_)), "{error:?}");
    }

    /// A fake Colonies server on a local port. `getserverinfomsg` answers the next of
    /// `told` (the last one repeated; `""`: no `serverid`, as a Go server). Any other request
    /// goes to `serve` with its payload; every payload is recorded.
    struct Fake {
        url: String,
        infos: Arc<::core::sync::atomic::AtomicUsize>,
        requests: Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
    }

    type Serve = dyn Fn(&serde_json::Value) -> Result<String, Failure> + Send + Sync;

    impl Fake {
        async fn start(told: &[&str], serve: Arc<Serve>) -> Self {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let url = format!("http://{}", listener.local_addr().unwrap());
            let told: Vec<String> = told.iter().map(|t| (*t).to_owned()).collect();
            let infos = Arc::new(::core::sync::atomic::AtomicUsize::new(0));
            let requests = Arc::new(std::sync::Mutex::new(Vec::new()));
            let (infos2, requests2) = (infos.clone(), requests.clone());
            tokio::spawn(async move {
                loop {
                    let Ok((mut socket, _)) = listener.accept().await else { return };
                    let mut buf = Vec::new();
                    let body = loop {
                        let mut chunk = [0u8; 4096];
                        let n = socket.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            break None;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                            continue;
                        };
                        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                        let length: usize = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse().ok())
                            .unwrap_or(0);
                        if buf.len() >= end + 4 + length {
                            break Some(buf[end + 4..end + 4 + length].to_vec());
                        }
                    };
                    let Some(body) = body else { continue };
                    let msg = RpcMsg::parse(&body).unwrap();
                    let payload: serde_json::Value =
                        serde_json::from_slice(&msg.payload_json().unwrap()).unwrap();
                    let result = if msg.payloadtype == "getserverinfomsg" {
                        let i = infos2.fetch_add(1, ::core::sync::atomic::Ordering::SeqCst);
                        let id = told.get(i).or(told.last()).cloned().unwrap_or_default();
                        Ok(serde_json::json!({ "serverid": id, "backends": [] }).to_string())
                    } else {
                        requests2.lock().unwrap().push(payload.clone());
                        serve(&payload)
                    };
                    let (status, reply) = match result {
                        Ok(json) => (200, RpcReplyMsg::success(&msg.payloadtype, &json)),
                        Err(failure) => (failure.status, RpcReplyMsg::failure(&failure)),
                    };
                    let reply = reply.to_json();
                    let answer = format!(
                        "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}",
                        reply.len()
                    );
                    let _ = socket.write_all(answer.as_bytes()).await;
                    let _ = socket.shutdown().await;
                }
            });
            Self { url, infos, requests }
        }

        fn infos(&self) -> usize {
            self.infos.load(::core::sync::atomic::Ordering::SeqCst)
        }

        fn requests(&self) -> Vec<serde_json::Value> {
            self.requests.lock().unwrap().clone()
        }
    }

    /// Serves requests bound to `id` (and unbound ones), refuses others for their audience.
    fn accepting(id: &'static str) -> Arc<Serve> {
        Arc::new(move |payload: &serde_json::Value| match payload.get("audience") {
            Some(audience) if audience != id => {
                Err(colonies_core::rules::replay::Refusal::WrongAudience.to_failure())
            }
            _ => Ok("[]".into()),
        })
    }

    #[tokio::test]
    async fn a_wrong_audience_refusal_asks_the_servers_id_once_and_resends_once() {
        let fake = Fake::start(&["old", "new"], accepting("new")).await;
        let client = Client::new(&fake.url, key()).unwrap();
        client.get_colonies().await.expect("served after one refresh");
        assert_eq!(fake.infos(), 2, "learned once, refreshed once");
        let sent = fake.requests();
        assert_eq!(sent.len(), 2, "the refused request and its re-send: {sent:?}");
        assert_eq!(
            (sent[0]["audience"].as_str(), sent[1]["audience"].as_str()),
            (Some("old"), Some("new"))
        );
        assert_ne!(sent[0]["nonce"], sent[1]["nonce"], "the re-send has a fresh nonce");
        // Clones share what was learned: no more asking.
        client.clone().get_colonies().await.unwrap();
        assert_eq!(fake.infos(), 2);
        assert_eq!(client.audience().await.unwrap().as_deref(), Some("new"));

        // A server that keeps refusing: one refresh, one re-send, then the refusal.
        let fake = Fake::start(&["old"], accepting("other")).await;
        let client = Client::new(&fake.url, key()).unwrap();
        let error = client.get_colonies().await.expect_err("still the wrong audience");
        assert!(error.is_replay_refusal(), "{error}");
        assert_eq!(error.status(), Some(403));
        assert_eq!((fake.infos(), fake.requests().len()), (2, 2));
    }

    #[tokio::test]
    async fn a_server_without_serverid_gets_unbound_requests_and_is_asked_once() {
        let fake = Fake::start(&[""], accepting("unused")).await;
        let client = Client::new(&fake.url, key()).unwrap();
        client.get_colonies().await.unwrap();
        client.with_key(key()).get_colonies().await.unwrap();
        assert_eq!(fake.infos(), 1, "the answer is kept");
        assert!(fake.requests().iter().all(|p| p.get("nonce").is_none()), "unbound");
        assert_eq!(client.audience().await.unwrap(), None);

        // Opted out: no asking, no fields.
        let fake = Fake::start(&["aa"], accepting("aa")).await;
        let client = Client::new(&fake.url, key()).unwrap().without_binding();
        client.get_colonies().await.unwrap();
        assert_eq!(fake.infos(), 0);
        assert!(fake.requests()[0].get("nonce").is_none());
    }

    #[tokio::test]
    async fn a_stale_refusal_is_resent_once_on_the_servers_clock() {
        use colonies_core::rules::replay::{Refusal, read_binding};
        // The server's clock runs an hour ahead; its window is a minute.
        let ahead = 3_600_000;
        let serve: Arc<Serve> = Arc::new(move |payload: &serde_json::Value| {
            let server_ms = binding::now_ms() + ahead;
            let binding = read_binding(payload.to_string().as_bytes()).unwrap().unwrap();
            if (binding.signedat - server_ms).abs() > 60_000 {
                return Err(Refusal::Stale { server_ms }.to_failure());
            }
            Ok("[]".into())
        });
        let fake = Fake::start(&["aa"], serve).await;
        let client = Client::new(&fake.url, key()).unwrap();
        client.get_colonies().await.expect("re-signed on the server's clock");
        assert_eq!(fake.requests().len(), 2);
        assert!((client.clock_offset_ms() - ahead).abs() < 5_000, "{}", client.clock_offset_ms());
        // The offset is kept: the next request is served at once.
        client.get_colonies().await.unwrap();
        assert_eq!(fake.requests().len(), 3);
    }
}
