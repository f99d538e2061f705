//! Understanding a message in its context: the user's world (projects, the
//! active project's features and releases, what their previous command
//! touched), and remembering what this command touched for the next one.

use std::sync::Arc;

use radar_store::conversation_state::{self, Conversation};
use radar_store::names_versions::{self, Scope};
use radar_store::{FeatureId, FeatureNumber, ProjectId, ReleaseId};

use super::world::{ProjectList, ProjectNames};
use super::{Cx, Fail};
use crate::language::{Command, Last, World};

/// The world a message is understood in, with the ids behind its names.
pub(crate) struct Context {
    pub world: World,
    list: Arc<ProjectList>,
    project: Option<Arc<ProjectNames>>,
}

impl Context {
    fn feature_id(&self, n: FeatureNumber) -> Option<FeatureId> {
        self.project.as_ref()?.feature_ids.get(&n).copied()
    }

    fn release_id(&self, version: &str) -> Option<ReleaseId> {
        self.project.as_ref()?.release_ids.get(version).copied()
    }

    fn project_id(&self, name: &str) -> Option<ProjectId> {
        self.list.ids.get(name).copied()
    }
}

impl Cx<'_> {
    /// The user's world: names from the engine's cache at the versions the
    /// user's context was read with ([`super::world`]), and what their
    /// previous command touched.
    pub(super) async fn context(&mut self) -> Result<Context, Fail> {
        let cache = self.engine.names_cache();
        let list = cache.list(self.conn, self.versions.0).await?;
        let project = match &self.project {
            Some(p) => {
                let version = match self.versions.1 {
                    Some((id, v)) if id == p.id => v,
                    _ => names_versions::get(self.conn, Scope::Project(p.id)).await?,
                };
                Some(cache.project(self.conn, p.id, version).await?)
            }
            None => None,
        };
        self.names = self
            .project
            .as_ref()
            .zip(project.clone())
            .map(|(p, names)| (p.id, names));
        let mut world = World {
            projects: list.views.clone(),
            active: self.project.as_ref().map(|p| p.name.clone()),
            ..World::default()
        };
        world.prepared[1] = list.prepared.clone();
        if let Some(p) = &project {
            world.features = p.features.clone();
            world.releases = p.releases.clone();
            world.prepared[0] = p.prepared.clone();
        }
        if let Some(c) = &self.conversation {
            world.last = Last {
                feature: c
                    .feature_id
                    .and_then(|id| project.as_ref()?.numbers.get(&id).copied()),
                release: c
                    .release_id
                    .and_then(|id| project.as_ref()?.versions.get(&id).cloned()),
                project: c.project_id.and_then(|id| list.names.get(&id).cloned()),
                command: c.last_command.clone(),
            };
        }
        Ok(Context {
            world,
            list,
            project,
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
                .or_else(|| cmd.feature().and_then(|n| cx.feature_id(n)))
                .filter(|_| !deleted),
            release_id: self
                .touched
                .release
                .or_else(|| cmd.release().and_then(|v| cx.release_id(v))),
            project_id: self
                .touched
                .project
                .or_else(|| cmd.project().and_then(|n| cx.project_id(n))),
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
            feature_id: cx.world.last.feature.and_then(|n| cx.feature_id(n)),
            release_id: cx
                .world
                .last
                .release
                .as_ref()
                .and_then(|v| cx.release_id(v)),
            project_id: cx
                .world
                .last
                .project
                .as_ref()
                .and_then(|n| cx.project_id(n)),
            last_command: cx.world.last.command.clone(),
            updated_at: self.now,
        }
    }
}
