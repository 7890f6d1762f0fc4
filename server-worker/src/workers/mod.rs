//! The Workers host: the Colonies server as a Cloudflare Worker, state in Postgres reached
//! through Hyperdrive (or a direct URL), built by worker-build from `workers/`.
//!
//! `POST /api` goes through the same [`handle_api`] as the native host; only the platform
//! differs: [`host::WorkersHost`] lends the request's one connection, [`wakeups`] polls with
//! backoff, [`upkeep`] migrates and sweeps deadlines (after requests and from the Cron
//! Trigger). `GET /health` answers 200 without touching the database.
//!
//! `GET /pubsub` (WebSocket subscriptions, protocol §7) is not served here yet: isolates
//! share no memory, so subscriptions need a Durable Object hub, which this host does not
//! have. A WebSocket client is accepted and sent one Colonies error frame (status 501) before
//! the socket closes, so clients report a clear error instead of a failed handshake; a plain
//! GET gets the same error envelope with HTTP 501.

pub mod database;
pub mod host;
pub mod settings;
pub mod socket;
pub mod upkeep;
pub mod wakeups;

use crate::{
    dispatch::{error_reply, handle_api},
    rest::{RestRequest, handle_rest, is_rest},
};
use colonies_core::{Failure, RpcReplyMsg};
use host::WorkersHost;
use settings::Settings;
use worker::{
    Context, Env, Method, Request, Response, ScheduleContext, ScheduledEvent, Url, WebSocketPair,
    event,
};

/// What `GET /` says.
const LANDING: &str = "Colonies Edge on Cloudflare Workers: the Colonies RPC endpoint is POST \
                       /api; GET /health answers 200.\n";

/// Why `/pubsub` is refused, with what to do instead.
const PUBSUB_UNAVAILABLE: &str = "WebSocket subscriptions (/pubsub) are not available on the \
     Workers host: long-poll assignprocessmsg or poll getprocessmsg instead, or use the native \
     server (colonies-edge serve), which serves /pubsub";

/// Serves `POST /api`, `GET /health`, `GET /pubsub` (refused) and CORS preflights.
#[event(fetch)]
pub async fn fetch(mut req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    let url = req.url()?;
    let response = match (req.method(), url.path()) {
        // Colonies answers any origin (Gin's cors.Default); browsers preflight POST /api.
        (Method::Options, _) => Response::empty()?.with_status(204),
        (Method::Post, "/api") => api(&mut req, &env, &ctx, &url).await?,
        (Method::Get | Method::Head, "/health") => Response::empty()?,
        (Method::Get, "/pubsub") => return pubsub(&req),
        (Method::Get, "/") => Response::ok(LANDING)?,
        (_, path) if is_rest(path) => rest(&mut req, &env, &ctx, &url).await?,
        _ => Response::error("not found", 404)?,
    };
    with_cors(response)
}

/// Runs the periodic work (every minute, `[triggers] crons` in wrangler.toml): migrations if
/// this isolate has not checked them yet, then one deadline sweep.
#[event(scheduled)]
pub async fn scheduled(event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    let settings = Settings::from_env(&env, None);
    let host = match settings::database(&env) {
        Ok(database) => WorkersHost::new(&settings, database),
        Err(e) => {
            worker::console_error!("colonies: scheduled run skipped: {e}");
            return;
        }
    };
    if let Err(f) = upkeep::prepare_database(&host, &settings).await {
        worker::console_error!("colonies: scheduled run skipped: {}", f.message);
        host.close().await;
        return;
    }
    match upkeep::sweep(&host, settings.server.stale_executor_after).await {
        Ok(sweep) => upkeep::log_sweep(&sweep, &event.cron()),
        Err(f) => worker::console_error!("colonies: {}", f.message),
    }
    host.close().await;
}

/// A reply envelope as a response.
fn reply((status, json): (u16, String)) -> worker::Result<Response> {
    let mut response = Response::ok(json)?.with_status(status);
    response.headers_mut().set("content-type", crate::dispatch::REPLY_CONTENT_TYPE)?;
    Ok(response)
}

fn with_cors(mut response: Response) -> worker::Result<Response> {
    let headers = response.headers_mut();
    headers.set("access-control-allow-origin", "*")?;
    headers.set("access-control-allow-methods", "GET, POST, PUT, DELETE, OPTIONS")?;
    headers.set("access-control-allow-headers", "*")?;
    headers.set("access-control-max-age", "86400")?;
    Ok(response)
}

