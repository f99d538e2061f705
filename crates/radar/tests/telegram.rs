//! The real `radar serve` binary against the fake Bot API on loopback:
//! redelivery, restarts, crashes, rate limits, replicas, outsiders, outages.

use std::collections::BTreeMap;
use std::time::Duration;

use radar_store::outbox;
use radar_store::test_support::data_events;
use radar_store::{Backend, DbUrl};
use radar_testkit::serve::{Options, Radar, TOKEN, eventually};
use radar_testkit::{FakeTelegram, TestDb, both, counts};

const RADAR: &str = env!("CARGO_BIN_EXE_radar");

const USER: i64 = 1001;
const WAIT: Duration = Duration::from_secs(30);

fn opts() -> Options<'static> {
    Options {
        allowed: "1001,1002",
        ..Options::default()
    }
}

async fn wait_polling(fake: &FakeTelegram, calls: usize) {
    fake.wait_get_updates_calls(calls, WAIT)
        .await
        .expect("radar polls getUpdates");
}

/// The replies, by the message they answer.
fn replies_by_message(fake: &FakeTelegram, chat: i64) -> BTreeMap<i64, usize> {
    let mut m = BTreeMap::new();
    for s in fake.sent_to(chat) {
        *m.entry(s.reply_to_message_id.unwrap_or(0)).or_insert(0) += 1;
    }
    m
}

both!(
    twenty_commands_restart_and_full_redelivery,
    |b| async move {
        let db = TestDb::new(b).await;
        let fake = FakeTelegram::start().await;
        let radar = Radar::start(RADAR, &db.url, &fake, &opts());
        wait_polling(&fake, 1).await;

        fake.push_text(USER, USER, "/newproject Apollo", Some("en"));
        for i in 1..20 {
            fake.push_text(USER, USER, &format!("/add Feature {i}"), Some("en"));
        }
        let sent = fake
            .wait_sent(20, WAIT)
            .await
            .unwrap_or_else(|e| panic!("{e}\n{}", radar.log()));
        assert!(
            sent.iter()
                .all(|s| s.text.starts_with("📁 Project: <b>Apollo</b>")),
            "context line on every reply"
        );
        assert!(
            sent.iter().all(|s| s.reply_to_message_id.is_some()),
            "each reply answers its message"
        );
        // Command menu registered in both languages.
        // Command menu registered in both languages, from the command table.
        let menus = fake.commands();
        let en = menus
            .iter()
            .find(|c| c.language_code.is_none())
            .expect("default menu");
        let ru = menus
            .iter()
            .find(|c| c.language_code.as_deref() == Some("ru"))
            .expect("Russian menu");
        assert_eq!(en.commands.len(), ru.commands.len());
        assert!(
            en.commands
                .iter()
                .any(|(c, d)| c == "status" && d.contains("/status N STATUS")),
            "{:?}",
            en.commands
        );
        assert!(
            ru.commands
                .iter()
                .any(|(c, d)| c == "status" && d.contains("/status N СТАТУС")),
            "{:?}",
            ru.commands
        );

        let status = radar.terminate();
        assert!(status.success(), "a clean stop on SIGTERM: {status:?}");
        let pool = db.pool();
        let before = counts(&pool).await;
        assert_eq!(before.features, 19);

        // Telegram delivers everything again.
        fake.redeliver_all();
        assert_eq!(fake.pending_count(), 20);
        let radar = Radar::start(RADAR, &db.url, &fake, &opts());
        eventually("the redelivered batch is consumed", WAIT, || async {
            fake.pending_count() == 0
        })
        .await;
        eventually("every redelivery counted as a duplicate", WAIT, || async {
            radar.metric("radar_duplicates_dropped_total").await >= 20.0
        })
        .await;
        let after = counts(&pool).await;
        assert_eq!(
            (after.features, after.events, after.outbox),
            (before.features, before.events, before.outbox),
            "no doubled change"
        );
        assert_eq!(fake.sent().len(), 20, "no second reply");
        assert!(fake.overreaching_offsets().is_empty());
        let (code, _) = radar.get("/healthz").await;
        assert_eq!(code, 200);
        let (code, _) = radar.get("/readyz").await;
        assert_eq!(code, 200);
        let (_, metrics) = radar.get("/metrics").await;
        for name in [
            "radar_updates_received_total",
            "radar_duplicates_dropped_total",
            "radar_commands_total",
            "radar_command_latency_seconds_bucket",
            "radar_outbox_backlog",
        ] {
            assert!(metrics.contains(name), "{name} in /metrics:\n{metrics}");
        }
        assert!(
            !radar.log().contains(TOKEN) && !radar.log().contains("CANARY"),
            "the token never appears in logs"
        );
    }
);

