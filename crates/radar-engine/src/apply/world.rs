//! The names a message is understood in, kept in memory per names version
//! ([`radar_store::names_versions`]): the project list, and each project's
//! features and releases. A command reads the versions with the user's
//! context (one statement) and reads the names themselves only when a
//! version changed, so a replica sees another's renames at once.
//!
//! A cached entry is keyed by the version read *before* its names. On
//! PostgreSQL a change committed in between puts newer names under the
//! older version; every later command reads the newer version and reloads,
//! so at worst a command already in flight sees names committed a moment
//! after it began, as it would in its next statement anyway. Versions are
//! random and never reused (rolled-back ones included), so no entry is
//! ever taken for another state.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use radar_store::names_versions::Version;
use radar_store::{
    Conn, FeatureId, FeatureNumber, ProjectId, ReleaseId, features, projects, releases,
};

use crate::language::{FeatureView, PreparedNames, ProjectView};

/// Every project's name and status, for one version of the list.
pub(crate) struct ProjectList {
    version: Version,
    pub views: Arc<[ProjectView]>,
    pub ids: HashMap<String, ProjectId>,
    pub names: HashMap<ProjectId, String>,
    pub prepared: Arc<PreparedNames>,
}

/// One project's feature names and release versions, for one version.
pub(crate) struct ProjectNames {
    /// The names version these names are at (read before them).
    pub version: Version,
    pub features: Arc<[FeatureView]>,
    pub feature_ids: HashMap<FeatureNumber, FeatureId>,
    pub numbers: HashMap<FeatureId, FeatureNumber>,
    pub releases: Arc<[String]>,
    pub release_ids: HashMap<String, ReleaseId>,
    pub versions: HashMap<ReleaseId, String>,
    pub prepared: Arc<PreparedNames>,
}

/// The engine's cache (one per [`crate::Engine`], shared by its clones).
/// It holds the newest entry read for the list and for each project.
#[derive(Default)]
pub(crate) struct NamesCache {
    list: Mutex<Option<Arc<ProjectList>>>,
    projects: Mutex<HashMap<ProjectId, Arc<ProjectNames>>>,
}

impl NamesCache {
    /// The project list at `version`, read when the cache has another.
    pub async fn list(
        &self,
        conn: &mut Conn,
        version: Version,
    ) -> Result<Arc<ProjectList>, radar_store::StoreError> {
        if let Some(l) = lock(&self.list).as_ref().filter(|l| l.version == version) {
            return Ok(l.clone());
        }
        let all = projects::names(conn).await?;
        let list = Arc::new(ProjectList {
            version,
            views: all
                .iter()
                .map(|p| ProjectView {
                    name: p.name.clone(),
                    archived: p.is_archived(),
                })
                .collect(),
            ids: all.iter().map(|p| (p.name.clone(), p.id)).collect(),
            names: all.into_iter().map(|p| (p.id, p.name)).collect(),
            prepared: Arc::default(),
        });
        *lock(&self.list) = Some(list.clone());
        Ok(list)
    }

    /// Project `id`'s names at `version`, read when the cache has another.
    pub async fn project(
        &self,
        conn: &mut Conn,
        id: ProjectId,
        version: Version,
    ) -> Result<Arc<ProjectNames>, radar_store::StoreError> {
        if let Some(p) = lock(&self.projects)
            .get(&id)
            .filter(|p| p.version == version)
        {
            return Ok(p.clone());
        }
        let feats = features::names(conn, id).await?;
        let rels = releases::list(conn, id).await?;
        let names = Arc::new(ProjectNames {
            version,
            feature_ids: feats.iter().map(|f| (f.number, f.id)).collect(),
            numbers: feats.iter().map(|f| (f.id, f.number)).collect(),
            features: feats
                .into_iter()
                .map(|f| FeatureView {
                    number: f.number,
                    name: f.name,
                    teams: f.assigned_teams,
                    po: f.assigned_po,
                })
                .collect(),
            releases: rels.iter().map(|r| r.version.clone()).collect(),
            release_ids: rels.iter().map(|r| (r.version.clone(), r.id)).collect(),
            versions: rels.into_iter().map(|r| (r.id, r.version)).collect(),
            prepared: Arc::default(),
        });
        lock(&self.projects).insert(id, names.clone());
        Ok(names)
    }

    /// A feature was added to `project`, whose names the command read at
    /// `read`, and the insert gave the names version `now`
    /// ([`radar_store::features::add`]): the entry at `read` plus
    /// the feature is the entry at `now`, so the next command needs no
    /// read. Nothing happens when the cache holds another version. `now` is
    /// random and given once, so the entry is never taken for another state,
    /// also when the command is rolled back.
    pub fn feature_added(
        &self,
        project: ProjectId,
        read: Version,
        now: i64,
        f: &radar_store::features::Feature,
    ) {
        let mut map = lock(&self.projects);
        let Some(old) = map.get(&project).filter(|p| p.version == read) else {
            return;
        };
        let mut features = old.features.to_vec();
        features.push(FeatureView {
            number: f.number,
            name: f.name.clone(),
            teams: f.assigned_teams.clone(),
            po: f.assigned_po.clone(),
        });
        features.sort_by_key(|f| f.number);
        let mut feature_ids = old.feature_ids.clone();
        feature_ids.insert(f.number, f.id);
        let mut numbers = old.numbers.clone();
        numbers.insert(f.id, f.number);
        let names = ProjectNames {
            version: Some(now),
            features: features.into(),
            feature_ids,
            numbers,
            releases: old.releases.clone(),
            release_ids: old.release_ids.clone(),
            versions: old.versions.clone(),
            prepared: Arc::default(),
        };
        map.insert(project, Arc::new(names));
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
