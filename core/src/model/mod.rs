//! Every Colonies model, with the exact JSON of protocol §5.
//!
//! Reading is tolerant (unknown fields ignored, missing or `null` fields default, any timestamp
//! offset); writing is strict (every key present, `[]`/`{}` instead of `null`, UTC times), so
//! that every client in the field can read what we write. The error payload
//! [`Failure`](crate::Failure) lives with the envelope.

mod attribute;
mod blueprint;
mod channel;
mod colony;
mod cron;
mod executor;
mod file;
mod filesystem;
mod function;
mod function_spec;
mod generator;
mod location;
mod log;
mod process;
mod server;
mod snapshot;
mod statistics;
pub mod wire;
mod workflow;

pub use attribute::{Attribute, AttributeType};
pub use blueprint::{
    Blueprint, BlueprintDefinition, BlueprintDefinitionSpec, BlueprintHandler, BlueprintHistory,
    BlueprintMetadata, BlueprintNames,
};
pub use channel::MsgEntry;
pub use colony::{Colony, User};
pub use cron::Cron;
pub use executor::{
    Allocations, Capabilities, Executor, ExecutorState, Hardware, Project, Software,
};
pub use file::{File, FileData, Label, Reference, S3Object};
pub use filesystem::{ConflictResolution, Filesystem, OnClose, OnStart, SnapshotMount, SyncDir};
pub use function::{Function, FunctionArg};
pub use function_spec::{Conditions, FunctionSpec, Gpu};
pub use generator::Generator;
pub use location::Location;
pub use log::Log;
pub use process::{Process, ProcessState, StateFilter};
pub use server::{Backend, ClusterConfig, ClusterNode, PauseStatus, ServerInfo};
pub use snapshot::Snapshot;
pub use statistics::Statistics;
pub use wire::JsonObject;
pub use workflow::{
    GraphEdge, GraphNode, NodeData, NodePosition, NodeStyle, ProcessGraph, WorkflowSpec,
};
