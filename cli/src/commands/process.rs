//! `process ps|get|assign|close|fail|rm|cancel`, and waiting for a process to finish.

use super::{CommandResult, Failure, Global, Outcome};
use crate::output;
use clap::{Args, Subcommand, ValueEnum};
use colonies_client::{
    Client,
    core::model::{Process, ProcessState},
};
use core::time::Duration;
use futures_util::StreamExt;
use serde_json::Value;
use tokio::time::Instant;

/// `process` and its subcommands.
#[derive(Debug, Args)]
pub struct ProcessArgs {
    #[command(subcommand)]
    command: ProcessCommand,
    #[command(flatten)]
    global: Global,
}

/// A process state on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StateArg {
    /// Submitted, not yet assigned.
    Waiting,
    /// Assigned to an executor.
    Running,
    /// Closed successfully.
    Successful,
    /// Closed as failed or timed out.
    Failed,
    /// Cancelled.
    Cancelled,
}

impl From<StateArg> for ProcessState {
    fn from(state: StateArg) -> Self {
        match state {
            StateArg::Waiting => Self::Waiting,
            StateArg::Running => Self::Running,
            StateArg::Successful => Self::Success,
            StateArg::Failed => Self::Failed,
            StateArg::Cancelled => Self::Cancelled,
        }
    }
}

#[derive(Debug, Subcommand)]
enum ProcessCommand {
    /// List processes of the colony: waiting and running ones, or those in --state (member key).
    Ps {
        /// Only this state.
        #[arg(long, value_enum)]
        state: Option<StateArg>,
        /// At most this many per state (≤ 100).
        #[arg(long, default_value_t = 100)]
        count: i64,
    },
    /// Show one process (member key).
    Get {
        /// The process ID.
        processid: String,
        /// Wait until it has finished (exit code 6 if it failed or was cancelled).
        #[arg(long)]
        wait: bool,
        /// Seconds to wait with --wait.
        #[arg(long, default_value_t = 60)]
        wait_timeout: i64,
    },
    /// Take a waiting process as this executor (the executor's key in --prvkey).
    Assign {
        /// Seconds to wait for one (long poll); -1: do not wait.
        #[arg(long = "wait", default_value_t = 10, allow_hyphen_values = true)]
        wait: i64,
    },
    /// Close a process assigned to this executor as successful.
    Close {
        /// The process ID.
        processid: String,
        /// An output value; repeat for more.
        #[arg(long = "out")]
        output: Vec<String>,
    },
    /// Close a process assigned to this executor as failed.
    Fail {
        /// The process ID.
        processid: String,
        /// An error message; repeat for more.
        #[arg(long = "error")]
        errors: Vec<String>,
    },
    /// Remove a process that is not running and not in a workflow (member key).
    Rm {
        /// The process ID.
        processid: String,
    },
    /// Cancel a waiting or running process that is not in a workflow (member key).
    Cancel {
        /// The process ID.
        processid: String,
    },
}

/// Runs a process command.
pub async fn run(args: ProcessArgs) -> CommandResult {
    let g = &args.global;
    let client = g.member()?;
    match args.command {
        ProcessCommand::Ps { state, count } => {
            let colony = g.colony()?;
            let states = match state {
                Some(state) => vec![state.into()],
                None => vec![ProcessState::Waiting, ProcessState::Running],
            };
            let mut processes = Vec::new();
            for state in states {
                processes.extend(client.get_processes(colony.clone(), count, state).await?);
            }
            g.print(&processes, |p| output::processes(p))
        }
        ProcessCommand::Get { processid, wait: true, wait_timeout } => {
            let process = client.get_process(processid).await?;
            wait_finished(g, &client, process, wait_timeout).await
        }
        ProcessCommand::Get { processid, .. } => {
            let process = client.get_process(processid).await?;
            g.print(&process, output::process)
        }
        ProcessCommand::Assign { wait } => {
            let spinner = (wait > 0).then(|| output::spinner("waiting for a process"));
            let assigned = client.assign(g.colony()?, wait, "", "").await;
            if let Some(spinner) = spinner {
                spinner.finish_and_clear();
            }
            g.print(&assigned?, output::process)
        }
        ProcessCommand::Close { processid, output } => {
            know_colony(g, &client).await?;
            let output = output.into_iter().map(Value::String).collect::<Vec<_>>();
            client.close_successful(processid.clone(), output).await?;
            g.done(&format!("closed process {processid} as successful"))
        }
        ProcessCommand::Fail { processid, errors } => {
            know_colony(g, &client).await?;
            client.close_failed(processid.clone(), errors).await?;
            g.done(&format!("closed process {processid} as failed"))
        }
        ProcessCommand::Rm { processid } => {
            client.remove_process(processid.clone()).await?;
            g.done(&format!("removed process {processid}"))
        }
        ProcessCommand::Cancel { processid } => {
            client.cancel_process(processid.clone()).await?;
            g.done(&format!("cancelled process {processid}"))
        }
    }
}

/// Waits up to `timeout` seconds until `process` has finished, then prints it.
///
/// `/pubsub` says at once when it succeeds; polling notices failure and cancellation (one
/// subscription covers one state) and works with servers that do not serve `/pubsub`.
pub async fn wait_finished(
    g: &Global,
    client: &Client,
    process: Process,
    timeout: i64,
) -> CommandResult {
    let spinner = output::spinner(format!("waiting for process {}", process.processid));
    let deadline = Instant::now() + Duration::from_secs(u64::try_from(timeout).unwrap_or(0));
    let mut subscription = client
        .subscribe_process(
            process.spec.conditions.colonyname.clone(),
            process.processid.clone(),
            "",
            ProcessState::Success,
            timeout,
        )
        .await
        .ok();
    let result = loop {
        let current = match client.get_process(process.processid.clone()).await {
            Ok(current) => current,
            Err(e) => break Err(Failure::from(e)),
        };
        if current.state.is_terminal() {
            break Ok(current);
        }
        let now = Instant::now();
        if now >= deadline {
            break Ok(current);
        }
        let nap = tokio::time::sleep((deadline - now).min(Duration::from_millis(500)));
        let ended = match subscription.as_mut() {
            Some(stream) => tokio::select! {
                item = stream.next() => !matches!(item, Some(Ok(_))),
                () = nap => false,
            },
            None => {
                nap.await;
                false
            }
        };
        if ended {
            // Closed, refused or not served: polling goes on alone.
            subscription = None;
        }
    };
    spinner.finish_and_clear();
    let process = result?;
    g.print(&process, output::process)?;
    Ok(match process.state {
        ProcessState::Success => Outcome::Done,
        ProcessState::Failed | ProcessState::Cancelled => Outcome::ProcessFailed(format!(
            "process {} is {}",
            process.processid,
            output::state(process.state)
        )),
        _ => Outcome::WaitExpired(format!(
            "process {} is still {} after {timeout} s",
            process.processid,
            output::state(process.state)
        )),
    })
}

/// Asks the named colony's keys (kept by the client), so that a call naming only a process
/// is sealed in an encrypted colony (the client then looks up the process's colony).
async fn know_colony(g: &Global, client: &colonies_client::Client) -> Result<(), Failure> {
    if let Some(colony) = &g.colony {
        client.colony_keys(colony).await?;
    }
    Ok(())
}
