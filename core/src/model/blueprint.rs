//! Blueprints: declarative resources reconciled by executors (protocol §5.19).
//!
//! A blueprint's `spec` and `status` are free JSON objects validated against its definition's
//! schema by the server; they are kept as [`JsonObject`]s here.

use super::wire::{JsonObject, is_zero, nullable};
use crate::time::Timestamp;
use alloc::{collections::BTreeMap, string::String, vec::Vec};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An instance of a blueprint kind: desired `spec`, observed `status`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Blueprint {
    /// The blueprint ID.
    pub blueprintid: String,
    /// Its kind; a definition with `spec.names.kind` equal to it must exist.
    pub kind: String,
    /// Name, colony and bookkeeping.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub metadata: BlueprintMetadata,
    /// The desired state.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub spec: JsonObject,
    /// The observed state, reported by the reconciler.
    #[serde(deserialize_with = "nullable", skip_serializing_if = "JsonObject::is_empty")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub status: JsonObject,
}

/// Name, colony and bookkeeping of a blueprint or a definition.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct BlueprintMetadata {
    /// Its name, unique in the colony.
    pub name: String,
    /// The colony (older servers call it `namespace`).
    #[serde(alias = "namespace")]
    pub colonyname: String,
    /// The location it targets.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub locationname: String,
    /// Labels.
    #[serde(deserialize_with = "nullable", skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub labels: BTreeMap<String, String>,
    /// Annotations.
    #[serde(deserialize_with = "nullable", skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub annotations: BTreeMap<String, String>,
    /// Increases with every spec change.
    #[serde(skip_serializing_if = "is_zero")]
    pub generation: i64,
    /// When it was created.
    #[serde(rename = "createdAt", skip_serializing_if = "Timestamp::is_unset")]
    pub created_at: Timestamp,
    /// When it was last changed.
    #[serde(rename = "updatedAt", skip_serializing_if = "Timestamp::is_unset")]
    pub updated_at: Timestamp,
    /// The process of the last reconciliation.
    #[serde(rename = "lastReconciliationProcess", skip_serializing_if = "String::is_empty")]
    pub last_reconciliation_process: String,
    /// When it was last reconciled.
    #[serde(rename = "lastReconciliationTime", skip_serializing_if = "Timestamp::is_unset")]
    pub last_reconciliation_time: Timestamp,
}

/// A blueprint kind: its names, schema and the function that reconciles it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct BlueprintDefinition {
    /// The definition ID.
    pub blueprintdefinitionid: String,
    /// Always `BlueprintDefinition`.
    pub kind: String,
    /// Name, colony and bookkeeping.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub metadata: BlueprintMetadata,
    /// What it defines.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub spec: BlueprintDefinitionSpec,
}

/// What a blueprint definition defines.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct BlueprintDefinitionSpec {
    /// API group.
    pub group: String,
    /// API version.
    pub version: String,
    /// The names of the kind.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub names: BlueprintNames,
    /// `Namespaced` or `Cluster`.
    pub scope: String,
    /// A JSON-schema subset the blueprint's `spec` must satisfy (absent: anything).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<Value>,
    /// Who reconciles blueprints of this kind.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub handler: BlueprintHandler,
}

/// The names of a blueprint kind.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct BlueprintNames {
    /// The kind, e.g. `ExecutorDeployment`.
    pub kind: String,
    /// The list kind.
    #[serde(rename = "listKind")]
    pub list_kind: String,
    /// Singular name.
    pub singular: String,
    /// Plural name.
    pub plural: String,
    /// Short names.
    #[serde(
        rename = "shortNames",
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub short_names: Vec<String>,
}

/// The executor function that reconciles a blueprint kind.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct BlueprintHandler {
    /// The executor type to run on.
    #[serde(rename = "executorType")]
    pub executor_type: String,
    /// The function to call.
    #[serde(rename = "functionName")]
    pub function_name: String,
    /// Seconds between periodic reconciliations (0: none).
    #[serde(rename = "reconcileInterval", skip_serializing_if = "is_zero")]
    pub reconcile_interval: i64,
}

/// One recorded change of a blueprint.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct BlueprintHistory {
    /// The history entry ID.
    pub historyid: String,
    /// The blueprint.
    pub blueprintid: String,
    /// Its kind.
    pub kind: String,
    /// Its colony.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Its generation after the change.
    pub generation: i64,
    /// Its spec after the change.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub spec: JsonObject,
    /// Its status after the change.
    #[serde(deserialize_with = "nullable", skip_serializing_if = "JsonObject::is_empty")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub status: JsonObject,
    /// When it changed.
    pub timestamp: Timestamp,
    /// The key ID that changed it.
    pub changedby: String,
    /// `create`, `update` or `delete`.
    pub changetype: String,
}