both!(
    kill_minus_nine_loses_nothing_and_doubles_nothing,
    |b| async move {
        use rand::{Rng, SeedableRng};
        let db = TestDb::new(b).await;
        let fake = FakeTelegram::start().await;
        let seed: u64 = rand::random();
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let total = 150;
        let mut radar = Radar::start(RADAR, &db.url, &fake, &opts());
        fake.push_text(USER, USER, "/newproject Soak", Some("en"));
        fake.wait_sent(1, WAIT).await.unwrap();
        let mut kills = 0;
        let mut pushed = 0;
        while pushed < total {
            let burst = rng.random_range(5..20).min(total - pushed);
            for _ in 0..burst {
                fake.push_text(USER, USER, &format!("/add F{pushed}"), Some("en"));
                pushed += 1;
            }
            if kills < 6 && rng.random_bool(0.6) {
                // Let it get some way into the burst, then SIGKILL.
                let target = 1 + fake.sent().len() + rng.random_range(0..burst);
                let _ = fake
                    .wait_sent(target, Duration::from_millis(rng.random_range(5..200)))
                    .await;
                radar.kill();
                kills += 1;
                radar = Radar::start(RADAR, &db.url, &fake, &opts());
            }
        }
        eventually(
            "every command answered",
            Duration::from_secs(60),
            || async { replies_by_message(&fake, USER).len() == total + 1 },
        )
        .await;
        let pool = db.pool();
        let c = counts(&pool).await;
        let replies = replies_by_message(&fake, USER);
        let duplicate_replies: usize = replies.values().map(|n| n - 1).sum();
        let lost = total + 1 - replies.len();
        let applied = c.features as usize;
        println!(
            "crash soak ({b:?}, seed {seed}): {total} commands, {kills} SIGKILLs, applied {applied}, lost {lost}, doubled {}, duplicate replies {duplicate_replies}",
            applied.saturating_sub(total)
        );
        assert_eq!(applied, total, "each command applied exactly once");
        assert_eq!(lost, 0);
        // A kill repeats at most the replies of the chat's flush in progress
        // (sent, not yet marked): one command's reply in practice, at most
        // FLUSH_MAX (16) by construction.
        assert!(
            duplicate_replies <= kills * 16,
            "at most one flush resent per crash: {duplicate_replies} duplicates, {kills} kills"
        );
        assert_eq!(
            {
                let mut conn = pool.get().await.unwrap();
                data_events(&mut conn).await.unwrap()
            },
            total as i64 + 1,
            "one event per command"
        );
        assert!(
            fake.overreaching_offsets().is_empty(),
            "no update acknowledged before it was stored"
        );
        drop(radar);
    }
);

