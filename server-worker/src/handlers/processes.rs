//! Processes (protocol §4.5): submit, assign (with long poll), get, list, history, close,
//! output, cancel, removal, pause and resume.
//!
//! The hot path (submit → assign → close) reads the caller's facts and the process in one
//! round trip through the statement cache and writes with one guarded statement; nothing
//! there needs an explicit transaction. A write that finds the process changed since it was
//! read changes nothing, and the request is evaluated once more against the new state.
//!
//! Numbers are checked before they reach SQL ([`colonies_core::rules::ranges`]): a spec's
//! numbers past `int4` and `getprocesshistmsg`'s `seconds` outside `[0, 2³¹ − 1]` are 400s
//! (Go: database errors, 500); an assign long poll lasts at most a day.

use super::{Cx, authorize, bad_request, connect, not_found, read_process as read};
use crate::{
    db::DbConn,
    error::Error,
    host::Host,
    ids::new_id,
    longpoll::{self, LongPoll, Next},
    store::{
        self,
        processes::{ListFilter, Submission, SuccessfulClose},
    },
    wakeups::{Ready, Wakeups},
};
use colonies_core::graph::{self, Initiator};
use colonies_core::{
    Failure,
    message::{
        AssignProcessMsg, CancelProcessMsg, CloseFailedMsg, CloseSuccessfulMsg, Empty,
        GetPauseStatusMsg, GetProcessHistoryMsg, GetProcessMsg, GetProcessesMsg, Message,
        PauseAssignmentsMsg, RemoveAllProcessesMsg, RemoveProcessMsg, ResumeAssignmentsMsg,
        SetOutputMsg, SubmitFunctionSpecMsg,
    },
    model::{PauseStatus, Process, StateFilter},
    rules::{
        AuthError, RangeError,
        lifecycle::{self, Transition, TransitionError},
        ranges,
        resources::{parse_cpu, parse_memory},
    },
};

/// Most processes one `getprocessesmsg` returns.
pub const MAX_COUNT: i64 = 100;

fn range(e: RangeError) -> Error {
    Error::new(e.status(), e.to_string())
}

fn transition(e: TransitionError) -> Error {
    Error::new(e.status(), e.to_string())
}

/// [`read`]'s 404 led by `go`, the words of Go's handler for an unknown process.
pub fn unknown_as(go: &'static str) -> impl FnOnce(Error) -> Error {
    move |e| match e {
        Error::Refused(f) if f.status == 404 => not_found(format!("{go}: {}", f.message)),
        e => e,
    }
}

/// Go's refusal of a close by an executor the process is not assigned to: `as_what` is
/// "successful" or "failed".
fn not_assigned(as_what: &str, process: &Process) -> Error {
    let why = if process.assignedexecutorid.is_empty() {
        "process is not assigned".to_owned()
    } else {
        format!("not allowed to close process as {as_what}")
    };
    Error::new(403, format!("Failed to close process as {as_what}, {why}"))
}

/// `submitfuncspecmsg`: an approved member of `spec.conditions.colonyname` submits a spec; the
/// reply is the WAITING process. Resources are normalised (`"<n>m"`, `"<n>Mi"`), `["*"]`
/// becomes "any executor" (`[]`), and `env` becomes ENV attributes.
pub async fn submit<H: Host>(cx: Cx<'_, H>, m: SubmitFunctionSpecMsg) -> Result<Process, Error> {
    let colony = m.spec.conditions.colonyname.clone();
    // Built, checked and normalised as every process of a workflow is, in no graph; who
    // submitted it and when are the insert's to say.
    let initiator = Initiator { id: cx.caller.into(), name: String::new() };
    let node = graph::new_node(m.spec, &colony, "", &initiator, 0, &mut new_id)?;
    let (process, cpu, memory, storage) = (node.process, node.cpu, node.memory, node.storage);
    let ready = Ready::of(&process);
    // An executor of this server waiting for such a process gets it from the insert itself.
    let (offer, claim) = cx.host.wakeups().claim(&ready, cpu, memory).unzip();
    let mut row = Submission::new(&process, cpu, memory, storage, cx.caller, offer.as_deref());
    row.nonce = cx.nonce.cloned();
    if let Some(process) =
        cx.host.write_submit(crate::store::submits::Submit { process, row, ready, claim }).await?
    {
        // The submitter is answered with the process as submitted (WAITING), as Go does.
        return Ok(process);
    }
    // Not a member (the insert wrote nothing): say why, as the reading path does.
    let mut conn = cx.db().await?;
    let (client, statements) = conn.parts();
    let facts = store::processes::member_facts(client, &statements, cx.caller, &colony).await?;
    facts.rows.require(SubmitFunctionSpecMsg::ROLE, cx.caller, None, None)?;
    // Made a member in between: the caller may simply submit again.
    Err(Error::new(409, "the caller's membership changed during the submit; submit again"))
}

