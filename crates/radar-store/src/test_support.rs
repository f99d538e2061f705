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

/// A receipt of chat 1 and user 1, received now, for tests that store keys.
pub fn receipt<'a>(
    key: &'a str,
    payload: Option<&'a str>,
) -> crate::processed_messages::NewReceipt<'a> {
    crate::processed_messages::NewReceipt {
        message_id: key,
        update_id: None,
        chat_id: crate::ChatId(1),
        user_id: Some(crate::UserId(1)),
        received_at: chrono::Utc::now().naive_utc(),
        processed_at: None,
        payload,
    }
}

/// An active project named `name` (its key `key`), created now, for tests.
pub fn project<'a>(name: &'a str, key: &'a str) -> crate::projects::NewProject<'a> {
    let now = chrono::Utc::now().naive_utc();
    crate::projects::NewProject {
        name,
        name_key: key,
        description: None,
        status: crate::ProjectStatus::Active,
        created_at: now,
        updated_at: now,
    }
}

/// Feature #`n` of `project`, named `name`, in the backlog, created now,
/// for tests.
pub fn feature(project: crate::ProjectId, n: i64, name: &str) -> crate::features::NewFeature {
    crate::features::NewFeature::backlog(
        project,
        crate::FeatureNumber(n),
        name.into(),
        None,
        chrono::Utc::now().naive_utc(),
    )
}

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

/// One column as the database describes it: what `diesel print-schema`
/// reads (PostgreSQL's `information_schema`, SQLite's `table_xinfo`).
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct ColumnInfo {
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub column_name: String,
    /// Position in the table, from 1.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub position: i64,
    /// PostgreSQL: the type's `udt_name` (`int8`, `_text` for `text[]`);
    /// SQLite: the declared type as written (`BIGINT`, `INTEGER`, or empty).
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub sql_type: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub nullable: bool,
    /// Position in the primary key, from 1; 0 when not part of it.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub pk: i64,
    /// SQLite only: the table has a rowid (is not `WITHOUT ROWID`).
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub rowid_table: bool,
}

/// Every column of every table (but diesel's own), by table and position.
pub async fn column_info(conn: &mut Conn) -> R<Vec<ColumnInfo>> {
    let sql = match conn.backend() {
        crate::Backend::Sqlite => {
            "SELECT m.name AS table_name, p.name AS column_name, CAST(p.cid + 1 AS BIGINT) AS position,
                    p.type AS sql_type, p.\"notnull\" = 0 AS nullable, CAST(p.pk AS BIGINT) AS pk,
                    NOT l.wr AS rowid_table
               FROM sqlite_schema m
               JOIN pragma_table_xinfo(m.name) p
               JOIN pragma_table_list(m.name) l ON l.name = m.name AND l.schema = 'main'
              WHERE m.type = 'table' AND m.name NOT LIKE '__diesel%' AND m.name NOT LIKE 'sqlite_%'
                AND p.hidden IN (0, 2, 3)"
        }
        crate::Backend::Postgres => {
            "SELECT c.table_name::text AS table_name, c.column_name::text AS column_name,
                    c.ordinal_position::bigint AS position, c.udt_name::text AS sql_type,
                    c.is_nullable = 'YES' AS nullable, COALESCE(k.ordinal_position, 0)::bigint AS pk,
                    true AS rowid_table
               FROM information_schema.columns c
               JOIN information_schema.tables t
                 ON t.table_schema = c.table_schema AND t.table_name = c.table_name
                AND t.table_type = 'BASE TABLE'
               LEFT JOIN (information_schema.table_constraints tc
                          JOIN information_schema.key_column_usage k
                            ON k.constraint_schema = tc.constraint_schema
                           AND k.constraint_name = tc.constraint_name)
                 ON tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = c.table_schema
                AND tc.table_name = c.table_name AND k.column_name = c.column_name
              WHERE c.table_schema = current_schema() AND c.table_name NOT LIKE '__diesel%'"
        }
    };
    let mut cols: Vec<ColumnInfo> = dispatch!(conn, |c| {
        diesel::sql_query(sql).load::<ColumnInfo>(c).await?
    });
    cols.sort_by(|a, b| (&a.table_name, a.position).cmp(&(&b.table_name, b.position)));
    Ok(cols)
}

