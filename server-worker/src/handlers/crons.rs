//! Crons (protocol §4.10): add, get, list, run now, remove; and [`sweep`], the periodic pass
//! over due crons and generators that hosts call every second.
//!
//! Differences from Go, on purpose: `runcronmsg` checks membership *before* it runs the
//! workflow (Go runs it, then refuses a non-member); an unknown cron is 404 (Go: 500); the
//! stored workflow's `colonyname` is always the cron's colony; an `interval` past `int4` is
//! 400 (Go: 500).

use super::{Cx, authorize, bad_request, not_found};
use crate::{db::DbConn, error::Error, host::Host, ids::new_id, store, wakeups::Wakeups};
use colonies_core::cron::CronExpr;
use colonies_core::graph::{self};
use colonies_core::{
    message::{AddCronMsg, Empty, GetCronMsg, GetCronsMsg, Message, RemoveCronMsg, RunCronMsg},
    model::{Cron, ExecutorState, WorkflowSpec},
    rules::ranges::check_cron_interval,
};
use tokio_postgres::Client;

/// Checks a workflow spec given as a JSON string (as crons and generators store it) by
/// building it once.
pub fn check_workflow(json: &str, colony: &str) -> Result<(), Error> {
    let mut spec: WorkflowSpec = colonies_core::gojson::from_str(json)
        .map_err(|e| bad_request(format!("workflowspec is not a valid WorkflowSpec: {e}")))?;
    spec.colonyname = colony.into();
    Ok(graph::check(spec)?)
}

/// The name of the caller in the authorised rows: its approved executor, else its user.
pub fn caller_name(rows: &store::auth::CallerRows) -> String {
    rows.executors
        .iter()
        .find(|e| e.state == ExecutorState::Approved)
        .map(|e| e.executorname.clone())
        .or_else(|| rows.users.first().map(|u| u.name.clone()))
        .unwrap_or_default()
}

/// `addcronmsg`: an approved member adds a cron. `interval` is -1, meaning "follow
/// `cronexpression`" (six fields, seconds first), which must parse, and `random` must then be
/// false; or 1 to 2³¹ − 1 seconds (Go stores an `INT`). The workflow must be valid;
/// `(colonyname, name)` is unique.
pub async fn add<H: Host>(cx: Cx<'_, H>, m: AddCronMsg) -> Result<Cron, Error> {
    let mut cron = m.cron;
    let mut conn = cx.db().await?;
    let rows = authorize(&mut conn, AddCronMsg::ROLE, cx.caller, &cron.colonyname).await?;
    if cron.name.is_empty() {
        return Err(bad_request("a cron needs a name"));
    }
    match cron.interval {
        0 => return Err(bad_request(INTERVAL)),
        -1 => {
            if cron.random {
                return Err(bad_request("Random cron is only supported when specifying intervals"));
            }
            CronExpr::parse(&cron.cronexpression).map_err(|e| bad_request(e.to_string()))?;
        }
        i if i < -1 => return Err(bad_request(format!("{INTERVAL}: {i}"))),
        i => check_cron_interval(i).map_err(|e| Error::new(e.status(), e.to_string()))?,
    }
    check_workflow(&cron.workflowspec, &cron.colonyname)?;
    cron.cronid = new_id()?;
    cron.initiatorid = cx.caller.into();
    cron.initiatorname = caller_name(&rows);
    cron.prevprocessgraphid = String::new();
    let (client, _) = conn.parts();
    let now_ns = store::graphs::now_ns(&*client).await?;
    let next = store::crons::next_run(&cron, now_ns.div_euclid(1_000_000_000));
    store::crons::insert(&*client, &cron, next).await.map_err(|e| {
        if e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) {
            bad_request(format!(
                "Cron with name <{}> in Colony <{}> already exists",
                cron.name, cron.colonyname
            ))
        } else {
            Error::from(e)
        }
    })?;
    store::crons::get(&*client, &cron.cronid)
        .await?
        .ok_or_else(|| not_found("the cron was removed meanwhile"))
}

