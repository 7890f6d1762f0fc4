//! `user add|ls|rm`.

use super::{CommandResult, Failure, Global};
use crate::output;
use clap::{Args, Subcommand};
use colonies_client::{PrivateKey, core::model::User};

/// `user` and its subcommands.
#[derive(Debug, Args)]
pub struct UserArgs {
    #[command(subcommand)]
    command: UserCommand,
    #[command(flatten)]
    global: Global,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a user to the colony (colony owner key).
    Add {
        /// The user's name.
        #[arg(long)]
        name: String,
        /// The user's ID (64 hex) [default: the ID of --prvkey / COLONIES_PRVKEY].
        #[arg(long)]
        id: Option<String>,
        /// E-mail address.
        #[arg(long, default_value = "")]
        email: String,
        /// Phone number.
        #[arg(long, default_value = "")]
        phone: String,
    },
    /// List the users of the colony (member key).
    Ls,
    /// Remove a user (colony owner key); an end-to-end encrypted colony gets a new key version
    /// without it.
    Rm {
        /// The user's name.
        name: String,
    },
}

/// Runs a user command.
pub async fn run(args: UserArgs) -> CommandResult {
    let g = &args.global;
    let colony = g.colony()?;
    match args.command {
        UserCommand::Add { name, id, email, phone } => {
            let userid = match id {
                Some(id) => id,
                None => {
                    let hex = g.prvkey.as_deref().ok_or_else(|| {
                        Failure::Usage(
                            "--id, --prvkey or COLONIES_PRVKEY (the user's key) is needed".into(),
                        )
                    })?;
                    let key: PrivateKey = hex.trim().parse().map_err(|e| {
                        Failure::Usage(format!("the user key is not a private key: {e}"))
                    })?;
                    key.id().to_hex()
                }
            };
            let user = User { colonyname: colony, userid, name, email, phone };
            let added = g.colony_owner()?.add_user(user).await?;
            g.print(&added, |u| output::users(core::slice::from_ref(u)))
        }
        UserCommand::Ls => {
            let users = g.member()?.get_users(colony).await?;
            g.print(&users, |u| output::users(u))
        }
        UserCommand::Rm { name } => {
            let owner = g.colony_owner()?;
            owner.remove_user(colony.clone(), name.clone()).await?;
            let done = g.done(&format!("removed user {name}"));
            // An encrypted colony gets a new key version the removed user does not hold.
            super::colony::rotate_after_removal(g, &owner, &colony).await?;
            done
        }
    }
}