/// `assignprocessmsg`: an approved executor takes the waiting process it may run with the
/// lowest prioritytime. `timeout < 0` answers at once; `timeout > 0` waits up to that many
/// seconds (at most a day) for one to be submitted (woken by the host's wakeups, one waiter
/// per event). 404 when there is none; on a paused colony 503 at once, or 408 once the
/// timeout passes.
pub async fn assign<H: Host>(cx: Cx<'_, H>, mut m: AssignProcessMsg) -> Result<Process, Error> {
    // A long poll lasts a day at most (Go's `timeout * time.Second` overflows past ~292 years).
    m.timeout = ranges::assign_timeout(m.timeout);
    // Parsed before the statement, refused after authorisation (as Go orders it).
    let cpu = availability("availablecpu", &m.availablecpu, parse_cpu);
    let memory = availability("availablemem", &m.availablemem, parse_memory);
    let take = m.timeout != 0 && cpu.is_ok() && memory.is_ok();
    let free = (cpu.as_ref().map_or(0, |v| *v), memory.as_ref().map_or(0, |v| *v));
    let wakeups = cx.host.wakeups();
    let mut poll = LongPoll::start(wakeups, cx.caller, &m.colonyname, m.timeout, free, take);
    // Recorded by the first query; the queries of the same request after it carry none.
    let mut nonce = cx.nonce;
    loop {
        if let Some(process) = poll.before_query().await {
            return Ok(process);
        }
        let mark = poll.mark();
        let mut conn = cx.db().await?;
        let (client, statements) = conn.parts();
        let assigned = store::processes::assign(
            client,
            &statements,
            cx.caller,
            &m.colonyname,
            free,
            take,
            nonce,
        )
        .await?
        .ok_or_else(|| Error::new(500, "the assign statement returned no row"))?;
        if nonce.is_some() {
            let client = conn.parts().0;
            store::replay::after_folded(&*client, [(nonce, &assigned.nonce)]).await?;
        }
        drop(conn);
        store::replay::folded_verdict(nonce.take(), &assigned.nonce)?;
        assigned.rows.check(AssignProcessMsg::ROLE, cx.caller, None, None).map_err(|e| {
            // A user of the colony passes Go's membership check, then is no executor.
            if assigned.rows.users.is_empty() {
                assigned.rows.refusal(e).into()
            } else {
                Error::new(e.status(), "Failed to assign process, executor not found")
            }
        })?;
        if m.timeout == 0 {
            return Err(bad_request("Invalid timeout value, timeout cannot be zero"));
        }
        cpu.clone()?;
        memory.clone()?;
        if !assigned.paused {
            poll.note_query(mark, assigned.process.is_some());
        }
        if let Some(process) = assigned.process {
            return Ok(process);
        }
        let Some((name, executor_type, location)) = assigned.executor else {
            // Approved a moment ago, not any more.
            return Err(Error::new(
                403,
                format!("Access denied, not a member of Colony with name <{}>", m.colonyname),
            ));
        };
        let executor = longpoll::Executor { name, executor_type, location };
        match poll.after_empty(assigned.clock_ns, executor, assigned.paused).await {
            Next::Query => {}
            Next::Done(outcome) => return outcome.map(|process| *process),
        }
    }
}

/// An executor's free CPU or memory; empty means unlimited.
fn availability(
    field: &str,
    value: &str,
    parse: fn(&str) -> Result<i64, colonies_core::rules::ResourceError>,
) -> Result<i64, Failure> {
    if value.is_empty() {
        return Ok(i64::MAX);
    }
    parse(value).map_err(|e| Failure::new(e.status(), format!("{field}: {e}")))
}

