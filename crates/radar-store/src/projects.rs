//! `projects`: a PO's projects. Names are unique by their normalized,
//! case-folded form (`name_key`).

use crate::prepared::KeepPrepared;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::ids::{FeatureNumber, ProjectId};
use crate::names_versions::{self, Scope};
use crate::schema::projects;
use crate::values::ProjectStatus;
use crate::{Conn, R, dispatch};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = projects)]
pub struct Project {
    pub id: ProjectId,
    pub name: String,
    pub name_key: String,
    pub description: Option<String>,
    pub status: ProjectStatus,
    pub next_feature_number: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Project {
    pub fn is_archived(&self) -> bool {
        self.status == ProjectStatus::Archived
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = projects)]
pub struct NewProject<'a> {
    pub name: &'a str,
    pub name_key: &'a str,
    pub description: Option<&'a str>,
    pub status: ProjectStatus,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A partial update (see [`crate::features::FeatureChanges`]).
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = projects)]
pub struct ProjectChanges {
    pub name: Option<String>,
    pub name_key: Option<String>,
    pub description: Option<Option<String>>,
    pub status: Option<ProjectStatus>,
    pub updated_at: Option<NaiveDateTime>,
}

pub async fn by_key(conn: &mut Conn, name_key: &str) -> R<Option<Project>> {
    Ok(dispatch!(conn, |c| {
        projects::table
            .filter(projects::name_key.eq(name_key))
            .select(Project::as_select())
            .first(c)
            .await
            .optional()?
    }))
}

pub async fn get(conn: &mut Conn, id: ProjectId) -> R<Option<Project>> {
    Ok(dispatch!(conn, |c| {
        projects::table
            .find(id)
            .select(Project::as_select())
            .first(c)
            .await
            .optional()?
    }))
}

/// Active projects first, then archived ones; by name within each.
pub async fn list(conn: &mut Conn) -> R<Vec<Project>> {
    Ok(dispatch!(conn, |c| {
        projects::table
            .order((projects::status.asc(), projects::name_key.asc()))
            .select(Project::as_select())
            .load(c)
            .await?
    }))
}

/// A project's id, name and status: what the language needs to read a
/// message (no description or times to decode).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = projects)]
pub struct ProjectName {
    pub id: ProjectId,
    pub name: String,
    pub status: ProjectStatus,
}

impl ProjectName {
    pub fn is_archived(&self) -> bool {
        self.status == ProjectStatus::Archived
    }
}

/// [`list`], the names only.
pub async fn names(conn: &mut Conn) -> R<Vec<ProjectName>> {
    Ok(dispatch!(conn, |c| {
        projects::table
            .order((projects::status.asc(), projects::name_key.asc()))
            .select(ProjectName::as_select())
            .load(c)
            .await?
    }))
}

/// Inserts a project; bumps the project list's names version and the new
/// project's own (an id SQLite gives again starts from a new version).
pub async fn insert(conn: &mut Conn, p: &NewProject<'_>) -> R<Project> {
    let project: Project = dispatch!(conn, |c| {
        diesel::insert_into(projects::table)
            .values(p)
            .returning(Project::as_returning())
            .prepared()
            .get_result(c)
            .await?
    });
    names_versions::bump(conn, Scope::Projects).await?;
    names_versions::bump(conn, Scope::Project(project.id)).await?;
    Ok(project)
}

pub async fn set_status(
    conn: &mut Conn,
    id: ProjectId,
    status: ProjectStatus,
    now: NaiveDateTime,
) -> R<()> {
    dispatch!(conn, |c| {
        diesel::update(projects::table.find(id))
            .set((projects::status.eq(status), projects::updated_at.eq(now)))
            .prepared()
            .execute(c)
            .await?;
    });
    names_versions::bump(conn, Scope::Projects).await
}

/// Updates a project; a change of its name or status bumps the project
/// list's names version ([`crate::names_versions`]).
pub async fn update(conn: &mut Conn, id: ProjectId, ch: &ProjectChanges) -> R<Project> {
    let project: Project = dispatch!(conn, |c| {
        diesel::update(projects::table.find(id))
            .set(ch)
            .returning(Project::as_returning())
            .prepared()
            .get_result(c)
            .await?
    });
    if ch.name.is_some() || ch.status.is_some() {
        names_versions::bump(conn, Scope::Projects).await?;
    }
    Ok(project)
}

/// Deletes a project; its features and releases go with it (ON DELETE CASCADE).
pub async fn delete(conn: &mut Conn, id: ProjectId) -> R<()> {
    dispatch!(conn, |c| {
        diesel::delete(projects::table.find(id)).execute(c).await?;
    });
    names_versions::bump(conn, Scope::Projects).await?;
    names_versions::bump(conn, Scope::Project(id)).await
}

/// Takes the next per-project feature number. The row lock this update takes
/// serializes concurrent adds to one project on PostgreSQL.
pub async fn take_feature_number(conn: &mut Conn, id: ProjectId) -> R<FeatureNumber> {
    let next: i64 = dispatch!(conn, |c| {
        diesel::update(projects::table.find(id))
            .set(projects::next_feature_number.eq(projects::next_feature_number + 1))
            .returning(projects::next_feature_number)
            .prepared()
            .get_result(c)
            .await?
    });
    Ok(FeatureNumber(next - 1))
}
