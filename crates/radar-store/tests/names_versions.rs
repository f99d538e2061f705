//! Names versions (`radar_store::names_versions`): every store write of a
//! name a message is understood in gives its scope a new version, in the
//! writer's transaction; other writes leave it; a rolled-back version is
//! never given again.

use chrono::{NaiveDateTime, Utc};
use radar_store::features::{self, FeatureChanges, NewFeature};
use radar_store::names_versions::{self, Scope, Version};
use radar_store::projects::{self, NewProject, ProjectChanges};
use radar_store::releases::{self, NewRelease, ReleaseChanges};
use radar_store::test_support;
use radar_store::{Conn, FeatureStatus, ProjectId, ProjectStatus, ReleaseStatus, StoreError};
use radar_testkit::{TestDb, both};

fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

async fn version(conn: &mut Conn, scope: Scope) -> Version {
    names_versions::get(conn, scope).await.unwrap()
}

fn apollo() -> NewProject<'static> {
    test_support::project("Apollo", "apollo")
}

fn feature(project: ProjectId, n: i64, name: &str) -> NewFeature {
    test_support::feature(project, n, name)
}

/// Runs `step`: whether it changed `scope`'s version, and its value.
macro_rules! bumps {
    ($conn:expr, $scope:expr, $step:expr) => {{
        let before = version($conn, $scope).await;
        let value = $step;
        let after = version($conn, $scope).await;
        (before != after, value)
    }};
}

both!(each_write_of_a_name_bumps_its_scope, |b| async move {
    let db = TestDb::new(b).await;
    let pool = db.pool();
    let c = &mut pool.get().await.unwrap();
    let list = Scope::Projects;

    let p = apollo();
    let (bumped, id) = bumps!(c, list, projects::insert(c, &p).await.unwrap().id);
    assert!(bumped);
    let scope = Scope::Project(id);
    assert!(
        version(c, scope).await.is_some(),
        "a new project has a version"
    );

    // Features: insert, rename, teams, PO and delete bump; status does not.
    let (bumped, f) = bumps!(
        c,
        scope,
        features::insert(c, &feature(id, 1, "Login"))
            .await
            .unwrap()
            .id
    );
    assert!(bumped);
    let rename = FeatureChanges {
        name: Some("Sign-in".into()),
        ..Default::default()
    };
    assert!(bumps!(c, scope, features::update(c, f, &rename).await.unwrap()).0);
    let teams = FeatureChanges {
        assigned_teams: Some(Some("Core".into())),
        ..Default::default()
    };
    assert!(bumps!(c, scope, features::update(c, f, &teams).await.unwrap()).0);
    let po = FeatureChanges {
        assigned_po: Some(Some("Anna".into())),
        ..Default::default()
    };
    assert!(bumps!(c, scope, features::update(c, f, &po).await.unwrap()).0);
    let status = FeatureChanges {
        status: Some(FeatureStatus::Done),
        updated_at: Some(now()),
        ..Default::default()
    };
    assert!(!bumps!(c, scope, features::update(c, f, &status).await.unwrap()).0);
    assert!(!bumps!(c, list, features::update(c, f, &rename).await.unwrap()).0);

    // Releases: insert, a new version and delete bump; a date does not.
    let r = NewRelease {
        id: None,
        project_id: id,
        version: "2.0".into(),
        target_date: None,
        status: ReleaseStatus::Planned,
        created_at: now(),
        updated_at: now(),
        released_at: None,
    };
    let (bumped, rid) = bumps!(c, scope, releases::insert(c, &r).await.unwrap().id);
    assert!(bumped);
    let date = ReleaseChanges {
        target_date: Some(Some(now().date())),
        ..Default::default()
    };
    assert!(!bumps!(c, scope, releases::update(c, rid, &date).await.unwrap()).0);
    let renamed = ReleaseChanges {
        version: Some("2.1".into()),
        ..Default::default()
    };
    assert!(bumps!(c, scope, releases::update(c, rid, &renamed).await.unwrap()).0);
    assert!(bumps!(c, scope, releases::delete(c, rid).await.unwrap()).0);
    assert!(bumps!(c, scope, features::delete(c, f).await.unwrap()).0);

    // Projects: a rename, a status and a delete bump the list; a description does not.
    let described = ProjectChanges {
        description: Some(Some("moon".into())),
        ..Default::default()
    };
    assert!(!bumps!(c, list, projects::update(c, id, &described).await.unwrap()).0);
    let renamed = ProjectChanges {
        name: Some("Artemis".into()),
        name_key: Some("artemis".into()),
        ..Default::default()
    };
    assert!(bumps!(c, list, projects::update(c, id, &renamed).await.unwrap()).0);
    assert!(
        bumps!(
            c,
            list,
            projects::set_status(c, id, ProjectStatus::Archived, now())
                .await
                .unwrap()
        )
        .0
    );
    assert!(bumps!(c, list, projects::delete(c, id).await.unwrap()).0);
});

#[derive(Debug)]
enum Abort {
    Store(#[allow(dead_code)] StoreError),
    /// Rolls the transaction back, carrying the version it saw.
    With(Version),
}

impl From<StoreError> for Abort {
    fn from(e: StoreError) -> Self {
        Abort::Store(e)
    }
}

both!(a_rolled_back_version_is_not_given_again, |b| async move {
    let db = TestDb::new(b).await;
    let pool = db.pool();
    let c = &mut pool.get().await.unwrap();
    let p = apollo();
    let id = projects::insert(c, &p).await.unwrap().id;
    let scope = Scope::Project(id);
    let committed = version(c, scope).await;

    let mut seen = vec![committed];
    for n in 1..=20 {
        let rolled_back = radar_store::write(c, async |c| -> Result<(), Abort> {
            features::insert(c, &feature(id, n, "Login")).await?;
            Err(Abort::With(version(c, scope).await))
        })
        .await;
        let Err(Abort::With(v)) = rolled_back else {
            panic!("the transaction is rolled back: {rolled_back:?}");
        };
        assert_eq!(
            version(c, scope).await,
            committed,
            "the rollback restores the version"
        );
        assert!(!seen.contains(&v), "version {v:?} given twice");
        seen.push(v);
    }
});

both!(
    bump_from_tells_whether_the_read_version_still_held,
    |b| async move {
        let db = TestDb::new(b).await;
        let pool = db.pool();
        let c = &mut pool.get().await.unwrap();
        let other = &mut pool.get().await.unwrap();
        let scope = Scope::Project(ProjectId(41));

        // No row yet: the read `None` holds once.
        let first = names_versions::bump_from(c, scope, None).await.unwrap();
        assert!(first.is_some());
        assert_eq!(version(c, scope).await, first);
        assert_eq!(
            names_versions::bump_from(c, scope, None).await.unwrap(),
            None
        );
        let after_miss = version(c, scope).await;
        assert_ne!(after_miss, first, "a miss still gives a new version");

        // The version read still holds: the new one is returned.
        let read = version(c, scope).await;
        let next = names_versions::bump_from(c, scope, read).await.unwrap();
        assert!(next.is_some());
        assert_eq!(version(c, scope).await, next);

        // Another connection changed the scope after the read: None, and the
        // version is new all the same.
        let read = version(c, scope).await;
        names_versions::bump(other, scope).await.unwrap();
        let theirs = version(other, scope).await;
        assert_eq!(
            names_versions::bump_from(c, scope, read).await.unwrap(),
            None
        );
        let now = version(c, scope).await;
        assert_ne!(now, read);
        assert_ne!(now, theirs);
    }
);
