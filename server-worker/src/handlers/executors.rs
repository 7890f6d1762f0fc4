//! Executors (protocol §4.3): registration by the colony owner, approval, soft removal.

use super::{Cx, authorize, bad_request, connect, not_found};
use crate::{
    db::DbConn,
    error::Error,
    host::Host,
    store::{self, auth::caller_rows},
    wakeups::{Ready, Wakeups},
};
use colonies_core::{
    message::{
        AddExecutorMsg, ApproveExecutorMsg, Empty, GetExecutorByIdMsg, GetExecutorMsg,
        GetExecutorsMsg, Message, RejectExecutorMsg, RemoveExecutorMsg, ReportAllocationMsg,
        UpdateExecutorMsg,
    },
    model::Executor,
    rules::{
        AuthError,
        names::{check_id, check_name, check_optional_name},
    },
};

fn invalid(e: impl core::fmt::Display) -> Error {
    bad_request(e.to_string())
}

/// An unknown executor, led by `go`: the words of Go's handler.
fn unknown(go: &str, colony: &str, name: &str) -> Error {
    not_found(format!("{go}: executor with name <{name}> in Colony <{colony}> does not exist"))
}

/// Go's words for an executor name that is not in the colony.
fn no_such_name(name: &str) -> String {
    format!("Executor with name <{name}> does not exist")
}

/// `addexecutormsg`: the colony owner registers an executor, PENDING until approved.
///
/// `commissiontime` and `lastheardfromtime` are set by the server, not taken from the client:
/// a client clock must not decide when the executor counts as stale.
pub async fn add<H: Host>(cx: Cx<'_, H>, m: AddExecutorMsg) -> Result<Executor, Error> {
    let e = &m.executor;
    let mut conn = cx.db().await?;
    authorize(&mut conn, AddExecutorMsg::ROLE, cx.caller, &e.colonyname).await?;
    check_name("executor", &e.executorname).map_err(invalid)?;
    check_name("executor type", &e.executortype).map_err(invalid)?;
    check_optional_name("location", &e.locationname).map_err(invalid)?;
    check_id("executor", &e.executorid).map_err(invalid)?;
    let replace = cx.host.config().allow_executor_reregister;
    let (client, _) = conn.parts();
    let tx = client.transaction().await?;
    let mut requeued = Vec::new();
    if replace {
        // The old executor goes first (its functions, its running processes), as on removal.
        requeued = store::executors::remove(&tx, &e.colonyname, &e.executorname)
            .await?
            .unwrap_or_default();
    }
    let Some(stored) = store::executors::insert(&tx, e, replace).await? else {
        return Err(bad_request(format!(
            "Executor with name <{}> in Colony <{}> already exists",
            e.executorname, e.colonyname
        )));
    };
    tx.commit().await?;
    publish_requeued(cx.host, &e.colonyname, requeued);
    Ok(stored)
}

fn publish_requeued<H: Host>(host: &H, colony: &str, requeued: Vec<store::executors::Requeued>) {
    for p in requeued {
        host.wakeups().publish(Ready {
            colony: colony.into(),
            executor_type: p.executor_type,
            executor_names: p.executor_names,
            location: p.location,
        });
    }
}

/// `getexecutorsmsg`: every executor of the colony, removed ones included, for any member.
pub async fn list<H: Host>(cx: Cx<'_, H>, m: GetExecutorsMsg) -> Result<Vec<Executor>, Error> {
    let mut db = cx.authorized::<GetExecutorsMsg>(&m.colonyname).await?;
    let client = db.client();
    Ok(store::executors::list(&*client, &m.colonyname).await?)
}

/// `getexecutormsg`: one executor by name, for approved members.
pub async fn get<H: Host>(cx: Cx<'_, H>, m: GetExecutorMsg) -> Result<Executor, Error> {
    let mut db = cx.authorized::<GetExecutorMsg>(&m.colonyname).await?;
    let client = db.client();
    store::executors::by_name(&*client, &m.colonyname, &m.executorname).await?.ok_or_else(|| {
        unknown("Failed to get executor, executor is nil", &m.colonyname, &m.executorname)
    })
}

/// `getexecutorbyidmsg`: one executor by key ID, for approved members of its colony.
pub async fn get_by_id<H: Host>(cx: Cx<'_, H>, m: GetExecutorByIdMsg) -> Result<Executor, Error> {
    let mut db = cx.authorized::<GetExecutorByIdMsg>(&m.colonyname).await?;
    let client = db.client();
    store::executors::by_id(&*client, &m.colonyname, &m.executorid).await?.ok_or_else(|| {
        not_found(format!(
            "Failed to get executor by ID, executor is nil: executor with ID {} does not exist",
            m.executorid
        ))
    })
}

