//! Processes (protocol §4.5): the row ↔ [`Process`] mapping, submit, reads with the caller's
//! facts, lists, and the guarded writes of close, output, cancel and removal.
//!
//! Every write here is one statement whose `WHERE` repeats the state the handler checked
//! (e.g. `state = 1 AND assigned_executor_id = $caller`), so a process that changed between
//! the read and the write is left alone and the statement reports "nothing changed" instead of
//! overwriting a newer state. The hot statements go through the connection's statement cache:
//! a plain `query(&str)` costs an extra round trip to prepare.

use super::auth::{CallerRows, executor_state};
use crate::db::Statements;
use colonies_core::{
    model::{Attribute, AttributeType, Colony, Executor, Process, ProcessState, StateFilter, User},
    time::Timestamp,
};
use serde_json::Value;
use tokio_postgres::{Client, Error, GenericClient, Row, types::ToSql};

mod assign;
mod close;
mod submit;

pub use assign::{Assigned, assign};
pub use close::{
    CloseWritten, Closed, SuccessfulClose, cancel, close_failed, close_successful, set_output,
};
pub use submit::{Inserted, Submission, Submitted, insert, unhand};

/// The process columns [`from_row`] reads, in its order (table alias `p`). Times travel as
/// Unix nanoseconds (EXTRACT returns numeric, so they are exact); JSON as text; the
/// attributes as one JSON array, so a process is read in one round trip. A workflow child's
/// `in` is its parents' outputs in parent order, gathered as they closed (migration 0006),
/// once it no longer waits for them.
pub const COLUMNS: &str = "p.process_id, p.initiator_id, p.initiator_name, p.assigned_executor_id,
    p.is_assigned, p.state, p.prioritytime,
    (EXTRACT(EPOCH FROM p.submission_time) * 1000000000)::bigint,
    (EXTRACT(EPOCH FROM p.start_time) * 1000000000)::bigint,
    (EXTRACT(EPOCH FROM p.end_time) * 1000000000)::bigint,
    (EXTRACT(EPOCH FROM p.wait_deadline) * 1000000000)::bigint,
    (EXTRACT(EPOCH FROM p.exec_deadline) * 1000000000)::bigint,
    p.retries, p.spec::text, p.wait_for_parents, p.parents, p.children, p.processgraph_id,
    (CASE WHEN p.wait_for_parents THEN p.input ELSE COALESCE(
        (SELECT jsonb_agg(x.e ORDER BY i.ord, x.n) FROM process_inputs i
         CROSS JOIN LATERAL jsonb_array_elements(i.output) WITH ORDINALITY AS x(e, n)
         WHERE i.child_id = p.process_id), p.input) END)::text,
    p.output::text, p.errors, p.colony_name,
    (SELECT json_agg(json_build_array(a.attribute_id, a.attribute_type, a.key, a.value)
                     ORDER BY a.added, a.attribute_type, a.key)::text
       FROM attributes a WHERE a.target_id = p.process_id)";

/// How many columns [`COLUMNS`] has.
pub const COLUMN_COUNT: usize = 23;

/// A time column read as Unix nanoseconds; NULL is the wire's zero time.
pub fn time(nanos: Option<i64>) -> Timestamp {
    nanos.map_or(Timestamp::UNSET, Timestamp::from_unix_nanos)
}

/// The process state of a stored number (the column's CHECK keeps it in 0..=4).
pub fn process_state(state: i16) -> ProcessState {
    ProcessState::from_code(i64::from(state)).unwrap_or_default()
}

