//! Blueprint definitions, blueprints and their history (protocol §4.17, §5.19).
//!
//! Definitions and blueprints are stored whole as JSON (what the handler accepted, with IDs
//! and bookkeeping filled in) next to the columns queries select by.

use colonies_core::{
    model::{Blueprint, BlueprintDefinition, BlueprintHistory, JsonObject},
    time::Timestamp,
};
use tokio_postgres::{Error, GenericClient, Row};

fn definition_from(row: &Row) -> BlueprintDefinition {
    // Written by `insert_definition` from the same type, so it reads back.
    serde_json::from_str(row.get(0)).unwrap_or_default()
}

fn blueprint_from(row: &Row) -> Blueprint {
    // Written by `insert` / `update` from the same type, so it reads back.
    serde_json::from_str(row.get(0)).unwrap_or_default()
}

/// The database clock now, Unix nanoseconds (the transaction's start: every time written in
/// one transaction agrees). The handler layer has no clock of its own on every host.
pub async fn now(client: &impl GenericClient) -> Result<Timestamp, Error> {
    let row =
        client.query_one("SELECT (EXTRACT(EPOCH FROM now()) * 1000000000)::bigint", &[]).await?;
    Ok(Timestamp::from_unix_nanos(row.get(0)))
}

/// Why a definition or blueprint could not be inserted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// Inserted.
    None,
    /// The name (or, for a definition, the kind) is taken in the colony, or the ID is taken.
    Taken,
}

/// Inserts a definition (its ID, colony, name and kind already set).
pub async fn insert_definition(
    client: &impl GenericClient,
    definition: &BlueprintDefinition,
) -> Result<Conflict, Error> {
    let json = serde_json::to_string(definition).unwrap_or_default();
    let n = client
        .execute(
            "INSERT INTO blueprint_definitions (definition_id, colony_name, name, kind, definition)
             VALUES ($1, $2, $3, $4, $5::text::jsonb) ON CONFLICT DO NOTHING",
            &[
                &definition.blueprintdefinitionid,
                &definition.metadata.colonyname,
                &definition.metadata.name,
                &definition.spec.names.kind,
                &json,
            ],
        )
        .await?;
    Ok(if n == 1 { Conflict::None } else { Conflict::Taken })
}

/// The definition named `name` in `colony`.
pub async fn definition(
    client: &impl GenericClient,
    colony: &str,
    name: &str,
) -> Result<Option<BlueprintDefinition>, Error> {
    let row = client
        .query_opt(
            "SELECT definition::text FROM blueprint_definitions
             WHERE colony_name = $1 AND name = $2",
            &[&colony, &name],
        )
        .await?;
    Ok(row.as_ref().map(definition_from))
}

/// The definition of `kind` in `colony`, share-locked until the transaction ends so that it
/// cannot be removed while a blueprint of its kind is being written.
pub async fn definition_of_kind_locked(
    client: &impl GenericClient,
    colony: &str,
    kind: &str,
) -> Result<Option<BlueprintDefinition>, Error> {
    let row = client
        .query_opt(
            "SELECT definition::text FROM blueprint_definitions
             WHERE colony_name = $1 AND kind = $2 FOR SHARE",
            &[&colony, &kind],
        )
        .await?;
    Ok(row.as_ref().map(definition_from))
}

/// Every definition of `colony`, by name.
pub async fn definitions(
    client: &impl GenericClient,
    colony: &str,
) -> Result<Vec<BlueprintDefinition>, Error> {
    let rows = client
        .query(
            "SELECT definition::text FROM blueprint_definitions WHERE colony_name = $1
             ORDER BY name",
            &[&colony],
        )
        .await?;
    Ok(rows.iter().map(definition_from).collect())
}

/// What removing a definition found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefinitionRemoval {
    /// Removed.
    Removed,
    /// No such definition.
    NotFound,
    /// This many blueprints of its kind still exist; nothing was removed.
    InUse(i64),
}

