//! Attributes (protocol §4.7): the assigned executor attaches key/values to its running process.

use super::{authorize, bad_request, connect, db, not_found, processes};
use crate::{
    host::{DbConn, Host},
    store::{self, attributes::AddOutcome},
};
use colonies_core::{
    Failure,
    message::{AddAttributeMsg, GetAttributeMsg, Message},
    model::Attribute,
    rules::lifecycle::{TransitionError, require_running},
};

fn not_running() -> Failure {
    let e = TransitionError::NotRunning;
    Failure::new(e.status(), e.to_string())
}

/// `addattributemsg`: the assigned executor adds an attribute to its running process (403
/// otherwise). The ID is recomputed (SHA3 of process ID, key and type), and the colony and
/// graph are the process's, whatever the request says.
pub async fn add<H: Host>(
    host: &H,
    caller: &str,
    m: AddAttributeMsg,
) -> Result<Attribute, Failure> {
    let mut attribute = m.attribute;
    let mut conn = connect(host).await?;
    let (client, statements) = conn.parts();
    let facts = processes::read(host, client, &statements, caller, &attribute.targetid).await?;
    facts.rows.require(AddAttributeMsg::ROLE, caller, Some(&facts.process), None)?;
    require_running(facts.process.state).map_err(|_| not_running())?;
    attribute.attributeid =
        processes::attribute_id(&attribute.targetid, &attribute.key, attribute.attributetype);
    attribute.targetcolonyname = facts.colony;
    attribute.targetprocessgraphid = facts.process.processgraphid;
    attribute.state = facts.process.state;
    match store::attributes::add(&*client, &attribute, caller).await.map_err(db)? {
        AddOutcome::Added => Ok(attribute),
        AddOutcome::NotRunning => Err(not_running()),
        AddOutcome::Exists => Err(bad_request(format!(
            "Attribute with key {} of type {} already exists on process {}",
            attribute.key,
            attribute.attributetype.code(),
            attribute.targetid
        ))),
    }
}

/// `getattributemsg`: one attribute, for approved members of its process's colony.
pub async fn get<H: Host>(
    host: &H,
    caller: &str,
    m: GetAttributeMsg,
) -> Result<Attribute, Failure> {
    let mut conn = connect(host).await?;
    let (client, _) = conn.parts();
    let attribute = store::attributes::get(&*client, &m.attributeid)
        .await
        .map_err(db)?
        .ok_or_else(|| not_found(format!("Attribute with ID {} does not exist", m.attributeid)))?;
    authorize(&mut conn, GetAttributeMsg::ROLE, caller, &attribute.targetcolonyname).await?;
    Ok(attribute)
}
