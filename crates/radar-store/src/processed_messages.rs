//! `processed_messages`: one row per message key (spec §3). A row is
//! stored when an update is received (before Telegram is told), and marked
//! processed in the transaction that applies it; the primary key makes a
//! redelivered update a no-op.
//!
//! Retention: an authorized user's update is stored with its JSON
//! (`payload`) only so that it can be replayed after a crash. The write that
//! marks it processed (or given up) clears the payload, so what stays is the
//! key and its times; a stored-but-unprocessed update keeps its payload.

use crate::prepared::KeepPrepared;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::ids::{ChatId, UserId};
use crate::schema::processed_messages;
use crate::{Conn, R, dispatch};

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = processed_messages)]
pub struct NewReceipt<'a> {
    pub message_id: &'a str,
    pub update_id: Option<i64>,
    pub chat_id: ChatId,
    pub user_id: Option<UserId>,
    pub received_at: NaiveDateTime,
    pub processed_at: Option<NaiveDateTime>,
    /// The update's JSON, to replay it after a crash (allowed users only).
    pub payload: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = processed_messages)]
pub struct Receipt {
    pub message_id: String,
    pub update_id: Option<i64>,
    pub chat_id: ChatId,
    pub user_id: Option<UserId>,
    pub received_at: NaiveDateTime,
    pub processed_at: Option<NaiveDateTime>,
    pub payload: Option<String>,
}

/// Stores the receipt of an update if it is new. Returns false for a key
/// seen before.
pub async fn store(conn: &mut Conn, r: &NewReceipt<'_>) -> R<bool> {
    let _turn = conn.write_turn().await?;
    insert_new(conn, r).await
}

async fn insert_new(conn: &mut Conn, r: &NewReceipt<'_>) -> R<bool> {
    let n = dispatch!(conn, |c| {
        diesel::insert_into(processed_messages::table)
            .values(r)
            .on_conflict_do_nothing()
            .prepared()
            .execute(c)
            .await?
    });
    Ok(n == 1)
}

