//! Request bodies: what a POST creates from and what a PUT changes, read and validated
//! from JSON by `from_json`.
//!
//! A create body holds what CryptoMesh's create DTO takes: never the record's own id (a
//! client-given one is ignored) except `sp_id`, which is honoured. `policy_id` is optional
//! here (CryptoMesh requires it and then never shows it), kept and never answered with.
//! An update body has every field optional; what it omits is kept. Every rule of the create
//! body applies to the values an update does give.

use super::{
    Invalid, Metadata, Resources, Storage,
    read::{self, Reader},
};
use alloc::{string::String, vec::Vec};
use serde::Serialize;
use serde_json::Value;

macro_rules! from_json {
    ($($body:ident),* $(,)?) => {$(
        impl $body {
            /// Reads and validates this body, listing every problem under `["body", …]`.
            pub fn from_json(body: &Value) -> Result<Self, Invalid> {
                read::body(body, Self::read)
            }
        }
    )*};
}

from_json!(
    ServiceCreate,
    ServiceUpdate,
    MicroserviceCreate,
    MicroserviceUpdate,
    FunctionCreate,
    FunctionUpdate,
    EndpointCreate,
    EndpointUpdate,
    SecurityPolicyCreate,
    SecurityPolicyUpdate,
    RoleCreate,
    RoleUpdate,
    EndpointStateCreate,
    FunctionStateCreate,
    StateUpdate,
    FunctionResultCreate,
    FunctionResultUpdate,
);

impl Resources {
    pub(crate) fn read(r: &mut Reader, value: &Value) -> Option<Self> {
        let o = r.object(value)?;
        let cpu = r.required(o, "cpu", read::cpu);
        let ram = r.required(o, "ram", read::size);
        Some(Self { cpu: cpu?, ram: ram? })
    }
}

impl Storage {
    pub(crate) fn read(r: &mut Reader, value: &Value) -> Option<Self> {
        let o = r.object(value)?;
        let capacity = r.required(o, "capacity", read::size);
        let source_path = r.required(o, "source_path", read::non_blank);
        let sink_path = r.required(o, "sink_path", read::non_blank);
        Some(Self { capacity: capacity?, source_path: source_path?, sink_path: sink_path? })
    }
}

/// A PUT's `resources`: either field may be left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ResourcesUpdate {
    /// New CPUs; greater than 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu: Option<i64>,
    /// New memory size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ram: Option<String>,
}

impl ResourcesUpdate {
    fn read(r: &mut Reader, value: &Value) -> Option<Self> {
        let o = r.object(value)?;
        let cpu = r.optional(o, "cpu", read::cpu);
        let ram = r.optional(o, "ram", read::size);
        Some(Self { cpu: cpu?, ram: ram? })
    }
}

/// A PUT's `storage`: any field may be left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StorageUpdate {
    /// New capacity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<String>,
    /// New source path; not blank.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_path: Option<String>,
    /// New sink path; not blank.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sink_path: Option<String>,
}

impl StorageUpdate {
    fn read(r: &mut Reader, value: &Value) -> Option<Self> {
        let o = r.object(value)?;
        let capacity = r.optional(o, "capacity", read::size);
        let source_path = r.optional(o, "source_path", read::non_blank);
        let sink_path = r.optional(o, "sink_path", read::non_blank);
        Some(Self { capacity: capacity?, source_path: source_path?, sink_path: sink_path? })
    }
}

/// A security policy to create, alone (`POST /security-policies/`) or embedded in a service
/// or endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecurityPolicyCreate {
    /// Its id, when the client chooses it (not blank); generated otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sp_id: Option<String>,
    /// Role names: at least one, none blank.
    pub roles: Vec<String>,
    /// Whether anonymous callers are refused.
    pub requires_authentication: bool,
}

impl SecurityPolicyCreate {
    pub(crate) fn read(r: &mut Reader, value: &Value) -> Option<Self> {
        let o = r.object(value)?;
        let sp_id = r.optional(o, "sp_id", read::non_blank);
        let roles = r.required(o, "roles", read::role_names);
        let requires_authentication = r.required(o, "requires_authentication", read::boolean);
        Some(Self {
            sp_id: sp_id?,
            roles: roles?,
            requires_authentication: requires_authentication?,
        })
    }
}

