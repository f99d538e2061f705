//! Storage faults are "unavailable" (waited for, not given up), counted by
//! kind, and heal: after one, the pool reopens every connection opened
//! before it, so a connection that cannot write is not handed out again
//! and a write succeeds once the database can be written (at the latest on
//! the second attempt: a connection opened after the last fault while the
//! database was still broken fails once more, and that fault reopens it).
//! Without the reopening, both tests below fail at their last write (the
//! pool's only connection would stay broken).

use radar_store::processed_messages;
use radar_store::{Backend, Db, DbUrl, Fault, StoreError, health, test_support};
use radar_testkit::TestDb;

fn failures(kind: Fault) -> u64 {
    health::failures()
        .into_iter()
        .find(|(f, _)| *f == kind)
        .map_or(0, |(_, n)| n)
}

async fn store(pool: &Db, key: &str, payload: &str) -> Result<usize, StoreError> {
    let mut conn = pool.get().await?;
    processed_messages::store_batch(&mut conn, &[test_support::receipt(key, Some(payload))]).await
}

/// SQLITE_FULL, made with `PRAGMA max_page_count` on the pool's only
/// connection (a per-connection limit: a new connection has none).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_full_is_unavailable_and_the_connection_is_reopened() {
    let db = TestDb::new(Backend::Sqlite).await;
    let pool = Db::connect(&db.url, 1).unwrap();
    let big = "x".repeat(256 * 1024);
    let full_before = failures(Fault::Full);
    {
        let mut conn = pool.get().await.unwrap();
        test_support::execute_script(&mut conn, "PRAGMA max_page_count = 1")
            .await
            .unwrap();
        let e =
            processed_messages::store_batch(&mut conn, &[test_support::receipt("1:1", Some(&big))])
                .await
                .unwrap_err();
        assert_eq!(e.fault(), Some(Fault::Full), "{e}");
        assert!(e.is_unavailable() && e.is_transient(), "{e}");
    }
    assert!(failures(Fault::Full) > full_before, "counted as full");
    assert_eq!(
        store(&pool, "1:1", &big).await.unwrap(),
        1,
        "stored on a fresh connection"
    );
}

/// A PostgreSQL that turned read-only (as after a failover onto a standby):
/// the pool's connection is replaced once it is writable again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_read_only_is_unavailable_and_connections_are_reopened() {
    let db = TestDb::new(Backend::Postgres).await;
    let DbUrl::Postgres(url) = &db.url else {
        unreachable!()
    };
    let name = url.rsplit('/').next().unwrap().to_string();
    let admin = db.pool();
    let mut admin = admin.get().await.unwrap();
    test_support::execute_script(
        &mut admin,
        &format!("ALTER DATABASE {name} SET default_transaction_read_only = on"),
    )
    .await
    .unwrap();

    let pool = Db::connect(&db.url, 1).unwrap();
    let read_only_before = failures(Fault::ReadOnly);
    let e = store(&pool, "1:1", "{}").await.unwrap_err();
    assert_eq!(e.fault(), Some(Fault::ReadOnly), "{e}");
    assert!(e.is_unavailable(), "{e}");
    assert!(failures(Fault::ReadOnly) > read_only_before);
    assert!(pool.probe_write().await.is_err(), "the probe sees it too");
    assert!(pool.ping().await.is_ok(), "while SELECT 1 does not");

    test_support::execute_script(
        &mut admin,
        &format!("ALTER DATABASE {name} RESET default_transaction_read_only"),
    )
    .await
    .unwrap();
    // The connection `ping` opened (after the last fault, while the database
    // was still read-only) may fail once more; that fault reopens it.
    let mut attempts = 0;
    let stored = loop {
        attempts += 1;
        match store(&pool, "1:1", "{}").await {
            Ok(n) => break n,
            Err(e) if attempts < 2 => assert_eq!(e.fault(), Some(Fault::ReadOnly), "{e}"),
            Err(e) => panic!("still failing after {attempts} attempts: {e}"),
        }
    };
    assert_eq!(stored, 1);
    pool.probe_write().await.unwrap();
}
