//! `radar-bench`, the load generator: the command mix, the shared seed,
//! latency histograms and reports. The subcommands live in [`engine`]
//! (straight into [`Engine::handle`]), [`e2e`] (the real `radar serve`
//! against the fake Bot API), [`history`] (a large event log) and [`sql`]
//! (the statements the engine runs, for pgbench and sqlite3).

pub mod board;
pub mod e2e;
pub mod engine;
pub mod history;
pub mod parse;
pub mod sql;

use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Value, json};

use radar_engine::{Delivery, Engine, EngineConfig, EngineError, Handled, Incoming};
use radar_store::{ChatId, Db, DbUrl, MigrateOp, UserId, projects, user_context};

/// The chat of messages that do not come from Telegram: replies to it are
/// shown at once (stored as delivered), so nothing is left to send.
pub const CONSOLE_CHAT: ChatId = ChatId(0);

/// A small deterministic PRNG (SplitMix64): the same seed gives the same mix.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }
}

/// The kinds of command in the mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Add,
    Status,
    Plan,
    Changes,
    Undo,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Add,
        Kind::Status,
        Kind::Plan,
        Kind::Changes,
        Kind::Undo,
    ];

    /// Share of the mix, in percent (the pgbench scripts use the same weights).
    pub fn weight(self) -> u64 {
        match self {
            Kind::Add => 25,
            Kind::Status => 30,
            Kind::Plan => 20,
            Kind::Changes => 15,
            Kind::Undo => 10,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Add => "add",
            Kind::Status => "status",
            Kind::Plan => "plan",
            Kind::Changes => "changes",
            Kind::Undo => "undo",
        }
    }

    /// The next command of a user whose own changes not yet undone number
    /// `balance`: an undo only when there is one of the run's changes to
    /// undo (so undo never eats into the seed), else a status change.
    pub fn next(rng: &mut Rng, balance: &mut u64) -> Kind {
        let k = match Kind::pick(rng) {
            Kind::Undo if *balance == 0 => Kind::Status,
            k => k,
        };
        match k {
            Kind::Add | Kind::Status | Kind::Plan => *balance += 1,
            Kind::Undo => *balance -= 1,
            Kind::Changes => {}
        }
        k
    }

    pub fn pick(rng: &mut Rng) -> Kind {
        let mut r = rng.range(0, 99);
        for k in Kind::ALL {
            if r < k.weight() {
                return k;
            }
            r -= k.weight();
        }
        Kind::Add
    }
}

/// The shape of the seeded data every benchmark starts from.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Users `1..=users`; user `u` works in project `((u - 1) % projects) + 1`.
    pub users: u64,
    pub projects: u64,
    /// Features `#1..=features` per project (status and plan commands pick among them).
    pub features: u64,
    /// Releases per project, versions `10`, `11`, … (plain numbers, so pgbench can pick one).
    pub releases: u64,
}

impl Shape {
    pub fn project_of(&self, user: u64) -> u64 {
        (user - 1) % self.projects + 1
    }

    pub fn project_name(p: u64) -> String {
        format!("Bench {p}")
    }

    pub fn version(r: u64) -> String {
        (10 + r).to_string()
    }
}

/// Statuses the mix moves features between (each with a reason).
const STATUSES: [&str; 5] = ["in progress", "blocked", "done", "planned", "backlog"];

/// The text a user sends for a command of `kind`; `n` makes names and
/// reasons unique, so every change really changes something.
pub fn command_text(kind: Kind, shape: &Shape, rng: &mut Rng, n: u64) -> String {
    let feature = rng.range(1, shape.features);
    match kind {
        Kind::Add => format!("add feature Bench item {n}"),
        Kind::Status => {
            let s = STATUSES[rng.range(0, STATUSES.len() as u64 - 1) as usize];
            format!("#{feature} is {s}: bench reason {n}")
        }
        Kind::Plan => {
            let r = rng.range(0, shape.releases - 1);
            format!("put #{feature} into {}", Shape::version(r))
        }
        Kind::Changes => "what changed today".to_string(),
        Kind::Undo => "undo".to_string(),
    }
}

/// One message from a user, as the Telegram adapter would build it: a reply
/// to the user's chat is queued for delivery; one to [`CONSOLE_CHAT`] is
/// shown at once (stored as delivered), as the console does.
pub fn incoming(key: String, chat: ChatId, user: UserId, text: String) -> Incoming {
    let msg = Incoming::bench(key, chat, user, text);
    if chat == CONSOLE_CHAT {
        Incoming {
            delivery: Delivery::Inline,
            ..msg
        }
    } else {
        msg
    }
}

/// A run id that makes message keys unique across runs on one database.
pub fn run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{:x}", nanos & 0xffff_ffff_ffff)
}

/// The database the benchmarks run on, and an engine on it (built on a
/// clone of the same pool: a [`Db`] is a cheap handle).
#[derive(Clone)]
pub struct Target {
    pub db: Db,
    pub engine: Engine,
}

impl Target {
    /// Migrates the database and opens a pool of `pool` connections.
    pub async fn open(url: &DbUrl, pool: usize) -> anyhow::Result<Target> {
        Target::open_with(url, pool, EngineConfig::default()).await
    }

    pub async fn open_with(url: &DbUrl, pool: usize, cfg: EngineConfig) -> anyhow::Result<Target> {
        radar_store::migrate(url, MigrateOp::Run { dry_run: false }).await?;
        let db = Db::connect(url, pool)?;
        let engine = Engine::new(db.clone(), cfg);
        Ok(Target { db, engine })
    }
}

