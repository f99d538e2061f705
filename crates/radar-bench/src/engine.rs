//! `radar-bench engine`: the command mix straight into [`Engine::handle`].

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use serde_json::json;

use radar_engine::Engine;
use radar_store::test_support::bench::{Recorder, instrument, sql_of, sqlite_inline};
use radar_store::{Backend, ChatId, Db, DbUrl, UserId};

use crate::{
    CONSOLE_CHAT, Kind, Latencies, Rng, Shape, Target, command_text, incoming, merge, progress,
    run_id, timed,
};

#[derive(Debug, Clone)]
pub struct Options {
    pub url: DbUrl,
    /// Commands to run (the seed is not counted).
    pub commands: u64,
    /// Concurrent workers; each owns a disjoint set of users, so one user's
    /// commands run in order, as in a chat.
    pub concurrency: usize,
    pub shape: Shape,
    /// Replies to the console chat (0, stored as delivered) instead of to
    /// the user's chat (queued for Telegram, as `radar serve` does).
    pub console_chat: bool,
    pub seed: u64,
    pub quiet: bool,
    /// SQLite only: also write each worker's statements, values inlined, to
    /// `DIR/worker-W.sql` (sqlite3 input, in the order the worker ran them).
    /// Recording slows the run: its figures are not comparable.
    pub capture: Option<std::path::PathBuf>,
}

/// What one run measured.
pub struct Outcome {
    pub commands: u64,
    pub seconds: f64,
    pub latencies: Latencies,
    pub per_kind: BTreeMap<Kind, Latencies>,
    pub messages: u64,
}

impl Outcome {
    pub fn per_second(&self) -> f64 {
        self.commands as f64 / self.seconds
    }
}

/// Runs the mix on an engine whose data is seeded with `opts.shape`.
pub async fn run_mix(engine: &Engine, opts: &Options) -> anyhow::Result<Outcome> {
    let c = opts.concurrency.max(1);
    anyhow::ensure!(
        opts.shape.users >= c as u64,
        "--users ({}) must be at least --concurrency ({c}): each worker owns its users",
        opts.shape.users
    );
    let run = Arc::new(run_id());
    let bar = progress(opts.commands, "engine", opts.quiet);
    let start = Instant::now();
    let tasks = (0..c).map(|w| {
        let engine = engine.clone();
        let run = run.clone();
        let bar = bar.clone();
        let opts = opts.clone();
        tokio::spawn(async move {
            let users: Vec<u64> = (1..=opts.shape.users)
                .filter(|u| (u - 1) as usize % c == w)
                .collect();
            let n = opts.commands / c as u64 + u64::from((w as u64) < opts.commands % c as u64);
            let mut rng = Rng::new(opts.seed.wrapping_add(w as u64 * 7919));
            let mut all = Latencies::default();
            let mut per_kind: BTreeMap<Kind, Latencies> = BTreeMap::new();
            let mut messages = 0u64;
            let mut balance = vec![0u64; users.len()];
            for i in 0..n {
                let ui = rng.range(0, users.len() as u64 - 1) as usize;
                let user = users[ui];
                let kind = Kind::next(&mut rng, &mut balance[ui]);
                let seq = i * c as u64 + w as u64;
                let text = command_text(kind, &opts.shape, &mut rng, seq);
                let chat = if opts.console_chat {
                    CONSOLE_CHAT
                } else {
                    ChatId(user as i64)
                };
                let msg = incoming(
                    format!("bench:{run}:{seq}"),
                    chat,
                    UserId(user as i64),
                    text,
                );
                let (d, parts) = timed(&engine, &msg).await?;
                all.record(d);
                per_kind.entry(kind).or_default().record(d);
                messages += parts as u64;
                if i % 64 == 63 {
                    bar.inc(64);
                }
            }
            Ok::<_, anyhow::Error>((all, per_kind, messages))
        })
    });
    let results = futures_util::future::join_all(tasks).await;
    let seconds = start.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let mut out = Outcome {
        commands: opts.commands,
        seconds,
        latencies: Latencies::default(),
        per_kind: BTreeMap::new(),
        messages: 0,
    };
    for r in results {
        let (all, per_kind, messages) = r??;
        out.latencies.add(&all);
        for (k, l) in per_kind {
            out.per_kind.entry(k).or_default().add(&l);
        }
        out.messages += messages;
    }
    Ok(out)
}

