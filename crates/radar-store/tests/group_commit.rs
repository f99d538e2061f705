//! The group commit (`radar_store::group`), on both backends: jobs queued
//! while a group runs share the next one; a failing job loses only its own
//! writes; a group that cannot be committed loses all of them and tells
//! every caller so; nobody hears "done" before the commit.

use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use radar_store::group::{GroupCommit, GroupError};
use radar_store::processed_messages;
use radar_store::{Backend, Conn, StoreError, test_support};
use radar_testkit::TestDb;
use tokio::sync::Notify;

async fn insert(conn: &mut Conn, key: &str) -> Result<(), StoreError> {
    processed_messages::insert_all(conn, &[test_support::receipt(key, None)]).await?;
    Ok(())
}

async fn stored(db: &TestDb, key: &str) -> bool {
    let mut conn = db.pool().get().await.unwrap();
    processed_messages::get(&mut conn, key)
        .await
        .unwrap()
        .is_some()
}

/// Waits (on the queue's own counter, not on time) until `n` jobs wait.
async fn until_queued(group: &GroupCommit, n: usize) {
    for _ in 0..10_000 {
        if group.stats().queued.load(Relaxed) >= n {
            return;
        }
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    panic!(
        "{n} jobs never queued ({} did)",
        group.stats().queued.load(Relaxed)
    );
}

/// A first job holds the committer until `gate` opens, so that the jobs
/// submitted meanwhile form the next group together.
/// Returns once that job runs.
async fn hold(group: &GroupCommit, gate: Arc<Notify>) -> tokio::task::JoinHandle<()> {
    let group = group.clone();
    let started = Arc::new(Notify::new());
    let running = started.clone();
    let handle = tokio::spawn(async move {
        group
            .run(move |conn| {
                Box::pin(async move {
                    running.notify_one();
                    gate.notified().await;
                    insert(conn, "hold").await
                })
            })
            .await
            .unwrap();
    });
    started.notified().await;
    handle
}

async fn shares_and_isolates(backend: Backend) {
    let db = TestDb::new(backend).await;
    let group = GroupCommit::start(db.pool(), 1, 64);
    let gate = Arc::new(Notify::new());
    let first = hold(&group, gate.clone()).await;
    // Five jobs queue behind the held group; the third fails after writing.
    let jobs: Vec<_> = (0..5)
        .map(|i| {
            let group = group.clone();
            tokio::spawn(async move {
                group
                    .run(move |conn| {
                        Box::pin(async move {
                            let key = format!("job:{i}");
                            insert(conn, &key).await?;
                            if i == 2 {
                                // This job fails after two writes, on a statement the
                                // database refuses (on PostgreSQL that aborts the
                                // transaction until ROLLBACK TO SAVEPOINT).
                                insert(conn, "x").await?;
                                test_support::execute_script(
                                    conn,
                                    "INSERT INTO processed_messages (message_id, chat_id, received_at) \
                                     VALUES ('x', 1, '2026-01-01 00:00:00')",
                                )
                                .await?;
                            }
                            Ok::<_, StoreError>(i)
                        })
                    })
                    .await
            })
        })
        .collect();
    until_queued(&group, 5).await;
    gate.notify_one();
    first.await.unwrap();
    let mut results = Vec::new();
    for j in jobs {
        results.push(j.await.unwrap());
    }
    for (i, r) in results.iter().enumerate() {
        match (i, r) {
            (2, Err(GroupError::Failed(e))) => {
                assert!(
                    e.to_string().contains("UNIQUE") || e.to_string().contains("duplicate key"),
                    "{e}"
                )
            }
            (i, Ok(v)) => assert_eq!(*v, i),
            (i, other) => panic!("job {i}: {other:?}"),
        }
    }
    for i in [0, 1, 3, 4] {
        assert!(stored(&db, &format!("job:{i}")).await, "job {i} kept");
    }
    assert!(
        !stored(&db, "job:2").await,
        "the failed job's write rolled back"
    );
    assert!(!stored(&db, "x").await, "all of it");
    assert!(stored(&db, "hold").await);
    // The held job alone, then the five together.
    assert_eq!(group.stats().groups.load(Relaxed), 2);
    assert_eq!(group.stats().jobs.load(Relaxed), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_jobs_share_a_group_and_a_failure_is_its_own() {
    shares_and_isolates(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_jobs_share_a_group_and_a_failure_is_its_own() {
    shares_and_isolates(Backend::Postgres).await;
}

/// A group whose `COMMIT` fails (SQLite: a foreign key checked at commit,
/// `PRAGMA defer_foreign_keys`; PostgreSQL: the connection dies in a job)
/// keeps nothing, and each of its callers is told it was not committed.
async fn lost_group(backend: Backend) {
    let db = TestDb::new(backend).await;
    let group = GroupCommit::start(db.pool(), 1, 64);
    let gate = Arc::new(Notify::new());
    let first = hold(&group, gate.clone()).await;
    let spawn = |i: usize, poison: bool| {
        let group = group.clone();
        tokio::spawn(async move {
            group
                .run(move |conn| {
                    Box::pin(async move {
                        insert(conn, &format!("lost:{i}")).await?;
                        if poison {
                            let sql = match conn.backend() {
                                Backend::Sqlite => {
                                    "PRAGMA defer_foreign_keys = ON; \
                                     INSERT INTO user_context (user_id, active_project_id, updated_at) \
                                     VALUES (77, 999999, '2026-01-01 00:00:00')"
                                }
                                Backend::Postgres => "SELECT pg_terminate_backend(pg_backend_pid())",
                            };
                            // PostgreSQL: this job fails, and with it the group's connection.
                            let _ = test_support::execute_script(conn, sql).await;
                        }
                        Ok::<_, StoreError>(i)
                    })
                })
                .await
        })
    };
    let jobs = vec![spawn(0, false), spawn(1, true), spawn(2, false)];
    until_queued(&group, 3).await;
    gate.notify_one();
    first.await.unwrap();
    for (i, j) in jobs.into_iter().enumerate() {
        let r = j.await.unwrap();
        assert!(
            matches!(r, Err(GroupError::NotCommitted)),
            "job {i} of a lost group: {r:?}"
        );
        assert!(!stored(&db, &format!("lost:{i}")).await, "job {i} not kept");
    }
    // The committer goes on with the next group.
    let after = group
        .run(|conn| Box::pin(async move { insert(conn, "after").await }))
        .await;
    assert!(after.is_ok(), "{after:?}");
    assert!(stored(&db, "after").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_group_that_cannot_commit_keeps_nothing() {
    lost_group(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_group_that_cannot_commit_keeps_nothing() {
    lost_group(Backend::Postgres).await;
}
