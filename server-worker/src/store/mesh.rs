//! The service mesh's records (`mesh_records`, migration 0010): one table for the nine kinds,
//! each record the JSON of its `colonies_core::mesh` type, keyed by colony, kind (the
//! collection's path segment) and id; and the links between the mesh and Colonies (an
//! endpoint's executor, an invoked process).

use colonies_core::mesh::{GUARDING, Guards, Kind, Role};
use serde_json::Value;
use tokio_postgres::{Error, GenericClient};

/// What every mesh request needs to know, read in one round trip: who the caller is in the
/// colony, the colony's roles, the records that guard others (unless the caller owns the
/// colony, who needs no guard), and the record the request names.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The server's ID (the audience credentials must name); "" if none is stored.
    pub server_id: String,
    /// Whether the colony exists.
    pub colony_exists: bool,
    /// Whether the caller owns the colony.
    pub owner: bool,
    /// Whether the caller is a user or an approved executor of the colony.
    pub member: bool,
    /// The colony's roles.
    pub roles: Vec<Role>,
    /// The colony's services, microservices, functions and endpoints, to find any record's
    /// policy; `None` for the colony's owner.
    pub guards: Option<Guards>,
    /// The record the request names, if it asked for one and it exists.
    pub target: Option<Value>,
    /// The database's clock as mesh timestamps are written (RFC 3339 UTC, microseconds).
    pub now: String,
}

/// The [`Context`] of `caller` ("" when anonymous) in `colony`, with the record `target`
/// names (kind and id), if any.
pub async fn context(
    client: &impl GenericClient,
    caller: &str,
    colony: &str,
    target: Option<(Kind, &str)>,
) -> Result<Context, Error> {
    let kinds: Vec<&str> = GUARDING.iter().map(|k| k.path()).collect();
    let (kind, id) = target.map_or(("", ""), |(kind, id)| (kind.path(), id));
    let row = client
        .query_one(
            "SELECT (SELECT server_id FROM server),
                    c.colony_id,
                    $1 <> '' AND (
                        EXISTS (SELECT 1 FROM executors e
                                 WHERE e.executor_id = $1 AND e.colony_name = $2 AND e.state = 1)
                     OR EXISTS (SELECT 1 FROM users u
                                 WHERE u.user_id = $1 AND u.colony_name = $2)),
                    (SELECT coalesce(jsonb_agg(record ORDER BY seq), '[]')::text FROM mesh_records
                      WHERE colony_name = $2 AND kind = 'roles'),
                    CASE WHEN $1 <> '' AND c.colony_id = $1 THEN NULL ELSE
                        (SELECT coalesce(jsonb_agg(jsonb_build_array(kind, id, record)), '[]')::text
                           FROM mesh_records WHERE colony_name = $2 AND kind = ANY($5)) END,
                    (SELECT record::text FROM mesh_records
                      WHERE colony_name = $2 AND kind = $3 AND id = $4),
                    mesh_now()
             FROM (SELECT 1) AS one LEFT JOIN colonies c ON c.name = $2",
            &[&caller, &colony, &kind, &id, &kinds],
        )
        .await?;
    let owner_id: Option<String> = row.get(1);
    let roles: Vec<Value> = serde_json::from_str(row.get(3)).unwrap_or_default();
    let guards = row.get::<_, Option<&str>>(4).map(|text| {
        let mut guards = Guards::default();
        let rows: Vec<(String, String, Value)> = serde_json::from_str(text).unwrap_or_default();
        for (kind, id, record) in rows {
            if let Some(kind) = Kind::from_path(&kind) {
                guards.insert(kind, id, &record);
            }
        }
        guards
    });
    Ok(Context {
        server_id: row.get::<_, Option<String>>(0).unwrap_or_default(),
        colony_exists: owner_id.is_some(),
        owner: !caller.is_empty() && owner_id.as_deref() == Some(caller),
        member: row.get(2),
        // A role that does not read as one (written by an older server) grants nothing.
        roles: roles.into_iter().filter_map(|r| serde_json::from_value::<Role>(r).ok()).collect(),
        guards,
        target: row.get::<_, Option<&str>>(5).map(record),
        now: row.get(6),
    })
}

