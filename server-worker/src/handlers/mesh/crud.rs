//! List, create, get, put and delete, written once over `colonies_core::mesh::Resource`.
//!
//! Reads need `catalog:read` on the record's guard, writes the kind's write permission
//! (`policy:write` for security policies and roles, `catalog:write` for the rest); a new
//! record is checked against the guard it will have (a new service or endpoint against the
//! colony's roles: its own policy does not exist yet); a PUT that changes an embedded
//! `security_policy` needs `policy:write` as well. A list shows the records the caller may
//! read. Endpoint states include one live state per endpoint (see [`live_states`]).

use super::{MeshReply, MeshResult, Scope, server_error};
use crate::{db::DbConn, host::Host, ids::new_uuid, store};
use colonies_core::{
    mesh::{
        ApiError, Endpoint, EndpointState, Function, FunctionResult, FunctionState, Guards, Kind,
        MeshError, Metadata, Microservice, Permission, Resource, Role, SecurityPolicy, Service,
        parse_json,
    },
    time::Timestamp,
};
use serde_json::Value;

/// Runs `$body` with `$R` the record type of `$kind`.
macro_rules! by_kind {
    ($kind:expr, $R:ident => $body:expr) => {
        match $kind {
            Kind::Service => {
                type $R = Service;
                $body
            }
            Kind::Microservice => {
                type $R = Microservice;
                $body
            }
            Kind::Function => {
                type $R = Function;
                $body
            }
            Kind::Endpoint => {
                type $R = Endpoint;
                $body
            }
            Kind::SecurityPolicy => {
                type $R = SecurityPolicy;
                $body
            }
            Kind::Role => {
                type $R = Role;
                $body
            }
            Kind::EndpointState => {
                type $R = EndpointState;
                $body
            }
            Kind::FunctionState => {
                type $R = FunctionState;
                $body
            }
            Kind::FunctionResult => {
                type $R = FunctionResult;
                $body
            }
        }
    };
}

fn uuid() -> Result<String, MeshError> {
    new_uuid().map_err(server_error)
}

/// The database's clock when the request's context was read.
pub(super) fn now<C: DbConn>(scope: &Scope<'_, C>) -> Result<Timestamp, MeshError> {
    Timestamp::parse(&scope.context.now)
        .map_err(|e| server_error(crate::error::Error::new(500, e.to_string())))
}

/// The response JSON of a stored record (hidden fields dropped unless `full`); a record that
/// does not read as its kind is answered as stored.
fn response<R: Resource>(stored: Value, full: bool) -> Value {
    if full {
        return stored;
    }
    match serde_json::from_value::<R>(stored.clone()) {
        Ok(record) => serde_json::to_value(&record).unwrap_or(stored),
        Err(_) => stored,
    }
}

/// The guards read with the context (`None` for the owner, who passes every check).
fn guards<C: DbConn>(scope: &mut Scope<'_, C>) -> Option<Guards> {
    scope.context.guards.take()
}

/// 404 for a missing record, except to an anonymous caller of a private catalog, who is told
/// to identify itself (401) rather than what exists.
pub(super) fn missing<C: DbConn>(scope: &Scope<'_, C>, kind: Kind, id: &str) -> MeshError {
    match scope.check(Permission::CatalogRead, None) {
        Err(refusal) if scope.caller.is_none() => refusal,
        _ => ApiError::not_found(kind, id).into(),
    }
}

fn check_record<C: DbConn>(
    scope: &Scope<'_, C>,
    guards: Option<&Guards>,
    needed: Permission,
    kind: Kind,
    record: &Value,
) -> Result<(), MeshError> {
    let guard = guards.and_then(|g| g.of(kind, record));
    scope.check(needed, guard.as_ref())
}

