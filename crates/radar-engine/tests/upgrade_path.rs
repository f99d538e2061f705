//! Schema evolution, proven: on both backends, a database is created at
//! each earlier migration (every folder of `migrations/<backend>` but the
//! last), filled the way that release wrote it (raw SQL INSERTs matching
//! that migration's schema: the legacy events of `fixtures/events-v0.sql`,
//! a second project with a month of legacy status changes,
//! `fixtures/events-v0-flow.sql`, and rows of every other table that
//! migration had), then migrated to today. Every row is kept (counts of
//! every table and a few values), the schema is that of a fresh database,
//! and today's engine reads and undoes the old events: "what changed"
//! renders as the old release did, undo reverts old events, `/stats` and
//! the burn-up compute the hand-computed figures of the flow fixture (in
//! English and Russian). Last, `migrate revert --all` then `run` on the
//! upgraded database gives the same schema dump again.

mod common;

use chrono::{NaiveDate, TimeZone, Utc};
use common::{Chat, setup_with};
use radar_engine::{Clock, EngineConfig, Lang, insights};
use radar_store::test_support::{self, Counts};
use radar_store::{Backend, MigrateOp, ProjectId, migrate};
use radar_testkit::{TestDb, both};

const V0: &str = include_str!("fixtures/events-v0.sql");
const FLOW: &str = include_str!("fixtures/events-v0-flow.sql");
const GOLDEN: &str = include_str!("fixtures/golden.txt");

/// Tables and the migration (its sequence number) that created them.
const TABLES: [(&str, u32); 11] = [
    ("projects", 1),
    ("releases", 1),
    ("features", 1),
    ("event_log", 1),
    ("user_context", 1),
    ("processed_messages", 1),
    ("outbox", 1),
    ("conversation_state", 2),
    ("offered_actions", 2),
    ("outbox_attachments", 6),
    ("user_settings", 7),
];

/// The sequence number of a migration folder (`2026-12-01-000004_outbox_edit` → 4).
fn seq(name: &str) -> u32 {
    name.split('_')
        .next()
        .and_then(|p| p.rsplit('-').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("migration name {name}"))
}

/// Rows of the tables other than the event log's fixtures, as a release at
/// migration `n` wrote them (each only once its table or column exists).
fn other_rows(n: u32, b: Backend) -> String {
    let mut sql = String::from(
        "INSERT INTO processed_messages (message_id,update_id,chat_id,user_id,received_at,processed_at,payload) \
           VALUES ('tg:1:100', 100, 1, 1, '2026-11-30 15:50:55', NULL, '{\"update_id\":100}');\n",
    );
    // Migration 5 clears the payloads of processed updates; a release from
    // then on no longer kept them.
    let kept = if n < 5 {
        "'{\"update_id\":99}'"
    } else {
        "NULL"
    };
    sql.push_str(&format!(
        "INSERT INTO processed_messages (message_id,update_id,chat_id,user_id,received_at,processed_at,payload) \
           VALUES ('tg:1:99', 99, 1, 1, '2026-11-30 15:50:54', '2026-11-30 15:50:55', {kept});\n"
    ));
    sql.push_str(
        "INSERT INTO outbox (id,chat_id,message_key,text,parse_mode,reply_markup,reply_to_message_id,created_at,sent_at,attempts) \
           VALUES (1, 1, 'tg:1:99', 'an old reply', 'HTML', NULL, 99, '2026-11-30 15:50:55', '2026-11-30 15:50:56', 1);\n",
    );
    if n >= 2 {
        sql.push_str(
            "INSERT INTO conversation_state (user_id,feature_id,release_id,project_id,last_command,updated_at) \
               VALUES (1, 1, 1, 1, '/status 1 done', '2026-11-30 15:50:55');\n\
             INSERT INTO offered_actions (user_id,command,created_at,expires_at,used_at) \
               VALUES (1, '/feature 2', '2026-11-30 15:50:55', '2026-12-01 15:50:55', NULL);\n",
        );
    }
    if n >= 4 {
        sql.push_str(
            "INSERT INTO outbox (id,chat_id,message_key,text,created_at,attempts,edit_message_id) \
               VALUES (2, 1, 'tg:cb:7', 'an edited page', '2026-11-30 15:50:57', 0, 42);\n",
        );
    }
    if n >= 6 {
        let bytes = match b {
            Backend::Sqlite => "X'EFBBBF612C620A'",
            Backend::Postgres => "'\\xefbbbf612c620a'::bytea",
        };
        sql.push_str(&format!(
            "INSERT INTO outbox (id,chat_id,message_key,text,created_at,attempts) \
               VALUES (3, 1, 'tg:1:98', 'an export', '2026-11-30 15:50:58', 0);\n\
             INSERT INTO outbox_attachments (outbox_id,kind,file_name,bytes) \
               VALUES (3, 'document', 'old.csv', {bytes});\n"
        ));
    }
    if n >= 7 {
        sql.push_str(
            "INSERT INTO user_settings (user_id,time_zone,language,digest_at,digest_language,updated_at) \
               VALUES (4, 'Europe/Berlin', 'ru', '09:00:00', 'ru', '2026-11-30 15:50:55');\n",
        );
    }
    sql
}

