//! `log get|search`.

use super::{CommandResult, Failure, Global, Outcome};
use crate::output;
use clap::{Args, Subcommand};
use core::time::Duration;

/// `log` and its subcommands.
#[derive(Debug, Args)]
pub struct LogArgs {
    #[command(subcommand)]
    command: LogCommand,
    #[command(flatten)]
    global: Global,
}

#[derive(Debug, Subcommand)]
enum LogCommand {
    /// Print the log of a process, or of an executor (member key).
    Get {
        /// The process.
        #[arg(long = "process", required_unless_present = "executor")]
        processid: Option<String>,
        /// The executor (instead of a process).
        #[arg(long, conflicts_with = "processid")]
        executor: Option<String>,
        /// At most this many lines (≤ 500).
        #[arg(long, default_value_t = 100)]
        count: i64,
        /// Only lines after this time, Unix nanoseconds.
        #[arg(long, default_value_t = 0)]
        since: i64,
        /// Keep printing new lines until interrupted.
        #[arg(long, short)]
        follow: bool,
    },
    /// Find log lines of the colony containing a text (member key).
    Search {
        /// The text.
        text: String,
        /// How many days back (≤ 30).
        #[arg(long, default_value_t = 1)]
        days: i64,
        /// At most this many lines (≤ 100).
        #[arg(long, default_value_t = 100)]
        count: i64,
    },
}

/// Runs a log command.
pub async fn run(args: LogArgs) -> CommandResult {
    let g = &args.global;
    let client = g.member()?;
    let colony = g.colony()?;
    match args.command {
        LogCommand::Get { processid, executor, count, mut since, follow } => {
            let processid = processid.unwrap_or_default();
            let executor = executor.unwrap_or_default();
            loop {
                let logs = client
                    .get_logs(colony.clone(), processid.clone(), executor.clone(), count, since)
                    .await?;
                if !follow {
                    return g.print(&logs, |logs| output::logs(logs));
                }
                if g.json {
                    for line in &logs {
                        println!(
                            "{}",
                            serde_json::to_string(line)
                                .map_err(|e| Failure::Usage(e.to_string()))?
                        );
                    }
                } else {
                    output::logs(&logs);
                }
                since = logs.last().map_or(since, |l| l.timestamp);
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => return Ok(Outcome::Done),
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
        }
        LogCommand::Search { text, days, count } => {
            let logs = client.search_logs(colony, text, days, count).await?;
            g.print(&logs, |logs| output::logs(logs))
        }
    }
}
