//! Assign: the one statement that picks, locks and assigns the next process an executor may
//! run, with the caller's rows it was checked against.

use super::*;
use crate::store::auth::CallerRows;
use crate::{
    db::Statements,
    store::replay::{FOLDED_COLUMNS, Folded, NonceItem, folded_check, folded_ctes},
};
use colonies_core::model::Process;
use colonies_core::rules::replay::NonceCheck;
use tokio_postgres::{Client, Error, types::Type};

/// What an assign call saw and did, in one round trip.
#[derive(Debug, Clone)]
pub struct Assigned {
    /// What the nonce check saw (meaningful for a bound assign only: an assign whose nonce
    /// was refused took nothing and left the executor's last contact as it was).
    pub nonce: NonceCheck,
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
    (cpu, memory): (i64, i64),
    take: bool,
    nonce: Option<&NonceItem>,
) -> Result<Option<Assigned>, Error> {
    let folded = Folded::of([nonce]);
    let sql = format!(
        "WITH {nonces},
          alive AS (
            UPDATE executors SET last_heard_from = now()
            WHERE (SELECT ok FROM nonce_ok) AND executor_id = $1 AND colony_name = $2 AND state = 1
              AND (last_heard_from IS NULL OR last_heard_from < now() - INTERVAL '1 second')),
          me AS (SELECT name, executor_type, location_name FROM executors
                 WHERE executor_id = $1 AND colony_name = $2 AND state = 1
                 ORDER BY name LIMIT 1),
          pick AS (
            SELECT q.process_id FROM processes q
            WHERE $5 AND (SELECT ok FROM nonce_ok)
              AND NOT (SELECT assignments_paused FROM colonies WHERE name = $2)
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
                {checks},
                taken.*
         FROM (SELECT 1) AS one
         CROSS JOIN nonce_ok nk
         LEFT JOIN colonies c ON c.name = $2 {CALLER_JOINS}
         LEFT JOIN taken ON TRUE",
        nonces = folded_ctes(6, folded.bound()),
        checks = FOLDED_COLUMNS,
    );
    let [n1, n2, n3, n4, n5] = folded.params();
    let params: [crate::store::Typed<'_>; 10] = [
        (&caller, Type::TEXT),
        (&colony, Type::TEXT),
        (&cpu, Type::INT8),
        (&memory, Type::INT8),
        (&take, Type::BOOL),
        n1,
        n2,
        n3,
        n4,
        n5,
    ];
    let Some(row) = crate::store::query_opt_typed(client, statements, &sql, &params).await? else {
        return Ok(None);
    };
    let executor = row.get::<_, Option<Vec<String>>>(5).and_then(|v| {
        <[String; 3]>::try_from(v).ok().map(|[name, kind, location]| (name, kind, location))
    });
    let process = row.get::<_, Option<String>>(11).map(|_| from_row(&row, 11));
    Ok(Some(Assigned {
        rows: caller_rows_from(caller, colony, row.get(0), row.get(2), row.get(3), row.get(4)),
        paused: row.get::<_, Option<bool>>(1).unwrap_or(false),
        executor,
        clock_ns: row.get(6),
        process,
        nonce: folded_check(&row, 7),
    }))
}
