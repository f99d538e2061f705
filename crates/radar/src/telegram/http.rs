//! The HTTP listener: `/healthz`, `/readyz`, `/metrics`, and in webhook mode
//! the route Telegram posts updates to (its path is `RADAR_WEBHOOK_URL`'s).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use subtle::ConstantTimeEq;
use teloxide::types::Update;
use tokio::sync::mpsc;

use super::App;
use super::receive::store_batch;
use super::update::Received;

pub struct Webhook {
    pub path: String,
    pub secret: Option<String>,
    pub feed: mpsc::Sender<Update>,
}

#[derive(Clone)]
struct HttpState {
    app: Arc<App>,
    secret: Option<Arc<str>>,
    feed: Option<mpsc::Sender<Update>>,
}

pub fn router(app: Arc<App>, webhook: Option<Webhook>) -> Router {
    let mut state = HttpState {
        app,
        secret: None,
        feed: None,
    };
    let mut router = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics));
    if let Some(w) = webhook {
        state.secret = w.secret.map(Arc::from);
        state.feed = Some(w.feed);
        router = router.route(&w.path, post(receive));
    }
    router
        .layer(DefaultBodyLimit::max(1024 * 1024))
        .with_state(state)
}

async fn readyz(State(s): State<HttpState>) -> impl IntoResponse {
    match tokio::time::timeout(Duration::from_secs(2), s.app.db.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready\n"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n"),
    }
}

async fn metrics(State(s): State<HttpState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        s.app.metrics.encode(),
    )
}

/// A webhook delivery: 200 only once the update is stored durably, so a
/// crash after it loses nothing; 5xx makes Telegram deliver it again.
async fn receive(State(s): State<HttpState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    if let Some(secret) = &s.secret {
        match headers.get("x-telegram-bot-api-secret-token") {
            None => return StatusCode::UNAUTHORIZED,
            Some(v) if !bool::from(v.as_bytes().ct_eq(secret.as_bytes())) => {
                return StatusCode::FORBIDDEN;
            }
            Some(_) => {}
        }
    }
    // Raw JSON first: an update teloxide cannot read is still stored.
    let raw: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v @ serde_json::Value::Object(_)) => v,
        Ok(_) | Err(_) => {
            tracing::warn!("webhook body is not a JSON object");
            return StatusCode::BAD_REQUEST;
        }
    };
    s.app.metrics.updates_received.inc();
    let feed = match store_batch(&s.app, vec![Received::parse(raw)]).await {
        Ok(f) => f,
        Err(e) => {
            tracing::warn!(error = %e, "cannot store an update; Telegram will deliver it again");
            return StatusCode::SERVICE_UNAVAILABLE;
        }
    };
    if let Some(tx) = &s.feed {
        for u in feed {
            // Stored already: if the dispatcher is gone, the next start replays it.
            let _ = tx.send(u).await;
        }
    }
    StatusCode::OK
}
