//! `colony add|ls|rm|stats`.

use super::{CommandResult, Failure, Global};
use crate::output;
use clap::{Args, Subcommand};
use colonies_client::{PrivateKey, core::model::Colony};

/// `colony` and its subcommands.
#[derive(Debug, Args)]
pub struct ColonyArgs {
    #[command(subcommand)]
    command: ColonyCommand,
    #[command(flatten)]
    global: Global,
}

#[derive(Debug, Subcommand)]
enum ColonyCommand {
    /// Add a colony owned by a key (server owner key).
    Add {
        /// The colony's name.
        #[arg(long)]
        name: String,
        /// The owner's ID (64 hex) [default: the ID of --colony-prvkey / COLONIES_COLONY_PRVKEY].
        #[arg(long)]
        colonyid: Option<String>,
    },
    /// List the colonies (server owner key).
    Ls,
    /// Remove a colony and everything in it (server owner key).
    Rm {
        /// The colony's name.
        name: String,
    },
    /// Process and workflow counts of the colony (member key).
    Stats,
}

/// Runs a colony command.
pub async fn run(args: ColonyArgs) -> CommandResult {
    let g = &args.global;
    match args.command {
        ColonyCommand::Add { name, colonyid } => {
            let colonyid = match colonyid {
                Some(id) => id,
                None => {
                    let hex = g.colony_prvkey.as_deref().ok_or_else(|| {
                        Failure::Usage(
                            "--colonyid, --colony-prvkey or COLONIES_COLONY_PRVKEY is needed"
                                .into(),
                        )
                    })?;
                    let key: PrivateKey = hex.trim().parse().map_err(|e| {
                        Failure::Usage(format!("the colony key is not a private key: {e}"))
                    })?;
                    key.id().to_hex()
                }
            };
            let colony = g.server_owner()?.add_colony(Colony { colonyid, name }).await?;
            g.print(&colony, |c| output::colonies(core::slice::from_ref(c)))
        }
        ColonyCommand::Ls => {
            let colonies = g.server_owner()?.get_colonies().await?;
            g.print(&colonies, |c| output::colonies(c))
        }
        ColonyCommand::Rm { name } => {
            g.server_owner()?.remove_colony(name.clone()).await?;
            g.done(&format!("removed colony {name}"))
        }
        ColonyCommand::Stats => {
            let stats = g.member()?.get_colony_statistics(g.colony()?).await?;
            g.print(&stats, output::statistics)
        }
    }
}
