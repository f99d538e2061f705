//! `radar-bench engine`: the command mix straight into [`Engine::handle`].

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Instant;

use serde_json::json;

use radar_engine::Engine;
use radar_store::test_support::bench::{Recorder, instrument, sql_of, sqlite_inline};
use radar_store::{
    Action, Backend, ChatId, Db, DbUrl, EntityKind, EventId, UserId, event_log, outbox,
};

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
    /// With `capture`: group this many consecutive commands of a worker into
    /// one transaction of the replay, each in its own savepoint.
    pub capture_batch: usize,
    /// Through the group commit, as `radar serve` applies commands.
    pub group_commit: bool,
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

/// One transaction of the capture: the command's message key and its
/// statements, values inlined.
struct CapturedTx {
    seq: u64,
    key: String,
    stmts: Vec<String>,
}

/// Splits each connection's statements into transactions (a key
/// `bench:RUN:SEQ` was run by worker `SEQ mod c`), in `SEQ` order.
fn captured_transactions(recs: &[Recorder]) -> Vec<CapturedTx> {
    let mut txs = Vec::new();
    for rec in recs {
        let mut cur: Vec<String> = Vec::new();
        for stmt in rec.take() {
            let begin = sql_of(&stmt).starts_with("BEGIN");
            if begin {
                cur.clear();
            }
            cur.push(sqlite_inline(&stmt));
            if sql_of(&stmt) == "COMMIT" {
                let key = cur
                    .get(1)
                    .and_then(|s| s.split("'bench:").nth(1))
                    .and_then(|s| s.split('\'').next())
                    .map(|k| format!("bench:{k}"));
                let seq = key
                    .as_deref()
                    .and_then(|k| k.rsplit(':').next())
                    .and_then(|n| n.parse().ok());
                if let (Some(key), Some(seq)) = (key, seq) {
                    txs.push(CapturedTx {
                        seq,
                        key,
                        stmts: std::mem::take(&mut cur),
                    });
                }
                cur.clear();
            }
        }
    }
    txs.sort_by_key(|t| t.seq);
    txs
}

/// The ids the capture run's inserts got, read back from its database: per
/// message key, the ids of its events and outbox rows (in insertion order)
/// and of the features it created.
#[derive(Default)]
struct CapturedIds {
    events: HashMap<String, Vec<i64>>,
    features: HashMap<String, Vec<i64>>,
    outbox: HashMap<String, Vec<i64>>,
}

impl CapturedIds {
    async fn read(db: &Db, txs: &[CapturedTx]) -> anyhow::Result<CapturedIds> {
        let mut ids = CapturedIds::default();
        let mut conn = db.get().await?;
        let mut after = EventId(0);
        loop {
            let page = event_log::page(&mut conn, after, 10_000).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            for e in page {
                if !e.correlation_id.starts_with("bench:") {
                    continue;
                }
                if e.action == Action::Create && e.entity_type == EntityKind::Feature {
                    ids.features
                        .entry(e.correlation_id.clone())
                        .or_default()
                        .push(e.entity_id);
                }
                ids.events.entry(e.correlation_id).or_default().push(e.id.0);
            }
        }
        let mut seen = std::collections::HashSet::new();
        for (key, list) in &ids.features {
            for id in list {
                anyhow::ensure!(
                    seen.insert(*id),
                    "capture: feature id {id} was given twice (again by {key}, after an undo \
                     deleted the newest feature); a parallel replay would collide on it: run the \
                     capture on a database with crates/radar-bench/bench/capture_no_id_reuse.sql"
                );
            }
        }
        for tx in txs {
            let rows = outbox::for_key(&mut conn, &tx.key).await?;
            ids.outbox
                .insert(tx.key.clone(), rows.iter().map(|r| r.id.0).collect());
        }
        Ok(ids)
    }
}

/// Tables whose rows get their id from SQLite (`id INTEGER PRIMARY KEY`)
/// and whose ids later statements name. (`offered_actions` is not one: an
/// offer's id is only written into its reply's keyboard, so a replayed offer
/// may get another id without changing any statement's work.)
const ID_TABLES: [&str; 5] = ["projects", "releases", "features", "event_log", "outbox"];

/// The table an `INSERT` statement writes and the part after `INSERT INTO \`T\` (`.
fn insert_target(stmt: &str) -> Option<(&str, &str)> {
    let rest = stmt.strip_prefix("INSERT INTO `")?;
    let (table, rest) = rest.split_once('`')?;
    Some((table, rest.strip_prefix(" (")?))
}

/// `stmt` (an inlined `INSERT INTO \`T\` (cols) VALUES (…), (…) …`) with an
/// explicit `id` column, each row's id taken from `next`.
fn with_ids(stmt: &str, mut next: impl FnMut() -> anyhow::Result<i64>) -> anyhow::Result<String> {
    let (table, cols) = insert_target(stmt).ok_or_else(|| anyhow::anyhow!("not an INSERT"))?;
    let values = cols
        .find(") VALUES (")
        .ok_or_else(|| anyhow::anyhow!("INSERT INTO {table} without VALUES"))?;
    let (cols, tail) = cols.split_at(values);
    let tail = &tail[") VALUES ".len()..];
    let mut out = format!("INSERT INTO `{table}` (`id`, {cols}) VALUES ");
    // Each top-level `(` opens a row; strings ('…', '' inside) are skipped.
    let (mut depth, mut in_str, mut rows_done) = (0usize, false, false);
    for ch in tail.chars() {
        if !rows_done && !in_str {
            match ch {
                '(' if depth == 0 => {
                    out.push('(');
                    out.push_str(&format!("{}, ", next()?));
                    depth = 1;
                    continue;
                }
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                ',' | ' ' | '\n' if depth == 0 => {}
                _ if depth == 0 => rows_done = true,
                _ => {}
            }
        }
        if ch == '\'' && !rows_done {
            in_str = !in_str;
        }
        out.push(ch);
    }
    Ok(out)
}