async fn api(req: &mut Request, env: &Env, ctx: &Context, url: &Url) -> worker::Result<Response> {
    let settings = Settings::from_env(env, Some(url));
    let too_large = || {
        reply(error_reply(Failure::new(
            413,
            format!(
                "request body is larger than the server's limit of {} bytes",
                settings.body_limit
            ),
        )))
    };
    let declared = req.headers().get("content-length")?.and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > settings.body_limit as u64) {
        return too_large();
    }
    let body = req.bytes().await?;
    if body.len() > settings.body_limit {
        return too_large();
    }
    let host = match settings::database(env) {
        Ok(database) => WorkersHost::new(&settings, database).with_client(req.inner().signal()),
        Err(e) => return reply(error_reply(Failure::new(503, e))),
    };
    let (answer, ready) = match upkeep::prepare_database(&host, &settings).await {
        Ok(()) => (handle_api(&host, &body).await, true),
        Err(failure) => (error_reply(failure), false),
    };
    let sweep =
        (ready && upkeep::sweep_due(&settings)).then_some(settings.server.stale_executor_after);
    // After the reply is sent: a deadline sweep if one is due, on the request's own
    // connection, then a clean close of that connection.
    ctx.wait_until(async move {
        if let Some(stale_after) = sweep {
            match upkeep::sweep(&host, stale_after).await {
                Ok(sweep) => upkeep::log_sweep(&sweep, "request"),
                Err(f) => worker::console_error!("colonies: {}", f.message),
            }
        }
        host.close().await;
    });
    reply(answer)
}

/// The mesh's REST API (`/api/v1/…`, `/colonies/<name>/api/v1/…`, `/docs`), on the request's
/// own connection as `/api` is.
async fn rest(req: &mut Request, env: &Env, ctx: &Context, url: &Url) -> worker::Result<Response> {
    let settings = Settings::from_env(env, Some(url));
    let json_error = |status: u16, message: String| {
        let body = serde_json::json!({ "detail": { "message": message, "code": status } });
        rest_reply(status, "application/json", body.to_string())
    };
    let declared = req.headers().get("content-length")?.and_then(|v| v.parse::<u64>().ok());
    let body = if declared.is_some_and(|n| n > settings.body_limit as u64) {
        None
    } else {
        Some(req.bytes().await?).filter(|body| body.len() <= settings.body_limit)
    };
    let Some(body) = body else {
        return json_error(
            413,
            format!("the request body is larger than {} bytes", settings.body_limit),
        );
    };
    let host = match settings::database(env) {
        Ok(database) => WorkersHost::new(&settings, database).with_client(req.inner().signal()),
        Err(e) => return json_error(503, e),
    };
    if let Err(failure) = upkeep::prepare_database(&host, &settings).await {
        host.close().await;
        return json_error(failure.status, failure.message);
    }
    let target = match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    };
    let authorization = req.headers().get("authorization")?;
    let method = req.method().to_string();
    let request = RestRequest {
        method: &method,
        target: &target,
        authorization: authorization.as_deref(),
        body: &body,
        now_ms: i64::try_from(worker::Date::now().as_millis()).unwrap_or(i64::MAX),
    };
    let answer = handle_rest(&host, request).await;
    ctx.wait_until(async move { host.close().await });
    rest_reply(answer.status, answer.content_type, answer.body)
}

fn rest_reply(status: u16, content_type: &str, body: String) -> worker::Result<Response> {
    let mut response =
        if body.is_empty() { Response::empty()? } else { Response::ok(body)? }.with_status(status);
    response.headers_mut().set("content-type", content_type)?;
    Ok(response)
}

fn pubsub(req: &Request) -> worker::Result<Response> {
    let failure = Failure::new(501, PUBSUB_UNAVAILABLE);
    let upgrade = req.headers().get("upgrade")?.unwrap_or_default();
    if !upgrade.eq_ignore_ascii_case("websocket") {
        return with_cors(reply(error_reply(failure))?);
    }
    let pair = WebSocketPair::new()?;
    pair.server.accept()?;
    // Sent before the client's subscribe frame arrives; clients read it as the answer.
    pair.server.send_with_str(RpcReplyMsg::failure(&failure).to_json())?;
    pair.server.close(Some(1011), Some("subscriptions are not available on this server"))?;
    Response::from_websocket(pair.client)
}
