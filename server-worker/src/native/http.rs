//! The HTTP surface of the native host (protocol §2.1): `POST /api`, `GET /health`,
//! `GET /pubsub` (WebSocket subscriptions, §7), `GET /`.

use super::{events::Events, host::NativeHost};
use crate::{
    dispatch::{REPLY_CONTENT_TYPE, error_reply, handle_api},
    rest::{RestRequest, handle_rest, is_rest},
};
use alloc::sync::Arc;
use axum::{
    Router,
    body::Body,
    extract::{Request, State, ws::WebSocketUpgrade},
    http::{HeaderValue, StatusCode, header},
    middleware::map_response,
    response::{Html, IntoResponse, Response},
    routing::{any, get, post},
};
use colonies_core::Failure;
use core::time::Duration;
use http_body_util::LengthLimitError;
use std::path::{Path, PathBuf};
use tower_http::{cors::CorsLayer, services::ServeDir, trace::TraceLayer};

/// What the routes share.
#[derive(Clone)]
struct Api {
    host: NativeHost,
    body_limit: usize,
    body_timeout: Option<Duration>,
    events: Events,
}

/// The router of the native server; `/pubsub` subscriptions are fed by `events`. A `POST /api`
/// body must arrive within `body_timeout` (408 otherwise).
pub fn router(
    host: NativeHost,
    body_limit: usize,
    body_timeout: Option<Duration>,
    dashboard: Option<PathBuf>,
    events: Events,
) -> Router {
    let api = Arc::new(Api { host, body_limit, body_timeout, events });
    let router = Router::new()
        .route("/api", post(api_route))
        .route("/health", get(|| async { StatusCode::OK }))
        .route("/pubsub", get(pubsub_route))
        .route("/api/v1", any(rest_route))
        .route("/api/v1/{*rest}", any(rest_route))
        .route("/colonies/{*rest}", any(rest_route))
        .route("/docs", get(rest_route))
        .route("/docs/", get(rest_route))
        .with_state(api);
    let router = match dashboard_dir(dashboard) {
        Some(dir) => {
            tracing::info!(dir = %dir.display(), "serving the dashboard at /");
            // ServeDir answers index.html for directories and sets Content-Type from the file
            // extension (application/wasm, text/javascript, text/css).
            let files = Router::new()
                .fallback_service(ServeDir::new(dir))
                .layer(map_response(dashboard_headers));
            router.fallback_service(files)
        }
        None => router.route("/", get(landing)),
    };
    // Colonies answers any origin (Gin's cors.Default), which browser clients rely on.
    router.layer(CorsLayer::permissive()).layer(TraceLayer::new_for_http())
}

/// The built dashboard to serve: `configured` (`--dashboard-dir`, `COLONIES_DASHBOARD_DIR`), else
/// `web-demo/dist` of the working directory or of the source tree this binary was built from,
/// so `cargo run -- serve` in a clone serves it once built. `None` when it is not built.
fn dashboard_dir(configured: Option<PathBuf>) -> Option<PathBuf> {
    let built = |dir: &Path| dir.join("index.html").is_file();
    if let Some(dir) = configured {
        if built(&dir) {
            return Some(dir);
        }
        tracing::warn!(dir = %dir.display(), "no index.html in the dashboard directory");
        return None;
    }
    let source_tree = Path::new(env!("CARGO_MANIFEST_DIR")).join("../web-demo/dist");
    [PathBuf::from("web-demo/dist"), source_tree].into_iter().find(|dir| built(dir))
}

/// The dashboard's files change with every build: browsers revalidate them (a 304 when
/// unchanged) instead of guessing a freshness lifetime, and never sniff their types.
async fn dashboard_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

