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
//! Between naps a waiter asks the database only whether a process of its colony and executor
//! type is assignable at all (an `EXISTS` on the small `processes_assignable` index, planned in
//! a fraction of the assign statement's time); only then does the assign loop run the full
//! assign statement again. The probe is a necessary condition of the assign's pick, so it never
//! hides a process; an idle long poll costs the database a probe per nap instead of a planned
//! assign (on Workers every statement is planned afresh: Hyperdrive keeps no prepared ones).
//!
//! A client that goes away ends its long poll: the request's `signal` (aborted when the client
//! disconnects, with the `enable_request_signal` compatibility flag in wrangler.toml) is
//! checked around every nap, and an aborted wait ends as timed out, so no later attempt
//! assigns a process to a request nobody reads (Go ends the poll with the request's context).

use crate::wakeups::{Interest, Ready, Wakeups, Woken};
use alloc::{boxed::Box, rc::Rc, string::String};
use colonies_core::model::Process;
use core::{cell::RefCell, time::Duration};
use tokio_postgres::{Client, types::Type};

/// The first nap after an empty assign: short, so a process submitted right after the
/// executor started waiting is taken almost at once.
pub const FIRST_NAP: Duration = Duration::from_millis(50);

/// The longest nap: bounds the wakeup latency of an executor that has waited for a while.
pub const LONGEST_NAP: Duration = Duration::from_millis(500);

/// Whether a process of a colony (`$1`) and executor type (`$2`) could be assigned: what the
/// assign statement's pick requires of every process, on the columns of the partial index
/// `processes_assignable`.
const MAYBE_ASSIGNABLE: &str = "SELECT EXISTS (SELECT 1 FROM processes
    WHERE colony_name = $1 AND executor_type = $2
      AND state = 0 AND NOT is_assigned AND NOT wait_for_parents
      AND (wait_deadline IS NULL OR wait_deadline > now()))";

/// The Workers wakeups: every waiter polls on its own, while its client is connected.
#[derive(Debug, Clone)]
pub struct PollingWakeups {
    /// The request's abort signal: aborted when the client has disconnected.
    client: Option<web_sys::AbortSignal>,
    /// The request's connection while no handler holds it (the host's), for the probe.
    idle: Rc<RefCell<Option<Client>>>,
}

impl PollingWakeups {
    /// Wakeups for one request: `signal` is the request's (aborted when its client goes
    /// away), `idle` the slot where the host keeps the request's connection between uses.
    pub fn for_request(
        signal: Option<web_sys::AbortSignal>,
        idle: Rc<RefCell<Option<Client>>>,
    ) -> Self {
        Self { client: signal, idle }
    }

    fn client_gone(&self) -> bool {
        self.client.as_ref().is_some_and(web_sys::AbortSignal::aborted)
    }

    /// Whether the waiter's next assign query could find something; `true` when that cannot
    /// be told (no idle connection, a database error): the assign query then decides.
    async fn maybe_assignable(&self, waiter: &PollingWaiter) -> bool {
        let idle = &self.idle;
        let Some(client) = idle.borrow_mut().take() else { return true };
        let params: [(&(dyn tokio_postgres::types::ToSql + Sync), Type); 2] =
            [(&waiter.colony, Type::TEXT), (&waiter.executor_type, Type::TEXT)];
        let answer = client.query_typed_opt(MAYBE_ASSIGNABLE, &params).await;
        if !client.is_closed() {
            let mut slot = idle.borrow_mut();
            if slot.is_none() {
                *slot = Some(client);
            }
        }
        match answer {
            Ok(Some(row)) => row.try_get::<_, bool>(0).unwrap_or(true),
            _ => true,
        }
    }
}

/// One waiting assign: the length of its next nap, and what it waits for.
#[derive(Debug, Clone)]
pub struct PollingWaiter {
    next: Duration,
    colony: String,
    executor_type: String,
}

impl Wakeups for PollingWakeups {
    type Waiter = PollingWaiter;

    fn register(&self, interest: Interest) -> PollingWaiter {
        PollingWaiter {
            next: FIRST_NAP,
            colony: interest.colony,
            executor_type: interest.executor_type,
        }
    }

    async fn wait(&self, waiter: &mut PollingWaiter, timeout: Duration) -> Woken {
        // The time the probes take counts too (Workers' clock moves across I/O, which is
        // all that happens here).
        let started_ms = js_sys::Date::now();
        let budget_ms = timeout.as_secs_f64() * 1000.0;
        loop {
            let left_ms = budget_ms - (js_sys::Date::now() - started_ms);
            if self.client_gone() || left_ms <= 0.0 {
                return Woken::TimedOut;
            }
            let left = Duration::from_secs_f64(left_ms / 1000.0);
            let nap = waiter.next.min(left);
            waiter.next = (waiter.next * 2).min(LONGEST_NAP);
            if !nap.is_zero() {
                worker::Delay::from(nap).await;
            }
            // A nap as long as the time left means that time is over (the caller measures
            // its own deadline as well).
            if self.client_gone() || nap >= left {
                return Woken::TimedOut;
            }
            if self.maybe_assignable(waiter).await {
                return Woken::Notified;
            }
        }
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