/// One column of a foreign key.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct ForeignKeyInfo {
    /// Tells the columns of one foreign key from another's.
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub constraint: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub child_table: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub child_column: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub parent_table: String,
    /// The parent's column; SQLite leaves it out for the parent's primary key.
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub parent_column: Option<String>,
}

/// Every foreign key column (what `diesel print-schema` turns into `joinable!`).
pub async fn foreign_keys(conn: &mut Conn) -> R<Vec<ForeignKeyInfo>> {
    let sql = match conn.backend() {
        crate::Backend::Sqlite => {
            "SELECT m.name || '#' || f.id AS \"constraint\", m.name AS child_table,
                    f.\"from\" AS child_column, f.\"table\" AS parent_table, f.\"to\" AS parent_column
               FROM sqlite_schema m JOIN pragma_foreign_key_list(m.name) f
              WHERE m.type = 'table' AND m.name NOT LIKE '__diesel%' AND m.name NOT LIKE 'sqlite_%'"
        }
        crate::Backend::Postgres => {
            "SELECT con.conname::text AS \"constraint\", child.relname::text AS child_table,
                    a.attname::text AS child_column, parent.relname::text AS parent_table,
                    pa.attname::text AS parent_column
               FROM pg_constraint con
               JOIN pg_class child ON child.oid = con.conrelid
               JOIN pg_class parent ON parent.oid = con.confrelid
               JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = ANY (con.conkey)
               JOIN pg_attribute pa ON pa.attrelid = con.confrelid
                AND pa.attnum = con.confkey[array_position(con.conkey, a.attnum)]
              WHERE con.contype = 'f' AND con.connamespace = current_schema()::regnamespace"
        }
    };
    let mut fks: Vec<ForeignKeyInfo> = dispatch!(conn, |c| {
        diesel::sql_query(sql).load::<ForeignKeyInfo>(c).await?
    });
    fks.sort_by(|a, b| {
        (&a.child_table, &a.constraint, &a.child_column).cmp(&(
            &b.child_table,
            &b.constraint,
            &b.child_column,
        ))
    });
    Ok(fks)
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

/// Migrates a database up to and including the migration named `name` (a
/// folder name of `migrations/<backend>`, as `radar migrate status` prints
/// it): the database an earlier release left, for upgrade-path tests.
pub async fn migrate_to(url: &crate::DbUrl, name: &str) -> R<()> {
    crate::migrate::run_up_to(url, name).await
}

#[derive(Debug, QueryableByName)]
struct CountRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// The number of rows of `table` (any table, also those [`counts`] leaves out).
pub async fn table_rows(conn: &mut Conn, table: &str) -> R<i64> {
    let sql = format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {table}");
    Ok(dispatch!(conn, |c| {
        diesel::sql_query(&sql).get_result::<CountRow>(c).await?.n
    }))
}

#[derive(Debug, QueryableByName)]
struct TextRow {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    v: Option<String>,
}

/// The column `v` (text, maybe NULL) of every row a query returns: a few
/// values read back as they are stored, for tests.
pub async fn text_column(conn: &mut Conn, sql: &str) -> R<Vec<Option<String>>> {
    Ok(dispatch!(conn, |c| {
        diesel::sql_query(sql)
            .load::<TextRow>(c)
            .await?
            .into_iter()
            .map(|r| r.v)
            .collect()
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

/// The Telegram update ids of every stored update (processed or not), sorted.
pub async fn update_ids(conn: &mut Conn) -> R<Vec<i64>> {
    let mut ids: Vec<i64> = dispatch!(conn, |c| {
        processed_messages::table
            .filter(processed_messages::update_id.is_not_null())
            .select(processed_messages::update_id.assume_not_null())
            .load(c)
            .await?
    });
    ids.sort_unstable();
    Ok(ids)
}
