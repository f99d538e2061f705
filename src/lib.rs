//! Radar: a Telegram bot that keeps a product owner's projects, features and
//! releases, with exactly-once commands, an active project on every reply and
//! an append-only event log.
//!
//! Layers: [`engine`] (parse → one transaction → reply; no Telegram),
//! [`store`] (the only place with SQL, one query path for PostgreSQL and
//! SQLite), and thin adapters: [`console`] (`radar chat`) and, for Telegram,
//! the `telegram` module.

pub mod bench;
pub mod config;
pub mod console;
pub mod engine;
pub mod fake_telegram;
pub mod metrics;
pub mod schema;
pub mod seed;
pub mod store;
pub mod telegram;

/// The chat id used for messages that do not come from Telegram (the console,
/// the seed). Telegram never uses 0; replies to it are stored as delivered.
pub const CONSOLE_CHAT_ID: i64 = 0;
