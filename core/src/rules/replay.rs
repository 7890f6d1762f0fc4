//! Replay protection: binding a signed request to a moment, a nonce and one server.
//!
//! A Colonies signature covers the base64 payload and nothing else, so a captured request is
//! valid for ever, on any server. Servers ignore payload fields they do not know, so three
//! fields inside the payload bind it without changing the envelope:
//!
//! | field | value |
//! |---|---|
//! | `nonce` | 128 random bits, 32 lowercase hex characters, never reused by a caller |
//! | `signedat` | when the client signed, Unix time in milliseconds (a JSON integer) |
//! | `audience` | the ID of the server it is meant for (`serverid` of `getserverinfomsg`) |
//!
//! A server checks a bound request ([`Binding`]) in one step: it records `(caller, nonce)`
//! only when the audience is its own ID, `signedat` lies within the window around its clock,
//! and the pair was not recorded before; [`verdict`] then names the rule that failed from
//! what the server saw ([`NonceCheck`]). The Go server and the official SDKs ignore the fields.

use crate::Failure;
use alloc::{
    format,
    string::{String, ToString},
};
use core::{fmt, str::FromStr};
use serde::Deserialize;

/// How many hex characters a nonce has (128 bits).
pub const NONCE_HEX_LEN: usize = 32;

/// The default window, in milliseconds, on each side of the server's clock.
pub const DEFAULT_WINDOW_MS: i64 = 60_000;

/// How a server treats the binding fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Ignored, as Colonies ignores them.
    Off,
    /// Checked when present; a request without any of them is served as Colonies serves it.
    #[default]
    Compat,
    /// Required: a request without them is refused.
    Strict,
}

impl FromStr for Mode {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "off" => Ok(Self::Off),
            "compat" => Ok(Self::Compat),
            "strict" => Ok(Self::Strict),
            other => Err(format!("replay protection is off, compat or strict, not {other:?}")),
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Off => "off",
            Self::Compat => "compat",
            Self::Strict => "strict",
        })
    }
}

/// The binding fields of a request payload, as sent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Binding {
    /// 32 lowercase hex characters.
    pub nonce: String,
    /// Unix time in milliseconds when the client signed.
    pub signedat: i64,
    /// The ID of the server the request is meant for.
    pub audience: String,
}

/// Why a request was refused; every refusal is a 403 and changes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The payload lacks one or more of the fields (all three, in `strict` mode).
    Missing,
    /// A field is there but not in its form.
    Malformed(&'static str),
    /// `signedat` lies outside the window around the server's clock, or before the server's
    /// memory of nonces began; `server_ms` is the server's time, for the client's offset.
    Stale {
        /// The server's clock, Unix milliseconds.
        server_ms: i64,
    },
    /// `audience` is not this server's ID.
    WrongAudience,
    /// This caller sent this nonce within the window already.
    Replayed,
}

impl Refusal {
    /// The HTTP status: always 403.
    pub const fn status(&self) -> u16 {
        403
    }

    /// The error reply.
    pub fn to_failure(&self) -> Failure {
        Failure::new(self.status(), self.to_string())
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing => f.write_str(
                "replay protection: fields missing: the payload needs nonce, signedat and \
                 audience (this server runs in strict mode, or only some of them were given)",
            ),
            Self::Malformed(what) => write!(f, "replay protection: fields missing: {what}"),
            Self::Stale { server_ms } => write!(
                f,
                "replay protection: stale: signedat is outside the server's window; the \
                 server's time is {server_ms} (Unix ms)"
            ),
            Self::WrongAudience => f.write_str(
                "replay protection: wrong audience: the request is meant for another server \
                 (ask getserverinfomsg for this server's serverid)",
            ),
            Self::Replayed => f.write_str(
                "replay protection: replayed: this nonce was already used by this caller",
            ),
        }
    }
}

#[derive(Deserialize)]
struct Fields {
    #[serde(default)]
    nonce: Option<serde_json::Value>,
    #[serde(default)]
    signedat: Option<serde_json::Value>,
    #[serde(default)]
    audience: Option<serde_json::Value>,
}

