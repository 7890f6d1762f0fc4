//! Every Colonies message (protocol §4): one type per payloadtype, and the registry.
//!
//! A message struct holds the request fields; its payloadtype, reply type and role come from
//! the [`Message`](crate::message::Message) trait, implemented for every type by the one table
//! behind [`MessageKind`](crate::message::MessageKind). The inner JSON carries `"msgtype"`:
//! [`to_payload_json`](crate::message::to_payload_json) writes it, reading ignores it (the
//! envelope checks `msgtype == payloadtype` before the fields are read).

mod attribute;
mod blueprint;
mod channel;
mod colony;
mod cron;
mod executor;
mod file;
mod function;
mod generator;
mod kind;
mod location;
mod log;
mod process;
mod role;
mod security;
mod server;
mod snapshot;
mod subscription;
mod user;
mod workflow;

pub use attribute::{AddAttributeMsg, GetAttributeMsg};
pub use blueprint::{
    AddBlueprintDefinitionMsg, AddBlueprintMsg, GetBlueprintDefinitionMsg,
    GetBlueprintDefinitionsMsg, GetBlueprintHistoryMsg, GetBlueprintMsg, GetBlueprintsMsg,
    ReconcileBlueprintMsg, RemoveBlueprintDefinitionMsg, RemoveBlueprintMsg, UpdateBlueprintMsg,
    UpdateBlueprintStatusMsg,
};
pub use channel::{ChannelAppendMsg, ChannelReadMsg, SubscribeChannelMsg};
pub use colony::{
    AddColonyMsg, GetColoniesMsg, GetColonyMsg, GetColonyStatisticsMsg, RemoveColonyMsg,
};
pub use cron::{AddCronMsg, GetCronMsg, GetCronsMsg, RemoveCronMsg, RunCronMsg};
pub use executor::{
    AddExecutorMsg, ApproveExecutorMsg, GetExecutorByIdMsg, GetExecutorMsg, GetExecutorsMsg,
    RejectExecutorMsg, RemoveExecutorMsg, ReportAllocationMsg, UpdateExecutorMsg,
};
pub use file::{AddFileMsg, GetFileLabelsMsg, GetFileMsg, GetFilesMsg, RemoveFileMsg};
pub use function::{AddFunctionMsg, GetFunctionsMsg, RemoveFunctionMsg};
pub use generator::{
    AddGeneratorMsg, GetGeneratorMsg, GetGeneratorsMsg, PackGeneratorMsg, RemoveGeneratorMsg,
    ResolveGeneratorMsg,
};
pub use kind::{KindVisitor, MessageKind, PAUSE_STATUS_REPLY_PAYLOAD_TYPE};
pub use location::{AddLocationMsg, GetLocationMsg, GetLocationsMsg, RemoveLocationMsg};
pub use log::{AddExecutorLogMsg, AddLogMsg, GetLogsMsg, SearchLogsMsg};
pub use process::{
    AssignProcessMsg, CancelProcessMsg, CloseFailedMsg, CloseSuccessfulMsg, GetPauseStatusMsg,
    GetProcessHistoryMsg, GetProcessMsg, GetProcessesMsg, PauseAssignmentsMsg,
    RemoveAllProcessesMsg, RemoveProcessMsg, ResumeAssignmentsMsg, SetOutputMsg,
    SubmitFunctionSpecMsg,
};
pub use role::{Role, Transport};
pub use security::{ChangeColonyIdMsg, ChangeExecutorIdMsg, ChangeServerIdMsg, ChangeUserIdMsg};
pub use server::{GetClusterMsg, GetServerInfoMsg, GetStatisticsMsg, VersionMsg};
pub use snapshot::{
    CreateSnapshotMsg, GetSnapshotMsg, GetSnapshotsMsg, RemoveAllSnapshotsMsg, RemoveSnapshotMsg,
};
pub use subscription::{SubscribeProcessMsg, SubscribeProcessesMsg};
pub use user::{AddUserMsg, GetUserByIdMsg, GetUserMsg, GetUsersMsg, RemoveUserMsg};
pub use workflow::{
    AddChildMsg, CancelProcessGraphMsg, GetProcessGraphMsg, GetProcessGraphsMsg,
    RemoveAllProcessGraphsMsg, RemoveProcessGraphMsg, SubmitWorkflowSpecMsg,
};

