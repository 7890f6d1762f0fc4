//! The files a process mounts from ColonyFS (the `fs` of a function spec, protocol §5.4).

use super::wire::nullable;
use alloc::{string::String, vec::Vec};
use serde::{Deserialize, Serialize};

/// Snapshots and synchronised directories mounted for a process.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Filesystem {
    /// The mount point.
    pub mount: String,
    /// Snapshots to mount read-only.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub snapshots: Vec<SnapshotMount>,
    /// Directories to synchronise with labels.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub dirs: Vec<SyncDir>,
}

/// A snapshot mounted into a process.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct SnapshotMount {
    /// The snapshot.
    pub snapshotid: String,
    /// Its label.
    pub label: String,
    /// Where it is mounted.
    pub dir: String,
    /// Keep the files after the process ends.
    pub keepfiles: bool,
    /// Keep the snapshot after the process ends.
    pub keepsnapshot: bool,
}

/// A directory synchronised with a label before and after the process.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct SyncDir {
    /// The label to synchronise with.
    pub label: String,
    /// The local directory.
    pub dir: String,
    /// Keep the files after the process ends.
    pub keepfiles: bool,
    /// What wins when local and remote files differ.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub onconflicts: ConflictResolution,
}

/// Conflict rules at the start and at the end of a process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct ConflictResolution {
    /// When the process starts.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub onstart: OnStart,
    /// When the process closes.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub onclose: OnClose,
}

/// Conflict rule when a process starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct OnStart {
    /// Keep the local file.
    pub keeplocal: bool,
}

/// Conflict rule when a process closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct OnClose {
    /// Keep the local file.
    pub keeplocal: bool,
}