/// Reads the binding fields of a payload's JSON. `Ok(None)`: none of them is there.
pub fn read_binding(payload_json: &[u8]) -> Result<Option<Binding>, Refusal> {
    let fields: Fields = serde_json::from_slice(payload_json)
        .map_err(|_| Refusal::Malformed("the payload is not a JSON object"))?;
    let present = |v: &Option<serde_json::Value>| v.as_ref().is_some_and(|v| !v.is_null());
    match (present(&fields.nonce), present(&fields.signedat), present(&fields.audience)) {
        (false, false, false) => return Ok(None),
        (true, true, true) => {}
        _ => return Err(Refusal::Missing),
    }
    let nonce = match fields.nonce {
        Some(serde_json::Value::String(nonce)) if is_nonce(&nonce) => nonce,
        _ => return Err(Refusal::Malformed("nonce must be 32 lowercase hex characters")),
    };
    let signedat = match fields.signedat.as_ref().and_then(serde_json::Value::as_i64) {
        Some(ms) if ms > 0 => ms,
        _ => return Err(Refusal::Malformed("signedat must be a positive integer (Unix ms)")),
    };
    let audience = match fields.audience {
        Some(serde_json::Value::String(audience)) if !audience.is_empty() => audience,
        _ => return Err(Refusal::Malformed("audience must be the server's ID")),
    };
    Ok(Some(Binding { nonce, signedat, audience }))
}

fn is_nonce(text: &str) -> bool {
    text.len() == NONCE_HEX_LEN && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// What a server decides before it looks at its records: the binding to check, if any.
pub fn precheck(mode: Mode, payload_json: &[u8]) -> Result<Option<Binding>, Refusal> {
    match mode {
        Mode::Off => Ok(None),
        Mode::Compat => read_binding(payload_json),
        Mode::Strict => read_binding(payload_json)?.map(Some).ok_or(Refusal::Missing),
    }
}

/// What the server saw when it tried to record a binding's nonce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NonceCheck {
    /// This server's ID (`None`: none is set).
    pub server_id: Option<String>,
    /// The server's clock, Unix milliseconds.
    pub now_ms: i64,
    /// Since when the server remembers nonces (`None`: its memory was lost).
    pub memory_since_ms: Option<i64>,
    /// Whether the nonce was recorded (every rule held).
    pub recorded: bool,
}

/// Whether a binding may be recorded: the rule the server's statement applies.
pub fn acceptable(
    binding: &Binding,
    server_id: &str,
    now_ms: i64,
    since_ms: i64,
    window_ms: i64,
) -> bool {
    binding.audience == server_id
        && binding.signedat.abs_diff(now_ms) <= window_ms.unsigned_abs()
        && binding.signedat >= since_ms
}

/// The outcome of a bound request, from what the server saw.
pub fn verdict(binding: &Binding, seen: &NonceCheck, window_ms: i64) -> Result<(), Refusal> {
    if seen.recorded {
        return Ok(());
    }
    if seen.server_id.as_deref() != Some(binding.audience.as_str()) {
        return Err(Refusal::WrongAudience);
    }
    let since = seen.memory_since_ms.unwrap_or(i64::MAX);
    if binding.signedat.abs_diff(seen.now_ms) > window_ms.unsigned_abs() || binding.signedat < since
    {
        return Err(Refusal::Stale { server_ms: seen.now_ms });
    }
    Err(Refusal::Replayed)
}

impl Binding {
    /// A binding with this nonce (16 bytes), signing time and audience.
    pub fn with_nonce(nonce: [u8; 16], signedat: i64, audience: &str) -> Self {
        Self { nonce: crate::hex::encode(&nonce), signedat, audience: audience.into() }
    }

    /// A binding with a fresh random nonce.
    #[cfg(feature = "getrandom")]
    pub fn new(signedat: i64, audience: &str) -> Result<Self, crate::crypto::KeyError> {
        let mut nonce = [0u8; 16];
        getrandom::fill(&mut nonce).map_err(|_| crate::crypto::KeyError::Entropy)?;
        Ok(Self::with_nonce(nonce, signedat, audience))
    }

