//! The nine resources as one trait: their path, how a POST builds a record and how a PUT
//! merges into one, so routes and storage can be written once.

use super::{
    Endpoint, EndpointState, Function, FunctionResult, FunctionState, Invalid, Microservice,
    Permission, Resources, Role, SecurityPolicy, Service, Storage, body::*,
};
use crate::time::Timestamp;
use alloc::{borrow::ToOwned, string::String, vec, vec::Vec};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

/// Which of the nine resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// `services`
    Service,
    /// `microservices`
    Microservice,
    /// `functions`
    Function,
    /// `endpoints`
    Endpoint,
    /// `security-policies`
    SecurityPolicy,
    /// `roles`
    Role,
    /// `endpoint-states`
    EndpointState,
    /// `function-states`
    FunctionState,
    /// `function-results`
    FunctionResult,
}

impl Kind {
    /// All nine, in CryptoMesh's order.
    pub const ALL: [Self; 9] = [
        Self::Service,
        Self::Microservice,
        Self::Function,
        Self::Endpoint,
        Self::SecurityPolicy,
        Self::Role,
        Self::EndpointState,
        Self::FunctionState,
        Self::FunctionResult,
    ];

    /// The path segments of [`Self::ALL`], in that order.
    pub const PATHS: [&'static str; 9] = {
        let mut paths = [""; 9];
        let mut i = 0;
        while i < paths.len() {
            paths[i] = Self::ALL[i].path();
            i += 1;
        }
        paths
    };

    /// The collection's path segment under `/api/v1`: `services`, `security-policies`, …
    pub const fn path(self) -> &'static str {
        match self {
            Self::Service => "services",
            Self::Microservice => "microservices",
            Self::Function => "functions",
            Self::Endpoint => "endpoints",
            Self::SecurityPolicy => "security-policies",
            Self::Role => "roles",
            Self::EndpointState => "endpoint-states",
            Self::FunctionState => "function-states",
            Self::FunctionResult => "function-results",
        }
    }

    /// The kind whose collection is `segment`.
    pub fn from_path(segment: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.path() == segment)
    }

    /// The id field of its records (and the item route's parameter): `service_id`, `sp_id`, …
    pub const fn id_field(self) -> &'static str {
        match self {
            Self::Service => "service_id",
            Self::Microservice => "microservice_id",
            Self::Function => "function_id",
            Self::Endpoint => "endpoint_id",
            Self::SecurityPolicy => "sp_id",
            Self::Role => "role_id",
            Self::EndpointState | Self::FunctionState => "state_id",
            Self::FunctionResult => "result_id",
        }
    }

    /// What one record is called in messages: `service`, `security policy`, …
    pub const fn noun(self) -> &'static str {
        match self {
            Self::Service => "service",
            Self::Microservice => "microservice",
            Self::Function => "function",
            Self::Endpoint => "endpoint",
            Self::SecurityPolicy => "security policy",
            Self::Role => "role",
            Self::EndpointState => "endpoint state",
            Self::FunctionState => "function state",
            Self::FunctionResult => "function result",
        }
    }

    /// The permission a POST, PUT or DELETE of this kind needs: `policy:write` for security
    /// policies and roles (they decide who may do what), `catalog:write` for the rest.
    /// Reading any kind needs `catalog:read`.
    pub const fn write_permission(self) -> Permission {
        match self {
            Self::SecurityPolicy | Self::Role => Permission::PolicyWrite,
            _ => Permission::CatalogWrite,
        }
    }
}

/// One of the nine resources: its record type with its create and update bodies.
///
/// The record's JSON (`Serialize`) is the response body. Core has no clock and no random
/// source, so ids and "now" are parameters: the server passes fresh UUIDs and its time.
pub trait Resource: Clone + Serialize + DeserializeOwned {
    /// Which resource this is.
    const KIND: Kind;
    /// The POST body.
    type Create;
    /// The PUT body.
    type Update;

    /// The record's id.
    fn id(&self) -> &str;

    /// Reads and validates a POST body.
    fn parse_create(body: &Value) -> Result<Self::Create, Invalid>;

    /// Reads and validates a PUT body.
    fn parse_update(body: &Value) -> Result<Self::Update, Invalid>;

    /// The record a POST creates: its id is `id` (for a security policy, the body's `sp_id`
    /// when it names one); `fresh` gives an id to an embedded policy without `sp_id`; states
    /// and results are stamped `now`.
    fn create(
        body: Self::Create,
        id: String,
        fresh: &mut dyn FnMut() -> String,
        now: Timestamp,
    ) -> Self;

    /// Merges a PUT into the record, field by field and recursively for `resources`, `storage`
    /// and `security_policy`; what the body leaves out is kept (an embedded policy keeps its
    /// `sp_id`). A function result's `timestamp` becomes `now`.
    fn update(&mut self, body: Self::Update, now: Timestamp);

    /// The security policy guarding this record itself: the embedded one of a service or
    /// an endpoint. Others are guarded by what they belong to, which only the store can look up.
    fn guard(&self) -> Option<&SecurityPolicy> {
        None
    }

