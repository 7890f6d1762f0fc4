//! Workflow (process graph) messages (protocol §4.6).

use crate::model::{FunctionSpec, ProcessState, StateFilter, WorkflowSpec, wire::nullable};
use alloc::string::String;
use serde::{Deserialize, Serialize};

/// `submitworkflowspecmsg`: submit a workflow; the reply is its process graph.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["spec"])))]
#[serde(default)]
pub struct SubmitWorkflowSpecMsg {
    /// The workflow.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub spec: WorkflowSpec,
}

/// `getprocessgraphmsg`: one process graph, with nodes and edges for drawing.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["processgraphid"])))]
#[serde(default)]
pub struct GetProcessGraphMsg {
    /// The graph.
    pub processgraphid: String,
}

/// `getprocessgraphsmsg`: process graphs of a colony in one state, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "count", "state"])))]
#[serde(default)]
pub struct GetProcessGraphsMsg {
    /// The colony.
    pub colonyname: String,
    /// At most this many (≤ 100).
    pub count: i64,
    /// Only this state.
    pub state: ProcessState,
}

/// `removeprocessgraphmsg`: delete a graph that is not running, and its processes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["processgraphid"])))]
#[serde(default)]
pub struct RemoveProcessGraphMsg {
    /// The graph.
    pub processgraphid: String,
    /// Ignored by the server.
    pub all: bool,
}

/// `removeallprocessgraphsmsg`: delete every graph of a colony in a state.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "state"])))]
#[serde(default)]
pub struct RemoveAllProcessGraphsMsg {
    /// The colony.
    pub colonyname: String,
    /// Which states; running is refused.
    pub state: StateFilter,
}

/// `cancelprocessgraphmsg`: cancel a graph and its waiting and running processes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["processgraphid"])))]
#[serde(default)]
pub struct CancelProcessGraphMsg {
    /// The graph.
    pub processgraphid: String,
}

/// `addchildmsg`: the executor running a graph process adds a child to it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["processgraphid", "parentprocessid", "spec"])))]
#[serde(default)]
pub struct AddChildMsg {
    /// The graph.
    pub processgraphid: String,
    /// The running parent (assigned to the caller).
    pub parentprocessid: String,
    /// An existing child the new process becomes parent of (empty: none).
    pub childprocessid: String,
    /// What the child runs.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub spec: FunctionSpec,
    /// Insert between the parent and its children instead of adding a sibling branch.
    pub insert: bool,
}
