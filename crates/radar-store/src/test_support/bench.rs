//! What radar-bench needs from the database besides the engine itself
//! (radar-bench has no SQL of its own):
//!
//! - bulk filling for `radar-bench history`: [`fill_bench_features`] and
//!   [`fill_status_events`], one statement each (`generate_series` on
//!   PostgreSQL, a recursive CTE on SQLite), then [`analyze`]; the events
//!   are in the engine's typed format, byte for byte what it writes for a
//!   status change; [`fill_flow_events`] adds a recent flow (starts, dones,
//!   blocks, release plans) for `/stats` and `/chart`;
//! - statement capture: [`Recorder`] and [`instrument`] record every
//!   statement a connection runs as diesel shows it (`SQL -- binds: [...]`);
//!   [`sql_of`] and [`sqlite_inline`] read such a captured statement;
//! - plans: [`explain`] shows how the database runs a captured statement and
//!   whether it reads `event_log` sequentially.

use std::ops::Range;
use std::sync::{Arc, Mutex};

use diesel::QueryableByName;
use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, RunQueryDsl};

use crate::{
    Action, Backend, Conn, EntityKind, FeatureStatus, ProjectStatus, R, ReleaseStatus, dispatch,
};

/// The user the filled events are attributed to (no real Telegram user).
pub const FILL_USER: i64 = 1_000_000;

/// SQL that "now" in UTC, as the engine stores timestamps (no time zone).
fn now_sql(b: Backend) -> &'static str {
    match b {
        Backend::Postgres => "(now() AT TIME ZONE 'UTC')",
        Backend::Sqlite => "strftime('%Y-%m-%d %H:%M:%f', 'now')",
    }
}

async fn execute(conn: &mut Conn, sql: &str) -> R<usize> {
    Ok(dispatch!(conn, |c| diesel::sql_query(sql)
        .execute(c)
        .await?))
}

async fn execute_with_text(conn: &mut Conn, sql: &str, text: &str) -> R<usize> {
    Ok(dispatch!(conn, |c| {
        diesel::sql_query(sql)
            .bind::<Text, _>(text)
            .execute(c)
            .await?
    }))
}

/// Gives every project whose name starts with `project_prefix` (a `LIKE`
/// prefix: no `%` or `_` in it) the features `#1..=#upto` it lacks, named
/// `History feature N`, in the backlog, in one statement; then moves the
/// projects' next feature number past `upto`, so the engine numbers its own
/// additions after them. Returns how many features were inserted.
pub async fn fill_bench_features(conn: &mut Conn, project_prefix: &str, upto: u64) -> R<usize> {
    let b = conn.backend();
    let now = now_sql(b);
    let backlog = FeatureStatus::Backlog.as_str();
    // The numbers 1..=upto as `s(n)`, and the placeholder of the name pattern.
    let (with, series, param) = match b {
        Backend::Postgres => (
            String::new(),
            format!("generate_series(1, {upto}) AS s(n)"),
            "$1",
        ),
        Backend::Sqlite => (
            format!(
                "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {upto}) "
            ),
            "s".to_string(),
            "?",
        ),
    };
    let pattern = format!("{project_prefix}%");
    let inserted = execute_with_text(
        conn,
        &format!(
            "{with}INSERT INTO features (project_id, number, name, status, created_at, updated_at)
             SELECT p.id, s.n, 'History feature ' || s.n, '{backlog}', {now}, {now}
               FROM projects p CROSS JOIN {series}
              WHERE p.name LIKE {param}
                AND NOT EXISTS (SELECT 1 FROM features x WHERE x.project_id = p.id AND x.number = s.n)"
        ),
        &pattern,
    )
    .await?;
    execute_with_text(
        conn,
        &format!(
            "UPDATE projects SET next_feature_number = {next}
              WHERE name LIKE {param} AND next_feature_number < {next}",
            next = upto + 1
        ),
        &pattern,
    )
    .await?;
    Ok(inserted)
}

