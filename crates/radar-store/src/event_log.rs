//! `event_log`: the append-only record of every change (spec §2). Rows are
//! only ever inserted; triggers reject UPDATE and DELETE on both backends.
//! `details` is JSON whose shape the engine owns (its typed `Change`); the
//! store keeps it as text.

use crate::prepared::KeepPrepared;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::ids::{EventId, FeatureId, ProjectId, ReleaseId, UserId};
use crate::schema::event_log;
use crate::values::{Action, EntityKind};
use crate::{Conn, R, dispatch};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = event_log)]
pub struct Event {
    pub id: EventId,
    /// The message key of the command that wrote it.
    pub correlation_id: String,
    pub user_id: UserId,
    pub project_id: Option<ProjectId>,
    pub action: Action,
    pub entity_type: EntityKind,
    /// The id of the project, feature or release (the user, for a context switch).
    pub entity_id: i64,
    pub details: String,
    /// When the user sent the command.
    pub timestamp: NaiveDateTime,
    /// When the row was written.
    pub created_at: NaiveDateTime,
    pub reverts_event_id: Option<EventId>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = event_log)]
pub struct NewEvent<'a> {
    pub correlation_id: &'a str,
    pub user_id: UserId,
    pub project_id: Option<ProjectId>,
    pub action: Action,
    pub entity_type: EntityKind,
    pub entity_id: i64,
    pub details: &'a str,
    pub timestamp: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub reverts_event_id: Option<EventId>,
}

/// The id for a new feature or release on SQLite, or `None` on
/// PostgreSQL (its sequences never give an id twice). SQLite gives a new
/// row the largest id in its table plus one, so the newest row's id, once
/// that row is deleted (an undone add), would be given again, and the log,
/// which keeps events by entity id, would show two entities' events as
/// one's. The id is one above both the table's largest id and the largest
/// id the log ever named for the kind (`event_log_entity_idx`: an index
/// seek each).
pub(crate) async fn fresh_id(conn: &mut Conn, kind: EntityKind) -> R<Option<i64>> {
    use crate::schema::{features, releases};
    use diesel::dsl::max;
    let Conn::Sqlite(c, _) = conn else {
        return Ok(None);
    };
    let c: &mut crate::SqliteConn = &mut *c;
    let in_table: Option<i64> = match kind {
        EntityKind::Feature => features::table
            .select(max(features::id))
            .first::<Option<FeatureId>>(c)
            .await?
            .map(|i| i.0),
        EntityKind::Release => releases::table
            .select(max(releases::id))
            .first::<Option<ReleaseId>>(c)
            .await?
            .map(|i| i.0),
        _ => None,
    };
    let in_log: Option<i64> = event_log::table
        .filter(event_log::entity_type.eq(kind))
        .select(max(event_log::entity_id))
        .first(c)
        .await?;
    Ok(Some(in_table.max(in_log).unwrap_or(0) + 1))
}

pub async fn append(conn: &mut Conn, e: &NewEvent<'_>) -> R<EventId> {
    Ok(dispatch!(conn, |c| {
        diesel::insert_into(event_log::table)
            .values(e)
            .returning(event_log::id)
            .prepared()
            .get_result(c)
            .await?
    }))
}

/// What pages "what changed": an event's id and the entity it is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = event_log)]
pub struct EventKey {
    pub id: EventId,
    pub entity_type: EntityKind,
    pub entity_id: i64,
}

/// The keys of a project's data events in `[from, to)`, newest first
/// (compensating events and context switches excluded), at most `limit`:
/// enough to count, group and page "what changed", then read only the shown
/// rows ([`by_ids`]). The columns are all in `event_log_project_keys_idx`,
/// so the rows themselves are not read.
pub async fn project_event_keys(
    conn: &mut Conn,
    project: ProjectId,
    from: NaiveDateTime,
    to: NaiveDateTime,
    limit: i64,
) -> R<Vec<EventKey>> {
    Ok(dispatch!(conn, |c| {
        event_log::table
            .filter(event_log::project_id.eq(project))
            .filter(event_log::timestamp.ge(from))
            .filter(event_log::timestamp.lt(to))
            .filter(event_log::reverts_event_id.is_null())
            .filter(event_log::entity_type.ne(EntityKind::Context))
            .order((event_log::timestamp.desc(), event_log::id.desc()))
            .limit(limit)
            .select(EventKey::as_select())
            .load(c)
            .await?
    }))
}

