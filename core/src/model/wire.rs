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
pub mod base64_bytes {
    use super::Vec;
    use alloc::string::String;
    use base64::{Engine, engine::general_purpose::STANDARD};
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    /// Writes the bytes as standard padded base64.
    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(bytes))
    }

    /// Reads standard padded base64; `null` is empty.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        let text = Option::<String>::deserialize(deserializer)?.unwrap_or_default();
        STANDARD.decode(text.as_bytes()).map_err(D::Error::custom)
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
