//! Features: add, list, show, status, fields, delete.

use std::collections::HashMap;

use radar_store::features::{self, Feature, FeatureChanges};
use radar_store::{FeatureId, FeatureNumber, FeatureStatus, projects, releases};

use super::{Applied, Cx, Done, Fail};
use crate::buttons::ButtonAction;
use crate::change::{Change, Delta, FeatureDiff, FeatureRef, FeatureSnapshot};
use crate::describe::{label, short};
use crate::language::Filter;
use crate::messages::t;
use crate::reject::Rejection;
use crate::render::{Button, Keyboard, esc};
use crate::status::StatusWords;

/// Feature fields set by a simple command.
#[derive(Clone, Copy)]
pub(super) enum Field {
    Teams,
    Po,
    Description,
    Name,
}

impl Field {
    fn key(self) -> &'static str {
        match self {
            Field::Teams => "teams",
            Field::Po => "po",
            Field::Description => "description",
            Field::Name => "name",
        }
    }

    fn get(self, f: &Feature) -> Option<String> {
        match self {
            Field::Teams => f.assigned_teams.clone(),
            Field::Po => f.assigned_po.clone(),
            Field::Description => f.description.clone(),
            Field::Name => Some(f.name.clone()),
        }
    }

    /// The change to the row and the event's diff.
    fn set(self, before: Option<String>, after: String) -> (FeatureChanges, FeatureDiff) {
        let mut ch = FeatureChanges::default();
        let mut diff = FeatureDiff::default();
        match self {
            Field::Teams => {
                ch.assigned_teams = Some(Some(after.clone()));
                diff.teams = Delta::new(before, Some(after));
            }
            Field::Po => {
                ch.assigned_po = Some(Some(after.clone()));
                diff.po = Delta::new(before, Some(after));
            }
            Field::Description => {
                ch.description = Some(Some(after.clone()));
                diff.description = Delta::new(before, Some(after));
            }
            Field::Name => {
                ch.name = Some(after.clone());
                diff.name = Delta::new(before.unwrap_or_default(), after);
            }
        }
        (ch, diff)
    }
}