    /// The fields a response never shows but the store keeps (`policy_id`; a function's
    /// `microservice_id` and `endpoint_id`), as `(name, value)`.
    fn hidden(&self) -> Vec<(&'static str, &str)> {
        Vec::new()
    }

    /// The JSON to store: the response's JSON with the [`hidden`](Self::hidden) fields, which
    /// reading it back (`serde_json::from_value`) restores.
    fn to_stored(&self) -> Value {
        let mut json = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Some(object) = json.as_object_mut() {
            for (name, value) in self.hidden() {
                object.insert(name.into(), value.into());
            }
        }
        json
    }

    /// A whole PUT: reads and validates `body`, and returns the merged record.
    fn put(&self, body: &Value, now: Timestamp) -> Result<Self, Invalid> {
        let update = Self::parse_update(body)?;
        let mut next = self.clone();
        next.update(update, now);
        Ok(next)
    }

    /// The record a policy file entry leaves behind (create or replace, so applying a file
    /// twice changes nothing): built from `body` with id `id`; over a `stored` record, an
    /// embedded policy the entry gives no `sp_id` keeps the stored one.
    fn upsert(
        stored: Option<&Self>,
        id: &str,
        body: Self::Create,
        fresh: &mut dyn FnMut() -> String,
        now: Timestamp,
    ) -> Self {
        let kept = stored.and_then(Self::guard).map(|policy| policy.sp_id.clone());
        let mut kept_or_fresh = || kept.clone().unwrap_or_else(&mut *fresh);
        Self::create(body, id.to_owned(), &mut kept_or_fresh, now)
    }
}

/// Overwrites `field` when the update gives a value.
fn set<T>(field: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *field = value;
    }
}

impl Resources {
    fn merge(&mut self, update: Option<ResourcesUpdate>) {
        let Some(update) = update else { return };
        set(&mut self.cpu, update.cpu);
        set(&mut self.ram, update.ram);
    }
}

impl Storage {
    fn merge(&mut self, update: Option<StorageUpdate>) {
        let Some(update) = update else { return };
        set(&mut self.capacity, update.capacity);
        set(&mut self.source_path, update.source_path);
        set(&mut self.sink_path, update.sink_path);
    }
}

impl SecurityPolicy {
    fn new(body: SecurityPolicyCreate, fresh: &mut dyn FnMut() -> String) -> Self {
        Self {
            sp_id: body.sp_id.unwrap_or_else(fresh),
            roles: body.roles,
            requires_authentication: body.requires_authentication,
        }
    }

    fn merge(&mut self, update: Option<SecurityPolicyUpdate>) {
        let Some(update) = update else { return };
        set(&mut self.sp_id, update.sp_id);
        set(&mut self.roles, update.roles);
        set(&mut self.requires_authentication, update.requires_authentication);
    }
}

macro_rules! resource {
    ($record:ident, $create:ident, $update:ident, $id:ident) => {
        const KIND: Kind = Kind::$record;
        type Create = $create;
        type Update = $update;

        fn id(&self) -> &str {
            &self.$id
        }

        fn parse_create(body: &Value) -> Result<$create, Invalid> {
            $create::from_json(body)
        }

        fn parse_update(body: &Value) -> Result<$update, Invalid> {
            $update::from_json(body)
        }
    };
}

impl Resource for Service {
    resource!(Service, ServiceCreate, ServiceUpdate, service_id);

    fn create(
        body: ServiceCreate,
        id: String,
        fresh: &mut dyn FnMut() -> String,
        _: Timestamp,
    ) -> Self {
        Self {
            service_id: id,
            microservices: body.microservices,
            resources: body.resources,
            security_policy: SecurityPolicy::new(body.security_policy, fresh),
            policy_id: body.policy_id.unwrap_or_default(),
        }
    }

    fn update(&mut self, body: ServiceUpdate, _: Timestamp) {
        self.resources.merge(body.resources);
        set(&mut self.microservices, body.microservices);
        self.security_policy.merge(body.security_policy);
    }

    fn guard(&self) -> Option<&SecurityPolicy> {
        Some(&self.security_policy)
    }

    fn hidden(&self) -> Vec<(&'static str, &str)> {
        vec![("policy_id", &self.policy_id)]
    }
}

impl Resource for Microservice {
    resource!(Microservice, MicroserviceCreate, MicroserviceUpdate, microservice_id);

    fn create(
        body: MicroserviceCreate,
        id: String,
        _: &mut dyn FnMut() -> String,
        _: Timestamp,
    ) -> Self {
        Self {
            microservice_id: id,
            service_id: body.service_id,
            functions: body.functions,
            resources: body.resources,
            policy_id: body.policy_id.unwrap_or_default(),
        }
    }

    fn update(&mut self, body: MicroserviceUpdate, _: Timestamp) {
        self.resources.merge(body.resources);
        set(&mut self.functions, body.functions);
    }

    fn hidden(&self) -> Vec<(&'static str, &str)> {
        vec![("policy_id", &self.policy_id)]
    }
}

impl Resource for Function {
    resource!(Function, FunctionCreate, FunctionUpdate, function_id);

