//! Why a message changed nothing: every refusal is a value, rendered into a
//! clear sentence in the user's language by [`Rejection::render`].

use radar_store::FeatureNumber;

use crate::Lang;
use crate::change::Event;
use crate::describe::{describe_change, entity_title};
use crate::language::{Problem, table};
use crate::messages::t;
use crate::render::{View, esc};

/// A message that is not a valid command, or a command that cannot be done now.
#[derive(Debug, Clone, PartialEq)]
pub enum Rejection {
    /// An empty message.
    Empty,
    /// A command understood, with a value that cannot be used as typed.
    Language(Problem),
    /// A button whose data Radar did not write, that was used, or that expired.
    OutdatedButton,
    /// Starting or cancelling a release that is out.
    ReleaseShipped {
        version: String,
    },
    /// Renaming a project to the name of another one.
    ProjectNameTaken {
        name: String,
    },
    Edited,
    Forwarded,
    NonText,
    /// A console line that is not valid UTF-8.
    NotUtf8,
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

impl Rejection {
    pub fn render(&self, v: &View) -> String {
        let lang = v.lang;
        match self {
            Rejection::Empty => t!(lang, "parse-empty"),
            Rejection::Language(p) => problem(p, lang),
            Rejection::OutdatedButton => t!(lang, "parse-bad-button"),
            Rejection::ReleaseShipped { version } => {
                t!(lang, "reject-release-shipped", version = esc(version))
            }
            Rejection::ProjectNameTaken { name } => {
                t!(lang, "reject-project-name-taken", name = esc(name))
            }
            Rejection::Edited => t!(lang, "reject-edited"),
            Rejection::Forwarded => t!(lang, "reject-forwarded"),
            Rejection::NonText => t!(lang, "reject-non-text"),
            Rejection::NotUtf8 => t!(lang, "reject-not-utf8"),
            Rejection::NoProject => t!(lang, "reject-no-project"),
            Rejection::Archived { project } => t!(lang, "reject-archived", project = esc(project)),
            Rejection::NoFeature { number, project } => t!(
                lang,
                "reject-no-feature",
                number = number.to_string(),
                project = esc(project)
            ),
            Rejection::FeatureGone => t!(lang, "reject-feature-gone"),
            Rejection::ProjectGone => t!(lang, "reject-project-gone"),
            Rejection::UnknownProject { name, suggestions } if suggestions.is_empty() => {
                t!(lang, "reject-unknown-project", name = esc(name))
            }
            Rejection::UnknownProject { name, suggestions } => {
                let list = suggestions
                    .iter()
                    .map(|s| format!("<b>{}</b>", esc(s)))
                    .collect::<Vec<_>>()
                    .join(", ");
                t!(
                    lang,
                    "reject-unknown-project-suggest",
                    name = esc(name),
                    suggestions = list
                )
            }
            Rejection::UnknownRelease { version, known } => {
                let mut text = t!(lang, "reject-unknown-release", version = esc(version));
                if !known.is_empty() {
                    let known: Vec<String> = known.iter().map(|k| esc(k)).collect();
                    text.push('\n');
                    text.push_str(&t!(
                        lang,
                        "reject-known-releases",
                        releases = known.join(", ")
                    ));
                }
                text
            }
            Rejection::UndoConflict { event, later } => t!(
                lang,
                "reject-undo-conflict",
                title = entity_title(&event.change, lang),
                change = describe_change(&event.change, lang),
                who = v.who(later.user),
                later = describe_change(&later.original_change(), lang),
                time = v.time(later.at)
            ),
            Rejection::UndoImpossible(UndoImpossible::ProjectGone) => {
                t!(lang, "reject-undo-project-gone")
            }
            Rejection::UndoImpossible(UndoImpossible::ReleaseInUse { version }) => {
                t!(lang, "reject-undo-release-in-use", version = esc(version))
            }
            Rejection::UndoImpossible(UndoImpossible::ReleaseGone) => {
                t!(lang, "reject-undo-release-gone")
            }
            Rejection::UndoUnreadable => t!(lang, "reject-undo-unreadable"),
        }
    }
}

fn problem(p: &Problem, lang: Lang) -> String {
    match p {
        Problem::UnknownFeature { typed, closest } if closest.is_empty() => {
            t!(lang, "problem-unknown-feature", typed = esc(typed))
        }
        Problem::UnknownFeature { typed, closest } => t!(
            lang,
            "problem-unknown-feature-closest",
            typed = esc(typed),
            closest = closest
                .iter()
                .map(|(n, name)| format!("#{n} {}", esc(name)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Problem::UnknownProject { typed, closest } if closest.is_empty() => {
            t!(lang, "reject-unknown-project", name = esc(typed))
        }
        Problem::UnknownProject { typed, closest } => t!(
            lang,
            "reject-unknown-project-suggest",
            name = esc(typed),
            suggestions = closest
                .iter()
                .map(|s| format!("<b>{}</b>", esc(s)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Problem::BadDate(s) => t!(lang, "parse-bad-date", text = esc(s)),
        Problem::ControlCharacters => t!(lang, "problem-control-characters"),
        Problem::InvisibleName => t!(lang, "problem-invisible-name"),
        Problem::TooLong { what, max } => t!(
            lang,
            "parse-too-long",
            what = t!(lang, "what", what = (*what).replace(' ', "-")),
            max = *max
        ),
        Problem::Usage(intent) => {
            let usage = crate::help::usage(lang, table::spec(*intent));
            t!(lang, "parse-usage", usage = esc(&usage))
        }
        Problem::UnknownCommand { typed, closest } if closest.is_empty() => {
            t!(lang, "parse-unknown-command", command = esc(typed))
        }
        Problem::UnknownCommand { typed, closest } => t!(
            lang,
            "parse-unknown-command-closest",
            command = esc(typed),
            closest = closest
                .iter()
                .map(|c| format!("/{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Problem::UnknownZone(z) => t!(lang, "problem-unknown-zone", zone = esc(z)),
        Problem::BadNumber(s) => t!(lang, "parse-bad-number", text = esc(s)),
        Problem::BadStatus(s) => t!(
            lang,
            "parse-bad-status",
            text = esc(s),
            statuses = radar_store::FeatureStatus::ALL
                .iter()
                .map(|s| crate::status::StatusWords::label(*s, lang))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
