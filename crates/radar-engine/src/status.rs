//! Feature statuses, the words understood for them in both languages, and
//! how they are shown (the labels are in the messages files).

use crate::Lang;
use crate::messages::t;

use FeatureStatus as Status;

pub use radar_store::FeatureStatus;

/// How Radar shows a status, and the one-letter code of status buttons.
pub trait StatusWords: Sized {
    /// The status word in `lang` (`status-*` in the messages files).
    fn label(self, lang: Lang) -> String;
    fn icon(self) -> &'static str;
    /// One-letter code used in button data (keeps callback data short).
    fn code(self) -> char;
}

/// The status a button's one-letter code stands for.
pub fn from_code(c: &str) -> Option<FeatureStatus> {
    FeatureStatus::ALL
        .iter()
        .copied()
        .find(|st| st.code().to_string() == c)
}

impl StatusWords for FeatureStatus {
    fn code(self) -> char {
        match self {
            Status::Backlog => 'b',
            Status::Planned => 'p',
            Status::InProgress => 'w',
            Status::Blocked => 'x',
            Status::Done => 'd',
            Status::Cancelled => 'c',
        }
    }

    fn label(self, lang: Lang) -> String {
        match self {
            Status::Backlog => t!(lang, "status-backlog"),
            Status::Planned => t!(lang, "status-planned"),
            Status::InProgress => t!(lang, "status-in-progress"),
            Status::Blocked => t!(lang, "status-blocked"),
            Status::Done => t!(lang, "status-done"),
            Status::Cancelled => t!(lang, "status-cancelled"),
        }
    }

    fn icon(self) -> &'static str {
        match self {
            Status::Backlog => "⚪",
            Status::Planned => "🗓",
            Status::InProgress => "🔵",
            Status::Blocked => "⛔",
            Status::Done => "✅",
            Status::Cancelled => "✖️",
        }
    }
}

/// Understands a status word in either language (and the stored spelling).
pub fn parse(word: &str) -> Option<FeatureStatus> {
    let w = word
        .trim()
        .trim_end_matches(['.', '!', '?'])
        .trim()
        .to_lowercase()
        .replace(['-', '_'], " ")
        .replace('ё', "е");
    let w = w.split_whitespace().collect::<Vec<_>>().join(" ");
    let w = [
        "is now ",
        "is ",
        "now ",
        "to ",
        "as ",
        "into ",
        "в статус ",
        "теперь ",
    ]
    .iter()
    .find_map(|p| w.strip_prefix(p))
    .unwrap_or(&w)
    .trim();
    Some(match w {
        "backlog" | "todo" | "to do" | "бэклог" | "беклог" | "бэклоге" | "беклоге" | "в бэклог"
        | "в бэклоге" => Status::Backlog,
        "planned"
        | "plan"
        | "scheduled"
        | "запланирована"
        | "запланировано"
        | "запланирован"
        | "в плане"
        | "план" => Status::Planned,
        "in progress"
        | "inprogress"
        | "wip"
        | "doing"
        | "started"
        | "in work"
        | "working"
        | "в работе"
        | "работе"
        | "в работу"
        | "работа"
        | "в процессе"
        | "делается"
        | "в разработке" => Status::InProgress,
        "blocked"
        | "block"
        | "stuck"
        | "on hold"
        | "заблокирована"
        | "заблокировано"
        | "заблокирован"
        | "блок"
        | "блокер"
        | "заблокировать" => Status::Blocked,
        "done" | "finished" | "complete" | "completed" | "ready" | "closed" | "готово"
        | "готова" | "готов" | "сделано" | "сделана" | "сделан" | "выполнено" | "выполнена"
        | "завершена" | "завершено" => Status::Done,
        "cancelled" | "canceled" | "cancel" | "dropped" | "abandoned" | "отменена" | "отменено"
        | "отменен" | "отмена" => Status::Cancelled,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_in_both_languages() {
        assert_eq!(parse("in progress"), Some(Status::InProgress));
        assert_eq!(parse("in_progress"), Some(Status::InProgress));
        assert_eq!(parse("WIP"), Some(Status::InProgress));
        assert_eq!(parse("В работе"), Some(Status::InProgress));
        assert_eq!(parse("is done!"), Some(Status::Done));
        assert_eq!(parse("сделано"), Some(Status::Done));
        assert_eq!(parse("готова"), Some(Status::Done));
        assert_eq!(parse("в бэклог"), Some(Status::Backlog));
        assert_eq!(parse("заблокирована"), Some(Status::Blocked));
        assert_eq!(parse("отменена"), Some(Status::Cancelled));
        assert_eq!(parse("canceled"), Some(Status::Cancelled));
        assert_eq!(parse("запланирована"), Some(Status::Planned));
        assert_eq!(parse("banana"), None);
        for &s in Status::ALL {
            assert_eq!(parse(s.as_str()), Some(s));
            for lang in Lang::ALL {
                assert_eq!(parse(&s.label(lang)), Some(s), "{lang:?}");
            }
            assert_eq!(from_code(&s.code().to_string()), Some(s));
        }
    }
}
