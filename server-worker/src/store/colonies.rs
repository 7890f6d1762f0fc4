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

/// Deletes a colony and everything in it; false if there was no such colony.
/// Executors, users, locations and functions go by their foreign keys; the hot tables,
/// which have none, are cleared here.
pub async fn remove(client: &impl GenericClient, name: &str) -> Result<bool, Error> {
    client.execute("DELETE FROM attributes WHERE colony_name = $1", &[&name]).await?;
    client.execute("DELETE FROM logs WHERE colony_name = $1", &[&name]).await?;
    client.execute("DELETE FROM processes WHERE colony_name = $1", &[&name]).await?;
    Ok(client.execute("DELETE FROM colonies WHERE name = $1", &[&name]).await? == 1)
}
