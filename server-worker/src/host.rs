//! The seam between the handlers and a host: a database connection, wakeups, configuration.
//!
//! Natively futures run on a multi-threaded runtime and must be `Send`; on wasm32 the
//! Postgres socket is a JS object and nothing is `Send`. [`MaybeSend`] and [`MaybeSync`]
//! carry the bound on one platform and vanish on the other, so one trait serves both.

use crate::{
    config::ServerConfig,
    handlers::processes::{Submit, write_closes, write_submits},
    store::{
        processes::{Closed, SuccessfulClose},
        replay::NonceItem,
    },
    wakeups::Wakeups,
};
use alloc::vec;
use colonies_core::{Failure, model::Process, rules::replay::NonceCheck};

/// The replay window of `config` in milliseconds.
pub fn window_ms(config: &ServerConfig) -> i64 {
    i64::try_from(config.replay_window.as_millis()).unwrap_or(i64::MAX)
}
use core::future::Future;
use tokio_postgres::{Client, Error, Statement};

/// `Send` off wasm32, no bound on wasm32.
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSend: Send {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send + ?Sized> MaybeSend for T {}
/// `Send` off wasm32, no bound on wasm32.
#[cfg(target_arch = "wasm32")]
pub trait MaybeSend {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> MaybeSend for T {}

/// `Sync` off wasm32, no bound on wasm32.
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSync: Sync {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Sync + ?Sized> MaybeSync for T {}
/// `Sync` off wasm32, no bound on wasm32.
#[cfg(target_arch = "wasm32")]
pub trait MaybeSync {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> MaybeSync for T {}

/// Where prepared statements come from: a per-connection cache natively (a pooled connection
/// lives for many requests), a plain `prepare` on Workers (one connection per request).
pub trait Statements: MaybeSend + MaybeSync {
    /// The statement for `sql` on `client` (which may be a transaction's client).
    fn prepare(
        &self,
        client: &Client,
        sql: &str,
    ) -> impl Future<Output = Result<Statement, Error>> + MaybeSend;
    /// Whether prepared statements are kept for the next use. When they are not, a query
    /// that gives its parameters' types goes out in one round trip (parse, bind, execute)
    /// instead of prepare, execute and close: see `store::query_opt_typed`.
    fn cached(&self) -> bool {
        true
    }
}

/// One database connection lent to a request; given back when dropped.
pub trait DbConn: MaybeSend {
    /// The connection's statement source.
    type Statements: Statements;
    /// The client (to open a transaction on) and its statement source, borrowed apart so a
    /// statement can be prepared while the transaction holds the client.
    fn parts(&mut self) -> (&mut Client, Self::Statements);
}

/// Why no database connection could be had; answered as HTTP 503 (retrying may help).
#[derive(Debug, Clone)]
pub struct DbUnavailable(pub String);

/// What a host gives the handlers.
pub trait Host: MaybeSync {
    /// A lent connection.
    type Conn: DbConn;
    /// The long-poll wakeups of this host.
    type Wakeups: Wakeups;
    /// The server's settings.
    fn config(&self) -> &ServerConfig;
    /// A connection for one request.
    fn db(&self) -> impl Future<Output = Result<Self::Conn, DbUnavailable>> + MaybeSend;
    /// The wakeups used by long-poll assign and by every write that makes work assignable.
    fn wakeups(&self) -> &Self::Wakeups;

    /// Writes a checked submit and settles it (see [`write_submits`]). Natively the submits
    /// that arrive while earlier ones are being written share one statement; the default
    /// writes each on its own connection.
    fn write_submit(
        &self,
        submit: Submit<<Self::Wakeups as Wakeups>::Claim>,
    ) -> impl Future<Output = Result<Option<Process>, Failure>> + MaybeSend {
        async move {
            let mut conn = self.db().await.map_err(|e| Failure::new(503, e.0))?;
            let (client, statements) = conn.parts();
            let mut outcomes =
                write_submits(self.wakeups(), client, &statements, vec![submit]).await;
            outcomes.pop().unwrap_or_else(|| Err(Failure::new(500, "the submit was not written")))
        }
    }
    /// Records the nonce of a bound request and says what the database saw (see
    /// [`crate::store::replay::record`]). Natively the nonces of concurrent requests share one
    /// statement, as submits do; the default records each on its own connection.
    fn record_nonce(
        &self,
        item: NonceItem,
    ) -> impl Future<Output = Result<NonceCheck, Failure>> + MaybeSend {
        async move {
            let window_ms = window_ms(self.config());
            let mut conn = self.db().await.map_err(|e| Failure::new(503, e.0))?;
            let (client, statements) = conn.parts();
            let mut checks = crate::store::replay::record(client, &statements, &[item], window_ms)
                .await
                .map_err(|e| crate::store::db_failure(&e))?;
            checks.pop().ok_or_else(|| Failure::new(500, "the nonce was not recorded"))
        }
    }
    /// Writes a successful close (see [`write_closes`]), shared with concurrent ones as
    /// [`Host::write_submit`] is.
    fn write_close(
        &self,
        close: SuccessfulClose,
    ) -> impl Future<Output = Result<Option<Closed>, Failure>> + MaybeSend {
        async move {
            let mut conn = self.db().await.map_err(|e| Failure::new(503, e.0))?;
            let (client, statements) = conn.parts();
            let mut outcomes =
                write_closes(self.wakeups(), client, &statements, core::slice::from_ref(&close))
                    .await;
            outcomes.pop().unwrap_or_else(|| Err(Failure::new(500, "the close was not written")))
        }
    }
}
