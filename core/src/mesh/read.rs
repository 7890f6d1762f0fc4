//! Reading bodies from JSON with every problem located, the way FastAPI reports them.
//!
//! A reader function takes a [`Reader`] and a value and returns `None` exactly when it recorded
//! a problem. Objects read every field before giving up, so one answer lists all problems.
//!
//! Type rules (a decision where CryptoMesh's pydantic would coerce): strings, booleans, lists
//! and objects must have that JSON type; an integer may be written `2` or `2.0`. A `null`
//! in a required field is a type error; in an optional field it counts as absent.

use super::error::{Invalid, Loc, Problem};
use crate::crypto::Id;
use alloc::{collections::BTreeMap, format, string::String, vec::Vec};
use serde_json::{Map, Value};

/// Collects problems while reading, and knows where it is.
pub(crate) struct Reader {
    path: Vec<Loc>,
    problems: Vec<Problem>,
}

impl Reader {
    /// A reader whose locations start with `root` (`["body"]` for request bodies).
    pub(crate) fn new(root: &[&str]) -> Self {
        Self { path: root.iter().map(|&key| Loc::from(key)).collect(), problems: Vec::new() }
    }

    /// Records a problem at the current location; returns `None` for `?`-style use.
    pub(crate) fn fail<T>(&mut self, kind: &str, msg: &str) -> Option<T> {
        self.problems.push(Problem { loc: self.path.clone(), msg: msg.into(), kind: kind.into() });
        None
    }

    /// Runs `read` one step deeper.
    pub(crate) fn at<T>(&mut self, step: Loc, read: impl FnOnce(&mut Self) -> T) -> T {
        self.path.push(step);
        let value = read(self);
        self.path.pop();
        value
    }

    /// The value as an object.
    pub(crate) fn object<'v>(&mut self, value: &'v Value) -> Option<&'v Map<String, Value>> {
        match value {
            Value::Object(map) => Some(map),
            _ => self.fail(
                "model_attributes_type",
                "Input should be a valid dictionary or object to extract fields from",
            ),
        }
    }

    /// A field that must be present.
    pub(crate) fn required<'v, T>(
        &mut self,
        object: &'v Map<String, Value>,
        key: &str,
        read: impl FnOnce(&mut Self, &'v Value) -> Option<T>,
    ) -> Option<T> {
        self.at(key.into(), |r| match object.get(key) {
            Some(value) => read(r, value),
            None => r.fail("missing", "Field required"),
        })
    }

    /// A field that may be absent or `null`: `Some(None)` then; `None` when it is invalid.
    pub(crate) fn optional<'v, T>(
        &mut self,
        object: &'v Map<String, Value>,
        key: &str,
        read: impl FnOnce(&mut Self, &'v Value) -> Option<T>,
    ) -> Option<Option<T>> {
        match object.get(key) {
            None | Some(Value::Null) => Some(None),
            Some(value) => self.at(key.into(), |r| read(r, value)).map(Some),
        }
    }

    /// The value read, or every problem recorded.
    pub(crate) fn finish<T>(self, value: Option<T>) -> Result<T, Invalid> {
        match value {
            Some(value) if self.problems.is_empty() => Ok(value),
            _ => Err(Invalid { detail: self.problems }),
        }
    }
}

/// Reads a request body with `read`, locating problems under `body`.
pub(crate) fn body<T>(
    value: &Value,
    read: impl FnOnce(&mut Reader, &Value) -> Option<T>,
) -> Result<T, Invalid> {
    let mut reader = Reader::new(&["body"]);
    let read = read(&mut reader, value);
    reader.finish(read)
}

/// Any string.
pub(crate) fn string(r: &mut Reader, value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        _ => r.fail("string_type", "Input should be a valid string"),
    }
}

/// A string with something other than whitespace in it.
pub(crate) fn non_blank(r: &mut Reader, value: &Value) -> Option<String> {
    let text = string(r, value)?;
    if text.trim().is_empty() {
        return r.fail("value_error", "Value error, must not be blank");
    }
    Some(text)
}

/// `true` or `false`.
pub(crate) fn boolean(r: &mut Reader, value: &Value) -> Option<bool> {
    match value {
        Value::Bool(flag) => Some(*flag),
        _ => r.fail("bool_type", "Input should be a valid boolean"),
    }
}

/// `cpu`: an integer greater than 0.
pub(crate) fn cpu(r: &mut Reader, value: &Value) -> Option<i64> {
    let number = match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            // 2.0 is an integer; 2.5 and numbers beyond 64 bits are not.
            let f = n.as_f64()?;
            let whole = f as i64; // saturates; the comparisons below refuse what it changed
            (-9.0e18 < f && f < 9.0e18 && whole as f64 == f).then_some(whole)
        }),
        _ => None,
    };
    match number {
        None => r.fail("int_type", "Input should be a valid integer"),
        Some(cpu) if cpu <= 0 => r.fail("greater_than", "Input should be greater than 0"),
        Some(cpu) => Some(cpu),
    }
}

