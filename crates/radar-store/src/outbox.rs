//! `outbox`: replies waiting to be sent (spec §3). A command's reply is
//! queued in the command's transaction; the Telegram adapter sends each at
//! least once, in order per chat, and records the outcome here.

use crate::prepared::KeepPrepared;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::ids::{ChatId, OutboxId};
use crate::schema::outbox;
use crate::{Backend, Conn, ConnFn, R, StoreError, dispatch};

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = outbox)]
pub struct NewReply {
    pub chat_id: ChatId,
    pub message_key: Option<String>,
    pub text: String,
    pub parse_mode: Option<String>,
    /// Telegram's `InlineKeyboardMarkup` as JSON.
    pub reply_markup: Option<String>,
    pub reply_to_message_id: Option<i64>,
    pub created_at: NaiveDateTime,
    /// Set at once for a reply its adapter shows itself (the console).
    pub sent_at: Option<NaiveDateTime>,
    /// Edit this message of the chat instead of sending a new one (the
    /// reply to a button press replaces the message that carried it).
    pub edit_message_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct QueuedReply {
    pub id: OutboxId,
    pub chat_id: ChatId,
    pub message_key: Option<String>,
    pub text: String,
    pub parse_mode: Option<String>,
    pub reply_markup: Option<String>,
    pub reply_to_message_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub failed_at: Option<NaiveDateTime>,
    pub edit_message_id: Option<i64>,
}

/// Queues a reply's messages; returns their ids in order. On PostgreSQL a
/// reply split in several messages is one statement (one round trip; ids are
/// given in row order, so the sorted ids are the messages' order). On SQLite,
/// where a statement costs no round trip, one insert a message.
pub async fn queue(conn: &mut Conn, rows: &[NewReply]) -> R<Vec<OutboxId>> {
    if let (Conn::Pg(c), true) = (&mut *conn, rows.len() > 1) {
        let mut ids: Vec<OutboxId> = diesel::insert_into(outbox::table)
            .values(rows)
            .returning(outbox::id)
            .get_results(&mut **c)
            .await?;
        ids.sort_unstable();
        return Ok(ids);
    }
    let mut ids = Vec::with_capacity(rows.len());
    for row in rows {
        let id: OutboxId = dispatch!(conn, |c| {
            diesel::insert_into(outbox::table)
                .values(row)
                .returning(outbox::id)
                .prepared()
                .get_result(c)
                .await?
        });
        ids.push(id);
    }
    Ok(ids)
}

fn deliverable()
-> diesel::dsl::And<diesel::dsl::IsNull<outbox::sent_at>, diesel::dsl::IsNull<outbox::failed_at>> {
    outbox::sent_at.is_null().and(outbox::failed_at.is_null())
}

/// Chats with a reply due now (not waiting for a retry).
pub async fn due_chats(conn: &mut Conn, now: NaiveDateTime, limit: i64) -> R<Vec<ChatId>> {
    Ok(dispatch!(conn, |c| {
        outbox::table
            .filter(deliverable())
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
pub async fn head(conn: &mut Conn, chat: ChatId) -> R<Option<QueuedReply>> {
    Ok(dispatch!(conn, |c| {
        outbox::table
            .filter(deliverable())
            .filter(outbox::chat_id.eq(chat))
            .order(outbox::id.asc())
            .select(QueuedReply::as_select())
            .first(c)
            .await
            .optional()?
    }))
}

/// The replies to deliver next in a chat, oldest first (at most `limit`),
/// each with whether it carries a file (`outbox_attachments`): the head
/// and what follows it, read in one statement for one flush of the chat.
pub async fn due(conn: &mut Conn, chat: ChatId, limit: i64) -> R<Vec<(QueuedReply, bool)>> {
    use crate::schema::outbox_attachments;
    let rows: Vec<(QueuedReply, Option<OutboxId>)> = dispatch!(conn, |c| {
        outbox::table
            .left_join(outbox_attachments::table)
            .filter(deliverable())
            .filter(outbox::chat_id.eq(chat))
            .order(outbox::id.asc())
            .select((
                QueuedReply::as_select(),
                outbox_attachments::outbox_id.nullable(),
            ))
            .limit(limit)
            .load(c)
            .await?
    });
    Ok(rows.into_iter().map(|(r, f)| (r, f.is_some())).collect())
}

/// At most this many ids per "sent" statement: on SQLite `IN (?, …)` has one
/// text per length, each kept prepared ([`crate::prepared`]), so the lengths
/// are bounded here, whatever the caller passes. A flush sends at most 16.
pub const SENT_MARKS_PER_STATEMENT: usize = 16;

/// Records replies as sent (and their attempt counted), in one statement per
/// [`SENT_MARKS_PER_STATEMENT`] ids: one flush's worth.
pub async fn mark_sent_many(conn: &mut Conn, ids: &[OutboxId], now: NaiveDateTime) -> R<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let _turn = conn.write_turn().await?;
    for chunk in ids.chunks(SENT_MARKS_PER_STATEMENT) {
        dispatch!(conn, |c| {
            diesel::update(outbox::table.filter(outbox::id.eq_any(chunk)))
                .set((
                    outbox::sent_at.eq(now),
                    outbox::last_error.eq(None::<String>),
                    outbox::attempts.eq(outbox::attempts + 1),
                ))
                .prepared()
                .execute(c)
                .await?;
        });
    }
    Ok(())
}

/// Runs `deliver` holding the reply's lease. On PostgreSQL that is a row
/// lock (`FOR UPDATE SKIP LOCKED`) in a transaction lasting through the
/// send: another replica skips the reply, and if this process dies the lock
/// goes with its connection and the reply is sent again (at least once). A
/// SQLite file has one process, whose sender serializes deliveries per chat
/// itself: no lock, and no write transaction held across the network call.
/// Returns `None` when another replica holds the reply.
pub async fn with_lease<T, E, F>(conn: &mut Conn, id: OutboxId, deliver: F) -> Result<Option<T>, E>
where
    for<'c> F:
        AsyncFnOnce(&'c mut Conn) -> Result<T, E> + ConnFn<'c, Result<T, E>, Fut: Send> + Send,
    T: Send,
    E: From<StoreError> + Send,
{
    match conn.backend() {
        Backend::Sqlite => deliver(conn).await.map(Some),
        Backend::Postgres => {
            crate::write(conn, async move |conn| {
                if !lock(conn, id).await? {
                    return Ok(None);
                }
                deliver(conn).await.map(Some)
            })
            .await
        }
    }
}

/// PostgreSQL only: SQLite has no row locks.
async fn lock(conn: &mut Conn, id: OutboxId) -> R<bool> {
    let Conn::Pg(c) = conn else {
        return Ok(true);
    };
    let row: Option<OutboxId> = outbox::table
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

// Each outcome (here and in `mark_sent_many`) also counts the attempt, in
// the same write: one durable commit per delivery, not two.

/// Schedules another attempt at `at`.
pub async fn mark_retry(conn: &mut Conn, id: OutboxId, at: NaiveDateTime, error: &str) -> R<()> {
    let _turn = conn.write_turn().await?;
    dispatch!(conn, |c| {
        diesel::update(outbox::table.find(id))
            .set((
                outbox::next_attempt_at.eq(at),
                outbox::last_error.eq(error),
                outbox::attempts.eq(outbox::attempts + 1),
            ))
            .prepared()
            .execute(c)
            .await?;
    });
    Ok(())
}

/// Gives the reply up (a permanent refusal).
pub async fn mark_failed(conn: &mut Conn, id: OutboxId, now: NaiveDateTime, error: &str) -> R<()> {
    let _turn = conn.write_turn().await?;
    dispatch!(conn, |c| {
        diesel::update(outbox::table.find(id))
            .set((
                outbox::failed_at.eq(now),
                outbox::last_error.eq(error),
                outbox::attempts.eq(outbox::attempts + 1),
            ))
            .prepared()
            .execute(c)
            .await?;
    });
    Ok(())
}

/// The chat became a supergroup (`migrate_to_chat_id`): its undelivered
/// replies move to the new chat id, in their order. Returns how many moved.
pub async fn move_chat(conn: &mut Conn, from: ChatId, to: ChatId) -> R<usize> {
    let _turn = conn.write_turn().await?;
    Ok(dispatch!(conn, |c| {
        diesel::update(
            outbox::table
                .filter(outbox::chat_id.eq(from))
                .filter(deliverable()),
        )
        .set((
            outbox::chat_id.eq(to),
            outbox::next_attempt_at.eq(None::<NaiveDateTime>),
        ))
        .prepared()
        .execute(c)
        .await?
    }))
}

/// What is left to send of a reply after its first parts went out (a part
/// Telegram refused as too long is sent split).
pub async fn set_text(conn: &mut Conn, id: OutboxId, text: &str) -> R<()> {
    let _turn = conn.write_turn().await?;
    dispatch!(conn, |c| {
        diesel::update(outbox::table.find(id))
            .set(outbox::text.eq(text))
            .prepared()
            .execute(c)
            .await?;
    });
    Ok(())
}

/// Sends the reply as a new message instead of editing one (the message to
/// edit is gone or too old to edit).
pub async fn send_instead_of_edit(conn: &mut Conn, id: OutboxId) -> R<()> {
    let _turn = conn.write_turn().await?;
    dispatch!(conn, |c| {
        diesel::update(outbox::table.find(id))
            .set(outbox::edit_message_id.eq(None::<i64>))
            .prepared()
            .execute(c)
            .await?;
    });
    Ok(())
}

/// Replies not yet delivered (the outbox backlog gauge).
pub async fn backlog(conn: &mut Conn) -> R<i64> {
    Ok(dispatch!(conn, |c| {
        outbox::table
            .filter(deliverable())
            .count()
            .get_result(c)
            .await?
    }))
}

/// Deletes up to `limit` replies queued before `before` that are done (sent,
/// or given up), in one short write transaction; returns how many.
///
/// Nothing reads a done reply: delivery looks at undelivered ones only, and
/// a redelivered update is recognised by its receipt, not by its reply. The
/// newest row is kept (as in
/// [`offered_actions::prune`](crate::offered_actions::prune)), so SQLite
/// never hands a deleted id out again: ids keep growing, and the order of a
/// chat's replies (by id) stays right.
pub async fn prune(conn: &mut Conn, before: NaiveDateTime, limit: i64) -> R<usize> {
    crate::write(conn, async |conn| {
        Ok(dispatch!(conn, |c| {
            let newest: Option<OutboxId> = outbox::table
                .select(diesel::dsl::max(outbox::id))
                .first(c)
                .await?;
            let done = outbox::table
                .filter(outbox::created_at.lt(before))
                .filter(
                    outbox::sent_at
                        .is_not_null()
                        .or(outbox::failed_at.is_not_null()),
                )
                .filter(outbox::id.lt(newest.unwrap_or(OutboxId(0))));
            let ids: Vec<OutboxId> = done.select(outbox::id).limit(limit).load(c).await?;
            if ids.is_empty() {
                0
            } else {
                diesel::delete(done.filter(outbox::id.eq_any(&ids)))
                    .execute(c)
                    .await?
            }
        }))
    })
    .await
}

/// The replies queued for one message key, in order.
#[cfg(feature = "test-support")]
pub async fn for_key(conn: &mut Conn, key: &str) -> R<Vec<QueuedReply>> {
    Ok(dispatch!(conn, |c| {
        outbox::table
            .filter(outbox::message_key.eq(key))
            .order(outbox::id.asc())
            .select(QueuedReply::as_select())
            .load(c)
            .await?
    }))
}
