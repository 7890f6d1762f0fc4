//! The native Rust client of Colonies (protocol v1.9.12), and the `colonies-edge` command.
//!
//! [`Client`] sends every RPC of the protocol as a typed async method named after it
//! (`add_colony`, `submit_function_spec`, `assign`, `close_successful`, …; the npm package
//! `colonies-edge` has the same names in camelCase), or any message with [`Client::send`].
//! [`Executor`] is an executor loop: assign with long polling, run a handler, close.
//! [`Client::subscribe_process`] and [`Client::subscribe_processes`] follow processes over
//! the `/pubsub` WebSocket as a [`Stream`](futures_util::Stream).
//!
//! ```no_run
//! use colonies_cli::{Client, PrivateKey};
//! use colonies_cli::core::model::{Conditions, FunctionSpec};
//! # async fn run() -> Result<(), colonies_cli::ClientError> {
//! let key: PrivateKey = "6d2fb6f546bacfd98c68769e61e0b44a697a30596c018a50e28200aa59b01c0a".parse().unwrap();
//! let client = Client::new("http://localhost:50080", key)?;
//! let spec = FunctionSpec {
//!     funcname: "echo".into(),
//!     maxexectime: 60,
//!     conditions: Conditions { colonyname: "dev".into(), executortype: "cli".into(), ..Default::default() },
//!     ..Default::default()
//! };
//! let process = client.submit_function_spec(spec).await?;
//! println!("{}", process.processid);
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

extern crate alloc;

pub mod client;

pub use client::{
    Client, ClientError, ColoniesEnv, Executor, ExecutorEvent, ExecutorOptions, Handler, Job,
    ProcessStream,
};
/// The protocol types this client speaks (models, messages, keys), re-exported.
pub use colonies_core as core;
pub use colonies_core::{Id, PrivateKey};
