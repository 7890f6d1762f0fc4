//! One method per RPC of protocol §4, generated from one table: the method name (the
//! protocol's name in snake_case, as in the npm package), its arguments (fields of the
//! message, same names; any other field keeps its default) and the core message type, which
//! carries the payloadtype and the reply type. For a field not offered here, build the
//! message and call [`Client::send`].

use super::{Client, ClientError};
use colonies_core::{
    message::*,
    model::{
        Allocations, Attribute, Blueprint, BlueprintDefinition, Capabilities, Colony, Cron,
        Executor, File, Function, FunctionSpec, Generator, JsonObject, Location, ProcessState,
        StateFilter, User, WorkflowSpec,
    },
};
use serde_json::Value;

macro_rules! rpc_methods {
    ( $( $(#[$meta:meta])* $name:ident($($field:ident: $ty:ty),*) -> $msg:ident; )+ ) => {
        impl Client {
            $(
                $(#[$meta])*
                // Rows that set every field make `..Default::default()` redundant; one
                // template for all rows is simpler than two.
                #[allow(clippy::needless_update)]
                pub async fn $name(
                    &self,
                    $($field: impl Into<$ty>),*
                ) -> Result<<$msg as Message>::Reply, ClientError> {
                    self.send(&$msg { $($field: $field.into(),)* ..Default::default() }).await
                }
            )+
        }

        /// The payloadtypes the table above has a method for, in its order.
        #[cfg(test)]
        const TABLE_KINDS: &[MessageKind] = &[$(<$msg as Message>::KIND),+];
    };
}

rpc_methods! {
    // §4.1 server
    /// `versionmsg` (unsigned): the server's build version and time.
    version() -> VersionMsg;
    /// `getserverinfomsg` (unsigned): the server's build and listening backends.
    get_server_info() -> GetServerInfoMsg;
    /// `getstatisticsmsg` (server owner): counts for the whole server.
    get_statistics() -> GetStatisticsMsg;
    /// `getclustermsg` (server owner): the servers sharing the database.
    get_cluster() -> GetClusterMsg;
    // §4.2 colonies
    /// `addcolonymsg` (server owner): create a colony owned by `colony.colonyid`.
    add_colony(colony: Colony) -> AddColonyMsg;
    /// `removecolonymsg` (server owner): delete a colony and everything in it.
    remove_colony(colonyname: String) -> RemoveColonyMsg;
    /// `getcoloniesmsg` (server owner): every colony.
    get_colonies() -> GetColoniesMsg;
    /// `getcolonymsg`: one colony.
    get_colony(colonyname: String) -> GetColonyMsg;
    /// `getcolonystatsmsg`: counts for one colony.
    get_colony_statistics(colonyname: String) -> GetColonyStatisticsMsg;
    // §4.3 executors
    /// `addexecutormsg` (colony owner): register an executor; it starts pending.
    add_executor(executor: Executor) -> AddExecutorMsg;
    /// `getexecutorsmsg`: every executor of a colony, in every state.
    get_executors(colonyname: String) -> GetExecutorsMsg;
    /// `getexecutormsg`: one executor by name.
    get_executor(colonyname: String, executorname: String) -> GetExecutorMsg;
    /// `getexecutorbyidmsg`: one executor by key ID.
    get_executor_by_id(colonyname: String, executorid: String) -> GetExecutorByIdMsg;
    /// `approveexecutormsg` (colony owner): let a pending executor work.
    approve_executor(colonyname: String, executorname: String) -> ApproveExecutorMsg;
    /// `rejectexecutormsg` (colony owner): refuse an executor.
    reject_executor(colonyname: String, executorname: String) -> RejectExecutorMsg;
    /// `removeexecutormsg` (colony owner): unregister an executor; its running processes wait again.
    remove_executor(colonyname: String, executorname: String) -> RemoveExecutorMsg;
    /// `reportallocationmsg`: an executor reports its project allocations.
    report_allocation(colonyname: String, executorname: String, allocations: Allocations) -> ReportAllocationMsg;
    /// `updateexecutormsg`: an executor replaces its capabilities.
    update_executor(colonyname: String, executorname: String, capabilities: Capabilities) -> UpdateExecutorMsg;
    // §4.4 users
    /// `addusermsg` (colony owner): add a user to a colony.
    add_user(user: User) -> AddUserMsg;
    /// `getusersmsg`: every user of a colony.
    get_users(colonyname: String) -> GetUsersMsg;
    /// `getusermsg`: one user by name.
    get_user(colonyname: String, name: String) -> GetUserMsg;
    /// `getuserbyidmsg`: one user by key ID.
    get_user_by_id(colonyname: String, userid: String) -> GetUserByIdMsg;
    /// `removeusermsg` (colony owner): remove a user.
    remove_user(colonyname: String, name: String) -> RemoveUserMsg;
    // §4.5 processes (`assign` is written out below: it long-polls)
    /// `submitfuncspecmsg`: submit one function spec; the reply is the waiting process.
    submit_function_spec(spec: FunctionSpec) -> SubmitFunctionSpecMsg;
    /// `getprocessmsg`: one process.
    get_process(processid: String) -> GetProcessMsg;
    /// `getprocessesmsg`: up to `count` (≤ 100) processes of a colony in one state.
    get_processes(colonyname: String, count: i64, state: StateFilter) -> GetProcessesMsg;
    /// `getprocesshistmsg`: processes submitted in the last `seconds` (`executorid` empty: all).
    get_process_history(colonyname: String, executorid: String, seconds: i64, state: ProcessState) -> GetProcessHistoryMsg;
    /// `removeprocessmsg`: delete a process that is not running and not in a workflow.
    remove_process(processid: String) -> RemoveProcessMsg;
    /// `removeallprocessesmsg` (colony owner): delete every process of a colony in a state.
    remove_all_processes(colonyname: String, state: StateFilter) -> RemoveAllProcessesMsg;
    /// `closesuccessfulmsg`: the assigned executor reports success, with the output.
    close_successful(processid: String, output: Vec<Value>) -> CloseSuccessfulMsg;
    /// `closefailedmsg`: the assigned executor reports failure, with the errors.
    close_failed(processid: String, errors: Vec<String>) -> CloseFailedMsg;
    /// `setoutputmsg`: the assigned executor sets the output of its running process.
    set_output(processid: String, output: Vec<Value>) -> SetOutputMsg;
    /// `cancelprocessmsg`: cancel a waiting or running process that is not in a workflow.
    cancel_process(processid: String) -> CancelProcessMsg;
    /// `pauseassignmentsmsg` (colony owner): stop handing out processes of a colony.
    pause_assignments(colonyname: String) -> PauseAssignmentsMsg;
    /// `resumeassignmentsmsg` (colony owner): hand out processes again.
    resume_assignments(colonyname: String) -> ResumeAssignmentsMsg;
    /// `getpausestatusmsg`: whether assignments are paused.
    get_pause_status(colonyname: String) -> GetPauseStatusMsg;
    // §4.6 workflows
    /// `submitworkflowspecmsg`: submit a workflow; the reply is its process graph.
    submit_workflow_spec(spec: WorkflowSpec) -> SubmitWorkflowSpecMsg;
    /// `getprocessgraphmsg`: one process graph, with nodes and edges for drawing.
    get_process_graph(processgraphid: String) -> GetProcessGraphMsg;
    /// `getprocessgraphsmsg`: up to `count` process graphs of a colony in one state.
    get_process_graphs(colonyname: String, count: i64, state: ProcessState) -> GetProcessGraphsMsg;
    /// `removeprocessgraphmsg`: delete a graph that is not running, and its processes.
    remove_process_graph(processgraphid: String) -> RemoveProcessGraphMsg;
    /// `removeallprocessgraphsmsg` (colony owner): delete every graph of a colony in a state.
    remove_all_process_graphs(colonyname: String, state: StateFilter) -> RemoveAllProcessGraphsMsg;
    /// `cancelprocessgraphmsg`: cancel a graph and its waiting and running processes.
    cancel_process_graph(processgraphid: String) -> CancelProcessGraphMsg;
    /// `addchildmsg`: the executor running a graph process adds a child to it.
    add_child(processgraphid: String, parentprocessid: String, childprocessid: String, spec: FunctionSpec, insert: bool) -> AddChildMsg;
    // §4.7 attributes
    /// `addattributemsg`: the assigned executor attaches a key/value to its running process.
    add_attribute(attribute: Attribute) -> AddAttributeMsg;
    /// `getattributemsg`: one attribute.
    get_attribute(attributeid: String) -> GetAttributeMsg;
    // §4.8 functions
    /// `addfunctionmsg`: an executor registers a function it runs.
    add_function(function: Function) -> AddFunctionMsg;
    /// `getfunctionsmsg`: the functions of a colony (`executorname` empty) or of one executor.
    get_functions(colonyname: String, executorname: String) -> GetFunctionsMsg;
    /// `removefunctionmsg`: the owning executor removes a function.
    remove_function(functionid: String) -> RemoveFunctionMsg;
    // §4.9 logs
    /// `addlogmsg`: the assigned executor logs a line for its running process.
    add_log(processid: String, message: String) -> AddLogMsg;
    /// `addexecutorlogmsg`: an executor logs a line of its own.
    add_executor_log(colonyname: String, executorname: String, message: String) -> AddExecutorLogMsg;
    /// `getlogsmsg`: up to `count` (≤ 500) log lines of a process, or of an executor when
    /// `executorname` is set, after `since` (Unix ns; 0: from the start).
    get_logs(colonyname: String, processid: String, executorname: String, count: i64, since: i64) -> GetLogsMsg;
    /// `searchlogsmsg`: up to `count` log lines of the last `days` containing `text`.
    search_logs(colonyname: String, text: String, days: i64, count: i64) -> SearchLogsMsg;
    // §4.10 crons
    /// `addcronmsg`: add a scheduled workflow (`cron.workflowspec` is a JSON string).
    add_cron(cron: Cron) -> AddCronMsg;
    /// `getcronmsg`: one cron.
    get_cron(cronid: String) -> GetCronMsg;
    /// `getcronsmsg`: up to `count` crons of a colony.
    get_crons(colonyname: String, count: i64) -> GetCronsMsg;
    /// `runcronmsg`: start a cron's workflow now.
    run_cron(cronid: String) -> RunCronMsg;
    /// `removecronmsg`: delete a cron.
    remove_cron(cronid: String) -> RemoveCronMsg;
    // §4.11 generators
    /// `addgeneratormsg`: add a generator (`generator.workflowspec` is a JSON string).
    add_generator(generator: Generator) -> AddGeneratorMsg;
    /// `getgeneratormsg`: one generator, with its queue size.
    get_generator(generatorid: String) -> GetGeneratorMsg;
    /// `resolvegeneratormsg`: a generator by name.
    resolve_generator(colonyname: String, generatorname: String) -> ResolveGeneratorMsg;
    /// `getgeneratorsmsg`: up to `count` generators of a colony.
    get_generators(colonyname: String, count: i64) -> GetGeneratorsMsg;
    /// `packgeneratormsg`: queue one argument for a generator's next workflow.
    pack_generator(generatorid: String, arg: String) -> PackGeneratorMsg;
    /// `removegeneratormsg`: delete a generator.
    remove_generator(generatorid: String) -> RemoveGeneratorMsg;
    // §4.12 files
    /// `addfilemsg`: record a file revision.
    add_file(file: File) -> AddFileMsg;
    /// `getfilemsg`: a file by ID, or the revisions of `label` + `name` (only the latest if `latest`).
    get_file(colonyname: String, fileid: String, label: String, name: String, latest: bool) -> GetFileMsg;
    /// `getfilesmsg`: the files under a label.
    get_files(colonyname: String, label: String) -> GetFilesMsg;
    /// `getfilelabelsmsg`: the labels of a colony (under `name`, or exactly `name`).
    get_file_labels(colonyname: String, name: String, exact: bool) -> GetFileLabelsMsg;
    /// `removefilemsg`: delete a file by ID, or by `label` + `name`.
    remove_file(colonyname: String, fileid: String, label: String, name: String) -> RemoveFileMsg;
    // §4.13 snapshots
    /// `createsnapshotmsg`: freeze the latest files of a label.
    create_snapshot(colonyname: String, label: String, name: String) -> CreateSnapshotMsg;
    /// `getsnapshotmsg`: a snapshot by ID or by name.
    get_snapshot(colonyname: String, snapshotid: String, name: String) -> GetSnapshotMsg;
    /// `getsnapshotsmsg`: the snapshots of a colony.
    get_snapshots(colonyname: String) -> GetSnapshotsMsg;
    /// `removesnapshotmsg`: delete a snapshot by ID or by name.
    remove_snapshot(colonyname: String, snapshotid: String, name: String) -> RemoveSnapshotMsg;
    /// `removeallsnapshotmsg`: delete every snapshot of a colony.
    remove_all_snapshots(colonyname: String) -> RemoveAllSnapshotsMsg;
    // §4.14 key rotation
    /// `changeuseridmsg`: a user moves to the key with ID `userid`.
    change_user_id(colonyname: String, userid: String) -> ChangeUserIdMsg;
    /// `changeexecutoridmsg`: an executor moves to the key with ID `executorid`.
    change_executor_id(colonyname: String, executorid: String) -> ChangeExecutorIdMsg;
    /// `changecolonyidmsg` (colony owner): the colony moves to the owner key with ID `colonyid`.
    change_colony_id(colonyname: String, colonyid: String) -> ChangeColonyIdMsg;
    /// `changeserveridmsg` (server owner): the server moves to the owner key with ID `serverid`.
    change_server_id(serverid: String) -> ChangeServerIdMsg;
    // §4.15 locations
    /// `addlocationmsg` (colony owner): add a location.
    add_location(location: Location) -> AddLocationMsg;
    /// `getlocationsmsg`: the locations of a colony.
    get_locations(colonyname: String) -> GetLocationsMsg;
    /// `getlocationmsg`: one location by name.
    get_location(colonyname: String, name: String) -> GetLocationMsg;
    /// `removelocationmsg` (colony owner): delete a location.
    remove_location(colonyname: String, name: String) -> RemoveLocationMsg;
    // §4.16 channels
    /// `channelappendmsg`: the initiator or the assigned executor appends to a channel.
    channel_append(processid: String, name: String, sequence: i64, payload: Vec<u8>) -> ChannelAppendMsg;
    /// `channelreadmsg`: up to `limit` (0: all) entries of a channel after index `afterseq`.
    channel_read(processid: String, name: String, afterseq: i64, limit: i64) -> ChannelReadMsg;
    // §4.17 blueprints
    /// `addblueprintdefinitionmsg` (colony owner): define a blueprint kind.
    add_blueprint_definition(blueprintdefinition: BlueprintDefinition) -> AddBlueprintDefinitionMsg;
    /// `getblueprintdefinitionmsg`: one definition by name.
    get_blueprint_definition(colonyname: String, name: String) -> GetBlueprintDefinitionMsg;
    /// `getblueprintdefinitionsmsg`: every definition of a colony.
    get_blueprint_definitions(colonyname: String) -> GetBlueprintDefinitionsMsg;
    /// `removeblueprintdefinitionmsg` (colony owner): delete a definition no blueprint uses.
    remove_blueprint_definition(namespace: String, name: String) -> RemoveBlueprintDefinitionMsg;
    /// `addblueprintmsg`: add a blueprint and reconcile it.
    add_blueprint(blueprint: Blueprint) -> AddBlueprintMsg;
    /// `getblueprintmsg`: one blueprint by name (`namespace` is the colony).
    get_blueprint(namespace: String, name: String) -> GetBlueprintMsg;
    /// `getblueprintsmsg`: the blueprints of a colony, of one kind and location if not empty.
    get_blueprints(namespace: String, kind: String, locationname: String) -> GetBlueprintsMsg;
    /// `updateblueprintmsg`: replace a blueprint's spec.
    update_blueprint(blueprint: Blueprint, forcegeneration: bool) -> UpdateBlueprintMsg;
    /// `removeblueprintmsg`: delete a blueprint.
    remove_blueprint(namespace: String, name: String) -> RemoveBlueprintMsg;
    /// `getblueprinthistorymsg`: up to `limit` recorded changes of a blueprint.
    get_blueprint_history(blueprintid: String, limit: i64) -> GetBlueprintHistoryMsg;
    /// `updateblueprintstatusmsg`: the reconciler reports a blueprint's observed state.
    update_blueprint_status(colonyname: String, blueprintname: String, status: JsonObject) -> UpdateBlueprintStatusMsg;
    /// `reconcileblueprintmsg`: start a reconciliation now; the reply is its process.
    reconcile_blueprint(namespace: String, name: String, force: bool) -> ReconcileBlueprintMsg;
}

impl Client {
    /// `assignprocessmsg`: ask for a process of `colonyname`, waiting up to `timeout` seconds
    /// for one (`< 0`: do not wait). Nothing to do within the wait is a 404
    /// ([`ClientError::is_not_found`]). `availablecpu`/`availablemem` (e.g. `"4000m"`,
    /// `"10Gi"`; empty: unlimited) limit which processes fit.
    pub async fn assign(
        &self,
        colonyname: impl Into<String>,
        timeout: i64,
        availablecpu: impl Into<String>,
        availablemem: impl Into<String>,
    ) -> Result<<AssignProcessMsg as Message>::Reply, ClientError> {
        let message = AssignProcessMsg {
            colonyname: colonyname.into(),
            timeout,
            availablecpu: availablecpu.into(),
            availablemem: availablemem.into(),
        };
        self.send_with_timeout(&message, self.long_poll_timeout(timeout)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// The payloadtypes with a method written by hand, outside the table.
    const HAND_WRITTEN: &[MessageKind] = &[
        MessageKind::AssignProcess,      // `assign` (its long-poll timeout)
        MessageKind::SubscribeProcess,   // `subscribe_process` (a stream over /pubsub)
        MessageKind::SubscribeProcesses, // `subscribe_processes` (a stream over /pubsub)
    ];

    /// The payloadtypes this client offers no method of its own for (`Client::send` sends them).
    const NOT_OFFERED: &[MessageKind] = &[
        // A channel stream over /pubsub: `channelreadmsg` polls the same entries.
        MessageKind::SubscribeChannel,
    ];

    #[test]
    fn every_payloadtype_of_the_protocol_table_has_exactly_one_method() {
        let mut methods: BTreeMap<MessageKind, usize> = BTreeMap::new();
        for kind in TABLE_KINDS.iter().chain(HAND_WRITTEN).chain(NOT_OFFERED) {
            *methods.entry(*kind).or_default() += 1;
        }
        let missing: Vec<&str> = MessageKind::ALL
            .iter()
            .filter(|k| !methods.contains_key(k))
            .map(|k| k.payload_type())
            .collect();
        let twice: Vec<&str> =
            methods.iter().filter(|(_, n)| **n > 1).map(|(k, _)| k.payload_type()).collect();
        assert!(missing.is_empty(), "payloadtypes without a client method: {missing:?}");
        assert!(twice.is_empty(), "payloadtypes with more than one method: {twice:?}");
    }
}
