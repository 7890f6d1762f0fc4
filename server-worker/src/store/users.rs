//! Users, keyed by (colony, name).

use colonies_core::model::User;
use tokio_postgres::{Error, GenericClient, Row};

fn from_row(row: &Row) -> User {
    User {
        colonyname: row.get(0),
        userid: row.get(1),
        name: row.get(2),
        email: row.get(3),
        phone: row.get(4),
    }
}

const COLUMNS: &str = "colony_name, user_id, name, email, phone";

/// Adds a user; false if the name, or the key, is already a user of the colony.
pub async fn insert(client: &impl GenericClient, user: &User) -> Result<bool, Error> {
    // One key, one user per colony: Go meant to refuse a duplicate ID but its check never
    // matched; two users with one key would make "which user is calling" ambiguous.
    let n = client
        .execute(
            "INSERT INTO users (colony_name, name, user_id, email, phone)
             SELECT $1, $2, $3, $4, $5
             WHERE NOT EXISTS (SELECT 1 FROM users WHERE colony_name = $1 AND user_id = $3)
             ON CONFLICT (colony_name, name) DO NOTHING",
            &[&user.colonyname, &user.name, &user.userid, &user.email, &user.phone],
        )
        .await?;
    Ok(n == 1)
}

/// Every user of a colony, by name.
pub async fn list(client: &impl GenericClient, colony: &str) -> Result<Vec<User>, Error> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE colony_name = $1 ORDER BY name");
    Ok(client.query(&sql, &[&colony]).await?.iter().map(from_row).collect())
}

/// One user by name.
pub async fn by_name(
    client: &impl GenericClient,
    colony: &str,
    name: &str,
) -> Result<Option<User>, Error> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE colony_name = $1 AND name = $2");
    Ok(client.query_opt(&sql, &[&colony, &name]).await?.as_ref().map(from_row))
}

/// One user by key ID.
pub async fn by_id(
    client: &impl GenericClient,
    colony: &str,
    id: &str,
) -> Result<Option<User>, Error> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE colony_name = $1 AND user_id = $2");
    Ok(client.query_opt(&sql, &[&colony, &id]).await?.as_ref().map(from_row))
}

/// Deletes a user; false if there was none.
pub async fn remove(client: &impl GenericClient, colony: &str, name: &str) -> Result<bool, Error> {
    let n = client
        .execute("DELETE FROM users WHERE colony_name = $1 AND name = $2", &[&colony, &name])
        .await?;
    Ok(n == 1)
}
