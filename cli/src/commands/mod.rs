//! One module per subcommand; the flags every client command shares; exit codes.

pub mod colony;
pub mod completions;
pub mod cron;
pub mod executor;
pub mod function;
pub mod generator;
pub mod key;
pub mod log;
pub mod mesh;
pub mod process;
pub mod serve;
pub mod token;
pub mod user;
pub mod watch;
pub mod workflow;

use crate::output;
use clap::{ArgAction, Args, builder::BoolishValueParser};
use colonies_client::{Client, ClientError, PrivateKey};
use core::{fmt, future::Future, time::Duration};
use serde::Serialize;

/// How a command ended, when it did not fail.
#[derive(Debug)]
pub enum Outcome {
    /// It did what was asked.
    Done,
    /// A wait ended before the awaited state (exit code 5).
    WaitExpired(String),
    /// The awaited process failed or was cancelled (exit code 6).
    ProcessFailed(String),
}

/// Why a command failed; decides the exit code.
#[derive(Debug)]
pub enum Failure {
    /// A call failed (the server said no, or could not be reached).
    Client(ClientError),
    /// The command line or its inputs are wrong.
    Usage(String),
    /// `serve` could not run.
    Server(String),
}

impl Failure {
    /// The documented exit code (see `--help`).
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Client(ClientError::Server(_)) | Self::Server(_) => 1,
            Self::Usage(_) | Self::Client(ClientError::Input(_)) => 2,
            Self::Client(ClientError::Connection(_) | ClientError::Timeout(_)) => 3,
            Self::Client(_) => 4,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Client(e) => e.fmt(f),
            Self::Usage(text) | Self::Server(text) => f.write_str(text),
        }
    }
}

impl From<ClientError> for Failure {
    fn from(e: ClientError) -> Self {
        Self::Client(e)
    }
}

/// What a command returns.
pub type CommandResult = Result<Outcome, Failure>;

/// The clients a command made, so that the values of encrypted colonies left sealed (no
/// key of their version) are reported once it ends.
static CLIENTS: std::sync::Mutex<Vec<Client>> = std::sync::Mutex::new(Vec::new());

/// Runs a client command on a runtime of its own, then warns on standard error about any
/// value of an encrypted colony that was shown still encrypted.
pub fn block_on(command: impl Future<Output = CommandResult>) -> CommandResult {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Usage(format!("cannot start the async runtime: {e}")))?;
    let result = runtime.block_on(command);
    let clients = core::mem::take(&mut *CLIENTS.lock().unwrap_or_else(|e| e.into_inner()));
    for client in clients {
        for warning in client.take_e2e_warnings() {
            eprintln!("colonies-edge: warning: {warning}");
        }
    }
    result
}

/// Connection, keys and output flags shared by every client command; each also comes from
/// the environment variable the Colonies tools use.
#[derive(Debug, Clone, Args)]
pub struct Global {
    /// Server host name or address.
    #[arg(long, global = true, env = "COLONIES_SERVER_HOST", default_value = "localhost")]
    pub server_host: String,
    /// Server port.
    #[arg(long, global = true, env = "COLONIES_SERVER_PORT", default_value_t = 50080)]
    pub server_port: u16,
    /// Reach the server over TLS (https, wss).
    #[arg(long, global = true, env = "COLONIES_SERVER_TLS", action = ArgAction::Set,
          num_args = 0..=1, default_value = "false", default_missing_value = "true",
          value_parser = BoolishValueParser::new())]
    pub server_tls: bool,
    /// The server's URL (http://host:port), instead of host, port and TLS.
    #[arg(long, global = true)]
    pub server_url: Option<String>,
    /// Private key (hex) of the user or executor acting (member commands).
    #[arg(long, global = true, env = "COLONIES_PRVKEY", hide_env_values = true)]
    pub prvkey: Option<String>,
    /// The colony.
    #[arg(long, global = true, env = "COLONIES_COLONY_NAME")]
    pub colony: Option<String>,
    /// Private key (hex) of the colony owner (adding executors and users).
    #[arg(long, global = true, env = "COLONIES_COLONY_PRVKEY", hide_env_values = true)]
    pub colony_prvkey: Option<String>,
    /// Private key (hex) of the server owner (adding and removing colonies).
    #[arg(long, global = true, env = "COLONIES_SERVER_PRVKEY", hide_env_values = true)]
    pub server_prvkey: Option<String>,
    /// Print JSON (the server's reply) instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    /// Seconds a call may take.
    #[arg(long, global = true, default_value_t = 30)]
    pub timeout: u64,
    /// Bind signed requests against replay (on by default): a fresh nonce, the signing time
    /// and the server's ID (from getserverinfomsg) go into every payload, so a captured
    /// request cannot be sent again. Servers that do not check them ignore them; a server
    /// that tells no ID gets unbound requests.
    #[arg(long, global = true, env = "COLONIES_REPLAY_BINDING", action = ArgAction::Set,
          num_args = 0..=1, default_value = "true", default_missing_value = "true",
          value_parser = BoolishValueParser::new(), value_name = "BOOL")]
    pub replay_binding: bool,
    /// Sign requests without replay binding, as Colonies clients always have (the same as
    /// --replay-binding false or COLONIES_REPLAY_BINDING=false).
    #[arg(long, global = true)]
    pub no_replay_binding: bool,
}

