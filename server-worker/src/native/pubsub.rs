//! `GET /pubsub` on the native host: the socket side of [`crate::pubsub`].
//!
//! One task per socket. It reads the subscription (the first frame), answers with frames as
//! events arrive from [`Events`], and ends at the subscription's timeout, when the client goes
//! away (a close frame, a dropped connection, or a failed ping), or at server shutdown. While
//! it waits it holds no database connection, only its registration, which it drops on the way
//! out, so a server with thousands of idle subscribers keeps its pool for requests.

use super::{
    events::{Delivery, Events, Signal, Subscriber},
    host::NativeHost,
};
use crate::{
    error::Error,
    pubsub::{self, ChannelRead, Subscription},
};
use alloc::sync::Arc;
use axum::{
    body::Bytes,
    extract::ws::{Message, WebSocket, WebSocketUpgrade},
    response::Response,
};
use colonies_core::{
    Failure,
    message::{SubscribeChannelMsg, SubscribeProcessMsg, SubscribeProcessesMsg},
};
use core::{
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};
use tokio::{
    sync::watch,
    time::{Instant, Interval, MissedTickBehavior},
};

/// How long a new socket may take to send its subscription before it is closed.
pub const FIRST_FRAME_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest frame a client may send: a subscription envelope is a few hundred bytes, and
/// the limit bounds what one socket can make the server buffer.
pub const MAX_CLIENT_MESSAGE: usize = 64 * 1024;

/// How often a waiting subscription pings its client, so a peer that vanished without a close
/// (a dropped network) is noticed and its task ends.
pub const PING_INTERVAL: Duration = Duration::from_secs(20);

/// How long a closing socket waits for the client's close frame before it just drops.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// Upgrades the request and runs the subscription on its own task.
pub fn upgrade(ws: WebSocketUpgrade, host: NativeHost, events: Events) -> Response {
    ws.max_message_size(MAX_CLIENT_MESSAGE)
        .max_frame_size(MAX_CLIENT_MESSAGE)
        // tungstenite reserves 128 KiB per socket for reads by default; subscribers read one
        // small frame, and a thousand of them should not cost 128 MiB.
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .on_upgrade(move |ws| async move {
            let live = Live::enter();
            let closing = events.closing();
            let socket = Socket::new(ws, closing);
            session(socket, &host, &events).await;
            drop(live);
        })
}

/// How many `/pubsub` sockets are open on this server.
static LIVE_SOCKETS: AtomicUsize = AtomicUsize::new(0);

/// How long the server must have had no sockets before it returns their memory.
const QUIET_BEFORE_TRIM: Duration = Duration::from_secs(2);

/// One open socket; when the last one closes and none opens for [`QUIET_BEFORE_TRIM`], the
/// memory their buffers used goes back to the system ([`super::memory`]).
struct Live;

impl Live {
    fn enter() -> Self {
        LIVE_SOCKETS.fetch_add(1, Ordering::Relaxed);
        Self
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        if LIVE_SOCKETS.fetch_sub(1, Ordering::Relaxed) == 1 {
            tokio::spawn(async {
                tokio::time::sleep(QUIET_BEFORE_TRIM).await;
                if LIVE_SOCKETS.load(Ordering::Relaxed) == 0 {
                    let _ = tokio::task::spawn_blocking(super::memory::release_free_memory).await;
                }
            });
        }
    }
}

/// Why a wait ended.
enum Wake {
    Signal(Signal),
    /// The subscription's queue was cut off: it fell behind.
    CutOff,
    TimedOut,
    /// The client closed or vanished; nothing more can be sent.
    Gone,
    /// The server is shutting down.
    Shutdown,
}

/// A socket with its deadline, its keepalive and the server's shutdown signal.
struct Socket {
    ws: WebSocket,
    deadline: Instant,
    closing: watch::Receiver<bool>,
    ping: Interval,
}

impl Socket {
    fn new(ws: WebSocket, closing: watch::Receiver<bool>) -> Self {
        let now = Instant::now();
        let mut ping = tokio::time::interval_at(now + PING_INTERVAL, PING_INTERVAL);
        ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Self { ws, deadline: now + FIRST_FRAME_TIMEOUT, closing, ping }
    }

    /// The first data frame (the subscription envelope), or `None` if the client sent none in
    /// time or went away.
    async fn first_frame(&mut self) -> Option<Bytes> {
        loop {
            tokio::select! {
                incoming = self.ws.recv() => match incoming? {
                    Ok(Message::Text(text)) => return Some(Bytes::copy_from_slice(text.as_str().as_bytes())),
                    Ok(Message::Binary(bytes)) => return Some(bytes),
                    Ok(Message::Close(_)) | Err(_) => return None,
                    // Pings are answered by the WebSocket layer.
                    Ok(Message::Ping(_) | Message::Pong(_)) => {}
                },
                () = tokio::time::sleep_until(self.deadline) => return None,
            }
        }
    }

