//! Engine test support: one user talking to the engine, with every reply
//! checked for the exact context line of the user's active project.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};

use radar_engine::{Engine, EngineConfig, Handled, Incoming, Input, Lang, Reply};
use radar_store::{ChatId, Db, UserId, user_context};
use radar_testkit::TestDb;

#[allow(unused_imports)]
pub use radar_testkit::counts;

static COUNTER: AtomicU64 = AtomicU64::new(0);

pub const CONTEXT_EN: &str = "📁 Project: ";
pub const CONTEXT_RU: &str = "📁 Контекст: Проект ";

pub fn engine(db: &TestDb) -> Engine {
    engine_with(db, EngineConfig::default())
}

pub fn engine_with(db: &TestDb, cfg: EngineConfig) -> Engine {
    Engine::new(db.pool(), cfg)
}

/// A reply as the console shows it: plain text, buttons as `[label]`.
pub fn shown(r: &Reply) -> String {
    r.messages
        .iter()
        .map(|m| {
            let mut s = m.plain();
            if let Some(k) = &m.keyboard {
                for row in &k.0 {
                    s.push('\n');
                    s.push_str(
                        &row.iter()
                            .map(|b| format!("[{}]", b.text))
                            .collect::<Vec<_>>()
                            .join(" "),
                    );
                }
            }
            s
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// One user talking to the engine in their private chat.
pub struct Chat {
    pub engine: Engine,
    pub db: Db,
    pub user: UserId,
    pub chat: ChatId,
    pub lang: Lang,
    n: u64,
    tag: u64,
}

impl Chat {
    pub fn new(engine: &Engine, db: &Db, user: i64, lang: Lang) -> Chat {
        Chat {
            engine: engine.clone(),
            db: db.clone(),
            user: UserId(user),
            chat: ChatId(user),
            lang,
            n: 0,
            tag: COUNTER.fetch_add(1, Ordering::SeqCst),
        }
    }

    /// A fresh message id (unique across chats of one test run).
    pub fn next_id(&mut self) -> i64 {
        self.n += 1;
        (self.tag * 10_000 + self.n) as i64
    }

    /// A text message with the given message id.
    pub fn message(&self, message_id: i64, text: &str) -> Incoming {
        Incoming::telegram_message(
            self.chat,
            message_id,
            self.user,
            self.lang,
            Input::Text(text.to_string()),
            self.engine.now(),
        )
        .with_authorized(true)
    }

    /// Sends a text with a fresh key; returns the plain reply (all parts).
    pub async fn say(&mut self, text: &str) -> String {
        let id = self.next_id();
        let r = self
            .send(&self.message(id, text))
            .await
            .expect("a new key gets a reply");
        shown(&r)
    }

    /// Like `say`, returning the whole reply.
    pub async fn reply(&mut self, text: &str) -> Reply {
        let id = self.next_id();
        self.send(&self.message(id, text))
            .await
            .expect("a new key gets a reply")
    }

    /// Presses a button; returns the whole reply.
    pub async fn press_reply(&mut self, data: &str) -> Reply {
        let id = format!("{}", self.next_id());
        let msg = Incoming::telegram_button(
            &id,
            self.chat,
            Some(1),
            self.user,
            self.lang,
            data.to_string(),
        )
        .with_authorized(true);
        self.send(&msg).await.expect("a new key gets a reply")
    }

    pub async fn press(&mut self, data: &str) -> String {
        let id = format!("{}", self.next_id());
        let msg = Incoming::telegram_button(
            &id,
            self.chat,
            Some(1),
            self.user,
            self.lang,
            data.to_string(),
        )
        .with_authorized(true);
        shown(&self.send(&msg).await.expect("a new key gets a reply"))
    }

    /// Sends with a given message id; `None` for a duplicate.
    pub async fn say_id(&mut self, message_id: i64, text: &str) -> Option<Reply> {
        let msg = self.message(message_id, text);
        self.send(&msg).await
    }

    pub async fn send(&mut self, msg: &Incoming) -> Option<Reply> {
        match self
            .engine
            .handle(msg)
            .await
            .expect("engine handles the message")
        {
            Handled::Duplicate => None,
            Handled::Replied(r) => {
                self.check_context(&r).await;
                Some(r)
            }
        }
    }

    /// Every message starts with the exact context line of the active project.
    pub async fn check_context(&self, r: &Reply) {
        if r.messages.is_empty() {
            return;
        }
        let mut conn = self.db.get().await.unwrap();
        let active = user_context::active_project(&mut conn, self.user)
            .await
            .unwrap();
        // The user's language setting (`/lang`) wins over their client's.
        let lang = radar_store::user_settings::get(&mut conn, self.user)
            .await
            .unwrap()
            .and_then(|s| s.language)
            .map_or(self.lang, Lang::from_store);
        let expected = match (active, lang) {
            (Some(p), Lang::En) => format!("{CONTEXT_EN}{}", p.name),
            (Some(p), Lang::Ru) => format!("{CONTEXT_RU}{}", p.name),
            (None, Lang::En) => "📁 Project: none".to_string(),
            (None, Lang::Ru) => "📁 Контекст: проект не выбран".to_string(),
        };
        for m in &r.messages {
            let plain = m.plain();
            let first = plain.lines().next().unwrap_or_default();
            assert_eq!(first, expected, "context line of reply:\n{plain}");
            assert!(
                radar_engine::render::units(&m.html) <= 4096,
                "message over 4096 UTF-16 units"
            );
        }
    }
}

/// A fresh engine on the test database and a pool to look at it directly.
pub fn setup(db: &TestDb) -> (Engine, Db) {
    (engine(db), db.pool())
}

pub fn setup_with(db: &TestDb, cfg: EngineConfig) -> (Engine, Db) {
    (engine_with(db, cfg), db.pool())
}

/// Data events only (context switches are logged too, but are not data).
pub async fn data_events(db: &Db) -> i64 {
    let mut conn = db.get().await.expect("connection");
    radar_store::test_support::data_events(&mut conn)
        .await
        .expect("count")
}
