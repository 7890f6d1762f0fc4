//! The service mesh of CryptoMesh's REST API (`/api/v1`, issue 18), without I/O: its records
//! and their JSON, the bodies of POST and PUT with CryptoMesh's validators, the PUT merge,
//! the error bodies, who may do what ([`Access`]), and the policy file.
//!
//! A server answers a request in four pure steps around its storage:
//! 1. [`parse_json`] the body, then [`Resource::parse_create`] or [`Resource::parse_update`]
//!    (every problem becomes a FastAPI-style [`Invalid`], 422);
//! 2. [`Access::check`] the caller against the colony's roles and the record's
//!    [`Resource::guard`] ([`Refusal`], 401/403);
//! 3. [`Resource::create`], [`Resource::update`] (or [`Resource::put`]) and
//!    [`Resource::upsert`] build the record to store;
//! 4. the record's JSON is the response; any [`MeshError`] serialises as the error body.
//!
//! Records do not name their colony: a mesh lives in one colony, and the store keys records
//! by colony, [`Kind`] and id.

mod access;
pub mod auth;
mod body;
mod error;
mod guard;
mod model;
pub mod openapi;
mod policy;
mod read;
mod resource;
pub mod rpc;

pub use access::{Access, Permission, Refusal, UnknownPermission};
pub use body::{
    EndpointCreate, EndpointStateCreate, EndpointUpdate, FunctionCreate, FunctionResultCreate,
    FunctionResultUpdate, FunctionStateCreate, FunctionUpdate, MicroserviceCreate,
    MicroserviceUpdate, ResourcesUpdate, RoleCreate, RoleUpdate, SecurityPolicyCreate,
    SecurityPolicyUpdate, ServiceCreate, ServiceUpdate, StateUpdate, StorageUpdate,
};
pub use error::{ApiError, ErrorDetail, Invalid, Loc, MeshError, Problem};
pub use guard::{GUARDING, Guards};
pub use model::{
    Endpoint, EndpointState, Function, FunctionResult, FunctionState, Metadata, Microservice,
    Resources, Role, SecurityPolicy, Service, Storage,
};
pub use policy::{PolicyFile, Upsert, upserts};
pub use read::{parse_json, size_bytes};
pub use resource::{Kind, Resource};
