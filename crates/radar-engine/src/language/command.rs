//! A command fully understood: every reference resolved (features by
//! number, projects and releases by their exact names), every value
//! validated. This is what the engine applies.

use chrono::{NaiveDate, NaiveTime};
use radar_store::{FeatureId, FeatureNumber, FeatureStatus, ProjectId};

use super::slots::Filter;
use super::table::Intent;
use crate::period::Period;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Help {
        topic: Option<String>,
    },
    Projects,
    NewProject {
        name: String,
        description: Option<String>,
    },
    UseProject {
        name: String,
    },
    ArchiveProject {
        name: String,
    },
    UnarchiveProject {
        name: String,
    },
    RenameProject {
        name: String,
        new_name: String,
    },
    AddFeature {
        name: String,
        description: Option<String>,
    },
    Features(Filter),
    ShowFeature(FeatureNumber),
    SetStatus {
        number: FeatureNumber,
        status: FeatureStatus,
        reason: Option<String>,
    },
    AssignTeam {
        number: FeatureNumber,
        teams: String,
    },
    AssignPo {
        number: FeatureNumber,
        po: String,
    },
    Describe {
        number: FeatureNumber,
        text: String,
    },
    RenameFeature {
        number: FeatureNumber,
        name: String,
    },
    /// Asks for confirmation unless `confirmed`.
    DeleteFeature {
        number: FeatureNumber,
        confirmed: bool,
    },
    NewRelease {
        version: String,
        date: Option<NaiveDate>,
    },
    Releases,
    ReleaseDate {
        version: String,
        date: NaiveDate,
    },
    StartRelease {
        version: String,
    },
    CancelRelease {
        version: String,
    },
    Plan {
        number: FeatureNumber,
        version: String,
    },
    Unplan(FeatureNumber),
    Ship {
        version: String,
    },
    Changes(Period),
    History(FeatureNumber),
    Undo,
    WhoAmI,
    Stats(Option<Period>),
    Chart {
        version: String,
    },
    Export,
    /// `None` turns the digest off.
    Digest(Option<NaiveTime>),
    Timezone(String),
    Language(&'static str),
    // Buttons, which name things by id.
    UseProjectId(ProjectId),
    SetStatusById {
        feature: FeatureId,
        status: FeatureStatus,
    },
    DeleteFeatureById(FeatureId),
    /// A "Cancel" button.
    Dismiss,
}

fn q(s: &str) -> String {
    if s.contains(char::is_whitespace) || s.contains('"') {
        format!("\"{}\"", s.replace('"', "\\\""))
    } else {
        s.to_string()
    }
}

fn period(p: &Period) -> String {
    match p {
        Period::Last24Hours => "last24h".into(),
        Period::Today => "today".into(),
        Period::Yesterday => "yesterday".into(),
        Period::ThisWeek => "week".into(),
        Period::LastDays(n) => format!("days:{n}"),
        Period::Since(d) => format!("since:{d}"),
    }
}

