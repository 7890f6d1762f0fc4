//! Channel entries: messages on a process-scoped stream (protocol §5.18).

use super::wire::{base64_bytes, is_zero};
use crate::time::Timestamp;
use alloc::{string::String, vec::Vec};
use serde::{Deserialize, Serialize};

/// One message of a channel, as read back.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct MsgEntry {
    /// The sender's sequence number.
    pub sequence: i64,
    /// The sequence number this answers (0: none).
    #[serde(skip_serializing_if = "is_zero")]
    pub inreplyto: i64,
    /// When it was appended.
    pub timestamp: Timestamp,
    /// The key ID of the sender.
    pub senderid: String,
    /// The content, base64 on the wire.
    #[serde(with = "base64_bytes")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::model::wire::Base64Bytes"))]
    pub payload: Vec<u8>,
    /// `data`, `end` or `error` (empty: data).
    #[serde(rename = "type", skip_serializing_if = "String::is_empty")]
    pub entry_type: String,
    /// The error text of an `error` entry.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub error: String,
}