/// `getprocessmsg`: one process, for approved members of its colony; 404 if unknown.
pub async fn get<H: Host>(cx: Cx<'_, H>, m: GetProcessMsg) -> Result<Process, Error> {
    let mut conn = cx.db().await?;
    let (client, statements) = conn.parts();
    let facts = read(cx.host, client, &statements, cx.caller, &m.processid)
        .await
        .map_err(unknown_as("Failed to get process, process not found"))?;
    facts.rows.require(GetProcessMsg::ROLE, cx.caller, None, None)?;
    Ok(facts.process)
}

/// `getprocessesmsg`: up to `count` (≤ 100) processes of the colony in `state`, filtered by
/// the first non-empty of executortype, initiator (a user name, which must exist) and label.
pub async fn list<H: Host>(cx: Cx<'_, H>, m: GetProcessesMsg) -> Result<Vec<Process>, Error> {
    let mut conn = cx.db().await?;
    authorize(&mut conn, GetProcessesMsg::ROLE, cx.caller, &m.colonyname).await?;
    if !(0..=MAX_COUNT).contains(&m.count) {
        return Err(bad_request(if m.count > MAX_COUNT {
            format!("Count is larger than MaxCount limit <{MAX_COUNT}>")
        } else {
            format!("count must be between 0 and {MAX_COUNT}")
        }));
    }
    let (client, _) = conn.parts();
    let filter = if !m.processgraphid.is_empty() {
        ListFilter::Graph(&m.processgraphid)
    } else if !m.executortype.is_empty() {
        ListFilter::ExecutorType(&m.executortype)
    } else if !m.initiator.is_empty() {
        if !store::processes::user_exists(&*client, &m.colonyname, &m.initiator).await? {
            return Err(bad_request(format!(
                "User <{}> does not exist in Colony with name <{}>",
                m.initiator, m.colonyname
            )));
        }
        ListFilter::Initiator(&m.initiator)
    } else if !m.label.is_empty() {
        ListFilter::Label(&m.label)
    } else {
        ListFilter::None
    };
    Ok(store::processes::list(&*client, &m.colonyname, m.state, filter, m.count).await?)
}

/// `getprocesshistmsg`: processes in `state` submitted in the last `seconds`, of the colony
/// or of one executor. Unlike Go, a refused caller gets a 403 reply, not an empty body, and
/// `seconds` outside `[0, 2³¹ − 1]` a 400 (Go: a database error, 500).
pub async fn history<H: Host>(
    cx: Cx<'_, H>,
    m: GetProcessHistoryMsg,
) -> Result<Vec<Process>, Error> {
    // Before any SQL: `now() - seconds * INTERVAL '1 second'` must stay a timestamp.
    ranges::check_history_seconds(m.seconds).map_err(range)?;
    let mut db = cx.authorized::<GetProcessHistoryMsg>(&m.colonyname).await?;
    let client = db.client();
    store::processes::history(&*client, &m.colonyname, &m.executorid, m.seconds, m.state)
        .await
        .map_err(Error::from)
}

/// `removeprocessmsg`: any approved member deletes a process that is neither running nor part
/// of a workflow.
pub async fn remove<H: Host>(cx: Cx<'_, H>, m: RemoveProcessMsg) -> Result<Empty, Error> {
    let mut conn = cx.db().await?;
    let (client, statements) = conn.parts();
    for _ in 0..2 {
        let facts = read(cx.host, client, &statements, cx.caller, &m.processid)
            .await
            .map_err(unknown_as("Failed to remove process, process is nil"))?;
        facts.rows.require(RemoveProcessMsg::ROLE, cx.caller, None, None)?;
        lifecycle::check_removable(facts.process.state, facts.process.in_workflow()).map_err(
            |e| match e {
                TransitionError::InWorkflow => bad_request(
                    "Failed to remove, cannot remove a process part of a workflow, delete the \
                     entire workflow instead",
                ),
                TransitionError::Running => {
                    bad_request("Failed to remove process, cannot remove a running process")
                }
                e => transition(e),
            },
        )?;
        if store::processes::remove(&*client, &m.processid).await? {
            return Ok(Empty {});
        }
    }
    Err(changed())
}

