//! Attributes (protocol §4.7): the assigned executor attaches key/values to its running process.

use super::{Cx, authorize, bad_request, not_found, processes};
use crate::{
    db::DbConn,
    error::Error,
    host::Host,
    store::{self, attributes::AddOutcome},
};
use colonies_core::{
    message::{AddAttributeMsg, GetAttributeMsg, Message},
    model::Attribute,
    model::ProcessState,
    rules::{
        AuthError,
        lifecycle::{TransitionError, require_running},
    },
};

fn not_running() -> Error {
    let e = TransitionError::NotRunning;
    Error::new(e.status(), format!("Failed to add attribute, {e}"))
}

/// `addattributemsg`: the assigned executor adds an attribute to its running process (403
/// otherwise). The ID is recomputed (SHA3 of process ID, key and type), and the colony and
/// graph are the process's, whatever the request says.
pub async fn add<H: Host>(cx: Cx<'_, H>, m: AddAttributeMsg) -> Result<Attribute, Error> {
    let mut attribute = m.attribute;
    let mut conn = cx.db().await?;
    let (client, statements) = conn.parts();
    let facts = super::read_process(cx.host, client, &statements, cx.caller, &attribute.targetid)
        .await
        .map_err(processes::unknown_as("Failed to add attribute, process not found"))?;
    // Go looks at the state before the executor.
    let process = Some(&facts.process);
    facts.rows.check(AddAttributeMsg::ROLE, cx.caller, process, None).map_err(|e| match e {
        AuthError::NotAssigned if facts.process.state != ProcessState::Running => not_running(),
        AuthError::NotAssigned => Error::new(
            403,
            format!(
                "Failed to add attribute, only executor with id <{}> is allowed to set attributes",
                facts.process.assignedexecutorid
            ),
        ),
        e => facts.rows.refusal(e).into(),
    })?;
    require_running(facts.process.state).map_err(|_| not_running())?;
    attribute.attributeid = colonies_core::graph::attribute_id(
        &attribute.targetid,
        &attribute.key,
        attribute.attributetype,
    );
    attribute.targetcolonyname = facts.colony;
    attribute.targetprocessgraphid = facts.process.processgraphid;
    attribute.state = facts.process.state;
    match store::attributes::add(&*client, &attribute, cx.caller).await? {
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
pub async fn get<H: Host>(cx: Cx<'_, H>, m: GetAttributeMsg) -> Result<Attribute, Error> {
    let mut conn = cx.db().await?;
    let (client, _) = conn.parts();
    let attribute = store::attributes::get(&*client, &m.attributeid).await?.ok_or_else(|| {
        not_found(format!(
            "Failed to get attribute, attribute not found: Attribute with ID {} does not exist",
            m.attributeid
        ))
    })?;
    authorize(&mut conn, GetAttributeMsg::ROLE, cx.caller, &attribute.targetcolonyname).await?;
    Ok(attribute)
}
