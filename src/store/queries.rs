//! Every query Radar makes. Each function takes `&mut Conn` (so a caller's
//! transaction can hold several) and writes its body once in `dispatch!`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::models::*;
use super::{Conn, StoreError};
use crate::dispatch;
use crate::schema::{
    event_log, features, outbox, processed_messages, projects, releases, user_context,
};

type R<T> = Result<T, StoreError>;

pub async fn ping(conn: &mut Conn) -> R<()> {
    dispatch!(conn, |c| {
        diesel::sql_query("SELECT 1").execute(c).await?;
    });
    Ok(())
}

// ---------------------------------------------------------------- receipts

/// Stores the receipt of an update if it is new. Returns false for a key
/// seen before. Used by the Telegram adapter before it acknowledges an update.
pub async fn store_receipt(conn: &mut Conn, r: &NewReceipt<'_>) -> R<bool> {
    let _turn = conn.write_turn().await?;
    let n = dispatch!(conn, |c| {
        diesel::insert_into(processed_messages::table)
            .values(r)
            .on_conflict_do_nothing()
            .execute(c)
            .await?
    });
    Ok(n == 1)
}

/// Claims a message key for processing inside the caller's transaction:
/// inserts it (if no receipt was stored before) and marks it processed.
/// Returns false when the key was already processed: a duplicate.
///
/// Insert first and look at the affected-row count, then a conditional
/// update: under READ COMMITTED a second transaction blocks on the row lock
/// and then sees `processed_at` set, so it is correct on PostgreSQL too.
pub async fn claim_message(conn: &mut Conn, r: &NewReceipt<'_>, now: NaiveDateTime) -> R<bool> {
    use processed_messages::dsl as pm;
    let n = dispatch!(conn, |c| {
        diesel::insert_into(pm::processed_messages)
            .values(r)
            .on_conflict_do_nothing()
            .execute(c)
            .await?;
        diesel::update(
            pm::processed_messages
                .filter(pm::message_id.eq(r.message_id))
                .filter(pm::processed_at.is_null()),
        )
        .set(pm::processed_at.eq(now))
        .execute(c)
        .await?
    });
    Ok(n == 1)
}

/// Updates stored but not yet processed (a crash between receipt and
/// processing), oldest first.
pub async fn pending_receipts(conn: &mut Conn, limit: i64) -> R<Vec<Receipt>> {
    use processed_messages::dsl as pm;
    Ok(dispatch!(conn, |c| {
        pm::processed_messages
            .filter(pm::processed_at.is_null())
            .order((pm::received_at.asc(), pm::update_id.asc()))
            .limit(limit)
            .select(Receipt::as_select())
            .load(c)
            .await?
    }))
}

pub async fn receipt(conn: &mut Conn, key: &str) -> R<Option<Receipt>> {
    use processed_messages::dsl as pm;
    Ok(dispatch!(conn, |c| {
        pm::processed_messages
            .find(key)
            .select(Receipt::as_select())
            .first(c)
            .await
            .optional()?
    }))
}

// ---------------------------------------------------------------- context

