//! What to run and where: a function spec and its conditions (protocol §5.4).

use super::{
    filesystem::Filesystem,
    wire::{JsonObject, nullable},
};
use alloc::{collections::BTreeMap, string::String, vec::Vec};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A request to run one function: the unit a process is made from.
///
/// `maxwaittime`/`maxexectime` are seconds (`-1` = unlimited); `maxretries` `-1` = unlimited;
/// `priority` in `[-50000, 50000]`, higher first.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct FunctionSpec {
    /// The node's name inside a workflow (unique there; dependencies refer to it).
    pub nodename: String,
    /// The function to run.
    pub funcname: String,
    /// Positional arguments, any JSON.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub args: Vec<Value>,
    /// Keyword arguments, any JSON.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub kwargs: JsonObject,
    /// Scheduling priority; each unit is one day of seniority.
    pub priority: i64,
    /// Seconds the process may wait for an executor before it fails.
    pub maxwaittime: i64,
    /// Seconds an executor may run it before it is retried or fails.
    pub maxexectime: i64,
    /// How often an expired run is retried.
    pub maxretries: i64,
    /// Which executors may take it.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub conditions: Conditions,
    /// A free label to find processes by.
    pub label: String,
    /// Files to mount and synchronise.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub fs: Filesystem,
    /// Environment variables, stored as ENV attributes of the process.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub env: BTreeMap<String, String>,
    /// Channels to open for the process.
    #[serde(deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub channels: Vec<String>,
    /// The blueprint change a reconciliation process acts on (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reconciliation: Option<Value>,
}

/// Which executors may take a process.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Conditions {
    /// The colony the process runs in.
    pub colonyname: String,
    /// Only executors with one of these names (empty or `["*"]`: any).
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub executornames: Vec<String>,
    /// Only executors of this type (exact match).
    pub executortype: String,
    /// Only executors at this location, compared case-insensitively (empty: any).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub locationname: String,
    /// Node names in the same workflow that must succeed first.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub dependencies: Vec<String>,
    /// Number of nodes.
    pub nodes: i64,
    /// CPU in millicores, written `"<n>m"`.
    pub cpu: String,
    /// Number of processes.
    pub processes: i64,
    /// Processes per node.
    pub processespernode: i64,
    /// Memory, e.g. `"10Gi"`.
    pub mem: String,
    /// Storage, e.g. `"10Gi"`.
    pub storage: String,
    /// GPUs.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub gpu: Gpu,
    /// Wall time in seconds.
    pub walltime: i64,
}

/// GPUs requested by a spec or offered by hardware.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Gpu {
    /// GPU model name.
    pub name: String,
    /// Memory per GPU, e.g. `"80Gi"`.
    pub mem: String,
    /// GPUs per node.
    pub count: i64,
    /// Nodes with GPUs.
    pub nodecount: i64,
}