both!(
    rate_limit_storm_every_reply_delivered_none_early,
    |b| async move {
        let db = TestDb::new(b).await;
        let fake = FakeTelegram::start().await;
        let radar = Radar::start(RADAR, &db.url, &fake, &opts());
        wait_polling(&fake, 1).await;
        fake.rate_limit_sends(6, 1);
        fake.push_text(USER, USER, "/newproject Storm", Some("en"));
        for i in 0..4 {
            fake.push_text(USER, USER, &format!("/add S{i}"), Some("en"));
            fake.push_text(1002, 1002, &format!("/use Storm {i}"), Some("ru"));
        }
        fake.wait_sent(9, WAIT)
            .await
            .unwrap_or_else(|e| panic!("{e}\n{}", radar.log()));
        assert!(
            fake.early_retries().is_empty(),
            "no send before retry_after: {:?}",
            fake.early_retries()
        );
        let texts: Vec<String> = fake.sent_to(USER).into_iter().map(|s| s.text).collect();
        assert_eq!(texts.len(), 5);
        assert!(
            texts[0].contains("Created project") && texts[4].contains("S3"),
            "order per chat kept: {texts:?}"
        );
        // A 5xx is retried; a blocked user is recorded and not retried forever.
        fake.fail_sends(1, 502);
        fake.push_text(USER, USER, "/add After502", Some("en"));
        fake.wait_sent(10, Duration::from_secs(40)).await.unwrap();
        fake.block_chat(1002);
        fake.push_text(1002, 1002, "/whoami", Some("en"));
        let pool = db.pool();
        eventually("the blocked chat's reply is given up", WAIT, || async {
            let mut conn = pool.get().await.unwrap();
            outbox::backlog(&mut conn).await.unwrap() == 0
        })
        .await;
        assert_eq!(fake.sent().len(), 10);
        drop(radar);
    }
);

// At least once: a reply whose send may have reached Telegram (the answer
// came too late) is sent again — a rare double reply beats a lost one.
both!(an_ambiguous_timeout_is_sent_again, |b| async move {
    let db = TestDb::new(b).await;
    let fake = FakeTelegram::start().await;
    let mut o = opts();
    o.env.push(("RADAR_TELEGRAM_TIMEOUT", "1".to_string()));
    let radar = Radar::start(RADAR, &db.url, &fake, &o);
    wait_polling(&fake, 1).await;
    // The first reply reaches Telegram, but the answer comes too late.
    fake.hang_sends(1, Duration::from_secs(3));
    let slow = fake.push_text(USER, USER, "/newproject Slow", Some("en"));
    fake.push_text(USER, USER, "/add Next", Some("en"));
    // Two copies of the slow reply, then the next one.
    fake.wait_sent(3, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", radar.log()));
    let pool = db.pool();
    eventually("the outbox is settled", WAIT, || async {
        let mut conn = pool.get().await.unwrap();
        outbox::backlog(&mut conn).await.unwrap() == 0
    })
    .await;
    let copies = replies_by_message(&fake, USER);
    assert_eq!(
        copies.get(&slow.message_id).copied(),
        Some(2),
        "the ambiguous reply is sent again: {copies:?}"
    );
    let texts: Vec<String> = fake.sent_to(USER).into_iter().map(|s| s.text).collect();
    assert!(
        texts.last().is_some_and(|t| t.contains("Added #1 Next")),
        "the chat's order holds: {texts:?}"
    );
    let mut conn = pool.get().await.unwrap();
    let key = format!("{USER}:{}", slow.message_id);
    let rows = outbox::for_key(&mut conn, &key).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].attempts, 2, "two attempts, counted");
    assert!(rows[0].sent_at.is_some() && rows[0].failed_at.is_none());
    drop(radar);
});

