//! `radar backup PATH`: a consistent copy of a SQLite database, taken while
//! `radar serve` runs.
//!
//! `VACUUM INTO` reads the database in one read transaction: with WAL,
//! writers go on meanwhile, and the copy holds exactly what was committed
//! when it began (every update acknowledged before). The file is created
//! owner-only (0600) before SQLite writes into it, synced to disk, then
//! opened again and verified: `PRAGMA integrity_check` says `ok` and its
//! migrations are the source's. On PostgreSQL there is no such thing to do
//! from here: [`BackupError::Postgres`] says how to use `pg_dump`.

use std::path::{Path, PathBuf};

use diesel::connection::SimpleConnection;
use diesel::sql_types::Text;
use diesel::{Connection, RunQueryDsl, SqliteConnection};

use crate::connect::sqlite_file;
use crate::{DbUrl, StoreError, sqlite_setup};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "DATABASE_URL is PostgreSQL: back it up with pg_dump, which takes a consistent snapshot while Radar runs:\n  \
         pg_dump --format=custom --file=radar.dump \"$DATABASE_URL\"\n\
         and restore into a new, empty database with:\n  \
         pg_restore --dbname=\"$NEW_DATABASE_URL\" --no-owner radar.dump\n\
         (the append-only triggers and identity sequences come back with it)"
    )]
    Postgres,
    #[error("the database {0} does not exist")]
    NoSource(PathBuf),
    #[error("{0} already exists; give a new file name (a backup never overwrites a file)")]
    Exists(PathBuf),
    #[error("cannot create {path}: {cause}")]
    Create {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("DATABASE_URL names no file a backup can be taken of")]
    NoFile,
    #[error("the backup {path} failed verification: {why}")]
    Verify { path: PathBuf, why: String },
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// A verified backup.
#[derive(Debug, Clone)]
pub struct Backup {
    pub path: PathBuf,
    pub bytes: u64,
    /// The latest migration applied in the copy (the source's).
    pub migration: Option<String>,
    /// Row counts of the copy, per table.
    pub counts: Vec<(&'static str, i64)>,
}

#[derive(diesel::QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

fn versions(conn: &mut SqliteConnection) -> Result<Vec<String>, diesel::result::Error> {
    let mut v: Vec<String> =
        diesel::sql_query("SELECT version AS line FROM __diesel_schema_migrations")
            .load::<Line>(conn)?
            .into_iter()
            .map(|l| l.line)
            .collect();
    v.sort();
    Ok(v)
}

/// Takes and verifies a backup of the SQLite database `url` into `dest`.
pub async fn backup(url: &DbUrl, dest: &Path) -> Result<Backup, BackupError> {
    let DbUrl::Sqlite(path) = url else {
        return Err(BackupError::Postgres);
    };
    let source = sqlite_file(path).ok_or(BackupError::NoFile)?;
    if !source.is_file() {
        return Err(BackupError::NoSource(source));
    }
    let (path, dest) = (path.clone(), dest.to_path_buf());
    tokio::task::spawn_blocking(move || backup_blocking(&path, &dest))
        .await
        .map_err(|e| StoreError::Unavailable(e.to_string()))?
}

fn backup_blocking(path: &str, dest: &Path) -> Result<Backup, BackupError> {
    // Owner-only from the first byte: created empty here (VACUUM INTO
    // accepts an empty file), never over an existing one.
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(dest) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(BackupError::Exists(dest.to_path_buf()));
        }
        Err(cause) => {
            return Err(BackupError::Create {
                path: dest.to_path_buf(),
                cause,
            });
        }
    }
    let made = vacuum_into(path, dest);
    if let Err(e) = made {
        let _ = std::fs::remove_file(dest);
        return Err(e);
    }
    verify(dest, made.as_ref().ok().cloned().unwrap_or_default())
}

/// Copies the database into `dest`; returns the source's applied migrations
/// (read in the same snapshot as the copy).
fn vacuum_into(path: &str, dest: &Path) -> Result<Vec<String>, BackupError> {
    let mut conn = sqlite_setup(path).map_err(StoreError::from)?;
    let dest_str = dest.to_string_lossy().into_owned();
    let result = (|| -> Result<Vec<String>, diesel::result::Error> {
        // The migrations and the copy in one read transaction: the same
        // moment of the database. (VACUUM cannot run inside a transaction,
        // so the migrations are read right before, and compared in
        // `verify`: a migration between the two would show as a mismatch.)
        let v = versions(&mut conn)?;
        diesel::sql_query("VACUUM INTO ?")
            .bind::<Text, _>(&dest_str)
            .execute(&mut conn)?;
        Ok(v)
    })();
    let versions = result.map_err(StoreError::from)?;
    let file = std::fs::File::open(dest).map_err(|cause| BackupError::Create {
        path: dest.to_path_buf(),
        cause,
    })?;
    file.sync_all().map_err(|cause| BackupError::Create {
        path: dest.to_path_buf(),
        cause,
    })?;
    Ok(versions)
}

fn verify(dest: &Path, source_versions: Vec<String>) -> Result<Backup, BackupError> {
    let fail = |why: String| BackupError::Verify {
        path: dest.to_path_buf(),
        why,
    };
    // Read only: verifying changes nothing in the copy.
    let url = format!("file:{}?mode=ro", dest.display());
    let mut conn = SqliteConnection::establish(&url).map_err(|e| fail(e.to_string()))?;
    conn.batch_execute("PRAGMA query_only = ON")
        .map_err(|e| fail(e.to_string()))?;
    let integrity: Vec<Line> =
        diesel::sql_query("SELECT integrity_check AS line FROM pragma_integrity_check()")
            .load::<Line>(&mut conn)
            .map_err(|e| fail(e.to_string()))?;
    let lines: Vec<String> = integrity.into_iter().map(|l| l.line).collect();
    if lines != ["ok"] {
        return Err(fail(format!("integrity_check: {}", lines.join("; "))));
    }
    let copied = versions(&mut conn).map_err(|e| fail(format!("migrations: {e}")))?;
    if copied != source_versions {
        return Err(fail(format!(
            "it has the migrations {copied:?}, the source {source_versions:?}"
        )));
    }
    let mut counts = Vec::new();
    for t in crate::tables::TABLES {
        let n: Vec<Line> =
            diesel::sql_query(format!("SELECT CAST(COUNT(*) AS TEXT) AS line FROM {t}"))
                .load::<Line>(&mut conn)
                .map_err(|e| fail(format!("{t}: {e}")))?;
        let n = n.first().and_then(|l| l.line.parse().ok()).unwrap_or(0);
        counts.push((*t, n));
    }
    let bytes = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
    Ok(Backup {
        path: dest.to_path_buf(),
        bytes,
        migration: copied.last().cloned(),
        counts,
    })
}
