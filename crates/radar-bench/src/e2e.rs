//! `radar-bench e2e`: the command mix through the real `radar serve`
//! (long polling) against the fake Bot API on loopback, one command in
//! flight per chat; and `--null-bot`, the same driver against a bot that
//! does nothing but answer each update with one `sendMessage` (the ceiling
//! of the fake and the driver themselves).

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use teloxide::payloads::{GetUpdatesSetters, SendMessageSetters};
use teloxide::prelude::*;
use teloxide::types::{MessageId, ReplyParameters, UpdateKind};
use tokio::sync::oneshot;

use radar_store::DbUrl;
use radar_testkit::fake::FakeTelegram;

use crate::{Kind, Latencies, Rng, Shape, Target, command_text, merge, progress};

#[derive(Debug, Clone)]
pub struct Options {
    pub url: Option<DbUrl>,
    pub commands: u64,
    /// Chats, each a user with its own project and one command in flight.
    pub chats: u64,
    pub features: u64,
    pub releases: u64,
    /// Drive a do-nothing bot instead of Radar.
    pub null_bot: bool,
    /// The `radar` binary (default: next to this one).
    pub radar: Option<PathBuf>,
    pub seed: u64,
    pub quiet: bool,
}

/// What the driver measured.
pub struct Driven {
    pub updates: u64,
    pub seconds: f64,
    pub latencies: Latencies,
    pub per_kind: BTreeMap<Kind, Latencies>,
}

impl Driven {
    /// Prints the latencies per kind of command; returns them as JSON.
    fn kinds(&self) -> serde_json::Value {
        let mut kinds = serde_json::Map::new();
        for (k, l) in &self.per_kind {
            println!("    {:<8} {:>6} × {}", k.name(), l.len(), l.line());
            kinds.insert(k.name().into(), merge(json!({"count": l.len()}), l.json()));
        }
        json!({ "kinds": kinds })
    }
}

type Waiters = Arc<Mutex<HashMap<i64, (i64, oneshot::Sender<Instant>)>>>;

/// Pushes `commands` messages over `chats` chats, one in flight per chat:
/// each chat sends its next message when the first reply to the previous
/// one arrives (a reply names the message it answers). Latency: push → the
/// fake receiving the reply's `sendMessage`.
pub async fn drive(fake: &FakeTelegram, opts: &Options, shape: &Shape) -> anyhow::Result<Driven> {
    let waiters: Waiters = Arc::default();
    let done = tokio_util::sync::CancellationToken::new();
    // One reader of the sent messages, at its own position.
    let collector = {
        let fake = fake.clone();
        let waiters = waiters.clone();
        let done = done.clone();
        tokio::spawn(async move {
            let mut pos = 0usize;
            while !done.is_cancelled() {
                // The condition takes what arrived (only the new messages are copied).
                let mut new = Vec::new();
                let _ = fake
                    .wait_until(Duration::from_millis(50), |f| {
                        new = f.sent_since(pos);
                        !new.is_empty()
                    })
                    .await;
                pos += new.len();
                let mut w = waiters.lock().unwrap_or_else(|e| e.into_inner());
                for s in new {
                    let answered = w
                        .get(&s.chat_id)
                        .is_some_and(|(mid, _)| Some(*mid) == s.reply_to_message_id);
                    if answered && let Some((_, tx)) = w.remove(&s.chat_id) {
                        let _ = tx.send(s.at);
                    }
                }
            }
        })
    };
    let bar = progress(
        opts.commands,
        if opts.null_bot { "null bot" } else { "e2e" },
        opts.quiet,
    );
    let start = Instant::now();
    let chats = opts.chats.max(1);
    let tasks = (1..=chats).map(|chat| {
        let fake = fake.clone();
        let waiters = waiters.clone();
        let bar = bar.clone();
        let shape = *shape;
        let n = opts.commands / chats + u64::from(chat <= opts.commands % chats);
        let mut rng = Rng::new(opts.seed.wrapping_add(chat * 7919));
        tokio::spawn(async move {
            let mut lat = Latencies::default();
            let mut per_kind: BTreeMap<Kind, Latencies> = BTreeMap::new();
            let mut balance = 0;
            for i in 0..n {
                let kind = Kind::next(&mut rng, &mut balance);
                let text = command_text(kind, &shape, &mut rng, i * chats + chat);
                let (tx, rx) = oneshot::channel();
                // Register before pushing: the reply may beat us back.
                let t0;
                {
                    let mut w = waiters.lock().unwrap_or_else(|e| e.into_inner());
                    t0 = Instant::now();
                    let pushed = fake.push_text(chat as i64, chat as i64, &text, None);
                    w.insert(chat as i64, (pushed.message_id, tx));
                }
                let at = tokio::time::timeout(Duration::from_secs(30), rx)
                    .await
                    .map_err(|_| anyhow::anyhow!("chat {chat}: no reply within 30 s to {text:?}"))?
                    .map_err(|_| anyhow::anyhow!("driver stopped"))?;
                lat.record(at.saturating_duration_since(t0));
                per_kind
                    .entry(kind)
                    .or_default()
                    .record(at.saturating_duration_since(t0));
                bar.inc(1);
            }
            Ok::<_, anyhow::Error>((lat, per_kind, Instant::now()))
        })
    });
    let results = futures_util::future::join_all(tasks).await;
    done.cancel();
    let _ = collector.await;
    bar.finish_and_clear();
    let mut latencies = Latencies::default();
    let mut per_kind: BTreeMap<Kind, Latencies> = BTreeMap::new();
    let mut last = start;
    for r in results {
        let (l, kinds, end) = r??;
        latencies.add(&l);
        for (k, l) in kinds {
            per_kind.entry(k).or_default().add(&l);
        }
        last = last.max(end);
    }
    Ok(Driven {
        updates: opts.commands,
        seconds: (last - start).as_secs_f64(),
        latencies,
        per_kind,
    })
}

