//! Storage faults: what kind of "the database cannot do it now" an error
//! is, how many of each this process met (for `/metrics`), and healing.
//!
//! A SQLite connection opened while its file could not be written (a disk
//! remounted read-only, a file restored with the wrong owner) stays
//! read-only for its whole life, even after the file is fixed; so does one
//! whose file went away. So after a *storage* fault (read-only, full, I/O
//! error, cannot open) every connection opened before it is closed instead
//! of being handed out again (a `pre_recycle` hook on both pools), and the
//! next checkout opens a fresh one. On PostgreSQL the same happens after a
//! "read-only transaction" error (a failover that left the pool on a
//! standby). Closing a healthy connection costs a reconnect; keeping a
//! broken one cost updates applied minutes late.
//!
//! The state is process-wide, like SQLite's own: a process serves one
//! database (tests that open several only see extra reconnects).

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use deadpool::managed::{Hook, HookError, Manager, Metrics};
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::StoreError;

/// Why the database cannot do something now (not a lost race, not a bad
/// query): worth waiting for. (Declared in the order of [`Fault::ALL`].)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// The file or the server accepts no writes (SQLITE_READONLY*, a
    /// PostgreSQL read-only transaction).
    ReadOnly,
    /// No space left (SQLITE_FULL, PostgreSQL's "No space left on device").
    Full,
    /// The disk failed a read or a write (SQLITE_IOERR*).
    Io,
    /// The file cannot be opened (SQLITE_CANTOPEN).
    CantOpen,
    /// Another writer holds the file longer than the busy timeout.
    Locked,
    /// The server is unreachable or the connection broke (and pool timeouts).
    Connection,
}

impl Fault {
    pub const ALL: [Fault; 6] = [
        Fault::ReadOnly,
        Fault::Full,
        Fault::Io,
        Fault::CantOpen,
        Fault::Locked,
        Fault::Connection,
    ];

    /// The `kind` label of `radar_store_failures_total`.
    pub fn label(self) -> &'static str {
        match self {
            Fault::ReadOnly => "read_only",
            Fault::Full => "full",
            Fault::Io => "io",
            Fault::CantOpen => "cant_open",
            Fault::Locked => "locked",
            Fault::Connection => "connection",
        }
    }

    /// A fault of the storage under the connection: connections opened
    /// before it are not trusted again.
    fn storage(self) -> bool {
        matches!(
            self,
            Fault::ReadOnly | Fault::Full | Fault::Io | Fault::CantOpen
        )
    }

    /// The fault an error message tells of. SQLite's messages are its fixed
    /// texts for the primary result codes (`sqlite3ErrStr`), which diesel
    /// passes on without the code.
    pub(crate) fn of_message(m: &str) -> Option<Fault> {
        if m.contains("database is locked") || m.contains("database table is locked") {
            Some(Fault::Locked)
        } else if m.contains("readonly database") || m.contains("read-only transaction") {
            Some(Fault::ReadOnly)
        } else if m.contains("database or disk is full") || m.contains("No space left on device") {
            Some(Fault::Full)
        } else if m.contains("disk I/O error") {
            Some(Fault::Io)
        } else if m.contains("unable to open database file") {
            Some(Fault::CantOpen)
        } else if m.contains("connection") {
            Some(Fault::Connection)
        } else {
            None
        }
    }

    pub(crate) fn of_diesel(e: &DieselError) -> Option<Fault> {
        match e {
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => {
                Some(Fault::Connection)
            }
            DieselError::DatabaseError(DatabaseErrorKind::ReadOnlyTransaction, _) => {
                Some(Fault::ReadOnly)
            }
            DieselError::DatabaseError(_, info) => Fault::of_message(info.message()),
            DieselError::BrokenTransactionManager => Some(Fault::Connection),
            _ => None,
        }
    }
}

