//! Every table of Radar, in one list: what `radar copy` moves and `radar
//! check` expects. **Adding a table to the schema means adding it here**
//! (in foreign-key order: after the tables it references), with its key
//! column and every column in the order the migrations create them; a test
//! (`tests/operator.rs`, `every_table_is_known`) lists the tables of a
//! migrated database on both backends and fails while one is missing.
//!
//! Each entry becomes a module with a typed row (`Queryable`, `Selectable`,
//! `Insertable`, checked against `schema.rs` on both backends) and the
//! three operations copy needs: read a batch after a key (keyset paging, in
//! key order), insert a batch (one multi-row `INSERT`, explicit ids kept),
//! and feed a row into a checksum.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use sha2::{Digest, Sha256};

use crate::{Conn, R};

/// A value fed into a table's checksum in a form both backends keep alike:
/// timestamps at microseconds (PostgreSQL's precision), every value tagged
/// with its kind and length so that no two rows feed the same bytes.
pub(crate) trait Feed {
    fn feed(&self, h: &mut Sha256);
}

impl Feed for i64 {
    fn feed(&self, h: &mut Sha256) {
        h.update(b"i");
        h.update(self.to_le_bytes());
    }
}

impl Feed for i32 {
    fn feed(&self, h: &mut Sha256) {
        i64::from(*self).feed(h);
    }
}

impl Feed for String {
    fn feed(&self, h: &mut Sha256) {
        h.update(b"s");
        h.update((self.len() as u64).to_le_bytes());
        h.update(self.as_bytes());
    }
}

/// `Binary` columns (`outbox_attachments.bytes` on main).
impl Feed for Vec<u8> {
    fn feed(&self, h: &mut Sha256) {
        h.update(b"b");
        h.update((self.len() as u64).to_le_bytes());
        h.update(self);
    }
}

impl Feed for NaiveDateTime {
    fn feed(&self, h: &mut Sha256) {
        let micros = self.and_utc().timestamp_micros();
        h.update(b"t");
        h.update(micros.to_le_bytes());
    }
}

/// `Time` columns (`user_settings.digest_at`), at whole seconds.
impl Feed for NaiveTime {
    fn feed(&self, h: &mut Sha256) {
        h.update(b"h");
        h.update(self.num_seconds_from_midnight().to_le_bytes());
    }
}

impl Feed for NaiveDate {
    fn feed(&self, h: &mut Sha256) {
        h.update(b"d");
        h.update(self.to_string().as_bytes());
    }
}

impl<T: Feed> Feed for Option<T> {
    fn feed(&self, h: &mut Sha256) {
        match self {
            None => h.update(b"n"),
            Some(v) => v.feed(h),
        }
    }
}

/// The checksum of a set of rows: the sum (mod 2^128) of each row's
/// SHA-256 (first 16 bytes), so it does not depend on the order rows are
/// read in (PostgreSQL sorts text keys by its collation, SQLite by bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Checksum {
    pub rows: u64,
    pub sum: u128,
}

impl Checksum {
    pub(crate) fn add(&mut self, h: Sha256) {
        let d = h.finalize();
        let mut b = [0u8; 16];
        b.copy_from_slice(&d[..16]);
        self.sum = self.sum.wrapping_add(u128::from_le_bytes(b));
        self.rows += 1;
    }
}

impl std::fmt::Display for Checksum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} rows, {:032x}", self.rows, self.sum)
    }
}

/// Truncates a timestamp to microseconds (what PostgreSQL keeps).
pub(crate) fn micros(t: NaiveDateTime) -> NaiveDateTime {
    t.with_nanosecond(t.nanosecond() / 1_000 * 1_000)
        .unwrap_or(t)
}

