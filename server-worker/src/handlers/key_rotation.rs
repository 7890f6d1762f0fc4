//! Key rotation (protocol §4.14): `changeuseridmsg`, `changeexecutoridmsg`,
//! `changecolonyidmsg`, `changeserveridmsg`. Each reply echoes the request.
//!
//! The caller is authorised inside the transaction that moves the key, so a rotation racing
//! another rotation or a removal of the same identity either sees the rows it changes or
//! fails; it never half-applies. Every new ID must be 64 lowercase hex characters, the
//! server's too (Go checks no length there): an ID in any other form matches no recovered
//! caller, so accepting one would lock its owner out for good.

use super::{Cx, bad_request, connect};
use crate::{
    db::DbConn,
    error::Error,
    host::Host,
    store::{self, auth::caller_rows, key_rotation::Rotation},
};
use colonies_core::{
    message::{
        ChangeColonyIdMsg, ChangeExecutorIdMsg, ChangeServerIdMsg, ChangeUserIdMsg, Message, Role,
    },
    rules::{AuthError, names::check_id},
};

/// What a rotation's outcome means for the caller.
fn outcome(rotation: Rotation, what: &str) -> Result<(), Error> {
    match rotation {
        Rotation::Done => Ok(()),
        Rotation::Taken => {
            Err(bad_request(format!("the new {what} ID is already used in the colony")))
        }
        // Authorised a moment ago, gone now: the identity moved or was removed meanwhile.
        Rotation::Gone => Err(Error::new(403, format!("Access denied, the {what} key changed"))),
    }
}

/// Authorises `caller` for `role` in `colony`, checks `new`, and runs `rotate`, all in one
/// transaction.
async fn rotate<H, F>(
    host: &H,
    caller: &str,
    role: Role,
    colony: &str,
    new: &str,
    what: &'static str,
    rotate: F,
) -> Result<(), Error>
where
    H: Host,
    F: AsyncFnOnce(&tokio_postgres::Transaction<'_>) -> Result<Rotation, tokio_postgres::Error>,
{
    let mut conn = connect(host).await?;
    let (client, _) = conn.parts();
    let tx = client.transaction().await?;
    let rows = caller_rows(&tx, caller, colony).await?;
    rows.check(role, caller, None, None).map_err(|e| match e {
        // A member, but not of the kind the message rotates (Go: "user not found").
        AuthError::NotUser | AuthError::NotExecutor
            if !rows.executors.is_empty() || !rows.users.is_empty() =>
        {
            Error::new(e.status(), format!("Failed to change {what} Id, {what} not found"))
        }
        AuthError::NotUser | AuthError::NotExecutor => rows.refusal(AuthError::NotMember).into(),
        e => rows.refusal(e).into(),
    })?;
    check_id(what, new).map_err(|e| {
        bad_request(match (what, new.len()) {
            // Go words an empty server ID like an empty colony ID.
            ("server", 0) => "Failed to change colony Id, colony Id is empty".to_owned(),
            (_, 0) => format!("Failed to change {what} Id, {what} Id is empty"),
            ("server", _) | (_, 64) => e.to_string(),
            _ => format!("Failed to change {what} Id, new {what} Id is not 64 characters"),
        })
    })?;
    outcome(rotate(&tx).await?, what)?;
    tx.commit().await.map_err(Error::from)
}

/// `changeuseridmsg`: a user of the colony moves to key `userid`.
pub async fn change_user_id<H: Host>(
    cx: Cx<'_, H>,
    m: ChangeUserIdMsg,
) -> Result<ChangeUserIdMsg, Error> {
    let (colony, new) = (m.colonyname.as_str(), m.userid.as_str());
    rotate(cx.host, cx.caller, ChangeUserIdMsg::ROLE, colony, new, "user", async |tx| {
        store::key_rotation::change_user_id(tx, colony, cx.caller, new).await
    })
    .await?;
    Ok(m)
}

/// `changeexecutoridmsg`: an executor of the colony (approved or not) moves to key
/// `executorid`, taking its running processes along.
pub async fn change_executor_id<H: Host>(
    cx: Cx<'_, H>,
    m: ChangeExecutorIdMsg,
) -> Result<ChangeExecutorIdMsg, Error> {
    let (colony, new) = (m.colonyname.as_str(), m.executorid.as_str());
    rotate(cx.host, cx.caller, ChangeExecutorIdMsg::ROLE, colony, new, "executor", async |tx| {
        store::key_rotation::change_executor_id(tx, colony, cx.caller, new).await
    })
    .await?;
    Ok(m)
}

/// `changecolonyidmsg`: the colony owner hands the colony to key `colonyid`.
pub async fn change_colony_id<H: Host>(
    cx: Cx<'_, H>,
    m: ChangeColonyIdMsg,
) -> Result<ChangeColonyIdMsg, Error> {
    let (colony, new) = (m.colonyname.as_str(), m.colonyid.as_str());
    rotate(cx.host, cx.caller, ChangeColonyIdMsg::ROLE, colony, new, "colony", async |tx| {
        store::key_rotation::change_colony_id(tx, colony, cx.caller, new).await
    })
    .await?;
    Ok(m)
}

/// `changeserveridmsg`: the server owner hands the server to key `serverid`.
pub async fn change_server_id<H: Host>(
    cx: Cx<'_, H>,
    m: ChangeServerIdMsg,
) -> Result<ChangeServerIdMsg, Error> {
    let new = m.serverid.as_str();
    rotate(cx.host, cx.caller, ChangeServerIdMsg::ROLE, "", new, "server", async |tx| {
        store::key_rotation::change_server_id(tx, cx.caller, new).await
    })
    .await?;
    Ok(m)
}
