//! The HTTP surface of the native host (protocol §2.1): `POST /api`, `GET /health`, `GET /`.

use super::host::NativeHost;
use crate::dispatch::{error_reply, handle_api};
use alloc::sync::Arc;
use axum::{
    Router,
    body::Body,
    extract::{Request, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use colonies_core::Failure;
use http_body_util::LengthLimitError;
use std::path::PathBuf;
use tower_http::{cors::CorsLayer, services::ServeDir, trace::TraceLayer};

/// What the routes share.
#[derive(Clone)]
struct Api {
    host: NativeHost,
    body_limit: usize,
}

/// The router of the native server.
pub fn router(host: NativeHost, body_limit: usize, dashboard: Option<PathBuf>) -> Router {
    let api = Arc::new(Api { host, body_limit });
    let router = Router::new()
        .route("/api", post(api_route))
        .route("/health", get(|| async { StatusCode::OK }))
        .with_state(api);
    let router = match dashboard {
        Some(dir) => router.fallback_service(ServeDir::new(dir)),
        None => router.route("/", get(landing)),
    };
    // Colonies answers any origin (Gin's cors.Default), which browser clients rely on.
    router.layer(CorsLayer::permissive()).layer(TraceLayer::new_for_http())
}

async fn landing() -> &'static str {
    "Colonies Edge: the Colonies RPC endpoint is POST /api; GET /health answers 200.\n\
     Start the server with --dashboard-dir to serve the dashboard here.\n"
}

fn reply(status: u16, json: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, json).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn too_large(limit: usize) -> Response {
    let (status, json) = error_reply(&Failure::new(
        413,
        format!("request body is larger than the server's limit of {limit} bytes"),
    ));
    reply(status, json)
}

/// Reads the raw body whatever its Content-Type (pycolonies sends none), bounded by the limit.
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
    let bytes = match axum::body::to_bytes(body, api.body_limit).await {
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
                error_reply(&Failure::new(400, format!("failed to read the request body: {e}")));
            return reply(status, json);
        }
    };
    let (status, json) = handle_api(&api.host, &bytes).await;
    reply(status, json)
}
