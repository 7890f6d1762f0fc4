//! Reading JSON and base64 as Go's standard library reads them (protocol §2.4).
//!
//! Every Colonies server decodes requests with Go's `encoding/json` and `encoding/base64`, and
//! clients rely on what those accept:
//!
//! - `null` leaves a field at its zero value, whatever the field's type: `"fileid": null` is
//!   `""`, `"latest": null` is `false`, `"args": null` is empty. (serde refuses `null` for a
//!   `String`.) A `null` inside a free-form value (`serde_json::Value`: args, kwargs) stays
//!   `null`, as it stays `nil` in Go's `interface{}`.
//! - A key given twice counts once, the last one (serde refuses a duplicate field).
//! - Base64 may carry `\r` and `\n` anywhere and non-zero padding bits (Go's `StdEncoding` is
//!   not strict); padding is still required.
//!
//! [`from_slice`] reads with serde first, which agrees with Go on every payload serde accepts;
//! only a payload serde refuses is read again through [`GoValue`], the Go reading. Its errors
//! never carry serde's line and column: a reply names the problem, not the parser's position.

use alloc::{
    string::{String, ToString},
    vec::Vec,
};
use base64::{
    Engine,
    engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig},
};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor,
};
use serde_json::{Map, Number, Value};

/// Why a payload could not be read as the message it claims to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonError {
    /// Not JSON at all (a syntax error or a truncated text).
    Syntax,
    /// JSON whose values do not fit the message's fields; the text says which and how.
    Fields(String),
}

impl core::fmt::Display for JsonError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Syntax => f.write_str("not valid JSON"),
            Self::Fields(detail) => f.write_str(detail),
        }
    }
}

impl core::error::Error for JsonError {}

/// Reads `json` as `T` the way Go's `encoding/json` would (see the module docs).
pub fn from_slice<T: DeserializeOwned>(json: &[u8]) -> Result<T, JsonError> {
    if let Ok(value) = serde_json::from_slice::<T>(json) {
        return Ok(value);
    }
    let value: Value = serde_json::from_slice(json).map_err(|_| JsonError::Syntax)?;
    from_value(value)
}

/// Reads `json` as `T` the way Go's `encoding/json` would (see the module docs).
pub fn from_str<T: DeserializeOwned>(json: &str) -> Result<T, JsonError> {
    from_slice(json.as_bytes())
}

/// Reads an already parsed value as `T`, with Go's reading of `null`.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, JsonError> {
    // Errors made through `de::Error::custom` carry no position (line 0 is not printed).
    T::deserialize(GoValue(value)).map_err(|e| JsonError::Fields(e.to_string()))
}

/// Whether the JSON text holds the escape `\u0000` inside a string.
///
/// PostgreSQL stores no NUL character in `text` or `jsonb`, so a request carrying one is
/// refused before any SQL runs. Raw control bytes are not valid JSON, so the escape is the only
/// way a NUL reaches a decoded string.
pub fn has_nul_escape(json: &[u8]) -> bool {
    let mut i = 0;
    while i < json.len() {
        if json[i] == b'\\' {
            if json.get(i + 1) == Some(&b'u') && json.get(i + 2..i + 6) == Some(b"0000") {
                return true;
            }
            // Skip the escaped character so `\\u0000` (a backslash, then text) is not a NUL.
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

/// Go's `base64.StdEncoding`: padding required, non-zero trailing bits accepted.
const GO_STD: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// Decodes standard base64 as Go's `base64.StdEncoding.DecodeString` does: `\r` and `\n`
/// are skipped wherever they are, and non-zero padding bits are accepted.
pub fn decode_base64(text: &[u8]) -> Result<Vec<u8>, base64::DecodeError> {
    if text.iter().any(|b| matches!(b, b'\r' | b'\n')) {
        let kept: Vec<u8> = text.iter().copied().filter(|b| !matches!(b, b'\r' | b'\n')).collect();
        GO_STD.decode(kept)
    } else {
        GO_STD.decode(text)
    }
}

/// A JSON value read as Go reads into a typed field: `null` is the field's zero value.
///
/// A deserializer over [`serde_json::Value`]; every nested value is read the same way.
#[derive(Debug)]
pub struct GoValue(pub Value);

type Error = serde_json::Error;

fn visit_number<'de, V: Visitor<'de>>(n: &Number, visitor: V) -> Result<V::Value, Error> {
    if let Some(u) = n.as_u64() {
        visitor.visit_u64(u)
    } else if let Some(i) = n.as_i64() {
        visitor.visit_i64(i)
    } else {
        visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN))
    }
}

fn visit_array<'de, V: Visitor<'de>>(items: Vec<Value>, visitor: V) -> Result<V::Value, Error> {
    visitor.visit_seq(GoSeq(items.into_iter()))
}

fn visit_object<'de, V: Visitor<'de>>(
    object: Map<String, Value>,
    visitor: V,
) -> Result<V::Value, Error> {
    visitor.visit_map(GoMap { entries: object.into_iter(), value: None })
}

/// The methods whose type has a zero value that Go gives a `null`.
macro_rules! zero_on_null {
    ($($method:ident => |$visitor:ident| $zero:expr;)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, $visitor: V) -> Result<V::Value, Error> {
                match self.0 {
                    Value::Null => $zero,
                    other => GoValue(other).deserialize_any($visitor),
                }
            }
        )*
    };
}

