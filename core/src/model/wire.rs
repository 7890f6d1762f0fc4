//! How values look on the wire: tolerant reading, strict writing (protocol §2.4).
//!
//! Go's `encoding/json` writes `null` for empty lists and maps and reads `null` into any field as
//! "leave the zero value", so every model field is read with [`nullable`] and every model has
//! `#[serde(default)]`: a missing or `null` field is its default. Unknown fields are ignored.

use alloc::vec::Vec;
use serde::{Deserialize, Deserializer};

/// A JSON object with any values (`kwargs`, blueprint `spec`/`status`).
pub type JsonObject = serde_json::Map<alloc::string::String, serde_json::Value>;

/// Reads `null` as the type's default, anything else as the type itself.
///
/// Use with `#[serde(deserialize_with = "nullable")]` on fields of a `#[serde(default)]` struct.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// Whether a number is zero, for Go's `omitempty` on integers.
pub fn is_zero(value: &i64) -> bool {
    *value == 0
}

/// Whether a flag is false, for Go's `omitempty` on booleans.
pub fn is_false(value: &bool) -> bool {
    !*value
}

/// Go's `[]byte`: standard padded base64 text; `null` reads as empty.
///
/// Go's decoder also fills a `[]byte` from a JSON array of numbers (0–255), which is what
/// JavaScript clients produce from `Array.from(uint8Array)`; both forms are read here.
pub mod base64_bytes {
    use super::Vec;
    use base64::{Engine, engine::general_purpose::STANDARD};
    use core::fmt;
    use serde::{
        Deserializer, Serializer,
        de::{Error, SeqAccess, Visitor},
    };

    /// Writes the bytes as standard padded base64.
    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(bytes))
    }

    /// Reads standard padded base64, an array of byte values, or `null` (empty).
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        deserializer.deserialize_any(BytesVisitor)
    }

    struct BytesVisitor;

    impl<'de> Visitor<'de> for BytesVisitor {
        type Value = Vec<u8>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("base64 text or an array of byte values")
        }

        fn visit_str<E: Error>(self, text: &str) -> Result<Vec<u8>, E> {
            crate::gojson::decode_base64(text.as_bytes()).map_err(E::custom)
        }

        fn visit_unit<E: Error>(self) -> Result<Vec<u8>, E> {
            Ok(Vec::new())
        }

        fn visit_none<E: Error>(self) -> Result<Vec<u8>, E> {
            Ok(Vec::new())
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
            let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
            while let Some(byte) = seq.next_element::<u8>()? {
                bytes.push(byte);
            }
            Ok(bytes)
        }
    }
}

/// The JSON Schema side of the wire rules (feature `schema`): `null` where the reader takes it,
/// base64 text for bytes, integer codes for enums.
#[cfg(feature = "schema")]
mod schema {
    use alloc::{borrow::Cow, string::String, vec::Vec};
    use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
    use serde_json::Value;

    /// Standard padded base64 (RFC 4648 §4), as Go's `StdEncoding` writes it.
    const BASE64_PATTERN: &str = "^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$";

    /// Adds `null` to a field's schema: the field is read with [`nullable`](super::nullable), and
    /// Go writes `null` for an empty (nil) list or map.
    ///
    /// Use as `#[schemars(transform = crate::model::wire::or_null)]`.
    pub fn or_null(schema: &mut Schema) {
        if let Some(Value::String(kind)) = schema.get("type") {
            let kind = kind.clone();
            schema.insert("type".into(), Value::Array([kind.into(), "null".into()].into()));
            return;
        }
        if let Some(Value::Array(kinds)) = schema.get_mut("type") {
            if !kinds.iter().any(|kind| kind == "null") {
                kinds.push("null".into());
            }
            return;
        }
        // A `$ref` (a struct or an enum) or any other form: one of it or null. Metadata stays
        // outside, on the field.
        let mut inner = core::mem::take(schema);
        let mut outer = serde_json::Map::new();
        if let Some(object) = inner.as_object_mut() {
            for key in ["description", "title", "default"] {
                if let Some(value) = object.remove(key) {
                    outer.insert(key.into(), value);
                }
            }
        }
        outer.insert(
            "anyOf".into(),
            Value::Array([inner.to_value(), json_schema!({"type": "null"}).to_value()].into()),
        );
        *schema = Schema::from(outer);
    }