macro_rules! tables {
    ($( $table:ident by $key:ident: $kty:ty { $($col:ident: $ty:ty),* $(,)? } )*) => {
        $(
            #[allow(non_snake_case)]
            pub(crate) mod $table {
                use diesel::prelude::*;
                use diesel_async::RunQueryDsl;
                #[allow(unused_imports)]
                use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
                use sha2::{Digest, Sha256};

                use super::{Checksum, Feed};
                use crate::schema::$table as t;
                use crate::{Conn, R, dispatch};

                #[derive(Debug, Clone, Queryable, Selectable, Insertable)]
                #[diesel(table_name = t, treat_none_as_default_value = false)]
                #[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
                pub(crate) struct Row {
                    $(pub(crate) $col: $ty,)*
                }

                pub(crate) const COLUMNS: &[&str] = &[$(stringify!($col)),*];

                /// Up to `n` rows after `after`, in key order.
                async fn read(conn: &mut Conn, after: &Option<$kty>, n: i64) -> R<Vec<Row>> {
                    Ok(dispatch!(conn, |c| {
                        let mut q = t::table
                            .select(Row::as_select())
                            .order(t::$key.asc())
                            .limit(n)
                            .into_boxed();
                        if let Some(k) = after {
                            q = q.filter(t::$key.gt(k.clone()));
                        }
                        q.load::<Row>(c).await?
                    }))
                }

                /// PostgreSQL: one multi-row `INSERT`. SQLite: one prepared
                /// `INSERT` a row (diesel has no multi-row insert for it;
                /// inside the table's one transaction a row costs
                /// microseconds).
                async fn insert(conn: &mut Conn, rows: &[Row]) -> R<usize> {
                    Ok(match conn {
                        Conn::Pg(obj) => {
                            let c: &mut diesel_async::AsyncPgConnection = &mut *obj;
                            diesel::insert_into(t::table).values(rows).execute(c).await?
                        }
                        Conn::Sqlite(obj, _) => {
                            let c: &mut crate::SqliteConn = &mut *obj;
                            let mut n = 0;
                            for r in rows {
                                n += diesel::insert_into(t::table).values(r).execute(c).await?;
                            }
                            n
                        }
                    })
                }

                pub(crate) async fn count(conn: &mut Conn) -> R<i64> {
                    Ok(dispatch!(conn, |c| t::table.count().get_result::<i64>(c).await?))
                }

                fn hash(r: &Row) -> Sha256 {
                    let mut h = Sha256::new();
                    $( r.$col.feed(&mut h); )*
                    h
                }

                pub(crate) async fn checksum(conn: &mut Conn, batch: i64) -> R<Checksum> {
                    let mut sum = Checksum::default();
                    let mut after: Option<$kty> = None;
                    loop {
                        let rows = read(conn, &after, batch).await?;
                        let Some(last) = rows.last() else { break };
                        after = Some(last.$key.clone());
                        for r in &rows {
                            sum.add(hash(r));
                        }
                    }
                    Ok(sum)
                }

                /// Copies every row from `src` to `dst` (inside the caller's
                /// transactions), `batch` rows a statement; `done(n)` after
                /// each batch. Returns the source's checksum of what it read.
                pub(crate) async fn copy(
                    src: &mut Conn,
                    dst: &mut Conn,
                    batch: i64,
                    done: &mut (dyn FnMut(u64) + Send),
                ) -> R<Checksum> {
                    let mut sum = Checksum::default();
                    let mut after: Option<$kty> = None;
                    loop {
                        let mut rows = read(src, &after, batch).await?;
                        let Some(last) = rows.last() else { break };
                        after = Some(last.$key.clone());
                        for r in &mut rows {
                            sum.add(hash(r));
                            super::canonical(r);
                        }
                        insert(dst, &rows).await?;
                        done(rows.len() as u64);
                    }
                    Ok(sum)
                }
            }
        )*

        /// The tables, in foreign-key order (each after those it references).
        pub const TABLES: &[&str] = &[$(stringify!($table)),*];

        /// A table's columns, in order, as this version of Radar knows them.
        pub fn columns(table: &str) -> Option<&'static [&'static str]> {
            match table {
                $(stringify!($table) => Some($table::COLUMNS),)*
                _ => None,
            }
        }

        /// A table's key column (what rows are read in order of).
        pub fn key(table: &str) -> Option<&'static str> {
            match table {
                $(stringify!($table) => Some(stringify!($key)),)*
                _ => None,
            }
        }

        pub(crate) async fn count(conn: &mut Conn, table: &str) -> R<i64> {
            match table {
                $(stringify!($table) => $table::count(conn).await,)*
                _ => Ok(0),
            }
        }

        pub(crate) async fn checksum(conn: &mut Conn, table: &str, batch: i64) -> R<Checksum> {
            match table {
                $(stringify!($table) => $table::checksum(conn, batch).await,)*
                _ => Ok(Checksum::default()),
            }
        }

        pub(crate) async fn copy(
            table: &str,
            src: &mut Conn,
            dst: &mut Conn,
            batch: i64,
            done: &mut (dyn FnMut(u64) + Send),
        ) -> R<Checksum> {
            match table {
                $(stringify!($table) => $table::copy(src, dst, batch, done).await,)*
                _ => Ok(Checksum::default()),
            }
        }

        $(
            impl Canonical for $table::Row {
                fn canonical(&mut self) {
                    $( self.$col.canonical(); )*
                }
            }
        )*
    };
}

/// A value as the target will store it: timestamps at microseconds, so a
/// SQLite row written with nanoseconds is copied as PostgreSQL keeps it,
/// whichever the target (and a copy back compares equal).
pub(crate) trait Canonical {
    fn canonical(&mut self);
}

