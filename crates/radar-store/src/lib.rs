//! The store: the only crate with SQL. One query path for both backends.
//!
//! [`Db`] is an enum of two pools; [`Conn`] is a pooled connection of either
//! backend. Query functions live in one module per table and take
//! `&mut Conn`, so that one caller's transaction ([`write`]) can hold several
//! of them. Their bodies are written once inside [`dispatch!`], which expands
//! them once per backend: each expansion is type-checked against its
//! concrete connection type, with no trait bounds to write.
//!
//! Column values are typed: ids are newtypes ([`ids`]), status-like `TEXT`
//! columns are enums ([`values`]).

pub mod backup;
pub mod check;
mod connect;
pub mod conversation_state;
pub mod copy;
pub mod event_log;
pub mod features;
pub mod group;
pub mod health;
pub mod ids;
mod migrate;
pub mod names_versions;
pub mod offered_actions;
pub mod outbox;
pub mod outbox_attachments;
pub mod prepared;
pub mod processed_messages;
pub mod projects;
pub mod releases;
pub mod schema;
pub mod tables;
#[cfg(feature = "test-support")]
pub mod test_support;
pub mod user_context;
pub mod user_settings;
pub mod values;

pub use connect::{Cause, ConnectError, PG_CONNECT_TIMEOUT, connect_pg};
pub use health::Fault;
pub use ids::*;
pub use migrate::{MigrateOp, MigrationState, PG_MIGRATIONS, SQLITE_MIGRATIONS, migrate};
pub use values::*;

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, Weak};
use std::time::Duration;

use deadpool::Runtime;
use diesel::SqliteConnection;
use diesel::connection::AnsiTransactionManager;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::RunQueryDsl;
use diesel_async::TransactionManager as _;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::sync_connection_wrapper::SpawnBlocking;
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use tokio::sync::OwnedMutexGuard;

pub type SqliteConn = SyncConnectionWrapper<SqliteConnection, Inline>;

/// Runs each SQLite call on the calling thread. diesel-async's default sends
/// every statement to tokio's blocking pool and back: two thread switches a
/// statement, which cost more than the statement itself (a transaction is a
/// dozen of them), and while the task waits for its turn on a worker it
/// holds SQLite's write lock. A statement on the local file takes
/// microseconds; writers of this process queue on their [`WriteQueue`]
/// (asynchronously) before they begin, so a call waits in SQLite's busy
/// handler only when another process holds the file.
pub struct Inline;

impl SpawnBlocking for Inline {
    fn spawn_blocking<'a, R>(
        &mut self,
        task: impl FnOnce() -> R + Send + 'static,
    ) -> BoxFuture<'a, Result<R, Box<dyn std::error::Error + Send + Sync + 'static>>>
    where
        R: Send + 'static,
    {
        futures_util::future::ready(Ok(task())).boxed()
    }

    fn get_runtime() -> Self {
        Inline
    }
}

use connect::SQLITE_BUSY_TIMEOUT_MS;
pub(crate) use connect::sqlite_setup;

pub(crate) type R<T> = Result<T, StoreError>;

/// Errors of the store. Inside the program only; users see a localized sentence.
///
/// Every error made from a database or pool error is counted by its
/// [`Fault`] kind ([`health::failures`]); a storage fault also makes the
/// pools reopen their connections (see [`health`]).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database query failed: {0}")]
    Query(DieselError),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A connection could not be opened (the message names `DATABASE_URL`,
    /// the host or file, and the cause).
    #[error(transparent)]
    Connect(ConnectError),
    #[error("migration failed: {0}")]
    Migration(String),
}

impl From<ConnectError> for StoreError {
    fn from(e: ConnectError) -> Self {
        StoreError::Connect(e).observed()
    }
}

impl From<DieselError> for StoreError {
    fn from(e: DieselError) -> Self {
        StoreError::Query(e).observed()
    }
}

impl StoreError {
    /// The database is unavailable: `message` says why.
    pub(crate) fn unavailable(message: String) -> StoreError {
        StoreError::Unavailable(message).observed()
    }

