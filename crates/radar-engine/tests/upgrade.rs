//! Events written before typed events still work: a database filled by the
//! last single-crate release (`fixtures/events-v0.sql`, a console session
//! touching every kind of event) is read by today's engine on both
//! backends. "What changed" and history render exactly as that release
//! rendered them (`fixtures/golden.txt`), and undo reverts the old events.

mod common;

use chrono::{TimeZone, Utc};
use common::{Chat, counts, setup_with};
use radar_engine::{Clock, EngineConfig, Lang};
use radar_store::test_support;
use radar_testkit::{TestDb, both};

const FIXTURE: &str = include_str!("fixtures/events-v0.sql");
const GOLDEN: &str = include_str!("fixtures/golden.txt");

/// The replies the old release gave, in the order of `golden.txt`.
fn golden() -> Vec<String> {
    GOLDEN
        .split("-----\n")
        .map(|s| s.trim_end().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

both!(old_events_read_and_undo, |b| async move {
    let db = TestDb::new(b).await;
    let (e, pool) = setup_with(
        &db,
        EngineConfig {
            clock: Clock::fixed(Utc.with_ymd_and_hms(2026, 11, 30, 18, 0, 0).unwrap()),
            ..EngineConfig::default()
        },
    );
    {
        let mut conn = pool.get().await.unwrap();
        test_support::execute_script(&mut conn, FIXTURE)
            .await
            .expect("the old rows load");
        test_support::reset_sequences(&mut conn).await.unwrap();
    }
    let loaded = counts(&pool).await;
    assert_eq!(loaded.events, 36);

    let mut me = Chat::new(&e, &pool, 1, Lang::En);
    let expected = golden();
    for (cmd, want) in [
        "/changes since 2026-11-01",
        "/history 1",
        "/history 2",
        "/history 4",
    ]
    .iter()
    .zip(&expected)
    {
        assert_eq!(
            &me.say(cmd).await,
            want,
            "{cmd} renders as the old release did"
        );
    }

    // Undo goes back through the old events, newest first per user.
    let mut other = Chat::new(&e, &pool, 2, Lang::En);
    let r = other.say("/undo").await;
    assert!(
        r.contains("#2 Signup: status blocked → planned, reason waiting for legal → —"),
        "{r}"
    );
    assert!(me.say("/undo").await.contains("project Gemini: created"));
    let r = me.say("/undo").await;
    assert!(r.contains("#3 Export to CSV: deleted"), "{r}");
    let r = me.say("/feature 3").await;
    assert!(
        r.contains("#3 Export to CSV") && r.contains("Description: CSV export of all features"),
        "an old delete's snapshot restores the feature: {r}"
    );
    let r = me.say("/undo").await;
    assert!(r.contains("release 1.2: status planned → released"), "{r}");
    let r = me.say("/releases").await;
    assert!(r.contains("1.2 — planned"), "{r}");
    // The new events appear next to the old ones.
    let r = me.say("/history 3").await;
    assert!(
        r.contains("deleted (undone)") && r.contains("undo of: deleted"),
        "history marks the old delete as undone: {r}"
    );
    assert_eq!(counts(&pool).await.events, loaded.events + 4);
});
