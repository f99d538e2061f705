//! The statements the engine runs for each command of the mix, captured
//! from the engine itself through diesel's connection instrumentation, and
//! the pgbench / sqlite3 scripts in `bench/` that replay them.
//!
//! `capture` runs one command of each kind on a pool of one instrumented
//! connection and records every statement sent. `check` compares that with
//! the scripts: each script, stripped of pgbench meta-commands, sqlite3 dot
//! commands and variables, must be exactly the engine's statement sequence.

use std::path::Path;
use std::sync::{Arc, Mutex};

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel_async::AsyncConnection;

use super::{Kind, Shape, incoming};
use crate::engine::{Clock, Engine, EngineConfig};
use crate::store::{Backend, Conn, DbUrl};

/// Records the SQL of every statement a connection runs (`SQL -- binds: [...]`).
#[derive(Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<String>>>);

impl Recorder {
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

struct Hook(Recorder);

impl Instrumentation for Hook {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            let sql = query.to_string();
            (self.0)
                .0
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(sql);
        }
    }
}

/// Puts a recorder on a pooled connection (it stays with the connection
/// when it goes back to the pool).
pub fn instrument(conn: &mut Conn, rec: &Recorder) {
    match conn {
        Conn::Pg(c) => (**c).set_instrumentation(Hook(rec.clone())),
        Conn::Sqlite(c, _) => (**c).set_instrumentation(Hook(rec.clone())),
    }
}

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
    crate::store::migrate(url, crate::store::MigrateOp::Run { dry_run: false }).await?;
    let engine = Engine::new(
        crate::store::Db::connect(url, 1)?,
        EngineConfig {
            clock: capture_clock(),
            ..EngineConfig::default()
        },
    );
    super::seed(&engine, &CAPTURE_SHAPE, 1, true).await?;
    let rec = Recorder::default();
    {
        let mut conn = engine.db().get().await?;
        instrument(&mut conn, &rec);
    }
    rec.take();
    let mut out = Vec::new();
    for (kind, text) in capture_commands() {
        let msg = incoming(format!("capture:{}", kind.name()), 1, 1, text);
        engine.handle(&msg).await?;
        out.push((kind, rec.take()));
    }
    Ok(out)
}

/// A statement without its binds.
pub fn sql_of(stmt: &str) -> &str {
    stmt.rsplit_once(" -- binds: ")
        .map_or(stmt, |(s, _)| s)
        .trim()
}

pub fn backend_dir(b: Backend) -> &'static str {
    match b {
        Backend::Postgres => "pgbench",
        Backend::Sqlite => "sqlite",
    }
}

/// One bind value of a SQLite statement (`String("x")`, `I64(1)`, `Null` …) as a SQL literal.
fn sqlite_literal(v: &str) -> String {
    let v = v.trim();
    if let Some(s) = v.strip_prefix("String(").and_then(|x| x.strip_suffix(')')) {
        return format!("'{}'", unescape(s.trim_matches('"')).replace('\'', "''"));
    }
    for p in ["I64(", "I32(", "I16(", "F64(", "F32(", "Bool("] {
        if let Some(n) = v.strip_prefix(p).and_then(|x| x.strip_suffix(')')) {
            return match n {
                "true" => "1".into(),
                "false" => "0".into(),
                n => n.to_string(),
            };
        }
    }
    "NULL".into()
}

/// Undoes Rust's `{:?}` escaping of a string.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('u') => {
                let hex: String = chars.by_ref().skip(1).take_while(|c| *c != '}').collect();
                if let Some(ch) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    out.push(ch);
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// Splits `[a, b("x, y"), c]` at the top-level commas.
pub fn split_binds(binds: &str) -> Vec<String> {
    let inner = binds
        .trim()
        .strip_prefix('[')
        .and_then(|b| b.strip_suffix(']'))
        .unwrap_or("");
    let (mut out, mut cur) = (Vec::new(), String::new());
    let (mut depth, mut in_str, mut esc) = (0i32, false, false);
    for ch in inner.chars() {
        if in_str {
            cur.push(ch);
            match (esc, ch) {
                (true, _) => esc = false,
                (false, '\\') => esc = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match ch {
            '"' => in_str = true,
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}

/// A captured SQLite statement as sqlite3 input: its SQL with each `?`
/// replaced by the literal of its bind value, and a `;`.
pub fn sqlite_statement(stmt: &str) -> String {
    let (sql, binds) = stmt.rsplit_once(" -- binds: ").unwrap_or((stmt, "[]"));
    let mut values = split_binds(binds).into_iter().map(|b| sqlite_literal(&b));
    let mut out = String::with_capacity(sql.len() + 64);
    let mut in_str = false;
    for ch in sql.trim().chars() {
        match ch {
            '\'' => {
                in_str = !in_str;
                out.push(ch);
            }
            '?' if !in_str => out.push_str(&values.next().unwrap_or_else(|| "NULL".into())),
            _ => out.push(ch),
        }
    }
    out.push(';');
    out
}

/// The sqlite3 script of one command: what the engine ran, values inlined.
pub fn sqlite_script(kind: Kind, stmts: &[String]) -> String {
    let mut out = format!(
        "-- The statements Radar's engine runs for one `{}` command on SQLite, captured\n\
         -- from the engine (radar-bench sql --write bench). Do not edit: a test compares.\n",
        kind.name()
    );
    for s in stmts {
        out.push_str(&sqlite_statement(s));
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
                        "{} differs from what the engine runs now; rewrite it with `radar-bench sql --write bench` on a fresh SQLite file",
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