    fn create(
        body: FunctionCreate,
        id: String,
        _: &mut dyn FnMut() -> String,
        _: Timestamp,
    ) -> Self {
        Self {
            function_id: id,
            image: body.image,
            deployment_status: "pending".into(),
            resources: body.resources,
            storage: body.storage,
            microservice_id: body.microservice_id,
            endpoint_id: body.endpoint_id,
            policy_id: body.policy_id.unwrap_or_default(),
        }
    }

    fn update(&mut self, body: FunctionUpdate, _: Timestamp) {
        set(&mut self.image, body.image);
        self.resources.merge(body.resources);
        self.storage.merge(body.storage);
        set(&mut self.endpoint_id, body.endpoint_id);
        set(&mut self.deployment_status, body.deployment_status);
    }

    fn hidden(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("microservice_id", &self.microservice_id),
            ("endpoint_id", &self.endpoint_id),
            ("policy_id", &self.policy_id),
        ]
    }

    /// As the default, and a stored function keeps its `deployment_status`: the server owns it.
    fn upsert(
        stored: Option<&Self>,
        id: &str,
        body: FunctionCreate,
        fresh: &mut dyn FnMut() -> String,
        now: Timestamp,
    ) -> Self {
        let mut function = Self::create(body, id.to_owned(), fresh, now);
        if let Some(stored) = stored {
            function.deployment_status.clone_from(&stored.deployment_status);
        }
        function
    }
}

impl Resource for Endpoint {
    resource!(Endpoint, EndpointCreate, EndpointUpdate, endpoint_id);

    fn create(
        body: EndpointCreate,
        id: String,
        fresh: &mut dyn FnMut() -> String,
        _: Timestamp,
    ) -> Self {
        Self {
            endpoint_id: id,
            name: body.name,
            image: body.image,
            resources: body.resources,
            security_policy: SecurityPolicy::new(body.security_policy, fresh),
            policy_id: body.policy_id.unwrap_or_default(),
        }
    }

    fn update(&mut self, body: EndpointUpdate, _: Timestamp) {
        set(&mut self.name, body.name);
        set(&mut self.image, body.image);
        self.resources.merge(body.resources);
        self.security_policy.merge(body.security_policy);
    }

    fn guard(&self) -> Option<&SecurityPolicy> {
        Some(&self.security_policy)
    }

    fn hidden(&self) -> Vec<(&'static str, &str)> {
        vec![("policy_id", &self.policy_id)]
    }
}

impl Resource for SecurityPolicy {
    resource!(SecurityPolicy, SecurityPolicyCreate, SecurityPolicyUpdate, sp_id);

    fn create(
        body: SecurityPolicyCreate,
        id: String,
        _: &mut dyn FnMut() -> String,
        _: Timestamp,
    ) -> Self {
        Self::new(body, &mut || id.clone())
    }

    fn update(&mut self, body: SecurityPolicyUpdate, _: Timestamp) {
        // The record's own id never changes.
        self.merge(Some(SecurityPolicyUpdate { sp_id: None, ..body }));
    }
}

impl Resource for Role {
    resource!(Role, RoleCreate, RoleUpdate, role_id);

    fn create(body: RoleCreate, id: String, _: &mut dyn FnMut() -> String, _: Timestamp) -> Self {
        Self {
            role_id: id,
            name: body.name,
            description: body.description,
            permissions: body.permissions,
            members: body.members,
        }
    }

    fn update(&mut self, body: RoleUpdate, _: Timestamp) {
        set(&mut self.name, body.name);
        set(&mut self.description, body.description);
        set(&mut self.permissions, body.permissions);
        set(&mut self.members, body.members);
    }
}

/// The two kinds of state: alike but for the record they belong to (`$owner`).
macro_rules! state_resource {
    ($record:ident, $create:ident, $owner:ident) => {
        impl Resource for $record {
            resource!($record, $create, StateUpdate, state_id);

            fn create(
                body: $create,
                id: String,
                _: &mut dyn FnMut() -> String,
                now: Timestamp,
            ) -> Self {
                Self {
                    state_id: id,
                    $owner: body.$owner,
                    state: body.state,
                    metadata: body.metadata,
                    timestamp: now,
                }
            }

            fn update(&mut self, body: StateUpdate, _: Timestamp) {
                set(&mut self.state, body.state);
                set(&mut self.metadata, body.metadata);
            }
        }
    };
}

state_resource!(EndpointState, EndpointStateCreate, endpoint_id);
state_resource!(FunctionState, FunctionStateCreate, function_id);

impl Resource for FunctionResult {
    resource!(FunctionResult, FunctionResultCreate, FunctionResultUpdate, result_id);

    fn create(
        body: FunctionResultCreate,
        id: String,
        _: &mut dyn FnMut() -> String,
        now: Timestamp,
    ) -> Self {
        Self {
            result_id: id,
            function_id: body.function_id,
            metadata: body.metadata,
            timestamp: now,
        }
    }

    fn update(&mut self, body: FunctionResultUpdate, now: Timestamp) {
        set(&mut self.metadata, body.metadata);
        self.timestamp = now;
    }
}
