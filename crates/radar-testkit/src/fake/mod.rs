//! An in-process fake of the Telegram Bot API, for tests and benchmarks.
//!
//! [`FakeTelegram::start`] binds an HTTP server on `127.0.0.1:0` that speaks
//! the wire protocol teloxide uses: `POST {url}/bot{token}/{method}` with a
//! JSON, `application/x-www-form-urlencoded` or `multipart/form-data` body
//! (query-string parameters are accepted too), answered with
//! `{"ok":true,"result":...}` or
//! `{"ok":false,"error_code":N,"description":"...","parameters":{...}}`.
//! Point a bot at it with `Bot::new(token).set_api_url(fake.url())`.
//!
//! The fake is where delivery promises are tested, so it follows Telegram
//! closely where that matters:
//!
//! * **Updates** get sequential `update_id`s. `getUpdates` with `offset = N`
//!   confirms (forgets) every update with id `< N`; a negative offset keeps
//!   only the last `-N` updates. Unconfirmed updates are delivered again on
//!   every call. With nothing pending the call long-polls for `timeout`
//!   seconds and wakes as soon as an update is pushed. A newer `getUpdates`
//!   terminates a waiting one with `409 Conflict: terminated by other
//!   getUpdates request`, and `getUpdates` while a webhook is set answers 409.
//! * **`allowed_updates`** persists between calls (teloxide sends it only on
//!   its first call) and, as in Telegram, filters updates *when they are
//!   created*: an update of a type that is not allowed at push time is not
//!   queued ([`Pushed::queued`] is `false`, see
//!   [`FakeTelegram::dropped_updates`]). Without a setting every type except
//!   `chat_member`, `message_reaction` and `message_reaction_count` is
//!   allowed.
//! * **Message ids** are per chat and shared between pushed user messages and
//!   messages the bot sends.
//! * **`sendMessage`** validates like Telegram: empty (or whitespace-only)
//!   text, more than 4096 characters after entity parsing, malformed HTML
//!   (`Bad Request: can't parse entities: ...`), `callback_data` outside
//!   1..=64 bytes, a reply to an unknown message.
//! * **Faults** (5xx, 429 with `retry_after`, blocked chats, hanging
//!   responses, failing `getUpdates`) are programmable at runtime.
//!
//! All state sits behind one `std::sync::Mutex` that is never held across an
//! `.await`. Every accepted socket has `TCP_NODELAY` set. The server shuts
//! down when the last clone of the handle is dropped, or on

mod entities;
mod faults;
mod gates;
mod inspect;
mod methods;
mod push;
mod state;
mod wire;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::serve::ListenerExt;
use serde_json::{Map, Value};
use tokio::sync::{Notify, watch};

pub use entities::html_to_plain;
use methods::*;
use state::*;
use wire::*;

/// The user id of the fake bot (`getMe`).
pub const BOT_USER_ID: i64 = 4242;
/// The first name of the fake bot (`getMe`).
pub const BOT_FIRST_NAME: &str = "Radar";
/// The username of the fake bot (`getMe`).
pub const BOT_USERNAME: &str = "radar_test_bot";
/// The longest message text Telegram accepts: characters after entity
/// parsing, counted in UTF-16 code units as Telegram counts them (an emoji
/// outside the Basic Multilingual Plane is two).
pub const MAX_MESSAGE_CHARS: usize = 4096;
/// The longest `callback_data` Telegram accepts, in bytes.
pub const MAX_CALLBACK_DATA_BYTES: usize = 64;

const DEFAULT_EXCLUDED_UPDATES: [&str; 3] =
    ["chat_member", "message_reaction", "message_reaction_count"];
const HTML_TAGS: [&str; 16] = [
    "a",
    "b",
    "strong",
    "i",
    "em",
    "s",
    "strike",
    "del",
    "u",
    "ins",
    "tg-spoiler",
    "tg-emoji",
    "span",
    "pre",
    "code",
    "blockquote",
];
const CONFLICT_WEBHOOK: &str = "Conflict: can't use getUpdates method while webhook is active; \
     use deleteWebhook to delete the webhook first";
