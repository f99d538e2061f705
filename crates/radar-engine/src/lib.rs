//! The engine: a message in, one transaction, a reply out. It knows nothing
//! of Telegram; the Telegram adapter and the console are thin adapters.
//!
//! The life of a message (spec §3): in one transaction, claim the message key
//! (a duplicate stops here and changes nothing), resolve the user's context,
//! parse, apply, append events, queue the reply in the outbox. Either all of
//! it happens or none of it.
//!
//! Where things live: [`language`] is the command language, [`apply`] what each
//! kind of command does (one module per kind, undo included), [`change`] the
//! typed events, [`describe`] and [`render`] the reply text, [`reject`] every
//! refusal. The words themselves are in one Fluent messages file per language
//! (`i18n/<code>/radar_engine.ftl`), read through [`messages`].

mod apply;
pub mod board;
pub mod buttons;
pub mod change;
pub mod check;
pub mod describe;
pub mod help;
pub mod insights;
mod lang;
pub mod language;
mod message;
pub mod messages;
pub mod period;
pub mod reject;
pub mod render;
pub mod status;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use chrono_tz::Tz;
use radar_store::group::{GroupCommit, GroupError};
use radar_store::outbox::{self, NewReply};
use radar_store::processed_messages::{self, NewReceipt};
use radar_store::{Conn, Db, StoreError, UserId, user_context, user_settings};

pub use lang::Lang;
pub use language::Command;
pub use message::{Addressed, Delivery, Handled, Incoming, Input, Outcome, Reply};
use messages::t;
pub use render::{Button, Keyboard, OutMessage};

use apply::{Cx, Done, Fail};
pub use apply::{Digest, DigestPass, digest_key};
use render::View;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A chart or an export could not be rendered.
    #[error("rendering a file failed: {0}")]
    Render(String),
}

impl EngineError {
    /// Worth running the whole transaction again (a lost race, a busy file).
    pub fn is_transient(&self) -> bool {
        match self {
            EngineError::Store(e) => e.is_transient(),
            EngineError::Render(_) => false,
        }
    }

    /// The database is away: the message should wait for it, not be dropped.
    pub fn is_unavailable(&self) -> bool {
        match self {
            EngineError::Store(e) => e.is_unavailable(),
            EngineError::Render(_) => false,
        }
    }

    /// The sentence a user sees when something failed on our side.
    pub fn user_message(&self, lang: Lang) -> String {
        if self.is_unavailable() {
            t!(lang, "error-unavailable")
        } else {
            t!(lang, "error-internal")
        }
    }
}

/// Where "now" comes from: the system clock, or a settable one in tests.
#[derive(Clone, Default)]
pub enum Clock {
    #[default]
    System,
    Fixed(Arc<Mutex<DateTime<Utc>>>),
    /// The system clock moved by a fixed amount (`RADAR_TEST_CLOCK`: tests
    /// of the binary start it at a chosen instant, and it runs on from there).
    Shifted(chrono::Duration),
}

impl Clock {
    pub fn fixed(t: DateTime<Utc>) -> Clock {
        Clock::Fixed(Arc::new(Mutex::new(t)))
    }

    /// A clock that reads `start` now and runs on at the system's pace.
    pub fn starting_at(start: DateTime<Utc>) -> Clock {
        Clock::Shifted(start - Utc::now())
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
            Clock::Shifted(d) => Utc::now() + *d,
        };
        t.trunc_subsecs(6)
    }
}

#[derive(Clone)]
pub struct EngineConfig {
    pub tz: Tz,
    /// The bot's username, to tell `/cmd@us` from `/cmd@otherbot`.
    pub bot_username: Option<String>,
    pub clock: Clock,
    /// The board's address (`RADAR_PUBLIC_URL` + `/app`) when the Mini App
    /// is on: `/features` in a private chat then offers an "Open board" button.
    pub board_url: Option<String>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            tz: chrono_tz::UTC,
            bot_username: None,
            clock: Clock::System,
            board_url: None,
        }
    }
}

/// The engine. Cheap to clone (the pool is shared).
#[derive(Clone)]
pub struct Engine {
    db: Db,
    cfg: Arc<EngineConfig>,
    /// Messages are applied through the group commit when it is on
    /// ([`Engine::with_group_commit`]); else each in its own transaction.
    group: Option<GroupCommit>,
    /// The names messages are understood in, per names version.
    names: Arc<apply::world::NamesCache>,
}

/// How many times a transaction that lost a race (unique key, serialization,
/// busy file, dropped connection) is run again before giving up.
pub(crate) const MAX_ATTEMPTS: u32 = 5;

impl Engine {
    pub fn new(db: Db, cfg: EngineConfig) -> Engine {
        Engine {
            db,
            cfg: Arc::new(cfg),
            group: None,
            names: Arc::default(),
        }
    }

    /// Applies messages through `group`: several messages (of different
    /// chats) share one write transaction and one durable commit, each in
    /// its own savepoint (see [`radar_store::group`]).
    pub fn with_group_commit(mut self, group: GroupCommit) -> Engine {
        self.group = Some(group);
        self
    }

