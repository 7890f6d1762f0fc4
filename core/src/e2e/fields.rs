//! Which fields are sealed, and how each keeps its JSON type so that every Colonies client
//! still parses every model (protocol §16.3):
//!
//! | field | plain | sealed |
//! |---|---|---|
//! | `spec.args`, process `in` and `out` (JSON arrays) | `[a, b]` | `["ce1:…"]`: one element, the array's JSON sealed |
//! | `spec.kwargs` (JSON object) | `{"k": v}` | `{"ce1": "ce1:…"}`: the object's JSON sealed |
//! | `spec.env` (strings) | `{"K": "v"}` | `{"ce1": "ce1:…"}` |
//! | process `errors` (strings) | `["e"]` | `["ce1:…"]`: the array's JSON sealed |
//! | attribute `value`, log `message` | `"text"` | `"ce1:…"`: the text sealed |
//! | channel message `payload` (bytes) | bytes | the bytes of `ce1:…` |
//!
//! Empty values stay empty. Opening is the reverse, element by element: a sealed element of
//! an array opens to an array whose items take its place (so a child's `in`, the parents'
//! sealed outputs one after the other, opens to their items in order); a `ce1` key of an
//! object opens to an object whose entries take its place. What is not sealed is left as
//! it is, so a member reads a plain colony, and old plain values, unchanged.
//!
//! Scheduling fields stay clear: the colony, `executortype` and names, location, resources,
//! priority, deadlines, dependencies, `funcname`.

use super::{DataKey, E2eError, Keyring, NONCE_LEN, is_sealed};
use crate::model::{FunctionSpec, Process};
use alloc::{collections::BTreeMap, string::String, vec, vec::Vec};
use serde_json::{Map, Value};

/// The key of an object's one sealed entry.
pub const MAP_KEY: &str = "ce1";

/// Seals fields with one key for one colony; `nonce` gives a fresh nonce for each value.
pub struct Sealer<'a> {
    key: &'a DataKey,
    colony: &'a str,
    nonce: &'a mut dyn FnMut() -> [u8; NONCE_LEN],
}

impl<'a> Sealer<'a> {
    /// A sealer with `key` for `colony`, drawing nonces from `nonce`.
    pub fn new(
        key: &'a DataKey,
        colony: &'a str,
        nonce: &'a mut dyn FnMut() -> [u8; NONCE_LEN],
    ) -> Self {
        Self { key, colony, nonce }
    }

    fn seal(&mut self, plaintext: &[u8]) -> String {
        let nonce = (self.nonce)();
        self.key.seal(self.colony, plaintext, nonce)
    }

    /// A JSON array: `["ce1:…"]` (empty stays empty).
    pub fn list(&mut self, items: &[Value]) -> Vec<Value> {
        if items.is_empty() {
            return Vec::new();
        }
        let json = serde_json::to_vec(items).unwrap_or_default();
        vec![Value::String(self.seal(&json))]
    }

    /// A JSON object: `{"ce1": "ce1:…"}` (empty stays empty).
    pub fn map(&mut self, map: &Map<String, Value>) -> Map<String, Value> {
        let mut sealed = Map::new();
        if !map.is_empty() {
            let json = serde_json::to_vec(map).unwrap_or_default();
            sealed.insert(MAP_KEY.into(), Value::String(self.seal(&json)));
        }
        sealed
    }

    /// String pairs (`env`): `{"ce1": "ce1:…"}` (empty stays empty).
    pub fn env(&mut self, env: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        let mut sealed = BTreeMap::new();
        if !env.is_empty() {
            let json = serde_json::to_vec(env).unwrap_or_default();
            sealed.insert(MAP_KEY.into(), self.seal(&json));
        }
        sealed
    }

    /// Strings (`errors`): `["ce1:…"]` (empty stays empty).
    pub fn strings(&mut self, items: &[String]) -> Vec<String> {
        if items.is_empty() {
            return Vec::new();
        }
        let json = serde_json::to_vec(items).unwrap_or_default();
        vec![self.seal(&json)]
    }

