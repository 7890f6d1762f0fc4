//! Names and IDs a server accepts (protocol §9, §11 item 11).
//!
//! Go stores executors, users, locations and snapshots under `"<colony>:<name>"` keys and splits
//! them on `:`, so a name with `:` breaks reads: we refuse it everywhere. Names must be
//! non-empty and at most [`MAX_NAME_LEN`] bytes (Go has no limit; 256 leaves room for every
//! name seen in the field while keeping keys and log lines bounded). Control characters are
//! refused too. Key IDs must be 64 lowercase hex characters: Go checks only the length (and
//! only for colony IDs and key rotation), but an ID in any other form can never match a
//! recovered caller, so refusing it early only turns a silent dead entry into a clear error.

use core::fmt;

/// The longest name accepted, in bytes.
pub const MAX_NAME_LEN: usize = 256;

/// The length of a key ID or a random ID: 64 hex characters.
pub const ID_LEN: usize = 64;

/// A name or ID that is refused, with what it was meant to name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameError {
    /// The name is empty.
    Empty {
        /// What the name names, e.g. `"colony"`.
        what: &'static str,
    },
    /// The name contains `:`, which breaks Colonies' composite keys.
    Colon {
        /// What the name names.
        what: &'static str,
    },
    /// The name contains a control character.
    Control {
        /// What the name names.
        what: &'static str,
    },
    /// The name is longer than [`MAX_NAME_LEN`] bytes.
    TooLong {
        /// What the name names.
        what: &'static str,
    },
    /// The ID is not 64 lowercase hex characters.
    Id {
        /// What the ID identifies, e.g. `"colony"`.
        what: &'static str,
    },
}

impl NameError {
    /// The HTTP status Colonies answers with: 400.
    pub const fn status(&self) -> u16 {
        400
    }
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty { what } => write!(f, "{what} name must not be empty"),
            Self::Colon { what } => write!(f, "{what} name must not contain ':'"),
            Self::Control { what } => write!(f, "{what} name must not contain control characters"),
            Self::TooLong { what } => {
                write!(f, "{what} name must be at most {MAX_NAME_LEN} bytes")
            }
            Self::Id { what } => write!(f, "{what} ID must be {ID_LEN} lowercase hex characters"),
        }
    }
}

impl core::error::Error for NameError {}

/// Checks a required name: non-empty, no `:`, no control characters, at most 256 bytes.
///
/// `what` names the thing for the error message: `"colony"`, `"executor"`, `"user"`, ...
pub fn check_name(what: &'static str, name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty { what });
    }
    check_optional_name(what, name)
}

/// Checks a name that may be empty (e.g. a location name or a filter): the same rules otherwise.
pub fn check_optional_name(what: &'static str, name: &str) -> Result<(), NameError> {
    if name.len() > MAX_NAME_LEN {
        return Err(NameError::TooLong { what });
    }
    if name.contains(':') {
        return Err(NameError::Colon { what });
    }
    if name.chars().any(char::is_control) {
        return Err(NameError::Control { what });
    }
    Ok(())
}

/// Checks a key ID or random ID: exactly 64 lowercase hex characters.
pub fn check_id(what: &'static str, id: &str) -> Result<(), NameError> {
    if id.len() == ID_LEN && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(())
    } else {
        Err(NameError::Id { what })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;

    #[test]
    fn names() {
        assert_eq!(check_name("colony", "dev"), Ok(()));
        assert_eq!(check_name("colony", "smoke-s3q3joqo_1.x"), Ok(()));
        assert_eq!(check_name("colony", ""), Err(NameError::Empty { what: "colony" }));
        assert_eq!(check_name("executor", "a:b"), Err(NameError::Colon { what: "executor" }));
        assert_eq!(check_name("user", "a\nb"), Err(NameError::Control { what: "user" }));
        assert_eq!(check_name("user", "åäö"), Ok(()));
        let long: String = "x".repeat(MAX_NAME_LEN);
        assert_eq!(check_name("user", &long), Ok(()));
        let longer: String = "x".repeat(MAX_NAME_LEN + 1);
        assert_eq!(check_name("user", &longer), Err(NameError::TooLong { what: "user" }));
        assert_eq!(check_optional_name("location", ""), Ok(()));
        assert_eq!(
            check_optional_name("location", "a:b"),
            Err(NameError::Colon { what: "location" })
        );
        assert_eq!(NameError::Empty { what: "colony" }.status(), 400);
    }

    #[test]
    fn ids() {
        let id = "4fef2b5a82d134d058c1883c72d6d9caf77cd59ca82d73105017590dea3dcb87";
        assert_eq!(check_id("colony", id), Ok(()));
        assert!(check_id("colony", &id[1..]).is_err());
        assert!(check_id("colony", &id.to_uppercase()).is_err());
        assert!(check_id("colony", &alloc::format!("{id}0")).is_err());
        assert!(check_id("colony", &"g".repeat(64)).is_err());
    }
}
