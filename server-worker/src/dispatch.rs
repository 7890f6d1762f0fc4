//! `POST /api`: envelope → signature → payloadtype → handler → reply (protocol §2.3).

use crate::{
    handlers::{self, Reply, meta},
    host::Host,
};
use colonies_core::{Failure, RpcMsg, RpcReplyMsg};

/// The Content-Type of every `/api` reply: Go writes its JSON with gin's `c.String`, and some
/// clients (jQuery-based ones) parse the body themselves only when it is not declared JSON.
pub const REPLY_CONTENT_TYPE: &str = "text/plain; charset=utf-8";

/// Answers one `POST /api` body with the HTTP status and the reply envelope JSON.
/// Both hosts call this; it never panics on any input.
pub async fn handle_api<H: Host>(host: &H, body: &[u8]) -> (u16, String) {
    match answer(host, body).await {
        Ok(reply) => (200, RpcReplyMsg::success(&reply.payloadtype, &reply.json).to_json()),
        Err(failure) => error_reply(&failure),
    }
}

/// The status and error envelope for `failure` (also used by the hosts, e.g. for 413).
pub fn error_reply(failure: &Failure) -> (u16, String) {
    (failure.status, RpcReplyMsg::failure(failure).to_json())
}

async fn answer<H: Host>(host: &H, body: &[u8]) -> Result<Reply, Failure> {
    let msg = RpcMsg::parse(body).map_err(|e| e.to_failure())?;
    // The two unsigned messages are answered before any signature work, as in Go.
    match msg.payloadtype.as_str() {
        "versionmsg" => return Ok(meta::version(host.config())),
        "getserverinfomsg" => return Ok(meta::server_info(host.config())),
        _ => {}
    }
    let caller = msg.recover_caller().map_err(|e| e.to_failure())?;
    match handlers::route(host, &caller, &msg).await {
        Some(outcome) => outcome,
        None if msg.payloadtype.is_empty() => Err(Failure::new(
            403,
            "invalid rpcMsg.PayloadType: the envelope has no payloadtype; is the client speaking \
             the Colonies protocol of 2022 or later (payloadtype, not method)?",
        )),
        None => Err(Failure::new(403, format!("invalid rpcMsg.PayloadType: {}", msg.payloadtype))),
    }
}
