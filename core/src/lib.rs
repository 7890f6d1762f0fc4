#![no_std]
#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
// The portable core names `core`/`alloc` paths so it never grows a hidden std dependency;
// the std-only crates (server, CLI, tests) are not held to this.
#![warn(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

/// Cron expressions with seconds, as Colonies crons use them.
pub mod cron;
pub mod crypto;
pub mod e2e;
pub mod envelope;
pub mod gojson;
/// Workflow graphs: a spec into processes and edges, and their drawing.
pub mod graph;
pub mod hex;
pub mod mesh;
/// Every Colonies message (protocol §4), the payloadtype registry and roles.
pub mod message;
/// Every Colonies model (protocol §5), with serde.
pub mod model;
/// The protocol's pure rules: priority, resources, names, state transitions, authorisation.
pub mod rules;
/// The protocol as a JSON Schema document, and the npm package's TypeScript declarations.
#[cfg(feature = "schema")]
pub mod schema;
/// RFC 3339 timestamps with Go's zero time as "unset".
pub mod time;

pub use crypto::{CryptoError, Id, PrivateKey, PublicKey, RecoveryId, Signature};
pub use envelope::{EnvelopeError, Failure, RpcMsg, RpcReplyMsg};
