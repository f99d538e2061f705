//! Small runs of every `radar-bench` benchmark, so the tools keep working,
//! and the check that `bench/` still holds the statements the engine runs.

mod common;

use std::process::Command;

use common::{Backend, TestDb};
use radar::store::DbUrl;
use serde_json::Value;

fn url(db: &DbUrl) -> String {
    match db {
        DbUrl::Sqlite(p) | DbUrl::Postgres(p) => p.clone(),
    }
}

/// Runs radar-bench; returns the JSON of its last line (panics with its output on failure).
fn bench(db: Option<&DbUrl>, args: &[&str]) -> Value {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_radar-bench"));
    cmd.args(args).env_remove("DATABASE_URL");
    if args[0] != "sql" {
        cmd.arg("--quiet");
    }
    if let Some(db) = db {
        cmd.env("DATABASE_URL", url(db));
    }
    let out = cmd.output().expect("radar-bench runs");
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
    assert_eq!(v["events"], 20000);
    assert_eq!(v["seq_scans"], 0, "{v}");
    for q in ["changes today", "changes this week", "history"] {
        assert_eq!(v["queries"][q]["count"], 3, "{v}");
    }
}

/// `bench/sqlite/*.sql` and `bench/pgbench/*.sql` are exactly what the engine runs.
async fn sql_in_sync(backend: Backend) {
    let db = TestDb::empty(backend).await;
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/bench");
    let v = bench(Some(&db.url), &["sql", "--check", dir]);
    assert_eq!(v["in_sync"], true);
}

async fn e2e(backend: Backend) {
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
            env!("CARGO_BIN_EXE_radar"),
        ],
    );
    assert_eq!(v["bench"], "e2e");
    assert_eq!(v["updates"], 40);
    assert!(v["updates_per_s"].as_f64().unwrap() > 0.0, "{v}");
    assert!(v["ready_ms"].as_f64().unwrap() > 0.0, "{v}");
    assert!(v["peak_hwm_mib"].as_f64().unwrap() > 0.0, "{v}");
}

both!(engine_mix, engine);
both!(history_fill_and_plans, history);
both!(bench_sql_in_sync, sql_in_sync);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_sqlite() {
    e2e(Backend::Sqlite).await;
}

#[test]
fn e2e_null_bot() {
    let v = bench(None, &["e2e", "--null-bot", "-n", "200", "-c", "4"]);
    assert_eq!(v["bench"], "e2e-null-bot");
    assert_eq!(v["updates"], 200);
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
