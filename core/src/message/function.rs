//! Function registration messages (protocol §4.8).

use crate::model::{Function, wire::nullable};
use alloc::string::String;
use serde::{Deserialize, Serialize};

/// `addfunctionmsg`: an executor registers a function it runs.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["fun"])))]
#[serde(default)]
pub struct AddFunctionMsg {
    /// The function; `executorname` must be the caller.
    #[serde(rename = "fun", deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub function: Function,
}

/// `getfunctionsmsg`: the functions of a colony, or of one executor.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname"])))]
#[serde(default)]
pub struct GetFunctionsMsg {
    /// The colony.
    pub colonyname: String,
    /// Only this executor's (empty: all).
    pub executorname: String,
}

/// `removefunctionmsg`: the owning executor removes a function.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["functionid"])))]
#[serde(default)]
pub struct RemoveFunctionMsg {
    /// The function.
    pub functionid: String,
}