    fn observed(self) -> StoreError {
        health::observe(&self);
        self
    }

    /// What kind of unavailability this is, if it is one.
    pub fn fault(&self) -> Option<Fault> {
        match self {
            StoreError::Unavailable(m) => Some(Fault::of_message(m).unwrap_or(Fault::Connection)),
            StoreError::Connect(c) => Some(c.fault()),
            StoreError::Migration(_) => None,
            StoreError::Query(e) => Fault::of_diesel(e),
        }
    }

    /// Worth running the whole transaction again: a lost race on a unique
    /// key, a serialization failure, a busy SQLite file, a dropped connection.
    pub fn is_transient(&self) -> bool {
        match self {
            StoreError::Query(DieselError::DatabaseError(
                DatabaseErrorKind::UniqueViolation | DatabaseErrorKind::SerializationFailure,
                _,
            )) => true,
            StoreError::Query(DieselError::DatabaseError(_, info))
                if info.message().contains("deadlock detected") =>
            {
                true
            }
            StoreError::Query(DieselError::BrokenTransactionManager) => true,
            e => e.is_unavailable(),
        }
    }

    /// The database is away (not a lost race, not a bad query): worth
    /// waiting for, however long it takes. A file that cannot be written
    /// (read-only, full, failing) is away too: it heals when an operator
    /// fixes it, and Radar picks up from there.
    pub fn is_unavailable(&self) -> bool {
        self.fault().is_some()
    }

