//! `offered_actions`: commands offered as buttons. A button carries only the
//! row's id (Telegram allows 64 bytes of button data); the command, the
//! user it was offered to and its expiry live here.

use crate::prepared::KeepPrepared;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::ids::{OfferId, UserId};
use crate::schema::offered_actions;
use crate::{Conn, R, dispatch};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = offered_actions)]
pub struct Offer {
    pub id: OfferId,
    pub user_id: UserId,
    /// The command, as a slash command.
    pub command: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = offered_actions)]
pub struct NewOffer<'a> {
    pub user_id: UserId,
    pub command: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub async fn insert(conn: &mut Conn, offer: &NewOffer<'_>) -> R<OfferId> {
    Ok(dispatch!(conn, |c| {
        diesel::insert_into(offered_actions::table)
            .values(offer)
            .returning(offered_actions::id)
            .prepared()
            .get_result(c)
            .await?
    }))
}

pub async fn get(conn: &mut Conn, id: OfferId) -> R<Option<Offer>> {
    Ok(dispatch!(conn, |c| {
        offered_actions::table
            .find(id)
            .select(Offer::as_select())
            .first(c)
            .await
            .optional()?
    }))
}

/// Marks an offer used; false when it was used already (a second press).
pub async fn use_once(conn: &mut Conn, id: OfferId, now: NaiveDateTime) -> R<bool> {
    let n = dispatch!(conn, |c| {
        diesel::update(
            offered_actions::table
                .find(id)
                .filter(offered_actions::used_at.is_null()),
        )
        .set(offered_actions::used_at.eq(now))
        .prepared()
        .execute(c)
        .await?
    });
    Ok(n == 1)
}

/// Deletes offers that expired before `now` (at most `limit`); returns how many.
///
/// The newest offer is kept even when expired: SQLite gives a new row the
/// highest id plus one, so deleting the rows with the highest ids would
/// hand their ids out again, and a stale button still carrying such an id
/// would then run the new offer's command.
pub async fn prune(conn: &mut Conn, now: NaiveDateTime, limit: i64) -> R<usize> {
    crate::write(conn, async |conn| {
        Ok(dispatch!(conn, |c| {
            let newest: Option<OfferId> = offered_actions::table
                .select(diesel::dsl::max(offered_actions::id))
                .first(c)
                .await?;
            let expired = offered_actions::table
                .filter(offered_actions::expires_at.lt(now))
                .filter(offered_actions::id.lt(newest.unwrap_or(OfferId(0))));
            let ids: Vec<OfferId> = expired
                .select(offered_actions::id)
                .limit(limit)
                .load(c)
                .await?;
            if ids.is_empty() {
                0
            } else {
                diesel::delete(expired.filter(offered_actions::id.eq_any(&ids)))
                    .execute(c)
                    .await?
            }
        }))
    })
    .await
}
