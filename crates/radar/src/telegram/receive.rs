//! Durable receipt. An update is stored in `processed_messages` (with its
//! JSON, to replay after a crash) before Telegram is told it was received:
//! before the next `getUpdates` offset passes it, before the webhook answers
//! 200. Then it is fed to the dispatcher through a channel.
//!
//! teloxide's own polling listener moves the offset as soon as a batch is
//! buffered, so this module replaces it.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use teloxide::types::{AllowedUpdate, Update, UpdateKind};
use tokio_util::sync::CancellationToken;

use super::App;
use super::bot_api::{self, CallError};
use super::update::Received;
use radar_engine::{Addressed, Incoming, Input, Lang};
use radar_store::group::GroupError;
use radar_store::processed_messages::{self, NewReceipt};
use radar_store::{ChatId, UserId};

/// The update kinds Radar asks Telegram for.
pub fn allowed_updates() -> Vec<AllowedUpdate> {
    vec![
        AllowedUpdate::Message,
        AllowedUpdate::EditedMessage,
        AllowedUpdate::CallbackQuery,
    ]
}

/// Telegram's stand-in senders that must never act as a person: anonymous
/// group admins (GroupAnonymousBot) and automatic channel forwards.
const ANONYMOUS_ADMIN: u64 = 1_087_968_824;
const SERVICE_FORWARD: u64 = 777_000;

/// What Radar makes of an update.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub incoming: Incoming,
    /// For a button press: the callback to answer.
    pub callback_id: Option<String>,
    /// A group upgraded to a supergroup with this id (the service message
    /// in the old group): its queued replies move there.
    pub migrate_to: Option<ChatId>,
}

/// Who Radar is on Telegram (`getMe`): to see mentions of it and replies to
/// its messages in groups.
#[derive(Debug, Clone, Default)]
pub struct Me {
    pub id: i64,
    pub username: Option<String>,
}

/// Whether `text` mentions `@username` (as a word, any case); returns the
/// text without the mention.
fn without_mention(text: &str, username: &str) -> Option<String> {
    let needle = format!("@{}", username.to_lowercase());
    let lower = text.to_lowercase();
    let mut from = 0;
    while let Some(p) = lower[from..].find(&needle) {
        let start = from + p;
        let end = start + needle.len();
        let before_ok =
            start == 0 || !lower[..start].ends_with(|c: char| c.is_alphanumeric() || c == '_');
        let after_ok = !lower[end..].starts_with(|c: char| c.is_alphanumeric() || c == '_');
        if before_ok && after_ok && text.is_char_boundary(start) && text.is_char_boundary(end) {
            let rest = format!("{}{}", &text[..start], &text[end..]);
            let rest = rest
                .trim()
                .trim_start_matches([',', ':'])
                .trim()
                .to_string();
            return Some(rest);
        }
        from = end;
    }
    None
}

fn authorized(user: &teloxide::types::User, allowed: &HashSet<UserId>) -> bool {
    !user.is_bot
        && user.id.0 != ANONYMOUS_ADMIN
        && user.id.0 != SERVICE_FORWARD
        && allowed.contains(&user_id(user))
}

fn user_id(user: &teloxide::types::User) -> UserId {
    UserId(user.id.0 as i64)
}

fn lang(user: &teloxide::types::User) -> Lang {
    Lang::from_code(user.language_code.as_deref())
}

