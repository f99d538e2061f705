//! Events in words: what "what changed", history and undo say about a change.

use radar_store::{FeatureStatus, ProjectStatus, ReleaseStatus};

use crate::change::{Change, Delta, Event};
use crate::render::{View, esc};
use crate::status::StatusWords;
use crate::{Lang, tr};

/// "#3 Login", "release 1.2", "project Apollo": what a change is about, as
/// it was named when it happened.
pub fn entity_title(c: &Change, lang: Lang) -> String {
    match c {
        Change::FeatureCreated { feature } | Change::FeatureDeleted { feature } => {
            format!("#{} {}", feature.number, esc(&feature.name))
        }
        Change::FeatureUpdated { feature, .. } => {
            format!("#{} {}", feature.number, esc(&feature.name))
        }
        Change::ReleaseCreated { release } | Change::ReleaseDeleted { release } => {
            tr!(lang, "release {}", "релиз {}", esc(&release.version))
        }
        Change::ReleaseUpdated { version, .. } => {
            tr!(lang, "release {}", "релиз {}", esc(version))
        }
        Change::ProjectCreated { project } | Change::ProjectDeleted { project } => {
            tr!(lang, "project {}", "проект {}", esc(&project.name))
        }
        Change::ProjectUpdated { name, .. } => tr!(lang, "project {}", "проект {}", esc(name)),
        Change::ContextSwitched { .. } => tr!(lang, "active project", "активный проект"),
    }
}

/// The title of the thing an event is about (for an undo: as the reverted
/// change named it).
pub fn event_title(e: &Event, lang: Lang) -> String {
    entity_title(&e.original_change(), lang)
}

/// One line for a change: `status backlog → in progress`, `created`, …
pub fn describe_change(c: &Change, lang: Lang) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut field = |label: &str, d: Option<(String, String)>| {
        if let Some((b, a)) = d {
            parts.push(format!("{label} {b} → {a}"));
        }
    };
    match c {
        Change::ProjectCreated { .. }
        | Change::FeatureCreated { .. }
        | Change::ReleaseCreated { .. } => return tr!(lang, "created", "создано"),
        Change::ProjectDeleted { .. }
        | Change::FeatureDeleted { .. }
        | Change::ReleaseDeleted { .. } => return tr!(lang, "deleted", "удалено"),
        Change::ContextSwitched { .. } => return tr!(lang, "switched", "переключение"),
        Change::FeatureUpdated { diff, .. } => {
            field(label("name", lang), shown(&diff.name, |s| text(s.as_str())));
            field(
                label("description", lang),
                shown(&diff.description, |s| opt_text(s.as_deref())),
            );
            field(
                label("status", lang),
                shown(&diff.status, |s| s.label(lang).to_string()),
            );
            field(
                label("status_reason", lang),
                shown(&diff.status_reason, |s| opt_text(s.as_deref())),
            );
            field(
                label("teams", lang),
                shown(&diff.teams, |s| opt_text(s.as_deref())),
            );
            field(
                label("po", lang),
                shown(&diff.po, |s| opt_text(s.as_deref())),
            );
            field(
                label("release", lang),
                shown(&diff.release, |r| {
                    opt_text(r.as_ref().map(|r| r.version.as_str()))
                }),
            );
        }
        Change::ProjectUpdated { diff, .. } => {
            field(label("name", lang), shown(&diff.name, |s| text(s.as_str())));
            field(
                label("description", lang),
                shown(&diff.description, |s| opt_text(s.as_deref())),
            );
            field(
                label("status", lang),
                shown(&diff.status, |s| project_status(*s, lang).to_string()),
            );
        }
        Change::ReleaseUpdated { diff, .. } => {
            field(
                label("version", lang),
                shown(&diff.version, |s| text(s.as_str())),
            );
            field(
                label("target_date", lang),
                shown(&diff.target_date, |d| match d {
                    Some(d) => crate::render::show_date(*d, lang),
                    None => "—".into(),
                }),
            );
            field(
                label("status", lang),
                shown(&diff.status, |s| release_status(*s, lang).to_string()),
            );
            if diff.status.is_none() {
                field(
                    label("released_at", lang),
                    shown(&diff.released_at, |t| match t {
                        Some(t) => t.format("%Y-%m-%d %H:%M").to_string(),
                        None => "—".into(),
                    }),
                );
            }
        }
    }
    parts.join(", ")
}