/// Creates the seeded projects, features and releases through the engine,
/// once: a project that exists already is left as it is. Replies go to the
/// console chat (stored as delivered), so nothing is left to send.
pub async fn seed(
    target: &Target,
    shape: &Shape,
    workers: usize,
    quiet: bool,
) -> anyhow::Result<()> {
    let engine = &target.engine;
    let mut conn = target.db.get().await?;
    let mut missing = Vec::new();
    for p in 1..=shape.projects {
        let key = Shape::project_name(p).to_lowercase();
        if projects::by_key(&mut conn, &key).await?.is_none() {
            missing.push(p);
        }
    }
    // Users beyond the projects switch to theirs (once: a user with a context is left alone).
    let mut switching = Vec::new();
    for u in shape.projects + 1..=shape.users {
        if user_context::active_project(&mut conn, UserId(u as i64))
            .await?
            .is_none()
        {
            switching.push(u);
        }
    }
    drop(conn);
    if missing.is_empty() && switching.is_empty() {
        return Ok(());
    }
    let per_project = 1 + shape.features + shape.releases;
    let total = missing.len() as u64 * per_project + switching.len() as u64;
    let bar = progress(total, "seed", quiet);
    let run = run_id();
    let send = |user: u64, key: String, text: String| {
        let engine = engine.clone();
        async move {
            let msg = incoming(key, CONSOLE_CHAT, UserId(user as i64), text);
            engine.handle(&msg).await.map(|_| ())
        }
    };
    let chunks: Vec<Vec<u64>> = (0..workers.max(1))
        .map(|w| {
            missing
                .iter()
                .copied()
                .skip(w)
                .step_by(workers.max(1))
                .collect()
        })
        .collect();
    let tasks = chunks.into_iter().map(|ps| {
        let bar = bar.clone();
        let run = run.clone();
        async move {
            for p in ps {
                let key = |what: String| format!("seed:{run}:{p}:{what}");
                send(
                    p,
                    key("p".into()),
                    format!("/newproject {}", Shape::project_name(p)),
                )
                .await?;
                for f in 1..=shape.features {
                    send(p, key(format!("f{f}")), format!("/add Seed feature {f}")).await?;
                }
                for r in 0..shape.releases {
                    send(
                        p,
                        key(format!("r{r}")),
                        format!("/release {}", Shape::version(r)),
                    )
                    .await?;
                }
                bar.inc(per_project);
            }
            Ok::<(), EngineError>(())
        }
    });
    for r in futures_util::future::join_all(tasks).await {
        r?;
    }
    for u in switching {
        let p = shape.project_of(u);
        send(
            u,
            format!("seed:{run}:u{u}"),
            format!("/use {}", Shape::project_name(p)),
        )
        .await?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(())
}

/// A progress bar on stderr (drawn only on a terminal, and not with `quiet`).
pub fn progress(len: u64, what: &str, quiet: bool) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(
        Some(len),
        if quiet {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        },
    );
    bar.set_style(
        ProgressStyle::with_template(
            "{msg:>8} [{elapsed_precise}] {wide_bar} {pos}/{len} ({per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(what.to_string());
    bar
}

/// Latencies in microseconds.
#[derive(Clone)]
pub struct Latencies(Histogram<u64>);

impl Default for Latencies {
    fn default() -> Self {
        Latencies(Histogram::new_with_bounds(1, 600_000_000, 3).expect("valid histogram bounds"))
    }
}

impl Latencies {
    pub fn record(&mut self, d: Duration) {
        let us = (d.as_micros() as u64).clamp(1, 600_000_000);
        let _ = self.0.record(us);
    }

    pub fn add(&mut self, other: &Latencies) {
        let _ = self.0.add(&other.0);
    }

    pub fn len(&self) -> u64 {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The quantile `q` (0..=1) in milliseconds.
    pub fn ms(&self, q: f64) -> f64 {
        self.0.value_at_quantile(q) as f64 / 1000.0
    }

    pub fn mean_ms(&self) -> f64 {
        self.0.mean() / 1000.0
    }

    pub fn max_ms(&self) -> f64 {
        self.0.max() as f64 / 1000.0
    }

    /// `p50 … p95 … p99 … max` for people.
    pub fn line(&self) -> String {
        format!(
            "mean {:.2} ms  p50 {:.2} ms  p95 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
            self.mean_ms(),
            self.ms(0.5),
            self.ms(0.95),
            self.ms(0.99),
            self.max_ms()
        )
    }

    /// The quantiles as JSON fields.
    pub fn json(&self) -> Value {
        json!({
            "mean_ms": round3(self.mean_ms()),
            "p50_ms": round3(self.ms(0.5)),
            "p95_ms": round3(self.ms(0.95)),
            "p99_ms": round3(self.ms(0.99)),
            "max_ms": round3(self.max_ms()),
        })
    }
}

pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Merges `extra`'s fields into `base` (both JSON objects).
pub fn merge(mut base: Value, extra: Value) -> Value {
    if let (Some(b), Value::Object(e)) = (base.as_object_mut(), extra) {
        b.extend(e);
    }
    base
}

/// Handles one message, timing it; a duplicate is an error here (keys are unique).
pub async fn timed(engine: &Engine, msg: &Incoming) -> Result<(Duration, usize), EngineError> {
    let t = Instant::now();
    let h = engine.handle(msg).await?;
    let d = t.elapsed();
    let parts = match h {
        Handled::Replied(r) => r.messages.len(),
        Handled::Duplicate => 0,
    };
    Ok((d, parts))
}

/// Prints the last line of every benchmark: one JSON object.
pub fn print_json(v: &Value) {
    println!("{v}");
}
