//! The one LISTEN connection of a native server. It carries everything that passes between
//! this server and the database's other servers outside requests:
//! - wake-ups ([`super::wakeups`]): NOTIFYs this server sends when work became assignable,
//!   and those of the others, each waking one matching waiter here;
//! - `/pubsub` events ([`super::events`]): process and channel events of the triggers of
//!   migration 0003, fanned out to the subscriptions of this server's sockets, and the
//!   announcement (migration 0007) that this server has subscribers.
//!
//! It reconnects with backoff until the server stops. After a reconnection every waiter
//! queries again and every subscription looks again, since events sent meanwhile were lost.

use super::{
    events::{Events, announcement_due},
    wakeups::{self, NativeWakeups},
};
use crate::{
    pubsub::{CHANNEL_EVENTS, ChannelEvent, PROCESS_EVENTS, ProcessEvent},
    wakeups::Ready,
};
use alloc::format;
use core::{future::Future, time::Duration};
use futures_util::{StreamExt, stream};
use tokio::sync::{mpsc, watch};
use tokio_postgres::{AsyncMessage, NoTls};

/// Most wake-ups sent in one round trip.
const NOTIFY_BATCH: usize = 256;

/// Listens for `wakeups` and `events` on one connection to `pg`, as the server instance
/// `origin` (its own wake-ups are ignored; its announcement carries it), until `stop`
/// turns true.
pub fn listen(
    pg: tokio_postgres::Config,
    origin: String,
    wakeups: NativeWakeups,
    events: Events,
    stop: watch::Receiver<bool>,
) -> impl Future<Output = ()> + Send + 'static {
    let outbox = wakeups.open_outbox();
    run(pg, origin, wakeups, events, outbox, stop)
}

async fn run(
    pg: tokio_postgres::Config,
    origin: String,
    wakeups: NativeWakeups,
    events: Events,
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
                let listen = format!(
                    "LISTEN {}; LISTEN {PROCESS_EVENTS}; LISTEN {CHANNEL_EVENTS}",
                    wakeups::CHANNEL
                );
                if client.batch_execute(&listen).await.is_ok() {
                    backoff = Duration::from_millis(100);
                    wakeups.set_listening(true);
                    events.set_listening(true); // and every subscription looks again
                    tracing::debug!("listening for wake-ups and /pubsub events");
                    let mut renew = announcement_due();
                    loop {
                        tokio::select! {
                            () = events.announce_requested() => {
                                events.keep_announcement(&client, &origin).await;
                            }
                            _ = renew.tick() => events.keep_announcement(&client, &origin).await,
                            message = messages.recv() => match message {
                                Some(AsyncMessage::Notification(n)) => match n.channel() {
                                    PROCESS_EVENTS => {
                                        if let Some(event) = ProcessEvent::parse(n.payload()) {
                                            events.dispatch_process(event);
                                        }
                                    }
                                    CHANNEL_EVENTS => {
                                        if let Some(event) = ChannelEvent::parse(n.payload()) {
                                            events.dispatch_channel(&event);
                                        }
                                    }
                                    channel if channel == wakeups::CHANNEL => {
                                        wakeups.on_notification(n.payload(), &origin);
                                    }
                                    _ => {}
                                },
                                Some(_) => {}
                                None => break,
                            },
                            ready = outbox.recv() => {
                                let Some(first) = ready else { break };
                                // Batch what queued up meanwhile into one round trip.
                                let mut payloads = vec![wakeups::payload(&origin, first)];
                                while let Ok(more) = outbox.try_recv() {
                                    payloads.push(wakeups::payload(&origin, more));
                                    if payloads.len() >= NOTIFY_BATCH { break; }
                                }
                                let sent = client
                                    .execute(
                                        "SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p",
                                        &[&wakeups::CHANNEL, &payloads],
                                    )
                                    .await;
                                if let Err(e) = sent {
                                    tracing::warn!(error = %e, "could not send wake-ups to other servers");
                                    break;
                                }
                            }
                            _ = stop.changed() => {
                                // Writers stop notifying for a server that is going away.
                                events.withdraw(&client, &origin).await;
                                break;
                            }
                        }
                    }
                }
                driver.abort();
                wakeups.set_listening(false);
                events.set_listening(false);
            }
            Err(e) => tracing::warn!(error = %e, "LISTEN connection to Postgres failed; retrying"),
        }
        if *stop.borrow() {
            break;
        }
        tracing::warn!("lost the LISTEN connection to Postgres; reconnecting");
        // Notifications may have been missed while disconnected: every waiter queries again
        // (and every subscription looks again once the connection is back).
        wakeups.wake_all();
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            _ = stop.changed() => {}
        }
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}
