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
use colonies_core::graph::{self};
use colonies_core::{
    model::{Attribute, AttributeType, Colony, Executor, Process, ProcessState, StateFilter, User},
    time::Timestamp,
};
use serde_json::Value;
use tokio_postgres::{
    Client, Error, GenericClient, Row,
    types::{ToSql, Type},
};

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

/// A submitted process as its row is written, owned so that a host may carry it to a
/// statement it shares with other submits (see [`insert`]).
#[derive(Debug, Clone)]
pub struct Submission {
    /// The new process's ID.
    pub process_id: String,
    /// `conditions.colonyname`.
    pub colony: String,
    /// `conditions.executortype`.
    pub executor_type: String,
    /// `conditions.executornames` (empty: any executor).
    pub executor_names: Vec<String>,
    /// `conditions.locationname`.
    pub location: String,
    /// Who submits it; it must be an approved member of the colony.
    pub caller: String,
    /// `priority`.
    pub priority: i32,
    /// The priority time's offset from the submission time (nanoseconds).
    pub priority_offset: i64,
    /// The wait deadline's offset from the submission time, when it has one.
    pub wait_after: Option<i64>,
    /// `maxwaittime`, `maxexectime`, `maxretries`.
    pub max_wait: i32,
    /// `maxexectime`.
    pub max_exec: i32,
    /// `maxretries`.
    pub max_retries: i32,
    /// `conditions.cpu` in millicores.
    pub cpu: i64,
    /// `conditions.mem` in bytes.
    pub memory: i64,
    /// `conditions.storage` in bytes.
    pub storage: i64,
    /// `funcname`.
    pub funcname: String,
    /// `label`.
    pub label: String,
    /// The normalised spec as JSON.
    pub spec_json: String,
    /// The ENV attributes: (attribute ID, key, value).
    pub env: Vec<(String, String, String)>,
    /// An executor waiting for work that the process is assigned to right away when it
    /// still may take it (see [`insert`]).
    pub offer: Option<String>,
}

impl Submission {
    /// The row of `process` (built and normalised by the handler, which checked every number
    /// against its range), submitted by `caller` and offered to `offer`.
    pub fn new(
        process: &Process,
        cpu: i64,
        memory: i64,
        storage: i64,
        caller: &str,
        offer: Option<&str>,
    ) -> Self {
        let spec = &process.spec;
        let c = &spec.conditions;
        let int = |v: i64| i32::try_from(v).unwrap_or(if v < 0 { i32::MIN } else { i32::MAX });
        Self {
            process_id: process.processid.clone(),
            colony: c.colonyname.clone(),
            executor_type: c.executortype.clone(),
            executor_names: c.executornames.clone(),
            location: c.locationname.clone(),
            caller: caller.into(),
            priority: int(spec.priority),
            priority_offset: colonies_core::rules::priority::priority_time(0, spec.priority),
            wait_after: graph::wait_deadline_after(spec.maxwaittime),
            max_wait: int(spec.maxwaittime),
            max_exec: int(spec.maxexectime),
            max_retries: int(spec.maxretries),
            cpu,
            memory,
            storage,
            funcname: spec.funcname.clone(),
            label: spec.label.clone(),
            spec_json: serde_json::to_string(spec).unwrap_or_default(),
            env: process
                .attributes
                .iter()
                .map(|a| (a.attributeid.clone(), a.key.clone(), a.value.clone()))
                .collect(),
            offer: offer.map(str::to_owned),
        }
    }
}

/// Who submitted a process and when, as [`insert`] decided them.
#[derive(Debug, Clone)]
pub struct Submitted {
    /// The initiator's name: the caller's approved executor in the colony, else its user.
    pub initiator_name: String,
    /// The database clock at the insert (Unix nanoseconds): the submission time, and the
    /// start time when the process was handed to an executor.
    pub now_ns: i64,
    /// Whether the process went straight to the executor it was offered to (RUNNING).
    pub handed: bool,
}

