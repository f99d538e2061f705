//! Readiness (`/readyz`): Radar is ready when it has started (migrated,
//! connected to the Bot API, receiving) and an update can be stored now.
//!
//! "Can be stored now" is proven, not assumed: either a write transaction
//! committed within the last second (and nothing failed since), or a write
//! probe commits now ([`Db::probe_write`]). `SELECT 1` is not enough: a
//! read-only, full or failing database still answers it.

use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use radar_store::Db;

/// Where `radar serve` is in its life. `/readyz` answers 503 naming the
/// phase until [`Phase::Receiving`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Phase {
    Migrating = 0,
    ConnectingBotApi = 1,
    RegisteringWebhook = 2,
    Replaying = 3,
    Receiving = 4,
    Stopping = 5,
}

impl Phase {
    fn from_u8(v: u8) -> Phase {
        match v {
            0 => Phase::Migrating,
            1 => Phase::ConnectingBotApi,
            2 => Phase::RegisteringWebhook,
            3 => Phase::Replaying,
            4 => Phase::Receiving,
            _ => Phase::Stopping,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Phase::Migrating => "starting: migrating the database",
            Phase::ConnectingBotApi => "starting: connecting to the Bot API",
            Phase::RegisteringWebhook => "starting: registering the webhook",
            Phase::Replaying => "starting: replaying stored updates",
            Phase::Receiving => "ready",
            Phase::Stopping => "stopping",
        }
    }
}

/// How recent a committed write must be to stand in for a probe.
const RECENT_WRITE: Duration = Duration::from_secs(1);
/// How long the probe may take before the answer is "not ready".
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

pub struct Readiness {
    phase: AtomicU8,
    db: Db,
}

impl Readiness {
    pub fn new(db: Db) -> Readiness {
        Readiness {
            phase: AtomicU8::new(Phase::Migrating as u8),
            db,
        }
    }

    pub fn phase(&self) -> Phase {
        Phase::from_u8(self.phase.load(Ordering::Acquire))
    }

    /// Moves to `phase`; once stopping, stays stopping.
    pub fn set(&self, phase: Phase) {
        let _ = self
            .phase
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |p| {
                (p != Phase::Stopping as u8).then_some(phase as u8)
            });
    }

    /// `Ok` when ready; otherwise why not, in a few words for the 503 body.
    pub async fn check(&self) -> Result<(), String> {
        let phase = self.phase();
        if phase != Phase::Receiving {
            return Err(phase.describe().to_string());
        }
        if radar_store::health::wrote_within(RECENT_WRITE) {
            return Ok(());
        }
        match tokio::time::timeout(PROBE_TIMEOUT, self.db.probe_write()).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => {
                tracing::debug!(error = %e, "readiness write probe failed");
                let kind = e.fault().map_or("error", |f| f.label());
                Err(format!("database cannot store updates ({kind})"))
            }
            Err(_) => Err(format!(
                "database cannot store updates (no answer within {} s)",
                PROBE_TIMEOUT.as_secs()
            )),
        }
    }
}
