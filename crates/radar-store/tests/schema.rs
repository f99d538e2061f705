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

mod diesel_view;

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

/// The file `diesel print-schema` writes for a backend (diesel.toml,
/// diesel_sqlite.toml): what the database reports, in diesel's types.
fn backend_schema_file(b: Backend) -> std::path::PathBuf {
    let name = match b {
        Backend::Postgres => "postgres.rs",
        Backend::Sqlite => "sqlite.rs",
    };
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schema")
        .join(name)
}

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Where a view and the database part ways, one line each.
fn differences(file: &diesel_view::View, db: &diesel_view::View) -> Vec<String> {
    let mut out = Vec::new();
    let names: BTreeSet<&String> = file.tables.keys().chain(db.tables.keys()).collect();
    for name in names {
        match (file.tables.get(name), db.tables.get(name)) {
            (Some(_), None) => out.push(format!("table {name}: only in the file")),
            (None, Some(_)) => out.push(format!("table {name}: only in the database")),
            (Some(f), Some(d)) if f != d => {
                if f.pk != d.pk {
                    out.push(format!(
                        "table {name}: primary key {:?} in the file, {:?} in the database",
                        f.pk, d.pk
                    ));
                }
                let show = |c: &diesel_view::Column| {
                    let ty = if c.nullable {
                        format!("Nullable<{}>", c.ty)
                    } else {
                        c.ty.clone()
                    };
                    format!("{} -> {ty}", c.name)
                };
                let (fc, dc) = (&f.columns, &d.columns);
                for c in fc.iter().filter(|c| !dc.iter().any(|o| o.name == c.name)) {
                    out.push(format!("{name}.{}: only in the file", c.name));
                }
                for c in dc.iter().filter(|c| !fc.iter().any(|o| o.name == c.name)) {
                    out.push(format!("{name}.{}: only in the database", c.name));
                }
                for c in fc {
                    if let Some(o) = dc.iter().find(|o| o.name == c.name && *o != c) {
                        out.push(format!(
                            "{name}: {} in the file, {} in the database",
                            show(c),
                            show(o)
                        ));
                    }
                }
                let order = |cs: &[diesel_view::Column]| {
                    cs.iter().map(|c| c.name.clone()).collect::<Vec<_>>()
                };
                if out.is_empty() && order(fc) != order(dc) {
                    out.push(format!(
                        "table {name}: columns in another order: {:?} in the file, {:?} in the database",
                        order(fc),
                        order(dc)
                    ));
                }
            }
            _ => {}
        }
    }
    for j in file.joins.symmetric_difference(&db.joins) {
        let side = if file.joins.contains(j) {
            "the file"
        } else {
            "the database"
        };
        out.push(format!("joinable {j:?}: only in {side}"));
    }
    out
}

/// The parser read every `table!` and every column line of a schema file.
fn assert_parsed_whole(text: &str, view: &diesel_view::View) {
    let tables = text.matches("table! {").count();
    let columns = text
        .lines()
        .filter(|l| l.starts_with("        ") && l.contains(" -> "))
        .count();
    assert!(tables > 0);
    assert_eq!(view.tables.len(), tables, "tables read");
    assert_eq!(
        view.tables.values().map(|t| t.columns.len()).sum::<usize>(),
        columns,
        "columns read"
    );
}

// schema/{postgres,sqlite}.rs (what the diesel CLI writes after `diesel
// migration run`) agree with what the migrated database reports. With
// RADAR_BLESS_SCHEMA=1 the test writes the file from the database instead,
// in the CLI's format (for when the CLI is not installed).
both!(
    backend_schema_file_agrees_with_the_database,
    |b| async move {
        let db = TestDb::new(b).await;
        let mut conn = db.pool().get().await.unwrap();
        let actual = diesel_view::of_database(&mut conn).await;
        let path = backend_schema_file(b);
        if std::env::var_os("RADAR_BLESS_SCHEMA").is_some() {
            std::fs::write(&path, diesel_view::print(&actual)).unwrap();
        }
        let text = read(&path);
        let file = diesel_view::parse(&text);
        assert_parsed_whole(&text, &file);
        let diff = differences(&file, &actual);
        assert!(
            diff.is_empty(),
            "{} disagrees with a migrated {b:?} database; run the migrations with the diesel CLI \
         (README: Changing the schema) or RADAR_BLESS_SCHEMA=1 cargo test -p radar-store --test schema:\n{}",
            path.display(),
            diff.join("\n")
        );
    }
);