/// Inserts submitted processes and their ENV attributes, all in one statement: each one
/// whose caller is a member of its colony (an approved executor, else a user, whose name
/// becomes the initiator's); `None` in its place, with nothing written for it, when not.
/// The times come from the database clock: the submission time is `now()`, the priority
/// time and the wait deadline are the process's offsets from it (see
/// [`graph::stamp`]), so the caller restamps its copy with [`Submitted::now_ns`].
///
/// `offer`: an executor (its ID) waiting for work that the process is assigned to right
/// away, as the assign statement would: when it is still an approved executor of the colony
/// of the process's type, names and location, and the colony's assignments are not paused.
/// Its resources were checked by whoever chose it. Otherwise the process waits.
///
/// One statement is one transaction: if it fails, nothing of any of them was written.
pub async fn insert(
    client: &Client,
    statements: &impl Statements,
    submissions: &[Submission],
) -> Result<Vec<Option<Submitted>>, Error> {
    macro_rules! column {
        ($field:ident) => {
            submissions.iter().map(|s| &s.$field).collect::<Vec<_>>()
        };
    }
    let names: Vec<String> = submissions
        .iter()
        .map(|s| serde_json::to_string(&s.executor_names).unwrap_or_else(|_| "[]".into()))
        .collect();
    let offers: Vec<Option<&str>> = submissions.iter().map(|s| s.offer.as_deref()).collect();
    let (mut env_process, mut env_ids, mut env_keys, mut env_values) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for s in submissions {
        for (id, key, value) in &s.env {
            env_process.push(s.process_id.as_str());
            env_ids.push(id.as_str());
            env_keys.push(key.as_str());
            env_values.push(value.as_str());
        }
    }
    // `b.n` numbers the submissions; the reply has one row per submission in that order.
    const SQL: &str = "WITH b AS (
        SELECT u.*, ARRAY(SELECT jsonb_array_elements_text(u.names::jsonb)) AS targets
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                    $7::int4[], $8::int8[], $9::int8[], $10::int4[], $11::int4[], $12::int4[],
                    $13::int8[], $14::int8[], $15::int8[], $16::text[], $17::text[], $18::text[],
                    $19::text[])
             WITH ORDINALITY AS u(id, colony, executor_type, names, location, caller,
                                  priority, priority_offset, wait_after, max_wait, max_exec,
                                  max_retries, cpu, memory, storage, funcname, label, spec,
                                  offer, n)),
      clock AS (SELECT (EXTRACT(EPOCH FROM now()) * 1000000000)::bigint AS ns),
      who AS (
        SELECT b.*,
               COALESCE(
                 (SELECT e.name FROM executors e
                  WHERE e.executor_id = b.caller AND e.colony_name = b.colony AND e.state = 1
                  ORDER BY e.name LIMIT 1),
                 (SELECT u.name FROM users u
                  WHERE u.user_id = b.caller AND u.colony_name = b.colony
                  ORDER BY u.name LIMIT 1)) AS initiator,
               EXISTS (
                 SELECT 1 FROM executors e JOIN colonies c ON c.name = e.colony_name
                 WHERE b.offer IS NOT NULL AND e.executor_id = b.offer
                   AND e.colony_name = b.colony AND e.state = 1
                   AND e.executor_type = b.executor_type AND NOT c.assignments_paused
                   AND (cardinality(b.targets) = 0 OR b.targets = '{*}'
                        OR e.name = ANY(b.targets))
                   AND (b.location = '' OR lower(b.location) = lower(e.location_name))
                 OFFSET 0) AS handed
        FROM b),
      p AS (
        INSERT INTO processes (process_id, colony_name, executor_type, target_executor_names,
            location_name, state, is_assigned, assigned_executor_id, start_time, exec_deadline,
            initiator_id, initiator_name, priority, prioritytime,
            submission_time, wait_deadline, max_wait_time, max_exec_time, max_retries,
            cpu, memory, storage, funcname, label, wait_for_parents, spec)
        SELECT w.id, w.colony, w.executor_type, w.targets, w.location,
            CASE WHEN w.handed THEN 1 ELSE 0 END, w.handed,
            CASE WHEN w.handed THEN w.offer ELSE '' END,
            CASE WHEN w.handed THEN now() END,
            CASE WHEN w.handed AND w.max_exec > 0
                 THEN now() + w.max_exec * INTERVAL '1 second' END,
            w.caller, w.initiator, w.priority, clock.ns + w.priority_offset,
            TIMESTAMPTZ 'epoch' + (clock.ns / 1000) * INTERVAL '1 microsecond',
            TIMESTAMPTZ 'epoch' + ((clock.ns + w.wait_after) / 1000) * INTERVAL '1 microsecond',
            w.max_wait, w.max_exec, w.max_retries, w.cpu, w.memory, w.storage, w.funcname,
            w.label, FALSE, w.spec::jsonb
        FROM who w, clock WHERE w.initiator IS NOT NULL
        RETURNING process_id, colony_name, is_assigned, assigned_executor_id),
      a AS (
        INSERT INTO attributes (attribute_id, target_id, colony_name, attribute_type, key, value)
        SELECT a.id, p.process_id, p.colony_name, 3, a.key, a.value
        FROM unnest($20::text[], $21::text[], $22::text[], $23::text[]) AS a(process, id, key, value)
        JOIN p ON p.process_id = a.process),
      heard AS (
        UPDATE executors e SET last_heard_from = now()
        WHERE e.executor_id = ANY (ARRAY(SELECT assigned_executor_id FROM p WHERE is_assigned))
          AND (e.executor_id, e.colony_name)
              IN (SELECT assigned_executor_id, colony_name FROM p WHERE is_assigned)
          AND e.state = 1
          AND (e.last_heard_from IS NULL OR e.last_heard_from < now() - INTERVAL '1 second'))
      SELECT w.initiator, clock.ns, p.is_assigned
      FROM who w CROSS JOIN clock LEFT JOIN p ON p.process_id = w.id
      ORDER BY w.n";
    let (text, ints, bigints) = (Type::TEXT_ARRAY, Type::INT4_ARRAY, Type::INT8_ARRAY);
    let rows = super::query_typed(
        client,
        statements,
        SQL,
        &[
            (&column!(process_id), text.clone()),
            (&column!(colony), text.clone()),
            (&column!(executor_type), text.clone()),
            (&names, text.clone()),
            (&column!(location), text.clone()),
            (&column!(caller), text.clone()),
            (&column!(priority), ints.clone()),
            (&column!(priority_offset), bigints.clone()),
            (&column!(wait_after), bigints.clone()),
            (&column!(max_wait), ints.clone()),
            (&column!(max_exec), ints.clone()),
            (&column!(max_retries), ints),
            (&column!(cpu), bigints.clone()),
            (&column!(memory), bigints.clone()),
            (&column!(storage), bigints),
            (&column!(funcname), text.clone()),
            (&column!(label), text.clone()),
            (&column!(spec_json), text.clone()),
            (&offers, text.clone()),
            (&env_process, text.clone()),
            (&env_ids, text.clone()),
            (&env_keys, text.clone()),
            (&env_values, text),
        ],
    )
    .await?;
    Ok(rows
        .iter()
        .map(|row| {
            let handed: Option<bool> = row.get(2);
            handed.map(|handed| Submitted {
                initiator_name: row.get(0),
                now_ns: row.get(1),
                handed,
            })
        })
        .collect())
}