    /// A connection failed for a reason waiting will not cure: a wrong
    /// login or database name, an unusable SQLite file.
    pub fn is_permanent(&self) -> bool {
        matches!(self, StoreError::Connect(c) if c.is_permanent())
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for StoreError {
    fn from(e: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        StoreError::unavailable(e.to_string())
    }
}

/// Which database `DATABASE_URL` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbUrl {
    Postgres(String),
    Sqlite(String),
}

impl DbUrl {
    /// `postgres://…` / `postgresql://…` → PostgreSQL; `sqlite://PATH` or a plain path → SQLite.
    pub fn parse(url: &str) -> Result<DbUrl, String> {
        let url = url.trim();
        if url.is_empty() {
            return Err("is empty".into());
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            // Its error never repeats the URL (which may hold a password).
            connect::pg_config(url).map_err(|e| format!("is not a valid PostgreSQL URL: {e}"))?;
            return Ok(DbUrl::Postgres(url.to_string()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        if path.is_empty() {
            return Err("names no SQLite file".into());
        }
        if path.contains(":memory:") || path.contains("mode=memory") {
            return Err("in-memory SQLite is not supported (each pooled connection would see its own empty database); give a file path".into());
        }
        if path.contains("://") {
            return Err(format!(
                "unsupported scheme in {:?}; use postgres://… or a SQLite file path",
                url.split("://").next().unwrap_or_default()
            ));
        }
        Ok(DbUrl::Sqlite(path.to_string()))
    }

    pub fn backend(&self) -> Backend {
        match self {
            DbUrl::Postgres(_) => Backend::Postgres,
            DbUrl::Sqlite(_) => Backend::Sqlite,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// A pool of connections to one of the two backends.
#[derive(Clone)]
pub enum Db {
    Pg(Pool<AsyncPgConnection>),
    Sqlite(Pool<SqliteConn>, WriteQueue),
}

/// One pooled connection of either backend. (One lives per transaction on
/// the stack; boxing the larger variant would only add an allocation.)
#[allow(clippy::large_enum_variant)]
pub enum Conn {
    Pg(Object<AsyncPgConnection>),
    Sqlite(Object<SqliteConn>, Writer),
}

/// SQLite lets one connection write at a time. Left to themselves, the
/// writers of one process collide in SQLite's busy handler, which sleeps 1,
/// 2, 5, 10 … up to 100 ms between retries: under load a write waits for
/// seconds while the file is free. So the writers of a process queue on
/// this lock (one per database file, fair, first come first served) before
/// `BEGIN IMMEDIATE`, and around single write statements made outside a
/// transaction. Other processes on the same file still meet the busy
/// handler, as before.
#[derive(Clone)]
pub struct WriteQueue(Arc<tokio::sync::Mutex<()>>);

impl WriteQueue {
    /// The queue of a database file, shared by every pool of this process on it.
    fn of(path: &str) -> WriteQueue {
        static QUEUES: LazyLock<Mutex<HashMap<String, Weak<tokio::sync::Mutex<()>>>>> =
            LazyLock::new(Mutex::default);
        let mut queues = QUEUES.lock().unwrap_or_else(|e| e.into_inner());
        queues.retain(|_, q| q.strong_count() > 0);
        if let Some(q) = queues.get(path).and_then(Weak::upgrade) {
            return WriteQueue(q);
        }
        let q = Arc::new(tokio::sync::Mutex::new(()));
        queues.insert(path.to_string(), Arc::downgrade(&q));
        WriteQueue(q)
    }

    /// Waits for the turn to write, as long as SQLite's busy timeout at most.
    async fn turn(&self) -> Result<OwnedMutexGuard<()>, StoreError> {
        let wait = Duration::from_millis(u64::from(SQLITE_BUSY_TIMEOUT_MS));
        tokio::time::timeout(wait, self.0.clone().lock_owned())
            .await
            .map_err(|_| {
                StoreError::from(DieselError::DatabaseError(
                    DatabaseErrorKind::Unknown,
                    Box::new("database is locked (waited for the writer queue)".to_string()),
                ))
            })
    }
}

/// A SQLite connection's place in its [`WriteQueue`]: held from
/// `begin_write` to `commit`/`rollback` (or until the connection is dropped).
pub struct Writer {
    queue: WriteQueue,
    turn: Option<OwnedMutexGuard<()>>,
}

/// The turn taken for one write statement outside a transaction; `None`
/// when none is needed (PostgreSQL, or inside a write transaction).
pub struct WriteTurn(#[allow(dead_code)] Option<OwnedMutexGuard<()>>);

/// Expands `$body` once per backend with `$c` bound to the concrete
/// connection (`&mut AsyncPgConnection` or `&mut SyncConnectionWrapper<SqliteConnection>`).
#[macro_export]
macro_rules! dispatch {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::Conn::Pg(obj) => {
                let $c: &mut diesel_async::AsyncPgConnection = &mut *obj;
                $body
            }
            $crate::Conn::Sqlite(obj, _) => {
                let $c: &mut $crate::SqliteConn = &mut *obj;
                $body
            }
        }
    };
}

impl Db {
    /// Builds the pool (connections are opened lazily, so an unreachable
    /// PostgreSQL does not stop the program here).
    pub fn connect(url: &DbUrl, max_size: usize) -> Result<Db, StoreError> {
        let unavailable = |e: diesel_async::pooled_connection::deadpool::BuildError| {
            StoreError::unavailable(e.to_string())
        };
        match url {
            DbUrl::Postgres(url) => {
                let mut cfg = ManagerConfig::<AsyncPgConnection>::default();
                // No `SELECT 1` on every checkout: a connection whose socket
                // closed (a database restart or outage) reports itself broken
                // (`is_closed`) and is replaced when it comes back to the pool.
                cfg.recycling_method = RecyclingMethod::Fast;
                // Opened by `connect_pg`, so that a failure says why.
                cfg.custom_setup = Box::new(|url| {
                    let url = url.to_string();
                    async move {
                        connect::connect_pg(&url)
                            .await
                            .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))
                    }
                    .boxed()
                });
                let mgr = AsyncDieselConnectionManager::new_with_config(url.clone(), cfg);
                let pool = Pool::builder(mgr)
                    .max_size(max_size)
                    .runtime(Runtime::Tokio1)
                    .wait_timeout(Some(Duration::from_secs(10)))
                    .create_timeout(Some(Duration::from_secs(5)))
                    .pre_recycle(health::reopen_after_fault())
                    .build()
                    .map_err(unavailable)?;
                Ok(Db::Pg(pool))
            }
            DbUrl::Sqlite(path) => {
                let mut cfg = ManagerConfig::<SqliteConn>::default();
                cfg.recycling_method = RecyclingMethod::Fast;
                cfg.custom_setup = Box::new(|path| {
                    let path = path.to_string();
                    async move {
                        tokio::task::spawn_blocking(move || sqlite_setup(&path))
                            .await
                            .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?
                            .map(SyncConnectionWrapper::new)
                            .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))
                    }
                    .boxed()
                });
                let mgr = AsyncDieselConnectionManager::new_with_config(path.clone(), cfg);
                let pool = Pool::builder(mgr)
                    .max_size(max_size)
                    .runtime(Runtime::Tokio1)
                    .wait_timeout(Some(Duration::from_secs(10)))
                    .pre_recycle(health::reopen_after_fault())
                    .build()
                    .map_err(unavailable)?;
                Ok(Db::Sqlite(pool, WriteQueue::of(path)))
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Pg(_) => Backend::Postgres,
            Db::Sqlite(..) => Backend::Sqlite,
        }
    }

    pub async fn get(&self) -> Result<Conn, StoreError> {
        Ok(match self {
            Db::Pg(p) => Conn::Pg(p.get().await?),
            Db::Sqlite(p, q) => Conn::Sqlite(
                p.get().await?,
                Writer {
                    queue: q.clone(),
                    turn: None,
                },
            ),
        })
    }

    /// `SELECT 1`: the database answers (it may still refuse writes).
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.get().await?;
        dispatch!(&mut conn, |c| {
            diesel::sql_query("SELECT 1").execute(c).await?;
        });
        Ok(())
    }

    /// Whether an update can be stored now: a receipt written and deleted
    /// again in one committed transaction (see
    /// [`processed_messages::probe`]). Unlike `SELECT 1` it fails on a
    /// read-only or full file, a read-only PostgreSQL, a failing disk.
    pub async fn probe_write(&self) -> Result<(), StoreError> {
        let mut conn = self.get().await?;
        write(&mut conn, async |conn| {
            processed_messages::probe(conn).await
        })
        .await
    }
}

impl Conn {
    /// Opens a write transaction: `BEGIN IMMEDIATE` on SQLite (so a
    /// read-then-write never fails on a lock upgrade), `BEGIN` on PostgreSQL.
    pub(crate) async fn begin_write(&mut self) -> Result<(), StoreError> {
        match self {
            Conn::Pg(c) => {
                <AsyncPgConnection as AsyncConnection>::TransactionManager::begin_transaction(
                    &mut **c,
                )
                .await?
            }
            Conn::Sqlite(c, w) => {
                if w.turn.is_none() {
                    w.turn = Some(w.queue.turn().await?);
                }
                let begun = c
                    .spawn_blocking(|inner| {
                        AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")
                    })
                    .await;
                if begun.is_err() {
                    w.turn = None;
                }
                begun?
            }
        }
        Ok(())
    }

