//! Blueprint definitions, blueprints and their history (protocol §4.17).
//!
//! "namespace" in the messages is the colony name. Definitions are the colony owner's;
//! blueprints belong to approved members and the owner. Every create, spec update (or forced
//! generation bump) and removal of a blueprint is recorded in its history; status reports are
//! not (reconcilers send them periodically, as in Go).
//!
//! A kind's handler (its definition's `handler.executorType` and `handler.functionName`)
//! reconciles the kind's blueprints, and blueprint changes drive it as Go's do:
//! - adding a blueprint creates the cron `reconcile-<Kind>[-<location>]` unless the colony has
//!   one of that name (every 60 s, waiting for its previous run; one function
//!   `handler.functionName` with kwargs `{kind}`), and submits a reconcile process for the
//!   blueprint (kwargs `{kind, blueprintName}`);
//! - a spec update (or forced generation bump) submits that reconcile process again;
//! - removing the last blueprint of a kind at a location removes that cron, and every removal
//!   submits a `cleanup` process (kwargs `{blueprintName, kind}`).
//!
//! The cron and the reconcile processes need both handler fields, the cleanup process only the
//! executor type; a kind without them gets none. Processes run on the handler's executor type
//! at the blueprint's location, and their initiator is the caller (its executor or user name,
//! "" for the colony owner; an update by the owner submits nothing, as Go cannot name it).
//!
//! Unlike Go, these side effects are written in the transaction of the blueprint change: a
//! refused or failed change creates and submits nothing, and a committed one has them all. Go
//! does them after the change is stored: best-effort on update and removal (a failure is only
//! logged, the change stays), and on add a failure answers 500 with the blueprint kept (a
//! failed cron removes the blueprint again, but not its history or location).
//!
//! `reconcileblueprintmsg` submits the same reconcile process through the submit handler, so it
//! is exactly a submitted process.

use super::{Cx, authorize, bad_request, not_found};
use crate::{
    db::DbConn,
    error::Error,
    host::Host,
    ids::new_id,
    store::{
        self,
        blueprints::{Conflict, DefinitionRemoval},
    },
    wakeups::{Ready, Wakeups},
};
use colonies_core::graph::{self, Initiator};
use colonies_core::{
    message::{
        AddBlueprintDefinitionMsg, AddBlueprintMsg, Empty, GetBlueprintDefinitionMsg,
        GetBlueprintDefinitionsMsg, GetBlueprintHistoryMsg, GetBlueprintMsg, GetBlueprintsMsg,
        Message, ReconcileBlueprintMsg, RemoveBlueprintDefinitionMsg, RemoveBlueprintMsg,
        SubmitFunctionSpecMsg, UpdateBlueprintMsg, UpdateBlueprintStatusMsg,
    },
    model::{
        Blueprint, BlueprintDefinition, BlueprintHandler, BlueprintHistory, Cron, FunctionSpec,
        JsonObject, Process, WorkflowSpec,
    },
    rules::names::{check_id, check_name, check_optional_name},
    time::Timestamp,
};
use serde_json::Value;
use tokio_postgres::Transaction;

mod definitions;
mod reconcile;
mod schema;

pub use definitions::{add_definition, get_definition, list_definitions, remove_definition};
pub use reconcile::reconcile;

/// Seconds between the runs of a kind's reconcile cron (fixed in Go, whatever the definition's
/// `reconcileInterval` says).
const RECONCILE_INTERVAL: i64 = 60;

const NANOS_PER_SECOND: i64 = 1_000_000_000;

fn invalid(e: impl core::fmt::Display) -> Error {
    bad_request(e.to_string())
}

fn conflict(message: impl Into<String>) -> Error {
    Error::new(409, message)
}

/// A client may choose an ID (Go keeps it); it must then look like one. Empty: a fresh one.
fn id_or_random(what: &'static str, id: &str) -> Result<String, Error> {
    if id.is_empty() {
        Ok(new_id()?)
    } else {
        check_id(what, id).map_err(invalid)?;
        Ok(id.to_owned())
    }
}

