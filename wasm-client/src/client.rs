//! `Client`: a signed `POST /api` per call, one promise-returning method per RPC.
//!
//! The request object gets the core's `msgtype` and is signed as the base64 of its JSON; the
//! reply is handed over as the server's JSON, with the `null` lists of Go servers read as
//! `[]` (`js/runtime.js`). The payloadtype, the unsigned transport, the empty `{}` replies and
//! the long poll of `assign` all come from [`colonies_core::message::Message`]. Requests and
//! replies are deliberately not decoded into the core's structs here: one serde decoder per
//! message and model would make the module several times larger than the 120 KB budget
//! (measured: 285 KB gzipped with them), and the TypeScript types check requests at compile
//! time.

use crate::{
    error::Error,
    fetch::{self, Deadline},
    subscription::ProcessSubscription,
};
use alloc::rc::Rc;
use colonies_core::{
    PrivateKey, RpcMsg, RpcReplyMsg,
    message::{
        AssignProcessMsg, Empty, Message, SubscribeChannelMsg, SubscribeProcessMsg,
        SubscribeProcessesMsg, Transport,
    },
};
use core::{any::TypeId, cell::RefCell};
use js_sys::{JSON, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, prelude::*};
use wasm_bindgen_futures::future_to_promise;
use web_sys::AbortSignal;

#[wasm_bindgen(module = "/js/runtime.js")]
extern "C" {
    /// `JSON.parse` with Go's `null` lists and maps read as `[]`/`{}`; a `null` reply as
    /// `[]` when `list`.
    #[wasm_bindgen(js_name = parseReply, catch)]
    pub(crate) fn parse_reply(text: &str, list: bool) -> Result<JsValue, JsValue>;
}

/// The client's timeout when `timeoutMs` is not given.
const DEFAULT_TIMEOUT_MS: u32 = 30_000;
/// Time the server gets to answer a long poll after its `timeout` has passed.
const LONG_POLL_GRACE_MS: u32 = 10_000;

/// What a success reply holds.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReplyShape {
    /// `{}`: the promise resolves to `undefined`.
    Empty,
    /// A list (`null` from Go servers reads as `[]`).
    List,
    /// An object.
    Object,
}

/// How to send one kind of message, from the core's type.
#[derive(Clone, Copy)]
pub(crate) struct Call {
    payload_type: &'static str,
    unsigned: bool,
    reply: ReplyShape,
    /// Whether the request's `timeout` lets the server hold it (a long poll).
    long_poll: bool,
}

impl Call {
    /// The call for message type `M`, whose TypeScript reply type is `reply_ts`.
    pub(crate) fn of<M: Message>(reply_ts: &str) -> Self {
        let reply = if TypeId::of::<M::Reply>() == TypeId::of::<Empty>() {
            ReplyShape::Empty
        } else if reply_ts.ends_with("[]>") {
            ReplyShape::List
        } else {
            ReplyShape::Object
        };
        Self {
            payload_type: M::PAYLOAD_TYPE,
            unsigned: M::KIND.transport() == Transport::Unsigned,
            reply,
            long_poll: TypeId::of::<M>() == TypeId::of::<AssignProcessMsg>(),
        }
    }
}

/// What the client was made with.
struct Config {
    /// `…/api`.
    api_url: String,
    /// `ws(s)://…/pubsub`.
    pubsub_url: String,
    /// The base URL as given, without trailing slashes.
    base_url: String,
    timeout_ms: u32,
    /// The `WebSocket` constructor to use (`options.WebSocket`, else the global one).
    websocket: Option<js_sys::Function>,
    key: RefCell<Option<PrivateKey>>,
}

/// A Colonies client: `new Client({ url: "http://localhost:50080", privateKey })`.
#[wasm_bindgen]
#[derive(Clone)]
pub struct Client {
    config: Rc<Config>,
}

