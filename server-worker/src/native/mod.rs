//! The native host: an axum HTTP server over a Postgres pool, with a private PostgreSQL
//! cluster when no database is configured. `colonies-edge serve` is a thin command over
//! [`serve`]; the black-box tests use [`start`].

pub mod batcher;
pub mod deadlines;
pub mod embedded_pg;
pub mod events;
pub mod host;
pub mod http;
pub mod listener;
pub mod memory;
pub mod pooled;
pub mod pubsub;
pub mod scram;
pub mod timeouts;
pub mod wakeups;

use crate::{config::ServerConfig, store};
use colonies_core::PrivateKey;
use core::net::SocketAddr;
use core::{fmt, time::Duration};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use embedded_pg::{EmbeddedError, EmbeddedOptions, EmbeddedPostgres};
use events::Events;
use host::NativeHost;
use std::path::{Path, PathBuf};
use timeouts::{MakeTimed, TimedListener};
use tokio::{net::TcpListener, sync::watch, task::JoinHandle};
use tokio_postgres::NoTls;
use wakeups::NativeWakeups;

pub use timeouts::HttpTimeouts;

/// Which database the server keeps its state in.
#[derive(Debug, Clone)]
pub enum Database {
    /// An existing database (`DATABASE_URL` or the `COLONIES_DB_*` variables).
    External(Box<tokio_postgres::Config>),
    /// A private cluster in the data directory, started and stopped with the server.
    Embedded {
        /// A PostgreSQL `bin` directory to use instead of searching.
        pg_bin: Option<PathBuf>,
        /// Delete the data directory afterwards (tests).
        ephemeral: bool,
    },
}

/// Everything `colonies-edge serve` can be told.
#[derive(Debug, Clone)]
pub struct NativeConfig {
    /// What the handlers see (versions, reregister policy, timers).
    pub server: ServerConfig,
    /// The address to listen on.
    pub listen: SocketAddr,
    /// The database.
    pub database: Database,
    /// Where the embedded cluster and the generated server owner key live.
    pub data_dir: PathBuf,
    /// The server owner's ID (`COLONIES_SERVER_ID`); stored, replacing any stored one.
    pub server_id: Option<String>,
    /// Largest accepted `POST /api` body, in bytes.
    pub body_limit: usize,
    /// A directory to serve at `/` (the dashboard).
    pub dashboard_dir: Option<PathBuf>,
    /// Most database connections held at once.
    pub pool_size: usize,
    /// How long a client may take to send a request head or body, and how long a keep-alive
    /// connection may stay idle ([`HttpTimeouts::default`]: 10 s, 60 s, 120 s).
    pub timeouts: HttpTimeouts,
}

/// The default request body limit: 32 MiB. A legal 10 MiB channel message travels base64
/// inside JSON inside base64 (about 17.8 MiB with its envelope, protocol §11.26), so a
/// smaller default would refuse valid requests.
pub const DEFAULT_BODY_LIMIT: usize = 32 * 1024 * 1024;

/// The default data directory: `/var/lib/colonies-edge` as root (PostgreSQL then runs as
/// `postgres`, which cannot enter `/root`), else `$XDG_DATA_HOME/colonies-edge`, else
/// `~/.local/share/colonies-edge`, else `./.colonies-edge`.
pub fn default_data_dir() -> PathBuf {
    use std::os::unix::fs::MetadataExt;
    if std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0) {
        return PathBuf::from("/var/lib/colonies-edge");
    }
    if let Some(xdg) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(xdg).join("colonies-edge");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(home).join(".local/share/colonies-edge");
    }
    PathBuf::from(".colonies-edge")
}

/// Why the server could not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum ServeError {
    /// The private PostgreSQL cluster failed.
    Embedded(EmbeddedError),
    /// The database could not be reached or set up.
    Database(String),
    /// The listen address could not be bound.
    Bind(SocketAddr, std::io::Error),
    /// Another I/O failure.
    Io(String),
}

impl fmt::Display for ServeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Embedded(e) => write!(f, "embedded PostgreSQL: {e}"),
            Self::Database(e) => write!(f, "database: {e}"),
            Self::Bind(addr, e) => write!(
                f,
                "cannot listen on {addr}: {e}\nFix: pick another port with --port / COLONIES_SERVER_PORT"
            ),
            Self::Io(e) => f.write_str(e),
        }
    }
}

impl core::error::Error for ServeError {}

