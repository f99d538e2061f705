//! Group commit: the writes of several callers (updates of different chats,
//! a `getUpdates` batch's receipts, the outbox's "sent" marks) applied in
//! one write transaction, each inside its own savepoint, committed once.
//!
//! Why: every commit is a durable flush (`fsync` on SQLite's WAL with
//! `synchronous=FULL`, a WAL flush on PostgreSQL). One per update made the
//! flush, not the work, the limit on SQLite's single writer. Here, whatever
//! queued while the previous group was committing goes into the next group:
//! one command alone is committed at once (no waiting for company), and
//! under load the flushes are shared.
//!
//! What each caller keeps:
//! - **Isolation of failures.** A job that fails rolls back to its own
//!   savepoint (`SAVEPOINT` / `ROLLBACK TO`): the group's other jobs keep
//!   their writes. The caller gets its error at once.
//! - **Durable before answered.** A job's result is handed to its caller
//!   only after the group's `COMMIT` returned. If the commit (or any
//!   savepoint statement) fails, nothing of the group was written and every
//!   caller gets [`GroupError::NotCommitted`]: it runs its work again in a
//!   transaction of its own, which reports the real error.
//! - **Order.** Jobs run in the order they were submitted, one after the
//!   other, on one connection.
//! - **Crash.** A crash before `COMMIT` loses the whole group, as it would
//!   lose each transaction: nobody was answered, so nothing was promised.
//!
//! A group holds at most [`GroupCommit::start`]'s `max_jobs` jobs. On SQLite
//! one committer runs (there is one writer per file anyway); on PostgreSQL
//! several can, each with its own connection and transaction.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::{Conn, Db, StoreError, health};

/// Why a job's result did not come back.
#[derive(Debug, thiserror::Error)]
pub enum GroupError<E> {
    /// The job ran and failed; its writes were rolled back (to its
    /// savepoint), the group's others were kept.
    #[error(transparent)]
    Failed(E),
    /// The group could not be committed (or the committer is gone): nothing
    /// of the job was written. Run it again on its own.
    #[error("the group commit did not complete")]
    NotCommitted,
}

/// What a job left for its caller: called once the group's fate is known
/// (`true`: committed).
type Deliver = Box<dyn FnOnce(bool) + Send>;

struct Finished {
    /// Keep the job's writes (release its savepoint) or roll them back.
    keep: bool,
    deliver: Deliver,
}

type Job = Box<dyn for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, Finished> + Send>;

/// The queue of the group committer(s). Cheap to clone.
#[derive(Clone)]
pub struct GroupCommit {
    jobs: mpsc::UnboundedSender<Job>,
    stats: Arc<Stats>,
}

/// Counters, for `/metrics` and the benchmarks.
#[derive(Debug, Default)]
pub struct Stats {
    /// Groups committed.
    pub groups: std::sync::atomic::AtomicU64,
    /// Jobs in those groups.
    pub jobs: std::sync::atomic::AtomicU64,
    /// Jobs waiting for a group now.
    pub queued: std::sync::atomic::AtomicUsize,
}

/// Called with the number of jobs of a group just before its `COMMIT` (a
/// test holds a group there to kill the process inside it).
pub type BeforeCommit = Arc<dyn Fn(usize) -> BoxFuture<'static, ()> + Send + Sync>;

impl GroupCommit {
    /// Starts `committers` tasks (at least one) taking jobs from one queue,
    /// each group holding at most `max_jobs` jobs. Must be called inside a
    /// tokio runtime; the tasks end when every clone of the queue is dropped.
    pub fn start(db: Db, committers: usize, max_jobs: usize) -> GroupCommit {
        GroupCommit::start_with(db, committers, max_jobs, None)
    }

