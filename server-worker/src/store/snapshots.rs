//! Snapshots (protocol §4.13): the newest file revisions of a label, frozen under a name.

use colonies_core::{model::Snapshot, time::Timestamp};
use tokio_postgres::{Error, GenericClient, Row};

/// The columns [`from_row`] reads, in its order.
const COLUMNS: &str = "snapshot_id, colony_name, label, name, file_ids,
    (EXTRACT(EPOCH FROM added) * 1000000000)::bigint";

fn from_row(row: &Row) -> Snapshot {
    Snapshot {
        snapshotid: row.get(0),
        colonyname: row.get(1),
        label: row.get(2),
        name: row.get(3),
        fileids: row.get(4),
        added: Timestamp::from_unix_nanos(row.get(5)),
    }
}

/// Which snapshot a message names: its ID wins over its name, as in Go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotRef<'a> {
    /// By snapshot ID.
    Id(&'a str),
    /// By name.
    Name(&'a str),
}

impl SnapshotRef<'_> {
    fn condition(&self) -> (&'static str, &str) {
        match self {
            Self::Id(id) => ("snapshot_id = $2", id),
            Self::Name(name) => ("name = $2", name),
        }
    }
}

/// Stores a snapshot of `fileids`; `None` when the colony already has one of that name.
pub async fn insert(
    client: &impl GenericClient,
    snapshotid: &str,
    colony: &str,
    label: &str,
    name: &str,
    fileids: &[String],
) -> Result<Option<Snapshot>, Error> {
    let sql = format!(
        "INSERT INTO snapshots (snapshot_id, colony_name, label, name, file_ids)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (colony_name, name) DO NOTHING
         RETURNING {COLUMNS}"
    );
    let row = client.query_opt(&sql, &[&snapshotid, &colony, &label, &name, &fileids]).await?;
    Ok(row.as_ref().map(from_row))
}

/// One snapshot of `colony`.
pub async fn get(
    client: &impl GenericClient,
    colony: &str,
    which: SnapshotRef<'_>,
) -> Result<Option<Snapshot>, Error> {
    let (condition, arg) = which.condition();
    let sql = format!("SELECT {COLUMNS} FROM snapshots WHERE colony_name = $1 AND {condition}");
    Ok(client.query_opt(&sql, &[&colony, &arg]).await?.as_ref().map(from_row))
}

/// Every snapshot of `colony`, newest first (Go's order).
pub async fn list(client: &impl GenericClient, colony: &str) -> Result<Vec<Snapshot>, Error> {
    let sql =
        format!("SELECT {COLUMNS} FROM snapshots WHERE colony_name = $1 ORDER BY added DESC, name");
    Ok(client.query(&sql, &[&colony]).await?.iter().map(from_row).collect())
}

/// Deletes one snapshot; false if there was none.
pub async fn remove(
    client: &impl GenericClient,
    colony: &str,
    which: SnapshotRef<'_>,
) -> Result<bool, Error> {
    let (condition, arg) = which.condition();
    let sql = format!("DELETE FROM snapshots WHERE colony_name = $1 AND {condition}");
    Ok(client.execute(&sql, &[&colony, &arg]).await? > 0)
}

/// Deletes every snapshot of `colony`.
pub async fn remove_all(client: &impl GenericClient, colony: &str) -> Result<u64, Error> {
    client.execute("DELETE FROM snapshots WHERE colony_name = $1", &[&colony]).await
}
