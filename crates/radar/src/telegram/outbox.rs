//! Reply delivery from the outbox: at least once, in order per chat, within
//! Telegram's rate limits, honouring 429 `retry_after`, retrying any 5xx and
//! network error with backoff scheduled here (never slept inside a request),
//! never twice from two senders (a lease on the row). After an ambiguous
//! failure (a timeout once the request may have reached Telegram) the reply
//! is sent again: a rare double reply is better than a lost one.
//!
//! A reply to a button press edits the message that carried the button; a
//! group that became a supergroup gets its queued replies under the new id;
//! a reply Telegram finds too long is sent split.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{NaiveDateTime, Utc};
use futures_util::StreamExt;
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde_json::{Value, json};
use teloxide::prelude::*;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::bot_api::{self, CallError};
use crate::metrics::{Metrics, ResultLabel};
use radar_store::group::{GroupCommit, GroupError};
use radar_store::outbox::{self as queue, QueuedReply};
use radar_store::{Backend, ChatId, Db, OutboxId};

/// At most this many replies of one chat go out per flush, recorded as sent
/// with one write. A crash after a flush's sends and before that write sends
/// them again at the next start: a SIGKILL repeats at most this many replies
/// per chat being flushed (usually one command's reply, one message).
pub const FLUSH_MAX: i64 = 16;

/// Telegram's limits: about 30 messages a second overall, about one a second
/// per chat (a short burst is tolerated, so a reply split in parts goes out
/// together).
pub struct Limits {
    global: DefaultDirectRateLimiter,
    per_chat: DefaultKeyedRateLimiter<ChatId>,
}

impl Limits {
    /// `per_second` overall; `None` turns limiting off (a test double).
    pub fn new(per_second: Option<NonZeroU32>) -> Option<Limits> {
        let g = per_second?;
        Some(Limits {
            global: RateLimiter::direct(Quota::per_second(g)),
            per_chat: RateLimiter::keyed(
                Quota::per_second(NonZeroU32::MIN)
                    .allow_burst(NonZeroU32::new(5).unwrap_or(NonZeroU32::MIN)),
            ),
        })
    }
}

#[derive(Clone)]
pub struct Sender {
    db: Db,
    metrics: Arc<Metrics>,
    limits: Option<Arc<Limits>>,
    notify: Arc<Notify>,
    /// Chats being flushed in this process, with a "more was queued" flag:
    /// one task delivers a chat's replies at a time, in order.
    inflight: Arc<Mutex<HashMap<ChatId, bool>>>,
    /// SQLite: "sent" marks go into the engine's group commits.
    group: Option<GroupCommit>,
}

/// What became of one send.
#[derive(Debug, PartialEq)]
pub enum Delivery {
    Sent,
    /// Not delivered (or not known to be); try again at this time.
    RetryAt(NaiveDateTime, String),
    /// Not to be retried: a permanent refusal.
    Failed(String),
    /// The group became a supergroup with this id: move the chat's replies.
    Migrated(ChatId),
    /// The first parts went out; this is what is left to send.
    Partly(String),
    /// The message to edit is gone or too old: send a new message instead.
    SendInstead,
}

fn label(result: &'static str) -> ResultLabel {
    ResultLabel { result }
}

impl Sender {
    pub fn new(db: Db, metrics: Arc<Metrics>, limits: Option<Limits>) -> Sender {
        Sender {
            db,
            metrics,
            limits: limits.map(Arc::new),
            notify: Arc::new(Notify::new()),
            inflight: Arc::new(Mutex::new(HashMap::new())),
            group: None,
        }
    }

    /// Records "sent" marks through `group` (one durable commit shared with
    /// the commands being applied).
    pub fn with_group_commit(mut self, group: GroupCommit) -> Sender {
        self.group = Some(group);
        self
    }

    /// Wakes the background loop (new replies were queued).
    pub fn wake(&self) {
        self.notify.notify_one();
    }

    /// Sends the due replies of one chat, oldest first, stopping at the first
    /// that can't go now (waiting for a retry, or held by another replica).
    /// If another task of this process is flushing the chat, it is told to
    /// look again, and this call returns at once.
    pub async fn flush_chat(&self, bot: &Bot, chat_id: ChatId) {
        {
            let mut inflight = self.inflight.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(again) = inflight.get_mut(&chat_id) {
                *again = true;
                return;
            }
            inflight.insert(chat_id, false);
        }
        loop {
            self.flush_chat_once(bot, chat_id).await;
            let mut inflight = self.inflight.lock().unwrap_or_else(|e| e.into_inner());
            match inflight.get_mut(&chat_id) {
                Some(again) if *again => *again = false,
                _ => {
                    inflight.remove(&chat_id);
                    return;
                }
            }
        }
    }

