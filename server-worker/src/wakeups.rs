//! Long-poll wakeups: how a submit reaches an executor blocked in `assignprocessmsg`.
//!
//! A waiting executor registers its [`Interest`] *before* it runs the assign query, so a
//! process committed between the query and the wait still wakes it. A write that makes a
//! process assignable publishes a [`Ready`] after its commit; the host wakes exactly one
//! matching waiter (no thundering herd). The woken executor simply runs the assign query
//! again, so a lost or spurious wakeup costs latency, never correctness.
//!
//! A host whose waiters live in the submitting request's process can do better: the submit
//! [claims](Wakeups::claim) a parked waiter that can run the new process, assigns the
//! process to it in the very insert (when the database agrees: the executor is still
//! approved and matches, the colony is not paused) and [hands](Wakeups::hand) it over, so
//! the waiting executor gets its process without a query of its own.

use crate::db::{MaybeSend, MaybeSync};
use alloc::boxed::Box;
use colonies_core::model::Process;
use core::{future::Future, time::Duration};
use serde::{Deserialize, Serialize};

/// What an executor blocked in assign can take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interest {
    /// The executor's ID (the caller).
    pub executor_id: String,
    /// The colony it assigns from.
    pub colony: String,
    /// Its executor type.
    pub executor_type: String,
    /// Its name (processes may target names).
    pub executor_name: String,
    /// Its location name ("" when it has none).
    pub location: String,
    /// The CPU it has free, in millicores (`i64::MAX`: unlimited).
    pub cpu: i64,
    /// The memory it has free, in bytes (`i64::MAX`: unlimited).
    pub memory: i64,
}

/// A process became assignable (submitted, unassigned, or its parents finished).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ready {
    /// The process's colony.
    pub colony: String,
    /// The executor type it needs.
    pub executor_type: String,
    /// The executor names it is limited to (empty or `["*"]`: any).
    pub executor_names: Vec<String>,
    /// The location it is limited to ("": any).
    pub location: String,
}

impl Ready {
    /// What an executor must match to run `process` (its colony, executor type, names and
    /// location).
    pub fn of(process: &Process) -> Self {
        let c = &process.spec.conditions;
        Self {
            colony: c.colonyname.clone(),
            executor_type: c.executortype.clone(),
            executor_names: c.executornames.clone(),
            location: c.locationname.clone(),
        }
    }

    /// Whether an executor with `interest` could assign this process, by the same rules as
    /// the assign query (resources aside: a woken executor that lacks them re-queries, and
    /// the next event goes to someone else).
    pub fn wakes(&self, interest: &Interest) -> bool {
        self.colony == interest.colony
            && self.executor_type == interest.executor_type
            && (self.executor_names.is_empty()
                || self.executor_names.iter().any(|n| n == "*" || *n == interest.executor_name))
            && (self.location.is_empty() || self.location.eq_ignore_ascii_case(&interest.location))
    }
}

/// How a wait ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Woken {
    /// A matching process may be there: query again.
    Notified,
    /// A submit assigned this process to the waiter and handed it over: the assign's reply.
    Handed(Box<Process>),
    /// The time given ran out.
    TimedOut,
}

/// The wakeup mechanism of a host: an in-process notifier plus LISTEN/NOTIFY natively,
/// polling with backoff on Workers.
pub trait Wakeups: MaybeSync {
    /// A registered waiter. Dropping it unregisters; a wakeup it received but did not
    /// consume (the client went away) is passed on to another waiter.
    type Waiter: MaybeSend;
    /// Registers an interest before the assign query runs.
    fn register(&self, interest: Interest) -> Self::Waiter;
    /// Waits until the waiter is woken or `timeout` passes. The waiter stays registered
    /// after a timeout and is re-armed after a wakeup, so a loop can keep using it.
    fn wait<'a>(
        &'a self,
        waiter: &'a mut Self::Waiter,
        timeout: Duration,
    ) -> impl Future<Output = Woken> + MaybeSend + 'a;
    /// Announces, after the commit that made it so, that a process became assignable.
    fn publish(&self, ready: Ready);
    /// Takes a parked waiter that could run a process needing `ready`, `cpu` millicores and
    /// `memory` bytes out of the line, for a submit to assign the process to; the ID of its
    /// executor with the claim. Then exactly one of [`Wakeups::hand`] (the insert assigned
    /// it) or [`Wakeups::release`] (it did not) must follow. Hosts without in-process
    /// waiters claim nothing.
    fn claim(&self, _ready: &Ready, _cpu: i64, _memory: i64) -> Option<(String, Self::Claim)> {
        None
    }
    /// Gives the claimed waiter the process assigned to it; the process back when the waiter
    /// went away in the meantime (its request ended), so the caller can put it back.
    fn hand(&self, claim: Self::Claim, process: Process) -> Result<(), Box<Process>>;
    /// Returns a claimed waiter that was not given a process to its wait; it queries again.
    fn release(&self, claim: Self::Claim);
    /// A waiter taken out of the line by [`Wakeups::claim`].
    type Claim: MaybeSend;
    /// The interest `caller` last waited with in `colony`, if this host remembers it. Assign
    /// registers it before its first query instead of after it, which saves the second query
    /// a registration made after a miss needs; the query's own facts confirm it, and a stale
    /// one is replaced before waiting. Hosts that remember nothing keep the default.
    fn known_interest(&self, _caller: &str, _colony: &str) -> Option<Interest> {
        None
    }
    /// Remembers the interest `caller` waits with (see [`Wakeups::known_interest`]).
    fn remember_interest(&self, _caller: &str, _interest: &Interest) {}
    /// A mark taken before an assign query, for [`Wakeups::note_query`]: it moves on with
    /// every event that may leave a process waiting (a published [`Ready`], one of another
    /// server, a lost connection). A process handed over at its submit never waits, so it
    /// does not move it.
    fn mark(&self) -> u64 {
        0
    }
    /// What the assign query of `caller` in `colony`, started at `mark`, came to.
    fn note_query(&self, _caller: &str, _colony: &str, _mark: u64, _found: bool) {}
    /// Whether `caller`'s last assign query in `colony` found nothing a moment ago and no
    /// process can have been left waiting since: its next long poll may then park at once,
    /// registered before anything could change that, without querying. Hosts that keep no
    /// such memory always query.
    fn known_empty(&self, _caller: &str, _colony: &str) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interest(name: &str, location: &str) -> Interest {
        Interest {
            executor_id: "e".into(),
            cpu: i64::MAX,
            memory: i64::MAX,
            colony: "c".into(),
            executor_type: "t".into(),
            executor_name: name.into(),
            location: location.into(),
        }
    }

    fn ready(names: &[&str], location: &str) -> Ready {
        Ready {
            colony: "c".into(),
            executor_type: "t".into(),
            executor_names: names.iter().map(|s| (*s).into()).collect(),
            location: location.into(),
        }
    }

    #[test]
    fn matching_follows_the_assign_rules() {
        assert!(ready(&[], "").wakes(&interest("a", "edge")));
        assert!(ready(&["*"], "").wakes(&interest("a", "")));
        assert!(ready(&["a"], "").wakes(&interest("a", "")));
        assert!(!ready(&["b"], "").wakes(&interest("a", "")));
        assert!(ready(&[], "EDGE").wakes(&interest("a", "edge")));
        assert!(!ready(&[], "edge").wakes(&interest("a", "cloud")));
        let mut other_type = ready(&[], "");
        other_type.executor_type = "u".into();
        assert!(!other_type.wakes(&interest("a", "")));
    }
}
