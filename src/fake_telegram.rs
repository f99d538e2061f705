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
//! [`FakeTelegram::shutdown`].

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::Response;
use axum::serve::ListenerExt;
use serde_json::{Map, Value, json};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

/// The user id of the fake bot (`getMe`).
pub const BOT_USER_ID: i64 = 4242;
/// The first name of the fake bot (`getMe`).
pub const BOT_FIRST_NAME: &str = "Radar";
/// The username of the fake bot (`getMe`).
pub const BOT_USERNAME: &str = "radar_test_bot";
/// The longest message text Telegram accepts, in characters after entity
/// parsing.
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

struct Inner {
    shared: Arc<Shared>,
    addr: SocketAddr,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.shared.shutdown.send_replace(true);
        self.shared.updates.notify_waiters();
    }
}

struct Shared {
    state: Mutex<St>,
    /// Woken on every push, redelivery and new `getUpdates` call.
    updates: Notify,
    /// Bumped after every state change; the `wait_*` helpers watch it.
    events: watch::Sender<u64>,
    shutdown: watch::Sender<bool>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, St> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn bump(&self) {
        self.events.send_modify(|v| *v = v.wrapping_add(1));
    }

    async fn wait_shutdown(&self) {
        let mut rx = self.shutdown.subscribe();
        let _ = rx.wait_for(|v| *v).await;
    }
}

struct StoredUpdate {
    id: i64,
    value: Value,
    /// The serialized update, ready to splice into a response.
    json: Arc<str>,
}

struct StoredMsg {
    json: Value,
    from_bot: bool,
    /// The text and parse mode the bot used, to detect "not modified" edits.
    source: Option<(String, Option<String>)>,
}

#[derive(Default)]
struct Fault {
    remaining: u32,
    status: u16,
    retry_after: u32,
    delay: Duration,
}

impl Fault {
    fn take(&mut self) -> bool {
        if self.remaining > 0 {
            self.remaining -= 1;
            true
        } else {
            false
        }
    }
}

struct St {
    next_update_id: i64,
    pending: VecDeque<StoredUpdate>,
    confirmed: Vec<StoredUpdate>,
    dropped: Vec<Value>,
    allowed_updates: Option<HashSet<String>>,
    max_delivered: Option<i64>,
    poll_generation: u64,
    get_updates_log: Vec<GetUpdatesCall>,

    next_message_id: HashMap<i64, i64>,
    messages: HashMap<(i64, i64), StoredMsg>,
    next_callback: u64,
    open_callbacks: HashSet<String>,

    sent: Vec<Sent>,
    attempts: Vec<SendAttempt>,
    edits: Vec<Edit>,
    callback_answers: Vec<CallbackAnswer>,
    commands: BTreeMap<(String, String), CommandSet>,
    webhook: Option<WebhookConfig>,
    unknown_methods: Vec<String>,
    requests: HashMap<String, u64>,

    fail_sends: Fault,
    rate_limit_sends: Fault,
    hang_sends: Fault,
    fail_get_updates: Fault,
    blocked: HashSet<i64>,
    rate_limited: HashMap<i64, (Instant, Duration)>,
    early_retries: Vec<EarlyRetry>,
}

impl St {
    fn new(config: &FakeConfig) -> Self {
        Self {
            next_update_id: config.first_update_id,
            pending: VecDeque::new(),
            confirmed: Vec::new(),
            dropped: Vec::new(),
            allowed_updates: None,
            max_delivered: None,
            poll_generation: 0,
            get_updates_log: Vec::new(),
            next_message_id: HashMap::new(),
            messages: HashMap::new(),
            next_callback: 0,
            open_callbacks: HashSet::new(),
            sent: Vec::new(),
            attempts: Vec::new(),
            edits: Vec::new(),
            callback_answers: Vec::new(),
            commands: BTreeMap::new(),
            webhook: None,
            unknown_methods: Vec::new(),
            requests: HashMap::new(),
            fail_sends: Fault::default(),
            rate_limit_sends: Fault::default(),
            hang_sends: Fault::default(),
            fail_get_updates: Fault::default(),
            blocked: HashSet::new(),
            rate_limited: HashMap::new(),
            early_retries: Vec::new(),
        }
    }

    fn next_mid(&mut self, chat_id: i64) -> i64 {
        let next = self.next_message_id.entry(chat_id).or_insert(0);
        *next += 1;
        *next
    }

    /// Keeps the per-chat counter above a message id seen in a raw update.
    fn note_mid(&mut self, chat_id: i64, message_id: i64) {
        let next = self.next_message_id.entry(chat_id).or_insert(0);
        *next = (*next).max(message_id);
    }

    fn type_allowed(&self, kind: &str) -> bool {
        match &self.allowed_updates {
            Some(allowed) => allowed.contains(kind),
            None => !DEFAULT_EXCLUDED_UPDATES.contains(&kind),
        }
    }

    /// Assigns the next update id and queues the update unless its type is
    /// filtered out by `allowed_updates`.
    fn enqueue(&mut self, mut body: Map<String, Value>) -> (i64, bool) {
        let id = self.next_update_id;
        self.next_update_id += 1;
        body.remove("update_id");
        let kind = body.keys().next().cloned().unwrap_or_default();
        let mut update = Map::with_capacity(body.len() + 1);
        update.insert("update_id".into(), json!(id));
        update.extend(body);
        let value = Value::Object(update);
        if !self.type_allowed(&kind) {
            self.dropped.push(value);
            return (id, false);
        }
        let json: Arc<str> = value.to_string().into();
        self.pending.push_back(StoredUpdate { id, value, json });
        (id, true)
    }

    /// Applies a `getUpdates` offset and returns the ids it confirmed.
    fn apply_offset(&mut self, offset: Option<i64>) -> Vec<i64> {
        let mut confirmed = Vec::new();
        match offset {
            Some(offset) if offset > 0 => {
                while self.pending.front().is_some_and(|u| u.id < offset) {
                    if let Some(u) = self.pending.pop_front() {
                        confirmed.push(u.id);
                        self.confirmed.push(u);
                    }
                }
            }
            Some(offset) if offset < 0 => {
                let keep = usize::try_from(offset.unsigned_abs()).unwrap_or(usize::MAX);
                while self.pending.len() > keep {
                    if let Some(u) = self.pending.pop_front() {
                        confirmed.push(u.id);
                        self.confirmed.push(u);
                    }
                }
            }
            _ => {}
        }
        confirmed
    }