/// Puts a process handed to an executor that was gone before it could take it back in
/// the line (WAITING, unassigned), unless something else happened to it meanwhile.
pub async fn unhand(
    client: &Client,
    statements: &impl Statements,
    process_id: &str,
    executor_id: &str,
) -> Result<bool, Error> {
    const SQL: &str = "UPDATE processes
        SET state = 0, is_assigned = FALSE, assigned_executor_id = '', start_time = NULL,
            exec_deadline = NULL
        WHERE process_id = $1 AND state = 1 AND assigned_executor_id = $2";
    let statement = statements.prepare(client, SQL).await?;
    Ok(client.execute(&statement, &[&process_id, &executor_id]).await? == 1)
}

/// What an assign call saw and did, in one round trip.
#[derive(Debug, Clone)]
pub struct Assigned {
    /// The rows authorisation reads.
    pub rows: CallerRows,
    /// Whether the colony's assignments are paused.
    pub paused: bool,
    /// The caller's approved executor in the colony: name, type, location.
    pub executor: Option<(String, String, String)>,
    /// The database's wall clock now, Unix nanoseconds (long polls measure their timeout
    /// with it: the handler layer has no clock of its own on every host).
    pub clock_ns: i64,
    /// The process now RUNNING on the caller, if one was taken.
    pub process: Option<Process>,
}

