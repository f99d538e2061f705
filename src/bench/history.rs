//! `radar-bench history`: fills `event_log` to M events across projects
//! with bulk SQL (`generate_series` on PostgreSQL, a recursive CTE on
//! SQLite; the log only forbids UPDATE and DELETE), then times "what
//! changed" for several periods and "history of #N" through the engine, and
//! prints the plans of the engine's queries on `event_log`, failing if any
//! of them reads it sequentially.

use std::time::Instant;

use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use serde_json::json;

use super::sql::{Recorder, instrument, split_binds, sql_of};
use super::{Latencies, Rng, Shape, incoming, merge, progress, run_id, timed};
use crate::dispatch;
use crate::engine::Engine;
use crate::store::{Backend, Conn, DbUrl, queries};

#[derive(Debug, Clone)]
pub struct Options {
    pub url: DbUrl,
    /// Events in the log at the end of the fill (M).
    pub events: u64,
    pub projects: u64,
    pub features: u64,
    /// The events are spread evenly over this many days up to now.
    pub days: u64,
    /// Timed commands per query.
    pub iterations: u64,
    pub quiet: bool,
}

/// The commands timed, by name.
pub const QUERIES: [(&str, &str); 5] = [
    ("changes today", "what changed today"),
    ("changes yesterday", "what changed yesterday"),
    ("changes this week", "what changed this week"),
    ("changes 30 days", "what changed in the last 30 days"),
    ("history", "history of #{n}"),
];

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

async fn exec(conn: &mut Conn, sql: &str) -> anyhow::Result<()> {
    dispatch!(conn, |c| {
        diesel::sql_query(sql).execute(c).await?;
    });
    Ok(())
}

async fn count(conn: &mut Conn, sql: &str) -> anyhow::Result<i64> {
    let row: Count = dispatch!(conn, |c| diesel::sql_query(sql).get_result(c).await?);
    Ok(row.n)
}

/// Features `#2..=#F` of every bench project, in one statement (the seed made `#1`).
fn features_sql(b: Backend, f: u64) -> String {
    match b {
        Backend::Postgres => format!(
            "INSERT INTO features (project_id, number, name, status, created_at, updated_at)
             SELECT p.id, n, 'History feature ' || n, 'backlog', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
               FROM projects p CROSS JOIN generate_series(2, {f}) AS n
              WHERE p.name LIKE 'Bench %'
                AND NOT EXISTS (SELECT 1 FROM features x WHERE x.project_id = p.id AND x.number = n)"
        ),
        Backend::Sqlite => format!(
            "WITH RECURSIVE s(n) AS (SELECT 2 UNION ALL SELECT n + 1 FROM s WHERE n < {f})
             INSERT INTO features (project_id, number, name, status, created_at, updated_at)
             SELECT p.id, s.n, 'History feature ' || s.n, 'backlog',
                    strftime('%Y-%m-%d %H:%M:%f', 'now'), strftime('%Y-%m-%d %H:%M:%f', 'now')
               FROM projects p, s
              WHERE p.name LIKE 'Bench %'
                AND NOT EXISTS (SELECT 1 FROM features x WHERE x.project_id = p.id AND x.number = s.n)"
        ),
    }
}

