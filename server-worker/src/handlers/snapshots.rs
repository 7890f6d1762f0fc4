//! Snapshots (protocol §4.13).

use super::{Cx, authorize, bad_request, not_found};
use crate::{
    db::DbConn,
    error::Error,
    host::Host,
    ids::new_id,
    store::{self, snapshots::SnapshotRef},
};
use colonies_core::{
    message::{
        CreateSnapshotMsg, Empty, GetSnapshotMsg, GetSnapshotsMsg, Message, RemoveAllSnapshotsMsg,
        RemoveSnapshotMsg,
    },
    model::Snapshot,
    rules::names::check_name,
};

/// The snapshot a get/remove message names: ID first, then name, else a 400 led by `go`,
/// the words of Go's handler.
fn which<'a>(snapshotid: &'a str, name: &'a str, go: &str) -> Result<SnapshotRef<'a>, Error> {
    if !snapshotid.is_empty() {
        Ok(SnapshotRef::Id(snapshotid))
    } else if !name.is_empty() {
        Ok(SnapshotRef::Name(name))
    } else {
        // Go answers 500 "malformatted msg"; it is the caller's mistake, so 400.
        Err(bad_request(format!("{go}: give snapshotid or name")))
    }
}

/// `createsnapshotmsg`: freezes the newest revision of every file under `label` and its
/// sub-labels. Reading the files and inserting happen in one transaction, so the snapshot is
/// one consistent moment.
pub async fn create<H: Host>(cx: Cx<'_, H>, m: CreateSnapshotMsg) -> Result<Snapshot, Error> {
    let mut conn = cx.db().await?;
    authorize(&mut conn, CreateSnapshotMsg::ROLE, cx.caller, &m.colonyname).await?;
    // Go keys snapshots as "colony:name", so ':' in a name breaks them there: refused.
    check_name("snapshot", &m.name).map_err(|e| bad_request(e.to_string()))?;
    if m.label.is_empty() {
        return Err(bad_request("snapshot label must not be empty"));
    }
    let snapshotid = new_id()?;
    let (client, _) = conn.parts();
    let tx = client.transaction().await?;
    let fileids = store::files::latest_ids_under(&tx, &m.colonyname, &m.label).await?;
    let snapshot =
        store::snapshots::insert(&tx, &snapshotid, &m.colonyname, &m.label, &m.name, &fileids)
            .await?
            .ok_or_else(|| {
                bad_request(format!(
                    "Snapshot with name <{}> in Colony <{}> already exists",
                    m.name, m.colonyname
                ))
            })?;
    tx.commit().await?;
    Ok(snapshot)
}

/// `getsnapshotmsg`: one snapshot by ID or name.
pub async fn get<H: Host>(cx: Cx<'_, H>, m: GetSnapshotMsg) -> Result<Snapshot, Error> {
    let mut conn = cx.db().await?;
    authorize(&mut conn, GetSnapshotMsg::ROLE, cx.caller, &m.colonyname).await?;
    let which = which(&m.snapshotid, &m.name, "Failed to get snapshot, malformatted msg")?;
    let (client, _) = conn.parts();
    store::snapshots::get(&*client, &m.colonyname, which).await?.ok_or_else(|| {
        let (by, key) = match which {
            SnapshotRef::Id(id) => ("Id", id),
            SnapshotRef::Name(name) => ("name", name),
        };
        not_found(format!(
            "Snapshot not found with {by} <{key}> in Colony <{}> does not exists",
            m.colonyname
        ))
    })
}

/// `getsnapshotsmsg`: every snapshot of the colony.
pub async fn list<H: Host>(cx: Cx<'_, H>, m: GetSnapshotsMsg) -> Result<Vec<Snapshot>, Error> {
    let mut db = cx.authorized::<GetSnapshotsMsg>(&m.colonyname).await?;
    let client = db.client();
    Ok(store::snapshots::list(&*client, &m.colonyname).await?)
}

/// `removesnapshotmsg`: deletes one snapshot (the files stay).
pub async fn remove<H: Host>(cx: Cx<'_, H>, m: RemoveSnapshotMsg) -> Result<Empty, Error> {
    let mut conn = cx.db().await?;
    authorize(&mut conn, RemoveSnapshotMsg::ROLE, cx.caller, &m.colonyname).await?;
    let which = which(&m.snapshotid, &m.name, "Failed to remove snapsnot, malformatted msg")?;
    let (client, _) = conn.parts();
    if !store::snapshots::remove(&*client, &m.colonyname, which).await? {
        return Err(not_found("Snapshot not found"));
    }
    Ok(Empty {})
}

/// `removeallsnapshotmsg`: deletes every snapshot of the colony.
pub async fn remove_all<H: Host>(cx: Cx<'_, H>, m: RemoveAllSnapshotsMsg) -> Result<Empty, Error> {
    let mut db = cx.authorized::<RemoveAllSnapshotsMsg>(&m.colonyname).await?;
    let client = db.client();
    store::snapshots::remove_all(&*client, &m.colonyname).await?;
    Ok(Empty {})
}