/// The message key and input of an update, or `None` for updates Radar
/// ignores (channel posts, messages without a sender, other kinds). In a
/// group, a message is for Radar when it is a command, mentions the bot or
/// replies to one of its messages (spec §4); anything else is recorded as
/// not addressed and ignored silently.
pub fn envelope(update: &Update, allowed: &HashSet<UserId>, me: &Me) -> Option<Envelope> {
    let (incoming, callback_id, migrate_to) = match &update.kind {
        UpdateKind::Message(m) => {
            let from = m.from.as_ref()?;
            let group = !m.chat.is_private();
            let migrate_to = m.migrate_to_chat_id().map(|c| ChatId(c.0));
            let service = migrate_to.is_some() || m.migrate_from_chat_id().is_some();
            let text = m.text();
            let mention = me
                .username
                .as_deref()
                .zip(text)
                .and_then(|(u, t)| without_mention(t, u));
            let replies_to_me = m
                .reply_to_message()
                .and_then(|r| r.from.as_ref())
                .is_some_and(|f| f.id.0 as i64 == me.id && me.id != 0);
            let addressed = match (group, text) {
                (_, _) if service => Addressed::NotAddressed,
                (false, _) => Addressed::Private,
                (true, Some(t)) if t.trim_start().starts_with('/') => Addressed::Command,
                (true, Some(_)) if mention.is_some() => Addressed::Mention,
                (true, Some(_)) if replies_to_me => Addressed::ReplyToBot,
                (true, _) => Addressed::NotAddressed,
            };
            let input = if m.forward_origin().is_some() {
                Input::Forwarded
            } else {
                match (addressed, text) {
                    (Addressed::Mention, _) => Input::Text(mention.unwrap_or_default()),
                    (_, Some(t)) => Input::Text(t.to_string()),
                    (_, None) => Input::NonText,
                }
            };
            // A message on behalf of a chat (an anonymous group admin, a
            // channel) never acts as a person.
            let anonymous = m.sender_chat.is_some() || from.id.0 == ANONYMOUS_ADMIN;
            let incoming = Incoming::telegram_message(
                ChatId(m.chat.id.0),
                i64::from(m.id.0),
                user_id(from),
                lang(from),
                input,
                m.date,
            )
            .with_addressed(addressed)
            .with_anonymous(anonymous && group && addressed != Addressed::NotAddressed)
            .with_authorized(!anonymous && authorized(from, allowed));
            (incoming, None, migrate_to)
        }
        UpdateKind::EditedMessage(m) => {
            let from = m.from.as_ref()?;
            let edit = m.edit_date().map(|d| d.timestamp()).unwrap_or_default();
            // An edit is never executed; in a group it is not worth a word.
            let addressed = if m.chat.is_private() {
                Addressed::Private
            } else {
                Addressed::NotAddressed
            };
            let incoming = Incoming::telegram_edit(
                ChatId(m.chat.id.0),
                i64::from(m.id.0),
                edit,
                user_id(from),
                lang(from),
            )
            .with_addressed(addressed)
            .with_authorized(m.sender_chat.is_none() && authorized(from, allowed));
            (incoming, None, None)
        }
        UpdateKind::CallbackQuery(q) => {
            let chat = q
                .message
                .as_ref()
                .map(|m| m.chat().id.0)
                .unwrap_or(q.from.id.0 as i64);
            // A button is Radar's own: pressing it addresses Radar.
            let group = q.message.as_ref().is_some_and(|m| !m.chat().is_private());
            let incoming = Incoming::telegram_button(
                &q.id.0,
                ChatId(chat),
                q.message.as_ref().map(|m| i64::from(m.id().0)),
                user_id(&q.from),
                lang(&q.from),
                q.data.clone().unwrap_or_default(),
            )
            .with_addressed(if group {
                Addressed::Command
            } else {
                Addressed::Private
            })
            .with_authorized(authorized(&q.from, allowed));
            (incoming, Some(q.id.0.clone()), None)
        }
        _ => return None,
    };
    Some(Envelope {
        incoming: incoming.with_update_id(i64::from(update.id.0)),
        callback_id,
        migrate_to,
    })
}

/// One receipt to store.
struct Row {
    key: String,
    update_id: Option<i64>,
    chat: ChatId,
    user: Option<UserId>,
    /// Nobody can read it: stored as processed.
    unreadable: bool,
    payload: Option<String>,
}

