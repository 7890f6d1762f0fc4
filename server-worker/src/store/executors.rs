//! Executors, keyed by (colony, name); a removed executor keeps its row in state UNREGISTERED.

use super::auth::executor_state;
use colonies_core::{model::Executor, time::Timestamp};
use tokio_postgres::{Error, GenericClient, Row};

/// The columns [`from_row`] reads, in its order. Times travel as Unix nanoseconds (exact:
/// EXTRACT returns numeric) so no date-time crate is needed on either host.
const COLUMNS: &str = "executor_id, executor_type, name, colony_name, state, require_func_reg,
    (EXTRACT(EPOCH FROM commission_time) * 1000000000)::bigint,
    (EXTRACT(EPOCH FROM last_heard_from) * 1000000000)::bigint,
    location_name, capabilities::text, allocations::text, blueprint_id, blueprint_gen";

fn time(nanos: Option<i64>) -> Timestamp {
    nanos.map_or(Timestamp::UNSET, Timestamp::from_unix_nanos)
}

fn from_row(row: &Row) -> Executor {
    Executor {
        executorid: row.get(0),
        executortype: row.get(1),
        executorname: row.get(2),
        colonyname: row.get(3),
        state: executor_state(row.get(4)),
        requirefuncreg: row.get(5),
        commissiontime: time(row.get(6)),
        lastheardfromtime: time(row.get(7)),
        locationname: row.get(8),
        // Written by this module from the same types, so they read back.
        capabilities: serde_json::from_str(row.get(9)).unwrap_or_default(),
        allocations: serde_json::from_str(row.get(10)).unwrap_or_default(),
        blueprintid: row.get(11),
        blueprintgen: row.get(12),
    }
}

/// Registers `executor` as PENDING, commissioned and heard from now. With `replace`, an
/// existing executor of that name (any state) is taken over; without it the name must be
/// free. Returns the stored executor, or `None` when the name is taken.
pub async fn insert(
    client: &impl GenericClient,
    executor: &Executor,
    replace: bool,
) -> Result<Option<Executor>, Error> {
    let capabilities = serde_json::to_string(&executor.capabilities).unwrap_or_default();
    let allocations = serde_json::to_string(&executor.allocations).unwrap_or_default();
    let conflict = if replace {
        "ON CONFLICT (colony_name, name) DO UPDATE SET executor_id = EXCLUDED.executor_id,
            executor_type = EXCLUDED.executor_type, state = 0,
            require_func_reg = EXCLUDED.require_func_reg,
            commission_time = EXCLUDED.commission_time, last_heard_from = EXCLUDED.last_heard_from,
            location_name = EXCLUDED.location_name, capabilities = EXCLUDED.capabilities,
            allocations = EXCLUDED.allocations, blueprint_id = EXCLUDED.blueprint_id,
            blueprint_gen = EXCLUDED.blueprint_gen"
    } else {
        "ON CONFLICT (colony_name, name) DO NOTHING"
    };
    let sql = format!(
        "INSERT INTO executors (colony_name, name, executor_id, executor_type, state,
             require_func_reg, commission_time, last_heard_from, location_name, capabilities,
             allocations, blueprint_id, blueprint_gen)
         VALUES ($1, $2, $3, $4, 0, $5, now(), now(), $6, $7::text::jsonb, $8::text::jsonb, $9, $10)
         {conflict} RETURNING {COLUMNS}"
    );
    let row = client
        .query_opt(
            &sql,
            &[
                &executor.colonyname,
                &executor.executorname,
                &executor.executorid,
                &executor.executortype,
                &executor.requirefuncreg,
                &executor.locationname,
                &capabilities,
                &allocations,
                &executor.blueprintid,
                &executor.blueprintgen,
            ],
        )
        .await?;
    Ok(row.as_ref().map(from_row))
}

/// Every executor of a colony, in every state, by name.
pub async fn list(client: &impl GenericClient, colony: &str) -> Result<Vec<Executor>, Error> {
    let sql = format!("SELECT {COLUMNS} FROM executors WHERE colony_name = $1 ORDER BY name");
    Ok(client.query(&sql, &[&colony]).await?.iter().map(from_row).collect())
}