    /// Waits for the subscription's next signal while watching the socket.
    async fn wait(&mut self, subscriber: &mut Subscriber) -> Wake {
        loop {
            if *self.closing.borrow_and_update() {
                return Wake::Shutdown;
            }
            tokio::select! {
                signal = subscriber.recv() => return signal.map_or(Wake::CutOff, Wake::Signal),
                () = tokio::time::sleep_until(self.deadline) => return Wake::TimedOut,
                changed = self.closing.changed() => {
                    // The sender lives as long as the server's event hub; gone means shutdown.
                    if changed.is_err() {
                        return Wake::Shutdown;
                    }
                }
                incoming = self.ws.recv() => match incoming {
                    Some(Ok(Message::Close(_)) | Err(_)) | None => return Wake::Gone,
                    // Pings are answered by the WebSocket layer; Go serves a second
                    // subscription on one socket, we keep to the first and ignore the rest.
                    Some(Ok(_)) => {}
                },
                _ = self.ping.tick() => {
                    if self.ws.send(Message::Ping(Bytes::new())).await.is_err() {
                        return Wake::Gone;
                    }
                }
            }
        }
    }

    /// Sends a frame; false when the client is gone.
    async fn send(&mut self, frame: &str) -> bool {
        self.ws.send(Message::Text(frame.into())).await.is_ok()
    }

    /// Sends an error frame, then closes.
    async fn fail(self, error: impl Into<Error>) {
        let mut socket = self;
        if socket.send(&pubsub::error_frame(error)).await {
            socket.close().await;
        }
    }

    /// Closes the socket: a close frame, then a short wait for the client's.
    async fn close(mut self) {
        if self.ws.send(Message::Close(None)).await.is_err() {
            return;
        }
        let _ = tokio::time::timeout(CLOSE_GRACE, async {
            while let Some(Ok(message)) = self.ws.recv().await {
                if matches!(message, Message::Close(_)) {
                    break;
                }
            }
        })
        .await;
    }
}

async fn session(mut socket: Socket, host: &NativeHost, events: &Events) {
    let Some(first) = socket.first_frame().await else {
        let failure = Failure::new(
            400,
            format!(
                "no subscription received within {} s of opening /pubsub",
                FIRST_FRAME_TIMEOUT.as_secs()
            ),
        );
        return socket.fail(failure).await;
    };
    let (caller, subscription) = match pubsub::parse_request(host, &first).await {
        Ok(request) => request,
        Err(failure) => return socket.fail(failure).await,
    };
    socket.deadline = Instant::now() + subscription.duration();
    // Registered before anything is read or authorised, so a change committed meanwhile is
    // not missed; a refused subscription just drops its registration.
    let stream = matches!(subscription, Subscription::Processes(_));
    let subscriber = events.subscribe(subscription.topics(), stream);
    events.announce_soon();
    match subscription {
        Subscription::Processes(m) => {
            processes(socket, host, events, subscriber, &caller, &m).await;
        }
        Subscription::Process(m) => process(socket, host, events, subscriber, &caller, &m).await,
        Subscription::Channel(m) => channel(socket, host, events, subscriber, &caller, &m).await,
    }
}

/// The frame of a process event, read once for all the subscribers it reaches.
async fn frame(host: &NativeHost, delivery: &Delivery) -> Result<Option<Arc<str>>, Error> {
    delivery
        .frame(|| async {
            let process = pubsub::current_process(host, &delivery.event.processid).await?;
            Ok(process.map(|p| Arc::from(pubsub::process_frame(&p))))
        })
        .await
}

/// `subscribeprocessesmsg`: every matching process until the timeout, then a close.
async fn processes(
    mut socket: Socket,
    host: &NativeHost,
    events: &Events,
    mut subscriber: Subscriber,
    caller: &str,
    m: &SubscribeProcessesMsg,
) {
    if let Err(failure) = pubsub::open_processes(host, caller, m).await {
        return socket.fail(failure).await;
    }
    if let Err(failure) = events.announced().await {
        return socket.fail(failure).await;
    }
    loop {
        match socket.wait(&mut subscriber).await {
            Wake::Signal(Signal::Process(delivery)) => match frame(host, &delivery).await {
                Ok(Some(frame)) => {
                    if !socket.send(&frame).await {
                        return;
                    }
                }
                // Removed before it could be read: nothing to show.
                Ok(None) => {}
                Err(failure) => {
                    tracing::warn!(%failure, "a /pubsub process frame could not be read");
                }
            },
            Wake::Signal(Signal::Channel | Signal::Resync) => {}
            Wake::CutOff => {
                let failure = Failure::new(
                    503,
                    format!(
                        "subscription ended: the client fell more than {} processes behind",
                        super::events::STREAM_QUEUE
                    ),
                );
                return socket.fail(failure).await;
            }
            Wake::TimedOut | Wake::Shutdown => return socket.close().await,
            Wake::Gone => return,
        }
    }
}

