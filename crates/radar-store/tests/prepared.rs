//! Writes stay prepared (`radar_store::prepared`): the same insert, update
//! or upsert run again on a connection reuses its prepared statement instead
//! of preparing (and, on PostgreSQL, parsing and planning) it anew.

use chrono::{NaiveDateTime, Utc};
use radar_store::features::{self, FeatureChanges};
use radar_store::names_versions::{self, Scope};
use radar_store::projects;
use radar_store::test_support::{self, text_column};
use radar_store::{Backend, FeatureStatus};
use radar_testkit::TestDb;

fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

/// PostgreSQL lists a session's prepared statements in
/// `pg_prepared_statements`; a statement prepared for one use is closed
/// after it (tokio-postgres closes it when dropped), a kept one stays.
#[tokio::test]
async fn repeated_writes_reuse_one_prepared_statement_on_postgres() {
    let db = TestDb::new(Backend::Postgres).await;
    let pool = db.pool();
    let c = &mut pool.get().await.unwrap();
    let p = projects::insert(c, &test_support::project("Apollo", "apollo"))
        .await
        .unwrap();
    for n in 1..=3 {
        let f = features::insert(c, &test_support::feature(p.id, n, &format!("Feature {n}")))
            .await
            .unwrap();
        let done = FeatureChanges {
            status: Some(FeatureStatus::Done),
            updated_at: Some(now()),
            ..FeatureChanges::default()
        };
        features::update(c, f.id, &done).await.unwrap();
        names_versions::bump(c, Scope::Project(p.id)).await.unwrap();
    }
    let kept = text_column(
        c,
        "SELECT statement AS v FROM pg_prepared_statements \
         WHERE statement LIKE 'INSERT INTO \"features\"%' \
            OR statement LIKE 'UPDATE \"features\"%' \
            OR statement LIKE 'INSERT INTO \"names_versions\"%' \
         ORDER BY statement",
    )
    .await
    .unwrap();
    let starts: Vec<String> = kept
        .iter()
        .map(|s| {
            let s = s.as_deref().unwrap_or_default();
            s.split(" (").next().unwrap_or(s).to_string()
        })
        .collect();
    assert_eq!(
        starts.len(),
        3,
        "each of the three writes prepared once and kept: {kept:#?}"
    );
    for (start, want) in starts.iter().zip([
        "INSERT INTO \"features\"",
        "INSERT INTO \"names_versions\"",
        "UPDATE \"features\" SET \"status\" = $1, \"updated_at\" = $2 WHERE",
    ]) {
        assert!(start.starts_with(want), "{start:?} is not {want:?}");
    }
}
