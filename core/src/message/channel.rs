//! Channel messages: process-scoped message streams (protocol §4.16, §7).

use crate::model::wire::{base64_bytes, is_zero};
use alloc::{string::String, vec::Vec};
use serde::{Deserialize, Serialize};

/// `channelappendmsg`: the initiator or the assigned executor appends to a channel.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["processid", "name", "sequence", "payload"])))]
#[serde(default)]
pub struct ChannelAppendMsg {
    /// The process.
    pub processid: String,
    /// The channel's name.
    pub name: String,
    /// The sender's own sequence number.
    pub sequence: i64,
    /// The sequence number this answers (0: none).
    #[serde(skip_serializing_if = "is_zero")]
    pub inreplyto: i64,
    /// The content, base64 on the wire (at most 10 MiB).
    #[serde(with = "base64_bytes")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::model::wire::Base64Bytes"))]
    pub payload: Vec<u8>,
    /// `""` (data), `"end"` or `"error"`.
    pub payloadtype: String,
}

/// `channelreadmsg`: read a channel from an index.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["processid", "name", "afterseq"])))]
#[serde(default)]
pub struct ChannelReadMsg {
    /// The process.
    pub processid: String,
    /// The channel's name.
    pub name: String,
    /// Index into the log (not a sequence number) to read after.
    pub afterseq: i64,
    /// At most this many (0: all).
    pub limit: i64,
}

/// `subscribechannelmsg` (WebSocket): stream a channel's entries after an index.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["processid", "name"])))]
#[serde(default)]
pub struct SubscribeChannelMsg {
    /// The process.
    pub processid: String,
    /// The channel's name.
    pub name: String,
    /// Index into the log to start after.
    pub afterseq: i64,
    /// Seconds until the server ends the stream with `[]` (default 30).
    pub timeout: i64,
}
