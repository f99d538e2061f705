//! The HTTP listener: `/healthz`, `/readyz`, `/metrics`, and in webhook mode
//! the route Telegram posts updates to (its path is `RADAR_WEBHOOK_URL`'s).
//!
//! It is served from the first moment of `radar serve`, before migrations
//! and the Bot API: `/healthz` answers 200 at once, `/readyz` 503 naming
//! what Radar is waiting for, and the webhook route 503 (Telegram delivers
//! the update again later) until [`WebhookTarget::open`].

use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use subtle::ConstantTimeEq;

use super::App;
use super::ready::Readiness;
use super::receive::store_batch;
use super::update::Received;
use crate::metrics::Metrics;

pub struct Webhook {
    pub path: String,
    pub secret: Option<String>,
    pub feed: super::dispatch::Feed,
}

/// Where webhook deliveries go: nowhere (503) until opened with the app.
#[derive(Clone, Default)]
pub struct WebhookTarget(Arc<OnceLock<Arc<App>>>);

impl WebhookTarget {
    /// Starts accepting deliveries.
    pub fn open(&self, app: Arc<App>) {
        let _ = self.0.set(app);
    }

    fn app(&self) -> Option<&Arc<App>> {
        self.0.get()
    }
}

#[derive(Clone)]
struct HttpState {
    metrics: Arc<Metrics>,
    ready: Arc<Readiness>,
    target: WebhookTarget,
    secret: Option<Arc<str>>,
    feed: Option<super::dispatch::Feed>,
}

pub fn router(
    metrics: Arc<Metrics>,
    ready: Arc<Readiness>,
    webhook: Option<(Webhook, WebhookTarget)>,
) -> Router {
    let mut state = HttpState {
        metrics,
        ready,
        target: WebhookTarget::default(),
        secret: None,
        feed: None,
    };
    let mut router = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text));
    if let Some((w, target)) = webhook {
        state.secret = w.secret.map(Arc::from);
        state.feed = Some(w.feed);
        state.target = target;
        router = router.route(&w.path, post(receive));
    }
    router
        .layer(DefaultBodyLimit::max(1024 * 1024))
        .with_state(state)
}

async fn readyz(State(s): State<HttpState>) -> impl IntoResponse {
    match s.ready.check().await {
        Ok(()) => (StatusCode::OK, "ready\n".to_string()),
        Err(why) => (StatusCode::SERVICE_UNAVAILABLE, format!("{why}\n")),
    }
}

async fn metrics_text(State(s): State<HttpState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        s.metrics.encode(),
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
    let Some(app) = s.target.app() else {
        // Still starting: Telegram delivers it again later.
        return StatusCode::SERVICE_UNAVAILABLE;
    };
    // Raw JSON first: an update teloxide cannot read is still stored.
    let raw: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v @ serde_json::Value::Object(_)) => v,
        Ok(_) | Err(_) => {
            tracing::warn!("webhook body is not a JSON object");
            return StatusCode::BAD_REQUEST;
        }
    };
    app.metrics.updates_received.inc();
    let feed = match store_batch(app, vec![Received::parse(raw)]).await {
        Ok(f) => f,
        Err(e) => {
            tracing::warn!(error = %e, "cannot store an update; Telegram will deliver it again");
            return StatusCode::SERVICE_UNAVAILABLE;
        }
    };
    if let Some(tx) = &s.feed {
        for u in feed {
            // Stored already: if the dispatcher is gone, the next start replays it.
            let _ = tx.send(Box::new(u)).await;
        }
    }
    StatusCode::OK
}
