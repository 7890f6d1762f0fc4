//! Native wakeups: an in-process notifier, joined across server processes by LISTEN/NOTIFY.
//!
//! Locally a [`Ready`] goes straight to the longest-waiting matching waiter, so a submit
//! wakes an executor on the same server without a database round trip. It is also sent, as
//! a NOTIFY on one dedicated connection, to the other servers on the database; each of them
//! wakes one matching waiter of its own (so with R replicas an event wakes at most R waiters,
//! never all of them). A server ignores its own notifications.
//!
//! A submit on this server may instead claim a parked waiter and hand it the process it
//! assigned to it in the insert ([`Wakeups::claim`]); such a process is never waiting, so
//! nothing is published for it.

use crate::wakeups::{Interest, Ready, Wakeups, Woken};
use alloc::{boxed::Box, sync::Arc};
use colonies_core::model::Process;
use core::sync::atomic::{AtomicU64, Ordering};
use core::time::Duration;
use serde::{Deserialize, Serialize};
use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard},
};
use tokio::{
    sync::{Notify, mpsc, watch},
    time::Instant,
};

/// The NOTIFY channel of process readiness.
pub const CHANNEL: &str = "colonies_ready";

/// Postgres refuses NOTIFY payloads of 8000 bytes or more.
const MAX_PAYLOAD: usize = 7900;

/// Where a waiter is: its state, changed only under its slot's lock.
enum Turn {
    /// Registered while its request runs the assign query: events wake it, submits do not
    /// hand it a process (it may be getting one from the query).
    Querying,
    /// Blocked in [`Wakeups::wait`]: an event or a hand-off may end the wait.
    Parked,
    /// Taken out of the line by a submit whose insert is deciding.
    Claimed,
    /// Claimed, but its request ended before the submit decided.
    Abandoned,
    /// Woken by an event: the waiter queries again.
    Woken(Ready),
    /// Handed a process assigned to it.
    Handed(Box<Process>),
}

struct Slot {
    id: u64,
    interest: Interest,
    turn: Mutex<Turn>,
    notify: Notify,
}

impl Slot {
    /// The event that makes this waiter query again when nothing specific woke it.
    fn any_event(&self) -> Ready {
        Ready {
            colony: self.interest.colony.clone(),
            executor_type: self.interest.executor_type.clone(),
            executor_names: Vec::new(),
            location: String::new(),
        }
    }
}

struct Inner {
    /// Oldest first, so the executor that has waited longest is woken first.
    waiters: Mutex<Vec<Arc<Slot>>>,
    next_id: AtomicU64,
    /// Turns true at shutdown; a watch so a wait cannot miss it between check and sleep.
    closing: watch::Sender<bool>,
    /// Whether the LISTEN connection is up (events of other servers arrive).
    listening: watch::Sender<bool>,
    outbox: Mutex<Option<mpsc::UnboundedSender<Ready>>>,
    /// The interest each (caller, colony) last waited with; see [`Wakeups::known_interest`].
    interests: Mutex<HashMap<(String, String), Remembered>>,
    /// Counts the events that may have left a process waiting (see [`Wakeups::mark`]).
    generation: AtomicU64,
}

/// What a server remembers of an executor's long polls in a colony.
struct Remembered {
    interest: Interest,
    /// The generation its last assign query started at and when it ended, if it found
    /// nothing.
    empty: Option<(u64, Instant)>,
}

/// How long a query that found nothing vouches for an empty line: a long poll after it
/// waits without querying only this soon after (so an idle executor still queries, and is
/// heard from, at least every other long poll).
const EMPTY_FOR: Duration = Duration::from_secs(1);