/// Reads a process from `row`, whose columns from `at` on are [`COLUMNS`].
pub fn from_row(row: &Row, at: usize) -> Process {
    let state = process_state(row.get(at + 5));
    let id: String = row.get(at);
    let colony: String = row.get(at + 21);
    let graph: String = row.get(at + 17);
    // The JSON columns were written by this module from the same types, so they read back.
    let json = |i: usize| -> Vec<Value> {
        row.get::<_, Option<&str>>(at + i)
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or_default()
    };
    let attributes: Vec<(String, i64, String, String)> = row
        .get::<_, Option<&str>>(at + 22)
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_default();
    let attributes = attributes
        .into_iter()
        .map(|(attributeid, kind, key, value)| Attribute {
            attributeid,
            targetid: id.clone(),
            targetcolonyname: colony.clone(),
            targetprocessgraphid: graph.clone(),
            // An attribute's state mirrors its process's (protocol §5.7); deriving it on read
            // spares every state change a second write.
            state,
            attributetype: AttributeType::from_code(kind).unwrap_or_default(),
            key,
            value,
        })
        .collect();
    Process {
        processid: id,
        initiatorid: row.get(at + 1),
        initiatorname: row.get(at + 2),
        assignedexecutorid: row.get(at + 3),
        isassigned: row.get(at + 4),
        state,
        prioritytime: row.get(at + 6),
        submissiontime: time(row.get(at + 7)),
        starttime: time(row.get(at + 8)),
        endtime: time(row.get(at + 9)),
        waitdeadline: time(row.get(at + 10)),
        execdeadline: time(row.get(at + 11)),
        retries: i64::from(row.get::<_, i32>(at + 12)),
        attributes,
        spec: serde_json::from_str(row.get(at + 13)).unwrap_or_default(),
        waitforparents: row.get(at + 14),
        parents: row.get(at + 15),
        children: row.get(at + 16),
        processgraphid: graph,
        input: json(18),
        output: json(19),
        errors: row.get(at + 20),
    }
}

/// Runs a cached statement that returns at most one row.
async fn query_opt(
    client: &Client,
    statements: &impl Statements,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Option<Row>, Error> {
    let statement = statements.prepare(client, sql).await?;
    client.query_opt(&statement, params).await
}

/// Runs a cached statement that returns exactly one row.
async fn query_one(
    client: &Client,
    statements: &impl Statements,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Row, Error> {
    let statement = statements.prepare(client, sql).await?;
    client.query_one(&statement, params).await
}

/// The caller's facts in one colony, as [`super::auth::caller_rows`] reads them but through
/// the statement cache, plus what submit and assign need alongside.
#[derive(Debug, Clone)]
pub struct MemberFacts {
    /// The rows authorisation reads (the server ID is not read: no process message needs it).
    pub rows: CallerRows,
    /// Whether the colony's assignments are paused.
    pub paused: bool,
    /// The database's clock (transaction start), Unix nanoseconds: every replica agrees on it.
    pub now_ns: i64,
}

/// The caller's executor (name, state) and user rows of `colony`, as lateral joins; `$1` is
/// the caller, `$2` the colony. Shared by the fact queries below.
const CALLER_JOINS: &str = "
    LEFT JOIN LATERAL (SELECT array_agg(e.name ORDER BY e.name) AS names,
                              array_agg(e.state ORDER BY e.name) AS states
                         FROM executors e WHERE e.executor_id = $1 AND e.colony_name = c.name) ex ON TRUE
    LEFT JOIN LATERAL (SELECT array_agg(u.name) AS names
                         FROM users u WHERE u.user_id = $1 AND u.colony_name = c.name) us ON TRUE";

fn caller_rows_from(
    caller: &str,
    colony: &str,
    colony_id: Option<String>,
    names: Option<Vec<String>>,
    states: Option<Vec<i16>>,
    users: Option<Vec<String>>,
) -> CallerRows {
    let executors = names
        .unwrap_or_default()
        .into_iter()
        .zip(states.unwrap_or_default())
        .map(|(executorname, state)| Executor {
            executorid: caller.into(),
            executorname,
            colonyname: colony.into(),
            state: executor_state(state),
            ..Executor::default()
        })
        .collect();
    let users = users
        .unwrap_or_default()
        .into_iter()
        .map(|name| User {
            userid: caller.into(),
            name,
            colonyname: colony.into(),
            ..User::default()
        })
        .collect();
    CallerRows {
        server_id: String::new(),
        colony: colony_id.map(|colonyid| Colony { colonyid, name: colony.into() }),
        executors,
        users,
        colony_name: colony.into(),
    }
}

/// The caller's facts in `colony`, the pause flag and the database clock, in one round trip.
pub async fn member_facts(
    client: &Client,
    statements: &impl Statements,
    caller: &str,
    colony: &str,
) -> Result<MemberFacts, Error> {
    let sql = format!(
        "SELECT c.colony_id, c.assignments_paused, ex.names, ex.states, us.names,
                (EXTRACT(EPOCH FROM now()) * 1000000000)::bigint
         FROM (SELECT 1) AS one
         LEFT JOIN colonies c ON c.name = $2 {CALLER_JOINS}"
    );
    let row = query_one(client, statements, &sql, &[&caller, &colony]).await?;
    Ok(MemberFacts {
        rows: caller_rows_from(caller, colony, row.get(0), row.get(2), row.get(3), row.get(4)),
        paused: row.get::<_, Option<bool>>(1).unwrap_or(false),
        now_ns: row.get(5),
    })
}

/// A process with the caller's facts in the process's colony.
#[derive(Debug, Clone)]
pub struct ProcessFacts {
    /// The process.
    pub process: Process,
    /// Its colony.
    pub colony: String,
    /// The caller's rows in that colony.
    pub rows: CallerRows,
    /// A deadline of the process has passed but was not applied yet (the sweep is behind).
    pub expired: bool,
}

/// One process and the caller's facts in its colony, in one round trip; `None` if there is
/// no such process.
pub async fn with_facts(
    client: &Client,
    statements: &impl Statements,
    caller: &str,
    process_id: &str,
) -> Result<Option<ProcessFacts>, Error> {
    let sql = format!(
        "SELECT c.colony_id, ex.names, ex.states, us.names,
                (p.state = 1 AND p.exec_deadline < now())
                  OR (p.state = 0 AND NOT p.is_assigned AND p.wait_deadline < now()),
                {COLUMNS}
         FROM processes p
         LEFT JOIN colonies c ON c.name = p.colony_name {CALLER_JOINS}
         WHERE p.process_id = $2"
    );
    let Some(row) = query_opt(client, statements, &sql, &[&caller, &process_id]).await? else {
        return Ok(None);
    };
    let process = from_row(&row, 5);
    let colony: String = row.get(5 + 21);
    let rows = caller_rows_from(caller, &colony, row.get(0), row.get(1), row.get(2), row.get(3));
    Ok(Some(ProcessFacts {
        process,
        colony,
        rows,
        expired: row.get::<_, Option<bool>>(4).unwrap_or(false),
    }))
}

/// `removeprocessmsg`: deletes a process that is not running and not in a workflow, with its
/// attributes; false if there is no such process (any more).
pub async fn remove(client: &impl GenericClient, process_id: &str) -> Result<bool, Error> {
    let row = client
        .query_one(
            "WITH d AS (
                DELETE FROM processes
                WHERE process_id = $1 AND state <> 1 AND processgraph_id = ''
                RETURNING process_id),
              a AS (DELETE FROM attributes USING d WHERE attributes.target_id = d.process_id)
             SELECT count(*) FROM d",
            &[&process_id],
        )
        .await?;
    Ok(row.get::<_, i64>(0) == 1)
}

/// `removeallprocessesmsg`: deletes the colony's processes in `state` (`None`: every state,
/// as Go does), with their attributes; returns how many. As in Go, processes of a workflow
/// are left alone: they go with their process graph (`removeallprocessgraphsmsg`), and a
/// workflow robbed of its processes would never finish (a cron waiting for it would stop).
pub async fn remove_all(
    client: &impl GenericClient,
    colony: &str,
    state: Option<i16>,
) -> Result<i64, Error> {
    let row = client
        .query_one(
            "WITH d AS (
                DELETE FROM processes
                WHERE colony_name = $1 AND processgraph_id = ''
                  AND ($2::smallint IS NULL OR state = $2)
                RETURNING process_id),
              a AS (DELETE FROM attributes USING d WHERE attributes.target_id = d.process_id)
             SELECT count(*) FROM d",
            &[&colony, &state],
        )
        .await?;
    Ok(row.get(0))
}

