//! The fake's state, behind one mutex never held across an `.await`.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use super::*;

pub(super) struct Inner {
    pub(super) shared: Arc<Shared>,
    pub(super) addr: SocketAddr,
    pub(super) task: Mutex<Option<JoinHandle<()>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.shared.shutdown.send_replace(true);
        self.shared.updates.notify_waiters();
    }
}

pub(super) struct Shared {
    pub(super) state: Mutex<St>,
    /// Woken on every push, redelivery and new `getUpdates` call.
    pub(super) updates: Notify,
    /// Bumped after every state change; the `wait_*` helpers watch it.
    pub(super) events: watch::Sender<u64>,
    pub(super) shutdown: watch::Sender<bool>,
    /// A refused token, a held `getMe` (see `gates.rs`).
    pub(super) gates: super::gates::Gates,
}

impl Shared {
    pub(super) fn lock(&self) -> MutexGuard<'_, St> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn bump(&self) {
        self.events.send_modify(|v| *v = v.wrapping_add(1));
    }

    pub(super) async fn wait_shutdown(&self) {
        let mut rx = self.shutdown.subscribe();
        let _ = rx.wait_for(|v| *v).await;
    }
}

pub(super) struct StoredUpdate {
    pub(super) id: i64,
    pub(super) value: Value,
    /// The serialized update, ready to splice into a response.
    pub(super) json: Arc<str>,
}

pub(super) struct StoredMsg {
    pub(super) json: Value,
    pub(super) from_bot: bool,
    /// The text and parse mode the bot used, to detect "not modified" edits.
    pub(super) source: Option<(String, Option<String>)>,
}

#[derive(Default)]
pub(super) struct Fault {
    pub(super) remaining: u32,
    pub(super) status: u16,
    pub(super) retry_after: u32,
    pub(super) delay: Duration,
    /// Answer with an HTML page (a proxy's error page), not JSON.
    pub(super) html: bool,
}

impl Fault {
    pub(super) fn take(&mut self) -> bool {
        if self.remaining > 0 {
            self.remaining -= 1;
            true
        } else {
            false
        }
    }
}

pub(super) struct St {
    pub(super) next_update_id: i64,
    pub(super) pending: VecDeque<StoredUpdate>,
    pub(super) confirmed: Vec<StoredUpdate>,
    pub(super) dropped: Vec<Value>,
    pub(super) allowed_updates: Option<HashSet<String>>,
    pub(super) max_delivered: Option<i64>,
    pub(super) poll_generation: u64,
    pub(super) get_updates_log: Vec<GetUpdatesCall>,

    pub(super) next_message_id: HashMap<i64, i64>,
    pub(super) messages: HashMap<(i64, i64), StoredMsg>,
    pub(super) next_callback: u64,
    pub(super) open_callbacks: HashSet<String>,

    pub(super) sent: Vec<Sent>,
    pub(super) files: Vec<SentFile>,
    pub(super) attempts: Vec<SendAttempt>,
    pub(super) edits: Vec<Edit>,
    pub(super) callback_answers: Vec<CallbackAnswer>,
    pub(super) commands: BTreeMap<(String, String), CommandSet>,
    pub(super) webhook: Option<WebhookConfig>,
    pub(super) unknown_methods: Vec<String>,
    /// The default chat menu button (`setChatMenuButton` without a chat).
    pub(super) menu_button: Option<Value>,
    pub(super) requests: HashMap<String, u64>,

    pub(super) fail_sends: Fault,
    pub(super) rate_limit_sends: Fault,
    pub(super) hang_sends: Fault,
    pub(super) fail_get_updates: Fault,
    pub(super) blocked: HashSet<i64>,
    pub(super) rate_limited: HashMap<i64, (Instant, Duration)>,
    pub(super) early_retries: Vec<EarlyRetry>,
    /// Groups upgraded to supergroups: old chat id → new chat id.
    pub(super) migrated: HashMap<i64, i64>,
    /// A storm of send faults: (429 %, HTML 502 %, xorshift state).
    pub(super) storm: Option<(u32, u32, u64)>,
    /// The longest message accepted, in UTF-16 units (Telegram: 4096).
    pub(super) max_message_units: usize,
}

impl St {
    pub(super) fn new(config: &FakeConfig) -> Self {
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
            files: Vec::new(),
            attempts: Vec::new(),
            edits: Vec::new(),
            callback_answers: Vec::new(),
            commands: BTreeMap::new(),
            webhook: None,
            unknown_methods: Vec::new(),
            menu_button: None,
            requests: HashMap::new(),
            fail_sends: Fault::default(),
            rate_limit_sends: Fault::default(),
            hang_sends: Fault::default(),
            fail_get_updates: Fault::default(),
            blocked: HashSet::new(),
            rate_limited: HashMap::new(),
            early_retries: Vec::new(),
            migrated: HashMap::new(),
            storm: None,
            max_message_units: MAX_MESSAGE_CHARS,
        }
    }

    pub(super) fn next_mid(&mut self, chat_id: i64) -> i64 {
        let next = self.next_message_id.entry(chat_id).or_insert(0);
        *next += 1;
        *next
    }

    /// Keeps the per-chat counter above a message id seen in a raw update.
    pub(super) fn note_mid(&mut self, chat_id: i64, message_id: i64) {
        let next = self.next_message_id.entry(chat_id).or_insert(0);
        *next = (*next).max(message_id);
    }

    pub(super) fn type_allowed(&self, kind: &str) -> bool {
        match &self.allowed_updates {
            Some(allowed) => allowed.contains(kind),
            None => !DEFAULT_EXCLUDED_UPDATES.contains(&kind),
        }
    }

    /// Assigns the next update id and queues the update unless its type is
    /// filtered out by `allowed_updates`.
    pub(super) fn enqueue(&mut self, mut body: Map<String, Value>) -> (i64, bool) {
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
    pub(super) fn apply_offset(&mut self, offset: Option<i64>) -> Vec<i64> {
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

    pub(super) fn confirm_all(&mut self) {
        while let Some(u) = self.pending.pop_front() {
            self.confirmed.push(u);
        }
    }

    pub(super) fn count_request(&mut self, method: &str) {
        match self.requests.get_mut(method) {
            Some(n) => *n += 1,
            None => {
                self.requests.insert(method.to_owned(), 1);
            }
        }
    }
}