both!(
    outsiders_forged_buttons_and_edits_change_nothing,
    |b| async move {
        let db = TestDb::new(b).await;
        let fake = FakeTelegram::start().await;
        let radar = Radar::start(RADAR, &db.url, &fake, &opts());
        wait_polling(&fake, 1).await;
        fake.push_text(USER, USER, "/newproject Apollo", Some("en"));
        let p = fake.push_text(USER, USER, "/add Login", Some("en"));
        fake.wait_sent(2, WAIT).await.unwrap();
        let pool = db.pool();
        let before = counts(&pool).await;

        let outsider = 666;
        fake.push_text(outsider, outsider, "/newproject Evil", Some("en"));
        fake.push_callback(outsider, outsider, "del:1", 1);
        fake.push_callback(USER, USER, "st:99999:d:5", 1); // forged: no such feature
        fake.push_edited(USER, USER, p.message_id, "/add Login twice");
        fake.push_non_text(USER, USER);
        fake.push_channel_post(-100777, "/newproject FromChannel");
        fake.push_raw(serde_json::json!({"message": {
        "message_id": 9000, "date": 1_700_000_000,
        "chat": {"id": -100200, "type": "supergroup", "title": "G"},
        "from": {"id": 1087968824, "is_bot": true, "first_name": "Group", "username": "GroupAnonymousBot"},
        "sender_chat": {"id": -100200, "type": "supergroup", "title": "G"},
        "text": "/newproject Anonymous"
    }}));
        fake.push_raw(serde_json::json!({"message": {
        "message_id": 9001, "date": 1_700_000_000,
        "chat": {"id": USER, "type": "private", "first_name": "U"},
        "from": {"id": USER, "is_bot": false, "first_name": "U"},
        "forward_origin": {"type": "hidden_user", "sender_user_name": "Someone", "date": 1_699_000_000},
        "text": "/newproject Forwarded"
    }}));
        eventually("everything answered", WAIT, || async {
            fake.sent().len() >= 2 + 7 && fake.callback_answers().len() == 2
        })
        .await;
        let after = counts(&pool).await;
        assert_eq!(
            (after.projects, after.features, after.events),
            (before.projects, before.features, before.events),
            "no mutations"
        );
        let to_outsider: Vec<String> = fake.sent_to(outsider).into_iter().map(|s| s.text).collect();
        assert!(
            to_outsider.iter().all(|t| t.contains("666")) && !to_outsider.is_empty(),
            "{to_outsider:?}"
        );
        let mine: Vec<String> = fake.sent_to(USER).into_iter().map(|s| s.text).collect();
        assert!(mine.iter().any(|t| t.contains("Edits are not applied")));
        assert!(mine.iter().any(|t| t.contains("only understand text")));
        assert!(
            mine.iter()
                .any(|t| t.contains("Forwarded messages are not executed"))
        );
        assert!(
            mine.iter().any(|t| t.contains("no longer exists")),
            "{mine:?}"
        );
        assert!(
            fake.sent_to(-100777).is_empty(),
            "channel posts are ignored"
        );
        assert!(
            fake.sent_to(-100200)
                .iter()
                .all(|s| s.text.contains("anonymous admin")),
            "anonymous admins are told they cannot be identified"
        );
        // Nothing of the outsider's but the message key is stored.
        let mut conn = pool.get().await.unwrap();
        let r = radar_store::processed_messages::get(&mut conn, &format!("{outsider}:1"))
            .await
            .unwrap()
            .expect("key stored");
        assert!(r.payload.is_none());
        drop(radar);
    }
);