/// The do-nothing bot: long-polls and answers every update with one
/// `sendMessage` (as a reply to it), through teloxide like Radar.
pub async fn null_bot(bot: Bot, cancel: tokio_util::sync::CancellationToken) {
    let mut offset = 0i32;
    while !cancel.is_cancelled() {
        let req = bot.get_updates().offset(offset).timeout(10);
        let updates = tokio::select! {
            r = req.send() => r,
            _ = cancel.cancelled() => return,
        };
        let Ok(updates) = updates else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        for u in updates {
            offset = offset.max(u.id.0 as i32 + 1);
            if let UpdateKind::Message(m) = u.kind {
                let bot = bot.clone();
                tokio::spawn(async move {
                    let _ = bot
                        .send_message(m.chat.id, "ok")
                        .reply_parameters(ReplyParameters::new(MessageId(m.id.0)))
                        .await;
                });
            }
        }
    }
}

fn free_addr() -> anyhow::Result<SocketAddr> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?)
}

/// `GET path` on loopback; the status code (0 when nothing answers).
pub async fn http_status(addr: SocketAddr, path: &str) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(mut s) = tokio::net::TcpStream::connect(addr).await else {
        return 0;
    };
    let req = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n");
    if s.write_all(req.as_bytes()).await.is_err() {
        return 0;
    }
    let mut buf = [0u8; 64];
    let mut n = 0;
    while n < 12 {
        match s.read(&mut buf[n..]).await {
            Ok(0) | Err(_) => break,
            Ok(k) => n += k,
        }
    }
    std::str::from_utf8(&buf[..n])
        .ok()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

/// `VmHWM` and `VmRSS` of a process, in KiB.
pub fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

struct Radar(Child);

