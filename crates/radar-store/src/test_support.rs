//! Queries for tests and benchmarks only (introspection, counts, schema
//! dumps, databases made and dropped, scripts; and in [`bench`], bulk
//! loading, statement capture and query plans for radar-bench). Compiled
//! with the `test-support` feature, which only radar-testkit and radar-bench
//! enable: the product binary never contains them.

pub mod bench;

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::schema::{
    event_log, features, outbox, processed_messages, projects, releases, user_context,
};
use crate::{Backend, Conn, EntityKind, R, StoreError, dispatch};

/// Row counts of every table (for `/metrics`, the seed and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub projects: i64,
    pub features: i64,
    pub releases: i64,
    pub events: i64,
    pub contexts: i64,
    pub processed: i64,
    pub outbox: i64,
    pub outbox_unsent: i64,
}

pub async fn counts(conn: &mut Conn) -> R<Counts> {
    Ok(dispatch!(conn, |c| {
        Counts {
            projects: projects::table.count().get_result(c).await?,
            features: features::table.count().get_result(c).await?,
            releases: releases::table.count().get_result(c).await?,
            events: event_log::table.count().get_result(c).await?,
            contexts: user_context::table.count().get_result(c).await?,
            processed: processed_messages::table.count().get_result(c).await?,
            outbox: outbox::table.count().get_result(c).await?,
            outbox_unsent: outbox::table
                .filter(outbox::sent_at.is_null())
                .filter(outbox::failed_at.is_null())
                .count()
                .get_result(c)
                .await?,
        }
    }))
}

#[derive(Debug, QueryableByName)]
struct DumpLine {
    #[diesel(sql_type = diesel::sql_types::Text)]
    line: String,
}

/// A textual dump of the schema (tables, columns, constraints, indexes,
/// triggers), sorted, without diesel's own bookkeeping table. Comparing two
/// dumps tells whether two databases have the same schema.
pub async fn schema_dump(conn: &mut Conn) -> R<Vec<String>> {
    let sql = match conn.backend() {
        crate::Backend::Sqlite => {
            "SELECT type || ' ' || name || ' ON ' || tbl_name || ': ' || COALESCE(sql, '') AS line
             FROM sqlite_schema WHERE name NOT LIKE '__diesel%' AND name NOT LIKE 'sqlite_%'"
        }
        crate::Backend::Postgres => {
            "SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' null=' || is_nullable
                    || ' default=' || COALESCE(column_default, '') AS line
               FROM information_schema.columns
              WHERE table_schema = current_schema() AND table_name NOT LIKE '__diesel%'
             UNION ALL
             SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
               FROM pg_constraint
              WHERE connamespace = current_schema()::regnamespace AND conrelid::regclass::text NOT LIKE '__diesel%'
             UNION ALL
             SELECT 'index ' || indexdef FROM pg_indexes
              WHERE schemaname = current_schema() AND tablename NOT LIKE '__diesel%'
             UNION ALL
             SELECT 'trigger ' || pg_get_triggerdef(t.oid) || ' enabled=' || t.tgenabled::text
               FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
              WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace
             UNION ALL
             SELECT 'function ' || p.proname || ' ' || md5(p.prosrc) FROM pg_proc p
              WHERE p.pronamespace = current_schema()::regnamespace"
        }
    };
    let mut lines: Vec<String> = dispatch!(conn, |c| {
        diesel::sql_query(sql)
            .load::<DumpLine>(c)
            .await?
            .into_iter()
            .map(|l| l.line)
            .collect()
    });
    lines.sort();
    Ok(lines)
}

#[derive(Debug, QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    column_name: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    nullable: bool,
}