/// How many (caller, colony) interests a server remembers; beyond it the memory starts over
/// (forgetting costs one extra assign query per executor, nothing else).
const REMEMBERED_INTERESTS: usize = 65_536;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding these locks leaves the data consistent (plain pushes and
    // removals), so a poisoned lock is still safe to use.
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Inner {
    /// Hands `ready` to the longest-waiting matching waiter; false when none matches.
    fn wake_one(&self, ready: Ready) -> bool {
        // Whoever it wakes, a process may be waiting now.
        self.generation.fetch_add(1, Ordering::SeqCst);
        let slot = {
            let mut waiters = lock(&self.waiters);
            match waiters.iter().position(|s| ready.wakes(&s.interest)) {
                Some(i) => waiters.remove(i),
                None => return false,
            }
        };
        // Slots in the line are Querying or Parked (claimed ones left it).
        *lock(&slot.turn) = Turn::Woken(ready);
        slot.notify.notify_one();
        true
    }

    /// Wakes every waiter (after a lost LISTEN connection, when events may have been missed).
    fn wake_all(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        let slots: Vec<_> = lock(&self.waiters).drain(..).collect();
        for slot in slots {
            *lock(&slot.turn) = Turn::Woken(slot.any_event());
            slot.notify.notify_one();
        }
    }
}

/// The native [`Wakeups`]: cheap to clone, shared by every request of a server.
#[derive(Clone)]
pub struct NativeWakeups {
    inner: Arc<Inner>,
}

/// A registered long-poll waiter of [`NativeWakeups`].
pub struct NativeWaiter {
    slot: Arc<Slot>,
    inner: Arc<Inner>,
}

impl Drop for NativeWaiter {
    fn drop(&mut self) {
        lock(&self.inner.waiters).retain(|s| s.id != self.slot.id);
        let turn = core::mem::replace(&mut *lock(&self.slot.turn), Turn::Abandoned);
        match turn {
            // Woken but never consumed (the request ended first): the event is still owed
            // to someone, so pass it on.
            Turn::Woken(ready) => {
                self.inner.wake_one(ready);
            }
            // Its request ended in the instant between the hand-off and the wait's return:
            // as with an assign reply lost on the way, the process stays assigned until its
            // executor closes it or its maxexectime passes.
            Turn::Handed(process) => tracing::warn!(
                processid = %process.processid,
                "an executor left before it could be given the process assigned to it"
            ),
            // Abandoned now: a submit that claimed it gets its process back from `hand`.
            Turn::Querying | Turn::Parked | Turn::Claimed | Turn::Abandoned => {}
        }
    }
}

/// A parked waiter claimed by a submit (see [`Wakeups::claim`]).
pub struct NativeClaim {
    slot: Arc<Slot>,
}

impl Drop for NativeClaim {
    /// A claim dropped undecided (its submit ended before it was written) gives the waiter
    /// back to its wait, as a release would; after a hand or a release this does nothing.
    fn drop(&mut self) {
        let mut turn = lock(&self.slot.turn);
        if matches!(*turn, Turn::Claimed) {
            *turn = Turn::Woken(self.slot.any_event());
            drop(turn);
            self.slot.notify.notify_one();
        }
    }
}

impl Default for NativeWakeups {
    fn default() -> Self {
        Self::new()
    }
}

impl NativeWakeups {
    /// An in-process notifier only (one server process, or tests).
    pub fn new() -> Self {
        Self {
            inner: Arc::new(Inner {
                waiters: Mutex::new(Vec::new()),
                next_id: AtomicU64::new(0),
                closing: watch::Sender::new(false),
                listening: watch::Sender::new(false),
                outbox: Mutex::new(None),
                interests: Mutex::new(HashMap::new()),
                generation: AtomicU64::new(0),
            }),
        }
    }

    /// Where this server's wake-ups go to reach the other servers on the database, from now
    /// on: the receiver is the LISTEN connection's ([`super::listener`]), which sends them
    /// as NOTIFYs on [`CHANNEL`].
    pub(super) fn open_outbox(&self) -> mpsc::UnboundedReceiver<Ready> {
        let (tx, rx) = mpsc::unbounded_channel();
        *lock(&self.inner.outbox) = Some(tx);
        rx
    }

    /// Marks the LISTEN connection up or down.
    pub(super) fn set_listening(&self, up: bool) {
        self.inner.listening.send_replace(up);
    }

    /// A NOTIFY on [`CHANNEL`]: wakes one matching waiter, unless this server (`origin`)
    /// sent it.
    pub(super) fn on_notification(&self, payload: &str, origin: &str) {
        if let Ok(note) = serde_json::from_str::<Notification>(payload)
            && note.o != origin
        {
            self.inner.wake_one(note.r);
        }
    }

    /// Wakes every waiter (after a lost LISTEN connection, when events may have been missed).
    pub(super) fn wake_all(&self) {
        self.inner.wake_all();
    }

    /// Ends every wait at once and makes later waits return at once (server shutdown).
    pub fn close(&self) {
        self.inner.closing.send_replace(true);
    }

    /// Returns once events of other servers arrive (the LISTEN connection is up).
    pub async fn until_listening(&self) {
        let mut listening = self.inner.listening.subscribe();
        let _ = listening.wait_for(|up| *up).await;
    }

    /// How many waiters are registered now.
    pub fn waiting(&self) -> usize {
        lock(&self.inner.waiters).len()
    }
}

impl Wakeups for NativeWakeups {
    type Waiter = NativeWaiter;

    fn register(&self, interest: Interest) -> NativeWaiter {
        let slot = Arc::new(Slot {
            id: self.inner.next_id.fetch_add(1, Ordering::Relaxed),
            interest,
            turn: Mutex::new(Turn::Querying),
            notify: Notify::new(),
        });
        lock(&self.inner.waiters).push(slot.clone());
        NativeWaiter { slot, inner: self.inner.clone() }
    }

    async fn wait(&self, waiter: &mut NativeWaiter, timeout: Duration) -> Woken {
        let deadline = Instant::now() + timeout;
        let mut closing = self.inner.closing.subscribe();
        let mut timed_out = false;
        loop {
            let shutting_down = *closing.borrow_and_update();
            {
                let mut turn = lock(&waiter.slot.turn);
                match core::mem::replace(&mut *turn, Turn::Querying) {
                    Turn::Handed(process) => return Woken::Handed(process),
                    Turn::Woken(_) => {
                        drop(turn);
                        // Re-armed before the caller queries again, so nothing committed
                        // during that query is missed.
                        lock(&self.inner.waiters).push(waiter.slot.clone());
                        return Woken::Notified;
                    }
                    // A submit is deciding about this waiter: its insert takes a moment, and
                    // the process it may assign must not be left behind, so even a passed
                    // deadline waits for it.
                    Turn::Claimed => *turn = Turn::Claimed,
                    Turn::Querying | Turn::Parked | Turn::Abandoned => {
                        if timed_out || shutting_down {
                            return Woken::TimedOut;
                        }
                        *turn = Turn::Parked;
                    }
                }
            }
            // A permit left by an earlier, already consumed wakeup ends this wait without
            // an event; the loop then looks again.
            tokio::select! {
                () = waiter.slot.notify.notified() => {}
                _ = closing.changed(), if !shutting_down => {}
                () = tokio::time::sleep_until(deadline), if !timed_out => timed_out = true,
            }
        }
    }

    fn publish(&self, ready: Ready) {
        if let Some(outbox) = lock(&self.inner.outbox).as_ref() {
            // The listener may be gone at shutdown; then only local waiters matter.
            let _ = outbox.send(ready.clone());
        }
        self.inner.wake_one(ready);
    }

    type Claim = NativeClaim;

    fn claim(&self, ready: &Ready, cpu: i64, memory: i64) -> Option<(String, NativeClaim)> {
        let mut waiters = lock(&self.inner.waiters);
        // The longest-waiting parked executor that can run it, claimed under its own lock so
        // its wait cannot time out half-way through.
        let position = waiters.iter().position(|slot| {
            let interest = &slot.interest;
            if !(ready.wakes(interest) && cpu <= interest.cpu && memory <= interest.memory) {
                return false;
            }
            let mut turn = lock(&slot.turn);
            let parked = matches!(*turn, Turn::Parked);
            if parked {
                *turn = Turn::Claimed;
            }
            parked
        })?;
        let slot = waiters.remove(position);
        drop(waiters);
        let executor_id = slot.interest.executor_id.clone();
        Some((executor_id, NativeClaim { slot }))
    }

    fn hand(&self, claim: NativeClaim, process: Process) -> Result<(), Box<Process>> {
        let mut turn = lock(&claim.slot.turn);
        match *turn {
            Turn::Claimed => {
                *turn = Turn::Handed(Box::new(process));
                drop(turn);
                claim.slot.notify.notify_one();
                Ok(())
            }
            _ => Err(Box::new(process)),
        }
    }

    fn release(&self, claim: NativeClaim) {
        // Dropping it releases it.
        drop(claim);
    }

    fn known_interest(&self, caller: &str, colony: &str) -> Option<Interest> {
        let key = (caller.to_owned(), colony.to_owned());
        lock(&self.inner.interests).get(&key).map(|r| r.interest.clone())
    }

    fn remember_interest(&self, caller: &str, interest: &Interest) {
        let mut interests = lock(&self.inner.interests);
        if interests.len() >= REMEMBERED_INTERESTS {
            interests.clear();
        }
        let remembered = Remembered { interest: interest.clone(), empty: None };
        interests.insert((caller.to_owned(), interest.colony.clone()), remembered);
    }

    fn mark(&self) -> u64 {
        self.inner.generation.load(Ordering::SeqCst)
    }

    fn note_query(&self, caller: &str, colony: &str, mark: u64, found: bool) {
        let key = (caller.to_owned(), colony.to_owned());
        if let Some(remembered) = lock(&self.inner.interests).get_mut(&key) {
            remembered.empty = (!found).then(|| (mark, Instant::now()));
        }
    }

    fn known_empty(&self, caller: &str, colony: &str) -> bool {
        let key = (caller.to_owned(), colony.to_owned());
        let interests = lock(&self.inner.interests);
        let Some((mark, at)) = interests.get(&key).and_then(|r| r.empty) else { return false };
        mark == self.inner.generation.load(Ordering::SeqCst) && at.elapsed() < EMPTY_FOR
    }
}

#[derive(Serialize, Deserialize)]
struct Notification {
    /// The sending server instance.
    o: String,
    /// What became ready.
    r: Ready,
}

/// The NOTIFY payload of `ready` sent by server instance `origin`.
pub(super) fn payload(origin: &str, mut ready: Ready) -> String {
    let json = serde_json::to_string(&Notification { o: origin.into(), r: ready.clone() });
    match json {
        Ok(json) if json.len() <= MAX_PAYLOAD => json,
        // Too long to send as is (huge name lists): widen the event instead of dropping it;
        // a woken executor that cannot take the process just queries and waits again.
        _ => {
            ready.executor_names.clear();
            ready.location.clear();
            ready.colony.truncate(MAX_PAYLOAD / 3);
            serde_json::to_string(&Notification { o: origin.into(), r: ready }).unwrap_or_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interest(name: &str) -> Interest {
        Interest {
            executor_id: format!("id-{name}"),
            cpu: i64::MAX,
            memory: i64::MAX,
            colony: "c".into(),
            executor_type: "t".into(),
            executor_name: name.into(),
            location: String::new(),
        }
    }

    fn ready() -> Ready {
        Ready {
            colony: "c".into(),
            executor_type: "t".into(),
            executor_names: Vec::new(),
            location: String::new(),
        }
    }

    #[tokio::test]
    async fn one_event_wakes_exactly_one_waiter() {
        let w = NativeWakeups::new();
        let mut a = w.register(interest("a"));
        let mut b = w.register(interest("b"));
        w.publish(ready());
        assert_eq!(w.wait(&mut a, Duration::from_millis(10)).await, Woken::Notified);
        assert_eq!(w.wait(&mut b, Duration::from_millis(10)).await, Woken::TimedOut);
        // `a` is re-armed after its wakeup and `b` stays registered after its timeout.
        assert_eq!(w.waiting(), 2);
    }

    #[tokio::test]
    async fn an_unconsumed_wakeup_is_passed_on() {
        let w = NativeWakeups::new();
        let a = w.register(interest("a"));
        let mut b = w.register(interest("b"));
        w.publish(ready());
        drop(a);
        assert_eq!(w.wait(&mut b, Duration::from_millis(10)).await, Woken::Notified);
    }

    #[tokio::test]
    async fn a_waiting_executor_is_woken_promptly() {
        let w = NativeWakeups::new();
        let mut a = w.register(interest("a"));
        let publisher = w.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            publisher.publish(ready());
        });
        let started = Instant::now();
        assert_eq!(w.wait(&mut a, Duration::from_secs(5)).await, Woken::Notified);
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[tokio::test]
    async fn close_ends_waits() {
        let w = NativeWakeups::new();
        let mut a = w.register(interest("a"));
        w.close();
        assert_eq!(w.wait(&mut a, Duration::from_secs(5)).await, Woken::TimedOut);
    }

    fn process(id: &str) -> Process {
        Process { processid: id.into(), ..Process::default() }
    }

    #[tokio::test]
    async fn only_a_parked_waiter_that_fits_is_claimed_and_it_gets_the_process() {
        let w = NativeWakeups::new();
        let mut small = w.register(Interest { cpu: 100, ..interest("small") });
        let mut big = w.register(interest("big"));
        // Registered but still querying: nobody to hand a process to yet.
        assert!(w.claim(&ready(), 0, 0).is_none());
        let (w2, w3) = (w.clone(), w.clone());
        let waits = tokio::spawn(async move {
            let small = w2.wait(&mut small, Duration::from_millis(300)).await;
            (small, w2)
        });
        let handed = tokio::spawn(async move { w3.wait(&mut big, Duration::from_secs(5)).await });
        tokio::time::sleep(Duration::from_millis(50)).await;
        // Needs 500 millicores: only `big` can run it.
        let (executor, claim) = w.claim(&ready(), 500, 0).expect("a parked waiter");
        assert_eq!(executor, "id-big");
        assert!(w.claim(&ready(), 500, 0).is_none(), "a claimed waiter is out of the line");
        assert!(w.hand(claim, process("p")).is_ok());
        assert_eq!(handed.await.unwrap(), Woken::Handed(Box::new(process("p"))));
        let (small, _) = waits.await.unwrap();
        assert_eq!(small, Woken::TimedOut);
    }

    #[tokio::test]
    async fn a_released_waiter_queries_again_and_a_gone_one_gives_the_process_back() {
        let w = NativeWakeups::new();
        let mut a = w.register(interest("a"));
        let w2 = w.clone();
        let wait = tokio::spawn(async move {
            let woken = w2.wait(&mut a, Duration::from_secs(5)).await;
            (woken, a)
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        let (_, claim) = w.claim(&ready(), 0, 0).expect("a parked waiter");
        w.release(claim);
        let (woken, a) = wait.await.unwrap();
        assert_eq!(woken, Woken::Notified);
        assert_eq!(w.waiting(), 1, "re-armed for its next query");

        // Claimed, then its request ends before the submit decides.
        let mut a = a;
        let w2 = w.clone();
        let wait = tokio::spawn(async move {
            let _ = w2.wait(&mut a, Duration::from_secs(5)).await;
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        let (_, claim) = w.claim(&ready(), 0, 0).expect("a parked waiter");
        wait.abort();
        let _ = wait.await;
        assert_eq!(w.hand(claim, process("p")).map_err(|p| p.processid), Err("p".to_owned()));
        assert_eq!(w.waiting(), 0);
    }

    #[tokio::test]
    async fn a_claimed_waiter_outlasts_its_deadline_until_the_submit_decides() {
        let w = NativeWakeups::new();
        let mut a = w.register(interest("a"));
        let w2 = w.clone();
        let wait = tokio::spawn(async move { w2.wait(&mut a, Duration::from_millis(100)).await });
        tokio::time::sleep(Duration::from_millis(20)).await;
        let (_, claim) = w.claim(&ready(), 0, 0).expect("a parked waiter");
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!wait.is_finished(), "the deadline passed while the submit decided");
        assert!(w.hand(claim, process("late")).is_ok());
        assert_eq!(wait.await.unwrap(), Woken::Handed(Box::new(process("late"))));
    }
}