    fn confirm_all(&mut self) {
        while let Some(u) = self.pending.pop_front() {
            self.confirmed.push(u);
        }
    }

    fn count_request(&mut self, method: &str) {
        match self.requests.get_mut(method) {
            Some(n) => *n += 1,
            None => {
                self.requests.insert(method.to_owned(), 1);
            }
        }
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

    // ----- injecting updates ---------------------------------------------

    /// Pushes a text message from `user_id` in `chat_id` (a private chat when
    /// `chat_id > 0`, a group otherwise). A leading `/command` gets a
    /// `bot_command` entity, as Telegram adds.
    pub fn push_text(
        &self,
        chat_id: i64,
        user_id: i64,
        text: &str,
        language_code: Option<&str>,
    ) -> Pushed {
        self.push_with(|st| {
            let mid = st.next_mid(chat_id);
            let mut msg = base_message(mid, user_json(user_id, language_code), chat_id, now_unix());
            set_text(&mut msg, text);
            let value = Value::Object(msg);
            st.messages.insert(
                (chat_id, mid),
                StoredMsg {
                    json: value.clone(),
                    from_bot: false,
                    source: None,
                },
            );
            (single("message", value), mid)
        })
    }

    /// Pushes a callback query: `user_id` pressed a button carrying `data` on
    /// the bot's message `message_id` in `chat_id`. The query's `message` is
    /// the fake's copy of that bot message when it knows it (so it carries
    /// the current text and keyboard), otherwise a plausible bot message.
    pub fn push_callback(&self, chat_id: i64, user_id: i64, data: &str, message_id: i64) -> Pushed {
        self.push_with(|st| {
            st.next_callback += 1;
            let id = (8_000_000_000_000_000_000u64 + st.next_callback).to_string();
            st.open_callbacks.insert(id.clone());
            let message = match st.messages.get(&(chat_id, message_id)) {
                Some(stored) => stored.json.clone(),
                None => {
                    let mut msg =
                        base_message(message_id, bot_user_json(), chat_id, now_unix() - 60);
                    msg.insert("text".into(), json!("…"));
                    Value::Object(msg)
                }
            };
            let query = json!({
                "id": id,
                "from": user_json(user_id, None),
                "message": message,
                "chat_instance": chat_instance(chat_id),
                "data": data,
            });
            (single("callback_query", query), message_id)
        })
    }

    /// Pushes an `edited_message`: the user edited their message
    /// `message_id` in `chat_id` to `new_text`.
    pub fn push_edited(
        &self,
        chat_id: i64,
        user_id: i64,
        message_id: i64,
        new_text: &str,
    ) -> Pushed {
        self.push_with(|st| {
            let now = now_unix();
            let mut msg = match st.messages.get(&(chat_id, message_id)) {
                Some(StoredMsg {
                    json: Value::Object(m),
                    from_bot: false,
                    ..
                }) => m.clone(),
                _ => base_message(message_id, user_json(user_id, None), chat_id, now - 60),
            };
            msg.remove("entities");
            set_text(&mut msg, new_text);
            msg.insert("edit_date".into(), json!(now));
            let value = Value::Object(msg);
            st.note_mid(chat_id, message_id);
            st.messages.insert(
                (chat_id, message_id),
                StoredMsg {
                    json: value.clone(),
                    from_bot: false,
                    source: None,
                },
            );
            (single("edited_message", value), message_id)
        })
    }

    /// Pushes a message without text (a photo) from `user_id` in `chat_id`.
    pub fn push_non_text(&self, chat_id: i64, user_id: i64) -> Pushed {
        self.push_with(|st| {
            let mid = st.next_mid(chat_id);
            let mut msg = base_message(mid, user_json(user_id, None), chat_id, now_unix());
            msg.insert(
                "photo".into(),
                json!([
                    {"file_id": format!("AgACAgIAAxkBAAI{chat_id}x{mid}s"), "file_unique_id": format!("AQAD{mid}s"),
                     "file_size": 1523, "width": 90, "height": 67},
                    {"file_id": format!("AgACAgIAAxkBAAI{chat_id}x{mid}m"), "file_unique_id": format!("AQAD{mid}m"),
                     "file_size": 24017, "width": 320, "height": 240},
                ]),
            );
            let value = Value::Object(msg);
            st.messages.insert(
                (chat_id, mid),
                StoredMsg { json: value.clone(), from_bot: false, source: None },
            );
            (single("message", value), mid)
        })
    }

    /// Pushes a `channel_post` with `text` in channel `chat_id`.
    pub fn push_channel_post(&self, chat_id: i64, text: &str) -> Pushed {
        self.push_with(|st| {
            let mid = st.next_mid(chat_id);
            let chat =
                json!({"id": chat_id, "type": "channel", "title": format!("Channel {chat_id}")});
            let mut msg = Map::new();
            msg.insert("message_id".into(), json!(mid));
            msg.insert("sender_chat".into(), chat.clone());
            msg.insert("chat".into(), chat);
            msg.insert("date".into(), json!(now_unix()));
            set_text(&mut msg, text);
            (single("channel_post", Value::Object(msg)), mid)
        })
    }

    /// Pushes an arbitrary update body, e.g. `{"my_chat_member": {...}}`; the
    /// fake sets `update_id` (any given one is replaced). A `message`-like
    /// payload is remembered so that replies to it and edits of it work.
    ///
    /// # Panics
    /// If `update` is not a JSON object.
    pub fn push_raw(&self, update: Value) -> Pushed {
        let Value::Object(body) = update else {
            panic!("fake Telegram: push_raw needs a JSON object");
        };
        self.push_with(|st| {
            let mut message_id = 0;
            for (key, value) in &body {
                if key == "callback_query" {
                    if let Some(id) = value.get("id").and_then(Value::as_str) {
                        st.open_callbacks.insert(id.to_owned());
                    }
                    if let Some(mid) = value.pointer("/message/message_id").and_then(Value::as_i64)
                    {
                        message_id = mid;
                    }
                } else if let (Some(mid), Some(chat)) = (
                    value.get("message_id").and_then(Value::as_i64),
                    value.pointer("/chat/id").and_then(Value::as_i64),
                ) {
                    message_id = mid;
                    st.note_mid(chat, mid);
                    let from_bot =
                        value.pointer("/from/id").and_then(Value::as_i64) == Some(BOT_USER_ID);
                    st.messages.insert(
                        (chat, mid),
                        StoredMsg {
                            json: value.clone(),
                            from_bot,
                            source: None,
                        },
                    );
                }
            }
            (body, message_id)
        })
    }

    // ----- the update queue ----------------------------------------------

    /// Updates queued and not yet confirmed by an offset.
    pub fn pending_count(&self) -> usize {
        self.lock().pending.len()
    }

    /// The queued (unconfirmed) updates, in order, as they will be delivered.
    pub fn pending_updates(&self) -> Vec<Value> {
        self.lock()
            .pending
            .iter()
            .map(|u| u.value.clone())
            .collect()
    }

    /// Puts every confirmed update back into the queue (same ids, same
    /// content), as if Telegram had lost the bot's offsets. They are
    /// delivered to the next `getUpdates` whose offset does not confirm them
    /// again (e.g. a restarted bot polling from offset 0).
    pub fn redeliver_all(&self) {
        {
            let mut st = self.lock();
            let mut all: Vec<StoredUpdate> = std::mem::take(&mut st.confirmed);
            all.extend(st.pending.drain(..));
            all.sort_by_key(|u| u.id);
            st.pending = all.into();
        }
        self.shared().updates.notify_waiters();
        self.shared().bump();
    }

    /// Updates that were not queued because `allowed_updates` excluded their
    /// type when they were pushed.
    pub fn dropped_updates(&self) -> Vec<Value> {
        self.lock().dropped.clone()
    }

    /// The `allowed_updates` setting in force (`None`: Telegram's default).
    pub fn allowed_updates(&self) -> Option<Vec<String>> {
        self.lock().allowed_updates.as_ref().map(|set| {
            let mut v: Vec<String> = set.iter().cloned().collect();
            v.sort();
            v
        })
    }

    /// The `offset` of every `getUpdates` call, in order (0 when absent).
    pub fn offsets(&self) -> Vec<i64> {
        self.lock()
            .get_updates_log
            .iter()
            .map(|c| c.offset.unwrap_or(0))
            .collect()
    }

    /// Every `getUpdates` call with its offset, the highest update id
    /// delivered before it and what it confirmed.
    pub fn get_updates_calls(&self) -> Vec<GetUpdatesCall> {
        self.lock().get_updates_log.clone()
    }

    /// The highest `update_id` delivered in a `getUpdates` response so far.
    pub fn max_delivered(&self) -> Option<i64> {
        self.lock().max_delivered
    }

    /// `getUpdates` calls whose offset confirmed updates never delivered to
    /// the bot (offset > highest delivered id + 1). Should be empty.
    pub fn overreaching_offsets(&self) -> Vec<GetUpdatesCall> {
        self.lock()
            .get_updates_log
            .iter()
            .filter(|c| {
                c.confirmed
                    .iter()
                    .any(|id| c.max_delivered_before.is_none_or(|max| *id > max))
            })
            .cloned()
            .collect()
    }

    /// Resolves once at least `n` `getUpdates` calls have arrived.
    pub async fn wait_get_updates_calls(
        &self,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<GetUpdatesCall>, String> {
        self.wait_until(timeout, |f| f.lock().get_updates_log.len() >= n)
            .await
            .map(|()| self.get_updates_calls())
            .map_err(|_| {
                format!(
                    "timed out after {timeout:?} waiting for {n} getUpdates calls; saw {}",
                    self.lock().get_updates_log.len()
                )
            })
    }

    // ----- what the bot sent ---------------------------------------------

    /// Every accepted `sendMessage`, in arrival order.
    pub fn sent(&self) -> Vec<Sent> {
        self.lock().sent.clone()
    }

    /// Accepted `sendMessage`s to one chat.
    pub fn sent_to(&self, chat_id: i64) -> Vec<Sent> {
        self.lock()
            .sent
            .iter()
            .filter(|s| s.chat_id == chat_id)
            .cloned()
            .collect()
    }

    /// Accepted `sendMessage`s from the `from`-th on (0-based), in arrival
    /// order: a reader that keeps its position copies each message once.
    pub fn sent_since(&self, from: usize) -> Vec<Sent> {
        self.lock()
            .sent
            .get(from..)
            .map_or_else(Vec::new, <[Sent]>::to_vec)
    }

    /// Every `sendMessage` request with a chat id, accepted or not.
    pub fn send_attempts(&self) -> Vec<SendAttempt> {
        self.lock().attempts.clone()
    }

    /// Resolves once at least `count` messages have been accepted, with all
    /// of them; the error lists what did arrive.
    pub async fn wait_sent(&self, count: usize, timeout: Duration) -> Result<Vec<Sent>, String> {
        match self
            .wait_until(timeout, |f| f.lock().sent.len() >= count)
            .await
        {
            Ok(()) => Ok(self.sent()),
            Err(_) => {
                let sent = self.sent();
                Err(format!(
                    "timed out after {timeout:?} waiting for {count} sent messages; got {}: {:?}",
                    sent.len(),
                    sent.iter()
                        .map(|s| (s.chat_id, s.text.as_str()))
                        .collect::<Vec<_>>()
                ))
            }
        }
    }

    /// Accepted edits, in order.
    pub fn edits(&self) -> Vec<Edit> {
        self.lock().edits.clone()
    }

    /// Accepted `answerCallbackQuery` calls, in order.
    pub fn callback_answers(&self) -> Vec<CallbackAnswer> {
        self.lock().callback_answers.clone()
    }

    /// The command lists currently set, one per (scope, language).
    pub fn commands(&self) -> Vec<CommandSet> {
        self.lock().commands.values().cloned().collect()
    }

    /// The webhook currently set, if any.
    pub fn webhook(&self) -> Option<WebhookConfig> {
        self.lock().webhook.clone()
    }

    /// Sets (or with `None` removes) a webhook as if a previous run of the
    /// bot had called `setWebhook`.
    pub fn set_webhook_state(&self, url: Option<&str>) {
        self.lock().webhook = url.map(|url| WebhookConfig {
            url: url.to_owned(),
            secret_token: None,
            allowed_updates: None,
            max_connections: None,
            drop_pending_updates: false,
        });
        self.shared().bump();
    }

    /// Methods called that the fake does not implement (answered 404), in
    /// order, as spelled in the request.
    pub fn unknown_methods(&self) -> Vec<String> {
        self.lock().unknown_methods.clone()
    }

    /// How many requests named `method` (case-insensitive) arrived.
    pub fn requests(&self, method: &str) -> u64 {
        self.lock()
            .requests
            .get(&method.to_ascii_lowercase())
            .copied()
            .unwrap_or(0)
    }

    /// Resolves once `cond` holds, re-checking after every request and push.
    pub async fn wait_until(
        &self,
        timeout: Duration,
        mut cond: impl FnMut(&FakeTelegram) -> bool,
    ) -> Result<(), String> {
        let mut rx = self.shared().events.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if cond(self) {
                return Ok(());
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => {}
                _ => return Err(format!("condition not met within {timeout:?}")),
            }
        }
    }

    // ----- fault injection -----------------------------------------------

    /// The next `n` `sendMessage` calls answer HTTP `status` (e.g. 502 with
    /// `{"ok":false,"error_code":502,"description":"Bad Gateway"}`) and
    /// record nothing as sent. Takes precedence over the other send faults.
    pub fn fail_sends(&self, n: u32, status: u16) {
        self.lock().fail_sends = Fault {
            remaining: n,
            status,
            ..Fault::default()
        };
    }

    /// The next `n` `sendMessage` calls answer 429 with
    /// `parameters.retry_after = retry_after_secs`. Sends to a chat that
    /// arrive before its `retry_after` elapsed show up in
    /// [`early_retries`](Self::early_retries).
    pub fn rate_limit_sends(&self, n: u32, retry_after_secs: u32) {
        self.lock().rate_limit_sends = Fault {
            remaining: n,
            status: 429,
            retry_after: retry_after_secs,
            ..Fault::default()
        };
    }

    /// Every `sendMessage` to `chat_id` answers 403 "Forbidden: bot was
    /// blocked by the user" until [`unblock_chat`](Self::unblock_chat).
    pub fn block_chat(&self, chat_id: i64) {
        self.lock().blocked.insert(chat_id);
    }

    /// Undoes [`block_chat`](Self::block_chat).
    pub fn unblock_chat(&self, chat_id: i64) {
        self.lock().blocked.remove(&chat_id);
    }

    /// The next `n` accepted `sendMessage` calls are recorded as sent but
    /// their response is delayed by `delay` (an ambiguous timeout for a
    /// client with a shorter timeout).
    pub fn hang_sends(&self, n: u32, delay: Duration) {
        self.lock().hang_sends = Fault {
            remaining: n,
            delay,
            ..Fault::default()
        };
    }

    /// The next `n` `getUpdates` calls answer HTTP `status` without applying
    /// their offset.
    pub fn fail_get_updates(&self, n: u32, status: u16) {
        self.lock().fail_get_updates = Fault {
            remaining: n,
            status,
            ..Fault::default()
        };
    }

    /// Clears every pending fault and blocked chat.
    pub fn clear_faults(&self) {
        let mut st = self.lock();
        st.fail_sends = Fault::default();
        st.rate_limit_sends = Fault::default();
        st.hang_sends = Fault::default();
        st.fail_get_updates = Fault::default();
        st.blocked.clear();
    }

    /// `sendMessage` requests that reached a chat before the `retry_after` of
    /// the last 429 answered for that chat had elapsed. Should be empty.
    pub fn early_retries(&self) -> Vec<EarlyRetry> {
        self.lock().early_retries.clone()
    }
}

// ----- HTTP ---------------------------------------------------------------

async fn handle(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let response = route(&shared, &uri, &headers, &body).await;
    shared.bump();
    response
}

async fn route(shared: &Arc<Shared>, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Response {
    let Some(method) = method_from_path(uri.path()) else {
        return error(404, "Not Found", None);
    };
    let params = match parse_params(headers, body, uri.query()) {
        Ok(params) => params,
        Err(description) => return error(400, &description, None),
    };
    let lower = method.to_ascii_lowercase();
    shared.lock().count_request(&lower);
    match lower.as_str() {
        "getupdates" => get_updates(shared, &params).await,
        "sendmessage" => send_message(shared, &params).await,
        "getme" => ok(json!({
            "id": BOT_USER_ID,
            "is_bot": true,
            "first_name": BOT_FIRST_NAME,
            "username": BOT_USERNAME,
            "can_join_groups": true,
            "can_read_all_group_messages": false,
            "supports_inline_queries": false,
            "can_connect_to_business": false,
            "has_main_web_app": false,
        })),
        "editmessagetext" => edit_message(&mut shared.lock(), &params, true),
        "editmessagereplymarkup" => edit_message(&mut shared.lock(), &params, false),
        "answercallbackquery" => answer_callback_query(&mut shared.lock(), &params),
        "setmycommands" => set_my_commands(&mut shared.lock(), &params),
        "getmycommands" => {
            let st = shared.lock();
            let key = commands_key(&params);
            let list = st.commands.get(&key).map_or_else(Vec::new, |set| {
                set.commands
                    .iter()
                    .map(|(c, d)| json!({"command": c, "description": d}))
                    .collect()
            });
            ok(Value::Array(list))
        }
        "deletemycommands" => {
            shared.lock().commands.remove(&commands_key(&params));
            ok(json!(true))
        }
        "setwebhook" => set_webhook(shared, &params),
        "deletewebhook" => {
            let mut st = shared.lock();
            let existed = st.webhook.take().is_some();
            if p_bool(&params, "drop_pending_updates") {
                st.confirm_all();
            }
            let description = if existed {
                "Webhook was deleted"
            } else {
                "Webhook is already deleted"
            };
            ok_with_description(json!(true), description)
        }
        "getwebhookinfo" => {
            let st = shared.lock();
            let mut info = json!({
                "url": st.webhook.as_ref().map_or("", |w| w.url.as_str()),
                "has_custom_certificate": false,
                "pending_update_count": st.pending.len(),
            });
            if let Some(w) = &st.webhook {
                if let Some(max) = w.max_connections {
                    info["max_connections"] = json!(max);
                }
                if let Some(allowed) = &w.allowed_updates {
                    info["allowed_updates"] = allowed.clone();
                }
            }
            ok(info)
        }
        "sendchataction" => ok(json!(true)),
        "deletemessage" => {
            let mut st = shared.lock();
            let key = (
                p_i64(&params, "chat_id").unwrap_or(0),
                p_i64(&params, "message_id").unwrap_or(0),
            );
            match st.messages.remove(&key) {
                Some(_) => ok(json!(true)),
                None => error(400, "Bad Request: message to delete not found", None),
            }
        }
        _ => {
            shared.lock().unknown_methods.push(method.to_owned());
            error(404, "Not Found: method not found", None)
        }
    }
}

async fn get_updates(shared: &Arc<Shared>, params: &Value) -> Response {
    let offset = p_i64(params, "offset");
    let limit_param = p_i64(params, "limit");
    let timeout_param = p_i64(params, "timeout");
    let allowed = p_json(params, "allowed_updates");
    let limit = usize::try_from(limit_param.unwrap_or(100).clamp(1, 100)).unwrap_or(100);
    let timeout = Duration::from_secs(timeout_param.unwrap_or(0).clamp(0, 3600).unsigned_abs());
    let deadline = tokio::time::Instant::now() + timeout;

    let my_generation = {
        let mut st = shared.lock();
        let mut call = GetUpdatesCall {
            offset,
            limit: limit_param,
            timeout: timeout_param,
            allowed_updates: allowed.clone(),
            max_delivered_before: st.max_delivered,
            confirmed: Vec::new(),
            error_status: None,
            at: Instant::now(),
        };
        if st.fail_get_updates.take() {
            let status = st.fail_get_updates.status;
            call.error_status = Some(status);
            st.get_updates_log.push(call);
            return error(status, &status_description(status), None);
        }
        if st.webhook.is_some() {
            call.error_status = Some(409);
            st.get_updates_log.push(call);
            return error(409, CONFLICT_WEBHOOK, None);
        }
        if let Some(Value::Array(list)) = &allowed {
            st.allowed_updates = if list.is_empty() {
                None
            } else {
                Some(
                    list.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect(),
                )
            };
        }
        call.confirmed = st.apply_offset(offset);
        st.get_updates_log.push(call);
        st.poll_generation += 1;
        st.poll_generation
    };
    // Terminates an older long poll, as Telegram does.
    shared.updates.notify_waiters();
    shared.bump();

    let min_id = offset.filter(|o| *o > 0).unwrap_or(i64::MIN);
    let mut shutdown = shared.shutdown.subscribe();
    loop {
        let notified = shared.updates.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        {
            let mut st = shared.lock();
            if st.poll_generation != my_generation {
                return error(409, CONFLICT_TERMINATED, None);
            }
            let batch: Vec<&StoredUpdate> = st
                .pending
                .iter()
                .filter(|u| u.id >= min_id)
                .take(limit)
                .collect();
            if !batch.is_empty() || tokio::time::Instant::now() >= deadline || *shutdown.borrow() {
                let mut body = String::with_capacity(
                    32 + batch.iter().map(|u| u.json.len() + 1).sum::<usize>(),
                );
                body.push_str(r#"{"ok":true,"result":["#);
                for (i, u) in batch.iter().enumerate() {
                    if i > 0 {
                        body.push(',');
                    }
                    body.push_str(&u.json);
                }
                body.push_str("]}");
                let last = batch.last().map(|u| u.id);
                if let Some(last) = last {
                    st.max_delivered = Some(st.max_delivered.map_or(last, |m| m.max(last)));
                }
                return json_response(200, body);
            }
        }
        tokio::select! {
            () = &mut notified => {}
            () = tokio::time::sleep_until(deadline) => {}
            _ = shutdown.wait_for(|v| *v) => {}
        }
    }
}

async fn send_message(shared: &Arc<Shared>, params: &Value) -> Response {
    let (response, delay) = {
        let mut st = shared.lock();
        send_message_locked(&mut st, params)
    };
    if let Some(delay) = delay {
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = shared.wait_shutdown() => {}
        }
    }
    response
}

fn send_message_locked(st: &mut St, params: &Value) -> (Response, Option<Duration>) {
    let now = Instant::now();
    let chat_id = match chat_id_param(params) {
        Ok(chat_id) => chat_id,
        Err(failure) => return (failure.into(), None),
    };
    let text = p_str(params, "text").unwrap_or_default();

    if let Some(&(at, retry_after)) = st.rate_limited.get(&chat_id)
        && now < at + retry_after
    {
        st.early_retries.push(EarlyRetry {
            chat_id,
            at: now,
            rate_limited_at: at,
            retry_after,
        });
    }

    let outcome = accept_message(st, params, chat_id, &text, now);
    let status = match &outcome {
        Ok(_) => 200,
        Err(failure) => failure.status,
    };
    st.attempts.push(SendAttempt {
        chat_id,
        text,
        at: now,
        status,
    });
    match outcome {
        Ok(message) => {
            let delay = st.hang_sends.take().then_some(st.hang_sends.delay);
            (ok(message), delay)
        }
        Err(failure) => (failure.into(), None),
    }
}

fn accept_message(
    st: &mut St,
    params: &Value,
    chat_id: i64,
    text: &str,
    now: Instant,
) -> Result<Value, Failure> {
    if st.fail_sends.take() {
        let status = st.fail_sends.status;
        return Err(failure(status, &status_description(status), None));
    }
    if st.rate_limit_sends.take() {
        let retry_after = st.rate_limit_sends.retry_after;
        st.rate_limited
            .insert(chat_id, (now, Duration::from_secs(u64::from(retry_after))));
        return Err(failure(
            429,
            &format!("Too Many Requests: retry after {retry_after}"),
            Some(json!({"retry_after": retry_after})),
        ));
    }
    if st.blocked.contains(&chat_id) {
        return Err(failure(403, "Forbidden: bot was blocked by the user", None));
    }

    let parse_mode = p_str(params, "parse_mode");
    let plain = message_text(text, parse_mode.as_deref())?;
    if plain.chars().count() > MAX_MESSAGE_CHARS {
        return Err(failure(400, "Bad Request: message is too long", None));
    }
    let reply_markup = p_json(params, "reply_markup");
    check_markup(reply_markup.as_ref())?;

    let reply_parameters = p_json(params, "reply_parameters");
    let reply_to = reply_parameters
        .as_ref()
        .and_then(|rp| p_i64(rp, "message_id"))
        .or_else(|| p_i64(params, "reply_to_message_id"));
    let allow_without_reply = reply_parameters
        .as_ref()
        .is_some_and(|rp| p_bool(rp, "allow_sending_without_reply"))
        || p_bool(params, "allow_sending_without_reply");
    let reply_to_message = match reply_to {
        Some(mid) => match st.messages.get(&(chat_id, mid)) {
            Some(stored) => {
                let mut original = stored.json.clone();
                if let Value::Object(m) = &mut original {
                    m.remove("reply_to_message");
                }
                Some(original)
            }
            None if allow_without_reply => None,
            None => {
                return Err(failure(
                    400,
                    "Bad Request: message to be replied not found",
                    None,
                ));
            }
        },
        None => None,
    };

    let message_id = st.next_mid(chat_id);
    let mut msg = base_message(message_id, bot_user_json(), chat_id, now_unix());
    msg.insert("text".into(), json!(plain));
    if let Some(original) = reply_to_message {
        msg.insert("reply_to_message".into(), original);
    }
    if let Some(markup) = inline_markup(reply_markup.as_ref()) {
        msg.insert("reply_markup".into(), markup);
    }
    let message = Value::Object(msg);
    st.messages.insert(
        (chat_id, message_id),
        StoredMsg {
            json: message.clone(),
            from_bot: true,
            source: Some((text.to_owned(), parse_mode.clone())),
        },
    );
    st.sent.push(Sent {
        chat_id,
        text: text.to_owned(),
        parse_mode,
        reply_markup,
        reply_to_message_id: reply_to,
        message_id,
        at: now,
        request: params.clone(),
    });
    Ok(message)
}

fn edit_message(st: &mut St, params: &Value, with_text: bool) -> Response {
    let method = if with_text {
        "editMessageText"
    } else {
        "editMessageReplyMarkup"
    };
    let now = Instant::now();
    let text = p_str(params, "text");
    let parse_mode = p_str(params, "parse_mode");
    let reply_markup = p_json(params, "reply_markup");
    if let Err(failure) = check_markup(reply_markup.as_ref()) {
        return failure.into();
    }
    let plain = if with_text {
        let plain = match message_text(text.as_deref().unwrap_or(""), parse_mode.as_deref()) {
            Ok(plain) => plain,
            Err(failure) => return failure.into(),
        };
        if plain.chars().count() > MAX_MESSAGE_CHARS {
            return error(400, "Bad Request: MESSAGE_TOO_LONG", None);
        }
        Some(plain)
    } else {
        None
    };
    let mut edit = Edit {
        method,
        chat_id: None,
        message_id: None,
        inline_message_id: p_str(params, "inline_message_id"),
        text: text.clone(),
        parse_mode: parse_mode.clone(),
        reply_markup: reply_markup.clone(),
        at: now,
    };
    if edit.inline_message_id.is_some() {
        st.edits.push(edit);
        return ok(json!(true));
    }
    let chat_id = match chat_id_param(params) {
        Ok(chat_id) => chat_id,
        Err(failure) => return failure.into(),
    };
    let Some(message_id) = p_i64(params, "message_id") else {
        return error(
            400,
            "Bad Request: message identifier is not specified",
            None,
        );
    };
    let Some(stored) = st.messages.get_mut(&(chat_id, message_id)) else {
        return error(400, "Bad Request: message to edit not found", None);
    };
    if !stored.from_bot {
        return error(400, "Bad Request: message can't be edited", None);
    }
    let Value::Object(msg) = &mut stored.json else {
        return error(400, "Bad Request: message can't be edited", None);
    };
    let new_markup = inline_markup(reply_markup.as_ref());
    let same_markup = msg.get("reply_markup") == new_markup.as_ref();
    let same_text = match &plain {
        Some(plain) => {
            msg.get("text").and_then(Value::as_str) == Some(plain.as_str())
                && stored.source.as_ref().is_none_or(|(t, pm)| {
                    Some(t) == text.as_ref() && pm.as_deref() == parse_mode.as_deref()
                })
        }
        None => true,
    };
    if same_text && same_markup {
        return error(400, MESSAGE_NOT_MODIFIED, None);
    }
    if let Some(plain) = plain {
        msg.insert("text".into(), json!(plain));
        stored.source = Some((text.unwrap_or_default(), parse_mode));
    }
    match new_markup {
        Some(markup) => msg.insert("reply_markup".into(), markup),
        None => msg.remove("reply_markup"),
    };
    msg.insert("edit_date".into(), json!(now_unix()));
    let result = stored.json.clone();
    edit.chat_id = Some(chat_id);
    edit.message_id = Some(message_id);
    st.edits.push(edit);
    ok(result)
}

fn answer_callback_query(st: &mut St, params: &Value) -> Response {
    let Some(id) = p_str(params, "callback_query_id") else {
        return error(400, "Bad Request: query_id is empty", None);
    };
    if !st.open_callbacks.remove(&id) {
        return error(400, INVALID_QUERY_ID, None);
    }
    st.callback_answers.push(CallbackAnswer {
        callback_query_id: id,
        text: p_str(params, "text"),
        show_alert: p_bool(params, "show_alert"),
        at: Instant::now(),
    });
    ok(json!(true))
}

fn set_my_commands(st: &mut St, params: &Value) -> Response {
    let list = match p_json(params, "commands") {
        Some(Value::Array(list)) => list,
        _ => return error(400, "Bad Request: parameter \"commands\" is required", None),
    };
    let mut commands = Vec::with_capacity(list.len());
    for item in &list {
        let command = p_str(item, "command").unwrap_or_default();
        let description = p_str(item, "description").unwrap_or_default();
        let valid = (1..=32).contains(&command.chars().count())
            && command
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return error(400, "Bad Request: BOT_COMMAND_INVALID", None);
        }
        if description.trim().is_empty() {
            return error(
                400,
                "Bad Request: command description must be non-empty",
                None,
            );
        }
        commands.push((command, description));
    }
    let key = commands_key(params);
    let set = CommandSet {
        scope: p_json(params, "scope").unwrap_or_else(|| json!({"type": "default"})),
        language_code: Some(key.0.clone()).filter(|l| !l.is_empty()),
        commands,
    };
    if set.commands.is_empty() {
        st.commands.remove(&key);
    } else {
        st.commands.insert(key, set);
    }
    ok(json!(true))
}

fn set_webhook(shared: &Arc<Shared>, params: &Value) -> Response {
    let url = p_str(params, "url").unwrap_or_default();
    let drop_pending_updates = p_bool(params, "drop_pending_updates");
    {
        let mut st = shared.lock();
        if drop_pending_updates {
            st.confirm_all();
        }
        if url.is_empty() {
            st.webhook = None;
        } else {
            let allowed_updates = p_json(params, "allowed_updates");
            if let Some(Value::Array(list)) = &allowed_updates {
                st.allowed_updates = if list.is_empty() {
                    None
                } else {
                    Some(
                        list.iter()
                            .filter_map(|v| v.as_str().map(str::to_owned))
                            .collect(),
                    )
                };
            }
            st.webhook = Some(WebhookConfig {
                url,
                secret_token: p_str(params, "secret_token"),
                allowed_updates,
                max_connections: p_i64(params, "max_connections"),
                drop_pending_updates,
            });
        }
    }
    ok_with_description(json!(true), "Webhook was set")
}

// ----- validation ---------------------------------------------------------

/// The text Telegram would store: entities parsed away, surrounding
/// whitespace trimmed.
fn message_text(text: &str, parse_mode: Option<&str>) -> Result<String, Failure> {
    let parsed = match parse_mode {
        None | Some("") => text.to_owned(),
        Some(mode) if mode.eq_ignore_ascii_case("html") => html_to_plain(text).map_err(|e| {
            failure(
                400,
                &format!("Bad Request: can't parse entities: {e}"),
                None,
            )
        })?,
        // Markdown is not parsed: its length is counted with the markup.
        Some(mode)
            if mode.eq_ignore_ascii_case("markdownv2") || mode.eq_ignore_ascii_case("markdown") =>
        {
            text.to_owned()
        }
        Some(_) => return Err(failure(400, "Bad Request: unsupported parse_mode", None)),
    };
    let trimmed = parsed.trim();
    if trimmed.is_empty() {
        return Err(failure(400, "Bad Request: message text is empty", None));
    }
    Ok(trimmed.to_owned())
}

/// Strips Telegram-HTML markup and decodes `&lt; &gt; &amp; &quot;` and
/// numeric entities, failing like Telegram's parser on unsupported or
/// unbalanced tags. The error is the part after "can't parse entities: ".
pub fn html_to_plain(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut open: Vec<String> = Vec::new();
    let mut i = 0;
    let mut run_start = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'&' => {
                out.push_str(&text[run_start..i]);
                match decode_entity(&text[i..]) {
                    Some((c, len)) => {
                        out.push(c);
                        i += len;
                    }
                    None => {
                        out.push('&');
                        i += 1;
                    }
                }
                run_start = i;
            }
            b'<' => {
                out.push_str(&text[run_start..i]);
                let begin = i;
                i += 1;
                if i < bytes.len() && bytes[i] == b'/' {
                    i += 1;
                    let name_start = i;
                    while i < bytes.len() && bytes[i] != b'>' {
                        i += 1;
                    }
                    if i == bytes.len() {
                        return Err(format!("Unclosed end tag at byte offset {begin}"));
                    }
                    let name = text[name_start..i].trim().to_ascii_lowercase();
                    i += 1;
                    let Some(expected) = open.pop() else {
                        return Err(format!("Unexpected end tag at byte offset {begin}"));
                    };
                    if name != expected {
                        return Err(format!(
                            "Unmatched end tag at byte offset {begin}, expected \"</{expected}>\", \
                             found \"</{name}>\""
                        ));
                    }
                } else {
                    let name_start = i;
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                        i += 1;
                    }
                    if i == bytes.len() {
                        return Err(format!("Unclosed start tag at byte offset {begin}"));
                    }
                    let name = text[name_start..i].to_ascii_lowercase();
                    if !HTML_TAGS.contains(&name.as_str()) {
                        return Err(format!(
                            "Unsupported start tag \"{name}\" at byte offset {begin}"
                        ));
                    }
                    let mut quote = None;
                    while i < bytes.len() {
                        let c = bytes[i];
                        match quote {
                            Some(q) if c == q => quote = None,
                            Some(_) => {}
                            None if c == b'"' || c == b'\'' => quote = Some(c),
                            None if c == b'>' => break,
                            None => {}
                        }
                        i += 1;
                    }
                    if i == bytes.len() {
                        return Err(format!("Unclosed start tag at byte offset {begin}"));
                    }
                    i += 1;
                    open.push(name);
                }
                run_start = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&text[run_start..]);
    if let Some(tag) = open.last() {
        return Err(format!(
            "Can't find end tag corresponding to start tag \"{tag}\""
        ));
    }
    Ok(out)
}