/// One assign attempt as one statement: marks the caller's approved executor alive
/// (`lastheardfromtime`, which stale-executor cleanup goes by; at most once a second, since
/// rewriting the row on every call of a busy executor only bloats the executors table and
/// its indexes, and staleness is measured in minutes), reads the caller's facts and
/// the pause flag, and, when `take` is set, the colony is not paused and the caller is an
/// approved executor of it, assigns the waiting process with the lowest prioritytime that
/// executor can run.
///
/// `FOR UPDATE SKIP LOCKED`: concurrent executors, on any replica, never get the same process
/// and never wait for each other. The executor's type, name and location enter the pick as
/// scalar subqueries (evaluated once, then used like parameters), so the pick is an ordered
/// scan of the assignable index that stops at the first match, however long the queue.
/// A process whose wait deadline has passed is not handed out even if the deadline sweep has
/// not failed it yet. The execution deadline starts now when `maxexectime > 0`.
///
/// The SQL condition on the executor (its key, this colony, APPROVED) is the
/// `ApprovedExecutor` role; the handler still checks the role on the facts returned, and
/// when that refuses, this statement assigned nothing.
pub async fn assign(
    client: &Client,
    statements: &impl Statements,
    caller: &str,
    colony: &str,
    cpu: i64,
    memory: i64,
    take: bool,
) -> Result<Option<Assigned>, Error> {
    let sql = format!(
        "WITH alive AS (
            UPDATE executors SET last_heard_from = now()
            WHERE executor_id = $1 AND colony_name = $2 AND state = 1
              AND (last_heard_from IS NULL OR last_heard_from < now() - INTERVAL '1 second')),
          me AS (SELECT name, executor_type, location_name FROM executors
                 WHERE executor_id = $1 AND colony_name = $2 AND state = 1
                 ORDER BY name LIMIT 1),
          pick AS (
            SELECT q.process_id FROM processes q
            WHERE $5 AND NOT (SELECT assignments_paused FROM colonies WHERE name = $2)
              AND q.colony_name = $2 AND q.executor_type = (SELECT executor_type FROM me)
              AND q.state = 0 AND NOT q.is_assigned AND NOT q.wait_for_parents
              AND (cardinality(q.target_executor_names) = 0
                   OR q.target_executor_names = '{{*}}'
                   OR (SELECT name FROM me) = ANY(q.target_executor_names))
              AND (q.location_name = ''
                   OR lower(q.location_name) = lower((SELECT location_name FROM me)))
              AND q.cpu <= $3 AND q.memory <= $4
              AND (q.wait_deadline IS NULL OR q.wait_deadline > now())
            ORDER BY q.prioritytime
            LIMIT 1
            FOR UPDATE SKIP LOCKED),
          taken AS (
            UPDATE processes AS p
            SET state = 1, is_assigned = TRUE, assigned_executor_id = $1, start_time = now(),
                end_time = NULL,
                exec_deadline = CASE WHEN p.max_exec_time > 0
                                     THEN now() + p.max_exec_time * INTERVAL '1 second' END
            FROM pick WHERE p.process_id = pick.process_id
            RETURNING {COLUMNS})
         SELECT c.colony_id, c.assignments_paused, ex.names, ex.states, us.names,
                (SELECT array[name, executor_type, location_name] FROM me),
                (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000000)::bigint,
                taken.*
         FROM (SELECT 1) AS one
         LEFT JOIN colonies c ON c.name = $2 {CALLER_JOINS}
         LEFT JOIN taken ON TRUE"
    );
    let params: [super::Typed<'_>; 5] = [
        (&caller, Type::TEXT),
        (&colony, Type::TEXT),
        (&cpu, Type::INT8),
        (&memory, Type::INT8),
        (&take, Type::BOOL),
    ];
    let Some(row) = super::query_opt_typed(client, statements, &sql, &params).await? else {
        return Ok(None);
    };
    let executor = row.get::<_, Option<Vec<String>>>(5).and_then(|v| {
        <[String; 3]>::try_from(v).ok().map(|[name, kind, location]| (name, kind, location))
    });
    let process = row.get::<_, Option<String>>(7).map(|_| from_row(&row, 7));
    Ok(Some(Assigned {
        rows: caller_rows_from(caller, colony, row.get(0), row.get(2), row.get(3), row.get(4)),
        paused: row.get::<_, Option<bool>>(1).unwrap_or(false),
        executor,
        clock_ns: row.get(6),
        process,
    }))
}

