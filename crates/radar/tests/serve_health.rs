//! `radar serve` (the real binary against the fake Bot API) while things
//! are not well: health and readiness during start-up, a refused token,
//! a database that cannot be written (a read-only SQLite file or
//! directory, a read-only PostgreSQL), retention of message keys.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Utc;
use radar_store::processed_messages::{self, NewReceipt};
use radar_store::{Backend, ChatId, DbUrl, UserId, test_support};
use radar_testkit::serve::{Options, Radar, TOKEN, eventually};
use radar_testkit::{FakeTelegram, TestDb, both, counts};

const RADAR: &str = env!("CARGO_BIN_EXE_radar");
const USER: i64 = 1001;
const WAIT: Duration = Duration::from_secs(30);

fn opts() -> Options<'static> {
    Options {
        allowed: "1001",
        ..Options::default()
    }
}

/// An update as Telegram posts it to a webhook.
fn text_update(update_id: i64, text: &str) -> serde_json::Value {
    serde_json::json!({"update_id": update_id, "message": {"message_id": update_id, "date": 1_700_000_000,
        "chat": {"id": USER, "type": "private", "first_name": "U"},
        "from": {"id": USER, "is_bot": false, "first_name": "U", "language_code": "en"}, "text": text}})
}

both!(
    healthz_answers_at_once_and_readyz_waits_for_the_bot_api,
    |b| async move {
        let db = TestDb::new(b).await;
        let fake = FakeTelegram::start().await;
        fake.hold_get_me();
        let radar = Radar::start(RADAR, &db.url, &fake, &opts());
        eventually("radar asks getMe", WAIT, || async {
            fake.requests("getMe") >= 1
        })
        .await;

        // getMe is held: the listener answers all the same.
        assert_eq!(radar.get("/healthz").await.0, 200, "{}", radar.log());
        let (code, body) = radar.get("/readyz").await;
        assert_eq!(code, 503);
        assert!(body.contains("connecting to the Bot API"), "{body}");
        let (code, metrics) = radar.get("/metrics").await;
        assert!(code == 200 && metrics.contains("radar_updates_received_total"));
        assert_eq!(fake.requests("getUpdates"), 0, "not receiving yet");

        fake.release_get_me();
        eventually("ready once connected and receiving", WAIT, || async {
            radar.get("/readyz").await.0 == 200
        })
        .await;
        fake.push_text(USER, USER, "/newproject Apollo", Some("en"));
        fake.wait_sent(1, WAIT)
            .await
            .unwrap_or_else(|e| panic!("{e}\n{}", radar.log()));
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_webhook_answers_503_until_ready_so_telegram_delivers_again() {
    let db = TestDb::new(Backend::Sqlite).await;
    let fake = FakeTelegram::start().await;
    fake.hold_get_me();
    let secret = "hook_Secret-1";
    let radar = Radar::start(
        RADAR,
        &db.url,
        &fake,
        &Options {
            allowed: "1001",
            webhook: Some(("https://radar.example.com/tg/hook".into(), Some(secret))),
            ..Options::default()
        },
    );
    let post = |body: serde_json::Value| {
        let url = format!("http://{}/tg/hook", radar.listen);
        async move {
            reqwest::Client::new()
                .post(url)
                .header("content-type", "application/json")
                .header("X-Telegram-Bot-Api-Secret-Token", secret)
                .body(body.to_string())
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        }
    };
    eventually("radar asks getMe", WAIT, || async {
        fake.requests("getMe") >= 1
    })
    .await;
    assert_eq!(radar.get("/healthz").await.0, 200);
    assert_eq!(radar.get("/readyz").await.0, 503);
    assert_eq!(post(text_update(1, "/newproject Early")).await, 503);
    assert_eq!(counts(&db.pool()).await.processed, 0, "nothing stored");

    fake.release_get_me();
    eventually("ready", WAIT, || async {
        radar.get("/readyz").await.0 == 200
    })
    .await;
    assert!(fake.webhook().is_some(), "webhook registered");
    // Telegram delivers the refused update again.
    assert_eq!(post(text_update(1, "/newproject Early")).await, 200);
    let sent = fake.wait_sent(1, WAIT).await.unwrap();
    assert!(sent[0].text.contains("Early"), "{}", sent[0].text);
}

/// Waits for the process to exit.
fn wait_exit(radar: &mut Radar, timeout: Duration) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        if let Some(status) = radar.child.try_wait().unwrap() {
            return status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "radar still running after {timeout:?}:\n{}",
            radar.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_stops_radar_with_one_line_naming_it() {
    let db = TestDb::new(Backend::Sqlite).await;
    let fake = FakeTelegram::start().await;
    fake.refuse_token(TOKEN);
    let mut radar = Radar::start(RADAR, &db.url, &fake, &opts());
    let status = wait_exit(&mut radar, WAIT);
    assert!(!status.success(), "exits non-zero: {status:?}");
    assert_eq!(fake.requests("getMe"), 1, "not retried");
    let log = radar.log();
    let last = log.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("radar: TELOXIDE_TOKEN: ") && last.contains("refused"),
        "one line naming the variable: {log}"
    );
    assert!(!log.contains(TOKEN) && !log.contains("CANARY"), "{log}");
    assert!(!log.contains("panicked"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_get_me_failures_are_retried() {
    let db = TestDb::new(Backend::Sqlite).await;
    let fake = FakeTelegram::start().await;
    // One is enough: teloxide waits 10 s after a 5xx before returning it.
    fake.fail_get_me(1, 502);
    let radar = Radar::start(RADAR, &db.url, &fake, &opts());
    eventually("ready after getMe answered", WAIT, || async {
        radar.get("/readyz").await.0 == 200
    })
    .await;
    // (teloxide's dispatcher asks getMe once more for itself.)
    assert!(fake.requests("getMe") >= 2, "a 502, then an answer");
    assert!(radar.log().contains("getMe failed; retrying"));
}

// ----- storage faults (SQLite) ------------------------------------------

/// The user Radar runs as in the storage tests: file permissions do not
/// bind root, so a test running as root starts Radar as `nobody`.
fn run_as() -> Option<u32> {
    let probe = tempfile::NamedTempFile::new().unwrap();
    (probe.as_file().metadata().unwrap().uid() == 0).then_some(65_534)
}

fn sqlite_path(db: &TestDb) -> PathBuf {
    match &db.url {
        DbUrl::Sqlite(p) => PathBuf::from(p),
        DbUrl::Postgres(_) => unreachable!(),
    }
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The database's directory and files (the database, `-wal`, `-shm`).
fn files_of(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect()
}

/// Hands the database's directory and files to `uid` (when Radar runs as it).
fn give_to(dir: &Path, uid: Option<u32>) {
    if let Some(id) = uid {
        std::os::unix::fs::chown(dir, Some(id), Some(id)).unwrap();
        for f in files_of(dir) {
            std::os::unix::fs::chown(&f, Some(id), Some(id)).unwrap();
        }
    }
}

/// The fix an operator makes: the directory and every file in it writable.
fn make_writable(dir: &Path) {
    chmod(dir, 0o755);
    for f in files_of(dir) {
        chmod(&f, 0o644);
    }
}

fn highest_offset(fake: &FakeTelegram) -> i64 {
    fake.get_updates_calls()
        .iter()
        .filter_map(|c| c.offset)
        .max()
        .unwrap_or(0)
}

/// A file restored with the wrong owner (or on a disk remounted read-only):
/// Radar starts, but its connections open the file read-only. It is not
/// ready, stores and acknowledges nothing, and once the file is writable
/// again it applies everything without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_sqlite_file_is_not_ready_and_heals_without_a_restart() {
    let db = TestDb::new(Backend::Sqlite).await;
    let path = sqlite_path(&db);
    let dir = path.parent().unwrap().to_path_buf();
    let uid = run_as();
    give_to(&dir, uid);
    chmod(&path, 0o444);
    let fake = FakeTelegram::start().await;
    let radar = Radar::start(RADAR, &db.url, &fake, &Options { uid, ..opts() });
    eventually("not ready: updates cannot be stored", WAIT, || async {
        let (code, body) = radar.get("/readyz").await;
        code == 503 && body.contains("read_only")
    })
    .await;
    assert_eq!(radar.get("/healthz").await.0, 200);
    fake.wait_get_updates_calls(1, WAIT).await.unwrap();

    let failures = r#"radar_store_failures_total{kind="read_only"}"#;
    let before = radar.metric(failures).await;
    let first = fake
        .push_text(USER, USER, "/newproject Readonly", Some("en"))
        .update_id;
    for i in 1..5 {
        fake.push_text(USER, USER, &format!("/add Feature {i}"), Some("en"));
    }
    eventually("storing the batch fails, again and again", WAIT, || async {
        radar.metric(failures).await >= before + 2.0
    })
    .await;
    assert!(fake.sent().is_empty(), "nothing applied");
    assert!(
        highest_offset(&fake) <= first,
        "updates not stored are not acknowledged"
    );
    assert_eq!(fake.pending_count(), 5);

    make_writable(&dir);
    fake.wait_sent(5, WAIT)
        .await
        .unwrap_or_else(|e| panic!("applied without a restart: {e}\n{}", radar.log()));
    eventually("ready again", WAIT, || async {
        radar.get("/readyz").await.0 == 200
    })
    .await;
    let status = radar.terminate();
    assert!(status.success(), "{status:?}");
    let c = counts(&db.pool()).await;
    assert_eq!(
        (c.projects, c.features),
        (1, 4),
        "each command applied once"
    );
}

/// The directory read-only too: Radar cannot even migrate. It waits,
/// reports why on /readyz, and goes on once the files are fixed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_sqlite_directory_holds_the_start_until_fixed() {
    let db = TestDb::new(Backend::Sqlite).await;
    let path = sqlite_path(&db);
    let dir = path.parent().unwrap().to_path_buf();
    let uid = run_as();
    give_to(&dir, uid);
    chmod(&path, 0o444);
    chmod(&dir, 0o555);
    let fake = FakeTelegram::start().await;
    let radar = Radar::start(RADAR, &db.url, &fake, &Options { uid, ..opts() });
    eventually("waiting to migrate", WAIT, || async {
        radar
            .metric(r#"radar_store_failures_total{kind="read_only"}"#)
            .await
            >= 1.0
    })
    .await;
    assert_eq!(radar.get("/healthz").await.0, 200);
    let (code, body) = radar.get("/readyz").await;
    assert!(code == 503 && body.contains("migrating"), "{code} {body}");
    fake.push_text(USER, USER, "/newproject Late", Some("en"));

    make_writable(&dir);
    fake.wait_sent(1, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", radar.log()));
    eventually("ready", WAIT, || async {
        radar.get("/readyz").await.0 == 200
    })
    .await;
}

/// PostgreSQL turned read-only under a running Radar (a failover onto a
/// standby: the connections drop and come back read-only): not ready,
/// nothing acknowledged, and healed without a restart once writable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_postgres_is_not_ready_and_heals_without_a_restart() {
    let db = TestDb::new(Backend::Postgres).await;
    let DbUrl::Postgres(url) = &db.url else {
        unreachable!()
    };
    let name = url.rsplit('/').next().unwrap().to_string();
    let admin = db.pool();
    let mut admin = admin.get().await.unwrap();
    let fake = FakeTelegram::start().await;
    let radar = Radar::start(RADAR, &db.url, &fake, &opts());
    eventually("ready", WAIT, || async {
        radar.get("/readyz").await.0 == 200
    })
    .await;

    test_support::execute_script(
        &mut admin,
        &format!(
            "ALTER DATABASE {name} SET default_transaction_read_only = on;
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE datname = '{name}' AND pid <> pg_backend_pid();"
        ),
    )
    .await
    .unwrap();
    eventually("not ready: the database is read-only", WAIT, || async {
        let (code, body) = radar.get("/readyz").await;
        code == 503 && body.contains("read_only")
    })
    .await;
    let first = fake
        .push_text(USER, USER, "/newproject Standby", Some("en"))
        .update_id;
    fake.push_text(USER, USER, "/add Failover", Some("en"));
    let failures = r#"radar_store_failures_total{kind="read_only"}"#;
    let before = radar.metric(failures).await;
    eventually("storing fails", WAIT, || async {
        radar.metric(failures).await >= before + 2.0
    })
    .await;
    assert!(fake.sent().is_empty(), "nothing applied");
    assert!(highest_offset(&fake) <= first, "nothing acknowledged");

    test_support::execute_script(
        &mut admin,
        &format!("ALTER DATABASE {name} RESET default_transaction_read_only"),
    )
    .await
    .unwrap();
    fake.wait_sent(2, WAIT)
        .await
        .unwrap_or_else(|e| panic!("applied without a restart: {e}\n{}", radar.log()));
    eventually("ready again", WAIT, || async {
        radar.get("/readyz").await.0 == 200
    })
    .await;
    let c = counts(&db.pool()).await;
    assert_eq!((c.projects, c.features), (1, 1));
}

// ----- retention ----------------------------------------------------------

both!(
    old_message_keys_are_pruned_at_start_and_metrics_show_it,
    |b| async move {
        let db = TestDb::new(b).await;
        let pool = db.pool();
        let now = Utc::now().naive_utc();
        let days = |d| now - chrono::Duration::days(d);
        let keys: Vec<String> = (0..1203).map(|i| format!("9:{i}")).collect();
        let receipt = |key, received_at, processed_at| NewReceipt {
            message_id: key,
            update_id: None,
            chat_id: ChatId(9),
            user_id: Some(UserId(9)),
            received_at,
            processed_at,
            payload: None,
        };
        let mut rows: Vec<NewReceipt> = keys
            .iter()
            .map(|k| receipt(k.as_str(), days(20), Some(days(20))))
            .collect();
        // Younger than RADAR_KEY_RETENTION (15 days), and never processed.
        rows.push(receipt("8:1", days(10), Some(days(10))));
        rows.push(receipt("8:2", days(20), None));
        {
            let mut conn = pool.get().await.unwrap();
            processed_messages::store_batch(&mut conn, &rows)
                .await
                .unwrap();
        }
        let fake = FakeTelegram::start().await;
        let radar = Radar::start(
            RADAR,
            &db.url,
            &fake,
            &Options {
                env: vec![("RADAR_KEY_RETENTION", "15d".into())],
                ..opts()
            },
        );
        let pruned = r#"radar_pruned_total{table="processed_messages"}"#;
        eventually("the first housekeeping pass", WAIT, || async {
            radar.metric(pruned).await == 1203.0
        })
        .await;
        assert_eq!(radar.metric("radar_processed_messages ").await, 2.0);
        let mut conn = pool.get().await.unwrap();
        for k in ["8:1", "8:2"] {
            assert!(
                processed_messages::get(&mut conn, k)
                    .await
                    .unwrap()
                    .is_some(),
                "{k} kept"
            );
        }
        assert_eq!(processed_messages::count(&mut conn).await.unwrap(), 2);
        let (_, metrics) = radar.get("/metrics").await;
        for name in [
            "# TYPE radar_processed_messages gauge",
            "radar_pruned_total{table=\"outbox\"}",
            "radar_store_failures_total{kind=\"full\"}",
        ] {
            assert!(metrics.contains(name), "{name} in /metrics:\n{metrics}");
        }
    }
);
