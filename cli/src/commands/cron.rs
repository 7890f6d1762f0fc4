//! `cron add|ls|get|run|rm`.

use super::{CommandResult, Failure, Global, workflow::read_workflow};
use crate::output;
use clap::{Args, Subcommand};
use colonies_client::core::model::Cron;

/// `cron` and its subcommands.
#[derive(Debug, Args)]
pub struct CronArgs {
    #[command(subcommand)]
    command: CronCommand,
    #[command(flatten)]
    global: Global,
}

#[derive(Debug, Subcommand)]
enum CronCommand {
    /// Add a cron that starts a workflow on a schedule (member key).
    Add {
        /// The cron's name, unique in the colony.
        #[arg(long)]
        name: String,
        /// The workflow spec file (as for `workflow submit`).
        #[arg(long)]
        spec: String,
        /// Start it every this many seconds.
        #[arg(long, conflicts_with = "cron", required_unless_present = "cron")]
        interval: Option<i64>,
        /// Start it on this six-field cron expression (with seconds), e.g. "0 0 * * * *".
        #[arg(long)]
        cron: Option<String>,
        /// Skip a run while the previous workflow has not finished.
        #[arg(long)]
        wait_for_prev: bool,
    },
    /// List the crons of the colony (member key).
    Ls {
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        count: i64,
    },
    /// Show a cron (member key).
    Get {
        /// The cron ID.
        cronid: String,
    },
    /// Start a cron's workflow now (member key).
    Run {
        /// The cron ID.
        cronid: String,
    },
    /// Remove a cron (member key).
    Rm {
        /// The cron ID.
        cronid: String,
    },
}

/// Runs a cron command.
pub async fn run(args: CronArgs) -> CommandResult {
    let g = &args.global;
    let client = g.member()?;
    match args.command {
        CronCommand::Add { name, spec, interval, cron, wait_for_prev } => {
            let colony = g.colony()?;
            let workflow = read_workflow(&spec, Some(colony.clone()))?;
            let workflowspec =
                serde_json::to_string(&workflow).map_err(|e| Failure::Usage(e.to_string()))?;
            let cron = Cron {
                colonyname: colony,
                name,
                cronexpression: cron.unwrap_or_default(),
                // -1 tells the server to use the expression.
                interval: interval.unwrap_or(-1),
                workflowspec,
                waitforprevprocessgraph: wait_for_prev,
                ..Cron::default()
            };
            let added = client.add_cron(cron).await?;
            g.print(&added, |c| output::crons(core::slice::from_ref(c)))
        }
        CronCommand::Ls { count } => {
            let crons = client.get_crons(g.colony()?, count).await?;
            g.print(&crons, |c| output::crons(c))
        }
        CronCommand::Get { cronid } => {
            let cron = client.get_cron(cronid).await?;
            g.print(&cron, |c| output::crons(core::slice::from_ref(c)))
        }
        CronCommand::Run { cronid } => {
            let cron = client.run_cron(cronid).await?;
            g.print(&cron, |c| output::crons(core::slice::from_ref(c)))
        }
        CronCommand::Rm { cronid } => {
            client.remove_cron(cronid.clone()).await?;
            g.done(&format!("removed cron {cronid}"))
        }
    }
}
