//! Shared by the CLI and client tests: the black-box suite's server, a colony with an
//! approved executor, and running the `colonies-edge` binary.
#![allow(dead_code)] // each test binary uses part of it

use colonies_blackbox::{server, unique};
use colonies_cli::{
    Client, PrivateKey,
    core::model::{Colony, Conditions, Executor, FunctionSpec},
};
use std::process::{Command, Output};

/// A colony with one approved executor, and everybody's keys.
pub struct Setup {
    /// The server's base URL.
    pub url: String,
    /// The colony's name.
    pub colony: String,
    /// The executor's type.
    pub executortype: String,
    /// The executor's name.
    pub executorname: String,
    /// Server owner key (hex).
    pub server_prvkey: String,
    /// Colony owner key (hex).
    pub colony_prvkey: String,
    /// Executor key (hex).
    pub executor_prvkey: String,
    /// A client signing as the executor.
    pub executor: Client,
}

fn key() -> PrivateKey {
    PrivateKey::generate().expect("a key")
}

/// Adds a colony and an approved executor with the Rust client.
pub async fn setup(prefix: &str) -> Setup {
    let server = server();
    let owner = Client::new(&server.url, server.owner.clone()).expect("a client");
    let (colony_key, executor_key) = (key(), key());
    let colony = unique(prefix);
    owner
        .add_colony(Colony { colonyid: colony_key.id().to_hex(), name: colony.clone() })
        .await
        .expect("add_colony");
    let colony_owner = owner.with_key(colony_key.clone());
    let executortype = format!("{prefix}-type");
    let executorname = format!("{prefix}-executor");
    colony_owner
        .add_executor(Executor {
            executorid: executor_key.id().to_hex(),
            executortype: executortype.clone(),
            executorname: executorname.clone(),
            colonyname: colony.clone(),
            ..Executor::default()
        })
        .await
        .expect("add_executor");
    colony_owner.approve_executor(colony.clone(), executorname.clone()).await.expect("approve");
    Setup {
        url: server.url.clone(),
        colony,
        executortype,
        executorname,
        server_prvkey: server.owner.to_hex(),
        colony_prvkey: colony_key.to_hex(),
        executor_prvkey: executor_key.to_hex(),
        executor: owner.with_key(executor_key),
    }
}

impl Setup {
    /// A spec of `funcname` for this colony's executor type.
    pub fn spec(&self, funcname: &str, args: &[&str]) -> FunctionSpec {
        FunctionSpec {
            funcname: funcname.into(),
            args: args.iter().map(|a| serde_json::Value::from(*a)).collect(),
            maxexectime: 60,
            conditions: Conditions {
                colonyname: self.colony.clone(),
                executortype: self.executortype.clone(),
                ..Conditions::default()
            },
            ..FunctionSpec::default()
        }
    }

    /// `colonies-edge` with this setup's Colonies environment (the executor as COLONIES_PRVKEY).
    pub fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_colonies-edge"));
        let (host, port) =
            self.url.trim_start_matches("http://").split_once(':').expect("http://host:port");
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("COLONIES_SERVER_HOST", host)
            .env("COLONIES_SERVER_PORT", port)
            .env("COLONIES_SERVER_TLS", "false")
            .env("COLONIES_SERVER_PRVKEY", &self.server_prvkey)
            .env("COLONIES_COLONY_NAME", &self.colony)
            .env("COLONIES_COLONY_PRVKEY", &self.colony_prvkey)
            .env("COLONIES_PRVKEY", &self.executor_prvkey)
            .env("COLONIES_EXECUTOR_NAME", &self.executorname)
            .env("COLONIES_EXECUTOR_TYPE", &self.executortype);
        command
    }

    /// Runs `colonies-edge ARGS` and returns its output.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("colonies-edge runs")
    }

    /// Runs `colonies-edge ARGS --json`, asserts exit code 0 and returns the JSON.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let output = self.command().args(args).arg("--json").output().expect("colonies-edge runs");
        assert_eq!(
            output.status.code(),
            Some(0),
            "colonies-edge {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "colonies-edge {args:?} printed no JSON ({e}): {}",
                String::from_utf8_lossy(&output.stdout)
            )
        })
    }
}
