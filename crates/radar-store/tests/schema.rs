//! The schema on both backends: migrations are reversible, `src/schema.rs`
//! agrees with the databases, and the event log is append-only.

use std::collections::BTreeSet;

use chrono::Utc;
use diesel_async::RunQueryDsl;
use radar_store::event_log::{self, NewEvent};
use radar_store::projects::{self, NewProject};
use radar_store::{
    Action, Backend, EntityKind, MigrateOp, ProjectStatus, UserId, dispatch, migrate, test_support,
};
use radar_testkit::{TestDb, both, counts};

async fn dump(db: &TestDb) -> Vec<String> {
    let mut conn = db.pool().get().await.unwrap();
    test_support::schema_dump(&mut conn).await.unwrap()
}

both!(
    migrations_run_revert_run_leaves_identical_schema,
    |b| async move {
        let db = TestDb::empty(b).await;
        let status = migrate(&db.url, MigrateOp::Status).await.unwrap();
        assert!(!status.is_empty() && status.iter().all(|s| !s.applied));
        let dry = migrate(&db.url, MigrateOp::Run { dry_run: true })
            .await
            .unwrap();
        assert!(dry.iter().all(|s| !s.applied), "a dry run applies nothing");
        assert!(dump(&db).await.is_empty(), "a dry run creates nothing");

        let applied = migrate(&db.url, MigrateOp::Run { dry_run: false })
            .await
            .unwrap();
        assert!(applied.iter().all(|s| s.applied));
        let first = dump(&db).await;
        assert!(first.iter().any(|l| l.contains("event_log")), "{first:?}");

        let reverted = migrate(&db.url, MigrateOp::Revert { all: true })
            .await
            .unwrap();
        assert!(reverted.iter().all(|s| !s.applied));
        assert!(
            dump(&db).await.is_empty(),
            "revert --all removes everything"
        );

        migrate(&db.url, MigrateOp::Run { dry_run: false })
            .await
            .unwrap();
        assert_eq!(
            dump(&db).await,
            first,
            "run → revert all → run gives the same schema"
        );

        // Revert one step at a time, then run again.
        migrate(&db.url, MigrateOp::Revert { all: false })
            .await
            .unwrap();
        migrate(&db.url, MigrateOp::Run { dry_run: false })
            .await
            .unwrap();
        assert_eq!(dump(&db).await, first);
        // Running again is a no-op.
        migrate(&db.url, MigrateOp::Run { dry_run: false })
            .await
            .unwrap();
        assert_eq!(dump(&db).await, first);
    }
);

/// Parses `src/schema.rs`: (table, column, nullable).
fn schema_rs() -> BTreeSet<(String, String, bool)> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/schema.rs")).unwrap();
    let mut out = BTreeSet::new();
    let mut table: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if line.ends_with('{') && line.contains('(') && !line.starts_with("diesel::") {
            table = line.split_whitespace().next().map(str::to_string);
        } else if line == "}" {
            table = None;
        } else if let (Some(t), Some((col, ty))) = (&table, line.split_once("->")) {
            let ty = ty.trim().trim_end_matches(',');
            out.insert((
                t.clone(),
                col.trim().to_string(),
                ty.starts_with("Nullable<"),
            ));
        }
    }
    out
}

both!(schema_rs_agrees_with_the_database, |b| async move {
    let db = TestDb::new(b).await;
    let mut conn = db.pool().get().await.unwrap();
    let actual: BTreeSet<_> = test_support::columns(&mut conn)
        .await
        .unwrap()
        .into_iter()
        .collect();
    let declared = schema_rs();
    assert_eq!(
        declared.len(),
        75,
        "the parser read every column of schema.rs"
    );
    let missing: Vec<_> = declared.difference(&actual).collect();
    let extra: Vec<_> = actual.difference(&declared).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "schema.rs vs database: only in schema.rs {missing:?}; only in the database {extra:?}"
    );
});