/// Rewrites each `INSERT` into a table with SQLite-assigned ids so that it
/// names the id the capture run got: replayed in parallel, in another
/// order, the rows get the same ids, and the inlined ids of later
/// statements (a feature's events, an undo's `reverts_event_id`) still
/// name them.
fn pin_ids(tx: &mut CapturedTx, ids: &CapturedIds) -> anyhow::Result<()> {
    let mut used: HashMap<&'static str, usize> = HashMap::new();
    for stmt in &mut tx.stmts {
        let Some((table, cols)) = insert_target(stmt) else {
            continue;
        };
        let Some(table) = ID_TABLES.iter().copied().find(|t| *t == table) else {
            continue;
        };
        if cols.starts_with("`id`") {
            continue;
        }
        let list = match table {
            "event_log" => ids.events.get(&tx.key),
            "features" => ids.features.get(&tx.key),
            "outbox" => ids.outbox.get(&tx.key),
            other => anyhow::bail!(
                "capture: {} inserts into {other}, whose ids radar-bench cannot pin yet \
                 (teach CapturedIds in crates/radar-bench/src/engine.rs)",
                tx.key
            ),
        };
        let n = used.entry(table).or_default();
        let key = &tx.key;
        *stmt = with_ids(stmt, || {
            let id = list.and_then(|l| l.get(*n)).copied().ok_or_else(|| {
                anyhow::anyhow!("capture: no id for insert {} into {table} of {key}", *n + 1)
            })?;
            *n += 1;
            Ok(id)
        })?;
    }
    Ok(())
}

/// Writes each worker's transactions (ids pinned, see [`pin_ids`]) to
/// `DIR/worker-W.sql`, in the order the worker ran them; with `batch` > 1,
/// every `batch` consecutive commands of a worker share one transaction,
/// each inside its own savepoint.
async fn write_capture(
    dir: &std::path::Path,
    recs: &[Recorder],
    db: &Db,
    c: usize,
    batch: usize,
) -> anyhow::Result<()> {
    let mut txs = captured_transactions(recs);
    let ids = CapturedIds::read(db, &txs).await?;
    for tx in &mut txs {
        pin_ids(tx, &ids)?;
    }
    std::fs::create_dir_all(dir)?;
    // The engine's connection settings (WAL is a property of the file).
    let header = ".timeout 60000\nPRAGMA synchronous = FULL;\nPRAGMA foreign_keys = ON;\n";
    let mut files: Vec<String> = vec![header.to_string(); c];
    let mut open: Vec<usize> = vec![0; c];
    let batch = batch.max(1);
    for tx in txs {
        let w = (tx.seq % c as u64) as usize;
        let f = &mut files[w];
        if batch == 1 {
            for s in tx.stmts {
                f.push_str(&s);
                f.push('\n');
            }
            continue;
        }
        let (Some(begin), Some(_commit)) = (tx.stmts.first(), tx.stmts.last()) else {
            continue;
        };
        if open[w] == 0 {
            f.push_str(begin);
            f.push('\n');
        }
        f.push_str("SAVEPOINT bench_update;\n");
        for s in &tx.stmts[1..tx.stmts.len() - 1] {
            f.push_str(s);
            f.push('\n');
        }
        f.push_str("RELEASE bench_update;\n");
        open[w] += 1;
        if open[w] == batch {
            f.push_str("COMMIT;\n");
            open[w] = 0;
        }
    }
    for (w, f) in files.iter_mut().enumerate() {
        if open[w] > 0 {
            f.push_str("COMMIT;\n");
        }
        std::fs::write(dir.join(format!("worker-{w}.sql")), f)?;
    }
    Ok(())
}

pub async fn main(opts: Options) -> anyhow::Result<()> {
    let c = opts.concurrency.max(1);
    let mut target = Target::open(&opts.url, c).await?;
    crate::seed(&target, &opts.shape, c, opts.quiet).await?;
    if opts.group_commit {
        // As `radar serve`: one committer on SQLite, one per four connections on PostgreSQL.
        let committers = match opts.url.backend() {
            Backend::Sqlite => 1,
            Backend::Postgres => (c / 4).max(1),
        };
        let group = radar_store::group::GroupCommit::start(target.db.clone(), committers, 64);
        target.engine = target.engine.clone().with_group_commit(group);
    }
    let recs = match (&opts.capture, opts.url.backend()) {
        (Some(_), Backend::Sqlite) => instrument_pool(&target.db, c).await?,
        (Some(_), _) => {
            anyhow::bail!("--capture is for SQLite (pgbench runs templates: bench/pgbench)")
        }
        (None, _) => Vec::new(),
    };
    let out = run_mix(&target.engine, &opts).await?;
    if let Some(dir) = &opts.capture {
        write_capture(dir, &recs, &target.db, c, opts.capture_batch).await?;
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
    // Commands per commit through the group commit (what a fair reference batches).
    let jobs_per_group = target.engine.group_commit().map(|g| {
        use std::sync::atomic::Ordering::Relaxed;
        let groups = g.stats().groups.load(Relaxed).max(1);
        g.stats().jobs.load(Relaxed) as f64 / groups as f64
    });
    if let Some(j) = jobs_per_group {
        println!("  group commit: {j:.2} commands per commit");
    }
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
            "group_commit": opts.group_commit,
            "jobs_per_group": jobs_per_group.map(|j| (j * 100.0).round() / 100.0),
            "kinds": kinds,
        }),
        out.latencies.json(),
    ));
    Ok(())
}
