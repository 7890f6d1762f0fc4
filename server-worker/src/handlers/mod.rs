//! One module per concept; each handler decodes its message, authorises the caller against
//! rows read from Postgres, acts in one transaction, and returns the reply model.
//!
//! [`route`] is the registry: the one place that says which payloadtypes are served and by
//! which function.

pub mod attributes;
pub mod blueprints;
pub mod channels;
pub mod colonies;
pub mod crons;
pub mod executors;
pub mod files;
pub mod functions;
pub mod generators;
pub mod graphs;
pub mod key_rotation;
pub mod locations;
pub mod logs;
pub mod meta;
pub mod processes;
pub mod snapshots;
pub mod stats;
pub mod users;

use crate::{db::DbConn, error::Error, host::Host};
use colonies_core::{
    Id, RpcMsg,
    message::{Message, MessageKind, reply_to_json},
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
pub type Outcome = Result<Reply, Error>;

/// 400: the request is wrong.
pub fn bad_request(message: impl Into<String>) -> Error {
    Error::new(400, message)
}

/// 404: the thing asked for is not there.
pub fn not_found(message: impl Into<String>) -> Error {
    Error::new(404, message)
}

/// A connection for this request; 503 when the database cannot be reached.
pub async fn connect<H: Host>(host: &H) -> Result<H::Conn, Error> {
    host.db().await.map_err(|e| Error::new(503, e.0))
}

/// Decodes the payload as `M` (checking its msgtype), runs `handler`, encodes the reply.
async fn serve<M, F, Fut>(msg: &RpcMsg, handler: F) -> Outcome
where
    M: Message,
    F: FnOnce(M) -> Fut,
    Fut: Future<Output = Result<M::Reply, Error>>,
{
    let message: M = msg.open()?;
    let reply = handler(message).await?;
    Ok(Reply { payloadtype: M::REPLY_PAYLOAD_TYPE.into(), json: reply_to_json::<M>(&reply) })
}

/// Runs the handler of a signed request, or `None` when nothing here serves its payloadtype
/// (unknown, or not an `/api` one).
///
/// The match names every [`MessageKind`] and has no wildcard: a payloadtype added to the
/// protocol table (colonies-core's `message::kind`) does not compile until it is routed
/// here, or said to be answered elsewhere.
pub async fn route<H: Host>(host: &H, caller: &Id, msg: &RpcMsg) -> Option<Outcome> {
    let kind = MessageKind::from_payload_type(&msg.payloadtype)?;
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
        MessageKind::AddFile => serve(msg, |m| files::add(host, caller, m)).await,
        MessageKind::GetFile => serve(msg, |m| files::get(host, caller, m)).await,
        MessageKind::GetFiles => serve(msg, |m| files::list(host, caller, m)).await,
        MessageKind::GetFileLabels => serve(msg, |m| files::labels(host, caller, m)).await,
        MessageKind::RemoveFile => serve(msg, |m| files::remove(host, caller, m)).await,
        MessageKind::CreateSnapshot => serve(msg, |m| snapshots::create(host, caller, m)).await,
        MessageKind::GetSnapshot => serve(msg, |m| snapshots::get(host, caller, m)).await,
        MessageKind::GetSnapshots => serve(msg, |m| snapshots::list(host, caller, m)).await,
        MessageKind::RemoveSnapshot => serve(msg, |m| snapshots::remove(host, caller, m)).await,
        MessageKind::RemoveAllSnapshots => {
            serve(msg, |m| snapshots::remove_all(host, caller, m)).await
        }
        MessageKind::ChannelAppend => serve(msg, |m| channels::append(host, caller, m)).await,
        MessageKind::ChannelRead => serve(msg, |m| channels::read(host, caller, m)).await,
        MessageKind::AddBlueprintDefinition => {
            serve(msg, |m| blueprints::add_definition(host, caller, m)).await
        }
        MessageKind::GetBlueprintDefinition => {
            serve(msg, |m| blueprints::get_definition(host, caller, m)).await
        }
        MessageKind::GetBlueprintDefinitions => {
            serve(msg, |m| blueprints::list_definitions(host, caller, m)).await
        }
        MessageKind::RemoveBlueprintDefinition => {
            serve(msg, |m| blueprints::remove_definition(host, caller, m)).await
        }
        MessageKind::AddBlueprint => serve(msg, |m| blueprints::add(host, caller, m)).await,
        MessageKind::GetBlueprint => serve(msg, |m| blueprints::get(host, caller, m)).await,
        MessageKind::GetBlueprints => serve(msg, |m| blueprints::list(host, caller, m)).await,
        MessageKind::UpdateBlueprint => serve(msg, |m| blueprints::update(host, caller, m)).await,
        MessageKind::RemoveBlueprint => serve(msg, |m| blueprints::remove(host, caller, m)).await,
        MessageKind::GetBlueprintHistory => {
            serve(msg, |m| blueprints::history(host, caller, m)).await
        }
        MessageKind::UpdateBlueprintStatus => {
            serve(msg, |m| blueprints::update_status(host, caller, m)).await
        }
        MessageKind::ReconcileBlueprint => {
            serve(msg, |m| blueprints::reconcile(host, caller, m)).await
        }
        MessageKind::GetColonyStatistics => serve(msg, |m| stats::colony(host, caller, m)).await,
        MessageKind::SubmitFunctionSpec => serve(msg, |m| processes::submit(host, caller, m)).await,
        MessageKind::AssignProcess => serve(msg, |m| processes::assign(host, caller, m)).await,
        MessageKind::GetProcess => serve(msg, |m| processes::get(host, caller, m)).await,
        MessageKind::GetProcesses => serve(msg, |m| processes::list(host, caller, m)).await,
        MessageKind::GetProcessHistory => serve(msg, |m| processes::history(host, caller, m)).await,
        MessageKind::RemoveProcess => serve(msg, |m| processes::remove(host, caller, m)).await,
        MessageKind::RemoveAllProcesses => {
            serve(msg, |m| processes::remove_all(host, caller, m)).await
        }
        MessageKind::CloseSuccessful => {
            serve(msg, |m| processes::close_successful(host, caller, m)).await
        }
        MessageKind::CloseFailed => serve(msg, |m| processes::close_failed(host, caller, m)).await,
        MessageKind::SetOutput => serve(msg, |m| processes::set_output(host, caller, m)).await,
        MessageKind::CancelProcess => serve(msg, |m| processes::cancel(host, caller, m)).await,
        MessageKind::PauseAssignments => serve(msg, |m| processes::pause(host, caller, m)).await,
        MessageKind::ResumeAssignments => serve(msg, |m| processes::resume(host, caller, m)).await,
        MessageKind::GetPauseStatus => {
            serve(msg, |m| processes::pause_status(host, caller, m)).await
        }
        MessageKind::AddAttribute => serve(msg, |m| attributes::add(host, caller, m)).await,
        MessageKind::GetAttribute => serve(msg, |m| attributes::get(host, caller, m)).await,
        MessageKind::AddFunction => serve(msg, |m| functions::add(host, caller, m)).await,
        MessageKind::GetFunctions => serve(msg, |m| functions::list(host, caller, m)).await,
        MessageKind::RemoveFunction => serve(msg, |m| functions::remove(host, caller, m)).await,
        MessageKind::ChangeUserId => {
            serve(msg, |m| key_rotation::change_user_id(host, caller, m)).await
        }
        MessageKind::ChangeExecutorId => {
            serve(msg, |m| key_rotation::change_executor_id(host, caller, m)).await
        }
        MessageKind::ChangeColonyId => {
            serve(msg, |m| key_rotation::change_colony_id(host, caller, m)).await
        }
        MessageKind::ChangeServerId => {
            serve(msg, |m| key_rotation::change_server_id(host, caller, m)).await
        }
        MessageKind::AddLog => serve(msg, |m| logs::add(host, caller, m)).await,
        MessageKind::AddExecutorLog => {
            serve(msg, |m| logs::add_for_executor(host, caller, m)).await
        }
        MessageKind::GetLogs => serve(msg, |m| logs::get(host, caller, m)).await,
        MessageKind::SearchLogs => serve(msg, |m| logs::search(host, caller, m)).await,
        MessageKind::SubmitWorkflowSpec => serve(msg, |m| graphs::submit(host, caller, m)).await,
        MessageKind::GetProcessGraph => serve(msg, |m| graphs::get(host, caller, m)).await,
        MessageKind::GetProcessGraphs => serve(msg, |m| graphs::list(host, caller, m)).await,
        MessageKind::RemoveProcessGraph => serve(msg, |m| graphs::remove(host, caller, m)).await,
        MessageKind::RemoveAllProcessGraphs => {
            serve(msg, |m| graphs::remove_all(host, caller, m)).await
        }
        MessageKind::CancelProcessGraph => serve(msg, |m| graphs::cancel(host, caller, m)).await,
        MessageKind::AddChild => serve(msg, |m| graphs::add_child(host, caller, m)).await,
        MessageKind::AddCron => serve(msg, |m| crons::add(host, caller, m)).await,
        MessageKind::GetCron => serve(msg, |m| crons::get(host, caller, m)).await,
        MessageKind::GetCrons => serve(msg, |m| crons::list(host, caller, m)).await,
        MessageKind::RunCron => serve(msg, |m| crons::run(host, caller, m)).await,
        MessageKind::RemoveCron => serve(msg, |m| crons::remove(host, caller, m)).await,
        MessageKind::AddGenerator => serve(msg, |m| generators::add(host, caller, m)).await,
        MessageKind::GetGenerator => serve(msg, |m| generators::get(host, caller, m)).await,
        MessageKind::ResolveGenerator => serve(msg, |m| generators::resolve(host, caller, m)).await,
        MessageKind::GetGenerators => serve(msg, |m| generators::list(host, caller, m)).await,
        MessageKind::PackGenerator => serve(msg, |m| generators::pack(host, caller, m)).await,
        MessageKind::RemoveGenerator => serve(msg, |m| generators::remove(host, caller, m)).await,
        // Unsigned: answered by `dispatch` before any signature work.
        MessageKind::Version | MessageKind::GetServerInfo => return None,
        // WebSocket only: answered on `/pubsub` (the `pubsub` module).
        MessageKind::SubscribeProcesses
        | MessageKind::SubscribeProcess
        | MessageKind::SubscribeChannel => return None,
    })
}

