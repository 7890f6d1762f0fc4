//! Replay binding of the client's signed requests (docs/protocol.md "Replay protection"):
//! what one client and its clones know about the server's ID (the `audience`) and clock.
//!
//! Every signed request gets a fresh [`Binding`] (a new nonce, the signing time, the
//! audience). The audience is learned once, from `getserverinfomsg`'s `serverid`; a server
//! that tells none (a Go server) is sent unbound requests, and that answer is kept too.

use alloc::string::String;
use colonies_core::rules::replay::Binding;
use core::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;

/// How the message of a refusal for the audience starts.
pub(crate) const WRONG_AUDIENCE: &str = "replay protection: wrong audience";
/// How the message of a refusal for the signing time starts.
pub(crate) const STALE: &str = "replay protection: stale";
/// How every replay protection refusal starts.
pub(crate) const REFUSAL: &str = "replay protection:";

/// What the client knows about the server it binds requests to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Audience {
    /// Bind requests to this server ID.
    Server(String),
    /// The server tells no `serverid` (a Go server): requests go unbound.
    None,
}

/// Shared by a client and its clones (one server).
#[derive(Debug, Default)]
pub(crate) struct BindingState {
    /// `None`: not learned yet.
    audience: Mutex<Option<Audience>>,
    /// One `getserverinfomsg` at a time: tasks that wait for it use its answer.
    pub(crate) learning: tokio::sync::Mutex<()>,
    /// Added to this machine's clock when signing: the server's time minus ours, in ms.
    offset_ms: AtomicI64,
}

impl BindingState {
    /// The audience, if learned.
    pub(crate) fn audience(&self) -> Option<Audience> {
        self.audience.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Records what `getserverinfomsg` told.
    pub(crate) fn learned(&self, audience: Audience) {
        *self.audience.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(audience);
    }

    /// The clock offset in milliseconds (0 until a stale refusal told the server's time).
    pub(crate) fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::Relaxed)
    }

    /// Takes the server's time from a stale refusal: later requests are signed with it.
    pub(crate) fn correct_clock(&self, server_ms: i64) {
        self.offset_ms.store(server_ms.saturating_sub(now_ms()), Ordering::Relaxed);
    }

    /// A fresh binding to `audience`, signed now on the corrected clock.
    pub(crate) fn binding(&self, audience: &str) -> Result<Binding, super::ClientError> {
        let signedat = now_ms().saturating_add(self.offset_ms());
        Binding::new(signedat, audience).map_err(|e| {
            super::ClientError::Input(format!("cannot draw a nonce for the request: {e}"))
        })
    }
}

/// This machine's clock, Unix milliseconds.
pub(crate) fn now_ms() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    since.map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)).unwrap_or(0)
}

/// The server's time a stale refusal tells: "… the server's time is N (Unix ms)".
pub(crate) fn server_time_hint(message: &str) -> Option<i64> {
    let (_, rest) = message.split_once("the server's time is ")?;
    let digits: String =
        rest.trim_start().chars().take_while(|c| c.is_ascii_digit() || *c == '-').collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hint_of_a_stale_refusal_is_read() {
        let refusal = colonies_core::rules::replay::Refusal::Stale { server_ms: 1_796_660_000_123 };
        assert_eq!(server_time_hint(&refusal.to_string()), Some(1_796_660_000_123));
        assert_eq!(server_time_hint("replay protection: stale"), None);
    }

    #[test]
    fn a_corrected_clock_signs_on_the_servers_time() {
        let state = BindingState::default();
        let before = state.binding("aa").unwrap();
        assert!((before.signedat - now_ms()).abs() < 5_000);
        state.correct_clock(now_ms() + 3_600_000);
        let after = state.binding("aa").unwrap();
        assert!((after.signedat - now_ms() - 3_600_000).abs() < 5_000, "{after:?}");
        assert_ne!(before.nonce, after.nonce, "a new nonce every time");
    }
}