/// Two webhook replicas on PostgreSQL, each receiving every update.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_webhook_replicas_apply_each_update_once() {
    let db = TestDb::new(Backend::Postgres).await;
    let fake = FakeTelegram::start().await;
    let secret = "s3cret_Token-1";
    let hook = |path: &str| Options {
        allowed: "1001,1002",
        webhook: Some((format!("https://radar.example.com{path}"), Some(secret))),
        ..Options::default()
    };
    let a = Radar::start(RADAR, &db.url, &fake, &hook("/tg/hook"));
    let b = Radar::start(RADAR, &db.url, &fake, &hook("/tg/hook"));
    let client = reqwest::Client::new();
    for r in [&a, &b] {
        eventually("replica ready", WAIT, || async {
            r.get("/readyz").await.0 == 200
        })
        .await;
    }
    assert_eq!(
        fake.webhook().map(|w| w.secret_token),
        Some(Some(secret.to_string()))
    );
    eventually("webhooks registered", WAIT, || async {
        fake.requests("setWebhook") >= 2
    })
    .await;

    let pool = db.pool();
    // Wrong or missing secret: refused, nothing stored.
    let before = counts(&pool).await;
    let body = serde_json::json!({"update_id": 1, "message": {"message_id": 1, "date": 1_700_000_000,
        "chat": {"id": USER, "type": "private", "first_name": "U"},
        "from": {"id": USER, "is_bot": false, "first_name": "U"}, "text": "/newproject Nope"}});
    let post = |r: &Radar, secret: Option<&str>, body: &serde_json::Value| {
        let mut req = client
            .post(format!("http://{}/tg/hook", r.listen))
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(s) = secret {
            req = req.header("X-Telegram-Bot-Api-Secret-Token", s);
        }
        req.send()
    };
    assert_eq!(post(&a, None, &body).await.unwrap().status().as_u16(), 401);
    assert_eq!(
        post(&a, Some("wrong"), &body)
            .await
            .unwrap()
            .status()
            .as_u16(),
        403
    );
    assert_eq!(
        counts(&pool).await.processed,
        before.processed,
        "nothing stored"
    );

    let n = 40;
    let mut updates = vec![
        serde_json::json!({"update_id": 100, "message": {"message_id": 100, "date": 1_700_000_000,
        "chat": {"id": USER, "type": "private", "first_name": "U"},
        "from": {"id": USER, "is_bot": false, "first_name": "U", "language_code": "en"}, "text": "/newproject Twins"}}),
    ];
    for i in 1..n {
        updates.push(serde_json::json!({"update_id": 100 + i, "message": {"message_id": 100 + i, "date": 1_700_000_000,
            "chat": {"id": USER, "type": "private", "first_name": "U"},
            "from": {"id": USER, "is_bot": false, "first_name": "U", "language_code": "en"}, "text": format!("/add T{i}")}}));
    }
    for u in &updates {
        // Both replicas get the same update at the same moment.
        let (ra, rb) = tokio::join!(post(&a, Some(secret), u), post(&b, Some(secret), u));
        assert_eq!(ra.unwrap().status().as_u16(), 200);
        assert_eq!(rb.unwrap().status().as_u16(), 200);
    }
    eventually("every update answered", WAIT, || async {
        replies_by_message(&fake, USER).len() == n as usize
    })
    .await;
    // Give a late duplicate the chance to show up before counting.
    eventually("both replicas drained", WAIT, || async {
        a.metric("radar_outbox_backlog").await == 0.0
            && b.metric("radar_outbox_backlog").await == 0.0
    })
    .await;
    let c = counts(&pool).await;
    assert_eq!(c.features, n - 1, "each update applied exactly once");
    let replies = replies_by_message(&fake, USER);
    assert!(
        replies.values().all(|&k| k == 1),
        "no reply sent twice: {replies:?}"
    );
    let dups = a.metric("radar_duplicates_dropped_total").await
        + b.metric("radar_duplicates_dropped_total").await;
    assert!(dups >= 1.0, "the other replica saw duplicates");
}

/// A TCP proxy between Radar and PostgreSQL that can cut and restore connections.
struct Proxy {
    addr: std::net::SocketAddr,
    up: std::sync::Arc<tokio::sync::watch::Sender<bool>>,
}