impl Canonical for i64 {
    fn canonical(&mut self) {}
}
impl Canonical for i32 {
    fn canonical(&mut self) {}
}
impl Canonical for String {
    fn canonical(&mut self) {}
}
impl Canonical for Vec<u8> {
    fn canonical(&mut self) {}
}
impl Canonical for NaiveDate {
    fn canonical(&mut self) {}
}
impl Canonical for NaiveTime {
    fn canonical(&mut self) {
        *self = self.with_nanosecond(0).unwrap_or(*self);
    }
}
impl Canonical for NaiveDateTime {
    fn canonical(&mut self) {
        *self = micros(*self);
    }
}
impl<T: Canonical> Canonical for Option<T> {
    fn canonical(&mut self) {
        if let Some(v) = self {
            v.canonical();
        }
    }
}

fn canonical<T: Canonical>(r: &mut T) {
    r.canonical();
}

// The one list. Types are the columns' Rust types (`schema.rs`: BigInt →
// i64, Integer → i32, Text → String, Timestamp → NaiveDateTime, Date →
// NaiveDate; Nullable → Option).
tables! {
    projects by id: i64 {
        id: i64,
        name: String,
        name_key: String,
        description: Option<String>,
        status: String,
        next_feature_number: i64,
        created_at: NaiveDateTime,
        updated_at: NaiveDateTime,
    }
    releases by id: i64 {
        id: i64,
        project_id: i64,
        version: String,
        target_date: Option<NaiveDate>,
        status: String,
        created_at: NaiveDateTime,
        updated_at: NaiveDateTime,
        released_at: Option<NaiveDateTime>,
    }
    features by id: i64 {
        id: i64,
        project_id: i64,
        number: i64,
        name: String,
        description: Option<String>,
        status: String,
        status_reason: Option<String>,
        assigned_teams: Option<String>,
        assigned_po: Option<String>,
        release_id: Option<i64>,
        created_at: NaiveDateTime,
        updated_at: NaiveDateTime,
    }
    event_log by id: i64 {
        id: i64,
        correlation_id: String,
        user_id: i64,
        project_id: Option<i64>,
        action: String,
        entity_type: String,
        entity_id: i64,
        details: String,
        timestamp: NaiveDateTime,
        created_at: NaiveDateTime,
        reverts_event_id: Option<i64>,
    }
    user_context by user_id: i64 {
        user_id: i64,
        active_project_id: Option<i64>,
        updated_at: NaiveDateTime,
    }
    conversation_state by user_id: i64 {
        user_id: i64,
        feature_id: Option<i64>,
        release_id: Option<i64>,
        project_id: Option<i64>,
        last_command: Option<String>,
        updated_at: NaiveDateTime,
    }
    offered_actions by id: i64 {
        id: i64,
        user_id: i64,
        command: String,
        created_at: NaiveDateTime,
        expires_at: NaiveDateTime,
        used_at: Option<NaiveDateTime>,
    }
    processed_messages by message_id: String {
        message_id: String,
        update_id: Option<i64>,
        chat_id: i64,
        user_id: Option<i64>,
        received_at: NaiveDateTime,
        processed_at: Option<NaiveDateTime>,
        payload: Option<String>,
    }
    outbox by id: i64 {
        id: i64,
        chat_id: i64,
        message_key: Option<String>,
        text: String,
        parse_mode: Option<String>,
        reply_markup: Option<String>,
        reply_to_message_id: Option<i64>,
        created_at: NaiveDateTime,
        sent_at: Option<NaiveDateTime>,
        attempts: i32,
        last_error: Option<String>,
        next_attempt_at: Option<NaiveDateTime>,
        failed_at: Option<NaiveDateTime>,
        edit_message_id: Option<i64>,
    }
    outbox_attachments by outbox_id: i64 {
        outbox_id: i64,
        kind: String,
        file_name: String,
        bytes: Vec<u8>,
    }
    user_settings by user_id: i64 {
        user_id: i64,
        time_zone: Option<String>,
        language: Option<String>,
        digest_at: Option<NaiveTime>,
        digest_language: Option<String>,
        updated_at: NaiveDateTime,
    }
    names_versions by scope: i64 {
        scope: i64,
        version: i64,
    }
}

/// Row counts of every table, in [`TABLES`] order.
pub async fn counts(conn: &mut Conn) -> R<Vec<(&'static str, i64)>> {
    let mut out = Vec::with_capacity(TABLES.len());
    for t in TABLES {
        out.push((*t, count(conn, t).await?));
    }
    Ok(out)
}

/// Every table's checksum, in [`TABLES`] order.
pub async fn checksums(conn: &mut Conn) -> R<Vec<(&'static str, Checksum)>> {
    let mut out = Vec::with_capacity(TABLES.len());
    for t in TABLES {
        out.push((*t, checksum(conn, t, crate::copy::BATCH).await?));
    }
    Ok(out)
}