    /// A text (an attribute value, a log message): `"ce1:…"` (empty stays empty).
    pub fn text(&mut self, text: &str) -> String {
        if text.is_empty() { String::new() } else { self.seal(text.as_bytes()) }
    }

    /// Bytes (a channel payload): the bytes of `ce1:…` (empty stays empty).
    pub fn bytes(&mut self, bytes: &[u8]) -> Vec<u8> {
        if bytes.is_empty() { Vec::new() } else { self.seal(bytes).into_bytes() }
    }

    /// A function spec's `args`, `kwargs` and `env`.
    pub fn spec(&mut self, spec: &mut FunctionSpec) {
        spec.args = self.list(&spec.args);
        spec.kwargs = self.map(&spec.kwargs);
        spec.env = self.env(&spec.env);
    }
}

/// Opens sealed fields with the keys a member holds, for one colony.
#[derive(Clone, Copy)]
pub struct Opener<'a> {
    ring: &'a Keyring,
    colony: &'a str,
}

impl<'a> Opener<'a> {
    /// An opener with `ring` for `colony`.
    pub const fn new(ring: &'a Keyring, colony: &'a str) -> Self {
        Self { ring, colony }
    }

    fn open_json<T: serde::de::DeserializeOwned>(&self, sealed: &str) -> Result<T, E2eError> {
        let bytes = self.ring.open(self.colony, sealed)?;
        serde_json::from_slice(&bytes).map_err(|_| E2eError::Malformed("not the JSON sealed"))
    }

