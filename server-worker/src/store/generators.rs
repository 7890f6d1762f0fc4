//! Generators (protocol §4.11, §6.5): rows, packed args, and the sweep that turns packed args
//! into workflows. Like the cron sweep, one advisory-locked transaction per pass; the args a
//! workflow takes are deleted in the transaction that submits it, so each arg runs once.

use super::{graphs, processes::time};
use crate::wakeups::Ready;
use colonies_core::graph::Initiator;
use colonies_core::{
    model::{Generator, WorkflowSpec},
    rules::ranges::MAX_SECONDS,
};
use serde_json::Value;
use tokio_postgres::{Client, Error, GenericClient, Row};

/// The advisory lock key of the generator sweep ("col_gens" in ASCII).
pub const GENERATOR_LOCK: i64 = 0x636f_6c5f_6765_6e73;

/// How often generators are looked at, in milliseconds (the reply's `checkerperiod`).
pub const CHECKER_PERIOD_MS: i64 = 1000;

const COLUMNS: &str = "g.generator_id, g.initiator_id, g.initiator_name, g.colony_name, g.name,
    g.workflow_spec, g.trigger, g.timeout,
    (EXTRACT(EPOCH FROM g.first_pack) * 1000000000)::bigint,
    (EXTRACT(EPOCH FROM g.last_run) * 1000000000)::bigint,
    (SELECT count(*) FROM generator_args a WHERE a.generator_id = g.generator_id)";

fn from_row(r: &Row) -> Generator {
    Generator {
        generatorid: r.get(0),
        initiatorid: r.get(1),
        initiatorname: r.get(2),
        colonyname: r.get(3),
        name: r.get(4),
        workflowspec: r.get(5),
        trigger: r.get(6),
        timeout: r.get(7),
        firstpack: time(r.get(8)),
        lastrun: time(r.get(9)),
        queuesize: r.get(10),
        checkerperiod: CHECKER_PERIOD_MS,
    }
}

/// Inserts a generator.
pub async fn insert(client: &impl GenericClient, g: &Generator) -> Result<(), Error> {
    client
        .execute(
            "INSERT INTO generators (generator_id, colony_name, name, initiator_id,
                initiator_name, workflow_spec, trigger, timeout)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &g.generatorid,
                &g.colonyname,
                &g.name,
                &g.initiatorid,
                &g.initiatorname,
                &g.workflowspec,
                &g.trigger,
                &g.timeout,
            ],
        )
        .await
        .map(drop)
}

/// One generator by ID; `None` if there is none.
pub async fn get(client: &impl GenericClient, id: &str) -> Result<Option<Generator>, Error> {
    let sql = format!("SELECT {COLUMNS} FROM generators g WHERE g.generator_id = $1");
    Ok(client.query_opt(&sql, &[&id]).await?.as_ref().map(from_row))
}

/// One generator by colony and name; `None` if there is none.
pub async fn resolve(
    client: &impl GenericClient,
    colony: &str,
    name: &str,
) -> Result<Option<Generator>, Error> {
    let sql =
        format!("SELECT {COLUMNS} FROM generators g WHERE g.colony_name = $1 AND g.name = $2");
    Ok(client.query_opt(&sql, &[&colony, &name]).await?.as_ref().map(from_row))
}

/// Up to `count` generators of a colony, by name.
pub async fn list(
    client: &impl GenericClient,
    colony: &str,
    count: i64,
) -> Result<Vec<Generator>, Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM generators g WHERE g.colony_name = $1 ORDER BY g.name LIMIT $2"
    );
    Ok(client.query(&sql, &[&colony, &count]).await?.iter().map(from_row).collect())
}

/// Packs an arg and sets `firstpack` on the first one; false if there is no such generator.
pub async fn pack(client: &impl GenericClient, id: &str, arg: &str) -> Result<bool, Error> {
    let row = client
        .query_one(
            "WITH g AS (UPDATE generators SET first_pack = COALESCE(first_pack, now())
                        WHERE generator_id = $1 RETURNING generator_id, colony_name),
                  a AS (INSERT INTO generator_args (generator_id, colony_name, arg)
                        SELECT generator_id, colony_name, $2 FROM g)
             SELECT count(*) FROM g",
            &[&id, &arg],
        )
        .await?;
    Ok(row.get::<_, i64>(0) == 1)
}