/// One executor by name.
pub async fn by_name(
    client: &impl GenericClient,
    colony: &str,
    name: &str,
) -> Result<Option<Executor>, Error> {
    let sql = format!("SELECT {COLUMNS} FROM executors WHERE colony_name = $1 AND name = $2");
    Ok(client.query_opt(&sql, &[&colony, &name]).await?.as_ref().map(from_row))
}

/// One executor by key ID, within a colony.
pub async fn by_id(
    client: &impl GenericClient,
    colony: &str,
    id: &str,
) -> Result<Option<Executor>, Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM executors WHERE colony_name = $1 AND executor_id = $2 LIMIT 1"
    );
    Ok(client.query_opt(&sql, &[&colony, &id]).await?.as_ref().map(from_row))
}

/// Sets the state of a registered (not removed) executor; false if there is none.
pub async fn set_state(
    client: &impl GenericClient,
    colony: &str,
    name: &str,
    state: i16,
) -> Result<bool, Error> {
    let n = client
        .execute(
            "UPDATE executors SET state = $3 WHERE colony_name = $1 AND name = $2 AND state <> 3",
            &[&colony, &name, &state],
        )
        .await?;
    Ok(n == 1)
}

/// A process put back to WAITING when its executor went away.
#[derive(Debug, Clone)]
pub struct Requeued {
    /// The process's executor type.
    pub executor_type: String,
    /// Its target executor names.
    pub executor_names: Vec<String>,
    /// Its location.
    pub location: String,
}

/// Soft-removes an executor: UNREGISTERED, its functions deleted, its running processes back
/// to WAITING (assignment and times cleared, retries kept). `None` if there is no such
/// executor (or it is already removed). Run it in a transaction.
pub async fn remove(
    client: &impl GenericClient,
    colony: &str,
    name: &str,
) -> Result<Option<Vec<Requeued>>, Error> {
    let Some(row) = client
        .query_opt(
            "UPDATE executors SET state = 3 WHERE colony_name = $1 AND name = $2 AND state <> 3
             RETURNING executor_id",
            &[&colony, &name],
        )
        .await?
    else {
        return Ok(None);
    };
    let id: String = row.get(0);
    client
        .execute(
            "DELETE FROM functions WHERE colony_name = $1 AND executor_name = $2",
            &[&colony, &name],
        )
        .await?;
    // Only its processes in this colony: the same key may be an executor elsewhere too.
    let rows = client
        .query(
            "UPDATE processes SET state = 0, is_assigned = FALSE, assigned_executor_id = '',
                 start_time = NULL, end_time = NULL, exec_deadline = NULL
             WHERE assigned_executor_id = $1 AND state = 1 AND colony_name = $2
             RETURNING executor_type, target_executor_names, location_name",
            &[&id, &colony],
        )
        .await?;
    Ok(Some(
        rows.iter()
            .map(|r| Requeued {
                executor_type: r.get(0),
                executor_names: r.get(1),
                location: r.get(2),
            })
            .collect(),
    ))
}

/// Replaces an executor's allocations; false if there is no such executor.
pub async fn set_allocations(
    client: &impl GenericClient,
    colony: &str,
    name: &str,
    json: &str,
) -> Result<bool, Error> {
    let n = client
        .execute(
            "UPDATE executors SET allocations = $3::text::jsonb WHERE colony_name = $1 AND name = $2",
            &[&colony, &name, &json],
        )
        .await?;
    Ok(n == 1)
}

/// Replaces an executor's capabilities; false if there is no such executor.
pub async fn set_capabilities(
    client: &impl GenericClient,
    colony: &str,
    name: &str,
    json: &str,
) -> Result<bool, Error> {
    let n = client
        .execute(
            "UPDATE executors SET capabilities = $3::text::jsonb WHERE colony_name = $1 AND name = $2",
            &[&colony, &name, &json],
        )
        .await?;
    Ok(n == 1)
}