/// Appends the events numbered `events` of a log that will hold `total`,
/// in one statement. Event `g` is a status change of the feature at
/// position `g mod F` among all `F` features (in id order), from backlog to
/// in progress (even `g`) or blocked (odd `g`), by [`FILL_USER`], with the
/// message key `history:g`, `(total - g) × span_secs / total` seconds
/// before now: the log is spread evenly over the span, newest last.
///
/// `details` is the engine's typed JSON for such a change, exactly as it
/// writes it: `{"change":"feature_updated","feature":{"number":3,"name":"X"},
/// "diff":{"status":{"before":"backlog","after":"in_progress"}}}`.
/// Returns how many events were appended (none without features).
pub async fn fill_status_events(
    conn: &mut Conn,
    events: Range<u64>,
    total: u64,
    span_secs: u64,
) -> R<usize> {
    if events.is_empty() {
        return Ok(0);
    }
    let b = conn.backend();
    let (from, to) = (events.start, events.end);
    let total = total.max(to);
    let now = now_sql(b);
    let quote = match b {
        Backend::Postgres => "to_json(f.name)::text",
        Backend::Sqlite => "json_quote(f.name)",
    };
    let (before, in_progress, blocked) = (
        FeatureStatus::Backlog.as_str(),
        FeatureStatus::InProgress.as_str(),
        FeatureStatus::Blocked.as_str(),
    );
    let details = format!(
        "'{{\"change\":\"feature_updated\",\"feature\":{{\"number\":' || f.number || ',\"name\":' || {quote}
         || '}},\"diff\":{{\"status\":{{\"before\":\"{before}\",\"after\":\"'
         || (CASE WHEN g % 2 = 0 THEN '{in_progress}' ELSE '{blocked}' END) || '\"}}}}}}'"
    );
    let (update, feature) = (Action::Update.as_str(), EntityKind::Feature.as_str());
    let fx = "SELECT row_number() OVER (ORDER BY id) - 1 AS idx, id, project_id, number, name FROM features";
    let columns = "correlation_id, user_id, project_id, action, entity_type, entity_id, details, \"timestamp\", created_at";
    let values = format!(
        "'history:' || g, {FILL_USER}, f.project_id, '{update}', '{feature}', f.id, {details}"
    );
    let sql = match b {
        Backend::Postgres => format!(
            "WITH fx AS ({fx}), k AS (SELECT count(*) AS c FROM features)
             INSERT INTO event_log ({columns})
             SELECT {values},
                    {now} - make_interval(secs => ({total} - g)::float8 * {span_secs} / {total}),
                    {now}
               FROM k CROSS JOIN generate_series({from}, {to} - 1) AS g JOIN fx f ON f.idx = g % k.c"
        ),
        Backend::Sqlite => format!(
            "WITH RECURSIVE s(g) AS (SELECT {from} UNION ALL SELECT g + 1 FROM s WHERE g < {to} - 1),
                  fx AS ({fx}), k AS (SELECT count(*) AS c FROM features)
             INSERT INTO event_log ({columns})
             SELECT {values},
                    strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || (({total} - g) * {span_secs} / {total}) || ' seconds'),
                    {now}
               FROM k, s JOIN fx f ON f.idx = s.g % k.c"
        ),
    };
    execute(conn, &sql).await
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Gives the features of every project whose name starts with
/// `project_prefix` (a `LIKE` prefix) a recent flow for `/stats` and
/// `/chart`, once (a second call finds its events and does nothing), by
/// feature number `n`:
///
/// - `n mod 10` ∈ {0, 1, 2} (30 %): done `(37·n mod 27)` days (and an hour)
///   ago, started "in progress" 1–9 days (`1 + n mod 9`) before;
/// - `n mod 10 = 3`: in progress since `1 + n mod 9` days;
/// - `n mod 10 = 4`: blocked since `1 + n mod 5` days, "waiting for review";
/// - even `n`: planned into the project's first release 40 days ago; the
///   releases were created 60 days ago, and those without a target get one
///   30 days from today.
///
/// Both the events (by [`FILL_USER`], message keys `flow:<kind>:<feature
/// id>`, the engine's typed JSON) and the rows (features' status, reason
/// and release) are written, so the features table agrees with the log.
/// Returns how many events were appended.
pub async fn fill_flow_events(conn: &mut Conn, project_prefix: &str) -> R<usize> {
    let b = conn.backend();
    let found: Vec<Found> = dispatch!(conn, |c| {
        diesel::sql_query(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM (SELECT 1 FROM event_log
              WHERE correlation_id >= 'flow:' AND correlation_id < 'flow;' LIMIT 1) x",
        )
        .load::<Found>(c)
        .await?
    });
    if found.iter().any(|f| f.n > 0) {
        return Ok(0);
    }
    let (param, quote, quote_v) = match b {
        Backend::Postgres => ("$1", "to_json(f.name)::text", "to_json(r.version)::text"),
        Backend::Sqlite => ("?", "json_quote(f.name)", "json_quote(r.version)"),
    };
    let ago = |secs: &str| match b {
        Backend::Postgres => {
            format!("(now() AT TIME ZONE 'UTC') - make_interval(secs => ({secs})::float8)")
        }
        Backend::Sqlite => {
            format!("strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || ({secs}) || ' seconds')")
        }
    };
    let now = now_sql(b);
    let columns = "correlation_id, user_id, project_id, action, entity_type, entity_id, details, \"timestamp\", created_at";
    let (update, feature) = (Action::Update.as_str(), EntityKind::Feature.as_str());
    let head = |kind: &str| {
        format!(
            "'flow:{kind}:' || f.id, {FILL_USER}, f.project_id, '{update}', '{feature}', f.id, \
             '{{\"change\":\"feature_updated\",\"feature\":{{\"number\":' || f.number || ',\"name\":' || {quote} || '}},\"diff\":{{'"
        )
    };
    let status = |before: &str, after: &str| {
        format!("'\"status\":{{\"before\":\"{before}\",\"after\":\"{after}\"}}'")
    };
    let mine = format!("f.project_id IN (SELECT id FROM projects WHERE name LIKE {param})");
    let (backlog, in_progress, blocked, done) = (
        FeatureStatus::Backlog.as_str(),
        FeatureStatus::InProgress.as_str(),
        FeatureStatus::Blocked.as_str(),
        FeatureStatus::Done.as_str(),
    );
    let done_ago = "((f.number * 37) % 27) * 86400 + 3600 + (f.id % 3600)";
    let kinds: Vec<(String, String, String)> = vec![
        // kind, details after the head, when; all with the feature filter `where`.
        (
            "start".into(),
            format!("{} || '}}}}'", status(backlog, in_progress)),
            "CASE WHEN f.number % 10 = 3 THEN (1 + f.number % 9) * 86400
                  ELSE ((f.number * 37) % 27 + 1 + f.number % 9) * 86400 + 3600 END"
                .to_string(),
        ),
        (
            "done".into(),
            format!("{} || '}}}}'", status(in_progress, done)),
            done_ago.to_string(),
        ),
        (
            "blocked".into(),
            format!(
                "{} || ',\"status_reason\":{{\"before\":null,\"after\":\"waiting for review\"}}}}}}'",
                status(backlog, blocked)
            ),
            "(1 + f.number % 5) * 86400".to_string(),
        ),
        (
            "plan".into(),
            format!(
                "'\"release\":{{\"before\":null,\"after\":{{\"id\":' || r.id || ',\"version\":' || {quote_v} || '}}}}}}}}'"
            ),
            "40 * 86400 + f.number".to_string(),
        ),
    ];
    let mut appended = 0;
    for (kind, tail, when) in &kinds {
        let (from, filter) = match kind.as_str() {
            "start" => ("features f", "f.number % 10 IN (0, 1, 2, 3)"),
            "done" => ("features f", "f.number % 10 IN (0, 1, 2)"),
            "blocked" => ("features f", "f.number % 10 = 4"),
            _ => (
                "features f JOIN releases r ON r.id = (SELECT MIN(x.id) FROM releases x WHERE x.project_id = f.project_id)",
                "f.number % 2 = 0",
            ),
        };
        let sql = format!(
            "INSERT INTO event_log ({columns})
             SELECT {head} || {tail}, {at}, {now}
               FROM {from}
              WHERE {mine} AND {filter}
              ORDER BY f.id",
            head = head(kind),
            at = ago(when),
        );
        appended += execute_with_text(conn, &sql, &format!("{project_prefix}%")).await?;
    }
    let target = match b {
        Backend::Postgres => "CURRENT_DATE + 30",
        Backend::Sqlite => "date('now', '+30 days')",
    };
    let pattern = format!("{project_prefix}%");
    execute_with_text(
        conn,
        &format!(
            "UPDATE features SET
                status = CASE WHEN number % 10 IN (0, 1, 2) THEN '{done}'
                              WHEN number % 10 = 3 THEN '{in_progress}'
                              WHEN number % 10 = 4 THEN '{blocked}' ELSE status END,
                status_reason = CASE WHEN number % 10 = 4 THEN 'waiting for review' ELSE status_reason END,
                release_id = CASE WHEN number % 2 = 0
                                  THEN (SELECT MIN(x.id) FROM releases x WHERE x.project_id = features.project_id)
                                  ELSE release_id END
              WHERE project_id IN (SELECT id FROM projects WHERE name LIKE {param})"
        ),
        &pattern,
    )
    .await?;
    // The releases existed before their features were planned into them.
    let created = ago("60 * 86400");
    execute_with_text(
        conn,
        &format!(
            "UPDATE releases SET created_at = {created}
              WHERE project_id IN (SELECT id FROM projects WHERE name LIKE {param})"
        ),
        &pattern,
    )
    .await?;
    execute_with_text(
        conn,
        &format!(
            "UPDATE releases SET target_date = {target}
              WHERE target_date IS NULL AND project_id IN (SELECT id FROM projects WHERE name LIKE {param})"
        ),
        &pattern,
    )
    .await?;
    Ok(appended)
}