/// `ram` and `capacity`: a size such as `512MB` or `1.5gb` (see [`size_bytes`]).
pub(crate) fn size(r: &mut Reader, value: &Value) -> Option<String> {
    let text = string(r, value)?;
    if size_bytes(&text).is_none() {
        return r.fail(
            "value_error",
            "Value error, must be a number followed by GB or MB (any case), e.g. 512MB or 2GB",
        );
    }
    Some(text)
}

/// A list whose items are each read with `item`; every item is checked.
pub(crate) fn list<T>(
    r: &mut Reader,
    value: &Value,
    item: impl Fn(&mut Reader, &Value) -> Option<T>,
) -> Option<Vec<T>> {
    let Value::Array(items) = value else {
        return r.fail("list_type", "Input should be a valid list");
    };
    let read: Vec<Option<T>> =
        items.iter().enumerate().map(|(i, v)| r.at(i.into(), |r| item(r, v))).collect();
    read.into_iter().collect()
}

/// A list of strings (ids, permissions).
pub(crate) fn strings(r: &mut Reader, value: &Value) -> Option<Vec<String>> {
    list(r, value, string)
}

/// A security policy's `roles`: at least one, none blank.
pub(crate) fn role_names(r: &mut Reader, value: &Value) -> Option<Vec<String>> {
    let roles = list(r, value, non_blank)?;
    if roles.is_empty() {
        return r.fail("value_error", "Value error, must name at least one role");
    }
    Some(roles)
}

/// A role's `members`: Colonies IDs (64 hex digits, either case), kept in lower case.
pub(crate) fn member_ids(r: &mut Reader, value: &Value) -> Option<Vec<String>> {
    list(r, value, |r, v| {
        let text = string(r, v)?;
        match text.parse::<Id>() {
            Ok(id) => Some(id.to_hex()),
            Err(_) => r.fail("value_error", "Value error, must be a Colonies ID (64 hex digits)"),
        }
    })
}

/// `metadata`: an object of strings.
pub(crate) fn string_map(r: &mut Reader, value: &Value) -> Option<BTreeMap<String, String>> {
    let Value::Object(map) = value else {
        return r.fail("dict_type", "Input should be a valid dictionary");
    };
    let read: Vec<Option<(String, String)>> = map
        .iter()
        .map(|(key, v)| r.at(key.as_str().into(), |r| string(r, v)).map(|v| (key.clone(), v)))
        .collect();
    read.into_iter().collect()
}

/// The bytes a CryptoMesh size names, or `None` when it is not one.
///
/// A size is ASCII digits, optionally a `.` and more digits, optional spaces, then `GB` or `MB`
/// in any case: `512MB`, `2gb`, `1.5 GB`. CryptoMesh checks only the suffix; we also require the
/// number so that a size can become a Colonies memory condition. Units are decimal, as in
/// Colonies (`MB` = 10⁶ bytes, `GB` = 10⁹); fractions of a byte are dropped. Values beyond
/// 64 bits are refused.
pub fn size_bytes(text: &str) -> Option<u64> {
    let unit: u64 = match text.get(text.len().checked_sub(2)?..)?.to_ascii_lowercase().as_str() {
        "gb" => 1_000_000_000,
        "mb" => 1_000_000,
        _ => return None,
    };
    let number = text[..text.len() - 2].trim_end_matches(' ');
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || number.ends_with('.') {
        return None;
    }
    let mut bytes = whole.parse::<u64>().ok()?.checked_mul(unit)?;
    let mut scale = unit;
    for digit in fraction.bytes() {
        scale /= 10;
        bytes = bytes.checked_add(u64::from(digit - b'0') * scale)?;
    }
    Some(bytes)
}

/// Whether any string of `value`, key or value, holds U+0000 (which PostgreSQL cannot store).
fn holds_nul(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(map) => map.iter().any(|(key, item)| key.contains('\0') || holds_nul(item)),
        _ => false,
    }
}