/// One line for an event: an undo reads `undo of: <what it undid>`.
pub fn describe_event(e: &Event, lang: Lang) -> String {
    if e.is_undo() {
        tr!(
            lang,
            "undo of: {}",
            "отмена: {}",
            describe_change(&e.original_change(), lang)
        )
    } else {
        describe_change(&e.change, lang)
    }
}

/// `time · who · what`, as history and "what changed" list events.
pub fn event_line(e: &Event, v: &View) -> String {
    format!(
        "{} · {} · {}",
        v.time(e.at),
        v.who(e.user),
        describe_event(e, v.lang)
    )
}

fn shown<T>(d: &Option<Delta<T>>, f: impl Fn(&T) -> String) -> Option<(String, String)> {
    d.as_ref().map(|d| (f(&d.before), f(&d.after)))
}

fn text(s: &str) -> String {
    esc(&short(s))
}

fn opt_text(s: Option<&str>) -> String {
    s.map(text).unwrap_or_else(|| "—".into())
}

/// At most 80 characters, with an ellipsis when cut.
pub fn short(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if s.chars().count() > 80 {
        out.push('…');
    }
    out
}

/// The name of a field in a reply.
pub fn label(field: &str, lang: Lang) -> &'static str {
    match (field, lang) {
        ("status", Lang::En) => "status",
        ("status", Lang::Ru) => "статус",
        ("status_reason", Lang::En) => "reason",
        ("status_reason", Lang::Ru) => "причина",
        ("teams", Lang::En) => "teams",
        ("teams", Lang::Ru) => "команды",
        ("po", _) => "PO",
        ("description", Lang::En) => "description",
        ("description", Lang::Ru) => "описание",
        ("name", Lang::En) => "name",
        ("name", Lang::Ru) => "название",
        ("release", Lang::En) => "release",
        ("release", Lang::Ru) => "релиз",
        ("version", Lang::En) => "version",
        ("version", Lang::Ru) => "версия",
        ("target_date", Lang::En) => "target date",
        ("target_date", Lang::Ru) => "срок",
        ("released_at", Lang::En) => "released at",
        ("released_at", Lang::Ru) => "дата выпуска",
        (_, Lang::En) => "field",
        (_, Lang::Ru) => "поле",
    }
}

pub fn release_status(s: ReleaseStatus, lang: Lang) -> &'static str {
    match (s, lang) {
        (ReleaseStatus::Planned, Lang::En) => "planned",
        (ReleaseStatus::InProgress, Lang::En) => "in progress",
        (ReleaseStatus::Released, Lang::En) => "released",
        (ReleaseStatus::Cancelled, Lang::En) => "cancelled",
        (ReleaseStatus::Planned, Lang::Ru) => "запланирован",
        (ReleaseStatus::InProgress, Lang::Ru) => "в работе",
        (ReleaseStatus::Released, Lang::Ru) => "выпущен",
        (ReleaseStatus::Cancelled, Lang::Ru) => "отменён",
    }
}

pub fn project_status(s: ProjectStatus, lang: Lang) -> &'static str {
    match (s, lang) {
        (ProjectStatus::Active, Lang::En) => "active",
        (ProjectStatus::Archived, Lang::En) => "archived",
        (ProjectStatus::Active, Lang::Ru) => "активен",
        (ProjectStatus::Archived, Lang::Ru) => "в архиве",
    }
}

/// A feature's status word and icon, e.g. `🔵 in progress`.
pub fn status_with_icon(s: FeatureStatus, lang: Lang) -> String {
    format!("{} {}", s.icon(), s.label(lang))
}