/// Refreshes the planner's statistics (after a bulk fill).
pub async fn analyze(conn: &mut Conn) -> R<()> {
    execute(conn, "ANALYZE").await?;
    Ok(())
}

/// Records the SQL of every statement a connection runs, as diesel shows
/// it: `SQL -- binds: [...]` (PostgreSQL: the Rust values' `Debug`; SQLite:
/// the values as bound, `I64(1)`, `String("x")`, `Null` …).
#[derive(Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<String>>>);

impl Recorder {
    /// The statements recorded since the last call, in order.
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

/// Puts `rec` on a pooled connection: from now on it records every
/// statement the connection runs. The recorder stays with the connection
/// when it goes back to the pool, so a pool of one connection, instrumented
/// once, records everything run through the pool.
pub fn instrument(conn: &mut Conn, rec: &Recorder) {
    match conn {
        Conn::Pg(c) => (**c).set_instrumentation(Hook(rec.clone())),
        Conn::Sqlite(c, _) => (**c).set_instrumentation(Hook(rec.clone())),
    }
}

/// A captured statement without its binds.
pub fn sql_of(stmt: &str) -> &str {
    stmt.rsplit_once(" -- binds: ")
        .map_or(stmt, |(s, _)| s)
        .trim()
}

/// A captured statement's binds (`[...]`; `[]` when it has none).
fn binds_of(stmt: &str) -> &str {
    stmt.rsplit_once(" -- binds: ").map_or("[]", |(_, b)| b)
}

/// A captured SQLite statement as sqlite3 input: its SQL with each `?`
/// replaced by the literal of its bound value, and a `;`.
pub fn sqlite_inline(stmt: &str) -> String {
    let mut values = split_binds(binds_of(stmt))
        .into_iter()
        .map(|b| sqlite_literal(&b));
    let sql = sql_of(stmt);
    let mut out = String::with_capacity(sql.len() + 64);
    let mut in_str = false;
    for ch in sql.chars() {
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

/// How the database runs a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The plan, one line per node (`EXPLAIN` / `EXPLAIN QUERY PLAN`).
    pub text: String,
    /// Whether it reads `event_log` sequentially (a full scan, no index).
    pub scans_event_log: bool,
}

#[derive(QueryableByName)]
struct SqlitePlanRow {
    #[diesel(sql_type = Text)]
    detail: String,
}

#[derive(QueryableByName)]
struct PgPlanRow {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    plan: String,
}

/// The plan of a captured statement (`SQL -- binds: [...]`, as [`Recorder`]
/// records it): `EXPLAIN QUERY PLAN` on SQLite; on PostgreSQL the statement
/// is prepared and `EXPLAIN EXECUTE`d with its bound values, so the plan is
/// the one the engine's parameterized statement gets.
pub async fn explain(conn: &mut Conn, stmt: &str) -> R<Plan> {
    let sql = sql_of(stmt);
    let lines: Vec<String> = match conn.backend() {
        Backend::Sqlite => {
            let q = format!("EXPLAIN QUERY PLAN {sql}");
            dispatch!(conn, |c| {
                diesel::sql_query(q)
                    .load::<SqlitePlanRow>(c)
                    .await?
                    .into_iter()
                    .map(|r| r.detail)
                    .collect()
            })
        }
        Backend::Postgres => {
            let args: Vec<String> = split_binds(binds_of(stmt))
                .iter()
                .map(|v| pg_literal(v))
                .collect();
            let exe = if args.is_empty() {
                "EXPLAIN EXECUTE radar_bench_explain".to_string()
            } else {
                format!("EXPLAIN EXECUTE radar_bench_explain({})", args.join(", "))
            };
            execute(conn, &format!("PREPARE radar_bench_explain AS {sql}")).await?;
            let rows = dispatch!(conn, |c| diesel::sql_query(exe).load::<PgPlanRow>(c).await);
            execute(conn, "DEALLOCATE radar_bench_explain").await?;
            rows?.into_iter().map(|r| r.plan).collect()
        }
    };
    let scans_event_log = lines.iter().any(|l| {
        l.contains("Seq Scan on event_log")
            || (l.trim_start().starts_with("SCAN event_log") && !l.contains("USING"))
    });
    Ok(Plan {
        text: lines.join("\n"),
        scans_event_log,
    })
}

/// Splits `[a, b("x, y"), c]` at its top-level commas.
fn split_binds(binds: &str) -> Vec<String> {
    let inner = binds
        .trim()
        .strip_prefix('[')
        .and_then(|b| b.strip_suffix(']'))
        .unwrap_or("");
    split_top(inner)
}

/// Splits a list at its top-level commas (not inside quotes or brackets).
fn split_top(inner: &str) -> Vec<String> {
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
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur).trim().to_string());
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// One bound value of a SQLite statement (`String("x")`, `I64(1)`, `Null` …)
/// as a SQL literal.
fn sqlite_literal(v: &str) -> String {
    let v = v.trim();
    if let Some(s) = v.strip_prefix("String(").and_then(|x| x.strip_suffix(')')) {
        let s = s
            .strip_prefix('"')
            .and_then(|x| x.strip_suffix('"'))
            .unwrap_or(s);
        return sql_string(&unescape(s));
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

/// `Name(inner)` → `inner` (`Some(…)`, or an id newtype such as `ProjectId(1)`).
fn unwrap_call(v: &str) -> Option<&str> {
    let (name, rest) = v.split_once('(')?;
    let inner = rest.strip_suffix(')')?;
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(inner)
}

/// The stored spelling of a text enum value shown by its `Debug` name
/// (`InProgress` → `in_progress`).
fn enum_text(v: &str) -> Option<&'static str> {
    fn find<T: std::fmt::Debug + Copy>(
        all: &[T],
        v: &str,
        text: fn(T) -> &'static str,
    ) -> Option<&'static str> {
        all.iter().find(|x| format!("{x:?}") == v).map(|x| text(*x))
    }
    find(ProjectStatus::ALL, v, ProjectStatus::as_str)
        .or_else(|| find(FeatureStatus::ALL, v, FeatureStatus::as_str))
        .or_else(|| find(ReleaseStatus::ALL, v, ReleaseStatus::as_str))
        .or_else(|| find(EntityKind::ALL, v, EntityKind::as_str))
        .or_else(|| find(Action::ALL, v, Action::as_str))
}

/// A Rust `Debug` string (`"a \"b\""`) without its quotes and escapes.
fn debug_string(v: &str) -> Option<String> {
    v.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .map(unescape)
}

/// One bound value of a PostgreSQL statement, shown by its Rust `Debug`
/// (`1`, `"x"`, `2026-11-21T00:00:00`, `Some(ProjectId(2))`, `None`,
/// `[EventId(3), EventId(4)]`, `Blocked`), as a SQL literal for `EXECUTE`
/// (PostgreSQL infers the types from the prepared statement).
fn pg_literal(v: &str) -> String {
    let v = v.trim();
    if v == "None" {
        return "NULL".into();
    }
    if let Some(inner) = unwrap_call(v) {
        return pg_literal(inner);
    }
    if let Some(s) = debug_string(v) {
        return sql_string(&s);
    }
    if let Some(list) = v.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        let items: Vec<String> = split_top(list).iter().map(|i| pg_array_item(i)).collect();
        return sql_string(&format!("{{{}}}", items.join(",")));
    }
    if let Some(text) = enum_text(v) {
        return sql_string(text);
    }
    if v.starts_with(|c: char| c.is_ascii_digit()) {
        // A number, a date or a timestamp (`2026-11-21T12:00:00` → a space).
        return sql_string(&v.replacen('T', " ", 1));
    }
    sql_string(v)
}