/// Deletes a generator and its packed args; false if there was none.
pub async fn remove(client: &impl GenericClient, id: &str) -> Result<bool, Error> {
    let row = client
        .query_one(
            "WITH g AS (DELETE FROM generators WHERE generator_id = $1 RETURNING generator_id),
                  a AS (DELETE FROM generator_args USING g
                        WHERE generator_args.generator_id = g.generator_id)
             SELECT count(*) FROM g",
            &[&id],
        )
        .await?;
    Ok(row.get::<_, i64>(0) == 1)
}

/// Takes (deletes) the `n` oldest packed args of a generator, oldest first.
async fn take_args(client: &impl GenericClient, id: &str, n: i64) -> Result<Vec<Value>, Error> {
    let rows = client
        .query(
            "WITH t AS (DELETE FROM generator_args WHERE seq IN (
                    SELECT seq FROM generator_args WHERE generator_id = $1
                    ORDER BY seq LIMIT $2)
                 RETURNING seq, arg)
             SELECT arg FROM t ORDER BY seq",
            &[&id, &n],
        )
        .await?;
    Ok(rows.iter().map(|r| Value::String(r.get(0))).collect())
}

/// Submits the generator's workflow with `args` as every root's `args` (and `{}` kwargs).
async fn run(
    client: &impl GenericClient,
    g: &Generator,
    args: Vec<Value>,
) -> Result<Vec<Ready>, Error> {
    let Ok(mut spec) = colonies_core::gojson::from_str::<WorkflowSpec>(&g.workflowspec) else {
        return Ok(Vec::new());
    };
    spec.colonyname.clone_from(&g.colonyname);
    for f in &mut spec.functionspecs {
        if f.conditions.dependencies.is_empty() {
            f.args.clone_from(&args);
            f.kwargs = serde_json::Map::new();
        }
    }
    let initiator = Initiator { id: g.initiatorid.clone(), name: g.initiatorname.clone() };
    match graphs::create(client, spec, &initiator, &[]).await? {
        Ok((_, nodes)) => Ok(graphs::root_wakeups(&nodes)),
        Err(_) => Ok(Vec::new()),
    }
}

/// One pass: a generator with at least `trigger` packed args submits `floor(n / trigger)`
/// workflows of `trigger` args each; else one with some args whose `timeout` (seconds, > 0)
/// has passed since its last run (or first pack) submits one workflow with all of them.
pub async fn sweep_generators(client: &mut Client) -> Result<Vec<Ready>, Error> {
    let tx = client.transaction().await?;
    let locked: bool =
        tx.query_one("SELECT pg_try_advisory_xact_lock($1)", &[&GENERATOR_LOCK]).await?.get(0);
    if !locked {
        return Ok(Vec::new());
    }
    // The timeout is clamped (and only multiplied when positive: CASE, unlike AND, fixes
    // the order), so a row holding a number no interval can (written before `addgeneratormsg`
    // checked it) cannot fail the sweep of every generator.
    let sql = format!(
        "SELECT {COLUMNS},
            CASE WHEN g.timeout > 0
                 THEN now() - COALESCE(g.last_run, g.first_pack)
                      >= LEAST(g.timeout, {MAX_SECONDS}) * INTERVAL '1 second'
                 ELSE FALSE END
         FROM generators g
         WHERE EXISTS (SELECT 1 FROM generator_args a WHERE a.generator_id = g.generator_id)
         FOR UPDATE OF g SKIP LOCKED"
    );
    let rows = tx.query(&sql, &[]).await?;
    let mut wake = Vec::new();
    for row in &rows {
        let g = from_row(row);
        let timed_out: Option<bool> = row.get(11);
        let mut ran = false;
        if g.trigger > 0 && g.queuesize >= g.trigger {
            for _ in 0..g.queuesize / g.trigger {
                let args = take_args(&tx, &g.generatorid, g.trigger).await?;
                wake.extend(run(&tx, &g, args).await?);
            }
            ran = true;
        } else if timed_out.unwrap_or(false) && g.queuesize > 0 {
            let args = take_args(&tx, &g.generatorid, g.queuesize).await?;
            wake.extend(run(&tx, &g, args).await?);
            ran = true;
        }
        if ran {
            tx.execute(
                "UPDATE generators SET last_run = now(),
                    first_pack = CASE WHEN EXISTS (SELECT 1 FROM generator_args a
                                                   WHERE a.generator_id = $1)
                                      THEN first_pack END
                 WHERE generator_id = $1",
                &[&g.generatorid],
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(wake)
}
