//! The `colonies-edge` command's crate. The native Rust client of Colonies lives in the
//! `colonies-client` crate ([`colonies_client`], with no server dependencies); depend on it
//! rather than on this crate, which also builds the server for `colonies-edge serve`.
//!
//! Its items are re-exported here so that the paths `colonies_cli::Client`,
//! `colonies_cli::core::…` and `colonies_cli::client::…` keep working:
//!
//! ```no_run
//! use colonies_cli::{Client, PrivateKey};
//! # fn run() -> Result<(), colonies_cli::ClientError> {
//! let key: PrivateKey = "6d2fb6f546bacfd98c68769e61e0b44a697a30596c018a50e28200aa59b01c0a".parse().unwrap();
//! let client: colonies_client::Client = Client::new("http://localhost:50080", key)?;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

/// The client crate, under the path it had here (`colonies_cli::client::…`).
pub use colonies_client as client;
/// The protocol types the client speaks (models, messages, keys), re-exported.
pub use colonies_client::core;
pub use colonies_client::{
    Client, ClientError, ColoniesEnv, Executor, ExecutorEvent, ExecutorOptions, Handler, Job,
    ProcessStream,
};
pub use colonies_client::{Id, PrivateKey};