/// The history entry of `blueprint` as it is after a change.
fn history_of(
    blueprint: &Blueprint,
    caller: &str,
    change: &str,
    at: Timestamp,
) -> Result<BlueprintHistory, Error> {
    Ok(BlueprintHistory {
        historyid: new_id()?,
        blueprintid: blueprint.blueprintid.clone(),
        kind: blueprint.kind.clone(),
        namespace: blueprint.metadata.colonyname.clone(),
        name: blueprint.metadata.name.clone(),
        generation: blueprint.metadata.generation,
        spec: blueprint.spec.clone(),
        status: blueprint.status.clone(),
        timestamp: at,
        changedby: caller.to_owned(),
        changetype: change.to_owned(),
    })
}

/// The kind's handler when it names both an executor type and a function: what the reconcile
/// cron and reconcile processes need.
fn reconciler(definition: &BlueprintDefinition) -> Option<&BlueprintHandler> {
    let handler = &definition.spec.handler;
    (!handler.executor_type.is_empty() && !handler.function_name.is_empty()).then_some(handler)
}

/// The name of the cron reconciling the blueprints of `kind` at `location`.
fn reconcile_cron_name(kind: &str, location: &str) -> String {
    if location.is_empty() {
        format!("reconcile-{kind}")
    } else {
        format!("reconcile-{kind}-{location}")
    }
}

/// A spec for a kind's handler as Go builds it: from an empty spec (`maxwaittime` 0,
/// `maxexectime` and `maxretries` -1, no args or env), node `<executorType>-<funcname>`, on
/// the handler's executor type at `location`.
fn handler_spec(
    colony: &str,
    executor_type: &str,
    funcname: &str,
    location: &str,
    kwargs: JsonObject,
) -> FunctionSpec {
    let mut spec = FunctionSpec {
        nodename: format!("{executor_type}-{funcname}"),
        funcname: funcname.into(),
        kwargs,
        maxwaittime: 0,
        maxexectime: -1,
        maxretries: -1,
        ..FunctionSpec::default()
    };
    spec.conditions.colonyname = colony.into();
    spec.conditions.executortype = executor_type.into();
    spec.conditions.locationname = location.into();
    spec
}

/// The reconcile process spec of one blueprint (kwargs `{kind, blueprintName}`).
fn reconcile_spec(blueprint: &Blueprint, handler: &BlueprintHandler) -> FunctionSpec {
    let mut kwargs = JsonObject::new();
    kwargs.insert("kind".into(), Value::String(blueprint.kind.clone()));
    kwargs.insert("blueprintName".into(), Value::String(blueprint.metadata.name.clone()));
    handler_spec(
        &blueprint.metadata.colonyname,
        &handler.executor_type,
        &handler.function_name,
        &blueprint.metadata.locationname,
        kwargs,
    )
}

/// The caller as the initiator of the processes and cron a blueprint change makes.
fn initiator(caller: &str, rows: &store::auth::CallerRows) -> Initiator {
    Initiator { id: caller.into(), name: super::crons::caller_name(rows) }
}

/// Inserts a WAITING process of `spec` on `tx`, submitted at `now` (the transaction's time),
/// checked and normalised as a submitted one; its wakeup, to publish once committed.
async fn insert_handler_process(
    tx: &Transaction<'_>,
    spec: FunctionSpec,
    initiator: &Initiator,
    now: Timestamp,
) -> Result<Vec<Ready>, Error> {
    let colony = spec.conditions.colonyname.clone();
    let now = now.unix_nanos().unwrap_or_default();
    let nodes = [graph::new_node(spec, &colony, "", initiator, now, &mut new_id)?];
    store::graphs::insert_nodes(tx, &nodes).await?;
    Ok(store::graphs::root_wakeups(&nodes))
}