impl From<EmbeddedError> for ServeError {
    fn from(e: EmbeddedError) -> Self {
        Self::Embedded(e)
    }
}

/// A server that is up: its address, and how to stop it.
pub struct RunningServer {
    addr: SocketAddr,
    url: String,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    /// The LISTEN connection's task ([`listener`]).
    listener: JoinHandle<()>,
    wakeups: NativeWakeups,
    events: Events,
    pool: Pool,
    batch_pool: Pool,
    embedded: Option<EmbeddedPostgres>,
}

impl RunningServer {
    /// The address the HTTP server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A `postgres://` URL of the server's database (with its password).
    pub fn database_url(&self) -> &str {
        &self.url
    }

    /// The server's `/pubsub` event hub.
    pub fn events(&self) -> &Events {
        &self.events
    }

    /// Stops taking requests, lets running ones finish (long polls end at once), closes the
    /// pool and stops the embedded cluster.
    pub async fn shutdown(self) {
        let Self { stop, task, listener, wakeups, events, pool, batch_pool, embedded, .. } = self;
        let _ = stop.send(true);
        wakeups.close();
        // Subscriptions end too (their sockets get a close frame).
        events.close();
        // Long polls end at once (close above); anything else gets a bounded grace period.
        if tokio::time::timeout(Duration::from_secs(10), task).await.is_err() {
            tracing::warn!("requests still running after 10 s; stopping anyway");
        }
        let _ = listener.await;
        pool.close();
        batch_pool.close();
        if let Some(pg) = embedded {
            match tokio::task::spawn_blocking(move || pg.stop()).await {
                Ok(Ok(())) => tracing::info!("embedded PostgreSQL stopped"),
                Ok(Err(e)) => tracing::warn!(error = %e, "stopping the embedded PostgreSQL failed"),
                Err(e) => tracing::warn!(error = %e, "stopping the embedded PostgreSQL failed"),
            }
        }
    }
}

/// Starts the server: database (embedded or not), migrations, server owner, HTTP.
pub async fn start(config: NativeConfig) -> Result<RunningServer, ServeError> {
    let (pg_config, url, embedded) = match &config.database {
        Database::External(pg) => {
            let url = describe(pg);
            (pg.as_ref().clone(), url, None)
        }
        Database::Embedded { pg_bin, ephemeral } => {
            let options = EmbeddedOptions {
                data_dir: config.data_dir.clone(),
                pg_bin: pg_bin.clone(),
                ephemeral: *ephemeral,
            };
            let pg = tokio::task::spawn_blocking(move || EmbeddedPostgres::start(&options))
                .await
                .map_err(|e| ServeError::Io(e.to_string()))??;
            (pg.config(), pg.url(), Some(pg))
        }
    };

    let manager = Manager::from_config(
        pg_config.clone(),
        NoTls,
        // A connection whose transaction was left open cannot come back: every write runs
        // in a transaction object that rolls back on drop, so the cheap check is enough.
        ManagerConfig { recycling_method: RecyclingMethod::Fast },
    );
    let pool = Pool::builder(manager)
        .max_size(config.pool_size)
        .build()
        .map_err(|e| ServeError::Database(e.to_string()))?;

    let mut conn = pool.get().await.map_err(|e| ServeError::Database(e.to_string()))?;
    let applied = store::migrate::migrate(&mut conn)
        .await
        .map_err(|e| ServeError::Database(e.to_string()))?;
    if !applied.is_empty() {
        tracing::info!(?applied, "schema migrations applied");
    }
    ensure_server_owner(&conn, config.server_id.as_deref(), &config.data_dir).await?;
    drop(conn);

    let (stop, stop_rx) = watch::channel(false);
    let wakeups = NativeWakeups::new();
    let origin = embedded_pg::random_hex(16)?;
    let events = Events::new();
    let batch_pool = batcher::pool(&pg_config)?;
    let listener = tokio::spawn(listener::listen(
        pg_config,
        origin,
        wakeups.clone(),
        events.clone(),
        stop_rx.clone(),
    ));
    // Stops with `stop`; a pass in flight when the pool closes just fails and ends.
    tokio::spawn(deadlines::run(
        pool.clone(),
        wakeups.clone(),
        config.server.stale_executor_after,
        config.server.replay_window,
        stop_rx.clone(),
    ));

    let host =
        NativeHost::new(pool.clone(), batch_pool.clone(), wakeups.clone(), config.server.clone());
    let app = http::router(
        host,
        config.body_limit,
        config.timeouts.body,
        config.dashboard_dir.clone(),
        events.clone(),
    );
    let tcp =
        TcpListener::bind(config.listen).await.map_err(|e| ServeError::Bind(config.listen, e))?;
    let addr = tcp.local_addr().map_err(|e| ServeError::Io(e.to_string()))?;
    let listener_with_timeouts = TimedListener::new(tcp, config.timeouts);
    let mut stop_http = stop_rx;
    let task = tokio::spawn(async move {
        let shutdown = async move {
            let _ = stop_http.wait_for(|stopped| *stopped).await;
        };
        let serving = axum::serve(listener_with_timeouts, MakeTimed(app));
        if let Err(e) = serving.with_graceful_shutdown(shutdown).await {
            tracing::error!(error = %e, "HTTP server failed");
        }
    });
    tracing::info!(%addr, "Colonies server listening (POST /api, GET /pubsub, GET /health)");
    Ok(RunningServer {
        addr,
        url,
        stop,
        task,
        listener,
        wakeups,
        events,
        pool,
        batch_pool,
        embedded,
    })
}

