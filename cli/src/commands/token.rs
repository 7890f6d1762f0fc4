//! `token create`: a bearer token for the service mesh API (`/api/v1`), signed offline with
//! a Colonies key.

use super::{CommandResult, Failure, Global, Outcome, mesh::Signer};
use crate::output;
use clap::{Args, Subcommand};
use colonies_client::{
    core::{
        mesh::auth::{TokenClaim, mint_token},
        time::Timestamp,
    },
    mesh::{MeshClient, now_ms, parse_ttl},
};
use core::time::Duration;

/// `token` and its subcommands.
#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    command: TokenCommand,
    #[command(flatten)]
    global: Global,
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Make a bearer token for the service mesh API (`Authorization: Bearer <token>`)
    ///
    /// The token names the colony, the server it is for (its `serverid`, asked from the
    /// server unless --audience is given) and when it expires; it is signed with
    /// COLONIES_PRVKEY (a member's key), or with COLONIES_COLONY_PRVKEY with --colony-owner or
    /// when COLONIES_PRVKEY is not set. The server stores nothing: whoever holds the token acts
    /// as that key in that colony until it expires, so keep it as secret as the key and keep
    /// its life short.
    ///
    /// Only the token is printed on standard output; what it is (colony, identity, expiry)
    /// goes to standard error.
    ///
    /// Examples:
    ///   TOKEN=$(colonies-edge token create --colony dev --ttl 1h)
    ///   curl -H "Authorization: Bearer $TOKEN" http://localhost:50080/api/v1/services/
    ///   colonies-edge token create --colony dev --ttl 15m --colony-owner
    ///   colonies-edge token create --colony dev --ttl 24h --audience <serverid>   # offline
    #[command(verbatim_doc_comment)]
    Create {
        /// How long it is valid: 30s, 15m, 1h, 24h (at most 24h).
        #[arg(long, default_value = "1h", value_parser = parse_ttl)]
        ttl: Duration,
        /// The server's ID (`serverid` of getserverinfomsg); asked from the server when not given.
        #[arg(long)]
        audience: Option<String>,
        /// Sign with the colony owner's key (COLONIES_COLONY_PRVKEY).
        #[arg(long)]
        colony_owner: bool,
    },
}

/// Runs a token command.
pub async fn run(args: TokenArgs) -> CommandResult {
    let g = &args.global;
    match args.command {
        TokenCommand::Create { ttl, audience, colony_owner } => {
            let colony = g.colony()?;
            let signer = Signer::choose(g, colony_owner)?;
            let audience = match audience {
                Some(id) if !id.trim().is_empty() => id.trim().to_owned(),
                Some(_) => return Err(Failure::Usage("--audience must not be empty".into())),
                None => MeshClient::new(&signer.client(g)?, &colony).server_id().await?,
            };
            let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
            let token = mint_token(&signer.key, &colony, &audience, now_ms(), ttl_ms)
                .map_err(|e| Failure::Usage(e.to_string()))?;
            let (claim, id) = TokenClaim::peek(&token)
                .map_err(|e| Failure::Usage(format!("the token just made does not read: {e}")))?;
            let expires = Timestamp::from_unix_nanos(claim.expiresat.saturating_mul(1_000_000));
            if g.json {
                output::json(&serde_json::json!({
                    "token": token,
                    "colonyname": claim.colonyname,
                    "audience": claim.audience,
                    "id": id.to_hex(),
                    "issuedat": claim.issuedat,
                    "expiresat": claim.expiresat,
                }));
            } else {
                println!("{token}");
            }
            eprintln!(
                "token for colony {} on server {}, signed by {} ({}), valid until {} UTC ({} s)",
                claim.colonyname,
                claim.audience,
                id,
                signer.what,
                output::time(&expires),
                ttl.as_secs()
            );
            Ok(Outcome::Done)
        }
    }
}