/// A `closesuccessfulmsg` to write: the process, the caller (its assigned executor, if the
/// close is to be accepted) and the output (JSON text) to store when one was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuccessfulClose {
    /// The process to close.
    pub process_id: String,
    /// Who closes it.
    pub caller: String,
    /// The output, when one was given.
    pub output: Option<String>,
}

/// A process closed by [`close_successful`] or [`close_failed`]: what workflow resolution
/// needs next.
#[derive(Debug, Clone)]
pub struct Closed {
    /// Its graph ("" for a standalone process).
    pub processgraph_id: String,
    /// Whether it has children in that graph.
    pub has_children: bool,
}

/// The hot path of `closesuccessfulmsg`, for any number of processes in one statement:
/// closes each process whose caller may close it (it is RUNNING and assigned to the caller,
/// its execution deadline has not passed, and the caller is an approved member of its
/// colony: the `AssignedExecutor` role as SQL), updates the function statistics and removes
/// the closed processes' channels. One entry per close, in order: `None` where the guard did
/// not hold; the handler then reads the process and the caller's facts to answer why (or to
/// apply a passed deadline first), so this path never decides an error. The processes must
/// be distinct.
///
/// Function statistics follow Go (protocol §4.8): a counter, min/max, and an "average" that
/// each run replaces by `(old + new) / 2`, the first run setting all three. Several runs of
/// one function closed together are folded in the order given: after runs x₁…xₙ the average
/// is `start / 2ⁿ + Σ xₖ / 2ⁿ⁻ᵏ⁺¹`, where `start` is the old average, or x₁ for a function
/// that had no run yet (which makes the first run's own average x₁).
///
/// The processes are found by primary key, one probe per close. RUNNING enters as a
/// parameter, not a literal, so that the planner cannot answer the statement from the partial
/// index of running processes (`processes_running`): with few processes running it looks
/// cheaper to hash all of them than to probe the key, but that index also holds an entry for
/// every process that ran since the last VACUUM, and a hash join built from it grows with
/// them. The membership subqueries end in `OFFSET 0` for the same reason: they stay probes
/// per close instead of becoming hash tables of every approved executor and user.
pub async fn close_successful(
    client: &Client,
    statements: &impl Statements,
    closes: &[SuccessfulClose],
) -> Result<Vec<Option<Closed>>, Error> {
    let ids: Vec<&str> = closes.iter().map(|c| c.process_id.as_str()).collect();
    let callers: Vec<&str> = closes.iter().map(|c| c.caller.as_str()).collect();
    let outputs: Vec<Option<&str>> = closes.iter().map(|c| c.output.as_deref()).collect();
    const SQL: &str = "WITH b AS (
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
               WITH ORDINALITY AS b(id, caller, output, n)),
      t AS (
        SELECT b.*, x.row FROM b CROSS JOIN LATERAL (
            SELECT q.ctid AS row FROM processes q WHERE q.process_id = b.id LIMIT 1) x),
      p AS (
        UPDATE processes q
        SET state = 2, end_time = now(), exec_deadline = NULL,
            output = COALESCE(b.output::jsonb, q.output)
        FROM t AS b
        WHERE q.ctid = ANY (ARRAY(SELECT row FROM t)) AND q.ctid = b.row
          AND q.process_id = b.id AND q.state = $4 AND q.is_assigned
          AND q.assigned_executor_id = b.caller
          AND (q.exec_deadline IS NULL OR q.exec_deadline >= now())
          AND (EXISTS (SELECT 1 FROM executors e
                       WHERE e.executor_id = b.caller AND e.colony_name = q.colony_name
                         AND e.state = 1 OFFSET 0)
               OR EXISTS (SELECT 1 FROM users u
                          WHERE u.user_id = b.caller AND u.colony_name = q.colony_name
                          OFFSET 0))
        RETURNING b.n, b.caller, q.process_id, q.colony_name, q.funcname, q.processgraph_id,
            cardinality(q.children) > 0 AS has_children,
            EXTRACT(EPOCH FROM q.start_time - q.submission_time)::float8 AS wait,
            EXTRACT(EPOCH FROM q.end_time - q.start_time)::float8 AS run),
      runs AS (
        SELECT p.colony_name, p.funcname, e.name AS executor_name, p.wait, p.run,
               row_number() OVER f AS k, count(*) OVER f AS total
        FROM p CROSS JOIN LATERAL (
            SELECT e.name FROM executors e
            WHERE e.executor_id = p.caller AND e.colony_name = p.colony_name AND e.state = 1
            ORDER BY e.name LIMIT 1) e
        WINDOW f AS (PARTITION BY p.colony_name, p.funcname, e.name ORDER BY p.n
                     ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)),
      s AS (
        SELECT colony_name, funcname, executor_name, count(*) AS runs,
               min(wait) AS min_wait, max(wait) AS max_wait,
               min(run) AS min_run, max(run) AS max_run,
               sum(wait * 2.0::float8 ^ (k - total - 1)) AS wait_sum,
               sum(run * 2.0::float8 ^ (k - total - 1)) AS run_sum,
               min(wait) FILTER (WHERE k = 1) AS first_wait,
               min(run) FILTER (WHERE k = 1) AS first_run
        FROM runs GROUP BY colony_name, funcname, executor_name),
      f AS (
        UPDATE functions AS f
        SET counter = f.counter + s.runs,
            min_wait_time = CASE WHEN f.counter = 0 THEN s.min_wait
                                 ELSE least(f.min_wait_time, s.min_wait) END,
            max_wait_time = CASE WHEN f.counter = 0 THEN s.max_wait
                                 ELSE greatest(f.max_wait_time, s.max_wait) END,
            avg_wait_time = s.wait_sum + 2.0::float8 ^ (-s.runs)
                * CASE WHEN f.counter = 0 THEN s.first_wait ELSE f.avg_wait_time END,
            min_exec_time = CASE WHEN f.counter = 0 THEN s.min_run
                                 ELSE least(f.min_exec_time, s.min_run) END,
            max_exec_time = CASE WHEN f.counter = 0 THEN s.max_run
                                 ELSE greatest(f.max_exec_time, s.max_run) END,
            avg_exec_time = s.run_sum + 2.0::float8 ^ (-s.runs)
                * CASE WHEN f.counter = 0 THEN s.first_run ELSE f.avg_exec_time END
        FROM s
        WHERE f.colony_name = s.colony_name AND f.funcname = s.funcname
          AND f.executor_name = s.executor_name),
      ch AS (DELETE FROM channels WHERE process_id IN (SELECT process_id FROM p)),
      cr AS (DELETE FROM channel_rates WHERE process_id IN (SELECT process_id FROM p))
      SELECT p.processgraph_id, p.has_children
      FROM b LEFT JOIN p ON p.n = b.n
      ORDER BY b.n";
    let texts = Type::TEXT_ARRAY;
    let running = state_code(ProcessState::Running);
    let params: [super::Typed<'_>; 4] = [
        (&ids, texts.clone()),
        (&callers, texts.clone()),
        (&outputs, texts),
        (&running, Type::INT2),
    ];
    let rows = super::query_typed(client, statements, SQL, &params).await?;
    Ok(rows
        .iter()
        .map(|row| {
            let graph: Option<String> = row.get(0);
            graph.map(|processgraph_id| Closed { processgraph_id, has_children: row.get(1) })
        })
        .collect())
}

