//! Users (protocol §4.4): members without approval, managed by the colony owner.

use super::{Cx, authorize, bad_request, not_found};
use crate::{db::DbConn, error::Error, host::Host, store};
use colonies_core::{
    message::{AddUserMsg, Empty, GetUserByIdMsg, GetUserMsg, GetUsersMsg, Message, RemoveUserMsg},
    model::User,
    rules::names::{check_id, check_name},
};

/// An unknown user, led by `go`: the words of Go's handler.
fn unknown(go: &str, colony: &str, name: &str) -> Error {
    not_found(format!("{go}: user with name <{name}> in Colony <{colony}> does not exist"))
}

/// `addusermsg`: the colony owner adds a user.
pub async fn add<H: Host>(cx: Cx<'_, H>, m: AddUserMsg) -> Result<User, Error> {
    let mut conn = cx.db().await?;
    authorize(&mut conn, AddUserMsg::ROLE, cx.caller, &m.user.colonyname).await?;
    check_name("user", &m.user.name).map_err(|e| bad_request(e.to_string()))?;
    check_id("user", &m.user.userid).map_err(|e| bad_request(e.to_string()))?;
    let (client, _) = conn.parts();
    if store::users::insert(&*client, &m.user).await? {
        Ok(m.user)
    } else {
        let u = &m.user;
        let same_name = store::users::by_name(&*client, &u.colonyname, &u.name).await?;
        Err(bad_request(if same_name.is_some() {
            format!(
                "A user with name <{}> already exists in Colony with name <{}>",
                u.name, u.colonyname
            )
        } else {
            format!(
                "A user with Id <{}> already exists in Colony with name <{}>",
                u.userid, u.colonyname
            )
        }))
    }
}

/// `getusersmsg`: every user of the colony, for any member.
pub async fn list<H: Host>(cx: Cx<'_, H>, m: GetUsersMsg) -> Result<Vec<User>, Error> {
    let mut db = cx.authorized::<GetUsersMsg>(&m.colonyname).await?;
    let client = db.client();
    Ok(store::users::list(&*client, &m.colonyname).await?)
}

/// `getusermsg`: one user by name, for any member.
pub async fn get<H: Host>(cx: Cx<'_, H>, m: GetUserMsg) -> Result<User, Error> {
    let mut db = cx.authorized::<GetUserMsg>(&m.colonyname).await?;
    let client = db.client();
    store::users::by_name(&*client, &m.colonyname, &m.name)
        .await?
        .ok_or_else(|| unknown("Failed to get user, user is nil", &m.colonyname, &m.name))
}

/// `getuserbyidmsg`: one user by key ID, for any member.
pub async fn get_by_id<H: Host>(cx: Cx<'_, H>, m: GetUserByIdMsg) -> Result<User, Error> {
    let mut db = cx.authorized::<GetUserByIdMsg>(&m.colonyname).await?;
    let client = db.client();
    store::users::by_id(&*client, &m.colonyname, &m.userid).await?.ok_or_else(|| {
        not_found(format!(
            "Failed to get user by ID, user is nil: user with ID {} does not exist",
            m.userid
        ))
    })
}

/// `removeusermsg`: the colony owner removes a user.
pub async fn remove<H: Host>(cx: Cx<'_, H>, m: RemoveUserMsg) -> Result<Empty, Error> {
    let mut db = cx.authorized::<RemoveUserMsg>(&m.colonyname).await?;
    let client = db.client();
    if store::users::remove(&*client, &m.colonyname, &m.name).await? {
        Ok(Empty {})
    } else {
        Err(not_found(format!("User with name <{}> not found", m.name)))
    }
}
