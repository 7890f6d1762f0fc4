//! Key rotation (protocol §4.14): a user, an executor, a colony owner or the server owner
//! moves to a new key. Run each function inside the transaction that authorised the caller.
//!
//! Go only rewrites the one ID column. Here the live references to the old key move too
//! (a user's or executor's unfinished submissions, an executor's running processes), because
//! otherwise the new key could not close the processes the old one was running and would
//! lose its initiator rights on its own channels. Finished processes keep the key they ran
//! under: they are history.

use tokio_postgres::{Error, GenericClient};

/// How a rotation went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// The rows moved to the new key.
    Done,
    /// The new key already belongs to another member of the colony: two members with one
    /// key would make "who is calling" ambiguous.
    Taken,
    /// Nothing held the old key any more (a concurrent rotation or removal won).
    Gone,
}

/// Moves the caller's user row in `colony` from `old` to `new`.
pub async fn change_user_id(
    client: &impl GenericClient,
    colony: &str,
    old: &str,
    new: &str,
) -> Result<Rotation, Error> {
    if member_holds(client, colony, new).await? {
        return Ok(Rotation::Taken);
    }
    let Some(row) = client
        .query_opt(
            "UPDATE users SET user_id = $3 WHERE colony_name = $1 AND user_id = $2
             RETURNING name",
            &[&colony, &old, &new],
        )
        .await?
    else {
        return Ok(Rotation::Gone);
    };
    let name: String = row.get(0);
    move_submissions(client, colony, &[name], old, new).await?;
    Ok(Rotation::Done)
}

/// Moves the caller's registered executor rows in `colony` from `old` to `new` (removed
/// rows keep the old key: it no longer authorises anything), with their running processes.
pub async fn change_executor_id(
    client: &impl GenericClient,
    colony: &str,
    old: &str,
    new: &str,
) -> Result<Rotation, Error> {
    if member_holds(client, colony, new).await? {
        return Ok(Rotation::Taken);
    }
    let names: Vec<String> = client
        .query(
            "UPDATE executors SET executor_id = $3
             WHERE colony_name = $1 AND executor_id = $2 AND state <> 3 RETURNING name",
            &[&colony, &old, &new],
        )
        .await?
        .iter()
        .map(|row| row.get(0))
        .collect();
    if names.is_empty() {
        return Ok(Rotation::Gone);
    }
    client
        .execute(
            "UPDATE processes SET assigned_executor_id = $3
             WHERE assigned_executor_id = $2 AND state = 1 AND colony_name = $1",
            &[&colony, &old, &new],
        )
        .await?;
    move_submissions(client, colony, &names, old, new).await?;
    Ok(Rotation::Done)
}

/// Moves colony `colony` from owner `old` to owner `new`; `Gone` if `old` no longer owns it.
pub async fn change_colony_id(
    client: &impl GenericClient,
    colony: &str,
    old: &str,
    new: &str,
) -> Result<Rotation, Error> {
    let n = client
        .execute(
            "UPDATE colonies SET colony_id = $3 WHERE name = $1 AND colony_id = $2",
            &[&colony, &old, &new],
        )
        .await?;
    Ok(if n == 1 { Rotation::Done } else { Rotation::Gone })
}

/// Moves the server from owner `old` to owner `new`; `Gone` if `old` no longer owns it.
pub async fn change_server_id(
    client: &impl GenericClient,
    old: &str,
    new: &str,
) -> Result<Rotation, Error> {
    let n = client
        .execute("UPDATE server SET server_id = $2 WHERE server_id = $1", &[&old, &new])
        .await?;
    Ok(if n == 1 { Rotation::Done } else { Rotation::Gone })
}

/// Whether a registered executor or a user of `colony` holds key `id`.
async fn member_holds(client: &impl GenericClient, colony: &str, id: &str) -> Result<bool, Error> {
    let row = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM executors
                             WHERE colony_name = $1 AND executor_id = $2 AND state <> 3)
                 OR EXISTS (SELECT 1 FROM users WHERE colony_name = $1 AND user_id = $2)",
            &[&colony, &id],
        )
        .await?;
    Ok(row.get(0))
}

/// Re-keys the unfinished processes `names` submitted under `old` (the index on
/// (colony, initiator name, state) finds them).
async fn move_submissions(
    client: &impl GenericClient,
    colony: &str,
    names: &[String],
    old: &str,
    new: &str,
) -> Result<(), Error> {
    client
        .execute(
            "UPDATE processes SET initiator_id = $4
             WHERE colony_name = $1 AND initiator_name = ANY($2) AND state IN (0, 1)
               AND initiator_id = $3",
            &[&colony, &names, &old, &new],
        )
        .await
        .map(drop)
}
