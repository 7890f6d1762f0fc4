//! Process messages: submit, assign, close, list, cancel, pause (protocol §4.5).

use crate::model::{FunctionSpec, ProcessState, StateFilter, wire::nullable};
use alloc::{string::String, vec::Vec};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `submitfuncspecmsg`: submit one function spec; the reply is the waiting process.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["spec"])))]
#[serde(default)]
pub struct SubmitFunctionSpecMsg {
    /// What to run; `conditions.colonyname` names the colony.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub spec: FunctionSpec,
}

/// `assignprocessmsg`: an executor asks for work, long-polling up to `timeout` seconds.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "timeout"])))]
#[serde(default)]
pub struct AssignProcessMsg {
    /// The colony.
    pub colonyname: String,
    /// Seconds to wait (`> 0`), or no wait (`< 0`); `0` is refused.
    pub timeout: i64,
    /// CPU the executor has free, e.g. `"4000m"` (empty: unlimited).
    pub availablecpu: String,
    /// Memory the executor has free, e.g. `"10G"` (empty: unlimited).
    pub availablemem: String,
}

/// `getprocessmsg`: one process.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["processid"])))]
#[serde(default)]
pub struct GetProcessMsg {
    /// The process.
    pub processid: String,
}

/// `getprocessesmsg`: processes of a colony in one state, filtered by type, initiator or label.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "count", "state"])))]
#[serde(default)]
pub struct GetProcessesMsg {
    /// The colony.
    pub colonyname: String,
    /// At most this many (≤ 100).
    pub count: i64,
    /// Only this state; `-1` (every state) is an extension that pycolonies'
    /// `get_processes_for_workflow` sends (Go refuses it).
    pub state: StateFilter,
    /// Only processes of this workflow: an extension pycolonies sends (Go ignores the field).
    /// It takes precedence over the other filters.
    pub processgraphid: String,
    /// Only this executor type (first non-empty filter wins).
    pub executortype: String,
    /// Only this label.
    pub label: String,
    /// Only processes submitted by this user name.
    pub initiator: String,
}

/// `getprocesshistmsg`: processes submitted in the last `seconds`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "seconds", "state"])))]
#[serde(default)]
pub struct GetProcessHistoryMsg {
    /// The colony.
    pub colonyname: String,
    /// Only processes of this executor (empty: the whole colony).
    pub executorid: String,
    /// How far back.
    pub seconds: i64,
    /// Only this state.
    pub state: ProcessState,
}

/// `removeprocessmsg`: delete a finished or waiting process that is not in a workflow.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["processid"])))]
#[serde(default)]
pub struct RemoveProcessMsg {
    /// The process.
    pub processid: String,
    /// Ignored by the server.
    pub all: bool,
}

/// `removeallprocessesmsg`: delete every process of a colony in a state (`-1`: any but running).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "state"])))]
#[serde(default)]
pub struct RemoveAllProcessesMsg {
    /// The colony.
    pub colonyname: String,
    /// Which states; running is refused.
    pub state: StateFilter,
}

/// `closesuccessfulmsg`: the assigned executor reports success.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["processid"])))]
#[serde(default)]
pub struct CloseSuccessfulMsg {
    /// The process.
    pub processid: String,
    /// Its output, any JSON.
    #[serde(rename = "out", deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub output: Vec<Value>,
}

/// `closefailedmsg`: the assigned executor reports failure.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["processid"])))]
#[serde(default)]
pub struct CloseFailedMsg {
    /// The process.
    pub processid: String,
    /// Why it failed.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub errors: Vec<String>,
}

/// `setoutputmsg`: the assigned executor sets the output of a running process.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["processid", "out"])))]
#[serde(default)]
pub struct SetOutputMsg {
    /// The process.
    pub processid: String,
    /// Its output, any JSON.
    #[serde(rename = "out", deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub output: Vec<Value>,
}

/// `cancelprocessmsg`: cancel a waiting or running process that is not in a workflow.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["processid"])))]
#[serde(default)]
pub struct CancelProcessMsg {
    /// The process.
    pub processid: String,
}

/// `pauseassignmentsmsg`: stop handing out processes of a colony.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname"])))]
#[serde(default)]
pub struct PauseAssignmentsMsg {
    /// The colony.
    pub colonyname: String,
}

/// `resumeassignmentsmsg`: hand out processes again.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname"])))]
#[serde(default)]
pub struct ResumeAssignmentsMsg {
    /// The colony.
    pub colonyname: String,
}

/// `getpausestatusmsg`: whether assignments are paused (reply payloadtype `pausestatusreplymsg`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname"])))]
#[serde(default)]
pub struct GetPauseStatusMsg {
    /// The colony.
    pub colonyname: String,
}
