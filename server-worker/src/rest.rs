//! The mesh's REST API (CryptoMesh's `/api/v1`, protocol §15): the request target → an
//! operation, the `Authorization` header → the caller, the handler's answer → a status and a
//! JSON body. Both hosts call [`handle_rest`] for every target [`is_rest`] accepts.
//!
//! Every route is served with and without its trailing slash (no redirect), and under
//! `/colonies/<colonyname>` as well, which names the colony for callers whose credential does
//! not (anonymous ones).

use crate::{
    error::Error,
    handlers::{
        Reply,
        mesh::{self, Op, Who, auth_error},
    },
    host::Host,
};
use colonies_core::{
    Id, RpcMsg,
    mesh::{
        ApiError, Kind, MeshError,
        auth::{self, Caller, RequestParts},
        openapi,
        rpc::{MeshRequestMsg, PAYLOAD_TYPE},
    },
};
use std::sync::OnceLock;

/// A REST request, as the host read it.
#[derive(Debug, Clone, Copy)]
pub struct RestRequest<'a> {
    /// The method, upper case.
    pub method: &'a str,
    /// The request target: the path and, if any, `?` and the query, as received.
    pub target: &'a str,
    /// The `Authorization` header, if any.
    pub authorization: Option<&'a str>,
    /// The body.
    pub body: &'a [u8],
    /// The host's clock, Unix milliseconds (a token's expiry is checked against it).
    pub now_ms: i64,
}

/// The answer: status, content type and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestResponse {
    /// The HTTP status.
    pub status: u16,
    /// The Content-Type.
    pub content_type: &'static str,
    /// The body (empty for 204).
    pub body: String,
}

const JSON: &str = "application/json";

/// The longest id a route takes, in bytes.
pub const MAX_ID_LEN: usize = 256;

impl RestResponse {
    fn json(status: u16, body: &impl serde::Serialize) -> Self {
        Self { status, content_type: JSON, body: serde_json::to_string(body).unwrap_or_default() }
    }

    fn error(error: &MeshError) -> Self {
        Self::json(error.status(), error)
    }
}

/// The colony named by the target's `/colonies/<name>` prefix, and the rest of the path.
fn split_colony(path: &str) -> (Option<&str>, &str) {
    if let Some(rest) = path.strip_prefix("/colonies/")
        && let Some((name, tail)) = rest.split_once('/')
        && !name.is_empty()
    {
        return (Some(name), path.get(path.len() - tail.len() - 1..).unwrap_or(""));
    }
    (None, path)
}

/// Whether the host should give this path to [`handle_rest`]: `/api/v1/…`, `/docs`, and both
/// under `/colonies/<name>`.
pub fn is_rest(path: &str) -> bool {
    let (_, path) = split_colony(path);
    path == "/api/v1" || path.starts_with("/api/v1/") || path == "/docs" || path == "/docs/"
}

/// `%xx` decoding of one path segment; `None` when it does not decode to UTF-8.
fn percent_decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = segment.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Whether the query asks for records as stored (`full=true`).
fn full(query: &str) -> bool {
    query.split('&').any(|pair| pair == "full=true" || pair == "full=1")
}

/// What a path and method ask for.
enum Route {
    Op(Op),
    Docs,
    OpenApi,
}

fn not_found() -> MeshError {
    ApiError::new(404, "Not Found: no such route (see /api/v1/openapi.json)").into()
}

fn method_not_allowed(method: &str, path: &str) -> MeshError {
    ApiError::new(405, format!("Method Not Allowed: {method} {path}")).into()
}

