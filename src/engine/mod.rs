//! The engine: a message in, one transaction, a reply out. It knows nothing
//! of Telegram; the Telegram service and the console are thin adapters.
//!
//! The life of a message (spec §3): in one transaction, claim the message key
//! (a duplicate stops here and changes nothing), resolve the user's context,
//! parse, apply, append events, queue the reply in the outbox. Either all of
//! it happens or none of it.

mod apply;
mod lang;
pub mod parse;
pub mod period;
pub mod render;
pub mod status;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use chrono_tz::Tz;

pub use lang::Lang;
pub use parse::Command;
pub use render::{Button, Keyboard, OutMessage};
pub use status::Status;

use crate::store::models::{NewOutbox, NewReceipt};
use crate::store::{Conn, Db, StoreError, queries};

/// What a message carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Text(String),
    /// Button data (`callback_data`).
    Button(String),
    /// An edit of an earlier message: never executed again.
    Edited,
    /// A photo, sticker, voice note…: answered with a hint.
    NonText,
    /// A forwarded message: its text is someone else's words, never a command.
    Forwarded,
}

/// One incoming message, from any adapter.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// The idempotency key: `chat:message`, `cb:<id>`, `edit:chat:message:date`, `console:…`.
    pub key: String,
    pub update_id: Option<i64>,
    pub chat_id: i64,
    pub user_id: i64,
    pub lang: Lang,
    pub input: Input,
    /// Whether the sender may use Radar (the allowlist, checked by the adapter).
    pub authorized: bool,
    /// The message this answers (each reply is sent as a reply to it).
    pub reply_to: Option<i64>,
    /// When the user sent it; the events' `timestamp`. Defaults to now.
    pub sent_at: Option<DateTime<Utc>>,
}

/// What became of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handled {
    /// Applied now; the reply was queued in the outbox (ids in `outbox_ids`).
    Replied(Reply),
    /// The key was processed before: nothing changed, nothing queued.
    Duplicate,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reply {
    pub messages: Vec<OutMessage>,
    /// Outbox rows holding `messages`, in order. Empty for a reply that is
    /// not stored (an outsider's one line: nothing is stored for them).
    pub outbox_ids: Vec<i64>,
    /// Whether the command changed data (for metrics and tests).
    pub outcome: Outcome,
}

impl Reply {
    /// The reply as a person reads it: every message's plain text.
    pub fn plain(&self) -> String {
        self.messages
            .iter()
            .map(|m| m.plain())
            .collect::<Vec<_>>()
            .join("\n\n")
    }
}

/// How a message ended, for metrics (`commands by outcome`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Outcome {
    /// Data changed (events were written).
    Changed,
    /// A valid command that changed nothing (a read, or a no-op).
    #[default]
    Unchanged,
    /// Bad input: a clear reply, nothing changed.
    Rejected,
    /// A sender not on the allowlist.
    Unauthorized,
    /// Not for us (a command addressed to another bot).
    Ignored,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Changed => "changed",
            Outcome::Unchanged => "unchanged",
            Outcome::Rejected => "rejected",
            Outcome::Unauthorized => "unauthorized",
            Outcome::Ignored => "ignored",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for EngineError {
    fn from(e: diesel::result::Error) -> Self {
        EngineError::Store(StoreError::Query(e))
    }
}

impl EngineError {
    pub fn is_transient(&self) -> bool {
        match self {
            EngineError::Store(e) => e.is_transient(),
        }
    }

    /// The database is away: the message should wait for it, not be dropped.
    pub fn is_unavailable(&self) -> bool {
        match self {
            EngineError::Store(e) => e.is_unavailable(),
        }
    }

    /// The sentence a user sees when something failed on our side.
    pub fn user_message(&self, lang: Lang) -> String {
        if self.is_unavailable() {
            crate::tr!(
                lang,
                "Sorry, I couldn't do that right now: the database is not answering. Please try again in a minute.",
                "Извините, сейчас не получилось: база данных не отвечает. Попробуйте через минуту."
            )
        } else {
            crate::tr!(
                lang,
                "Sorry, something went wrong on my side and the command was not applied. The operator can see the details in the log.",
                "Извините, у меня что-то сломалось, и команда не выполнена. Подробности — в журнале у оператора."
            )
        }
    }
}

/// Where "now" comes from: the system clock, or a settable one in tests.
#[derive(Clone, Default)]
pub enum Clock {
    #[default]
    System,
    Fixed(Arc<Mutex<DateTime<Utc>>>),
}

impl Clock {
    pub fn fixed(t: DateTime<Utc>) -> Clock {
        Clock::Fixed(Arc::new(Mutex::new(t)))
    }

    pub fn set(&self, t: DateTime<Utc>) {
        if let Clock::Fixed(m) = self {
            *m.lock().unwrap_or_else(|e| e.into_inner()) = t;
        }
    }

    /// Now, truncated to microseconds (PostgreSQL's precision) so both
    /// backends store the same value.
    pub fn now(&self) -> DateTime<Utc> {
        let t = match self {
            Clock::System => Utc::now(),
            Clock::Fixed(m) => *m.lock().unwrap_or_else(|e| e.into_inner()),
        };
        t.trunc_subsecs(6)
    }
}

#[derive(Clone)]
pub struct EngineConfig {
    pub tz: Tz,
    pub bot_username: Option<String>,
    pub clock: Clock,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            tz: chrono_tz::UTC,
            bot_username: None,
            clock: Clock::System,
        }
    }
}

/// The engine. Cheap to clone (the pool is shared).
#[derive(Clone)]
pub struct Engine {
    db: Db,
    cfg: Arc<EngineConfig>,
}

