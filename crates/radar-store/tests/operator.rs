//! The store's operator tools on both backends: the one table list
//! (`tables.rs`) against migrated databases, `copy` in every direction with
//! ids, links and triggers kept, and the structural checks of `check`.

use radar_store::copy::{self, CopyError, Quiet};
use radar_store::test_support::{column_info, execute_script};
use radar_store::{Backend, check, tables};
use radar_testkit::{TestDb, both};

/// Fails while a table of a migrated database is unknown to `copy` and
/// `check` (or its columns differ): adding a table to the schema means
/// adding it to `crates/radar-store/src/tables.rs`.
async fn every_table_is_known(b: Backend) {
    let db = TestDb::new(b).await;
    let mut conn = db.pool().get().await.unwrap();
    let cols = column_info(&mut conn).await.unwrap();
    let mut live: Vec<String> = cols.iter().map(|c| c.table_name.clone()).collect();
    live.dedup();
    for t in &live {
        let known = tables::columns(t).unwrap_or_else(|| {
            panic!("table {t} is not in radar-store/src/tables.rs: copy and check do not know it")
        });
        let found: Vec<&str> = cols
            .iter()
            .filter(|c| &c.table_name == t)
            .map(|c| c.column_name.as_str())
            .collect();
        assert_eq!(found, known, "columns of {t} in tables.rs");
    }
    let mut listed: Vec<String> = tables::TABLES.iter().map(|t| t.to_string()).collect();
    listed.sort();
    assert_eq!(listed, live, "tables.rs lists exactly the migrated tables");
    // And a clean database passes the structural checks.
    assert_eq!(
        check::all(&db.url, &mut conn).await.unwrap(),
        vec![],
        "a freshly migrated database is clean"
    );
}
both!(every_table_is_known, every_table_is_known);

/// A small database with every table filled, an undo link and ids with gaps.
const FIXTURE: &str = "
INSERT INTO projects (id, name, name_key, description, status, next_feature_number, created_at, updated_at)
  VALUES (3, 'Apollo', 'apollo', 'moon', 'active', 3, '2026-12-01 10:00:00.123456', '2026-12-01 10:00:00.123456'),
         (7, 'Аполлон', 'аполлон', NULL, 'archived', 1, '2026-12-01 10:00:01', '2026-12-01 10:00:01');
INSERT INTO releases (id, project_id, version, target_date, status, created_at, updated_at, released_at)
  VALUES (5, 3, '2.1', '2026-12-24', 'planned', '2026-12-01 10:00:02', '2026-12-01 10:00:02', NULL);
INSERT INTO features (id, project_id, number, name, description, status, status_reason, assigned_teams, assigned_po, release_id, created_at, updated_at)
  VALUES (11, 3, 1, 'Login', NULL, 'blocked', 'waiting for keys', 'Core', 'Anna', 5, '2026-12-01 10:00:03', '2026-12-01 10:00:04'),
         (12, 3, 2, 'Оплата', 'деньги', 'backlog', NULL, NULL, NULL, NULL, '2026-12-01 10:00:03', '2026-12-01 10:00:03');
