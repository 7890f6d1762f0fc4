//! Long-poll wakeups on Workers: polling with backoff inside the request.
//!
//! Isolates share no memory and Hyperdrive allows no LISTEN, so a submit cannot reach an
//! executor blocked in another isolate. The waiting request instead naps and lets the assign
//! loop query again: first after [`FIRST_NAP`], doubling up to [`LONGEST_NAP`]. Each retry is
//! one assign statement over the request's own connection (no new subrequest), and the
//! wakeup latency is at most the current nap plus one round trip. `publish` has nothing to do:
//! waking a request of another isolate is not possible, and waking one in this isolate would
//! make it run its I/O from the publishing request's context, which Workers forbid.
//!
//! With a 10 s timeout a waiter queries about 25 times; with 60 s about 125 times. Each
//! query costs well under a millisecond of CPU, so even a long poll stays far inside the CPU
//! limit of a paid plan; wall time is not limited while the client stays connected.
//!
//! A client that goes away ends its long poll: the request's `signal` (aborted when the client
//! disconnects, with the `enable_request_signal` compatibility flag in wrangler.toml) is
//! checked around every nap, and an aborted wait ends as timed out, so no later attempt
//! assigns a process to a request nobody reads (Go ends the poll with the request's context).

use crate::wakeups::{Interest, Ready, Wakeups, Woken};
use alloc::boxed::Box;
use colonies_core::model::Process;
use core::time::Duration;

/// The first nap after an empty assign: short, so a process submitted right after the
/// executor started waiting is taken almost at once.
pub const FIRST_NAP: Duration = Duration::from_millis(50);

/// The longest nap: bounds the wakeup latency of an executor that has waited for a while.
pub const LONGEST_NAP: Duration = Duration::from_millis(500);

/// The Workers wakeups: every waiter polls on its own, while its client is connected.
#[derive(Debug, Clone, Default)]
pub struct PollingWakeups {
    /// The request's abort signal: aborted when the client has disconnected.
    client: Option<web_sys::AbortSignal>,
}

impl PollingWakeups {
    /// Wakeups for a request whose client may disconnect (`signal`: the request's signal).
    pub fn for_client(signal: web_sys::AbortSignal) -> Self {
        Self { client: Some(signal) }
    }

    fn client_gone(&self) -> bool {
        self.client.as_ref().is_some_and(web_sys::AbortSignal::aborted)
    }
}

/// One waiting assign: the length of its next nap.
#[derive(Debug, Clone, Copy)]
pub struct PollingWaiter {
    next: Duration,
}

impl Wakeups for PollingWakeups {
    type Waiter = PollingWaiter;

    fn register(&self, _: Interest) -> PollingWaiter {
        PollingWaiter { next: FIRST_NAP }
    }

    async fn wait(&self, waiter: &mut PollingWaiter, timeout: Duration) -> Woken {
        let nap = waiter.next.min(timeout);
        waiter.next = (waiter.next * 2).min(LONGEST_NAP);
        if self.client_gone() {
            return Woken::TimedOut;
        }
        if !nap.is_zero() {
            worker::Delay::from(nap).await;
        }
        if self.client_gone() {
            return Woken::TimedOut;
        }
        // The caller measures its own deadline; a nap as long as the time left means that
        // time is over.
        if nap >= timeout { Woken::TimedOut } else { Woken::Notified }
    }

    fn publish(&self, _: Ready) {}

    /// Nothing is ever claimed here (see the module's note on isolates).
    type Claim = core::convert::Infallible;

    fn hand(&self, claim: Self::Claim, _: Process) -> Result<(), Box<Process>> {
        match claim {}
    }

    fn release(&self, claim: Self::Claim) {
        match claim {}
    }
}
