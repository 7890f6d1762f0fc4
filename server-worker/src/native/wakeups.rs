//! Native wakeups: an in-process notifier, joined across server processes by LISTEN/NOTIFY.
//!
//! Locally a [`Ready`] goes straight to the longest-waiting matching waiter, so a submit
//! wakes an executor on the same server without a database round trip. It is also sent, as
//! a NOTIFY on one dedicated connection, to the other servers on the database; each of them
//! wakes one matching waiter of its own (so with R replicas an event wakes at most R waiters,
//! never all of them). A server ignores its own notifications.

use crate::wakeups::{Interest, Ready, Wakeups, Woken};
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering};
use core::{future::Future, time::Duration};
use futures_util::{StreamExt, stream};
use serde::{Deserialize, Serialize};
use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard},
};
use tokio::{
    sync::{Notify, mpsc, watch},
    time::Instant,
};
use tokio_postgres::{AsyncMessage, NoTls};

/// The NOTIFY channel of process readiness.
pub const CHANNEL: &str = "colonies_ready";

/// Postgres refuses NOTIFY payloads of 8000 bytes or more.
const MAX_PAYLOAD: usize = 7900;

struct Slot {
    id: u64,
    interest: Interest,
    woken: Mutex<Option<Ready>>,
    notify: Notify,
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
    interests: Mutex<HashMap<(String, String), Interest>>,
}

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
        let slot = {
            let mut waiters = lock(&self.waiters);
            match waiters.iter().position(|s| ready.wakes(&s.interest)) {
                Some(i) => waiters.remove(i),
                None => return false,
            }
        };
        *lock(&slot.woken) = Some(ready);
        slot.notify.notify_one();
        true
    }

    /// Wakes every waiter (after a lost LISTEN connection, when events may have been missed).
    fn wake_all(&self) {
        let slots: Vec<_> = lock(&self.waiters).drain(..).collect();
        for slot in slots {
            *lock(&slot.woken) = Some(Ready {
                colony: slot.interest.colony.clone(),
                executor_type: slot.interest.executor_type.clone(),
                executor_names: Vec::new(),
                location: String::new(),
            });
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
        // Woken but never consumed (the request ended first): the event is still owed to
        // someone, so pass it on.
        if let Some(ready) = lock(&self.slot.woken).take() {
            self.inner.wake_one(ready);
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
            }),
        }
    }

    /// Joins the other servers on the database: LISTENs on [`CHANNEL`] and sends this
    /// server's events there, over one connection of its own, reconnecting with backoff
    /// until `stop` turns true.
    pub fn connect(
        &self,
        pg: tokio_postgres::Config,
        origin: String,
        stop: watch::Receiver<bool>,
    ) -> impl Future<Output = ()> + Send + 'static {
        let (tx, rx) = mpsc::unbounded_channel();
        *lock(&self.inner.outbox) = Some(tx);
        listen_loop(self.inner.clone(), pg, origin, rx, stop)
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
            woken: Mutex::new(None),
            notify: Notify::new(),
        });
        lock(&self.inner.waiters).push(slot.clone());
        NativeWaiter { slot, inner: self.inner.clone() }
    }

    async fn wait(&self, waiter: &mut NativeWaiter, timeout: Duration) -> Woken {
        let deadline = Instant::now() + timeout;
        let mut closing = self.inner.closing.subscribe();
        loop {
            if *closing.borrow_and_update() {
                return Woken::TimedOut;
            }
            if lock(&waiter.slot.woken).take().is_some() {
                // Re-armed before the caller queries again, so nothing committed during
                // that query is missed.
                lock(&self.inner.waiters).push(waiter.slot.clone());
                return Woken::Notified;
            }
            // A permit left by an earlier, already consumed wakeup ends this wait without
            // an event; the loop then waits again.
            tokio::select! {
                () = waiter.slot.notify.notified() => {}
                _ = closing.changed() => {}
                () = tokio::time::sleep_until(deadline) => return Woken::TimedOut,
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

    fn known_interest(&self, caller: &str, colony: &str) -> Option<Interest> {
        lock(&self.inner.interests).get(&(caller.to_owned(), colony.to_owned())).cloned()
    }

    fn remember_interest(&self, caller: &str, interest: &Interest) {
        let mut interests = lock(&self.inner.interests);
        if interests.len() >= REMEMBERED_INTERESTS {
            interests.clear();
        }
        interests.insert((caller.to_owned(), interest.colony.clone()), interest.clone());
    }
}

#[derive(Serialize, Deserialize)]
struct Notification {
    /// The sending server instance.
    o: String,
    /// What became ready.
    r: Ready,
}

fn payload(origin: &str, mut ready: Ready) -> String {
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

async fn listen_loop(
    inner: Arc<Inner>,
    pg: tokio_postgres::Config,
    origin: String,
    mut outbox: mpsc::UnboundedReceiver<Ready>,
    mut stop: watch::Receiver<bool>,
) {
    let mut backoff = Duration::from_millis(100);
    while !*stop.borrow() {
        match pg.connect(NoTls).await {
            Ok((client, mut connection)) => {
                let (msg_tx, mut messages) = mpsc::unbounded_channel();
                let driver = tokio::spawn(async move {
                    let mut stream = stream::poll_fn(move |cx| connection.poll_message(cx));
                    while let Some(Ok(message)) = stream.next().await {
                        if msg_tx.send(message).is_err() {
                            break;
                        }
                    }
                });
                if client.batch_execute(&format!("LISTEN {CHANNEL}")).await.is_ok() {
                    backoff = Duration::from_millis(100);
                    inner.listening.send_replace(true);
                    tracing::debug!("listening for process events of other servers");
                    loop {
                        tokio::select! {
                            message = messages.recv() => match message {
                                Some(AsyncMessage::Notification(n)) => {
                                    if let Ok(note) = serde_json::from_str::<Notification>(n.payload())
                                        && note.o != origin
                                    {
                                        inner.wake_one(note.r);
                                    }
                                }
                                Some(_) => {}
                                None => break,
                            },
                            ready = outbox.recv() => {
                                let Some(first) = ready else { break };
                                // Batch what queued up meanwhile into one round trip.
                                let mut payloads = vec![payload(&origin, first)];
                                while let Ok(more) = outbox.try_recv() {
                                    payloads.push(payload(&origin, more));
                                    if payloads.len() >= 256 { break; }
                                }
                                let sent = client
                                    .execute(
                                        "SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p",
                                        &[&CHANNEL, &payloads],
                                    )
                                    .await;
                                if let Err(e) = sent {
                                    tracing::warn!(error = %e, "could not send process events to other servers");
                                    break;
                                }
                            }
                            _ = stop.changed() => break,
                        }
                    }
                }
                driver.abort();
                inner.listening.send_replace(false);
            }
            Err(e) => tracing::warn!(error = %e, "event connection to Postgres failed; retrying"),
        }
        if *stop.borrow() {
            break;
        }
        // Notifications may have been missed while disconnected: let every waiter re-query.
        inner.wake_all();
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            _ = stop.changed() => {}
        }
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interest(name: &str) -> Interest {
        Interest {
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
}
