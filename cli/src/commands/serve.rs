//! `colonies-edge serve`: the native server (a thin command over `colonies_worker::native`).

use clap::{ArgAction, Args, builder::BoolishValueParser};
use colonies_worker::{
    ServerConfig,
    native::{self, Database, HttpTimeouts, NativeConfig, timeouts},
};
use core::{net::SocketAddr, time::Duration};
use std::path::PathBuf;

/// Flags of `serve`; each can also come from the environment variable Colonies uses for it.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on.
    #[arg(long, env = "COLONIES_SERVER_PORT", default_value_t = 50080)]
    port: u16,
    /// Address to listen on (also reported by getserverinfomsg).
    #[arg(long, env = "COLONIES_SERVER_HOST", default_value = "0.0.0.0")]
    host: String,
    /// The server owner's ID (64 hex); replaces the stored one. Without it, the stored one is
    /// used, or one is generated on the first start.
    #[arg(long, env = "COLONIES_SERVER_ID")]
    server_id: Option<String>,
    /// Use this PostgreSQL database (postgres://user:password@host:port/db) instead of a private one.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// Use the PostgreSQL server on this host (with the other --db-* flags) instead of a private one.
    #[arg(long, env = "COLONIES_DB_HOST")]
    db_host: Option<String>,
    /// Port of --db-host.
    #[arg(long, env = "COLONIES_DB_PORT", default_value_t = 5432)]
    db_port: u16,
    /// User on --db-host.
    #[arg(long, env = "COLONIES_DB_USER", default_value = "postgres")]
    db_user: String,
    /// Password on --db-host.
    #[arg(long, env = "COLONIES_DB_PASSWORD", hide_env_values = true)]
    db_password: Option<String>,
    /// Database name on --db-host.
    #[arg(long, env = "COLONIES_DB_NAME", default_value = "postgres")]
    db_name: String,
    /// Most database connections held at once.
    #[arg(long, env = "COLONIES_DB_MAX_OPEN_CONNS", default_value_t = 64)]
    db_max_conns: usize,
    /// Data directory: the private PostgreSQL cluster and the generated owner key
    /// [default: /var/lib/colonies-edge as root, else $XDG_DATA_HOME/colonies-edge]
    #[arg(long, env = "COLONIES_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// PostgreSQL bin directory for the private cluster [default: searched]
    #[arg(long, env = "COLONIES_PG_BIN")]
    pg_bin: Option<PathBuf>,
    /// Largest accepted request body in bytes (beyond: HTTP 413).
    #[arg(long, env = "COLONIES_BODY_LIMIT", default_value_t = native::DEFAULT_BODY_LIMIT)]
    body_limit: usize,
    /// Seconds a client may take to send a request's headers, counted from the connection's
    /// accept or from the first byte after an idle period; a client slower than that is
    /// disconnected. 0: no limit.
    #[arg(long, env = "COLONIES_SERVER_HEADER_TIMEOUT", value_name = "SECONDS",
          default_value_t = timeouts::DEFAULT_HEADER_TIMEOUT.as_secs())]
    header_timeout: u64,
    /// Seconds a client may take to send a POST /api body once its headers are in (beyond:
    /// HTTP 408 and the connection is closed); raise it for large channel messages over slow
    /// links. 0: no limit.
    #[arg(long, env = "COLONIES_SERVER_BODY_TIMEOUT", value_name = "SECONDS",
          default_value_t = timeouts::DEFAULT_BODY_TIMEOUT.as_secs())]
    body_timeout: u64,
    /// Seconds a keep-alive connection may wait for its next request before it is closed.
    /// Requests in progress (long-poll assign) and /pubsub WebSockets are never idle.
    /// 0: no limit.
    #[arg(long, env = "COLONIES_SERVER_IDLE_TIMEOUT", value_name = "SECONDS",
          default_value_t = timeouts::DEFAULT_IDLE_TIMEOUT.as_secs())]
    idle_timeout: u64,
    /// Let an executor name be registered again, replacing the old executor.
    #[arg(long, env = "COLONIES_ALLOW_EXECUTOR_REREGISTER", action = ArgAction::Set,
          num_args = 0..=1, default_value = "false", default_missing_value = "true",
          value_parser = BoolishValueParser::new())]
    allow_executor_reregister: bool,
    /// Seconds without an assign call after which an executor is removed as stale.
    #[arg(long, env = "COLONIES_STALE_EXECUTOR_DURATION", default_value_t = 600)]
    stale_executor_duration: u64,
    /// Seconds between looks for stale executors.
    #[arg(long, env = "COLONIES_CLEANUP_INTERVAL", default_value_t = 60)]
    cleanup_interval: u64,
    /// Replay protection of signed requests that carry nonce, signedat and audience: off
    /// (ignore them), compat (check them when present; requests without them are served as
    /// Colonies serves them) or strict (refuse requests without them).
    #[arg(long, env = "COLONIES_REPLAY_PROTECTION", default_value = "compat",
          value_parser = ["off", "compat", "strict"])]
    replay_protection: String,
    /// Seconds a request's signedat may lie from the database's clock, either way (give every
    /// replica the same window).
    #[arg(long, env = "COLONIES_REPLAY_WINDOW", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    replay_window: u64,
    /// Seconds within which a mesh endpoint's executor must have been heard from for the
    /// endpoint to be warm (GET /api/v1/endpoint-states); cold otherwise.
    #[arg(long, env = "COLONIES_MESH_WARM_FOR", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    mesh_warm_for: u64,
    /// Tell clients (getserverinfomsg) that they reach the server over TLS (a proxy in front).
    #[arg(long, env = "COLONIES_TLS", action = ArgAction::Set, num_args = 0..=1,
          default_value = "false", default_missing_value = "true",
          value_parser = BoolishValueParser::new())]
    tls: bool,
    /// Serve this directory (the built dashboard) at /
    /// [default: web-demo/dist, in the working directory or the source tree, when built]
    #[arg(long, env = "COLONIES_DASHBOARD_DIR")]
    dashboard_dir: Option<PathBuf>,
    /// Build version reported by versionmsg.
    #[arg(long, env = "BUILD_VERSION", default_value = env!("CARGO_PKG_VERSION"))]
    build_version: String,
    /// Build time reported by versionmsg.
    #[arg(long, env = "BUILD_TIME", default_value = "")]
    build_time: String,
}

