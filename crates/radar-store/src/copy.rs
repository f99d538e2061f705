//! `radar copy`: moves a whole database to another one, of either backend
//! (SQLite → PostgreSQL to scale out, and back).
//!
//! The target is migrated first and must then be empty. The source is read
//! in one read-only snapshot (SQLite: a read transaction, which WAL keeps
//! consistent while `radar serve` writes; PostgreSQL: `REPEATABLE READ`),
//! so what is copied is one moment of it. Tables are copied in foreign-key
//! order ([`tables::TABLES`]), each in one write transaction on the target,
//! in batches of typed rows with their ids (event ids and
//! `reverts_event_id` links included). Afterwards PostgreSQL's identity
//! sequences are moved past the largest id, and every table's row count and
//! checksum on the target is compared with what was read from the source.

use diesel_async::{RunQueryDsl, SimpleAsyncConnection};

use crate::tables::{self, Checksum};
use crate::{Backend, Conn, Db, DbUrl, MigrateOp, StoreError, dispatch, migrate};

/// Rows per `INSERT` (14 columns at most: far below either backend's limit
/// on bound parameters).
pub const BATCH: i64 = 1000;

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("--to names the same database as --from")]
    SameDatabase,
    #[error(
        "the source has migrations this version does not apply yet ({0}); run `radar migrate run` on it first"
    )]
    SourceNotMigrated(String),
    #[error("the target is not empty ({0}); copy only into a new, empty database")]
    TargetNotEmpty(String),
    #[error("after the copy, {table} differs: source {source_sum}, target {target_sum}")]
    Mismatch {
        table: &'static str,
        source_sum: Checksum,
        target_sum: Checksum,
    },
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// What the copy is doing, for a progress display.
pub trait Progress: Send {
    /// Starting `table`, which has `rows` rows.
    fn table(&mut self, table: &'static str, rows: u64);
    /// `rows` more rows of the current table are copied.
    fn rows(&mut self, rows: u64);
    /// The current table is copied and committed.
    fn table_done(&mut self);
}

/// No display.
pub struct Quiet;

impl Progress for Quiet {
    fn table(&mut self, _: &'static str, _: u64) {}
    fn rows(&mut self, _: u64) {}
    fn table_done(&mut self) {}
}

/// One table's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCopy {
    pub table: &'static str,
    pub source: Checksum,
    pub target: Checksum,
}

#[derive(Debug, Clone)]
pub struct CopyReport {
    pub tables: Vec<TableCopy>,
    /// Time spent copying (not migrating or verifying).
    pub copy_time: std::time::Duration,
    /// Time spent verifying the target (counts and checksums).
    pub verify_time: std::time::Duration,
}

impl CopyReport {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|t| t.source.rows).sum()
    }
}

async fn exec(conn: &mut Conn, sql: &str) -> Result<(), StoreError> {
    dispatch!(conn, |c| c.batch_execute(sql).await?);
    Ok(())
}

/// Copies everything from `from` into `to` (see the module's text).
pub async fn copy(
    from: &DbUrl,
    to: &DbUrl,
    progress: &mut dyn Progress,
) -> Result<CopyReport, CopyError> {
    if from == to {
        return Err(CopyError::SameDatabase);
    }
    let pending: Vec<String> = migrate(from, MigrateOp::Status)
        .await?
        .into_iter()
        .filter(|m| !m.applied)
        .map(|m| m.version)
        .collect();
    if !pending.is_empty() {
        return Err(CopyError::SourceNotMigrated(pending.join(", ")));
    }
    migrate(to, MigrateOp::Run { dry_run: false }).await?;

    let src_db = Db::connect(from, 1)?;
    let dst_db = Db::connect(to, 1)?;
    let mut src = src_db.get().await?;
    let mut dst = dst_db.get().await?;

    let not_empty: Vec<String> = tables::counts(&mut dst)
        .await?
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(t, n)| format!("{t}: {n} rows"))
        .collect();
    if !not_empty.is_empty() {
        return Err(CopyError::TargetNotEmpty(not_empty.join(", ")));
    }

    // One snapshot of the source for every table.
    let begin = match src.backend() {
        Backend::Sqlite => "BEGIN DEFERRED",
        Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    };
    exec(&mut src, begin).await?;
    let result = copy_tables(&mut src, &mut dst, progress).await;
    let end = exec(&mut src, "ROLLBACK").await;
    let (mut report, copy_time) = result?;
    end?;

    if dst.backend() == Backend::Postgres {
        reset_sequences(&mut dst).await?;
    }

    let started = std::time::Instant::now();
    for t in &mut report {
        t.target = tables::checksum(&mut dst, t.table, BATCH).await?;
        let counted = tables::count(&mut dst, t.table).await?;
        if t.target != t.source || counted as u64 != t.source.rows {
            return Err(CopyError::Mismatch {
                table: t.table,
                source_sum: t.source,
                target_sum: t.target,
            });
        }
    }
    Ok(CopyReport {
        tables: report,
        copy_time,
        verify_time: started.elapsed(),
    })
}

async fn copy_tables(
    src: &mut Conn,
    dst: &mut Conn,
    progress: &mut dyn Progress,
) -> Result<(Vec<TableCopy>, std::time::Duration), StoreError> {
    let mut report = Vec::new();
    let mut copy_time = std::time::Duration::ZERO;
    for &table in tables::TABLES {
        let rows = tables::count(src, table).await?;
        progress.table(table, rows as u64);
        let started = std::time::Instant::now();
        // One write transaction per table on the target.
        dst.begin_write().await?;
        let mut done = |n: u64| progress.rows(n);
        let copied = tables::copy(table, src, dst, BATCH, &mut done).await;
        let source = match copied {
            Ok(sum) => match dst.commit().await {
                Ok(()) => sum,
                Err(e) => {
                    let _ = dst.rollback().await;
                    return Err(e);
                }
            },
            Err(e) => {
                let _ = dst.rollback().await;
                return Err(e);
            }
        };
        copy_time += started.elapsed();
        progress.table_done();
        report.push(TableCopy {
            table,
            source,
            target: Checksum::default(),
        });
    }
    Ok((report, copy_time))
}

#[derive(diesel::QueryableByName)]
struct IdentityColumn {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    column_name: String,
}

/// Moves every identity sequence past the largest id its table holds, so
/// the next row PostgreSQL numbers does not collide with a copied one.
pub async fn reset_sequences(conn: &mut Conn) -> Result<(), StoreError> {
    let cols: Vec<IdentityColumn> = dispatch!(conn, |c| {
        diesel::sql_query(
            "SELECT table_name::text AS table_name, column_name::text AS column_name
               FROM information_schema.columns
              WHERE table_schema = current_schema() AND is_identity = 'YES'",
        )
        .load::<IdentityColumn>(c)
        .await?
    });
    let mut sql = String::new();
    for col in cols {
        let (t, c) = (col.table_name, col.column_name);
        sql.push_str(&format!(
            "SELECT setval(pg_get_serial_sequence('{t}', '{c}'), COALESCE((SELECT MAX({c}) FROM {t}), 0) + 1, false);"
        ));
    }
    if !sql.is_empty() {
        exec(conn, &sql).await?;
    }
    Ok(())
}