/// Runs the server until SIGINT or SIGTERM, then shuts it down in order.
pub async fn serve(config: NativeConfig) -> Result<(), ServeError> {
    let server = start(config).await?;
    shutdown_signal().await;
    tracing::info!("shutting down");
    server.shutdown().await;
    Ok(())
}

async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).ok();
    let term = async {
        match term.as_mut() {
            Some(term) => {
                term.recv().await;
            }
            None => core::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = term => {}
    }
}

/// A connection description without the password, for logs.
fn describe(pg: &tokio_postgres::Config) -> String {
    let host = pg
        .get_hosts()
        .first()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(h) => h.clone(),
            tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
        })
        .unwrap_or_default();
    let port = pg.get_ports().first().copied().unwrap_or(5432);
    format!(
        "postgres://{}@{host}:{port}/{}",
        pg.get_user().unwrap_or(""),
        pg.get_dbname().unwrap_or("")
    )
}

/// The file the generated server owner key is written to.
pub const OWNER_KEY_FILE: &str = "server-owner.key";

/// Stores the given server ID, or on a first start generates the server owner's key, stores
/// its ID and hands the key to the person starting the server (printed once, and kept in
/// `<data dir>/server-owner.key`, mode 0600).
async fn ensure_server_owner(
    client: &tokio_postgres::Client,
    given: Option<&str>,
    data_dir: &Path,
) -> Result<(), ServeError> {
    let db = |e: tokio_postgres::Error| ServeError::Database(e.to_string());
    if let Some(id) = given {
        store::server::set_server_id(client, id).await.map_err(db)?;
        tracing::info!(server_id = id, "server owner ID set from the configuration");
        return Ok(());
    }
    if let Some(id) = store::server::server_id(client).await.map_err(db)? {
        tracing::info!(server_id = %id, "server owner ID");
        return Ok(());
    }
    let key =
        PrivateKey::generate().map_err(|e| ServeError::Io(format!("generating a key: {e}")))?;
    let id = key.id().to_hex();
    let stored = store::server::init_server_id(client, &id).await.map_err(db)?;
    if stored != id {
        // Another server on this database got there first; its key is the owner's.
        tracing::info!(server_id = %stored, "server owner ID");
        return Ok(());
    }
    let file = data_dir.join(OWNER_KEY_FILE);
    let saved = write_key_file(&file, &key.to_hex(), &id);
    let saved = match &saved {
        Ok(()) => format!("Also saved (mode 0600) in {}.", file.display()),
        Err(e) => format!("Could not save it to {}: {e}. Copy it now.", file.display()),
    };
    // Printed, not logged: this is for the person at the terminal, once.
    println!(
        "\n================ Colonies server owner (first start) ================\n\
         No server owner was configured, so one was generated:\n\n\
         COLONIES_SERVER_ID={id}\n\
         COLONIES_SERVER_PRVKEY={}\n\n\
         The private key is shown only now. {saved}\n\
         Use it to add colonies (addcolonymsg); keep it secret.\n\
         =====================================================================\n",
        key.to_hex()
    );
    Ok(())
}

fn write_key_file(path: &Path, key_hex: &str, id: &str) -> std::io::Result<()> {
    use std::{io::Write, os::unix::fs::OpenOptionsExt};
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    writeln!(file, "COLONIES_SERVER_ID={id}\nCOLONIES_SERVER_PRVKEY={key_hex}")
}