/// Creates the reconcile cron of the blueprint's kind at its location, unless the colony has a
/// cron of that name (kept as it is, as in Go). Its first run is one interval from `now`.
async fn add_reconcile_cron(
    tx: &Transaction<'_>,
    blueprint: &Blueprint,
    handler: &BlueprintHandler,
    initiator: &Initiator,
    now: Timestamp,
) -> Result<(), Error> {
    let colony = &blueprint.metadata.colonyname;
    let location = &blueprint.metadata.locationname;
    let mut kwargs = JsonObject::new();
    kwargs.insert("kind".into(), Value::String(blueprint.kind.clone()));
    let spec =
        handler_spec(colony, &handler.executor_type, &handler.function_name, location, kwargs);
    let workflow = WorkflowSpec { colonyname: colony.clone(), functionspecs: vec![spec] };
    let cron = Cron {
        cronid: new_id()?,
        colonyname: colony.clone(),
        name: reconcile_cron_name(&blueprint.kind, location),
        interval: RECONCILE_INTERVAL,
        waitforprevprocessgraph: true,
        workflowspec: serde_json::to_string(&workflow)
            .map_err(|e| Error::new(500, format!("reconcile cron workflow: {e}")))?,
        initiatorid: initiator.id.clone(),
        initiatorname: initiator.name.clone(),
        ..Cron::default()
    };
    // A removal of the kind's last blueprint here may be deciding to remove this cron.
    store::crons::lock_name(tx, colony, &cron.name).await?;
    let now_s = now.unix_nanos().unwrap_or_default().div_euclid(NANOS_PER_SECOND);
    let next = store::crons::next_run(&cron, now_s);
    store::crons::insert_unless_named(tx, &cron, next).await?;
    Ok(())
}

/// Wakes executors for processes a committed change submitted.
fn publish<H: Host>(host: &H, wake: Vec<Ready>) {
    for ready in wake {
        host.wakeups().publish(ready);
    }
}

/// Checks a blueprint's own fields, before anything is read.
fn check_blueprint(blueprint: &Blueprint) -> Result<(), Error> {
    check_name("blueprint", &blueprint.metadata.name).map_err(invalid)?;
    if blueprint.kind.is_empty() {
        return Err(bad_request("blueprint kind is required"));
    }
    check_optional_name("location", &blueprint.metadata.locationname).map_err(invalid)
}

/// The definition of the blueprint's kind, share-locked, with the spec checked against its
/// schema.
async fn definition_for(
    tx: &tokio_postgres::Transaction<'_>,
    blueprint: &Blueprint,
) -> Result<BlueprintDefinition, Error> {
    let colony = &blueprint.metadata.colonyname;
    let definition = store::blueprints::definition_of_kind_locked(tx, colony, &blueprint.kind)
        .await?
        .ok_or_else(|| {
            bad_request(format!(
                "BlueprintDefinition for kind '{}' not found in namespace '{colony}'",
                blueprint.kind
            ))
        })?;
    if let Some(schema) = &definition.spec.schema {
        schema::validate(&Value::Object(blueprint.spec.clone()), schema, "")
            .map_err(|e| bad_request(format!("blueprint validation failed: {e}")))?;
    }
    Ok(definition)
}

/// `addblueprintmsg`: adds a blueprint of a defined kind (generation 1), creating its
/// location if needed, and records the creation; with a handler, also the kind's reconcile
/// cron at that location (unless it exists) and a reconcile process for the blueprint.
pub async fn add<H: Host>(cx: Cx<'_, H>, m: AddBlueprintMsg) -> Result<Blueprint, Error> {
    let mut blueprint = m.blueprint;
    let mut conn = cx.db().await?;
    let colony = blueprint.metadata.colonyname.clone();
    let rows = authorize(&mut conn, AddBlueprintMsg::ROLE, cx.caller, &colony).await?;
    check_blueprint(&blueprint)?;
    blueprint.blueprintid = id_or_random("blueprint", &blueprint.blueprintid)?;
    let (client, _) = conn.parts();
    let tx = client.transaction().await?;
    let definition = definition_for(&tx, &blueprint).await?;
    let now = store::blueprints::now(&tx).await?;
    let meta = &mut blueprint.metadata;
    meta.generation = 1;
    meta.created_at = now;
    meta.updated_at = now;
    meta.last_reconciliation_process.clear();
    meta.last_reconciliation_time = Timestamp::UNSET;
    if !meta.locationname.is_empty() {
        let description = format!("Auto-created from blueprint {}", meta.name);
        store::blueprints::ensure_location(
            &tx,
            &colony,
            &meta.locationname,
            &new_id()?,
            &description,
        )
        .await?;
    }
    if store::blueprints::insert(&tx, &blueprint).await? == Conflict::Taken {
        return Err(conflict(format!(
            "blueprint with name '{}' already exists in colony '{colony}'",
            blueprint.metadata.name
        )));
    }
    let history = history_of(&blueprint, cx.caller, "create", now)?;
    store::blueprints::add_history(&tx, &history).await?;
    let mut wake = Vec::new();
    if let Some(handler) = reconciler(&definition) {
        let initiator = initiator(cx.caller, &rows);
        add_reconcile_cron(&tx, &blueprint, handler, &initiator, now).await?;
        let spec = reconcile_spec(&blueprint, handler);
        wake = insert_handler_process(&tx, spec, &initiator, now).await?;
    }
    tx.commit().await?;
    drop(conn);
    publish(cx.host, wake);
    Ok(blueprint)
}

