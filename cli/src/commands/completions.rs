//! `completions <shell>`: shell completion scripts from the command definition.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

/// Flags of `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    shell: Shell,
}

/// Prints the completion script of `C` for the shell.
pub fn run<C: CommandFactory>(args: &CompletionsArgs) {
    let mut command = C::command();
    let name = command.get_name().to_owned();
    clap_complete::generate(args.shell, &mut command, name, &mut std::io::stdout());
}
