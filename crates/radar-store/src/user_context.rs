//! `user_context`: each user's active project (spec §4, "always in context").

use crate::prepared::KeepPrepared;
use chrono::NaiveDateTime;
use diesel::backend::Backend;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, HasSqlType, Nullable, Text, Time, Timestamp};
use diesel_async::RunQueryDsl;

use crate::conversation_state::Conversation;
use crate::ids::{ProjectId, UserId};
use crate::names_versions::Version;
use crate::projects::Project;
use crate::schema::{projects, user_context};
use crate::user_settings::Settings;
use crate::{Conn, R, dispatch};

/// The user's active project, if any.
pub async fn active_project(conn: &mut Conn, user: UserId) -> R<Option<Project>> {
    Ok(dispatch!(conn, |c| {
        user_context::table
            .inner_join(projects::table)
            .filter(user_context::user_id.eq(user))
            .select(Project::as_select())
            .first(c)
            .await
            .optional()?
    }))
}

/// Sets the user's active project.
pub async fn set_active_project(
    conn: &mut Conn,
    user: UserId,
    project: Option<ProjectId>,
    now: NaiveDateTime,
) -> R<()> {
    use user_context::dsl as uc;
    dispatch!(conn, |c| {
        diesel::insert_into(uc::user_context)
            .values((
                uc::user_id.eq(user),
                uc::active_project_id.eq(project),
                uc::updated_at.eq(now),
            ))
            .on_conflict(uc::user_id)
            .do_update()
            .set((uc::active_project_id.eq(project), uc::updated_at.eq(now)))
            .prepared()
            .execute(c)
            .await?;
    });
    Ok(())
}

/// Everything a command reads about its user before it is understood: the
/// active project, the settings, the conversation state and the names
/// versions of the project list and of the active project
/// ([`crate::names_versions`]).
#[derive(Debug, Clone, PartialEq)]
pub struct UserContext {
    pub project: Option<Project>,
    pub settings: Option<Settings>,
    pub conversation: Option<Conversation>,
    pub projects_version: Version,
    /// The active project's names version (`None` without an active project).
    pub project_version: Version,
}

/// A user's [`UserContext`], in one statement (one round trip on
/// PostgreSQL, one snapshot on both backends).
pub async fn load(conn: &mut Conn, user: UserId) -> R<UserContext> {
    let (project, settings, conversation, projects_version, project_version) =
        dispatch!(conn, |c| LoadContext(user)
            .get_result::<ContextRow>(c)
            .await?);
    Ok(UserContext {
        project,
        settings,
        conversation,
        projects_version,
        project_version,
    })
}

type ContextRow = (
    Option<Project>,
    Option<Settings>,
    Option<Conversation>,
    Option<i64>,
    Option<i64>,
);

/// The statement of [`load`]: a one-row source (the user's id) left-joined
/// with the four tables keyed by user or project. Written as SQL because
/// the row exists whether or not the user has any of them; a static query
/// id lets both backends keep it prepared.
#[derive(Debug, Clone, Copy)]
struct LoadContext(UserId);

const LOAD_CONTEXT_SQL: [&str; 2] = [
    "SELECT p.id, p.name, p.name_key, p.description, p.status, p.next_feature_number, \
     p.created_at, p.updated_at, \
     s.user_id, s.time_zone, s.language, s.digest_at, s.digest_language, s.updated_at, \
     c.user_id, c.feature_id, c.release_id, c.project_id, c.last_command, c.updated_at, \
     (SELECT v.version FROM names_versions v WHERE v.scope = 0), \
     (SELECT v.version FROM names_versions v WHERE v.scope = p.id) \
     FROM (SELECT CAST(",
    " AS BIGINT) AS user_id) u \
     LEFT JOIN user_context uc ON uc.user_id = u.user_id \
     LEFT JOIN projects p ON p.id = uc.active_project_id \
     LEFT JOIN user_settings s ON s.user_id = u.user_id \
     LEFT JOIN conversation_state c ON c.user_id = u.user_id",
];

impl QueryId for LoadContext {
    type QueryId = LoadContext;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl Query for LoadContext {
    type SqlType = (
        Nullable<(
            BigInt,
            Text,
            Text,
            Nullable<Text>,
            Text,
            BigInt,
            Timestamp,
            Timestamp,
        )>,
        Nullable<(
            BigInt,
            Nullable<Text>,
            Nullable<Text>,
            Nullable<Time>,
            Nullable<Text>,
            Timestamp,
        )>,
        Nullable<(
            BigInt,
            Nullable<BigInt>,
            Nullable<BigInt>,
            Nullable<BigInt>,
            Nullable<Text>,
            Timestamp,
        )>,
        Nullable<BigInt>,
        Nullable<BigInt>,
    );
}

impl<DB> QueryFragment<DB> for LoadContext
where
    DB: Backend + HasSqlType<BigInt>,
    UserId: ToSql<BigInt, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(LOAD_CONTEXT_SQL[0]);
        out.push_bind_param::<BigInt, _>(&self.0)?;
        out.push_sql(LOAD_CONTEXT_SQL[1]);
        Ok(())
    }
}