/// A stored record's JSON (always an object; `Null` if the column could not be read).
fn record(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// Every record of `kind` in `colony`, oldest first.
pub async fn list(
    client: &impl GenericClient,
    colony: &str,
    kind: Kind,
) -> Result<Vec<Value>, Error> {
    let rows = client
        .query(
            "SELECT record::text FROM mesh_records WHERE colony_name = $1 AND kind = $2
              ORDER BY seq",
            &[&colony, &kind.path()],
        )
        .await?;
    Ok(rows.iter().map(|row| record(row.get(0))).collect())
}

/// Stores a new record; `false` when one of this kind already has this id (nothing written).
pub async fn insert(
    client: &impl GenericClient,
    colony: &str,
    kind: Kind,
    id: &str,
    record: &Value,
) -> Result<bool, Error> {
    let n = client
        .execute(
            "INSERT INTO mesh_records (colony_name, kind, id, record) VALUES ($1, $2, $3, $4::text::jsonb)
             ON CONFLICT (colony_name, kind, id) DO NOTHING",
            &[&colony, &kind.path(), &id, &record.to_string()],
        )
        .await?;
    Ok(n == 1)
}

/// Replaces a stored record; `false` when there is none (nothing written).
pub async fn replace(
    client: &impl GenericClient,
    colony: &str,
    kind: Kind,
    id: &str,
    record: &Value,
) -> Result<bool, Error> {
    let n = client
        .execute(
            "UPDATE mesh_records SET record = $4::text::jsonb
              WHERE colony_name = $1 AND kind = $2 AND id = $3",
            &[&colony, &kind.path(), &id, &record.to_string()],
        )
        .await?;
    Ok(n == 1)
}

/// Deletes a record; `false` when there is none.
pub async fn delete(
    client: &impl GenericClient,
    colony: &str,
    kind: Kind,
    id: &str,
) -> Result<bool, Error> {
    let n = client
        .execute(
            "DELETE FROM mesh_records WHERE colony_name = $1 AND kind = $2 AND id = $3",
            &[&colony, &kind.path(), &id],
        )
        .await?;
    Ok(n == 1)
}

/// What the store knows of an endpoint's executor (the colony's executor named as the
/// endpoint's id).
#[derive(Debug, Clone)]
pub struct EndpointExecutor {
    /// The endpoint's id.
    pub endpoint_id: String,
    /// The executor's type, if the executor exists.
    pub executor_type: Option<String>,
    /// Its state (PENDING 0, APPROVED 1, REJECTED 2, UNREGISTERED 3), if it exists.
    pub executor_state: Option<i16>,
    /// Whether it was heard from within the warm window.
    pub warm: bool,
    /// When it was last heard from, RFC 3339 UTC, if ever.
    pub last_heard_from: Option<String>,
}

/// Every endpoint of the colony with its executor (`only`: just that endpoint), oldest first;
/// an executor is warm when heard from within `warm_for_secs`.
pub async fn endpoint_executors(
    client: &impl GenericClient,
    colony: &str,
    only: Option<&str>,
    warm_for_secs: f64,
) -> Result<Vec<EndpointExecutor>, Error> {
    let rows = client
        .query(
            "SELECT r.id, e.executor_type, e.state,
                    coalesce(e.state = 1 AND e.last_heard_from > now() - $3 * INTERVAL '1 second',
                             FALSE),
                    to_char(e.last_heard_from AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')
               FROM mesh_records r
               LEFT JOIN executors e ON e.colony_name = r.colony_name AND e.name = r.id
              WHERE r.colony_name = $1 AND r.kind = 'endpoints' AND ($2::text IS NULL OR r.id = $2)
              ORDER BY r.seq",
            &[&colony, &only, &warm_for_secs],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|row| EndpointExecutor {
            endpoint_id: row.get(0),
            executor_type: row.get(1),
            executor_state: row.get(2),
            warm: row.get(3),
            last_heard_from: row.get(4),
        })
        .collect())
}

/// Links a submitted process to the function state an invoke created, so that the state (and
/// the function's results) follow the process (the trigger of migration 0010, which also runs
/// for the link itself: a process assigned or closed before it was linked is caught up).
/// Returns the process's state, `None` when the process is gone.
pub async fn link_invocation(
    client: &impl GenericClient,
    process_id: &str,
    state_id: &str,
) -> Result<Option<i16>, Error> {
    let row = client
        .query_opt(
            "UPDATE processes SET mesh_state_id = $2 WHERE process_id = $1 RETURNING state",
            &[&process_id, &state_id],
        )
        .await?;
    Ok(row.map(|row| row.get(0)))
}
