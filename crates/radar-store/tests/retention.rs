//! Retention on both backends: old processed message keys, done replies and
//! expired offers are deleted in batches; young keys, keys whose update is
//! not processed yet, `seed:` keys and undelivered replies are kept; the
//! newest row of an id-keyed table is kept so SQLite never reuses an id.

use chrono::{Duration, NaiveDateTime, Utc};
use radar_store::offered_actions::{self, NewOffer};
use radar_store::outbox::{self, NewReply};
use radar_store::processed_messages::{self, NewReceipt};
use radar_store::{ChatId, Conn, UserId};
use radar_testkit::{TestDb, both, counts};

fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

fn receipt(
    key: &str,
    received_at: NaiveDateTime,
    processed_at: Option<NaiveDateTime>,
) -> NewReceipt<'_> {
    NewReceipt {
        message_id: key,
        update_id: None,
        chat_id: ChatId(1),
        user_id: Some(UserId(1)),
        received_at,
        processed_at,
        payload: Some("{}"),
    }
}

async fn exists(conn: &mut Conn, key: &str) -> bool {
    processed_messages::get(conn, key).await.unwrap().is_some()
}

both!(
    old_processed_keys_are_pruned_in_batches_and_nothing_else,
    |b| async move {
        let db = TestDb::new(b).await;
        let pool = db.pool();
        let mut conn = pool.get().await.unwrap();
        let now = now();
        let old = now - Duration::days(10);
        let cutoff = now - Duration::days(7);

        let keys: Vec<String> = (0..1200).map(|i| format!("1:{i}")).collect();
        let olds: Vec<NewReceipt> = keys.iter().map(|k| receipt(k, old, Some(old))).collect();
        processed_messages::store_batch(&mut conn, &olds)
            .await
            .unwrap();
        let kept = [
            // Processed an hour ago.
            receipt(
                "2:1",
                now - Duration::hours(1),
                Some(now - Duration::hours(1)),
            ),
            // Received long ago and never processed: its update is still to be applied.
            receipt("2:2", old, None),
            // Received long ago, processed just now (after an outage).
            receipt("2:3", old, Some(now)),
            // `radar seed` keys stay forever.
            receipt("seed:1", old, Some(old)),
        ];
        processed_messages::store_batch(&mut conn, &kept)
            .await
            .unwrap();
        assert_eq!(processed_messages::count(&mut conn).await.unwrap(), 1204);

        // Batch size honoured: 500, 500, 200, then nothing.
        let mut batches = Vec::new();
        loop {
            let n = processed_messages::prune(&mut conn, cutoff, 500)
                .await
                .unwrap();
            batches.push(n);
            if n == 0 {
                break;
            }
        }
        assert_eq!(batches, [500, 500, 200, 0]);
        assert_eq!(processed_messages::count(&mut conn).await.unwrap(), 4);
        for k in ["2:1", "2:2", "2:3", "seed:1"] {
            assert!(exists(&mut conn, k).await, "{k} is kept");
        }
        assert!(!exists(&mut conn, "1:0").await && !exists(&mut conn, "1:1199").await);

        // The unprocessed key still replays, and is pruned only once processed and old.
        let stale = processed_messages::stale(&mut conn, now, 10).await.unwrap();
        assert_eq!(stale.len(), 1);
        assert_eq!(stale[0].message_id, "2:2");
        processed_messages::give_up(&mut conn, "2:2", old)
            .await
            .unwrap();
        assert_eq!(
            processed_messages::prune(&mut conn, cutoff, 500)
                .await
                .unwrap(),
            1
        );
        assert!(!exists(&mut conn, "2:2").await);
    }
);

fn reply(
    chat: i64,
    key: &str,
    created_at: NaiveDateTime,
    sent_at: Option<NaiveDateTime>,
) -> NewReply {
    NewReply {
        chat_id: ChatId(chat),
        message_key: Some(key.to_string()),
        text: key.to_string(),
        parse_mode: None,
        reply_markup: None,
        reply_to_message_id: None,
        created_at,
        sent_at,
        edit_message_id: None,
    }
}

