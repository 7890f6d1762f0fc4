//! Crons: workflows started on a schedule (protocol §5.10).

use crate::time::Timestamp;
use alloc::string::String;
use serde::{Deserialize, Serialize};

/// A workflow started every `interval` seconds or on a cron expression.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Cron {
    /// The cron ID.
    pub cronid: String,
    /// The key ID of whoever added it.
    pub initiatorid: String,
    /// The name of whoever added it.
    pub initiatorname: String,
    /// The colony.
    pub colonyname: String,
    /// Its name, unique in the colony.
    pub name: String,
    /// A six-field cron expression (with seconds), used when `interval` is `-1`.
    pub cronexpression: String,
    /// Seconds between runs; `-1` means use the expression; `0` is refused.
    pub interval: i64,
    /// Randomise within the interval (never effective in Go).
    pub random: bool,
    /// When it runs next.
    pub nextrun: Timestamp,
    /// When it last ran.
    pub lastrun: Timestamp,
    /// The workflow, as a JSON **string** of a `WorkflowSpec`.
    pub workflowspec: String,
    /// The graph started by the previous run.
    pub prevprocessgraphid: String,
    /// Skip a run while the previous graph has not finished.
    pub waitforprevprocessgraph: bool,
    /// How often the server checks crons, milliseconds.
    pub checkerperiod: i64,
}
