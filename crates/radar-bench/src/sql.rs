//! The statements the engine runs for each command of the mix, captured
//! from the engine itself (the store's connection instrumentation,
//! `radar_store::test_support::bench`), and the pgbench / sqlite3 scripts
//! in `bench/` that replay them.
//!
//! `capture` runs one command of each kind on a pool of one instrumented
//! connection and records every statement sent. `check` compares that with
//! the scripts: each script, stripped of pgbench meta-commands, sqlite3 dot
//! commands and variables, must be exactly the engine's statement sequence.

use std::path::Path;

use radar_engine::{Clock, EngineConfig};
use radar_store::test_support::bench::{Recorder, instrument, sql_of, sqlite_inline};
use radar_store::{Backend, ChatId, DbUrl, UserId};

use crate::{Kind, Shape, Target, incoming};

/// The shape the capture runs on: one user, one project.
pub const CAPTURE_SHAPE: Shape = Shape {
    users: 1,
    projects: 1,
    features: 3,
    releases: 2,
};

/// The commands captured, in the order they run: the undo reverts the status change before it.
pub fn capture_commands() -> Vec<(Kind, String)> {
    vec![
        (Kind::Add, "add feature Bench item 1".into()),
        (Kind::Plan, "put #2 into 11".into()),
        (Kind::Changes, "what changed today".into()),
        (Kind::Status, "#1 is blocked: bench reason 1".into()),
        (Kind::Undo, "undo".into()),
    ]
}

/// The clock of the capture (so a capture of a fresh database is the same every time).
pub fn capture_clock() -> Clock {
    Clock::fixed(
        chrono::NaiveDate::from_ymd_opt(2026, 11, 2)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .map(|t| t.and_utc())
            .unwrap_or_default(),
    )
}

/// Runs one command of each kind on a fresh, seeded database through an
/// engine whose pool has one instrumented connection; returns each
/// command's statements (`SQL -- binds: [...]`), in order. On a fresh
/// database the result is the same every time (a fixed clock, fixed keys).
pub async fn capture(url: &DbUrl) -> anyhow::Result<Vec<(Kind, Vec<String>)>> {
    let cfg = EngineConfig {
        clock: capture_clock(),
        ..EngineConfig::default()
    };
    // A pool of one connection: instrumented once, it records everything.
    let target = Target::open_with(url, 1, cfg).await?;
    crate::seed(&target, &CAPTURE_SHAPE, 1, true).await?;
    let rec = Recorder::default();
    {
        let mut conn = target.db.get().await?;
        instrument(&mut conn, &rec);
    }
    // The engine keeps the names a message is understood in between
    // commands (per names version): one command first, so that the capture
    // shows a warm engine, as in a long run, where only a command after a
    // change of names (here the plan, after the add) reads them again.
    target
        .engine
        .handle(&incoming(
            "capture:warm-up".into(),
            ChatId(1),
            UserId(1),
            "what changed today".into(),
        ))
        .await?;
    rec.take();
    let mut out = Vec::new();
    for (kind, text) in capture_commands() {
        let msg = incoming(
            format!("capture:{}", kind.name()),
            ChatId(1),
            UserId(1),
            text,
        );
        target.engine.handle(&msg).await?;
        out.push((kind, rec.take().iter().map(|s| fixed_version(s)).collect()));
    }
    Ok(out)
}

/// A names version is random (`radar_store::names_versions`): the capture
/// writes each as 1, so that a capture of a fresh database is the same
/// every time (replaying it sets a version, as the engine does). A version
/// is told from a scope (a project id) by its size: ten digits or more.
fn fixed_version(stmt: &str) -> String {
    let sql = sql_of(stmt);
    if !sql.contains("names_versions") || sql.starts_with("SELECT") {
        return stmt.to_string();
    }
    let Some((_, binds)) = stmt.rsplit_once(" -- binds: ") else {
        return stmt.to_string();
    };
    let mut fixed = binds.to_string();
    for bind in binds.trim_matches(|c| c == '[' || c == ']').split(", ") {
        let value = bind.rsplit_once('(').map_or(bind, |(_, v)| v);
        let number: String = value
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '-')
            .collect();
        if number.trim_start_matches('-').len() >= 10 {
            fixed = fixed.replace(&number, "1");
        }
    }
    format!("{sql} -- binds: {fixed}")
}