impl Command {
    pub fn intent(&self) -> Option<Intent> {
        use Command as C;
        Some(match self {
            C::Help { .. } => Intent::Help,
            C::Projects => Intent::Projects,
            C::NewProject { .. } => Intent::NewProject,
            C::UseProject { .. } | C::UseProjectId(_) => Intent::UseProject,
            C::ArchiveProject { .. } => Intent::ArchiveProject,
            C::UnarchiveProject { .. } => Intent::UnarchiveProject,
            C::RenameProject { .. } => Intent::RenameProject,
            C::AddFeature { .. } => Intent::AddFeature,
            C::Features(_) => Intent::Features,
            C::ShowFeature(_) => Intent::ShowFeature,
            C::SetStatus { .. } | C::SetStatusById { .. } => Intent::SetStatus,
            C::AssignTeam { .. } => Intent::AssignTeam,
            C::AssignPo { .. } => Intent::AssignPo,
            C::Describe { .. } => Intent::Describe,
            C::RenameFeature { .. } => Intent::RenameFeature,
            C::DeleteFeature { .. } | C::DeleteFeatureById(_) => Intent::DeleteFeature,
            C::NewRelease { .. } => Intent::NewRelease,
            C::Releases => Intent::Releases,
            C::ReleaseDate { .. } => Intent::ReleaseDate,
            C::StartRelease { .. } => Intent::StartRelease,
            C::CancelRelease { .. } => Intent::CancelRelease,
            C::Plan { .. } => Intent::Plan,
            C::Unplan(_) => Intent::Unplan,
            C::Ship { .. } => Intent::Ship,
            C::Changes(_) => Intent::Changes,
            C::History(_) => Intent::History,
            C::Undo => Intent::Undo,
            C::WhoAmI => Intent::WhoAmI,
            C::Stats(_) => Intent::Stats,
            C::Chart { .. } => Intent::Chart,
            C::Export => Intent::Export,
            C::Digest(_) => Intent::Digest,
            C::Timezone(_) => Intent::Timezone,
            C::Language(_) => Intent::Language,
            C::Dismiss => return None,
        })
    }

    /// The feature this command is about, if any.
    pub fn feature(&self) -> Option<FeatureNumber> {
        use Command as C;
        match self {
            C::ShowFeature(n) | C::Unplan(n) | C::History(n) => Some(*n),
            C::SetStatus { number, .. }
            | C::AssignTeam { number, .. }
            | C::AssignPo { number, .. }
            | C::Describe { number, .. }
            | C::RenameFeature { number, .. }
            | C::DeleteFeature { number, .. }
            | C::Plan { number, .. } => Some(*number),
            _ => None,
        }
    }

    /// The release this command is about, if any.
    pub fn release(&self) -> Option<&str> {
        use Command as C;
        match self {
            C::NewRelease { version, .. }
            | C::ReleaseDate { version, .. }
            | C::StartRelease { version }
            | C::CancelRelease { version }
            | C::Plan { version, .. }
            | C::Ship { version }
            | C::Chart { version } => Some(version),
            _ => None,
        }
    }

    /// The project this command names, if any.
    pub fn project(&self) -> Option<&str> {
        use Command as C;
        match self {
            C::NewProject { name, .. }
            | C::UseProject { name }
            | C::ArchiveProject { name }
            | C::UnarchiveProject { name } => Some(name),
            C::RenameProject { new_name, .. } => Some(new_name),
            _ => None,
        }
    }

    /// Whether applying it may change data (reads and help do not).
    pub fn is_write(&self) -> bool {
        use Command as C;
        !matches!(
            self,
            C::Help { .. }
                | C::Projects
                | C::Features(_)
                | C::ShowFeature(_)
                | C::Releases
                | C::Changes(_)
                | C::History(_)
                | C::WhoAmI
                | C::Stats(_)
                | C::Chart { .. }
                | C::Export
                | C::Dismiss
                | C::DeleteFeature {
                    confirmed: false,
                    ..
                }
        )
    }