impl Global {
    /// The server's base URL.
    pub fn url(&self) -> String {
        match &self.server_url {
            Some(url) => url.clone(),
            None => {
                let scheme = if self.server_tls { "https" } else { "http" };
                format!("{scheme}://{}:{}", self.server_host, self.server_port)
            }
        }
    }

    fn client_signing(&self, hex: Option<&str>, what: &str) -> Result<Client, Failure> {
        let hex = hex.ok_or_else(|| Failure::Usage(format!("{what} is needed")))?;
        let key: PrivateKey = hex
            .trim()
            .parse()
            .map_err(|e| Failure::Usage(format!("{what} is not a private key: {e}")))?;
        let client = Client::new(&self.url(), key)?
            .with_timeout(Duration::from_secs(self.timeout))
            .with_binding(self.binds());
        CLIENTS.lock().unwrap_or_else(|e| e.into_inner()).push(client.clone());
        Ok(client)
    }

    /// Whether requests are bound against replay (`--replay-binding`, unless
    /// `--no-replay-binding`).
    pub fn binds(&self) -> bool {
        self.replay_binding && !self.no_replay_binding
    }

    /// A client signing as the acting user or executor (COLONIES_PRVKEY).
    pub fn member(&self) -> Result<Client, Failure> {
        self.client_signing(self.prvkey.as_deref(), "--prvkey or COLONIES_PRVKEY")
    }

    /// A client signing as the colony owner (COLONIES_COLONY_PRVKEY).
    pub fn colony_owner(&self) -> Result<Client, Failure> {
        self.client_signing(
            self.colony_prvkey.as_deref(),
            "--colony-prvkey or COLONIES_COLONY_PRVKEY",
        )
    }

    /// A client signing as the server owner (COLONIES_SERVER_PRVKEY).
    pub fn server_owner(&self) -> Result<Client, Failure> {
        self.client_signing(
            self.server_prvkey.as_deref(),
            "--server-prvkey or COLONIES_SERVER_PRVKEY",
        )
    }

    /// The colony name, which this command needs.
    pub fn colony(&self) -> Result<String, Failure> {
        self.colony
            .clone()
            .ok_or_else(|| Failure::Usage("--colony or COLONIES_COLONY_NAME is needed".into()))
    }

    /// Prints `value` as JSON with `--json`, else calls `human`.
    pub fn print<T: Serialize>(&self, value: &T, human: impl FnOnce(&T)) -> CommandResult {
        if self.json {
            output::json(value);
        } else {
            human(value);
        }
        Ok(Outcome::Done)
    }

    /// Reports a call that has no reply body: `{}` with `--json`, `text` otherwise.
    pub fn done(&self, text: &str) -> CommandResult {
        if self.json {
            println!("{{}}");
        } else {
            println!("{text}");
        }
        Ok(Outcome::Done)
    }
}

/// Reads a file, or standard input for `-`.
pub fn read_input(path: &str) -> Result<String, Failure> {
    if path == "-" {
        std::io::read_to_string(std::io::stdin())
            .map_err(|e| Failure::Usage(format!("cannot read standard input: {e}")))
    } else {
        std::fs::read_to_string(path)
            .map_err(|e| Failure::Usage(format!("cannot read {path}: {e}")))
    }
}