/// A change to a security policy, merged field by field.
///
/// `sp_id` is read only inside a service's or endpoint's body (it renames the embedded copy);
/// `PUT /security-policies/{id}` ignores it, as CryptoMesh does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SecurityPolicyUpdate {
    /// New id of an embedded policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sp_id: Option<String>,
    /// New role names: at least one, none blank.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    /// New authentication flag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requires_authentication: Option<bool>,
}

impl SecurityPolicyUpdate {
    fn read(r: &mut Reader, value: &Value) -> Option<Self> {
        let o = r.object(value)?;
        let roles = r.optional(o, "roles", read::role_names);
        let requires_authentication = r.optional(o, "requires_authentication", read::boolean);
        Some(Self { sp_id: None, roles: roles?, requires_authentication: requires_authentication? })
    }

    fn read_embedded(r: &mut Reader, value: &Value) -> Option<Self> {
        let o = r.object(value)?;
        let sp_id = r.optional(o, "sp_id", read::non_blank);
        let update = Self::read(r, value);
        Some(Self { sp_id: sp_id?, ..update? })
    }
}

/// `POST /services/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceCreate {
    /// Its policy.
    pub security_policy: SecurityPolicyCreate,
    /// Its microservices' ids; empty when left out.
    pub microservices: Vec<String>,
    /// What it needs.
    pub resources: Resources,
    /// The policy file entry it comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_id: Option<String>,
}

impl ServiceCreate {
    pub(crate) fn read(r: &mut Reader, value: &Value) -> Option<Self> {
        let o = r.object(value)?;
        let security_policy = r.required(o, "security_policy", SecurityPolicyCreate::read);
        let microservices = r.optional(o, "microservices", read::strings);
        let resources = r.required(o, "resources", Resources::read);
        let policy_id = r.optional(o, "policy_id", read::string);
        Some(Self {
            security_policy: security_policy?,
            microservices: microservices?.unwrap_or_default(),
            resources: resources?,
            policy_id: policy_id?,
        })
    }
}

/// `PUT /services/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ServiceUpdate {
    /// Changes to its resources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourcesUpdate>,
    /// New microservice ids (the list is replaced).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub microservices: Option<Vec<String>>,
    /// Changes to its policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_policy: Option<SecurityPolicyUpdate>,
}

impl ServiceUpdate {
    fn read(r: &mut Reader, value: &Value) -> Option<Self> {
        let o = r.object(value)?;
        let resources = r.optional(o, "resources", ResourcesUpdate::read);
        let microservices = r.optional(o, "microservices", read::strings);
        let security_policy = r.optional(o, "security_policy", SecurityPolicyUpdate::read_embedded);
        Some(Self {
            resources: resources?,
            microservices: microservices?,
            security_policy: security_policy?,
        })
    }
}

/// `POST /microservices/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MicroserviceCreate {
    /// The service it belongs to.
    pub service_id: String,
    /// What it needs.
    pub resources: Resources,
    /// Its functions' ids; empty when left out.
    pub functions: Vec<String>,
    /// The policy file entry it comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_id: Option<String>,
}

impl MicroserviceCreate {
    pub(crate) fn read(r: &mut Reader, value: &Value) -> Option<Self> {
        let o = r.object(value)?;
        let service_id = r.required(o, "service_id", read::string);
        let resources = r.required(o, "resources", Resources::read);
        let functions = r.optional(o, "functions", read::strings);
        let policy_id = r.optional(o, "policy_id", read::string);
        Some(Self {
            service_id: service_id?,
            resources: resources?,
            functions: functions?.unwrap_or_default(),
            policy_id: policy_id?,
        })
    }
}

/// `PUT /microservices/{id}` (`service_id` cannot be changed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MicroserviceUpdate {
    /// Changes to its resources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourcesUpdate>,
    /// New function ids (the list is replaced).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub functions: Option<Vec<String>>,
}