/// The exclusive filter of `getprocessesmsg` (the first non-empty one wins).
#[derive(Debug, Clone, Copy)]
pub enum ListFilter<'a> {
    /// No filter.
    None,
    /// Only processes of this workflow (process graph).
    Graph(&'a str),
    /// Only this executor type.
    ExecutorType(&'a str),
    /// Only processes whose initiator has this name.
    Initiator(&'a str),
    /// Only this label.
    Label(&'a str),
}

/// `getprocessesmsg`: up to `count` processes of the colony in `state`, ordered as Go does
/// (WAITING by prioritytime, RUNNING by start time, finished ones newest end first).
pub async fn list(
    client: &impl GenericClient,
    colony: &str,
    state: StateFilter,
    filter: ListFilter<'_>,
    count: i64,
) -> Result<Vec<Process>, Error> {
    let order = match state {
        StateFilter::Only(ProcessState::Waiting) => "p.prioritytime",
        StateFilter::Only(ProcessState::Running) => "p.start_time",
        StateFilter::Only(_) => "p.end_time DESC",
        // Every state (a workflow's processes, say): in submission order.
        StateFilter::All => "p.submission_time, p.prioritytime",
    };
    let (condition, value) = match filter {
        ListFilter::None => ("", ""),
        ListFilter::Graph(v) => ("AND p.processgraph_id = $3", v),
        ListFilter::ExecutorType(v) => ("AND p.executor_type = $3", v),
        ListFilter::Initiator(v) => ("AND p.initiator_name = $3", v),
        ListFilter::Label(v) => ("AND p.label = $3", v),
    };
    // The state is a literal (a code 0..=4, not client text) so the planner can use the
    // partial index of that state.
    let state_condition = match state {
        StateFilter::Only(state) => format!("AND p.state = {}", state_code(state)),
        StateFilter::All => String::new(),
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM processes p
         WHERE p.colony_name = $1 {state_condition} {condition}
         ORDER BY {order} LIMIT $2"
    );
    let rows = if condition.is_empty() {
        client.query(&sql, &[&colony, &count]).await?
    } else {
        client.query(&sql, &[&colony, &count, &value]).await?
    };
    Ok(rows.iter().map(|r| from_row(r, 0)).collect())
}

/// `getprocesshistmsg`: processes of the colony in `state` submitted in the last `seconds`
/// (only those assigned to `executor_id` when it is not empty), oldest submission first.
pub async fn history(
    client: &impl GenericClient,
    colony: &str,
    executor_id: &str,
    seconds: i64,
    state: ProcessState,
) -> Result<Vec<Process>, Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM processes p
         WHERE p.colony_name = $1 AND p.state = $2
           AND p.submission_time > now() - $3::bigint * INTERVAL '1 second'
           AND ($4 = '' OR p.assigned_executor_id = $4)
         ORDER BY p.submission_time"
    );
    let rows = client.query(&sql, &[&colony, &state_code(state), &seconds, &executor_id]).await?;
    Ok(rows.iter().map(|r| from_row(r, 0)).collect())
}

/// Whether the colony has a user of this name (the `initiator` filter names users).
pub async fn user_exists(
    client: &impl GenericClient,
    colony: &str,
    name: &str,
) -> Result<bool, Error> {
    let row = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM users WHERE colony_name = $1 AND name = $2)",
            &[&colony, &name],
        )
        .await?;
    Ok(row.get(0))
}