/// `subscribeprocessmsg`: one frame once the process is in the state (at once if it is
/// already), then a close; at the timeout a close without a frame.
async fn process(
    mut socket: Socket,
    host: &NativeHost,
    events: &Events,
    mut subscriber: Subscriber,
    caller: &str,
    m: &SubscribeProcessMsg,
) {
    let mut process = match pubsub::open_process(host, caller, m).await {
        Ok(process) => process,
        Err(failure) => return socket.fail(failure).await,
    };
    if process.state != m.state && !events.is_announced() {
        // Writes notify only once this server is announced: read again after that, so a
        // change committed before it is seen here.
        if let Err(failure) = events.announced().await {
            return socket.fail(failure).await;
        }
        process = match pubsub::current_process(host, &m.processid).await {
            Ok(Some(process)) => process,
            Ok(None) => {
                let failure = Failure::new(404, format!("Process {} was removed", m.processid));
                return socket.fail(failure).await;
            }
            Err(failure) => return socket.fail(failure).await,
        };
    }
    if process.state == m.state {
        if socket.send(&pubsub::process_frame(&process)).await {
            socket.close().await;
        }
        return;
    }
    loop {
        let frame = match socket.wait(&mut subscriber).await {
            Wake::Signal(Signal::Process(delivery)) => frame(host, &delivery).await,
            // Events may have been lost: look at the process itself.
            Wake::Signal(Signal::Resync) => match pubsub::current_process(host, &m.processid).await
            {
                Ok(Some(p)) if p.state == m.state => Ok(Some(Arc::from(pubsub::process_frame(&p)))),
                Ok(Some(_)) => continue,
                other => other.map(|p| p.map(|p| Arc::from(pubsub::process_frame(&p)))),
            },
            Wake::Signal(Signal::Channel) => continue,
            Wake::TimedOut | Wake::Shutdown | Wake::CutOff => return socket.close().await,
            Wake::Gone => return,
        };
        return match frame {
            Ok(Some(frame)) => {
                if socket.send(&frame).await {
                    socket.close().await;
                }
            }
            Ok(None) => {
                let failure = Failure::new(404, format!("Process {} was removed", m.processid));
                socket.fail(failure).await;
            }
            Err(failure) => socket.fail(failure).await,
        };
    }
}

/// What sending a channel's new entries came to.
enum Drained {
    /// Everything there is was sent; keep waiting.
    Open,
    /// The stream is over (the `[]` frame and the close were sent), or the client is gone.
    Ended,
}

/// Sends the channel's entries after `seen`, in batches; ends the stream if the channel is
/// gone with its process.
async fn drain(
    socket: &mut Socket,
    host: &NativeHost,
    m: &SubscribeChannelMsg,
    seen: &mut i64,
) -> Result<Drained, Error> {
    loop {
        match pubsub::read_channel(host, &m.processid, &m.name, *seen).await? {
            ChannelRead::Entries(entries) if entries.is_empty() => return Ok(Drained::Open),
            ChannelRead::Entries(entries) => {
                if !socket.send(&pubsub::channel_frame(&entries)).await {
                    return Ok(Drained::Ended);
                }
                let read = i64::try_from(entries.len()).unwrap_or(i64::MAX);
                *seen = seen.saturating_add(read);
                if read < pubsub::CHANNEL_BATCH {
                    return Ok(Drained::Open);
                }
            }
            ChannelRead::Closed => {
                // If the client is gone, the close that follows fails at once too.
                let _ = socket.send(&pubsub::channel_frame(&[])).await;
                return Ok(Drained::Ended);
            }
        }
    }
}

/// `subscribechannelmsg`: the entries after `afterseq`, then each new batch; at the timeout
/// (or when the channel goes with its process) a `[]` frame and a close.
async fn channel(
    mut socket: Socket,
    host: &NativeHost,
    events: &Events,
    mut subscriber: Subscriber,
    caller: &str,
    m: &SubscribeChannelMsg,
) {
    if let Err(failure) = pubsub::open_channel(host, caller, m).await {
        return socket.fail(failure).await;
    }
    if let Err(failure) = events.announced().await {
        return socket.fail(failure).await;
    }
    let mut seen = m.afterseq.max(0);
    loop {
        match drain(&mut socket, host, m, &mut seen).await {
            Ok(Drained::Open) => {}
            Ok(Drained::Ended) => return socket.close().await,
            Err(failure) => return socket.fail(failure).await,
        }
        match socket.wait(&mut subscriber).await {
            Wake::Signal(_) => {}
            Wake::TimedOut | Wake::Shutdown | Wake::CutOff => {
                if socket.send(&pubsub::channel_frame(&[])).await {
                    socket.close().await;
                }
                return;
            }
            Wake::Gone => return,
        }
    }
}
