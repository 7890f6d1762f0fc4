//! `key generate|id`: secp256k1 keys and their Colonies IDs, offline.

use super::{CommandResult, Failure, Outcome};
use clap::Subcommand;
use colonies_client::PrivateKey;

/// Key commands (no server needed).
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate a private key; prints the key (hex) and its ID.
    Generate {
        /// Print JSON: {"prvkey": …, "id": …}.
        #[arg(long)]
        json: bool,
    },
    /// Print the ID of a private key (the argument, else COLONIES_PRVKEY).
    Id {
        /// The private key (hex).
        #[arg(env = "COLONIES_PRVKEY", hide_env_values = true)]
        prvkey: String,
    },
}

/// Runs a key command.
pub fn run(command: KeyCommand) -> CommandResult {
    match command {
        KeyCommand::Generate { json } => {
            let key = PrivateKey::generate()
                .map_err(|e| Failure::Usage(format!("cannot generate a key: {e}")))?;
            let (prvkey, id) = (key.to_hex(), key.id().to_hex());
            if json {
                println!("{}", serde_json::json!({ "prvkey": prvkey, "id": id }));
            } else {
                println!("prvkey: {prvkey}\nid:     {id}");
            }
        }
        KeyCommand::Id { prvkey } => {
            let key: PrivateKey = prvkey
                .trim()
                .parse()
                .map_err(|e| Failure::Usage(format!("not a private key: {e}")))?;
            println!("{}", key.id());
        }
    }
    Ok(Outcome::Done)
}