/// `GET /<kind>/`: the records the caller may read, oldest first.
pub(super) async fn list<H: Host, C: DbConn>(
    host: &H,
    scope: &mut Scope<'_, C>,
    kind: Kind,
) -> MeshResult {
    let guards = guards(scope);
    let colony = scope.colony;
    let mut records =
        store::mesh::list(scope.client(), colony, kind).await.map_err(server_error)?;
    if kind == Kind::EndpointState {
        records.extend(live_states(host, scope, None).await?);
    }
    let mut shown = Vec::with_capacity(records.len());
    for record in records {
        if check_record(scope, guards.as_ref(), Permission::CatalogRead, kind, &record).is_ok() {
            shown.push(by_kind!(kind, R => response::<R>(record, scope.full)));
        }
    }
    // Who may read none of them and not the colony's catalog either is refused (401
    // anonymous, 403 without a role), rather than shown an empty list.
    if shown.is_empty() {
        scope.check(Permission::CatalogRead, None)?;
    }
    Ok(MeshReply { status: 200, body: Some(Value::Array(shown)) })
}

/// `GET /<kind>/<id>`.
pub(super) async fn get<H: Host, C: DbConn>(
    host: &H,
    scope: &mut Scope<'_, C>,
    kind: Kind,
    id: &str,
) -> MeshResult {
    let mut record = scope.context.target.take();
    if record.is_none() && kind == Kind::EndpointState {
        record = live_states(host, scope, Some(id)).await?.pop();
    }
    let Some(record) = record else { return Err(missing(scope, kind, id)) };
    let guards = guards(scope);
    check_record(scope, guards.as_ref(), Permission::CatalogRead, kind, &record)?;
    Ok(MeshReply {
        status: 200,
        body: Some(by_kind!(kind, R => response::<R>(record, scope.full))),
    })
}

/// `POST /<kind>/`: 201 with the new record (a fresh UUID; a security policy's own `sp_id`
/// when the body gives one, 400 when taken).
pub(super) async fn create<C: DbConn>(
    scope: &mut Scope<'_, C>,
    kind: Kind,
    body: &[u8],
) -> MeshResult {
    let body = parse_json(body)?;
    let now = now(scope)?;
    by_kind!(kind, R => create_as::<R, C>(scope, &body, now).await)
}

async fn create_as<R: Resource, C: DbConn>(
    scope: &mut Scope<'_, C>,
    body: &Value,
    now: Timestamp,
) -> MeshResult {
    let kind = R::KIND;
    let parsed = R::parse_create(body)?;
    let id = match body.get(kind.id_field()).and_then(Value::as_str) {
        Some(given) if kind == Kind::SecurityPolicy && !given.is_empty() => given.to_owned(),
        _ => uuid()?,
    };
    let mut fresh_ids = Vec::new();
    for _ in 0..2 {
        fresh_ids.push(uuid()?);
    }
    let mut fresh = || fresh_ids.pop().unwrap_or_default();
    let record = R::create(parsed, id.clone(), &mut fresh, now);
    let stored = record.to_stored();
    let guards = guards(scope);
    let guard = match kind {
        // Its own policy does not exist yet: the colony's roles decide.
        Kind::Service | Kind::Endpoint => None,
        _ => guards.as_ref().and_then(|g| g.of(kind, &stored)),
    };
    scope.check(kind.write_permission(), guard.as_ref())?;
    let colony = scope.colony;
    if !store::mesh::insert(scope.client(), colony, kind, &id, &stored)
        .await
        .map_err(server_error)?
    {
        return Err(ApiError::duplicate(kind, &id).into());
    }
    Ok(MeshReply { status: 201, body: Some(serde_json::to_value(&record).unwrap_or_default()) })
}

/// `PUT /<kind>/<id>`: merges the body into the record (200), or with `upsert` creates the
/// record with this id from a whole create body (201) or replaces it (200).
pub(super) async fn put<C: DbConn>(
    scope: &mut Scope<'_, C>,
    kind: Kind,
    id: &str,
    upsert: bool,
    body: &[u8],
) -> MeshResult {
    let body = parse_json(body)?;
    let now = now(scope)?;
    by_kind!(kind, R => put_as::<R, C>(scope, id, upsert, &body, now).await)
}

