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

/// Declares an enum that travels as a JSON integer, with checked conversion from `i64`.
///
/// Reading an integer that names no variant is a serde error, never a panic.
macro_rules! integer_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $code:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        $vis enum $name {
            $( $(#[$variant_meta])* $variant, )+
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