/// Failures of each [`Fault`] kind, in the order of [`Fault::ALL`].
static FAILURES: [AtomicU64; 6] = [const { AtomicU64::new(0) }; 6];
/// The process's zero for the instants below (stored as nanoseconds after it, plus one; 0 is "never").
static EPOCH: LazyLock<Instant> = LazyLock::new(Instant::now);
static LAST_STORAGE_FAULT: AtomicU64 = AtomicU64::new(0);
static LAST_FAULT: AtomicU64 = AtomicU64::new(0);
static LAST_WRITE: AtomicU64 = AtomicU64::new(0);

fn stamp(at: Instant) -> u64 {
    u64::try_from(at.saturating_duration_since(*EPOCH).as_nanos())
        .unwrap_or(u64::MAX - 1)
        .saturating_add(1)
}

/// Counts an error, and after a storage fault distrusts the open connections.
pub(crate) fn observe(e: &StoreError) {
    let Some(fault) = e.fault() else { return };
    FAILURES[fault as usize].fetch_add(1, Ordering::Relaxed);
    let now = stamp(Instant::now());
    LAST_FAULT.fetch_max(now, Ordering::Relaxed);
    if fault.storage() {
        LAST_STORAGE_FAULT.fetch_max(now, Ordering::Relaxed);
        tracing::debug!(
            kind = fault.label(),
            "storage fault: connections will be reopened"
        );
    }
}

/// A write transaction committed.
pub(crate) fn wrote() {
    LAST_WRITE.fetch_max(stamp(Instant::now()), Ordering::Relaxed);
}

/// How many store operations failed, by kind, since the process started.
pub fn failures() -> [(Fault, u64); 6] {
    Fault::ALL.map(|f| (f, FAILURES[f as usize].load(Ordering::Relaxed)))
}

/// Whether a write committed within `within` with no failure since: then
/// there is no need to probe.
pub fn wrote_within(within: Duration) -> bool {
    let last = LAST_WRITE.load(Ordering::Relaxed);
    last != 0
        && last > LAST_FAULT.load(Ordering::Relaxed)
        && last >= stamp(Instant::now().checked_sub(within).unwrap_or(*EPOCH))
}

/// The `pre_recycle` hook of both pools: a connection opened before the
/// last storage fault is closed rather than handed out.
pub(crate) fn reopen_after_fault<M: Manager>() -> Hook<M> {
    LazyLock::force(&EPOCH);
    Hook::sync_fn(|_, metrics: &Metrics| {
        let fault = LAST_STORAGE_FAULT.load(Ordering::Relaxed);
        if fault != 0 && stamp(metrics.created) <= fault {
            Err(HookError::message(
                "opened before a storage fault; reopening",
            ))
        } else {
            Ok(())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_classified() {
        // SQLite's texts for its primary result codes (sqlite3ErrStr).
        for (m, f) in [
            ("attempt to write a readonly database", Fault::ReadOnly),
            ("database or disk is full", Fault::Full),
            ("disk I/O error", Fault::Io),
            ("unable to open database file", Fault::CantOpen),
            ("database is locked", Fault::Locked),
            ("database table is locked", Fault::Locked),
            // PostgreSQL.
            (
                "cannot execute INSERT in a read-only transaction",
                Fault::ReadOnly,
            ),
            (
                "could not extend file \"base/1/2\": No space left on device",
                Fault::Full,
            ),
            (
                "server closed the connection unexpectedly",
                Fault::Connection,
            ),
        ] {
            assert_eq!(Fault::of_message(m), Some(f), "{m}");
        }
        assert_eq!(
            Fault::of_message("UNIQUE constraint failed: projects.name"),
            None
        );
        assert_eq!(Fault::of_message("syntax error"), None);
    }

    #[test]
    fn labels_are_distinct() {
        let labels: std::collections::HashSet<_> = Fault::ALL.iter().map(|f| f.label()).collect();
        assert_eq!(labels.len(), Fault::ALL.len());
        for (i, f) in Fault::ALL.iter().enumerate() {
            assert_eq!(*f as usize, i, "ALL is in declaration order");
        }
    }
}
