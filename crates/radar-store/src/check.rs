//! `radar check`, the store's part: what can be verified without knowing
//! what an event means. Migrations applied (and none this version does not
//! know), the tables and their columns as [`tables`] lists them, the
//! append-only triggers on `event_log` in place, every foreign key holding,
//! and every `reverts_event_id` pointing at an earlier event of the same
//! entity. (The engine adds: every event decodes, every feature's state is
//! the replay of its events.)

use std::collections::BTreeMap;

use diesel::sql_types::{BigInt, Nullable, Text};
use diesel_async::RunQueryDsl;

use crate::{Backend, Conn, DbUrl, MigrateOp, R, StoreError, dispatch, migrate, tables};

/// Something wrong with a database, with the ids to look at.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("migration {0} is not applied (run `radar migrate run`)")]
    PendingMigration(String),
    #[error("migration {0} is applied but unknown to this version of radar (a newer one wrote it)")]
    UnknownMigration(String),
    #[error("table {0} is missing")]
    MissingTable(String),
    #[error("table {0} is unknown to this version of radar")]
    UnknownTable(String),
    #[error("table {table} has the columns ({found}), expected ({expected})")]
    Columns {
        table: String,
        expected: String,
        found: String,
    },
    #[error("the append-only trigger {0} on event_log is missing or disabled")]
    MissingTrigger(String),
    #[error(
        "{table} {key_column}={key}: {column}={value} refers to no row of {parent} ({parent_column})"
    )]
    DanglingReference {
        table: String,
        key_column: String,
        key: String,
        column: String,
        value: String,
        parent: String,
        parent_column: String,
    },
    #[error("event {event}: reverts_event_id={reverts} {why}")]
    BadRevert {
        event: i64,
        reverts: i64,
        why: &'static str,
    },
    /// Found by the engine (decoding, replay).
    #[error("{0}")]
    Other(String),
}

#[derive(diesel::QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = BigInt)]
    position: i64,
}

#[derive(diesel::QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(diesel::QueryableByName)]
struct ForeignKey {
    #[diesel(sql_type = Text)]
    child_table: String,
    #[diesel(sql_type = Text)]
    child_column: String,
    #[diesel(sql_type = Text)]
    parent_table: String,
    #[diesel(sql_type = Nullable<Text>)]
    parent_column: Option<String>,
}

#[derive(diesel::QueryableByName)]
struct Dangling {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = Text)]
    value: String,
}

#[derive(diesel::QueryableByName)]
struct Revert {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    reverts: i64,
    #[diesel(sql_type = BigInt)]
    why: i64,
}

/// Migrations: every one this version has is applied, and no other.
pub async fn migrations(url: &DbUrl) -> Result<Vec<Problem>, StoreError> {
    let states = migrate(url, MigrateOp::Status).await?;
    Ok(states
        .into_iter()
        .filter(|s| !s.applied)
        .map(|s| Problem::PendingMigration(s.version))
        .collect())
}

/// Versions recorded as applied that this version of Radar does not have.
pub async fn unknown_migrations(conn: &mut Conn, known: &[String]) -> R<Vec<Problem>> {
    let applied: Vec<Name> = dispatch!(conn, |c| {
        diesel::sql_query("SELECT version AS name FROM __diesel_schema_migrations")
            .load::<Name>(c)
            .await?
    });
    Ok(applied
        .into_iter()
        .filter(|v| {
            !known
                .iter()
                .any(|k| version_of(k) == v.name.replace('-', ""))
        })
        .map(|v| Problem::UnknownMigration(v.name))
        .collect())
}

/// The version diesel records for a migration folder name
/// (`2026-11-21-000001_init` → `20261121000001`).
fn version_of(name: &str) -> String {
    name.split('_').next().unwrap_or(name).replace('-', "")
}

/// The tables and columns against [`tables`], and the append-only triggers.
pub async fn schema(conn: &mut Conn) -> R<Vec<Problem>> {
    let sql = match conn.backend() {
        Backend::Sqlite => {
            "SELECT m.name AS table_name, p.name AS column_name, CAST(p.cid AS BIGINT) AS position
               FROM sqlite_schema m JOIN pragma_table_info(m.name) p
              WHERE m.type = 'table' AND m.name NOT LIKE '__diesel%' AND m.name NOT LIKE 'sqlite_%'"
        }
        Backend::Postgres => {
            "SELECT c.table_name::text AS table_name, c.column_name::text AS column_name,
                    c.ordinal_position::bigint AS position
               FROM information_schema.columns c
               JOIN information_schema.tables t
                 ON t.table_schema = c.table_schema AND t.table_name = c.table_name
                AND t.table_type = 'BASE TABLE'
              WHERE c.table_schema = current_schema() AND c.table_name NOT LIKE '__diesel%'"
        }
    };
    let cols: Vec<Column> = dispatch!(conn, |c| diesel::sql_query(sql).load::<Column>(c).await?);
    let mut live: BTreeMap<String, Vec<(i64, String)>> = BTreeMap::new();
    for c in cols {
        live.entry(c.table_name)
            .or_default()
            .push((c.position, c.column_name));
    }
    let mut problems = Vec::new();
    for t in tables::TABLES {
        let expected = tables::columns(t).unwrap_or_default();
        match live.get_mut(*t) {
            None => problems.push(Problem::MissingTable(t.to_string())),
            Some(found) => {
                found.sort();
                let found: Vec<&str> = found.iter().map(|(_, n)| n.as_str()).collect();
                if found != expected {
                    problems.push(Problem::Columns {
                        table: t.to_string(),
                        expected: expected.join(", "),
                        found: found.join(", "),
                    });
                }
            }
        }
    }
    for t in live.keys() {
        if tables::columns(t).is_none() {
            problems.push(Problem::UnknownTable(t.clone()));
        }
    }

    let (sql, wanted): (&str, &[&str]) = match conn.backend() {
        Backend::Sqlite => (
            "SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'event_log'",
            &["event_log_no_update", "event_log_no_delete"],
        ),
        Backend::Postgres => (
            "SELECT t.tgname::text AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
              WHERE c.relname = 'event_log' AND c.relnamespace = current_schema()::regnamespace
                AND NOT t.tgisinternal AND t.tgenabled = 'A'",
            &["event_log_no_update_delete", "event_log_no_truncate"],
        ),
    };
    let triggers: Vec<Name> = dispatch!(conn, |c| diesel::sql_query(sql).load::<Name>(c).await?);
    for w in wanted {
        if !triggers.iter().any(|t| t.name == *w) {
            problems.push(Problem::MissingTrigger(w.to_string()));
        }
    }
    Ok(problems)
}

