//! Functions an executor registers, with their run statistics (protocol §5.8).

use super::wire::nullable;
use alloc::{string::String, vec::Vec};
use serde::{Deserialize, Serialize};

/// A function an executor can run, and statistics of its successful runs.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Function {
    /// The function ID.
    pub functionid: String,
    /// The executor offering it.
    pub executorname: String,
    /// That executor's type.
    pub executortype: String,
    /// The colony.
    pub colonyname: String,
    /// The function name specs refer to in `funcname`.
    pub funcname: String,
    /// What it does.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Its arguments.
    #[serde(deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub args: Vec<FunctionArg>,
    /// Successful runs so far.
    pub counter: i64,
    /// Shortest wait before assignment, seconds.
    pub minwaittime: f64,
    /// Longest wait before assignment, seconds.
    pub maxwaittime: f64,
    /// Shortest run, seconds.
    pub minexectime: f64,
    /// Longest run, seconds.
    pub maxexectime: f64,
    /// Running average of waits, seconds.
    pub avgwaittime: f64,
    /// Running average of runs, seconds.
    pub avgexectime: f64,
    /// The executor's location (empty: none).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub locationname: String,
}

/// One argument of a registered function.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct FunctionArg {
    /// Argument name.
    pub name: String,
    /// Argument type, free text.
    #[serde(rename = "type")]
    pub arg_type: String,
    /// What it means.
    pub description: String,
    /// Whether it must be given.
    pub required: bool,
    /// The allowed values (empty: any).
    #[serde(rename = "enum", deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub allowed: Vec<String>,
}