impl Drop for Radar {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn radar_path(opts: &Options) -> anyhow::Result<PathBuf> {
    if let Some(p) = &opts.radar {
        return Ok(p.clone());
    }
    let exe = std::env::current_exe()?;
    let dir = exe
        .parent()
        .ok_or_else(|| anyhow::anyhow!("no directory for {}", exe.display()))?;
    Ok(dir.join("radar"))
}

pub async fn main(opts: Options) -> anyhow::Result<()> {
    let shape = Shape {
        users: opts.chats.max(1),
        projects: opts.chats.max(1),
        features: opts.features.max(1),
        releases: opts.releases.max(1),
    };
    let fake = FakeTelegram::start().await;
    if opts.null_bot {
        let bot = Bot::new("123456:BENCH").set_api_url(fake.url());
        let cancel = tokio_util::sync::CancellationToken::new();
        let task = tokio::spawn(null_bot(bot, cancel.clone()));
        let d = drive(&fake, &opts, &shape).await?;
        cancel.cancel();
        let _ = task.await;
        let ups = d.updates as f64 / d.seconds;
        println!(
            "null bot (fake Bot API + driver ceiling): {} updates over {} chats",
            d.updates, opts.chats
        );
        println!("  {ups:.0} updates/s in {:.2} s", d.seconds);
        println!("  reply latency {}", d.latencies.line());
        let kinds = d.kinds();
        crate::print_json(&merge(
            json!({"bench": "e2e-null-bot", "updates": d.updates, "chats": opts.chats,
                   "seconds": crate::round3(d.seconds), "updates_per_s": ups.round()}),
            merge(d.latencies.json(), kinds),
        ));
        return Ok(());
    }

    let url = opts
        .url
        .clone()
        .ok_or_else(|| anyhow::anyhow!("DATABASE_URL is required (or --null-bot)"))?;
    {
        let target = Target::open(&url, 8).await?;
        crate::seed(&target, &shape, 8, opts.quiet).await?;
    }
    let db_url = match &url {
        DbUrl::Postgres(u) | DbUrl::Sqlite(u) => u.clone(),
    };
    let listen = free_addr()?;
    let log = std::env::temp_dir().join(format!("radar-bench-e2e-{}.log", std::process::id()));
    let allowed: Vec<String> = (1..=shape.users).map(|u| u.to_string()).collect();
    let radar = radar_path(&opts)?;
    let t0 = Instant::now();
    let child = Command::new(&radar)
        .arg("serve")
        .env("DATABASE_URL", db_url)
        .env("TELOXIDE_TOKEN", "123456:BENCH")
        .env("TELOXIDE_API_URL", fake.url().as_str())
        .env("RADAR_ALLOWED_USERS", allowed.join(","))
        .env("RADAR_LISTEN", listen.to_string())
        .env("RADAR_SEND_RATE", "0")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(std::fs::File::create(&log)?))
        .spawn()
        .map_err(|e| anyhow::anyhow!("cannot start {}: {e}", radar.display()))?;
    let child = Radar(child);
    let pid = child.0.id();
    let deadline = t0 + Duration::from_secs(30);
    while http_status(listen, "/readyz").await != 200 {
        anyhow::ensure!(
            Instant::now() < deadline,
            "radar not ready within 30 s; log: {}",
            log.display()
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let ready = t0.elapsed();
    fake.wait_until(Duration::from_secs(30), |f| f.requests("getUpdates") > 0)
        .await
        .map_err(|e| anyhow::anyhow!("radar never polled: {e}; log: {}", log.display()))?;
    let polling = t0.elapsed();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (idle_hwm, idle_rss) = memory_kib(pid);

    let d = drive(&fake, &opts, &shape).await?;
    let (load_hwm, load_rss) = memory_kib(pid);
    drop(child);
    // Kept only when something failed (the errors above name it).
    let _ = std::fs::remove_file(&log);

    let backend = match url {
        DbUrl::Postgres(_) => "postgres",
        DbUrl::Sqlite(_) => "sqlite",
    };
    let ups = d.updates as f64 / d.seconds;
    let mib = |k: u64| k as f64 / 1024.0;
    println!(
        "e2e on {backend}: radar serve (polling) ↔ fake Bot API, {} updates over {} chats, one in flight per chat",
        d.updates, opts.chats
    );
    println!(
        "  {ups:.0} updates/s in {:.2} s (first update to last reply)",
        d.seconds
    );
    println!("  reply latency {}", d.latencies.line());
    let kinds = d.kinds();
    println!(
        "  start: /readyz 200 after {:.1} ms, first getUpdates after {:.1} ms",
        ready.as_secs_f64() * 1000.0,
        polling.as_secs_f64() * 1000.0
    );
    println!(
        "  memory: idle VmHWM {:.1} MiB (VmRSS {:.1}); after load VmHWM {:.1} MiB (VmRSS {:.1})",
        mib(idle_hwm),
        mib(idle_rss),
        mib(load_hwm),
        mib(load_rss)
    );
    crate::print_json(&merge(
        json!({
            "bench": "e2e", "backend": backend, "updates": d.updates, "chats": opts.chats,
            "seconds": crate::round3(d.seconds), "updates_per_s": ups.round(),
            "ready_ms": crate::round3(ready.as_secs_f64() * 1000.0),
            "polling_ms": crate::round3(polling.as_secs_f64() * 1000.0),
            "idle_hwm_mib": crate::round3(mib(idle_hwm)), "idle_rss_mib": crate::round3(mib(idle_rss)),
            "peak_hwm_mib": crate::round3(mib(load_hwm)), "rss_after_mib": crate::round3(mib(load_rss)),
        }),
        merge(d.latencies.json(), kinds),
    ));
    Ok(())
}
