//! Log lines written by executors (protocol §5.9).

use alloc::string::String;
use serde::{Deserialize, Serialize};

/// One log line of a process or an executor.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Log {
    /// The process it belongs to (empty: an executor log).
    pub processid: String,
    /// The colony.
    pub colonyname: String,
    /// The executor that wrote it.
    pub executorname: String,
    /// The text.
    pub message: String,
    /// When it was written, Unix nanoseconds.
    pub timestamp: i64,
}
