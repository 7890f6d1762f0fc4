//! CryptoMesh's policy file: endpoints, functions, microservices and services keyed by id,
//! each entry a create body (services and endpoints with their embedded security policy).
//!
//! The CLI reads the YAML (core has no YAML reader) into a `serde_json::Value` or straight into
//! [`PolicyFile`]; [`upserts`] turns the document into what to create or replace, in
//! CryptoMesh's order. Entries may carry fields their create body does not take
//! (`deployment_status`, the entry's own id): they are ignored, as are other top-level keys.
//! Within a kind, entries come in the order of their ids.

use super::{
    Endpoint, EndpointCreate, Function, FunctionCreate, Invalid, Kind, Microservice,
    MicroserviceCreate, SecurityPolicy, SecurityPolicyCreate, Service, ServiceCreate, read::Reader,
};
use alloc::{collections::BTreeMap, string::String, vec::Vec};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// A policy file, validated: each map from the entry's id to its create body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PolicyFile {
    /// `endpoints:`
    pub endpoints: BTreeMap<String, EndpointCreate>,
    /// `functions:`
    pub functions: BTreeMap<String, FunctionCreate>,
    /// `microservices:`
    pub microservices: BTreeMap<String, MicroserviceCreate>,
    /// `services:`
    pub services: BTreeMap<String, ServiceCreate>,
}

/// One entry of a policy file, to be created with its id or to replace the record with it
/// (see [`Resource::upsert`](super::Resource::upsert)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upsert {
    /// An endpoint.
    Endpoint {
        /// Its id: the entry's key.
        id: String,
        /// What it holds.
        body: EndpointCreate,
    },
    /// A function.
    Function {
        /// Its id: the entry's key.
        id: String,
        /// What it holds.
        body: FunctionCreate,
    },
    /// A microservice.
    Microservice {
        /// Its id: the entry's key.
        id: String,
        /// What it holds.
        body: MicroserviceCreate,
    },
    /// A service.
    Service {
        /// Its id: the entry's key.
        id: String,
        /// What it holds.
        body: ServiceCreate,
    },
}

impl Upsert {
    /// Which kind of record.
    pub const fn kind(&self) -> Kind {
        match self {
            Self::Endpoint { .. } => Kind::Endpoint,
            Self::Function { .. } => Kind::Function,
            Self::Microservice { .. } => Kind::Microservice,
            Self::Service { .. } => Kind::Service,
        }
    }

    /// The record's id.
    pub fn id(&self) -> &str {
        match self {
            Self::Endpoint { id, .. }
            | Self::Function { id, .. }
            | Self::Microservice { id, .. }
            | Self::Service { id, .. } => id,
        }
    }
}

/// The upserts of a policy document, validated: endpoints, then functions, microservices and
/// services (CryptoMesh's order). Problems are located from the top of the document, e.g.
/// `["services", "s1", "resources", "cpu"]`.
pub fn upserts(document: &Value) -> Result<Vec<Upsert>, Invalid> {
    PolicyFile::from_json(document).map(PolicyFile::upserts)
}

impl PolicyFile {
    /// Reads and validates a policy document. A missing or empty (`null`) section is empty.
    pub fn from_json(document: &Value) -> Result<Self, Invalid> {
        let mut r = Reader::new(&[]);
        let file = (|| {
            let doc = r.object(document)?;
            let endpoints = section(&mut r, doc, "endpoints", EndpointCreate::read);
            let functions = section(&mut r, doc, "functions", FunctionCreate::read);
            let microservices = section(&mut r, doc, "microservices", MicroserviceCreate::read);
            let services = section(&mut r, doc, "services", ServiceCreate::read);
            Some(Self {
                endpoints: endpoints?,
                functions: functions?,
                microservices: microservices?,
                services: services?,
            })
        })();
        r.finish(file)
    }

    /// Its entries as upserts, in CryptoMesh's order (see [`upserts`]).
    pub fn upserts(self) -> Vec<Upsert> {
        let endpoints = self.endpoints.into_iter().map(|(id, body)| Upsert::Endpoint { id, body });
        let functions = self.functions.into_iter().map(|(id, body)| Upsert::Function { id, body });
        let microservices =
            self.microservices.into_iter().map(|(id, body)| Upsert::Microservice { id, body });
        let services = self.services.into_iter().map(|(id, body)| Upsert::Service { id, body });
        endpoints.chain(functions).chain(microservices).chain(services).collect()
    }
}

/// Reads `serde_json::Value`-like documents (e.g. from a YAML reader) and validates them; the
/// error is the [`Invalid`] list as text. Use [`PolicyFile::from_json`] to keep locations.
impl<'de> Deserialize<'de> for PolicyFile {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let document = Value::deserialize(deserializer)?;
        Self::from_json(&document).map_err(serde::de::Error::custom)
    }
}

/// One section: a map from non-blank ids to entries read with `entry`.
fn section<T>(
    r: &mut Reader,
    doc: &Map<String, Value>,
    name: &str,
    entry: fn(&mut Reader, &Value) -> Option<T>,
) -> Option<BTreeMap<String, T>> {
    let read = r.optional(doc, name, |r, value| {
        let Value::Object(entries) = value else {
            return r.fail("dict_type", "Input should be a valid dictionary");
        };
        let read: Vec<Option<(String, T)>> = entries
            .iter()
            .map(|(id, value)| {
                r.at(id.as_str().into(), |r| {
                    let body = entry(r, value);
                    if id.trim().is_empty() {
                        return r.fail("value_error", "Value error, an id must not be blank");
                    }
                    Some((id.clone(), body?))
                })
            })
            .collect();
        read.into_iter().collect()
    });
    read.map(Option::unwrap_or_default)
}

// Records back into entries, for writing a policy file from a colony's mesh.

fn policy_id(id: &str) -> Option<String> {
    (!id.is_empty()).then(|| id.into())
}

impl From<&SecurityPolicy> for SecurityPolicyCreate {
    fn from(policy: &SecurityPolicy) -> Self {
        Self {
            sp_id: Some(policy.sp_id.clone()),
            roles: policy.roles.clone(),
            requires_authentication: policy.requires_authentication,
        }
    }
}

impl From<&Endpoint> for EndpointCreate {
    fn from(endpoint: &Endpoint) -> Self {
        Self {
            name: endpoint.name.clone(),
            image: endpoint.image.clone(),
            resources: endpoint.resources.clone(),
            security_policy: (&endpoint.security_policy).into(),
            policy_id: policy_id(&endpoint.policy_id),
        }
    }
}

impl From<&Function> for FunctionCreate {
    fn from(function: &Function) -> Self {
        Self {
            microservice_id: function.microservice_id.clone(),
            image: function.image.clone(),
            resources: function.resources.clone(),
            storage: function.storage.clone(),
            endpoint_id: function.endpoint_id.clone(),
            policy_id: policy_id(&function.policy_id),
        }
    }
}

impl From<&Microservice> for MicroserviceCreate {
    fn from(microservice: &Microservice) -> Self {
        Self {
            service_id: microservice.service_id.clone(),
            resources: microservice.resources.clone(),
            functions: microservice.functions.clone(),
            policy_id: policy_id(&microservice.policy_id),
        }
    }
}

impl From<&Service> for ServiceCreate {
    fn from(service: &Service) -> Self {
        Self {
            security_policy: (&service.security_policy).into(),
            microservices: service.microservices.clone(),
            resources: service.resources.clone(),
            policy_id: policy_id(&service.policy_id),
        }
    }
}
