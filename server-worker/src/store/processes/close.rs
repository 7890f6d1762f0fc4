//! The guarded writes of a running process: close as successful (in one statement for many),
//! close as failed, set output, cancel.

use super::*;
use crate::{
    db::Statements,
    store::replay::{FOLDED_COLUMNS, Folded, NonceItem, folded_check, folded_ctes},
};
use colonies_core::model::ProcessState;
use colonies_core::rules::replay::NonceCheck;
use tokio_postgres::{Client, Error, GenericClient, types::Type};

/// A `closesuccessfulmsg` to write: the process, the caller (its assigned executor, if the
/// close is to be accepted) and the output (JSON text) to store when one was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuccessfulClose {
    /// The process to close.
    pub process_id: String,
    /// Who closes it.
    pub caller: String,
    /// The request's replay binding, recorded by the close itself (`None`: unbound).
    pub nonce: Option<NonceItem>,
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

/// What [`close_successful`] says of one close.
#[derive(Debug, Clone)]
pub struct CloseWritten {
    /// What was closed, or `None` when nothing was written (the caller may not close it now,
    /// or its nonce was refused).
    pub closed: Option<Closed>,
    /// What the nonce check saw (meaningful for a bound close only).
    pub nonce: NonceCheck,
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
) -> Result<Vec<CloseWritten>, Error> {
    let ids: Vec<&str> = closes.iter().map(|c| c.process_id.as_str()).collect();
    let folded = Folded::of(closes.iter().map(|c| c.nonce.as_ref()));
    let callers: Vec<&str> = closes.iter().map(|c| c.caller.as_str()).collect();
    let outputs: Vec<Option<&str>> = closes.iter().map(|c| c.output.as_deref()).collect();
    // One text per kind of batch, made once: with nonces to record, or none.
    fn sql(bound: bool) -> String {
        format!(
            "WITH {nonces},
      b AS (
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
               WITH ORDINALITY AS b(id, caller, output, n)),
      t AS (
        SELECT b.*, x.row FROM b CROSS JOIN LATERAL (
            SELECT q.ctid AS row FROM processes q WHERE q.process_id = b.id LIMIT 1) x),
      p AS (
        UPDATE processes q
        SET state = 2, end_time = now(), exec_deadline = NULL,
            output = COALESCE(b.output::jsonb, q.output)
        FROM t AS b JOIN nonce_ok nk ON nk.ord = b.n
        WHERE nk.ok AND q.ctid = ANY (ARRAY(SELECT row FROM t)) AND q.ctid = b.row
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
      SELECT p.processgraph_id, p.has_children, {checks}
      FROM b LEFT JOIN p ON p.n = b.n JOIN nonce_ok nk ON nk.ord = b.n
      ORDER BY b.n",
            nonces = folded_ctes(5, bound),
            checks = FOLDED_COLUMNS,
        )
    }
    static BOUND: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| sql(true));
    static PLAIN: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| sql(false));
    let sql: &str = if folded.bound() { &BOUND } else { &PLAIN };
    let texts = Type::TEXT_ARRAY;
    let running = state_code(ProcessState::Running);
    let [n1, n2, n3, n4, n5] = folded.params();
    let params: [crate::store::Typed<'_>; 9] = [
        (&ids, texts.clone()),
        (&callers, texts.clone()),
        (&outputs, texts),
        (&running, Type::INT2),
        n1,
        n2,
        n3,
        n4,
        n5,
    ];
    let rows = crate::store::query_typed(client, statements, sql, &params).await?;
    Ok(rows
        .iter()
        .map(|row| {
            let graph: Option<String> = row.get(0);
            CloseWritten {
                closed: graph
                    .map(|processgraph_id| Closed { processgraph_id, has_children: row.get(1) }),
                nonce: folded_check(row, 2),
            }
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
    let params: [crate::store::Typed<'_>; 3] =
        [(&process_id, Type::TEXT), (&caller, Type::TEXT), (&errors, Type::TEXT_ARRAY)];
    let row = crate::store::query_opt_typed(client, statements, SQL, &params).await?;
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
