//! Lexicons: the words of each language, one file per language. A lexicon
//! gives words to named classes (`@move`, `@feature_noun`, …), the status
//! words, numbers, months and weekdays, and its own rules (templates per
//! intent, see `pattern.rs`). Both languages are merged into one grammar, so
//! a message is understood in either language, or in a mix of both; adding
//! a language is a new file here (and a new messages file), nothing else.

pub mod en;
pub mod ru;

use radar_store::FeatureStatus;

use super::table::Intent;

/// The words of one language. Every phrase is written as a user would type
/// it; the grammar normalizes it the same way as a message.
pub struct Lexicon {
    /// Words dropped wherever they appear ("please", "пожалуйста").
    pub fillers: &'static [&'static str],
    /// Words dropped at the start of a message ("ok", "and", "ну").
    pub openers: &'static [&'static str],
    /// Named word classes used by the rules as `@name`. A class may be
    /// given words by several lexicons; a phrase may have several words.
    pub classes: &'static [(&'static str, &'static [&'static str])],
    /// Words for each status, as adjectives or nouns ("done", "в работе").
    pub statuses: &'static [(FeatureStatus, &'static [&'static str])],
    /// Verbs that set a status ("finish" → done, "заблокируй" → blocked).
    pub status_verbs: &'static [(FeatureStatus, &'static [&'static str])],
    /// Cardinal numbers in words (all forms).
    pub numbers: &'static [(&'static str, u32)],
    /// Ordinal numbers in words (all forms): "second", "вторую".
    pub ordinals: &'static [(&'static str, u32)],
    /// Month names and abbreviations, January first (all forms).
    pub months: [&'static [&'static str]; 12],
    /// Weekday names, Monday first (all forms).
    pub weekdays: [&'static [&'static str]; 7],
    /// Time zone names people use ("москва" → Europe/Moscow).
    pub zones: &'static [(&'static str, &'static [&'static str])],
    /// Language names (`/lang`): code and the words for it.
    pub languages: &'static [(&'static str, &'static [&'static str])],
    /// The rules: templates per intent.
    pub rules: &'static [(Intent, &'static [&'static str])],
}

/// Every lexicon Radar knows.
pub const ALL: &[&Lexicon] = &[&en::LEXICON, &ru::LEXICON];
