//! Which security policy guards a record: services and endpoints carry their own; the rest are
//! guarded by what they belong to, found by the ids inside them.
//!
//! | record | guarded by |
//! |---|---|
//! | service, endpoint | its embedded `security_policy` |
//! | microservice | its service's |
//! | function | its microservice's service's |
//! | endpoint state | its endpoint's |
//! | function state, function result | its function's |
//! | security policy, role | none: the colony's roles decide ([`Access`](super::Access)) |
//!
//! A dangling id (CryptoMesh never checks them) means no guard: the colony's private rules.

use super::{Endpoint, Function, Kind, Microservice, SecurityPolicy, Service};
use alloc::{collections::BTreeMap, string::String};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The records that guard others, by id: what a server loads (once per request) to find the
/// policy of any record of the colony.
#[derive(Debug, Clone, Default)]
pub struct Guards {
    services: BTreeMap<String, Service>,
    microservices: BTreeMap<String, Microservice>,
    functions: BTreeMap<String, Function>,
    endpoints: BTreeMap<String, Endpoint>,
}

/// The kinds whose records [`Guards`] holds.
pub const GUARDING: [Kind; 4] = [Kind::Service, Kind::Microservice, Kind::Function, Kind::Endpoint];

fn read<T: DeserializeOwned>(record: &Value) -> Option<T> {
    T::deserialize(record).ok()
}

fn text<'a>(record: &'a Value, field: &str) -> &'a str {
    record.get(field).and_then(Value::as_str).unwrap_or_default()
}

impl Guards {
    /// Adds a stored record of `kind` (records of other kinds, or unreadable ones, are
    /// ignored).
    pub fn insert(&mut self, kind: Kind, id: String, record: &Value) {
        match kind {
            Kind::Service => {
                if let Some(r) = read(record) {
                    self.services.insert(id, r);
                }
            }
            Kind::Microservice => {
                if let Some(r) = read(record) {
                    self.microservices.insert(id, r);
                }
            }
            Kind::Function => {
                if let Some(r) = read(record) {
                    self.functions.insert(id, r);
                }
            }
            Kind::Endpoint => {
                if let Some(r) = read(record) {
                    self.endpoints.insert(id, r);
                }
            }
            _ => {}
        }
    }

    fn service(&self, id: &str) -> Option<&SecurityPolicy> {
        self.services.get(id).map(|s| &s.security_policy)
    }

    fn microservice(&self, id: &str) -> Option<&SecurityPolicy> {
        self.microservices.get(id).and_then(|m| self.service(&m.service_id))
    }

    fn function(&self, id: &str) -> Option<&SecurityPolicy> {
        self.functions.get(id).and_then(|f| self.microservice(&f.microservice_id))
    }

    /// The endpoint with this id, if stored.
    pub fn endpoint(&self, id: &str) -> Option<&Endpoint> {
        self.endpoints.get(id)
    }

    /// The policy guarding `record` (stored JSON) of `kind`, by the rules of this module.
    pub fn of(&self, kind: Kind, record: &Value) -> Option<SecurityPolicy> {
        let embedded = || record.get("security_policy").and_then(read::<SecurityPolicy>);
        match kind {
            Kind::Service | Kind::Endpoint => embedded(),
            Kind::Microservice => self.service(text(record, "service_id")).cloned(),
            Kind::Function => self.microservice(text(record, "microservice_id")).cloned(),
            Kind::EndpointState => {
                self.endpoint(text(record, "endpoint_id")).map(|e| e.security_policy.clone())
            }
            Kind::FunctionState | Kind::FunctionResult => {
                self.function(text(record, "function_id")).cloned()
            }
            Kind::SecurityPolicy | Kind::Role => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn policy(sp: &str) -> Value {
        json!({"sp_id": sp, "roles": ["r"], "requires_authentication": true})
    }

    #[test]
    fn records_are_guarded_by_what_they_belong_to() {
        let resources = json!({"cpu": 1, "ram": "1GB"});
        let mut guards = Guards::default();
        let service = json!({"service_id": "s", "microservices": ["m"], "resources": resources,
                             "security_policy": policy("sp-s")});
        let micro = json!({"microservice_id": "m", "service_id": "s", "functions": ["f"],
                           "resources": resources});
        let function = json!({"function_id": "f", "image": "i", "deployment_status": "pending",
                              "resources": resources, "microservice_id": "m", "endpoint_id": "e",
                              "storage": {"capacity": "1GB", "source_path": "/a", "sink_path": "/b"}});
        let endpoint = json!({"endpoint_id": "e", "name": "E", "image": "i", "resources": resources,
                              "security_policy": policy("sp-e")});
        guards.insert(Kind::Service, "s".into(), &service);
        guards.insert(Kind::Microservice, "m".into(), &micro);
        guards.insert(Kind::Function, "f".into(), &function);
        guards.insert(Kind::Endpoint, "e".into(), &endpoint);
        guards.insert(Kind::Role, "r".into(), &json!({}));
        let sp = |kind, record: &Value| guards.of(kind, record).map(|p| p.sp_id);
        assert_eq!(sp(Kind::Service, &service).as_deref(), Some("sp-s"));
        assert_eq!(sp(Kind::Endpoint, &endpoint).as_deref(), Some("sp-e"));
        assert_eq!(sp(Kind::Microservice, &micro).as_deref(), Some("sp-s"));
        assert_eq!(sp(Kind::Function, &function).as_deref(), Some("sp-s"));
        let state = json!({"function_id": "f"});
        assert_eq!(sp(Kind::FunctionState, &state).as_deref(), Some("sp-s"));
        assert_eq!(sp(Kind::FunctionResult, &state).as_deref(), Some("sp-s"));
        assert_eq!(sp(Kind::EndpointState, &json!({"endpoint_id": "e"})).as_deref(), Some("sp-e"));
        assert_eq!(sp(Kind::FunctionState, &json!({"function_id": "gone"})), None);
        assert_eq!(sp(Kind::Role, &json!({})), None);
        assert_eq!(sp(Kind::SecurityPolicy, &policy("x")), None);
        assert!(guards.endpoint("e").is_some());
    }
}
