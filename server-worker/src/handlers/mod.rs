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
pub mod e2e;
pub mod executors;
pub mod files;
pub mod functions;
pub mod generators;
pub mod graphs;
pub mod key_rotation;
pub mod locations;
pub mod logs;
pub mod mesh;
pub mod meta;
pub mod processes;
pub mod snapshots;
pub mod stats;
pub mod users;

use crate::{
    db::DbConn, error::Error, host::Host, store::auth::CallerRows, store::replay::NonceItem,
};
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

/// What a handler is given besides its message: the host, and the caller the signature was
/// recovered to (hex ID). Cheap to copy.
pub struct Cx<'a, H> {
    /// The host serving the request.
    pub host: &'a H,
    /// The caller's ID, as 64 hex characters.
    pub caller: &'a str,
    /// The request's replay binding, for the handlers of `dispatch::FOLDED` to record in
    /// the statement that makes their write (`None`: unbound, or already recorded).
    pub nonce: Option<&'a NonceItem>,
}

impl<H> Clone for Cx<'_, H> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<H> Copy for Cx<'_, H> {}

impl<'a, H: Host> Cx<'a, H> {
    /// A connection for this request; 503 when the database cannot be reached.
    pub async fn db(&self) -> Result<H::Conn, Error> {
        Ok(self.host.db().await?)
    }

    /// A connection, with the caller's rows for `colony` checked against the role of `M`
    /// (protocol §3): what most handlers start with.
    pub async fn authorized<M: Message>(&self, colony: &str) -> Result<Authorized<H::Conn>, Error> {
        let mut conn = self.db().await?;
        let rows = authorize(&mut conn, M::ROLE, self.caller, colony).await?;
        Ok(Authorized { conn, rows })
    }
}

/// A connection lent to a caller whose role was checked, and the caller's rows it was
/// checked against.
pub struct Authorized<C> {
    /// The connection.
    pub conn: C,
    /// The caller's rows in the colony (owner, executors, users).
    pub rows: CallerRows,
}

