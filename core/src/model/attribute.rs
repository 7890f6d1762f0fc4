//! Attributes: key/value pairs attached to a process (protocol §5.7).

use super::{process::ProcessState, wire::integer_enum};
use alloc::string::String;
use serde::{Deserialize, Serialize};

integer_enum! {
    /// What an attribute says about its process.
    pub enum AttributeType {
        /// An input (0).
        #[default]
        In = 0,
        /// An output (1).
        Out = 1,
        /// An error (2).
        Err = 2,
        /// An environment variable from the spec's `env` (3).
        Env = 3,
    }
}

/// A key/value pair attached to a process.
///
/// Its ID is deterministic: SHA3-256 of `targetid + key + attributetype` (protocol §1.2).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Attribute {
    /// The attribute ID.
    pub attributeid: String,
    /// The process it belongs to.
    pub targetid: String,
    /// The colony of that process.
    pub targetcolonyname: String,
    /// The workflow of that process (empty: none).
    pub targetprocessgraphid: String,
    /// Mirrors the process state.
    pub state: ProcessState,
    /// In, out, err or env.
    pub attributetype: AttributeType,
    /// The key.
    pub key: String,
    /// The value.
    pub value: String,
}
