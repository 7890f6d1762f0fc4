//! `watch`: a live table of a colony's processes, redrawn every interval.
//!
//! It polls `getprocessesmsg` once per state: that works with every server and shows
//! processes that changed while nobody was subscribed, which a `/pubsub` stream would miss.

use super::{CommandResult, Global, Outcome};
use crate::output;
use clap::Args;
use colonies_client::{
    Client, ClientError,
    core::model::{Process, ProcessState},
};
use core::time::Duration;
use std::io::{IsTerminal, Write};

/// Flags of `watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Milliseconds between refreshes.
    #[arg(long, default_value_t = 1000)]
    interval: u64,
    /// At most this many processes per state.
    #[arg(long, default_value_t = 20)]
    count: i64,
    /// Draw once and exit.
    #[arg(long)]
    once: bool,
    #[command(flatten)]
    global: Global,
}

const STATES: [ProcessState; 5] = [
    ProcessState::Waiting,
    ProcessState::Running,
    ProcessState::Success,
    ProcessState::Failed,
    ProcessState::Cancelled,
];

async fn snapshot(client: &Client, colony: &str, count: i64) -> Result<Vec<Process>, ClientError> {
    let mut all = Vec::new();
    for state in STATES {
        all.extend(client.get_processes(colony.to_owned(), count, state).await?);
    }
    Ok(all)
}

fn frame(colony: &str, processes: &[Process]) -> String {
    let counts: Vec<String> = STATES
        .iter()
        .map(|s| {
            format!("{} {}", processes.iter().filter(|p| p.state == *s).count(), output::state(*s))
        })
        .collect();
    let mut table =
        output::table(&["PROCESS", "FUNCTION", "STATE", "EXECUTOR TYPE", "SUBMITTED", "ENDED"]);
    for p in processes {
        table.add_row(vec![
            p.processid.get(..12).unwrap_or(&p.processid).to_owned(),
            p.spec.funcname.clone(),
            output::state(p.state).to_owned(),
            p.spec.conditions.executortype.clone(),
            output::time(&p.submissiontime),
            output::time(&p.endtime),
        ]);
    }
    format!("colony {colony}: {}   (Ctrl-C to quit)\n{table}\n", counts.join(", "))
}

/// Runs `watch` until Ctrl-C (or once with `--once`).
pub async fn run(args: WatchArgs) -> CommandResult {
    let g = &args.global;
    let client = g.member()?;
    let colony = g.colony()?;
    let terminal = std::io::stdout().is_terminal();
    let interval = Duration::from_millis(args.interval.max(100));
    loop {
        let processes = snapshot(&client, &colony, args.count).await?;
        let mut out = std::io::stdout().lock();
        let text = if g.json {
            serde_json::to_string(&processes).unwrap_or_default() + "\n"
        } else {
            frame(&colony, &processes)
        };
        // Home and clear: redraw in place on a terminal; plain frames one after the other otherwise.
        let clear = if terminal && !g.json { "\x1b[H\x1b[2J" } else { "" };
        // A closed pipe (`watch | head`) ends the watch.
        if write!(out, "{clear}{text}").and_then(|()| out.flush()).is_err() || args.once {
            return Ok(Outcome::Done);
        }
        drop(out);
        tokio::select! {
            _ = tokio::signal::ctrl_c() => return Ok(Outcome::Done),
            () = tokio::time::sleep(interval) => {}
        }
    }
}
