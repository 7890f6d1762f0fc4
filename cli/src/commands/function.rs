//! `function submit|ls`: submit a function spec (Colonies JSON or flags); list functions.

use super::{CommandResult, Failure, Global, process::wait_finished, read_input};
use crate::output;
use clap::{Args, Subcommand};
use colonies_client::core::model::{Conditions, FunctionSpec};
use serde_json::Value;

/// `function` and its subcommands.
#[derive(Debug, Args)]
pub struct FunctionArgs {
    #[command(subcommand)]
    command: FunctionCommand,
    #[command(flatten)]
    global: Global,
}

/// A function spec from flags, for `submit` without `--spec`.
#[derive(Debug, Args)]
pub struct SpecFlags {
    /// The function to run (spec.funcname).
    #[arg(long = "func", conflicts_with = "spec")]
    funcname: Option<String>,
    /// A positional argument; repeat for more. Numbers and JSON stay as they are written.
    #[arg(long = "arg")]
    args: Vec<String>,
    /// A keyword argument, key=value; repeat for more.
    #[arg(long = "kwarg", value_parser = key_value)]
    kwargs: Vec<(String, String)>,
    /// Executor type that may run it (conditions.executortype).
    #[arg(long = "executor-type", env = "COLONIES_EXECUTOR_TYPE")]
    executortype: Option<String>,
    /// Only executors with this name; repeat for more (conditions.executornames).
    #[arg(long = "executor-name")]
    executornames: Vec<String>,
    /// Priority, -50000..=50000, higher first.
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    priority: i64,
    /// Seconds an executor may run it (-1: unlimited).
    #[arg(long, default_value_t = -1, allow_hyphen_values = true)]
    maxexectime: i64,
    /// Seconds it may wait for an executor (-1: unlimited).
    #[arg(long, default_value_t = -1, allow_hyphen_values = true)]
    maxwaittime: i64,
    /// Retries after an expired run (-1: unlimited).
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    maxretries: i64,
    /// A label to find it by.
    #[arg(long, default_value = "")]
    label: String,
    /// An environment variable, KEY=VALUE; repeat for more.
    #[arg(long = "env", value_parser = key_value)]
    env: Vec<(String, String)>,
}

fn key_value(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("{text:?} is not key=value"))
}

/// An argument as written: a JSON number, bool, array or object if it parses as one, else a string.
fn argument(text: &str) -> Value {
    match serde_json::from_str::<Value>(text) {
        Ok(value @ (Value::Number(_) | Value::Bool(_) | Value::Array(_) | Value::Object(_))) => {
            value
        }
        _ => Value::String(text.to_owned()),
    }
}

impl SpecFlags {
    fn spec(&self) -> Result<FunctionSpec, Failure> {
        let funcname = self
            .funcname
            .clone()
            .ok_or_else(|| Failure::Usage("--spec FILE or --func NAME is needed".into()))?;
        let executortype = self.executortype.clone().ok_or_else(|| {
            Failure::Usage("--executor-type or COLONIES_EXECUTOR_TYPE is needed".into())
        })?;
        Ok(FunctionSpec {
            nodename: funcname.clone(),
            funcname,
            args: self.args.iter().map(|a| argument(a)).collect(),
            kwargs: self.kwargs.iter().map(|(k, v)| (k.clone(), argument(v))).collect(),
            priority: self.priority,
            maxwaittime: self.maxwaittime,
            maxexectime: self.maxexectime,
            maxretries: self.maxretries,
            conditions: Conditions {
                executortype,
                executornames: self.executornames.clone(),
                ..Conditions::default()
            },
            label: self.label.clone(),
            env: self.env.iter().cloned().collect(),
            ..FunctionSpec::default()
        })
    }
}

/// Reads a function spec in the Colonies JSON format. As the Colonies CLI does, `maxexectime`
/// 0 becomes -1 (unlimited): a spec file that leaves it out means "no limit", not "expire at once".
pub fn read_spec(path: &str) -> Result<FunctionSpec, Failure> {
    let text = read_input(path)?;
    let mut spec: FunctionSpec = serde_json::from_str(&text)
        .map_err(|e| Failure::Usage(format!("{path} is not a Colonies function spec: {e}")))?;
    if spec.maxexectime == 0 {
        spec.maxexectime = -1;
    }
    Ok(spec)
}

#[derive(Debug, Subcommand)]
enum FunctionCommand {
    /// Submit a function spec; prints the waiting process (member key).
    ///
    /// From a Colonies JSON spec file (`--spec spec.json`, `-` for standard input):
    ///   {"funcname": "echo", "args": ["hi"], "maxexectime": 60,
    ///    "conditions": {"executortype": "cli"}}
    /// or from flags: `--func echo --arg hi --executor-type cli`. The colony comes from
    /// --colony when the spec names none.
    Submit {
        /// A function spec in the Colonies JSON format.
        #[arg(long)]
        spec: Option<String>,
        #[command(flatten)]
        flags: Box<SpecFlags>,
        /// Wait until the process has finished, and print it then.
        #[arg(long)]
        wait: bool,
        /// Seconds to wait with --wait.
        #[arg(long, default_value_t = 60)]
        wait_timeout: i64,
    },
    /// List the functions executors registered in the colony (member key).
    Ls {
        /// Only this executor's.
        #[arg(long, default_value = "")]
        executor: String,
    },
}

/// Runs a function command.
pub async fn run(args: FunctionArgs) -> CommandResult {
    let g = &args.global;
    match args.command {
        FunctionCommand::Submit { spec, flags, wait, wait_timeout } => {
            let mut spec = match spec {
                Some(path) => read_spec(&path)?,
                None => flags.spec()?,
            };
            if spec.conditions.colonyname.is_empty() {
                spec.conditions.colonyname = g.colony()?;
            }
            let client = g.member()?;
            let process = client.submit_function_spec(spec).await?;
            if wait {
                return wait_finished(g, &client, process, wait_timeout).await;
            }
            g.print(&process, output::process)
        }
        FunctionCommand::Ls { executor } => {
            let functions = g.member()?.get_functions(g.colony()?, executor).await?;
            g.print(&functions, |f| output::functions(f))
        }
    }
}