    async fn flush_chat_once(&self, bot: &Bot, chat_id: ChatId) {
        loop {
            match self.deliver_due(bot, chat_id).await {
                Ok(true) => continue,
                Ok(false) => return,
                Err(e) => {
                    tracing::warn!(%chat_id, error = %e, "outbox unavailable");
                    return;
                }
            }
        }
    }

    /// Delivers the chat's due replies, oldest first, up to [`FLUSH_MAX`] of
    /// them, and records those sent with one write. Returns whether to look
    /// again (more may be queued). On PostgreSQL the flush holds the head
    /// reply's lease ([`queue::with_lease`]): no other replica delivers the
    /// chat meanwhile. On SQLite no connection is held across the sends.
    async fn deliver_due(
        &self,
        bot: &Bot,
        chat_id: ChatId,
    ) -> Result<bool, radar_store::StoreError> {
        let mut conn = self.db.get().await?;
        let rows = queue::due(&mut conn, chat_id, FLUSH_MAX).await?;
        let now = Utc::now().naive_utc();
        let Some((head, _)) = rows.first() else {
            return Ok(false);
        };
        if head.next_attempt_at.is_some_and(|t| t > now) {
            return Ok(false);
        }
        match conn.backend() {
            Backend::Sqlite => {
                drop(conn);
                self.deliver_rows(bot, None, rows).await
            }
            Backend::Postgres => {
                let head = head.id;
                let delivered = queue::with_lease(&mut conn, head, async |conn| {
                    self.deliver_rows(bot, Some(conn), rows).await
                })
                .await?;
                // Held by another replica: it delivers this chat now.
                Ok(delivered.unwrap_or(false))
            }
        }
    }

    /// Sends `rows` in order until one cannot go now; then records what was
    /// sent (one write) and what happened to the one that stopped the flush.
    async fn deliver_rows(
        &self,
        bot: &Bot,
        mut lease: Option<&mut radar_store::Conn>,
        rows: Vec<(QueuedReply, bool)>,
    ) -> Result<bool, radar_store::StoreError> {
        let full = rows.len() as i64 == FLUSH_MAX;
        let mut sent: Vec<OutboxId> = Vec::with_capacity(rows.len());
        for (row, has_file) in rows {
            let chat_id = row.chat_id;
            if row
                .next_attempt_at
                .is_some_and(|t| t > Utc::now().naive_utc())
            {
                break;
            }
            if let Some(l) = &self.limits {
                l.per_chat.until_key_ready(&chat_id).await;
                l.global.until_ready().await;
            }
            let file = if has_file {
                let read = match lease.as_deref_mut() {
                    Some(conn) => radar_store::outbox_attachments::of_reply(conn, row.id).await,
                    None => {
                        async {
                            let mut conn = self.db.get().await?;
                            radar_store::outbox_attachments::of_reply(&mut conn, row.id).await
                        }
                        .await
                    }
                };
                match read {
                    Ok(f) => f,
                    Err(e) => {
                        // What already went out is recorded before giving up.
                        self.record_sent(lease.as_deref_mut(), &sent).await?;
                        return Err(e);
                    }
                }
            } else {
                None
            };
            let delivery = match &file {
                Some(f) => send_file(bot, &row, f).await,
                None => send(bot, &row).await,
            };
            if delivery == Delivery::Sent {
                self.metrics.replies.get_or_create(&label("sent")).inc();
                sent.push(row.id);
                continue;
            }
            // Anything else is rare: record what went out, then this one.
            self.record_sent(lease.as_deref_mut(), &sent).await?;
            return match lease {
                Some(conn) => self.record(conn, &row, delivery).await,
                None => {
                    let mut conn = self.db.get().await?;
                    self.record(&mut conn, &row, delivery).await
                }
            };
        }
        self.record_sent(lease, &sent).await?;
        Ok(full)
    }

