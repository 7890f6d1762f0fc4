//! SQL: the schema and its migrations, and the queries of each concept.
//!
//! Every statement here is plain tokio-postgres, so it runs over a pooled TCP connection
//! natively and over a Workers socket (Hyperdrive) on the edge.

pub mod attributes;
pub mod auth;
pub mod blueprints;
pub mod channels;
pub mod colonies;
pub mod crons;
pub mod deadlines;
pub mod e2e;
pub mod event_listeners;
pub mod executors;
pub mod files;
pub mod functions;
pub mod generators;
pub mod graphs;
pub mod key_rotation;
pub mod locations;
pub mod logs;
pub mod mesh;
pub mod migrate;
pub mod processes;
pub mod replay;
pub mod server;
pub mod snapshots;
pub mod stats;
pub mod submits;
pub mod users;

use crate::db::Statements;
use tokio_postgres::{Client, Error, Row, types::ToSql, types::Type};

/// A parameter with the type its statement declares.
pub type Typed<'a> = (&'a (dyn ToSql + Sync), Type);

/// Runs `sql`, which returns at most one row, with `params` of the given types: as a kept
/// prepared statement where statements are kept (natively), else in a single round trip with
/// the types sent along (Workers, where every request opens its connection and a prepared
/// statement would cost a round trip of its own). The hot statements go through here.
pub async fn query_opt_typed(
    client: &Client,
    statements: &impl Statements,
    sql: &str,
    params: &[Typed<'_>],
) -> Result<Option<Row>, Error> {
    if statements.cached() {
        let statement = statements.prepare(client, sql).await?;
        let values: alloc::vec::Vec<&(dyn ToSql + Sync)> = params.iter().map(|(v, _)| *v).collect();
        client.query_opt(&statement, &values).await
    } else {
        client.query_typed_opt(sql, params).await
    }
}

/// As [`query_opt_typed`], for a statement that returns any number of rows.
pub async fn query_typed(
    client: &Client,
    statements: &impl Statements,
    sql: &str,
    params: &[Typed<'_>],
) -> Result<alloc::vec::Vec<Row>, Error> {
    if statements.cached() {
        let statement = statements.prepare(client, sql).await?;
        let values: alloc::vec::Vec<&(dyn ToSql + Sync)> = params.iter().map(|(v, _)| *v).collect();
        client.query(&statement, &values).await
    } else {
        client.query_typed(sql, params).await
    }
}
