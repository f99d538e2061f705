//! `radar-bench history`: fills `event_log` to M events across projects
//! with the store's bulk fill (`radar_store::test_support::bench`: one
//! statement per batch; the log only forbids UPDATE and DELETE), checks
//! that the filled events decode and show in "what changed", then times
//! "what changed" for several periods and "history of #N" through the
//! engine; then gives the features a recent flow (`fill_flow_events`:
//! starts, dones, blocks, release plans, with the rows to match) and times
//! `/stats` (default period and this week) and `/chart <release>`; it prints the plans of the engine's queries on `event_log`,
//! failing if any of them reads it sequentially.

use std::time::Instant;

use radar_engine::change::{Change, decode};
use radar_engine::{Handled, insights};
use radar_store::test_support::bench::{
    Recorder, analyze, explain, fill_bench_features, fill_flow_events, fill_status_events,
    instrument, sql_of,
};
use radar_store::test_support::counts;
use radar_store::{Backend, Conn, DbUrl, EntityKind, UserId, event_log};
use serde_json::json;

use crate::{
    CONSOLE_CHAT, Latencies, Rng, Shape, Target, incoming, merge, progress, run_id, timed,
};

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
pub const QUERIES: [(&str, &str); 8] = [
    ("changes today", "what changed today"),
    ("changes yesterday", "what changed yesterday"),
    ("changes this week", "what changed this week"),
    ("changes 30 days", "what changed in the last 30 days"),
    ("history", "history of #{n}"),
    ("stats", "/stats"),
    ("stats this week", "/stats this week"),
    ("chart", "/chart {v}"),
];

/// The flow of each project (`fill_flow_events`) and what `/stats` and
/// `/chart` read of it: the filled events are in the engine's own format,
/// and project 1's reply counts its done features.
async fn check_flow(target: &Target, conn: &mut Conn, run: &str) -> anyhow::Result<usize> {
    let project = radar_store::user_context::active_project(conn, UserId(1))
        .await?
        .ok_or_else(|| anyhow::anyhow!("user 1 has no active project"))?;
    let features = radar_store::features::list(conn, project.id, &[]).await?;
    let pick = |m: i64| {
        features
            .iter()
            .find(|f| f.number.0 % 10 == m && f.number.0 % 2 == 0)
    };
    let (ten, four) = (pick(0), pick(4));
    for (f, kinds) in [
        (ten, &["start", "done", "plan"][..]),
        (four, &["blocked", "plan"][..]),
    ] {
        let f = f.ok_or_else(|| anyhow::anyhow!("project 1 has too few features for a flow"))?;
        for kind in kinds {
            let key = format!("flow:{kind}:{}", f.id.0);
            let rows = event_log::of_command(conn, &key).await?;
            let row = rows
                .first()
                .ok_or_else(|| anyhow::anyhow!("no filled event {key:?}"))?;
            let event = decode(row).map_err(|e| anyhow::anyhow!("filled event {key:?}: {e}"))?;
            anyhow::ensure!(
                event.change.to_json() == row.details,
                "filled event {key:?} is not in the engine's own format:\n  filled: {}\n  engine: {}",
                row.details,
                event.change.to_json()
            );
        }
    }
    let done_now = features
        .iter()
        .filter(|f| f.status == radar_store::FeatureStatus::Done)
        .count();
    let msg = incoming(
        format!("history:{run}:stats"),
        CONSOLE_CHAT,
        UserId(1),
        "/stats".to_string(),
    );
    let reply = match target.engine.handle(&msg).await? {
        Handled::Replied(r) => r.plain(),
        Handled::Duplicate => String::new(),
    };
    let want = format!("Done: {done_now} features");
    anyhow::ensure!(
        reply.contains(&want),
        "/stats of project 1 does not count its {done_now} done features (all done in the last 27 days):\n{reply}"
    );
    Ok(done_now)
}

/// Events appended per statement of the fill.
const FILL_BATCH: u64 = 100_000;

