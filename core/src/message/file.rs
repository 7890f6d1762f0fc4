//! ColonyFS file messages (protocol §4.12).

use crate::model::{File, wire::nullable};
use alloc::string::String;
use serde::{Deserialize, Serialize};

/// `addfilemsg`: record a file revision.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["file"])))]
#[serde(default)]
pub struct AddFileMsg {
    /// The file.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub file: File,
}

/// `getfilemsg`: a file by ID, or the revisions of `label` + `name`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname"])))]
#[serde(default)]
pub struct GetFileMsg {
    /// The colony.
    pub colonyname: String,
    /// The file ID (takes precedence).
    pub fileid: String,
    /// The label.
    pub label: String,
    /// The file name.
    pub name: String,
    /// Only the newest revision.
    pub latest: bool,
}

/// `getfilesmsg`: the files under a label.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "label"])))]
#[serde(default)]
pub struct GetFilesMsg {
    /// The colony.
    pub colonyname: String,
    /// The label.
    pub label: String,
}

/// `getfilelabelsmsg`: the labels of a colony.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname"])))]
#[serde(default)]
pub struct GetFileLabelsMsg {
    /// The colony.
    pub colonyname: String,
    /// Only this label and its sub-labels (empty: all).
    pub name: String,
    /// Only exactly this label.
    pub exact: bool,
}

/// `removefilemsg`: delete a file by ID, or by `label` + `name`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname"])))]
#[serde(default)]
pub struct RemoveFileMsg {
    /// The colony.
    pub colonyname: String,
    /// The file ID (takes precedence).
    pub fileid: String,
    /// The label.
    pub label: String,
    /// The file name.
    pub name: String,
}