impl Proxy {
    async fn start(target: &str) -> Proxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::watch::channel(true);
        let target = target.to_string();
        tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                let mut rx = rx.clone();
                if !*rx.borrow() {
                    drop(inbound);
                    continue;
                }
                let target = target.clone();
                tokio::spawn(async move {
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = rx.wait_for(|up| !*up) => {}
                    }
                });
            }
        });
        Proxy {
            addr,
            up: std::sync::Arc::new(tx),
        }
    }
    fn cut(&self) {
        let _ = self.up.send(false);
    }
    fn restore(&self) {
        let _ = self.up.send(true);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn database_outage_loses_nothing_and_catches_up() {
    let db = TestDb::new(Backend::Postgres).await;
    let DbUrl::Postgres(url) = &db.url else {
        unreachable!()
    };
    let proxy = Proxy::start("127.0.0.1:5432").await;
    let proxied = url.replacen("127.0.0.1:5432", &proxy.addr.to_string(), 1);
    assert_ne!(&proxied, url.as_str());
    let fake = FakeTelegram::start().await;
    let radar = Radar::start_url(RADAR, &proxied, &fake, &opts());
    wait_polling(&fake, 1).await;
    fake.push_text(USER, USER, "/newproject Outage", Some("en"));
    for i in 0..5 {
        fake.push_text(USER, USER, &format!("/add Before {i}"), Some("en"));
    }
    fake.wait_sent(6, WAIT).await.unwrap();

    proxy.cut();
    eventually("not ready while the database is away", WAIT, || async {
        radar.get("/readyz").await.0 == 503
    })
    .await;
    let first_during = fake
        .push_text(USER, USER, "/add During 0", Some("en"))
        .update_id;
    for i in 1..10 {
        fake.push_text(USER, USER, &format!("/add During {i}"), Some("en"));
    }
    // Updates it could not store are not acknowledged.
    let confirmed_before = fake
        .get_updates_calls()
        .iter()
        .filter_map(|c| c.offset)
        .max()
        .unwrap_or(0);
    let _ = fake
        .wait_get_updates_calls(fake.get_updates_calls().len() + 1, Duration::from_secs(2))
        .await;
    assert!(
        fake.get_updates_calls()
            .iter()
            .filter_map(|c| c.offset)
            .all(|o| o <= first_during),
        "offset moved past unstored updates (before cut: {confirmed_before})"
    );
    assert_eq!(
        (radar.get("/healthz").await).0,
        200,
        "the process keeps running"
    );

    proxy.restore();
    eventually(
        "caught up after the outage",
        Duration::from_secs(60),
        || async { replies_by_message(&fake, USER).len() == 16 },
    )
    .await;
    let pool = db.pool();
    assert_eq!(
        counts(&pool).await.features,
        15,
        "nothing lost, nothing doubled"
    );
    eventually("ready again", WAIT, || async {
        radar.get("/readyz").await.0 == 200
    })
    .await;
}

fn db_url_arg(db: &DbUrl) -> String {
    match db {
        DbUrl::Sqlite(p) => p.clone(),
        DbUrl::Postgres(u) => u.clone(),
    }
}

/// A command with the environment `radar serve` needs against the fake.
fn serve_env(program: &str, db: &DbUrl, fake: &FakeTelegram) -> std::process::Command {
    let mut cmd = std::process::Command::new(program);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", db_url_arg(db))
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", fake.url().as_str())
        .env("RADAR_ALLOWED_USERS", USER.to_string())
        .env(
            "RADAR_LISTEN",
            radar_testkit::serve::free_addr().to_string(),
        )
        .env("RADAR_SEND_RATE", "0")
        .env("RUST_LOG", "info")
        .current_dir(std::env::temp_dir())
        .stdin(std::process::Stdio::null());
    cmd
}

fn signal(sig: &str, pid: u32) {
    let _ = std::process::Command::new("kill")
        .arg(sig)
        .arg(pid.to_string())
        .status();
}

/// A started process, killed if the test fails before stopping it.
struct Started(Option<std::process::Child>);

impl Started {
    fn take_stderr(&mut self) -> std::process::ChildStderr {
        self.0.as_mut().unwrap().stderr.take().unwrap()
    }

    /// SIGTERM (what `docker stop` sends); its exit status.
    async fn terminate(mut self) -> std::process::ExitStatus {
        let mut child = self.0.take().unwrap();
        let pid = child.id();
        signal("-TERM", pid);
        match tokio::time::timeout(WAIT, tokio::task::spawn_blocking(move || child.wait())).await {
            Ok(status) => status.unwrap().unwrap(),
            Err(_) => {
                signal("-KILL", pid);
                panic!("radar did not stop within {WAIT:?} of SIGTERM");
            }
        }
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        if let Some(c) = &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// When stderr goes away (the log collector died), Radar keeps answering
/// and still stops cleanly on SIGTERM: a log line it cannot write is
/// dropped, not a panic in the task that logged it.
#[tokio::test(flavor = "multi_thread")]
async fn closed_stderr_neither_stops_replies_nor_shutdown() {
    use std::io::BufRead;
    let db = TestDb::new(Backend::Sqlite).await;
    let fake = FakeTelegram::start().await;
    let mut child = Started(Some(
        serve_env(RADAR, &db.url, &fake)
            .env("RUST_LOG", "debug")
            .arg("serve")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    ));
    let stderr = child.take_stderr();
    // Read until Radar runs, then close the pipe's read end.
    let running = tokio::task::spawn_blocking(move || {
        std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
            .any(|l| l.contains("Radar is running"))
    });
    assert!(
        tokio::time::timeout(WAIT, running).await.unwrap().unwrap(),
        "radar starts"
    );
    fake.push_text(USER, USER, "/newproject Apollo", Some("en"));
    let sent = fake.wait_sent(1, WAIT).await.expect("still answering");
    assert!(sent[0].text.contains("Apollo"));

    assert!(child.terminate().await.success(), "a clean stop");
}

/// RADAR_WEBHOOK_URL without --webhook: Radar stops at start with one line
/// naming both, and leaves the bot's webhook alone (polling deletes it).
#[tokio::test(flavor = "multi_thread")]
async fn webhook_url_without_the_flag_is_refused() {
    let db = TestDb::new(Backend::Sqlite).await;
    let fake = FakeTelegram::start().await;
    let hook = "https://radar.example.com/tg/hook";
    fake.set_webhook_state(Some(hook));
    let out = serve_env(RADAR, &db.url, &fake)
        .env("RADAR_WEBHOOK_URL", hook)
        .arg("serve")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.starts_with("radar: RADAR_WEBHOOK_URL: ") && err.contains("--webhook"),
        "{err}"
    );
    assert_eq!(
        fake.requests("deleteWebhook"),
        0,
        "the webhook is left alone"
    );
    assert_eq!(fake.requests("getUpdates"), 0);
    assert_eq!(fake.webhook().map(|w| w.url).as_deref(), Some(hook));
}

/// docker-compose.yml's radar service runs `radar serve` in the mode its
/// variables describe (its entrypoint line, run as Docker would, with
/// `radar` on the PATH), and runs a command given to `docker compose run`.
#[tokio::test(flavor = "multi_thread")]
async fn docker_compose_runs_the_mode_its_variables_describe() {
    use std::io::BufRead;
    let compose = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docker-compose.yml"
    ))
    .unwrap();
    let line = compose
        .lines()
        .find_map(|l| l.trim().strip_prefix("entrypoint:"))
        .expect("the radar service's entrypoint");
    // A flow sequence of double-quoted strings is JSON; `$$` is Compose's
    // escape for a `$` left to the shell.
    let argv: Vec<String> = serde_json::from_str::<Vec<String>>(line.trim())
        .unwrap()
        .into_iter()
        .map(|a| a.replace("$$", "$"))
        .collect();
    let bin = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(RADAR, bin.path().join("radar")).unwrap();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );

    for (webhook_url, mode) in [
        ("https://radar.example.com/tg/hook", "webhook"),
        // Compose passes an unset RADAR_WEBHOOK_URL as empty.
        ("", "polling"),
    ] {
        let db = TestDb::new(Backend::Sqlite).await;
        let fake = FakeTelegram::start().await;
        let mut child = Started(Some(
            serve_env(&argv[0], &db.url, &fake)
                .args(&argv[1..])
                .env("PATH", &path)
                .env("RADAR_WEBHOOK_URL", webhook_url)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap(),
        ));
        // Every log line, as it comes (read to the end, so radar never
        // writes to a closed pipe).
        let (lines_tx, mut lines) = tokio::sync::mpsc::unbounded_channel();
        let stderr = child.take_stderr();
        std::thread::spawn(move || {
            for l in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                let _ = lines_tx.send(l);
            }
        });
        let mut log = Vec::new();
        let running = tokio::time::timeout(WAIT, async {
            while let Some(l) = lines.recv().await {
                log.push(l.clone());
                if l.contains("Radar is running") {
                    return Some(l);
                }
            }
            None
        })
        .await;
        let Ok(Some(running)) = running else {
            panic!("{mode}: radar did not start:\n{}", log.join("\n"));
        };
        assert!(
            running.contains(&format!("mode=\"{mode}\"")),
            "{mode}: {running}"
        );
        if mode == "webhook" {
            assert_eq!(fake.webhook().map(|w| w.url).as_deref(), Some(webhook_url));
            assert_eq!(fake.requests("deleteWebhook"), 0);
        } else {
            fake.wait_get_updates_calls(1, WAIT)
                .await
                .expect("radar polls getUpdates");
            assert!(fake.webhook().is_none());
        }
        assert!(
            child.terminate().await.success(),
            "{mode}: stops cleanly on SIGTERM"
        );
    }

    // `docker compose run radar migrate status`: the command given.
    let db = TestDb::new(Backend::Sqlite).await;
    let fake = FakeTelegram::start().await;
    let out = serve_env(&argv[0], &db.url, &fake)
        .args(&argv[1..])
        .args(["migrate", "status"])
        .env("PATH", &path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains(" pending"),
        "{stdout}"
    );
}