impl MicroserviceUpdate {
    fn read(r: &mut Reader, value: &Value) -> Option<Self> {
        let o = r.object(value)?;
        let resources = r.optional(o, "resources", ResourcesUpdate::read);
        let functions = r.optional(o, "functions", read::strings);
        Some(Self { resources: resources?, functions: functions? })
    }
}

/// `POST /functions/` (the new function's `deployment_status` is always `pending`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunctionCreate {
    /// The microservice it belongs to.
    pub microservice_id: String,
    /// The container image.
    pub image: String,
    /// What it needs.
    pub resources: Resources,
    /// Where it reads and writes.
    pub storage: Storage,
    /// The endpoint it runs on.
    pub endpoint_id: String,
    /// The policy file entry it comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_id: Option<String>,
}

impl FunctionCreate {
    pub(crate) fn read(r: &mut Reader, value: &Value) -> Option<Self> {
        let o = r.object(value)?;
        let microservice_id = r.required(o, "microservice_id", read::string);
        let image = r.required(o, "image", read::string);
        let resources = r.required(o, "resources", Resources::read);
        let storage = r.required(o, "storage", Storage::read);
        let endpoint_id = r.required(o, "endpoint_id", read::string);
        let policy_id = r.optional(o, "policy_id", read::string);
        Some(Self {
            microservice_id: microservice_id?,
            image: image?,
            resources: resources?,
            storage: storage?,
            endpoint_id: endpoint_id?,
            policy_id: policy_id?,
        })
    }
}

/// `PUT /functions/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FunctionUpdate {
    /// New image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Changes to its resources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourcesUpdate>,
    /// Changes to its storage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage: Option<StorageUpdate>,
    /// New endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_id: Option<String>,
    /// New deployment status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment_status: Option<String>,
}

impl FunctionUpdate {
    fn read(r: &mut Reader, value: &Value) -> Option<Self> {
        let o = r.object(value)?;
        let image = r.optional(o, "image", read::string);
        let resources = r.optional(o, "resources", ResourcesUpdate::read);
        let storage = r.optional(o, "storage", StorageUpdate::read);
        let endpoint_id = r.optional(o, "endpoint_id", read::string);
        let deployment_status = r.optional(o, "deployment_status", read::string);
        Some(Self {
            image: image?,
            resources: resources?,
            storage: storage?,
            endpoint_id: endpoint_id?,
            deployment_status: deployment_status?,
        })
    }
}

/// `POST /endpoints/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndpointCreate {
    /// Its name.
    pub name: String,
    /// The image it runs.
    pub image: String,
    /// What it offers.
    pub resources: Resources,
    /// Its policy.
    pub security_policy: SecurityPolicyCreate,
    /// The policy file entry it comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_id: Option<String>,
}

impl EndpointCreate {
    pub(crate) fn read(r: &mut Reader, value: &Value) -> Option<Self> {
        let o = r.object(value)?;
        let name = r.required(o, "name", read::string);
        let image = r.required(o, "image", read::string);
        let resources = r.required(o, "resources", Resources::read);
        let security_policy = r.required(o, "security_policy", SecurityPolicyCreate::read);
        let policy_id = r.optional(o, "policy_id", read::string);
        Some(Self {
            name: name?,
            image: image?,
            resources: resources?,
            security_policy: security_policy?,
            policy_id: policy_id?,
        })
    }
}

/// `PUT /endpoints/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EndpointUpdate {
    /// New name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Changes to its resources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourcesUpdate>,
    /// Changes to its policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_policy: Option<SecurityPolicyUpdate>,
}

impl EndpointUpdate {
    fn read(r: &mut Reader, value: &Value) -> Option<Self> {
        let o = r.object(value)?;
        let name = r.optional(o, "name", read::string);
        let image = r.optional(o, "image", read::string);
        let resources = r.optional(o, "resources", ResourcesUpdate::read);
        let security_policy = r.optional(o, "security_policy", SecurityPolicyUpdate::read_embedded);
        Some(Self {
            name: name?,
            image: image?,
            resources: resources?,
            security_policy: security_policy?,
        })
    }
}