/// Stores the receipts of a batch in one durable transaction. Returns the
/// updates to feed (those Radar handles). An update nobody can read (not
/// even its minimal form) is stored as processed — with its JSON when it
/// comes from an allowed user, for a later look — and logged at WARN.
pub async fn store_batch(
    app: &App,
    updates: Vec<Received>,
) -> Result<Vec<Update>, radar_store::StoreError> {
    let now = Utc::now().naive_utc();
    let mut keep = Vec::with_capacity(updates.len());
    let mut rows: Vec<Row> = Vec::with_capacity(updates.len());
    for r in updates {
        match &r.typed {
            Some(u) => {
                if let Some(env) = envelope(u, &app.allowed, &app.me) {
                    let i = &env.incoming;
                    let payload = i.authorized.then(|| r.payload());
                    rows.push(Row {
                        key: i.key.clone(),
                        update_id: i.update_id,
                        chat: i.chat,
                        user: Some(i.user),
                        unreadable: false,
                        payload,
                    });
                    keep.push(u.clone());
                } else {
                    tracing::debug!(
                        update_id = r.id,
                        "update ignored (not a message, edit or button)"
                    );
                }
            }
            None => {
                tracing::warn!(
                    update_id = r.id,
                    "update cannot be read; stored, not answered"
                );
                let chat = r
                    .raw
                    .pointer("/message/chat/id")
                    .or_else(|| r.raw.pointer("/edited_message/chat/id"))
                    .and_then(serde_json::Value::as_i64);
                let mid = r
                    .raw
                    .pointer("/message/message_id")
                    .or_else(|| r.raw.pointer("/edited_message/message_id"))
                    .and_then(serde_json::Value::as_i64);
                let from = r
                    .raw
                    .pointer("/message/from/id")
                    .or_else(|| r.raw.pointer("/edited_message/from/id"))
                    .or_else(|| r.raw.pointer("/callback_query/from/id"))
                    .and_then(serde_json::Value::as_i64)
                    .map(UserId);
                let key = match (chat, mid) {
                    (Some(c), Some(m)) => format!("{c}:{m}"),
                    _ => format!("update:{}", r.id),
                };
                let payload = from
                    .is_some_and(|u| app.allowed.contains(&u))
                    .then(|| r.payload());
                rows.push(Row {
                    key,
                    update_id: Some(r.id),
                    chat: ChatId(chat.unwrap_or(0)),
                    user: from,
                    unreadable: true,
                    payload,
                });
            }
        }
    }
    if rows.is_empty() {
        return Ok(keep);
    }
    // In the next group commit when there is one (one durable commit shared
    // with the commands being applied), else in a transaction of its own.
    let rows = Arc::new(rows);
    if let Some(group) = app.engine.group_commit() {
        let shared = rows.clone();
        let grouped = group
            .run(move |conn| {
                Box::pin(async move {
                    let receipts = receipts_of(&shared, now);
                    processed_messages::insert_all(conn, &receipts).await
                })
            })
            .await;
        match grouped {
            Ok(_) => return Ok(keep),
            Err(GroupError::Failed(e)) => return Err(e),
            // Not committed: stored below on their own.
            Err(GroupError::NotCommitted) => {}
        }
    }
    let receipts = receipts_of(&rows, now);
    let mut conn = app.db.get().await?;
    processed_messages::store_batch(&mut conn, &receipts).await?;
    Ok(keep)
}

fn receipts_of(rows: &[Row], now: chrono::NaiveDateTime) -> Vec<NewReceipt<'_>> {
    rows.iter()
        .map(|r| NewReceipt {
            message_id: &r.key,
            update_id: r.update_id,
            chat_id: r.chat,
            user_id: r.user,
            received_at: now,
            processed_at: r.unreadable.then_some(now),
            payload: r.payload.as_deref(),
        })
        .collect()
}

/// Exponential backoff: 100 ms doubling to 5 s.
pub struct Backoff(Duration);

impl Default for Backoff {
    fn default() -> Self {
        Backoff(Duration::from_millis(100))
    }
}

impl Backoff {
    pub fn next_delay(&mut self) -> Duration {
        let d = self.0;
        self.0 = (self.0 * 2).min(Duration::from_secs(5));
        d
    }
    pub fn reset(&mut self) {
        self.0 = Duration::from_millis(100);
    }
}

