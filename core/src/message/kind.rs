//! The registry: every payloadtype, its message type, reply, role and transport, in one table.
//!
//! A server dispatches with one `match` on [`MessageKind`] (or generically with
//! [`MessageKind::visit`]); a client names a message by its type and never spells a payloadtype.
//!
//! Count (protocol §4.18): the `/api` tables of §4.1–§4.17 name 96 payloadtypes; two of them,
//! `versionmsg` and `getserverinfomsg`, are answered before the handler registry, so Go's
//! registry holds 94. Add the three WebSocket-only ones (`subscribeprocessesmsg`,
//! `subscribeprocessmsg`, `subscribechannelmsg`) and the table has 99 rows.
//! `getnodesmsg`, `getnodemsg` and `getnodesbylocationmsg` are defined in Go but not served, and
//! `pausestatusreplymsg` is only a reply payloadtype; none of them is here.

use super::{
    Empty, Message,
    attribute::*,
    blueprint::*,
    channel::*,
    colony::*,
    cron::*,
    executor::*,
    file::*,
    function::*,
    generator::*,
    location::*,
    log::*,
    process::*,
    role::{Role, Transport},
    security::*,
    server::*,
    snapshot::*,
    subscription::*,
    user::*,
    workflow::*,
};
use crate::model::{
    Attribute, Blueprint, BlueprintDefinition, BlueprintHistory, ClusterConfig, Colony, Cron,
    Executor, File, FileData, Function, Generator, Label, Location, Log, MsgEntry, PauseStatus,
    Process, ProcessGraph, ServerInfo, Snapshot, Statistics, User,
};
use alloc::vec::Vec;

/// The reply payloadtype of `getpausestatusmsg`.
pub const PAUSE_STATUS_REPLY_PAYLOAD_TYPE: &str = "pausestatusreplymsg";

/// Calls [`KindVisitor::visit`] with the message type of a [`MessageKind`].
pub trait KindVisitor {
    /// What the visit returns.
    type Output;
    /// Called with `M` = the message type of the visited kind.
    fn visit<M: Message>(self) -> Self::Output;
}

macro_rules! registry {
    ( $( $variant:ident($message:ty) -> $reply:ty, $payload_type:literal, $role:ident, $transport:ident; )+ ) => {
        /// Every payloadtype Colonies v1.9.12 serves, one variant each.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum MessageKind {
            $(
                #[doc = concat!("`", $payload_type, "`")]
                $variant,
            )+
        }

        impl MessageKind {
            /// Every kind, in table order.
            pub const ALL: &'static [MessageKind] = &[$(Self::$variant),+];

            /// The kind with this payloadtype, if Colonies serves one.
            pub fn from_payload_type(payload_type: &str) -> Option<Self> {
                match payload_type {
                    $( $payload_type => Some(Self::$variant), )+
                    _ => None,
                }
            }

            /// The payloadtype (and `msgtype`) of requests of this kind.
            pub const fn payload_type(self) -> &'static str {
                match self {
                    $( Self::$variant => $payload_type, )+
                }
            }

            /// Who may send it.
            pub const fn role(self) -> Role {
                match self {
                    $( Self::$variant => Role::$role, )+
                }
            }

            /// How it reaches the server.
            pub const fn transport(self) -> Transport {
                match self {
                    $( Self::$variant => Transport::$transport, )+
                }
            }

            /// Calls `visitor` with this kind's message type.
            pub fn visit<V: KindVisitor>(self, visitor: V) -> V::Output {
                match self {
                    $( Self::$variant => visitor.visit::<$message>(), )+
                }
            }
        }

        $(
            impl Message for $message {
                const KIND: MessageKind = MessageKind::$variant;
                type Reply = $reply;
            }
        )+
    };
}

