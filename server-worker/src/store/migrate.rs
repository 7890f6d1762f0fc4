//! Versioned schema migrations, embedded in the binary and applied at start.
//!
//! All pending migrations run in one transaction that first takes a transaction-scoped
//! advisory lock, so servers starting together against one database apply each migration
//! exactly once and a failed migration leaves nothing behind. A transaction-scoped lock is
//! also what poolers in transaction mode (Hyperdrive) allow, unlike a session lock.

use tokio_postgres::Client;

/// One schema step: its number, a name, and its SQL.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Applied in ascending order; never reused or renumbered once released.
    pub version: i32,
    /// What it is about (the file name without number and extension).
    pub name: &'static str,
    /// The SQL, any number of statements.
    pub sql: &'static str,
}

/// Every migration, in order (no gaps: the test below checks). 0002 holds files, snapshots,
/// blueprints and channels; process graphs, crons and generators take the next free numbers.
pub const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "init", sql: include_str!("../../migrations/0001_init.sql") },
    Migration {
        version: 2,
        name: "files_blueprints_channels",
        sql: include_str!("../../migrations/0002_files_blueprints_channels.sql"),
    },
    Migration {
        version: 3,
        name: "process_events",
        sql: include_str!("../../migrations/0003_process_events.sql"),
    },
    Migration {
        version: 4,
        name: "graphs_crons_generators",
        sql: include_str!("../../migrations/0004_graphs_crons_generators.sql"),
    },
    Migration {
        version: 5,
        name: "process_indexes",
        sql: include_str!("../../migrations/0005_process_indexes.sql"),
    },
    Migration {
        version: 6,
        name: "process_inputs",
        sql: include_str!("../../migrations/0006_process_inputs.sql"),
    },
    Migration {
        version: 7,
        name: "event_listeners",
        sql: include_str!("../../migrations/0007_event_listeners.sql"),
    },
    Migration {
        version: 8,
        name: "batched_writes",
        sql: include_str!("../../migrations/0008_batched_writes.sql"),
    },
    Migration {
        version: 9,
        name: "request_nonces",
        sql: include_str!("../../migrations/0009_request_nonces.sql"),
    },
    Migration { version: 10, name: "mesh", sql: include_str!("../../migrations/0010_mesh.sql") },
    Migration { version: 11, name: "e2e", sql: include_str!("../../migrations/0011_e2e.sql") },
];

/// The advisory lock key of migrations ("colonies" in ASCII, as an i64).
pub const MIGRATION_LOCK: i64 = 0x636f_6c6f_6e69_6573;

/// Why migrating failed.
#[derive(Debug)]
pub struct MigrationError {
    /// The migration that failed, if one did (else the bookkeeping failed).
    pub version: Option<i32>,
    /// The database's error.
    pub source: tokio_postgres::Error,
}

impl core::fmt::Display for MigrationError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.version {
            Some(v) => write!(f, "schema migration {v:04} failed: {}", self.source),
            None => write!(f, "schema migration bookkeeping failed: {}", self.source),
        }
    }
}

impl core::error::Error for MigrationError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Applies the pending migrations; returns the versions applied now.
pub async fn migrate(client: &mut Client) -> Result<Vec<i32>, MigrationError> {
    let bookkeeping = |source| MigrationError { version: None, source };
    let tx = client.transaction().await.map_err(bookkeeping)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(bookkeeping)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS colonies_migrations (
            version    INTEGER PRIMARY KEY,
            name       TEXT NOT NULL,
            applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )",
    )
    .await
    .map_err(bookkeeping)?;
    let applied: Vec<i32> = tx
        .query("SELECT version FROM colonies_migrations", &[])
        .await
        .map_err(bookkeeping)?
        .iter()
        .map(|row| row.get(0))
        .collect();
    let mut now = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| !applied.contains(&m.version)) {
        let failed = |source| MigrationError { version: Some(m.version), source };
        tx.batch_execute(m.sql).await.map_err(failed)?;
        tx.execute(
            "INSERT INTO colonies_migrations (version, name) VALUES ($1, $2)",
            &[&m.version, &m.name],
        )
        .await
        .map_err(failed)?;
        now.push(m.version);
    }
    tx.commit().await.map_err(bookkeeping)?;
    Ok(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_ascend_without_gaps() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1, "{}", m.name);
        }
    }
}
