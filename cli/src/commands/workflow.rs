//! `workflow submit|get|ls`.

use super::{CommandResult, Failure, Global, process::StateArg, read_input};
use crate::output;
use clap::{Args, Subcommand};
use colonies_client::core::model::{FunctionSpec, ProcessState, WorkflowSpec};

/// `workflow` and its subcommands.
#[derive(Debug, Args)]
pub struct WorkflowArgs {
    #[command(subcommand)]
    command: WorkflowCommand,
    #[command(flatten)]
    global: Global,
}

#[derive(Debug, Subcommand)]
enum WorkflowCommand {
    /// Submit a workflow spec; prints its process graph (member key).
    ///
    /// The file is a Colonies workflow spec, {"colonyname": …, "functionspecs": [spec, …]},
    /// or just the list of function specs. Specs are wired by `nodename` and
    /// `conditions.dependencies`; the colony comes from --colony when the file names none.
    Submit {
        /// The workflow spec file (`-`: standard input).
        #[arg(long)]
        spec: String,
    },
    /// Show a workflow and its processes (member key).
    Get {
        /// The workflow (process graph) ID.
        processgraphid: String,
    },
    /// List workflows of the colony in a state, newest first (member key).
    Ls {
        /// The state.
        #[arg(long, value_enum, default_value = "waiting")]
        state: StateArg,
        /// At most this many (≤ 100).
        #[arg(long, default_value_t = 100)]
        count: i64,
    },
}

/// Reads a workflow spec: the Colonies object, or a bare list of function specs.
pub fn read_workflow(path: &str, colony: Option<String>) -> Result<WorkflowSpec, Failure> {
    let text = read_input(path)?;
    let mut workflow = match serde_json::from_str::<WorkflowSpec>(&text) {
        Ok(workflow) => workflow,
        Err(object_error) => match serde_json::from_str::<Vec<FunctionSpec>>(&text) {
            Ok(functionspecs) => WorkflowSpec { colonyname: String::new(), functionspecs },
            Err(_) => {
                return Err(Failure::Usage(format!(
                    "{path} is not a Colonies workflow spec: {object_error}"
                )));
            }
        },
    };
    if workflow.colonyname.is_empty() {
        workflow.colonyname = colony.ok_or_else(|| {
            Failure::Usage(
                "the workflow names no colony: --colony or COLONIES_COLONY_NAME is needed".into(),
            )
        })?;
    }
    Ok(workflow)
}

/// Runs a workflow command.
pub async fn run(args: WorkflowArgs) -> CommandResult {
    let g = &args.global;
    let client = g.member()?;
    match args.command {
        WorkflowCommand::Submit { spec } => {
            let workflow = read_workflow(&spec, g.colony.clone())?;
            let graph = client.submit_workflow_spec(workflow).await?;
            g.print(&graph, |graph| output::graphs(core::slice::from_ref(graph)))
        }
        WorkflowCommand::Get { processgraphid } => {
            let graph = client.get_process_graph(processgraphid).await?;
            if g.json {
                return g.print(&graph, |_| {});
            }
            output::graphs(core::slice::from_ref(&graph));
            let mut processes = Vec::new();
            for id in &graph.processids {
                processes.push(client.get_process(id.clone()).await?);
            }
            output::processes(&processes);
            Ok(super::Outcome::Done)
        }
        WorkflowCommand::Ls { state, count } => {
            let state: ProcessState = state.into();
            let graphs = client.get_process_graphs(g.colony()?, count, state).await?;
            g.print(&graphs, |graphs| output::graphs(graphs))
        }
    }
}
