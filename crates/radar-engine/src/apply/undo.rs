//! Undo: reverts the user's latest command that is not undone yet, by
//! applying each of its changes' inverse and logging it as a compensating
//! event (`reverts_event_id`). A change someone else touched since is
//! refused, naming who and what.

use std::collections::HashSet;

use radar_store::event_log;
use radar_store::features::{self, FeatureChanges};
use radar_store::projects::{self, ProjectChanges};
use radar_store::releases::{self, ReleaseChanges};
use radar_store::{EntityKind, EventId};

use super::history::decode_all;
use super::{Applied, Cx, Done, Fail};
use crate::change::{Change, Event, decode};
use crate::describe::{describe_change, event_title};
use crate::messages::t;
use crate::reject::{Rejection, UndoImpossible};

impl Cx<'_> {
    pub(super) async fn undo(&mut self) -> Applied {
        let lang = self.lang;
        let Some(latest) = event_log::latest_undoable(self.conn, self.user).await? else {
            return Ok(Done::unchanged(t!(lang, "undo-nothing")));
        };
        // Undo the whole command that wrote it (all its events), newest first.
        let mut rows = event_log::of_command(self.conn, &latest.correlation_id).await?;
        let ids: Vec<EventId> = rows.iter().map(|e| e.id).collect();
        let done: HashSet<EventId> = event_log::reverts_of(self.conn, &ids)
            .await?
            .into_iter()
            .filter_map(|r| r.reverts_event_id)
            .collect();
        rows.retain(|e| e.user_id == self.user && !done.contains(&e.id));
        rows.reverse();
        let mut group = Vec::with_capacity(rows.len());
        for row in &rows {
            match decode(row) {
                Ok(e) => group.push(e),
                Err(err) => {
                    tracing::error!(error = %err, "cannot undo an unreadable event");
                    return Err(Rejection::UndoUnreadable.into());
                }
            }
        }
        let in_group: HashSet<EventId> = group.iter().map(|e| e.id).collect();

        for e in &group {
            self.check_nothing_since(e, &in_group).await?;
            self.check_possible(e).await?;
        }

        let mut lines = vec![t!(lang, "undo-done")];
        for e in &group {
            self.revert(e).await?;
            lines.push(format!(
                "• {}: {}",
                event_title(e, lang),
                describe_change(&e.change, lang)
            ));
        }
        // The active project may have been affected (an undone creation, an archiving).
        self.project = match self.project.as_ref() {
            Some(p) => projects::get(self.conn, p.id).await?,
            None => None,
        };
        Ok(Done::changed(lines.join("\n")))
    }

    /// Refuses when anyone changed the same thing after `e` (unless that
    /// later change was itself undone).
    async fn check_nothing_since(
        &mut self,
        e: &Event,
        in_group: &HashSet<EventId>,
    ) -> Result<(), Fail> {
        let later = if let Change::ProjectCreated { project } = &e.change {
            event_log::project_events_after(self.conn, project.id, e.id).await?
        } else {
            event_log::entity_events_after(self.conn, e.entity, e.entity_id, e.id).await?
        };
        let candidates: Vec<_> = later
            .into_iter()
            .filter(|l| l.reverts_event_id.is_none() && !in_group.contains(&l.id))
            .collect();
        let ids: Vec<EventId> = candidates.iter().map(|l| l.id).collect();
        let reverted: HashSet<EventId> = event_log::reverts_of(self.conn, &ids)
            .await?
            .into_iter()
            .filter_map(|r| r.reverts_event_id)
            .collect();
        let blockers: Vec<_> = candidates
            .into_iter()
            .filter(|l| !reverted.contains(&l.id))
            .collect();
        match decode_all(&blockers).into_iter().next() {
            Some(later) => Err(Rejection::UndoConflict {
                event: Box::new(e.clone()),
                later: Box::new(later),
            }
            .into()),
            None if !blockers.is_empty() => Err(Rejection::UndoUnreadable.into()),
            None => Ok(()),
        }
    }

    /// Reasons an undo can't be done that the log alone doesn't show.
    async fn check_possible(&mut self, e: &Event) -> Result<(), Fail> {
        let restores_into = match &e.change {
            Change::FeatureDeleted { feature } => Some(feature.project_id),
            Change::ReleaseDeleted { release } => Some(release.project_id),
            _ => None,
        };
        if let Some(project) = restores_into
            && projects::get(self.conn, project).await?.is_none()
        {
            return Err(Rejection::UndoImpossible(UndoImpossible::ProjectGone).into());
        }
        match &e.change {
            Change::ReleaseCreated { release } => {
                let planned = features::in_releases(self.conn, release.project_id).await?;
                if planned.iter().any(|f| f.release_id == Some(release.id)) {
                    return Err(Rejection::UndoImpossible(UndoImpossible::ReleaseInUse {
                        version: release.version.clone(),
                    })
                    .into());
                }
            }
            Change::FeatureUpdated { diff, .. } => {
                if let Some(Some(r)) = diff.release.as_ref().map(|d| &d.before)
                    && releases::get(self.conn, r.id).await?.is_none()
                {
                    return Err(Rejection::UndoImpossible(UndoImpossible::ReleaseGone).into());
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Applies the inverse of `e` and logs it as a compensating event.
    async fn revert(&mut self, e: &Event) -> Result<(), Fail> {
        let inverse = e.change.clone().inverse();
        match &inverse {
            Change::ProjectDeleted { project } => projects::delete(self.conn, project.id).await?,
            Change::ProjectUpdated { diff, .. } => {
                let ch = ProjectChanges {
                    name: diff.name.as_ref().map(|d| d.after.clone()),
                    name_key: diff
                        .name
                        .as_ref()
                        .map(|d| super::projects::name_key(&d.after)),
                    description: diff.description.as_ref().map(|d| d.after.clone()),
                    status: diff.status.as_ref().map(|d| d.after),
                    updated_at: Some(self.now),
                };
                projects::update(self.conn, radar_store::ProjectId(e.entity_id), &ch).await?;
            }
            Change::FeatureDeleted { feature } => features::delete(self.conn, feature.id).await?,
            Change::FeatureCreated { feature } => {
                let mut row = feature.to_new();
                // The release may be gone since; the FK would refuse it.
                if let Some(rid) = row.release_id
                    && releases::get(self.conn, rid).await?.is_none()
                {
                    row.release_id = None;
                }
                features::insert(self.conn, &row).await?;
            }
            Change::FeatureUpdated { diff, .. } => {
                let after = |d: &Option<crate::change::Delta<Option<String>>>| {
                    d.as_ref().map(|d| d.after.clone())
                };
                let ch = FeatureChanges {
                    name: diff.name.as_ref().map(|d| d.after.clone()),
                    description: after(&diff.description),
                    status: diff.status.as_ref().map(|d| d.after),
                    status_reason: after(&diff.status_reason),
                    assigned_teams: after(&diff.teams),
                    assigned_po: after(&diff.po),
                    release_id: diff
                        .release
                        .as_ref()
                        .map(|d| d.after.as_ref().map(|r| r.id)),
                    updated_at: Some(self.now),
                };
                features::update(self.conn, radar_store::FeatureId(e.entity_id), &ch).await?;
            }
            Change::ReleaseDeleted { release } => releases::delete(self.conn, release.id).await?,
            Change::ReleaseCreated { release } => {
                releases::insert(self.conn, &release.to_new()).await?;
            }
            Change::ReleaseUpdated { diff, .. } => {
                let ch = ReleaseChanges {
                    version: diff.version.as_ref().map(|d| d.after.clone()),
                    status: diff.status.as_ref().map(|d| d.after),
                    released_at: diff.released_at.as_ref().map(|d| d.after),
                    target_date: diff.target_date.as_ref().map(|d| d.after),
                    updated_at: Some(self.now),
                };
                releases::update(self.conn, radar_store::ReleaseId(e.entity_id), &ch).await?;
            }
            // A project is only ever deleted by undoing its creation, and
            // context switches are not undone.
            Change::ProjectCreated { .. }
            | Change::ContextSwitched { .. }
            | Change::SettingsChanged { .. } => {}
        }
        debug_assert_eq!(inverse.entity_kind(), e.entity);
        debug_assert!(e.entity != EntityKind::Context);
        self.append(&inverse, e.entity_id, e.project, Some(e.id))
            .await?;
        Ok(())
    }
}
