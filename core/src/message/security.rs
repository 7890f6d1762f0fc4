//! Key rotation messages (protocol §4.14); each reply echoes the request.

use alloc::string::String;
use serde::{Deserialize, Serialize};

/// `changeuseridmsg`: a user moves to a new key.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "userid"])))]
#[serde(default)]
pub struct ChangeUserIdMsg {
    /// The colony.
    pub colonyname: String,
    /// The new key ID (64 hex).
    pub userid: String,
}

/// `changeexecutoridmsg`: an executor moves to a new key.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "executorid"])))]
#[serde(default)]
pub struct ChangeExecutorIdMsg {
    /// The colony.
    pub colonyname: String,
    /// The new key ID (64 hex).
    pub executorid: String,
}

/// `changecolonyidmsg`: a colony moves to a new owner key.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "colonyid"])))]
#[serde(default)]
pub struct ChangeColonyIdMsg {
    /// The colony.
    pub colonyname: String,
    /// The new owner key ID (64 hex).
    pub colonyid: String,
}

/// `changeserveridmsg`: the server moves to a new owner key.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["serverid"])))]
#[serde(default)]
pub struct ChangeServerIdMsg {
    /// The new owner key ID.
    pub serverid: String,
}