const CONFLICT_TERMINATED: &str = "Conflict: terminated by other getUpdates request; \
     make sure that only one bot instance is running";
const MESSAGE_NOT_MODIFIED: &str = "Bad Request: message is not modified: specified new message \
     content and reply markup are exactly the same as a current content and reply markup of the \
     message";
const INVALID_QUERY_ID: &str =
    "Bad Request: query is too old and response timeout expired or query id is invalid";

/// Start-up options for [`FakeTelegram::start_with`].
#[derive(Clone, Debug)]
pub struct FakeConfig {
    /// The `update_id` of the first pushed update (Telegram's ids are large
    /// and arbitrary; the default is 1).
    pub first_update_id: i64,
}

impl Default for FakeConfig {
    fn default() -> Self {
        Self { first_update_id: 1 }
    }
}

/// What a `push_*` call created.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pushed {
    /// The update's id.
    pub update_id: i64,
    /// The message the update carries (for a callback query: the bot message
    /// the button was on); 0 when the update has no message.
    pub message_id: i64,
    /// `false` when the update's type was not in the bot's `allowed_updates`
    /// at push time, so Telegram would never have delivered it.
    pub queued: bool,
}

/// A photo or document the bot sent (`sendPhoto` / `sendDocument`).
#[derive(Debug, Clone)]
pub struct SentFile {
    pub chat_id: i64,
    /// `sendPhoto` or `sendDocument`.
    pub method: String,
    /// The caption exactly as the bot sent it (with HTML markup, if any).
    pub caption: String,
    pub parse_mode: Option<String>,
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub reply_to_message_id: Option<i64>,
    pub message_id: i64,
}

/// A message the bot sent with `sendMessage` and the fake accepted.
#[derive(Clone, Debug)]
pub struct Sent {
    pub chat_id: i64,
    /// The text exactly as the bot sent it (with HTML markup, if any).
    pub text: String,
    pub parse_mode: Option<String>,
    pub reply_markup: Option<Value>,
    /// From `reply_parameters.message_id` (teloxide 0.17) or the legacy
    /// `reply_to_message_id`.
    pub reply_to_message_id: Option<i64>,
    pub message_id: i64,
    /// When the request arrived.
    pub at: Instant,
    /// The whole request, as parsed parameters.
    pub request: Value,
}

/// Any `sendMessage` request with a usable `chat_id`, whatever its outcome.
#[derive(Clone, Debug)]
pub struct SendAttempt {
    pub chat_id: i64,
    pub text: String,
    pub at: Instant,
    /// The HTTP status answered (200 for an accepted message).
    pub status: u16,
}

/// An `editMessageText` / `editMessageReplyMarkup` the fake accepted.
#[derive(Clone, Debug)]
pub struct Edit {
    /// `"editMessageText"` or `"editMessageReplyMarkup"`.
    pub method: &'static str,
    pub chat_id: Option<i64>,
    pub message_id: Option<i64>,
    pub inline_message_id: Option<String>,
    pub text: Option<String>,
    pub parse_mode: Option<String>,
    pub reply_markup: Option<Value>,
    pub at: Instant,
}

/// An accepted `answerCallbackQuery`.
#[derive(Clone, Debug)]
pub struct CallbackAnswer {
    pub callback_query_id: String,
    pub text: Option<String>,
    pub show_alert: bool,
    pub at: Instant,
}

/// The command list currently set for one (scope, language) pair.
#[derive(Clone, Debug, PartialEq)]
pub struct CommandSet {
    /// The scope object; a missing scope is recorded as
    /// `{"type":"default"}`, as Telegram treats it.
    pub scope: Value,
    /// `None` for the list without a language code.
    pub language_code: Option<String>,
    /// `(command, description)` pairs in the order sent.
    pub commands: Vec<(String, String)>,
}

/// The webhook currently set.
#[derive(Clone, Debug, PartialEq)]
pub struct WebhookConfig {
    pub url: String,
    pub secret_token: Option<String>,
    pub allowed_updates: Option<Value>,
    pub max_connections: Option<i64>,
    pub drop_pending_updates: bool,
}