/// The events with these ids, in no particular order.
pub async fn by_ids(conn: &mut Conn, ids: &[EventId]) -> R<Vec<Event>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(dispatch!(conn, |c| {
        event_log::table
            .filter(event_log::id.eq_any(ids))
            .select(Event::as_select())
            .load(c)
            .await?
    }))
}

/// The compensating events that revert any of `ids`.
pub async fn reverts_of(conn: &mut Conn, ids: &[EventId]) -> R<Vec<Event>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(dispatch!(conn, |c| {
        event_log::table
            .filter(event_log::reverts_event_id.eq_any(ids))
            .select(Event::as_select())
            .load(c)
            .await?
    }))
}

/// The user's most recent data event that no compensating event reverts.
pub async fn latest_undoable(conn: &mut Conn, user: UserId) -> R<Option<Event>> {
    let r = diesel::alias!(event_log as r);
    Ok(dispatch!(conn, |c| {
        event_log::table
            .filter(event_log::user_id.eq(user))
            .filter(event_log::reverts_event_id.is_null())
            .filter(event_log::entity_type.ne(EntityKind::Context))
            .filter(diesel::dsl::not(diesel::dsl::exists(
                r.filter(
                    r.field(event_log::reverts_event_id)
                        .eq(event_log::id.nullable()),
                ),
            )))
            .order(event_log::id.desc())
            .select(Event::as_select())
            .first(c)
            .await
            .optional()?
    }))
}

/// The data events one command (one message key) wrote, in order.
pub async fn of_command(conn: &mut Conn, correlation: &str) -> R<Vec<Event>> {
    Ok(dispatch!(conn, |c| {
        event_log::table
            .filter(event_log::correlation_id.eq(correlation))
            .filter(event_log::reverts_event_id.is_null())
            .filter(event_log::entity_type.ne(EntityKind::Context))
            .order(event_log::id.asc())
            .select(Event::as_select())
            .load(c)
            .await?
    }))
}

/// Events on one entity after `after`, oldest first.
pub async fn entity_events_after(
    conn: &mut Conn,
    kind: EntityKind,
    entity_id: i64,
    after: EventId,
) -> R<Vec<Event>> {
    Ok(dispatch!(conn, |c| {
        event_log::table
            .filter(event_log::entity_type.eq(kind))
            .filter(event_log::entity_id.eq(entity_id))
            .filter(event_log::id.gt(after))
            .order(event_log::id.asc())
            .select(Event::as_select())
            .load(c)
            .await?
    }))
}

/// Data events in a project after `after`, oldest first.
pub async fn project_events_after(
    conn: &mut Conn,
    project: ProjectId,
    after: EventId,
) -> R<Vec<Event>> {
    Ok(dispatch!(conn, |c| {
        event_log::table
            .filter(event_log::project_id.eq(project))
            .filter(event_log::id.gt(after))
            .filter(event_log::entity_type.ne(EntityKind::Context))
            .order(event_log::id.asc())
            .select(Event::as_select())
            .load(c)
            .await?
    }))
}

/// The latest `limit` events of one entity, newest first (compensating
/// events included).
pub async fn entity_history(
    conn: &mut Conn,
    kind: EntityKind,
    entity_id: i64,
    limit: i64,
) -> R<Vec<Event>> {
    Ok(dispatch!(conn, |c| {
        event_log::table
            .filter(event_log::entity_type.eq(kind))
            .filter(event_log::entity_id.eq(entity_id))
            .order(event_log::id.desc())
            .limit(limit)
            .select(Event::as_select())
            .load(c)
            .await?
    }))
}

/// The id of the latest event on one entity: its version. A button that
/// carries it is outdated once anything happened to the entity since.
pub async fn latest_on(conn: &mut Conn, kind: EntityKind, entity_id: i64) -> R<Option<EventId>> {
    Ok(dispatch!(conn, |c| {
        event_log::table
            .filter(event_log::entity_type.eq(kind))
            .filter(event_log::entity_id.eq(entity_id))
            .select(diesel::dsl::max(event_log::id))
            .first::<Option<EventId>>(c)
            .await?
    }))
}