/// Rows whose foreign key names no row (possible on SQLite when written with
/// `foreign_keys` off, on PostgreSQL with its triggers disabled or
/// `session_replication_role = replica`). Every foreign key the database
/// declares is checked, with the same anti-join on both backends.
pub async fn foreign_keys(conn: &mut Conn) -> R<Vec<Problem>> {
    let sql = match conn.backend() {
        Backend::Sqlite => {
            "SELECT m.name AS child_table, f.\"from\" AS child_column, f.\"table\" AS parent_table,
                    f.\"to\" AS parent_column
               FROM sqlite_schema m JOIN pragma_foreign_key_list(m.name) f
              WHERE m.type = 'table' AND m.name NOT LIKE '__diesel%' AND m.name NOT LIKE 'sqlite_%'"
        }
        Backend::Postgres => {
            "SELECT child.relname::text AS child_table, a.attname::text AS child_column,
                    parent.relname::text AS parent_table, pa.attname::text AS parent_column
               FROM pg_constraint con
               JOIN pg_class child ON child.oid = con.conrelid
               JOIN pg_class parent ON parent.oid = con.confrelid
               JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
               JOIN pg_attribute pa ON pa.attrelid = con.confrelid AND pa.attnum = con.confkey[1]
              WHERE con.contype = 'f' AND con.connamespace = current_schema()::regnamespace"
        }
    };
    let mut fks: Vec<ForeignKey> = dispatch!(conn, |c| diesel::sql_query(sql)
        .load::<ForeignKey>(c)
        .await?);
    fks.sort_by(|a, b| (&a.child_table, &a.child_column).cmp(&(&b.child_table, &b.child_column)));
    let mut problems = Vec::new();
    for fk in fks {
        let parent_column = fk.parent_column.unwrap_or_else(|| "id".to_string());
        let key_column = tables::key(&fk.child_table).unwrap_or("rowid");
        let (child, col, parent) = (&fk.child_table, &fk.child_column, &fk.parent_table);
        let sql = format!(
            "SELECT CAST(c.{key_column} AS TEXT) AS key, CAST(c.{col} AS TEXT) AS value
               FROM {child} c
              WHERE c.{col} IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{parent_column} = c.{col})
              ORDER BY c.{key_column}"
        );
        let rows: Vec<Dangling> = dispatch!(conn, |c| diesel::sql_query(&sql)
            .load::<Dangling>(c)
            .await?);
        problems.extend(rows.into_iter().map(|r| Problem::DanglingReference {
            table: child.clone(),
            key_column: key_column.to_string(),
            key: r.key,
            column: col.clone(),
            value: r.value,
            parent: parent.clone(),
            parent_column: parent_column.clone(),
        }));
    }
    Ok(problems)
}

/// Every `reverts_event_id` names an earlier event of the same entity.
pub async fn reverts(conn: &mut Conn) -> R<Vec<Problem>> {
    let rows: Vec<Revert> = dispatch!(conn, |c| {
        diesel::sql_query(
            "SELECT e.id AS id, e.reverts_event_id AS reverts,
                    CAST(CASE WHEN r.id IS NULL THEN 1
                              WHEN r.id >= e.id THEN 2
                              ELSE 3 END AS BIGINT) AS why
               FROM event_log e LEFT JOIN event_log r ON r.id = e.reverts_event_id
              WHERE e.reverts_event_id IS NOT NULL
                AND (r.id IS NULL OR r.id >= e.id
                     OR r.entity_type <> e.entity_type OR r.entity_id <> e.entity_id)
              ORDER BY e.id",
        )
        .load::<Revert>(c)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|r| Problem::BadRevert {
            event: r.id,
            reverts: r.reverts,
            why: match r.why {
                1 => "names no event",
                2 => "names a later event (or itself)",
                _ => "names an event of another entity",
            },
        })
        .collect())
}

/// Every check of this module on one database.
pub async fn all(url: &DbUrl, conn: &mut Conn) -> Result<Vec<Problem>, StoreError> {
    let mut problems = migrations(url).await?;
    let known: Vec<String> = migrate(url, MigrateOp::Status)
        .await?
        .into_iter()
        .map(|s| s.version)
        .collect();
    problems.extend(unknown_migrations(conn, &known).await?);
    problems.extend(schema(conn).await?);
    problems.extend(foreign_keys(conn).await?);
    problems.extend(reverts(conn).await?);
    Ok(problems)
}
