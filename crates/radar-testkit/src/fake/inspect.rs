//! Looking at what happened: the update queue, what the bot sent, waiting for it.

use std::time::Duration;

use serde_json::Value;

use super::*;

impl FakeTelegram {
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

    /// Every accepted `sendPhoto` / `sendDocument`, in arrival order.
    pub fn files(&self) -> Vec<SentFile> {
        self.lock().files.clone()
    }

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

    /// The chat menu button last set (`setChatMenuButton`), as sent.
    pub fn menu_button(&self) -> Option<serde_json::Value> {
        self.lock().menu_button.clone()
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
}
