//! CryptoMesh's policy file: endpoints, functions, microservices and services keyed by id,
//! each entry a create body (services and endpoints with their embedded security policy).
//!
//! The CLI reads the YAML (core has no YAML reader) into a `serde_json::Value` or straight into
//! [`PolicyFile`]; [`upserts`] turns the document into what to create or replace, in
//! CryptoMesh's order. Entries may carry fields their create body does not take
//! (`deployment_status`, the entry's own id): they are ignored, as are other top-level keys.
//! Within a kind, entries come in the order of their ids.
//!
//! Clients applying a file compare what the server stores with what an entry would leave
//! behind ([`Upsert::is_applied`]), so applying a file twice writes nothing the second time;
//! [`PolicyFile::from_records`] turns a colony's records back into a file.

use super::{
    Endpoint, EndpointCreate, Function, FunctionCreate, Invalid, Kind, Microservice,
    MicroserviceCreate, Resource, SecurityPolicy, SecurityPolicyCreate, Service, ServiceCreate,
    read::Reader,
};
use crate::time::Timestamp;
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

    /// The entry's create body as JSON: what a client sends to create or replace the record
    /// (`PUT /api/v1/<kind>/<id>?upsert=true`).
    pub fn body_json(&self) -> Value {
        let body = match self {
            Self::Endpoint { body, .. } => serde_json::to_value(body),
            Self::Function { body, .. } => serde_json::to_value(body),
            Self::Microservice { body, .. } => serde_json::to_value(body),
            Self::Service { body, .. } => serde_json::to_value(body),
        };
        // Bodies are structs of strings, numbers, booleans and lists: this cannot fail.
        body.unwrap_or(Value::Null)
    }

    /// Whether `stored` (the record's JSON as the server answers a GET) is already what this
    /// entry would leave behind ([`Resource::upsert`] over it): then applying the entry would
    /// change nothing that the server shows.
    ///
    /// `stored` is the record as the server stores it (`GET …?full=true`), hidden fields
    /// included (`policy_id`, a function's `microservice_id` and `endpoint_id`); a record as
    /// a plain response shows (no hidden fields) is taken as applied only when the entry's
    /// hidden fields are empty too. A `stored` value that is not a record of this kind is
    /// never applied.
    pub fn is_applied(&self, stored: &Value) -> bool {
        match self {
            Self::Endpoint { id, body } => applied::<Endpoint>(id, body, stored),
            Self::Function { id, body } => applied::<Function>(id, body, stored),
            Self::Microservice { id, body } => applied::<Microservice>(id, body, stored),
            Self::Service { id, body } => applied::<Service>(id, body, stored),
        }
    }
}

