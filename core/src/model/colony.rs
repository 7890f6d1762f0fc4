//! Colonies and their users (protocol §5.1, §5.2).

use alloc::string::String;
use serde::{Deserialize, Serialize};

/// A colony: a named group of executors and users, owned by the key whose ID is `colonyid`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Colony {
    /// The owner's key ID (64 hex characters); the colony "ID" is the owner's identity.
    pub colonyid: String,
    /// The colony's unique name, by which every message addresses it.
    pub name: String,
}

/// A person (or service) with a key in a colony; users are members without approval.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct User {
    /// The colony the user belongs to.
    pub colonyname: String,
    /// The user's key ID.
    pub userid: String,
    /// The user's name, unique in the colony.
    pub name: String,
    /// Contact e-mail address.
    pub email: String,
    /// Contact phone number.
    pub phone: String,
}