/// The hot path of `closefailedmsg` in one statement: closes the process as FAILED with
/// `errors` when the caller may (as [`close_successful`] checks it; a WAITING process that is
/// assigned to the caller may fail too) and removes its channels. `None` when the guard did
/// not hold.
pub async fn close_failed(
    client: &Client,
    statements: &impl Statements,
    process_id: &str,
    caller: &str,
    errors: &[String],
) -> Result<Option<Closed>, Error> {
    const SQL: &str = "WITH p AS (
        UPDATE processes q
        SET state = 3, end_time = now(), exec_deadline = NULL, errors = $3
        WHERE q.state IN (0, 1) AND q.process_id = $1 AND q.is_assigned
          AND q.assigned_executor_id = $2
          AND (q.exec_deadline IS NULL OR q.exec_deadline >= now())
          AND (EXISTS (SELECT 1 FROM executors e
                       WHERE e.executor_id = $2 AND e.colony_name = q.colony_name AND e.state = 1)
               OR EXISTS (SELECT 1 FROM users u
                          WHERE u.user_id = $2 AND u.colony_name = q.colony_name))
        RETURNING q.processgraph_id, cardinality(q.children) > 0 AS has_children),
      ch AS (DELETE FROM channels WHERE process_id = $1 AND EXISTS (SELECT 1 FROM p)),
      cr AS (DELETE FROM channel_rates WHERE process_id = $1 AND EXISTS (SELECT 1 FROM p))
      SELECT processgraph_id, has_children FROM p";
    let params: [super::Typed<'_>; 3] =
        [(&process_id, Type::TEXT), (&caller, Type::TEXT), (&errors, Type::TEXT_ARRAY)];
    let row = super::query_opt_typed(client, statements, SQL, &params).await?;
    Ok(row.map(|row| Closed { processgraph_id: row.get(0), has_children: row.get(1) }))
}

/// `setoutputmsg`: replaces the output of a process running on `executor_id`; false if it
/// is not (any more).
pub async fn set_output(
    client: &Client,
    statements: &impl Statements,
    process_id: &str,
    executor_id: &str,
    output: &str,
) -> Result<bool, Error> {
    const SQL: &str = "UPDATE processes SET output = $3::text::jsonb
        WHERE process_id = $1 AND state = 1 AND is_assigned AND assigned_executor_id = $2";
    let statement = statements.prepare(client, SQL).await?;
    Ok(client.execute(&statement, &[&process_id, &executor_id, &output]).await? == 1)
}

/// `cancelprocessmsg`: CANCELLED, from WAITING or RUNNING, outside workflows; false if the
/// process is not (any more) in such a state.
pub async fn cancel(client: &impl GenericClient, process_id: &str) -> Result<bool, Error> {
    let n = client
        .execute(
            "UPDATE processes SET state = 4, end_time = now(), exec_deadline = NULL
             WHERE process_id = $1 AND state IN (0, 1) AND processgraph_id = ''",
            &[&process_id],
        )
        .await?;
    Ok(n == 1)
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
