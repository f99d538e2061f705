//! The command table: every intent Radar understands, with its slash forms
//! and argument shape. It is the single source for parsing slash commands,
//! `/help`, the Telegram command menu and the README's command table (a
//! test checks that they agree).

/// What a message asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Intent {
    Help,
    Projects,
    NewProject,
    UseProject,
    ArchiveProject,
    UnarchiveProject,
    RenameProject,
    AddFeature,
    Features,
    ShowFeature,
    SetStatus,
    AssignTeam,
    AssignPo,
    Describe,
    RenameFeature,
    DeleteFeature,
    NewRelease,
    Releases,
    ReleaseDate,
    StartRelease,
    CancelRelease,
    Plan,
    Unplan,
    Ship,
    Changes,
    History,
    Undo,
    WhoAmI,
    Stats,
    Chart,
    Export,
    Digest,
    Timezone,
    Language,
}

/// Where a command is listed in `/help`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Group {
    Projects,
    Features,
    Releases,
    History,
    Insights,
    Settings,
}

impl Group {
    pub const ALL: [Group; 6] = [
        Group::Projects,
        Group::Features,
        Group::Releases,
        Group::History,
        Group::Insights,
        Group::Settings,
    ];

    /// Message id of the group's heading.
    pub fn key(self) -> &'static str {
        match self {
            Group::Projects => "projects",
            Group::Features => "features",
            Group::Releases => "releases",
            Group::History => "history",
            Group::Insights => "insights",
            Group::Settings => "settings",
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    pub intent: Intent,
    /// The snake_case name used in tests, the corpus and message ids.
    pub name: &'static str,
    /// Slash names; the first is the one shown in `/help` and the menu.
    pub slash: &'static [&'static str],
    /// The argument template after the slash name (see `pattern.rs`).
    pub args: &'static [&'static str],
    /// The argument shape shown in help, e.g. `N STATUS[: reason]`.
    pub usage: &'static str,
    pub group: Group,
    /// Listed in Telegram's command menu (`setMyCommands`).
    pub menu: bool,
}

/// The commands `/help`, the menu and the README list.
pub fn listed() -> impl Iterator<Item = &'static CommandSpec> {
    COMMANDS.iter()
}

const fn c(
    intent: Intent,
    name: &'static str,
    slash: &'static [&'static str],
    args: &'static [&'static str],
    usage: &'static str,
    group: Group,
    menu: bool,
) -> CommandSpec {
    CommandSpec {
        intent,
        name,
        slash,
        args,
        usage,
        group,
        menu,
    }
}

use Group as G;
use Intent as I;

