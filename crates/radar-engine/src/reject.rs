//! Why a message changed nothing: every refusal is a value, rendered into a
//! clear sentence in the user's language by [`Rejection::render`].

use radar_store::FeatureNumber;

use crate::change::Event;
use crate::describe::{describe_change, entity_title};
use crate::parse::ParseError;
use crate::render::{View, esc};
use crate::status::StatusWords;
use crate::{Lang, tr};

/// A message that is not a valid command, or a command that cannot be done now.
#[derive(Debug, Clone, PartialEq)]
pub enum Rejection {
    Parse(ParseError),
    Edited,
    Forwarded,
    NonText,
    NoProject,
    /// The active project is archived and the command would change it.
    Archived {
        project: String,
    },
    NoFeature {
        number: FeatureNumber,
        project: String,
    },
    /// A button named a feature that was deleted since.
    FeatureGone,
    /// A button named a project that was deleted since.
    ProjectGone,
    UnknownProject {
        name: String,
        suggestions: Vec<String>,
    },
    UnknownRelease {
        version: String,
        known: Vec<String>,
    },
    /// Someone changed the same thing after the event to undo.
    UndoConflict {
        event: Box<Event>,
        later: Box<Event>,
    },
    /// Undoing would need something that is gone.
    UndoImpossible(UndoImpossible),
    /// The event to undo cannot be read.
    UndoUnreadable,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UndoImpossible {
    /// Restoring a feature or release whose project was deleted since.
    ProjectGone,
    /// Removing a release that features are planned into.
    ReleaseInUse { version: String },
    /// Putting a feature back into a release that was deleted since.
    ReleaseGone,
}

impl From<ParseError> for Rejection {
    fn from(e: ParseError) -> Self {
        Rejection::Parse(e)
    }
}

impl Rejection {
    pub fn render(&self, v: &View) -> String {
        let lang = v.lang;
        match self {
            Rejection::Parse(e) => parse_error(e, lang),
            Rejection::Edited => tr!(
                lang,
                "✏️ Edits are not applied. Send the corrected command as a new message.",
                "✏️ Правки сообщений не применяются. Отправьте исправленную команду новым сообщением."
            ),
            Rejection::Forwarded => tr!(
                lang,
                "↪️ Forwarded messages are not executed. Send the command yourself.",
                "↪️ Пересланные сообщения не выполняются. Отправьте команду сами."
            ),
            Rejection::NonText => tr!(
                lang,
                "I only understand text commands. Try /help.",
                "Я понимаю только текстовые команды. Попробуйте /help."
            ),
            Rejection::NoProject => tr!(
                lang,
                "No active project yet. Create one with /newproject NAME, or pick one: /projects",
                "Проект не выбран. Создайте его: /newproject НАЗВАНИЕ — или выберите: /projects"
            ),
            Rejection::Archived { project } => tr!(
                lang,
                "Project <b>{}</b> is archived: it can be read but not changed. /undo the archiving to change it again.",
                "Проект <b>{}</b> в архиве: его можно смотреть, но не менять. Чтобы вернуть, отмените архивацию (/undo).",
                esc(project)
            ),
            Rejection::NoFeature { number, project } => tr!(
                lang,
                "There is no feature #{} in {}. See /features all",
                "В проекте {1} нет фичи #{0}. Список: /features all",
                number,
                esc(project)
            ),
            Rejection::FeatureGone => tr!(
                lang,
                "That feature no longer exists. Nothing changed.",
                "Этой фичи больше нет. Ничего не изменилось."
            ),
            Rejection::ProjectGone => tr!(
                lang,
                "That project no longer exists. See /projects",
                "Этого проекта больше нет. Список: /projects"
            ),
            Rejection::UnknownProject { name, suggestions } if suggestions.is_empty() => tr!(
                lang,
                "There is no project «{}». See /projects",
                "Проекта «{}» нет. Список: /projects",
                esc(name)
            ),
            Rejection::UnknownProject { name, suggestions } => {
                let list = suggestions
                    .iter()
                    .map(|s| format!("<b>{}</b>", esc(s)))
                    .collect::<Vec<_>>()
                    .join(", ");
                tr!(
                    lang,
                    "There is no project «{}». Did you mean: {}?",
                    "Проекта «{}» нет. Может быть, вы имели в виду: {}?",
                    esc(name),
                    list
                )
            }
            Rejection::UnknownRelease { version, known } => {
                let mut text = tr!(
                    lang,
                    "There is no release «{}». Create it: /release {}",
                    "Релиза «{}» нет. Создайте: /release {}",
                    esc(version),
                    esc(version)
                );
                if !known.is_empty() {
                    let known: Vec<String> = known.iter().map(|k| esc(k)).collect();
                    text.push_str(&tr!(
                        lang,
                        "\nReleases: {}",
                        "\nРелизы: {}",
                        known.join(", ")
                    ));
                }
                text
            }
            Rejection::UndoConflict { event, later } => tr!(
                lang,
                "Can't undo «{}: {}»: {} changed it since ({}, {}). Nothing changed.",
                "Нельзя отменить «{}: {}»: потом это изменил(а) {} ({}, {}). Ничего не изменилось.",
                entity_title(&event.change, lang),
                describe_change(&event.change, lang),
                v.who(later.user),
                describe_change(&later.original_change(), lang),
                v.time(later.at)
            ),
            Rejection::UndoImpossible(UndoImpossible::ProjectGone) => tr!(
                lang,
                "Can't undo: its project no longer exists.",
                "Нельзя отменить: проекта больше нет."
            ),
            Rejection::UndoImpossible(UndoImpossible::ReleaseInUse { version }) => tr!(
                lang,
                "Can't undo creating release {}: features are planned into it. /unplan them first.",
                "Нельзя отменить создание релиза {}: в нём есть фичи. Сначала уберите их (/unplan).",
                esc(version)
            ),
            Rejection::UndoImpossible(UndoImpossible::ReleaseGone) => tr!(
                lang,
                "Can't undo: that release no longer exists.",
                "Нельзя отменить: этого релиза больше нет."
            ),
            Rejection::UndoUnreadable => tr!(
                lang,
                "Can't undo: the record of that change cannot be read. The operator can see the details in the log.",
                "Нельзя отменить: запись об этом изменении не читается. Подробности — в журнале у оператора."
            ),
        }
    }
}

fn parse_error(e: &ParseError, lang: Lang) -> String {
    match e {
        ParseError::Empty => tr!(
            lang,
            "Send me a command, for example /help.",
            "Отправьте команду, например /help."
        ),
        ParseError::NotForMe => String::new(),
        ParseError::Unknown { .. } => tr!(
            lang,
            "I didn't understand that. Nothing changed. /help lists what I can do.",
            "Я не понял. Ничего не изменилось. Что я умею: /help"
        ),
        ParseError::UnknownCommand(c) => tr!(
            lang,
            "I don't know the command {}. Nothing changed. See /help",
            "Я не знаю команды {}. Ничего не изменилось. Список: /help",
            esc(c)
        ),
        ParseError::Usage(u) => tr!(
            lang,
            "Usage: <code>{}</code>",
            "Формат: <code>{}</code>",
            esc(u)
        ),
        ParseError::BadNumber(s) => tr!(
            lang,
            "«{}» is not a feature number. Features are numbered #1, #2, …",
            "«{}» — не номер фичи. Фичи нумеруются #1, #2, …",
            esc(s)
        ),
        ParseError::BadStatus(s) => tr!(
            lang,
            "I don't know the status «{}». Statuses: {}.",
            "Я не знаю статуса «{}». Статусы: {}.",
            esc(s),
            radar_store::FeatureStatus::ALL
                .iter()
                .map(|s| s.label(lang))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ParseError::BadDate(s) => tr!(
            lang,
            "«{}» is not a valid date. Use YYYY-MM-DD, for example 2026-12-01.",
            "«{}» — неверная дата. Используйте ДД.ММ.ГГГГ, например 01.12.2026.",
            esc(s)
        ),
        ParseError::BadPeriod(s) => tr!(
            lang,
            "I don't understand the period «{}». Try: today, yesterday, this week, in the last 3 days, since 2026-11-01.",
            "Я не понял период «{}». Например: сегодня, вчера, за неделю, за 3 дня, с 01.11.2026.",
            esc(s)
        ),
        ParseError::TooLong { what, max } => tr!(
            lang,
            "That {} is too long: at most {} characters. Nothing changed.",
            "Слишком длинно ({}): не больше {} символов. Ничего не изменилось.",
            what,
            max
        ),
        ParseError::BadButton => tr!(
            lang,
            "That button is no longer valid. Nothing changed.",
            "Эта кнопка больше не действует. Ничего не изменилось."
        ),
    }
}
