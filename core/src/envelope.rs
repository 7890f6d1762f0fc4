//! The RPC envelope of `POST /api` (protocol §2): a signed request, the reply, and the error.
//!
//! ```text
//! request  {"signature":"<130 hex>","payloadtype":"<t>","payload":"<base64 of the inner JSON>"}
//! reply    {"payloadtype":"<t>","payload":"<base64 of the reply JSON>","error":false}
//! error    {"payloadtype":"error","payload":"<base64 of {\"status\":N,\"message\":…}>","error":true}
//! ```
//! The signature covers the base64 text of `payload` exactly as sent, and the inner JSON's
//! `msgtype` must equal `payloadtype`, so a signed payload cannot be relabelled.

use crate::{
    crypto::{Id, PrivateKey, Signature},
    gojson,
};
use alloc::{
    borrow::Cow,
    string::{String, ToString},
    vec::Vec,
};
use base64::{Engine, engine::general_purpose::STANDARD};
use core::fmt;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

/// The two payloadtypes the server answers without a signature.
pub const UNSIGNED_PAYLOAD_TYPES: [&str; 2] = ["versionmsg", "getserverinfomsg"];

/// The payloadtype of every error reply.
pub const ERROR_PAYLOAD_TYPE: &str = "error";

/// Why a request envelope was refused, with the HTTP status Colonies gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// The body is not an envelope JSON object (400).
    Malformed,
    /// The signature is malformed, non-canonical or recovers no key (403).
    Signature,
    /// The payload is not standard padded base64 of a JSON object (400).
    Payload,
    /// The payload's JSON does not fit the message it claims to be (400).
    Fields(String),
    /// A string of the payload holds the NUL character, which no Colonies store keeps (400).
    Nul,
    /// The inner `msgtype` differs from the envelope's `payloadtype` (400).
    MsgTypeMismatch {
        /// What the envelope said.
        payloadtype: String,
        /// What the payload said.
        msgtype: String,
    },
}

impl EnvelopeError {
    /// The HTTP status Colonies answers with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Signature => 403,
            _ => 400,
        }
    }

    /// The error reply for this failure.
    pub fn to_failure(&self) -> Failure {
        Failure::new(self.status(), self.to_string())
    }
}

impl fmt::Display for EnvelopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed => f.write_str("Failed to parse request: not a Colonies RPC message"),
            Self::Signature => {
                f.write_str("Failed to recover ID from signature: invalid signature")
            }
            Self::Payload => f.write_str("Failed to parse payload: not base64-encoded JSON"),
            Self::Fields(detail) => write!(f, "Failed to parse payload: invalid JSON: {detail}"),
            Self::Nul => f.write_str(
                "Failed to parse payload: strings must not contain the NUL character (\\u0000)",
            ),
            Self::MsgTypeMismatch { payloadtype, msgtype } => write!(
                f,
                "Failed to parse payload: msgtype {msgtype:?} does not match payloadtype {payloadtype:?}"
            ),
        }
    }
}

impl core::error::Error for EnvelopeError {}

/// The body of every `POST /api` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RpcMsg {
    /// 130 hex characters: `r || s || v` over SHA3-256 of `payload` (empty when unsigned).
    #[serde(default)]
    pub signature: String,
    /// Which message the payload holds; equals the payload's `msgtype`.
    #[serde(default)]
    pub payloadtype: String,
    /// Standard padded base64 of the message JSON.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(with = "crate::model::wire::Base64Json"))]
    pub payload: String,
}

/// Reads an envelope that must be a JSON object: serde would also take a JSON array for a
/// struct, which the Go server refuses.
fn parse_object<T: DeserializeOwned>(body: &[u8]) -> Result<T, EnvelopeError> {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => gojson::from_slice(body).map_err(|_| EnvelopeError::Malformed),
        _ => Err(EnvelopeError::Malformed),
    }
}

#[derive(Deserialize)]
struct MsgType<'a> {
    #[serde(default, borrow)]
    msgtype: Option<Cow<'a, str>>,
}

impl RpcMsg {
    /// A request for `payloadtype` carrying `payload_json`, signed by `key`.
    pub fn sign(payloadtype: &str, payload_json: &str, key: &PrivateKey) -> Self {
        let payload = STANDARD.encode(payload_json);
        let signature = key.sign(payload.as_bytes()).to_hex();
        Self { signature, payloadtype: payloadtype.into(), payload }
    }

    /// A request for `payloadtype` carrying `payload_json` bound to `binding` (its nonce,
    /// signing time and audience added to the payload, see [`crate::rules::replay`]), signed
    /// by `key`. A captured copy cannot be replayed on a server that checks the binding.
    pub fn sign_bound(
        payloadtype: &str,
        payload_json: &str,
        key: &PrivateKey,
        binding: &crate::rules::replay::Binding,
    ) -> Self {
        Self::sign(payloadtype, &binding.bind(payload_json), key)
    }

    /// A request without signature (only `versionmsg` and `getserverinfomsg` are answered).
    pub fn unsigned(payloadtype: &str, payload_json: &str) -> Self {
        Self {
            signature: String::new(),
            payloadtype: payloadtype.into(),
            payload: STANDARD.encode(payload_json),
        }
    }

    /// Reads a request body. Anything but an envelope object is [`EnvelopeError::Malformed`].
    pub fn parse(body: &[u8]) -> Result<Self, EnvelopeError> {
        parse_object(body)
    }

    /// The JSON text of this envelope, fields in the order Go writes them.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Whether the payloadtype is one the server answers without a signature.
    pub fn is_unsigned(&self) -> bool {
        UNSIGNED_PAYLOAD_TYPES.contains(&self.payloadtype.as_str())
    }

