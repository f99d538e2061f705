//! `user_context`: each user's active project (spec §4, "always in context").

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::ids::{ProjectId, UserId};
use crate::projects::Project;
use crate::schema::{projects, user_context};
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
            .execute(c)
            .await?;
    });
    Ok(())
}