fn route(method: &str, path: &str, query: &str) -> Result<Route, MeshError> {
    if path == openapi::DOCS_PATH || path == "/docs/" {
        return if method == "GET" {
            Ok(Route::Docs)
        } else {
            Err(method_not_allowed(method, path))
        };
    }
    if path == openapi::DOCUMENT_PATH {
        return if method == "GET" {
            Ok(Route::OpenApi)
        } else {
            Err(method_not_allowed(method, path))
        };
    }
    let rest = path.strip_prefix("/api/v1/").ok_or_else(not_found)?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let segments: Vec<&str> = rest.split('/').collect();
    let kind = segments.first().and_then(|s| Kind::from_path(s)).ok_or_else(not_found)?;
    // An id is 1 to MAX_ID_LEN characters, none of them a control character.
    let id = |segment: &str| {
        percent_decode(segment)
            .filter(|id| {
                !id.is_empty() && id.len() <= MAX_ID_LEN && !id.chars().any(char::is_control)
            })
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "'{segment}' is not a valid id (1 to {MAX_ID_LEN} characters, no control \
                     characters)"
                ))
            })
    };
    let upsert = query.split('&').any(|pair| pair == "upsert=true" || pair == "upsert=1");
    let op = match (method, segments.as_slice()) {
        ("GET", [_]) => Op::List(kind),
        ("POST", [_]) => Op::Create(kind),
        ("GET", [_, item]) => Op::Get(kind, id(item)?),
        ("PUT", [_, item]) => Op::Put { kind, id: id(item)?, upsert },
        ("DELETE", [_, item]) => Op::Delete(kind, id(item)?),
        ("POST", [_, item, "invoke"]) if kind == Kind::Function => Op::Invoke(id(item)?),
        (_, [_] | [_, _]) => return Err(method_not_allowed(method, path)),
        (_, [_, _, "invoke"]) if kind == Kind::Function => {
            return Err(method_not_allowed(method, path));
        }
        _ => return Err(not_found()),
    };
    Ok(Route::Op(op))
}

/// Answers one REST request. Never panics on any input.
pub async fn handle_rest<H: Host>(host: &H, request: RestRequest<'_>) -> RestResponse {
    match answer(host, request).await {
        Ok(response) => response,
        Err(error) => RestResponse::error(&error),
    }
}

async fn answer<H: Host>(host: &H, request: RestRequest<'_>) -> Result<RestResponse, MeshError> {
    let (path, query) = request.target.split_once('?').unwrap_or((request.target, ""));
    let (path_colony, path) = split_colony(path);
    let op = match route(request.method, path, query)? {
        Route::Op(op) => op,
        Route::Docs => {
            return Ok(RestResponse {
                status: 200,
                content_type: "text/html; charset=utf-8",
                body: openapi::DOCS_HTML.into(),
            });
        }
        Route::OpenApi => {
            static DOCUMENT: OnceLock<String> = OnceLock::new();
            let document = DOCUMENT.get_or_init(|| openapi::document().to_string());
            return Ok(RestResponse { status: 200, content_type: JSON, body: document.clone() });
        }
    };
    let parts = RequestParts { method: request.method, path: request.target, body: request.body };
    let caller = auth::authenticate(request.authorization, parts, request.now_ms)
        .map_err(|e| auth_error(&e))?;
    let colony = match (caller.colonyname(), path_colony) {
        (Some(named), Some(in_path)) if named != in_path => {
            return Err(ApiError::forbidden(format!(
                "the credential is for colony '{named}', not '{in_path}'"
            ))
            .into());
        }
        (Some(named), _) => named.to_owned(),
        (None, Some(in_path)) => in_path.to_owned(),
        (None, None) => {
            return Err(ApiError::unauthorized(
                "authentication required: send a token (Authorization: Bearer …, from \
                 `colonies-edge token create`) or a signed request, or name the colony in \
                 the path (/colonies/<colonyname>/api/v1/…)",
            )
            .into());
        }
    };
    let who = match &caller {
        Caller::Anonymous => None,
        credential => Some(Who::Rest(credential)),
    };
    let reply = mesh::serve(host, who, &colony, op, request.body, full(query)).await?;
    Ok(match reply.body {
        Some(body) => RestResponse::json(reply.status, &body),
        None => RestResponse { status: reply.status, content_type: JSON, body: String::new() },
    })
}

