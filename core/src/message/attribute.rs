//! Attribute messages (protocol §4.7).

use crate::model::{Attribute, wire::nullable};
use alloc::string::String;
use serde::{Deserialize, Serialize};

/// `addattributemsg`: the assigned executor attaches a key/value to its running process.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["attribute"])))]
#[serde(default)]
pub struct AddAttributeMsg {
    /// The attribute; `targetid` is the process.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub attribute: Attribute,
}

/// `getattributemsg`: one attribute.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["attributeid"])))]
#[serde(default)]
pub struct GetAttributeMsg {
    /// The attribute.
    pub attributeid: String,
}
