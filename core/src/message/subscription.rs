//! Process subscriptions over the `/pubsub` WebSocket (protocol §7).

use crate::model::ProcessState;
use alloc::string::String;
use serde::{Deserialize, Serialize};

/// `subscribeprocessesmsg`: stream every process of a type entering a state.
///
/// Frames carry payloadtype `subscribeprocessmsg` (singular), as Go sends them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "executortype", "state"])))]
#[serde(default)]
pub struct SubscribeProcessesMsg {
    /// The colony.
    pub colonyname: String,
    /// The executor type.
    pub executortype: String,
    /// The state to report.
    pub state: ProcessState,
    /// Seconds until the server closes the socket.
    pub timeout: i64,
}

/// `subscribeprocessmsg`: one frame when a process reaches a state (at once if it already has).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "processid", "state"])))]
#[serde(default)]
pub struct SubscribeProcessMsg {
    /// The colony.
    pub colonyname: String,
    /// The process.
    pub processid: String,
    /// The executor type (empty: the process's).
    pub executortype: String,
    /// The state to wait for.
    pub state: ProcessState,
    /// Seconds until the server gives up.
    pub timeout: i64,
}