    /// The identity of the signer, recovered from the signature over the payload text.
    pub fn recover_caller(&self) -> Result<Id, EnvelopeError> {
        let signature: Signature = self.signature.parse().map_err(|_| EnvelopeError::Signature)?;
        signature.recover_id(self.payload.as_bytes()).map_err(|_| EnvelopeError::Signature)
    }

    /// The public key that signed the payload (the caller's, whose ID
    /// [`RpcMsg::recover_caller`] gives).
    pub fn recover_public_key(&self) -> Result<crate::PublicKey, EnvelopeError> {
        let signature: Signature = self.signature.parse().map_err(|_| EnvelopeError::Signature)?;
        signature.recover_public_key(self.payload.as_bytes()).map_err(|_| EnvelopeError::Signature)
    }

    /// The decoded payload JSON bytes.
    pub fn payload_json(&self) -> Result<Vec<u8>, EnvelopeError> {
        gojson::decode_base64(self.payload.as_bytes()).map_err(|_| EnvelopeError::Payload)
    }

    /// Decodes the payload as `T` after checking that its `msgtype` equals the payloadtype.
    ///
    /// Bytes that are not UTF-8 read as U+FFFD, as Go's decoder reads them inside strings.
    pub fn open<T: DeserializeOwned>(&self) -> Result<T, EnvelopeError> {
        let json = go_lossy_utf8(self.payload_json()?);
        let MsgType { msgtype } =
            serde_json::from_slice(&json).map_err(|_| EnvelopeError::Payload)?;
        let msgtype = msgtype.unwrap_or_default();
        if msgtype != self.payloadtype {
            return Err(EnvelopeError::MsgTypeMismatch {
                payloadtype: self.payloadtype.clone(),
                msgtype: msgtype.into_owned(),
            });
        }
        if gojson::has_nul_escape(&json) {
            return Err(EnvelopeError::Nul);
        }
        gojson::from_slice(&json).map_err(|e| match e {
            gojson::JsonError::Syntax => EnvelopeError::Payload,
            gojson::JsonError::Fields(detail) => EnvelopeError::Fields(detail),
        })
    }
}

/// Replaces every byte that is not part of valid UTF-8 with U+FFFD, one per byte, which is what
/// Go's `encoding/json` does inside strings (browser clients that base64 their JSON with `btoa`
/// send Latin-1 text as single bytes). Outside a string the replacement is still a syntax error.
fn go_lossy_utf8(bytes: Vec<u8>) -> Vec<u8> {
    if core::str::from_utf8(&bytes).is_ok() {
        return bytes;
    }
    let mut out = Vec::with_capacity(bytes.len() + 16);
    let mut rest = bytes.as_slice();
    while !rest.is_empty() {
        match core::str::from_utf8(rest) {
            Ok(valid) => {
                out.extend_from_slice(valid.as_bytes());
                break;
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                out.extend_from_slice(valid);
                // A bad run is a lead byte and continuation bytes: none of them starts a
                // character, so Go replaces each one.
                let bad = e.error_len().unwrap_or(after.len());
                for _ in 0..bad {
                    out.extend_from_slice("\u{FFFD}".as_bytes());
                }
                rest = &after[bad..];
            }
        }
    }
    out
}

/// The `{"status":N,"message":…}` payload of an error reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Failure {
    /// The HTTP status, as a JSON number.
    #[serde(default)]
    pub status: u16,
    /// What went wrong, for a person.
    #[serde(default)]
    pub message: String,
}

impl Failure {
    /// A failure with this status and message.
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        Self { status, message: message.into() }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (status {})", self.message, self.status)
    }
}

impl core::error::Error for Failure {}

/// The body of every `POST /api` reply, success or error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RpcReplyMsg {
    /// The request's payloadtype (`pausestatusreplymsg` for `getpausestatusmsg`), or `error`.
    #[serde(default)]
    pub payloadtype: String,
    /// Standard padded base64 of the reply JSON (`{}` when there is nothing to say).
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(with = "crate::model::wire::Base64Json"))]
    pub payload: String,
    /// Whether this is an error reply; clients decide on this flag, not the HTTP status.
    #[serde(default)]
    pub error: bool,
}

impl RpcReplyMsg {
    /// A success reply carrying `payload_json`.
    pub fn success(payloadtype: &str, payload_json: &str) -> Self {
        Self {
            payloadtype: payloadtype.into(),
            payload: STANDARD.encode(payload_json),
            error: false,
        }
    }

    /// A success reply with the empty object `{}`, which every client can parse.
    pub fn empty(payloadtype: &str) -> Self {
        Self::success(payloadtype, "{}")
    }

    /// An error reply carrying `failure`.
    pub fn failure(failure: &Failure) -> Self {
        let json = serde_json::to_string(failure).unwrap_or_default();
        Self { payloadtype: ERROR_PAYLOAD_TYPE.into(), payload: STANDARD.encode(json), error: true }
    }

    /// Reads a reply body.
    pub fn parse(body: &[u8]) -> Result<Self, EnvelopeError> {
        parse_object(body)
    }

    /// The JSON text of this reply, fields in the order Go writes them.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The reply JSON of a success, or the [`Failure`] of an error reply.
    pub fn into_result(self) -> Result<Vec<u8>, Failure> {
        let json = STANDARD
            .decode(self.payload.as_bytes())
            .map_err(|_| Failure::new(502, "reply payload is not base64"))?;
        if self.error {
            return Err(serde_json::from_slice(&json).unwrap_or_else(|_| {
                Failure::new(502, String::from_utf8_lossy(&json).into_owned())
            }));
        }
        Ok(json)
    }
}