fn get(options: &JsValue, name: &str) -> JsValue {
    Reflect::get(options, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

/// A private key given as hex text or as a `PrivateKey` object (anything with `toHex()`).
fn read_key(value: &JsValue) -> Result<PrivateKey, Error> {
    let hex = match value.as_string() {
        Some(hex) => hex,
        None => {
            let to_hex: js_sys::Function = get(value, "toHex").dyn_into().map_err(|_| {
                Error::Input("privateKey: expected hex text or a PrivateKey".into())
            })?;
            to_hex.call0(value).ok().and_then(|h| h.as_string()).unwrap_or_default()
        }
    };
    hex.parse().map_err(|e| Error::Input(format!("privateKey: {e}")))
}

#[wasm_bindgen]
impl Client {
    /// A client for the server at `options.url` (`http(s)://host:port`), signing with
    /// `options.privateKey` (hex or `PrivateKey`; only `version`/`getServerInfo` work without).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "ClientOptions")] options: JsValue,
    ) -> Result<Client, Error> {
        let url = get(&options, "url")
            .as_string()
            .ok_or_else(|| Error::Input("url: expected the server's base URL".into()))?;
        let base_url = url.trim_end_matches('/').to_string();
        let pubsub_base = if let Some(rest) = base_url.strip_prefix("https://") {
            format!("wss://{rest}")
        } else if let Some(rest) = base_url.strip_prefix("http://") {
            format!("ws://{rest}")
        } else {
            return Err(Error::Input(format!("url: expected http:// or https://, got {url:?}")));
        };
        let key = match get(&options, "privateKey") {
            v if v.is_undefined() || v.is_null() => None,
            v => Some(read_key(&v)?),
        };
        let timeout_ms = match get(&options, "timeoutMs").as_f64() {
            // Saturating: a huge timeout means "as long as the platform allows".
            Some(ms) if ms >= 1.0 => ms.min(f64::from(u32::MAX)) as u32,
            Some(_) => return Err(Error::Input("timeoutMs: expected a positive number".into())),
            None => DEFAULT_TIMEOUT_MS,
        };
        let websocket = get(&options, "WebSocket").dyn_into::<js_sys::Function>().ok();
        Ok(Client {
            config: Rc::new(Config {
                api_url: format!("{base_url}/api"),
                pubsub_url: format!("{pubsub_base}/pubsub"),
                base_url,
                timeout_ms,
                websocket,
                key: RefCell::new(key),
            }),
        })
    }

    /// The server's base URL.
    #[wasm_bindgen(getter)]
    pub fn url(&self) -> String {
        self.config.base_url.clone()
    }

    /// The ID of the signing key, if the client has one.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> Option<String> {
        self.config.key.borrow().as_ref().map(|key| key.id().to_hex())
    }

    /// Signs further requests with this key (hex or `PrivateKey`).
    #[wasm_bindgen(js_name = setPrivateKey)]
    pub fn set_private_key(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | PrivateKey")] key: JsValue,
    ) -> Result<(), Error> {
        *self.config.key.borrow_mut() = Some(read_key(&key)?);
        Ok(())
    }

    /// Any payloadtype, untyped: `payload` is the message object (`msgtype` is added), the
    /// reply is the server's JSON as is. For messages this package does not know yet.
    pub fn rpc(
        &self,
        #[wasm_bindgen(js_name = payloadType)] payload_type: String,
        #[wasm_bindgen(unchecked_param_type = "Record<string, JsonValue>")] payload: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let client = self.clone();
        future_to_promise(async move {
            client.rpc_raw(&payload_type, &payload, &options).await.map_err(JsValue::from)
        })
    }

    /// `GET /health`: whether the server answers.
    #[wasm_bindgen(unchecked_return_type = "Promise<boolean>")]
    pub fn health(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let client = self.clone();
        future_to_promise(async move {
            let deadline = client.deadline(&options, 0.0);
            let url = format!("{}/health", client.config.base_url);
            Ok(fetch::get(&url, &deadline).await.is_ok_and(|status| status == 200).into())
        })
    }

    /// Streams every process of `executortype` that enters `state`, until `timeout` seconds
    /// pass (protocol §7): `for await (const process of client.subscribeProcesses({…}))`.
    #[wasm_bindgen(js_name = subscribeProcesses, unchecked_return_type = "ProcessSubscription")]
    pub fn subscribe_processes(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SubscribeProcessesMsg")] request: JsValue,
    ) -> Result<JsValue, Error> {
        self.subscribe::<SubscribeProcessesMsg>(&request)
    }

    /// Yields the process when it enters `state` (at once if it already has), until `timeout`
    /// seconds pass: `for await (const process of client.subscribeProcess({…})) break;`.
    #[wasm_bindgen(js_name = subscribeProcess, unchecked_return_type = "ProcessSubscription")]
    pub fn subscribe_process(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SubscribeProcessMsg")] request: JsValue,
    ) -> Result<JsValue, Error> {
        self.subscribe::<SubscribeProcessMsg>(&request)
    }

    /// Streams a channel's entries after index `afterseq` (protocol §7): each step yields the
    /// batch one frame carries (existing entries first, then each new batch); the server ends
    /// the stream with an empty batch when `timeout` passes or the process finishes:
    /// `for await (const entries of client.subscribeChannel({…})) if (!entries.length) break;`.
    #[wasm_bindgen(js_name = subscribeChannel, unchecked_return_type = "ChannelSubscription")]
    pub fn subscribe_channel(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SubscribeChannelMsg")] request: JsValue,
    ) -> Result<JsValue, Error> {
        self.subscribe::<SubscribeChannelMsg>(&request)
    }
}

/// The payload JSON: the request's own fields and `msgtype` (which wins over any given).
fn payload_json(payload_type: &str, request: &JsValue) -> Result<String, Error> {
    if !(request.is_undefined() || request.is_null() || request.is_object()) || request.is_array() {
        return Err(Error::Input("the request must be an object".into()));
    }
    let tagged = Object::new();
    if request.is_object() {
        Object::assign(&tagged, request.unchecked_ref());
    }
    drop(Reflect::set(&tagged, &"msgtype".into(), &payload_type.into()));
    JSON::stringify(&tagged)
        .ok()
        .and_then(|text| text.as_string())
        .ok_or_else(|| Error::Input("the request cannot be written as JSON".into()))
}

