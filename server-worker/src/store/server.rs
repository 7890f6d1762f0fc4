//! The server row: the server owner's ID.

use tokio_postgres::{Client, Error, GenericClient};

/// The stored server owner ID, if one was ever stored.
pub async fn server_id(client: &impl GenericClient) -> Result<Option<String>, Error> {
    Ok(client.query_opt("SELECT server_id FROM server", &[]).await?.map(|row| row.get(0)))
}

/// Stores `id` as the server owner ID, replacing any other.
pub async fn set_server_id(client: &Client, id: &str) -> Result<(), Error> {
    client
        .execute(
            "INSERT INTO server (singleton, server_id) VALUES (TRUE, $1)
             ON CONFLICT (singleton) DO UPDATE SET server_id = EXCLUDED.server_id",
            &[&id],
        )
        .await
        .map(drop)
}

/// Stores `id` only if no server ID is stored yet; returns the ID in force afterwards.
/// Two servers starting together on an empty database thus agree on one owner.
pub async fn init_server_id(client: &Client, id: &str) -> Result<String, Error> {
    client
        .execute(
            "INSERT INTO server (singleton, server_id) VALUES (TRUE, $1) ON CONFLICT DO NOTHING",
            &[&id],
        )
        .await?;
    Ok(client.query_one("SELECT server_id FROM server", &[]).await?.get(0))
}
