//! Projects: list, create, switch, archive.

use radar_store::projects::{self, NewProject, Project};
use radar_store::{ProjectId, ProjectStatus, user_context};

use super::{Applied, Cx, Done, Fail};
use crate::change::{Change, Delta, ProjectDiff, ProjectSnapshot};
use crate::messages::t;
use crate::reject::Rejection;
use crate::render::{Button, Keyboard, esc};

/// The form names are compared in (unique, case-insensitive).
pub(crate) fn name_key(name: &str) -> String {
    name.to_lowercase()
}

impl Cx<'_> {
    /// The closest project names (at most three), for a name not found.
    async fn suggestions(&mut self, name: &str) -> Result<Vec<String>, Fail> {
        let all = projects::list(self.conn).await?;
        let key = name_key(name);
        let mut scored: Vec<(f64, String)> = all
            .into_iter()
            .map(|p| {
                let contains = p.name_key.contains(&key) || key.contains(&p.name_key);
                let score =
                    strsim::jaro_winkler(&key, &p.name_key).max(if contains { 0.9 } else { 0.0 });
                (score, p.name)
            })
            .filter(|(s, _)| *s >= 0.7)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        Ok(scored.into_iter().take(3).map(|(_, n)| n).collect())
    }

    /// The project called `name`, or a rejection with the closest names.
    async fn project_named(&mut self, name: &str) -> Result<Project, Fail> {
        match projects::by_key(self.conn, &name_key(name)).await? {
            Some(p) => Ok(p),
            None => Err(Rejection::UnknownProject {
                name: name.to_string(),
                suggestions: self.suggestions(name).await?,
            }
            .into()),
        }
    }

    pub(super) async fn projects(&mut self) -> Applied {
        let all = projects::list(self.conn).await?;
        if all.is_empty() {
            return Ok(Done::unchanged(t!(self.lang, "projects-none")));
        }
        let active = self.project.as_ref().map(|p| p.id);
        let mut lines = vec![t!(self.lang, "projects-title")];
        let mut buttons = Vec::new();
        for p in &all {
            let mut line = if p.is_archived() {
                t!(self.lang, "projects-item-archived", name = esc(&p.name))
            } else {
                t!(self.lang, "projects-item", name = esc(&p.name))
            };
            if Some(p.id) == active {
                line.push_str(" ◀");
            }
            lines.push(line);
            if Some(p.id) != active && !p.is_archived() && buttons.len() < 24 {
                let text: String = p.name.chars().take(30).collect();
                buttons.push(Button {
                    text: format!("→ {text}"),
                    data: format!("use:{}", p.id),
                });
            }
        }
        let kb = Keyboard(buttons.chunks(2).map(|c| c.to_vec()).collect());
        Ok(Done::unchanged(lines.join("\n")).with_keyboard(kb))
    }

    /// Makes `p` the user's active project (a logged context switch, not data).
    async fn switch_to(&mut self, p: Project) -> Result<(), Fail> {
        let before = self.project.as_ref().map(|p| p.id);
        user_context::set_active_project(self.conn, self.user, Some(p.id), self.now).await?;
        let change = Change::ContextSwitched {
            before,
            after: Some(p.id),
        };
        self.log(&change, self.user.0, Some(p.id)).await?;
        self.project = Some(p);
        Ok(())
    }

    pub(super) async fn new_project(&mut self, name: &str, description: Option<String>) -> Applied {
        let key = name_key(name);
        if let Some(p) = projects::by_key(self.conn, &key).await? {
            return Ok(Done::unchanged(t!(
                self.lang,
                "project-exists",
                name = esc(&p.name)
            )));
        }
        let p = projects::insert(
            self.conn,
            &NewProject {
                name,
                name_key: &key,
                description: description.as_deref(),
                status: ProjectStatus::Active,
                created_at: self.now,
                updated_at: self.now,
            },
        )
        .await?;
        let change = Change::ProjectCreated {
            project: ProjectSnapshot::from(&p),
        };
        self.log(&change, p.id.0, Some(p.id)).await?;
        let name = esc(&p.name);
        self.switch_to(p).await?;
        Ok(Done::changed(t!(self.lang, "project-created", name = name)))
    }

    pub(super) async fn use_project(&mut self, name: &str) -> Applied {
        let p = self.project_named(name).await?;
        self.use_found(p).await
    }

    pub(super) async fn use_project_id(&mut self, id: ProjectId) -> Applied {
        let p = projects::get(self.conn, id)
            .await?
            .ok_or(Rejection::ProjectGone)?;
        self.use_found(p).await
    }

    async fn use_found(&mut self, p: Project) -> Applied {
        if self.project.as_ref().map(|a| a.id) == Some(p.id) {
            return Ok(Done::unchanged(t!(
                self.lang,
                "project-already-active",
                name = esc(&p.name)
            )));
        }
        let archived = p.is_archived();
        let name = esc(&p.name);
        self.switch_to(p).await?;
        let text = if archived {
            t!(self.lang, "project-switched-archived", name = name)
        } else {
            t!(self.lang, "project-switched", name = name)
        };
        // Switching is not a data change: nothing to undo.
        Ok(Done::unchanged(text))
    }

    pub(super) async fn archive(&mut self, name: &str) -> Applied {
        let p = self.project_named(name).await?;
        if p.is_archived() {
            return Ok(Done::unchanged(t!(
                self.lang,
                "project-already-archived",
                name = esc(&p.name)
            )));
        }
        projects::set_status(self.conn, p.id, ProjectStatus::Archived, self.now).await?;
        let change = Change::ProjectUpdated {
            name: p.name.clone(),
            diff: ProjectDiff {
                status: Delta::new(p.status, ProjectStatus::Archived),
                ..ProjectDiff::default()
            },
        };
        self.log(&change, p.id.0, Some(p.id)).await?;
        if let Some(a) = self.project.as_mut().filter(|a| a.id == p.id) {
            a.status = ProjectStatus::Archived;
        }
        Ok(Done::changed(t!(
            self.lang,
            "project-archived",
            name = esc(&p.name)
        )))
    }
}
