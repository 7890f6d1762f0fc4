//! Processes: one submitted function spec and its run (protocol §5.5).

use super::{
    attribute::Attribute,
    function_spec::FunctionSpec,
    wire::{integer_enum, nullable},
};
use crate::time::Timestamp;
use alloc::{string::String, vec::Vec};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use serde_json::Value;

integer_enum! {
    /// Where a process (or a process graph) is in its life (protocol §6.1).
    pub enum ProcessState {
        /// Submitted, waiting for an executor (0).
        #[default]
        Waiting = 0,
        /// Assigned to an executor (1).
        Running = 1,
        /// Closed successfully (2).
        Success = 2,
        /// Closed as failed, or timed out (3).
        Failed = 3,
        /// Cancelled before it finished (4).
        Cancelled = 4,
    }
}

impl ProcessState {
    /// Whether no further transition is possible (success, failed, cancelled).
    pub const fn is_terminal(self) -> bool {
        matches!(self, Self::Success | Self::Failed | Self::Cancelled)
    }
}

/// The state filter of the "remove all" messages: `-1` (Go's `NOTSET`) means every state.
///
/// A missing field reads as `0`, waiting only, as Go's zero value does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StateFilter {
    /// Every state (`-1`).
    All,
    /// Only processes in this state.
    Only(ProcessState),
}

impl StateFilter {
    /// The integer Colonies uses: `-1` or the state's code.
    pub const fn code(self) -> i64 {
        match self {
            Self::All => -1,
            Self::Only(state) => state.code(),
        }
    }

    /// The filter with this code, if there is one.
    pub const fn from_code(code: i64) -> Option<Self> {
        if code == -1 {
            return Some(Self::All);
        }
        match ProcessState::from_code(code) {
            Some(state) => Some(Self::Only(state)),
            None => None,
        }
    }

    /// Whether a process in `state` is selected.
    pub fn matches(self, state: ProcessState) -> bool {
        match self {
            Self::All => true,
            Self::Only(only) => only == state,
        }
    }
}

impl From<ProcessState> for StateFilter {
    fn from(state: ProcessState) -> Self {
        Self::Only(state)
    }
}

impl Default for StateFilter {
    fn default() -> Self {
        Self::Only(ProcessState::Waiting)
    }
}

impl Serialize for StateFilter {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.code())
    }
}

impl<'de> Deserialize<'de> for StateFilter {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = i64::deserialize(deserializer)?;
        Self::from_code(code).ok_or_else(|| {
            de::Error::invalid_value(de::Unexpected::Signed(code), &"-1 or a process state")
        })
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for StateFilter {
    fn schema_name() -> alloc::borrow::Cow<'static, str> {
        "StateFilter".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let state = generator.subschema_for::<ProcessState>();
        schemars::json_schema!({
            "description": "A state filter: `-1` (Go's `NOTSET`) selects every state, \
                            any other value the process state with that code.",
            "oneOf": [{"const": -1, "title": "All", "description": "Every state."}, state],
        })
    }
}

/// A submitted function spec and everything that happened to it.
///
/// Every key is always written, and lists and maps are written as `[]`/`{}`, never `null`:
/// pycolonies refuses `null` for `parents`, `children` and `errors` (protocol §5.5).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Process {
    /// The process ID (random 64 hex).
    pub processid: String,
    /// The key ID of whoever submitted it.
    pub initiatorid: String,
    /// The name of the executor or user that submitted it.
    pub initiatorname: String,
    /// The key ID of the executor running it (empty when waiting).
    pub assignedexecutorid: String,
    /// Whether an executor holds it.
    pub isassigned: bool,
    /// Waiting, running, success, failed or cancelled.
    pub state: ProcessState,
    /// Submission time in Unix ns minus `priority` days; the lowest is assigned first.
    pub prioritytime: i64,
    /// When it was submitted.
    pub submissiontime: Timestamp,
    /// When it was last assigned.
    pub starttime: Timestamp,
    /// When it was closed.
    pub endtime: Timestamp,
    /// When it fails if still waiting.
    pub waitdeadline: Timestamp,
    /// When its current run expires.
    pub execdeadline: Timestamp,
    /// How often its run has expired and been retried.
    pub retries: i64,
    /// Its attributes (IN, OUT, ERR, ENV).
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub attributes: Vec<Attribute>,
    /// What to run.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub spec: FunctionSpec,
    /// Whether it waits for parents in its workflow to succeed.
    pub waitforparents: bool,
    /// Process IDs of its parents in the workflow.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub parents: Vec<String>,
    /// Process IDs of its children in the workflow.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub children: Vec<String>,
    /// The workflow it belongs to (empty: none).
    pub processgraphid: String,
    /// Input: the parents' outputs, concatenated in `parents` order.
    #[serde(rename = "in", deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub input: Vec<Value>,
    /// Output set by the executor.
    #[serde(rename = "out", deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub output: Vec<Value>,
    /// Errors reported when it failed.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub errors: Vec<String>,
}

impl Process {
    /// Whether the process belongs to a workflow.
    pub fn in_workflow(&self) -> bool {
        !self.processgraphid.is_empty()
    }
}
