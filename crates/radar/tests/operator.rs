//! Operator tools end to end: `radar copy` at a realistic size (SQLite →
//! PostgreSQL → SQLite) with the same answers before and after, `radar
//! check` on deliberately broken databases, and `radar backup` while
//! `radar serve` works through a load.

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Output};
use std::time::Duration;

use chrono::Utc;
use radar::console::Console;
use radar_engine::{Clock, Engine, EngineConfig, Lang};
use radar_store::copy::{self, Quiet};
use radar_store::test_support::bench::{fill_bench_features, fill_status_events};
use radar_store::test_support::execute_script;
use radar_store::{Backend, DbUrl, UserId, tables};
use radar_testkit::serve::{Options, Radar};
use radar_testkit::{FakeTelegram, TestDb, both};

const RADAR: &str = env!("CARGO_BIN_EXE_radar");
const WAIT: Duration = Duration::from_secs(60);

fn url_arg(url: &DbUrl) -> String {
    match url {
        DbUrl::Sqlite(p) => p.clone(),
        DbUrl::Postgres(u) => u.clone(),
    }
}

fn radar(url: &DbUrl, args: &[&str]) -> Output {
    Command::new(RADAR)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", url_arg(url))
        .env("RUST_LOG", "warn")
        .current_dir(std::env::temp_dir())
        .args(args)
        .output()
        .expect("radar runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

async fn say(engine: &Engine, user: i64, lang: Lang, lines: &[&str]) -> Vec<String> {
    let mut console = Console::new(engine.clone(), UserId(user), lang);
    let mut out = Vec::new();
    for l in lines {
        let reply = console.say(l).await.expect("a reply");
        out.push(format!("> {l}\n{reply}"));
    }
    out
}

/// Commands in English (user 1) and Russian (user 2), undo included.
async fn scenario(engine: &Engine) {
    say(
        engine,
        1,
        Lang::En,
        &[
            "new project Apollo: moon landing app",
            "add feature Login",
            "add feature Signup",
            "#1 is blocked: waiting for keys",
            "new release 2.1",
            "put #2 into 2.1",
            "PO of #2 is Anna",
            "rename #1 to Login v2",
            "undo",
            "#2 is done",
        ],
    )
    .await;
    say(
        engine,
        2,
        Lang::Ru,
        &[
            "создай проект Аполлон",
            "добавь фичу Оплата",
            "добавь фичу Поиск",
            "#1 в работу",
            "опиши #2: полнотекстовый поиск",
            "отмени последнее",
        ],
    )
    .await;
}

/// What users read: "what changed", history, lists, in both languages.
async fn answers(engine: &Engine) -> Vec<String> {
    let mut out = say(
        engine,
        1,
        Lang::En,
        &[
            "what changed today",
            "history of #1",
            "history of #2",
            "features all",
            "releases",
        ],
    )
    .await;
    out.extend(
        say(
            engine,
            2,
            Lang::Ru,
            &["что изменилось сегодня", "история #1", "история #2", "фичи"],
        )
        .await,
    );
    out.extend(
        say(
            engine,
            3,
            Lang::En,
            &["/use Bench", "/history 7", "/feature 9999", "/changes"],
        )
        .await,
    );
    out
}

/// Undo for both users, then "what changed" again.
async fn undo_answers(engine: &Engine) -> Vec<String> {
    let mut out = say(engine, 1, Lang::En, &["undo", "what changed today"]).await;
    out.extend(
        say(
            engine,
            2,
            Lang::Ru,
            &["отмени последнее", "что изменилось сегодня"],
        )
        .await,
    );
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_sqlite_to_postgres_and_back_at_size() {
    let cfg = EngineConfig {
        clock: Clock::fixed(Utc::now()),
        ..EngineConfig::default()
    };
    let src = TestDb::new(Backend::Sqlite).await;
    let engine = Engine::new(src.pool(), cfg.clone());
    say(&engine, 3, Lang::En, &["new project Bench: load"]).await;
    {
        let mut c = src.pool().get().await.unwrap();
        assert_eq!(
            fill_bench_features(&mut c, "Bench", 10_000).await.unwrap(),
            10_000
        );
        assert_eq!(
            fill_status_events(&mut c, 0..200_000, 200_000, 7 * 86_400)
                .await
                .unwrap(),
            200_000
        );
    }
    scenario(&engine).await;

    let pg = TestDb::empty(Backend::Postgres).await;
    let there = copy::copy(&src.url, &pg.url, &mut Quiet).await.unwrap();
    let back = TestDb::empty(Backend::Sqlite).await;
    let back_again = copy::copy(&pg.url, &back.url, &mut Quiet).await.unwrap();
    for (what, r) in [
        ("SQLite → PostgreSQL", &there),
        ("PostgreSQL → SQLite", &back_again),
    ] {
        eprintln!(
            "{what}: {} rows in {:.2} s ({:.0} rows/s), verified in {:.2} s",
            r.rows(),
            r.copy_time.as_secs_f64(),
            r.rows() as f64 / r.copy_time.as_secs_f64(),
            r.verify_time.as_secs_f64()
        );
    }
    let events = there
        .tables
        .iter()
        .find(|t| t.table == "event_log")
        .unwrap();
    assert!(events.source.rows > 200_000, "{events:?}");
    let features = there.tables.iter().find(|t| t.table == "features").unwrap();
    assert_eq!(features.source.rows, 10_004);

    // Equal checksums, computed independently on all three databases.
    let sums = async |db: &TestDb| {
        let mut c = db.pool().get().await.unwrap();
        tables::checksums(&mut c).await.unwrap()
    };
    let (a, b, c) = (sums(&src).await, sums(&pg).await, sums(&back).await);
    assert_eq!(a, b);
    assert_eq!(a, c);
    assert_eq!(a.len(), tables::TABLES.len());

    // The same answers everywhere, in English and Russian, undo included.
    let engines = [
        engine,
        Engine::new(pg.pool(), cfg.clone()),
        Engine::new(back.pool(), cfg.clone()),
    ];
    let first = answers(&engines[0]).await;
    assert!(
        first.iter().any(|a| a.contains("Login")) && first.iter().any(|a| a.contains("Оплата")),
        "{first:#?}"
    );
    for e in &engines[1..] {
        assert_eq!(answers(e).await, first);
    }
    let undone = undo_answers(&engines[0]).await;
    assert!(undone[0].contains("Signup"), "{undone:#?}");
    for e in &engines[1..] {
        assert_eq!(undo_answers(e).await, undone);
    }

    // The append-only triggers hold on the PostgreSQL target.
    let mut c = pg.pool().get().await.unwrap();
    let e = execute_script(&mut c, "UPDATE event_log SET details = '{}' WHERE id = 1")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
}

/// `radar copy` as an operator runs it: progress, rows, refusing a second run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_command_moves_and_refuses_a_non_empty_target() {
    let src = TestDb::new(Backend::Sqlite).await;
    let engine = Engine::new(src.pool(), EngineConfig::default());
    scenario(&engine).await;
    let pg = TestDb::empty(Backend::Postgres).await;
    let to = url_arg(&pg.url);
    let out = radar(&src.url, &["copy", "--to", &to]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(
        stdout.contains("every table's row count and checksum are equal"),
        "{stdout}"
    );
    assert!(stdout.contains("features"), "{stdout}");
    // Off a terminal, progress is one line per table once it is committed.
    let progress = text(&out.stderr);
    assert!(
        progress
            .lines()
            .any(|l| l.trim_start().starts_with("features ") && l.ends_with("rows copied")),
        "{progress}"
    );
    // The copy checks clean.
    let out = radar(&pg.url, &["check"]);
    assert!(out.status.success(), "{}", text(&out.stdout));

    let again = radar(&src.url, &["copy", "--to", &to]);
    assert_eq!(again.status.code(), Some(1));
    let err = text(&again.stderr);
    assert!(
        err.starts_with("radar: copy: the target is not empty (projects: 2 rows"),
        "{err}"
    );
    let bad = radar(&src.url, &["copy", "--to", "mysql://x"]);
    assert_eq!(text(&bad.stderr).lines().count(), 1);
    assert!(
        text(&bad.stderr).starts_with("radar: --to: "),
        "{}",
        text(&bad.stderr)
    );
}

/// `radar check` exits 0 on a clean database and names each deliberately
/// broken thing with its ids: an event that does not decode, a feature whose
/// state is not the replay of its events, dangling references.
async fn check_catches_broken_databases(b: Backend) {
    let db = TestDb::new(b).await;
    let engine = Engine::new(db.pool(), EngineConfig::default());
    scenario(&engine).await;
    let out = radar(&db.url, &["check"]);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(text(&out.stdout).starts_with("check: clean"));

    let mut c = db.pool().get().await.unwrap();
    let off = match b {
        Backend::Sqlite => "PRAGMA foreign_keys = OFF;",
        Backend::Postgres => "SET session_replication_role = replica;",
    };
    let on = match b {
        Backend::Sqlite => "PRAGMA foreign_keys = ON;",
        Backend::Postgres => "SET session_replication_role = origin;",
    };
    execute_script(
        &mut c,
        &format!(
            "UPDATE features SET status = 'cancelled'
               WHERE number = 2 AND project_id = (SELECT id FROM projects WHERE name = 'Apollo');
             INSERT INTO event_log (id, correlation_id, user_id, project_id, action, entity_type, entity_id, details, \"timestamp\", created_at)
               VALUES (9001, 'broken', 1, NULL, 'update', 'release', 77, '{{\"change\":\"release_updated\",', '2026-12-01 10:00:00', '2026-12-01 10:00:00');
             {off}
             INSERT INTO user_context (user_id, active_project_id, updated_at) VALUES (555, 4242, '2026-12-01 10:00:00');
             {on}"
        ),
    )
    .await
    .unwrap();
    let signup: i64 = {
        let f = radar_store::features::all(&mut c).await.unwrap();
        f.iter().find(|f| f.name == "Signup").unwrap().id.0
    };
    let out = radar(&db.url, &["check"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        vec![
            "user_context user_id=555: active_project_id=4242 refers to no row of projects (id)"
                .to_string(),
            "event 9001 (release update) cannot be decoded: EOF while parsing a value at line 1 column 28"
                .to_string(),
            format!(
                "feature id {signup} (#2 of project 1): status is \"cancelled\", its events say \"done\""
            ),
        ],
        "{stdout}"
    );
    assert_eq!(text(&out.stderr).trim(), "radar: check: 3 problem(s) found");
}
both!(
    check_catches_broken_databases,
    check_catches_broken_databases
);

/// On PostgreSQL `radar backup` makes nothing and says how to use pg_dump.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_on_postgres_points_to_pg_dump() {
    let db = TestDb::new(Backend::Postgres).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("radar.backup");
    let out = radar(&db.url, &["backup", dest.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("pg_dump --format=custom"), "{err}");
    assert!(err.contains("pg_restore"), "{err}");
    assert!(!dest.exists());
}

/// A backup taken while `radar serve` works through a load opens clean,
/// is owner-only, and holds every update acknowledged to Telegram (the
/// `getUpdates` offset moved past it) before the backup began.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_while_serving_holds_every_acknowledged_update() {
    let db = TestDb::new(Backend::Sqlite).await;
    let fake = FakeTelegram::start().await;
    let serving = Radar::start(
        RADAR,
        &db.url,
        &fake,
        &Options {
            allowed: "1001",
            ..Options::default()
        },
    );
    let first = fake
        .push_text(1001, 1001, "/newproject Load", Some("en"))
        .update_id;
    for i in 1..200 {
        fake.push_text(1001, 1001, &format!("/add Feature {i}"), Some("en"));
    }
    fake.wait_sent(50, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", serving.log()));

    // The load goes on during the backup: a batch of updates each time
    // Radar has fetched the previous one (signalled by its next getUpdates).
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let pusher = {
        let (fake, stop) = (fake.clone(), stop.clone());
        tokio::spawn(async move {
            let mut pushed = 0u64;
            let mut i = 1000;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) && pushed < 5_000 {
                for _ in 0..20 {
                    i += 1;
                    fake.push_text(1001, 1001, &format!("/add Feature {i}"), Some("en"));
                }
                pushed += 20;
                let calls = fake.get_updates_calls().len();
                fake.wait_get_updates_calls(calls + 1, WAIT).await.unwrap();
            }
            pushed
        })
    };
    fake.wait_get_updates_calls(fake.get_updates_calls().len() + 2, WAIT)
        .await
        .unwrap();
    let acknowledged = fake.offsets().into_iter().max().unwrap() - 1;
    let pushed_before = fake.max_delivered().unwrap_or(0);
    assert!(acknowledged >= first, "something was acknowledged");

    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("radar-backup.db");
    let (db_url, dest_arg) = (db.url.clone(), dest.to_str().unwrap().to_string());
    let out = tokio::task::spawn_blocking(move || radar(&db_url, &["backup", &dest_arg]))
        .await
        .unwrap();
    let delivered_after = fake.max_delivered().unwrap_or(0);
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let pushed = pusher.await.unwrap();
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("integrity ok"), "{stdout}");
    eprintln!(
        "backup began with updates {first}..={acknowledged} acknowledged; {} more delivered while it ran; {pushed} pushed by the load",
        delivered_after - pushed_before
    );
    let mode = std::fs::metadata(&dest).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    // Every acknowledged update is in the backup, processed or stored.
    let backup = DbUrl::Sqlite(dest.to_string_lossy().into_owned());
    let pool = radar_store::Db::connect(&backup, 1).unwrap();
    let mut c = pool.get().await.unwrap();
    let ids = radar_store::test_support::update_ids(&mut c).await.unwrap();
    let missing: Vec<i64> = (first..=acknowledged)
        .filter(|id| ids.binary_search(id).is_err())
        .collect();
    assert!(
        missing.is_empty(),
        "acknowledged but not in the backup: {missing:?}"
    );
    drop(c);
    // The backup checks clean.
    let out = radar(&backup, &["check"]);
    assert!(out.status.success(), "{}", text(&out.stdout));

    // A second backup to the same file is refused; the first is untouched.
    let out = radar(&db.url, &["backup", dest.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("already exists"));
    // Radar answers everything afterwards (the backup disturbed nothing).
    fake.wait_sent(200 + pushed as usize, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", serving.log()));
    serving.terminate();
}
