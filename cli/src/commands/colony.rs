//! `colony add|ls|rm|stats|keys`.

use super::{CommandResult, Failure, Global};
use crate::output;
use clap::{Args, Subcommand};
use colonies_client::{Client, KeysChange, PrivateKey, core::model::Colony};

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
        /// Make the colony end-to-end encrypted: create its key version 1 with the colony
        /// owner key (--colony-prvkey or COLONIES_COLONY_PRVKEY); members get it with
        /// `colony keys sync` once they have asked their keys.
        #[arg(long)]
        encrypted: bool,
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
    /// The colony's end-to-end encryption keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Whether the colony is encrypted and which key versions the acting key holds (member
    /// key, or the colony owner key without one); with --members, every member's versions
    /// (colony owner key).
    Show {
        /// List every member, its public key status and its versions (colony owner key).
        #[arg(long)]
        members: bool,
    },
    /// Wrap the current key version for the members lacking it (colony owner key). A member's
    /// public key is known once it has asked its keys (e.g. `colony keys show`).
    Sync,
    /// A new key version for the current members (colony owner key): values sealed from now
    /// on are closed to removed members.
    Rotate,
}

/// Runs a colony command.
pub async fn run(args: ColonyArgs) -> CommandResult {
    let g = &args.global;
    match args.command {
        ColonyCommand::Add { name, colonyid, encrypted } => {
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
            // The owner key is checked before the colony is added, so that an encrypted colony
            // is never left without its keys for a missing flag.
            let owner = if encrypted { Some(g.colony_owner()?) } else { None };
            let colony = g.server_owner()?.add_colony(Colony { colonyid, name }).await?;
            if let Some(owner) = owner {
                let change = owner.create_colony_keys(&colony.name).await?;
                // Standard error: --json prints the colony as without --encrypted.
                eprintln!("{}", describe_change(&change, "created"));
            }
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
        ColonyCommand::Keys { command } => keys(g, command).await,
    }
}

async fn keys(g: &Global, command: KeysCommand) -> CommandResult {
    let colony = g.colony()?;
    match command {
        KeysCommand::Show { members: true } => {
            let members = g.colony_owner()?.colony_member_keys(&colony).await?;
            g.print(&members, output::member_keys)
        }
        KeysCommand::Show { members: false } => {
            let client = if g.prvkey.is_some() { g.member()? } else { g.colony_owner()? };
            let keys = client.refresh_colony_keys(&colony).await?;
            let held: Vec<u32> = keys.keyring().versions().collect();
            let shown = serde_json::json!({
                "colonyname": keys.colonyname,
                "encrypted": keys.encrypted,
                "currentversion": keys.current_version,
                "held": held,
                "unreadable": keys.unreadable,
            });
            g.print(&shown, |_| {
                if !keys.encrypted {
                    println!("colony {colony}: not end-to-end encrypted");
                    return;
                }
                println!(
                    "colony {colony}: end-to-end encrypted, current key version {}",
                    keys.current_version
                );
                println!("versions held by this key: {}", versions(&held));
                if !keys.unreadable.is_empty() {
                    println!("versions that do not unwrap: {}", versions(&keys.unreadable));
                }
                if !held.contains(&keys.current_version) {
                    println!(
                        "this key cannot seal: ask the colony owner to run `colonies-edge colony keys sync`"
                    );
                }
            })
        }
        KeysCommand::Sync => {
            let change = g.colony_owner()?.sync_colony_keys(&colony).await?;
            g.print(&change, |c| println!("{}", describe_change(c, "synced")))
        }
        KeysCommand::Rotate => {
            let change = g.colony_owner()?.rotate_colony_keys(&colony).await?;
            g.print(&change, |c| println!("{}", describe_change(c, "rotated to")))
        }
    }
}

fn versions(versions: &[u32]) -> String {
    if versions.is_empty() {
        return "none".into();
    }
    versions.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
}

/// One line (or two) on what a key change did.
pub fn describe_change(change: &KeysChange, verb: &str) -> String {
    let mut text = format!(
        "colony {}: {verb} key version {}, wrapped for {}",
        change.colonyname,
        change.version,
        if change.wrapped_for.is_empty() {
            "no member (none lacked it)".to_owned()
        } else {
            change.wrapped_for.join(", ")
        }
    );
    if !change.waiting.is_empty() {
        text.push_str(&format!(
            "\nwaiting for their public key (they must ask their keys once, then sync): {}",
            change.waiting.join(", ")
        ));
    }
    text
}

/// After a member was removed: rotates an encrypted colony's key so that values sealed from
/// now on are closed to it, and says so (on standard error with --json). Nothing for a
/// plain colony.
pub async fn rotate_after_removal(g: &Global, owner: &Client, colony: &str) -> Result<(), Failure> {
    let keys = owner.refresh_colony_keys(colony).await?;
    if !keys.encrypted {
        return Ok(());
    }
    let change = owner.rotate_colony_keys(colony).await?;
    let text = describe_change(&change, "rotated to");
    if g.json {
        eprintln!("{text}");
    } else {
        println!("{text}");
    }
    Ok(())
}