/// `(table, column, nullable)` for every column, as the database reports it
/// (what `diesel print-schema` reads).
pub async fn columns(conn: &mut Conn) -> R<Vec<(String, String, bool)>> {
    let sql = match conn.backend() {
        crate::Backend::Sqlite => {
            "SELECT m.name AS table_name, p.name AS column_name, (p.\"notnull\" = 0 AND p.pk = 0) AS nullable
               FROM sqlite_schema m JOIN pragma_table_info(m.name) p
              WHERE m.type = 'table' AND m.name NOT LIKE '__diesel%' AND m.name NOT LIKE 'sqlite_%'"
        }
        crate::Backend::Postgres => {
            "SELECT table_name::text AS table_name, column_name::text AS column_name, (is_nullable = 'YES') AS nullable
               FROM information_schema.columns
              WHERE table_schema = current_schema() AND table_name NOT LIKE '__diesel%'"
        }
    };
    let mut cols: Vec<(String, String, bool)> = dispatch!(conn, |c| {
        diesel::sql_query(sql)
            .load::<ColumnRow>(c)
            .await?
            .into_iter()
            .map(|r| (r.table_name, r.column_name, r.nullable))
            .collect()
    });
    cols.sort();
    Ok(cols)
}

/// Data events only (context switches are logged too, but are not data).
pub async fn data_events(conn: &mut Conn) -> R<i64> {
    Ok(dispatch!(conn, |c| {
        event_log::table
            .filter(event_log::entity_type.ne(EntityKind::Context))
            .count()
            .get_result(c)
            .await?
    }))
}

/// Runs a script of SQL statements (separated by `;`) as one batch.
pub async fn execute_script(conn: &mut Conn, sql: &str) -> R<()> {
    use diesel_async::SimpleAsyncConnection;
    dispatch!(conn, |c| c.batch_execute(sql).await?);
    Ok(())
}

/// After rows were inserted with explicit ids, moves PostgreSQL's identity
/// sequences past the largest id (SQLite needs nothing).
pub async fn reset_sequences(conn: &mut Conn) -> R<()> {
    if conn.backend() == Backend::Postgres {
        let mut sql = String::new();
        for t in ["projects", "features", "releases", "event_log", "outbox"] {
            sql.push_str(&format!(
                "SELECT setval(pg_get_serial_sequence('{t}', 'id'), COALESCE((SELECT MAX(id) FROM {t}), 0) + 1, false);"
            ));
        }
        execute_script(conn, &sql).await?;
    }
    Ok(())
}

/// Creates a PostgreSQL database `name` on the server `admin_url` points at.
pub async fn create_pg_database(admin_url: &str, name: &str) -> R<()> {
    let mut conn = AsyncPgConnection::establish(admin_url)
        .await
        .map_err(|e| StoreError::Unavailable(format!("{admin_url}: {e}")))?;
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await?;
    Ok(())
}

/// Drops a PostgreSQL database, disconnecting whoever still uses it.
pub async fn drop_pg_database(admin_url: &str, name: &str) -> R<()> {
    let mut conn = AsyncPgConnection::establish(admin_url)
        .await
        .map_err(|e| StoreError::Unavailable(format!("{admin_url}: {e}")))?;
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await?;
    Ok(())
}

/// Replies given up (a permanent refusal, or never to be retried).
pub async fn failed_replies(conn: &mut Conn) -> R<usize> {
    let n: i64 = dispatch!(conn, |c| {
        outbox::table
            .filter(outbox::failed_at.is_not_null())
            .count()
            .get_result(c)
            .await?
    });
    Ok(usize::try_from(n).unwrap_or(0))
}

/// Makes the database refuse every new row of `table` (a trigger raising an
/// error): a fault no retry can cure, for tests of what the user is told.
pub async fn refuse_inserts(conn: &mut Conn, table: &str) -> R<()> {
    let sql = match conn.backend() {
        Backend::Sqlite => format!(
            "CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} \
             BEGIN SELECT RAISE(ABORT, 'refused by a test'); END;"
        ),
        Backend::Postgres => format!(
            "CREATE FUNCTION refuse_{table}() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'refused by a test'; END $$; \
             CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} \
             FOR EACH ROW EXECUTE FUNCTION refuse_{table}();"
        ),
    };
    execute_script(conn, &sql).await
}
