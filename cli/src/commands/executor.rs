//! `executor add|approve|reject|rm|ls`.

use super::{CommandResult, Failure, Global};
use crate::output;
use clap::{Args, Subcommand};
use colonies_client::{PrivateKey, core::model::Executor};

/// `executor` and its subcommands.
#[derive(Debug, Args)]
pub struct ExecutorArgs {
    #[command(subcommand)]
    command: ExecutorCommand,
    #[command(flatten)]
    global: Global,
}

#[derive(Debug, Subcommand)]
enum ExecutorCommand {
    /// Register an executor in the colony; it starts pending (colony owner key).
    Add {
        /// The executor's name.
        #[arg(long, env = "COLONIES_EXECUTOR_NAME")]
        name: String,
        /// The executor's type (specs name it in conditions.executortype).
        #[arg(long = "type", env = "COLONIES_EXECUTOR_TYPE")]
        executortype: String,
        /// The executor's ID (64 hex) [default: the ID of --prvkey / COLONIES_PRVKEY].
        #[arg(long)]
        id: Option<String>,
        /// Its location.
        #[arg(long, default_value = "")]
        location: String,
        /// Approve it right away.
        #[arg(long)]
        approve: bool,
    },
    /// Approve a pending executor (colony owner key).
    Approve {
        /// The executor's name.
        name: String,
    },
    /// Reject an executor (colony owner key).
    Reject {
        /// The executor's name.
        name: String,
    },
    /// Unregister an executor; its running processes wait again (colony owner key). An
    /// end-to-end encrypted colony gets a new key version without it.
    Rm {
        /// The executor's name.
        name: String,
    },
    /// List the executors of the colony, in every state (member key).
    Ls,
}

/// Runs an executor command.
pub async fn run(args: ExecutorArgs) -> CommandResult {
    let g = &args.global;
    let colony = g.colony()?;
    match args.command {
        ExecutorCommand::Add { name, executortype, id, location, approve } => {
            let executorid = match id {
                Some(id) => id,
                None => {
                    let hex = g.prvkey.as_deref().ok_or_else(|| {
                        Failure::Usage(
                            "--id, --prvkey or COLONIES_PRVKEY (the executor's key) is needed"
                                .into(),
                        )
                    })?;
                    let key: PrivateKey = hex.trim().parse().map_err(|e| {
                        Failure::Usage(format!("the executor key is not a private key: {e}"))
                    })?;
                    key.id().to_hex()
                }
            };
            let owner = g.colony_owner()?;
            let executor = Executor {
                executorid,
                executortype,
                executorname: name.clone(),
                colonyname: colony.clone(),
                locationname: location,
                ..Executor::default()
            };
            let mut added = owner.add_executor(executor).await?;
            if approve {
                owner.approve_executor(colony, name).await?;
                added.state = colonies_client::core::model::ExecutorState::Approved;
            }
            g.print(&added, |e| output::executors(core::slice::from_ref(e)))
        }
        ExecutorCommand::Approve { name } => {
            g.colony_owner()?.approve_executor(colony, name.clone()).await?;
            g.done(&format!("approved executor {name}"))
        }
        ExecutorCommand::Reject { name } => {
            g.colony_owner()?.reject_executor(colony, name.clone()).await?;
            g.done(&format!("rejected executor {name}"))
        }
        ExecutorCommand::Rm { name } => {
            let owner = g.colony_owner()?;
            owner.remove_executor(colony.clone(), name.clone()).await?;
            let done = g.done(&format!("removed executor {name}"));
            // An encrypted colony gets a new key version the removed executor does not hold.
            super::colony::rotate_after_removal(g, &owner, &colony).await?;
            done
        }
        ExecutorCommand::Ls => {
            let executors = g.member()?.get_executors(colony).await?;
            g.print(&executors, |e| output::executors(e))
        }
    }
}
