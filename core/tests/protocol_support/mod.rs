//! Shared by the `protocol_*` tests: fixture loading and a JSON comparison that knows which
//! differences between Go's writing and ours are deliberate.

// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

use colonies_core::time::Timestamp;
use serde_json::Value;
use std::{fs, path::PathBuf};

/// The text of `tests/fixtures/<path>`.
pub fn fixture(path: &str) -> String {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(path);
    fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// Whether a value is what Go writes for "nothing": `null`, `[]`, `""`, `0`, `false`, the zero
/// time, or an object of such values (we write `[]`/`{}`/a default struct for Go's `null`, and
/// omit `omitempty` fields).
pub fn is_empty_like(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty() || Timestamp::parse(s).is_ok_and(|t| t.is_unset()),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.values().all(is_empty_like),
    }
}

/// Asserts that `ours` (what we wrote after reading `go`) says the same as `go`:
/// the same keys with the same values, where a timestamp equals any rendering of the same
/// instant, a number equals the same number written as float, and a key may be missing on
/// one side only if its value is empty on the other. Keys in `unknown` are fields real clients
/// send that Colonies does not know; they must be dropped, not kept.
pub fn assert_equivalent(go: &Value, ours: &Value, unknown: &[&str], path: &str) {
    match (go, ours) {
        (Value::Object(g), Value::Object(o)) => {
            for (key, gv) in g {
                let here = format!("{path}.{key}");
                if unknown.contains(&key.as_str()) {
                    assert!(!o.contains_key(key), "{here}: unknown field was kept");
                    continue;
                }
                match o.get(key) {
                    Some(ov) => assert_equivalent(gv, ov, unknown, &here),
                    None => assert!(is_empty_like(gv), "{here}: missing in ours, Go has {gv}"),
                }
            }
            for (key, ov) in o {
                if !g.contains_key(key) {
                    assert!(is_empty_like(ov), "{path}.{key}: we added {ov}, Go has no such key");
                }
            }
        }
        (Value::Array(g), Value::Array(o)) => {
            assert_eq!(g.len(), o.len(), "{path}: array lengths differ");
            for (i, (gv, ov)) in g.iter().zip(o).enumerate() {
                assert_equivalent(gv, ov, unknown, &format!("{path}[{i}]"));
            }
        }
        (Value::String(g), Value::String(o)) if g != o => {
            let (gt, ot) = (Timestamp::parse(g), Timestamp::parse(o));
            assert!(gt.is_ok() && gt == ot, "{path}: {g:?} != {o:?}");
        }
        (Value::Number(g), Value::Number(o)) => {
            assert_eq!(g.as_f64(), o.as_f64(), "{path}: {g} != {o}");
        }
        (Value::Null, other) | (other, Value::Null) => {
            assert!(is_empty_like(other), "{path}: null vs {other}");
        }
        (g, o) => assert_eq!(g, o, "{path}"),
    }
}

/// Keys whose values are free JSON (arguments, outputs, blueprint documents): `null` inside
/// them is data, not a missing list.
const FREE_JSON: &[&str] =
    &["args", "kwargs", "in", "out", "reconciliation", "schema", "spec", "status"];

/// Asserts that no `null` appears in `value` outside free-JSON values (our strict writing).
pub fn assert_no_null(value: &Value, path: &str) {
    match value {
        Value::Null => panic!("{path}: null written"),
        Value::Array(a) => {
            a.iter().enumerate().for_each(|(i, v)| assert_no_null(v, &format!("{path}[{i}]")))
        }
        Value::Object(o) => o.iter().for_each(|(k, v)| {
            // A process's `spec` is a FunctionSpec, not free JSON: descend into it.
            if !FREE_JSON.contains(&k.as_str()) || (k == "spec" && v.get("conditions").is_some()) {
                assert_no_null(v, &format!("{path}.{k}"));
            }
        }),
        _ => {}
    }
}
