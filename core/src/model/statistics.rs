//! Counts of colonies, executors, processes and workflows (protocol §5.15).

use serde::{Deserialize, Serialize};

/// Counts for the server (`getstatisticsmsg`) or one colony (`getcolonystatsmsg`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Statistics {
    /// Colonies.
    pub colonies: i64,
    /// Executors, in every state.
    pub executors: i64,
    /// Approved executors.
    pub activeexecutors: i64,
    /// Removed executors.
    pub unregisteredexecutors: i64,
    /// Waiting processes.
    pub waitingprocesses: i64,
    /// Running processes.
    pub runningprocesses: i64,
    /// Successful processes.
    pub successfulprocesses: i64,
    /// Failed processes.
    pub failedprocesses: i64,
    /// Cancelled processes.
    pub cancelledprocesses: i64,
    /// Waiting workflows.
    pub waitingworkflows: i64,
    /// Running workflows.
    pub runningworkflows: i64,
    /// Successful workflows.
    pub successfulworkflows: i64,
    /// Failed workflows.
    pub failedworkflows: i64,
    /// Cancelled workflows.
    pub cancelledworkflows: i64,
}