both!(event_log_is_append_only, |b| async move {
    let db = TestDb::new(b).await;
    let pool = db.pool();
    let mut conn = pool.get().await.unwrap();
    let now = Utc::now().naive_utc();
    let p = projects::insert(
        &mut conn,
        &NewProject {
            name: "Apollo",
            name_key: "apollo",
            description: None,
            status: ProjectStatus::Active,
            created_at: now,
            updated_at: now,
        },
    )
    .await
    .unwrap();
    let event = |key: &'static str| NewEvent {
        correlation_id: key,
        user_id: UserId(1),
        project_id: Some(p.id),
        action: Action::Create,
        entity_type: EntityKind::Project,
        entity_id: p.id.0,
        details: "{}",
        timestamp: now,
        created_at: now,
        reverts_event_id: None,
    };
    event_log::append(&mut conn, &event("1:1")).await.unwrap();
    let before = counts(&pool).await.events;
    assert_eq!(before, 1);
    let mut attempts = vec![
        "UPDATE event_log SET action = 'forged'",
        "DELETE FROM event_log",
        "UPDATE event_log SET details = '{}' WHERE id = 1",
    ];
    if b == Backend::Postgres {
        attempts.push("TRUNCATE event_log");
        attempts.push("TRUNCATE event_log CASCADE");
    }
    for sql in attempts {
        let r = dispatch!(&mut conn, |c| diesel::sql_query(sql).execute(c).await);
        let err = r.expect_err(sql).to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    if b == Backend::Postgres {
        // Even with replication role (which skips ordinary triggers).
        let r = dispatch!(&mut conn, |c| {
            diesel::sql_query("SET session_replication_role = replica")
                .execute(c)
                .await
                .unwrap();
            let r = diesel::sql_query("DELETE FROM event_log").execute(c).await;
            diesel::sql_query("SET session_replication_role = DEFAULT")
                .execute(c)
                .await
                .unwrap();
            r
        });
        assert!(r.is_err());
    }
    assert_eq!(counts(&pool).await.events, before);
    event_log::append(&mut conn, &event("1:2"))
        .await
        .expect("appending still works");
    assert_eq!(counts(&pool).await.events, before + 1);
});

#[derive(diesel::QueryableByName)]
struct TextRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    v: String,
}

both!(durability_settings, |b| async move {
    let db = TestDb::new(b).await;
    let mut conn = db.pool().get().await.unwrap();
    let checks: &[(&str, &str)] = match b {
        Backend::Sqlite => &[
            (
                "SELECT CAST(journal_mode AS TEXT) AS v FROM pragma_journal_mode",
                "wal",
            ),
            (
                "SELECT CAST(synchronous AS TEXT) AS v FROM pragma_synchronous",
                "2",
            ),
            (
                "SELECT CAST(foreign_keys AS TEXT) AS v FROM pragma_foreign_keys",
                "1",
            ),
            (
                "SELECT CAST(timeout AS TEXT) AS v FROM pragma_busy_timeout",
                "5000",
            ),
        ],
        Backend::Postgres => &[
            (
                "SELECT setting AS v FROM pg_settings WHERE name = 'synchronous_commit'",
                "on",
            ),
            (
                "SELECT setting AS v FROM pg_settings WHERE name = 'fsync'",
                "on",
            ),
        ],
    };
    for (sql, expected) in checks {
        let rows: Vec<TextRow> = dispatch!(&mut conn, |c| diesel::sql_query(*sql)
            .load(c)
            .await
            .unwrap());
        assert_eq!(rows[0].v.to_lowercase(), *expected, "{sql}");
    }
});

/// Four processes starting at once on an empty PostgreSQL database: the
/// advisory lock lets one migrate while the others wait, and all succeed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_migrations_take_turns_on_postgres() {
    let db = TestDb::empty(Backend::Postgres).await;
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let url = db.url.clone();
            tokio::spawn(async move { migrate(&url, MigrateOp::Run { dry_run: false }).await })
        })
        .collect();
    for r in runs {
        let states = r.await.unwrap().expect("every concurrent run succeeds");
        assert!(states.iter().all(|s| s.applied));
    }
    assert!(!dump(&db).await.is_empty());
}
