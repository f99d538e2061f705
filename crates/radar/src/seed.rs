//! `radar seed`: demo data, loaded through the engine with fixed message
//! keys, so a second run is a run of duplicates and changes nothing.

use radar_engine::{Engine, EngineError, Handled, Incoming};
use radar_store::UserId;

/// The user id the demo data is written as.
pub const SEED_USER: UserId = UserId(0);

const SCRIPT: &[&str] = &[
    "/newproject Apollo: Moon landing app",
    "/use Apollo",
    "/add Login: Sign in with Telegram",
    "/add Mission dashboard",
    "/add Push notifications",
    "/add Offline mode",
    "/release 1.0 2026-12-15",
    "/release 1.1",
    "/plan 1 1.0",
    "/plan 2 1.0",
    "/plan 3 1.1",
    "/status 1 done",
    "/status 2 in progress",
    "/status 3 blocked: waiting for APNs keys",
    "/team 2 Core, Web",
    "/po 2 Anna",
    "/newproject Gemini: Partner portal",
    "/use Gemini",
    "/add Billing",
    "/add Reports",
    "/status 1 in progress",
    "/release 0.9",
    "/use Apollo",
];

#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub applied: usize,
    pub already: usize,
}

pub async fn seed(engine: &Engine) -> Result<SeedReport, EngineError> {
    let mut report = SeedReport::default();
    for (i, text) in SCRIPT.iter().enumerate() {
        let msg = Incoming::seed(i + 1, SEED_USER, text);
        match engine.handle(&msg).await? {
            Handled::Replied(_) => report.applied += 1,
            Handled::Duplicate => report.already += 1,
        }
    }
    Ok(report)
}
