//! Property tests: the parser never panics, and input that is not a valid
//! command never changes data, on both backends.

mod common;

use chrono::NaiveDate;
use common::{Chat, counts, setup};
use proptest::prelude::*;
use radar_engine::Lang;
use radar_engine::buttons::ButtonAction;
use radar_engine::language::{ParseCtx, ProjectView, Understanding, World, understand};
use radar_store::Backend;
use radar_testkit::TestDb;

fn ctx() -> ParseCtx<'static> {
    ParseCtx {
        bot_username: Some("radar_bot"),
        today: NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
    }
}

/// Text that looks like commands: keywords, #numbers, dates, quotes, markup,
/// emoji, RTL and very long runs mixed together.
fn commandish() -> impl Strategy<Value = String> {
    let atoms = prop_oneof![
        Just("/add ".to_string()),
        Just("/status ".to_string()),
        Just("/newproject ".to_string()),
        Just("/release ".to_string()),
        Just("/changes ".to_string()),
        Just("#".to_string()),
        Just("what changed ".to_string()),
        Just("что изменилось ".to_string()),
        Just("switch to ".to_string()),
        Just("move #3 to ".to_string()),
        Just(": ".to_string()),
        Just("31.02.2026".to_string()),
        Just("2026-13-45".to_string()),
        Just("<b>&amp;</b>".to_string()),
        Just("'; DROP TABLE projects; --".to_string()),
        Just("🚀".to_string()),
        Just("שלום".to_string()),
        Just("@otherbot".to_string()),
        "[0-9]{1,25}".prop_map(|s| s),
        "\\PC{0,40}".prop_map(|s| s),
        Just("x".repeat(5000)),
    ];
    prop::collection::vec(atoms, 0..6).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5000, ..ProptestConfig::default() })]

    #[test]
    fn parser_never_panics(text in "\\PC{0,300}") {
        let _ = understand(&text, &ctx(), &World::default());
        let _ = ButtonAction::decode(&text);
    }

    #[test]
    fn parser_never_panics_on_commandish_text(text in commandish()) {
        let _ = understand(&text, &ctx(), &World::default());
    }
}

async fn project_views(pool: &radar_store::Db) -> Vec<ProjectView> {
    let mut conn = pool.get().await.expect("connection");
    radar_store::projects::list(&mut conn)
        .await
        .expect("projects")
        .into_iter()
        .map(|p| ProjectView {
            archived: p.is_archived(),
            name: p.name,
        })
        .collect()
}

/// Feeds generated input to the engine: whatever the parser rejects must not
/// change a row, and every reply carries the context line (checked by Chat).
fn garbage_changes_nothing(backend: Backend, cases: u32) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let db = rt.block_on(TestDb::new(backend));
    let (engine, pool) = setup(&db);
    let chat = tokio::sync::Mutex::new(Chat::new(&engine, &pool, 7, Lang::En));
    rt.block_on(async {
        let mut chat = chat.lock().await;
        chat.say("/newproject Apollo").await;
        chat.say("/add Login").await;
    });
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases,
        ..ProptestConfig::default()
    });
    runner
        .run(&commandish(), |text| {
            rt.block_on(async {
                let mut chat = chat.lock().await;
                let before = counts(&pool).await;
                let reply = chat.say(&text).await;
                let after = counts(&pool).await;
                prop_assert!(!reply.is_empty());
                prop_assert!(!reply.contains("panicked") && !reply.contains("diesel"));
                // Whatever the engine does not read as a command changes nothing.
                // The world the engine saw: the projects garbage so far created.
                let world = World {
                    projects: project_views(&pool).await.into(),
                    ..World::default()
                };
                if !matches!(understand(&text, &ctx(), &world), Understanding::Command(_)) {
                    prop_assert_eq!(
                        (after.projects, after.features, after.releases, after.events),
                        (
                            before.projects,
                            before.features,
                            before.releases,
                            before.events
                        ),
                        "rejected input changed data: {:?}",
                        text
                    );
                }
                Ok(())
            })
        })
        .unwrap();
    drop(engine);
    drop(pool);
    drop(chat);
    rt.block_on(async move { drop(db) });
}

#[test]
fn garbage_changes_nothing_sqlite() {
    garbage_changes_nothing(Backend::Sqlite, 300);
}

#[test]
fn garbage_changes_nothing_postgres() {
    garbage_changes_nothing(Backend::Postgres, 300);
}
