//! The Worker's settings: `[vars]` and secrets of `wrangler.toml`, and the database binding.
//!
//! | name | what | default |
//! |---|---|---|
//! | `HYPERDRIVE` (binding) | the database, through Hyperdrive | — |
//! | `DATABASE_URL` (secret) | a direct `postgres://` URL, used when there is no binding | — |
//! | `COLONIES_SERVER_ID` (secret or var) | server owner ID stored on an empty database | — |
//! | `COLONIES_AUTO_MIGRATE` | apply pending migrations at an isolate's first request | `true` |
//! | `COLONIES_DEADLINE_SWEEP_MS` | sweep deadlines after a request at most this often per isolate (`0`: Cron Trigger only) | `1000` |
//! | `COLONIES_BODY_LIMIT` | largest `POST /api` body, bytes | 32 MiB |
//! | `COLONIES_ALLOW_EXECUTOR_REREGISTER` | as natively | `false` |
//! | `COLONIES_STALE_EXECUTOR_DURATION` | seconds of silence before an executor is removed | `600` |
//! | `COLONIES_REPLAY_PROTECTION` | `off`, `compat` or `strict` (see `colonies_core::rules::replay`; any other value: `strict`) | `compat` |
//! | `COLONIES_REPLAY_WINDOW` | seconds `signedat` may lie from the database's clock (1–86400) | `60` |
//! | `BUILD_VERSION`, `BUILD_TIME` | reported by `versionmsg` / `getserverinfomsg` | crate version, `""` |

use super::database::{Database, database_from_parts, database_from_url};
use crate::config::ServerConfig;
use core::time::Duration;
use worker::{Env, Url};

/// The name of the Hyperdrive binding.
pub const HYPERDRIVE_BINDING: &str = "HYPERDRIVE";

/// Everything the Worker reads from its environment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// What the handlers see.
    pub server: ServerConfig,
    /// `COLONIES_SERVER_ID`: stored as the server owner when none is stored yet.
    pub server_id: Option<String>,
    /// Whether migrations run at an isolate's first request.
    pub auto_migrate: bool,
    /// How often a request may trigger a deadline sweep in this isolate (`None`: never).
    pub sweep_every: Option<Duration>,
    /// Largest accepted `POST /api` body, in bytes.
    pub body_limit: usize,
}

/// A variable or secret as text, if set and not empty.
fn text(env: &Env, name: &str) -> Option<String> {
    let value = env
        .secret(name)
        .map(|v| v.to_string())
        .or_else(|_| env.var(name).map(|v| v.to_string()))
        .ok()?;
    let value = value.trim().to_owned();
    (!value.is_empty()).then_some(value)
}

fn number(env: &Env, name: &str) -> Option<u64> {
    text(env, name).and_then(|v| v.parse().ok())
}

fn flag(env: &Env, name: &str, default: bool) -> bool {
    text(env, name).map_or(default, |v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1"))
}

impl Settings {
    /// Reads the settings; `url` (the request's) tells clients where this server is.
    pub fn from_env(env: &Env, url: Option<&Url>) -> Self {
        let defaults = ServerConfig::default();
        let tls = url.is_some_and(|u| u.scheme() == "https");
        let server = ServerConfig {
            build_version: text(env, "BUILD_VERSION")
                .unwrap_or_else(|| env!("CARGO_PKG_VERSION").to_owned()),
            build_time: text(env, "BUILD_TIME").unwrap_or_default(),
            host: url.and_then(|u| u.host_str().map(str::to_owned)).unwrap_or(defaults.host),
            port: url.and_then(Url::port_or_known_default).unwrap_or(if tls {
                443
            } else {
                defaults.port
            }),
            tls,
            allow_executor_reregister: flag(env, "COLONIES_ALLOW_EXECUTOR_REREGISTER", false),
            stale_executor_after: number(env, "COLONIES_STALE_EXECUTOR_DURATION")
                .map_or(defaults.stale_executor_after, Duration::from_secs),
            cleanup_interval: defaults.cleanup_interval,
            // A value that names no mode fails closed (strict), never open.
            replay_mode: text(env, "COLONIES_REPLAY_PROTECTION")
                .map_or(defaults.replay_mode, |v| {
                    v.parse().unwrap_or(colonies_core::rules::replay::Mode::Strict)
                }),
            replay_window: number(env, "COLONIES_REPLAY_WINDOW")
                .filter(|s| (1..=86_400).contains(s))
                .map_or(defaults.replay_window, Duration::from_secs),
            endpoint_warm_for: number(env, "COLONIES_MESH_WARM_FOR")
                .filter(|s| (1..=86_400).contains(s))
                .map_or(defaults.endpoint_warm_for, Duration::from_secs),
        };
        let sweep_ms = number(env, "COLONIES_DEADLINE_SWEEP_MS").unwrap_or(1000);
        Self {
            server,
            server_id: text(env, "COLONIES_SERVER_ID"),
            auto_migrate: flag(env, "COLONIES_AUTO_MIGRATE", true),
            sweep_every: (sweep_ms > 0).then(|| Duration::from_millis(sweep_ms)),
            body_limit: number(env, "COLONIES_BODY_LIMIT")
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(32 * 1024 * 1024),
        }
    }
}

/// The database: the Hyperdrive binding if there is one, else `DATABASE_URL`.
pub fn database(env: &Env) -> Result<Database, String> {
    if let Ok(hd) = env.hyperdrive(HYPERDRIVE_BINDING) {
        return Ok(database_from_parts(
            &hd.host(),
            hd.port(),
            &hd.user(),
            &hd.password(),
            &hd.database(),
        ));
    }
    match text(env, "DATABASE_URL") {
        Some(url) => database_from_url(&url).map_err(|e| format!("DATABASE_URL: {e}")),
        None => Err(format!(
            "no database configured: bind Hyperdrive as `{HYPERDRIVE_BINDING}` in wrangler.toml \
             (localConnectionString for wrangler dev) or set the DATABASE_URL secret"
        )),
    }
}