    /// One write for the replies a flush sent: in the lease's transaction
    /// (PostgreSQL), else in the next group commit (SQLite), else alone.
    async fn record_sent(
        &self,
        lease: Option<&mut radar_store::Conn>,
        ids: &[OutboxId],
    ) -> Result<(), radar_store::StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let now = Utc::now().naive_utc();
        if let Some(conn) = lease {
            return queue::mark_sent_many(conn, ids, now).await;
        }
        if let Some(group) = &self.group {
            let owned = ids.to_vec();
            let grouped = group
                .run(move |conn| {
                    Box::pin(async move { queue::mark_sent_many(conn, &owned, now).await })
                })
                .await;
            match grouped {
                Ok(()) => return Ok(()),
                Err(GroupError::Failed(e)) if !e.is_transient() => return Err(e),
                Err(_) => {}
            }
        }
        let mut conn = self.db.get().await?;
        queue::mark_sent_many(&mut conn, ids, now).await
    }

    /// Records an outcome other than "sent". Returns whether to go on.
    async fn record(
        &self,
        conn: &mut radar_store::Conn,
        head: &QueuedReply,
        delivery: Delivery,
    ) -> Result<bool, radar_store::StoreError> {
        let chat_id = head.chat_id;
        let now = Utc::now().naive_utc();
        match &delivery {
            Delivery::Sent => {
                self.metrics.replies.get_or_create(&label("sent")).inc();
                queue::mark_sent_many(conn, &[head.id], now).await?;
                Ok(true)
            }
            Delivery::RetryAt(at, e) => {
                let kind = if e.starts_with("ambiguous") {
                    "ambiguous"
                } else {
                    "retry"
                };
                self.metrics.replies.get_or_create(&label(kind)).inc();
                tracing::info!(%chat_id, id = %head.id, error = %e, retry_at = %at, "reply will be sent again");
                queue::mark_retry(conn, head.id, *at, e).await?;
                self.wake();
                Ok(false)
            }
            Delivery::Failed(e) => {
                self.metrics.replies.get_or_create(&label("failed")).inc();
                tracing::warn!(%chat_id, id = %head.id, error = %e, "reply not delivered; not retried");
                queue::mark_failed(conn, head.id, now, e).await?;
                Ok(true)
            }
            Delivery::Migrated(to) => {
                let moved = queue::move_chat(conn, chat_id, *to).await?;
                tracing::info!(from = %chat_id, to = %to, moved, "group upgraded to a supergroup; replies moved");
                self.wake();
                Ok(false)
            }
            Delivery::Partly(rest) => {
                self.metrics.replies.get_or_create(&label("split")).inc();
                queue::set_text(conn, head.id, rest).await?;
                Ok(true)
            }
            Delivery::SendInstead => {
                queue::send_instead_of_edit(conn, head.id).await?;
                Ok(true)
            }
        }
    }

    /// The background loop: delivers whatever is due (retries, replies of
    /// other replicas or of a previous run), until cancelled.
    pub async fn run(self, bot: Bot, cancel: CancellationToken) {
        loop {
            let now = Utc::now().naive_utc();
            let chats = async {
                let mut conn = self.db.get().await?;
                self.metrics
                    .outbox_backlog
                    .set(queue::backlog(&mut conn).await?);
                queue::due_chats(&mut conn, now, 512).await
            }
            .await;
            match chats {
                Ok(chats) => {
                    let this = &self;
                    futures_util::stream::iter(chats)
                        .for_each_concurrent(32, |chat| {
                            let bot = bot.clone();
                            async move { this.flush_chat(&bot, chat).await }
                        })
                        .await;
                }
                Err(e) => tracing::debug!(error = %e, "outbox poll failed"),
            }
            tokio::select! {
                _ = self.notify.notified() => {}
                _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                _ = cancel.cancelled() => return,
            }
        }
    }
}

