//! Events in words: what "what changed", history and undo say about a change.

use radar_store::{FeatureStatus, Language, ProjectStatus, ReleaseStatus};

use crate::Lang;
use crate::change::{Change, Delta, Event};
use crate::messages::t;
use crate::render::{View, esc};
use crate::status::StatusWords;

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
            t!(lang, "entity-release", version = esc(&release.version))
        }
        Change::ReleaseUpdated { version, .. } => {
            t!(lang, "entity-release", version = esc(version))
        }
        Change::ProjectCreated { project } | Change::ProjectDeleted { project } => {
            t!(lang, "entity-project", name = esc(&project.name))
        }
        Change::ProjectUpdated { name, .. } => t!(lang, "entity-project", name = esc(name)),
        Change::ContextSwitched { .. } => t!(lang, "entity-context"),
        Change::SettingsChanged { .. } => t!(lang, "entity-settings"),
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
    let mut field = |label: String, d: Option<(String, String)>| {
        if let Some((b, a)) = d {
            parts.push(format!("{label} {b} → {a}"));
        }
    };
    match c {
        Change::ProjectCreated { .. }
        | Change::FeatureCreated { .. }
        | Change::ReleaseCreated { .. } => return t!(lang, "change-created"),
        Change::ProjectDeleted { .. }
        | Change::FeatureDeleted { .. }
        | Change::ReleaseDeleted { .. } => return t!(lang, "change-deleted"),
        Change::ContextSwitched { .. } => return t!(lang, "change-switched"),
        Change::SettingsChanged { diff } => {
            let show = |v: Option<String>| v.unwrap_or_else(|| t!(lang, "settings-default"));
            if let Some(d) = &diff.time_zone {
                field(
                    t!(lang, "settings-field-time-zone"),
                    Some((show(d.before.clone()), show(d.after.clone()))),
                );
            }
            if let Some(d) = &diff.language {
                let code = |l: Option<Language>| l.map(|l| l.as_str().to_string());
                field(
                    t!(lang, "settings-field-language"),
                    Some((show(code(d.before)), show(code(d.after)))),
                );
            }
            if let Some(d) = &diff.digest_at {
                let at = |x: Option<chrono::NaiveTime>| {
                    x.map(|x| x.format("%H:%M").to_string())
                        .unwrap_or_else(|| t!(lang, "settings-off"))
                };
                field(
                    t!(lang, "settings-field-digest"),
                    Some((at(d.before), at(d.after))),
                );
            }
        }
        Change::FeatureUpdated { diff, .. } => {
            field(label("name", lang), shown(&diff.name, |s| text(s.as_str())));
            field(
                label("description", lang),
                shown(&diff.description, |s| opt_text(s.as_deref())),
            );
            field(
                label("status", lang),
                shown(&diff.status, |s| s.label(lang)),
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
                shown(&diff.status, |s| project_status(*s, lang)),
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
                shown(&diff.status, |s| release_status(*s, lang)),
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
        t!(
            lang,
            "change-undo-of",
            change = describe_change(&e.original_change(), lang)
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

/// The name of a field in a reply (`field-*` in the messages files), by the
/// field's key in events (`status`, `status_reason`, `target_date`, …).
pub fn label(field: &str, lang: Lang) -> String {
    match field {
        "status" => t!(lang, "field-status"),
        "status_reason" => t!(lang, "field-status-reason"),
        "teams" => t!(lang, "field-teams"),
        "po" => t!(lang, "field-po"),
        "description" => t!(lang, "field-description"),
        "name" => t!(lang, "field-name"),
        "release" => t!(lang, "field-release"),
        "version" => t!(lang, "field-version"),
        "target_date" => t!(lang, "field-target-date"),
        "released_at" => t!(lang, "field-released-at"),
        _ => t!(lang, "field-other"),
    }
}

/// A release status in words (`release-status-*`).
pub fn release_status(s: ReleaseStatus, lang: Lang) -> String {
    match s {
        ReleaseStatus::Planned => t!(lang, "release-status-planned"),
        ReleaseStatus::InProgress => t!(lang, "release-status-in-progress"),
        ReleaseStatus::Released => t!(lang, "release-status-released"),
        ReleaseStatus::Cancelled => t!(lang, "release-status-cancelled"),
    }
}

/// A project status in words (`project-status-*`).
pub fn project_status(s: ProjectStatus, lang: Lang) -> String {
    match s {
        ProjectStatus::Active => t!(lang, "project-status-active"),
        ProjectStatus::Archived => t!(lang, "project-status-archived"),
    }
}

/// A feature's status word and icon, e.g. `🔵 in progress`.
pub fn status_with_icon(s: FeatureStatus, lang: Lang) -> String {
    format!("{} {}", s.icon(), s.label(lang))
}