/// `meshrequestmsg` (signed by `caller`, its replay binding already checked by the RPC's
/// entry): the same operation as the REST route it names, for that caller. The reply's
/// payload is the REST body (`null` for none); a refusal keeps the REST status.
pub async fn handle_rpc<H: Host>(host: &H, caller: &Id, msg: &RpcMsg) -> Result<Reply, Error> {
    let refused = |error: MeshError| Error::new(error.status(), error.to_string());
    let json = msg.payload_json()?;
    let request: MeshRequestMsg = serde_json::from_slice(&json).map_err(|e| {
        Error::new(400, format!("meshrequestmsg: colonyname, method and path are required: {e}"))
    })?;
    let (path, query) = request.path.split_once('?').unwrap_or((&request.path, ""));
    let method = request.method.to_ascii_uppercase();
    let op = match route(&method, path, query).map_err(refused)? {
        Route::Op(op) => op,
        Route::Docs | Route::OpenApi => return Err(refused(not_found())),
    };
    let caller = caller.to_hex();
    let body = request.body_bytes();
    let reply =
        mesh::serve(host, Some(Who::Rpc(&caller)), &request.colonyname, op, &body, full(query))
            .await
            .map_err(refused)?;
    let json = reply.body.map_or_else(|| "null".into(), |body| body.to_string());
    Ok(Reply { payloadtype: PAYLOAD_TYPE.into(), json })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(method: &str, target: &str) -> Result<Op, u16> {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let (_, path) = split_colony(path);
        match route(method, path, query) {
            Ok(Route::Op(op)) => Ok(op),
            Ok(_) => Err(0),
            Err(e) => Err(e.status()),
        }
    }

    #[test]
    fn routes_with_and_without_trailing_slashes() {
        for target in ["/api/v1/services/", "/api/v1/services", "/colonies/dev/api/v1/services/"] {
            assert_eq!(op("GET", target), Ok(Op::List(Kind::Service)), "{target}");
            assert_eq!(op("POST", target), Ok(Op::Create(Kind::Service)), "{target}");
        }
        for target in ["/api/v1/security-policies/sp1", "/api/v1/security-policies/sp1/"] {
            assert_eq!(op("GET", target), Ok(Op::Get(Kind::SecurityPolicy, "sp1".into())));
            assert_eq!(op("DELETE", target), Ok(Op::Delete(Kind::SecurityPolicy, "sp1".into())));
            assert_eq!(
                op("PUT", target),
                Ok(Op::Put { kind: Kind::SecurityPolicy, id: "sp1".into(), upsert: false })
            );
        }
        assert_eq!(
            op("PUT", "/api/v1/roles/r%201?upsert=true"),
            Ok(Op::Put { kind: Kind::Role, id: "r 1".into(), upsert: true })
        );
        assert_eq!(op("POST", "/api/v1/functions/f1/invoke/"), Ok(Op::Invoke("f1".into())));
        assert_eq!(op("GET", "/api/v1/functions/f1/invoke"), Err(405));
        assert_eq!(op("PATCH", "/api/v1/roles/x"), Err(405));
        assert_eq!(op("GET", "/api/v1/nothing/"), Err(404));
        assert_eq!(op("GET", "/api/v1/roles/a/b"), Err(404));
        assert_eq!(op("GET", "/api/v1/roles//"), Err(400));
        assert_eq!(op("GET", "/api/v1/roles/a%00b"), Err(400));
        assert_eq!(op("GET", "/api/v1/roles/%ZZ"), Err(400));
        assert_eq!(op("GET", &format!("/api/v1/roles/{}", "x".repeat(257))), Err(400));
        assert!(op("GET", &format!("/api/v1/roles/{}", "x".repeat(256))).is_ok());
        assert!(is_rest("/colonies/dev/api/v1/roles") && is_rest("/docs") && is_rest("/api/v1"));
        assert!(!is_rest("/api") && !is_rest("/colonies/dev") && !is_rest("/api/v10/x"));
        assert_eq!(split_colony("/colonies/dev/api/v1/x"), (Some("dev"), "/api/v1/x"));
    }
}
