//! `meshrequestmsg`: the mesh's REST API over Colonies RPC, for clients that speak only
//! `POST /api`. The caller is the envelope's signer (with the RPC's own replay protection),
//! and the same rules decide as for REST.
//!
//! The reply's payload is the REST response body (a record, a list, or `null` for a delete);
//! a refusal is the Colonies error envelope with the REST status and message.

use alloc::{string::String, vec::Vec};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The payloadtype.
pub const PAYLOAD_TYPE: &str = "meshrequestmsg";

/// One REST request, carried in a signed envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeshRequestMsg {
    /// Always [`PAYLOAD_TYPE`].
    #[serde(default)]
    pub msgtype: String,
    /// The colony whose mesh to act in.
    pub colonyname: String,
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: String,
    /// The route as REST names it, with its query: `/api/v1/services/`,
    /// `/api/v1/functions/f1/invoke`, `/api/v1/roles/r1?upsert=true`.
    pub path: String,
    /// The request body (`null`: none).
    #[serde(default)]
    pub body: Value,
}

impl MeshRequestMsg {
    /// A request for `method` on `path` in `colonyname`, with `body` if any.
    pub fn new(colonyname: &str, method: &str, path: &str, body: Option<Value>) -> Self {
        Self {
            msgtype: PAYLOAD_TYPE.into(),
            colonyname: colonyname.into(),
            method: method.into(),
            path: path.into(),
            body: body.unwrap_or(Value::Null),
        }
    }

    /// The payload JSON to sign.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The body as REST would have received it (nothing for `null`).
    pub fn body_bytes(&self) -> Vec<u8> {
        match &self.body {
            Value::Null => Vec::new(),
            body => serde_json::to_vec(body).unwrap_or_default(),
        }
    }
}