impl Cx<'_> {
    pub(super) async fn add_feature(&mut self, name: &str, description: Option<String>) -> Applied {
        let p = self.writable_project()?;
        let key = name.to_lowercase();
        // The names the message was understood in, when they are this
        // project's (cached per names version, which every name write
        // changes): only the features named alike are read, for their status.
        let names = self
            .names
            .as_ref()
            .filter(|(id, _)| *id == p.id)
            .map(|(_, names)| names.clone());
        let existing = match &names {
            Some(names) => {
                let mut alike = Vec::new();
                for f in names
                    .features
                    .iter()
                    .filter(|f| f.name.to_lowercase() == key)
                {
                    if let Some(id) = names.feature_ids.get(&f.number) {
                        alike.extend(features::get(self.conn, *id).await?);
                    }
                }
                alike
            }
            None => features::list(self.conn, p.id, &[]).await?,
        };
        if let Some(f) = existing
            .iter()
            .find(|f| f.name.to_lowercase() == key && f.status != FeatureStatus::Cancelled)
        {
            return Ok(Done::unchanged(t!(
                self.lang,
                "feature-exists",
                feature = Self::feature_title(f),
                status = f.status.label(self.lang)
            ))
            .with_keyboard(self.status_keyboard(f).await?));
        }
        let read = names.and_then(|names| names.version);
        let (f, names_version) = features::add(
            self.conn,
            p.id,
            name,
            description.as_deref(),
            self.now,
            read,
        )
        .await?;
        if let Some(now) = names_version {
            // The next command in this project finds its names in memory.
            self.engine.names_cache().feature_added(p.id, read, now, &f);
        }
        self.touched.feature = Some(f.id);
        let change = Change::FeatureCreated {
            feature: FeatureSnapshot::from(&f),
        };
        let version = self.log(&change, f.id.0, Some(p.id)).await?;
        Ok(Done::changed(t!(
            self.lang,
            "feature-added",
            feature = Self::feature_title(&f),
            status = FeatureStatus::Backlog.label(self.lang)
        ))
        .with_keyboard(self.status_keyboard_at(&f, version)))
    }

    pub(super) async fn features(&mut self, filter: Filter) -> Applied {
        let p = self.active_project()?;
        let statuses: &[FeatureStatus] = match &filter {
            Filter::Open => FeatureStatus::OPEN,
            Filter::Status(s) => std::slice::from_ref(s),
            Filter::All | Filter::Release(_) | Filter::Team(_) | Filter::Po(_) => &[],
        };
        let mut list = features::list(self.conn, p.id, statuses).await?;
        let all_releases = releases::list(self.conn, p.id).await?;
        let releases: HashMap<_, String> = all_releases
            .iter()
            .map(|r| (r.id, r.version.clone()))
            .collect();
        let lang = self.lang;
        let same =
            |a: &str, b: &str| crate::language::text::fold(a) == crate::language::text::fold(b);
        match &filter {
            Filter::Release(v) => {
                let Some(r) = all_releases.iter().find(|r| same(&r.version, v)) else {
                    return Err(self.unknown_release(p.id, v).await?);
                };
                list.retain(|f| f.release_id == Some(r.id));
            }
            Filter::Team(t) => list.retain(|f| {
                f.assigned_teams
                    .as_deref()
                    .is_some_and(|ts| ts.split(',').any(|x| same(x.trim(), t)))
            }),
            Filter::Po(po) => {
                list.retain(|f| f.assigned_po.as_deref().is_some_and(|x| same(x, po)))
            }
            _ => {}
        }
        let title = match &filter {
            Filter::All => t!(lang, "features-title-all"),
            Filter::Open => t!(lang, "features-title-open"),
            Filter::Status(s) => t!(lang, "features-title-status", status = s.as_str()),
            Filter::Release(v) => t!(lang, "features-title-release", version = esc(v)),
            Filter::Team(t) => t!(lang, "features-title-team", team = esc(t)),
            Filter::Po(po) => t!(lang, "features-title-po", po = esc(po)),
        };
        if list.is_empty() {
            let hint = match filter {
                Filter::All => t!(lang, "features-none-yet"),
                // Nothing open: say what the closed ones are, if there are any.
                Filter::Open => {
                    let all = features::list(self.conn, p.id, &[]).await?;
                    let count = |s: FeatureStatus| all.iter().filter(|f| f.status == s).count();
                    if all.is_empty() {
                        t!(lang, "features-none-yet")
                    } else {
                        t!(
                            lang,
                            "features-none-open",
                            done = count(FeatureStatus::Done),
                            cancelled = count(FeatureStatus::Cancelled)
                        )
                    }
                }
                _ => t!(lang, "features-none-status"),
            };
            return Ok(self.with_board(Done::unchanged(format!("{title}\n{hint}"))));
        }
        let mut lines = vec![t!(
            lang,
            "features-heading",
            title = title,
            count = list.len()
        )];
        for f in &list {
            let mut line = format!(
                "{} {} — {}",
                f.status.icon(),
                Self::feature_title(f),
                f.status.label(lang)
            );
            if let Some(r) = &f.status_reason {
                line.push_str(&format!(": <i>{}</i>", esc(r)));
            }
            if let Some(t) = &f.assigned_teams {
                line.push_str(&format!(" · 👥 {}", esc(t)));
            }
            if let Some(v) = f.release_id.and_then(|id| releases.get(&id)) {
                line.push_str(&format!(" · 🚀 {}", esc(v)));
            }
            lines.push(line);
        }
        Ok(self.with_board(Done::unchanged(lines.join("\n"))))
    }

    /// Adds the "Open board" button (a Mini App) when the board is on and
    /// the chat is private: Telegram refuses `web_app` buttons in groups.
    fn with_board(&self, done: Done) -> Done {
        match &self.engine.config().board_url {
            Some(url) if self.addressed == crate::Addressed::Private => {
                done.with_keyboard(Keyboard(vec![vec![Button {
                    text: t!(self.lang, "board-open-button"),
                    data: String::new(),
                    web_app: Some(url.clone()),
                }]]))
            }
            _ => done,
        }
    }

    pub(super) async fn show_feature(&mut self, n: FeatureNumber) -> Applied {
        let p = self.active_project()?;
        let f = self.feature(&p, n).await?;
        let lang = self.lang;
        let view = self.view();
        let mut lines = vec![format!("<b>{}</b>", Self::feature_title(&f))];
        let mut status = format!("{} {}", f.status.icon(), f.status.label(lang));
        if let Some(r) = &f.status_reason {
            status.push_str(&format!(": <i>{}</i>", esc(r)));
        }
        lines.push(t!(lang, "feature-status", status = status));
        if let Some(d) = &f.description {
            lines.push(t!(lang, "feature-description", text = esc(d)));
        }
        let or_dash = |s: &Option<String>| s.as_deref().map(esc).unwrap_or_else(|| "—".into());
        lines.push(t!(
            lang,
            "feature-teams",
            teams = or_dash(&f.assigned_teams)
        ));
        lines.push(t!(lang, "feature-po", po = or_dash(&f.assigned_po)));
        let release = match f.release_id {
            Some(id) => releases::get(self.conn, id).await?.map(|r| r.version),
            None => None,
        };
        lines.push(t!(lang, "feature-release", release = or_dash(&release)));
        lines.push(t!(
            lang,
            "feature-dates",
            created = view.time(f.created_at),
            updated = view.time(f.updated_at)
        ));
        Ok(Done::unchanged(lines.join("\n")).with_keyboard(self.status_keyboard(&f).await?))
    }

    pub(super) async fn set_status(
        &mut self,
        f: Feature,
        status: FeatureStatus,
        reason: Option<String>,
    ) -> Applied {
        let lang = self.lang;
        let in_other_project = self.project.as_ref().map(|p| p.id) != Some(f.project_id);
        if f.status == status && (reason.is_none() || reason == f.status_reason) {
            return Ok(Done::unchanged(t!(
                lang,
                "feature-status-same",
                feature = Self::feature_title(&f),
                status = status.label(lang)
            ))
            .with_keyboard(self.status_keyboard(&f).await?));
        }
        let changes = FeatureChanges {
            status: Some(status),
            status_reason: Some(reason.clone()),
            updated_at: Some(self.now),
            ..Default::default()
        };
        let updated = features::update(self.conn, f.id, &changes).await?;
        let change = Change::FeatureUpdated {
            feature: FeatureRef::from(&f),
            diff: FeatureDiff {
                status: Delta::new(f.status, updated.status),
                status_reason: Delta::new(f.status_reason.clone(), updated.status_reason.clone()),
                ..FeatureDiff::default()
            },
        };
        let version = self.log(&change, f.id.0, Some(f.project_id)).await?;
        let mut text = format!(
            "{} {}: {} → <b>{}</b>",
            status.icon(),
            Self::feature_title(&f),
            f.status.label(lang),
            status.label(lang)
        );
        if let Some(r) = &reason {
            text.push_str(&format!(" (<i>{}</i>)", esc(r)));
        }
        if in_other_project && let Some(p) = projects::get(self.conn, f.project_id).await? {
            text.push('\n');
            text.push_str(&t!(lang, "feature-in-project", name = esc(&p.name)));
        }
        Ok(Done::changed(text).with_keyboard(self.status_keyboard_at(&updated, version)))
    }

    pub(super) async fn update_field(
        &mut self,
        number: FeatureNumber,
        field: Field,
        value: String,
    ) -> Applied {
        let f = self.writable_feature(number).await?;
        let lang = self.lang;
        let current = field.get(&f);
        if current.as_deref() == Some(value.as_str()) {
            return Ok(Done::unchanged(t!(
                lang,
                "field-same",
                feature = Self::feature_title(&f),
                field = label(field.key(), lang),
                value = esc(&value)
            )));
        }
        let (mut changes, diff) = field.set(current.clone(), value.clone());
        changes.updated_at = Some(self.now);
        features::update(self.conn, f.id, &changes).await?;
        let change = Change::FeatureUpdated {
            feature: FeatureRef::from(&f),
            diff,
        };
        self.log(&change, f.id.0, Some(f.project_id)).await?;
        Ok(Done::changed(t!(
            lang,
            "field-changed",
            feature = Self::feature_title(&f),
            field = label(field.key(), lang),
            before = esc(&short(current.as_deref().unwrap_or("—"))),
            after = esc(&short(&value))
        )))
    }

    pub(super) async fn confirm_delete(&mut self, f: &Feature) -> Applied {
        let lang = self.lang;
        let version = self.feature_version(f.id).await?;
        Ok(Done::unchanged(t!(
            lang,
            "delete-confirm",
            feature = Self::feature_title(f),
            number = f.number.to_string()
        ))
        .with_keyboard(Keyboard(vec![vec![
            Button {
                text: t!(lang, "delete-button", number = f.number.to_string()),
                data: ButtonAction::Delete {
                    feature: f.id,
                    version,
                }
                .encode(),
                web_app: None,
            },
            Button {
                text: t!(lang, "delete-cancel-button"),
                data: ButtonAction::Dismiss.encode(),
                web_app: None,
            },
        ]])))
    }

    /// The confirmation button: a feature deleted since is reported, not an error.
    pub(super) async fn delete_feature_by_id(&mut self, id: FeatureId) -> Applied {
        match self.writable_feature_by_id(id).await {
            Ok(f) => self.delete_feature(f).await,
            Err(Fail::Rejected(Rejection::FeatureGone)) => {
                Ok(Done::unchanged(t!(self.lang, "feature-already-deleted")))
            }
            Err(e) => Err(e),
        }
    }

    pub(super) async fn delete_feature(&mut self, f: Feature) -> Applied {
        features::delete(self.conn, f.id).await?;
        let change = Change::FeatureDeleted {
            feature: FeatureSnapshot::from(&f),
        };
        self.log(&change, f.id.0, Some(f.project_id)).await?;
        Ok(Done::changed(t!(
            self.lang,
            "feature-deleted",
            feature = Self::feature_title(&f)
        )))
    }
}
