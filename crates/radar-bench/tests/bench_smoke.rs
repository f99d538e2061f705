//! Small runs of every `radar-bench` benchmark, so the tools keep working,
//! and the check that `bench/` still holds the statements the engine runs.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use radar_bench::{Shape, Target};
use radar_engine::change::{Change, decode};
use radar_store::test_support::bench;
use radar_store::{Backend, DbUrl, FeatureStatus, event_log};
use radar_testkit::{TestDb, both};
use serde_json::Value;

fn url(db: &DbUrl) -> String {
    match db {
        DbUrl::Sqlite(p) | DbUrl::Postgres(p) => p.clone(),
    }
}

/// Runs radar-bench; its output, whatever the outcome.
fn run_bench(db: Option<&DbUrl>, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_radar-bench"));
    cmd.args(args).env_remove("DATABASE_URL");
    if args[0] != "sql" {
        cmd.arg("--quiet");
    }
    if let Some(db) = db {
        cmd.env("DATABASE_URL", url(db));
    }
    cmd.output().expect("radar-bench runs")
}

/// Runs radar-bench; returns the JSON of its last line (panics with its output on failure).
fn bench(db: Option<&DbUrl>, args: &[&str]) -> Value {
    let out = run_bench(db, args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "radar-bench {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|e| panic!("last line is not JSON ({e}): {last}"))
}

const SHAPE: [&str; 8] = [
    "--users",
    "4",
    "--projects",
    "2",
    "--features",
    "3",
    "--releases",
    "2",
];

async fn engine(backend: Backend) {
    let db = TestDb::empty(backend).await;
    let mut args = vec!["engine", "-n", "60", "-c", "2"];
    args.extend(SHAPE);
    let v = bench(Some(&db.url), &args);
    assert_eq!(v["bench"], "engine");
    assert_eq!(v["commands"], 60);
    assert!(v["commands_per_s"].as_f64().unwrap() > 0.0, "{v}");
    assert!(v["p99_ms"].as_f64().unwrap() > 0.0, "{v}");
    // A second run on the same database reuses the seed.
    let v = bench(Some(&db.url), &args);
    assert_eq!(v["commands"], 60);
}

async fn history(backend: Backend) {
    let db = TestDb::empty(backend).await;
    let v = bench(
        Some(&db.url),
        &[
            "history",
            "-m",
            "20000",
            "--projects",
            "4",
            "--features",
            "10",
            "--days",
            "30",
            "-i",
            "3",
        ],
    );
    assert_eq!(v["bench"], "history");
    // The status changes, then the recent flow: 4 projects × (4 starts,
    // 3 dones, 1 block, 5 plans) of features #1–#10.
    assert_eq!(v["flow_events"], 4 * 13, "{v}");
    assert_eq!(v["events"], 20000 + 4 * 13, "{v}");
    assert_eq!(v["done_in_project_1"], 3, "{v}");
    assert_eq!(v["seq_scans"], 0, "{v}");
    // The filled events decode: "what changed" shows them, not only counts them.
    assert!(v["shown_changes"].as_u64().unwrap() > 0, "{v}");
    for q in [
        "changes today",
        "changes this week",
        "history",
        "stats",
        "stats this week",
        "chart",
    ] {
        assert_eq!(v["queries"][q]["count"], 3, "{v}");
    }
}

/// The events `radar-bench history` fills are the engine's typed events:
/// read back through the store, they decode, and re-encode to the same JSON.
async fn filled_events_decode(backend: Backend) {
    let db = TestDb::empty(backend).await;
    let target = Target::open(&db.url, 2).await.expect("database opens");
    let shape = Shape {
        users: 2,
        projects: 2,
        features: 1,
        releases: 1,
    };
    radar_bench::seed(&target, &shape, 1, true)
        .await
        .expect("seed runs");
    let mut conn = target.db.get().await.expect("connection");
    let added = bench::fill_bench_features(&mut conn, "Bench ", 3)
        .await
        .expect("features filled");
    assert_eq!(added, 4, "#2 and #3 in both projects");
    let n = bench::fill_status_events(&mut conn, 0..6, 6, 3600)
        .await
        .expect("events filled");
    assert_eq!(n, 6);
    for g in 0..6 {
        let rows = event_log::of_command(&mut conn, &format!("history:{g}"))
            .await
            .expect("events read");
        assert_eq!(rows.len(), 1, "event {g}");
        let e = decode(&rows[0]).unwrap_or_else(|err| panic!("event {g}: {err}"));
        match &e.change {
            Change::FeatureUpdated { diff, .. } => {
                let status = diff.status.as_ref().expect("a status change");
                assert_eq!(status.before, FeatureStatus::Backlog);
                assert_eq!(
                    status.after,
                    if g % 2 == 0 {
                        FeatureStatus::InProgress
                    } else {
                        FeatureStatus::Blocked
                    }
                );
            }
            other => panic!("event {g} decodes as {other:?}"),
        }
        assert_eq!(e.change.to_json(), rows[0].details, "event {g}");
        assert_eq!(rows[0].action, e.change.action());
    }
}

/// `bench/sqlite/*.sql` and `bench/pgbench/*.sql` are exactly what the engine runs.
async fn sql_in_sync(backend: Backend) {
    let db = TestDb::empty(backend).await;
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/bench");
    let v = bench(Some(&db.url), &["sql", "--check", dir]);
    assert_eq!(v["in_sync"], true);
}

/// The `radar` binary, built once (`cargo test -p radar-bench` alone does
/// not build it): `cargo build -p radar --bin radar` in the same target
/// directory and profile as radar-bench itself.
fn radar_bin() -> &'static str {
    static BIN: OnceLock<String> = OnceLock::new();
    BIN.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_BIN_EXE_radar-bench"))
            .parent()
            .expect("radar-bench is in a directory")
            .to_path_buf();
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "-p", "radar", "--bin", "radar", "--manifest-path"])
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.toml"));
        if dir.ends_with("release") {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("cargo runs");
        assert!(status.success(), "cargo build -p radar failed");
        let bin = dir.join(format!("radar{}", std::env::consts::EXE_SUFFIX));
        assert!(bin.exists(), "{} was not built", bin.display());
        bin.to_string_lossy().into_owned()
    })
}