async fn set_state<H: Host>(
    host: &H,
    caller: &str,
    role: colonies_core::message::Role,
    colony: &str,
    name: &str,
    state: i16,
) -> Result<Empty, Error> {
    let mut conn = connect(host).await?;
    authorize(&mut conn, role, caller, colony).await?;
    let (client, _) = conn.parts();
    // A removed executor stays removed: approving it would revive a key its owner dropped.
    if store::executors::set_state(&*client, colony, name, state).await? {
        Ok(Empty {})
    } else {
        let go = if state == 1 {
            "Failed to approve executor, executor is nil"
        } else {
            "Failed to reject executor, executor is nil"
        };
        Err(unknown(go, colony, name))
    }
}

/// `approveexecutormsg`: the colony owner approves an executor.
pub async fn approve<H: Host>(cx: Cx<'_, H>, m: ApproveExecutorMsg) -> Result<Empty, Error> {
    set_state(cx.host, cx.caller, ApproveExecutorMsg::ROLE, &m.colonyname, &m.executorname, 1).await
}

/// `rejectexecutormsg`: the colony owner rejects an executor.
pub async fn reject<H: Host>(cx: Cx<'_, H>, m: RejectExecutorMsg) -> Result<Empty, Error> {
    set_state(cx.host, cx.caller, RejectExecutorMsg::ROLE, &m.colonyname, &m.executorname, 2).await
}

/// `removeexecutormsg`: the colony owner removes an executor (soft: UNREGISTERED); its
/// running processes go back to WAITING and wake waiting executors.
pub async fn remove<H: Host>(cx: Cx<'_, H>, m: RemoveExecutorMsg) -> Result<Empty, Error> {
    let mut db = cx.authorized::<RemoveExecutorMsg>(&m.colonyname).await?;
    let client = db.client();
    let tx = client.transaction().await?;
    let requeued =
        store::executors::remove(&tx, &m.colonyname, &m.executorname).await?.ok_or_else(|| {
            unknown("Failed to remove executor, executor is nil", &m.colonyname, &m.executorname)
        })?;
    tx.commit().await?;
    publish_requeued(cx.host, &m.colonyname, requeued);
    Ok(Empty {})
}

/// Checks that the caller is the executor `name` of `colony` (approved or not); `not_self`
/// is Go's refusal when `name` is another executor.
async fn require_self<C: DbConn>(
    conn: &mut C,
    role: colonies_core::message::Role,
    caller: &str,
    colony: &str,
    name: &str,
    not_self: &str,
) -> Result<(), Error> {
    let (client, _) = conn.parts();
    let rows = caller_rows(&*client, caller, colony).await?;
    match rows.check(role, caller, None, Some(name)) {
        Ok(()) => Ok(()),
        Err(AuthError::NotSelf) => {
            Err(match store::executors::by_name(&*client, colony, name).await? {
                Some(_) => Error::new(403, not_self),
                None => Error::new(403, no_such_name(name)),
            })
        }
        Err(e) => Err(rows.refusal(e).into()),
    }
}

/// `reportallocationmsg`: an executor reports its own allocations.
pub async fn report_allocation<H: Host>(
    cx: Cx<'_, H>,
    m: ReportAllocationMsg,
) -> Result<Empty, Error> {
    let mut conn = cx.db().await?;
    let not_self = "Only an executor can report allocations to itself";
    let (colony, name) = (&m.colonyname, &m.executorname);
    require_self(&mut conn, ReportAllocationMsg::ROLE, cx.caller, colony, name, not_self).await?;
    let json = serde_json::to_string(&m.allocations).unwrap_or_default();
    let (client, _) = conn.parts();
    if store::executors::set_allocations(&*client, &m.colonyname, &m.executorname, &json).await? {
        Ok(Empty {})
    } else {
        Err(not_found(no_such_name(&m.executorname)))
    }
}

/// `updateexecutormsg`: an executor replaces its own capabilities.
pub async fn update<H: Host>(cx: Cx<'_, H>, m: UpdateExecutorMsg) -> Result<Empty, Error> {
    let mut conn = cx.db().await?;
    let not_self = "Only an executor can update its own capabilities";
    let (colony, name) = (&m.colonyname, &m.executorname);
    require_self(&mut conn, UpdateExecutorMsg::ROLE, cx.caller, colony, name, not_self).await?;
    let json = serde_json::to_string(&m.capabilities).unwrap_or_default();
    let (client, _) = conn.parts();
    if store::executors::set_capabilities(&*client, &m.colonyname, &m.executorname, &json).await? {
        Ok(Empty {})
    } else {
        Err(not_found(no_such_name(&m.executorname)))
    }
}