/// Row counts of every table that exists at migration `n`.
async fn rows(db: &TestDb, n: u32) -> Vec<(&'static str, i64)> {
    let mut conn = db.pool().get().await.unwrap();
    let mut out = Vec::new();
    for (t, since) in TABLES {
        if since <= n {
            out.push((t, test_support::table_rows(&mut conn, t).await.unwrap()));
        }
    }
    out
}

async fn dump(db: &TestDb) -> Vec<String> {
    let mut conn = db.pool().get().await.unwrap();
    test_support::schema_dump(&mut conn).await.unwrap()
}

async fn text(db: &TestDb, sql: &str) -> Vec<Option<String>> {
    let mut conn = db.pool().get().await.unwrap();
    test_support::text_column(&mut conn, sql).await.unwrap()
}

fn golden_changes() -> String {
    GOLDEN
        .split("-----\n")
        .next()
        .unwrap()
        .trim_end()
        .to_string()
}

/// Creates a database at migration `name`, fills it, upgrades it and checks
/// everything; `fresh` is the schema dump of a database migrated from scratch.
async fn upgrade_from(b: Backend, name: &str, fresh: &[String]) {
    let n = seq(name);
    let db = TestDb::empty(b).await;
    test_support::migrate_to(&db.url, name).await.unwrap();
    let status = migrate(&db.url, MigrateOp::Status).await.unwrap();
    assert!(
        status
            .iter()
            .all(|s| s.applied == (s.version.as_str() <= name)),
        "{name}: {status:?}"
    );
    {
        let mut conn = db.pool().get().await.unwrap();
        let script = format!("{V0}\n{FLOW}\n{}", other_rows(n, b));
        test_support::execute_script(&mut conn, &script)
            .await
            .unwrap_or_else(|e| panic!("{name}: the old rows load: {e}"));
        test_support::reset_sequences(&mut conn).await.unwrap();
    }
    let before = rows(&db, n).await;
    let before_counts = radar_testkit::counts(&db.pool()).await;
    assert_eq!(
        before_counts,
        Counts {
            projects: 3,
            features: 8,
            releases: 2,
            events: 36 + 21,
            contexts: 3,
            processed: 2,
            outbox: if n >= 6 {
                3
            } else if n >= 4 {
                2
            } else {
                1
            },
            outbox_unsent: if n >= 6 {
                2
            } else if n >= 4 {
                1
            } else {
                0
            },
        },
        "{name}: the fixture as loaded"
    );

    let upgraded = migrate(&db.url, MigrateOp::Run { dry_run: false })
        .await
        .unwrap();
    assert!(upgraded.iter().all(|s| s.applied), "{name}: {upgraded:?}");
    assert_eq!(
        dump(&db).await,
        fresh,
        "{name}: upgraded schema = fresh schema"
    );

    // Every row kept.
    let after = rows(&db, n).await;
    assert_eq!(after, before, "{name}: rows per table after the upgrade");
    assert_eq!(radar_testkit::counts(&db.pool()).await, before_counts);
    // A few values.
    assert_eq!(
        text(&db, "SELECT name AS v FROM projects ORDER BY id").await,
        ["Apollo", "Gemini", "Zephyr"].map(|s| Some(s.to_string())),
        "{name}"
    );
    assert_eq!(
        text(
            &db,
            "SELECT name || ' ' || status || ' ' || COALESCE(status_reason, '-') AS v FROM features WHERE project_id = 10 ORDER BY number"
        )
        .await,
        [
            "Alpha done -",
            "Beta done -",
            "Gamma done -",
            "Delta in_progress -",
            "Epsilon blocked waiting for keys"
        ]
        .map(|s| Some(s.to_string())),
        "{name}"
    );
    assert_eq!(
        text(
            &db,
            "SELECT version || ' ' || CAST(target_date AS TEXT) AS v FROM releases ORDER BY id"
        )
        .await,
        ["1.2 2026-12-01", "3.0 2026-12-20"].map(|s| Some(s.to_string())),
        "{name}"
    );
    assert_eq!(
        text(
            &db,
            "SELECT details AS v FROM event_log WHERE id IN (17, 118) ORDER BY id"
        )
        .await,
        [
            r#"{"after":{"status":"done","status_reason":null},"before":{"status":"in_progress","status_reason":null},"ref":{"name":"Login","number":1}}"#,
            r#"{"after":{"status":"in_progress","status_reason":null},"before":{"status":"done","status_reason":null},"ref":{"name":"Gamma","number":3},"undoes":"update"}"#,
        ]
        .map(|s| Some(s.to_string())),
        "{name}: old events verbatim"
    );
    assert_eq!(
        text(
            &db,
            "SELECT payload AS v FROM processed_messages ORDER BY message_id"
        )
        .await,
        [
            Some(r#"{"update_id":100}"#.to_string()),
            None // processed: its payload is forgotten (migration 5)
        ],
        "{name}: a pending update keeps its payload"
    );
    if n >= 4 {
        assert_eq!(
            text(
                &db,
                "SELECT text || ' ' || CAST(edit_message_id AS TEXT) AS v FROM outbox WHERE id = 2"
            )
            .await,
            [Some("an edited page 42".to_string())]
        );
    }
    if n >= 6 {
        let mut conn = db.pool().get().await.unwrap();
        let f = radar_store::outbox_attachments::of_reply(&mut conn, radar_store::OutboxId(3))
            .await
            .unwrap()
            .expect("the old attachment");
        assert_eq!(f.bytes, b"\xEF\xBB\xBFa,b\n");
    }

    // Today's engine on the old events.
    let clock = Clock::fixed(Utc.with_ymd_and_hms(2026, 11, 30, 18, 0, 0).unwrap());
    let (e, pool) = setup_with(
        &db,
        EngineConfig {
            clock: clock.clone(),
            ..EngineConfig::default()
        },
    );
    let mut one = Chat::new(&e, &pool, 1, Lang::En);
    assert_eq!(
        one.say("/changes since 2026-11-01").await,
        golden_changes(),
        "{name}: \"what changed\" renders as the old release did"
    );
    let r = one.say("/undo").await;
    assert!(r.contains("project Gemini: created"), "{name}: {r}");

    let mut three = Chat::new(&e, &pool, 3, Lang::En);
    let stats = three.reply("/stats").await;
    three.check_context(&stats).await;
    let stats = stats.plain();
    for expected in [
        "Flow of Zephyr in the last 28 days (2026-11-02 – 2026-11-30)",
        "Done: 3 features (0.8 a week)",
        "Per ISO week: W45 (2026-11-02): 1 · W46 (2026-11-09): 1 · W47 (2026-11-16): 1 · W48 (2026-11-23): 0 · W49 (2026-11-30): 0",
        "Cycle time: median 2 d, 85th percentile 6.5 d (over 3 features)",
        "In progress now: 1",
        "Blocked now: 1",
        "⛔ #5 Epsilon — 7 d (waiting for keys)",
        "🚀 3.0: 2/3 done · target 2026-12-20 · forecast: done by 2026-12-10",
    ] {
        assert!(
            stats.contains(expected),
            "{name}: missing {expected:?} in:\n{stats}"
        );
    }
    let week = three.say("/stats this week").await;
    assert!(week.contains("Done: 0 features"), "{name}: {week}");

    let mut conn = pool.get().await.unwrap();
    let rel = radar_store::releases::by_version(&mut conn, ProjectId(10), "3.0")
        .await
        .unwrap()
        .unwrap();
    let burn = insights::burnup(&mut conn, ProjectId(10), &rel, clock.now(), chrono_tz::UTC)
        .await
        .unwrap();
    drop(conn);
    let d = |day| NaiveDate::from_ymd_opt(2026, 11, day).unwrap();
    assert_eq!(burn.start, d(2), "{name}");
    for (day, v) in [
        (2, (3, 0)),
        (5, (3, 1)),
        (10, (3, 2)),
        (11, (3, 2)),
        (30, (3, 2)),
    ] {
        assert_eq!(burn.on(d(day)), Some(v), "{name}: burn-up on {day} Nov");
    }
    let chart = three.reply("/chart 3.0").await;
    let m = &chart.messages[0];
    assert!(m.file.is_some(), "{name}: a picture");
    assert!(
        m.plain().contains(
            "📈 Burn-up of release 3.0 since 2026-11-02: 2 of 3 done · target 2026-12-20"
        ),
        "{name}: {}",
        m.plain()
    );

    // Undo of an old status change; the metrics follow.
    let r = three.say("/undo").await;
    assert!(
        r.contains("#5 Epsilon: status backlog → blocked, reason — → waiting for keys"),
        "{name}: {r}"
    );
    let stats = three.say("/stats").await;
    assert!(stats.contains("Blocked now: none"), "{name}: {stats}");
    let r = three.say("/feature 5").await;
    assert!(r.contains("backlog"), "{name}: {r}");

    // Russian.
    let mut ru = Chat::new(&e, &pool, 3, Lang::Ru);
    let stats = ru.say("статистика").await;
    for expected in [
        "Готово: 3 фичи (0,8 в неделю)",
        "Время цикла: медиана 2 дн., 85-й перцентиль 6,5 дн. (по 3 фичам)",
        "В работе сейчас: 1",
        "🚀 3.0: готово 2/3 · срок 20.12.2026 · прогноз: готов к 10.12.2026",
    ] {
        assert!(
            stats.contains(expected),
            "{name}: missing {expected:?} in:\n{stats}"
        );
    }
    let changes = ru.say("что изменилось с 2026-11-10").await;
    assert!(
        changes.contains("#3 Gamma") && changes.contains("отменено"),
        "{name}: {changes}"
    );
    drop(pool);

    // Revert everything, run again: the same schema.
    let reverted = migrate(&db.url, MigrateOp::Revert { all: true })
        .await
        .unwrap();
    assert!(reverted.iter().all(|s| !s.applied), "{name}");
    assert!(
        dump(&db).await.is_empty(),
        "{name}: revert --all leaves nothing"
    );
    migrate(&db.url, MigrateOp::Run { dry_run: false })
        .await
        .unwrap();
    assert_eq!(dump(&db).await, fresh, "{name}: revert --all then run");
}

both!(
    every_earlier_migration_upgrades_keeping_rows_and_meaning,
    |b| async move {
        let fresh_db = TestDb::new(b).await;
        let fresh = dump(&fresh_db).await;
        let names: Vec<String> = migrate(&fresh_db.url, MigrateOp::Status)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.version)
            .collect();
        drop(fresh_db);
        assert!(names.len() >= 7, "{names:?}");
        assert_eq!(seq(&names[0]), 1);
        // Every earlier migration: all but the newest.
        for name in &names[..names.len() - 1] {
            upgrade_from(b, name, &fresh).await;
        }
    }
);

#[test]
fn migration_names_carry_their_sequence() {
    assert_eq!(seq("2026-12-01-000004_outbox_edit"), 4);
}