async fn e2e(backend: Backend) {
    let radar = tokio::task::spawn_blocking(radar_bin)
        .await
        .expect("radar builds");
    let db = TestDb::empty(backend).await;
    let v = bench(
        Some(&db.url),
        &[
            "e2e",
            "-n",
            "40",
            "-c",
            "4",
            "--features",
            "3",
            "--releases",
            "2",
            "--radar",
            radar,
        ],
    );
    assert_eq!(v["bench"], "e2e");
    assert_eq!(v["updates"], 40);
    assert!(v["updates_per_s"].as_f64().unwrap() > 0.0, "{v}");
    assert!(v["ready_ms"].as_f64().unwrap() > 0.0, "{v}");
    assert!(v["peak_hwm_mib"].as_f64().unwrap() > 0.0, "{v}");
    assert_eq!(v["checks"]["answered"], 40, "{v}");
    assert_eq!(v["bot_process"], "radar", "{v}");
}

both!(engine_mix, engine);
both!(history_fill_and_plans, history);
both!(bench_sql_in_sync, sql_in_sync);
both!(history_fill_is_typed_events, filled_events_decode);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_sqlite() {
    e2e(Backend::Sqlite).await;
}

#[test]
fn e2e_null_bot() {
    let v = bench(None, &["e2e", "--null-bot", "-n", "200", "-c", "4"]);
    assert_eq!(v["bench"], "e2e-null-bot");
    assert_eq!(v["updates"], 200);
    assert_eq!(v["checks"]["answered"], 200, "{v}");
}

