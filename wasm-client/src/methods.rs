//! One method per RPC of protocol §4, generated from one table (docs as `#[doc = "…"]`:
//! wasm-bindgen 0.2.130 copies a forwarded `///` into the .d.ts with its raw-string `r"`): JavaScript name, Rust name,
//! the core message type (which carries the payloadtype and reply type), and the TypeScript
//! return type. Inputs are typed as the message's TypeScript interface of the same name.

use crate::client::{Call, Client};
use colonies_core::message::*;
use js_sys::Promise;
use wasm_bindgen::prelude::*;

macro_rules! rpc_methods {
    ( $( $(#[doc = $doc:literal])* $js:ident => $rust:ident($msg:ident: $input:tt) -> $ret:tt; )+ ) => {
        /// The registry rows of the methods with a request argument (checked by the tests below).
        #[cfg(all(test, not(target_arch = "wasm32")))]
        pub(crate) const KINDS_WITH_FIELDS: &[MessageKind] = &[$(<$msg as Message>::KIND),+];

        #[wasm_bindgen]
        impl Client {
            $(
                $(#[doc = $doc])*
                #[wasm_bindgen(js_name = $js, unchecked_return_type = $ret)]
                pub fn $rust(
                    &self,
                    #[wasm_bindgen(unchecked_param_type = $input)] request: JsValue,
                    #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
                ) -> Promise {
                    self.call(Call::of::<$msg>($ret), request, options)
                }
            )+
        }
    };
}

rpc_methods! {
#[doc = " `addcolonymsg`: create a colony owned by `colony.colonyid`."]
addColony => add_colony(AddColonyMsg: "AddColonyMsg") -> "Promise<Colony>";
#[doc = " `removecolonymsg`: delete a colony and everything in it."]
removeColony => remove_colony(RemoveColonyMsg: "RemoveColonyMsg") -> "Promise<void>";
#[doc = " `getcolonymsg`: one colony."]
getColony => get_colony(GetColonyMsg: "GetColonyMsg") -> "Promise<Colony>";
#[doc = " `getcolonystatsmsg`: counts for one colony."]
getColonyStatistics => get_colony_statistics(GetColonyStatisticsMsg: "GetColonyStatisticsMsg") -> "Promise<Statistics>";
#[doc = " `addexecutormsg`: register an executor (it starts pending)."]
addExecutor => add_executor(AddExecutorMsg: "AddExecutorMsg") -> "Promise<Executor>";
#[doc = " `getexecutorsmsg`: every executor of a colony, in every state."]
getExecutors => get_executors(GetExecutorsMsg: "GetExecutorsMsg") -> "Promise<Executor[]>";
#[doc = " `getexecutormsg`: one executor by name."]
getExecutor => get_executor(GetExecutorMsg: "GetExecutorMsg") -> "Promise<Executor>";
#[doc = " `getexecutorbyidmsg`: one executor by key ID."]
getExecutorById => get_executor_by_id(GetExecutorByIdMsg: "GetExecutorByIdMsg") -> "Promise<Executor>";
#[doc = " `approveexecutormsg`: let a pending executor work."]
approveExecutor => approve_executor(ApproveExecutorMsg: "ApproveExecutorMsg") -> "Promise<void>";
#[doc = " `rejectexecutormsg`: refuse an executor."]
rejectExecutor => reject_executor(RejectExecutorMsg: "RejectExecutorMsg") -> "Promise<void>";
#[doc = " `removeexecutormsg`: unregister an executor; its running processes go back to waiting."]
removeExecutor => remove_executor(RemoveExecutorMsg: "RemoveExecutorMsg") -> "Promise<void>";
#[doc = " `reportallocationmsg`: an executor reports its project allocations."]
reportAllocation => report_allocation(ReportAllocationMsg: "ReportAllocationMsg") -> "Promise<void>";
#[doc = " `updateexecutormsg`: an executor replaces its capabilities."]
updateExecutor => update_executor(UpdateExecutorMsg: "UpdateExecutorMsg") -> "Promise<void>";
#[doc = " `addusermsg`: add a user to a colony."]
addUser => add_user(AddUserMsg: "AddUserMsg") -> "Promise<User>";
#[doc = " `getusersmsg`: every user of a colony."]
getUsers => get_users(GetUsersMsg: "GetUsersMsg") -> "Promise<User[]>";
#[doc = " `getusermsg`: one user by name."]
getUser => get_user(GetUserMsg: "GetUserMsg") -> "Promise<User>";
#[doc = " `getuserbyidmsg`: one user by key ID."]
getUserById => get_user_by_id(GetUserByIdMsg: "GetUserByIdMsg") -> "Promise<User>";
#[doc = " `removeusermsg`: remove a user."]
removeUser => remove_user(RemoveUserMsg: "RemoveUserMsg") -> "Promise<void>";
#[doc = " `submitfuncspecmsg`: submit one function spec; the reply is the waiting process."]
submitFunctionSpec => submit_function_spec(SubmitFunctionSpecMsg: "SubmitFunctionSpecMsg") -> "Promise<Process>";
#[doc = " `assignprocessmsg`: an executor asks for work, long-polling up to `timeout` seconds."]
assign => assign(AssignProcessMsg: "AssignProcessMsg") -> "Promise<Process>";
#[doc = " `getprocessmsg`: one process."]
getProcess => get_process(GetProcessMsg: "GetProcessMsg") -> "Promise<Process>";
#[doc = " `getprocessesmsg`: processes of a colony in one state, filtered by type, initiator or label."]
getProcesses => get_processes(GetProcessesMsg: "GetProcessesMsg") -> "Promise<Process[]>";
#[doc = " `getprocesshistmsg`: processes submitted in the last `seconds`."]
getProcessHistory => get_process_history(GetProcessHistoryMsg: "GetProcessHistoryMsg") -> "Promise<Process[]>";
#[doc = " `removeprocessmsg`: delete a finished or waiting process that is not in a workflow."]
removeProcess => remove_process(RemoveProcessMsg: "RemoveProcessMsg") -> "Promise<void>";
#[doc = " `removeallprocessesmsg`: delete every process of a colony in a state (`-1`: any but running)."]
removeAllProcesses => remove_all_processes(RemoveAllProcessesMsg: "RemoveAllProcessesMsg") -> "Promise<void>";
#[doc = " `closesuccessfulmsg`: the assigned executor reports success."]
closeSuccessful => close_successful(CloseSuccessfulMsg: "CloseSuccessfulMsg") -> "Promise<void>";
#[doc = " `closefailedmsg`: the assigned executor reports failure."]
closeFailed => close_failed(CloseFailedMsg: "CloseFailedMsg") -> "Promise<void>";
#[doc = " `setoutputmsg`: the assigned executor sets the output of a running process."]
setOutput => set_output(SetOutputMsg: "SetOutputMsg") -> "Promise<void>";
#[doc = " `cancelprocessmsg`: cancel a waiting or running process that is not in a workflow."]
cancelProcess => cancel_process(CancelProcessMsg: "CancelProcessMsg") -> "Promise<void>";
#[doc = " `pauseassignmentsmsg`: stop handing out processes of a colony."]
pauseAssignments => pause_assignments(PauseAssignmentsMsg: "PauseAssignmentsMsg") -> "Promise<void>";
#[doc = " `resumeassignmentsmsg`: hand out processes again."]
resumeAssignments => resume_assignments(ResumeAssignmentsMsg: "ResumeAssignmentsMsg") -> "Promise<void>";
#[doc = " `getpausestatusmsg`: whether assignments are paused (reply payloadtype `pausestatusreplymsg`)."]
getPauseStatus => get_pause_status(GetPauseStatusMsg: "GetPauseStatusMsg") -> "Promise<PauseStatus>";
#[doc = " `submitworkflowspecmsg`: submit a workflow; the reply is its process graph."]
submitWorkflowSpec => submit_workflow_spec(SubmitWorkflowSpecMsg: "SubmitWorkflowSpecMsg") -> "Promise<ProcessGraph>";
#[doc = " `getprocessgraphmsg`: one process graph, with nodes and edges for drawing."]
getProcessGraph => get_process_graph(GetProcessGraphMsg: "GetProcessGraphMsg") -> "Promise<ProcessGraph>";
#[doc = " `getprocessgraphsmsg`: process graphs of a colony in one state, newest first."]
getProcessGraphs => get_process_graphs(GetProcessGraphsMsg: "GetProcessGraphsMsg") -> "Promise<ProcessGraph[]>";
#[doc = " `removeprocessgraphmsg`: delete a graph that is not running, and its processes."]
removeProcessGraph => remove_process_graph(RemoveProcessGraphMsg: "RemoveProcessGraphMsg") -> "Promise<void>";
#[doc = " `removeallprocessgraphsmsg`: delete every graph of a colony in a state."]
removeAllProcessGraphs => remove_all_process_graphs(RemoveAllProcessGraphsMsg: "RemoveAllProcessGraphsMsg") -> "Promise<void>";
#[doc = " `cancelprocessgraphmsg`: cancel a graph and its waiting and running processes."]
cancelProcessGraph => cancel_process_graph(CancelProcessGraphMsg: "CancelProcessGraphMsg") -> "Promise<void>";
#[doc = " `addchildmsg`: the executor running a graph process adds a child to it."]
addChild => add_child(AddChildMsg: "AddChildMsg") -> "Promise<Process>";
#[doc = " `addattributemsg`: the assigned executor attaches a key/value to its running process."]
addAttribute => add_attribute(AddAttributeMsg: "AddAttributeMsg") -> "Promise<Attribute>";
#[doc = " `getattributemsg`: one attribute."]
getAttribute => get_attribute(GetAttributeMsg: "GetAttributeMsg") -> "Promise<Attribute>";
#[doc = " `addfunctionmsg`: an executor registers a function it runs."]
addFunction => add_function(AddFunctionMsg: "AddFunctionMsg") -> "Promise<ColoniesFunction>";
#[doc = " `getfunctionsmsg`: the functions of a colony, or of one executor."]
getFunctions => get_functions(GetFunctionsMsg: "GetFunctionsMsg") -> "Promise<ColoniesFunction[]>";
#[doc = " `removefunctionmsg`: the owning executor removes a function."]
removeFunction => remove_function(RemoveFunctionMsg: "RemoveFunctionMsg") -> "Promise<void>";
#[doc = " `addlogmsg`: the assigned executor logs a line for its running process."]
addLog => add_log(AddLogMsg: "AddLogMsg") -> "Promise<void>";
#[doc = " `addexecutorlogmsg`: an executor logs a line of its own."]
addExecutorLog => add_executor_log(AddExecutorLogMsg: "AddExecutorLogMsg") -> "Promise<void>";
#[doc = " `getlogsmsg`: the logs of a process or of an executor."]
getLogs => get_logs(GetLogsMsg: "GetLogsMsg") -> "Promise<Log[]>";
#[doc = " `searchlogsmsg`: log lines containing a text."]
searchLogs => search_logs(SearchLogsMsg: "SearchLogsMsg") -> "Promise<Log[]>";
#[doc = " `addcronmsg`: add a scheduled workflow."]
addCron => add_cron(AddCronMsg: "AddCronMsg") -> "Promise<Cron>";
#[doc = " `getcronmsg`: one cron."]
getCron => get_cron(GetCronMsg: "GetCronMsg") -> "Promise<Cron>";
#[doc = " `getcronsmsg`: the crons of a colony."]
getCrons => get_crons(GetCronsMsg: "GetCronsMsg") -> "Promise<Cron[]>";
#[doc = " `runcronmsg`: start a cron's workflow now."]
runCron => run_cron(RunCronMsg: "RunCronMsg") -> "Promise<Cron>";
#[doc = " `removecronmsg`: delete a cron."]
removeCron => remove_cron(RemoveCronMsg: "RemoveCronMsg") -> "Promise<void>";
#[doc = " `addgeneratormsg`: add a generator."]
addGenerator => add_generator(AddGeneratorMsg: "AddGeneratorMsg") -> "Promise<Generator>";
#[doc = " `getgeneratormsg`: one generator, with its queue size."]
getGenerator => get_generator(GetGeneratorMsg: "GetGeneratorMsg") -> "Promise<Generator>";
#[doc = " `resolvegeneratormsg`: a generator by name."]
resolveGenerator => resolve_generator(ResolveGeneratorMsg: "ResolveGeneratorMsg") -> "Promise<Generator>";
#[doc = " `getgeneratorsmsg`: the generators of a colony."]
getGenerators => get_generators(GetGeneratorsMsg: "GetGeneratorsMsg") -> "Promise<Generator[]>";
#[doc = " `packgeneratormsg`: queue one argument for a generator's next workflow."]
packGenerator => pack_generator(PackGeneratorMsg: "PackGeneratorMsg") -> "Promise<void>";
#[doc = " `removegeneratormsg`: delete a generator."]
removeGenerator => remove_generator(RemoveGeneratorMsg: "RemoveGeneratorMsg") -> "Promise<void>";
#[doc = " `addfilemsg`: record a file revision."]
addFile => add_file(AddFileMsg: "AddFileMsg") -> "Promise<File>";
#[doc = " `getfilemsg`: a file by ID, or the revisions of `label` + `name`."]
getFile => get_file(GetFileMsg: "GetFileMsg") -> "Promise<File[]>";
#[doc = " `getfilesmsg`: the files under a label."]
getFiles => get_files(GetFilesMsg: "GetFilesMsg") -> "Promise<FileData[]>";
#[doc = " `getfilelabelsmsg`: the labels of a colony."]
getFileLabels => get_file_labels(GetFileLabelsMsg: "GetFileLabelsMsg") -> "Promise<Label[]>";
#[doc = " `removefilemsg`: delete a file by ID, or by `label` + `name`."]
removeFile => remove_file(RemoveFileMsg: "RemoveFileMsg") -> "Promise<void>";
#[doc = " `createsnapshotmsg`: freeze the latest files of a label."]
createSnapshot => create_snapshot(CreateSnapshotMsg: "CreateSnapshotMsg") -> "Promise<Snapshot>";
#[doc = " `getsnapshotmsg`: a snapshot by ID or name."]
getSnapshot => get_snapshot(GetSnapshotMsg: "GetSnapshotMsg") -> "Promise<Snapshot>";
#[doc = " `getsnapshotsmsg`: the snapshots of a colony."]
getSnapshots => get_snapshots(GetSnapshotsMsg: "GetSnapshotsMsg") -> "Promise<Snapshot[]>";
#[doc = " `removesnapshotmsg`: delete a snapshot by ID or name."]
removeSnapshot => remove_snapshot(RemoveSnapshotMsg: "RemoveSnapshotMsg") -> "Promise<void>";
#[doc = " `removeallsnapshotmsg` (sic, singular): delete every snapshot of a colony."]
removeAllSnapshots => remove_all_snapshots(RemoveAllSnapshotsMsg: "RemoveAllSnapshotsMsg") -> "Promise<void>";
#[doc = " `changeuseridmsg`: a user moves to a new key."]
changeUserId => change_user_id(ChangeUserIdMsg: "ChangeUserIdMsg") -> "Promise<ChangeUserIdMsg>";
#[doc = " `changeexecutoridmsg`: an executor moves to a new key."]
changeExecutorId => change_executor_id(ChangeExecutorIdMsg: "ChangeExecutorIdMsg") -> "Promise<ChangeExecutorIdMsg>";
#[doc = " `changecolonyidmsg`: a colony moves to a new owner key."]
changeColonyId => change_colony_id(ChangeColonyIdMsg: "ChangeColonyIdMsg") -> "Promise<ChangeColonyIdMsg>";
#[doc = " `changeserveridmsg`: the server moves to a new owner key."]
changeServerId => change_server_id(ChangeServerIdMsg: "ChangeServerIdMsg") -> "Promise<ChangeServerIdMsg>";
#[doc = " `addlocationmsg`: add a location to a colony."]
addLocation => add_location(AddLocationMsg: "AddLocationMsg") -> "Promise<Location>";
#[doc = " `getlocationsmsg`: the locations of a colony."]
getLocations => get_locations(GetLocationsMsg: "GetLocationsMsg") -> "Promise<Location[]>";
#[doc = " `getlocationmsg`: one location by name."]
getLocation => get_location(GetLocationMsg: "GetLocationMsg") -> "Promise<Location>";
#[doc = " `removelocationmsg`: delete a location."]
removeLocation => remove_location(RemoveLocationMsg: "RemoveLocationMsg") -> "Promise<void>";
#[doc = " `channelappendmsg`: the initiator or the assigned executor appends to a channel."]
channelAppend => channel_append(ChannelAppendMsg: "ChannelAppendMsg") -> "Promise<void>";
#[doc = " `channelreadmsg`: read a channel from an index."]
channelRead => channel_read(ChannelReadMsg: "ChannelReadMsg") -> "Promise<MsgEntry[]>";
#[doc = " `addblueprintdefinitionmsg`: define a blueprint kind."]
addBlueprintDefinition => add_blueprint_definition(AddBlueprintDefinitionMsg: "AddBlueprintDefinitionMsg") -> "Promise<BlueprintDefinition>";
#[doc = " `getblueprintdefinitionmsg`: one definition by name."]
getBlueprintDefinition => get_blueprint_definition(GetBlueprintDefinitionMsg: "GetBlueprintDefinitionMsg") -> "Promise<BlueprintDefinition>";
#[doc = " `getblueprintdefinitionsmsg`: every definition of a colony."]
getBlueprintDefinitions => get_blueprint_definitions(GetBlueprintDefinitionsMsg: "GetBlueprintDefinitionsMsg") -> "Promise<BlueprintDefinition[]>";
#[doc = " `removeblueprintdefinitionmsg`: delete a definition no blueprint uses."]
removeBlueprintDefinition => remove_blueprint_definition(RemoveBlueprintDefinitionMsg: "RemoveBlueprintDefinitionMsg") -> "Promise<void>";
#[doc = " `addblueprintmsg`: add a blueprint and reconcile it."]
addBlueprint => add_blueprint(AddBlueprintMsg: "AddBlueprintMsg") -> "Promise<Blueprint>";
#[doc = " `getblueprintmsg`: one blueprint by name."]
getBlueprint => get_blueprint(GetBlueprintMsg: "GetBlueprintMsg") -> "Promise<Blueprint>";
#[doc = " `getblueprintsmsg`: the blueprints of a colony, optionally of one kind or location."]
getBlueprints => get_blueprints(GetBlueprintsMsg: "GetBlueprintsMsg") -> "Promise<Blueprint[]>";
#[doc = " `updateblueprintmsg`: replace a blueprint's spec."]
updateBlueprint => update_blueprint(UpdateBlueprintMsg: "UpdateBlueprintMsg") -> "Promise<Blueprint>";
#[doc = " `removeblueprintmsg`: delete a blueprint."]
removeBlueprint => remove_blueprint(RemoveBlueprintMsg: "RemoveBlueprintMsg") -> "Promise<void>";
#[doc = " `getblueprinthistorymsg`: the recorded changes of a blueprint."]
getBlueprintHistory => get_blueprint_history(GetBlueprintHistoryMsg: "GetBlueprintHistoryMsg") -> "Promise<BlueprintHistory[]>";
#[doc = " `updateblueprintstatusmsg`: the reconciler reports a blueprint's observed state."]
updateBlueprintStatus => update_blueprint_status(UpdateBlueprintStatusMsg: "UpdateBlueprintStatusMsg") -> "Promise<void>";
#[doc = " `reconcileblueprintmsg`: start a reconciliation now; the reply is its process."]
reconcileBlueprint => reconcile_blueprint(ReconcileBlueprintMsg: "ReconcileBlueprintMsg") -> "Promise<Process>";
}

#[doc = " Methods whose request has no fields take only the call options."]
macro_rules! rpc_methods_without_fields {
    ( $( $(#[doc = $doc:literal])* $js:ident => $rust:ident($msg:ident) -> $ret:tt; )+ ) => {
        /// The registry rows of the methods without a request argument.
        #[cfg(all(test, not(target_arch = "wasm32")))]
        pub(crate) const KINDS_WITHOUT_FIELDS: &[MessageKind] = &[$(<$msg as Message>::KIND),+];

        #[wasm_bindgen]
        impl Client {
            $(
                $(#[doc = $doc])*
                #[wasm_bindgen(js_name = $js, unchecked_return_type = $ret)]
                pub fn $rust(
                    &self,
                    #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
                ) -> Promise {
                    self.call(Call::of::<$msg>($ret), JsValue::UNDEFINED, options)
                }
            )+
        }
    };
}

rpc_methods_without_fields! {
    #[doc = " `versionmsg` (unsigned): the server's build version and time."]
    version => version(VersionMsg) -> "Promise<VersionMsg>";
    #[doc = " `getserverinfomsg` (unsigned): the server's build, listening backends and ID (`serverid`)."]
    getServerInfo => get_server_info(GetServerInfoMsg) -> "Promise<ServerInfo>";
    #[doc = " `getstatisticsmsg` (server owner): counts for the whole server."]
    getStatistics => get_statistics(GetStatisticsMsg) -> "Promise<Statistics>";
    #[doc = " `getclustermsg` (server owner): the servers sharing the database."]
    getCluster => get_cluster(GetClusterMsg) -> "Promise<ClusterConfig>";
    #[doc = " `getcoloniesmsg` (server owner): every colony."]
    getColonies => get_colonies(GetColoniesMsg) -> "Promise<Colony[]>";
}

/// The registry rows the subscription methods of [`Client`] open (`subscribeProcesses`,
/// `subscribeProcess`, `subscribeChannel` in client.rs): the WebSocket transport.
#[cfg(all(test, not(target_arch = "wasm32")))]
pub(crate) const SUBSCRIPTION_KINDS: &[MessageKind] =
    &[SubscribeProcessesMsg::KIND, SubscribeProcessMsg::KIND, SubscribeChannelMsg::KIND];

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    /// Every row of the registry that travels as a POST (`Api`, `Unsigned`) has exactly one
    /// method; WebSocket rows have none here, each is one subscription method instead.
    #[test]
    fn one_method_per_registry_row() {
        let methods: Vec<MessageKind> =
            KINDS_WITH_FIELDS.iter().chain(KINDS_WITHOUT_FIELDS).copied().collect();
        for kind in MessageKind::ALL {
            let count = methods.iter().filter(|covered| *covered == kind).count();
            let subscriptions =
                SUBSCRIPTION_KINDS.iter().filter(|covered| *covered == kind).count();
            match kind.transport() {
                Transport::Api | Transport::Unsigned => {
                    assert_eq!((count, subscriptions), (1, 0), "{}: methods", kind.payload_type());
                }
                Transport::WebSocket => {
                    assert_eq!((count, subscriptions), (0, 1), "{}: methods", kind.payload_type());
                }
            }
        }
        assert_eq!(methods.len() + SUBSCRIPTION_KINDS.len(), MessageKind::ALL.len());
    }
}
