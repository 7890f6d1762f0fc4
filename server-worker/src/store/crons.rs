//! Crons (protocol §4.10, §6.5): rows, and the sweep that starts due crons' workflows.
//!
//! The sweep runs in one transaction that first takes a transaction-scoped advisory lock
//! (`pg_try_advisory_xact_lock`, which poolers in transaction mode allow), so one replica
//! sweeps at a time; each due cron is also claimed with `UPDATE … WHERE next_run = $old`, so
//! a due time starts its workflow exactly once even if two sweeps overlapped.

use super::{graphs, processes::time};
use crate::wakeups::Ready;
use colonies_core::cron::CronExpr;
use colonies_core::graph::Initiator;
use colonies_core::{
    model::{Cron, WorkflowSpec},
    rules::ranges,
};
use serde_json::Value;
use tokio_postgres::{Client, Error, GenericClient, Row};

/// The advisory lock key of the cron sweep ("col_cron" in ASCII).
pub const CRON_LOCK: i64 = 0x636f_6c5f_6372_6f6e;

/// How often crons are looked at, in milliseconds (the reply's `checkerperiod`).
pub const CHECKER_PERIOD_MS: i64 = 1000;

const COLUMNS: &str = "cron_id, initiator_id, initiator_name, colony_name, name,
    cron_expression, interval_seconds, random,
    (EXTRACT(EPOCH FROM next_run) * 1000000000)::bigint,
    (EXTRACT(EPOCH FROM last_run) * 1000000000)::bigint,
    workflow_spec, prev_processgraph_id, wait_for_prev";

fn from_row(r: &Row) -> Cron {
    Cron {
        cronid: r.get(0),
        initiatorid: r.get(1),
        initiatorname: r.get(2),
        colonyname: r.get(3),
        name: r.get(4),
        cronexpression: r.get(5),
        interval: r.get(6),
        random: r.get(7),
        nextrun: time(r.get(8)),
        lastrun: time(r.get(9)),
        workflowspec: r.get(10),
        prevprocessgraphid: r.get(11),
        waitforprevprocessgraph: r.get(12),
        checkerperiod: CHECKER_PERIOD_MS,
    }
}

/// The next run after `now_s` (Unix seconds): `interval` seconds later, or the expression's
/// next time when `interval` is -1. `None` when the expression never matches again. The
/// interval is clamped, so a row written before `addcronmsg` checked it cannot make a
/// timestamp Postgres refuses (which would fail the sweep of every cron).
pub fn next_run(cron: &Cron, now_s: i64) -> Option<i64> {
    if cron.interval > 0 {
        return Some(now_s.saturating_add(ranges::cron_wait(cron.interval)));
    }
    CronExpr::parse(&cron.cronexpression).ok()?.next_after(now_s)
}

fn secs_param(s: Option<i64>) -> Option<f64> {
    // Seconds fit an f64 exactly for any realistic time.
    #[allow(clippy::cast_precision_loss)]
    s.map(|v| v as f64)
}

const INSERT: &str = "INSERT INTO crons (cron_id, colony_name, name, initiator_id,
        initiator_name, cron_expression, interval_seconds, random, next_run, workflow_spec,
        wait_for_prev)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, to_timestamp($9::float8), $10, $11)";

async fn insert_with(
    client: &impl GenericClient,
    sql: &str,
    c: &Cron,
    next_s: Option<i64>,
) -> Result<u64, Error> {
    client
        .execute(
            sql,
            &[
                &c.cronid,
                &c.colonyname,
                &c.name,
                &c.initiatorid,
                &c.initiatorname,
                &c.cronexpression,
                &c.interval,
                &c.random,
                &secs_param(next_s),
                &c.workflowspec,
                &c.waitforprevprocessgraph,
            ],
        )
        .await
}

/// Inserts a cron whose `nextrun` is `next_s` (Unix seconds).
pub async fn insert(
    client: &impl GenericClient,
    c: &Cron,
    next_s: Option<i64>,
) -> Result<(), Error> {
    insert_with(client, INSERT, c, next_s).await.map(drop)
}

/// Inserts a cron like [`insert`] unless its colony has a cron of that name already (which is
/// left as it is); whether it was inserted.
pub async fn insert_unless_named(
    client: &impl GenericClient,
    c: &Cron,
    next_s: Option<i64>,
) -> Result<bool, Error> {
    let sql = format!("{INSERT} ON CONFLICT (colony_name, name) DO NOTHING");
    Ok(insert_with(client, &sql, c, next_s).await? == 1)
}

/// The first key of [`lock_name`]'s advisory locks ("bpcr"); the two-key space of advisory
/// locks does not overlap the one-key space of [`CRON_LOCK`].
const NAME_LOCK: i32 = 0x6270_6372;

/// Locks the cron name `name` of `colony` until the transaction ends (an advisory lock, which
/// poolers in transaction mode allow), whether or not such a cron exists: writers that decide
/// by other rows whether that cron should exist (blueprints and their reconcile cron) take
/// turns, and the next one's statements see what the previous one committed.
pub async fn lock_name(client: &impl GenericClient, colony: &str, name: &str) -> Result<(), Error> {
    client
        .execute(
            "SELECT pg_advisory_xact_lock($1, hashtext($2 || '/' || $3))",
            &[&NAME_LOCK, &colony, &name],
        )
        .await
        .map(drop)
}

