//! Schema migrations, one folder per backend, embedded in the binary. On
//! PostgreSQL they run under an advisory lock, so two replicas starting at
//! once never migrate at the same time.

use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::connect::{connect_pg, warn_if_shared};
use crate::{DbUrl, StoreError, sqlite_setup};

pub const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Key of the PostgreSQL advisory lock held while migrating ("radar" in ASCII).
const MIGRATION_LOCK_KEY: i64 = 0x0072_6164_6172;

/// One line of `radar migrate status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationState {
    pub version: String,
    pub applied: bool,
}

/// What to do with the migrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrateOp {
    Status,
    Run { dry_run: bool },
    Revert { all: bool },
}

/// The database migrations run on. PostgreSQL is connected to here,
/// asynchronously, to keep the cause of a failure; the migrations
/// themselves run on a blocking thread.
enum Target {
    Pg(Box<AsyncPgConnection>),
    Sqlite(String),
}

impl Target {
    async fn open(url: &DbUrl) -> Result<Target, StoreError> {
        Ok(match url {
            DbUrl::Postgres(u) => Target::Pg(Box::new(connect_pg(u).await?)),
            DbUrl::Sqlite(path) => Target::Sqlite(path.clone()),
        })
    }
}

/// Runs a migration command on a dedicated connection in a blocking task.
/// On PostgreSQL the work happens under an advisory lock, so two processes
/// starting at once never migrate at the same time.
pub async fn migrate(url: &DbUrl, op: MigrateOp) -> Result<Vec<MigrationState>, StoreError> {
    let target = Target::open(url).await?;
    tokio::task::spawn_blocking(move || match target {
        Target::Pg(pg) => {
            let mut conn: AsyncConnectionWrapper<AsyncPgConnection> = (*pg).into();
            conn.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))?;
            let result = migrate_with(&mut conn, || PG_MIGRATIONS, op);
            let unlock =
                conn.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"));
            let result = result?;
            unlock?;
            Ok(result)
        }
        Target::Sqlite(path) => {
            let mut conn = sqlite_setup(&path)?;
            warn_if_shared(&path);
            migrate_with(&mut conn, || SQLITE_MIGRATIONS, op)
        }
    })
    .await
    .map_err(|e| StoreError::Migration(e.to_string()))?
}

fn migrate_with<C>(
    conn: &mut C,
    migrations: fn() -> EmbeddedMigrations,
    op: MigrateOp,
) -> Result<Vec<MigrationState>, StoreError>
where
    C: MigrationHarness<<C as Connection>::Backend> + Connection,
{
    let err = |e: Box<dyn std::error::Error + Send + Sync>| StoreError::Migration(e.to_string());
    match op {
        MigrateOp::Status | MigrateOp::Run { dry_run: true } => {}
        MigrateOp::Run { dry_run: false } => {
            conn.run_pending_migrations(migrations()).map_err(err)?;
        }
        MigrateOp::Revert { all: true } => {
            conn.revert_all_migrations(migrations()).map_err(err)?;
        }
        MigrateOp::Revert { all: false } => {
            // Reverting with nothing applied is a no-op, not an error.
            if !conn.applied_migrations().map_err(err)?.is_empty() {
                conn.revert_last_migration(migrations()).map_err(err)?;
            }
        }
    }
    let applied: Vec<String> = conn
        .applied_migrations()
        .map_err(err)?
        .into_iter()
        .map(|v| v.to_string())
        .collect();
    use diesel::migration::MigrationSource;
    let all =
        MigrationSource::<<C as Connection>::Backend>::migrations(&migrations()).map_err(err)?;
    let mut states: Vec<MigrationState> = all
        .iter()
        .map(|m| {
            let version = m.name().version().to_string();
            MigrationState {
                applied: applied.contains(&version),
                version: m.name().to_string(),
            }
        })
        .collect();
    states.sort_by(|a, b| a.version.cmp(&b.version));
    Ok(states)
}

/// Runs the migrations up to and including the one named `name` (its folder
/// name, as `radar migrate status` prints it), in order: a database as an
/// earlier release left it, for the upgrade-path tests. Test support only.
#[cfg(feature = "test-support")]
pub(crate) async fn run_up_to(url: &DbUrl, name: &str) -> Result<(), StoreError> {
    let target = Target::open(url).await?;
    let name = name.to_string();
    tokio::task::spawn_blocking(move || match target {
        Target::Pg(pg) => {
            let mut conn: AsyncConnectionWrapper<AsyncPgConnection> = (*pg).into();
            up_to(&mut conn, PG_MIGRATIONS, &name)
        }
        Target::Sqlite(path) => {
            let mut conn = sqlite_setup(&path)?;
            up_to(&mut conn, SQLITE_MIGRATIONS, &name)
        }
    })
    .await
    .map_err(|e| StoreError::Migration(e.to_string()))?
}

#[cfg(feature = "test-support")]
fn up_to<C>(conn: &mut C, migrations: EmbeddedMigrations, name: &str) -> Result<(), StoreError>
where
    C: MigrationHarness<<C as Connection>::Backend> + Connection,
{
    use diesel::migration::MigrationSource;
    let err = |e: Box<dyn std::error::Error + Send + Sync>| StoreError::Migration(e.to_string());
    let mut all =
        MigrationSource::<<C as Connection>::Backend>::migrations(&migrations).map_err(err)?;
    all.sort_by_key(|m| m.name().to_string());
    if !all.iter().any(|m| m.name().to_string() == name) {
        return Err(StoreError::Migration(format!("no migration named {name}")));
    }
    let applied: Vec<String> = conn
        .applied_migrations()
        .map_err(err)?
        .into_iter()
        .map(|v| v.to_string())
        .collect();
    for m in all.iter().filter(|m| m.name().to_string().as_str() <= name) {
        if !applied.contains(&m.name().version().to_string()) {
            conn.run_migration(&**m).map_err(err)?;
        }
    }
    Ok(())
}
