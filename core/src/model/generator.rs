//! Generators: workflows started when enough arguments have been packed (protocol §5.11).

use crate::time::Timestamp;
use alloc::string::String;
use serde::{Deserialize, Serialize};

/// A workflow started once `trigger` arguments are packed, or `timeout` seconds after the first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Generator {
    /// The generator ID.
    pub generatorid: String,
    /// The key ID of whoever added it.
    pub initiatorid: String,
    /// The name of whoever added it.
    pub initiatorname: String,
    /// The colony.
    pub colonyname: String,
    /// Its name.
    pub name: String,
    /// The workflow, as a JSON **string** of a `WorkflowSpec`.
    pub workflowspec: String,
    /// How many packed arguments start a workflow.
    pub trigger: i64,
    /// Seconds after which fewer arguments start one anyway (`0`: never).
    pub timeout: i64,
    /// When the first argument was packed.
    pub firstpack: Timestamp,
    /// When it last started a workflow.
    pub lastrun: Timestamp,
    /// How many arguments are packed now.
    pub queuesize: i64,
    /// How often the server checks generators, milliseconds.
    pub checkerperiod: i64,
}
