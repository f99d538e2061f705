//! Housekeeping in `radar serve`: keeps the tables that only grow from
//! growing forever. At start and then every few minutes it deletes, in
//! small transactions (so writers wait for a batch at most):
//!
//! - message keys processed longer ago than `RADAR_KEY_RETENTION` (never a
//!   key whose update is not processed yet, never a `seed:` key);
//! - replies done (sent or given up) and queued longer ago than the retention;
//! - offered buttons that expired.
//!
//! and counts what is left of `processed_messages` for `/metrics`.

use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDateTime, Utc};
use tokio_util::sync::CancellationToken;

use crate::metrics::{Metrics, TableLabel};
use radar_store::{Conn, Db, StoreError, offered_actions, outbox, processed_messages};

/// Rows deleted per transaction.
pub const BATCH: i64 = 500;
/// Time between passes.
pub const INTERVAL: Duration = Duration::from_secs(5 * 60);

pub struct Housekeeping {
    pub db: Db,
    pub metrics: Arc<Metrics>,
    /// `RADAR_KEY_RETENTION`.
    pub retention: Duration,
}

/// What one pass deleted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pruned {
    pub processed_messages: usize,
    pub outbox: usize,
    pub offered_actions: usize,
}

/// The tables housekeeping prunes.
#[derive(Debug, Clone, Copy)]
enum Table {
    ProcessedMessages,
    Outbox,
    OfferedActions,
}

impl Table {
    /// In the order of a pass.
    const ALL: [Table; 3] = [
        Table::ProcessedMessages,
        Table::Outbox,
        Table::OfferedActions,
    ];

    fn name(self) -> &'static str {
        match self {
            Table::ProcessedMessages => "processed_messages",
            Table::Outbox => "outbox",
            Table::OfferedActions => "offered_actions",
        }
    }
}

impl Housekeeping {
    /// Deletes one batch from `table`: rows past `before` (the retention),
    /// or for offers, expired at `now`.
    async fn batch(
        conn: &mut Conn,
        table: Table,
        before: NaiveDateTime,
        now: NaiveDateTime,
    ) -> Result<usize, StoreError> {
        match table {
            Table::ProcessedMessages => processed_messages::prune(conn, before, BATCH).await,
            Table::Outbox => outbox::prune(conn, before, BATCH).await,
            Table::OfferedActions => offered_actions::prune(conn, now, BATCH).await,
        }
    }

    /// Deletes from `table` until a batch comes back short (or Radar stops);
    /// returns how many rows. Each batch is its own transaction, so other
    /// writers get their turn in between.
    async fn drain(
        conn: &mut Conn,
        table: Table,
        before: NaiveDateTime,
        now: NaiveDateTime,
        cancel: &CancellationToken,
    ) -> Result<usize, StoreError> {
        let mut total = 0;
        loop {
            let n = Self::batch(conn, table, before, now).await?;
            total += n;
            if n < BATCH as usize || cancel.is_cancelled() {
                return Ok(total);
            }
            tokio::task::yield_now().await;
        }
    }

    /// One pass, as of `now`.
    pub async fn pass(
        &self,
        now: NaiveDateTime,
        cancel: &CancellationToken,
    ) -> Result<Pruned, StoreError> {
        let retention = chrono::Duration::from_std(self.retention).unwrap_or(chrono::Duration::MAX);
        let before = now
            .checked_sub_signed(retention)
            .unwrap_or(NaiveDateTime::MIN);
        let mut conn = self.db.get().await?;
        let mut counts = [0; Table::ALL.len()];
        for (table, count) in Table::ALL.into_iter().zip(&mut counts) {
            *count = Self::drain(&mut conn, table, before, now, cancel).await?;
            self.metrics
                .pruned
                .get_or_create(&TableLabel {
                    table: table.name(),
                })
                .inc_by(*count as u64);
        }
        let [processed_messages, outbox, offered_actions] = counts;
        let pruned = Pruned {
            processed_messages,
            outbox,
            offered_actions,
        };
        let rows = processed_messages::count(&mut conn).await?;
        self.metrics.processed_messages.set(rows);
        Ok(pruned)
    }

    /// A pass now and then every [`INTERVAL`], until Radar stops.
    pub async fn run(self, cancel: CancellationToken) {
        loop {
            match self.pass(Utc::now().naive_utc(), &cancel).await {
                Ok(p) if p != Pruned::default() => {
                    tracing::info!(
                        processed_messages = p.processed_messages,
                        outbox = p.outbox,
                        offered_actions = p.offered_actions,
                        "housekeeping: old rows deleted"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "housekeeping failed; trying again later"),
            }
            tokio::select! {
                _ = tokio::time::sleep(INTERVAL) => {}
                _ = cancel.cancelled() => return,
            }
        }
    }
}