/// `getblueprintmsg`: one blueprint by name.
pub async fn get<H: Host>(cx: Cx<'_, H>, m: GetBlueprintMsg) -> Result<Blueprint, Error> {
    let mut db = cx.authorized::<GetBlueprintMsg>(&m.namespace).await?;
    let client = db.client();
    store::blueprints::by_name(&*client, &m.namespace, &m.name, false)
        .await?
        .ok_or_else(|| not_found("Blueprint not found"))
}

/// `getblueprintsmsg`: the blueprints of a colony, optionally of one kind and location.
pub async fn list<H: Host>(cx: Cx<'_, H>, m: GetBlueprintsMsg) -> Result<Vec<Blueprint>, Error> {
    let mut db = cx.authorized::<GetBlueprintsMsg>(&m.namespace).await?;
    let client = db.client();
    Ok(store::blueprints::list(&*client, &m.namespace, &m.kind, &m.locationname).await?)
}

/// `updateblueprintmsg`: replaces a blueprint's spec (and kind, location, labels). The
/// generation goes up when the spec changed or `forcegeneration` is set, and only then is a
/// history entry written, and a reconcile process submitted when the kind has a handler and the
/// caller a name (not the colony owner). ID, creation time and reconciliation bookkeeping are
/// kept; an update without status keeps the stored status.
pub async fn update<H: Host>(cx: Cx<'_, H>, m: UpdateBlueprintMsg) -> Result<Blueprint, Error> {
    let mut blueprint = m.blueprint;
    let mut conn = cx.db().await?;
    let colony = blueprint.metadata.colonyname.clone();
    let rows = authorize(&mut conn, UpdateBlueprintMsg::ROLE, cx.caller, &colony).await?;
    check_blueprint(&blueprint)?;
    let (client, _) = conn.parts();
    let tx = client.transaction().await?;
    let old = store::blueprints::by_name(&tx, &colony, &blueprint.metadata.name, true)
        .await?
        .ok_or_else(|| {
            not_found(format!(
                "blueprint '{}' not found in namespace '{colony}'",
                blueprint.metadata.name
            ))
        })?;
    let definition = definition_for(&tx, &blueprint).await?;
    let now = store::blueprints::now(&tx).await?;
    let changed = old.spec != blueprint.spec || m.forcegeneration;
    blueprint.blueprintid = old.blueprintid.clone();
    if blueprint.status.is_empty() {
        blueprint.status = old.status.clone();
    }
    let meta = &mut blueprint.metadata;
    meta.generation = old.metadata.generation + i64::from(changed);
    meta.created_at = old.metadata.created_at;
    meta.updated_at = now;
    meta.last_reconciliation_process = old.metadata.last_reconciliation_process.clone();
    meta.last_reconciliation_time = old.metadata.last_reconciliation_time;
    if !meta.locationname.is_empty() && meta.locationname != old.metadata.locationname {
        let description = format!("Auto-created from blueprint {}", meta.name);
        store::blueprints::ensure_location(
            &tx,
            &colony,
            &meta.locationname,
            &new_id()?,
            &description,
        )
        .await?;
    }
    store::blueprints::update(&tx, &blueprint).await?;
    let mut wake = Vec::new();
    if changed {
        let history = history_of(&blueprint, cx.caller, "update", now)?;
        store::blueprints::add_history(&tx, &history).await?;
        let initiator = initiator(cx.caller, &rows);
        if let Some(handler) = reconciler(&definition)
            && !initiator.name.is_empty()
        {
            let spec = reconcile_spec(&blueprint, handler);
            wake = insert_handler_process(&tx, spec, &initiator, now).await?;
        }
    }
    tx.commit().await?;
    drop(conn);
    publish(cx.host, wake);
    Ok(blueprint)
}