    /// Takes the write turn for one statement outside a transaction (SQLite);
    /// keep the result alive until the statement is done.
    pub async fn write_turn(&mut self) -> Result<WriteTurn, StoreError> {
        match self {
            Conn::Sqlite(_, w) if w.turn.is_none() => Ok(WriteTurn(Some(w.queue.turn().await?))),
            _ => Ok(WriteTurn(None)),
        }
    }

    pub(crate) async fn commit(&mut self) -> Result<(), StoreError> {
        match self {
            Conn::Pg(c) => {
                <AsyncPgConnection as AsyncConnection>::TransactionManager::commit_transaction(
                    &mut **c,
                )
                .await?
            }
            Conn::Sqlite(c, w) => {
                let done = <SqliteConn as AsyncConnection>::TransactionManager::commit_transaction(
                    &mut **c,
                )
                .await;
                w.turn = None;
                done?
            }
        }
        Ok(())
    }

    pub(crate) async fn rollback(&mut self) -> Result<(), StoreError> {
        match self {
            Conn::Pg(c) => {
                <AsyncPgConnection as AsyncConnection>::TransactionManager::rollback_transaction(
                    &mut **c,
                )
                .await?
            }
            Conn::Sqlite(c, w) => {
                let done =
                    <SqliteConn as AsyncConnection>::TransactionManager::rollback_transaction(
                        &mut **c,
                    )
                    .await;
                w.turn = None;
                done?
            }
        }
        Ok(())
    }