/// Sets or clears the colony's pause flag; false if there is no such colony.
pub async fn set_paused(
    client: &impl GenericClient,
    colony: &str,
    paused: bool,
) -> Result<bool, Error> {
    let n = client
        .execute("UPDATE colonies SET assignments_paused = $2 WHERE name = $1", &[&colony, &paused])
        .await?;
    Ok(n == 1)
}

/// Whether the colony's assignments are paused (`None`: no such colony).
pub async fn is_paused(client: &impl GenericClient, colony: &str) -> Result<Option<bool>, Error> {
    let row = client
        .query_opt("SELECT assignments_paused FROM colonies WHERE name = $1", &[&colony])
        .await?;
    Ok(row.map(|r| r.get(0)))
}

/// Counts of one colony for `getcolonystatsmsg`: executors (all, approved, unregistered) and
/// processes per state (waiting, running, success, failed, cancelled).
pub async fn colony_counts(
    client: &impl GenericClient,
    colony: &str,
) -> Result<([i64; 3], [i64; 5]), Error> {
    let row = client
        .query_one(
            "SELECT e.n, e.approved, e.unregistered, p.w, p.r, p.s, p.f, p.c
             FROM (SELECT count(*) AS n,
                          count(*) FILTER (WHERE state = 1) AS approved,
                          count(*) FILTER (WHERE state = 3) AS unregistered
                     FROM executors WHERE colony_name = $1) e,
                  (SELECT count(*) FILTER (WHERE state = 0) AS w,
                          count(*) FILTER (WHERE state = 1) AS r,
                          count(*) FILTER (WHERE state = 2) AS s,
                          count(*) FILTER (WHERE state = 3) AS f,
                          count(*) FILTER (WHERE state = 4) AS c
                     FROM processes WHERE colony_name = $1) p",
            &[&colony],
        )
        .await?;
    Ok((
        [row.get(0), row.get(1), row.get(2)],
        [row.get(3), row.get(4), row.get(5), row.get(6), row.get(7)],
    ))
}

/// The stored number of a state.
pub fn state_code(state: ProcessState) -> i16 {
    // Codes are 0..=4.
    i16::try_from(state.code()).unwrap_or_default()
}