    /// The group commit the engine writes through, if any (the adapters
    /// put their own writes in the same groups).
    pub fn group_commit(&self) -> Option<&GroupCommit> {
        self.group.as_ref()
    }

    pub(crate) fn names_cache(&self) -> &apply::world::NamesCache {
        &self.names
    }

    pub fn config(&self) -> &EngineConfig {
        &self.cfg
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.cfg.clock.now()
    }

    /// Today's date in `tz`.
    fn today_in(&self, tz: Tz) -> NaiveDate {
        self.now().with_timezone(&tz).date_naive()
    }

    /// The language and time zone a user reads replies in: their settings
    /// (`/lang`, `/timezone`), else the client's language and `RADAR_TIMEZONE`.
    async fn reader(
        &self,
        conn: &mut Conn,
        user: UserId,
        client: Lang,
    ) -> Result<(Lang, Tz), EngineError> {
        let s = user_settings::get(conn, user).await?;
        Ok(self.reading(s, client))
    }

    /// [`Engine::reader`] from settings already read.
    fn reading(&self, s: Option<user_settings::Settings>, client: Lang) -> (Lang, Tz) {
        let lang = s
            .and_then(|s| s.language)
            .map(Lang::from_store)
            .unwrap_or(client);
        let tz = s.and_then(|s| s.time_zone).map_or(self.cfg.tz, |z| z.0);
        (lang, tz)
    }

    /// Handles one message exactly once: a key seen before returns
    /// [`Handled::Duplicate`] and changes nothing.
    ///
    /// With the group commit on, the message is applied in the next group;
    /// when that group could not be committed, or the message lost a race
    /// (a transient error), it is applied again in a transaction of its own.
    pub async fn handle(&self, msg: &Incoming) -> Result<Handled, EngineError> {
        if let Some(group) = &self.group {
            let engine = self.clone();
            let m = msg.clone();
            let grouped = group
                .run(move |conn| Box::pin(async move { engine.run(conn, &m).await }))
                .await;
            match grouped {
                Ok(handled) => return Ok(handled),
                Err(GroupError::Failed(e)) if !e.is_transient() => return Err(e),
                Err(_) => {}
            }
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = async {
                let mut conn = self.db.get().await?;
                radar_store::write(&mut conn, async |conn| self.run(conn, msg).await).await
            }
            .await;
            match result {
                Err(e) if e.is_transient() && attempt < MAX_ATTEMPTS => {
                    tracing::debug!(key = %msg.key, attempt, error = %e, "transaction retried");
                    tokio::time::sleep(Duration::from_millis(5 * (1 << attempt))).await;
                }
                r => return r,
            }
        }
    }

    async fn run(&self, conn: &mut Conn, msg: &Incoming) -> Result<Handled, EngineError> {
        let now = self.now();
        let receipt = NewReceipt {
            message_id: &msg.key,
            update_id: msg.update_id,
            chat_id: msg.chat,
            user_id: Some(msg.user),
            received_at: now.naive_utc(),
            processed_at: None,
            payload: None,
        };
        if !processed_messages::claim(conn, &receipt, now.naive_utc()).await? {
            return Ok(Handled::Duplicate);
        }
        // In a group Radar speaks only when addressed, and never to an
        // outsider there (their line goes to a private chat only).
        if msg.addressed == Addressed::NotAddressed
            || (msg.addressed.in_group() && !msg.authorized && !msg.anonymous)
        {
            return Ok(Handled::Replied(Reply {
                outcome: Outcome::Ignored,
                ..Reply::default()
            }));
        }
        if msg.anonymous {
            // Not stored: nobody can be identified.
            return Ok(Handled::Replied(Reply {
                messages: vec![OutMessage {
                    html: t!(msg.lang, "anonymous-admin"),
                    keyboard: None,
                    file: None,
                }],
                outbox_ids: Vec::new(),
                outcome: Outcome::Unauthorized,
            }));
        }
        if !msg.authorized {
            // Nothing is stored for an outsider but the message key.
            let html = t!(msg.lang, "outsider", id = msg.user.to_string());
            return Ok(Handled::Replied(Reply {
                messages: vec![OutMessage {
                    html,
                    keyboard: None,
                    file: None,
                }],
                outbox_ids: Vec::new(),
                outcome: Outcome::Unauthorized,
            }));
        }

        let context = user_context::load(conn, msg.user).await?;
        let (lang, tz) = self.reading(context.settings, msg.lang);
        let versions = (
            context.projects_version,
            context
                .project
                .as_ref()
                .map(|p| (p.id, context.project_version)),
        );
        let mut cx = Cx {
            conn,
            engine: self,
            user: msg.user,
            lang,
            client_lang: msg.lang,
            tz,
            key: &msg.key,
            now: now.naive_utc(),
            at: msg
                .sent_at
                .map(|t| t.trunc_subsecs(6).naive_utc())
                .unwrap_or(now.naive_utc()),
            project: context.project,
            conversation: context.conversation,
            versions,
            names: None,
            data_events: 0,
            touched: apply::Touched::default(),
            addressed: msg.addressed,
        };
        let done = match cx.dispatch(&msg.input).await {
            Ok(done) => done,
            Err(Fail::Rejected(r)) => Done {
                outcome: Outcome::Rejected,
                text: r.render(&cx.view()),
                keyboard: None,
                files: Vec::new(),
            },
            Err(Fail::Ignored) => {
                return Ok(Handled::Replied(Reply {
                    outcome: Outcome::Ignored,
                    ..Reply::default()
                }));
            }
            Err(Fail::Engine(e)) => return Err(e),
        };
        debug_assert_eq!(
            done.outcome == Outcome::Changed,
            cx.data_events > 0,
            "a command is changed exactly when it wrote data events"
        );
        // In the language the command leaves (a `/lang` reply is in the new one).
        let lang = cx.lang;
        let header = render::context_line(cx.project.as_ref().map(|p| p.name.as_str()), lang);
        let (messages, outbox_ids) = queue_reply(
            cx.conn,
            msg,
            &header,
            &done.text,
            done.keyboard,
            done.files,
            done.outcome,
            now,
        )
        .await?;
        Ok(Handled::Replied(Reply {
            messages,
            outbox_ids,
            outcome: done.outcome,
        }))
    }

