//! The console adapter and the seed: keys unique across runs, replies
//! stored as delivered, a second seed changing nothing.

use radar::console::Console;
use radar_engine::{Engine, EngineConfig, Lang};
use radar_store::UserId;
use radar_testkit::{TestDb, both, counts};

fn setup(db: &TestDb) -> (Engine, radar_store::Db) {
    let pool = db.pool();
    (Engine::new(pool.clone(), EngineConfig::default()), pool)
}

both!(seed_twice_changes_nothing, |b| async move {
    let db = TestDb::new(b).await;
    let (e, pool) = setup(&db);
    let first = radar::seed::seed(&e).await.unwrap();
    assert!(first.applied > 10 && first.already == 0);
    let after_first = counts(&pool).await;
    assert_eq!(after_first.projects, 2);
    let second = radar::seed::seed(&e).await.unwrap();
    assert_eq!(second.applied, 0);
    assert_eq!(second.already, first.applied);
    assert_eq!(counts(&pool).await, after_first);
});

both!(console_keys_never_collide, |b| async move {
    let db = TestDb::new(b).await;
    let (e, pool) = setup(&db);
    let mut one = Console::new(e.clone(), UserId(1), Lang::En);
    assert!(
        one.say("/newproject Apollo")
            .await
            .unwrap()
            .contains("Created project")
    );
    let mut two = Console::new(e, UserId(1), Lang::En);
    let r = two.say("/add Login").await.unwrap();
    assert!(
        r.starts_with("📁 Project: Apollo") && r.contains("Added #1"),
        "a second run is not a duplicate: {r}"
    );
    let c = counts(&pool).await;
    assert_eq!(
        c.outbox_unsent, 0,
        "console replies are delivered on stdout"
    );
});
