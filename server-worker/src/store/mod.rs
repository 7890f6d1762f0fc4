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
pub mod event_listeners;
pub mod executors;
pub mod files;
pub mod functions;
pub mod generators;
pub mod graphs;
pub mod key_rotation;
pub mod locations;
pub mod logs;
pub mod migrate;
pub mod processes;
pub mod server;
pub mod snapshots;
pub mod stats;
pub mod users;

use colonies_core::Failure;

/// A database error as the error reply Colonies gives: constraint violations are the
/// caller's fault (400), anything else is ours (500).
pub fn db_failure(error: &tokio_postgres::Error) -> Failure {
    use tokio_postgres::error::SqlState;
    match error.code() {
        Some(code)
            if *code == SqlState::UNIQUE_VIOLATION
                || *code == SqlState::CHECK_VIOLATION
                || *code == SqlState::NOT_NULL_VIOLATION =>
        {
            Failure::new(400, format!("rejected by the database: {error}"))
        }
        _ => Failure::new(500, format!("database error: {error}")),
    }
}