/// Events `from..to` (global numbers) of a log of `total`, newest last: event
/// g is a status change of feature `g mod features`, `(total - g) × span / total`
/// seconds before now.
fn events_sql(b: Backend, from: u64, to: u64, total: u64, span_secs: u64) -> String {
    let details = "'{\"ref\":{\"number\":' || f.number || ',\"name\":\"' || f.name || '\"},\"before\":{\"status\":\"backlog\",\"status_reason\":null},\"after\":{\"status\":\"' || (CASE WHEN g % 2 = 0 THEN 'in_progress' ELSE 'blocked' END) || '\",\"status_reason\":null}}'";
    let fx = "SELECT row_number() OVER (ORDER BY id) - 1 AS idx, id, project_id, number, name FROM features";
    match b {
        Backend::Postgres => format!(
            "WITH fx AS ({fx}), k AS (SELECT count(*) AS c FROM features)
             INSERT INTO event_log (correlation_id, user_id, project_id, action, entity_type, entity_id, details, \"timestamp\", created_at)
             SELECT 'history:' || g, 1000000, f.project_id, 'update', 'feature', f.id, {details},
                    (now() AT TIME ZONE 'UTC') - make_interval(secs => ({total} - g)::float8 * {span_secs} / {total}),
                    now() AT TIME ZONE 'UTC'
               FROM k CROSS JOIN generate_series({from}, {to} - 1) AS g JOIN fx f ON f.idx = g % k.c"
        ),
        Backend::Sqlite => format!(
            "WITH RECURSIVE s(g) AS (SELECT {from} UNION ALL SELECT g + 1 FROM s WHERE g < {to} - 1),
                  fx AS ({fx}), k AS (SELECT count(*) AS c FROM features)
             INSERT INTO event_log (correlation_id, user_id, project_id, action, entity_type, entity_id, details, \"timestamp\", created_at)
             SELECT 'history:' || g, 1000000, f.project_id, 'update', 'feature', f.id, {details},
                    strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || (({total} - g) * {span_secs} / {total}) || ' seconds'),
                    strftime('%Y-%m-%d %H:%M:%f', 'now')
               FROM k, s JOIN fx f ON f.idx = s.g % k.c"
        ),
    }
}

/// Rust-debug bind values (`[1, "x", 2026-11-21T00:00:00, Some(2), [3, 4]]`)
/// as SQL literals for `EXECUTE` (PostgreSQL infers their types).
pub fn bind_literals(binds: &str) -> Vec<String> {
    split_binds(binds)
        .iter()
        .map(|v| literal(v.trim()))
        .collect()
}

fn literal(v: &str) -> String {
    let v = v
        .strip_prefix("Some(")
        .and_then(|x| x.strip_suffix(')'))
        .unwrap_or(v);
    if v == "None" {
        return "NULL".into();
    }
    if let Some(s) = v.strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
        let s = s.replace("\\\"", "\"").replace("\\\\", "\\");
        return format!("'{}'", s.replace('\'', "''"));
    }
    if let Some(list) = v.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        return format!("'{{{}}}'", list.replace(' ', ""));
    }
    format!("'{}'", v.replace('T', " "))
}

/// The plan of one captured statement, and whether it reads `event_log` sequentially.
async fn plan(conn: &mut Conn, stmt: &str) -> anyhow::Result<(String, bool)> {
    let sql = sql_of(stmt);
    let lines: Vec<String> = match conn.backend() {
        Backend::Sqlite => {
            let q = format!("EXPLAIN QUERY PLAN {sql}");
            dispatch!(conn, |c| {
                #[derive(QueryableByName)]
                struct Qp {
                    #[diesel(sql_type = diesel::sql_types::Text)]
                    detail: String,
                }
                diesel::sql_query(q)
                    .load::<Qp>(c)
                    .await?
                    .into_iter()
                    .map(|r| r.detail)
                    .collect()
            })
        }
        Backend::Postgres => {
            let binds = stmt
                .rsplit_once(" -- binds: ")
                .map(|(_, b)| b)
                .unwrap_or("[]");
            let args = bind_literals(binds);
            exec(conn, &format!("PREPARE radar_bench_q AS {sql}")).await?;
            let exe = if args.is_empty() {
                "EXPLAIN EXECUTE radar_bench_q".to_string()
            } else {
                format!("EXPLAIN EXECUTE radar_bench_q({})", args.join(", "))
            };
            let rows = dispatch!(conn, |c| {
                #[derive(QueryableByName)]
                struct Qp {
                    #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
                    plan: String,
                }
                diesel::sql_query(exe)
                    .load::<Qp>(c)
                    .await?
                    .into_iter()
                    .map(|r| r.plan)
                    .collect()
            });
            exec(conn, "DEALLOCATE radar_bench_q").await?;
            rows
        }
    };
    let seq = lines.iter().any(|l| {
        l.contains("Seq Scan on event_log")
            || (l.trim_start().starts_with("SCAN event_log") && !l.contains("USING"))
    });
    Ok((lines.join("\n"), seq))
}

