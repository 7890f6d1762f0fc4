//! Attributes (protocol §4.7): key/value pairs of a process, with deterministic IDs.

use super::processes::process_state;
use colonies_core::model::{Attribute, AttributeType};
use tokio_postgres::{Error, GenericClient};

/// Why an attribute was not added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddOutcome {
    /// Stored.
    Added,
    /// An attribute with that ID (same process, key and type) exists already.
    Exists,
    /// The process is no longer running on the caller.
    NotRunning,
}

/// Adds an attribute to a process running on `executor_id`. The colony, graph and state come
/// from the process row, so they cannot disagree with it.
pub async fn add(
    client: &impl GenericClient,
    attribute: &Attribute,
    executor_id: &str,
) -> Result<AddOutcome, Error> {
    let kind = i16::try_from(attribute.attributetype.code()).unwrap_or_default();
    let row = client
        .query_one(
            "WITH p AS (
                SELECT process_id, colony_name, processgraph_id, state FROM processes
                WHERE process_id = $2 AND state = 1 AND is_assigned AND assigned_executor_id = $6),
              ins AS (
                INSERT INTO attributes (attribute_id, target_id, colony_name, processgraph_id,
                                        attribute_type, key, value, state)
                SELECT $1, p.process_id, p.colony_name, p.processgraph_id, $3, $4, $5, p.state
                FROM p
                ON CONFLICT (attribute_id) DO NOTHING
                RETURNING 1)
             SELECT (SELECT count(*) FROM p), (SELECT count(*) FROM ins)",
            &[
                &attribute.attributeid,
                &attribute.targetid,
                &kind,
                &attribute.key,
                &attribute.value,
                &executor_id,
            ],
        )
        .await?;
    let (running, inserted): (i64, i64) = (row.get(0), row.get(1));
    Ok(match (running, inserted) {
        (0, _) => AddOutcome::NotRunning,
        (_, 0) => AddOutcome::Exists,
        _ => AddOutcome::Added,
    })
}

/// One attribute, its state mirroring its process's (`None`: no such attribute).
pub async fn get(client: &impl GenericClient, id: &str) -> Result<Option<Attribute>, Error> {
    let row = client
        .query_opt(
            "SELECT a.attribute_id, a.target_id, a.colony_name, a.processgraph_id,
                    COALESCE(p.state, a.state), a.attribute_type, a.key, a.value
             FROM attributes a LEFT JOIN processes p ON p.process_id = a.target_id
             WHERE a.attribute_id = $1",
            &[&id],
        )
        .await?;
    Ok(row.map(|r| Attribute {
        attributeid: r.get(0),
        targetid: r.get(1),
        targetcolonyname: r.get(2),
        targetprocessgraphid: r.get(3),
        state: process_state(r.get(4)),
        attributetype: AttributeType::from_code(i64::from(r.get::<_, i16>(5))).unwrap_or_default(),
        key: r.get(6),
        value: r.get(7),
    }))
}
