//! What comes in (a message from any adapter) and what goes out (the reply
//! and how the command ended).

use chrono::{DateTime, Utc};
use radar_store::{ChatId, OutboxId, UserId};

use crate::Lang;
use crate::render::OutMessage;

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
    /// A console line that is not valid UTF-8: answered with an error,
    /// nothing applied.
    NotUtf8,
    /// A forwarded message: its text is someone else's words, never a command.
    Forwarded,
}

/// Where a message was written and whether it speaks to Radar (spec §4,
/// groups: Radar acts only when addressed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Addressed {
    /// A private chat (or the console): every message is for Radar.
    #[default]
    Private,
    /// In a group: a command (`/cmd`, `/cmd@radar_bot`) or a button press.
    Command,
    /// In a group: a message mentioning the bot (the mention removed).
    Mention,
    /// In a group: a reply to one of Radar's messages; acted on only when it
    /// is a command (slash or a phrase the language reads fully).
    ReplyToBot,
    /// In a group, not for Radar (chatter, service messages): ignored
    /// silently, only its key recorded.
    NotAddressed,
}

impl Addressed {
    pub fn in_group(self) -> bool {
        self != Addressed::Private
    }
}

/// How a reply reaches its reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Queued in the outbox for the Telegram adapter to send, as a reply to
    /// the given message.
    Outbox { reply_to: Option<i64> },
    /// Shown by the adapter itself as soon as the command returns (the
    /// console, the seed): stored in the outbox as already sent.
    Inline,
}

/// One incoming message, from any adapter. Build it with the constructor of
/// its source, so its message key has the source's shape (spec §3).
#[derive(Debug, Clone)]
pub struct Incoming {
    /// The idempotency key: `chat:message`, `cb:<id>`, `edit:chat:message:date`, `console:…`.
    pub key: String,
    pub update_id: Option<i64>,
    pub chat: ChatId,
    pub user: UserId,
    pub lang: Lang,
    pub input: Input,
    /// Whether the sender may use Radar (the allowlist, checked by the adapter).
    pub authorized: bool,
    pub delivery: Delivery,
    /// When the user sent it; the events' `timestamp`. Defaults to now.
    pub sent_at: Option<DateTime<Utc>>,
    /// A button press's message: its reply edits that message (spec §4:
    /// a pressed button edits its message to show the result).
    pub edits: Option<i64>,
    /// Private chat, or how a group message addresses Radar.
    pub addressed: Addressed,
    /// Sent by an anonymous group admin (on behalf of the group): nobody
    /// can be identified, so nothing is done.
    pub anonymous: bool,
}

impl Incoming {
    /// A Telegram message (text or not): key `chat:message`.
    pub fn telegram_message(
        chat: ChatId,
        message_id: i64,
        user: UserId,
        lang: Lang,
        input: Input,
        sent_at: DateTime<Utc>,
    ) -> Incoming {
        Incoming {
            key: format!("{}:{message_id}", chat.0),
            update_id: None,
            chat,
            user,
            lang,
            input,
            authorized: false,
            delivery: Delivery::Outbox {
                reply_to: Some(message_id),
            },
            sent_at: Some(sent_at),
            edits: None,
            addressed: Addressed::Private,
            anonymous: false,
        }
    }

    /// An edited Telegram message: key `edit:chat:message:edit_date`, so an
    /// edit is neither a duplicate of its original nor executed.
    pub fn telegram_edit(
        chat: ChatId,
        message_id: i64,
        edit_date: i64,
        user: UserId,
        lang: Lang,
    ) -> Incoming {
        Incoming {
            key: format!("edit:{}:{message_id}:{edit_date}", chat.0),
            update_id: None,
            chat,
            user,
            lang,
            input: Input::Edited,
            authorized: false,
            delivery: Delivery::Outbox {
                reply_to: Some(message_id),
            },
            sent_at: None,
            edits: None,
            addressed: Addressed::Private,
            anonymous: false,
        }
    }

