//! `radar-bench e2e`: the command mix through a real bot (long polling)
//! against the fake Bot API on loopback, one command in flight per chat.
//! The bot is `radar serve` by default, any Bot API client with
//! `--bot-cmd CMD` (see [`BOT_ENV`] for what it is given), or, with
//! `--null-bot`, an in-process bot that does nothing but answer each update
//! with one `sendMessage` (the ceiling of the fake and the driver
//! themselves). The same checks apply to every bot ([`Checks`]).

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
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
    /// Run this shell command (`sh -c CMD`) as the bot instead of `radar serve`.
    pub bot_cmd: Option<String>,
    /// With `bot_cmd`: hand `DATABASE_URL` over as it is (no Radar schema, no seed).
    pub no_seed: bool,
    pub seed: u64,
    pub quiet: bool,
}

/// What the driver measured.
pub struct Driven {
    pub updates: u64,
    pub seconds: f64,
    pub latencies: Latencies,
    pub per_kind: BTreeMap<Kind, Latencies>,
    /// The message ids pushed to each chat, in order.
    pub pushed: HashMap<i64, Vec<i64>>,
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
            let mut pushed_ids = Vec::with_capacity(n as usize);
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
                    pushed_ids.push(pushed.message_id);
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
            Ok::<_, anyhow::Error>((lat, per_kind, Instant::now(), (chat as i64, pushed_ids)))
        })
    });
    let results = futures_util::future::join_all(tasks).await;
    done.cancel();
    let _ = collector.await;
    bar.finish_and_clear();
    let mut latencies = Latencies::default();
    let mut per_kind: BTreeMap<Kind, Latencies> = BTreeMap::new();
    let mut last = start;
    let mut pushed = HashMap::new();
    for r in results {
        let (l, kinds, end, (chat, ids)) = r??;
        pushed.insert(chat, ids);
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
        pushed,
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

/// What every bot must do, checked on everything the fake received once the
/// load is over: each pushed message answered (at least one `sendMessage`
/// to its chat naming it in `reply_parameters.message_id` or
/// `reply_to_message_id`), nothing answered twice with the same text, each
/// chat's replies in the order of the messages they answer, and no message
/// sent that names no message of the run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checks {
    /// Messages the bot sent (to any chat).
    pub replies: u64,
    /// Pushed messages with at least one reply.
    pub answered: u64,
    pub unanswered: u64,
    /// Replies repeating an earlier one (same chat, same message answered, same text).
    pub duplicates: u64,
    /// Replies naming an earlier message than the chat's previous reply did.
    pub out_of_order: u64,
    /// Replies naming no message of the run (or none at all).
    pub stray: u64,
}

impl Checks {
    /// Checks the messages the fake received (in the order it received them)
    /// against the ids pushed to each chat.
    pub fn of(sent: &[radar_testkit::fake::Sent], pushed: &HashMap<i64, Vec<i64>>) -> Checks {
        let mut c = Checks::default();
        let mut seen = std::collections::HashSet::new();
        let mut answered = std::collections::HashSet::new();
        let mut last: HashMap<i64, i64> = HashMap::new();
        for s in sent {
            c.replies += 1;
            let Some(to) = s.reply_to_message_id.filter(|to| {
                pushed
                    .get(&s.chat_id)
                    .is_some_and(|ids| ids.binary_search(to).is_ok())
            }) else {
                c.stray += 1;
                continue;
            };
            if !seen.insert((s.chat_id, to, s.text.as_str())) {
                c.duplicates += 1;
            }
            answered.insert((s.chat_id, to));
            let prev = last.entry(s.chat_id).or_insert(to);
            if to < *prev {
                c.out_of_order += 1;
            } else {
                *prev = to;
            }
        }
        c.answered = answered.len() as u64;
        c.unanswered = pushed.values().map(|v| v.len() as u64).sum::<u64>() - c.answered;
        c
    }

