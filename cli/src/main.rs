//! `colonies-edge`: the Colonies Edge command-line tool.
#![forbid(unsafe_code)]

extern crate alloc;

mod commands;
mod output;

use clap::{Parser, Subcommand};
use commands::{Failure, Outcome};
use std::process::ExitCode;

/// Colonies Edge: a Colonies job broker and its tools.
///
/// Client commands read the same environment as the Colonies tools, so an existing setup
/// works unchanged: COLONIES_SERVER_HOST, COLONIES_SERVER_PORT, COLONIES_SERVER_TLS,
/// COLONIES_PRVKEY (a user's or executor's key), COLONIES_COLONY_NAME, COLONIES_COLONY_PRVKEY
/// (the colony owner's key), COLONIES_SERVER_PRVKEY (the server owner's key),
/// COLONIES_EXECUTOR_NAME, COLONIES_EXECUTOR_TYPE.
///
/// Signed requests are bound against replay by default (a fresh nonce, the signing time and
/// the server's ID in each payload); --no-replay-binding or COLONIES_REPLAY_BINDING=false
/// sends them as Colonies clients always have.
#[derive(Debug, Parser)]
#[command(
    name = "colonies-edge",
    version,
    about,
    propagate_version = true,
    after_long_help = EXIT_CODES
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The exit codes, shown by `--help`.
const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  the server answered with an error (its status and message are printed)
  2  usage: a bad flag, a missing key or colony name, an unreadable file
  3  the server could not be reached, or did not answer in time
  4  the answer was not a Colonies reply (wrong URL or incompatible server)
  5  a wait ended before the process finished
  6  the awaited process failed or was cancelled";

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
    /// Generate keys and print the ID of a key.
    #[command(subcommand)]
    Key(commands::key::KeyCommand),
    /// Colonies: add, list, remove (server owner key), statistics (member key).
    Colony(commands::colony::ColonyArgs),
    /// Executors: add, approve, reject, remove (colony owner key), list (member key).
    Executor(commands::executor::ExecutorArgs),
    /// Function specs: submit one (from a Colonies JSON file or flags), list registered functions.
    Function(commands::function::FunctionArgs),
    /// Processes: list, show, assign, close, fail, remove, cancel.
    Process(commands::process::ProcessArgs),
    /// Workflows (process graphs): submit a Colonies workflow spec, show, list.
    Workflow(commands::workflow::WorkflowArgs),
    /// Logs of a process or an executor, and search.
    Log(commands::log::LogArgs),
    /// Crons: workflows started on a schedule.
    Cron(commands::cron::CronArgs),
    /// Generators: workflows started when enough arguments are packed.
    Generator(commands::generator::GeneratorArgs),
    /// Users of a colony.
    User(commands::user::UserArgs),
    /// The service mesh API (/api/v1): apply and export CryptoMesh policy files, invoke
    /// functions, list, show, create, change and delete records (signed requests, member or
    /// colony owner key).
    Mesh(commands::mesh::MeshArgs),
    /// Bearer tokens for the service mesh API, signed offline with a Colonies key.
    Token(commands::token::TokenArgs),
    /// A live view of a colony's processes, refreshed until interrupted (Ctrl-C).
    Watch(commands::watch::WatchArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    ///
    /// For example: `colonies-edge completions bash > /etc/bash_completion.d/colonies-edge`.
    Completions(commands::completions::CompletionsArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => {
            commands::serve::run(args).map(|()| Outcome::Done).map_err(Failure::Server)
        }
        Command::Completions(args) => {
            commands::completions::run::<Cli>(&args);
            Ok(Outcome::Done)
        }
        Command::Key(command) => commands::key::run(command),
        Command::Colony(args) => commands::block_on(commands::colony::run(args)),
        Command::Executor(args) => commands::block_on(commands::executor::run(args)),
        Command::Function(args) => commands::block_on(commands::function::run(args)),
        Command::Process(args) => commands::block_on(commands::process::run(args)),
        Command::Workflow(args) => commands::block_on(commands::workflow::run(args)),
        Command::Log(args) => commands::block_on(commands::log::run(args)),
        Command::Cron(args) => commands::block_on(commands::cron::run(args)),
        Command::Generator(args) => commands::block_on(commands::generator::run(args)),
        Command::User(args) => commands::block_on(commands::user::run(args)),
        Command::Mesh(args) => commands::block_on(commands::mesh::run(args)),
        Command::Token(args) => commands::block_on(commands::token::run(args)),
        Command::Watch(args) => commands::block_on(commands::watch::run(args)),
    };
    match result {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::WaitExpired(message)) => {
            eprintln!("colonies-edge: {message}");
            ExitCode::from(5)
        }
        Ok(Outcome::ProcessFailed(message)) => {
            eprintln!("colonies-edge: {message}");
            ExitCode::from(6)
        }
        Err(failure) => {
            eprintln!("colonies-edge: {failure}");
            ExitCode::from(failure.exit_code())
        }
    }
}
