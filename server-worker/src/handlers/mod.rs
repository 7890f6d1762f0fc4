//! One module per concept; each handler decodes its message, authorises the caller against
//! rows read from Postgres, acts in one transaction, and returns the reply model.
//!
//! [`route`] is the registry: the one place that says which payloadtypes are served and by
//! which function.

pub mod colonies;
pub mod executors;
pub mod locations;
pub mod meta;
pub mod processes;
pub mod users;

use crate::host::{DbConn, Host};
use colonies_core::{
    Failure, Id, RpcMsg,
    message::{Message, MessageKind, Transport, reply_to_json},
};
use core::future::Future;

/// A success reply: its payloadtype (usually the request's) and its JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The reply's payloadtype.
    pub payloadtype: String,
    /// The reply payload JSON (before base64).
    pub json: String,
}

/// What every handler returns.
pub type Outcome = Result<Reply, Failure>;

/// 400: the request is wrong.
pub fn bad_request(message: impl Into<String>) -> Failure {
    Failure::new(400, message)
}

/// 404: the thing asked for is not there.
pub fn not_found(message: impl Into<String>) -> Failure {
    Failure::new(404, message)
}

/// A database error as a reply (see [`crate::store::db_failure`]).
pub fn db(error: tokio_postgres::Error) -> Failure {
    crate::store::db_failure(&error)
}

/// A connection for this request; 503 when the database cannot be reached.
pub async fn connect<H: Host>(host: &H) -> Result<H::Conn, Failure> {
    host.db().await.map_err(|e| Failure::new(503, e.0))
}

/// Decodes the payload as `M` (checking its msgtype), runs `handler`, encodes the reply.
async fn serve<M, F, Fut>(msg: &RpcMsg, handler: F) -> Outcome
where
    M: Message,
    F: FnOnce(M) -> Fut,
    Fut: Future<Output = Result<M::Reply, Failure>>,
{
    let message: M = msg.open().map_err(|e| e.to_failure())?;
    let reply = handler(message).await?;
    Ok(Reply { payloadtype: M::REPLY_PAYLOAD_TYPE.into(), json: reply_to_json::<M>(&reply) })
}

/// Runs the handler of a signed request, or `None` when nothing here serves its payloadtype
/// (unknown, WebSocket-only, or not implemented yet).
pub async fn route<H: Host>(host: &H, caller: &Id, msg: &RpcMsg) -> Option<Outcome> {
    let kind = MessageKind::from_payload_type(&msg.payloadtype)?;
    if kind.transport() != Transport::Api {
        return None;
    }
    let caller = caller.to_hex();
    let caller = caller.as_str();
    Some(match kind {
        MessageKind::GetStatistics => serve(msg, |m| meta::get_statistics(host, caller, m)).await,
        MessageKind::GetCluster => serve(msg, |m| meta::get_cluster(host, caller, m)).await,
        MessageKind::AddColony => serve(msg, |m| colonies::add(host, caller, m)).await,
        MessageKind::RemoveColony => serve(msg, |m| colonies::remove(host, caller, m)).await,
        MessageKind::GetColonies => serve(msg, |m| colonies::list(host, caller, m)).await,
        MessageKind::GetColony => serve(msg, |m| colonies::get(host, caller, m)).await,
        MessageKind::AddExecutor => serve(msg, |m| executors::add(host, caller, m)).await,
        MessageKind::GetExecutors => serve(msg, |m| executors::list(host, caller, m)).await,
        MessageKind::GetExecutor => serve(msg, |m| executors::get(host, caller, m)).await,
        MessageKind::GetExecutorById => serve(msg, |m| executors::get_by_id(host, caller, m)).await,
        MessageKind::ApproveExecutor => serve(msg, |m| executors::approve(host, caller, m)).await,
        MessageKind::RejectExecutor => serve(msg, |m| executors::reject(host, caller, m)).await,
        MessageKind::RemoveExecutor => serve(msg, |m| executors::remove(host, caller, m)).await,
        MessageKind::ReportAllocation => {
            serve(msg, |m| executors::report_allocation(host, caller, m)).await
        }
        MessageKind::UpdateExecutor => serve(msg, |m| executors::update(host, caller, m)).await,
        MessageKind::AddUser => serve(msg, |m| users::add(host, caller, m)).await,
        MessageKind::GetUsers => serve(msg, |m| users::list(host, caller, m)).await,
        MessageKind::GetUser => serve(msg, |m| users::get(host, caller, m)).await,
        MessageKind::GetUserById => serve(msg, |m| users::get_by_id(host, caller, m)).await,
        MessageKind::RemoveUser => serve(msg, |m| users::remove(host, caller, m)).await,
        MessageKind::AddLocation => serve(msg, |m| locations::add(host, caller, m)).await,
        MessageKind::GetLocations => serve(msg, |m| locations::list(host, caller, m)).await,
        MessageKind::GetLocation => serve(msg, |m| locations::get(host, caller, m)).await,
        MessageKind::RemoveLocation => serve(msg, |m| locations::remove(host, caller, m)).await,
        _ => return None,
    })
}

/// The caller's rows for `colony` on `conn`, checked against the message's role.
pub async fn authorize<C: DbConn>(
    conn: &mut C,
    role: colonies_core::message::Role,
    caller: &str,
    colony: &str,
) -> Result<crate::store::auth::CallerRows, Failure> {
    let (client, _) = conn.parts();
    let rows = crate::store::auth::caller_rows(&*client, caller, colony).await.map_err(db)?;
    rows.require(role, caller, None, None)?;
    Ok(rows)
}