    /// What went wrong, one sentence each (empty when every check holds).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut say = |n: u64, what: &str| {
            if n > 0 {
                out.push(format!("{n} {what}"));
            }
        };
        say(self.unanswered, "commands never answered");
        say(
            self.duplicates,
            "replies repeat an earlier reply (a command answered twice)",
        );
        say(
            self.out_of_order,
            "replies answer an earlier message than the chat's previous reply (out of order)",
        );
        say(
            self.stray,
            "messages sent that name no message of the run as the one they answer",
        );
        out
    }

    pub fn json(&self) -> serde_json::Value {
        json!({
            "replies": self.replies, "answered": self.answered, "unanswered": self.unanswered,
            "duplicates": self.duplicates, "out_of_order": self.out_of_order, "stray": self.stray,
        })
    }
}

/// Runs the checks on what the fake received; an error names every failed one.
fn check(fake: &FakeTelegram, d: &Driven, who: &str) -> anyhow::Result<Checks> {
    let checks = Checks::of(&fake.sent(), &d.pushed);
    let problems = checks.problems();
    anyhow::ensure!(
        problems.is_empty(),
        "{who} failed the checks: {}",
        problems.join("; ")
    );
    Ok(checks)
}

/// The token the fake accepts from the bot.
pub const TOKEN: &str = "123456:BENCH";

/// The environment a bot run by `e2e` gets (its own environment, less every
/// inherited `TELOXIDE_*`, `TELEGRAM_*`, `RADAR_*`, `BOT_TOKEN` and
/// `DATABASE_URL`, plus these). Shown in `radar-bench e2e --help`.
pub const BOT_ENV: &str = "\
Environment of the bot (radar serve, or CMD run as `sh -c CMD` in its own process group):
  TELOXIDE_API_URL, TELEGRAM_API_URL   the fake Bot API, http://127.0.0.1:PORT/ (methods at
                                       {URL}bot{TOKEN}/{method}; JSON, form or multipart bodies)
  TELOXIDE_TOKEN, TELEGRAM_BOT_TOKEN, BOT_TOKEN   the token, 123456:BENCH
  DATABASE_URL          as given to e2e (migrated and seeded with Radar's bench projects first,
                        unless --no-seed); unset when none is given
  RADAR_ALLOWED_USERS   1,2,…,C (the chats' user ids)
  RADAR_LISTEN          a free 127.0.0.1 port; if something answers GET /readyz there, the load
                        waits for its 200
  RADAR_SEND_RATE=0     RUST_LOG=warn
The load starts after the bot's first getUpdates (within 30 s). Chat k (1..=C) is a private chat
with user k; each message is Radar's command language, and the next one in a chat is pushed when
the first reply to the previous one arrives (30 s at most). A reply is a sendMessage to the chat
naming the message it answers (reply_parameters.message_id or reply_to_message_id). Checked at the
end: every message answered, none twice with the same text, each chat's replies in order, no
message naming none of the run. Peak RSS: the largest VmHWM among the processes of the bot's
process group (sh itself, when it does not exec, is one of them).";

/// The bot's process group, killed (SIGKILL) when dropped.
struct BotProcess {
    child: Child,
}

impl BotProcess {
    fn spawn(mut cmd: Command) -> std::io::Result<BotProcess> {
        // Its own process group: everything CMD starts is measured and killed with it.
        cmd.process_group(0);
        Ok(BotProcess {
            child: cmd.spawn()?,
        })
    }

    /// The process of the group with the largest `VmHWM`: `(name, VmHWM, VmRSS)` in KiB.
    fn memory(&self) -> (String, u64, u64) {
        let pgid = self.child.id();
        let mut best = (String::new(), 0, 0);
        for pid in group_members(pgid) {
            let (hwm, rss) = memory_kib(pid);
            if hwm >= best.1 {
                let name = std::fs::read_to_string(format!("/proc/{pid}/comm"))
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                best = (name, hwm, rss);
            }
        }
        best
    }
}

impl Drop for BotProcess {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &format!("-{}", self.child.id())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The processes whose process group is `pgid`.
fn group_members(pgid: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return vec![pgid];
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            // `pid (comm) state ppid pgrp …`: the fields after the last ')'.
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|s| {
                    s.rsplit_once(')')?
                        .1
                        .split_whitespace()
                        .nth(2)?
                        .parse::<u32>()
                        .ok()
                })
                == Some(pgid)
        })
        .collect()
}