/// The smallest external bot, `bench/echo_bot.py` (python3, standard library only).
fn echo_bot(args: &str) -> String {
    format!(
        "exec python3 '{}/bench/echo_bot.py' {args}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// `--bot-cmd` drives any Bot API client: every command answered once, in order.
#[test]
fn e2e_bot_cmd_external_bot() {
    let cmd = echo_bot("");
    let v = bench(None, &["e2e", "--bot-cmd", &cmd, "-n", "60", "-c", "4"]);
    assert_eq!(v["bench"], "e2e", "{v}");
    assert_eq!(v["backend"], "none", "{v}");
    assert_eq!(v["updates"], 60, "{v}");
    assert_eq!(v["checks"]["answered"], 60, "{v}");
    assert_eq!(v["checks"]["replies"], 60, "{v}");
    assert_eq!(v["checks"]["unanswered"], 0, "{v}");
    // exec: the measured process is python itself, not sh.
    assert!(
        v["bot_process"].as_str().unwrap().starts_with("python"),
        "{v}"
    );
    assert!(v["peak_hwm_mib"].as_f64().unwrap() > 0.0, "{v}");
}

/// A bot that answers every command twice fails the checks.
#[test]
fn e2e_bot_cmd_answering_twice_fails() {
    let cmd = echo_bot("--twice");
    let out = run_bench(None, &["e2e", "--bot-cmd", &cmd, "-n", "20", "-c", "2"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("answered twice"), "{stderr}");
}

/// A bot that exits at once is reported with its log, not waited for.
#[test]
fn e2e_bot_cmd_that_exits_is_reported() {
    let out = run_bench(
        None,
        &[
            "e2e",
            "--bot-cmd",
            "echo no token here >&2; exit 3",
            "-n",
            "4",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("exited"), "{stderr}");
    assert!(stderr.contains("no token here"), "{stderr}");
}

/// `--bot-cmd "radar serve"` is the default run: same environment, same checks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_bot_cmd_radar_serve() {
    let radar = tokio::task::spawn_blocking(radar_bin)
        .await
        .expect("radar builds");
    let db = TestDb::empty(Backend::Sqlite).await;
    let cmd = format!("'{radar}' serve");
    let v = bench(
        Some(&db.url),
        &[
            "e2e",
            "-n",
            "40",
            "-c",
            "4",
            "--features",
            "3",
            "--releases",
            "2",
            "--bot-cmd",
            &cmd,
        ],
    );
    assert_eq!(v["bot"], cmd.as_str(), "{v}");
    assert_eq!(v["backend"], "sqlite", "{v}");
    assert_eq!(v["checks"]["answered"], 40, "{v}");
    assert_eq!(v["checks"]["unanswered"], 0, "{v}");
    assert_eq!(v["bot_process"], "radar", "{v}");
    assert!(v["ready_ms"].as_f64().unwrap() > 0.0, "{v}");
}

#[test]
fn compare_script_parses() {
    let status = Command::new("bash")
        .args([
            "-n",
            concat!(env!("CARGO_MANIFEST_DIR"), "/bench/compare.sh"),
        ])
        .status()
        .expect("bash runs");
    assert!(status.success());
}

/// Replays each `worker-W.sql` of a capture in its own python3 process (its
/// `sqlite3` module, standard library: the sqlite3 shell may be missing),
/// all at once, on `db`; panics with the errors of any that failed.
fn replay_in_parallel(db: &std::path::Path, dir: &std::path::Path) -> usize {
    const REPLAY: &str = "import sqlite3, sys\n\
        text = ''.join(l for l in open(sys.argv[2], encoding='utf-8') if not l.startswith('.'))\n\
        c = sqlite3.connect(sys.argv[1], timeout=60, isolation_level=None)\n\
        c.executescript(text)\n";
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("capture dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    let children: Vec<_> = files
        .iter()
        .map(|f| {
            Command::new("python3")
                .args(["-c", REPLAY])
                .arg(db)
                .arg(f)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("python3 runs")
        })
        .collect();
    for (f, child) in files.iter().zip(children) {
        let out = child.wait_with_output().expect("python3 ends");
        assert!(
            out.status.success(),
            "replaying {} failed:\n{}",
            f.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    files.len()
}

const NO_REUSE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/capture_no_id_reuse.sql");

/// Runs SQL on a SQLite file through python3's sqlite3 module.
fn sqlite_script(db: &std::path::Path, sql: &str) {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sqlite3, sys; sqlite3.connect(sys.argv[1]).executescript(sys.argv[2])",
        ])
        .arg(db)
        .arg(sql)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Copies a SQLite database (its WAL too) that no process has open.
fn copy_db(from: &std::path::Path, to: &std::path::Path) {
    for suffix in ["", "-wal"] {
        let f = PathBuf::from(format!("{}{suffix}", from.display()));
        if f.exists() {
            std::fs::copy(&f, format!("{}{suffix}", to.display())).expect("copy");
        }
    }
}

/// The capture compare.sh replays names every id the engine's inserts got,
/// so replayed in parallel (rows created in another order than in the
/// capture) every statement runs without an error; the same with
/// `--capture-batch` (commands grouped in savepoints).
#[tokio::test]
async fn engine_capture_replays_in_parallel_without_errors() {
    let db = TestDb::empty(Backend::Sqlite).await;
    let path = PathBuf::from(url(&db.url));
    let dir = path.parent().expect("temp dir").to_path_buf();
    let mut seed = vec!["seed"];
    seed.extend(SHAPE);
    bench(Some(&db.url), &seed);
    for batch in ["1", "3"] {
        let replay = dir.join(format!("replay-{batch}.db"));
        copy_db(&path, &replay);
        let sql = dir.join(format!("sql-{batch}"));
        let capture = sql.to_string_lossy().into_owned();
        let mut args = vec![
            "engine",
            "-n",
            "120",
            "-c",
            "4",
            "--capture",
            &capture,
            "--capture-batch",
            batch,
        ];
        args.extend(SHAPE);
        sqlite_script(&path, &std::fs::read_to_string(NO_REUSE).expect("script"));
        let v = bench(Some(&db.url), &args);
        sqlite_script(&path, "DROP TRIGGER bench_capture_no_id_reuse;");
        assert_eq!(v["commands"], 120);
        let mut inserts = 0;
        for w in 0..4 {
            let text = std::fs::read_to_string(sql.join(format!("worker-{w}.sql"))).expect("file");
            for table in ["features", "event_log", "outbox"] {
                for stmt in text.split(&format!("INSERT INTO `{table}` (")).skip(1) {
                    assert!(stmt.starts_with("`id`, "), "{table}: {stmt:.200}");
                    inserts += 1;
                }
            }
            assert_eq!(
                text.contains("SAVEPOINT bench_update;"),
                batch != "1",
                "batch {batch}"
            );
        }
        assert!(inserts >= 120, "{inserts} inserts");
        assert_eq!(replay_in_parallel(&replay, &sql), 4);
    }
}
