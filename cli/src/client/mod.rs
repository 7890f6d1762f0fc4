//! The typed async client: one method per RPC (generated in `methods.rs`), the executor loop
//! ([`executor`]), `/pubsub` subscriptions ([`subscription`]) and the Colonies environment
//! variables ([`ColoniesEnv`]).

mod env;
mod error;
pub mod executor;
mod methods;
pub mod subscription;

pub use env::ColoniesEnv;
pub use error::ClientError;
pub use executor::{Executor, ExecutorEvent, ExecutorOptions, Handler, HandlerResult, Job};
pub use subscription::ProcessStream;

use alloc::sync::Arc;
use colonies_core::{
    Id, PrivateKey, RpcMsg, RpcReplyMsg,
    message::{self, Message, Transport},
};
use core::time::Duration;
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
/// with the same connections and another key.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Arc<str>,
    key: Option<Arc<PrivateKey>>,
    timeout: Duration,
}

impl core::fmt::Debug for Client {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .field("id", &self.id())
            .field("timeout", &self.timeout)
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
        Ok(Self { http, base: base.into(), key: None, timeout: DEFAULT_TIMEOUT })
    }

    /// The same server and connections, signing with `private_key`.
    pub fn with_key(&self, private_key: PrivateKey) -> Self {
        Self { key: Some(Arc::new(private_key)), ..self.clone() }
    }

    /// The same client with another per-call timeout (default [`DEFAULT_TIMEOUT`]).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
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
    pub async fn send_with_timeout<M: Message>(
        &self,
        message: &M,
        timeout: Duration,
    ) -> Result<M::Reply, ClientError> {
        let envelope = self.envelope(message)?;
        let json = self.post(envelope.to_json(), timeout).await?;
        message::parse_reply::<M>(&json).map_err(|e| {
            ClientError::Protocol(format!("the {} reply does not parse: {e}", M::PAYLOAD_TYPE))
        })
    }

    /// The signed (or, for the two unsigned payloadtypes, unsigned) envelope of `message`.
    pub fn envelope<M: Message>(&self, message: &M) -> Result<RpcMsg, ClientError> {
        let json = message::to_payload_json(message);
        match (M::KIND.transport(), self.key.as_deref()) {
            (Transport::Unsigned, _) => Ok(RpcMsg::unsigned(M::PAYLOAD_TYPE, &json)),
            (_, Some(key)) => Ok(RpcMsg::sign(M::PAYLOAD_TYPE, &json, key)),
            (_, None) => Err(ClientError::Input(format!(
                "{} must be signed, and this client has no private key",
                M::PAYLOAD_TYPE
            ))),
        }
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

fn transport_error(error: reqwest::Error, timeout: Duration) -> ClientError {
    if error.is_timeout() {
        ClientError::Timeout(timeout)
    } else {
        // The source chain says why ("connection refused", "dns error"), the top line only
        // "error sending request".
        let mut text = error.to_string();
        let mut source = core::error::Error::source(&error);
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

    #[test]
    fn envelopes_are_signed_by_the_key_and_unsigned_only_where_colonies_allows() {
        let key = key();
        let id = key.id();
        let client = Client::new("http://localhost:1", key).unwrap();
        let envelope = client.envelope(&GetColoniesMsg {}).unwrap();
        assert_eq!(envelope.payloadtype, "getcoloniesmsg");
        assert_eq!(envelope.recover_caller().unwrap(), id);
        let anonymous = Client::anonymous("http://localhost:1").unwrap();
        assert!(matches!(anonymous.envelope(&GetColoniesMsg {}), Err(ClientError::Input(_))));
        let version = anonymous.envelope(&colonies_core::message::VersionMsg::default()).unwrap();
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
}
