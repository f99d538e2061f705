//! Opening a connection, and saying why one could not be opened: which
//! database (`host:port`, or the SQLite file; never a password) and the
//! cause (the name does not resolve, nothing listens there, the login or
//! the database name is wrong, the file cannot be opened, is read-only or
//! is not a database). Every connection of the program is opened here: the
//! pools' and the migrations'.
//!
//! New SQLite files are created owner-only (0600) before SQLite opens them;
//! SQLite gives its `-wal` and `-shm` files the database file's mode.

use std::error::Error as _;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::result::{ConnectionError, DatabaseErrorKind, Error as DieselError};
use diesel::{Connection, SqliteConnection};
use diesel_async::AsyncPgConnection;
use tokio_postgres::error::SqlState;

/// How long opening a TCP connection to PostgreSQL may take, unless the URL
/// says otherwise (`?connect_timeout=SECONDS`).
pub const PG_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a SQLite connection waits for a writer's lock before giving up.
pub(crate) const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

/// A connection that could not be opened: where to, and why. Displayed as
/// one line that names `DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("DATABASE_URL: cannot {target}: {cause}")]
pub struct ConnectError {
    /// "connect to PostgreSQL at HOST:PORT" or "open the SQLite database PATH".
    pub target: String,
    pub cause: Cause,
}

/// Why a connection could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Cause {
    #[error("the host name {host:?} does not resolve (DNS: {detail})")]
    UnknownHost { host: String, detail: String },
    #[error(
        "connection refused: nothing listens there (is PostgreSQL running, on that host and port?)"
    )]
    Refused,
    #[error(
        "no answer within {0} s (is the address right? a firewall may drop the connection; set ?connect_timeout=SECONDS in the URL to wait longer)"
    )]
    TimedOut(u64),
    #[error("cannot reach the server: {0}")]
    Unreachable(String),
    #[error(
        "the server asks for a password and the URL has none (postgres://USER:PASSWORD@HOST:PORT/DATABASE)"
    )]
    PasswordMissing,
    #[error("authentication failed: {0} (check the user name and password in the URL)")]
    AuthFailed(String),
    #[error("unknown role: {0} (check the user name in the URL)")]
    UnknownRole(String),
    #[error("unknown database: {0} (create it, or fix the name at the end of the URL)")]
    UnknownDatabase(String),
    #[error("the server does not accept connections now: {0}")]
    NotReady(String),
    #[error("the server refused the connection: {0}")]
    Refusal(String),
    #[error("the directory {} does not exist", .0.display())]
    NoDirectory(PathBuf),
    #[error("it is a directory, not a file")]
    IsDirectory,
    #[error("permission denied ({0})")]
    PermissionDenied(String),
    #[error(
        "the database is read-only ({0}); Radar writes to the file and creates the -wal and -shm files beside it"
    )]
    ReadOnly(String),
    #[error("the file is not a SQLite database ({0})")]
    NotADatabase(String),
    #[error("the database is locked by another process ({0})")]
    Locked(String),
    #[error("{0}")]
    Other(String),
}

impl ConnectError {
    /// A cause that waiting will not cure (a wrong name, login, file): at
    /// start, `radar serve` stops on it instead of retrying.
    /// The storage fault this is, for `/readyz` and the failure counts.
    pub fn fault(&self) -> crate::Fault {
        match &self.cause {
            Cause::ReadOnly(_) => crate::Fault::ReadOnly,
            Cause::NoDirectory(_)
            | Cause::IsDirectory
            | Cause::PermissionDenied(_)
            | Cause::NotADatabase(_) => crate::Fault::CantOpen,
            Cause::Locked(_) => crate::Fault::Locked,
            _ => crate::Fault::Connection,
        }
    }

    ///
    /// A read-only file or directory, or files owned by someone else (a disk
    /// remounted read-only, a restore with the wrong owner), are not among
    /// them: an operator fixes them while Radar waits (issue 9, item 17).
    pub fn is_permanent(&self) -> bool {
        matches!(
            self.cause,
            Cause::PasswordMissing
                | Cause::AuthFailed(_)
                | Cause::UnknownRole(_)
                | Cause::UnknownDatabase(_)
                | Cause::NoDirectory(_)
                | Cause::IsDirectory
                | Cause::NotADatabase(_)
        )
    }
}

/// A PostgreSQL URL's settings, with the default connect timeout applied.
pub(crate) fn pg_config(url: &str) -> Result<tokio_postgres::Config, String> {
    let mut config = tokio_postgres::Config::from_str(url).map_err(|e| chain(&e))?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(PG_CONNECT_TIMEOUT);
    }
    Ok(config)
}