fn changed() -> Error {
    bad_request("the process changed while the request was served; try again")
}

/// `removeallprocessesmsg`: the colony owner deletes every process in a state (`-1`: all,
/// as in Go; running alone is refused) that belongs to no workflow (as in Go).
pub async fn remove_all<H: Host>(cx: Cx<'_, H>, m: RemoveAllProcessesMsg) -> Result<Empty, Error> {
    let mut conn = cx.db().await?;
    authorize(&mut conn, RemoveAllProcessesMsg::ROLE, cx.caller, &m.colonyname).await?;
    lifecycle::check_remove_all(m.state)
        .map_err(|_| bad_request("Not possible to remove running processes"))?;
    let state = match m.state {
        StateFilter::All => None,
        StateFilter::Only(state) => Some(store::processes::state_code(state)),
    };
    let (client, _) = conn.parts();
    store::processes::remove_all(&*client, &m.colonyname, state).await?;
    Ok(Empty {})
}

/// `closesuccessfulmsg`: the assigned executor closes its running process as SUCCESS. The
/// output is written only when the close is accepted (Go writes it even when it refuses the
/// close), and a closed process cannot be closed again (Go accepts a second success).
pub async fn close_successful<H: Host>(
    cx: Cx<'_, H>,
    m: CloseSuccessfulMsg,
) -> Result<Empty, Error> {
    let output = (!m.output.is_empty())
        .then(|| serde_json::to_string(&m.output))
        .transpose()
        .map_err(|e| bad_request(e.to_string()))?;
    let nonce = cx.nonce.cloned();
    let mut close =
        SuccessfulClose { process_id: m.processid, caller: cx.caller.into(), output, nonce };
    for _ in 0..2 {
        if cx.host.write_close(close.clone()).await?.is_some() {
            return Ok(Empty {});
        }
        // The nonce was recorded by the first try.
        close.nonce = None;
        // Refused: the facts say why (a passed deadline is applied first).
        let mut conn = cx.db().await?;
        let (client, statements) = conn.parts();
        let facts = read(cx.host, client, &statements, cx.caller, &close.process_id)
            .await
            .map_err(unknown_as("Failed to close process as successful, process is nil"))?;
        let process = Some(&facts.process);
        facts.rows.check(CloseSuccessfulMsg::ROLE, cx.caller, process, None).map_err(
            |e| match e {
                AuthError::NotAssigned => not_assigned("successful", &facts.process),
                e => facts.rows.refusal(e).into(),
            },
        )?;
        lifecycle::next_state(facts.process.state, Transition::CloseSuccessful)
            .map_err(transition)?;
    }
    Err(changed())
}

/// `closefailedmsg`: the assigned executor closes its process as FAILED with `errors`.
pub async fn close_failed<H: Host>(cx: Cx<'_, H>, m: CloseFailedMsg) -> Result<Empty, Error> {
    let mut conn = cx.db().await?;
    let (client, statements) = conn.parts();
    for _ in 0..2 {
        if store::processes::close_failed(client, &statements, &m.processid, cx.caller, &m.errors)
            .await?
            .is_some()
        {
            return Ok(Empty {});
        }
        let facts = read(cx.host, client, &statements, cx.caller, &m.processid)
            .await
            .map_err(unknown_as("Failed to close process as failed, process is nil"))?;
        let process = Some(&facts.process);
        facts.rows.check(CloseFailedMsg::ROLE, cx.caller, process, None).map_err(|e| match e {
            AuthError::NotAssigned => not_assigned("failed", &facts.process),
            e => facts.rows.refusal(e).into(),
        })?;
        lifecycle::next_state(facts.process.state, Transition::CloseFailed).map_err(transition)?;
    }
    Err(changed())
}

