//! What a server says about itself: build, backends, cluster (protocol §4.1, §5.17).

use super::wire::{is_false, nullable};
use alloc::{string::String, vec::Vec};
use serde::{Deserialize, Serialize};

/// The reply of the unsigned `getserverinfomsg`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct ServerInfo {
    /// The server's version.
    pub buildversion: String,
    /// When it was built.
    pub buildtime: String,
    /// The server's ID: the `audience` of bound requests (not sent by Go servers).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub serverid: String,
    /// Where it listens.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub backends: Vec<Backend>,
}

/// One listener of a server.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Backend {
    /// The backend kind, `http`.
    #[serde(rename = "type")]
    pub backend_type: String,
    /// The port.
    pub port: i64,
    /// The host it binds.
    pub host: String,
    /// Whether it serves TLS.
    #[serde(skip_serializing_if = "is_false")]
    pub tls: bool,
    /// Whether clients may skip certificate checks.
    #[serde(skip_serializing_if = "is_false")]
    pub insecure: bool,
}

/// The reply of `getclustermsg`: the servers sharing the database, and the leader.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct ClusterConfig {
    /// Every server.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub nodes: Vec<ClusterNode>,
    /// The server doing leader-only work.
    #[serde(deserialize_with = "nullable")]
    #[cfg_attr(feature = "schema", schemars(transform = crate::model::wire::or_null))]
    pub leader: ClusterNode,
}

/// One server of a cluster.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct ClusterNode {
    /// Its name.
    pub name: String,
    /// Its host.
    pub host: String,
    /// Coordination client port (etcd's in Go).
    pub port: i64,
    /// Coordination peer port.
    pub peerport: i64,
    /// Event relay port.
    pub relayport: i64,
    /// The `/api` port.
    pub apiport: i64,
}

/// The reply of `getpausestatusmsg` (payloadtype `pausestatusreplymsg`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct PauseStatus {
    /// The colony asked about.
    pub colonyname: String,
    /// Whether assignments are paused.
    pub ispaused: bool,
}
