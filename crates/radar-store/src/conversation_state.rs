//! `conversation_state`: what each user's previous command touched, so that
//! "it" and "same for #9" in the next message have a meaning.

use crate::prepared::KeepPrepared;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::ids::{FeatureId, ProjectId, ReleaseId, UserId};
use crate::schema::conversation_state;
use crate::{Conn, R, dispatch};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = conversation_state, treat_none_as_null = true)]
pub struct Conversation {
    pub user_id: UserId,
    pub feature_id: Option<FeatureId>,
    pub release_id: Option<ReleaseId>,
    pub project_id: Option<ProjectId>,
    /// The previous command as a slash command.
    pub last_command: Option<String>,
    pub updated_at: NaiveDateTime,
}

pub async fn get(conn: &mut Conn, user: UserId) -> R<Option<Conversation>> {
    Ok(dispatch!(conn, |c| {
        conversation_state::table
            .find(user)
            .select(Conversation::as_select())
            .first(c)
            .await
            .optional()?
    }))
}

/// Records what the user's latest command touched (replacing the previous one).
pub async fn set(conn: &mut Conn, state: &Conversation) -> R<()> {
    dispatch!(conn, |c| {
        diesel::insert_into(conversation_state::table)
            .values(state)
            .on_conflict(conversation_state::user_id)
            .do_update()
            .set(state)
            .prepared()
            .execute(c)
            .await?;
    });
    Ok(())
}