/// `setoutputmsg`: the assigned executor replaces the output of its running process
/// (403 when it is not running).
pub async fn set_output<H: Host>(cx: Cx<'_, H>, m: SetOutputMsg) -> Result<Empty, Error> {
    let output = serde_json::to_string(&m.output).map_err(|e| bad_request(e.to_string()))?;
    let mut conn = cx.db().await?;
    let (client, statements) = conn.parts();
    let facts = read(cx.host, client, &statements, cx.caller, &m.processid)
        .await
        .map_err(unknown_as("Failed to set output, process is nil"))?;
    // Go's handler words a foreign process as a close does.
    facts.rows.check(SetOutputMsg::ROLE, cx.caller, Some(&facts.process), None).map_err(
        |e| match e {
            AuthError::NotAssigned => Error::new(
                403,
                "Failed to close process as successful, not allowed to close process as \
                 successful",
            ),
            e => facts.rows.refusal(e).into(),
        },
    )?;
    lifecycle::require_running(facts.process.state).map_err(|_| output_not_running())?;
    if store::processes::set_output(client, &statements, &m.processid, cx.caller, &output).await? {
        Ok(Empty {})
    } else {
        Err(output_not_running())
    }
}

fn output_not_running() -> Error {
    let e = TransitionError::NotRunning;
    Error::new(e.status(), format!("Failed to set output, {e}"))
}

/// `cancelprocessmsg`: any approved member cancels a WAITING or RUNNING process outside a
/// workflow.
pub async fn cancel<H: Host>(cx: Cx<'_, H>, m: CancelProcessMsg) -> Result<Empty, Error> {
    let mut conn = cx.db().await?;
    let (client, statements) = conn.parts();
    for _ in 0..2 {
        let facts = read(cx.host, client, &statements, cx.caller, &m.processid)
            .await
            .map_err(unknown_as("Failed to cancel process, process is nil"))?;
        facts.rows.require(CancelProcessMsg::ROLE, cx.caller, None, None)?;
        lifecycle::check_cancellable(facts.process.state, facts.process.in_workflow()).map_err(
            |e| match e {
                TransitionError::InWorkflow => bad_request(
                    "Failed to cancel, cannot cancel a process part of a workflow, cancel the \
                     entire workflow instead",
                ),
                e => transition(e),
            },
        )?;
        if store::processes::cancel(&*client, &m.processid).await? {
            let _ = store::channels::remove_for_process(&*client, &m.processid).await;
            return Ok(Empty {});
        }
    }
    Err(changed())
}

async fn set_paused<H: Host>(
    host: &H,
    caller: &str,
    role: colonies_core::message::Role,
    colony: &str,
    paused: bool,
) -> Result<Empty, Error> {
    let mut conn = connect(host).await?;
    authorize(&mut conn, role, caller, colony).await?;
    let (client, _) = conn.parts();
    if !store::processes::set_paused(&*client, colony, paused).await? {
        return Err(bad_request(store::auth::colony_missing(colony)));
    }
    Ok(Empty {})
}

/// `pauseassignmentsmsg`: the colony owner stops assignments in the colony (a flag in
/// Postgres, so every replica sees it).
pub async fn pause<H: Host>(cx: Cx<'_, H>, m: PauseAssignmentsMsg) -> Result<Empty, Error> {
    set_paused(cx.host, cx.caller, PauseAssignmentsMsg::ROLE, &m.colonyname, true).await
}

/// `resumeassignmentsmsg`: the colony owner resumes assignments; long polls waiting on the
/// pause notice within [`PAUSE_POLL`].
pub async fn resume<H: Host>(cx: Cx<'_, H>, m: ResumeAssignmentsMsg) -> Result<Empty, Error> {
    set_paused(cx.host, cx.caller, ResumeAssignmentsMsg::ROLE, &m.colonyname, false).await
}

/// `getpausestatusmsg`: whether the colony's assignments are paused, for any member.
pub async fn pause_status<H: Host>(
    cx: Cx<'_, H>,
    m: GetPauseStatusMsg,
) -> Result<PauseStatus, Error> {
    let mut db = cx.authorized::<GetPauseStatusMsg>(&m.colonyname).await?;
    let client = db.client();
    let ispaused = store::processes::is_paused(&*client, &m.colonyname)
        .await?
        .ok_or_else(|| bad_request(store::auth::colony_missing(&m.colonyname)))?;
    Ok(PauseStatus { colonyname: m.colonyname, ispaused })
}