    /// An update that could not be applied (a poison message, or one the
    /// database refused): its key is recorded as processed, so it does not
    /// block its chat, and an apology is queued that looks like every other
    /// reply — the context line first, as a reply to the message.
    pub async fn give_up(&self, msg: &Incoming, error: &EngineError) -> Result<Reply, EngineError> {
        let now = self.now();
        let mut conn = self.db.get().await?;
        radar_store::write(&mut conn, async |conn| {
            processed_messages::give_up(conn, &msg.key, now.naive_utc()).await?;
            if !msg.authorized || msg.anonymous || msg.addressed == Addressed::NotAddressed {
                return Ok(Reply {
                    outcome: Outcome::Ignored,
                    ..Reply::default()
                });
            }
            let project = user_context::active_project(conn, msg.user).await?;
            let (lang, _) = self.reader(conn, msg.user, msg.lang).await?;
            let header = render::context_line(project.as_ref().map(|p| p.name.as_str()), lang);
            let text = error.user_message(lang);
            let (messages, outbox_ids) = queue_reply(
                conn,
                msg,
                &header,
                &text,
                None,
                Vec::new(),
                Outcome::Rejected,
                now,
            )
            .await?;
            Ok(Reply {
                messages,
                outbox_ids,
                outcome: Outcome::Rejected,
            })
        })
        .await
    }
}

/// Splits a reply into messages and queues them in the outbox (in the
/// caller's transaction). A button press's result replaces the message that
/// carried the button (the first part; further parts follow as messages);
/// a refused press ("this button is outdated") leaves it as it is.
#[allow(clippy::too_many_arguments)]
async fn queue_reply(
    conn: &mut Conn,
    msg: &Incoming,
    header: &str,
    text: &str,
    keyboard: Option<render::Keyboard>,
    files: Vec<(render::File, String)>,
    outcome: Outcome,
    now: DateTime<Utc>,
) -> Result<(Vec<OutMessage>, Vec<radar_store::OutboxId>), EngineError> {
    // Files first, each with its caption; then the text, if any.
    let mut messages: Vec<OutMessage> = Vec::new();
    for (file, caption) in files {
        messages.extend(render::file_messages(header, &caption, file));
    }
    if messages.is_empty() || !text.is_empty() || keyboard.is_some() {
        messages.extend(render::split_messages(header, text, keyboard));
    }
    let (reply_to, sent_at) = match msg.delivery {
        Delivery::Outbox { reply_to } => (reply_to, None),
        Delivery::Inline => (None, Some(now.naive_utc())),
    };
    let edit = msg.edits.filter(|_| outcome != Outcome::Rejected);
    let rows: Vec<NewReply> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            // A file cannot replace a text message: it is sent as a new one.
            let edit_message_id = edit.filter(|_| i == 0 && m.file.is_none());
            NewReply {
                chat_id: msg.chat,
                message_key: Some(msg.key.clone()),
                text: m.html.clone(),
                parse_mode: Some("HTML".into()),
                reply_markup: m.keyboard.as_ref().map(render::Keyboard::to_json),
                reply_to_message_id: if edit_message_id.is_some() {
                    None
                } else {
                    reply_to
                },
                created_at: now.naive_utc(),
                sent_at,
                edit_message_id,
            }
        })
        .collect();
    let ids = outbox::queue(conn, &rows).await?;
    for (m, id) in messages.iter().zip(&ids) {
        if let Some(f) = &m.file {
            radar_store::outbox_attachments::insert(
                conn,
                &radar_store::outbox_attachments::Attachment {
                    outbox_id: *id,
                    kind: f.kind,
                    file_name: f.name.clone(),
                    bytes: f.bytes.clone(),
                },
            )
            .await?;
        }
    }
    Ok((messages, ids))
}

/// The reader of a reply, for rendering outside a command (e.g. tests).
pub fn view(lang: Lang, tz: Tz, me: radar_store::UserId) -> View {
    View { lang, tz, me }
}
