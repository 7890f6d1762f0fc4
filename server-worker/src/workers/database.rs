//! Where the Worker's database is (a URL or a Hyperdrive binding) and how a connection to it
//! is opened over a Workers socket.

use super::socket::{DbSocket, StartTls};
use crate::db::DbUnavailable;
use futures_channel::oneshot;
use tokio_postgres::{Client, Config, Error, config::SslMode};

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
