//! `user_settings`: each user's time zone, reply language and daily digest
//! time. No row (or a NULL column) means the default: the server's
//! `RADAR_TIMEZONE`, the language of the user's Telegram client, no digest.

use crate::prepared::KeepPrepared;
use chrono::{NaiveDateTime, NaiveTime};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::ids::UserId;
use crate::schema::user_settings;
use crate::values::{Language, Zone};
use crate::{Conn, R, dispatch};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = user_settings, treat_none_as_null = true)]
pub struct Settings {
    pub user_id: UserId,
    /// `None`: the server's zone (`RADAR_TIMEZONE`).
    pub time_zone: Option<Zone>,
    /// `None`: the language of the user's client.
    pub language: Option<Language>,
    /// The local time of the daily digest; `None`: no digest.
    pub digest_at: Option<NaiveTime>,
    /// The language `/digest` was asked in: the digest's language unless
    /// `language` is set.
    pub digest_language: Option<Language>,
    pub updated_at: NaiveDateTime,
}

impl Settings {
    /// The settings of a user who never changed any.
    pub fn defaults(user_id: UserId, now: NaiveDateTime) -> Settings {
        Settings {
            user_id,
            time_zone: None,
            language: None,
            digest_at: None,
            digest_language: None,
            updated_at: now,
        }
    }
}

/// A user's settings, if they ever changed one.
pub async fn get(conn: &mut Conn, user: UserId) -> R<Option<Settings>> {
    Ok(dispatch!(conn, |c| {
        user_settings::table
            .find(user)
            .select(Settings::as_select())
            .first(c)
            .await
            .optional()?
    }))
}

/// Writes a user's settings (all columns).
pub async fn put(conn: &mut Conn, s: &Settings) -> R<()> {
    dispatch!(conn, |c| {
        diesel::insert_into(user_settings::table)
            .values(s)
            .on_conflict(user_settings::user_id)
            .do_update()
            .set(s)
            .prepared()
            .execute(c)
            .await?;
    });
    Ok(())
}

/// Everyone who asked for a daily digest, by user id.
pub async fn with_digest(conn: &mut Conn) -> R<Vec<Settings>> {
    Ok(dispatch!(conn, |c| {
        user_settings::table
            .filter(user_settings::digest_at.is_not_null())
            .order(user_settings::user_id.asc())
            .select(Settings::as_select())
            .load(c)
            .await?
    }))
}
