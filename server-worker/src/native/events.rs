//! Process and channel events for `/pubsub`, natively: one LISTEN connection per server,
//! fanned out to the subscriptions of this server's sockets.
//!
//! The events come from the triggers of migration 0003, so they cover every write path on
//! every replica and arrive only for committed writes. This is deliberately separate from the
//! assign [`super::wakeups`]: a process subscriber never takes an executor's wake-up.
//!
//! Subscriptions are kept by [`Topic`], so an event costs a lookup per topic, not a scan of
//! every socket. A process event's frame (the process read from Postgres) is read once, by
//! whichever subscriber gets to it first, and shared by all the others ([`Delivery`]).

use crate::error::Error;
use crate::pubsub::{ChannelEvent, ProcessEvent, Topic};
use alloc::sync::Arc;
use core::{
    future::Future,
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};
use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard},
};
use tokio::{
    sync::{
        Notify, OnceCell,
        mpsc::{self, error::TrySendError},
        watch,
    },
    time::Instant,
};

/// How long an announcement (migration 0007) lasts unless renewed.
const ANNOUNCE_TTL: Duration = Duration::from_secs(60);
/// How often a server with subscribers renews its announcement, and how soon after its last
/// subscriber left it withdraws it.
const ANNOUNCE_RENEW: Duration = Duration::from_secs(20);
/// How long a subscription waits for its server's announcement before it gives up.
const ANNOUNCE_WAIT: Duration = Duration::from_secs(10);

/// Events queued for one `subscribeprocessesmsg` socket before it counts as fallen behind
/// and is cut off (its client then sees an error frame): memory per socket stays bounded
/// however slowly a client reads.
pub const STREAM_QUEUE: usize = 256;

/// What a subscription is told.
#[derive(Clone)]
pub enum Signal {
    /// A process of the topic reached the subscribed state.
    Process(Arc<Delivery>),
    /// The subscribed channel has new entries, or was removed.
    Channel,
    /// Events may have been missed (the LISTEN connection was re-established): look again.
    Resync,
}

/// One process event, shared by every subscription it reaches.
pub struct Delivery {
    /// The event.
    pub event: ProcessEvent,
    frame: OnceCell<Option<Arc<str>>>,
}

impl Delivery {
    /// The event's frame, read by `read` the first time any subscriber asks (`None`: the
    /// process is gone). A failed read is not kept: the next subscriber tries again.
    pub async fn frame<F, Fut>(&self, read: F) -> Result<Option<Arc<str>>, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Option<Arc<str>>, Error>>,
    {
        self.frame.get_or_try_init(read).await.cloned()
    }
}

struct Slot {
    id: u64,
    tx: mpsc::Sender<Signal>,
    /// A stream must see every event; a one-shot or nudged subscription needs only one.
    stream: bool,
}