// src/schema.rs, the one portable schema the code is compiled against,
// agrees with both databases: the same tables, primary keys, joinables,
// and columns with the same nullability and the same type (PostgreSQL's
// Int8 is BigInt, Int4 is Integer).
both!(portable_schema_agrees_with_the_database, |b| async move {
    let db = TestDb::new(b).await;
    let mut conn = db.pool().get().await.unwrap();
    let portable = |v: diesel_view::View| -> diesel_view::View {
        let mut v = v;
        for t in v.tables.values_mut() {
            for c in &mut t.columns {
                c.ty = diesel_view::portable_type(&c.ty).to_string();
            }
            // Column order may differ between the backends; names matter.
            t.columns.sort();
        }
        v
    };
    let actual = portable(diesel_view::of_database(&mut conn).await);
    let text = read(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/schema.rs"));
    let declared = diesel_view::parse(&text);
    assert_parsed_whole(&text, &declared);
    let declared = portable(declared);
    let diff = differences(&declared, &actual);
    assert!(
        diff.is_empty(),
        "src/schema.rs vs a migrated {b:?} database:\n{}",
        diff.join("\n")
    );
});

/// The diesel CLI writes its schema files to `schema/`, never to the
/// portable `src/schema.rs` (it would replace it with one backend's view).
#[test]
fn diesel_cli_configs_leave_the_portable_schema_alone() {
    for (config, backend) in [
        ("diesel.toml", Backend::Postgres),
        ("diesel_sqlite.toml", Backend::Sqlite),
    ] {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let text = read(&dir.join(config));
        let files: Vec<&str> = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("file"))
            .filter_map(|l| l.trim().strip_prefix('='))
            .map(|f| f.trim().trim_matches('"'))
            .collect();
        let expected = backend_schema_file(backend);
        assert_eq!(
            files.iter().map(|f| dir.join(f)).collect::<Vec<_>>(),
            vec![expected.clone()],
            "{config}: print_schema.file"
        );
        assert!(!files.iter().any(|f| f.starts_with("src")), "{config}");
        assert!(expected.exists());
    }
}

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

// The retention migration clears what earlier versions kept of processed
// updates and leaves pending ones (needed for replay) alone.
both!(
    migration_clears_payloads_of_processed_updates_only,
    |b| async move {
        use radar_store::processed_messages::{self, NewReceipt};
        const RETENTION: &str = "forget_processed_payloads";
        let db = TestDb::new(b).await;
        // Back to just before the retention migration.
        loop {
            let states = migrate(&db.url, MigrateOp::Status).await.unwrap();
            let retention = states
                .iter()
                .find(|s| s.version.ends_with(RETENTION))
                .expect("the retention migration exists");
            if !retention.applied {
                break;
            }
            migrate(&db.url, MigrateOp::Revert { all: false })
                .await
                .unwrap();
        }
        let pool = db.pool();
        let mut conn = pool.get().await.unwrap();
        let now = Utc::now().naive_utc();
        for (key, processed) in [("1:1", Some(now)), ("1:2", None)] {
            processed_messages::store(
                &mut conn,
                &NewReceipt {
                    message_id: key,
                    update_id: Some(1),
                    chat_id: radar_store::ChatId(1),
                    user_id: Some(UserId(1)),
                    received_at: now,
                    processed_at: processed,
                    payload: Some(r#"{"private":"words"}"#),
                },
            )
            .await
            .unwrap();
        }
        drop(conn);
        migrate(&db.url, MigrateOp::Run { dry_run: false })
            .await
            .unwrap();
        let mut conn = pool.get().await.unwrap();
        let done = processed_messages::get(&mut conn, "1:1")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            done.payload, None,
            "a processed update's payload is cleared"
        );
        let pending = processed_messages::get(&mut conn, "1:2")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            pending.payload.as_deref(),
            Some(r#"{"private":"words"}"#),
            "a pending update keeps its payload for replay"
        );
    }
);

/// The bundled SQLite is built in multi-thread mode (`.cargo/config.toml`,
/// `LIBSQLITE3_FLAGS`): no mutex around each SQLite call, which Radar does
/// not need since each connection is used by one task at a time.
#[tokio::test]
async fn sqlite_is_built_in_multi_thread_mode() {
    let db = TestDb::new(Backend::Sqlite).await;
    let mut conn = db.pool().get().await.unwrap();
    let options = radar_store::test_support::text_column(
        &mut conn,
        "SELECT compile_options AS v FROM pragma_compile_options",
    )
    .await
    .unwrap();
    assert!(
        options.iter().flatten().any(|o| o == "THREADSAFE=2"),
        "{options:?}"
    );
}
