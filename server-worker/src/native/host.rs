//! The native [`Host`]: a deadpool connection pool, [`NativeWakeups`], and the batchers that
//! write concurrent submits and closes together.

use super::{
    batcher::{Batcher, Closes, Nonces, Submits},
    wakeups::{NativeClaim, NativeWakeups},
};
use crate::{
    config::ServerConfig,
    handlers::processes::Submit,
    host::{DbConn, DbUnavailable, Host, Statements},
    store::{
        processes::{Closed, SuccessfulClose},
        replay::NonceItem,
    },
};
use alloc::sync::Arc;
use colonies_core::{Failure, model::Process, rules::replay::NonceCheck};
use core::future::Future;
use deadpool_postgres::{Object, Pool, StatementCache};
use tokio_postgres::{Client, Error, Statement};

/// Everything a request handler needs natively; cheap to clone.
#[derive(Clone)]
pub struct NativeHost {
    pool: Pool,
    wakeups: NativeWakeups,
    config: Arc<ServerConfig>,
    submits: Arc<Batcher<Submits>>,
    closes: Arc<Batcher<Closes>>,
    nonces: Arc<Batcher<Nonces>>,
}

impl NativeHost {
    /// A host over `pool`, whose batchers write on `batch_pool` (see [`super::batcher::pool`]);
    /// it starts their tasks, so it must be made inside the runtime.
    pub fn new(pool: Pool, batch_pool: Pool, wakeups: NativeWakeups, config: ServerConfig) -> Self {
        let submits = Arc::new(Batcher::start(Submits(wakeups.clone()), batch_pool.clone()));
        let closes = Arc::new(Batcher::start(Closes(wakeups.clone()), batch_pool.clone()));
        let window_ms = crate::host::window_ms(&config);
        let nonces = Arc::new(Batcher::start(Nonces { window_ms }, batch_pool));
        Self { pool, wakeups, config: Arc::new(config), submits, closes, nonces }
    }

    /// The connection pool.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }
}

/// A pooled connection, returned to the pool when dropped.
pub struct PooledConn(Object);

/// The statement cache of one pooled connection (it lives as long as the connection).
#[derive(Clone)]
pub struct CachedStatements(Arc<StatementCache>);

impl CachedStatements {
    /// The cache of `conn`.
    pub fn of(conn: &Object) -> Self {
        Self(conn.statement_cache.clone())
    }
}

impl Statements for CachedStatements {
    fn prepare(
        &self,
        client: &Client,
        sql: &str,
    ) -> impl Future<Output = Result<Statement, Error>> + Send {
        self.0.prepare(client, sql)
    }
}

impl DbConn for PooledConn {
    type Statements = CachedStatements;

    fn parts(&mut self) -> (&mut Client, CachedStatements) {
        let cache = CachedStatements(self.0.statement_cache.clone());
        let client: &mut Client = &mut self.0;
        (client, cache)
    }
}

impl Host for NativeHost {
    type Conn = PooledConn;
    type Wakeups = NativeWakeups;

    fn config(&self) -> &ServerConfig {
        &self.config
    }

    fn db(&self) -> impl Future<Output = Result<PooledConn, DbUnavailable>> + Send {
        let pool = self.pool.clone();
        async move {
            pool.get()
                .await
                .map(PooledConn)
                .map_err(|e| DbUnavailable(format!("no database connection: {e}")))
        }
    }

    fn wakeups(&self) -> &NativeWakeups {
        &self.wakeups
    }

    fn write_submit(
        &self,
        submit: Submit<NativeClaim>,
    ) -> impl Future<Output = Result<Option<Process>, Failure>> + Send {
        self.submits.write(submit)
    }

    fn write_close(
        &self,
        close: SuccessfulClose,
    ) -> impl Future<Output = Result<Option<Closed>, Failure>> + Send {
        self.closes.write(close)
    }

    fn record_nonce(
        &self,
        item: NonceItem,
    ) -> impl Future<Output = Result<NonceCheck, Failure>> + Send {
        self.nonces.write(item)
    }
}
