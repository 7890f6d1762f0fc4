//! Subscriptions over `GET /pubsub` (protocol §7) as JavaScript async iterators.
//!
//! The first text frame is the signed (and bound, see [`crate::client`]) request envelope; every frame after it is a reply
//! envelope carrying one process, or an error envelope, after which the server closes. The
//! server also closes when the subscription's `timeout` has passed: the iteration then ends.

use crate::{client::decode, error::Error};
use alloc::{collections::VecDeque, rc::Rc};
use colonies_core::RpcReplyMsg;
use core::cell::RefCell;
use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, prelude::*};
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{MessageEvent, WebSocket};

#[wasm_bindgen(module = "/js/runtime.js")]
extern "C" {
    #[wasm_bindgen(js_name = asyncIterable)]
    fn async_iterable(subscription: JsValue) -> JsValue;
}

/// One frame or failure waiting to be read.
type Item = Result<JsValue, JsValue>;

#[derive(Default)]
struct State {
    items: VecDeque<Item>,
    /// `resolve`/`reject` of `next()` calls made before anything arrived.
    waiters: VecDeque<(Function, Function)>,
    opened: bool,
    done: bool,
}

/// What the socket's event handlers share with the iterator.
struct Shared {
    state: RefCell<State>,
    socket: WebSocket,
    url: String,
}

impl Shared {
    fn push(&self, item: Item) {
        let waiter = self.state.borrow_mut().waiters.pop_front();
        match (waiter, item) {
            (Some((resolve, _)), Ok(value)) => {
                drop(resolve.call1(&JsValue::NULL, &step(value, false)))
            }
            (Some((_, reject)), Err(error)) => drop(reject.call1(&JsValue::NULL, &error)),
            (None, item) => self.state.borrow_mut().items.push_back(item),
        }
    }

    fn finish(&self) {
        let waiters = {
            let mut state = self.state.borrow_mut();
            state.done = true;
            core::mem::take(&mut state.waiters)
        };
        for (resolve, _) in waiters {
            drop(resolve.call1(&JsValue::NULL, &step(JsValue::UNDEFINED, true)));
        }
    }

    fn on_message(&self, event: &MessageEvent) {
        let text = event.data().as_string().unwrap_or_default();
        match decode_frame(&text) {
            Ok(process) => self.push(Ok(process)),
            Err(error) => {
                self.push(Err(error.into()));
                self.finish();
                drop(self.socket.close());
            }
        }
    }
}

/// `{ value, done }`.
fn step(value: JsValue, done: bool) -> JsValue {
    let result = Object::new();
    drop(Reflect::set(&result, &"value".into(), &value));
    drop(Reflect::set(&result, &"done".into(), &done.into()));
    result.into()
}

/// A process from one frame, or the failure the frame reports.
fn decode_frame(text: &str) -> Result<JsValue, Error> {
    let reply = RpcReplyMsg::parse(text.as_bytes())
        .map_err(|_| Error::Protocol(format!("unexpected /pubsub frame {text:?}")))?;
    decode(&reply.into_result().map_err(Error::Server)?, false)
}

/// Processes as they reach the subscribed state: an async iterator (`for await`), ended by
/// the server's timeout, by `close()`, or by leaving the loop.
#[wasm_bindgen]
pub struct ProcessSubscription {
    shared: Rc<Shared>,
    // Held so the socket's handlers live exactly as long as the subscription.
    _handlers: [Closure<dyn FnMut(JsValue)>; 4],
}