pub fn backend_dir(b: Backend) -> &'static str {
    match b {
        Backend::Postgres => "pgbench",
        Backend::Sqlite => "sqlite",
    }
}

/// The sqlite3 script of one command: what the engine ran, values inlined.
pub fn sqlite_script(kind: Kind, stmts: &[String]) -> String {
    let mut out = format!(
        "-- The statements Radar's engine runs for one `{}` command on SQLite, captured\n\
         -- from the engine (radar-bench sql --write crates/radar-bench/bench). Do not edit: a test compares.\n",
        kind.name()
    );
    for s in stmts {
        out.push_str(&sqlite_inline(s));
        out.push('\n');
    }
    out
}

/// The engine's statements with binds removed and pgbench's variables
/// (`:name`) and meta-commands removed from a script, for comparison: each
/// variable becomes `$n`, numbered per statement as PostgreSQL does.
pub fn pgbench_statements(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in script.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('\\') || line.starts_with("--") {
            continue;
        }
        let sql = line
            .rsplit_once(" \\gset")
            .map_or(line, |(s, _)| s)
            .trim_end_matches(';')
            .trim();
        let mut n = 0;
        let mut stmt = String::with_capacity(sql.len());
        let mut chars = sql.chars().peekable();
        while let Some(c) = chars.next() {
            if c == ':'
                && chars
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphabetic() || *c == '_')
            {
                while chars
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
                {
                    chars.next();
                }
                n += 1;
                stmt.push_str(&format!("${n}"));
            } else {
                stmt.push(c);
            }
        }
        out.push(stmt);
    }
    out
}

/// Compares the scripts in `dir` (`bench/`) with a fresh capture; returns
/// the differences (empty when in sync). With `write`, rewrites the SQLite
/// scripts (the pgbench ones carry variables and are edited by hand).
pub async fn check(url: &DbUrl, dir: &Path, write: bool) -> anyhow::Result<Vec<String>> {
    let captured = capture(url).await?;
    let mut diffs = Vec::new();
    for (kind, stmts) in &captured {
        match url.backend() {
            Backend::Sqlite => {
                let path = dir.join("sqlite").join(format!("{}.sql", kind.name()));
                let want = sqlite_script(*kind, stmts);
                if write {
                    std::fs::create_dir_all(dir.join("sqlite"))?;
                    std::fs::write(&path, &want)?;
                } else if std::fs::read_to_string(&path).unwrap_or_default() != want {
                    diffs.push(format!(
                        "{} differs from what the engine runs now; rewrite it with `radar-bench sql --write crates/radar-bench/bench` on a fresh SQLite file",
                        path.display()
                    ));
                }
            }
            Backend::Postgres => {
                let path = dir.join("pgbench").join(format!("{}.sql", kind.name()));
                let script = std::fs::read_to_string(&path).unwrap_or_default();
                let have = pgbench_statements(&script);
                let want: Vec<String> = stmts.iter().map(|s| sql_of(s).to_string()).collect();
                if have != want {
                    let mut d = format!(
                        "{} differs from what the engine runs now:\n",
                        path.display()
                    );
                    for i in 0..have.len().max(want.len()) {
                        let (h, w) = (have.get(i), want.get(i));
                        if h != w {
                            d.push_str(&format!(
                                "  statement {}:\n    script: {}\n    engine: {}\n",
                                i + 1,
                                h.map_or("(none)", |s| s.as_str()),
                                w.map_or("(none)", |s| s.as_str())
                            ));
                        }
                    }
                    diffs.push(d);
                }
            }
        }
    }
    Ok(diffs)
}
