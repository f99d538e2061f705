//! Test support for Radar, never part of the product binary (a
//! dev-dependency only):
//!
//! - [`fake`]: a fake Telegram Bot API on loopback that behaves like Telegram
//!   where it matters (offsets and redelivery, 429 `retry_after`, 5xx,
//!   blocked chats, message limits);
//! - [`db`]: a fresh database per test on either backend ([`TestDb`]) and
//!   [`both!`], which runs a test body once per backend;
//! - [`serve`]: running the real `radar serve` binary against the fake;
//! - [`corpus`]: the language corpus and the fixed project state it is read
//!   against (the corpus test and `radar-bench parse`).

pub mod corpus;
pub mod db;
pub mod fake;
pub mod serve;

pub use db::{Backend, TestDb, counts, pg_admin_url};
pub use fake::FakeTelegram;
