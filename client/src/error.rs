//! [`ClientError`]: why a call failed, with the Colonies status when the server said so.

use colonies_core::Failure;
use core::{fmt, time::Duration};

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientError {
    /// The server answered with an error reply (`{"status":N,"message":…}`). Retrying helps
    /// for 5xx, for 404 from `assign` (nothing to do yet) and 408/503 (assignments paused).
    Server(Failure),
    /// No answer: the server is unreachable or the connection broke. Retrying may help.
    Connection(String),
    /// No answer within the client's timeout. Retrying may help.
    Timeout(Duration),
    /// The answer is not a Colonies reply: a wrong URL, a proxy, or an incompatible server.
    Protocol(String),
    /// The request could not be built: no private key, a malformed URL or key.
    Input(String),
    /// An end-to-end encrypted colony's value could not be sealed, or its keys not managed:
    /// this identity holds no key of the current version, a wrapped key does not open, the
    /// colony owner's key is needed. Nothing was sent in plaintext.
    Encryption(String),
}

impl ClientError {
    /// The Colonies status of a server error (the HTTP status Colonies uses for it).
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Server(failure) => Some(failure.status),
            _ => None,
        }
    }

    /// Whether the server said "not found" (404), e.g. `assign` with nothing to do.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// Whether the server refused the request for its replay binding (403 "replay
    /// protection: …"): stale, for another server, a nonce used before, or fields missing.
    /// Such a request changed nothing; signed anew it may be served.
    pub fn is_replay_refusal(&self) -> bool {
        matches!(self, Self::Server(failure)
            if failure.status == 403 && failure.message.starts_with(super::binding::REFUSAL))
    }

    /// Whether the same call may succeed later: no answer, a server fault, or paused
    /// assignments (408/503). Authorisation and validation errors are not retryable.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Server(failure) => failure.status >= 500 || failure.status == 408,
            Self::Connection(_) | Self::Timeout(_) => true,
            Self::Protocol(_) | Self::Input(_) | Self::Encryption(_) => false,
        }
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Server(failure) => {
                write!(f, "server error {}: {}", failure.status, failure.message)
            }
            Self::Connection(detail) => write!(f, "cannot reach the server: {detail}"),
            Self::Timeout(after) => write!(f, "no reply within {} ms", after.as_millis()),
            Self::Protocol(detail) => write!(f, "not a Colonies reply: {detail}"),
            Self::Input(detail) => write!(f, "invalid request: {detail}"),
            Self::Encryption(detail) => write!(f, "end-to-end encryption: {detail}"),
        }
    }
}

impl core::error::Error for ClientError {}

impl From<Failure> for ClientError {
    fn from(failure: Failure) -> Self {
        Self::Server(failure)
    }
}
