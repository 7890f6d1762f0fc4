//! Credentials for the service mesh API (`/api/v1/…`): bearer tokens and signed requests,
//! made by [`colonies_core::mesh::auth`] with a Colonies key. Both name the colony and the
//! server they are for (its `serverid`, from `getServerInfo`).

use crate::error::Error;
use colonies_core::{
    PrivateKey,
    mesh::auth::{MAX_TOKEN_TTL_MS, RequestParts, mint_token, sign_request},
    rules::replay::Binding,
};
use wasm_bindgen::prelude::*;

fn key(prvkey: &str) -> Result<PrivateKey, Error> {
    prvkey.trim().parse().map_err(|e| Error::Input(format!("prvkey is not a private key: {e}")))
}

/// This machine's clock, Unix milliseconds.
fn now_ms() -> i64 {
    // Date.now() is an integral number of ms, well within i64.
    js_sys::Date::now() as i64
}

/// A bearer token for the mesh API of `colonyname` on the server `audience`, valid for
/// `ttlSeconds` (more than 0, at most 86400) from now: send it as
/// `Authorization: Bearer <token>`. Whoever holds it acts as `prvkey` in the colony until
/// it expires. Throws a `ColoniesError` (`reason: "input"`) for a bad key, lifetime, colony
/// or audience.
#[wasm_bindgen(js_name = createToken)]
pub fn create_token(
    prvkey: &str,
    colonyname: &str,
    audience: &str,
    #[wasm_bindgen(js_name = ttlSeconds)] ttl_seconds: f64,
) -> Result<String, Error> {
    let max_seconds = MAX_TOKEN_TTL_MS / 1000;
    if !ttl_seconds.is_finite() || ttl_seconds <= 0.0 || ttl_seconds > max_seconds as f64 {
        return Err(Error::Input(format!(
            "ttlSeconds is more than 0 and at most {max_seconds} (24 hours), not {ttl_seconds}"
        )));
    }
    // Within (0, 86400] × 1000: exact in i64.
    let ttl_ms = (ttl_seconds * 1000.0).round() as i64;
    mint_token(&key(prvkey)?, colonyname, audience, now_ms(), ttl_ms)
        .map_err(|e| Error::Input(e.to_string()))
}

/// The `Authorization` header value (`Colonies-Signature …`) of one mesh API request in
/// `colonyname`: over `method`, `path` exactly as sent (with `?query` if any) and the body
/// (`""` for none), bound to a fresh nonce, now, and the server `audience`. Sign each request
/// anew: the server accepts a signature once.
#[wasm_bindgen(js_name = signMeshRequest)]
pub fn sign_mesh_request(
    prvkey: &str,
    colonyname: &str,
    method: &str,
    path: &str,
    #[wasm_bindgen(js_name = bodyString)] body: &str,
    audience: &str,
) -> Result<String, Error> {
    if colonyname.is_empty() || audience.is_empty() {
        return Err(Error::Input("a signed request names a colony and a server".into()));
    }
    if !path.starts_with('/') {
        return Err(Error::Input(format!("path is the request's path from /, not {path:?}")));
    }
    let binding = Binding::new(now_ms(), audience)
        .map_err(|e| Error::Input(format!("cannot draw a nonce: {e}")))?;
    let parts = RequestParts { method, path, body: body.as_bytes() };
    Ok(sign_request(&key(prvkey)?, colonyname, parts, &binding))
}
