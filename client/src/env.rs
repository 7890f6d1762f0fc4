//! The environment variables every Colonies tool reads, so an existing setup works unchanged.

use super::{Client, ClientError};
use colonies_core::PrivateKey;

/// The Colonies settings from the environment (`COLONIES_SERVER_HOST`, …).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ColoniesEnv {
    /// `COLONIES_SERVER_HOST` (default `localhost`).
    pub host: String,
    /// `COLONIES_SERVER_PORT` (default 50080).
    pub port: u16,
    /// `COLONIES_SERVER_TLS` is `true`: use https and wss.
    pub tls: bool,
    /// `COLONIES_PRVKEY`: the key of a user or executor (hex).
    pub prvkey: Option<String>,
    /// `COLONIES_COLONY_NAME`.
    pub colony_name: Option<String>,
    /// `COLONIES_COLONY_PRVKEY`: the colony owner's key (hex).
    pub colony_prvkey: Option<String>,
    /// `COLONIES_EXECUTOR_NAME`.
    pub executor_name: Option<String>,
    /// `COLONIES_EXECUTOR_TYPE`.
    pub executor_type: Option<String>,
    /// `COLONIES_SERVER_PRVKEY`: the server owner's key (hex).
    pub server_prvkey: Option<String>,
    /// `COLONIES_REPLAY_BINDING` is `false` (or `0`, `no`, `off`): sign requests without
    /// replay binding ([`Client::without_binding`]).
    pub no_replay_binding: bool,
}

/// The port Colonies servers listen on unless told otherwise.
pub const DEFAULT_PORT: u16 = 50080;

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Whether an environment value means "on", as the Go tools read it.
pub(crate) fn truthy(value: &str) -> bool {
    matches!(value.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes" | "on")
}

/// Whether an environment value means "off".
pub(crate) fn falsy(value: &str) -> bool {
    matches!(value.trim().to_ascii_lowercase().as_str(), "false" | "0" | "no" | "off")
}

impl ColoniesEnv {
    /// Reads the variables of this process.
    pub fn from_env() -> Self {
        Self {
            host: var("COLONIES_SERVER_HOST").unwrap_or_else(|| "localhost".into()),
            port: var("COLONIES_SERVER_PORT").and_then(|p| p.parse().ok()).unwrap_or(DEFAULT_PORT),
            tls: var("COLONIES_SERVER_TLS").is_some_and(|v| truthy(&v)),
            prvkey: var("COLONIES_PRVKEY"),
            colony_name: var("COLONIES_COLONY_NAME"),
            colony_prvkey: var("COLONIES_COLONY_PRVKEY"),
            executor_name: var("COLONIES_EXECUTOR_NAME"),
            executor_type: var("COLONIES_EXECUTOR_TYPE"),
            server_prvkey: var("COLONIES_SERVER_PRVKEY"),
            no_replay_binding: var("COLONIES_REPLAY_BINDING").is_some_and(|v| falsy(&v)),
        }
    }

    /// `http(s)://host:port`.
    pub fn server_url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}:{}", self.host, self.port)
    }

    /// A client signing with `COLONIES_PRVKEY` (binding requests against replay unless
    /// `COLONIES_REPLAY_BINDING` is false).
    pub fn client(&self) -> Result<Client, ClientError> {
        let hex = self
            .prvkey
            .as_deref()
            .ok_or_else(|| ClientError::Input("COLONIES_PRVKEY is not set".into()))?;
        let key: PrivateKey = hex.parse().map_err(|e| {
            ClientError::Input(format!("COLONIES_PRVKEY is not a private key: {e}"))
        })?;
        Ok(Client::new(&self.server_url(), key)?.with_binding(!self.no_replay_binding))
    }
}
