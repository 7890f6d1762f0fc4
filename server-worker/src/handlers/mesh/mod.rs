//! The service mesh (CryptoMesh's `/api/v1`, protocol §15), enforced: every request is one
//! [`Op`] on a colony's catalog, by a caller the entry has identified (a REST credential or an
//! RPC signature) or an anonymous one, and the rules of `colonies_core::mesh::Access` decide
//! before anything is read back or written.
//!
//! [`serve`] is the one way in for both transports: REST (`crate::rest`) and the RPC
//! `meshrequestmsg`. `crud` holds the five operations of the nine kinds, `invoke` the one that
//! runs a function.

mod crud;
mod invoke;

use crate::{
    db::DbConn,
    error::Error,
    host::{Host, window_ms},
    store::{self, mesh::Context, replay::NonceItem},
};
use colonies_core::mesh::{
    Access, ApiError, Kind, MeshError, Permission, SecurityPolicy,
    auth::{AuthError, Caller},
};
use colonies_core::rules::replay;
use serde_json::Value;

/// What a request asks of the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// `GET /<kind>/`
    List(Kind),
    /// `POST /<kind>/`
    Create(Kind),
    /// `GET /<kind>/<id>`
    Get(Kind, String),
    /// `PUT /<kind>/<id>` (`?upsert=true`: create it with this id when missing, from a whole
    /// create body, or replace it whole)
    Put {
        /// The kind.
        kind: Kind,
        /// The record's id.
        id: String,
        /// Create or replace rather than merge.
        upsert: bool,
    },
    /// `DELETE /<kind>/<id>`
    Delete(Kind, String),
    /// `POST /functions/<id>/invoke`
    Invoke(String),
}

/// Who is asking.
#[derive(Debug, Clone, Copy)]
pub enum Who<'a> {
    /// A REST request's credential, read by `colonies_core::mesh::auth::authenticate` (its
    /// audience and replay binding are checked here).
    Rest(&'a Caller),
    /// The signer of an RPC (`meshrequestmsg`), already checked by the RPC's own rules: the
    /// caller's hex ID.
    Rpc(&'a str),
}

/// A success: the status and the JSON body (`None`: no body, 204).
#[derive(Debug, Clone, PartialEq)]
pub struct MeshReply {
    /// 200, 201 or 204.
    pub status: u16,
    /// The body.
    pub body: Option<Value>,
}

/// What every mesh handler returns; errors are CryptoMesh's error bodies.
pub type MeshResult = Result<MeshReply, MeshError>;

/// A server-side failure (the database, a connection) as a mesh error body.
pub fn server_error(error: impl Into<Error>) -> MeshError {
    let failure = error.into().into_failure();
    ApiError::new(failure.status, failure.message).into()
}

/// A refused credential: 401 (403 for a replayed, stale or misaddressed signed request).
pub fn auth_error(error: &AuthError) -> MeshError {
    ApiError::new(error.status(), error.to_string()).into()
}

/// What a handler of one operation is given: the connection, the colony, the caller and the
/// facts the rules need.
pub(super) struct Scope<'a, C> {
    pub conn: C,
    pub colony: &'a str,
    pub caller: Option<String>,
    pub context: Context,
    /// `?full=true`: reads answer records as stored, with the fields a response leaves out
    /// (`policy_id`, a function's `microservice_id` and `endpoint_id`), for tools that must
    /// write them back (`colonies-edge mesh export`).
    pub full: bool,
}

impl<C: DbConn> Scope<'_, C> {
    /// The connection's client.
    pub fn client(&mut self) -> &mut tokio_postgres::Client {
        self.conn.parts().0
    }

    /// Whether the caller may use `needed` on what `guard` guards (the rules of `Access`).
    pub fn check(
        &self,
        needed: Permission,
        guard: Option<&SecurityPolicy>,
    ) -> Result<(), MeshError> {
        let access = Access {
            caller: self.caller.as_deref(),
            colony_owner: self.context.owner,
            member: self.context.member,
            roles: &self.context.roles,
        };
        Ok(access.check(needed, guard)?)
    }
}

/// Serves one operation on `colony`'s catalog for `who`, with the request body `body`
/// (`full`: reads answer records as stored, see [`Scope`]).
pub async fn serve<H: Host>(
    host: &H,
    who: Option<Who<'_>>,
    colony: &str,
    op: Op,
    body: &[u8],
    full: bool,
) -> MeshResult {
    let caller = match who {
        None => None,
        Some(Who::Rpc(id)) => Some(id.to_owned()),
        Some(Who::Rest(credential)) => credential.id().map(|id| id.to_hex()),
    };
    // A signed request's nonce is recorded first, in the statement that checks its audience
    // and window, so a replayed one is refused before anything else happens.
    if let Some(Who::Rest(Caller::Signed { id, binding, .. })) = who {
        let item = NonceItem {
            caller: id.to_hex(),
            binding: binding.clone(),
            window_ms: window_ms(host.config()),
        };
        let seen = host.record_nonce(item.clone()).await.map_err(server_error)?;
        match replay::verdict(binding, &seen, item.window_ms) {
            Ok(()) => {}
            // A credential for another server is refused as a bearer token for one is.
            Err(replay::Refusal::WrongAudience) => {
                return Err(auth_error(&AuthError::WrongAudience));
            }
            Err(refusal) => {
                let failure = refusal.to_failure();
                return Err(ApiError::new(failure.status, failure.message).into());
            }
        }
    }
    let target = match &op {
        Op::Get(kind, id) | Op::Put { kind, id, .. } | Op::Delete(kind, id) => {
            Some((*kind, id.as_str()))
        }
        Op::Invoke(id) => Some((Kind::Function, id.as_str())),
        Op::List(_) | Op::Create(_) => None,
    };
    let mut conn = host.db().await.map_err(server_error)?;
    let context =
        store::mesh::context(conn.parts().0, caller.as_deref().unwrap_or(""), colony, target)
            .await
            .map_err(server_error)?;
    if let Some(Who::Rest(credential)) = who {
        credential.check_audience(&context.server_id).map_err(|e| auth_error(&e))?;
    }
    if !context.colony_exists {
        return Err(ApiError::new(404, format!("no colony named '{colony}'")).into());
    }
    let mut scope = Scope { conn, colony, caller, context, full };
    match op {
        Op::List(kind) => crud::list(host, &mut scope, kind).await,
        Op::Create(kind) => crud::create(&mut scope, kind, body).await,
        Op::Get(kind, id) => crud::get(host, &mut scope, kind, &id).await,
        Op::Put { kind, id, upsert } => crud::put(&mut scope, kind, &id, upsert, body).await,
        Op::Delete(kind, id) => crud::delete(&mut scope, kind, &id).await,
        Op::Invoke(id) => invoke::invoke(host, scope, &id, body).await,
    }
}
