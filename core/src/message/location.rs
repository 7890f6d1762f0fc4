//! Location messages (protocol §4.15).

use crate::model::{Location, wire::nullable};
use alloc::string::String;
use serde::{Deserialize, Serialize};

/// `addlocationmsg`: add a location to a colony.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["location"])))]
#[serde(default)]
pub struct AddLocationMsg {
    /// The location.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub location: Location,
}

/// `getlocationsmsg`: the locations of a colony.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname"])))]
#[serde(default)]
pub struct GetLocationsMsg {
    /// The colony.
    pub colonyname: String,
}

/// `getlocationmsg`: one location by name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "name"])))]
#[serde(default)]
pub struct GetLocationMsg {
    /// The colony.
    pub colonyname: String,
    /// The location's name.
    pub name: String,
}

/// `removelocationmsg`: delete a location.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "name"])))]
#[serde(default)]
pub struct RemoveLocationMsg {
    /// The colony.
    pub colonyname: String,
    /// The location's name.
    pub name: String,
}
