//! `features`: a project's features, numbered per project (#1, #2, …).

use crate::prepared::KeepPrepared;
use chrono::NaiveDateTime;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
use diesel_async::RunQueryDsl;

use crate::ids::{FeatureId, FeatureNumber, ProjectId, ReleaseId};
use crate::names_versions::{self, Scope};
use crate::schema::features;
use crate::values::FeatureStatus;
use crate::{Conn, R, dispatch};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = features)]
pub struct Feature {
    pub id: FeatureId,
    pub project_id: ProjectId,
    pub number: FeatureNumber,
    pub name: String,
    pub description: Option<String>,
    pub status: FeatureStatus,
    pub status_reason: Option<String>,
    pub assigned_teams: Option<String>,
    pub assigned_po: Option<String>,
    pub release_id: Option<ReleaseId>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What names a feature in a message: its number, name, teams and PO
/// (the columns the language needs, without descriptions and reasons).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = features)]
pub struct FeatureName {
    pub id: FeatureId,
    pub number: FeatureNumber,
    pub name: String,
    pub assigned_teams: Option<String>,
    pub assigned_po: Option<String>,
}

/// A feature to insert; `id: Some(..)` restores a deleted one under its old id.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = features)]
pub struct NewFeature {
    pub id: Option<FeatureId>,
    pub project_id: ProjectId,
    pub number: FeatureNumber,
    pub name: String,
    pub description: Option<String>,
    pub status: FeatureStatus,
    pub status_reason: Option<String>,
    pub assigned_teams: Option<String>,
    pub assigned_po: Option<String>,
    pub release_id: Option<ReleaseId>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl NewFeature {
    /// A new feature in the backlog, with nothing assigned, created `now`
    /// (`id: None`: it gets an id never used before).
    pub fn backlog(
        project: ProjectId,
        number: FeatureNumber,
        name: String,
        description: Option<String>,
        now: NaiveDateTime,
    ) -> Self {
        NewFeature {
            id: None,
            project_id: project,
            number,
            name,
            description,
            status: FeatureStatus::Backlog,
            status_reason: None,
            assigned_teams: None,
            assigned_po: None,
            release_id: None,
            created_at: now,
            updated_at: now,
        }
    }
}

/// A partial update: `None` leaves a column alone, `Some(None)` sets a
/// nullable column to NULL.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = features)]
pub struct FeatureChanges {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub status: Option<FeatureStatus>,
    pub status_reason: Option<Option<String>>,
    pub assigned_teams: Option<Option<String>>,
    pub assigned_po: Option<Option<String>>,
    pub release_id: Option<Option<ReleaseId>>,
    pub updated_at: Option<NaiveDateTime>,
}

pub async fn by_number(
    conn: &mut Conn,
    project: ProjectId,
    number: FeatureNumber,
) -> R<Option<Feature>> {
    Ok(dispatch!(conn, |c| {
        features::table
            .filter(features::project_id.eq(project))
            .filter(features::number.eq(number))
            .select(Feature::as_select())
            .first(c)
            .await
            .optional()?
    }))
}

pub async fn get(conn: &mut Conn, id: FeatureId) -> R<Option<Feature>> {
    Ok(dispatch!(conn, |c| {
        features::table
            .find(id)
            .select(Feature::as_select())
            .first(c)
            .await
            .optional()?
    }))
}

/// Features of a project, by number; only the given statuses when some are given.
pub async fn list(
    conn: &mut Conn,
    project: ProjectId,
    statuses: &[FeatureStatus],
) -> R<Vec<Feature>> {
    Ok(dispatch!(conn, |c| {
        let mut q = features::table
            .filter(features::project_id.eq(project))
            .select(Feature::as_select())
            .order(features::number.asc())
            .into_boxed();
        if !statuses.is_empty() {
            q = q.filter(features::status.eq_any(statuses));
        }
        q.load(c).await?
    }))
}

/// The names of a project's features, by number.
pub async fn names(conn: &mut Conn, project: ProjectId) -> R<Vec<FeatureName>> {
    Ok(dispatch!(conn, |c| {
        features::table
            .filter(features::project_id.eq(project))
            .select(FeatureName::as_select())
            .order(features::number.asc())
            .load(c)
            .await?
    }))
}

/// Features of a project that are planned into some release, by number.
pub async fn in_releases(conn: &mut Conn, project: ProjectId) -> R<Vec<Feature>> {
    Ok(dispatch!(conn, |c| {
        features::table
            .filter(features::project_id.eq(project))
            .filter(features::release_id.is_not_null())
            .select(Feature::as_select())
            .order(features::number.asc())
            .load(c)
            .await?
    }))
}

/// Inserts a feature; a new one (`id: None`) gets an id never used before,
/// also on SQLite ([`crate::event_log::fresh_id`]).
pub async fn insert(conn: &mut Conn, f: &NewFeature) -> R<Feature> {
    let feature = insert_row(conn, f).await?;
    names_versions::bump(conn, Scope::Project(feature.project_id)).await?;
    Ok(feature)
}

/// [`insert`] by a caller that read the project's names at version `read`
/// and keeps them: also returns the names version the insert gave, when no
/// other change came in between ([`names_versions::bump_from`]).
pub async fn insert_after(
    conn: &mut Conn,
    f: &NewFeature,
    read: names_versions::Version,
) -> R<(Feature, Option<i64>)> {
    let feature = insert_row(conn, f).await?;
    let version = names_versions::bump_from(conn, Scope::Project(feature.project_id), read).await?;
    Ok((feature, version))
}

/// A new feature in `project`, numbered with the project's next number, its
/// names version bumped from `read` as by [`insert_after`]: the add command's
/// three writes. On PostgreSQL they are one statement (two data-modifying
/// CTEs and the insert), one round trip instead of three; on SQLite, where
/// a statement costs no round trip, and for a project never bumped (`read`
/// is `None`), they stay three.
pub async fn add(
    conn: &mut Conn,
    project: ProjectId,
    name: &str,
    description: Option<&str>,
    now: NaiveDateTime,
    read: names_versions::Version,
) -> R<(Feature, Option<i64>)> {
    if let (Conn::Pg(c), Some(read)) = (&mut *conn, read) {
        let version: i64 = rand::random();
        let (feature, bumped): (Feature, i64) = AddFeature {
            project,
            version,
            read,
            name,
            description,
            now,
        }
        .get_result(&mut **c)
        .await?;
        if bumped == 1 {
            return Ok((feature, Some(version)));
        }
        // Another transaction changed the names in between: a new version
        // all the same, as `bump_from` gives.
        names_versions::bump(conn, Scope::Project(project)).await?;
        return Ok((feature, None));
    }
    let number = crate::projects::take_feature_number(conn, project).await?;
    let f = NewFeature::backlog(
        project,
        number,
        name.to_string(),
        description.map(str::to_string),
        now,
    );
    insert_after(conn, &f, read).await
}

/// [`add`]'s statement on PostgreSQL. Every data-modifying CTE runs once
/// and to completion, whether or not the insert reads it
/// (https://www.postgresql.org/docs/current/queries-with.html#QUERIES-WITH-MODIFYING).
struct AddFeature<'a> {
    project: ProjectId,
    version: i64,
    read: i64,
    name: &'a str,
    description: Option<&'a str>,
    now: NaiveDateTime,
}

/// [`AddFeature`]'s static query id: its text never changes, so it stays prepared.
struct AddFeatureQuery;

impl QueryId for AddFeature<'_> {
    type QueryId = AddFeatureQuery;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl Query for AddFeature<'_> {
    type SqlType = (
        (
            BigInt,
            BigInt,
            BigInt,
            Text,
            Nullable<Text>,
            Text,
            Nullable<Text>,
            Nullable<Text>,
            Nullable<Text>,
            Nullable<BigInt>,
            Timestamp,
            Timestamp,
        ),
        BigInt,
    );
}

