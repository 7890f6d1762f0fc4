//! Slow and stalled clients: how long a connection may take to send a request head, to send a
//! request body, and how long a keep-alive connection may sit idle between requests.
//!
//! hyper's own `header_read_timeout` cannot be used: it starts as soon as hyper waits for a
//! request head, so it also cuts keep-alive connections that are merely idle (its default, 30 s,
//! applies as soon as a timer is set). Instead every accepted socket is a [`TimedIo`] that knows
//! which phase its connection is in ([`Clock`]):
//!
//! - **head**: from the accept, or from the first byte after an idle period, until hyper hands
//!   the parsed request to the service. Bounded by the header timeout.
//! - **busy**: a request is being served (the handler runs, its response is being sent). No
//!   connection deadline: a long-poll `assignprocessmsg` waits as long as its client asked.
//!   `POST /api` bounds reading its body by the body timeout itself (see `http.rs`); the other
//!   routes never read a body, and hyper closes a connection whose request body was not read.
//! - **idle**: the last response was sent and no byte of the next request has arrived. Bounded by
//!   the idle timeout.
//! - **upgraded**: the connection switched protocols (`/pubsub` WebSockets); no HTTP timeouts.
//!
//! A deadline is checked only when a read would block, i.e. when the client has not sent what
//! the server is waiting for; the read then fails with `TimedOut` and hyper drops the connection
//! (nothing can be answered to a request that has not arrived).

use alloc::sync::Arc;
use axum::{
    Router,
    body::{Body, Bytes, HttpBody},
    extract::Request,
    http::StatusCode,
    response::Response,
    serve::{IncomingStream, Listener},
};
use core::{
    convert::Infallible,
    future::Future,
    pin::Pin,
    task::{Context, Poll, Waker},
    time::Duration,
};
use http_body::{Frame, SizeHint};
use std::{
    io,
    net::SocketAddr,
    sync::{Mutex, MutexGuard, PoisonError},
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
    time::{Instant, Sleep},
};
use tower_service::Service;

/// The default header timeout: a request head is a few hundred bytes that every client sends
/// in one go; 10 s covers a handshake over the worst mobile link many times over.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// The default body timeout: the largest legal request (a 10 MiB channel message, about
/// 17.8 MiB on the wire) arrives within it at about 2.5 Mbit/s; typical requests are a few KiB.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(60);
/// The default idle timeout: longer than the idle timeouts of the common client pools (90 s in
/// Go's `http.Transport`, hyper/reqwest), so they close first and never send a request on a
/// connection the server is closing.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(120);

/// The slow-client timeouts of the native server; `None` disables one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpTimeouts {
    /// Longest time from the accept (or from the first byte after an idle period) until a
    /// request head has been received.
    pub header: Option<Duration>,
    /// Longest time to read a `POST /api` body, from the end of its head; beyond it the request
    /// is answered 408 and the connection closed.
    pub body: Option<Duration>,
    /// Longest time a keep-alive connection may wait for its next request. WebSockets and
    /// requests in progress (long polls) are not idle.
    pub idle: Option<Duration>,
}

impl Default for HttpTimeouts {
    fn default() -> Self {
        Self {
            header: Some(DEFAULT_HEADER_TIMEOUT),
            body: Some(DEFAULT_BODY_TIMEOUT),
            idle: Some(DEFAULT_IDLE_TIMEOUT),
        }
    }
}

impl HttpTimeouts {
    /// From seconds, 0 disabling one (the `serve` settings).
    pub fn from_secs(header: u64, body: u64, idle: u64) -> Self {
        let secs = |s: u64| (s > 0).then(|| Duration::from_secs(s));
        Self { header: secs(header), body: secs(body), idle: secs(idle) }
    }
}

/// Where a connection is (module docs).
#[derive(Debug, Clone, Copy)]
enum Phase {
    Head { since: Instant },
    Busy,
    Idle { since: Instant },
    Upgraded,
}

struct State {
    phase: Phase,
    /// The connection task while its reads have no deadline: a response that makes the
    /// connection idle wakes it, so that its next read arms the idle deadline (hyper does not
    /// necessarily read again on its own before the client sends something).
    reader: Option<Waker>,
}

struct Shared {
    state: Mutex<State>,
    header: Option<Duration>,
    idle: Option<Duration>,
}

/// The phase of one connection, shared by its socket and the requests served on it.
#[derive(Clone)]
pub struct Clock(Arc<Shared>);

