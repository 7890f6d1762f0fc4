//! The JSON-schema subset blueprint definitions use: `type`, `properties`, `required`,
//! `items` and `enum`, nested to any depth. Other keywords are accepted and ignored, so a
//! definition written for a richer validator still loads.

use serde_json::Value;

const TYPES: [&str; 7] = ["object", "array", "string", "number", "integer", "boolean", "null"];

/// Checks that a schema is one this validator can apply (types known, shapes right).
pub fn check_schema(schema: &Value) -> Result<(), String> {
    let Some(object) = schema.as_object() else {
        return Err("a schema must be a JSON object".into());
    };
    if let Some(t) = object.get("type") {
        match t.as_str() {
            Some(t) if TYPES.contains(&t) => {}
            _ => return Err(format!("unknown type {t}")),
        }
    }
    if let Some(properties) = object.get("properties") {
        let Some(properties) = properties.as_object() else {
            return Err("properties must be an object".into());
        };
        for (name, property) in properties {
            check_schema(property).map_err(|e| format!("{name}: {e}"))?;
        }
    }
    if let Some(required) = object.get("required")
        && !required.as_array().is_some_and(|r| r.iter().all(Value::is_string))
    {
        return Err("required must be a list of names".into());
    }
    if let Some(items) = object.get("items") {
        check_schema(items).map_err(|e| format!("items: {e}"))?;
    }
    if let Some(values) = object.get("enum")
        && !values.is_array()
    {
        return Err("enum must be a list".into());
    }
    Ok(())
}

fn type_matches(value: &Value, t: &str) -> bool {
    match t {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        // 3.0 counts as an integer in JSON schema.
        "integer" => value.as_f64().is_some_and(|n| n.fract() == 0.0),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        _ => true,
    }
}

/// The path of field `name` of the object at `path` ("" is the spec itself).
fn field(path: &str, name: &str) -> String {
    if path.is_empty() { name.to_owned() } else { format!("{path}.{name}") }
}

/// Checks `value` (found at `path`, "" for the spec) against `schema`; the error names the
/// first field that does not fit, in Go's words.
pub fn validate(value: &Value, schema: &Value, path: &str) -> Result<(), String> {
    let Some(schema) = schema.as_object() else {
        return Ok(());
    };
    let shown = if path.is_empty() { "spec" } else { path };
    if let Some(t) = schema.get("type").and_then(Value::as_str)
        && !type_matches(value, t)
    {
        let article = if t.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
        return Err(format!("field '{shown}' must be {article} {t}, got {value}"));
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array)
        && !values.contains(value)
    {
        let values = Value::Array(values.clone());
        return Err(format!("field '{shown}' must be one of {values}, got {value}"));
    }
    if let Some(object) = value.as_object() {
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for name in required.iter().filter_map(Value::as_str) {
                if !object.contains_key(name) {
                    return Err(format!("required field '{}' is missing", field(path, name)));
                }
            }
        }
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for (name, property) in properties {
                if let Some(value) = object.get(name) {
                    validate(value, property, &field(path, name))?;
                }
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, item) in array.iter().enumerate() {
            validate(item, items, &format!("{shown}[{i}]"))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "image": { "type": "string" },
                "replicas": { "type": "integer" },
                "mode": { "type": "string", "enum": ["a", "b"] },
                "ports": { "type": "array", "items": { "type": "integer" } },
                "env": { "type": "object", "properties": { "x": { "type": "boolean" } },
                         "required": ["x"] }
            },
            "required": ["image", "replicas"]
        })
    }

    #[test]
    fn accepts_what_fits() {
        let spec = json!({ "image": "nginx", "replicas": 3.0, "mode": "a", "ports": [80],
                           "env": { "x": true }, "extra": null });
        assert_eq!(validate(&spec, &schema(), ""), Ok(()));
        assert_eq!(check_schema(&schema()), Ok(()));
    }

    #[test]
    fn names_the_first_misfit() {
        // Go's words (core/blueprint.go), which clients match on.
        let cases = [
            (json!({ "replicas": 1 }), "required field 'image' is missing"),
            (json!({ "image": 1, "replicas": 1 }), "field 'image' must be a string, got 1"),
            (json!({ "image": "i", "replicas": 1.5 }), "field 'replicas' must be an integer"),
            (json!({ "image": "i", "replicas": 1, "mode": "c" }), "field 'mode' must be one of"),
            (json!({ "image": "i", "replicas": 1, "ports": [80, "x"] }), "field 'ports[1]' must"),
            (json!({ "image": "i", "replicas": 1, "env": {} }), "required field 'env.x' is"),
        ];
        for (spec, expected) in cases {
            let error = validate(&spec, &schema(), "").expect_err("a misfit");
            assert!(error.starts_with(expected), "{error} vs {expected}");
        }
    }

    #[test]
    fn refuses_schemas_it_cannot_apply() {
        assert!(check_schema(&json!("object")).is_err());
        assert!(check_schema(&json!({ "type": "thing" })).is_err());
        assert!(check_schema(&json!({ "properties": [] })).is_err());
        assert!(check_schema(&json!({ "required": "a" })).is_err());
        assert!(check_schema(&json!({ "type": "object", "x-extension": 1 })).is_ok());
    }
}
