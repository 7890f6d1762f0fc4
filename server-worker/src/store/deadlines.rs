//! Deadlines (protocol §6.5): expired runs, expired waits, stale executors.
//!
//! [`sweep_deadlines`] is the periodic pass any host can call (natively every second): it
//! runs in one transaction under a transaction-scoped advisory lock, so replicas sharing the
//! database never apply the same expiry twice, and a pooler in transaction mode (Hyperdrive)
//! allows it. [`expire_process`] applies the same rules to one process when a handler reads
//! it past a deadline, so correctness never waits for the sweep.
//!
//! Deliberate differences from Go: `maxexectime ≤ 0` and `maxwaittime ≤ 0` both mean
//! "unlimited" (Go times out `maxexectime: 0` at once and fails negative wait times other
//! than −1 at once), and every expired waiting process is failed, not only the first 1000.

use super::executors;
use crate::wakeups::Ready;
use core::time::Duration;
use tokio_postgres::{Client, Error, GenericClient};

/// The advisory lock key of the deadline sweep ("deadline" in ASCII, as an i64).
pub const DEADLINE_LOCK: i64 = 0x6465_6164_6c69_6e65;

/// Most rows one statement of a sweep touches; the rest wait for the next pass, so a
/// backlog never makes one transaction hold thousands of row locks for long.
const BATCH: i64 = 5000;

/// The error of a process whose run expired with no retries left.
pub const EXEC_EXPIRED: &str = "Maximum execution time limit exceeded";
/// The error of a process that waited too long.
pub const WAIT_EXPIRED: &str = "Maximum waiting time limit exceeded";

/// What one sweep did.
#[derive(Debug, Clone, Default)]
pub struct Sweep {
    /// False when another server held the lock (it sweeps instead).
    pub ran: bool,
    /// Processes put back to WAITING (expired runs with retries left, and the running
    /// processes of stale executors): publish them so waiting executors take them.
    pub requeued: Vec<Ready>,
    /// Processes failed (expired runs without retries, expired waits).
    pub failed: u64,
    /// Executors soft-removed for silence.
    pub stale_executors: u64,
}

/// The three expiry statements; `{only}` narrows them to one process (`$1`) or is empty.
fn statements(only: &str) -> [String; 3] {
    [
        // An expired run with its retries used up fails (maxretries −1: retry for ever).
        format!(
            "UPDATE processes SET state = 3, end_time = now(), exec_deadline = NULL,
                 errors = ARRAY['{EXEC_EXPIRED}']
             WHERE process_id IN (
                 SELECT process_id FROM processes
                 WHERE state = 1 AND exec_deadline < now() {only}
                   AND max_retries >= 0 AND retries >= max_retries
                 LIMIT {BATCH} FOR UPDATE SKIP LOCKED)"
        ),
        // Any other expired run goes back to WAITING, keeping its prioritytime (so it is
        // next in line), with a fresh wait deadline.
        format!(
            "UPDATE processes SET state = 0, is_assigned = FALSE, assigned_executor_id = '',
                 retries = retries + 1, end_time = now(), exec_deadline = NULL,
                 wait_deadline = CASE WHEN max_wait_time > 0
                                      THEN now() + max_wait_time * INTERVAL '1 second' END
             WHERE process_id IN (
                 SELECT process_id FROM processes
                 WHERE state = 1 AND exec_deadline < now() {only}
                 LIMIT {BATCH} FOR UPDATE SKIP LOCKED)
             RETURNING colony_name, executor_type, target_executor_names, location_name,
                       wait_for_parents"
        ),
        format!(
            "UPDATE processes SET state = 3, end_time = now(), wait_deadline = NULL,
                 errors = ARRAY['{WAIT_EXPIRED}']
             WHERE process_id IN (
                 SELECT process_id FROM processes
                 WHERE state = 0 AND NOT is_assigned AND wait_deadline < now() {only}
                 LIMIT {BATCH} FOR UPDATE SKIP LOCKED)"
        ),
    ]
}

/// Applies the expiry statements; `id` narrows them to one process.
async fn expire(
    client: &impl GenericClient,
    only: &str,
    id: Option<&str>,
    sweep: &mut Sweep,
) -> Result<(), Error> {
    let [fail_runs, requeue_runs, fail_waits] = statements(only);
    let id_param: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = match &id {
        Some(id) => vec![id],
        None => Vec::new(),
    };
    sweep.failed += client.execute(&fail_runs, &id_param).await?;
    for row in client.query(&requeue_runs, &id_param).await? {
        // A workflow child waiting for its parents is not assignable yet: nobody to wake.
        if !row.get::<_, bool>(4) {
            sweep.requeued.push(Ready {
                colony: row.get(0),
                executor_type: row.get(1),
                executor_names: row.get(2),
                location: row.get(3),
            });
        }
    }
    sweep.failed += client.execute(&fail_waits, &id_param).await?;
    Ok(())
}

/// One pass over every deadline, unless another server is doing it right now.
///
/// Executors not heard from (no assign call) for `stale_after` are soft-removed the way
/// `removeexecutormsg` removes them, their running processes back to WAITING.
pub async fn sweep_deadlines(client: &mut Client, stale_after: Duration) -> Result<Sweep, Error> {
    let tx = client.transaction().await?;
    let mut sweep = Sweep::default();
    let locked: bool =
        tx.query_one("SELECT pg_try_advisory_xact_lock($1)", &[&DEADLINE_LOCK]).await?.get(0);
    if !locked {
        return Ok(sweep);
    }
    sweep.ran = true;
    expire(&tx, "", None, &mut sweep).await?;
    let stale = tx
        .query(
            "SELECT colony_name, name FROM executors
             WHERE state <> 3 AND last_heard_from < now() - $1::float8 * INTERVAL '1 second'
             ORDER BY last_heard_from LIMIT 100",
            &[&stale_after.as_secs_f64()],
        )
        .await?;
    for row in stale {
        let (colony, name): (String, String) = (row.get(0), row.get(1));
        if let Some(requeued) = executors::remove(&tx, &colony, &name).await? {
            sweep.stale_executors += 1;
            sweep.requeued.extend(requeued.into_iter().map(|p| Ready {
                colony: colony.clone(),
                executor_type: p.executor_type,
                executor_names: p.executor_names,
                location: p.location,
            }));
        }
    }
    tx.commit().await?;
    Ok(sweep)
}

/// Applies any passed deadline of one process now (a handler read it expired). Safe to run
/// beside a sweep: both skip rows the other has locked, and the state conditions make a
/// second application a no-op.
pub async fn expire_process(client: &impl GenericClient, process_id: &str) -> Result<Sweep, Error> {
    let mut sweep = Sweep { ran: true, ..Sweep::default() };
    expire(client, "AND process_id = $1", Some(process_id), &mut sweep).await?;
    Ok(sweep)
}