impl<C: DbConn> Authorized<C> {
    /// The connection's client.
    pub fn client(&mut self) -> &mut tokio_postgres::Client {
        self.conn.parts().0
    }
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
pub async fn route<H: Host>(
    host: &H,
    caller: &Id,
    msg: &RpcMsg,
    nonce: Option<&NonceItem>,
) -> Option<Outcome> {
    let kind = MessageKind::from_payload_type(&msg.payloadtype)?;
    let caller = caller.to_hex();
    let cx = Cx { host, caller: caller.as_str(), nonce };
    Some(match kind {
        MessageKind::GetStatistics => serve(msg, |m| meta::get_statistics(cx, m)).await,
        MessageKind::GetCluster => serve(msg, |m| meta::get_cluster(cx, m)).await,
        MessageKind::AddColony => serve(msg, |m| colonies::add(cx, m)).await,
        MessageKind::RemoveColony => serve(msg, |m| colonies::remove(cx, m)).await,
        MessageKind::GetColonies => serve(msg, |m| colonies::list(cx, m)).await,
        MessageKind::GetColony => serve(msg, |m| colonies::get(cx, m)).await,
        MessageKind::AddExecutor => serve(msg, |m| executors::add(cx, m)).await,
        MessageKind::GetExecutors => serve(msg, |m| executors::list(cx, m)).await,
        MessageKind::GetExecutor => serve(msg, |m| executors::get(cx, m)).await,
        MessageKind::GetExecutorById => serve(msg, |m| executors::get_by_id(cx, m)).await,
        MessageKind::ApproveExecutor => serve(msg, |m| executors::approve(cx, m)).await,
        MessageKind::RejectExecutor => serve(msg, |m| executors::reject(cx, m)).await,
        MessageKind::RemoveExecutor => serve(msg, |m| executors::remove(cx, m)).await,
        MessageKind::ReportAllocation => serve(msg, |m| executors::report_allocation(cx, m)).await,
        MessageKind::UpdateExecutor => serve(msg, |m| executors::update(cx, m)).await,
        MessageKind::AddUser => serve(msg, |m| users::add(cx, m)).await,
        MessageKind::GetUsers => serve(msg, |m| users::list(cx, m)).await,
        MessageKind::GetUser => serve(msg, |m| users::get(cx, m)).await,
        MessageKind::GetUserById => serve(msg, |m| users::get_by_id(cx, m)).await,
        MessageKind::RemoveUser => serve(msg, |m| users::remove(cx, m)).await,
        MessageKind::AddLocation => serve(msg, |m| locations::add(cx, m)).await,
        MessageKind::GetLocations => serve(msg, |m| locations::list(cx, m)).await,
        MessageKind::GetLocation => serve(msg, |m| locations::get(cx, m)).await,
        MessageKind::RemoveLocation => serve(msg, |m| locations::remove(cx, m)).await,
        MessageKind::AddFile => serve(msg, |m| files::add(cx, m)).await,
        MessageKind::GetFile => serve(msg, |m| files::get(cx, m)).await,
        MessageKind::GetFiles => serve(msg, |m| files::list(cx, m)).await,
        MessageKind::GetFileLabels => serve(msg, |m| files::labels(cx, m)).await,
        MessageKind::RemoveFile => serve(msg, |m| files::remove(cx, m)).await,
        MessageKind::CreateSnapshot => serve(msg, |m| snapshots::create(cx, m)).await,
        MessageKind::GetSnapshot => serve(msg, |m| snapshots::get(cx, m)).await,
        MessageKind::GetSnapshots => serve(msg, |m| snapshots::list(cx, m)).await,
        MessageKind::RemoveSnapshot => serve(msg, |m| snapshots::remove(cx, m)).await,
        MessageKind::RemoveAllSnapshots => serve(msg, |m| snapshots::remove_all(cx, m)).await,
        MessageKind::ChannelAppend => serve(msg, |m| channels::append(cx, m)).await,
        MessageKind::ChannelRead => serve(msg, |m| channels::read(cx, m)).await,
        MessageKind::AddBlueprintDefinition => {
            serve(msg, |m| blueprints::add_definition(cx, m)).await
        }
        MessageKind::GetBlueprintDefinition => {
            serve(msg, |m| blueprints::get_definition(cx, m)).await
        }
        MessageKind::GetBlueprintDefinitions => {
            serve(msg, |m| blueprints::list_definitions(cx, m)).await
        }
        MessageKind::RemoveBlueprintDefinition => {
            serve(msg, |m| blueprints::remove_definition(cx, m)).await
        }
        MessageKind::AddBlueprint => serve(msg, |m| blueprints::add(cx, m)).await,
        MessageKind::GetBlueprint => serve(msg, |m| blueprints::get(cx, m)).await,
        MessageKind::GetBlueprints => serve(msg, |m| blueprints::list(cx, m)).await,
        MessageKind::UpdateBlueprint => serve(msg, |m| blueprints::update(cx, m)).await,
        MessageKind::RemoveBlueprint => serve(msg, |m| blueprints::remove(cx, m)).await,
        MessageKind::GetBlueprintHistory => serve(msg, |m| blueprints::history(cx, m)).await,
        MessageKind::UpdateBlueprintStatus => {
            serve(msg, |m| blueprints::update_status(cx, m)).await
        }
        MessageKind::ReconcileBlueprint => serve(msg, |m| blueprints::reconcile(cx, m)).await,
        MessageKind::GetColonyStatistics => serve(msg, |m| stats::colony(cx, m)).await,
        MessageKind::SubmitFunctionSpec => serve(msg, |m| processes::submit(cx, m)).await,
        MessageKind::AssignProcess => serve(msg, |m| processes::assign(cx, m)).await,
        MessageKind::GetProcess => serve(msg, |m| processes::get(cx, m)).await,
        MessageKind::GetProcesses => serve(msg, |m| processes::list(cx, m)).await,
        MessageKind::GetProcessHistory => serve(msg, |m| processes::history(cx, m)).await,
        MessageKind::RemoveProcess => serve(msg, |m| processes::remove(cx, m)).await,
        MessageKind::RemoveAllProcesses => serve(msg, |m| processes::remove_all(cx, m)).await,
        MessageKind::CloseSuccessful => serve(msg, |m| processes::close_successful(cx, m)).await,
        MessageKind::CloseFailed => serve(msg, |m| processes::close_failed(cx, m)).await,
        MessageKind::SetOutput => serve(msg, |m| processes::set_output(cx, m)).await,
        MessageKind::CancelProcess => serve(msg, |m| processes::cancel(cx, m)).await,
        MessageKind::PauseAssignments => serve(msg, |m| processes::pause(cx, m)).await,
        MessageKind::ResumeAssignments => serve(msg, |m| processes::resume(cx, m)).await,
        MessageKind::GetPauseStatus => serve(msg, |m| processes::pause_status(cx, m)).await,
        MessageKind::AddAttribute => serve(msg, |m| attributes::add(cx, m)).await,
        MessageKind::GetAttribute => serve(msg, |m| attributes::get(cx, m)).await,
        MessageKind::AddFunction => serve(msg, |m| functions::add(cx, m)).await,
        MessageKind::GetFunctions => serve(msg, |m| functions::list(cx, m)).await,
        MessageKind::RemoveFunction => serve(msg, |m| functions::remove(cx, m)).await,
        MessageKind::ChangeUserId => serve(msg, |m| key_rotation::change_user_id(cx, m)).await,
        MessageKind::ChangeExecutorId => {
            serve(msg, |m| key_rotation::change_executor_id(cx, m)).await
        }
        MessageKind::ChangeColonyId => serve(msg, |m| key_rotation::change_colony_id(cx, m)).await,
        MessageKind::ChangeServerId => serve(msg, |m| key_rotation::change_server_id(cx, m)).await,
        MessageKind::AddLog => serve(msg, |m| logs::add(cx, m)).await,
        MessageKind::AddExecutorLog => serve(msg, |m| logs::add_for_executor(cx, m)).await,
        MessageKind::GetLogs => serve(msg, |m| logs::get(cx, m)).await,
        MessageKind::SearchLogs => serve(msg, |m| logs::search(cx, m)).await,
        MessageKind::SubmitWorkflowSpec => serve(msg, |m| graphs::submit(cx, m)).await,
        MessageKind::GetProcessGraph => serve(msg, |m| graphs::get(cx, m)).await,
        MessageKind::GetProcessGraphs => serve(msg, |m| graphs::list(cx, m)).await,
        MessageKind::RemoveProcessGraph => serve(msg, |m| graphs::remove(cx, m)).await,
        MessageKind::RemoveAllProcessGraphs => serve(msg, |m| graphs::remove_all(cx, m)).await,
        MessageKind::CancelProcessGraph => serve(msg, |m| graphs::cancel(cx, m)).await,
        MessageKind::AddChild => serve(msg, |m| graphs::add_child(cx, m)).await,
        MessageKind::AddCron => serve(msg, |m| crons::add(cx, m)).await,
        MessageKind::GetCron => serve(msg, |m| crons::get(cx, m)).await,
        MessageKind::GetCrons => serve(msg, |m| crons::list(cx, m)).await,
        MessageKind::RunCron => serve(msg, |m| crons::run(cx, m)).await,
        MessageKind::RemoveCron => serve(msg, |m| crons::remove(cx, m)).await,
        MessageKind::AddGenerator => serve(msg, |m| generators::add(cx, m)).await,
        MessageKind::GetGenerator => serve(msg, |m| generators::get(cx, m)).await,
        MessageKind::ResolveGenerator => serve(msg, |m| generators::resolve(cx, m)).await,
        MessageKind::GetGenerators => serve(msg, |m| generators::list(cx, m)).await,
        MessageKind::PackGenerator => serve(msg, |m| generators::pack(cx, m)).await,
        MessageKind::RemoveGenerator => serve(msg, |m| generators::remove(cx, m)).await,
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
) -> Result<CallerRows, Error> {
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
