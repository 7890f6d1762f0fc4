//! Server and meta messages (protocol §4.1).

use alloc::string::String;
use serde::{Deserialize, Serialize};

/// `versionmsg` (unsigned): the client's build; the reply is the server's, same shape.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["buildversion", "buildtime"])))]
#[serde(default)]
pub struct VersionMsg {
    /// Build version (clients send `""`).
    pub buildversion: String,
    /// Build time (clients send `""`).
    pub buildtime: String,
}

/// `getserverinfomsg` (unsigned; the server does not even read the payload).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GetServerInfoMsg {}

/// `getstatisticsmsg`: counts for the whole server.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GetStatisticsMsg {}

/// `getclustermsg`: the servers sharing the database.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GetClusterMsg {}
