//! The language corpus (`crates/radar-engine/tests/corpus/{en,ru}.tsv`):
//! realistic messages of product owners, each with what it must be
//! understood as against one fixed project state ([`world`]) on a fixed day
//! ([`parse_ctx`]). Read by the corpus test and by `radar-bench parse`.

use chrono::NaiveDate;
use radar_engine::language::{
    Command, FeatureView, Last, ParseCtx, ProjectView, Understanding, World, understand,
};
use radar_store::FeatureNumber;

/// One line of a corpus file.
#[derive(Debug, Clone)]
pub struct Entry {
    /// `en` or `ru`.
    pub lang: &'static str,
    /// The kind of message (`slash`, `named`, `pronoun`, `date`, `none`, …).
    pub kind: &'static str,
    pub message: &'static str,
    /// The canonical command (`Command::canonical`), `ask` or `none`.
    pub expected: &'static str,
    /// A message the user sent just before (pronouns), or empty.
    pub previous: &'static str,
}

const FILES: [(&str, &str); 2] = [
    ("en", include_str!("../../radar-engine/tests/corpus/en.tsv")),
    ("ru", include_str!("../../radar-engine/tests/corpus/ru.tsv")),
];

/// Every corpus line, English first.
pub fn entries() -> Vec<Entry> {
    let mut out = Vec::new();
    for (lang, file) in FILES {
        for line in file.lines().skip(1).filter(|l| !l.trim().is_empty()) {
            let cols: Vec<&'static str> = line.split('\t').collect();
            out.push(Entry {
                lang,
                kind: cols[0],
                message: cols.get(1).copied().unwrap_or(""),
                expected: cols.get(2).copied().unwrap_or(""),
                previous: cols.get(3).copied().unwrap_or(""),
            });
        }
    }
    out
}

/// The project state the corpus is written against: five projects (one
/// archived), Apollo active with 14 features (English and Russian names,
/// teams Core/Payments/Mobile, POs Anna/Boris) and releases 2.0, 2.1, 3.0.
pub fn world() -> World {
    let f = |n: i64, name: &str, teams: Option<&str>, po: Option<&str>| FeatureView {
        number: FeatureNumber(n),
        name: name.into(),
        teams: teams.map(Into::into),
        po: po.map(Into::into),
    };
    World {
        projects: ["Apollo", "Gemini", "Mercury Mobile", "Восход", "Legacy CRM"]
            .iter()
            .map(|n| ProjectView {
                name: n.to_string(),
                archived: *n == "Legacy CRM",
            })
            .collect(),
        active: Some("Apollo".into()),
        features: vec![
            f(1, "Login", Some("Core"), Some("Anna")),
            f(2, "Signup", None, None),
            f(3, "Payments", Some("Payments"), None),
            f(4, "Export to CSV", None, None),
            f(5, "Onboarding tour", None, None),
            f(6, "Push notifications", Some("Mobile"), None),
            f(7, "Dark mode", None, Some("Boris")),
            f(8, "Search", None, None),
            f(9, "Оплата", None, None),
            f(10, "Экспорт отчётов", None, None),
            f(11, "Личный кабинет", None, None),
            f(12, "Уведомления", None, None),
            f(13, "Payment history", None, None),
            f(14, "Admin panel", None, None),
        ]
        .into(),
        releases: vec!["2.0".into(), "2.1".into(), "3.0".into()].into(),
        last: Last::default(),
        ..World::default()
    }
}

/// The corpus's day (2026-12-02, a Wednesday) and bot name.
pub fn parse_ctx() -> ParseCtx<'static> {
    ParseCtx {
        bot_username: Some("radar_bot"),
        today: NaiveDate::from_ymd_opt(2026, 12, 2).expect("a date"),
    }
}

/// What a command leaves for the next message's pronouns.
pub fn last_of(c: &Command) -> Last {
    Last {
        feature: c.feature(),
        release: c.release().map(str::to_string),
        project: c.project().map(str::to_string),
        command: c.slash(),
    }
}

/// The world an entry is read in: [`world`] after its `previous` message.
pub fn world_for(e: &Entry) -> Result<World, String> {
    let mut w = world();
    if !e.previous.is_empty() {
        match understand(e.previous, &parse_ctx(), &w) {
            Understanding::Command(c) => w.last = last_of(&c),
            other => return Err(format!("PREVIOUS {:?} → {other:?}", e.previous)),
        }
    }
    Ok(w)
}