/// `host:port` of every host of the URL (never the user's password).
pub(crate) fn pg_target(config: &tokio_postgres::Config) -> String {
    let ports = config.get_ports();
    let port = |i: usize| ports.get(i).or(ports.first()).copied().unwrap_or(5432);
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, h)| match h {
            tokio_postgres::config::Host::Tcp(h) if h.contains(':') => format!("[{h}]:{}", port(i)),
            tokio_postgres::config::Host::Tcp(h) => format!("{h}:{}", port(i)),
            #[cfg(unix)]
            tokio_postgres::config::Host::Unix(p) => {
                format!("{}", p.join(format!(".s.PGSQL.{}", port(i))).display())
            }
        })
        .collect();
    if hosts.is_empty() {
        "connect to PostgreSQL (the URL names no host)".into()
    } else {
        format!("connect to PostgreSQL at {}", hosts.join(", "))
    }
}

/// Opens a PostgreSQL connection (no TLS, like diesel-async's own
/// `establish`), keeping tokio-postgres's error to explain a failure.
pub async fn connect_pg(url: &str) -> Result<AsyncPgConnection, ConnectError> {
    let config = pg_config(url).map_err(|e| ConnectError {
        target: "connect to PostgreSQL".into(),
        cause: Cause::Other(format!("the URL is not valid: {e}")),
    })?;
    let target = pg_target(&config);
    let (client, connection) = match config.connect(tokio_postgres::NoTls).await {
        Ok(c) => c,
        Err(e) => {
            let cause = pg_cause(&config, &e).await;
            return Err(ConnectError { target, cause });
        }
    };
    AsyncPgConnection::try_from_client_and_connection(client, connection)
        .await
        .map_err(|e| ConnectError {
            target,
            cause: Cause::Other(e.to_string()),
        })
}

/// The error and its causes, as one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(c) = source {
        let text = c.to_string();
        if !s.ends_with(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        source = c.source();
    }
    s
}

async fn pg_cause(config: &tokio_postgres::Config, e: &tokio_postgres::Error) -> Cause {
    if let Some(db) = e.as_db_error() {
        let message = db.message().to_string();
        let code = db.code();
        return if *code == SqlState::INVALID_PASSWORD {
            Cause::AuthFailed(message)
        } else if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION {
            // "role … does not exist", or "no pg_hba.conf entry for host …".
            if message.starts_with("role ") && message.ends_with("does not exist") {
                Cause::UnknownRole(message)
            } else {
                Cause::AuthFailed(message)
            }
        } else if *code == SqlState::INVALID_CATALOG_NAME {
            Cause::UnknownDatabase(message)
        } else if *code == SqlState::CANNOT_CONNECT_NOW || *code == SqlState::TOO_MANY_CONNECTIONS {
            Cause::NotReady(message)
        } else {
            Cause::Refusal(message)
        };
    }
    let source = e.source();
    if source.map(|s| s.to_string()).as_deref() == Some("password missing") {
        return Cause::PasswordMissing;
    }
    let io = source.and_then(|s| s.downcast_ref::<io::Error>());
    let Some(io) = io else {
        return Cause::Other(chain(e));
    };
    match io.kind() {
        io::ErrorKind::ConnectionRefused => return Cause::Refused,
        io::ErrorKind::TimedOut => {
            let secs = config
                .get_connect_timeout()
                .copied()
                .unwrap_or(PG_CONNECT_TIMEOUT)
                .as_secs();
            return Cause::TimedOut(secs);
        }
        io::ErrorKind::HostUnreachable | io::ErrorKind::NetworkUnreachable => {
            return Cause::Unreachable(io.to_string());
        }
        _ => {}
    }
    // Anything else on a named host: does the name resolve at all? (The
    // resolver's error has no stable kind, so ask it again.)
    let ports = config.get_ports();
    for (i, h) in config.get_hosts().iter().enumerate() {
        if let tokio_postgres::config::Host::Tcp(host) = h
            && host.parse::<std::net::IpAddr>().is_err()
        {
            let port = ports.get(i).or(ports.first()).copied().unwrap_or(5432);
            let resolved = tokio::net::lookup_host((host.as_str(), port)).await;
            let detail = match resolved.map(|mut addrs| addrs.next()) {
                Err(e) => Some(e.to_string()),
                Ok(None) => Some("no address".into()),
                Ok(Some(_)) => None,
            };
            if let Some(detail) = detail {
                return Cause::UnknownHost {
                    host: host.clone(),
                    detail,
                };
            }
        }
    }
    Cause::Unreachable(io.to_string())
}

/// The file a SQLite path names: a plain path, or the path of a `file:` URI
/// that may create it (not `mode=ro`, `rw` or `memory`).
pub(crate) fn sqlite_file(path: &str) -> Option<PathBuf> {
    let Some(uri) = path.strip_prefix("file:") else {
        return Some(PathBuf::from(path));
    };
    let (p, query) = uri.split_once('?').unwrap_or((uri, ""));
    let p = p.split_once('#').map_or(p, |(p, _)| p);
    let creates = query
        .split('&')
        .filter_map(|kv| kv.strip_prefix("mode="))
        .all(|m| m == "rwc");
    if !creates {
        return None;
    }
    let p = match p.strip_prefix("//") {
        Some(rest) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            if !(authority.is_empty() || authority == "localhost") {
                return None;
            }
            path
        }
        None => p,
    };
    Some(PathBuf::from(percent_decode(p)))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Creates the database file owner-only (0600) if it does not exist yet, so
