//! Users (protocol §4.4): members without approval, managed by the colony owner.

use super::{authorize, bad_request, connect, db, not_found};
use crate::{
    host::{DbConn, Host},
    store,
};
use colonies_core::{
    Failure,
    message::{AddUserMsg, Empty, GetUserByIdMsg, GetUserMsg, GetUsersMsg, Message, RemoveUserMsg},
    model::User,
    rules::names::{check_id, check_name},
};

fn unknown(colony: &str, name: &str) -> Failure {
    not_found(format!("User with name {name} in Colony {colony} does not exist"))
}

/// `addusermsg`: the colony owner adds a user.
pub async fn add<H: Host>(host: &H, caller: &str, m: AddUserMsg) -> Result<User, Failure> {
    let mut conn = connect(host).await?;
    authorize(&mut conn, AddUserMsg::ROLE, caller, &m.user.colonyname).await?;
    check_name("user", &m.user.name).map_err(|e| bad_request(e.to_string()))?;
    check_id("user", &m.user.userid).map_err(|e| bad_request(e.to_string()))?;
    let (client, _) = conn.parts();
    if store::users::insert(&*client, &m.user).await.map_err(db)? {
        Ok(m.user)
    } else {
        Err(bad_request(format!(
            "A user with name {} or ID {} already exists in Colony {}",
            m.user.name, m.user.userid, m.user.colonyname
        )))
    }
}

/// `getusersmsg`: every user of the colony, for any member.
pub async fn list<H: Host>(host: &H, caller: &str, m: GetUsersMsg) -> Result<Vec<User>, Failure> {
    let mut conn = connect(host).await?;
    authorize(&mut conn, GetUsersMsg::ROLE, caller, &m.colonyname).await?;
    let (client, _) = conn.parts();
    store::users::list(&*client, &m.colonyname).await.map_err(db)
}

/// `getusermsg`: one user by name, for any member.
pub async fn get<H: Host>(host: &H, caller: &str, m: GetUserMsg) -> Result<User, Failure> {
    let mut conn = connect(host).await?;
    authorize(&mut conn, GetUserMsg::ROLE, caller, &m.colonyname).await?;
    let (client, _) = conn.parts();
    store::users::by_name(&*client, &m.colonyname, &m.name)
        .await
        .map_err(db)?
        .ok_or_else(|| unknown(&m.colonyname, &m.name))
}

/// `getuserbyidmsg`: one user by key ID, for any member.
pub async fn get_by_id<H: Host>(
    host: &H,
    caller: &str,
    m: GetUserByIdMsg,
) -> Result<User, Failure> {
    let mut conn = connect(host).await?;
    authorize(&mut conn, GetUserByIdMsg::ROLE, caller, &m.colonyname).await?;
    let (client, _) = conn.parts();
    store::users::by_id(&*client, &m.colonyname, &m.userid)
        .await
        .map_err(db)?
        .ok_or_else(|| not_found(format!("User with ID {} does not exist", m.userid)))
}

/// `removeusermsg`: the colony owner removes a user.
pub async fn remove<H: Host>(host: &H, caller: &str, m: RemoveUserMsg) -> Result<Empty, Failure> {
    let mut conn = connect(host).await?;
    authorize(&mut conn, RemoveUserMsg::ROLE, caller, &m.colonyname).await?;
    let (client, _) = conn.parts();
    if store::users::remove(&*client, &m.colonyname, &m.name).await.map_err(db)? {
        Ok(Empty {})
    } else {
        Err(unknown(&m.colonyname, &m.name))
    }
}