/// Removes the definition `name` unless blueprints of its kind exist. The definition row is
/// locked first, so a blueprint being added of its kind (which share-locks it) is either
/// committed and counted, or finds the definition gone.
pub async fn remove_definition(
    client: &impl GenericClient,
    colony: &str,
    name: &str,
) -> Result<DefinitionRemoval, Error> {
    let Some(row) = client
        .query_opt(
            "SELECT kind FROM blueprint_definitions WHERE colony_name = $1 AND name = $2
             FOR UPDATE",
            &[&colony, &name],
        )
        .await?
    else {
        return Ok(DefinitionRemoval::NotFound);
    };
    let kind: String = row.get(0);
    let users: i64 = client
        .query_one(
            "SELECT count(*) FROM blueprints WHERE colony_name = $1 AND kind = $2",
            &[&colony, &kind],
        )
        .await?
        .get(0);
    if users > 0 {
        return Ok(DefinitionRemoval::InUse(users));
    }
    client
        .execute(
            "DELETE FROM blueprint_definitions WHERE colony_name = $1 AND name = $2",
            &[&colony, &name],
        )
        .await?;
    Ok(DefinitionRemoval::Removed)
}

/// Inserts a blueprint (ID, colony, name, kind and bookkeeping already set).
pub async fn insert(client: &impl GenericClient, blueprint: &Blueprint) -> Result<Conflict, Error> {
    let json = serde_json::to_string(blueprint).unwrap_or_default();
    let m = &blueprint.metadata;
    let n = client
        .execute(
            "INSERT INTO blueprints (blueprint_id, colony_name, name, kind, location_name,
                 blueprint)
             VALUES ($1, $2, $3, $4, $5, $6::text::jsonb) ON CONFLICT DO NOTHING",
            &[
                &blueprint.blueprintid,
                &m.colonyname,
                &m.name,
                &blueprint.kind,
                &m.locationname,
                &json,
            ],
        )
        .await?;
    Ok(if n == 1 { Conflict::None } else { Conflict::Taken })
}

/// Replaces the stored blueprint with the same ID.
pub async fn update(client: &impl GenericClient, blueprint: &Blueprint) -> Result<bool, Error> {
    let json = serde_json::to_string(blueprint).unwrap_or_default();
    let n = client
        .execute(
            "UPDATE blueprints SET kind = $2, location_name = $3, blueprint = $4::text::jsonb
             WHERE blueprint_id = $1",
            &[&blueprint.blueprintid, &blueprint.kind, &blueprint.metadata.locationname, &json],
        )
        .await?;
    Ok(n == 1)
}

/// The blueprint `name` of `colony`; with `lock`, row-locked until the transaction ends (for
/// a read-modify-write).
pub async fn by_name(
    client: &impl GenericClient,
    colony: &str,
    name: &str,
    lock: bool,
) -> Result<Option<Blueprint>, Error> {
    let lock = if lock { "FOR UPDATE" } else { "" };
    let sql = format!(
        "SELECT blueprint::text FROM blueprints WHERE colony_name = $1 AND name = $2 {lock}"
    );
    Ok(client.query_opt(&sql, &[&colony, &name]).await?.as_ref().map(blueprint_from))
}

/// The blueprints of `colony`, optionally only of `kind` and of `location` ("" = any), by name.
pub async fn list(
    client: &impl GenericClient,
    colony: &str,
    kind: &str,
    location: &str,
) -> Result<Vec<Blueprint>, Error> {
    let rows = client
        .query(
            "SELECT blueprint::text FROM blueprints
             WHERE colony_name = $1 AND ($2 = '' OR kind = $2) AND ($3 = '' OR location_name = $3)
             ORDER BY name",
            &[&colony, &kind, &location],
        )
        .await?;
    Ok(rows.iter().map(blueprint_from).collect())
}

/// Whether `colony` has a blueprint of `kind` at exactly `location` ("" being a location of
/// its own here, as in Go's check before it removes a kind's reconcile cron).
pub async fn any_of_kind_at(
    client: &impl GenericClient,
    colony: &str,
    kind: &str,
    location: &str,
) -> Result<bool, Error> {
    let row = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM blueprints
                            WHERE colony_name = $1 AND kind = $2 AND location_name = $3)",
            &[&colony, &kind, &location],
        )
        .await?;
    Ok(row.get(0))
}