/// Stores many receipts in one transaction (one durable commit for a whole
/// `getUpdates` batch). Returns how many were new.
pub async fn store_batch(conn: &mut Conn, receipts: &[NewReceipt<'_>]) -> R<usize> {
    crate::write(conn, async |conn| insert_all(conn, receipts).await).await
}

/// Stores the receipts that are new, in the caller's write transaction (on
/// PostgreSQL in one statement). Returns how many were new.
pub async fn insert_all(conn: &mut Conn, receipts: &[NewReceipt<'_>]) -> R<usize> {
    if let Conn::Pg(c) = conn {
        if receipts.is_empty() {
            return Ok(0);
        }
        return Ok(diesel::insert_into(processed_messages::table)
            .values(receipts)
            .on_conflict_do_nothing()
            .execute(&mut **c)
            .await?);
    }
    // SQLite has no DEFAULT in a multi-row VALUES (diesel inserts row by
    // row there); a statement costs no round trip on an embedded file.
    let mut new = 0;
    for r in receipts {
        if insert_new(conn, r).await? {
            new += 1;
        }
    }
    Ok(new)
}

/// Claims a message key for processing inside the caller's transaction:
/// inserts it (if no receipt was stored before) or marks the stored receipt
/// processed, clearing its payload (it is needed only until then, for
/// replay). Returns false when the key was already processed: a duplicate.
///
/// One statement, an upsert whose update only applies to an unprocessed
/// receipt (`ON CONFLICT DO UPDATE … WHERE processed_at IS NULL`): it
/// affects one row when the key is claimed, none for a duplicate. Under
/// READ COMMITTED a second transaction with the same key waits for the
/// first one's row lock and then sees `processed_at` set, so it is correct
/// on PostgreSQL too.
pub async fn claim(conn: &mut Conn, r: &NewReceipt<'_>, now: NaiveDateTime) -> R<bool> {
    use processed_messages::dsl as pm;
    let claimed = NewReceipt {
        processed_at: Some(now),
        payload: None,
        ..r.clone()
    };
    let n = dispatch!(conn, |c| {
        let upsert = diesel::insert_into(pm::processed_messages)
            .values(&claimed)
            .on_conflict(pm::message_id)
            .do_update()
            .set((pm::processed_at.eq(now), pm::payload.eq(None::<String>)));
        diesel::query_dsl::methods::FilterDsl::filter(upsert, pm::processed_at.is_null())
            .prepared()
            .execute(c)
            .await?
    });
    Ok(n == 1)
}

/// Receipts stored but not processed that were received before `before`,
/// oldest first, with a payload to replay.
pub async fn stale(conn: &mut Conn, before: NaiveDateTime, limit: i64) -> R<Vec<Receipt>> {
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

/// Marks a receipt processed without applying it (a poison update), and
/// clears its payload like [`claim`].
pub async fn give_up(conn: &mut Conn, key: &str, now: NaiveDateTime) -> R<()> {
    let _turn = conn.write_turn().await?;
    use processed_messages::dsl as pm;
    dispatch!(conn, |c| {
        diesel::update(
            pm::processed_messages
                .find(key)
                .filter(pm::processed_at.is_null()),
        )
        .set((pm::processed_at.eq(now), pm::payload.eq(None::<String>)))
        .prepared()
        .execute(c)
        .await?;
    });
    Ok(())
}

/// Deletes up to `limit` receipts processed before `before`, in one short
/// write transaction; returns how many. A receipt not processed
/// yet is never deleted, whatever its age: its update is still to be
/// applied. Nor is a `seed:` key: `radar seed` relies on its keys to change
/// nothing when run again, however much later.
///
/// A deleted key may be executed again if its update arrives again; so the
/// retention must be longer than Telegram keeps an undelivered update (24
/// hours).
pub async fn prune(conn: &mut Conn, before: NaiveDateTime, limit: i64) -> R<usize> {
    use processed_messages::dsl as pm;
    crate::write(conn, async |conn| {
        Ok(dispatch!(conn, |c| {
            let old = pm::processed_messages
                .filter(pm::processed_at.lt(before))
                .filter(pm::message_id.not_like("seed:%"));
            let keys: Vec<String> = old.select(pm::message_id).limit(limit).load(c).await?;
            if keys.is_empty() {
                0
            } else {
                diesel::delete(old.filter(pm::message_id.eq_any(&keys)))
                    .execute(c)
                    .await?
            }
        }))
    })
    .await
}

/// How many receipts are kept (the `radar_processed_messages` gauge).
pub async fn count(conn: &mut Conn) -> R<i64> {
    Ok(dispatch!(conn, |c| {
        processed_messages::table.count().get_result(c).await?
    }))
}

/// The write probe, inside the caller's write transaction: stores a receipt
/// and deletes it again. Committed, this proves that a receipt can be made
/// durable now (the pages reach the WAL and are synced); nothing is left
/// behind, and no other transaction ever sees the row.
pub async fn probe(conn: &mut Conn) -> R<()> {
    use processed_messages::dsl as pm;
    let key = format!("probe:{}", std::process::id());
    let receipt = NewReceipt {
        message_id: &key,
        update_id: None,
        chat_id: crate::ChatId(0),
        user_id: None,
        received_at: chrono::Utc::now().naive_utc(),
        processed_at: None,
        payload: None,
    };
    insert_new(conn, &receipt).await?;
    dispatch!(conn, |c| {
        diesel::delete(pm::processed_messages.find(&key))
            .execute(c)
            .await?;
    });
    Ok(())
}

/// The receipt of one message key.
#[cfg(feature = "test-support")]
pub async fn get(conn: &mut Conn, key: &str) -> R<Option<Receipt>> {
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

/// Which of `keys` are stored (claimed or received), e.g. the digests of
/// today already sent.
pub async fn existing(conn: &mut Conn, keys: &[String]) -> R<Vec<String>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    use processed_messages::dsl as pm;
    Ok(dispatch!(conn, |c| {
        pm::processed_messages
            .filter(pm::message_id.eq_any(keys))
            .select(pm::message_id)
            .load(c)
            .await?
    }))
}