struct Inner {
    topics: Mutex<HashMap<Topic, Vec<Slot>>>,
    next_id: AtomicU64,
    /// Turns true at shutdown: every subscription ends.
    closing: watch::Sender<bool>,
    /// Whether the LISTEN connection is up.
    listening: watch::Sender<bool>,
    /// Until when (this server's clock) the triggers surely see this server's announcement;
    /// `None` while it has none.
    announced: watch::Sender<Option<Instant>>,
    /// Asks the LISTEN loop to announce now.
    announce: Notify,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // The map is consistent after any panic (plain inserts and removals).
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Inner {
    fn dispatch_process(&self, event: ProcessEvent) {
        let mut topics = lock(&self.topics);
        let mut delivery = None;
        for topic in event.topics() {
            let Some(slots) = topics.get_mut(&topic) else { continue };
            let delivery = delivery
                .get_or_insert_with(|| {
                    Arc::new(Delivery { event: event.clone(), frame: OnceCell::new() })
                })
                .clone();
            slots.retain(|slot| match slot.tx.try_send(Signal::Process(delivery.clone())) {
                Ok(()) => true,
                // Dropping a stream's only sender ends its receiver once drained: the socket
                // task tells its client it fell behind.
                Err(TrySendError::Full(_)) => !slot.stream,
                Err(TrySendError::Closed(_)) => false,
            });
            if slots.is_empty() {
                topics.remove(&topic);
            }
        }
    }

    fn dispatch_channel(&self, event: &ChannelEvent) {
        let mut topics = lock(&self.topics);
        let nudge = |slots: &mut Vec<Slot>| {
            // A full queue already holds a nudge; one is enough to make the reader look.
            slots.retain(|slot| {
                !matches!(slot.tx.try_send(Signal::Channel), Err(TrySendError::Closed(_)))
            });
        };
        match &event.name {
            Some(name) => {
                let topic =
                    Topic::Channel { processid: event.processid.clone(), name: name.clone() };
                if let Some(slots) = topics.get_mut(&topic) {
                    nudge(slots);
                }
            }
            None => {
                topics.iter_mut().filter(|(t, _)| event.concerns(t)).for_each(|(_, s)| nudge(s))
            }
        }
        topics.retain(|_, slots| !slots.is_empty());
    }

    fn resync(&self) {
        for slots in lock(&self.topics).values() {
            for slot in slots {
                let _ = slot.tx.try_send(Signal::Resync);
            }
        }
    }
}

/// The event hub of a native server: cheap to clone, shared by every `/pubsub` socket.
#[derive(Clone)]
pub struct Events {
    inner: Arc<Inner>,
}

impl Default for Events {
    fn default() -> Self {
        Self::new()
    }
}

impl Events {
    /// A hub with no LISTEN connection yet (see [`super::listener::listen`]).
    pub fn new() -> Self {
        Self {
            inner: Arc::new(Inner {
                topics: Mutex::new(HashMap::new()),
                next_id: AtomicU64::new(0),
                closing: watch::Sender::new(false),
                listening: watch::Sender::new(false),
                announced: watch::Sender::new(None),
                announce: Notify::new(),
            }),
        }
    }

    /// Registers a subscription to `topics`, all signalled through one queue. Register before
    /// reading the state a subscription starts from, so a change committed in between is not
    /// missed. `stream`: every event counts (`subscribeprocessesmsg`); otherwise one pending
    /// signal is enough.
    pub fn subscribe(&self, topics: Vec<Topic>, stream: bool) -> Subscriber {
        let (tx, rx) = mpsc::channel(if stream { STREAM_QUEUE } else { 1 });
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let mut registry = lock(&self.inner.topics);
        for topic in &topics {
            registry.entry(topic.clone()).or_default().push(Slot { id, tx: tx.clone(), stream });
        }
        drop(registry);
        Subscriber { id, topics, rx, inner: self.inner.clone() }
    }

    /// Starts announcing (if this server is not announced) without waiting for it: a
    /// subscription asks while it is authorised, then waits in [`Events::announced`].
    pub fn announce_soon(&self) {
        if !self.is_announced() {
            self.inner.announce.notify_one();
        }
    }

    /// Whether the database notifies this server's events now (see [`Events::announced`]).
    pub fn is_announced(&self) -> bool {
        self.inner.announced.borrow().is_some_and(|u| u > Instant::now())
    }

    /// Returns once the database notifies this server's events (migration 0007): call it
    /// after [`Events::subscribe`] and before reading the state a subscription starts from.
    /// Fails when the LISTEN connection cannot announce within a few seconds.
    pub async fn announced(&self) -> Result<(), Error> {
        let current = |until: &Option<Instant>| until.is_some_and(|u| u > Instant::now());
        let mut announced = self.inner.announced.subscribe();
        if current(&announced.borrow_and_update()) {
            return Ok(());
        }
        self.inner.announce.notify_one();
        match tokio::time::timeout(ANNOUNCE_WAIT, announced.wait_for(current)).await {
            Ok(Ok(_)) => Ok(()),
            _ => Err(Error::new(
                503,
                "events are not available: this server cannot reach its database; try again",
            )),
        }
    }

