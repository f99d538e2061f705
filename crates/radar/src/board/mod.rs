//! The board: a Telegram Mini App served by `radar serve` itself on
//! `RADAR_LISTEN` (issue 11). Enabled by `RADAR_PUBLIC_URL`.
//!
//! | route | what |
//! |---|---|
//! | `GET /app` | the page (HTML; its script and style are embedded in the binary) |
//! | `GET /app/board.js`, `GET /app/board.css` | the page's script and style |
//! | `GET /app/api/board` | the active project's board (`radar_engine::board::Board`, JSON) |
//! | `GET /app/api/feature/{n}` | one card with its history (`CardDetail`) |
//! | `POST /app/api/command` | a change: `{"key": K, "action": "status", "feature": ID, "status": S, "version": V}` or `{"key": K, "action": "use", "project": ID}` → `AppResult` |
//!
//! Every API call carries `Authorization: tma <initData>` ([`auth`]); a
//! missing, forged, stale or altered initData is 401, a user not on
//! `RADAR_ALLOWED_USERS` 403, both with `{"error", "message"}` and nothing
//! changed. A change is applied through the engine under the message key
//! `app:<user>:<K>`: a retried POST (a flaky network, a double tap) applies
//! once and answers `"duplicate"` the second time.
//!
//! Until Radar has started (migrated, connected) the API answers 503.

pub mod auth;

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use radar_engine::board::{AppAction, AppError};
use radar_engine::{Engine, Lang};
use radar_store::UserId;
use serde::Deserialize;

use auth::{AppUser, AuthError, SecretKey};

const INDEX_HTML: &str = include_str!("assets/index.html");
const BOARD_JS: &str = include_str!("assets/board.js");
const BOARD_CSS: &str = include_str!("assets/board.css");

/// What the board runs with once Radar has started.
pub struct BoardApp {
    pub engine: Engine,
    pub allowed: HashSet<UserId>,
    pub key: SecretKey,
    pub max_age: Duration,
}

/// The board's API answers 503 until opened with the started app.
#[derive(Clone, Default)]
pub struct BoardTarget(Arc<OnceLock<Arc<BoardApp>>>);

impl BoardTarget {
    pub fn open(&self, app: BoardApp) {
        let _ = self.0.set(Arc::new(app));
    }
}

pub fn router(target: BoardTarget) -> Router {
    Router::new()
        .route("/app", get(page))
        .route("/app/", get(page))
        .route("/app/board.js", get(script))
        .route("/app/board.css", get(style))
        .route("/app/api/board", get(board))
        .route("/app/api/feature/{n}", get(feature))
        .route("/app/api/command", post(command))
        .with_state(target)
}

async fn page() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        INDEX_HTML,
    )
        .into_response()
}

async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        BOARD_JS,
    )
        .into_response()
}

async fn style() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        BOARD_CSS,
    )
        .into_response()
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

/// An API refusal: a status and `{"error", "message"}` (the message in the
/// caller's language).
struct Refusal {
    status: StatusCode,
    error: &'static str,
    message: String,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(serde_json::json!({ "error": self.error, "message": self.message })),
        )
            .into_response()
    }
}

fn refuse(status: StatusCode, error: &'static str, message: String) -> Response {
    Refusal {
        status,
        error,
        message,
    }
    .into_response()
}

/// The verified, allowed caller and their language — or the refusal.
fn caller(
    target: &BoardTarget,
    headers: &HeaderMap,
    lang_hint: Option<&str>,
) -> Result<(Arc<BoardApp>, AppUser, Lang), Refusal> {
    let hint = Lang::from_code(lang_hint);
    let Some(app) = target.0.get().cloned() else {
        return Err(Refusal {
            status: StatusCode::SERVICE_UNAVAILABLE,
            error: "starting",
            message: "Radar is starting".into(),
        });
    };
    let header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let now = chrono::Utc::now().timestamp();
    let user = auth::from_header(header)
        .and_then(|data| auth::verify(data, &app.key, now, app.max_age))
        .map_err(|e: AuthError| {
            // The reason, never the initData (it is a credential for a day).
            tracing::info!(reason = %e, "board: initData refused");
            Refusal {
                status: StatusCode::UNAUTHORIZED,
                error: "not_authorized",
                message: radar_engine::board::not_authorized(hint),
            }
        })?;
    let lang = Lang::from_code(user.language_code.as_deref().or(lang_hint));
    if !app.allowed.contains(&UserId(user.id)) {
        tracing::warn!(user_id = user.id, "board: refused, not on the allowlist");
        return Err(Refusal {
            status: StatusCode::FORBIDDEN,
            error: "not_allowed",
            message: radar_engine::board::not_authorized(lang),
        });
    }
    Ok((app, user, lang))
}

fn internal(lang: Lang, e: &radar_engine::EngineError) -> Response {
    tracing::error!(error = %e, "board: request failed");
    let status = if e.is_unavailable() {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    };
    refuse(status, "failed", e.user_message(lang))
}

async fn board(
    State(target): State<BoardTarget>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let (app, user, lang) = match caller(&target, &headers, q.lang.as_deref()) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    match app.engine.board(UserId(user.id), lang).await {
        Ok(b) => Json(b).into_response(),
        Err(e) => internal(lang, &e),
    }
}

async fn feature(
    State(target): State<BoardTarget>,
    Path(n): Path<i64>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let (app, user, lang) = match caller(&target, &headers, q.lang.as_deref()) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    match app.engine.card(UserId(user.id), lang, n).await {
        Ok(Some(c)) => Json(c).into_response(),
        Ok(None) => refuse(StatusCode::NOT_FOUND, "not_found", format!("#{n}")),
        Err(e) => internal(lang, &e),
    }
}

#[derive(Deserialize)]
struct CommandBody {
    key: String,
    #[serde(flatten)]
    action: AppAction,
}

async fn command(
    State(target): State<BoardTarget>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (app, user, lang) = match caller(&target, &headers, q.lang.as_deref()) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    let body: CommandBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, "bad_request", e.to_string()),
    };
    match app
        .engine
        .app_command(UserId(user.id), lang, &body.key, &body.action)
        .await
    {
        Ok(r) => Json(r).into_response(),
        Err(AppError::Engine(e)) => internal(lang, &e),
        Err(e) => refuse(StatusCode::BAD_REQUEST, "bad_request", e.to_string()),
    }
}
