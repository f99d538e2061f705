//! Understanding a message in its context: the user's world (projects, the
//! active project's features and releases, what their previous command
//! touched), and remembering what this command touched for the next one.

use std::collections::HashMap;

use radar_store::conversation_state::{self, Conversation};
use radar_store::{FeatureId, FeatureNumber, ProjectId, ReleaseId, features, projects, releases};

use super::{Cx, Fail};
use crate::language::{Command, FeatureView, Last, ProjectView, World};

/// The world a message is understood in, with the ids behind its names.
pub(crate) struct Context {
    pub world: World,
    feature_ids: HashMap<FeatureNumber, FeatureId>,
    release_ids: HashMap<String, ReleaseId>,
    project_ids: HashMap<String, ProjectId>,
}

impl Cx<'_> {
    pub(super) async fn context(&mut self) -> Result<Context, Fail> {
        let all = projects::names(self.conn).await?;
        let mut world = World {
            projects: all
                .iter()
                .map(|p| ProjectView {
                    name: p.name.clone(),
                    archived: p.is_archived(),
                })
                .collect(),
            active: self.project.as_ref().map(|p| p.name.clone()),
            ..World::default()
        };
        let project_ids: HashMap<String, ProjectId> =
            all.into_iter().map(|p| (p.name, p.id)).collect();
        let mut feature_ids = HashMap::new();
        let mut release_ids = HashMap::new();
        let mut names_by_id = HashMap::new();
        if let Some(p) = &self.project {
            for f in features::names(self.conn, p.id).await? {
                feature_ids.insert(f.number, f.id);
                names_by_id.insert(f.id, f.number);
                world.features.push(FeatureView {
                    number: f.number,
                    name: f.name,
                    teams: f.assigned_teams,
                    po: f.assigned_po,
                });
            }
            for r in releases::list(self.conn, p.id).await? {
                world.releases.push(r.version.clone());
                release_ids.insert(r.version, r.id);
            }
        }
        if let Some(c) = conversation_state::get(self.conn, self.user).await? {
            let version_of = |id: ReleaseId| {
                release_ids
                    .iter()
                    .find(|(_, r)| **r == id)
                    .map(|(v, _)| v.clone())
            };
            let project_of = |id: ProjectId| {
                project_ids
                    .iter()
                    .find(|(_, p)| **p == id)
                    .map(|(n, _)| n.clone())
            };
            world.last = Last {
                feature: c.feature_id.and_then(|id| names_by_id.get(&id).copied()),
                release: c.release_id.and_then(version_of),
                project: c.project_id.and_then(project_of),
                command: c.last_command,
            };
        }
        Ok(Context {
            world,
            feature_ids,
            release_ids,
            project_ids,
        })
    }

    /// Remembers what `cmd` touched, for "it" and "same for" in the next message.
    pub(super) async fn remember(&mut self, cmd: &Command, cx: &Context) -> Result<(), Fail> {
        // What the command created is not in the context it was read in.
        let deleted = matches!(
            cmd,
            Command::DeleteFeature {
                confirmed: true,
                ..
            } | Command::DeleteFeatureById(_)
        );
        let state = Conversation {
            user_id: self.user,
            feature_id: self
                .touched
                .feature
                .or_else(|| cmd.feature().and_then(|n| cx.feature_ids.get(&n).copied()))
                .filter(|_| !deleted),
            release_id: self
                .touched
                .release
                .or_else(|| cmd.release().and_then(|v| cx.release_ids.get(v).copied())),
            project_id: self
                .touched
                .project
                .or_else(|| cmd.project().and_then(|n| cx.project_ids.get(n).copied())),
            last_command: cmd.slash(),
            updated_at: self.now,
        };
        if state != self.remembered(cx) {
            conversation_state::set(self.conn, &state).await?;
        }
        Ok(())
    }

    /// The stored state as the context read it (to skip a write that changes nothing).
    fn remembered(&self, cx: &Context) -> Conversation {
        Conversation {
            user_id: self.user,
            feature_id: cx
                .world
                .last
                .feature
                .and_then(|n| cx.feature_ids.get(&n).copied()),
            release_id: cx
                .world
                .last
                .release
                .as_ref()
                .and_then(|v| cx.release_ids.get(v).copied()),
            project_id: cx
                .world
                .last
                .project
                .as_ref()
                .and_then(|n| cx.project_ids.get(n).copied()),
            last_command: cx.world.last.command.clone(),
            updated_at: self.now,
        }
    }
}