registry! {
    // §4.1 server / meta
    Version(VersionMsg) -> VersionMsg, "versionmsg", Anyone, Unsigned;
    GetServerInfo(GetServerInfoMsg) -> ServerInfo, "getserverinfomsg", Anyone, Unsigned;
    GetStatistics(GetStatisticsMsg) -> Statistics, "getstatisticsmsg", ServerOwner, Api;
    GetCluster(GetClusterMsg) -> ClusterConfig, "getclustermsg", ServerOwner, Api;
    // §4.2 colonies
    AddColony(AddColonyMsg) -> Colony, "addcolonymsg", ServerOwner, Api;
    RemoveColony(RemoveColonyMsg) -> Empty, "removecolonymsg", ServerOwner, Api;
    GetColonies(GetColoniesMsg) -> Vec<Colony>, "getcoloniesmsg", ServerOwner, Api;
    GetColony(GetColonyMsg) -> Colony, "getcolonymsg", ApprovedMember, Api;
    GetColonyStatistics(GetColonyStatisticsMsg) -> Statistics, "getcolonystatsmsg", ApprovedMember, Api;
    // §4.3 executors
    AddExecutor(AddExecutorMsg) -> Executor, "addexecutormsg", ColonyOwner, Api;
    GetExecutors(GetExecutorsMsg) -> Vec<Executor>, "getexecutorsmsg", Member, Api;
    GetExecutor(GetExecutorMsg) -> Executor, "getexecutormsg", ApprovedMember, Api;
    GetExecutorById(GetExecutorByIdMsg) -> Executor, "getexecutorbyidmsg", ApprovedMember, Api;
    ApproveExecutor(ApproveExecutorMsg) -> Empty, "approveexecutormsg", ColonyOwner, Api;
    RejectExecutor(RejectExecutorMsg) -> Empty, "rejectexecutormsg", ColonyOwner, Api;
    RemoveExecutor(RemoveExecutorMsg) -> Empty, "removeexecutormsg", ColonyOwner, Api;
    ReportAllocation(ReportAllocationMsg) -> Empty, "reportallocationmsg", SelfExecutor, Api;
    UpdateExecutor(UpdateExecutorMsg) -> Empty, "updateexecutormsg", SelfExecutor, Api;
    // §4.4 users
    AddUser(AddUserMsg) -> User, "addusermsg", ColonyOwner, Api;
    GetUsers(GetUsersMsg) -> Vec<User>, "getusersmsg", Member, Api;
    GetUser(GetUserMsg) -> User, "getusermsg", Member, Api;
    GetUserById(GetUserByIdMsg) -> User, "getuserbyidmsg", Member, Api;
    RemoveUser(RemoveUserMsg) -> Empty, "removeusermsg", ColonyOwner, Api;
    // §4.5 processes
    SubmitFunctionSpec(SubmitFunctionSpecMsg) -> Process, "submitfuncspecmsg", ApprovedMember, Api;
    AssignProcess(AssignProcessMsg) -> Process, "assignprocessmsg", ApprovedExecutor, Api;
    GetProcess(GetProcessMsg) -> Process, "getprocessmsg", ApprovedMember, Api;
    GetProcesses(GetProcessesMsg) -> Vec<Process>, "getprocessesmsg", ApprovedMember, Api;
    GetProcessHistory(GetProcessHistoryMsg) -> Vec<Process>, "getprocesshistmsg", ApprovedMember, Api;
    RemoveProcess(RemoveProcessMsg) -> Empty, "removeprocessmsg", ApprovedMember, Api;
    RemoveAllProcesses(RemoveAllProcessesMsg) -> Empty, "removeallprocessesmsg", ColonyOwner, Api;
    CloseSuccessful(CloseSuccessfulMsg) -> Empty, "closesuccessfulmsg", AssignedExecutor, Api;
    CloseFailed(CloseFailedMsg) -> Empty, "closefailedmsg", AssignedExecutor, Api;
    SetOutput(SetOutputMsg) -> Empty, "setoutputmsg", AssignedExecutor, Api;
    CancelProcess(CancelProcessMsg) -> Empty, "cancelprocessmsg", ApprovedMember, Api;
    PauseAssignments(PauseAssignmentsMsg) -> Empty, "pauseassignmentsmsg", ColonyOwner, Api;
    ResumeAssignments(ResumeAssignmentsMsg) -> Empty, "resumeassignmentsmsg", ColonyOwner, Api;
    GetPauseStatus(GetPauseStatusMsg) -> PauseStatus, "getpausestatusmsg", Member, Api;
    // §4.6 process graphs
    SubmitWorkflowSpec(SubmitWorkflowSpecMsg) -> ProcessGraph, "submitworkflowspecmsg", ApprovedMember, Api;
    GetProcessGraph(GetProcessGraphMsg) -> ProcessGraph, "getprocessgraphmsg", ApprovedMember, Api;
    GetProcessGraphs(GetProcessGraphsMsg) -> Vec<ProcessGraph>, "getprocessgraphsmsg", ApprovedMember, Api;
    RemoveProcessGraph(RemoveProcessGraphMsg) -> Empty, "removeprocessgraphmsg", ApprovedMember, Api;
    RemoveAllProcessGraphs(RemoveAllProcessGraphsMsg) -> Empty, "removeallprocessgraphsmsg", ColonyOwner, Api;
    CancelProcessGraph(CancelProcessGraphMsg) -> Empty, "cancelprocessgraphmsg", ApprovedMember, Api;
    AddChild(AddChildMsg) -> Process, "addchildmsg", AssignedExecutor, Api;
    // §4.7 attributes
    AddAttribute(AddAttributeMsg) -> Attribute, "addattributemsg", AssignedExecutor, Api;
    GetAttribute(GetAttributeMsg) -> Attribute, "getattributemsg", ApprovedMember, Api;
    // §4.8 functions
    AddFunction(AddFunctionMsg) -> Function, "addfunctionmsg", ApprovedSelfExecutor, Api;
    GetFunctions(GetFunctionsMsg) -> Vec<Function>, "getfunctionsmsg", ApprovedMember, Api;
    RemoveFunction(RemoveFunctionMsg) -> Empty, "removefunctionmsg", ApprovedSelfExecutor, Api;
    // §4.9 logs
    AddLog(AddLogMsg) -> Empty, "addlogmsg", AssignedExecutor, Api;
    AddExecutorLog(AddExecutorLogMsg) -> Empty, "addexecutorlogmsg", ApprovedSelfExecutor, Api;
    GetLogs(GetLogsMsg) -> Vec<Log>, "getlogsmsg", ApprovedMember, Api;
    SearchLogs(SearchLogsMsg) -> Vec<Log>, "searchlogsmsg", ApprovedMember, Api;
    // §4.10 crons
    AddCron(AddCronMsg) -> Cron, "addcronmsg", ApprovedMember, Api;
    GetCron(GetCronMsg) -> Cron, "getcronmsg", ApprovedMember, Api;
    GetCrons(GetCronsMsg) -> Vec<Cron>, "getcronsmsg", ApprovedMember, Api;
    RunCron(RunCronMsg) -> Cron, "runcronmsg", ApprovedMember, Api;
    RemoveCron(RemoveCronMsg) -> Empty, "removecronmsg", ApprovedMember, Api;
    // §4.11 generators
    AddGenerator(AddGeneratorMsg) -> Generator, "addgeneratormsg", ApprovedMember, Api;
    GetGenerator(GetGeneratorMsg) -> Generator, "getgeneratormsg", ApprovedMember, Api;
    ResolveGenerator(ResolveGeneratorMsg) -> Generator, "resolvegeneratormsg", ApprovedMember, Api;
    GetGenerators(GetGeneratorsMsg) -> Vec<Generator>, "getgeneratorsmsg", ApprovedMember, Api;
    PackGenerator(PackGeneratorMsg) -> Empty, "packgeneratormsg", ApprovedMember, Api;
    RemoveGenerator(RemoveGeneratorMsg) -> Empty, "removegeneratormsg", ApprovedMember, Api;
    // §4.12 files
    AddFile(AddFileMsg) -> File, "addfilemsg", ApprovedMember, Api;
    GetFile(GetFileMsg) -> Vec<File>, "getfilemsg", ApprovedMember, Api;
    GetFiles(GetFilesMsg) -> Vec<FileData>, "getfilesmsg", ApprovedMember, Api;
    GetFileLabels(GetFileLabelsMsg) -> Vec<Label>, "getfilelabelsmsg", ApprovedMember, Api;
    RemoveFile(RemoveFileMsg) -> Empty, "removefilemsg", ApprovedMember, Api;
    // §4.13 snapshots
    CreateSnapshot(CreateSnapshotMsg) -> Snapshot, "createsnapshotmsg", ApprovedMember, Api;
    GetSnapshot(GetSnapshotMsg) -> Snapshot, "getsnapshotmsg", ApprovedMember, Api;
    GetSnapshots(GetSnapshotsMsg) -> Vec<Snapshot>, "getsnapshotsmsg", ApprovedMember, Api;
    RemoveSnapshot(RemoveSnapshotMsg) -> Empty, "removesnapshotmsg", ApprovedMember, Api;
    RemoveAllSnapshots(RemoveAllSnapshotsMsg) -> Empty, "removeallsnapshotmsg", ApprovedMember, Api;
    // §4.14 key rotation (replies echo the request)
    ChangeUserId(ChangeUserIdMsg) -> ChangeUserIdMsg, "changeuseridmsg", MemberUser, Api;
    ChangeExecutorId(ChangeExecutorIdMsg) -> ChangeExecutorIdMsg, "changeexecutoridmsg", MemberExecutor, Api;
    ChangeColonyId(ChangeColonyIdMsg) -> ChangeColonyIdMsg, "changecolonyidmsg", ColonyOwner, Api;
    ChangeServerId(ChangeServerIdMsg) -> ChangeServerIdMsg, "changeserveridmsg", ServerOwner, Api;
    // §4.15 locations
    AddLocation(AddLocationMsg) -> Location, "addlocationmsg", ColonyOwner, Api;
    GetLocations(GetLocationsMsg) -> Vec<Location>, "getlocationsmsg", Member, Api;
    GetLocation(GetLocationMsg) -> Location, "getlocationmsg", Member, Api;
    RemoveLocation(RemoveLocationMsg) -> Empty, "removelocationmsg", ColonyOwner, Api;
    // §4.16 channels
    ChannelAppend(ChannelAppendMsg) -> Empty, "channelappendmsg", ProcessParticipant, Api;
    ChannelRead(ChannelReadMsg) -> Vec<MsgEntry>, "channelreadmsg", ProcessParticipant, Api;
    // §4.17 blueprints
    AddBlueprintDefinition(AddBlueprintDefinitionMsg) -> BlueprintDefinition, "addblueprintdefinitionmsg", ColonyOwner, Api;
    GetBlueprintDefinition(GetBlueprintDefinitionMsg) -> BlueprintDefinition, "getblueprintdefinitionmsg", ApprovedMemberOrOwner, Api;
    GetBlueprintDefinitions(GetBlueprintDefinitionsMsg) -> Vec<BlueprintDefinition>, "getblueprintdefinitionsmsg", ApprovedMemberOrOwner, Api;
    RemoveBlueprintDefinition(RemoveBlueprintDefinitionMsg) -> Empty, "removeblueprintdefinitionmsg", ColonyOwner, Api;
    AddBlueprint(AddBlueprintMsg) -> Blueprint, "addblueprintmsg", ApprovedMemberOrOwner, Api;
    GetBlueprint(GetBlueprintMsg) -> Blueprint, "getblueprintmsg", ApprovedMemberOrOwner, Api;
    GetBlueprints(GetBlueprintsMsg) -> Vec<Blueprint>, "getblueprintsmsg", ApprovedMemberOrOwner, Api;
    UpdateBlueprint(UpdateBlueprintMsg) -> Blueprint, "updateblueprintmsg", ApprovedMemberOrOwner, Api;
    RemoveBlueprint(RemoveBlueprintMsg) -> Empty, "removeblueprintmsg", ApprovedMemberOrOwner, Api;
    GetBlueprintHistory(GetBlueprintHistoryMsg) -> Vec<BlueprintHistory>, "getblueprinthistorymsg", ApprovedMemberOrOwner, Api;
    UpdateBlueprintStatus(UpdateBlueprintStatusMsg) -> Empty, "updateblueprintstatusmsg", ApprovedMember, Api;
    ReconcileBlueprint(ReconcileBlueprintMsg) -> Process, "reconcileblueprintmsg", ApprovedMember, Api;
    // §7 WebSocket subscriptions (GET /pubsub)
    SubscribeProcesses(SubscribeProcessesMsg) -> Process, "subscribeprocessesmsg", ApprovedMember, WebSocket;
    SubscribeProcess(SubscribeProcessMsg) -> Process, "subscribeprocessmsg", ApprovedMember, WebSocket;
    SubscribeChannel(SubscribeChannelMsg) -> Vec<MsgEntry>, "subscribechannelmsg", ProcessParticipant, WebSocket;
}

impl MessageKind {
    /// The payloadtype of a success reply: the request's, except `getpausestatusmsg`
    /// (`pausestatusreplymsg`) and `subscribeprocessesmsg` frames (`subscribeprocessmsg`).
    pub const fn reply_payload_type(self) -> &'static str {
        match self {
            Self::GetPauseStatus => PAUSE_STATUS_REPLY_PAYLOAD_TYPE,
            Self::SubscribeProcesses => Self::SubscribeProcess.payload_type(),
            _ => self.payload_type(),
        }
    }

    /// Whether the reply JSON carries `"msgtype"` (version, pause status, and the echoed
    /// change-ID requests).
    pub const fn reply_has_msgtype(self) -> bool {
        matches!(
            self,
            Self::Version
                | Self::GetPauseStatus
                | Self::ChangeUserId
                | Self::ChangeExecutorId
                | Self::ChangeColonyId
                | Self::ChangeServerId
        )
    }
}
