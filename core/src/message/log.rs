//! Log messages (protocol §4.9).

use alloc::string::String;
use serde::{Deserialize, Serialize};

/// `addlogmsg`: the assigned executor logs a line for its running process.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["processid", "message"])))]
#[serde(default)]
pub struct AddLogMsg {
    /// The process.
    pub processid: String,
    /// The text.
    pub message: String,
}

/// `addexecutorlogmsg`: an executor logs a line of its own.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "executorname", "message"])))]
#[serde(default)]
pub struct AddExecutorLogMsg {
    /// The colony.
    pub colonyname: String,
    /// The executor (must be the caller).
    pub executorname: String,
    /// The text.
    pub message: String,
}

/// `getlogsmsg`: the logs of a process or of an executor.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "count"])))]
#[serde(default)]
pub struct GetLogsMsg {
    /// The colony.
    pub colonyname: String,
    /// The process (used when `executorname` is empty).
    pub processid: String,
    /// The executor (takes precedence).
    pub executorname: String,
    /// At most this many (> 500 is refused with 403).
    pub count: i64,
    /// Only lines after this Unix-ns time.
    pub since: i64,
    /// The newest `count` lines instead of the oldest.
    pub latest: bool,
}

/// `searchlogsmsg`: log lines containing a text.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "text", "days", "count"])))]
#[serde(default)]
pub struct SearchLogsMsg {
    /// The colony.
    pub colonyname: String,
    /// The text to find.
    pub text: String,
    /// How many days back (≤ 30).
    pub days: i64,
    /// At most this many (≤ 100).
    pub count: i64,
}
