//! Snapshot messages (protocol §4.13).

use alloc::string::String;
use serde::{Deserialize, Serialize};

/// `createsnapshotmsg`: freeze the latest files of a label.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "label", "name"])))]
#[serde(default)]
pub struct CreateSnapshotMsg {
    /// The colony.
    pub colonyname: String,
    /// The label.
    pub label: String,
    /// The snapshot's name, unique in the colony.
    pub name: String,
}

/// `getsnapshotmsg`: a snapshot by ID or name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname"])))]
#[serde(default)]
pub struct GetSnapshotMsg {
    /// The colony.
    pub colonyname: String,
    /// The snapshot ID (takes precedence).
    pub snapshotid: String,
    /// The snapshot's name.
    pub name: String,
}

/// `getsnapshotsmsg`: the snapshots of a colony.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname"])))]
#[serde(default)]
pub struct GetSnapshotsMsg {
    /// The colony.
    pub colonyname: String,
}

/// `removesnapshotmsg`: delete a snapshot by ID or name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname"])))]
#[serde(default)]
pub struct RemoveSnapshotMsg {
    /// The colony.
    pub colonyname: String,
    /// The snapshot ID (takes precedence).
    pub snapshotid: String,
    /// The snapshot's name.
    pub name: String,
}

/// `removeallsnapshotmsg` (sic, singular): delete every snapshot of a colony.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname"])))]
#[serde(default)]
pub struct RemoveAllSnapshotsMsg {
    /// The colony.
    pub colonyname: String,
}
