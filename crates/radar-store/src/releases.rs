//! `releases`: a project's releases, unique by version within it.

use crate::prepared::KeepPrepared;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::ids::{ProjectId, ReleaseId};
use crate::names_versions::{self, Scope};
use crate::schema::releases;
use crate::values::ReleaseStatus;
use crate::{Conn, R, dispatch};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = releases)]
pub struct Release {
    pub id: ReleaseId,
    pub project_id: ProjectId,
    pub version: String,
    pub target_date: Option<NaiveDate>,
    pub status: ReleaseStatus,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub released_at: Option<NaiveDateTime>,
}

/// A release to insert; `id: Some(..)` restores a deleted one under its old id.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = releases)]
pub struct NewRelease {
    pub id: Option<ReleaseId>,
    pub project_id: ProjectId,
    pub version: String,
    pub target_date: Option<NaiveDate>,
    pub status: ReleaseStatus,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub released_at: Option<NaiveDateTime>,
}

/// A partial update (see [`crate::features::FeatureChanges`]).
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = releases)]
pub struct ReleaseChanges {
    pub version: Option<String>,
    pub status: Option<ReleaseStatus>,
    pub released_at: Option<Option<NaiveDateTime>>,
    pub target_date: Option<Option<NaiveDate>>,
    pub updated_at: Option<NaiveDateTime>,
}

pub async fn by_version(conn: &mut Conn, project: ProjectId, version: &str) -> R<Option<Release>> {
    Ok(dispatch!(conn, |c| {
        releases::table
            .filter(releases::project_id.eq(project))
            .filter(releases::version.eq(version))
            .select(Release::as_select())
            .first(c)
            .await
            .optional()?
    }))
}

pub async fn get(conn: &mut Conn, id: ReleaseId) -> R<Option<Release>> {
    Ok(dispatch!(conn, |c| {
        releases::table
            .find(id)
            .select(Release::as_select())
            .first(c)
            .await
            .optional()?
    }))
}

/// A project's releases in the order they were created.
pub async fn list(conn: &mut Conn, project: ProjectId) -> R<Vec<Release>> {
    Ok(dispatch!(conn, |c| {
        releases::table
            .filter(releases::project_id.eq(project))
            .select(Release::as_select())
            .order((releases::created_at.asc(), releases::id.asc()))
            .load(c)
            .await?
    }))
}

/// Inserts a release; a new one (`id: None`) gets an id never used before,
/// also on SQLite ([`crate::event_log::fresh_id`]).
pub async fn insert(conn: &mut Conn, r: &NewRelease) -> R<Release> {
    let mut r = r.clone();
    if r.id.is_none() {
        r.id = crate::event_log::fresh_id(conn, crate::EntityKind::Release)
            .await?
            .map(ReleaseId);
    }
    let release: Release = dispatch!(conn, |c| {
        diesel::insert_into(releases::table)
            .values(&r)
            .returning(Release::as_returning())
            .prepared()
            .get_result(c)
            .await?
    });
    names_versions::bump(conn, Scope::Project(release.project_id)).await?;
    Ok(release)
}

/// Updates a release; a change of its version bumps its project's names
/// version ([`crate::names_versions`]).
pub async fn update(conn: &mut Conn, id: ReleaseId, ch: &ReleaseChanges) -> R<Release> {
    let release: Release = dispatch!(conn, |c| {
        diesel::update(releases::table.find(id))
            .set(ch)
            .returning(Release::as_returning())
            .prepared()
            .get_result(c)
            .await?
    });
    if ch.version.is_some() {
        names_versions::bump(conn, Scope::Project(release.project_id)).await?;
    }
    Ok(release)
}

/// Deletes a release; features planned into it keep existing (ON DELETE SET NULL).
pub async fn delete(conn: &mut Conn, id: ReleaseId) -> R<()> {
    let project: Option<ProjectId> = dispatch!(conn, |c| {
        diesel::delete(releases::table.find(id))
            .returning(releases::project_id)
            .get_result(c)
            .await
            .optional()?
    });
    if let Some(p) = project {
        names_versions::bump(conn, Scope::Project(p)).await?;
    }
    Ok(())
}