/// One `getUpdates` call as the fake saw it.
#[derive(Clone, Debug)]
pub struct GetUpdatesCall {
    pub offset: Option<i64>,
    pub limit: Option<i64>,
    pub timeout: Option<i64>,
    pub allowed_updates: Option<Value>,
    /// The highest `update_id` delivered in any earlier response, when the
    /// call arrived. An `offset` above this + 1 confirms updates the bot
    /// never received.
    pub max_delivered_before: Option<i64>,
    /// The update ids this call's offset confirmed (removed from the queue).
    pub confirmed: Vec<i64>,
    /// Set when the call was answered with an injected failure (in which
    /// case the offset was not applied) or a conflict.
    pub error_status: Option<u16>,
    pub at: Instant,
}

/// A `sendMessage` that reached a chat before the `retry_after` of an
/// earlier 429 for that chat had elapsed.
#[derive(Clone, Debug)]
pub struct EarlyRetry {
    pub chat_id: i64,
    pub at: Instant,
    pub rate_limited_at: Instant,
    pub retry_after: Duration,
}

/// Handle to a running fake Bot API server. Cheap to clone; the server stops
/// when the last clone is dropped.
#[derive(Clone)]
pub struct FakeTelegram {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for FakeTelegram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeTelegram")
            .field("addr", &self.inner.addr)
            .finish()
    }
}

impl FakeTelegram {
    /// Starts a fake on a random local port with update ids starting at 1.
    ///
    /// # Panics
    /// If the port cannot be bound (this is a test helper).
    pub async fn start() -> FakeTelegram {
        Self::start_with(FakeConfig::default()).await
    }

    /// Starts a fake with the given options.
    ///
    /// # Panics
    /// If the port cannot be bound (this is a test helper).
    pub async fn start_with(config: FakeConfig) -> FakeTelegram {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("fake Telegram: bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("fake Telegram: local_addr");
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });

        let (events, _) = watch::channel(0u64);
        let (shutdown, _) = watch::channel(false);
        let shared = Arc::new(Shared {
            state: Mutex::new(St::new(&config)),
            updates: Notify::new(),
            events,
            shutdown,
            gates: gates::Gates::default(),
        });

        let router = axum::Router::new()
            .fallback(handle)
            .with_state(shared.clone());
        let signal = {
            let shared = shared.clone();
            async move { shared.wait_shutdown().await }
        };
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(signal)
                .await;
        });

        FakeTelegram {
            inner: Arc::new(Inner {
                shared,
                addr,
                task: Mutex::new(Some(task)),
            }),
        }
    }

    /// The base URL, e.g. `http://127.0.0.1:PORT/`, for `Bot::set_api_url`
    /// or `TELOXIDE_API_URL`.
    pub fn url(&self) -> url::Url {
        url::Url::parse(&format!("http://{}/", self.inner.addr)).expect("fake Telegram: url")
    }

    /// The socket address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.inner.addr
    }

    /// Stops the server: waiting long polls and hanging responses return at
    /// once, new connections are refused. Waits (up to 5 s) for open
    /// connections to finish. Dropping the last handle also stops it, without
    /// waiting.
    pub async fn shutdown(&self) {
        self.inner.shared.shutdown.send_replace(true);
        self.inner.shared.updates.notify_waiters();
        let task = self
            .inner
            .task
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(mut task) = task
            && tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }

    fn shared(&self) -> &Shared {
        &self.inner.shared
    }

    fn lock(&self) -> MutexGuard<'_, St> {
        self.shared().lock()
    }

    fn push_with(&self, build: impl FnOnce(&mut St) -> (Map<String, Value>, i64)) -> Pushed {
        let pushed = {
            let mut st = self.lock();
            let (body, message_id) = build(&mut st);
            let (update_id, queued) = st.enqueue(body);
            Pushed {
                update_id,
                message_id,
                queued,
            }
        };
        self.shared().updates.notify_waiters();
        self.shared().bump();
        pushed
    }
}