/// Parses a request body's bytes as JSON, answering as FastAPI does when it cannot:
/// an empty body is `missing` at `["body"]`; malformed JSON is `json_invalid` at
/// `["body", offset]`. A string holding U+0000 is `string_type` at `["body"]`: no record
/// can keep one.
pub fn parse_json(bytes: &[u8]) -> Result<Value, Invalid> {
    let problem = |loc: Vec<Loc>, msg: String, kind: &str| Invalid {
        detail: alloc::vec![Problem { loc, msg, kind: kind.into() }],
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(problem(alloc::vec!["body".into()], "Field required".into(), "missing"));
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|error| {
        // serde_json counts lines and columns from 1; FastAPI reports an offset.
        let line_start: usize = bytes
            .split(|&b| b == b'\n')
            .take(error.line().saturating_sub(1))
            .map(|line| line.len() + 1)
            .sum();
        let offset = (line_start + error.column().saturating_sub(1)).min(bytes.len());
        problem(
            alloc::vec!["body".into(), offset.into()],
            format!("JSON decode error: {error}"),
            "json_invalid",
        )
    })?;
    if holds_nul(&value) {
        return Err(problem(
            alloc::vec!["body".into()],
            "strings may not contain the character U+0000".into(),
            "string_type",
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_nul_anywhere_is_refused() {
        for body in [r#"{"a":"x\u0000"}"#, r#"{"a\u0000":1}"#, r#"{"a":[{"b":"\u0000"}]}"#] {
            let invalid = parse_json(body.as_bytes()).unwrap_err();
            assert_eq!(invalid.detail[0].kind, "string_type", "{body}");
        }
        assert!(parse_json(br#"{"a":"\\u0000"}"#).is_ok(), "an escaped backslash is text");
    }

    fn read<T>(
        value: Value,
        f: impl FnOnce(&mut Reader, &Value) -> Option<T>,
    ) -> Result<T, Invalid> {
        body(&value, f)
    }

    fn kind<T: core::fmt::Debug>(result: Result<T, Invalid>) -> String {
        result.unwrap_err().detail[0].kind.clone()
    }

    #[test]
    fn sizes() {
        assert_eq!(size_bytes("512MB"), Some(512_000_000));
        assert_eq!(size_bytes("2gb"), Some(2_000_000_000));
        assert_eq!(size_bytes("2Gb"), Some(2_000_000_000));
        assert_eq!(size_bytes("1.5 GB"), Some(1_500_000_000));
        assert_eq!(size_bytes("0.0000001MB"), Some(0));
        assert_eq!(size_bytes("0MB"), Some(0));
        for bad in [
            "",
            "GB",
            "MB",
            " 1GB",
            "1GB ",
            "1.GB",
            ".5GB",
            "1KB",
            "1G",
            "1",
            "-1GB",
            "1,5GB",
            "abcGB",
            "1e3MB",
            "99999999999999999999GB",
            "1.2.3GB",
            "２GB",
        ] {
            assert_eq!(size_bytes(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn scalars() {
        assert_eq!(read(json!(2), cpu).ok(), Some(2));
        assert_eq!(read(json!(2.0), cpu).ok(), Some(2));
        assert_eq!(kind(read(json!(0), cpu)), "greater_than");
        assert_eq!(kind(read(json!(-3), cpu)), "greater_than");
        assert_eq!(kind(read(json!(2.5), cpu)), "int_type");
        assert_eq!(kind(read(json!("2"), cpu)), "int_type");
        assert_eq!(kind(read(json!(u64::MAX), cpu)), "int_type");
        assert_eq!(kind(read(json!(1), string)), "string_type");
        assert_eq!(kind(read(json!("true"), boolean)), "bool_type");
        assert_eq!(kind(read(json!(" \t"), non_blank)), "value_error");
        assert_eq!(kind(read(json!("1TB"), size)), "value_error");
        assert_eq!(kind(read(json!({}), strings)), "list_type");
        assert_eq!(kind(read(json!([]), string_map)), "dict_type");
        assert_eq!(kind(read(json!([]), |r, v| r.object(v).cloned())), "model_attributes_type");
    }

    #[test]
    fn lists_report_every_bad_item() {
        let error = read(json!(["a", " ", 3]), role_names).unwrap_err();
        assert!(error.has(&["body", "1"]) && error.has(&["body", "2"]));
        assert_eq!(error.detail.len(), 2);
        assert!(read(json!([]), role_names).unwrap_err().has(&["body"]));
        let id = "4FEF2B5A82D134D058C1883C72D6D9CAF77CD59CA82D73105017590DEA3DCB87";
        assert_eq!(read(json!([id]), member_ids).unwrap(), [id.to_ascii_lowercase()]);
        assert!(read(json!(["abc"]), member_ids).unwrap_err().has(&["body", "0"]));
        let error = read(json!({"a": "x", "b": 1}), string_map).unwrap_err();
        assert!(error.has(&["body", "b"]));
    }

    #[test]
    fn fields_required_and_optional() {
        let fields = |r: &mut Reader, v: &Value| {
            let object = r.object(v)?;
            let a = r.required(object, "a", string);
            let b = r.optional(object, "b", string);
            Some((a?, b?))
        };
        assert_eq!(read(json!({"a": "x"}), fields).unwrap(), ("x".into(), None));
        assert_eq!(read(json!({"a": "x", "b": null}), fields).unwrap(), ("x".into(), None));
        let error = read(json!({"b": 1}), fields).unwrap_err();
        assert_eq!(error.detail.len(), 2, "{error}");
        assert_eq!(
            (error.detail[0].kind.as_str(), error.detail[1].kind.as_str()),
            ("missing", "string_type")
        );
        assert!(error.has(&["body", "a"]) && error.has(&["body", "b"]));
        assert_eq!(kind(read(json!({"a": null}), fields)), "string_type");
    }

    #[test]
    fn raw_bodies() {
        assert_eq!(parse_json(br#"{"a":1}"#).unwrap(), json!({"a": 1}));
        let empty = parse_json(b" ").unwrap_err();
        assert_eq!((empty.detail[0].kind.as_str(), empty.detail[0].loc.len()), ("missing", 1));
        let broken = parse_json(b"{\"a\":1,\n \"b\": }").unwrap_err();
        assert_eq!(broken.detail[0].kind, "json_invalid");
        assert_eq!(broken.detail[0].loc, [Loc::from("body"), Loc::Index(14)]);
    }
}
