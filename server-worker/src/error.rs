//! The server's one error type. Handlers, the host seam and the entry points return
//! [`Error`]; `?` converts what they meet on the way (a refusal, a failed statement, no
//! connection), and [`Error::into_failure`] is the one place an error becomes the status and
//! message of the Colonies error envelope.

use crate::db::DbUnavailable;
use alloc::{format, string::String};
use colonies_core::{EnvelopeError, Failure};
use core::fmt;

/// Why a request did not succeed.
#[derive(Debug)]
pub enum Error {
    /// The server refuses the request: the status and message Colonies answers with.
    Refused(Failure),
    /// A statement failed (a constraint the request broke, or the database's own failure).
    Database(tokio_postgres::Error),
    /// No database connection could be had (503: retrying may help).
    Unavailable(DbUnavailable),
}

impl Error {
    /// A refusal with `status` and `message`.
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        Self::Refused(Failure::new(status, message))
    }

    /// The HTTP status the reply will carry.
    pub fn status(&self) -> u16 {
        match self {
            Self::Refused(failure) => failure.status,
            Self::Database(error) => database_status(error),
            Self::Unavailable(_) => 503,
        }
    }

    /// The status and message of the error envelope: a constraint violation is the caller's
    /// fault (400), any other database error is ours (500), no connection is 503.
    pub fn into_failure(self) -> Failure {
        match self {
            Self::Refused(failure) => failure,
            Self::Database(error) => {
                let status = database_status(&error);
                if status == 400 {
                    Failure::new(400, format!("rejected by the database: {error}"))
                } else {
                    Failure::new(500, format!("database error: {error}"))
                }
            }
            Self::Unavailable(DbUnavailable(message)) => Failure::new(503, message),
        }
    }
}

fn database_status(error: &tokio_postgres::Error) -> u16 {
    use tokio_postgres::error::SqlState;
    match error.code() {
        Some(code)
            if *code == SqlState::UNIQUE_VIOLATION
                || *code == SqlState::CHECK_VIOLATION
                || *code == SqlState::NOT_NULL_VIOLATION =>
        {
            400
        }
        _ => 500,
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refused(failure) => write!(f, "{} ({})", failure.message, failure.status),
            Self::Database(error) => write!(f, "database error: {error}"),
            Self::Unavailable(DbUnavailable(message)) => f.write_str(message),
        }
    }
}

impl core::error::Error for Error {}

impl From<Failure> for Error {
    fn from(failure: Failure) -> Self {
        Self::Refused(failure)
    }
}

impl From<tokio_postgres::Error> for Error {
    fn from(error: tokio_postgres::Error) -> Self {
        Self::Database(error)
    }
}

impl From<DbUnavailable> for Error {
    fn from(unavailable: DbUnavailable) -> Self {
        Self::Unavailable(unavailable)
    }
}

impl From<EnvelopeError> for Error {
    fn from(error: EnvelopeError) -> Self {
        Self::Refused(error.to_failure())
    }
}
