//! Reply delivery from the outbox: at least once, in order per chat, within
//! Telegram's rate limits, honouring 429 `retry_after`, retrying network
//! errors with backoff, never twice from two senders (a lease on the row),
//! and never resent after an ambiguous failure (a timeout after the request
//! may have reached Telegram).

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{NaiveDateTime, Utc};
use futures_util::StreamExt;
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use teloxide::ApiError;
use teloxide::RequestError;
use teloxide::payloads::SendMessageSetters;
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, MessageId, ParseMode, ReplyParameters};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::metrics::{Metrics, ResultLabel};
use radar_store::outbox::{self as queue, QueuedReply};
use radar_store::{ChatId, Db};

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
}

/// What became of one send.
#[derive(Debug, PartialEq)]
pub enum Delivery {
    Sent,
    /// Not delivered; try again at this time.
    RetryAt(NaiveDateTime, String),
    /// Not to be retried: a permanent refusal, or an ambiguous failure.
    Failed(String),
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
        }
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
            match self.deliver_head(bot, chat_id).await {
                Ok(true) => continue,
                Ok(false) => return,
                Err(e) => {
                    tracing::warn!(%chat_id, error = %e, "outbox unavailable");
                    return;
                }
            }
        }
    }

    /// Delivers the chat's next reply if it is due. Returns whether to go on.
    /// The reply is sent under its lease ([`queue::with_lease`]): no other
    /// replica sends it meanwhile.
    async fn deliver_head(
        &self,
        bot: &Bot,
        chat_id: ChatId,
    ) -> Result<bool, radar_store::StoreError> {
        let mut conn = self.db.get().await?;
        let now = Utc::now().naive_utc();
        let Some(head) = queue::head(&mut conn, chat_id).await? else {
            return Ok(false);
        };
        if head.next_attempt_at.is_some_and(|t| t > now) {
            return Ok(false);
        }
        let delivered = queue::with_lease(&mut conn, head.id, async |conn| {
            self.deliver(bot, conn, &head).await
        })
        .await?;
        // Held by another replica: it delivers this chat now.
        Ok(delivered.unwrap_or(false))
    }

    async fn deliver(
        &self,
        bot: &Bot,
        conn: &mut radar_store::Conn,
        head: &QueuedReply,
    ) -> Result<bool, radar_store::StoreError> {
        let chat_id = head.chat_id;
        if let Some(l) = &self.limits {
            l.per_chat.until_key_ready(&chat_id).await;
            l.global.until_ready().await;
        }
        let delivery = send(bot, head).await;
        let now = Utc::now().naive_utc();
        match &delivery {
            Delivery::Sent => {
                self.metrics.replies.get_or_create(&label("sent")).inc();
                queue::mark_sent(conn, head.id, now).await?;
                Ok(true)
            }
            Delivery::RetryAt(at, e) => {
                self.metrics.replies.get_or_create(&label("retry")).inc();
                tracing::info!(%chat_id, id = %head.id, error = %e, retry_at = %at, "reply will be retried");
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

fn retryable_api(description: &str) -> bool {
    let d = description.to_ascii_lowercase();
    [
        "bad gateway",
        "internal server error",
        "service unavailable",
        "gateway timeout",
        "too many requests",
    ]
    .iter()
    .any(|s| d.contains(s))
}

/// Sends one reply and classifies the outcome.
pub async fn send(bot: &Bot, row: &QueuedReply) -> Delivery {
    let mut req = bot.send_message(teloxide::types::ChatId(row.chat_id.0), row.text.clone());
    if row.parse_mode.as_deref() == Some("HTML") {
        req = req.parse_mode(ParseMode::Html);
    }
    if let Some(markup) = row
        .reply_markup
        .as_deref()
        .and_then(|m| serde_json::from_str::<InlineKeyboardMarkup>(m).ok())
    {
        req = req.reply_markup(markup);
    }
    if let Some(to) = row.reply_to_message_id.and_then(|m| i32::try_from(m).ok()) {
        req =
            req.reply_parameters(ReplyParameters::new(MessageId(to)).allow_sending_without_reply());
    }
    let now = Utc::now().naive_utc();
    let backoff = |attempts: i32| {
        let secs = 2i64.saturating_pow(attempts.clamp(1, 8) as u32).min(300);
        now + chrono::Duration::seconds(secs)
    };
    match req.send().await {
        Ok(_) => Delivery::Sent,
        Err(RequestError::RetryAfter(s)) => {
            let wait = chrono::Duration::from_std(s.duration()).unwrap_or_default();
            Delivery::RetryAt(now + wait, format!("429: retry after {} s", s.seconds()))
        }
        Err(RequestError::Api(ApiError::Unknown(d))) if retryable_api(&d) => {
            Delivery::RetryAt(backoff(row.attempts), format!("server error: {d}"))
        }
        Err(RequestError::Api(e)) => Delivery::Failed(format!("refused by Telegram: {e}")),
        Err(RequestError::MigrateToChatId(c)) => Delivery::Failed(format!("chat migrated to {c}")),
        Err(RequestError::Network(e)) if e.is_connect() => {
            // The request never reached Telegram: safe to send again.
            Delivery::RetryAt(backoff(row.attempts), "network: cannot connect".to_string())
        }
        Err(RequestError::Network(e)) => {
            // It may have been delivered: do not risk a second copy.
            let kind = if e.is_timeout() {
                "timeout"
            } else {
                "connection lost"
            };
            Delivery::Failed(format!("ambiguous {kind}: delivery unknown, not resent"))
        }
        Err(e @ (RequestError::InvalidJson { .. } | RequestError::Io(_))) => {
            Delivery::Failed(format!("ambiguous answer: {e}; not resent"))
        }
    }
}
