//! Test support: a fresh database per test on either backend (a SQLite temp
//! file, or a new PostgreSQL database dropped afterwards), and a chat helper
//! that checks the context line on every reply.
#![allow(dead_code)]

pub mod serve;

use std::sync::atomic::{AtomicU64, Ordering};

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use radar::engine::{Engine, EngineConfig, Handled, Incoming, Input, Lang, Reply};
use radar::store::queries::{self, Counts};
use radar::store::{Db, DbUrl, MigrateOp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server the tests use (a database is created per test).
pub fn pg_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

pub struct TestDb {
    pub url: DbUrl,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

impl TestDb {
    /// A new empty database with the schema migrated.
    pub async fn new(backend: Backend) -> TestDb {
        let db = TestDb::empty(backend).await;
        radar::store::migrate(&db.url, MigrateOp::Run { dry_run: false })
            .await
            .expect("migrations run");
        db
    }

    /// A new database without any migration.
    pub async fn empty(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let path = dir.path().join("radar.db");
                TestDb {
                    url: DbUrl::Sqlite(path.to_string_lossy().into_owned()),
                    _dir: Some(dir),
                    pg_name: None,
                }
            }
            Backend::Postgres => {
                let name = format!(
                    "radar_test_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst),
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .unwrap()
                        .subsec_nanos()
                );
                let admin = pg_admin_url();
                let mut conn = AsyncPgConnection::establish(&admin).await.unwrap_or_else(|e| {
                    panic!("PostgreSQL is required for the tests ({admin}): {e}. Start it (see README) and run again.")
                });
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create database");
                let base = admin
                    .rsplit_once('/')
                    .map(|(b, _)| b.to_string())
                    .unwrap_or(admin.clone());
                TestDb {
                    url: DbUrl::Postgres(format!("{base}/{name}")),
                    _dir: None,
                    pg_name: Some(name),
                }
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match self.url {
            DbUrl::Sqlite(_) => Backend::Sqlite,
            DbUrl::Postgres(_) => Backend::Postgres,
        }
    }

    pub fn pool(&self) -> Db {
        Db::connect(&self.url, 8).expect("pool")
    }

    pub fn engine(&self) -> Engine {
        self.engine_with(EngineConfig::default())
    }

    pub fn engine_with(&self, cfg: EngineConfig) -> Engine {
        Engine::new(self.pool(), cfg)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            // Drop runs outside any runtime guarantee: use a thread with its own.
            let admin = pg_admin_url();
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async move {
                    if let Ok(mut conn) = AsyncPgConnection::establish(&admin).await {
                        let _ = diesel::sql_query(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        ))
                        .execute(&mut conn)
                        .await;
                    }
                });
            })
            .join();
        }
    }
}

pub async fn counts(engine: &Engine) -> Counts {
    let mut conn = engine.db().get().await.expect("connection");
    queries::counts(&mut conn).await.expect("counts")
}

/// Data events only (context switches are logged too, but are not data).
pub async fn data_events(engine: &Engine) -> i64 {
    let mut conn = engine.db().get().await.expect("connection");
    let all = queries::counts(&mut conn).await.expect("counts").events;
    let ctx: i64 = radar::dispatch!(&mut conn, |c| {
        use diesel::{ExpressionMethods, QueryDsl};
        radar::schema::event_log::table
            .filter(radar::schema::event_log::entity_type.eq("context"))
            .count()
            .get_result(c)
            .await
            .unwrap()
    });
    all - ctx
}

pub const CONTEXT_EN: &str = "📁 Project: ";
pub const CONTEXT_RU: &str = "📁 Контекст: Проект ";

/// A reply as the console shows it: plain text, buttons as `[label]`.
pub fn shown(r: &Reply) -> String {
    r.messages
        .iter()
        .map(radar::console::show)
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// One user talking to the engine; every reply is checked for the exact
/// context line naming the user's active project after the command.
pub struct Chat {
    pub engine: Engine,
    pub user: i64,
    pub chat_id: i64,
    pub lang: Lang,
    n: u64,
    tag: u64,
}

impl Chat {
    pub fn new(engine: &Engine, user: i64, lang: Lang) -> Chat {
        Chat {
            engine: engine.clone(),
            user,
            chat_id: user,
            lang,
            n: 0,
            tag: COUNTER.fetch_add(1, Ordering::SeqCst),
        }
    }

    pub fn next_key(&mut self) -> String {
        self.n += 1;
        format!("{}:{}{:04}", self.chat_id, self.tag, self.n)
    }

    pub fn incoming(&self, key: &str, input: Input) -> Incoming {
        Incoming {
            key: key.to_string(),
            update_id: None,
            chat_id: self.chat_id,
            user_id: self.user,
            lang: self.lang,
            input,
            authorized: true,
            reply_to: Some(1),
            sent_at: None,
        }
    }

    /// Sends a text with a fresh key; returns the plain reply (all parts).
    pub async fn say(&mut self, text: &str) -> String {
        let key = self.next_key();
        let r = self
            .say_key(&key, text)
            .await
            .expect("a new key gets a reply");
        shown(&r)
    }

    pub async fn press(&mut self, data: &str) -> String {
        let key = format!("cb:{}", self.next_key());
        let msg = self.incoming(&key, Input::Button(data.to_string()));
        shown(&self.send(&msg).await.expect("a new key gets a reply"))
    }

    /// Sends with a given key; `None` for a duplicate.
    pub async fn say_key(&mut self, key: &str, text: &str) -> Option<Reply> {
        let msg = self.incoming(key, Input::Text(text.to_string()));
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
        let mut conn = self.engine.db().get().await.unwrap();
        let active = queries::active_project(&mut conn, self.user).await.unwrap();
        let expected = match (active, self.lang) {
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
                m.html.chars().count() <= 4096,
                "message over 4096 characters"
            );
        }
    }
}

/// Runs an async test body once per backend: `both!(name, |b| async move { … })`
/// expands to `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                ($body)($crate::common::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                ($body)($crate::common::Backend::Postgres).await
            }
        }
    };
}