/// See [`Upsert::is_applied`].
fn applied<R>(id: &str, body: &R::Create, stored: &Value) -> bool
where
    R: Resource,
    R::Create: Clone,
{
    let Ok(record) = R::deserialize(stored) else { return false };
    if record.id() != id {
        return false;
    }
    // An embedded policy without sp_id keeps the stored one, so no fresh id is ever drawn
    // over a stored record; a blank one would differ from anything stored.
    let next = R::upsert(Some(&record), id, body.clone(), &mut String::new, Timestamp::default());
    // Both sides as stored: hidden fields count.
    next.to_stored() == record.to_stored()
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

    /// The policy file that recreates these records (as stored: `GET /api/v1/<kind>/?full=true`),
    /// each keyed by its id.
    ///
    /// Plain responses leave out `policy_id`, and a function's `microservice_id` and
    /// `endpoint_id`; from such records a function's `microservice_id` is found again from
    /// the microservice that lists it (the first, by id), and whatever cannot be found is left
    /// empty (`policy_id` out, `microservice_id` and `endpoint_id` as `""`): see
    /// [`PolicyFile::incomplete_functions`].
    pub fn from_records(
        endpoints: &[Endpoint],
        functions: &[Function],
        microservices: &[Microservice],
        services: &[Service],
    ) -> Self {
        let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
        let mut by_id: Vec<&Microservice> = microservices.iter().collect();
        by_id.sort_by(|a, b| a.microservice_id.cmp(&b.microservice_id));
        for microservice in by_id {
            for function in &microservice.functions {
                owner.entry(function).or_insert(&microservice.microservice_id);
            }
        }
        let functions = functions.iter().map(|function| {
            let mut body = FunctionCreate::from(function);
            if body.microservice_id.is_empty()
                && let Some(found) = owner.get(function.function_id.as_str())
            {
                body.microservice_id = String::from(*found);
            }
            (function.function_id.clone(), body)
        });
        Self {
            endpoints: endpoints.iter().map(|e| (e.endpoint_id.clone(), e.into())).collect(),
            functions: functions.collect(),
            microservices: microservices
                .iter()
                .map(|m| (m.microservice_id.clone(), m.into()))
                .collect(),
            services: services.iter().map(|s| (s.service_id.clone(), s.into())).collect(),
        }
    }

    /// The ids of functions whose `microservice_id` or `endpoint_id` is empty: what
    /// [`PolicyFile::from_records`] could not find, to fill in before applying the file to
    /// another colony.
    pub fn incomplete_functions(&self) -> Vec<&str> {
        self.functions
            .iter()
            .filter(|(_, body)| body.microservice_id.is_empty() || body.endpoint_id.is_empty())
            .map(|(id, _)| id.as_str())
            .collect()
    }

    /// How many entries it has.
    pub fn len(&self) -> usize {
        self.endpoints.len() + self.functions.len() + self.microservices.len() + self.services.len()
    }

    /// Whether it has no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
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

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use serde_json::json;

    /// A small mesh in CryptoMesh's policy format: one of each kind.
    fn document() -> Value {
        let policy = json!({"sp_id": "sp1", "roles": ["analyst"], "requires_authentication": true});
        json!({
            "endpoints": {"ep1": {
                "name": "Endpoint A", "image": "axo:endpoint",
                "resources": {"cpu": 2, "ram": "2GB"}, "security_policy": policy,
                "policy_id": "policy1"
            }},
            "services": {"s_data": {
                "security_policy": policy, "microservices": ["ms_loader"],
                "resources": {"cpu": 2, "ram": "2GB"}, "policy_id": "policy1"
            }},
            "microservices": {"ms_loader": {
                "service_id": "s_data", "resources": {"cpu": 1, "ram": "1GB"},
                "functions": ["load_data"], "policy_id": "policy1"
            }},
            "functions": {"load_data": {
                "microservice_id": "ms_loader", "image": "rory:load",
                "resources": {"cpu": 1, "ram": "512MB"},
                "storage": {"capacity": "1GB", "storage_id": "stor1",
                            "source_path": "/input", "sink_path": "/output"},
                "endpoint_id": "ep1", "deployment_status": "deployed", "policy_id": "policy1"
            }}
        })
    }

    /// What a server stores after creating `upsert` (with its id), as `GET …?full=true`
    /// answers it.
    fn stored(upsert: &Upsert) -> Value {
        let mut fresh = || "generated".to_string();
        let now = Timestamp::default();
        match upsert.clone() {
            Upsert::Endpoint { id, body } => {
                Endpoint::upsert(None, &id, body, &mut fresh, now).to_stored()
            }
            Upsert::Function { id, body } => {
                Function::upsert(None, &id, body, &mut fresh, now).to_stored()
            }
            Upsert::Microservice { id, body } => {
                Microservice::upsert(None, &id, body, &mut fresh, now).to_stored()
            }
            Upsert::Service { id, body } => {
                Service::upsert(None, &id, body, &mut fresh, now).to_stored()
            }
        }
    }

    #[test]
    fn an_entry_is_applied_once_the_server_shows_what_it_would_write() {
        for upsert in upserts(&document()).unwrap() {
            let mut record = stored(&upsert);
            assert!(upsert.is_applied(&record), "{upsert:?} over {record}");
            // Any visible difference means it is not.
            record["resources"]["cpu"] = json!(7);
            assert!(!upsert.is_applied(&record), "{}", upsert.id());
        }
    }

    #[test]
    fn what_is_not_a_record_of_the_entry_is_not_applied() {
        let upserts = upserts(&document()).unwrap();
        let (endpoint, function) = (&upserts[0], &upserts[1]);
        assert_eq!((endpoint.kind(), function.kind()), (Kind::Endpoint, Kind::Function));
        assert!(!endpoint.is_applied(&json!({})));
        assert!(!endpoint.is_applied(&stored(function)), "another kind");
        let mut renamed = stored(endpoint);
        renamed["endpoint_id"] = json!("ep2");
        assert!(!endpoint.is_applied(&renamed), "another id");
        let mut policy = stored(endpoint);
        policy["security_policy"]["roles"] = json!(["analyst", "admin"]);
        assert!(!endpoint.is_applied(&policy), "the embedded policy counts");
    }

    #[test]
    fn server_owned_fields_and_kept_policy_ids_are_no_change() {
        let mut doc = document();
        // Without sp_id, an entry keeps the stored embedded policy's id.
        doc["services"]["s_data"]["security_policy"].as_object_mut().unwrap().remove("sp_id");
        let upserts = upserts(&doc).unwrap();
        let function = upserts.iter().find(|u| u.kind() == Kind::Function).unwrap();
        let mut record = stored(function);
        assert_eq!(record["deployment_status"], "pending");
        record["deployment_status"] = json!("deployed");
        assert!(function.is_applied(&record), "the server owns deployment_status");
        let service = upserts.iter().find(|u| u.kind() == Kind::Service).unwrap();
        let mut record = stored(service);
        assert_eq!(record["security_policy"]["sp_id"], "generated");
        record["security_policy"]["sp_id"] = json!("kept");
        assert!(service.is_applied(&record));
        // Stored fields a response leaves out count.
        assert_eq!(record["policy_id"], "policy1");
        record["policy_id"] = json!("policy2");
        assert!(!service.is_applied(&record), "policy_id changed");
        let mut function_record = stored(function);
        function_record["endpoint_id"] = json!("ep9");
        assert!(!function.is_applied(&function_record), "endpoint_id changed");
    }

    #[test]
    fn the_body_json_is_the_entrys_create_body() {
        let upserts = upserts(&document()).unwrap();
        let body = upserts[1].body_json();
        assert_eq!(body["endpoint_id"], "ep1");
        assert_eq!(body["policy_id"], "policy1");
        assert!(body.get("deployment_status").is_none(), "not a create field");
        assert!(body["storage"].get("storage_id").is_none());
        assert_eq!(
            FunctionCreate::from_json(&body).unwrap(),
            match &upserts[1] {
                Upsert::Function { body, .. } => body.clone(),
                other => panic!("{other:?}"),
            }
        );
    }

    #[test]
    fn records_make_a_file_that_applies_as_unchanged() {
        let file = PolicyFile::from_json(&document()).unwrap();
        assert_eq!(file.len(), 4);
        let records: Vec<Value> = file.clone().upserts().iter().map(stored).collect();
        let one = |i: usize| records[i].clone();
        let exported = PolicyFile::from_records(
            &[serde_json::from_value(one(0)).unwrap()],
            &[serde_json::from_value(one(1)).unwrap()],
            &[serde_json::from_value(one(2)).unwrap()],
            &[serde_json::from_value(one(3)).unwrap()],
        );
        // Records as stored keep what responses leave out.
        let function = &exported.functions["load_data"];
        assert_eq!(function.microservice_id, "ms_loader");
        assert_eq!(function.endpoint_id, "ep1");
        assert!(exported.incomplete_functions().is_empty());
        assert_eq!(exported.endpoints["ep1"].policy_id.as_deref(), Some("policy1"));
        assert_eq!(exported.endpoints["ep1"].security_policy.sp_id.as_deref(), Some("sp1"));
        // Read back from its own JSON, it is valid and each entry is applied already.
        let json = serde_json::to_value(&exported).unwrap();
        let again = PolicyFile::from_json(&json).unwrap();
        assert_eq!(again, exported);
        for (upsert, record) in again.upserts().iter().zip(&records) {
            assert!(upsert.is_applied(record), "{}", upsert.id());
        }
        assert!(PolicyFile::default().is_empty());
    }
}
