//! `ColoniesError`: what every failing promise of the package rejects with.

use colonies_core::Failure;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/runtime.js")]
extern "C" {
    /// The JavaScript class (an `Error` subclass with `status` and `reason`).
    #[wasm_bindgen(js_name = ColoniesError)]
    type JsColoniesError;

    #[wasm_bindgen(constructor, js_class = "ColoniesError")]
    fn new(status: u16, message: &str, reason: &str) -> JsColoniesError;
}

/// Why a call failed; becomes a JavaScript `ColoniesError` at the boundary.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error envelope (`reason: "server"`). Retrying helps only
    /// for 5xx, 404 from `assign` (nothing to do yet) and 408/503 (assignments paused).
    Server(Failure),
    /// No answer: the server is unreachable or the connection broke (`"network"`). Retry.
    Network(String),
    /// No answer within the client's timeout (`"timeout"`). Retry.
    Timeout(u32),
    /// The caller's `AbortSignal` fired (`"aborted"`).
    Aborted,
    /// The answer is not a Colonies reply (`"protocol"`): wrong URL or an incompatible server.
    Protocol(String),
    /// The request could not be built (`"input"`): a field of the wrong type, or no key.
    Input(String),
}

impl Error {
    /// The `status` of the JavaScript error.
    pub fn status(&self) -> u16 {
        match self {
            Self::Server(failure) => failure.status,
            Self::Input(_) => 400,
            _ => 0,
        }
    }

    /// The `reason` of the JavaScript error.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Server(_) => "server",
            Self::Network(_) => "network",
            Self::Timeout(_) => "timeout",
            Self::Aborted => "aborted",
            Self::Protocol(_) => "protocol",
            Self::Input(_) => "input",
        }
    }

    /// The `message` of the JavaScript error.
    pub fn message(&self) -> String {
        match self {
            Self::Server(failure) => failure.message.clone(),
            Self::Network(detail) => format!("network error: {detail}"),
            Self::Timeout(ms) => format!("no reply within {ms} ms"),
            Self::Aborted => "the request was aborted".into(),
            Self::Protocol(detail) => format!("not a Colonies reply: {detail}"),
            Self::Input(detail) => format!("invalid request: {detail}"),
        }
    }
}

impl From<Error> for JsValue {
    fn from(error: Error) -> Self {
        JsColoniesError::new(error.status(), &error.message(), error.reason()).into()
    }
}
