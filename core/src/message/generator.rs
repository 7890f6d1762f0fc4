//! Generator messages (protocol §4.11).

use crate::model::{Generator, wire::nullable};
use alloc::string::String;
use serde::{Deserialize, Serialize};

/// `addgeneratormsg`: add a generator.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["generator"])))]
#[serde(default)]
pub struct AddGeneratorMsg {
    /// The generator; `workflowspec` is a JSON string.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub generator: Generator,
}

/// `getgeneratormsg`: one generator, with its queue size.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["generatorid"])))]
#[serde(default)]
pub struct GetGeneratorMsg {
    /// The generator.
    pub generatorid: String,
}

/// `resolvegeneratormsg`: a generator by name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "generatorname"])))]
#[serde(default)]
pub struct ResolveGeneratorMsg {
    /// The colony.
    pub colonyname: String,
    /// The generator's name.
    pub generatorname: String,
}

/// `getgeneratorsmsg`: the generators of a colony.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname"])))]
#[serde(default)]
pub struct GetGeneratorsMsg {
    /// The colony.
    pub colonyname: String,
    /// At most this many.
    pub count: i64,
}

/// `packgeneratormsg`: queue one argument for a generator's next workflow.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["generatorid", "arg"])))]
#[serde(default)]
pub struct PackGeneratorMsg {
    /// The generator.
    pub generatorid: String,
    /// The argument.
    pub arg: String,
}

/// `removegeneratormsg`: delete a generator.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["generatorid"])))]
#[serde(default)]
pub struct RemoveGeneratorMsg {
    /// The generator.
    pub generatorid: String,
    /// Ignored by the server.
    pub all: bool,
}