/// Puts a recorder on each of the pool's `n` connections (all of them: they
/// are held together until every one is instrumented).
async fn instrument_pool(db: &Db, n: usize) -> anyhow::Result<Vec<Recorder>> {
    let mut conns = Vec::new();
    let mut recs = Vec::new();
    for _ in 0..n {
        let mut conn = db.get().await?;
        let rec = Recorder::default();
        instrument(&mut conn, &rec);
        conns.push(conn);
        recs.push(rec);
    }
    Ok(recs)
}

/// Splits each connection's statements into transactions and writes them
/// per worker (a key `bench:RUN:SEQ` was run by worker `SEQ mod c`), in order.
fn write_capture(dir: &std::path::Path, recs: &[Recorder], c: usize) -> anyhow::Result<()> {
    let mut txs: Vec<(u64, Vec<String>)> = Vec::new();
    for rec in recs {
        let mut cur: Vec<String> = Vec::new();
        for stmt in rec.take() {
            let begin = sql_of(&stmt).starts_with("BEGIN");
            if begin {
                cur.clear();
            }
            cur.push(sqlite_inline(&stmt));
            if sql_of(&stmt) == "COMMIT" {
                let seq = cur
                    .get(1)
                    .and_then(|s| s.split("'bench:").nth(1))
                    .and_then(|s| s.split('\'').next())
                    .and_then(|k| k.rsplit(':').next())
                    .and_then(|n| n.parse().ok());
                if let Some(seq) = seq {
                    txs.push((seq, std::mem::take(&mut cur)));
                }
                cur.clear();
            }
        }
    }
    txs.sort_by_key(|(seq, _)| *seq);
    std::fs::create_dir_all(dir)?;
    // The engine's connection settings (WAL is a property of the file).
    let header = ".timeout 5000\nPRAGMA synchronous = FULL;\nPRAGMA foreign_keys = ON;\n";
    let mut files: Vec<String> = vec![header.to_string(); c];
    for (seq, tx) in txs {
        let f = &mut files[(seq % c as u64) as usize];
        for s in tx {
            f.push_str(&s);
            f.push('\n');
        }
    }
    for (w, f) in files.iter().enumerate() {
        std::fs::write(dir.join(format!("worker-{w}.sql")), f)?;
    }
    Ok(())
}

pub async fn main(opts: Options) -> anyhow::Result<()> {
    let c = opts.concurrency.max(1);
    let target = Target::open(&opts.url, c).await?;
    crate::seed(&target, &opts.shape, c, opts.quiet).await?;
    let recs = match (&opts.capture, opts.url.backend()) {
        (Some(_), Backend::Sqlite) => instrument_pool(&target.db, c).await?,
        (Some(_), _) => {
            anyhow::bail!("--capture is for SQLite (pgbench runs templates: bench/pgbench)")
        }
        (None, _) => Vec::new(),
    };
    let out = run_mix(&target.engine, &opts).await?;
    if let Some(dir) = &opts.capture {
        write_capture(dir, &recs, c)?;
    }
    let backend = match opts.url {
        DbUrl::Postgres(_) => "postgres",
        DbUrl::Sqlite(_) => "sqlite",
    };
    println!(
        "engine on {backend}: {} commands, {c} workers, {} users over {} projects, replies to {}",
        out.commands,
        opts.shape.users,
        opts.shape.projects,
        if opts.console_chat {
            "the console chat (stored as delivered)"
        } else {
            "each user's chat (queued for delivery)"
        }
    );
    println!(
        "  {:.0} commands/s in {:.2} s",
        out.per_second(),
        out.seconds
    );
    println!("  latency {}", out.latencies.line());
    let mut kinds = serde_json::Map::new();
    for (k, l) in &out.per_kind {
        println!("  {:<8} {:>6} × {}", k.name(), l.len(), l.line());
        kinds.insert(k.name().into(), merge(json!({"count": l.len()}), l.json()));
    }
    crate::print_json(&merge(
        json!({
            "bench": "engine",
            "backend": backend,
            "commands": out.commands,
            "concurrency": c,
            "users": opts.shape.users,
            "projects": opts.shape.projects,
            "seconds": crate::round3(out.seconds),
            "commands_per_s": out.per_second().round(),
            "reply_messages": out.messages,
            "kinds": kinds,
        }),
        out.latencies.json(),
    ));
    Ok(())
}