impl<'de> Deserializer<'de> for GoValue {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => visit_number(&n, visitor),
            Value::String(s) => visitor.visit_string(s),
            Value::Array(items) => visit_array(items, visitor),
            Value::Object(object) => visit_object(object, visitor),
        }
    }

    zero_on_null! {
        deserialize_bool => |visitor| visitor.visit_bool(false);
        deserialize_i8 => |visitor| visitor.visit_i64(0);
        deserialize_i16 => |visitor| visitor.visit_i64(0);
        deserialize_i32 => |visitor| visitor.visit_i64(0);
        deserialize_i64 => |visitor| visitor.visit_i64(0);
        deserialize_u8 => |visitor| visitor.visit_u64(0);
        deserialize_u16 => |visitor| visitor.visit_u64(0);
        deserialize_u32 => |visitor| visitor.visit_u64(0);
        deserialize_u64 => |visitor| visitor.visit_u64(0);
        deserialize_f32 => |visitor| visitor.visit_f64(0.0);
        deserialize_f64 => |visitor| visitor.visit_f64(0.0);
        deserialize_char => |visitor| visitor.visit_char('\0');
        deserialize_str => |visitor| visitor.visit_str("");
        deserialize_string => |visitor| visitor.visit_string(String::new());
        deserialize_bytes => |visitor| visitor.visit_bytes(&[]);
        deserialize_byte_buf => |visitor| visitor.visit_byte_buf(Vec::new());
        deserialize_seq => |visitor| visit_array(Vec::new(), visitor);
        deserialize_map => |visitor| visit_object(Map::new(), visitor);
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(GoValue(other)),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_string(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_u64(visitor)
    }
}

struct GoSeq(alloc::vec::IntoIter<Value>);

impl<'de> SeqAccess<'de> for GoSeq {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        self.0.next().map(|value| seed.deserialize(GoValue(value))).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct GoMap {
    entries: serde_json::map::IntoIter,
    value: Option<Value>,
}

impl<'de> MapAccess<'de> for GoMap {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.entries.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(GoValue(Value::String(key))).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Error> {
        let value = self.value.take().ok_or_else(|| de::Error::custom("a value without a key"))?;
        seed.deserialize(GoValue(value))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::{collections::BTreeMap, vec};
    use serde::Deserialize;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Inner {
        name: String,
        count: i64,
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Outer {
        id: String,
        flag: bool,
        ratio: f64,
        names: Vec<String>,
        env: BTreeMap<String, String>,
        inner: Inner,
        inners: Vec<Inner>,
        args: Vec<Value>,
        maybe: Option<String>,
    }

    #[test]
    fn null_is_the_zero_value_of_every_typed_field() {
        let json = r#"{"id":null,"flag":null,"ratio":null,"names":null,"env":null,
            "inner":{"name":null,"count":null},"inners":[null,{"name":"a"}],
            "args":[null,1,"x"],"maybe":null}"#;
        let outer: Outer = from_str(json).expect("Go reads it");
        assert_eq!(
            outer,
            Outer {
                inners: vec![Inner::default(), Inner { name: "a".into(), count: 0 }],
                args: vec![Value::Null, Value::from(1), Value::from("x")],
                ..Outer::default()
            }
        );
        assert!(serde_json::from_str::<Outer>(json).is_err(), "serde alone refuses it");
    }

    #[test]
    fn the_last_of_a_duplicated_key_counts() {
        let outer: Outer = from_str(r#"{"id":"a","id":"b"}"#).expect("Go reads it");
        assert_eq!(outer.id, "b");
    }

    #[test]
    fn errors_name_the_problem_not_the_position() {
        let error = from_str::<Outer>(r#"{"id": 5}"#).expect_err("a number is no string");
        let text = error.to_string();
        assert!(text.contains("invalid type"), "{text}");
        assert!(!text.contains("line") && !text.contains("column"), "{text}");
        assert_eq!(from_str::<Outer>("{\"id\":"), Err(JsonError::Syntax));
    }

    #[test]
    fn nul_escapes_are_found_only_inside_strings() {
        assert!(has_nul_escape(br#"{"a":"x\u0000y"}"#));
        assert!(!has_nul_escape(br#"{"a":"x\\u0000y"}"#));
        assert!(has_nul_escape(br#"{"a":"x\\\u0000"}"#));
        assert!(!has_nul_escape(br#"{"a":"\u0041"}"#));
    }

    #[test]
    fn base64_reads_as_go_reads_it() {
        // "YQ==" is "a"; "YR==" has non-zero padding bits, which Go's StdEncoding accepts.
        assert_eq!(decode_base64(b"YR==").expect("Go accepts it"), b"a");
        assert_eq!(decode_base64(b"aGVs\r\nbG8=").expect("Go skips CR/LF"), b"hello");
        assert!(decode_base64(b"YQ").is_err(), "padding is still required");
        assert!(decode_base64(b"Y Q==").is_err(), "other whitespace is not skipped");
    }
}
