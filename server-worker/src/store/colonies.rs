//! Colonies.

use colonies_core::model::Colony;
use tokio_postgres::{Error, GenericClient};

/// Inserts a colony; false if the name is taken.
pub async fn insert(client: &impl GenericClient, colony: &Colony) -> Result<bool, Error> {
    let n = client
        .execute(
            "INSERT INTO colonies (name, colony_id) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            &[&colony.name, &colony.colonyid],
        )
        .await?;
    Ok(n == 1)
}

/// Every colony, by name.
pub async fn list(client: &impl GenericClient) -> Result<Vec<Colony>, Error> {
    let rows = client.query("SELECT colony_id, name FROM colonies ORDER BY name", &[]).await?;
    Ok(rows.iter().map(|r| Colony { colonyid: r.get(0), name: r.get(1) }).collect())
}

/// Deletes a colony and everything in it; false if there was no such colony. Run it in a
/// transaction: the colony goes as a whole or not at all.
///
/// In dependency order:
/// 1. the colony row, locked first: a second removal waits for this one (and then finds no
///    colony), and rows that reference the colony by foreign key (executors, files, …)
///    cannot be added meanwhile;
/// 2. what starts workflows by itself, crons and generators (with their packed args): a
///    sweep starting one of their workflows right now holds its row, so the delete waits for
///    the sweep to commit and the statements below see the workflow it made; a later sweep
///    finds the row gone and starts nothing;
/// 3. the tables without foreign keys (see migration 0001): workflows, attributes, logs, and
///    processes (their workflow inputs go with them by foreign key);
/// 4. the colony row, which takes by foreign key everything else: executors and their
///    functions, users, locations, files, snapshots, blueprint definitions, blueprints and
///    their history, channels with their entries and rate buckets, and the pause state
///    (a column of the row).
///
/// A write that was authorised before the removal committed and commits after it (a submit
/// in flight, say) can still leave a row behind: the hot tables carry no foreign key to
/// refuse it (Go's removal has the same window, without the transaction).
pub async fn remove(client: &impl GenericClient, name: &str) -> Result<bool, Error> {
    let found =
        client.query_opt("SELECT 1 FROM colonies WHERE name = $1 FOR UPDATE", &[&name]).await?;
    if found.is_none() {
        return Ok(false);
    }
    for sql in [
        "DELETE FROM crons WHERE colony_name = $1",
        "DELETE FROM generators WHERE colony_name = $1",
        "DELETE FROM generator_args WHERE colony_name = $1",
        "DELETE FROM processgraphs WHERE colony_name = $1",
        "DELETE FROM attributes WHERE colony_name = $1",
        "DELETE FROM logs WHERE colony_name = $1",
        "DELETE FROM processes WHERE colony_name = $1",
    ] {
        client.execute(sql, &[&name]).await?;
    }
    Ok(client.execute("DELETE FROM colonies WHERE name = $1", &[&name]).await? == 1)
}