impl QueryFragment<Pg> for AddFeature<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(
            "WITH n AS (UPDATE projects SET next_feature_number = next_feature_number + 1 \
             WHERE id = ",
        );
        out.push_bind_param::<BigInt, _>(&self.project)?;
        out.push_sql(
            " RETURNING next_feature_number - 1 AS number), \
             v AS (UPDATE names_versions SET version = ",
        );
        out.push_bind_param::<BigInt, _>(&self.version)?;
        out.push_sql(" WHERE scope = ");
        out.push_bind_param::<BigInt, _>(&self.project)?;
        out.push_sql(" AND version = ");
        out.push_bind_param::<BigInt, _>(&self.read)?;
        out.push_sql(
            " RETURNING scope) \
             INSERT INTO features (project_id, number, name, description, status, \
             created_at, updated_at) SELECT ",
        );
        out.push_bind_param::<BigInt, _>(&self.project)?;
        out.push_sql(", n.number, ");
        out.push_bind_param::<Text, _>(&self.name)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&self.description)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&FeatureStatus::Backlog)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&self.now)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&self.now)?;
        out.push_sql(
            " FROM n RETURNING id, project_id, number, name, description, status, \
             status_reason, assigned_teams, assigned_po, release_id, created_at, updated_at, \
             (SELECT count(*) FROM v)",
        );
        Ok(())
    }
}

async fn insert_row(conn: &mut Conn, f: &NewFeature) -> R<Feature> {
    let mut f = f.clone();
    if f.id.is_none() {
        f.id = crate::event_log::fresh_id(conn, crate::EntityKind::Feature)
            .await?
            .map(FeatureId);
    }
    Ok(dispatch!(conn, |c| {
        diesel::insert_into(features::table)
            .values(&f)
            .returning(Feature::as_returning())
            .prepared()
            .get_result(c)
            .await?
    }))
}

/// Updates a feature; a change of its name, teams or PO bumps its project's
/// names version ([`crate::names_versions`]).
pub async fn update(conn: &mut Conn, id: FeatureId, ch: &FeatureChanges) -> R<Feature> {
    let feature: Feature = dispatch!(conn, |c| {
        diesel::update(features::table.find(id))
            .set(ch)
            .returning(Feature::as_returning())
            .prepared()
            .get_result(c)
            .await?
    });
    if ch.name.is_some() || ch.assigned_teams.is_some() || ch.assigned_po.is_some() {
        names_versions::bump(conn, Scope::Project(feature.project_id)).await?;
    }
    Ok(feature)
}

pub async fn delete(conn: &mut Conn, id: FeatureId) -> R<()> {
    let project: Option<ProjectId> = dispatch!(conn, |c| {
        diesel::delete(features::table.find(id))
            .returning(features::project_id)
            .get_result(c)
            .await
            .optional()?
    });
    if let Some(p) = project {
        names_versions::bump(conn, Scope::Project(p)).await?;
    }
    Ok(())
}

/// Every feature of every project, by id (`radar check`).
pub async fn all(conn: &mut Conn) -> R<Vec<Feature>> {
    Ok(dispatch!(conn, |c| {
        features::table
            .order(features::id.asc())
            .select(Feature::as_select())
            .load(c)
            .await?
    }))
}