pub async fn active_project(conn: &mut Conn, user: i64) -> R<Option<Project>> {
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

/// Sets the user's active project; returns the previous one.
pub async fn set_active_project(
    conn: &mut Conn,
    user: i64,
    project: Option<i64>,
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

// ---------------------------------------------------------------- projects

pub async fn project_by_key(conn: &mut Conn, name_key: &str) -> R<Option<Project>> {
    Ok(dispatch!(conn, |c| {
        projects::table
            .filter(projects::name_key.eq(name_key))
            .select(Project::as_select())
            .first(c)
            .await
            .optional()?
    }))
}

pub async fn project_by_id(conn: &mut Conn, id: i64) -> R<Option<Project>> {
    Ok(dispatch!(conn, |c| {
        projects::table
            .find(id)
            .select(Project::as_select())
            .first(c)
            .await
            .optional()?
    }))
}

pub async fn list_projects(conn: &mut Conn) -> R<Vec<Project>> {
    Ok(dispatch!(conn, |c| {
        projects::table
            .order((projects::status.asc(), projects::name_key.asc()))
            .select(Project::as_select())
            .load(c)
            .await?
    }))
}

pub async fn insert_project(conn: &mut Conn, p: &NewProject<'_>) -> R<Project> {
    Ok(dispatch!(conn, |c| {
        diesel::insert_into(projects::table)
            .values(p)
            .returning(Project::as_returning())
            .get_result(c)
            .await?
    }))
}

pub async fn set_project_status(
    conn: &mut Conn,
    id: i64,
    status: &str,
    now: NaiveDateTime,
) -> R<()> {
    dispatch!(conn, |c| {
        diesel::update(projects::table.find(id))
            .set((projects::status.eq(status), projects::updated_at.eq(now)))
            .execute(c)
            .await?;
    });
    Ok(())
}

pub async fn delete_project(conn: &mut Conn, id: i64) -> R<()> {
    dispatch!(conn, |c| {
        diesel::delete(projects::table.find(id)).execute(c).await?;
    });
    Ok(())
}

/// Takes the next per-project feature number. The row lock this update takes
/// serializes concurrent adds to one project on PostgreSQL.
pub async fn take_feature_number(conn: &mut Conn, project: i64) -> R<i64> {
    let next: i64 = dispatch!(conn, |c| {
        diesel::update(projects::table.find(project))
            .set(projects::next_feature_number.eq(projects::next_feature_number + 1))
            .returning(projects::next_feature_number)
            .get_result(c)
            .await?
    });
    Ok(next - 1)
}

// ---------------------------------------------------------------- features

pub async fn feature_by_number(conn: &mut Conn, project: i64, number: i64) -> R<Option<Feature>> {
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

pub async fn feature_by_id(conn: &mut Conn, id: i64) -> R<Option<Feature>> {
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
pub async fn list_features(conn: &mut Conn, project: i64, statuses: &[&str]) -> R<Vec<Feature>> {
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

pub async fn features_in_releases(conn: &mut Conn, project: i64) -> R<Vec<Feature>> {
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

pub async fn insert_feature(conn: &mut Conn, f: &NewFeature) -> R<Feature> {
    Ok(dispatch!(conn, |c| {
        diesel::insert_into(features::table)
            .values(f)
            .returning(Feature::as_returning())
            .get_result(c)
            .await?
    }))
}

pub async fn update_feature(conn: &mut Conn, id: i64, ch: &FeatureChanges) -> R<Feature> {
    Ok(dispatch!(conn, |c| {
        diesel::update(features::table.find(id))
            .set(ch)
            .returning(Feature::as_returning())
            .get_result(c)
            .await?
    }))
}

pub async fn delete_feature(conn: &mut Conn, id: i64) -> R<()> {
    dispatch!(conn, |c| {
        diesel::delete(features::table.find(id)).execute(c).await?;
    });
    Ok(())
}

// ---------------------------------------------------------------- releases

pub async fn release_by_version(
    conn: &mut Conn,
    project: i64,
    version: &str,
) -> R<Option<Release>> {
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

pub async fn release_by_id(conn: &mut Conn, id: i64) -> R<Option<Release>> {
    Ok(dispatch!(conn, |c| {
        releases::table
            .find(id)
            .select(Release::as_select())
            .first(c)
            .await
            .optional()?
    }))
}

pub async fn list_releases(conn: &mut Conn, project: i64) -> R<Vec<Release>> {
    Ok(dispatch!(conn, |c| {
        releases::table
            .filter(releases::project_id.eq(project))
            .select(Release::as_select())
            .order((releases::created_at.asc(), releases::id.asc()))
            .load(c)
            .await?
    }))
}

pub async fn insert_release(conn: &mut Conn, r: &NewRelease) -> R<Release> {
    Ok(dispatch!(conn, |c| {
        diesel::insert_into(releases::table)
            .values(r)
            .returning(Release::as_returning())
            .get_result(c)
            .await?
    }))
}

pub async fn update_release(conn: &mut Conn, id: i64, ch: &ReleaseChanges) -> R<Release> {
    Ok(dispatch!(conn, |c| {
        diesel::update(releases::table.find(id))
            .set(ch)
            .returning(Release::as_returning())
            .get_result(c)
            .await?
    }))
}

pub async fn delete_release(conn: &mut Conn, id: i64) -> R<()> {
    dispatch!(conn, |c| {
        diesel::delete(releases::table.find(id)).execute(c).await?;
    });
    Ok(())
}

// ---------------------------------------------------------------- event log

pub async fn append_event(conn: &mut Conn, e: &NewEvent) -> R<i64> {
    Ok(dispatch!(conn, |c| {
        diesel::insert_into(event_log::table)
            .values(e)
            .returning(event_log::id)
            .get_result(c)
            .await?
    }))
}

/// Data events of a project in `[from, to)`, newest first (compensating
/// events and context switches excluded).
pub async fn project_events(
    conn: &mut Conn,
    project: i64,
    from: NaiveDateTime,
    to: NaiveDateTime,
    limit: i64,
) -> R<Vec<Event>> {
    Ok(dispatch!(conn, |c| {
        event_log::table
            .filter(event_log::project_id.eq(project))
            .filter(event_log::timestamp.ge(from))
            .filter(event_log::timestamp.lt(to))
            .filter(event_log::reverts_event_id.is_null())
            .filter(event_log::entity_type.ne("context"))
            .order((event_log::timestamp.desc(), event_log::id.desc()))
            .limit(limit)
            .select(Event::as_select())
            .load(c)
            .await?
    }))
}

/// The compensating events that revert any of `ids`.
pub async fn reverts_of(conn: &mut Conn, ids: &[i64]) -> R<Vec<Event>> {
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
pub async fn latest_undoable_event(conn: &mut Conn, user: i64) -> R<Option<Event>> {
    let r = diesel::alias!(event_log as r);
    Ok(dispatch!(conn, |c| {
        event_log::table
            .filter(event_log::user_id.eq(user))
            .filter(event_log::reverts_event_id.is_null())
            .filter(event_log::entity_type.ne("context"))
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
pub async fn events_of_command(conn: &mut Conn, correlation: &str) -> R<Vec<Event>> {
    Ok(dispatch!(conn, |c| {
        event_log::table
            .filter(event_log::correlation_id.eq(correlation))
            .filter(event_log::reverts_event_id.is_null())
            .filter(event_log::entity_type.ne("context"))
            .order(event_log::id.asc())
            .select(Event::as_select())
            .load(c)
            .await?
    }))
}

/// Data events on one entity after `after_id`, oldest first.
pub async fn entity_events_after(
    conn: &mut Conn,
    entity_type: &str,
    entity_id: i64,
    after_id: i64,
) -> R<Vec<Event>> {
    Ok(dispatch!(conn, |c| {
        event_log::table
            .filter(event_log::entity_type.eq(entity_type))
            .filter(event_log::entity_id.eq(entity_id))
            .filter(event_log::id.gt(after_id))
            .order(event_log::id.asc())
            .select(Event::as_select())
            .load(c)
            .await?
    }))
}

/// Data events in a project after `after_id`, oldest first.
pub async fn project_events_after(conn: &mut Conn, project: i64, after_id: i64) -> R<Vec<Event>> {
    Ok(dispatch!(conn, |c| {
        event_log::table
            .filter(event_log::project_id.eq(project))
            .filter(event_log::id.gt(after_id))
            .filter(event_log::entity_type.ne("context"))
            .order(event_log::id.asc())
            .select(Event::as_select())
            .load(c)
            .await?
    }))
}

/// The whole history of one entity, oldest first (compensating events included).
pub async fn entity_history(
    conn: &mut Conn,
    entity_type: &str,
    entity_id: i64,
    limit: i64,
) -> R<Vec<Event>> {
    Ok(dispatch!(conn, |c| {
        event_log::table
            .filter(event_log::entity_type.eq(entity_type))
            .filter(event_log::entity_id.eq(entity_id))
            .order(event_log::id.desc())
            .limit(limit)
            .select(Event::as_select())
            .load(c)
            .await?
    }))
}

// ---------------------------------------------------------------- outbox

/// Queues a reply's messages; returns their ids in order. On PostgreSQL a
/// reply split in several messages is one statement (one round trip; ids are
/// given in row order, so the sorted ids are the messages' order). On SQLite,
/// where a statement costs no round trip, one insert a message.
pub async fn queue_replies(conn: &mut Conn, rows: &[NewOutbox]) -> R<Vec<i64>> {
    if let (Conn::Pg(c), true) = (&mut *conn, rows.len() > 1) {
        let mut ids: Vec<i64> = diesel::insert_into(outbox::table)
            .values(rows)
            .returning(outbox::id)
            .get_results(&mut **c)
            .await?;
        ids.sort_unstable();
        return Ok(ids);
    }
    let mut ids = Vec::with_capacity(rows.len());
    for row in rows {
        let id: i64 = dispatch!(conn, |c| {
            diesel::insert_into(outbox::table)
                .values(row)
                .returning(outbox::id)
                .get_result(c)
                .await?
        });
        ids.push(id);
    }
    Ok(ids)
}

pub async fn mark_sent(conn: &mut Conn, ids: &[i64], now: NaiveDateTime) -> R<()> {
    let _turn = conn.write_turn().await?;
    dispatch!(conn, |c| {
        diesel::update(outbox::table.filter(outbox::id.eq_any(ids)))
            .set(outbox::sent_at.eq(now))
            .execute(c)
            .await?;
    });
    Ok(())
}

pub async fn outbox_for_key(conn: &mut Conn, key: &str) -> R<Vec<OutboxRow>> {
    Ok(dispatch!(conn, |c| {
        outbox::table
            .filter(outbox::message_key.eq(key))
            .order(outbox::id.asc())
            .select(OutboxRow::as_select())
            .load(c)
            .await?
    }))
}

// ---------------------------------------------------------------- introspection

/// Row counts of every table (for `/metrics`, the seed and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub projects: i64,
    pub features: i64,
    pub releases: i64,
    pub events: i64,
    pub contexts: i64,
    pub processed: i64,
    pub outbox: i64,
    pub outbox_unsent: i64,
}

pub async fn counts(conn: &mut Conn) -> R<Counts> {
    Ok(dispatch!(conn, |c| {
        Counts {
            projects: projects::table.count().get_result(c).await?,
            features: features::table.count().get_result(c).await?,
            releases: releases::table.count().get_result(c).await?,
            events: event_log::table.count().get_result(c).await?,
            contexts: user_context::table.count().get_result(c).await?,
            processed: processed_messages::table.count().get_result(c).await?,
            outbox: outbox::table.count().get_result(c).await?,
            outbox_unsent: outbox::table
                .filter(outbox::sent_at.is_null())
                .filter(outbox::failed_at.is_null())
                .count()
                .get_result(c)
                .await?,
        }
    }))
}

#[derive(Debug, QueryableByName)]
struct DumpLine {
    #[diesel(sql_type = diesel::sql_types::Text)]
    line: String,
}

/// A textual dump of the schema (tables, columns, constraints, indexes,
/// triggers), sorted, without diesel's own bookkeeping table. Comparing two
/// dumps tells whether two databases have the same schema.
pub async fn schema_dump(conn: &mut Conn) -> R<Vec<String>> {
    let sql = match conn.backend() {
        super::Backend::Sqlite => {
            "SELECT type || ' ' || name || ' ON ' || tbl_name || ': ' || COALESCE(sql, '') AS line
             FROM sqlite_schema WHERE name NOT LIKE '__diesel%' AND name NOT LIKE 'sqlite_%'"
        }
        super::Backend::Postgres => {
            "SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' null=' || is_nullable
                    || ' default=' || COALESCE(column_default, '') AS line
               FROM information_schema.columns
              WHERE table_schema = current_schema() AND table_name NOT LIKE '__diesel%'
             UNION ALL
             SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
               FROM pg_constraint
              WHERE connamespace = current_schema()::regnamespace AND conrelid::regclass::text NOT LIKE '__diesel%'
             UNION ALL
             SELECT 'index ' || indexdef FROM pg_indexes
              WHERE schemaname = current_schema() AND tablename NOT LIKE '__diesel%'
             UNION ALL
             SELECT 'trigger ' || pg_get_triggerdef(t.oid) || ' enabled=' || t.tgenabled::text
               FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
              WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace
             UNION ALL
             SELECT 'function ' || p.proname || ' ' || md5(p.prosrc) FROM pg_proc p
              WHERE p.pronamespace = current_schema()::regnamespace"
        }
    };
    let mut lines: Vec<String> = dispatch!(conn, |c| {
        diesel::sql_query(sql)
            .load::<DumpLine>(c)
            .await?
            .into_iter()
            .map(|l| l.line)
            .collect()
    });
    lines.sort();
    Ok(lines)
}

#[derive(Debug, QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    column_name: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    nullable: bool,
}

/// `(table, column, nullable)` for every column, as the database reports it
/// (what `diesel print-schema` reads).
pub async fn columns(conn: &mut Conn) -> R<Vec<(String, String, bool)>> {
    let sql = match conn.backend() {
        super::Backend::Sqlite => {
            "SELECT m.name AS table_name, p.name AS column_name, (p.\"notnull\" = 0 AND p.pk = 0) AS nullable
               FROM sqlite_schema m JOIN pragma_table_info(m.name) p
              WHERE m.type = 'table' AND m.name NOT LIKE '__diesel%' AND m.name NOT LIKE 'sqlite_%'"
        }
        super::Backend::Postgres => {
            "SELECT table_name::text AS table_name, column_name::text AS column_name, (is_nullable = 'YES') AS nullable
               FROM information_schema.columns
              WHERE table_schema = current_schema() AND table_name NOT LIKE '__diesel%'"
        }
    };
    let mut cols: Vec<(String, String, bool)> = dispatch!(conn, |c| {
        diesel::sql_query(sql)
            .load::<ColumnRow>(c)
            .await?
            .into_iter()
            .map(|r| (r.table_name, r.column_name, r.nullable))
            .collect()
    });
    cols.sort();
    Ok(cols)
}

// ---------------------------------------------------------------- delivery

/// Stores many receipts in one transaction (one durable commit for a whole
/// `getUpdates` batch). Returns how many were new.
pub async fn store_receipts(conn: &mut Conn, receipts: &[NewReceipt<'_>]) -> R<usize> {
    conn.begin_write().await?;
    let mut new = 0;
    for r in receipts {
        match store_receipt(conn, r).await {
            Ok(true) => new += 1,
            Ok(false) => {}
            Err(e) => {
                let _ = conn.rollback().await;
                return Err(e);
            }
        }
    }
    conn.commit().await?;
    Ok(new)
}

/// Receipts stored but not processed that were received before `before`,
/// oldest first, with a payload to replay.
pub async fn stale_receipts(conn: &mut Conn, before: NaiveDateTime, limit: i64) -> R<Vec<Receipt>> {
    use processed_messages::dsl as pm;
    Ok(dispatch!(conn, |c| {
        pm::processed_messages
            .filter(pm::processed_at.is_null())
            .filter(pm::received_at.lt(before))
            .filter(pm::payload.is_not_null())
            .order((pm::received_at.asc(), pm::update_id.asc()))
            .limit(limit)
            .select(Receipt::as_select())
            .load(c)
            .await?
    }))
}

/// Marks a receipt processed without applying it (a poison update).
pub async fn give_up_receipt(conn: &mut Conn, key: &str, now: NaiveDateTime) -> R<()> {
    let _turn = conn.write_turn().await?;
    use processed_messages::dsl as pm;
    dispatch!(conn, |c| {
        diesel::update(
            pm::processed_messages
                .find(key)
                .filter(pm::processed_at.is_null()),
        )
        .set(pm::processed_at.eq(now))
        .execute(c)
        .await?;
    });
    Ok(())
}

fn deliverable()
-> diesel::dsl::And<diesel::dsl::IsNull<outbox::sent_at>, diesel::dsl::IsNull<outbox::failed_at>> {
    outbox::sent_at.is_null().and(outbox::failed_at.is_null())
}

/// Chats with a reply due now (not waiting for a retry).
pub async fn due_chats(conn: &mut Conn, now: NaiveDateTime, limit: i64) -> R<Vec<i64>> {
    Ok(dispatch!(conn, |c| {
        outbox::table
            .filter(deliverable())
            .filter(outbox::chat_id.ne(crate::CONSOLE_CHAT_ID))
            .filter(
                outbox::next_attempt_at
                    .is_null()
                    .or(outbox::next_attempt_at.le(now)),
            )
            .select(outbox::chat_id)
            .distinct()
            .limit(limit)
            .load(c)
            .await?
    }))
}

/// The next reply to deliver in a chat: the oldest not sent and not failed.
/// Replies in a chat go out strictly in this order.
pub async fn outbox_head(conn: &mut Conn, chat_id: i64) -> R<Option<OutboxRow>> {
    Ok(dispatch!(conn, |c| {
        outbox::table
            .filter(deliverable())
            .filter(outbox::chat_id.eq(chat_id))
            .order(outbox::id.asc())
            .select(OutboxRow::as_select())
            .first(c)
            .await
            .optional()?
    }))
}

/// Locks a reply for delivery inside the caller's transaction, skipping it
/// if another replica holds it (PostgreSQL `FOR UPDATE SKIP LOCKED`; the lock
/// goes with the connection if that replica dies). A SQLite file has one
/// process, whose sender serializes deliveries per chat itself.
pub async fn lock_reply(conn: &mut Conn, id: i64) -> R<bool> {
    match conn {
        Conn::Pg(c) => {
            let row: Option<i64> = outbox::table
                .filter(outbox::id.eq(id))
                .filter(deliverable())
                .select(outbox::id)
                .for_update()
                .skip_locked()
                .first(&mut **c)
                .await
                .optional()?;
            Ok(row.is_some())
        }
        Conn::Sqlite(..) => Ok(true),
    }
}

// Each outcome below also counts the attempt, in the same write: one
// durable commit per delivery, not two.

pub async fn reply_sent(conn: &mut Conn, id: i64, now: NaiveDateTime) -> R<()> {
    let _turn = conn.write_turn().await?;
    dispatch!(conn, |c| {
        diesel::update(outbox::table.find(id))
            .set((
                outbox::sent_at.eq(now),
                outbox::last_error.eq(None::<String>),
                outbox::attempts.eq(outbox::attempts + 1),
            ))
            .execute(c)
            .await?;
    });
    Ok(())
}

pub async fn reply_retry(conn: &mut Conn, id: i64, at: NaiveDateTime, error: &str) -> R<()> {
    let _turn = conn.write_turn().await?;
    dispatch!(conn, |c| {
        diesel::update(outbox::table.find(id))
            .set((
                outbox::next_attempt_at.eq(at),
                outbox::last_error.eq(error),
                outbox::attempts.eq(outbox::attempts + 1),
            ))
            .execute(c)
            .await?;
    });
    Ok(())
}

pub async fn reply_failed(conn: &mut Conn, id: i64, now: NaiveDateTime, error: &str) -> R<()> {
    let _turn = conn.write_turn().await?;
    dispatch!(conn, |c| {
        diesel::update(outbox::table.find(id))
            .set((
                outbox::failed_at.eq(now),
                outbox::last_error.eq(error),
                outbox::attempts.eq(outbox::attempts + 1),
            ))
            .execute(c)
            .await?;
    });
    Ok(())
}

/// Replies not yet delivered (the outbox backlog gauge).
pub async fn outbox_backlog(conn: &mut Conn) -> R<i64> {
    Ok(dispatch!(conn, |c| {
        outbox::table
            .filter(deliverable())
            .filter(outbox::chat_id.ne(crate::CONSOLE_CHAT_ID))
            .count()
            .get_result(c)
            .await?
    }))
}
