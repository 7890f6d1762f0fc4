//! Executors: the workers that pull processes (protocol §5.3).

use super::{
    function_spec::Gpu,
    wire::{integer_enum, is_zero, nullable},
};
use crate::time::Timestamp;
use alloc::{collections::BTreeMap, string::String, vec::Vec};
use serde::{Deserialize, Serialize};

integer_enum! {
    /// Where an executor is in its life: registered, approved by the colony owner, or removed.
    pub enum ExecutorState {
        /// Registered, not yet approved: may list but not work (0).
        #[default]
        Pending = 0,
        /// Approved by the colony owner: a full member (1).
        Approved = 1,
        /// Rejected by the colony owner (2).
        Rejected = 2,
        /// Removed (soft-deleted); the row stays so history keeps its name (3).
        Unregistered = 3,
    }
}

/// An executor registered in a colony.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Executor {
    /// The executor's key ID.
    pub executorid: String,
    /// The kind of work it does; a spec's `conditions.executortype` must equal it.
    pub executortype: String,
    /// Its name, unique in the colony.
    pub executorname: String,
    /// The colony it belongs to.
    pub colonyname: String,
    /// Pending, approved, rejected or unregistered.
    pub state: ExecutorState,
    /// Whether it only runs functions it registered.
    pub requirefuncreg: bool,
    /// When it was registered.
    pub commissiontime: Timestamp,
    /// When it last asked for work.
    pub lastheardfromtime: Timestamp,
    /// The location it runs at (empty: none).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub locationname: String,
    /// Its hardware and software.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub capabilities: Capabilities,
    /// Resource allocations per project.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub allocations: Allocations,
    /// The blueprint that created it (empty: none).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub blueprintid: String,
    /// The generation of that blueprint (0: none).
    #[serde(skip_serializing_if = "is_zero")]
    pub blueprintgen: i64,
}

/// What an executor offers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Capabilities {
    /// Its machines.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub hardware: Vec<Hardware>,
    /// Its installed software.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub software: Vec<Software>,
}

/// One kind of machine an executor runs on.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Hardware {
    /// Machine model.
    pub model: String,
    /// Number of nodes.
    pub nodes: i64,
    /// CPU, e.g. `"4000m"`.
    pub cpu: String,
    /// Number of cores.
    pub cores: i64,
    /// Memory, e.g. `"16Gi"`.
    pub mem: String,
    /// Storage, e.g. `"1Ti"`.
    pub storage: String,
    /// GPUs.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub gpu: Gpu,
    /// Platform, e.g. `"linux"`.
    pub platform: String,
    /// CPU architecture, e.g. `"amd64"`.
    pub architecture: String,
    /// Networks it is attached to.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub network: Vec<String>,
}

/// A piece of software an executor provides.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Software {
    /// Software name.
    pub name: String,
    /// Software type.
    #[serde(rename = "type")]
    pub software_type: String,
    /// Software version.
    pub version: String,
}

/// Resource allocations of an executor, by project name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Allocations {
    /// Allocation per project name. `None` is Go's nil map (written `null`, what Go answers
    /// for an executor added without allocations); `Some` of an empty map is written `{}`.
    /// Go keeps the difference and its SDK compares it.
    pub projects: Option<BTreeMap<String, Project>>,
}

/// What one project may use of an executor and has used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Project {
    /// CPU allocated.
    pub allocatedcpu: i64,
    /// CPU used.
    pub usedcpu: i64,
    /// GPUs allocated.
    pub allocatedgpu: i64,
    /// GPUs used.
    pub usedgpu: i64,
    /// Storage allocated.
    pub allocatedstorage: i64,
    /// Storage used.
    pub usedstorage: i64,
}
