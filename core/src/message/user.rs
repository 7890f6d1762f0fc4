//! User messages (protocol §4.4).

use crate::model::{User, wire::nullable};
use alloc::string::String;
use serde::{Deserialize, Serialize};

/// `addusermsg`: add a user to a colony.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["user"])))]
#[serde(default)]
pub struct AddUserMsg {
    /// The user; `userid` is its key ID.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub user: User,
}

/// `getusersmsg`: every user of a colony.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname"])))]
#[serde(default)]
pub struct GetUsersMsg {
    /// The colony.
    pub colonyname: String,
}

/// `getusermsg`: one user by name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "name"])))]
#[serde(default)]
pub struct GetUserMsg {
    /// The colony.
    pub colonyname: String,
    /// The user's name.
    pub name: String,
}

/// `getuserbyidmsg`: one user by key ID.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "userid"])))]
#[serde(default)]
pub struct GetUserByIdMsg {
    /// The colony.
    pub colonyname: String,
    /// The user's key ID.
    pub userid: String,
}

/// `removeusermsg`: remove a user.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["colonyname", "name"])))]
#[serde(default)]
pub struct RemoveUserMsg {
    /// The colony.
    pub colonyname: String,
    /// The user's name.
    pub name: String,
}