    /// The schema of an envelope's `payload`: a `String` that holds standard padded base64 of
    /// JSON text.
    pub struct Base64Json;

    impl JsonSchema for Base64Json {
        fn inline_schema() -> bool {
            true
        }

        fn schema_name() -> Cow<'static, str> {
            "Base64Json".into()
        }

        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "type": "string",
                "contentEncoding": "base64",
                "contentMediaType": "application/json",
                "pattern": BASE64_PATTERN,
            })
        }
    }

    /// The schema of bytes written with [`base64_bytes`](super::base64_bytes): standard padded
    /// base64 text, or `null` (Go's nil `[]byte`), read as empty.
    ///
    /// Readers also take an array of byte values (what Go's decoder fills a `[]byte` from);
    /// the schema describes the base64 form every writer uses.
    pub struct Base64Bytes;

    impl JsonSchema for Base64Bytes {
        fn inline_schema() -> bool {
            true
        }

        fn schema_name() -> Cow<'static, str> {
            "Base64Bytes".into()
        }

        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "type": ["string", "null"],
                "contentEncoding": "base64",
                "pattern": BASE64_PATTERN,
            })
        }
    }

    /// Joins the lines of a doc comment (`#[doc = "…"]` values) the way rustdoc shows them.
    pub fn doc_text(lines: &[&str]) -> String {
        lines
            .iter()
            .map(|line| line.strip_prefix(' ').unwrap_or(line))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The schema of an [`integer_enum!`](super::integer_enum) type: one `const` per variant,
    /// titled with the variant's name.
    pub fn integer_enum_schema(description: &str, variants: &[(i64, &str, String)]) -> Schema {
        let one_of: Vec<Value> = variants
            .iter()
            .map(|(code, name, doc)| {
                json_schema!({"const": code, "title": name, "description": doc}).to_value()
            })
            .collect();
        json_schema!({"type": "integer", "description": description, "oneOf": one_of})
    }
}

#[cfg(feature = "schema")]
pub use schema::{Base64Bytes, Base64Json, doc_text, integer_enum_schema, or_null};

/// Declares an enum that travels as a JSON integer, with checked conversion from `i64`.
///
/// Reading an integer that names no variant is a serde error, never a panic. With feature
/// `schema` the type has a JSON Schema: an integer, one `const` per variant, docs included.
macro_rules! integer_enum {
    (
        $(#[doc = $doc:literal])*
        $vis:vis enum $name:ident {
            $( $(#[doc = $variant_doc:literal])* $(#[default $($default:tt)*])? $variant:ident = $code:literal, )+
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        $vis enum $name {
            $( $(#[doc = $variant_doc])* $(#[default $($default)*])? $variant, )+
        }

        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> alloc::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                use $crate::model::wire::doc_text;
                $crate::model::wire::integer_enum_schema(
                    &doc_text(&[$($doc),*]),
                    &[$(($code, stringify!($variant), doc_text(&[$($variant_doc),*]))),+],
                )
            }
        }

        impl $name {
            /// Every variant, in code order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The integer Colonies uses for this value.
            pub const fn code(self) -> i64 {
                match self {
                    $( Self::$variant => $code, )+
                }
            }

            /// The value with this integer code, if there is one.
            pub const fn from_code(code: i64) -> Option<Self> {
                match code {
                    $( $code => Some(Self::$variant), )+
                    _ => None,
                }
            }
        }

        impl TryFrom<i64> for $name {
            type Error = i64;

            fn try_from(code: i64) -> Result<Self, i64> {
                Self::from_code(code).ok_or(code)
            }
        }

        impl From<$name> for i64 {
            fn from(value: $name) -> i64 {
                value.code()
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let code = i64::deserialize(deserializer)?;
                Self::from_code(code).ok_or_else(|| {
                    <D::Error as serde::de::Error>::invalid_value(
                        serde::de::Unexpected::Signed(code),
                        &concat!("a ", stringify!($name), " code"),
                    )
                })
            }
        }
    };
}

pub(crate) use integer_enum;