/// The caller's rows for `colony` on `conn`, checked against the message's role.
pub async fn authorize<C: DbConn>(
    conn: &mut C,
    role: colonies_core::message::Role,
    caller: &str,
    colony: &str,
) -> Result<crate::store::auth::CallerRows, Error> {
    let (client, _) = conn.parts();
    let rows = crate::store::auth::caller_rows(&*client, caller, colony).await?;
    rows.require(role, caller, None, None)?;
    Ok(rows)
}

/// Wakes executors for processes a deadline put back to WAITING.
pub fn publish_requeued<H: Host>(host: &H, sweep: crate::store::deadlines::Sweep) {
    for ready in sweep.requeued {
        crate::wakeups::Wakeups::publish(host.wakeups(), ready);
    }
}

/// Reads a process with the caller's facts, first applying any deadline that has passed
/// (so a result never depends on when the sweep last ran). 404 if there is no such process.
pub async fn read_process<H: Host>(
    host: &H,
    client: &mut tokio_postgres::Client,
    statements: &<H::Conn as DbConn>::Statements,
    caller: &str,
    process_id: &str,
) -> Result<crate::store::processes::ProcessFacts, Error> {
    let facts = crate::store::processes::with_facts(client, statements, caller, process_id)
        .await?
        .ok_or_else(|| unknown_process(process_id))?;
    if !facts.expired {
        return Ok(facts);
    }
    let tx = client.transaction().await?;
    let sweep = crate::store::deadlines::expire_process(&tx, process_id).await?;
    tx.commit().await?;
    publish_requeued(host, sweep);
    crate::store::processes::with_facts(client, statements, caller, process_id)
        .await?
        .ok_or_else(|| unknown_process(process_id))
}

/// 404 for a process that is not there, in Go's words.
pub fn unknown_process(id: &str) -> Error {
    not_found(format!("Process with ID {id} does not exist"))
}
