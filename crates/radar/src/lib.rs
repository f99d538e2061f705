//! Radar: a Telegram bot that keeps a product owner's projects, features and
//! releases, with exactly-once commands, an active project on every reply and
//! an append-only event log.
//!
//! Layers: [`engine`] (parse → one transaction → reply; no Telegram),
//! [`store`] (the only place with SQL, one query path for PostgreSQL and
//! SQLite), and thin adapters: [`console`] (`radar chat`) and, for Telegram,
//! the `telegram` module.

pub mod board;
pub mod config;
pub mod console;
pub mod digest;
pub mod housekeeping;
pub mod metrics;
pub mod operator;
pub mod seed;
pub mod telegram;