/// An element of a PostgreSQL array literal (`{1,2}`, `{"a b","c"}`).
fn pg_array_item(v: &str) -> String {
    let v = v.trim();
    if v == "None" {
        return "NULL".into();
    }
    if let Some(inner) = unwrap_call(v) {
        return pg_array_item(inner);
    }
    let s = debug_string(v)
        .or_else(|| enum_text(v).map(str::to_string))
        .unwrap_or_else(|| v.to_string());
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn sql_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captured_statements_split_into_sql_and_binds() {
        let stmt = r#"SELECT 1 WHERE a = $1 AND b = $2 -- binds: [ProjectId(1), "x, \"y\""]"#;
        assert_eq!(sql_of(stmt), "SELECT 1 WHERE a = $1 AND b = $2");
        assert_eq!(
            split_binds(binds_of(stmt)),
            vec!["ProjectId(1)".to_string(), r#""x, \"y\"""#.to_string()]
        );
        assert_eq!(sql_of("COMMIT"), "COMMIT");
        assert!(split_binds(binds_of("COMMIT")).is_empty());
    }

    #[test]
    fn postgres_binds_become_literals() {
        let lits: Vec<String> = split_binds(
            r#"[1, "it's", 2026-11-21T12:00:00.5, Some(ReleaseId(2)), None, [EventId(3), EventId(4)], Context, InProgress, Some(Blocked), true]"#,
        )
        .iter()
        .map(|v| pg_literal(v))
        .collect();
        assert_eq!(
            lits,
            [
                "'1'",
                "'it''s'",
                "'2026-11-21 12:00:00.5'",
                "'2'",
                "NULL",
                "'{\"3\",\"4\"}'",
                "'context'",
                "'in_progress'",
                "'blocked'",
                "'true'"
            ]
        );
    }

    #[test]
    fn sqlite_statements_get_their_values_inlined() {
        let stmt = r#"INSERT INTO t (a, b, c, d) VALUES (?, ?, '?', ?) -- binds: [I64(7), String("it's \"q\""), Null]"#;
        assert_eq!(
            sqlite_inline(stmt),
            r#"INSERT INTO t (a, b, c, d) VALUES (7, 'it''s "q"', '?', NULL);"#
        );
    }
}
