//! `colonies-edge`: the Colonies Edge command-line tool.
#![forbid(unsafe_code)]

mod commands;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Colonies Edge: a Colonies job broker and its tools.
#[derive(Debug, Parser)]
#[command(name = "colonies-edge", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the Colonies server (POST /api), with a private PostgreSQL unless a database is given.
    ///
    /// Signed Colonies RPCs on POST /api, GET /health, CORS for browsers; every flag can also be
    /// set by the environment variable shown.
    ///
    /// Database: with neither DATABASE_URL nor COLONIES_DB_HOST, a private PostgreSQL cluster is
    /// created in the data directory from this machine's PostgreSQL binaries (install them with
    /// `apt-get install postgresql`), kept across restarts and stopped on exit.
    ///
    /// Server owner: on the first start without COLONIES_SERVER_ID a key is generated; its
    /// private key is printed once and saved in <data dir>/server-owner.key (mode 0600).
    Serve(commands::serve::ServeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => commands::serve::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
