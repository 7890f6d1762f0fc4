//! Snapshots: the files of a label frozen at one moment (protocol §5.13).

use super::wire::nullable;
use crate::time::Timestamp;
use alloc::{string::String, vec::Vec};
use serde::{Deserialize, Serialize};

/// The latest file revisions of a label (and its sub-labels) at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Snapshot {
    /// The snapshot ID.
    pub snapshotid: String,
    /// The colony.
    pub colonyname: String,
    /// The label it froze.
    pub label: String,
    /// Its name, unique in the colony.
    pub name: String,
    /// The file revisions it holds.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub fileids: Vec<String>,
    /// When it was taken.
    pub added: Timestamp,
}
