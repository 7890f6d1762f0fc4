//! The database socket of the Workers host: a Workers TCP socket as tokio I/O that takes its
//! stream reader and writer once and keeps them for its whole life.
//!
//! `worker::Socket` takes a reader (or writer) for every read (or write) and releases it
//! afterwards. Inside workerd that release is costly: a CPU profile of a signed request
//! (DevTools inspector of `wrangler dev`, 1,500 requests) put ~20 % of the Worker's CPU in
//! `releaseLock` alone. Here each stream is locked once, and a write is handed to the stream
//! without waiting for it: the stream keeps the writes in order, and waiting would cost a
//! promise, a wake-up and a poll of the connection per write. Only when the stream's queue
//! is full (`desiredSize <= 0`) does the next write wait for `ready`. A failed write errors the
//! socket, so the error reaches tokio-postgres through the next read.

use core::{
    future::Future,
    pin::Pin,
    task::{Context, Poll, ready},
};
use futures_util::future::{Ready, ready as ready_future};
use js_sys::{Object, Reflect, Uint8Array};
use std::io;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::tls::{ChannelBinding, TlsConnect, TlsStream};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStreamDefaultReader, WritableStreamDefaultWriter};
use worker::worker_sys;

fn io_error(e: JsValue) -> io::Error {
    let text =
        e.as_string().or_else(|| e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())));
    io::Error::other(text.unwrap_or_else(|| format!("{e:?}")))
}

/// A connected socket with its streams locked to it.
pub struct DbSocket {
    socket: worker_sys::Socket,
    reader: ReadableStreamDefaultReader,
    writer: WritableStreamDefaultWriter,
    /// The pending `reader.read()`.
    reading: Option<JsFuture>,
    /// Bytes read but not yet handed out, from `offset` on.
    buffered: Vec<u8>,
    offset: usize,
    /// The stream ended.
    eof: bool,
    /// `writer.ready` while the stream's queue is full.
    backpressure: Option<JsFuture>,
    /// Catches the rejections of writes nobody awaits (their error surfaces on the next read).
    ignore: Closure<dyn FnMut(JsValue)>,
    /// The pending `socket.close()`.
    closing: Option<JsFuture>,
    /// The property names of a read's result, made into JS strings once per socket.
    done: JsValue,
    value: JsValue,
}

impl DbSocket {
    /// Opens a TCP connection to `host:port`; `starttls` lets [`StartTls`] upgrade it later.
    pub fn connect(host: &str, port: u16, starttls: bool) -> Result<Self, JsValue> {
        let address = Object::new();
        Reflect::set(&address, &"hostname".into(), &host.into())?;
        Reflect::set(&address, &"port".into(), &port.into())?;
        let options = Object::new();
        let transport = if starttls { "starttls" } else { "off" };
        Reflect::set(&options, &"secureTransport".into(), &transport.into())?;
        Reflect::set(&options, &"allowHalfOpen".into(), &false.into())?;
        Self::wrap(worker_sys::connect(address.into(), options.into())?)
    }

    fn wrap(socket: worker_sys::Socket) -> Result<Self, JsValue> {
        let reader = socket.readable()?.get_reader().dyn_into::<ReadableStreamDefaultReader>()?;
        let writer = socket.writable()?.get_writer()?;
        Ok(Self {
            socket,
            reader,
            writer,
            reading: None,
            buffered: Vec::new(),
            offset: 0,
            eof: false,
            backpressure: None,
            ignore: Closure::new(|_: JsValue| {}),
            closing: None,
            done: JsValue::from_str("done"),
            value: JsValue::from_str("value"),
        })
    }

    /// The same connection over TLS (after the server accepted an SSLRequest). Nothing is
    /// in flight then: the startup exchange waits for each answer.
    fn start_tls(self) -> Result<Self, JsValue> {
        self.reader.release_lock();
        self.writer.release_lock();
        Self::wrap(self.socket.start_tls()?)
    }
}

impl AsyncRead for DbSocket {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        loop {
            if this.offset < this.buffered.len() {
                let n = buf.remaining().min(this.buffered.len() - this.offset);
                buf.put_slice(&this.buffered[this.offset..this.offset + n]);
                this.offset += n;
                return Poll::Ready(Ok(()));
            }
            if this.eof {
                return Poll::Ready(Ok(()));
            }
            let reader = &this.reader;
            let read = this.reading.get_or_insert_with(|| JsFuture::from(reader.read()));
            let result = ready!(Pin::new(read).poll(cx));
            this.reading = None;
            let chunk = result.map_err(io_error)?;
            if Reflect::get(&chunk, &this.done).map_err(io_error)?.as_bool() == Some(true) {
                this.eof = true;
                continue;
            }
            let value = Reflect::get(&chunk, &this.value).map_err(io_error)?;
            let bytes = value.dyn_into::<Uint8Array>().map_err(io_error)?;
            this.buffered = bytes.to_vec();
            this.offset = 0;
        }
    }
}

impl DbSocket {
    /// Waits while the stream's write queue is full.
    fn poll_room(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(ready) = self.backpressure.as_mut() {
            let result = ready!(Pin::new(ready).poll(cx));
            self.backpressure = None;
            result.map_err(io_error)?;
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for DbSocket {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.poll_room(cx))?;
        // The stream keeps the chunk: it must be a buffer of its own, not a view of wasm memory.
        let chunk = Uint8Array::from(buf);
        let _ = self.writer.write_with_chunk(&chunk).catch(&self.ignore);
        if self.writer.desired_size().ok().flatten().is_some_and(|room| room <= 0.0) {
            self.backpressure = Some(JsFuture::from(self.writer.ready()));
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Written chunks are already the socket's; only a full queue is waited for.
        self.poll_room(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_room(cx))?;
        let this = &mut *self;
        if this.closing.is_none() {
            let close = this.socket.close().map_err(io_error)?;
            this.closing = Some(JsFuture::from(close));
        }
        let closing = this.closing.as_mut().unwrap_or_else(|| unreachable!());
        ready!(Pin::new(closing).poll(cx)).map_err(io_error)?;
        Poll::Ready(Ok(()))
    }
}

/// The TLS of a `starttls` socket: the runtime does the handshake when tokio-postgres asks
/// for TLS (after the server accepted its SSLRequest); certificates are the runtime's too.
#[derive(Debug, Clone, Copy, Default)]
pub struct StartTls;

impl TlsConnect<DbSocket> for StartTls {
    type Stream = DbSocket;
    type Error = io::Error;
    type Future = Ready<io::Result<DbSocket>>;

    fn connect(self, socket: DbSocket) -> Self::Future {
        ready_future(socket.start_tls().map_err(io_error))
    }
}

impl TlsStream for DbSocket {
    fn channel_binding(&self) -> ChannelBinding {
        ChannelBinding::none()
    }
}