/// `GET /` without a built dashboard: what the server is and how to get the dashboard.
async fn landing() -> Html<&'static str> {
    Html(concat!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        "<title>Colonies Edge</title><style>body{font:15px/1.6 system-ui,sans-serif;max-width:44em;",
        "margin:3em auto;padding:0 1em;color:#1c2030}code,pre{background:#f1f2f6;border-radius:6px}",
        "code{padding:1px 5px}pre{padding:12px 14px;overflow:auto}</style></head><body>",
        "<h1>Colonies Edge</h1><p>This Colonies server is running: clients use <code>POST /api</code> ",
        "and <code>GET /pubsub</code>; <code>GET /health</code> answers 200.</p>",
        "<h2>The dashboard is not built</h2><p>Build it once in the repository, then restart the server:</p>",
        "<pre>npm ci\nnpm run build:wasm        # the colonies-edge package (wasm-pack)\n",
        "npm run build:dashboard   # web-demo/dist\ncolonies-edge serve --dashboard-dir web-demo/dist</pre>",
        "<p>Without <code>--dashboard-dir</code> (or <code>COLONIES_DASHBOARD_DIR</code>) the server looks ",
        "for <code>web-demo/dist</code> in its working directory and in the source tree it was built from. ",
        "<code>web-demo/dist</code> is a static site: any web server can host it too.</p></body></html>\n",
    ))
}

async fn pubsub_route(State(api): State<Arc<Api>>, ws: WebSocketUpgrade) -> Response {
    super::pubsub::upgrade(ws, api.host.clone(), api.events.clone())
}

fn reply(status: u16, json: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, json).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(REPLY_CONTENT_TYPE));
    response
}

fn too_large(limit: usize) -> Response {
    let (status, json) = error_reply(Failure::new(
        413,
        format!("request body is larger than the server's limit of {limit} bytes"),
    ));
    reply(status, json)
}

/// A body that did not arrive within the body timeout: 408, and the connection is closed (the
/// rest of the body is never read).
fn too_slow(timeout: Duration) -> Response {
    let (status, json) = error_reply(Failure::new(
        408,
        format!("the request body did not arrive within {} s", timeout.as_secs_f64()),
    ));
    let mut response = reply(status, json);
    response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// The mesh's REST API (`/api/v1/…`, `/colonies/<name>/api/v1/…`, `/docs`): the body is read
/// within the same limits as `/api`'s, errors are the mesh's JSON bodies.
async fn rest_route(State(api): State<Arc<Api>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let target = parts.uri.path_and_query().map_or_else(|| parts.uri.path(), |pq| pq.as_str());
    if !is_rest(parts.uri.path()) {
        return rest_reply(404, "application/json", r#"{"detail":"Not Found"}"#.into());
    }
    let read = axum::body::to_bytes(body, api.body_limit);
    let read = match api.body_timeout {
        Some(timeout) => match tokio::time::timeout(timeout, read).await {
            Ok(read) => read,
            Err(_) => return rest_error(408, "the request body did not arrive in time"),
        },
        None => read.await,
    };
    let Ok(bytes) = read else {
        return rest_error(
            413,
            &format!("the request body is larger than {} bytes or unreadable", api.body_limit),
        );
    };
    let authorization = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    let request =
        RestRequest { method: parts.method.as_str(), target, authorization, body: &bytes, now_ms };
    let answer = handle_rest(&api.host, request).await;
    rest_reply(answer.status, answer.content_type, answer.body)
}

fn rest_error(status: u16, message: &str) -> Response {
    let body = serde_json::json!({ "detail": { "message": message, "code": status } });
    rest_reply(status, "application/json", body.to_string())
}

fn rest_reply(status: u16, content_type: &'static str, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// Reads the raw body whatever its Content-Type (pycolonies sends none), bounded by the limit
/// (in memory too: at most `body_limit` bytes are buffered, however slowly they come) and by
/// the body timeout.
async fn api_route(State(api): State<Arc<Api>>, request: Request) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > api.body_limit as u64) {
        return too_large(api.body_limit);
    }
    let body: Body = request.into_body();
    let read = axum::body::to_bytes(body, api.body_limit);
    let read = match api.body_timeout {
        Some(timeout) => match tokio::time::timeout(timeout, read).await {
            Ok(read) => read,
            Err(_) => return too_slow(timeout),
        },
        None => read.await,
    };
    let bytes = match read {
        Ok(bytes) => bytes,
        Err(e) => {
            let mut source: Option<&(dyn core::error::Error + 'static)> = Some(&e);
            while let Some(err) = source {
                if err.is::<LengthLimitError>() {
                    return too_large(api.body_limit);
                }
                source = err.source();
            }
            let (status, json) =
                error_reply(Failure::new(400, format!("failed to read the request body: {e}")));
            return reply(status, json);
        }
    };
    let (status, json) = handle_api(&api.host, &bytes).await;
    reply(status, json)
}
