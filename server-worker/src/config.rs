//! What the handlers need to know about the server they run in.

use core::time::Duration;

/// Settings shared by both hosts; each host fills it from its own environment.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// `BUILD_VERSION`, reported by `versionmsg` and `getserverinfomsg`.
    pub build_version: String,
    /// `BUILD_TIME`, reported likewise.
    pub build_time: String,
    /// The host name clients are told in `getserverinfomsg`.
    pub host: String,
    /// The port clients are told in `getserverinfomsg`.
    pub port: u16,
    /// Whether clients reach the server over TLS (a proxy in front counts).
    pub tls: bool,
    /// `COLONIES_ALLOW_EXECUTOR_REREGISTER`: re-adding an executor name replaces the old one.
    pub allow_executor_reregister: bool,
    /// `COLONIES_STALE_EXECUTOR_DURATION`: silence after which an executor is removed.
    pub stale_executor_after: Duration,
    /// `COLONIES_CLEANUP_INTERVAL`: how often stale executors are looked for.
    pub cleanup_interval: Duration,
    /// `COLONIES_REPLAY_PROTECTION`: how bound requests (nonce, signedat, audience) are treated.
    pub replay_mode: colonies_core::rules::replay::Mode,
    /// `COLONIES_REPLAY_WINDOW`: how far `signedat` may lie from the database's clock, either way.
    pub replay_window: Duration,
    /// `COLONIES_MESH_WARM_FOR`: how recently an endpoint's executor must have been heard from
    /// for the endpoint to be `warm` (else `cold`).
    pub endpoint_warm_for: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            build_version: String::new(),
            build_time: String::new(),
            host: "0.0.0.0".into(),
            port: 50080,
            tls: false,
            allow_executor_reregister: false,
            stale_executor_after: Duration::from_secs(600),
            cleanup_interval: Duration::from_secs(60),
            replay_mode: colonies_core::rules::replay::Mode::Compat,
            replay_window: Duration::from_secs(60),
            endpoint_warm_for: Duration::from_secs(60),
        }
    }
}
