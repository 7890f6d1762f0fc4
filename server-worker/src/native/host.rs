//! The native [`Host`]: a deadpool connection pool and [`NativeWakeups`].

use super::wakeups::NativeWakeups;
use crate::{
    config::ServerConfig,
    host::{DbConn, DbUnavailable, Host, Statements},
};
use alloc::sync::Arc;
use core::future::Future;
use deadpool_postgres::{Object, Pool, StatementCache};
use tokio_postgres::{Client, Error, Statement};

/// Everything a request handler needs natively; cheap to clone.
#[derive(Clone)]
pub struct NativeHost {
    pool: Pool,
    wakeups: NativeWakeups,
    config: Arc<ServerConfig>,
}

impl NativeHost {
    /// A host over `pool`.
    pub fn new(pool: Pool, wakeups: NativeWakeups, config: ServerConfig) -> Self {
        Self { pool, wakeups, config: Arc::new(config) }
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
}