/// How many times a transaction that lost a race (unique key, serialization,
/// busy file, dropped connection) is run again before giving up.
const MAX_ATTEMPTS: u32 = 5;

impl Engine {
    pub fn new(db: Db, cfg: EngineConfig) -> Engine {
        Engine {
            db,
            cfg: Arc::new(cfg),
        }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn config(&self) -> &EngineConfig {
        &self.cfg
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.cfg.clock.now()
    }

    fn today(&self) -> NaiveDate {
        self.now().with_timezone(&self.cfg.tz).date_naive()
    }

    /// Handles one message exactly once: a key seen before returns
    /// [`Handled::Duplicate`] and changes nothing.
    pub async fn handle(&self, msg: &Incoming) -> Result<Handled, EngineError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.handle_once(msg).await {
                Err(e) if e.is_transient() && attempt < MAX_ATTEMPTS => {
                    tracing::debug!(key = %msg.key, attempt, error = %e, "transaction retried");
                    tokio::time::sleep(Duration::from_millis(5 * (1 << attempt))).await;
                }
                r => return r,
            }
        }
    }

    async fn handle_once(&self, msg: &Incoming) -> Result<Handled, EngineError> {
        let mut conn = self.db.get().await?;
        conn.begin_write().await?;
        match self.run(&mut conn, msg).await {
            Ok(h) => {
                conn.commit().await?;
                Ok(h)
            }
            Err(e) => {
                if let Err(rb) = conn.rollback().await {
                    tracing::warn!(error = %rb, "rollback failed");
                }
                Err(e)
            }
        }
    }

    async fn run(&self, conn: &mut Conn, msg: &Incoming) -> Result<Handled, EngineError> {
        let now = self.now();
        let receipt = NewReceipt {
            message_id: &msg.key,
            update_id: msg.update_id,
            chat_id: msg.chat_id,
            user_id: Some(msg.user_id),
            received_at: now.naive_utc(),
            processed_at: None,
            payload: None,
        };
        if !queries::claim_message(conn, &receipt, now.naive_utc()).await? {
            return Ok(Handled::Duplicate);
        }
        if !msg.authorized {
            // Nothing is stored for an outsider but the message key.
            let html = crate::tr!(
                msg.lang,
                "Sorry, Radar is private. Your Telegram id is <code>{}</code>: ask the owner to add it to RADAR_ALLOWED_USERS.",
                "Извините, Radar — закрытый бот. Ваш id в Telegram: <code>{}</code>. Попросите владельца добавить его в RADAR_ALLOWED_USERS.",
                msg.user_id
            );
            return Ok(Handled::Replied(Reply {
                messages: vec![OutMessage {
                    html,
                    keyboard: None,
                }],
                outbox_ids: Vec::new(),
                outcome: Outcome::Unauthorized,
            }));
        }

        let project = queries::active_project(conn, msg.user_id).await?;
        let mut cx = apply::Cx {
            conn,
            engine: self,
            user: msg.user_id,
            lang: msg.lang,
            key: &msg.key,
            now: now.naive_utc(),
            at: msg
                .sent_at
                .map(|t| t.trunc_subsecs(6).naive_utc())
                .unwrap_or(now.naive_utc()),
            project,
            changed: false,
        };
        let body = cx.dispatch(&msg.input).await?;
        let outcome = if body.ignore {
            Outcome::Ignored
        } else if cx.changed {
            Outcome::Changed
        } else if body.rejected {
            Outcome::Rejected
        } else {
            Outcome::Unchanged
        };
        if body.ignore {
            return Ok(Handled::Replied(Reply {
                outcome,
                ..Reply::default()
            }));
        }
        let header = render::context_line(cx.project.as_ref().map(|p| p.name.as_str()), msg.lang);
        let messages = render::split_messages(&header, &body.text, body.keyboard);
        let rows: Vec<NewOutbox> = messages
            .iter()
            .map(|m| NewOutbox {
                chat_id: msg.chat_id,
                message_key: Some(msg.key.clone()),
                text: m.html.clone(),
                parse_mode: Some("HTML".into()),
                reply_markup: m.keyboard.as_ref().map(Keyboard::to_json),
                reply_to_message_id: msg.reply_to,
                created_at: now.naive_utc(),
                // The console prints its replies itself, in the same breath.
                sent_at: (msg.chat_id == crate::CONSOLE_CHAT_ID).then_some(now.naive_utc()),
            })
            .collect();
        let outbox_ids = queries::queue_replies(cx.conn, &rows).await?;
        Ok(Handled::Replied(Reply {
            messages,
            outbox_ids,
            outcome,
        }))
    }

    /// Marks outbox rows as delivered (the console prints its replies itself).
    pub async fn mark_sent(&self, ids: &[i64]) -> Result<(), EngineError> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut conn = self.db.get().await?;
        queries::mark_sent(&mut conn, ids, self.now().naive_utc()).await?;
        Ok(())
    }
}

/// A reply body before the context line is put on it.
#[derive(Debug, Default)]
struct Body {
    text: String,
    keyboard: Option<Keyboard>,
    rejected: bool,
    ignore: bool,
}

impl Body {
    fn ok(text: String) -> Body {
        Body {
            text,
            ..Body::default()
        }
    }
    fn rejected(text: String) -> Body {
        Body {
            text,
            rejected: true,
            ..Body::default()
        }
    }
    fn with_keyboard(mut self, k: Keyboard) -> Body {
        if !k.0.is_empty() {
            self.keyboard = Some(k);
        }
        self
    }
}