impl Clock {
    fn new(timeouts: &HttpTimeouts) -> Self {
        Self(Arc::new(Shared {
            state: Mutex::new(State { phase: Phase::Head { since: Instant::now() }, reader: None }),
            header: timeouts.header,
            idle: timeouts.idle,
        }))
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.0.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn update(&self, f: impl FnOnce(Phase) -> Phase) {
        let mut state = self.state();
        state.phase = f(state.phase);
    }

    /// Bytes arrived: an idle connection starts receiving a request head.
    fn received(&self) {
        self.update(|phase| match phase {
            Phase::Idle { .. } => Phase::Head { since: Instant::now() },
            other => other,
        });
    }

    /// hyper parsed a request head and calls the service.
    fn request(&self) {
        self.update(|phase| match phase {
            Phase::Upgraded => Phase::Upgraded,
            _ => Phase::Busy,
        });
    }

    /// The response (head and body) was handed to hyper.
    fn responded(&self) {
        let reader = {
            let mut state = self.state();
            if !matches!(state.phase, Phase::Busy) {
                return;
            }
            state.phase = Phase::Idle { since: Instant::now() };
            state.reader.take()
        };
        if let Some(reader) = reader {
            reader.wake();
        }
    }

    fn upgraded(&self) {
        self.update(|_| Phase::Upgraded);
    }

    /// When a read that would block should fail instead, and why. Without a deadline, the
    /// reader is woken when there is one again.
    fn deadline(&self, reader: &Waker) -> Option<(Instant, &'static str)> {
        let mut state = self.state();
        let deadline = match state.phase {
            Phase::Head { since } => self.0.header.map(|t| (since + t, "header timeout")),
            Phase::Idle { since } => self.0.idle.map(|t| (since + t, "idle timeout")),
            Phase::Busy | Phase::Upgraded => None,
        };
        if deadline.is_none() && matches!(state.phase, Phase::Busy) {
            match &mut state.reader {
                Some(waker) => waker.clone_from(reader),
                None => state.reader = Some(reader.clone()),
            }
        }
        deadline
    }
}

/// An accepted socket that fails a blocked read once its connection's deadline has passed.
pub struct TimedIo {
    stream: TcpStream,
    clock: Clock,
    sleep: Option<Pin<Box<Sleep>>>,
}

impl TimedIo {
    fn poll_deadline(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let Some((deadline, what)) = self.clock.deadline(cx.waker()) else {
            self.sleep = None;
            return Poll::Pending;
        };
        let sleep = match &mut self.sleep {
            Some(sleep) => {
                if sleep.deadline() != deadline {
                    sleep.as_mut().reset(deadline);
                }
                sleep
            }
            None => self.sleep.insert(Box::pin(tokio::time::sleep_until(deadline))),
        };
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => {
                self.sleep = None;
                tracing::debug!(peer = ?self.stream.peer_addr().ok(), "closing a connection: {what}");
                Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, what)))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncRead for TimedIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.stream).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    this.clock.received();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => this.poll_deadline(cx),
        }
    }
}

impl AsyncWrite for TimedIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// A TCP listener whose connections are [`TimedIo`]s.
pub struct TimedListener {
    tcp: TcpListener,
    timeouts: HttpTimeouts,
}

impl TimedListener {
    /// Times the connections of `tcp`.
    pub fn new(tcp: TcpListener, timeouts: HttpTimeouts) -> Self {
        Self { tcp, timeouts }
    }
}

impl Listener for TimedListener {
    type Io = TimedIo;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // axum's accept loop: retries, and backs off when out of file descriptors.
        let (stream, addr) = Listener::accept(&mut self.tcp).await;
        (TimedIo { stream, clock: Clock::new(&self.timeouts), sleep: None }, addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// What `axum::serve` makes a service of each connection with: the router, told the phases.
#[derive(Clone)]
pub struct MakeTimed(pub Router);

impl Service<IncomingStream<'_, TimedListener>> for MakeTimed {
    type Response = Timed;
    type Error = Infallible;
    type Future = core::future::Ready<Result<Timed, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, incoming: IncomingStream<'_, TimedListener>) -> Self::Future {
        let clock = incoming.io().clock.clone();
        core::future::ready(Ok(Timed { router: self.0.clone(), clock }))
    }
}

/// The router on one connection: a request makes the connection busy until its response has
/// been handed over; a 101 ends the HTTP timeouts.
#[derive(Clone)]
pub struct Timed {
    router: Router,
    clock: Clock,
}

impl Service<Request> for Timed {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // A Router is always ready.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        self.clock.request();
        let clock = self.clock.clone();
        let response = self.router.call(request);
        Box::pin(async move {
            let response = response.await?;
            if response.status() == StatusCode::SWITCHING_PROTOCOLS {
                clock.upgraded();
                return Ok(response);
            }
            let done = Responded(clock);
            Ok(response.map(|inner| Body::new(TrackedBody { inner, _done: done })))
        })
    }
}

/// Marks the connection idle when hyper is done with the response body.
struct Responded(Clock);

impl Drop for Responded {
    fn drop(&mut self) {
        self.0.responded();
    }
}

struct TrackedBody {
    inner: Body,
    _done: Responded,
}

impl HttpBody for TrackedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.get_mut().inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