impl ServeArgs {
    fn database(&self) -> Result<Database, String> {
        if let Some(url) = &self.database_url {
            let config: tokio_postgres::Config =
                url.parse().map_err(|e| format!("DATABASE_URL is not a PostgreSQL URL: {e}"))?;
            return Ok(Database::External(Box::new(config)));
        }
        if let Some(host) = &self.db_host {
            let mut config = tokio_postgres::Config::new();
            config.host(host).port(self.db_port).user(&self.db_user).dbname(&self.db_name);
            if let Some(password) = &self.db_password {
                config.password(password);
            }
            return Ok(Database::External(Box::new(config)));
        }
        Ok(Database::Embedded { pg_bin: self.pg_bin.clone(), ephemeral: false })
    }

    fn into_config(self) -> Result<NativeConfig, String> {
        let ip = self
            .host
            .parse()
            .map_err(|_| format!("--host {:?} is not an IP address to listen on", self.host))?;
        Ok(NativeConfig {
            database: self.database()?,
            listen: SocketAddr::new(ip, self.port),
            data_dir: self.data_dir.unwrap_or_else(native::default_data_dir),
            server_id: self.server_id,
            body_limit: self.body_limit,
            dashboard_dir: self.dashboard_dir,
            pool_size: self.db_max_conns.max(2),
            timeouts: HttpTimeouts::from_secs(
                self.header_timeout,
                self.body_timeout,
                self.idle_timeout,
            ),
            server: ServerConfig {
                build_version: self.build_version,
                build_time: self.build_time,
                host: self.host,
                port: self.port,
                tls: self.tls,
                allow_executor_reregister: self.allow_executor_reregister,
                stale_executor_after: Duration::from_secs(self.stale_executor_duration),
                cleanup_interval: Duration::from_secs(self.cleanup_interval.max(1)),
                replay_mode: self.replay_protection.parse()?,
                replay_window: Duration::from_secs(self.replay_window),
                endpoint_warm_for: Duration::from_secs(self.mesh_warm_for),
            },
        })
    }
}

/// Runs the server until SIGINT or SIGTERM.
pub fn run(args: ServeArgs) -> Result<(), String> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let config = args.into_config()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(native::serve(config)).map_err(|e| e.to_string())
}