/// Decodes one entity at the start of `s` (which begins with `&`).
fn decode_entity(s: &str) -> Option<(char, usize)> {
    let end = s.as_bytes().iter().take(12).position(|&b| b == b';')?;
    let body = &s[1..end];
    let c = match body {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        _ => {
            let num = body.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse::<u32>().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some((c, end + 1))
}

fn check_markup(markup: Option<&Value>) -> Result<(), Failure> {
    let Some(rows) = markup
        .and_then(|m| m.get("inline_keyboard"))
        .and_then(Value::as_array)
    else {
        return Ok(());
    };
    for button in rows.iter().filter_map(Value::as_array).flatten() {
        if let Some(data) = button.get("callback_data") {
            let len = data.as_str().map_or(0, str::len);
            if !(1..=MAX_CALLBACK_DATA_BYTES).contains(&len) {
                return Err(failure(400, "Bad Request: BUTTON_DATA_INVALID", None));
            }
        }
    }
    Ok(())
}

/// The markup Telegram echoes back on a message: inline keyboards only.
fn inline_markup(markup: Option<&Value>) -> Option<Value> {
    let markup = markup?;
    let rows = markup.get("inline_keyboard")?.as_array()?;
    if rows
        .iter()
        .all(|row| row.as_array().is_none_or(Vec::is_empty))
    {
        return None;
    }
    Some(json!({"inline_keyboard": rows}))
}

// ----- JSON building ------------------------------------------------------

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn single(key: &str, value: Value) -> Map<String, Value> {
    let mut map = Map::with_capacity(1);
    map.insert(key.to_owned(), value);
    map
}

fn bot_user_json() -> Value {
    json!({"id": BOT_USER_ID, "is_bot": true, "first_name": BOT_FIRST_NAME, "username": BOT_USERNAME})
}

fn user_json(user_id: i64, language_code: Option<&str>) -> Value {
    let mut user = json!({
        "id": user_id,
        "is_bot": false,
        "first_name": format!("User {user_id}"),
        "username": format!("user{user_id}"),
    });
    if let Some(lang) = language_code {
        user["language_code"] = json!(lang);
    }
    user
}

/// A private chat for positive ids, a supergroup for `-100…` ids, a group
/// otherwise.
fn chat_json(chat_id: i64) -> Value {
    if chat_id > 0 {
        json!({"id": chat_id, "type": "private", "first_name": format!("User {chat_id}"),
               "username": format!("user{chat_id}")})
    } else if chat_id <= -1_000_000_000_000 {
        json!({"id": chat_id, "type": "supergroup", "title": format!("Supergroup {chat_id}")})
    } else {
        json!({"id": chat_id, "type": "group", "title": format!("Group {chat_id}")})
    }
}

fn chat_instance(chat_id: i64) -> String {
    (-(5_000_000_000_000_000_000i128 + i128::from(chat_id))).to_string()
}

fn base_message(message_id: i64, from: Value, chat_id: i64, date: i64) -> Map<String, Value> {
    let mut msg = Map::with_capacity(8);
    msg.insert("message_id".into(), json!(message_id));
    msg.insert("from".into(), from);
    msg.insert("chat".into(), chat_json(chat_id));
    msg.insert("date".into(), json!(date));
    msg
}

/// Sets `text` and, for a leading `/command`, the `bot_command` entity
/// Telegram adds (offsets in UTF-16 code units).
fn set_text(msg: &mut Map<String, Value>, text: &str) {
    msg.insert("text".into(), json!(text));
    if let Some(entity) = command_entity(text) {
        msg.insert("entities".into(), json!([entity]));
    }
}

fn command_entity(text: &str) -> Option<Value> {
    let command = text.strip_prefix('/')?.split(char::is_whitespace).next()?;
    if command.is_empty() {
        return None;
    }
    let length = 1 + command.encode_utf16().count();
    Some(json!({"type": "bot_command", "offset": 0, "length": length}))
}

fn json_response(status: u16, body: String) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap_or_default()
}

fn ok(result: Value) -> Response {
    json_response(200, json!({"ok": true, "result": result}).to_string())
}

fn ok_with_description(result: Value, description: &str) -> Response {
    json_response(
        200,
        json!({"ok": true, "result": result, "description": description}).to_string(),
    )
}

/// A Bot API error answer, before it becomes a response.
struct Failure {
    status: u16,
    description: String,
    parameters: Option<Value>,
}

fn failure(status: u16, description: &str, parameters: Option<Value>) -> Failure {
    Failure {
        status,
        description: description.to_owned(),
        parameters,
    }
}

impl From<Failure> for Response {
    fn from(f: Failure) -> Response {
        error(f.status, &f.description, f.parameters)
    }
}

fn error(status: u16, description: &str, parameters: Option<Value>) -> Response {
    let mut body = json!({"ok": false, "error_code": status, "description": description});
    if let Some(parameters) = parameters {
        body["parameters"] = parameters;
    }
    json_response(status, body.to_string())
}

fn status_description(status: u16) -> String {
    StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error")
        .to_owned()
}

// ----- request parsing ----------------------------------------------------

/// `/bot<token>/<method>` → `<method>`.
fn method_from_path(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/bot")?;
    let (token, method) = rest.split_once('/')?;
    if token.is_empty() || method.is_empty() || method.contains('/') {
        return None;
    }
    Some(method)
}

fn parse_params(headers: &HeaderMap, body: &[u8], query: Option<&str>) -> Result<Value, String> {
    let mut map = Map::new();
    if let Some(query) = query {
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            map.insert(k.into_owned(), form_value(&v));
        }
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let lower = content_type.to_ascii_lowercase();
    if body.iter().all(u8::is_ascii_whitespace) {
        // No body parameters.
    } else if lower.starts_with("multipart/form-data") {
        let boundary = content_type
            .split(';')
            .filter_map(|part| part.trim().split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
            .map(|(_, v)| v.trim().trim_matches('"').to_owned())
            .ok_or_else(|| "Bad Request: multipart boundary is missing".to_owned())?;
        parse_multipart(body, &boundary, &mut map);
    } else if lower.starts_with("application/x-www-form-urlencoded") {
        for (k, v) in url::form_urlencoded::parse(body) {
            map.insert(k.into_owned(), form_value(&v));
        }
    } else {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(object)) => map.extend(object),
            _ => return Err("Bad Request: can't parse JSON object".to_owned()),
        }
    }
    Ok(Value::Object(map))
}

