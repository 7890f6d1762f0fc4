//! The two error bodies of the mesh API: FastAPI's validation list (422) and the
//! `{"detail":{"message","code"}}` object of every other refusal.

use super::{Kind, access::Refusal};
use alloc::{format, string::String, vec::Vec};
use core::fmt;
use serde::{Deserialize, Serialize};

/// One step of a problem's location: an object key or an array index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Loc {
    /// A position in an array (or, for unreadable JSON, a byte offset in the body).
    Index(usize),
    /// A key of an object.
    Key(String),
}

impl From<&str> for Loc {
    fn from(key: &str) -> Self {
        Self::Key(key.into())
    }
}

impl From<usize> for Loc {
    fn from(index: usize) -> Self {
        Self::Index(index)
    }
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Index(index) => write!(f, "{index}"),
            Self::Key(key) => f.write_str(key),
        }
    }
}

/// One validation problem, as FastAPI lists it: where, what, and its pydantic error type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Where: `["body", "resources", "cpu"]`.
    pub loc: Vec<Loc>,
    /// What, for a person.
    pub msg: String,
    /// The pydantic error type: `missing`, `string_type`, `greater_than`, `value_error`, …
    #[serde(rename = "type")]
    pub kind: String,
}

/// A body that failed validation: every problem found, in the order the fields were read.
///
/// Serialises as FastAPI's 422 body `{"detail":[{"loc":[…],"msg":"…","type":"…"}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invalid {
    /// The problems; never empty when produced by this module.
    pub detail: Vec<Problem>,
}

impl Invalid {
    /// The HTTP status: 422.
    pub const fn status(&self) -> u16 {
        422
    }

    /// Whether some problem sits at exactly `loc` (for tests and callers that branch on one).
    pub fn has(&self, loc: &[&str]) -> bool {
        self.detail.iter().any(|problem| {
            problem.loc.len() == loc.len()
                && problem.loc.iter().zip(loc).all(|(step, want)| match step {
                    Loc::Key(key) => key == want,
                    Loc::Index(index) => want.parse() == Ok(*index),
                })
        })
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, problem) in self.detail.iter().enumerate() {
            if n > 0 {
                f.write_str("; ")?;
            }
            for (i, step) in problem.loc.iter().enumerate() {
                write!(f, "{}{step}", if i > 0 { "." } else { "" })?;
            }
            write!(f, ": {}", problem.msg)?;
        }
        Ok(())
    }
}

impl core::error::Error for Invalid {}

/// The message and status inside an [`ApiError`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// What went wrong, for a person.
    pub message: String,
    /// The HTTP status, repeated in the body.
    pub code: u16,
}

/// A refusal other than validation (400, 401, 403, 404):
/// `{"detail":{"message":"…","code":404}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// The message and status.
    pub detail: ErrorDetail,
}

impl ApiError {
    /// An error with this status and message.
    pub fn new(code: u16, message: impl Into<String>) -> Self {
        Self { detail: ErrorDetail { message: message.into(), code } }
    }

    /// 400: the request cannot be carried out as asked.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }

    /// 400: a record of this kind already has this id (a client-chosen `sp_id` taken twice).
    pub fn duplicate(kind: Kind, id: &str) -> Self {
        Self::bad_request(format!("a {} with id '{id}' already exists", kind.noun()))
    }

    /// 401: the caller must identify itself.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(401, message)
    }

    /// 403: the caller is known and may not do this.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, message)
    }

    /// 404: no record of this kind has this id (in the caller's colony).
    pub fn not_found(kind: Kind, id: &str) -> Self {
        Self::new(404, format!("no {} with id '{id}'", kind.noun()))
    }

    /// The HTTP status.
    pub const fn status(&self) -> u16 {
        self.detail.code
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail.message)
    }
}

impl core::error::Error for ApiError {}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        Self::new(refusal.status(), format!("{refusal}"))
    }
}

/// Any error the mesh API answers with; serialises as the body to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum MeshError {
    /// 422 with FastAPI's problem list.
    Invalid(Invalid),
    /// 400/401/403/404 with a message.
    Api(ApiError),
}

impl MeshError {
    /// The HTTP status to answer with.
    pub const fn status(&self) -> u16 {
        match self {
            Self::Invalid(invalid) => invalid.status(),
            Self::Api(error) => error.status(),
        }
    }
}

impl fmt::Display for MeshError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid(invalid) => invalid.fmt(f),
            Self::Api(error) => error.fmt(f),
        }
    }
}

impl core::error::Error for MeshError {}

impl From<Invalid> for MeshError {
    fn from(invalid: Invalid) -> Self {
        Self::Invalid(invalid)
    }
}

impl From<ApiError> for MeshError {
    fn from(error: ApiError) -> Self {
        Self::Api(error)
    }
}

impl From<Refusal> for MeshError {
    fn from(refusal: Refusal) -> Self {
        Self::Api(refusal.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use serde_json::json;

    #[test]
    fn bodies_have_fastapi_shapes() {
        let invalid = Invalid {
            detail: alloc::vec![Problem {
                loc: alloc::vec!["body".into(), "roles".into(), 1.into()],
                msg: "Field required".into(),
                kind: "missing".into(),
            }],
        };
        assert_eq!(
            serde_json::to_value(MeshError::from(invalid.clone())).ok(),
            Some(
                json!({"detail":[{"loc":["body","roles",1],"msg":"Field required","type":"missing"}]})
            )
        );
        assert_eq!(MeshError::from(invalid.clone()).status(), 422);
        assert_eq!(invalid.to_string(), "body.roles.1: Field required");
        assert!(invalid.has(&["body", "roles", "1"]));
        assert!(!invalid.has(&["body", "roles"]));

        let missing = ApiError::not_found(Kind::Service, "abc");
        assert_eq!(
            serde_json::to_value(MeshError::from(missing.clone())).ok(),
            Some(json!({"detail":{"message":"no service with id 'abc'","code":404}}))
        );
        assert_eq!(missing.status(), 404);
        assert_eq!(ApiError::duplicate(Kind::SecurityPolicy, "sp1").status(), 400);
        assert_eq!(ApiError::unauthorized("who?").status(), 401);
        assert_eq!(ApiError::forbidden("no").status(), 403);
        // Clients can read both bodies back.
        let back: Invalid =
            serde_json::from_value(json!({"detail":[{"loc":["body",0],"msg":"m","type":"t"}]}))
                .unwrap();
        assert_eq!(back.detail[0].loc, alloc::vec![Loc::from("body"), Loc::Index(0)]);
    }
}