impl Client {
    /// Sends a typed call and resolves to the reply (`undefined` for `{}` replies).
    pub(crate) fn call(&self, call: Call, request: JsValue, options: JsValue) -> Promise {
        let client = self.clone();
        future_to_promise(async move {
            let payload = payload_json(call.payload_type, &request)?;
            let hold =
                if call.long_poll { get(&request, "timeout").as_f64().unwrap_or(0.0) } else { 0.0 };
            let envelope = client.envelope(call.payload_type, &payload, call.unsigned)?;
            let reply = client.send(&envelope, &client.deadline(&options, hold)).await?;
            match call.reply {
                ReplyShape::Empty => Ok(JsValue::UNDEFINED),
                shape => decode(&reply, shape == ReplyShape::List).map_err(JsValue::from),
            }
        })
    }

    /// Sends an untyped call; resolves to the reply as the server wrote it.
    async fn rpc_raw(
        &self,
        payload_type: &str,
        payload: &JsValue,
        options: &JsValue,
    ) -> Result<JsValue, Error> {
        let payload = payload_json(payload_type, payload)?;
        let unsigned = colonies_core::envelope::UNSIGNED_PAYLOAD_TYPES.contains(&payload_type);
        let envelope = self.envelope(payload_type, &payload, unsigned)?;
        let reply = self.send(&envelope, &self.deadline(options, 0.0)).await?;
        let text =
            String::from_utf8(reply).map_err(|_| Error::Protocol("reply is not UTF-8".into()))?;
        JSON::parse(&text).map_err(|_| Error::Protocol("reply is not JSON".into()))
    }

    /// The signed (or, for the two unsigned payloadtypes, unsigned) envelope JSON.
    pub(crate) fn envelope(
        &self,
        payload_type: &str,
        payload: &str,
        unsigned: bool,
    ) -> Result<String, Error> {
        if unsigned {
            return Ok(RpcMsg::unsigned(payload_type, payload).to_json());
        }
        let key = self.config.key.borrow();
        let key = key.as_ref().ok_or_else(|| {
            Error::Input(format!("{payload_type} must be signed: give the client a privateKey"))
        })?;
        Ok(RpcMsg::sign(payload_type, payload, key).to_json())
    }

    /// The deadline of one call: `options.timeoutMs` or the client's, plus what the server
    /// may hold the request, and `options.signal`.
    fn deadline(&self, options: &JsValue, hold_seconds: f64) -> Deadline {
        let mut ms = match get(options, "timeoutMs").as_f64() {
            Some(ms) if ms >= 1.0 => ms.min(f64::from(u32::MAX)) as u32,
            _ => self.config.timeout_ms,
        };
        if hold_seconds > 0.0 {
            // Saturating float-to-int conversion: absurd timeouts mean "as long as possible".
            let hold_ms = (hold_seconds * 1000.0).min(f64::from(u32::MAX)) as u32;
            ms = ms.max(hold_ms.saturating_add(LONG_POLL_GRACE_MS));
        }
        let signal = get(options, "signal");
        let signal = (!signal.is_undefined() && !signal.is_null())
            .then(|| signal.unchecked_into::<AbortSignal>());
        Deadline { ms, signal }
    }

    /// POSTs an envelope and returns the success reply JSON, or the error.
    async fn send(&self, envelope: &str, deadline: &Deadline) -> Result<Vec<u8>, Error> {
        let (status, text) = fetch::post(&self.config.api_url, envelope, deadline).await?;
        // Clients decide on the envelope's `error` flag, not on the HTTP status (§2.4).
        let reply = RpcReplyMsg::parse(text.as_bytes()).map_err(|_| {
            let start: String = text.chars().take(200).collect();
            Error::Protocol(format!("HTTP {status} from {}: {start:?}", self.config.api_url))
        })?;
        reply.into_result().map_err(Error::Server)
    }

    /// Opens a `/pubsub` subscription whose first frame is the signed `M` request.
    fn subscribe<M: Message>(&self, request: &JsValue) -> Result<JsValue, Error> {
        let payload = payload_json(M::PAYLOAD_TYPE, request)?;
        let envelope = self.envelope(M::PAYLOAD_TYPE, &payload, false)?;
        let constructor = match &self.config.websocket {
            Some(constructor) => constructor.clone(),
            None => get(&js_sys::global(), "WebSocket").dyn_into().map_err(|_| {
                Error::Input(
                    "no global WebSocket here: pass options.WebSocket (e.g. from the ws package)"
                        .into(),
                )
            })?,
        };
        ProcessSubscription::open(&constructor, &self.config.pubsub_url, envelope)
    }
}

/// Reads success reply JSON for JavaScript.
pub(crate) fn decode(reply: &[u8], list: bool) -> Result<JsValue, Error> {
    let text =
        core::str::from_utf8(reply).map_err(|_| Error::Protocol("reply is not UTF-8".into()))?;
    parse_reply(text, list).map_err(|_| Error::Protocol("reply payload is not JSON".into()))
}
