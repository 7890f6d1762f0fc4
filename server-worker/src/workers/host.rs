//! The Workers [`Host`]: one Postgres connection per request, opened over a Workers socket.
//!
//! Hyperdrive pools in transaction mode, so nothing here relies on session state: no
//! statement cache (each prepared statement is closed when the query that prepared it is
//! done), no LISTEN, no session advisory locks (the migration and deadline locks are
//! transaction-scoped). One connection per request is also what the Workers limit of six
//! open sockets per invocation allows comfortably.

use super::{
    settings::Settings,
    socket::{DbSocket, StartTls},
    wakeups::PollingWakeups,
};
use crate::{
    config::ServerConfig,
    host::{DbConn, DbUnavailable, Host, Statements},
};
use alloc::rc::Rc;
use core::{cell::RefCell, future::Future, pin::pin, time::Duration};
use futures_channel::oneshot;
use futures_util::future::{Either, select};
use tokio_postgres::{Client, Config, Error, Statement, config::SslMode};

/// Where the database is and how to reach it.
#[derive(Debug, Clone)]
pub struct Database {
    /// Host, port, user, password and database name.
    pub config: Config,
    /// Whether the socket may be upgraded to TLS when the server offers it.
    pub tls: bool,
}

impl Database {
    /// Opens a connection and drives it on the request's task queue; the receiver fires when
    /// the connection has ended (its socket is closed).
    pub async fn connect(&self) -> Result<(Client, oneshot::Receiver<()>), DbUnavailable> {
        let unavailable = |what: &str, e: &dyn core::fmt::Display| {
            DbUnavailable(format!("no database connection ({what}): {e}"))
        };
        let (host, port) = endpoint(&self.config)
            .ok_or_else(|| DbUnavailable("the database settings name no TCP host".into()))?;
        let socket = DbSocket::connect(&host, port, self.tls)
            .map_err(|e| unavailable("socket", &format!("{e:?}")))?;
        let (client, connection) = self
            .config
            .connect_raw(socket, StartTls)
            .await
            .map_err(|e| unavailable("startup", &e))?;
        // The connection task ends when the client is dropped (it sends Terminate and closes
        // the socket) or the socket breaks; an error then has nobody left to report to.
        let (ended, on_end) = oneshot::channel();
        wasm_bindgen_futures::spawn_local(async move {
            let _ = connection.await;
            let _ = ended.send(());
        });
        Ok((client, on_end))
    }
}

/// The first TCP host and port of `config`.
fn endpoint(config: &Config) -> Option<(String, u16)> {
    // On wasm32 a host is always TCP (there are no Unix sockets).
    let tokio_postgres::config::Host::Tcp(host) = config.get_hosts().first()?;
    Some((host.clone(), config.get_ports().first().copied().unwrap_or(5432)))
}

/// The connection settings for a `postgres://` URL, honouring its `sslmode` (`disable`
/// keeps the socket plain; `prefer`, the default, and `require` allow STARTTLS).
pub fn database_from_url(url: &str) -> Result<Database, Error> {
    let config: Config = url.parse()?;
    let tls = config.get_ssl_mode() != SslMode::Disable;
    Ok(Database { config, tls })
}

/// The connection settings of a Hyperdrive binding. The Worker talks plain Postgres to
/// Hyperdrive, which holds the TLS connections to the origin, so TLS is never negotiated
/// here (`sslmode=disable`: no SSLRequest is sent at all).
pub fn database_from_parts(
    host: &str,
    port: u16,
    user: &str,
    password: &str,
    dbname: &str,
) -> Database {
    let mut config = Config::new();
    config
        .host(host)
        .port(port)
        .user(user)
        .password(password)
        .dbname(dbname)
        .ssl_mode(SslMode::Disable);
    Database { config, tls: false }
}

/// The host of one request.
pub struct WorkersHost {
    config: ServerConfig,
    database: Database,
    wakeups: PollingWakeups,
    /// The request's connection while no handler holds it. A long poll drops its
    /// connection between attempts; keeping it here saves a new connection per attempt.
    idle: Rc<RefCell<Option<Client>>>,
    /// One signal per connection opened, fired when it has ended.
    ended: RefCell<Vec<oneshot::Receiver<()>>>,
}

/// How long [`WorkersHost::close`] waits for a connection to end.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

impl WorkersHost {
    /// A host for one request.
    pub fn new(settings: &Settings, database: Database) -> Self {
        let idle: Rc<RefCell<Option<Client>>> = Rc::default();
        Self {
            config: settings.server.clone(),
            database,
            wakeups: PollingWakeups::for_request(None, idle.clone()),
            idle,
            ended: RefCell::default(),
        }
    }

    /// Ends long polls when the request's client disconnects (`signal`: the request's).
    #[must_use]
    pub fn with_client(mut self, signal: web_sys::AbortSignal) -> Self {
        self.wakeups = PollingWakeups::for_request(Some(signal), self.idle.clone());
        self
    }

    /// Ends the request's connections cleanly: Terminate, then the socket closed from this
    /// side, waiting (bounded) until that is done. Without it the runtime aborts the open
    /// socket when the request ends, which the database (or the proxy in front of it) sees
    /// as a connection reset. Call it last, from `wait_until` so the reply is not delayed.
    pub async fn close(self) {
        drop(self.idle.borrow_mut().take());
        let ended = self.ended.take();
        for on_end in ended {
            let timeout = pin!(worker::Delay::from(CLOSE_WAIT));
            if let Either::Right(_) = select(on_end, timeout).await {
                worker::console_warn!("colonies: a database connection did not close in time");
            }
        }
    }
}

/// Statements prepared for one use: the [`Statement`] closes itself on the server when the
/// query that asked for it drops it, inside the same request, so nothing outlives it.
#[derive(Debug, Clone, Copy, Default)]
pub struct OneShotStatements;

impl Statements for OneShotStatements {
    fn prepare(
        &self,
        client: &Client,
        sql: &str,
    ) -> impl Future<Output = Result<Statement, Error>> {
        client.prepare(sql)
    }

    fn cached(&self) -> bool {
        false
    }
}

/// The request's connection, lent to a handler; dropping it puts it back for the next
/// handler step (unless it broke).
pub struct WorkersConn {
    client: Option<Client>,
    idle: Rc<RefCell<Option<Client>>>,
}

impl DbConn for WorkersConn {
    type Statements = OneShotStatements;

    fn parts(&mut self) -> (&mut Client, OneShotStatements) {
        // Only `drop` takes the client out.
        let client = self.client.as_mut().expect("a lent connection holds its client");
        (client, OneShotStatements)
    }
}

impl Drop for WorkersConn {
    fn drop(&mut self) {
        if let Some(client) = self.client.take().filter(|c| !c.is_closed()) {
            // A second connection of the same request (rare) is simply closed.
            let mut idle = self.idle.borrow_mut();
            if idle.is_none() {
                *idle = Some(client);
            }
        }
    }
}

impl Host for WorkersHost {
    type Conn = WorkersConn;
    type Wakeups = PollingWakeups;

    fn config(&self) -> &ServerConfig {
        &self.config
    }

    async fn db(&self) -> Result<WorkersConn, DbUnavailable> {
        let kept = self.idle.borrow_mut().take().filter(|c| !c.is_closed());
        let client = match kept {
            Some(client) => client,
            None => {
                let (client, on_end) = self.database.connect().await?;
                self.ended.borrow_mut().push(on_end);
                client
            }
        };
        Ok(WorkersConn { client: Some(client), idle: self.idle.clone() })
    }

    fn wakeups(&self) -> &PollingWakeups {
        &self.wakeups
    }
}