/// Long polling that acknowledges an update only after storing it: the
/// offset passed to the next `getUpdates` is moved only once the batch's
/// receipts are committed. On shutdown, an unstored batch is left
/// unacknowledged for Telegram to deliver again.
pub async fn poll(
    bot: teloxide::Bot,
    app: Arc<App>,
    feed: super::dispatch::Feed,
    cancel: CancellationToken,
) {
    let mut offset: Option<i64> = None;
    let mut backoff = Backoff::default();
    let allowed: Vec<String> = allowed_updates()
        .iter()
        .filter_map(|u| serde_json::to_value(u).ok())
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    loop {
        let mut params = serde_json::json!({"timeout": 25, "allowed_updates": allowed});
        if let Some(o) = offset {
            params["offset"] = o.into();
        }
        let result = tokio::select! {
            r = bot_api::call(&bot, "GetUpdates", &params) => r,
            _ = cancel.cancelled() => return,
        };
        let updates: Vec<Received> = match result {
            Ok(serde_json::Value::Array(list)) => {
                backoff.reset();
                list.into_iter().map(Received::parse).collect()
            }
            Ok(other) => {
                tracing::warn!(answer = %other, "getUpdates answered something else; retrying");
                if sleep_or_cancel(backoff.next_delay(), &cancel).await {
                    return;
                }
                continue;
            }
            Err(CallError::RetryAfter(secs)) => {
                tracing::warn!(seconds = secs, "getUpdates rate limited");
                if sleep_or_cancel(Duration::from_secs(secs), &cancel).await {
                    return;
                }
                continue;
            }
            Err(e) => {
                tracing::warn!(error = %e, "getUpdates failed; retrying");
                if sleep_or_cancel(backoff.next_delay(), &cancel).await {
                    return;
                }
                continue;
            }
        };
        let Some(last) = updates.iter().map(|u| u.id).max() else {
            continue;
        };
        app.metrics.updates_received.inc_by(updates.len() as u64);
        // Store durably before anything moves the offset.
        let mut store_backoff = Backoff::default();
        let to_feed = loop {
            match store_batch(&app, updates.clone()).await {
                Ok(f) => break f,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot store received updates; not acknowledging them");
                    if sleep_or_cancel(store_backoff.next_delay(), &cancel).await {
                        return;
                    }
                }
            }
        };
        for u in to_feed {
            if feed.send(Box::new(u)).await.is_err() {
                return;
            }
        }
        offset = Some(last + 1);
    }
}

/// Returns true if cancelled during the sleep.
pub async fn sleep_or_cancel(d: Duration, cancel: &CancellationToken) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(d) => false,
        _ = cancel.cancelled() => true,
    }
}

/// Feeds stored-but-unprocessed updates (left by a crash, or by a replica
/// that died) to the dispatcher: all of them at start, in order; then, every
/// few seconds, those older than `min_age`.
pub async fn replay(
    app: Arc<App>,
    feed: super::dispatch::Feed,
    cancel: CancellationToken,
    min_age: Duration,
    first_pass_done: tokio::sync::oneshot::Sender<()>,
) {
    let mut first = true;
    let mut first_pass_done = Some(first_pass_done);
    let mut backoff = Backoff::default();
    loop {
        let age = if first {
            chrono::Duration::zero()
        } else {
            chrono::Duration::from_std(min_age).unwrap_or_default()
        };
        let before = Utc::now().naive_utc() - age;
        let pending = async {
            let mut conn = app.db.get().await?;
            processed_messages::stale(&mut conn, before, 1000).await
        }
        .await;
        match pending {
            Ok(rows) => {
                backoff.reset();
                if !rows.is_empty() {
                    tracing::info!(
                        count = rows.len(),
                        "replaying stored updates that were not processed"
                    );
                }
                for r in rows {
                    let typed = r
                        .payload
                        .as_deref()
                        .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok())
                        .and_then(|raw| Received::parse(raw).typed);
                    match typed {
                        Some(u) => {
                            if feed.send(Box::new(u)).await.is_err() {
                                return;
                            }
                        }
                        None => {
                            tracing::error!(key = %r.message_id, "stored update cannot be read; giving it up");
                            app.give_up(&r.message_id).await;
                        }
                    }
                }
                first = false;
                if let Some(done) = first_pass_done.take() {
                    let _ = done.send(());
                }
                if sleep_or_cancel(Duration::from_secs(10), &cancel).await {
                    return;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read stored updates; retrying");
                if sleep_or_cancel(backoff.next_delay(), &cancel).await {
                    return;
                }
            }
        }
    }
}
