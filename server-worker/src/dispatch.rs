//! `POST /api`: envelope → signature → payloadtype → handler → reply (protocol §2.3).

use crate::{
    error::Error,
    handlers::{self, Reply, meta},
    host::Host,
    store::replay::NonceItem,
};
use colonies_core::{
    Id, RpcMsg, RpcReplyMsg,
    message::MessageKind,
    rules::replay::{self, Refusal},
};

/// The Content-Type of every `/api` reply: Go writes its JSON with gin's `c.String`, and some
/// clients (jQuery-based ones) parse the body themselves only when it is not declared JSON.
pub const REPLY_CONTENT_TYPE: &str = "text/plain; charset=utf-8";

/// Answers one `POST /api` body with the HTTP status and the reply envelope JSON.
/// Both hosts call this; it never panics on any input.
pub async fn handle_api<H: Host>(host: &H, body: &[u8]) -> (u16, String) {
    match answer(host, body).await {
        Ok(reply) => (200, RpcReplyMsg::success(&reply.payloadtype, &reply.json).to_json()),
        Err(error) => error_reply(error),
    }
}

/// The status and error envelope for `error`: the one place an [`Error`] becomes a reply
/// (also used by the hosts, e.g. for 413, and for `/pubsub` error frames).
pub fn error_reply(error: impl Into<Error>) -> (u16, String) {
    let failure = error.into().into_failure();
    (failure.status, RpcReplyMsg::failure(&failure).to_json())
}

async fn answer<H: Host>(host: &H, body: &[u8]) -> Result<Reply, Error> {
    let msg = RpcMsg::parse(body)?;
    // The two unsigned messages are answered before any signature work, as in Go.
    match msg.payloadtype.as_str() {
        "versionmsg" => return Ok(meta::version(host.config())),
        "getserverinfomsg" => return meta::server_info(host).await,
        _ => {}
    }
    let caller = msg.recover_caller()?;
    let fold =
        MessageKind::from_payload_type(&msg.payloadtype).is_some_and(|k| FOLDED.contains(&k));
    let nonce = check_replay(host, &caller, &msg, fold).await?;
    // Our extension, answered by the mesh's entry: not a Colonies payloadtype.
    if msg.payloadtype == colonies_core::mesh::rpc::PAYLOAD_TYPE {
        return crate::rest::handle_rpc(host, &caller, &msg).await;
    }
    if handlers::e2e::serves(&msg.payloadtype) {
        let caller = caller.to_hex();
        let cx = handlers::Cx { host, caller: &caller, nonce: None };
        return handlers::e2e::serve(cx, &msg).await;
    }
    match handlers::route(host, &caller, &msg, nonce.as_ref()).await {
        Some(outcome) => outcome,
        None if msg.payloadtype.is_empty() => Err(Error::new(
            403,
            "invalid rpcMsg.PayloadType: the envelope has no payloadtype; is the client speaking \
             the Colonies protocol of 2022 or later (payloadtype, not method)?",
        )),
        None => Err(Error::new(403, format!("invalid rpcMsg.PayloadType: {}", msg.payloadtype))),
    }
}

/// The payloadtypes whose own write records the request's nonce, in the same statement
/// (`store::replay::Folded`): a bound submit, successful close or assign, the requests every
/// process makes, costs no statement of its own.
pub const FOLDED: [MessageKind; 3] =
    [MessageKind::SubmitFunctionSpec, MessageKind::CloseSuccessful, MessageKind::AssignProcess];

/// Replay protection (`colonies_core::rules::replay`): a bound request's nonce is recorded,
/// in one statement that also checks its audience and window, before the handler runs, so a
/// refused request changes nothing. An unbound one is refused only in `strict` mode. The
/// first frame of a `/pubsub` socket is checked the same way.
///
/// With `fold`, a bound request's nonce is not recorded here but returned, for the handler
/// to record in the statement that makes its write (which then writes only if the nonce
/// was new: see [`FOLDED`]).
pub async fn check_replay<H: Host>(
    host: &H,
    caller: &Id,
    msg: &RpcMsg,
    fold: bool,
) -> Result<Option<NonceItem>, Error> {
    let config = host.config();
    if config.replay_mode == replay::Mode::Off {
        return Ok(None);
    }
    // A payload that is not JSON is refused by its handler with the usual 400.
    let Ok(json) = msg.payload_json() else { return Ok(None) };
    let binding = match replay::precheck(config.replay_mode, &json) {
        Ok(Some(binding)) => binding,
        Ok(None) => return Ok(None),
        Err(Refusal::Malformed(_))
            if serde_json::from_slice::<serde_json::Value>(&json).is_err() =>
        {
            return Ok(None);
        }
        Err(refusal) => return Err(refusal.to_failure().into()),
    };
    let window_ms = crate::host::window_ms(config);
    let item = NonceItem { caller: caller.to_hex(), binding, window_ms };
    if fold {
        return Ok(Some(item));
    }
    let seen = host.record_nonce(item.clone()).await?;
    crate::store::replay::folded_verdict(Some(&item), &seen)?;
    Ok(None)
}
