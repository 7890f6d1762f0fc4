//! Locations (protocol §4.15): named places executors and processes can be bound to.

use super::{Cx, authorize, bad_request, not_found};
use crate::{db::DbConn, error::Error, host::Host, store};
use colonies_core::{
    message::{AddLocationMsg, Empty, GetLocationMsg, GetLocationsMsg, Message, RemoveLocationMsg},
    model::Location,
    rules::names::check_name,
};

/// An unknown location, led by `go`: the words of Go's handler.
fn unknown(go: &str, colony: &str, name: &str) -> Error {
    not_found(format!("{go}: location with name <{name}> in Colony <{colony}> does not exist"))
}

/// `addlocationmsg`: the colony owner adds a location.
pub async fn add<H: Host>(cx: Cx<'_, H>, m: AddLocationMsg) -> Result<Location, Error> {
    let mut conn = cx.db().await?;
    authorize(&mut conn, AddLocationMsg::ROLE, cx.caller, &m.location.colonyname).await?;
    check_name("location", &m.location.name).map_err(|e| bad_request(e.to_string()))?;
    let (client, _) = conn.parts();
    store::locations::insert(&*client, &m.location).await?.ok_or_else(|| {
        bad_request(format!(
            "A location with name <{}> already exists in Colony with name <{}>",
            m.location.name, m.location.colonyname
        ))
    })
}

/// `getlocationsmsg`: every location of the colony, for any member.
pub async fn list<H: Host>(cx: Cx<'_, H>, m: GetLocationsMsg) -> Result<Vec<Location>, Error> {
    let mut db = cx.authorized::<GetLocationsMsg>(&m.colonyname).await?;
    let client = db.client();
    Ok(store::locations::list(&*client, &m.colonyname).await?)
}

/// `getlocationmsg`: one location by name, for any member.
pub async fn get<H: Host>(cx: Cx<'_, H>, m: GetLocationMsg) -> Result<Location, Error> {
    let mut db = cx.authorized::<GetLocationMsg>(&m.colonyname).await?;
    let client = db.client();
    store::locations::by_name(&*client, &m.colonyname, &m.name)
        .await?
        .ok_or_else(|| unknown("Failed to get location, location is nil", &m.colonyname, &m.name))
}

/// `removelocationmsg`: the colony owner removes a location.
pub async fn remove<H: Host>(cx: Cx<'_, H>, m: RemoveLocationMsg) -> Result<Empty, Error> {
    let mut db = cx.authorized::<RemoveLocationMsg>(&m.colonyname).await?;
    let client = db.client();
    if store::locations::remove(&*client, &m.colonyname, &m.name).await? {
        Ok(Empty {})
    } else {
        Err(not_found(format!("Location with name <{}> not found", m.name)))
    }
}