    /// [`GroupCommit::start`], calling `before_commit` before each `COMMIT`.
    pub fn start_with(
        db: Db,
        committers: usize,
        max_jobs: usize,
        before_commit: Option<BeforeCommit>,
    ) -> GroupCommit {
        let (tx, rx) = mpsc::unbounded_channel();
        let rx = Arc::new(Mutex::new(rx));
        let stats = Arc::new(Stats::default());
        for _ in 0..committers.max(1) {
            tokio::spawn(committer(
                db.clone(),
                rx.clone(),
                max_jobs.max(1),
                stats.clone(),
                before_commit.clone(),
            ));
        }
        GroupCommit { jobs: tx, stats }
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Runs `work` in the next group's transaction, in a savepoint of its
    /// own. `Ok` once the group is committed; [`GroupError::Failed`] at once
    /// when `work` fails (its writes rolled back); [`GroupError::NotCommitted`]
    /// when the group was not committed.
    pub async fn run<T, E, F>(&self, work: F) -> Result<T, GroupError<E>>
    where
        F: for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, Result<T, E>> + Send + 'static,
        T: Send + 'static,
        E: Send + 'static,
    {
        let (tx, rx) = oneshot::channel::<Result<T, GroupError<E>>>();
        let job: Job = Box::new(move |conn: &mut Conn| {
            Box::pin(async move {
                match work(conn).await {
                    Ok(v) => Finished {
                        keep: true,
                        deliver: Box::new(move |committed| {
                            let _ = tx.send(if committed {
                                Ok(v)
                            } else {
                                Err(GroupError::NotCommitted)
                            });
                        }),
                    },
                    Err(e) => Finished {
                        keep: false,
                        deliver: Box::new(move |_| {
                            let _ = tx.send(Err(GroupError::Failed(e)));
                        }),
                    },
                }
            }) as BoxFuture<'_, Finished>
        });
        self.stats
            .queued
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if self.jobs.send(job).is_err() {
            return Err(GroupError::NotCommitted);
        }
        rx.await.unwrap_or(Err(GroupError::NotCommitted))
    }
}

async fn committer(
    db: Db,
    rx: Arc<Mutex<mpsc::UnboundedReceiver<Job>>>,
    max_jobs: usize,
    stats: Arc<Stats>,
    before_commit: Option<BeforeCommit>,
) {
    let mut batch: Vec<Job> = Vec::with_capacity(max_jobs);
    loop {
        {
            // One committer takes what is queued now (waiting for the first
            // job only); the others wait for their turn at the queue.
            let mut rx = rx.lock().await;
            match rx.recv().await {
                Some(j) => batch.push(j),
                None => return,
            }
            while batch.len() < max_jobs {
                match rx.try_recv() {
                    Ok(j) => batch.push(j),
                    Err(_) => break,
                }
            }
        }
        stats
            .queued
            .fetch_sub(batch.len(), std::sync::atomic::Ordering::Relaxed);
        let n = batch.len() as u64;
        let committed = run_group(&db, &mut batch, before_commit.as_ref()).await;
        if committed {
            use std::sync::atomic::Ordering::Relaxed;
            stats.groups.fetch_add(1, Relaxed);
            stats.jobs.fetch_add(n, Relaxed);
        }
    }
}

/// Runs the jobs of one group and answers each of them. Returns whether the
/// group was committed.
async fn run_group(db: &Db, batch: &mut Vec<Job>, before_commit: Option<&BeforeCommit>) -> bool {
    let mut finished: Vec<Finished> = Vec::with_capacity(batch.len());
    let outcome: Result<(), StoreError> = async {
        let mut conn = db.get().await?;
        conn.begin_write().await?;
        let alone = batch.len() == 1;
        let run = async {
            for job in batch.drain(..) {
                if alone {
                    // One job: the transaction is its savepoint.
                    let f = job(&mut conn).await;
                    let keep = f.keep;
                    finished.push(f);
                    if !keep {
                        conn.rollback().await?;
                        return Ok(false);
                    }
                    continue;
                }
                conn.savepoint().await?;
                let f = job(&mut conn).await;
                if f.keep {
                    conn.release_savepoint().await?;
                } else {
                    conn.rollback_savepoint().await?;
                }
                finished.push(f);
            }
            Ok::<bool, StoreError>(true)
        };
        let kept = run.await;
        if let (Ok(true), Some(hook)) = (&kept, before_commit) {
            hook(finished.len()).await;
        }
        match kept {
            Ok(true) => match conn.commit().await {
                Ok(()) => {
                    health::wrote();
                    Ok(())
                }
                Err(e) => {
                    let _ = conn.rollback().await;
                    Err(e)
                }
            },
            Ok(false) => Ok(()),
            Err(e) => {
                let _ = conn.rollback().await;
                Err(e)
            }
        }
    }
    .await;
    let committed = match &outcome {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(error = %e, jobs = finished.len() + batch.len(), "group commit failed; its jobs run again on their own");
            false
        }
    };
    for f in finished {
        (f.deliver)(committed);
    }
    // Jobs not reached (the group failed before them) are dropped: their
    // callers see the channel close and run again on their own.
    batch.clear();
    committed
}