    /// Opens a savepoint inside the write transaction (diesel's nested
    /// transaction: `SAVEPOINT diesel_savepoint_N`).
    pub(crate) async fn savepoint(&mut self) -> Result<(), StoreError> {
        dispatch!(self, |c| nested_begin(c).await?);
        Ok(())
    }

    /// Keeps the savepoint's writes (`RELEASE SAVEPOINT`).
    pub(crate) async fn release_savepoint(&mut self) -> Result<(), StoreError> {
        dispatch!(self, |c| nested_commit(c).await?);
        Ok(())
    }

    /// Undoes the savepoint's writes (`ROLLBACK TO SAVEPOINT`); the
    /// transaction goes on.
    pub(crate) async fn rollback_savepoint(&mut self) -> Result<(), StoreError> {
        dispatch!(self, |c| nested_rollback(c).await?);
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self {
            Conn::Pg(_) => Backend::Postgres,
            Conn::Sqlite(..) => Backend::Sqlite,
        }
    }
}

/// The future of a closure called with a borrowed connection, named so that
/// [`write`] can require it to be `Send` (the same device diesel-async's
/// `transaction` uses).
pub trait ConnFn<'c, T>:
    AsyncFnOnce(&'c mut Conn) -> T + FnOnce(&'c mut Conn) -> <Self as ConnFn<'c, T>>::Fut
{
    type Fut: Future<Output = T>;
}

impl<'c, F, Fut, T> ConnFn<'c, T> for F
where
    F: AsyncFnOnce(&'c mut Conn) -> T + FnOnce(&'c mut Conn) -> Fut,
    Fut: Future<Output = T>,
{
    type Fut = Fut;
}

/// Runs `f` in one write transaction on `conn`: `BEGIN IMMEDIATE` on SQLite
/// (after this process's turn in the [`WriteQueue`], so a read-then-write
/// never fails on a lock upgrade), `BEGIN` on PostgreSQL. Commits when `f`
/// returns `Ok`, rolls back when it returns `Err` (or when committing fails).
pub async fn write<T, E, F>(conn: &mut Conn, f: F) -> Result<T, E>
where
    for<'c> F:
        AsyncFnOnce(&'c mut Conn) -> Result<T, E> + ConnFn<'c, Result<T, E>, Fut: Send> + Send,
    E: From<StoreError>,
{
    conn.begin_write().await?;
    match f(conn).await {
        Ok(v) => match conn.commit().await {
            Ok(()) => {
                health::wrote();
                Ok(v)
            }
            Err(e) => {
                rollback_quietly(conn).await;
                Err(e.into())
            }
        },
        Err(e) => {
            rollback_quietly(conn).await;
            Err(e)
        }
    }
}

async fn rollback_quietly(conn: &mut Conn) {
    if let Err(e) = conn.rollback().await {
        tracing::warn!(error = %e, "rollback failed");
    }
}

async fn nested_begin<C: AsyncConnection>(c: &mut C) -> diesel::QueryResult<()> {
    C::TransactionManager::begin_transaction(c).await
}

async fn nested_commit<C: AsyncConnection>(c: &mut C) -> diesel::QueryResult<()> {
    C::TransactionManager::commit_transaction(c).await
}

async fn nested_rollback<C: AsyncConnection>(c: &mut C) -> diesel::QueryResult<()> {
    C::TransactionManager::rollback_transaction(c).await
}
