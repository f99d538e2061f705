//! The daily digest scheduler inside `radar serve`: every few seconds it
//! asks the engine to send the digests that are due (see
//! `radar_engine::Engine::send_due_digests`: exactly once per user and
//! local day, claimed with the outbox row in one transaction). Any number
//! of replicas may run it at once.

use std::time::Duration;

use radar_engine::Engine;
use tokio_util::sync::CancellationToken;

use crate::telegram::receive::{Backoff, sleep_or_cancel};

/// How often the scheduler looks for due digests.
pub const TICK: Duration = Duration::from_secs(1);

/// Runs until `cancel`: a pass, then a pause of [`TICK`]; while the
/// database is away, passes back off and try again.
pub async fn run(engine: Engine, cancel: CancellationToken) {
    let mut backoff = Backoff::default();
    loop {
        let pause = match engine.send_due_digests().await {
            Ok(pass) => {
                if pass.queued + pass.empty > 0 {
                    tracing::info!(
                        queued = pass.queued,
                        empty = pass.empty,
                        "daily digests due"
                    );
                }
                backoff = Backoff::default();
                TICK
            }
            Err(e) => {
                tracing::warn!(error = %e, "daily digests failed; retrying");
                backoff.next_delay()
            }
        };
        if sleep_or_cancel(pause, &cancel).await {
            return;
        }
    }
}
