//! Colony messages (protocol §4.2).

use crate::model::{Colony, wire::nullable};
use alloc::string::String;
use serde::{Deserialize, Serialize};

/// `addcolonymsg`: create a colony owned by `colony.colonyid`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colony"])))]
#[serde(default)]
pub struct AddColonyMsg {
    /// The colony to create.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub colony: Colony,
}

/// `removecolonymsg`: delete a colony and everything in it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname"])))]
#[serde(default)]
pub struct RemoveColonyMsg {
    /// The colony.
    pub colonyname: String,
}

/// `getcoloniesmsg`: every colony.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GetColoniesMsg {}

/// `getcolonymsg`: one colony.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname"])))]
#[serde(default)]
pub struct GetColonyMsg {
    /// The colony.
    pub colonyname: String,
}

/// `getcolonystatsmsg`: counts for one colony.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname"])))]
#[serde(default)]
pub struct GetColonyStatisticsMsg {
    /// The colony.
    pub colonyname: String,
}
