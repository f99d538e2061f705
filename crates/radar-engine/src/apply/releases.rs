//! Releases: create, list with progress, plan features into them, ship.

use chrono::NaiveDate;
use radar_store::features::{self, Feature, FeatureChanges};
use radar_store::releases::{self, NewRelease, Release, ReleaseChanges};
use radar_store::{FeatureNumber, FeatureStatus, ProjectId, ReleaseStatus};

use super::{Applied, Cx, Done, Fail};
use crate::change::{
    Change, Delta, FeatureDiff, FeatureRef, ReleaseDiff, ReleaseRef, ReleaseSnapshot,
};
use crate::describe::release_status;
use crate::messages::t;
use crate::reject::Rejection;
use crate::render::{esc, show_date};

impl Cx<'_> {
    /// The release `version` of a project, or a rejection listing the known ones.
    pub(super) async fn release_named(
        &mut self,
        project: ProjectId,
        version: &str,
    ) -> Result<Release, Fail> {
        if let Some(r) = releases::by_version(self.conn, project, version).await? {
            return Ok(r);
        }
        Err(self.unknown_release(project, version).await?)
    }

    /// "There is no release «9.9»", with the project's releases.
    pub(super) async fn unknown_release(
        &mut self,
        project: ProjectId,
        version: &str,
    ) -> Result<Fail, Fail> {
        let known = releases::list(self.conn, project)
            .await?
            .into_iter()
            .map(|r| r.version)
            .collect();
        Ok(Rejection::UnknownRelease {
            version: version.to_string(),
            known,
        }
        .into())
    }

    /// Moves a release's target date.
    pub(super) async fn release_date(&mut self, version: &str, date: NaiveDate) -> Applied {
        let p = self.writable_project()?;
        let lang = self.lang;
        let r = self.release_named(p.id, version).await?;
        if r.target_date == Some(date) {
            return Ok(Done::unchanged(t!(
                lang,
                "release-date-same",
                version = esc(&r.version),
                date = show_date(date, lang)
            )));
        }
        releases::update(
            self.conn,
            r.id,
            &ReleaseChanges {
                target_date: Some(Some(date)),
                updated_at: Some(self.now),
                ..Default::default()
            },
        )
        .await?;
        let change = Change::ReleaseUpdated {
            version: r.version.clone(),
            diff: ReleaseDiff {
                target_date: Delta::new(r.target_date, Some(date)),
                ..ReleaseDiff::default()
            },
        };
        self.log(&change, r.id.0, Some(p.id)).await?;
        let before = r
            .target_date
            .map(|d| show_date(d, lang))
            .unwrap_or_else(|| "—".into());
        Ok(Done::changed(t!(
            lang,
            "release-date-set",
            version = esc(&r.version),
            before = before,
            date = show_date(date, lang)
        )))
    }

    /// Starts (in progress) or cancels a release.
    pub(super) async fn release_status(&mut self, version: &str, status: ReleaseStatus) -> Applied {
        let p = self.writable_project()?;
        let lang = self.lang;
        let r = self.release_named(p.id, version).await?;
        let label = release_status(status, lang);
        if r.status == status {
            return Ok(Done::unchanged(t!(
                lang,
                "release-status-same",
                version = esc(&r.version),
                status = label
            )));
        }
        if r.status == ReleaseStatus::Released {
            return Err(Rejection::ReleaseShipped {
                version: r.version.clone(),
            }
            .into());
        }
        releases::update(
            self.conn,
            r.id,
            &ReleaseChanges {
                status: Some(status),
                updated_at: Some(self.now),
                ..Default::default()
            },
        )
        .await?;
        let change = Change::ReleaseUpdated {
            version: r.version.clone(),
            diff: ReleaseDiff {
                status: Delta::new(r.status, status),
                ..ReleaseDiff::default()
            },
        };
        self.log(&change, r.id.0, Some(p.id)).await?;
        let version = esc(&r.version);
        Ok(Done::changed(if status == ReleaseStatus::InProgress {
            t!(lang, "release-started", version = version)
        } else {
            t!(lang, "release-cancelled", version = version)
        }))
    }

    pub(super) async fn new_release(
        &mut self,
        version: String,
        date: Option<NaiveDate>,
    ) -> Applied {
        let p = self.writable_project()?;
        let lang = self.lang;
        if let Some(r) = releases::by_version(self.conn, p.id, &version).await? {
            return Ok(Done::unchanged(t!(
                lang,
                "release-exists",
                version = esc(&r.version)
            )));
        }
        let r = releases::insert(
            self.conn,
            &NewRelease {
                id: None,
                project_id: p.id,
                version,
                target_date: date,
                status: ReleaseStatus::Planned,
                created_at: self.now,
                updated_at: self.now,
                released_at: None,
            },
        )
        .await?;
        self.touched.release = Some(r.id);
        let change = Change::ReleaseCreated {
            release: ReleaseSnapshot::from(&r),
        };
        self.log(&change, r.id.0, Some(p.id)).await?;
        let version = esc(&r.version);
        Ok(Done::changed(match r.target_date {
            Some(d) => t!(
                lang,
                "release-created-for",
                version = version,
                date = show_date(d, lang)
            ),
            None => t!(lang, "release-created", version = version),
        }))
    }

    /// `🚀 1.2 — planned · 2026-12-01 · 3/5 features done (60%)`.
    fn release_line(&self, r: &Release, feats: &[Feature]) -> String {
        let lang = self.lang;
        let mine = || feats.iter().filter(|f| f.release_id == Some(r.id));
        let total = mine()
            .filter(|f| f.status != FeatureStatus::Cancelled)
            .count();
        let done = mine().filter(|f| f.status == FeatureStatus::Done).count();
        let pct = (done * 100).checked_div(total).unwrap_or(0);
        let mut line = format!(
            "🚀 <b>{}</b> — {}",
            esc(&r.version),
            release_status(r.status, lang)
        );
        if let Some(d) = r.target_date {
            line.push_str(&format!(" · {}", show_date(d, lang)));
        }
        line.push_str(" · ");
        line.push_str(&t!(
            lang,
            "release-progress",
            done = done,
            total = total,
            percent = pct
        ));
        line
    }

    pub(super) async fn releases(&mut self) -> Applied {
        let p = self.active_project()?;
        let list = releases::list(self.conn, p.id).await?;
        if list.is_empty() {
            return Ok(Done::unchanged(t!(self.lang, "releases-none")));
        }
        let feats = features::in_releases(self.conn, p.id).await?;
        let mut lines = vec![t!(self.lang, "releases-title")];
        for r in &list {
            lines.push(self.release_line(r, &feats));
        }
        Ok(Done::unchanged(lines.join("\n")))
    }

    /// Plans feature `#number` into `version`, or out of any release (`None`).
    pub(super) async fn plan(&mut self, number: FeatureNumber, version: Option<String>) -> Applied {
        let p = self.writable_project()?;
        let f = self.feature(&p, number).await?;
        let lang = self.lang;
        let target = match &version {
            Some(v) => Some(self.release_named(p.id, v).await?),
            None => None,
        };
        let current = match f.release_id {
            Some(id) => releases::get(self.conn, id).await?,
            None => None,
        };
        if current.as_ref().map(|r| r.id) == target.as_ref().map(|r| r.id) {
            return Ok(Done::unchanged(match &target {
                Some(r) => t!(
                    lang,
                    "plan-already",
                    feature = Self::feature_title(&f),
                    version = esc(&r.version)
                ),
                None => t!(
                    lang,
                    "plan-not-in-release",
                    feature = Self::feature_title(&f)
                ),
            }));
        }
        let changes = FeatureChanges {
            release_id: Some(target.as_ref().map(|r| r.id)),
            updated_at: Some(self.now),
            ..Default::default()
        };
        features::update(self.conn, f.id, &changes).await?;
        let change = Change::FeatureUpdated {
            feature: FeatureRef::from(&f),
            diff: FeatureDiff {
                release: Delta::new(
                    current.as_ref().map(ReleaseRef::from),
                    target.as_ref().map(ReleaseRef::from),
                ),
                ..FeatureDiff::default()
            },
        };
        self.log(&change, f.id.0, Some(p.id)).await?;
        Ok(Done::changed(match &target {
            Some(r) => t!(
                lang,
                "planned",
                feature = Self::feature_title(&f),
                version = esc(&r.version)
            ),
            None => t!(
                lang,
                "unplanned",
                feature = Self::feature_title(&f),
                version = esc(&current.map(|r| r.version).unwrap_or_default())
            ),
        }))
    }

    pub(super) async fn ship(&mut self, version: &str) -> Applied {
        let p = self.writable_project()?;
        let lang = self.lang;
        let r = self.release_named(p.id, version).await?;
        if r.status == ReleaseStatus::Released {
            return Ok(Done::unchanged(t!(
                lang,
                "release-already-out",
                version = esc(&r.version)
            )));
        }
        let updated = releases::update(
            self.conn,
            r.id,
            &ReleaseChanges {
                status: Some(ReleaseStatus::Released),
                released_at: Some(Some(self.at)),
                updated_at: Some(self.now),
                ..Default::default()
            },
        )
        .await?;
        let change = Change::ReleaseUpdated {
            version: r.version.clone(),
            diff: ReleaseDiff {
                status: Delta::new(r.status, updated.status),
                released_at: Delta::new(r.released_at, updated.released_at),
                ..ReleaseDiff::default()
            },
        };
        self.log(&change, r.id.0, Some(p.id)).await?;
        let feats = features::in_releases(self.conn, p.id).await?;
        let open: Vec<String> = feats
            .iter()
            .filter(|f| f.release_id == Some(r.id) && f.status.is_open())
            .map(Self::feature_title)
            .collect();
        let mut text = t!(
            lang,
            "release-shipped",
            version = esc(&r.version),
            progress = self.release_line(&updated, &feats)
        );
        if !open.is_empty() {
            text.push('\n');
            text.push_str(&t!(lang, "release-not-done", features = open.join(", ")));
        }
        Ok(Done::changed(text))
    }
}