    /// A JSON array whose sealed elements open to the items they hold. A sealed element
    /// that holds one JSON value rather than an array (a client that sealed element by
    /// element) opens to that value, and one that holds text that is not JSON to that text.
    pub fn list(&self, items: &[Value]) -> Result<Vec<Value>, E2eError> {
        let mut opened = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Value::String(text) if is_sealed(text) => {
                    let bytes = self.ring.open(self.colony, text)?;
                    match serde_json::from_slice::<Value>(&bytes) {
                        Ok(Value::Array(inner)) => opened.extend(inner),
                        Ok(value) => opened.push(value),
                        Err(_) => opened.push(Value::String(
                            String::from_utf8(bytes)
                                .map_err(|_| E2eError::Malformed("not UTF-8"))?,
                        )),
                    }
                }
                other => opened.push(other.clone()),
            }
        }
        Ok(opened)
    }

    /// A JSON object whose `ce1` entry opens to the entries it holds.
    pub fn map(&self, map: &Map<String, Value>) -> Result<Map<String, Value>, E2eError> {
        let mut opened = Map::new();
        for (key, value) in map {
            match value {
                Value::String(text) if key == MAP_KEY && is_sealed(text) => {
                    opened.extend(self.open_json::<Map<String, Value>>(text)?);
                }
                other => {
                    opened.insert(key.clone(), other.clone());
                }
            }
        }
        Ok(opened)
    }

    /// String pairs whose `ce1` entry opens to the pairs it holds.
    pub fn env(
        &self,
        env: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>, E2eError> {
        let mut opened = BTreeMap::new();
        for (key, value) in env {
            if key == MAP_KEY && is_sealed(value) {
                opened.extend(self.open_json::<BTreeMap<String, String>>(value)?);
            } else {
                opened.insert(key.clone(), value.clone());
            }
        }
        Ok(opened)
    }

    /// Strings whose sealed elements open to the strings they hold.
    pub fn strings(&self, items: &[String]) -> Result<Vec<String>, E2eError> {
        let mut opened = Vec::with_capacity(items.len());
        for item in items {
            if is_sealed(item) {
                opened.extend(self.open_json::<Vec<String>>(item)?);
            } else {
                opened.push(item.clone());
            }
        }
        Ok(opened)
    }

    /// A text, opened if sealed.
    pub fn text(&self, text: &str) -> Result<String, E2eError> {
        if !is_sealed(text) {
            return Ok(text.into());
        }
        let bytes = self.ring.open(self.colony, text)?;
        String::from_utf8(bytes).map_err(|_| E2eError::Malformed("not UTF-8"))
    }

    /// Bytes, opened if they are a sealed string.
    pub fn bytes(&self, bytes: &[u8]) -> Result<Vec<u8>, E2eError> {
        match core::str::from_utf8(bytes) {
            Ok(text) if is_sealed(text) => self.ring.open(self.colony, text),
            _ => Ok(bytes.to_vec()),
        }
    }

    /// A function spec's `args`, `kwargs` and `env`.
    pub fn spec(&self, spec: &mut FunctionSpec) -> Result<(), E2eError> {
        spec.args = self.list(&spec.args)?;
        spec.kwargs = self.map(&spec.kwargs)?;
        spec.env = self.env(&spec.env)?;
        Ok(())
    }

    /// A process: its spec, `in`, `out`, `errors` and attribute values.
    pub fn process(&self, process: &mut Process) -> Result<(), E2eError> {
        self.spec(&mut process.spec)?;
        process.input = self.list(&process.input)?;
        process.output = self.list(&process.output)?;
        process.errors = self.strings(&process.errors)?;
        for attribute in &mut process.attributes {
            attribute.value = self.text(&attribute.value)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_field_keeps_its_type_and_opens_back() {
        let key = DataKey::from_bytes(1, [4; 32]);
        let mut counter = 0u8;
        let mut nonce = || {
            counter += 1;
            [counter; NONCE_LEN]
        };
        let mut sealer = Sealer::new(&key, "dev", &mut nonce);
        let mut spec = FunctionSpec {
            args: vec![json!("secret-arg"), json!(42)],
            kwargs: json!({"mode": "secret-kwarg"}).as_object().cloned().unwrap_or_default(),
            ..FunctionSpec::default()
        };
        spec.env.insert("TOKEN".into(), "secret-env".into());
        let plain = spec.clone();
        sealer.spec(&mut spec);
        let text = serde_json::to_string(&spec).unwrap();
        for marker in ["secret-arg", "secret-kwarg", "secret-env", "TOKEN", "mode"] {
            assert!(!text.contains(marker), "{marker} in {text}");
        }
        assert_eq!(spec.args.len(), 1);
        assert!(spec.kwargs.contains_key(MAP_KEY) && spec.env.contains_key(MAP_KEY));
        let errors = sealer.strings(&["secret-error".into()]);
        let message = sealer.text("secret-log");
        let payload = sealer.bytes(b"secret-bytes");
        assert!(sealer.text("").is_empty() && sealer.list(&[]).is_empty());

        let mut ring = Keyring::new();
        ring.insert(key.clone());
        let opener = Opener::new(&ring, "dev");
        let mut opened = spec.clone();
        opener.spec(&mut opened).unwrap();
        assert_eq!(opened, plain);
        assert_eq!(opener.strings(&errors).unwrap(), ["secret-error"]);
        assert_eq!(opener.text(&message).unwrap(), "secret-log");
        assert_eq!(opener.bytes(&payload).unwrap(), b"secret-bytes");
        // Plain values pass through; a child's input of two sealed outputs opens in order.
        assert_eq!(opener.text("plain").unwrap(), "plain");
        let mut sealer = Sealer::new(&key, "dev", &mut nonce);
        let mut input = sealer.list(&[json!(1), json!(2)]);
        input.extend(sealer.list(&[json!(3)]));
        assert_eq!(opener.list(&input).unwrap(), [json!(1), json!(2), json!(3)]);
        // Sealed element by element: each opens to its value, text to text.
        let mut sealer = Sealer::new(&key, "dev", &mut nonce);
        let items = [json!(sealer.text("{\"a\":1}")), json!(sealer.text("just text"))];
        assert_eq!(opener.list(&items).unwrap(), [json!({"a": 1}), json!("just text")]);
        // Without the key: an error that says which version, never a panic.
        let empty = Keyring::new();
        let stranger = Opener::new(&empty, "dev");
        assert_eq!(stranger.text(&message), Err(E2eError::NoKey { version: 1 }));
    }
}