both!(
    kill_inside_a_group_commit_loses_nothing_and_doubles_nothing,
    |b| async move {
        // Eight chats send at once, round after round, until a group of two
        // or more commands stops before its COMMIT (the test hook); then
        // SIGKILL, and a restart without the hook.
        let db = TestDb::new(b).await;
        let fake = FakeTelegram::start().await;
        let hold = std::env::temp_dir().join(format!(
            "radar-hold-{}-{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        let users: Vec<i64> = (1001..=1008).collect();
        let allowed = users
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let held = Options {
            allowed: &allowed,
            env: vec![
                ("RADAR_TEST_HOLD_GROUP_COMMIT", hold.display().to_string()),
                // The default, said explicitly: this test is about it.
                ("RADAR_GROUP_COMMIT", "on".to_string()),
            ],
            ..Options::default()
        };
        let radar = Radar::start(RADAR, &db.url, &fake, &held);
        wait_polling(&fake, 1).await;
        let mut pushed = 0;
        for round in 0..50 {
            if hold.exists() {
                break;
            }
            for u in &users {
                fake.push_text(*u, *u, &format!("/newproject P{u}-{round}"), Some("en"));
                pushed += 1;
            }
            // The next round once this one is answered or a group is held.
            eventually("a round answered, or a group held", WAIT, || async {
                hold.exists() || fake.sent().len() >= pushed
            })
            .await;
        }
        assert!(hold.exists(), "a group of two or more formed in 50 rounds");
        let jobs: usize = std::fs::read_to_string(&hold).unwrap().parse().unwrap();
        assert!(jobs >= 2);
        let pool = db.pool();
        let committed = {
            let mut conn = pool.get().await.unwrap();
            data_events(&mut conn).await.unwrap() as usize
        };
        // The held group's jobs (commands, a batch's receipts, "sent" marks:
        // not only commands, so their count is no bound) are not visible,
        // and nothing is half visible: each project seen has its event.
        assert!(
            committed <= pushed,
            "{committed} committed, {pushed} pushed"
        );
        let half = {
            // One statement: one snapshot, while other groups may commit.
            let mut conn = pool.get().await.unwrap();
            radar_store::test_support::text_column(
                &mut conn,
                "SELECT CAST(COUNT(*) AS TEXT) AS v FROM projects p WHERE NOT EXISTS \
                 (SELECT 1 FROM event_log e WHERE e.entity_type = 'project' AND e.entity_id = p.id)",
            )
            .await
            .unwrap()
        };
        assert_eq!(
            half,
            vec![Some("0".to_string())],
            "a command is visible whole or not at all ({jobs} jobs held)"
        );
        assert!(
            fake.sent().len() <= committed,
            "no reply before its command is committed: {} replies, {committed} committed",
            fake.sent().len()
        );
        radar.kill();
        let _ = std::fs::remove_file(&hold);
        let radar = Radar::start(
            RADAR,
            &db.url,
            &fake,
            &Options {
                allowed: &allowed,
                ..Options::default()
            },
        );
        eventually(
            "every command answered",
            Duration::from_secs(60),
            || async {
                users
                    .iter()
                    .map(|u| replies_by_message(&fake, *u).len())
                    .sum::<usize>()
                    == pushed
            },
        )
        .await;
        let c = counts(&pool).await;
        assert_eq!(
            c.projects as usize, pushed,
            "each command applied exactly once"
        );
        let mut conn = pool.get().await.unwrap();
        assert_eq!(data_events(&mut conn).await.unwrap() as usize, pushed);
        let duplicates: usize = users
            .iter()
            .flat_map(|u| replies_by_message(&fake, *u).into_values())
            .map(|n| n - 1)
            .sum();
        assert!(
            duplicates <= users.len(),
            "a kill repeats at most each chat's flush in progress: {duplicates}"
        );
        assert!(fake.overreaching_offsets().is_empty());
        drop(radar);
    }
);
