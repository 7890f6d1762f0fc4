//! The stored records and their JSON: exactly CryptoMesh's response shapes.
//!
//! Fields CryptoMesh stores but never answers with (`policy_id`; a function's
//! `microservice_id` and `endpoint_id`) are kept in the record and skipped when writing, so the
//! JSON of a record *is* the response. Reading (a client reading a response) leaves them empty.
//! No record names its colony: the store keys records by colony, kind and id.

use crate::time::Timestamp;
use alloc::{collections::BTreeMap, string::String, vec::Vec};
use serde::{Deserialize, Serialize};

/// Free-form string metadata of states and results.
pub type Metadata = BTreeMap<String, String>;

/// What a service, microservice, function or endpoint needs: `{"cpu":2,"ram":"2GB"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resources {
    /// CPUs; greater than 0.
    pub cpu: i64,
    /// Memory: a number and `GB` or `MB` in any case (see [`size_bytes`](super::size_bytes)).
    pub ram: String,
}

/// Where a function reads and writes: `{"capacity":"10GB","source_path":…,"sink_path":…}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Storage {
    /// A size, like `ram`.
    pub capacity: String,
    /// Where input is read from; not blank.
    pub source_path: String,
    /// Where output is written to; not blank.
    pub sink_path: String,
}

/// Who may act on what it guards: role names and whether callers must identify themselves.
///
/// Both a resource of its own (`/security-policies`) and embedded in services and endpoints;
/// the two copies are independent, as in CryptoMesh. See [`Access`](super::Access) for
/// what the fields mean.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityPolicy {
    /// Its id: chosen by the client or generated.
    pub sp_id: String,
    /// Names of roles ([`Role::name`]); at least one, none blank.
    pub roles: Vec<String>,
    /// Whether anonymous callers are refused.
    pub requires_authentication: bool,
}

/// A service: a group of microservices under one security policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    /// Its id.
    pub service_id: String,
    /// Ids of its microservices (not checked to exist, as in CryptoMesh).
    pub microservices: Vec<String>,
    /// What it needs.
    pub resources: Resources,
    /// The policy guarding it.
    pub security_policy: SecurityPolicy,
    /// The policy file entry it came from; never in responses.
    #[serde(default, skip_serializing)]
    pub policy_id: String,
}

/// A microservice: a group of functions within a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Microservice {
    /// Its id.
    pub microservice_id: String,
    /// The service it belongs to.
    pub service_id: String,
    /// Ids of its functions.
    pub functions: Vec<String>,
    /// What it needs.
    pub resources: Resources,
    /// The policy file entry it came from; never in responses.
    #[serde(default, skip_serializing)]
    pub policy_id: String,
}

/// A function: an image deployed on an endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Function {
    /// Its id.
    pub function_id: String,
    /// The container image.
    pub image: String,
    /// `pending` when created; then e.g. `initiated`, `completed`, `failed`.
    pub deployment_status: String,
    /// What it needs.
    pub resources: Resources,
    /// Where it reads and writes.
    pub storage: Storage,
    /// The microservice it belongs to; never in responses.
    #[serde(default, skip_serializing)]
    pub microservice_id: String,
    /// The endpoint it runs on; never in responses.
    #[serde(default, skip_serializing)]
    pub endpoint_id: String,
    /// The policy file entry it came from; never in responses.
    #[serde(default, skip_serializing)]
    pub policy_id: String,
}

/// An endpoint: where functions run (on Colonies Edge, an executor of the colony).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    /// Its id.
    pub endpoint_id: String,
    /// Its name.
    pub name: String,
    /// The image it runs.
    pub image: String,
    /// What it offers.
    pub resources: Resources,
    /// The policy guarding it.
    pub security_policy: SecurityPolicy,
    /// The policy file entry it came from; never in responses.
    #[serde(default, skip_serializing)]
    pub policy_id: String,
}

/// A role: permissions, and (our extension) the Colonies identities that hold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    /// Its id.
    pub role_id: String,
    /// Its name, as security policies list it.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Permission names; those of [`Permission`](super::Permission) and `*` mean something,
    /// others (CryptoMesh's `read`, `write`…) are kept and grant nothing.
    pub permissions: Vec<String>,
    /// Colonies IDs (64 lower-case hex digits) holding the role; omitted from JSON when empty,
    /// so CryptoMesh's clients see their own shape.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
}

/// A recorded state of an endpoint (`warm`, `cold`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointState {
    /// Its id.
    pub state_id: String,
    /// The endpoint.
    pub endpoint_id: String,
    /// The state.
    pub state: String,
    /// Anything else.
    pub metadata: Metadata,
    /// When it was recorded.
    pub timestamp: Timestamp,
}

/// A recorded state of a function (`running`, `completed`, `failed`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionState {
    /// Its id.
    pub state_id: String,
    /// The function.
    pub function_id: String,
    /// The state.
    pub state: String,
    /// Anything else.
    pub metadata: Metadata,
    /// When it was recorded.
    pub timestamp: Timestamp,
}

/// A recorded result of a function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionResult {
    /// Its id.
    pub result_id: String,
    /// The function.
    pub function_id: String,
    /// The result.
    pub metadata: Metadata,
    /// When it was recorded or last changed.
    pub timestamp: Timestamp,
}