/// Every command, in `/help` order.
pub const COMMANDS: &[CommandSpec] = &[
    c(
        I::Help,
        "help",
        &["help", "start", "h"],
        &["", "{topic}"],
        "[TOPIC]",
        G::Settings,
        true,
    ),
    c(
        I::Projects,
        "projects",
        &["projects", "project_list"],
        &[""],
        "",
        G::Projects,
        true,
    ),
    c(
        I::NewProject,
        "new_project",
        &["newproject", "new_project", "createproject"],
        &["{name}", "{name} @sep {desc}"],
        "NAME[: description]",
        G::Projects,
        true,
    ),
    c(
        I::UseProject,
        "use_project",
        &["use", "switch", "project"],
        &["{project}"],
        "NAME",
        G::Projects,
        true,
    ),
    c(
        I::ArchiveProject,
        "archive_project",
        &["archive"],
        &["{project}"],
        "NAME",
        G::Projects,
        true,
    ),
    c(
        I::UnarchiveProject,
        "unarchive_project",
        &["unarchive", "restore"],
        &["{project}"],
        "NAME",
        G::Projects,
        true,
    ),
    c(
        I::RenameProject,
        "rename_project",
        &["renameproject", "rename_project"],
        &["{name}", "{project} to|в|→ {name}"],
        "[NAME to] NEW NAME",
        G::Projects,
        true,
    ),
    c(
        I::AddFeature,
        "add_feature",
        &["add", "newfeature", "new_feature"],
        &["{name}", "{name} @sep {desc}"],
        "NAME[: description]",
        G::Features,
        true,
    ),
    c(
        I::Features,
        "features",
        &["features", "list"],
        &["", "{filter}"],
        "[STATUS|all|RELEASE|team NAME|po NAME]",
        G::Features,
        true,
    ),
    c(
        I::ShowFeature,
        "show_feature",
        &["feature", "show"],
        &["{feature}"],
        "N",
        G::Features,
        true,
    ),
    c(
        I::SetStatus,
        "set_status",
        &["status", "st"],
        &["{feature} {status} [{reason}]"],
        "N STATUS[: reason]",
        G::Features,
        true,
    ),
    c(
        I::AssignTeam,
        "assign_team",
        &["team", "teams"],
        &["{feature} {teams}"],
        "N TEAMS",
        G::Features,
        true,
    ),
    c(
        I::AssignPo,
        "assign_po",
        &["po", "owner"],
        &["{feature} {po}"],
        "N NAME",
        G::Features,
        true,
    ),
    c(
        I::Describe,
        "describe",
        &["describe", "desc"],
        &["{feature} {desc}"],
        "N TEXT",
        G::Features,
        true,
    ),
    c(
        I::RenameFeature,
        "rename_feature",
        &["rename"],
        &["{feature} {name}"],
        "N NAME",
        G::Features,
        true,
    ),
    c(
        I::DeleteFeature,
        "delete_feature",
        &["delete", "del", "remove"],
        &["{feature} [{confirm}]"],
        "N",
        G::Features,
        true,
    ),
    c(
        I::NewRelease,
        "new_release",
        &["release", "newrelease", "new_release"],
        &["{version} [{date}]"],
        "VERSION [DATE]",
        G::Releases,
        true,
    ),
    c(
        I::Releases,
        "releases",
        &["releases"],
        &[""],
        "",
        G::Releases,
        true,
    ),
    c(
        I::ReleaseDate,
        "release_date",
        &["releasedate", "release_date", "due"],
        &["{release} {date}"],
        "VERSION DATE",
        G::Releases,
        true,
    ),
    c(
        I::StartRelease,
        "start_release",
        &["startrelease", "start_release"],
        &["{release}"],
        "VERSION",
        G::Releases,
        true,
    ),
    c(
        I::CancelRelease,
        "cancel_release",
        &["cancelrelease", "cancel_release"],
        &["{release}"],
        "VERSION",
        G::Releases,
        true,
    ),
    c(
        I::Plan,
        "plan",
        &["plan"],
        &["{feature} {release}"],
        "N VERSION",
        G::Releases,
        true,
    ),
    c(
        I::Unplan,
        "unplan",
        &["unplan"],
        &["{feature}"],
        "N",
        G::Releases,
        true,
    ),
    c(
        I::Ship,
        "ship",
        &["ship"],
        &["{release}"],
        "VERSION",
        G::Releases,
        true,
    ),
    c(
        I::Changes,
        "changes",
        &["changes", "changed"],
        &["", "{period}"],
        "[PERIOD]",
        G::History,
        true,
    ),
    c(
        I::History,
        "history",
        &["history", "log"],
        &["{feature}"],
        "N",
        G::History,
        true,
    ),
    c(
        I::Undo,
        "undo",
        &["undo"],
        &["", "last"],
        "",
        G::History,
        true,
    ),
    c(
        I::Stats,
        "stats",
        &["stats", "statistics", "metrics"],
        &["", "{period}"],
        "[PERIOD]",
        G::Insights,
        true,
    ),
    c(
        I::Chart,
        "chart",
        &["chart", "burnup", "burndown"],
        &["{release}"],
        "VERSION",
        G::Insights,
        true,
    ),
    c(
        I::Export,
        "export",
        &["export", "csv"],
        &[""],
        "",
        G::Insights,
        true,
    ),
    c(
        I::Digest,
        "digest",
        &["digest"],
        &["{time}", "off|выкл|нет"],
        "HH:MM|off",
        G::Insights,
        true,
    ),
    c(
        I::Timezone,
        "timezone",
        &["timezone", "tz"],
        &["{zone}"],
        "ZONE",
        G::Settings,
        true,
    ),
    c(
        I::Language,
        "lang",
        &["lang", "language"],
        &["{lang}"],
        "en|ru|auto",
        G::Settings,
        true,
    ),
    c(
        I::WhoAmI,
        "whoami",
        &["whoami", "me"],
        &[""],
        "",
        G::Settings,
        true,
    ),
];

/// The row of an intent.
pub fn spec(intent: Intent) -> &'static CommandSpec {
    COMMANDS
        .iter()
        .find(|c| c.intent == intent)
        .expect("every intent has a row in COMMANDS")
}

/// The row whose slash names include `name` (lower case, no `/`).
pub fn by_slash(name: &str) -> Option<&'static CommandSpec> {
    COMMANDS.iter().find(|c| c.slash.contains(&name))
}

/// The row with this snake_case name.
pub fn by_name(name: &str) -> Option<&'static CommandSpec> {
    COMMANDS.iter().find(|c| c.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_intent_once_and_slash_names_unique() {
        let mut seen = std::collections::HashSet::new();
        for c in COMMANDS {
            assert!(seen.insert(c.intent), "{:?} twice", c.intent);
            assert!(!c.slash.is_empty());
            for s in c.slash {
                assert_eq!(
                    by_slash(s).map(|x| x.intent),
                    Some(c.intent),
                    "/{s} names one command"
                );
                assert!(
                    s.len() <= 32
                        && s.chars()
                            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_'),
                    "Telegram command names: {s}"
                );
            }
        }
    }
}