/// Go's refusal of a cron interval.
const INTERVAL: &str = "Cron interval must be -1 (disabled) or larger than 0";

/// Reads a cron and checks the caller against its colony; an unknown cron is a 404 led by
/// `go`, the words of Go's handler.
async fn read<C: DbConn>(
    conn: &mut C,
    role: colonies_core::message::Role,
    caller: &str,
    id: &str,
    go: &str,
) -> Result<Cron, Error> {
    let cron = {
        let (client, _) = conn.parts();
        store::crons::get(&*client, id)
            .await?
            .ok_or_else(|| not_found(format!("{go}: cron with ID {id} does not exist")))?
    };
    authorize(conn, role, caller, &cron.colonyname).await?;
    Ok(cron)
}

/// `getcronmsg`: one cron with its `checkerperiod`; 404 when unknown (Go: 500).
pub async fn get<H: Host>(cx: Cx<'_, H>, m: GetCronMsg) -> Result<Cron, Error> {
    let mut conn = cx.db().await?;
    read(&mut conn, GetCronMsg::ROLE, cx.caller, &m.cronid, "Failed to get cron, cron is nil").await
}

/// `getcronsmsg`: up to `count` crons of the colony (`[]` when none).
pub async fn list<H: Host>(cx: Cx<'_, H>, m: GetCronsMsg) -> Result<Vec<Cron>, Error> {
    let mut conn = cx.db().await?;
    authorize(&mut conn, GetCronsMsg::ROLE, cx.caller, &m.colonyname).await?;
    if m.count < 0 {
        return Err(bad_request("count must not be negative"));
    }
    let (client, _) = conn.parts();
    Ok(store::crons::list(&*client, &m.colonyname, m.count).await?)
}

/// `runcronmsg`: a member starts the cron's workflow now (unless it waits for an unfinished
/// previous graph). Membership is checked first.
pub async fn run<H: Host>(cx: Cx<'_, H>, m: RunCronMsg) -> Result<Cron, Error> {
    let mut conn = cx.db().await?;
    read(&mut conn, RunCronMsg::ROLE, cx.caller, &m.cronid, "cron not found").await?;
    let (client, _) = conn.parts();
    let tx = client.transaction().await?;
    let cron = match store::crons::get_locked(&tx, &m.cronid).await? {
        Some(cron) => cron,
        None => return Err(not_found(format!("cron not found: cron with ID {}", m.cronid))),
    };
    let wake = store::crons::start(&tx, &cron).await?;
    let cron = store::crons::get(&tx, &m.cronid).await?.unwrap_or(cron);
    tx.commit().await?;
    drop(conn);
    for ready in wake {
        cx.host.wakeups().publish(ready);
    }
    Ok(cron)
}

/// `removecronmsg`: a member removes a cron (`all` is ignored, as in Go).
pub async fn remove<H: Host>(cx: Cx<'_, H>, m: RemoveCronMsg) -> Result<Empty, Error> {
    let mut conn = cx.db().await?;
    let go = "Failed to remove cron, cron is nil";
    read(&mut conn, RemoveCronMsg::ROLE, cx.caller, &m.cronid, go).await?;
    let (client, _) = conn.parts();
    store::crons::remove(&*client, &m.cronid).await?;
    Ok(Empty {})
}

/// One pass of the cron and generator sweeps on `client`, publishing the wakeups of the
/// workflows they started. Hosts call it every [`store::crons::CHECKER_PERIOD_MS`].
pub async fn sweep(
    client: &mut Client,
    wakeups: &impl Wakeups,
) -> Result<(), tokio_postgres::Error> {
    let crons = store::crons::sweep_crons(client).await;
    let generators = store::generators::sweep_generators(client).await;
    for ready in crons.iter().chain(generators.iter()).flatten() {
        wakeups.publish(ready.clone());
    }
    crons.and(generators).map(drop)
}