/// `removeblueprintmsg`: deletes a blueprint and records the removal. The reconcile cron of
/// its kind at its location goes with the last such blueprint, and a `cleanup` process is
/// submitted to the kind's handler executor type, if it has one.
pub async fn remove<H: Host>(cx: Cx<'_, H>, m: RemoveBlueprintMsg) -> Result<Empty, Error> {
    let mut conn = cx.db().await?;
    let colony = &m.namespace;
    let rows = authorize(&mut conn, RemoveBlueprintMsg::ROLE, cx.caller, colony).await?;
    let (client, _) = conn.parts();
    let tx = client.transaction().await?;
    let removed = store::blueprints::remove(&tx, colony, &m.name)
        .await?
        .ok_or_else(|| not_found("Blueprint not found"))?;
    let now = store::blueprints::now(&tx).await?;
    let history = history_of(&removed, cx.caller, "delete", now)?;
    store::blueprints::add_history(&tx, &history).await?;

    let (kind, location) = (&removed.kind, &removed.metadata.locationname);
    let cron = reconcile_cron_name(kind, location);
    // After the lock, an add of this kind here has committed its blueprint (and kept the
    // cron) or will create the cron again after this commit.
    store::crons::lock_name(&tx, colony, &cron).await?;
    if !store::blueprints::any_of_kind_at(&tx, colony, kind, location).await? {
        store::crons::remove_named(&tx, colony, &cron).await?;
    }
    let definition = store::blueprints::definition_of_kind_locked(&tx, colony, kind).await?;
    let mut wake = Vec::new();
    if let Some(executor_type) =
        definition.map(|d| d.spec.handler.executor_type).filter(|t| !t.is_empty())
    {
        let mut kwargs = JsonObject::new();
        kwargs.insert("blueprintName".into(), Value::String(removed.metadata.name.clone()));
        kwargs.insert("kind".into(), Value::String(kind.clone()));
        let spec = handler_spec(colony, &executor_type, "cleanup", location, kwargs);
        wake = insert_handler_process(&tx, spec, &initiator(cx.caller, &rows), now).await?;
    }
    tx.commit().await?;
    drop(conn);
    publish(cx.host, wake);
    Ok(Empty {})
}

/// `getblueprinthistorymsg`: a blueprint's changes, newest first (`limit` 0: all). The
/// history of a removed blueprint stays readable by its colony.
pub async fn history<H: Host>(
    cx: Cx<'_, H>,
    m: GetBlueprintHistoryMsg,
) -> Result<Vec<BlueprintHistory>, Error> {
    let mut conn = cx.db().await?;
    let colony = {
        let (client, _) = conn.parts();
        store::blueprints::colony_of(&*client, &m.blueprintid).await?
    };
    let Some(colony) = colony else {
        return Err(not_found("Blueprint not found"));
    };
    authorize(&mut conn, GetBlueprintHistoryMsg::ROLE, cx.caller, &colony).await?;
    let limit = (m.limit > 0).then_some(m.limit);
    let (client, _) = conn.parts();
    Ok(store::blueprints::history(&*client, &m.blueprintid, limit).await?)
}

/// `updateblueprintstatusmsg`: a reconciler (approved member) reports the observed state.
pub async fn update_status<H: Host>(
    cx: Cx<'_, H>,
    m: UpdateBlueprintStatusMsg,
) -> Result<Empty, Error> {
    let mut db = cx.authorized::<UpdateBlueprintStatusMsg>(&m.colonyname).await?;
    let client = db.client();
    let tx = client.transaction().await?;
    let mut blueprint = store::blueprints::by_name(&tx, &m.colonyname, &m.blueprintname, true)
        .await?
        .ok_or_else(|| not_found("Blueprint not found"))?;
    blueprint.status = m.status;
    store::blueprints::update(&tx, &blueprint).await?;
    tx.commit().await?;
    Ok(Empty {})
}