/// Form values are strings; JSON-serialized objects and arrays (how teloxide
/// sends nested fields in multipart) are decoded.
fn form_value(raw: &str) -> Value {
    let t = raw.trim_start();
    if (t.starts_with('[') || t.starts_with('{'))
        && let Ok(value) = serde_json::from_str::<Value>(raw)
    {
        return value;
    }
    Value::String(raw.to_owned())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn parse_multipart(body: &[u8], boundary: &str, map: &mut Map<String, Value>) {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let Some(first) = find(body, delimiter) else {
        return;
    };
    let mut rest = &body[first + delimiter.len()..];
    loop {
        if rest.starts_with(b"--") {
            return;
        }
        let Some(end) = find(rest, delimiter) else {
            return;
        };
        let part = &rest[..end];
        rest = &rest[end + delimiter.len()..];
        let part = part.strip_prefix(b"\r\n").unwrap_or(part);
        let part = part.strip_suffix(b"\r\n").unwrap_or(part);
        let Some(split) = find(part, b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&part[..split]);
        let content = &part[split + 4..];
        let mut name = None;
        let mut filename = None;
        for line in head.lines() {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            if !key.trim().eq_ignore_ascii_case("content-disposition") {
                continue;
            }
            for param in value.split(';').filter_map(|p| p.trim().split_once('=')) {
                let v = param.1.trim().trim_matches('"').to_owned();
                match param.0.trim() {
                    "name" => name = Some(v),
                    "filename" => filename = Some(v),
                    _ => {}
                }
            }
        }
        let Some(name) = name else {
            continue;
        };
        let value = match filename {
            Some(filename) => json!(format!("<file {filename}: {} bytes>", content.len())),
            None => form_value(&String::from_utf8_lossy(content)),
        };
        map.insert(name, value);
    }
}

fn p_i64(params: &Value, key: &str) -> Option<i64> {
    match params.get(key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn p_str(params: &Value, key: &str) -> Option<String> {
    match params.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn p_bool(params: &Value, key: &str) -> bool {
    match params.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true" || s == "1",
        Some(Value::Number(n)) => n.as_i64() == Some(1),
        _ => false,
    }
}

/// A structured parameter, accepting it JSON-serialized in a string too (as
/// Telegram does).
fn p_json(params: &Value, key: &str) -> Option<Value> {
    match params.get(key)? {
        Value::Null => None,
        Value::String(s) => serde_json::from_str(s).ok(),
        other => Some(other.clone()),
    }
}

fn chat_id_param(params: &Value) -> Result<i64, Failure> {
    match params.get("chat_id") {
        None | Some(Value::Null) => Err(failure(400, "Bad Request: chat_id is empty", None)),
        Some(_) => p_i64(params, "chat_id")
            .ok_or_else(|| failure(400, "Bad Request: chat not found", None)),
    }
}

fn commands_key(params: &Value) -> (String, String) {
    let scope = p_json(params, "scope").unwrap_or_else(|| json!({"type": "default"}));
    (
        p_str(params, "language_code").unwrap_or_default(),
        scope.to_string(),
    )
}