use alloc::string::String;
use core::fmt::Debug;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

/// With feature `schema`: a type with a JSON Schema (`schemars::JsonSchema`), which every
/// message and reply is. Without it every type qualifies.
#[cfg(feature = "schema")]
pub trait WireSchema: schemars::JsonSchema {}
#[cfg(feature = "schema")]
impl<T: schemars::JsonSchema + ?Sized> WireSchema for T {}

/// With feature `schema`: a type with a JSON Schema (`schemars::JsonSchema`), which every
/// message and reply is. Without it every type qualifies.
#[cfg(not(feature = "schema"))]
pub trait WireSchema {}
#[cfg(not(feature = "schema"))]
impl<T: ?Sized> WireSchema for T {}

/// A request payload of one payloadtype, with everything the protocol says about it.
pub trait Message:
    Serialize + DeserializeOwned + Clone + Debug + PartialEq + Default + WireSchema + 'static
{
    /// The registry entry of this message.
    const KIND: MessageKind;
    /// The payloadtype of the envelope and the `msgtype` of the payload.
    const PAYLOAD_TYPE: &'static str = Self::KIND.payload_type();
    /// The payloadtype of a success reply (`pausestatusreplymsg` for `getpausestatusmsg`).
    const REPLY_PAYLOAD_TYPE: &'static str = Self::KIND.reply_payload_type();
    /// Who may send it.
    const ROLE: Role = Self::KIND.role();
    /// The success reply payload: a model, a list of models, [`Empty`], or the request itself.
    type Reply: Serialize
        + DeserializeOwned
        + Clone
        + Debug
        + PartialEq
        + Default
        + WireSchema
        + 'static;
}

/// The reply of messages that only succeed or fail: written as `{}` (base64 `e30=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Empty {}

/// Adds `"msgtype"` in front of a payload's own fields.
#[derive(Serialize)]
struct Tagged<'a, T: Serialize> {
    msgtype: &'a str,
    #[serde(flatten)]
    fields: &'a T,
}

/// Writes the inner JSON of a request, with `"msgtype": M::PAYLOAD_TYPE`.
pub fn to_payload_json<M: Message>(message: &M) -> String {
    tagged_json(M::PAYLOAD_TYPE, message)
}

/// Writes the JSON of a success reply to `M`, with `"msgtype"` where Go writes one.
pub fn reply_to_json<M: Message>(reply: &M::Reply) -> String {
    if M::KIND.reply_has_msgtype() {
        tagged_json(M::REPLY_PAYLOAD_TYPE, reply)
    } else {
        // Models hold only string-keyed maps, so serialising cannot fail.
        serde_json::to_string(reply).unwrap_or_default()
    }
}

/// Reads the JSON of a success reply to `M`; `null` (Go's empty list) reads as the default.
pub fn parse_reply<M: Message>(json: &[u8]) -> Result<M::Reply, serde_json::Error> {
    Ok(serde_json::from_slice::<Option<M::Reply>>(json)?.unwrap_or_default())
}

/// Reads the inner JSON of a request as `M`, ignoring `msgtype` and unknown fields.
/// `null` reads as the zero value, as Go reads it ([`crate::gojson`]).
pub fn parse_payload<M: Message>(json: &[u8]) -> Result<M, crate::gojson::JsonError> {
    crate::gojson::from_slice(json)
}

fn tagged_json<T: Serialize>(msgtype: &str, fields: &T) -> String {
    // Every payload is a struct with string keys, so serialising cannot fail.
    serde_json::to_string(&Tagged { msgtype, fields }).unwrap_or_default()
}
