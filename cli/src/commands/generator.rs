//! `generator add|ls|get|pack|rm`.

use super::{CommandResult, Failure, Global, workflow::read_workflow};
use crate::output;
use clap::{Args, Subcommand};
use colonies_client::core::model::Generator;

/// `generator` and its subcommands.
#[derive(Debug, Args)]
pub struct GeneratorArgs {
    #[command(subcommand)]
    command: GeneratorCommand,
    #[command(flatten)]
    global: Global,
}

#[derive(Debug, Subcommand)]
enum GeneratorCommand {
    /// Add a generator: a workflow started once `--trigger` arguments are packed (member key).
    Add {
        /// The generator's name.
        #[arg(long)]
        name: String,
        /// The workflow spec file (as for `workflow submit`).
        #[arg(long)]
        spec: String,
        /// How many packed arguments start a workflow.
        #[arg(long)]
        trigger: i64,
        /// Seconds after the first pack when fewer arguments start one anyway (0: never).
        #[arg(long, default_value_t = 0)]
        timeout: i64,
    },
    /// List the generators of the colony (member key).
    Ls {
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        count: i64,
    },
    /// Show a generator (member key).
    Get {
        /// The generator ID.
        generatorid: String,
    },
    /// Queue an argument for the generator's next workflow (member key).
    Pack {
        /// The generator ID.
        generatorid: String,
        /// The argument.
        arg: String,
    },
    /// Remove a generator (member key).
    Rm {
        /// The generator ID.
        generatorid: String,
    },
}

/// Runs a generator command.
pub async fn run(args: GeneratorArgs) -> CommandResult {
    let g = &args.global;
    let client = g.member()?;
    match args.command {
        GeneratorCommand::Add { name, spec, trigger, timeout } => {
            let colony = g.colony()?;
            let workflow = read_workflow(&spec, Some(colony.clone()))?;
            let workflowspec =
                serde_json::to_string(&workflow).map_err(|e| Failure::Usage(e.to_string()))?;
            let generator = Generator {
                colonyname: colony,
                name,
                workflowspec,
                trigger,
                timeout,
                ..Generator::default()
            };
            let added = client.add_generator(generator).await?;
            g.print(&added, |x| output::generators(core::slice::from_ref(x)))
        }
        GeneratorCommand::Ls { count } => {
            let generators = client.get_generators(g.colony()?, count).await?;
            g.print(&generators, |x| output::generators(x))
        }
        GeneratorCommand::Get { generatorid } => {
            let generator = client.get_generator(generatorid).await?;
            g.print(&generator, |x| output::generators(core::slice::from_ref(x)))
        }
        GeneratorCommand::Pack { generatorid, arg } => {
            client.pack_generator(generatorid.clone(), arg).await?;
            g.done(&format!("packed an argument for generator {generatorid}"))
        }
        GeneratorCommand::Rm { generatorid } => {
            client.remove_generator(generatorid.clone()).await?;
            g.done(&format!("removed generator {generatorid}"))
        }
    }
}