INSERT INTO event_log (id, correlation_id, user_id, project_id, action, entity_type, entity_id, details, \"timestamp\", created_at, reverts_event_id)
  VALUES (100, 'k1', 1, 3, 'update', 'feature', 11, '{}', '2026-12-01 10:00:05', '2026-12-01 10:00:05', NULL),
         (104, 'k2', 1, 3, 'undo', 'feature', 11, '{}', '2026-12-01 10:00:06', '2026-12-01 10:00:06', 100);
INSERT INTO user_context (user_id, active_project_id, updated_at) VALUES (1, 3, '2026-12-01 10:00:07');
INSERT INTO conversation_state (user_id, feature_id, release_id, project_id, last_command, updated_at)
  VALUES (1, 11, 5, 3, '/status 1 done', '2026-12-01 10:00:07');
INSERT INTO offered_actions (id, user_id, command, created_at, expires_at, used_at)
  VALUES (9, 1, '/feature 1', '2026-12-01 10:00:07', '2026-12-02 10:00:07', NULL);
INSERT INTO processed_messages (message_id, update_id, chat_id, user_id, received_at, processed_at, payload)
  VALUES ('1:10', 900, 1, 1, '2026-12-01 10:00:05', '2026-12-01 10:00:05', NULL),
         ('1:11', 901, 1, 1, '2026-12-01 10:00:06', NULL, '{\"update_id\":901}'),
         ('Z:1', NULL, 1, 1, '2026-12-01 10:00:06', NULL, NULL),
         ('a:1', NULL, 1, 1, '2026-12-01 10:00:06', NULL, NULL);
INSERT INTO outbox (id, chat_id, message_key, text, parse_mode, reply_markup, reply_to_message_id, created_at, sent_at, attempts, last_error, next_attempt_at, failed_at, edit_message_id)
  VALUES (40, 1, '1:10', 'done', 'HTML', NULL, 10, '2026-12-01 10:00:05', '2026-12-01 10:00:05', 1, NULL, NULL, NULL, NULL),
         (41, 1, '1:11', 'pending', NULL, '{\"inline_keyboard\":[]}', 11, '2026-12-01 10:00:06', NULL, 2, '5xx', '2026-12-01 10:00:09', NULL, 77);
INSERT INTO outbox_attachments (outbox_id, kind, file_name, bytes)
  VALUES (41, 'document', 'apollo.csv', 'id;name');
INSERT INTO user_settings (user_id, time_zone, language, digest_at, digest_language, updated_at)
  VALUES (1, 'Europe/Berlin', 'ru', '09:00:00', 'ru', '2026-12-01 10:00:07'),
         (2, NULL, NULL, NULL, NULL, '2026-12-01 10:00:08');
INSERT INTO names_versions (scope, version) VALUES (0, 42), (3, -7);
";

async fn copy_between(from: Backend, to: Backend) {
    let src = TestDb::new(from).await;
    let dst = TestDb::empty(to).await; // copy migrates it
    let mut s = src.pool().get().await.unwrap();
    execute_script(&mut s, FIXTURE).await.unwrap();
    let report = copy::copy(&src.url, &dst.url, &mut Quiet).await.unwrap();
    let expected = [
        ("projects", 2),
        ("releases", 1),
        ("features", 2),
        ("event_log", 2),
        ("user_context", 1),
        ("conversation_state", 1),
        ("offered_actions", 1),
        ("processed_messages", 4),
        ("outbox", 2),
        ("outbox_attachments", 1),
        ("user_settings", 2),
        ("names_versions", 2),
    ];
    let got: Vec<(&str, u64)> = report
        .tables
        .iter()
        .map(|t| (t.table, t.target.rows))
        .collect();
    assert_eq!(got, expected);
    let mut d = dst.pool().get().await.unwrap();
    assert_eq!(
        tables::checksums(&mut s).await.unwrap(),
        tables::checksums(&mut d).await.unwrap()
    );
    assert_eq!(check::all(&dst.url, &mut d).await.unwrap(), vec![]);

    // Ids and the undo link are kept.
    let events = radar_store::event_log::page(&mut d, radar_store::EventId(0), 10)
        .await
        .unwrap();
    let ids: Vec<(i64, Option<i64>)> = events
        .iter()
        .map(|e| (e.id.0, e.reverts_event_id.map(|r| r.0)))
        .collect();
    assert_eq!(ids, vec![(100, None), (104, Some(100))]);

    // The append-only triggers are in force on the target.
    for sql in [
        "UPDATE event_log SET details = 'x' WHERE id = 100",
        "DELETE FROM event_log WHERE id = 104",
    ] {
        let e = execute_script(&mut d, sql).await.unwrap_err();
        assert!(e.to_string().contains("append-only"), "{sql}: {e}");
    }
    if to == Backend::Postgres {
        let e = execute_script(&mut d, "TRUNCATE event_log CASCADE")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("append-only"), "{e}");
    }

    // New rows are numbered after the copied ones (sequences reset).
    execute_script(
        &mut d,
        "INSERT INTO projects (name, name_key, created_at, updated_at)
           VALUES ('New', 'new', '2026-12-02 00:00:00', '2026-12-02 00:00:00');
         INSERT INTO event_log (correlation_id, user_id, action, entity_type, entity_id, details, \"timestamp\", created_at)
           VALUES ('k3', 1, 'create', 'project', 8, '{}', '2026-12-02 00:00:00', '2026-12-02 00:00:00');
         INSERT INTO outbox (chat_id, text, created_at) VALUES (1, 'x', '2026-12-02 00:00:00');",
    )
    .await
    .unwrap();
    let after = radar_store::event_log::page(&mut d, radar_store::EventId(104), 10)
        .await
        .unwrap();
    assert_eq!(after[0].id.0, 105);

    // A second copy into the same (now non-empty) target is refused.
    let e = copy::copy(&src.url, &dst.url, &mut Quiet)
        .await
        .unwrap_err();
    assert!(matches!(e, CopyError::TargetNotEmpty(_)), "{e}");
    assert!(e.to_string().contains("projects: 3 rows"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_sqlite_to_postgres() {
    copy_between(Backend::Sqlite, Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_postgres_to_sqlite() {
    copy_between(Backend::Postgres, Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_sqlite_to_sqlite_and_postgres_to_postgres() {
    copy_between(Backend::Sqlite, Backend::Sqlite).await;
    copy_between(Backend::Postgres, Backend::Postgres).await;
}

/// The source's nanoseconds (SQLite keeps what it is given) arrive as
/// microseconds, PostgreSQL's precision, whichever the target; the
/// checksums compare at that precision.
async fn nanoseconds_become_microseconds(to: Backend) {
    let src = TestDb::new(Backend::Sqlite).await;
    let dst = TestDb::empty(to).await;
    let mut s = src.pool().get().await.unwrap();
    execute_script(
        &mut s,
        "INSERT INTO processed_messages (message_id, chat_id, received_at)
           VALUES ('k', 1, '2026-12-01 10:00:00.123456789')",
    )
    .await
    .unwrap();
    copy::copy(&src.url, &dst.url, &mut Quiet).await.unwrap();
    let mut d = dst.pool().get().await.unwrap();
    #[derive(diesel::QueryableByName)]
    struct At {
        #[diesel(sql_type = diesel::sql_types::Text)]
        at: String,
    }
    let got: Vec<At> = radar_store::dispatch!(&mut d, |c| {
        diesel_async::RunQueryDsl::load::<At>(
            diesel::sql_query("SELECT CAST(received_at AS TEXT) AS at FROM processed_messages"),
            c,
        )
        .await
        .unwrap()
    });
    assert_eq!(got[0].at, "2026-12-01 10:00:00.123456");
    // And the checksums agree: at microseconds, source and target are equal.
    assert_eq!(
        tables::checksums(&mut s).await.unwrap(),
        tables::checksums(&mut d).await.unwrap()
    );
}
both!(
    nanoseconds_become_microseconds,
    nanoseconds_become_microseconds
);

/// `check` names a dangling reference and a bad undo link, with ids.
async fn check_finds_broken_links(b: Backend) {
    let db = TestDb::new(b).await;
    let mut c = db.pool().get().await.unwrap();
    execute_script(&mut c, FIXTURE).await.unwrap();
    assert_eq!(check::all(&db.url, &mut c).await.unwrap(), vec![]);
    let off = match b {
        Backend::Sqlite => "PRAGMA foreign_keys = OFF;",
        Backend::Postgres => "SET session_replication_role = replica;",
    };
    let on = match b {
        Backend::Sqlite => "PRAGMA foreign_keys = ON;",
        Backend::Postgres => "SET session_replication_role = origin;",
    };
    execute_script(
        &mut c,
        &format!(
            "{off}
             INSERT INTO features (id, project_id, number, name, status, release_id, created_at, updated_at)
               VALUES (13, 3, 3, 'Ghost', 'backlog', 99, '2026-12-01 10:00:00', '2026-12-01 10:00:00');
             INSERT INTO event_log (id, correlation_id, user_id, project_id, action, entity_type, entity_id, details, \"timestamp\", created_at, reverts_event_id)
               VALUES (105, 'k3', 1, 3, 'undo', 'feature', 12, '{{}}', '2026-12-01 10:00:07', '2026-12-01 10:00:07', 100),
                      (106, 'k4', 1, 3, 'undo', 'feature', 11, '{{}}', '2026-12-01 10:00:08', '2026-12-01 10:00:08', 555);
             {on}"
        ),
    )
    .await
    .unwrap();
    let found: Vec<String> = check::all(&db.url, &mut c)
        .await
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        found,
        vec![
            "event_log id=106: reverts_event_id=555 refers to no row of event_log (id)".to_string(),
            "features id=13: release_id=99 refers to no row of releases (id)".to_string(),
            "event 105: reverts_event_id=100 names an event of another entity".to_string(),
            "event 106: reverts_event_id=555 names no event".to_string(),
        ]
    );
}
both!(check_finds_broken_links, check_finds_broken_links);

/// `check` names a missing trigger and a migration not applied.
async fn check_finds_schema_problems(b: Backend) {
    let db = TestDb::new(b).await;
    let mut c = db.pool().get().await.unwrap();
    let drop = match b {
        Backend::Sqlite => "DROP TRIGGER event_log_no_delete",
        Backend::Postgres => "ALTER TABLE event_log DISABLE TRIGGER event_log_no_truncate",
    };
    execute_script(&mut c, drop).await.unwrap();
    execute_script(&mut c, "CREATE TABLE stray (id BIGINT)")
        .await
        .unwrap();
    // The last migration reverted (it creates a table, names_versions).
    let mut applied = radar_store::migrate(&db.url, radar_store::MigrateOp::Status)
        .await
        .unwrap();
    let last = applied.pop().unwrap().version;
    radar_store::migrate(&db.url, radar_store::MigrateOp::Revert { all: false })
        .await
        .unwrap();
    let found: Vec<String> = check::all(&db.url, &mut c)
        .await
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    let trigger = match b {
        Backend::Sqlite => "event_log_no_delete",
        Backend::Postgres => "event_log_no_truncate",
    };
    assert_eq!(
        found,
        vec![
            format!("migration {last} is not applied (run `radar migrate run`)"),
            // The reverted migration's table.
            "table names_versions is missing".to_string(),
            "table stray is unknown to this version of radar".to_string(),
            format!("the append-only trigger {trigger} on event_log is missing or disabled"),
        ]
    );
}
both!(check_finds_schema_problems, check_finds_schema_problems);
