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
//!
//! Signed requests are bound against replay by default (docs/protocol.md, "Replay
//! protection"): a fresh nonce, the signing time (`Date.now()` plus the offset a `stale`
//! refusal taught) and the server's ID as `audience`, learned once per client from
//! `getserverinfomsg`. A server that tells no ID (a Go server) gets unbound requests.

use crate::{
    error::Error,
    fetch::{self, Deadline},
    subscription::ProcessSubscription,
};
use alloc::rc::Rc;
use colonies_core::{
    Failure, PrivateKey, RpcMsg, RpcReplyMsg,
    message::{
        AssignProcessMsg, Empty, Message, SubscribeChannelMsg, SubscribeProcessMsg,
        SubscribeProcessesMsg, Transport,
    },
    rules::replay::Binding,
};
use core::{
    any::TypeId,
    cell::{Cell, RefCell},
};
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

/// The start of the refusal a request bound to another server's ID gets.
const WRONG_AUDIENCE: &str = "replay protection: wrong audience";
/// The start of the refusal a request signed outside the server's window gets.
const STALE: &str = "replay protection: stale";
/// The payload fields of a binding: a request that carries any of them is sent as given.
const BINDING_FIELDS: [&str; 3] = ["nonce", "signedat", "audience"];

/// What the client knows of the `audience` of its bound requests.
#[derive(Clone)]
enum Audience {
    /// Not asked yet: the next signed call asks `getserverinfomsg`.
    Unknown,
    /// Requests go unbound: binding is off, or the server tells no ID (a Go server).
    Unbound,
    /// The server's ID.
    Known(String),
}

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
    /// The server's ID as the client knows it.
    audience: RefCell<Audience>,
    /// Milliseconds to add to `Date.now()` for `signedat`: the server's clock minus ours, as
    /// the last `stale` refusal told it.
    clock_offset_ms: Cell<f64>,
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
    /// Signed requests are bound against replay unless `options.replayBinding` is `false`.
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
        let audience = match get(&options, "replayBinding") {
            v if v.is_undefined() || v.is_null() || v.is_truthy() => Audience::Unknown,
            _ => Audience::Unbound,
        };
        Ok(Client {
            config: Rc::new(Config {
                api_url: format!("{base_url}/api"),
                pubsub_url: format!("{pubsub_base}/pubsub"),
                base_url,
                timeout_ms,
                websocket,
                key: RefCell::new(key),
                audience: RefCell::new(audience),
                clock_offset_ms: Cell::new(0.0),
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
/// `bound`: whether the request carries binding fields of its own (then it goes as given).
fn payload_json(payload_type: &str, request: &JsValue) -> Result<Payload, Error> {
    if !(request.is_undefined() || request.is_null() || request.is_object()) || request.is_array() {
        return Err(Error::Input("the request must be an object".into()));
    }
    let tagged = Object::new();
    if request.is_object() {
        Object::assign(&tagged, request.unchecked_ref());
    }
    drop(Reflect::set(&tagged, &"msgtype".into(), &payload_type.into()));
    let bound = BINDING_FIELDS
        .iter()
        .any(|field| Reflect::get(&tagged, &(*field).into()).is_ok_and(|v| !v.is_undefined()));
    let json = JSON::stringify(&tagged)
        .ok()
        .and_then(|text| text.as_string())
        .ok_or_else(|| Error::Input("the request cannot be written as JSON".into()))?;
    Ok(Payload { json, bound })
}

/// A request's payload JSON.
pub(crate) struct Payload {
    json: String,
    /// The caller bound it (or sent some binding fields): no binding is added.
    bound: bool,
}

/// The error of a signed call on a client without a key.
fn no_key(payload_type: &str) -> Error {
    Error::Input(format!("{payload_type} must be signed: give the client a privateKey"))
}

/// The server's clock from a `stale` refusal ("… the server's time is N (Unix ms)").
fn stale_server_time(failure: &Failure) -> Option<f64> {
    if failure.status != 403 || !failure.message.starts_with(STALE) {
        return None;
    }
    let (_, after) = failure.message.split_once("the server's time is ")?;
    let digits = after.split(|c: char| !c.is_ascii_digit()).next()?;
    // An integer parse: float parsing would add kilobytes to the module.
    digits.parse::<u64>().ok().filter(|ms| *ms > 0).map(|ms| ms as f64)
}

impl Client {
    /// Sends a typed call and resolves to the reply (`undefined` for `{}` replies).
    pub(crate) fn call(&self, call: Call, request: JsValue, options: JsValue) -> Promise {
        let client = self.clone();
        future_to_promise(async move {
            let payload = payload_json(call.payload_type, &request)?;
            let hold =
                if call.long_poll { get(&request, "timeout").as_f64().unwrap_or(0.0) } else { 0.0 };
            let deadline = client.deadline(&options, hold);
            let reply =
                client.request(call.payload_type, &payload, call.unsigned, &deadline).await?;
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
        let reply =
            self.request(payload_type, &payload, unsigned, &self.deadline(options, 0.0)).await?;
        let text =
            String::from_utf8(reply).map_err(|_| Error::Protocol("reply is not UTF-8".into()))?;
        JSON::parse(&text).map_err(|_| Error::Protocol("reply is not JSON".into()))
    }

    /// Sends one request and returns the success reply JSON. A signed one is bound (unless
    /// binding is off, the server tells no ID, or the caller bound it); a bound one refused
    /// for its audience is sent again once after asking the server's ID again, and one refused
    /// as stale once more with the clock offset the refusal tells (a refused request changed
    /// nothing, so sending it again is safe).
    async fn request(
        &self,
        payload_type: &str,
        payload: &Payload,
        unsigned: bool,
        deadline: &Deadline,
    ) -> Result<Vec<u8>, Error> {
        if unsigned {
            let envelope = RpcMsg::unsigned(payload_type, &payload.json).to_json();
            return self.send(&envelope, deadline).await;
        }
        self.check_key(payload_type)?;
        let mut audience = if payload.bound { None } else { self.audience(deadline).await? };
        let (mut refreshed, mut corrected) = (false, false);
        loop {
            let envelope = self.sign(payload_type, &payload.json, audience.as_deref())?;
            let result = self.send(&envelope, deadline).await;
            let Err(Error::Server(failure)) = &result else { return result };
            if audience.is_none() || failure.status != 403 {
                return result;
            }
            if !refreshed && failure.message.starts_with(WRONG_AUDIENCE) {
                refreshed = true;
                // The server's ID changed (changeserveridmsg), or another server answers.
                match self.learn_audience(deadline).await {
                    Ok(id) => audience = id,
                    Err(_) => return result,
                }
            } else if !corrected && let Some(server_ms) = stale_server_time(failure) {
                corrected = true;
                self.config.clock_offset_ms.set(server_ms - js_sys::Date::now());
            } else {
                return result;
            }
        }
    }

    /// The envelope of a subscription's first frame: signed, and bound like a request
    /// (servers do not check `/pubsub` frames yet; docs/protocol.md).
    pub(crate) async fn subscription_envelope(
        &self,
        payload_type: &str,
        payload: &Payload,
    ) -> Result<String, Error> {
        let deadline = self.deadline(&JsValue::UNDEFINED, 0.0);
        let audience = if payload.bound { None } else { self.audience(&deadline).await? };
        self.sign(payload_type, &payload.json, audience.as_deref())
    }

    /// An input error when the client has no key to sign `payload_type` with.
    fn check_key(&self, payload_type: &str) -> Result<(), Error> {
        self.config.key.borrow().as_ref().map(drop).ok_or_else(|| no_key(payload_type))
    }

    /// The signed envelope JSON, bound to `audience` with a fresh nonce when given.
    fn sign(
        &self,
        payload_type: &str,
        payload: &str,
        audience: Option<&str>,
    ) -> Result<String, Error> {
        let key = self.config.key.borrow();
        let key = key.as_ref().ok_or_else(|| no_key(payload_type))?;
        let message = match audience {
            Some(audience) => {
                // `Date.now()`, never std's clock (which panics on wasm32-unknown-unknown).
                let signedat = js_sys::Date::now() + self.config.clock_offset_ms.get();
                let binding = Binding::new(signedat as i64, audience)
                    .map_err(|e| Error::Input(format!("cannot make a nonce: {e}")))?;
                RpcMsg::sign_bound(payload_type, payload, key, &binding)
            }
            None => RpcMsg::sign(payload_type, payload, key),
        };
        Ok(message.to_json())
    }

    /// The audience of the next bound request, `None` for an unbound one; asks the server
    /// the first time.
    async fn audience(&self, deadline: &Deadline) -> Result<Option<String>, Error> {
        let known = self.config.audience.borrow().clone();
        match known {
            Audience::Known(id) => Ok(Some(id)),
            Audience::Unbound => Ok(None),
            Audience::Unknown => self.learn_audience(deadline).await,
        }
    }

    /// Asks `getserverinfomsg` for the server's ID and keeps it (a failure keeps nothing,
    /// and the call that needed it fails with it). Binding turned off stays off.
    async fn learn_audience(&self, deadline: &Deadline) -> Result<Option<String>, Error> {
        if matches!(*self.config.audience.borrow(), Audience::Unbound) {
            return Ok(None);
        }
        let payload = r#"{"msgtype":"getserverinfomsg"}"#;
        let envelope = RpcMsg::unsigned("getserverinfomsg", payload).to_json();
        let reply = self.send(&envelope, deadline).await?;
        let info = decode(&reply, false)?;
        let id = get(&info, "serverid").as_string().filter(|id| !id.is_empty());
        *self.config.audience.borrow_mut() = match &id {
            Some(id) => Audience::Known(id.clone()),
            None => Audience::Unbound,
        };
        Ok(id)
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
        self.check_key(M::PAYLOAD_TYPE)?;
        let constructor = match &self.config.websocket {
            Some(constructor) => constructor.clone(),
            None => get(&js_sys::global(), "WebSocket").dyn_into().map_err(|_| {
                Error::Input(
                    "no global WebSocket here: pass options.WebSocket (e.g. from the ws package)"
                        .into(),
                )
            })?,
        };
        // Signed (and bound) at once; sent when the socket opens. The promise resolves to the
        // envelope text or to the error: it never rejects, so a socket that never opens
        // leaves no unhandled rejection behind.
        let client = self.clone();
        let envelope = future_to_promise(async move {
            Ok(match client.subscription_envelope(M::PAYLOAD_TYPE, &payload).await {
                Ok(envelope) => envelope.into(),
                Err(error) => error.into(),
            })
        });
        ProcessSubscription::open(&constructor, &self.config.pubsub_url, envelope)
    }
}

/// Reads success reply JSON for JavaScript.
pub(crate) fn decode(reply: &[u8], list: bool) -> Result<JsValue, Error> {
    let text =
        core::str::from_utf8(reply).map_err(|_| Error::Protocol("reply is not UTF-8".into()))?;
    parse_reply(text, list).map_err(|_| Error::Protocol("reply payload is not JSON".into()))
}