/// The last lines of the bot's log, for an error.
fn tail(log: &std::path::Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let from = lines.len().saturating_sub(20);
    format!(
        "log {} (last lines):\n{}",
        log.display(),
        lines[from..].join("\n")
    )
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

async fn run_null_bot(fake: &FakeTelegram, opts: &Options, shape: &Shape) -> anyhow::Result<()> {
    let bot = Bot::new(TOKEN).set_api_url(fake.url());
    let cancel = tokio_util::sync::CancellationToken::new();
    let task = tokio::spawn(null_bot(bot, cancel.clone()));
    let d = drive(fake, opts, shape).await?;
    cancel.cancel();
    let _ = task.await;
    let checks = check(fake, &d, "the null bot")?;
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
               "seconds": crate::round3(d.seconds), "updates_per_s": ups.round(),
               "checks": checks.json()}),
        merge(d.latencies.json(), kinds),
    ));
    Ok(())
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
        return run_null_bot(&fake, &opts, &shape).await;
    }

    anyhow::ensure!(
        opts.url.is_some() || opts.bot_cmd.is_some(),
        "DATABASE_URL is required (or --null-bot, or --bot-cmd)"
    );
    if let Some(url) = &opts.url
        && !opts.no_seed
    {
        let target = Target::open(url, 8).await?;
        crate::seed(&target, &shape, 8, opts.quiet).await?;
    }
    let listen = free_addr()?;
    let log = std::env::temp_dir().join(format!("radar-bench-e2e-{}.log", std::process::id()));
    let allowed: Vec<String> = (1..=shape.users).map(|u| u.to_string()).collect();
    let (mut cmd, who) = match &opts.bot_cmd {
        Some(c) => {
            let mut cmd = Command::new("sh");
            cmd.arg("-c").arg(c);
            (cmd, c.clone())
        }
        None => {
            let radar = radar_path(&opts)?;
            anyhow::ensure!(
                radar.exists(),
                "{} does not exist (build it, or pass --radar)",
                radar.display()
            );
            let mut cmd = Command::new(radar);
            cmd.arg("serve");
            (cmd, "radar serve".to_string())
        }
    };
    for (k, _) in std::env::vars_os() {
        let name = k.to_string_lossy();
        if ["TELOXIDE_", "TELEGRAM_", "RADAR_"]
            .iter()
            .any(|p| name.starts_with(p))
            || name == "BOT_TOKEN"
            || name == "DATABASE_URL"
        {
            cmd.env_remove(&k);
        }
    }
    let api = fake.url().to_string();
    cmd.env("TELOXIDE_API_URL", &api)
        .env("TELEGRAM_API_URL", &api)
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELEGRAM_BOT_TOKEN", TOKEN)
        .env("BOT_TOKEN", TOKEN)
        .env("RADAR_ALLOWED_USERS", allowed.join(","))
        .env("RADAR_LISTEN", listen.to_string())
        .env("RADAR_SEND_RATE", "0")
        .env("RUST_LOG", "warn");
    if let Some(DbUrl::Postgres(u) | DbUrl::Sqlite(u)) = &opts.url {
        cmd.env("DATABASE_URL", u);
    }
    let out = std::fs::File::create(&log)?;
    cmd.stdin(Stdio::null())
        .stdout(Stdio::from(out.try_clone()?))
        .stderr(Stdio::from(out));
    let t0 = Instant::now();
    let mut bot = BotProcess::spawn(cmd).map_err(|e| anyhow::anyhow!("cannot start {who}: {e}"))?;

    // Ready: polling, and /readyz 200 if something answers HTTP on RADAR_LISTEN.
    let deadline = t0 + Duration::from_secs(30);
    let (mut ready, mut polling, mut serves_http) = (None, None, opts.bot_cmd.is_none());
    loop {
        if let Some(status) = bot.child.try_wait()? {
            anyhow::bail!("{who} exited ({status}) before the load; {}", tail(&log));
        }
        if ready.is_none() {
            match http_status(listen, "/readyz").await {
                200 => ready = Some(t0.elapsed()),
                0 => {}
                _ => serves_http = true,
            }
            serves_http |= ready.is_some();
        }
        if polling.is_none() && fake.requests("getUpdates") > 0 {
            polling = Some(t0.elapsed());
        }
        if polling.is_some() && (ready.is_some() || !serves_http) {
            break;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "{who}: {} within 30 s; {}",
            if polling.is_none() {
                "no getUpdates"
            } else {
                "no /readyz 200"
            },
            tail(&log)
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let polling = polling.unwrap_or_default();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (_, idle_hwm, idle_rss) = bot.memory();

    let d = match drive(&fake, &opts, &shape).await {
        Ok(d) => d,
        Err(e) => anyhow::bail!("{e}; {}", tail(&log)),
    };
    let (process, load_hwm, load_rss) = bot.memory();
    drop(bot);
    let checks = check(&fake, &d, &who).map_err(|e| anyhow::anyhow!("{e}; {}", tail(&log)))?;
    // Kept only when something failed (the errors above name it).
    let _ = std::fs::remove_file(&log);

    let backend = match &opts.url {
        Some(DbUrl::Postgres(_)) => "postgres",
        Some(DbUrl::Sqlite(_)) => "sqlite",
        None => "none",
    };
    let ups = d.updates as f64 / d.seconds;
    let mib = |k: u64| k as f64 / 1024.0;
    let ms = |d: Duration| crate::round3(d.as_secs_f64() * 1000.0);
    println!(
        "e2e on {backend}: {who} (polling) ↔ fake Bot API, {} updates over {} chats, one in flight per chat",
        d.updates, opts.chats
    );
    println!(
        "  {ups:.0} updates/s in {:.2} s (first update to last reply)",
        d.seconds
    );
    println!("  reply latency {}", d.latencies.line());
    let kinds = d.kinds();
    println!(
        "  checks: {} commands answered, {} replies; none twice, none out of order, none stray",
        checks.answered, checks.replies
    );
    println!(
        "  start: {}first getUpdates after {:.1} ms",
        ready.map_or(String::new(), |r| format!(
            "/readyz 200 after {:.1} ms, ",
            r.as_secs_f64() * 1000.0
        )),
        polling.as_secs_f64() * 1000.0
    );
    println!(
        "  memory ({process}): idle VmHWM {:.1} MiB (VmRSS {:.1}); after load VmHWM {:.1} MiB (VmRSS {:.1})",
        mib(idle_hwm),
        mib(idle_rss),
        mib(load_hwm),
        mib(load_rss)
    );
    crate::print_json(&merge(
        json!({
            "bench": "e2e", "backend": backend, "bot": who, "bot_process": process,
            "updates": d.updates, "chats": opts.chats,
            "seconds": crate::round3(d.seconds), "updates_per_s": ups.round(),
            "ready_ms": ready.map(ms), "polling_ms": ms(polling),
            "idle_hwm_mib": crate::round3(mib(idle_hwm)), "idle_rss_mib": crate::round3(mib(idle_rss)),
            "peak_hwm_mib": crate::round3(mib(load_hwm)), "rss_after_mib": crate::round3(mib(load_rss)),
            "checks": checks.json(),
        }),
        merge(d.latencies.json(), kinds),
    ));
    Ok(())
}