async fn put_as<R: Resource, C: DbConn>(
    scope: &mut Scope<'_, C>,
    id: &str,
    upsert: bool,
    body: &Value,
    now: Timestamp,
) -> MeshResult {
    let kind = R::KIND;
    let colony = scope.colony;
    let stored = scope.context.target.take();
    let guards = guards(scope);
    let current: Option<R> = match &stored {
        Some(json) => Some(serde_json::from_value(json.clone()).map_err(|e| {
            server_error(crate::error::Error::new(
                500,
                format!("a stored {} is unreadable: {e}", kind.noun()),
            ))
        })?),
        None => None,
    };
    let next = match (&current, upsert) {
        (None, false) => return Err(missing(scope, kind, id)),
        (_, true) => {
            let parsed = R::parse_create(body)?;
            let mut fresh_id = Some(uuid()?);
            let mut fresh = || fresh_id.take().unwrap_or_default();
            R::upsert(current.as_ref(), id, parsed, &mut fresh, now)
        }
        (Some(record), false) => record.put(body, now)?,
    };
    // Checked against what guards the record now, and (for a new one) what will guard it.
    let guard_now = stored.as_ref().and_then(|json| guards.as_ref().and_then(|g| g.of(kind, json)));
    let guard_new = match kind {
        Kind::Service | Kind::Endpoint if stored.is_none() => None,
        _ => guards.as_ref().and_then(|g| g.of(kind, &next.to_stored())),
    };
    scope.check(kind.write_permission(), guard_now.as_ref())?;
    if stored.is_none() {
        scope.check(kind.write_permission(), guard_new.as_ref())?;
    }
    let changes_policy = next.guard() != current.as_ref().and_then(Resource::guard);
    if changes_policy && stored.is_some() {
        scope.check(Permission::PolicyWrite, guard_now.as_ref())?;
    }
    let json = next.to_stored();
    let status = if stored.is_some() {
        if stored.as_ref() != Some(&json) {
            store::mesh::replace(scope.client(), colony, kind, id, &json)
                .await
                .map_err(server_error)?;
        }
        200
    } else {
        if !store::mesh::insert(scope.client(), colony, kind, id, &json)
            .await
            .map_err(server_error)?
        {
            return Err(ApiError::duplicate(kind, id).into());
        }
        201
    };
    Ok(MeshReply { status, body: Some(serde_json::to_value(&next).unwrap_or_default()) })
}

/// `DELETE /<kind>/<id>`: 204, then the record is gone.
pub(super) async fn delete<C: DbConn>(
    scope: &mut Scope<'_, C>,
    kind: Kind,
    id: &str,
) -> MeshResult {
    let colony = scope.colony;
    let Some(stored) = scope.context.target.take() else {
        return Err(missing(scope, kind, id));
    };
    let guards = guards(scope);
    check_record(scope, guards.as_ref(), kind.write_permission(), kind, &stored)?;
    store::mesh::delete(scope.client(), colony, kind, id).await.map_err(server_error)?;
    Ok(MeshReply { status: 204, body: None })
}

/// The live state of each endpoint (`only`: that one), as endpoint-state records: `state_id`
/// is the endpoint's id, `state` is `warm` when the colony's executor named as the endpoint
/// was heard from within the warm window (`COLONIES_MESH_WARM_FOR`) and is approved, else
/// `cold`. They are computed, never stored, so a PUT or DELETE of one is a 404.
pub(super) async fn live_states<H: Host, C: DbConn>(
    host: &H,
    scope: &mut Scope<'_, C>,
    only: Option<&str>,
) -> Result<Vec<Value>, MeshError> {
    let warm_for = host.config().endpoint_warm_for.as_secs_f64();
    let colony = scope.colony;
    let endpoints = store::mesh::endpoint_executors(scope.client(), colony, only, warm_for)
        .await
        .map_err(server_error)?;
    let now = now(scope)?;
    Ok(endpoints
        .into_iter()
        .map(|e| {
            let mut metadata = Metadata::new();
            metadata.insert("source".into(), "executor".into());
            metadata.insert("executorname".into(), e.endpoint_id.clone());
            let executor = match e.executor_state {
                None => "missing",
                Some(0) => "pending",
                Some(1) => "approved",
                Some(2) => "rejected",
                Some(_) => "unregistered",
            };
            metadata.insert("executorstate".into(), executor.into());
            if let Some(heard) = e.last_heard_from {
                metadata.insert("lastheardfrom".into(), heard);
            }
            let state = EndpointState {
                state_id: e.endpoint_id.clone(),
                endpoint_id: e.endpoint_id,
                state: if e.warm { "warm" } else { "cold" }.into(),
                metadata,
                timestamp: now,
            };
            serde_json::to_value(state).unwrap_or_default()
        })
        .collect())
}
