//! Locations (protocol §4.15): named places executors and processes can be bound to.

use super::{authorize, bad_request, connect, not_found};
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
pub async fn add<H: Host>(host: &H, caller: &str, m: AddLocationMsg) -> Result<Location, Error> {
    let mut conn = connect(host).await?;
    authorize(&mut conn, AddLocationMsg::ROLE, caller, &m.location.colonyname).await?;
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
pub async fn list<H: Host>(
    host: &H,
    caller: &str,
    m: GetLocationsMsg,
) -> Result<Vec<Location>, Error> {
    let mut conn = connect(host).await?;
    authorize(&mut conn, GetLocationsMsg::ROLE, caller, &m.colonyname).await?;
    let (client, _) = conn.parts();
    Ok(store::locations::list(&*client, &m.colonyname).await?)
}

/// `getlocationmsg`: one location by name, for any member.
pub async fn get<H: Host>(host: &H, caller: &str, m: GetLocationMsg) -> Result<Location, Error> {
    let mut conn = connect(host).await?;
    authorize(&mut conn, GetLocationMsg::ROLE, caller, &m.colonyname).await?;
    let (client, _) = conn.parts();
    store::locations::by_name(&*client, &m.colonyname, &m.name)
        .await?
        .ok_or_else(|| unknown("Failed to get location, location is nil", &m.colonyname, &m.name))
}

/// `removelocationmsg`: the colony owner removes a location.
pub async fn remove<H: Host>(host: &H, caller: &str, m: RemoveLocationMsg) -> Result<Empty, Error> {
    let mut conn = connect(host).await?;
    authorize(&mut conn, RemoveLocationMsg::ROLE, caller, &m.colonyname).await?;
    let (client, _) = conn.parts();
    if store::locations::remove(&*client, &m.colonyname, &m.name).await? {
        Ok(Empty {})
    } else {
        Err(not_found(format!("Location with name <{}> not found", m.name)))
    }
}
