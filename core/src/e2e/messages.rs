//! The three payloadtypes that distribute wrapped keys (protocol §16.4): our extension,
//! signed like every RPC, answered by Colonies Edge servers only.

use alloc::{string::String, vec::Vec};
use serde::{Deserialize, Serialize};

/// `getcolonykeysmsg`: the caller's own wrapped keys of a colony (the colony owner or a
/// member). The server also records the public key it recovered from the caller's signature,
/// so the owner's client can wrap keys for the caller.
pub const GET_COLONY_KEYS: &str = "getcolonykeysmsg";

/// `getcolonymemberkeysmsg` (the colony owner): every member with its public key, if known,
/// and the key versions wrapped for it.
pub const GET_COLONY_MEMBER_KEYS: &str = "getcolonymemberkeysmsg";

/// `addcolonykeysmsg` (the colony owner): wrapped keys of the current version (for members
/// that lack it) or of the next version (a rotation).
pub const ADD_COLONY_KEYS: &str = "addcolonykeysmsg";

/// The request of [`GET_COLONY_KEYS`] and [`GET_COLONY_MEMBER_KEYS`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ColonyKeysRequest {
    /// The payloadtype.
    #[serde(default)]
    pub msgtype: String,
    /// The colony.
    pub colonyname: String,
}

/// One wrapped key.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WrappedKey {
    /// The key version.
    pub version: u32,
    /// `cw1:<version>:…`
    pub wrapped: String,
}

/// The reply of [`GET_COLONY_KEYS`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ColonyKeys {
    /// The colony.
    pub colonyname: String,
    /// Whether the colony has any key version: its members seal what they send.
    pub encrypted: bool,
    /// The newest version (0: none).
    pub currentversion: u32,
    /// The caller's wrapped keys, oldest first.
    pub keys: Vec<WrappedKey>,
}

/// One member in the reply of [`GET_COLONY_MEMBER_KEYS`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MemberKeys {
    /// The member's Colonies ID.
    pub memberid: String,
    /// `owner`, `user` or `executor`.
    pub kind: String,
    /// Its name in the colony (empty for the owner).
    pub name: String,
    /// Its public key (130 hex), once it has asked for its keys; empty before.
    pub publickey: String,
    /// The versions wrapped for it.
    pub versions: Vec<u32>,
}

/// The reply of [`GET_COLONY_MEMBER_KEYS`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ColonyMemberKeys {
    /// The colony.
    pub colonyname: String,
    /// The newest version (0: none).
    pub currentversion: u32,
    /// The owner, the users and the approved executors.
    pub members: Vec<MemberKeys>,
}

/// One member's wrapped key in [`AddColonyKeys`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MemberWrappedKey {
    /// The member's Colonies ID.
    pub memberid: String,
    /// `cw1:<version>:…`, wrapped for that member's public key.
    pub wrapped: String,
}

/// The request of [`ADD_COLONY_KEYS`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AddColonyKeys {
    /// The payloadtype.
    #[serde(default)]
    pub msgtype: String,
    /// The colony.
    pub colonyname: String,
    /// The current version, or the next one.
    pub version: u32,
    /// The wrapped keys, one per member.
    pub keys: Vec<MemberWrappedKey>,
}

/// The reply of [`ADD_COLONY_KEYS`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AddedColonyKeys {
    /// The colony.
    pub colonyname: String,
    /// The newest version after the request.
    pub currentversion: u32,
    /// How many wrapped keys were stored (one already stored for a member is replaced).
    pub added: u32,
}