/// The newest filled event, read back through the store and decoded as
/// the engine decodes it: the fill must write what the engine reads (and
/// exactly what it would write itself).
async fn check_filled_event(conn: &mut Conn, newest: u64) -> anyhow::Result<()> {
    let key = format!("history:{newest}");
    let rows = event_log::of_command(conn, &key).await?;
    let row = rows
        .first()
        .ok_or_else(|| anyhow::anyhow!("no filled event {key:?} in event_log"))?;
    anyhow::ensure!(
        row.entity_type == EntityKind::Feature,
        "filled event {key:?} is about a {}",
        row.entity_type
    );
    let event = decode(row).map_err(|e| anyhow::anyhow!("filled event {key:?}: {e}"))?;
    anyhow::ensure!(
        matches!(event.change, Change::FeatureUpdated { .. })
            && event.change.action() == row.action,
        "filled event {key:?} decodes as {:?} (action {})",
        event.change,
        row.action
    );
    anyhow::ensure!(
        event.change.to_json() == row.details,
        "filled event {key:?} is not in the engine's own format:\n  filled: {}\n  engine: {}",
        row.details,
        event.change.to_json()
    );
    Ok(())
}

/// Status changes ("• … status backlog → in progress") in the reply to
/// "what changed" over the whole span, for project 1: the filled events
/// must show, not only be counted (the engine skips rows it cannot decode).
async fn shown_status_changes(target: &Target, run: &str, days: u64) -> anyhow::Result<usize> {
    let msg = incoming(
        format!("history:{run}:shown"),
        CONSOLE_CHAT,
        UserId(1),
        format!("what changed in the last {} days", (days + 1).min(3660)),
    );
    let reply = match target.engine.handle(&msg).await? {
        Handled::Replied(r) => r.plain(),
        Handled::Duplicate => String::new(),
    };
    Ok(reply
        .lines()
        .filter(|l| l.trim_start().starts_with('•') && l.contains("status") && l.contains('→'))
        .count())
}