/// `POST /roles/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleCreate {
    /// Its name.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Permission names.
    pub permissions: Vec<String>,
    /// Colonies IDs holding it (our extension; empty when left out).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
}

impl RoleCreate {
    fn read(r: &mut Reader, value: &Value) -> Option<Self> {
        let o = r.object(value)?;
        let name = r.required(o, "name", read::string);
        let description = r.required(o, "description", read::string);
        let permissions = r.required(o, "permissions", read::strings);
        let members = r.optional(o, "members", read::member_ids);
        Some(Self {
            name: name?,
            description: description?,
            permissions: permissions?,
            members: members?.unwrap_or_default(),
        })
    }
}

/// `PUT /roles/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RoleUpdate {
    /// New name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New permissions (the list is replaced).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<String>>,
    /// New members (the list is replaced).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<String>>,
}

impl RoleUpdate {
    fn read(r: &mut Reader, value: &Value) -> Option<Self> {
        let o = r.object(value)?;
        let name = r.optional(o, "name", read::string);
        let description = r.optional(o, "description", read::string);
        let permissions = r.optional(o, "permissions", read::strings);
        let members = r.optional(o, "members", read::member_ids);
        Some(Self {
            name: name?,
            description: description?,
            permissions: permissions?,
            members: members?,
        })
    }
}

/// `POST /endpoint-states/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndpointStateCreate {
    /// The endpoint.
    pub endpoint_id: String,
    /// The state.
    pub state: String,
    /// Anything else; empty when left out.
    pub metadata: Metadata,
}

impl EndpointStateCreate {
    fn read(r: &mut Reader, value: &Value) -> Option<Self> {
        let o = r.object(value)?;
        let endpoint_id = r.required(o, "endpoint_id", read::string);
        let state = r.required(o, "state", read::string);
        let metadata = r.optional(o, "metadata", read::string_map);
        Some(Self {
            endpoint_id: endpoint_id?,
            state: state?,
            metadata: metadata?.unwrap_or_default(),
        })
    }
}

/// `POST /function-states/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunctionStateCreate {
    /// The function.
    pub function_id: String,
    /// The state.
    pub state: String,
    /// Anything else; empty when left out.
    pub metadata: Metadata,
}

impl FunctionStateCreate {
    fn read(r: &mut Reader, value: &Value) -> Option<Self> {
        let o = r.object(value)?;
        let function_id = r.required(o, "function_id", read::string);
        let state = r.required(o, "state", read::string);
        let metadata = r.optional(o, "metadata", read::string_map);
        Some(Self {
            function_id: function_id?,
            state: state?,
            metadata: metadata?.unwrap_or_default(),
        })
    }
}

/// `PUT /endpoint-states/{id}` and `PUT /function-states/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StateUpdate {
    /// New state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// New metadata (the map is replaced, not merged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

impl StateUpdate {
    fn read(r: &mut Reader, value: &Value) -> Option<Self> {
        let o = r.object(value)?;
        let state = r.optional(o, "state", read::string);
        let metadata = r.optional(o, "metadata", read::string_map);
        Some(Self { state: state?, metadata: metadata? })
    }
}

/// `POST /function-results/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunctionResultCreate {
    /// The function.
    pub function_id: String,
    /// The result; empty when left out.
    pub metadata: Metadata,
}

impl FunctionResultCreate {
    fn read(r: &mut Reader, value: &Value) -> Option<Self> {
        let o = r.object(value)?;
        let function_id = r.required(o, "function_id", read::string);
        let metadata = r.optional(o, "metadata", read::string_map);
        Some(Self { function_id: function_id?, metadata: metadata?.unwrap_or_default() })
    }
}

/// `PUT /function-results/{id}` (also moves `timestamp` to now).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FunctionResultUpdate {
    /// New metadata (the map is replaced, not merged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

impl FunctionResultUpdate {
    fn read(r: &mut Reader, value: &Value) -> Option<Self> {
        let o = r.object(value)?;
        let metadata = r.optional(o, "metadata", read::string_map);
        Some(Self { metadata: metadata? })
    }
}
