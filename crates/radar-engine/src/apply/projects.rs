//! Projects: list, create, switch, archive.

use radar_store::projects::{self, NewProject, Project, ProjectChanges};
use radar_store::{ProjectId, ProjectStatus, user_context};

use super::{Applied, Cx, Done, Fail};
use crate::buttons::ButtonAction;
use crate::change::{Change, Delta, ProjectDiff, ProjectSnapshot};
use crate::messages::t;
use crate::reject::Rejection;
use crate::render::{Button, Keyboard, esc};

/// The form names are compared in: unique and looked up by it (NFC, case
/// folded, `ё` as `е`, invisible characters removed, spaces collapsed).
pub(crate) fn name_key(name: &str) -> String {
    crate::language::text::fold(name)
}

impl Cx<'_> {
    /// The project whose name is `name` in the compared form (older rows
    /// may have a key written by an older rule, so compare the names).
    async fn project_by_name(&mut self, name: &str) -> Result<Option<Project>, Fail> {
        let key = name_key(name);
        if let Some(p) = projects::by_key(self.conn, &key).await? {
            return Ok(Some(p));
        }
        Ok(projects::list(self.conn)
            .await?
            .into_iter()
            .find(|p| name_key(&p.name) == key))
    }

    /// The project called `name` (the language resolved it to an exact name).
    async fn project_named(&mut self, name: &str) -> Result<Project, Fail> {
        self.project_by_name(name).await?.ok_or_else(|| {
            Rejection::UnknownProject {
                name: name.to_string(),
                suggestions: Vec::new(),
            }
            .into()
        })
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
                    data: ButtonAction::UseProject(p.id).encode(),
                    web_app: None,
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
        if let Some(p) = self.project_by_name(name).await? {
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
        self.touched.project = Some(p.id);
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

    pub(super) async fn unarchive(&mut self, name: &str) -> Applied {
        let p = self.project_named(name).await?;
        if !p.is_archived() {
            return Ok(Done::unchanged(t!(
                self.lang,
                "project-not-archived",
                name = esc(&p.name)
            )));
        }
        projects::set_status(self.conn, p.id, ProjectStatus::Active, self.now).await?;
        let change = Change::ProjectUpdated {
            name: p.name.clone(),
            diff: ProjectDiff {
                status: Delta::new(p.status, ProjectStatus::Active),
                ..ProjectDiff::default()
            },
        };
        self.log(&change, p.id.0, Some(p.id)).await?;
        if let Some(a) = self.project.as_mut().filter(|a| a.id == p.id) {
            a.status = ProjectStatus::Active;
        }
        Ok(Done::changed(t!(
            self.lang,
            "project-unarchived",
            name = esc(&p.name)
        )))
    }

    pub(super) async fn rename_project(&mut self, name: &str, new_name: &str) -> Applied {
        let p = self.project_named(name).await?;
        if p.is_archived() {
            return Err(Rejection::Archived { project: p.name }.into());
        }
        if p.name == new_name {
            return Ok(Done::unchanged(t!(
                self.lang,
                "project-name-same",
                name = esc(&p.name)
            )));
        }
        let key = name_key(new_name);
        if let Some(other) = self.project_by_name(new_name).await?
            && other.id != p.id
        {
            return Err(Rejection::ProjectNameTaken { name: other.name }.into());
        }
        let updated = projects::update(
            self.conn,
            p.id,
            &ProjectChanges {
                name: Some(new_name.to_string()),
                name_key: Some(key),
                updated_at: Some(self.now),
                ..Default::default()
            },
        )
        .await?;
        let change = Change::ProjectUpdated {
            name: p.name.clone(),
            diff: ProjectDiff {
                name: Delta::new(p.name.clone(), updated.name.clone()),
                ..ProjectDiff::default()
            },
        };
        self.log(&change, p.id.0, Some(p.id)).await?;
        if self.project.as_ref().is_some_and(|a| a.id == p.id) {
            self.project = Some(updated.clone());
        }
        Ok(Done::changed(t!(
            self.lang,
            "project-renamed",
            before = esc(&p.name),
            name = esc(&updated.name)
        )))
    }
}
