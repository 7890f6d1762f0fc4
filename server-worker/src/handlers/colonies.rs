//! Colonies (protocol §4.2).

use super::{Cx, authorize, bad_request};
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
pub async fn add<H: Host>(cx: Cx<'_, H>, m: AddColonyMsg) -> Result<Colony, Error> {
    let mut conn = cx.db().await?;
    authorize(&mut conn, AddColonyMsg::ROLE, cx.caller, "").await?;
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
pub async fn remove<H: Host>(cx: Cx<'_, H>, m: RemoveColonyMsg) -> Result<Empty, Error> {
    let mut db = cx.authorized::<RemoveColonyMsg>("").await?;
    let client = db.client();
    let tx = client.transaction().await?;
    if !store::colonies::remove(&tx, &m.colonyname).await? {
        return Err(bad_request(format!("Colony with name <{}> not found", m.colonyname)));
    }
    tx.commit().await?;
    Ok(Empty {})
}

/// `getcoloniesmsg`: every colony, for the server owner.
pub async fn list<H: Host>(cx: Cx<'_, H>, _: GetColoniesMsg) -> Result<Vec<Colony>, Error> {
    let mut db = cx.authorized::<GetColoniesMsg>("").await?;
    let client = db.client();
    Ok(store::colonies::list(&*client).await?)
}

/// `getcolonymsg`: one colony, for its approved members (not its owner).
pub async fn get<H: Host>(cx: Cx<'_, H>, m: GetColonyMsg) -> Result<Colony, Error> {
    let mut conn = cx.db().await?;
    let rows = authorize(&mut conn, GetColonyMsg::ROLE, cx.caller, &m.colonyname).await?;
    // Membership implies the colony was read.
    rows.colony.ok_or_else(|| bad_request(store::auth::colony_missing(&m.colonyname)))
}