    /// The command as the corpus writes it: `intent slot=value …`.
    pub fn canonical(&self) -> String {
        use Command as C;
        let name = self
            .intent()
            .map(|i| super::table::spec(i).name)
            .unwrap_or("dismiss");
        let args: Vec<String> = match self {
            C::Help { topic } => topic.iter().map(|t| format!("topic={}", q(t))).collect(),
            C::NewProject { name, description } | C::AddFeature { name, description } => {
                let mut v = vec![format!("name={}", q(name))];
                if let Some(d) = description {
                    v.push(format!("description={}", q(d)));
                }
                v
            }
            C::UseProject { name } | C::ArchiveProject { name } | C::UnarchiveProject { name } => {
                vec![format!("project={}", q(name))]
            }
            C::RenameProject { name, new_name } => {
                vec![
                    format!("project={}", q(name)),
                    format!("name={}", q(new_name)),
                ]
            }
            C::Features(f) => vec![format!(
                "filter={}",
                match f {
                    Filter::Open => "open".to_string(),
                    Filter::All => "all".to_string(),
                    Filter::Status(s) => format!("status:{}", s.as_str()),
                    Filter::Release(v) => format!("release:{}", q(v)),
                    Filter::Team(t) => format!("team:{}", q(t)),
                    Filter::Po(p) => format!("po:{}", q(p)),
                }
            )],
            C::ShowFeature(n) | C::Unplan(n) | C::History(n) => vec![format!("feature={n}")],
            C::SetStatus {
                number,
                status,
                reason,
            } => {
                let mut v = vec![
                    format!("feature={number}"),
                    format!("status={}", status.as_str()),
                ];
                if let Some(r) = reason {
                    v.push(format!("reason={}", q(r)));
                }
                v
            }
            C::AssignTeam { number, teams } => vec![
                format!("feature={number}"),
                format!(
                    "teams={}",
                    teams
                        .split(',')
                        .map(str::trim)
                        .collect::<Vec<_>>()
                        .join(",")
                ),
            ],
            C::AssignPo { number, po } => {
                vec![format!("feature={number}"), format!("po={}", q(po))]
            }
            C::Describe { number, text } => {
                vec![format!("feature={number}"), format!("text={}", q(text))]
            }
            C::RenameFeature { number, name } => {
                vec![format!("feature={number}"), format!("name={}", q(name))]
            }
            C::DeleteFeature { number, .. } => vec![format!("feature={number}")],
            C::NewRelease { version, date } => {
                let mut v = vec![format!("version={}", q(version))];
                if let Some(d) = date {
                    v.push(format!("date={d}"));
                }
                v
            }
            C::ReleaseDate { version, date } => {
                vec![format!("release={}", q(version)), format!("date={date}")]
            }
            C::StartRelease { version }
            | C::CancelRelease { version }
            | C::Ship { version }
            | C::Chart { version } => vec![format!("release={}", q(version))],
            C::Plan { number, version } => {
                vec![
                    format!("feature={number}"),
                    format!("release={}", q(version)),
                ]
            }
            C::Changes(p) => vec![format!("period={}", period(p))],
            C::Stats(p) => p.iter().map(|p| format!("period={}", period(p))).collect(),
            C::Digest(t) => vec![format!(
                "time={}",
                t.map(|t| t.format("%H:%M").to_string())
                    .unwrap_or_else(|| "off".into())
            )],
            C::Timezone(z) => vec![format!("zone={z}")],
            C::Language(l) => vec![format!("lang={l}")],
            C::UseProjectId(id) => vec![format!("project_id={id}")],
            C::SetStatusById { feature, status } => {
                vec![
                    format!("feature_id={feature}"),
                    format!("status={}", status.as_str()),
                ]
            }
            C::DeleteFeatureById(id) => vec![format!("feature_id={id}")],
            C::Projects | C::Releases | C::Undo | C::WhoAmI | C::Export | C::Dismiss => vec![],
        };
        std::iter::once(name.to_string())
            .chain(args)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The same command as a slash command (what a button offered for it
    /// runs, and what "same for #9" repeats). `None` for button-only forms.
    pub fn slash(&self) -> Option<String> {
        use Command as C;
        let s = |i: Intent| format!("/{}", super::table::spec(i).slash[0]);
        let date = |d: &NaiveDate| d.format("%Y-%m-%d").to_string();
        Some(match self {
            C::Help { topic } => match topic {
                Some(t) => format!("/help {t}"),
                None => "/help".into(),
            },
            C::Projects => s(Intent::Projects),
            C::NewProject { name, description } | C::AddFeature { name, description } => {
                let i = self.intent()?;
                match description {
                    Some(d) => format!("{} {name}: {d}", s(i)),
                    None => format!("{} {name}", s(i)),
                }
            }
            C::UseProject { name } | C::ArchiveProject { name } | C::UnarchiveProject { name } => {
                format!("{} {name}", s(self.intent()?))
            }
            C::RenameProject { name, new_name } => {
                format!("{} {name} → {new_name}", s(Intent::RenameProject))
            }
            C::Features(f) => match f {
                Filter::Open => s(Intent::Features),
                Filter::All => format!("{} all", s(Intent::Features)),
                Filter::Status(st) => format!("{} {}", s(Intent::Features), st.as_str()),
                Filter::Release(v) => format!("{} {v}", s(Intent::Features)),
                Filter::Team(t) => format!("{} team {t}", s(Intent::Features)),
                Filter::Po(p) => format!("{} po {p}", s(Intent::Features)),
            },
            C::ShowFeature(n) => format!("{} {n}", s(Intent::ShowFeature)),
            C::Unplan(n) => format!("{} {n}", s(Intent::Unplan)),
            C::History(n) => format!("{} {n}", s(Intent::History)),
            C::SetStatus {
                number,
                status,
                reason,
            } => match reason {
                Some(r) => format!("{} {number} {}: {r}", s(Intent::SetStatus), status.as_str()),
                None => format!("{} {number} {}", s(Intent::SetStatus), status.as_str()),
            },
            C::AssignTeam { number, teams } => {
                format!("{} {number} {teams}", s(Intent::AssignTeam))
            }
            C::AssignPo { number, po } => format!("{} {number} {po}", s(Intent::AssignPo)),
            C::Describe { number, text } => format!("{} {number} {text}", s(Intent::Describe)),
            C::RenameFeature { number, name } => {
                format!("{} {number} {name}", s(Intent::RenameFeature))
            }
            C::DeleteFeature { number, confirmed } => {
                if *confirmed {
                    format!("{} {number} yes", s(Intent::DeleteFeature))
                } else {
                    format!("{} {number}", s(Intent::DeleteFeature))
                }
            }
            C::NewRelease {
                version,
                date: Some(d),
            } => format!("{} {version} {}", s(Intent::NewRelease), date(d)),
            C::NewRelease {
                version,
                date: None,
            } => format!("{} {version}", s(Intent::NewRelease)),
            C::Releases => s(Intent::Releases),
            C::ReleaseDate { version, date: d } => {
                format!("{} {version} {}", s(Intent::ReleaseDate), date(d))
            }
            C::StartRelease { version } => format!("{} {version}", s(Intent::StartRelease)),
            C::CancelRelease { version } => format!("{} {version}", s(Intent::CancelRelease)),
            C::Plan { number, version } => format!("{} {number} {version}", s(Intent::Plan)),
            C::Ship { version } => format!("{} {version}", s(Intent::Ship)),
            C::Chart { version } => format!("{} {version}", s(Intent::Chart)),
            C::Changes(p) => format!("{} {}", s(Intent::Changes), slash_period(p)),
            C::Stats(None) => s(Intent::Stats),
            C::Stats(Some(p)) => format!("{} {}", s(Intent::Stats), slash_period(p)),
            C::Undo => s(Intent::Undo),
            C::WhoAmI => s(Intent::WhoAmI),
            C::Export => s(Intent::Export),
            C::Digest(None) => format!("{} off", s(Intent::Digest)),
            C::Digest(Some(t)) => format!("{} {}", s(Intent::Digest), t.format("%H:%M")),
            C::Timezone(z) => format!("{} {z}", s(Intent::Timezone)),
            C::Language(l) => format!("{} {l}", s(Intent::Language)),
            C::UseProjectId(_) | C::SetStatusById { .. } | C::DeleteFeatureById(_) | C::Dismiss => {
                return None;
            }
        })
    }
}

fn slash_period(p: &Period) -> String {
    match p {
        Period::Last24Hours => "24 hours".into(),
        Period::Today => "today".into(),
        Period::Yesterday => "yesterday".into(),
        Period::ThisWeek => "this week".into(),
        Period::LastDays(n) => format!("last {n} days"),
        Period::Since(d) => format!("since {}", d.format("%Y-%m-%d")),
    }
}
