//! The waiting half of a long-poll assign (`assignprocessmsg` with `timeout > 0`): when to
//! park, when to query again, and how a wait ends. The handler runs the assign query and
//! checks its rules; [`LongPoll`] decides what happens when the query found nothing.
//!
//! A waiting executor registers its [`Interest`] before it queries again, so a process
//! committed between the query and the wait still wakes it (see [`crate::wakeups`]).

use crate::{
    error::Error,
    wakeups::{Interest, Wakeups, Woken},
};
use alloc::{boxed::Box, string::String};
use colonies_core::model::Process;
use core::time::Duration;

/// How often a long poll on a paused colony looks whether it was resumed. Resuming wakes no
/// one directly (it is a flag every replica reads), so this bounds the delay after a resume.
const PAUSE_POLL: Duration = Duration::from_millis(250);

/// The longest an executor parks before its first query when its last one found nothing
/// (see [`Wakeups::known_empty`]); after that it queries as usual.
const PARK_FIRST: Duration = Duration::from_secs(1);

const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// What to do after a query that assigned nothing.
pub enum Next {
    /// Run the assign query again.
    Query,
    /// The wait is over: a process handed over by a submit, or why there is none.
    Done(Result<Box<Process>, Error>),
}

/// The executor a query found behind the caller, which its interest names.
pub struct Executor {
    /// Its name (processes may target names).
    pub name: String,
    /// Its executor type.
    pub executor_type: String,
    /// Its location name ("" when it has none).
    pub location: String,
}

/// One executor's long poll.
pub struct LongPoll<'a, W: Wakeups> {
    wakeups: &'a W,
    caller: &'a str,
    colony: &'a str,
    /// Seconds asked for (`< 0`: answer at once; 0 is refused by the handler).
    timeout: i64,
    cpu: i64,
    memory: i64,
    waiter: Option<(Interest, W::Waiter)>,
    park_first: bool,
    deadline_ns: Option<i64>,
    waited: Duration,
}

impl<'a, W: Wakeups> LongPoll<'a, W> {
    /// A long poll of `caller` on `colony` for `timeout` seconds, with `cpu` millicores and
    /// `memory` bytes free. When it may `take` a process and this server already knows the
    /// executor's interest, it registers at once, and parks before its first query when its
    /// last one found nothing and nothing it could run has come since.
    pub fn start(
        wakeups: &'a W,
        caller: &'a str,
        colony: &'a str,
        timeout: i64,
        (cpu, memory): (i64, i64),
        take: bool,
    ) -> Self {
        let mut poll = Self {
            wakeups,
            caller,
            colony,
            timeout,
            cpu,
            memory,
            waiter: None,
            park_first: false,
            deadline_ns: None,
            waited: Duration::ZERO,
        };
        if timeout > 0
            && take
            && let Some(known) = wakeups.known_interest(caller, colony)
        {
            let registered = wakeups.register(known.clone());
            poll.park_first =
                known.cpu == cpu && known.memory == memory && wakeups.known_empty(caller, colony);
            poll.waiter = Some((known, registered));
        }
        poll
    }

    /// Before a query: parks for a moment when [`LongPoll::start`] said so (once). A
    /// process a submit handed over meanwhile is returned.
    pub async fn before_query(&mut self) -> Option<Process> {
        if !core::mem::take(&mut self.park_first) {
            return None;
        }
        let (_, parked) = self.waiter.as_mut()?;
        // At most a moment: an executor that waits longer queries (and is heard from).
        let nap = Duration::from_secs(self.timeout.unsigned_abs()).min(PARK_FIRST);
        match self.wakeups.wait(parked, nap).await {
            Woken::Handed(process) => Some(*process),
            Woken::Notified => None,
            Woken::TimedOut => {
                self.waited = nap;
                None
            }
        }
    }

    /// The wake-up mark to take before a query (see [`Wakeups::mark`]).
    pub fn mark(&self) -> u64 {
        self.wakeups.mark()
    }

    /// After a query of the unpaused colony that was allowed to run: tells the wake-ups
    /// whether it found a process (see [`Wakeups::note_query`]).
    pub fn note_query(&self, mark: u64, found: bool) {
        self.wakeups.note_query(self.caller, self.colony, mark, found);
    }

    /// After a query that assigned nothing, at the database's `clock_ns`: registers (or
    /// re-registers) the executor's interest and waits until a process may be there, the
    /// time runs out, or a submit hands one over. On a paused colony it looks again every
    /// [`PAUSE_POLL`].
    pub async fn after_empty(&mut self, clock_ns: i64, executor: Executor, paused: bool) -> Next {
        let deadline = *self.deadline_ns.get_or_insert_with(|| {
            let waited = i64::try_from(self.waited.as_nanos()).unwrap_or(i64::MAX);
            let timeout = self.timeout.saturating_mul(NANOS_PER_SECOND).saturating_sub(waited);
            clock_ns.saturating_add(timeout)
        });
        let remaining = Duration::from_nanos(
            u64::try_from(deadline.saturating_sub(clock_ns)).unwrap_or_default(),
        );
        let interest = Interest {
            executor_id: self.caller.into(),
            colony: self.colony.into(),
            executor_type: executor.executor_type,
            executor_name: executor.name,
            location: executor.location,
            cpu: self.cpu,
            memory: self.memory,
        };
        if self.timeout > 0 && self.waiter.as_ref().is_none_or(|(known, _)| *known != interest) {
            // Registered before querying again, so a process committed from now on wakes
            // us; one committed before the first query was seen by it. (A waiter registered
            // before the first query with this very interest needs no second query.)
            self.wakeups.remember_interest(self.caller, &interest);
            self.waiter = Some((interest.clone(), self.wakeups.register(interest)));
            if !paused {
                return Next::Query;
            }
        }
        let Some((_, waiter)) = self.waiter.as_mut() else {
            return Next::Done(Err(if paused {
                Error::new(503, "No processes available: colony assignments are paused")
            } else {
                none_available()
            }));
        };
        if paused {
            if remaining.is_zero() {
                return Next::Done(Err(Error::new(
                    408,
                    "Assignment timeout: colony assignments are paused",
                )));
            }
            // Resumed at this very moment, a submit may have handed it a process.
            return match self.wakeups.wait(waiter, remaining.min(PAUSE_POLL)).await {
                Woken::Handed(process) => Next::Done(Ok(process)),
                Woken::Notified | Woken::TimedOut => Next::Query,
            };
        }
        if remaining.is_zero() {
            return Next::Done(Err(none_available()));
        }
        match self.wakeups.wait(waiter, remaining).await {
            Woken::Handed(process) => Next::Done(Ok(process)),
            Woken::Notified => Next::Query,
            Woken::TimedOut => Next::Done(Err(none_available())),
        }
    }
}

/// 404: nothing to assign within the wait (as Go words it).
fn none_available() -> Error {
    Error::new(404, "No process available for assignment")
}