/// Deletes the cron `name` of `colony`; false if there was none.
pub async fn remove_named(
    client: &impl GenericClient,
    colony: &str,
    name: &str,
) -> Result<bool, Error> {
    let n = client
        .execute("DELETE FROM crons WHERE colony_name = $1 AND name = $2", &[&colony, &name])
        .await?;
    Ok(n == 1)
}

/// The cron `id`, its row locked until the transaction `client` ends (so two runs of one
/// cron do not interleave); `None` when there is none.
pub async fn get_locked(client: &impl GenericClient, id: &str) -> Result<Option<Cron>, Error> {
    if client
        .query_opt("SELECT 1 FROM crons WHERE cron_id = $1 FOR UPDATE", &[&id])
        .await?
        .is_none()
    {
        return Ok(None);
    }
    get(client, id).await
}

/// One cron; `None` if there is none.
pub async fn get(client: &impl GenericClient, id: &str) -> Result<Option<Cron>, Error> {
    let sql = format!("SELECT {COLUMNS} FROM crons WHERE cron_id = $1");
    Ok(client.query_opt(&sql, &[&id]).await?.as_ref().map(from_row))
}

/// Up to `count` crons of a colony, by name.
pub async fn list(
    client: &impl GenericClient,
    colony: &str,
    count: i64,
) -> Result<Vec<Cron>, Error> {
    let sql = format!("SELECT {COLUMNS} FROM crons WHERE colony_name = $1 ORDER BY name LIMIT $2");
    Ok(client.query(&sql, &[&colony, &count]).await?.iter().map(from_row).collect())
}

/// Deletes a cron; false if there was none.
pub async fn remove(client: &impl GenericClient, id: &str) -> Result<bool, Error> {
    Ok(client.execute("DELETE FROM crons WHERE cron_id = $1", &[&id]).await? == 1)
}

/// Starts a cron's workflow now on `client` (inside a transaction), unless it waits for its
/// previous graph and that one still exists and is not finished (SUCCESS or FAILED); a
/// previous graph that was removed does not hold it back, as in Go. Roots get the previous
/// graph's leaf outputs as `in` (none when it was removed). Records `lastrun` and the new
/// graph; returns the wakeups. An invalid stored workflow starts nothing.
pub async fn start(client: &impl GenericClient, cron: &Cron) -> Result<Vec<Ready>, Error> {
    let mut input: Vec<Value> = Vec::new();
    if !cron.prevprocessgraphid.is_empty() {
        let prev = graphs::state(client, &cron.prevprocessgraphid).await?;
        if cron.waitforprevprocessgraph && matches!(prev, Some(s) if s != 2 && s != 3) {
            return Ok(Vec::new());
        }
        input = graphs::leaf_outputs(client, &cron.prevprocessgraphid).await?.unwrap_or_default();
    }
    let Ok(mut spec) = colonies_core::gojson::from_str::<WorkflowSpec>(&cron.workflowspec) else {
        return Ok(Vec::new());
    };
    spec.colonyname.clone_from(&cron.colonyname);
    let initiator = Initiator { id: cron.initiatorid.clone(), name: cron.initiatorname.clone() };
    let Ok((graph, nodes)) = graphs::create(client, spec, &initiator, &input).await? else {
        return Ok(Vec::new());
    };
    client
        .execute(
            "UPDATE crons SET last_run = now(), prev_processgraph_id = $2 WHERE cron_id = $1",
            &[&cron.cronid, &graph.processgraphid],
        )
        .await?;
    Ok(graphs::root_wakeups(&nodes))
}

/// One pass: every cron whose `nextrun` has passed gets its next `nextrun` and, once per due
/// time, its workflow started. Returns the wakeups to publish (after the commit, done here).
///
/// A cron that waits for its previous graph is left alone while that graph exists and is
/// neither SUCCESS nor FAILED, as Go's trigger loop leaves it: its `nextrun` stays where it
/// was, so it runs at the first pass after the graph finishes or is removed (Go starts a cron
/// whose previous graph cannot be found), not at the next due time after that.
pub async fn sweep_crons(client: &mut Client) -> Result<Vec<Ready>, Error> {
    let tx = client.transaction().await?;
    let locked: bool =
        tx.query_one("SELECT pg_try_advisory_xact_lock($1)", &[&CRON_LOCK]).await?.get(0);
    if !locked {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLUMNS}, EXTRACT(EPOCH FROM now())::bigint FROM crons c
         WHERE next_run <= now()
           AND NOT (c.wait_for_prev AND EXISTS (
                    SELECT 1 FROM processgraphs g
                    WHERE g.processgraph_id = c.prev_processgraph_id AND g.state NOT IN (2, 3)))
         ORDER BY next_run LIMIT 100"
    );
    let due = tx.query(&sql, &[]).await?;
    let mut wake = Vec::new();
    for row in &due {
        let cron = from_row(row);
        let now_s: i64 = row.get(13);
        let next = next_run(&cron, now_s);
        let old: Option<i64> = row.get(8);
        let claimed = tx
            .execute(
                "UPDATE crons SET next_run = to_timestamp($2::float8)
                 WHERE cron_id = $1
                   AND (EXTRACT(EPOCH FROM next_run) * 1000000000)::bigint = $3",
                &[&cron.cronid, &secs_param(next), &old],
            )
            .await?;
        if claimed == 1 {
            wake.extend(start(&tx, &cron).await?);
        }
    }
    tx.commit().await?;
    Ok(wake)
}