    /// A button press: key `cb:<callback query id>`.
    pub fn telegram_button(
        callback_id: &str,
        chat: ChatId,
        message_id: Option<i64>,
        user: UserId,
        lang: Lang,
        data: String,
    ) -> Incoming {
        Incoming {
            key: format!("cb:{callback_id}"),
            update_id: None,
            chat,
            user,
            lang,
            input: Input::Button(data),
            authorized: false,
            delivery: Delivery::Outbox {
                reply_to: message_id,
            },
            sent_at: None,
            edits: message_id,
            addressed: Addressed::Private,
            anonymous: false,
        }
    }

    /// A change made on the board (the Mini App): key `app:<user>:<key>`,
    /// the page's idempotency key, so a retried request applies once. Its
    /// reply goes back to the page, not to the chat.
    pub fn app(user: UserId, key: &str, lang: Lang, input: Input) -> Incoming {
        Incoming {
            key: format!("app:{}:{key}", user.0),
            update_id: None,
            chat: ChatId(user.0),
            user,
            lang,
            input,
            authorized: false,
            delivery: Delivery::Inline,
            sent_at: None,
            edits: None,
            addressed: Addressed::Private,
            anonymous: false,
        }
    }

    /// A line typed in `radar chat` (always allowed): key
    /// `console:<user>:<run>:<n>`, unique across runs when `run` is.
    pub fn console(run: &str, n: u64, user: UserId, lang: Lang, text: &str) -> Incoming {
        Incoming::console_input(run, n, user, lang, Input::Text(text.to_string()))
    }

    /// Like [`Incoming::console`], for any input (a line that is not text).
    pub fn console_input(run: &str, n: u64, user: UserId, lang: Lang, input: Input) -> Incoming {
        Incoming {
            key: format!("console:{}:{run}:{n}", user.0),
            update_id: None,
            chat: ChatId(0),
            user,
            lang,
            input,
            authorized: true,
            delivery: Delivery::Inline,
            sent_at: None,
            edits: None,
            addressed: Addressed::Private,
            anonymous: false,
        }
    }

    /// The `n`th command of `radar seed`: key `seed:<n>`, the same every run,
    /// so a second seed changes nothing.
    pub fn seed(n: usize, user: UserId, text: &str) -> Incoming {
        Incoming {
            key: format!("seed:{n}"),
            update_id: None,
            chat: ChatId(0),
            user,
            lang: Lang::En,
            input: Input::Text(text.to_string()),
            authorized: true,
            delivery: Delivery::Inline,
            sent_at: None,
            edits: None,
            addressed: Addressed::Private,
            anonymous: false,
        }
    }

    /// A command from the load generator, queued like a Telegram reply.
    pub fn bench(key: String, chat: ChatId, user: UserId, text: String) -> Incoming {
        Incoming {
            key,
            update_id: None,
            chat,
            user,
            lang: Lang::En,
            input: Input::Text(text),
            authorized: true,
            delivery: Delivery::Outbox { reply_to: Some(1) },
            sent_at: None,
            edits: None,
            addressed: Addressed::Private,
            anonymous: false,
        }
    }

    /// The Telegram update this came in (stored with the receipt).
    pub fn with_update_id(mut self, update_id: i64) -> Incoming {
        self.update_id = Some(update_id);
        self
    }

    /// Where the message was written (see [`Addressed`]).
    pub fn with_addressed(mut self, addressed: Addressed) -> Incoming {
        self.addressed = addressed;
        self
    }

    /// Sent on behalf of the group by an anonymous admin.
    pub fn with_anonymous(mut self, anonymous: bool) -> Incoming {
        self.anonymous = anonymous;
        self
    }

    /// Whether the sender is allowed (the adapter checks the allowlist).
    pub fn with_authorized(mut self, authorized: bool) -> Incoming {
        self.authorized = authorized;
        self
    }
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
    pub outbox_ids: Vec<OutboxId>,
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

/// How a command ended (also the `commands by outcome` metric).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Outcome {
    /// Data changed (events were written).
    Changed,
    /// A valid command that changed nothing (a read, or a no-op).
    #[default]
    Unchanged,
    /// Not a valid command, or not possible now: a clear reply, nothing changed.
    Rejected,
    /// A sender not on the allowlist.
    Unauthorized,
    /// Not for us (a command addressed to another bot): no reply.
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