both!(done_replies_past_the_retention_are_pruned, |b| async move {
    let db = TestDb::new(b).await;
    let pool = db.pool();
    let mut conn = pool.get().await.unwrap();
    let now = now();
    let old = now - Duration::days(10);
    let cutoff = now - Duration::days(7);
    let mut rows: Vec<NewReply> = (0..30)
        .map(|i| reply(1, &format!("sent-old-{i}"), old, Some(old)))
        .collect();
    rows.push(reply(1, "failed-old", old, None));
    rows.push(reply(2, "unsent-old", old, None));
    rows.push(reply(1, "sent-young", now, Some(now)));
    rows.push(reply(3, "newest-sent-old", old, Some(old)));
    outbox::queue(&mut conn, &rows).await.unwrap();
    let failed = outbox::for_key(&mut conn, "failed-old").await.unwrap()[0].id;
    outbox::mark_failed(&mut conn, failed, old, "blocked")
        .await
        .unwrap();

    assert_eq!(
        outbox::prune(&mut conn, cutoff, 20).await.unwrap(),
        20,
        "one batch"
    );
    assert_eq!(outbox::prune(&mut conn, cutoff, 20).await.unwrap(), 11);
    assert_eq!(outbox::prune(&mut conn, cutoff, 20).await.unwrap(), 0);
    let left = |k: &'static str| {
        let pool = pool.clone();
        async move {
            let mut conn = pool.get().await.unwrap();
            outbox::for_key(&mut conn, k).await.unwrap().len()
        }
    };
    assert_eq!(left("sent-old-0").await + left("failed-old").await, 0);
    assert_eq!(left("unsent-old").await, 1, "an undelivered reply stays");
    assert_eq!(left("sent-young").await, 1);
    assert_eq!(left("newest-sent-old").await, 1, "the newest row stays");
    assert_eq!(outbox::backlog(&mut conn).await.unwrap(), 1);
    assert_eq!(counts(&pool).await.outbox, 3);
});

both!(
    expired_offers_are_pruned_and_ids_are_never_reused,
    |b| async move {
        let db = TestDb::new(b).await;
        let pool = db.pool();
        let mut conn = pool.get().await.unwrap();
        let now = now();
        let offer = |expires_at| NewOffer {
            user_id: UserId(7),
            command: "/features",
            created_at: now - Duration::days(2),
            expires_at,
        };
        let mut ids = Vec::new();
        for _ in 0..5 {
            ids.push(
                offered_actions::insert(&mut conn, &offer(now - Duration::hours(1)))
                    .await
                    .unwrap(),
            );
        }
        let live = offered_actions::insert(&mut conn, &offer(now + Duration::hours(1)))
            .await
            .unwrap();
        let newest_expired = offered_actions::insert(&mut conn, &offer(now - Duration::hours(1)))
            .await
            .unwrap();

        assert_eq!(offered_actions::prune(&mut conn, now, 3).await.unwrap(), 3);
        assert_eq!(offered_actions::prune(&mut conn, now, 3).await.unwrap(), 2);
        assert_eq!(offered_actions::prune(&mut conn, now, 3).await.unwrap(), 0);
        for id in &ids {
            assert!(
                offered_actions::get(&mut conn, *id)
                    .await
                    .unwrap()
                    .is_none()
            );
        }
        assert!(
            offered_actions::get(&mut conn, live)
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            offered_actions::get(&mut conn, newest_expired)
                .await
                .unwrap()
                .is_some(),
            "the newest offer is kept, so its id is never handed out again"
        );
        // A new offer gets a new id, not one a stale button may still carry.
        let next = offered_actions::insert(&mut conn, &offer(now + Duration::hours(1)))
            .await
            .unwrap();
        assert!(next > newest_expired && !ids.contains(&next));
    }
);

both!(the_write_probe_leaves_nothing_behind, |b| async move {
    let db = TestDb::new(b).await;
    let pool = db.pool();
    let before = counts(&pool).await;
    for _ in 0..3 {
        pool.probe_write().await.unwrap();
    }
    assert_eq!(counts(&pool).await, before);
    assert!(radar_store::health::wrote_within(
        std::time::Duration::from_secs(60)
    ));
});