pub async fn main(opts: Options) -> anyhow::Result<()> {
    let backend = opts.url.backend();
    let target = Target::open(&opts.url, 4).await?;
    let shape = Shape {
        users: opts.projects,
        projects: opts.projects,
        features: 1,
        releases: 1,
    };
    crate::seed(&target, &shape, 4, opts.quiet).await?;
    let mut conn = target.db.get().await?;
    fill_bench_features(&mut conn, "Bench ", opts.features.max(1)).await?;

    // Fill.
    let have = counts(&mut conn).await?.events as u64;
    let fill_start = Instant::now();
    let mut filled = 0;
    if have < opts.events {
        let bar = progress(opts.events - have, "fill", opts.quiet);
        let mut g = have;
        while g < opts.events {
            let to = (g + FILL_BATCH).min(opts.events);
            fill_status_events(&mut conn, g..to, opts.events, opts.days * 86_400).await?;
            bar.inc(to - g);
            g = to;
        }
        bar.finish_and_clear();
        filled = opts.events - have;
        analyze(&mut conn).await?;
        check_filled_event(&mut conn, opts.events - 1).await?;
    }
    let flow = fill_flow_events(&mut conn, "Bench ").await?;
    if flow > 0 {
        analyze(&mut conn).await?;
        filled += flow as u64;
    }
    let fill_secs = fill_start.elapsed().as_secs_f64();
    let total = counts(&mut conn).await?.events;
    drop(conn);
    println!(
        "history on {}: event_log holds {total} events over {} projects × {} features, spread over {} days{} (of them {flow} of the recent flow)",
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
    let run = run_id();
    let shown = shown_status_changes(&target, &run, opts.days).await?;
    println!("  \"what changed\" over the whole span shows {shown} status changes of project 1");
    let mut conn = target.db.get().await?;
    let done_now = check_flow(&target, &mut conn, &run).await?;
    drop(conn);
    println!("  /stats of project 1 counts its {done_now} done features");
    let version = crate::Shape::version(0);
    anyhow::ensure!(
        filled == 0 || shown > 0,
        "\"what changed\" shows none of the {filled} filled status changes: they do not decode"
    );

    // The engine's statements for one command of each query, and their plans:
    // a pool of one instrumented connection, and an engine on it.
    let probe = Target::open(&opts.url, 1).await?;
    let rec = Recorder::default();
    {
        let mut c = probe.db.get().await?;
        instrument(&mut c, &rec);
    }
    let mut seq_scans = Vec::new();
    let mut plan_conn = target.db.get().await?;
    for (i, (name, text)) in QUERIES.iter().enumerate() {
        rec.take();
        let text = text
            .replace("{n}", &(opts.features / 2 + 1).to_string())
            .replace("{v}", &version);
        let msg = incoming(
            format!("history:{run}:plan{i}"),
            CONSOLE_CHAT,
            UserId(1),
            text,
        );
        probe.engine.handle(&msg).await?;
        for stmt in rec.take() {
            let sql = sql_of(&stmt);
            if !sql.starts_with("SELECT") || !sql.contains("event_log") {
                continue;
            }
            let plan = explain(&mut plan_conn, &stmt).await?;
            println!(
                "  plan ({name}): {}",
                sql.chars().take(160).collect::<String>()
            );
            for l in plan.text.lines() {
                println!("      {l}");
            }
            if plan.scans_event_log {
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
            let user = UserId(rng.range(1, opts.projects) as i64);
            let n = rng.range(1, opts.features);
            let msg = incoming(
                format!("history:{run}:{name}:{i}"),
                CONSOLE_CHAT,
                user,
                text.replace("{n}", &n.to_string()).replace("{v}", &version),
            );
            let (d, p) = timed(&target.engine, &msg).await?;
            lat.record(d);
            parts += p;
            bar.inc(1);
        }
        let avg_parts = parts as f64 / opts.iterations.max(1) as f64;
        results.insert(
            name.to_string(),
            merge(
                json!({"count": opts.iterations, "messages_per_reply": crate::round3(avg_parts)}),
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

    // The reads alone (no reply, no commit, no PNG): what `/stats` and
    // `/chart` compute, through the engine's insights functions.
    let mut conn = target.db.get().await?;
    for name in ["stats reads", "stats this week reads", "chart reads"] {
        let mut lat = Latencies::default();
        for _ in 0..opts.iterations {
            let user = UserId(rng.range(1, opts.projects) as i64);
            let project = radar_store::user_context::active_project(&mut conn, user)
                .await?
                .ok_or_else(|| anyhow::anyhow!("user {} has no active project", user.0))?;
            let now = chrono::Utc::now();
            let t = Instant::now();
            match name {
                "chart reads" => {
                    let r = radar_store::releases::by_version(&mut conn, project.id, &version)
                        .await?
                        .ok_or_else(|| anyhow::anyhow!("no release {version}"))?;
                    insights::burnup(&mut conn, project.id, &r, now, chrono_tz::UTC).await?;
                }
                _ => {
                    let from = if name == "stats reads" {
                        now - chrono::Duration::days(28)
                    } else {
                        let d = now.date_naive();
                        let monday = d - chrono::Duration::days(i64::from(
                            chrono::Datelike::weekday(&d).num_days_from_monday(),
                        ));
                        monday.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
                    };
                    insights::flow(&mut conn, project.id, from, now, now, chrono_tz::UTC).await?;
                }
            }
            lat.record(t.elapsed());
        }
        println!("  {name:<18} {}", lat.line());
        results.insert(
            name.to_string(),
            merge(json!({"count": opts.iterations}), lat.json()),
        );
    }
    let projects = counts(&mut conn).await?.projects;
    crate::print_json(&json!({
        "bench": "history",
        "backend": match backend { Backend::Postgres => "postgres", Backend::Sqlite => "sqlite" },
        "events": total,
        "projects": projects,
        "fill_s": crate::round3(fill_secs),
        "filled": filled,
        "flow_events": flow,
        "done_in_project_1": done_now,
        "queries": results,
        "shown_changes": shown,
        "seq_scans": seq_scans.len(),
    }));
    anyhow::ensure!(
        seq_scans.is_empty(),
        "event_log is read sequentially by:\n{}",
        seq_scans.join("\n")
    );
    Ok(())
}