    /// Delivers a process event as if it came from Postgres (tests, and hosts without LISTEN).
    pub fn publish_process(&self, event: ProcessEvent) {
        self.inner.dispatch_process(event);
    }

    /// Delivers a channel event as if it came from Postgres.
    pub fn publish_channel(&self, event: &ChannelEvent) {
        self.inner.dispatch_channel(event);
    }

    /// How many registrations there are now (a channel subscription has two).
    pub fn subscriptions(&self) -> usize {
        lock(&self.inner.topics).values().map(Vec::len).sum()
    }

    /// A receiver that turns true at shutdown.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.inner.closing.subscribe()
    }

    /// Ends every subscription (server shutdown).
    pub fn close(&self) {
        self.inner.closing.send_replace(true);
    }

    /// Returns once the LISTEN connection is up.
    pub async fn until_listening(&self) {
        let mut listening = self.inner.listening.subscribe();
        let _ = listening.wait_for(|up| *up).await;
    }

    /// Marks the LISTEN connection up or down (see [`super::listener`]); once up again,
    /// every subscription is told to look again, since events sent meanwhile were lost: a
    /// one-process or channel subscription re-reads and catches up; a colony stream cannot
    /// replay what it missed.
    pub(super) fn set_listening(&self, up: bool) {
        self.inner.listening.send_replace(up);
        if up {
            self.inner.resync();
        }
    }

    /// Delivers a process event that came through LISTEN.
    pub(super) fn dispatch_process(&self, event: ProcessEvent) {
        self.inner.dispatch_process(event);
    }

    /// Delivers a channel event that came through LISTEN.
    pub(super) fn dispatch_channel(&self, event: &ChannelEvent) {
        self.inner.dispatch_channel(event);
    }

    /// Returns when a subscription asked for the announcement to be made now.
    pub(super) async fn announce_requested(&self) {
        self.inner.announce.notified().await;
    }

    /// Announces (as `server_id`) or withdraws this server's interest in events, as its
    /// subscriptions require (migration 0007).
    pub(super) async fn keep_announcement(&self, client: &tokio_postgres::Client, server_id: &str) {
        keep_announcement(&self.inner, client, server_id).await;
    }

    /// Withdraws the announcement at shutdown, so writers stop notifying for this server.
    pub(super) async fn withdraw(&self, client: &tokio_postgres::Client, server_id: &str) {
        if self.inner.announced.send_replace(None).is_some() {
            let _ = crate::store::event_listeners::withdraw(client, server_id).await;
        }
    }
}

/// A registered subscription; dropping it unregisters.
pub struct Subscriber {
    id: u64,
    topics: Vec<Topic>,
    rx: mpsc::Receiver<Signal>,
    inner: Arc<Inner>,
}

impl Subscriber {
    /// The next signal; `None` once a stream was cut off for falling behind (its registration
    /// was dropped, so no sender is left).
    pub async fn recv(&mut self) -> Option<Signal> {
        self.rx.recv().await
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        let mut registry = lock(&self.inner.topics);
        for topic in &self.topics {
            if let Some(slots) = registry.get_mut(topic) {
                slots.retain(|slot| slot.id != self.id);
                // Empty topics go too, so memory returns to where it was once sockets close.
                if slots.is_empty() {
                    registry.remove(topic);
                }
            }
        }
    }
}

/// Announces or withdraws this server's interest in events as its subscriptions require.
async fn keep_announcement(inner: &Inner, client: &tokio_postgres::Client, server_id: &str) {
    let subscribed = !lock(&inner.topics).is_empty();
    if subscribed {
        let start = Instant::now();
        match crate::store::event_listeners::announce(client, server_id, ANNOUNCE_TTL.as_secs_f64())
            .await
        {
            // Counted from before the statement, and a renewal's margin short of it.
            Ok(()) => {
                inner.announced.send_replace(Some(start + ANNOUNCE_TTL - ANNOUNCE_RENEW));
            }
            Err(e) => tracing::warn!(error = %e, "announcing /pubsub subscribers failed"),
        }
    } else if inner.announced.borrow().is_some() {
        match crate::store::event_listeners::withdraw(client, server_id).await {
            Ok(()) => {
                inner.announced.send_replace(None);
            }
            Err(e) => tracing::warn!(error = %e, "withdrawing the /pubsub announcement failed"),
        }
    }
}

