//! Cron messages (protocol §4.10).

use crate::model::{Cron, wire::nullable};
use alloc::string::String;
use serde::{Deserialize, Serialize};

/// `addcronmsg`: add a scheduled workflow.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["cron"])))]
#[serde(default)]
pub struct AddCronMsg {
    /// The cron; `workflowspec` is a JSON string.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub cron: Cron,
}

/// `getcronmsg`: one cron.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["cronid"])))]
#[serde(default)]
pub struct GetCronMsg {
    /// The cron.
    pub cronid: String,
}

/// `getcronsmsg`: the crons of a colony.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname"])))]
#[serde(default)]
pub struct GetCronsMsg {
    /// The colony.
    pub colonyname: String,
    /// At most this many.
    pub count: i64,
}

/// `runcronmsg`: start a cron's workflow now.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["cronid"])))]
#[serde(default)]
pub struct RunCronMsg {
    /// The cron.
    pub cronid: String,
}

/// `removecronmsg`: delete a cron.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["cronid"])))]
#[serde(default)]
pub struct RemoveCronMsg {
    /// The cron.
    pub cronid: String,
    /// Ignored by the server.
    pub all: bool,
}