/// The version (latest event id) of every entity of one kind in a project,
/// in one grouped query: `(entity_id, version)`. The board reads them for
/// all of a project's features at once.
pub async fn latest_in_project(
    conn: &mut Conn,
    project: ProjectId,
    kind: EntityKind,
) -> R<Vec<(i64, EventId)>> {
    let rows: Vec<(i64, Option<EventId>)> = dispatch!(conn, |c| {
        event_log::table
            .filter(event_log::project_id.eq(project))
            .filter(event_log::entity_type.eq(kind))
            .group_by(event_log::entity_id)
            .select((event_log::entity_id, diesel::dsl::max(event_log::id)))
            .load(c)
            .await?
    });
    Ok(rows
        .into_iter()
        .filter_map(|(e, v)| Some((e, v?)))
        .collect())
}

/// Every event on the given features, compensating events included, oldest
/// first: each feature's whole story (flow metrics, burn-up). Read through
/// `event_log_entity_idx` (entity_type, entity_id, id), a bounded number of
/// ids per statement.
pub async fn feature_stories(conn: &mut Conn, ids: &[FeatureId]) -> R<Vec<Event>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let ids: Vec<i64> = chunk.iter().map(|f| f.0).collect();
        let rows: Vec<Event> = dispatch!(conn, |c| {
            event_log::table
                .filter(event_log::entity_type.eq(EntityKind::Feature))
                .filter(event_log::entity_id.eq_any(&ids))
                .order(event_log::id.asc())
                .select(Event::as_select())
                .load(c)
                .await?
        });
        out.extend(rows);
    }
    out.sort_by_key(|e| e.id);
    Ok(out)
}

/// The features of a project whose events may name release `release` (a
/// plan into or out of it, or a snapshot holding it): the candidates for
/// its burn-up scope, deleted features included. A text match on
/// `details` over the project's events since the release was created
/// (`since`: no event can name a release before it exists), a range of
/// `event_log_project_time_idx` as long as the release's life, not the
/// project's whole log; the caller decodes the events and keeps what
/// really names the release.
pub async fn features_naming_release(
    conn: &mut Conn,
    project: ProjectId,
    release: ReleaseId,
    since: NaiveDateTime,
) -> R<Vec<FeatureId>> {
    // The typed format writes `"release":{"before":…,"after":{"id":3,"version":"1.2"}}`
    // and snapshots `"release_id":3`; the legacy format `"release_id": 3`.
    let typed = format!("%\"id\":{},\"version\"%", release.0);
    let snapshot = format!("%\"release_id\":{}%", release.0);
    let legacy = format!("%\"release_id\": {}%", release.0);
    let ids: Vec<i64> = dispatch!(conn, |c| {
        event_log::table
            .filter(event_log::project_id.eq(project))
            .filter(event_log::timestamp.ge(since))
            .filter(event_log::entity_type.eq(EntityKind::Feature))
            .filter(
                event_log::details
                    .like(&typed)
                    .or(event_log::details.like(&snapshot))
                    .or(event_log::details.like(&legacy)),
            )
            .select(event_log::entity_id)
            .distinct()
            .load(c)
            .await?
    });
    Ok(ids.into_iter().map(FeatureId).collect())
}

/// A project's events, oldest first, `limit` from after `after` (the CSV
/// export reads the log in pages, never all at once).
pub async fn project_page(
    conn: &mut Conn,
    project: ProjectId,
    after: EventId,
    limit: i64,
) -> R<Vec<Event>> {
    Ok(dispatch!(conn, |c| {
        event_log::table
            .filter(event_log::project_id.eq(project))
            .filter(event_log::id.gt(after))
            .order(event_log::id.asc())
            .limit(limit)
            .select(Event::as_select())
            .load(c)
            .await?
    }))
}

/// Up to `n` events after `after` (all of them from `EventId(0)`), oldest
/// first: reading the whole log in pages (`radar check`).
pub async fn page(conn: &mut Conn, after: EventId, n: i64) -> R<Vec<Event>> {
    Ok(dispatch!(conn, |c| {
        event_log::table
            .filter(event_log::id.gt(after))
            .order(event_log::id.asc())
            .limit(n)
            .select(Event::as_select())
            .load(c)
            .await?
    }))
}
