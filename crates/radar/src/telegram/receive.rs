//! Durable receipt. An update is stored in `processed_messages` (with its
//! JSON, to replay after a crash) before Telegram is told it was received:
//! before the next `getUpdates` offset passes it, before the webhook answers
//! 200. Then it is fed to the dispatcher through a channel.
//!
//! teloxide's own polling listener moves the offset as soon as a batch is
//! buffered, so this module replaces it.

use std::collections::HashSet;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use futures_util::stream::{BoxStream, StreamExt};
use teloxide::prelude::*;
use teloxide::stop::{StopFlag, StopToken, mk_stop_token};
use teloxide::types::{AllowedUpdate, Update, UpdateKind};
use teloxide::update_listeners::{AsUpdateStream, UpdateListener};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::App;
use radar_engine::{Incoming, Input, Lang};
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
/// ignores (channel posts, messages without a sender, other kinds).
pub fn envelope(update: &Update, allowed: &HashSet<UserId>) -> Option<Envelope> {
    let (incoming, callback_id) = match &update.kind {
        UpdateKind::Message(m) => {
            let from = m.from.as_ref()?;
            let input = if m.forward_origin().is_some() {
                Input::Forwarded
            } else {
                match m.text() {
                    Some(t) => Input::Text(t.to_string()),
                    None => Input::NonText,
                }
            };
            let incoming = Incoming::telegram_message(
                ChatId(m.chat.id.0),
                i64::from(m.id.0),
                user_id(from),
                lang(from),
                input,
                m.date,
            )
            // A message on behalf of a chat (anonymous admin) never acts as a person.
            .with_authorized(m.sender_chat.is_none() && authorized(from, allowed));
            (incoming, None)
        }
        UpdateKind::EditedMessage(m) => {
            let from = m.from.as_ref()?;
            let edit = m.edit_date().map(|d| d.timestamp()).unwrap_or_default();
            let incoming = Incoming::telegram_edit(
                ChatId(m.chat.id.0),
                i64::from(m.id.0),
                edit,
                user_id(from),
                lang(from),
            )
            .with_authorized(m.sender_chat.is_none() && authorized(from, allowed));
            (incoming, None)
        }
        UpdateKind::CallbackQuery(q) => {
            let chat = q
                .message
                .as_ref()
                .map(|m| m.chat().id.0)
                .unwrap_or(q.from.id.0 as i64);
            let incoming = Incoming::telegram_button(
                &q.id.0,
                ChatId(chat),
                q.message.as_ref().map(|m| i64::from(m.id().0)),
                user_id(&q.from),
                lang(&q.from),
                q.data.clone().unwrap_or_default(),
            )
            .with_authorized(authorized(&q.from, allowed));
            (incoming, Some(q.id.0.clone()))
        }
        _ => return None,
    };
    Some(Envelope {
        incoming: incoming.with_update_id(i64::from(update.id.0)),
        callback_id,
    })
}

/// The receipt of an update. An outsider's update is stored as its key
/// only: nothing else of theirs is kept.
fn receipt<'a>(env: &'a Envelope, payload: Option<&'a str>) -> NewReceipt<'a> {
    let i = &env.incoming;
    NewReceipt {
        message_id: &i.key,
        update_id: i.update_id,
        chat_id: i.chat,
        user_id: Some(i.user),
        received_at: Utc::now().naive_utc(),
        processed_at: None,
        payload: if i.authorized { payload } else { None },
    }
}

/// Stores the receipts of a batch in one durable transaction. Returns the
/// updates to feed (those Radar handles).
pub async fn store_batch(
    app: &App,
    updates: Vec<Update>,
) -> Result<Vec<Update>, radar_store::StoreError> {
    let mut keep = Vec::with_capacity(updates.len());
    let mut envs = Vec::with_capacity(updates.len());
    let mut payloads = Vec::with_capacity(updates.len());
    for u in updates {
        if let Some(env) = envelope(&u, &app.allowed) {
            payloads.push(serde_json::to_string(&u).unwrap_or_default());
            envs.push(env);
            keep.push(u);
        } else {
            tracing::debug!(
                update_id = u.id.0,
                "update ignored (not a message, edit or button)"
            );
        }
    }
    if envs.is_empty() {
        return Ok(keep);
    }
    let receipts: Vec<NewReceipt> = envs
        .iter()
        .zip(&payloads)
        .map(|(e, p)| receipt(e, Some(p)))
        .collect();
    let mut conn = app.db.get().await?;
    processed_messages::store_batch(&mut conn, &receipts).await?;
    Ok(keep)
}

/// The listener the dispatcher reads: a channel fed by the receivers
/// (polling, webhook, replay) after they stored each update.
pub struct ChannelListener {
    rx: mpsc::Receiver<Update>,
    stop_token: StopToken,
    stop_flag: Option<StopFlag>,
}

impl ChannelListener {
    pub fn new(capacity: usize) -> (mpsc::Sender<Update>, ChannelListener) {
        let (tx, rx) = mpsc::channel(capacity);
        let (stop_token, stop_flag) = mk_stop_token();
        (
            tx,
            ChannelListener {
                rx,
                stop_token,
                stop_flag: Some(stop_flag),
            },
        )
    }
}

impl UpdateListener for ChannelListener {
    type Err = Infallible;

    fn stop_token(&mut self) -> StopToken {
        self.stop_token.clone()
    }
}

impl<'a> AsUpdateStream<'a> for ChannelListener {
    type StreamErr = Infallible;
    type Stream = BoxStream<'a, Result<Update, Infallible>>;

    fn as_stream(&'a mut self) -> Self::Stream {
        let flag = self.stop_flag.take();
        let rx = &mut self.rx;
        let updates = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx)).map(Ok);
        match flag {
            Some(flag) => updates.take_until(flag).boxed(),
            None => updates.boxed(),
        }
    }
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
pub async fn poll(bot: Bot, app: Arc<App>, feed: mpsc::Sender<Update>, cancel: CancellationToken) {
    let mut offset: Option<i32> = None;
    let mut backoff = Backoff::default();
    loop {
        let mut req = bot
            .get_updates()
            .timeout(25)
            .allowed_updates(allowed_updates());
        if let Some(o) = offset {
            req = req.offset(o);
        }
        let result = tokio::select! {
            r = req.send() => r,
            _ = cancel.cancelled() => return,
        };
        let updates = match result {
            Ok(u) => {
                backoff.reset();
                u
            }
            Err(teloxide::RequestError::RetryAfter(s)) => {
                tracing::warn!(seconds = s.seconds(), "getUpdates rate limited");
                if sleep_or_cancel(s.duration(), &cancel).await {
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
        let Some(last) = updates.iter().map(|u| u.id.0).max() else {
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
            if feed.send(u).await.is_err() {
                return;
            }
        }
        offset = Some(last as i32 + 1);
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
    feed: mpsc::Sender<Update>,
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
                    match r.payload.as_deref().map(serde_json::from_str::<Update>) {
                        Some(Ok(u)) => {
                            if feed.send(u).await.is_err() {
                                return;
                            }
                        }
                        _ => {
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
