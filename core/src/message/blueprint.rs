//! Blueprint messages (protocol §4.17). "namespace" is the colony name.

use crate::model::{Blueprint, BlueprintDefinition, JsonObject, wire::nullable};
use alloc::string::String;
use serde::{Deserialize, Serialize};

/// `addblueprintdefinitionmsg`: define a blueprint kind.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["blueprintdefinition"])))]
#[serde(default)]
pub struct AddBlueprintDefinitionMsg {
    /// The definition; `metadata.colonyname` names the colony.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub blueprintdefinition: BlueprintDefinition,
}

/// `getblueprintdefinitionmsg`: one definition by name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "name"])))]
#[serde(default)]
pub struct GetBlueprintDefinitionMsg {
    /// The colony.
    pub colonyname: String,
    /// The definition's name.
    pub name: String,
}

/// `getblueprintdefinitionsmsg`: every definition of a colony.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname"])))]
#[serde(default)]
pub struct GetBlueprintDefinitionsMsg {
    /// The colony.
    pub colonyname: String,
}

/// `removeblueprintdefinitionmsg`: delete a definition no blueprint uses.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["namespace", "name"])))]
#[serde(default)]
pub struct RemoveBlueprintDefinitionMsg {
    /// The colony.
    pub namespace: String,
    /// The definition's name.
    pub name: String,
}

/// `addblueprintmsg`: add a blueprint and reconcile it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["blueprint"])))]
#[serde(default)]
pub struct AddBlueprintMsg {
    /// The blueprint.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub blueprint: Blueprint,
}

/// `getblueprintmsg`: one blueprint by name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["namespace", "name"])))]
#[serde(default)]
pub struct GetBlueprintMsg {
    /// The colony.
    pub namespace: String,
    /// The blueprint's name.
    pub name: String,
}

/// `getblueprintsmsg`: the blueprints of a colony, optionally of one kind or location.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["namespace"])))]
#[serde(default)]
pub struct GetBlueprintsMsg {
    /// The colony.
    pub namespace: String,
    /// Only this kind (empty: all).
    pub kind: String,
    /// Only this location (empty: all).
    pub locationname: String,
}

/// `updateblueprintmsg`: replace a blueprint's spec.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["blueprint"])))]
#[serde(default)]
pub struct UpdateBlueprintMsg {
    /// The new blueprint.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub blueprint: Blueprint,
    /// Bump the generation even if the spec did not change.
    pub forcegeneration: bool,
}

/// `removeblueprintmsg`: delete a blueprint.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["namespace", "name"])))]
#[serde(default)]
pub struct RemoveBlueprintMsg {
    /// The colony.
    pub namespace: String,
    /// The blueprint's name.
    pub name: String,
}

/// `getblueprinthistorymsg`: the recorded changes of a blueprint.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["blueprintid"])))]
#[serde(default)]
pub struct GetBlueprintHistoryMsg {
    /// The blueprint.
    pub blueprintid: String,
    /// At most this many (0: all).
    pub limit: i64,
}

/// `updateblueprintstatusmsg`: the reconciler reports a blueprint's observed state.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "blueprintname", "status"])))]
#[serde(default)]
pub struct UpdateBlueprintStatusMsg {
    /// The colony.
    pub colonyname: String,
    /// The blueprint's name.
    pub blueprintname: String,
    /// The observed state.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub status: JsonObject,
}

/// `reconcileblueprintmsg`: start a reconciliation now; the reply is its process.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["namespace", "name"])))]
#[serde(default)]
pub struct ReconcileBlueprintMsg {
    /// The colony.
    pub namespace: String,
    /// The blueprint's name.
    pub name: String,
    /// Reconcile even if nothing changed.
    pub force: bool,
}
