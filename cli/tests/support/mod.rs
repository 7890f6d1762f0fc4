//! Shared by the `colonies-edge` command's tests: the client tests' support (the black-box
//! suite's server, a colony with an approved executor, the recording proxy; included from
//! client/tests/support), and running the `colonies-edge` binary with that setup.
#![allow(dead_code)] // each test binary uses part of it

#[path = "../../../client/tests/support/mod.rs"]
mod shared;

pub use shared::*;
use std::process::{Command, Output};

impl Setup {
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