impl ProcessSubscription {
    /// Connects with `constructor` (a `WebSocket` class) and, once open, sends what `envelope`
    /// resolves to: the signed request's text, or else the error to end with.
    pub(crate) fn open(
        constructor: &Function,
        url: &str,
        envelope: Promise,
    ) -> Result<JsValue, Error> {
        let socket: WebSocket = Reflect::construct(constructor, &Array::of1(&url.into()))
            .map_err(|_| Error::Network(format!("cannot open a WebSocket to {url}")))?
            .unchecked_into();
        let shared =
            Rc::new(Shared { state: RefCell::default(), socket: socket.clone(), url: url.into() });
        let weak = Rc::downgrade(&shared);
        let on_open = Closure::<dyn FnMut(JsValue)>::new({
            let weak = weak.clone();
            move |_| {
                if let Some(shared) = weak.upgrade() {
                    shared.state.borrow_mut().opened = true;
                }
                let (weak, envelope) = (weak.clone(), envelope.clone());
                spawn_local(async move {
                    let envelope = JsFuture::from(envelope).await.unwrap_or_else(|error| error);
                    let Some(shared) = weak.upgrade() else { return };
                    let sent = match envelope.as_string() {
                        Some(text) => shared
                            .socket
                            .send_with_str(&text)
                            .map_err(|_| Error::Network("cannot send on /pubsub".into()).into()),
                        None => Err(envelope),
                    };
                    if let Err(error) = sent {
                        shared.push(Err(error));
                        shared.finish();
                        drop(shared.socket.close());
                    }
                });
            }
        });
        let on_message = Closure::<dyn FnMut(JsValue)>::new({
            let weak = weak.clone();
            move |event: JsValue| {
                if let Some(shared) = weak.upgrade() {
                    shared.on_message(event.unchecked_ref());
                }
            }
        });
        let on_error = Closure::<dyn FnMut(JsValue)>::new({
            let weak = weak.clone();
            move |_| {
                // After opening, a broken connection is followed by `close`, which ends the
                // iteration; before, the caller must learn that nothing was subscribed.
                if let Some(shared) = weak.upgrade()
                    && !shared.state.borrow().opened
                {
                    let url = shared.url.clone();
                    shared.push(Err(Error::Network(format!("cannot connect to {url}")).into()));
                    shared.finish();
                }
            }
        });
        let on_close = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            if let Some(shared) = weak.upgrade() {
                shared.finish();
            }
        });
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        let subscription =
            ProcessSubscription { shared, _handlers: [on_open, on_message, on_error, on_close] };
        Ok(async_iterable(subscription.into()))
    }
}

#[wasm_bindgen]
impl ProcessSubscription {
    /// The next process; `{ done: true }` once the subscription has ended. Rejects with a
    /// `ColoniesError` if the server refused the subscription or could not be reached.
    #[wasm_bindgen(unchecked_return_type = "Promise<IteratorResult<Process, undefined>>")]
    pub fn next(&self) -> Promise {
        let mut state = self.shared.state.borrow_mut();
        if let Some(item) = state.items.pop_front() {
            return match item {
                Ok(value) => Promise::resolve(&step(value, false)),
                Err(error) => Promise::reject(&error),
            };
        }
        if state.done {
            return Promise::resolve(&step(JsValue::UNDEFINED, true));
        }
        drop(state);
        let shared = self.shared.clone();
        Promise::new(&mut |resolve, reject| {
            shared.state.borrow_mut().waiters.push_back((resolve, reject));
        })
    }

    /// Ends the subscription (called by `for await` when the loop is left).
    #[wasm_bindgen(
        js_name = "return",
        unchecked_return_type = "Promise<IteratorResult<Process, undefined>>"
    )]
    pub fn return_(&self) -> Promise {
        self.close();
        Promise::resolve(&step(JsValue::UNDEFINED, true))
    }

    /// Closes the connection; pending and later `next()` calls report the end.
    pub fn close(&self) {
        drop(self.shared.socket.close());
        self.shared.finish();
    }
}

impl Drop for ProcessSubscription {
    fn drop(&mut self) {
        // The handlers are about to be freed: detach them before the socket can call one.
        let socket = &self.shared.socket;
        socket.set_onopen(None);
        socket.set_onmessage(None);
        socket.set_onerror(None);
        socket.set_onclose(None);
        drop(socket.close());
    }
}
