//! What the store needs of a database connection, whichever host lends it, and the `Send`
//! bounds that hold natively and vanish on wasm32.
//!
//! Natively futures run on a multi-threaded runtime and must be `Send`; on wasm32 the
//! Postgres socket is a JS object and nothing is `Send`. [`MaybeSend`] and [`MaybeSync`]
//! carry the bound on one platform and vanish on the other, so one trait serves both.

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