/// that neither it nor its `-wal`/`-shm` files (SQLite creates them with
/// the database file's mode) are ever readable by other users.
fn create_private(file: &Path) -> Result<(), Cause> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(file) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io_cause(file, &e)),
    }
}

fn io_cause(file: &Path, e: &io::Error) -> Cause {
    match e.kind() {
        io::ErrorKind::NotFound => match file.parent() {
            Some(dir) if !dir.as_os_str().is_empty() && !dir.exists() => {
                Cause::NoDirectory(dir.to_path_buf())
            }
            _ => Cause::Other(e.to_string()),
        },
        io::ErrorKind::PermissionDenied => Cause::PermissionDenied(e.to_string()),
        io::ErrorKind::ReadOnlyFilesystem => Cause::ReadOnly(e.to_string()),
        io::ErrorKind::IsADirectory => Cause::IsDirectory,
        _ => Cause::Other(e.to_string()),
    }
}

/// Why SQLite could not open `file` (it says only "unable to open database
/// file"): look at the file system.
fn open_cause(file: Option<&Path>, message: String) -> Cause {
    let Some(file) = file else {
        return Cause::Other(message);
    };
    if file.is_dir() {
        return Cause::IsDirectory;
    }
    if let Some(dir) = file.parent()
        && !dir.as_os_str().is_empty()
        && !dir.exists()
    {
        return Cause::NoDirectory(dir.to_path_buf());
    }
    match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(file)
    {
        Err(e) => io_cause(file, &e),
        Ok(_) => Cause::Other(message),
    }
}

fn sqlite_error_cause(e: &DieselError) -> Cause {
    let message = match e {
        DieselError::DatabaseError(_, info) => info.message().to_string(),
        e => e.to_string(),
    };
    if let DieselError::DatabaseError(DatabaseErrorKind::ReadOnlyTransaction, _) = e {
        return Cause::ReadOnly(message);
    }
    if message.contains("readonly database") {
        Cause::ReadOnly(message)
    } else if message.contains("not a database") {
        Cause::NotADatabase(message)
    } else if message.contains("database is locked") {
        Cause::Locked(message)
    } else {
        Cause::Other(message)
    }
}

/// Opens the SQLite database at `path` (creating it owner-only when it does
/// not exist) with Radar's settings: WAL, `synchronous=FULL`, foreign keys,
/// a busy timeout.
pub(crate) fn sqlite_setup(path: &str) -> Result<SqliteConnection, ConnectError> {
    let file = sqlite_file(path);
    let target = format!(
        "open the SQLite database {}",
        file.as_deref()
            .map(|f| f.display().to_string())
            .unwrap_or_else(|| path.to_string())
    );
    let fail = |cause| ConnectError {
        target: target.clone(),
        cause,
    };
    if let Some(f) = &file {
        create_private(f).map_err(fail)?;
    }
    let mut conn = SqliteConnection::establish(path).map_err(|e| {
        let message = match e {
            ConnectionError::BadConnection(m) | ConnectionError::InvalidConnectionUrl(m) => m,
            e => e.to_string(),
        };
        fail(open_cause(file.as_deref(), message))
    })?;
    conn.batch_execute(&format!(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS};"
    ))
    .map_err(|e| fail(sqlite_error_cause(&e)))?;
    Ok(conn)
}

/// Warns when an existing database file is readable or writable by other
/// users (files created by Radar since 0.1 are owner-only).
pub(crate) fn warn_if_shared(path: &str) {
    #[cfg(unix)]
    if let Some(file) = sqlite_file(path)
        && let Ok(meta) = std::fs::metadata(&file)
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            tracing::warn!(
                file = %file.display(),
                mode = format!("{mode:o}"),
                "the database file is accessible to other users; `chmod 600` it and its -wal and -shm files"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_files() {
        assert_eq!(sqlite_file("radar.db"), Some(PathBuf::from("radar.db")));
        assert_eq!(
            sqlite_file("file:/var/lib/radar/my%20radar.db?cache=shared"),
            Some(PathBuf::from("/var/lib/radar/my radar.db"))
        );
        assert_eq!(
            sqlite_file("file://localhost/x.db"),
            Some(PathBuf::from("/x.db"))
        );
        assert_eq!(sqlite_file("file:x.db?mode=ro"), None);
        assert_eq!(
            sqlite_file("file:x.db?mode=rwc"),
            Some(PathBuf::from("x.db"))
        );
    }

    #[test]
    fn targets_never_show_the_password() {
        let c = pg_config("postgres://radar:s3cret@db.example:6543/radar").unwrap();
        let t = pg_target(&c);
        assert_eq!(t, "connect to PostgreSQL at db.example:6543");
        let c = pg_config("postgresql://u:p@[::1]/x").unwrap();
        assert_eq!(pg_target(&c), "connect to PostgreSQL at [::1]:5432");
    }
}
