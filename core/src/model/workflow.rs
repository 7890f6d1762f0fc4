//! Workflows: a spec of dependent function specs, and the process graph it becomes (§5.6).

use super::{function_spec::FunctionSpec, process::ProcessState, wire::nullable};
use crate::time::Timestamp;
use alloc::{string::String, vec::Vec};
use serde::{Deserialize, Serialize};

/// Function specs wired by `nodename` and `conditions.dependencies`, submitted together.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct WorkflowSpec {
    /// The colony every process runs in (overrides each spec's `conditions.colonyname`).
    pub colonyname: String,
    /// The nodes of the workflow.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub functionspecs: Vec<FunctionSpec>,
}

/// A submitted workflow: its processes and the state derived from theirs (§6.6).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct ProcessGraph {
    /// The graph ID.
    pub processgraphid: String,
    /// The key ID of whoever submitted it.
    pub initiatorid: String,
    /// The name of the executor or user that submitted it.
    pub initiatorname: String,
    /// The colony it runs in.
    pub colonyname: String,
    /// Processes without dependencies.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub rootprocessids: Vec<String>,
    /// Derived from the states of its processes.
    pub state: ProcessState,
    /// When it was submitted.
    pub submissiontime: Timestamp,
    /// When its first process started.
    pub starttime: Timestamp,
    /// When it reached a terminal state.
    pub endtime: Timestamp,
    /// Every process of the graph.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub processids: Vec<String>,
    /// Nodes for drawing the graph (filled by single-graph replies only).
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub nodes: Vec<GraphNode>,
    /// Edges for drawing the graph (filled by single-graph replies only).
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub edges: Vec<GraphEdge>,
}

/// A node of the drawn graph: one process.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct GraphNode {
    /// The process ID.
    pub id: String,
    /// What the node shows.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub data: NodeData,
    /// Where it is drawn.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub position: NodePosition,
    /// The drawing library's node type.
    #[serde(rename = "type")]
    pub node_type: String,
    /// Colours.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub style: NodeStyle,
}

/// The text of a drawn node.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct NodeData {
    /// The label, usually the node name.
    pub label: String,
}

/// Where a node is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct NodePosition {
    /// Horizontal position.
    pub x: i64,
    /// Vertical position.
    pub y: i64,
}

/// The colours of a drawn node (they encode the process state).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct NodeStyle {
    /// Text colour.
    pub color: String,
    /// Background colour.
    pub background: String,
}

/// An edge of the drawn graph: parent to child.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct GraphEdge {
    /// The edge ID.
    pub id: String,
    /// The parent process ID.
    pub source: String,
    /// The child process ID.
    pub target: String,
    /// Whether it is drawn animated (the parent is running).
    pub animated: bool,
}
