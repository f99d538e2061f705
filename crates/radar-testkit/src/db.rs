//! A fresh database per test on either backend: a SQLite file in a temporary
//! directory, or a new PostgreSQL database dropped afterwards.

use std::sync::atomic::{AtomicU64, Ordering};

use radar_store::test_support::{self, Counts};
use radar_store::{Db, DbUrl, MigrateOp};

pub use radar_store::Backend;

/// The PostgreSQL server the tests use (a database is created per test).
pub fn pg_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

pub struct TestDb {
    pub url: DbUrl,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

impl TestDb {
    /// A new empty database with the schema migrated.
    pub async fn new(backend: Backend) -> TestDb {
        let db = TestDb::empty(backend).await;
        radar_store::migrate(&db.url, MigrateOp::Run { dry_run: false })
            .await
            .expect("migrations run");
        db
    }

    /// A new database without any migration.
    pub async fn empty(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let path = dir.path().join("radar.db");
                TestDb {
                    url: DbUrl::Sqlite(path.to_string_lossy().into_owned()),
                    _dir: Some(dir),
                    pg_name: None,
                }
            }
            Backend::Postgres => {
                let name = format!(
                    "radar_test_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst),
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .unwrap()
                        .subsec_nanos()
                );
                let admin = pg_admin_url();
                test_support::create_pg_database(&admin, &name)
                    .await
                    .unwrap_or_else(|e| {
                        panic!("PostgreSQL is required for the tests ({admin}): {e}. Start it (see README) and run again.")
                    });
                let base = admin
                    .rsplit_once('/')
                    .map(|(b, _)| b.to_string())
                    .unwrap_or(admin.clone());
                TestDb {
                    url: DbUrl::Postgres(format!("{base}/{name}")),
                    _dir: None,
                    pg_name: Some(name),
                }
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.url.backend()
    }

    pub fn pool(&self) -> Db {
        Db::connect(&self.url, 8).expect("pool")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            // Drop runs outside any runtime guarantee: use a thread with its own.
            let admin = pg_admin_url();
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async move {
                    if let Err(e) = test_support::drop_pg_database(&admin, &name).await {
                        eprintln!("could not drop test database {name}: {e}");
                    }
                });
            })
            .join();
        }
    }
}

/// Row counts of every table.
pub async fn counts(db: &Db) -> Counts {
    let mut conn = db.get().await.expect("connection");
    test_support::counts(&mut conn).await.expect("counts")
}

/// Runs an async test body once per backend: `both!(name, |b| async move { … })`
/// expands to `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                ($body)($crate::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                ($body)($crate::Backend::Postgres).await
            }
        }
    };
}
