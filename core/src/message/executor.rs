//! Executor messages (protocol §4.3).

use crate::model::{Allocations, Capabilities, Executor, wire::nullable};
use alloc::string::String;
use serde::{Deserialize, Serialize};

/// `addexecutormsg`: register an executor (it starts pending).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["executor"])))]
#[serde(default)]
pub struct AddExecutorMsg {
    /// The executor; `executorid` is its key ID.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub executor: Executor,
}

/// `getexecutorsmsg`: every executor of a colony, in every state.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname"])))]
#[serde(default)]
pub struct GetExecutorsMsg {
    /// The colony.
    pub colonyname: String,
}

/// `getexecutormsg`: one executor by name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "executorname"])))]
#[serde(default)]
pub struct GetExecutorMsg {
    /// The colony.
    pub colonyname: String,
    /// The executor.
    pub executorname: String,
}

/// `getexecutorbyidmsg`: one executor by key ID.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "executorid"])))]
#[serde(default)]
pub struct GetExecutorByIdMsg {
    /// The colony.
    pub colonyname: String,
    /// The executor's key ID.
    pub executorid: String,
}

/// `approveexecutormsg`: let a pending executor work.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "executorname"])))]
#[serde(default)]
pub struct ApproveExecutorMsg {
    /// The colony.
    pub colonyname: String,
    /// The executor.
    pub executorname: String,
}

/// `rejectexecutormsg`: refuse an executor.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "executorname"])))]
#[serde(default)]
pub struct RejectExecutorMsg {
    /// The colony.
    pub colonyname: String,
    /// The executor.
    pub executorname: String,
}

/// `removeexecutormsg`: unregister an executor; its running processes go back to waiting.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "executorname"])))]
#[serde(default)]
pub struct RemoveExecutorMsg {
    /// The colony.
    pub colonyname: String,
    /// The executor.
    pub executorname: String,
}

/// `reportallocationmsg`: an executor reports its project allocations.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "executorname", "allocations"])))]
#[serde(default)]
pub struct ReportAllocationMsg {
    /// The colony.
    pub colonyname: String,
    /// The executor (must be the caller).
    pub executorname: String,
    /// Allocations per project.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub allocations: Allocations,
}

/// `updateexecutormsg`: an executor replaces its capabilities.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "executorname", "capabilities"])))]
#[serde(default)]
pub struct UpdateExecutorMsg {
    /// The colony.
    pub colonyname: String,
    /// The executor (must be the caller).
    pub executorname: String,
    /// The new capabilities.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub capabilities: Capabilities,
}