/// Deletes the blueprint `name` of `colony` and returns it, if it existed.
pub async fn remove(
    client: &impl GenericClient,
    colony: &str,
    name: &str,
) -> Result<Option<Blueprint>, Error> {
    let row = client
        .query_opt(
            "DELETE FROM blueprints WHERE colony_name = $1 AND name = $2
             RETURNING blueprint::text",
            &[&colony, &name],
        )
        .await?;
    Ok(row.as_ref().map(blueprint_from))
}

/// Creates the location `name` in `colony` if it does not exist (a blueprint's location is
/// created on demand, as in Go).
pub async fn ensure_location(
    client: &impl GenericClient,
    colony: &str,
    name: &str,
    location_id: &str,
    description: &str,
) -> Result<(), Error> {
    client
        .execute(
            "INSERT INTO locations (colony_name, name, location_id, description)
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            &[&colony, &name, &location_id, &description],
        )
        .await
        .map(drop)
}

/// Records one change of a blueprint.
pub async fn add_history(
    client: &impl GenericClient,
    history: &BlueprintHistory,
) -> Result<(), Error> {
    let spec = serde_json::to_string(&history.spec).unwrap_or_default();
    let status = serde_json::to_string(&history.status).unwrap_or_default();
    let at = history.timestamp.unix_nanos().unwrap_or_default();
    client
        .execute(
            "INSERT INTO blueprint_history (history_id, blueprint_id, colony_name, kind, name,
                 generation, spec, status, changed_at, changed_by, change_type)
             VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb, $8::text::jsonb,
                 TIMESTAMPTZ 'epoch' + ($9::bigint / 1000) * INTERVAL '1 microsecond', $10, $11)",
            &[
                &history.historyid,
                &history.blueprintid,
                &history.namespace,
                &history.kind,
                &history.name,
                &history.generation,
                &spec,
                &status,
                &at,
                &history.changedby,
                &history.changetype,
            ],
        )
        .await
        .map(drop)
}

/// The colony a blueprint belongs (or, if removed, belonged) to.
pub async fn colony_of(
    client: &impl GenericClient,
    blueprint_id: &str,
) -> Result<Option<String>, Error> {
    let row = client
        .query_opt(
            "SELECT colony_name FROM blueprints WHERE blueprint_id = $1
             UNION ALL
             (SELECT colony_name FROM blueprint_history WHERE blueprint_id = $1 LIMIT 1)
             LIMIT 1",
            &[&blueprint_id],
        )
        .await?;
    Ok(row.map(|r| r.get(0)))
}

/// The recorded changes of a blueprint, newest first, at most `limit` (`None`: all).
pub async fn history(
    client: &impl GenericClient,
    blueprint_id: &str,
    limit: Option<i64>,
) -> Result<Vec<BlueprintHistory>, Error> {
    let rows = client
        .query(
            "SELECT history_id, blueprint_id, kind, colony_name, name, generation, spec::text,
                    status::text, (EXTRACT(EPOCH FROM changed_at) * 1000000000)::bigint,
                    changed_by, change_type
             FROM blueprint_history WHERE blueprint_id = $1
             ORDER BY history_seq DESC LIMIT $2",
            &[&blueprint_id, &limit],
        )
        .await?;
    let object = |text: &str| serde_json::from_str::<JsonObject>(text).unwrap_or_default();
    Ok(rows
        .iter()
        .map(|r| BlueprintHistory {
            historyid: r.get(0),
            blueprintid: r.get(1),
            kind: r.get(2),
            namespace: r.get(3),
            name: r.get(4),
            generation: r.get(5),
            spec: object(r.get(6)),
            status: object(r.get(7)),
            timestamp: Timestamp::from_unix_nanos(r.get(8)),
            changedby: r.get(9),
            changetype: r.get(10),
        })
        .collect())
}