/// The timer of announcement renewals: every [`ANNOUNCE_RENEW`], late ticks not caught up.
pub(super) fn announcement_due() -> tokio::time::Interval {
    let mut renew = tokio::time::interval(ANNOUNCE_RENEW);
    renew.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    renew
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(process: &str, state: i64) -> ProcessEvent {
        ProcessEvent {
            processid: process.into(),
            colonyname: Some("c".into()),
            executortype: Some("t".into()),
            state,
        }
    }

    fn colony(state: i64) -> Topic {
        Topic::Processes { colonyname: "c".into(), executortype: "t".into(), state }
    }

    #[tokio::test]
    async fn events_reach_only_their_topics_and_share_one_frame() {
        let events = Events::new();
        let mut waiting = events.subscribe(vec![colony(0)], true);
        let mut running = events.subscribe(vec![colony(1)], true);
        let mut one =
            events.subscribe(vec![Topic::Process { processid: "p".into(), state: 0 }], false);
        events.publish_process(event("p", 0));

        let reads = AtomicU64::new(0);
        let read = || async {
            reads.fetch_add(1, Ordering::Relaxed);
            Ok(Some(Arc::<str>::from("frame")))
        };
        for sub in [&mut waiting, &mut one] {
            let Some(Signal::Process(d)) = sub.recv().await else { panic!("a process signal") };
            assert_eq!(d.frame(read).await.ok().flatten().as_deref(), Some("frame"));
        }
        assert_eq!(reads.load(Ordering::Relaxed), 1, "the frame is read once");
        assert!(running.rx.try_recv().is_err());
    }

    #[tokio::test]
    async fn dropping_subscribers_leaves_nothing_behind() {
        let events = Events::new();
        let subs: Vec<_> = (0..100).map(|i| events.subscribe(vec![colony(i % 3)], true)).collect();
        assert_eq!(events.subscriptions(), 100);
        drop(subs);
        assert_eq!(events.subscriptions(), 0);
        assert!(lock(&events.inner.topics).is_empty());
    }

    #[tokio::test]
    async fn a_stream_that_falls_behind_is_cut_off() {
        let events = Events::new();
        let mut slow = events.subscribe(vec![colony(0)], true);
        for i in 0..=STREAM_QUEUE {
            events.publish_process(event(&format!("p{i}"), 0));
        }
        let mut received = 0;
        while let Some(signal) = slow.recv().await {
            assert!(matches!(signal, Signal::Process(_)));
            received += 1;
        }
        assert_eq!(received, STREAM_QUEUE);
        assert_eq!(events.subscriptions(), 0);
    }

    #[tokio::test]
    async fn channel_nudges_coalesce() {
        let events = Events::new();
        let chat_topics = vec![
            Topic::Channel { processid: "p".into(), name: "chat".into() },
            Topic::Finished { processid: "p".into() },
        ];
        let mut chat = events.subscribe(chat_topics, false);
        for _ in 0..5 {
            events.publish_channel(&ChannelEvent {
                processid: "p".into(),
                name: Some("chat".into()),
            });
        }
        events.publish_channel(&ChannelEvent { processid: "q".into(), name: Some("chat".into()) });
        assert!(matches!(chat.recv().await, Some(Signal::Channel)));
        assert!(chat.rx.try_recv().is_err());
        events.publish_channel(&ChannelEvent { processid: "p".into(), name: None });
        assert!(matches!(chat.recv().await, Some(Signal::Channel)));
        // The process finishing reaches the channel's subscribers too.
        events.publish_process(event("p", 2));
        assert!(matches!(chat.recv().await, Some(Signal::Process(_))));
        drop(chat);
        assert_eq!(events.subscriptions(), 0);
    }
}