/// Sends (or, for a button's reply, edits) one reply and classifies the
/// outcome (see [`bot_api::classify`]).
pub async fn send(bot: &Bot, row: &QueuedReply) -> Delivery {
    let now = Utc::now().naive_utc();
    // 1 s after the first failure, doubling to about 4 minutes.
    let backoff = |attempts: i32| {
        let secs = 2i64.saturating_pow(attempts.clamp(0, 8) as u32).min(300);
        now + chrono::Duration::seconds(secs)
    };
    let markup: Option<Value> = row
        .reply_markup
        .as_deref()
        .and_then(|m| serde_json::from_str(m).ok());
    let mut params = json!({"chat_id": row.chat_id.0, "text": row.text});
    if let Some(mode) = &row.parse_mode {
        params["parse_mode"] = json!(mode);
    }
    if let Some(m) = &markup {
        params["reply_markup"] = m.clone();
    }
    let method = match row.edit_message_id {
        // Without reply_markup, the edit removes the message's keyboard.
        Some(mid) => {
            params["message_id"] = json!(mid);
            "EditMessageText"
        }
        None => {
            if let Some(to) = row.reply_to_message_id {
                params["reply_parameters"] =
                    json!({"message_id": to, "allow_sending_without_reply": true});
            }
            "SendMessage"
        }
    };
    match bot_api::call(bot, method, &params).await {
        Ok(_) => Delivery::Sent,
        Err(e) if method == "EditMessageText" && e.refused_with("message is not modified") => {
            Delivery::Sent
        }
        Err(e)
            if method == "EditMessageText"
                && (e.refused_with("message to edit not found")
                    || e.refused_with("message can't be edited")) =>
        {
            Delivery::SendInstead
        }
        Err(e) if e.refused_with("message is too long") => split_send(bot, row).await,
        Err(CallError::RetryAfter(secs)) => Delivery::RetryAt(
            now + chrono::Duration::seconds(secs.min(3600) as i64),
            format!("429: retry after {secs} s"),
        ),
        Err(CallError::Migrated(to)) => Delivery::Migrated(ChatId(to)),
        Err(e @ (CallError::Server { .. } | CallError::NotSent(_))) => {
            Delivery::RetryAt(backoff(row.attempts), e.to_string())
        }
        // It may have been delivered; sending again risks a double reply,
        // not sending risks none at all: at least once.
        Err(e @ CallError::Ambiguous(_)) => Delivery::RetryAt(backoff(row.attempts), e.to_string()),
        Err(e @ CallError::Refused { .. }) => Delivery::Failed(e.to_string()),
    }
}

/// Sends a reply that carries a file: `sendPhoto` (a chart) or
/// `sendDocument` (an export), the reply's text as the caption (the engine
/// keeps it within 1024 UTF-16 units), uploaded as multipart.
pub async fn send_file(
    bot: &Bot,
    row: &QueuedReply,
    file: &radar_store::outbox_attachments::Attachment,
) -> Delivery {
    let now = Utc::now().naive_utc();
    let backoff = |attempts: i32| {
        let secs = 2i64.saturating_pow(attempts.clamp(0, 8) as u32).min(300);
        now + chrono::Duration::seconds(secs)
    };
    let mut params = serde_json::Map::new();
    params.insert("chat_id".into(), json!(row.chat_id.0));
    params.insert("caption".into(), json!(row.text));
    if let Some(mode) = &row.parse_mode {
        params.insert("parse_mode".into(), json!(mode));
    }
    if let Some(to) = row.reply_to_message_id {
        params.insert(
            "reply_parameters".into(),
            json!({"message_id": to, "allow_sending_without_reply": true}),
        );
    }
    let (method, field, mime) = match file.kind {
        radar_store::AttachmentKind::Photo => ("SendPhoto", "photo", "image/png"),
        radar_store::AttachmentKind::Document => ("SendDocument", "document", "text/csv"),
    };
    let upload = bot_api::Upload {
        field,
        file_name: &file.file_name,
        mime,
        bytes: &file.bytes,
    };
    match bot_api::call_with_file(bot, method, &params, upload).await {
        Ok(_) => Delivery::Sent,
        Err(CallError::RetryAfter(secs)) => Delivery::RetryAt(
            now + chrono::Duration::seconds(secs.min(3600) as i64),
            format!("429: retry after {secs} s"),
        ),
        Err(CallError::Migrated(to)) => Delivery::Migrated(ChatId(to)),
        Err(e @ (CallError::Server { .. } | CallError::NotSent(_) | CallError::Ambiguous(_))) => {
            Delivery::RetryAt(backoff(row.attempts), e.to_string())
        }
        Err(e @ CallError::Refused { .. }) => Delivery::Failed(e.to_string()),
    }
}

/// A reply Telegram refused as too long: its first part goes out now as a
/// new message, the rest stays queued (Radar budgets replies in UTF-16
/// units, so this is a safety net, e.g. for a limit Telegram lowers).
async fn split_send(bot: &Bot, row: &QueuedReply) -> Delivery {
    let Some((first, rest)) = radar_engine::render::resplit(&row.text) else {
        return Delivery::Failed("refused as too long, and cannot be split".into());
    };
    let first = QueuedReply {
        text: first,
        reply_markup: None,
        edit_message_id: None,
        ..row.clone()
    };
    match Box::pin(send(bot, &first)).await {
        Delivery::Sent => Delivery::Partly(rest),
        // The first part was itself too long: what is left of it goes first.
        Delivery::Partly(left) => Delivery::Partly(radar_engine::render::rejoin(&left, &rest)),
        other => other,
    }
}