pub async fn main(opts: Options) -> anyhow::Result<()> {
    let backend = opts.url.backend();
    let engine: Engine = super::engine::open(&opts.url, 4).await?;
    let shape = Shape {
        users: opts.projects,
        projects: opts.projects,
        features: 1,
        releases: 1,
    };
    super::seed(&engine, &shape, 4, opts.quiet).await?;
    let mut conn = engine.db().get().await?;
    exec(&mut conn, &features_sql(backend, opts.features.max(1))).await?;
    exec(
        &mut conn,
        &format!(
            "UPDATE projects SET next_feature_number = {} WHERE name LIKE 'Bench %' AND next_feature_number <= {}",
            opts.features + 1,
            opts.features
        ),
    )
    .await?;

    // Fill.
    let have = count(&mut conn, "SELECT count(*) AS n FROM event_log").await? as u64;
    let fill_start = Instant::now();
    let mut filled = 0;
    if have < opts.events {
        let bar = progress(opts.events - have, "fill", opts.quiet);
        let batch = 100_000;
        let mut g = have;
        while g < opts.events {
            let to = (g + batch).min(opts.events);
            exec(
                &mut conn,
                &events_sql(backend, g, to, opts.events, opts.days * 86_400),
            )
            .await?;
            bar.inc(to - g);
            g = to;
        }
        bar.finish_and_clear();
        filled = opts.events - have;
        exec(&mut conn, "ANALYZE").await?;
    }
    let fill_secs = fill_start.elapsed().as_secs_f64();
    let total = count(&mut conn, "SELECT count(*) AS n FROM event_log").await?;
    drop(conn);
    println!(
        "history on {}: event_log holds {total} events over {} projects × {} features, spread over {} days{}",
        match backend {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        },
        opts.projects,
        opts.features,
        opts.days,
        if filled > 0 {
            format!(" ({filled} inserted in {fill_secs:.1} s)")
        } else {
            String::new()
        }
    );

    // The engine's statements for one command of each query, and their plans.
    let probe = super::engine::open(&opts.url, 1).await?;
    let rec = Recorder::default();
    {
        let mut c = probe.db().get().await?;
        instrument(&mut c, &rec);
    }
    let run = run_id();
    let mut seq_scans = Vec::new();
    let mut plan_conn = engine.db().get().await?;
    for (i, (name, text)) in QUERIES.iter().enumerate() {
        rec.take();
        let text = text.replace("{n}", &(opts.features / 2 + 1).to_string());
        let msg = incoming(
            format!("history:{run}:plan{i}"),
            crate::CONSOLE_CHAT_ID,
            1,
            text,
        );
        probe.handle(&msg).await?;
        for stmt in rec.take() {
            let sql = sql_of(&stmt);
            if !sql.starts_with("SELECT") || !sql.contains("event_log") {
                continue;
            }
            let (p, seq) = plan(&mut plan_conn, &stmt).await?;
            println!(
                "  plan ({name}): {}",
                sql.chars().take(160).collect::<String>()
            );
            for l in p.lines() {
                println!("      {l}");
            }
            if seq {
                seq_scans.push(format!("{name}: {sql}"));
            }
        }
    }
    drop(plan_conn);

    // Timed.
    let mut rng = Rng::new(7);
    let mut results = serde_json::Map::new();
    let bar = progress(
        opts.iterations * QUERIES.len() as u64,
        "queries",
        opts.quiet,
    );
    for (name, text) in QUERIES {
        let mut lat = Latencies::default();
        let mut parts = 0usize;
        for i in 0..opts.iterations {
            let user = rng.range(1, opts.projects) as i64;
            let n = rng.range(1, opts.features);
            let msg = incoming(
                format!("history:{run}:{name}:{i}"),
                crate::CONSOLE_CHAT_ID,
                user,
                text.replace("{n}", &n.to_string()),
            );
            let (d, p) = timed(&engine, &msg).await?;
            lat.record(d);
            parts += p;
            bar.inc(1);
        }
        let avg_parts = parts as f64 / opts.iterations.max(1) as f64;
        results.insert(
            name.to_string(),
            merge(
                json!({"count": opts.iterations, "messages_per_reply": super::round3(avg_parts)}),
                lat.json(),
            ),
        );
        bar.suspend(|| {
            println!(
                "  {name:<18} {} ({avg_parts:.1} messages a reply)",
                lat.line()
            )
        });
    }
    bar.finish_and_clear();
    let mut conn = engine.db().get().await?;
    let projects = queries::counts(&mut conn).await?.projects;
    super::print_json(&json!({
        "bench": "history",
        "backend": match backend { Backend::Postgres => "postgres", Backend::Sqlite => "sqlite" },
        "events": total,
        "projects": projects,
        "fill_s": super::round3(fill_secs),
        "filled": filled,
        "queries": results,
        "seq_scans": seq_scans.len(),
    }));
    anyhow::ensure!(
        seq_scans.is_empty(),
        "event_log is read sequentially by:\n{}",
        seq_scans.join("\n")
    );
    Ok(())
}
