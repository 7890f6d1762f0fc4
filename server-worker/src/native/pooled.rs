//! A pooled database connection and the statement cache that lives with it.

use crate::db::{DbConn, Statements};
use alloc::sync::Arc;
use core::future::Future;
use deadpool_postgres::{Object, StatementCache};
use tokio_postgres::{Client, Error, Statement};

/// A pooled connection, returned to the pool when dropped.
pub struct PooledConn(pub Object);

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
