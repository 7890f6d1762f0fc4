//! Logs (protocol §4.9): lines of a running process or of an executor.

use super::{Cx, authorize, bad_request, processes};
use crate::{
    db::DbConn,
    error::Error,
    host::Host,
    store::{self, auth::caller_rows, logs::LogSource},
};
use colonies_core::{
    message::{AddExecutorLogMsg, AddLogMsg, Empty, GetLogsMsg, Message, SearchLogsMsg},
    model::{ExecutorState, Log, ProcessState},
    rules::{
        AuthError,
        lifecycle::{TransitionError, require_running},
    },
};

/// Most lines one `getlogsmsg` returns; more is refused with 403, as in Go.
pub const MAX_LOG_COUNT: i64 = 500;
/// Most lines one `searchlogsmsg` returns.
pub const MAX_SEARCH_COUNT: i64 = 100;
/// How many days back `searchlogsmsg` may look.
pub const MAX_SEARCH_DAYS: i64 = 30;

/// Go's add log words a finished process as set output does.
fn not_running() -> Error {
    let e = TransitionError::NotRunning;
    Error::new(e.status(), format!("Failed to set output, {e}"))
}

/// `addlogmsg`: the assigned executor logs a line for its running process (403 otherwise).
pub async fn add<H: Host>(cx: Cx<'_, H>, m: AddLogMsg) -> Result<Empty, Error> {
    let mut conn = cx.db().await?;
    let (client, statements) = conn.parts();
    let facts = super::read_process(cx.host, client, &statements, cx.caller, &m.processid)
        .await
        .map_err(processes::unknown_as("Failed to add log, process is nil"))?;
    // Go looks at the state before the executor.
    let process = Some(&facts.process);
    facts.rows.check(AddLogMsg::ROLE, cx.caller, process, None).map_err(|e| match e {
        AuthError::NotAssigned if facts.process.state != ProcessState::Running => not_running(),
        AuthError::NotAssigned => Error::new(
            403,
            "Failed to add log, not allowed to add log, only the assigned Executor may att logs",
        ),
        e => facts.rows.refusal(e).into(),
    })?;
    require_running(facts.process.state).map_err(|_| not_running())?;
    let name = facts
        .rows
        .executors
        .iter()
        .find(|e| e.state == ExecutorState::Approved)
        .map_or("", |e| e.executorname.as_str());
    if store::logs::add_for_process(&*client, &m.processid, cx.caller, name, &m.message).await? {
        Ok(Empty {})
    } else {
        Err(not_running())
    }
}

/// `addexecutorlogmsg`: an approved executor logs a line of its own.
pub async fn add_for_executor<H: Host>(
    cx: Cx<'_, H>,
    m: AddExecutorLogMsg,
) -> Result<Empty, Error> {
    let mut conn = cx.db().await?;
    let (client, _) = conn.parts();
    let rows = caller_rows(&*client, cx.caller, &m.colonyname).await?;
    rows.check(AddExecutorLogMsg::ROLE, cx.caller, None, Some(&m.executorname)).map_err(
        |e| match e {
            AuthError::NotSelf if rows.executors.is_empty() => {
                Error::new(403, "Failed to add executor log, executor not found")
            }
            AuthError::NotSelf => {
                Error::new(403, "Failed to add executor log, executor name mismatch")
            }
            e => rows.refusal(e).into(),
        },
    )?;
    store::logs::add_for_executor(&*client, &m.colonyname, &m.executorname, &m.message).await?;
    Ok(Empty {})
}

/// `getlogsmsg`: an executor's lines (when `executorname` is set, within `colonyname`) or a
/// process's; `count` above 500 is refused with 403, as in Go.
pub async fn get<H: Host>(cx: Cx<'_, H>, m: GetLogsMsg) -> Result<Vec<Log>, Error> {
    if m.count > MAX_LOG_COUNT {
        return Err(Error::new(
            403,
            format!("Count exceeds max log count ({MAX_LOG_COUNT}): {}", m.count),
        ));
    }
    if m.count < 0 {
        return Err(bad_request("count must not be negative"));
    }
    let mut conn = cx.db().await?;
    let source = if !m.executorname.is_empty() {
        authorize(&mut conn, GetLogsMsg::ROLE, cx.caller, &m.colonyname).await?;
        LogSource::Executor { colony: &m.colonyname, name: &m.executorname }
    } else if !m.processid.is_empty() {
        let (client, statements) = conn.parts();
        let facts = super::read_process(cx.host, client, &statements, cx.caller, &m.processid)
            .await
            .map_err(processes::unknown_as("Failed to get logs, process does not exist"))?;
        facts.rows.require(GetLogsMsg::ROLE, cx.caller, None, None)?;
        LogSource::Process(&m.processid)
    } else {
        return Err(bad_request("processid or executorname must be given"));
    };
    let (client, _) = conn.parts();
    Ok(store::logs::get(&*client, source, m.count, m.since, m.latest).await?)
}

/// `searchlogsmsg`: up to `count` (≤ 100) lines of the colony from the last `days` (≤ 30)
/// days containing `text`.
pub async fn search<H: Host>(cx: Cx<'_, H>, m: SearchLogsMsg) -> Result<Vec<Log>, Error> {
    let mut conn = cx.db().await?;
    authorize(&mut conn, SearchLogsMsg::ROLE, cx.caller, &m.colonyname).await?;
    if !(0..=MAX_SEARCH_DAYS).contains(&m.days) {
        return Err(bad_request(if m.days > MAX_SEARCH_DAYS {
            format!("Count exceeds max day count ({MAX_SEARCH_DAYS})")
        } else {
            format!("days must be between 0 and {MAX_SEARCH_DAYS}")
        }));
    }
    if !(0..=MAX_SEARCH_COUNT).contains(&m.count) {
        return Err(bad_request(if m.count > MAX_SEARCH_COUNT {
            format!("Count exceeds max log count ({MAX_SEARCH_COUNT})")
        } else {
            format!("count must be between 0 and {MAX_SEARCH_COUNT}")
        }));
    }
    let (client, _) = conn.parts();
    Ok(store::logs::search(&*client, &m.colonyname, &m.text, m.days, m.count).await?)
}
