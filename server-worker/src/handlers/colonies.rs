//! Colonies (protocol §4.2).

use super::{authorize, bad_request, connect};
use crate::{db::DbConn, error::Error, host::Host, store};
use colonies_core::{
    message::{AddColonyMsg, Empty, GetColoniesMsg, GetColonyMsg, Message, RemoveColonyMsg},
    model::Colony,
    rules::names::{check_id, check_name},
};

fn invalid(e: impl core::fmt::Display) -> Error {
    bad_request(e.to_string())
}

/// `addcolonymsg`: the server owner creates a colony owned by `colony.colonyid`.
pub async fn add<H: Host>(host: &H, caller: &str, m: AddColonyMsg) -> Result<Colony, Error> {
    let mut conn = connect(host).await?;
    authorize(&mut conn, AddColonyMsg::ROLE, caller, "").await?;
    check_name("colony", &m.colony.name).map_err(invalid)?;
    check_id("colony", &m.colony.colonyid).map_err(|e| match m.colony.colonyid.len() {
        64 => invalid(e),
        _ => bad_request(format!("Failed to add colony, invalid colony Id length: {e}")),
    })?;
    let (client, _) = conn.parts();
    if !store::colonies::insert(&*client, &m.colony).await? {
        return Err(bad_request(format!("A Colony with name <{}> already exists", m.colony.name)));
    }
    Ok(m.colony)
}

/// `removecolonymsg`: the server owner deletes a colony and everything in it, atomically.
pub async fn remove<H: Host>(host: &H, caller: &str, m: RemoveColonyMsg) -> Result<Empty, Error> {
    let mut conn = connect(host).await?;
    authorize(&mut conn, RemoveColonyMsg::ROLE, caller, "").await?;
    let (client, _) = conn.parts();
    let tx = client.transaction().await?;
    if !store::colonies::remove(&tx, &m.colonyname).await? {
        return Err(bad_request(format!("Colony with name <{}> not found", m.colonyname)));
    }
    tx.commit().await?;
    Ok(Empty {})
}

/// `getcoloniesmsg`: every colony, for the server owner.
pub async fn list<H: Host>(
    host: &H,
    caller: &str,
    _: GetColoniesMsg,
) -> Result<Vec<Colony>, Error> {
    let mut conn = connect(host).await?;
    authorize(&mut conn, GetColoniesMsg::ROLE, caller, "").await?;
    let (client, _) = conn.parts();
    Ok(store::colonies::list(&*client).await?)
}

/// `getcolonymsg`: one colony, for its approved members (not its owner).
pub async fn get<H: Host>(host: &H, caller: &str, m: GetColonyMsg) -> Result<Colony, Error> {
    let mut conn = connect(host).await?;
    let rows = authorize(&mut conn, GetColonyMsg::ROLE, caller, &m.colonyname).await?;
    // Membership implies the colony was read.
    rows.colony.ok_or_else(|| bad_request(store::auth::colony_missing(&m.colonyname)))
}