    /// `payload_json` (a JSON object) with the three fields added in front of its own.
    /// Anything else is returned as it is.
    pub fn bind(&self, payload_json: &str) -> String {
        let trimmed = payload_json.trim_start();
        let Some(rest) = trimmed.strip_prefix('{') else {
            return payload_json.into();
        };
        let audience = serde_json::to_string(&self.audience).unwrap_or_default();
        let separator = if rest.trim_start().starts_with('}') { "" } else { "," };
        format!(
            "{{\"nonce\":\"{}\",\"signedat\":{},\"audience\":{audience}{separator}{rest}",
            self.nonce, self.signedat
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVER: &str = "aa";

    fn binding() -> Binding {
        Binding::with_nonce([7; 16], 1_000_000, SERVER)
    }

    fn seen(now_ms: i64, recorded: bool) -> NonceCheck {
        NonceCheck { server_id: Some(SERVER.into()), now_ms, memory_since_ms: Some(0), recorded }
    }

    #[test]
    fn bind_then_read_gives_the_binding_back() {
        let b = binding();
        for json in [r#"{"msgtype":"x","a":1}"#, "{}", " { } "] {
            let bound = b.bind(json);
            let value: serde_json::Value = serde_json::from_str(&bound).expect("still JSON");
            assert_eq!(value["nonce"], b.nonce.as_str());
            assert_eq!(read_binding(bound.as_bytes()), Ok(Some(b.clone())), "{bound}");
        }
        assert_eq!(b.bind("[1]"), "[1]");
    }

    #[test]
    fn modes_decide_what_an_unbound_request_gets() {
        let plain = br#"{"msgtype":"x"}"#;
        assert_eq!(precheck(Mode::Off, plain), Ok(None));
        assert_eq!(precheck(Mode::Compat, plain), Ok(None));
        assert_eq!(precheck(Mode::Strict, plain), Err(Refusal::Missing));
        let partial = br#"{"msgtype":"x","nonce":"00000000000000000000000000000000"}"#;
        assert_eq!(precheck(Mode::Compat, partial), Err(Refusal::Missing));
        let bad = br#"{"nonce":"XYZ","signedat":1,"audience":"aa"}"#;
        assert!(matches!(precheck(Mode::Compat, bad), Err(Refusal::Malformed(_))));
        let bound = binding().bind(r#"{"msgtype":"x"}"#);
        assert_eq!(precheck(Mode::Off, bound.as_bytes()), Ok(None), "off ignores them");
        assert_eq!(precheck(Mode::Strict, bound.as_bytes()), Ok(Some(binding())));
    }

    #[test]
    fn the_verdict_names_the_rule_that_failed() {
        let b = binding();
        assert_eq!(verdict(&b, &seen(1_000_000, true), 60_000), Ok(()));
        assert_eq!(verdict(&b, &seen(1_000_500, false), 60_000), Err(Refusal::Replayed));
        assert_eq!(
            verdict(&b, &seen(1_060_001, false), 60_000),
            Err(Refusal::Stale { server_ms: 1_060_001 })
        );
        assert_eq!(
            verdict(&b, &seen(939_999, false), 60_000),
            Err(Refusal::Stale { server_ms: 939_999 }),
            "a signature from the future past the window"
        );
        let mut other = seen(1_000_000, false);
        other.server_id = Some("bb".into());
        assert_eq!(verdict(&b, &other, 60_000), Err(Refusal::WrongAudience));
        let mut forgot = seen(1_000_000, false);
        forgot.memory_since_ms = Some(1_000_001);
        assert!(matches!(verdict(&b, &forgot, 60_000), Err(Refusal::Stale { .. })));
        assert!(acceptable(&b, SERVER, 1_060_000, 0, 60_000));
        assert!(!acceptable(&b, SERVER, 1_060_001, 0, 60_000));
        assert!(!acceptable(&b, "bb", 1_000_000, 0, 60_000));
    }

    #[test]
    fn every_refusal_is_a_403_that_says_which_rule() {
        for (refusal, words) in [
            (Refusal::Missing, "fields missing"),
            (Refusal::Stale { server_ms: 5 }, "stale"),
            (Refusal::WrongAudience, "wrong audience"),
            (Refusal::Replayed, "replayed"),
        ] {
            let failure = refusal.to_failure();
            assert_eq!(failure.status, 403);
            assert!(failure.message.contains(words), "{}", failure.message);
        }
    }
}
